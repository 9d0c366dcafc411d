//! The eframe lock screen (DESIGN §7), run by `bilik-agent ui`: a process
//! of its own in the patron's X session, started and watched by the
//! station service (see [`crate::ui::supervisor`]).
//!
//! eframe must own the main thread. [`install`] makes the [`Shared`] model
//! before the window starts; [`start`] returns the [`FrontEnd`] that writes
//! into it ([`client`] feeds it from the service's socket), and
//! [`run_window`] runs the window on the main thread until told to close.
//! The window repaints when the model changes and once a second for the
//! clock, never continuously. The `repair` thread checks and repairs the
//! window on its own timer, whether eframe draws or not.

mod app;
#[cfg(unix)]
pub mod client;
mod countdown;
mod lock_screen;
#[cfg(unix)]
mod monitors;
#[cfg(unix)]
mod repair;
mod scan;
#[cfg(unix)]
mod x11;

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use bilik_proto::v1::Settings;
use tokio::sync::mpsc;

use super::{FrontEnd, Refusal, UiError, UiEvent, UiInput, UiState};
use crate::link::LinkState;
use bilik_proto::catalog::Lang;

/// What the window shows, written by the driver's thread.
#[derive(Debug)]
pub struct Model {
    /// Lock screen, countdown or maintenance.
    pub state: UiState,
    /// The server's settings (library name, rules, purposes, PIN).
    pub settings: Option<Settings>,
    /// The link to the server.
    pub link: Option<LinkState>,
    /// The station's name (from the link).
    pub station_name: String,
    /// The last refusal, cleared when the state changes.
    pub refusal: Option<Refusal>,
    /// Bumped on each refusal so the window clears the card field.
    pub attempts: u64,
    /// A warning to bring to the front (minutes left).
    pub warning: Option<u32>,
    /// Librarian messages not dismissed yet: (text, from).
    pub messages: Vec<(String, String)>,
    /// The waiting-queue hold on this station: (patron name, minutes left
    /// at receipt); `None` when the station is not held.
    pub hold: Option<(String, u32)>,
    /// The agent is stopping: the window may close.
    pub closing: bool,
    /// The configured language (the patron may switch it).
    pub language: Lang,
    /// Developer mode: normal window, no grabs.
    pub windowed: bool,
    /// The repair thread found the window out of shape: the window gives
    /// itself its shape again on the next frame.
    pub reshape: bool,
    /// Where the countdown sits.
    pub corner: crate::config::Corner,
    /// Counts state changes, so the repair thread sees a session that began
    /// and ended between two of its ticks (the window changed shape twice).
    pub epoch: u64,
    /// Counts sessions that ended: the window starts the next patron's
    /// form afresh even when it drew no frame during a short session.
    pub sessions_ended: u64,
    /// A warm standby: the window stays hidden (no grab, no repairs) until
    /// the service activates this process and the window has shown itself.
    pub standby: bool,
    /// The service activated this standby: the window shows itself on its
    /// next frame, then clears `standby` (the repair thread starts checking
    /// only then: a window it mapped first would be unmapped again by winit).
    pub activated: bool,
    /// The library's logo, decoded (`lock.logo`), if any.
    pub logo: Option<Arc<crate::ui::logo::Logo>>,
}

/// The model and the ways to reach the window, shared by both threads.
#[derive(Debug, Clone)]
pub struct Shared {
    /// What to show.
    model: Arc<Mutex<Model>>,
    /// The window's context, once it exists (to request repaints).
    ctx: Arc<OnceLock<eframe::egui::Context>>,
    /// Where the patron's actions go, once the driver started.
    inputs: Arc<OnceLock<mpsc::Sender<UiInput>>>,
    /// eframe's X connection and window, from the first frame (for the
    /// repair thread).
    #[cfg(unix)]
    handles: Arc<OnceLock<x11::Handles>>,
    /// When the window last drew a frame (a viewable window that stops
    /// drawing is hung).
    frame_at: Arc<Mutex<std::time::Instant>>,
    /// Wakes the repair thread before its next tick (set, then notified).
    wake: Arc<(Mutex<bool>, Condvar)>,
    /// The service's curtain window (X id, 0: none), which the repair
    /// thread must not lower as an intruder.
    curtain: Arc<std::sync::atomic::AtomicU32>,
    /// Frames drawn so far (the repair thread tells from it whether the
    /// lock was drawn since its window was last uncovered).
    frames: Arc<std::sync::atomic::AtomicU64>,
    /// The size in pixels the last frame was drawn at (a frame drawn
    /// before the window manager made the window full screen does not
    /// count as the lock drawn).
    frame_size: Arc<Mutex<(i32, i32)>>,
}

impl Shared {
    /// Locks the model (a poisoned lock is still usable: plain data).
    pub fn model(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the window to draw again.
    fn repaint(&self) {
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }

    /// Sends a patron action to the driver (dropped with a log if the
    /// driver is not listening).
    pub fn send(&self, input: UiInput) {
        match self.inputs.get() {
            Some(tx) => {
                if let Err(e) = tx.try_send(input) {
                    tracing::warn!(error = %e, "the driver did not take a lock-screen input");
                }
            }
            None => tracing::warn!("lock-screen input before the driver started"),
        }
    }

    /// The window's X handles, once known.
    #[cfg(unix)]
    fn handles(&self) -> Option<x11::Handles> {
        self.handles.get().copied()
    }

    /// A frame's layout pass is being run now, at `size` pixels.
    fn mark_frame(&self, size: (i32, i32)) {
        *self.frame_at.lock().unwrap_or_else(PoisonError::into_inner) = std::time::Instant::now();
        let mut last = self
            .frame_size
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *last != size {
            tracing::debug!(?size, "lock-screen frame size");
            *last = size;
        }
    }

    /// A new frame begins (once per frame, however many layout passes it
    /// takes): the one before it was painted.
    fn count_frame(&self) {
        self.frames
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The size in pixels of the last frame.
    #[cfg(unix)]
    fn frame_size(&self) -> (i32, i32) {
        *self
            .frame_size
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Frames drawn so far.
    #[cfg(unix)]
    fn frames(&self) -> u64 {
        self.frames.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How long since the last frame.
    #[cfg(unix)]
    fn frame_age(&self) -> std::time::Duration {
        self.frame_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
    }

    /// Asks the window to give itself its shape again.
    #[cfg(unix)]
    fn reshape(&self) {
        self.model().reshape = true;
        self.repaint();
    }

    /// The agent has stopped: let the window close.
    pub fn quit(&self) {
        self.model().closing = true;
        self.repaint();
        self.wake();
    }

    /// A standby becomes the lock screen: the window shows itself and the
    /// repair thread checks and grabs at once.
    pub fn activate(&self) {
        {
            let mut m = self.model();
            if !m.standby {
                return;
            }
            m.activated = true;
        }
        tracing::info!("standby lock screen activated");
        self.repaint();
    }

    /// The activated standby's window was told to show itself: from now on
    /// it is the lock screen, checked and grabbed by the repair thread.
    fn shown(&self) {
        {
            let mut m = self.model();
            m.standby = false;
            m.activated = false;
            m.epoch += 1;
        }
        self.wake();
    }

    /// The service's curtain is window `id` (0: none).
    pub fn set_curtain(&self, id: u32) {
        self.curtain.store(id, std::sync::atomic::Ordering::Relaxed);
    }

    /// The service's curtain window, 0 for none.
    #[cfg(unix)]
    fn curtain(&self) -> u64 {
        u64::from(self.curtain.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Wakes the repair thread now.
    fn wake(&self) {
        let (flag, signal) = &*self.wake;
        *flag.lock().unwrap_or_else(PoisonError::into_inner) = true;
        signal.notify_all();
    }

    /// Waits up to `timeout`, or until [`Shared::wake`].
    #[cfg(unix)]
    fn wait_wake(&self, timeout: std::time::Duration) {
        let (flag, signal) = &*self.wake;
        let guard = flag.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut woken, _) = signal
            .wait_timeout_while(guard, timeout, |woken| !*woken)
            .unwrap_or_else(PoisonError::into_inner);
        *woken = false;
    }
}

/// The one model of this process (the GUI is a singleton: one screen).
static SHARED: OnceLock<Shared> = OnceLock::new();

/// Makes the shared model; call on the main thread before the agent starts.
/// `standby`: a warm standby, hidden until [`Shared::activate`].
pub fn install(
    language: Lang,
    windowed: bool,
    corner: crate::config::Corner,
    standby: bool,
) -> Shared {
    SHARED
        .get_or_init(|| Shared {
            model: Arc::new(Mutex::new(Model {
                state: UiState::Locked,
                settings: None,
                link: None,
                station_name: String::new(),
                refusal: None,
                attempts: 0,
                warning: None,
                messages: Vec::new(),
                hold: None,
                closing: false,
                language,
                windowed,
                reshape: false,
                corner,
                epoch: 0,
                sessions_ended: 0,
                standby,
                activated: false,
                logo: None,
            })),
            ctx: Arc::new(OnceLock::new()),
            inputs: Arc::new(OnceLock::new()),
            #[cfg(unix)]
            handles: Arc::new(OnceLock::new()),
            frame_at: Arc::new(Mutex::new(std::time::Instant::now())),
            wake: Arc::default(),
            curtain: Arc::default(),
            frames: Arc::default(),
            frame_size: Arc::default(),
        })
        .clone()
}

/// The GUI front-end the driver writes to.
#[derive(Debug)]
pub struct Gui {
    /// The model shared with the window.
    shared: Shared,
}

/// The front-end for the driver; fails if [`install`] was not called (the
/// GUI needs the main thread, see `main.rs`).
pub fn start(inputs: mpsc::Sender<UiInput>) -> Result<Gui, UiError> {
    let shared = SHARED.get().cloned().ok_or_else(|| UiError::Io {
        front_end: "gui",
        source: std::io::Error::other("the window was not started on the main thread"),
    })?;
    if shared.inputs.set(inputs).is_err() {
        tracing::warn!("the GUI front-end was started twice; keeping the first input channel");
    }
    Ok(Gui { shared })
}

/// A state's name for the log (without the patron's name in it).
fn state_name(state: &UiState) -> &'static str {
    match state {
        UiState::Locked => "locked",
        UiState::Maintenance => "maintenance",
        UiState::InSession(_) => "in_session",
        UiState::Warning { .. } => "warning",
    }
}

impl FrontEnd for Gui {
    fn show(&mut self, event: &UiEvent) {
        {
            let mut m = self.shared.model();
            match event {
                UiEvent::State(state) => {
                    if let UiState::Warning { minutes_left, .. } = state {
                        if !matches!(m.state, UiState::Warning { minutes_left: old, .. } if old == *minutes_left)
                        {
                            m.warning = Some(*minutes_left);
                        }
                    } else {
                        m.warning = None;
                    }
                    if !matches!(state, UiState::Locked) {
                        m.refusal = None;
                    }
                    if std::mem::discriminant(state) != std::mem::discriminant(&m.state) {
                        tracing::info!(state = state_name(state), "lock screen state");
                        m.epoch += 1;
                    }
                    let in_session =
                        |s: &UiState| matches!(s, UiState::InSession(_) | UiState::Warning { .. });
                    if in_session(&m.state) && !in_session(state) {
                        m.sessions_ended += 1;
                    }
                    m.state = state.clone();
                }
                UiEvent::Warning { minutes_left, .. } => m.warning = Some(*minutes_left),
                UiEvent::Refused(refusal) => {
                    tracing::info!(code = %refusal.code(), "lock screen shows a refusal");
                    m.refusal = Some(refusal.clone());
                    m.attempts += 1;
                }
                UiEvent::Message { text, from } => {
                    tracing::info!(%from, "lock screen shows a librarian message");
                    m.messages.push((text.clone(), from.clone()));
                    let excess = m.messages.len().saturating_sub(3);
                    m.messages.drain(..excess);
                }
                UiEvent::Hold {
                    patron_name,
                    minutes_left,
                } => {
                    tracing::info!(held = !patron_name.is_empty(), "lock screen hold");
                    m.hold =
                        (!patron_name.is_empty()).then(|| (patron_name.clone(), *minutes_left));
                }
                UiEvent::Link(link) => {
                    if let LinkState::Connected { station_name, .. } = link {
                        m.station_name.clone_from(station_name);
                    }
                    m.link = Some(link.clone());
                }
                UiEvent::Settings(settings) => m.settings = Some(settings.clone()),
                UiEvent::JournalDamaged { .. }
                | UiEvent::HookFailed(_)
                | UiEvent::Acked { .. }
                | UiEvent::Power { .. } => return,
            }
        }
        self.shared.repaint();
    }

    fn close(&mut self) {
        self.shared.quit();
    }
}

/// The window's title while it is a hidden standby (the lock screen is
/// "Bilik" once active).
pub(super) const STANDBY_TITLE: &str = "Bilik standby";

/// Why the window could not run.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the lock-screen window: {0}")]
pub struct WindowError(String);

/// Runs the window on the calling (main) thread until the agent stops.
/// `repair` is the repair thread, stopped and joined when the window
/// closes.
pub fn run_window(
    shared: Shared,
    repair: Option<std::thread::JoinHandle<()>>,
) -> Result<(), WindowError> {
    let (windowed, standby) = {
        let m = shared.model();
        (m.windowed, m.standby)
    };
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title(if standby { STANDBY_TITLE } else { "Bilik" })
        .with_app_id("bilik-agent");
    viewport = if standby {
        // eframe shows a new window after its first frame (which warms the
        // GL context and the fonts); the standby hides it again on that
        // frame. Tiny and off the screen meanwhile, and never focused.
        viewport
            .with_inner_size([1.0, 1.0])
            .with_position([-64.0, -64.0])
            .with_decorations(false)
            .with_taskbar(false)
            .with_active(false)
    } else if windowed {
        viewport.with_inner_size([1024.0, 700.0])
    } else {
        viewport
            .with_fullscreen(true)
            .with_decorations(false)
            .with_always_on_top()
    };
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "bilik-agent",
        options,
        Box::new(move |cc| {
            let _ = shared.ctx.set(cc.egui_ctx.clone());
            Ok(Box::new(app::LockApp::new(shared, &cc.egui_ctx, repair)))
        }),
    )
    .map_err(|e| WindowError(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::session::SessionView;
    use bilik_proto::v1::RefusalCode;

    fn gui() -> Gui {
        let shared = Shared {
            model: Arc::new(Mutex::new(Model {
                state: UiState::Locked,
                settings: None,
                link: None,
                station_name: String::new(),
                refusal: None,
                attempts: 0,
                warning: None,
                messages: Vec::new(),
                hold: None,
                closing: false,
                language: Lang::Id,
                windowed: true,
                reshape: false,
                corner: crate::config::Corner::TopRight,
                epoch: 0,
                sessions_ended: 0,
                standby: false,
                activated: false,
                logo: None,
            })),
            ctx: Arc::new(OnceLock::new()),
            inputs: Arc::new(OnceLock::new()),
            #[cfg(unix)]
            handles: Arc::new(OnceLock::new()),
            frame_at: Arc::new(Mutex::new(std::time::Instant::now())),
            wake: Arc::default(),
            curtain: Arc::default(),
            frames: Arc::default(),
            frame_size: Arc::default(),
        };
        Gui { shared }
    }

    fn session() -> SessionView {
        SessionView {
            session_id: "s1".into(),
            patron_name: "Andi".into(),
            deadline: tokio::time::Instant::now(),
        }
    }

    #[test]
    fn a_session_that_ends_is_counted_once_whatever_frames_were_drawn() {
        let mut gui = gui();
        gui.show(&UiEvent::State(UiState::Locked));
        assert_eq!(gui.shared.model().sessions_ended, 0);
        gui.show(&UiEvent::State(UiState::InSession(session())));
        gui.show(&UiEvent::State(UiState::Warning {
            session: session(),
            minutes_left: 5,
        }));
        assert_eq!(gui.shared.model().sessions_ended, 0);
        gui.show(&UiEvent::State(UiState::Locked));
        gui.show(&UiEvent::State(UiState::Maintenance));
        assert_eq!(gui.shared.model().sessions_ended, 1);
    }

    #[test]
    fn a_refusal_counts_an_attempt_and_a_session_clears_it() {
        let mut gui = gui();
        gui.show(&UiEvent::Refused(Refusal::Refused(RefusalCode::Expired)));
        gui.show(&UiEvent::Refused(Refusal::NotConnected));
        {
            let m = gui.shared.model();
            assert_eq!(m.attempts, 2);
            assert_eq!(m.refusal, Some(Refusal::NotConnected));
        }
        gui.show(&UiEvent::State(UiState::InSession(session())));
        assert_eq!(gui.shared.model().refusal, None);
    }

    #[test]
    fn a_new_warning_threshold_comes_to_the_front_once() {
        let mut gui = gui();
        let warn = |m| {
            UiEvent::State(UiState::Warning {
                session: session(),
                minutes_left: m,
            })
        };
        gui.show(&warn(5));
        assert_eq!(gui.shared.model().warning.take(), Some(5));
        gui.show(&warn(5));
        assert_eq!(gui.shared.model().warning, None);
        gui.show(&warn(1));
        assert_eq!(gui.shared.model().warning, Some(1));
    }

    #[test]
    fn link_and_messages_are_kept() {
        let mut gui = gui();
        gui.show(&UiEvent::Link(LinkState::Connected {
            station_id: "st1".into(),
            station_name: "PC-07".into(),
        }));
        for i in 0..5 {
            gui.show(&UiEvent::Message {
                text: format!("m{i}"),
                from: "staff".into(),
            });
        }
        let m = gui.shared.model();
        assert_eq!(m.station_name, "PC-07");
        assert_eq!(m.messages.len(), 3);
        assert_eq!(m.messages[0].0, "m2");
        assert!(matches!(m.link, Some(LinkState::Connected { .. })));
    }

    #[test]
    fn start_without_the_window_fails() {
        if SHARED.get().is_none() {
            let (tx, _rx) = mpsc::channel(1);
            assert!(start(tx).is_err());
        }
    }
}
