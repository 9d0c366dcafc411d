//! Opening and closing sessions, the lease sweeper, agent events and the
//! usage-log query.

use super::{App, Error, Result, views};
use crate::policy::{normalise_card, parse_date};
use crate::store::SessionEnd;
use bilik_proto::store::v1::SessionRecord;
use bilik_proto::v1::{
    AgentEvent, Command, EndReason, EndSession, QuerySessionsRequest, ServerMessage, SessionInfo,
    agent_event, command, server_message,
};
use uuid::Uuid;

/// Most sessions one query returns.
const MAX_QUERY: usize = 10_000;

impl App {
    /// A new time-ordered session id (UUIDv7 at the server's clock).
    pub(super) fn new_session_id(&self, now_ms: i64) -> String {
        let ms = now_ms.max(0) as u64;
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            ms / 1000,
            ((ms % 1000) * 1_000_000) as u32,
        );
        Uuid::new_v7(ts).to_string()
    }

    /// Writes a new open session durably before anyone is answered.
    /// The caller holds the session lock and has checked the rules.
    pub(super) async fn open_session(&self, session: &SessionRecord) -> Result<()> {
        self.store().start_session(session).map_err(|e| match e {
            crate::store::StoreError::Conflict(m) => Error::FailedPrecondition(m),
            other => Error::Store(other),
        })?;
        self.store().flush().await?;
        tracing::info!(
            session = %session.session_id, station = %session.station_name,
            card = %session.card, minutes = (session.ends_at_ms - session.started_at_ms) / 60_000,
            "session started"
        );
        self.hub().changed(&session.station_id);
        Ok(())
    }

    /// Ends a session durably. With `event`, records it applied in the same
    /// write; returns `false` if that event was applied before.
    pub(super) async fn close_session(
        &self,
        mut session: SessionRecord,
        ended_at_ms: i64,
        reason: EndReason,
        event: Option<SessionEnd<'_>>,
    ) -> Result<bool> {
        session.ended_at_ms = ended_at_ms.max(session.started_at_ms);
        session.end_reason = reason as i32;
        let written = self.store().end_session(&session, event)?;
        self.store().flush().await?;
        if written {
            tracing::info!(
                session = %session.session_id, station = %session.station_name,
                reason = reason.as_str_name(), "session ended"
            );
            self.hub().changed(&session.station_id);
        }
        Ok(written)
    }

    /// Tells an attached agent to lock (best effort: it locks by itself at
    /// the lease end anyway).
    pub(super) async fn push_end(
        &self,
        station_id: &str,
        session_id: &str,
        reason: EndReason,
    ) -> bool {
        let cmd = command::Kind::End(EndSession {
            session_id: session_id.to_owned(),
            reason: reason as i32,
        });
        self.push_command(station_id, cmd).await
    }

    /// Pushes one command down a station's stream.
    pub(super) async fn push_command(&self, station_id: &str, kind: command::Kind) -> bool {
        let msg = ServerMessage {
            kind: Some(server_message::Kind::Command(Command {
                command_id: Uuid::new_v4().to_string(),
                kind: Some(kind),
            })),
        };
        self.hub().push(station_id, msg).await
    }

    /// Ends, as time_up at their end time, every open session past its end.
    pub(super) async fn close_overdue_sessions(&self, now_ms: i64) -> Result<()> {
        let _guard = self.inner.session_lock.lock().await;
        for session in self.store().active_sessions()? {
            if session.ends_at_ms <= now_ms {
                let (station, id, ends) = (
                    session.station_id.clone(),
                    session.session_id.clone(),
                    session.ends_at_ms,
                );
                self.close_session(session, ends, EndReason::TimeUp, None)
                    .await?;
                self.push_end(&station, &id, EndReason::TimeUp).await;
            }
        }
        Ok(())
    }

    /// Applies an event an agent journaled; each id once. Returns whether it
    /// was new (either way the agent gets its acknowledgement).
    pub async fn apply_event(&self, station_id: &str, event: &AgentEvent) -> Result<bool> {
        if event.event_id.is_empty() || event.event_id.len() > 64 {
            return Err(Error::InvalidArgument("event id: 1-64 characters".into()));
        }
        let _guard = self.inner.session_lock.lock().await;
        if self.store().event_applied(station_id, &event.event_id)? {
            return Ok(false);
        }
        let now = self.now_ms();
        match &event.kind {
            Some(agent_event::Kind::SessionEnded(ended)) => {
                let session = self
                    .store()
                    .session(&ended.session_id)?
                    .filter(|s| s.station_id == station_id);
                let Some(session) = session else {
                    tracing::warn!(station = %station_id, session = %ended.session_id, "event for an unknown session");
                    return Ok(self.store().mark_event_applied(station_id, event, now)?);
                };
                // The monotonic elapsed time beats the PC's wall clock.
                let at = if ended.elapsed_ms > 0 {
                    session.started_at_ms + ended.elapsed_ms
                } else {
                    event.at_ms
                };
                let at = at.clamp(
                    session.started_at_ms,
                    session.ends_at_ms.max(session.started_at_ms),
                );
                let reason = match EndReason::try_from(ended.reason) {
                    Ok(EndReason::Unspecified) | Err(_) => EndReason::Logout,
                    Ok(r) => r,
                };
                // Open: end it. Closed by the server on a guess (lease
                // end, restart) later than the agent says: the agent knows.
                let guessed = [EndReason::TimeUp as i32, EndReason::StationRestarted as i32];
                let amend = session.ended_at_ms != 0
                    && guessed.contains(&session.end_reason)
                    && at < session.ended_at_ms;
                if session.ended_at_ms == 0 || amend {
                    let marker = SessionEnd {
                        station_id,
                        event,
                        applied_at_ms: now,
                    };
                    return self.close_session(session, at, reason, Some(marker)).await;
                }
                Ok(self.store().mark_event_applied(station_id, event, now)?)
            }
            Some(agent_event::Kind::HookFailed(h)) => {
                tracing::warn!(station = %station_id, hook = %h.hook, exit = h.exit_code, timed_out = h.timed_out, "station hook failed");
                Ok(self.store().mark_event_applied(station_id, event, now)?)
            }
            Some(agent_event::Kind::Tamper(t)) => {
                tracing::warn!(station = %station_id, detail = %t.detail, "station reports tampering");
                Ok(self.store().mark_event_applied(station_id, event, now)?)
            }
            None => Err(Error::InvalidArgument("event without a kind".into())),
        }
    }

    /// The usage log between two library-local dates, optionally for one
    /// station or card, oldest first.
    pub fn query_sessions(&self, req: &QuerySessionsRequest) -> Result<Vec<SessionInfo>> {
        let date = |text: &str, what: &str| -> Result<Option<chrono::NaiveDate>> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            parse_date(text).map(Some).ok_or_else(|| {
                Error::InvalidArgument(format!("{what}: not a date (YYYY-MM-DD): {text:?}"))
            })
        };
        let from = date(&req.from_date, "from_date")?;
        let to = date(&req.to_date, "to_date")?;
        let from_ms = from.map_or(0, |d| self.day_start_ms(d));
        let to_ms = to
            .and_then(|d| d.succ_opt())
            .map_or(i64::MAX >> 16, |d| self.day_start_ms(d));
        let limit = match req.limit {
            0 => MAX_QUERY,
            n => (n as usize).min(MAX_QUERY),
        };
        let station_id = match req.station.trim() {
            "" => None,
            s => Some(self.resolve_station(s)?.station_id),
        };
        let sessions = match req.card.trim() {
            "" => self.store().sessions_between(from_ms, to_ms)?,
            raw => {
                let card = normalise_card(raw).map_err(|_| {
                    Error::InvalidArgument(format!("card: not a card number: {raw:?}"))
                })?;
                let mut list = self.store().card_sessions_since(&card, from_ms)?;
                list.retain(|s| s.started_at_ms < to_ms);
                list
            }
        };
        Ok(sessions
            .iter()
            .filter(|s| station_id.as_ref().is_none_or(|id| &s.station_id == id))
            .take(limit)
            .map(views::session_info)
            .collect())
    }
}

impl App {
    /// The patron logs out on the station. Logging out a session that has
    /// already ended answers with its end time (a retried call is harmless).
    pub async fn logout(
        &self,
        station: &bilik_proto::store::v1::StationRecord,
        session_id: &str,
    ) -> Result<i64> {
        let _guard = self.inner.session_lock.lock().await;
        let session = self
            .store()
            .session(session_id)?
            .filter(|s| s.station_id == station.station_id)
            .ok_or_else(|| Error::NotFound(format!("no session {session_id:?} on this station")))?;
        if session.ended_at_ms != 0 {
            return Ok(session.ended_at_ms);
        }
        let at = self.now_ms().min(session.ends_at_ms);
        self.close_session(session, at, EndReason::Logout, None)
            .await?;
        Ok(at)
    }
}
