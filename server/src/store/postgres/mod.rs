//! The PostgreSQL engine (issue 16): the same [`Engine`] as the embedded
//! sled store, for deployments that outgrow one machine.
//!
//! Records are stored as their prost bytes plus the columns queries need
//! (see `migrations/`). The invariants are the database's: unique partial
//! indexes for the open session of a station and of a card, a primary key
//! per applied agent event and per signed month, row locks (`FOR UPDATE`)
//! where a change reads the record as committed. Counters are sharded rows,
//! never `count(*)`. A write returns once its transaction has committed
//! with `synchronous_commit = on`: on the server's disk (with the cluster's
//! `fsync` on) or, with synchronous replication, on the standbys too.
//!
//! Connections are plain TCP or a Unix socket (no TLS to the database yet).

mod documents;
mod members;
mod records;
mod schema;
mod sessions;
mod stations;

use super::{Engine, Result, SessionEnd, StartRefused, StoreError};
use bilik_proto::store::v1::{
    EnrollmentCodeRecord, IncidentRecord, MemberRecord, QueueRecord, QueueWaitRecord,
    SessionRecord, SignedReportRecord, StaffRecord, StationRecord, WatchRecord,
};
use bilik_proto::v1::AgentEvent;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use schema::SCHEMA_VERSION;

/// How long a caller waits for a free connection before the store says so.
const POOL_WAIT: Duration = Duration::from_secs(30);
/// Counter rows per counter: concurrent writers spread over them.
const COUNTER_SHARDS: u64 = 16;

/// A store on a PostgreSQL database. Cheap to clone (one pool).
#[derive(Clone)]
pub struct PgStore {
    /// The connections, shared by every clone.
    pool: deadpool_postgres::Pool,
    /// Round-robin over the counter shards.
    next_shard: Arc<AtomicU64>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`
    /// or `host=... dbname=...`) with up to `connections` connections and
    /// brings its schema up to date (see [`SCHEMA_VERSION`]): two servers
    /// starting at once apply each migration once.
    pub async fn connect(url: &str, connections: usize) -> Result<PgStore> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|_| StoreError::Database("the database address is not valid".into()))?;
        // Commit = durable, whatever the server's default is.
        config.options("-c synchronous_commit=on");
        config.application_name("bilik-server");
        config.connect_timeout(Duration::from_secs(10));
        let manager = deadpool_postgres::Manager::from_config(
            config,
            tokio_postgres::NoTls,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(connections.max(1))
            .wait_timeout(Some(POOL_WAIT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Database(format!("cannot make the connection pool: {e}")))?;
        let store = PgStore {
            pool,
            next_shard: Arc::new(AtomicU64::new(0)),
        };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        // A per-database or per-role `synchronous_commit = off` must not
        // have won over the connection's own setting.
        let sync = client
            .query_one("SHOW synchronous_commit", &[])
            .await
            .map_err(db)?;
        if sync.get::<_, String>(0) == "off" {
            return Err(StoreError::Database(
                "the database turns synchronous_commit off: commits would not be durable".into(),
            ));
        }
        let fsync = client.query_one("SHOW fsync", &[]).await.map_err(db)?;
        if fsync.get::<_, String>(0) != "on" {
            tracing::warn!("the PostgreSQL server runs with fsync off: commits are not durable");
        }
        Ok(store)
    }

    /// A connection from the pool.
    async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => db(e),
            other => StoreError::Database(format!("no database connection: {other}")),
        })
    }

    /// The counter shard this write adds to.
    fn shard(&self) -> i16 {
        (self.next_shard.fetch_add(1, Ordering::Relaxed) % COUNTER_SHARDS) as i16
    }

    /// A counter's value: the sum of its shards.
    async fn counter(&self, name: &str) -> Result<u64> {
        let row = self
            .client()
            .await?
            .query_one(
                "SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE name = $1",
                &[&name],
            )
            .await
            .map_err(db)?;
        Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
    }
}

/// Adds `by` to a counter inside a transaction (one shard's row).
async fn bump(
    tx: &deadpool_postgres::Transaction<'_>,
    name: &str,
    shard: i16,
    by: i64,
) -> Result<()> {
    if by != 0 {
        tx.execute(
            "INSERT INTO counters (name, shard, n) VALUES ($1, $2, $3) \
             ON CONFLICT (name, shard) DO UPDATE SET n = counters.n + EXCLUDED.n",
            &[&name, &shard, &by],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Commits: once it returns, the write is durable. A failure here may
/// leave the outcome unknown, so it is a durability error, never a success.
async fn commit(tx: deadpool_postgres::Transaction<'_>) -> Result<()> {
    tx.commit()
        .await
        .map_err(|e| StoreError::Durability(db_message(&e)))
}

/// A database error as the store's: the server's message and SQLSTATE,
/// never its DETAIL (which repeats the values, e.g. a card number).
fn db(e: tokio_postgres::Error) -> StoreError {
    StoreError::Database(db_message(&e))
}

/// See [`db`].
fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} (SQLSTATE {})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

/// The unique index (or key) a statement violated, if that is why it failed.
fn unique_violation(e: &tokio_postgres::Error) -> Option<&str> {
    let d = e.as_db_error()?;
    (d.code() == &tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
        .then(|| d.constraint())
        .flatten()
}

/// A UUID id as the database's key (sessions, incidents), or the same
/// error the sled engine gives.
fn uuid(what: &str, id: &str) -> Result<uuid::Uuid> {
    super::uuid_key(what, id).map(uuid::Uuid::from_bytes)
}

/// The smallest UUIDv7 at or after `ms`: range queries by time.
fn time_uuid(ms: i64) -> uuid::Uuid {
    uuid::Uuid::from_bytes(super::time_key(ms))
}

/// Decodes the `record` column of each row.
fn decode_rows<M: prost::Message + Default>(
    table: &'static str,
    rows: &[tokio_postgres::Row],
) -> Result<Vec<M>> {
    rows.iter()
        .map(|r| super::decode(table, r.get::<_, &[u8]>("record")))
        .collect()
}

/// Decodes the `record` column of an optional row.
fn decode_row<M: prost::Message + Default>(
    table: &'static str,
    row: Option<&tokio_postgres::Row>,
) -> Result<Option<M>> {
    row.map(|r| super::decode(table, r.get::<_, &[u8]>("record")))
        .transpose()
}

/// Every method runs its statements on the engine's own connections; each
/// write is one transaction, committed (durably) before it returns.
impl Engine for PgStore {
    async fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        PgStore::meta(self, name).await
    }

    async fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        PgStore::set_meta(self, name, value).await
    }

    async fn create_meta(&self, name: &str, value: &[u8]) -> Result<bool> {
        PgStore::create_meta(self, name, value).await
    }

    async fn member(&self, card: &str) -> Result<Option<MemberRecord>> {
        PgStore::member(self, card).await
    }

    async fn put_member(&self, member: &MemberRecord) -> Result<bool> {
        let (created, _) = PgStore::put_members(self, std::slice::from_ref(member)).await?;
        Ok(created == 1)
    }

    async fn put_members(&self, members: &[MemberRecord]) -> Result<(u32, u32)> {
        PgStore::put_members(self, members).await
    }

    async fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool + Send + Sync,
    ) -> Result<bool> {
        PgStore::update_member(self, card, change).await
    }

    async fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_words: &[String],
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<MemberRecord>, usize)> {
        PgStore::search_members(self, card_prefix, name_words, offset, limit).await
    }

    async fn member_count(&self) -> Result<u64> {
        self.counter(members::COUNT_MEMBERS).await
    }

    async fn station(&self, station_id: &str) -> Result<Option<StationRecord>> {
        PgStore::station(self, station_id).await
    }

    async fn station_by_name(&self, name: &str) -> Result<Option<StationRecord>> {
        PgStore::station_by_name(self, name).await
    }

    async fn put_station(&self, station: &StationRecord) -> Result<()> {
        PgStore::put_station(self, station).await
    }

    async fn set_station_maintenance(
        &self,
        station_id: &str,
        on: bool,
    ) -> Result<Option<StationRecord>> {
        PgStore::set_station_maintenance(self, station_id, on).await
    }

    async fn stations(&self) -> Result<Vec<StationRecord>> {
        PgStore::stations(self).await
    }

    async fn station_count(&self) -> Result<u64> {
        self.counter(stations::COUNT_STATIONS).await
    }

    async fn put_enrollment_code(&self, code: &EnrollmentCodeRecord) -> Result<()> {
        PgStore::put_enrollment_code(self, code).await
    }

    async fn take_enrollment_code(&self, code_hash: &str) -> Result<Option<EnrollmentCodeRecord>> {
        PgStore::take_enrollment_code(self, code_hash).await
    }

    async fn staff(&self, username: &str) -> Result<Option<StaffRecord>> {
        PgStore::staff(self, username).await
    }

    async fn create_staff(&self, staff: &StaffRecord) -> Result<bool> {
        PgStore::create_staff(self, staff).await
    }

    async fn put_staff(&self, staff: &StaffRecord) -> Result<()> {
        PgStore::put_staff(self, staff).await
    }

    async fn all_staff(&self) -> Result<Vec<StaffRecord>> {
        PgStore::all_staff(self).await
    }

    async fn start_session(&self, session: &SessionRecord) -> Result<Result<(), StartRefused>> {
        PgStore::start_session(self, session).await
    }

    async fn import_ended_session(&self, session: &SessionRecord) -> Result<()> {
        PgStore::import_ended_session(self, session).await
    }

    async fn update_open_session(
        &self,
        session_id: &str,
        change: impl Fn(&mut SessionRecord) + Send + Sync,
    ) -> Result<Option<SessionRecord>> {
        PgStore::update_open_session(self, session_id, change).await
    }

    async fn end_session(
        &self,
        session_id: &str,
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
        event: Option<SessionEnd<'_>>,
    ) -> Result<Option<SessionRecord>> {
        PgStore::end_session(self, session_id, decide, event).await
    }

    async fn end_sessions(
        &self,
        session_ids: &[String],
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
    ) -> Result<Vec<SessionRecord>> {
        PgStore::end_sessions(self, session_ids, decide).await
    }

    async fn mark_event_applied(
        &self,
        station_id: &str,
        event: &AgentEvent,
        at_ms: i64,
    ) -> Result<bool> {
        PgStore::mark_event_applied(self, station_id, event, at_ms).await
    }

    async fn event_applied(&self, station_id: &str, event_id: &str) -> Result<bool> {
        PgStore::event_applied(self, station_id, event_id).await
    }

    async fn station_events(&self, station_id: &str) -> Result<Vec<AgentEvent>> {
        PgStore::station_events(self, station_id).await
    }

    async fn session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        PgStore::session(self, session_id).await
    }

    async fn active_session(&self, station_id: &str) -> Result<Option<SessionRecord>> {
        PgStore::active_session(self, station_id).await
    }

    async fn active_sessions(&self) -> Result<Vec<SessionRecord>> {
        PgStore::active_sessions(self).await
    }

    async fn open_session_of_card(&self, card: &str) -> Result<Option<SessionRecord>> {
        PgStore::open_session_of_card(self, card).await
    }

    async fn card_sessions_since(&self, card: &str, since_ms: i64) -> Result<Vec<SessionRecord>> {
        PgStore::card_sessions_since(self, card, since_ms).await
    }

    async fn sessions_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SessionRecord>> {
        PgStore::sessions_between(self, from_ms, to_ms).await
    }

    async fn session_count(&self) -> Result<u64> {
        self.counter(sessions::COUNT_SESSIONS).await
    }

    async fn signed_report(&self, month: &str) -> Result<Option<SignedReportRecord>> {
        PgStore::signed_report(self, month).await
    }

    async fn signed_reports(&self) -> Result<Vec<SignedReportRecord>> {
        PgStore::signed_reports(self).await
    }

    async fn put_signed_report(&self, report: &SignedReportRecord) -> Result<bool> {
        PgStore::put_signed_report(self, report).await
    }

    async fn put_incident(&self, incident: &IncidentRecord) -> Result<()> {
        PgStore::put_incident(self, incident).await
    }

    async fn incident(&self, incident_id: &str) -> Result<Option<IncidentRecord>> {
        PgStore::incident(self, incident_id).await
    }

    async fn recent_incidents(&self, limit: usize) -> Result<Vec<IncidentRecord>> {
        PgStore::recent_incidents(self, limit).await
    }

    async fn incidents_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<IncidentRecord>> {
        PgStore::incidents_between(self, from_ms, to_ms).await
    }

    async fn open_incidents(&self) -> Result<Vec<IncidentRecord>> {
        PgStore::open_incidents(self).await
    }

    async fn queue(&self) -> Result<QueueRecord> {
        PgStore::queue(self).await
    }

    async fn put_queue(&self, queue: &QueueRecord, finished: &[QueueWaitRecord]) -> Result<()> {
        PgStore::put_queue(self, queue, finished).await
    }

    async fn queue_waits_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<QueueWaitRecord>> {
        PgStore::queue_waits_between(self, from_ms, to_ms).await
    }

    async fn watch_state(&self) -> Result<WatchRecord> {
        PgStore::watch_state(self).await
    }

    async fn put_watch_state(
        &self,
        state: &WatchRecord,
        incident: Option<&IncidentRecord>,
    ) -> Result<()> {
        PgStore::put_watch_state(self, state, incident).await
    }
}
