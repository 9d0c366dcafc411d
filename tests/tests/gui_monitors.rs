//! The lock screen on a station with two monitors: Xvfb's screen split into
//! two RandR monitors, openbox, the real server process and the real agent
//! binary with `--ui gui`. Locked, the lock window sits on the main monitor
//! and a cover on the other; the card typed still reaches the lock window;
//! in session the cover goes; locked again, it comes back.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::*;
use bilik_tests::agent::{enroll, tools_required};
use bilik_tests::gui::{Display, GuiAgent, artifacts_dir, missing_tools, poll};
use bilik_tests::process::ServerProcess;
use bilik_tests::*;

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
    let missing = missing_tools();
    if !missing.is_empty() {
        let msg = format!(
            "gui_monitors: missing Debian packages {missing:?} (apt-get install xvfb xdotool openbox imagemagick x11-xserver-utils libgl1-mesa-dri)"
        );
        assert!(!tools_required(), "BILIK_E2E=require: {msg}");
        eprintln!("\n*** SKIPPED {msg} ***\n");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("data"), "127.0.0.1:0", &[]).await;
    let mut admin = {
        let mut client = AdminClient::new(bilik_proto::connect(&server.url).await.unwrap());
        let token = client
            .sign_in(SignInRequest {
                username: "admin".into(),
                password: server.admin_password.clone().unwrap(),
            })
            .await
            .unwrap()
            .into_inner()
            .token;
        Staff { client, token }
    };
    admin.add_member("1001", "Andi Pratama", "2099-12-31").await;
    let code = admin
        .client
        .create_enrollment_code(admin.req(CreateEnrollmentCodeRequest {
            station_name: "PC-08".into(),
            valid_minutes: 0,
        }))
        .await
        .unwrap()
        .into_inner()
        .code;
    let state = dir.path().join("agent");
    let (ok, out, err) = enroll(&server.url, &code, &state).await;
    assert!(ok, "{out}{err}");

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

    // Typing goes to the lock window, not to the cover.
    display.xdotool(&["type", "--delay", "5", "1001"]);
    display.xdotool(&["key", "Return"]);
    display.xdotool(&["key", "space"]);
    display.xdotool(&["key", "Tab", "Tab", "space"]);
    display.xdotool(&["key", "Tab", "Tab", "Tab", "Return"]);
    agent.wait_log("login granted", 1);
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
    agent.wait_log("shape=Locked", 2);
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
