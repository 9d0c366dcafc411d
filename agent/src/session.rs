//! The station state machine and its lease timer, on tokio's monotonic clock.
//!
//! ```text
//! Locked --lease--> InSession --first warning--> Warning --deadline--> Locked
//!    ^                  |   extend re-arms warnings still ahead   |
//!    +--- logout / end / new lease / maintenance -----------------+
//! Maintenance: locked, refuses logins; entered from anywhere, left to Locked.
//! ```
//!
//! [`Station`] is pure: every input is a method taking `now` and returning
//! the [`Effect`]s for the driver to carry out, in order. The driver owns the
//! clock and the I/O:
//!
//! ```text
//! loop {
//!     select! {
//!         _ = sleep_until(station.next_timer()), if it is Some => run(station.on_timer(Instant::now())),
//!         input = inputs.recv() => run(station.<input>(..., Instant::now())),
//!     }
//! }
//! ```
//!
//! # Time
//!
//! A lease's deadline is `now + (ends_at_ms - server_time_ms)`, both numbers
//! from the server's clock, taken as a monotonic [`Instant`] at receipt. The
//! wall clock of the PC is never read, so setting it forwards or back changes
//! nothing. Remaining time is clamped to `0 ..= MAX_LEASE`.
//!
//! # Warnings
//!
//! Warnings fire at the configured minutes before the deadline (default 5
//! and 1), each once per deadline. A warning whose moment has already passed
//! when a lease is granted is skipped silently (the patron was just told how
//! long they have), but the station shows the Warning state. An extension
//! re-arms the warnings that are ahead of the new deadline again. When
//! several warnings are due at once (a late timer), only the latest fires.
//!
//! # Effect order
//!
//! Ending a session emits `Show(Locked)` (or `Show(Maintenance)`) *before*
//! `SessionEnded`, so a driver that works in order locks the screen first
//! and journals and runs cleanup hooks after. Starting one emits
//! `SessionStarted` before the `Show` that unlocks, so start hooks can run
//! first. `Show` is emitted only when what should be shown changes (a new
//! deadline counts as a change: the countdown needs it).

use std::time::Duration;

use bilik_proto::v1::{EndReason, Lease, SessionEnded, StationState, agent_event};
use tokio::time::Instant;

/// Minutes before the deadline at which warnings pop up, by default.
pub const DEFAULT_WARNING_MINUTES: [u32; 2] = [5, 1];
/// The longest lease honoured; longer ones are cut to this (a safety net
/// against garbage numbers, far beyond any real opening day).
pub const MAX_LEASE: Duration = Duration::from_secs(24 * 60 * 60);
/// Why a session replaced by a new lease ends: only staff on the server can
/// put a different session on an occupied station (an unlock for someone
/// else, which the server treats as ending the old one), so the agent
/// reports it as the librarian's doing.
pub const REPLACED_REASON: EndReason = EndReason::Librarian;

/// What a lease is refused for, or an input that does not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Without an id the session could never be reported or ended.
    #[error("lease has no session id")]
    MissingSessionId,
    /// Without the server's time the remaining time cannot be known.
    #[error("lease for session {0} has no server time")]
    MissingServerTime(String),
    /// The command names a session this station is not running (stale, or
    /// already ended here); it is ignored.
    #[error("session {got} is not the current one (current: {current:?})")]
    NotCurrent {
        /// The session the command named.
        got: String,
        /// The session running here, if any.
        current: Option<String>,
    },
}

/// A running session, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The server's id of the session.
    pub session_id: String,
    /// Shown on the countdown.
    pub patron_name: String,
    /// When the station locks, on the monotonic clock (the countdown's end).
    pub deadline: Instant,
}

/// What the station should be showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiState {
    /// The lock screen, taking card logins.
    Locked,
    /// A patron's session: the small countdown.
    InSession(SessionView),
    /// A session near its end.
    Warning {
        /// The session.
        session: SessionView,
        /// The latest warning threshold passed, in minutes.
        minutes_left: u32,
    },
    /// Locked for staff work; logins refused.
    Maintenance,
}

/// Something the driver must do, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Switch the screen to this state.
    Show(UiState),
    /// A session began: run the start hooks.
    SessionStarted {
        /// The session that began.
        session_id: String,
    },
    /// Pop up "`minutes_left` minutes left".
    Warn {
        /// The session concerned.
        session_id: String,
        /// The warning's threshold in minutes.
        minutes_left: u32,
    },
    /// A session ended here: journal a `SessionEnded` event, run end hooks.
    SessionEnded {
        /// The session that ended.
        session_id: String,
        /// Why it ended.
        reason: EndReason,
        /// How long it ran (monotonic, including any time before receipt
        /// that the lease's `started_at_ms` accounts for).
        elapsed: Duration,
    },
}

impl Effect {
    /// The event to journal for this effect, if it is one.
    pub fn event_kind(&self) -> Option<agent_event::Kind> {
        match self {
            Self::SessionEnded {
                session_id,
                reason,
                elapsed,
            } => Some(agent_event::Kind::SessionEnded(SessionEnded {
                session_id: session_id.clone(),
                reason: *reason as i32,
                elapsed_ms: Some(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)),
            })),
            _ => None,
        }
    }
}

/// The session being enforced.
#[derive(Debug, Clone)]
struct Active {
    /// The server's id of it.
    session_id: String,
    /// For the countdown.
    patron_name: String,
    /// When it began, monotonic, to report how long it ran.
    started: Instant,
    /// When the station locks.
    deadline: Instant,
    /// How many of the (descending) warning thresholds are behind us, fired
    /// or skipped; the next one to fire is `warnings[passed]`.
    passed: usize,
}

/// What the station is doing.
#[derive(Debug, Clone)]
enum Mode {
    /// Waiting for a login.
    Locked,
    /// A patron is working.
    Active(Active),
    /// Staff work; no logins.
    Maintenance,
}

/// The state machine. See the module docs.
#[derive(Debug, Clone)]
pub struct Station {
    /// Warning thresholds in minutes, descending, distinct, non-zero.
    warnings: Vec<u32>,
    /// What the station is doing.
    mode: Mode,
    /// The UI state last emitted, so `Show` fires only on change. Starts
    /// Locked: the agent locks the screen before anything else.
    shown: UiState,
}

impl Default for Station {
    fn default() -> Self {
        Self::new(&DEFAULT_WARNING_MINUTES)
    }
}

impl Station {
    /// A locked station warning at `warning_minutes` before each deadline
    /// (any order; zeros and repeats dropped).
    pub fn new(warning_minutes: &[u32]) -> Self {
        Self {
            warnings: normalise(warning_minutes),
            mode: Mode::Locked,
            shown: UiState::Locked,
        }
    }

    /// Changes the warning thresholds (new server settings). Thresholds
    /// already passed in a running session are skipped silently.
    pub fn set_warning_minutes(&mut self, minutes: &[u32], now: Instant) -> Vec<Effect> {
        self.warnings = normalise(minutes);
        let warnings = self.warnings.clone();
        if let Mode::Active(a) = &mut self.mode {
            a.passed = passed_count(&warnings, a.deadline, now);
        }
        let mut effects = Vec::new();
        self.sync_ui(&mut effects);
        effects
    }

    /// What should be on screen.
    pub fn ui(&self) -> UiState {
        match &self.mode {
            Mode::Locked => UiState::Locked,
            Mode::Maintenance => UiState::Maintenance,
            Mode::Active(a) => {
                let session = SessionView {
                    session_id: a.session_id.clone(),
                    patron_name: a.patron_name.clone(),
                    deadline: a.deadline,
                };
                match a.passed.checked_sub(1).and_then(|i| self.warnings.get(i)) {
                    None => UiState::InSession(session),
                    Some(&minutes_left) => UiState::Warning {
                        session,
                        minutes_left,
                    },
                }
            }
        }
    }

    /// The state reported in heartbeats.
    pub fn state(&self) -> StationState {
        match self.ui() {
            UiState::Locked => StationState::Locked,
            UiState::InSession(_) => StationState::InSession,
            UiState::Warning { .. } => StationState::Warning,
            UiState::Maintenance => StationState::Maintenance,
        }
    }

    /// The session being enforced, if any (for Hello and heartbeats).
    pub fn session_id(&self) -> Option<&str> {
        match &self.mode {
            Mode::Active(a) => Some(&a.session_id),
            _ => None,
        }
    }

    /// When [`Station::on_timer`] must next be called, if ever.
    pub fn next_timer(&self) -> Option<Instant> {
        let Mode::Active(a) = &self.mode else {
            return None;
        };
        let warning = self
            .warnings
            .get(a.passed)
            .and_then(|m| a.deadline.checked_sub(minutes(*m)));
        Some(warning.map_or(a.deadline, |w| w.min(a.deadline)))
    }

    /// Fires the warnings and the lock that are due at `now`. Calling it
    /// early or twice is harmless.
    pub fn on_timer(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.settle(now, &mut effects);
        effects
    }

    /// A lease from a login or the server's `StartSession`/`Welcome`.
    ///
    /// The same session again only moves the deadline (a reconnect repeats
    /// it). A different session replaces the running one, which ends with
    /// [`REPLACED_REASON`]. A lease in maintenance is honoured and leaves
    /// maintenance: logins are refused there, so a lease can only come from
    /// staff on the server, who decide. A lease already over ends at once
    /// with `TimeUp` (reported, so the server closes it).
    pub fn grant(&mut self, lease: &Lease, now: Instant) -> Result<Vec<Effect>, SessionError> {
        if lease.session_id.is_empty() {
            return Err(SessionError::MissingSessionId);
        }
        let deadline = deadline_from(lease.ends_at_ms, lease.server_time_ms, now)
            .ok_or_else(|| SessionError::MissingServerTime(lease.session_id.clone()))?;
        let mut effects = Vec::new();
        if self.session_id() == Some(lease.session_id.as_str()) {
            self.move_deadline(deadline, now, &mut effects);
            return Ok(effects);
        }
        self.finish(REPLACED_REASON, Mode::Locked, now, &mut effects);
        let ran_before = Duration::from_millis(
            u64::try_from(lease.server_time_ms.saturating_sub(lease.started_at_ms)).unwrap_or(0),
        )
        .min(MAX_LEASE);
        let active = Active {
            session_id: lease.session_id.clone(),
            patron_name: lease.patron_name.clone(),
            started: now.checked_sub(ran_before).unwrap_or(now),
            deadline,
            passed: passed_count(&self.warnings, deadline, now),
        };
        if deadline <= now {
            tracing::info!(session_id = %active.session_id, "lease already over");
            self.mode = Mode::Locked;
            self.sync_ui(&mut effects);
            effects.push(Effect::SessionEnded {
                session_id: active.session_id,
                reason: EndReason::TimeUp,
                elapsed: now.saturating_duration_since(active.started),
            });
            return Ok(effects);
        }
        effects.push(Effect::SessionStarted {
            session_id: active.session_id.clone(),
        });
        self.mode = Mode::Active(active);
        self.sync_ui(&mut effects);
        Ok(effects)
    }

    /// The server's `ExtendSession`: a new end for the running session.
    pub fn extend(
        &mut self,
        session_id: &str,
        ends_at_ms: i64,
        server_time_ms: i64,
        now: Instant,
    ) -> Result<Vec<Effect>, SessionError> {
        self.check_current(session_id)?;
        let deadline = deadline_from(ends_at_ms, server_time_ms, now)
            .ok_or_else(|| SessionError::MissingServerTime(session_id.to_owned()))?;
        let mut effects = Vec::new();
        self.move_deadline(deadline, now, &mut effects);
        Ok(effects)
    }

    /// The server's `EndSession`: lock now. An empty id means whatever
    /// session is running.
    pub fn end(
        &mut self,
        session_id: &str,
        reason: EndReason,
        now: Instant,
    ) -> Result<Vec<Effect>, SessionError> {
        let mut effects = Vec::new();
        if session_id.is_empty() && self.session_id().is_none() {
            return Ok(effects);
        }
        if !session_id.is_empty() {
            self.check_current(session_id)?;
        }
        self.finish(reason, Mode::Locked, now, &mut effects);
        Ok(effects)
    }

    /// The patron pressed "Log out".
    pub fn logout(&mut self, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.finish(EndReason::Logout, Mode::Locked, now, &mut effects);
        effects
    }

    /// The server's `SetMaintenance` (or `Welcome.maintenance`). On ends a
    /// running session with reason `Maintenance`; off goes back to Locked.
    pub fn set_maintenance(&mut self, on: bool, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        match (&self.mode, on) {
            (Mode::Active(_), true) => {
                self.finish(EndReason::Maintenance, Mode::Maintenance, now, &mut effects);
            }
            (Mode::Locked, true) => self.mode = Mode::Maintenance,
            (Mode::Maintenance, false) => self.mode = Mode::Locked,
            _ => {}
        }
        self.sync_ui(&mut effects);
        effects
    }

    /// Errs unless `session_id` is the running session.
    fn check_current(&self, session_id: &str) -> Result<(), SessionError> {
        match self.session_id() {
            Some(current) if current == session_id => Ok(()),
            current => Err(SessionError::NotCurrent {
                got: session_id.to_owned(),
                current: current.map(str::to_owned),
            }),
        }
    }

    /// Ends the running session, if any: switch to `then`, show it, report.
    fn finish(&mut self, reason: EndReason, then: Mode, now: Instant, effects: &mut Vec<Effect>) {
        let Mode::Active(a) = &self.mode else {
            return;
        };
        let ended = Effect::SessionEnded {
            session_id: a.session_id.clone(),
            reason,
            elapsed: now.saturating_duration_since(a.started),
        };
        tracing::info!(session_id = %a.session_id, ?reason, "session ended");
        self.mode = then;
        self.sync_ui(effects);
        effects.push(ended);
    }

    /// Gives the running session a new deadline: warnings ahead of it are
    /// re-armed, and `settle` warns for any newly passed (a shortened
    /// session) or locks if it is already over.
    fn move_deadline(&mut self, deadline: Instant, now: Instant, effects: &mut Vec<Effect>) {
        if let Mode::Active(a) = &mut self.mode {
            a.deadline = deadline;
            a.passed = a.passed.min(passed_count(&self.warnings, deadline, now));
        }
        self.settle(now, effects);
    }

    /// Locks at the deadline, or fires the latest newly passed warning.
    fn settle(&mut self, now: Instant, effects: &mut Vec<Effect>) {
        let Mode::Active(a) = &mut self.mode else {
            return;
        };
        if a.deadline <= now {
            self.finish(EndReason::TimeUp, Mode::Locked, now, effects);
            return;
        }
        let passed = passed_count(&self.warnings, a.deadline, now);
        if passed > a.passed
            && let Some(&minutes_left) = self.warnings.get(passed - 1)
        {
            effects.push(Effect::Warn {
                session_id: a.session_id.clone(),
                minutes_left,
            });
        }
        a.passed = passed;
        self.sync_ui(effects);
    }

    /// Emits `Show` if what should be shown is not what was last shown.
    fn sync_ui(&mut self, effects: &mut Vec<Effect>) {
        let ui = self.ui();
        if ui != self.shown {
            self.shown = ui.clone();
            effects.push(Effect::Show(ui));
        }
    }
}

/// `m` minutes.
fn minutes(m: u32) -> Duration {
    Duration::from_secs(u64::from(m) * 60)
}

/// Descending, distinct, non-zero thresholds.
fn normalise(minutes: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = minutes.iter().copied().filter(|m| *m > 0).collect();
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    out
}

/// How many of the descending `warnings` are due by `now` for `deadline`.
/// They pass in order, so the passed ones are always a prefix.
fn passed_count(warnings: &[u32], deadline: Instant, now: Instant) -> usize {
    let remaining = deadline.saturating_duration_since(now);
    warnings
        .iter()
        .take_while(|m| remaining <= minutes(**m))
        .count()
}

/// The monotonic deadline for a lease ending at `ends_at_ms` by a server
/// whose clock read `server_time_ms` when it sent it; `None` without a
/// server time.
fn deadline_from(ends_at_ms: i64, server_time_ms: i64, now: Instant) -> Option<Instant> {
    if server_time_ms <= 0 {
        return None;
    }
    let remaining_ms = u64::try_from(ends_at_ms.saturating_sub(server_time_ms)).unwrap_or(0);
    let remaining = Duration::from_millis(remaining_ms).min(MAX_LEASE);
    // Cannot overflow with the cap; were it to, lock now rather than never.
    Some(now.checked_add(remaining).unwrap_or(now))
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
