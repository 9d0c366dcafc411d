//! The countdown cannot be iconified away, and the station locks on time
//! whatever the countdown window does, under Xvfb + openbox with the real
//! server and the real `bilik-agent service` (short leases: no real
//! minutes are waited).
//!
//! Keyboard only, as a patron would: Alt+Space opens openbox's window menu
//! on the countdown and "Iconify" hides it. The lock screen maps it again
//! at once and reports it (a tamper report on the server); at the lease's
//! end the station locks, the lock screen on screen (screenshot).
//!
//! Prints `BENCH attack=iconify-countdown countdown_back_ms=<n>` and
//! `BENCH deadline lock_seen_ms=<n>` (see BENCHMARKS.md).
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, artifacts_dir, poll, wait_tamper};
use std::time::{Duration, Instant};

/// A point in the "Iconify" row of openbox's window menu on the countdown
/// (the menu opens at the countdown's top-left corner, 1280x800 screen).
const MENU_ICONIFY: (u32, u32) = (975, 120);

/// The lease: long enough to attack the countdown, short enough to wait.
const LEASE_SECONDS: u64 = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iconified_countdown_comes_back_and_the_station_locks_on_time() {
    let lease = format!("session.lease_seconds={LEASE_SECONDS}");
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_countdown", &[&lease], "PC-14").await
    else {
        return;
    };
    let display = Display::start();
    let agent = GuiAgent::start(&display, &state);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("countdown-00-locked.png", Instant::now());

    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: "PC-14".into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
    let granted = Instant::now();
    agent.wait_log("keyboard and pointer released", 1);
    let path = artifacts_dir().join("countdown-01-session.png");
    poll("the countdown instead of the lock", || {
        !display.screenshot(&path).is_lock_screen()
    });
    poll("the countdown active", || {
        display
            .active_geometry()
            .is_some_and(|(size, _)| size != "1280x800")
    });

    // Alt+Space: openbox's window menu, once it shows; then Down until
    // "Iconify" is highlighted (its row, right of its label, no longer the
    // menu's plain background), and Return: keyboard only.
    let before = display.screenshot(&artifacts_dir().join("countdown-02-before-menu.png"));
    let baseline = display.viewable_toplevels();
    display.xdotool(&["key", "alt+space"]);
    let menu = artifacts_dir().join("countdown-03-menu.png");
    let mut shot = before.clone();
    poll("the window menu", || {
        shot = display.screenshot(&menu);
        shot.difference(&before) > 0.01
    });
    // The menu is one more viewable top-level window (gui_kiosk_session.rs
    // counts them to show the kiosk configuration opens none).
    assert!(display.viewable_toplevels() > baseline, "no menu window");
    let plain = shot.pixel(MENU_ICONIFY.0, MENU_ICONIFY.1);
    let mut presses = 0;
    while display
        .screenshot(&menu)
        .pixel(MENU_ICONIFY.0, MENU_ICONIFY.1)
        == plain
    {
        assert!(presses < 8, "Iconify never highlighted");
        display.press_seen(&["Down"], 16..216, 844..997);
        presses += 1;
    }
    let t0 = Instant::now();
    display.xdotool(&["key", "Return"]);
    agent.wait_log("the countdown was hidden", 1);
    poll("the countdown visible again", || {
        !display.windows("^Bilik$").is_empty()
    });
    println!(
        "BENCH attack=iconify-countdown countdown_back_ms={}",
        t0.elapsed().as_millis()
    );
    wait_tamper(&mut admin, "countdown was hidden").await;

    // The lease ends: locked, on screen.
    let until = granted + Duration::from_secs(LEASE_SECONDS + 10);
    while !agent.log_text().contains("screen changed screen=Locked") {
        assert!(Instant::now() < until, "the station did not lock on time");
        std::thread::sleep(Duration::from_millis(50));
    }
    let locked_at = Instant::now();
    let seen = display.wait_lock_visible("countdown-04-locked.png", locked_at);
    println!("BENCH deadline lock_seen_ms={}", seen.as_millis());
    agent.wait_log("keyboard and pointer grabbed", 2);
    drop(agent);
    drop(display);
}
