//! Records kept whole in one `meta` row (the waiting queue, the website
//! watch's state), each written in one transaction with what goes with it:
//! the queue's finished waits, the incident an outage opens or closes.

use super::records::{put_meta, upsert_incident};
use super::{PgStore, Result, commit, db, decode_rows, time_uuid, uuid};
use bilik_proto::store::v1::{IncidentRecord, QueueRecord, QueueWaitRecord, WatchRecord};
use prost::Message;

/// `meta` name of the waiting queue (the sled engine's too).
const QUEUE: &str = "queue";
/// `meta` name of the website watch's state (the sled engine's too).
const WATCH: &str = "watch";

/// A fresh UUIDv7 at `ms` (the key of a finished wait).
fn v7_at(ms: i64) -> uuid::Uuid {
    let ms = ms.max(0) as u64;
    let ts =
        uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, ((ms % 1000) * 1_000_000) as u32);
    uuid::Uuid::new_v7(ts)
}

impl PgStore {
    /// A record kept whole in `meta` (the default when never written).
    async fn document<M: Message + Default>(&self, name: &str) -> Result<M> {
        match PgStore::meta(self, name).await? {
            Some(bytes) => crate::store::decode("meta", &bytes),
            None => Ok(M::default()),
        }
    }

    /// See [`Engine::queue`](crate::store::Engine::queue).
    pub(super) async fn queue(&self) -> Result<QueueRecord> {
        self.document(QUEUE).await
    }

    /// See [`Engine::put_queue`](crate::store::Engine::put_queue).
    pub(super) async fn put_queue(
        &self,
        queue: &QueueRecord,
        finished: &[QueueWaitRecord],
    ) -> Result<()> {
        let ids: Vec<uuid::Uuid> = finished.iter().map(|w| v7_at(w.ended_at_ms)).collect();
        let records: Vec<Vec<u8>> = finished.iter().map(Message::encode_to_vec).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        put_meta(&tx, QUEUE, &queue.encode_to_vec()).await?;
        if !finished.is_empty() {
            tx.execute(
                "INSERT INTO queue_log (wait_id, record) \
                 SELECT * FROM unnest($1::uuid[], $2::bytea[])",
                &[&ids, &records],
            )
            .await
            .map_err(db)?;
        }
        commit(tx).await
    }

    /// See [`Engine::queue_waits_between`](crate::store::Engine::queue_waits_between).
    pub(super) async fn queue_waits_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<QueueWaitRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM queue_log WHERE wait_id >= $1 AND wait_id < $2 \
                 ORDER BY wait_id",
                &[&time_uuid(from_ms), &time_uuid(to_ms)],
            )
            .await
            .map_err(db)?;
        decode_rows("queue_log", &rows)
    }

    /// See [`Engine::watch_state`](crate::store::Engine::watch_state).
    pub(super) async fn watch_state(&self) -> Result<WatchRecord> {
        self.document(WATCH).await
    }

    /// See [`Engine::put_watch_state`](crate::store::Engine::put_watch_state).
    pub(super) async fn put_watch_state(
        &self,
        state: &WatchRecord,
        incident: Option<&IncidentRecord>,
    ) -> Result<()> {
        let incident = match incident {
            Some(i) => Some((uuid("incident", &i.incident_id)?, i)),
            None => None,
        };
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        put_meta(&tx, WATCH, &state.encode_to_vec()).await?;
        if let Some((id, incident)) = incident {
            upsert_incident(&tx, id, incident).await?;
        }
        commit(tx).await
    }
}
