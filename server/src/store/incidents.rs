//! The problems log: incidents staff open for a station and resolve with
//! what was done. Keys are UUIDv7 bytes, so a scan comes out oldest first.

use super::{Pending, Result, Store, decode_all, get, time_key};
use bilik_proto::store::v1::IncidentRecord;
use prost::Message;

/// The 16 key bytes of an incident id.
fn incident_key(incident_id: &str) -> Result<[u8; 16]> {
    super::uuid_key("incident", incident_id)
}

impl Store {
    /// Writes an incident (new or updated).
    pub fn put_incident(&self, incident: &IncidentRecord) -> Result<Pending<'_, ()>> {
        let key = incident_key(&incident.incident_id)?;
        self.incidents.insert(key, incident.encode_to_vec())?;
        Ok(Pending::wrote(self, ()))
    }

    /// One incident by id; `None` for an unknown or malformed id.
    pub fn incident(&self, incident_id: &str) -> Result<Option<IncidentRecord>> {
        match incident_key(incident_id) {
            Ok(key) => get(&self.incidents, "incidents", key),
            Err(_) => Ok(None),
        }
    }

    /// The newest `limit` incidents, newest first.
    pub fn recent_incidents(&self, limit: usize) -> Result<Vec<IncidentRecord>> {
        decode_all("incidents", self.incidents.iter().rev().take(limit))
    }

    /// Incidents opened in `[from_ms, to_ms)`, oldest first.
    pub fn incidents_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<IncidentRecord>> {
        decode_all(
            "incidents",
            self.incidents.range(time_key(from_ms)..time_key(to_ms)),
        )
    }

    /// Every incident that is still open, oldest first.
    pub fn open_incidents(&self) -> Result<Vec<IncidentRecord>> {
        let all: Vec<IncidentRecord> = decode_all("incidents", self.incidents.iter())?;
        Ok(all.into_iter().filter(|i| i.resolved_at_ms == 0).collect())
    }

    /// Bytes the database takes on disk (the health page shows it).
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}
