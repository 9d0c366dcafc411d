//! The details of audit entries in the reader's words. An entry's detail
//! is stored once, in a fixed form (the English one, as entries have always
//! been written: the MAC chain covers it, so old entries never change);
//! [`words`] recognises each form and says it in the page's language.
//! Anything else in a detail is data (a card, a station's name, a
//! librarian's message) and is shown as it is.

use crate::catalog::{Lang, Text};

/// One kind of detail: the form it is stored in, with `{}` where a value
/// goes, and the words it is shown in (the same holes, in order).
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    /// How the detail is written into the log (and matched when read).
    pub stored: &'static str,
    /// How it reads on a page.
    pub words: Text,
}

impl Detail {
    /// The stored form with `values` in its holes, in order.
    pub fn fill(&self, values: &[&dyn std::fmt::Display]) -> String {
        fill(self.stored, values.iter().map(|v| v.to_string()))
    }
}

/// A member import: created, updated.
pub const IMPORTED: Detail = Detail {
    stored: "{} new, {} updated",
    words: Text {
        id: "{} baru, {} diperbarui",
        en: "{} new, {} updated",
    },
};
/// PINs typed wrong before the lock.
pub const WRONG_PINS: Detail = Detail {
    stored: "{} wrong PINs",
    words: Text {
        id: "{} kali PIN salah",
        en: "{} wrong PINs",
    },
};
/// Minutes a librarian added to a session.
pub const EXTENDED: Detail = Detail {
    stored: "+{} min",
    words: Text {
        id: "+{} menit",
        en: "+{} min",
    },
};
/// Sessions in a member's data export.
pub const EXPORTED_SESSIONS: Detail = Detail {
    stored: "{} sessions",
    words: Text {
        id: "{} sesi",
        en: "{} sessions",
    },
};
/// The usage book exported as CSV: the filter, the rows.
pub const EXPORTED_ROWS: Detail = Detail {
    stored: "{}: {} rows",
    words: Text {
        id: "{}: {} baris",
        en: "{}: {} rows",
    },
};
/// A filter's station.
pub const FILTER_STATION: Detail = Detail {
    stored: "{}, station {}",
    words: Text {
        id: "{}, PC {}",
        en: "{}, PC {}",
    },
};
/// A filter's card.
pub const FILTER_CARD: Detail = Detail {
    stored: "{}, card {}",
    words: Text {
        id: "{}, kartu {}",
        en: "{}, card {}",
    },
};
/// The retention job: rows pseudonymised, the retention in days.
pub const RETENTION: Detail = Detail {
    stored: "{} sessions older than {} days pseudonymised",
    words: Text {
        id: "{} sesi yang lebih lama dari {} hari disamarkan",
        en: "{} sessions older than {} days pseudonymised",
    },
};
/// A member erased: their sessions pseudonymised.
pub const ERASED: Detail = Detail {
    stored: "member removed, {} sessions pseudonymised",
    words: Text {
        id: "anggota dihapus, {} sesi disamarkan",
        en: "member removed, {} sessions pseudonymised",
    },
};
/// An unbound enrolment code used for a station that exists.
pub const UNBOUND_REPLACE: Detail = Detail {
    stored: "an unbound code cannot replace an existing station",
    words: Text {
        id: "kode yang tidak terikat tidak dapat menggantikan PC yang sudah ada",
        en: "an unbound code cannot replace an existing station",
    },
};
/// The first wrong enrolment code of a burst, and why it was wrong.
pub const FIRST_WRONG_CODE: Detail = Detail {
    stored: "first wrong code: {}",
    words: Text {
        id: "kode salah pertama: {}",
        en: "first wrong code: {}",
    },
};
/// Why an enrolment code was refused: bound to another certificate.
pub const CODE_OTHER_CERTIFICATE: Detail = Detail {
    stored: "made for another server certificate",
    words: Text {
        id: "dibuat untuk sertifikat server lain",
        en: "made for another server certificate",
    },
};
/// Why an enrolment code was refused: unknown or used.
pub const CODE_UNKNOWN: Detail = Detail {
    stored: "unknown or used",
    words: Text {
        id: "tidak dikenal atau sudah dipakai",
        en: "unknown or used",
    },
};
/// Why an enrolment code was refused: expired.
pub const CODE_EXPIRED: Detail = Detail {
    stored: "expired",
    words: Text {
        id: "kedaluwarsa",
        en: "expired",
    },
};
/// The first failed staff sign-in of a burst, and the username tried.
pub const FIRST_FAILED_SIGN_IN: Detail = Detail {
    stored: "first failed sign-in, as {}",
    words: Text {
        id: "percobaan masuk gagal pertama, sebagai {}",
        en: "first failed sign-in, as {}",
    },
};
/// Failed sign-ins of one account.
pub const FAILED_SIGN_INS: Detail = Detail {
    stored: "{} failed sign-ins",
    words: Text {
        id: "{} kali gagal masuk",
        en: "{} failed sign-ins",
    },
};
/// Refused card logins on one station.
pub const REFUSED_LOGINS: Detail = Detail {
    stored: "{} refused card logins",
    words: Text {
        id: "{} login kartu ditolak",
        en: "{} refused card logins",
    },
};
/// A burst of alerts that ended: the alert, how many, over how long.
pub const ALERT_BURST: Detail = Detail {
    stored: "{}: {} in {} min",
    words: Text {
        id: "{}: {} kali dalam {} menit",
        en: "{}: {} in {} min",
    },
};
/// The re-keying of an old log: entries 1 to n, the old chain intact.
pub const REKEYED_INTACT: Detail = Detail {
    stored: "1-{}: legacy SHA-256 chain intact",
    words: Text {
        id: "1-{}: rantai SHA-256 lama utuh",
        en: "1-{}: legacy SHA-256 chain intact",
    },
};
/// The re-keying of an old log: the old chain broken at an entry.
pub const REKEYED_BROKEN: Detail = Detail {
    stored: "1-{}: legacy SHA-256 chain broken at #{}",
    words: Text {
        id: "1-{}: rantai SHA-256 lama rusak di #{}",
        en: "1-{}: legacy SHA-256 chain broken at #{}",
    },
};
/// Maintenance switched on (`station.maintenance` only).
pub const ON: Detail = Detail {
    stored: "on",
    words: Text {
        id: "aktif",
        en: "on",
    },
};
/// Maintenance switched off (`station.maintenance` only).
pub const OFF: Detail = Detail {
    stored: "off",
    words: Text {
        id: "nonaktif",
        en: "off",
    },
};

/// Actions whose detail is free text someone typed or a station sent (a
/// message, a problem, a guest's note, an address): never translated.
const FREE_TEXT: [&str; 7] = [
    "station.message",
    "station.unlock",
    "incident.open",
    "incident.resolve",
    "alert.tamper",
    "staff.sign_in",
    "queue.expired",
];

/// Codes a detail (or a value in one) may be: protobuf names and alert
/// kinds, in words.
const CODES: [Detail; 14] = [
    Detail {
        stored: "MEMBER_STATUS_ACTIVE",
        words: Text {
            id: "aktif",
            en: "active",
        },
    },
    Detail {
        stored: "MEMBER_STATUS_BLOCKED",
        words: Text {
            id: "diblokir",
            en: "blocked",
        },
    },
    Detail {
        stored: "MEMBER_STATUS_PENDING",
        words: Text {
            id: "menunggu",
            en: "pending",
        },
    },
    Detail {
        stored: "POWER_ACTION_RESTART",
        words: Text {
            id: "mulai ulang",
            en: "restart",
        },
    },
    Detail {
        stored: "POWER_ACTION_SHUTDOWN",
        words: Text {
            id: "matikan",
            en: "shut down",
        },
    },
    Detail {
        stored: "ROLE_LIBRARIAN",
        words: crate::catalog::web::ROLE_LIBRARIAN,
    },
    Detail {
        stored: "ROLE_SECTION_HEAD",
        words: crate::catalog::web::ROLE_SECTION_HEAD,
    },
    Detail {
        stored: "ROLE_ADMIN",
        words: crate::catalog::web::ROLE_ADMIN,
    },
    Detail {
        stored: "alert.login_refusals",
        words: Text {
            id: "kartu ditolak berturut-turut",
            en: "cards refused in a row",
        },
    },
    Detail {
        stored: "alert.pin_locked",
        words: Text {
            id: "PIN terkunci",
            en: "PIN locked",
        },
    },
    Detail {
        stored: "alert.sign_in_failures",
        words: Text {
            id: "percobaan masuk petugas gagal",
            en: "failed staff sign-ins",
        },
    },
    Detail {
        stored: "alert.account_throttled",
        words: Text {
            id: "kata sandi akun dicoba berulang kali",
            en: "an account's password tried repeatedly",
        },
    },
    Detail {
        stored: "alert.enrol_code_failures",
        words: Text {
            id: "kode pendaftaran PC salah",
            en: "wrong enrolment codes",
        },
    },
    Detail {
        stored: "alert.tamper",
        words: Text {
            id: "percobaan membobol layar kunci",
            en: "attempts to get past a lock screen",
        },
    },
];

/// Every stored form with holes or whole words, tried in order (the more
/// specific first).
const FORMS: [Detail; 21] = [
    IMPORTED,
    WRONG_PINS,
    EXTENDED,
    EXPORTED_SESSIONS,
    EXPORTED_ROWS,
    FILTER_STATION,
    FILTER_CARD,
    RETENTION,
    ERASED,
    UNBOUND_REPLACE,
    FIRST_WRONG_CODE,
    CODE_OTHER_CERTIFICATE,
    CODE_UNKNOWN,
    CODE_EXPIRED,
    FIRST_FAILED_SIGN_IN,
    FAILED_SIGN_INS,
    REFUSED_LOGINS,
    ALERT_BURST,
    REKEYED_BROKEN,
    REKEYED_INTACT,
    Detail {
        stored: "alert.offline_in_session",
        words: Text {
            id: "PC terputus saat sesi berjalan",
            en: "stations offline during a session",
        },
    },
];

/// `template` with its `{}` holes filled by `values`, in order.
fn fill(template: &str, values: impl IntoIterator<Item = String>) -> String {
    let mut values = values.into_iter();
    let mut out = String::new();
    let mut pieces = template.split("{}").peekable();
    while let Some(piece) = pieces.next() {
        out.push_str(piece);
        if pieces.peek().is_some() {
            out.push_str(&values.next().unwrap_or_default());
        }
    }
    out
}

/// The values in `detail`'s holes if it has `template`'s form (every hole
/// at least one character; each literal found leftmost).
fn holes<'a>(template: &str, detail: &'a str) -> Option<Vec<&'a str>> {
    let pieces: Vec<&str> = template.split("{}").collect();
    let (first, rest) = pieces.split_first()?;
    let mut left = detail.strip_prefix(first)?;
    let mut values = Vec::new();
    for (i, piece) in rest.iter().enumerate() {
        let at = if i + 1 == rest.len() {
            left.strip_suffix(piece)?.len()
        } else {
            let skip = left.chars().next()?.len_utf8();
            left[skip..].find(piece)? + skip
        };
        if at == 0 {
            return None;
        }
        values.push(&left[..at]);
        left = &left[at + piece.len()..];
    }
    left.is_empty().then_some(values)
}

/// An entry's stored detail in `lang`'s words: a known form said in the
/// page's language (its values too when they are codes or forms
/// themselves), free text and anything else as it is.
pub fn words(lang: Lang, action: &str, detail: &str) -> String {
    if FREE_TEXT.contains(&action) {
        return detail.to_owned();
    }
    if action == "station.maintenance" {
        for switch in [ON, OFF] {
            if detail == switch.stored {
                return switch.words.get(lang).to_owned();
            }
        }
    }
    translate(lang, detail, 3)
}

fn translate(lang: Lang, detail: &str, depth: u8) -> String {
    if let Some(code) = CODES.iter().find(|c| c.stored == detail) {
        return code.words.get(lang).to_owned();
    }
    if depth == 0 {
        return detail.to_owned();
    }
    for form in &FORMS {
        if let Some(values) = holes(form.stored, detail) {
            let values = values.into_iter().map(|v| translate(lang, v, depth - 1));
            return fill(form.words.get(lang), values);
        }
    }
    detail.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_read_in_both_languages() {
        let imported = IMPORTED.fill(&[&3, &1]);
        assert_eq!(imported, "3 new, 1 updated");
        let w = |lang, detail| words(lang, "x", detail);
        assert_eq!(w(Lang::Id, &imported), "3 baru, 1 diperbarui");
        assert_eq!(w(Lang::En, &imported), "3 new, 1 updated");
        assert_eq!(w(Lang::Id, "+15 min"), "+15 menit");
        assert_eq!(
            w(Lang::Id, "first wrong code: unknown or used"),
            "kode salah pertama: tidak dikenal atau sudah dipakai"
        );
        assert_eq!(
            w(Lang::Id, "alert.tamper: 3 in 5 min"),
            "percobaan membobol layar kunci: 3 kali dalam 5 menit"
        );
        assert_eq!(
            w(
                Lang::Id,
                "2026-12-01..2026-12-31, station PC-01, card 0001: 4 rows"
            ),
            "2026-12-01..2026-12-31, PC PC-01, kartu 0001: 4 baris"
        );
        assert_eq!(w(Lang::Id, "MEMBER_STATUS_BLOCKED"), "diblokir");
        assert_eq!(words(Lang::Id, "station.maintenance", "on"), "aktif");
        assert_eq!(w(Lang::Id, "on"), "on");
        // Data stays as it is, also when it looks like half a form or a
        // form typed into a free-text field.
        for data in [
            "0001",
            "PC-03",
            "Keyboard rusak",
            "new, updated",
            " min",
            "é min",
        ] {
            assert_eq!(w(Lang::Id, data), data);
        }
        assert_eq!(words(Lang::Id, "station.message", "expired"), "expired");
    }

    #[test]
    fn every_form_fills_and_reads_back() {
        for form in FORMS.iter().chain(&CODES) {
            let n = form.stored.matches("{}").count();
            assert_eq!(n, form.words.id.matches("{}").count(), "{}", form.stored);
            assert_eq!(n, form.words.en.matches("{}").count(), "{}", form.stored);
            let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
            let stored = fill(form.stored, values.clone());
            let en = fill(form.words.en, values.clone());
            assert_eq!(words(Lang::En, "x", &stored), en);
            assert_eq!(words(Lang::Id, "x", &stored), fill(form.words.id, values));
        }
    }
}
