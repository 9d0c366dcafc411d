//! Benchmark (not a test): the hub with 10,000 attached stations
//! heartbeating every 15 s (about 667 heartbeats a second, each with a
//! sysinfo sample, the state unchanged) while five live station feeds are
//! open (gRPC WatchStations, read as fast as they come, as five open
//! dashboards would). Measured over BENCH_SECONDS (20):
//!
//! - the hub task's CPU share: the time it spent handling messages
//!   ([`bilik_server::hub::Hub::busy_ns`]) over the wall time;
//! - the whole process's CPU share (server, feeds and the simulated load);
//! - a push to one station (`Hub::push`, one every 5 ms, to stations in
//!   turn) until the hub has queued it on the station's stream: p50, p99,
//!   max; it waits behind whatever the hub task is doing;
//! - the updates the five feeds received.
//!
//! The server runs in this process on a temporary store with the real
//! clock; the stations are the hub's links without agents behind them
//! (their streams are kept open and drained), heartbeats go through
//! `App::heartbeat`, the feeds over real gRPC in plain text.
//!
//!     CARGO_INCREMENTAL=0 cargo bench -p bilik-tests --bench hub_feeds
//!
//! Environment: BENCH_AGENTS (10000), BENCH_FEEDS (5), BENCH_SECONDS (20).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bilik_proto::store::v1::StationRecord;
use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::*;
use bilik_server::app::App;
use bilik_server::clock::SystemClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use bilik_tests::served::Served;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time of this whole process so far (user + system), from
/// `/proc/self/stat` in clock ticks (assumed 100 a second).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name in parentheses; utime and stime are
    // the 14th and 15th fields of the whole line.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// "p50 … p99 … max" of latencies, in ms.
fn summary(name: &str, mut samples: Vec<Duration>) -> String {
    if samples.is_empty() {
        return format!("{name:<28} n=0");
    }
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1000.0
    };
    format!(
        "{name:<28} n={:<5} p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        samples.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    )
}

fn main() {
    let agents = env_count("BENCH_AGENTS", 10_000);
    let feeds = env_count("BENCH_FEEDS", 5);
    let seconds = env_count("BENCH_SECONDS", 20) as u64;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let config = Config::parse("[tls]\ninsecure = true\n", &[]).unwrap();
        let app = App::new(Store::temporary().unwrap(), config, Arc::new(SystemClock));
        let password = app.create_first_admin("admin").await.unwrap().unwrap();
        let server = Served::start(&app, "http").await;
        let url = server.url.clone();

        // The stations: records in the store, links in the hub (their
        // streams drained so pushes never find one full).
        let t = Instant::now();
        let mut conns = Vec::with_capacity(agents);
        for i in 0..agents {
            let station = StationRecord {
                station_id: format!("st-{i:05}"),
                name: format!("PC-{i:05}"),
                ..Default::default()
            };
            let _ = app.store_for_tests().put_station(&station).unwrap();
            let (link, mut commands) = tokio::sync::mpsc::channel(16);
            tokio::spawn(async move { while commands.recv().await.is_some() {} });
            let (conn_id, _released) = app
                .hub()
                .connect(
                    &station.station_id,
                    link,
                    StationState::Locked,
                    app.now_ms(),
                )
                .await
                .unwrap();
            std::mem::forget(_released);
            conns.push((station.station_id, conn_id));
        }
        println!(
            "{agents} stations attached in {:.1} s",
            t.elapsed().as_secs_f64()
        );

        // The open feeds, each signed in on a connection of its own.
        let updates = Arc::new(AtomicU64::new(0));
        for _ in 0..feeds {
            let channel = bilik_proto::connect(&url, &bilik_proto::ServerTrust::Insecure)
                .await
                .unwrap();
            let mut client = AdminClient::new(channel);
            let token = client
                .sign_in(SignInRequest {
                    username: "admin".into(),
                    password: password.clone(),
                })
                .await
                .unwrap()
                .into_inner()
                .token;
            let mut req = tonic::Request::new(WatchStationsRequest {});
            req.metadata_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
            let mut stream = client.watch_stations(req).await.unwrap().into_inner();
            let first = stream.message().await.unwrap().unwrap();
            assert!(first.snapshot && first.stations.len() == agents);
            let updates = updates.clone();
            tokio::spawn(async move {
                while let Ok(Some(_)) = stream.message().await {
                    updates.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        println!("{feeds} feeds open");

        // Heartbeats: every station every 15 s, spread evenly.
        let running = Arc::new(AtomicBool::new(true));
        let conns = Arc::new(conns);
        let beat = {
            let (app, running, conns) = (app.clone(), running.clone(), conns.clone());
            tokio::spawn(async move {
                let per_tick = (conns.len() / 1_000).max(1);
                let tick = Duration::from_secs(15) / (conns.len() / per_tick).max(1) as u32;
                let mut interval = tokio::time::interval(tick);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                let mut next = 0;
                let mut sent = 0u64;
                while running.load(Ordering::Relaxed) {
                    interval.tick().await;
                    for _ in 0..per_tick {
                        let (id, conn) = &conns[next % conns.len()];
                        next += 1;
                        let heartbeat = Heartbeat {
                            state: StationState::Locked as i32,
                            metrics: Some(Metrics {
                                cpu_percent: 3.5,
                                memory_used_bytes: 1_500_000_000,
                                memory_total_bytes: 8_000_000_000,
                                uptime_seconds: 3600,
                                disk_free_bytes: 100_000_000_000,
                                hostname: format!("pc-{next:05}.perpustakaan.local"),
                                os: "Debian GNU/Linux 12 (bookworm)".into(),
                            }),
                            session_id: String::new(),
                        };
                        app.heartbeat(id, *conn, heartbeat).await;
                        sent += 1;
                    }
                }
                sent
            })
        };

        // Settle, then measure.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (busy0, cpu0, updates0, t0) = (
            app.hub().busy_ns(),
            process_cpu(),
            updates.load(Ordering::Relaxed),
            Instant::now(),
        );
        let mut pushes = Vec::new();
        let mut interval = tokio::time::interval(Duration::from_millis(5));
        let mut i = 0;
        while t0.elapsed() < Duration::from_secs(seconds) {
            interval.tick().await;
            let (id, _) = &conns[(i * 7919) % conns.len()];
            i += 1;
            let message = ServerMessage {
                kind: Some(server_message::Kind::Command(Command {
                    kind: Some(command::Kind::Message(ShowMessage {
                        text: "Perpustakaan tutup 15 menit lagi".into(),
                        ..Default::default()
                    })),
                    ..Default::default()
                })),
            };
            let started = Instant::now();
            let queued = app.hub().push(id, message).await;
            pushes.push(started.elapsed());
            assert!(queued, "a push found no link");
        }
        let wall = t0.elapsed();
        let busy = Duration::from_nanos(app.hub().busy_ns() - busy0);
        let cpu = process_cpu() - cpu0;
        let got = updates.load(Ordering::Relaxed) - updates0;
        running.store(false, Ordering::Relaxed);
        let beats = beat.await.unwrap();

        println!(
            "measured over {:.1} s, {beats} heartbeats in all",
            wall.as_secs_f64()
        );
        println!(
            "hub task busy               {:.2} s = {:.1} % of one core",
            busy.as_secs_f64(),
            100.0 * busy.as_secs_f64() / wall.as_secs_f64()
        );
        println!(
            "whole process CPU           {:.2} s = {:.1} % of one core",
            cpu.as_secs_f64(),
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        );
        println!("{}", summary("push (hub queues it)", pushes));
        println!(
            "feed updates received       {got} ({:.0}/s over {feeds} feeds)",
            got as f64 / wall.as_secs_f64()
        );
        let _ = tokio::time::timeout(Duration::from_secs(10), server.stop()).await;
    });
}
