//! What a report says, independent of its format. The exporters (csv,
//! xlsx, pdf, charts) render these structs; the signed snapshot of a month
//! is this struct serialised as JSON.

use serde::{Deserialize, Serialize};

/// Who made the report and for whom: printed at the top of every export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportHeader {
    /// The library's name (config `library.name`).
    pub library_name: String,
    /// Letterhead lines, top to bottom, e.g. "PEMERINTAH KABUPATEN SINJAI",
    /// "DINAS PERPUSTAKAAN DAN KEARSIPAN" (config `report.letterhead`).
    pub letterhead: Vec<String>,
    /// IANA time zone the days and hours are in.
    pub time_zone: String,
    /// When the report was computed, UTC ms.
    pub generated_at_ms: i64,
    /// When it was computed, library-local, "YYYY-MM-DD HH:MM" (for printing).
    pub generated_at_local: String,
    /// The library's town (config `library.place`), for the place-and-date
    /// line above the signatures; empty in reports made before it existed.
    #[serde(default)]
    pub place: String,
}

/// One session as a line of the usage book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecapRow {
    /// The session's id (UUIDv7), to find it again.
    pub session_id: String,
    /// Library-local date of the start, "YYYY-MM-DD".
    pub date: String,
    /// Library-local start time, "HH:MM".
    pub start: String,
    /// Library-local end time, "HH:MM" (empty while open).
    pub end: String,
    /// Station name.
    pub station: String,
    /// Card number; empty for a staff-recorded unlock.
    pub card: String,
    /// Patron name (or "Tamu" and the staff note for a guest).
    pub name: String,
    /// Member category (member type).
    pub category: String,
    /// "L" (laki-laki), "P" (perempuan) or "" when unknown.
    pub gender: String,
    /// Purpose of use the patron picked.
    pub purpose: String,
    /// Minutes used (rounded up; open sessions up to now).
    pub minutes: u32,
    /// End reason code: logout, time_up, librarian, station_restarted,
    /// maintenance; "open" while the session runs.
    pub end_reason: String,
    /// The version of the house rules the patron ticked on the lock screen
    /// (their digital initials, the usage book's "tata tertib" column);
    /// empty when nobody ticked them (a librarian's unlock, a guest) and in
    /// rows stored before the column existed.
    #[serde(default)]
    pub rules: String,
}

/// The daily recap: the digital page of the usage book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyRecap {
    /// Letterhead and provenance.
    pub header: ReportHeader,
    /// The library-local day, "YYYY-MM-DD".
    pub date: String,
    /// Every session that started that day, in start order.
    pub rows: Vec<RecapRow>,
    /// Number of sessions.
    pub total_sessions: u32,
    /// Distinct cards.
    pub unique_members: u32,
    /// Staff-recorded sessions without a card.
    pub guest_sessions: u32,
    /// Sum of the rows' minutes.
    pub total_minutes: u64,
}

/// A labelled count: one line of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What is counted (a date, a station, a purpose, an hour "08", a band "13-18").
    pub label: String,
    /// Sessions.
    pub sessions: u32,
    /// Minutes used.
    pub minutes: u64,
}

/// Sessions of one member category by gender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryGender {
    /// Member category ("Umum", "Pelajar", ... or "Tamu" for guests).
    pub category: String,
    /// Sessions by men.
    pub male: u32,
    /// Sessions by women.
    pub female: u32,
    /// Sessions with no gender recorded.
    pub unknown: u32,
}

/// How much one station was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationUse {
    /// Station name.
    pub station: String,
    /// Sessions on it.
    pub sessions: u32,
    /// Minutes used in total.
    pub minutes: u64,
    /// Minutes used within opening hours / opening minutes of the month, in %.
    pub utilisation_percent: f64,
}

/// A problem a station reported or staff logged in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Library-local "YYYY-MM-DD HH:MM".
    pub at: String,
    /// Station name.
    pub station: String,
    /// hook_failed, tamper, incident ...
    pub kind: String,
    /// What happened.
    pub detail: String,
}

/// The month at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Sessions that started in the month.
    pub sessions: u32,
    /// Distinct cards.
    pub unique_members: u32,
    /// Staff-recorded sessions without a card.
    pub guest_sessions: u32,
    /// Minutes used in total.
    pub minutes: u64,
    /// Hours used, `minutes / 60`, one decimal.
    pub hours: f64,
    /// Average minutes per session (0 without sessions).
    pub average_minutes: f64,
    /// Stations counted (every enrolled station, used or not).
    pub stations: u32,
    /// Opening minutes of the month for one station.
    pub opening_minutes_per_station: u64,
    /// Minutes used within opening hours / (stations x opening minutes), in %.
    pub utilisation_percent: f64,
    /// Patrons whose wait in the waiting queue ended in the month (served,
    /// expired or removed): how often every station was taken.
    #[serde(default)]
    pub queued: u32,
    /// Median minutes from joining the queue to the session start, over
    /// the patrons served from the queue (0 without any).
    #[serde(default)]
    pub median_wait_minutes: f64,
}

/// The signature of a signed month, as printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// The section head's username.
    pub username: String,
    /// Their display name.
    pub name: String,
    /// Their NIP (civil-service number).
    pub nip: String,
    /// When they signed, library-local "YYYY-MM-DD HH:MM".
    pub signed_at: String,
    /// The audit chain head at the month's end: the last entry's sequence
    /// (0: the log was empty then, or signed before heads were recorded).
    #[serde(default)]
    pub audit_seq: u64,
    /// That entry's HMAC, hex (printed and signed with the report).
    #[serde(default)]
    pub audit_mac: String,
}

/// The monthly report (step 5 of the procedure), signed in step 6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReport {
    /// Letterhead and provenance.
    pub header: ReportHeader,
    /// "YYYY-MM".
    pub month: String,
    /// First day, "YYYY-MM-DD".
    pub from_date: String,
    /// Last day, "YYYY-MM-DD".
    pub to_date: String,
    /// The month at a glance.
    pub totals: Totals,
    /// Every day of the month, zero days included, in order.
    pub per_day: Vec<Count>,
    /// Every station, unused ones included, by name.
    pub per_station: Vec<StationUse>,
    /// Member category x gender, by category.
    pub category_gender: Vec<CategoryGender>,
    /// Age at the session date, in the configured bands (then "unknown").
    pub age_bands: Vec<Count>,
    /// By purpose of use, most used first.
    pub purposes: Vec<Count>,
    /// By the member's occupation at login, most used first ("-": not
    /// known, "Tamu": guests). Absent from reports signed before it existed.
    #[serde(default)]
    pub occupations: Vec<Count>,
    /// By the member's highest education at login, most used first.
    #[serde(default)]
    pub education: Vec<Count>,
    /// By library-local start hour, "00".."23", all 24.
    pub hours: Vec<Count>,
    /// By end reason code.
    pub end_reasons: Vec<Count>,
    /// Problems reported or logged in the month.
    pub problems: Vec<Problem>,
    /// Display name of the staff member who prepared it: whoever generated
    /// it, or for a signed report the preparer the section head named
    /// (empty: a blank line to fill in by hand).
    pub prepared_by: String,
    /// The preparer's NIP, printed under their name (empty: none).
    #[serde(default)]
    pub prepared_by_nip: String,
    /// Name and NIP of the section head, printed in the signature block
    /// (config `report.section_head_name` / `_nip` until someone signs).
    pub section_head_name: String,
    /// NIP printed under the section head's name.
    pub section_head_nip: String,
    /// Set once signed.
    pub signed: Option<SignOff>,
    /// Sessions of the month that reached the server after it was signed.
    pub addendum: Vec<RecapRow>,
}
