//! Runs hook jobs one after another, off the driver's task.
//!
//! The driver must keep enforcing leases while a cleanup script runs (or
//! hangs until its timeout), so hooks run on a task of their own. Jobs run
//! strictly in the order submitted: the end hooks of one session finish
//! before the start hooks of the next begin. Each hook's outcome is
//! reported as it finishes (failures are journaled at once), then the job's
//! end.

use bilik_proto::v1::PowerAction;
use tokio::sync::mpsc;

use crate::hooks::{HookOutcome, HookSpec, run_hook};

/// Why a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// A session began.
    SessionStart,
    /// A session ended (the cleanup).
    SessionEnd,
    /// The server's restart/shutdown command.
    Power(PowerAction),
}

impl Phase {
    /// The value of `BILIK_PHASE` for the hook.
    pub fn name(self) -> &'static str {
        match self {
            Self::SessionStart => "session_start",
            Self::SessionEnd => "session_end",
            Self::Power(_) => "power",
        }
    }
}

/// Hooks to run in order.
#[derive(Debug, Clone)]
pub struct HookJob {
    /// Why they run.
    pub phase: Phase,
    /// The commands, run one after another.
    pub hooks: Vec<HookSpec>,
    /// Added to each hook's environment (session id, end reason, ...).
    pub env: Vec<(String, String)>,
}

/// What the runner tells the driver.
#[derive(Debug, Clone)]
pub enum HookReport {
    /// One hook finished.
    Ran {
        /// The job's phase.
        phase: Phase,
        /// The hook's name.
        hook: String,
        /// How it went.
        outcome: HookOutcome,
    },
    /// Every hook of a job has finished.
    Done {
        /// The job's phase.
        phase: Phase,
        /// Whether every hook succeeded.
        all_ok: bool,
    },
}

/// The driver's handle on the runner task.
#[derive(Debug)]
pub struct HookRunner {
    /// Jobs to run.
    jobs: mpsc::UnboundedSender<HookJob>,
}

impl HookRunner {
    /// Starts the runner; it reports on `reports` and stops when the handle
    /// is dropped (after the job in hand).
    pub fn spawn(reports: mpsc::UnboundedSender<HookReport>) -> HookRunner {
        let (jobs, mut rx) = mpsc::unbounded_channel::<HookJob>();
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                let mut all_ok = true;
                for spec in &job.hooks {
                    let mut env = job.env.clone();
                    env.push(("BILIK_PHASE".into(), job.phase.name().into()));
                    env.push(("BILIK_HOOK".into(), spec.name.clone()));
                    tracing::info!(hook = %spec.name, phase = job.phase.name(), "running hook");
                    let outcome = run_hook(spec, &env).await;
                    all_ok &= outcome.is_ok();
                    let ran = HookReport::Ran {
                        phase: job.phase,
                        hook: spec.name.clone(),
                        outcome,
                    };
                    if reports.send(ran).is_err() {
                        return;
                    }
                }
                let done = HookReport::Done {
                    phase: job.phase,
                    all_ok,
                };
                if reports.send(done).is_err() {
                    return;
                }
            }
        });
        HookRunner { jobs }
    }

    /// Queues a job; `false` if the runner has stopped.
    pub fn submit(&self, job: HookJob) -> bool {
        self.jobs.send(job).is_ok()
    }
}
