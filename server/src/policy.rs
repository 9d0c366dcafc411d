//! Pure rules, no I/O: is this card valid today, how long is this lease.

use bilik_proto::store::v1::MemberRecord;
use bilik_proto::v1::{MemberStatus, RefusalCode};
use chrono::NaiveDate;

/// Longest card number accepted, in characters.
pub const MAX_CARD_LEN: usize = 64;

/// Why a card number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardProblem {
    /// Nothing but spaces.
    Empty,
    /// A character other than ASCII letters, digits and `- . / _`.
    BadCharacter,
    /// Longer than [`MAX_CARD_LEN`]; the length it has.
    TooLong(usize),
}

/// The canonical form of a card number: trimmed, ASCII upper-case; or why
/// it is refused: empty, anything but ASCII letters, digits and `- . / _`
/// (barcode scanners send nothing else), or too long. Every place a card
/// number comes in (a station, the dashboard, an import) goes through this.
pub fn check_card(raw: &str) -> Result<String, CardProblem> {
    let card = raw.trim();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_');
    if card.is_empty() {
        return Err(CardProblem::Empty);
    }
    if !card.chars().all(allowed) {
        return Err(CardProblem::BadCharacter);
    }
    if card.len() > MAX_CARD_LEN {
        return Err(CardProblem::TooLong(card.len()));
    }
    Ok(card.to_ascii_uppercase())
}

/// [`check_card`] as a station or staff member is told: `InvalidCard`.
pub fn normalise_card(raw: &str) -> Result<String, RefusalCode> {
    check_card(raw).map_err(|_| RefusalCode::InvalidCard)
}

/// The words of a name as member search compares them: lower-case,
/// accents dropped ("Ma'rüf" → "maruf"), apostrophes removed inside a word
/// ("ma'ruf" → "maruf"), split at anything else that is not a letter or a
/// digit.
pub fn name_words(name: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let mut words = Vec::new();
    let mut word = String::new();
    for c in name.nfd() {
        if unicode_normalization::char::is_combining_mark(c)
            || matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`')
        {
            continue;
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a member's name matches a search: every word of the query
/// (already [`name_words`]) begins a word of the name, in any order
/// ("andi ten" finds "Andi Tenri"; "tenri" finds it too).
pub fn name_matches(query: &[String], name: &str) -> bool {
    let words = name_words(name);
    !query.is_empty()
        && query
            .iter()
            .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

/// Parses a stored or entered date: exactly `YYYY-MM-DD` (surrounding
/// spaces aside). Strict on purpose: chrono's `%Y-%m-%d` also takes
/// unpadded or signed numbers (`2026-1-5`, `+2026-01-05`).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let value = text.trim();
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year = value.get(0..4)?.parse().ok()?;
    let month = value.get(5..7)?.parse().ok()?;
    let day = value.get(8..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Why this member may not use a computer today, or `None` when they may.
/// The expiry date itself is still valid; an unreadable expiry fails closed.
pub fn member_refusal(member: Option<&MemberRecord>, today: NaiveDate) -> Option<RefusalCode> {
    let Some(member) = member else {
        return Some(RefusalCode::UnknownCard);
    };
    match MemberStatus::try_from(member.status).unwrap_or(MemberStatus::Unspecified) {
        MemberStatus::Active => {}
        MemberStatus::Blocked => return Some(RefusalCode::Blocked),
        MemberStatus::Pending | MemberStatus::Unspecified => return Some(RefusalCode::Pending),
    }
    match parse_date(&member.expires) {
        Some(expires) if today <= expires => None,
        _ => Some(RefusalCode::Expired),
    }
}

/// Lease length: the shortest of the session length, the minutes until
/// closing and what is left of the daily allowance.
///
/// `minutes_to_closing` is `None` when the service is closed now;
/// `allowance_left` is `None` when no daily allowance is configured.
pub fn lease_minutes(
    session_minutes: u32,
    minutes_to_closing: Option<u32>,
    allowance_left: Option<u32>,
) -> Result<u32, RefusalCode> {
    let to_closing = minutes_to_closing.ok_or(RefusalCode::Closed)?;
    if to_closing == 0 {
        return Err(RefusalCode::Closed);
    }
    let mut minutes = session_minutes.min(to_closing);
    if let Some(left) = allowance_left {
        if left == 0 {
            return Err(RefusalCode::DailyLimit);
        }
        minutes = minutes.min(left);
    }
    Ok(minutes)
}

/// Whole years of age on `today`, if the birth date is known and sane.
pub fn age_years(birth_date: Option<NaiveDate>, today: NaiveDate) -> Option<u32> {
    today.years_since(birth_date?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_word_prefixes_without_case_accents_or_apostrophes() {
        let q = |s: &str| name_words(s);
        assert_eq!(q("Ma'rüf  AMIN"), ["maruf", "amin"]);
        assert!(name_matches(&q("andi ten"), "Andi Tenri Ajeng"));
        assert!(name_matches(&q("tenri"), "Andi Tenri Ajeng"));
        assert!(name_matches(&q("ma'ruf"), "Ma\u{2019}ruf Amin"));
        assert!(name_matches(&q("MARUF"), "Ma'ruf Amin"));
        assert!(name_matches(&q("jose"), "José Rizal"));
        assert!(!name_matches(&q("andi x"), "Andi Tenri"));
        assert!(!name_matches(&q("ndi"), "Andi Tenri"), "word starts only");
        assert!(
            !name_matches(&q(""), "Andi"),
            "an empty query matches no name"
        );
    }

    fn member(status: MemberStatus, expires: &str) -> MemberRecord {
        MemberRecord {
            card: "0001".into(),
            status: status as i32,
            expires: expires.into(),
            ..Default::default()
        }
    }

    fn day(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn expiry_day_itself_is_valid() {
        let today = day("2026-11-25");
        let m = member(MemberStatus::Active, "2026-11-25");
        assert_eq!(member_refusal(Some(&m), today), None);
        let m = member(MemberStatus::Active, "2026-11-24");
        assert_eq!(member_refusal(Some(&m), today), Some(RefusalCode::Expired));
        let m = member(MemberStatus::Active, "garbage");
        assert_eq!(member_refusal(Some(&m), today), Some(RefusalCode::Expired));
    }

    #[test]
    fn status_and_unknown() {
        let today = day("2026-11-25");
        assert_eq!(member_refusal(None, today), Some(RefusalCode::UnknownCard));
        let m = member(MemberStatus::Blocked, "2030-01-01");
        assert_eq!(member_refusal(Some(&m), today), Some(RefusalCode::Blocked));
        let m = member(MemberStatus::Pending, "2030-01-01");
        assert_eq!(member_refusal(Some(&m), today), Some(RefusalCode::Pending));
    }

    #[test]
    fn lease_is_the_shortest_limit() {
        assert_eq!(lease_minutes(45, Some(480), None), Ok(45));
        assert_eq!(lease_minutes(45, Some(20), None), Ok(20));
        assert_eq!(lease_minutes(45, Some(480), Some(10)), Ok(10));
        assert_eq!(lease_minutes(45, None, None), Err(RefusalCode::Closed));
        assert_eq!(lease_minutes(45, Some(0), None), Err(RefusalCode::Closed));
        assert_eq!(
            lease_minutes(45, Some(60), Some(0)),
            Err(RefusalCode::DailyLimit)
        );
    }

    #[test]
    fn cards_normalise_or_are_refused() {
        assert_eq!(normalise_card("  m2023-01 "), Ok("M2023-01".into()));
        assert_eq!(normalise_card(""), Err(RefusalCode::InvalidCard));
        assert_eq!(
            normalise_card(&"9".repeat(10_000)),
            Err(RefusalCode::InvalidCard)
        );
        assert_eq!(normalise_card("12\u{0}34"), Err(RefusalCode::InvalidCard));
        assert_eq!(normalise_card("ábc"), Err(RefusalCode::InvalidCard));
    }

    #[test]
    fn card_problems_are_told_apart() {
        assert_eq!(check_card("  "), Err(CardProblem::Empty));
        assert_eq!(check_card("12 34"), Err(CardProblem::BadCharacter));
        assert_eq!(check_card(&"9".repeat(65)), Err(CardProblem::TooLong(65)));
        assert_eq!(check_card(&"9".repeat(64)), Ok("9".repeat(64)));
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(parse_date(" 2026-11-25 "), Some(day("2026-11-25")));
        for bad in [
            "2026-1-5",
            "+2026-01-05",
            "2026-02-30",
            "2026/01/05",
            "",
            "26-01-05",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        let today = day("2026-11-25");
        assert_eq!(age_years(Some(day("2010-11-26")), today), Some(15));
        assert_eq!(age_years(Some(day("2010-11-25")), today), Some(16));
        assert_eq!(age_years(None, today), None);
        assert_eq!(age_years(Some(day("2030-01-01")), today), None);
    }
}
