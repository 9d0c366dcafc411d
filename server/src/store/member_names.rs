//! The member-name index: for every word of every member's name (as
//! [`crate::policy::name_words`] folds it: lower-case, accents and
//! apostrophes dropped) one key `word 0x00 card` whose value is the
//! member's lower-cased name (the order name hits are listed in). A name
//! search reads the keys under each query word's prefix instead of decoding
//! every member. Every member write changes its keys in the same
//! transaction (so in the same durable commit); a store without the index
//! gets it built once at opening (`meta` marker [`NAME_INDEX_MARKER`]).

use super::{Result, Store, StoreError};
use bilik_proto::store::v1::MemberRecord;
use prost::Message;
use sled::transaction::{ConflictableTransactionResult, TransactionalTree};
use std::collections::{BTreeMap, BTreeSet};

/// `meta` key present once the name index holds every member.
const NAME_INDEX_MARKER: &str = "members.name_index";

/// The index key of one word of one member's name.
fn word_key(word: &str, card: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(word.len() + 1 + card.len());
    key.extend_from_slice(word.as_bytes());
    key.push(0);
    key.extend_from_slice(card.as_bytes());
    key
}

/// The distinct index words of a name.
fn words_of(name: &str) -> BTreeSet<String> {
    crate::policy::name_words(name).into_iter().collect()
}

/// The name a stored member value carries; `None` for no value or one that
/// does not decode (a damaged record: it never had keys written from it).
pub(super) fn stored_name(value: Option<&[u8]>) -> Option<String> {
    value
        .and_then(|v| MemberRecord::decode(v).ok())
        .map(|m| m.name)
}

/// Moves a member's index keys from its old name to its new one (`None`:
/// not there before / removed), inside the transaction of the member write.
pub(super) fn reindex(
    index: &TransactionalTree,
    card: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> ConflictableTransactionResult<(), StoreError> {
    if let Some(old) = old {
        for word in words_of(old) {
            index.remove(word_key(&word, card))?;
        }
    }
    if let Some(new) = new {
        let sort_key = new.to_lowercase();
        for word in words_of(new) {
            index.insert(word_key(&word, card), sort_key.as_bytes())?;
        }
    }
    Ok(())
}

impl Store {
    /// Builds the name index of a store written before it existed (one
    /// scan, once: the marker is written only when every member is in).
    pub(super) fn init_member_names(&self) -> Result<()> {
        if self.meta.get(NAME_INDEX_MARKER)?.is_some() {
            return Ok(());
        }
        self.rebuild_member_names()
    }

    /// Writes the name index afresh from the members (opening an
    /// un-indexed store, restoring a backup: the index is derived and not
    /// in backups). Damaged records get no keys.
    pub(super) fn rebuild_member_names(&self) -> Result<()> {
        self.member_names.clear()?;
        for entry in self.members.iter() {
            let (card, value) = entry?;
            let (Ok(card), Some(name)) = (std::str::from_utf8(&card), stored_name(Some(&value)))
            else {
                continue;
            };
            let sort_key = name.to_lowercase();
            for word in words_of(&name) {
                self.member_names
                    .insert(word_key(&word, card), sort_key.as_bytes())?;
            }
        }
        self.meta.insert(NAME_INDEX_MARKER, b"1")?;
        Ok(())
    }

    /// The members whose name has, for every query word, a word starting
    /// with it (`words` already folded by [`crate::policy::name_words`]):
    /// card → lower-cased name. No words: nobody.
    pub(super) fn name_hits(&self, words: &[String]) -> Result<BTreeMap<String, String>> {
        // The longest word first: usually the fewest keys to keep.
        let mut by_length: Vec<&String> = words.iter().collect();
        by_length.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let Some((first, rest)) = by_length.split_first() else {
            return Ok(BTreeMap::new());
        };
        let mut hits = BTreeMap::new();
        for entry in self.member_names.scan_prefix(first.as_bytes()) {
            let (key, value) = entry?;
            if let Some(card) = card_of(&key) {
                hits.insert(card, String::from_utf8_lossy(&value).into_owned());
            }
        }
        for word in rest {
            if hits.is_empty() {
                break;
            }
            let mut found = BTreeSet::new();
            for entry in self.member_names.scan_prefix(word.as_bytes()) {
                let (key, _) = entry?;
                if let Some(card) = card_of(&key) {
                    found.insert(card);
                }
            }
            hits.retain(|card, _| found.contains(card));
        }
        Ok(hits)
    }
}

/// The card an index key names (after its word's 0x00).
fn card_of(key: &[u8]) -> Option<String> {
    let at = key.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&key[at + 1..]).ok().map(str::to_owned)
}

#[cfg(test)]
impl Store {
    /// Every index key, as (word, card), in key order.
    pub(crate) fn member_name_keys(&self) -> Vec<(String, String)> {
        self.member_names
            .iter()
            .filter_map(|e| e.ok())
            .filter_map(|(k, _)| {
                let at = k.iter().position(|&b| b == 0)?;
                Some((String::from_utf8_lossy(&k[..at]).into_owned(), card_of(&k)?))
            })
            .collect()
    }

    /// Forgets the index and its marker, as a store written before it was.
    pub(crate) fn drop_member_names(&self) {
        let _ = self.member_names.clear();
        let _ = self.meta.remove(NAME_INDEX_MARKER);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::policy::{name_matches, name_words};

    fn member(card: &str, name: &str) -> MemberRecord {
        MemberRecord {
            card: card.into(),
            name: name.into(),
            expires: "2030-12-31".into(),
            ..Default::default()
        }
    }

    /// The keys the index must hold for the members stored now.
    fn expected_keys(store: &Store) -> Vec<(String, String)> {
        let mut keys: Vec<(String, String)> = store
            .members
            .iter()
            .filter_map(|e| e.ok())
            .filter_map(|(_, v)| MemberRecord::decode(v.as_ref()).ok())
            .flat_map(|m| {
                words_of(&m.name)
                    .into_iter()
                    .map(move |w| (w, m.card.clone()))
            })
            .collect();
        keys.sort_by_key(|(word, card)| word_key(word, card));
        keys
    }

    fn cards(store: &Store, query: &str) -> (Vec<String>, usize) {
        let (page, total) = store
            .search_members(None, &name_words(query), 0, 500)
            .unwrap();
        (page.into_iter().map(|m| m.card).collect(), total)
    }

    #[tokio::test]
    async fn every_member_write_keeps_the_index_in_step() {
        let store = Store::temporary().unwrap();
        store
            .put_member(&member("A1", "Andi Tenri Ajeng"))
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert_eq!(store.member_name_keys(), expected_keys(&store));
        assert_eq!(cards(&store, "tenri").0, ["A1"]);
        // A batch: a new member, a renamed one, the same card twice.
        store
            .put_members(&[
                member("A2", "Ma'ruf Amin"),
                member("A1", "Andi Baso"),
                member("A3", "José Rizal"),
                member("A3", "Jose Marúf"),
            ])
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert_eq!(store.member_name_keys(), expected_keys(&store));
        assert_eq!(cards(&store, "tenri").0, Vec::<String>::new());
        assert_eq!(cards(&store, "rizal").0, Vec::<String>::new());
        assert_eq!(cards(&store, "maruf"), (vec!["A3".into(), "A2".into()], 2));
        // A change of name through update_member.
        store
            .update_member("A2", |m| {
                m.name = "Siti Aisyah".into();
                true
            })
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert_eq!(store.member_name_keys(), expected_keys(&store));
        assert_eq!(cards(&store, "maruf").0, ["A3"]);
        assert_eq!(cards(&store, "AISYAH siti").0, ["A2"]);
        // A change that leaves the name keeps the keys.
        store
            .lock_member_pin("A2", 5)
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert_eq!(store.member_name_keys(), expected_keys(&store));
    }

    #[tokio::test]
    async fn remove_member_drops_its_index_keys() {
        let store = Store::temporary().unwrap();
        store
            .put_members(&[member("B1", "Andi Tenri"), member("B2", "Andi Baso")])
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert!(store.remove_member("B1").unwrap().durable().await.unwrap());
        assert_eq!(store.member_name_keys(), expected_keys(&store));
        assert!(store.member_name_keys().iter().all(|(_, c)| c == "B2"));
        assert_eq!(cards(&store, "andi"), (vec!["B2".into()], 1));
        assert!(!store.remove_member("B1").unwrap().durable().await.unwrap());
    }

    #[tokio::test]
    async fn an_empty_query_pages_every_member_by_card_with_the_counted_total() {
        let store = Store::temporary().unwrap();
        let members: Vec<MemberRecord> = ["E5", "E1", "E4", "E2", "E3"]
            .iter()
            .map(|c| member(c, "Nur"))
            .collect();
        store
            .put_members(&members)
            .unwrap()
            .durable()
            .await
            .unwrap();
        assert!(store.remove_member("E2").unwrap().durable().await.unwrap());
        let (page, total) = store.search_members(Some(""), &[], 1, 2).unwrap();
        let cards: Vec<&str> = page.iter().map(|m| m.card.as_str()).collect();
        assert_eq!((cards, total), (vec!["E3", "E4"], 4));
        let (page, total) = store.search_members(Some(""), &[], 3, 50).unwrap();
        assert_eq!((page.len(), total), (1, 4));
    }

    #[tokio::test]
    async fn a_store_without_the_index_gets_it_at_opening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .put_members(&[member("C1", "Andi Tenri"), member("C2", "Ma'ruf Amin")])
                .unwrap()
                .durable()
                .await
                .unwrap();
            store.drop_member_names();
            assert!(store.member_name_keys().is_empty());
            store.sync_blocking().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.member_name_keys(), expected_keys(&store));
        assert_eq!(store.member_name_keys().len(), 4);
        assert_eq!(cards(&store, "maruf").0, ["C2"]);
    }

    #[tokio::test]
    async fn a_restored_backup_has_the_index_though_backups_do_not_hold_it() {
        let store = Store::temporary().unwrap();
        store
            .put_members(&[member("D1", "Andi Tenri"), member("D2", "Ma'ruf Amin")])
            .unwrap()
            .durable()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("backup.bin");
        store
            .write_backup(std::fs::File::create(&file).unwrap())
            .unwrap();
        Store::restore_backup(&file, &dir.path().join("restored")).unwrap();
        let restored = Store::open(&dir.path().join("restored")).unwrap();
        assert_eq!(restored.member_name_keys(), store.member_name_keys());
        assert_eq!(cards(&restored, "tenri").0, ["D1"]);
    }

    #[tokio::test]
    async fn the_index_answers_as_the_rule_does_with_count_and_paging() {
        let store = Store::temporary().unwrap();
        let given = ["Andi", "Siti", "Ma'ruf", "José", "Andika", "Nur"];
        let family = ["Tenri", "Amin", "Baso", "Marúf", "Aisyah"];
        let members: Vec<MemberRecord> = (0..120)
            .map(|i| {
                member(
                    &format!("M{i:04}"),
                    &format!("{} {}", given[i % 6], family[(i / 6) % 5]),
                )
            })
            .collect();
        store
            .put_members(&members)
            .unwrap()
            .durable()
            .await
            .unwrap();
        for query in [
            "andi",
            "and tenri",
            "maruf",
            "MA'RUF amin",
            "a",
            "zzz",
            "nur baso",
        ] {
            let words = name_words(query);
            let mut want: Vec<(String, String)> = members
                .iter()
                .filter(|m| name_matches(&words, &m.name))
                .map(|m| (m.name.to_lowercase(), m.card.clone()))
                .collect();
            want.sort();
            let want: Vec<String> = want.into_iter().map(|(_, c)| c).collect();
            let mut got = Vec::new();
            let mut offset = 0;
            loop {
                let (page, total) = store.search_members(None, &words, offset, 7).unwrap();
                assert_eq!(total, want.len(), "{query}");
                if page.is_empty() {
                    break;
                }
                offset += page.len();
                got.extend(page.into_iter().map(|m| m.card));
            }
            assert_eq!(got, want, "{query}");
        }
        // Card matches first (by card), then name matches not already listed.
        let (page, total) = store
            .search_members(Some("M001"), &name_words("m001 nur"), 0, 500)
            .unwrap();
        assert_eq!(total, 10);
        assert_eq!(page.first().map(|m| m.card.as_str()), Some("M0010"));
    }
}
