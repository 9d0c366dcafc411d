//! The audit log page.

use crate::catalog::Text;

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
