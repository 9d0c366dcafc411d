//! Reading SLiMS' CSV dialect into records of fields: quoting, backslash
//! escapes, line counting, raw control characters. What the fields mean is
//! not this module's business.

use super::STORED_FIELDS;
use crate::import::member::{Field, Problem, Sink};
use bilik_proto::catalog::{Text, import as words};

/// The 1-based numbers of the physical lines of `body` that are not valid
/// UTF-8, in ascending order.
pub(super) fn undecodable_lines(body: &[u8]) -> Vec<usize> {
    body.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| std::str::from_utf8(line).is_err())
        .map(|(index, _)| index + 1)
        .collect()
}

/// The entries of the sorted `lines` that fall within `first..=last`.
pub(super) fn lines_within(lines: &[usize], first: usize, last: usize) -> &[usize] {
    let start = lines.partition_point(|&l| l < first);
    let end = lines.partition_point(|&l| l <= last);
    lines.get(start..end).unwrap_or(&[])
}

/// One record (row) of the file.
#[derive(Debug)]
pub(super) struct Record {
    /// Physical line the record starts on.
    pub(super) line: usize,
    /// Physical line the record ends on (differs when a quoted field spans
    /// lines).
    pub(super) last_line: usize,
    /// The first [`STORED_FIELDS`] fields.
    pub(super) fields: Vec<Field>,
    /// How many fields the record has, stored or not.
    pub(super) count: usize,
    /// The record's quoting is broken, so its field boundaries are unreliable.
    pub(super) broken: bool,
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
pub(super) struct Reader<'a> {
    /// The whole decoded file, without BOM.
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    /// Physical line (1-based) of the next character.
    line: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
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
    pub(super) fn next_record(&mut self, sink: &mut Sink) -> Option<Record> {
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
                sink.push_field(line, index, Problem::new(words::UNCLOSED_QUOTE));
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
        sink.push_field(line, index, Problem::new(words::AFTER_QUOTE));
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
                        field.report(words::TRAILING_BACKSLASH, sink);
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
            self.report(words::CONTROL_CHARACTER, sink);
        }
        self.field.value.push(c);
    }

    /// Reports a problem in this field, once per field.
    fn report(&mut self, text: Text, sink: &mut Sink) {
        if !self.field.bad {
            self.field.bad = true;
            sink.push_field(self.line, self.index, Problem::new(text));
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
