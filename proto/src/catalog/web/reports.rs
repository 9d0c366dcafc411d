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

/// Title of the sign-off confirmation step.
pub const SIGN_CONFIRM_TITLE: Text = Text {
    id: "Tandatangani laporan bulanan",
    en: "Sign the monthly report",
};

/// What signing does, on the confirmation step.
pub const SIGN_CONFIRM_INTRO: Text = Text {
    id: "Setelah ditandatangani, laporan bulan ini dibekukan untuk selamanya: angka di bawah, \
         daftar komputer dan dokumen PDF-nya tidak akan berubah lagi. Sesi yang tercatat \
         belakangan masuk ke lampiran, bukan ke laporan. Periksa angkanya sebelum menandatangani.",
    en: "Once signed, this month's report is frozen for good: the figures below, the list of \
         computers and its PDF will never change again. Sessions recorded later go to an \
         addendum, not into the report. Check the figures before you sign.",
};

/// Label: how many computers the frozen report lists.
pub const SIGN_STATIONS: Text = Text {
    id: "Komputer dalam laporan",
    en: "Computers in the report",
};

/// Label: the preparer chosen on the sign-off.
pub const SIGN_PREPARER: Text = Text {
    id: "Disiapkan oleh",
    en: "Prepared by",
};

/// The preparer choice that leaves the line blank.
pub const SIGN_PREPARER_NONE: Text = Text {
    id: "(dikosongkan, diisi tangan)",
    en: "(left blank, filled in by hand)",
};

/// The tick box that confirms the figures were checked.
pub const SIGN_CONFIRM_CHECK: Text = Text {
    id: "Saya sudah memeriksa laporan ini dan menandatanganinya sebagai Kepala Seksi Layanan.",
    en: "I have checked this report and sign it as Head of the Service Section.",
};

/// The final button of the sign-off.
pub const SIGN_FINAL: Text = Text {
    id: "Tandatangani dan bekukan",
    en: "Sign and freeze",
};

/// Shown when the tick box was not ticked.
pub const SIGN_NOT_CONFIRMED: Text = Text {
    id: "Centang pernyataan di bawah untuk menandatangani.",
    en: "Tick the statement below to sign.",
};

/// Label of a signed month's fingerprint on the reports page.
pub const SIGN_FINGERPRINT: Text = Text {
    id: "Sidik isi (SHA-256, tercetak di PDF bertanda tangan)",
    en: "Content fingerprint (SHA-256, printed on the signed PDF)",
};

/// Link back from the confirmation step.
pub const SIGN_BACK: Text = Text {
    id: "Kembali ke laporan",
    en: "Back to the report",
};

/// Under the utilisation figure: what it means.
pub const UTILISATION_EXPLAINED: Text = Text {
    id: "Menit pemakaian dalam jam layanan dibagi menit jam layanan semua komputer.",
    en: "Minutes used within opening hours divided by the opening minutes of all computers.",
};

/// The annual report's download form on the Reports page.
pub const ANNUAL_REPORT_CSV: Text = Text {
    id: "Laporan tahunan (CSV)",
    en: "Annual report (CSV)",
};

/// The annual report's year field (label for screen readers).
pub const YEAR: Text = Text {
    id: "Tahun",
    en: "Year",
};

/// The annual report's year field (placeholder: how a year is written).
pub const YEAR_HINT: Text = Text {
    id: "TTTT",
    en: "YYYY",
};
