//! The countdown cannot be iconified away, and the station locks on time
//! whatever the countdown window does, under Xvfb + openbox with the real
//! server and the real `bilik-agent service` (short leases: no real
//! minutes are waited).
//!
//! Keyboard only, as a patron would: Alt+Space opens openbox's window menu
//! on the countdown and "Iconify" hides it. The lock screen maps it again
//! at once and reports it (a tamper report on the server). That session
//! is extended first (the keyboard takes longer than the lease) and ended
//! by the librarian after. In a second session the countdown is iconified
//! at once (`xdotool windowminimize`, what the menu asks openbox for); at
//! its lease's end the station locks by itself, the lock screen on screen
//! (screenshot).
//!
//! Prints `BENCH attack=iconify-countdown countdown_back_ms=<n>` and
//! `BENCH deadline lock_seen_ms=<n>` (see BENCHMARKS.md).
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_proto::v1::*;
use bilik_tests::gui::{Display, GuiAgent, GuiStation, artifacts_dir, poll, wait_tamper};
use bilik_tests::{DEADLINE, Staff};
use std::time::{Duration, Instant};

/// A point in the "Iconify" row of openbox's window menu on the countdown
/// (the menu opens at the countdown's top-left corner, 1280x800 screen).
const MENU_ICONIFY: (u32, u32) = (975, 120);

/// The lease: a few seconds. The keyboard attack takes longer (each key
/// waits for the screen to show it), so its session is extended first and
/// ended by the librarian after; the lease of the second session, whose
/// countdown is iconified at once, is waited out.
const LEASE_SECONDS: u64 = 5;

/// The agent's log line when the lock screen finds the countdown hidden.
const HIDDEN: &str = "repairing detail=the countdown was hidden";

/// The station of this test.
const STATION: &str = "PC-14";

/// Unlocks the station for card 1001 (the `n`th session), extends the
/// session by `extend` minutes at once if not 0, and waits until the
/// countdown shows instead of the lock screen, as the active window;
/// screenshot `shot`. Returns when the unlock was answered.
async fn unlock(
    admin: &mut Staff,
    display: &Display,
    agent: &GuiAgent,
    (n, extend): (usize, u32),
    shot: &str,
) -> Instant {
    admin
        .client
        .unlock_station(admin.req(UnlockStationRequest {
            station: STATION.into(),
            who: Some(unlock_station_request::Who::Card("1001".into())),
            minutes: 0,
            purpose: "Belajar/Tugas".into(),
        }))
        .await
        .unwrap();
    let granted = Instant::now();
    if extend > 0 {
        admin
            .client
            .extend_session(admin.req(ExtendSessionRequest {
                station: STATION.into(),
                minutes: extend,
            }))
            .await
            .unwrap();
    }
    agent.wait_log("keyboard and pointer released", n);
    let path = artifacts_dir().join(shot);
    poll("the countdown instead of the lock", || {
        !display.screenshot(&path).is_lock_screen()
    });
    poll("the countdown active", || {
        display
            .active_geometry()
            .is_some_and(|(size, _)| size != "1280x800")
    });
    granted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iconified_countdown_comes_back_and_the_station_locks_on_time() {
    let lease = format!("session.lease_seconds={LEASE_SECONDS}");
    let Some(mut locked) = GuiStation::start_locked("gui_countdown", &[&lease], STATION, &[]).await
    else {
        return;
    };
    let (agent, display) = (&locked.agent, &locked.display);
    let admin = &mut locked.station.admin;

    // The first session, extended by two minutes: room for the keyboard
    // (its 1-minute warning well after the attack). The new deadline
    // reaches the station (shown again: still past the 5-minute warning).
    unlock(admin, display, agent, (1, 2), "countdown-01-session.png").await;
    agent.wait_log("screen changed screen=Warning", 2);

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
    agent.wait_log(HIDDEN, 1);
    poll("the countdown visible again", || {
        !display.windows("^Bilik$").is_empty()
    });
    println!(
        "BENCH attack=iconify-countdown countdown_back_ms={}",
        t0.elapsed().as_millis()
    );
    wait_tamper(admin, "countdown was hidden").await;
    admin
        .client
        .end_session(admin.req(EndSessionRequest {
            station: STATION.into(),
        }))
        .await
        .unwrap();
    agent.wait_log("keyboard and pointer grabbed", 2);
    display.wait_lock_visible("countdown-04-ended.png", Instant::now());

    // The second session: its countdown iconified at once (what the menu
    // does), back again; the lease ends: locked by itself, on screen.
    let granted = unlock(admin, display, agent, (2, 0), "countdown-05-session.png").await;
    let (_, countdown) = display.xdotool(&["search", "--onlyvisible", "--name", "^Bilik$"]);
    let countdown = countdown.lines().next().unwrap_or_default().to_owned();
    display.xdotool(&["windowminimize", &countdown]);
    agent.wait_log(HIDDEN, 2);
    poll("the countdown visible again", || {
        !display.windows("^Bilik$").is_empty()
    });
    let until = granted + Duration::from_secs(LEASE_SECONDS) + DEADLINE;
    while !agent.log_text().contains("reason=TimeUp") {
        assert!(Instant::now() < until, "the station did not lock on time");
        std::thread::sleep(Duration::from_millis(50));
    }
    let locked_at = Instant::now();
    let seen = display.wait_lock_visible("countdown-06-locked.png", locked_at);
    println!("BENCH deadline lock_seen_ms={}", seen.as_millis());
    agent.wait_log("keyboard and pointer grabbed", 3);
}
