//! The live link to the server: connect, attach, reconnect.
//!
//! One task ([`spawn`]) owns the connection. It is always in one of two
//! explicit states, reported to the driver as [`LinkEvent`]s:
//!
//! ```text
//!            attach ok (Hello -> Welcome)
//! Connecting ---------------------------> Connected
//!     ^  | attach failed                      | stream ended or failed
//!     |  v                                    v
//!     +-- Backoff (sleep next_delay) <--------+
//! ```
//!
//! - **Connecting**: open a channel ([`bilik_proto::connect`], the one place
//!   that does), call `Attach` with the station credential, send `Hello`
//!   (boot id, version, the state and session the driver publishes), and
//!   wait for `Welcome`.
//! - **Connected**: [`LinkEvent::Up`] carries the Welcome and a client for
//!   the unary calls (`Login`). Heartbeats (state, session, sysinfo
//!   metrics) go up every `heartbeat_seconds` (the Welcome's, unless the
//!   configuration overrides it), and at once whenever the published state
//!   changes. Events the driver hands over go up; pushed commands and event
//!   acknowledgements come down and are passed on.
//! - **Backoff**: wait [`Backoff::next_delay`] (exponential, jittered,
//!   capped) and try again. The delays start from the minimum again only
//!   after a connection that stayed up for [`LinkConfig::healthy_after`], so
//!   a server that accepts and drops at once does not get a tight loop.
//!
//! Events are never queued here across a reconnect: while not connected,
//! the ones handed over are dropped. They are in the journal, and the
//! driver replays every pending event after each `Up`; the server applies
//! each id once, so a duplicate is harmless.
//!
//! The task stops when the driver drops its [`LinkHandle`] (or its event
//! receiver).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::{
    AgentEvent, AgentMessage, Command, Heartbeat, Hello, Metrics, ServerMessage, StationState,
    Welcome, agent_message, server_message,
};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_stream::{Stream, StreamExt};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use crate::backoff::Backoff;
use crate::metrics::Sampler;

/// A Station client that sends the station credential on every call.
pub type StationRpc = StationClient<InterceptedService<Channel, bilik_proto::Bearer>>;

/// The server's half of an attached link.
pub type DownStream = Pin<Box<dyn Stream<Item = Result<ServerMessage, tonic::Status>> + Send>>;

/// How long the server has to answer Hello with Welcome.
pub const WELCOME_TIMEOUT: Duration = Duration::from_secs(10);
/// Heartbeat interval when neither the Welcome nor the configuration says.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(15);
/// Messages queued towards the server on one connection.
const UP_QUEUE: usize = 64;
/// Link events queued towards the driver.
pub const EVENT_QUEUE: usize = 64;

/// Why a connection attempt failed or a connection ended.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No transport to the server (down, unreachable, refused).
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The server URL tried.
        url: String,
        /// What the transport said (a certificate that is not the pinned
        /// one says so).
        #[source]
        source: bilik_proto::ConnectError,
    },
    /// The server answered the Attach call with an error (a bad credential
    /// is `Unauthenticated`).
    #[error("the server refused the link: {}: {}", .0.code(), .0.message())]
    Refused(tonic::Status),
    /// The server did not say Welcome in time.
    #[error("no Welcome within {0:?}")]
    NoWelcome(Duration),
    /// The server's first message was something else.
    #[error("the server's first message was not a Welcome")]
    Protocol,
    /// The server ended the stream (it stopped or replaced the link).
    #[error("the server closed the link")]
    Closed,
    /// The stream failed (the connection dropped).
    #[error("the link failed: {}: {}", .0.code(), .0.message())]
    Stream(tonic::Status),
}

/// What a successful attach yields.
pub struct Attached {
    /// The server's answer to Hello: settings, the lease it holds, maintenance.
    pub welcome: Welcome,
    /// Heartbeats and events go up here (the Attach call's request stream).
    pub up: mpsc::Sender<AgentMessage>,
    /// Commands and acks come down here.
    pub down: DownStream,
    /// A client on the same channel for the unary calls (`None` in tests
    /// that fake the transport).
    pub rpc: Option<StationRpc>,
}

impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attached")
            .field("welcome", &self.welcome)
            .finish_non_exhaustive()
    }
}

/// Opens attached links. The real one speaks gRPC ([`GrpcConnector`]);
/// tests substitute their own.
pub trait Connector: Send + 'static {
    /// Connects, sends `hello` first and waits for the Welcome.
    fn attach(&mut self, hello: Hello) -> impl Future<Output = Result<Attached, LinkError>> + Send;
}

/// Attaches to a real server over gRPC.
#[derive(Debug, Clone)]
pub struct GrpcConnector {
    /// The server's URL.
    url: String,
    /// The station credential, as an interceptor.
    bearer: bilik_proto::Bearer,
    /// The pinned server certificate (from enrolment).
    trust: bilik_proto::ServerTrust,
    /// Where the credential is: re-read at each attach (a renewal may have
    /// changed what is pinned) and updated when the server announces its
    /// next certificate. `None`: the trust above, as it is.
    state_dir: Option<std::path::PathBuf>,
}

impl GrpcConnector {
    /// A connector for `url` presenting `bearer` (the station credential).
    pub fn new(
        url: &str,
        bearer: bilik_proto::Bearer,
        trust: bilik_proto::ServerTrust,
    ) -> GrpcConnector {
        GrpcConnector {
            url: url.to_owned(),
            bearer,
            trust,
            state_dir: None,
        }
    }

    /// The same, following certificate renewals in the credential kept in
    /// `state_dir`.
    pub fn following_renewals(mut self, state_dir: &std::path::Path) -> GrpcConnector {
        self.state_dir = Some(state_dir.to_owned());
        self
    }
}

impl Connector for GrpcConnector {
    async fn attach(&mut self, hello: Hello) -> Result<Attached, LinkError> {
        let credential = self
            .state_dir
            .as_deref()
            .and_then(|dir| crate::credential::Credential::load(dir).ok());
        let trust = credential
            .as_ref()
            .map_or_else(|| self.trust.clone(), crate::credential::Credential::trust);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let channel = bilik_proto::transport::connect_seeing(&self.url, &trust, Some(seen.clone()))
            .await
            .map_err(|source| LinkError::Connect {
                url: self.url.clone(),
                source,
            })?;
        let rpc = StationClient::with_interceptor(channel, self.bearer.clone());
        let (up, rx) = mpsc::channel(UP_QUEUE);
        let hello = AgentMessage {
            kind: Some(agent_message::Kind::Hello(hello)),
        };
        up.send(hello).await.map_err(|_| LinkError::Closed)?;
        let mut down = rpc
            .clone()
            .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .map_err(LinkError::Refused)?
            .into_inner();
        let first = tokio::time::timeout(WELCOME_TIMEOUT, down.message())
            .await
            .map_err(|_| LinkError::NoWelcome(WELCOME_TIMEOUT))?;
        let welcome = match first {
            Ok(Some(ServerMessage {
                kind: Some(server_message::Kind::Welcome(welcome)),
            })) => welcome,
            Ok(Some(_)) => return Err(LinkError::Protocol),
            Ok(None) => return Err(LinkError::Closed),
            Err(status) => return Err(LinkError::Stream(status)),
        };
        if let (Some(dir), Some(mut credential)) = (&self.state_dir, credential) {
            let seen = seen.lock().ok().and_then(|s| s.clone());
            let announced = welcome
                .settings
                .as_ref()
                .map(|s| s.next_server_fingerprint.as_str())
                .unwrap_or_default();
            if credential.follow_renewal(seen.as_deref(), announced) {
                match credential.save(dir) {
                    Ok(_) => tracing::info!("server certificate renewal followed"),
                    Err(e) => tracing::warn!(error = %e, "cannot save the renewed pin"),
                }
            }
        }
        Ok(Attached {
            welcome,
            up,
            down: Box::pin(down),
            rpc: Some(rpc),
        })
    }
}

/// What the station is doing, as the driver publishes it for Hello and
/// heartbeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// Locked, in session, warning or maintenance.
    pub state: StationState,
    /// The session being enforced; empty when none.
    pub session_id: String,
}

impl Default for Reported {
    /// Locked, no session: what a starting agent is.
    fn default() -> Self {
        Reported {
            state: StationState::Locked,
            session_id: String::new(),
        }
    }
}

/// The link's state, for the front-end and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Trying to attach.
    Connecting {
        /// Failed attempts since the link was last healthy, plus one.
        attempt: u32,
    },
    /// Attached: the Welcome arrived.
    Connected {
        /// The server's id of this station.
        station_id: String,
        /// Its name.
        station_name: String,
    },
    /// Waiting before the next attempt.
    Backoff {
        /// Failed attempts since the link was last healthy.
        attempt: u32,
        /// How long until the next attempt.
        retry_in: Duration,
        /// What went wrong.
        error: String,
    },
}

/// What the link tells the driver.
#[derive(Debug)]
pub enum LinkEvent {
    /// Connecting or backing off (the link is down).
    State(LinkState),
    /// Attached: reconcile with the Welcome, replay the journal.
    Up {
        /// The server's answer to Hello (boxed: it is large and rare).
        welcome: Box<Welcome>,
        /// For `Login` calls while this connection lasts.
        rpc: Option<Box<StationRpc>>,
    },
    /// A command the server pushed.
    Command(Command),
    /// The server applied these events.
    Ack(Vec<String>),
}

/// How the link behaves.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// New per process start: a new boot id makes the server end whatever
    /// session it still held for this station.
    pub boot_id: String,
    /// Reported in Hello.
    pub agent_version: String,
    /// Host name reported in Hello.
    pub hostname: String,
    /// Operating system reported in Hello.
    pub os: String,
    /// Reconnect delays.
    pub backoff: Backoff,
    /// Heartbeat interval overriding the Welcome's, if set.
    pub heartbeat: Option<Duration>,
    /// A connection that lasted this long resets the backoff.
    pub healthy_after: Duration,
}

/// The driver's end of the link task.
#[derive(Debug)]
pub struct LinkHandle {
    /// Events to send (dropped while not connected: see the module docs).
    outgoing: mpsc::UnboundedSender<Vec<AgentEvent>>,
    /// The link task.
    task: tokio::task::JoinHandle<()>,
}

impl LinkHandle {
    /// Hands events to the link to send now, if connected.
    pub fn send(&self, events: Vec<AgentEvent>) {
        if !events.is_empty() {
            let _ = self.outgoing.send(events);
        }
    }

    /// Stops the link task (closing the connection) and waits for it.
    pub async fn stop(self) {
        let LinkHandle { outgoing, mut task } = self;
        drop(outgoing);
        if tokio::time::timeout(Duration::from_secs(1), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// Starts the link task. `status` is what Hello and heartbeats report;
/// `events` is where the link reports to the driver; `sampler` makes the
/// heartbeat metrics (`None`: heartbeats carry none).
pub fn spawn<C: Connector>(
    connector: C,
    config: LinkConfig,
    status: watch::Receiver<Reported>,
    events: mpsc::Sender<LinkEvent>,
    sampler: Option<Sampler>,
) -> LinkHandle {
    let (outgoing, outgoing_rx) = mpsc::unbounded_channel();
    let task = LinkTask {
        connector,
        config,
        status,
        events,
        outgoing: outgoing_rx,
        sampler: sampler.map(|s| Arc::new(Mutex::new(s))),
        metrics: None,
    };
    LinkHandle {
        outgoing,
        task: tokio::spawn(task.run()),
    }
}

/// Why the connected phase ended.
enum Ended {
    /// The driver asked the link to stop.
    Stop,
    /// The connection was lost.
    Lost(LinkError),
}

/// The state of the link task.
struct LinkTask<C> {
    /// Opens connections.
    connector: C,
    /// Boot id, backoff, heartbeat.
    config: LinkConfig,
    /// The driver's published state.
    status: watch::Receiver<Reported>,
    /// Where the driver hears from the link.
    events: mpsc::Sender<LinkEvent>,
    /// Events from the driver.
    outgoing: mpsc::UnboundedReceiver<Vec<AgentEvent>>,
    /// Samples metrics off the runtime; shared with `spawn_blocking`.
    sampler: Option<Arc<Mutex<Sampler>>>,
    /// The last sample, reused by heartbeats sent on a state change.
    metrics: Option<Metrics>,
}

impl<C: Connector> LinkTask<C> {
    /// Connect, stay connected, back off; until stopped.
    async fn run(mut self) {
        loop {
            let attempt = self.config.backoff.attempts().saturating_add(1);
            if !self
                .emit(LinkEvent::State(LinkState::Connecting { attempt }))
                .await
            {
                return;
            }
            let hello = self.hello();
            tracing::debug!(attempt, "attaching");
            let attached = tokio::select! {
                attached = self.connector.attach(hello) => attached,
                () = drain_until_closed(&mut self.outgoing) => return,
            };
            let error = match attached {
                Ok(attached) => {
                    let since = Instant::now();
                    match self.connected(attached).await {
                        Ended::Stop => return,
                        Ended::Lost(error) => {
                            if since.elapsed() >= self.config.healthy_after {
                                self.config.backoff.reset();
                            }
                            error
                        }
                    }
                }
                Err(error) => error,
            };
            let retry_in = self.config.backoff.next_delay();
            let attempt = self.config.backoff.attempts();
            tracing::info!(%error, attempt, ?retry_in, "link down; retrying");
            let state = LinkState::Backoff {
                attempt,
                retry_in,
                error: error.to_string(),
            };
            if !self.emit(LinkEvent::State(state)).await {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(retry_in) => {}
                () = drain_until_closed(&mut self.outgoing) => return,
            }
        }
    }

    /// The Hello for the next attempt.
    fn hello(&mut self) -> Hello {
        let status = self.status.borrow_and_update().clone();
        Hello {
            boot_id: self.config.boot_id.clone(),
            agent_version: self.config.agent_version.clone(),
            state: status.state as i32,
            session_id: status.session_id,
            hostname: self.config.hostname.clone(),
            os: self.config.os.clone(),
        }
    }

    /// Runs one attached connection until it ends.
    async fn connected(&mut self, attached: Attached) -> Ended {
        let Attached {
            welcome,
            up,
            mut down,
            rpc,
        } = attached;
        let every = self.config.heartbeat.unwrap_or_else(|| {
            match welcome.settings.as_ref().map_or(0, |s| s.heartbeat_seconds) {
                0 => DEFAULT_HEARTBEAT,
                s => Duration::from_secs(u64::from(s)),
            }
        });
        tracing::info!(station = %welcome.station_name, heartbeat = ?every, "link up");
        let up_event = LinkEvent::Up {
            welcome: Box::new(welcome),
            rpc: rpc.map(Box::new),
        };
        if !self.emit(up_event).await {
            return Ended::Stop;
        }
        // The first tick is immediate: the server gets metrics at once.
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = down.next() => {
                    let event = match msg {
                        None => return Ended::Lost(LinkError::Closed),
                        Some(Err(status)) => return Ended::Lost(LinkError::Stream(status)),
                        Some(Ok(ServerMessage { kind })) => match kind {
                            Some(server_message::Kind::Command(c)) => LinkEvent::Command(c),
                            Some(server_message::Kind::Ack(a)) => LinkEvent::Ack(a.event_ids),
                            Some(server_message::Kind::Welcome(_)) | None => {
                                tracing::debug!("unexpected message from the server ignored");
                                continue;
                            }
                        },
                    };
                    if !self.emit(event).await {
                        return Ended::Stop;
                    }
                }
                out = self.outgoing.recv() => {
                    let Some(events) = out else { return Ended::Stop };
                    for event in events {
                        tracing::debug!(event_id = %event.event_id, "event sent");
                        let msg = AgentMessage { kind: Some(agent_message::Kind::Event(event)) };
                        if up.send(msg).await.is_err() {
                            return Ended::Lost(LinkError::Closed);
                        }
                    }
                }
                _ = ticker.tick() => {
                    self.metrics = self.sample().await;
                    if up.send(self.heartbeat()).await.is_err() {
                        return Ended::Lost(LinkError::Closed);
                    }
                }
                changed = self.status.changed() => {
                    if changed.is_err() {
                        return Ended::Stop;
                    }
                    if up.send(self.heartbeat()).await.is_err() {
                        return Ended::Lost(LinkError::Closed);
                    }
                }
            }
        }
    }

    /// A heartbeat with the published state and the last metrics.
    fn heartbeat(&mut self) -> AgentMessage {
        let status = self.status.borrow_and_update().clone();
        AgentMessage {
            kind: Some(agent_message::Kind::Heartbeat(Heartbeat {
                state: status.state as i32,
                metrics: self.metrics.clone(),
                session_id: status.session_id,
            })),
        }
    }

    /// A fresh metrics sample, taken off the runtime.
    async fn sample(&mut self) -> Option<Metrics> {
        let sampler = self.sampler.clone()?;
        let sampled = tokio::task::spawn_blocking(move || {
            let mut sampler = sampler
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            sampler.sample()
        })
        .await;
        match sampled {
            Ok(metrics) => Some(metrics),
            Err(e) => {
                tracing::warn!(error = %e, "metrics sampling failed");
                self.metrics.clone()
            }
        }
    }

    /// Tells the driver; `false` once the driver is gone.
    async fn emit(&mut self, event: LinkEvent) -> bool {
        self.events.send(event).await.is_ok()
    }
}

/// Receives (and drops) events until the driver closes the channel.
async fn drain_until_closed(rx: &mut mpsc::UnboundedReceiver<Vec<AgentEvent>>) {
    while rx.recv().await.is_some() {}
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
