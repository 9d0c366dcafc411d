//! CSV exports: UTF-8 with a byte-order mark (so Excel reads Indonesian
//! text right), comma-separated, CRLF line ends, RFC 4180 quoting. A report
//! is written as sections one after another: a title row, a header row,
//! the lines, then a blank line.
//!
//! Numbers are written plainly ("1234", "12.5") so a spreadsheet reads them
//! as numbers. Text that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, tab or CR) gets a leading apostrophe: names and
//! problem details come from patrons and stations, not from staff.

use super::annual::AnnualReport;
use super::model::{DailyRecap, MonthlyReport, RecapRow};
use super::words::{self, Cell};
use bilik_proto::catalog::Lang;
use bilik_proto::catalog::report as t;

/// The UTF-8 byte-order mark.
const BOM: &str = "\u{feff}";

/// The daily recap: a heading section, the sessions, then the totals.
pub fn daily(recap: &DailyRecap, lang: Lang) -> Vec<u8> {
    let mut w = Writer::new();
    w.text_row(&[t::DAILY_TITLE.get(lang)]);
    w.text_row(&[t::LIBRARY_LABEL.get(lang), &recap.header.library_name]);
    w.text_row(&[
        t::DATE_LABEL.get(lang),
        &words::day_in_words(&recap.date, lang),
    ]);
    w.text_row(&[t::GENERATED_AT.get(lang), &recap.header.generated_at_local]);
    w.text_row(&[t::TIME_ZONE_LABEL.get(lang), &recap.header.time_zone]);
    w.blank();

    w.text_row(&[t::SECTION_SESSIONS.get(lang)]);
    w.text_row(&words::recap_header(lang));
    for (i, row) in recap.rows.iter().enumerate() {
        w.row(&words::recap_cells(i + 1, row, lang));
    }
    w.blank();

    w.text_row(&[t::SECTION_SUMMARY.get(lang)]);
    w.text_row(&[t::COL_ITEM.get(lang), t::COL_VALUE.get(lang)]);
    w.pair(
        t::TOTAL_SESSIONS.get(lang),
        recap.total_sessions.to_string(),
    );
    w.pair(
        t::TOTAL_UNIQUE_MEMBERS.get(lang),
        recap.unique_members.to_string(),
    );
    w.pair(
        t::TOTAL_GUEST_SESSIONS.get(lang),
        recap.guest_sessions.to_string(),
    );
    w.pair(t::TOTAL_MINUTES.get(lang), recap.total_minutes.to_string());
    w.finish()
}

/// Usage-book lines alone (the dashboard's export of a filtered usage
/// book): the header row, then one row per session.
pub fn usage_book(rows: &[RecapRow], lang: Lang) -> Vec<u8> {
    let mut w = Writer::new();
    w.text_row(&words::recap_header(lang));
    for (i, row) in rows.iter().enumerate() {
        w.row(&words::recap_cells(i + 1, row, lang));
    }
    w.finish()
}

/// The monthly report: heading, summary, every breakdown, problems, the
/// addendum (if any) and the sign-off, one section after another.
pub fn monthly(report: &MonthlyReport, lang: Lang) -> Vec<u8> {
    let mut w = Writer::new();
    heading(&mut w, report, lang);
    summary(&mut w, report, lang);
    breakdowns(&mut w, report, lang);

    w.text_row(&[t::SECTION_PROBLEMS.get(lang)]);
    w.text_row(&[
        t::COL_TIME.get(lang),
        t::COL_STATION.get(lang),
        t::COL_KIND.get(lang),
        t::COL_DETAIL.get(lang),
    ]);
    for p in &report.problems {
        w.text_row(&[
            &p.at,
            &p.station,
            &words::problem_kind(&p.kind, lang),
            &p.detail,
        ]);
    }
    w.blank();

    if !report.addendum.is_empty() {
        w.text_row(&[t::SECTION_ADDENDUM.get(lang)]);
        w.text_row(&words::recap_header(lang));
        for (i, row) in report.addendum.iter().enumerate() {
            w.row(&words::recap_cells(i + 1, row, lang));
        }
        w.blank();
    }

    w.text_row(&[t::SECTION_SIGN_OFF.get(lang)]);
    w.text_row(&[t::PREPARED_BY.get(lang), &report.prepared_by]);
    w.text_row(&[t::SECTION_HEAD.get(lang), &report.section_head_name]);
    w.text_row(&[t::NIP_PREFIX.get(lang).trim(), &report.section_head_nip]);
    match &report.signed {
        Some(s) => w.text_row(&[&t::signed_by(lang, &s.name, &s.nip, &s.signed_at)]),
        None => w.text_row(&[t::NOT_SIGNED.get(lang)]),
    }
    w.finish()
}

/// The annual report: a heading, the months side by side, then the year's
/// summary and breakdowns as in the monthly report.
pub fn annual(report: &AnnualReport, lang: Lang) -> Vec<u8> {
    let mut w = Writer::new();
    w.text_row(&[t::ANNUAL_TITLE.get(lang)]);
    w.text_row(&[t::LIBRARY_LABEL.get(lang), &report.header.library_name]);
    w.text_row(&[t::YEAR_LABEL.get(lang), &report.year]);
    w.text_row(&[t::GENERATED_AT.get(lang), &report.header.generated_at_local]);
    w.text_row(&[t::TIME_ZONE_LABEL.get(lang), &report.header.time_zone]);
    w.blank();

    w.text_row(&[t::SECTION_MONTHS.get(lang)]);
    w.text_row(&words::month_columns(lang));
    for m in &report.months {
        let signed = if m.signed { t::YES } else { t::NO };
        w.row(&[
            Cell::Text(words::month_in_words(&m.month, lang)),
            Cell::Int(u64::from(m.totals.sessions)),
            Cell::Int(u64::from(m.totals.unique_members)),
            Cell::Int(u64::from(m.totals.guest_sessions)),
            Cell::Int(m.totals.minutes),
            Cell::Text(words::plain_dec1(m.totals.utilisation_percent)),
            Cell::Text(signed.get(lang).to_owned()),
        ]);
    }
    w.blank();
    summary(&mut w, &report.total, lang);
    breakdowns(&mut w, &report.total, lang);
    w.finish()
}

fn heading(w: &mut Writer, report: &MonthlyReport, lang: Lang) {
    w.text_row(&[t::MONTHLY_TITLE.get(lang)]);
    w.text_row(&[t::LIBRARY_LABEL.get(lang), &report.header.library_name]);
    w.text_row(&[
        t::MONTH_LABEL.get(lang),
        &words::month_in_words(&report.month, lang),
    ]);
    w.text_row(&[
        t::PERIOD_LABEL.get(lang),
        &format!("{} - {}", report.from_date, report.to_date),
    ]);
    w.text_row(&[t::GENERATED_AT.get(lang), &report.header.generated_at_local]);
    w.text_row(&[t::TIME_ZONE_LABEL.get(lang), &report.header.time_zone]);
    w.blank();
}

fn summary(w: &mut Writer, report: &MonthlyReport, lang: Lang) {
    let s = &report.totals;
    w.text_row(&[t::SECTION_SUMMARY.get(lang)]);
    w.text_row(&[t::COL_ITEM.get(lang), t::COL_VALUE.get(lang)]);
    w.pair(t::TOTAL_SESSIONS.get(lang), s.sessions.to_string());
    w.pair(
        t::TOTAL_UNIQUE_MEMBERS.get(lang),
        s.unique_members.to_string(),
    );
    w.pair(
        t::TOTAL_GUEST_SESSIONS.get(lang),
        s.guest_sessions.to_string(),
    );
    w.pair(t::TOTAL_MINUTES.get(lang), s.minutes.to_string());
    w.pair(t::TOTAL_HOURS.get(lang), words::plain_dec1(s.hours));
    w.pair(
        t::TOTAL_AVERAGE_MINUTES.get(lang),
        words::plain_dec1(s.average_minutes),
    );
    w.pair(t::TOTAL_STATIONS.get(lang), s.stations.to_string());
    w.pair(
        t::TOTAL_OPENING_MINUTES.get(lang),
        s.opening_minutes_per_station.to_string(),
    );
    w.pair(
        t::TOTAL_UTILISATION.get(lang),
        words::plain_dec1(s.utilisation_percent),
    );
    w.pair(t::TOTAL_QUEUED.get(lang), s.queued.to_string());
    w.pair(
        t::TOTAL_MEDIAN_WAIT.get(lang),
        words::plain_dec1(s.median_wait_minutes),
    );
    w.blank();
}

fn breakdowns(w: &mut Writer, report: &MonthlyReport, lang: Lang) {
    let sessions = t::COL_SESSIONS.get(lang);
    let minutes = t::COL_MINUTES.get(lang);

    if !report.per_day.is_empty() {
        w.text_row(&[t::SECTION_PER_DAY.get(lang)]);
        w.text_row(&[t::COL_DATE.get(lang), sessions, minutes]);
        for c in &report.per_day {
            w.count(&c.label, c.sessions, c.minutes);
        }
        w.blank();
    }

    w.text_row(&[t::SECTION_PER_STATION.get(lang)]);
    w.text_row(&[
        t::COL_STATION.get(lang),
        sessions,
        minutes,
        t::COL_UTILISATION.get(lang),
    ]);
    for s in &report.per_station {
        w.row(&[
            Cell::Text(s.station.clone()),
            Cell::Int(u64::from(s.sessions)),
            Cell::Int(s.minutes),
            Cell::Text(words::plain_dec1(s.utilisation_percent)),
        ]);
    }
    w.blank();

    w.text_row(&[t::SECTION_CATEGORY_GENDER.get(lang)]);
    w.text_row(&[
        t::COL_CATEGORY.get(lang),
        t::COL_MALE.get(lang),
        t::COL_FEMALE.get(lang),
        t::COL_UNKNOWN_GENDER.get(lang),
        t::COL_TOTAL.get(lang),
    ]);
    for c in &report.category_gender {
        w.row(&[
            Cell::Text(c.category.clone()),
            Cell::Int(u64::from(c.male)),
            Cell::Int(u64::from(c.female)),
            Cell::Int(u64::from(c.unknown)),
            Cell::Int(u64::from(c.male) + u64::from(c.female) + u64::from(c.unknown)),
        ]);
    }
    w.blank();

    for b in words::count_breakdowns(report) {
        w.text_row(&[b.section.get(lang)]);
        w.text_row(&[b.column.get(lang), sessions, minutes]);
        for c in b.counts {
            w.count(&(b.label)(&c.label, lang), c.sessions, c.minutes);
        }
        w.blank();
    }
}

/// Accumulates CSV text.
struct Writer {
    out: String,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            out: BOM.to_string(),
        }
    }

    /// A row of text fields.
    fn text_row(&mut self, fields: &[&str]) {
        let cells: Vec<Cell> = fields.iter().map(|f| Cell::Text(f.to_string())).collect();
        self.row(&cells);
    }

    /// A label and a plain number (already formatted for machines).
    fn pair(&mut self, label: &str, number: String) {
        self.push_fields(&[field(&Cell::Text(label.to_string())), number]);
    }

    /// A labelled count.
    fn count(&mut self, label: &str, sessions: u32, minutes: u64) {
        self.row(&[
            Cell::Text(label.to_string()),
            Cell::Int(u64::from(sessions)),
            Cell::Int(minutes),
        ]);
    }

    fn row(&mut self, cells: &[Cell]) {
        let fields: Vec<String> = cells.iter().map(field).collect();
        self.push_fields(&fields);
    }

    fn push_fields(&mut self, fields: &[String]) {
        self.out.push_str(&fields.join(","));
        self.out.push_str("\r\n");
    }

    fn blank(&mut self) {
        self.out.push_str("\r\n");
    }

    fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// One field, defused and quoted as needed.
fn field(cell: &Cell) -> String {
    match cell {
        Cell::Int(n) => n.to_string(),
        Cell::Text(s) => quote(&defuse(s)),
    }
}

/// Prefixes an apostrophe to text a spreadsheet would run as a formula.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// RFC 4180: a field with a comma, a double quote or a line break is
/// enclosed in double quotes, and its double quotes are doubled.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn text(bytes: &[u8]) -> &str {
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
        std::str::from_utf8(&bytes[3..]).unwrap()
    }

    /// Splits CSV text into records of fields (a minimal RFC 4180 reader).
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => field.push(c),
            }
        }
        records
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("Andi"), "Andi");
    }

    #[test]
    fn daily_has_bom_quoted_names_and_both_languages() {
        let recap = fixtures::daily_fixture();
        let id = daily(&recap, Lang::Id);
        let s = text(&id);
        assert!(s.starts_with("Rekapitulasi Harian Penggunaan Fasilitas Internet\r\n"));
        assert!(s.contains("\"Siti \"\"Ani\"\" Rahma, S.Pd.\""), "{s}");
        assert!(s.contains("No.,Tanggal,Mulai,Selesai,Komputer,No. Kartu,Nama"));
        assert!(s.contains("Tanggal,\"Senin, 2 November 2026\""));
        assert!(s.contains("Waktu habis"));
        assert!(s.contains("Jumlah menit pemakaian,95\r\n"));

        let records = parse(s);
        let names: Vec<&str> = records
            .iter()
            .filter(|r| r.len() == 14)
            .map(|r| r[6].as_str())
            .collect();
        assert!(names.contains(&fixtures::TRICKY_NAME), "{names:?}");
        // The house-rules column: agreed for a card login, a dash for a guest.
        let rules: Vec<&str> = records
            .iter()
            .filter(|r| r.len() == 14 && r[0] != "No.")
            .map(|r| r[12].as_str())
            .collect();
        assert!(
            rules.contains(&"Disetujui (v1)") && rules.contains(&"—"),
            "{rules:?}"
        );

        let en = daily(&recap, Lang::En);
        let s = text(&en);
        assert!(s.starts_with("Daily Recap of the Use of the Internet Facility\r\n"));
        assert!(s.contains("No.,Date,Start,End,Station,Card No.,Name"));
        assert!(s.contains("Time up"));
        assert!(s.contains("Date,\"Monday, 2 November 2026\""));
    }

    #[test]
    fn monthly_sections_and_sums() {
        let report = fixtures::signed_fixture();
        let bytes = monthly(&report, Lang::Id);
        let s = text(&bytes);
        for title in [
            "Laporan Bulanan Penggunaan Fasilitas Internet",
            "Ringkasan",
            "Per Hari",
            "Per Komputer",
            "Kategori × Jenis Kelamin",
            "Kelompok Umur",
            "Keperluan",
            "Per Jam",
            "Alasan Selesai",
            "Masalah",
            "Adendum",
            "Pengesahan",
        ] {
            assert!(
                s.contains(&format!("\r\n{title}\r\n")) || s.starts_with(title),
                "{title}"
            );
        }
        assert!(s.contains("Bulan,November 2026\r\n"));
        assert!(s.contains("Ditandatangani secara elektronik oleh Drs. Andi Baso Mappaturung"));
        // The formula-looking detail is defused and quoted.
        assert!(s.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{s}");

        // The per-day section sums to the totals.
        let records = parse(s);
        let start = records
            .iter()
            .position(|r| r.len() == 1 && r[0] == "Per Hari")
            .unwrap();
        let mut minutes = 0u64;
        let mut days = 0;
        for r in &records[start + 2..] {
            if r.len() < 3 {
                break;
            }
            minutes += r[2].parse::<u64>().unwrap();
            days += 1;
        }
        assert_eq!(days, 30);
        assert_eq!(minutes, report.totals.minutes);

        let en = monthly(&report, Lang::En);
        let s = text(&en);
        assert!(s.contains("Month,November 2026\r\n"));
        assert!(s.contains("\r\nPer Station\r\nStation,Sessions,Minutes,Utilisation (%)\r\n"));
        assert!(s.contains("Signed electronically by"));
    }
}
