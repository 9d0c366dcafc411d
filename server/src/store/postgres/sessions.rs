//! Sessions and applied agent events on PostgreSQL. "One open session per
//! station and per card" are the unique partial indexes
//! `sessions_open_station` / `sessions_open_card` (`WHERE ended IS NULL`);
//! "each event once" is the primary key of `applied_events`.

use super::{
    PgStore, Result, bump, commit, db, decode_row, decode_rows, time_uuid, unique_violation, uuid,
};
use crate::store::{SessionEnd, StartRefused, StoreError};
use bilik_proto::store::v1::{AppliedEventRecord, SessionRecord, StationRecord};
use bilik_proto::v1::AgentEvent;
use prost::Message;
use std::collections::HashMap;

/// Counter of sessions ever started or imported.
pub(super) const COUNT_SESSIONS: &str = "sessions";

/// The `ended` column of a record written as ended.
fn ended_column(s: &SessionRecord) -> Option<i64> {
    Some(s.ended_at_ms)
}

impl PgStore {
    /// See [`Engine::start_session`](crate::store::Engine::start_session).
    /// The checks give the refusal in the sled engine's order; a start
    /// that raced past them meets the unique index, which says which one.
    pub(super) async fn start_session(
        &self,
        session: &SessionRecord,
    ) -> Result<Result<(), StartRefused>> {
        let id = uuid("session", &session.session_id)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        // FOR SHARE: a maintenance switch waits for this start, and a
        // start after it sees the flag.
        let station = tx
            .query_opt(
                "SELECT record FROM stations WHERE station_id = $1 FOR SHARE",
                &[&session.station_id],
            )
            .await
            .map_err(db)?;
        let usable = station
            .and_then(|r| StationRecord::decode(r.get::<_, &[u8]>(0)).ok())
            .is_some_and(|s| !s.maintenance);
        if !usable {
            return Ok(Err(StartRefused::Maintenance));
        }
        let busy = tx
            .query_opt(
                "SELECT 1 FROM sessions WHERE station_id = $1 AND ended IS NULL",
                &[&session.station_id],
            )
            .await
            .map_err(db)?;
        if busy.is_some() {
            return Ok(Err(StartRefused::StationBusy));
        }
        if !session.card.is_empty() {
            let in_use = tx
                .query_opt(
                    "SELECT 1 FROM sessions WHERE card = $1 AND ended IS NULL",
                    &[&session.card],
                )
                .await
                .map_err(db)?;
            if in_use.is_some() {
                return Ok(Err(StartRefused::CardInUse));
            }
        }
        let inserted = tx
            .execute(
                "INSERT INTO sessions (session_id, station_id, card, ended, record) \
                 VALUES ($1, $2, $3, NULL, $4)",
                &[
                    &id,
                    &session.station_id,
                    &session.card,
                    &session.encode_to_vec(),
                ],
            )
            .await;
        if let Err(e) = inserted {
            return match unique_violation(&e) {
                Some("sessions_open_station") => Ok(Err(StartRefused::StationBusy)),
                Some("sessions_open_card") => Ok(Err(StartRefused::CardInUse)),
                Some(_) => Err(StoreError::Conflict("the session id is taken".into())),
                None => Err(db(e)),
            };
        }
        bump(&tx, COUNT_SESSIONS, self.shard(), 1).await?;
        commit(tx).await?;
        Ok(Ok(()))
    }

    /// See [`Engine::import_ended_session`](crate::store::Engine::import_ended_session).
    pub(super) async fn import_ended_session(&self, session: &SessionRecord) -> Result<()> {
        let id = uuid("session", &session.session_id)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_one(
                "INSERT INTO sessions (session_id, station_id, card, ended, record) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (session_id) DO UPDATE SET station_id = EXCLUDED.station_id, \
                 card = EXCLUDED.card, ended = EXCLUDED.ended, record = EXCLUDED.record \
                 RETURNING (xmax = 0) AS created",
                &[
                    &id,
                    &session.station_id,
                    &session.card,
                    &ended_column(session),
                    &session.encode_to_vec(),
                ],
            )
            .await
            .map_err(db)?;
        if row.get::<_, bool>(0) {
            bump(&tx, COUNT_SESSIONS, self.shard(), 1).await?;
        }
        commit(tx).await
    }

    /// See [`Engine::update_open_session`](crate::store::Engine::update_open_session).
    pub(super) async fn update_open_session(
        &self,
        session_id: &str,
        change: impl Fn(&mut SessionRecord) + Send + Sync,
    ) -> Result<Option<SessionRecord>> {
        let id = uuid("session", session_id)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_opt(
                "SELECT record FROM sessions WHERE session_id = $1 FOR UPDATE",
                &[&id],
            )
            .await
            .map_err(db)?;
        let Some(mut session) = decode_row::<SessionRecord>("sessions", row.as_ref())? else {
            return Ok(None);
        };
        if session.ended_at_ms != 0 {
            return Ok(None);
        }
        change(&mut session);
        tx.execute(
            "UPDATE sessions SET record = $2 WHERE session_id = $1",
            &[&id, &session.encode_to_vec()],
        )
        .await
        .map_err(db)?;
        commit(tx).await?;
        Ok(Some(session))
    }

    /// See [`Engine::end_session`](crate::store::Engine::end_session): the
    /// event's row first (a second delivery meets the primary key and
    /// changes nothing), then the session under a row lock.
    pub(super) async fn end_session(
        &self,
        session_id: &str,
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
        event: Option<SessionEnd<'_>>,
    ) -> Result<Option<SessionRecord>> {
        let id = uuid("session", session_id)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if let Some(e) = event
            && !insert_event(&tx, e.station_id, e.event, e.applied_at_ms).await?
        {
            return Ok(None);
        }
        let row = tx
            .query_opt(
                "SELECT record FROM sessions WHERE session_id = $1 FOR UPDATE",
                &[&id],
            )
            .await
            .map_err(db)?;
        let current = decode_row::<SessionRecord>("sessions", row.as_ref())?;
        let ended = current.as_ref().and_then(&decide);
        if let Some(ended) = &ended {
            write_ended(&tx, &[(id, ended)]).await?;
        }
        commit(tx).await?;
        Ok(ended)
    }

    /// See [`Engine::end_sessions`](crate::store::Engine::end_sessions):
    /// the rows are locked in id order (two sweeps cannot deadlock), then
    /// written in one statement.
    pub(super) async fn end_sessions(
        &self,
        session_ids: &[String],
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
    ) -> Result<Vec<SessionRecord>> {
        let ids: Vec<uuid::Uuid> = session_ids
            .iter()
            .map(|id| uuid("session", id))
            .collect::<Result<_>>()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = tx
            .query(
                "SELECT session_id, record FROM sessions WHERE session_id = ANY($1) \
                 ORDER BY session_id FOR UPDATE",
                &[&ids],
            )
            .await
            .map_err(db)?;
        let mut current: HashMap<uuid::Uuid, SessionRecord> = HashMap::with_capacity(rows.len());
        for row in &rows {
            current.insert(row.get(0), crate::store::decode("sessions", row.get(1))?);
        }
        // In the order asked; an id asked twice sees what the first ended.
        let mut ended = Vec::new();
        for id in &ids {
            let Some(record) = current.get(id).and_then(&decide) else {
                continue;
            };
            current.insert(*id, record.clone());
            ended.push((*id, record));
        }
        if ended.is_empty() {
            return Ok(Vec::new());
        }
        let last: HashMap<uuid::Uuid, &SessionRecord> =
            ended.iter().map(|(i, r)| (*i, r)).collect();
        let writes: Vec<(uuid::Uuid, &SessionRecord)> = last.into_iter().collect();
        write_ended(&tx, &writes).await?;
        commit(tx).await?;
        Ok(ended.into_iter().map(|(_, r)| r).collect())
    }

    /// See [`Engine::mark_event_applied`](crate::store::Engine::mark_event_applied).
    pub(super) async fn mark_event_applied(
        &self,
        station_id: &str,
        event: &AgentEvent,
        at_ms: i64,
    ) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        if !insert_event(&tx, station_id, event, at_ms).await? {
            return Ok(false);
        }
        commit(tx).await?;
        Ok(true)
    }

    /// See [`Engine::event_applied`](crate::store::Engine::event_applied).
    pub(super) async fn event_applied(&self, station_id: &str, event_id: &str) -> Result<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM applied_events WHERE station_id = $1 AND event_id = $2",
                &[&station_id, &event_id],
            )
            .await
            .map_err(db)?;
        Ok(row.is_some())
    }

    /// See [`Engine::station_events`](crate::store::Engine::station_events).
    pub(super) async fn station_events(&self, station_id: &str) -> Result<Vec<AgentEvent>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM applied_events WHERE station_id = $1 ORDER BY event_id",
                &[&station_id],
            )
            .await
            .map_err(db)?;
        let records: Vec<AppliedEventRecord> = decode_rows("applied_events", &rows)?;
        Ok(records.into_iter().filter_map(|r| r.event).collect())
    }

    /// See [`Engine::session`](crate::store::Engine::session).
    pub(super) async fn session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        let Ok(id) = uuid("session", session_id) else {
            return Ok(None);
        };
        self.one_session("SELECT record FROM sessions WHERE session_id = $1", &id)
            .await
    }

    /// See [`Engine::active_session`](crate::store::Engine::active_session).
    pub(super) async fn active_session(&self, station_id: &str) -> Result<Option<SessionRecord>> {
        self.one_session(
            "SELECT record FROM sessions WHERE station_id = $1 AND ended IS NULL",
            &station_id,
        )
        .await
    }

    /// See [`Engine::open_session_of_card`](crate::store::Engine::open_session_of_card).
    pub(super) async fn open_session_of_card(&self, card: &str) -> Result<Option<SessionRecord>> {
        self.one_session(
            "SELECT record FROM sessions WHERE card = $1 AND card <> '' AND ended IS NULL",
            &card,
        )
        .await
    }

    /// See [`Engine::active_sessions`](crate::store::Engine::active_sessions).
    pub(super) async fn active_sessions(&self) -> Result<Vec<SessionRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM sessions WHERE ended IS NULL ORDER BY station_id",
                &[],
            )
            .await
            .map_err(db)?;
        decode_rows("sessions", &rows)
    }

    /// See [`Engine::card_sessions_since`](crate::store::Engine::card_sessions_since).
    pub(super) async fn card_sessions_since(
        &self,
        card: &str,
        since_ms: i64,
    ) -> Result<Vec<SessionRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM sessions WHERE card = $1 AND card <> '' \
                 AND session_id >= $2 ORDER BY session_id",
                &[&card, &time_uuid(since_ms)],
            )
            .await
            .map_err(db)?;
        decode_rows("sessions", &rows)
    }

    /// See [`Engine::sessions_between`](crate::store::Engine::sessions_between).
    pub(super) async fn sessions_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SessionRecord>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT record FROM sessions WHERE session_id >= $1 AND session_id < $2 \
                 ORDER BY session_id",
                &[&time_uuid(from_ms), &time_uuid(to_ms)],
            )
            .await
            .map_err(db)?;
        decode_rows("sessions", &rows)
    }

    /// One session by a query with one parameter.
    async fn one_session(
        &self,
        sql: &str,
        param: &(dyn tokio_postgres::types::ToSql + Sync),
    ) -> Result<Option<SessionRecord>> {
        let row = self
            .client()
            .await?
            .query_opt(sql, &[param])
            .await
            .map_err(db)?;
        decode_row("sessions", row.as_ref())
    }
}

/// Records an applied event inside a transaction; `false` if it was applied
/// before (a concurrent first delivery is waited for, then found).
async fn insert_event(
    tx: &deadpool_postgres::Transaction<'_>,
    station_id: &str,
    event: &AgentEvent,
    at_ms: i64,
) -> Result<bool> {
    let record = AppliedEventRecord {
        applied_at_ms: at_ms,
        event: Some(event.clone()),
    };
    let n = tx
        .execute(
            "INSERT INTO applied_events (station_id, event_id, record) VALUES ($1, $2, $3) \
             ON CONFLICT (station_id, event_id) DO NOTHING",
            &[&station_id, &event.event_id, &record.encode_to_vec()],
        )
        .await
        .map_err(db)?;
    Ok(n == 1)
}

/// Writes ended sessions (each id once) in one statement: the record and
/// `ended`, which takes them out of the open-session indexes.
async fn write_ended(
    tx: &deadpool_postgres::Transaction<'_>,
    sessions: &[(uuid::Uuid, &SessionRecord)],
) -> Result<()> {
    let ids: Vec<uuid::Uuid> = sessions.iter().map(|(id, _)| *id).collect();
    let records: Vec<Vec<u8>> = sessions.iter().map(|(_, s)| s.encode_to_vec()).collect();
    let ended: Vec<Option<i64>> = sessions.iter().map(|(_, s)| ended_column(s)).collect();
    tx.execute(
        "UPDATE sessions AS s SET record = u.record, ended = u.ended \
         FROM unnest($1::uuid[], $2::bytea[], $3::bigint[]) AS u(id, record, ended) \
         WHERE s.session_id = u.id",
        &[&ids, &records, &ended],
    )
    .await
    .map_err(db)?;
    Ok(())
}
