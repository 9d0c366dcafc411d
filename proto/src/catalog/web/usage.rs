//! The usage book page (Buku Penggunaan): filters, the session table, CSV.

use crate::catalog::Text;

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
