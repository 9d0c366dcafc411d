//! The simple keyed records on PostgreSQL: meta, staff, signed reports
//! (frozen: the month is the primary key and never overwritten) and
//! incidents.

use super::{PgStore, Result, db, decode_row, decode_rows, time_uuid, uuid};
use bilik_proto::store::v1::{IncidentRecord, SignedReportRecord, StaffRecord};
use deadpool_postgres::GenericClient;
use prost::Message;

/// Writes a `meta` row (on its own or inside a transaction).
pub(super) async fn put_meta(c: &impl GenericClient, name: &str, value: &[u8]) -> Result<()> {
    c.execute(
        "INSERT INTO meta (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
        &[&name, &value],
    )
    .await
    .map_err(db)?;
    Ok(())
}

/// Writes an incident, new or updated (on its own or inside a transaction).
pub(super) async fn upsert_incident(
    c: &impl GenericClient,
    id: uuid::Uuid,
    incident: &IncidentRecord,
) -> Result<()> {
    c.execute(
        "INSERT INTO incidents (incident_id, open, record) VALUES ($1, $2, $3) \
         ON CONFLICT (incident_id) DO UPDATE SET open = EXCLUDED.open, \
         record = EXCLUDED.record",
        &[
            &id,
            &(incident.resolved_at_ms == 0),
            &incident.encode_to_vec(),
        ],
    )
    .await
    .map_err(db)?;
    Ok(())
}

impl PgStore {
    /// See [`Engine::meta`](crate::store::Engine::meta).
    pub(super) async fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT value FROM meta WHERE name = $1", &[&name])
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.get(0)))
    }

    /// See [`Engine::set_meta`](crate::store::Engine::set_meta).
    pub(super) async fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        put_meta(&self.client().await?, name, value).await
    }

    /// See [`Engine::create_meta`](crate::store::Engine::create_meta).
    pub(super) async fn create_meta(&self, name: &str, value: &[u8]) -> Result<bool> {
        self.insert_new(
            "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            name,
            value,
        )
        .await
    }

    /// See [`Engine::staff`](crate::store::Engine::staff).
    pub(super) async fn staff(&self, username: &str) -> Result<Option<StaffRecord>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT record FROM staff WHERE username = $1", &[&username])
            .await
            .map_err(db)?;
        decode_row("staff", row.as_ref())
    }

    /// See [`Engine::create_staff`](crate::store::Engine::create_staff).
    pub(super) async fn create_staff(&self, staff: &StaffRecord) -> Result<bool> {
        self.insert_new(
            "INSERT INTO staff (username, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &staff.username,
            &staff.encode_to_vec(),
        )
        .await
    }

    /// See [`Engine::put_staff`](crate::store::Engine::put_staff).
    pub(super) async fn put_staff(&self, staff: &StaffRecord) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO staff (username, record) VALUES ($1, $2) \
                 ON CONFLICT (username) DO UPDATE SET record = EXCLUDED.record",
                &[&staff.username, &staff.encode_to_vec()],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    /// See [`Engine::all_staff`](crate::store::Engine::all_staff).
    pub(super) async fn all_staff(&self) -> Result<Vec<StaffRecord>> {
        let rows = self
            .client()
            .await?
            .query("SELECT record FROM staff ORDER BY username", &[])
            .await
            .map_err(db)?;
        decode_rows("staff", &rows)
    }

    /// See [`Engine::signed_report`](crate::store::Engine::signed_report).
    pub(super) async fn signed_report(&self, month: &str) -> Result<Option<SignedReportRecord>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT record FROM signed_reports WHERE month = $1",
                &[&month],
            )
            .await
            .map_err(db)?;
        decode_row("reports", row.as_ref())
    }

    /// See [`Engine::signed_reports`](crate::store::Engine::signed_reports).
    pub(super) async fn signed_reports(&self) -> Result<Vec<SignedReportRecord>> {
        let rows = self
            .client()
            .await?
            .query("SELECT record FROM signed_reports ORDER BY month", &[])
            .await
            .map_err(db)?;
        decode_rows("reports", &rows)
    }

    /// See [`Engine::put_signed_report`](crate::store::Engine::put_signed_report).
    pub(super) async fn put_signed_report(&self, report: &SignedReportRecord) -> Result<bool> {
        self.insert_new(
            "INSERT INTO signed_reports (month, record) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &report.month,
            &report.encode_to_vec(),
        )
        .await
    }

    /// See [`Engine::put_incident`](crate::store::Engine::put_incident).
    pub(super) async fn put_incident(&self, incident: &IncidentRecord) -> Result<()> {
        let id = uuid("incident", &incident.incident_id)?;
        upsert_incident(&self.client().await?, id, incident).await
    }

    /// See [`Engine::incident`](crate::store::Engine::incident).
    pub(super) async fn incident(&self, incident_id: &str) -> Result<Option<IncidentRecord>> {
        let Ok(id) = uuid("incident", incident_id) else {
            return Ok(None);
        };
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT record FROM incidents WHERE incident_id = $1",
                &[&id],
            )
            .await
            .map_err(db)?;
        decode_row("incidents", row.as_ref())
    }

    /// See [`Engine::recent_incidents`](crate::store::Engine::recent_incidents).
    pub(super) async fn recent_incidents(&self, limit: usize) -> Result<Vec<IncidentRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM incidents ORDER BY incident_id DESC LIMIT $1",
                &[&limit],
            )
            .await
            .map_err(db)?;
        decode_rows("incidents", &rows)
    }

    /// See [`Engine::incidents_between`](crate::store::Engine::incidents_between).
    pub(super) async fn incidents_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<IncidentRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM incidents WHERE incident_id >= $1 AND incident_id < $2 \
                 ORDER BY incident_id",
                &[&time_uuid(from_ms), &time_uuid(to_ms)],
            )
            .await
            .map_err(db)?;
        decode_rows("incidents", &rows)
    }

    /// See [`Engine::open_incidents`](crate::store::Engine::open_incidents).
    pub(super) async fn open_incidents(&self) -> Result<Vec<IncidentRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM incidents WHERE open ORDER BY incident_id",
                &[],
            )
            .await
            .map_err(db)?;
        decode_rows("incidents", &rows)
    }

    /// Runs an `INSERT ... ON CONFLICT DO NOTHING` of (key, bytes): `true`
    /// when it inserted, `false` when the key was there (nothing written).
    async fn insert_new(&self, sql: &str, key: &str, value: &[u8]) -> Result<bool> {
        let n = self
            .client()
            .await?
            .execute(sql, &[&key, &value])
            .await
            .map_err(db)?;
        Ok(n == 1)
    }
}
