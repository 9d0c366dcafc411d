//! A small hand-made month (November 2026) and day for the exporters'
//! tests. The breakdowns are summed from the rows below, so the fixture is
//! consistent: per-day minutes add up to the totals, and so on.

#![allow(clippy::unwrap_used)]

use super::model::{
    CategoryGender, Count, DailyRecap, MonthlyReport, Problem, RecapRow, ReportHeader, SignOff,
    StationUse, Totals,
};
use std::collections::BTreeMap;

/// A name with a comma and a double quote, for CSV quoting tests.
pub(crate) const TRICKY_NAME: &str = "Siti \"Ani\" Rahma, S.Pd.";

/// A problem detail that looks like a spreadsheet formula.
pub(crate) const FORMULA_DETAIL: &str = "=HYPERLINK(\"http://x\")";

/// The letterhead and provenance of the fixtures.
pub(crate) fn header() -> ReportHeader {
    ReportHeader {
        library_name: "Perpustakaan Daerah Kabupaten Sinjai".to_string(),
        letterhead: vec![
            "PEMERINTAH KABUPATEN SINJAI".to_string(),
            "DINAS PERPUSTAKAAN DAN KEARSIPAN".to_string(),
        ],
        time_zone: "Asia/Makassar".to_string(),
        // 2026-12-01 01:00 UTC = 09:00 WITA.
        generated_at_ms: 1_796_086_800_000,
        generated_at_local: "2026-12-01 09:00".to_string(),
        place: "Sinjai".to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    id: u32,
    date: &str,
    start: &str,
    end: &str,
    station: &str,
    card: &str,
    name: &str,
    category: &str,
    gender: &str,
    purpose: &str,
    minutes: u32,
    end_reason: &str,
) -> RecapRow {
    RecapRow {
        session_id: format!("0193a000-0000-7000-8000-{id:012}"),
        date: date.to_string(),
        start: start.to_string(),
        end: end.to_string(),
        station: station.to_string(),
        card: card.to_string(),
        name: name.to_string(),
        category: category.to_string(),
        gender: gender.to_string(),
        purpose: purpose.to_string(),
        minutes,
        end_reason: end_reason.to_string(),
        rules: if card.is_empty() {
            String::new()
        } else {
            "1".to_owned()
        },
    }
}

/// The sessions of the month, in start order.
#[rustfmt::skip]
pub(crate) fn rows() -> Vec<RecapRow> {
    vec![
        row(1, "2026-11-02", "08:05", "08:50", "PC-01", "0012345", "Andi Saputra", "Pelajar", "L", "Belajar/Tugas", 45, "time_up"),
        row(2, "2026-11-02", "09:10", "09:40", "PC-02", "0012346", TRICKY_NAME, "Umum", "P", "Mencari informasi", 30, "logout"),
        row(3, "2026-11-02", "13:00", "13:20", "PC-01", "", "Tamu: pak Rudi", "Tamu", "", "Lainnya", 20, "librarian"),
        row(4, "2026-11-03", "10:00", "10:45", "PC-03", "0012347", "Nur Aisyah", "Mahasiswa", "P", "Pekerjaan/Melamar kerja", 45, "time_up"),
        row(5, "2026-11-10", "14:30", "15:05", "PC-02", "0012345", "Andi Saputra", "Pelajar", "L", "Belajar/Tugas", 35, "station_restarted"),
        row(6, "2026-11-16", "08:00", "08:45", "PC-01", "0012348", "Muhammad Ilham", "Umum", "L", "Mencari informasi", 45, "time_up"),
        row(7, "2026-11-16", "08:02", "08:12", "PC-02", "0012349", "Wa Ode Fitri", "Pelajar", "P", "Belajar/Tugas", 10, "maintenance"),
        row(8, "2026-11-28", "15:40", "16:25", "PC-03", "0012346", TRICKY_NAME, "Umum", "P", "Belajar/Tugas", 45, "time_up"),
        row(9, "2026-11-30", "23:30", "00:15", "PC-01", "0012350", "Rahmat Hidayat", "Umum", "L", "Lainnya", 45, "logout"),
    ]
}

fn add(map: &mut BTreeMap<String, (u32, u64)>, key: &str, minutes: u32) {
    let e = map.entry(key.to_string()).or_default();
    e.0 += 1;
    e.1 += u64::from(minutes);
}

fn counts(map: BTreeMap<String, (u32, u64)>) -> Vec<Count> {
    map.into_iter()
        .map(|(label, (sessions, minutes))| Count {
            label,
            sessions,
            minutes,
        })
        .collect()
}

/// The month of November 2026, unsigned, without an addendum.
pub(crate) fn fixture() -> MonthlyReport {
    let rows = rows();
    let mut per_day = BTreeMap::new();
    for d in 1..=30 {
        per_day.insert(format!("2026-11-{d:02}"), (0, 0));
    }
    let mut stations = BTreeMap::new();
    for s in ["PC-01", "PC-02", "PC-03", "PC-04"] {
        stations.insert(s.to_string(), (0, 0));
    }
    let mut hours = BTreeMap::new();
    for h in 0..24 {
        hours.insert(format!("{h:02}"), (0, 0));
    }
    let mut purposes = BTreeMap::new();
    let mut reasons = BTreeMap::new();
    let mut categories: BTreeMap<String, CategoryGender> = BTreeMap::new();
    let mut cards = std::collections::BTreeSet::new();
    let mut guests = 0;
    for r in &rows {
        add(&mut per_day, &r.date, r.minutes);
        add(&mut stations, &r.station, r.minutes);
        add(&mut hours, &r.start[..2], r.minutes);
        add(&mut purposes, &r.purpose, r.minutes);
        add(&mut reasons, &r.end_reason, r.minutes);
        let c = categories
            .entry(r.category.clone())
            .or_insert_with(|| CategoryGender {
                category: r.category.clone(),
                male: 0,
                female: 0,
                unknown: 0,
            });
        match r.gender.as_str() {
            "L" => c.male += 1,
            "P" => c.female += 1,
            _ => c.unknown += 1,
        }
        if r.card.is_empty() {
            guests += 1;
        } else {
            cards.insert(r.card.clone());
        }
    }
    let minutes: u64 = rows.iter().map(|r| u64::from(r.minutes)).sum();
    let sessions = rows.len() as u32;
    let opening = 26 * 8 * 60;
    let mut purposes = counts(purposes);
    purposes.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.label.cmp(&b.label)));
    MonthlyReport {
        header: header(),
        month: "2026-11".to_string(),
        from_date: "2026-11-01".to_string(),
        to_date: "2026-11-30".to_string(),
        totals: Totals {
            sessions,
            unique_members: cards.len() as u32,
            guest_sessions: guests,
            minutes,
            hours: (minutes as f64 / 6.0).round() / 10.0,
            average_minutes: minutes as f64 / f64::from(sessions),
            stations: 4,
            opening_minutes_per_station: opening,
            utilisation_percent: minutes as f64 * 100.0 / (4.0 * opening as f64),
            queued: 3,
            median_wait_minutes: 12.5,
        },
        per_day: counts(per_day),
        per_station: stations
            .into_iter()
            .map(|(station, (sessions, minutes))| StationUse {
                station,
                sessions,
                minutes,
                utilisation_percent: minutes as f64 * 100.0 / opening as f64,
            })
            .collect(),
        category_gender: categories.into_values().collect(),
        age_bands: vec![
            Count {
                label: "0-12".into(),
                sessions: 0,
                minutes: 0,
            },
            Count {
                label: "13-18".into(),
                sessions: 3,
                minutes: 90,
            },
            Count {
                label: "19-25".into(),
                sessions: 2,
                minutes: 90,
            },
            Count {
                label: "26-45".into(),
                sessions: 3,
                minutes: 120,
            },
            Count {
                label: "46-59".into(),
                sessions: 0,
                minutes: 0,
            },
            Count {
                label: "60+".into(),
                sessions: 0,
                minutes: 0,
            },
            Count {
                label: "unknown".into(),
                sessions: 1,
                minutes: 20,
            },
        ],
        purposes,
        occupations: Vec::new(),
        education: Vec::new(),
        hours: counts(hours),
        end_reasons: counts(reasons),
        problems: vec![
            Problem {
                at: "2026-11-10 15:05".to_string(),
                station: "PC-02".to_string(),
                kind: "station_restarted".to_string(),
                detail: "Komputer mati listrik, sesi dilanjutkan di PC-03.".to_string(),
            },
            Problem {
                at: "2026-11-16 08:12".to_string(),
                station: "PC-02".to_string(),
                kind: "incident".to_string(),
                detail: FORMULA_DETAIL.to_string(),
            },
        ],
        prepared_by: "Hasnah, A.Md.".to_string(),
        prepared_by_nip: "19900101 201503 2 001".to_string(),
        section_head_name: "Drs. Andi Baso Mappaturung".to_string(),
        section_head_nip: "19750812 200003 1 004".to_string(),
        signed: None,
        addendum: Vec::new(),
    }
}

/// The same month, signed, with one late session in the addendum.
pub(crate) fn signed_fixture() -> MonthlyReport {
    let mut report = fixture();
    report.signed = Some(SignOff {
        username: "kasi".to_string(),
        name: "Drs. Andi Baso Mappaturung".to_string(),
        nip: "19750812 200003 1 004".to_string(),
        signed_at: "2026-12-02 10:15".to_string(),
        audit_seq: 42,
        audit_mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843".to_string(),
    });
    report.addendum = vec![row(
        10,
        "2026-11-29",
        "10:00",
        "10:30",
        "PC-04",
        "0012351",
        "Late Arrival",
        "Umum",
        "L",
        "Lainnya",
        30,
        "logout",
    )];
    report
}

/// The day of 2 November 2026.
pub(crate) fn daily_fixture() -> DailyRecap {
    let rows: Vec<RecapRow> = rows()
        .into_iter()
        .filter(|r| r.date == "2026-11-02")
        .collect();
    DailyRecap {
        header: header(),
        date: "2026-11-02".to_string(),
        total_sessions: rows.len() as u32,
        unique_members: 2,
        guest_sessions: 1,
        total_minutes: rows.iter().map(|r| u64::from(r.minutes)).sum(),
        rows,
    }
}
