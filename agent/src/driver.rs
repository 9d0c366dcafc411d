//! The driver: the one task that owns the station's state and talks to
//! everything else over channels (in the style of tokio-console's
//! aggregator). It owns the session machine ([`Station`]), the journal, the
//! front-end, and the ends of the link task, the hook runner and the login
//! calls it starts; nothing else touches them.
//!
//! ```text
//!             UiInput (login, logout)            LinkEvent (up, commands, acks)
//! front-end ----------------------> driver <------------------------------ link task
//!           <---------------------- |  |   ------------------------------>
//!             UiEvent (state, ...)  |  |     events to send; published state (watch)
//!                                   |  +--> hook runner (jobs in order) --> HookReport
//!                                   +-----> login calls (spawned)       --> LoginDone
//! ```
//!
//! What comes from the server (the Welcome, pushed commands, acks) is
//! handled in `driver/server.rs`; card logins are calls in [`crate::login`].
//!
//! # Order of work at a session end
//!
//! Lease end, logout, the server's end command, maintenance: the machine's
//! effects are carried out in order, so the screen locks first, then the
//! `SessionEnded` event is journaled (fsync) and handed to the link, then
//! the end hooks are queued. A failing or hanging hook is only reported
//! (`HookFailed`, journaled): the screen is already locked.
//!
//! # Unlocking waits for hooks
//!
//! While hook jobs are queued or running, the screen stays locked even if a
//! session has begun: the last patron's cleanup finishes (or times out)
//! before the next patron sees the desktop, and start hooks run before the
//! unlock. Hooks have timeouts, so this wait is bounded.
//!
//! # Reconciling with the server
//!
//! On every `Up` the Welcome is applied (settings, maintenance, the lease
//! the server still holds) and every pending journal event is handed to the
//! link again. A lease for a session this station has already ended (say,
//! a logout while the server was down) is ignored: the journaled
//! `SessionEnded` that follows closes it on the server. A Welcome without a
//! lease while a session runs here means the server closed it meanwhile
//! (a librarian, or its own lease sweep): the station locks.
//!
//! # Shutdown
//!
//! On SIGINT/SIGTERM a running session ends (`station_restarted`, at the
//! real time rather than whenever the agent comes back), the end hooks run,
//! and the driver waits briefly for the server to acknowledge pending
//! events before the link closes.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bilik_proto::v1::{
    AgentEvent, EndReason, HookFailed, Lease, LoginRequest, RefusalCode, Settings, StationState,
    Tamper, agent_event,
};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::config::Config;
use crate::hook_runner::{HookJob, HookReport, HookRunner, Phase};
use crate::hooks::HookSpec;
use crate::journal::{self, Journal, JournalDamage};
use crate::link::{LinkEvent, LinkHandle, Reported, StationRpc};
use crate::session::{DEFAULT_WARNING_MINUTES, Effect, Station, UiState};
use crate::ui::{FrontEnd, Refusal, UiEvent, UiInput};

/// How long a card login may take before the patron is told the server
/// cannot be reached.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);
/// While connected, pending events are sent again this often (in case the
/// server failed to apply one without dropping the link).
pub const RESEND_EVERY: Duration = Duration::from_secs(30);
/// At shutdown, how long to wait for the server to acknowledge events.
pub const SHUTDOWN_ACK_GRACE: Duration = Duration::from_secs(2);
/// At shutdown, the longest wait for end hooks.
pub const SHUTDOWN_HOOKS_MAX: Duration = Duration::from_secs(60);
/// Sessions ended here that are remembered, to ignore stale leases.
const ENDED_MEMORY: usize = 32;

/// What the driver needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct DriverConfig {
    /// Local warning thresholds; `None` follows the server.
    pub warning_minutes: Option<Vec<u32>>,
    /// Run when a session starts.
    pub start_hooks: Vec<HookSpec>,
    /// Run when a session ends.
    pub end_hooks: Vec<HookSpec>,
    /// Run for the server's restart command.
    pub power_restart: Option<HookSpec>,
    /// Run for the server's shutdown command.
    pub power_shutdown: Option<HookSpec>,
}

impl From<&Config> for DriverConfig {
    fn from(c: &Config) -> DriverConfig {
        DriverConfig {
            warning_minutes: c.warning_minutes.clone(),
            start_hooks: c.session_start_hooks.clone(),
            end_hooks: c.session_end_hooks.clone(),
            power_restart: c.power_restart.clone(),
            power_shutdown: c.power_shutdown.clone(),
        }
    }
}

/// Everything the driver is built from.
#[derive(Debug)]
pub struct Parts {
    /// Hooks, power commands, warnings.
    pub config: DriverConfig,
    /// The opened journal.
    pub journal: Journal,
    /// What opening the journal found wrong, to report.
    pub damage: Option<JournalDamage>,
    /// The link task's handle.
    pub link: LinkHandle,
    /// What the link reports.
    pub link_events: mpsc::Receiver<LinkEvent>,
    /// Where the driver publishes the state for Hello and heartbeats.
    pub status: watch::Sender<Reported>,
    /// The front-end, already showing the lock screen.
    pub frontend: Box<dyn FrontEnd>,
    /// What the patron does.
    pub inputs: mpsc::Receiver<UiInput>,
}

/// How a card login call ended.
#[derive(Debug)]
struct LoginDone {
    /// The lease, or why there is none (in the server's terms).
    outcome: Result<Lease, crate::login::LoginFailed>,
    /// When the answer arrived (the lease's deadline counts from here).
    at: Instant,
}

/// The driver. See the module docs.
pub struct Driver {
    /// Hooks, power commands, warnings.
    config: DriverConfig,
    /// The session machine.
    station: Station,
    /// The durable outbox; shared only with `spawn_blocking` closures.
    journal: Arc<Mutex<Journal>>,
    /// Damage found at open, reported when the loop starts.
    damage: Option<JournalDamage>,
    /// The link task.
    link: LinkHandle,
    /// What the link reports.
    link_events: mpsc::Receiver<LinkEvent>,
    /// State published for Hello and heartbeats.
    status: watch::Sender<Reported>,
    /// What the patron sees.
    frontend: Box<dyn FrontEnd>,
    /// What the patron does.
    inputs: mpsc::Receiver<UiInput>,
    /// Login calls report here.
    logins_tx: mpsc::Sender<LoginDone>,
    /// Login results.
    logins: mpsc::Receiver<LoginDone>,
    /// Runs hook jobs in order.
    hooks: HookRunner,
    /// What the hook runner reports.
    hook_reports: mpsc::UnboundedReceiver<HookReport>,
    /// Hook jobs queued or running: the screen stays locked meanwhile.
    hooks_busy: usize,
    /// For Login while connected.
    rpc: Option<StationRpc>,
    /// Whether the link is up.
    connected: bool,
    /// The server's settings from the last Welcome.
    settings: Settings,
    /// This station's name, for hooks' environment.
    station_name: String,
    /// A login call is under way (one at a time).
    login_in_flight: bool,
    /// Sessions ended here, newest last: their leases are not honoured again.
    ended_here: VecDeque<String>,
    /// What the front-end was last told to show. Starts Locked: the caller
    /// shows the lock screen before it starts the link (fail closed).
    shown: UiState,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("station", &self.station)
            .field("connected", &self.connected)
            .field("hooks_busy", &self.hooks_busy)
            .finish_non_exhaustive()
    }
}

impl Driver {
    /// A driver over `parts` (needs a Tokio runtime: it starts the hook
    /// runner).
    pub fn new(parts: Parts) -> Driver {
        let Parts {
            config,
            journal,
            damage,
            link,
            link_events,
            status,
            frontend,
            inputs,
        } = parts;
        let warnings = config
            .warning_minutes
            .clone()
            .unwrap_or_else(|| DEFAULT_WARNING_MINUTES.to_vec());
        let (logins_tx, logins) = mpsc::channel(4);
        let (reports_tx, hook_reports) = mpsc::unbounded_channel();
        Driver {
            config,
            station: Station::new(&warnings),
            journal: Arc::new(Mutex::new(journal)),
            damage,
            link,
            link_events,
            status,
            frontend,
            inputs,
            logins_tx,
            logins,
            hooks: HookRunner::spawn(reports_tx),
            hook_reports,
            hooks_busy: 0,
            rpc: None,
            connected: false,
            settings: Settings::default(),
            station_name: String::new(),
            login_in_flight: false,
            ended_here: VecDeque::new(),
            shown: UiState::Locked,
        }
    }

    /// Runs until `shutdown` resolves, then shuts down gracefully.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        if let Some(damage) = self.damage.take() {
            let detail = damage.to_string();
            self.frontend.show(&UiEvent::JournalDamaged {
                detail: detail.clone(),
            });
            self.record(agent_event::Kind::Tamper(Tamper { detail }))
                .await;
        }
        let mut resend = tokio::time::interval_at(Instant::now() + RESEND_EVERY, RESEND_EVERY);
        resend.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let timer = self.station.next_timer();
            let lease_timer = async move {
                match timer {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = lease_timer => {
                    let effects = self.station.on_timer(Instant::now());
                    self.apply(effects).await;
                }
                Some(event) = self.link_events.recv() => self.on_link(event).await,
                Some(input) = self.inputs.recv() => self.on_input(input).await,
                Some(done) = self.logins.recv() => self.on_login(done).await,
                Some(report) = self.hook_reports.recv() => self.on_hook_report(report).await,
                _ = resend.tick() => self.resend_pending().await,
            }
        }
        self.finish().await;
    }

    /// Carries out the machine's effects in order.
    async fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            let event = effect.event_kind();
            match effect {
                Effect::Show(ui) => self.show_screen(ui),
                Effect::SessionStarted { session_id } => {
                    let env = self.hook_env(&session_id, None);
                    let hooks = self.config.start_hooks.clone();
                    self.submit(Phase::SessionStart, hooks, env);
                }
                Effect::Warn {
                    session_id,
                    minutes_left,
                } => self.frontend.show(&UiEvent::Warning {
                    session_id,
                    minutes_left,
                }),
                Effect::SessionEnded {
                    session_id, reason, ..
                } => {
                    self.remember_ended(&session_id);
                    if let Some(kind) = event {
                        self.record(kind).await;
                    }
                    let env = self.hook_env(&session_id, Some(reason));
                    let hooks = self.config.end_hooks.clone();
                    self.submit(Phase::SessionEnd, hooks, env);
                }
            }
        }
        self.refresh_screen();
        self.publish();
    }

    /// Shows what the machine shows now (after hooks finished, say).
    fn refresh_screen(&mut self) {
        self.show_screen(self.station.ui());
    }

    /// Tells the front-end to show `want`, if that is a change. An unlocked
    /// state waits while hooks run. (`want` comes from the effect being
    /// carried out, not the machine's final state: within one batch a
    /// replaced session locks before the next one starts.)
    fn show_screen(&mut self, mut want: UiState) {
        if self.hooks_busy > 0 && matches!(want, UiState::InSession(_) | UiState::Warning { .. }) {
            want = UiState::Locked;
        }
        if want != self.shown {
            // The state's name only: the patron's name stays out of logs.
            let screen = match &want {
                UiState::Locked => "Locked",
                UiState::InSession(_) => "InSession",
                UiState::Warning { .. } => "Warning",
                UiState::Maintenance => "Maintenance",
            };
            tracing::info!(%screen, "screen changed");
            self.frontend.show(&UiEvent::State(want.clone()));
            self.shown = want;
        }
    }

    /// Publishes the state for heartbeats (the link sends one on a change).
    fn publish(&self) {
        let now = Reported {
            state: self.station.state(),
            session_id: self.station.session_id().unwrap_or_default().to_owned(),
        };
        self.status.send_if_modified(|r| {
            let changed = *r != now;
            *r = now;
            changed
        });
    }

    /// Journals an event durably, then hands it to the link.
    async fn record(&mut self, kind: agent_event::Kind) {
        let event = journal::new_event(kind);
        let copy = event.clone();
        if let Some(Err(e)) = self.with_journal(move |j| j.append(copy)).await {
            tracing::error!(error = %e, "event not journaled; sending it anyway");
        }
        self.link.send(vec![event]);
    }

    /// Runs `f` on the journal off the runtime (each write is an fsync).
    async fn with_journal<R: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Journal) -> R + Send + 'static,
    ) -> Option<R> {
        let journal = self.journal.clone();
        let done = tokio::task::spawn_blocking(move || {
            let mut journal = journal
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut journal)
        })
        .await;
        match done {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::error!(error = %e, "journal operation failed");
                None
            }
        }
    }

    /// Every event not yet acknowledged.
    async fn pending(&mut self) -> Vec<AgentEvent> {
        self.with_journal(|j| j.pending()).await.unwrap_or_default()
    }

    /// Sends pending events again while connected.
    async fn resend_pending(&mut self) {
        if self.connected {
            let pending = self.pending().await;
            if !pending.is_empty() {
                tracing::debug!(count = pending.len(), "resending unacknowledged events");
                self.link.send(pending);
            }
        }
    }

    /// Queues hooks (if there are any).
    fn submit(&mut self, phase: Phase, hooks: Vec<HookSpec>, env: Vec<(String, String)>) {
        if hooks.is_empty() {
            return;
        }
        self.hooks_busy += 1;
        if !self.hooks.submit(HookJob { phase, hooks, env }) {
            tracing::error!("the hook runner has stopped");
            self.hooks_busy -= 1;
        }
    }

    /// The environment a hook gets.
    fn hook_env(&self, session_id: &str, reason: Option<EndReason>) -> Vec<(String, String)> {
        let mut env = vec![
            ("BILIK_SESSION_ID".to_owned(), session_id.to_owned()),
            ("BILIK_STATION".to_owned(), self.station_name.clone()),
        ];
        if let Some(reason) = reason {
            let name = reason.as_str_name().trim_start_matches("END_REASON_");
            env.push(("BILIK_END_REASON".to_owned(), name.to_owned()));
        }
        env
    }

    /// Remembers a session ended here.
    fn remember_ended(&mut self, session_id: &str) {
        if self.ended_here.len() == ENDED_MEMORY {
            self.ended_here.pop_front();
        }
        self.ended_here.push_back(session_id.to_owned());
    }

    /// Honours a lease (login, librarian unlock, Welcome) received at `at`.
    async fn grant(&mut self, lease: &Lease, at: Instant) {
        if self.ended_here.iter().any(|id| *id == lease.session_id) {
            tracing::info!(session_id = %lease.session_id, "lease for a session ended here: ignored");
            return;
        }
        match self.station.grant(lease, at) {
            Ok(effects) => self.apply(effects).await,
            Err(e) => tracing::warn!(error = %e, "lease refused"),
        }
    }

    /// What the patron did.
    async fn on_input(&mut self, input: UiInput) {
        match input {
            UiInput::Login {
                card,
                pin,
                purpose,
                rules_accepted,
            } => self.login(card, pin, purpose, rules_accepted),
            UiInput::Logout => {
                let effects = self.station.logout(Instant::now());
                self.apply(effects).await;
            }
            UiInput::Tamper {
                detail,
                end_session,
            } => {
                tracing::warn!(%detail, end_session, "front-end reports tampering");
                self.record(agent_event::Kind::Tamper(Tamper { detail }))
                    .await;
                if end_session
                    && self.station.session_id().is_some()
                    && let Ok(effects) =
                        self.station
                            .end("", EndReason::StationRestarted, Instant::now())
                {
                    tracing::warn!("the session is taken away: the lock screen was tampered with");
                    self.apply(effects).await;
                }
            }
        }
    }

    /// Starts a card login call, unless the station's state refuses it.
    fn login(&mut self, card: String, pin: String, purpose: String, rules_accepted: bool) {
        let refused = if self.login_in_flight {
            Some(Refusal::InProgress)
        } else {
            match self.station.state() {
                StationState::Maintenance => Some(Refusal::Refused(RefusalCode::Maintenance)),
                StationState::InSession | StationState::Warning => {
                    Some(Refusal::Refused(RefusalCode::StationBusy))
                }
                _ if self.rpc.is_none() => Some(Refusal::NotConnected),
                _ => None,
            }
        };
        if let Some(refusal) = refused {
            tracing::info!(code = %refusal.code(), "login refused here");
            self.frontend.show(&UiEvent::Refused(refusal));
            return;
        }
        let Some(mut rpc) = self.rpc.clone() else {
            return;
        };
        let purpose = if purpose.trim().is_empty() {
            self.settings.purposes.first().cloned().unwrap_or_default()
        } else {
            purpose
        };
        let request = LoginRequest {
            card,
            pin,
            purpose,
            rules_version: if rules_accepted {
                self.settings.rules_version.clone()
            } else {
                String::new()
            },
        };
        self.login_in_flight = true;
        let tx = self.logins_tx.clone();
        tokio::spawn(async move {
            let outcome = crate::login::call(&mut rpc, request, LOGIN_TIMEOUT).await;
            let _ = tx
                .send(LoginDone {
                    outcome,
                    at: Instant::now(),
                })
                .await;
        });
    }

    /// A login call's answer.
    async fn on_login(&mut self, done: LoginDone) {
        self.login_in_flight = false;
        match done.outcome {
            Ok(lease) => {
                tracing::info!(session_id = %lease.session_id, minutes = lease.minutes, "login granted");
                self.grant(&lease, done.at).await;
            }
            Err(failed) => {
                let refusal = match failed {
                    crate::login::LoginFailed::Refused(r) => Refusal::from_server(&r),
                    crate::login::LoginFailed::NotConnected => Refusal::NotConnected,
                    crate::login::LoginFailed::ServerError => Refusal::ServerError,
                };
                tracing::info!(code = %refusal.code(), "login refused");
                self.frontend.show(&UiEvent::Refused(refusal));
            }
        }
    }

    /// A hook finished, or a job did.
    async fn on_hook_report(&mut self, report: HookReport) {
        match report {
            HookReport::Ran { hook, outcome, .. } => {
                if let Some(failure) = outcome.to_failure(&hook) {
                    self.hook_failed(failure).await;
                }
            }
            HookReport::Done { phase, all_ok } => {
                self.hooks_busy = self.hooks_busy.saturating_sub(1);
                if let Phase::Power(action) = phase {
                    self.frontend.show(&UiEvent::Power {
                        action,
                        ran: all_ok,
                    });
                }
                self.refresh_screen();
            }
        }
    }

    /// Reports a failed hook to the front-end and (journaled) the server.
    async fn hook_failed(&mut self, failure: HookFailed) {
        self.frontend.show(&UiEvent::HookFailed(failure.clone()));
        self.record(agent_event::Kind::HookFailed(failure)).await;
    }

    /// Graceful shutdown: end the session, let hooks and acks finish
    /// (bounded), close the link and the front-end.
    async fn finish(mut self) {
        let start = Instant::now();
        tracing::info!("shutting down");
        if self.station.session_id().is_some()
            && let Ok(effects) = self.station.end("", EndReason::StationRestarted, start)
        {
            self.apply(effects).await;
        }
        let hooks_until = start + SHUTDOWN_HOOKS_MAX;
        let acks_until = start + SHUTDOWN_ACK_GRACE;
        loop {
            let now = Instant::now();
            let pending = if self.connected {
                self.with_journal(|j| j.pending_count()).await.unwrap_or(0)
            } else {
                0
            };
            let wait_hooks = self.hooks_busy > 0 && now < hooks_until;
            let wait_acks = pending > 0 && now < acks_until;
            if !wait_hooks && !wait_acks {
                break;
            }
            let until = if wait_hooks { hooks_until } else { acks_until };
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                Some(event) = self.link_events.recv() => match event {
                    LinkEvent::Ack(ids) => self.on_ack(ids).await,
                    LinkEvent::State(_) => self.connected = false,
                    LinkEvent::Up { .. } | LinkEvent::Command(_) => {}
                },
                Some(report) = self.hook_reports.recv() => self.on_hook_report(report).await,
            }
        }
        let Driver {
            link, mut frontend, ..
        } = self;
        link.stop().await;
        frontend.close();
        tracing::info!("stopped");
    }
}

mod server;

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
