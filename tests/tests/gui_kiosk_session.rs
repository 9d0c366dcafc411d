//! The kiosk session's window manager leaves nothing to reach: openbox on
//! the shipped kiosk configuration (`docs/kiosk/rc.xml`) under Xvfb, with
//! the real server and the real `bilik-agent service`. During a session
//! the patron presses Alt+Space (the window menu elsewhere), Alt+F4 and
//! Alt+Tab on the countdown and right-clicks the desktop: no menu opens,
//! the countdown stays, and the station still locks when the librarian
//! ends the session. The countdown sits in the corner configured
//! (`lock.countdown_corner = "bottom-left"`), away from the browser's menu.
//!
//! With openbox's default configuration the same Alt+Space opens the menu
//! whose "Iconify" `gui_countdown.rs` uses.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, artifacts_dir, poll};
use std::path::Path;
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_window_manager_offers_no_menu_and_no_key_bindings() {
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_kiosk_session", &[], "PC-17").await
    else {
        return;
    };
    let rc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/kiosk/rc.xml");
    let display = Display::start_kiosk(&rc);
    let agent = GuiAgent::start_with(&display, &state, &["lock.countdown_corner=\"bottom-left\""]);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("kiosk-00-locked.png", Instant::now());

    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-17".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("keyboard and pointer released", 1);
    let path = artifacts_dir().join("kiosk-01-session.png");
    poll("the countdown instead of the lock", || {
        !display.screenshot(&path).is_lock_screen()
    });

    // What opens menus or closes and hides windows elsewhere.
    let baseline = display.viewable_toplevels();
    display.xdotool(&["key", "alt+space"]);
    display.xdotool(&["key", "alt+F4"]);
    display.xdotool(&["key", "alt+Tab"]);
    display.xdotool(&["mousemove", "300", "600", "click", "3"]);
    display.xdotool(&["mousemove", "300", "600", "click", "2"]);
    // A librarian message after them: once the countdown shows it, the
    // window manager has long handled the keys and clicks sent before.
    admin
        .client
        .send_message(admin.req(SendMessageRequest {
            station: "PC-17".into(),
            text: "Perpustakaan tutup 15 menit lagi".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("lock screen shows a librarian message", 1);
    assert_eq!(display.viewable_toplevels(), baseline, "a menu opened");
    assert!(
        !display.windows("^Bilik$").is_empty(),
        "the countdown is gone"
    );
    assert!(
        !agent.log_text().contains("the countdown was hidden"),
        "{}",
        agent.log_text()
    );
    display.screenshot(&artifacts_dir().join("kiosk-02-after-keys.png"));

    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: "PC-17".into(),
        }))
        .await
        .unwrap();
    agent.wait_log("screen changed screen=Locked", 1);
    display.wait_lock_visible("kiosk-03-locked.png", Instant::now());
    drop(agent);
    drop(display);
}
