//! One task owns the live links to attached agents. Everybody else talks to
//! it over a channel: register a link, report a heartbeat, push a command.
//! Commands are pushed down the agent's open stream, never polled.

use bilik_proto::v1::{Heartbeat, Metrics, ServerMessage, StationState};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

/// The sending half of an agent's stream.
pub type LinkSender = mpsc::Sender<Result<ServerMessage, tonic::Status>>;

/// What the hub knows about a station from its link.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveStatus {
    /// Attached and heartbeating in time.
    pub online: bool,
    /// The state the agent last reported.
    pub state: StationState,
    /// Server time of the last message from the agent.
    pub last_seen_ms: i64,
    /// The agent's last sysinfo sample.
    pub metrics: Option<Metrics>,
}

enum Msg {
    Connect {
        station_id: String,
        link: LinkSender,
        now_ms: i64,
        state: StationState,
        reply: oneshot::Sender<(u64, oneshot::Receiver<()>)>,
    },
    Disconnect {
        station_id: String,
        conn_id: u64,
    },
    Heartbeat {
        station_id: String,
        conn_id: u64,
        heartbeat: Heartbeat,
        now_ms: i64,
    },
    Push {
        station_id: String,
        message: ServerMessage,
        reply: oneshot::Sender<bool>,
    },
    PushMany {
        messages: Vec<(String, ServerMessage)>,
        reply: oneshot::Sender<Vec<bool>>,
    },
    PushOn {
        station_id: String,
        conn_id: u64,
        message: ServerMessage,
        reply: oneshot::Sender<bool>,
    },
    Live {
        reply: oneshot::Sender<HashMap<String, LiveStatus>>,
    },
    LiveOf {
        station_id: String,
        reply: oneshot::Sender<Option<LiveStatus>>,
    },
    Census {
        reply: oneshot::Sender<Census>,
    },
    Sweep {
        now_ms: i64,
        offline_after_ms: i64,
        reply: oneshot::Sender<Vec<String>>,
    },
    CloseAll {
        reply: oneshot::Sender<()>,
    },
}

/// How many stations the hub holds links for, counted in the hub task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Census {
    /// Stations with an open stream.
    pub attached: usize,
    /// Stations attached and heartbeating in time.
    pub online: usize,
}

/// A handle to the hub task; cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    /// Requests to the task that owns the links.
    tx: mpsc::Sender<Msg>,
    /// Station ids whose view changed; dashboards and watchers listen.
    changes: broadcast::Sender<String>,
    /// Set to true at shutdown, so endless watch streams end too.
    stopping: watch::Sender<bool>,
    /// Nanoseconds the hub task has spent handling messages since start:
    /// its CPU share (what every heartbeat and push queues behind).
    busy_ns: Arc<AtomicU64>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hub::Msg")
    }
}

/// One attached agent.
struct Link {
    /// Tells a stale disconnect (from a replaced stream) from the current one.
    conn_id: u64,
    /// Where pushed messages go.
    sender: LinkSender,
    /// Dropped with the link: tells the stream's reader to stop.
    _released: oneshot::Sender<()>,
}

/// The state owned by the hub task.
struct HubState {
    /// Open streams by station id.
    links: HashMap<String, Link>,
    /// Last known status of every station seen since start.
    live: HashMap<String, LiveStatus>,
    /// Next connection id.
    next_conn: u64,
    /// Where changes are announced.
    changes: broadcast::Sender<String>,
    /// See [`Hub::busy_ns`].
    busy_ns: Arc<AtomicU64>,
}

impl Hub {
    /// Starts the hub task. It ends when the last handle is dropped.
    pub fn spawn() -> Hub {
        let (tx, rx) = mpsc::channel(4096);
        let (changes, _) = broadcast::channel(4096);
        let busy_ns = Arc::new(AtomicU64::new(0));
        let state = HubState {
            links: HashMap::new(),
            live: HashMap::new(),
            next_conn: 1,
            changes: changes.clone(),
            busy_ns: busy_ns.clone(),
        };
        tokio::spawn(state.run(rx));
        let (stopping, _) = watch::channel(false);
        Hub {
            tx,
            changes,
            stopping,
            busy_ns,
        }
    }

    /// Registers an agent's stream, replacing an older one of the same
    /// station. Returns the connection id to pass to [`Hub::disconnect`] and
    /// a receiver that resolves when the hub lets go of the link (replaced,
    /// or server shutdown), so the reader of the agent's stream stops too.
    pub async fn connect(
        &self,
        station_id: &str,
        link: LinkSender,
        state: StationState,
        now_ms: i64,
    ) -> Option<(u64, oneshot::Receiver<()>)> {
        let (reply, rx) = oneshot::channel();
        let msg = Msg::Connect {
            station_id: station_id.to_owned(),
            link,
            now_ms,
            state,
            reply,
        };
        if self.tx.send(msg).await.is_err() {
            return None;
        }
        rx.await.ok()
    }

    /// The stream of `conn_id` ended.
    pub async fn disconnect(&self, station_id: &str, conn_id: u64) {
        let msg = Msg::Disconnect {
            station_id: station_id.to_owned(),
            conn_id,
        };
        let _ = self.tx.send(msg).await;
    }

    /// A heartbeat arrived on `conn_id`.
    pub async fn heartbeat(
        &self,
        station_id: &str,
        conn_id: u64,
        heartbeat: Heartbeat,
        now_ms: i64,
    ) {
        let msg = Msg::Heartbeat {
            station_id: station_id.to_owned(),
            conn_id,
            heartbeat,
            now_ms,
        };
        let _ = self.tx.send(msg).await;
    }

    /// Pushes a message down the station's stream; `false` if it is not attached.
    pub async fn push(&self, station_id: &str, message: ServerMessage) -> bool {
        let (reply, rx) = oneshot::channel();
        let msg = Msg::Push {
            station_id: station_id.to_owned(),
            message,
            reply,
        };
        if self.tx.send(msg).await.is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// Pushes each message down its station's stream, all in one request
    /// to the hub task (the sweeper's batch of ends: one round trip instead
    /// of one per station). Returns, in order, whether each was queued.
    pub async fn push_many(&self, messages: Vec<(String, ServerMessage)>) -> Vec<bool> {
        let n = messages.len();
        let (reply, rx) = oneshot::channel();
        if self
            .tx
            .send(Msg::PushMany { messages, reply })
            .await
            .is_err()
        {
            return vec![false; n];
        }
        rx.await.unwrap_or_else(|_| vec![false; n])
    }

    /// The live status of every station the hub has seen.
    pub async fn live(&self) -> HashMap<String, LiveStatus> {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Live { reply }).await.is_err() {
            return HashMap::new();
        }
        rx.await.unwrap_or_default()
    }

    /// How many stations are attached and online (cheaper than [`Hub::live`]).
    pub async fn census(&self) -> Census {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::Census { reply }).await.is_err() {
            return Census::default();
        }
        rx.await.unwrap_or_default()
    }

    /// Requests waiting for the hub task (heartbeats, pushes, ...): a queue
    /// that stays full means the task cannot keep up.
    pub fn queue_depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// What the hub knows about one station (`None`: never attached since
    /// the start), without copying every station's status.
    pub async fn live_of(&self, station_id: &str) -> Option<LiveStatus> {
        let (reply, rx) = oneshot::channel();
        let msg = Msg::LiveOf {
            station_id: station_id.to_owned(),
            reply,
        };
        if self.tx.send(msg).await.is_err() {
            return None;
        }
        rx.await.ok().flatten()
    }

    /// Marks stations offline whose last message is older than
    /// `offline_after_ms`; returns the ids of those that went offline now.
    pub async fn sweep(&self, now_ms: i64, offline_after_ms: i64) -> Vec<String> {
        let (reply, rx) = oneshot::channel();
        let sent = self
            .tx
            .send(Msg::Sweep {
                now_ms,
                offline_after_ms,
                reply,
            })
            .await;
        match sent {
            Ok(()) => rx.await.unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// Ends every agent stream (server shutdown): agents reconnect later.
    pub async fn close_all(&self) {
        self.stopping.send_replace(true);
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Msg::CloseAll { reply }).await.is_ok() {
            let _ = rx.await;
        }
    }

    /// Pushes a message only if `conn_id` is still the station's current
    /// stream (acks belong to the stream that carried the events).
    pub async fn push_on(&self, station_id: &str, conn_id: u64, message: ServerMessage) -> bool {
        let (reply, rx) = oneshot::channel();
        let msg = Msg::PushOn {
            station_id: station_id.to_owned(),
            conn_id,
            message,
            reply,
        };
        if self.tx.send(msg).await.is_err() {
            return false;
        }
        rx.await.unwrap_or(false)
    }

    /// Announces that a station's view changed (session, maintenance ...).
    pub fn changed(&self, station_id: &str) {
        let _ = self.changes.send(station_id.to_owned());
    }

    /// Resolves once the server is stopping.
    pub async fn stopping(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Subscribes to station changes.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }

    /// Whether the server is stopping, as a receiver a feed can wait on.
    pub fn stopping_signal(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Nanoseconds the hub task has spent handling messages since start
    /// (its CPU share over an interval is the difference over the interval).
    pub fn busy_ns(&self) -> u64 {
        self.busy_ns.load(Ordering::Relaxed)
    }

    /// How many listen to station changes now (open feeds; the count a
    /// test watches to see a feed end).
    pub fn watchers(&self) -> usize {
        self.changes.receiver_count()
    }
}

impl HubState {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        while let Some(msg) = rx.recv().await {
            let started = Instant::now();
            self.handle(msg);
            let spent = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.busy_ns.fetch_add(spent, Ordering::Relaxed);
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Connect {
                station_id,
                link,
                now_ms,
                state,
                reply,
            } => {
                let conn_id = self.next_conn;
                self.next_conn += 1;
                let (released, on_release) = oneshot::channel();
                self.links.insert(
                    station_id.clone(),
                    Link {
                        conn_id,
                        sender: link,
                        _released: released,
                    },
                );
                let live = self.live.entry(station_id.clone()).or_default();
                live.online = true;
                live.state = state;
                live.last_seen_ms = now_ms;
                let _ = reply.send((conn_id, on_release));
                self.announce(&station_id);
            }
            Msg::Disconnect {
                station_id,
                conn_id,
            } => {
                if self
                    .links
                    .get(&station_id)
                    .is_some_and(|l| l.conn_id == conn_id)
                {
                    self.links.remove(&station_id);
                    if let Some(live) = self.live.get_mut(&station_id) {
                        live.online = false;
                    }
                    tracing::info!(station = %station_id, "station detached");
                    self.announce(&station_id);
                }
            }
            Msg::Heartbeat {
                station_id,
                conn_id,
                heartbeat,
                now_ms,
            } => {
                if self
                    .links
                    .get(&station_id)
                    .is_none_or(|l| l.conn_id != conn_id)
                {
                    return;
                }
                let live = self.live.entry(station_id.clone()).or_default();
                let state =
                    StationState::try_from(heartbeat.state).unwrap_or(StationState::Unspecified);
                // Only what the grid shows as a change is announced: coming
                // online, a new state. A heartbeat that only refreshes the
                // time and the sample is read by the next view, not pushed
                // to every feed.
                let changed = !live.online || live.state != state;
                live.online = true;
                live.state = state;
                live.last_seen_ms = now_ms;
                if heartbeat.metrics.is_some() {
                    live.metrics = heartbeat.metrics;
                }
                if changed {
                    self.announce(&station_id);
                }
            }
            Msg::Push {
                station_id,
                message,
                reply,
            } => {
                let _ = reply.send(self.push(&station_id, None, message));
            }
            Msg::PushMany { messages, reply } => {
                let sent = messages
                    .into_iter()
                    .map(|(station_id, message)| self.push(&station_id, None, message))
                    .collect();
                let _ = reply.send(sent);
            }
            Msg::PushOn {
                station_id,
                conn_id,
                message,
                reply,
            } => {
                let _ = reply.send(self.push(&station_id, Some(conn_id), message));
            }
            Msg::CloseAll { reply } => {
                for (id, _) in self.links.drain() {
                    if let Some(live) = self.live.get_mut(&id) {
                        live.online = false;
                    }
                }
                let _ = reply.send(());
            }
            Msg::Live { reply } => {
                let _ = reply.send(self.live.clone());
            }
            Msg::LiveOf { station_id, reply } => {
                let _ = reply.send(self.live.get(&station_id).cloned());
            }
            Msg::Census { reply } => {
                let _ = reply.send(Census {
                    attached: self.links.len(),
                    online: self.live.values().filter(|l| l.online).count(),
                });
            }
            Msg::Sweep {
                now_ms,
                offline_after_ms,
                reply,
            } => {
                let silent: Vec<String> = self
                    .live
                    .iter()
                    .filter(|(_, l)| l.online && now_ms - l.last_seen_ms > offline_after_ms)
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in &silent {
                    if let Some(live) = self.live.get_mut(id) {
                        live.online = false;
                    }
                    tracing::warn!(station = %id, "station missed its heartbeats: offline");
                    self.announce(id);
                }
                let _ = reply.send(silent);
            }
        }
    }

    /// Queues a message on a station's stream (on `conn_id` only, if given).
    fn push(&self, station_id: &str, conn_id: Option<u64>, message: ServerMessage) -> bool {
        let Some(link) = self.links.get(station_id) else {
            return false;
        };
        if conn_id.is_some_and(|c| c != link.conn_id) {
            return false;
        }
        match link.sender.try_send(Ok(message)) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(station = %station_id, error = %e, "push failed");
                false
            }
        }
    }

    fn announce(&self, station_id: &str) {
        let _ = self.changes.send(station_id.to_owned());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Hub;
    use bilik_proto::v1::{EventAck, ServerMessage, StationState, server_message};

    /// A message told apart by its number.
    fn message(n: u64) -> ServerMessage {
        ServerMessage {
            kind: Some(server_message::Kind::Ack(EventAck {
                event_ids: vec![n.to_string()],
            })),
        }
    }

    #[tokio::test]
    async fn push_many_reaches_each_attached_station_and_says_which_it_could_not() {
        let hub = Hub::spawn();
        let (a_tx, mut a_rx) = tokio::sync::mpsc::channel(4);
        let (b_tx, mut b_rx) = tokio::sync::mpsc::channel(4);
        let _a = hub
            .connect("a", a_tx, StationState::Locked, 0)
            .await
            .unwrap();
        let _b = hub
            .connect("b", b_tx, StationState::Locked, 0)
            .await
            .unwrap();
        let sent = hub
            .push_many(vec![
                ("a".into(), message(1)),
                ("nobody".into(), message(2)),
                ("b".into(), message(3)),
                ("a".into(), message(4)),
            ])
            .await;
        assert_eq!(sent, [true, false, true, true]);
        assert_eq!(a_rx.recv().await.unwrap().unwrap(), message(1));
        assert_eq!(a_rx.recv().await.unwrap().unwrap(), message(4));
        assert_eq!(b_rx.recv().await.unwrap().unwrap(), message(3));
        assert!(a_rx.try_recv().is_err() && b_rx.try_recv().is_err());
    }
}
