//! Health: is the server well, and are the stations there.

use super::Shared;
use super::auth::Ctx;
use super::error::WebError;
use super::layout::{self, Nav};
use crate::app::Error as AppError;
use axum::extract::State;
use axum::response::Response;
use bilik_proto::catalog::web as t;
use maud::html;

/// `GET /health`.
pub async fn page(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    let app = &state.app;
    let stations = app.station_infos().await?;
    let online = stations.iter().filter(|s| s.online).count();
    let size = app.store().size_on_disk().map_err(AppError::from)?;
    let open_problems = app.store().open_incidents().map_err(AppError::from)?.len();
    let uptime_ms = i64::try_from(state.started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (chain_ok, audit_entries) = match app.audit_log(1) {
        Ok((entries, ok)) => (ok, entries.first().map_or(0, |e| e.seq)),
        Err(_) => (false, 0),
    };
    let stat = |label: &'static str, value: String| {
        html! { div.stat { span.muted { (label) } strong { (value) } } }
    };
    let body = html! {
        div.cards #health {
            (stat(ctx.t(&t::UPTIME), layout::duration(ctx.lang, uptime_ms)))
            (stat(ctx.t(&t::STORE_SIZE), format!("{:.1} MB", size as f64 / 1_048_576.0)))
            (stat(ctx.t(&t::STATIONS_ONLINE), format!("{online} / {}", stations.len())))
            (stat(ctx.t(&t::STATIONS_OFFLINE), (stations.len() - online).to_string()))
            (stat(ctx.t(&t::MEMBERS_COUNT), app.store().member_count().to_string()))
            (stat(ctx.t(&t::SESSIONS_COUNT), app.store().session_count().to_string()))
            (stat(ctx.t(&t::OPEN_PROBLEMS), open_problems.to_string()))
            (stat(ctx.t(&t::AUDIT_CHAIN), format!("{} ({audit_entries})",
                if chain_ok { ctx.t(&t::INTACT) } else { ctx.t(&t::BROKEN) })))
            (stat(ctx.t(&t::LAST_BACKUP), ctx.t(&t::NO_BACKUPS).to_owned()))
            (stat(ctx.t(&t::SERVER_TIME), layout::date_time(app, app.now_ms())))
            (stat(ctx.t(&t::VERSION), env!("CARGO_PKG_VERSION").to_owned()))
        }
        h2 { (ctx.t(&t::STATIONS_TOTAL)) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t(&t::STATION)) } th { (ctx.t(&t::ONLINE)) } th { (ctx.t(&t::LAST_HEARTBEAT)) }
                th { "Host" } th { "OS" } th { (ctx.t(&t::AGENT_VERSION)) } } }
            tbody { @for s in &stations { tr {
                td { (s.name) }
                td { @if s.online { (ctx.t(&t::YES)) } @else { strong { (ctx.t(&t::NO)) } } }
                td { (layout::date_time(app, s.last_seen_ms)) }
                td { (s.hostname) } td { (s.os) } td { (s.agent_version) }
            } } }
        } }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Health,
        ctx.t(&t::NAV_HEALTH),
        body,
    ))
}
