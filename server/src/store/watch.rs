//! The website watch's state: every watched site in one `WatchRecord` in
//! `meta` (a few sites; one write keeps it whole), written together with
//! the problems-log entry an outage opens or closes.

use super::{Pending, Result, Store, decode};
use bilik_proto::store::v1::{IncidentRecord, WatchRecord};
use prost::Message;

/// `meta` key of the website watch's state.
const WATCH_KEY: &str = "watch";

impl Store {
    /// The website watch's state (empty if never written).
    pub fn watch_state(&self) -> Result<WatchRecord> {
        match self.meta.get(WATCH_KEY)? {
            Some(bytes) => decode("meta", &bytes),
            None => Ok(WatchRecord::default()),
        }
    }

    /// Replaces the watch state and writes `incident` (opened or closed by
    /// it), in one transaction.
    pub fn put_watch_state(
        &self,
        state: &WatchRecord,
        incident: Option<&IncidentRecord>,
    ) -> Result<Pending<'_, ()>> {
        use sled::Transactional;
        let bytes = state.encode_to_vec();
        let incident = match incident {
            Some(i) => Some((
                super::uuid_key("incident", &i.incident_id)?,
                i.encode_to_vec(),
            )),
            None => None,
        };
        (&self.meta, &self.incidents)
            .transaction(|(meta, incidents)| {
                meta.insert(WATCH_KEY, bytes.as_slice())?;
                if let Some((key, value)) = &incident {
                    incidents.insert(key.as_slice(), value.as_slice())?;
                }
                Ok::<_, sled::transaction::ConflictableTransactionError<super::StoreError>>(())
            })
            .map_err(super::flatten)?;
        Ok(Pending::wrote(self, ()))
    }
}
