//! A card scan reaches the card field whatever the patron clicked before,
//! and both scanner suffixes submit, under Xvfb + openbox with the real
//! server and the real `bilik-agent service`.
//!
//! 1. Click the house-rules tick box, then scan `1001` + CR (Return): the
//!    patron is logged in (a session on the server).
//! 2. After the librarian ends it: click the language button, a purpose and
//!    the tick box, then scan `1001` + LF (Ctrl+J, how a keyboard-wedge
//!    scanner types a line feed): logged in again, with that purpose.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, artifacts_dir, poll};
use bilik_tests::{DEADLINE, Staff};
use std::time::Instant;

/// Where the lock screen's widgets are on the 1280x800 test screen.
const TICK_BOX: (&str, &str) = ("46", "255");
const PURPOSE_2: (&str, &str) = ("46", "365");
const ENGLISH: (&str, &str) = ("1210", "115");

/// Clicks at `at` once the window has shown the pointer over it, and
/// waits until it has shown the click: egui reads the pointer once per
/// frame, so a move and a click within one frame (a loaded machine) would
/// click where the pointer was before. Both changes are looked for next to
/// `at` (the clock elsewhere changes every second).
fn click(display: &Display, at: (&str, &str)) {
    let path = artifacts_dir().join("scan-click.png");
    let (x, y): (u32, u32) = (at.0.parse().unwrap(), at.1.parse().unwrap());
    let near = || (y.saturating_sub(20)..y + 20, x.saturating_sub(25)..x + 25);
    let before = display.screenshot(&path);
    display.xdotool(&["mousemove", at.0, at.1]);
    let mut hovered = before.clone();
    poll(&format!("the pointer shown over {at:?}"), || {
        hovered = display.screenshot(&path);
        let (rows, cols) = near();
        hovered.region_difference(&before, rows, cols) > 0.0
    });
    display.xdotool(&["click", "1"]);
    poll(&format!("the click at {at:?} shown"), || {
        let (rows, cols) = near();
        display
            .screenshot(&path)
            .region_difference(&hovered, rows, cols)
            > 0.0
    });
}

/// Waits until the server holds `count` sessions of card 1001; the last.
async fn sessions(admin: &mut Staff, count: usize) -> SessionInfo {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let list: Vec<SessionInfo> = admin
            .sessions()
            .await
            .into_iter()
            .filter(|s| s.card == "1001")
            .collect();
        if list.len() >= count {
            return list.last().unwrap().clone();
        }
        assert!(
            Instant::now() < deadline,
            "no session {count} on the server"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_after_a_click_logs_the_patron_in() {
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_scan", &[], "PC-15").await
    else {
        return;
    };
    let display = Display::start();
    let agent = GuiAgent::start(&display, &state);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("scan-00-locked.png", Instant::now());

    // 1. The tick box, then a scan ending in CR.
    click(&display, TICK_BOX);
    display.xdotool(&["type", "--delay", "5", "1001"]);
    display.xdotool(&["key", "Return"]);
    agent.wait_log("login granted", 1);
    let first = sessions(&mut admin, 1).await;
    assert_eq!(first.ended_at_ms, 0);

    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-15".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("screen changed screen=Locked", 1);
    display.wait_lock_visible("scan-01-locked-again.png", Instant::now());

    // 2. The language button, a purpose, the tick box; a scan ending in LF.
    click(&display, ENGLISH);
    click(&display, PURPOSE_2);
    click(&display, TICK_BOX);
    display.xdotool(&["type", "--delay", "5", "1001"]);
    display.xdotool(&["key", "ctrl+j"]);
    agent.wait_log("login granted", 2);
    let second = sessions(&mut admin, 2).await;
    assert_eq!(second.ended_at_ms, 0);
    assert_eq!(second.purpose, "Mencari informasi");
    drop(agent);
    drop(display);
}
