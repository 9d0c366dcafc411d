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
                merge_categories(meta, members.iter().map(|m| m.category.as_str()))?;
                Ok::<_, sled::transaction::ConflictableTransactionError<StoreError>>((
                    created, updated,
                ))
            })
            .map_err(flatten)?;
        Ok(Pending::wrote(self, counts))
    }

    /// The member categories every member write so far has carried
    /// (imports, the library system, staff), sorted; at most
    /// `MAX_CATEGORIES`.
    pub fn member_categories(&self) -> Result<Vec<String>> {
        Ok(self
            .meta
            .get(MEMBER_CATEGORIES)?
            .map(|b| read_categories(&b).into_iter().collect())
            .unwrap_or_default())
    }

    /// Fills the category list from the members of a store written before
    /// the list existed (one scan, once).
    pub(super) fn init_member_categories(&self) -> Result<()> {
        if self.meta.get(MEMBER_CATEGORIES)?.is_some() {
            return Ok(());
        }
        let mut seen = std::collections::BTreeSet::new();
        for item in self.members.iter() {
            let (_, value) = item?;
            if let Ok(m) = MemberRecord::decode(value.as_ref()) {
                seen.insert(m.category);
            }
        }
        let written: Vec<&str> = seen.iter().map(String::as_str).collect();
        self.meta
            .transaction(|meta| merge_categories(meta, written.iter().copied()))
            .map_err(flatten)?;
        Ok(())
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

#[cfg(test)]
impl Store {
    /// Writes raw bytes under a card, as a damaged record would read.
    pub(crate) fn put_raw_member(&self, card: &str, bytes: &[u8]) {
        let _ = self.members.insert(card.as_bytes(), bytes);
    }
}

/// `meta` key of the member categories seen (newline-separated, sorted).
const MEMBER_CATEGORIES: &str = "members.categories";

/// Most member categories kept: a list to choose from on a form, not a
/// record of every typo an import carried.
pub(super) const MAX_CATEGORIES: usize = 200;

fn read_categories(bytes: &[u8]) -> std::collections::BTreeSet<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Adds the categories of a member write to the list, inside its transaction.
fn merge_categories<'a>(
    meta: &sled::transaction::TransactionalTree,
    categories: impl Iterator<Item = &'a str>,
) -> sled::transaction::ConflictableTransactionResult<(), StoreError> {
    let mut all = meta
        .get(MEMBER_CATEGORIES)?
        .map(|b| read_categories(&b))
        .unwrap_or_default();
    let before = all.len();
    for c in categories.map(str::trim) {
        if all.len() >= MAX_CATEGORIES {
            break;
        }
        if !c.is_empty() && c.len() <= 100 && !c.chars().any(char::is_control) && !all.contains(c) {
            all.insert(c.to_owned());
        }
    }
    if all.len() != before {
        let joined = all.into_iter().collect::<Vec<_>>().join("\n");
        meta.insert(MEMBER_CATEGORIES, joined.as_bytes())?;
    }
    Ok(())
}
