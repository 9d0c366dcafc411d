//! Words of the station's lock screen and countdown window (the agent's
//! `--ui gui`), in Indonesian and English.

use super::Text;

/// Shown when the server's settings have not arrived yet.
pub const LIBRARY_FALLBACK: Text = Text {
    id: "Perpustakaan",
    en: "Library",
};

/// The cover on every monitor but the lock screen's.
pub const COVER: Text = Text {
    id: "Komputer ini terkunci. Gunakan layar utama untuk masuk.",
    en: "This computer is locked. Use the main screen to sign in.",
};

/// The service's curtain, over the screen while the lock screen itself is
/// being restored (core X fonts: Latin-1 only).
pub const CURTAIN: Text = Text {
    id: "Komputer ini terkunci. Layar masuk sedang dimuat...",
    en: "This computer is locked. The sign-in screen is loading...",
};

/// Label before the station's name.
pub const STATION: Text = Text {
    id: "Komputer",
    en: "Computer",
};

/// The card field's label.
pub const CARD_LABEL: Text = Text {
    id: "Pindai atau ketik nomor kartu anggota",
    en: "Scan or type your library card number",
};

/// The PIN field's label.
pub const PIN_LABEL: Text = Text {
    id: "PIN",
    en: "PIN",
};

/// Heading of the house rules.
pub const RULES_HEADING: Text = Text {
    id: "Tata tertib",
    en: "House rules",
};

/// The tick box under the house rules.
pub const RULES_TICK: Text = Text {
    id: "Saya telah membaca dan menyetujui tata tertib",
    en: "I have read and accept the house rules",
};

/// Heading of the purpose list.
pub const PURPOSE_HEADING: Text = Text {
    id: "Keperluan",
    en: "Purpose of use",
};

/// The submit button.
pub const SUBMIT: Text = Text {
    id: "Masuk",
    en: "Log in",
};

/// Shown on the lock screen for a few seconds after a session ended.
pub const SESSION_ENDED: Text = Text {
    id: "Sesi Anda telah berakhir. Terima kasih.",
    en: "Your session has ended. Thank you.",
};

/// Asked when the card was given but the rules are not ticked yet.
pub const TICK_RULES_FIRST: Text = Text {
    id: "Centang persetujuan tata tertib terlebih dahulu.",
    en: "Please tick the house rules first.",
};

/// Asked when the card was given but the PIN is missing.
pub const ENTER_PIN: Text = Text {
    id: "Masukkan PIN Anda.",
    en: "Please enter your PIN.",
};

/// Asked when the submit button is pressed with no card.
pub const ENTER_CARD: Text = Text {
    id: "Pindai kartu anggota Anda.",
    en: "Please scan your library card.",
};

/// Shown while a card is being checked.
pub const CHECKING: Text = Text {
    id: "Memeriksa kartu...",
    en: "Checking your card...",
};

/// Shown on the lock screen while the server cannot be reached.
pub const SERVER_UNREACHABLE: Text = Text {
    id: "Server tidak dapat dihubungi — silakan hubungi petugas.",
    en: "Server unreachable — please contact the staff.",
};

/// The maintenance screen's heading.
pub const OUT_OF_SERVICE: Text = Text {
    id: "Komputer ini sedang tidak dapat digunakan",
    en: "This computer is out of service",
};

/// The maintenance screen's explanation.
pub const OUT_OF_SERVICE_DETAIL: Text = Text {
    id: "Sedang dalam perbaikan. Silakan gunakan komputer lain atau hubungi petugas.",
    en: "It is under maintenance. Please use another computer or contact the staff.",
};

/// The language switch's label.
pub const LANGUAGE: Text = Text {
    id: "Bahasa",
    en: "Language",
};

/// Countdown: "N minutes left" is "{MINUTES_LEFT} N".
pub const MINUTES_LEFT: Text = Text {
    id: "Sisa waktu (menit):",
    en: "Minutes left:",
};

/// Countdown: less than a minute left.
pub const UNDER_A_MINUTE: Text = Text {
    id: "Kurang dari 1 menit",
    en: "Less than 1 minute",
};

/// The countdown's log-out button.
pub const LOG_OUT: Text = Text {
    id: "Keluar",
    en: "Log out",
};

/// The log-out confirmation question.
pub const LOG_OUT_CONFIRM: Text = Text {
    id: "Akhiri sesi sekarang? Simpan pekerjaan Anda terlebih dahulu.",
    en: "End your session now? Save your work first.",
};

/// Confirms the log-out.
pub const YES: Text = Text {
    id: "Ya, keluar",
    en: "Yes, log out",
};

/// Cancels the log-out.
pub const NO: Text = Text {
    id: "Batal",
    en: "Cancel",
};

/// Heading above a librarian's message.
pub const MESSAGE_FROM: Text = Text {
    id: "Pesan dari petugas",
    en: "Message from the staff",
};

/// Closes a librarian's message.
pub const DISMISS: Text = Text {
    id: "Tutup",
    en: "Close",
};

/// The lock screen's line while the station is held for the next patron of
/// the waiting queue, followed by their name.
pub const RESERVED_FOR: Text = Text {
    id: "Dipesan untuk",
    en: "Reserved for",
};

/// Under it: only that patron's card is taken, and for how long.
pub const RESERVED_DETAIL: Text = Text {
    id: "Hanya kartu pengunjung tersebut yang dapat masuk di komputer ini. Menit tersisa:",
    en: "Only that patron's card can sign in on this computer. Minutes left:",
};
