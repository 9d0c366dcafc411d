//! Sessions (the usage log), the per-card index, the open session of each
//! station, and the agent events already applied.

use super::{Pending, Result, Store, StoreError, bump_counter, decode, flatten, get, time_key};
use bilik_proto::store::v1::{AppliedEventRecord, SessionRecord, StationRecord};
use bilik_proto::v1::AgentEvent;
use prost::Message;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

/// An agent event that caused a session end, recorded in the same
/// transaction so it is applied exactly once.
#[derive(Debug, Clone, Copy)]
pub struct SessionEnd<'a> {
    /// The station that sent the event.
    pub station_id: &'a str,
    /// The event, kept with its id.
    pub event: &'a AgentEvent,
    /// When the server applied it.
    pub applied_at_ms: i64,
}

pub(super) fn session_key(session_id: &str) -> Result<[u8; 16]> {
    super::uuid_key("session", session_id)
}

pub(super) fn card_key(card: &str, session_key: &[u8; 16]) -> Vec<u8> {
    let mut key = Vec::with_capacity(card.len() + 17);
    key.extend_from_slice(card.as_bytes());
    key.push(0);
    key.extend_from_slice(session_key);
    key
}

fn event_key(station_id: &str, event_id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(station_id.len() + event_id.len() + 1);
    key.extend_from_slice(station_id.as_bytes());
    key.push(0);
    key.extend_from_slice(event_id.as_bytes());
    key
}

/// Why a session could not start: an invariant the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartRefused {
    /// The station has an open session.
    StationBusy,
    /// The card has an open session on another station.
    CardInUse,
    /// The station is in maintenance (or is not enrolled any more).
    Maintenance,
}

/// Inside a transaction: writes an ended session and clears its station's
/// and card's open-session entries if they still point at it.
fn write_ended(
    sessions: &TransactionalTree,
    active: &TransactionalTree,
    active_cards: &TransactionalTree,
    key: &[u8; 16],
    ended: &SessionRecord,
) -> sled::transaction::ConflictableTransactionResult<(), StoreError> {
    sessions.insert(key, ended.encode_to_vec())?;
    let station = ended.station_id.as_bytes();
    if active.get(station)?.as_deref() == Some(&key[..]) {
        active.remove(station)?;
    }
    let card = ended.card.as_bytes();
    if !card.is_empty() && active_cards.get(card)?.as_deref() == Some(&key[..]) {
        active_cards.remove(card)?;
    }
    Ok(())
}

/// Aborts a transaction with a refusal (nothing written).
fn refuse(
    why: StartRefused,
) -> sled::transaction::ConflictableTransactionResult<Result<(), StartRefused>, StoreError> {
    Ok(Err(why))
}

impl Store {
    /// Records a new open session: the record, the card index, the
    /// station's and the card's active entries and the session counter, in
    /// one transaction that first checks the invariants (one open session
    /// per station and per card, no session on a station in maintenance).
    /// Concurrent starts cannot both pass: sled runs transactions one at a
    /// time against committed state.
    pub fn start_session(
        &self,
        session: &SessionRecord,
    ) -> Result<Pending<'_, Result<(), StartRefused>>> {
        let key = session_key(&session.session_id)?;
        let value = session.encode_to_vec();
        let card = (!session.card.is_empty()).then_some(session.card.as_bytes());
        let station = session.station_id.as_bytes();
        let outcome = (
            &self.sessions,
            &self.sessions_by_card,
            &self.active,
            &self.active_cards,
            &self.stations,
            &self.meta,
        )
            .transaction(
                |(sessions, by_card, active, active_cards, stations, meta)| {
                    let record: Option<StationRecord> = stations
                        .get(station)?
                        .and_then(|v| StationRecord::decode(v.as_ref()).ok());
                    if record.is_none_or(|r| r.maintenance) {
                        return refuse(StartRefused::Maintenance);
                    }
                    if active.get(station)?.is_some() {
                        return refuse(StartRefused::StationBusy);
                    }
                    if let Some(card) = card
                        && active_cards.get(card)?.is_some()
                    {
                        return refuse(StartRefused::CardInUse);
                    }
                    sessions.insert(&key, value.as_slice())?;
                    if let Some(card) = card {
                        by_card.insert(card_key(&session.card, &key), &[])?;
                        active_cards.insert(card, &key)?;
                    }
                    active.insert(station, &key)?;
                    bump_counter(meta, super::COUNT_SESSIONS, 1)?;
                    Ok(Ok(()))
                },
            )
            .map_err(flatten)?;
        Ok(match outcome {
            Ok(()) => Pending::wrote(self, Ok(())),
            Err(why) => Pending::nothing(self, Err(why)),
        })
    }

    /// Writes an ended session record as it is, with its card index entry
    /// (history brought in from elsewhere, benchmarks). Counted; never
    /// touches the open-session entries.
    pub fn import_ended_session(&self, session: &SessionRecord) -> Result<Pending<'_, ()>> {
        let key = session_key(&session.session_id)?;
        let value = session.encode_to_vec();
        (&self.sessions, &self.sessions_by_card, &self.meta)
            .transaction(|(sessions, by_card, meta)| {
                if sessions.insert(&key, value.as_slice())?.is_none() {
                    bump_counter(meta, super::COUNT_SESSIONS, 1)?;
                }
                if !session.card.is_empty() {
                    by_card.insert(card_key(&session.card, &key), &[])?;
                }
                Ok(())
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, ()))
    }

    /// Changes a session that is still open (an extension), in one
    /// transaction: a session that ended meanwhile is left alone (`None`).
    pub fn update_open_session(
        &self,
        session_id: &str,
        change: impl Fn(&mut SessionRecord),
    ) -> Result<Pending<'_, Option<SessionRecord>>> {
        let key = session_key(session_id)?;
        let updated = self
            .sessions
            .transaction(|sessions| {
                let Some(bytes) = sessions.get(key)? else {
                    return Ok(None);
                };
                let mut session: SessionRecord =
                    decode("sessions", &bytes).map_err(ConflictableTransactionError::Abort)?;
                if session.ended_at_ms != 0 {
                    return Ok(None);
                }
                change(&mut session);
                sessions.insert(&key, session.encode_to_vec())?;
                Ok(Some(session))
            })
            .map_err(flatten)?;
        Ok(match updated {
            Some(s) => Pending::wrote(self, Some(s)),
            None => Pending::nothing(self, None),
        })
    }

    /// Ends a session in one transaction: reads it as committed, asks
    /// `decide` what the ended record should be (`None`: leave it, e.g. it
    /// ended meanwhile), writes that and clears the station's and the card's
    /// active entries if they still point at it. With `event`, marks the
    /// event applied in the same transaction, and does nothing if it was
    /// applied before. Returns the ended record if this call ended it.
    pub fn end_session(
        &self,
        session_id: &str,
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord>,
        event: Option<SessionEnd<'_>>,
    ) -> Result<Pending<'_, Option<SessionRecord>>> {
        let key = session_key(session_id)?;
        let marker = event.map(|e| {
            let record = AppliedEventRecord {
                applied_at_ms: e.applied_at_ms,
                event: Some(e.event.clone()),
            };
            (
                event_key(e.station_id, &e.event.event_id),
                record.encode_to_vec(),
            )
        });
        let (wrote, ended) = (
            &self.sessions,
            &self.active,
            &self.active_cards,
            &self.applied_events,
        )
            .transaction(|(sessions, active, active_cards, applied)| {
                let mut wrote = false;
                if let Some((k, v)) = &marker {
                    if applied.get(k.as_slice())?.is_some() {
                        return Ok((false, None));
                    }
                    applied.insert(k.as_slice(), v.as_slice())?;
                    wrote = true;
                }
                let Some(bytes) = sessions.get(key)? else {
                    return Ok((wrote, None));
                };
                let current: SessionRecord =
                    decode("sessions", &bytes).map_err(ConflictableTransactionError::Abort)?;
                let Some(ended) = decide(&current) else {
                    return Ok((wrote, None));
                };
                write_ended(sessions, active, active_cards, &key, &ended)?;
                Ok((true, Some(ended)))
            })
            .map_err(flatten)?;
        Ok(if wrote {
            Pending::wrote(self, ended)
        } else {
            Pending::nothing(self, ended)
        })
    }

    /// Ends many sessions in one transaction (the sweeper at closing time):
    /// for each id, `decide` gets the record as committed and says what the
    /// ended record is (`None`: leave it). Returns the records it ended.
    /// One transaction for a batch costs far less than one per session.
    pub fn end_sessions(
        &self,
        session_ids: &[String],
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord>,
    ) -> Result<Pending<'_, Vec<SessionRecord>>> {
        let keys: Vec<[u8; 16]> = session_ids
            .iter()
            .map(|id| session_key(id))
            .collect::<Result<_>>()?;
        let ended = (&self.sessions, &self.active, &self.active_cards)
            .transaction(|(sessions, active, active_cards)| {
                let mut ended = Vec::with_capacity(keys.len());
                for key in &keys {
                    let Some(bytes) = sessions.get(key)? else {
                        continue;
                    };
                    let current: SessionRecord =
                        decode("sessions", &bytes).map_err(ConflictableTransactionError::Abort)?;
                    let Some(record) = decide(&current) else {
                        continue;
                    };
                    write_ended(sessions, active, active_cards, key, &record)?;
                    ended.push(record);
                }
                Ok(ended)
            })
            .map_err(flatten)?;
        Ok(if ended.is_empty() {
            Pending::nothing(self, ended)
        } else {
            Pending::wrote(self, ended)
        })
    }

    /// Marks an agent event applied (keeping it); `false` if it was applied before.
    pub fn mark_event_applied(
        &self,
        station_id: &str,
        event: &AgentEvent,
        at_ms: i64,
    ) -> Result<Pending<'_, bool>> {
        let record = AppliedEventRecord {
            applied_at_ms: at_ms,
            event: Some(event.clone()),
        };
        let old = self.applied_events.compare_and_swap(
            event_key(station_id, &event.event_id),
            None::<&[u8]>,
            Some(record.encode_to_vec()),
        )?;
        Ok(match old {
            Ok(()) => Pending::wrote(self, true),
            Err(_) => Pending::nothing(self, false),
        })
    }

    /// Builds the card index of open sessions for a store written before
    /// it existed.
    pub(super) fn index_active_cards(&self) -> Result<()> {
        if !self.active_cards.is_empty() {
            return Ok(());
        }
        for entry in self.active.iter() {
            let (_, key) = entry?;
            if let Some(session) = get::<SessionRecord>(&self.sessions, "sessions", &key)?
                && !session.card.is_empty()
            {
                self.active_cards.insert(session.card.as_bytes(), key)?;
            }
        }
        Ok(())
    }

    /// The events a station reported, in id order.
    pub fn station_events(&self, station_id: &str) -> Result<Vec<AgentEvent>> {
        let mut prefix = station_id.as_bytes().to_vec();
        prefix.push(0);
        let mut events = Vec::new();
        for entry in self.applied_events.scan_prefix(prefix) {
            let record: AppliedEventRecord = decode("applied_events", &entry?.1)?;
            events.extend(record.event);
        }
        Ok(events)
    }

    /// Whether this agent event was applied already.
    pub fn event_applied(&self, station_id: &str, event_id: &str) -> Result<bool> {
        Ok(self
            .applied_events
            .contains_key(event_key(station_id, event_id))?)
    }

    /// One session by id (`None` for an unknown or malformed id).
    pub fn session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        match session_key(session_id) {
            Ok(key) => get(&self.sessions, "sessions", key),
            Err(_) => Ok(None),
        }
    }

    /// The open session of a station.
    pub fn active_session(&self, station_id: &str) -> Result<Option<SessionRecord>> {
        match self.active.get(station_id.as_bytes())? {
            Some(key) => get(&self.sessions, "sessions", key),
            None => Ok(None),
        }
    }

    /// Every open session.
    pub fn active_sessions(&self) -> Result<Vec<SessionRecord>> {
        let mut open = Vec::new();
        for entry in self.active.iter() {
            let (_, key) = entry?;
            if let Some(session) = get(&self.sessions, "sessions", key)? {
                open.push(session);
            }
        }
        Ok(open)
    }

    /// A card's sessions that started at or after `since_ms`, oldest first.
    pub fn card_sessions_since(&self, card: &str, since_ms: i64) -> Result<Vec<SessionRecord>> {
        let mut from = card.as_bytes().to_vec();
        let mut to = from.clone();
        from.push(0);
        from.extend_from_slice(&time_key(since_ms));
        to.push(1);
        let mut found = Vec::new();
        for entry in self.sessions_by_card.range(from..to) {
            let (key, _) = entry?;
            let session_key = &key[key.len().saturating_sub(16)..];
            if let Some(session) = get(&self.sessions, "sessions", session_key)? {
                found.push(session);
            }
        }
        Ok(found)
    }

    /// The open session of a card, if any (on any station).
    pub fn open_session_of_card(&self, card: &str) -> Result<Option<SessionRecord>> {
        match self.active_cards.get(card.as_bytes())? {
            Some(key) => Ok(get::<SessionRecord>(&self.sessions, "sessions", key)?
                .filter(|s| s.ended_at_ms == 0)),
            None => Ok(None),
        }
    }

    /// Sessions that started in `[from_ms, to_ms)`, oldest first. The cost
    /// follows the sessions in the range, not the whole history.
    pub fn sessions_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SessionRecord>> {
        let mut found = Vec::new();
        self.for_each_session_between(from_ms, to_ms, |s| found.push(s.clone()))?;
        Ok(found)
    }

    /// Lends every session that started in `[from_ms, to_ms)` to `f`, oldest
    /// first, without holding them all in memory. Returns how many.
    ///
    /// One record is decoded into again and again (`clear` keeps the
    /// capacity of its strings, `merge` refills them): once warm, a scan
    /// allocates nothing per session, which is most of what a million-session
    /// month costs beyond the sled iteration itself.
    pub fn for_each_session_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut f: impl FnMut(&SessionRecord),
    ) -> Result<u64> {
        let mut n = 0;
        let mut record = SessionRecord::default();
        for entry in self.sessions.range(time_key(from_ms)..time_key(to_ms)) {
            record.clear();
            record
                .merge(entry?.1.as_ref())
                .map_err(|source| StoreError::Decode {
                    tree: "sessions",
                    source,
                })?;
            f(&record);
            n += 1;
        }
        Ok(n)
    }

    /// Folds the sessions that started in `[from_ms, to_ms)` on up to
    /// `parts` threads: the time range is cut into equal slices, each slice
    /// scanned into its own accumulator from `init`, and the accumulators
    /// are returned in time order for the caller to merge. A month's report
    /// then costs a share of the month per core instead of all of it on one.
    pub fn fold_sessions_between<T: Send>(
        &self,
        from_ms: i64,
        to_ms: i64,
        parts: usize,
        init: impl Fn() -> T + Sync,
        fold: impl Fn(&mut T, &SessionRecord) + Sync,
    ) -> Result<Vec<T>> {
        let span = (to_ms - from_ms).max(0);
        let parts = i64::try_from(parts.max(1)).unwrap_or(1).min(span.max(1));
        let bounds: Vec<(i64, i64)> = (0..parts)
            .map(|i| (from_ms + span * i / parts, from_ms + span * (i + 1) / parts))
            .collect();
        let scan = |(from, to): (i64, i64)| {
            let mut acc = init();
            self.for_each_session_between(from, to, |s| fold(&mut acc, s))?;
            Ok(acc)
        };
        if bounds.len() == 1 {
            return bounds.into_iter().map(scan).collect();
        }
        std::thread::scope(|scope| {
            let workers: Vec<_> = bounds
                .iter()
                .map(|&range| scope.spawn(move || scan(range)))
                .collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    }

    /// How many sessions are stored (a counter: no scan).
    pub fn session_count(&self) -> Result<u64> {
        self.counter(super::COUNT_SESSIONS)
    }
}
