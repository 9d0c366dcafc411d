//! The audit log: every staff action from every door (gRPC, CLI, dashboard)
//! is written here by the use case itself, never by a transport. Entries
//! are chained with HMAC-SHA256 under the server's audit key (see
//! [`crate::store`]'s audit module); this module appends, pages through
//! and verifies them.

use super::{App, Error, Result, StaffIdentity};
use crate::store::{AuditQuery, AuditVerdict};
use bilik_proto::store::v1::AuditRecord;
use bilik_proto::v1::Role;

/// The actor name of what the server does by itself (first admin, re-keying).
pub const SYSTEM_ACTOR: &str = "system";

/// Largest page of entries one view returns.
const MAX_PAGE: usize = 10_000;

impl StaffIdentity {
    /// The server acting by itself (`init`, the first start, the demo): an
    /// admin that no token can be issued for, audited as "system".
    pub fn system() -> StaffIdentity {
        StaffIdentity {
            username: SYSTEM_ACTOR.to_owned(),
            role: Role::Admin,
            expires_at_ms: i64::MAX,
        }
    }

    /// Refuses with PermissionDenied unless admin or section head (the
    /// roles that may read the audit log).
    pub fn require_auditor(&self) -> Result<()> {
        if matches!(self.role, Role::Admin | Role::SectionHead) {
            Ok(())
        } else {
            Err(Error::PermissionDenied(
                "the audit log is for admins and section heads".into(),
            ))
        }
    }
}

/// A page of the audit log, newest first, and the chain's state.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The entries, newest first, each with whether its own MAC holds.
    pub entries: Vec<(AuditRecord, bool)>,
    /// Whether older entries match the filter (the next page starts below
    /// the last entry shown).
    pub more: bool,
    /// The chain checked from the last checkpoint to the head.
    pub chain: AuditVerdict,
    /// Every staff username and "system" (for the actor filter).
    pub actors: Vec<String>,
}

impl App {
    /// Appends to the keyed, chained audit log, durably (a failure is
    /// logged, never hidden, and does not undo the action it records).
    pub async fn audit(&self, actor: &str, action: &str, target: &str, detail: &str) {
        let entry = AuditRecord {
            at_ms: self.now_ms(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail: detail.to_owned(),
            ..Default::default()
        };
        let appended = match self.store().append_audit(entry) {
            Ok(pending) => pending.durable().await.map(drop),
            Err(e) => Err(e),
        };
        if let Err(e) = appended {
            tracing::error!(error = %e, action, "audit log append failed");
        }
    }

    /// Makes the audit key if the store has none (at `init` and at every
    /// start, beside the report signing key); re-keys a legacy log once.
    pub async fn ensure_audit_key(&self) -> Result<()> {
        self.store().ensure_audit_key()?.durable().await?;
        Ok(())
    }

    /// The newest audit entries (oldest first) and whether the chain holds
    /// (checked from the last checkpoint to the head).
    pub fn audit_log(&self, limit: u32) -> Result<(Vec<bilik_proto::v1::AuditEntry>, bool)> {
        let limit = match limit {
            0 => 200,
            n => (n as usize).min(MAX_PAGE),
        };
        let entries = self
            .store()
            .audit_tail(limit)?
            .into_iter()
            .map(|r| bilik_proto::v1::AuditEntry {
                seq: r.seq,
                at_ms: r.at_ms,
                actor: r.actor,
                action: r.action,
                target: r.target,
                detail: r.detail,
                hash: r.hash,
            })
            .collect();
        Ok((entries, self.store().verify_audit_recent()?.bad.is_none()))
    }

    /// [`App::audit_log`] for an auditor (admin, section head) only.
    pub fn audit_log_for(
        &self,
        by: &StaffIdentity,
        limit: u32,
    ) -> Result<(Vec<bilik_proto::v1::AuditEntry>, bool)> {
        by.require_auditor()?;
        self.audit_log(limit)
    }

    /// A page of the audit log for an auditor (admin, section head).
    pub fn audit_page(&self, by: &StaffIdentity, mut query: AuditQuery) -> Result<AuditPage> {
        by.require_auditor()?;
        query.limit = query.limit.clamp(1, MAX_PAGE);
        let (records, more) = self.store().audit_query(&query)?;
        let mut entries = Vec::with_capacity(records.len());
        for r in records {
            let valid = self.store().audit_entry_valid(&r)?;
            entries.push((r, valid));
        }
        let mut actors: Vec<String> = self
            .store()
            .all_staff()?
            .into_iter()
            .map(|s| s.username)
            .collect();
        actors.sort();
        actors.push(SYSTEM_ACTOR.to_owned());
        Ok(AuditPage {
            entries,
            more,
            chain: self.store().verify_audit_recent()?,
            actors,
        })
    }
}
