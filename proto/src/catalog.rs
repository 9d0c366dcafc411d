//! The one catalogue of user-facing text, in Indonesian (the default) and
//! English. The server, the agent's lock screen and the dashboard all take
//! their words from here, so a patron sees the same sentence everywhere.

use crate::v1::RefusalCode;

/// A language of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia: the library's staff and patrons speak it.
    #[default]
    Id,
    /// English, selectable on the lock screen and in the dashboard.
    En,
}

impl Lang {
    /// Parses "id" or "en" (case-insensitive); anything else is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "id" | "id-id" | "indonesia" => Some(Lang::Id),
            "en" | "en-us" | "en-gb" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A sentence in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// Bahasa Indonesia.
    pub id: &'static str,
    /// English.
    pub en: &'static str,
}

impl Text {
    /// The sentence in `lang`.
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// Why a card login was refused, as the patron reads it.
pub fn refusal(code: RefusalCode) -> Text {
    match code {
        RefusalCode::UnknownCard => Text {
            id: "Kartu tidak terdaftar. Silakan hubungi petugas.",
            en: "This card is not registered. Please contact the staff.",
        },
        RefusalCode::Expired => Text {
            id: "Masa berlaku kartu anggota sudah habis. Silakan perpanjang di meja layanan.",
            en: "Your library card has expired. Please renew it at the service desk.",
        },
        RefusalCode::Blocked => Text {
            id: "Kartu anggota diblokir. Silakan hubungi petugas.",
            en: "This library card is blocked. Please contact the staff.",
        },
        RefusalCode::InUse => Text {
            id: "Kartu ini sedang dipakai di komputer lain.",
            en: "This card is already in use on another computer.",
        },
        RefusalCode::Closed => Text {
            id: "Layanan internet sedang tutup (di luar jam layanan).",
            en: "The internet service is closed (outside opening hours).",
        },
        RefusalCode::Maintenance => Text {
            id: "Komputer ini sedang dalam perbaikan.",
            en: "This computer is out of service for maintenance.",
        },
        RefusalCode::TooManyAttempts => Text {
            id: "Terlalu banyak percobaan. Silakan tunggu sebentar lalu coba lagi.",
            en: "Too many attempts. Please wait a moment and try again.",
        },
        RefusalCode::Pending => Text {
            id: "Keanggotaan belum aktif. Silakan hubungi petugas.",
            en: "This membership is not active yet. Please contact the staff.",
        },
        RefusalCode::InvalidCard => Text {
            id: "Nomor kartu tidak valid.",
            en: "That is not a valid card number.",
        },
        RefusalCode::DailyLimit => Text {
            id: "Jatah waktu internet hari ini sudah habis.",
            en: "Today's internet time allowance is used up.",
        },
        RefusalCode::StationBusy => Text {
            id: "Komputer ini sedang dipakai.",
            en: "This computer is already in use.",
        },
        RefusalCode::WrongPin => Text {
            id: "PIN salah.",
            en: "Wrong PIN.",
        },
        RefusalCode::RulesNotAccepted => Text {
            id: "Silakan baca dan setujui tata tertib terlebih dahulu.",
            en: "Please read and accept the house rules first.",
        },
        RefusalCode::ServerStorageFull => Text {
            id: "Server sedang bermasalah (penyimpanan penuh). Silakan hubungi petugas.",
            en: "The server has a problem (its storage is full). Please contact the staff.",
        },
        RefusalCode::PinLocked => Text {
            id: "PIN kartu ini terkunci karena terlalu sering salah. Silakan hubungi petugas.",
            en: "This card's PIN is locked after too many wrong tries. Please contact the staff.",
        },
        RefusalCode::LibrarySystemUnreachable => Text {
            id: "Sistem perpustakaan tidak dapat dihubungi. Silakan coba lagi sebentar lagi atau hubungi petugas.",
            en: "The library system cannot be reached. Please try again shortly or contact the staff.",
        },
        RefusalCode::NoInternetPrivilege => Text {
            id: "Keanggotaan ini tidak mencakup layanan internet. Silakan hubungi petugas.",
            en: "This membership does not include internet use. Please contact the staff.",
        },
        RefusalCode::FinesOverLimit => Text {
            id: "Denda Anda melebihi batas. Silakan selesaikan di meja layanan.",
            en: "Your outstanding fines are over the limit. Please settle them at the service desk.",
        },
        RefusalCode::Reserved => Text {
            id: "Komputer ini sedang dipesan untuk pengunjung berikutnya dalam antrean. Silakan hubungi petugas.",
            en: "This computer is reserved for the next patron in the queue. Please contact the staff.",
        },
        RefusalCode::Unspecified => Text {
            id: "Login ditolak. Silakan hubungi petugas.",
            en: "Login refused. Please contact the staff.",
        },
    }
}

/// The default purposes of use offered on the lock screen.
pub const DEFAULT_PURPOSES: &[&str] = &[
    "Belajar/Tugas",
    "Mencari informasi",
    "Pekerjaan/Melamar kerja",
    "Lainnya",
];

/// The default purposes in English, in the order of [`DEFAULT_PURPOSES`].
const DEFAULT_PURPOSES_EN: &[&str] = &[
    "Study/Assignment",
    "Looking for information",
    "Work/Job application",
    "Other",
];

/// A purpose as the patron reads it in `lang`: the default purposes are
/// translated; a library's own purposes are shown as configured. (The
/// purpose recorded is always the configured text.)
pub fn purpose(configured: &str, lang: Lang) -> &str {
    match lang {
        Lang::Id => configured,
        Lang::En => DEFAULT_PURPOSES
            .iter()
            .position(|p| *p == configured)
            .and_then(|i| DEFAULT_PURPOSES_EN.get(i).copied())
            .unwrap_or(configured),
    }
}

/// The default house rules the patron ticks (the digital initials).
pub const DEFAULT_RULES: Text = Text {
    id: "Komputer hanya untuk belajar dan mencari informasi. Dilarang membuka situs pornografi, judi, \
         atau kekerasan; dilarang memasang program; jaga ketenangan. Waktu pemakaian 45 menit.",
    en: "Computers are for study and information only. No pornography, gambling or violent sites; \
         no installing software; keep quiet. Sessions last 45 minutes.",
};

/// A staff-recorded unlock has no patron name: the countdown shows this.
pub const GUEST: Text = Text {
    id: "Tamu",
    en: "Guest",
};

/// A card login could not reach the server (the station is offline).
pub const NOT_CONNECTED: Text = Text {
    id: "Komputer ini tidak terhubung ke server. Silakan coba lagi sebentar lagi atau hubungi petugas.",
    en: "This computer cannot reach the server. Please try again in a moment or contact the staff.",
};

/// The server failed a card login (an error, not a refusal).
pub const SERVER_ERROR: Text = Text {
    id: "Terjadi gangguan pada server. Silakan coba lagi atau hubungi petugas.",
    en: "The server had a problem. Please try again or contact the staff.",
};

/// A second card login while the first is still being checked.
pub const LOGIN_IN_PROGRESS: Text = Text {
    id: "Kartu sedang diperiksa. Mohon tunggu.",
    en: "Your card is being checked. Please wait.",
};

/// The warning popup before the end of a session (the minutes left are
/// shown beside it).
pub const TIME_NEARLY_UP: Text = Text {
    id: "Waktu pemakaian hampir habis. Simpan pekerjaan Anda.",
    en: "Your time is nearly up. Please save your work.",
};

/// The last warning (one minute or less left), distinct from the first.
pub const LAST_MINUTE: Text = Text {
    id: "Kurang dari 1 menit lagi! Simpan pekerjaan Anda sekarang.",
    en: "Less than 1 minute left! Save your work now.",
};

/// The audit log in plain words, and the words of its page.
pub mod audit;
/// Why a member import file was refused.
pub mod import;
/// Words of the station's lock screen and countdown window.
pub mod lock_screen;
/// Words of the daily recap and the monthly report.
pub mod report;

/// Words of the web dashboard.
pub mod web;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_purposes_are_translated_and_own_ones_kept() {
        assert_eq!(DEFAULT_PURPOSES.len(), DEFAULT_PURPOSES_EN.len());
        assert_eq!(purpose("Belajar/Tugas", Lang::En), "Study/Assignment");
        assert_eq!(purpose("Belajar/Tugas", Lang::Id), "Belajar/Tugas");
        assert_eq!(purpose("Kursus komputer", Lang::En), "Kursus komputer");
    }

    #[test]
    fn every_refusal_has_both_languages() {
        for raw in 0..=13 {
            let code = RefusalCode::try_from(raw).unwrap_or(RefusalCode::Unspecified);
            let text = refusal(code);
            assert!(!text.id.is_empty() && !text.en.is_empty());
            assert_ne!(text.id, text.en, "{code:?} is not translated");
        }
    }

    #[test]
    fn languages_parse() {
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("id"), Some(Lang::Id));
        assert_eq!(Lang::parse("fr"), None);
    }
}
