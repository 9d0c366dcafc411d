//! The `bilik-agent` command line: enrolment and its errors, configuration
//! errors, `--print-config`, and reconnect attempts against a server that
//! is down.
#![allow(clippy::unwrap_used)]

use bilik_tests::agent::{AgentProcess, enroll, enroll_station, enrollment_code};
use bilik_tests::process::binary;
use bilik_tests::*;

async fn agent_command(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(binary("bilik-agent"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output();
    let out = within(out).await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn enrolment_saves_an_owner_only_credential_and_refuses_a_used_code() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let code = enrollment_code(&server, "PC-07").await;
    let (ok, out, err) = enroll(&server.url, &code, &state).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("PC-07"), "{out}");
    let credential = state.join("credential.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&credential).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let text = std::fs::read_to_string(&credential).unwrap();
    assert!(text.contains(&server.url), "{text}");

    // The same code again: refused, with the server's reason.
    let (ok, _, err) = enroll(&server.url, &code, &dir.path().join("other")).await;
    assert!(!ok);
    assert!(
        err.contains("refused the enrolment code") && err.contains("already used"),
        "{err}"
    );
    server.stop().await;
}

#[tokio::test]
async fn enrolment_against_an_unreachable_server_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (ok, _, err) = enroll(&url, "ABCD-EFGH", dir.path()).await;
    assert!(!ok);
    assert!(
        err.contains(&format!("cannot reach the server at {url}")),
        "{err}"
    );
    assert!(!dir.path().join("credential.toml").exists());
}

#[tokio::test]
async fn an_unenrolled_agent_says_how_to_enrol() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().to_str().unwrap();
    let (ok, _, err) = agent_command(&["run", "--state-dir", state]).await;
    assert!(!ok);
    assert!(
        err.contains("not enrolled") && err.contains("bilik-agent enroll"),
        "{err}"
    );
}

#[tokio::test]
async fn print_config_and_every_bad_key_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("agent.toml");
    std::fs::write(
        &file,
        "[agent]\nserver = \"http://10.0.0.5:50551\"\n[link]\nbackoff_max_ms = 5000\n",
    )
    .unwrap();
    let (ok, out, err) = agent_command(&[
        "--config",
        file.to_str().unwrap(),
        "--set",
        "session.warning_minutes=[10, 2]",
        "--print-config",
    ])
    .await;
    assert!(ok, "{err}");
    for needle in [
        "server = \"http://10.0.0.5:50551\"",
        "backoff_max_ms = 5000",
        "warning_minutes = [10, 2]",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }

    let (ok, _, err) = agent_command(&[
        "--config",
        file.to_str().unwrap(),
        "--set",
        "agent.ui=window",
        "--set",
        "link.backoff_jitter=2",
        "--set",
        "hooks.session_end=[{ command = [] }]",
        "--set",
        "agent.colour=blue",
        "--print-config",
    ])
    .await;
    assert!(!ok);
    for needle in [
        "agent.ui",
        "jitter",
        "hooks.session_end[0].command",
        "agent.colour",
    ] {
        assert!(err.contains(needle), "{needle} missing from:\n{err}");
    }
}

#[tokio::test]
async fn with_the_server_down_the_agent_stays_locked_and_retries_up_to_the_cap() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("PC-01");
    enroll_station(&server, "PC-01", &state).await;
    server.stop().await;
    // 100 ms doubling to 1 s (the test configuration), half jittered.
    let mut agent = AgentProcess::start(&state, &[]).await;
    let mut delays = Vec::new();
    while delays.len() < 9 {
        let line = agent.link("backoff").await;
        assert_eq!(line.u64("attempt") as usize, delays.len() + 1);
        delays.push(line.u64("retry_in_ms"));
    }
    assert!((100..=150).contains(&delays[0]), "{delays:?}");
    assert!(delays.iter().all(|d| *d <= 1000), "{delays:?}");
    assert!(delays[6..].iter().all(|d| *d >= 500), "{delays:?}");
    // Logins say the server cannot be reached; the screen stays locked.
    agent.send("login 0001").await;
    assert_eq!(agent.event("refusal").await.str("code"), "NOT_CONNECTED");
    assert!(
        agent
            .seen
            .iter()
            .filter(|l| l.json["event"] == "state")
            .all(|l| l.json["state"] == "locked"),
        "{:?}",
        agent.seen
    );
}
