//! Tests of the hook runner, with real processes (Unix only).
//!
//! These run on real time: tokio's paused clock auto-advances whenever the
//! runtime is idle, which is exactly while it waits for a child process, so
//! every timeout would fire at once. No test sleeps to synchronise and none
//! measures how long anything took: each awaits the outcome, and a process
//! that must be cut short runs for an hour, so that only the runner's own
//! timeout (or its not waiting) can give the outcome asserted.
#![allow(clippy::unwrap_used)]

use super::*;

fn sh(script: &str, timeout: Duration) -> HookSpec {
    HookSpec {
        name: "test-hook".into(),
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        timeout,
    }
}

/// A generous timeout for hooks that should finish quickly.
const LONG: Duration = Duration::from_secs(20);

/// How long a process runs that only a kill may end: far past any deadline.
const AN_HOUR: &str = "3600";

/// Longest a hook run may take in a test whose hook is ended by a timeout
/// of a fraction of a second (a loaded machine is slow, never this slow).
const DEADLINE: Duration = Duration::from_secs(10);

/// `run`, or a panic if it has not ended by [`DEADLINE`]: a hook that
/// outlives its timeout must not hang the test.
async fn ends<F: std::future::Future>(run: F) -> F::Output {
    tokio::time::timeout(DEADLINE, run)
        .await
        .expect("the hook was not ended by its timeout")
}

/// Whether process `pid` has exited (gone, or a zombie nobody reaped yet).
fn is_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
    }
}

/// Polls (observing another process, not synchronising our own) until
/// `pid` is gone, for up to 10 s.
async fn wait_gone(pid: u32) -> bool {
    for _ in 0..200 {
        if is_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn a_successful_hook_returns_its_output() {
    let outcome = run_hook(&sh("echo hello; echo world", LONG), &[]).await;
    assert_eq!(
        outcome,
        HookOutcome::Ok {
            output: "hello\nworld\n".into()
        }
    );
    assert!(outcome.is_ok());
    assert_eq!(outcome.to_failure("x"), None);
}

#[tokio::test]
async fn a_failing_hook_reports_its_exit_code_and_both_streams() {
    let outcome = run_hook(&sh("echo out; echo 'rm: denied' >&2; exit 3", LONG), &[]).await;
    assert_eq!(
        outcome,
        HookOutcome::Failed {
            exit_code: Some(3),
            output: "out\nrm: denied\n".into()
        }
    );
    let report = outcome.to_failure("session-end").unwrap();
    assert_eq!(report.hook, "session-end");
    assert_eq!(report.exit_code, 3);
    assert!(!report.timed_out);
    assert!(report.detail.contains("rm: denied"));
}

#[tokio::test]
async fn a_hook_killed_by_a_signal_has_no_exit_code() {
    let outcome = run_hook(&sh("kill -TERM $$", LONG), &[]).await;
    let HookOutcome::Failed { exit_code, output } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(exit_code, None);
    assert!(output.contains("signal"), "{output}");
}

#[tokio::test]
async fn a_hook_past_its_timeout_is_killed() {
    let spec = HookSpec {
        name: "slow".into(),
        program: "sleep".into(),
        args: vec![AN_HOUR.into()],
        timeout: Duration::from_millis(200),
    };
    let outcome = ends(run_hook(&spec, &[])).await;
    assert_eq!(
        outcome,
        HookOutcome::TimedOut {
            output: String::new()
        }
    );
    let report = outcome.to_failure("slow").unwrap();
    assert!(report.timed_out);
    assert_eq!(report.exit_code, -1);
}

#[tokio::test]
async fn a_timeout_kills_the_hooks_children_too() {
    let outcome = ends(run_hook(
        &sh(
            &format!("sleep {AN_HOUR} & echo $!; wait"),
            Duration::from_millis(300),
        ),
        &[],
    ))
    .await;
    let HookOutcome::TimedOut { output } = outcome else {
        panic!("{outcome:?}");
    };
    let pid: u32 = output.trim().parse().unwrap();
    assert!(wait_gone(pid).await, "the hook's child {pid} survived");
}

#[tokio::test]
async fn a_background_child_holding_the_output_does_not_stall_a_finished_hook() {
    // The child holds the output pipe for an hour: a runner that waited for
    // the pipe to close would be cut by its timeout (TimedOut, not Ok).
    let outcome = run_hook(&sh(&format!("sleep {AN_HOUR} & echo $!"), LONG), &[]).await;
    let HookOutcome::Ok { output } = outcome else {
        panic!("{outcome:?}");
    };
    // Tidy up the stray sleep.
    let pid: i32 = output.trim().parse().unwrap();
    if let Some(pid) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

#[tokio::test]
async fn output_is_read_to_the_end_but_kept_only_up_to_the_cap() {
    let outcome = run_hook(&sh("head -c 200000 /dev/zero | tr '\\0' a", LONG), &[]).await;
    let HookOutcome::Ok { output } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(output.ends_with(TRUNCATED));
    assert_eq!(output.len(), OUTPUT_CAP + TRUNCATED.len());
}

#[tokio::test]
async fn the_environment_is_passed() {
    let env = vec![
        ("BILIK_SESSION_ID".to_owned(), "s-42".to_owned()),
        ("BILIK_HOOK".to_owned(), "end".to_owned()),
    ];
    let outcome = run_hook(
        &sh("printf '%s %s' \"$BILIK_SESSION_ID\" \"$BILIK_HOOK\"", LONG),
        &env,
    )
    .await;
    assert_eq!(
        outcome,
        HookOutcome::Ok {
            output: "s-42 end".into()
        }
    );
}

#[tokio::test]
async fn stdin_is_closed() {
    // `cat` would wait forever on an open stdin.
    let outcome = run_hook(&sh("cat; echo done", LONG), &[]).await;
    assert_eq!(
        outcome,
        HookOutcome::Ok {
            output: "done\n".into()
        }
    );
}

#[tokio::test]
async fn a_missing_program_is_a_spawn_error() {
    let spec = HookSpec {
        name: "missing".into(),
        program: "/nonexistent/bilik-hook".into(),
        args: vec![],
        timeout: LONG,
    };
    let outcome = run_hook(&spec, &[]).await;
    let HookOutcome::SpawnError(msg) = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(msg.contains("/nonexistent/bilik-hook"), "{msg}");
    let report = outcome.to_failure("missing").unwrap();
    assert_eq!(report.exit_code, -1);
    assert!(!report.timed_out);
}

#[tokio::test]
async fn dropping_the_run_kills_the_hook() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let env = vec![("PID_FILE".to_owned(), pid_file.display().to_string())];
    let spec = sh(
        "echo $$ > \"$PID_FILE.tmp\"; mv \"$PID_FILE.tmp\" \"$PID_FILE\"; exec sleep 30",
        LONG,
    );
    let run = run_hook(&spec, &env);
    // Run the hook until it has written its pid, then drop the run.
    let pid = {
        tokio::pin!(run);
        let mut pid = None;
        for _ in 0..200 {
            tokio::select! {
                outcome = &mut run => panic!("finished early: {outcome:?}"),
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
            if let Ok(text) = std::fs::read_to_string(&pid_file) {
                pid = Some(text.trim().parse::<u32>().unwrap());
                break;
            }
        }
        pid.unwrap()
    };
    assert!(wait_gone(pid).await, "hook {pid} outlived its run");
}

#[test]
fn combined_output_is_cut_on_a_character_boundary() {
    let stdout = Capture {
        kept: "é".repeat(OUTPUT_CAP).into_bytes()[..OUTPUT_CAP].to_vec(),
        truncated: true,
    };
    let stderr = Capture {
        kept: b"late error".to_vec(),
        truncated: false,
    };
    let text = combine(&stdout, &stderr);
    assert!(text.ends_with(TRUNCATED));
    assert!(text.len() <= OUTPUT_CAP + TRUNCATED.len());
    assert!(text.starts_with('é'));
}
