//! The live feed of the station grid: server-sent events, each carrying
//! one station's card rendered on the server. A snapshot of every card
//! first, then a card whenever the hub says a station changed: the same
//! feed as the gRPC WatchStations ([`crate::app::StationFeed`]).

use super::Shared;
use super::request::Ctx;
use super::stations::{Viewer, card};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bilik_proto::v1::StationInfo;
use futures_util::StreamExt;
use std::convert::Infallible;

/// One card as an event: `{"id": station id, "html": the card}`.
fn station_event(viewer: &Viewer, info: &StationInfo) -> Event {
    let body = serde_json::json!({
        "id": info.station_id,
        "html": card(viewer, info).into_string(),
    });
    Event::default().event("station").data(body.to_string())
}

/// `GET /events`: the live grid feed ([`crate::app::App::watch_stations`]),
/// each update's stations as cards. It ends when the browser goes away
/// (the response, and the feed with it, is dropped) or the server stops.
pub(super) async fn events(State(state): State<Shared>, ctx: Ctx) -> Response {
    let app = state.app.clone();
    let feed = app.watch_stations().into_stream();
    // The feed ends after an error, so an error is its last item.
    let events = feed.flat_map(move |update| {
        let cards: Vec<Result<Event, Infallible>> = match update {
            Ok(update) => {
                let viewer = Viewer::of(&ctx, &app);
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
        futures_util::stream::iter(cards)
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
