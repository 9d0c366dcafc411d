//! The live station feed, one for every door: the gRPC WatchStations
//! stream and the dashboard's server-sent events both read it. First a
//! snapshot of every station, then one station whenever the hub says it
//! changed, a fresh snapshot after falling behind; it ends when the server
//! stops. It is pulled, not pushed: no task runs for it, so when the
//! client goes away and its transport drops the feed, nothing is left
//! listening.

use super::{App, Result};
use bilik_proto::v1::StationsUpdate;
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

/// One open feed (see the module docs).
#[derive(Debug)]
pub struct StationFeed {
    /// The use cases that build each station's view.
    app: App,
    /// The hub's change announcements, subscribed before the first
    /// snapshot so no change falls between them.
    changes: broadcast::Receiver<String>,
    /// Turns true when the server stops: the feed ends.
    stopping: watch::Receiver<bool>,
    /// The next update must be a whole snapshot (at the start, and after
    /// the feed fell behind the announcements).
    snapshot_due: bool,
}

impl App {
    /// A new live station feed.
    pub fn watch_stations(&self) -> StationFeed {
        StationFeed {
            app: self.clone(),
            changes: self.hub().subscribe(),
            stopping: self.hub().stopping_signal(),
            snapshot_due: true,
        }
    }
}

impl StationFeed {
    /// The next update; `None` once the server is stopping. An error (the
    /// store failed) is the last item a transport should send.
    pub async fn next(&mut self) -> Option<Result<StationsUpdate>> {
        loop {
            if *self.stopping.borrow() {
                return None;
            }
            if self.snapshot_due {
                self.snapshot_due = false;
                return Some(
                    self.app
                        .station_infos()
                        .await
                        .map(|stations| StationsUpdate {
                            snapshot: true,
                            stations,
                        }),
                );
            }
            let change = tokio::select! {
                change = self.changes.recv() => change,
                _ = self.stopping.wait_for(|stopping| *stopping) => return None,
            };
            match change {
                Ok(station_id) => match self.app.station_view(&station_id).await {
                    Ok(Some(info)) => {
                        return Some(Ok(StationsUpdate {
                            snapshot: false,
                            stations: vec![info],
                        }));
                    }
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                },
                Err(RecvError::Lagged(_)) => self.snapshot_due = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// The feed as a stream that ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<StationsUpdate>> + Send + 'static {
        futures_util::stream::unfold(Some(self), |feed| async move {
            let mut feed = feed?;
            let item = feed.next().await?;
            let keep = item.is_ok().then_some(feed);
            Some((item, keep))
        })
    }
}
