//! The page frame (header, navigation, language toggle, sign-out), the
//! one-shot messages after an action, and date/time formatting.

use super::request::{Ctx, FLASH_COOKIE, encode_component, set_cookie};
use crate::app::App;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use bilik_proto::catalog::{Lang, web as t};
use maud::{DOCTYPE, Markup, html};

/// The sections of the desk, for the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nav {
    /// The live grid (home).
    Stations,
    /// Members and imports.
    Members,
    /// The usage book.
    Usage,
    /// The problems log.
    Problems,
    /// Daily recap and monthly report.
    Reports,
    /// Server health.
    Health,
    /// The audit log (admins, section heads).
    Audit,
    /// Staff accounts (admins).
    Staff,
}

/// A whole HTML document around `body`, without navigation (sign-in and
/// error pages).
pub(super) fn bare_page(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(if lang == Lang::En { "en" } else { "id" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Bilik" }
                link rel="stylesheet" href=(super::assets::CSS_PATH);
                script src=(super::assets::JS_PATH) defer {}
            }
            body { (body) }
        }
    }
}

/// The language toggle: a link to the other language.
pub(super) fn lang_toggle(lang: Lang, back: &str) -> Markup {
    let (code, label) = match lang {
        Lang::Id => ("en", "English"),
        Lang::En => ("id", "Bahasa Indonesia"),
    };
    html! {
        a.lang href=(format!("/lang/{code}?back={}", encode_component(back))) { (label) }
    }
}

/// A page of the desk: header, navigation, the last action's message.
pub(super) fn page(ctx: &Ctx, app: &App, active: Nav, title: &str, body: Markup) -> Response {
    let mut items = vec![
        (Nav::Stations, "/", t::NAV_STATIONS),
        (Nav::Members, "/members", t::NAV_MEMBERS),
        (Nav::Usage, "/usage", t::NAV_USAGE),
        (Nav::Problems, "/problems", t::NAV_PROBLEMS),
        (Nav::Reports, "/reports/daily", t::NAV_REPORTS),
        (Nav::Health, "/health", t::NAV_HEALTH),
    ];
    if ctx.is_auditor() {
        items.push((Nav::Audit, "/audit", t::NAV_AUDIT));
    }
    if ctx.is_admin() {
        items.push((Nav::Staff, "/staff", t::NAV_STAFF));
    }
    let role = match ctx.identity.role {
        bilik_proto::v1::Role::Admin => t::ROLE_ADMIN,
        bilik_proto::v1::Role::SectionHead => t::ROLE_SECTION_HEAD,
        _ => t::ROLE_LIBRARIAN,
    };
    let body = html! {
        header.top {
            div.brand {
                strong { "Bilik" }
                span.muted { (app.config().library_name) }
            }
            nav {
                @for (nav, href, label) in &items {
                    a href=(href) class=[(*nav == active).then_some("active")] { (ctx.t(label)) }
                }
            }
            div.who {
                span { (ctx.display_name) " · " (ctx.t(&role)) }
                (lang_toggle(ctx.lang, &ctx.path))
                form method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    button.link type="submit" { (ctx.t(&t::SIGN_OUT)) }
                }
            }
        }
        main {
            div #toast role="status" aria-live="polite" {}
            @if app.storage_low() {
                p.flash.bad #storage-alert role="alert" { (ctx.t(&t::STORAGE_LOW_ALERT)) }
            }
            div #alerts-live { (alerts_panel(ctx, app)) }
            @if let Some(flash) = &ctx.flash {
                p class=(if flash.ok { "flash ok" } else { "flash bad" }) role="alert" { (flash.text) }
            }
            h1 { (title) }
            (body)
        }
    };
    let mut response = bare_page(ctx.lang, title, body).into_response();
    if ctx.flash.is_some()
        && let Ok(v) = set_cookie(FLASH_COOKIE, "", 0).parse()
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The security alerts still to be dealt with, on every page, with a
/// button to dismiss each (the dismissal is audited). The stations page's
/// live feed sends it again whenever it changes.
pub(super) fn alerts_panel(ctx: &Ctx, app: &App) -> Markup {
    let alerts = app.alerts();
    html! {
        @if !alerts.is_empty() {
            section.flash.bad #security-alerts role="alert" {
                strong { (ctx.t(&t::ALERTS_TITLE)) }
                ul {
                    @for a in alerts.iter().take(20) {
                        li data-alert=(a.kind.action()) data-alert-id=(a.id) {
                            (ctx.t(&a.kind.text())) ": " strong.subject { (a.subject) }
                            " — " (a.count) " " (ctx.t(&t::ALERT_TIMES)) ", "
                            (time_hm(app, a.first_ms)) "–" (time_hm(app, a.last_ms)) " "
                            form.inline method="post" data-inline action=(format!("/alerts/{}/dismiss", a.id)) {
                                input type="hidden" name="csrf" value=(ctx.csrf);
                                input type="hidden" name="back" value=(ctx.path);
                                button.link type="submit" { (ctx.t(&t::ALERT_DISMISS)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Library-local "HH:MM" of a UTC instant.
fn time_hm(app: &App, ms: i64) -> String {
    app.local(ms).format("%H:%M").to_string()
}

/// The answer to a successful action: JSON for the dashboard's JavaScript,
/// else a redirect to `back` with the message shown there.
pub(super) fn done(ctx: &Ctx, back: &str, message: &str) -> Response {
    let mut response = if ctx.fetch {
        let body = serde_json::json!({ "ok": true, "message": message, "to": back });
        let response = axum::Json(body).into_response();
        if !ctx.inline {
            return response;
        }
        response
    } else {
        Redirect::to(back).into_response()
    };
    let value = format!("1:{}", hex::encode(message.as_bytes()));
    if let Ok(v) = set_cookie(FLASH_COOKIE, &value, 60).parse() {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// "YYYY-MM-DD HH:MM" in the library's time zone.
pub(super) fn date_time(app: &App, ms: i64) -> String {
    if ms == 0 {
        return String::new();
    }
    app.local(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// "3 min" / "2 h 5 min".
pub(super) fn duration(lang: Lang, ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let unit = t::UNIT_MINUTES.get(lang);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} {unit}"),
        (h, m) => format!("{h} {} {m} {unit}", t::UNIT_HOURS.get(lang)),
    }
}
