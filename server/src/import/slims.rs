//! Parser for the CSV written by SLiMS' "Export Members" tool.
//!
//! Libraries moving to Bilik already keep their members in SLiMS, so the
//! operator can hand us SLiMS' export instead of retyping every card. The
//! import is all-or-nothing: [`parse`] either returns every member of the file,
//! validated, or every problem it found (capped at [`MAX_REPORTED_ERRORS`](crate::import::member::MAX_REPORTED_ERRORS)), so
//! the operator can fix the file in one pass and a half-imported file never
//! exists.
//!
//! The dialect is SLiMS' own, not RFC 4180: fields are separated by `,`, may be
//! enclosed in `"`, and use backslash escapes (`\"`, `\\`, `\n`, `\r`, `\t`,
//! `\,`; any other `\x` stands for `x`). A doubled quote inside a quoted field
//! is also read as one quote, so a file re-saved by a spreadsheet still reads.
//! Lines may end with a trailing separator, which SLiMS writes after the last
//! field.
//!
//! `reader` splits the file into records; [`crate::import::member`]
//! validates each row (shared with the other importers).

mod reader;

use crate::import::member::{
    self, Field, Gender, ImportErrors, ImportedMember, Layout, Problem, Sink,
};
use bilik_proto::catalog::import as words;
use reader::{Reader, lines_within, undecodable_lines};
use std::collections::HashMap;

/// The columns of a SLiMS member export, in file order; the last one
/// (`mpasswd`) is optional. Used to name the column of a problem.
const COLUMNS: [&str; 19] = [
    "member_id",
    "member_name",
    "gender",
    "member_type_name",
    "member_email",
    "member_address",
    "postal_code",
    "inst_name",
    "is_new",
    "member_image",
    "pin",
    "member_phone",
    "member_fax",
    "member_since_date",
    "register_date",
    "expire_date",
    "birth_date",
    "member_notes",
    "mpasswd",
];

const MEMBER_ID: usize = 0;
const MEMBER_NAME: usize = 1;
const GENDER: usize = 2;
const MEMBER_TYPE_NAME: usize = 3;
const MEMBER_EMAIL: usize = 4;
const MEMBER_ADDRESS: usize = 5;
const POSTAL_CODE: usize = 6;
const INST_NAME: usize = 7;
const MEMBER_PHONE: usize = 11;
const MEMBER_SINCE_DATE: usize = 13;
const REGISTER_DATE: usize = 14;
const EXPIRE_DATE: usize = 15;
const BIRTH_DATE: usize = 16;
const MEMBER_NOTES: usize = 17;

/// Fields in a row without the optional `mpasswd` column.
const MIN_FIELDS: usize = 18;
/// Fields in a row with the optional `mpasswd` column.
const MAX_FIELDS: usize = 19;
/// Fields kept per record; a garbage line with millions of separators is only
/// counted beyond this, not stored.
pub(crate) const STORED_FIELDS: usize = MAX_FIELDS + 2;

/// Where a SLiMS export keeps each member field.
const LAYOUT: Layout = Layout {
    card: MEMBER_ID,
    name: MEMBER_NAME,
    gender: Some(GENDER),
    gender_code: parse_gender,
    category: Some(MEMBER_TYPE_NAME),
    email: Some(MEMBER_EMAIL),
    address: &[MEMBER_ADDRESS, POSTAL_CODE],
    institution: Some(INST_NAME),
    phone: Some(MEMBER_PHONE),
    member_since: Some(MEMBER_SINCE_DATE),
    registered: Some(REGISTER_DATE),
    expires: EXPIRE_DATE,
    birth_date: Some(BIRTH_DATE),
    notes: Some(MEMBER_NOTES),
    occupation: None,
    education: None,
    status: None,
};

/// Parses a SLiMS member export and validates every row.
///
/// Returns all members in file order, or every problem found in the file
/// (the import is all-or-nothing). An empty file, or one holding only the
/// header line, yields no members.
pub fn parse(input: &[u8]) -> Result<Vec<ImportedMember>, ImportErrors> {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let undecodable = undecodable_lines(body);
    let text = String::from_utf8_lossy(body);
    let mut reader = Reader::new(&text);
    let mut sink = Sink::new(&COLUMNS);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut members = Vec::new();
    let mut first = true;

    while let Some(record) = reader.next_record(&mut sink) {
        let bad_lines = lines_within(&undecodable, record.line, record.last_line);
        for &line in bad_lines {
            sink.push(line, Problem::new(words::NOT_UTF8));
        }
        let is_header = first
            && record
                .fields
                .first()
                .is_some_and(|f| f.value.trim().eq_ignore_ascii_case("member_id"));
        first = false;
        // A record with broken quoting or undecodable bytes has already been
        // reported; its fields are not trustworthy enough to check further.
        if is_header || record.broken || !bad_lines.is_empty() {
            continue;
        }

        let mut fields: &[Field] = &record.fields;
        let mut count = record.count;
        if (count == MAX_FIELDS || count == MAX_FIELDS + 1)
            && fields.last().is_some_and(|f| f.value.is_empty() && !f.bad)
        {
            // SLiMS' trailing separator.
            count -= 1;
            fields = fields.get(..count).unwrap_or(fields);
        }
        if !(MIN_FIELDS..=MAX_FIELDS).contains(&count) {
            sink.push(record.line, Problem::with(words::FIELD_COUNT, record.count));
            continue;
        }
        if let Some(member) = member::validate(record.line, fields, &LAYOUT, &mut seen, &mut sink) {
            members.push(member);
        }
    }

    if sink.is_empty() {
        Ok(members)
    } else {
        Err(sink.finish())
    }
}

/// Reads SLiMS' gender code: `1` male, `0` female, empty unknown.
fn parse_gender(value: &str) -> Result<Gender, Problem> {
    match value {
        "1" => Ok(Gender::Male),
        "0" => Ok(Gender::Female),
        "" => Ok(Gender::Unspecified),
        _ => Err(Problem::new(words::SLIMS_GENDER)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::import::member::{MAX_REPORTED_ERRORS, RowError};
    use bilik_proto::catalog::Lang;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const HEADER: &str = "\"member_id\",\"member_name\",\"gender\",\"member_type_name\",\
        \"member_email\",\"member_address\",\"postal_code\",\"inst_name\",\"is_new\",\
        \"member_image\",\"pin\",\"member_phone\",\"member_fax\",\"member_since_date\",\
        \"register_date\",\"expire_date\",\"birth_date\",\"member_notes\",";

    /// A SLiMS-style line: every field quoted, trailing separator.
    fn row(fields: &[&str]) -> String {
        let mut line: String = fields.iter().map(|f| format!("\"{f}\",")).collect();
        line.push('\n');
        line
    }

    /// A valid 18-field row with the given id, expire date and gender.
    fn member(id: &str, gender: &str, expire: &str) -> String {
        row(&[
            id,
            "Some Body",
            gender,
            "Umum",
            "",
            "",
            "",
            "",
            "0",
            "",
            "",
            "",
            "",
            "",
            "",
            expire,
            "",
            "",
        ])
    }

    fn realistic() -> String {
        let mut file = String::from(HEADER);
        file.push('\n');
        file += &row(&[
            "m0001",
            "Siti Aminah",
            "0",
            "Umum",
            "siti@example.org",
            "Jl. Merdeka No. 10, Bandung",
            "40111",
            "Universitas Padjadjaran",
            "0",
            "member_m0001.jpg",
            "3273010101900001",
            "08123456789",
            "",
            "2019-08-01",
            "2024-01-15",
            "2026-01-15",
            "1990-01-01",
            "",
        ]);
        file += &row(&[
            "M0002",
            "Budi Santoso",
            "1",
            "Pelajar",
            "",
            "Jl. Asia Afrika 5",
            "",
            "SMAN 3 Bandung",
            "1",
            "",
            "",
            "0812 0000 1111",
            "",
            "0000-00-00",
            "2024-02-01",
            "2025-02-01",
            "2008-05-17",
            "Kartu hilang sekali",
        ]);
        file += &row(&[
            "2024/0003",
            "Ni Luh Putu",
            "",
            "Umum",
            "",
            "",
            "80361",
            "",
            "0",
            "",
            "",
            "",
            "",
            "",
            "",
            "2025-12-31",
            "",
            "",
        ]);
        file
    }

    fn refused(input: &[u8]) -> Vec<RowError> {
        parse(input).unwrap_err().errors
    }

    #[test]
    fn realistic_export_parses() {
        let members = parse(realistic().as_bytes()).unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(
            members[0],
            ImportedMember {
                line: 2,
                card: "M0001".into(),
                name: "Siti Aminah".into(),
                gender: Gender::Female,
                category: "Umum".into(),
                email: "siti@example.org".into(),
                address: "Jl. Merdeka No. 10, Bandung, 40111".into(),
                institution: "Universitas Padjadjaran".into(),
                phone: "08123456789".into(),
                member_since: Some(date(2019, 8, 1)),
                registered: Some(date(2024, 1, 15)),
                expires: date(2026, 1, 15),
                birth_date: Some(date(1990, 1, 1)),
                notes: String::new(),
                occupation: String::new(),
                education: String::new(),
                status: None,
            }
        );
        let budi = &members[1];
        assert_eq!(budi.line, 3);
        assert_eq!(budi.gender, Gender::Male);
        assert_eq!(budi.address, "Jl. Asia Afrika 5");
        assert_eq!(budi.member_since, None);
        assert_eq!(budi.phone, "0812 0000 1111");
        assert_eq!(budi.notes, "Kartu hilang sekali");
        let ni = &members[2];
        assert_eq!(ni.card, "2024/0003");
        assert_eq!(ni.gender, Gender::Unspecified);
        assert_eq!(ni.address, "80361");
        assert_eq!(ni.registered, None);
        assert_eq!(ni.birth_date, None);
        assert_eq!(ni.expires, date(2025, 12, 31));
    }

    #[test]
    fn header_is_optional_and_case_insensitive() {
        let file = member("A1", "1", "2025-01-01");
        assert_eq!(parse(file.as_bytes()).unwrap()[0].line, 1);
        let file = format!(" MEMBER_ID ,whatever\n{file}");
        assert_eq!(parse(file.as_bytes()).unwrap()[0].line, 2);
    }

    #[test]
    fn quotes_escapes_and_multiline_fields() {
        let file = concat!(
            "\"Q1\",\"Dewi \\\"Dee\\\" Lestari\",\"0\",\"Umum\",\"\",",
            "\"Jl. A\\, No. 1\\\\2\",\"\",\"\",\"0\",\"\",\"\",\"\",\"\",\"\",\"\",",
            "\"2025-06-30\",\"\",\"first line\nsecond line\\tTAB\\nthird\\x\",\n",
            "  Q2 , Plain Name ,1,  Umum,,,,,0,,,,,,,2025-06-30,,\"a \"\"quoted\"\" word\" ,\n",
        );
        let members = parse(file.as_bytes()).unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].name, "Dewi \"Dee\" Lestari");
        assert_eq!(members[0].address, "Jl. A, No. 1\\2");
        assert_eq!(members[0].notes, "first line\nsecond line\tTAB\nthirdx");
        // The second record starts on physical line 3, after the multi-line
        // field.
        assert_eq!(members[1].line, 3);
        assert_eq!(members[1].card, "Q2");
        assert_eq!(members[1].name, "Plain Name");
        assert_eq!(members[1].category, "Umum");
        assert_eq!(members[1].notes, "a \"quoted\" word");
    }

    #[test]
    fn crlf_line_endings() {
        let file = realistic().replace('\n', "\r\n");
        let members = parse(file.as_bytes()).unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(members[2].line, 4);
        assert_eq!(members[2].expires, date(2025, 12, 31));

        // A CRLF inside a quoted field becomes a plain newline.
        let file = member("C1", "1", "2025-01-01").replace("\"\",\n", "\"x\r\ny\",\r\n");
        assert_eq!(parse(file.as_bytes()).unwrap()[0].notes, "x\ny");
    }

    #[test]
    fn bom_and_blank_lines_are_skipped() {
        let file = format!("\u{feff}\n   \n{}\n\n", realistic());
        let members = parse(file.as_bytes()).unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].line, 4);
    }

    #[test]
    fn nineteen_columns_with_mpasswd() {
        let with_password = |trailing: &str| {
            let line = member("P1", "1", "2025-01-01");
            format!("{}\"$2y$10$abcdef\"{trailing}\n", line.trim_end())
        };
        for trailing in ["", ","] {
            let members = parse(with_password(trailing).as_bytes()).unwrap();
            assert_eq!(members.len(), 1);
            assert_eq!(members[0].card, "P1");
        }
        // 18 fields without the trailing separator are fine as well.
        let line = member("P2", "1", "2025-01-01");
        let line = format!("{}\n", line.trim_end().trim_end_matches(','));
        assert_eq!(parse(line.as_bytes()).unwrap()[0].card, "P2");
    }

    #[test]
    fn one_bad_expire_date_among_good_rows() {
        let mut file = realistic();
        file += &member("M0004", "1", "2025-02-30");
        let errors = refused(file.as_bytes());
        assert_eq!(
            errors,
            vec![RowError {
                line: 5,
                column: Some("expire_date"),
                field: None,
                problem: Problem::new(words::NOT_A_DATE),
            }]
        );
        // Named by line and column, in either language; the value is not
        // quoted back.
        assert_eq!(
            errors[0].to_string(),
            "line 5, column expire_date: Not a date (write YYYY-MM-DD)."
        );
        assert_eq!(
            errors[0].describe(Lang::Id),
            "baris 5, kolom expire_date: Bukan tanggal (tulis TTTT-BB-HH)."
        );
    }

    #[test]
    fn several_bad_rows_are_all_reported() {
        let mut file = String::from(HEADER);
        file.push('\n');
        file += &member("OK1", "1", "2025-01-01"); // line 2
        file += &member("B1", "1", "2025-13-01"); // line 3
        file += &member("B2", "1", "abc"); // line 4
        file += &member("", "", ""); // line 5: two problems
        file += &member("bad id!", "1", "2025-01-01"); // line 6
        file += &member("B3", "1", "0000-00-00"); // line 7
        file += &member("B4", "1", "2025-1-01"); // line 8
        file += &member(&"X".repeat(65), "1", "2025-01-01"); // line 9
        let mut long_name = member("B5", "1", "2025-01-01");
        long_name = long_name.replace("Some Body", &"n".repeat(201)); // line 10
        file += &long_name;
        let errors = refused(file.as_bytes());
        let found: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            found,
            vec![
                (3, Some("expire_date")),
                (4, Some("expire_date")),
                (5, Some("member_id")),
                (5, Some("expire_date")),
                (6, Some("member_id")),
                (7, Some("expire_date")),
                (8, Some("expire_date")),
                (9, Some("member_id")),
                (10, Some("member_name")),
            ]
        );
        // No problem quotes the cell back (the file is hostile).
        let all = ImportErrors { errors };
        for lang in [Lang::Id, Lang::En] {
            let text = all.describe(lang);
            for value in ["2025-13-01", "abc", "bad id!", "XXXX", "nnnn"] {
                assert!(!text.contains(value), "{value} echoed in {text}");
            }
        }
        assert!(
            all.to_string()
                .starts_with("9 problem(s) in the file; first: line 3")
        );
    }

    #[test]
    fn wrong_field_count() {
        let mut file = realistic();
        file += "\"M9\",\"Short\",\"1\",\"Umum\",\"\",\"\",\"\"\n";
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 5);
        assert_eq!(errors[0].column, None);
        assert_eq!(
            errors[0].to_string(),
            "line 5: Expected 18 or 19 fields, found 7."
        );
        // The catalogue's sentence says the counts this reader checks.
        let said = words::FIELD_COUNT.en;
        assert!(
            said.contains(&format!("{MIN_FIELDS} or {MAX_FIELDS}")),
            "{said}"
        );

        // 20 fields whose last is not empty is one too many.
        let line = member("M10", "1", "2025-01-01");
        let line = format!("{}\"pw\",\"extra\"\n", line.trim_end());
        assert_eq!(
            refused(line.as_bytes())[0].problem,
            Problem::with(words::FIELD_COUNT, 20)
        );
    }

    #[test]
    fn binary_garbage_is_refused() {
        let garbage = [0xff, 0x00, 0xfe, b',', 0x01, b'\n', 0x80, 0x81, b'"', 0x00];
        let errors = refused(&garbage);
        assert!(
            errors
                .iter()
                .any(|e| e.line == 1 && e.problem.text == words::NOT_UTF8)
        );
        assert!(
            errors
                .iter()
                .any(|e| e.line == 2 && e.problem.text == words::NOT_UTF8)
        );

        // One non-UTF-8 line among good ones is named.
        let mut file = realistic().into_bytes();
        file.extend_from_slice(b"\"M5\",\"Jos\xe9\",");
        file.extend_from_slice(member("", "", "").split_once(',').unwrap().1.as_bytes());
        let errors = refused(&file);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 5);
        assert_eq!(errors[0].column, None);
    }

    #[test]
    fn control_characters_are_refused() {
        let file = member("N1", "1", "2025-01-01").replace("Some Body", "Some\0Body");
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, Some("member_name"));
        assert_eq!(errors[0].problem, Problem::new(words::CONTROL_CHARACTER));

        // A raw tab is only allowed inside quotes.
        let file = format!("N2,Some\tBody{}", &member("", "", "2025-01-01")[7..]);
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, Some("member_name"));
    }

    #[test]
    fn broken_quoting_is_refused() {
        let mut file = realistic();
        file += "\"M5\",\"Unclosed,\n";
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (5, Some("member_name")));

        let file = member("M6", "1", "2025-01-01").replace("\"Some Body\"", "\"Some\" Body");
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, Some("member_name"));
        assert_eq!(errors[0].problem, Problem::new(words::AFTER_QUOTE));
    }

    #[test]
    fn duplicate_ids() {
        let mut file = String::from(HEADER);
        file.push('\n');
        file += &member("dup-1", "1", "2025-01-01");
        file += &member("X", "1", "2025-01-01");
        file += &member(" DUP-1 ", "0", "2025-01-01");
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (4, Some("member_id")));
        assert_eq!(errors[0].problem, Problem::with(words::DUPLICATE_CARD, 2));
        // The card itself is not quoted back.
        assert!(!errors[0].to_string().contains("DUP"), "{}", errors[0]);
    }

    #[test]
    fn gender_two_is_an_error() {
        let errors = refused(member("G1", "2", "2025-01-01").as_bytes());
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (1, Some("gender")));
    }

    #[test]
    fn zero_birth_date_is_none() {
        let file = member("Z1", "1", "2025-01-01")
            .replace("\"2025-01-01\",\"\"", "\"2025-01-01\",\"0000-00-00\"");
        assert!(file.contains("0000-00-00"));
        let members = parse(file.as_bytes()).unwrap();
        assert_eq!(members[0].birth_date, None);
    }

    #[test]
    fn empty_file_and_header_only() {
        assert_eq!(parse(b"").unwrap(), vec![]);
        assert_eq!(parse(b"\xEF\xBB\xBF\r\n\n").unwrap(), vec![]);
        assert_eq!(parse(HEADER.as_bytes()).unwrap(), vec![]);
        assert_eq!(parse(format!("{HEADER}\r\n").as_bytes()).unwrap(), vec![]);
    }

    #[test]
    fn reported_errors_are_capped() {
        let file: String = (0..250)
            .map(|i| member(&format!("C{i}"), "7", "2025-01-01"))
            .collect();
        let errors = refused(file.as_bytes());
        assert_eq!(errors.len(), MAX_REPORTED_ERRORS + 1);
        assert_eq!(errors[99].line, 100);
        let last = &errors[MAX_REPORTED_ERRORS];
        assert_eq!((last.line, last.column), (101, None));
        assert_eq!(last.problem, Problem::with(words::MORE_PROBLEMS, 150));
    }

    #[test]
    fn never_panics_on_prefixes_or_byte_soup() {
        let mut valid = realistic().replace('\n', "\r\n").into_bytes();
        valid.splice(0..0, *b"\xEF\xBB\xBF");
        valid.extend_from_slice("\"\u{e9}\\\"x\",\"multi\nline\",\"a\\\\\",\"\\".as_bytes());
        for end in 0..=valid.len() {
            let _ = parse(&valid[..end]);
        }

        // A deterministic linear congruential generator; the soup favours
        // bytes that matter to the parser.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u32
        };
        let interesting = b",\"\\\r\n 0-9\xEF\xBB\xBF\xff\x00\tm";
        for _ in 0..500 {
            let len = (next() % 300) as usize;
            let soup: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % 2 == 0 {
                        interesting[(next() as usize) % interesting.len()]
                    } else {
                        next() as u8
                    }
                })
                .collect();
            if let Err(e) = parse(&soup) {
                assert!(!e.errors.is_empty());
                assert!(e.errors.len() <= MAX_REPORTED_ERRORS + 1);
            }
            // Soup spliced into a valid file.
            let mut mixed = valid.clone();
            let at = (next() as usize) % mixed.len();
            mixed.splice(at..at, soup);
            let _ = parse(&mixed);
        }
    }
}
