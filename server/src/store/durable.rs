//! Group commit: the one place that decides when a write is durable.
//!
//! sled 0.34's `flush` writes its buffers and calls `sync_file_range`, which
//! neither flushes the disk's write cache nor commits the file's metadata:
//! a write that survived SIGKILL may still be lost in a power cut. So a
//! write is durable only after sled's flush *and* an `fdatasync` of sled's
//! log file (`<dir>/db`, where every write lands; sled syncs its snapshot
//! and segment files itself).
//!
//! One thread does that for everyone: a writer enqueues itself and waits;
//! the thread takes every writer queued at that moment, flushes and syncs
//! once, and wakes them all. Two hundred concurrent logins cost a handful of
//! syncs instead of two hundred, and sled's `flush_async` (reported to
//! deadlock when called concurrently, spacejam/sled#1308) is never used.

use super::{Result, Store, StoreError};
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak, mpsc};

/// How long the flusher gathers writers when the last sync had several.
const COMMIT_WINDOW: std::time::Duration = std::time::Duration::from_micros(300);
/// Most writers one sync waits for before it starts.
const MAX_BATCH: usize = 512;

/// What a waiting writer is told: the sync worked, or why not.
type Outcome = std::result::Result<(), String>;

/// A writer waiting for the next sync.
#[derive(Debug)]
enum Waiter {
    /// Awaiting on the async runtime.
    Async(tokio::sync::oneshot::Sender<Outcome>),
    /// Blocking a thread off the runtime (blocking pool, command line, open).
    Blocking(mpsc::SyncSender<Outcome>),
}

impl Waiter {
    fn wake(self, outcome: Outcome) {
        let _ = match self {
            Waiter::Async(tx) => tx.send(outcome),
            Waiter::Blocking(tx) => tx.send(outcome).map_err(|_| Ok(())),
        };
    }
}

/// The queue into the flusher thread, shared by every clone of the store.
#[derive(Debug)]
pub(super) struct Flusher {
    /// Writers waiting for the next sync. Dropping the last store drops this
    /// sender, which ends the thread.
    queue: mpsc::Sender<Waiter>,
    /// Device syncs done so far (benchmarks and tests count them).
    syncs: Arc<AtomicU64>,
    /// How long each acknowledged write waited to be durable (queue, flush
    /// and device sync), seconds: the `/metrics` histogram of the one path
    /// every confirmation takes.
    commit_seconds: prometheus_client::metrics::histogram::Histogram,
}

/// What the flusher thread needs of the database, behind a weak pointer so
/// the thread never keeps a dropped store open (a reopened store would
/// find sled's lock still held).
#[derive(Debug)]
pub(super) struct SyncTarget {
    /// The database to flush.
    pub(super) db: sled::Db,
    /// sled's log file, opened once; `None` for a temporary store (memory
    /// or tmpfs: there is no device to sync).
    pub(super) log: Option<File>,
    /// The data directory (free space is checked there before each sync).
    pub(super) dir: Option<std::path::PathBuf>,
    /// Released before a sync when the disk is about to be full.
    pub(super) reserve: Arc<super::space::Reserve>,
}

impl Flusher {
    /// Starts the flusher thread for `target`.
    pub(super) fn spawn(target: Weak<SyncTarget>) -> std::io::Result<Flusher> {
        let (queue, rx) = mpsc::channel::<Waiter>();
        let syncs = Arc::new(AtomicU64::new(0));
        let counter = syncs.clone();
        std::thread::Builder::new()
            .name("bilik-store-sync".into())
            .spawn(move || {
                // Whether the last sync had company: under load, a short
                // window gathers more writers into the next one (fewer
                // flushes, each waking sled's I/O threads); writers one after
                // another (each sync alone) never wait for it.
                let mut busy = false;
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter());
                    if busy || batch.len() > 1 {
                        let until = std::time::Instant::now() + COMMIT_WINDOW;
                        while batch.len() < MAX_BATCH {
                            let left = until.saturating_duration_since(std::time::Instant::now());
                            match rx.recv_timeout(left) {
                                Ok(waiter) if !left.is_zero() => batch.push(waiter),
                                Ok(waiter) => {
                                    batch.push(waiter);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    busy = batch.len() > 1;
                    let outcome = match target.upgrade() {
                        Some(target) => sync(&target),
                        None => Err("the store is closed".to_owned()),
                    };
                    counter.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = &outcome {
                        tracing::error!(error = %e, waiting = batch.len(), "store sync failed");
                    }
                    for waiter in batch {
                        waiter.wake(outcome.clone());
                    }
                }
            })?;
        Ok(Flusher {
            queue,
            syncs,
            commit_seconds: prometheus_client::metrics::histogram::Histogram::new(
                crate::metrics::latency_buckets(),
            ),
        })
    }

    /// Records how long a write waited to be durable.
    fn observe(&self, started: std::time::Instant) {
        self.commit_seconds.observe(started.elapsed().as_secs_f64());
    }

    /// Queues a waiter for the next sync.
    fn enqueue(&self, waiter: Waiter) -> Result<()> {
        self.queue.send(waiter).map_err(|_| stopped())
    }
}

/// The flusher thread is gone (it only ends with the store).
fn stopped() -> StoreError {
    StoreError::Durability("the store's sync thread stopped".into())
}

/// sled's flush, then the device sync of its log.
pub(super) fn sync(target: &SyncTarget) -> Outcome {
    if let Some(dir) = &target.dir {
        target
            .reserve
            .release_if_short(super::space::free_bytes_at(dir));
    }
    target.db.flush().map_err(|e| e.to_string())?;
    if let Some(log) = &target.log {
        log.sync_data().map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A write that is in the store but not yet on the device. Nobody may be
/// told it succeeded until [`Pending::durable`] returns.
#[must_use = "a write is acknowledged only once it is durable: call .durable()"]
#[derive(Debug)]
pub struct Pending<'a, T> {
    /// The store whose flusher makes it durable.
    store: &'a Store,
    /// What the write returned (e.g. whether a record was new).
    value: T,
    /// Whether anything was written at all: a refused write needs no sync.
    wrote: bool,
}

impl<'a, T> Pending<'a, T> {
    /// A write that changed the store.
    pub(super) fn wrote(store: &'a Store, value: T) -> Self {
        Pending {
            store,
            value,
            wrote: true,
        }
    }

    /// An outcome that wrote nothing (a refusal): durable already.
    pub(super) fn nothing(store: &'a Store, value: T) -> Self {
        Pending {
            store,
            value,
            wrote: false,
        }
    }

    /// Waits until the write is on the device (sharing one sync with every
    /// writer waiting at the same moment), then gives its value.
    pub async fn durable(self) -> Result<T> {
        if self.wrote {
            let started = std::time::Instant::now();
            let (tx, rx) = tokio::sync::oneshot::channel();
            self.store.flusher.enqueue(Waiter::Async(tx))?;
            rx.await
                .map_err(|_| stopped())?
                .map_err(StoreError::Durability)?;
            self.store.flusher.observe(started);
        }
        Ok(self.value)
    }

    /// [`Pending::durable`] for code off the async runtime (tokio's blocking
    /// pool, the command line): it blocks the calling thread.
    pub fn durable_blocking(self) -> Result<T> {
        if self.wrote {
            let started = std::time::Instant::now();
            let (tx, rx) = mpsc::sync_channel(1);
            self.store.flusher.enqueue(Waiter::Blocking(tx))?;
            rx.recv()
                .map_err(|_| stopped())?
                .map_err(StoreError::Durability)?;
            self.store.flusher.observe(started);
        }
        Ok(self.value)
    }

    /// The value, leaving durability to a later [`Store::sync`] that the
    /// caller awaits before telling anyone (a batch of writes, one sync).
    pub fn defer(self) -> T {
        self.value
    }

    /// Joins another write to this one: one wait makes both durable.
    pub fn and<U>(self, other: Pending<'a, U>) -> Pending<'a, (T, U)> {
        Pending {
            store: self.store,
            value: (self.value, other.value),
            wrote: self.wrote || other.wrote,
        }
    }

    /// Changes the value, keeping the write.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Pending<'a, U> {
        Pending {
            store: self.store,
            value: f(self.value),
            wrote: self.wrote,
        }
    }
}

impl Store {
    /// Makes everything written so far durable (shutdown, tests, tools).
    pub async fn sync(&self) -> Result<()> {
        Pending::wrote(self, ()).durable().await
    }

    /// [`Store::sync`] off the async runtime.
    pub fn sync_blocking(&self) -> Result<()> {
        Pending::wrote(self, ()).durable_blocking()
    }

    /// The histogram of durable-commit waits (seconds), for `/metrics`: a
    /// handle sharing the counts, not a copy.
    pub fn commit_latency(&self) -> prometheus_client::metrics::histogram::Histogram {
        self.flusher.commit_seconds.clone()
    }

    /// Device syncs done since the store was opened.
    pub fn sync_count(&self) -> u64 {
        self.flusher.syncs.load(Ordering::Relaxed)
    }
}
