//! Staff accounts, sign-in and what each role may do.

use super::{App, Error, Result, clean_text};
use crate::credentials::{hash_password, random_hex, sha256_hex, verify_password};
use bilik_proto::store::v1::StaffRecord;
use bilik_proto::v1::{Role, SignInResponse, StaffInfo};

/// How long a staff token is valid: one working day.
const TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A signed-in member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffIdentity {
    /// Recorded as "who unlocked" and in the audit trail.
    pub username: String,
    /// Decides what they may do.
    pub role: Role,
    /// When the token stops working, UTC ms.
    pub expires_at_ms: i64,
}

impl StaffIdentity {
    /// Refuses with PermissionDenied unless the role is admin.
    pub fn require_admin(&self) -> Result<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::PermissionDenied(format!(
                "{} is a {}; only an admin may do this",
                self.username,
                self.role.as_str_name()
            )))
        }
    }
}

impl App {
    /// Checks a username and password; returns a bearer token.
    pub fn sign_in(&self, username: &str, password: &str) -> Result<SignInResponse> {
        let refused = || Error::Unauthenticated("wrong username or password".into());
        let username = username.trim();
        if username.is_empty() || username.len() > 64 || password.len() > 1024 {
            return Err(refused());
        }
        let staff = self.store().staff(username)?.ok_or_else(refused)?;
        if !verify_password(&staff.password_hash, password) {
            tracing::warn!(user = %username, "failed staff sign-in");
            self.audit(username, "staff.sign_in_failed", username, "");
            return Err(refused());
        }
        let token = random_hex(32)?;
        let role = Role::try_from(staff.role).unwrap_or(Role::Unspecified);
        let identity = StaffIdentity {
            username: staff.username.clone(),
            role,
            expires_at_ms: self.now_ms() + TOKEN_TTL_MS,
        };
        let expires_at_ms = identity.expires_at_ms;
        if let Ok(mut tokens) = self.inner.staff_tokens.lock() {
            let now = self.now_ms();
            tokens.retain(|_, t| t.expires_at_ms > now);
            tokens.insert(sha256_hex(&token), identity);
        }
        tracing::info!(user = %staff.username, "staff signed in");
        Ok(SignInResponse {
            token,
            role: role as i32,
            display_name: staff.display_name,
            expires_at_ms,
        })
    }

    /// Forgets a token.
    pub fn sign_out(&self, token: &str) {
        if let Ok(mut tokens) = self.inner.staff_tokens.lock() {
            tokens.remove(&sha256_hex(token));
        }
    }

    /// Who holds this bearer token.
    pub fn staff_identity(&self, token: &str) -> Result<StaffIdentity> {
        let unknown =
            || Error::Unauthenticated("sign in first (missing, unknown or expired token)".into());
        let tokens = self.inner.staff_tokens.lock().map_err(|_| unknown())?;
        let identity = tokens.get(&sha256_hex(token)).ok_or_else(unknown)?;
        if identity.expires_at_ms <= self.now_ms() {
            return Err(unknown());
        }
        Ok(identity.clone())
    }

    /// Creates a staff account.
    pub fn create_staff(
        &self,
        username: &str,
        password: &str,
        role: Role,
        display_name: &str,
        nip: &str,
    ) -> Result<StaffInfo> {
        let username = username.trim();
        let valid_name = !username.is_empty()
            && username.len() <= 64
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(Error::InvalidArgument(
                "username: 1-64 letters, digits, '.', '_' or '-'".into(),
            ));
        }
        if password.chars().count() < 8 || password.len() > 1024 {
            return Err(Error::InvalidArgument(
                "password: at least 8 characters".into(),
            ));
        }
        if role == Role::Unspecified {
            return Err(Error::InvalidArgument(
                "role: librarian, section_head or admin".into(),
            ));
        }
        let record = StaffRecord {
            username: username.to_owned(),
            password_hash: hash_password(password)?,
            role: role as i32,
            display_name: clean_text(display_name, 100),
            nip: clean_text(nip, 30),
            created_at_ms: self.now_ms(),
        };
        if !self.store().create_staff(&record)? {
            return Err(Error::AlreadyExists(format!(
                "staff {username} exists already"
            )));
        }
        Ok(StaffInfo {
            username: record.username,
            role: record.role,
            display_name: record.display_name,
            nip: record.nip,
        })
    }

    /// Creates the first admin with a random one-time password, unless any
    /// admin exists. Returns the password to print.
    pub fn create_first_admin(&self, username: &str) -> Result<Option<String>> {
        let has_admin = self
            .store()
            .all_staff()?
            .iter()
            .any(|s| s.role == Role::Admin as i32);
        if has_admin {
            return Ok(None);
        }
        let password = random_hex(8)?;
        self.create_staff(username, &password, Role::Admin, "Administrator", "")?;
        Ok(Some(password))
    }
}
