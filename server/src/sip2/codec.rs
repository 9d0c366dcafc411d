//! SIP2 2.00 messages on the wire: a two-digit command, fixed-length
//! fields, variable fields (`XXvalue|`), the error-detection trailer
//! (`AY` sequence number, `AZ` checksum) and a carriage return. Pure, no
//! I/O. Everything received is hostile: a frame is bounded
//! ([`MAX_FRAME`]), control bytes inside values are dropped, and anything
//! that is not a well-formed response is a [`CodecError`] that never
//! echoes the bytes.

use chrono::NaiveDateTime;

/// Longest frame accepted from (or sent to) the library system, CR
/// included. SIP2 sets no limit; a patron information response with no
/// item lists (the summary field asks for none) is a few hundred bytes.
pub const MAX_FRAME: usize = 4096;

/// Longest variable field value sent; SIP2 fields are at most 255 bytes.
pub const MAX_VALUE: usize = 255;

/// Why a frame was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// More than [`MAX_FRAME`] bytes without a carriage return.
    #[error("the library system sent a message over {MAX_FRAME} bytes")]
    TooLong,
    /// Shorter than a command, or not starting with two digits.
    #[error("the library system sent something that is not a SIP2 message")]
    NotSip2,
    /// A different command than the one that answers the request.
    #[error("the library system answered with an unexpected message")]
    Unexpected,
    /// The fixed part is shorter than the command defines.
    #[error("the library system sent a truncated message")]
    Truncated,
    /// The `AZ` checksum does not match the message.
    #[error("the library system sent a message with a wrong checksum")]
    Checksum,
    /// The `AY` sequence number is not the one of the request.
    #[error("the library system answered out of sequence")]
    Sequence,
}

/// A decoded message: its command, fixed part and variable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The two-digit command identifier, e.g. `64`.
    pub command: [u8; 2],
    /// The fixed-length fields, concatenated, exactly as long as the
    /// command defines (see [`fixed_len`]).
    pub fixed: String,
    /// Variable fields in order (identifier, value); `AY`/`AZ` removed.
    pub fields: Vec<([u8; 2], String)>,
    /// The `AY` sequence number, when the message carried one.
    pub sequence: Option<u8>,
}

impl Message {
    /// The first value of field `id`, if present.
    pub fn field(&self, id: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == id.as_bytes())
            .map(|(_, v)| v.as_str())
    }

    /// The fixed part from byte `at`, `len` long (ASCII by construction of
    /// the fixed-field check, so byte offsets are character offsets).
    pub fn fixed_at(&self, at: usize, len: usize) -> &str {
        self.fixed.get(at..at + len).unwrap_or("")
    }
}

/// Length of the fixed part of a response the client understands; `None`
/// for any other command.
pub fn fixed_len(command: &[u8; 2]) -> Option<usize> {
    match command {
        // Login response: ok.
        b"94" => Some(1),
        // Patron status response: status (14), language (3), date (18).
        b"24" => Some(14 + 3 + 18),
        // Patron information response: the same, then six 4-digit counts.
        b"64" => Some(14 + 3 + 18 + 6 * 4),
        // ACS status: 6 flags, timeout (3), retries (3), date (18), version (4).
        b"98" => Some(6 + 3 + 3 + 18 + 4),
        // Request SC resend: nothing.
        b"96" => Some(0),
        _ => None,
    }
}

/// SIP2's 18-character date: `YYYYMMDDZZZZHHMMSS`, the zone blank for
/// local time.
pub fn sip_date(at: NaiveDateTime) -> String {
    at.format("%Y%m%d    %H%M%S").to_string()
}

/// Reads an 8-digit `YYYYMMDD` date (the start of an 18-character SIP2
/// date, or Koha's `PB` birth date); `None` when it is not one.
pub fn parse_day(text: &str) -> Option<chrono::NaiveDate> {
    let digits = text.trim().get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    chrono::NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The checksum of everything before it (through `AZ`): the two's
/// complement of the 16-bit sum of the bytes, four upper-case hex digits.
pub fn checksum(prefix: &[u8]) -> String {
    let sum = prefix
        .iter()
        .fold(0u16, |acc, b| acc.wrapping_add(u16::from(*b)));
    format!("{:04X}", sum.wrapping_neg())
}

/// Builds a request: command, fixed part, variable fields, `AY`/`AZ`, CR.
/// Values lose the bytes SIP2 cannot carry (`|`, control characters) and
/// are cut to [`MAX_VALUE`] bytes.
pub fn encode(command: &str, fixed: &str, fields: &[(&str, &str)], sequence: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(command.as_bytes());
    out.extend_from_slice(fixed.as_bytes());
    for (id, value) in fields {
        out.extend_from_slice(id.as_bytes());
        let mut len = 0;
        for c in value.chars().filter(|c| *c != '|' && !c.is_control()) {
            len += c.len_utf8();
            if len > MAX_VALUE {
                break;
            }
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        out.push(b'|');
    }
    out.extend_from_slice(b"AY");
    out.push(b'0' + sequence % 10);
    out.extend_from_slice(b"AZ");
    let sum = checksum(&out);
    out.extend_from_slice(sum.as_bytes());
    out.push(b'\r');
    out
}

/// Decodes one frame (without or with its CR; a line feed some systems
/// add is ignored). `expected` is the sequence number of the request it
/// answers: a frame carrying another one is refused. A frame with an `AZ`
/// checksum must match it; one without is accepted (error detection is
/// optional in SIP2 and some systems never send it).
pub fn decode(frame: &[u8], expected: Option<u8>) -> Result<Message, CodecError> {
    if frame.len() > MAX_FRAME {
        return Err(CodecError::TooLong);
    }
    let mut body = frame;
    while let [rest @ .., b'\r' | b'\n'] = body {
        body = rest;
    }
    while let [b'\n' | b'\r', rest @ ..] = body {
        body = rest;
    }
    let (body, sequence) = strip_trailer(body)?;
    if let (Some(want), Some(got)) = (expected, sequence)
        && want != got
    {
        return Err(CodecError::Sequence);
    }
    let command: [u8; 2] = match body {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => [*a, *b],
        _ => return Err(CodecError::NotSip2),
    };
    let len = fixed_len(&command).ok_or(CodecError::Unexpected)?;
    let rest = &body[2..];
    let fixed = rest.get(..len).ok_or(CodecError::Truncated)?;
    if !fixed.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Err(CodecError::NotSip2);
    }
    let fixed = String::from_utf8_lossy(fixed).into_owned();
    let fields = variable_fields(&rest[len..]);
    Ok(Message {
        command,
        fixed,
        fields,
        sequence,
    })
}

/// Splits off a valid `AY<digit>AZ<4 hex>` (or `AZ<4 hex>`) trailer.
fn strip_trailer(body: &[u8]) -> Result<(&[u8], Option<u8>), CodecError> {
    let n = body.len();
    if n < 6 || &body[n - 6..n - 4] != b"AZ" || !body[n - 4..].iter().all(u8::is_ascii_hexdigit) {
        return Ok((body, None));
    }
    let want = checksum(&body[..n - 4]);
    if !want.as_bytes().eq_ignore_ascii_case(&body[n - 4..]) {
        return Err(CodecError::Checksum);
    }
    let rest = &body[..n - 6];
    let m = rest.len();
    if m >= 3 && &rest[m - 3..m - 1] == b"AY" && rest[m - 1].is_ascii_digit() {
        return Ok((&rest[..m - 3], Some(rest[m - 1] - b'0')));
    }
    Ok((rest, None))
}

/// The `XXvalue|` fields. Tolerant, as real systems are sloppy: a last
/// field without its `|` is kept, a piece too short for an identifier is
/// skipped, control bytes inside values are dropped, invalid UTF-8 is read
/// as Latin-1 (older systems send code pages).
fn variable_fields(mut rest: &[u8]) -> Vec<([u8; 2], String)> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let end = rest.iter().position(|b| *b == b'|').unwrap_or(rest.len());
        let piece = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or(&[]);
        let [a, b, value @ ..] = piece else {
            continue;
        };
        if !a.is_ascii_alphanumeric() || !b.is_ascii_alphanumeric() {
            continue;
        }
        fields.push(([*a, *b], text(value)));
    }
    fields
}

/// A field value as text without control characters, trimmed.
fn text(bytes: &[u8]) -> String {
    let s = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    };
    s.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A response as the server sends it, with a correct trailer.
    fn framed(body: &str, seq: u8) -> Vec<u8> {
        let mut out = format!("{body}AY{seq}AZ").into_bytes();
        let sum = checksum(&out);
        out.extend_from_slice(sum.as_bytes());
        out.push(b'\r');
        out
    }

    #[test]
    fn checksum_makes_the_sum_zero() {
        // The specification's rule: the bytes through "AZ" plus the
        // checksum's value sum to 0 modulo 2^16. Cross-checked with pysip2's
        // independent implementation for this message (the checkin example
        // of the SIP2 2.00 specification, section "Error detection").
        let prefix = b"09N19980821    085721APCertification Terminal Location|AOCertification Institute ID|ABCheckInBook|ACTPWord|BIN|AY2AZ";
        let sum = checksum(prefix);
        assert_eq!(sum, "D8E5");
        let total = prefix.iter().map(|b| u32::from(*b)).sum::<u32>()
            + u32::from_str_radix(&sum, 16).unwrap();
        assert_eq!(total & 0xFFFF, 0);
    }

    #[test]
    fn login_request_is_framed() {
        // 93: UID algorithm, PWD algorithm (both '0'), CN, CO, CP.
        let frame = encode(
            "93",
            "00",
            &[("CN", "bilik"), ("CO", "rahasia"), ("CP", "LANTAI1")],
            3,
        );
        let text = String::from_utf8(frame.clone()).unwrap();
        assert!(
            text.starts_with("9300CNbilik|COrahasia|CPLANTAI1|AY3AZ"),
            "{text}"
        );
        assert!(text.ends_with('\r'));
        let n = frame.len();
        assert_eq!(checksum(&frame[..n - 5]), text[n - 5..n - 1]);
    }

    #[test]
    fn values_cannot_inject_fields() {
        let frame = encode("63", "", &[("AA", "12|AZ\r\n34")], 0);
        let text = String::from_utf8(frame).unwrap();
        assert!(text.starts_with("63AA12AZ34|AY0AZ"), "{text}");
        let long = "x".repeat(1000);
        let frame = encode("63", "", &[("AA", &long)], 0);
        assert!(frame.len() < 300);
    }

    #[test]
    fn patron_information_response_decodes() {
        // The layout of the specification's 64 response: status (14),
        // language, date, six counts, then variable fields.
        let body = "64  Y           00120261201    101500000000000000000000000000AOPerpus|AA0001|AEBudi Santoso|BLY|CQY|BV2500.00|PB19900115|PCUMUM|PIY|";
        let m = decode(&framed(body, 4), Some(4)).unwrap();
        assert_eq!(&m.command, b"64");
        assert_eq!(m.fixed_at(0, 14), "  Y           ");
        assert_eq!(m.fixed_at(17, 18), "20261201    101500");
        assert_eq!(m.field("AE"), Some("Budi Santoso"));
        assert_eq!(m.field("PB"), Some("19900115"));
        assert_eq!(m.field("PI"), Some("Y"));
        assert_eq!(m.field("XX"), None);
        assert_eq!(m.sequence, Some(4));
    }

    #[test]
    fn broken_frames_are_refused_without_panics() {
        let good = framed("941", 1);
        assert_eq!(decode(&good, Some(1)).unwrap().fixed, "1");
        assert_eq!(decode(&good, Some(2)), Err(CodecError::Sequence));
        let mut bad = good.clone();
        bad[2] = b'0';
        assert_eq!(decode(&bad, Some(1)), Err(CodecError::Checksum));
        assert_eq!(
            decode(b"\x00\xff\x13garbage\r", None),
            Err(CodecError::NotSip2)
        );
        assert_eq!(decode(b"", None), Err(CodecError::NotSip2));
        assert_eq!(decode(b"12N\r", None), Err(CodecError::Unexpected));
        assert_eq!(decode(b"64  Y\r", None), Err(CodecError::Truncated));
        assert_eq!(
            decode(&vec![b'9'; MAX_FRAME + 1], None),
            Err(CodecError::TooLong)
        );
        // Every prefix and every single-byte corruption: an answer, never a panic.
        for cut in 0..good.len() {
            let _ = decode(&good[..cut], Some(1));
        }
        for at in 0..good.len() {
            for b in [0u8, b'|', 0x80, 0xff, b'\r'] {
                let mut f = good.clone();
                f[at] = b;
                let _ = decode(&f, Some(1));
            }
        }
    }

    #[test]
    fn control_bytes_and_code_pages_in_values_are_tolerated() {
        let body = b"24              00120261201    101500AOX|AA1|AEBu\x07di\x1b\xe9|BLY";
        let m = decode(body, None).unwrap();
        assert_eq!(m.field("AE"), Some("Budi\u{e9}"));
        assert_eq!(m.field("BL"), Some("Y"));
        // Line feeds around the frame (CRLF systems).
        let m = decode(b"\n941\r\n", None).unwrap();
        assert_eq!(m.fixed, "1");
    }

    #[test]
    fn dates() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        assert_eq!(sip_date(at), "20261201    090507");
        assert_eq!(sip_date(at).len(), 18);
        assert_eq!(
            parse_day("19900115"),
            chrono::NaiveDate::from_ymd_opt(1990, 1, 15)
        );
        assert_eq!(
            parse_day("20261201    090507"),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(parse_day("1990-01-15"), None);
        assert_eq!(parse_day("19901315"), None);
        assert_eq!(parse_day("ab"), None);
    }
}
