//! The only module that touches sled. One tree per record kind (DESIGN §3);
//! values are prost messages from `records.proto`; integer and time keys are
//! big-endian so range scans come out in order. Callers see typed records
//! only, so another engine can replace sled without touching them.

mod audit;
pub mod backup;
mod durable;
pub mod engine;
mod incidents;
mod member_names;
mod members;
pub mod postgres;
mod privacy;
mod queue;
mod reports;
mod sessions;
pub(super) mod space;
mod staff;
mod stations;
mod watch;

pub use audit::{
    AUDIT_KEY, AuditBad, AuditFault, AuditQuery, AuditVerdict, ChainMark, REKEYED_ACTION,
    audit_hash, audit_mac, hmac_sha256,
};
pub use durable::Pending;
pub use engine::Engine;
pub use sessions::{SessionEnd, StartRefused};

use durable::{Flusher, SyncTarget};
use prost::Message;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Something went wrong below the typed API.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// sled failed (I/O, corruption, the directory is locked by another process).
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// A stored value is not the record its tree should hold.
    #[error("stored record in tree {tree} cannot be decoded: {source}")]
    Decode {
        /// Which tree held the bad value.
        tree: &'static str,
        /// What prost said.
        source: prost::DecodeError,
    },
    /// A write lost a race with another (e.g. the station got a session meanwhile).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A write could not be made durable (sled's flush or the device sync
    /// failed: a full disk, an I/O error). Nobody may be told it succeeded.
    #[error("the write could not be made durable: {0}")]
    Durability(String),
    /// A stored secret or setting is there but unusable (never silently replaced).
    #[error("stored {0} is malformed")]
    Malformed(&'static str),
    /// The database server failed or refused (PostgreSQL engine): its
    /// message and SQLSTATE, never the values of the statement.
    #[error("database error: {0}")]
    Database(String),
}

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The server's embedded database.
#[derive(Debug, Clone)]
pub struct Store {
    /// The database; trees below are handles into it.
    db: sled::Db,
    /// The directory the store lives in (`None` for a temporary store):
    /// free space is measured there.
    dir: Option<PathBuf>,
    /// What the flusher thread syncs; the thread holds only a weak pointer,
    /// so the last store dropped really closes the database.
    _sync_target: Arc<SyncTarget>,
    /// Group commit: every acknowledged write waits here until it is on the device.
    flusher: Arc<Flusher>,
    /// The ballast that keeps room for sled when the disk fills up.
    reserve: Arc<space::Reserve>,
    /// Serialises audit appends (each entry's MAC covers the one before)
    /// and the making of the audit key; held for in-memory work only.
    audit_append: Arc<std::sync::Mutex<()>>,
    /// Card number → `MemberRecord`.
    members: sled::Tree,
    /// Name word + 0x00 + card → lower-cased name: name search without
    /// decoding every member (`member_names.rs`; derived, not backed up).
    member_names: sled::Tree,
    /// Station id → `StationRecord`.
    stations: sled::Tree,
    /// Lower-case station name → station id: finding a station by name
    /// (every librarian action names one) without decoding every station.
    station_names: sled::Tree,
    /// UUIDv7 session id (16 bytes, time-ordered) → `SessionRecord`.
    sessions: sled::Tree,
    /// Card + 0x00 + session id → (): a card's history, newest last.
    sessions_by_card: sled::Tree,
    /// Station id → session id of the open session.
    active: sled::Tree,
    /// Card → session id of the card's open session: "one open session per
    /// card" is checked inside the transaction that starts a session.
    active_cards: sled::Tree,
    /// Username → `StaffRecord`.
    staff: sled::Tree,
    /// SHA-256 of an enrolment code → `EnrollmentCodeRecord`.
    enrollment_codes: sled::Tree,
    /// Station id + 0x00 + event id → `AppliedEventRecord`: each agent event once.
    applied_events: sled::Tree,
    /// Name → value: schema version, settings, the signing key and the
    /// record counters (`count.*`, kept in the writes that add records).
    meta: sled::Tree,
    /// "YYYY-MM" → `SignedReportRecord`: frozen monthly reports.
    reports: sled::Tree,
    /// Sequence (u64 BE) → `AuditRecord`, each MAC covering the one before.
    audit: sled::Tree,
    /// UUIDv7 incident id (16 bytes) → `IncidentRecord`: the problems log.
    incidents: sled::Tree,
    /// UUIDv7 at the wait's end (16 bytes) → `QueueWaitRecord`: finished
    /// waits of the waiting queue, for the monthly report. The queue itself
    /// is one `QueueRecord` in `meta` (`queue`).
    queue_log: sled::Tree,
}

/// The schema version written into `meta` at creation.
const SCHEMA_VERSION: &[u8] = b"1";

impl Store {
    /// Opens (or creates) the store in `dir`. Fails if another process holds it.
    pub fn open(dir: &Path) -> Result<Store> {
        let db = sled::Config::new().path(dir).open()?;
        let log = std::fs::File::open(dir.join("db")).map_err(sled::Error::Io)?;
        // The files sled just created are only found again if their
        // directory entries are on the device too.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(sled::Error::Io)?;
        Store::from_db(db, Some(log), Some(dir.to_owned()))
    }

    /// A store that lives in a temporary directory and vanishes when dropped.
    pub fn temporary() -> Result<Store> {
        Store::from_db(sled::Config::new().temporary(true).open()?, None, None)
    }

    fn from_db(db: sled::Db, log: Option<std::fs::File>, dir: Option<PathBuf>) -> Result<Store> {
        let reserve = Arc::new(space::Reserve::default());
        let target = Arc::new(SyncTarget {
            db: db.clone(),
            log,
            dir: dir.clone(),
            reserve: reserve.clone(),
        });
        let flusher = Flusher::spawn(Arc::downgrade(&target)).map_err(sled::Error::Io)?;
        let store = Store {
            dir,
            _sync_target: target,
            flusher: Arc::new(flusher),
            audit_append: Arc::new(std::sync::Mutex::new(())),
            reserve,
            members: db.open_tree("members")?,
            member_names: db.open_tree("member_names")?,
            stations: db.open_tree("stations")?,
            station_names: db.open_tree("station_names")?,
            sessions: db.open_tree("sessions")?,
            sessions_by_card: db.open_tree("sessions_by_card")?,
            active: db.open_tree("active")?,
            active_cards: db.open_tree("active_cards")?,
            staff: db.open_tree("staff")?,
            enrollment_codes: db.open_tree("enrollment_codes")?,
            applied_events: db.open_tree("applied_events")?,
            meta: db.open_tree("meta")?,
            reports: db.open_tree("reports")?,
            audit: db.open_tree("audit")?,
            incidents: db.open_tree("incidents")?,
            queue_log: db.open_tree("queue_log")?,
            db,
        };
        store
            .meta
            .compare_and_swap("schema_version", None::<&[u8]>, Some(SCHEMA_VERSION))?
            .ok();
        store.index_station_names()?;
        store.index_active_cards()?;
        store.init_counters()?;
        store.init_member_categories()?;
        store.init_member_names()?;
        durable::sync(&store._sync_target).map_err(StoreError::Durability)?;
        Ok(store)
    }

    /// A setting or other named value from `meta`.
    pub fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.meta.get(name)?.map(|v| v.to_vec()))
    }

    /// Stores a named value in `meta`.
    pub fn set_meta(&self, name: &str, value: &[u8]) -> Result<Pending<'_, ()>> {
        self.meta.insert(name, value)?;
        Ok(Pending::wrote(self, ()))
    }

    /// Stores a named value in `meta` unless one is there; `false` (nothing
    /// written) if it was. Two servers' first starts cannot both win.
    pub fn create_meta(&self, name: &str, value: &[u8]) -> Result<Pending<'_, bool>> {
        let created = self
            .meta
            .compare_and_swap(name, None::<&[u8]>, Some(value))?
            .is_ok();
        Ok(if created {
            Pending::wrote(self, true)
        } else {
            Pending::nothing(self, false)
        })
    }

    /// Starts every counter a store written before counters existed lacks
    /// (one scan, once).
    fn init_counters(&self) -> Result<()> {
        for (key, tree) in [
            (COUNT_MEMBERS, &self.members),
            (COUNT_SESSIONS, &self.sessions),
        ] {
            if self.meta.get(key)?.is_none() {
                set_counter(&self.meta, key, tree.len() as u64)?;
            }
        }
        Ok(())
    }

    /// A record counter from `meta`.
    fn counter(&self, key: &str) -> Result<u64> {
        Ok(self.meta.get(key)?.as_deref().map_or(0, read_counter))
    }
}

/// `meta` key counting members (kept by every member write).
const COUNT_MEMBERS: &str = "count.members";
/// `meta` key counting sessions ever started (kept by `start_session`).
const COUNT_SESSIONS: &str = "count.sessions";

/// A counter's stored bytes (u64 BE; anything else reads as 0).
fn read_counter(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, u64::from_be_bytes)
}

/// Sets a counter outside any transaction (opening, restoring).
fn set_counter(meta: &sled::Tree, key: &str, n: u64) -> Result<()> {
    meta.insert(key, &n.to_be_bytes())?;
    Ok(())
}

/// Adds `by` to a counter inside a transaction.
fn bump_counter(
    meta: &sled::transaction::TransactionalTree,
    key: &str,
    by: u64,
) -> sled::transaction::ConflictableTransactionResult<(), StoreError> {
    let n = meta.get(key)?.as_deref().map_or(0, read_counter);
    meta.insert(key, &n.saturating_add(by).to_be_bytes())?;
    Ok(())
}

/// The 16 key bytes of a UUID id (sessions, incidents: UUIDv7, time-ordered).
fn uuid_key(what: &str, id: &str) -> Result<[u8; 16]> {
    uuid::Uuid::parse_str(id)
        .map(|u| *u.as_bytes())
        .map_err(|_| StoreError::Conflict(format!("not a {what} id")))
}

/// The smallest UUIDv7 key at or after `ms`: range scans by time.
fn time_key(ms: i64) -> [u8; 16] {
    let mut key = [0u8; 16];
    let ms = ms.clamp(0, (1 << 48) - 1) as u64;
    key[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    key
}

/// A failed sled transaction as the store's error.
fn flatten(err: sled::transaction::TransactionError<StoreError>) -> StoreError {
    match err {
        sled::transaction::TransactionError::Abort(e) => e,
        sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

/// Decodes a stored record, naming the tree on failure.
fn decode<M: Message + Default>(tree: &'static str, bytes: &[u8]) -> Result<M> {
    M::decode(bytes).map_err(|source| StoreError::Decode { tree, source })
}

/// Reads and decodes one record.
fn get<M: Message + Default>(
    tree: &sled::Tree,
    name: &'static str,
    key: impl AsRef<[u8]>,
) -> Result<Option<M>> {
    tree.get(key)?.map(|v| decode(name, &v)).transpose()
}

/// Decodes every value of an iterator of entries.
fn decode_all<M: Message + Default>(
    name: &'static str,
    iter: impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>,
) -> Result<Vec<M>> {
    iter.map(|entry| decode(name, &entry?.1)).collect()
}
