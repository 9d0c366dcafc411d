//! The stations page (Komputer): the live grid, its actions, enrolment codes.

use crate::catalog::Text;

/// Station state.
pub const STATE_LOCKED: Text = Text {
    id: "Terkunci",
    en: "Locked",
};

/// Station state.
pub const STATE_IN_SESSION: Text = Text {
    id: "Sedang dipakai",
    en: "In session",
};

/// Station state.
pub const STATE_WARNING: Text = Text {
    id: "Waktu hampir habis",
    en: "Time nearly up",
};

/// Station state.
pub const STATE_MAINTENANCE: Text = Text {
    id: "Perbaikan",
    en: "Maintenance",
};

/// Station state.
pub const STATE_OFFLINE: Text = Text {
    id: "Tidak terhubung",
    en: "Offline",
};

/// Station state.
pub const STATE_UNKNOWN: Text = Text {
    id: "Tidak diketahui",
    en: "Unknown",
};

/// Card label.
pub const PATRON: Text = Text {
    id: "Pengguna",
    en: "Patron",
};

/// A session without a card.
pub const GUEST_UNLOCK: Text = Text {
    id: "Dibuka petugas",
    en: "Staff unlock",
};

/// Card label.
pub const MINUTES_LEFT: Text = Text {
    id: "Sisa waktu",
    en: "Time left",
};

/// Card label.
pub const LAST_HEARTBEAT: Text = Text {
    id: "Kabar terakhir",
    en: "Last heartbeat",
};

/// After a duration.
pub const AGO: Text = Text {
    id: "yang lalu",
    en: "ago",
};

/// Card label.
pub const CPU_MEMORY: Text = Text {
    id: "CPU / memori",
    en: "CPU / memory",
};

/// Ends the session.
pub const END: Text = Text {
    id: "Akhiri",
    en: "End",
};

/// Field.
pub const CARD_NUMBER: Text = Text {
    id: "Nomor kartu (KTA)",
    en: "Card number",
};

/// Unlocks for a card.
pub const UNLOCK: Text = Text {
    id: "Buka",
    en: "Unlock",
};

/// Folded actions.
pub const MORE_ACTIONS: Text = Text {
    id: "Tindakan lain",
    en: "More actions",
};

/// Staff unlock field.
pub const GUEST_NOTE: Text = Text {
    id: "Catatan (untuk siapa)",
    en: "Note (who for)",
};

/// Unlock without a card.
pub const STAFF_UNLOCK: Text = Text {
    id: "Buka oleh petugas",
    en: "Staff unlock",
};

/// Field.
pub const MESSAGE: Text = Text {
    id: "Pesan ke layar",
    en: "Message to the screen",
};

/// Button.
pub const SEND: Text = Text {
    id: "Kirim",
    en: "Send",
};

/// Button and message.
pub const MAINTENANCE_ON: Text = Text {
    id: "Mode perbaikan aktif",
    en: "Maintenance on",
};

/// Button and message.
pub const MAINTENANCE_OFF: Text = Text {
    id: "Selesai perbaikan",
    en: "Maintenance off",
};

/// Power action.
pub const RESTART: Text = Text {
    id: "Mulai ulang",
    en: "Restart",
};

/// Power action.
pub const SHUTDOWN: Text = Text {
    id: "Matikan",
    en: "Shut down",
};

/// Summary label.
pub const STATIONS_TOTAL: Text = Text {
    id: "Komputer",
    en: "Stations",
};

/// Summary label.
pub const ONLINE: Text = Text {
    id: "Terhubung",
    en: "Online",
};

/// Summary label.
pub const IN_USE: Text = Text {
    id: "Dipakai",
    en: "In use",
};

/// Badge: the live feed is connected.
pub const LIVE: Text = Text {
    id: "langsung",
    en: "live",
};

/// Badge tooltip.
pub const LIVE_HINT: Text = Text {
    id: "Diperbarui otomatis tanpa memuat ulang",
    en: "Updates arrive without reloading",
};

/// Empty grid.
pub const NO_STATIONS: Text = Text {
    id: "Belum ada komputer terdaftar. Admin dapat membuat kode pendaftaran di bawah.",
    en: "No stations enrolled yet. An admin can make an enrolment code below.",
};

/// Admin panel.
pub const ENROLL_TITLE: Text = Text {
    id: "Daftarkan komputer baru",
    en: "Enrol a new station",
};

/// Admin panel.
pub const ENROLL_HINT: Text = Text {
    id: "Kode sekali pakai untuk `bilik-agent enroll`.",
    en: "A one-time code for `bilik-agent enroll`.",
};

/// Field.
pub const STATION_NAME: Text = Text {
    id: "Nama komputer (mis. PC-05)",
    en: "Station name (e.g. PC-05)",
};

/// Button.
pub const MAKE_CODE: Text = Text {
    id: "Buat kode",
    en: "Make a code",
};

/// Message.
pub const ENROLL_CODE_IS: Text = Text {
    id: "Kode pendaftaran",
    en: "Enrolment code",
};

/// Message.
pub const VALID_UNTIL: Text = Text {
    id: "berlaku sampai",
    en: "valid until",
};

/// Unlock without either.
pub const GIVE_CARD_OR_NOTE: Text = Text {
    id: "Isi nomor kartu atau catatan.",
    en: "Give a card number or a note.",
};

/// Message.
pub const UNLOCKED_FOR: Text = Text {
    id: "dibuka untuk",
    en: "unlocked for",
};

/// Message.
pub const ENDED: Text = Text {
    id: "sesi diakhiri",
    en: "session ended",
};

/// Message.
pub const MESSAGE_SENT: Text = Text {
    id: "terkirim",
    en: "delivered",
};

/// Message.
pub const MESSAGE_NOT_DELIVERED: Text = Text {
    id: "tidak terkirim (komputer tidak terhubung)",
    en: "not delivered (the station is offline)",
};

/// Before the library's time on the Komputer page.
pub const CLOCK_NOW: Text = Text {
    id: "Pukul",
    en: "Time",
};

/// Before the time left until closing.
pub const CLOSES_IN: Text = Text {
    id: "layanan tutup dalam",
    en: "the service closes in",
};

/// Instead of the time to closing while closed.
pub const SERVICE_CLOSED: Text = Text {
    id: "layanan sedang tutup",
    en: "the service is closed now",
};

/// Toast when a session ends on a station ({name}: the station).
pub const SESSION_ENDED_NOTICE: Text = Text {
    id: "{name}: sesi selesai, komputer kosong",
    en: "{name}: session ended, the computer is free",
};

/// Toast when a station goes offline during a session ({name}: the station).
pub const OFFLINE_IN_SESSION_NOTICE: Text = Text {
    id: "{name} terputus saat sesi berjalan",
    en: "{name} went offline during a session",
};
