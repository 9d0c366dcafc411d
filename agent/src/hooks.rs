//! Commands run at session start and end: the cleanup between patrons.
//!
//! A hook is a program with arguments and a timeout ([`HookSpec`]).
//! [`run_hook`] starts it with stdin closed, the agent's environment plus
//! the pairs the caller passes (the session id, say), and its stdout and
//! stderr captured: each stream is read to the end (so a chatty hook never
//! blocks on a full pipe) but only the first [`OUTPUT_CAP`] bytes are kept,
//! logged with `tracing` and returned in the [`HookOutcome`].
//!
//! # Timeouts
//!
//! A hook still running at its timeout is killed. On Unix the hook runs in
//! a process group of its own (`process_group(0)`) and the whole group gets
//! `SIGKILL`, so a script's children (a `sleep`, a browser it started) die
//! with it; elsewhere only the hook process itself is killed. A hook that
//! exits on time but leaves a background child holding its output open is
//! not waited for: output is collected for at most [`OUTPUT_GRACE`] after
//! the exit. The child is also killed if the future is dropped
//! (`kill_on_drop`).
//!
//! # A Linux example
//!
//! (Also in `docs/hooks-linux.md`, with the configuration around it.)
//!
//! The agent runs as root; patrons use an unprivileged account, `patron`
//! here, logged in automatically. This end-of-session hook closes the
//! browsers and wipes what the last patron left behind. Configured as
//! program `/usr/local/lib/bilik/session-end.sh`, no arguments, a 30 s
//! timeout:
//!
//! ```sh
//! #!/bin/sh
//! # /usr/local/lib/bilik/session-end.sh: run by bilik-agent as root when a
//! # session ends. Exit non-zero on failure: the agent reports it to the
//! # server (HookFailed) with the first 4 KiB of what this prints.
//! set -u
//! PATRON=patron
//! HOME_DIR=$(getent passwd "$PATRON" | cut -d: -f6)
//! if [ -z "$HOME_DIR" ] || [ "$HOME_DIR" = / ]; then
//!     echo "no home directory for user $PATRON" >&2
//!     exit 1
//! fi
//!
//! # 1. Close the browsers: ask first, then insist. (pkill exits 1 when
//! #    nothing matched, which is fine here.)
//! pkill -u "$PATRON" -f firefox
//! pkill -u "$PATRON" chromium
//! sleep 2
//! pkill -KILL -u "$PATRON" -f firefox
//! pkill -KILL -u "$PATRON" chromium
//!
//! # 2. Wipe downloads (hidden files too) and the browser profiles, caches
//! #    included, so the next patron sees nothing: no history, cookies,
//! #    saved passwords or open tabs.
//! status=0
//! if [ -d "$HOME_DIR/Downloads" ]; then
//!     find "$HOME_DIR/Downloads" -mindepth 1 -delete || status=1
//! fi
//! rm -rf --one-file-system \
//!     "$HOME_DIR/.mozilla/firefox" \
//!     "$HOME_DIR/.cache/mozilla" \
//!     "$HOME_DIR/.config/chromium" \
//!     "$HOME_DIR/.cache/chromium" || status=1
//!
//! [ "$status" -eq 0 ] || echo "could not wipe everything in $HOME_DIR" >&2
//! exit "$status"
//! ```
//!
//! Firefox and Chromium build a fresh profile at their next start. To give
//! every patron a prepared profile instead (bookmarks, home page), copy a
//! template back in the same script, e.g.
//! `cp -a /etc/bilik/firefox-template "$HOME_DIR/.mozilla/firefox" &&
//! chown -R "$PATRON": "$HOME_DIR/.mozilla"`.

use std::future::Future;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use bilik_proto::v1::HookFailed;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

/// Bytes of output kept per hook (each of stdout and stderr, and the two
/// together in the outcome).
pub const OUTPUT_CAP: usize = 4 * 1024;
/// How long output is still collected after the hook has exited or been
/// killed.
pub const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// One configured command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSpec {
    /// Names it in logs and in `HookFailed` reports ("session-end").
    pub name: String,
    /// The program to run (a path, or a name looked up in `PATH`).
    pub program: String,
    /// Its arguments (no shell: each is passed as is).
    pub args: Vec<String>,
    /// Longest it may run before it is killed.
    pub timeout: Duration,
}

/// How a hook run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    /// Exited with status 0.
    Ok {
        /// What it printed (capped).
        output: String,
    },
    /// Exited non-zero or was killed by a signal it did not get from us.
    Failed {
        /// Its exit code; `None` when a signal ended it.
        exit_code: Option<i32>,
        /// What it printed (capped): usually the reason.
        output: String,
    },
    /// Ran past its timeout and was killed.
    TimedOut {
        /// What it printed before it was killed (capped).
        output: String,
    },
    /// Could not be started (missing program, not executable, ...).
    SpawnError(String),
}

impl HookOutcome {
    /// Whether the hook did its job.
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Ok { .. })
    }

    /// The report to send the server for a failure (`None` on success).
    /// `exit_code` is -1 when there was none.
    pub fn to_failure(&self, hook: &str) -> Option<HookFailed> {
        let (exit_code, detail, timed_out) = match self {
            Self::Ok { .. } => return None,
            Self::Failed { exit_code, output } => (exit_code.unwrap_or(-1), output.clone(), false),
            Self::TimedOut { output } => (-1, output.clone(), true),
            Self::SpawnError(msg) => (-1, msg.clone(), false),
        };
        Some(HookFailed {
            hook: hook.to_owned(),
            exit_code,
            detail,
            timed_out,
        })
    }
}

/// Runs `spec` to completion or its timeout, with `env` added to the
/// agent's environment. Never fails: every problem is an outcome.
pub async fn run_hook(spec: &HookSpec, env: &[(String, String)]) -> HookOutcome {
    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);

    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let msg = format!("cannot start {}: {e}", spec.program);
            tracing::warn!(hook = %spec.name, error = %e, program = %spec.program, "hook not started");
            return HookOutcome::SpawnError(msg);
        }
    };
    tracing::debug!(hook = %spec.name, pid = child.id(), "hook started");

    let mut stdout = Capture::default();
    let mut stderr = Capture::default();
    let status = {
        let out_pipe = child.stdout.take();
        let err_pipe = child.stderr.take();
        let mut out_read = std::pin::pin!(stdout.drain(out_pipe));
        let mut err_read = std::pin::pin!(stderr.drain(err_pipe));
        let (mut out_done, mut err_done) = (false, false);
        let deadline = tokio::time::sleep(spec.timeout);
        tokio::pin!(deadline);
        let status = loop {
            tokio::select! {
                status = child.wait() => break Some(status),
                () = &mut out_read, if !out_done => out_done = true,
                () = &mut err_read, if !err_done => err_done = true,
                () = &mut deadline => break None,
            }
        };
        if status.is_none() {
            kill(&mut child, &spec.name).await;
        }
        // Whatever is still buffered in the pipes, but no waiting on a
        // stray child that keeps them open.
        let rest = async {
            tokio::join!(
                finish_unless(out_done, &mut out_read),
                finish_unless(err_done, &mut err_read)
            )
        };
        if tokio::time::timeout(OUTPUT_GRACE, rest).await.is_err() {
            tracing::debug!(hook = %spec.name, "output still open after exit; not waiting");
        }
        status
    };
    let output = combine(&stdout, &stderr);
    outcome(spec, status, output)
}

/// Turns the exit into an outcome, logging it.
fn outcome(
    spec: &HookSpec,
    status: Option<std::io::Result<ExitStatus>>,
    output: String,
) -> HookOutcome {
    let name = &spec.name;
    match status {
        None => {
            tracing::warn!(hook = %name, timeout = ?spec.timeout, %output, "hook timed out; killed");
            HookOutcome::TimedOut { output }
        }
        Some(Err(e)) => {
            tracing::warn!(hook = %name, error = %e, "lost track of the hook");
            HookOutcome::Failed {
                exit_code: None,
                output: format!("{output}{}waiting for it failed: {e}", sep(&output)),
            }
        }
        Some(Ok(status)) if status.success() => {
            tracing::info!(hook = %name, "hook done");
            if !output.is_empty() {
                tracing::debug!(hook = %name, %output, "hook output");
            }
            HookOutcome::Ok { output }
        }
        Some(Ok(status)) => {
            tracing::warn!(hook = %name, %status, %output, "hook failed");
            let output = match status.code() {
                Some(_) => output,
                None => format!("{output}{}{status}", sep(&output)),
            };
            HookOutcome::Failed {
                exit_code: status.code(),
                output,
            }
        }
    }
}

/// A newline to put between `text` and what follows, if needed.
fn sep(text: &str) -> &'static str {
    if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    }
}

/// Kills a hook that ran out of time, its process group first, and reaps it.
async fn kill(child: &mut Child, name: &str) {
    #[cfg(unix)]
    if let Some(pgid) = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw)
        && let Err(e) = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL)
    {
        tracing::debug!(hook = %name, error = %e, "could not kill the hook's process group");
    }
    if let Err(e) = child.kill().await {
        tracing::warn!(hook = %name, error = %e, "could not kill the hook");
    }
}

/// Polls `read` to its end unless it has already finished.
async fn finish_unless<F: Future<Output = ()> + Unpin>(done: bool, read: &mut F) {
    if !done {
        read.await;
    }
}

/// One output stream, read to the end, kept up to [`OUTPUT_CAP`] bytes.
#[derive(Debug, Default)]
struct Capture {
    /// The first bytes of the stream.
    kept: Vec<u8>,
    /// Whether more was read than kept.
    truncated: bool,
}

impl Capture {
    /// Reads `pipe` to EOF (or a read error), keeping the first bytes.
    async fn drain<R: AsyncRead + Unpin>(&mut self, pipe: Option<R>) {
        let Some(mut pipe) = pipe else { return };
        let mut buf = [0u8; 4096];
        loop {
            match pipe.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let room = OUTPUT_CAP.saturating_sub(self.kept.len());
                    let take = n.min(room);
                    self.kept.extend_from_slice(&buf[..take]);
                    self.truncated |= take < n;
                }
            }
        }
    }
}

/// Marks output that was cut at the cap.
const TRUNCATED: &str = "\n[... output truncated]";

/// Stdout then stderr, as text, at most [`OUTPUT_CAP`] bytes plus the
/// truncation mark.
fn combine(stdout: &Capture, stderr: &Capture) -> String {
    let mut text = String::from_utf8_lossy(&stdout.kept).into_owned();
    let err = String::from_utf8_lossy(&stderr.kept);
    if !err.is_empty() {
        text.push_str(sep(&text));
        text.push_str(&err);
    }
    let mut truncated = stdout.truncated || stderr.truncated;
    if text.len() > OUTPUT_CAP {
        let mut cut = OUTPUT_CAP;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        truncated = true;
    }
    if truncated {
        text.push_str(TRUNCATED);
    }
    text
}

#[cfg(all(test, unix))]
#[path = "hooks_tests.rs"]
mod tests;
