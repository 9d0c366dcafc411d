//! The step every member import shares: a row of fields, as a system's
//! reader split it from the file, becomes a validated member or a list of
//! problems naming the line and column. The rules themselves (what a card
//! number and a date look like) are [`crate::policy`]'s; this module words
//! the problems for the operator and keeps the all-or-nothing bookkeeping
//! ([`Sink`]). An importer describes where its columns are with a
//! [`Layout`] and calls [`validate`] for each row.

use crate::policy::{self, CardProblem};
use bilik_proto::catalog::{Lang, Text, import as words};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;

/// Longest accepted member name, in characters.
const MAX_NAME_LEN: usize = 200;

/// How many problems an import reports before summarising the rest in one
/// final "... and N more" entry, so a garbage file cannot produce a huge
/// response.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One member as read from another system's export, validated (the
/// column names in these docs are SLiMS').
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMember {
    /// Physical line (1-based) the record starts on, so the caller can point
    /// the operator at the row (e.g. when a card already exists in Bilik).
    pub line: usize,
    /// The `member_id`, trimmed and ASCII-uppercased: the card number
    /// the member logs in with, normalised so lookups are case-insensitive.
    pub card: String,
    /// The member's name (`member_name`), trimmed; shown to staff and on the
    /// station's session screen.
    pub name: String,
    /// The member's gender, kept for the library's usage statistics.
    pub gender: Gender,
    /// The member type (`member_type_name`), trimmed; maps to a Bilik
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
    /// When the person first became a member (`member_since_date`), if the
    /// export knows it; kept so the import does not lose membership history.
    pub member_since: Option<NaiveDate>,
    /// When the current membership was registered (`register_date`), if the
    /// export knows it.
    pub registered: Option<NaiveDate>,
    /// Last day of the membership (`expire_date`); Bilik refuses logins after
    /// it, so every imported member must have one.
    pub expires: NaiveDate,
    /// Date of birth (`birth_date`), if known; used for age-based rules
    /// (e.g. children's time limits).
    pub birth_date: Option<NaiveDate>,
    /// Free-text staff notes (`member_notes`), trimmed; may span lines.
    pub notes: String,
    /// Occupation (INLISLite `pekerjaan`), trimmed; empty when the export
    /// has none. Reports break usage down by it.
    pub occupation: String,
    /// Highest education (INLISLite `pendidikan terakhir`), trimmed; empty
    /// when the export has none. Reports break usage down by it.
    pub education: String,
    /// The membership's standing as the export states it (INLISLite
    /// `status anggota`); `None`: the export does not say, Bilik keeps
    /// what it had (new members are active).
    pub status: Option<Standing>,
}

/// A membership's standing as an export states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// May use the computers.
    Active,
    /// Blocked or no longer active.
    Blocked,
    /// Not active yet.
    Pending,
}

/// A member's gender as the export records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    /// The export left it empty (or has no such column).
    Unspecified,
    /// Male (SLiMS: `1`).
    Male,
    /// Female (SLiMS: `0`).
    Female,
}

/// What is wrong with a cell or a line: a catalogue sentence
/// ([`bilik_proto::catalog::import`]) and the number filling its
/// `{value}`. Never the cell's content: the file is hostile, and the
/// operator has it open anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The sentence, in both languages.
    pub text: Text,
    /// What fills `{value}` (a limit, a count, a line number), chosen by the
    /// importer; empty when the sentence has no `{value}`.
    pub value: String,
}

impl Problem {
    /// A problem whose sentence has no `{value}`.
    pub fn new(text: Text) -> Self {
        Self::with(text, "")
    }

    /// A problem with `{value}` filled with `value`.
    pub fn with(text: Text, value: impl fmt::Display) -> Self {
        Self {
            text,
            value: value.to_string(),
        }
    }

    /// The sentence in `lang`, filled in.
    pub fn get(&self, lang: Lang) -> String {
        self.text.get(lang).replace("{value}", &self.value)
    }
}

/// One problem in the file: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Physical line (1-based, header included) the offending record starts
    /// on, or the non-UTF-8 line itself, so the operator can find it.
    pub line: usize,
    /// The export's column at fault (its name as the importer knows it),
    /// when the problem is in one named field; `None` for problems with the
    /// whole line (wrong field count, bad encoding) or in a field past the
    /// named columns.
    pub column: Option<&'static str>,
    /// The position (1-based) of a field past the export's named columns,
    /// so the operator can still find it; `None` otherwise.
    pub field: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl RowError {
    /// Where in the line the problem is, in `lang`: the column's name, the
    /// field's position, or empty for the whole line.
    pub fn place(&self, lang: Lang) -> String {
        match (self.column, self.field) {
            (Some(column), _) => column.to_owned(),
            (None, Some(field)) => words::FIELD_AT
                .get(lang)
                .replace("{value}", &field.to_string()),
            (None, None) => String::new(),
        }
    }

    /// The problem as one line for a terminal, in `lang`: "line 4, column
    /// expire_date: Not a date (write YYYY-MM-DD).".
    pub fn describe(&self, lang: Lang) -> String {
        let line = words::AT_LINE
            .get(lang)
            .replace("{value}", &self.line.to_string());
        let place = match (self.column, self.field) {
            (Some(column), _) => format!(
                ", {}",
                words::AT_COLUMN.get(lang).replace("{value}", column)
            ),
            (None, Some(_)) => format!(", {}", self.place(lang)),
            (None, None) => String::new(),
        };
        format!("{line}{place}: {}", self.problem.get(lang))
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(Lang::En))
    }
}

/// The whole file was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summarize(&self.errors))]
pub struct ImportErrors {
    /// The problems in file order; never empty when returned by an importer.
    /// At most [`MAX_REPORTED_ERRORS`] entries, plus one final "... and N
    /// more" entry when there were more.
    pub errors: Vec<RowError>,
}

impl ImportErrors {
    /// Every problem, one per line, under the catalogue's heading, in
    /// `lang`: what a terminal shows.
    pub fn describe(&self, lang: Lang) -> String {
        let mut out = words::NOT_IMPORTED.get(lang).to_owned();
        for error in &self.errors {
            out.push('\n');
            out.push_str(&error.describe(lang));
        }
        out
    }
}

/// The one-line description of an [`ImportErrors`] (in English: logs and
/// `Display`).
fn summarize(errors: &[RowError]) -> String {
    match errors.first() {
        Some(first) => format!("{} problem(s) in the file; first: {first}", errors.len()),
        None => "the file was refused".to_owned(),
    }
}

/// One field of a row, as the system's reader produced it.
#[derive(Debug, Default)]
pub struct Field {
    /// The field's text, unescaped (surrounding spaces are trimmed by
    /// [`validate`]).
    pub value: String,
    /// A problem in this field was already reported (by the reader), so it
    /// is not validated again (and the row yields no member).
    pub bad: bool,
}

/// How an export writes a membership's standing: `Ok(None)` when the cell
/// does not say, an `Err` is the problem to report.
pub type StandingCode = fn(&str) -> Result<Option<Standing>, Problem>;

/// Where an export keeps each member field: positions in its rows, and how
/// it writes what differs between systems. `None`: the export has no such
/// column (the member gets the empty value).
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The card number (required).
    pub card: usize,
    /// The member's name (required).
    pub name: usize,
    /// The gender, read with [`Layout::gender_code`].
    pub gender: Option<usize>,
    /// How this export writes a gender (e.g. SLiMS `1`/`0`); an `Err` is the
    /// problem to report.
    pub gender_code: fn(&str) -> Result<Gender, Problem>,
    /// The member type (category).
    pub category: Option<usize>,
    /// The e-mail address.
    pub email: Option<usize>,
    /// The address parts, joined with ", " (empty parts left out): Bilik
    /// keeps one address line.
    pub address: &'static [usize],
    /// The school or institution.
    pub institution: Option<usize>,
    /// The phone number.
    pub phone: Option<usize>,
    /// When the person first became a member (optional date).
    pub member_since: Option<usize>,
    /// When the current membership was registered (optional date).
    pub registered: Option<usize>,
    /// The last valid day (required date).
    pub expires: usize,
    /// The date of birth (optional date).
    pub birth_date: Option<usize>,
    /// Staff notes.
    pub notes: Option<usize>,
    /// The occupation.
    pub occupation: Option<usize>,
    /// The highest education.
    pub education: Option<usize>,
    /// The standing, and how this export writes it (`Ok(None)`: not said).
    pub status: Option<(usize, StandingCode)>,
}

/// Collects problems in file order, keeping the first
/// [`MAX_REPORTED_ERRORS`] and only counting the rest.
#[derive(Debug)]
pub struct Sink {
    /// The export's column names by position: named in problems, and the
    /// order problems of one line are listed in.
    columns: &'static [&'static str],
    /// The problems kept so far.
    errors: Vec<RowError>,
    /// How many problems were dropped after the cap.
    omitted: usize,
    /// Line of the first dropped problem.
    first_omitted_line: usize,
}

impl Sink {
    /// An empty sink for an export with these columns.
    pub fn new(columns: &'static [&'static str]) -> Self {
        Self {
            columns,
            errors: Vec::new(),
            omitted: 0,
            first_omitted_line: 0,
        }
    }

    /// The name of the column at `index`, if the export has one there.
    pub fn column_name(&self, index: usize) -> Option<&'static str> {
        self.columns.get(index).copied()
    }

    /// Whether no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Records one problem with a whole line (or counts it, past the cap).
    pub fn push(&mut self, line: usize, problem: Problem) {
        self.record(line, None, None, problem);
    }

    /// Records one problem in the field at `index` (0-based) of a line:
    /// named by its column, or by its position past the named columns.
    pub fn push_field(&mut self, line: usize, index: usize, problem: Problem) {
        let column = self.column_name(index);
        let field = column.is_none().then_some(index + 1);
        self.record(line, column, field, problem);
    }

    /// Records one problem (or counts it, past the cap).
    fn record(
        &mut self,
        line: usize,
        column: Option<&'static str>,
        field: Option<usize>,
        problem: Problem,
    ) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(RowError {
                line,
                column,
                field,
                problem,
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
    pub fn finish(mut self) -> ImportErrors {
        // Problems arrive in line order, but within a record those found
        // while reading it come before those found while validating it; list
        // whole-line problems first, then the columns in file order.
        self.errors.sort_by_key(|e| {
            let column = e
                .column
                .and_then(|c| self.columns.iter().position(|&name| name == c))
                .map_or(e.field.unwrap_or(0), |i| i + 1);
            (e.line, column)
        });
        if self.omitted > 0 {
            self.errors.push(RowError {
                line: self.first_omitted_line,
                column: None,
                field: None,
                problem: Problem::with(words::MORE_PROBLEMS, self.omitted),
            });
        }
        ImportErrors {
            errors: self.errors,
        }
    }
}

/// Checks one row (its fields where `layout` says) and turns it into a
/// member, reporting every problem to `sink`; `None` if it had any
/// (including ones the reader reported in its fields). `seen` holds the
/// cards of earlier rows and their lines, so a card twice in one file is
/// refused.
pub fn validate(
    line: usize,
    fields: &[Field],
    layout: &Layout,
    seen: &mut HashMap<String, usize>,
    sink: &mut Sink,
) -> Option<ImportedMember> {
    let mut row = Row {
        line,
        fields,
        sink,
        failed: fields.iter().any(|f| f.bad),
    };

    let card = row.check(layout.card, parse_card);
    if let Some(card) = &card {
        if let Some(&first) = seen.get(card) {
            row.error(layout.card, Problem::with(words::DUPLICATE_CARD, first));
        } else {
            seen.insert(card.clone(), line);
        }
    }
    let name = row.check(layout.name, parse_name);
    let gender = match layout.gender {
        Some(index) => row.check(index, layout.gender_code),
        None => Some(Gender::Unspecified),
    };
    let member_since = row.check_optional(layout.member_since, parse_date);
    let registered = row.check_optional(layout.registered, parse_date);
    let expires = row.check(layout.expires, parse_required_date);
    let birth_date = row.check_optional(layout.birth_date, parse_date);
    let status = match layout.status {
        Some((index, code)) => row.check(index, code),
        None => Some(None),
    };
    if row.failed {
        return None;
    }

    let address = layout
        .address
        .iter()
        .map(|&index| row.text(index))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let text = |index: Option<usize>| index.map_or("", |i| row.text(i)).to_owned();
    Some(ImportedMember {
        line,
        card: card?,
        name: name?,
        gender: gender?,
        category: text(layout.category),
        email: text(layout.email),
        address,
        institution: text(layout.institution),
        phone: text(layout.phone),
        member_since: member_since?,
        registered: registered?,
        expires: expires?,
        birth_date: birth_date?,
        notes: text(layout.notes),
        occupation: text(layout.occupation),
        education: text(layout.education),
        status: status?,
    })
}

/// One row being validated.
#[derive(Debug)]
struct Row<'a> {
    /// Line the record starts on.
    line: usize,
    /// The row's fields.
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
    fn check<T>(&mut self, index: usize, parse: fn(&str) -> Result<T, Problem>) -> Option<T> {
        if self.fields.get(index).is_none_or(|f| f.bad) {
            self.failed = true;
            return None;
        }
        match parse(self.text(index)) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.error(index, problem);
                None
            }
        }
    }

    /// [`Row::check`] for an optional date column; `Some(None)` when the
    /// export has no such column.
    fn check_optional<T>(
        &mut self,
        index: Option<usize>,
        parse: fn(&str) -> Result<Option<T>, Problem>,
    ) -> Option<Option<T>> {
        match index {
            Some(index) => self.check(index, parse),
            None => Some(None),
        }
    }

    /// Reports a problem in column `index`.
    fn error(&mut self, index: usize, problem: Problem) {
        self.failed = true;
        self.sink.push_field(self.line, index, problem);
    }
}

/// Validates a (trimmed) `member_name`.
fn parse_name(value: &str) -> Result<String, Problem> {
    if value.is_empty() {
        return Err(Problem::new(words::REQUIRED));
    }
    if value.chars().count() > MAX_NAME_LEN {
        return Err(Problem::with(words::TOO_LONG, MAX_NAME_LEN));
    }
    Ok(value.to_owned())
}

/// Validates and normalises a (trimmed) card number: [`policy::check_card`]
/// decides, this words its refusal.
fn parse_card(value: &str) -> Result<String, Problem> {
    policy::check_card(value).map_err(|problem| match problem {
        CardProblem::Empty => Problem::new(words::REQUIRED),
        CardProblem::BadCharacter => Problem::new(words::CARD_CHARACTERS),
        CardProblem::TooLong(_) => Problem::with(words::TOO_LONG, policy::MAX_CARD_LEN),
    })
}

/// Reads an optional date; empty and MySQL's `0000-00-00` mean none.
fn parse_date(value: &str) -> Result<Option<NaiveDate>, Problem> {
    if value.is_empty() || value == "0000-00-00" {
        return Ok(None);
    }
    policy::parse_date(value)
        .map(Some)
        .ok_or_else(|| Problem::new(words::NOT_A_DATE))
}

/// Reads a required date.
fn parse_required_date(value: &str) -> Result<NaiveDate, Problem> {
    match parse_date(value)? {
        Some(date) => Ok(date),
        None if value.is_empty() => Err(Problem::new(words::REQUIRED)),
        None => Err(Problem::new(words::NO_DATE)),
    }
}
