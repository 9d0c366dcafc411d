//! The real binaries as processes: the server is SIGKILLed during two
//! sessions. One patron keeps working until the lease ends and the station
//! locks on time by itself; the other logs out early while the server is
//! down. After the server restarts (same port, same data directory) the
//! journaled logout reaches it exactly once, and the record ends at the
//! logout time, not the reconnect time.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::agent::{AgentProcess, enroll};
use bilik_tests::process::ServerProcess;
use bilik_tests::*;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Leases of this many seconds on the real clock.
const LEASE_SECONDS: u64 = 6;

async fn signed_in(server: &ServerProcess, password: &str) -> Staff {
    Staff::sign_in(server.channel().await, "admin", password).await
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn server_killed_mid_session_then_restarted_on_the_same_port() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lease = format!("session.lease_seconds={LEASE_SECONDS}");
    let mut server = ServerProcess::start(&data, "127.0.0.1:0", &[&lease]).await;
    let password = server.admin_password.clone().unwrap();
    let mut admin = signed_in(&server, &password).await;
    admin.add_member("0001", "Andi Pratama", "2099-12-31").await;
    admin
        .add_member("0002", "Siti Rahmawati", "2099-12-31")
        .await;

    // Two enrolled agents, attached, each with a patron.
    let mut agents = Vec::new();
    for (name, card) in [("PC-01", "0001"), ("PC-02", "0002")] {
        let code = admin.enrollment_code(name).await;
        let state = dir.path().join(name);
        let (ok, out, err) = enroll(&server.url, &code, &state).await;
        assert!(ok, "{out}{err}");
        let mut agent = AgentProcess::start(&state, &[]).await;
        let station_id = agent.link("connected").await.str("station_id").to_owned();
        agent.send(&format!("login {card}")).await;
        let open = agent
            .next("unlocked", |v| {
                v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
            })
            .await;
        agents.push((agent, station_id, open));
    }
    let sessions = admin.sessions().await;
    assert_eq!(sessions.len(), 2);

    server.kill9().await;
    for (agent, _, _) in &mut agents {
        agent.link("backoff").await;
    }

    // PC-02's patron logs out early while the server is down.
    let (pc2, pc2_id, _) = &mut agents[1];
    let logout_ms = now_ms();
    pc2.send("logout").await;
    pc2.state("locked").await;
    let pc2_id = pc2_id.clone();

    // PC-01 keeps its patron until the lease ends, then locks on time.
    let (pc1, _, opened) = &mut agents[0];
    let next = pc1.any_state().await;
    assert_eq!(next.str("state"), "locked", "{:?}", pc1.seen);
    let held = next.at - opened.at;
    let lease_len = Duration::from_secs(LEASE_SECONDS);
    assert!(
        held >= lease_len - Duration::from_millis(500)
            && held <= lease_len + Duration::from_millis(700),
        "held the patron {held:?}"
    );

    // The server comes back on the same port with the same data.
    let listen = server.listen.clone();
    let restarted = ServerProcess::start(&data, &listen, &[&lease]).await;
    assert_eq!(restarted.url, server.url);
    for (agent, _, _) in &mut agents {
        agent.link("connected").await;
        agent
            .next("every journaled event acked", |v| {
                v["event"] == "acked" && v["pending"] == 0
            })
            .await;
    }
    let mut admin = signed_in(&restarted, &password).await;
    let sessions = admin.sessions().await;
    let by_card = |card: &str| sessions.iter().find(|s| s.card == card).unwrap().clone();
    let pc2_session = by_card("0002");
    assert_eq!(
        EndReason::try_from(pc2_session.end_reason).unwrap(),
        EndReason::Logout
    );
    let off = pc2_session.ended_at_ms - logout_ms;
    assert!(
        off.abs() < 700,
        "ended {off} ms from the logout (lease end is {} ms after the logout)",
        pc2_session.ends_at_ms - logout_ms
    );
    let pc1_session = by_card("0001");
    assert_eq!(
        EndReason::try_from(pc1_session.end_reason).unwrap(),
        EndReason::TimeUp
    );
    assert_eq!(pc1_session.ended_at_ms, pc1_session.ends_at_ms);
    // Neither station was unlocked again by the reconnect.
    for (agent, _, opened) in &agents {
        let after_lock = agent
            .seen
            .iter()
            .filter(|l| l.at > opened.at && l.json["event"] == "state")
            .skip_while(|l| l.json["state"] != "locked");
        for line in after_lock {
            assert_eq!(line.str("state"), "locked", "{:?}", agent.seen);
        }
    }

    // Exactly once: the server kept one SessionEnded event for PC-02's
    // session (read from its store after a clean stop).
    let mut restarted = restarted;
    assert_eq!(restarted.terminate().await, Some(0));
    let store = bilik_server::store::Store::open(&data).unwrap();
    let ended: Vec<SessionEnded> = store
        .station_events(&pc2_id)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            Some(agent_event::Kind::SessionEnded(s)) => Some(s),
            _ => None,
        })
        .filter(|s| s.session_id == pc2_session.session_id)
        .collect();
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0].reason, EndReason::Logout as i32);
    drop(server);
}
