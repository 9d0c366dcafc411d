//! Admin pages: staff accounts (create, reset password, disable) for
//! admins; the read-only audit log, in plain words, for admins and
//! section heads.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::{Ctx, encode_component};
use crate::store::AuditQuery;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bilik_proto::catalog::audit as a;
use bilik_proto::catalog::web as t;
use bilik_proto::v1::Role;
use maud::html;
use serde::Deserialize;

/// The filters of the audit page (all optional).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditFilter {
    /// Exactly this actor (username or "system").
    #[serde(default)]
    actor: String,
    /// A kind of action: a prefix from the catalogue's kinds ("station.").
    #[serde(default)]
    kind: String,
    /// First library-local day, YYYY-MM-DD.
    #[serde(default)]
    from: String,
    /// Last library-local day, YYYY-MM-DD.
    #[serde(default)]
    to: String,
    /// Show entries below this sequence (the "older" link).
    #[serde(default)]
    before: Option<u64>,
}

/// Entries per page of the audit log.
const AUDIT_PAGE: usize = 100;

/// `GET /audit`: entries in plain words, newest first, filtered by actor,
/// kind and dates and paged; the chain's state (checked from the last
/// checkpoint) above them.
pub(super) async fn audit(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(f): Query<AuditFilter>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let day = |text: &str, field: &str| -> Result<Option<chrono::NaiveDate>, WebError> {
        match text.trim() {
            "" => Ok(None),
            t => crate::policy::parse_date(t)
                .map(Some)
                .ok_or_else(|| WebError::from(crate::app::not_a_date(field))),
        }
    };
    let (from, to) = (day(&f.from, "from")?, day(&f.to, "to")?);
    let kind = a::KINDS
        .iter()
        .find(|(prefix, _)| *prefix == f.kind)
        .map(|(prefix, _)| (*prefix).to_owned());
    let actor = Some(f.actor.trim().to_owned()).filter(|a| !a.is_empty());
    let query = AuditQuery {
        actor: actor.clone(),
        action_prefix: kind.clone(),
        from_ms: from.map(|d| app.day_start_ms(d)),
        to_ms: to.map(|d| app.day_start_ms(d.succ_opt().unwrap_or(d))),
        before_seq: f.before,
        limit: AUDIT_PAGE,
    };
    let page = app.audit_page(&ctx.identity, query)?;
    let chain = match &page.chain.bad {
        None => html! { p.flash.ok #chain-state {
            (ctx.t(&t::AUDIT_CHAIN)) ": " (ctx.t(&t::INTACT)) ". "
            (a::chain_intact(ctx.lang, page.chain.last_seq, page.chain.checked, page.chain.from_seq))
        } },
        Some(bad) => html! { p.flash.bad #chain-state {
            (ctx.t(&t::AUDIT_CHAIN)) ": " (ctx.t(&t::BROKEN)) ". "
            (a::chain_broken(ctx.lang, bad.seq, a::fault(ctx.lang, bad.fault.name())))
        } },
    };
    let older = page.entries.last().filter(|_| page.more).map(|(r, _)| {
        format!(
            "/audit?actor={}&kind={}&from={}&to={}&before={}",
            encode_component(actor.as_deref().unwrap_or("")),
            encode_component(kind.as_deref().unwrap_or("")),
            from.map(|d| d.to_string()).unwrap_or_default(),
            to.map(|d| d.to_string()).unwrap_or_default(),
            r.seq
        )
    });
    let body = html! {
        (chain)
        form.filters method="get" action="/audit" {
            label { (ctx.t(&a::FILTER_ACTOR)) select name="actor" {
                option value="" { (ctx.t(&a::ALL)) }
                @for name in &page.actors {
                    option value=(name) selected[actor.as_deref() == Some(name.as_str())] {
                        @if name == crate::app::SYSTEM_ACTOR { (ctx.t(&a::SYSTEM)) } @else { (name) }
                    }
                }
            } }
            label { (ctx.t(&a::FILTER_KIND)) select name="kind" {
                option value="" { (ctx.t(&a::ALL)) }
                @for (prefix, label) in a::KINDS {
                    option value=(prefix) selected[kind.as_deref() == Some(prefix)] { (label.get(ctx.lang)) }
                }
            } }
            label { (ctx.t(&a::FILTER_FROM)) input type="date" name="from" value=(from.map(|d| d.to_string()).unwrap_or_default()); }
            label { (ctx.t(&a::FILTER_TO)) input type="date" name="to" value=(to.map(|d| d.to_string()).unwrap_or_default()); }
            button type="submit" { (ctx.t(&a::FILTER)) }
        }
        @if page.entries.is_empty() {
            p.empty { (ctx.t(&a::NO_ENTRIES)) }
        } @else {
            div.table-wrap { table #audit {
                thead { tr { th.num { "#" } th { (ctx.t(&t::TIME)) } th { (ctx.t(&a::WHAT_HAPPENED)) }
                    th { (ctx.t(&t::ACTION)) } } }
                tbody { @for (e, valid) in &page.entries { tr {
                    td.num { (e.seq) }
                    td { (layout::date_time(app, e.at_ms)) }
                    td { (a::describe(ctx.lang, &e.actor, &e.action, &e.target, &e.detail))
                        @if !valid { " " strong.status-blocked { (ctx.t(&a::ENTRY_ALTERED)) } } }
                    td { code { (e.action) } }
                } } }
            } }
        }
        @if let Some(link) = older {
            p { a href=(link) { (ctx.t(&a::OLDER)) " →" } }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Audit,
        ctx.t(&t::NAV_AUDIT),
        body,
    ))
}

/// The role's label.
fn role_label(role: i32) -> bilik_proto::catalog::Text {
    match Role::try_from(role).unwrap_or_default() {
        Role::Admin => t::ROLE_ADMIN,
        Role::SectionHead => t::ROLE_SECTION_HEAD,
        _ => t::ROLE_LIBRARIAN,
    }
}

/// `GET /staff`.
pub(super) async fn staff_page(
    State(state): State<Shared>,
    ctx: Ctx,
) -> Result<Response, WebError> {
    let app = &state.app;
    let staff = app.list_staff(&ctx.identity)?;
    let body = html! {
        div.table-wrap { table #staff {
            thead { tr { th { (ctx.t(&t::USERNAME)) } th { (ctx.t(&t::NAME)) } th { (ctx.t(&t::NIP)) }
                th { (ctx.t(&t::ROLE)) } th { (ctx.t(&t::STATUS)) } th { (ctx.t(&t::ACTIONS)) } } }
            tbody { @for s in &staff {
                @let base = format!("/staff/{}", encode_component(&s.username));
                tr {
                    td { (s.username) } td { (s.display_name) } td { (s.nip) }
                    td { (role_label(s.role).get(ctx.lang)) }
                    td { @if s.disabled { strong.status-blocked { (ctx.t(&t::DISABLED)) } } @else { (ctx.t(&t::STATUS_ACTIVE)) } }
                    td {
                        form.inline method="post" data-inline action=(format!("{base}/password")) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            input type="password" name="password" minlength="8" required autocomplete="new-password"
                                placeholder=(ctx.t(&t::NEW_PASSWORD)) aria-label=(ctx.t(&t::NEW_PASSWORD));
                            button type="submit" { (ctx.t(&t::RESET_PASSWORD)) }
                        }
                        @if s.username != ctx.identity.username {
                            form.inline method="post" data-inline action=(format!("{base}/disabled")) {
                                input type="hidden" name="csrf" value=(ctx.csrf);
                                @if s.disabled {
                                    input type="hidden" name="disabled" value="0";
                                    button type="submit" { (ctx.t(&t::ENABLE)) }
                                } @else {
                                    input type="hidden" name="disabled" value="1";
                                    button.danger type="submit" { (ctx.t(&t::DISABLE)) }
                                }
                            }
                        }
                    }
                }
            } }
        } }
        section.panel {
            h2 { (ctx.t(&t::NEW_STAFF)) }
            form.stack method="post" data-inline action="/staff" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label { (ctx.t(&t::USERNAME)) input name="username" required pattern="[A-Za-z0-9._-]{1,64}"; }
                label { (ctx.t(&t::NAME)) input name="display_name"; }
                label { (ctx.t(&t::NIP)) input name="nip"; }
                label { (ctx.t(&t::ROLE)) select name="role" {
                    option value="librarian" { (ctx.t(&t::ROLE_LIBRARIAN)) }
                    option value="section_head" { (ctx.t(&t::ROLE_SECTION_HEAD)) }
                    option value="admin" { (ctx.t(&t::ROLE_ADMIN)) }
                } }
                label { (ctx.t(&t::PASSWORD)) input type="password" name="password" minlength="8" required autocomplete="new-password"; }
                div { button.primary type="submit" { (ctx.t(&t::CREATE)) } }
            }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Staff,
        ctx.t(&t::NAV_STAFF),
        body,
    ))
}

/// The new-account form.
#[derive(Debug, Deserialize)]
pub(super) struct NewStaffForm {
    /// Sign-in name.
    #[serde(default)]
    username: String,
    /// Shown in pages and reports.
    #[serde(default)]
    display_name: String,
    /// Civil-servant number (printed under a signature).
    #[serde(default)]
    nip: String,
    /// librarian, section_head or admin.
    #[serde(default)]
    role: String,
    /// First password.
    #[serde(default)]
    password: String,
}

/// `POST /staff`.
pub(super) async fn create_staff(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<NewStaffForm>,
) -> Result<Response, WebError> {
    let role = match form.role.as_str() {
        "librarian" => Role::Librarian,
        "section_head" => Role::SectionHead,
        "admin" => Role::Admin,
        // The app refuses it, after checking who asks.
        _ => Role::Unspecified,
    };
    let created = state
        .app
        .create_staff(
            &ctx.identity,
            &form.username,
            &form.password,
            role,
            &form.display_name,
            &form.nip,
        )
        .await?;
    let message = format!("{}: {}", ctx.t(&t::CREATED), created.username);
    Ok(layout::done(&ctx, "/staff", &message))
}

/// The reset-password form.
#[derive(Debug, Deserialize)]
pub(super) struct PasswordForm {
    /// The new password.
    #[serde(default)]
    password: String,
}

/// `POST /staff/{user}/password`.
pub(super) async fn reset_password(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(user): Path<String>,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, WebError> {
    state
        .app
        .reset_staff_password(&ctx.identity, &user, &form.password)
        .await?;
    let message = format!("{}: {user}", ctx.t(&t::PASSWORD_RESET));
    Ok(layout::done(&ctx, "/staff", &message))
}

/// The disable/enable form.
#[derive(Debug, Deserialize)]
pub(super) struct DisabledForm {
    /// "1" to disable, "0" to enable.
    #[serde(default)]
    disabled: String,
}

/// `POST /staff/{user}/disabled`.
pub(super) async fn set_disabled(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(user): Path<String>,
    axum::Form(form): axum::Form<DisabledForm>,
) -> Result<Response, WebError> {
    let disabled = form.disabled == "1";
    state
        .app
        .set_staff_disabled(&ctx.identity, &user, disabled)
        .await?;
    let said = if disabled { t::DISABLED } else { t::ENABLED };
    let message = format!("{user}: {}", ctx.t(&said));
    Ok(layout::done(&ctx, "/staff", &message))
}
