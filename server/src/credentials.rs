//! Secrets and their hashes: staff passwords (Argon2id), bearer tokens,
//! station credentials and enrolment codes (high-entropy, so SHA-256).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The system's random source failed, or hashing did.
#[derive(Debug, thiserror::Error)]
#[error("cannot make a secret: {0}")]
pub struct SecretError(String);

/// Argon2id PHC string of a password (or PIN).
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecretError(e.to_string()))
}

/// Argon2id memory for a PIN, KiB: a quarter of the password default.
const PIN_M_COST_KIB: u32 = 4 * 1024;

/// Argon2id PHC string of a card PIN, at a lighter cost than a password
/// (4 MiB, one pass: a few ms instead of tens). A PIN of 4-6 digits falls
/// to an offline search at any cost, so what protects it is the online
/// lock after a few wrong tries; the lighter cost keeps a station guessing
/// PINs from taking the server's cores. Verification reads the cost from
/// the stored string, so PINs hashed before keep working.
pub fn hash_pin(pin: &str) -> Result<String, SecretError> {
    let params =
        argon2::Params::new(PIN_M_COST_KIB, 1, 1, None).map_err(|e| SecretError(e.to_string()))?;
    Argon2::from(params)
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| SecretError(e.to_string()))
}

/// Whether `password` matches the stored PHC string. A malformed stored
/// hash never matches.
pub fn verify_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// `len` random bytes from the OS, as lower-case hex.
pub fn random_hex(len: usize) -> Result<String, SecretError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| SecretError(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// Letters and digits that cannot be mistaken for each other when read aloud
/// or typed from paper (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time enrolment code like `K7QM-3XWP` (40 bits of entropy).
pub fn enrollment_code() -> Result<String, SecretError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| SecretError(e.to_string()))?;
    let chars: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    Ok(format!("{}-{}", &chars[..4], &chars[4..]))
}

/// Canonical form of a typed enrolment code: upper-case, no separators.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// SHA-256 as lower-case hex.
pub fn sha256_hex(data: &str) -> String {
    hex::encode(Sha256::digest(data.as_bytes()))
}

/// Compares two hashes without leaking where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A station credential as sent by the agent: `<station_id>.<secret>`.
pub fn split_station_credential(credential: &str) -> Option<(&str, &str)> {
    let (id, secret) = credential.split_once('.')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify() {
        let hash = hash_password("rahasia").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "rahasia"));
        assert!(!verify_password(&hash, "Rahasia"));
        assert!(!verify_password("not a hash", "rahasia"));
    }

    #[test]
    fn pins_hash_lighter_and_verify_with_their_own_cost() {
        let pin = hash_pin("2468").unwrap();
        assert!(pin.starts_with("$argon2id$"));
        assert!(pin.contains("m=4096,t=1,p=1"), "{pin}");
        assert!(verify_password(&pin, "2468"));
        assert!(!verify_password(&pin, "2469"));
        // A PIN hashed at the password cost (before) still verifies.
        let old = hash_password("2468").unwrap();
        assert!(verify_password(&old, "2468"));
    }

    #[test]
    fn codes_are_readable_and_normalise() {
        let code = enrollment_code().unwrap();
        assert_eq!(code.len(), 9);
        assert_eq!(normalise_code(&code.to_lowercase()).len(), 8);
        assert!(!code.contains('0') && !code.contains('O'));
    }

    #[test]
    fn credentials_split() {
        assert_eq!(split_station_credential("st_1.abc"), Some(("st_1", "abc")));
        assert_eq!(split_station_credential("nodot"), None);
        assert_eq!(split_station_credential(".abc"), None);
    }
}
