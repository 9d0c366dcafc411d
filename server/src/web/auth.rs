//! Staff sessions on the dashboard: the HttpOnly, SameSite=Strict cookie
//! holding the app's staff token, the CSRF token every form carries (and
//! the guard that refuses any POST without it), sign-in, sign-out and the
//! language cookie. Lock-out and disabled accounts are the app's rules
//! ([`crate::app::App::sign_in`]).

use super::error::WebError;
use super::request::{
    LANG_COOKIE, SESSION_COOKIE, cookie, csrf_token, lang_of, local_path, set_cookie,
};
use super::{MAX_BODY, MAX_BODY_SIGNED_OUT, MAX_FORM_BODY, Shared, layout};
use crate::app::Error as AppError;
use crate::credentials::{random_hex, same_hash};
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bilik_proto::catalog::{Lang, web as t};
use maud::html;
use serde::Deserialize;

/// Cookie with a random secret before sign-in: the sign-in form's CSRF
/// token is derived from it.
const PRE_COOKIE: &str = "bilik_pre";
/// Header that may carry the CSRF token instead of a form field.
const CSRF_HEADER: &str = "x-csrf-token";

/// The one route whose body may be large (an import file), for signed-in
/// staff only.
const IMPORT_PATH: &str = "/members/import";

/// Refuses every state-changing request whose CSRF token (form field
/// `csrf` or header `x-csrf-token`) does not match the session's (or, for
/// the sign-in form, the pre-sign-in cookie's). Bodies are bounded before
/// anything reads them: [`MAX_BODY_SIGNED_OUT`] without a valid session,
/// [`MAX_FORM_BODY`] for a form, [`MAX_BODY`] only for an import by
/// signed-in staff; a declared length over the limit is refused unread.
pub(super) async fn csrf_guard(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let session = cookie(&parts.headers, SESSION_COOKIE).filter(|s| !s.is_empty());
    let signed_in = session
        .as_deref()
        .is_some_and(|token| state.app.staff_identity(token).is_ok());
    let limit = match (signed_in, parts.uri.path() == IMPORT_PATH) {
        (false, _) => MAX_BODY_SIGNED_OUT,
        (true, false) => MAX_FORM_BODY,
        (true, true) => MAX_BODY,
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        tracing::warn!(path = %parts.uri.path(), limit, "POST refused unread: body over the limit");
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large();
    };
    let secrets: Vec<String> = [SESSION_COOKIE, PRE_COOKIE]
        .iter()
        .filter_map(|name| cookie(&parts.headers, name))
        .filter(|s| !s.is_empty())
        .collect();
    let given = match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        Some(token) => Some(token.to_owned()),
        None => form_token(&parts.headers, &bytes).await,
    };
    let valid = given.is_some_and(|given| {
        secrets
            .iter()
            .any(|secret| same_hash(&csrf_token(secret), &given))
    });
    if !valid {
        tracing::warn!(path = %parts.uri.path(), "POST refused: missing or wrong CSRF token");
        return WebError::csrf().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// 413, and the connection closed (the rest of the body is never read).
fn too_large() -> Response {
    let mut response = WebError::too_large().into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// Only the `csrf` field of a form.
#[derive(Debug, Deserialize)]
struct CsrfField {
    /// The token the page put in the form.
    csrf: String,
}

/// The `csrf` field of a url-encoded or multipart body (already read and
/// bounded by the guard: no second limit applies here).
async fn form_token(headers: &HeaderMap, bytes: &axum::body::Bytes) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).ok()?;
        let body = tokio_stream::once(Ok::<_, std::io::Error>(bytes.clone()));
        let mut form = multer::Multipart::new(body, boundary);
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some("csrf") {
                return field.text().await.ok();
            }
        }
        None
    } else {
        let request = Request::builder()
            .method(Method::POST)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(bytes.clone()))
            .ok()?;
        axum::Form::<CsrfField>::from_request(request, &())
            .await
            .ok()
            .map(|f| f.0.csrf)
    }
}

/// `?next=` of the sign-in page.
#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    /// Where to go after signing in.
    #[serde(default)]
    next: String,
}

/// The sign-in page.
pub(super) async fn login_page(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    login_response(&headers, &q.next, None, StatusCode::OK)
}

/// The sign-in form, with a message when the last try failed.
fn login_response(
    headers: &HeaderMap,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let lang = lang_of(headers);
    let (pre, fresh) = match cookie(headers, PRE_COOKIE).filter(|p| p.len() == 32) {
        Some(p) => (p, false),
        None => match random_hex(16) {
            Ok(p) => (p, true),
            Err(e) => return WebError::from(AppError::from(e)).into_response(),
        },
    };
    let body = html! {
        main.login {
            h1 { "Bilik" }
            p.muted { (t::LOGIN_INTRO.get(lang)) }
            @if let Some(error) = error {
                p.flash.bad role="alert" { (error) }
            }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf_token(&pre));
                input type="hidden" name="next" value=(local_path(next));
                label { (t::USERNAME.get(lang))
                    input name="username" autocomplete="username" required autofocus; }
                label { (t::PASSWORD.get(lang))
                    input type="password" name="password" autocomplete="current-password" required; }
                button.primary type="submit" { (t::SIGN_IN.get(lang)) }
            }
            p { (layout::lang_toggle(lang, "/login")) }
        }
    };
    let page = layout::bare_page(lang, t::SIGN_IN.get(lang), body);
    let mut response = (status, page).into_response();
    if fresh && let Ok(v) = set_cookie(PRE_COOKIE, &pre, 3600).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    /// Staff username.
    #[serde(default)]
    username: String,
    /// Their password.
    #[serde(default)]
    password: String,
    /// Where to go afterwards.
    #[serde(default)]
    next: String,
}

/// The address a request came from (its IP, not the port), as the
/// throttles key it; "unknown" where the server was run without it.
#[derive(Debug, Clone)]
pub(super) struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Source, Self::Rejection> {
        Ok(Source(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

/// Signs in: sets the session cookie and goes on, or shows why not.
pub(super) async fn login(
    State(state): State<Shared>,
    Source(source): Source,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    match state
        .app
        .sign_in(&form.username, &form.password, &source)
        .await
    {
        Ok(signed) => {
            let max_age = ((signed.expires_at_ms - state.app.now_ms()) / 1000).max(60);
            let mut response = Redirect::to(&local_path(&form.next)).into_response();
            if let Ok(v) = set_cookie(SESSION_COOKIE, &signed.token, max_age).parse() {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(e) => {
            let (message, status) = match e {
                AppError::ResourceExhausted(_) => {
                    (t::ACCOUNT_LOCKED.get(lang), StatusCode::TOO_MANY_REQUESTS)
                }
                AppError::PermissionDenied(_) => {
                    (t::ACCOUNT_DISABLED.get(lang), StatusCode::UNAUTHORIZED)
                }
                AppError::Unauthenticated(_) => {
                    (t::WRONG_PASSWORD.get(lang), StatusCode::UNAUTHORIZED)
                }
                other => return WebError::from(other).into_response(),
            };
            login_response(&headers, &form.next, Some(message), status)
        }
    }
}

/// Signs out: forgets the token and clears the cookie.
pub(super) async fn logout(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(who) = state.app.staff_identity(&token) {
            tracing::info!(user = %who.username, "staff signed out of the dashboard");
        }
        state.app.sign_out(&token);
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", 0).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// `?back=` of the language toggle.
#[derive(Debug, Deserialize)]
pub(super) struct LangQuery {
    /// The page to go back to.
    #[serde(default)]
    back: String,
}

/// Switches the language and goes back to the page.
pub(super) async fn set_lang(Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let value = if lang == Lang::En { "en" } else { "id" };
    let mut response = Redirect::to(&local_path(&q.back)).into_response();
    if let Ok(v) = set_cookie(LANG_COOKIE, value, 365 * 24 * 3600).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
