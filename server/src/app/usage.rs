//! The usage book (the digital "buku penggunaan fasilitas internet"): the
//! usage-log query as the lines of the daily recap, for the dashboard's
//! page and its CSV export.

use super::{App, Result, StaffIdentity, clean_text};
use crate::report::model::RecapRow;
use crate::report::usage::recap_row;
use bilik_proto::v1::QuerySessionsRequest;

impl App {
    /// The sessions a usage-log query finds, each as a usage-book line
    /// (library-local date and times, minutes, end reason).
    pub fn usage_book(&self, req: &QuerySessionsRequest) -> Result<Vec<RecapRow>> {
        let now = self.now_ms();
        let tz = self.config().time_zone;
        Ok(self
            .session_records(req)?
            .iter()
            .map(|record| recap_row(record, tz, now))
            .collect())
    }

    /// The usage book as a bulk export (patrons' cards and names leave the
    /// server): the same rows, audited with the filter and the row count.
    pub async fn export_usage_book(
        &self,
        by: &StaffIdentity,
        req: &QuerySessionsRequest,
    ) -> Result<Vec<RecapRow>> {
        let rows = self.usage_book(req)?;
        let mut filter = format!(
            "{}..{}",
            clean_text(&req.from_date, 10),
            clean_text(&req.to_date, 10)
        );
        if !req.station.is_empty() {
            filter.push_str(&format!(", station {}", clean_text(&req.station, 40)));
        }
        if !req.card.is_empty() {
            filter.push_str(&format!(", card {}", clean_text(&req.card, 40)));
        }
        self.audit(
            &by.username,
            "member.export",
            "usage-book.csv",
            &format!("{filter}: {} rows", rows.len()),
        )
        .await;
        Ok(rows)
    }
}
