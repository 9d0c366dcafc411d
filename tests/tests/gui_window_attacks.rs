//! Window tricks against the locked screen, under Xvfb + openbox with the
//! real server and the real `bilik-agent service` (its lock screen in a
//! `bilik-agent ui` process): minimise, unmap, resize and un-fullscreen the
//! lock window, then a full-screen "above" window and an override-redirect
//! window over it. After each, the lock screen is what the screen shows
//! again (screenshot: its background in every corner), the lock screen
//! logged the repair, and the server holds the tamper report.
//!
//! Each attack prints `BENCH attack=<name> lock_back_ms=<n>`: the time from
//! the attack until a screenshot taken after the repair shows the lock (an
//! upper bound of what the patron could see; see BENCHMARKS.md), and
//! `covered_ms` / `uncovered_after` as in `gui_kill_attacks`.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::gui::{GuiAgent, GuiStation, LockedStation, wait_tamper};
use std::time::{Duration, Instant};

/// The time stamp of the `nth` (1-based) log line containing `needle`.
fn logged_at(agent: &GuiAgent, needle: &str, nth: usize) -> chrono::DateTime<chrono::Utc> {
    let log = agent.log_text();
    let line = log
        .lines()
        .filter(|l| l.contains(needle))
        .nth(nth - 1)
        .unwrap();
    let stamp = line.split_whitespace().next().unwrap();
    chrono::DateTime::parse_from_rfc3339(stamp).unwrap().into()
}

/// Whether the lock screen has logged `count` repairs within `limit`.
fn seen_within(agent: &GuiAgent, count: usize, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let seen = agent
            .log_text()
            .matches("lock-screen window tampered with; repairing")
            .count();
        if seen >= count {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_tricks_leave_the_screen_locked() {
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
    }) = GuiStation::start_locked("gui_window_attacks", &[], "PC-11", &[]).await
    else {
        return;
    };
    let window = display.lock_window();

    // (name, what the lock screen reports, the attack)
    type Attack<'a> = Box<dyn Fn() -> Option<bilik_tests::gui::Intruder> + 'a>;
    let attacks: Vec<(&str, &str, Attack)> = vec![
        (
            "minimise",
            "hidden",
            Box::new(|| {
                display.xdotool(&["windowminimize", &window]);
                None
            }),
        ),
        (
            "unmap",
            "hidden",
            Box::new(|| {
                display.xdotool(&["windowunmap", &window]);
                None
            }),
        ),
        (
            // A full-screen window keeps its size (openbox refuses the
            // resize): out of full screen first, then small.
            "resize",
            "PC-11: the lock window",
            Box::new(|| {
                display.unfullscreen(&window);
                display.xdotool(&["windowsize", &window, "400", "300"]);
                None
            }),
        ),
        (
            "unfullscreen",
            "left full screen",
            Box::new(|| {
                display.unfullscreen(&window);
                None
            }),
        ),
        (
            "above-fullscreen-window",
            "over the lock window",
            Box::new(|| Some(display.intruder("above"))),
        ),
        (
            "override-redirect-window",
            "override-redirect",
            Box::new(|| Some(display.intruder("override"))),
        ),
    ];
    let mut repairs = 0;
    for (name, report, attack) in &attacks {
        let mut t0 = Instant::now();
        let mut at = chrono::Utc::now();
        // An attack can be undone before it shows: the lock window may
        // still have its own full-screen request in flight from the last
        // repair (the window manager applies it after the attack). Then the
        // screen never left the lock; the attack is made again, at most
        // three times, and if it never takes effect the lock on screen is
        // all there is to check.
        let mut intruder = None;
        let mut took_effect = false;
        for attempt in 1..=3 {
            (t0, at) = (Instant::now(), chrono::Utc::now());
            intruder = attack();
            if seen_within(&agent, repairs + 1, Duration::from_secs(3)) {
                took_effect = true;
                break;
            }
            eprintln!("{name}: no effect on attempt {attempt}");
        }
        if !took_effect {
            // The lock window undid it itself every time (its own shape
            // re-applied by eframe): nothing to repair or report, and the
            // screen must still be the lock.
            println!("BENCH attack={name} no_effect=1");
            display.wait_lock_visible(&format!("attacks-{name}-no-effect.png"), t0);
            drop(intruder);
            continue;
        }
        repairs += 1;
        agent.wait_log("lock-screen window tampered with; repairing", repairs);
        let seen = display.wait_covered(&format!("attacks-{name}.png"), t0);
        seen.print(name);
        // The server was told.
        let told = wait_tamper(&mut admin, report).await;
        assert!(told.starts_with("PC-11: "), "{told}");
        // Held: the grab is verified again (and an intruder kept running
        // stays under the lock).
        // Verified with the X server again before the next attack (else
        // the next one would be part of this episode, not reported apart).
        agent.wait_log("lock-screen window verified again", repairs);
        display.wait_lock_visible(&format!("attacks-{name}-after.png"), t0);
        // From the lock screen's log: the attack seen, and the lock
        // verified with the X server again (mapped, full screen, on top,
        // grabbed), counted from the moment the attack was made.
        let ms = |t: chrono::DateTime<chrono::Utc>| (t - at).num_milliseconds().max(0);
        let seen = logged_at(
            &agent,
            "lock-screen window tampered with; repairing",
            repairs,
        );
        let verified = logged_at(&agent, "lock-screen window verified again", repairs);
        println!("BENCH attack={name} seen_ms={}", ms(seen));
        println!("BENCH attack={name} verified_ms={}", ms(verified));
        drop(intruder);
    }
    // Unmapping drops the grab in the X server: it was taken again.
    assert!(
        agent
            .log_text()
            .matches("keyboard and pointer grabbed")
            .count()
            >= 2,
        "{}",
        agent.log_text()
    );
    assert!(
        !agent.log_text().contains("escalating"),
        "{}",
        agent.log_text()
    );
    drop(attacks);
    drop(agent);
    drop(display);
}
