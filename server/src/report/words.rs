//! How the exporters spell things: dates and months in words, numbers in
//! the language's style, end reasons and age bands as labels, and the
//! columns of a usage-book line. Shared by the CSV, XLSX and PDF exports so
//! they all say the same.

use super::model::{Count, MonthlyReport, RecapRow};
use bilik_proto::catalog::report as t;
use bilik_proto::catalog::{Lang, Text};
use chrono::{Datelike, NaiveDate};

/// "November 2026" for "2026-11"; the input as it is when it is not a
/// "YYYY-MM" month.
pub fn month_in_words(month: &str, lang: Lang) -> String {
    let parsed = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)));
    match parsed {
        Some((year, m)) if (1..=12).contains(&m) => {
            format!("{} {year}", t::month_name(m).get(lang))
        }
        _ => month.to_string(),
    }
}

/// "28 November 2026" for "2026-11-28"; the input as it is when it is not
/// a date.
pub fn date_in_words(date: &str, lang: Lang) -> String {
    match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => format!(
            "{} {} {}",
            d.day(),
            t::month_name(d.month()).get(lang),
            d.year()
        ),
        Err(_) => date.to_string(),
    }
}

/// "Sabtu, 28 November 2026" for "2026-11-28"; the input as it is when it
/// is not a date.
pub fn day_in_words(date: &str, lang: Lang) -> String {
    match NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => format!(
            "{}, {}",
            t::weekday_name(d.weekday().num_days_from_monday()).get(lang),
            date_in_words(date, lang)
        ),
        Err(_) => date.to_string(),
    }
}

/// An integer with thousands separators: "1.234" (Indonesian), "1,234"
/// (English).
pub fn int(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A number with one decimal: "1.234,5" (Indonesian), "1,234.5" (English).
/// Negative or non-finite values (which a report never has) print as 0.
pub fn dec1(x: f64, lang: Lang) -> String {
    let tenths = if x.is_finite() && x > 0.0 {
        // Saturating float-to-int cast; reports are far below u64::MAX.
        (x * 10.0).round() as u64
    } else {
        0
    };
    let point = match lang {
        Lang::Id => ',',
        Lang::En => '.',
    };
    format!("{}{point}{}", int(tenths / 10, lang), tenths % 10)
}

/// A number with one decimal for machine-readable output (CSV): "1234.5".
pub fn plain_dec1(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "0.0".to_string()
    }
}

/// The label of an end-reason code; unknown codes as they are.
pub fn end_reason(code: &str, lang: Lang) -> String {
    match t::end_reason(code) {
        Some(text) => text.get(lang).to_string(),
        None => code.to_string(),
    }
}

/// The label of a problem kind; unknown kinds as they are.
pub fn problem_kind(code: &str, lang: Lang) -> String {
    match t::problem_kind(code) {
        Some(text) => text.get(lang).to_string(),
        None => code.to_string(),
    }
}

/// The column headings of the annual report's months table (CSV, XLSX
/// and PDF alike): month, sessions, unique members, guest sessions,
/// minutes, utilisation, signed.
pub fn month_columns(lang: Lang) -> [&'static str; 7] {
    [
        t::COL_MONTH.get(lang),
        t::COL_SESSIONS.get(lang),
        t::COL_UNIQUE_MEMBERS.get(lang),
        t::TOTAL_GUEST_SESSIONS.get(lang),
        t::COL_MINUTES.get(lang),
        t::COL_UTILISATION.get(lang),
        t::COL_SIGNED.get(lang),
    ]
}

/// The label of an age band: "unknown" in words, others as they are.
pub fn age_band(label: &str, lang: Lang) -> String {
    if label.eq_ignore_ascii_case("unknown") {
        t::AGE_UNKNOWN.get(lang).to_string()
    } else {
        label.to_string()
    }
}

/// The label of a start hour: "08" -> "08:00".
pub fn hour(label: &str, _lang: Lang) -> String {
    if label.len() == 2 && label.bytes().all(|b| b.is_ascii_digit()) {
        format!("{label}:00")
    } else {
        label.to_string()
    }
}

/// A label printed as it is.
pub fn as_is(label: &str, _lang: Lang) -> String {
    label.to_string()
}

/// How a breakdown's labels are printed.
pub type LabelFn = fn(&str, Lang) -> String;

/// A breakdown that is a plain list of labelled counts.
#[derive(Debug, Clone, Copy)]
pub struct Breakdown<'a> {
    /// Section title (and XLSX sheet name).
    pub section: Text,
    /// Header of the label column.
    pub column: Text,
    /// The lines.
    pub counts: &'a [Count],
    /// How a line's label is printed.
    pub label: LabelFn,
}

/// The breakdowns of a month that are lists of labelled counts, in the
/// order the exports print them: age bands, purposes, occupations,
/// education, hours, end reasons.
pub fn count_breakdowns(report: &MonthlyReport) -> [Breakdown<'_>; 6] {
    [
        Breakdown {
            section: t::SECTION_AGE_BANDS,
            column: t::COL_AGE_BAND,
            counts: &report.age_bands,
            label: age_band,
        },
        Breakdown {
            section: t::SECTION_PURPOSES,
            column: t::COL_PURPOSE,
            counts: &report.purposes,
            label: as_is,
        },
        Breakdown {
            section: t::SECTION_OCCUPATIONS,
            column: t::COL_OCCUPATION,
            counts: &report.occupations,
            label: as_is,
        },
        Breakdown {
            section: t::SECTION_EDUCATION,
            column: t::COL_EDUCATION,
            counts: &report.education,
            label: as_is,
        },
        Breakdown {
            section: t::SECTION_HOURS,
            column: t::COL_HOUR,
            counts: &report.hours,
            label: hour,
        },
        Breakdown {
            section: t::SECTION_END_REASONS,
            column: t::COL_END_REASON,
            counts: &report.end_reasons,
            label: end_reason,
        },
    ]
}

/// One cell of a usage-book line: text, or a number a spreadsheet should
/// treat as one.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, printed as it is.
    Text(String),
    /// A count (minutes, sessions, a running number).
    Int(u64),
}

/// The column headers of a usage-book line (daily recap, addendum), in
/// the order [`recap_cells`] fills them.
pub fn recap_header(lang: Lang) -> Vec<&'static str> {
    [
        t::COL_NO,
        t::COL_DATE,
        t::COL_START,
        t::COL_END,
        t::COL_STATION,
        t::COL_CARD,
        t::COL_NAME,
        t::COL_CATEGORY,
        t::COL_GENDER,
        t::COL_PURPOSE,
        t::COL_MINUTES,
        t::COL_END_REASON,
        t::COL_RULES,
        t::COL_SESSION_ID,
    ]
    .iter()
    .map(|c| c.get(lang))
    .collect()
}

/// The cells of usage-book line number `no` (1-based), matching
/// [`recap_header`].
pub fn recap_cells(no: usize, row: &RecapRow, lang: Lang) -> Vec<Cell> {
    vec![
        Cell::Int(no as u64),
        Cell::Text(row.date.clone()),
        Cell::Text(row.start.clone()),
        Cell::Text(row.end.clone()),
        Cell::Text(row.station.clone()),
        Cell::Text(row.card.clone()),
        Cell::Text(row.name.clone()),
        Cell::Text(row.category.clone()),
        Cell::Text(t::gender_code(&row.gender, lang).to_string()),
        Cell::Text(row.purpose.clone()),
        Cell::Int(u64::from(row.minutes)),
        Cell::Text(end_reason(&row.end_reason, lang)),
        Cell::Text(t::rules_agreed(&row.rules, lang)),
        Cell::Text(row.session_id.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_days_in_words() {
        assert_eq!(month_in_words("2026-11", Lang::Id), "November 2026");
        assert_eq!(month_in_words("2026-08", Lang::Id), "Agustus 2026");
        assert_eq!(month_in_words("2026-08", Lang::En), "August 2026");
        assert_eq!(month_in_words("garbage", Lang::Id), "garbage");
        assert_eq!(month_in_words("2026-13", Lang::Id), "2026-13");
        assert_eq!(date_in_words("2026-11-28", Lang::Id), "28 November 2026");
        assert_eq!(
            day_in_words("2026-11-28", Lang::Id),
            "Sabtu, 28 November 2026"
        );
        assert_eq!(
            day_in_words("2026-12-01", Lang::En),
            "Tuesday, 1 December 2026"
        );
    }

    #[test]
    fn numbers_in_each_language() {
        assert_eq!(int(0, Lang::Id), "0");
        assert_eq!(int(999, Lang::Id), "999");
        assert_eq!(int(1234, Lang::Id), "1.234");
        assert_eq!(int(1_234_567, Lang::En), "1,234,567");
        assert_eq!(dec1(12.25, Lang::Id), "12,3");
        assert_eq!(dec1(1234.5, Lang::En), "1,234.5");
        assert_eq!(dec1(0.0, Lang::Id), "0,0");
        assert_eq!(dec1(f64::NAN, Lang::Id), "0,0");
        assert_eq!(plain_dec1(7.26), "7.3");
    }

    #[test]
    fn labels() {
        assert_eq!(end_reason("time_up", Lang::Id), "Waktu habis");
        assert_eq!(end_reason("weird", Lang::Id), "weird");
        assert_eq!(problem_kind("incident", Lang::Id), "Kejadian");
        assert_eq!(problem_kind("other", Lang::Id), "other");
        assert_eq!(age_band("unknown", Lang::En), "Unknown");
        assert_eq!(age_band("13-18", Lang::En), "13-18");
        assert_eq!(hour("08", Lang::Id), "08:00");
        assert_eq!(recap_header(Lang::Id).len(), 14);
        assert_eq!(recap_header(Lang::Id)[12], "Tata Tertib");
    }
}
