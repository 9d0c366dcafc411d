//! Benchmark (not a test): the server targets of DESIGN §9 with 10,000
//! attached agents heartbeating every 15 s, on one machine:
//!
//! - a bare gRPC round trip (the health service's `Check`), as the baseline;
//! - a card login (validate + durable session record, flushed before the
//!   answer), then a logout (untimed);
//! - a librarian action (`SendMessage` over the Admin service) until the
//!   attached agent's stream has the pushed command.
//!
//! The server runs in this process on a real on-disk store (a temporary
//! directory), with the system clock; the agents are simulated in the same
//! process over real gRPC. Both ends of every connection live here, so the
//! agents share HTTP/2 connections (BENCH_CONNECTIONS, default 4,000: the
//! machine allows 20,000 open files, and each connection takes two).
//!
//!     cargo bench -p bilik-tests --bench load
//!
//! Environment: BENCH_AGENTS (10000), BENCH_CONNECTIONS (4000),
//! BENCH_SAMPLES (1000 of each measure).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::*;
use bilik_server::app::{App, StaffIdentity};
use bilik_server::clock::SystemClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident set size of this process (server + simulated agents), MB.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// "p50 … p90 … p99 … max" of latencies, in ms.
fn summary(name: &str, mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1000.0
    };
    format!(
        "{name:<28} n={:<5} p50 {:>7.3} ms  p90 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        samples.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    )
}

/// One simulated agent: Hello, then a heartbeat every 15 s (first one at a
/// random point of the period, as agents start at different times), and
/// every pushed command reported with the instant it arrived.
async fn agent(
    index: usize,
    client: StationClient<
        tonic::service::interceptor::InterceptedService<
            tonic::transport::Channel,
            bilik_proto::Bearer,
        >,
    >,
    welcomed: mpsc::UnboundedSender<usize>,
    commands: mpsc::UnboundedSender<(usize, Instant)>,
    heartbeats: Arc<AtomicU64>,
) {
    let (tx, rx) = mpsc::channel(4);
    tx.send(AgentMessage {
        kind: Some(agent_message::Kind::Hello(Hello {
            boot_id: uuid::Uuid::new_v4().to_string(),
            agent_version: "bench".into(),
            state: StationState::Locked as i32,
            ..Default::default()
        })),
    })
    .await
    .unwrap();
    let mut client = client;
    let mut down = client
        .attach(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    let offset = Duration::from_millis((index as u64 * 7919) % 15_000);
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + offset,
        Duration::from_secs(15),
    );
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let beat = AgentMessage {
                    kind: Some(agent_message::Kind::Heartbeat(Heartbeat {
                        state: StationState::Locked as i32,
                        ..Default::default()
                    })),
                };
                if tx.send(beat).await.is_err() {
                    return;
                }
                heartbeats.fetch_add(1, Ordering::Relaxed);
            }
            msg = down.message() => match msg {
                Ok(Some(ServerMessage { kind: Some(server_message::Kind::Welcome(_)) })) => {
                    let _ = welcomed.send(index);
                }
                Ok(Some(ServerMessage { kind: Some(server_message::Kind::Command(_)) })) => {
                    let _ = commands.send((index, Instant::now()));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return,
            },
        }
    }
}

fn main() {
    let agents = env_count("BENCH_AGENTS", 10_000);
    let connections = env_count("BENCH_CONNECTIONS", 4_000).clamp(1, agents.max(1));
    let samples = env_count("BENCH_SAMPLES", 1_000).min(agents);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let config = Config::parse("", &[]).unwrap();
        let app = App::new(store, config, Arc::new(SystemClock));
        let password = app.create_first_admin("admin").await.unwrap().unwrap();
        let me = StaffIdentity {
            username: "admin".into(),
            role: Role::Admin,
            expires_at_ms: i64::MAX,
        };
        let listener = bilik_server::listen("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = app.clone();
        let server = tokio::spawn(async move {
            bilik_server::run(serving, listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });

        // Members for the logins, stations for the agents.
        for i in 0..samples {
            app.upsert_member(
                &me,
                &Member {
                    card: format!("9{i:06}"),
                    name: format!("Anggota {i}"),
                    expires: "2099-12-31".into(),
                    category: "Umum".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let t = Instant::now();
        let mut credentials = Vec::with_capacity(agents);
        for i in 0..agents {
            let code = app
                .create_enrollment_code(&me, &format!("PC-{i:05}"), 0)
                .await
                .unwrap()
                .code;
            let enrolled = app
                .enroll(&EnrollRequest {
                    code,
                    hostname: format!("pc-{i:05}"),
                    os: "bench".into(),
                    agent_version: "bench".into(),
                    ..Default::default()
                })
                .await
                .unwrap();
            credentials.push(enrolled.credential);
        }
        println!(
            "enrolled {agents} stations in {:.1} s",
            t.elapsed().as_secs_f64()
        );

        // Attach every agent.
        let t = Instant::now();
        let mut channels = Vec::with_capacity(connections);
        for _ in 0..connections {
            channels.push(bilik_proto::connect(&url).await.unwrap());
        }
        let (welcomed_tx, mut welcomed) = mpsc::unbounded_channel();
        let (commands_tx, mut commands) = mpsc::unbounded_channel();
        let heartbeats = Arc::new(AtomicU64::new(0));
        let mut clients = Vec::with_capacity(agents);
        for (i, credential) in credentials.iter().enumerate() {
            let client = StationClient::with_interceptor(
                channels[i % connections].clone(),
                bilik_proto::Bearer::new(credential).unwrap(),
            );
            clients.push(client.clone());
            tokio::spawn(agent(
                i,
                client,
                welcomed_tx.clone(),
                commands_tx.clone(),
                heartbeats.clone(),
            ));
        }
        for _ in 0..agents {
            tokio::time::timeout(Duration::from_secs(120), welcomed.recv())
                .await
                .expect("every agent welcomed within 2 minutes")
                .unwrap();
        }
        println!(
            "attached {agents} agents over {connections} connections in {:.1} s; RSS {:.0} MB",
            t.elapsed().as_secs_f64(),
            rss_mb()
        );
        // Let a full heartbeat period pass so the measures run under it.
        let beats_before = heartbeats.load(Ordering::Relaxed);
        let settle = Instant::now();
        tokio::time::sleep(Duration::from_secs(15)).await;
        let beats = heartbeats.load(Ordering::Relaxed) - beats_before;
        println!(
            "heartbeats: {beats} in {:.1} s ({:.0}/s)",
            settle.elapsed().as_secs_f64(),
            beats as f64 / settle.elapsed().as_secs_f64()
        );

        // The baseline: a bare gRPC round trip.
        let mut health = tonic_health::pb::health_client::HealthClient::new(
            bilik_proto::connect(&url).await.unwrap(),
        );
        let mut echo = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t = Instant::now();
            health
                .check(tonic_health::pb::HealthCheckRequest::default())
                .await
                .unwrap();
            echo.push(t.elapsed());
        }

        // Logins (each then logged out, untimed, to free the station).
        let stride = (agents / samples).max(1);
        let mut logins = Vec::with_capacity(samples);
        for s in 0..samples {
            let mut client = clients[s * stride].clone();
            let t = Instant::now();
            let outcome = client
                .login(LoginRequest {
                    card: format!("9{s:06}"),
                    purpose: "Belajar/Tugas".into(),
                    rules_version: "1".into(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner()
                .outcome
                .unwrap();
            logins.push(t.elapsed());
            let login_response::Outcome::Lease(lease) = outcome else {
                panic!("login refused: {outcome:?}");
            };
            client
                .logout(LogoutRequest {
                    session_id: lease.session_id,
                })
                .await
                .unwrap();
        }

        // Librarian pushes until the agent has the command.
        let mut admin = AdminClient::new(bilik_proto::connect(&url).await.unwrap());
        let token = admin
            .sign_in(SignInRequest {
                username: "admin".into(),
                password,
            })
            .await
            .unwrap()
            .into_inner()
            .token;
        let mut pushes = Vec::with_capacity(samples);
        for s in 0..samples {
            let target = s * stride;
            let t = Instant::now();
            let delivered = admin
                .send_message(bilik_tests::with_bearer(
                    SendMessageRequest {
                        station: format!("PC-{target:05}"),
                        text: "Mohon tenang".into(),
                    },
                    &token,
                ))
                .await
                .unwrap()
                .into_inner()
                .delivered;
            assert!(delivered, "station {target} not attached");
            loop {
                let (index, at) = tokio::time::timeout(Duration::from_secs(10), commands.recv())
                    .await
                    .expect("the pushed command within 10 s")
                    .unwrap();
                if index == target {
                    pushes.push(at.duration_since(t));
                    break;
                }
            }
        }

        println!("{}", summary("bare gRPC echo (health)", echo));
        println!("{}", summary("login (durable)", logins));
        println!("{}", summary("librarian push -> agent", pushes));
        println!(
            "RSS at the end (server + {agents} simulated agents): {:.0} MB",
            rss_mb()
        );
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    });
}
