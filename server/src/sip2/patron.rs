//! What a patron status (`24`) or patron information (`64`) response says
//! about a card, read through the library's field mapping.

use super::codec::{Message, parse_day};
use crate::policy::IlsAnswer;
use bilik_proto::v1::Gender;
use chrono::NaiveDate;

/// Which variable fields carry what the standard leaves out. Koha's
/// extensions are the defaults; an empty identifier: not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// The patron's category (Koha `PC`, the category code).
    pub category: String,
    /// Birth date, `YYYYMMDD` (Koha `PB`).
    pub birth_date: String,
    /// Internet privileges, `Y`/`N` (Koha `PI`).
    pub internet: String,
    /// Expiry date, `YYYYMMDD` or an 18-character SIP2 date (Koha `PA`).
    pub expiry: String,
    /// Gender (`L`/`M`/`1`: male, `P`/`F`/`2`: female); none by default,
    /// Koha sends it only as a configured custom field.
    pub gender: String,
}

impl Default for FieldMap {
    fn default() -> FieldMap {
        FieldMap {
            category: "PC".into(),
            birth_date: "PB".into(),
            internet: "PI".into(),
            expiry: "PA".into(),
            gender: String::new(),
        }
    }
}

/// A patron as the library system described them.
#[derive(Debug, Clone, PartialEq)]
pub struct Patron {
    /// What the validity rule needs.
    pub answer: IlsAnswer,
    /// `AE` personal name (for the session snapshot).
    pub name: String,
    /// The mapped category, empty when not sent.
    pub category: String,
    /// The mapped gender, unspecified when not sent.
    pub gender: Gender,
    /// The mapped birth date, when sent and readable.
    pub birth_date: Option<NaiveDate>,
}

/// Longest name, category kept from the library system (characters).
const MAX_TEXT: usize = 100;

/// Reads a `24` or `64` response (the caller checked the command).
pub fn read(m: &Message, map: &FieldMap) -> Patron {
    let mut status = [false; 14];
    for (i, c) in m.fixed_at(0, 14).chars().enumerate().take(14) {
        status[i] = c == 'Y';
    }
    let get = |id: &str| (!id.is_empty()).then(|| m.field(id)).flatten();
    let yes_no = |id: &str| match get(id).map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("Y") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("N") => Some(false),
        _ => None,
    };
    let short = |s: Option<&str>| s.unwrap_or("").chars().take(MAX_TEXT).collect::<String>();
    let gender = match get(&map.gender).map(|g| g.trim().to_ascii_uppercase()) {
        Some(g) if matches!(g.as_str(), "L" | "M" | "1" | "MALE") => Gender::Male,
        Some(g) if matches!(g.as_str(), "P" | "F" | "2" | "FEMALE") => Gender::Female,
        _ => Gender::Unspecified,
    };
    Patron {
        answer: IlsAnswer {
            known: yes_no("BL") == Some(true),
            pin_valid: yes_no("CQ"),
            status,
            internet: yes_no(&map.internet),
            expires: get(&map.expiry).and_then(parse_day),
            fines: m.field("BV").and_then(amount),
        },
        name: short(m.field("AE")),
        category: short(get(&map.category)),
        gender,
        birth_date: get(&map.birth_date).and_then(parse_day),
    }
}

/// A fee amount such as `2500.00`, `2.500,00` or `$12.50`, in the
/// currency's units; `None` when no number is there.
fn amount(text: &str) -> Option<f64> {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    // The last separator is the decimal one when two digits or fewer
    // follow it; every other separator groups thousands.
    let cut = kept.rfind(['.', ',']);
    let (whole, frac) = match cut {
        Some(i) if kept.len() - i - 1 <= 2 => (&kept[..i], &kept[i + 1..]),
        _ => (kept.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| *c != '.' && *c != ',').collect();
    if !whole
        .bytes()
        .chain(frac.bytes())
        .any(|b| b.is_ascii_digit())
    {
        return None;
    }
    format!("{whole}.{frac}0").parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sip2::codec::decode;

    #[test]
    fn koha_fields_are_read() {
        let m = decode(
            b"64YY            00120261201    101500000000000000000000000000AOX|AA1|AEAni|BLY|CQN|BV1.250,50|PB20100301|PCPELAJAR|PIN|PA20251231|XSP|\r",
            None,
        )
        .unwrap();
        let map = FieldMap {
            gender: "XS".into(),
            ..FieldMap::default()
        };
        let p = read(&m, &map);
        assert!(p.answer.known);
        assert_eq!(p.answer.pin_valid, Some(false));
        assert!(p.answer.status[0] && p.answer.status[1] && !p.answer.status[2]);
        assert_eq!(p.answer.internet, Some(false));
        assert_eq!(p.answer.fines, Some(1250.5));
        assert_eq!(p.answer.expires, NaiveDate::from_ymd_opt(2025, 12, 31));
        assert_eq!(p.category, "PELAJAR");
        assert_eq!(p.gender, Gender::Female);
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(2010, 3, 1));
    }

    #[test]
    fn amounts() {
        assert_eq!(amount("2500.00"), Some(2500.0));
        assert_eq!(amount("2.500"), Some(2500.0));
        assert_eq!(amount("$12.5"), Some(12.5));
        assert_eq!(amount("0"), Some(0.0));
        assert_eq!(amount("none"), None);
    }
}
