//! Argon2 on threads of its own: a fixed pool of [`threads`] workers,
//! each hashing one secret at a time. Not tokio's blocking pool: each
//! Argon2 call takes ~19 MiB, and the allocator keeps that much per thread
//! that ever ran one (hundreds of blocking-pool threads under a flood of
//! guesses grew the server by gigabytes); a fixed pool keeps it to a few
//! threads' worth. Half the cores at most, at the lowest CPU priority
//! (nice 19), so a flood of PIN or password guesses takes only what honest
//! logins leave.

use std::sync::{Mutex, mpsc};
use tokio::sync::oneshot;

/// A job: runs on a worker.
type Job = Box<dyn FnOnce() + Send>;

/// The workers' queue.
#[derive(Debug)]
pub(crate) struct HashingPool {
    /// Jobs for the workers (they stop when it is dropped).
    jobs: Mutex<mpsc::Sender<Job>>,
}

/// Workers: half the cores, at least one.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (usize::from(n) / 2).max(1))
}

/// Makes the calling thread the last to get a core (Linux: a thread's own
/// nice value).
fn lower_priority() {
    let me = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(me), 19) {
        tracing::debug!(error = %e, "hashing thread keeps its priority");
    }
}

impl HashingPool {
    /// Starts the workers.
    pub(crate) fn start() -> HashingPool {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        for n in 0..threads() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("bilik-argon2-{n}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = {
                            let rx = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                            rx.recv()
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a hashing thread");
            }
        }
        HashingPool {
            jobs: Mutex::new(tx),
        }
    }

    /// Runs `work` on a worker; `None` if the pool is gone.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(job)
            .ok()?;
        rx.await.ok()
    }
}
