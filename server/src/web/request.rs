//! Request plumbing every dashboard handler shares: cookies (through
//! axum-extra's cookie jar), the page language, whether our JavaScript
//! asked, percent-encoding, safe local paths, and [`Ctx`], the signed-in
//! member of staff a page is for. Below [`super::error`] and
//! [`super::layout`]: it renders nothing and names no page.

use super::Shared;
use crate::app::StaffIdentity;
use crate::credentials::sha256_hex;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use bilik_proto::catalog::{Lang, Text};

/// Cookie with the staff token.
pub(super) const SESSION_COOKIE: &str = "bilik_session";
/// Cookie with the chosen language.
pub(super) const LANG_COOKIE: &str = "bilik_lang";
/// Cookie with a one-shot message for the next page (after a redirect).
pub(super) const FLASH_COOKIE: &str = "bilik_flash";
/// Header the dashboard's JavaScript sets: answer with JSON, not a page.
pub(super) const FETCH_HEADER: &str = "x-bilik-fetch";

/// The [`FETCH_HEADER`] value of a `data-inline` form (app.js sends it).
const INLINE_FORM: &str = "inline";
/// A cookie's value from the request headers (axum-extra's cookie jar
/// parses them).
pub(super) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, whole site; a
/// `max_age_s` of 0 removes the cookie.
pub(super) fn set_cookie(name: &str, value: &str, max_age_s: i64) -> String {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .build()
        .to_string()
}

/// The CSRF token bound to a session (or pre-sign-in) secret.
pub(super) fn csrf_token(secret: &str) -> String {
    sha256_hex(&format!("bilik-csrf\0{secret}"))
}

/// The language chosen with the toggle (Indonesian by default).
pub(super) fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

/// Whether the request came from the dashboard's JavaScript.
pub(super) fn is_fetch(headers: &HeaderMap) -> bool {
    headers.contains_key(FETCH_HEADER)
}

/// A one-shot message shown at the top of the next page.
#[derive(Debug, Clone)]
pub(super) struct Flash {
    /// Green (done) or red (refused).
    pub ok: bool,
    /// What to say.
    pub text: String,
}

/// Everything a page of a signed-in member of staff needs.
#[derive(Debug, Clone)]
pub(super) struct Ctx {
    /// Who is signed in, and their role.
    pub identity: StaffIdentity,
    /// The CSRF token to put in every form.
    pub csrf: String,
    /// The language of the pages.
    pub lang: Lang,
    /// Shown in the header.
    pub display_name: String,
    /// The request came from our JavaScript: answer with JSON.
    pub fetch: bool,
    /// It came from a form marked `data-inline`: the page moves on to the
    /// answer's address after a success, so the flash is left for it.
    pub inline: bool,
    /// Path and query of this request (for the language toggle).
    pub path: String,
    /// A message left by the previous action.
    pub flash: Option<Flash>,
}

impl Ctx {
    /// The catalogue text in the page's language.
    pub(super) fn t(&self, text: &Text) -> &'static str {
        text.get(self.lang)
    }

    /// Whether the signed-in person may read the audit log (which pages
    /// to offer; the app decides what they may do).
    pub(super) fn is_auditor(&self) -> bool {
        self.identity.require_auditor().is_ok()
    }

    /// Whether the signed-in person is an admin.
    pub(super) fn is_admin(&self) -> bool {
        self.identity.require_admin().is_ok()
    }
}

impl FromRequestParts<Shared> for Ctx {
    type Rejection = SignedOut;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Ctx, SignedOut> {
        let fetch = is_fetch(&parts.headers);
        let inline = parts
            .headers
            .get(FETCH_HEADER)
            .is_some_and(|v| v.as_bytes() == INLINE_FORM.as_bytes());
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let token = cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default();
        let identity = match state.app.staff_identity(&token) {
            Ok(identity) => identity,
            Err(_) if !fetch && parts.method == Method::GET => {
                return Err(SignedOut::ToLogin(path));
            }
            Err(_) => return Err(SignedOut::Refused),
        };
        let display_name = match state.app.staff_record(&identity.username) {
            Ok(Some(s)) if !s.display_name.is_empty() => s.display_name,
            _ => identity.username.clone(),
        };
        let flash = cookie(&parts.headers, FLASH_COOKIE).and_then(|v| {
            let (kind, text) = v.split_once(':')?;
            let text = String::from_utf8(hex::decode(text).ok()?).ok()?;
            Some(Flash {
                ok: kind == "1",
                text,
            })
        });
        Ok(Ctx {
            identity,
            csrf: csrf_token(&token),
            lang: lang_of(&parts.headers),
            display_name,
            fetch,
            inline,
            path,
            flash,
        })
    }
}

/// Percent-encodes a URL query component.
pub(super) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a page needing a signed-in member of staff was not served (turned
/// into a response by [`super::error`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SignedOut {
    /// A page asked for by the browser: go to sign-in, then back to this
    /// path and query.
    ToLogin(String),
    /// Anything else (our JavaScript, a form post): 401.
    Refused,
}

/// A local path to go back to (never another site): parsed as a path
/// and query and written out again, so nothing a browser would read as
/// another host (`//evil`, `/\\evil`, `/%09/evil` once decoded, a scheme)
/// survives; anything doubtful becomes `/`.
pub(super) fn local_path(next: &str) -> String {
    let plain = next.len() <= 2048
        && next.starts_with('/')
        && next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if !plain {
        return "/".to_owned();
    }
    match next.parse::<axum::http::uri::PathAndQuery>() {
        Ok(pq) if pq.path().starts_with('/') && !pq.path().starts_with("//") => {
            pq.as_str().to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; bilik_lang=en"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("bilik_session=abc"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(lang_of(&headers), Lang::En);
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn set_cookie_is_http_only_strict_and_site_wide() {
        let set = set_cookie(SESSION_COOKIE, "abc", 60);
        assert!(set.starts_with("bilik_session=abc;"), "{set}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=60"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(set_cookie(FLASH_COOKIE, "", 0).contains("Max-Age=0"));
    }
}
