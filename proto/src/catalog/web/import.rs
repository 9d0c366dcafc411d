//! The member import page: the preview of what changes and its confirmation.

use crate::catalog::Text;

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
