//! Words of the daily recap and the monthly report (titles, column
//! headers, section names, month names, end reasons, the signature block),
//! in Indonesian and English. The exporters (CSV, XLSX, PDF, SVG charts)
//! take every word they print from here.

use super::{Lang, Text};

/// Title of the monthly report.
pub const MONTHLY_TITLE: Text = Text {
    id: "Laporan Bulanan Penggunaan Fasilitas Internet",
    en: "Monthly Report on the Use of the Internet Facility",
};

/// Title of the annual report.
pub const ANNUAL_TITLE: Text = Text {
    id: "Laporan Tahunan Penggunaan Fasilitas Internet",
    en: "Annual Report on the Use of the Internet Facility",
};

/// Label before the year.
pub const YEAR_LABEL: Text = Text {
    id: "Tahun",
    en: "Year",
};

/// Section of the annual report: the months side by side.
pub const SECTION_MONTHS: Text = Text {
    id: "Per bulan",
    en: "By month",
};

/// Column: the month.
pub const COL_MONTH: Text = Text {
    id: "Bulan",
    en: "Month",
};

/// Column: whether the month's figures are the signed ones.
pub const COL_SIGNED: Text = Text {
    id: "Ditandatangani",
    en: "Signed",
};

/// Column: distinct members.
pub const COL_UNIQUE_MEMBERS: Text = Text {
    id: "Anggota unik",
    en: "Unique members",
};

/// A yes in a table.
pub const YES: Text = Text {
    id: "ya",
    en: "yes",
};

/// A no in a table.
pub const NO: Text = Text {
    id: "tidak",
    en: "no",
};

/// Title of the daily recap.
pub const DAILY_TITLE: Text = Text {
    id: "Rekapitulasi Harian Penggunaan Fasilitas Internet",
    en: "Daily Recap of the Use of the Internet Facility",
};

// ---------------------------------------------------------------------------
// Period and provenance
// ---------------------------------------------------------------------------

/// Label before the month in words: "Bulan: November 2026".
pub const MONTH_LABEL: Text = Text {
    id: "Bulan",
    en: "Month",
};

/// Label before the period's first and last day.
pub const PERIOD_LABEL: Text = Text {
    id: "Periode",
    en: "Period",
};

/// Label before the day of a daily recap: "Tanggal: Sabtu, 28 November 2026".
pub const DATE_LABEL: Text = Text {
    id: "Tanggal",
    en: "Date",
};

/// Label before the library's name.
pub const LIBRARY_LABEL: Text = Text {
    id: "Perpustakaan",
    en: "Library",
};

/// Label before the time the report was computed.
pub const GENERATED_AT: Text = Text {
    id: "Dibuat pada",
    en: "Generated at",
};

/// Label before the time zone the days and hours are in.
pub const TIME_ZONE_LABEL: Text = Text {
    id: "Zona waktu",
    en: "Time zone",
};

/// The month's name, 1 = January: `month_name(8)` is "Agustus" / "August".
/// Months outside 1..=12 give "?".
pub fn month_name(month: u32) -> Text {
    match month {
        1 => Text {
            id: "Januari",
            en: "January",
        },
        2 => Text {
            id: "Februari",
            en: "February",
        },
        3 => Text {
            id: "Maret",
            en: "March",
        },
        4 => Text {
            id: "April",
            en: "April",
        },
        5 => Text {
            id: "Mei",
            en: "May",
        },
        6 => Text {
            id: "Juni",
            en: "June",
        },
        7 => Text {
            id: "Juli",
            en: "July",
        },
        8 => Text {
            id: "Agustus",
            en: "August",
        },
        9 => Text {
            id: "September",
            en: "September",
        },
        10 => Text {
            id: "Oktober",
            en: "October",
        },
        11 => Text {
            id: "November",
            en: "November",
        },
        12 => Text {
            id: "Desember",
            en: "December",
        },
        _ => Text { id: "?", en: "?" },
    }
}

/// The day of the week, 0 = Monday .. 6 = Sunday (ISO order); other
/// numbers give "?".
pub fn weekday_name(days_from_monday: u32) -> Text {
    match days_from_monday {
        0 => Text {
            id: "Senin",
            en: "Monday",
        },
        1 => Text {
            id: "Selasa",
            en: "Tuesday",
        },
        2 => Text {
            id: "Rabu",
            en: "Wednesday",
        },
        3 => Text {
            id: "Kamis",
            en: "Thursday",
        },
        4 => Text {
            id: "Jumat",
            en: "Friday",
        },
        5 => Text {
            id: "Sabtu",
            en: "Saturday",
        },
        6 => Text {
            id: "Minggu",
            en: "Sunday",
        },
        _ => Text { id: "?", en: "?" },
    }
}

// ---------------------------------------------------------------------------
// Sections (also the XLSX sheet names: at most 31 characters each)
// ---------------------------------------------------------------------------

/// The totals of the month (or day).
pub const SECTION_SUMMARY: Text = Text {
    id: "Ringkasan",
    en: "Summary",
};

/// The sessions of a daily recap.
pub const SECTION_SESSIONS: Text = Text {
    id: "Daftar Sesi",
    en: "Sessions",
};

/// Breakdown per day of the month.
pub const SECTION_PER_DAY: Text = Text {
    id: "Per Hari",
    en: "Per Day",
};

/// Breakdown per station.
pub const SECTION_PER_STATION: Text = Text {
    id: "Per Komputer",
    en: "Per Station",
};

/// Breakdown by member category and gender.
pub const SECTION_CATEGORY_GENDER: Text = Text {
    id: "Kategori × Jenis Kelamin",
    en: "Category × Gender",
};

/// Breakdown by age band.
pub const SECTION_AGE_BANDS: Text = Text {
    id: "Kelompok Umur",
    en: "Age Bands",
};

/// Breakdown by purpose of use.
pub const SECTION_PURPOSES: Text = Text {
    id: "Keperluan",
    en: "Purposes",
};

/// Section: sessions by the member's occupation.
pub const SECTION_OCCUPATIONS: Text = Text {
    id: "Pekerjaan",
    en: "Occupations",
};

/// Section: sessions by the member's highest education.
pub const SECTION_EDUCATION: Text = Text {
    id: "Pendidikan",
    en: "Education",
};

/// Breakdown by hour of the day.
pub const SECTION_HOURS: Text = Text {
    id: "Per Jam",
    en: "Per Hour",
};

/// Breakdown by end reason.
pub const SECTION_END_REASONS: Text = Text {
    id: "Alasan Selesai",
    en: "End Reasons",
};

/// Problems reported or logged in the month.
pub const SECTION_PROBLEMS: Text = Text {
    id: "Masalah",
    en: "Problems",
};

/// Sessions that reached the server after the month was signed.
pub const SECTION_ADDENDUM: Text = Text {
    id: "Adendum",
    en: "Addendum",
};

/// Who prepared the report and who acknowledges it (CSV, XLSX summary).
pub const SECTION_SIGN_OFF: Text = Text {
    id: "Pengesahan",
    en: "Sign-off",
};

/// Explains the addendum under its heading.
pub const ADDENDUM_NOTE: Text = Text {
    id: "Sesi bulan ini yang diterima server setelah laporan ditandatangani. \
         Sesi ini tidak termasuk dalam angka di atas.",
    en: "Sessions of this month that reached the server after the report was signed. \
         They are not included in the figures above.",
};

/// The charts' section heading.
pub const SECTION_CHARTS: Text = Text {
    id: "Grafik",
    en: "Charts",
};

/// Title of the chart of sessions per day.
pub const CHART_PER_DAY: Text = Text {
    id: "Jumlah sesi per hari",
    en: "Sessions per day",
};

/// Title of the chart of sessions per hour of day.
pub const CHART_PER_HOUR: Text = Text {
    id: "Jumlah sesi per jam (jam mulai)",
    en: "Sessions per hour of day (start hour)",
};

/// Printed instead of an empty problems list.
pub const NO_PROBLEMS: Text = Text {
    id: "Tidak ada masalah yang tercatat.",
    en: "No problems were logged.",
};

/// Printed instead of an empty list of sessions.
pub const NO_SESSIONS: Text = Text {
    id: "Tidak ada sesi.",
    en: "No sessions.",
};

// ---------------------------------------------------------------------------
// Totals
// ---------------------------------------------------------------------------

/// Number of sessions.
pub const TOTAL_SESSIONS: Text = Text {
    id: "Jumlah sesi",
    en: "Sessions",
};

/// Number of distinct cards.
pub const TOTAL_UNIQUE_MEMBERS: Text = Text {
    id: "Jumlah anggota (berbeda)",
    en: "Unique members",
};

/// Sessions recorded by staff without a card.
pub const TOTAL_GUEST_SESSIONS: Text = Text {
    id: "Sesi tamu (tanpa kartu)",
    en: "Guest sessions (no card)",
};

/// Minutes used.
pub const TOTAL_MINUTES: Text = Text {
    id: "Jumlah menit pemakaian",
    en: "Minutes used",
};

/// Hours used.
pub const TOTAL_HOURS: Text = Text {
    id: "Jumlah jam pemakaian",
    en: "Hours used",
};

/// Summary row: patrons whose queue wait ended in the month.
pub const TOTAL_QUEUED: Text = Text {
    id: "Pengunjung yang mengantre",
    en: "Patrons queued",
};

/// Summary row: median minutes from joining the queue to the session.
pub const TOTAL_MEDIAN_WAIT: Text = Text {
    id: "Median waktu tunggu antrean (menit)",
    en: "Median queue wait (minutes)",
};

/// Average minutes per session.
pub const TOTAL_AVERAGE_MINUTES: Text = Text {
    id: "Rata-rata menit per sesi",
    en: "Average minutes per session",
};

/// Stations counted.
pub const TOTAL_STATIONS: Text = Text {
    id: "Jumlah komputer",
    en: "Stations",
};

/// Opening minutes of the month for one station.
pub const TOTAL_OPENING_MINUTES: Text = Text {
    id: "Menit jam layanan per komputer",
    en: "Opening minutes per station",
};

/// Utilisation within opening hours.
pub const TOTAL_UTILISATION: Text = Text {
    id: "Tingkat pemakaian dalam jam layanan (%)",
    en: "Utilisation within opening hours (%)",
};

// ---------------------------------------------------------------------------
// Column headers
// ---------------------------------------------------------------------------

/// Running number.
pub const COL_NO: Text = Text {
    id: "No.",
    en: "No.",
};

/// A summary line's name.
pub const COL_ITEM: Text = Text {
    id: "Uraian",
    en: "Item",
};

/// A summary line's value.
pub const COL_VALUE: Text = Text {
    id: "Nilai",
    en: "Value",
};

/// A date.
pub const COL_DATE: Text = Text {
    id: "Tanggal",
    en: "Date",
};

/// Start time.
pub const COL_START: Text = Text {
    id: "Mulai",
    en: "Start",
};

/// End time.
pub const COL_END: Text = Text {
    id: "Selesai",
    en: "End",
};

/// Station name.
pub const COL_STATION: Text = Text {
    id: "Komputer",
    en: "Station",
};

/// Card number.
pub const COL_CARD: Text = Text {
    id: "No. Kartu",
    en: "Card No.",
};

/// Patron name.
pub const COL_NAME: Text = Text {
    id: "Nama",
    en: "Name",
};

/// Member category.
pub const COL_CATEGORY: Text = Text {
    id: "Kategori",
    en: "Category",
};

/// Gender, as the one-letter code.
pub const COL_GENDER: Text = Text {
    id: "L/P",
    en: "M/F",
};

/// Purpose of use.
pub const COL_PURPOSE: Text = Text {
    id: "Keperluan",
    en: "Purpose",
};

/// Column: occupation.
pub const COL_OCCUPATION: Text = Text {
    id: "Pekerjaan",
    en: "Occupation",
};

/// Column: highest education.
pub const COL_EDUCATION: Text = Text {
    id: "Pendidikan terakhir",
    en: "Highest education",
};

/// Minutes used.
pub const COL_MINUTES: Text = Text {
    id: "Menit",
    en: "Minutes",
};

/// Number of sessions.
pub const COL_SESSIONS: Text = Text {
    id: "Sesi",
    en: "Sessions",
};

/// End reason.
pub const COL_END_REASON: Text = Text {
    id: "Alasan Selesai",
    en: "End Reason",
};

/// Whether the patron ticked the house rules (their digital initials).
pub const COL_RULES: Text = Text {
    id: "Tata Tertib",
    en: "House Rules",
};

/// The house-rules cell: the version the patron agreed to, or a dash when
/// nobody ticked them (a librarian's unlock, a guest).
pub fn rules_agreed(version: &str, lang: Lang) -> String {
    if version.is_empty() {
        return "—".to_owned();
    }
    let agreed = Text {
        id: "Disetujui (v{v})",
        en: "Agreed (v{v})",
    };
    agreed.get(lang).replace("{v}", version)
}

/// The session's id.
pub const COL_SESSION_ID: Text = Text {
    id: "ID Sesi",
    en: "Session ID",
};

/// Utilisation in percent.
pub const COL_UTILISATION: Text = Text {
    id: "Pemakaian (%)",
    en: "Utilisation (%)",
};

/// Sessions by men.
pub const COL_MALE: Text = Text {
    id: "Laki-laki",
    en: "Male",
};

/// Sessions by women.
pub const COL_FEMALE: Text = Text {
    id: "Perempuan",
    en: "Female",
};

/// Sessions with no gender recorded.
pub const COL_UNKNOWN_GENDER: Text = Text {
    id: "Tidak diketahui",
    en: "Unknown",
};

/// A row's total.
pub const COL_TOTAL: Text = Text {
    id: "Jumlah",
    en: "Total",
};

/// An age band.
pub const COL_AGE_BAND: Text = Text {
    id: "Kelompok Umur",
    en: "Age Band",
};

/// An hour of the day.
pub const COL_HOUR: Text = Text {
    id: "Jam",
    en: "Hour",
};

/// When a problem happened.
pub const COL_TIME: Text = Text {
    id: "Waktu",
    en: "Time",
};

/// A problem's kind.
pub const COL_KIND: Text = Text {
    id: "Jenis",
    en: "Kind",
};

/// A problem's description.
pub const COL_DETAIL: Text = Text {
    id: "Keterangan",
    en: "Detail",
};

/// The label "unknown" of the age band without a birth date.
pub const AGE_UNKNOWN: Text = Text {
    id: "Tidak diketahui",
    en: "Unknown",
};

/// Suffix after an age band: "13-18 tahun".
pub const YEARS: Text = Text {
    id: "tahun",
    en: "years",
};

/// The one-letter gender code as printed: the data says "L" or "P"
/// (Indonesian), the English export says "M" or "F". Other codes are
/// printed as they are.
pub fn gender_code(code: &str, lang: Lang) -> &str {
    match (code, lang) {
        ("L", Lang::En) => "M",
        ("P", Lang::En) => "F",
        _ => code,
    }
}

/// The label of an end-reason code (logout, time_up, librarian,
/// station_restarted, maintenance, open); `None` for an unknown code,
/// which the exporters print as it is.
pub fn end_reason(code: &str) -> Option<Text> {
    let text = match code {
        "logout" => Text {
            id: "Keluar sendiri",
            en: "Logged out",
        },
        "time_up" => Text {
            id: "Waktu habis",
            en: "Time up",
        },
        "librarian" => Text {
            id: "Dihentikan petugas",
            en: "Ended by the librarian",
        },
        "outage" => Text {
            id: "Situs tidak dapat diakses",
            en: "Site outage",
        },
        "station_restarted" => Text {
            id: "Komputer dinyalakan ulang",
            en: "Station restarted",
        },
        "maintenance" => Text {
            id: "Perbaikan",
            en: "Maintenance",
        },
        "open" => Text {
            id: "Masih berlangsung",
            en: "Still open",
        },
        _ => return None,
    };
    Some(text)
}

/// The label of a problem kind (hook_failed, tamper, incident,
/// station_restarted); `None` for an unknown kind, which the exporters
/// print as it is.
pub fn problem_kind(code: &str) -> Option<Text> {
    let text = match code {
        "hook_failed" => Text {
            id: "Skrip pembersihan gagal",
            en: "Clean-up hook failed",
        },
        "tamper" => Text {
            id: "Upaya mengutak-atik komputer",
            en: "Tampering",
        },
        "incident" => Text {
            id: "Kejadian",
            en: "Incident",
        },
        "station_restarted" => Text {
            id: "Komputer dinyalakan ulang",
            en: "Station restarted",
        },
        _ => return None,
    };
    Some(text)
}

// ---------------------------------------------------------------------------
// Signature block and page furniture
// ---------------------------------------------------------------------------

/// Left of the signature block, above the preparer's name.
pub const PREPARED_BY: Text = Text {
    id: "Disiapkan oleh",
    en: "Prepared by",
};

/// First line right of the signature block.
pub const ACKNOWLEDGED: Text = Text {
    id: "Mengetahui,",
    en: "Acknowledged by,",
};

/// The section head's office, under "Mengetahui,".
pub const SECTION_HEAD: Text = Text {
    id: "Kepala Seksi Layanan",
    en: "Head of the Service Section",
};

/// Printed before a civil-service number: "NIP. 19800101 200501 1 001".
pub const NIP_PREFIX: Text = Text {
    id: "NIP. ",
    en: "NIP. ",
};

/// The electronic-signature line; `{name}`, `{nip}` and `{at}` are
/// replaced by [`signed_by`].
pub const SIGNED_BY: Text = Text {
    id: "Ditandatangani secara elektronik oleh {name} (NIP {nip}) pada {at}",
    en: "Signed electronically by {name} (NIP {nip}) on {at}",
};

/// Before the content fingerprint of a signed report (and its QR code).
pub const FINGERPRINT: Text = Text {
    id: "Sidik isi laporan (SHA-256; sama dengan yang tercatat di server, lihat halaman \
         Laporan):",
    en: "Fingerprint of the report's contents (SHA-256; the same as recorded on the \
         server, see the Reports page):",
};

/// Under the signature line: what the signature covers.
pub const SIGNED_NOTE: Text = Text {
    id: "Isi laporan ini dibekukan saat ditandatangani; keasliannya dapat diperiksa \
         dengan perintah \"bilik-server report verify\".",
    en: "The contents of this report were frozen when it was signed; its authenticity \
         can be checked with \"bilik-server report verify\".",
};

/// Shown where the signature line goes on a report not signed yet.
pub const NOT_SIGNED: Text = Text {
    id: "Belum ditandatangani.",
    en: "Not signed yet.",
};

/// The electronic-signature line for `name`, `nip` and `signed_at`.
pub fn signed_by(lang: Lang, name: &str, nip: &str, signed_at: &str) -> String {
    SIGNED_BY
        .get(lang)
        .replace("{name}", name)
        .replace("{nip}", nip)
        .replace("{at}", signed_at)
}

/// The page footer: "Halaman {page} dari {pages}".
pub const PAGE_OF: Text = Text {
    id: "Halaman {page} dari {pages}",
    en: "Page {page} of {pages}",
};

/// "Halaman 1 dari 3" for `page` 1 of `pages` 3.
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    PAGE_OF
        .get(lang)
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_month_and_weekday_has_both_languages() {
        for m in 1..=12 {
            let t = month_name(m);
            assert_ne!(t.id, "?");
            assert_ne!(t.en, "?");
        }
        assert_eq!(month_name(12).id, "Desember");
        assert_eq!(month_name(1).id, "Januari");
        for d in 0..7 {
            assert_ne!(weekday_name(d).en, "?");
        }
    }

    #[test]
    fn end_reasons_known_and_unknown() {
        for code in [
            "logout",
            "time_up",
            "librarian",
            "station_restarted",
            "maintenance",
            "open",
        ] {
            let t = end_reason(code);
            assert!(t.is_some(), "{code}");
        }
        assert!(end_reason("nonsense").is_none());
        assert_eq!(problem_kind("tamper").map(|t| t.en), Some("Tampering"));
        assert!(problem_kind("nonsense").is_none());
    }

    #[test]
    fn placeholders_are_filled() {
        let s = signed_by(Lang::Id, "Andi", "1980", "2026-12-01 09:00");
        assert_eq!(
            s,
            "Ditandatangani secara elektronik oleh Andi (NIP 1980) pada 2026-12-01 09:00"
        );
        assert_eq!(page_of(Lang::Id, 1, 3), "Halaman 1 dari 3");
        assert_eq!(page_of(Lang::En, 2, 3), "Page 2 of 3");
    }

    #[test]
    fn section_names_fit_a_sheet_name() {
        for t in [
            SECTION_SUMMARY,
            SECTION_SESSIONS,
            SECTION_PER_DAY,
            SECTION_PER_STATION,
            SECTION_CATEGORY_GENDER,
            SECTION_AGE_BANDS,
            SECTION_PURPOSES,
            SECTION_OCCUPATIONS,
            SECTION_EDUCATION,
            SECTION_HOURS,
            SECTION_END_REASONS,
            SECTION_PROBLEMS,
            SECTION_ADDENDUM,
            SECTION_SIGN_OFF,
        ] {
            for lang in [Lang::Id, Lang::En] {
                let s = t.get(lang);
                assert!(s.chars().count() <= 31, "{s}");
                assert!(!s.contains(['[', ']', ':', '*', '?', '/', '\\']), "{s}");
            }
        }
    }
}
