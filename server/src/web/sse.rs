//! The live feed of the station grid: server-sent events, each carrying
//! one station's card rendered on the server. A snapshot of every card
//! first, then a card whenever the hub says a station changed (the same
//! snapshot-then-deltas as the gRPC WatchStations). The feed ends when the
//! browser goes away or the server stops.

use super::Shared;
use super::request::Ctx;
use super::stations::{Viewer, card};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bilik_proto::v1::StationInfo;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// One card as an event: `{"id": station id, "html": the card}`.
fn station_event(viewer: &Viewer, info: &StationInfo) -> Event {
    let body = serde_json::json!({
        "id": info.station_id,
        "html": card(viewer, info).into_string(),
    });
    Event::default().event("station").data(body.to_string())
}

/// `GET /events`: the live grid feed.
pub async fn events(State(state): State<Shared>, ctx: Ctx) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(64);
    let app = state.app.clone();
    // Subscribe before the snapshot, so no change falls between them.
    let mut changes = app.hub().subscribe();
    tokio::spawn(async move {
        let stopping = app.hub().stopping();
        tokio::pin!(stopping);
        let mut snapshot = true;
        loop {
            let infos = if snapshot {
                snapshot = false;
                match app.station_infos().await {
                    Ok(all) => all,
                    Err(e) => {
                        tracing::error!(error = %e, "live feed: cannot list stations");
                        return;
                    }
                }
            } else {
                let change = tokio::select! {
                    change = changes.recv() => change,
                    () = &mut stopping => return,
                    () = tx.closed() => return,
                };
                match change {
                    Ok(id) => match app.station_view(&id).await {
                        Ok(Some(info)) => vec![info],
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::error!(error = %e, "live feed: cannot read a station");
                            return;
                        }
                    },
                    Err(RecvError::Lagged(_)) => {
                        snapshot = true;
                        continue;
                    }
                    Err(RecvError::Closed) => return,
                }
            };
            let viewer = Viewer::of(&ctx, app.now_ms());
            for info in &infos {
                if tx.send(Ok(station_event(&viewer, info))).await.is_err() {
                    return;
                }
            }
        }
    });
    Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}
