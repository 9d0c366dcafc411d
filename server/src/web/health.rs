//! Health: is the server well, and are the stations there.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use axum::extract::State;
use axum::response::Response;
use bilik_proto::catalog::web as t;
use maud::{Markup, html};

/// `GET /health`.
pub(super) async fn page(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    let app = &state.app;
    let stations = app.station_infos().await?;
    let online = stations.iter().filter(|s| s.online).count();
    let health = app.health()?;
    let uptime_ms = i64::try_from(state.started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let stat = |label: &'static str, value: String| {
        html! { div.stat { span.muted { (label) } strong { (value) } } }
    };
    let body = html! {
        div.cards #health {
            (stat(ctx.t(&t::UPTIME), layout::duration(ctx.lang, uptime_ms)))
            (stat(ctx.t(&t::STORE_SIZE), format!("{:.1} MB", health.store_bytes as f64 / 1_048_576.0)))
            (stat(ctx.t(&t::STATIONS_ONLINE), format!("{online} / {}", stations.len())))
            (stat(ctx.t(&t::STATIONS_OFFLINE), (stations.len() - online).to_string()))
            (stat(ctx.t(&t::MEMBERS_COUNT), health.members.to_string()))
            (stat(ctx.t(&t::SESSIONS_COUNT), health.sessions.to_string()))
            (stat(ctx.t(&t::OPEN_PROBLEMS), health.open_problems.to_string()))
            (stat(ctx.t(&t::AUDIT_CHAIN), format!("{} ({})",
                if health.audit_chain_intact { ctx.t(&t::INTACT) } else { ctx.t(&t::BROKEN) },
                health.audit_entries)))
            (stat(ctx.t(&t::LAST_BACKUP), match &health.last_backup {
                None => ctx.t(&t::NO_BACKUPS).to_owned(),
                Some(b) if b.ok => format!("{} · {} · {:.1} MB",
                    layout::date_time(app, b.at_ms), b.file, b.bytes as f64 / 1_048_576.0),
                Some(b) => format!("{} · {}: {}",
                    layout::date_time(app, b.at_ms), ctx.t(&t::BACKUP_FAILED), b.error),
            }))
            (stat(ctx.t(&t::FREE_SPACE), health.free_bytes.map_or_else(|| "?".to_owned(),
                |b| format!("{:.0} MB", b as f64 / 1_048_576.0))))
            (stat(ctx.t(&t::SERVER_TIME), layout::date_time(app, app.now_ms())))
            (stat(ctx.t(&t::VERSION), env!("CARGO_PKG_VERSION").to_owned()))
        }
        p.muted { (ctx.t(&t::BACKUP_HINT)) }
        @if ctx.is_admin() {
            form method="post" data-inline action="/health/backup" {
                input type="hidden" name="csrf" value=(ctx.csrf);
                button type="submit" #backup-now { (ctx.t(&t::BACKUP_NOW)) }
            }
        }
        (website_watch(&ctx, app)?)
        h2 { (ctx.t(&t::STATIONS_TOTAL)) }
        div.table-wrap { table {
            thead { tr { th { (ctx.t(&t::STATION)) } th { (ctx.t(&t::ONLINE)) } th { (ctx.t(&t::LAST_HEARTBEAT)) }
                th { (ctx.t(&t::HOST_NAME)) } th { (ctx.t(&t::OPERATING_SYSTEM)) } th { (ctx.t(&t::AGENT_VERSION)) } } }
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

/// `POST /health/backup`: an admin takes a backup now.
pub(super) async fn backup(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    let (path, summary) = state.app.backup_now(Some(&ctx.identity)).await?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let message = format!(
        "{}: {name} ({:.1} MB)",
        ctx.t(&t::BACKUP_DONE),
        summary.bytes as f64 / 1_048_576.0
    );
    Ok(layout::done(&ctx, "/health", &message))
}

/// The website watch: each watched site, then the renewals due soon.
fn website_watch(ctx: &Ctx, app: &crate::app::App) -> Result<Markup, WebError> {
    let sites = app.watched_sites()?;
    let reminders = app.watch_reminders()?;
    let kind = |k: crate::watch::Kind| match k {
        crate::watch::Kind::Website => ctx.t(&t::WATCH_KIND_WEBSITE),
        crate::watch::Kind::Opac => ctx.t(&t::WATCH_KIND_OPAC),
        crate::watch::Kind::Uplink => ctx.t(&t::WATCH_KIND_UPLINK),
    };
    Ok(html! {
        h2 { (ctx.t(&t::WATCH_HEADING)) }
        @if sites.is_empty() {
            p.muted { (ctx.t(&t::WATCH_NO_SITES)) }
        } @else {
            div.table-wrap { table #watch {
                thead { tr {
                    th { (ctx.t(&t::WATCH_SITE)) } th { (ctx.t(&t::WATCH_KIND)) } th { (ctx.t(&t::WATCH_STATE)) }
                    th { (ctx.t(&t::WATCH_RESPONSE)) } th { (ctx.t(&t::WATCH_LAST_CHECK)) }
                    th { (ctx.t(&t::WATCH_LAST_CHANGED)) } th { (ctx.t(&t::WATCH_CERT_EXPIRES)) }
                } }
                tbody { @for w in &sites { tr data-site=(w.name) {
                    td { (w.name) br; span.muted { (w.url) } }
                    td { (kind(w.kind)) }
                    td.watch-state {
                        @if w.state.last_check_ms == 0 { (ctx.t(&t::WATCH_NOT_CHECKED)) }
                        @else if w.state.up { (ctx.t(&t::WATCH_UP)) }
                        @else {
                            strong { (ctx.t(&t::WATCH_DOWN)) } ": "
                            (ctx.t(&crate::app::failure_text(&w.state.failure)))
                            @if w.state.status != 0 { " (HTTP " (w.state.status) ")" }
                            @if w.state.down_since_ms != 0 {
                                " · " (ctx.t(&t::WATCH_SINCE)) " " (layout::date_time(app, w.state.down_since_ms))
                            }
                        }
                    }
                    td { @if w.state.last_check_ms != 0 { (w.state.response_ms) " ms" } }
                    td { @if w.state.last_check_ms != 0 { (layout::date_time(app, w.state.last_check_ms)) } }
                    td.watch-changed { @match w.changed_days_ago {
                        None => {},
                        Some(0) => { (ctx.t(&t::WATCH_CHANGED_TODAY)) },
                        Some(n) => { (n) " " (ctx.t(&t::WATCH_DAYS_AGO)) },
                    } }
                    td { @if w.state.cert_expires_ms != 0 { (app.local(w.state.cert_expires_ms).format("%Y-%m-%d")) } }
                } } }
            } }
        }
        @if !reminders.is_empty() {
            h3 { (ctx.t(&t::WATCH_REMINDERS)) }
            ul #watch-reminders { @for r in &reminders {
                li {
                    strong { (r.site) } " · " (ctx.t(&r.what.text())) " · " (r.on.format("%Y-%m-%d")) " · "
                    @if r.days_left < 0 { strong { (ctx.t(&t::WATCH_EXPIRED)) } }
                    @else { (ctx.t(&t::WATCH_EXPIRES_IN)) " " (r.days_left) " " (ctx.t(&t::WATCH_DAYS)) }
                }
            } }
        }
    })
}
