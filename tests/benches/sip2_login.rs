//! Benchmark (not a test): a card login over gRPC with the `local` member
//! source against the same login with `sip2`, the library system being
//! the third-party pysip2 server (`tests/peers/sip2_ils.py`) on loopback.
//!
//! Two servers in this process, each on a real on-disk store (temporary
//! directories, every acknowledged write durable), plain-text gRPC, a
//! clock standing in opening hours. Samples alternate between the two
//! (local login, logout, sip2 login, logout), so drift in the disk's sync
//! time hits both alike; logouts are not timed. The sip2 login asks the
//! library system with `63` on a pooled, logged-in connection.
//!
//!     BILIK_PYTHON=target/ci-venv/bin/python cargo bench -p bilik-tests --bench sip2_login
//!
//! Environment: BENCH_SAMPLES (1000 of each).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bilik_proto::ServerTrust;
use bilik_proto::v1::station_client::StationClient;
use bilik_proto::v1::*;
use bilik_server::app::App;
use bilik_server::clock::ManualClock;
use bilik_server::config::Config;
use bilik_server::store::Store;
use bilik_tests::peers::Sip2Ils;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Client = StationClient<
    tonic::service::interceptor::InterceptedService<tonic::transport::Channel, bilik_proto::Bearer>,
>;

/// A server on an on-disk store in `dir` with `overrides`; its station client.
async fn server(dir: &std::path::Path, overrides: &[String]) -> (App, Client) {
    let data_dir = dir.join("data");
    let config = Config::parse(
        &format!(
            "[server]\ndata_dir = {}\n[tls]\ninsecure = true\n",
            toml::Value::String(data_dir.display().to_string())
        ),
        overrides,
    )
    .unwrap();
    let clock = ManualClock::new(bilik_tests::wednesday_10am());
    let app = App::new(Store::open(&data_dir).unwrap(), config, Arc::new(clock));
    app.create_first_admin("admin").await.unwrap();
    let me = bilik_tests::admin_identity();
    app.upsert_member(
        &me,
        &Member {
            card: "1001".into(),
            name: "Siti Aminah".into(),
            expires: "2099-12-31".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let listener = bilik_server::listen("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let serving = app.clone();
    tokio::spawn(async move {
        bilik_server::run(serving, listener, std::future::pending::<()>())
            .await
            .unwrap();
    });
    let channel = bilik_proto::connect(&url, &ServerTrust::Insecure)
        .await
        .unwrap();
    let code = app
        .create_enrollment_code(&me, "PC-01", 60)
        .await
        .unwrap()
        .code;
    let enrolled = StationClient::new(channel.clone())
        .enroll(EnrollRequest {
            code,
            hostname: "bench".into(),
            os: "bench".into(),
            agent_version: "bench".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let client = StationClient::with_interceptor(
        channel,
        bilik_proto::Bearer::new(&enrolled.credential).unwrap(),
    );
    (app, client)
}

/// One timed login of card 1001 and its (untimed) logout.
async fn once(client: &mut Client) -> Duration {
    let t = Instant::now();
    let outcome = client
        .login(LoginRequest {
            card: "1001".into(),
            purpose: "Belajar/Tugas".into(),
            rules_version: "1".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .outcome;
    let took = t.elapsed();
    let Some(login_response::Outcome::Lease(lease)) = outcome else {
        panic!("login refused: {outcome:?}");
    };
    client
        .logout(LogoutRequest {
            session_id: lease.session_id,
        })
        .await
        .unwrap();
    took
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i]
}

fn main() {
    let samples: usize = std::env::var("BENCH_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let ils = Sip2Ils::start(0).await;
        let (local_dir, sip2_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (_local_app, mut local) = server(local_dir.path(), &[]).await;
        let (_sip2_app, mut sip2) = server(sip2_dir.path(), &ils.overrides()).await;
        // Warm-up: connections, the pool's first connection and its 93.
        for _ in 0..20 {
            once(&mut local).await;
            once(&mut sip2).await;
        }
        let (mut a, mut b) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
        for _ in 0..samples {
            a.push(once(&mut local).await);
            b.push(once(&mut sip2).await);
        }
        a.sort();
        b.sort();
        for (name, v) in [("local", &a), ("sip2 (pysip2 on loopback)", &b)] {
            println!(
                "login, {name}: n={} p50={:.2?} p90={:.2?} p99={:.2?} max={:.2?}",
                v.len(),
                quantile(v, 0.5),
                quantile(v, 0.9),
                quantile(v, 0.99),
                v[v.len() - 1]
            );
        }
    });
}
