//! The monthly report: totals and breakdowns over the sessions that
//! started in one library-local month. Sessions are folded in one at a time
//! ([`MonthTally::add`]) while the store scans the month, so memory stays
//! flat however many sessions the month has.

use super::model::{
    CategoryGender, Count, MonthlyReport, Problem, ReportHeader, StationUse, Totals,
};
use super::usage::{OpenIntervals, end_ms, local, minutes, opening_minutes, reason_code};
use crate::hours::OpeningHours;
use bilik_proto::store::v1::{SessionRecord, StationRecord};
use bilik_proto::v1::Gender;
use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashSet};

/// What the report is about and who makes it (everything but the sessions).
#[derive(Debug)]
pub struct MonthInputs<'a> {
    /// Letterhead and provenance.
    pub header: ReportHeader,
    /// First day of the month.
    pub first_day: NaiveDate,
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

fn count(label: String) -> Count {
    Count {
        label,
        sessions: 0,
        minutes: 0,
    }
}

fn add(map: &mut BTreeMap<String, Count>, label: &str, minutes: u64) {
    let entry = match map.get_mut(label) {
        Some(e) => e,
        None => map
            .entry(label.to_owned())
            .or_insert_with(|| count(label.to_owned())),
    };
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

/// Per station: sessions, minutes, ms within opening hours.
type StationTally = (u32, u64, i64);

/// The report being counted, one session at a time.
#[derive(Debug)]
pub struct MonthTally<'a> {
    /// The fixed inputs.
    inputs: MonthInputs<'a>,
    /// The month's last day.
    last_day: NaiveDate,
    /// Opening hours of the month (and a day after, for sessions past midnight).
    open: OpenIntervals,
    /// Index 0 is the first day of the month.
    per_day: Vec<Count>,
    /// Index is the local start hour.
    hours: Vec<Count>,
    /// One per band, then "unknown".
    bands: Vec<Count>,
    /// By station name.
    stations: BTreeMap<String, StationTally>,
    /// By purpose.
    purposes: BTreeMap<String, Count>,
    /// By end reason code.
    reasons: BTreeMap<String, Count>,
    /// By category.
    category_gender: BTreeMap<String, CategoryGender>,
    /// Distinct cards.
    cards: HashSet<String>,
    /// Sessions counted.
    sessions: u32,
    /// Guest sessions counted.
    guests: u32,
    /// Minutes counted.
    minutes: u64,
    /// Milliseconds within opening hours.
    in_hours_ms: i64,
}

impl<'a> MonthTally<'a> {
    /// An empty tally for the month of `inputs.first_day`.
    pub fn new(inputs: MonthInputs<'a>) -> MonthTally<'a> {
        let first = inputs.first_day;
        let last_day = parse_month(&first.format("%Y-%m").to_string())
            .and_then(|(_, next)| next.pred_opt())
            .unwrap_or(first);
        let after = last_day.succ_opt().unwrap_or(last_day);
        let open = OpenIntervals::new(inputs.hours, inputs.tz, first, after);
        let per_day = first
            .iter_days()
            .take_while(|d| *d <= last_day)
            .map(|d| count(d.format("%Y-%m-%d").to_string()))
            .collect();
        let mut bands: Vec<Count> = band_labels(inputs.age_bands)
            .into_iter()
            .map(count)
            .collect();
        bands.push(count("unknown".to_owned()));
        let stations = inputs
            .stations
            .iter()
            .map(|s| (s.name.clone(), (0, 0, 0)))
            .collect();
        MonthTally {
            last_day,
            open,
            per_day,
            hours: (0..24).map(|h| count(format!("{h:02}"))).collect(),
            bands,
            stations,
            purposes: BTreeMap::new(),
            reasons: BTreeMap::new(),
            category_gender: BTreeMap::new(),
            cards: HashSet::new(),
            sessions: 0,
            guests: 0,
            minutes: 0,
            in_hours_ms: 0,
            inputs,
        }
    }

    /// Counts one session that started in the month.
    pub fn add(&mut self, s: &SessionRecord) {
        let now = self.inputs.now_ms;
        let m = u64::from(minutes(s, now));
        self.sessions += 1;
        self.minutes += m;
        let start = local(self.inputs.tz, s.started_at_ms);
        let day = usize::try_from(
            start
                .date()
                .signed_duration_since(self.inputs.first_day)
                .num_days(),
        )
        .unwrap_or(usize::MAX);
        if let Some(c) = self.per_day.get_mut(day) {
            c.sessions += 1;
            c.minutes += m;
        }
        let hour = &mut self.hours[start.hour() as usize];
        hour.sessions += 1;
        hour.minutes += m;
        let band = if s.age_known {
            band_of(s.age_years, self.inputs.age_bands)
        } else {
            self.bands.len() - 1
        };
        self.bands[band].sessions += 1;
        self.bands[band].minutes += m;
        add(
            &mut self.purposes,
            if s.purpose.is_empty() {
                "-"
            } else {
                &s.purpose
            },
            m,
        );
        add(&mut self.reasons, reason_code(s), m);
        let within = self.open.overlap_ms(s.started_at_ms, end_ms(s, now));
        self.in_hours_ms += within;
        let station = match self.stations.get_mut(&s.station_name) {
            Some(t) => t,
            None => self
                .stations
                .entry(s.station_name.clone())
                .or_insert((0, 0, 0)),
        };
        station.0 += 1;
        station.1 += m;
        station.2 += within;
        let category = if s.card.is_empty() {
            self.guests += 1;
            "Tamu"
        } else {
            if !self.cards.contains(&s.card) {
                self.cards.insert(s.card.clone());
            }
            if s.category.is_empty() {
                "-"
            } else {
                &s.category
            }
        };
        let row = match self.category_gender.get_mut(category) {
            Some(r) => r,
            None => self
                .category_gender
                .entry(category.to_owned())
                .or_insert(CategoryGender {
                    category: category.to_owned(),
                    male: 0,
                    female: 0,
                    unknown: 0,
                }),
        };
        match Gender::try_from(s.gender).unwrap_or(Gender::Unspecified) {
            Gender::Male => row.male += 1,
            Gender::Female => row.female += 1,
            Gender::Unspecified => row.unknown += 1,
        }
    }

    /// The finished report.
    pub fn finish(self) -> MonthlyReport {
        let first_day = self.inputs.first_day;
        let opening = opening_minutes(self.inputs.hours, first_day, self.last_day);
        let station_count = u32::try_from(self.stations.len()).unwrap_or(u32::MAX);
        let mut purposes: Vec<Count> = self.purposes.into_values().collect();
        purposes.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.label.cmp(&b.label)));
        let (count, total) = (self.sessions, self.minutes);
        MonthlyReport {
            header: self.inputs.header,
            month: first_day.format("%Y-%m").to_string(),
            from_date: first_day.format("%Y-%m-%d").to_string(),
            to_date: self.last_day.format("%Y-%m-%d").to_string(),
            totals: Totals {
                sessions: count,
                unique_members: u32::try_from(self.cards.len()).unwrap_or(u32::MAX),
                guest_sessions: self.guests,
                minutes: total,
                hours: (total as f64 / 6.0).round() / 10.0,
                average_minutes: if count == 0 {
                    0.0
                } else {
                    (total as f64 / f64::from(count) * 10.0).round() / 10.0
                },
                stations: station_count,
                opening_minutes_per_station: opening,
                utilisation_percent: percent(
                    self.in_hours_ms as f64 / 60_000.0,
                    opening as f64 * f64::from(station_count),
                ),
            },
            per_day: self.per_day,
            per_station: self
                .stations
                .into_iter()
                .map(|(station, (sessions, minutes, within))| StationUse {
                    station,
                    sessions,
                    minutes,
                    utilisation_percent: percent(within as f64 / 60_000.0, opening as f64),
                })
                .collect(),
            category_gender: self.category_gender.into_values().collect(),
            age_bands: self.bands,
            purposes,
            hours: self.hours,
            end_reasons: self.reasons.into_values().collect(),
            problems: self.inputs.problems,
            prepared_by: self.inputs.prepared_by,
            section_head_name: self.inputs.section_head_name,
            section_head_nip: self.inputs.section_head_nip,
            signed: None,
            addendum: Vec::new(),
        }
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
