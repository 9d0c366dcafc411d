//! PDF exports (printpdf, without its HTML/SVG features): A4, the
//! letterhead, tables, vector bar charts, the signature block, page
//! numbers. DejaVu Sans is embedded (whole: printpdf subsets only with its
//! heavy text-layout feature), so the report prints the same everywhere
//! and `pdftotext` can read it back.
//!
//! The output is a pure function of the report: the document's dates come
//! from `header.generated_at_ms`, its font resource names are fixed, and
//! the trailer /ID (which printpdf fills from a process-wide counter) is
//! replaced by a digest of the file. Sign-off hashes these bytes.

mod blocks;
mod breakdowns;
mod layout;
mod table;

use super::annual::AnnualReport;
use super::charts;
use super::export_error::ExportError;
use super::model::{DailyRecap, MonthlyReport, RecapRow, ReportHeader};
use super::words;
use bilik_proto::catalog::Lang;
use bilik_proto::catalog::report as t;
use blocks::{BODY, TABLE};
use layout::{Align, Fonts, Layout, Weight};
use printpdf::{
    FontId, OffsetDateTime, ParsedFont, PdfDocument, PdfPage, PdfSaveOptions, PdfWarnMsg,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use table::Column;

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The daily recap: A4 landscape, the sessions as a table, the totals,
/// and a line for who prepared it.
pub fn daily(recap: &DailyRecap, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let fonts = fonts()?;
    let mut l = Layout::new(fonts, true);
    l.letterhead(&recap.header);
    let subtitle = format!(
        "{}: {}",
        t::DATE_LABEL.get(lang),
        words::day_in_words(&recap.date, lang)
    );
    l.title(t::DAILY_TITLE.get(lang), &subtitle);

    if recap.rows.is_empty() {
        l.paragraph(t::NO_SESSIONS.get(lang), BODY, Weight::Regular, Align::Left);
    } else {
        let (columns, rows) = recap_table(&recap.rows, lang, false);
        l.table(&columns, &rows, TABLE, None);
    }

    l.heading(t::SECTION_SUMMARY.get(lang), 70.0);
    let totals = [
        (
            t::TOTAL_SESSIONS,
            words::int(u64::from(recap.total_sessions), lang),
        ),
        (
            t::TOTAL_UNIQUE_MEMBERS,
            words::int(u64::from(recap.unique_members), lang),
        ),
        (
            t::TOTAL_GUEST_SESSIONS,
            words::int(u64::from(recap.guest_sessions), lang),
        ),
        (t::TOTAL_MINUTES, words::int(recap.total_minutes, lang)),
    ];
    let rows: Vec<Vec<String>> = totals
        .iter()
        .map(|(label, value)| vec![label.get(lang).to_string(), value.clone()])
        .collect();
    let width = l.content_width() * 0.45;
    l.table(&item_value_columns(lang), &rows, BODY, Some(width));

    // Prepared by: a place for the librarian on duty to sign.
    l.ensure(90.0);
    l.gap(20.0);
    let x = l.right - 200.0;
    let y = l.y;
    l.text(
        x,
        y - BODY * 1.45,
        BODY,
        Weight::Regular,
        t::PREPARED_BY.get(lang),
    );
    l.text(
        x,
        y - BODY * 1.45 - 60.0,
        BODY,
        Weight::Regular,
        "(..............................................)",
    );
    l.y = y - 80.0;

    let title = format!("{} {}", t::DAILY_TITLE.get(lang), recap.date);
    let pages = l.finish(|page, pages| footer(&recap.header, lang, page, pages));
    render(&recap.header, &title, "", pages)
}

/// The monthly report: A4 portrait, letterhead, totals, breakdowns,
/// charts, problems, the addendum if any, and the signature block. A
/// signed report prints its content `fingerprint` (text and QR code) in
/// the sign-off box.
pub fn monthly(
    report: &MonthlyReport,
    lang: Lang,
    fingerprint: Option<&str>,
) -> Result<Vec<u8>, ExportError> {
    let fonts = fonts()?;
    let mut l = Layout::new(fonts, false);
    l.letterhead(&report.header);
    let month = words::month_in_words(&report.month, lang);
    l.title(
        t::MONTHLY_TITLE.get(lang),
        &format!("{}: {month}", t::MONTH_LABEL.get(lang)),
    );

    totals_table(&mut l, &report.totals, lang);

    breakdowns::tables(&mut l, report, lang);

    l.heading(t::SECTION_CHARTS.get(lang), 170.0);
    l.chart(t::CHART_PER_DAY.get(lang), &charts::per_day(report), 150.0);
    l.chart(
        t::CHART_PER_HOUR.get(lang),
        &charts::per_hour(report),
        150.0,
    );

    l.heading(t::SECTION_PROBLEMS.get(lang), 30.0);
    if report.problems.is_empty() {
        l.paragraph(t::NO_PROBLEMS.get(lang), BODY, Weight::Regular, Align::Left);
    } else {
        let columns = [
            Column::text(t::COL_TIME.get(lang), 2.2),
            Column::text(t::COL_STATION.get(lang), 1.6),
            Column::text(t::COL_KIND.get(lang), 2.0),
            Column::text(t::COL_DETAIL.get(lang), 6.0),
        ];
        let rows: Vec<Vec<String>> = report
            .problems
            .iter()
            .map(|p| {
                vec![
                    p.at.clone(),
                    p.station.clone(),
                    words::problem_kind(&p.kind, lang),
                    p.detail.clone(),
                ]
            })
            .collect();
        l.table(&columns, &rows, TABLE, None);
    }

    if !report.addendum.is_empty() {
        l.heading(t::SECTION_ADDENDUM.get(lang), 60.0);
        l.paragraph(
            t::ADDENDUM_NOTE.get(lang),
            TABLE,
            Weight::Regular,
            Align::Left,
        );
        l.gap(4.0);
        let (columns, rows) = recap_table(&report.addendum, lang, true);
        l.table(&columns, &rows, 7.0, None);
    }

    // The place-and-date line: the signing day, or the day it was made.
    let day = report
        .signed
        .as_ref()
        .map_or(&report.header.generated_at_local, |s| &s.signed_at);
    let date = words::date_in_words(day.get(..10).unwrap_or(day), lang);
    let place_date = match report.header.place.trim() {
        "" => date,
        place => format!("{place}, {date}"),
    };
    l.signature_block(
        lang,
        &place_date,
        (&report.prepared_by, &report.prepared_by_nip),
        (&report.section_head_name, &report.section_head_nip),
        report.signed.as_ref().map(|s| (s, fingerprint)),
    );

    let title = format!("{} {month}", t::MONTHLY_TITLE.get(lang));
    let pages = l.finish(|page, pages| footer(&report.header, lang, page, pages));
    render(&report.header, &title, &report.prepared_by, pages)
}

/// The summary: every total as an item-value table.
fn totals_table(l: &mut Layout<'_>, s: &super::model::Totals, lang: Lang) {
    l.heading(t::SECTION_SUMMARY.get(lang), 60.0);
    let totals = [
        (t::TOTAL_SESSIONS, words::int(u64::from(s.sessions), lang)),
        (
            t::TOTAL_UNIQUE_MEMBERS,
            words::int(u64::from(s.unique_members), lang),
        ),
        (
            t::TOTAL_GUEST_SESSIONS,
            words::int(u64::from(s.guest_sessions), lang),
        ),
        (t::TOTAL_MINUTES, words::int(s.minutes, lang)),
        (t::TOTAL_HOURS, words::dec1(s.hours, lang)),
        (
            t::TOTAL_AVERAGE_MINUTES,
            words::dec1(s.average_minutes, lang),
        ),
        (t::TOTAL_STATIONS, words::int(u64::from(s.stations), lang)),
        (
            t::TOTAL_OPENING_MINUTES,
            words::int(s.opening_minutes_per_station, lang),
        ),
        (
            t::TOTAL_UTILISATION,
            words::dec1(s.utilisation_percent, lang),
        ),
        (t::TOTAL_QUEUED, words::int(u64::from(s.queued), lang)),
        (
            t::TOTAL_MEDIAN_WAIT,
            words::dec1(s.median_wait_minutes, lang),
        ),
    ];
    let rows: Vec<Vec<String>> = totals
        .iter()
        .map(|(label, value)| vec![label.get(lang).to_string(), value.clone()])
        .collect();
    l.table(
        &item_value_columns(lang),
        &rows,
        BODY,
        Some(l.content_width() * 0.75),
    );
}

/// The annual report: A4 portrait, letterhead, the twelve months side by
/// side (the columns of the CSV's months table), the year's totals and
/// breakdowns as in the monthly report.
pub fn annual(report: &AnnualReport, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let fonts = fonts()?;
    let mut l = Layout::new(fonts, false);
    l.letterhead(&report.header);
    let period = format!("{}: {}", t::YEAR_LABEL.get(lang), report.year);
    l.title(t::ANNUAL_TITLE.get(lang), &period);
    l.heading(t::SECTION_MONTHS.get(lang), 60.0);
    let [
        month,
        sessions,
        unique,
        guests,
        minutes,
        utilisation,
        signed,
    ] = words::month_columns(lang);
    let columns = [
        Column::text(month, 2.6),
        Column::number(sessions, 1.3),
        Column::number(unique, 1.5),
        Column::number(guests, 1.5),
        Column::number(minutes, 1.3),
        Column::number(utilisation, 1.5),
        Column::text(signed, 1.2),
    ];
    let rows: Vec<Vec<String>> = report
        .months
        .iter()
        .map(|m| {
            let signed = if m.signed { t::YES } else { t::NO };
            vec![
                words::month_in_words(&m.month, lang),
                words::int(u64::from(m.totals.sessions), lang),
                words::int(u64::from(m.totals.unique_members), lang),
                words::int(u64::from(m.totals.guest_sessions), lang),
                words::int(m.totals.minutes, lang),
                words::dec1(m.totals.utilisation_percent, lang),
                signed.get(lang).to_string(),
            ]
        })
        .collect();
    l.table(&columns, &rows, TABLE, None);
    totals_table(&mut l, &report.total.totals, lang);
    breakdowns::tables(&mut l, &report.total, lang);
    let title = format!("{} {}", t::ANNUAL_TITLE.get(lang), report.year);
    let pages = l.finish(|page, pages| footer(&report.header, lang, page, pages));
    render(&report.header, &title, "", pages)
}

/// The two columns of a totals table.
fn item_value_columns(lang: Lang) -> [Column; 2] {
    [
        Column::text(t::COL_ITEM.get(lang), 3.0),
        Column::number(t::COL_VALUE.get(lang), 1.2),
    ]
}

/// A table of usage-book lines; with the date for the addendum (which
/// spans days), without it for a daily recap.
fn recap_table(rows: &[RecapRow], lang: Lang, with_date: bool) -> (Vec<Column>, Vec<Vec<String>>) {
    let mut columns = vec![Column::number(t::COL_NO.get(lang), 0.9)];
    if with_date {
        columns.push(Column::text(t::COL_DATE.get(lang), 2.2));
    }
    columns.extend([
        Column::text(t::COL_START.get(lang), 1.2),
        Column::text(t::COL_END.get(lang), 1.3),
        Column::text(t::COL_STATION.get(lang), 1.8),
        Column::text(t::COL_CARD.get(lang), 2.0),
        Column::text(t::COL_NAME.get(lang), 4.5),
        Column::text(t::COL_CATEGORY.get(lang), 2.2),
        Column::text(t::COL_GENDER.get(lang), 0.9),
        Column::text(t::COL_PURPOSE.get(lang), 3.6),
        Column::number(t::COL_MINUTES.get(lang), 1.3),
        Column::text(t::COL_END_REASON.get(lang), 3.0),
        Column::text(t::COL_RULES.get(lang), 1.6),
    ]);
    let lines = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![(i + 1).to_string()];
            if with_date {
                cells.push(r.date.clone());
            }
            cells.extend([
                r.start.clone(),
                r.end.clone(),
                r.station.clone(),
                r.card.clone(),
                r.name.clone(),
                r.category.clone(),
                t::gender_code(&r.gender, lang).to_string(),
                r.purpose.clone(),
                words::int(u64::from(r.minutes), lang),
                words::end_reason(&r.end_reason, lang),
                t::rules_agreed(&r.rules, lang),
            ]);
            cells
        })
        .collect();
    (columns, lines)
}

/// The page footer: provenance left, "Halaman 1 dari N" right.
fn footer(header: &ReportHeader, lang: Lang, page: usize, pages: usize) -> (String, String) {
    (
        format!(
            "{} · {} {} ({})",
            header.library_name,
            t::GENERATED_AT.get(lang),
            header.generated_at_local,
            header.time_zone
        ),
        t::page_of(lang, page, pages),
    )
}

/// The embedded fonts, parsed once per process.
fn fonts() -> Result<&'static Fonts, ExportError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
            regular.font_name = Some("DejaVuSans".to_string());
            let mut bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
            bold.font_name = Some("DejaVuSans-Bold".to_string());
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or_else(|| ExportError::Pdf("the embedded DejaVu fonts do not parse".to_string()))
}

/// Serialises `pages` with the fonts and stable metadata.
fn render(
    header: &ReportHeader,
    title: &str,
    author: &str,
    pages: Vec<PdfPage>,
) -> Result<Vec<u8>, ExportError> {
    let fonts = fonts()?;
    let mut doc = PdfDocument::new(title);
    // Fixed resource names instead of add_font's random ids.
    for (id, face) in [
        (layout::REGULAR_ID, &fonts.regular),
        (layout::BOLD_ID, &fonts.bold),
    ] {
        doc.resources.fonts.map.insert(
            FontId(id.to_string()),
            printpdf::font::PdfFont::new(face.clone()),
        );
    }
    let when = OffsetDateTime::from_unix_timestamp(header.generated_at_ms.div_euclid(1000))
        .map_err(|e| ExportError::Pdf(format!("generated_at_ms: {e}")))?;
    let info = &mut doc.metadata.info;
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    info.author = author.to_string();
    info.creator = "Bilik".to_string();
    info.producer = "Bilik (printpdf)".to_string();
    info.subject = header.library_name.clone();
    doc.pages = pages;

    let mut warnings: Vec<PdfWarnMsg> = Vec::new();
    let mut bytes = doc.save(&PdfSaveOptions::default(), &mut warnings);
    if !bytes.starts_with(b"%PDF-") {
        return Err(ExportError::Pdf(format!(
            "printpdf wrote no document ({} warnings)",
            warnings.len()
        )));
    }
    stable_trailer_id(&mut bytes);
    Ok(bytes)
}

/// Replaces the two 32-character strings of the trailer's /ID with the
/// start of the SHA-256 of everything before the trailer, in hex (same
/// length, so no offset moves).
fn stable_trailer_id(bytes: &mut [u8]) {
    let Some(trailer) = find_last(bytes, b"trailer") else {
        return;
    };
    let Some(id_at) = find_last(&bytes[trailer..], b"/ID").map(|p| p + trailer) else {
        return;
    };
    let digest = hex::encode(Sha256::digest(&bytes[..trailer]));
    let replacement = &digest.as_bytes()[..32];
    let mut at = id_at;
    for _ in 0..2 {
        let Some(open) = bytes[at..].iter().position(|b| *b == b'(').map(|p| p + at) else {
            return;
        };
        let Some(close) = bytes[open..]
            .iter()
            .position(|b| *b == b')')
            .map(|p| p + open)
        else {
            return;
        };
        if close - open - 1 == replacement.len() {
            bytes[open + 1..close].copy_from_slice(replacement);
        }
        at = close;
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
