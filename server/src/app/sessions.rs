//! Opening and closing sessions, the lease sweeper, agent events and the
//! usage-log query.

use super::alerts::{AlertKind, Occurrence};
use super::{App, Error, Result, clean_line, not_a_card, not_a_date, views};
use crate::policy::{normalise_card, parse_date};
use crate::store::{SessionEnd, StartRefused};
use bilik_proto::store::v1::SessionRecord;
use bilik_proto::v1::{
    AgentEvent, Command, EndReason, EndSession, QuerySessionsRequest, ServerMessage, SessionInfo,
    agent_event, command, server_message,
};
use uuid::Uuid;

/// Overdue sessions the sweeper ends per durable commit: the first
/// stations hear of their end after one batch, not after all of them.
const SWEEP_BATCH: usize = 500;

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

    /// Writes a new open session durably before anyone is answered. The
    /// store's transaction checks the invariants (one open session per
    /// station and per card, no session in maintenance); a refusal writes
    /// nothing.
    pub(super) async fn open_session(
        &self,
        session: &SessionRecord,
    ) -> Result<Result<(), StartRefused>> {
        let started = self.store().start_session(session)?.durable().await?;
        if started.is_ok() {
            tracing::info!(
                session = %session.session_id, station = %session.station_name,
                minutes = (session.ends_at_ms - session.started_at_ms) / 60_000,
                "session started"
            );
            let how = if session.unlocked_by.is_empty() {
                "card"
            } else {
                "staff"
            };
            self.metrics().session_started(how);
            self.hub().changed(&session.station_id);
        }
        Ok(started)
    }

    /// Ends a session that is still open, durably, at `ended_at_ms`.
    /// Returns the ended record, or `None` if it had ended meanwhile (a
    /// logout racing the sweeper: the first one wins).
    pub(super) async fn close_session(
        &self,
        session_id: &str,
        ended_at_ms: i64,
        reason: EndReason,
    ) -> Result<Option<SessionRecord>> {
        let ended = self
            .store()
            .end_session(session_id, |s| ended_record(s, ended_at_ms, reason), None)?
            .durable()
            .await?;
        if let Some(s) = &ended {
            self.session_ended(s);
        }
        Ok(ended)
    }

    /// Logs and counts an ended session and tells the dashboards.
    fn session_ended(&self, session: &SessionRecord) {
        let reason = EndReason::try_from(session.end_reason)
            .unwrap_or_default()
            .as_str_name();
        tracing::info!(
            session = %session.session_id, station = %session.station_name,
            reason, "session ended"
        );
        self.metrics().session_ended(reason);
        self.hub().changed(&session.station_id);
        self.offer_stations_soon();
    }

    /// Tells an attached agent to lock (best effort: it locks by itself at
    /// the lease end anyway).
    pub(super) async fn push_end(
        &self,
        station_id: &str,
        session_id: &str,
        reason: EndReason,
    ) -> bool {
        self.push_command(station_id, end_command(session_id, reason))
            .await
    }

    /// Pushes one command down a station's stream.
    pub(super) async fn push_command(&self, station_id: &str, kind: command::Kind) -> bool {
        self.hub().push(station_id, command_message(kind)).await
    }

    /// Ends, as time_up at their end time, every open session past its
    /// end. At closing time every lease ends in the same sweep: the ends are
    /// written in batches of [`SWEEP_BATCH`], one transaction each, on
    /// tokio's blocking pool (the runtime keeps serving logins), each batch
    /// made durable by one sync, then its stations are told. No lock is held.
    ///
    /// The batches overlap: while one batch is synced and its End commands
    /// go out (the hub task, the streams), the next batch's transaction
    /// already runs on the blocking pool, so the closing costs about the
    /// longer of the two per batch instead of their sum. A batch is pushed
    /// only after a sync that followed its own transaction.
    pub(super) async fn close_overdue_sessions(&self, now_ms: i64) -> Result<usize> {
        let overdue: Vec<SessionRecord> = self
            .store()
            .active_sessions()?
            .into_iter()
            .filter(|s| s.ends_at_ms <= now_ms)
            .collect();
        let mut batches = overdue.chunks(SWEEP_BATCH);
        let mut next = batches.next().map(|b| self.end_batch_soon(b));
        let mut closed = 0;
        while let Some(writing) = next.take() {
            let ended = writing.await.unwrap_or_else(|e| {
                Err(Error::FailedPrecondition(format!("the work stopped: {e}")))
            });
            next = batches.next().map(|b| self.end_batch_soon(b));
            let ended = match ended {
                Ok(ended) => ended,
                Err(e) => return Err(self.after_sweep_failure(next, e).await),
            };
            if ended.is_empty() {
                continue;
            }
            if let Err(e) = self.store().sync().await {
                return Err(self.after_sweep_failure(next, e.into()).await);
            }
            // The batch's End commands go to the hub in one request.
            let ends = ended
                .iter()
                .map(|s| {
                    let end = end_command(&s.session_id, EndReason::TimeUp);
                    (s.station_id.clone(), command_message(end))
                })
                .collect();
            self.hub().push_many(ends).await;
            for s in &ended {
                self.session_ended(s);
            }
            closed += ended.len();
        }
        Ok(closed)
    }

    /// Starts one sweep batch's transaction on the blocking pool at once
    /// (not when first awaited): each session at its own lease end, not
    /// durable yet (the sweep syncs before it tells anyone).
    fn end_batch_soon(
        &self,
        batch: &[SessionRecord],
    ) -> tokio::task::JoinHandle<Result<Vec<SessionRecord>>> {
        let ids: Vec<String> = batch.iter().map(|s| s.session_id.clone()).collect();
        let app = self.clone();
        tokio::task::spawn_blocking(move || {
            Ok(app
                .store()
                .end_sessions(&ids, |s| ended_record(s, s.ends_at_ms, EndReason::TimeUp))?
                .defer())
        })
    }

    /// A sweep stopped on `error`: the batch already started is let finish
    /// (its sessions are ended in the store; the next sweep's sync makes
    /// them durable, and each agent locks at its lease end by itself), and
    /// the error is what the sweep returns.
    async fn after_sweep_failure(
        &self,
        started: Option<tokio::task::JoinHandle<Result<Vec<SessionRecord>>>>,
        error: Error,
    ) -> Error {
        if let Some(started) = started
            && let Ok(Ok(ended)) = started.await
        {
            tracing::warn!(
                ended = ended.len(),
                "sweep batch ended after a failure, not pushed"
            );
        }
        error
    }

    /// Applies an event an agent journaled; each id once. Returns whether it
    /// was new (either way the agent gets its acknowledgement).
    pub async fn apply_event(&self, station_id: &str, event: &AgentEvent) -> Result<bool> {
        if event.event_id.is_empty() || event.event_id.len() > 64 {
            return Err(Error::InvalidArgument("event id: 1-64 characters".into()));
        }
        let event = &cleaned_event(event);
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
                    tracing::warn!(station = %station_id, "event for an unknown session");
                    return self.mark_applied(station_id, event, now).await;
                };
                // The monotonic elapsed time beats the PC's wall clock.
                let at = match ended.elapsed_ms {
                    Some(ms) => session.started_at_ms.saturating_add(ms),
                    None => event.at_ms,
                };
                let at = at.clamp(
                    session.started_at_ms,
                    session.ends_at_ms.max(session.started_at_ms),
                );
                let reason = match EndReason::try_from(ended.reason) {
                    Ok(EndReason::Unspecified) | Err(_) => EndReason::Logout,
                    Ok(r) => r,
                };
                let marker = SessionEnd {
                    station_id,
                    event,
                    applied_at_ms: now,
                };
                // Decided inside the store's transaction, against the record
                // as committed: open, end it; closed by the server on a guess
                // (lease end, restart) later than the agent says, the agent
                // knows better; otherwise leave it.
                let decide = |s: &SessionRecord| {
                    let guessed = [EndReason::TimeUp as i32, EndReason::StationRestarted as i32];
                    let amend =
                        s.ended_at_ms != 0 && guessed.contains(&s.end_reason) && at < s.ended_at_ms;
                    (s.ended_at_ms == 0 || amend).then(|| with_end(s, at, reason))
                };
                let before = self.store().event_applied(station_id, &event.event_id)?;
                let changed = self
                    .store()
                    .end_session(&session.session_id, decide, Some(marker))?
                    .durable()
                    .await?;
                match &changed {
                    // An end the server guessed, corrected: counted once already.
                    Some(s) if session.ended_at_ms != 0 => self.hub().changed(&s.station_id),
                    Some(s) => self.session_ended(s),
                    None => {}
                }
                Ok(!before)
            }
            Some(agent_event::Kind::HookFailed(h)) => {
                tracing::warn!(station = %station_id, hook = %h.hook, exit = h.exit_code, timed_out = h.timed_out, "station hook failed");
                self.mark_applied(station_id, event, now).await
            }
            Some(agent_event::Kind::Tamper(t)) => {
                tracing::warn!(station = %station_id, detail = %t.detail, "station reports tampering");
                let applied = self.mark_applied(station_id, event, now).await?;
                if applied {
                    let name = self
                        .store()
                        .station(station_id)?
                        .map_or_else(|| station_id.to_owned(), |s| s.name);
                    self.note_alert(AlertKind::Tamper, &name, Occurrence::Show, &t.detail)
                        .await;
                }
                Ok(applied)
            }
            None => Err(Error::InvalidArgument("event without a kind".into())),
        }
    }

    /// Records an event applied, durably; `false` if it was applied before.
    async fn mark_applied(&self, station_id: &str, event: &AgentEvent, now: i64) -> Result<bool> {
        Ok(self
            .store()
            .mark_event_applied(station_id, event, now)?
            .durable()
            .await?)
    }

    /// The usage log between two library-local dates, optionally for one
    /// station or card, oldest first.
    pub fn query_sessions(&self, req: &QuerySessionsRequest) -> Result<Vec<SessionInfo>> {
        Ok(self
            .session_records(req)?
            .iter()
            .map(views::session_info)
            .collect())
    }

    /// The stored sessions a usage-log query finds (dates library-local and
    /// inclusive, station by id or name, card), at most [`MAX_QUERY`].
    pub(super) fn session_records(&self, req: &QuerySessionsRequest) -> Result<Vec<SessionRecord>> {
        let date = |text: &str, what: &str| -> Result<Option<chrono::NaiveDate>> {
            if text.trim().is_empty() {
                return Ok(None);
            }
            parse_date(text).map(Some).ok_or_else(|| not_a_date(what))
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
                let card = normalise_card(raw).map_err(|_| not_a_card())?;
                let mut list = self.store().card_sessions_since(&card, from_ms)?;
                list.retain(|s| s.started_at_ms < to_ms);
                list
            }
        };
        Ok(sessions
            .into_iter()
            .filter(|s| station_id.as_ref().is_none_or(|id| &s.station_id == id))
            .take(limit)
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
        let session = self
            .store()
            .session(session_id)?
            .filter(|s| s.station_id == station.station_id)
            .ok_or_else(|| Error::NotFound("no such session on this station".into()))?;
        if session.ended_at_ms != 0 {
            return Ok(session.ended_at_ms);
        }
        let at = self.now_ms().min(session.ends_at_ms);
        match self
            .close_session(session_id, at, EndReason::Logout)
            .await?
        {
            Some(ended) => Ok(ended.ended_at_ms),
            // Ended meanwhile (the sweeper, a librarian): its end time stands.
            None => Ok(self
                .store()
                .session(session_id)?
                .map_or(at, |s| s.ended_at_ms)),
        }
    }
}

/// The command telling an agent to lock: its session ended.
fn end_command(session_id: &str, reason: EndReason) -> command::Kind {
    command::Kind::End(EndSession {
        session_id: session_id.to_owned(),
        reason: reason as i32,
    })
}

/// A command as the server sends it, with a new id.
fn command_message(kind: command::Kind) -> ServerMessage {
    ServerMessage {
        kind: Some(server_message::Kind::Command(Command {
            command_id: Uuid::new_v4().to_string(),
            kind: Some(kind),
        })),
    }
}

/// Longest text a station may send in an event (hook names, details).
const MAX_EVENT_TEXT: usize = 200;

/// An agent event with its texts made safe to store, show and log: one
/// line each, no control characters, clipped.
fn cleaned_event(event: &AgentEvent) -> AgentEvent {
    let mut event = event.clone();
    match &mut event.kind {
        Some(agent_event::Kind::SessionEnded(e)) => {
            e.session_id = clean_line(&e.session_id, 64);
        }
        Some(agent_event::Kind::HookFailed(h)) => {
            h.hook = clean_line(&h.hook, 64);
            h.detail = clean_line(&h.detail, MAX_EVENT_TEXT);
        }
        Some(agent_event::Kind::Tamper(t)) => {
            t.detail = clean_line(&t.detail, MAX_EVENT_TEXT);
        }
        None => {}
    }
    event
}

/// The ended version of an open session (`None` if it has ended already).
fn ended_record(
    session: &SessionRecord,
    ended_at_ms: i64,
    reason: EndReason,
) -> Option<SessionRecord> {
    (session.ended_at_ms == 0).then(|| with_end(session, ended_at_ms, reason))
}

/// A session with its end set (never before its start).
fn with_end(session: &SessionRecord, ended_at_ms: i64, reason: EndReason) -> SessionRecord {
    let mut s = session.clone();
    s.ended_at_ms = ended_at_ms.max(s.started_at_ms);
    s.end_reason = reason as i32;
    s
}
