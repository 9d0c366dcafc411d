//! Stations: the agent's hello, what staff see, and what staff do to a
//! station (unlock, end, extend, message, maintenance, power).

use super::admission::{Admitted, Patron, Pin};
use super::{App, Error, Result, StaffIdentity, clean_line, clean_text, login, views};
use super::{Fault, said, said_with};
use crate::policy::normalise_card;
use bilik_proto::catalog;
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::{SessionRecord, StationRecord};
use bilik_proto::v1::{
    EndReason, ExtendSession, Heartbeat, Hello, PowerAction, RefusalCode, SessionInfo,
    SetMaintenance, Settings, ShowMessage, StartSession, StationInfo, StationState, Welcome,
    command, unlock_station_request,
};

/// A librarian's unlock refused by a rule, with the rule's text.
fn unlock_refused(code: RefusalCode) -> Error {
    said(Fault::NotNow, catalog::refusal(code))
}

/// Whom a librarian unlocks a station for.
#[derive(Debug)]
enum UnlockFor {
    /// A card holder (the card normalised).
    Card(String),
    /// A guest, with the librarian's note of who it is.
    Guest(String),
}

/// The longest a librarian may grant or add at once, in minutes.
const MAX_STAFF_MINUTES: u32 = 8 * 60;

impl App {
    /// A station by id or, failing that, by name.
    pub fn resolve_station(&self, id_or_name: &str) -> Result<StationRecord> {
        let key = id_or_name.trim();
        if key.is_empty() || key.len() > 64 {
            return Err(Error::InvalidArgument(
                "station: give its id or name".into(),
            ));
        }
        if let Some(s) = self.store().station(key)? {
            return Ok(s);
        }
        self.store()
            .station_by_name(key)?
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_STATION))
    }

    /// What the agent is told at attach.
    pub fn settings(&self) -> Settings {
        let c = self.config();
        Settings {
            session_minutes: c.session_minutes,
            warning_minutes: c.warning_minutes.clone(),
            heartbeat_seconds: c.heartbeat_seconds,
            rules_version: c.rules_version.clone(),
            rules_text: c.rules_text.clone(),
            rules_text_en: c.rules_text_en.clone(),
            purposes: c.purposes.clone(),
            pin_required: c.pin_required,
            library_name: c.library_name.clone(),
            next_server_fingerprint: self
                .tls()
                .and_then(|t| t.next_fingerprint.clone())
                .unwrap_or_default(),
        }
    }

    /// Reconciles a (re)attaching agent. A new boot id ends any session the
    /// server still holds for the station (station_restarted); with the same
    /// boot id, an open session continues and is sent back as the lease.
    pub async fn hello(&self, station: &StationRecord, hello: &Hello) -> Result<Welcome> {
        let now = self.now_ms();
        let mut record = self
            .store()
            .station(&station.station_id)?
            .unwrap_or_else(|| station.clone());
        let boot_id = clean_line(&hello.boot_id, 64);
        let rebooted = record.boot_id != boot_id;
        let mut lease = None;
        if let Some(open) = self.store().active_session(&record.station_id)? {
            if rebooted {
                tracing::info!(station = %record.name, "station restarted: ending its session");
                self.close_session(&open.session_id, now, EndReason::StationRestarted)
                    .await?;
            } else {
                lease = Some(views::lease(&open, now));
            }
        }
        record.boot_id = boot_id;
        record.agent_version = clean_line(&hello.agent_version, 40);
        if !hello.hostname.is_empty() {
            record.hostname = clean_line(&hello.hostname, 100);
        }
        if !hello.os.is_empty() {
            record.os = clean_line(&hello.os, 100);
        }
        self.store().put_station(&record)?.durable().await?;
        Ok(Welcome {
            server_time_ms: now,
            station_id: record.station_id.clone(),
            station_name: record.name.clone(),
            settings: Some(self.settings()),
            lease,
            maintenance: record.maintenance,
            hold: self.hold_message(&record.station_id)?,
        })
    }

    /// A heartbeat from an attached station, its texts cleaned and
    /// clipped before the hub keeps them (a megabyte "hostname" would
    /// otherwise be in every station list).
    pub async fn heartbeat(&self, station_id: &str, conn_id: u64, mut heartbeat: Heartbeat) {
        heartbeat.session_id = clean_line(&heartbeat.session_id, 64);
        if let Some(m) = &mut heartbeat.metrics {
            m.hostname = clean_line(&m.hostname, 100);
            m.os = clean_line(&m.os, 100);
            if !m.cpu_percent.is_finite() {
                m.cpu_percent = 0.0;
            }
            m.cpu_percent = m.cpu_percent.clamp(0.0, 100.0);
        }
        self.hub()
            .heartbeat(station_id, conn_id, heartbeat, self.now_ms())
            .await;
    }

    /// Every station as staff see it, in name order.
    pub async fn station_infos(&self) -> Result<Vec<StationInfo>> {
        let live = self.hub().live().await;
        let mut infos = Vec::new();
        for record in self.store().stations()? {
            let status = live.get(&record.station_id).cloned().unwrap_or_default();
            infos.push(self.station_info(record, status)?);
        }
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(infos)
    }

    /// One station as staff see it.
    pub async fn station_view(&self, station_id: &str) -> Result<Option<StationInfo>> {
        let Some(record) = self.store().station(station_id)? else {
            return Ok(None);
        };
        let status = self.hub().live_of(station_id).await.unwrap_or_default();
        Ok(Some(self.station_info(record, status)?))
    }

    fn station_info(
        &self,
        record: StationRecord,
        live: crate::hub::LiveStatus,
    ) -> Result<StationInfo> {
        let session = self.store().active_session(&record.station_id)?;
        let state = if !live.online {
            StationState::Offline
        } else {
            live.state
        };
        Ok(StationInfo {
            station_id: record.station_id,
            name: record.name,
            room: record.room,
            hostname: record.hostname,
            os: record.os,
            agent_version: record.agent_version,
            state: state as i32,
            online: live.online,
            maintenance: record.maintenance,
            last_seen_ms: live.last_seen_ms,
            metrics: live.metrics,
            session: session.as_ref().map(views::session_info),
            enrolled_at_ms: record.enrolled_at_ms,
        })
    }

    fn require_online(&self, online: bool, station: &StationRecord) -> Result<()> {
        if online {
            Ok(())
        } else {
            Err(said_with(
                Fault::NotNow,
                t::FAULT_STATION_OFFLINE,
                station.name.clone(),
            ))
        }
    }

    async fn is_online(&self, station_id: &str) -> bool {
        self.hub()
            .live_of(station_id)
            .await
            .is_some_and(|l| l.online)
    }

    /// A librarian unlocks a station for a card holder, or records a guest.
    pub async fn unlock_station(
        &self,
        by: &StaffIdentity,
        station: &str,
        who: Option<&unlock_station_request::Who>,
        minutes: u32,
        purpose: &str,
    ) -> Result<SessionInfo> {
        let station = self.resolve_station(station)?;
        let minutes = match minutes {
            0 => self.config().session_minutes,
            m if m <= MAX_STAFF_MINUTES => m,
            _ => {
                return Err(said_with(
                    Fault::Invalid,
                    t::FAULT_MINUTES,
                    MAX_STAFF_MINUTES.to_string(),
                ));
            }
        };
        self.require_online(self.is_online(&station.station_id).await, &station)?;
        // A purpose, when given, is one the library counts in its reports.
        let purpose = purpose.trim();
        if !purpose.is_empty() && !self.config().purposes.iter().any(|p| p == purpose) {
            return Err(said(Fault::Invalid, t::FAULT_UNKNOWN_PURPOSE));
        }
        // What the unlock is for, read before any rule is asked.
        let unlock_for = match who {
            Some(unlock_station_request::Who::Card(raw)) => {
                UnlockFor::Card(normalise_card(raw).map_err(|_| super::not_a_card())?)
            }
            Some(unlock_station_request::Who::GuestNote(note)) => {
                let note = clean_line(note, 200);
                if note.is_empty() {
                    return Err(said(Fault::Invalid, t::FAULT_GUEST_NOTE));
                }
                UnlockFor::Guest(note)
            }
            None => return Err(said(Fault::Invalid, t::FAULT_GUEST_NOTE)),
        };
        let patron = match &unlock_for {
            UnlockFor::Card(card) => Patron::Card {
                card,
                pin: Pin::Vouched,
            },
            UnlockFor::Guest(_) => Patron::Guest,
        };
        let Admitted {
            station, member, ..
        } = match self.admit(&station, patron).await? {
            Ok(admitted) => admitted,
            Err(RefusalCode::Maintenance) => {
                return Err(said_with(
                    Fault::NotNow,
                    t::FAULT_STATION_MAINTENANCE,
                    station.name,
                ));
            }
            Err(RefusalCode::StationBusy) => {
                return Err(said_with(
                    Fault::NotNow,
                    t::FAULT_STATION_BUSY,
                    station.name,
                ));
            }
            Err(code) => return Err(unlock_refused(code)),
        };
        let now = self.now_ms();
        let session = match (unlock_for, member) {
            (UnlockFor::Card(_), Some(member)) => self.session_for_member(
                &station,
                &member,
                now,
                minutes,
                purpose,
                &self.config().rules_version,
            ),
            (UnlockFor::Card(_), None) => {
                return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER));
            }
            (UnlockFor::Guest(note), _) => SessionRecord {
                session_id: self.new_session_id(now),
                station_id: station.station_id.clone(),
                station_name: station.name.clone(),
                patron_name: catalog::GUEST.id.to_owned(),
                guest_note: note,
                purpose: clean_line(purpose, 100),
                started_at_ms: now,
                ends_at_ms: now + self.config().lease_ms(minutes),
                ..Default::default()
            },
        };
        let session = SessionRecord {
            unlocked_by: by.username.clone(),
            ..session
        };
        if let Err(why) = self.open_session(&session).await? {
            return Err(unlock_refused(login::refusal_code(why)));
        }
        self.queue_served(&session.card, session.started_at_ms)
            .await?;
        let who = if session.card.is_empty() {
            session.guest_note.clone()
        } else {
            session.card.clone()
        };
        self.audit(&by.username, "station.unlock", &station.name, &who)
            .await;
        let lease = views::lease(&session, now);
        if !self
            .push_command(
                &station.station_id,
                command::Kind::Start(StartSession { lease: Some(lease) }),
            )
            .await
        {
            tracing::warn!(station = %station.name, "unlock recorded but the push failed");
        }
        Ok(views::session_info(&session))
    }

    /// A librarian ends the session on a station.
    pub async fn end_station_session(
        &self,
        by: &StaffIdentity,
        station: &str,
    ) -> Result<SessionInfo> {
        let station = self.resolve_station(station)?;
        let no_session = || said_with(Fault::NotNow, t::FAULT_NO_SESSION, station.name.clone());
        let session = self
            .store()
            .active_session(&station.station_id)?
            .ok_or_else(no_session)?;
        let id = session.session_id.clone();
        let ended = self
            .close_session(&id, self.now_ms(), EndReason::Librarian)
            .await?
            .ok_or_else(no_session)?;
        self.push_end(&station.station_id, &id, EndReason::Librarian)
            .await;
        tracing::info!(by = %by.username, station = %station.name, "librarian ended a session");
        self.audit(&by.username, "station.end", &station.name, &id)
            .await;
        Ok(views::session_info(&ended))
    }

    /// A librarian gives the session on a station more minutes.
    pub async fn extend_station_session(
        &self,
        by: &StaffIdentity,
        station: &str,
        minutes: u32,
    ) -> Result<SessionInfo> {
        if minutes == 0 || minutes > MAX_STAFF_MINUTES {
            return Err(said_with(
                Fault::Invalid,
                t::FAULT_MINUTES,
                MAX_STAFF_MINUTES.to_string(),
            ));
        }
        let station = self.resolve_station(station)?;
        let no_session = || said_with(Fault::NotNow, t::FAULT_NO_SESSION, station.name.clone());
        let open = self
            .store()
            .active_session(&station.station_id)?
            .ok_or_else(no_session)?;
        let session = self
            .store()
            .update_open_session(&open.session_id, |s| {
                s.ends_at_ms += i64::from(minutes) * 60_000;
                s.extensions += 1;
            })?
            .durable()
            .await?
            .ok_or_else(no_session)?;
        self.hub().changed(&station.station_id);
        let now = self.now_ms();
        let cmd = command::Kind::Extend(ExtendSession {
            session_id: session.session_id.clone(),
            ends_at_ms: session.ends_at_ms,
            server_time_ms: now,
            added_minutes: minutes,
        });
        self.push_command(&station.station_id, cmd).await;
        tracing::info!(by = %by.username, station = %station.name, minutes, "librarian extended a session");
        self.audit(
            &by.username,
            "station.extend",
            &station.name,
            &format!("+{minutes} min"),
        )
        .await;
        Ok(views::session_info(&session))
    }

    /// A librarian shows a message on a station; `true` if it was delivered.
    pub async fn message_station(
        &self,
        by: &StaffIdentity,
        station: &str,
        text: &str,
    ) -> Result<bool> {
        let text = clean_text(text, 500);
        if text.is_empty() {
            return Err(said(Fault::Invalid, t::FAULT_EMPTY_MESSAGE));
        }
        let station = self.resolve_station(station)?;
        let from = by.username.clone();
        let delivered = self
            .push_command(
                &station.station_id,
                command::Kind::Message(ShowMessage {
                    text: text.clone(),
                    from,
                }),
            )
            .await;
        self.audit(&by.username, "station.message", &station.name, &text)
            .await;
        Ok(delivered)
    }

    /// Puts a station in or out of maintenance; entering it ends its session.
    pub async fn set_maintenance(
        &self,
        by: &StaffIdentity,
        station: &str,
        on: bool,
    ) -> Result<StationInfo> {
        let station = self.resolve_station(station)?;
        let station_id = station.station_id.clone();
        // The flag first: from its commit on, the store refuses new
        // sessions on the station; then the session it may have is ended.
        let record = self
            .store()
            .set_station_maintenance(&station_id, on)?
            .durable()
            .await?
            .ok_or_else(|| Error::NotFound("station vanished".into()))?;
        if on && let Some(open) = self.store().active_session(&station_id)? {
            self.close_session(&open.session_id, self.now_ms(), EndReason::Maintenance)
                .await?;
        }
        self.hub().changed(&station_id);
        tracing::info!(by = %by.username, station = %record.name, on, "maintenance set");
        self.audit(
            &by.username,
            "station.maintenance",
            &record.name,
            if on { "on" } else { "off" },
        )
        .await;
        self.push_command(
            &station_id,
            command::Kind::Maintenance(SetMaintenance { on }),
        )
        .await;
        if !on {
            self.offer_stations_soon();
        }
        self.station_view(&station_id)
            .await?
            .ok_or_else(|| Error::NotFound("station vanished".into()))
    }

    /// Asks a station to restart or shut down; `true` if it was delivered.
    pub async fn power_station(
        &self,
        by: &StaffIdentity,
        station: &str,
        action: PowerAction,
    ) -> Result<bool> {
        by.require_admin()?;
        if action == PowerAction::Unspecified {
            return Err(Error::InvalidArgument("action: restart or shutdown".into()));
        }
        let station = self.resolve_station(station)?;
        tracing::info!(by = %by.username, station = %station.name, action = action.as_str_name(), "power command");
        self.audit(
            &by.username,
            "station.power",
            &station.name,
            action.as_str_name(),
        )
        .await;
        Ok(self
            .push_command(
                &station.station_id,
                command::Kind::Power(bilik_proto::v1::Power {
                    action: action as i32,
                }),
            )
            .await)
    }
}
