//! The reports page (Laporan): the daily recap, the monthly report, sign-off.

use crate::catalog::Text;

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
