//! The members page (Anggota): search, the member form, blocking, history.

use crate::catalog::{Lang, Text};

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
    id: "Impor dari SLiMS / INLISLite",
    en: "Import from SLiMS / INLISLite",
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

/// Member form: occupation (INLISLite "pekerjaan").
pub const OCCUPATION: Text = Text {
    id: "Pekerjaan",
    en: "Occupation",
};

/// Member form: highest education (INLISLite "pendidikan terakhir").
pub const EDUCATION: Text = Text {
    id: "Pendidikan terakhir",
    en: "Highest education",
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

/// Above the search results ({n}: how many match).
pub const MEMBERS_FOUND: Text = Text {
    id: "{n} anggota ditemukan",
    en: "{n} members found",
};

/// The results' page ({page} of {pages}).
pub const RESULTS_PAGE: Text = Text {
    id: "halaman {page} dari {pages}",
    en: "page {page} of {pages}",
};

/// Link to the previous page of results.
pub const PREVIOUS: Text = Text {
    id: "Sebelumnya",
    en: "Previous",
};

/// Link to the next page of results.
pub const NEXT: Text = Text {
    id: "Berikutnya",
    en: "Next",
};

/// "12 anggota ditemukan".
pub fn members_found(lang: Lang, n: u64) -> String {
    MEMBERS_FOUND.get(lang).replace("{n}", &n.to_string())
}

/// "halaman 2 dari 5".
pub fn page_of(lang: Lang, page: u64, pages: u64) -> String {
    RESULTS_PAGE
        .get(lang)
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string())
}

/// Heading of the member page's personal-data actions (admins).
pub const PERSONAL_DATA: Text = Text {
    id: "Data pribadi (UU 27/2022)",
    en: "Personal data (UU 27/2022)",
};

/// Link: an access request answered with a file.
pub const EXPORT_MEMBER_DATA: Text = Text {
    id: "Unduh semua data anggota ini (JSON)",
    en: "Download everything held about this member (JSON)",
};

/// Button: an erasure request.
pub const ERASE_MEMBER: Text = Text {
    id: "Hapus anggota dan samarkan riwayatnya",
    en: "Erase the member and pseudonymise their history",
};

/// Tick box before the erasure.
pub const ERASE_CONFIRM: Text = Text {
    id: "Saya yakin (tidak dapat dibatalkan; angka laporan tetap sama)",
    en: "I am sure (cannot be undone; report figures stay the same)",
};

/// The erasure was done.
pub const MEMBER_ERASED: Text = Text {
    id: "Anggota dihapus; riwayat penggunaannya disamarkan.",
    en: "Member erased; their usage history is pseudonymised.",
};

/// The erasure form without the tick.
pub const ERASE_NOT_CONFIRMED: Text = Text {
    id: "Centang kotak konfirmasi untuk menghapus.",
    en: "Tick the confirmation box to erase.",
};

/// Title of the member form shown again after a refused edit.
pub const EDIT_MEMBER: Text = Text {
    id: "Ubah data anggota",
    en: "Edit the member",
};
