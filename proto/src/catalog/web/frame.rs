//! The page frame every dashboard page shares: sign-in, the header and
//! navigation, role names, the error pages, yes/no.

use crate::catalog::Text;

/// Under the title of the sign-in page.
pub const LOGIN_INTRO: Text = Text {
    id: "Masuk untuk mengelola komputer internet, anggota dan buku penggunaan.",
    en: "Sign in to manage the internet computers, members and the usage book.",
};

/// Sign-in field.
pub const USERNAME: Text = Text {
    id: "Nama pengguna",
    en: "Username",
};

/// Sign-in field.
pub const PASSWORD: Text = Text {
    id: "Kata sandi",
    en: "Password",
};

/// Sign-in button and page title.
pub const SIGN_IN: Text = Text {
    id: "Masuk",
    en: "Sign in",
};

/// Header button.
pub const SIGN_OUT: Text = Text {
    id: "Keluar",
    en: "Sign out",
};

/// A failed sign-in.
pub const WRONG_PASSWORD: Text = Text {
    id: "Nama pengguna atau kata sandi salah.",
    en: "Wrong username or password.",
};

/// A locked-out sign-in.
pub const ACCOUNT_LOCKED: Text = Text {
    id: "Terlalu banyak percobaan masuk yang gagal. Tunggu sebentar lalu coba lagi (jeda bertambah setiap kali gagal), atau minta admin mengatur ulang kata sandi.",
    en: "Too many failed sign-ins. Wait a moment and try again (the wait grows with every failure), or ask an admin to reset the password.",
};

/// A disabled account tried to sign in.
pub const ACCOUNT_DISABLED: Text = Text {
    id: "Akun ini dinonaktifkan. Hubungi admin.",
    en: "This account is disabled. Please ask an admin.",
};

/// Navigation: the live grid.
pub const NAV_STATIONS: Text = Text {
    id: "Komputer",
    en: "Stations",
};

/// Navigation.
pub const NAV_MEMBERS: Text = Text {
    id: "Anggota",
    en: "Members",
};

/// Navigation: the usage book.
pub const NAV_USAGE: Text = Text {
    id: "Buku Penggunaan",
    en: "Usage book",
};

/// Navigation: incidents.
pub const NAV_PROBLEMS: Text = Text {
    id: "Catatan Masalah",
    en: "Problems log",
};

/// Navigation.
pub const NAV_REPORTS: Text = Text {
    id: "Laporan",
    en: "Reports",
};

/// Navigation.
pub const NAV_HEALTH: Text = Text {
    id: "Kesehatan Sistem",
    en: "Health",
};

/// Navigation (admins, section heads).
pub const NAV_AUDIT: Text = Text {
    id: "Log Audit",
    en: "Audit log",
};

/// Navigation (admins).
pub const NAV_STAFF: Text = Text {
    id: "Petugas",
    en: "Staff",
};

/// Role.
pub const ROLE_LIBRARIAN: Text = Text {
    id: "Pustakawan",
    en: "Librarian",
};

/// Role.
pub const ROLE_SECTION_HEAD: Text = Text {
    id: "Kepala Seksi",
    en: "Section head",
};

/// Role.
pub const ROLE_ADMIN: Text = Text {
    id: "Admin",
    en: "Admin",
};

/// Link on error pages.
pub const BACK_HOME: Text = Text {
    id: "Kembali ke halaman utama",
    en: "Back to the home page",
};

/// Confirmation before a drastic action.
pub const ARE_YOU_SURE: Text = Text {
    id: "Yakin?",
    en: "Are you sure?",
};

/// 403.
pub const ERR_FORBIDDEN: Text = Text {
    id: "Tidak diizinkan: halaman atau tindakan ini hanya untuk peran lain.",
    en: "Not allowed: this page or action is for another role.",
};

/// A POST without a valid CSRF token.
pub const ERR_CSRF: Text = Text {
    id: "Formulir ditolak: token keamanan tidak ada atau kedaluwarsa. Muat ulang halaman lalu coba lagi.",
    en: "Form refused: the security token is missing or expired. Reload the page and try again.",
};

/// No or expired session.
pub const ERR_SIGNED_OUT: Text = Text {
    id: "Sesi Anda telah berakhir. Silakan masuk lagi.",
    en: "Your session has ended. Please sign in again.",
};

/// Body over the limit.
pub const ERR_TOO_LARGE: Text = Text {
    id: "Berkas terlalu besar.",
    en: "The file is too large.",
};

/// Bad form values.
pub const ERR_INVALID: Text = Text {
    id: "Isian tidak valid",
    en: "Invalid input",
};

/// 404.
pub const ERR_NOT_FOUND: Text = Text {
    id: "Tidak ditemukan",
    en: "Not found",
};

/// A precondition failed (e.g. the station is busy).
pub const ERR_NOT_NOW: Text = Text {
    id: "Tidak dapat dilakukan sekarang",
    en: "Not possible now",
};

/// 500.
pub const ERR_SERVER: Text = Text {
    id: "Terjadi gangguan pada server",
    en: "The server had a problem",
};

/// Yes.
pub const YES: Text = Text {
    id: "ya",
    en: "yes",
};

/// No.
pub const NO: Text = Text {
    id: "TIDAK",
    en: "NO",
};

/// Unit after a number of minutes ("3 menit").
pub const UNIT_MINUTES: Text = Text {
    id: "menit",
    en: "min",
};

/// Unit after a number of hours ("1 jam 5 menit").
pub const UNIT_HOURS: Text = Text { id: "jam", en: "h" };

/// Unit after a number of seconds ("12 detik yang lalu").
pub const UNIT_SECONDS: Text = Text {
    id: "detik",
    en: "s",
};

/// Instead of "0 seconds ago".
pub const JUST_NOW: Text = Text {
    id: "baru saja",
    en: "just now",
};
