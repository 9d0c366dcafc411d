//! Members: manual upkeep and imports from the library system.

use super::{
    App, Error, Result, StaffIdentity, clean_line, clean_text, not_a_card, not_a_date, views,
};
use super::{Fault, said, said_with};
use crate::import::{self, inlislite, slims};
use crate::policy::{normalise_card, parse_date};
use bilik_proto::catalog::web as t;
use bilik_proto::store::v1::MemberRecord;
use bilik_proto::v1::{Gender, ImportFormat, ImportMembersResponse, Member, MemberStatus};

/// Largest import file accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

impl App {
    /// Creates or updates a member. The card, name and expiry date are
    /// required; a PIN, when given, is stored as a hash.
    pub async fn upsert_member(&self, by: &StaffIdentity, member: &Member) -> Result<Member> {
        let card = normalise_card(&member.card).map_err(|_| not_a_card())?;
        let name = clean_line(&member.name, 200);
        if name.is_empty() {
            return Err(said(Fault::Invalid, t::FAULT_NAME_REQUIRED));
        }
        let date = |text: &str, what: &str, required: bool| -> Result<String> {
            match (text.trim(), parse_date(text)) {
                ("", _) if !required => Ok(String::new()),
                (_, Some(d)) => Ok(d.format("%Y-%m-%d").to_string()),
                _ => Err(not_a_date(what)),
            }
        };
        let gender = Gender::try_from(member.gender)
            .map_err(|_| said(Fault::Invalid, t::FAULT_UNKNOWN_CHOICE))?;
        let status = match MemberStatus::try_from(member.status) {
            Ok(MemberStatus::Unspecified) => MemberStatus::Active,
            Ok(s) => s,
            Err(_) => {
                return Err(Error::InvalidArgument(format!(
                    "status: unknown value {}",
                    member.status
                )));
            }
        };
        let old = self.store().member(&card)?;
        // A new PIN lifts a PIN lock; keeping the PIN keeps the lock.
        let (pin_hash, pin_locked_at_ms) = match member.pin.trim() {
            "" => old
                .as_ref()
                .map(|m| (m.pin_hash.clone(), m.pin_locked_at_ms))
                .unwrap_or_default(),
            pin if pin.len() <= 12 && pin.chars().all(|c| c.is_ascii_digit()) => {
                (self.hash_pin(pin).await?, 0)
            }
            _ => return Err(said(Fault::Invalid, t::FAULT_PIN)),
        };
        let pin_changed = !member.pin.trim().is_empty();
        let record = MemberRecord {
            card,
            name,
            gender: gender as i32,
            birth_date: date(&member.birth_date, "birth_date", false)?,
            category: clean_line(&member.category, 100),
            institution: clean_line(&member.institution, 200),
            email: clean_line(&member.email, 200),
            phone: clean_line(&member.phone, 50),
            address: clean_text(&member.address, 300),
            registered: date(&member.registered, "registered", false)?,
            expires: date(&member.expires, "expires", true)?,
            status: status as i32,
            pin_hash,
            source: match clean_line(&member.source, 20) {
                s if s.is_empty() => "local".to_owned(),
                s => s,
            },
            notes: clean_text(&member.notes, 1000),
            updated_at_ms: self.now_ms(),
            pin_locked_at_ms,
            // A staff edit is Bilik's own record: no library system vouches for it.
            ils_confirmed_at_ms: 0,
            occupation: clean_line(&member.occupation, 100),
            education: clean_line(&member.education, 100),
        };
        self.store().put_member(&record)?.durable().await?;
        tracing::info!(by = %by.username, member = %self.log_id(&record.card), "member saved");
        self.audit(&by.username, "member.save", &record.card, "")
            .await;
        if pin_changed {
            // A new PIN (set or changed) is its own entry: never its value.
            super::throttles::clear(&self.inner.throttles.wrong_pins, &record.card);
            self.audit(&by.username, "member.pin", &record.card, "")
                .await;
        }
        Ok(views::member(&record))
    }

    /// Staff lift a card's PIN lock (after checking who is at the desk);
    /// its wrong tries are forgotten.
    pub async fn unlock_member_pin(&self, by: &StaffIdentity, card: &str) -> Result<()> {
        let card = normalise_card(card).map_err(|_| not_a_card())?;
        let changed = self
            .store()
            .update_member(&card, |m| {
                let locked = m.pin_locked_at_ms != 0;
                m.pin_locked_at_ms = 0;
                locked
            })?
            .durable()
            .await?;
        if self.store().member(&card)?.is_none() {
            return Err(said(Fault::NotFound, t::FAULT_NO_MEMBER));
        }
        super::throttles::clear(&self.inner.throttles.wrong_pins, &card);
        super::throttles::clear(&self.inner.throttles.card_logins, &card);
        if changed {
            tracing::info!(by = %by.username, member = %self.log_id(&card), "PIN lock lifted");
            self.audit(&by.username, "member.pin_unlock", &card, "")
                .await;
        }
        Ok(())
    }

    /// The member categories to choose from: the configured ones and every
    /// one a member write has carried (SLiMS member types, INLISLite jenis
    /// anggota, SIP2 `PC`), sorted.
    pub fn member_categories(&self) -> Result<Vec<String>> {
        let mut all: std::collections::BTreeSet<String> =
            self.config().member_categories.iter().cloned().collect();
        all.extend(self.store().member_categories()?);
        Ok(all.into_iter().collect())
    }

    /// One member by card number.
    pub fn get_member(&self, card: &str) -> Result<Member> {
        let card = normalise_card(card).map_err(|_| not_a_card())?;
        self.store()
            .member(&card)?
            .map(|m| views::member(&m))
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_MEMBER))
    }

    /// One page of members by card prefix or by the words of the name
    /// (case, accents and apostrophes aside: [`crate::policy::name_matches`],
    /// answered from the store's name index), with how many match in all.
    /// An empty query lists every member.
    pub fn search_members(&self, query: &str, offset: u32, limit: u32) -> Result<MemberPage> {
        let query = clean_line(query, 100);
        let limit = match limit {
            0 => 50,
            n => n.min(500) as usize,
        };
        // A query that cannot be a card number ("Andi Tenri", "ma'ruf")
        // searches names only.
        let prefix = match query.as_str() {
            "" => Some(String::new()),
            q => normalise_card(q).ok(),
        };
        let words = crate::policy::name_words(&query);
        let (found, total) =
            self.store()
                .search_members(prefix.as_deref(), &words, offset as usize, limit)?;
        Ok(MemberPage {
            members: found.iter().map(views::member).collect(),
            total: total as u64,
        })
    }

    /// Blocks, unblocks (active) or suspends (pending) a member.
    pub async fn set_member_status(
        &self,
        by: &StaffIdentity,
        card: &str,
        status: MemberStatus,
    ) -> Result<Member> {
        if status == MemberStatus::Unspecified {
            return Err(Error::InvalidArgument(
                "status: active, blocked or pending".into(),
            ));
        }
        let card = normalise_card(card).map_err(|_| not_a_card())?;
        let mut record = self
            .store()
            .member(&card)?
            .ok_or_else(|| said(Fault::NotFound, t::FAULT_NO_MEMBER))?;
        record.status = status as i32;
        record.updated_at_ms = self.now_ms();
        self.store().put_member(&record)?.durable().await?;
        tracing::info!(by = %by.username, status = status.as_str_name(), "member status set");
        self.audit(&by.username, "member.status", &card, status.as_str_name())
            .await;
        Ok(views::member(&record))
    }

    /// Imports a membership export: every row or none. A member imported
    /// again is updated (never duplicated); their status and PIN stay.
    pub async fn import_members(
        &self,
        by: &StaffIdentity,
        format: ImportFormat,
        content: &[u8],
    ) -> Result<ImportMembersResponse> {
        let source = import_source(format, content);
        let records: Vec<MemberRecord> = self
            .import_records(format, content)?
            .into_iter()
            .map(|(_, new, _)| new)
            .collect();
        let (created, updated) = self.store().put_members(&records)?.durable().await?;
        tracing::info!(by = %by.username, created, updated, "members imported");
        self.audit(
            &by.username,
            "member.import",
            source,
            &format!("{created} new, {updated} updated"),
        )
        .await;
        Ok(ImportMembersResponse { created, updated })
    }

    /// What importing a file would do, without writing anything: every
    /// row as new, updated or unchanged, or the file's line-numbered errors
    /// (`Error::Import`).
    pub fn preview_import(&self, format: ImportFormat, content: &[u8]) -> Result<ImportPreview> {
        let mut preview = ImportPreview::default();
        for (line, new, old) in self.import_records(format, content)? {
            let change = match &old {
                None => ImportChange::New,
                Some(old) if same_member(old, &new) => ImportChange::Unchanged,
                Some(_) => ImportChange::Updated,
            };
            match change {
                ImportChange::New => preview.created += 1,
                ImportChange::Updated => preview.updated += 1,
                ImportChange::Unchanged => preview.unchanged += 1,
            }
            preview.rows.push(ImportPreviewRow {
                line,
                change,
                member: views::member(&new),
            });
        }
        Ok(preview)
    }

    /// The records an import would write, each with its line in the file
    /// and the record it replaces.
    fn import_records(
        &self,
        format: ImportFormat,
        content: &[u8],
    ) -> Result<Vec<(usize, MemberRecord, Option<MemberRecord>)>> {
        if content.len() > MAX_IMPORT_BYTES {
            return Err(said_with(
                Fault::Invalid,
                t::FAULT_FILE_TOO_BIG,
                (MAX_IMPORT_BYTES / (1024 * 1024)).to_string(),
            ));
        }
        let source = import_source(format, content);
        let rows = if source == INLISLITE {
            inlislite::parse(content)?
        } else {
            slims::parse(content)?
        };
        let now = self.now_ms();
        let fmt = |d: Option<chrono::NaiveDate>| {
            d.map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let old = self.store().member(&row.card)?;
            let line = row.line;
            // What the export does not carry keeps what Bilik had: SLiMS
            // has no occupation or education, INLISLite's contact columns
            // are often missing or empty.
            let kept_if = |partial: bool, new: String, get: fn(&MemberRecord) -> &String| match &old
            {
                Some(m) if partial && new.is_empty() => get(m).clone(),
                _ => new,
            };
            let partial = source == INLISLITE;
            let kept = |new, get| kept_if(partial, new, get);
            let always_kept = |new, get| kept_if(true, new, get);
            let status = match row.status {
                Some(import::Standing::Active) => MemberStatus::Active as i32,
                Some(import::Standing::Blocked) => MemberStatus::Blocked as i32,
                Some(import::Standing::Pending) => MemberStatus::Pending as i32,
                None => old
                    .as_ref()
                    .map_or(MemberStatus::Active as i32, |m| m.status),
            };
            let record = MemberRecord {
                gender: match row.gender {
                    import::Gender::Male => Gender::Male,
                    import::Gender::Female => Gender::Female,
                    import::Gender::Unspecified => Gender::Unspecified,
                } as i32,
                birth_date: fmt(row.birth_date),
                category: row.category,
                institution: kept(row.institution, |m| &m.institution),
                email: kept(row.email, |m| &m.email),
                phone: kept(row.phone, |m| &m.phone),
                address: kept(row.address, |m| &m.address),
                registered: fmt(row.registered.or(row.member_since)),
                expires: row.expires.format("%Y-%m-%d").to_string(),
                status,
                pin_hash: old.as_ref().map(|m| m.pin_hash.clone()).unwrap_or_default(),
                pin_locked_at_ms: old.as_ref().map_or(0, |m| m.pin_locked_at_ms),
                ils_confirmed_at_ms: 0,
                occupation: always_kept(row.occupation, |m| &m.occupation),
                education: always_kept(row.education, |m| &m.education),
                source: source.to_owned(),
                notes: kept(row.notes, |m| &m.notes),
                updated_at_ms: now,
                card: row.card,
                name: row.name,
            };
            records.push((line, record, old));
        }
        Ok(records)
    }
}

/// What an import would do to one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportChange {
    /// The card is not known yet.
    New,
    /// The card is known and some field would change.
    Updated,
    /// The card is known and nothing would change.
    Unchanged,
}

/// One row of an import preview.
#[derive(Debug, Clone)]
pub struct ImportPreviewRow {
    /// Line of the file (1-based, the header is line 1), so staff can find it.
    pub line: usize,
    /// What the import would do with it.
    pub change: ImportChange,
    /// The member as it would be stored.
    pub member: bilik_proto::v1::Member,
}

/// What importing a file would do (nothing has been written).
#[derive(Debug, Clone, Default)]
pub struct ImportPreview {
    /// Every row of the file, in file order.
    pub rows: Vec<ImportPreviewRow>,
    /// Members that would be created.
    pub created: u32,
    /// Members that would change.
    pub updated: u32,
    /// Members already stored exactly so.
    pub unchanged: u32,
}

/// Whether an import would leave a stored member as it is (the update
/// time aside).
fn same_member(old: &MemberRecord, new: &MemberRecord) -> bool {
    let strip = |m: &MemberRecord| MemberRecord {
        updated_at_ms: 0,
        ..m.clone()
    };
    strip(old) == strip(new)
}

/// One page of a member search.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPage {
    /// The members on this page.
    pub members: Vec<Member>,
    /// How many match in all (every page).
    pub total: u64,
}

/// `source` of members from an INLISLite export.
const INLISLITE: &str = "inlislite";

/// Which system's export `content` is: as asked, or, unspecified, an
/// Excel workbook is INLISLite's and anything else SLiMS' CSV.
fn import_source(format: ImportFormat, content: &[u8]) -> &'static str {
    match format {
        ImportFormat::Inlislite => INLISLITE,
        ImportFormat::Slims => "slims",
        ImportFormat::Unspecified if inlislite::is_workbook(content) => INLISLITE,
        ImportFormat::Unspecified => "slims",
    }
}
