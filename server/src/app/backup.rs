//! Backups as staff and the schedule see them: written into the backup
//! directory while stations keep working, the last result kept for the
//! Health page, old scheduled ones pruned.

use super::{App, Error, Result, StaffIdentity};
use crate::store::backup::BackupSummary;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `meta` key of the last backup's result (JSON of [`LastBackup`]).
const LAST_BACKUP: &str = "backup.last";
/// Backup files are named `bilik-YYYYMMDD-HHMMSS.bak` (library time).
const PREFIX: &str = "bilik-";
/// ... and end with this.
const SUFFIX: &str = ".bak";

/// The last backup's outcome, for the Health page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastBackup {
    /// When it finished, UTC ms.
    pub at_ms: i64,
    /// Whether it worked.
    pub ok: bool,
    /// The file written (file name only), when it worked.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Records it holds.
    pub records: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Why it failed, when it did.
    pub error: String,
    /// Who asked for it ("schedule" for scheduled backups).
    pub by: String,
}

impl App {
    /// Writes a backup now into `backup.dir` (admins, or the schedule with
    /// `by = None`), records the outcome for the Health page and audits it.
    /// Returns the file's path and what it holds.
    pub async fn backup_now(&self, by: Option<&StaffIdentity>) -> Result<(PathBuf, BackupSummary)> {
        if let Some(by) = by {
            by.require_admin()?;
        }
        let who = by.map_or_else(|| "schedule".to_owned(), |b| b.username.clone());
        let name = format!(
            "{PREFIX}{}{SUFFIX}",
            self.local(self.now_ms()).format("%Y%m%d-%H%M%S")
        );
        let dir = self.config().backup_dir.clone();
        let path = dir.join(&name);
        let target = path.clone();
        let outcome = self
            .off_runtime(move |app| {
                write_atomically(&target, |out| {
                    app.store()
                        .write_backup(out)
                        .map_err(|e| std::io::Error::other(e.to_string()))
                })
                .map_err(|e| Error::FailedPrecondition(format!("backup failed: {e}")))
            })
            .await;
        let last = match &outcome {
            Ok(summary) => LastBackup {
                at_ms: self.now_ms(),
                ok: true,
                file: name.clone(),
                bytes: summary.bytes,
                records: summary.records,
                sha256: summary.sha256.clone(),
                error: String::new(),
                by: who.clone(),
            },
            Err(e) => LastBackup {
                at_ms: self.now_ms(),
                ok: false,
                error: e.to_string(),
                by: who.clone(),
                ..Default::default()
            },
        };
        let json = serde_json::to_vec(&last).unwrap_or_default();
        self.store().set_meta(LAST_BACKUP, &json)?.durable().await?;
        match &outcome {
            Ok(s) => {
                tracing::info!(file = %name, bytes = s.bytes, records = s.records, "backup written");
                self.audit(
                    &who,
                    "backup.create",
                    &name,
                    &format!("sha256 {}", s.sha256),
                )
                .await;
            }
            Err(e) => tracing::error!(error = %e, "backup failed"),
        }
        let summary = outcome?;
        if by.is_none() {
            self.prune_backups(&dir);
        }
        Ok((path, summary))
    }

    /// The last backup's outcome, if any was taken.
    pub fn last_backup(&self) -> Result<Option<LastBackup>> {
        Ok(self
            .store()
            .meta(LAST_BACKUP)?
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// Keeps the newest `backup.keep` backup files (by name: names sort by
    /// time), removing older ones.
    fn prune_backups(&self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
            })
            .collect();
        files.sort();
        let keep = self.config().backup_keep as usize;
        let excess = files.len().saturating_sub(keep);
        for old in &files[..excess] {
            if let Err(e) = std::fs::remove_file(old) {
                tracing::warn!(error = %e, "could not remove an old backup");
            }
        }
    }
}

/// Writes a file through `fill` into `path.tmp`, syncs it, renames it to
/// `path` and syncs the directory: a crash leaves the old file or the new
/// one, never half of one.
pub(crate) fn write_atomically<T>(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let value = {
            let mut out = std::io::BufWriter::new(&file);
            let value = fill(&mut out)?;
            out.flush()?;
            value
        };
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
