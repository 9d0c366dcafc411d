//! The eframe application: one window that is the full-screen lock screen
//! (locked, maintenance) or the small countdown (in session).

use std::time::{Duration, Instant};

use bilik_proto::catalog::Lang;
use eframe::egui::{self, ViewportCommand, WindowLevel};

use super::Shared;
use super::lock_screen::Form;
use crate::ui::UiState;

/// The countdown window's size when a session starts (its height then
/// follows the content).
const COUNTDOWN: egui::Vec2 = egui::vec2(420.0, 200.0);

/// Below this size nothing but the background is drawn (egui cannot lay
/// out a form in a window of a few pixels).
const MIN_ROOM: egui::Vec2 = egui::vec2(120.0, 80.0);

/// The size a standby lays its hidden lock screen out at, to warm it.
const WARM_SIZE: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// Which shape the window has been given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Full screen, on top, grabbed.
    Locked,
    /// The small countdown, on top, no grab.
    Countdown,
}

/// The lock-screen application.
#[derive(Debug)]
pub(super) struct LockApp {
    /// The model written by the driver.
    shared: Shared,
    /// The language shown (the patron may switch it).
    lang: Lang,
    /// The lock screen's form.
    form: Form,
    /// The shape applied to the window so far (`None`: not yet).
    shape: Option<Shape>,
    /// The refusal count seen (a new one clears the card field).
    attempts_seen: u64,
    /// The count of ended sessions seen (a new one starts the next
    /// patron's form).
    sessions_ended_seen: u64,
    /// The log-out confirmation is open.
    confirm_logout: bool,
    /// The countdown window's size as last asked for, how many times, and
    /// when last: the window manager may apply its own geometry after ours
    /// (leaving full screen restores one), so the size is checked every
    /// frame and asked for again, a few times at most.
    countdown_fit: Option<(egui::Vec2, u32, Instant)>,
    /// The repair thread (stopped and joined before eframe closes the X
    /// connection it uses).
    repair: Option<std::thread::JoinHandle<()>>,
    /// While locked on a station with several monitors: the monitors other
    /// than the lock window's, each covered by a window of its own.
    covers: Vec<Cover>,
    /// The window is a hidden standby (until the service activates it).
    hidden: bool,
    /// The library's logo as a texture, made on the first frame.
    logo: Option<LogoTexture>,
    /// The patron moved the countdown this session: it stays where it was
    /// put (kept on the screen), not in the configured corner.
    moved: bool,
}

/// The logo's texture (kept alive while the app runs).
struct LogoTexture(egui::TextureHandle);

impl std::fmt::Debug for LogoTexture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogoTexture({:?})", self.0.size())
    }
}

/// A monitor's cover while locked: where it goes, in points.
#[derive(Debug, Clone, Copy)]
struct Cover {
    /// Top-left corner.
    position: egui::Pos2,
    /// Size.
    size: egui::Vec2,
}

impl LockApp {
    /// The app, in the configured language, showing the lock screen.
    pub(super) fn new(
        shared: Shared,
        ctx: &egui::Context,
        repair: Option<std::thread::JoinHandle<()>>,
    ) -> LockApp {
        let lang = shared.model().language;
        let mut style = (*ctx.global_style()).clone();
        for font in style.text_styles.values_mut() {
            font.size *= 1.4;
        }
        // A blinking cursor would repaint the idle screen twice a second.
        style.visuals.text_cursor.blink = false;
        // Tick box and purposes large enough for a finger or a quick click.
        style.spacing.icon_width = 28.0;
        style.spacing.icon_width_inner = 16.0;
        style.spacing.icon_spacing = 12.0;
        style.spacing.interact_size.y = 34.0;
        ctx.set_global_style(style);
        LockApp {
            shared,
            lang,
            form: Form {
                focus_card: true,
                ..Form::default()
            },
            shape: None,
            attempts_seen: 0,
            sessions_ended_seen: 0,
            confirm_logout: false,
            countdown_fit: None,
            repair,
            covers: Vec::new(),
            hidden: false,
            logo: None,
            moved: false,
        }
    }

    /// Gives the window `shape` (once per change).
    fn apply_shape(
        &mut self,
        ctx: &egui::Context,
        frame: &eframe::Frame,
        shape: Shape,
        windowed: bool,
    ) {
        if self.shape == Some(shape) {
            return;
        }
        tracing::info!(?shape, windowed, "lock-screen window shape");
        self.shape = Some(shape);
        self.covers.clear();
        match (shape, windowed) {
            (Shape::Locked, false) => {
                ctx.send_viewport_cmd(ViewportCommand::Decorations(false));
                match self.monitor_layout(ctx, frame) {
                    // Several monitors: the lock window exactly on the main
                    // one (full screen would follow winit's idea of a
                    // monitor), a cover on each of the others.
                    Some((position, size)) => {
                        ctx.send_viewport_cmd(ViewportCommand::Fullscreen(false));
                        ctx.send_viewport_cmd(ViewportCommand::OuterPosition(position));
                        ctx.send_viewport_cmd(ViewportCommand::InnerSize(size));
                    }
                    None => ctx.send_viewport_cmd(ViewportCommand::Fullscreen(true)),
                }
                ctx.send_viewport_cmd(ViewportCommand::WindowLevel(WindowLevel::AlwaysOnTop));
                ctx.send_viewport_cmd(ViewportCommand::Focus);
                self.form.focus_card = true;
            }
            (Shape::Locked, true) => {
                ctx.send_viewport_cmd(ViewportCommand::InnerSize(egui::vec2(1024.0, 700.0)));
                self.form.focus_card = true;
            }
            (Shape::Countdown, _) => {
                self.moved = false;
                let size = COUNTDOWN;
                self.countdown_fit = Some((size, 1, Instant::now()));
                if !windowed {
                    ctx.send_viewport_cmd(ViewportCommand::Fullscreen(false));
                }
                ctx.send_viewport_cmd(ViewportCommand::InnerSize(size));
                self.place_countdown(ctx, size);
                ctx.send_viewport_cmd(ViewportCommand::WindowLevel(WindowLevel::AlwaysOnTop));
            }
        }
    }
}

impl LockApp {
    /// With several monitors: the lock window's place on the main one (in
    /// points), after noting a cover for each of the others.
    #[cfg(unix)]
    fn monitor_layout(
        &mut self,
        ctx: &egui::Context,
        frame: &eframe::Frame,
    ) -> Option<(egui::Pos2, egui::Vec2)> {
        let monitors = super::x11::Handles::from_frame(frame)
            .map(|h| h.monitors())
            .unwrap_or_default();
        tracing::debug!(?monitors, "monitors");
        let (main, others) = super::monitors::split(&monitors)?;
        let scale = ctx.pixels_per_point().max(0.1);
        let rect = |m: super::monitors::Monitor| {
            (
                egui::pos2(m.x as f32 / scale, m.y as f32 / scale),
                egui::vec2(m.width as f32 / scale, m.height as f32 / scale),
            )
        };
        self.covers = others
            .into_iter()
            .map(|m| {
                let (position, size) = rect(m);
                Cover { position, size }
            })
            .collect();
        tracing::info!(
            monitors = self.covers.len() + 1,
            main = ?main,
            "the lock screen covers every monitor"
        );
        Some(rect(main))
    }

    /// One monitor, or not X11: full screen covers it.
    #[cfg(not(unix))]
    fn monitor_layout(
        &mut self,
        _ctx: &egui::Context,
        _frame: &eframe::Frame,
    ) -> Option<(egui::Pos2, egui::Vec2)> {
        None
    }

    /// Puts the countdown window of `size` in its configured corner.
    fn place_countdown(&self, ctx: &egui::Context, size: egui::Vec2) {
        let corner = self.shared.model().corner;
        if let Some(monitor) = ctx.input(|i| i.viewport().monitor_size) {
            let at = countdown_position(monitor, size, corner);
            ctx.send_viewport_cmd(ViewportCommand::OuterPosition(at));
        }
    }

    /// Gives the countdown window the height its content needs (never less
    /// than it starts with), until the window has it.
    fn fit_countdown(&mut self, ctx: &egui::Context, needed: f32) {
        /// How often a size is asked for before the window manager is left
        /// to have its way (a tiling one would refuse forever).
        const TRIES: u32 = 8;
        /// Between two asks.
        const PAUSE: Duration = Duration::from_millis(250);
        let want = egui::vec2(COUNTDOWN.x, needed.ceil().max(COUNTDOWN.y));
        let have = ctx.input(|i| i.viewport().inner_rect.map(|r| r.size()));
        if have.is_some_and(|have| (have - want).abs().max_elem() < 1.0) {
            return;
        }
        let (tries, last) = match self.countdown_fit {
            Some((asked, tries, last)) if asked == want => (tries, Some(last)),
            _ => (0, None),
        };
        if tries >= TRIES {
            return;
        }
        if last.is_none_or(|t| t.elapsed() >= PAUSE) {
            tracing::debug!(?want, ?have, tries, "countdown window sized to its content");
            ctx.send_viewport_cmd(ViewportCommand::InnerSize(want));
            if !self.moved {
                self.place_countdown(ctx, want);
            }
            self.countdown_fit = Some((want, tries + 1, Instant::now()));
        }
        ctx.request_repaint_after(PAUSE);
    }

    /// Draws the lock screen's form (`maintenance`: the out-of-service
    /// notice instead), with the library's logo.
    fn lock_form(&mut self, ui: &mut egui::Ui, maintenance: bool) {
        super::lock_screen::show(
            ui,
            &self.shared,
            &mut self.lang,
            &mut self.form,
            maintenance,
            self.logo.as_ref().map(|t| &t.0),
        );
    }

    /// A countdown the patron moved is put back whole on the screen when
    /// it was dragged (partly) off it.
    fn keep_countdown_on_screen(&self, ctx: &egui::Context) {
        if !self.moved {
            return;
        }
        let (outer, monitor) = ctx.input(|i| (i.viewport().outer_rect, i.viewport().monitor_size));
        if let (Some(outer), Some(monitor)) = (outer, monitor)
            && let Some(at) = on_screen(outer.min, outer.size(), monitor)
        {
            tracing::debug!(?at, "the moved countdown is put back on the screen");
            ctx.send_viewport_cmd(ViewportCommand::OuterPosition(at));
        }
    }

    /// Shows the covers (a frame without them closes them).
    fn show_covers(&self, ctx: &egui::Context, maintenance: bool) {
        for (i, cover) in self.covers.iter().enumerate() {
            let builder = egui::ViewportBuilder::default()
                .with_title("Bilik cover")
                .with_app_id("bilik-agent")
                .with_position(cover.position)
                .with_inner_size(cover.size)
                .with_decorations(false)
                .with_always_on_top()
                .with_taskbar(false)
                // A dock-type window is never given the focus by the window
                // manager: it stays with the lock window.
                .with_window_type(egui::X11WindowType::Dock);
            ctx.show_viewport_immediate(
                egui::ViewportId::from_hash_of(("bilik-cover", i)),
                builder,
                |ui, _| {
                    if ui.ctx().input(|i| i.viewport().close_requested()) {
                        ui.ctx().send_viewport_cmd(ViewportCommand::CancelClose);
                    }
                    super::lock_screen::cover(ui, &self.shared, self.lang, maintenance);
                },
            );
        }
    }
}

/// Space between the countdown and the screen's edges.
const EDGE: f32 = 16.0;

/// Where the countdown of `size` goes on a `monitor` of that size, in its
/// `corner`.
fn countdown_position(
    monitor: egui::Vec2,
    size: egui::Vec2,
    corner: crate::config::Corner,
) -> egui::Pos2 {
    use crate::config::Corner;
    let right = (monitor.x - size.x - EDGE).max(0.0);
    let bottom = (monitor.y - size.y - EDGE).max(0.0);
    match corner {
        Corner::TopLeft => egui::pos2(EDGE, EDGE),
        Corner::TopRight => egui::pos2(right, EDGE),
        Corner::BottomLeft => egui::pos2(EDGE, bottom),
        Corner::BottomRight => egui::pos2(right, bottom),
    }
}

/// Where a window at `at` of `size` must go to lie whole on a `monitor` of
/// that size (at the nearest edge); `None` when it already does.
fn on_screen(at: egui::Pos2, size: egui::Vec2, monitor: egui::Vec2) -> Option<egui::Pos2> {
    let max = (monitor - size).max(egui::Vec2::ZERO);
    let clamped = egui::pos2(at.x.clamp(0.0, max.x), at.y.clamp(0.0, max.y));
    ((clamped - at).length() >= 1.0).then_some(clamped)
}

impl eframe::App for LockApp {
    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // Once per frame, before its passes: the frame before is painted.
        self.shared.count_frame();
        if !matches!(self.shared.model().state, UiState::Locked) {
            return;
        }
        let focused = super::scan::text_focused(ctx);
        let routed =
            super::scan::route(&mut raw_input.events, focused, &mut self.form.scan_pending);
        if !routed.card.is_empty() {
            self.form.card.push_str(&routed.card);
            self.form.focus_card = true;
        }
        self.form.submit_scan |= routed.submit;
    }

    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // Run even while the window is hidden (eframe skips `ui` then).
        let (activated, closing) = {
            let m = self.shared.model();
            (m.standby && m.activated, m.closing)
        };
        if closing {
            // A hidden standby whose service went away closes too.
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        if activated {
            // Show the window as the lock screen, then let the repair
            // thread check and grab it.
            tracing::info!("the standby lock screen shows itself");
            ctx.send_viewport_cmd(ViewportCommand::Title("Bilik".to_owned()));
            ctx.send_viewport_cmd(ViewportCommand::Visible(true));
            self.hidden = false;
            self.shape = None;
            self.shared.shown();
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shared.model().closing = true;
        if let Some(repair) = self.repair.take() {
            let _ = repair.join();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        let size = ctx.input(|i| i.viewport().inner_rect.map(|r| r.size()));
        let scale = ctx.pixels_per_point();
        self.shared.mark_frame(size.map_or((0, 0), |s| {
            ((s.x * scale).round() as i32, (s.y * scale).round() as i32)
        }));
        #[cfg(unix)]
        if self.shared.handles.get().is_none()
            && let Some(handles) = super::x11::Handles::from_frame(frame)
        {
            let _ = self.shared.handles.set(handles);
        }
        let (state, windowed, closing, reshape, standby, activated) = {
            let mut m = self.shared.model();
            if self.logo.is_none()
                && let Some(logo) = m.logo.take()
            {
                let size = [logo.width as usize, logo.height as usize];
                let image = egui::ColorImage::from_rgba_unmultiplied(size, &logo.rgba);
                self.logo = Some(LogoTexture(ctx.load_texture(
                    "library-logo",
                    image,
                    egui::TextureOptions::LINEAR,
                )));
            }
            if m.sessions_ended != self.sessions_ended_seen {
                // The next patron: a fresh form (no tick, no purpose), the
                // configured language, no old refusal, and "your session
                // has ended" for a few seconds. Counted, not seen as a
                // shape change: a session may begin and end between frames.
                self.sessions_ended_seen = m.sessions_ended;
                self.lang = m.language;
                m.refusal = None;
                self.form = Form {
                    focus_card: true,
                    session_ended: Some(Instant::now()),
                    ..Form::default()
                };
            }
            (
                m.state.clone(),
                m.windowed,
                m.closing,
                std::mem::take(&mut m.reshape),
                m.standby,
                m.activated,
            )
        };
        if standby && !activated {
            // Warm (this frame built the fonts and the GL state), hidden,
            // waiting to be activated; looked at again once a second.
            if !self.hidden {
                self.hidden = true;
                ctx.send_viewport_cmd(ViewportCommand::Visible(false));
            }
            // The lock screen laid out once at a screen's size (its glyphs
            // rasterised, its shapes tessellated), painted into nothing.
            let warm = egui::Rect::from_min_size(egui::Pos2::ZERO, WARM_SIZE);
            ui.scope_builder(egui::UiBuilder::new().max_rect(warm), |ui| {
                self.lock_form(ui, false);
            });
            ctx.request_repaint_after(Duration::from_secs(1));
            return;
        }
        if reshape {
            self.shape = None;
        }
        if ctx.input(|i| i.viewport().close_requested()) && !closing {
            tracing::info!("close request refused");
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
        }
        if closing {
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        let shape = match state {
            UiState::Locked | UiState::Maintenance => Shape::Locked,
            UiState::InSession(_) | UiState::Warning { .. } => Shape::Countdown,
        };
        if shape == Shape::Countdown {
            self.form = Form::default();
        }
        self.apply_shape(&ctx, frame, shape, windowed);
        if shape == Shape::Locked && !windowed {
            self.show_covers(&ctx, state == UiState::Maintenance);
        }
        if shape == Shape::Locked {
            self.confirm_logout = false;
        }
        #[cfg(not(unix))]
        let _ = frame;

        let room = ui.available_size();
        if room.x < MIN_ROOM.x || room.y < MIN_ROOM.y {
            // Too small to lay out (a standby just shown, or a window
            // shrunk by hand): the background only, until it has its shape.
            ctx.request_repaint_after(Duration::from_millis(50));
            return;
        }
        match &state {
            UiState::Locked => {
                let attempts = self.shared.model().attempts;
                if attempts != self.attempts_seen {
                    self.attempts_seen = attempts;
                    self.form.card.clear();
                    self.form.pin.clear();
                    self.form.checking = false;
                    self.form.focus_card = true;
                }
                self.lock_form(ui, false);
            }
            UiState::Maintenance => {
                self.lock_form(ui, true);
            }
            UiState::InSession(session) => {
                let needed = super::countdown::show(
                    ui,
                    &self.shared,
                    self.lang,
                    session,
                    None,
                    &mut self.confirm_logout,
                    &mut self.moved,
                );
                self.fit_countdown(&ctx, needed);
                self.keep_countdown_on_screen(&ctx);
            }
            UiState::Warning {
                session,
                minutes_left,
            } => {
                let fresh = self.shared.model().warning.take().is_some();
                if fresh {
                    // Not focused: the patron's program keeps the keyboard.
                    tracing::info!(minutes_left, "warning shown");
                    ctx.send_viewport_cmd(ViewportCommand::RequestUserAttention(
                        egui::UserAttentionType::Critical,
                    ));
                }
                let needed = super::countdown::show(
                    ui,
                    &self.shared,
                    self.lang,
                    session,
                    Some(*minutes_left),
                    &mut self.confirm_logout,
                    &mut self.moved,
                );
                self.fit_countdown(&ctx, needed);
                self.keep_countdown_on_screen(&ctx);
            }
        }
        // The clock (and the countdown): once a second, no more.
        ctx.request_repaint_after(Duration::from_secs(1));
    }

    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        super::lock_screen::BACKGROUND.to_normalized_gamma_f32()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Corner;

    #[test]
    fn a_moved_countdown_is_kept_on_the_screen() {
        let monitor = egui::vec2(1280.0, 800.0);
        let size = egui::vec2(420.0, 200.0);
        assert_eq!(on_screen(egui::pos2(300.0, 300.0), size, monitor), None);
        assert_eq!(
            on_screen(egui::pos2(1000.0, -50.0), size, monitor),
            Some(egui::pos2(860.0, 0.0))
        );
        assert_eq!(
            on_screen(egui::pos2(-400.0, 700.0), size, monitor),
            Some(egui::pos2(0.0, 600.0))
        );
    }

    #[test]
    fn the_countdown_goes_to_its_corner() {
        let monitor = egui::vec2(1280.0, 800.0);
        let size = egui::vec2(420.0, 200.0);
        assert_eq!(
            countdown_position(monitor, size, Corner::TopRight),
            egui::pos2(844.0, 16.0)
        );
        assert_eq!(
            countdown_position(monitor, size, Corner::BottomLeft),
            egui::pos2(16.0, 584.0)
        );
        assert_eq!(
            countdown_position(egui::vec2(300.0, 100.0), size, Corner::BottomRight),
            egui::pos2(0.0, 0.0)
        );
        assert_eq!(Corner::parse("bottom-right"), Some(Corner::BottomRight));
        assert_eq!(Corner::parse("middle"), None);
    }
}
