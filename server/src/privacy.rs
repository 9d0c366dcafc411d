//! Personal data past its retention period (UU 27/2022, Pasal 42-44: end
//! processing and delete once the period is over), as pure rules: what a
//! pseudonymised session row keeps, and how figures stay the same.
//!
//! A pseudonymised row keeps everything the reports count (station, times,
//! purpose, category, gender, the age *band*) and loses what identifies a
//! person: the card becomes a keyed hash (`p:` and 24 hex digits; a card
//! number never contains `:`), the name and a guest note are dropped, the
//! exact age becomes the lowest age of its band. The same card always gets
//! the same pseudonym, so "unique members" of a month or a year count the
//! same before and after: [`unique_members`] maps the raw cards of rows not
//! yet pseudonymised through the same hash before counting.

use crate::store::hmac_sha256;
use bilik_proto::store::v1::SessionRecord;

/// What starts a pseudonymised card.
pub const PSEUDONYM_PREFIX: &str = "p:";

/// Whether a stored card is a pseudonym (not a card number).
pub fn is_pseudonym(card: &str) -> bool {
    card.starts_with(PSEUDONYM_PREFIX)
}

/// The pseudonym of a card under `key`.
pub fn pseudonym(key: &[u8; 32], card: &str) -> String {
    if is_pseudonym(card) {
        return card.to_owned();
    }
    let mac = hmac_sha256(key, &[b"bilik session pseudonym\0", card.as_bytes()]);
    let mut hex = hex::encode(mac);
    hex.truncate(24);
    format!("{PSEUDONYM_PREFIX}{hex}")
}

/// The lowest age of the band `age` falls in (`bounds` as in
/// `report.age_bands`): the band is kept, the exact age is not.
pub fn band_floor(age: u32, bounds: &[u32]) -> u32 {
    match crate::report::monthly::band_of(age, bounds) {
        0 => 0,
        i => bounds[i - 1] + 1,
    }
}

/// Whether a session row still holds identifying data.
pub fn identifiable(s: &SessionRecord) -> bool {
    (!s.card.is_empty() && !is_pseudonym(&s.card))
        || !s.patron_name.is_empty()
        || !s.guest_note.is_empty()
}

/// The row with its personal data replaced (see the module's docs).
pub fn pseudonymised(s: &SessionRecord, key: &[u8; 32], bounds: &[u32]) -> SessionRecord {
    let mut out = s.clone();
    if !out.card.is_empty() {
        out.card = pseudonym(key, &s.card);
    }
    out.patron_name.clear();
    out.guest_note.clear();
    if out.age_known {
        out.age_years = band_floor(s.age_years, bounds);
    }
    out
}

/// How many distinct members `cards` (raw cards and pseudonyms mixed)
/// stand for. Without pseudonyms among them it is a plain count (no hash
/// computed); with some, each distinct raw card is hashed once.
pub fn unique_members<'a>(
    cards: impl IntoIterator<Item = &'a str>,
    key: Option<&[u8; 32]>,
) -> usize {
    let distinct: std::collections::HashSet<&str> = cards.into_iter().collect();
    let Some(key) = key else {
        return distinct.len();
    };
    if !distinct.iter().any(|c| is_pseudonym(c)) {
        return distinct.len();
    }
    distinct
        .iter()
        .map(|c| pseudonym(key, c))
        .collect::<std::collections::HashSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_survive_and_cards_count_once() {
        let bounds = [12, 18, 25, 45, 59];
        for age in 0..100 {
            let floor = band_floor(age, &bounds);
            assert_eq!(
                crate::report::monthly::band_of(floor, &bounds),
                crate::report::monthly::band_of(age, &bounds),
                "{age}"
            );
        }
        let key = [7u8; 32];
        let p = pseudonym(&key, "0001");
        assert!(is_pseudonym(&p) && p.len() == 26);
        assert_eq!(pseudonym(&key, &p), p);
        assert_ne!(pseudonym(&[8u8; 32], "0001"), p);
        let mixed = ["0001", p.as_str(), "0002"];
        assert_eq!(unique_members(mixed, Some(&key)), 2);
        assert_eq!(unique_members(["0001", "0002", "0001"], Some(&key)), 2);
    }
}
