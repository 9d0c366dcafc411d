//! One simulated station of the demo. It enrols, attaches and heartbeats
//! over real gRPC as an agent does, and obeys every command the server
//! pushes, so each README command does on a demo station what it says:
//! `unlock` starts a session, `end` locks it, `extend` moves its end,
//! `maintenance` shows the maintenance screen, `restart` reconnects and
//! `shutdown` takes it off the network for a minute. Its screen changes are
//! reported at once in a heartbeat, so the dashboard follows them.
//!
//! A simulated patron (when the plan has cards) walks up to a locked
//! station now and then, logs in with a random card and purpose, and logs
//! out after a while or is timed out at the lease end.

use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::{
    AgentMessage, Command, EnrollRequest, Heartbeat, Hello, Lease, LoginRequest, LogoutRequest,
    Metrics, PowerAction, StationState, agent_message, command, login_response, server_message,
};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// What a simulated station needs to run.
pub(super) struct Plan {
    /// The server's gRPC address.
    pub url: String,
    /// The one-time enrolment code (its tag pins the server's certificate).
    pub code: String,
    /// The house-rules version the simulated patrons "tick".
    pub rules_version: String,
    /// Cards the simulated patrons use; empty: no patron comes on their own.
    pub cards: Vec<&'static str>,
}

/// How long a simulated power-off lasts before someone switches it on.
const OFF_FOR: Duration = Duration::from_secs(60);
/// How long a simulated restart keeps the station off the network.
const RESTART_TAKES: Duration = Duration::from_secs(3);
/// Pause before attaching again after the link broke.
const RETRY_AFTER: Duration = Duration::from_secs(5);
/// How often the station heartbeats when nothing changes.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// What the simulated screen shows.
#[derive(Debug, Clone, PartialEq)]
enum Screen {
    /// The lock screen, waiting for a card.
    Locked,
    /// A session runs until `ends_at` (a monotonic deadline, as an agent
    /// keeps it, so the PC's clock does not matter).
    InSession {
        /// The server's session id.
        session_id: String,
        /// When the lease runs out.
        ends_at: Instant,
    },
    /// The maintenance screen; nobody can log in.
    Maintenance,
}

impl Screen {
    /// The screen a lease opens, its end turned into a local deadline.
    fn session(lease: &Lease) -> Screen {
        let left = lease.ends_at_ms.saturating_sub(lease.server_time_ms).max(0);
        Screen::InSession {
            session_id: lease.session_id.clone(),
            ends_at: Instant::now() + Duration::from_millis(left.unsigned_abs()),
        }
    }

    /// The state and session id a heartbeat reports.
    fn reported(&self) -> (StationState, String) {
        match self {
            Screen::Locked => (StationState::Locked, String::new()),
            Screen::InSession { session_id, .. } => (StationState::InSession, session_id.clone()),
            Screen::Maintenance => (StationState::Maintenance, String::new()),
        }
    }
}

/// Why an attachment ended.
enum Detached {
    /// The link broke (or the server went away): attach again shortly.
    Lost,
    /// A librarian restarted the PC.
    Restart,
    /// A librarian shut the PC down.
    Shutdown,
}

type Client = StationClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, bilik_proto::Bearer>,
>;

/// Runs one simulated station until the process ends.
pub(super) async fn run(plan: Plan) {
    let client = match enroll(&plan).await {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "demo station could not enrol");
            return;
        }
    };
    loop {
        let pause = match attach(&plan, client.clone()).await {
            Ok(Detached::Restart) => RESTART_TAKES,
            Ok(Detached::Shutdown) => OFF_FOR,
            Ok(Detached::Lost) => RETRY_AFTER,
            Err(e) => {
                tracing::debug!(error = %e, "demo station link lost");
                RETRY_AFTER
            }
        };
        tokio::time::sleep(pause).await;
    }
}

/// Enrols with the plan's code, as an agent does.
async fn enroll(plan: &Plan) -> Result<Client, tonic::Status> {
    let (_, tag) = bilik_proto::transport::split_code(&plan.code);
    let trust = if plan.url.starts_with("https://") {
        bilik_proto::ServerTrust::Tag(tag)
    } else {
        bilik_proto::ServerTrust::Insecure
    };
    let channel = bilik_proto::connect(&plan.url, &trust)
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let enrolled = StationClient::new(channel.clone())
        .enroll(EnrollRequest {
            code: plan.code.clone(),
            hostname: "demo".into(),
            os: "simulated".into(),
            agent_version: env!("CARGO_PKG_VERSION").into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let bearer = bilik_proto::Bearer::new(&enrolled.credential)
        .map_err(|_| tonic::Status::internal("bad credential"))?;
    Ok(StationClient::with_interceptor(channel, bearer))
}

/// One attachment: hello, then heartbeats, commands and the lease timer
/// until the link breaks or a power command ends it.
async fn attach(plan: &Plan, mut client: Client) -> Result<Detached, tonic::Status> {
    let (screen, mut shown) = watch::channel(Screen::Locked);
    let (up, rx) = mpsc::channel(16);
    let hello = Hello {
        boot_id: uuid::Uuid::new_v4().to_string(),
        agent_version: env!("CARGO_PKG_VERSION").into(),
        state: StationState::Locked as i32,
        hostname: "demo".into(),
        os: "simulated".into(),
        ..Default::default()
    };
    send(&up, agent_message::Kind::Hello(hello)).await?;
    let mut down = client
        .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await?
        .into_inner();
    // The patron lives as long as this attachment.
    let _patron = (!plan.cards.is_empty()).then(|| {
        AbortOnDrop(tokio::spawn(patron(
            client.clone(),
            screen.clone(),
            plan.cards.clone(),
            plan.rules_version.clone(),
        )))
    });
    let mut next_heartbeat = Instant::now();
    loop {
        let lease_end = match &*shown.borrow() {
            Screen::InSession { ends_at, .. } => Some(*ends_at),
            _ => None,
        };
        tokio::select! {
            message = down.message() => {
                let Some(message) = message? else { return Ok(Detached::Lost) };
                match message.kind {
                    Some(server_message::Kind::Welcome(welcome)) => {
                        if welcome.maintenance {
                            screen.send_replace(Screen::Maintenance);
                        } else if let Some(lease) = &welcome.lease {
                            screen.send_replace(Screen::session(lease));
                        }
                    }
                    Some(server_message::Kind::Command(command)) => {
                        if let Some(detached) = obey(&screen, command) {
                            return Ok(detached);
                        }
                    }
                    Some(server_message::Kind::Ack(_)) | None => {}
                }
            }
            // Like an agent, the station locks itself at the lease end; the
            // server closes the session as time up on its own clock.
            () = sleep_until(lease_end) => {
                screen.send_replace(Screen::Locked);
            }
            changed = shown.changed() => {
                if changed.is_err() {
                    return Ok(Detached::Lost);
                }
                shown.borrow_and_update();
                next_heartbeat = Instant::now();
            }
            () = tokio::time::sleep_until(next_heartbeat) => {
                let (state, session_id) = shown.borrow().reported();
                send(&up, agent_message::Kind::Heartbeat(heartbeat(state, session_id))).await?;
                next_heartbeat = Instant::now() + HEARTBEAT_EVERY;
            }
        }
    }
}

/// Applies one pushed command to the screen; a power command ends the
/// attachment.
fn obey(screen: &watch::Sender<Screen>, command: Command) -> Option<Detached> {
    match command.kind? {
        command::Kind::Start(start) => {
            if let Some(lease) = &start.lease {
                screen.send_replace(Screen::session(lease));
            }
        }
        command::Kind::End(end) => {
            screen.send_if_modified(|s| match s {
                Screen::InSession { session_id, .. } if *session_id == end.session_id => {
                    *s = Screen::Locked;
                    true
                }
                _ => false,
            });
        }
        command::Kind::Extend(extend) => {
            screen.send_if_modified(|s| match s {
                Screen::InSession {
                    session_id,
                    ends_at,
                } if *session_id == extend.session_id => {
                    let left = extend
                        .ends_at_ms
                        .saturating_sub(extend.server_time_ms)
                        .max(0);
                    *ends_at = Instant::now() + Duration::from_millis(left.unsigned_abs());
                    true
                }
                _ => false,
            });
        }
        command::Kind::Message(message) => {
            // The text is the library's, but may name a patron: only its size.
            tracing::info!(
                chars = message.text.chars().count(),
                "demo station shows a message"
            );
        }
        command::Kind::Hold(hold) => {
            // A demo station has no lock screen to show the hold on; the
            // server enforces it at login anyway.
            tracing::info!(held = !hold.patron_name.is_empty(), "demo station hold");
        }
        command::Kind::Maintenance(maintenance) => {
            screen.send_if_modified(|s| match (maintenance.on, &*s) {
                (true, Screen::Maintenance) | (false, Screen::Locked) => false,
                (true, _) => {
                    *s = Screen::Maintenance;
                    true
                }
                (false, _) => {
                    *s = Screen::Locked;
                    true
                }
            });
        }
        command::Kind::Power(power) => {
            return match PowerAction::try_from(power.action) {
                Ok(PowerAction::Shutdown) => {
                    tracing::info!("demo station shut down (back in a minute)");
                    Some(Detached::Shutdown)
                }
                _ => {
                    tracing::info!("demo station restarting");
                    Some(Detached::Restart)
                }
            };
        }
    }
    None
}

/// A simulated patron: waits for the lock screen, logs in, uses the PC for
/// a while, logs out (or is timed out at the lease end).
async fn patron(
    mut client: Client,
    screen: watch::Sender<Screen>,
    cards: Vec<&'static str>,
    rules_version: String,
) {
    let mut shown = screen.subscribe();
    loop {
        if shown.wait_for(|s| *s == Screen::Locked).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(5 + random_below(25))).await;
        if *shown.borrow() != Screen::Locked {
            continue;
        }
        let purposes = bilik_proto::catalog::DEFAULT_PURPOSES;
        let login = LoginRequest {
            card: cards[random_below(cards.len() as u64) as usize].into(),
            purpose: purposes[random_below(purposes.len() as u64) as usize].into(),
            rules_version: rules_version.clone(),
            ..Default::default()
        };
        let Ok(answer) = client.login(login).await else {
            tokio::time::sleep(RETRY_AFTER).await;
            continue;
        };
        let Some(login_response::Outcome::Lease(lease)) = answer.into_inner().outcome else {
            continue;
        };
        let opened = Screen::session(&lease);
        screen.send_replace(opened.clone());
        let stays = Duration::from_secs(20 + random_below(150));
        let left = tokio::time::timeout(stays, shown.wait_for(|s| *s != opened))
            .await
            .is_ok();
        if !left {
            // Still at the PC when done: log out.
            let _ = client
                .logout(LogoutRequest {
                    session_id: lease.session_id.clone(),
                })
                .await;
            screen.send_if_modified(|s| {
                let mine = *s == opened;
                if mine {
                    *s = Screen::Locked;
                }
                mine
            });
        }
    }
}

/// A heartbeat with made-up but plausible metrics.
fn heartbeat(state: StationState, session_id: String) -> Heartbeat {
    Heartbeat {
        state: state as i32,
        session_id,
        metrics: Some(Metrics {
            cpu_percent: random_below(40) as f32,
            memory_used_bytes: (2 + random_below(4)) << 30,
            memory_total_bytes: 8 << 30,
            ..Default::default()
        }),
    }
}

/// Sends one message up; a closed link is a lost link.
async fn send(
    up: &mpsc::Sender<AgentMessage>,
    kind: agent_message::Kind,
) -> Result<(), tonic::Status> {
    up.send(AgentMessage { kind: Some(kind) })
        .await
        .map_err(|_| tonic::Status::unavailable("link closed"))
}

/// Sleeps until `deadline`, or for ever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A small random number below `n` (demo pacing only).
fn random_below(n: u64) -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes) % n.max(1)
}

/// Aborts a task when its owner goes away.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
