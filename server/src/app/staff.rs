//! Staff accounts, sign-in and what each role may do.

use super::alerts::{AlertKind, Occurrence};
use super::throttles;
use super::{App, Error, Result, clean_text};
use super::{Fault, said, said_with};
use crate::credentials::{random_hex, sha256_hex};
use bilik_proto::catalog::web as t;
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
    /// Checks a username and password from `source` (the client's
    /// address); returns a bearer token. Failures slow down the source
    /// address and the username (backoff, see `app::throttles`); an
    /// unknown username costs the same Argon2 time as a wrong password.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<SignInResponse> {
        let refused = || Error::Unauthenticated("wrong username or password".into());
        let username = username.trim();
        let now = self.now_ms();
        let t = &self.inner.throttles;
        let waits = [
            throttles::check(&t.sign_ins_by_address, source, now),
            throttles::check(&t.sign_ins_by_user, username, now),
        ];
        if let Some(ms) = waits.iter().filter_map(|w| w.err()).max() {
            self.note_alert(AlertKind::SignInFailures, source, Occurrence::CountOnly, "")
                .await;
            throttles::tarpit(ms).await;
            return Err(Error::ResourceExhausted(format!(
                "too many failed sign-ins; try again in {} s",
                (ms + 999) / 1000
            )));
        }
        let valid_input = !username.is_empty() && username.len() <= 64 && password.len() <= 1024;
        let staff = match valid_input
            .then(|| self.store().staff(username))
            .transpose()?
        {
            Some(Some(s)) => self
                .verify_secret(&s.password_hash, password)
                .await
                .then_some(s),
            _ => {
                self.verify_nothing(password).await;
                None
            }
        };
        let Some(staff) = staff else {
            self.sign_in_failed(username, source, now).await;
            return Err(refused());
        };
        if staff.disabled {
            tracing::warn!(user = %username, "sign-in refused: account disabled");
            return Err(Error::PermissionDenied(
                "this account is disabled; ask an admin".into(),
            ));
        }
        throttles::clear(&t.sign_ins_by_user, &staff.username);
        throttles::clear(&t.sign_ins_by_address, source);
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
        self.audit(&staff.username, "staff.sign_in", &staff.username, source)
            .await;
        Ok(SignInResponse {
            token,
            role: role as i32,
            display_name: staff.display_name,
            expires_at_ms,
            time_zone: self.config().time_zone.name().to_owned(),
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

    /// An admin (or the server itself, [`StaffIdentity::system`]) creates a
    /// staff account; audited from every door.
    pub async fn create_staff(
        &self,
        by: &StaffIdentity,
        username: &str,
        password: &str,
        role: Role,
        display_name: &str,
        nip: &str,
    ) -> Result<StaffInfo> {
        by.require_admin()?;
        let username = username.trim();
        let valid_name = !username.is_empty()
            && username.len() <= 64
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(said(Fault::Invalid, t::FAULT_USERNAME));
        }
        if password.chars().count() < 8 || password.len() > 1024 {
            return Err(said(Fault::Invalid, t::FAULT_PASSWORD));
        }
        if role == Role::Unspecified {
            return Err(said(Fault::Invalid, t::FAULT_UNKNOWN_CHOICE));
        }
        let record = StaffRecord {
            username: username.to_owned(),
            password_hash: self.hash_secret(password).await?,
            role: role as i32,
            display_name: clean_text(display_name, 100),
            nip: clean_text(nip, 30),
            created_at_ms: self.now_ms(),
            disabled: false,
        };
        if !self.store().create_staff(&record)?.durable().await? {
            return Err(said_with(Fault::Exists, t::FAULT_STAFF_EXISTS, username));
        }
        tracing::info!(by = %by.username, user = %record.username, "staff account created");
        self.audit(
            &by.username,
            "staff.create",
            &record.username,
            role.as_str_name(),
        )
        .await;
        Ok(StaffInfo {
            username: record.username,
            role: record.role,
            display_name: record.display_name,
            nip: record.nip,
        })
    }

    /// Creates the first admin with a random one-time password, unless any
    /// admin exists. Returns the password to print.
    pub async fn create_first_admin(&self, username: &str) -> Result<Option<String>> {
        let has_admin = self
            .store()
            .all_staff()?
            .iter()
            .any(|s| s.role == Role::Admin as i32);
        if has_admin {
            return Ok(None);
        }
        let password = random_hex(8)?;
        self.create_staff(
            &StaffIdentity::system(),
            username,
            &password,
            Role::Admin,
            "Administrator",
            "",
        )
        .await?;
        Ok(Some(password))
    }
}

impl App {
    /// Counts a failed sign-in against the source address and the
    /// username. The audit log gets one entry per burst from an address
    /// (and one when it ends, with the count), not one per attempt.
    async fn sign_in_failed(&self, username: &str, source: &str, now: i64) {
        let t = &self.inner.throttles;
        let by_address = throttles::fail(&t.sign_ins_by_address, source, now);
        // A key of bounded size: no username is longer than 64 bytes.
        let key = if username.len() <= 64 { username } else { "" };
        let by_user = throttles::fail(&t.sign_ins_by_user, key, now);
        tracing::warn!(%source, failures = by_address.failures, "failed staff sign-in");
        let user = super::clean_line(username, 64);
        self.note_alert(
            AlertKind::SignInFailures,
            source,
            Occurrence::Open,
            &format!("first failed sign-in, as {user:?}"),
        )
        .await;
        if by_address.started_waiting(&throttles::SIGN_INS_PER_ADDRESS) {
            self.show_alert(AlertKind::SignInFailures, source);
        }
        if by_user.started_waiting(&throttles::SIGN_INS_PER_USER)
            && self.store().staff(key).ok().flatten().is_some()
        {
            tracing::warn!(user = %user, "sign-ins of an account slowed after repeated failures");
            self.note_alert(
                AlertKind::AccountThrottled,
                &user,
                Occurrence::Show,
                &format!("{} failed sign-ins", by_user.failures),
            )
            .await;
        }
    }

    /// How long sign-ins from `source` as `username` must wait, ms (0: none).
    pub fn sign_in_wait_ms(&self, username: &str, source: &str) -> i64 {
        let now = self.now_ms();
        let t = &self.inner.throttles;
        [
            throttles::check(&t.sign_ins_by_address, source, now),
            throttles::check(&t.sign_ins_by_user, username.trim(), now),
        ]
        .iter()
        .filter_map(|w| w.err())
        .max()
        .unwrap_or(0)
    }

    /// Every staff account, by username (admins only).
    pub fn list_staff(&self, by: &StaffIdentity) -> Result<Vec<StaffRecord>> {
        by.require_admin()?;
        let mut all = self.store().all_staff()?;
        for s in &mut all {
            s.password_hash.clear();
        }
        all.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(all)
    }

    /// The display name and NIP of a staff account (for page headers).
    pub fn staff_record(&self, username: &str) -> Result<Option<StaffRecord>> {
        Ok(self.store().staff(username)?.map(|mut s| {
            s.password_hash.clear();
            s
        }))
    }

    /// An admin sets a new password for an account; it also lifts the
    /// slow-down of its sign-ins and signs the account out everywhere.
    pub async fn reset_staff_password(
        &self,
        by: &StaffIdentity,
        username: &str,
        password: &str,
    ) -> Result<()> {
        by.require_admin()?;
        if password.chars().count() < 8 || password.len() > 1024 {
            return Err(said(Fault::Invalid, t::FAULT_PASSWORD));
        }
        let mut staff = self
            .store()
            .staff(username.trim())?
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_STAFF))?;
        staff.password_hash = self.hash_secret(password).await?;
        self.store().put_staff(&staff)?.durable().await?;
        throttles::clear(&self.inner.throttles.sign_ins_by_user, &staff.username);
        self.forget_tokens_of(&staff.username);
        tracing::info!(by = %by.username, user = %staff.username, "staff password reset");
        self.audit(&by.username, "staff.password_reset", &staff.username, "")
            .await;
        Ok(())
    }

    /// An admin disables (or enables again) an account. A disabled account
    /// is signed out at once and cannot sign in. Admins cannot disable
    /// themselves (so one admin always remains).
    pub async fn set_staff_disabled(
        &self,
        by: &StaffIdentity,
        username: &str,
        disabled: bool,
    ) -> Result<()> {
        by.require_admin()?;
        let mut staff = self
            .store()
            .staff(username.trim())?
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_STAFF))?;
        if disabled && staff.username == by.username {
            return Err(said(Fault::NotNow, t::FAULT_OWN_ACCOUNT));
        }
        staff.disabled = disabled;
        self.store().put_staff(&staff)?.durable().await?;
        if disabled {
            self.forget_tokens_of(&staff.username);
        }
        tracing::info!(by = %by.username, user = %staff.username, disabled, "staff account changed");
        let action = if disabled {
            "staff.disable"
        } else {
            "staff.enable"
        };
        self.audit(&by.username, action, &staff.username, "").await;
        Ok(())
    }

    /// Signs an account out of every session.
    fn forget_tokens_of(&self, username: &str) {
        if let Ok(mut tokens) = self.inner.staff_tokens.lock() {
            tokens.retain(|_, t| t.username != username);
        }
    }
}
