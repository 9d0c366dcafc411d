//! Signing a monthly report: the PDF's SHA-256, signed with the server's
//! Ed25519 key, appended to the PDF as one trailer line after `%%EOF`
//! (PDF readers ignore it). Anyone with the file and the server's public
//! key can check it offline: `bilik-server report verify FILE`.
//!
//! A report signed with the audit chain head of its month's end (the last
//! audit entry's sequence and HMAC, also printed in the PDF) carries it in
//! the trailer (`audit=SEQ:MAC`) and in the signed message (format v2), so
//! the log's history up to then cannot be rewritten without breaking the
//! signature. Files without it (v1) still verify.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// How the trailer line starts.
const TRAILER: &[u8] = b"%BILIK-SIGNATURE v1 ";

/// Why a signed PDF does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No trailer: the file was never signed by Bilik (or it was cut).
    #[error("no Bilik signature in this file")]
    Unsigned,
    /// The trailer is not in the expected format.
    #[error("the signature line is malformed: {0}")]
    Malformed(&'static str),
    /// The document bytes changed after signing.
    #[error("the document was changed after it was signed (SHA-256 differs)")]
    Altered,
    /// The signature does not match the key.
    #[error("the signature is not valid for this key")]
    BadSignature,
    /// Signed, but by another key than the one asked for.
    #[error("signed with key {found}, not with the expected key {expected}")]
    WrongKey {
        /// The key in the file.
        found: String,
        /// The key the caller trusts.
        expected: String,
    },
}

/// What a valid signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// "YYYY-MM".
    pub month: String,
    /// SHA-256 of the document, hex.
    pub sha256: String,
    /// The signing key, hex.
    pub public_key: String,
    /// The signer's username.
    pub signer: String,
    /// The audit chain head signed with it (seq, MAC hex), if any.
    pub audit_head: Option<(u64, String)>,
}

/// A new random server key (32 secret bytes).
pub fn new_key() -> Result<[u8; 32], getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok(secret)
}

/// The public half of a secret key, hex.
pub fn public_key_hex(secret: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

fn message(month: &str, sha256: &str, signer: &str, audit: Option<&str>) -> Vec<u8> {
    match audit {
        None => format!("bilik-report-v1\n{month}\n{sha256}\n{signer}\n").into_bytes(),
        Some(head) => {
            format!("bilik-report-v2\n{month}\n{sha256}\n{signer}\naudit {head}\n").into_bytes()
        }
    }
}

/// The trailer's and the message's form of an audit chain head.
fn audit_field(head: Option<(u64, &str)>) -> Option<String> {
    head.map(|(seq, mac)| format!("{seq}:{mac}"))
}

/// Signs `pdf`, with the audit chain head `audit` (seq, MAC hex) if given:
/// The fingerprint of a signed month's frozen contents (the snapshot the
/// server keeps): SHA-256, hex. Printed on the signed PDF (text and QR
/// code), so a paper copy can be matched against the server's record; the
/// PDF's own hash cannot be printed inside it.
pub fn fingerprint(snapshot_json: &[u8]) -> String {
    hex::encode(Sha256::digest(snapshot_json))
}

/// returns (signed file, sha256 hex, signature bytes).
pub fn sign(
    pdf: &[u8],
    month: &str,
    signer: &str,
    audit: Option<(u64, &str)>,
    secret: &[u8; 32],
) -> (Vec<u8>, String, Vec<u8>) {
    let audit = audit_field(audit);
    let audit_trailer = audit
        .as_ref()
        .map(|a| format!(" audit={a}"))
        .unwrap_or_default();
    let key = SigningKey::from_bytes(secret);
    let sha256 = hex::encode(Sha256::digest(pdf));
    let signature = key
        .sign(&message(month, &sha256, signer, audit.as_deref()))
        .to_bytes()
        .to_vec();
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let body_len = out.len();
    out.extend_from_slice(TRAILER);
    out.extend_from_slice(
        format!(
            "month={month} signer={signer} sha256={sha256}{audit_trailer} key={} sig={}\n",
            hex::encode(key.verifying_key().to_bytes()),
            hex::encode(&signature)
        )
        .as_bytes(),
    );
    // The hash covers the document as it stands before the trailer.
    let sha256 = hex::encode(Sha256::digest(&out[..body_len]));
    let signature = key
        .sign(&message(month, &sha256, signer, audit.as_deref()))
        .to_bytes()
        .to_vec();
    out.truncate(body_len);
    out.extend_from_slice(TRAILER);
    out.extend_from_slice(
        format!(
            "month={month} signer={signer} sha256={sha256}{audit_trailer} key={} sig={}\n",
            hex::encode(key.verifying_key().to_bytes()),
            hex::encode(&signature)
        )
        .as_bytes(),
    );
    (out, sha256, signature)
}

/// Checks a signed file; with `expected_key` (hex), also that this key signed it.
pub fn verify(file: &[u8], expected_key: Option<&str>) -> Result<Verified, VerifyError> {
    let at = file
        .windows(TRAILER.len())
        .rposition(|w| w == TRAILER)
        .ok_or(VerifyError::Unsigned)?;
    let (body, trailer) = file.split_at(at);
    let line = std::str::from_utf8(&trailer[TRAILER.len()..])
        .map_err(|_| VerifyError::Malformed("not text"))?
        .trim_end_matches('\n');
    let field = |name: &str| {
        line.split(' ')
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .ok_or(VerifyError::Malformed("a field is missing"))
    };
    let audit = line.split(' ').find_map(|kv| kv.strip_prefix("audit="));
    let audit_head = match audit {
        None => None,
        Some(a) => {
            let (seq, mac) = a.split_once(':').ok_or(VerifyError::Malformed("audit"))?;
            let seq = seq.parse().map_err(|_| VerifyError::Malformed("audit"))?;
            Some((seq, mac.to_owned()))
        }
    };
    let (month, signer, sha256, key_hex, sig_hex) = (
        field("month")?,
        field("signer")?,
        field("sha256")?,
        field("key")?,
        field("sig")?,
    );
    if hex::encode(Sha256::digest(body)) != sha256 {
        return Err(VerifyError::Altered);
    }
    let key_bytes: [u8; 32] = hex::decode(key_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(VerifyError::Malformed("key"))?;
    let sig_bytes: [u8; 64] = hex::decode(sig_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(VerifyError::Malformed("sig"))?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| VerifyError::Malformed("key"))?;
    key.verify_strict(
        &message(month, sha256, signer, audit),
        &Signature::from_bytes(&sig_bytes),
    )
    .map_err(|_| VerifyError::BadSignature)?;
    if let Some(expected) = expected_key
        && !expected.trim().eq_ignore_ascii_case(key_hex)
    {
        return Err(VerifyError::WrongKey {
            found: key_hex.to_owned(),
            expected: expected.trim().to_owned(),
        });
    }
    Ok(Verified {
        month: month.to_owned(),
        sha256: sha256.to_owned(),
        public_key: key_hex.to_owned(),
        signer: signer.to_owned(),
        audit_head,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_tamper() {
        let secret = [7u8; 32];
        let pdf = b"%PDF-1.7\n...\n%%EOF".to_vec();
        let (signed, sha, _) = sign(&pdf, "2026-11", "kasi", None, &secret);
        let ok = verify(&signed, Some(&public_key_hex(&secret))).unwrap();
        assert_eq!(ok.month, "2026-11");
        assert_eq!(ok.sha256, sha);
        assert_eq!(ok.signer, "kasi");
        // Every byte of the document matters.
        for i in 0..pdf.len() {
            let mut bad = signed.clone();
            bad[i] ^= 1;
            assert!(verify(&bad, None).is_err(), "byte {i}");
        }
        // So does the trailer.
        let mut bad = signed.clone();
        let n = bad.len();
        bad[n - 3] = if bad[n - 3] == b'0' { b'1' } else { b'0' };
        assert!(verify(&bad, None).is_err());
        assert_eq!(verify(&pdf, None), Err(VerifyError::Unsigned));
        let other = public_key_hex(&[8u8; 32]);
        assert!(matches!(
            verify(&signed, Some(&other)),
            Err(VerifyError::WrongKey { .. })
        ));
    }

    #[test]
    fn the_audit_head_is_signed_with_the_report() {
        let secret = [7u8; 32];
        let pdf = b"%PDF-1.7\n...\n%%EOF".to_vec();
        let mac = "ab".repeat(32);
        let (signed, _, _) = sign(&pdf, "2026-11", "kasi", Some((42, &mac)), &secret);
        let ok = verify(&signed, None).unwrap();
        assert_eq!(ok.audit_head, Some((42, mac.clone())));
        // Another head in the trailer breaks the signature.
        let text = String::from_utf8_lossy(&signed).replace("audit=42:", "audit=41:");
        assert_eq!(
            verify(text.as_bytes(), None),
            Err(VerifyError::BadSignature)
        );
        // Removing it does too (the v1 message differs).
        let text = String::from_utf8_lossy(&signed).replace(&format!(" audit=42:{mac}"), "");
        assert_eq!(
            verify(text.as_bytes(), None),
            Err(VerifyError::BadSignature)
        );
    }
}
