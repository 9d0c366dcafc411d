//! A patron presents a library card (KTA) on a station's lock screen.

use super::admission::{Admitted, Patron, Pin};
use super::alerts::{AlertKind, Occurrence};
use super::throttles::{self, PIN_LOCK_AFTER};
use super::{App, Result, clean_line, views};
use crate::policy::member_refusal;
use crate::policy::{age_years, lease_minutes, normalise_card, parse_date};
use crate::store::StartRefused;
use bilik_proto::catalog;
use bilik_proto::store::v1::{MemberRecord, SessionRecord, StationRecord};
use bilik_proto::v1::{Lease, LoginRequest, LoginResponse, Refusal, RefusalCode, login_response};

/// A refusal with its text from the catalogue.
pub(super) fn refusal(code: RefusalCode) -> Refusal {
    let text = catalog::refusal(code);
    Refusal {
        code: code as i32,
        message_id: text.id.to_owned(),
        message_en: text.en.to_owned(),
        retry_after_ms: 0,
    }
}

/// Why a login was refused, and for how long a throttled one must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refused {
    /// The reason the patron reads.
    code: RefusalCode,
    /// With TOO_MANY_ATTEMPTS: ms until the next try is evaluated.
    retry_after_ms: i64,
}

impl From<RefusalCode> for Refused {
    fn from(code: RefusalCode) -> Refused {
        Refused {
            code,
            retry_after_ms: 0,
        }
    }
}

/// Refusals that look like guessing (a scan loop over card numbers, a card
/// tried with PINs): they count towards the station's and the card's
/// throttles. A busy station, a closed library or a card in use do not.
fn counts_as_guess(code: RefusalCode) -> bool {
    matches!(
        code,
        RefusalCode::UnknownCard
            | RefusalCode::InvalidCard
            | RefusalCode::Expired
            | RefusalCode::Blocked
            | RefusalCode::Pending
            | RefusalCode::WrongPin
            | RefusalCode::PinLocked
    )
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
        let started = std::time::Instant::now();
        let outcome = self.throttled_login(station, req).await?;
        let refused = outcome.as_ref().err().map(|why| why.code.as_str_name());
        self.metrics().login(started.elapsed(), refused);
        let outcome = match outcome {
            Ok(lease) => login_response::Outcome::Lease(lease),
            Err(why) => {
                tracing::info!(station = %station.name, code = why.code.as_str_name(), "login refused");
                let mut answer = refusal(why.code);
                answer.retry_after_ms = why.retry_after_ms;
                login_response::Outcome::Refusal(answer)
            }
        };
        Ok(LoginResponse {
            outcome: Some(outcome),
        })
    }

    /// The login behind the station's and the card's throttles: while
    /// either must wait, nothing is evaluated (no lookup, no Argon2).
    async fn throttled_login(
        &self,
        station: &StationRecord,
        req: &LoginRequest,
    ) -> Result<Result<Lease, Refused>> {
        let t = &self.inner.throttles;
        let now = self.now_ms();
        let too_many = |ms: i64| Refused {
            code: RefusalCode::TooManyAttempts,
            retry_after_ms: ms,
        };
        if let Err(ms) = throttles::check(&t.station_logins, &station.station_id, now) {
            self.note_alert(
                AlertKind::LoginRefusals,
                &station.name,
                Occurrence::CountOnly,
                "",
            )
            .await;
            throttles::tarpit(ms).await;
            return Ok(Err(too_many(ms)));
        }
        let card = normalise_card(&req.card).ok();
        if let Some(card) = &card
            && let Err(ms) = throttles::check(&t.card_logins, card, now)
        {
            throttles::tarpit(ms).await;
            return Ok(Err(too_many(ms)));
        }
        let outcome = self.try_login(station, req).await?;
        match (&outcome, &card) {
            (Ok(_), Some(card)) => {
                throttles::clear(&t.station_logins, &station.station_id);
                throttles::clear(&t.card_logins, card);
                throttles::clear(&t.wrong_pins, card);
            }
            (Err(code), _) if counts_as_guess(*code) => {
                let f = throttles::fail(&t.station_logins, &station.station_id, now);
                if f.started_waiting(&throttles::STATION_LOGINS) {
                    tracing::warn!(station = %station.name, failures = f.failures, "card logins throttled");
                    let detail = format!("{} refused card logins", f.failures);
                    self.note_alert(
                        AlertKind::LoginRefusals,
                        &station.name,
                        Occurrence::Show,
                        &detail,
                    )
                    .await;
                }
                if let Some(card) = &card {
                    throttles::fail(&t.card_logins, card, now);
                }
            }
            _ => {}
        }
        Ok(outcome.map_err(Refused::from))
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
        // A station held for the next patron of the queue takes only theirs.
        if let Some(code) = self.hold_refusal(&station.station_id, &card)? {
            return Ok(Err(code));
        }
        let now = self.now_ms();
        let admitted = self
            .admit(
                station,
                Patron::Card {
                    card: &card,
                    pin: Pin::Given(&req.pin),
                },
            )
            .await?;
        // The library system (with `[members] source = "sip2"`) is asked
        // inside admission with no lock held; a slow one costs this login
        // its bounded wait, nobody else's.
        let (station, member, validated_by) = match admitted {
            Ok(Admitted {
                station,
                member: Some(member),
                validated_by,
            }) => (station, member, validated_by),
            Ok(Admitted { member: None, .. }) => return Ok(Err(RefusalCode::UnknownCard)),
            Err(code) => return Ok(Err(code)),
        };
        let minutes = match lease_minutes(
            self.config().session_minutes,
            self.minutes_to_closing(now),
            self.allowance_left(&card, now)?,
        ) {
            Ok(m) => m,
            Err(code) => return Ok(Err(code)),
        };
        let mut session = self.session_for_member(
            &station,
            &member,
            now,
            minutes,
            &req.purpose,
            &req.rules_version,
        );
        session.validated_by = validated_by.to_owned();
        if let Err(why) = self.open_session(&session).await? {
            return Ok(Err(refusal_code(why)));
        }
        self.queue_served(&session.card, session.started_at_ms)
            .await?;
        Ok(Ok(views::lease(&session, now)))
    }

    /// The local source's answer: the member from the store, valid today,
    /// with the right PIN (when one is needed).
    pub(super) async fn local_member(
        &self,
        card: &str,
        pin: &str,
    ) -> Result<Result<MemberRecord, RefusalCode>> {
        let member = self.store().member(card)?;
        if let Some(code) = member_refusal(member.as_ref(), self.today()) {
            return Ok(Err(code));
        }
        let Some(member) = member else {
            return Ok(Err(RefusalCode::UnknownCard));
        };
        let needs_pin = !member.pin_hash.is_empty() || self.config().pin_required;
        if needs_pin && member.pin_locked_at_ms != 0 {
            return Ok(Err(RefusalCode::PinLocked));
        }
        if needs_pin
            && (member.pin_hash.is_empty() || !self.verify_secret(&member.pin_hash, pin).await)
        {
            return Ok(Err(self.wrong_pin(&member).await?));
        }
        Ok(Ok(member))
    }

    /// Counts a wrong PIN for the member's card; the [`PIN_LOCK_AFTER`]th
    /// within a day locks the PIN (durably) until staff lift it.
    pub(super) async fn wrong_pin(&self, member: &MemberRecord) -> Result<RefusalCode> {
        let now = self.now_ms();
        let f = throttles::fail(&self.inner.throttles.wrong_pins, &member.card, now);
        if f.failures < PIN_LOCK_AFTER {
            return Ok(RefusalCode::WrongPin);
        }
        let locked = self
            .store()
            .lock_member_pin(&member.card, now)?
            .durable()
            .await?;
        if locked {
            tracing::warn!(member = %self.log_id(&member.card), "PIN locked after wrong tries");
            self.audit(
                "-",
                "member.pin_locked",
                &member.card,
                &format!("{} wrong PINs", f.failures),
            )
            .await;
            self.note_alert(AlertKind::PinLocked, &member.card, Occurrence::Show, "")
                .await;
        }
        Ok(RefusalCode::PinLocked)
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
            occupation: member.occupation.clone(),
            education: member.education.clone(),
            gender: member.gender,
            age_years: age.unwrap_or(0),
            age_known: age.is_some(),
            purpose: clean_line(purpose, 100),
            rules_version: clean_line(rules_version, 40),
            started_at_ms: now_ms,
            ends_at_ms: now_ms + self.config().lease_ms(minutes),
            ..Default::default()
        }
    }
}
