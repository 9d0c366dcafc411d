//! Rewriting session rows without their personal data (the retention job,
//! a member's erasure): the record and its per-card index entry change in
//! one transaction.

use super::{Pending, Result, Store, decode, flatten};
use bilik_proto::store::v1::SessionRecord;
use prost::Message;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

impl Store {
    /// For each id, `rewrite` gets the session as committed and says what
    /// it becomes (`None`: leave it; open sessions are always left). The
    /// per-card index entry of the old card goes (a pseudonymised row is
    /// nobody's history). Returns how many rows changed.
    pub fn rewrite_ended_sessions(
        &self,
        session_ids: &[String],
        rewrite: impl Fn(&SessionRecord) -> Option<SessionRecord>,
    ) -> Result<Pending<'_, usize>> {
        let keys: Vec<[u8; 16]> = session_ids
            .iter()
            .map(|id| super::sessions::session_key(id))
            .collect::<Result<_>>()?;
        let changed = (&self.sessions, &self.sessions_by_card)
            .transaction(|(sessions, by_card)| {
                let mut changed = 0;
                for key in &keys {
                    let Some(bytes) = sessions.get(key)? else {
                        continue;
                    };
                    let current: SessionRecord =
                        decode("sessions", &bytes).map_err(ConflictableTransactionError::Abort)?;
                    if current.ended_at_ms == 0 {
                        continue;
                    }
                    let Some(record) = rewrite(&current) else {
                        continue;
                    };
                    if record.card != current.card && !current.card.is_empty() {
                        by_card.remove(super::sessions::card_key(&current.card, key))?;
                    }
                    sessions.insert(&key[..], record.encode_to_vec())?;
                    changed += 1;
                }
                Ok(changed)
            })
            .map_err(flatten)?;
        Ok(if changed == 0 {
            Pending::nothing(self, 0)
        } else {
            Pending::wrote(self, changed)
        })
    }

    /// Ids of the sessions of one card, oldest first (its history index).
    pub fn card_session_ids(&self, card: &str) -> Result<Vec<String>> {
        let mut prefix = card.as_bytes().to_vec();
        prefix.push(0);
        let mut ids = Vec::new();
        for entry in self.sessions_by_card.scan_prefix(&prefix) {
            let (k, _) = entry?;
            if let Ok(bytes) = <[u8; 16]>::try_from(&k[prefix.len()..]) {
                ids.push(uuid::Uuid::from_bytes(bytes).to_string());
            }
        }
        Ok(ids)
    }
}

impl Store {
    /// Removes a member record (erasure) and its name-index keys, keeping
    /// the member counter; `false` if there was none.
    pub fn remove_member(&self, card: &str) -> Result<Pending<'_, bool>> {
        let removed = (&self.members, &self.meta, &self.member_names)
            .transaction(|(members, meta, names)| {
                let Some(old) = members.remove(card.as_bytes())? else {
                    return Ok(false);
                };
                let old_name = super::member_names::stored_name(Some(&old));
                super::member_names::reindex(names, card, old_name.as_deref(), None)?;
                let n = meta
                    .get(super::COUNT_MEMBERS)?
                    .as_deref()
                    .map_or(0, super::read_counter);
                meta.insert(super::COUNT_MEMBERS, &n.saturating_sub(1).to_be_bytes())?;
                Ok(true)
            })
            .map_err(flatten)?;
        Ok(if removed {
            Pending::wrote(self, true)
        } else {
            Pending::nothing(self, false)
        })
    }
}
