//! The audit log: append-only, each entry carrying the hash of the one
//! before, so a removed or edited entry breaks the chain.

use super::{Pending, Result, Store, decode, decode_all};
use bilik_proto::store::v1::AuditRecord;
use prost::Message;
use sha2::{Digest, Sha256};

/// The hash an entry must carry: SHA-256 over its fields and the previous hash.
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

impl Store {
    /// Appends an entry (fills in seq, prev_hash and hash). Appends are
    /// serialised by a short in-memory lock (no I/O under it: the caller
    /// waits for durability after it is released).
    pub fn append_audit(&self, mut entry: AuditRecord) -> Result<Pending<'_, AuditRecord>> {
        let _guard = self
            .audit_append
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let last = match self.audit.last()? {
            Some((_, v)) => Some(decode::<AuditRecord>("audit", &v)?),
            None => None,
        };
        entry.seq = last.as_ref().map_or(1, |l| l.seq + 1);
        entry.prev_hash = last.map(|l| l.hash).unwrap_or_default();
        entry.hash = audit_hash(&entry);
        self.audit
            .insert(entry.seq.to_be_bytes(), entry.encode_to_vec())?;
        Ok(Pending::wrote(self, entry))
    }

    /// The newest `limit` entries, oldest first.
    pub fn audit_tail(&self, limit: usize) -> Result<Vec<AuditRecord>> {
        let mut tail: Vec<AuditRecord> = decode_all("audit", self.audit.iter().rev().take(limit))?;
        tail.reverse();
        Ok(tail)
    }

    /// Checks the whole chain; returns the sequence of the first bad entry.
    pub fn verify_audit(&self) -> Result<Option<u64>> {
        let mut prev = String::new();
        for entry in self.audit.iter() {
            let r: AuditRecord = decode("audit", &entry?.1)?;
            if r.prev_hash != prev || audit_hash(&r) != r.hash {
                return Ok(Some(r.seq));
            }
            prev = r.hash;
        }
        Ok(None)
    }
}
