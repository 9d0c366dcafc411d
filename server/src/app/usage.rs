//! The usage book (the digital "buku penggunaan fasilitas internet"): the
//! usage-log query as the lines of the daily recap, for the dashboard's
//! page and its CSV export.

use super::{App, Result};
use crate::report::model::RecapRow;
use crate::report::usage::recap_row;
use bilik_proto::v1::QuerySessionsRequest;

impl App {
    /// The sessions a usage-log query finds, each as a usage-book line
    /// (library-local date and times, minutes, end reason).
    pub fn usage_book(&self, req: &QuerySessionsRequest) -> Result<Vec<RecapRow>> {
        let now = self.now_ms();
        let tz = self.config().time_zone;
        let mut rows = Vec::new();
        for info in self.query_sessions(req)? {
            if let Some(record) = self.store().session(&info.session_id)? {
                rows.push(recap_row(&record, tz, now));
            }
        }
        Ok(rows)
    }
}
