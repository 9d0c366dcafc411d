//! The problems log: open an incident for a station (optionally putting it
//! in maintenance), resolve it with what was done.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use axum::extract::{Path, State};
use axum::response::Response;
use bilik_proto::catalog::web as t;
use maud::html;
use serde::Deserialize;

/// `GET /problems`.
pub(super) async fn page(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    let app = &state.app;
    let incidents = app.incidents(100)?;
    let stations = app.station_choices()?;
    let body = html! {
        section.panel {
            h2 { (ctx.t(&t::REPORT_PROBLEM)) }
            form.stack method="post" data-inline action="/problems" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                label { (ctx.t(&t::STATION))
                    select name="station" required {
                        @for s in &stations { option value=(s.station_id) { (s.name) } }
                    }
                }
                label.wide { (ctx.t(&t::WHAT_IS_WRONG))
                    textarea name="text" rows="2" required placeholder=(ctx.t(&t::PROBLEM_EXAMPLE)) {} }
                label { span { input type="checkbox" name="maintenance" value="1" checked; " " (ctx.t(&t::PUT_IN_MAINTENANCE)) } }
                div { button.primary type="submit" { (ctx.t(&t::LOG_PROBLEM)) } }
            }
        }
        @if incidents.is_empty() { p.empty { (ctx.t(&t::NO_PROBLEMS)) } } @else {
            div.table-wrap { table #problems {
                thead { tr {
                    th { (ctx.t(&t::OPENED)) } th { (ctx.t(&t::STATION)) } th { (ctx.t(&t::PROBLEM)) }
                    th { (ctx.t(&t::REPORTED_BY)) } th { (ctx.t(&t::STATUS)) }
                } }
                tbody { @for i in &incidents { tr {
                    td { (layout::date_time(app, i.opened_at_ms)) }
                    td { (i.station_name) @if i.maintenance { br; small.muted { (ctx.t(&t::STATE_MAINTENANCE)) } } }
                    td { (i.text) }
                    td { (i.reported_by) }
                    td {
                        @if i.resolved_at_ms == 0 {
                            strong { (ctx.t(&t::OPEN)) }
                            form.inline method="post" data-inline action=(format!("/problems/{}/resolve", i.incident_id)) {
                                input type="hidden" name="csrf" value=(ctx.csrf);
                                input name="resolution" required placeholder=(ctx.t(&t::WHAT_WAS_DONE))
                                    aria-label=(ctx.t(&t::WHAT_WAS_DONE));
                                label { input type="checkbox" name="end_maintenance" value="1" checked[i.maintenance];
                                    " " (ctx.t(&t::MAINTENANCE_OFF)) }
                                button type="submit" { (ctx.t(&t::RESOLVE)) }
                            }
                        } @else {
                            (ctx.t(&t::RESOLVED)) " " (layout::date_time(app, i.resolved_at_ms))
                            " (" (i.resolved_by) "): " (i.resolution)
                        }
                    }
                } } }
            } }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Problems,
        ctx.t(&t::NAV_PROBLEMS),
        body,
    ))
}

/// The new-problem form.
#[derive(Debug, Deserialize)]
pub(super) struct OpenForm {
    /// Station id or name.
    #[serde(default)]
    station: String,
    /// What is wrong.
    #[serde(default)]
    text: String,
    /// "1": put the station in maintenance.
    #[serde(default)]
    maintenance: String,
}

/// `POST /problems`.
pub(super) async fn open(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<OpenForm>,
) -> Result<Response, WebError> {
    let incident = state
        .app
        .open_incident(
            &ctx.identity,
            &form.station,
            &form.text,
            form.maintenance == "1",
        )
        .await?;
    let message = format!("{}: {}", ctx.t(&t::PROBLEM_LOGGED), incident.station_name);
    Ok(layout::done(&ctx, "/problems", &message))
}

/// The resolve form.
#[derive(Debug, Deserialize)]
pub(super) struct ResolveForm {
    /// What was done.
    #[serde(default)]
    resolution: String,
    /// "1": take the station out of maintenance.
    #[serde(default)]
    end_maintenance: String,
}

/// `POST /problems/{id}/resolve`.
pub(super) async fn resolve(
    State(state): State<Shared>,
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ResolveForm>,
) -> Result<Response, WebError> {
    let incident = state
        .app
        .resolve_incident(
            &ctx.identity,
            &id,
            &form.resolution,
            form.end_maintenance == "1",
        )
        .await?;
    let message = format!("{}: {}", ctx.t(&t::RESOLVED), incident.station_name);
    Ok(layout::done(&ctx, "/problems", &message))
}
