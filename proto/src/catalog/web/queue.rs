//! The waiting queue panel on the stations page (Komputer).

use crate::catalog::Text;

/// Panel heading.
pub const QUEUE_TITLE: Text = Text {
    id: "Antrean pengunjung",
    en: "Waiting queue",
};

/// Under the heading: how the queue works and how the wait is estimated.
pub const QUEUE_HINT: Text = Text {
    id: "Komputer yang kosong dipesan untuk pengunjung pertama dalam antrean. Perkiraan tunggu dihitung dari sisa waktu sesi yang sedang berjalan.",
    en: "A free computer is reserved for the first patron in the queue. The estimated wait is worked out from the time left on the running sessions.",
};

/// The queue is empty.
pub const QUEUE_EMPTY: Text = Text {
    id: "Tidak ada yang mengantre.",
    en: "Nobody is waiting.",
};

/// Button: add the card to the queue.
pub const QUEUE_ADD: Text = Text {
    id: "Tambah ke antrean",
    en: "Add to queue",
};

/// Button: take the patron off the queue.
pub const QUEUE_REMOVE: Text = Text {
    id: "Hapus",
    en: "Remove",
};

/// Column: position in the queue.
pub const QUEUE_POSITION: Text = Text {
    id: "No.",
    en: "No.",
};

/// Column: since when the patron waits.
pub const QUEUE_SINCE: Text = Text {
    id: "Menunggu sejak",
    en: "Waiting since",
};

/// Column: estimated wait.
pub const QUEUE_ESTIMATE: Text = Text {
    id: "Perkiraan tunggu",
    en: "Estimated wait",
};

/// Column: the station held for them.
pub const QUEUE_HELD: Text = Text {
    id: "Komputer dipesan",
    en: "Station held",
};

/// Between the station and the hold's end.
pub const QUEUE_UNTIL: Text = Text {
    id: "sampai",
    en: "until",
};

/// After an add.
pub const QUEUE_ADDED: Text = Text {
    id: "Ditambahkan ke antrean",
    en: "Added to the queue",
};

/// After a remove.
pub const QUEUE_REMOVED: Text = Text {
    id: "Dihapus dari antrean",
    en: "Removed from the queue",
};
