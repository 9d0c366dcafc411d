//! The audit log: append-only, each entry carrying an HMAC-SHA256 (keyed
//! with the server's audit secret, `meta` [`AUDIT_KEY`]) over its fields
//! and the MAC of the entry before it. The chain head (last sequence and
//! its MAC, itself tagged with the key) is kept in `meta` and written in
//! the same transaction as each append, so an entry that is edited,
//! removed, or cut off the end breaks the chain; an attacker without the
//! key cannot recompute it. A checkpoint (also tagged) marks how far the
//! chain was last verified, so the dashboard checks only what came after.
//!
//! Logs written before the key existed (a plain SHA-256 chain) are re-keyed
//! once when the key is made; a `audit.rekeyed` entry says so and whether
//! the old chain held at that moment.

use super::{Pending, Result, Store, StoreError, decode, decode_all, flatten};
use bilik_proto::store::v1::{AuditRecord, SignedReportRecord};
use prost::Message;
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

/// `meta` key of the 32-byte audit secret.
pub const AUDIT_KEY: &str = "audit_mac_key";
/// `meta` key of the chain head: seq (u64 BE) ‖ MAC (32) ‖ tag (32).
const HEAD: &str = "audit_head";
/// `meta` key of the last verified point, same layout as the head.
const CHECKPOINT: &str = "audit_checkpoint";
/// The checkpoint moves only after this many new verified entries (fewer
/// writes for a dashboard that is reloaded often).
const CHECKPOINT_EVERY: u64 = 64;

/// The action of the one-time entry that re-keys a legacy log.
pub const REKEYED_ACTION: &str = "audit.rekeyed";

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts` (keys up to 64 bytes).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The legacy plain SHA-256 an entry carried before the log was keyed
/// (anyone can recompute it: kept only to check a log before re-keying).
pub fn audit_hash(r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        r.seq.to_string().as_str(),
        r.at_ms.to_string().as_str(),
        &r.actor,
        &r.action,
        &r.target,
        &r.detail,
        &r.prev_hash,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// The MAC an entry must carry (hex): over every field but `hash`.
pub fn audit_mac(key: &[u8; 32], r: &AuditRecord) -> String {
    let mut msg = Vec::with_capacity(64 + r.detail.len() + r.target.len());
    msg.extend_from_slice(b"bilik-audit-v2\0");
    msg.extend_from_slice(&r.seq.to_be_bytes());
    msg.extend_from_slice(&r.at_ms.to_be_bytes());
    for field in [&r.actor, &r.action, &r.target, &r.detail, &r.prev_hash] {
        msg.extend_from_slice(&(field.len() as u64).to_be_bytes());
        msg.extend_from_slice(field.as_bytes());
    }
    hex::encode(hmac_sha256(key, &[&msg]))
}

/// A point of the chain: an entry's sequence and MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainMark {
    /// The entry's sequence number.
    pub seq: u64,
    /// Its MAC, hex.
    pub mac: String,
}

impl ChainMark {
    /// Stored form: seq ‖ MAC ‖ HMAC(key, kind ‖ seq ‖ MAC).
    fn encode(&self, key: &[u8; 32], kind: &str) -> Vec<u8> {
        let mac = hex::decode(&self.mac).unwrap_or_default();
        let tag = hmac_sha256(key, &[kind.as_bytes(), &self.seq.to_be_bytes(), &mac]);
        let mut out = self.seq.to_be_bytes().to_vec();
        out.extend_from_slice(&mac);
        out.extend_from_slice(&tag);
        out
    }

    /// The mark in `bytes`, if its tag is right for `key`.
    fn decode(bytes: &[u8], key: &[u8; 32], kind: &str) -> Option<ChainMark> {
        if bytes.len() != 8 + 32 + 32 {
            return None;
        }
        let seq = u64::from_be_bytes(bytes[..8].try_into().ok()?);
        let (mac, tag) = (&bytes[8..40], &bytes[40..]);
        let want = hmac_sha256(key, &[kind.as_bytes(), &seq.to_be_bytes(), mac]);
        (want.as_slice() == tag).then(|| ChainMark {
            seq,
            mac: hex::encode(mac),
        })
    }
}

/// What is wrong at the first bad point of the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditFault {
    /// The store has entries but no audit key (it was removed).
    #[error(
        "the audit key is missing (a log written before keyed audit is keyed at the server's next start)"
    )]
    NoKey,
    /// The entry cannot be decoded.
    #[error("the entry cannot be read")]
    Undecodable,
    /// The entry (and maybe more) is missing: the next one has another number.
    #[error("the entry is missing (entries removed)")]
    Missing,
    /// The entry does not name the MAC of the one before it.
    #[error("the entry does not follow the one before it (chain broken)")]
    BrokenLink,
    /// The entry's MAC is wrong: it was changed (or forged without the key).
    #[error("the entry was changed: its MAC does not match")]
    BadMac,
    /// The log ends before the chain head: entries were cut off the end.
    #[error("the log was cut short: the chain head is entry {head}")]
    Truncated {
        /// The sequence the head names.
        head: u64,
    },
    /// The chain head is missing or its tag is wrong.
    #[error("the chain head is missing or was changed")]
    BadHead,
    /// The checkpoint's tag is wrong, or its entry changed.
    #[error("the checkpoint does not match the log")]
    BadCheckpoint,
    /// A signed monthly report names this entry with another MAC.
    #[error("the signed report of {month} names another chain head here")]
    ReportMismatch {
        /// The report's month, "YYYY-MM".
        month: String,
    },
}

impl AuditFault {
    /// A stable name (the catalogue's key for the plain-language reason).
    pub fn name(&self) -> &'static str {
        match self {
            AuditFault::NoKey => "no_key",
            AuditFault::Undecodable => "undecodable",
            AuditFault::Missing => "missing",
            AuditFault::BrokenLink => "broken_link",
            AuditFault::BadMac => "bad_mac",
            AuditFault::Truncated { .. } => "truncated",
            AuditFault::BadHead => "bad_head",
            AuditFault::BadCheckpoint => "bad_checkpoint",
            AuditFault::ReportMismatch { .. } => "report_mismatch",
        }
    }
}

/// The first bad point of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBad {
    /// The sequence number of the first bad entry.
    pub seq: u64,
    /// What is wrong there.
    pub fault: AuditFault,
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditVerdict {
    /// Entries checked.
    pub checked: u64,
    /// Entries in the log (the last sequence seen).
    pub last_seq: u64,
    /// Where verification started (0: at the beginning).
    pub from_seq: u64,
    /// The first bad entry, if any.
    pub bad: Option<AuditBad>,
}

/// Which entries a page of the log shows (all set fields must match).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exactly this actor (username), if set.
    pub actor: Option<String>,
    /// Actions starting with this (e.g. "station." or "member.save").
    pub action_prefix: Option<String>,
    /// Entries at or after this UTC ms.
    pub from_ms: Option<i64>,
    /// Entries before this UTC ms.
    pub to_ms: Option<i64>,
    /// Only entries with a sequence below this (paging, newest first).
    pub before_seq: Option<u64>,
    /// At most this many.
    pub limit: usize,
}

fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

impl Store {
    /// The audit key, if made.
    fn audit_key(&self) -> Result<Option<[u8; 32]>> {
        match self.meta.get(AUDIT_KEY)? {
            None => Ok(None),
            Some(v) => <[u8; 32]>::try_from(v.as_ref())
                .map(Some)
                .map_err(|_| StoreError::Malformed("audit key")),
        }
    }

    /// Makes the audit key if there is none (at start, beside the report
    /// signing key); a legacy log is re-keyed then. Never replaces a key.
    pub fn ensure_audit_key(&self) -> Result<Pending<'_, ()>> {
        let _guard = self
            .audit_append
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (_, wrote) = self.audit_key_locked()?;
        Ok(if wrote {
            Pending::wrote(self, ())
        } else {
            Pending::nothing(self, ())
        })
    }

    /// The key (made now if missing: `true`); the caller holds `audit_append`.
    fn audit_key_locked(&self) -> Result<([u8; 32], bool)> {
        if let Some(key) = self.audit_key()? {
            return Ok((key, false));
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Durability(format!("no randomness for the audit key: {e}")))?;
        // The legacy chain as it stands, checked before it is re-keyed.
        let legacy: Vec<AuditRecord> = decode_all("audit", self.audit.iter())?;
        let mut legacy_bad = None;
        let mut prev = String::new();
        for r in &legacy {
            if legacy_bad.is_none() && (r.prev_hash != prev || audit_hash(r) != r.hash) {
                legacy_bad = Some(r.seq);
            }
            prev = r.hash.clone();
        }
        let mut rekeyed = Vec::with_capacity(legacy.len());
        let mut prev = String::new();
        for (i, mut r) in legacy.into_iter().enumerate() {
            r.seq = i as u64 + 1;
            r.prev_hash = prev;
            r.hash = audit_mac(&key, &r);
            prev = r.hash.clone();
            rekeyed.push(r);
        }
        let head = rekeyed.last().map(|r| ChainMark {
            seq: r.seq,
            mac: r.hash.clone(),
        });
        let created = (&self.audit, &self.meta)
            .transaction(|(audit, meta)| {
                if meta.get(AUDIT_KEY)?.is_some() {
                    return Ok(false);
                }
                meta.insert(AUDIT_KEY, &key)?;
                for r in &rekeyed {
                    audit.insert(&r.seq.to_be_bytes(), r.encode_to_vec())?;
                }
                if let Some(head) = &head {
                    meta.insert(HEAD, head.encode(&key, HEAD))?;
                }
                meta.remove(CHECKPOINT)?;
                Ok(true)
            })
            .map_err(flatten)?;
        if !created {
            let key = self
                .audit_key()?
                .ok_or(StoreError::Malformed("audit key"))?;
            return Ok((key, false));
        }
        if let Some(head) = head {
            tracing::warn!(
                entries = head.seq,
                "audit log re-keyed: entries written before the audit key existed now carry HMACs"
            );
            let detail = match legacy_bad {
                None => format!("1-{}: legacy SHA-256 chain intact", head.seq),
                Some(bad) => format!("1-{}: legacy SHA-256 chain broken at #{bad}", head.seq),
            };
            self.append_locked(
                &key,
                AuditRecord {
                    at_ms: chrono::Utc::now().timestamp_millis(),
                    actor: "system".into(),
                    action: REKEYED_ACTION.into(),
                    target: String::new(),
                    detail,
                    ..Default::default()
                },
            )?;
        }
        Ok((key, true))
    }

    /// Appends an entry (fills in seq, prev_hash and hash) and moves the
    /// chain head, in one transaction. Appends are serialised by a short
    /// in-memory lock (no I/O under it: the caller waits for durability
    /// after it is released).
    pub fn append_audit(&self, entry: AuditRecord) -> Result<Pending<'_, AuditRecord>> {
        let _guard = self
            .audit_append
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (key, _) = self.audit_key_locked()?;
        let entry = self.append_locked(&key, entry)?;
        Ok(Pending::wrote(self, entry))
    }

    /// The append itself; the caller holds `audit_append`.
    fn append_locked(&self, key: &[u8; 32], mut entry: AuditRecord) -> Result<AuditRecord> {
        let head = match self.meta.get(HEAD)? {
            Some(v) => {
                let head = ChainMark::decode(&v, key, HEAD);
                if head.is_none() {
                    tracing::error!(
                        "audit chain head is not valid: appending after the last entry"
                    );
                }
                head
            }
            None => None,
        };
        let last = match self.audit.last()? {
            Some((_, v)) => Some(decode::<AuditRecord>("audit", &v)?),
            None => None,
        };
        // Continue after the head (so entries cut off the end stay a
        // visible gap), but never overwrite an entry that is there.
        let last_seq = last.as_ref().map_or(0, |l| l.seq);
        let (seq, prev) = match (&head, &last) {
            (Some(h), _) if h.seq >= last_seq => (h.seq + 1, h.mac.clone()),
            (_, Some(l)) => {
                if head.is_some() {
                    tracing::error!("audit log is longer than its chain head");
                }
                (l.seq + 1, l.hash.clone())
            }
            (None, None) => (1, String::new()),
            (Some(h), None) => (h.seq + 1, h.mac.clone()),
        };
        entry.seq = seq;
        entry.prev_hash = prev;
        entry.hash = audit_mac(key, &entry);
        let new_head = ChainMark {
            seq,
            mac: entry.hash.clone(),
        }
        .encode(key, HEAD);
        let bytes = entry.encode_to_vec();
        (&self.audit, &self.meta)
            .transaction(|(audit, meta)| {
                if audit.get(seq.to_be_bytes())?.is_some() {
                    return Err(abort(StoreError::Conflict(format!(
                        "audit entry {seq} exists already"
                    ))));
                }
                audit.insert(&seq.to_be_bytes(), bytes.as_slice())?;
                meta.insert(HEAD, new_head.as_slice())?;
                Ok(())
            })
            .map_err(flatten)?;
        Ok(entry)
    }

    /// The newest `limit` entries, oldest first.
    pub fn audit_tail(&self, limit: usize) -> Result<Vec<AuditRecord>> {
        let mut tail: Vec<AuditRecord> = decode_all("audit", self.audit.iter().rev().take(limit))?;
        tail.reverse();
        Ok(tail)
    }

    /// Entries matching `q`, newest first, and whether older matches exist.
    pub fn audit_query(&self, q: &AuditQuery) -> Result<(Vec<AuditRecord>, bool)> {
        let end = q.before_seq.unwrap_or(u64::MAX);
        let mut out = Vec::new();
        for item in self.audit.range(..end.to_be_bytes()).rev() {
            let r: AuditRecord = decode("audit", &item?.1)?;
            if q.from_ms.is_some_and(|from| r.at_ms < from) {
                // Entries are appended in time order: nothing older matches.
                break;
            }
            let keep = q.to_ms.is_none_or(|to| r.at_ms < to)
                && q.actor.as_deref().is_none_or(|a| r.actor == a)
                && q.action_prefix
                    .as_deref()
                    .is_none_or(|p| r.action.starts_with(p));
            if keep {
                if out.len() == q.limit {
                    return Ok((out, true));
                }
                out.push(r);
            }
        }
        Ok((out, false))
    }

    /// One entry by sequence.
    pub fn audit_entry(&self, seq: u64) -> Result<Option<AuditRecord>> {
        super::get(&self.audit, "audit", seq.to_be_bytes())
    }

    /// The chain head as of `before_ms`: the last entry written before
    /// then (`None`: the log was empty then).
    pub fn audit_head_before(&self, before_ms: i64) -> Result<Option<ChainMark>> {
        for item in self.audit.iter().rev() {
            let r: AuditRecord = decode("audit", &item?.1)?;
            if r.at_ms < before_ms {
                return Ok(Some(ChainMark {
                    seq: r.seq,
                    mac: r.hash,
                }));
            }
        }
        Ok(None)
    }

    /// Whether one entry's own MAC is right (the dashboard checks every
    /// entry it shows, wherever the checkpoint is).
    pub fn audit_entry_valid(&self, r: &AuditRecord) -> Result<bool> {
        Ok(match self.audit_key()? {
            Some(key) => audit_mac(&key, r) == r.hash,
            None => false,
        })
    }

    /// Checks the whole chain, every entry from the first, against the
    /// head and every signed report's chain head (offline `audit verify`).
    pub fn verify_audit_full(&self) -> Result<AuditVerdict> {
        let verdict = self.verify_audit_from(None)?;
        if verdict.bad.is_some() {
            return Ok(verdict);
        }
        let reports: Vec<SignedReportRecord> = decode_all("reports", self.reports.iter())?;
        for report in reports.iter().filter(|r| r.audit_seq > 0) {
            let found = self.audit_entry(report.audit_seq).ok().flatten();
            if found.is_none_or(|e| e.hash != report.audit_mac) {
                return Ok(AuditVerdict {
                    bad: Some(AuditBad {
                        seq: report.audit_seq,
                        fault: AuditFault::ReportMismatch {
                            month: report.month.clone(),
                        },
                    }),
                    ..verdict
                });
            }
        }
        Ok(verdict)
    }

    /// Checks the chain from the last checkpoint to the head (the
    /// dashboard's view), then moves the checkpoint forward if it holds.
    pub fn verify_audit_recent(&self) -> Result<AuditVerdict> {
        let Some(key) = self.audit_key()? else {
            return self.verify_audit_from(None);
        };
        let checkpoint = match self.meta.get(CHECKPOINT)? {
            None => None,
            Some(v) => match ChainMark::decode(&v, &key, CHECKPOINT) {
                Some(mark) => Some(mark),
                None => {
                    return Ok(AuditVerdict {
                        bad: Some(AuditBad {
                            seq: 0,
                            fault: AuditFault::BadCheckpoint,
                        }),
                        ..Default::default()
                    });
                }
            },
        };
        let from = checkpoint.as_ref().map_or(0, |c| c.seq);
        let verdict = self.verify_audit_from(checkpoint)?;
        if verdict.bad.is_none()
            && verdict.last_seq >= from + CHECKPOINT_EVERY
            && let Some(last) = self.audit_entry(verdict.last_seq)?
        {
            let mark = ChainMark {
                seq: last.seq,
                mac: last.hash,
            };
            // Only an optimisation: not waited for, and a lost write just
            // means the next view checks a little more.
            self.meta
                .insert(CHECKPOINT, mark.encode(&key, CHECKPOINT))?;
        }
        Ok(verdict)
    }

    /// Checks the chain after `start` (an entry known good; `None`: from
    /// the first entry) up to its end, and the head.
    fn verify_audit_from(&self, start: Option<ChainMark>) -> Result<AuditVerdict> {
        let mut verdict = AuditVerdict {
            from_seq: start.as_ref().map_or(0, |s| s.seq),
            ..Default::default()
        };
        let bad = |verdict: AuditVerdict, seq: u64, fault: AuditFault| {
            Ok(AuditVerdict {
                bad: Some(AuditBad { seq, fault }),
                ..verdict
            })
        };
        let key = match self.audit_key()? {
            Some(key) => key,
            None => {
                let empty = self.audit.is_empty() && self.meta.get(HEAD)?.is_none();
                // The key and the first entry may have been made meanwhile.
                match self.audit_key()? {
                    Some(key) => key,
                    None if empty => return Ok(verdict),
                    None => return bad(verdict, 1, AuditFault::NoKey),
                }
            }
        };
        // The head first: an append moves entry and head together, so every
        // entry the head names is in the scan that follows, even while the
        // server keeps appending.
        let stored_head = self.meta.get(HEAD)?;
        let (mut expected, mut prev) = match &start {
            None => (1, String::new()),
            Some(mark) => match self.audit_entry(mark.seq) {
                Ok(Some(e)) if e.hash == mark.mac && audit_mac(&key, &e) == e.hash => {
                    (mark.seq + 1, mark.mac.clone())
                }
                _ => return bad(verdict, mark.seq, AuditFault::BadCheckpoint),
            },
        };
        verdict.last_seq = expected - 1;
        for item in self.audit.range(expected.to_be_bytes()..) {
            let (k, v) = item?;
            let key_seq = <[u8; 8]>::try_from(k.as_ref()).map_or(0, u64::from_be_bytes);
            if key_seq != expected {
                return bad(verdict, expected, AuditFault::Missing);
            }
            let Ok(r) = AuditRecord::decode(v.as_ref()) else {
                return bad(verdict, expected, AuditFault::Undecodable);
            };
            if r.seq != expected {
                return bad(verdict, expected, AuditFault::BadMac);
            }
            if r.prev_hash != prev {
                return bad(verdict, expected, AuditFault::BrokenLink);
            }
            if audit_mac(&key, &r) != r.hash {
                return bad(verdict, expected, AuditFault::BadMac);
            }
            prev = r.hash;
            verdict.checked += 1;
            verdict.last_seq = expected;
            expected += 1;
        }
        let head = match stored_head {
            None if verdict.last_seq == 0 => return Ok(verdict),
            // The log was empty when the head was read: what the scan found
            // was appended since, if a valid head has appeared meanwhile.
            None => match self.meta.get(HEAD)? {
                Some(v) if ChainMark::decode(&v, &key, HEAD).is_some() => return Ok(verdict),
                _ => {
                    let at = verdict.last_seq;
                    return bad(verdict, at, AuditFault::BadHead);
                }
            },
            Some(v) => match ChainMark::decode(&v, &key, HEAD) {
                Some(head) => head,
                None => {
                    let at = verdict.last_seq;
                    return bad(verdict, at, AuditFault::BadHead);
                }
            },
        };
        if head.seq > verdict.last_seq {
            let at = verdict.last_seq + 1;
            return bad(verdict, at, AuditFault::Truncated { head: head.seq });
        }
        // Entries after the head are fine (a backup copies `meta` before
        // `audit`, so it may hold appends the head had not seen); each of
        // them carries a MAC only the key makes.
        if head.seq >= verdict.from_seq.max(1) {
            let at_head = self.audit_entry(head.seq)?;
            if at_head.is_none_or(|e| e.hash != head.mac) {
                return bad(verdict, head.seq, AuditFault::BadHead);
            }
        }
        Ok(verdict)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(actor: &str, action: &str) -> AuditRecord {
        AuditRecord {
            at_ms: 1_000,
            actor: actor.into(),
            action: action.into(),
            target: "PC-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_chain_holds_and_each_kind_of_tampering_is_found() {
        let store = Store::temporary().unwrap();
        for i in 0..5 {
            let _ = store
                .append_audit(entry("sari", &format!("station.unlock{i}")))
                .unwrap();
        }
        let ok = store.verify_audit_full().unwrap();
        assert_eq!((ok.checked, ok.last_seq, ok.bad), (5, 5, None));

        // Edited, with the plain hash recomputed: the MAC gives it away.
        let mut third = store.audit_entry(3).unwrap().unwrap();
        let original = third.clone();
        third.detail = "nothing happened".into();
        third.hash = audit_hash(&third);
        store
            .audit
            .insert(3u64.to_be_bytes(), third.encode_to_vec())
            .unwrap();
        let v = store.verify_audit_full().unwrap().bad.unwrap();
        assert_eq!((v.seq, v.fault), (3, AuditFault::BadMac));
        store
            .audit
            .insert(3u64.to_be_bytes(), original.encode_to_vec())
            .unwrap();

        // Cut off the end.
        store.audit.remove(5u64.to_be_bytes()).unwrap();
        let v = store.verify_audit_full().unwrap().bad.unwrap();
        assert_eq!((v.seq, v.fault), (5, AuditFault::Truncated { head: 5 }));
        // The next append keeps the gap visible.
        let _ = store.append_audit(entry("sari", "station.end")).unwrap();
        let v = store.verify_audit_full().unwrap().bad.unwrap();
        assert_eq!((v.seq, v.fault), (5, AuditFault::Missing));
    }

    #[test]
    fn the_recent_view_starts_at_the_checkpoint() {
        let store = Store::temporary().unwrap();
        for _ in 0..CHECKPOINT_EVERY + 3 {
            let _ = store.append_audit(entry("sari", "station.end")).unwrap();
        }
        let first = store.verify_audit_recent().unwrap();
        assert_eq!(first.bad, None);
        assert_eq!(first.checked, CHECKPOINT_EVERY + 3);
        let _ = store.append_audit(entry("sari", "station.end")).unwrap();
        let second = store.verify_audit_recent().unwrap();
        assert_eq!((second.checked, second.bad), (1, None));
        assert_eq!(second.from_seq, CHECKPOINT_EVERY + 3);
    }

    #[test]
    fn views_while_appends_go_on_never_see_a_broken_chain() {
        let store = Store::temporary().unwrap();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..400 {
                    let _ = store.append_audit(entry("sari", "station.end")).unwrap();
                }
            })
        };
        while !writer.is_finished() {
            let recent = store.verify_audit_recent().unwrap();
            assert_eq!(recent.bad, None, "{recent:?}");
            let full = store.verify_audit_full().unwrap();
            assert_eq!(full.bad, None, "{full:?}");
        }
        writer.join().unwrap();
        assert_eq!(store.verify_audit_full().unwrap().last_seq, 400);
    }

    #[test]
    fn a_signed_report_anchors_history_even_against_someone_with_the_key() {
        let store = Store::temporary().unwrap();
        for _ in 0..5 {
            let _ = store.append_audit(entry("sari", "station.end")).unwrap();
        }
        let third = store.audit_entry(3).unwrap().unwrap();
        let _ = store
            .put_signed_report(&SignedReportRecord {
                month: "2026-11".into(),
                audit_seq: 3,
                audit_mac: third.hash.clone(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(store.verify_audit_full().unwrap().bad, None);
        // Rewrite entry 2 onwards with the key itself, head included.
        let key = store.audit_key().unwrap().unwrap();
        let mut prev = store.audit_entry(1).unwrap().unwrap().hash;
        for seq in 2..=5u64 {
            let mut r = store.audit_entry(seq).unwrap().unwrap();
            if seq == 2 {
                r.target = "PC-99".into();
            }
            r.prev_hash = prev;
            r.hash = audit_mac(&key, &r);
            prev = r.hash.clone();
            store
                .audit
                .insert(seq.to_be_bytes(), r.encode_to_vec())
                .unwrap();
        }
        let head = ChainMark { seq: 5, mac: prev };
        store.meta.insert(HEAD, head.encode(&key, HEAD)).unwrap();
        let v = store.verify_audit_full().unwrap().bad.unwrap();
        assert_eq!(
            (v.seq, v.fault),
            (
                3,
                AuditFault::ReportMismatch {
                    month: "2026-11".into()
                }
            )
        );
    }

    #[test]
    fn a_legacy_log_is_rekeyed_once_with_a_marker() {
        let store = Store::temporary().unwrap();
        let mut prev = String::new();
        for seq in 1..=3u64 {
            let mut r = entry("admin", "member.save");
            r.seq = seq;
            r.prev_hash = prev;
            r.hash = audit_hash(&r);
            prev = r.hash.clone();
            store
                .audit
                .insert(seq.to_be_bytes(), r.encode_to_vec())
                .unwrap();
        }
        let _ = store.ensure_audit_key().unwrap();
        let v = store.verify_audit_full().unwrap();
        assert_eq!((v.checked, v.bad), (4, None));
        let marker = store.audit_entry(4).unwrap().unwrap();
        assert_eq!(marker.action, REKEYED_ACTION);
        assert!(marker.detail.contains("intact"), "{}", marker.detail);
        let _ = store.ensure_audit_key().unwrap();
        assert_eq!(store.audit_tail(10).unwrap().len(), 4);
    }
}
