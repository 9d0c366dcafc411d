//! What `/metrics` reports: the counters the use cases move, and the gauges
//! read from the application's state at scrape time.

use super::{App, Result};
use crate::metrics::Snapshot;

impl App {
    /// The metrics in the OpenMetrics text format (see [`crate::metrics`]).
    /// Reads the store off the runtime (the audit check scans entries).
    pub async fn metrics_text(&self) -> Result<String> {
        let census = self.hub().census().await;
        let hub_queue = self.hub().queue_depth() as u64;
        let now = self.now_ms();
        let snapshot = self
            .off_runtime(move |app| {
                let open = app.store().active_sessions()?;
                let overdue_ms = open
                    .iter()
                    .map(|s| now - s.ends_at_ms)
                    .max()
                    .unwrap_or(0)
                    .max(0);
                let backup = app.last_backup()?;
                let audit = app.store().verify_audit_recent()?;
                Ok(Snapshot {
                    enrolled: app.store().station_count() as u64,
                    attached: census.attached as u64,
                    online: census.online as u64,
                    in_session: open.len() as u64,
                    overdue_ms,
                    hub_queue,
                    backup_age_ms: backup.as_ref().map(|b| now - b.at_ms),
                    backup_ok: backup.is_some_and(|b| b.ok),
                    audit_intact: audit.bad.is_none(),
                    audit_entries: audit.last_seq,
                    watch_down: app.watch_down_count(),
                    watch_reminders: app.watch_reminders()?.len() as u64,
                })
            })
            .await?;
        Ok(self.metrics().encode(&snapshot))
    }

    /// The application's metrics, for the use cases that move them.
    pub(crate) fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }
}
