//! The station's credential, saved in the state directory at enrolment.
//!
//! `credential.toml` holds the server URL, the station's id and name and
//! the secret `<station_id>.<secret>` the server checks on every call. It is
//! written to a temporary file with mode 0600 (Unix), synced and renamed
//! into place, so a crash never leaves half a credential and no other user
//! can read it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The credential's file name inside the state directory.
pub const FILE_NAME: &str = "credential.toml";

/// What enrolment gave this station.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credential {
    /// Where the server was reached at enrolment (used unless the
    /// configuration names another).
    pub server: String,
    /// The server's id of this station.
    pub station_id: String,
    /// The station's name as the server knows it (for logs).
    pub station_name: String,
    /// `<station_id>.<secret>`: the bearer credential on every call.
    pub credential: String,
    /// SHA-256 (hex) of the server certificate seen and checked at
    /// enrolment: the only one accepted afterwards.
    #[serde(default)]
    pub server_fingerprint: String,
    /// Enrolled over plain text (`--insecure`): links stay plain text.
    #[serde(default)]
    pub insecure: bool,
    /// The certificate the server announced (over the pinned link) that it
    /// will switch to: accepted too, and pinned alone once it is seen.
    #[serde(default)]
    pub next_server_fingerprint: String,
}

impl Credential {
    /// Which server certificate the link accepts.
    pub fn trust(&self) -> bilik_proto::ServerTrust {
        if self.insecure {
            bilik_proto::ServerTrust::Insecure
        } else {
            let mut accepted = vec![self.server_fingerprint.clone()];
            if !self.next_server_fingerprint.is_empty() {
                accepted.push(self.next_server_fingerprint.clone());
            }
            bilik_proto::ServerTrust::Pinned(accepted)
        }
    }

    /// Follows a certificate renewal: after a link accepted `seen`, and the
    /// server announced `announced` as its next certificate, what should be
    /// pinned. Returns whether anything changed (then save it).
    pub fn follow_renewal(&mut self, seen: Option<&str>, announced: &str) -> bool {
        let mut changed = false;
        if let Some(seen) = seen
            && !self.next_server_fingerprint.is_empty()
            && seen == self.next_server_fingerprint
        {
            self.server_fingerprint = std::mem::take(&mut self.next_server_fingerprint);
            changed = true;
        }
        let announced = announced.trim().to_ascii_lowercase();
        if announced.len() == 64
            && announced != self.server_fingerprint
            && announced != self.next_server_fingerprint
        {
            self.next_server_fingerprint = announced;
            changed = true;
        }
        changed
    }

    /// Warns if the credential or its directory can be read by other users.
    pub fn warn_if_exposed(state_dir: &Path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let loose = |path: &Path, allowed: u32| {
                fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o777 & !allowed != 0)
            };
            if loose(state_dir, 0o700) {
                tracing::warn!(dir = %state_dir.display(), "the state directory is readable by other users: chmod 700 it");
            }
            if loose(&state_dir.join(FILE_NAME), 0o600) {
                tracing::warn!(dir = %state_dir.display(), "credential.toml is readable by other users: chmod 600 it");
            }
        }
        #[cfg(not(unix))]
        let _ = state_dir;
    }
}

/// Why the credential could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Never enrolled (or the wrong state directory).
    #[error(
        "this station is not enrolled: no {} (run `bilik-agent enroll --server URL --code CODE`)",
        .0.display()
    )]
    Missing(PathBuf),
    /// The file exists but is not a credential.
    #[error("{} is damaged: {reason} (enrol the station again)", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file system refused something.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// To which file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl Credential {
    /// Reads the credential saved in `state_dir`.
    pub fn load(state_dir: &Path) -> Result<Credential, CredentialError> {
        let path = state_dir.join(FILE_NAME);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(CredentialError::Missing(path));
            }
            Err(source) => {
                return Err(CredentialError::Io {
                    op: "read",
                    path,
                    source,
                });
            }
        };
        let cred: Credential = toml::from_str(&text).map_err(|e| CredentialError::Damaged {
            path: path.clone(),
            reason: e.message().to_owned(),
        })?;
        if cred.credential.is_empty() || cred.station_id.is_empty() {
            return Err(CredentialError::Damaged {
                path,
                reason: "no station id or credential".into(),
            });
        }
        if !cred.insecure && cred.server_fingerprint.len() != 64 {
            return Err(CredentialError::Damaged {
                path,
                reason: "no pinned server certificate (enrolled before TLS)".into(),
            });
        }
        Ok(cred)
    }

    /// Saves the credential in `state_dir` (created if needed), readable by
    /// the owner only.
    pub fn save(&self, state_dir: &Path) -> Result<PathBuf, CredentialError> {
        create_state_dir(state_dir)?;
        let path = state_dir.join(FILE_NAME);
        let tmp = state_dir.join(format!("{FILE_NAME}.tmp"));
        let text = toml::to_string(self).map_err(|e| CredentialError::Damaged {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let io = |op: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| CredentialError::Io { op, path, source }
        };
        let _ = fs::remove_file(&tmp);
        {
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp).map_err(io("create", &tmp))?;
            file.write_all(text.as_bytes()).map_err(io("write", &tmp))?;
            file.sync_all().map_err(io("sync", &tmp))?;
        }
        fs::rename(&tmp, &path).map_err(io("rename", &tmp))?;
        #[cfg(unix)]
        if let Ok(dir) = fs::File::open(state_dir) {
            let _ = dir.sync_all();
        }
        Ok(path)
    }
}

/// Creates the state directory (mode 0700 on Unix) if it does not exist.
pub fn create_state_dir(dir: &Path) -> Result<(), CredentialError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| CredentialError::Io {
        op: "create",
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Credential {
        Credential {
            server: "http://127.0.0.1:50551".into(),
            station_id: "st_abc".into(),
            station_name: "PC-01".into(),
            credential: "st_abc.0123".into(),
            server_fingerprint: "ab".repeat(32),
            insecure: false,
            next_server_fingerprint: String::new(),
        }
    }

    #[test]
    fn saves_and_loads_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let path = sample().save(&state).unwrap();
        assert_eq!(Credential::load(&state).unwrap(), sample());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Saving again replaces it.
        let mut other = sample();
        other.credential = "st_abc.4567".into();
        other.save(&state).unwrap();
        assert_eq!(Credential::load(&state).unwrap(), other);
    }

    #[test]
    fn missing_and_damaged_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let err = Credential::load(dir.path()).unwrap_err();
        assert!(matches!(err, CredentialError::Missing(_)));
        assert!(err.to_string().contains("bilik-agent enroll"));
        fs::write(dir.path().join(FILE_NAME), "server = 3").unwrap();
        assert!(matches!(
            Credential::load(dir.path()).unwrap_err(),
            CredentialError::Damaged { .. }
        ));
    }
}
