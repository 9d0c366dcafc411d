//! Errors as the librarian sees them: a clear page (or, for the
//! dashboard's JavaScript, a JSON message), never a panic. Handlers return
//! [`WebError`]; [`render_errors`] turns it into a page in the language of
//! the request.

use super::layout;
use super::request::{SignedOut, encode_component, is_fetch, lang_of};
use crate::app::{Error as AppError, Fault, Said};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bilik_proto::catalog::{Lang, Text, web as t};
use maud::html;

/// Something the dashboard could not do, and why.
#[derive(Debug, Clone)]
pub(super) struct WebError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What kind of problem, in both languages.
    pub title: Text,
    /// The specific reason in the catalogue's words, when there is one.
    pub said: Option<Box<Said>>,
    /// The app layer's English reason for a refusal not (yet) worded in
    /// the catalogue: shown on English pages only, so an Indonesian page
    /// never carries English; may be empty.
    pub english: String,
}

impl WebError {
    /// A POST without a valid CSRF token.
    pub(super) fn csrf() -> WebError {
        WebError::new(StatusCode::FORBIDDEN, t::ERR_CSRF, "")
    }

    /// The session cookie is missing or expired.
    pub(super) fn signed_out() -> WebError {
        WebError::new(StatusCode::UNAUTHORIZED, t::ERR_SIGNED_OUT, "")
    }

    /// The request body is too large.
    pub(super) fn too_large() -> WebError {
        WebError::new(StatusCode::PAYLOAD_TOO_LARGE, t::ERR_TOO_LARGE, "")
    }

    /// A form value the dashboard itself checks, with the catalogue's
    /// reason.
    pub(super) fn invalid(reason: Text) -> WebError {
        let mut error = WebError::new(StatusCode::BAD_REQUEST, t::ERR_INVALID, "");
        error.said = Some(Box::new(Said {
            fault: Fault::Invalid,
            text: reason,
            value: String::new(),
            word: None,
        }));
        error
    }

    /// Any error.
    pub(super) fn new(status: StatusCode, title: Text, english: impl Into<String>) -> WebError {
        WebError {
            status,
            title,
            said: None,
            english: english.into(),
        }
    }

    /// The specific reason in `lang`, if there is one to show in it.
    pub(super) fn reason(&self, lang: Lang) -> Option<String> {
        match (&self.said, lang) {
            (Some(said), _) => Some(said.get(lang)),
            (None, Lang::En) if !self.english.is_empty() => Some(self.english.clone()),
            _ => None,
        }
    }

    /// "Title: reason" (or the title alone) in `lang`: one line for a
    /// form's error or a JSON message.
    pub(super) fn message(&self, lang: Lang) -> String {
        let title = self.title.get(lang);
        match self.reason(lang) {
            Some(reason) => format!("{title}: {reason}"),
            None => title.to_owned(),
        }
    }
}

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        match self {
            SignedOut::ToLogin(path) => {
                let next = encode_component(&path);
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            SignedOut::Refused => WebError::signed_out().into_response(),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        let (status, title) = match &e {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, t::ERR_NOT_FOUND),
            AppError::InvalidArgument(_) | AppError::Import(_) => {
                (StatusCode::BAD_REQUEST, t::ERR_INVALID)
            }
            AppError::FailedPrecondition(_) | AppError::AlreadyExists(_) => {
                (StatusCode::CONFLICT, t::ERR_NOT_NOW)
            }
            AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, t::ERR_SIGNED_OUT),
            AppError::PermissionDenied(_) => (StatusCode::FORBIDDEN, t::ERR_FORBIDDEN),
            AppError::ResourceExhausted(_) => (StatusCode::TOO_MANY_REQUESTS, t::ERR_NOT_NOW),
            AppError::Said(said) => {
                let status = match said.fault {
                    Fault::Invalid => StatusCode::BAD_REQUEST,
                    Fault::NotFound => StatusCode::NOT_FOUND,
                    Fault::NotNow | Fault::Exists => StatusCode::CONFLICT,
                };
                let title = match said.fault {
                    Fault::Invalid => t::ERR_INVALID,
                    Fault::NotFound => t::ERR_NOT_FOUND,
                    Fault::NotNow | Fault::Exists => t::ERR_NOT_NOW,
                };
                return WebError {
                    status,
                    title,
                    said: Some(Box::new(said.clone())),
                    english: String::new(),
                };
            }
            AppError::Store(_) | AppError::Secret(_) => {
                tracing::error!(error = %e, "dashboard request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, t::ERR_SERVER)
            }
        };
        WebError::new(status, title, e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Turns a [`WebError`] left in a response into a page or a JSON message,
/// in the language of the request.
pub(super) async fn render_errors(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let fetch = is_fetch(request.headers());
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<WebError>().cloned() else {
        return response;
    };
    let title = error.title.get(lang);
    if fetch {
        let body = serde_json::json!({ "ok": false, "message": error.message(lang) });
        return (error.status, axum::Json(body)).into_response();
    }
    let body = html! {
        main.narrow {
            h1 { (error.status.as_u16()) " — " (title) }
            @if let Some(reason) = error.reason(lang) {
                p.flash.bad role="alert" { (reason) }
            }
            p { a href="/" { (t::BACK_HOME.get(lang)) } }
        }
    };
    (error.status, layout::bare_page(lang, title, body)).into_response()
}

/// Any path the dashboard does not have.
pub(super) async fn not_found() -> WebError {
    WebError::new(StatusCode::NOT_FOUND, t::ERR_NOT_FOUND, "")
}
