//! Members, keyed by normalised card number.

use super::member_names::{reindex, stored_name};
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

    /// Writes many members in one transaction with the member counter and
    /// the name index: all or none. Returns (created, updated).
    pub fn put_members(&self, members: &[MemberRecord]) -> Result<Pending<'_, (u32, u32)>> {
        let values: Vec<Vec<u8>> = members.iter().map(|m| m.encode_to_vec()).collect();
        let counts = (&self.members, &self.meta, &self.member_names)
            .transaction(|(tree, meta, names)| {
                let (mut created, mut updated) = (0u32, 0u32);
                for (member, value) in members.iter().zip(&values) {
                    let old = tree.insert(member.card.as_bytes(), value.as_slice())?;
                    match &old {
                        Some(_) => updated += 1,
                        None => created += 1,
                    }
                    let old_name = stored_name(old.as_deref());
                    reindex(names, &member.card, old_name.as_deref(), Some(&member.name))?;
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

    /// Changes one member in a transaction (with its name-index keys when
    /// the name changes): `change` returns whether it
    /// changed anything. `Ok(false)` when there is no such member or no change.
    pub fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool,
    ) -> Result<Pending<'_, bool>> {
        let changed = (&self.members, &self.member_names)
            .transaction(|(tree, names)| {
                let Some(value) = tree.get(card.as_bytes())? else {
                    return Ok(false);
                };
                let mut member: MemberRecord = decode("members", &value)
                    .map_err(sled::transaction::ConflictableTransactionError::Abort)?;
                let old_name = member.name.clone();
                if !change(&mut member) {
                    return Ok(false);
                }
                tree.insert(card.as_bytes(), member.encode_to_vec())?;
                if member.name != old_name {
                    reindex(names, card, Some(&old_name), Some(&member.name))?;
                }
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
    /// no card matches) or every one of `name_words` (folded by
    /// [`crate::policy::name_words`]; none: no name matches) begins a word
    /// of its name. Card matches come first, by card, then name matches, by
    /// name. Card matches are a key range of the members, name matches
    /// come from the name index (see BENCHMARKS.md for the cost at
    /// 100,000); only the page's records are read.
    pub fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_words: &[String],
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<MemberRecord>, usize)> {
        let mut wanted: Vec<String> = Vec::new();
        let mut card_hits = 0usize;
        if card_prefix == Some("") {
            // Every member: the page is a key range, the count the counter
            // (kept in every write that adds or removes a member).
            for key in self.members.iter().keys().skip(offset).take(limit) {
                wanted.push(String::from_utf8_lossy(&key?).into_owned());
            }
            card_hits = usize::try_from(self.member_count()?).unwrap_or(usize::MAX);
        } else if let Some(prefix) = card_prefix {
            for key in self.members.scan_prefix(prefix.as_bytes()).keys() {
                let key = key?;
                if card_hits >= offset && wanted.len() < limit {
                    wanted.push(String::from_utf8_lossy(&key).into_owned());
                }
                card_hits += 1;
            }
        }
        let is_card_hit = |card: &str| card_prefix.is_some_and(|p| card.starts_with(p));
        let mut name_hits: Vec<(String, String)> = self
            .name_hits(name_words)?
            .into_iter()
            .filter(|(card, _)| !is_card_hit(card))
            .map(|(card, name)| (name, card))
            .collect();
        // By name, then by card (the map's order; the sort is stable).
        name_hits.sort_by(|a, b| a.0.cmp(&b.0));
        let skip = offset.saturating_sub(card_hits);
        let room = limit - wanted.len();
        wanted.extend(
            name_hits
                .iter()
                .skip(skip)
                .take(room)
                .map(|(_, c)| c.clone()),
        );
        let mut page = Vec::with_capacity(wanted.len());
        for card in wanted {
            if let Some(member) = self.member(&card)? {
                page.push(member);
            }
        }
        Ok((page, card_hits + name_hits.len()))
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
