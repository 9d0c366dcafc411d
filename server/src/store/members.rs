//! Members, keyed by normalised card number.

use super::{Result, Store, decode, decode_all, get};
use bilik_proto::store::v1::MemberRecord;
use prost::Message;

impl Store {
    /// The member with this (normalised) card number.
    pub fn member(&self, card: &str) -> Result<Option<MemberRecord>> {
        get(&self.members, "members", card)
    }

    /// Writes one member; `true` when it is new.
    pub fn put_member(&self, member: &MemberRecord) -> Result<bool> {
        let old = self
            .members
            .insert(member.card.as_bytes(), member.encode_to_vec())?;
        Ok(old.is_none())
    }

    /// Writes many members in one atomic batch: all or none.
    /// Returns (created, updated).
    pub fn put_members(&self, members: &[MemberRecord]) -> Result<(u32, u32)> {
        let mut batch = sled::Batch::default();
        let (mut created, mut updated) = (0, 0);
        for member in members {
            if self.members.contains_key(member.card.as_bytes())? {
                updated += 1;
            } else {
                created += 1;
            }
            batch.insert(member.card.as_bytes(), member.encode_to_vec());
        }
        self.members.apply_batch(batch)?;
        Ok((created, updated))
    }

    /// Members whose card starts with `card_prefix` or whose name contains
    /// `name_part` (already lower-case), at most `limit`, in card order.
    pub fn search_members(
        &self,
        card_prefix: &str,
        name_part: &str,
        limit: usize,
    ) -> Result<Vec<MemberRecord>> {
        let mut found: Vec<MemberRecord> =
            decode_all("members", self.members.scan_prefix(card_prefix).take(limit))?;
        if found.len() < limit && !name_part.is_empty() {
            for entry in self.members.iter() {
                let member: MemberRecord = decode("members", &entry?.1)?;
                if member.name.to_lowercase().contains(name_part)
                    && !found.iter().any(|m| m.card == member.card)
                {
                    found.push(member);
                    if found.len() >= limit {
                        break;
                    }
                }
            }
        }
        Ok(found)
    }

    /// How many members are stored.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }
}
