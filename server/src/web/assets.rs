//! The stylesheet and the script, embedded in the binary. Their paths
//! carry a version so a new binary is never served a stale cached copy.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where pages link the stylesheet.
pub(super) const CSS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");
/// Where pages load the script.
pub(super) const JS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");

/// The stylesheet.
const CSS: &str = include_str!("assets/app.css");
/// The script.
const JS: &str = include_str!("assets/app.js");

/// `GET /assets/{file}`.
pub(super) async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = if file.ends_with(".css") && CSS_PATH.ends_with(&file) {
        (CSS, "text/css; charset=utf-8")
    } else if file.ends_with(".js") && JS_PATH.ends_with(&file) {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}
