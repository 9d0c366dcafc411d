//! Backups: a consistent, compressed, checksummed snapshot of the whole
//! store, taken while the server runs; restore into a new directory.
//!
//! File format (version 1):
//!
//! ```text
//! b"BILIKBK1"                                  magic and version
//! gzip( frames )                               the records
//! SHA-256 of every byte before it (32 bytes)   the checksum
//! ```
//!
//! A frame is `tree-name-len u8, tree name, key-len u32 BE, key,
//! value-len u32 BE, value`; a frame with an empty tree name ends the
//! stream. Only primary records are written (members, stations, sessions,
//! staff, codes, applied events, meta, reports, audit, incidents, queue log); the
//! indexes (names, per card, open sessions) and counters are rebuilt from
//! them at restore. That is what makes a backup taken while stations keep
//! working consistent: sled's iterators are not one snapshot across trees,
//! but every primary record acknowledged before the backup began is in it,
//! and the indexes cannot disagree with the records because they are
//! derived from them.

use super::{Result, Store, StoreError, set_counter};
use bilik_proto::store::v1::{SessionRecord, StationRecord};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

/// The first bytes of every backup file.
const MAGIC: &[u8; 8] = b"BILIKBK1";
/// Length of the trailing checksum.
const CHECKSUM_LEN: usize = 32;
/// Largest key or value a backup may hold (sled values here are small; a
/// corrupt length must not make restore allocate gigabytes).
const MAX_FIELD: u32 = 64 << 20;

/// The trees a backup holds, by name: everything that is not derived.
const PRIMARY_TREES: [&str; 11] = [
    "members",
    "stations",
    "sessions",
    "staff",
    "enrollment_codes",
    "applied_events",
    "meta",
    "reports",
    "audit",
    "incidents",
    "queue_log",
];

/// Why a backup file cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing a file failed.
    #[error("backup I/O: {0}")]
    Io(#[from] std::io::Error),
    /// Not a Bilik backup (wrong magic or too short).
    #[error("not a Bilik backup file")]
    NotABackup,
    /// The checksum does not match: the file is damaged or was changed.
    #[error("the backup file is damaged: its checksum does not match")]
    Checksum,
    /// The checksum matched but the records inside do not decode.
    #[error("the backup file's records are malformed: {0}")]
    Malformed(&'static str),
    /// Writing the restored store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a backup holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// Records written, all trees together.
    pub records: u64,
    /// Sessions among them.
    pub sessions: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// The file's SHA-256 (its trailer), hex.
    pub sha256: String,
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Store {
    /// The tree behind a backup tree name.
    fn primary_tree(&self, name: &str) -> Option<&sled::Tree> {
        Some(match name {
            "members" => &self.members,
            "stations" => &self.stations,
            "sessions" => &self.sessions,
            "staff" => &self.staff,
            "enrollment_codes" => &self.enrollment_codes,
            "applied_events" => &self.applied_events,
            "meta" => &self.meta,
            "reports" => &self.reports,
            "audit" => &self.audit,
            "incidents" => &self.incidents,
            "queue_log" => &self.queue_log,
            _ => return None,
        })
    }

    /// Writes a backup of the whole store to `out`, while the store keeps
    /// serving (blocking: run it off the async runtime).
    pub fn write_backup(&self, out: impl Write) -> Result<BackupSummary, BackupError> {
        let mut hashed = HashingWriter {
            inner: out,
            hash: Sha256::new(),
            bytes: 0,
        };
        hashed.write_all(MAGIC)?;
        let mut summary = BackupSummary::default();
        let mut gz = flate2::write::GzEncoder::new(&mut hashed, flate2::Compression::fast());
        for name in PRIMARY_TREES {
            let Some(tree) = self.primary_tree(name) else {
                continue;
            };
            for entry in tree.iter() {
                let (key, value) = entry.map_err(StoreError::from)?;
                gz.write_all(&[name.len() as u8])?;
                gz.write_all(name.as_bytes())?;
                for field in [key.as_ref(), value.as_ref()] {
                    let len = u32::try_from(field.len())
                        .ok()
                        .filter(|n| *n <= MAX_FIELD)
                        .ok_or(BackupError::Malformed("a record is too large"))?;
                    gz.write_all(&len.to_be_bytes())?;
                    gz.write_all(field)?;
                }
                summary.records += 1;
                if name == "sessions" {
                    summary.sessions += 1;
                }
            }
        }
        gz.write_all(&[0])?;
        gz.finish()?;
        let digest = hashed.hash.clone().finalize();
        hashed.inner.write_all(&digest)?;
        hashed.inner.flush()?;
        summary.bytes = hashed.bytes + CHECKSUM_LEN as u64;
        summary.sha256 = hex::encode(digest);
        Ok(summary)
    }

    /// Restores `file` into `dir`, which must not exist or be empty: the
    /// checksum is verified before anything is written, the records go
    /// into a sibling `.partial` directory that becomes `dir` only when all
    /// of them are in, the indexes are rebuilt, and everything is synced.
    pub fn restore_backup(file: &Path, dir: &Path) -> Result<BackupSummary, BackupError> {
        if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
            return Err(BackupError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} is not empty: restore only into a new directory (never over a store)",
                    dir.display()
                ),
            )));
        }
        let sha256 = verify_backup(file)?;
        let partial = dir.with_extension("partial");
        if partial.exists() {
            std::fs::remove_dir_all(&partial)?;
        }
        std::fs::create_dir_all(&partial)?;
        let summary = (|| {
            let store = Store::open(&partial)?;
            let mut summary = store.load_frames(file)?;
            store.rebuild_indexes()?;
            store.sync_blocking()?;
            summary.sha256 = sha256;
            summary.bytes = std::fs::metadata(file)?.len();
            Ok::<_, BackupError>(summary)
        })();
        let summary = match summary {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(e);
            }
        };
        if dir.exists() {
            std::fs::remove_dir(dir)?;
        }
        std::fs::rename(&partial, dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(summary)
    }

    /// Reads every frame of a verified backup into this (empty) store.
    fn load_frames(&self, file: &Path) -> Result<BackupSummary, BackupError> {
        let len = std::fs::metadata(file)?.len();
        let mut reader = std::io::BufReader::new(std::fs::File::open(file)?);
        let mut magic = [0u8; 8];
        reader.read_exact(&mut magic)?;
        let body = reader.take(len - (MAGIC.len() + CHECKSUM_LEN) as u64);
        let mut gz = flate2::read::GzDecoder::new(body);
        let mut summary = BackupSummary::default();
        let malformed = |_| BackupError::Malformed("the record stream ends early");
        loop {
            let mut name_len = [0u8; 1];
            gz.read_exact(&mut name_len).map_err(malformed)?;
            if name_len[0] == 0 {
                break;
            }
            let mut name = vec![0u8; usize::from(name_len[0])];
            gz.read_exact(&mut name).map_err(malformed)?;
            let tree = std::str::from_utf8(&name)
                .ok()
                .and_then(|n| self.primary_tree(n))
                .ok_or(BackupError::Malformed("a record names an unknown tree"))?;
            let mut field = || -> Result<Vec<u8>, BackupError> {
                let mut len = [0u8; 4];
                gz.read_exact(&mut len).map_err(malformed)?;
                let len = u32::from_be_bytes(len);
                if len > MAX_FIELD {
                    return Err(BackupError::Malformed("a record is too large"));
                }
                let mut bytes = vec![0u8; len as usize];
                gz.read_exact(&mut bytes).map_err(malformed)?;
                Ok(bytes)
            };
            let key = field()?;
            let value = field()?;
            tree.insert(key, value).map_err(StoreError::from)?;
            summary.records += 1;
            if std::ptr::eq(tree, &self.sessions) {
                summary.sessions += 1;
            }
        }
        Ok(summary)
    }

    /// Derives the indexes and counters from the primary records.
    fn rebuild_indexes(&self) -> Result<()> {
        for tree in [
            &self.station_names,
            &self.sessions_by_card,
            &self.active,
            &self.active_cards,
        ] {
            tree.clear()?;
        }
        for entry in self.stations.iter() {
            let (id, value) = entry?;
            let station: StationRecord = super::decode("stations", &value)?;
            if !station.name.is_empty() {
                self.station_names
                    .insert(station.name.trim().to_lowercase().as_bytes(), id)?;
            }
        }
        let mut sessions = 0u64;
        for entry in self.sessions.iter() {
            let (key, value) = entry?;
            let session: SessionRecord = super::decode("sessions", &value)?;
            sessions += 1;
            if !session.card.is_empty() {
                let mut card_key = session.card.as_bytes().to_vec();
                card_key.push(0);
                card_key.extend_from_slice(&key);
                self.sessions_by_card.insert(card_key, &[])?;
            }
            if session.ended_at_ms == 0 {
                // Keys are time-ordered: a later open session wins.
                self.active.insert(session.station_id.as_bytes(), &key)?;
                if !session.card.is_empty() {
                    self.active_cards.insert(session.card.as_bytes(), &key)?;
                }
            }
        }
        set_counter(&self.meta, super::COUNT_SESSIONS, sessions)?;
        set_counter(&self.meta, super::COUNT_MEMBERS, self.members.len() as u64)?;
        self.rebuild_member_names()?;
        Ok(())
    }
}

/// Checks a backup file's magic and checksum (reading it once, in
/// constant memory); returns the checksum, hex.
pub fn verify_backup(file: &Path) -> Result<String, BackupError> {
    let len = std::fs::metadata(file)?.len();
    if len < (MAGIC.len() + CHECKSUM_LEN) as u64 {
        return Err(BackupError::NotABackup);
    }
    let mut reader = std::io::BufReader::new(std::fs::File::open(file)?);
    let mut magic = [0u8; 8];
    reader.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(BackupError::NotABackup);
    }
    let mut hash = Sha256::new();
    hash.update(magic);
    let mut body = (&mut reader).take(len - (MAGIC.len() + CHECKSUM_LEN) as u64);
    std::io::copy(&mut body, &mut hash)?;
    let mut stored = [0u8; CHECKSUM_LEN];
    reader.read_exact(&mut stored)?;
    let digest = hash.finalize();
    if digest.as_slice() != stored {
        return Err(BackupError::Checksum);
    }
    Ok(hex::encode(digest))
}
