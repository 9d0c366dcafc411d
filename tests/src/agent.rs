//! Helpers for agent tests: enrol and start the real `bilik-agent` binary
//! with the headless front-end, read its JSON lines (each stamped with the
//! moment the test received it), send control lines on stdin or on its
//! `control.sock`.

use crate::process::binary;
use crate::{DEADLINE, Staff, TestServer, within};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// Reconnect quickly in tests: 100 ms doubling to 1 s.
pub const FAST_BACKOFF: [&str; 4] = [
    "--set",
    "link.backoff_min_ms=100",
    "--set",
    "link.backoff_max_ms=1000",
];

/// One JSON line from the agent.
#[derive(Debug, Clone)]
pub struct Line {
    /// When the test read it (real, monotonic).
    pub at: Instant,
    /// The object.
    pub json: Value,
}

impl Line {
    /// A text field ("" if absent).
    pub fn str(&self, key: &str) -> &str {
        self.json[key].as_str().unwrap_or_default()
    }

    /// A number field (0 if absent).
    pub fn u64(&self, key: &str) -> u64 {
        self.json[key].as_u64().unwrap_or_default()
    }
}

/// Runs `bilik-agent enroll`; returns (success, stdout, stderr).
pub async fn enroll(url: &str, code: &str, state_dir: &Path) -> (bool, String, String) {
    let mut cmd = Command::new(binary("bilik-agent"));
    cmd.arg("enroll").args(["--server", url, "--code", code]);
    if url.starts_with("http://") {
        // The in-process test server speaks plain text.
        cmd.arg("--insecure");
    }
    let out = cmd
        .arg("--state-dir")
        .arg(state_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output();
    let out = within(out).await.unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Makes an enrolment code for `name` on the in-process server.
pub async fn enrollment_code(server: &TestServer, name: &str) -> String {
    server.admin().await.enrollment_code(name).await
}

/// Enrols a station named `name` into `state_dir` through the binary.
pub async fn enroll_station(server: &TestServer, name: &str, state_dir: &Path) {
    let code = enrollment_code(server, name).await;
    let (ok, stdout, stderr) = enroll(&server.url, &code, state_dir).await;
    assert!(ok, "enrol failed:\n{stdout}\n{stderr}");
}

/// Enrols a station named `name` into `root/name` and starts its agent
/// with `args`; asserts that the lock screen is the first thing it shows
/// and waits for its link. Returns the agent and the station's id.
pub async fn start_enrolled(
    server: &TestServer,
    root: &Path,
    name: &str,
    args: &[&str],
) -> (AgentProcess, String) {
    let state = root.join(name);
    enroll_station(server, name, &state).await;
    let mut agent = AgentProcess::start(&state, args).await;
    let first = agent.any_state().await;
    assert_eq!(first.str("state"), "locked");
    let connected = agent.link("connected").await;
    (agent, connected.str("station_id").to_owned())
}

/// Where most agent tests start: member 0001 (Andi Pratama, valid through
/// 2027-12-31) and the headless agent of station PC-01 at its lock screen,
/// its link up.
#[derive(Debug)]
pub struct AtTheLockScreen {
    /// The admin who added the member (for the librarian's commands).
    pub admin: Staff,
    /// PC-01's agent.
    pub agent: AgentProcess,
    /// PC-01's station id.
    pub station_id: String,
}

/// Sets up an [`AtTheLockScreen`] on `server`, the agent's state under
/// `root` (which the caller keeps: the agent lives in it), started with
/// `args`.
pub async fn andi_at_the_lock_screen(
    server: &TestServer,
    root: &Path,
    args: &[&str],
) -> AtTheLockScreen {
    let mut admin = server.admin().await;
    admin.add_member("0001", "Andi Pratama", "2027-12-31").await;
    let (agent, station_id) = start_enrolled(server, root, "PC-01", args).await;
    AtTheLockScreen {
        admin,
        agent,
        station_id,
    }
}

/// A running `bilik-agent --ui headless`.
#[derive(Debug)]
pub struct AgentProcess {
    /// The process (killed when dropped).
    child: Child,
    /// Its state directory (credential, journal, control socket).
    pub state_dir: PathBuf,
    /// Its stderr (tracing logs).
    pub log: PathBuf,
    /// Its stdin, for control lines.
    stdin: Option<ChildStdin>,
    /// Lines from stdout, in order.
    lines: mpsc::UnboundedReceiver<Line>,
    /// Every line read so far.
    pub seen: Vec<Line>,
}

impl AgentProcess {
    /// Starts the agent on `state_dir` with [`FAST_BACKOFF`] and `args`.
    pub async fn start(state_dir: &Path, args: &[&str]) -> AgentProcess {
        AgentProcess::start_with_env(state_dir, args, &[]).await
    }

    /// Same, with extra environment variables.
    pub async fn start_with_env(
        state_dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> AgentProcess {
        let log = state_dir.with_extension("agent.log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut cmd = Command::new(binary("bilik-agent"));
        cmd.args(["run", "--ui", "headless", "--state-dir"])
            .arg(state_dir)
            .args(FAST_BACKOFF)
            .args(args)
            .env("RUST_LOG", "info,bilik_agent=debug")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(text)) = reader.next_line().await {
                let at = Instant::now();
                match serde_json::from_str::<Value>(&text) {
                    Ok(json) => {
                        if tx.send(Line { at, json }).is_err() {
                            return;
                        }
                    }
                    Err(e) => panic!("agent printed a line that is not JSON ({e}): {text}"),
                }
            }
        });
        AgentProcess {
            stdin: child.stdin.take(),
            child,
            state_dir: state_dir.to_owned(),
            log,
            lines,
            seen: Vec::new(),
        }
    }

    /// Sends one control line on stdin.
    pub async fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    /// The next line (after those already consumed) that satisfies `pred`;
    /// fails the test after [`DEADLINE`], showing what was seen.
    pub async fn next(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Line {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.seen.push(line.clone());
                    if pred(&line.json) {
                        return line;
                    }
                }
                Ok(None) => panic!(
                    "agent exited while waiting for {what}; seen {:?}; log:\n{}",
                    self.seen_json(),
                    self.log_tail()
                ),
                Err(_) => panic!(
                    "timed out waiting for {what}; seen {:?}; log:\n{}",
                    self.seen_json(),
                    self.log_tail()
                ),
            }
        }
    }

    /// The next line with `"event": event`.
    pub async fn event(&mut self, event: &str) -> Line {
        self.next(&format!("event {event}"), |v| v["event"] == event)
            .await
    }

    /// The next `state` line, whatever the state.
    pub async fn any_state(&mut self) -> Line {
        self.event("state").await
    }

    /// The next `state` line showing `state` (locked, in_session, warning,
    /// maintenance).
    pub async fn state(&mut self, state: &str) -> Line {
        self.next(&format!("state {state}"), |v| {
            v["event"] == "state" && v["state"] == state
        })
        .await
    }

    /// The next state line that shows an unlocked screen (a short lease
    /// starts in the warning state).
    pub async fn unlocked(&mut self) -> Line {
        self.next("an unlocked screen", |v| {
            v["event"] == "state" && (v["state"] == "in_session" || v["state"] == "warning")
        })
        .await
    }

    /// The next `link` line with `status` (connecting, connected, backoff).
    pub async fn link(&mut self, status: &str) -> Line {
        self.next(&format!("link {status}"), |v| {
            v["event"] == "link" && v["status"] == status
        })
        .await
    }

    /// Whether any line read so far satisfies `pred`.
    pub fn saw(&self, pred: impl Fn(&Value) -> bool) -> bool {
        self.seen.iter().any(|l| pred(&l.json))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// SIGKILL: nothing runs at exit.
    pub async fn kill9(&mut self) {
        self.child.kill().await.unwrap();
    }

    /// SIGTERM, then wait for the exit; returns the exit code.
    pub async fn terminate(&mut self) -> Option<i32> {
        let pid = self.pid().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status().await;
        within(self.child.wait()).await.unwrap().code()
    }

    /// The JSON seen so far (for failure messages).
    fn seen_json(&self) -> Vec<String> {
        self.seen.iter().map(|l| l.json.to_string()).collect()
    }

    /// The end of the agent's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// Sends one line on the agent's `control.sock`; returns its answer.
#[cfg(unix)]
pub async fn control(state_dir: &Path, line: &str) -> String {
    let path = state_dir.join("control.sock");
    let stream = within(async {
        loop {
            match tokio::net::UnixStream::connect(&path).await {
                Ok(s) => break s,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    })
    .await;
    let (read, mut write) = stream.into_split();
    write
        .write_all(format!("{line}\n").as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    within(BufReader::new(read).read_line(&mut answer))
        .await
        .unwrap();
    answer.trim_end().to_owned()
}

/// Where libfaketime is, if installed (Debian package `faketime`).
pub fn libfaketime() -> Option<PathBuf> {
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
        "/usr/local/lib/faketime/libfaketime.so.1",
    ];
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Whether a test whose tool is missing must fail rather than skip
/// (`BILIK_E2E=require`, set by CI).
pub fn tools_required() -> bool {
    std::env::var("BILIK_E2E").is_ok_and(|v| v == "require")
}
