//! The waiting queue for walk-in patrons when every station is taken.
//!
//! A librarian adds a card (it must be a member who could log in now); the
//! queue is first come first served. Whenever a station is free (online,
//! not in maintenance, no session, not held) and a patron is waiting, the
//! first waiting patron is offered it: the station is held for them for
//! `[queue] hold_minutes`, its lock screen shows "Reserved for &lt;name&gt;" and
//! the login refuses every other card ([`RefusalCode::Reserved`]). The held
//! patron's login ends the wait (served); a hold that runs out drops the
//! patron (expired) and the station goes to the next. The queue is one
//! record written through the durable commit path; finished waits are
//! logged for the monthly report.
//!
//! [`App::offer_stations`] is the one reconciliation: it is run after
//! every change that may free a station or a patron (a session end, a
//! station attaching or leaving maintenance, the queue changing) and by
//! the sweeper, which also expires holds at the clock's time.

use super::{App, Error, Result, SYSTEM_ACTOR, StaffIdentity};
use super::{Fault, said, said_with};
use crate::policy::{member_refusal, normalise_card};
use bilik_proto::catalog;
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::{QueueEntryRecord, QueueOutcome, QueueWaitRecord};
use bilik_proto::v1::{HoldStation, QueueEntry, QueueInfo, RefusalCode, command};
use std::collections::HashSet;
use std::sync::atomic::Ordering;

/// Most patrons the queue takes (a bound on the one record's size).
pub const MAX_QUEUE: usize = 200;

/// A queue change refused by a login rule, with the rule's text.
fn queue_refused(code: RefusalCode) -> Error {
    said(Fault::NotNow, catalog::refusal(code))
}

/// A finished wait of `entry`.
fn finished(entry: &QueueEntryRecord, at_ms: i64, outcome: QueueOutcome) -> QueueWaitRecord {
    QueueWaitRecord {
        card: entry.card.clone(),
        joined_at_ms: entry.joined_at_ms,
        ended_at_ms: at_ms.max(entry.joined_at_ms),
        outcome: outcome as i32,
        station_name: entry.held_station_name.clone(),
    }
}

/// Estimated minutes of waiting for each waiting patron, in queue order:
/// the k-th waiting patron gets the k-th soonest-ending open session; past
/// the number of open sessions each further round adds one full session.
/// Honest and simple: it ignores early logouts and closing time.
pub fn estimate_waits(mut remaining: Vec<u32>, session_minutes: u32, waiting: usize) -> Vec<u32> {
    remaining.sort_unstable();
    if remaining.is_empty() {
        return vec![0; waiting];
    }
    let n = remaining.len();
    (0..waiting)
        .map(|k| {
            let round = u32::try_from(k / n).unwrap_or(u32::MAX);
            remaining[k % n].saturating_add(round.saturating_mul(session_minutes))
        })
        .collect()
}

impl App {
    /// Adds a walk-in patron to the end of the queue.
    pub async fn queue_add(&self, by: &StaffIdentity, raw_card: &str) -> Result<QueueInfo> {
        let card = normalise_card(raw_card).map_err(|_| super::not_a_card())?;
        let member = self.store().member(&card)?;
        if let Some(code) = member_refusal(member.as_ref(), self.today()) {
            if code == RefusalCode::UnknownCard {
                return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER));
            }
            return Err(queue_refused(code));
        }
        let Some(member) = member else {
            return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER));
        };
        if self.store().open_session_of_card(&card)?.is_some() {
            return Err(queue_refused(RefusalCode::InUse));
        }
        {
            let _guard = self.inner.queue_lock.lock().await;
            let mut queue = self.store().queue()?;
            if queue.entries.iter().any(|e| e.card == card) {
                return Err(said(Fault::Exists, t::FAULT_ALREADY_QUEUED));
            }
            if queue.entries.len() >= MAX_QUEUE {
                return Err(said_with(
                    Fault::NotNow,
                    t::FAULT_QUEUE_FULL,
                    MAX_QUEUE.to_string(),
                ));
            }
            queue.entries.push(QueueEntryRecord {
                card: card.clone(),
                patron_name: member.name.clone(),
                joined_at_ms: self.now_ms(),
                added_by: by.username.clone(),
                ..Default::default()
            });
            self.store().put_queue(&queue, &[])?.durable().await?;
        }
        tracing::info!(by = %by.username, "patron added to the queue");
        self.audit(&by.username, "queue.add", &card, "").await;
        self.offer_stations().await?;
        self.queue_info().await
    }

    /// Takes a patron off the queue (their hold, if any, passes on).
    pub async fn queue_remove(&self, by: &StaffIdentity, raw_card: &str) -> Result<QueueInfo> {
        let card = normalise_card(raw_card).map_err(|_| super::not_a_card())?;
        let released = {
            let _guard = self.inner.queue_lock.lock().await;
            let mut queue = self.store().queue()?;
            let Some(at) = queue.entries.iter().position(|e| e.card == card) else {
                return Err(said(Fault::NotFound, t::FAULT_NOT_QUEUED));
            };
            let entry = queue.entries.remove(at);
            let wait = finished(&entry, self.now_ms(), QueueOutcome::Removed);
            self.store().put_queue(&queue, &[wait])?.durable().await?;
            entry.held_station_id
        };
        if !released.is_empty() {
            self.push_hold(&released, None).await;
        }
        tracing::info!(by = %by.username, "patron removed from the queue");
        self.audit(&by.username, "queue.remove", &card, "").await;
        self.offer_stations().await?;
        self.queue_info().await
    }

    /// The queue as staff see it: positions, holds, estimated waits.
    pub async fn queue_info(&self) -> Result<QueueInfo> {
        let queue = self.store().queue()?;
        let now = self.now_ms();
        let remaining: Vec<u32> = self
            .store()
            .active_sessions()?
            .iter()
            .map(|s| u32::try_from(((s.ends_at_ms - now).max(0) + 59_999) / 60_000).unwrap_or(0))
            .collect();
        let waiting = queue
            .entries
            .iter()
            .filter(|e| e.held_station_id.is_empty())
            .count();
        let mut estimates =
            estimate_waits(remaining, self.config().session_minutes, waiting).into_iter();
        let entries = queue
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| QueueEntry {
                position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                card: e.card.clone(),
                patron_name: e.patron_name.clone(),
                joined_at_ms: e.joined_at_ms,
                estimated_wait_minutes: if e.held_station_id.is_empty() {
                    estimates.next().unwrap_or(0)
                } else {
                    0
                },
                held_station: e.held_station_name.clone(),
                hold_until_ms: e.hold_until_ms,
            })
            .collect();
        Ok(QueueInfo {
            entries,
            server_time_ms: now,
        })
    }

    /// The hold on a station, if the queue holds it for someone.
    pub fn hold_on(&self, station_id: &str) -> Result<Option<QueueEntryRecord>> {
        Ok(self
            .store()
            .queue()?
            .entries
            .into_iter()
            .find(|e| e.held_station_id == station_id))
    }

    /// The login rule of the queue: a station held for a patron takes only
    /// their card.
    pub fn hold_refusal(&self, station_id: &str, card: &str) -> Result<Option<RefusalCode>> {
        Ok(self
            .hold_on(station_id)?
            .filter(|h| h.card != card)
            .map(|_| RefusalCode::Reserved))
    }

    /// What a (re)attaching station's lock screen should show.
    pub fn hold_message(&self, station_id: &str) -> Result<Option<HoldStation>> {
        Ok(self.hold_on(station_id)?.map(|h| HoldStation {
            patron_name: h.patron_name,
            until_ms: h.hold_until_ms,
            server_time_ms: self.now_ms(),
        }))
    }

    /// A queued patron's session started (at any station): their wait ends
    /// as served, and a station held for them elsewhere passes on.
    pub(super) async fn queue_served(&self, card: &str, started_at_ms: i64) -> Result<()> {
        // Nearly every login is of a card nobody queued: a read without the
        // queue's lock says so, and a burst of logins does not line up behind
        // that lock. (A card queued right after this read is the same case
        // as one queued right after the locked read below.)
        if card.is_empty() || !self.store().queue()?.entries.iter().any(|e| e.card == card) {
            return Ok(());
        }
        let released = {
            let _guard = self.inner.queue_lock.lock().await;
            let mut queue = self.store().queue()?;
            let Some(at) = queue.entries.iter().position(|e| e.card == card) else {
                return Ok(());
            };
            let entry = queue.entries.remove(at);
            let wait = finished(&entry, started_at_ms, QueueOutcome::Served);
            self.store().put_queue(&queue, &[wait])?.durable().await?;
            entry.held_station_id
        };
        tracing::info!("queued patron served");
        if !released.is_empty() {
            self.push_hold(&released, None).await;
        }
        self.offer_stations().await
    }

    /// Runs [`App::offer_stations`] in the background (from code that must
    /// not wait for it); failures are logged, the sweeper tries again.
    ///
    /// Calls while one is still waiting to start share it (it reads the
    /// state after all of them): a closing sweep that ends 10,000 sessions
    /// starts a handful, not 10,000.
    pub fn offer_stations_soon(&self) {
        if self.inner.offer_pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            // Cleared before reading anything: a change after this point
            // starts the next run.
            app.inner.offer_pending.store(false, Ordering::Release);
            if let Err(e) = app.offer_stations().await {
                tracing::warn!(error = %e, "queue: offering stations failed");
            }
        });
    }

    /// Expires holds past their time, drops holds on stations no longer
    /// free, and holds each free station for the first waiting patron.
    pub async fn offer_stations(&self) -> Result<()> {
        // Nobody waiting (the usual case): nothing to offer, and no copy of
        // every station's live status from the hub. A patron queued after
        // this read gets their own offer (`queue_add` runs this again).
        if self.store().queue()?.entries.is_empty() {
            return Ok(());
        }
        let live = self.hub().live().await;
        let _guard = self.inner.queue_lock.lock().await;
        let now = self.now_ms();
        let mut queue = self.store().queue()?;
        if queue.entries.is_empty() {
            return Ok(());
        }
        let before = queue.clone();
        let mut waits = Vec::new();
        let mut released = Vec::new();
        // Holds that ran out: the patron drops out.
        queue.entries.retain(|e| {
            let expired = !e.held_station_id.is_empty() && e.hold_until_ms <= now;
            if expired {
                waits.push(finished(e, now, QueueOutcome::Expired));
                released.push(e.held_station_id.clone());
            }
            !expired
        });
        let stations = self.store().stations()?;
        let is_free = |id: &str| -> Result<bool> {
            let Some(s) = stations.iter().find(|s| s.station_id == id) else {
                return Ok(false);
            };
            Ok(!s.maintenance
                && live.get(id).is_some_and(|l| l.online)
                && self.store().active_session(id)?.is_none())
        };
        // Holds on stations taken meanwhile (maintenance, staff unlocks):
        // the patron waits again, keeping their place. A held station that
        // is offline for a moment (a server restart, a network blip) keeps
        // its hold until it runs out.
        let taken = |id: &str| -> Result<bool> {
            let maintenance = stations
                .iter()
                .find(|s| s.station_id == id)
                .is_none_or(|s| s.maintenance);
            Ok(maintenance || self.store().active_session(id)?.is_some())
        };
        for e in &mut queue.entries {
            if !e.held_station_id.is_empty() && taken(&e.held_station_id)? {
                released.push(std::mem::take(&mut e.held_station_id));
                e.held_station_name.clear();
                e.hold_until_ms = 0;
            }
        }
        let mut held: HashSet<String> = queue
            .entries
            .iter()
            .filter(|e| !e.held_station_id.is_empty())
            .map(|e| e.held_station_id.clone())
            .collect();
        let mut free = Vec::new();
        for s in &stations {
            if !held.contains(&s.station_id) && is_free(&s.station_id)? {
                free.push(s.clone());
            }
        }
        free.sort_by(|a, b| a.name.cmp(&b.name));
        let mut free = free.into_iter();
        let hold_ms = i64::from(self.config().queue_hold_minutes) * 60_000;
        let mut offered = Vec::new();
        for e in queue
            .entries
            .iter_mut()
            .filter(|e| e.held_station_id.is_empty())
        {
            let Some(station) = free.next() else { break };
            e.held_station_id = station.station_id.clone();
            e.held_station_name = station.name.clone();
            e.hold_until_ms = now + hold_ms;
            held.insert(station.station_id.clone());
            offered.push(e.clone());
        }
        if queue == before {
            return Ok(());
        }
        self.store().put_queue(&queue, &waits)?.durable().await?;
        drop(_guard);
        for id in released.iter().filter(|id| !held.contains(*id)) {
            self.push_hold(id, None).await;
        }
        for e in &offered {
            tracing::info!(station = %e.held_station_name, "station held for the next queued patron");
            let hold = HoldStation {
                patron_name: e.patron_name.clone(),
                until_ms: e.hold_until_ms,
                server_time_ms: now,
            };
            self.push_hold(&e.held_station_id, Some(hold)).await;
            self.hub().changed(&e.held_station_id);
        }
        for w in &waits {
            self.audit(SYSTEM_ACTOR, "queue.expired", &w.card, &w.station_name)
                .await;
        }
        Ok(())
    }

    /// Tells a station's lock screen about its hold (`None`: released).
    async fn push_hold(&self, station_id: &str, hold: Option<HoldStation>) {
        let hold = hold.unwrap_or(HoldStation {
            server_time_ms: self.now_ms(),
            ..Default::default()
        });
        self.push_command(station_id, command::Kind::Hold(hold))
            .await;
        self.hub().changed(station_id);
    }
}

#[cfg(test)]
mod tests {
    use super::estimate_waits;

    #[test]
    fn waits_follow_the_soonest_ending_sessions_then_whole_rounds() {
        assert_eq!(estimate_waits(vec![30, 5], 45, 3), vec![5, 30, 50]);
        assert_eq!(estimate_waits(vec![], 45, 2), vec![0, 0]);
        assert_eq!(estimate_waits(vec![10], 45, 0), Vec::<u32>::new());
    }
}
