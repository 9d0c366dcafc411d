//! The annual report (laporan tahunan): the twelve months side by side and
//! the year as one period, summed from the monthly reports, so a signed
//! month enters with exactly the figures its section head signed. Only
//! the year's unique members cannot be summed (one patron comes in many
//! months): the caller counts them over the year's sessions.

use super::model::{CategoryGender, Count, MonthlyReport, ReportHeader, StationUse, Totals};
use serde::Serialize;

/// One month's column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthColumn {
    /// "YYYY-MM".
    pub month: String,
    /// Whether the figures are the signed, frozen ones.
    pub signed: bool,
    /// The month's totals as its report gives them.
    pub totals: Totals,
}

/// The annual report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualReport {
    /// Letterhead and provenance.
    pub header: ReportHeader,
    /// "YYYY".
    pub year: String,
    /// January to December.
    pub months: Vec<MonthColumn>,
    /// The year as one period: totals and every breakdown summed over the
    /// months (no `per_day`: the months are above).
    pub total: MonthlyReport,
}

/// Sums twelve monthly reports (January first) into the year.
/// `unique_members` is the year's count of distinct members.
pub fn annual(
    header: ReportHeader,
    year: i32,
    months: Vec<MonthlyReport>,
    unique_members: u32,
) -> AnnualReport {
    let columns = months
        .iter()
        .map(|m| MonthColumn {
            month: m.month.clone(),
            signed: m.signed.is_some(),
            totals: m.totals.clone(),
        })
        .collect();
    let mut total = MonthlyReport {
        header: header.clone(),
        month: year.to_string(),
        from_date: format!("{year}-01-01"),
        to_date: format!("{year}-12-31"),
        totals: sum_totals(months.iter().map(|m| &m.totals), unique_members),
        per_day: Vec::new(),
        per_station: sum_stations(&months),
        category_gender: sum_category_gender(&months),
        age_bands: sum_counts(months.iter().map(|m| &m.age_bands)),
        purposes: sum_counts(months.iter().map(|m| &m.purposes)),
        hours: sum_counts(months.iter().map(|m| &m.hours)),
        end_reasons: sum_counts(months.iter().map(|m| &m.end_reasons)),
        occupations: sum_counts(months.iter().map(|m| &m.occupations)),
        education: sum_counts(months.iter().map(|m| &m.education)),
        problems: months.iter().flat_map(|m| m.problems.clone()).collect(),
        prepared_by: String::new(),
        prepared_by_nip: String::new(),
        section_head_name: String::new(),
        section_head_nip: String::new(),
        signed: None,
        addendum: Vec::new(),
    };
    if let Some(last) = months.last() {
        total.prepared_by = last.prepared_by.clone();
        total.prepared_by_nip = last.prepared_by_nip.clone();
        total.section_head_name = last.section_head_name.clone();
        total.section_head_nip = last.section_head_nip.clone();
    }
    AnnualReport {
        header,
        year: year.to_string(),
        months: columns,
        total,
    }
}

/// Minutes used within opening hours, back from a utilisation percentage.
fn in_hours(percent: f64, capacity_minutes: f64) -> f64 {
    percent * capacity_minutes / 100.0
}

fn sum_totals<'a>(months: impl Iterator<Item = &'a Totals> + Clone, unique: u32) -> Totals {
    let sessions: u32 = months.clone().map(|t| t.sessions).sum();
    let minutes: u64 = months.clone().map(|t| t.minutes).sum();
    let capacity: f64 = months
        .clone()
        .map(|t| f64::from(t.stations) * t.opening_minutes_per_station as f64)
        .sum();
    let used: f64 = months
        .clone()
        .map(|t| {
            in_hours(
                t.utilisation_percent,
                f64::from(t.stations) * t.opening_minutes_per_station as f64,
            )
        })
        .sum();
    Totals {
        sessions,
        unique_members: unique,
        guest_sessions: months.clone().map(|t| t.guest_sessions).sum(),
        minutes,
        hours: round1(minutes as f64 / 60.0),
        average_minutes: if sessions == 0 {
            0.0
        } else {
            round1(minutes as f64 / f64::from(sessions))
        },
        stations: months.clone().map(|t| t.stations).max().unwrap_or(0),
        opening_minutes_per_station: months.clone().map(|t| t.opening_minutes_per_station).sum(),
        utilisation_percent: if capacity > 0.0 {
            round1(used / capacity * 100.0)
        } else {
            0.0
        },
        queued: months.clone().map(|t| t.queued).sum(),
        // A median does not add up from the months' medians: the caller
        // sets the year's from every wait of the year.
        median_wait_minutes: 0.0,
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Counts with the same label added up, in the order labels first appear.
fn sum_counts<'a>(lists: impl Iterator<Item = &'a Vec<Count>>) -> Vec<Count> {
    let mut out: Vec<Count> = Vec::new();
    for list in lists {
        for c in list {
            match out.iter_mut().find(|o| o.label == c.label) {
                Some(o) => {
                    o.sessions += c.sessions;
                    o.minutes += c.minutes;
                }
                None => out.push(c.clone()),
            }
        }
    }
    out
}

fn sum_category_gender(months: &[MonthlyReport]) -> Vec<CategoryGender> {
    let mut out: Vec<CategoryGender> = Vec::new();
    for c in months.iter().flat_map(|m| &m.category_gender) {
        match out.iter_mut().find(|o| o.category == c.category) {
            Some(o) => {
                o.male += c.male;
                o.female += c.female;
                o.unknown += c.unknown;
            }
            None => out.push(c.clone()),
        }
    }
    out
}

/// Stations summed; utilisation over the months' opening time.
fn sum_stations(months: &[MonthlyReport]) -> Vec<StationUse> {
    let mut out: Vec<(StationUse, f64, f64)> = Vec::new();
    for m in months {
        let opening = m.totals.opening_minutes_per_station as f64;
        for s in &m.per_station {
            let used = in_hours(s.utilisation_percent, opening);
            match out.iter_mut().find(|(o, ..)| o.station == s.station) {
                Some((o, u, cap)) => {
                    o.sessions += s.sessions;
                    o.minutes += s.minutes;
                    *u += used;
                    *cap += opening;
                }
                None => out.push((s.clone(), used, opening)),
            }
        }
    }
    out.into_iter()
        .map(|(mut s, used, cap)| {
            s.utilisation_percent = if cap > 0.0 {
                round1(used / cap * 100.0)
            } else {
                0.0
            };
            s
        })
        .collect()
}
