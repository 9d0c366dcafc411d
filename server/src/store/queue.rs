//! The waiting queue: the queue itself as one `QueueRecord` in `meta`
//! (short, and one write keeps order and holds consistent), finished waits
//! in `queue_log` keyed by a UUIDv7 at their end (time range scans).

use super::{Pending, Result, Store, decode, decode_all, time_key};
use bilik_proto::store::v1::{QueueRecord, QueueWaitRecord};
use prost::Message;

/// `meta` key of the waiting queue.
const QUEUE_KEY: &str = "queue";

impl Store {
    /// The waiting queue, first in line first (empty if never written).
    pub fn queue(&self) -> Result<QueueRecord> {
        match self.meta.get(QUEUE_KEY)? {
            Some(bytes) => decode("meta", &bytes),
            None => Ok(QueueRecord::default()),
        }
    }

    /// Replaces the queue and logs `finished` waits, in one transaction.
    pub fn put_queue(
        &self,
        queue: &QueueRecord,
        finished: &[QueueWaitRecord],
    ) -> Result<Pending<'_, ()>> {
        use sled::Transactional;
        let bytes = queue.encode_to_vec();
        let logged: Vec<([u8; 16], Vec<u8>)> = finished
            .iter()
            .map(|w| {
                let ms = w.ended_at_ms.max(0) as u64;
                let ts = uuid::Timestamp::from_unix(
                    uuid::NoContext,
                    ms / 1000,
                    ((ms % 1000) * 1_000_000) as u32,
                );
                (*uuid::Uuid::new_v7(ts).as_bytes(), w.encode_to_vec())
            })
            .collect();
        (&self.meta, &self.queue_log)
            .transaction(|(meta, log)| {
                meta.insert(QUEUE_KEY, bytes.as_slice())?;
                for (key, value) in &logged {
                    log.insert(key.as_slice(), value.as_slice())?;
                }
                Ok::<_, sled::transaction::ConflictableTransactionError<super::StoreError>>(())
            })
            .map_err(super::flatten)?;
        Ok(Pending::wrote(self, ()))
    }

    /// Waits that ended in `[from_ms, to_ms)`, oldest first.
    pub fn queue_waits_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<QueueWaitRecord>> {
        decode_all(
            "queue_log",
            self.queue_log.range(time_key(from_ms)..time_key(to_ms)),
        )
    }
}
