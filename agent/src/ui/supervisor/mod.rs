//! The service's side of the lock screen (`--ui gui`): the lock-screen
//! window runs in a process of its own (`bilik-agent ui`, unprivileged, in
//! the patron's X session); this front-end starts it, talks to it over a
//! Unix socket ([`super::wire`]) and watches it.
//!
//! ```text
//! driver --UiEvent--> Supervisor --Show--> watch task --socket--> bilik-agent ui
//!        <--UiInput--------------------------------- (login, logout, tamper)
//! ```
//!
//! The watch task owns the UI process. It starts it (one-time token on its
//! stdin), accepts its connection, replays what the screen must show, pings
//! it every heartbeat and judges its status lines (`judge`). When the UI
//! exits, stops answering or cannot restore a verified lock, the task
//! reports tampering to the driver (journaled, sent to the server; a running
//! session is ended) and starts a new UI; when no verified lock comes back
//! within `lock.restore_ms`, it runs `lock.escalate` (end the patron's
//! graphical session). The decision "locked or not" stays with the driver:
//! a UI that is dead, hidden or stopped changes nothing about it.
//!
//! While the station is due locked and no UI has a verified lock, the
//! service's own curtain (`curtain`) covers the screen: what a patron sees
//! between a killed lock screen and its replacement's first frame is the
//! curtain, never the desktop.

mod curtain;
mod judge;
mod liveness;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::wire::{self, FromUi, ToUi, WireEvent};
use super::{FrontEnd, UiError, UiEvent, UiInput, UiState};
use crate::config::{Config, LockConfig};
use crate::hooks::HookSpec;
use curtain::Curtain;
use judge::{Judge, Verdict};

/// The socket's file name in the state directory, by default.
pub const SOCKET_NAME: &str = "ui.sock";
/// The environment variable that tells the UI where the socket is.
pub const SOCKET_ENV: &str = "BILIK_UI_SOCKET";
/// A new standby is started this long after the last one took over.
const STANDBY_AFTER: Duration = Duration::from_millis(500);
/// A lock screen that verified its lock and lost it is left this long to
/// repair it before the curtain covers the screen (its own repairs take
/// ~0.1-0.3 s; the curtain coming down makes it draw a whole frame again).
const CURTAIN_GRACE: Duration = Duration::from_millis(400);
/// Lines queued for a UI that does not read them: more means it is stuck.
const QUEUE: usize = 256;

/// What the driver's side hands the watch task.
#[derive(Debug)]
enum ToWatch {
    /// Show this (and remember it for a new UI).
    Show(UiEvent),
    /// The agent is stopping.
    Close,
}

/// The front-end the driver writes to.
#[derive(Debug)]
pub struct Supervisor {
    /// To the watch task.
    tx: mpsc::UnboundedSender<ToWatch>,
}

impl FrontEnd for Supervisor {
    fn show(&mut self, event: &UiEvent) {
        let _ = self.tx.send(ToWatch::Show(event.clone()));
    }

    fn close(&mut self) {
        let _ = self.tx.send(ToWatch::Close);
    }
}

/// Binds the socket and starts the watch task (which starts the UI).
pub fn start(config: &Config, inputs: mpsc::Sender<UiInput>) -> Result<Supervisor, UiError> {
    let io = |source| UiError::Io {
        front_end: "gui",
        source,
    };
    let path = config
        .lock
        .socket
        .clone()
        .unwrap_or_else(|| config.state_dir.join(SOCKET_NAME));
    let listener = bind(&path).map_err(io)?;
    tracing::info!(socket = %path.display(), "lock-screen socket ready");
    if let Some(logo) = &config.lock.logo
        && let Err(e) = super::logo::load(logo)
    {
        tracing::error!(error = %e, "the lock screen will show without the library's logo");
    }
    let windowed = matches!(
        config.ui,
        crate::config::FrontEndKind::Gui { windowed: true }
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let curtain = if windowed { None } else { Curtain::start() };
    let watch = Watch {
        curtain,
        judge: Judge::new(&config.lock),
        lock: config.lock.clone(),
        socket: path,
        language: config.language,
        windowed,
        inputs,
        state: UiState::Locked,
        settings: None,
        link: None,
        hold: None,
        child: None,
        generation: 0,
        conn: None,
        pending: Vec::new(),
        next_conn: 0,
        seq: 0,
        failures: 0,
        spawn_at: Instant::now(),
        standby: None,
        standby_conn: None,
        standby_heard: None,
        standby_at: Instant::now(),
    };
    tokio::spawn(watch.run(listener, rx));
    Ok(Supervisor { tx })
}

/// Binds `path` (a stale socket is replaced; anything else is refused).
/// Mode 0666: the patron's UI connects; only the process holding the
/// one-time token is listened to.
fn bind(path: &std::path::Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if meta.file_type().is_socket() {
            std::fs::remove_file(path)?;
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a socket", path.display()),
            ));
        }
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
    Ok(listener)
}

/// The running UI process.
#[derive(Debug)]
struct Child {
    /// Counts UI processes started, to match exit reports.
    generation: u64,
    /// Its process id (and process group: it leads one).
    pid: u32,
    /// What it must say in its hello.
    token: String,
    /// We killed it (the report was made then).
    killed: bool,
}

/// The UI's authenticated connection.
#[derive(Debug)]
struct Conn {
    /// Which connection.
    id: u64,
    /// Lines to write to it.
    tx: mpsc::Sender<String>,
}

/// What the connection and process tasks report.
#[derive(Debug)]
enum Report {
    /// A line from connection `id` (`None`: it closed).
    Line(u64, Option<FromUi>),
    /// UI process `generation` exited.
    Exited(u64, String),
}

/// The watch task. See the module docs.
#[derive(Debug)]
struct Watch {
    /// Judges the UI's liveness and lock.
    judge: Judge,
    /// `[lock]`.
    lock: LockConfig,
    /// Where the UI connects.
    socket: PathBuf,
    /// The language the lock screen starts in.
    language: bilik_proto::catalog::Lang,
    /// Developer mode: no grabs, no verification.
    windowed: bool,
    /// The driver's input channel.
    inputs: mpsc::Sender<UiInput>,
    /// What the screen must show now (replayed to a new UI).
    state: UiState,
    /// The last settings (replayed).
    settings: Option<UiEvent>,
    /// The last link state (replayed).
    link: Option<UiEvent>,
    /// The last waiting-queue hold (replayed to a restarted lock screen).
    hold: Option<UiEvent>,
    /// The UI process, if one runs.
    child: Option<Child>,
    /// UI processes started so far.
    generation: u64,
    /// The authenticated connection.
    conn: Option<Conn>,
    /// Connections that have not said hello yet.
    pending: Vec<Conn>,
    /// Connections accepted so far.
    next_conn: u64,
    /// The ping counter.
    seq: u64,
    /// UI starts that failed in a row (spacing the next start).
    failures: u32,
    /// No UI is started before this.
    spawn_at: Instant,
    /// The warm standby UI process, if one runs (`lock.standby`).
    standby: Option<Child>,
    /// Its authenticated connection.
    standby_conn: Option<Conn>,
    /// When the standby was started, and last heard from.
    standby_heard: Option<Instant>,
    /// No standby is started before this (a new one starting beside a UI
    /// that is drawing its first frames would slow them down).
    standby_at: Instant,
    /// The service's curtain over the screen (`None`: no X display, or
    /// the developer's windowed mode).
    curtain: Option<Curtain>,
}

impl Watch {
    /// Runs until the driver closes the front-end.
    async fn run(mut self, listener: UnixListener, mut rx: mpsc::UnboundedReceiver<ToWatch>) {
        let (reports_tx, mut reports) = mpsc::channel::<Report>(64);
        let mut tick = tokio::time::interval(self.lock.heartbeat);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(ToWatch::Show(event)) => self.show(event),
                    Some(ToWatch::Close) | None => break,
                },
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => self.accept(stream, reports_tx.clone()),
                    Err(e) => tracing::warn!(error = %e, "lock-screen socket accept failed"),
                },
                Some(report) = reports.recv() => {
                    self.on_report(report).await;
                    // A UI that is gone is replaced at once, not on the next
                    // tick: by the standby if one is ready.
                    if self.child.is_none() && !self.promote() && Instant::now() >= self.spawn_at {
                        self.spawn(reports_tx.clone());
                    }
                }
                _ = tick.tick() => self.on_tick(reports_tx.clone()).await,
            }
            self.curtain();
        }
        self.kill("the agent is stopping");
        self.kill_standby("the agent is stopping");
        let _ = std::fs::remove_file(&self.socket);
    }

    /// Raises the curtain while the station is due locked and no UI has a
    /// verified lock (holding keyboard and pointer while no UI is
    /// connected to take them); lowers it once one has.
    fn curtain(&mut self) {
        let due_locked = matches!(self.state, UiState::Locked | UiState::Maintenance);
        let up = due_locked
            && (self.conn.is_none() || self.judge.needs_curtain(Instant::now(), CURTAIN_GRACE));
        let lines = if up { self.curtain_lines() } else { Vec::new() };
        // Held while no lock screen is connected, and until a new one has
        // drawn its lock (it grabs then); not against one that had
        // verified its lock and is repairing it (it must grab again).
        let grab = up
            && (self.conn.is_none()
                || (!self.judge.child_verified() && !self.judge.lock_painted(Instant::now())));
        let top = up && self.conn.is_none();
        if let Some(curtain) = &mut self.curtain {
            curtain.set(curtain::Want {
                up,
                grab,
                top,
                lines,
            });
        }
    }

    /// The curtain's text: the library's name and "this computer is locked".
    fn curtain_lines(&self) -> Vec<String> {
        use bilik_proto::catalog::lock_screen as t;
        let library = match &self.settings {
            Some(UiEvent::Settings(s)) if !s.library_name.trim().is_empty() => {
                s.library_name.clone()
            }
            _ => t::LIBRARY_FALLBACK.get(self.language).to_owned(),
        };
        vec![library, t::CURTAIN.get(self.language).to_owned()]
    }

    /// The curtain's X window id (0: none), for the lock screen.
    fn curtain_window(&self) -> u32 {
        self.curtain.as_ref().map_or(0, Curtain::window)
    }

    /// The driver's event: remembered, and sent to the UI.
    fn show(&mut self, event: UiEvent) {
        match &event {
            UiEvent::State(state) => self.state = state.clone(),
            UiEvent::Settings(_) => self.settings = Some(event.clone()),
            UiEvent::Link(_) => self.link = Some(event.clone()),
            UiEvent::Hold { .. } => self.hold = Some(event.clone()),
            _ => {}
        }
        self.send_event(&event);
    }

    /// Sends `event` to the UI, if one is connected.
    fn send_event(&mut self, event: &UiEvent) {
        if let Some(wire) = WireEvent::from_event(event, Instant::now()) {
            self.send(&ToUi::Show { event: wire });
        }
    }

    /// Sends a line to the UI, if one is connected. A full queue means the
    /// UI stopped reading: the judge sees its heartbeat stop too.
    fn send(&mut self, message: &ToUi) {
        if let Some(conn) = &self.conn
            && conn.tx.try_send(wire::line(message)).is_err()
        {
            tracing::debug!("the lock screen is not reading its socket");
        }
    }

    /// A new connection: read its lines, queue its writes.
    fn accept(&mut self, stream: UnixStream, reports: mpsc::Sender<Report>) {
        self.next_conn += 1;
        let id = self.next_conn;
        let (read, mut write) = stream.into_split();
        let (tx, mut lines) = mpsc::channel::<String>(QUEUE);
        tokio::spawn(async move {
            while let Some(line) = lines.recv().await {
                if write.write_all(line.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            loop {
                let mut line = String::new();
                let limit = u64::try_from(wire::MAX_LINE).unwrap_or(u64::MAX);
                match (&mut reader).take(limit).read_line(&mut line).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                match serde_json::from_str::<FromUi>(line.trim()) {
                    Ok(message) => {
                        if reports.send(Report::Line(id, Some(message))).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "bad line from the lock screen"),
                }
            }
            let _ = reports.send(Report::Line(id, None)).await;
        });
        self.pending.push(Conn { id, tx });
    }

    /// A line from a connection, or a process exit.
    async fn on_report(&mut self, report: Report) {
        match report {
            Report::Exited(generation, status) => {
                if let Some(standby) = self.standby.take_if(|c| c.generation == generation) {
                    self.standby_conn = None;
                    self.standby_heard = None;
                    if !standby.killed {
                        tracing::warn!(%status, "the standby lock screen exited");
                        self.report(format!("the standby lock screen exited ({status})"), false)
                            .await;
                    }
                    return;
                }
                let Some(child) = self.child.take_if(|c| c.generation == generation) else {
                    return;
                };
                self.conn = None;
                self.judge.gone();
                self.spawn_at = Instant::now() + restart_delay(self.failures);
                if child.killed {
                    tracing::info!(%status, "the killed lock screen is gone");
                } else {
                    self.tamper(format!("the lock screen exited ({status})"))
                        .await;
                }
            }
            Report::Line(id, None) => {
                self.pending.retain(|c| c.id != id);
                if self.standby_conn.as_ref().is_some_and(|c| c.id == id) {
                    tracing::warn!("the standby lock screen closed its connection");
                    self.standby_conn = None;
                }
                if self.conn.as_ref().is_some_and(|c| c.id == id) {
                    tracing::warn!("the lock screen closed its connection");
                    self.conn = None;
                }
            }
            Report::Line(id, Some(FromUi::Hello { token, pid })) => self.hello(id, &token, pid),
            Report::Line(id, Some(message)) => {
                if self.standby_conn.as_ref().is_some_and(|c| c.id == id) {
                    // A hidden standby only says it is alive; anything else
                    // from it (a login, say) is not the patron's.
                    if matches!(message, FromUi::Status { .. }) {
                        self.standby_heard = Some(Instant::now());
                    }
                    return;
                }
                if self.conn.as_ref().is_none_or(|c| c.id != id) {
                    tracing::warn!("a line from a lock-screen connection that did not say hello");
                    return;
                }
                match message {
                    FromUi::Status {
                        screen,
                        verified,
                        problems,
                        grab_taken,
                        painted,
                        ..
                    } => {
                        if !problems.is_empty() {
                            tracing::debug!(?problems, ?screen, verified, "lock-screen status");
                        }
                        // Refused while the curtain holds the grab, or is
                        // taking it (a lock screen that took over and the
                        // curtain race for it a moment): ours, not a
                        // thief's. A thief is seen once the curtain lets go.
                        let curtain = self
                            .curtain
                            .as_ref()
                            .is_some_and(|c| c.holding() || c.wants_grab());
                        self.judge
                            .status(Instant::now(), screen, verified, grab_taken && !curtain);
                        self.judge.painted(painted);
                        if self.judge.lock_verified(Instant::now()) {
                            self.failures = 0;
                        }
                    }
                    FromUi::Repaired { detail } => {
                        tracing::warn!(%detail, "the lock screen repaired its window");
                        self.report(detail, false).await;
                    }
                    other => {
                        if let Some(input) = other.input()
                            && self.inputs.send(input).await.is_err()
                        {
                            tracing::debug!("the driver is not listening");
                        }
                    }
                }
            }
        }
    }

    /// A hello on connection `id`: the one with the current token is the UI.
    fn hello(&mut self, id: u64, token: &str, pid: u32) {
        let Some(at) = self.pending.iter().position(|c| c.id == id) else {
            return;
        };
        let conn = self.pending.remove(at);
        let is_standby = self
            .standby
            .as_ref()
            .is_some_and(|c| !c.killed && c.token == token);
        if is_standby && self.standby_conn.is_none() {
            tracing::info!(pid, "lock screen standing by");
            self.standby_heard = Some(Instant::now());
            self.standby_conn = Some(conn);
            let welcome = self.welcome(true);
            if let Some(conn) = &self.standby_conn {
                let _ = conn.tx.try_send(wire::line(&welcome));
            }
            return;
        }
        let good = self
            .child
            .as_ref()
            .is_some_and(|c| !c.killed && c.token == token);
        if !good || self.conn.is_some() {
            tracing::warn!(
                pid,
                "a lock-screen connection without the right token: refused"
            );
            return;
        }
        tracing::info!(pid, "lock screen connected");
        self.conn = Some(conn);
        self.judge.connected(Instant::now());
        self.send(&self.welcome(false));
        self.replay();
    }

    /// The welcome for a new UI (`standby`: to stay hidden until activated).
    fn welcome(&self, standby: bool) -> ToUi {
        ToUi::Welcome {
            language: wire::lang_code(self.language).to_owned(),
            windowed: self.windowed,
            countdown_corner: self.lock.countdown_corner.name().to_owned(),
            standby,
            logo: self
                .lock
                .logo
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            curtain: self.curtain_window(),
        }
    }

    /// Sends the current UI what the screen must show.
    fn replay(&mut self) {
        for event in [self.settings.clone(), self.link.clone(), self.hold.clone()]
            .into_iter()
            .flatten()
        {
            self.send_event(&event);
        }
        self.send_event(&UiEvent::State(self.state.clone()));
    }

    /// No UI runs: the standby, if there is one, becomes the UI at once;
    /// false when there is none.
    fn promote(&mut self) -> bool {
        let Some(standby) = self.standby.take() else {
            return false;
        };
        let pid = standby.pid;
        self.child = Some(standby);
        self.standby_heard = None;
        self.standby_at = Instant::now() + STANDBY_AFTER;
        self.judge.started(Instant::now());
        let Some(conn) = self.standby_conn.take() else {
            // Started, not connected yet: its hello is now the UI's.
            tracing::info!(
                pid,
                "the standby lock screen (not connected yet) takes over"
            );
            return true;
        };
        tracing::info!(pid, "the standby lock screen takes over");
        tracing::info!(pid, "lock screen connected");
        self.conn = Some(conn);
        self.judge.connected(Instant::now());
        self.send(&ToUi::Activate {
            curtain: self.curtain_window(),
        });
        self.replay();
        true
    }

    /// Keeps a standby ready beside a connected UI; replaces one that
    /// stopped answering.
    fn watch_standby(&mut self, now: Instant, reports: mpsc::Sender<Report>) {
        if !self.lock.standby || self.windowed {
            return;
        }
        // Connected, it writes a status every repair tick; starting, it
        // has the startup bound to connect.
        let bound = if self.standby_conn.is_some() {
            self.lock.heartbeat_timeout
        } else {
            self.lock.startup
        };
        if self
            .standby_heard
            .is_some_and(|heard| now.saturating_duration_since(heard) > bound)
        {
            self.kill_standby("the standby lock screen stopped answering");
        }
        // Started only beside a UI that is up and has shown something, not
        // to slow its own start.
        if self.standby.is_none() && now >= self.standby_at && self.judge.answering(now) {
            self.spawn_standby(reports);
        }
    }

    /// Every heartbeat: ping, start a UI if none runs, judge.
    async fn on_tick(&mut self, reports: mpsc::Sender<Report>) {
        self.seq += 1;
        let seq = self.seq;
        self.send(&ToUi::Ping { seq });
        let now = Instant::now();
        if self.child.is_none() && !self.promote() && now >= self.spawn_at {
            self.spawn(reports.clone());
        }
        self.watch_standby(now, reports);
        let due_locked =
            !self.windowed && matches!(self.state, UiState::Locked | UiState::Maintenance);
        let curtain = self.curtain.as_ref().is_some_and(Curtain::holding);
        self.judge.curtain_holds(curtain);
        self.judge
            .x_lag(self.curtain.as_ref().and_then(Curtain::x_lag));
        if let Some(child) = &self.child
            && self.judge.silent(now)
        {
            self.judge.process(now, liveness::sample(child.pid));
        }
        for verdict in self.judge.tick(now, due_locked) {
            match verdict {
                Verdict::Kill(why) => {
                    self.kill(&why);
                    self.promote();
                    self.tamper(format!("{why}; restarted")).await;
                }
                Verdict::Wait(why) => tracing::warn!(%why, "waiting for a slow lock screen"),
                Verdict::Escalate(why) => {
                    tracing::error!(%why, "no verified lock: escalating");
                    self.tamper(why).await;
                    self.escalate();
                }
            }
        }
    }

    /// Starts the UI process.
    fn spawn(&mut self, reports: mpsc::Sender<Report>) {
        let Some(child) = self.start_ui(reports) else {
            self.spawn_failed();
            return;
        };
        tracing::info!(
            pid = child.pid,
            generation = child.generation,
            "lock screen started"
        );
        self.failures += 1;
        self.judge.started(Instant::now());
        self.child = Some(child);
    }

    /// Starts the standby UI process.
    fn spawn_standby(&mut self, reports: mpsc::Sender<Report>) {
        if let Some(child) = self.start_ui(reports) {
            tracing::info!(
                pid = child.pid,
                generation = child.generation,
                "standby lock screen started"
            );
            self.standby_heard = Some(Instant::now());
            self.standby = Some(child);
        }
    }

    /// Starts a UI process (its one-time token on its stdin, its exit
    /// reported); `None` when it could not start (logged).
    fn start_ui(&mut self, reports: mpsc::Sender<Report>) -> Option<Child> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (program, args) = match &self.lock.ui_command {
            Some(HookSpec { program, args, .. }) => (PathBuf::from(program), args.clone()),
            None => match std::env::current_exe() {
                Ok(exe) => (exe, vec!["ui".to_owned()]),
                Err(e) => {
                    tracing::error!(error = %e, "cannot find this program to start the lock screen");
                    return None;
                }
            },
        };
        let mut command = tokio::process::Command::new(&program);
        command
            .args(&args)
            .env(SOCKET_ENV, &self.socket)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .process_group(0);
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                tracing::error!(error = %e, program = %program.display(), "cannot start the lock screen");
                return None;
            }
        };
        let pid = child.id().unwrap_or(0);
        if let Some(mut stdin) = child.stdin.take() {
            let line = format!("{token}\n");
            tokio::spawn(async move {
                let _ = stdin.write_all(line.as_bytes()).await;
            });
        }
        self.generation += 1;
        let generation = self.generation;
        tokio::spawn(async move {
            let status = match child.wait().await {
                Ok(status) => status.to_string(),
                Err(e) => e.to_string(),
            };
            let _ = reports.send(Report::Exited(generation, status)).await;
        });
        Some(Child {
            generation,
            pid,
            token,
            killed: false,
        })
    }

    /// A start failed: try again later (sooner at first).
    fn spawn_failed(&mut self) {
        self.failures += 1;
        self.spawn_at = Instant::now() + restart_delay(self.failures);
    }

    /// Kills the UI's process group (SIGKILL: a stopped process dies too)
    /// and lets it go: its exit is not waited for, the standby (or a new
    /// UI) takes over at once.
    fn kill(&mut self, why: &str) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        tracing::warn!(pid = child.pid, %why, "killing the lock screen");
        kill_group(&mut child);
        self.conn = None;
        self.judge.gone();
        self.spawn_at = Instant::now() + restart_delay(self.failures);
    }

    /// Kills the standby (replaced on a later tick).
    fn kill_standby(&mut self, why: &str) {
        let Some(mut child) = self.standby.take() else {
            return;
        };
        tracing::warn!(pid = child.pid, %why, "killing the standby lock screen");
        kill_group(&mut child);
        self.standby_conn = None;
        self.standby_heard = None;
    }

    /// Reports tampering with the UI; a running session is ended.
    async fn tamper(&mut self, detail: String) {
        tracing::warn!(%detail, "lock screen tampered with");
        self.report(detail, true).await;
    }

    /// Sends a tamper report to the driver.
    async fn report(&mut self, detail: String, end_session: bool) {
        if self
            .inputs
            .send(UiInput::Tamper {
                detail,
                end_session,
            })
            .await
            .is_err()
        {
            tracing::debug!("the driver is not listening");
        }
    }

    /// Runs `lock.escalate`, if configured, off this task.
    fn escalate(&mut self) {
        let Some(spec) = self.lock.escalate.clone() else {
            tracing::error!("no lock.escalate command configured: the session cannot be ended");
            return;
        };
        tokio::spawn(async move {
            let outcome = crate::hooks::run_hook(&spec, &[]).await;
            tracing::warn!(ok = outcome.is_ok(), hook = %spec.name, "escalation ran");
        });
    }
}

/// Sends SIGKILL to `child`'s process group (it leads one) and to it.
fn kill_group(child: &mut Child) {
    child.killed = true;
    if let Some(pid) = i32::try_from(child.pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

/// How long to wait before the `failures`-th start in a row: none for the
/// first two (a killed UI comes back at once), then doubling to 5 s.
fn restart_delay(failures: u32) -> Duration {
    match failures {
        0..=2 => Duration::ZERO,
        n => Duration::from_millis(100u64 << (n - 2).min(6)).min(Duration::from_secs(5)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_are_spaced_only_when_they_keep_failing() {
        assert_eq!(restart_delay(1), Duration::ZERO);
        assert_eq!(restart_delay(2), Duration::ZERO);
        assert_eq!(restart_delay(3), Duration::from_millis(200));
        assert_eq!(restart_delay(20), Duration::from_secs(5));
    }
}
