//! A starved lock screen, under Xvfb + openbox with the real server and the
//! real `bilik-agent service`: the lock-screen process is made slow with
//! the test knob `BILIK_UI_TEST_BUSY_MS` (its repair thread computes for a
//! while every 3 s and writes no status line: silent past the 750 ms
//! heartbeat timeout, but running, as a lock screen starved of CPU looks).
//!
//! - Silent 2 s at a time (under the 5 s `lock.slow_ms` bound), locked and
//!   then in a session: the service waits for it ("waiting for a slow lock
//!   screen"), the same process stays, the screen shows only the lock, no
//!   tamper report reaches the server and the session goes on.
//! - Silent 4 s at a time with `lock.slow_ms=2000`: replaced once the bound
//!   passes, with a tamper report "did not answer ... though running".
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{
    GuiStation, LockedStation, artifacts_dir, poll, tamper_reports, wait_tamper,
};

/// The test knob (`agent/src/ui/gui/repair.rs`).
const BUSY: &str = "BILIK_UI_TEST_BUSY_MS";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_lock_screen_is_waited_for_and_a_silent_one_replaced_after_the_bound() {
    if !slow_but_answering().await {
        return;
    }
    never_answering().await;
}

/// The first half (see the module docs); false when the test skips.
async fn slow_but_answering() -> bool {
    let Some(LockedStation {
        agent,
        display,
        mut station,
    }) = GuiStation::start_locked_env("gui_slow_ui", &[], "PC-21", &[], &[(BUSY, "2000")]).await
    else {
        return false;
    };
    let pid = agent.ui_pid();
    // Locked: two stalls, each waited for.
    agent.wait_log("waiting for a slow lock screen", 2);
    let shot = display.screenshot(&artifacts_dir().join("gui_slow_ui-01-locked.png"));
    assert!(shot.shows_only_the_lock(), "{}", shot.path.display());
    // A session: the countdown, and two more stalls.
    station
        .admin
        .client
        .unlock_station(station.admin.req(UnlockStationRequest {
            station: "PC-21".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("keyboard and pointer released", 1);
    let seen = agent
        .log_text()
        .matches("waiting for a slow lock screen")
        .count();
    agent.wait_log("waiting for a slow lock screen", seen + 2);
    let path = artifacts_dir().join("gui_slow_ui-02-session.png");
    poll("the countdown instead of the lock", || {
        !display.screenshot(&path).is_lock_screen()
    });
    // The same process all along, never killed, nothing reported, the
    // session still running on the server.
    assert_eq!(agent.ui_pid(), pid);
    let log = agent.log_text();
    assert!(!log.contains("killing the lock screen"), "{log}");
    assert!(!log.contains("lock screen tampered with"), "{log}");
    assert!(log.contains("no heartbeat for"), "{log}");
    let reports = tamper_reports(&mut station.admin).await;
    assert!(reports.is_empty(), "{reports:?}");
    let sessions = station.admin.sessions().await;
    assert!(
        sessions
            .iter()
            .any(|s| s.card == "1001" && s.ended_at_ms == 0),
        "{sessions:?}"
    );
    drop(agent);
    drop(display);
    true
}

/// The second half (see the module docs).
async fn never_answering() {
    let Some(LockedStation {
        agent,
        display,
        mut station,
    }) = GuiStation::start_locked_env(
        "gui_slow_ui",
        &[],
        "PC-22",
        &["lock.slow_ms=2000"],
        &[(BUSY, "4000")],
    )
    .await
    else {
        return;
    };
    let pid = agent.ui_pid();
    let told = wait_tamper(&mut station.admin, "though running").await;
    assert!(told.contains("bound 2000 ms"), "{told}");
    let new = agent.wait_new_ui(pid);
    assert_ne!(new, pid);
    agent.wait_log("waiting for a slow lock screen", 1);
    agent.wait_log("keyboard and pointer grabbed", 2);
    let path = artifacts_dir().join("gui_slow_ui-03-replaced.png");
    poll("the lock on screen after the replacement", || {
        display.screenshot(&path).shows_only_the_lock()
    });
    drop(agent);
    drop(display);
}
