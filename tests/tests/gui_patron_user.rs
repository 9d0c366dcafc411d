//! The lock screen runs as another user than the service (here `nobody`,
//! uid 65534, standing in for the patron), and that user cannot signal the
//! service: under Xvfb + openbox with the real server and the real
//! `bilik-agent service` run as root, its lock screen started through
//! `lock.ui_command = setpriv --reuid=65534 ... bilik-agent ui`.
//!
//! Needs root (to change user); without it the test says so loudly and
//! skips, also under `BILIK_E2E=require` (CI may run as an ordinary user:
//! root is not a tool to install). Without the X tools the test skips
//! loudly; with `BILIK_E2E=require` it fails instead.
#![allow(clippy::unwrap_used)]

use bilik_tests::agent::tools_required;
use bilik_tests::gui::{Display, GuiAgent, GuiStation};
use bilik_tests::process::binary;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Instant;

/// The stand-in for the patron's user.
const PATRON_UID: &str = "65534";

/// `setpriv` arguments that run a command as the patron's user.
fn as_patron() -> Vec<String> {
    [
        "setpriv",
        &format!("--reuid={PATRON_UID}"),
        &format!("--regid={PATRON_UID}"),
        "--clear-groups",
        "--",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

/// The real uid of `pid`, from /proc.
fn uid_of(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_patrons_user_runs_the_lock_screen_and_cannot_signal_the_service() {
    if uid_of(std::process::id()) != "0" {
        let required = if tools_required() {
            " (BILIK_E2E=require: root is not a tool)"
        } else {
            ""
        };
        eprintln!("\n*** SKIPPED gui_patron_user: needs root to change user{required} ***\n");
        return;
    }
    let Some(GuiStation {
        admin: _admin,
        state_dir: state,
        server: _server,
        dir,
    }) = GuiStation::start("gui_patron_user", &[], "PC-16").await
    else {
        return;
    };
    // The socket where the patron's user can reach it (as /run/bilik-agent
    // on a station).
    let run = dir.path().join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = format!("lock.socket=\"{}\"", run.join("ui.sock").display());
    let mut command = as_patron();
    command.extend([binary("bilik-agent").display().to_string(), "ui".to_owned()]);
    let quoted: Vec<String> = command.iter().map(|a| format!("{a:?}")).collect();
    let ui_command = format!("lock.ui_command={{ command = [{}] }}", quoted.join(", "));

    let display = Display::start();
    let mut agent = GuiAgent::start_with(&display, &state, &[&socket, &ui_command]);
    agent.wait_log("link up", 1);
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("patron-00-locked.png", Instant::now());

    // The lock screen is the patron's; the service is root's.
    let ui = agent.ui_pid();
    assert_eq!(uid_of(ui), PATRON_UID);
    let service = agent.child.id();
    assert_eq!(uid_of(service), "0");

    // The patron's user cannot stop or kill the service.
    for signal in ["-TERM", "-KILL", "-STOP"] {
        let mut kill = as_patron();
        kill.extend(["kill".to_owned(), signal.to_owned(), service.to_string()]);
        let out = Command::new(&kill[0]).args(&kill[1..]).output().unwrap();
        assert!(
            !out.status.success(),
            "kill {signal} as the patron succeeded"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not permitted"), "{err}");
    }
    assert!(
        agent.child.try_wait().unwrap().is_none(),
        "the service died"
    );
    agent.wait_log("keyboard and pointer grabbed", 1);
    display.wait_lock_visible("patron-01-still-locked.png", Instant::now());
    drop(agent);
    drop(display);
}
