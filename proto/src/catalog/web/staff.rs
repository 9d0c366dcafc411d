//! The staff accounts page (admins).

use crate::catalog::Text;

/// Column.
pub const ROLE: Text = Text {
    id: "Peran",
    en: "Role",
};

/// Column.
pub const ACTIONS: Text = Text {
    id: "Tindakan",
    en: "Actions",
};

/// Status and message.
pub const DISABLED: Text = Text {
    id: "Nonaktif",
    en: "Disabled",
};

/// Message.
pub const ENABLED: Text = Text {
    id: "Aktif kembali",
    en: "Enabled again",
};

/// Field.
pub const NEW_PASSWORD: Text = Text {
    id: "Kata sandi baru",
    en: "New password",
};

/// Button.
pub const RESET_PASSWORD: Text = Text {
    id: "Atur ulang sandi",
    en: "Reset password",
};

/// Message.
pub const PASSWORD_RESET: Text = Text {
    id: "Kata sandi diatur ulang",
    en: "Password reset",
};

/// Button.
pub const DISABLE: Text = Text {
    id: "Nonaktifkan",
    en: "Disable",
};

/// Button.
pub const ENABLE: Text = Text {
    id: "Aktifkan",
    en: "Enable",
};

/// Heading.
pub const NEW_STAFF: Text = Text {
    id: "Tambah petugas",
    en: "New staff account",
};

/// Button.
pub const CREATE: Text = Text {
    id: "Buat",
    en: "Create",
};

/// Message.
pub const CREATED: Text = Text {
    id: "Dibuat",
    en: "Created",
};

/// Column and field: the civil servant's number (Nomor Induk Pegawai),
/// printed under a signature.
pub const NIP: Text = Text {
    id: "NIP",
    en: "NIP (civil servant no.)",
};
