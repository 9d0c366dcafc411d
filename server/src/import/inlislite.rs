//! Reader for INLISLite's member export: an Excel workbook (`.xlsx` or the
//! older `.xls`) whose first sheet has a header row with Indonesian column
//! names ("No Anggota", "Nama", "Jenis Kelamin", "Tanggal Lahir", "Jenis
//! Anggota", "Pekerjaan", "Pendidikan Terakhir", "Tanggal Pendaftaran",
//! "Tanggal Akhir Berlaku", "Status Anggota", "Nomor Identitas", ...).
//!
//! Columns are found by their header (case, spaces and dots do not
//! matter), in any order; a title row above the header is skipped. Cells
//! become text the way the shared validation ([`crate::import::member`])
//! reads them: numbers without a trailing `.0` (card numbers stored as
//! numbers), Excel dates and `DD/MM/YYYY` or `DD-MM-YYYY` texts as
//! `YYYY-MM-DD`. Problems are named by the sheet's row number and the
//! column's header. "Nomor identitas" (the national ID number) is
//! recognised but not kept: Bilik does not need it to run a computer.
//!
//! Limits: an `.xlsx` is refused before reading when it would unpack to
//! more than [`MAX_UNPACKED`] bytes (a zip bomb), and a sheet with more
//! than [`MAX_ROWS`] rows or [`MAX_COLUMNS`] columns is refused.

use crate::import::member::{
    self, Field, Gender, ImportErrors, ImportedMember, Layout, Problem, Sink, Standing,
};
use bilik_proto::catalog::import as words;
use calamine::{Data, Reader};
use std::collections::HashMap;
use std::io::Cursor;

/// Most bytes the parts of an `.xlsx` may unpack to.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
/// Most rows of the member sheet (the header included).
pub const MAX_ROWS: usize = 200_000;
/// Most columns of the member sheet.
pub const MAX_COLUMNS: usize = 200;
/// Longest cell text kept, in characters (the validation refuses names
/// over its own limit; other texts are cut here).
const MAX_CELL: usize = 1000;
/// Rows searched for the header (a title and a blank row may precede it).
const HEADER_SEARCH: usize = 10;

/// The columns Bilik reads, in this order; named in problems.
const COLUMNS: [&str; 15] = [
    "no anggota",
    "nama",
    "jenis kelamin",
    "tanggal lahir",
    "jenis anggota",
    "pekerjaan",
    "pendidikan terakhir",
    "tanggal pendaftaran",
    "tanggal akhir berlaku",
    "status anggota",
    "nomor identitas",
    "alamat",
    "email",
    "telepon",
    "instansi",
];

const NO_ANGGOTA: usize = 0;
const NAMA: usize = 1;
const JENIS_KELAMIN: usize = 2;
const TANGGAL_LAHIR: usize = 3;
const JENIS_ANGGOTA: usize = 4;
const PEKERJAAN: usize = 5;
const PENDIDIKAN: usize = 6;
const TANGGAL_PENDAFTARAN: usize = 7;
const TANGGAL_AKHIR: usize = 8;
const STATUS: usize = 9;
const ALAMAT: usize = 11;
const EMAIL: usize = 12;
const TELEPON: usize = 13;
const INSTANSI: usize = 14;

/// Columns a file must have.
const REQUIRED: [usize; 3] = [NO_ANGGOTA, NAMA, TANGGAL_AKHIR];

/// Date columns: their text is normalised to `YYYY-MM-DD`.
const DATES: [usize; 3] = [TANGGAL_LAHIR, TANGGAL_PENDAFTARAN, TANGGAL_AKHIR];

/// Other spellings of the headers seen in exports.
const ALIASES: [(&str, usize); 12] = [
    ("nomor anggota", NO_ANGGOTA),
    ("nama anggota", NAMA),
    ("nama lengkap", NAMA),
    ("tgl lahir", TANGGAL_LAHIR),
    ("pendidikan", PENDIDIKAN),
    ("tgl pendaftaran", TANGGAL_PENDAFTARAN),
    ("tanggal daftar", TANGGAL_PENDAFTARAN),
    ("tanggal berakhir", TANGGAL_AKHIR),
    ("masa berlaku", TANGGAL_AKHIR),
    ("status", STATUS),
    ("no hp", TELEPON),
    ("no telepon", TELEPON),
];

/// Where the members' fields are (after the reader put the sheet's
/// columns in [`COLUMNS`] order).
const LAYOUT: Layout = Layout {
    card: NO_ANGGOTA,
    name: NAMA,
    gender: Some(JENIS_KELAMIN),
    gender_code: parse_gender,
    category: Some(JENIS_ANGGOTA),
    email: Some(EMAIL),
    address: &[ALAMAT],
    institution: Some(INSTANSI),
    phone: Some(TELEPON),
    member_since: None,
    registered: Some(TANGGAL_PENDAFTARAN),
    expires: TANGGAL_AKHIR,
    birth_date: Some(TANGGAL_LAHIR),
    notes: None,
    occupation: Some(PEKERJAAN),
    education: Some(PENDIDIKAN),
    status: Some((STATUS, parse_status)),
};

/// Whether `input` looks like an Excel workbook (zip: `.xlsx`; OLE
/// compound file: `.xls`), not a CSV.
pub fn is_workbook(input: &[u8]) -> bool {
    input.starts_with(b"PK\x03\x04") || input.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Reads an INLISLite member workbook and validates every row: every
/// member, or every problem (all-or-nothing, as every import).
pub fn parse(input: &[u8]) -> Result<Vec<ImportedMember>, ImportErrors> {
    let mut sink = Sink::new(&COLUMNS);
    let whole = |sink: &mut Sink, problem: Problem| sink.push(1, problem);
    if input.starts_with(b"PK") && !unpacks_within(input, MAX_UNPACKED) {
        let mib = MAX_UNPACKED / (1024 * 1024);
        whole(
            &mut sink,
            Problem::with(words::UNPACKS_TOO_BIG, format!("{mib} MiB")),
        );
        return Err(sink.finish());
    }
    let range = match calamine::open_workbook_auto_from_rs(Cursor::new(input))
        .ok()
        .and_then(|mut book| book.worksheet_range_at(0)?.ok())
    {
        Some(range) => range,
        None => {
            whole(&mut sink, Problem::new(words::NOT_A_WORKBOOK));
            return Err(sink.finish());
        }
    };
    if range.height() > MAX_ROWS {
        whole(&mut sink, Problem::with(words::TOO_MANY_ROWS, MAX_ROWS));
        return Err(sink.finish());
    }
    if range.width() > MAX_COLUMNS {
        whole(
            &mut sink,
            Problem::with(words::TOO_MANY_COLUMNS, MAX_COLUMNS),
        );
        return Err(sink.finish());
    }
    // The sheet's row number of the range's first row (1-based).
    let first_row = range.start().map_or(1, |(row, _)| row as usize + 1);
    let rows: Vec<&[Data]> = range.rows().collect();
    let Some((header_at, columns)) = rows
        .iter()
        .take(HEADER_SEARCH)
        .enumerate()
        .find_map(|(i, row)| header(row).map(|c| (i, c)))
    else {
        whole(&mut sink, Problem::new(words::NO_HEADER));
        return Err(sink.finish());
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut members = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_at + 1) {
        if row.iter().all(|c| cell_text(c).is_empty()) {
            continue;
        }
        let line = first_row + i;
        let mut fields: Vec<Field> = (0..COLUMNS.len()).map(|_| Field::default()).collect();
        for (at, &column) in columns.iter().enumerate() {
            let (Some(column), Some(cell)) = (column, row.get(at)) else {
                continue;
            };
            let field = &mut fields[column];
            if let Data::Error(_) = cell {
                sink.push_field(line, column, Problem::new(words::CELL_ERROR));
                field.bad = true;
                continue;
            }
            field.value = match cell {
                Data::DateTime(dt) if DATES.contains(&column) => dt
                    .as_datetime()
                    .map(|d| d.date().format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                _ if DATES.contains(&column) => iso_date(&cell_text(cell)),
                _ => cell_text(cell),
            };
        }
        if let Some(m) = member::validate(line, &fields, &LAYOUT, &mut seen, &mut sink) {
            members.push(m);
        }
    }
    if sink.is_empty() {
        Ok(members)
    } else {
        Err(sink.finish())
    }
}

/// The columns of a header row ([`COLUMNS`] index per sheet column), if
/// it has every required one.
fn header(row: &[Data]) -> Option<Vec<Option<usize>>> {
    let columns: Vec<Option<usize>> = row
        .iter()
        .map(|cell| {
            let name = header_name(&cell_text(cell));
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .or_else(|| ALIASES.iter().find(|(a, _)| *a == name).map(|(_, i)| *i))
        })
        .collect();
    REQUIRED
        .iter()
        .all(|r| columns.contains(&Some(*r)))
        .then_some(columns)
}

/// A header as compared: lower case, dots and repeated spaces dropped.
fn header_name(text: &str) -> String {
    text.to_lowercase()
        .replace(['.', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cell as text: numbers without a trailing `.0`, at most [`MAX_CELL`]
/// characters.
fn cell_text(cell: &Data) -> String {
    let text = match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.date().format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    };
    text.chars().take(MAX_CELL).collect()
}

/// `DD/MM/YYYY`, `DD-MM-YYYY` (a time after it ignored) as `YYYY-MM-DD`;
/// anything else unchanged (the validation says what is wrong with it).
fn iso_date(text: &str) -> String {
    let t = text.trim();
    let day_part = t.split_whitespace().next().unwrap_or("");
    let parts: Vec<&str> = day_part.split(['/', '-']).collect();
    if let [d, m, y] = parts[..]
        && y.len() == 4
        && d.len() <= 2
        && m.len() <= 2
        && [d, m, y]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return format!("{y}-{m:0>2}-{d:0>2}");
    }
    // An ISO date with a time after it.
    if day_part.len() == 10 && parts.len() == 3 && parts[0].len() == 4 {
        return day_part.to_owned();
    }
    t.to_owned()
}

/// INLISLite's gender: "Laki-laki" / "L" / "Pria", "Perempuan" / "P" /
/// "Wanita"; empty unknown.
fn parse_gender(value: &str) -> Result<Gender, Problem> {
    match value.to_lowercase().as_str() {
        "laki-laki" | "laki laki" | "lakilaki" | "l" | "pria" => Ok(Gender::Male),
        "perempuan" | "p" | "wanita" => Ok(Gender::Female),
        "" => Ok(Gender::Unspecified),
        _ => Err(Problem::new(words::INLISLITE_GENDER)),
    }
}

/// INLISLite's "status anggota": Aktif; Tidak Aktif / Nonaktif / Blokir;
/// Pending / Menunggu; empty: not said.
fn parse_status(value: &str) -> Result<Option<Standing>, Problem> {
    match header_name(value).replace('-', " ").as_str() {
        "" => Ok(None),
        "aktif" | "active" => Ok(Some(Standing::Active)),
        "tidak aktif" | "nonaktif" | "non aktif" | "blokir" | "diblokir" | "ditangguhkan" => {
            Ok(Some(Standing::Blocked))
        }
        "pending" | "menunggu" | "belum aktif" => Ok(Some(Standing::Pending)),
        _ => Err(Problem::new(words::INLISLITE_STATUS)),
    }
}

/// Whether the zip archive's parts unpack to at most `limit` bytes (their
/// declared sizes: the zip reader never produces more than a part declares).
fn unpacks_within(input: &[u8], limit: u64) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(input)) else {
        return false;
    };
    if archive.len() > 10_000 {
        return false;
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(i) else {
            return false;
        };
        total = total.saturating_add(part.size());
        if total > limit {
            return false;
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// A workbook like INLISLite's: a title row, the header, `rows`.
    fn workbook(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .write_string(0, 0, "Daftar Anggota Perpustakaan")
            .unwrap();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 2, c as u16, *v).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    const HEADER: [&str; 11] = [
        "No Anggota",
        "Nama",
        "Jenis Kelamin",
        "Tanggal Lahir",
        "Jenis Anggota",
        "Pekerjaan",
        "Pendidikan Terakhir",
        "Tanggal Pendaftaran",
        "Tanggal Akhir Berlaku",
        "Status Anggota",
        "Nomor Identitas",
    ];

    #[test]
    fn an_export_reads_with_its_dates_and_codes() {
        let bytes = workbook(
            &HEADER,
            &[
                vec![
                    "A-0001",
                    "Siti Aminah",
                    "Perempuan",
                    "15/01/1990",
                    "Umum",
                    "PNS",
                    "S1",
                    "2024-01-15",
                    "31-12-2027",
                    "Aktif",
                    "3201010101900001",
                ],
                vec![
                    "a-0002",
                    "Budi",
                    "Laki-laki",
                    "",
                    "Pelajar",
                    "Pelajar",
                    "SMA",
                    "",
                    "2026-06-30",
                    "Tidak Aktif",
                    "",
                ],
            ],
        );
        let members = parse(&bytes).unwrap();
        assert_eq!(members.len(), 2);
        let siti = &members[0];
        assert_eq!(siti.line, 3, "the sheet's row: title, header, then her");
        assert_eq!(siti.card, "A-0001");
        assert_eq!(siti.gender, Gender::Female);
        assert_eq!(siti.birth_date, Some(date(1990, 1, 15)));
        assert_eq!(siti.registered, Some(date(2024, 1, 15)));
        assert_eq!(siti.expires, date(2027, 12, 31));
        assert_eq!(
            (siti.occupation.as_str(), siti.education.as_str()),
            ("PNS", "S1")
        );
        assert_eq!(siti.category, "Umum");
        assert_eq!(siti.status, Some(Standing::Active));
        assert_eq!(members[1].card, "A-0002");
        assert_eq!(members[1].status, Some(Standing::Blocked));
    }

    #[test]
    fn excel_dates_and_numeric_cards() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["no. anggota", "NAMA", "tanggal akhir berlaku"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 20240017.0).unwrap();
        sheet.write_string(1, 1, "Wayan").unwrap();
        let when = ExcelDateTime::from_ymd(2027, 3, 1).unwrap();
        sheet
            .write_datetime_with_format(1, 2, &when, &Format::new().set_num_format("dd/mm/yyyy"))
            .unwrap();
        let members = parse(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(members[0].card, "20240017");
        assert_eq!(members[0].expires, date(2027, 3, 1));
        assert_eq!(members[0].line, 2);
    }

    #[test]
    fn every_bad_row_is_named_by_row_and_column() {
        let bytes = workbook(
            &HEADER,
            &[
                vec!["A-1", "Ok", "P", "", "", "", "", "", "2027-01-01", "", ""],
                vec![
                    "A 2",
                    "",
                    "X",
                    "1990-13-45",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "Kadang",
                    "",
                ],
                vec!["A-1", "Dua", "", "", "", "", "", "", "2027-01-01", "", ""],
            ],
        );
        let errors = parse(&bytes).unwrap_err().errors;
        let got: Vec<(usize, Option<&str>)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            got,
            vec![
                (4, Some("no anggota")),
                (4, Some("nama")),
                (4, Some("jenis kelamin")),
                (4, Some("tanggal lahir")),
                (4, Some("tanggal akhir berlaku")),
                (4, Some("status anggota")),
                (5, Some("no anggota")),
            ]
        );
        assert_eq!(errors[6].problem, Problem::with(words::DUPLICATE_CARD, 3));
    }

    #[test]
    fn not_a_workbook_or_no_header_is_refused_whole() {
        assert_eq!(
            parse(b"member_id,member_name\n").unwrap_err().errors[0].line,
            1
        );
        let bytes = workbook(&["Nama", "Alamat"], &[vec!["Siti", "Jl. Merdeka"]]);
        let e = parse(&bytes).unwrap_err().errors;
        assert_eq!(e[0].problem, Problem::new(words::NO_HEADER));
        assert!(is_workbook(&bytes));
        assert!(!is_workbook(b"\"member_id\","));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_reading() {
        let mut bytes = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut bytes));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            std::io::Write::write_all(&mut w, b"<x/>").unwrap();
            w.finish().unwrap();
        }
        assert!(unpacks_within(&bytes, 100));
        assert!(!unpacks_within(&bytes, 2));
        assert!(!unpacks_within(b"PK\x03\x04 garbage", MAX_UNPACKED));
    }

    #[test]
    fn dates_in_text() {
        assert_eq!(iso_date("1/2/2027"), "2027-02-01");
        assert_eq!(iso_date("01-02-2027 00:00:00"), "2027-02-01");
        assert_eq!(iso_date("2027-02-01 00:00:00"), "2027-02-01");
        assert_eq!(iso_date("kemarin"), "kemarin");
        assert_eq!(iso_date(""), "");
    }
}
