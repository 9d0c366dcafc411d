//! Benchmark (not a test): the server targets of DESIGN §9 with 10,000
//! attached agents heartbeating every 15 s, on one machine, with every
//! acknowledged write made durable by the store's group commit (sled's
//! flush, then `fdatasync` of sled's log, one sync for every writer waiting
//! at that moment):
//!
//! - a bare gRPC round trip (the health service's `Check`), as the baseline;
//! - a card login (validate + durable session record), one at a time, then a
//!   logout (untimed), each login after one `fdatasync` of 100 bytes
//!   appended to a file in the store's directory (sled appends to its log):
//!   the physical floor of a durable login, sampled in step with the logins
//!   because this disk's sync time drifts;
//! - a librarian action (`SendMessage` over the Admin service) until the
//!   attached agent's stream has the pushed command;
//! - bursts of 200, then 1,000 simultaneous logins (different stations and
//!   cards, each on its own task over gRPC, released by one signal), with
//!   the device syncs each burst cost; then the same 1,000 as direct calls
//!   of `App::login` (no gRPC: how much of a burst is the transport); each
//!   burst logged out afterwards (untimed); and bursts of 200 and 1,000
//!   bare gRPC echoes on the same stations' connections: what the transport
//!   and the simulated clients cost a burst on these 2 cores, with no store;
//! - closing time, twice: every attached station in a session whose lease
//!   ends at the same instant, then one sweep (`App::sweep`), timed until
//!   every agent's stream has its End command; the first time with nothing
//!   else going on, the second with extra stations (no session) logging in
//!   and out one at a time meanwhile, each login timed as in the quiet
//!   measure;
//! - PIN guessing: 4 stations trying PINs on members that have one, each as
//!   fast as the server answers, while other stations log in one at a time
//!   (timed as in the quiet measure).
//!
//! The server runs in this process on a real on-disk store (a temporary
//! directory), with a clock that stands still (see [`BenchClock`]), gRPC in
//! plain text unless BENCH_TLS=1; the agents are simulated in the same
//! process over real gRPC. Both ends of every connection live here, so the
//! agents share HTTP/2 connections (BENCH_CONNECTIONS, default 4,000: the
//! machine allows 20,000 open files, and each connection takes two).
//! Members and stations are made 64 at a time, directly on the `App`. All
//! connections come from 127.0.0.1, so the per-address connection limit is
//! lifted (`limits.connections_per_address`).
//!
//!     cargo bench -p bilik-tests --bench load
//!
//! BENCH_TLS=1: the server speaks TLS with its own certificate and every
//! client pins it, as deployed (default: plain text).
//!
//! Environment: BENCH_AGENTS (10000), BENCH_CONNECTIONS (4000),
//! BENCH_SAMPLES (1000 of each sequential measure), BENCH_EXTRA (200 extra
//! stations, attached, logging in during the second closing sweep).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bilik_proto::ServerTrust;
use bilik_proto::store::v1::StationRecord;
use bilik_proto::v1::admin_client::AdminClient;
use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::*;
use bilik_server::app::App;
use bilik_server::clock::Clock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use bilik_tests::served::Served;
use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// A station's client, sending its credential with every call.
type Client = StationClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, bilik_proto::Bearer>,
>;

/// Lease length in this bench (`session.lease_seconds`): the closing sweep
/// stands 30 s after the logins, short of the 45 s after which a station
/// without heartbeats counts as offline, so the sweep ends sessions only.
const LEASE_SECONDS: i64 = 30;

tokio::task_local! {
    /// The instant the measured sweep sees (see [`BenchClock`]).
    static SWEEP_AT: i64;
}

/// The server's clock here: it stands still at `at`, so no lease ends and
/// no station goes offline by itself, whatever the bench's duration. Only
/// the sweep the bench starts, inside `SWEEP_AT.scope(..)`, sees the
/// instant the leases end; the server's own sweeper (every second) keeps
/// seeing the standing clock, finds nothing overdue, and so never races the
/// measured sweep.
#[derive(Debug)]
struct BenchClock {
    /// UTC ms everybody else sees.
    at: AtomicI64,
}

impl Clock for BenchClock {
    fn now_ms(&self) -> i64 {
        SWEEP_AT
            .try_with(|at| *at)
            .unwrap_or_else(|_| self.at.load(Ordering::SeqCst))
    }
}

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
    if samples.is_empty() {
        return format!("{name:<36} n=0");
    }
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[i].as_secs_f64() * 1000.0
    };
    format!(
        "{name:<36} n={:<5} p50 {:>7.3} ms  p90 {:>7.3} ms  p99 {:>7.3} ms  max {:>7.3} ms",
        samples.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The card of member `i` (station `i` logs in with it).
fn card(i: usize) -> String {
    format!("9{i:06}")
}

/// Runs `task(i)` for every `i` in `0..n`, at most `width` at a time, each
/// on its own Tokio task; the results in index order.
async fn concurrently<T, Fut>(n: usize, width: usize, task: impl Fn(usize) -> Fut) -> Vec<T>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    let mut running = tokio::task::JoinSet::new();
    for i in 0..n {
        if running.len() >= width {
            let (j, v) = running.join_next().await.unwrap().unwrap();
            out[j] = Some(v);
        }
        let fut = task(i);
        running.spawn(async move { (i, fut.await) });
    }
    while let Some(done) = running.join_next().await {
        let (j, v) = done.unwrap();
        out[j] = Some(v);
    }
    out.into_iter().map(Option::unwrap).collect()
}

/// A gRPC channel to the in-process server: TLS with the server's
/// certificate pinned when the server has one (BENCH_TLS=1), else plain text.
async fn channel(url: &str, trust: &ServerTrust) -> tonic::transport::Channel {
    bilik_proto::connect(url, trust).await.unwrap()
}

/// A patron's login request with `card`.
fn login_request(card: String) -> LoginRequest {
    LoginRequest {
        card,
        purpose: "Belajar/Tugas".into(),
        rules_version: "1".into(),
        ..Default::default()
    }
}

/// The session id of a lease (panics on a refusal).
fn lease_id(outcome: Option<login_response::Outcome>) -> String {
    match outcome.unwrap() {
        login_response::Outcome::Lease(lease) => lease.session_id,
        refused => panic!("login refused: {refused:?}"),
    }
}

/// A card login over gRPC; the session id of its lease.
async fn login(mut client: Client, card: String) -> String {
    lease_id(
        client
            .login(login_request(card))
            .await
            .unwrap()
            .into_inner()
            .outcome,
    )
}

/// The same login as a direct call of `App::login`: the server's work
/// without gRPC (a diagnostic: how much of a burst is the transport).
async fn app_login(app: App, station: StationRecord, card: String) -> String {
    lease_id(
        app.login(&station, &login_request(card))
            .await
            .unwrap()
            .outcome,
    )
}

/// A logout over gRPC.
async fn logout(mut client: Client, session_id: String) {
    client.logout(LogoutRequest { session_id }).await.unwrap();
}

/// A command that reached a simulated agent.
#[derive(Debug)]
struct Pushed {
    /// Which agent.
    index: usize,
    /// When its stream had it.
    at: Instant,
    /// Whether it was an End (a session ended by the server).
    end: bool,
}

/// One simulated agent: Hello, then a heartbeat every 15 s (first one at a
/// random point of the period, as agents start at different times), and
/// every pushed command reported with the instant it arrived.
async fn agent(
    index: usize,
    mut client: Client,
    welcomed: mpsc::UnboundedSender<usize>,
    commands: mpsc::UnboundedSender<Pushed>,
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
                Ok(Some(ServerMessage { kind: Some(server_message::Kind::Command(cmd)) })) => {
                    let end = matches!(cmd.kind, Some(command::Kind::End(_)));
                    let _ = commands.send(Pushed { index, at: Instant::now(), end });
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return,
            },
        }
    }
}

/// What one burst of simultaneous logins measured.
#[derive(Debug)]
struct Burst {
    /// Each login from the common start signal to its answer.
    from_signal: Vec<Duration>,
    /// Each login from its own task sending it to its answer.
    from_send: Vec<Duration>,
    /// Start signal to the last answer.
    wall: Duration,
    /// Device syncs the store made meanwhile.
    syncs: u64,
}

/// `n` logins at once, `login(i)` for station `i` with card `i`, each on
/// its own task, all waiting for one start signal. Also returns the
/// session ids, for the caller to log out.
async fn burst<Fut>(app: &App, n: usize, login: impl Fn(usize) -> Fut) -> (Burst, Vec<String>)
where
    Fut: Future<Output = String> + Send + 'static,
{
    let (go_tx, go) = watch::channel(false);
    let ready = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let login = login(i);
        let mut go = go.clone();
        let ready = ready.clone();
        tasks.push(tokio::spawn(async move {
            ready.fetch_add(1, Ordering::SeqCst);
            go.wait_for(|go| *go).await.unwrap();
            let sent = Instant::now();
            let session = login.await;
            (session, sent, Instant::now())
        }));
    }
    while ready.load(Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let syncs = app.store_for_tests().sync_count();
    let signal = Instant::now();
    go_tx.send(true).unwrap();
    let mut sessions = Vec::with_capacity(n);
    let (mut from_signal, mut from_send) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut last = signal;
    for task in tasks {
        let (session, sent, done) = task.await.unwrap();
        from_signal.push(done - signal);
        from_send.push(done - sent);
        last = last.max(done);
        sessions.push(session);
    }
    let burst = Burst {
        from_signal,
        from_send,
        wall: last - signal,
        syncs: app.store_for_tests().sync_count() - syncs,
    };
    (burst, sessions)
}

/// What one closing sweep measured.
#[derive(Debug)]
struct Closing {
    /// From the sweep's start to the first agent having its End.
    first: Duration,
    /// From the sweep's start to the last agent having its End.
    last: Duration,
    /// From the sweep's start to `App::sweep` returning.
    returned: Duration,
    /// Device syncs from just before the sweep to the last End.
    syncs: u64,
    /// Logins (each then logged out) made while the sweep ran.
    logins: Vec<Duration>,
    /// Logins and logouts made beside the sweep, in all.
    calls: usize,
}

/// Closing time: stations `0..agents` log in, each with its own card, at the
/// standing instant `at` (so every lease ends at `at` + the lease); then
/// one sweep at that end, timed until every agent has its End command.
/// With `beside`, the extra stations `agents..` log in and out one at a
/// time meanwhile, each login timed.
async fn closing(
    app: &App,
    clock: &BenchClock,
    clients: &[Client],
    commands: &mut mpsc::UnboundedReceiver<Pushed>,
    agents: usize,
    at: i64,
    beside: bool,
) -> Closing {
    let extra = clients.len() - agents;
    clock.at.store(at, Ordering::SeqCst);
    let t = Instant::now();
    let syncs = app.store_for_tests().sync_count();
    concurrently(agents, 200, |i| login(clients[i].clone(), card(i))).await;
    println!(
        "  {agents} logins (200 at a time) in {:.1} s, {} syncs",
        t.elapsed().as_secs_f64(),
        app.store_for_tests().sync_count() - syncs
    );
    let lease_end = at + LEASE_SECONDS * 1000;
    let t = Instant::now();
    let open = app.store_for_tests().active_sessions().unwrap();
    let scan = t.elapsed();
    assert_eq!(open.len(), agents);
    assert!(open.iter().all(|s| s.ends_at_ms == lease_end));
    println!(
        "  Store::active_sessions() of the {agents} open sessions: {:.1} ms",
        ms(scan)
    );
    // Logins beside the sweep get leases ending after the sweep's instant.
    clock.at.store(at + 1, Ordering::SeqCst);

    let syncs = app.store_for_tests().sync_count();
    let sweeper = app.clone();
    let sweep = tokio::spawn(SWEEP_AT.scope(lease_end, async move {
        let started = Instant::now();
        sweeper.sweep().await.unwrap();
        (started, Instant::now())
    }));
    let over = AtomicBool::new(false);
    let ends = async {
        let mut seen = vec![false; agents];
        let mut ends = Vec::with_capacity(agents);
        while ends.len() < agents {
            let pushed = tokio::time::timeout(Duration::from_secs(60), commands.recv())
                .await
                .expect("every End within 60 s")
                .unwrap();
            if pushed.end && pushed.index < agents && !seen[pushed.index] {
                seen[pushed.index] = true;
                ends.push(pushed.at);
            }
        }
        over.store(true, Ordering::SeqCst);
        ends
    };
    let during = async {
        let mut during = Vec::new();
        let mut k = 0;
        while beside && !over.load(Ordering::SeqCst) {
            let i = agents + k % extra;
            let sent = Instant::now();
            let session = login(clients[i].clone(), card(i)).await;
            during.push((sent, sent.elapsed()));
            logout(clients[i].clone(), session).await;
            k += 1;
        }
        during
    };
    let (ends, during) = tokio::join!(ends, during);
    let syncs = app.store_for_tests().sync_count() - syncs;
    let (started, returned) = sweep.await.unwrap();
    let first = *ends.iter().min().unwrap();
    let last = *ends.iter().max().unwrap();
    let calls = 2 * during.len();
    let logins = during
        .into_iter()
        .filter(|(sent, _)| *sent >= started && *sent <= last)
        .map(|(_, took)| took)
        .collect();
    Closing {
        first: first - started,
        last: last - started,
        returned: returned - started,
        syncs,
        logins,
        calls,
    }
}

/// Prints a burst's lines.
fn print_burst(name: &str, b: Burst) {
    println!(
        "{}",
        summary(&format!("{name}: from signal"), b.from_signal)
    );
    println!(
        "{}",
        summary(&format!("{name}: from own send"), b.from_send)
    );
    println!(
        "  {name}: last answer {:.1} ms after the signal; {} syncs",
        ms(b.wall),
        b.syncs
    );
}

fn main() {
    let agents = env_count("BENCH_AGENTS", 10_000);
    let extra = env_count("BENCH_EXTRA", 200).max(1);
    let stations = agents + extra;
    let connections = env_count("BENCH_CONNECTIONS", 4_000).clamp(1, stations);
    let samples = env_count("BENCH_SAMPLES", 1_000).min(agents);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().join("data");
        let store = Store::open(&data_dir).unwrap();
        let tls = std::env::var("BENCH_TLS").is_ok_and(|v| v == "1");
        let config = Config::parse(
            &format!(
                "[server]\ndata_dir = {}\n[session]\nlease_seconds = {LEASE_SECONDS}\n[tls]\ninsecure = {}\n\
                 [limits]\nconnections_per_address = 1000000\n",
                toml::Value::String(data_dir.display().to_string()),
                !tls
            ),
            &[],
        )
        .unwrap();
        let identity = bilik_server::tls::ServerIdentity::load_or_create(&config).unwrap();
        let standing = chrono::Utc::now().timestamp_millis();
        let clock = Arc::new(BenchClock {
            at: AtomicI64::new(standing),
        });
        let app = App::new(store, config, clock.clone());
        let (app, trust) = match identity {
            Some(identity) => {
                let pin = ServerTrust::Pinned(vec![identity.fingerprint.clone()]);
                (app.with_tls(identity), pin)
            }
            None => (app, ServerTrust::Insecure),
        };
        println!("transport: {}", if tls { "TLS (pinned)" } else { "plain text" });
        let password = app.create_first_admin("admin").await.unwrap().unwrap();
        let me = bilik_tests::admin_identity();
        let server = Served::start(&app, if tls { "https" } else { "http" }).await;
        let url = server.url.clone();

        // A member card for every station, stations for the agents and the
        // extras; 64 at a time (each write waits for its sync).
        let t = Instant::now();
        let syncs = app.store_for_tests().sync_count();
        concurrently(stations, 64, |i| {
            let (app, me) = (app.clone(), me.clone());
            async move {
                app.upsert_member(
                    &me,
                    &Member {
                        card: card(i),
                        name: format!("Anggota {i}"),
                        expires: "2099-12-31".into(),
                        category: "Umum".into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            }
        })
        .await;
        println!(
            "created {stations} members (64 at a time) in {:.1} s, {} syncs",
            t.elapsed().as_secs_f64(),
            app.store_for_tests().sync_count() - syncs
        );
        let t = Instant::now();
        let syncs = app.store_for_tests().sync_count();
        let credentials = concurrently(stations, 64, |i| {
            let (app, me) = (app.clone(), me.clone());
            async move {
                let code = app
                    .create_enrollment_code(&me, &format!("PC-{i:05}"), 0)
                    .await
                    .unwrap()
                    .code;
                app.enroll(
                    &EnrollRequest {
                        code,
                        hostname: format!("pc-{i:05}"),
                        os: "bench".into(),
                        agent_version: "bench".into(),
                        ..Default::default()
                    },
                    "127.0.0.1",
                )
                .await
                .unwrap()
                .credential
            }
        })
        .await;
        println!(
            "enrolled {stations} stations (64 at a time) in {:.1} s, {} syncs",
            t.elapsed().as_secs_f64(),
            app.store_for_tests().sync_count() - syncs
        );

        // Attach every agent: the 10,000 and the extras.
        let t = Instant::now();
        let mut channels = Vec::with_capacity(connections);
        for _ in 0..connections {
            channels.push(channel(&url, &trust).await);
        }
        let (welcomed_tx, mut welcomed) = mpsc::unbounded_channel();
        let (commands_tx, mut commands) = mpsc::unbounded_channel();
        let heartbeats = Arc::new(AtomicU64::new(0));
        let mut clients = Vec::with_capacity(stations);
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
        for _ in 0..stations {
            tokio::time::timeout(Duration::from_secs(120), welcomed.recv())
                .await
                .expect("every agent welcomed within 2 minutes")
                .unwrap();
        }
        println!(
            "attached {stations} agents ({agents} + {extra} extra) over {connections} connections in {:.1} s; RSS {:.0} MB",
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
            channel(&url, &trust).await,
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

        // Logins one at a time (each then logged out, untimed, to free the
        // station), each after one sample of the floor: an fdatasync of 100
        // bytes appended to a file in the store's directory, as sled appends
        // to its log (interleaved, as this disk's sync time drifts).
        let probe = data_dir.join("bench-fdatasync-probe");
        let mut file = std::fs::File::create(&probe).unwrap();
        let mut fdatasync = Vec::with_capacity(samples);
        let stride = (agents / samples).max(1);
        let mut logins = Vec::with_capacity(samples);
        let mut login_syncs = 0;
        for s in 0..samples {
            file.write_all(&[b'x'; 100]).unwrap();
            let t = Instant::now();
            file.sync_data().unwrap();
            fdatasync.push(t.elapsed());
            let client = clients[s * stride].clone();
            let syncs = app.store_for_tests().sync_count();
            let t = Instant::now();
            let session = login(client.clone(), card(s * stride)).await;
            logins.push(t.elapsed());
            logout(client, session).await;
            login_syncs += app.store_for_tests().sync_count() - syncs;
        }
        drop(file);
        std::fs::remove_file(&probe).unwrap();

        // Librarian pushes until the agent has the command.
        let mut admin = AdminClient::new(channel(&url, &trust).await);
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
                let pushed = tokio::time::timeout(Duration::from_secs(10), commands.recv())
                    .await
                    .expect("the pushed command within 10 s")
                    .unwrap();
                if pushed.index == target {
                    pushes.push(pushed.at.duration_since(t));
                    break;
                }
            }
        }

        println!("{}", summary("bare gRPC echo (health)", echo));
        println!("{}", summary("fdatasync 100 B (store's disk)", fdatasync));
        let quiet = logins.clone();
        println!("{}", summary("login (durable), one at a time", logins));
        println!(
            "  {samples} logins + {samples} logouts: {login_syncs} syncs ({:.2} per login or logout)",
            login_syncs as f64 / (2 * samples) as f64
        );
        println!("{}", summary("librarian push -> agent", pushes));

        // Bursts of simultaneous logins, each then logged out (untimed).
        for n in [200, 1_000] {
            let n = n.min(agents);
            let (b, sessions) = burst(&app, n, |i| login(clients[i].clone(), card(i))).await;
            concurrently(n, 100, |i| logout(clients[i].clone(), sessions[i].clone())).await;
            print_burst(&format!("burst {n}"), b);
        }
        // The transport's floor of a burst: the same stations' connections,
        // a bare gRPC echo each (no store, no login), at once.
        for n in [200, 1_000] {
            let n = n.min(agents);
            let (b, _) = burst(&app, n, |i| {
                let mut health =
                    tonic_health::pb::health_client::HealthClient::new(channels[i % connections].clone());
                async move {
                    health
                        .check(tonic_health::pb::HealthCheckRequest::default())
                        .await
                        .unwrap();
                    String::new()
                }
            })
            .await;
            print_burst(&format!("burst {n} bare gRPC echo"), b);
        }
        // The same 1,000 without gRPC: App::login called on the tasks.
        let n = 1_000.min(agents);
        let records: Vec<StationRecord> = credentials
            .iter()
            .take(n)
            .map(|c| app.authenticate_station(c).unwrap())
            .collect();
        let (b, sessions) = burst(&app, n, |i| {
            app_login(app.clone(), records[i].clone(), card(i))
        })
        .await;
        concurrently(n, 100, |i| logout(clients[i].clone(), sessions[i].clone())).await;
        print_burst(&format!("burst {n} App::login (no gRPC)"), b);

        // Closing time, alone, then with logins beside the sweep.
        for (round, beside) in [(0, false), (1, true)] {
            println!(
                "closing{}:",
                if beside { ", logins beside" } else { ", nothing beside" }
            );
            let c = closing(
                &app,
                &clock,
                &clients,
                &mut commands,
                agents,
                standing + 2 * round,
                beside,
            )
            .await;
            println!(
                "  sweep start -> all {agents} Ends received: {:.1} ms (first End {:.1} ms)",
                ms(c.last),
                ms(c.first),
            );
            println!(
                "  App::sweep returned after {:.1} ms; {} syncs meanwhile; {} logins + logouts beside",
                ms(c.returned),
                c.syncs,
                c.calls
            );
            if beside {
                println!("{}", summary("login (durable), quiet", quiet.clone()));
                println!("{}", summary("login during the closing sweep", c.logins));
            }
        }
        // PIN guessing: 4 of the extra stations try PINs on 4 members that
        // have one, each as fast as the server answers, while stations log
        // in one at a time as in the quiet measure.
        let guessers = 4.min(extra);
        for k in 0..guessers {
            app.upsert_member(
                &me,
                &Member {
                    card: format!("8{k:06}"),
                    name: format!("Pemilik PIN {k}"),
                    expires: "2099-12-31".into(),
                    category: "Umum".into(),
                    pin: "2468".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let guessing = Arc::new(AtomicBool::new(true));
        let mut guesses = tokio::task::JoinSet::new();
        for k in 0..guessers {
            let (mut client, guessing) = (clients[agents + k].clone(), guessing.clone());
            guesses.spawn(async move {
                let mut codes = std::collections::BTreeMap::<&'static str, u64>::new();
                let mut pin = 0u32;
                while guessing.load(Ordering::Relaxed) {
                    pin += 1;
                    let mut req = login_request(format!("8{k:06}"));
                    req.pin = format!("{:04}", pin % 10_000);
                    let outcome = client.login(req).await.unwrap().into_inner().outcome;
                    let code = match outcome.unwrap() {
                        login_response::Outcome::Refusal(r) => {
                            RefusalCode::try_from(r.code).unwrap().as_str_name()
                        }
                        login_response::Outcome::Lease(_) => "LEASE",
                    };
                    *codes.entry(code).or_default() += 1;
                }
                codes
            });
        }
        let rss_before = rss_mb();
        let mut guarded = Vec::with_capacity(samples);
        for s in 0..samples {
            let client = clients[s * stride].clone();
            let t = Instant::now();
            let session = login(client.clone(), card(s * stride)).await;
            guarded.push(t.elapsed());
            logout(client, session).await;
        }
        guessing.store(false, Ordering::Relaxed);
        let mut answers = std::collections::BTreeMap::<&'static str, u64>::new();
        while let Some(codes) = guesses.join_next().await {
            for (code, n) in codes.unwrap() {
                *answers.entry(code).or_default() += n;
            }
        }
        println!("PIN guessing ({guessers} stations, as fast as answered):");
        println!("{}", summary("login (durable), quiet", quiet.clone()));
        println!("{}", summary("login while 4 stations guess PINs", guarded));
        println!("  the guessers' answers: {answers:?}");
        println!(
            "  RSS before {:.0} MB, after {:.0} MB",
            rss_before,
            rss_mb()
        );
        println!(
            "RSS at the end (server + {stations} simulated agents): {:.0} MB",
            rss_mb()
        );
        let _ = tokio::time::timeout(Duration::from_secs(10), server.stop()).await;
    });
}
