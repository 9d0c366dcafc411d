//! Use cases: the one place both gRPC and the web dashboard call. Each
//! function checks its input, applies the rules of [`crate::policy`], writes
//! through [`crate::store`] and tells the [`crate::hub`] what to push.

mod audit;
mod backup;
mod enrollment;
mod incidents;
mod login;
pub(crate) mod members;
mod reports;
mod sessions;
mod staff;
mod stations;
mod usage;
mod views;

pub use audit::{AuditPage, SYSTEM_ACTOR};
pub use backup::LastBackup;
pub use members::MAX_IMPORT_BYTES;
pub use members::{ImportChange, ImportPreview, ImportPreviewRow};
pub use staff::StaffIdentity;

use crate::clock::Clock;
use crate::config::Config;
use crate::credentials::{SecretError, hash_password, verify_password};
use crate::hub::Hub;
use crate::import::slims::ImportErrors;
use crate::store::{Store, StoreError};
use bilik_proto::v1::RefusalCode;
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a use case did not happen. Each maps to a gRPC status code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    InvalidArgument(String),
    /// The request is well-formed but the state does not allow it now.
    #[error("{0}")]
    FailedPrecondition(String),
    /// It exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// Too many attempts: slowed down, try later.
    #[error("{0}")]
    ResourceExhausted(String),
    /// No valid credential or token.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the role does not allow this.
    #[error("{0}")]
    PermissionDenied(String),
    /// An import file was refused whole.
    #[error(transparent)]
    Import(#[from] ImportErrors),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A secret could not be made.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Result of a use case.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The application: cheap to clone, shared by every service.
#[derive(Debug, Clone)]
pub struct App {
    /// Everything shared, behind one pointer.
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Durable records.
    store: Store,
    /// The effective configuration.
    config: Config,
    /// Where "now" comes from (manual in tests).
    clock: Arc<dyn Clock>,
    /// Live links to agents.
    hub: Hub,
    /// Signed-in staff by SHA-256 of their bearer token. In memory: a server
    /// restart signs everybody out, which is acceptable for staff tools.
    staff_tokens: std::sync::Mutex<HashMap<String, StaffIdentity>>,
    /// Whether the data directory was short of space at the last check
    /// (logged once per change, not per refused login).
    storage_low: std::sync::atomic::AtomicBool,
    /// The TLS identity both listeners serve (`None`: plain text, insecure).
    /// Enrolment codes carry a tag of its fingerprint.
    tls: Option<Arc<crate::tls::ServerIdentity>>,
    /// Wrong enrolment codes by source address (UTC ms of each), to slow
    /// down guessing.
    code_failures: std::sync::Mutex<HashMap<String, Vec<i64>>>,
    /// Whether the data disk's reserve file was in place at the last check.
    reserve_kept: std::sync::atomic::AtomicBool,
    /// Recent failed sign-ins (UTC ms) by username, for the lock-out after
    /// repeated failures. In memory: a restart forgets them, like tokens.
    sign_in_failures: std::sync::Mutex<HashMap<String, Vec<i64>>>,
}

impl App {
    /// Builds the application and starts the hub task (needs a Tokio runtime).
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> App {
        App {
            inner: Arc::new(Inner {
                store,
                config,
                clock,
                hub: Hub::spawn(),
                staff_tokens: std::sync::Mutex::new(HashMap::new()),
                storage_low: std::sync::atomic::AtomicBool::new(false),
                reserve_kept: std::sync::atomic::AtomicBool::new(false),
                tls: None,
                code_failures: std::sync::Mutex::new(HashMap::new()),
                sign_in_failures: std::sync::Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The same application serving `identity` over TLS. Call before the
    /// application is cloned (it is set once, at start).
    pub fn with_tls(mut self, identity: crate::tls::ServerIdentity) -> App {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.tls = Some(Arc::new(identity)),
            None => tracing::error!("with_tls on a shared App: ignored"),
        }
        self
    }

    /// The TLS identity, if the server speaks TLS.
    pub fn tls(&self) -> Option<&crate::tls::ServerIdentity> {
        self.inner.tls.as_deref()
    }

    /// The store (read-only uses by reports and tests).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The effective configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The live-link hub.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// Runs `work` on tokio's blocking pool: a report scans a whole month
    /// (half a second for a million sessions), and the runtime's workers
    /// must keep serving stations and the dashboard meanwhile.
    pub async fn off_runtime<T: Send + 'static>(
        &self,
        work: impl FnOnce(&App) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || work(&app))
            .await
            .unwrap_or_else(|e| Err(Error::FailedPrecondition(format!("the work stopped: {e}"))))
    }

    /// Checks a secret (PIN, password) against its Argon2 hash on tokio's
    /// blocking pool: tens of milliseconds of hashing never hold a runtime
    /// worker (nor any lock).
    pub(crate) async fn verify_secret(&self, hash: &str, secret: &str) -> bool {
        let (hash, secret) = (hash.to_owned(), secret.to_owned());
        tokio::task::spawn_blocking(move || verify_password(&hash, &secret))
            .await
            .unwrap_or(false)
    }

    /// Hashes a secret with Argon2 on tokio's blocking pool.
    pub(crate) async fn hash_secret(&self, secret: &str) -> Result<String> {
        let secret = secret.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&secret))
            .await
            .map_err(|e| Error::FailedPrecondition(format!("hashing stopped: {e}")))?
            .map_err(Error::from)
    }

    /// Whether the store's file system is below `server.min_free_mb`: new
    /// sessions are refused then (the ends of running ones still fit).
    pub fn storage_low(&self) -> bool {
        let min = self.config().min_free_mb.saturating_mul(1 << 20);
        let low = self.store().free_bytes().is_some_and(|free| free < min);
        let was = self
            .inner
            .storage_low
            .swap(low, std::sync::atomic::Ordering::Relaxed);
        if low != was {
            if low {
                tracing::error!(
                    min_free_mb = self.config().min_free_mb,
                    "data disk nearly full: refusing new sessions"
                );
            } else {
                tracing::warn!("data disk has room again: sessions allowed");
            }
        }
        low
    }

    /// Makes the data disk's reserve file if it is missing and there is
    /// room (blocking for a moment: tens of MiB written once).
    pub(crate) fn keep_reserve(&self) {
        let bytes = self.config().reserve_mb.saturating_mul(1 << 20);
        if self
            .inner
            .reserve_kept
            .load(std::sync::atomic::Ordering::Relaxed)
            && self.store().reserve_in_place()
        {
            return;
        }
        let kept = self.store().keep_reserve(bytes);
        self.inner
            .reserve_kept
            .store(kept, std::sync::atomic::Ordering::Relaxed);
    }

    /// The refusal for a new session when the disk is nearly full.
    pub(crate) fn storage_refusal(&self) -> Option<RefusalCode> {
        self.storage_low().then_some(RefusalCode::ServerStorageFull)
    }

    /// Now, UTC Unix ms.
    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// A UTC instant as library-local date and time.
    pub fn local(&self, ms: i64) -> NaiveDateTime {
        let utc = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
        utc.with_timezone(&self.inner.config.time_zone)
            .naive_local()
    }

    /// Today in the library's time zone.
    pub fn today(&self) -> NaiveDate {
        self.local(self.now_ms()).date()
    }

    /// UTC ms of local midnight starting `date`.
    pub fn day_start_ms(&self, date: NaiveDate) -> i64 {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.inner
            .config
            .time_zone
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| midnight.and_utc().timestamp_millis())
    }

    /// Closes overdue leases and marks silent stations offline. Runs every
    /// `sweep_interval_ms`.
    pub async fn sweep(&self) -> Result<()> {
        let now = self.now_ms();
        if !self.storage_low() {
            self.keep_reserve();
        }
        self.close_overdue_sessions(now).await?;
        self.inner
            .hub
            .sweep(now, self.inner.config.offline_after_ms())
            .await;
        Ok(())
    }
}

/// Trims and bounds a free-text field from outside.
fn clean_text(text: &str, max_chars: usize) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(max_chars)
        .collect()
}
