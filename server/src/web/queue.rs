//! The waiting queue panel of the stations page: who waits, in which
//! order, since when, the estimated wait, which station is held for whom
//! and until when; add a walk-in patron by card, remove one. The rules are
//! the application's ([`crate::app`]); this only translates.

use super::Shared;
use super::error::WebError;
use super::layout;
use super::request::Ctx;
use crate::app::App;
use axum::extract::State;
use axum::response::Response;
use bilik_proto::catalog::web as t;
use bilik_proto::v1::QueueInfo;
use maud::{Markup, html};
use serde::Deserialize;

/// The panel (on the stations page, under the grid).
pub(super) fn panel(ctx: &Ctx, app: &App, queue: &QueueInfo) -> Markup {
    let lang = ctx.lang;
    html! {
        section.panel #queue {
            h2 { (ctx.t(&t::QUEUE_TITLE)) }
            p.muted { (ctx.t(&t::QUEUE_HINT)) }
            form.inline method="post" data-inline action="/queue/add" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                input name="card" placeholder=(t::CARD_NUMBER.get(lang)) inputmode="numeric"
                    aria-label=(t::CARD_NUMBER.get(lang)) required;
                button.primary type="submit" { (ctx.t(&t::QUEUE_ADD)) }
            }
            (list(ctx, app, queue))
        }
    }
}

/// The queue itself (under the panel's add form): replaced whole by the
/// live feed when the queue changes, so the add form keeps what is typed.
pub(super) fn list(ctx: &Ctx, app: &App, queue: &QueueInfo) -> Markup {
    let lang = ctx.lang;
    html! {
        div #queue-list {
            @if queue.entries.is_empty() {
                p.empty { (ctx.t(&t::QUEUE_EMPTY)) }
            } @else {
                table #queue-table {
                    thead { tr {
                        th { (ctx.t(&t::QUEUE_POSITION)) }
                        th { (ctx.t(&t::PATRON)) }
                        th { (ctx.t(&t::QUEUE_SINCE)) }
                        th { (ctx.t(&t::QUEUE_ESTIMATE)) }
                        th { (ctx.t(&t::QUEUE_HELD)) }
                        th {}
                    } }
                    tbody {
                        @for e in &queue.entries {
                            tr.queue-entry data-position=(e.position) data-card=(e.card) {
                                td.position { (e.position) }
                                td { (e.patron_name) " (" (e.card) ")" }
                                td { (layout::date_time(app, e.joined_at_ms)) }
                                td { @if e.held_station.is_empty() {
                                    (layout::duration(lang, i64::from(e.estimated_wait_minutes) * 60_000))
                                } @else { "—" } }
                                td.held { @if !e.held_station.is_empty() {
                                    (e.held_station) " " (ctx.t(&t::QUEUE_UNTIL)) " "
                                    (layout::date_time(app, e.hold_until_ms))
                                } }
                                td {
                                    form.inline method="post" data-inline action="/queue/remove" {
                                        input type="hidden" name="csrf" value=(ctx.csrf);
                                        input type="hidden" name="card" value=(e.card);
                                        button.danger type="submit" { (ctx.t(&t::QUEUE_REMOVE)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The add and remove forms.
#[derive(Debug, Deserialize)]
pub(super) struct QueueForm {
    /// The patron's card.
    #[serde(default)]
    card: String,
}

/// Adds a walk-in patron to the queue.
pub(super) async fn add(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<QueueForm>,
) -> Result<Response, WebError> {
    state.app.queue_add(&ctx.identity, &form.card).await?;
    Ok(layout::done(&ctx, "/", ctx.t(&t::QUEUE_ADDED)))
}

/// Takes a patron off the queue.
pub(super) async fn remove(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<QueueForm>,
) -> Result<Response, WebError> {
    state.app.queue_remove(&ctx.identity, &form.card).await?;
    Ok(layout::done(&ctx, "/", ctx.t(&t::QUEUE_REMOVED)))
}
