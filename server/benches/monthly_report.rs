//! Benchmark (not a test): the monthly report over 1,000,000 sessions,
//! beside a raw scan of the same keys, with older history in the store so
//! that the cost is seen to follow the month, not the whole history.
//!
//!     cargo bench -p bilik-server --bench monthly_report
//!
//! Environment: BENCH_SESSIONS (default 1000000), BENCH_HISTORY (default 1000000).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bilik_proto::store::v1::{SessionRecord, StationRecord};
use bilik_proto::v1::{EndReason, Gender, Role};
use bilik_server::app::{App, StaffIdentity};
use bilik_server::clock::ManualClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Current resident set size.
fn current_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the peak RSS counter (Linux: write 5 to clear_refs).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `count` closed sessions spread over [from_ms, to_ms).
fn fill(store: &Store, count: u64, from_ms: i64, to_ms: i64, stations: u64) {
    let span = (to_ms - from_ms) as u64;
    let purposes = [
        "Belajar/Tugas",
        "Mencari informasi",
        "Pekerjaan/Melamar kerja",
        "Lainnya",
    ];
    let categories = ["Umum", "Pelajar", "Mahasiswa", "Guru"];
    for i in 0..count {
        let start = from_ms + ((i * span) / count) as i64;
        let secs = (start / 1000) as u64;
        let nanos = ((start % 1000) * 1_000_000) as u32;
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos));
        let minutes = 5 + (i % 41) as i64;
        let session = SessionRecord {
            session_id: id.to_string(),
            station_id: format!("st_{}", i % stations),
            station_name: format!("PC-{:02}", i % stations),
            card: format!("M{:06}", i % 20_000),
            patron_name: "Anggota".into(),
            category: categories[(i % 4) as usize].into(),
            gender: if i % 2 == 0 {
                Gender::Male
            } else {
                Gender::Female
            } as i32,
            age_years: (10 + i % 60) as u32,
            age_known: i % 10 != 0,
            purpose: purposes[(i % 4) as usize].into(),
            rules_version: "1".into(),
            started_at_ms: start,
            ends_at_ms: start + 45 * 60_000,
            ended_at_ms: start + minutes * 60_000,
            end_reason: EndReason::Logout as i32,
            ..Default::default()
        };
        store.import_ended_session(&session).unwrap().defer();
    }
}

fn main() {
    let sessions = env_count("BENCH_SESSIONS", 1_000_000);
    let history = env_count("BENCH_HISTORY", 1_000_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let config =
            Config::parse("[hours]\nsun = \"closed\"\nsat = \"08:00-12:00\"\n", &[]).unwrap();
        let clock = ManualClock::new(0);
        let app = App::new(store.clone(), config, Arc::new(clock.clone()));
        for s in 0..20 {
            store
                .put_station(&StationRecord {
                    station_id: format!("st_{s}"),
                    name: format!("PC-{s:02}"),
                    ..Default::default()
                })
                .unwrap()
                .defer();
        }
        let (first, next) = bilik_server::report::monthly::parse_month("2026-10").unwrap();
        let (from_ms, to_ms) = (app.day_start_ms(first), app.day_start_ms(next));
        let t = Instant::now();
        // Older history: the twelve months before.
        fill(&store, history, from_ms - 365 * 86_400_000, from_ms, 20);
        fill(&store, sessions, from_ms, to_ms, 20);
        store.sync().await.unwrap();
        println!(
            "filled {} sessions in {:.1} s",
            sessions + history,
            t.elapsed().as_secs_f64()
        );
        clock.set_ms(to_ms + 86_400_000);
        let me = StaffIdentity {
            username: "bench".into(),
            role: Role::Librarian,
            expires_at_ms: i64::MAX,
        };
        let rss_filled = peak_rss_mb();
        // The same number of threads the report uses.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        for round in 0..3 {
            let t = Instant::now();
            let mut count = 0u64;
            store
                .for_each_session_between(from_ms, to_ms, |s| count += u64::from(s.ended_at_ms > 0))
                .unwrap();
            let raw = t.elapsed();
            let t = Instant::now();
            let parts = store
                .fold_sessions_between(
                    from_ms,
                    to_ms,
                    threads,
                    || 0u64,
                    |n, s| *n += u64::from(s.ended_at_ms > 0),
                )
                .unwrap();
            let raw_parallel = t.elapsed();
            assert_eq!(parts.iter().sum::<u64>(), sessions);
            reset_peak_rss();
            let rss_start = current_rss_mb();
            let t = Instant::now();
            let report = app.monthly_report(&me, "2026-10").unwrap();
            let full = t.elapsed();
            let rss_peak = peak_rss_mb();
            assert_eq!(u64::from(report.totals.sessions), sessions);
            assert_eq!(count, sessions);
            println!(
                "round {round}: raw scan+decode of the month {:.3} s on one thread, {:.3} s on {threads}; monthly report {:.3} s; RSS during the report {:.0} -> peak {:.0} MB",
                raw.as_secs_f64(),
                raw_parallel.as_secs_f64(),
                full.as_secs_f64(),
                rss_start,
                rss_peak
            );
        }
        println!("peak RSS after filling the store: {rss_filled:.0} MB");
    });
}
