//! Killing the lock screen, under Xvfb + openbox with the real server and
//! the real `bilik-agent service`: during a session the patron's user sends
//! the lock-screen process (`bilik-agent ui`) SIGKILL, SIGTERM, then
//! SIGSTOP, then SIGKILL twice in a row. Each time the service notices (the process exited, or its
//! heartbeat stopped: the stopped process is killed, not waited for),
//! reports tampering to the server, takes the session away (ended on the
//! server as `station_restarted`) and starts a new lock screen, which the
//! screen shows (screenshot).
//!
//! Each attack prints `BENCH attack=<name> covered_ms=<n>` (from the signal
//! to the first screenshot showing nothing but the lock: the lock screen or
//! the service's curtain), `lock_back_ms=<n>` (to the lock screen itself)
//! and `uncovered_after=<n>` (screenshots in between showing anything
//! else); see BENCHMARKS.md.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{GuiStation, LockedStation, artifacts_dir, poll, wait_tamper};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_stopped_or_terminated_lock_screen_takes_the_session_away() {
    // Every field bound by name: what is not bound would be dropped (and
    // the server killed) at the end of this statement.
    let Some(LockedStation {
        agent,
        display,
        station:
            GuiStation {
                mut admin,
                server: _server,
                dir: _dir,
                ..
            },
    }) = GuiStation::start_locked("gui_kill_attacks", &[], "PC-12", &[]).await
    else {
        return;
    };

    let attacks = [
        ("kill-9", "KILL", "exited (signal: 9"),
        ("sigterm", "TERM", "exited (signal: 15"),
        ("sigstop", "STOP", "stopped answering"),
        // Last (it adds a lock screen of its own): the replacement is
        // killed too the moment it connects, so the next one is a cold
        // start, not the warm standby.
        ("kill-9-twice", "KILL", "exited (signal: 9"),
    ];
    for (n, (name, signal, report)) in attacks.iter().enumerate() {
        // A session: the countdown replaces the lock.
        admin
            .client
            .unlock_station(admin.req(UnlockStationRequest {
                station: "PC-12".into(),
                who: Some(unlock_station_request::Who::Card("1001".into())),
                minutes: 0,
                purpose: "Belajar/Tugas".into(),
            }))
            .await
            .unwrap();
        agent.wait_log("keyboard and pointer released", n + 1);
        let path = artifacts_dir().join(format!("kill-{name}-session.png"));
        poll("the countdown instead of the lock", || {
            !display.screenshot(&path).is_lock_screen()
        });
        let pid = agent.ui_pid();

        let t0 = Instant::now();
        let at = chrono::Utc::now();
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut new = agent.wait_new_ui(pid);
        assert_ne!(new, pid);
        if *name == "kill-9-twice" {
            let status = std::process::Command::new("kill")
                .args(["-KILL", &new.to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let second = agent.wait_new_ui(new);
            assert_ne!(second, new);
            new = second;
        }
        let seen = display.wait_covered(&format!("kill-{name}-locked.png"), t0);
        seen.print(name);
        // From the log: the new lock screen connected, then grabbed (its
        // lock verified with the X server), counted from the signal.
        agent.wait_log("keyboard and pointer grabbed", n + 2);
        let log = agent.log_text();
        let stamp = |l: &str| -> chrono::DateTime<chrono::Utc> {
            let t = l.split_whitespace().next().unwrap();
            chrono::DateTime::parse_from_rfc3339(t).unwrap().into()
        };
        let mut lines = log
            .lines()
            .skip_while(|l| !l.contains(&format!("lock screen connected pid={new}")));
        let connected = stamp(lines.next().unwrap());
        let grabbed = stamp(
            lines
                .find(|l| l.contains("keyboard and pointer grabbed"))
                .unwrap(),
        );
        let ms = |t: chrono::DateTime<chrono::Utc>| (t - at).num_milliseconds();
        println!("BENCH attack={name} restarted_ms={}", ms(connected));
        println!("BENCH attack={name} verified_ms={}", ms(grabbed));

        // The old process is gone (a stopped one was killed, not waited for).
        poll("the old lock screen gone", || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |s| s.contains(") Z "))
        });
        // The server was told, and the session was taken away.
        let told = wait_tamper(&mut admin, report).await;
        assert!(told.starts_with("PC-12: "), "{told}");
        let mut ended = 0;
        for _ in 0..100 {
            ended = admin
                .sessions()
                .await
                .iter()
                .filter(|s| {
                    s.card == "1001"
                        && s.ended_at_ms != 0
                        && s.end_reason == EndReason::StationRestarted as i32
                })
                .count();
            if ended > n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(ended, n + 1, "the session was not ended on the server");
        agent.wait_log("keyboard and pointer grabbed", n + 2);
    }
    drop(agent);
    drop(display);
}
