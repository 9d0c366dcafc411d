//! The lock screen on a station with two monitors: Xvfb's screen split into
//! two RandR monitors, openbox, the real server process and the real agent
//! binary with `--ui gui`. Locked, the lock window sits on the main monitor
//! and a cover on the other; a card typed still reaches the lock window;
//! in session the cover goes; locked again, it comes back.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, artifacts_dir, poll};

/// Two 1024x768 monitors side by side.
const SCREEN: (u32, u32) = (2048, 768);
const LEFT: (i32, i32, u32, u32) = (0, 0, 1024, 768);
const RIGHT: (i32, i32, u32, u32) = (1024, 0, 1024, 768);

fn on(monitor: (i32, i32, u32, u32)) -> (String, String) {
    (
        format!("{}x{}", monitor.2, monitor.3),
        format!("{},{}", monitor.0, monitor.1),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_screen_covers_every_monitor() {
    // Every field bound by name: what is not bound would be dropped (and
    // the server killed) at the end of this statement.
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_monitors", &[], "PC-08").await
    else {
        return;
    };

    let display = Display::start_with(SCREEN, &[LEFT, RIGHT]);
    let monitors = std::process::Command::new("xrandr")
        .env("DISPLAY", &display.name)
        .arg("--listactivemonitors")
        .output()
        .unwrap();
    let monitors = String::from_utf8_lossy(&monitors.stdout).into_owned();
    assert!(monitors.starts_with("Monitors: 2"), "{monitors}");
    let agent = GuiAgent::start(&display, &state);
    let shots = artifacts_dir();

    // Locked: the lock window on the left monitor, focused and grabbed; a
    // cover on the right one.
    agent.wait_log("link up", 1);
    agent.wait_log("the lock screen covers every monitor", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    poll("the lock window on the left monitor", || {
        display.active_geometry() == Some(on(LEFT))
    });
    poll("a cover on the right monitor", || {
        display.windows("^Bilik cover$") == [on(RIGHT)]
    });
    let locked = display.screenshot(&shots.join("monitors-01-locked.png"));
    assert_eq!((locked.width, locked.height), SCREEN);
    let half = SCREEN.0 / 2;
    for (side, cols) in [("left", 0..half), ("right", half..SCREEN.0)] {
        let colours = locked.region_colours(0..SCREEN.1, cols.clone());
        assert!(
            colours > 8,
            "the {side} monitor looks blank ({colours} colours)"
        );
        // The lock screen's background, not the bare root window.
        let corner = locked.pixel(cols.end - 5, SCREEN.1 - 5);
        assert_eq!(corner, [13, 31, 56], "the {side} monitor is not covered");
    }
    // The cover is not the lock screen stretched across: the two halves
    // differ.
    let shifted = locked.halves_difference();
    assert!(
        shifted > 0.005,
        "the right monitor shows the lock form again"
    );

    // A scanned card (digits + Enter) goes to the lock window's card
    // field, not to the cover: the lock screen asks for the house rules.
    display.xdotool(&["type", "--delay", "5", "1001"]);
    display.xdotool(&["key", "Return"]);
    agent.wait_log("card entered, asks for the house rules", 1);

    // A librarian unlock: the cover goes with the lock screen.
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-08".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("shape=Countdown", 1);
    poll("the cover gone in session", || {
        display.windows("^Bilik cover$").is_empty()
    });
    let countdown = display.screenshot(&shots.join("monitors-02-countdown.png"));
    assert!(
        countdown.difference(&locked) > 0.2,
        "the session's screen looks like the locked one"
    );

    // The librarian ends the session: locked again, the cover is back.
    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-08".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("screen changed screen=Locked", 1);
    poll("the cover back on the right monitor", || {
        display.windows("^Bilik cover$") == [on(RIGHT)]
    });
    poll("the lock window back on the left monitor", || {
        display.active_geometry() == Some(on(LEFT))
    });
    display.screenshot(&shots.join("monitors-03-locked-again.png"));
    drop(agent);
    drop(display);
}
