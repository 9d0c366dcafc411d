//! The annual report: twelve monthly reports (the signed, frozen ones where
//! a month is signed) summed by [`crate::report::annual`], and the year's
//! unique members and the median wait counted over its sessions and the
//! queue's log.

use super::{App, Error, Result, StaffIdentity};
use super::{Fault, said};
use crate::report::annual::{self, AnnualReport};
use bilik_proto::catalog::web as t;

impl App {
    /// The annual report of `year` ("YYYY").
    pub fn annual_report(&self, by: &StaffIdentity, year: &str) -> Result<AnnualReport> {
        let year: i32 = year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2200).contains(y))
            .ok_or_else(|| said(Fault::Invalid, t::FAULT_NOT_A_YEAR))?;
        let months = (1..=12)
            .map(|m| self.monthly_report(by, &format!("{year:04}-{m:02}")))
            .collect::<Result<Vec<_>>>()?;
        let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
            .ok_or_else(|| said(Fault::Invalid, t::FAULT_NOT_A_YEAR))?;
        let next = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(first);
        let mut cards = Vec::new();
        self.store().for_each_session_between(
            self.day_start_ms(first),
            self.day_start_ms(next),
            |s| {
                if !s.card.is_empty() {
                    cards.push(s.card.clone());
                }
            },
        )?;
        let unique = crate::privacy::unique_members(
            cards.iter().map(String::as_str),
            self.pseudonym_key_if_any()?.as_ref(),
        );
        let mut report = annual::annual(
            self.report_header(),
            year,
            months,
            u32::try_from(unique).unwrap_or(u32::MAX),
        );
        let (_, median) = self.queue_waits(self.day_start_ms(first), self.day_start_ms(next))?;
        report.total.totals.median_wait_minutes = median;
        Ok(report)
    }
}

impl App {
    /// The annual report as a file: PDF, XLSX, CSV (Excel reads it), or
    /// JSON (the model), the same figures in each.
    pub fn export_annual(
        &self,
        by: &StaffIdentity,
        year: &str,
        format: bilik_proto::v1::ReportFormat,
        lang: bilik_proto::catalog::Lang,
    ) -> Result<bilik_proto::v1::ReportFile> {
        use bilik_proto::v1::ReportFormat;
        let report = self.annual_report(by, year)?;
        let (content, content_type, ext) = match format {
            ReportFormat::Csv => (
                crate::report::csv::annual(&report, lang),
                "text/csv; charset=utf-8",
                "csv",
            ),
            ReportFormat::Json | ReportFormat::Unspecified => (
                serde_json::to_vec_pretty(&report)
                    .map_err(|e| Error::FailedPrecondition(format!("report: {e}")))?,
                "application/json",
                "json",
            ),
            ReportFormat::Pdf => (
                crate::report::pdf::annual(&report, lang)
                    .map_err(|e| Error::FailedPrecondition(format!("report: {e}")))?,
                "application/pdf",
                "pdf",
            ),
            ReportFormat::Xlsx => (
                crate::report::xlsx::annual(&report, lang)
                    .map_err(|e| Error::FailedPrecondition(format!("report: {e}")))?,
                super::reports::XLSX,
                "xlsx",
            ),
            _ => {
                return Err(Error::InvalidArgument(
                    "format: the annual report is made as pdf, xlsx, csv or json".into(),
                ));
            }
        };
        Ok(bilik_proto::v1::ReportFile {
            content,
            content_type: content_type.to_owned(),
            file_name: format!("laporan-tahunan-{}.{ext}", report.year),
            signed: None,
        })
    }
}
