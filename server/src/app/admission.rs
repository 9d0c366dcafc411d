//! Session admission: whether a session may start on a station now. The
//! patron's card login ([`super::login`]) and the librarian's unlock
//! ([`super::stations`]) ask the same question here, once: the station
//! (maintenance, busy, read fresh from the store), the card holder (known,
//! active, not expired, the PIN when the patron logs in alone, not already
//! in a session elsewhere) and the disk. What differs stays with the
//! caller: a login's lease length follows the opening hours and the daily
//! allowance; a librarian grants minutes of their choosing.
//!
//! A store failure is an `Err` (it surfaces as an internal error), never
//! a refusal: nobody is told "unknown card" because a read failed.

use super::{App, Result};
use crate::policy::member_refusal;
use bilik_proto::store::v1::{MemberRecord, StationRecord};
use bilik_proto::v1::RefusalCode;

/// Who the session would be for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Patron<'a> {
    /// A card holder (the card already normalised).
    Card {
        /// The normalised card number.
        card: &'a str,
        /// How the PIN is treated.
        pin: Pin<'a>,
    },
    /// A guest a librarian vouches for (no card).
    Guest,
}

/// The PIN rule for a card holder.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pin<'a> {
    /// The patron is alone at the station: a member with a PIN (or every
    /// member, when PINs are required) must give it; wrong ones count
    /// towards the PIN lock.
    Given(&'a str),
    /// A librarian at the desk vouches for the card holder: no PIN.
    Vouched,
}

/// What admission found, for the caller to build the session from.
#[derive(Debug)]
pub(super) struct Admitted {
    /// The station as the store holds it now.
    pub(super) station: StationRecord,
    /// The card holder's record (`None` for a guest).
    pub(super) member: Option<MemberRecord>,
    /// Who vouched for the card (recorded on the session): the local
    /// store, the library system, or its cached confirmation.
    pub(super) validated_by: &'static str,
}

impl App {
    /// Whether a session for `patron` may start on `station` now: the
    /// refusal a patron or librarian reads, or what the session is built
    /// from. The store's transaction that opens the session checks the
    /// station and the card again against committed state.
    pub(super) async fn admit(
        &self,
        station: &StationRecord,
        patron: Patron<'_>,
    ) -> Result<Result<Admitted, RefusalCode>> {
        let station = self
            .store()
            .station(&station.station_id)?
            .unwrap_or_else(|| station.clone());
        if station.maintenance {
            return Ok(Err(RefusalCode::Maintenance));
        }
        if self.store().active_session(&station.station_id)?.is_some() {
            return Ok(Err(RefusalCode::StationBusy));
        }
        let (member, validated_by) = match patron {
            Patron::Guest => (None, super::BY_LOCAL),
            Patron::Card { card, pin } => match self.admit_member(card, pin).await? {
                Ok((member, by)) => (Some(member), by),
                Err(code) => return Ok(Err(code)),
            },
        };
        if let Some(code) = self.storage_refusal() {
            return Ok(Err(code));
        }
        Ok(Ok(Admitted {
            station,
            member,
            validated_by,
        }))
    }

    /// The card holder's part of [`App::admit`]. A patron alone at the
    /// station is checked by the library's member source (the store, or the
    /// library system over SIP2: [`App::card_member`]); a card a librarian
    /// vouches for is checked against the store, without a PIN.
    async fn admit_member(
        &self,
        card: &str,
        pin: Pin<'_>,
    ) -> Result<Result<(MemberRecord, &'static str), RefusalCode>> {
        let found = match pin {
            Pin::Given(given) => self.card_member(card, given).await?,
            Pin::Vouched => {
                let member = self.store().member(card)?;
                match (member_refusal(member.as_ref(), self.today()), member) {
                    (Some(code), _) => Err(code),
                    (None, None) => Err(RefusalCode::UnknownCard),
                    (None, Some(member)) => Ok((member, super::BY_LOCAL)),
                }
            }
        };
        let (member, validated_by) = match found {
            Ok(found) => found,
            Err(code) => return Ok(Err(code)),
        };
        if self.store().open_session_of_card(card)?.is_some() {
            return Ok(Err(RefusalCode::InUse));
        }
        Ok(Ok((member, validated_by)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::app::{App, Error, StaffIdentity};
    use crate::clock::ManualClock;
    use crate::config::Config;
    use crate::store::Store;
    use bilik_proto::store::v1::StationRecord;
    use bilik_proto::v1::{LoginRequest, Role, StationState, unlock_station_request};
    use std::sync::Arc;

    /// The commands the hub would push to the test's station.
    type Commands =
        tokio::sync::mpsc::Receiver<Result<bilik_proto::v1::ServerMessage, tonic::Status>>;

    /// An app with one station, attached to the hub (so it is online; the
    /// receiver keeps the link open), and a member record the store cannot
    /// read.
    async fn app_with_damaged_member() -> (App, StationRecord, Commands) {
        let app = App::new(
            Store::temporary().unwrap(),
            Config::default(),
            Arc::new(ManualClock::new(1_795_572_000_000)),
        );
        let station = StationRecord {
            station_id: "st-1".into(),
            name: "PC-01".into(),
            ..Default::default()
        };
        app.store()
            .put_station(&station)
            .unwrap()
            .durable()
            .await
            .unwrap();
        let (link, commands) = tokio::sync::mpsc::channel(8);
        let _ = app
            .hub()
            .connect(
                &station.station_id,
                link,
                StationState::Locked,
                app.now_ms(),
            )
            .await
            .unwrap();
        app.store().put_raw_member("M0001", b"\xff\xff\xff garbage");
        (app, station, commands)
    }

    #[tokio::test]
    async fn a_librarians_unlock_surfaces_a_store_failure() {
        let (app, station, _keep) = app_with_damaged_member().await;
        let by = StaffIdentity {
            username: "siti".into(),
            role: Role::Librarian,
            expires_at_ms: i64::MAX,
        };
        let who = unlock_station_request::Who::Card("m0001".into());
        let err = app
            .unlock_station(&by, "PC-01", Some(&who), 0, "")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Store(_)), "{err:?}");
        assert!(
            app.store()
                .active_session(&station.station_id)
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_patrons_login_surfaces_a_store_failure() {
        let (app, station, _keep) = app_with_damaged_member().await;
        let req = LoginRequest {
            card: "m0001".into(),
            rules_version: app.config().rules_version.clone(),
            ..Default::default()
        };
        let err = app.login(&station, &req).await.unwrap_err();
        assert!(matches!(err, Error::Store(_)), "{err:?}");
    }
}
