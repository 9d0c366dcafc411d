//! Words of the librarians' web dashboard (navigation, the station grid,
//! members, imports, the usage book, the problems log, health, audit and
//! staff pages), in Indonesian and English. Report words stay in
//! [`super::report`].

use super::Text;

// ---------------------------------------------------------------------------
// Sign-in and the page frame
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Stations
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------

/// Field.
pub const SEARCH_MEMBERS: Text = Text {
    id: "Cari anggota",
    en: "Search members",
};

/// Placeholder.
pub const CARD_OR_NAME: Text = Text {
    id: "Nomor kartu atau nama",
    en: "Card number or name",
};

/// Button.
pub const SEARCH: Text = Text {
    id: "Cari",
    en: "Search",
};

/// Link and title.
pub const ADD_MEMBER: Text = Text {
    id: "Tambah anggota",
    en: "Add a member",
};

/// Link and title.
pub const IMPORT_SLIMS: Text = Text {
    id: "Impor dari SLiMS",
    en: "Import from SLiMS",
};

/// Empty result.
pub const NO_MEMBERS: Text = Text {
    id: "Tidak ada anggota yang cocok.",
    en: "No matching members.",
};

/// Column.
pub const NAME: Text = Text {
    id: "Nama",
    en: "Name",
};

/// Column.
pub const CATEGORY: Text = Text {
    id: "Jenis anggota",
    en: "Member type",
};

/// Column.
pub const EXPIRES: Text = Text {
    id: "Berlaku sampai",
    en: "Expires",
};

/// Column.
pub const STATUS: Text = Text {
    id: "Status",
    en: "Status",
};

/// Status.
pub const STATUS_ACTIVE: Text = Text {
    id: "Aktif",
    en: "Active",
};

/// Status.
pub const STATUS_BLOCKED: Text = Text {
    id: "Diblokir",
    en: "Blocked",
};

/// Status.
pub const STATUS_PENDING: Text = Text {
    id: "Belum aktif",
    en: "Pending",
};

/// Field.
pub const GENDER: Text = Text {
    id: "Jenis kelamin",
    en: "Gender",
};

/// Gender.
pub const MALE: Text = Text {
    id: "Laki-laki",
    en: "Male",
};

/// Gender.
pub const FEMALE: Text = Text {
    id: "Perempuan",
    en: "Female",
};

/// Field.
pub const BIRTH_DATE: Text = Text {
    id: "Tanggal lahir",
    en: "Birth date",
};

/// Field.
pub const INSTITUTION: Text = Text {
    id: "Instansi/sekolah",
    en: "Institution/school",
};

/// Field.
pub const PHONE: Text = Text {
    id: "Telepon",
    en: "Phone",
};

/// Field.
pub const EMAIL: Text = Text {
    id: "Email",
    en: "E-mail",
};

/// Field.
pub const REGISTERED: Text = Text {
    id: "Terdaftar sejak",
    en: "Registered",
};

/// Field.
pub const PIN: Text = Text {
    id: "PIN (opsional)",
    en: "PIN (optional)",
};

/// Placeholder.
pub const PIN_KEEP: Text = Text {
    id: "kosongkan agar tetap",
    en: "leave empty to keep",
};

/// Field.
pub const ADDRESS: Text = Text {
    id: "Alamat",
    en: "Address",
};

/// Field.
pub const NOTES: Text = Text {
    id: "Catatan",
    en: "Notes",
};

/// Button.
pub const SAVE: Text = Text {
    id: "Simpan",
    en: "Save",
};

/// Message.
pub const SAVED: Text = Text {
    id: "Tersimpan",
    en: "Saved",
};

/// Adding a known card.
pub const CARD_EXISTS: Text = Text {
    id: "Nomor kartu ini sudah terdaftar; buka anggotanya untuk mengubah.",
    en: "This card is registered already; open the member to edit.",
};

/// Button.
pub const BLOCK: Text = Text {
    id: "Blokir",
    en: "Block",
};

/// Button.
pub const UNBLOCK: Text = Text {
    id: "Buka blokir",
    en: "Unblock",
};

/// Heading.
pub const HISTORY: Text = Text {
    id: "Riwayat pemakaian",
    en: "Session history",
};

// ---------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------

/// Import form.
pub const IMPORT_HINT: Text = Text {
    id: "Pilih berkas CSV ekspor anggota dari SLiMS. Anda akan melihat pratinjau dulu; tidak ada yang disimpan sebelum Anda mengonfirmasi, dan berkas dengan baris salah ditolak seluruhnya.",
    en: "Choose a SLiMS member export (CSV). You will see a preview first; nothing is saved before you confirm, and a file with any bad line is refused whole.",
};

/// Button.
pub const PREVIEW: Text = Text {
    id: "Pratinjau",
    en: "Preview",
};

/// No file.
pub const CHOOSE_FILE: Text = Text {
    id: "Pilih berkas terlebih dahulu.",
    en: "Choose a file first.",
};

/// Title.
pub const IMPORT_PREVIEW: Text = Text {
    id: "Pratinjau impor",
    en: "Import preview",
};

/// Import with errors.
pub const IMPORT_REFUSED: Text = Text {
    id: "Berkas ditolak: perbaiki baris berikut lalu unggah lagi. Tidak ada data yang disimpan.",
    en: "The file was refused: fix these lines and upload it again. Nothing was saved.",
};

/// Column.
pub const LINE: Text = Text {
    id: "Baris",
    en: "Line",
};

/// Column.
pub const COLUMN: Text = Text {
    id: "Kolom",
    en: "Column",
};

/// Column.
pub const PROBLEM: Text = Text {
    id: "Masalah",
    en: "Problem",
};

/// Heading.
pub const TRY_AGAIN: Text = Text {
    id: "Unggah berkas yang sudah diperbaiki",
    en: "Upload the corrected file",
};

/// Preview count.
pub const WOULD_CREATE: Text = Text {
    id: "Baru",
    en: "New",
};

/// Preview count.
pub const WOULD_UPDATE: Text = Text {
    id: "Diperbarui",
    en: "Updated",
};

/// Preview count and row.
pub const UNCHANGED: Text = Text {
    id: "Tidak berubah",
    en: "Unchanged",
};

/// Preview.
pub const NOTHING_WRITTEN_YET: Text = Text {
    id: "Belum ada yang disimpan. Periksa daftar di bawah lalu konfirmasi.",
    en: "Nothing has been saved yet. Check the list below, then confirm.",
};

/// Button.
pub const CONFIRM_IMPORT: Text = Text {
    id: "Impor sekarang",
    en: "Import now",
};

/// Link.
pub const CANCEL: Text = Text {
    id: "Batal",
    en: "Cancel",
};

/// Column.
pub const CHANGE: Text = Text {
    id: "Perubahan",
    en: "Change",
};

/// Row.
pub const CHANGE_NEW: Text = Text {
    id: "baru",
    en: "new",
};

/// Row.
pub const CHANGE_UPDATED: Text = Text {
    id: "diperbarui",
    en: "updated",
};

/// Confirm after expiry.
pub const PREVIEW_EXPIRED: Text = Text {
    id: "Pratinjau sudah kedaluwarsa; unggah berkas lagi.",
    en: "The preview has expired; upload the file again.",
};

/// Message.
pub const IMPORTED: Text = Text {
    id: "Impor selesai",
    en: "Imported",
};

/// Message.
pub const NEW_LOWER: Text = Text {
    id: "baru",
    en: "new",
};

/// Message.
pub const UPDATED_LOWER: Text = Text {
    id: "diperbarui",
    en: "updated",
};

// ---------------------------------------------------------------------------
// Usage book and reports
// ---------------------------------------------------------------------------

/// Filter.
pub const FROM_DATE: Text = Text {
    id: "Dari tanggal",
    en: "From",
};

/// Filter.
pub const TO_DATE: Text = Text {
    id: "Sampai tanggal",
    en: "To",
};

/// Filter and column.
pub const STATION: Text = Text {
    id: "Komputer",
    en: "Station",
};

/// Filter.
pub const ALL_STATIONS: Text = Text {
    id: "Semua komputer",
    en: "All stations",
};

/// Button.
pub const SHOW: Text = Text {
    id: "Tampilkan",
    en: "Show",
};

/// Link.
pub const DOWNLOAD_CSV: Text = Text {
    id: "Unduh CSV",
    en: "Download CSV",
};

/// Summary.
pub const SESSIONS: Text = Text {
    id: "Sesi",
    en: "Sessions",
};

/// Summary.
pub const TOTAL_TIME: Text = Text {
    id: "Total waktu",
    en: "Total time",
};

/// Empty result.
pub const NO_SESSIONS: Text = Text {
    id: "Tidak ada sesi.",
    en: "No sessions.",
};

/// Column.
pub const DATE: Text = Text {
    id: "Tanggal",
    en: "Date",
};

/// Column.
pub const START: Text = Text {
    id: "Mulai",
    en: "Start",
};

/// Column.
pub const END_TIME: Text = Text {
    id: "Selesai",
    en: "End",
};

/// Column.
pub const PURPOSE: Text = Text {
    id: "Keperluan",
    en: "Purpose",
};

/// Column.
pub const END_REASON: Text = Text {
    id: "Alasan selesai",
    en: "End reason",
};

/// Tab.
pub const DAILY_RECAP: Text = Text {
    id: "Rekap harian",
    en: "Daily recap",
};

/// Tab.
pub const MONTHLY_REPORT: Text = Text {
    id: "Laporan bulanan",
    en: "Monthly report",
};

/// Label.
pub const DOWNLOAD: Text = Text {
    id: "Unduh",
    en: "Download",
};

/// Sign-off line.
pub const SIGNED_BY: Text = Text {
    id: "Ditandatangani oleh",
    en: "Signed by",
};

/// Sign-off line.
pub const NOT_SIGNED: Text = Text {
    id: "Belum ditandatangani kepala seksi.",
    en: "Not signed by the section head yet.",
};

/// Button (section heads).
pub const SIGN: Text = Text {
    id: "Tandatangani laporan",
    en: "Sign the report",
};

/// Message.
pub const SIGNED: Text = Text {
    id: "Laporan ditandatangani",
    en: "Report signed",
};

/// Stat.
pub const AVERAGE_MINUTES: Text = Text {
    id: "Rata-rata menit per sesi",
    en: "Average minutes per session",
};

/// Stat.
pub const UTILISATION: Text = Text {
    id: "Tingkat pemakaian",
    en: "Utilisation",
};

/// Breakdown.
pub const AGE_BAND: Text = Text {
    id: "Kelompok umur",
    en: "Age band",
};

// ---------------------------------------------------------------------------
// Problems log
// ---------------------------------------------------------------------------

/// Heading.
pub const REPORT_PROBLEM: Text = Text {
    id: "Catat masalah komputer",
    en: "Log a station problem",
};

/// Field.
pub const WHAT_IS_WRONG: Text = Text {
    id: "Apa masalahnya",
    en: "What is wrong",
};

/// Placeholder.
pub const PROBLEM_EXAMPLE: Text = Text {
    id: "mis. keyboard rusak, tidak ada internet",
    en: "e.g. keyboard broken, no internet",
};

/// Checkbox.
pub const PUT_IN_MAINTENANCE: Text = Text {
    id: "Jadikan mode perbaikan",
    en: "Put it in maintenance",
};

/// Button.
pub const LOG_PROBLEM: Text = Text {
    id: "Catat",
    en: "Log it",
};

/// Empty list.
pub const NO_PROBLEMS: Text = Text {
    id: "Belum ada masalah tercatat.",
    en: "No problems logged.",
};

/// Column.
pub const OPENED: Text = Text {
    id: "Dicatat",
    en: "Opened",
};

/// Column.
pub const REPORTED_BY: Text = Text {
    id: "Dicatat oleh",
    en: "Reported by",
};

/// Status.
pub const OPEN: Text = Text {
    id: "Terbuka",
    en: "Open",
};

/// Field.
pub const WHAT_WAS_DONE: Text = Text {
    id: "Apa yang dilakukan",
    en: "What was done",
};

/// Button.
pub const RESOLVE: Text = Text {
    id: "Selesaikan",
    en: "Resolve",
};

/// Status and message.
pub const RESOLVED: Text = Text {
    id: "Selesai",
    en: "Resolved",
};

/// Message.
pub const PROBLEM_LOGGED: Text = Text {
    id: "Masalah dicatat",
    en: "Problem logged",
};

// ---------------------------------------------------------------------------
// Health, audit, staff
// ---------------------------------------------------------------------------

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

/// The member page: the PIN is locked.
pub const PIN_LOCKED_NOTE: Text = Text {
    id: "PIN terkunci setelah terlalu sering salah.",
    en: "The PIN is locked after too many wrong tries.",
};

/// The member page: lift the PIN lock.
pub const PIN_UNLOCK: Text = Text {
    id: "Buka kunci PIN",
    en: "Unlock the PIN",
};

/// After lifting a PIN lock.
pub const PIN_UNLOCKED: Text = Text {
    id: "Kunci PIN dibuka.",
    en: "The PIN is unlocked.",
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

/// Column.
pub const TIME: Text = Text {
    id: "Waktu",
    en: "Time",
};

/// Column.
pub const ACTOR: Text = Text {
    id: "Pelaku",
    en: "Actor",
};

/// Column.
pub const ACTION: Text = Text {
    id: "Tindakan",
    en: "Action",
};

/// Column.
pub const TARGET: Text = Text {
    id: "Sasaran",
    en: "Target",
};

/// Column.
pub const DETAIL: Text = Text {
    id: "Rincian",
    en: "Detail",
};

/// Column.
pub const ROLE: Text = Text {
    id: "Peran",
    en: "Role",
};

/// Column.
pub const ACTIONS: Text = Text {
    id: "Tindakan",
    en: "Actions",
};

/// Status and message.
pub const DISABLED: Text = Text {
    id: "Nonaktif",
    en: "Disabled",
};

/// Message.
pub const ENABLED: Text = Text {
    id: "Aktif kembali",
    en: "Enabled again",
};

/// Field.
pub const NEW_PASSWORD: Text = Text {
    id: "Kata sandi baru",
    en: "New password",
};

/// Button.
pub const RESET_PASSWORD: Text = Text {
    id: "Atur ulang sandi",
    en: "Reset password",
};

/// Message.
pub const PASSWORD_RESET: Text = Text {
    id: "Kata sandi diatur ulang",
    en: "Password reset",
};

/// Button.
pub const DISABLE: Text = Text {
    id: "Nonaktifkan",
    en: "Disable",
};

/// Button.
pub const ENABLE: Text = Text {
    id: "Aktifkan",
    en: "Enable",
};

/// Heading.
pub const NEW_STAFF: Text = Text {
    id: "Tambah petugas",
    en: "New staff account",
};

/// Button.
pub const CREATE: Text = Text {
    id: "Buat",
    en: "Create",
};

/// Message.
pub const CREATED: Text = Text {
    id: "Dibuat",
    en: "Created",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_both_languages() {
        for text in [
            LOGIN_INTRO,
            SIGN_IN,
            ERR_CSRF,
            ACCOUNT_LOCKED,
            STATE_OFFLINE,
            IMPORT_REFUSED,
        ] {
            assert!(!text.id.is_empty() && !text.en.is_empty());
            assert_ne!(text.id, text.en);
        }
    }
}
