//! Signed monthly reports.

use super::{Pending, Result, Store, get};
use bilik_proto::store::v1::SignedReportRecord;
use prost::Message;

impl Store {
    /// The signed report of a month ("YYYY-MM").
    pub fn signed_report(&self, month: &str) -> Result<Option<SignedReportRecord>> {
        get(&self.reports, "reports", month)
    }

    /// Every signed report, by month.
    pub fn signed_reports(&self) -> Result<Vec<SignedReportRecord>> {
        super::decode_all("reports", self.reports.iter())
    }

    /// Stores a signed report; `false` (nothing written) if the month is
    /// signed already: a signed report never changes.
    pub fn put_signed_report(&self, report: &SignedReportRecord) -> Result<Pending<'_, bool>> {
        let stored = self
            .reports
            .compare_and_swap(
                report.month.as_bytes(),
                None::<&[u8]>,
                Some(report.encode_to_vec()),
            )?
            .is_ok();
        Ok(if stored {
            Pending::wrote(self, true)
        } else {
            Pending::nothing(self, false)
        })
    }
}
