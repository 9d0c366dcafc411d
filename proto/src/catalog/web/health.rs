//! The health page (Kesehatan Sistem): figures, backups, free space.

use crate::catalog::Text;

/// Stat.
pub const UPTIME: Text = Text {
    id: "Server berjalan",
    en: "Uptime",
};

/// Stat.
pub const STORE_SIZE: Text = Text {
    id: "Ukuran data",
    en: "Store size",
};

/// Stat.
pub const STATIONS_ONLINE: Text = Text {
    id: "Komputer terhubung",
    en: "Stations online",
};

/// Stat.
pub const STATIONS_OFFLINE: Text = Text {
    id: "Komputer tidak terhubung",
    en: "Stations offline",
};

/// Stat.
pub const MEMBERS_COUNT: Text = Text {
    id: "Anggota",
    en: "Members",
};

/// Stat.
pub const SESSIONS_COUNT: Text = Text {
    id: "Sesi tercatat",
    en: "Sessions recorded",
};

/// Stat.
pub const OPEN_PROBLEMS: Text = Text {
    id: "Masalah terbuka",
    en: "Open problems",
};

/// Stat.
pub const AUDIT_CHAIN: Text = Text {
    id: "Rantai log audit",
    en: "Audit chain",
};

/// Audit chain state.
pub const INTACT: Text = Text {
    id: "utuh",
    en: "intact",
};

/// Audit chain state.
pub const BROKEN: Text = Text {
    id: "RUSAK",
    en: "BROKEN",
};

/// Stat.
pub const LAST_BACKUP: Text = Text {
    id: "Cadangan terakhir",
    en: "Last backup",
};

/// No backups exist.
pub const NO_BACKUPS: Text = Text {
    id: "belum ada",
    en: "none yet",
};

/// The admin's button that takes a backup now.
pub const BACKUP_NOW: Text = Text {
    id: "Buat cadangan sekarang",
    en: "Back up now",
};

/// After a backup was written.
pub const BACKUP_DONE: Text = Text {
    id: "Cadangan dibuat",
    en: "Backup written",
};

/// A backup that failed (the reason follows).
pub const BACKUP_FAILED: Text = Text {
    id: "Pencadangan gagal",
    en: "Backup failed",
};

/// Where backups go and how to take them off the machine.
pub const BACKUP_HINT: Text = Text {
    id: "Salin berkas cadangan secara berkala ke media lain (CD, hard disk eksternal) dan simpan di luar ruangan server.",
    en: "Copy the backup files regularly to other media (CD, external hard disk) and keep them away from the server room.",
};

/// Free space on the data disk.
pub const FREE_SPACE: Text = Text {
    id: "Ruang disk tersisa",
    en: "Free disk space",
};

/// The alert shown on every page while the data disk is nearly full.
pub const STORAGE_LOW_ALERT: Text = Text {
    id: "Disk data server hampir penuh: login baru ditolak sampai ruang dikosongkan. Sesi yang berjalan tetap diakhiri dengan benar.",
    en: "The server's data disk is nearly full: new logins are refused until space is freed. Running sessions still end correctly.",
};

/// Stat.
pub const SERVER_TIME: Text = Text {
    id: "Waktu server",
    en: "Server time",
};

/// Stat.
pub const VERSION: Text = Text {
    id: "Versi",
    en: "Version",
};

/// Column.
pub const AGENT_VERSION: Text = Text {
    id: "Versi agen",
    en: "Agent version",
};

/// Heading of the website watch on the Health page.
pub const WATCH_HEADING: Text = Text {
    id: "Pemantauan situs web (SOP 07)",
    en: "Website watch (SOP 07)",
};

/// Column.
pub const WATCH_SITE: Text = Text {
    id: "Situs",
    en: "Site",
};

/// Column.
pub const WATCH_KIND: Text = Text {
    id: "Jenis",
    en: "Kind",
};

/// A watched site's kind.
pub const WATCH_KIND_WEBSITE: Text = Text {
    id: "Situs web",
    en: "Website",
};

/// A watched site's kind.
pub const WATCH_KIND_OPAC: Text = Text {
    id: "OPAC",
    en: "OPAC (catalogue)",
};

/// A watched site's kind.
pub const WATCH_KIND_UPLINK: Text = Text {
    id: "Koneksi internet",
    en: "Internet uplink",
};

/// Column.
pub const WATCH_STATE: Text = Text {
    id: "Keadaan",
    en: "State",
};

/// A site that answers.
pub const WATCH_UP: Text = Text {
    id: "aktif",
    en: "up",
};

/// A site that does not answer.
pub const WATCH_DOWN: Text = Text {
    id: "TIDAK DAPAT DIAKSES",
    en: "DOWN",
};

/// Before the first check.
pub const WATCH_NOT_CHECKED: Text = Text {
    id: "belum diperiksa",
    en: "not checked yet",
};

/// Column.
pub const WATCH_RESPONSE: Text = Text {
    id: "Waktu respons",
    en: "Response time",
};

/// Column.
pub const WATCH_LAST_CHECK: Text = Text {
    id: "Pemeriksaan terakhir",
    en: "Last check",
};

/// Column: when the content last changed.
pub const WATCH_LAST_CHANGED: Text = Text {
    id: "Terakhir berubah",
    en: "Last changed",
};

/// Content changed today.
pub const WATCH_CHANGED_TODAY: Text = Text {
    id: "hari ini",
    en: "today",
};

/// After a number of days: "12 hari lalu".
pub const WATCH_DAYS_AGO: Text = Text {
    id: "hari lalu",
    en: "days ago",
};

/// Column.
pub const WATCH_CERT_EXPIRES: Text = Text {
    id: "Sertifikat berlaku s.d.",
    en: "Certificate valid until",
};

/// No sites are configured.
pub const WATCH_NO_SITES: Text = Text {
    id: "Belum ada situs yang dipantau (bagian [watch] pada konfigurasi server).",
    en: "No sites are watched (the [watch] section of the server configuration).",
};

/// Heading of the renewal reminders.
pub const WATCH_REMINDERS: Text = Text {
    id: "Pengingat perpanjangan",
    en: "Renewal reminders",
};

/// Before a number of days: "berakhir dalam 5 hari".
pub const WATCH_EXPIRES_IN: Text = Text {
    id: "berakhir dalam",
    en: "expires in",
};

/// After a number of days.
pub const WATCH_DAYS: Text = Text {
    id: "hari",
    en: "days",
};

/// Something expired already.
pub const WATCH_EXPIRED: Text = Text {
    id: "SUDAH BERAKHIR",
    en: "EXPIRED",
};

/// What expires.
pub const WATCH_CERTIFICATE: Text = Text {
    id: "Sertifikat TLS",
    en: "TLS certificate",
};

/// What expires.
pub const WATCH_DOMAIN: Text = Text {
    id: "Domain",
    en: "Domain",
};

/// What expires.
pub const WATCH_HOSTING: Text = Text {
    id: "Hosting",
    en: "Hosting",
};

/// The problem an outage opens, after the site's name.
pub const WATCH_OUTAGE_TEXT: Text = Text {
    id: "tidak dapat diakses",
    en: "cannot be reached",
};

/// Before the time an outage began.
pub const WATCH_SINCE: Text = Text {
    id: "sejak",
    en: "since",
};

/// How a recovery closes the problem, before the time it went down.
pub const WATCH_RECOVERED_TEXT: Text = Text {
    id: "Pulih dengan sendirinya. Tidak dapat diakses dari",
    en: "Recovered by itself. Down from",
};

/// Between the two times of an outage.
pub const WATCH_UNTIL: Text = Text {
    id: "sampai",
    en: "to",
};

/// Before the number of failed checks.
pub const WATCH_CHECKS_FAILED: Text = Text {
    id: "pemeriksaan gagal",
    en: "checks failed",
};

/// Why a check failed.
pub const WATCH_UNREACHABLE: Text = Text {
    id: "tidak terhubung",
    en: "no connection",
};

/// Why a check failed.
pub const WATCH_TIMEOUT: Text = Text {
    id: "tidak menjawab tepat waktu",
    en: "no answer in time",
};

/// Why a check failed.
pub const WATCH_TLS: Text = Text {
    id: "jabat tangan TLS gagal",
    en: "TLS handshake failed",
};

/// Why a check failed.
pub const WATCH_CERT_INVALID: Text = Text {
    id: "sertifikat tidak sah (kedaluwarsa atau tidak tepercaya)",
    en: "certificate not valid (expired or untrusted)",
};

/// Why a check failed (the HTTP status follows).
pub const WATCH_HTTP_ERROR: Text = Text {
    id: "halaman galat",
    en: "error page",
};

/// Why a check failed.
pub const WATCH_BAD_ANSWER: Text = Text {
    id: "jawaban tidak dapat dibaca",
    en: "unreadable answer",
};

/// Column: the station's host name.
pub const HOST_NAME: Text = Text {
    id: "Nama host",
    en: "Host name",
};

/// Column: the station's operating system.
pub const OPERATING_SYSTEM: Text = Text {
    id: "Sistem operasi",
    en: "Operating system",
};
