//! How one session counts in a report: its minutes, its local times, the
//! part of it that fell within opening hours. Shared by the daily recap and
//! the monthly report so both count the same way.

use super::model::RecapRow;
use crate::hours::OpeningHours;
use bilik_proto::store::v1::SessionRecord;
use bilik_proto::v1::{EndReason, Gender};
use chrono::{Datelike, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// A UTC instant as library-local date and time.
pub fn local(tz: Tz, ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .naive_local()
}

/// UTC ms of a library-local date and time (the earliest, across DST changes).
pub fn utc_ms(tz: Tz, local: NaiveDateTime) -> i64 {
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| local.and_utc().timestamp_millis())
}

/// When a session stopped counting: its end, or for an open session the
/// earlier of now and its lease end.
pub fn end_ms(s: &SessionRecord, now_ms: i64) -> i64 {
    if s.ended_at_ms != 0 {
        s.ended_at_ms
    } else {
        now_ms.min(s.ends_at_ms)
    }
    .max(s.started_at_ms)
}

/// Minutes used, rounded up (a started minute counts).
pub fn minutes(s: &SessionRecord, now_ms: i64) -> u32 {
    let ms = end_ms(s, now_ms) - s.started_at_ms;
    u32::try_from((ms + 59_999) / 60_000).unwrap_or(u32::MAX)
}

/// The end reason as a stable code ("open" while the session runs).
pub fn reason_code(s: &SessionRecord) -> &'static str {
    if s.ended_at_ms == 0 {
        return "open";
    }
    match EndReason::try_from(s.end_reason).unwrap_or(EndReason::Unspecified) {
        EndReason::Logout => "logout",
        EndReason::TimeUp => "time_up",
        EndReason::Librarian => "librarian",
        EndReason::StationRestarted => "station_restarted",
        EndReason::Maintenance => "maintenance",
        EndReason::Unspecified => "unknown",
    }
}

/// "L" (laki-laki), "P" (perempuan) or "".
pub fn gender_code(s: &SessionRecord) -> &'static str {
    match Gender::try_from(s.gender).unwrap_or(Gender::Unspecified) {
        Gender::Male => "L",
        Gender::Female => "P",
        Gender::Unspecified => "",
    }
}

/// A session as a line of the usage book.
pub fn recap_row(s: &SessionRecord, tz: Tz, now_ms: i64) -> RecapRow {
    let start = local(tz, s.started_at_ms);
    let name = if s.card.is_empty() && !s.guest_note.is_empty() {
        format!("{} ({})", s.patron_name, s.guest_note)
    } else {
        s.patron_name.clone()
    };
    RecapRow {
        session_id: s.session_id.clone(),
        date: start.format("%Y-%m-%d").to_string(),
        start: start.format("%H:%M").to_string(),
        end: if s.ended_at_ms == 0 {
            String::new()
        } else {
            local(tz, s.ended_at_ms).format("%H:%M").to_string()
        },
        station: s.station_name.clone(),
        card: s.card.clone(),
        name,
        category: s.category.clone(),
        gender: gender_code(s).to_owned(),
        purpose: s.purpose.clone(),
        minutes: minutes(s, now_ms),
        end_reason: reason_code(s).to_owned(),
        // A patron's own login needs the current rules ticked; a
        // librarian's unlock records the version but nobody ticked it.
        rules: if s.unlocked_by.is_empty() {
            s.rules_version.clone()
        } else {
            String::new()
        },
    }
}

/// The opening hours of a span of days as UTC intervals, sorted, so the
/// part of a session within opening hours is a binary search away.
#[derive(Debug, Clone)]
pub struct OpenIntervals {
    /// `[open, close)` in UTC ms, sorted and disjoint.
    intervals: Vec<(i64, i64)>,
}

impl OpenIntervals {
    /// The intervals of the days `[first, last]` (inclusive).
    pub fn new(
        hours: &OpeningHours,
        tz: Tz,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> OpenIntervals {
        let mut intervals = Vec::new();
        for day in first.iter_days().take_while(|d| *d <= last) {
            let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            for range in hours.ranges(day.weekday()) {
                let at = |minute: u32| {
                    utc_ms(tz, midnight + chrono::Duration::minutes(i64::from(minute)))
                };
                intervals.push((at(range.start), at(range.end)));
            }
        }
        OpenIntervals { intervals }
    }

    /// Milliseconds of `[from_ms, to_ms)` within the intervals.
    pub fn overlap_ms(&self, from_ms: i64, to_ms: i64) -> i64 {
        let first = self
            .intervals
            .partition_point(|&(_, close)| close <= from_ms);
        self.intervals[first..]
            .iter()
            .take_while(|&&(open, _)| open < to_ms)
            .map(|&(open, close)| (to_ms.min(close) - from_ms.max(open)).max(0))
            .sum()
    }
}

/// Opening minutes of the days `[first, last]` (inclusive).
pub fn opening_minutes(
    hours: &OpeningHours,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> u64 {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| {
            hours
                .ranges(d.weekday())
                .iter()
                .map(|r| u64::from(r.end - r.start))
                .sum::<u64>()
        })
        .sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use chrono::{NaiveDate, Weekday};

    /// UTC ms of a library-local date and time.
    pub(crate) fn ms(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        utc_ms(
            tz,
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
        )
    }

    #[test]
    fn time_within_opening_hours() {
        let tz = chrono_tz::Asia::Makassar;
        let mut hours = OpeningHours::always_open();
        hours.set_day(Weekday::Wed, "08:00-16:00").unwrap();
        hours.set_day(Weekday::Thu, "08:00-16:00").unwrap();
        let first = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let open = OpenIntervals::new(&hours, tz, first, first.succ_opt().unwrap());
        // 15:30-16:30 Wednesday: 30 minutes inside.
        let inside = open.overlap_ms(ms(tz, 2026, 11, 25, 15, 30), ms(tz, 2026, 11, 25, 16, 30));
        assert_eq!(inside, 30 * 60_000);
        // Across midnight Wed->Thu, outside hours entirely.
        let night = open.overlap_ms(ms(tz, 2026, 11, 25, 23, 30), ms(tz, 2026, 11, 26, 0, 30));
        assert_eq!(night, 0);
        // 15:00 Wednesday to 09:00 Thursday: 60 + 60 minutes.
        let long = open.overlap_ms(ms(tz, 2026, 11, 25, 15, 0), ms(tz, 2026, 11, 26, 9, 0));
        assert_eq!(long, 120 * 60_000);
        assert_eq!(opening_minutes(&hours, first, first), 480);
    }
}
