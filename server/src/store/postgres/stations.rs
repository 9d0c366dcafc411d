//! Stations (with their unique name key) and enrolment codes on PostgreSQL.

use super::{PgStore, Result, bump, commit, db, decode_row, decode_rows, unique_violation};
use crate::store::StoreError;
use bilik_proto::store::v1::{EnrollmentCodeRecord, StationRecord};
use prost::Message;

/// Counter of stations (kept by `put_station` when a station is new).
pub(super) const COUNT_STATIONS: &str = "stations";

/// How often `put_station` retries when another writer took the same name
/// between its two statements.
const NAME_RACE_RETRIES: usize = 5;

/// The name column: names are unique regardless of case (the sled engine's
/// rule, `stations::name_key`); `None` for no name.
fn name_key(name: &str) -> Option<String> {
    let key = name.trim().to_lowercase();
    (!name.is_empty()).then_some(key)
}

impl PgStore {
    /// See [`Engine::station`](crate::store::Engine::station).
    pub(super) async fn station(&self, station_id: &str) -> Result<Option<StationRecord>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT record FROM stations WHERE station_id = $1",
                &[&station_id],
            )
            .await
            .map_err(db)?;
        decode_row("stations", row.as_ref())
    }

    /// See [`Engine::station_by_name`](crate::store::Engine::station_by_name).
    pub(super) async fn station_by_name(&self, name: &str) -> Result<Option<StationRecord>> {
        let key = name.trim().to_lowercase();
        let row = self
            .client()
            .await?
            .query_opt("SELECT record FROM stations WHERE name_key = $1", &[&key])
            .await
            .map_err(db)?;
        decode_row("stations", row.as_ref())
    }

    /// See [`Engine::put_station`](crate::store::Engine::put_station): the
    /// name moves to this station (taken from any other) in the same
    /// transaction; the unique index settles a race for a name, which is
    /// retried.
    pub(super) async fn put_station(&self, station: &StationRecord) -> Result<()> {
        let key = name_key(&station.name);
        let record = station.encode_to_vec();
        let mut client = self.client().await?;
        for _ in 0..NAME_RACE_RETRIES {
            let tx = client.transaction().await.map_err(db)?;
            if let Some(key) = &key {
                tx.execute(
                    "UPDATE stations SET name_key = NULL WHERE name_key = $1 AND station_id <> $2",
                    &[key, &station.station_id],
                )
                .await
                .map_err(db)?;
            }
            let written = tx
                .query_one(
                    "INSERT INTO stations (station_id, name_key, record) VALUES ($1, $2, $3) \
                     ON CONFLICT (station_id) DO UPDATE \
                     SET name_key = EXCLUDED.name_key, record = EXCLUDED.record \
                     RETURNING (xmax = 0) AS created",
                    &[&station.station_id, &key, &record],
                )
                .await;
            let created = match written {
                Ok(row) => row.get::<_, bool>(0),
                Err(e) if unique_violation(&e) == Some("stations_name_key") => continue,
                Err(e) => return Err(db(e)),
            };
            if created {
                bump(&tx, COUNT_STATIONS, self.shard(), 1).await?;
            }
            return commit(tx).await;
        }
        Err(StoreError::Conflict(
            "the station name kept being taken meanwhile".into(),
        ))
    }

    /// See [`Engine::set_station_maintenance`](crate::store::Engine::set_station_maintenance).
    pub(super) async fn set_station_maintenance(
        &self,
        station_id: &str,
        on: bool,
    ) -> Result<Option<StationRecord>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_opt(
                "SELECT record FROM stations WHERE station_id = $1 FOR UPDATE",
                &[&station_id],
            )
            .await
            .map_err(db)?;
        let Some(mut station) = decode_row::<StationRecord>("stations", row.as_ref())? else {
            return Ok(None);
        };
        station.maintenance = on;
        tx.execute(
            "UPDATE stations SET record = $2 WHERE station_id = $1",
            &[&station_id, &station.encode_to_vec()],
        )
        .await
        .map_err(db)?;
        commit(tx).await?;
        Ok(Some(station))
    }

    /// See [`Engine::stations`](crate::store::Engine::stations).
    pub(super) async fn stations(&self) -> Result<Vec<StationRecord>> {
        let rows = self
            .client()
            .await?
            .query("SELECT record FROM stations ORDER BY station_id", &[])
            .await
            .map_err(db)?;
        decode_rows("stations", &rows)
    }

    /// See [`Engine::put_enrollment_code`](crate::store::Engine::put_enrollment_code).
    pub(super) async fn put_enrollment_code(&self, code: &EnrollmentCodeRecord) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO enrollment_codes (code_hash, record) VALUES ($1, $2) \
                 ON CONFLICT (code_hash) DO UPDATE SET record = EXCLUDED.record",
                &[&code.code_hash, &code.encode_to_vec()],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    /// See [`Engine::take_enrollment_code`](crate::store::Engine::take_enrollment_code):
    /// one `DELETE ... RETURNING`, so of two racing stations one gets it.
    pub(super) async fn take_enrollment_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<EnrollmentCodeRecord>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "DELETE FROM enrollment_codes WHERE code_hash = $1 RETURNING record",
                &[&code_hash],
            )
            .await
            .map_err(db)?;
        decode_row("enrollment_codes", row.as_ref())
    }
}
