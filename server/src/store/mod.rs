//! The only module that touches sled. One tree per record kind (DESIGN §3);
//! values are prost messages from `records.proto`; integer and time keys are
//! big-endian so range scans come out in order. Callers see typed records
//! only, so another engine can replace sled without touching them.

mod audit;
mod incidents;
mod members;
mod reports;
mod sessions;
mod staff;
mod stations;

pub use audit::audit_hash;
pub use sessions::SessionEnd;

use prost::Message;
use std::path::Path;

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
}

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The server's embedded database.
#[derive(Debug, Clone)]
pub struct Store {
    /// The database, kept for flushing; trees below are handles into it.
    db: sled::Db,
    /// Card number → `MemberRecord`.
    members: sled::Tree,
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
    /// Username → `StaffRecord`.
    staff: sled::Tree,
    /// SHA-256 of an enrolment code → `EnrollmentCodeRecord`.
    enrollment_codes: sled::Tree,
    /// Station id + 0x00 + event id → `AppliedEventRecord`: each agent event once.
    applied_events: sled::Tree,
    /// Name → value: schema version and settings.
    meta: sled::Tree,
    /// "YYYY-MM" → `SignedReportRecord`: frozen monthly reports.
    reports: sled::Tree,
    /// Sequence (u64 BE) → `AuditRecord`, each hashing the one before.
    audit: sled::Tree,
    /// UUIDv7 incident id (16 bytes) → `IncidentRecord`: the problems log.
    incidents: sled::Tree,
}

/// The schema version written into `meta` at creation.
const SCHEMA_VERSION: &[u8] = b"1";

impl Store {
    /// Opens (or creates) the store in `dir`. Fails if another process holds it.
    pub fn open(dir: &Path) -> Result<Store> {
        Store::from_db(sled::Config::new().path(dir).open()?)
    }

    /// A store that lives in a temporary directory and vanishes when dropped.
    pub fn temporary() -> Result<Store> {
        Store::from_db(sled::Config::new().temporary(true).open()?)
    }

    fn from_db(db: sled::Db) -> Result<Store> {
        let store = Store {
            members: db.open_tree("members")?,
            stations: db.open_tree("stations")?,
            station_names: db.open_tree("station_names")?,
            sessions: db.open_tree("sessions")?,
            sessions_by_card: db.open_tree("sessions_by_card")?,
            active: db.open_tree("active")?,
            staff: db.open_tree("staff")?,
            enrollment_codes: db.open_tree("enrollment_codes")?,
            applied_events: db.open_tree("applied_events")?,
            meta: db.open_tree("meta")?,
            reports: db.open_tree("reports")?,
            audit: db.open_tree("audit")?,
            incidents: db.open_tree("incidents")?,
            db,
        };
        store
            .meta
            .compare_and_swap("schema_version", None::<&[u8]>, Some(SCHEMA_VERSION))?
            .ok();
        store.index_station_names()?;
        Ok(store)
    }

    /// Waits until everything written so far is on disk.
    pub async fn flush(&self) -> Result<()> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// A setting or other named value from `meta`.
    pub fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.meta.get(name)?.map(|v| v.to_vec()))
    }

    /// Stores a named value in `meta`.
    pub fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        self.meta.insert(name, value)?;
        Ok(())
    }
}

/// The 16 key bytes of a UUID id (sessions, incidents: UUIDv7, time-ordered).
fn uuid_key(what: &str, id: &str) -> Result<[u8; 16]> {
    uuid::Uuid::parse_str(id)
        .map(|u| *u.as_bytes())
        .map_err(|_| StoreError::Conflict(format!("not a {what} id: {id:?}")))
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
