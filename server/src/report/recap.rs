//! The daily recap: every session that started on one library-local day.

use super::model::{DailyRecap, ReportHeader};
use super::usage::recap_row;
use bilik_proto::store::v1::SessionRecord;
use chrono::NaiveDate;
use chrono_tz::Tz;

/// Builds the recap of `date` from the sessions that started on it.
pub fn daily(
    header: ReportHeader,
    date: NaiveDate,
    sessions: &[SessionRecord],
    tz: Tz,
    now_ms: i64,
    pseudonym_key: Option<&[u8; 32]>,
) -> DailyRecap {
    let rows: Vec<_> = sessions.iter().map(|s| recap_row(s, tz, now_ms)).collect();
    let unique = crate::privacy::unique_members(
        sessions
            .iter()
            .filter(|s| !s.card.is_empty())
            .map(|s| s.card.as_str()),
        pseudonym_key,
    );
    DailyRecap {
        header,
        date: date.format("%Y-%m-%d").to_string(),
        total_sessions: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        unique_members: u32::try_from(unique).unwrap_or(u32::MAX),
        guest_sessions: u32::try_from(sessions.iter().filter(|s| s.card.is_empty()).count())
            .unwrap_or(u32::MAX),
        total_minutes: rows.iter().map(|r| u64::from(r.minutes)).sum(),
        rows,
    }
}
