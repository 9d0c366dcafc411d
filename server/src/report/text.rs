//! The plain-text rendering of the reports: a few lines for a terminal
//! (`bilik-server report daily|monthly`), times already library-local.

use super::model::{DailyRecap, MonthlyReport};
use std::fmt::Write;

/// The daily recap: one line per session and a totals line.
pub fn daily(recap: &DailyRecap) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", recap.header.library_name, recap.date);
    for r in &recap.rows {
        let _ = writeln!(
            out,
            "{} {:>5} {:<8} {:<10} {:<24} {:<12} {:<24} {:>4} min  {}",
            r.start,
            r.end,
            r.station,
            r.card,
            r.name,
            r.category,
            r.purpose,
            r.minutes,
            r.end_reason
        );
    }
    let _ = writeln!(
        out,
        "{} sessions, {} members, {} guests, {} minutes",
        recap.total_sessions, recap.unique_members, recap.guest_sessions, recap.total_minutes
    );
    out
}

/// The monthly report: the totals, one line per station, the sign-off.
pub fn monthly(r: &MonthlyReport) -> String {
    let mut out = String::new();
    let t = &r.totals;
    let _ = writeln!(out, "{} — {}", r.header.library_name, r.month);
    let _ = writeln!(
        out,
        "{} sessions, {} members, {} guest sessions, {:.1} hours, {:.1} min average, {:.1}% utilisation of {} stations",
        t.sessions,
        t.unique_members,
        t.guest_sessions,
        t.hours,
        t.average_minutes,
        t.utilisation_percent,
        t.stations
    );
    let _ = writeln!(
        out,
        "{} patrons queued, median wait {:.1} min",
        t.queued, t.median_wait_minutes
    );
    for st in &r.per_station {
        let _ = writeln!(
            out,
            "  {:<10} {:>5} sessions {:>7} min {:>5.1}%",
            st.station, st.sessions, st.minutes, st.utilisation_percent
        );
    }
    if let Some(signed) = &r.signed {
        let _ = writeln!(out, "signed by {} on {}", signed.name, signed.signed_at);
    }
    if !r.addendum.is_empty() {
        let _ = writeln!(
            out,
            "addendum: {} sessions arrived after signing",
            r.addendum.len()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::report::fixtures;

    #[test]
    fn the_daily_text_has_a_line_per_session_and_the_totals() {
        let recap = fixtures::daily_fixture();
        let text = super::daily(&recap);
        assert_eq!(text.lines().count(), recap.rows.len() + 2);
        assert!(text.contains(&format!("{} sessions", recap.total_sessions)));
    }

    #[test]
    fn the_monthly_text_has_a_line_per_station() {
        let report = fixtures::fixture();
        let text = super::monthly(&report);
        assert!(text.lines().count() >= report.per_station.len() + 2);
    }
}
