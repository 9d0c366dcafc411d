//! `bilik.v1.Station`: what agents call.

use super::bearer;
use crate::app::App;
use bilik_proto::store::v1::StationRecord;
use bilik_proto::v1::station_server::Station;
use bilik_proto::v1::{
    AgentMessage, EnrollRequest, EnrollResponse, EventAck, LoginRequest, LoginResponse,
    LogoutRequest, LogoutResponse, ServerMessage, StationState, agent_message, server_message,
};
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

/// How long an agent has to say Hello after opening the stream.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages queued towards one agent before pushes are refused.
const LINK_QUEUE: usize = 64;

/// The Station service.
#[derive(Debug, Clone)]
pub struct StationService {
    /// The use cases.
    app: App,
}

impl StationService {
    /// A service over `app`.
    pub fn new(app: App) -> StationService {
        StationService { app }
    }

    fn station<T>(&self, req: &Request<T>) -> Result<StationRecord, Status> {
        Ok(self.app.authenticate_station(&bearer(req)?)?)
    }
}

type ServerStream = Pin<Box<dyn Stream<Item = Result<ServerMessage, Status>> + Send>>;

#[tonic::async_trait]
impl Station for StationService {
    async fn enroll(
        &self,
        req: Request<EnrollRequest>,
    ) -> Result<Response<EnrollResponse>, Status> {
        let source = super::source(&req);
        Ok(Response::new(
            self.app.enroll(req.get_ref(), &source).await?,
        ))
    }

    type AttachStream = ServerStream;

    async fn attach(
        &self,
        req: Request<Streaming<AgentMessage>>,
    ) -> Result<Response<ServerStream>, Status> {
        let station = self.station(&req)?;
        let mut incoming = req.into_inner();
        let first = tokio::time::timeout(HELLO_TIMEOUT, incoming.next())
            .await
            .map_err(|_| Status::deadline_exceeded("no Hello within 10 s"))?;
        let hello = match first {
            Some(Ok(AgentMessage {
                kind: Some(agent_message::Kind::Hello(hello)),
            })) => hello,
            Some(Ok(_)) => return Err(Status::invalid_argument("the first message must be Hello")),
            Some(Err(status)) => return Err(status),
            None => return Err(Status::invalid_argument("stream closed before Hello")),
        };
        let welcome = self.app.hello(&station, &hello).await?;
        let (tx, rx) = mpsc::channel(LINK_QUEUE);
        let welcome = ServerMessage {
            kind: Some(server_message::Kind::Welcome(welcome)),
        };
        tx.send(Ok(welcome))
            .await
            .map_err(|_| Status::cancelled("stream closed"))?;
        let state = StationState::try_from(hello.state).unwrap_or(StationState::Locked);
        let app = self.app.clone();
        let (conn_id, released) = app
            .hub()
            .connect(&station.station_id, tx, state, app.now_ms())
            .await
            .ok_or_else(|| Status::unavailable("the server is stopping"))?;
        let boot = crate::app::clean_line(&hello.boot_id, 64);
        tracing::info!(station = %station.name, %boot, "station attached");
        // A station that comes online free may be what a queued patron waits for.
        app.offer_stations_soon();
        tokio::spawn(read_agent(
            app,
            station.station_id,
            conn_id,
            incoming,
            released,
        ));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn login(&self, req: Request<LoginRequest>) -> Result<Response<LoginResponse>, Status> {
        let station = self.station(&req)?;
        Ok(Response::new(
            self.app.login(&station, req.get_ref()).await?,
        ))
    }

    async fn logout(
        &self,
        req: Request<LogoutRequest>,
    ) -> Result<Response<LogoutResponse>, Status> {
        let station = self.station(&req)?;
        let ended_at_ms = self.app.logout(&station, &req.get_ref().session_id).await?;
        Ok(Response::new(LogoutResponse { ended_at_ms }))
    }
}

/// Reads heartbeats and events from one agent until its stream ends.
async fn read_agent(
    app: App,
    station_id: String,
    conn_id: u64,
    mut incoming: Streaming<AgentMessage>,
    mut released: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let next = tokio::select! {
            next = incoming.next() => next,
            _ = &mut released => {
                tracing::debug!(station = %station_id, "link released by the hub");
                return;
            }
        };
        let msg = match next {
            Some(Ok(msg)) => msg,
            Some(Err(status)) => {
                tracing::debug!(station = %station_id, %status, "agent stream error");
                break;
            }
            None => break,
        };
        match msg.kind {
            Some(agent_message::Kind::Heartbeat(hb)) => {
                app.heartbeat(&station_id, conn_id, hb).await;
            }
            Some(agent_message::Kind::Event(event)) => match app
                .apply_event(&station_id, &event)
                .await
            {
                Ok(_) => {
                    let ack = ServerMessage {
                        kind: Some(server_message::Kind::Ack(EventAck {
                            event_ids: vec![event.event_id],
                        })),
                    };
                    if !app.hub().push_on(&station_id, conn_id, ack).await {
                        break;
                    }
                }
                Err(e) => tracing::warn!(station = %station_id, error = %e, "event not applied"),
            },
            Some(agent_message::Kind::Hello(_)) => {
                tracing::debug!(station = %station_id, "second Hello ignored");
            }
            None => tracing::debug!(station = %station_id, "empty agent message ignored"),
        }
    }
    app.hub().disconnect(&station_id, conn_id).await;
    app.link_closed(&station_id).await;
}
