//! The librarians' dashboard: axum on its own listener, HTML rendered on
//! the server (maud), a little vanilla JavaScript for the live grid (server-
//! sent events) and for actions without a reload. CSS and JS are embedded
//! in the binary. Every handler calls the [`crate::app`] use cases; no rule
//! is implemented here.
//!
//! Modules: [`auth`] (sessions, CSRF, sign-in), [`error`] (errors as clear
//! pages or JSON), [`layout`] (the page frame and formatting), one module
//! per section of the desk, [`sse`] (the live feed) and [`assets`].

mod admin;
mod assets;
mod auth;
mod error;
mod health;
mod import;
mod incidents;
mod layout;
mod members;
mod reports;
mod sse;
mod stations;
mod tls_listener;
mod usage;

use crate::app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use std::collections::HashMap;
use std::future::Future;
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

/// Largest request body: an import file plus the form around it.
const MAX_BODY: usize = crate::app::MAX_IMPORT_BYTES + 1024 * 1024;

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
        .route("/members", get(members::search))
        .route("/members/new", get(members::new_form))
        .route("/members/save", post(members::save))
        .route("/members/card/{card}", get(members::detail))
        .route("/members/card/{card}/status", post(members::set_status))
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
        .route("/reports/monthly/sign", post(reports::sign))
        .route("/assets/{file}", get(assets::serve))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(auth::csrf_guard))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Serves the dashboard on `listener` until `shutdown` resolves. Open live
/// feeds end when the hub says the server is stopping.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    match app.tls() {
        Some(tls) => {
            let config = tls
                .rustls_config(vec![b"http/1.1".to_vec()])
                .map_err(std::io::Error::other)?;
            tracing::info!(%addr, "web dashboard listening (https)");
            let listener = tls_listener::TlsListener::new(listener, config)?;
            axum::serve(listener, router(app))
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            tracing::warn!(%addr, "INSECURE: web dashboard in plain text (tls.insecure)");
            axum::serve(
                listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                }),
                router(app),
            )
            .with_graceful_shutdown(shutdown)
            .await
        }
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
