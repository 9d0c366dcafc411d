//! Bilik's central server.
//!
//! Module map:
//! - [`config`]: the TOML configuration, read as a whole.
//! - [`clock`]: where "now" comes from (manual in tests).
//! - [`hours`]: weekly opening hours.
//! - [`policy`]: pure rules: card validity, lease length.
//! - [`privacy`]: pure rules of pseudonymised session rows (retention).
//! - [`credentials`]: passwords, tokens, station credentials, enrolment codes.
//! - [`tls`]: the server's certificate (made at first start) that clients pin.
//! - [`secrets`]: owner-only files and directories for what is secret at rest.
//! - [`sip2`]: the library system (ILS) over SIP2, when it validates cards.
//! - [`store`]: the only module that touches sled.
//! - [`throttle`]: the one rate limiter (backoff per key after free failures).
//! - [`import`]: member files from other library systems (SLiMS).
//! - [`net`]: connection limits of both listeners (per address, idle).
//! - [`hub`]: the task that owns live agent links and pushes commands.
//! - [`metrics`]: the `/metrics` endpoint (OpenMetrics) on its own listener.
//! - [`app`]: the use cases, shared by gRPC and the dashboard.
//! - [`grpc`]: the tonic services.
//! - [`cli`]: the admin subcommands, a gRPC client of a running server.
//! - [`demo`]: simulated stations for `serve --demo`.
//! - [`watch`]: the website watch's checks of the library's website, OPAC
//!   and uplink (SOP 07).
//! - [`web`]: the librarians' dashboard (axum, server-rendered HTML).
//!
//! [`run`] serves on a given listener until a shutdown future resolves, so
//! tests run the real server in-process on `127.0.0.1:0`; [`run_with_web`]
//! serves the dashboard on a second listener beside it, [`run_with_side`]
//! the dashboard and `/metrics`.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod grpc;
pub mod hours;
pub mod hub;
pub mod import;
pub mod metrics;
pub mod net;
pub mod policy;
pub mod privacy;
pub mod report;
pub mod secrets;
pub mod sip2;
pub mod store;
pub mod throttle;
pub mod tls;
pub mod watch;
pub mod web;

use app::App;
use bilik_proto::v1::admin_server::AdminServer;
use bilik_proto::v1::station_server::StationServer;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding or serving failed.
    #[error("cannot serve: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The reflection service could not be built from the descriptors.
    #[error("cannot build gRPC reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The web dashboard stopped with an I/O error.
    #[error("the web dashboard failed: {0}")]
    Web(std::io::Error),
    /// The `/metrics` listener stopped with an I/O error.
    #[error("the metrics listener failed: {0}")]
    Metrics(std::io::Error),
    /// The store is not fit to serve (e.g. a malformed signing key).
    #[error("cannot start: {0}")]
    Start(#[from] app::Error),
}

/// How long a stopping server waits for open calls to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Longest a client may take over the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest admin request (an import file travels in one message).
const MAX_ADMIN_MESSAGE: usize = app::MAX_IMPORT_BYTES + 1024 * 1024;

/// Opens a listening socket (TLS is set up by [`run`] and the dashboard from
/// the application's identity).
pub async fn listen(addr: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })
}

/// Serves the Station and Admin services (plus gRPC health and reflection)
/// on `listener` until `shutdown` resolves, with the lease sweeper running.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    app.ensure_signing_key().await?;
    app.keep_reserve();
    let (station, admin) = grpc::services(&app);
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<StationServer<grpc::StationService>>()
        .await;
    health
        .set_serving::<AdminServer<grpc::AdminService>>()
        .await;
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(bilik_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;

    let sweeper = tokio::spawn(sweep_forever(app.clone()));
    let backups = tokio::spawn(backup_forever(app.clone()));
    let retention = tokio::spawn(retention_forever(app.clone()));
    let website_watch = tokio::spawn(watch_forever(app.clone()));
    // On shutdown, end the agents' endless streams first: a graceful stop
    // waits for open streams. Anything still open after a grace period is cut.
    let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
    let hub = app.hub().clone();
    let signal = async move {
        shutdown.await;
        hub.close_all().await;
        let _ = stopping_tx.send(true);
    };
    let grace = async move {
        let _ = stopping.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    let mut builder =
        tonic::transport::Server::builder().http2_keepalive_interval(Some(Duration::from_secs(20)));
    match app.tls() {
        Some(tls) => {
            let identity = tonic::transport::Identity::from_pem(&tls.cert_pem, &tls.key_pem);
            builder = builder.tls_config(
                tonic::transport::ServerTlsConfig::new()
                    .identity(identity)
                    .timeout(HANDSHAKE_TIMEOUT),
            )?;
            tracing::info!(fingerprint = %tls.fingerprint, "gRPC over TLS");
        }
        None => tracing::warn!(
            "INSECURE: gRPC in plain text (tls.insecure): station credentials, staff \
             passwords and card numbers cross the network readable by anyone on it"
        ),
    }
    // Bounded per address and closed when idle (see `net`); no Nagle.
    let incoming = net::incoming(listener, net::Slots::new(app.config().connection_limits()));
    let serve = builder
        .add_service(health_service)
        .add_service(reflection)
        .add_service(StationServer::new(station))
        .add_service(AdminServer::new(admin).max_decoding_message_size(MAX_ADMIN_MESSAGE))
        .serve_with_incoming_shutdown(incoming, signal);
    let result = tokio::select! {
        r = serve => r,
        () = grace => {
            tracing::warn!("connections still open after the grace period: closing them");
            Ok(())
        }
    };
    sweeper.abort();
    backups.abort();
    retention.abort();
    website_watch.abort();
    if let Err(e) = app.store().sync().await {
        tracing::error!(error = %e, "final sync failed");
    }
    result?;
    Ok(())
}

/// Like [`run`], and serves the web dashboard on `web` (when given) until
/// the same shutdown; both stop together.
pub async fn run_with_web(
    app: App,
    listener: TcpListener,
    web: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let side = SideListeners { web, metrics: None };
    run_with_side(app, listener, side, shutdown).await
}

/// The listeners beside gRPC, each optional.
#[derive(Debug, Default)]
pub struct SideListeners {
    /// The web dashboard (`server.web_listen`).
    pub web: Option<TcpListener>,
    /// `/metrics` (`metrics.listen`).
    pub metrics: Option<TcpListener>,
}

/// How a side listener's failure becomes the server's error.
type SideFailed = fn(std::io::Error) -> ServeError;

/// Like [`run`], and serves the dashboard and `/metrics` on their listeners
/// (when given) until the same shutdown; all stop together.
pub async fn run_with_side(
    app: App,
    listener: TcpListener,
    side: SideListeners,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    if side.web.is_none() && side.metrics.is_none() {
        return run(app, listener, shutdown).await;
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    };
    let dashboard = side
        .web
        .map(|web| tokio::spawn(web::serve(app.clone(), web, stopped())));
    let metrics = side
        .metrics
        .map(|l| tokio::spawn(metrics::listener::serve(app.clone(), l, stopped())));
    let result = run(app, listener, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    })
    .await;
    let mut side_result = Ok(());
    let sides: [(&str, _, SideFailed); 2] = [
        ("dashboard", dashboard, ServeError::Web),
        ("metrics listener", metrics, ServeError::Metrics),
    ];
    for (what, task, failed) in sides {
        let Some(task) = task else { continue };
        let r = match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
            Ok(Ok(r)) => r.map_err(failed),
            Ok(Err(e)) => Err(failed(std::io::Error::other(e))),
            Err(_) => {
                tracing::warn!("the {what} did not stop within the grace period");
                Ok(())
            }
        };
        side_result = side_result.and(r);
    }
    result.and(side_result)
}

/// Closes overdue leases and marks silent stations offline, forever.
async fn sweep_forever(app: App) {
    let mut tick = tokio::time::interval(Duration::from_millis(app.config().sweep_interval_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = app.sweep().await {
            tracing::error!(error = %e, "sweep failed");
        }
    }
}

/// Takes a backup every `backup.interval_minutes` (none when 0), the first
/// one an interval after the start.
async fn backup_forever(app: App) {
    let minutes = app.config().backup_interval_minutes;
    if minutes == 0 {
        return;
    }
    let period = Duration::from_secs(u64::from(minutes) * 60);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = app.backup_now(None).await {
            tracing::error!(error = %e, "scheduled backup failed");
        }
    }
}

/// Pseudonymises session rows past `privacy.retention_days` once a day,
/// the first time a minute after the start (nothing when it is 0).
async fn retention_forever(app: App) {
    if app.config().retention_days == 0 {
        return;
    }
    let period = Duration::from_secs(24 * 3600);
    let first = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut tick = tokio::time::interval_at(first, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = app.apply_retention().await {
            tracing::error!(error = %e, "retention job failed");
        }
    }
}

/// Checks every `[[watch.site]]` on its own schedule, the first time at
/// the start; aborting this task stops every check (the set drops).
async fn watch_forever(app: App) {
    let sites = app.config().watch.sites.clone();
    if sites.is_empty() {
        return;
    }
    let system = tokio::task::spawn_blocking(watch::cert::system_roots)
        .await
        .unwrap_or_default();
    let mut checks = tokio::task::JoinSet::new();
    for site in sites {
        let roots = std::sync::Arc::new(watch::cert::roots(&system, &site.ca_file));
        let app = app.clone();
        checks.spawn(async move {
            let mut tick = tokio::time::interval(site.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let outcome = watch::probe::check(&site, roots.clone()).await;
                if let Err(e) = app.record_check(&site, &outcome).await {
                    tracing::error!(site = %site.name, error = %e, "watch: recording a check failed");
                }
            }
        });
    }
    while checks.join_next().await.is_some() {}
}
