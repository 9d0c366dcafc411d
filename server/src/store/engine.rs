//! The store as the app needs it, behind one async interface with engines
//! behind it (DESIGN §3): the embedded sled [`Store`] (the default) and
//! [`PgStore`](super::postgres::PgStore) on PostgreSQL. One conformance
//! suite (`tests/tests/store_conformance.rs`) runs against every engine.
//!
//! Every write returns only once it is durable: there is no
//! [`Pending`](super::Pending) in this interface (the sled engine awaits
//! its group commit; PostgreSQL commits with `synchronous_commit = on`).
//! Records are the prost types of `records.proto`; errors are
//! [`StoreError`](super::StoreError). The invariants (one open session per
//! station and per card, no session on a station in maintenance, each agent
//! event applied once, a signed month never changes) are each engine's to
//! keep against concurrent callers — sled in its transactions, PostgreSQL
//! in unique indexes and row locks — never by a lock in the caller.
//!
//! Closures that decide a change (`update_member`, `end_session`, ...) run
//! inside the engine's transaction on the record as committed, and may run
//! more than once: they must be pure.

use super::{Result, SessionEnd, StartRefused, Store};
use bilik_proto::store::v1::{
    EnrollmentCodeRecord, IncidentRecord, MemberRecord, QueueRecord, QueueWaitRecord,
    SessionRecord, SignedReportRecord, StaffRecord, StationRecord, WatchRecord,
};
use bilik_proto::v1::AgentEvent;
use std::future::Future;

/// A store engine: everything the app reads and writes, async, each write
/// durable when it returns.
pub trait Engine: Send + Sync + 'static {
    // ---- meta and settings ----

    /// A setting or other named value.
    fn meta(&self, name: &str) -> impl Future<Output = Result<Option<Vec<u8>>>> + Send;

    /// Stores a named value (replacing any).
    fn set_meta(&self, name: &str, value: &[u8]) -> impl Future<Output = Result<()>> + Send;

    /// Stores a named value unless one is there; `false` (nothing written)
    /// if it was. Two servers' first starts cannot both win.
    fn create_meta(&self, name: &str, value: &[u8]) -> impl Future<Output = Result<bool>> + Send;

    // ---- members ----

    /// The member with this (normalised) card number.
    fn member(&self, card: &str) -> impl Future<Output = Result<Option<MemberRecord>>> + Send;

    /// Writes one member; `true` when it is new.
    fn put_member(&self, member: &MemberRecord) -> impl Future<Output = Result<bool>> + Send;

    /// Writes many members, all or none, with the member counter. Returns
    /// (created, updated).
    fn put_members(
        &self,
        members: &[MemberRecord],
    ) -> impl Future<Output = Result<(u32, u32)>> + Send;

    /// Changes one member as committed: `change` returns whether it changed
    /// anything. `false` when there is no such member or no change.
    fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool + Send + Sync,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// One page of the members matching a search, and how many match in
    /// all: card starts with `card_prefix` (none: no card matches) or every
    /// one of `name_words` (folded by [`crate::policy::name_words`]; none:
    /// no name matches) begins a word of the name. Card matches first, by
    /// card, then name matches, by lower-case name, then card.
    fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_words: &[String],
        offset: usize,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<MemberRecord>, usize)>> + Send;

    /// How many members are stored (a counter, no scan).
    fn member_count(&self) -> impl Future<Output = Result<u64>> + Send;

    // ---- stations and enrolment codes ----

    /// The station with this id.
    fn station(
        &self,
        station_id: &str,
    ) -> impl Future<Output = Result<Option<StationRecord>>> + Send;

    /// The station with this name (case-insensitive, trimmed).
    fn station_by_name(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<StationRecord>>> + Send;

    /// Writes a station; its name finds it from now on (the last station
    /// written with a name owns it), a renamed station's old name does not.
    fn put_station(&self, station: &StationRecord) -> impl Future<Output = Result<()>> + Send;

    /// Sets or clears a station's maintenance flag on the record as
    /// committed. `None` for an unknown station.
    fn set_station_maintenance(
        &self,
        station_id: &str,
        on: bool,
    ) -> impl Future<Output = Result<Option<StationRecord>>> + Send;

    /// Every station, in id order (bytewise).
    fn stations(&self) -> impl Future<Output = Result<Vec<StationRecord>>> + Send;

    /// How many stations are enrolled.
    fn station_count(&self) -> impl Future<Output = Result<u64>> + Send;

    /// Stores a new enrolment code (by its hash).
    fn put_enrollment_code(
        &self,
        code: &EnrollmentCodeRecord,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Removes and returns the code with this hash: a code works once, even
    /// when two stations race for it.
    fn take_enrollment_code(
        &self,
        code_hash: &str,
    ) -> impl Future<Output = Result<Option<EnrollmentCodeRecord>>> + Send;

    // ---- staff ----

    /// The staff account with this username.
    fn staff(&self, username: &str) -> impl Future<Output = Result<Option<StaffRecord>>> + Send;

    /// Creates a staff account; `false` (nothing written) if the name is taken.
    fn create_staff(&self, staff: &StaffRecord) -> impl Future<Output = Result<bool>> + Send;

    /// Rewrites a staff account (password reset, disabling).
    fn put_staff(&self, staff: &StaffRecord) -> impl Future<Output = Result<()>> + Send;

    /// Every staff account, by username (bytewise).
    fn all_staff(&self) -> impl Future<Output = Result<Vec<StaffRecord>>> + Send;

    // ---- sessions ----

    /// Records a new open session unless an invariant refuses it: the
    /// station has an open session, the card has one on any station, or the
    /// station is in maintenance or unknown (checked in that order).
    fn start_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<Result<(), StartRefused>>> + Send;

    /// Writes an ended session as it is (history from elsewhere); counted
    /// once however often it is written; never an open session.
    fn import_ended_session(
        &self,
        session: &SessionRecord,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Changes a session that is still open; `None` (nothing written) if it
    /// ended meanwhile or does not exist.
    fn update_open_session(
        &self,
        session_id: &str,
        change: impl Fn(&mut SessionRecord) + Send + Sync,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// Ends a session: `decide` gets it as committed and returns the ended
    /// record (`None`: leave it). With `event`, marks the event applied in
    /// the same transaction and does nothing if it was applied before.
    /// Returns the ended record if this call ended it.
    fn end_session(
        &self,
        session_id: &str,
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
        event: Option<SessionEnd<'_>>,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// Ends many sessions in one transaction (closing time); returns the
    /// records it ended.
    fn end_sessions(
        &self,
        session_ids: &[String],
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
    ) -> impl Future<Output = Result<Vec<SessionRecord>>> + Send;

    /// Marks an agent event applied (keeping it); `false` if it was before.
    fn mark_event_applied(
        &self,
        station_id: &str,
        event: &AgentEvent,
        at_ms: i64,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Whether this agent event was applied already.
    fn event_applied(
        &self,
        station_id: &str,
        event_id: &str,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The events a station reported, by event id (bytewise).
    fn station_events(
        &self,
        station_id: &str,
    ) -> impl Future<Output = Result<Vec<AgentEvent>>> + Send;

    /// One session by id (`None` for an unknown or malformed id).
    fn session(
        &self,
        session_id: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// The open session of a station.
    fn active_session(
        &self,
        station_id: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// Every open session, by station id (bytewise).
    fn active_sessions(&self) -> impl Future<Output = Result<Vec<SessionRecord>>> + Send;

    /// The open session of a card, on any station.
    fn open_session_of_card(
        &self,
        card: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;

    /// A card's sessions whose id time is at or after `since_ms`, oldest first.
    fn card_sessions_since(
        &self,
        card: &str,
        since_ms: i64,
    ) -> impl Future<Output = Result<Vec<SessionRecord>>> + Send;

    /// Sessions whose id time (UUIDv7: the start) is in `[from_ms, to_ms)`,
    /// oldest first; the cost follows the range, not the history.
    fn sessions_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> impl Future<Output = Result<Vec<SessionRecord>>> + Send;

    /// How many sessions are stored (a counter, no scan).
    fn session_count(&self) -> impl Future<Output = Result<u64>> + Send;

    // ---- signed reports ----

    /// The signed report of a month ("YYYY-MM").
    fn signed_report(
        &self,
        month: &str,
    ) -> impl Future<Output = Result<Option<SignedReportRecord>>> + Send;

    /// Every signed report, by month.
    fn signed_reports(&self) -> impl Future<Output = Result<Vec<SignedReportRecord>>> + Send;

    /// Stores a signed report; `false` (nothing written) if the month is
    /// signed already: a signed report never changes.
    fn put_signed_report(
        &self,
        report: &SignedReportRecord,
    ) -> impl Future<Output = Result<bool>> + Send;

    // ---- incidents ----

    /// Writes an incident (new or updated).
    fn put_incident(&self, incident: &IncidentRecord) -> impl Future<Output = Result<()>> + Send;

    /// One incident by id; `None` for an unknown or malformed id.
    fn incident(
        &self,
        incident_id: &str,
    ) -> impl Future<Output = Result<Option<IncidentRecord>>> + Send;

    /// The newest `limit` incidents, newest first.
    fn recent_incidents(
        &self,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<IncidentRecord>>> + Send;

    /// Incidents whose id time is in `[from_ms, to_ms)`, oldest first.
    fn incidents_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> impl Future<Output = Result<Vec<IncidentRecord>>> + Send;

    /// Every incident still open, oldest first.
    fn open_incidents(&self) -> impl Future<Output = Result<Vec<IncidentRecord>>> + Send;

    // ---- the waiting queue and the website watch ----

    /// The waiting queue, first in line first (empty if never written).
    fn queue(&self) -> impl Future<Output = Result<QueueRecord>> + Send;

    /// Replaces the queue and logs `finished` waits, in one transaction.
    fn put_queue(
        &self,
        queue: &QueueRecord,
        finished: &[QueueWaitRecord],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Waits that ended in `[from_ms, to_ms)`, oldest first.
    fn queue_waits_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> impl Future<Output = Result<Vec<QueueWaitRecord>>> + Send;

    /// The website watch's state (empty if never written).
    fn watch_state(&self) -> impl Future<Output = Result<WatchRecord>> + Send;

    /// Replaces the watch state and writes `incident` (opened or closed by
    /// it), in one transaction.
    fn put_watch_state(
        &self,
        state: &WatchRecord,
        incident: Option<&IncidentRecord>,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// The embedded engine: each method is the sled store's own, awaiting its
/// group commit before it returns.
impl Engine for Store {
    async fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Store::meta(self, name)
    }

    async fn set_meta(&self, name: &str, value: &[u8]) -> Result<()> {
        Store::set_meta(self, name, value)?.durable().await
    }

    async fn create_meta(&self, name: &str, value: &[u8]) -> Result<bool> {
        Store::create_meta(self, name, value)?.durable().await
    }

    async fn member(&self, card: &str) -> Result<Option<MemberRecord>> {
        Store::member(self, card)
    }

    async fn put_member(&self, member: &MemberRecord) -> Result<bool> {
        Store::put_member(self, member)?.durable().await
    }

    async fn put_members(&self, members: &[MemberRecord]) -> Result<(u32, u32)> {
        Store::put_members(self, members)?.durable().await
    }

    async fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool + Send + Sync,
    ) -> Result<bool> {
        Store::update_member(self, card, change)?.durable().await
    }

    async fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_words: &[String],
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<MemberRecord>, usize)> {
        Store::search_members(self, card_prefix, name_words, offset, limit)
    }

    async fn member_count(&self) -> Result<u64> {
        Store::member_count(self)
    }

    async fn station(&self, station_id: &str) -> Result<Option<StationRecord>> {
        Store::station(self, station_id)
    }

    async fn station_by_name(&self, name: &str) -> Result<Option<StationRecord>> {
        Store::station_by_name(self, name)
    }

    async fn put_station(&self, station: &StationRecord) -> Result<()> {
        Store::put_station(self, station)?.durable().await
    }

    async fn set_station_maintenance(
        &self,
        station_id: &str,
        on: bool,
    ) -> Result<Option<StationRecord>> {
        Store::set_station_maintenance(self, station_id, on)?
            .durable()
            .await
    }

    async fn stations(&self) -> Result<Vec<StationRecord>> {
        Store::stations(self)
    }

    async fn station_count(&self) -> Result<u64> {
        Ok(Store::station_count(self) as u64)
    }

    async fn put_enrollment_code(&self, code: &EnrollmentCodeRecord) -> Result<()> {
        Store::put_enrollment_code(self, code)?.durable().await
    }

    async fn take_enrollment_code(&self, code_hash: &str) -> Result<Option<EnrollmentCodeRecord>> {
        Store::take_enrollment_code(self, code_hash)?
            .durable()
            .await
    }

    async fn staff(&self, username: &str) -> Result<Option<StaffRecord>> {
        Store::staff(self, username)
    }

    async fn create_staff(&self, staff: &StaffRecord) -> Result<bool> {
        Store::create_staff(self, staff)?.durable().await
    }

    async fn put_staff(&self, staff: &StaffRecord) -> Result<()> {
        Store::put_staff(self, staff)?.durable().await
    }

    async fn all_staff(&self) -> Result<Vec<StaffRecord>> {
        Store::all_staff(self)
    }

    async fn start_session(&self, session: &SessionRecord) -> Result<Result<(), StartRefused>> {
        Store::start_session(self, session)?.durable().await
    }

    async fn import_ended_session(&self, session: &SessionRecord) -> Result<()> {
        Store::import_ended_session(self, session)?.durable().await
    }

    async fn update_open_session(
        &self,
        session_id: &str,
        change: impl Fn(&mut SessionRecord) + Send + Sync,
    ) -> Result<Option<SessionRecord>> {
        Store::update_open_session(self, session_id, change)?
            .durable()
            .await
    }

    async fn end_session(
        &self,
        session_id: &str,
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
        event: Option<SessionEnd<'_>>,
    ) -> Result<Option<SessionRecord>> {
        Store::end_session(self, session_id, decide, event)?
            .durable()
            .await
    }

    async fn end_sessions(
        &self,
        session_ids: &[String],
        decide: impl Fn(&SessionRecord) -> Option<SessionRecord> + Send + Sync,
    ) -> Result<Vec<SessionRecord>> {
        Store::end_sessions(self, session_ids, decide)?
            .durable()
            .await
    }

    async fn mark_event_applied(
        &self,
        station_id: &str,
        event: &AgentEvent,
        at_ms: i64,
    ) -> Result<bool> {
        Store::mark_event_applied(self, station_id, event, at_ms)?
            .durable()
            .await
    }

    async fn event_applied(&self, station_id: &str, event_id: &str) -> Result<bool> {
        Store::event_applied(self, station_id, event_id)
    }

    async fn station_events(&self, station_id: &str) -> Result<Vec<AgentEvent>> {
        Store::station_events(self, station_id)
    }

    async fn session(&self, session_id: &str) -> Result<Option<SessionRecord>> {
        Store::session(self, session_id)
    }

    async fn active_session(&self, station_id: &str) -> Result<Option<SessionRecord>> {
        Store::active_session(self, station_id)
    }

    async fn active_sessions(&self) -> Result<Vec<SessionRecord>> {
        Store::active_sessions(self)
    }

    async fn open_session_of_card(&self, card: &str) -> Result<Option<SessionRecord>> {
        Store::open_session_of_card(self, card)
    }

    async fn card_sessions_since(&self, card: &str, since_ms: i64) -> Result<Vec<SessionRecord>> {
        Store::card_sessions_since(self, card, since_ms)
    }

    async fn sessions_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SessionRecord>> {
        Store::sessions_between(self, from_ms, to_ms)
    }

    async fn session_count(&self) -> Result<u64> {
        Store::session_count(self)
    }

    async fn signed_report(&self, month: &str) -> Result<Option<SignedReportRecord>> {
        Store::signed_report(self, month)
    }

    async fn signed_reports(&self) -> Result<Vec<SignedReportRecord>> {
        Store::signed_reports(self)
    }

    async fn put_signed_report(&self, report: &SignedReportRecord) -> Result<bool> {
        Store::put_signed_report(self, report)?.durable().await
    }

    async fn put_incident(&self, incident: &IncidentRecord) -> Result<()> {
        Store::put_incident(self, incident)?.durable().await
    }

    async fn incident(&self, incident_id: &str) -> Result<Option<IncidentRecord>> {
        Store::incident(self, incident_id)
    }

    async fn recent_incidents(&self, limit: usize) -> Result<Vec<IncidentRecord>> {
        Store::recent_incidents(self, limit)
    }

    async fn incidents_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<IncidentRecord>> {
        Store::incidents_between(self, from_ms, to_ms)
    }

    async fn open_incidents(&self) -> Result<Vec<IncidentRecord>> {
        Store::open_incidents(self)
    }

    async fn queue(&self) -> Result<QueueRecord> {
        Store::queue(self)
    }

    async fn put_queue(&self, queue: &QueueRecord, finished: &[QueueWaitRecord]) -> Result<()> {
        Store::put_queue(self, queue, finished)?.durable().await
    }

    async fn queue_waits_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<QueueWaitRecord>> {
        Store::queue_waits_between(self, from_ms, to_ms)
    }

    async fn watch_state(&self) -> Result<WatchRecord> {
        Store::watch_state(self)
    }

    async fn put_watch_state(
        &self,
        state: &WatchRecord,
        incident: Option<&IncidentRecord>,
    ) -> Result<()> {
        Store::put_watch_state(self, state, incident)?
            .durable()
            .await
    }
}
