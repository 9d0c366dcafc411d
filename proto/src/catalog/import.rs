//! Why a member import file was refused, one sentence per problem, for the
//! operator who fixes the file: on the dashboard's import preview and in
//! `bilik-server member import`. A problem names its line and column; the
//! cell's value is never quoted back. `{value}` is filled with a number
//! the importer chose (a limit, a count, a line).

use super::Text;

/// A required cell left empty.
pub const REQUIRED: Text = Text {
    id: "Wajib diisi, tetapi kosong.",
    en: "Required, but empty.",
};

/// A cell longer than its limit ({value}: the limit in characters).
pub const TOO_LONG: Text = Text {
    id: "Lebih dari {value} karakter.",
    en: "Longer than {value} characters.",
};

/// A card number with characters a card cannot have.
pub const CARD_CHARACTERS: Text = Text {
    id: "Nomor kartu hanya boleh berisi huruf A-Z, angka, '-', '.', '/' dan '_'.",
    en: "A card number may only hold letters A-Z, digits, '-', '.', '/' and '_'.",
};

/// A date cell that is not a date.
pub const NOT_A_DATE: Text = Text {
    id: "Bukan tanggal (tulis TTTT-BB-HH).",
    en: "Not a date (write YYYY-MM-DD).",
};

/// A required date written as MySQL's "no date".
pub const NO_DATE: Text = Text {
    id: "Wajib berisi tanggal; 0000-00-00 berarti tidak ada tanggal.",
    en: "Required, but 0000-00-00 means no date.",
};

/// A card twice in one file ({value}: the line it was first seen on).
pub const DUPLICATE_CARD: Text = Text {
    id: "Nomor kartu ganda; sudah ada di baris {value}.",
    en: "Duplicate card number; first seen on line {value}.",
};

/// SLiMS' gender column holding something else than its codes.
pub const SLIMS_GENDER: Text = Text {
    id: "Tulis 1 (laki-laki), 0 (perempuan) atau kosongkan.",
    en: "Write 1 (male), 0 (female) or leave it empty.",
};

/// INLISLite's gender column holding something else than its words.
pub const INLISLITE_GENDER: Text = Text {
    id: "Tulis Laki-laki, Perempuan atau kosongkan.",
    en: "Write Laki-laki, Perempuan or leave it empty.",
};

/// INLISLite's standing column holding something else than its words.
pub const INLISLITE_STATUS: Text = Text {
    id: "Tulis Aktif, Tidak Aktif, Pending atau kosongkan.",
    en: "Write Aktif, Tidak Aktif, Pending or leave it empty.",
};

/// A line that is not UTF-8.
pub const NOT_UTF8: Text = Text {
    id: "Baris ini bukan teks UTF-8; simpan ekspor sebagai UTF-8.",
    en: "This line is not UTF-8 text; save the export as UTF-8.",
};

/// A SLiMS line with the wrong number of fields ({value}: how many it has).
pub const FIELD_COUNT: Text = Text {
    id: "Seharusnya 18 atau 19 kolom, ada {value}.",
    en: "Expected 18 or 19 fields, found {value}.",
};

/// A quoted field running to the end of the file.
pub const UNCLOSED_QUOTE: Text = Text {
    id: "Tanda kutip tidak ditutup sebelum akhir berkas.",
    en: "A quoted field is not closed before the end of the file.",
};

/// Text between a closing quote and the next separator.
pub const AFTER_QUOTE: Text = Text {
    id: "Ada teks setelah tanda kutip penutup.",
    en: "Unexpected text after the closing quote.",
};

/// A backslash that ends a line.
pub const TRAILING_BACKSLASH: Text = Text {
    id: "Garis miring terbalik di akhir baris tidak meloloskan apa pun.",
    en: "A backslash at the end of a line escapes nothing.",
};

/// A raw control character in a field.
pub const CONTROL_CHARACTER: Text = Text {
    id: "Berisi karakter kendali, yang tidak diizinkan.",
    en: "Holds a control character, which is not allowed.",
};

/// A spreadsheet cell holding an error (`#VALUE!` and the like).
pub const CELL_ERROR: Text = Text {
    id: "Sel berisi galat lembar kerja.",
    en: "The cell holds a spreadsheet error.",
};

/// A workbook unpacking to more than the bound ({value}: the bound).
pub const UNPACKS_TOO_BIG: Text = Text {
    id: "Buku kerja terurai menjadi lebih dari {value} (atau bukan .xlsx yang dapat dibaca).",
    en: "The workbook unpacks to more than {value} (or is not a readable .xlsx).",
};

/// A file that is no readable workbook.
pub const NOT_A_WORKBOOK: Text = Text {
    id: "Bukan buku kerja Excel (.xlsx, .xls) yang dapat dibaca.",
    en: "Not an Excel workbook (.xlsx, .xls) that can be read.",
};

/// A sheet with more rows than the bound ({value}: the bound).
pub const TOO_MANY_ROWS: Text = Text {
    id: "Lembar kerja berisi lebih dari {value} baris.",
    en: "The sheet has more than {value} rows.",
};

/// A sheet with more columns than the bound ({value}: the bound).
pub const TOO_MANY_COLUMNS: Text = Text {
    id: "Lembar kerja berisi lebih dari {value} kolom.",
    en: "The sheet has more than {value} columns.",
};

/// An INLISLite sheet without the header row.
pub const NO_HEADER: Text = Text {
    id: "Tidak ada baris judul dengan \"no anggota\", \"nama\" dan \"tanggal akhir berlaku\".",
    en: "No header row with \"no anggota\", \"nama\" and \"tanggal akhir berlaku\".",
};

/// The problems past the reported ones ({value}: how many).
pub const MORE_PROBLEMS: Text = Text {
    id: "… dan {value} masalah lagi mulai baris ini.",
    en: "… and {value} more problem(s) from this line on.",
};

/// A field past the export's named columns ({value}: its position, 1-based).
pub const FIELD_AT: Text = Text {
    id: "kolom ke-{value}",
    en: "field {value}",
};

/// Where a problem is, in the command line's list ({value}: the line).
pub const AT_LINE: Text = Text {
    id: "baris {value}",
    en: "line {value}",
};

/// Which column a problem is in, in the command line's list ({value}: the
/// column's name).
pub const AT_COLUMN: Text = Text {
    id: "kolom {value}",
    en: "column {value}",
};

/// The head of the command line's list of problems.
pub const NOT_IMPORTED: Text = Text {
    id: "Berkas tidak diimpor; tidak ada yang diubah:",
    en: "The file was not imported; nothing was changed:",
};
