//! The monthly report: totals and breakdowns over the sessions that
//! started in one library-local month.

use super::model::{
    CategoryGender, Count, MonthlyReport, Problem, ReportHeader, StationUse, Totals,
};
use super::usage::{end_ms, local, minutes, ms_within_hours, opening_minutes, reason_code};
use crate::hours::OpeningHours;
use bilik_proto::store::v1::{SessionRecord, StationRecord};
use bilik_proto::v1::Gender;
use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashSet};

/// Everything a monthly report is computed from.
#[derive(Debug)]
pub struct MonthInputs<'a> {
    /// Letterhead and provenance.
    pub header: ReportHeader,
    /// First day of the month.
    pub first_day: NaiveDate,
    /// The sessions that started in the month, in start order.
    pub sessions: &'a [SessionRecord],
    /// Every enrolled station (unused ones count for utilisation).
    pub stations: &'a [StationRecord],
    /// Problems of the month.
    pub problems: Vec<Problem>,
    /// Opening hours, for utilisation.
    pub hours: &'a OpeningHours,
    /// The library's time zone.
    pub tz: Tz,
    /// Upper bounds of the age bands.
    pub age_bands: &'a [u32],
    /// Now, for sessions still open.
    pub now_ms: i64,
    /// Who generated the report.
    pub prepared_by: String,
    /// The section head in the signature block.
    pub section_head_name: String,
    /// Their NIP.
    pub section_head_nip: String,
}

/// "YYYY-MM" → the month's first day and the next month's first day.
pub fn parse_month(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
    if text.trim().len() != 7 {
        return None;
    }
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next))
}

/// Labels of the age bands: [12, 18] → "0-12", "13-18", "19+".
pub fn band_labels(bounds: &[u32]) -> Vec<String> {
    let mut labels = Vec::with_capacity(bounds.len() + 1);
    let mut low = 0;
    for &high in bounds {
        labels.push(format!("{low}-{high}"));
        low = high + 1;
    }
    labels.push(format!("{low}+"));
    labels
}

/// Index of the band an age falls in.
pub fn band_of(age: u32, bounds: &[u32]) -> usize {
    bounds
        .iter()
        .position(|&high| age <= high)
        .unwrap_or(bounds.len())
}

fn add(map: &mut BTreeMap<String, Count>, label: &str, minutes: u64) {
    let entry = map.entry(label.to_owned()).or_insert_with(|| Count {
        label: label.to_owned(),
        sessions: 0,
        minutes: 0,
    });
    entry.sessions += 1;
    entry.minutes += minutes;
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        0.0
    } else {
        (part / whole * 1000.0).round() / 10.0
    }
}

/// Computes the report.
pub fn monthly(inputs: MonthInputs<'_>) -> MonthlyReport {
    let MonthInputs {
        header,
        first_day,
        sessions,
        stations,
        problems,
        hours,
        tz,
        age_bands,
        now_ms,
        prepared_by,
        section_head_name,
        section_head_nip,
    } = inputs;
    let last_day = parse_month(&first_day.format("%Y-%m").to_string())
        .and_then(|(_, next)| next.pred_opt())
        .unwrap_or(first_day);

    let mut per_day: BTreeMap<String, Count> = BTreeMap::new();
    for day in first_day.iter_days().take_while(|d| *d <= last_day) {
        let label = day.format("%Y-%m-%d").to_string();
        per_day.insert(
            label.clone(),
            Count {
                label,
                sessions: 0,
                minutes: 0,
            },
        );
    }
    let mut hours_of_day: BTreeMap<String, Count> = (0..24)
        .map(|h| {
            let label = format!("{h:02}");
            (
                label.clone(),
                Count {
                    label,
                    sessions: 0,
                    minutes: 0,
                },
            )
        })
        .collect();
    let labels = band_labels(age_bands);
    let mut bands: Vec<Count> = labels
        .iter()
        .chain(std::iter::once(&"unknown".to_owned()))
        .map(|l| Count {
            label: l.clone(),
            sessions: 0,
            minutes: 0,
        })
        .collect();
    let mut per_station: BTreeMap<String, (u32, u64, i64)> = stations
        .iter()
        .map(|s| (s.name.clone(), (0, 0, 0)))
        .collect();
    let mut purposes = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    let mut cat_gender: BTreeMap<String, CategoryGender> = BTreeMap::new();
    let mut cards = HashSet::new();
    let (mut total_minutes, mut guests, mut in_hours_ms) = (0u64, 0u32, 0i64);

    for s in sessions {
        let m = u64::from(minutes(s, now_ms));
        total_minutes += m;
        let start = local(tz, s.started_at_ms);
        add(&mut per_day, &start.format("%Y-%m-%d").to_string(), m);
        add(&mut hours_of_day, &format!("{:02}", start.hour()), m);
        let band = if s.age_known {
            band_of(s.age_years, age_bands)
        } else {
            labels.len()
        };
        bands[band].sessions += 1;
        bands[band].minutes += m;
        add(
            &mut purposes,
            if s.purpose.is_empty() {
                "-"
            } else {
                &s.purpose
            },
            m,
        );
        add(&mut reasons, reason_code(s), m);
        let within = ms_within_hours(hours, tz, s.started_at_ms, end_ms(s, now_ms));
        in_hours_ms += within;
        let station = per_station
            .entry(s.station_name.clone())
            .or_insert((0, 0, 0));
        station.0 += 1;
        station.1 += m;
        station.2 += within;
        let category = if s.card.is_empty() {
            guests += 1;
            "Tamu".to_owned()
        } else {
            cards.insert(s.card.as_str());
            if s.category.is_empty() {
                "-".to_owned()
            } else {
                s.category.clone()
            }
        };
        let row = cat_gender
            .entry(category.clone())
            .or_insert(CategoryGender {
                category,
                male: 0,
                female: 0,
                unknown: 0,
            });
        match Gender::try_from(s.gender).unwrap_or(Gender::Unspecified) {
            Gender::Male => row.male += 1,
            Gender::Female => row.female += 1,
            Gender::Unspecified => row.unknown += 1,
        }
    }

    let opening = opening_minutes(hours, first_day, last_day);
    let station_count = u32::try_from(per_station.len()).unwrap_or(u32::MAX);
    let count = u32::try_from(sessions.len()).unwrap_or(u32::MAX);
    let mut purposes: Vec<Count> = purposes.into_values().collect();
    purposes.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.label.cmp(&b.label)));
    MonthlyReport {
        header,
        month: first_day.format("%Y-%m").to_string(),
        from_date: first_day.format("%Y-%m-%d").to_string(),
        to_date: last_day.format("%Y-%m-%d").to_string(),
        totals: Totals {
            sessions: count,
            unique_members: u32::try_from(cards.len()).unwrap_or(u32::MAX),
            guest_sessions: guests,
            minutes: total_minutes,
            hours: (total_minutes as f64 / 6.0).round() / 10.0,
            average_minutes: if count == 0 {
                0.0
            } else {
                (total_minutes as f64 / f64::from(count) * 10.0).round() / 10.0
            },
            stations: station_count,
            opening_minutes_per_station: opening,
            utilisation_percent: percent(
                in_hours_ms as f64 / 60_000.0,
                opening as f64 * f64::from(station_count),
            ),
        },
        per_day: per_day.into_values().collect(),
        per_station: per_station
            .into_iter()
            .map(|(station, (sessions, minutes, within))| StationUse {
                station,
                sessions,
                minutes,
                utilisation_percent: percent(within as f64 / 60_000.0, opening as f64),
            })
            .collect(),
        category_gender: cat_gender.into_values().collect(),
        age_bands: bands,
        purposes,
        hours: hours_of_day.into_values().collect(),
        end_reasons: reasons.into_values().collect(),
        problems,
        prepared_by,
        section_head_name,
        section_head_nip,
        signed: None,
        addendum: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn months_and_bands() {
        let (first, next) = parse_month("2026-12").unwrap();
        assert_eq!(first.to_string(), "2026-12-01");
        assert_eq!(next.to_string(), "2027-01-01");
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("2026-1").is_none());
        assert!(parse_month("garbage").is_none());
        let bounds = [12, 18, 25, 45, 59];
        assert_eq!(
            band_labels(&bounds),
            ["0-12", "13-18", "19-25", "26-45", "46-59", "60+"]
        );
        assert_eq!(band_of(18, &bounds), 1);
        assert_eq!(band_of(19, &bounds), 2);
        assert_eq!(band_of(75, &bounds), 5);
    }
}
