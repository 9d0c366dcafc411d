//! XLSX exports (rust_xlsxwriter). The monthly workbook has a summary sheet
//! (title, totals, sign-off) and a sheet per breakdown; the daily workbook
//! a summary sheet and the sessions. Breakdown sheets are plain tables: a
//! bold header row in row 1, then one line per row, no total rows, so a
//! column can be summed, sorted and filtered as it is. Numbers are numbers;
//! card numbers and times are text (leading zeros stay). The document's
//! creation time is the report's, so the same report gives the same file.

use super::annual::AnnualReport;
use super::export_error::ExportError;
use super::model::{DailyRecap, MonthlyReport, RecapRow, ReportHeader};
use super::words::{self, Cell};
use bilik_proto::catalog::report as t;
use bilik_proto::catalog::{Lang, Text};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// The daily recap: "Ringkasan" (title, date, totals) and "Daftar Sesi".
pub fn daily(recap: &DailyRecap, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = workbook(&recap.header, t::DAILY_TITLE.get(lang))?;
    let f = Formats::new();

    let ws = sheet(&mut book, t::SECTION_SUMMARY, lang)?;
    let mut r = title_block(ws, &f, &recap.header, t::DAILY_TITLE.get(lang))?;
    ws.write_string(r, 0, t::DATE_LABEL.get(lang))?;
    ws.write_string(r, 1, words::day_in_words(&recap.date, lang))?;
    r += 2;
    header_row(ws, &f, r, &[t::COL_ITEM.get(lang), t::COL_VALUE.get(lang)])?;
    let lines = [
        (t::TOTAL_SESSIONS, f64::from(recap.total_sessions)),
        (t::TOTAL_UNIQUE_MEMBERS, f64::from(recap.unique_members)),
        (t::TOTAL_GUEST_SESSIONS, f64::from(recap.guest_sessions)),
        (t::TOTAL_MINUTES, recap.total_minutes as f64),
    ];
    for (i, (label, value)) in lines.iter().enumerate() {
        let row = r + 1 + i as u32;
        ws.write_string(row, 0, label.get(lang))?;
        ws.write_number_with_format(row, 1, *value, &f.int)?;
    }
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 45)?;

    recap_sheet(&mut book, &f, t::SECTION_SESSIONS, &recap.rows, lang)?;
    Ok(book.save_to_buffer()?)
}

/// The monthly report: a summary sheet and a sheet per breakdown, then the
/// problems and, if any, the addendum.
pub fn monthly(report: &MonthlyReport, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = workbook(&report.header, t::MONTHLY_TITLE.get(lang))?;
    let f = Formats::new();
    let period = [
        (
            t::MONTH_LABEL.get(lang),
            words::month_in_words(&report.month, lang),
        ),
        (
            t::PERIOD_LABEL.get(lang),
            format!("{} - {}", report.from_date, report.to_date),
        ),
    ];
    summary_sheet(
        &mut book,
        &f,
        report,
        t::MONTHLY_TITLE.get(lang),
        &period,
        lang,
    )?;
    breakdown_sheets(&mut book, &f, report, lang)?;
    Ok(book.save_to_buffer()?)
}

/// The annual report: the year's summary sheet, the twelve months side by
/// side (the columns of the CSV's months table), then the year's
/// breakdowns and problems as sheets, as in the monthly workbook.
pub fn annual(report: &AnnualReport, lang: Lang) -> Result<Vec<u8>, ExportError> {
    let mut book = workbook(&report.header, t::ANNUAL_TITLE.get(lang))?;
    let f = Formats::new();
    let period = [(t::YEAR_LABEL.get(lang), report.year.clone())];
    summary_sheet(
        &mut book,
        &f,
        &report.total,
        t::ANNUAL_TITLE.get(lang),
        &period,
        lang,
    )?;
    let ws = sheet(&mut book, t::SECTION_MONTHS, lang)?;
    header_row(ws, &f, 0, &words::month_columns(lang))?;
    for (i, m) in report.months.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, words::month_in_words(&m.month, lang))?;
        let counts = [
            f64::from(m.totals.sessions),
            f64::from(m.totals.unique_members),
            f64::from(m.totals.guest_sessions),
            m.totals.minutes as f64,
        ];
        for (col, n) in counts.into_iter().enumerate() {
            ws.write_number_with_format(row, col as u16 + 1, n, &f.int)?;
        }
        ws.write_number_with_format(row, 5, m.totals.utilisation_percent, &f.dec1)?;
        let signed = if m.signed { t::YES } else { t::NO };
        ws.write_string(row, 6, signed.get(lang))?;
    }
    widths(ws, &[20.0, 12.0, 16.0, 16.0, 12.0, 16.0, 12.0])?;
    breakdown_sheets(&mut book, &f, &report.total, lang)?;
    Ok(book.save_to_buffer()?)
}

/// A sheet per breakdown, the problems and, if any, the addendum.
fn breakdown_sheets(
    book: &mut Workbook,
    f: &Formats,
    report: &MonthlyReport,
    lang: Lang,
) -> Result<(), ExportError> {
    let sessions = t::COL_SESSIONS.get(lang);
    let minutes = t::COL_MINUTES.get(lang);

    let ws = sheet(book, t::SECTION_PER_DAY, lang)?;
    header_row(ws, f, 0, &[t::COL_DATE.get(lang), sessions, minutes])?;
    for (i, c) in report.per_day.iter().enumerate() {
        count_row(ws, f, i as u32 + 1, &c.label, c.sessions, c.minutes)?;
    }
    widths(ws, &[14.0, 12.0, 12.0])?;

    let ws = sheet(book, t::SECTION_PER_STATION, lang)?;
    header_row(
        ws,
        f,
        0,
        &[
            t::COL_STATION.get(lang),
            sessions,
            minutes,
            t::COL_UTILISATION.get(lang),
        ],
    )?;
    for (i, s) in report.per_station.iter().enumerate() {
        let row = i as u32 + 1;
        count_row(ws, f, row, &s.station, s.sessions, s.minutes)?;
        ws.write_number_with_format(row, 3, s.utilisation_percent, &f.dec1)?;
    }
    widths(ws, &[20.0, 12.0, 12.0, 16.0])?;

    let ws = sheet(book, t::SECTION_CATEGORY_GENDER, lang)?;
    header_row(
        ws,
        f,
        0,
        &[
            t::COL_CATEGORY.get(lang),
            t::COL_MALE.get(lang),
            t::COL_FEMALE.get(lang),
            t::COL_UNKNOWN_GENDER.get(lang),
            t::COL_TOTAL.get(lang),
        ],
    )?;
    for (i, c) in report.category_gender.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &c.category)?;
        let total = u64::from(c.male) + u64::from(c.female) + u64::from(c.unknown);
        for (col, n) in [
            u64::from(c.male),
            u64::from(c.female),
            u64::from(c.unknown),
            total,
        ]
        .into_iter()
        .enumerate()
        {
            ws.write_number_with_format(row, col as u16 + 1, n as f64, &f.int)?;
        }
    }
    widths(ws, &[22.0, 12.0, 12.0, 16.0, 12.0])?;

    for b in words::count_breakdowns(report) {
        let ws = sheet(book, b.section, lang)?;
        header_row(ws, f, 0, &[b.column.get(lang), sessions, minutes])?;
        for (i, c) in b.counts.iter().enumerate() {
            let label = (b.label)(&c.label, lang);
            count_row(ws, f, i as u32 + 1, &label, c.sessions, c.minutes)?;
        }
        widths(ws, &[28.0, 12.0, 12.0])?;
    }

    let ws = sheet(book, t::SECTION_PROBLEMS, lang)?;
    header_row(
        ws,
        f,
        0,
        &[
            t::COL_TIME.get(lang),
            t::COL_STATION.get(lang),
            t::COL_KIND.get(lang),
            t::COL_DETAIL.get(lang),
        ],
    )?;
    for (i, p) in report.problems.iter().enumerate() {
        let row = i as u32 + 1;
        let kind = words::problem_kind(&p.kind, lang);
        for (col, s) in [&p.at, &p.station, &kind, &p.detail].iter().enumerate() {
            ws.write_string(row, col as u16, s.as_str())?;
        }
    }
    widths(ws, &[18.0, 14.0, 18.0, 70.0])?;

    if !report.addendum.is_empty() {
        recap_sheet(book, f, t::SECTION_ADDENDUM, &report.addendum, lang)?;
    }
    Ok(())
}

/// The summary sheet: letterhead, title, month, totals, sign-off.
fn summary_sheet(
    book: &mut Workbook,
    f: &Formats,
    report: &MonthlyReport,
    title: &str,
    period: &[(&str, String)],
    lang: Lang,
) -> Result<(), ExportError> {
    let ws = sheet(book, t::SECTION_SUMMARY, lang)?;
    let mut r = title_block(ws, f, &report.header, title)?;
    for (label, value) in period {
        ws.write_string(r, 0, *label)?;
        ws.write_string(r, 1, value)?;
        r += 1;
    }
    r += 1;

    let s = &report.totals;
    header_row(ws, f, r, &[t::COL_ITEM.get(lang), t::COL_VALUE.get(lang)])?;
    let lines = [
        (t::TOTAL_SESSIONS, f64::from(s.sessions), &f.int),
        (t::TOTAL_UNIQUE_MEMBERS, f64::from(s.unique_members), &f.int),
        (t::TOTAL_GUEST_SESSIONS, f64::from(s.guest_sessions), &f.int),
        (t::TOTAL_MINUTES, s.minutes as f64, &f.int),
        (t::TOTAL_HOURS, s.hours, &f.dec1),
        (t::TOTAL_AVERAGE_MINUTES, s.average_minutes, &f.dec1),
        (t::TOTAL_STATIONS, f64::from(s.stations), &f.int),
        (
            t::TOTAL_OPENING_MINUTES,
            s.opening_minutes_per_station as f64,
            &f.int,
        ),
        (t::TOTAL_UTILISATION, s.utilisation_percent, &f.dec1),
        (t::TOTAL_QUEUED, f64::from(s.queued), &f.int),
        (t::TOTAL_MEDIAN_WAIT, s.median_wait_minutes, &f.dec1),
    ];
    for (label, value, format) in lines {
        r += 1;
        ws.write_string(r, 0, label.get(lang))?;
        ws.write_number_with_format(r, 1, value, format)?;
    }
    r += 2;

    ws.write_string_with_format(r, 0, t::SECTION_SIGN_OFF.get(lang), &f.bold)?;
    let signature = [
        (t::PREPARED_BY.get(lang), report.prepared_by.clone()),
        (t::SECTION_HEAD.get(lang), report.section_head_name.clone()),
        (
            t::NIP_PREFIX.get(lang).trim(),
            report.section_head_nip.clone(),
        ),
    ];
    for (label, value) in signature {
        r += 1;
        ws.write_string(r, 0, label)?;
        ws.write_string(r, 1, value)?;
    }
    r += 1;
    let status = match &report.signed {
        Some(s) => t::signed_by(lang, &s.name, &s.nip, &s.signed_at),
        None => t::NOT_SIGNED.get(lang).to_string(),
    };
    ws.write_string(r, 0, status)?;
    ws.set_column_width(0, 42)?;
    ws.set_column_width(1, 40)?;
    Ok(())
}

/// Letterhead lines, library name, title and provenance from row 0; the
/// next free row.
fn title_block(
    ws: &mut Worksheet,
    f: &Formats,
    header: &ReportHeader,
    title: &str,
) -> Result<u32, ExportError> {
    let mut r = 0;
    for line in header
        .letterhead
        .iter()
        .chain(std::iter::once(&header.library_name))
    {
        ws.write_string_with_format(r, 0, line, &f.bold)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, title, &f.title)?;
    r += 2;
    Ok(r)
}

/// A sheet of usage-book lines (the daily sessions, the addendum).
fn recap_sheet(
    book: &mut Workbook,
    f: &Formats,
    name: Text,
    rows: &[RecapRow],
    lang: Lang,
) -> Result<(), ExportError> {
    let ws = sheet(book, name, lang)?;
    header_row(ws, f, 0, &words::recap_header(lang))?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (col, cell) in words::recap_cells(i + 1, row, lang).iter().enumerate() {
            match cell {
                Cell::Text(s) => ws.write_string(r, col as u16, s)?,
                Cell::Int(n) => ws.write_number_with_format(r, col as u16, *n as f64, &f.int)?,
            };
        }
    }
    widths(
        ws,
        &[
            6.0, 12.0, 8.0, 8.0, 12.0, 14.0, 30.0, 14.0, 6.0, 26.0, 9.0, 26.0, 16.0, 38.0,
        ],
    )?;
    Ok(())
}

/// A new workbook whose creation time is the report's.
fn workbook(header: &ReportHeader, title: &str) -> Result<Workbook, ExportError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_timestamp(header.generated_at_ms.div_euclid(1000))?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_company(&header.library_name)
            .set_creation_datetime(&created),
    );
    Ok(book)
}

/// A new sheet named after a section.
fn sheet(book: &mut Workbook, name: Text, lang: Lang) -> Result<&mut Worksheet, ExportError> {
    let ws = book.add_worksheet();
    ws.set_name(name.get(lang))?;
    Ok(ws)
}

/// A bold header row at `row`; frozen when it is the first row.
fn header_row(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    headers: &[&str],
) -> Result<(), ExportError> {
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *h, &f.header)?;
    }
    if row == 0 {
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(())
}

/// A label, sessions and minutes.
fn count_row(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    label: &str,
    sessions: u32,
    minutes: u64,
) -> Result<(), ExportError> {
    ws.write_string(row, 0, label)?;
    ws.write_number_with_format(row, 1, f64::from(sessions), &f.int)?;
    ws.write_number_with_format(row, 2, minutes as f64, &f.int)?;
    Ok(())
}

fn widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), ExportError> {
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *w)?;
    }
    Ok(())
}

/// The cell formats of the workbooks.
struct Formats {
    bold: Format,
    title: Format,
    header: Format,
    int: Format,
    dec1: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(0xD9E1F2)
                .set_border(FormatBorder::Thin),
            int: Format::new().set_num_format("#,##0"),
            dec1: Format::new().set_num_format("#,##0.0"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::fixtures;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::Cursor;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).unwrap()
    }

    fn number(d: &Data) -> f64 {
        match d {
            Data::Float(x) => *x,
            Data::Int(n) => *n as f64,
            other => panic!("not a number: {other:?}"),
        }
    }

    fn column_sum(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str, col: usize) -> f64 {
        let range = book.worksheet_range(sheet).unwrap();
        range.rows().skip(1).map(|r| number(&r[col])).sum()
    }

    #[test]
    fn monthly_sheets_and_sums() {
        let report = fixtures::signed_fixture();
        let mut book = open(monthly(&report, Lang::Id).unwrap());
        assert_eq!(
            book.sheet_names(),
            [
                "Ringkasan",
                "Per Hari",
                "Per Komputer",
                "Kategori × Jenis Kelamin",
                "Kelompok Umur",
                "Keperluan",
                "Pekerjaan",
                "Pendidikan",
                "Per Jam",
                "Alasan Selesai",
                "Masalah",
                "Adendum",
            ]
        );
        let minutes = report.totals.minutes as f64;
        let sessions = f64::from(report.totals.sessions);
        assert_eq!(column_sum(&mut book, "Per Hari", 2), minutes);
        assert_eq!(column_sum(&mut book, "Per Hari", 1), sessions);
        assert_eq!(column_sum(&mut book, "Per Komputer", 2), minutes);
        assert_eq!(column_sum(&mut book, "Per Jam", 1), sessions);
        assert_eq!(
            column_sum(&mut book, "Kategori × Jenis Kelamin", 4),
            sessions
        );
        assert_eq!(column_sum(&mut book, "Alasan Selesai", 2), minutes);

        let per_day = book.worksheet_range("Per Hari").unwrap();
        assert_eq!(per_day.height(), 31);
        assert_eq!(per_day.get((0, 0)), Some(&Data::String("Tanggal".into())));

        let summary = book.worksheet_range("Ringkasan").unwrap();
        let find = |label: &str| {
            summary
                .rows()
                .find(|r| r[0] == Data::String(label.into()))
                .map(|r| r[1].clone())
        };
        assert_eq!(find("Bulan"), Some(Data::String("November 2026".into())));
        assert_eq!(number(&find("Jumlah sesi").unwrap()), sessions);
        assert_eq!(number(&find("Jumlah menit pemakaian").unwrap()), minutes);

        let addendum = book.worksheet_range("Adendum").unwrap();
        assert_eq!(addendum.height(), 2);
        let problems = book.worksheet_range("Masalah").unwrap();
        assert_eq!(
            problems.get((2, 3)),
            Some(&Data::String(fixtures::FORMULA_DETAIL.into()))
        );
    }

    #[test]
    fn monthly_in_english_without_addendum() {
        let report = fixtures::fixture();
        let book = open(monthly(&report, Lang::En).unwrap());
        let names = book.sheet_names();
        assert_eq!(names[0], "Summary");
        assert!(names.contains(&"Per Station".to_string()));
        assert!(!names.contains(&"Addendum".to_string()));
    }

    #[test]
    fn daily_sessions_sheet() {
        let recap = fixtures::daily_fixture();
        let mut book = open(daily(&recap, Lang::Id).unwrap());
        assert_eq!(book.sheet_names(), ["Ringkasan", "Daftar Sesi"]);
        assert_eq!(
            column_sum(&mut book, "Daftar Sesi", 10),
            recap.total_minutes as f64
        );
        let rows = book.worksheet_range("Daftar Sesi").unwrap();
        assert_eq!(rows.get((1, 5)), Some(&Data::String("0012345".into())));
        assert_eq!(
            rows.get((2, 6)),
            Some(&Data::String(fixtures::TRICKY_NAME.into()))
        );
    }

    #[test]
    fn same_report_same_bytes() {
        let report = fixtures::fixture();
        assert_eq!(
            monthly(&report, Lang::Id).unwrap(),
            monthly(&report, Lang::Id).unwrap()
        );
    }
}
