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
