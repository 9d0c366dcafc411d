//! The `/metrics` listener: plain HTTP/1.1 on an address of its own
//! (`[metrics] listen`), answering `GET /metrics` and nothing else. It
//! carries counts, never personal data, and has no sign-in: keep it on
//! loopback or a monitoring network (the packaged configuration puts it on
//! 127.0.0.1). Connections are bounded like the other listeners'.

use crate::app::App;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::future::Future;
use tokio::net::TcpListener;

/// The content type of the OpenMetrics text format.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The routes: `GET /metrics`; anything else is 404.
fn router(app: App) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .with_state(app)
}

/// `GET /metrics`.
async fn metrics(State(app): State<App>) -> Response {
    match app.metrics_text().await {
        Ok(text) => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be gathered");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics unavailable\n").into_response()
        }
    }
}

/// Serves `/metrics` on `listener` until `shutdown` resolves.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "metrics listening (http, /metrics)");
    let slots = crate::net::Slots::new(app.config().connection_limits());
    crate::web::serve_routes(listener, slots, None, router(app), shutdown).await
}
