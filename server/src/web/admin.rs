//! Admin pages: staff accounts (create, reset password, disable) for
//! admins; the read-only audit log for admins and section heads.

use super::Shared;
use super::auth::{Ctx, encode_component};
use super::error::WebError;
use super::layout::{self, Nav};
use axum::extract::{Path, State};
use axum::response::Response;
use bilik_proto::catalog::web as t;
use bilik_proto::v1::Role;
use maud::html;
use serde::Deserialize;

/// `GET /audit`: the newest entries, newest first, and whether the hash
/// chain holds.
pub async fn audit(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_auditor()?;
    let app = &state.app;
    let (entries, intact) = app.audit_log(500)?;
    let body = html! {
        p class=(if intact { "flash ok" } else { "flash bad" }) {
            (ctx.t(&t::AUDIT_CHAIN)) ": " (if intact { ctx.t(&t::INTACT) } else { ctx.t(&t::BROKEN) })
        }
        div.table-wrap { table #audit {
            thead { tr { th.num { "#" } th { (ctx.t(&t::TIME)) } th { (ctx.t(&t::ACTOR)) }
                th { (ctx.t(&t::ACTION)) } th { (ctx.t(&t::TARGET)) } th { (ctx.t(&t::DETAIL)) } } }
            tbody { @for e in entries.iter().rev() { tr {
                td.num { (e.seq) } td { (layout::date_time(app, e.at_ms)) } td { (e.actor) }
                td { code { (e.action) } } td { (e.target) } td { (e.detail) }
            } } }
        } }
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
pub async fn staff_page(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    ctx.require_admin()?;
    let app = &state.app;
    let staff = app.list_staff(&ctx.identity)?;
    let body = html! {
        div.table-wrap { table #staff {
            thead { tr { th { (ctx.t(&t::USERNAME)) } th { (ctx.t(&t::NAME)) } th { "NIP" }
                th { (ctx.t(&t::ROLE)) } th { (ctx.t(&t::STATUS)) } th { (ctx.t(&t::ACTIONS)) } } }
            tbody { @for s in &staff {
                @let base = format!("/staff/{}", encode_component(&s.username));
                tr {
                    td { (s.username) } td { (s.display_name) } td { (s.nip) }
                    td { (role_label(s.role).get(ctx.lang)) }
                    td { @if s.disabled { strong.status-blocked { (ctx.t(&t::DISABLED)) } } @else { (ctx.t(&t::STATUS_ACTIVE)) } }
                    td {
                        form.inline method="post" action=(format!("{base}/password")) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            input type="password" name="password" minlength="8" required autocomplete="new-password"
                                placeholder=(ctx.t(&t::NEW_PASSWORD)) aria-label=(ctx.t(&t::NEW_PASSWORD));
                            button type="submit" { (ctx.t(&t::RESET_PASSWORD)) }
                        }
                        @if s.username != ctx.identity.username {
                            form.inline method="post" action=(format!("{base}/disabled")) {
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
            form.stack method="post" action="/staff" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label { (ctx.t(&t::USERNAME)) input name="username" required pattern="[A-Za-z0-9._-]{1,64}"; }
                label { (ctx.t(&t::NAME)) input name="display_name"; }
                label { "NIP" input name="nip"; }
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
pub struct NewStaffForm {
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
pub async fn create_staff(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<NewStaffForm>,
) -> Result<Response, WebError> {
    ctx.require_admin()?;
    let role = match form.role.as_str() {
        "librarian" => Role::Librarian,
        "section_head" => Role::SectionHead,
        "admin" => Role::Admin,
        other => return Err(WebError::invalid(format!("role: {other:?}"))),
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
pub struct PasswordForm {
    /// The new password.
    #[serde(default)]
    password: String,
}

/// `POST /staff/{user}/password`.
pub async fn reset_password(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(user): Path<String>,
    axum::Form(form): axum::Form<PasswordForm>,
) -> Result<Response, WebError> {
    ctx.require_admin()?;
    state
        .app
        .reset_staff_password(&ctx.identity, &user, &form.password)
        .await?;
    let message = format!("{}: {user}", ctx.t(&t::PASSWORD_RESET));
    Ok(layout::done(&ctx, "/staff", &message))
}

/// The disable/enable form.
#[derive(Debug, Deserialize)]
pub struct DisabledForm {
    /// "1" to disable, "0" to enable.
    #[serde(default)]
    disabled: String,
}

/// `POST /staff/{user}/disabled`.
pub async fn set_disabled(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(user): Path<String>,
    axum::Form(form): axum::Form<DisabledForm>,
) -> Result<Response, WebError> {
    ctx.require_admin()?;
    let disabled = form.disabled == "1";
    state
        .app
        .set_staff_disabled(&ctx.identity, &user, disabled)
        .await?;
    let said = if disabled { t::DISABLED } else { t::ENABLED };
    let message = format!("{user}: {}", ctx.t(&said));
    Ok(layout::done(&ctx, "/staff", &message))
}
