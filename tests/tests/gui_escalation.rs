//! When the lock screen cannot restore a verified lock in time, the service
//! ends the patron's graphical session (`lock.escalate`), under Xvfb +
//! openbox with the real server and the real `bilik-agent service`.
//!
//! A patron's program waits for the keyboard grab; the lock window is
//! unmapped, which makes the X server drop the lock's grab, and the program
//! takes the keyboard. The lock screen maps itself again but cannot grab:
//! it reports the lost grab, the service kills it and starts another, which
//! cannot grab either; after `lock.restore_ms` the service reports "no
//! verified lock" and runs `lock.escalate` (here: kill the program, as
//! `loginctl terminate-user` kills every process of the patron). The new
//! lock screen then grabs and the screen is locked.
//!
//! Without the X tools the test skips loudly; with `BILIK_E2E=require` it
//! fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::gui::{Display, GuiAgent, GuiStation, poll, wait_tamper};
use bilik_tests::process::binary;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_verified_lock_in_time_ends_the_patrons_session() {
    let Some(GuiStation {
        mut admin,
        state_dir: state,
        server: _server,
        dir: _dir,
    }) = GuiStation::start("gui_escalation", &[], "PC-13").await
    else {
        return;
    };
    let display = Display::start();
    let mut thief = Command::new(binary("x11-intruder"))
        .arg("grab")
        .env("DISPLAY", &display.name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let escalate = format!(
        "lock.escalate={{ command = [\"kill\", \"-9\", \"{}\"], timeout_ms = 5000 }}",
        thief.id()
    );
    let agent = GuiAgent::start_with(&display, &state, &[&escalate]);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("escalation-00-locked.png", Instant::now());

    // The thief waits for the grab; the lock window is unmapped.
    let window = display.lock_window();
    thief.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let t0 = Instant::now();
    display.xdotool(&["windowunmap", &window]);
    let mut out = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(thief.stdout.take().unwrap()),
        &mut out,
    )
    .unwrap();
    assert_eq!(out.trim(), "grabbed");

    // The lost grab, then the escalation, reported to the server.
    wait_tamper(&mut admin, "grab not held").await;
    wait_tamper(&mut admin, "no verified lock").await;
    agent.wait_log("escalation ran", 1);
    poll("the thief killed by the escalation", || {
        thief.try_wait().unwrap().is_some()
    });
    // (Screenshots from here: what showed before the escalation is not
    // looked at, so `covered_ms` is only an upper bound.)
    let seen = display.wait_covered("escalation-01-locked.png", t0);
    println!(
        "BENCH attack=grab-thief covered_ms={}",
        seen.covered.as_millis()
    );
    println!(
        "BENCH attack=grab-thief lock_back_ms={}",
        seen.lock.as_millis()
    );
    agent.wait_log("keyboard and pointer grabbed", 2);
    drop(agent);
    drop(display);
}
