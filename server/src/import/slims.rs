//! Parser for the CSV written by SLiMS' "Export Members" tool.
//!
//! Libraries moving to Bilik already keep their members in SLiMS, so the
//! operator can hand us SLiMS' export instead of retyping every card. The
//! import is all-or-nothing: [`parse`] either returns every member of the file,
//! validated, or every problem it found (capped at [`MAX_REPORTED_ERRORS`]), so
//! the operator can fix the file in one pass and a half-imported file never
//! exists.
//!
//! The dialect is SLiMS' own, not RFC 4180: fields are separated by `,`, may be
//! enclosed in `"`, and use backslash escapes (`\"`, `\\`, `\n`, `\r`, `\t`,
//! `\,`; any other `\x` stands for `x`). A doubled quote inside a quoted field
//! is also read as one quote, so a file re-saved by a spreadsheet still reads.
//! Lines may end with a trailing separator, which SLiMS writes after the last
//! field.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

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
const STORED_FIELDS: usize = MAX_FIELDS + 2;

/// Longest accepted member id (card number), in characters.
const MAX_CARD_LEN: usize = 64;
/// Longest accepted member name, in characters.
const MAX_NAME_LEN: usize = 200;
/// Longest excerpt of an offending value quoted back in a message, in
/// characters, so a garbage field cannot bloat the error report.
const MAX_SHOWN_VALUE: usize = 40;

/// How many problems [`parse`] reports before summarising the rest in one
/// final "... and N more" entry, so a garbage file cannot produce a huge
/// response.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One member as read from a SLiMS export, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlimsMember {
    /// Physical line (1-based) the record starts on, so the caller can point
    /// the operator at the row (e.g. when a card already exists in Bilik).
    pub line: usize,
    /// The SLiMS `member_id`, trimmed and ASCII-uppercased: the card number
    /// the member logs in with, normalised so lookups are case-insensitive.
    pub card: String,
    /// The member's name (`member_name`), trimmed; shown to staff and on the
    /// station's session screen.
    pub name: String,
    /// The member's gender, kept for the library's usage statistics.
    pub gender: Gender,
    /// The SLiMS member type (`member_type_name`), trimmed; maps to a Bilik
    /// member category (and so to quotas and tariffs).
    pub category: String,
    /// Contact e-mail (`member_email`), trimmed; may be empty.
    pub email: String,
    /// Postal address (`member_address`), trimmed, followed by `", "` and the
    /// `postal_code` when that is not empty; may be empty. Bilik keeps one
    /// address line, so the two SLiMS columns are joined.
    pub address: String,
    /// The member's school or institution (`inst_name`), trimmed; may be
    /// empty. Libraries report usage per institution.
    pub institution: String,
    /// Contact phone number (`member_phone`), trimmed; may be empty.
    pub phone: String,
    /// When the person first became a member (`member_since_date`), if SLiMS
    /// knows it; kept so the import does not lose membership history.
    pub member_since: Option<NaiveDate>,
    /// When the current membership was registered (`register_date`), if SLiMS
    /// knows it.
    pub registered: Option<NaiveDate>,
    /// Last day of the membership (`expire_date`); Bilik refuses logins after
    /// it, so every imported member must have one.
    pub expires: NaiveDate,
    /// Date of birth (`birth_date`), if known; used for age-based rules
    /// (e.g. children's time limits).
    pub birth_date: Option<NaiveDate>,
    /// Free-text staff notes (`member_notes`), trimmed; may span lines.
    pub notes: String,
}

/// A member's gender as SLiMS records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// SLiMS left the column empty.
    Unspecified,
    /// SLiMS wrote `1`.
    Male,
    /// SLiMS wrote `0`.
    Female,
}

/// One problem in the file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Physical line (1-based, header included) the offending record starts
    /// on, or the non-UTF-8 line itself, so the operator can find it.
    pub line: usize,
    /// The SLiMS column at fault, when the problem is in one field; `None`
    /// for problems with the whole line (wrong field count, bad encoding).
    pub column: Option<&'static str>,
    /// What is wrong, in English, for the operator.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// The whole file was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summarize(&self.errors))]
pub struct ImportErrors {
    /// The problems in file order; never empty when returned by [`parse`].
    /// At most [`MAX_REPORTED_ERRORS`] entries, plus one final "... and N
    /// more" entry when there were more.
    pub errors: Vec<RowError>,
}

/// The one-line description of an [`ImportErrors`].
fn summarize(errors: &[RowError]) -> String {
    match errors.first() {
        Some(first) => format!("{} problem(s) in the file; first: {first}", errors.len()),
        None => "the file was refused".to_owned(),
    }
}

/// Parses a SLiMS member export and validates every row.
///
/// Returns all members in file order, or every problem found in the file
/// (the import is all-or-nothing). An empty file, or one holding only the
/// header line, yields no members.
pub fn parse(input: &[u8]) -> Result<Vec<SlimsMember>, ImportErrors> {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let undecodable = undecodable_lines(body);
    let text = String::from_utf8_lossy(body);
    let mut reader = Reader::new(&text);
    let mut sink = Sink::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut members = Vec::new();
    let mut first = true;

    while let Some(record) = reader.next_record(&mut sink) {
        let bad_lines = lines_within(&undecodable, record.line, record.last_line);
        for &line in bad_lines {
            sink.push(
                line,
                None,
                "not valid UTF-8 text; save the export as UTF-8".to_owned(),
            );
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
            sink.push(
                record.line,
                None,
                format!(
                    "expected {MIN_FIELDS} or {MAX_FIELDS} fields, found {}",
                    record.count
                ),
            );
            continue;
        }
        if let Some(member) = validate(record.line, fields, &mut seen, &mut sink) {
            members.push(member);
        }
    }

    if sink.errors.is_empty() {
        Ok(members)
    } else {
        Err(sink.finish())
    }
}

/// Collects problems in file order, keeping the first
/// [`MAX_REPORTED_ERRORS`] and only counting the rest.
#[derive(Debug, Default)]
struct Sink {
    /// The problems kept so far.
    errors: Vec<RowError>,
    /// How many problems were dropped after the cap.
    omitted: usize,
    /// Line of the first dropped problem.
    first_omitted_line: usize,
}

impl Sink {
    /// Records one problem (or counts it, past the cap).
    fn push(&mut self, line: usize, column: Option<&'static str>, message: String) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError {
                line,
                column,
                message,
            });
        } else {
            if self.omitted == 0 {
                self.first_omitted_line = line;
            }
            self.omitted += 1;
        }
    }

    /// The final report, with the "... and N more" entry if problems were
    /// dropped.
    fn finish(mut self) -> ImportErrors {
        // Problems arrive in line order, but within a record those found
        // while reading it come before those found while validating it; list
        // whole-line problems first, then the columns in file order.
        self.errors.sort_by_key(|e| {
            let column = e
                .column
                .and_then(|c| COLUMNS.iter().position(|&name| name == c))
                .map_or(0, |i| i + 1);
            (e.line, column)
        });
        if self.omitted > 0 {
            self.errors.push(RowError {
                line: self.first_omitted_line,
                column: None,
                message: format!("... and {} more problem(s) from this line on", self.omitted),
            });
        }
        ImportErrors {
            errors: self.errors,
        }
    }
}

/// The 1-based numbers of the physical lines of `body` that are not valid
/// UTF-8, in ascending order.
fn undecodable_lines(body: &[u8]) -> Vec<usize> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| std::str::from_utf8(line).is_err())
        .map(|(index, _)| index + 1)
        .collect()
}

/// The entries of the sorted `lines` that fall within `first..=last`.
fn lines_within(lines: &[usize], first: usize, last: usize) -> &[usize] {
    let start = lines.partition_point(|&l| l < first);
    let end = lines.partition_point(|&l| l <= last);
    lines.get(start..end).unwrap_or(&[])
}

/// The name of the column at `index`, if the export has one there.
fn column_name(index: usize) -> Option<&'static str> {
    COLUMNS.get(index).copied()
}

/// One field of a record, unescaped.
#[derive(Debug, Default)]
struct Field {
    /// The field's text: unescaped; surrounding spaces trimmed when unquoted.
    value: String,
    /// A problem in this field was already reported, so it is not validated
    /// again (and the row yields no member).
    bad: bool,
}

/// One record (row) of the file.
#[derive(Debug)]
struct Record {
    /// Physical line the record starts on.
    line: usize,
    /// Physical line the record ends on (differs when a quoted field spans
    /// lines).
    last_line: usize,
    /// The first [`STORED_FIELDS`] fields.
    fields: Vec<Field>,
    /// How many fields the record has, stored or not.
    count: usize,
    /// The record's quoting is broken, so its field boundaries are unreliable.
    broken: bool,
}

/// What ended a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// A `,`: another field follows.
    Separator,
    /// The end of the line (not yet consumed) or of the file.
    Record,
}

/// Splits the decoded text into records and fields, reporting syntax problems.
#[derive(Debug)]
struct Reader<'a> {
    /// The whole decoded file, without BOM.
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    /// Physical line (1-based) of the next character.
    line: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    fn new(text: &'a str) -> Self {
        Reader {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The unread text.
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// The next character, not consumed.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Consumes and returns the next character, counting lines.
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Whether the next character ends the physical line (`\n`, `\r\n`, a
    /// final `\r`, or the end of the file).
    fn at_line_end(&self) -> bool {
        let mut chars = self.rest().chars();
        match chars.next() {
            None | Some('\n') => true,
            Some('\r') => matches!(chars.next(), None | Some('\n')),
            Some(_) => false,
        }
    }

    /// Consumes a line ending, if one is next.
    fn eat_line_end(&mut self) {
        if self.peek() == Some('\r') {
            self.bump();
        }
        if self.peek() == Some('\n') {
            self.bump();
        }
    }

    /// Skips lines holding only whitespace; returns whether any text is left.
    fn skip_blank_lines(&mut self) -> bool {
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return false;
            }
            let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let line = rest.get(..line_len).unwrap_or(rest);
            if !line.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                return true;
            }
            self.pos += line_len;
            if line.ends_with('\n') {
                self.line += 1;
            }
        }
    }

    /// Reads the next non-blank record, or `None` at the end of the file.
    fn next_record(&mut self, sink: &mut Sink) -> Option<Record> {
        if !self.skip_blank_lines() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::new();
        let mut count = 0;
        let mut broken = false;
        loop {
            let (field, field_broken, end) = self.read_field(line, count, sink);
            count += 1;
            broken |= field_broken;
            if fields.len() < STORED_FIELDS {
                fields.push(field);
            }
            if end == End::Record {
                break;
            }
        }
        let last_line = self.line;
        self.eat_line_end();
        Some(Record {
            line,
            last_line,
            fields,
            count,
            broken,
        })
    }

    /// Reads one field (the `index`-th of the record starting on `line`).
    /// Returns the field, whether the record's quoting is broken, and what
    /// ended the field. A line ending is left unconsumed.
    fn read_field(&mut self, line: usize, index: usize, sink: &mut Sink) -> (Field, bool, End) {
        let mut field = FieldBuilder {
            field: Field::default(),
            line,
            index,
        };
        while self.peek() == Some(' ') {
            self.bump();
        }
        if self.peek() != Some('"') {
            let end = self.read_unquoted(&mut field, sink);
            return (field.field, false, end);
        }
        self.bump();
        loop {
            let Some(c) = self.bump() else {
                sink.push(
                    line,
                    column_name(index),
                    field.locate("quoted field is not closed before the end of the file"),
                );
                return (field.field, true, End::Record);
            };
            match c {
                '"' if self.peek() == Some('"') => {
                    self.bump();
                    field.field.value.push('"');
                }
                '"' => break,
                '\\' => {
                    // At the end of the file the next turn reports the
                    // unclosed quote.
                    if let Some(escaped) = self.bump() {
                        field.push(unescape(escaped), escaped, true, sink);
                    }
                }
                '\r' if self.peek() == Some('\n') => {
                    self.bump();
                    field.field.value.push('\n');
                }
                other => field.push(other, other, true, sink),
            }
        }
        while self.peek() == Some(' ') {
            self.bump();
        }
        if self.at_line_end() {
            return (field.field, false, End::Record);
        }
        if self.peek() == Some(',') {
            self.bump();
            return (field.field, false, End::Separator);
        }
        sink.push(
            line,
            column_name(index),
            field.locate("unexpected text after the closing quote"),
        );
        // Skip the rest of the field so the following ones stay aligned.
        loop {
            if self.at_line_end() {
                return (field.field, true, End::Record);
            }
            match self.bump() {
                Some(',') => return (field.field, true, End::Separator),
                Some('\\') if !self.at_line_end() => {
                    self.bump();
                }
                _ => {}
            }
        }
    }

    /// Reads the rest of an unquoted field into `field`, trimming trailing
    /// spaces (leading ones are already skipped).
    fn read_unquoted(&mut self, field: &mut FieldBuilder, sink: &mut Sink) -> End {
        // Length of the value up to its last character that is not a raw
        // space.
        let mut keep = 0;
        let end = loop {
            if self.at_line_end() {
                break End::Record;
            }
            match self.bump() {
                None => break End::Record,
                Some(',') => break End::Separator,
                Some('\\') => {
                    if self.at_line_end() {
                        field.report("backslash at the end of a line escapes nothing", sink);
                    } else if let Some(escaped) = self.bump() {
                        field.push(unescape(escaped), escaped, false, sink);
                        keep = field.field.value.len();
                    }
                }
                Some(c) => {
                    field.push(c, c, false, sink);
                    if c != ' ' {
                        keep = field.field.value.len();
                    }
                }
            }
        };
        field.field.value.truncate(keep);
        end
    }
}

/// A field being read, with what is needed to report problems in it.
#[derive(Debug)]
struct FieldBuilder {
    /// The field so far.
    field: Field,
    /// Line the record starts on.
    line: usize,
    /// Position of the field in the record.
    index: usize,
}

impl FieldBuilder {
    /// Appends `c`, which was written as `raw` in the file (`raw` differs
    /// after a backslash), refusing raw control characters. Tab, CR and LF
    /// are allowed raw inside quotes only.
    fn push(&mut self, c: char, raw: char, quoted: bool, sink: &mut Sink) {
        if raw.is_control() && !(quoted && matches!(raw, '\t' | '\n' | '\r')) {
            let message = format!("control character U+{:04X} is not allowed", u32::from(raw));
            self.report(&message, sink);
        }
        self.field.value.push(c);
    }

    /// Reports a problem in this field, once per field.
    fn report(&mut self, message: &str, sink: &mut Sink) {
        if !self.field.bad {
            self.field.bad = true;
            sink.push(self.line, column_name(self.index), self.locate(message));
        }
    }

    /// `message`, plus the field's position when it has no column name.
    fn locate(&self, message: &str) -> String {
        match column_name(self.index) {
            Some(_) => message.to_owned(),
            None => format!("{message} (field {})", self.index + 1),
        }
    }
}

/// The character a backslash followed by `c` stands for.
fn unescape(c: char) -> char {
    match c {
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        other => other,
    }
}

/// Checks one record with the right number of fields and turns it into a
/// member, reporting every problem; `None` if it had any (including ones
/// reported while reading it).
fn validate(
    line: usize,
    fields: &[Field],
    seen: &mut HashMap<String, usize>,
    sink: &mut Sink,
) -> Option<SlimsMember> {
    let mut row = Row {
        line,
        fields,
        sink,
        failed: fields.iter().any(|f| f.bad),
    };

    let card = row.check(MEMBER_ID, parse_card);
    if let Some(card) = &card {
        if let Some(&first) = seen.get(card) {
            row.error(
                MEMBER_ID,
                format!(
                    "duplicate member_id {}, first seen on line {first}",
                    show(card)
                ),
            );
        } else {
            seen.insert(card.clone(), line);
        }
    }
    let name = row.check(MEMBER_NAME, parse_name);
    let gender = row.check(GENDER, parse_gender);
    let member_since = row.check(MEMBER_SINCE_DATE, parse_date);
    let registered = row.check(REGISTER_DATE, parse_date);
    let expires = row.check(EXPIRE_DATE, parse_required_date);
    let birth_date = row.check(BIRTH_DATE, parse_date);
    if row.failed {
        return None;
    }

    let address = [row.text(MEMBER_ADDRESS), row.text(POSTAL_CODE)]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Some(SlimsMember {
        line,
        card: card?,
        name: name?,
        gender: gender?,
        category: row.text(MEMBER_TYPE_NAME).to_owned(),
        email: row.text(MEMBER_EMAIL).to_owned(),
        address,
        institution: row.text(INST_NAME).to_owned(),
        phone: row.text(MEMBER_PHONE).to_owned(),
        member_since: member_since?,
        registered: registered?,
        expires: expires?,
        birth_date: birth_date?,
        notes: row.text(MEMBER_NOTES).to_owned(),
    })
}

/// One row being validated.
#[derive(Debug)]
struct Row<'a> {
    /// Line the record starts on.
    line: usize,
    /// The record's fields (18 or 19).
    fields: &'a [Field],
    /// Where problems go.
    sink: &'a mut Sink,
    /// Whether any problem was found in the row.
    failed: bool,
}

impl Row<'_> {
    /// The trimmed text of column `index` (empty if missing).
    fn text(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", |f| f.value.trim())
    }

    /// Runs `parse` on column `index`, reporting its complaint. Columns with
    /// an already reported problem are skipped.
    fn check<T>(&mut self, index: usize, parse: fn(&str) -> Result<T, String>) -> Option<T> {
        if self.fields.get(index).is_none_or(|f| f.bad) {
            self.failed = true;
            return None;
        }
        match parse(self.text(index)) {
            Ok(value) => Some(value),
            Err(message) => {
                self.error(index, message);
                None
            }
        }
    }

    /// Reports a problem in column `index`.
    fn error(&mut self, index: usize, message: String) {
        self.failed = true;
        self.sink.push(self.line, column_name(index), message);
    }
}

/// Quotes a value for a message, shortened so garbage cannot bloat it.
fn show(value: &str) -> String {
    match value.char_indices().nth(MAX_SHOWN_VALUE) {
        Some((cut, _)) => format!("{:?}...", value.get(..cut).unwrap_or(value)),
        None => format!("{value:?}"),
    }
}

/// Validates and normalises a (trimmed) `member_id`.
fn parse_card(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("required but empty".to_owned());
    }
    if value
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '/' | '_')))
    {
        return Err(format!(
            "only letters A-Z, digits, '-', '.', '/' and '_' are allowed: {}",
            show(value)
        ));
    }
    if value.len() > MAX_CARD_LEN {
        return Err(format!(
            "longer than {MAX_CARD_LEN} characters ({}): {}",
            value.len(),
            show(value)
        ));
    }
    Ok(value.to_ascii_uppercase())
}

/// Validates a (trimmed) `member_name`.
fn parse_name(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("required but empty".to_owned());
    }
    let len = value.chars().count();
    if len > MAX_NAME_LEN {
        return Err(format!(
            "longer than {MAX_NAME_LEN} characters ({len}): {}",
            show(value)
        ));
    }
    Ok(value.to_owned())
}

/// Reads SLiMS' gender code.
fn parse_gender(value: &str) -> Result<Gender, String> {
    match value {
        "1" => Ok(Gender::Male),
        "0" => Ok(Gender::Female),
        "" => Ok(Gender::Unspecified),
        other => Err(format!(
            "expected 1 (male), 0 (female) or empty: {}",
            show(other)
        )),
    }
}

/// Reads an optional date; empty and MySQL's `0000-00-00` mean none.
fn parse_date(value: &str) -> Result<Option<NaiveDate>, String> {
    if value.is_empty() || value == "0000-00-00" {
        return Ok(None);
    }
    strict_date(value)
        .map(Some)
        .ok_or_else(|| format!("not a date (YYYY-MM-DD): {}", show(value)))
}

/// Reads a required date.
fn parse_required_date(value: &str) -> Result<NaiveDate, String> {
    match parse_date(value)? {
        Some(date) => Ok(date),
        None if value.is_empty() => Err("required but empty".to_owned()),
        None => Err(format!("required, but {} means no date", show(value))),
    }
}

/// Parses exactly `YYYY-MM-DD` (chrono's `%Y-%m-%d` would also take
/// unpadded or signed numbers).
fn strict_date(value: &str) -> Option<NaiveDate> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
            SlimsMember {
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
                message: "not a date (YYYY-MM-DD): \"2025-02-30\"".into(),
            }]
        );
        assert_eq!(
            errors[0].to_string(),
            "line 5, column expire_date: not a date (YYYY-MM-DD): \"2025-02-30\""
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
        let display = ImportErrors { errors }.to_string();
        assert!(display.starts_with("9 problem(s) in the file; first: line 3"));
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
            "line 5: expected 18 or 19 fields, found 7"
        );

        // 20 fields whose last is not empty is one too many.
        let line = member("M10", "1", "2025-01-01");
        let line = format!("{}\"pw\",\"extra\"\n", line.trim_end());
        assert_eq!(
            refused(line.as_bytes())[0].message,
            "expected 18 or 19 fields, found 20"
        );
    }

    #[test]
    fn binary_garbage_is_refused() {
        let garbage = [0xff, 0x00, 0xfe, b',', 0x01, b'\n', 0x80, 0x81, b'"', 0x00];
        let errors = refused(&garbage);
        assert!(
            errors
                .iter()
                .any(|e| e.line == 1 && e.message.contains("UTF-8"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.line == 2 && e.message.contains("UTF-8"))
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
        assert!(errors[0].message.contains("U+0000"));

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
        assert!(errors[0].message.contains("closing quote"));
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
        assert!(errors[0].message.contains("line 2"), "{}", errors[0]);
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
        assert!(last.message.contains("150 more"), "{last}");
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
