//! Tests of the driver with a fake link and a recording front-end, on
//! paused tokio time.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::backoff::Backoff;
use crate::link::{Attached, Connector, LinkConfig, LinkError};
use bilik_proto::v1::{
    AgentMessage, Command, EventAck, ExtendSession, Hello, ServerMessage, StartSession, Welcome,
    agent_message, command, server_message,
};
use tokio_stream::wrappers::ReceiverStream;

const T0: i64 = 1_700_000_000_000;
const MIN: Duration = Duration::from_secs(60);

/// One attach, as the fake server sees it.
struct Conn {
    /// What the agent said first.
    hello: Hello,
    /// What the agent sends afterwards.
    up: mpsc::Receiver<AgentMessage>,
    /// Where the fake server pushes; dropping it ends the stream.
    down: mpsc::Sender<Result<ServerMessage, tonic::Status>>,
}

/// Attaches every time, answering with the Welcome the test set.
struct Fake {
    /// The Welcome of the next attach.
    welcome: Arc<Mutex<Welcome>>,
    /// Where attaches are handed to the test.
    conns: mpsc::UnboundedSender<Conn>,
}

impl Connector for Fake {
    async fn attach(&mut self, hello: Hello) -> Result<Attached, LinkError> {
        let (up, up_rx) = mpsc::channel(64);
        let (down, down_rx) = mpsc::channel(64);
        self.conns
            .send(Conn {
                hello,
                up: up_rx,
                down,
            })
            .map_err(|_| LinkError::Closed)?;
        Ok(Attached {
            welcome: self.welcome.lock().unwrap().clone(),
            up,
            down: Box::pin(ReceiverStream::new(down_rx)),
            rpc: None,
        })
    }
}

/// Records what the driver shows.
#[derive(Debug)]
struct Recorder(
    /// Where shown events go.
    mpsc::UnboundedSender<UiEvent>,
);

impl FrontEnd for Recorder {
    fn show(&mut self, event: &UiEvent) {
        let _ = self.0.send(event.clone());
    }
}

/// A running driver and the test's ends of its channels.
struct Harness {
    /// What the driver showed.
    shown: mpsc::UnboundedReceiver<UiEvent>,
    /// The link's attaches.
    conns: mpsc::UnboundedReceiver<Conn>,
    /// The Welcome of the next attach.
    welcome: Arc<Mutex<Welcome>>,
    /// Sending stops the driver (graceful shutdown).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The driver's task.
    driver: tokio::task::JoinHandle<()>,
    /// Holds the journal.
    _dir: tempfile::TempDir,
}

fn welcome(lease: Option<Lease>) -> Welcome {
    Welcome {
        server_time_ms: T0,
        station_id: "st_1".into(),
        station_name: "PC-01".into(),
        settings: Some(Settings {
            warning_minutes: vec![5, 1],
            heartbeat_seconds: 3600,
            rules_version: "1".into(),
            ..Default::default()
        }),
        lease,
        maintenance: false,
        hold: None,
    }
}

fn lease(id: &str, minutes: i64) -> Lease {
    Lease {
        session_id: id.into(),
        ends_at_ms: T0 + minutes * 60_000,
        server_time_ms: T0,
        started_at_ms: T0,
        minutes: minutes as u32,
        patron_name: "Budi".into(),
        card: "0001".into(),
    }
}

fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (journal, damage) = Journal::open(dir.path()).unwrap();
    let welcome = Arc::new(Mutex::new(welcome(None)));
    let (conns_tx, conns) = mpsc::unbounded_channel();
    let (status, status_rx) = watch::channel(Reported::default());
    let (events_tx, link_events) = mpsc::channel(crate::link::EVENT_QUEUE);
    let link = crate::link::spawn(
        Fake {
            welcome: welcome.clone(),
            conns: conns_tx,
        },
        LinkConfig {
            boot_id: "boot".into(),
            agent_version: "test".into(),
            hostname: String::new(),
            os: String::new(),
            backoff: Backoff::new(Duration::from_millis(100), Duration::from_millis(100), 0.0)
                .unwrap(),
            heartbeat: None,
            healthy_after: Duration::from_secs(1),
        },
        status_rx,
        events_tx,
        None,
    );
    let (shown_tx, shown) = mpsc::unbounded_channel();
    let (_inputs_tx, inputs) = mpsc::channel(4);
    let driver = Driver::new(Parts {
        config: DriverConfig::default(),
        journal,
        damage,
        link,
        link_events,
        status,
        frontend: Box::new(Recorder(shown_tx)),
        inputs,
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let driver = tokio::spawn(driver.run(async {
        let _ = stopped.await;
    }));
    Harness {
        shown,
        conns,
        welcome,
        stop: Some(stop),
        driver,
        _dir: dir,
    }
}

impl Harness {
    /// The next screen state shown (other events skipped).
    async fn next_state(&mut self) -> UiState {
        loop {
            if let UiEvent::State(s) = self.shown.recv().await.unwrap() {
                return s;
            }
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.driver.await.unwrap();
    }
}

/// The next event the agent sends up (heartbeats skipped).
async fn next_event(up: &mut mpsc::Receiver<AgentMessage>) -> AgentEvent {
    loop {
        if let Some(agent_message::Kind::Event(e)) = up.recv().await.unwrap().kind {
            return e;
        }
    }
}

async fn push(conn: &Conn, kind: command::Kind) {
    conn.down
        .send(Ok(ServerMessage {
            kind: Some(server_message::Kind::Command(Command {
                command_id: "c".into(),
                kind: Some(kind),
            })),
        }))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_pushed_lease_unlocks_warns_and_locks_at_the_deadline_then_journals_time_up() {
    let mut h = start();
    let mut conn = h.conns.recv().await.unwrap();
    assert_eq!(conn.hello.state, StationState::Locked as i32);
    let t0 = Instant::now();
    push(
        &conn,
        command::Kind::Start(StartSession {
            lease: Some(lease("s1", 10)),
        }),
    )
    .await;
    let UiState::InSession(view) = h.next_state().await else {
        panic!("not unlocked")
    };
    assert_eq!(view.deadline - t0, 10 * MIN);

    // An extension moves the deadline by its minutes.
    push(
        &conn,
        command::Kind::Extend(ExtendSession {
            session_id: "s1".into(),
            ends_at_ms: T0 + 15 * 60_000,
            server_time_ms: T0,
            added_minutes: 5,
        }),
    )
    .await;
    let UiState::InSession(view) = h.next_state().await else {
        panic!("not in session")
    };
    assert_eq!(view.deadline - t0, 15 * MIN);

    // Warnings at 5 and 1 minutes, then the lock at the deadline.
    let mut warnings = Vec::new();
    loop {
        match h.shown.recv().await.unwrap() {
            UiEvent::Warning { minutes_left, .. } => {
                warnings.push((minutes_left, Instant::now() - t0));
            }
            UiEvent::State(UiState::Locked) => break,
            _ => {}
        }
    }
    assert_eq!(warnings, [(5, 10 * MIN), (1, 14 * MIN)]);
    assert_eq!(Instant::now() - t0, 15 * MIN);

    // The end is journaled and sent, with the monotonic elapsed time.
    let event = next_event(&mut conn.up).await;
    let Some(agent_event::Kind::SessionEnded(ended)) = &event.kind else {
        panic!("{event:?}")
    };
    assert_eq!(ended.reason, EndReason::TimeUp as i32);
    assert_eq!(ended.elapsed_ms, Some(15 * 60_000));

    // A reconnect whose Welcome still carries that lease does not unlock,
    // and the unacknowledged event is replayed.
    *h.welcome.lock().unwrap() = welcome(Some(lease("s1", 20)));
    drop(conn.down);
    let mut conn = h.conns.recv().await.unwrap();
    assert_eq!(conn.hello.boot_id, "boot");
    let again = next_event(&mut conn.up).await;
    assert_eq!(again.event_id, event.event_id);
    conn.down
        .send(Ok(ServerMessage {
            kind: Some(server_message::Kind::Ack(EventAck {
                event_ids: vec![event.event_id.clone()],
            })),
        }))
        .await
        .unwrap();
    loop {
        match h.shown.recv().await.unwrap() {
            UiEvent::Acked { pending, .. } => {
                assert_eq!(pending, 0);
                break;
            }
            UiEvent::State(s) => panic!("the screen changed to {s:?}"),
            _ => {}
        }
    }
    h.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_welcome_without_the_running_session_locks_and_shutdown_ends_a_session() {
    let mut h = start();
    let conn = h.conns.recv().await.unwrap();
    push(
        &conn,
        command::Kind::Start(StartSession {
            lease: Some(lease("s1", 45)),
        }),
    )
    .await;
    assert!(matches!(h.next_state().await, UiState::InSession(_)));
    // The server closed it while the link was down (a librarian).
    drop(conn.down);
    let mut conn = h.conns.recv().await.unwrap();
    assert_eq!(h.next_state().await, UiState::Locked);
    let ended = next_event(&mut conn.up).await;
    assert!(matches!(
        ended.kind,
        Some(agent_event::Kind::SessionEnded(ref e)) if e.session_id == "s1"
    ));

    // Shutdown in the middle of the next session ends it as restarted.
    push(
        &conn,
        command::Kind::Start(StartSession {
            lease: Some(lease("s2", 45)),
        }),
    )
    .await;
    assert!(matches!(h.next_state().await, UiState::InSession(_)));
    let _ = h.stop.take().unwrap().send(());
    assert_eq!(h.next_state().await, UiState::Locked);
    // (The unacknowledged end of s1 may come again first: it is replayed.)
    let e = loop {
        let event = next_event(&mut conn.up).await;
        match event.kind {
            Some(agent_event::Kind::SessionEnded(e)) if e.session_id == "s2" => break e,
            _ => {}
        }
    };
    assert_eq!(e.reason, EndReason::StationRestarted as i32);
    h.driver.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_session_replaced_by_another_locks_in_between() {
    let mut h = start();
    let mut conn = h.conns.recv().await.unwrap();
    for id in ["s1", "s2"] {
        push(
            &conn,
            command::Kind::Start(StartSession {
                lease: Some(lease(id, 45)),
            }),
        )
        .await;
    }
    let mut states = Vec::new();
    while states.len() < 3 {
        states.push(match h.next_state().await {
            UiState::InSession(v) => v.session_id,
            UiState::Locked => "locked".into(),
            other => panic!("{other:?}"),
        });
    }
    assert_eq!(states, ["s1", "locked", "s2"]);
    let event = next_event(&mut conn.up).await;
    let Some(agent_event::Kind::SessionEnded(e)) = event.kind else {
        panic!("{event:?}")
    };
    assert_eq!(
        (e.session_id.as_str(), e.reason),
        ("s1", EndReason::Librarian as i32)
    );
    h.stop().await;
}
