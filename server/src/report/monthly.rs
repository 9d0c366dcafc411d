//! The monthly report: totals and breakdowns over the sessions that
//! started in one library-local month. Sessions are folded in one at a time
//! ([`MonthTally::add`]) while the store scans the month, so memory stays
//! flat however many sessions the month has; the month can be scanned in
//! parts on several threads, each into its own [`MonthCounts`], merged at
//! the end.

use super::model::{
    CategoryGender, Count, MonthlyReport, Problem, ReportHeader, StationUse, Totals,
};
use super::usage::{OpenIntervals, end_ms, local, minutes, opening_minutes, reason_code};
use crate::hours::OpeningHours;
use bilik_proto::store::v1::{SessionRecord, StationRecord};
use bilik_proto::v1::Gender;
use chrono::{Datelike, NaiveDate, Timelike};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// Maps looked up once or more per session: a fast hasher (seeded per
/// process). With SipHash the fold took 0.44 s per million sessions on
/// one core, with foldhash 0.25 s (BENCHMARKS.md).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// The distinct cards, hashed the same way.
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

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
    /// The key of the session pseudonyms ([`crate::privacy`]): with rows
    /// pseudonymised, unique members are counted through it.
    pub pseudonym_key: Option<[u8; 32]>,
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

fn percent(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        0.0
    } else {
        (part / whole * 1000.0).round() / 10.0
    }
}

/// Sessions and minutes.
type Sum = (u32, u64);

/// Per station: sessions, minutes, ms within opening hours.
type StationTally = (u32, u64, i64);

/// Sessions of a category: men, women, unknown.
type GenderTally = [u32; 3];

fn bump(sum: &mut Sum, minutes: u64) {
    sum.0 += 1;
    sum.1 += minutes;
}

/// The entry of `key`, made (and its key allocated) only the first time.
fn entry<'m, V: Default>(map: &'m mut HashMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key)
        .unwrap_or_else(|| unreachable!("inserted above"))
}

/// The local hours of the month as UTC instants, so a session's local day
/// and hour are a binary search instead of a time-zone conversion each.
#[derive(Debug)]
struct LocalHours {
    /// UTC ms at which each local hour slot begins, ascending.
    starts: Vec<i64>,
    /// The slot's day (0 = first of the month) and local hour.
    labels: Vec<(usize, usize)>,
}

impl LocalHours {
    /// The slots of `[from_ms, to_ms)`, found by walking UTC in quarter
    /// hours (every time-zone change in use falls on one), so DST gaps
    /// and repeated hours come out as the wall clock shows them.
    fn new(tz: Tz, first_day: NaiveDate, from_ms: i64, to_ms: i64) -> LocalHours {
        const QUARTER: i64 = 15 * 60_000;
        let mut hours = LocalHours {
            starts: Vec::new(),
            labels: Vec::new(),
        };
        let mut at = from_ms;
        while at < to_ms {
            let t = local(tz, at);
            let day = usize::try_from(t.date().signed_duration_since(first_day).num_days())
                .unwrap_or(usize::MAX);
            let label = (day, t.hour() as usize);
            if hours.labels.last() != Some(&label) {
                hours.starts.push(at);
                hours.labels.push(label);
            }
            at += QUARTER;
        }
        hours
    }

    /// The slot an instant falls in.
    fn slot(&self, ms: i64) -> Option<usize> {
        self.starts.partition_point(|&s| s <= ms).checked_sub(1)
    }
}

/// What the month's sessions add up to so far. Several are counted at once
/// (one per scanning thread) and merged.
#[derive(Debug, Default)]
pub struct MonthCounts {
    /// Per local hour slot of the month (see `LocalHours`): per day and per
    /// hour of day are both sums of these.
    slots: Vec<Sum>,
    /// One per band, then "unknown".
    bands: Vec<Sum>,
    /// By station name.
    stations: HashMap<String, StationTally>,
    /// By purpose.
    purposes: HashMap<String, Sum>,
    /// By occupation.
    occupations: HashMap<String, Sum>,
    /// By education.
    education: HashMap<String, Sum>,
    /// By end reason code.
    reasons: BTreeMap<&'static str, Sum>,
    /// By category.
    category_gender: HashMap<String, GenderTally>,
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

fn merge_sums<K: Eq + std::hash::Hash>(into: &mut HashMap<K, Sum>, from: HashMap<K, Sum>) {
    for (k, v) in from {
        let e = into.entry(k).or_default();
        e.0 += v.0;
        e.1 += v.1;
    }
}

fn add_sums(into: &mut [Sum], from: &[Sum]) {
    for (a, b) in into.iter_mut().zip(from) {
        a.0 += b.0;
        a.1 += b.1;
    }
}

impl MonthCounts {
    /// Adds another part of the month into this one.
    pub fn merge(&mut self, other: MonthCounts) {
        if self.slots.len() < other.slots.len() {
            self.slots.resize(other.slots.len(), (0, 0));
        }
        add_sums(&mut self.slots, &other.slots);
        if self.bands.len() < other.bands.len() {
            self.bands.resize(other.bands.len(), (0, 0));
        }
        add_sums(&mut self.bands, &other.bands);
        for (k, v) in other.stations {
            let e = self.stations.entry(k).or_default();
            e.0 += v.0;
            e.1 += v.1;
            e.2 += v.2;
        }
        merge_sums(&mut self.purposes, other.purposes);
        merge_sums(&mut self.occupations, other.occupations);
        merge_sums(&mut self.education, other.education);
        for (k, v) in other.reasons {
            let e = self.reasons.entry(k).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        for (k, v) in other.category_gender {
            let e = self.category_gender.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
        // Fold the smaller set of cards into the larger.
        let mine = std::mem::take(&mut self.cards);
        let (mut big, small) = if mine.len() >= other.cards.len() {
            (mine, other.cards)
        } else {
            (other.cards, mine)
        };
        big.extend(small);
        self.cards = big;
        self.sessions += other.sessions;
        self.guests += other.guests;
        self.minutes += other.minutes;
        self.in_hours_ms += other.in_hours_ms;
    }
}

/// The report being counted: what stays fixed while the sessions are
/// folded in, shared by every scanning thread.
#[derive(Debug)]
pub struct MonthTally<'a> {
    /// The fixed inputs.
    inputs: MonthInputs<'a>,
    /// The month's last day.
    last_day: NaiveDate,
    /// Opening hours of the month (and a day after, for sessions past midnight).
    open: OpenIntervals,
    /// The month's local hours, for per day and per hour of day.
    local_hours: LocalHours,
}

impl<'a> MonthTally<'a> {
    /// A tally for the month of `inputs.first_day`, which spans
    /// `[from_ms, to_ms)` in UTC.
    pub fn new(inputs: MonthInputs<'a>, from_ms: i64, to_ms: i64) -> MonthTally<'a> {
        let first = inputs.first_day;
        let last_day = parse_month(&first.format("%Y-%m").to_string())
            .and_then(|(_, next)| next.pred_opt())
            .unwrap_or(first);
        let after = last_day.succ_opt().unwrap_or(last_day);
        let open = OpenIntervals::new(inputs.hours, inputs.tz, first, after);
        let local_hours = LocalHours::new(inputs.tz, first, from_ms, to_ms);
        MonthTally {
            last_day,
            open,
            local_hours,
            inputs,
        }
    }

    /// Empty counts, sized for this month.
    pub fn counts(&self) -> MonthCounts {
        MonthCounts {
            slots: vec![(0, 0); self.local_hours.starts.len()],
            bands: vec![(0, 0); self.inputs.age_bands.len() + 2],
            ..MonthCounts::default()
        }
    }

    /// Counts one session that started in the month.
    pub fn add(&self, c: &mut MonthCounts, s: &SessionRecord) {
        let now = self.inputs.now_ms;
        let m = u64::from(minutes(s, now));
        c.sessions += 1;
        c.minutes += m;
        if let Some(slot) = self
            .local_hours
            .slot(s.started_at_ms)
            .and_then(|i| c.slots.get_mut(i))
        {
            bump(slot, m);
        }
        let band = if s.age_known {
            band_of(s.age_years, self.inputs.age_bands)
        } else {
            self.inputs.age_bands.len() + 1
        };
        if let Some(b) = c.bands.get_mut(band) {
            bump(b, m);
        }
        let purpose = if s.purpose.is_empty() {
            "-"
        } else {
            &s.purpose
        };
        bump(entry(&mut c.purposes, purpose), m);
        bump(c.reasons.entry(reason_code(s)).or_default(), m);
        let within = self.open.overlap_ms(s.started_at_ms, end_ms(s, now));
        c.in_hours_ms += within;
        let station = entry(&mut c.stations, &s.station_name);
        station.0 += 1;
        station.1 += m;
        station.2 += within;
        let category = if s.card.is_empty() {
            c.guests += 1;
            "Tamu"
        } else {
            if !c.cards.contains(&s.card) {
                c.cards.insert(s.card.clone());
            }
            if s.category.is_empty() {
                "-"
            } else {
                &s.category
            }
        };
        let gender = match Gender::try_from(s.gender).unwrap_or(Gender::Unspecified) {
            Gender::Male => 0,
            Gender::Female => 1,
            Gender::Unspecified => 2,
        };
        entry(&mut c.category_gender, category)[gender] += 1;
        // A guest has neither; a member's unknown one counts as "-".
        let guest = s.card.is_empty();
        for (sums, value) in [
            (&mut c.occupations, s.occupation.as_str()),
            (&mut c.education, s.education.as_str()),
        ] {
            let label = match value {
                _ if guest => "Tamu",
                "" => "-",
                v => v,
            };
            bump(entry(sums, label), m);
        }
    }

    /// The finished report.
    pub fn finish(self, c: MonthCounts) -> MonthlyReport {
        let first_day = self.inputs.first_day;
        let last_day = self.last_day;
        let opening = opening_minutes(self.inputs.hours, first_day, last_day);
        let mut per_day: Vec<Count> = first_day
            .iter_days()
            .take_while(|d| *d <= last_day)
            .map(|d| count(d.format("%Y-%m-%d").to_string()))
            .collect();
        let mut hours: Vec<Count> = (0..24).map(|h| count(format!("{h:02}"))).collect();
        for (&(day, hour), &(sessions, minutes)) in self.local_hours.labels.iter().zip(&c.slots) {
            for row in [per_day.get_mut(day), hours.get_mut(hour)]
                .into_iter()
                .flatten()
            {
                row.sessions += sessions;
                row.minutes += minutes;
            }
        }
        let labelled = |labels: Vec<String>, sums: &[Sum]| -> Vec<Count> {
            labels
                .into_iter()
                .zip(sums.iter().copied().chain(std::iter::repeat((0, 0))))
                .map(|(label, (sessions, minutes))| Count {
                    label,
                    sessions,
                    minutes,
                })
                .collect()
        };
        let mut band_names = band_labels(self.inputs.age_bands);
        band_names.push("unknown".to_owned());
        let bands = labelled(band_names, &c.bands);
        let mut stations: BTreeMap<String, StationTally> = self
            .inputs
            .stations
            .iter()
            .map(|s| (s.name.clone(), (0, 0, 0)))
            .collect();
        for (name, t) in c.stations {
            let e = stations.entry(name).or_default();
            e.0 += t.0;
            e.1 += t.1;
            e.2 += t.2;
        }
        let station_count = u32::try_from(stations.len()).unwrap_or(u32::MAX);
        let most_used_first = |sums: HashMap<String, Sum>| {
            let mut counts: Vec<Count> = sums
                .into_iter()
                .map(|(label, (sessions, minutes))| Count {
                    label,
                    sessions,
                    minutes,
                })
                .collect();
            counts.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.label.cmp(&b.label)));
            counts
        };
        let purposes = most_used_first(c.purposes);
        let occupations = most_used_first(c.occupations);
        let education = most_used_first(c.education);
        let category_gender: BTreeMap<String, GenderTally> =
            c.category_gender.into_iter().collect();
        let (count, total) = (c.sessions, c.minutes);
        MonthlyReport {
            header: self.inputs.header,
            month: first_day.format("%Y-%m").to_string(),
            from_date: first_day.format("%Y-%m-%d").to_string(),
            to_date: last_day.format("%Y-%m-%d").to_string(),
            totals: Totals {
                sessions: count,
                unique_members: u32::try_from(crate::privacy::unique_members(
                    c.cards.iter().map(String::as_str),
                    self.inputs.pseudonym_key.as_ref(),
                ))
                .unwrap_or(u32::MAX),
                guest_sessions: c.guests,
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
                    c.in_hours_ms as f64 / 60_000.0,
                    opening as f64 * f64::from(station_count),
                ),
                // Filled in from the queue log by the caller.
                queued: 0,
                median_wait_minutes: 0.0,
            },
            per_day,
            per_station: stations
                .into_iter()
                .map(|(station, (sessions, minutes, within))| StationUse {
                    station,
                    sessions,
                    minutes,
                    utilisation_percent: percent(within as f64 / 60_000.0, opening as f64),
                })
                .collect(),
            category_gender: category_gender
                .into_iter()
                .map(|(category, [male, female, unknown])| CategoryGender {
                    category,
                    male,
                    female,
                    unknown,
                })
                .collect(),
            age_bands: bands,
            purposes,
            occupations,
            education,
            hours,
            end_reasons: c
                .reasons
                .into_iter()
                .map(|(label, (sessions, minutes))| Count {
                    label: label.to_owned(),
                    sessions,
                    minutes,
                })
                .collect(),
            problems: self.inputs.problems,
            prepared_by: self.inputs.prepared_by,
            prepared_by_nip: String::new(),
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
    use crate::report::usage::tests::ms as utc;

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

    #[test]
    fn local_hours_follow_the_wall_clock_across_dst() {
        // Berlin springs forward on 2026-03-29 (02:00 -> 03:00) and falls
        // back on 2026-10-25 (03:00 -> 02:00, the 02 hour twice).
        let tz = chrono_tz::Europe::Berlin;
        let first = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let hours = LocalHours::new(
            tz,
            first,
            utc(tz, 2026, 3, 1, 0, 0),
            utc(tz, 2026, 4, 1, 0, 0),
        );
        assert_eq!(hours.starts.len(), 31 * 24 - 1);
        let at = |d, h, m| hours.labels[hours.slot(utc(tz, 2026, 3, d, h, m)).unwrap()];
        assert_eq!(at(29, 1, 59), (28, 1));
        assert_eq!(at(29, 3, 0), (28, 3));
        assert_eq!(at(31, 23, 59), (30, 23));
        let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let hours = LocalHours::new(
            tz,
            first,
            utc(tz, 2026, 10, 1, 0, 0),
            utc(tz, 2026, 11, 1, 0, 0),
        );
        // The repeated 02 hour is one slot two hours long, counted as 02.
        assert_eq!(hours.starts.len(), 31 * 24);
        let second_two = utc(tz, 2026, 10, 25, 1, 30) + 2 * 3_600_000;
        assert_eq!(hours.labels[hours.slot(second_two).unwrap()], (24, 2));
        // Makassar (no DST): exactly 24 slots a day, each an hour long.
        let tz = chrono_tz::Asia::Makassar;
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let from = utc(tz, 2026, 11, 1, 0, 0);
        let hours = LocalHours::new(tz, first, from, utc(tz, 2026, 12, 1, 0, 0));
        assert_eq!(hours.starts.len(), 30 * 24);
        assert!(hours.starts.windows(2).all(|w| w[1] - w[0] == 3_600_000));
        assert_eq!(hours.slot(from - 1), None);
        assert_eq!(
            hours.labels[hours.slot(from + 13 * 3_600_000 + 5).unwrap()],
            (0, 13)
        );
    }

    #[test]
    fn counting_in_parts_and_merging_equals_counting_at_once() {
        let tz = chrono_tz::Asia::Makassar;
        let hours = OpeningHours::always_open();
        let stations = [StationRecord {
            name: "PC-01".into(),
            ..Default::default()
        }];
        let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let (from, to) = (utc(tz, 2026, 11, 1, 0, 0), utc(tz, 2026, 12, 1, 0, 0));
        let make = || {
            MonthTally::new(
                MonthInputs {
                    header: ReportHeader {
                        library_name: String::new(),
                        letterhead: Vec::new(),
                        time_zone: tz.name().to_owned(),
                        generated_at_ms: to,
                        generated_at_local: String::new(),
                        place: String::new(),
                    },
                    first_day: first,
                    stations: &stations,
                    problems: Vec::new(),
                    hours: &hours,
                    tz,
                    age_bands: &[12, 18, 25, 45, 59],
                    now_ms: to,
                    prepared_by: String::new(),
                    section_head_name: String::new(),
                    section_head_nip: String::new(),
                    pseudonym_key: None,
                },
                from,
                to,
            )
        };
        let tally = make();
        let sessions: Vec<SessionRecord> = (0..500i64)
            .map(|i| {
                let start = from + i * 5_000_000;
                SessionRecord {
                    station_name: format!("PC-{:02}", i % 3),
                    card: if i % 7 == 0 {
                        String::new()
                    } else {
                        format!("M{}", i % 40)
                    },
                    category: ["Umum", "Pelajar"][(i % 2) as usize].into(),
                    gender: (i % 3) as i32,
                    age_years: (i % 70) as u32,
                    age_known: i % 5 != 0,
                    purpose: ["Belajar", "Lainnya", ""][(i % 3) as usize].into(),
                    started_at_ms: start,
                    ends_at_ms: start + 45 * 60_000,
                    ended_at_ms: start + (i % 45 + 1) * 60_000,
                    end_reason: (i % 4) as i32,
                    ..Default::default()
                }
            })
            .collect();
        let mut once = tally.counts();
        for s in &sessions {
            tally.add(&mut once, s);
        }
        let mut merged = tally.counts();
        for part in sessions.chunks(77) {
            let mut counts = tally.counts();
            for s in part {
                tally.add(&mut counts, s);
            }
            merged.merge(counts);
        }
        let (a, b) = (make().finish(once), tally.finish(merged));
        assert_eq!(a.totals.sessions, 500);
        assert_eq!(a.totals.unique_members, 40);
        assert_eq!(a.per_station.len(), 3);
        assert_eq!(
            a.per_day.iter().map(|c| c.sessions).sum::<u32>(),
            500,
            "every session is on a day"
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
    }
}

/// The median of `minutes`, one decimal (0 for none).
pub fn median_minutes(mut minutes: Vec<f64>) -> f64 {
    if minutes.is_empty() {
        return 0.0;
    }
    minutes.sort_by(f64::total_cmp);
    let mid = minutes.len() / 2;
    let median = if minutes.len().is_multiple_of(2) {
        (minutes[mid - 1] + minutes[mid]) / 2.0
    } else {
        minutes[mid]
    };
    (median * 10.0).round() / 10.0
}

#[cfg(test)]
mod median_tests {
    #[test]
    fn median_of_odd_even_and_none() {
        assert_eq!(super::median_minutes(vec![9.0, 1.0, 4.0]), 4.0);
        assert_eq!(super::median_minutes(vec![1.0, 4.0, 2.0, 10.0]), 3.0);
        assert_eq!(super::median_minutes(Vec::new()), 0.0);
    }
}
