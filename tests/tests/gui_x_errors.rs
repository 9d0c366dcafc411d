//! The lock screen's repairer and windows that vanish under it, under
//! Xvfb and openbox with the real server and the real `bilik-agent service`:
//! while locked, a client creates, maps and destroys small top-level and
//! override-redirect windows over the screen in a tight loop, in bursts
//! (`x11-intruder churn`: 200 ms on, 400 ms off, so the lock can be
//! verified between them; a flood without pauses is a lock that cannot be
//! verified, and is replaced by design). The repairer looks at every window
//! above the lock and lowers it, so many of its requests name a window
//! that is already gone: a BadWindow each. Those errors are the repairer's
//! own; none may reach eframe's connection (where winit would hand it to
//! glutin and eframe would exit). So afterwards the lock screen is the
//! same process, verified again, on screen, and the log holds no exit, no
//! kill and no panic.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::gui::{GuiStation, LockedStation, artifacts_dir, poll};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_vanishing_under_the_repairer_do_not_end_the_lock_screen() {
    let Some(LockedStation {
        agent,
        display,
        station: _station,
    }) = GuiStation::start_locked("gui_x_errors", &[], "PC-31", &[]).await
    else {
        return;
    };
    let pid = agent.ui_pid();
    let standby = agent.standby_pid();
    for round in 1..=3 {
        let made = display.churn(3000);
        assert!(made > 100, "round {round}: only {made} windows");
        // The repairer saw them (it lowered some) and the lock is back.
        let path = artifacts_dir().join(format!("gui_x_errors-{round:02}-after.png"));
        poll("the lock on screen after the churn", || {
            display.screenshot(&path).is_lock_screen()
        });
        let log = agent.log_text();
        assert!(
            log.contains("window(s) over the lock window"),
            "round {round}: the repairer never saw the windows:\n{log}"
        );
        assert_eq!(
            agent.ui_pid(),
            pid,
            "round {round}: a new lock screen:\n{log}"
        );
        for bad in [
            "killing the lock screen",
            "lock screen exited",
            "panicked",
            "the lock screen closed its connection",
        ] {
            assert!(
                !log.contains(bad),
                "round {round}: {bad:?} in the log:\n{log}"
            );
        }
        if let Some(standby) = standby {
            assert!(
                std::fs::read_to_string(format!("/proc/{standby}/stat"))
                    .is_ok_and(|s| !s.contains(") Z ")),
                "round {round}: the standby died:\n{log}"
            );
        }
    }
    // Verified again with the X server after the last round.
    let verified = agent
        .log_text()
        .matches("lock-screen window verified again")
        .count();
    assert!(verified >= 1, "{}", agent.log_text());
    drop(agent);
    drop(display);
}
