//! The repair thread: on a timer of its own, whatever eframe is drawing (a
//! hidden window is not drawn at all), it checks the lock window with the X
//! server and repairs it, and writes the status line that is the UI's
//! heartbeat to the service.
//!
//! The thread wakes every [`TICK`] to write that status line, but checks
//! with the X server only when something may have changed: an X event on
//! its own connection ([`Client::watch`]: a top-level window created,
//! mapped, unmapped, moved or restacked, the lock window's own structure,
//! visibility, `_NET_WM_STATE` or focus), a new screen, the last check
//! finding a problem (repairs are checked again on the next tick), and in
//! any case every [`SAFETY`] (a slow safety tick that verifies everything,
//! the grab included, with the X server). An idle lock screen thus costs
//! one full check a second instead of ten; an attack is seen on the tick
//! after its first event, as fast as with a check on every tick.
//!
//! Each check, while locked:
//!
//! - the window must be viewable: if it was unmapped or iconified, it is
//!   mapped again and activated;
//! - it must cover the lock rectangle (the screen, or the main monitor
//!   when there are several): if moved, resized or taken out of full
//!   screen, it is put back (and the window is asked to re-apply its shape);
//! - no viewable window may be stacked above it over that rectangle (a
//!   full-screen "above" window, an override-redirect one, a menu): the
//!   lock is raised and those windows are lowered;
//! - keyboard and pointer must be grabbed: the grab is asked for again on
//!   eframe's connection, and the X server's answer, not a local flag, says
//!   whether it is held;
//! - the window must still be drawing (a hung window thread).
//!
//! In session, the countdown must be viewable: an iconified countdown is
//! mapped again (so it cannot be iconified away), and the grab is let go.
//!
//! The status says whether the lock was verified on this tick, and whether
//! the grab was refused because another client holds it (the service
//! escalates on that sooner). The first problem after a verified state is
//! also reported as tampering.
//!
//! A warm standby (hidden, waiting for the service to activate it) only
//! writes its heartbeat. Activation wakes the thread at once, so the new
//! lock is checked and grabbed without waiting for the next tick.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::Shared;
use super::monitors::{Monitor, lock_rect};
use super::x11::{Client, Observed};
use crate::ui::UiState;
use crate::ui::wire::{FromUi, Screen};

/// Time between two status lines (and the longest an X event waits for
/// its check).
pub(super) const TICK: Duration = Duration::from_millis(100);
/// The longest time between two full checks with the X server when no
/// event asked for one.
const SAFETY: Duration = Duration::from_secs(1);
/// A window that has not drawn for this long while viewable is hung (it
/// draws at least once a second).
const STALLED: Duration = Duration::from_secs(5);
/// The lock counts as drawn this long after its window was last mapped,
/// moved or uncovered, whatever the frames said.
const PAINT_WAIT: Duration = Duration::from_secs(3);
/// How often the monitor list is read again.
const MONITORS_EVERY: Duration = Duration::from_secs(2);

/// The test knob that makes a lock screen slow: with
/// `BILIK_UI_TEST_BUSY_MS=N`, the repair thread of a verified lock spends
/// N ms computing, writing no status, every [`BUSY_EVERY`] (what a lock
/// screen starved of CPU looks like to the service: silent, but running).
/// Set only by the GUI tests; the service passes its environment on.
pub(super) const TEST_BUSY_ENV: &str = "BILIK_UI_TEST_BUSY_MS";
/// How often the busy test knob's stall comes back.
const BUSY_EVERY: Duration = Duration::from_secs(3);

/// The busy stall's length, if [`TEST_BUSY_ENV`] asks for one.
fn test_busy() -> Option<Duration> {
    let ms: u64 = std::env::var(TEST_BUSY_ENV).ok()?.parse().ok()?;
    tracing::warn!(ms, "test knob: the repair thread stalls (busy) every 3 s");
    Some(Duration::from_millis(ms))
}

/// Burns CPU for `time` (the busy test knob).
fn spin(time: Duration) {
    let end = Instant::now() + time;
    while Instant::now() < end {
        std::hint::spin_loop();
    }
}

/// Where the repair thread's status lines go.
#[derive(Debug, Clone)]
pub(super) struct Heartbeat {
    /// Lines to the service.
    pub lines: mpsc::Sender<FromUi>,
    /// The last ping the service sent (echoed in each status).
    pub seq: Arc<AtomicU64>,
}

/// The repair thread's memory between ticks.
#[derive(Debug)]
struct Repairer {
    /// The model and the window handles.
    shared: Shared,
    /// Where status lines go.
    heartbeat: Heartbeat,
    /// The X client, once the window exists.
    client: Option<Client>,
    /// The X server confirmed the grab on the last tick.
    grabbed: bool,
    /// The screen of the last tick.
    screen: Screen,
    /// The model's state-change count at the last tick.
    epoch: u64,
    /// This screen was verified once since it was entered (problems after
    /// that are tampering, before it the window is still settling).
    verified_once: bool,
    /// The last tick had no problem.
    was_ok: bool,
    /// The monitors, and when they were read.
    monitors: Option<(Vec<Monitor>, Instant)>,
    /// On the last tick the X server refused the grab because another
    /// client holds it.
    grab_taken: bool,
    /// On the last tick the service's curtain was over the lock window
    /// (what eframe drew then is hidden: it draws again once it is gone).
    curtain_over: bool,
    /// The lock counts as drawn once two frames began after this frame
    /// count (the first of them was then on screen): set when the window
    /// was mapped, moved, resized or uncovered.
    drawn_after: u64,
    /// The lock rectangle's size on the last check (pixels).
    want_size: (i32, i32),
    /// When the X server was last asked (a full check).
    checked_at: Instant,
    /// When `drawn_after` was last set: after [`PAINT_WAIT`] the lock
    /// counts as drawn whatever the frames said (the curtain must not hold
    /// the grab for ever on a frame size measured a pixel off).
    drawn_at: Instant,
}

/// Starts the repair thread; it ends when the model is closing.
pub(super) fn spawn(
    shared: Shared,
    heartbeat: Heartbeat,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("lock-repair".into())
        .spawn(move || {
            let mut r = Repairer {
                shared,
                heartbeat,
                client: None,
                grabbed: false,
                screen: Screen::Starting,
                epoch: 0,
                verified_once: false,
                was_ok: false,
                monitors: None,
                grab_taken: false,
                curtain_over: false,
                drawn_after: 0,
                want_size: (0, 0),
                drawn_at: Instant::now(),
                checked_at: Instant::now(),
            };
            let busy = test_busy();
            let mut busy_at = None;
            while r.tick() {
                if let Some(busy) = busy
                    && r.verified_once
                {
                    let next = *busy_at.get_or_insert_with(|| Instant::now() + BUSY_EVERY);
                    if Instant::now() >= next {
                        spin(busy);
                        busy_at = Some(Instant::now() + BUSY_EVERY);
                    }
                }
                r.shared.wait_wake(TICK);
            }
        })
}

impl Repairer {
    /// One check; false once the window is closing.
    fn tick(&mut self) -> bool {
        let (state, windowed, closing, epoch, standby) = {
            let m = self.shared.model();
            (m.state.clone(), m.windowed, m.closing, m.epoch, m.standby)
        };
        if closing {
            if let Some(client) = &self.client {
                client.ungrab();
            }
            return false;
        }
        if standby {
            // Hidden until the service activates it: nothing to check, only
            // the heartbeat (a stopped standby is replaced too), and the
            // window's background made ready for when it is shown.
            match &self.client {
                None => {
                    let _ = self.connect();
                }
                // Drained (the events of a hidden window need no look).
                Some(client) => {
                    client.events();
                }
            }
            let status = FromUi::Status {
                seq: self.heartbeat.seq.load(Ordering::Relaxed),
                screen: Screen::Starting,
                verified: false,
                problems: Vec::new(),
                grab_taken: false,
                painted: false,
            };
            return self.heartbeat.lines.send(status).is_ok();
        }
        let screen = match state {
            UiState::Locked | UiState::Maintenance => Screen::Locked,
            UiState::InSession(_) | UiState::Warning { .. } => Screen::Countdown,
        };
        let events = self.client.as_ref().map_or(0, Client::events);
        let changed = screen != self.screen || epoch != self.epoch;
        if changed {
            self.screen = screen;
            self.epoch = epoch;
            self.verified_once = false;
            self.was_ok = false;
            self.redraw();
        }
        let due = changed
            || events > 0
            || !self.was_ok
            || self.client.is_none()
            || self.checked_at.elapsed() >= SAFETY;
        let problems = if windowed || !due {
            // (Not due: nothing changed since a check that found none.)
            Vec::new()
        } else {
            self.checked_at = Instant::now();
            self.check(screen)
        };
        let (screen, verified) = match (&self.client, windowed) {
            (None, false) => (Screen::Starting, false),
            _ => (screen, problems.is_empty()),
        };
        if verified {
            if self.verified_once && !self.was_ok {
                tracing::info!(?screen, "lock-screen window verified again");
            }
            self.verified_once = true;
        } else if self.verified_once && self.was_ok && !self.moved_on() {
            // (A screen that changed during the check is not tampering:
            // the next tick checks the new one.)
            let detail = problems.join("; ");
            tracing::warn!(%detail, "lock-screen window tampered with; repairing");
            let _ = self.heartbeat.lines.send(FromUi::Repaired { detail });
        }
        self.was_ok = verified;
        let (have, want) = (self.shared.frame_size(), self.want_size);
        let painted = self.drawn_at.elapsed() >= PAINT_WAIT
            || (self.shared.frames() >= self.drawn_after + 2
                && (have.0 - want.0).abs() <= 2
                && (have.1 - want.1).abs() <= 2);
        if !painted && !windowed && screen == Screen::Locked {
            self.shared.repaint();
        }
        let status = FromUi::Status {
            painted: painted && screen == Screen::Locked,
            seq: self.heartbeat.seq.load(Ordering::Relaxed),
            screen,
            verified,
            problems,
            grab_taken: self.grab_taken && screen == Screen::Locked,
        };
        self.heartbeat.lines.send(status).is_ok()
    }

    /// Checks (and repairs) the window for `screen`; the problems found.
    fn check(&mut self, screen: Screen) -> Vec<String> {
        self.grab_taken = false;
        if self.client.is_none()
            && let Err(problem) = self.connect()
        {
            return vec![problem];
        }
        let Some(client) = self.client.take() else {
            return Vec::new();
        };
        let problems = match client.observe() {
            None => vec!["the lock window is gone".into()],
            Some(seen) => match screen {
                Screen::Locked => self.check_locked(&client, &seen),
                Screen::Countdown | Screen::Starting => self.check_countdown(&client, &seen),
            },
        };
        self.client = Some(client);
        problems
    }

    /// The window must be drawn again before the lock counts as painted.
    fn redraw(&mut self) {
        self.drawn_after = self.shared.frames();
        self.drawn_at = Instant::now();
        self.shared.repaint();
    }

    /// Opens the repairer's X connection once the window exists, and gives
    /// the window the lock's background (so it shows the lock's colour, not
    /// the desktop or black, before eframe's first frame); the problem if
    /// it cannot.
    fn connect(&mut self) -> Result<(), String> {
        let Some(handles) = self.shared.handles() else {
            return Err("the lock window does not exist yet".into());
        };
        let client =
            Client::open(handles).map_err(|e| format!("no X connection for repairs: {e}"))?;
        client.watch();
        let [r, g, b, _] = super::lock_screen::BACKGROUND.to_array();
        client.set_background([r, g, b]);
        self.client = Some(client);
        Ok(())
    }

    /// Whether the model changed since this tick began (a session began
    /// or ended): what was seen is no longer what the window must be, and
    /// repairing it for the old screen would undo the window's own change
    /// (a countdown made full screen again).
    fn moved_on(&self) -> bool {
        self.shared.model().epoch != self.epoch
    }

    /// The lock screen's checks.
    fn check_locked(&mut self, client: &Client, seen: &Observed) -> Vec<String> {
        let mut problems = Vec::new();
        if self.moved_on() {
            return vec!["the screen changed during the check".to_owned()];
        }
        let monitors = match &self.monitors {
            Some((list, at)) if at.elapsed() < MONITORS_EVERY => list.clone(),
            _ => {
                let list = client.monitors();
                self.monitors = Some((list.clone(), Instant::now()));
                list
            }
        };
        let (want, full_screen) = lock_rect(&monitors, seen.screen);
        self.want_size = (want.width, want.height);
        if !seen.viewable {
            problems.push("the lock window was hidden (unmapped or iconified)".to_owned());
            client.map();
            self.redraw();
        } else {
            if self.moved_on() {
                problems.push("the screen changed during the check".to_owned());
            } else if full_screen && !seen.fullscreen {
                problems.push("the lock window left full screen".to_owned());
                client.cover(want, full_screen);
                self.shared.reshape();
                self.redraw();
            } else if seen.rect != want {
                let r = seen.rect;
                problems.push(format!(
                    "the lock window was moved or resized ({}x{}+{}+{})",
                    r.width, r.height, r.x, r.y
                ));
                client.cover(want, full_screen);
                self.shared.reshape();
                self.redraw();
            }
            let curtain = self.shared.curtain();
            // The service's curtain covered the screen while this window
            // was not yet the verified lock: it is put directly under the
            // lock window (not a problem; it stays over everything else as
            // a backdrop until the service takes it away), and the lock
            // draws again (what it drew under the curtain is lost).
            let curtain_over = curtain != 0 && seen.above.iter().any(|w| w.id == curtain);
            if curtain_over {
                tracing::debug!("the service's curtain is over the lock window: tucked under it");
                client.tuck_under(curtain);
                self.redraw();
            } else if self.curtain_over {
                self.redraw();
            }
            self.curtain_over = curtain_over;
            let intruders: Vec<_> = seen
                .above
                .iter()
                .filter(|w| w.id != curtain && w.rect.intersects(&want))
                .copied()
                .collect();
            if !intruders.is_empty() {
                let overriding = intruders.iter().filter(|w| w.override_redirect).count();
                problems.push(format!(
                    "{} window(s) over the lock window ({overriding} override-redirect)",
                    intruders.len()
                ));
                client.raise_over(&intruders);
                self.redraw();
            }
            if self.shared.frame_age() > STALLED {
                problems.push("the lock window stopped drawing".to_owned());
            }
        }
        let (keyboard, pointer) = client.grab();
        let held = keyboard == x11_dl::xlib::GrabSuccess && pointer == x11_dl::xlib::GrabSuccess;
        let taken = x11_dl::xlib::AlreadyGrabbed;
        self.grab_taken = keyboard == taken || pointer == taken;
        if held && !self.grabbed {
            tracing::info!("keyboard and pointer grabbed");
        } else if !held && self.grabbed {
            tracing::warn!(keyboard, pointer, "keyboard or pointer grab lost");
        }
        self.grabbed = held;
        let not_viewable = x11_dl::xlib::GrabNotViewable;
        if seen.viewable && (keyboard == not_viewable || pointer == not_viewable) {
            // Hidden between the look and the grab (within this tick).
            problems.push("the lock window was hidden (not viewable for the grab)".to_owned());
            client.map();
            self.redraw();
        }
        if !held {
            problems.push(format!(
                "keyboard/pointer grab not held (X answered {keyboard}/{pointer})"
            ));
        }
        problems
    }

    /// The countdown's checks: visible, not grabbing.
    fn check_countdown(&mut self, client: &Client, seen: &Observed) -> Vec<String> {
        self.grab_taken = false;
        if self.grabbed {
            client.ungrab();
            self.grabbed = false;
            tracing::info!("keyboard and pointer released");
        }
        if seen.viewable {
            Vec::new()
        } else {
            client.map();
            vec!["the countdown was hidden (iconified or unmapped)".to_owned()]
        }
    }
}
