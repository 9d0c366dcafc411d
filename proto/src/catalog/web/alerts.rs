//! The security alerts panel shown on every page.

use crate::catalog::Text;

/// The alerts panel on every page.
pub const ALERTS_TITLE: Text = Text {
    id: "Peringatan keamanan",
    en: "Security alerts",
};

/// Dismissing an alert.
pub const ALERT_DISMISS: Text = Text {
    id: "Sudah ditangani",
    en: "Dealt with",
};

/// An alert's count ("12 kali").
pub const ALERT_TIMES: Text = Text {
    id: "kali",
    en: "times",
};

/// Alert: a station's card logins are throttled.
pub const ALERT_LOGIN_REFUSALS: Text = Text {
    id: "Banyak kartu ditolak berturut-turut di komputer ini (kemungkinan menebak nomor kartu); login diperlambat",
    en: "Many cards refused in a row on this computer (possibly guessing card numbers); logins slowed down",
};

/// Alert: a card's PIN was locked.
pub const ALERT_PIN_LOCKED: Text = Text {
    id: "PIN kartu terkunci setelah terlalu sering salah; buka kuncinya di halaman anggota",
    en: "A card's PIN is locked after too many wrong tries; unlock it on the member's page",
};

/// Alert: failed staff sign-ins from one address.
pub const ALERT_SIGN_IN_FAILURES: Text = Text {
    id: "Percobaan masuk petugas yang gagal dari alamat",
    en: "Failed staff sign-ins from address",
};

/// Alert: one account is being guessed at.
pub const ALERT_ACCOUNT_THROTTLED: Text = Text {
    id: "Kata sandi akun ini dicoba berulang kali; masuk ke akun ini diperlambat",
    en: "This account's password was tried repeatedly; its sign-ins are slowed down",
};

/// Alert: wrong enrolment codes.
pub const ALERT_ENROL_CODE_FAILURES: Text = Text {
    id: "Kode pendaftaran komputer yang salah dari alamat",
    en: "Wrong station enrolment codes from address",
};

/// Alert: a station reported tampering.
pub const ALERT_TAMPER: Text = Text {
    id: "Komputer melaporkan percobaan membobol layar kunci",
    en: "A station reported an attempt to get past its lock screen",
};

/// Alert: a station went silent while a patron was using it.
pub const ALERT_OFFLINE_IN_SESSION: Text = Text {
    id: "Komputer terputus saat sesi berjalan (dimatikan, dicabut, atau jaringannya putus?)",
    en: "A station went offline during a session (switched off, unplugged, or its network lost?)",
};
