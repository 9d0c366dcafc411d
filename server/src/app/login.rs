//! A patron presents a library card (KTA) on a station's lock screen.

use super::{App, Result, clean_text, views};
use crate::policy::{age_years, lease_minutes, member_refusal, normalise_card, parse_date};
use crate::store::StartRefused;
use bilik_proto::catalog;
use bilik_proto::store::v1::{MemberRecord, SessionRecord, StationRecord};
use bilik_proto::v1::{Lease, LoginRequest, LoginResponse, Refusal, RefusalCode, login_response};

/// A refusal with its text from the catalogue.
pub fn refusal(code: RefusalCode) -> Refusal {
    let text = catalog::refusal(code);
    Refusal {
        code: code as i32,
        message_id: text.id.to_owned(),
        message_en: text.en.to_owned(),
    }
}

/// The refusal a patron sees when the store's transaction refused the start.
pub(super) fn refusal_code(why: StartRefused) -> RefusalCode {
    match why {
        StartRefused::StationBusy => RefusalCode::StationBusy,
        StartRefused::CardInUse => RefusalCode::InUse,
        StartRefused::Maintenance => RefusalCode::Maintenance,
    }
}

impl App {
    /// Validates the card and, if every rule allows it, records the session
    /// durably and returns its lease; otherwise a refusal with its reason.
    pub async fn login(
        &self,
        station: &StationRecord,
        req: &LoginRequest,
    ) -> Result<LoginResponse> {
        let outcome = match self.try_login(station, req).await? {
            Ok(lease) => login_response::Outcome::Lease(lease),
            Err(code) => {
                tracing::info!(station = %station.name, code = code.as_str_name(), "login refused");
                login_response::Outcome::Refusal(refusal(code))
            }
        };
        Ok(LoginResponse {
            outcome: Some(outcome),
        })
    }

    async fn try_login(
        &self,
        station: &StationRecord,
        req: &LoginRequest,
    ) -> Result<Result<Lease, RefusalCode>> {
        let card = match normalise_card(&req.card) {
            Ok(card) => card,
            Err(code) => return Ok(Err(code)),
        };
        if req.rules_version != self.config().rules_version {
            return Ok(Err(RefusalCode::RulesNotAccepted));
        }
        // Cheap early answers; the store's transaction checks maintenance,
        // a busy station and a card in use again, against committed state.
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
        let now = self.now_ms();
        let today = self.today();
        let member = self.store().member(&card)?;
        if let Some(code) = member_refusal(member.as_ref(), today) {
            return Ok(Err(code));
        }
        let Some(member) = member else {
            return Ok(Err(RefusalCode::UnknownCard));
        };
        let needs_pin = !member.pin_hash.is_empty() || self.config().pin_required;
        if needs_pin
            && (member.pin_hash.is_empty() || !self.verify_secret(&member.pin_hash, &req.pin).await)
        {
            return Ok(Err(RefusalCode::WrongPin));
        }
        if self.store().open_session_of_card(&card)?.is_some() {
            return Ok(Err(RefusalCode::InUse));
        }
        if let Some(code) = self.storage_refusal() {
            return Ok(Err(code));
        }
        let minutes = match lease_minutes(
            self.config().session_minutes,
            self.config().hours.minutes_to_closing(self.local(now)),
            self.allowance_left(&card, now)?,
        ) {
            Ok(m) => m,
            Err(code) => return Ok(Err(code)),
        };
        let session = self.session_for_member(
            &station,
            &member,
            now,
            minutes,
            &req.purpose,
            &req.rules_version,
        );
        if let Err(why) = self.open_session(&session).await? {
            return Ok(Err(refusal_code(why)));
        }
        Ok(Ok(views::lease(&session, now)))
    }

    /// Minutes of today's daily allowance the card has left, if one is configured.
    fn allowance_left(&self, card: &str, now_ms: i64) -> Result<Option<u32>> {
        let Some(allowance) = self.config().daily_allowance_minutes else {
            return Ok(None);
        };
        let since = self.day_start_ms(self.today());
        let used_ms: i64 = self
            .store()
            .card_sessions_since(card, since)?
            .iter()
            .map(|s| {
                let end = if s.ended_at_ms == 0 {
                    now_ms
                } else {
                    s.ended_at_ms
                };
                (end - s.started_at_ms).max(0)
            })
            .sum();
        let used = u32::try_from((used_ms + 59_999) / 60_000).unwrap_or(u32::MAX);
        Ok(Some(allowance.saturating_sub(used)))
    }

    /// A session record for a card holder, with the member snapshot reports need.
    pub(super) fn session_for_member(
        &self,
        station: &StationRecord,
        member: &MemberRecord,
        now_ms: i64,
        minutes: u32,
        purpose: &str,
        rules_version: &str,
    ) -> SessionRecord {
        let age = age_years(parse_date(&member.birth_date), self.today());
        SessionRecord {
            session_id: self.new_session_id(now_ms),
            station_id: station.station_id.clone(),
            station_name: station.name.clone(),
            card: member.card.clone(),
            patron_name: member.name.clone(),
            category: member.category.clone(),
            gender: member.gender,
            age_years: age.unwrap_or(0),
            age_known: age.is_some(),
            purpose: clean_text(purpose, 100),
            rules_version: clean_text(rules_version, 40),
            started_at_ms: now_ms,
            ends_at_ms: now_ms + self.config().lease_ms(minutes),
            ..Default::default()
        }
    }
}
