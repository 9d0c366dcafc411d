//! Members: search by card or name, add and edit, block and unblock, and
//! one member's session history. Imports are in [`super::import`].

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::{Ctx, encode_component};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use bilik_proto::catalog::{Text, web as t};
use bilik_proto::v1::{Gender, Member, MemberStatus, QuerySessionsRequest};
use maud::{Markup, html};
use serde::Deserialize;

/// `?q=&page=` of the member search.
#[derive(Debug, Deserialize)]
pub(super) struct SearchQuery {
    /// Card prefix or words of the name.
    #[serde(default)]
    q: String,
    /// 1-based page number (a bad one is the first page).
    #[serde(default)]
    page: String,
}

/// Members per page of the search.
const PER_PAGE: u32 = 50;

/// The member's status, as a word and a CSS class.
fn status_label(status: i32) -> (&'static str, Text) {
    match MemberStatus::try_from(status).unwrap_or_default() {
        MemberStatus::Blocked => ("status-blocked", t::STATUS_BLOCKED),
        MemberStatus::Pending => ("status-pending", t::STATUS_PENDING),
        _ => ("status-active", t::STATUS_ACTIVE),
    }
}

/// `GET /members`.
pub(super) async fn search(
    State(state): State<Shared>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let page_no = q.page.trim().parse::<u32>().unwrap_or(1).clamp(1, 100_000);
    let result = state
        .app
        .search_members(&q.q, (page_no - 1) * PER_PAGE, PER_PAGE)?;
    let found = &result.members;
    let pages = result.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let link = |n: u64| format!("/members?q={}&page={n}", encode_component(&q.q));
    let body = html! {
        form.filters method="get" action="/members" {
            label { (ctx.t(&t::SEARCH_MEMBERS))
                input type="search" name="q" value=(q.q) placeholder=(ctx.t(&t::CARD_OR_NAME)) autofocus; }
            button.primary type="submit" { (ctx.t(&t::SEARCH)) }
            a href="/members/new" { (ctx.t(&t::ADD_MEMBER)) }
            a href="/members/import" { (ctx.t(&t::IMPORT_SLIMS)) }
        }
        @if found.is_empty() {
            p.empty { (ctx.t(&t::NO_MEMBERS)) }
        } @else {
            p #found.muted {
                (t::members_found(ctx.lang, result.total))
                @if pages > 1 {
                    " · " (t::page_of(ctx.lang, u64::from(page_no), pages))
                    @if page_no > 1 { " · " a #prev href=(link(u64::from(page_no) - 1)) { (ctx.t(&t::PREVIOUS)) } }
                    @if u64::from(page_no) < pages { " · " a #next href=(link(u64::from(page_no) + 1)) { (ctx.t(&t::NEXT)) } }
                }
            }
            div.table-wrap { table #members {
                thead { tr {
                    th { (ctx.t(&t::CARD_NUMBER)) } th { (ctx.t(&t::NAME)) }
                    th { (ctx.t(&t::CATEGORY)) } th { (ctx.t(&t::EXPIRES)) } th { (ctx.t(&t::STATUS)) }
                } }
                tbody { @for m in found {
                    @let (class, label) = status_label(m.status);
                    tr {
                        td { a href=(format!("/members/card/{}", encode_component(&m.card))) { (m.card) } }
                        td { (m.name) } td { (m.category) } td { (m.expires) }
                        td class=(class) { (label.get(ctx.lang)) }
                    }
                } }
            } }
        }
    };
    Ok(layout::page(
        &ctx,
        &state.app,
        Nav::Members,
        ctx.t(&t::NAV_MEMBERS),
        body,
    ))
}

/// The add/edit form.
/// `categories`: the choice offered for the member type (the member's own
/// stays offered even when the list lost it).
/// The add/edit form, filled with `m`; `error` (a refusal of the last
/// save) is shown inside it, above the values as typed.
fn member_form(
    ctx: &Ctx,
    m: &Member,
    new: bool,
    categories: &[String],
    error: Option<&str>,
) -> Markup {
    let own = !m.category.is_empty() && !categories.contains(&m.category);
    let lang = ctx.lang;
    let text = |name: &'static str, label: &Text, value: &str, kind: &'static str| {
        html! { label { (label.get(lang)) input type=(kind) name=(name) value=(value); } }
    };
    html! {
        form.stack method="post" data-inline action="/members/save" {
            @if let Some(error) = error {
                p.flash.bad.form-error role="alert" { (error) }
            }
            input type="hidden" name="csrf" value=(ctx.csrf);
            @if new {
                label { (t::CARD_NUMBER.get(lang)) input name="card" value=(m.card) required inputmode="numeric"; }
            } @else {
                input type="hidden" name="card" value=(m.card);
                input type="hidden" name="editing" value="1";
            }
            label { (t::NAME.get(lang)) input name="name" value=(m.name) required; }
            label { (t::GENDER.get(lang)) select name="gender" {
                option value="0" selected[m.gender == 0] { "—" }
                option value="1" selected[m.gender == Gender::Male as i32] { (t::MALE.get(lang)) }
                option value="2" selected[m.gender == Gender::Female as i32] { (t::FEMALE.get(lang)) }
            } }
            (text("birth_date", &t::BIRTH_DATE, &m.birth_date, "date"))
            label { (t::CATEGORY.get(lang)) select name="category" {
                option value="" selected[m.category.is_empty()] { "—" }
                @if own { option value=(m.category) selected { (m.category) } }
                @for c in categories {
                    option value=(c) selected[*c == m.category] { (c) }
                }
            } }
            (text("occupation", &t::OCCUPATION, &m.occupation, "text"))
            (text("education", &t::EDUCATION, &m.education, "text"))
            (text("institution", &t::INSTITUTION, &m.institution, "text"))
            (text("phone", &t::PHONE, &m.phone, "tel"))
            (text("email", &t::EMAIL, &m.email, "email"))
            (text("registered", &t::REGISTERED, &m.registered, "date"))
            label { (t::EXPIRES.get(lang)) input type="date" name="expires" value=(m.expires) required; }
            label { (t::PIN.get(lang)) input type="password" name="pin" inputmode="numeric" autocomplete="new-password"
                placeholder=(if m.has_pin { t::PIN_KEEP.get(lang) } else { "" }); }
            label.wide { (t::ADDRESS.get(lang)) input name="address" value=(m.address); }
            label.wide { (t::NOTES.get(lang)) textarea name="notes" rows="2" { (m.notes) } }
            div.wide { button.primary type="submit" { (t::SAVE.get(lang)) } }
        }
    }
}

/// `GET /members/new`.
pub(super) async fn new_form(State(state): State<Shared>, ctx: Ctx) -> Response {
    let categories = state.app.member_categories().unwrap_or_default();
    let body = member_form(&ctx, &Member::default(), true, &categories, None);
    layout::page(&ctx, &state.app, Nav::Members, ctx.t(&t::ADD_MEMBER), body)
}

/// `GET /members/card/{card}`: the member, their status and history.
pub(super) async fn detail(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(card): Path<String>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let member = app.get_member(&card)?;
    let history = app.usage_book(&QuerySessionsRequest {
        card: member.card.clone(),
        ..Default::default()
    })?;
    let (class, label) = status_label(member.status);
    let blocked = member.status == MemberStatus::Blocked as i32;
    let status_action = format!("/members/card/{}/status", encode_component(&member.card));
    let body = html! {
        p { (ctx.t(&t::STATUS)) ": " strong class=(class) { (label.get(ctx.lang)) } " "
            form.inline method="post" data-inline action=(status_action) {
                input type="hidden" name="csrf" value=(ctx.csrf);
                @if blocked {
                    input type="hidden" name="status" value="active";
                    button type="submit" { (ctx.t(&t::UNBLOCK)) }
                } @else {
                    input type="hidden" name="status" value="blocked";
                    button.danger type="submit" { (ctx.t(&t::BLOCK)) }
                }
            }
        }
        @if member.pin_locked {
            p.flash.bad #pin-locked { (ctx.t(&t::PIN_LOCKED_NOTE)) " "
                form.inline method="post" data-inline action=(format!("/members/card/{}/pin-unlock", encode_component(&member.card))) {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    button type="submit" { (ctx.t(&t::PIN_UNLOCK)) }
                }
            }
        }
        (member_form(&ctx, &member, false, &app.member_categories()?, None))
        @if ctx.is_admin() {
            h2 { (ctx.t(&t::PERSONAL_DATA)) }
            p { a #member-export href=(format!("/members/card/{}/export", encode_component(&member.card))) {
                (ctx.t(&t::EXPORT_MEMBER_DATA)) } }
            form method="post" data-inline action=(format!("/members/card/{}/erase", encode_component(&member.card))) {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label { input type="checkbox" name="confirm" value="yes"; " " (ctx.t(&t::ERASE_CONFIRM)) }
                " "
                button.danger type="submit" #member-erase { (ctx.t(&t::ERASE_MEMBER)) }
            }
        }
        h2 { (ctx.t(&t::HISTORY)) " (" (history.len()) ")" }
        @if history.is_empty() { p.empty { (ctx.t(&t::NO_SESSIONS)) } } @else {
            div.table-wrap { table #history {
                thead { tr { th { (ctx.t(&t::DATE)) } th { (ctx.t(&t::START)) } th { (ctx.t(&t::END_TIME)) }
                    th { (ctx.t(&t::STATION)) } th { (ctx.t(&t::PURPOSE)) } th.num { (ctx.t(&t::UNIT_MINUTES)) } th { (ctx.t(&t::END_REASON)) } } }
                tbody { @for r in history.iter().rev() { tr {
                    td { (r.date) } td { (r.start) } td { (r.end) } td { (r.station) } td { (r.purpose) }
                    td.num { (r.minutes) } td { (crate::report::words::end_reason(&r.end_reason, ctx.lang)) }
                } } }
            } }
        }
    };
    let title = format!("{} — {}", member.name, member.card);
    Ok(layout::page(&ctx, app, Nav::Members, &title, body))
}

/// The add/edit form's fields.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct MemberForm {
    /// Card number (the key).
    #[serde(default)]
    card: String,
    /// Present when editing an existing member (keeps their status).
    #[serde(default)]
    editing: String,
    /// Full name.
    #[serde(default)]
    name: String,
    /// 0, 1 (male) or 2 (female).
    #[serde(default)]
    gender: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    birth_date: String,
    /// Member type.
    #[serde(default)]
    category: String,
    /// School or employer.
    #[serde(default)]
    institution: String,
    /// Occupation (reports break usage down by it).
    #[serde(default)]
    occupation: String,
    /// Highest education (reports break usage down by it).
    #[serde(default)]
    education: String,
    /// Phone number.
    #[serde(default)]
    phone: String,
    /// E-mail address.
    #[serde(default)]
    email: String,
    /// Postal address.
    #[serde(default)]
    address: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    registered: String,
    /// YYYY-MM-DD, inclusive.
    #[serde(default)]
    expires: String,
    /// A new PIN (empty: keep).
    #[serde(default)]
    pin: String,
    /// Free notes.
    #[serde(default)]
    notes: String,
}

/// `POST /members/save`: add or update.
pub(super) async fn save(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<MemberForm>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let new = form.editing.is_empty();
    // Editing keeps the status (blocking is its own action).
    let status = if new {
        if app.get_member(&form.card).is_ok() {
            return refused(&state, &ctx, &form, WebError::invalid(t::CARD_EXISTS));
        }
        MemberStatus::Active as i32
    } else {
        match app.get_member(&form.card) {
            Ok(m) => m.status,
            Err(e) => return refused(&state, &ctx, &form, e.into()),
        }
    };
    let member = typed(&form, status);
    let saved = match app.upsert_member(&ctx.identity, &member).await {
        Ok(saved) => saved,
        Err(e) => return refused(&state, &ctx, &form, e.into()),
    };
    let back = format!("/members/card/{}", encode_component(&saved.card));
    let message = format!("{}: {} ({})", ctx.t(&t::SAVED), saved.name, saved.card);
    Ok(layout::done(&ctx, &back, &message))
}

/// A refused save: for the dashboard's JavaScript the error itself; for a
/// plain post the form again, the error inside it and every value as the
/// librarian typed it.
fn refused(
    state: &Shared,
    ctx: &Ctx,
    form: &MemberForm,
    error: WebError,
) -> Result<Response, WebError> {
    if ctx.fetch {
        return Err(error);
    }
    let categories = state.app.member_categories().unwrap_or_default();
    let member = typed(form, 0);
    let message = error.message(ctx.lang);
    let new = form.editing.is_empty();
    let body = member_form(ctx, &member, new, &categories, Some(&message));
    let title = ctx.t(if new { &t::ADD_MEMBER } else { &t::EDIT_MEMBER });
    let page = layout::page(ctx, &state.app, Nav::Members, title, body);
    Ok((error.status, page).into_response())
}

/// The member as the form says, with `status`.
fn typed(form: &MemberForm, status: i32) -> Member {
    let form = form.clone();
    Member {
        card: form.card,
        name: form.name,
        gender: form.gender.trim().parse().unwrap_or(0),
        birth_date: form.birth_date,
        category: form.category,
        institution: form.institution,
        occupation: form.occupation,
        education: form.education,
        email: form.email,
        phone: form.phone,
        address: form.address,
        registered: form.registered,
        expires: form.expires,
        status,
        source: String::new(),
        notes: form.notes,
        pin: form.pin,
        ..Default::default()
    }
}

/// The block/unblock form.
#[derive(Debug, Deserialize)]
pub(super) struct StatusForm {
    /// active or blocked.
    #[serde(default)]
    status: String,
}

/// `POST /members/card/{card}/pin-unlock`: staff lift a PIN lock.
pub(super) async fn unlock_pin(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(card): Path<String>,
) -> Result<Response, WebError> {
    state.app.unlock_member_pin(&ctx.identity, &card).await?;
    let member = state.app.get_member(&card)?;
    let back = format!("/members/card/{}", encode_component(&member.card));
    Ok(layout::done(&ctx, &back, ctx.t(&t::PIN_UNLOCKED)))
}

/// `POST /members/card/{card}/status`.
pub(super) async fn set_status(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(card): Path<String>,
    axum::Form(form): axum::Form<StatusForm>,
) -> Result<Response, WebError> {
    let status = match form.status.as_str() {
        "active" => MemberStatus::Active,
        "blocked" => MemberStatus::Blocked,
        _ => return Err(WebError::invalid(t::FAULT_UNKNOWN_CHOICE)),
    };
    let member = state
        .app
        .set_member_status(&ctx.identity, &card, status)
        .await?;
    let (_, label) = status_label(member.status);
    let back = format!("/members/card/{}", encode_component(&member.card));
    let message = format!("{} ({}): {}", member.name, member.card, label.get(ctx.lang));
    Ok(layout::done(&ctx, &back, &message))
}

/// `GET /members/card/{card}/export`: everything held about the member,
/// as a JSON download (admins; audited).
pub(super) async fn export(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(card): Path<String>,
) -> Result<Response, WebError> {
    let export = state.app.export_member(&ctx.identity, &card).await?;
    let body = serde_json::to_vec_pretty(&export).map_err(|e| {
        WebError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            t::ERR_SERVER,
            e.to_string(),
        )
    })?;
    let mut response = axum::response::IntoResponse::into_response(body);
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    let name: String = export
        .card
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"bilik-member-{name}.json\""
    )) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The erasure form: the tick box must be ticked.
#[derive(Debug, serde::Deserialize)]
pub(super) struct EraseForm {
    /// "yes" when ticked.
    #[serde(default)]
    confirm: String,
}

/// `POST /members/card/{card}/erase`: removes the member and pseudonymises
/// their sessions (admins; audited).
pub(super) async fn erase(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(card): Path<String>,
    axum::Form(form): axum::Form<EraseForm>,
) -> Result<Response, WebError> {
    if form.confirm != "yes" {
        return Err(WebError::invalid(t::ERASE_NOT_CONFIRMED));
    }
    state.app.erase_member(&ctx.identity, &card).await?;
    Ok(layout::done(&ctx, "/members", ctx.t(&t::MEMBER_ERASED)))
}
