//! Free space on the store's file system. A full disk (logs, backups,
//! another program) is a fault to survive:
//!
//! - the app refuses new sessions while free space is below its
//!   threshold, so there is room for sled to write the ends of running ones;
//! - a *reserve* file (ballast) of a configured size sits in the data
//!   directory; when something fills the disk to the last bytes anyway, the
//!   flusher deletes it before asking sled to write, so acknowledged writes
//!   keep working (sled 0.34 poisons itself on a failed write: every later
//!   write fails until the store is reopened, which is why it must never
//!   reach that point);
//! - once there is room again the reserve is made again.

use super::Store;
use std::path::PathBuf;
use std::sync::Mutex;

/// The reserve file's name in the data directory.
const RESERVE_FILE: &str = "bilik-reserve";

/// The ballast that keeps room for sled on a full disk.
#[derive(Debug, Default)]
pub(super) struct Reserve {
    /// Its path and wanted size, once configured (`None`: no reserve).
    file: Mutex<Option<(PathBuf, u64)>>,
}

impl Reserve {
    /// Deletes the reserve if the disk is short of as much room as it
    /// holds (called by the flusher before every sync). Cheap: one statvfs.
    pub(super) fn release_if_short(&self, free: Option<u64>) {
        let Ok(file) = self.file.lock() else { return };
        let Some((path, size)) = file.as_ref() else {
            return;
        };
        if free.is_some_and(|f| f < *size) && path.exists() {
            match std::fs::remove_file(path) {
                Ok(()) => tracing::error!(
                    free_bytes = free.unwrap_or(0),
                    "data disk full: released the reserve so writes can go on"
                ),
                Err(e) => tracing::error!(error = %e, "data disk full: cannot release the reserve"),
            }
        }
    }
}

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub(super) fn free_bytes_at(dir: &std::path::Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

impl Store {
    /// Bytes free for an unprivileged writer on the file system holding the
    /// store; `None` for a temporary store or when the system cannot tell.
    pub fn free_bytes(&self) -> Option<u64> {
        free_bytes_at(self.dir.as_ref()?)
    }

    /// Whether the reserve file exists (one stat).
    pub fn reserve_in_place(&self) -> bool {
        self.reserve
            .file
            .lock()
            .ok()
            .and_then(|f| f.as_ref().map(|(p, _)| p.exists()))
            .unwrap_or(false)
    }

    /// Keeps a reserve of `bytes` in the data directory: made (written and
    /// synced) when there is room for it and twice as much again, left
    /// alone when present. Returns whether the reserve is in place.
    pub fn keep_reserve(&self, bytes: u64) -> bool {
        let Some(dir) = &self.dir else { return false };
        let path = dir.join(RESERVE_FILE);
        if let Ok(mut file) = self.reserve.file.lock() {
            *file = (bytes > 0).then(|| (path.clone(), bytes));
        }
        if bytes == 0 {
            let _ = std::fs::remove_file(&path);
            return false;
        }
        if std::fs::metadata(&path).is_ok_and(|m| m.len() >= bytes) {
            return true;
        }
        if self
            .free_bytes()
            .is_none_or(|f| f <= bytes.saturating_mul(3))
        {
            return false;
        }
        let made = (|| {
            use std::io::Write;
            let mut f = std::fs::File::create(&path)?;
            let chunk = vec![0u8; 1 << 20];
            let mut left = bytes;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                f.write_all(&chunk[..n])?;
                left -= n as u64;
            }
            f.sync_all()
        })();
        match made {
            Ok(()) => {
                tracing::info!(bytes, "data disk reserve in place");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot make the data disk reserve");
                let _ = std::fs::remove_file(&path);
                false
            }
        }
    }
}
