//! The lock screen's other screens under Xvfb + openbox, with the real
//! server process and the real agent binary: maintenance (out of service,
//! then back), a librarian unlock to the countdown, a librarian message in
//! the countdown, and the 1-minute warning brought to the front. Each
//! screen is saved under `target/test-artifacts/gui/` and compared with
//! the one before it.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, SCREEN, Shot, artifacts_dir, poll};

/// Rows and columns of the lock form (card field, rules, purposes, button).
const FORM: (std::ops::Range<u32>, std::ops::Range<u32>) = (150..450, 0..640);

/// Takes screenshots until `check` holds for one, and returns it.
fn shot_until(display: &Display, name: &str, what: &str, check: impl Fn(&Shot) -> bool) -> Shot {
    let path = artifacts_dir().join(name);
    let mut last = None;
    poll(what, || {
        let shot = display.screenshot(&path);
        let ok = check(&shot);
        last = Some(shot);
        ok
    });
    let shot = last.unwrap();
    shot.assert_sane();
    shot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_message_and_warning_screens() {
    // Every field bound by name: what is not bound would be dropped (and
    // the server killed) at the end of this statement.
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_screens", &["session.lease_seconds=65"], "PC-09").await
    else {
        return;
    };

    let display = Display::start();
    // The pointer away from the form: X puts it mid-screen, on the edge of
    // a purpose's row, which egui highlights once it learns where the
    // pointer is (after a window change, or not) — the comparisons below
    // are about the form, not the hover.
    display.xdotool(&["mousemove", "1200", "760"]);
    let agent = GuiAgent::start(&display, &state);
    let full = (format!("{}x{}", SCREEN.0, SCREEN.1), "0,0".to_owned());
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    poll("the lock window full screen", || {
        display.active_geometry() == Some(full.clone())
    });
    let locked = shot_until(&display, "screens-01-locked.png", "the lock form", |_| true);

    // Maintenance: the form gives way to the out-of-service notice; the
    // window stays full screen and grabbed.
    admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-09".into(),
            on: true,
        }))
        .await
        .unwrap();
    agent.wait_log("lock screen state state=\"maintenance\"", 1);
    let maintenance = shot_until(
        &display,
        "screens-02-maintenance.png",
        "the out-of-service notice",
        |shot| shot.region_difference(&locked, FORM.0.clone(), FORM.1.clone()) > 0.02,
    );
    assert_eq!(display.active_geometry(), Some(full.clone()));
    // A card typed now is not even sent: the station is out of service.
    admin
        .client
        .set_maintenance(admin.req(SetMaintenanceRequest {
            station: "PC-09".into(),
            on: false,
        }))
        .await
        .unwrap();
    agent.wait_log("lock screen state state=\"locked\"", 1);
    shot_until(
        &display,
        "screens-03-locked-again.png",
        "the lock form back",
        |shot| {
            shot.region_difference(&locked, FORM.0.clone(), FORM.1.clone()) < 0.01
                && shot.region_difference(&maintenance, FORM.0.clone(), FORM.1.clone()) > 0.02
        },
    );

    // A librarian unlock: the countdown.
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-09".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Mencari informasi".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("shape=Countdown", 1);
    poll("the countdown window", || {
        display.active_geometry().is_some_and(|g| g != full)
    });
    let countdown = shot_until(
        &display,
        "screens-04-countdown.png",
        "the countdown",
        |shot| shot.difference(&locked) > 0.2,
    );

    // A librarian message appears in the countdown.
    let (size, position) = display.active_geometry().unwrap();
    let (w, h) = size.split_once('x').unwrap();
    let (x, y) = position.split_once(',').unwrap();
    let (x, y, w, h): (u32, u32, u32, u32) = (
        x.parse().unwrap(),
        y.parse().unwrap(),
        w.parse().unwrap(),
        h.parse().unwrap(),
    );
    let delivered = admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "PC-09".into(),
            text: "Mohon jaga ketenangan".into(),
        }))
        .await
        .unwrap()
        .into_inner()
        .delivered;
    assert!(delivered);
    agent.wait_log("lock screen shows a librarian message", 1);
    shot_until(
        &display,
        "screens-05-message.png",
        "the message in the countdown",
        |shot| shot.region_difference(&countdown, y..y + h, x..x + w) > 0.02,
    );
    // The window grew to its content: the warning, the message, its
    // dismiss button and the log-out button all fit.
    poll("the countdown grown to fit the message", || {
        display.active_geometry().is_some_and(|(size, _)| {
            size.split_once('x')
                .and_then(|(_, grown)| grown.parse::<u32>().ok())
                .is_some_and(|grown| grown > h)
        })
    });

    // The 1-minute warning: shown (without taking the keyboard), in the
    // warning state; the countdown is still the active window here (no
    // other program runs).
    agent.wait_log("warning shown minutes_left=1", 1);
    agent.wait_log("lock screen state state=\"warning\"", 1);
    poll("the countdown still active", || {
        display.active_geometry().is_some_and(|g| g != full)
    });
    display
        .screenshot(&artifacts_dir().join("screens-06-warning.png"))
        .assert_sane();
    drop(agent);
    drop(display);
}
