//! Reports: the daily recap, the monthly report and its sign-off by the
//! head of the service section.

use super::{App, Error, Result, StaffIdentity};
use super::{Fault, said, said_with};
use crate::policy::parse_date;
use crate::report::model::{DailyRecap, MonthlyReport, Problem, ReportHeader, SignOff};
use crate::report::monthly::{MonthInputs, MonthTally, parse_month};
use crate::report::usage::{local, recap_row};
use crate::report::{recap, signing};
use crate::store::StoreError;
use bilik_proto::catalog::Lang;
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::QueueOutcome;
use bilik_proto::store::v1::SignedReportRecord;
use bilik_proto::v1::{ReportFile, ReportFormat, Role, SignedReportInfo, agent_event};
use std::collections::HashSet;

/// `meta` key of the server's Ed25519 secret key.
const SIGNING_KEY: &str = "report_signing_key";

impl App {
    pub(super) fn report_header(&self) -> ReportHeader {
        let now = self.now_ms();
        ReportHeader {
            library_name: self.config().library_name.clone(),
            letterhead: self.config().letterhead.clone(),
            time_zone: self.config().time_zone.name().to_owned(),
            generated_at_ms: now,
            generated_at_local: self.local(now).format("%Y-%m-%d %H:%M").to_string(),
            place: self.config().library_place.clone(),
        }
    }

    /// The name and NIP a staff account signs with (its display name, or
    /// the username when it has none); `None` for no such account.
    fn staff_signature(&self, username: &str) -> Result<Option<(String, String)>> {
        Ok(self.store().staff(username)?.map(|s| {
            let name = if s.display_name.is_empty() {
                s.username
            } else {
                s.display_name
            };
            (name, s.nip)
        }))
    }

    /// The daily recap of a library-local date (empty: today).
    pub fn daily_recap(&self, date: &str) -> Result<DailyRecap> {
        let day = match date.trim() {
            "" => self.today(),
            text => parse_date(text).ok_or_else(|| super::not_a_date("date"))?,
        };
        let next = day.succ_opt().unwrap_or(day);
        let sessions = self
            .store()
            .sessions_between(self.day_start_ms(day), self.day_start_ms(next))?;
        Ok(recap::daily(
            self.report_header(),
            day,
            &sessions,
            self.config().time_zone,
            self.now_ms(),
            self.pseudonym_key_if_any()?.as_ref(),
        ))
    }

    /// The monthly report ("YYYY-MM"). A signed month is its frozen
    /// snapshot, plus an addendum of sessions that reached the server later.
    pub fn monthly_report(&self, by: &StaffIdentity, month: &str) -> Result<MonthlyReport> {
        let (first, next) =
            parse_month(month).ok_or_else(|| said(Fault::Invalid, t::FAULT_NOT_A_MONTH))?;
        let (from_ms, to_ms) = (self.day_start_ms(first), self.day_start_ms(next));
        if let Some(signed) = self
            .store()
            .signed_report(&first.format("%Y-%m").to_string())?
        {
            let mut report: MonthlyReport =
                serde_json::from_slice(&signed.snapshot_json).map_err(|e| {
                    Error::FailedPrecondition(format!("the signed snapshot cannot be read: {e}"))
                })?;
            let counted: HashSet<&str> = signed.session_ids.iter().map(String::as_str).collect();
            let (tz, now) = (self.config().time_zone, self.now_ms());
            let mut addendum = Vec::new();
            self.store().for_each_session_between(from_ms, to_ms, |s| {
                if !counted.contains(s.session_id.as_str()) {
                    addendum.push(recap_row(s, tz, now));
                }
            })?;
            report.addendum = addendum;
            return Ok(report);
        }
        Ok(self.count_month(by, first, next, false)?.0)
    }

    /// Counts a month's sessions into a fresh report, on every core the
    /// machine has (up to four); with `keep_ids`, also the ids of the
    /// sessions counted (signing keeps them: exactly these are in the frozen
    /// report, and any session that arrives later goes to the addendum).
    fn count_month(
        &self,
        by: &StaffIdentity,
        first: chrono::NaiveDate,
        next: chrono::NaiveDate,
        keep_ids: bool,
    ) -> Result<(MonthlyReport, Vec<String>)> {
        let (from_ms, to_ms) = (self.day_start_ms(first), self.day_start_ms(next));
        // The stations as of that month: one enrolled later is not in it.
        let mut stations = self.store().stations()?;
        stations.retain(|s| s.enrolled_at_ms < to_ms);
        let mut problems = Vec::new();
        for station in &stations {
            for event in self.store().station_events(&station.station_id)? {
                if event.at_ms < from_ms || event.at_ms >= to_ms {
                    continue;
                }
                let (kind, detail) = match &event.kind {
                    Some(agent_event::Kind::HookFailed(h)) => (
                        "hook_failed",
                        format!(
                            "{} (exit {}{})",
                            h.hook,
                            h.exit_code,
                            if h.timed_out { ", timed out" } else { "" }
                        ),
                    ),
                    Some(agent_event::Kind::Tamper(t)) => ("tamper", t.detail.clone()),
                    _ => continue,
                };
                problems.push(Problem {
                    at: local(self.config().time_zone, event.at_ms)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    station: station.name.clone(),
                    kind: kind.to_owned(),
                    detail,
                });
            }
        }
        for incident in self.store().incidents_between(from_ms, to_ms)? {
            let resolution = if incident.resolved_at_ms == 0 {
                String::new()
            } else {
                format!(" → {}", incident.resolution)
            };
            problems.push(Problem {
                at: local(self.config().time_zone, incident.opened_at_ms)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                station: incident.station_name.clone(),
                kind: if incident.watch_site.is_empty() {
                    "incident"
                } else {
                    "outage"
                }
                .to_owned(),
                detail: format!("{}{resolution}", incident.text),
            });
        }
        problems.sort_by(|a, b| a.at.cmp(&b.at));
        let tally = MonthTally::new(
            MonthInputs {
                header: self.report_header(),
                first_day: first,
                stations: &stations,
                problems,
                hours: &self.config().hours,
                tz: self.config().time_zone,
                age_bands: &self.config().age_bands,
                now_ms: self.now_ms(),
                prepared_by: String::new(),
                section_head_name: self.config().section_head_name.clone(),
                section_head_nip: self.config().section_head_nip.clone(),
                pseudonym_key: self.pseudonym_key_if_any()?,
            },
            from_ms,
            to_ms,
        );
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let parts = self.store().fold_sessions_between(
            from_ms,
            to_ms,
            threads,
            || (tally.counts(), Vec::new()),
            |(counts, ids), s| {
                tally.add(counts, s);
                if keep_ids {
                    ids.push(s.session_id.clone());
                }
            },
        )?;
        let mut counts = tally.counts();
        let mut session_ids = Vec::new();
        for (part, ids) in parts {
            counts.merge(part);
            session_ids.extend(ids);
        }
        let mut report = tally.finish(counts);
        (report.totals.queued, report.totals.median_wait_minutes) =
            self.queue_waits(from_ms, to_ms)?;
        let (name, nip) = self
            .staff_signature(&by.username)?
            .unwrap_or_else(|| (by.username.clone(), String::new()));
        report.prepared_by = name;
        report.prepared_by_nip = nip;
        Ok((report, session_ids))
    }

    /// Waits that ended in `[from_ms, to_ms)`: how many, and the median
    /// minutes of those served (a patron who logged in), from the queue's
    /// log (a median does not add up from months: a year reads every wait).
    pub(super) fn queue_waits(&self, from_ms: i64, to_ms: i64) -> Result<(u32, f64)> {
        let waits = self.store().queue_waits_between(from_ms, to_ms)?;
        let median = crate::report::monthly::median_minutes(
            waits
                .iter()
                .filter(|w| w.outcome == QueueOutcome::Served as i32)
                .map(|w| (w.ended_at_ms - w.joined_at_ms).max(0) as f64 / 60_000.0)
                .collect(),
        );
        Ok((u32::try_from(waits.len()).unwrap_or(u32::MAX), median))
    }

    /// Makes the server's report-signing secret, and the audit key beside
    /// it, if the store has none (at `init` and at every start, before
    /// anything is served), durably.
    /// A stored key that is malformed is an error, never replaced: reports
    /// signed with it could no longer be verified.
    pub async fn ensure_signing_key(&self) -> Result<()> {
        if self.store().meta(SIGNING_KEY)?.is_none() {
            let key = signing::new_key()
                .map_err(|e| Error::FailedPrecondition(format!("no randomness: {e}")))?;
            // Two first starts racing: the first key stored wins.
            self.store()
                .create_meta(SIGNING_KEY, &key)?
                .durable()
                .await?;
        }
        self.signing_key()?;
        self.ensure_audit_key().await
    }

    /// The server's report-signing secret (made by [`App::ensure_signing_key`]).
    fn signing_key(&self) -> Result<[u8; 32]> {
        let bytes = self.store().meta(SIGNING_KEY)?.ok_or_else(|| {
            Error::FailedPrecondition("the server has no report signing key yet".into())
        })?;
        <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| Error::Store(StoreError::Malformed("report signing key")))
    }

    /// The public key that verifies signed reports, hex.
    pub fn report_public_key(&self) -> Result<String> {
        Ok(signing::public_key_hex(&self.signing_key()?))
    }

    /// Whether `by` may sign `month` now, and if not why: the rule the
    /// dashboard's Sign button and the sign-off itself both follow. Returns
    /// the month's first day, the next month's first day and "YYYY-MM".
    fn signable(
        &self,
        by: &StaffIdentity,
        month: &str,
    ) -> Result<(chrono::NaiveDate, chrono::NaiveDate, String)> {
        if by.role != Role::SectionHead {
            return Err(Error::PermissionDenied(format!(
                "{} is a {}; only the head of the service section signs reports",
                by.username,
                by.role.as_str_name()
            )));
        }
        let (first, next) =
            parse_month(month).ok_or_else(|| said(Fault::Invalid, t::FAULT_NOT_A_MONTH))?;
        let month = first.format("%Y-%m").to_string();
        if self.today() < next {
            return Err(said_with(Fault::NotNow, t::FAULT_MONTH_NOT_ENDED, month));
        }
        if self.store().signed_report(&month)?.is_some() {
            return Err(said_with(Fault::Exists, t::FAULT_MONTH_SIGNED, month));
        }
        Ok((first, next, month))
    }

    /// Why `by` may not sign `month` now, as the sign-off would say it
    /// (`Ok` when they may: a section head, an ended month, not signed
    /// yet). The dashboard offers the Sign button only then.
    pub fn check_may_sign(&self, by: &StaffIdentity, month: &str) -> Result<()> {
        self.signable(by, month).map(|_| ())
    }

    /// The staff accounts that can be named as the report's preparer on
    /// the sign-off: (username, name), by name.
    pub fn preparers(&self) -> Result<Vec<(String, String)>> {
        let mut all: Vec<(String, String)> = self
            .store()
            .all_staff()?
            .into_iter()
            .filter(|s| !s.disabled)
            .map(|s| {
                let name = if s.display_name.is_empty() {
                    s.username.clone()
                } else {
                    s.display_name
                };
                (s.username, name)
            })
            .collect();
        all.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(all)
    }

    /// The SHA-256 (hex) of a signed month's frozen contents, printed on
    /// its PDF with a QR code: a paper copy is matched against the server
    /// by it. `None` while the month is not signed.
    pub fn signed_fingerprint(&self, month: &str) -> Result<Option<String>> {
        Ok(self
            .store()
            .signed_report(month)?
            .map(|r| signing::fingerprint(&r.snapshot_json)))
    }

    /// Signs a month (section heads only; only a month that has ended).
    /// The report is frozen: a snapshot, the signed PDF, its SHA-256 and
    /// the Ed25519 signature are stored and never change. `prepared_by` is
    /// the username of the staff member who prepared it, named on the PDF
    /// beside the signer (empty: a blank line, filled in by hand).
    pub async fn sign_monthly_report(
        &self,
        by: &StaffIdentity,
        month: &str,
        prepared_by: &str,
    ) -> Result<SignedReportInfo> {
        let (first, next, month) = self.signable(by, month)?;
        let preparer = match prepared_by.trim() {
            "" => (String::new(), String::new()),
            user => self.staff_signature(user)?.ok_or_else(|| {
                Error::InvalidArgument("prepared_by: no such staff account".into())
            })?,
        };
        let who = by.clone();
        let (mut report, session_ids) = self
            .off_runtime(move |app| app.count_month(&who, first, next, true))
            .await?;
        report.prepared_by = preparer.0;
        report.prepared_by_nip = preparer.1;
        let (name, nip) = self
            .staff_signature(&by.username)?
            .unwrap_or_else(|| (by.username.clone(), String::new()));
        let now = self.now_ms();
        // The audit chain head at the month's end goes into what is signed.
        let head = self
            .store()
            .audit_head_before(self.day_start_ms(next))?
            .unwrap_or(crate::store::ChainMark {
                seq: 0,
                mac: String::new(),
            });
        report.section_head_name = name.clone();
        report.section_head_nip = nip.clone();
        report.signed = Some(SignOff {
            username: by.username.clone(),
            name,
            nip,
            signed_at: self.local(now).format("%Y-%m-%d %H:%M").to_string(),
            audit_seq: head.seq,
            audit_mac: head.mac.clone(),
        });
        let snapshot_json =
            serde_json::to_vec(&report).map_err(|e| Error::FailedPrecondition(e.to_string()))?;
        let fingerprint = signing::fingerprint(&snapshot_json);
        let pdf = crate::report::pdf::monthly(&report, Lang::Id, Some(&fingerprint))
            .map_err(|e| Error::FailedPrecondition(e.to_string()))?;
        let (signed_pdf, sha256, signature) = signing::sign(
            &pdf,
            &month,
            &by.username,
            (head.seq > 0).then_some((head.seq, head.mac.as_str())),
            &self.signing_key()?,
        );
        let record = SignedReportRecord {
            month: month.clone(),
            snapshot_json,
            pdf: signed_pdf,
            sha256: sha256.clone(),
            signature,
            signer: by.username.clone(),
            signed_at_ms: now,
            session_ids,
            audit_seq: head.seq,
            audit_mac: head.mac,
        };
        if !self.store().put_signed_report(&record)?.durable().await? {
            return Err(said_with(Fault::Exists, t::FAULT_MONTH_SIGNED, month));
        }
        self.audit(
            &by.username,
            "report.sign",
            &month,
            &format!("sha256 {sha256}"),
        )
        .await;
        tracing::info!(by = %by.username, %month, "monthly report signed");
        Ok(SignedReportInfo {
            month,
            sha256,
            signer: by.username.clone(),
            signed_at_ms: now,
            public_key: self.report_public_key()?,
            addendum_sessions: 0,
        })
    }

    /// A report rendered in a format.
    pub fn export_daily(&self, date: &str, format: ReportFormat, lang: Lang) -> Result<ReportFile> {
        use crate::report::{csv, pdf, text, xlsx};
        let recap = self.daily_recap(date)?;
        let name = format!("rekap-harian-{}", recap.date);
        let failed =
            |e: crate::report::export_error::ExportError| Error::FailedPrecondition(e.to_string());
        let (content, content_type, ext) = match format {
            ReportFormat::Unspecified | ReportFormat::Json => {
                (json(&recap)?, "application/json", "json")
            }
            ReportFormat::Csv => (csv::daily(&recap, lang), "text/csv; charset=utf-8", "csv"),
            ReportFormat::Text => (text::daily(&recap).into_bytes(), TEXT, "txt"),
            ReportFormat::Xlsx => (xlsx::daily(&recap, lang).map_err(failed)?, XLSX, "xlsx"),
            ReportFormat::Pdf => (
                pdf::daily(&recap, lang).map_err(failed)?,
                "application/pdf",
                "pdf",
            ),
        };
        Ok(ReportFile {
            content,
            content_type: content_type.to_owned(),
            file_name: format!("{name}.{ext}"),
            signed: None,
        })
    }

    /// The monthly report rendered in a format. For a signed month the PDF
    /// is the signed file itself, byte for byte.
    pub fn export_monthly(
        &self,
        by: &StaffIdentity,
        month: &str,
        format: ReportFormat,
        lang: Lang,
    ) -> Result<ReportFile> {
        use crate::report::{csv, pdf, text, xlsx};
        let report = self.monthly_report(by, month)?;
        let signed = self.store().signed_report(&report.month)?;
        let info = match &signed {
            Some(s) => Some(SignedReportInfo {
                month: s.month.clone(),
                sha256: s.sha256.clone(),
                signer: s.signer.clone(),
                signed_at_ms: s.signed_at_ms,
                public_key: self.report_public_key()?,
                addendum_sessions: u32::try_from(report.addendum.len()).unwrap_or(u32::MAX),
            }),
            None => None,
        };
        let name = format!("laporan-bulanan-{}", report.month);
        let failed =
            |e: crate::report::export_error::ExportError| Error::FailedPrecondition(e.to_string());
        let (content, content_type, ext) = match format {
            ReportFormat::Unspecified | ReportFormat::Json => {
                (json(&report)?, "application/json", "json")
            }
            ReportFormat::Csv => (
                csv::monthly(&report, lang),
                "text/csv; charset=utf-8",
                "csv",
            ),
            ReportFormat::Text => (text::monthly(&report).into_bytes(), TEXT, "txt"),
            ReportFormat::Xlsx => (xlsx::monthly(&report, lang).map_err(failed)?, XLSX, "xlsx"),
            ReportFormat::Pdf => match signed {
                Some(s) => (s.pdf, "application/pdf", "pdf"),
                None => (
                    pdf::monthly(&report, lang, None).map_err(failed)?,
                    "application/pdf",
                    "pdf",
                ),
            },
        };
        Ok(ReportFile {
            content,
            content_type: content_type.to_owned(),
            file_name: format!("{name}.{ext}"),
            signed: info,
        })
    }
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const TEXT: &str = "text/plain; charset=utf-8";

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::FailedPrecondition(e.to_string()))
}
