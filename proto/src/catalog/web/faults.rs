//! Why the server refused what a librarian asked, worded for staff: the
//! refusals a person can cause from a form (a date that is not one, a month
//! not ended yet, a station already in use). `{value}` is filled with a
//! value the server chose to show (a month, a station's name), never with
//! raw input.

use crate::catalog::Text;

/// A card number field that is not one.
pub const FAULT_NOT_A_CARD: Text = Text {
    id: "Nomor kartu tidak valid: 1-64 huruf, angka, '-', '.', '/' atau '_'.",
    en: "Not a card number: 1-64 letters, digits, '-', '.', '/' or '_'.",
};

/// A date field that is not one ({value}: the field's label).
pub const FAULT_NOT_A_DATE: Text = Text {
    id: "{value}: bukan tanggal (tulis TTTT-BB-HH).",
    en: "{value}: not a date (write YYYY-MM-DD).",
};

/// The member form without a name.
pub const FAULT_NAME_REQUIRED: Text = Text {
    id: "Nama wajib diisi.",
    en: "The name is required.",
};

/// A PIN that is not one.
pub const FAULT_PIN: Text = Text {
    id: "PIN: paling banyak 12 angka.",
    en: "PIN: up to 12 digits.",
};

/// A choice outside the form's options (a tampered form).
pub const FAULT_UNKNOWN_CHOICE: Text = Text {
    id: "Pilihan tidak dikenal.",
    en: "Unknown choice.",
};

/// No member has the card.
pub const FAULT_NO_MEMBER: Text = Text {
    id: "Tidak ada anggota dengan nomor kartu ini.",
    en: "No member has this card.",
};

/// Adding a card the queue holds already.
pub const FAULT_ALREADY_QUEUED: Text = Text {
    id: "Kartu ini sudah ada di antrean.",
    en: "This card is already in the queue.",
};

/// Removing a card the queue does not hold.
pub const FAULT_NOT_QUEUED: Text = Text {
    id: "Kartu ini tidak ada di antrean.",
    en: "This card is not in the queue.",
};

/// The queue at its bound ({value}: the bound).
pub const FAULT_QUEUE_FULL: Text = Text {
    id: "Antrean penuh ({value} pemustaka).",
    en: "The queue is full ({value} patrons).",
};

/// Signing a month that is still running ({value}: YYYY-MM).
pub const FAULT_MONTH_NOT_ENDED: Text = Text {
    id: "Bulan {value} belum berakhir; laporan hanya dapat ditandatangani setelah bulannya selesai.",
    en: "{value} has not ended yet; a report is signed only once its month is over.",
};

/// Signing a month twice ({value}: YYYY-MM).
pub const FAULT_MONTH_SIGNED: Text = Text {
    id: "Laporan bulan {value} sudah ditandatangani.",
    en: "The report of {value} is signed already.",
};

/// A month field that is not one.
pub const FAULT_NOT_A_MONTH: Text = Text {
    id: "Bulan tidak valid (tulis TTTT-BB).",
    en: "Not a month (write YYYY-MM).",
};

/// A year field that is not one.
pub const FAULT_NOT_A_YEAR: Text = Text {
    id: "Tahun tidak valid (tulis TTTT).",
    en: "Not a year (write YYYY).",
};

/// Unlocking or acting on a station in maintenance ({value}: the station).
pub const FAULT_STATION_MAINTENANCE: Text = Text {
    id: "Komputer {value} sedang dalam perbaikan.",
    en: "Station {value} is in maintenance.",
};

/// Unlocking a station in use ({value}: the station).
pub const FAULT_STATION_BUSY: Text = Text {
    id: "Komputer {value} sedang dipakai.",
    en: "Station {value} is already in session.",
};

/// Ending or extending a session that is not there ({value}: the station).
pub const FAULT_NO_SESSION: Text = Text {
    id: "Komputer {value} tidak sedang dipakai.",
    en: "Station {value} has no session.",
};

/// Unlocking as a guest without saying for whom.
pub const FAULT_GUEST_NOTE: Text = Text {
    id: "Tulis untuk siapa komputer dibuka (nomor kartu atau catatan tamu).",
    en: "Say whom the station is unlocked for (a card or a guest note).",
};

/// Granting more time than the bound ({value}: the bound in minutes).
pub const FAULT_MINUTES: Text = Text {
    id: "Waktu paling lama {value} menit.",
    en: "At most {value} minutes.",
};

/// A message to a station with no text.
pub const FAULT_EMPTY_MESSAGE: Text = Text {
    id: "Pesan masih kosong.",
    en: "The message is empty.",
};

/// A staff user name that is not one.
pub const FAULT_USERNAME: Text = Text {
    id: "Nama pengguna: 1-64 huruf, angka, '.', '_' atau '-'.",
    en: "User name: 1-64 letters, digits, '.', '_' or '-'.",
};

/// A staff password too short.
pub const FAULT_PASSWORD: Text = Text {
    id: "Kata sandi paling sedikit 8 karakter.",
    en: "The password needs at least 8 characters.",
};

/// A staff account that exists already ({value}: the user name).
pub const FAULT_STAFF_EXISTS: Text = Text {
    id: "Akun petugas {value} sudah ada.",
    en: "The staff account {value} exists already.",
};

/// Unlocking or commanding a station that is not connected ({value}: the
/// station).
pub const FAULT_STATION_OFFLINE: Text = Text {
    id: "Komputer {value} sedang tidak terhubung.",
    en: "Station {value} is offline.",
};

/// An admin disabling their own account.
pub const FAULT_OWN_ACCOUNT: Text = Text {
    id: "Anda tidak dapat menonaktifkan akun Anda sendiri.",
    en: "You cannot disable your own account.",
};

/// An unlock with a purpose the library does not count.
pub const FAULT_UNKNOWN_PURPOSE: Text = Text {
    id: "Pilih salah satu keperluan yang tersedia.",
    en: "Choose one of the purposes offered.",
};

/// An upload larger than the bound ({value}: the bound in MiB).
pub const FAULT_FILE_TOO_BIG: Text = Text {
    id: "Berkas lebih besar dari {value} MiB.",
    en: "The file is larger than {value} MiB.",
};

/// Dismissing an alert that is gone (dismissed in another tab).
pub const FAULT_NO_ALERT: Text = Text {
    id: "Peringatan ini sudah tidak ada (mungkin sudah ditutup).",
    en: "This alert is gone (dismissed already?).",
};

/// A problem-log entry without its text.
pub const FAULT_INCIDENT_TEXT: Text = Text {
    id: "Tulis apa masalahnya pada komputer ini.",
    en: "Say what is wrong with the station.",
};

/// Resolving a problem without saying how.
pub const FAULT_INCIDENT_RESOLUTION: Text = Text {
    id: "Tulis apa yang sudah dilakukan.",
    en: "Say what was done.",
};

/// A problem-log entry that is not there.
pub const FAULT_NO_INCIDENT: Text = Text {
    id: "Catatan masalah ini tidak ada.",
    en: "There is no such problem entry.",
};

/// Resolving a problem twice (another tab did it).
pub const FAULT_INCIDENT_RESOLVED: Text = Text {
    id: "Masalah ini sudah diselesaikan.",
    en: "This problem is resolved already.",
};

/// Exporting or erasing a card Bilik knows nothing of.
pub const FAULT_NO_MEMBER_OR_SESSION: Text = Text {
    id: "Tidak ada anggota atau sesi dengan nomor kartu ini.",
    en: "No member or session has this card.",
};

/// Erasing a member who is at a computer now.
pub const FAULT_CARD_IN_SESSION: Text = Text {
    id: "Kartu ini sedang dipakai; akhiri sesinya dulu.",
    en: "The card is in a session: end it first.",
};

/// A station that is not there (removed, or a stale page).
pub const FAULT_NO_STATION: Text = Text {
    id: "Komputer ini tidak ada.",
    en: "There is no such station.",
};

/// A staff account that is not there.
pub const FAULT_NO_STAFF: Text = Text {
    id: "Akun petugas ini tidak ada.",
    en: "There is no such staff account.",
};
