//! The home page: every station as a card in a live grid (updated over
//! server-sent events, see [`super::sse`]) with what staff can do to it.

use super::Shared;
use super::error::WebError;
use super::layout::{self, Nav};
use super::request::Ctx;
use axum::extract::{Path, State};
use axum::response::Response;
use bilik_proto::catalog::{Lang, web as t};
use bilik_proto::v1::{PowerAction, StationInfo, StationState, unlock_station_request::Who};
use maud::{Markup, html};
use serde::Deserialize;

/// What a card needs to know about who is looking.
#[derive(Debug, Clone)]
pub(super) struct Viewer {
    /// Language of the labels.
    pub lang: Lang,
    /// Admins see the power buttons.
    pub admin: bool,
    /// Goes into every form of the card.
    pub csrf: String,
    /// Server time the card was drawn at (minutes left, heartbeat age).
    pub now_ms: i64,
    /// The library's configured purposes: the unlock forms ask one, so a
    /// librarian's unlock reaches the reports' purpose table.
    pub purposes: Vec<String>,
}

impl Viewer {
    /// The viewer of a signed-in request.
    pub(super) fn of(ctx: &Ctx, app: &crate::app::App) -> Viewer {
        Viewer {
            lang: ctx.lang,
            admin: ctx.is_admin(),
            csrf: ctx.csrf.clone(),
            now_ms: app.now_ms(),
            purposes: app.config().purposes.clone(),
        }
    }

    /// The purpose choice of an unlock form (required: the reports count
    /// sessions by purpose).
    fn purpose_select(&self) -> Markup {
        let label = t::PURPOSE.get(self.lang);
        html! {
            select name="purpose" required aria-label=(label) {
                option value="" { (label) "…" }
                @for p in &self.purposes {
                    option value=(p) { (bilik_proto::catalog::purpose(p, self.lang)) }
                }
            }
        }
    }
}

/// The state's CSS name and label.
fn state_label(info: &StationInfo) -> (&'static str, bilik_proto::catalog::Text) {
    match StationState::try_from(info.state).unwrap_or_default() {
        StationState::Offline => ("offline", t::STATE_OFFLINE),
        _ if info.maintenance => ("maintenance", t::STATE_MAINTENANCE),
        StationState::InSession => ("in_session", t::STATE_IN_SESSION),
        StationState::Warning => ("warning", t::STATE_WARNING),
        StationState::Maintenance => ("maintenance", t::STATE_MAINTENANCE),
        StationState::Locked => ("locked", t::STATE_LOCKED),
        StationState::Unspecified => ("offline", t::STATE_UNKNOWN),
    }
}

/// One station's card. Its status part is replaced on every live update;
/// its actions part only when `data-key` changes, so a half-typed card
/// number survives heartbeats.
pub(super) fn card(v: &Viewer, s: &StationInfo) -> Markup {
    let (state, label) = state_label(s);
    let lang = v.lang;
    let key = format!(
        "{state}|{}|{}",
        s.session.is_some(),
        if v.admin { "a" } else { "l" }
    );
    let action = |what: &str| format!("/stations/{}/{what}", s.station_id);
    html! {
        article class=(format!("station s-{state}")) id=(format!("st-{}", s.station_id))
            data-state=(state) data-name=(s.name) {
            div.st-status {
                header {
                    h2 { (s.name) }
                    span class=(format!("badge b-{state}")) { (label.get(lang)) }
                }
                dl {
                    @if let Some(session) = &s.session {
                        dt { (t::PATRON.get(lang)) }
                        dd.patron {
                            @if session.card.is_empty() {
                                (t::GUEST_UNLOCK.get(lang)) ": " (session.guest_note)
                            } @else {
                                (session.patron_name) " (" (session.card) ")"
                            }
                        }
                        dt { (t::MINUTES_LEFT.get(lang)) }
                        dd { span.left data-ends=(session.ends_at_ms) data-now=(v.now_ms) data-unit=(t::UNIT_MINUTES.get(lang)) data-hours=(t::UNIT_HOURS.get(lang)) {
                            (layout::duration(lang, session.ends_at_ms - v.now_ms)) } }
                    }
                    dt { (t::LAST_HEARTBEAT.get(lang)) }
                    dd { @if s.last_seen_ms == 0 { "—" } @else { (ago(lang, v.now_ms - s.last_seen_ms)) } }
                    dt { (t::CPU_MEMORY.get(lang)) }
                    dd { @match &s.metrics {
                        Some(m) => {
                            (format!("{:.0}%", m.cpu_percent)) " · "
                            (format!("{:.1}/{:.1} GB", gb(m.memory_used_bytes), gb(m.memory_total_bytes)))
                        }
                        None => "—",
                    } }
                }
            }
            div.st-actions data-key=(key) {
                @if s.session.is_some() {
                    div.row {
                        (button_form(v, &action("end"), t::END.get(lang), "", "danger"))
                        (button_form(v, &action("extend"), "+15", "minutes=15", ""))
                        (button_form(v, &action("extend"), "+30", "minutes=30", ""))
                    }
                } @else if state == "locked" {
                    form.inline method="post" action=(action("unlock")) data-fetch {
                        input type="hidden" name="csrf" value=(v.csrf);
                        input name="card" placeholder=(t::CARD_NUMBER.get(lang)) inputmode="numeric"
                            aria-label=(t::CARD_NUMBER.get(lang)) required;
                        (v.purpose_select())
                        button.primary type="submit" name="go" value="card" { (t::UNLOCK.get(lang)) }
                    }
                }
                details {
                    summary { (t::MORE_ACTIONS.get(lang)) }
                    @if s.session.is_none() && state == "locked" {
                        form.inline method="post" action=(action("unlock")) data-fetch {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input name="note" placeholder=(t::GUEST_NOTE.get(lang))
                                aria-label=(t::GUEST_NOTE.get(lang)) required;
                            (v.purpose_select())
                            button type="submit" { (t::STAFF_UNLOCK.get(lang)) }
                        }
                    }
                    form.inline method="post" action=(action("message")) data-fetch {
                        input type="hidden" name="csrf" value=(v.csrf);
                        input name="text" placeholder=(t::MESSAGE.get(lang))
                            aria-label=(t::MESSAGE.get(lang)) required;
                        button type="submit" { (t::SEND.get(lang)) }
                    }
                    div.row {
                        @if s.maintenance {
                            (button_form(v, &action("maintenance"), t::MAINTENANCE_OFF.get(lang), "on=0", ""))
                        } @else {
                            (button_form(v, &action("maintenance"), t::MAINTENANCE_ON.get(lang), "on=1", ""))
                        }
                        @if v.admin {
                            (button_form(v, &action("power"), t::RESTART.get(lang), "power=restart", "danger"))
                            (button_form(v, &action("power"), t::SHUTDOWN.get(lang), "power=shutdown", "danger"))
                        }
                    }
                }
            }
        }
    }
}

/// A one-button form; `field` is "name=value" or empty.
fn button_form(v: &Viewer, action: &str, label: &str, field: &str, class: &str) -> Markup {
    let (name, value) = field.split_once('=').unwrap_or_default();
    let confirm = (class == "danger" && name == "power").then_some(t::ARE_YOU_SURE.get(v.lang));
    html! {
        form.inline method="post" action=(action) data-fetch data-confirm=[confirm] {
            input type="hidden" name="csrf" value=(v.csrf);
            @if !name.is_empty() { input type="hidden" name=(name) value=(value); }
            button type="submit" class=(class) { (label) }
        }
    }
}

/// "baru saja" / "12 detik yang lalu" / "3 menit yang lalu".
fn ago(lang: Lang, ms: i64) -> String {
    let ms = ms.max(0);
    let amount = match ms {
        0..10_000 => return t::JUST_NOW.get(lang).to_owned(),
        10_000..60_000 => format!("{} {}", ms / 1000, t::UNIT_SECONDS.get(lang)),
        _ => layout::duration(lang, ms),
    };
    format!("{amount} {}", t::AGO.get(lang))
}

/// Bytes as GB.
fn gb(bytes: u64) -> f64 {
    bytes as f64 / 1_073_741_824.0
}

/// The grid and, for admins, the enrolment-code generator.
pub(super) async fn page(State(state): State<Shared>, ctx: Ctx) -> Result<Response, WebError> {
    let app = &state.app;
    let stations = app.station_infos().await?;
    let queue = app.queue_info().await?;
    let viewer = Viewer::of(&ctx, app);
    let online = stations.iter().filter(|s| s.online).count();
    let busy = stations.iter().filter(|s| s.session.is_some()).count();
    let body = html! {
        p.summary #summary {
            (t::STATIONS_TOTAL.get(ctx.lang)) ": " strong { (stations.len()) } " · "
            (t::ONLINE.get(ctx.lang)) ": " strong { (online) } " · "
            (t::IN_USE.get(ctx.lang)) ": " strong { (busy) }
            span #live.live-off title=(ctx.t(&t::LIVE_HINT)) { (ctx.t(&t::LIVE)) }
        }
        p #clock.muted {
            (ctx.t(&t::CLOCK_NOW)) " " strong { (app.local(viewer.now_ms).format("%H:%M")) } " · "
            @match app.minutes_to_closing(viewer.now_ms) {
                Some(m) => {
                    (ctx.t(&t::CLOSES_IN)) " "
                    span data-ends=(viewer.now_ms + i64::from(m) * 60_000) data-now=(viewer.now_ms)
                        data-unit=(ctx.t(&t::UNIT_MINUTES)) data-hours=(ctx.t(&t::UNIT_HOURS)) { (layout::duration(ctx.lang, i64::from(m) * 60_000)) }
                }
                None => (ctx.t(&t::SERVICE_CLOSED)),
            }
        }
        @if stations.is_empty() {
            p.empty { (ctx.t(&t::NO_STATIONS)) }
        }
        section #grid.grid data-live="/events" data-ended=(ctx.t(&t::SESSION_ENDED_NOTICE))
            data-offline=(ctx.t(&t::OFFLINE_IN_SESSION_NOTICE)) {
            @for s in &stations { (card(&viewer, s)) }
        }
        (super::queue::panel(&ctx, app, &queue))
        @if ctx.is_admin() {
            section.panel {
                h2 { (ctx.t(&t::ENROLL_TITLE)) }
                p.muted { (ctx.t(&t::ENROLL_HINT)) }
                form.inline method="post" action="/enrollment-code" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    input name="station_name" placeholder=(ctx.t(&t::STATION_NAME))
                        aria-label=(ctx.t(&t::STATION_NAME));
                    button type="submit" { (ctx.t(&t::MAKE_CODE)) }
                }
            }
        }
    };
    Ok(layout::page(
        &ctx,
        app,
        Nav::Stations,
        ctx.t(&t::NAV_STATIONS),
        body,
    ))
}

/// The fields any station action may carry.
#[derive(Debug, Deserialize)]
pub(super) struct ActionForm {
    /// Unlock for this card.
    #[serde(default)]
    card: String,
    /// The patron's purpose (one of the configured purposes).
    #[serde(default)]
    purpose: String,
    /// Or a staff unlock with this note.
    #[serde(default)]
    note: String,
    /// Extend by.
    #[serde(default)]
    minutes: String,
    /// Message text.
    #[serde(default)]
    text: String,
    /// Maintenance on ("1") or off.
    #[serde(default)]
    on: String,
    /// restart or shutdown.
    #[serde(default)]
    power: String,
}

/// Unlock, end, extend, message, maintenance or power on one station.
pub(super) async fn action(
    State(state): State<Shared>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    axum::Form(form): axum::Form<ActionForm>,
) -> Result<Response, WebError> {
    let app = &state.app;
    let by = &ctx.identity;
    let lang = ctx.lang;
    let name = app.resolve_station(&id)?.name;
    let message = match action.as_str() {
        "unlock" => {
            let who = match (form.card.trim(), form.note.trim()) {
                ("", "") => return Err(WebError::invalid(t::GIVE_CARD_OR_NOTE)),
                ("", note) => Who::GuestNote(note.to_owned()),
                (card, _) => Who::Card(card.to_owned()),
            };
            let session = app
                .unlock_station(by, &id, Some(&who), 0, &form.purpose)
                .await?;
            format!(
                "{name}: {} {}",
                t::UNLOCKED_FOR.get(lang),
                if session.card.is_empty() {
                    session.guest_note
                } else {
                    format!("{} ({})", session.patron_name, session.card)
                }
            )
        }
        "end" => {
            app.end_station_session(by, &id).await?;
            format!("{name}: {}", t::ENDED.get(lang))
        }
        "extend" => {
            let minutes: u32 = match form.minutes.trim() {
                "15" => 15,
                "30" => 30,
                _ => return Err(WebError::invalid(t::FAULT_UNKNOWN_CHOICE)),
            };
            app.extend_station_session(by, &id, minutes).await?;
            format!("{name}: +{minutes} {}", t::UNIT_MINUTES.get(lang))
        }
        "message" => {
            let delivered = app.message_station(by, &id, &form.text).await?;
            let said = if delivered {
                t::MESSAGE_SENT
            } else {
                t::MESSAGE_NOT_DELIVERED
            };
            format!("{name}: {}", said.get(lang))
        }
        "maintenance" => {
            let on = form.on == "1";
            app.set_maintenance(by, &id, on).await?;
            let said = if on {
                t::MAINTENANCE_ON
            } else {
                t::MAINTENANCE_OFF
            };
            format!("{name}: {}", said.get(lang))
        }
        "power" => {
            let (what, label) = match form.power.as_str() {
                "restart" => (PowerAction::Restart, t::RESTART),
                "shutdown" => (PowerAction::Shutdown, t::SHUTDOWN),
                _ => return Err(WebError::invalid(t::FAULT_UNKNOWN_CHOICE)),
            };
            let delivered = app.power_station(by, &id, what).await?;
            let said = if delivered {
                t::MESSAGE_SENT
            } else {
                t::MESSAGE_NOT_DELIVERED
            };
            format!("{name}: {} — {}", label.get(lang), said.get(lang))
        }
        _ => return Err(WebError::invalid(t::FAULT_UNKNOWN_CHOICE)),
    };
    Ok(layout::done(&ctx, "/", &message))
}

/// The enrolment-code form.
#[derive(Debug, Deserialize)]
pub(super) struct EnrollForm {
    /// The name the new station will get (may be empty).
    #[serde(default)]
    station_name: String,
}

/// Makes a one-time enrolment code (admins) and shows it.
pub(super) async fn enrollment_code(
    State(state): State<Shared>,
    ctx: Ctx,
    axum::Form(form): axum::Form<EnrollForm>,
) -> Result<Response, WebError> {
    let code = state
        .app
        .create_enrollment_code(&ctx.identity, &form.station_name, 0)
        .await?;
    let message = format!(
        "{}: {} ({} {})",
        ctx.t(&t::ENROLL_CODE_IS),
        code.code,
        ctx.t(&t::VALID_UNTIL),
        layout::date_time(&state.app, code.expires_at_ms)
    );
    Ok(layout::done(&ctx, "/", &message))
}
