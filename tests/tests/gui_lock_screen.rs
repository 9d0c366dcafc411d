//! The lock screen under Xvfb + openbox: the real server process, the real
//! agent binary with `--ui gui`, typed into with xdotool, screenshots saved
//! under `target/test-artifacts/gui/` and checked.
//!
//! Without Xvfb, xdotool, openbox or ImageMagick the test skips loudly; with
//! `BILIK_E2E=require` it fails instead. `BILIK_GUI_BENCH=1` also measures
//! the idle cost (CPU and RSS over 60 s locked and 60 s in session).
#![allow(clippy::unwrap_used)]

use bilik_tests::DEADLINE;
use bilik_tests::gui::{GuiStation, SCREEN, artifacts_dir};
use std::time::{Duration, Instant};

/// Rows and columns of the lock form (card field, rules, purposes, button),
/// left of the rules text and below the clock.
const FORM: (std::ops::Range<u32>, std::ops::Range<u32>) = (150..530, 0..640);

/// CPU seconds (user + system) and RSS in kB of `pid`, from /proc.
fn cpu_and_rss(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticks as f64 / 100.0, rss)
}

/// Idle CPU share (%) and RSS (kB) of each of `pids` over `secs` seconds.
async fn idle(pids: &[u32], secs: u64) -> Vec<(f64, u64)> {
    let before: Vec<f64> = pids.iter().map(|p| cpu_and_rss(*p).0).collect();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let secs = t0.elapsed().as_secs_f64();
    pids.iter()
        .zip(before)
        .map(|(p, c0)| {
            let (c1, rss) = cpu_and_rss(*p);
            (100.0 * (c1 - c0) / secs, rss)
        })
        .collect()
}

/// Prints the bench line for `state`: the service, then the lock screen.
fn report(state: &str, figures: &[(f64, u64)]) {
    let [(s_cpu, s_rss), (u_cpu, u_rss), standby @ ..] = figures else {
        return;
    };
    let standby = match standby {
        [(cpu, rss)] => format!("; standby cpu {cpu:.2} % rss {rss} kB"),
        _ => String::new(),
    };
    println!(
        "BENCH {state}: service cpu {s_cpu:.2} % rss {s_rss} kB; lock screen cpu {u_cpu:.2} % rss {u_rss} kB{standby}"
    );
}

/// Polls `check` until true or `limit` passes.
async fn until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The lease when not benchmarking: a few seconds, enough for the
/// countdown to be checked on screen before it ends (the card and the form
/// are typed while the station is still locked, outside the lease).
const LEASE_SECONDS: u32 = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_screen_under_xvfb() {
    // The bench idles 45 s in session: a longer lease then.
    let bench = std::env::var("BILIK_GUI_BENCH").is_ok_and(|v| v == "1");
    let lease = format!(
        "session.lease_seconds={}",
        if bench { 60 } else { LEASE_SECONDS }
    );
    let Some(mut locked) =
        GuiStation::start_locked("gui_lock_screen", &[&lease], "PC-07", &[]).await
    else {
        return;
    };
    let (agent, display) = (&locked.agent, &locked.display);
    let admin = &mut locked.station.admin;
    admin.add_member("1002", "Budi Santoso", "2020-01-31").await;
    let shots = artifacts_dir();
    let full = format!("{}x{}", SCREEN.0, SCREEN.1);

    // Locked, grabbed, connected, full screen.
    until(
        "the lock window full screen and focused",
        DEADLINE,
        async || display.active_geometry() == Some((full.clone(), "0,0".into())),
    )
    .await;
    let locked_shot = display.screenshot(&shots.join("01-locked.png"));
    locked_shot.assert_sane();

    // Alt-Tab and Alt-F4 do nothing.
    let (_, before) = display.xdotool(&["getactivewindow"]);
    display.xdotool(&["key", "alt+Tab"]);
    display.xdotool(&["key", "alt+F4"]);
    display.xdotool(&["key", "ctrl+Escape"]);
    let (_, after) = display.xdotool(&["getactivewindow"]);
    assert_eq!(before, after, "the lock window lost the focus");
    assert_eq!(
        display.active_geometry(),
        Some((full.clone(), "0,0".into()))
    );
    assert!(
        display.xdotool(&["search", "--name", "Bilik"]).0,
        "the lock window is gone"
    );

    // A valid card: scan + Enter, tick the rules, pick a purpose, submit.
    display.xdotool(&["type", "--delay", "5", "1001"]);
    display.xdotool(&["key", "Return"]);
    // The focus moves to the rules tick box on the frame after Enter.
    agent.wait_log("card entered, asks for the house rules", 1);
    // The rules tick box has the focus: tick it, Tab twice to the 2nd
    // purpose and pick it, Tab three times to the button.
    let (rows, cols) = FORM;
    display.press_seen(
        &["space", "Tab", "Tab", "space", "Tab", "Tab", "Tab"],
        rows,
        cols,
    );
    display.xdotool(&["key", "Return"]); // submit
    agent.wait_log("login granted", 1);
    until("the session with its purpose", DEADLINE, async || {
        admin
            .sessions()
            .await
            .iter()
            .any(|s| s.card == "1001" && s.ended_at_ms == 0 && s.purpose == "Mencari informasi")
    })
    .await;
    if !bench {
        // Shorter than both warnings (5 and 1 minutes): the station is in
        // its warning state from the start, the last warning shown.
        agent.wait_log("screen changed screen=Warning", 1);
        agent.wait_log("warning shown minutes_left=1", 1);
    }
    agent.wait_log("shape=Countdown", 1);
    agent.wait_log("keyboard and pointer released", 1);
    until("the countdown window", DEADLINE, async || {
        display
            .active_geometry()
            .is_some_and(|(size, _)| size != full)
    })
    .await;
    // Screenshots until the desktop with the countdown is drawn (openbox
    // may not have repainted yet right after the lock window left: blank)
    // and it is not the lock screen.
    let mut countdown = None;
    until("the countdown on screen", DEADLINE, async || {
        let shot = display.screenshot(&shots.join("02-countdown.png"));
        let drawn = shot.colours() > 8 && shot.difference(&locked_shot) > 0.2;
        countdown = Some(shot);
        drawn
    })
    .await;
    countdown.unwrap().assert_sane();

    let mut pids = vec![agent.child.id(), agent.ui_pid()];
    pids.extend(agent.standby_pid());
    if bench {
        report("in session", &idle(&pids, 45).await);
    }

    // The lease ends: locked again by itself (time up, not ended by
    // anyone), within the lease and the harness deadline.
    let lease_left = Duration::from_secs(if bench { 60 } else { LEASE_SECONDS.into() });
    until(
        "the screen locked again",
        lease_left + DEADLINE,
        async || agent.log_text().contains("screen changed screen=Locked"),
    )
    .await;
    assert!(
        agent.log_text().contains("reason=TimeUp"),
        "the session did not end by its lease:\n{}",
        agent.log_text()
    );
    agent.wait_log("keyboard and pointer grabbed", 2);
    until("the lock window full screen again", DEADLINE, async || {
        display.active_geometry() == Some((full.clone(), "0,0".into()))
    })
    .await;
    if bench {
        report("locked", &idle(&pids, 60).await);
    }

    // An expired card: refused, and the refusal shows.
    // Key by key, each seen in the card field: the lock screen has just
    // come back, and a key typed before its field has the focus is lost.
    let (rows, cols) = FORM;
    display.press_seen(&["1", "0", "0", "2"], rows, cols);
    display.xdotool(&["key", "Return"]); // focus goes to the rules
    agent.wait_log("card entered, asks for the house rules", 2);
    let (rows, cols) = FORM;
    display.press_seen(&["space", "Tab", "Tab", "Tab", "Tab", "Tab"], rows, cols);
    display.xdotool(&["key", "Return"]);
    agent.wait_log("lock screen shows a refusal", 1);
    assert!(agent.log_text().contains("EXPIRED"), "{}", agent.log_text());
    let mut refused = None;
    until("the refusal on screen", DEADLINE, async || {
        let shot = display.screenshot(&shots.join("03-expired.png"));
        // The message appears under the button, where the plain lock
        // screen is empty.
        let differs = shot.region_difference(&locked_shot, 525..640, 0..640) > 0.01;
        refused = Some(shot);
        differs
    })
    .await;
    refused.unwrap().assert_sane();
    assert!(
        admin.sessions().await.iter().all(|s| s.card != "1002"),
        "an expired card got a session"
    );
}
