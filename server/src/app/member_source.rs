//! Where a card login's member comes from: Bilik's own store (`local`), or
//! the library system over SIP2. With SIP2 the library system decides
//! validity ([`ils_refusal`]) and what it says becomes the member snapshot
//! of the session exactly as a local member's would (reports cannot tell
//! the sources apart). Its confirmation is kept on the member record, so
//! the offline policy can accept a recently confirmed card while the
//! library system is unreachable.

use super::{App, Result};
use crate::policy::ils_refusal;
use crate::sip2::{Ils, OfflinePolicy, Patron};
use bilik_proto::store::v1::MemberRecord;
use bilik_proto::v1::{MemberStatus, RefusalCode};

/// `validated_by` of a session whose card Bilik's own store vouched for.
pub const BY_LOCAL: &str = "local";
/// ... that the library system confirmed just now.
pub const BY_SIP2: &str = "sip2";
/// ... that the library system confirmed recently, accepted by the
/// offline policy while it was unreachable.
pub const BY_SIP2_CACHED: &str = "sip2-cached";

/// The `source` of a member record written from the library system's answer.
const SOURCE_SIP2: &str = "sip2";

/// A confirmation younger than this is not rewritten (a durable write
/// per login buys nothing for an offline window counted in hours).
const RECONFIRM_AFTER_MS: i64 = 5 * 60_000;

impl App {
    /// The member behind `card` if it may log in (the PIN checked), and who
    /// vouched for it; otherwise the refusal.
    pub(super) async fn card_member(
        &self,
        card: &str,
        pin: &str,
    ) -> Result<Result<(MemberRecord, &'static str), RefusalCode>> {
        let Some(ils) = self.inner.ils.as_deref() else {
            return Ok(self.local_member(card, pin).await?.map(|m| (m, BY_LOCAL)));
        };
        let now = self.now_ms();
        match ils.patron(card, pin, self.local(now)).await {
            Ok(patron) => self.confirmed_member(ils, card, pin, patron, now).await,
            Err(_) => self.offline_member(ils, card, pin, now).await,
        }
    }

    /// The library system answered: its verdict, and on success the
    /// member record refreshed from what it said.
    async fn confirmed_member(
        &self,
        ils: &Ils,
        card: &str,
        pin: &str,
        patron: Patron,
        now: i64,
    ) -> Result<Result<(MemberRecord, &'static str), RefusalCode>> {
        let kept = self.store().member(card)?;
        let verdict = ils_refusal(
            &patron.answer,
            self.config().pin_required,
            ils.settings().fine_limit,
            self.today(),
        );
        if let Some(code) = verdict {
            // A refused card loses its cached confirmation: it must not be
            // let in offline later. A wrong PIN does not (a guesser must
            // not lock the owner out).
            if code != RefusalCode::WrongPin
                && let Some(mut m) = kept.filter(|m| m.ils_confirmed_at_ms != 0)
            {
                m.ils_confirmed_at_ms = 0;
                m.updated_at_ms = now;
                self.store().put_member(&m)?.durable().await?;
            }
            return Ok(Err(code));
        }
        // A block set by staff on the dashboard holds whatever the library
        // system says.
        if kept
            .as_ref()
            .is_some_and(|k| k.status == MemberStatus::Blocked as i32)
        {
            return Ok(Err(RefusalCode::Blocked));
        }
        let mut m = kept.clone().unwrap_or_default();
        m.card = card.to_owned();
        m.name = patron.name;
        m.category = patron.category;
        m.gender = patron.gender as i32;
        m.birth_date = patron
            .birth_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        m.expires = patron
            .answer
            .expires
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        m.status = MemberStatus::Active as i32;
        m.source = SOURCE_SIP2.to_owned();
        m.pin_locked_at_ms = 0;
        // The PIN the library system just confirmed, hashed, for the
        // offline policy; none when it checked none.
        if patron.answer.pin_valid != Some(true) || pin.is_empty() {
            m.pin_hash.clear();
        } else if m.pin_hash.is_empty() || !self.verify_secret(&m.pin_hash, pin).await {
            m.pin_hash = self.hash_pin(pin).await?;
        }
        let unchanged = kept.as_ref().is_some_and(|k| {
            let mut k = k.clone();
            k.ils_confirmed_at_ms = m.ils_confirmed_at_ms;
            k.updated_at_ms = m.updated_at_ms;
            k == m
        });
        if !unchanged || now - m.ils_confirmed_at_ms > RECONFIRM_AFTER_MS {
            m.ils_confirmed_at_ms = now;
            m.updated_at_ms = now;
            self.store().put_member(&m)?.durable().await?;
        }
        Ok(Ok((m, BY_SIP2)))
    }

    /// The library system could not be asked: the offline policy decides.
    async fn offline_member(
        &self,
        ils: &Ils,
        card: &str,
        pin: &str,
        now: i64,
    ) -> Result<Result<(MemberRecord, &'static str), RefusalCode>> {
        let unreachable = Ok(Err(RefusalCode::LibrarySystemUnreachable));
        let OfflinePolicy::AcceptConfirmedWithin(hours) = ils.settings().offline else {
            return unreachable;
        };
        let Some(m) = self.store().member(card)? else {
            return unreachable;
        };
        let age = now - m.ils_confirmed_at_ms;
        if m.ils_confirmed_at_ms == 0 || age < 0 || age > i64::from(hours) * 3_600_000 {
            return unreachable;
        }
        if m.pin_hash.is_empty() {
            if self.config().pin_required {
                return unreachable;
            }
        } else if !self.verify_secret(&m.pin_hash, pin).await {
            return Ok(Err(RefusalCode::WrongPin));
        }
        tracing::info!(member = %self.log_id(card), "library system unreachable: card accepted from its recent confirmation");
        Ok(Ok((m, BY_SIP2_CACHED)))
    }
}
