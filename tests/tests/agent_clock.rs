//! A lease deadline does not move when the PC's wall clock changes.
//!
//! The agent runs under libfaketime (Debian package `faketime`) with its
//! wall clock read from a file the test rewrites mid-session: three hours
//! forward in one session, three hours back in the next. The monotonic
//! clock is left alone (`FAKETIME_DONT_FAKE_MONOTONIC=1`), as it is when
//! someone changes a real PC's clock. Both sessions still lock on time, and
//! the server's records end exactly at the lease ends. The events' own
//! wall-clock stamps prove the fake clock was in force.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::agent::{AgentProcess, enroll_station, libfaketime, tools_required};
use bilik_tests::*;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LEASE: Duration = Duration::from_secs(3);
const HOUR_MS: i64 = 3_600_000;

fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn the_deadline_ignores_wall_clock_jumps() {
    let Some(lib) = libfaketime() else {
        let msg = "libfaketime not found: install the Debian package `faketime`";
        if tools_required() {
            panic!("{msg} (BILIK_E2E=require)");
        }
        eprintln!("\n*** SKIPPED the_deadline_ignores_wall_clock_jumps: {msg} ***\n");
        return;
    };
    let server = TestServer::start_with(&["session.lease_seconds=3"]).await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("PC-01");
    enroll_station(&server, "PC-01", &state).await;
    let clock = dir.path().join("faketime.rc");
    std::fs::write(&clock, "+0\n").unwrap();
    let env = [
        ("LD_PRELOAD", lib.to_str().unwrap()),
        ("FAKETIME_TIMESTAMP_FILE", clock.to_str().unwrap()),
        ("FAKETIME_NO_CACHE", "1"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
    ];
    let mut agent = AgentProcess::start_with_env(&state, &[], &env).await;
    let station_id = agent.link("connected").await.str("station_id").to_owned();

    for (card, jump, offset_ms) in [("0001", "+3h", 3 * HOUR_MS), ("0002", "-3h", -3 * HOUR_MS)] {
        agent.send(&format!("login {card}")).await;
        let open = agent
            .next("unlocked", |v| {
                v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
            })
            .await;
        std::fs::write(&clock, format!("{jump}\n")).unwrap();
        let locked = agent.state("locked").await;
        let held = locked.at - open.at;
        assert!(
            held >= LEASE - Duration::from_millis(500)
                && held <= LEASE + Duration::from_millis(600),
            "clock {jump}: locked {held:?} after unlocking"
        );
        // The record ends exactly at the lease end.
        let session = wait_for("the session to end", || async {
            let mut admin = server.admin().await;
            admin
                .sessions()
                .await
                .into_iter()
                .find(|s| s.card == card && s.ended_at_ms != 0)
        })
        .await;
        assert_eq!(
            EndReason::try_from(session.end_reason).unwrap(),
            EndReason::TimeUp
        );
        assert_eq!(session.ended_at_ms, session.ends_at_ms);
        // The agent's wall clock really was off by `jump` when it locked.
        let event = wait_for("the SessionEnded event", || async {
            server
                .app
                .store_for_tests()
                .station_events(&station_id)
                .unwrap()
                .into_iter()
                .find(|e| {
                    matches!(&e.kind, Some(agent_event::Kind::SessionEnded(s))
                        if s.session_id == session.session_id)
                })
        })
        .await;
        let skew = event.at_ms - real_now_ms();
        assert!(
            (skew - offset_ms).abs() < 60_000,
            "the agent's clock was off by {skew} ms, expected about {offset_ms}"
        );
        std::fs::write(&clock, "+0\n").unwrap();
    }
    server.stop().await;
}
