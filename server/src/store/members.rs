//! Members, keyed by normalised card number.

use super::{
    COUNT_MEMBERS, Pending, Result, Store, StoreError, bump_counter, decode, flatten, get,
};
use bilik_proto::store::v1::MemberRecord;
use prost::Message;
use sled::Transactional;

impl Store {
    /// The member with this (normalised) card number.
    pub fn member(&self, card: &str) -> Result<Option<MemberRecord>> {
        get(&self.members, "members", card)
    }

    /// Writes one member; `true` when it is new.
    pub fn put_member(&self, member: &MemberRecord) -> Result<Pending<'_, bool>> {
        self.put_members(std::slice::from_ref(member))
            .map(|p| p.map(|(created, _)| created == 1))
    }

    /// Writes many members in one transaction with the member counter: all
    /// or none. Returns (created, updated).
    pub fn put_members(&self, members: &[MemberRecord]) -> Result<Pending<'_, (u32, u32)>> {
        let values: Vec<Vec<u8>> = members.iter().map(|m| m.encode_to_vec()).collect();
        let counts = (&self.members, &self.meta)
            .transaction(|(tree, meta)| {
                let (mut created, mut updated) = (0u32, 0u32);
                for (member, value) in members.iter().zip(&values) {
                    match tree.insert(member.card.as_bytes(), value.as_slice())? {
                        Some(_) => updated += 1,
                        None => created += 1,
                    }
                }
                bump_counter(meta, COUNT_MEMBERS, u64::from(created))?;
                Ok::<_, sled::transaction::ConflictableTransactionError<StoreError>>((
                    created, updated,
                ))
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, counts))
    }

    /// Changes one member in a transaction: `change` returns whether it
    /// changed anything. `Ok(false)` when there is no such member or no change.
    pub fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool,
    ) -> Result<Pending<'_, bool>> {
        let changed = self
            .members
            .transaction(|tree| {
                let Some(value) = tree.get(card.as_bytes())? else {
                    return Ok(false);
                };
                let mut member: MemberRecord = decode("members", &value)
                    .map_err(sled::transaction::ConflictableTransactionError::Abort)?;
                if !change(&mut member) {
                    return Ok(false);
                }
                tree.insert(card.as_bytes(), member.encode_to_vec())?;
                Ok::<_, sled::transaction::ConflictableTransactionError<StoreError>>(true)
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, changed))
    }

    /// Locks a member's PIN at `at_ms`; `true` when it was not locked yet.
    pub fn lock_member_pin(&self, card: &str, at_ms: i64) -> Result<Pending<'_, bool>> {
        self.update_member(card, |m| {
            let was_open = m.pin_locked_at_ms == 0;
            if was_open {
                m.pin_locked_at_ms = at_ms;
            }
            was_open
        })
    }

    /// One page of the members matching a search, and how many match in
    /// all. A member matches when its card starts with `card_prefix` (none:
    /// no card matches) or `name_matches` accepts its name. Card matches
    /// come first, by card, then name matches, by name. One pass over the
    /// members (see BENCHMARKS.md for its cost at 100,000), keeping only
    /// keys; the page's records are read at the end.
    pub fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_matches: impl Fn(&str) -> bool,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<MemberRecord>, usize)> {
        let mut hits: Vec<(bool, String, String)> = Vec::new();
        for entry in self.members.iter() {
            let (_, value) = entry?;
            let member: MemberRecord = decode("members", &value)?;
            if card_prefix.is_some_and(|p| member.card.starts_with(p)) {
                hits.push((false, String::new(), member.card));
            } else if name_matches(&member.name) {
                hits.push((true, member.name.to_lowercase(), member.card));
            }
        }
        // Card hits are already in card order (the tree's); the sort is stable.
        hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let total = hits.len();
        let mut page = Vec::new();
        for (_, _, card) in hits.into_iter().skip(offset).take(limit) {
            if let Some(member) = self.member(&card)? {
                page.push(member);
            }
        }
        Ok((page, total))
    }

    /// How many members are stored (a counter: no scan).
    pub fn member_count(&self) -> Result<u64> {
        self.counter(COUNT_MEMBERS)
    }
}
