//! Why a card login gave no session, as the lock screen words it.
//!
//! A code the agent's catalogue knows is shown in the catalogue's
//! patron-worded text, in the language the patron picked. A code it does
//! not know (a newer server added it) is shown in the server's own words,
//! which came with the refusal, rather than a generic "refused".

use std::borrow::Cow;

use bilik_proto::catalog::{self, Lang};
use bilik_proto::v1::{self, RefusalCode};
use serde::{Deserialize, Serialize};

/// Longest server text kept for an unknown code, in characters: the
/// catalogue's longest sentence is about 110; the rest of a longer (hostile
/// or broken) text would only push the form off the screen.
pub const MAX_SERVER_TEXT: usize = 300;

/// Why a card login did not give a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The server (or the station's own state) refused, with this reason.
    Refused(RefusalCode),
    /// The server refused with a code this agent does not know.
    Unknown(ServerWords),
    /// The server cannot be reached.
    NotConnected,
    /// The server failed the call.
    ServerError,
    /// A login is already being checked.
    InProgress,
}

/// The server's own text for a refusal code this agent's catalogue lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerWords {
    /// The code's number: logs and the headless output name it.
    pub code: i32,
    /// The server's Indonesian text (trimmed, control characters dropped,
    /// at most [`MAX_SERVER_TEXT`] characters).
    pub id: String,
    /// The server's English text (cleaned the same way).
    pub en: String,
}

impl Refusal {
    /// The server's refusal as this agent shows it: the catalogue's code
    /// if it knows it, else the server's words (cleaned and bounded).
    pub fn from_server(refusal: &v1::Refusal) -> Refusal {
        match RefusalCode::try_from(refusal.code) {
            Ok(code) => Refusal::Refused(code),
            Err(_) => Refusal::Unknown(ServerWords {
                code: refusal.code,
                id: clean(&refusal.message_id),
                en: clean(&refusal.message_en),
            }),
        }
    }

    /// A stable name for logs and the headless output ("MAINTENANCE",
    /// "NOT_CONNECTED", ...; "CODE_23" for an unknown code 23).
    pub fn code(&self) -> Cow<'static, str> {
        match self {
            Self::Refused(code) => Cow::Borrowed(
                code.as_str_name()
                    .strip_prefix("REFUSAL_CODE_")
                    .unwrap_or("UNSPECIFIED"),
            ),
            Self::Unknown(words) => Cow::Owned(format!("CODE_{}", words.code)),
            Self::NotConnected => Cow::Borrowed("NOT_CONNECTED"),
            Self::ServerError => Cow::Borrowed("SERVER_ERROR"),
            Self::InProgress => Cow::Borrowed("IN_PROGRESS"),
        }
    }

    /// What the patron reads, in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        let known = match self {
            Self::Refused(code) => catalog::refusal(*code),
            Self::Unknown(words) => return words.get(lang),
            Self::NotConnected => catalog::NOT_CONNECTED,
            Self::ServerError => catalog::SERVER_ERROR,
            Self::InProgress => catalog::LOGIN_IN_PROGRESS,
        };
        known.get(lang)
    }
}

impl ServerWords {
    /// The text in `lang`; the other language's if the server left this
    /// one empty; the catalogue's generic refusal if it left both empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (wanted, other) = match lang {
            Lang::Id => (&self.id, &self.en),
            Lang::En => (&self.en, &self.id),
        };
        [wanted, other]
            .into_iter()
            .find(|text| !text.is_empty())
            .map_or_else(
                || catalog::refusal(RefusalCode::Unspecified).get(lang),
                String::as_str,
            )
    }
}

/// `text` without control characters (a line break or escape sequence would
/// garble the screen and the headless output), trimmed and bounded.
fn clean(text: &str) -> String {
    let kept: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_SERVER_TEXT)
        .collect();
    kept.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal as the server sends it.
    fn from_server(code: i32, id: &str, en: &str) -> Refusal {
        Refusal::from_server(&v1::Refusal {
            code,
            message_id: id.into(),
            message_en: en.into(),
            retry_after_ms: 0,
        })
    }

    #[test]
    fn a_known_code_reads_as_the_catalogue_says_in_the_patrons_language() {
        // The server's wording is not the lock screen's: the catalogue wins.
        let refusal = from_server(RefusalCode::Expired as i32, "server id", "server en");
        assert_eq!(refusal, Refusal::Refused(RefusalCode::Expired));
        assert_eq!(refusal.code(), "EXPIRED");
        let expired = catalog::refusal(RefusalCode::Expired);
        assert_eq!(refusal.text(Lang::Id), expired.id);
        assert_eq!(refusal.text(Lang::En), expired.en);
        assert_ne!(expired.id, expired.en);
    }

    #[test]
    fn an_unknown_code_reads_as_the_server_said_in_the_patrons_language() {
        let refusal = from_server(
            9_999,
            "Kartu perlu difoto ulang.",
            "Your card photo must be retaken.",
        );
        assert_eq!(refusal.code(), "CODE_9999");
        assert_eq!(refusal.text(Lang::Id), "Kartu perlu difoto ulang.");
        assert_eq!(refusal.text(Lang::En), "Your card photo must be retaken.");
        let generic = catalog::refusal(RefusalCode::Unspecified);
        assert_ne!(refusal.text(Lang::Id), generic.id);
    }

    #[test]
    fn an_unknown_codes_missing_text_falls_back_to_the_other_language_then_the_catalogue() {
        let only_en = from_server(77, "", "Only English.");
        assert_eq!(only_en.text(Lang::Id), "Only English.");
        let none = from_server(77, " \n", "");
        let generic = catalog::refusal(RefusalCode::Unspecified);
        assert_eq!(none.text(Lang::Id), generic.id);
        assert_eq!(none.text(Lang::En), generic.en);
    }

    #[test]
    fn an_unknown_codes_text_is_cleaned_and_bounded() {
        let long = "x".repeat(MAX_SERVER_TEXT * 10);
        let refusal = from_server(78, "  baris\nkedua\u{1b}[2J  ", &long);
        assert_eq!(refusal.text(Lang::Id), "bariskedua[2J");
        assert_eq!(refusal.text(Lang::En).chars().count(), MAX_SERVER_TEXT);
    }
}
