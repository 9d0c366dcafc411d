//! The commands that need no server: checking a signed report and the
//! audit chain of a stopped server or a backup.

use super::CliError;

/// `report verify FILE`: checks a signed PDF offline (no server needed).
pub fn verify_file(path: &std::path::Path, public_key: Option<&str>) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_owned(),
        source,
    })?;
    let v = crate::report::signing::verify(&bytes, public_key)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let pinned = if public_key.is_some() {
        "the expected key"
    } else {
        "the key in the file (pass --public-key to pin the server's key)"
    };
    let audit = match &v.audit_head {
        Some((seq, mac)) => format!("; audit chain head #{seq} {mac}"),
        None => String::new(),
    };
    Ok(format!(
        "valid: report {} signed by {}; SHA-256 {}{audit}; signed with {pinned}: {}",
        v.month, v.signer, v.sha256, v.public_key
    ))
}

/// `audit verify`: checks the whole audit chain of a stopped server's data
/// directory, or of a backup file (restored into a temporary directory
/// first), offline: every entry's HMAC and link, the chain head, and the
/// chain head signed into each monthly report. `Ok` says how many entries
/// hold; the error names the first bad entry and why.
pub fn audit_verify(
    data_dir: Option<&std::path::Path>,
    backup: Option<&std::path::Path>,
) -> Result<String, CliError> {
    match (data_dir, backup) {
        (Some(dir), None) => {
            if !dir.join("db").exists() {
                return Err(CliError::Usage(format!(
                    "{} is not a Bilik data directory",
                    dir.display()
                )));
            }
            let store = crate::store::Store::open(dir).map_err(|e| {
                CliError::Usage(format!(
                    "cannot open the store in {} (stop the server first, or verify a backup): {e}",
                    dir.display()
                ))
            })?;
            audit_verify_store(&store)
        }
        (None, Some(file)) => {
            let tmp = std::env::temp_dir().join(format!(
                "bilik-audit-verify-{}-{}",
                std::process::id(),
                crate::credentials::random_hex(6).map_err(|e| CliError::Usage(e.to_string()))?
            ));
            let restored = tmp.join("data");
            let outcome = (|| {
                crate::store::Store::restore_backup(file, &restored)
                    .map_err(|e| CliError::Invalid(format!("the backup: {e}")))?;
                let store = crate::store::Store::open(&restored)
                    .map_err(|e| CliError::Usage(format!("cannot open the restored copy: {e}")))?;
                let said = audit_verify_store(&store);
                drop(store);
                said
            })();
            let _ = std::fs::remove_dir_all(&tmp);
            outcome.map(|ok| format!("{ok} (backup {})", file.display()))
        }
        _ => Err(CliError::Usage(
            "give --data-dir DIR or --backup FILE (one of them)".into(),
        )),
    }
}

fn audit_verify_store(store: &crate::store::Store) -> Result<String, CliError> {
    let store_failed = |e: crate::store::StoreError| CliError::Invalid(format!("audit log: {e}"));
    let verdict = store.verify_audit_full().map_err(store_failed)?;
    if let Some(bad) = verdict.bad {
        return Err(CliError::Invalid(format!(
            "audit log broken at entry #{}: {} ({} entries before it hold)",
            bad.seq,
            bad.fault,
            bad.seq.saturating_sub(1)
        )));
    }
    // Each signed report's stored head must be the one its signature covers.
    let reports = store.signed_reports().map_err(store_failed)?;
    // Signed with this server's key (a report re-signed with another key
    // would not anchor anything).
    let server_key = store
        .meta("report_signing_key")
        .map_err(store_failed)?
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .map(|k| crate::report::signing::public_key_hex(&k));
    for report in &reports {
        let signed = crate::report::signing::verify(&report.pdf, server_key.as_deref())
            .map_err(|e| CliError::Invalid(format!("signed report {}: {e}", report.month)))?;
        let stored = (report.audit_seq > 0).then(|| (report.audit_seq, report.audit_mac.clone()));
        if signed.audit_head != stored {
            return Err(CliError::Invalid(format!(
                "signed report {}: its stored audit chain head is not the one it was signed with",
                report.month
            )));
        }
    }
    let anchored = reports.iter().filter(|r| r.audit_seq > 0).count();
    Ok(format!(
        "ok: {} entries, chain head #{}; {anchored} signed monthly report(s) anchor it",
        verdict.checked, verdict.last_seq
    ))
}
