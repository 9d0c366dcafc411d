//! What the kernel says about a lock-screen process that stopped
//! answering: stopped (`SIGSTOP`), gone, or still running and using CPU
//! (slow on a starved machine, not hung). Read from `/proc/PID/stat`,
//! which every user may read; the verdict is the judge's (`judge`).

/// The process state, as far as the judge cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Running or waiting for a CPU (`R`): it wants to run.
    Running,
    /// Sleeping or waiting on the disk (`S`, `D`, `I`): progress is judged
    /// by its CPU time.
    Sleeping,
    /// Stopped by a signal or a tracer (`T`, `t`).
    Stopped,
    /// Exited (a zombie, or no such process).
    Gone,
}

/// One look at the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sample {
    /// Its state.
    pub state: State,
    /// User + system CPU time of all its threads, in clock ticks: a silent
    /// process whose CPU time advances is doing something.
    pub cpu: u64,
}

/// Looks at process `pid`; `None` when it cannot be told (no `/proc`).
pub(super) fn sample(pid: u32) -> Option<Sample> {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => parse(&stat).map(|mut seen| {
            // The process line carries the main thread's state only: a
            // lock screen whose main thread sleeps while its repair thread
            // waits for a CPU is starved, not hung.
            if seen.state == State::Sleeping && any_thread_running(pid) {
                seen.state = State::Running;
            }
            seen
        }),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::path::Path::new("/proc/self").exists() =>
        {
            Some(Sample {
                state: State::Gone,
                cpu: 0,
            })
        }
        Err(_) => None,
    }
}

/// Whether any thread of process `pid` is running or waiting for a CPU
/// (`/proc/PID/task/*/stat`; a stopped process has every thread stopped).
fn any_thread_running(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        std::fs::read_to_string(task.path().join("stat"))
            .ok()
            .and_then(|stat| parse(&stat))
            .is_some_and(|seen| seen.state == State::Running)
    })
}

/// Parses a `/proc/PID/stat` line (`pid (comm) state ... utime stime ...`;
/// the command name may hold spaces and parentheses, so the fields are
/// counted from the last `)`).
fn parse(stat: &str) -> Option<Sample> {
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = match fields.first()?.chars().next()? {
        'R' => State::Running,
        'T' | 't' => State::Stopped,
        'Z' | 'X' | 'x' => State::Gone,
        _ => State::Sleeping,
    };
    // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th
    // after the command name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Sample {
        state,
        cpu: utime.saturating_add(stime),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_state_and_cpu_time() {
        let line =
            "4242 (bilik (ui) x) T 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 4 0 1 2 3";
        assert_eq!(
            parse(line),
            Some(Sample {
                state: State::Stopped,
                cpu: 42
            })
        );
        let line = line.replace(") T ", ") R ");
        assert_eq!(parse(&line).unwrap().state, State::Running);
        let line = line.replace(") R ", ") Z ");
        assert_eq!(parse(&line).unwrap().state, State::Gone);
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse("1 (x) S 1 2"), None);
    }

    #[test]
    fn this_process_is_seen_running_and_a_missing_one_gone() {
        let me = sample(std::process::id()).unwrap();
        assert_ne!(me.state, State::Gone);
        assert_ne!(me.state, State::Stopped);
        // Pids are below 2^22 on Linux.
        assert_eq!(sample(u32::MAX - 1).unwrap().state, State::Gone);
    }

    #[test]
    fn a_busy_thread_beside_a_sleeping_main_thread_is_running() {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let spin = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            })
        };
        // The spinning thread is `R` whenever it is looked at.
        assert!(any_thread_running(std::process::id()));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        spin.join().unwrap();
        assert!(!any_thread_running(u32::MAX - 1));
    }
}
