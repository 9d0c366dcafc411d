//! The real `bilik-agent` binary (headless) against the real server
//! in-process: card logins, lease ends, librarian commands, restarts.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::agent::{
    AgentProcess, AtTheLockScreen, andi_at_the_lock_screen, control, enroll_station, start_enrolled,
};
use bilik_tests::*;
use std::time::Duration;

fn reason(s: &SessionInfo) -> EndReason {
    EndReason::try_from(s.end_reason).unwrap()
}

#[tokio::test]
async fn card_login_unlocks_then_the_deadline_locks_and_the_server_records_time_up() {
    let server = TestServer::start_with(&["session.lease_seconds=2"]).await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen {
        mut agent,
        station_id,
        ..
    } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    // Fail closed: the lock screen was the very first line, before any link line.
    assert_eq!(agent.seen[0].json["event"], "state");
    assert_eq!(agent.seen[0].str("state"), "locked");
    let settings = agent.event("settings").await;
    assert_eq!(settings.str("library_name"), "Perpustakaan Uji");

    agent.send("login 0001").await;
    let open = agent.unlocked().await;
    assert_eq!(open.str("patron"), "Andi Pratama");
    let remaining = open.u64("remaining_ms");
    assert!((1500..=2000).contains(&remaining), "{remaining}");
    // The server sees the state change (a heartbeat at once) and the metrics.
    let view = wait_for("the server to see the session", || async {
        let view = server.admin().await.station(&station_id).await;
        (view.state != StationState::Locked as i32).then_some(view)
    })
    .await;
    let metrics = view.metrics.unwrap();
    assert!(metrics.memory_total_bytes > 0, "{metrics:?}");
    assert!(!metrics.os.is_empty(), "{metrics:?}");

    let locked = agent.state("locked").await;
    let took = locked.at - open.at;
    assert!(
        took >= Duration::from_millis(1500) && took <= Duration::from_millis(2600),
        "locked {took:?} after unlocking"
    );
    // The server's record ends with time_up exactly at the lease end (its
    // clock stands still: the agent's journaled event closed it).
    let session = server.ended_session().await;
    assert_eq!(reason(&session), EndReason::TimeUp);
    assert_eq!(session.ended_at_ms, session.ends_at_ms);
    assert_eq!(session.purpose, "Belajar/Tugas");
    let acked = agent
        .next("the ack", |v| v["event"] == "acked" && v["pending"] == 0)
        .await;
    assert_eq!(acked.json["event_ids"].as_array().unwrap().len(), 1);
    let events = server
        .app
        .store_for_tests()
        .station_events(&station_id)
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        Some(agent_event::Kind::SessionEnded(s)) if s.reason == EndReason::TimeUp as i32
    )));
    server.stop().await;
}

#[tokio::test]
async fn librarian_unlock_extend_message_and_end_reach_the_headless_station() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen {
        mut admin,
        mut agent,
        ..
    } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;

    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::Card("0001".into())),
            minutes: 0,
            purpose: String::new(),
        }))
        .await
        .unwrap();
    let open = agent.unlocked().await;
    assert_eq!(open.str("state"), "in_session");
    let before = open.u64("remaining_ms");
    assert!(before > 44 * 60_000 && before <= 45 * 60_000, "{before}");

    admin
        .client
        .extend_session(admin.req(ExtendSessionRequest {
            station: "PC-01".into(),
            minutes: 15,
        }))
        .await
        .unwrap();
    let extended = agent.state("in_session").await;
    let after = extended.u64("remaining_ms");
    let moved = after as i64 - before as i64;
    assert!(
        (14 * 60_000..=15 * 60_000).contains(&moved),
        "deadline moved by {moved} ms"
    );

    let delivered = admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "PC-01".into(),
            text: "Perpustakaan tutup 15 menit lagi".into(),
        }))
        .await
        .unwrap()
        .into_inner()
        .delivered;
    assert!(delivered);
    let msg = agent.event("message").await;
    assert_eq!(msg.str("text"), "Perpustakaan tutup 15 menit lagi");
    assert_eq!(msg.str("from"), "admin");

    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-01".into(),
        }))
        .await
        .unwrap();
    agent.state("locked").await;
    let session = server.ended_session().await;
    assert_eq!(reason(&session), EndReason::Librarian);
    assert_eq!(session.extensions, 1);
    server.stop().await;
}

#[tokio::test]
async fn maintenance_makes_logins_fail_with_the_maintenance_reason() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen {
        mut admin,
        mut agent,
        ..
    } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    agent.send("login 0001").await;
    agent.unlocked().await;

    let set = |on: bool| SetMaintenanceRequest {
        station: "PC-01".into(),
        on,
    };
    admin
        .client
        .set_maintenance(admin.req(set(true)))
        .await
        .unwrap();
    agent.state("maintenance").await;
    assert_eq!(
        reason(&server.ended_session().await),
        EndReason::Maintenance
    );

    agent.send("login 0002").await;
    let refused = agent.event("refusal").await;
    assert_eq!(refused.str("code"), "MAINTENANCE");
    assert!(
        refused.str("text").contains("perbaikan"),
        "{:?}",
        refused.json
    );

    admin
        .client
        .set_maintenance(admin.req(set(false)))
        .await
        .unwrap();
    agent.state("locked").await;
    agent.send("login 0002").await;
    assert_eq!(agent.unlocked().await.str("patron"), "Budi Santoso");
    server.stop().await;
}

#[tokio::test]
async fn a_maintenance_station_refuses_logins_after_a_restart_too() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen {
        mut admin,
        mut agent,
        ..
    } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-01".into(),
            on: true,
        }))
        .await
        .unwrap();
    agent.state("maintenance").await;
    agent.kill9().await;
    // The Welcome says maintenance: the restarted agent shows it.
    let mut agent = AgentProcess::start(&agent.state_dir, &[]).await;
    agent.state("maintenance").await;
    agent.send("login 0001").await;
    assert_eq!(agent.event("refusal").await.str("code"), "MAINTENANCE");
    server.stop().await;
}

#[tokio::test]
async fn sigkill_mid_session_then_restart_comes_up_locked_and_the_server_ends_it_as_restarted() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen { mut agent, .. } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    agent.send("login 0001").await;
    agent.unlocked().await;
    agent.kill9().await;

    let mut agent = AgentProcess::start(&agent.state_dir, &[]).await;
    assert_eq!(agent.any_state().await.str("state"), "locked");
    agent.link("connected").await;
    let session = server.ended_session().await;
    assert_eq!(reason(&session), EndReason::StationRestarted);
    // Nothing unlocks it: the server gave no lease back.
    agent.event("settings").await;
    assert!(
        !agent.saw(|v| v["event"] == "state" && v["state"] != "locked"),
        "{:?}",
        agent.seen
    );
    // It takes the next patron normally.
    agent.send("login 0001").await;
    agent.unlocked().await;
    server.stop().await;
}

#[tokio::test]
async fn sigterm_mid_session_ends_it_as_restarted_at_that_time_and_exits_cleanly() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen { mut agent, .. } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    agent.send("login 0001").await;
    agent.unlocked().await;
    assert_eq!(agent.terminate().await, Some(0));
    // Its journaled event reached the server before it exited.
    let session = server.ended_session().await;
    assert_eq!(reason(&session), EndReason::StationRestarted);
    let ran = session.ended_at_ms - session.started_at_ms;
    assert!((0..5_000).contains(&ran), "{ran}");
    assert!(!agent.state_dir.join("control.sock").exists());
    server.stop().await;
}

#[tokio::test]
async fn failing_and_hanging_hooks_are_reported_and_the_station_still_locks() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let hooks = r#"hooks.session_end=[
        { name = "wipe", command = ["sh", "-c", "echo cannot wipe Downloads >&2; exit 3"] },
        { name = "hang", command = ["sleep", "30"], timeout_ms = 700 },
    ]"#;
    let AtTheLockScreen {
        mut admin,
        mut agent,
        station_id,
    } = andi_at_the_lock_screen(&server, dir.path(), &["--set", hooks]).await;
    admin.add_member("0002", "Budi Santoso", "2027-12-31").await;
    agent.send("login 0001").await;
    agent.unlocked().await;
    agent.send("logout").await;
    let locked = agent.state("locked").await;
    assert_eq!(reason(&server.ended_session().await), EndReason::Logout);

    // A librarian unlocks at once for the next patron: the screen stays
    // locked until the cleanup is over (the hanging hook timed out).
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-01".into(),
            who: Some(unlock_station_request::Who::Card("0002".into())),
            minutes: 0,
            purpose: String::new(),
        }))
        .await
        .unwrap();
    let wipe = agent.event("hook_failed").await;
    assert_eq!(wipe.str("hook"), "wipe");
    assert_eq!(wipe.json["exit_code"], 3);
    assert!(
        wipe.str("detail").contains("cannot wipe"),
        "{:?}",
        wipe.json
    );
    let hang = agent.event("hook_failed").await;
    assert_eq!(hang.str("hook"), "hang");
    assert_eq!(hang.json["timed_out"], true);
    assert!(wipe.at >= locked.at);
    let next = agent.unlocked().await;
    assert_eq!(next.str("patron"), "Budi Santoso");
    assert!(next.at >= hang.at);
    assert!(
        !agent
            .seen
            .iter()
            .skip_while(|l| l.at < locked.at)
            .take_while(|l| l.at < hang.at)
            .any(|l| l.json["event"] == "state" && l.json["state"] != "locked"),
        "unlocked while the cleanup ran: {:?}",
        agent.seen
    );

    // Both failures reached the server.
    let failures = wait_for("both hook failures on the server", || async {
        let events = server
            .app
            .store_for_tests()
            .station_events(&station_id)
            .unwrap();
        let failures: Vec<HookFailed> = events
            .into_iter()
            .filter_map(|e| match e.kind {
                Some(agent_event::Kind::HookFailed(h)) => Some(h),
                _ => None,
            })
            .collect();
        (failures.len() == 2).then_some(failures)
    })
    .await;
    let wipe = failures.iter().find(|h| h.hook == "wipe").unwrap();
    assert_eq!((wipe.exit_code, wipe.timed_out), (3, false));
    let hang = failures.iter().find(|h| h.hook == "hang").unwrap();
    assert!(hang.timed_out);
    let mut admin = server.admin().await;
    let first = admin
        .sessions()
        .await
        .into_iter()
        .find(|s| s.card == "0001")
        .unwrap();
    assert_eq!(reason(&first), EndReason::Logout);
    server.stop().await;
}

#[tokio::test]
async fn a_truncated_journal_is_reported_and_the_agent_runs() {
    let server = TestServer::start().await;
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("PC-01");
    enroll_station(&server, "PC-01", &state).await;
    // A record header promising 16 bytes, followed by 2: a torn write.
    std::fs::write(state.join("journal.log"), [16, 0, 0, 0, 1, 2, 3, 4, 9, 9]).unwrap();

    let mut agent = AgentProcess::start(&state, &[]).await;
    assert_eq!(agent.any_state().await.str("state"), "locked");
    let damaged = agent.event("journal_damaged").await;
    assert!(
        damaged.str("detail").contains("truncated"),
        "{:?}",
        damaged.json
    );
    let station_id = agent.link("connected").await.str("station_id").to_owned();
    // Reported to the server as tampering.
    wait_for("the damage report on the server", || async {
        let events = server.app.store_for_tests().station_events(&station_id).unwrap();
        events
            .into_iter()
            .find(|e| {
                matches!(&e.kind, Some(agent_event::Kind::Tamper(t)) if t.detail.contains("journal"))
            })
    })
    .await;
    // The damaged file was kept aside.
    let kept = std::fs::read_dir(&state)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("journal.log.damaged-")
        });
    assert!(kept);
    // And the station works.
    agent.send("login 0001").await;
    agent.unlocked().await;
    server.stop().await;
}

#[tokio::test]
async fn the_control_socket_takes_logins_and_logouts() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let AtTheLockScreen { mut agent, .. } = andi_at_the_lock_screen(&server, dir.path(), &[]).await;
    let state = agent.state_dir.clone();
    assert_eq!(control(&state, "login 9999").await, "ok");
    assert_eq!(agent.event("refusal").await.str("code"), "UNKNOWN_CARD");
    assert_eq!(control(&state, "login 0001 Mencari informasi").await, "ok");
    agent.unlocked().await;
    assert!(
        control(&state, "reboot")
            .await
            .starts_with("error: unknown command")
    );
    assert_eq!(control(&state, "logout").await, "ok");
    agent.state("locked").await;
    let session = server.ended_session().await;
    assert_eq!(reason(&session), EndReason::Logout);
    assert_eq!(session.purpose, "Mencari informasi");
    // A bad line on stdin is reported, not fatal.
    agent.send("hello").await;
    agent.event("input_error").await;
    server.stop().await;
}

#[tokio::test]
async fn power_commands_run_the_configured_command_or_are_refused() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("restarted");
    let restart = format!(
        "power.restart={{ command = [\"touch\", {:?}] }}",
        marker.display().to_string()
    );
    let (mut agent, _) = start_enrolled(&server, dir.path(), "PC-01", &["--set", &restart]).await;
    let mut admin = server.admin().await;
    let power = |action: PowerAction| PowerStationRequest {
        station: "PC-01".into(),
        action: action as i32,
    };
    admin
        .client
        .power_station(admin.req(power(PowerAction::Restart)))
        .await
        .unwrap();
    let ran = agent.event("power").await;
    assert_eq!(
        (ran.str("action"), ran.json["ran"].as_bool()),
        ("restart", Some(true))
    );
    assert!(marker.exists());
    admin
        .client
        .power_station(admin.req(power(PowerAction::Shutdown)))
        .await
        .unwrap();
    let refused = agent.event("power").await;
    assert_eq!(
        (refused.str("action"), refused.json["ran"].as_bool()),
        ("shutdown", Some(false))
    );
    server.stop().await;
}
