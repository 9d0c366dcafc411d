//! The problems log: staff open an incident for a station (a broken
//! keyboard, no network), optionally put the station in maintenance, and
//! resolve it with what was done. Every step goes into the audit log.

use super::{App, Fault, Result, StaffIdentity, clean_text, said};
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::IncidentRecord;

/// Most incidents one listing shows.
const MAX_LISTED: usize = 500;

impl App {
    /// Opens an incident for a station; with `maintenance`, the station is
    /// put in maintenance too (which ends a session on it).
    pub async fn open_incident(
        &self,
        by: &StaffIdentity,
        station: &str,
        text: &str,
        maintenance: bool,
    ) -> Result<IncidentRecord> {
        let station = self.resolve_station(station)?;
        let text = clean_text(text, 1000);
        if text.is_empty() {
            return Err(said(Fault::Invalid, t::FAULT_INCIDENT_TEXT));
        }
        let now = self.now_ms();
        let record = IncidentRecord {
            incident_id: self.new_session_id(now),
            station_id: station.station_id.clone(),
            station_name: station.name.clone(),
            reported_by: by.username.clone(),
            text,
            opened_at_ms: now,
            maintenance,
            ..Default::default()
        };
        self.store().put_incident(&record)?.durable().await?;
        tracing::info!(by = %by.username, station = %station.name, "incident opened");
        self.audit(&by.username, "incident.open", &station.name, &record.text)
            .await;
        if maintenance {
            self.set_maintenance(by, &station.station_id, true).await?;
        }
        Ok(record)
    }

    /// Resolves an open incident with what was done; with
    /// `end_maintenance`, the station leaves maintenance.
    pub async fn resolve_incident(
        &self,
        by: &StaffIdentity,
        incident_id: &str,
        resolution: &str,
        end_maintenance: bool,
    ) -> Result<IncidentRecord> {
        let resolution = clean_text(resolution, 1000);
        if resolution.is_empty() {
            return Err(said(Fault::Invalid, t::FAULT_INCIDENT_RESOLUTION));
        }
        let mut record = self
            .store()
            .incident(incident_id.trim())?
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_INCIDENT))?;
        if record.resolved_at_ms != 0 {
            return Err(said(Fault::NotNow, t::FAULT_INCIDENT_RESOLVED));
        }
        settle(&mut record, &by.username, self.now_ms(), resolution);
        self.store().put_incident(&record)?.durable().await?;
        tracing::info!(by = %by.username, station = %record.station_name, "incident resolved");
        self.audit(
            &by.username,
            "incident.resolve",
            &record.station_name,
            &record.resolution,
        )
        .await;
        if end_maintenance && self.store().station(&record.station_id)?.is_some() {
            self.set_maintenance(by, &record.station_id, false).await?;
        }
        Ok(record)
    }

    /// Every open incident (oldest first), then the `limit` most recently
    /// opened resolved ones (newest first).
    pub fn incidents(&self, limit: u32) -> Result<Vec<IncidentRecord>> {
        let limit = match limit {
            0 => 100,
            n => (n as usize).min(MAX_LISTED),
        };
        let mut list = self.store().open_incidents()?;
        let resolved = self
            .store()
            .recent_incidents(limit)?
            .into_iter()
            .filter(|i| i.resolved_at_ms != 0);
        list.extend(resolved);
        list.truncate(MAX_LISTED);
        Ok(list)
    }
}

/// Marks `record` resolved by `by` at `at_ms` with what was done (staff's
/// words, or what the website watch observed).
pub(super) fn settle(record: &mut IncidentRecord, by: &str, at_ms: i64, resolution: String) {
    record.resolved_at_ms = at_ms;
    record.resolved_by = by.to_owned();
    record.resolution = resolution;
}
