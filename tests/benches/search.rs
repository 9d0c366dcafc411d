//! Member search at the size of a large library: 100,000 members (names
//! drawn from common Indonesian given names and family names), then each
//! query of the dashboard's search run through `App::search_members` with
//! the store on disk. Prints p50 and max per query. Run with
//! `CARGO_INCREMENTAL=0 cargo bench -p bilik-tests --bench search`
//! (`BENCH_MEMBERS`, `BENCH_RUNS` to change the size).
#![allow(clippy::unwrap_used)]

use bilik_proto::store::v1::MemberRecord;
use bilik_server::app::App;
use bilik_server::clock::SystemClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use std::sync::Arc;
use std::time::Instant;

const GIVEN: &[&str] = &[
    "Andi", "Siti", "Budi", "Nur", "Muhammad", "Dewi", "Fajar", "Rina", "Hendra", "Putri", "Yusuf",
    "Wahyuni", "Ahmad", "Sri", "Rizky", "Ayu", "Ma'ruf", "Agus", "Indah", "José",
];
const FAMILY: &[&str] = &[
    "Pratama",
    "Rahmawati",
    "Santoso",
    "Aisyah",
    "Lestari",
    "Nugroho",
    "Marlina",
    "Wijaya",
    "Hidayat",
    "Syam",
    "Tenri",
    "Mappaturung",
    "Baso",
    "Amin",
    "Saputra",
    "Kurniawan",
];

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let members = env_count("BENCH_MEMBERS", 100_000);
    let runs = env_count("BENCH_RUNS", 30).max(1);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let store = Store::open(&data_dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let started = Instant::now();
        let batch: Vec<MemberRecord> = (0..members)
            .map(|i| MemberRecord {
                card: format!("{:08}", i + 1),
                name: format!(
                    "{} {} {}",
                    GIVEN[i % GIVEN.len()],
                    FAMILY[(i / GIVEN.len()) % FAMILY.len()],
                    FAMILY[(i / 7) % FAMILY.len()]
                ),
                expires: "2030-12-31".into(),
                category: "Umum".into(),
                ..Default::default()
            })
            .collect();
        for chunk in batch.chunks(1_000) {
            store.put_members(chunk).unwrap().durable().await.unwrap();
        }
        println!(
            "{members} members written in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    });
    let config = Config::parse(
        &format!(
            "[server]\ndata_dir = {}\n",
            toml::Value::String(data_dir.display().to_string())
        ),
        &[],
    )
    .unwrap();
    let _runtime = rt.enter();
    let app = App::new(store, config, Arc::new(SystemClock));
    println!("| query | matches | p50 ms | max ms |");
    println!("|---|---|---|---|");
    for query in ["", "0001", "andi", "andi tenri", "ma'ruf amin", "zzz"] {
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let page = app.search_members(query, 0, 50).unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = page.total;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| `{query}` | {total} | {:.1} | {:.1} |",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
