//! The durable outbox: [`AgentEvent`]s kept on disk until the server acks them.
//!
//! # On disk
//!
//! One append-only file, `journal.log`, in the agent's state directory. It is
//! a sequence of records, each framed as
//!
//! ```text
//! u32 LE  payload length (1 ..= MAX_RECORD_LEN)
//! u32 LE  CRC-32 of the 4 length bytes followed by the payload
//! ...     payload: a prost-encoded record, either "appended" (the event)
//!         or "acked" (event ids)
//! ```
//!
//! The checksum covers the length too, so a run of zero bytes (what some
//! file systems leave after a power cut) is not mistaken for empty records.
//!
//! # Damage
//!
//! [`Journal::open`] replays the file. The first record that is cut short,
//! has an impossible length, fails its checksum or does not decode ends the
//! replay: the records before it are kept, the damaged file is preserved as
//! `journal.log.damaged-<unix_ms>` for inspection, a fresh journal holding
//! the surviving pending events replaces it, and a [`JournalDamage`] tells
//! the caller (who reports it to the server, e.g. as a `Tamper` event). Damage
//! is never an error and never a panic: the station must keep working. Only
//! real I/O failures are errors.
//!
//! # Durability
//!
//! [`Journal::append`] and [`Journal::ack`] return only after `sync_data`.
//! Compaction (when nothing is pending, or when the file passes
//! [`COMPACT_THRESHOLD`] and is mostly dead records) writes a temporary file,
//! syncs it, renames it over the journal and syncs the directory, so a crash
//! at any point leaves either the old or the new journal, whole.
//!
//! All I/O here is blocking `std::fs`; callers on the async runtime wrap
//! calls in `spawn_blocking` (each is a write and an fsync).

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use bilik_proto::v1::{AgentEvent, agent_event};
use prost::Message;

/// The journal's file name inside the state directory.
pub const FILE_NAME: &str = "journal.log";
/// Compaction writes here first, then renames over [`FILE_NAME`].
const TMP_NAME: &str = "journal.log.tmp";
/// Length and checksum in front of every payload.
const HEADER_LEN: usize = 8;
/// The largest payload accepted; anything larger is garbage (an event is a
/// few hundred bytes).
pub const MAX_RECORD_LEN: usize = 1 << 20;
/// Past this size the file is compacted once most of it is dead records.
pub const COMPACT_THRESHOLD: u64 = 1 << 20;
/// Event ids per "acked" record, keeping each record far below the limit.
const ACK_CHUNK: usize = 1024;

/// One journal record (payload of one frame).
#[derive(Clone, PartialEq, prost::Message)]
struct Record {
    /// What happened; a record without a kind is treated as damage.
    #[prost(oneof = "RecordKind", tags = "1, 2")]
    kind: Option<RecordKind>,
}

/// The two things the journal remembers.
#[derive(Clone, PartialEq, prost::Oneof)]
enum RecordKind {
    /// An event to deliver.
    #[prost(message, tag = "1")]
    Appended(AgentEvent),
    /// The server has these events; they need no more delivering.
    #[prost(message, tag = "2")]
    Acked(Acked),
}

/// Ids the server acknowledged.
#[derive(Clone, PartialEq, prost::Message)]
struct Acked {
    /// `AgentEvent::event_id`s, all of them pending when written.
    #[prost(string, repeated, tag = "1")]
    event_ids: Vec<String>,
}

/// A failure of the journal's storage (damage is not one: see
/// [`JournalDamage`]).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file system refused something.
    #[error("journal: cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done ("sync", "rename", ...).
        op: &'static str,
        /// The file or directory it was done to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// Events without an id could never be acked.
    #[error("journal: event has no event_id")]
    MissingEventId,
    /// An event too large for one record (would read back as damage).
    #[error("journal: record of {0} bytes exceeds the {MAX_RECORD_LEN}-byte limit")]
    RecordTooLarge(usize),
}

/// Wraps an I/O error with what was being done to which path.
fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> JournalError {
    let path = path.to_path_buf();
    move |source| JournalError::Io { op, path, source }
}

/// What was wrong with the first bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageReason {
    /// The file ends in the middle of a record (torn write, truncation).
    Truncated,
    /// The length field is zero or beyond [`MAX_RECORD_LEN`].
    BadLength,
    /// The CRC does not match (bit rot, tampering, a zeroed tail).
    BadChecksum,
    /// The checksum holds but the payload is not a record we know.
    Undecodable,
}

impl fmt::Display for DamageReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => "truncated record",
            Self::BadLength => "impossible record length",
            Self::BadChecksum => "checksum mismatch",
            Self::Undecodable => "undecodable record",
        })
    }
}

/// What [`Journal::open`] found wrong and did about it, for the caller to
/// report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalDamage {
    /// Intact records read before the damage (their pending events survive).
    pub kept: usize,
    /// Bytes from the first bad record to the end of the file, all dropped.
    pub lost_bytes: u64,
    /// Byte offset of the first bad record.
    pub at_offset: u64,
    /// What was wrong with that record.
    pub reason: DamageReason,
    /// Where the damaged file was preserved.
    pub moved_to: PathBuf,
}

impl fmt::Display for JournalDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "event journal damaged ({}) at byte {}: kept {} records, dropped {} bytes, \
             damaged file kept as {}",
            self.reason,
            self.at_offset,
            self.kept,
            self.lost_bytes,
            self.moved_to.display()
        )
    }
}

/// The outbox. One per state directory; not shared between processes.
#[derive(Debug)]
pub struct Journal {
    /// The state directory: holds the journal, its temp file and damaged copies.
    dir: PathBuf,
    /// `dir/journal.log`, open for appending.
    file: File,
    /// Bytes in the file, to decide when to compact.
    len: u64,
    /// Events not yet acked, in append order (the replay order).
    pending: Vec<AgentEvent>,
    /// Ids of `pending`, for duplicate and ack look-ups.
    ids: HashSet<String>,
    /// A write failed part-way and the tail could not be cut back: the file
    /// is rewritten from memory before anything else is written.
    needs_rewrite: bool,
}

impl Journal {
    /// Opens (creating if needed) the journal in `dir` and replays it.
    ///
    /// Returns the damage found, if any, after repairing it.
    pub fn open(dir: &Path) -> Result<(Self, Option<JournalDamage>), JournalError> {
        fs::create_dir_all(dir).map_err(io_err("create", dir))?;
        let tmp = dir.join(TMP_NAME);
        match fs::remove_file(&tmp) {
            Ok(()) => tracing::info!(path = %tmp.display(), "removed an unfinished compaction"),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("remove", &tmp)(e)),
        }
        let path = dir.join(FILE_NAME);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        let replay = replay(&bytes);
        let file = open_append(&path)?;
        // Makes the file's creation durable the first time.
        sync_dir(dir)?;
        let mut journal = Self {
            dir: dir.to_path_buf(),
            file,
            len: bytes.len() as u64,
            ids: replay.pending.iter().map(|e| e.event_id.clone()).collect(),
            pending: replay.pending,
            needs_rewrite: false,
        };
        let damage = match replay.damage {
            None => None,
            Some((at_offset, reason)) => {
                let moved_to = preserve(&path)?;
                journal.rewrite()?;
                let damage = JournalDamage {
                    kept: replay.records,
                    lost_bytes: bytes.len() as u64 - at_offset,
                    at_offset,
                    reason,
                    moved_to,
                };
                tracing::warn!(%damage, pending = journal.pending.len(), "journal repaired");
                Some(damage)
            }
        };
        journal.maybe_compact()?;
        tracing::debug!(
            pending = journal.pending.len(),
            bytes = journal.len,
            "journal open"
        );
        Ok((journal, damage))
    }

    /// Records `event` durably; returns once it is on disk. An event whose
    /// id is already pending is not written again.
    pub fn append(&mut self, event: AgentEvent) -> Result<(), JournalError> {
        if event.event_id.is_empty() {
            return Err(JournalError::MissingEventId);
        }
        if self.ids.contains(&event.event_id) {
            tracing::debug!(event_id = %event.event_id, "event already journaled");
            return Ok(());
        }
        let frame = frame(&Record {
            kind: Some(RecordKind::Appended(event.clone())),
        })?;
        self.write_durably(&frame)?;
        self.ids.insert(event.event_id.clone());
        self.pending.push(event);
        self.maybe_compact()
    }

    /// Records that the server has these events. Ids that are not pending
    /// (unknown, or acked before) are ignored. Returns how many were pending.
    pub fn ack(&mut self, ids: &[String]) -> Result<usize, JournalError> {
        let mut acked: Vec<String> = Vec::new();
        for id in ids {
            if self.ids.contains(id) && !acked.contains(id) {
                acked.push(id.clone());
            }
        }
        if acked.is_empty() {
            return Ok(0);
        }
        let mut frames = Vec::new();
        for chunk in acked.chunks(ACK_CHUNK) {
            frames.extend(frame(&Record {
                kind: Some(RecordKind::Acked(Acked {
                    event_ids: chunk.to_vec(),
                })),
            })?);
        }
        self.write_durably(&frames)?;
        let acked: HashSet<String> = acked.into_iter().collect();
        self.pending.retain(|e| !acked.contains(&e.event_id));
        self.ids.retain(|id| !acked.contains(id));
        self.maybe_compact()?;
        Ok(acked.len())
    }

    /// Events not yet acked, oldest first (to send, or resend after a
    /// reconnect).
    pub fn pending(&self) -> Vec<AgentEvent> {
        self.pending.clone()
    }

    /// How many events are waiting for an ack.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Size of the journal file in bytes.
    pub fn file_len(&self) -> u64 {
        self.len
    }

    /// Appends `bytes` and syncs. On a failed write the partial tail is cut
    /// off again so later records do not land behind garbage.
    fn write_durably(&mut self, bytes: &[u8]) -> Result<(), JournalError> {
        if self.needs_rewrite {
            self.rewrite()?;
        }
        let path = self.dir.join(FILE_NAME);
        let written = self
            .file
            .write_all(bytes)
            .map_err(io_err("write", &path))
            .and_then(|()| self.file.sync_data().map_err(io_err("sync", &path)));
        if let Err(e) = written {
            if let Err(cut) = self.file.set_len(self.len) {
                tracing::warn!(error = %cut, "could not cut a failed journal write back");
                self.needs_rewrite = true;
            }
            return Err(e);
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Compacts when nothing is pending (to an empty file), or when the file
    /// is past the threshold and less than half of it is live.
    fn maybe_compact(&mut self) -> Result<(), JournalError> {
        if self.len == 0 {
            return Ok(());
        }
        if self.pending.is_empty() {
            return self.rewrite();
        }
        if self.len > COMPACT_THRESHOLD {
            let live: u64 = self
                .pending
                .iter()
                .map(|e| (HEADER_LEN + appended_len(e)) as u64)
                .sum();
            if self.len > live.saturating_mul(2) {
                return self.rewrite();
            }
        }
        Ok(())
    }

    /// Replaces the file with one holding only the pending events:
    /// temp file, sync, rename, sync the directory.
    fn rewrite(&mut self) -> Result<(), JournalError> {
        let mut bytes = Vec::new();
        for event in &self.pending {
            bytes.extend(frame(&Record {
                kind: Some(RecordKind::Appended(event.clone())),
            })?);
        }
        let tmp = self.dir.join(TMP_NAME);
        let path = self.dir.join(FILE_NAME);
        {
            let mut f = File::create(&tmp).map_err(io_err("create", &tmp))?;
            f.write_all(&bytes).map_err(io_err("write", &tmp))?;
            f.sync_all().map_err(io_err("sync", &tmp))?;
        }
        fs::rename(&tmp, &path).map_err(io_err("rename", &tmp))?;
        sync_dir(&self.dir)?;
        self.file = open_append(&path)?;
        tracing::debug!(from = self.len, to = bytes.len(), "journal compacted");
        self.len = bytes.len() as u64;
        self.needs_rewrite = false;
        Ok(())
    }
}

/// A fresh event of `kind`: a new UUID (v7, so ids sort by time) and the
/// wall-clock time now (informational only; nothing is timed by it).
pub fn new_event(kind: agent_event::Kind) -> AgentEvent {
    AgentEvent {
        event_id: uuid::Uuid::now_v7().to_string(),
        at_ms: unix_ms_now(),
        kind: Some(kind),
    }
}

/// Wall-clock milliseconds since the Unix epoch (0 if the clock is before it).
fn unix_ms_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Payload size of an "appended" record for `event`.
fn appended_len(event: &AgentEvent) -> usize {
    Record {
        kind: Some(RecordKind::Appended(event.clone())),
    }
    .encoded_len()
}

/// The CRC stored in a frame: over the length bytes, then the payload.
fn checksum(len_bytes: [u8; 4], payload: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&len_bytes);
    hasher.update(payload);
    hasher.finalize()
}

/// Encodes `record` as one frame (header + payload).
fn frame(record: &Record) -> Result<Vec<u8>, JournalError> {
    let payload = record.encode_to_vec();
    let len = match u32::try_from(payload.len()) {
        Ok(len) if payload.len() <= MAX_RECORD_LEN => len,
        _ => return Err(JournalError::RecordTooLarge(payload.len())),
    };
    let len_bytes = len.to_le_bytes();
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&len_bytes);
    out.extend_from_slice(&checksum(len_bytes, &payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// What replaying a file yielded.
#[derive(Debug, Default)]
struct Replay {
    /// Events appended and not acked, in order.
    pending: Vec<AgentEvent>,
    /// Intact records read.
    records: usize,
    /// Offset and kind of the first bad record, if any.
    damage: Option<(u64, DamageReason)>,
}

/// Reads records from `bytes` until the end or the first bad one.
fn replay(bytes: &[u8]) -> Replay {
    let mut out = Replay::default();
    let mut ids: HashSet<String> = HashSet::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let record = match read_frame(&bytes[pos..]) {
            Ok((record, used)) => {
                pos += used;
                record
            }
            Err(reason) => {
                out.damage = Some((pos as u64, reason));
                break;
            }
        };
        out.records += 1;
        match record {
            RecordKind::Appended(event) => {
                if !event.event_id.is_empty() && ids.insert(event.event_id.clone()) {
                    out.pending.push(event);
                }
            }
            RecordKind::Acked(acked) => {
                let acked: HashSet<String> = acked.event_ids.into_iter().collect();
                out.pending.retain(|e| !acked.contains(&e.event_id));
                ids.retain(|id| !acked.contains(id));
            }
        }
    }
    out
}

/// Decodes the frame at the start of `bytes`: the record and bytes used.
fn read_frame(bytes: &[u8]) -> Result<(RecordKind, usize), DamageReason> {
    let (Some(len_bytes), Some(crc_bytes)) = (bytes.get(0..4), bytes.get(4..8)) else {
        return Err(DamageReason::Truncated);
    };
    let len_bytes: [u8; 4] = len_bytes.try_into().map_err(|_| DamageReason::Truncated)?;
    let crc_bytes: [u8; 4] = crc_bytes.try_into().map_err(|_| DamageReason::Truncated)?;
    let len = u32::from_le_bytes(len_bytes) as usize;
    if len == 0 || len > MAX_RECORD_LEN {
        return Err(DamageReason::BadLength);
    }
    let payload = bytes
        .get(HEADER_LEN..HEADER_LEN + len)
        .ok_or(DamageReason::Truncated)?;
    if checksum(len_bytes, payload) != u32::from_le_bytes(crc_bytes) {
        return Err(DamageReason::BadChecksum);
    }
    match Record::decode(payload) {
        Ok(Record { kind: Some(kind) }) => Ok((kind, HEADER_LEN + len)),
        _ => Err(DamageReason::Undecodable),
    }
}

/// Opens `path` for appending, creating it.
fn open_append(path: &Path) -> Result<File, JournalError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io_err("open", path))
}

/// Makes a rename in `dir` durable (a no-op where directories cannot be
/// opened, i.e. off Unix).
fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err("sync", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Keeps the damaged journal under a new name. It is hard-linked (copied
/// where links are not supported) rather than renamed, so that until the
/// repaired journal is renamed over it a crash still finds a journal at the
/// usual path. Returns the new name.
fn preserve(path: &Path) -> Result<PathBuf, JournalError> {
    let stamp = unix_ms_now();
    for n in 0..1000u32 {
        let name = if n == 0 {
            format!("{FILE_NAME}.damaged-{stamp}")
        } else {
            format!("{FILE_NAME}.damaged-{stamp}-{n}")
        };
        let aside = path.with_file_name(name);
        match fs::hard_link(path, &aside) {
            Ok(()) => return Ok(aside),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                tracing::debug!(error = %e, "hard link refused; copying the damaged journal");
                if aside.exists() {
                    continue;
                }
                fs::copy(path, &aside).map_err(io_err("copy", path))?;
                if let Ok(f) = File::open(&aside) {
                    f.sync_all().map_err(io_err("sync", &aside))?;
                }
                return Ok(aside);
            }
        }
    }
    Err(JournalError::Io {
        op: "find a free name beside",
        path: path.to_path_buf(),
        source: io::Error::from(io::ErrorKind::AlreadyExists),
    })
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
