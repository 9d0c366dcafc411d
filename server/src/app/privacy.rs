//! Personal data kept only as long as the library decides (UU 27/2022):
//! the daily retention job, a member's access request (export of
//! everything held) and erasure. The rules of a pseudonymised row are in
//! [`crate::privacy`].

use super::{App, Error, Fault, Result, StaffIdentity, not_a_card, said};
use crate::policy::normalise_card;
use crate::privacy::{identifiable, pseudonym, pseudonymised};
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::{MemberRecord, SessionRecord};
use bilik_proto::v1::{EndReason, Gender, MemberStatus};

/// The `meta` key of the session pseudonyms' key.
const PSEUDONYM_KEY: &str = "privacy_pseudonym_key";

/// Rows rewritten per durable commit.
const BATCH: usize = 500;

/// Everything the server holds about one member (an access request).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MemberExport {
    /// The card number.
    pub card: String,
    /// The member record (every field but the PIN hash), `None` if there
    /// is none any more.
    pub member: Option<serde_json::Value>,
    /// Every session of the card still identifiable, oldest first.
    pub sessions: Vec<serde_json::Value>,
    /// When the export was made (UTC ms).
    pub exported_at_ms: i64,
}

impl App {
    /// The pseudonym key, if one was made (reports count through it).
    pub(crate) fn pseudonym_key_if_any(&self) -> Result<Option<[u8; 32]>> {
        match self.store().meta(PSEUDONYM_KEY)? {
            None => Ok(None),
            Some(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
                .map(Some)
                .map_err(|_| Error::Store(crate::store::StoreError::Malformed("pseudonym key"))),
        }
    }

    /// The pseudonym key, made (durably) on first use.
    async fn pseudonym_key(&self) -> Result<[u8; 32]> {
        if let Some(key) = self.pseudonym_key_if_any()? {
            return Ok(key);
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::FailedPrecondition(format!("no randomness: {e}")))?;
        self.store()
            .create_meta(PSEUDONYM_KEY, &key)?
            .durable()
            .await?;
        // Two first uses racing: the key stored first wins.
        self.pseudonym_key_if_any()?
            .ok_or_else(|| Error::FailedPrecondition("the pseudonym key was not stored".into()))
    }

    /// Pseudonymises `ids` in batches, each made durable; returns how many
    /// rows changed.
    async fn pseudonymise(&self, ids: Vec<String>) -> Result<usize> {
        let key = self.pseudonym_key().await?;
        let bands = self.config().age_bands.clone();
        let mut changed = 0;
        for batch in ids.chunks(BATCH) {
            let batch = batch.to_vec();
            let bands = bands.clone();
            changed += self
                .off_runtime(move |app| {
                    Ok(app
                        .store()
                        .rewrite_ended_sessions(&batch, |s| {
                            identifiable(s).then(|| pseudonymised(s, &key, &bands))
                        })?
                        .durable_blocking()?)
                })
                .await?;
        }
        Ok(changed)
    }

    /// The retention job (daily, and at start): every ended session that
    /// started more than `privacy.retention_days` ago loses its personal
    /// data. Figures and signed reports do not change (see
    /// [`crate::privacy`]). Returns how many rows changed; audited when any did.
    pub async fn apply_retention(&self) -> Result<usize> {
        let days = self.config().retention_days;
        if days == 0 {
            return Ok(0);
        }
        let cutoff = self.now_ms() - i64::from(days) * 86_400_000;
        let ids = self
            .off_runtime(move |app| {
                let mut ids = Vec::new();
                app.store().for_each_session_between(0, cutoff, |s| {
                    if s.ended_at_ms != 0 && identifiable(s) {
                        ids.push(s.session_id.clone());
                    }
                })?;
                Ok(ids)
            })
            .await?;
        let changed = self.pseudonymise(ids).await?;
        if changed > 0 {
            tracing::info!(
                sessions = changed,
                days,
                "retention: session rows pseudonymised"
            );
            self.audit(
                super::SYSTEM_ACTOR,
                "privacy.retention",
                "sessions",
                &format!("{changed} sessions older than {days} days pseudonymised"),
            )
            .await;
        }
        Ok(changed)
    }

    /// Everything held about the member with `card` (an admin answering an
    /// access request), audited.
    pub async fn export_member(&self, by: &StaffIdentity, card: &str) -> Result<MemberExport> {
        by.require_admin()?;
        let card = normalise_card(card).map_err(|_| not_a_card())?;
        let member = self.store().member(&card)?;
        let sessions: Vec<SessionRecord> = self
            .store()
            .card_session_ids(&card)?
            .iter()
            .filter_map(|id| self.store().session(id).transpose())
            .collect::<std::result::Result<_, _>>()?;
        if member.is_none() && sessions.is_empty() {
            return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER_OR_SESSION));
        }
        let member = member.as_ref().map(member_json);
        let export = MemberExport {
            card: card.clone(),
            member,
            sessions: sessions.iter().map(session_json).collect(),
            exported_at_ms: self.now_ms(),
        };
        let detail = format!("{} sessions", export.sessions.len());
        self.audit(&by.username, "member.export", &self.log_id(&card), &detail)
            .await;
        Ok(export)
    }

    /// Erases a member (an admin answering an erasure request): the member
    /// record goes and every session of the card is pseudonymised; refused
    /// while the card is in a session. Audited under the card's pseudonym,
    /// never the card. Returns how many sessions were pseudonymised.
    pub async fn erase_member(&self, by: &StaffIdentity, card: &str) -> Result<usize> {
        by.require_admin()?;
        let card = normalise_card(card).map_err(|_| not_a_card())?;
        if self.store().open_session_of_card(&card)?.is_some() {
            return Err(said(Fault::NotNow, t::FAULT_CARD_IN_SESSION));
        }
        let ids = self.store().card_session_ids(&card)?;
        let removed = self.store().remove_member(&card)?.durable().await?;
        if !removed && ids.is_empty() {
            return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER_OR_SESSION));
        }
        let changed = self.pseudonymise(ids).await?;
        let key = self.pseudonym_key().await?;
        self.audit(
            &by.username,
            "member.erase",
            &pseudonym(&key, &card),
            &format!("member removed, {changed} sessions pseudonymised"),
        )
        .await;
        Ok(changed)
    }
}

/// A member record as JSON, every field but the PIN hash (a secret, not
/// data about the person).
fn member_json(m: &MemberRecord) -> serde_json::Value {
    serde_json::json!({
        "card": m.card,
        "name": m.name,
        "gender": Gender::try_from(m.gender).unwrap_or_default().as_str_name(),
        "birth_date": m.birth_date,
        "category": m.category,
        "institution": m.institution,
        "email": m.email,
        "phone": m.phone,
        "address": m.address,
        "registered": m.registered,
        "expires": m.expires,
        "status": MemberStatus::try_from(m.status).unwrap_or_default().as_str_name(),
        "has_pin": !m.pin_hash.is_empty(),
        "source": m.source,
        "notes": m.notes,
        "updated_at_ms": m.updated_at_ms,
        "pin_locked_at_ms": m.pin_locked_at_ms,
    })
}

/// A session record as JSON, every field.
fn session_json(s: &SessionRecord) -> serde_json::Value {
    serde_json::json!({
        "session_id": s.session_id,
        "station": s.station_name,
        "card": s.card,
        "name": s.patron_name,
        "category": s.category,
        "gender": Gender::try_from(s.gender).unwrap_or_default().as_str_name(),
        "age_years": s.age_known.then_some(s.age_years),
        "purpose": s.purpose,
        "rules_version": s.rules_version,
        "started_at_ms": s.started_at_ms,
        "ends_at_ms": s.ends_at_ms,
        "ended_at_ms": s.ended_at_ms,
        "end_reason": EndReason::try_from(s.end_reason).unwrap_or_default().as_str_name(),
        "unlocked_by": s.unlocked_by,
        "guest_note": s.guest_note,
        "extensions": s.extensions,
    })
}
