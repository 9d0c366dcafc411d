//! The live feed of the station grid: server-sent events, each carrying
//! one station's card rendered on the server. A snapshot of every card
//! first, then a card whenever the hub says a station changed: the same
//! feed as the gRPC WatchStations ([`crate::app::StationFeed`]). Beside
//! the cards, the queue list and the security alerts panel whenever they
//! change, so the desk sees a walk-in added, a tamper report or a burst of
//! guesses without reloading.

use super::request::Ctx;
use super::stations::{Viewer, card};
use super::{Shared, layout};
use crate::app::App;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bilik_proto::v1::{QueueInfo, StationInfo, StationsUpdate};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::convert::Infallible;
use std::time::Duration;

/// One card as an event: `{"id": station id, "html": the card}`.
fn station_event(viewer: &Viewer, info: &StationInfo) -> Event {
    let body = serde_json::json!({
        "id": info.station_id,
        "html": card(viewer, info).into_string(),
    });
    Event::default().event("station").data(body.to_string())
}

/// How often the feed looks at the queue and the security alerts, which
/// change without a station changing (a walk-in added, a burst of guesses):
/// a change reaches the desk within this. Each look is one small store read
/// per open stations page, and an event goes out only when the panels'
/// HTML changed.
const PANELS_EVERY: Duration = Duration::from_secs(1);

/// The queue list and the alerts panel as one event: `{"queue": html,
/// "alerts": html}`.
fn panels_html(ctx: &Ctx, app: &App, queue: &QueueInfo) -> String {
    serde_json::json!({
        "queue": super::queue::list(ctx, app, queue).into_string(),
        "alerts": layout::alerts_panel(ctx, app).into_string(),
    })
    .to_string()
}

/// What the feed of one open stations page keeps between events.
struct Live {
    /// The stations' updates ([`crate::app::App::watch_stations`]).
    feed: BoxStream<'static, crate::app::Result<StationsUpdate>>,
    /// When to look at the panels next.
    tick: tokio::time::Interval,
    /// The panels as last sent (or as the page was drawn: the first look
    /// sends them once, harmlessly).
    last_panels: String,
    /// The viewer's request (language, CSRF token, role).
    ctx: Ctx,
    /// The use cases.
    app: App,
}

impl Live {
    /// The next events: station cards, or the panels when they changed;
    /// `None` once the station feed ends (the server stops).
    async fn next(mut self) -> Option<(Vec<Result<Event, Infallible>>, Live)> {
        loop {
            tokio::select! {
                update = self.feed.next() => {
                    let cards = match update? {
                        Ok(update) => {
                            let viewer = Viewer::of(&self.ctx, &self.app);
                            update
                                .stations
                                .iter()
                                .map(|info| Ok(station_event(&viewer, info)))
                                .collect()
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "live feed: cannot read the stations");
                            Vec::new()
                        }
                    };
                    return Some((cards, self));
                }
                _ = self.tick.tick() => {
                    let Ok(queue) = self.app.queue_info().await else { continue };
                    let panels = panels_html(&self.ctx, &self.app, &queue);
                    if panels != self.last_panels {
                        self.last_panels.clone_from(&panels);
                        let event = Event::default().event("panels").data(panels);
                        return Some((vec![Ok(event)], self));
                    }
                }
            }
        }
    }
}

/// `GET /events`: the live feed of the stations page: the grid's cards
/// ([`crate::app::App::watch_stations`]) whenever a station changes, and
/// the queue and the security alerts whenever they change. It ends when the
/// browser goes away (the response, and the feed with it, is dropped) or
/// the server stops.
pub(super) async fn events(State(state): State<Shared>, mut ctx: Ctx) -> Response {
    let app = state.app.clone();
    // A dismissal from the live panel goes back to the stations page.
    "/".clone_into(&mut ctx.path);
    let mut tick = tokio::time::interval(PANELS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let live = Live {
        feed: app.watch_stations().into_stream().boxed(),
        tick,
        last_panels: String::new(),
        ctx,
        app,
    };
    let events =
        futures_util::stream::unfold(live, Live::next).flat_map(futures_util::stream::iter);
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
