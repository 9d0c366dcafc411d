//! Use cases: the one place both gRPC and the web dashboard call. Each
//! function checks its input, applies the rules of [`crate::policy`], writes
//! through [`crate::store`] and tells the [`crate::hub`] what to push.

mod admission;
mod alerts;
mod annual;
mod audit;
mod backup;
mod enrollment;
mod hashing;
mod health;
mod incidents;
mod login;
mod member_source;
pub(crate) mod members;
mod observe;
mod privacy;
mod queue;
mod reports;
mod sessions;
mod staff;
mod stations;
mod throttles;
mod usage;
mod views;
mod watch;
mod website;

pub use alerts::{Alert, AlertKind};
pub use audit::{AuditPage, SYSTEM_ACTOR};
pub use backup::LastBackup;
pub use health::{Health, StationChoice};
pub use member_source::{BY_LOCAL, BY_SIP2, BY_SIP2_CACHED};
pub use members::MAX_IMPORT_BYTES;
pub use members::{ImportChange, ImportPreview, ImportPreviewRow, MemberPage};
pub use privacy::MemberExport;
pub use queue::{MAX_QUEUE, estimate_waits};
pub use staff::StaffIdentity;
pub use watch::StationFeed;
pub use website::{ExpiryKind, Reminder, WatchedSite, failure_text};

use crate::clock::Clock;
use crate::config::Config;
use crate::credentials::{SecretError, hash_password, verify_password};
use crate::hub::Hub;
use crate::import::ImportErrors;
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
    /// A refusal worded in the catalogue for the person who caused it
    /// (a librarian's form): shown in their language, never as English.
    #[error("{0}")]
    Said(Said),
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

/// Which kind of refusal a [`Said`] is: how a transport reports it (a
/// gRPC code, an HTTP status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request is malformed (like [`Error::InvalidArgument`]).
    Invalid,
    /// The thing asked for does not exist (like [`Error::NotFound`]).
    NotFound,
    /// The state does not allow it now (like [`Error::FailedPrecondition`]).
    NotNow,
    /// It exists already (like [`Error::AlreadyExists`]).
    Exists,
}

/// A refusal in the catalogue's words, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// How transports report it.
    pub fault: Fault,
    /// The sentence, with `{value}` where [`Said::value`] goes.
    pub text: bilik_proto::catalog::Text,
    /// What fills `{value}`: a value the server chose to show (a month, a
    /// station's name), never raw input.
    pub value: String,
    /// A catalogue word filling `{value}` instead (a field's label), so it
    /// follows the reader's language.
    pub word: Option<bilik_proto::catalog::Text>,
}

impl Said {
    /// The sentence in `lang`, filled in.
    pub fn get(&self, lang: bilik_proto::catalog::Lang) -> String {
        let value = match &self.word {
            Some(word) => word.get(lang),
            None => &self.value,
        };
        self.text.get(lang).replace("{value}", value)
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.get(bilik_proto::catalog::Lang::En))
    }
}

/// A refusal in the catalogue's words (`{value}` left empty).
pub(crate) fn said(fault: Fault, text: bilik_proto::catalog::Text) -> Error {
    said_with(fault, text, String::new())
}

/// A refusal in the catalogue's words, `{value}` filled with `value`.
pub(crate) fn said_with(
    fault: Fault,
    text: bilik_proto::catalog::Text,
    value: impl Into<String>,
) -> Error {
    Error::Said(Said {
        fault,
        text,
        value: value.into(),
        word: None,
    })
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
    /// Every throttle: card logins, PINs, staff sign-ins, enrolment codes.
    throttles: throttles::Throttles,
    /// Bursts of refusals, failures and tampering, for the dashboard.
    alerts: std::sync::Mutex<alerts::Alerts>,
    /// The key of [`App::log_id`], read (or made) on first use.
    log_key: std::sync::OnceLock<[u8; 32]>,
    /// Argon2 runs on threads of its own, half the cores (see
    /// [`hashing`]): a flood of guesses queues there, it does not take the
    /// memory and every core.
    hashing: hashing::HashingPool,
    /// Whether the data disk's reserve file was in place at the last check.
    reserve_kept: std::sync::atomic::AtomicBool,
    /// The library system that validates cards (`[members] source =
    /// "sip2"`); `None`: the store's own members.
    ils: Option<Arc<crate::sip2::Ils>>,
    /// Counters and histograms for `/metrics`, moved by the use cases.
    metrics: crate::metrics::Metrics,
    /// Serialises changes to the waiting queue (read, change, durable
    /// write), so two librarians and the sweeper cannot lose each other's.
    queue_lock: tokio::sync::Mutex<()>,
    /// Serialises changes to the website watch's state (read, change,
    /// durable write); the checks themselves run without it.
    watch_lock: tokio::sync::Mutex<()>,
    /// Whether an [`App::offer_stations_soon`] run is spawned and not yet
    /// started: later calls share it instead of each spawning their own.
    offer_pending: std::sync::atomic::AtomicBool,
}

impl App {
    /// Builds the application and starts the hub task (needs a Tokio runtime).
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> App {
        let ils = config
            .sip2
            .clone()
            .map(|s| Arc::new(crate::sip2::Ils::new(s)));
        App {
            inner: Arc::new(Inner {
                config,
                clock,
                hub: Hub::spawn(),
                staff_tokens: std::sync::Mutex::new(HashMap::new()),
                storage_low: std::sync::atomic::AtomicBool::new(false),
                reserve_kept: std::sync::atomic::AtomicBool::new(false),
                tls: None,
                throttles: throttles::Throttles::default(),
                alerts: std::sync::Mutex::new(alerts::Alerts::default()),
                hashing: hashing::HashingPool::start(),
                log_key: std::sync::OnceLock::new(),
                ils,
                metrics: crate::metrics::Metrics::new(store.commit_latency()),
                store,
                queue_lock: tokio::sync::Mutex::new(()),
                watch_lock: tokio::sync::Mutex::new(()),
                offer_pending: std::sync::atomic::AtomicBool::new(false),
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

    /// The store: for the use cases only. Transports call use cases, never
    /// the store.
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The store, for tests and benches that inspect what was written
    /// (the `test-support` feature; the server itself never turns it on).
    #[cfg(feature = "test-support")]
    pub fn store_for_tests(&self) -> &Store {
        &self.inner.store
    }

    /// Makes everything written so far durable (at `init` and at shutdown).
    pub async fn sync_store(&self) -> Result<()> {
        Ok(self.store().sync().await?)
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

    /// Checks a secret (PIN, password) against its Argon2 hash on the
    /// hashing threads: tens of milliseconds of hashing never hold a
    /// runtime worker (nor any lock).
    pub(crate) async fn verify_secret(&self, hash: &str, secret: &str) -> bool {
        let (hash, secret) = (hash.to_owned(), secret.to_owned());
        self.inner
            .hashing
            .run(move || verify_password(&hash, &secret))
            .await
            .unwrap_or(false)
    }

    /// Spends the time of a real check against a hash nobody's secret
    /// matches: an unknown username answers as slowly as a wrong password.
    pub(crate) async fn verify_nothing(&self, secret: &str) {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = match DUMMY.get() {
            Some(h) => h.clone(),
            None => {
                let made = self
                    .hash_secret("bilik: no account has this password")
                    .await
                    .unwrap_or_default();
                DUMMY.get_or_init(|| made).clone()
            }
        };
        let _ = self.verify_secret(&hash, secret).await;
    }

    /// Hashes a card PIN (lighter Argon2, see [`crate::credentials::hash_pin`])
    /// on the hashing threads.
    pub(crate) async fn hash_pin(&self, pin: &str) -> Result<String> {
        let pin = pin.to_owned();
        self.inner
            .hashing
            .run(move || crate::credentials::hash_pin(&pin))
            .await
            .ok_or_else(|| Error::FailedPrecondition("the hashing threads stopped".into()))?
            .map_err(Error::from)
    }

    /// Hashes a secret with Argon2 on the hashing threads.
    pub(crate) async fn hash_secret(&self, secret: &str) -> Result<String> {
        let secret = secret.to_owned();
        self.inner
            .hashing
            .run(move || hash_password(&secret))
            .await
            .ok_or_else(|| Error::FailedPrecondition("the hashing threads stopped".into()))?
            .map_err(Error::from)
    }

    /// What logs say instead of a card number: a keyed hash, the same for
    /// one card across restarts (a log reader can follow one card without
    /// learning it), 12 hex digits.
    pub fn log_id(&self, card: &str) -> String {
        use sha2::{Digest, Sha256};
        let key = self.inner.log_key.get_or_init(|| self.load_log_key());
        let mut h = Sha256::new();
        h.update(key);
        h.update(card.as_bytes());
        let mut id = hex::encode(h.finalize());
        id.truncate(12);
        format!("m:{id}")
    }

    /// The stored key of [`App::log_id`], made at first use.
    fn load_log_key(&self) -> [u8; 32] {
        const NAME: &str = "log_pseudonym_key";
        let stored = self.store().meta(NAME).ok().flatten();
        if let Some(key) = stored.and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok()) {
            return key;
        }
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            tracing::error!("no randomness for the log key: card ids in logs are unkeyed");
        }
        // Not worth a sync of its own: lost in a crash, ids change once.
        match self.store().create_meta(NAME, &key) {
            Ok(pending) => {
                pending.defer();
            }
            Err(e) => tracing::error!(error = %e, "log key not stored"),
        }
        match self.store().meta(NAME).ok().flatten() {
            Some(b) => <[u8; 32]>::try_from(b.as_slice()).unwrap_or(key),
            None => key,
        }
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
        self.offer_stations().await?;
        self.close_quiet_alerts().await;
        let silent = self
            .inner
            .hub
            .sweep(now, self.inner.config.offline_after_ms())
            .await;
        for station_id in silent {
            self.note_offline(&station_id).await?;
        }
        self.metrics().swept();
        Ok(())
    }

    /// A station's link ended (its agent's stream closed): if that left it
    /// offline with a patron in a session, the desk is told at once, as
    /// for a station gone silent. Not while the server stops (it closes
    /// every link itself), nor when a newer link already replaced this one.
    pub async fn link_closed(&self, station_id: &str) {
        if *self.hub().stopping_signal().borrow() {
            return;
        }
        let online = self
            .hub()
            .live_of(station_id)
            .await
            .is_some_and(|s| s.online);
        if !online && let Err(e) = self.note_offline(station_id).await {
            tracing::warn!(station = %station_id, error = %e, "offline alert not raised");
        }
    }

    /// A station went silent: if a patron was in a session there, the
    /// desk is told (the PC may have been switched off or unplugged).
    async fn note_offline(&self, station_id: &str) -> Result<()> {
        if self.store().active_session(station_id)?.is_none() {
            return Ok(());
        }
        let name = self
            .store()
            .station(station_id)?
            .map_or_else(|| station_id.to_owned(), |s| s.name);
        self.note_alert(
            alerts::AlertKind::OfflineInSession,
            &name,
            alerts::Occurrence::Show,
            "",
        )
        .await;
        Ok(())
    }

    /// Minutes from `now_ms` until the service closes by the opening
    /// hours; `None` while it is closed.
    pub fn minutes_to_closing(&self, now_ms: i64) -> Option<u32> {
        self.config().hours.minutes_to_closing(self.local(now_ms))
    }
}

/// The error for a card number that is not one (never echoing it).
pub(crate) fn not_a_card() -> Error {
    said(Fault::Invalid, bilik_proto::catalog::web::FAULT_NOT_A_CARD)
}

/// The error for a date that is not one (never echoing it).
pub(crate) fn not_a_date(field: &str) -> Error {
    use bilik_proto::catalog::web as t;
    // The field's label where the dashboard has one, else its API name.
    let word = match field {
        "birth_date" => Some(t::BIRTH_DATE),
        "registered" => Some(t::REGISTERED),
        "expires" => Some(t::EXPIRES),
        "date" => Some(t::DATE),
        "from" => Some(t::FROM_DATE),
        "to" => Some(t::TO_DATE),
        _ => None,
    };
    Error::Said(Said {
        fault: Fault::Invalid,
        text: t::FAULT_NOT_A_DATE,
        value: field.to_owned(),
        word,
    })
}

/// One line of text from outside, safe to store, show and log: control
/// characters (newlines, ESC, ...) and bidirectional overrides become
/// spaces, runs of blanks one space, at most `max_chars` characters.
pub(crate) fn clean_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0;
    let mut blank = false;
    for c in text.trim().chars() {
        let c = if c.is_control() || is_bidi_control(c) {
            ' '
        } else {
            c
        };
        if c.is_whitespace() {
            if blank {
                continue;
            }
            blank = true;
        } else {
            blank = false;
        }
        if count == max_chars {
            break;
        }
        out.push(c);
        count += 1;
    }
    out.trim_end().to_owned()
}

/// Unicode's bidirectional controls (they can make a log line read
/// differently from what it says).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Trims and bounds a free-text field from outside.
fn clean_text(text: &str, max_chars: usize) -> String {
    text.trim()
        .chars()
        .filter(|c| (!c.is_control() || *c == '\n') && !is_bidi_control(*c))
        .take(max_chars)
        .collect()
}
