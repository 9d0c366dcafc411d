//! Versioned schema migrations: SQL files embedded in the binary, applied
//! at open in one transaction under an advisory lock, each recorded in
//! `schema_migrations`. Two servers starting at once on a fresh database:
//! the second waits for the first's transaction, then finds nothing to do.

use super::{Result, StoreError, db};

/// The migrations, in order: (version, name, SQL). A migration once
/// released never changes; a change is a new file.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (2, "queue", include_str!("migrations/0002_queue.sql")),
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i32 = 2;

/// The advisory lock key every Bilik server takes while migrating ("bilik").
const MIGRATION_LOCK: i64 = 0x0062_696c_696b;

/// Applies every migration the database lacks. Refuses a database whose
/// schema is newer than this build (an older server must not write it).
pub(super) async fn migrate(client: &mut deadpool_postgres::Client) -> Result<()> {
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
             version integer PRIMARY KEY, \
             name text NOT NULL, \
             applied_at timestamptz NOT NULL DEFAULT now())",
    )
    .await
    .map_err(db)?;
    let applied: Vec<i32> = tx
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(newer) = applied.iter().find(|v| **v > SCHEMA_VERSION) {
        return Err(StoreError::Database(format!(
            "the database's schema (version {newer}) is newer than this server's ({SCHEMA_VERSION})"
        )));
    }
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await.map_err(db)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )
        .await
        .map_err(db)?;
        tracing::info!(version, name, "applied a schema migration");
    }
    super::commit(tx).await
}
