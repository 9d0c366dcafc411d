//! Tests of the link task with a fake transport, on paused tokio time (no
//! I/O, so the paused clock only moves when every task waits on a timer).
#![allow(clippy::unwrap_used)]

use super::*;
use bilik_proto::v1::{EventAck, Settings, Tamper, agent_event, command};
use tokio_stream::wrappers::ReceiverStream;

/// One attach as the fake server sees it.
struct Conn {
    /// What the agent said first.
    hello: Hello,
    /// What the agent sends afterwards.
    up: mpsc::Receiver<AgentMessage>,
    /// Where the fake server pushes; dropping it ends the stream.
    down: mpsc::Sender<Result<ServerMessage, tonic::Status>>,
}

/// A transport whose attach attempts are scripted: it fails while
/// `failures` says so, and otherwise hands the connection to the test.
struct Fake {
    /// Attempts, with the (paused) time each was made.
    attempts: Arc<Mutex<Vec<Instant>>>,
    /// How many upcoming attempts fail.
    failures: Arc<Mutex<u32>>,
    /// Where successful attaches go.
    conns: mpsc::UnboundedSender<Conn>,
}

impl Connector for Fake {
    async fn attach(&mut self, hello: Hello) -> Result<Attached, LinkError> {
        self.attempts.lock().unwrap().push(Instant::now());
        {
            let mut failures = self.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(LinkError::Closed);
            }
        }
        let (up, up_rx) = mpsc::channel(64);
        let (down_tx, down_rx) = mpsc::channel(64);
        self.conns
            .send(Conn {
                hello,
                up: up_rx,
                down: down_tx,
            })
            .unwrap();
        Ok(Attached {
            welcome: Welcome {
                server_time_ms: 1,
                station_id: "st_1".into(),
                station_name: "PC-01".into(),
                settings: Some(Settings {
                    heartbeat_seconds: 5,
                    ..Default::default()
                }),
                lease: None,
                maintenance: false,
                hold: None,
            },
            up,
            down: Box::pin(ReceiverStream::new(down_rx)),
            rpc: None,
        })
    }
}

/// The pieces a test drives.
struct Harness {
    /// The link under test.
    handle: LinkHandle,
    /// What it tells the (absent) driver.
    events: mpsc::Receiver<LinkEvent>,
    /// The state it reports, as the driver would publish it.
    status: watch::Sender<Reported>,
    /// When each attach was attempted.
    attempts: Arc<Mutex<Vec<Instant>>>,
    /// How many upcoming attempts fail.
    failures: Arc<Mutex<u32>>,
    /// The successful attaches, as the fake server sees them.
    conns: mpsc::UnboundedReceiver<Conn>,
}

fn start(backoff: Backoff, failures: u32, healthy_after: Duration) -> Harness {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(failures));
    let (conns_tx, conns) = mpsc::unbounded_channel();
    let fake = Fake {
        attempts: attempts.clone(),
        failures: failures.clone(),
        conns: conns_tx,
    };
    let (status, status_rx) = watch::channel(Reported {
        state: StationState::Locked,
        session_id: String::new(),
    });
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let config = LinkConfig {
        boot_id: "boot-1".into(),
        agent_version: "test".into(),
        hostname: "host".into(),
        os: "os".into(),
        backoff,
        heartbeat: None,
        healthy_after,
    };
    let handle = spawn(fake, config, status_rx, events_tx, None);
    Harness {
        handle,
        events,
        status,
        attempts,
        failures,
        conns,
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The next message from the agent that is not a heartbeat.
async fn next_non_heartbeat(up: &mut mpsc::Receiver<AgentMessage>) -> agent_message::Kind {
    loop {
        match up.recv().await.unwrap().kind.unwrap() {
            agent_message::Kind::Heartbeat(_) => continue,
            other => return other,
        }
    }
}

async fn next_heartbeat(up: &mut mpsc::Receiver<AgentMessage>) -> Heartbeat {
    match up.recv().await.unwrap().kind.unwrap() {
        agent_message::Kind::Heartbeat(hb) => hb,
        other => panic!("expected a heartbeat, got {other:?}"),
    }
}

fn tamper(id: &str) -> AgentEvent {
    AgentEvent {
        event_id: id.into(),
        at_ms: 1,
        kind: Some(agent_event::Kind::Tamper(Tamper { detail: "x".into() })),
    }
}

#[tokio::test(start_paused = true)]
async fn with_the_server_down_attempts_spread_out_and_stop_growing_at_the_cap() {
    let backoff = Backoff::new(ms(500), Duration::from_secs(30), 0.5)
        .unwrap()
        .with_seed(7);
    let mut h = start(backoff, u32::MAX, Duration::from_secs(60));
    let mut announced = Vec::new();
    while announced.len() < 16 {
        match h.events.recv().await.unwrap() {
            LinkEvent::State(LinkState::Backoff {
                attempt, retry_in, ..
            }) => {
                assert_eq!(attempt as usize, announced.len() + 1);
                announced.push(retry_in);
            }
            LinkEvent::State(LinkState::Connecting { attempt }) => {
                assert_eq!(attempt as usize, announced.len() + 1);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // Wait for the attempt after the last announced delay.
    while h.attempts.lock().unwrap().len() < 17 {
        match h.events.recv().await.unwrap() {
            LinkEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let attempts = h.attempts.lock().unwrap().clone();
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    // Each gap is the delay the link announced (tokio's timer rounds it up
    // to the millisecond).
    for (gap, said) in gaps.iter().zip(&announced) {
        assert!(*gap >= *said && *gap - *said < ms(1), "{gap:?} vs {said:?}");
    }
    // The first retry is quick, then they spread out ...
    assert!(gaps[0] >= ms(500) && gaps[0] <= ms(750), "{gaps:?}");
    assert!(gaps[3] > gaps[0] * 2, "{gaps:?}");
    // ... and stop growing at the cap (jitter keeps them apart there too).
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(30)),
        "{gaps:?}"
    );
    let tail = &gaps[10..];
    assert!(
        tail.iter().all(|g| *g >= Duration::from_secs(15)),
        "{gaps:?}"
    );
    assert!(tail.iter().any(|g| *g != tail[0]), "no jitter: {gaps:?}");
    h.handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn hello_heartbeats_commands_acks_and_a_reconnect_with_the_same_boot_id() {
    let backoff = Backoff::new(ms(500), ms(500), 0.0).unwrap();
    let mut h = start(backoff, 0, Duration::from_secs(3600));
    assert!(matches!(
        h.events.recv().await.unwrap(),
        LinkEvent::State(LinkState::Connecting { attempt: 1 })
    ));
    let mut conn = h.conns.recv().await.unwrap();
    assert_eq!(conn.hello.boot_id, "boot-1");
    assert_eq!(conn.hello.state, StationState::Locked as i32);
    let LinkEvent::Up { welcome, rpc } = h.events.recv().await.unwrap() else {
        panic!("expected Up")
    };
    assert_eq!(welcome.station_name, "PC-01");
    assert!(rpc.is_none());

    // A heartbeat at once, then every 5 s (the Welcome's interval).
    let t0 = Instant::now();
    assert_eq!(
        next_heartbeat(&mut conn.up).await.state,
        StationState::Locked as i32
    );
    next_heartbeat(&mut conn.up).await;
    assert_eq!(Instant::now() - t0, Duration::from_secs(5));

    // A state change is reported at once.
    h.status.send_replace(Reported {
        state: StationState::InSession,
        session_id: "s-1".into(),
    });
    let hb = next_heartbeat(&mut conn.up).await;
    assert_eq!(hb.state, StationState::InSession as i32);
    assert_eq!(hb.session_id, "s-1");
    assert_eq!(Instant::now() - t0, Duration::from_secs(5));

    // Commands and acks come down to the driver; events go up.
    let cmd = Command {
        command_id: "c1".into(),
        kind: Some(command::Kind::Extend(Default::default())),
    };
    conn.down
        .send(Ok(ServerMessage {
            kind: Some(server_message::Kind::Command(cmd.clone())),
        }))
        .await
        .unwrap();
    match h.events.recv().await.unwrap() {
        LinkEvent::Command(got) => assert_eq!(got, cmd),
        other => panic!("expected the command, got {other:?}"),
    }
    conn.down
        .send(Ok(ServerMessage {
            kind: Some(server_message::Kind::Ack(EventAck {
                event_ids: vec!["e1".into()],
            })),
        }))
        .await
        .unwrap();
    match h.events.recv().await.unwrap() {
        LinkEvent::Ack(ids) => assert_eq!(ids, ["e1"]),
        other => panic!("expected the ack, got {other:?}"),
    }
    h.handle.send(vec![tamper("e2"), tamper("e3")]);
    for id in ["e2", "e3"] {
        match next_non_heartbeat(&mut conn.up).await {
            agent_message::Kind::Event(e) => assert_eq!(e.event_id, id),
            other => panic!("expected event {id}, got {other:?}"),
        }
    }

    // The server goes away: backoff, then a new attach with the same boot
    // id and the current state.
    *h.failures.lock().unwrap() = 1;
    drop(conn);
    match h.events.recv().await.unwrap() {
        LinkEvent::State(LinkState::Backoff {
            attempt, retry_in, ..
        }) => {
            assert_eq!(attempt, 1);
            assert_eq!(retry_in, ms(500));
        }
        other => panic!("expected backoff, got {other:?}"),
    }
    // Events handed over while down are dropped (the journal replays them).
    h.handle.send(vec![tamper("while-down")]);
    loop {
        match h.events.recv().await.unwrap() {
            LinkEvent::Up { .. } => break,
            LinkEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut conn = h.conns.recv().await.unwrap();
    assert_eq!(conn.hello.boot_id, "boot-1");
    assert_eq!(conn.hello.state, StationState::InSession as i32);
    assert_eq!(conn.hello.session_id, "s-1");
    h.handle.send(vec![tamper("after")]);
    match next_non_heartbeat(&mut conn.up).await {
        agent_message::Kind::Event(e) => assert_eq!(e.event_id, "after"),
        other => panic!("expected the new event, got {other:?}"),
    }
    h.handle.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_healthy_connection_resets_the_backoff_and_a_flapping_one_does_not() {
    let backoff = Backoff::new(ms(500), Duration::from_secs(30), 0.0).unwrap();
    let mut h = start(backoff, 3, Duration::from_secs(10));
    let mut delays = Vec::new();
    let mut conn = loop {
        match h.events.recv().await.unwrap() {
            LinkEvent::State(LinkState::Backoff { retry_in, .. }) => delays.push(retry_in),
            LinkEvent::Up { .. } => break h.conns.recv().await.unwrap(),
            LinkEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(delays, [ms(500), ms(1000), ms(2000)]);
    // Dropped at once: not healthy, the delays keep growing.
    drop(conn.down);
    conn = loop {
        match h.events.recv().await.unwrap() {
            LinkEvent::State(LinkState::Backoff { retry_in, .. }) => {
                assert_eq!(retry_in, ms(4000));
            }
            LinkEvent::Up { .. } => break h.conns.recv().await.unwrap(),
            LinkEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    // Up for longer than healthy_after: the next delay is the minimum again.
    tokio::time::sleep(Duration::from_secs(11)).await;
    drop(conn.down);
    loop {
        match h.events.recv().await.unwrap() {
            LinkEvent::State(LinkState::Backoff {
                retry_in, attempt, ..
            }) => {
                assert_eq!((retry_in, attempt), (ms(500), 1));
                break;
            }
            LinkEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    h.handle.stop().await;
}
