//! Members on PostgreSQL: the record plus its name (search).

use super::{PgStore, Result, bump, commit, db, decode_row};
use bilik_proto::store::v1::MemberRecord;
use prost::Message;
use std::collections::HashMap;

/// Counter of members (kept by every member write).
pub(super) const COUNT_MEMBERS: &str = "members";

impl PgStore {
    /// See [`Engine::member`](crate::store::Engine::member).
    pub(super) async fn member(&self, card: &str) -> Result<Option<MemberRecord>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT record FROM members WHERE card = $1", &[&card])
            .await
            .map_err(db)?;
        decode_row("members", row.as_ref())
    }

    /// See [`Engine::put_members`](crate::store::Engine::put_members): one
    /// statement for the batch. A card written twice in one batch counts as
    /// created once and updated after, and keeps its last record, as a
    /// sequence of single writes would.
    pub(super) async fn put_members(&self, members: &[MemberRecord]) -> Result<(u32, u32)> {
        let mut last: HashMap<&str, &MemberRecord> = HashMap::with_capacity(members.len());
        for m in members {
            last.insert(m.card.as_str(), m);
        }
        let cards: Vec<&str> = last.keys().copied().collect();
        let names: Vec<&str> = cards.iter().map(|c| last[c].name.as_str()).collect();
        let records: Vec<Vec<u8>> = cards.iter().map(|c| last[c].encode_to_vec()).collect();
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let rows = tx
            .query(
                "INSERT INTO members (card, name, record) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) \
                 ON CONFLICT (card) DO UPDATE SET name = EXCLUDED.name, record = EXCLUDED.record \
                 RETURNING (xmax = 0) AS created",
                &[&cards, &names, &records],
            )
            .await
            .map_err(db)?;
        let created = rows.iter().filter(|r| r.get::<_, bool>(0)).count();
        bump(&tx, COUNT_MEMBERS, self.shard(), created as i64).await?;
        commit(tx).await?;
        let created = u32::try_from(created).unwrap_or(u32::MAX);
        let total = u32::try_from(members.len()).unwrap_or(u32::MAX);
        Ok((created, total.saturating_sub(created)))
    }

    /// See [`Engine::update_member`](crate::store::Engine::update_member).
    pub(super) async fn update_member(
        &self,
        card: &str,
        change: impl Fn(&mut MemberRecord) -> bool + Send + Sync,
    ) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db)?;
        let row = tx
            .query_opt(
                "SELECT record FROM members WHERE card = $1 FOR UPDATE",
                &[&card],
            )
            .await
            .map_err(db)?;
        let Some(mut member) = decode_row::<MemberRecord>("members", row.as_ref())? else {
            return Ok(false);
        };
        if !change(&mut member) {
            return Ok(false);
        }
        tx.execute(
            "UPDATE members SET name = $2, record = $3 WHERE card = $1",
            &[&card, &member.name, &member.encode_to_vec()],
        )
        .await
        .map_err(db)?;
        commit(tx).await?;
        Ok(true)
    }

    /// See [`Engine::search_members`](crate::store::Engine::search_members):
    /// one pass over (card, name), in card order, with the rule of
    /// [`crate::policy::name_matches`] (no name index on this engine yet);
    /// the page's records are read at the end.
    pub(super) async fn search_members(
        &self,
        card_prefix: Option<&str>,
        name_words: &[String],
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<MemberRecord>, usize)> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT card, name FROM members ORDER BY card", &[])
            .await
            .map_err(db)?;
        let mut hits: Vec<(bool, String, &str)> = Vec::new();
        for row in &rows {
            let card: &str = row.get(0);
            let name: &str = row.get(1);
            if card_prefix.is_some_and(|p| card.starts_with(p)) {
                hits.push((false, String::new(), card));
            } else if crate::policy::name_matches(name_words, name) {
                hits.push((true, name.to_lowercase(), card));
            }
        }
        // Card hits are in card order already; name hits by name, then
        // card (the sort is stable).
        hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let total = hits.len();
        let page: Vec<&str> = hits
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|h| h.2)
            .collect();
        let found = client
            .query(
                "SELECT card, record FROM members WHERE card = ANY($1)",
                &[&page],
            )
            .await
            .map_err(db)?;
        let mut by_card: HashMap<&str, MemberRecord> = HashMap::with_capacity(found.len());
        for row in &found {
            by_card.insert(row.get(0), crate::store::decode("members", row.get(1))?);
        }
        let members = page.iter().filter_map(|c| by_card.remove(c)).collect();
        Ok((members, total))
    }
}
