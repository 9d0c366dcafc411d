//! The problems log page (Catatan Masalah): opening and resolving incidents.

use crate::catalog::Text;

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
