//! Free space on the store's file system. A full disk (logs, backups,
//! another program) is a fault to survive: the app refuses new sessions
//! while there is still room for sled to write the ends of running ones.

use super::Store;

impl Store {
    /// Bytes free for an unprivileged writer on the file system holding the
    /// store; `None` for a temporary store or when the system cannot tell.
    pub fn free_bytes(&self) -> Option<u64> {
        let dir = self.dir.as_ref()?;
        let stat = rustix::fs::statvfs(dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
}
