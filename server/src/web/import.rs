//! Importing a member export (SLiMS CSV or INLISLite Excel, told apart by
//! the file's content): upload, see what would change (new,
//! updated, unchanged; or every bad line with its number), then confirm.
//! Nothing is written before the confirmation, and never from a file with
//! any bad line (the app refuses it whole).

use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use super::{Shared, WebState};
use crate::app::{Error as AppError, ImportChange};
use crate::credentials::random_hex;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bilik_proto::catalog::web as t;
use bilik_proto::v1::ImportFormat;
use maud::{Markup, html};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How long a preview waits for its confirmation.
const PREVIEW_TTL: Duration = Duration::from_secs(30 * 60);
/// Most previews kept at once (each holds a whole file).
const MAX_PENDING: usize = 16;

/// A previewed file waiting for confirmation.
#[derive(Debug)]
pub(super) struct PendingImport {
    /// Only who previewed it may confirm it.
    username: String,
    /// The file, exactly as previewed.
    content: Vec<u8>,
    /// When it was previewed (old previews are dropped).
    at: Instant,
}

/// The upload form.
fn upload_form(ctx: &Ctx) -> Markup {
    html! {
        form.panel method="post" action="/members/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(ctx.csrf);
            p.muted { (ctx.t(&t::IMPORT_HINT)) }
            input type="file" name="file" accept=".csv,text/csv,.xlsx,.xls" required;
            " "
            button.primary type="submit" { (ctx.t(&t::PREVIEW)) }
        }
    }
}

/// `GET /members/import`.
pub(super) async fn form(State(state): State<Shared>, ctx: Ctx) -> Response {
    let body = upload_form(&ctx);
    layout::page(
        &ctx,
        &state.app,
        Nav::Members,
        ctx.t(&t::IMPORT_SLIMS),
        body,
    )
}

/// `POST /members/import`: the preview.
pub(super) async fn preview(
    State(state): State<Shared>,
    ctx: Ctx,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let mut content = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::new(StatusCode::BAD_REQUEST, t::ERR_INVALID, e.body_text()))?
    {
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|e| {
                WebError::new(StatusCode::BAD_REQUEST, t::ERR_INVALID, e.body_text())
            })?;
            content = Some(bytes.to_vec());
        }
    }
    let content = content.ok_or_else(|| WebError::invalid(t::CHOOSE_FILE))?;
    let app = &state.app;
    let title = ctx.t(&t::IMPORT_PREVIEW);
    let preview = match app.preview_import(ImportFormat::Unspecified, &content) {
        Ok(p) => p,
        Err(AppError::Import(errors)) => {
            let body = html! {
                p.flash.bad role="alert" { (ctx.t(&t::IMPORT_REFUSED)) }
                div.table-wrap { table #import-errors {
                    thead { tr { th.num { (ctx.t(&t::LINE)) } th { (ctx.t(&t::COLUMN)) } th { (ctx.t(&t::PROBLEM)) } } }
                    tbody { @for e in &errors.errors { tr {
                        td.num { (e.line) } td { (e.place(ctx.lang)) } td { (e.problem.get(ctx.lang)) }
                    } } }
                } }
                h2 { (ctx.t(&t::TRY_AGAIN)) }
                (upload_form(&ctx))
            };
            let page = layout::page(&ctx, app, Nav::Members, title, body);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let id = remember(&state, &ctx.identity.username, content)?;
    let body = html! {
        p.summary #import-counts {
            span.new { (ctx.t(&t::WOULD_CREATE)) ": " strong { (preview.created) } } " · "
            span.updated { (ctx.t(&t::WOULD_UPDATE)) ": " strong { (preview.updated) } } " · "
            span.unchanged { (ctx.t(&t::UNCHANGED)) ": " strong { (preview.unchanged) } }
        }
        p.muted { (ctx.t(&t::NOTHING_WRITTEN_YET)) }
        form method="post" data-inline action="/members/import/confirm" {
            input type="hidden" name="csrf" value=(ctx.csrf);
            input type="hidden" name="id" value=(id);
            button.primary type="submit" { (ctx.t(&t::CONFIRM_IMPORT)) }
            " " a href="/members/import" { (ctx.t(&t::CANCEL)) }
        }
        div.table-wrap { table #import-rows {
            thead { tr { th.num { (ctx.t(&t::LINE)) } th { (ctx.t(&t::CHANGE)) } th { (ctx.t(&t::CARD_NUMBER)) }
                th { (ctx.t(&t::NAME)) } th { (ctx.t(&t::CATEGORY)) } th { (ctx.t(&t::EXPIRES)) } } }
            tbody { @for row in &preview.rows {
                @let (class, label) = match row.change {
                    ImportChange::New => ("new", t::CHANGE_NEW),
                    ImportChange::Updated => ("updated", t::CHANGE_UPDATED),
                    ImportChange::Unchanged => ("unchanged", t::UNCHANGED),
                };
                tr { td.num { (row.line) } td class=(class) { (label.get(ctx.lang)) } td { (row.member.card) }
                    td { (row.member.name) } td { (row.member.category) } td { (row.member.expires) } }
            } }
        } }
    };
    Ok(layout::page(&ctx, app, Nav::Members, title, body))
}

/// Keeps a previewed file; returns its id.
fn remember(state: &WebState, username: &str, content: Vec<u8>) -> Result<String, WebError> {
    let id = random_hex(16).map_err(AppError::from)?;
    let mut pending = state.imports.lock().map_err(|_| {
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            t::ERR_SERVER,
            "import previews unavailable",
        )
    })?;
    pending.retain(|_, p| p.at.elapsed() < PREVIEW_TTL);
    while pending.len() >= MAX_PENDING {
        let oldest = pending
            .iter()
            .min_by_key(|(_, p)| p.at)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => pending.remove(&k),
            None => break,
        };
    }
    pending.insert(
        id.clone(),
        PendingImport {
            username: username.to_owned(),
            content,
            at: Instant::now(),
        },
    );
    Ok(id)
}

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub(super) struct ConfirmForm {
    /// The preview's id.
    #[serde(default)]
    id: String,
}

/// `POST /members/import/confirm`: imports the previewed file.
pub(super) async fn confirm(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let pending = {
        let mut all = state.imports.lock().map_err(|_| {
            WebError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                t::ERR_SERVER,
                "import previews unavailable",
            )
        })?;
        match all.remove(&form.id) {
            Some(p) if p.username == ctx.identity.username && p.at.elapsed() < PREVIEW_TTL => p,
            _ => return Err(WebError::invalid(t::PREVIEW_EXPIRED)),
        }
    };
    let done = state
        .app
        .import_members(&ctx.identity, ImportFormat::Unspecified, &pending.content)
        .await?;
    let message = format!(
        "{}: {} {}, {} {}",
        ctx.t(&t::IMPORTED),
        done.created,
        ctx.t(&t::NEW_LOWER),
        done.updated,
        ctx.t(&t::UPDATED_LOWER)
    );
    Ok(layout::done(&ctx, "/members", &message))
}
