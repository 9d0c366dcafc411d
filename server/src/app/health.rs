//! What the Health page shows about the server itself: the store, the
//! disk, the counts, the audit chain and the last backup.

use super::{App, LastBackup, Result};

/// The server's health, read at one moment.
#[derive(Debug, Clone)]
pub struct Health {
    /// Bytes the store takes on disk: whether it grows as expected.
    pub store_bytes: u64,
    /// Free bytes on the data disk (`None` when it cannot be told, e.g. a
    /// temporary store): a full disk refuses new sessions.
    pub free_bytes: Option<u64>,
    /// Members known: an import or a wipe shows here.
    pub members: u64,
    /// Sessions ever recorded.
    pub sessions: u64,
    /// Problems logged and not yet resolved.
    pub open_problems: usize,
    /// Whether the audit chain holds from its last checkpoint (false also
    /// when it could not be read).
    pub audit_chain_intact: bool,
    /// The sequence number of the newest audit entry (0: none).
    pub audit_entries: u64,
    /// The last backup's outcome, if one was taken.
    pub last_backup: Option<LastBackup>,
}

/// A station as a choice in a form (usage book filter, problems log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationChoice {
    /// What the form sends for the problems log.
    pub station_id: String,
    /// What staff read (and what the usage-book filter sends).
    pub name: String,
}

impl App {
    /// The server's health now.
    pub fn health(&self) -> Result<Health> {
        let (audit_chain_intact, audit_entries) = match self.audit_log(1) {
            Ok((entries, ok)) => (ok, entries.first().map_or(0, |e| e.seq)),
            Err(_) => (false, 0),
        };
        Ok(Health {
            store_bytes: self.store().size_on_disk()?,
            free_bytes: self.store().free_bytes(),
            members: self.store().member_count()?,
            sessions: self.store().session_count()?,
            open_problems: self.store().open_incidents()?.len(),
            audit_chain_intact,
            audit_entries,
            last_backup: self.last_backup()?,
        })
    }

    /// Every enrolled station as a form choice, in the store's order.
    pub fn station_choices(&self) -> Result<Vec<StationChoice>> {
        Ok(self
            .store()
            .stations()?
            .into_iter()
            .map(|s| StationChoice {
                station_id: s.station_id,
                name: s.name,
            })
            .collect())
    }
}
