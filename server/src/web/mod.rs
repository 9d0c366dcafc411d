//! The librarians' dashboard: axum on its own listener, HTML rendered on
//! the server (maud), a little vanilla JavaScript for the live grid (server-
//! sent events) and for actions without a reload. CSS and JS are embedded
//! in the binary. Every handler calls the [`crate::app`] use cases; no rule
//! is implemented here.
//!
//! Modules: `request` (cookies, language, encoding, the signed-in
//! `request::Ctx`), `auth` (sessions, CSRF, sign-in), `error` (errors
//! as clear pages or JSON), `layout` (the page frame and formatting), one module
//! per section of the desk, `sse` (the live feed) and `assets`.

mod admin;
mod alerts;
mod assets;
mod auth;
mod error;
mod health;
mod import;
mod incidents;
mod layout;
mod members;
mod queue;
mod reports;
mod request;
mod sse;
mod stations;
mod tls_listener;
mod usage;

use crate::app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;

/// What every handler shares.
#[derive(Debug)]
pub struct WebState {
    /// The use cases.
    app: App,
    /// When the dashboard started: the health page shows the uptime.
    started: Instant,
    /// Import files previewed and waiting for confirmation, by a random id.
    /// In memory: a preview is short-lived and belongs to one signed-in user.
    imports: Mutex<HashMap<String, import::PendingImport>>,
}

/// The shared state as handlers receive it.
pub type Shared = Arc<WebState>;

/// Largest request body: an import file plus the form around it (the
/// import route, signed-in staff only).
const MAX_BODY: usize = crate::app::MAX_IMPORT_BYTES + 1024 * 1024;
/// Largest form body of signed-in staff elsewhere (a message, a member).
const MAX_FORM_BODY: usize = 64 * 1024;
/// Largest body before sign-in (the sign-in form is a few hundred bytes).
const MAX_BODY_SIGNED_OUT: usize = 8 * 1024;

/// The dashboard's routes.
pub fn router(app: App) -> Router {
    let state = Arc::new(WebState {
        app,
        started: Instant::now(),
        imports: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/", get(stations::page))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(auth::set_lang))
        .route("/events", get(sse::events))
        .route("/stations/{id}/{action}", post(stations::action))
        .route("/enrollment-code", post(stations::enrollment_code))
        .route("/queue/add", post(queue::add))
        .route("/queue/remove", post(queue::remove))
        .route("/members", get(members::search))
        .route("/members/new", get(members::new_form))
        .route("/members/save", post(members::save))
        .route("/members/card/{card}", get(members::detail))
        .route("/members/card/{card}/status", post(members::set_status))
        .route("/members/card/{card}/pin-unlock", post(members::unlock_pin))
        .route("/members/card/{card}/export", get(members::export))
        .route("/members/card/{card}/erase", post(members::erase))
        .route("/alerts/{id}/dismiss", post(alerts::dismiss))
        .route("/members/import", get(import::form).post(import::preview))
        .route("/members/import/confirm", post(import::confirm))
        .route("/usage", get(usage::page))
        .route("/usage.csv", get(usage::csv))
        .route("/problems", get(incidents::page).post(incidents::open))
        .route("/problems/{id}/resolve", post(incidents::resolve))
        .route("/audit", get(admin::audit))
        .route("/staff", get(admin::staff_page).post(admin::create_staff))
        .route("/staff/{user}/password", post(admin::reset_password))
        .route("/staff/{user}/disabled", post(admin::set_disabled))
        .route("/health", get(health::page))
        .route("/health/backup", post(health::backup))
        .route("/reports", get(reports::index))
        .route("/reports/daily", get(reports::daily))
        .route("/reports/daily/download", get(reports::daily_download))
        .route("/reports/monthly", get(reports::monthly))
        .route("/reports/monthly/download", get(reports::monthly_download))
        .route(
            "/reports/monthly/sign",
            get(reports::sign_confirm).post(reports::sign),
        )
        .route("/reports/annual/download", get(reports::annual_download))
        .route("/assets/{file}", get(assets::serve))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Longest a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves the dashboard on `listener` until `shutdown` resolves. Open live
/// feeds end when the hub says the server is stopping. Each connection is
/// bounded (see [`crate::net`]): per address, idle, TLS handshake and
/// header-read timeouts.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let tls = match app.tls() {
        Some(tls) => {
            let config = tls
                .rustls_config(vec![b"http/1.1".to_vec()])
                .map_err(std::io::Error::other)?;
            tracing::info!(%addr, "web dashboard listening (https)");
            Some(tokio_rustls::TlsAcceptor::from(config))
        }
        None => {
            tracing::warn!(%addr, "INSECURE: web dashboard in plain text (tls.insecure)");
            None
        }
    };
    let slots = crate::net::Slots::new(app.config().connection_limits());
    let routes = router(app);
    serve_routes(listener, slots, tls, routes, shutdown).await
}

/// The accept loop of an HTTP/1.1 listener (the dashboard, `/metrics`):
/// connections bounded by `slots`, TLS when an acceptor is given, every
/// request answered by `routes`, open connections finished gracefully once
/// `shutdown` resolves.
pub(crate) async fn serve_routes(
    listener: TcpListener,
    slots: Arc<crate::net::Slots>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    routes: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let mut incoming = crate::net::incoming(listener, slots);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let conn = tokio::select! {
            conn = tokio_stream::StreamExt::next(&mut incoming) => conn,
            () = &mut shutdown => break,
        };
        // The stream never ends and never fails (it waits out errors).
        let Some(Ok(conn)) = conn else { continue };
        let (routes, tls, watcher) = (routes.clone(), tls.clone(), graceful.watcher());
        tokio::spawn(async move {
            let peer = conn.peer();
            match tls {
                Some(acceptor) => {
                    if let Some(stream) = tls_listener::handshake(acceptor, conn, addr).await {
                        serve_connection(stream, peer, routes, watcher).await;
                    }
                }
                None => serve_connection(conn, peer, routes, watcher).await,
            }
        });
    }
    drop(incoming);
    graceful.shutdown().await;
    Ok(())
}

/// Serves HTTP/1.1 on one connection, each request knowing its peer.
async fn serve_connection<IO>(
    io: IO,
    peer: SocketAddr,
    routes: Router,
    watcher: hyper_util::server::graceful::Watcher,
) where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use tower::ServiceExt;
    let service = routes.map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        req.map(axum::body::Body::new)
    });
    let service = hyper_util::service::TowerToHyperService::new(service);
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = builder.serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(io), service);
    if let Err(e) = watcher.watch(conn.into_owned()).await {
        tracing::debug!(error = %e, "dashboard connection ended with an error");
    }
}

/// Headers that keep the pages out of frames and scripts from elsewhere.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; form-action 'self'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
