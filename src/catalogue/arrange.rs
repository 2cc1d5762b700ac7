//! Arranging a volume's pages: reorder, remove (to the trash, restorable), insert
//! at a place, replace a page by a rescan. Masters are never touched: a removed or
//! replaced page keeps its whole row in `page_trash` and can be put back.
//!
//! Page numbers (`seq`) stay 1..n without gaps. The clerk's indexing corrections
//! are keyed by `seq`, so every rearrangement moves them with their pages; a
//! correction whose page left the volume is dropped and said so in the audit log.

use std::collections::HashMap;

use anyhow::{Result, bail};
use rusqlite::{Transaction, params};

use super::Catalogue;
use crate::model::index::Target;

/// The columns of `pages` kept in the trash (all of them but `id`, which is
/// stored beside as `page_id` and given back on restore).
const PAGE_FIELDS: &[&str] = &[
    "volume_id",
    "seq",
    "master_sha256",
    "source_name",
    "source_page",
    "width",
    "height",
    "dpi",
    "color_mode",
    "state",
    "error",
    "rotation",
    "skew_deg",
    "blank",
    "flags",
    "text_origin",
    "text",
    "lines",
    "ocr_confidence",
    "ocr_engine",
    "image_key",
    "image_ext",
    "processed_at",
    "imaging",
    "overrides",
];

/// A page in the trash, for the GUI's and CLI's restore list.
#[derive(Debug, Clone, PartialEq)]
pub struct TrashedPage {
    pub trash_id: i64,
    pub page_id: i64,
    /// Where it was when removed.
    pub seq: u32,
    pub master_sha256: String,
    pub removed_at: String,
    pub actor: String,
}

/// Where new pages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// After the last page.
    Append,
    /// Before the page that now has this id.
    Before(i64),
    /// In place of this page, which goes to the trash.
    Replace(i64),
}

impl Catalogue {
    /// Page ids of a volume in order.
    fn page_order(tx: &Transaction<'_>, volume_id: &str) -> Result<Vec<i64>> {
        let mut st = tx.prepare("SELECT id FROM pages WHERE volume_id = ?1 ORDER BY seq")?;
        let ids = st
            .query_map([volume_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// Gives the pages of `volume_id` the order `ids` (seq 1..n) and moves the
    /// indexing corrections with them. `old_seq` maps page id → seq before the change
    /// (pages not in it are new; pages missing from `ids` have left the volume).
    fn renumber(
        tx: &Transaction<'_>,
        volume_id: &str,
        ids: &[i64],
        old_seq: &HashMap<i64, u32>,
        actor: &str,
    ) -> Result<()> {
        // Two passes, so that UNIQUE(volume_id, seq) never sees a clash midway.
        tx.execute(
            "UPDATE pages SET seq = -id WHERE volume_id = ?1",
            [volume_id],
        )?;
        for (i, id) in ids.iter().enumerate() {
            tx.execute(
                "UPDATE pages SET seq = ?2 WHERE id = ?1",
                params![id, i as u32 + 1],
            )?;
        }
        let seq_map: HashMap<u32, u32> = ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| old_seq.get(id).map(|&old| (old, i as u32 + 1)))
            .collect();
        let corrections: Vec<(String, String, String, String)> = {
            let mut st = tx.prepare(
                "SELECT target, value, actor, at FROM index_corrections WHERE volume_id = ?1",
            )?;
            st.query_map([volume_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let mut moved = Vec::new();
        let mut dropped = Vec::new();
        for (key, value, who, at) in corrections {
            let remapped = match Target::parse(&key) {
                Some(Target::Start(p)) => seq_map.get(&p).map(|&n| Target::Start(n)),
                Some(Target::Kind(p)) => seq_map.get(&p).map(|&n| Target::Kind(n)),
                Some(Target::DocField(p, f)) => seq_map.get(&p).map(|&n| Target::DocField(n, f)),
                _ => continue,
            };
            match remapped {
                Some(t) if t.key() == key => {}
                Some(t) => moved.push((key, t.key(), value, who, at)),
                None => dropped.push((key, value)),
            }
        }
        for (old, ..) in &moved {
            tx.execute(
                "DELETE FROM index_corrections WHERE volume_id = ?1 AND target = ?2",
                params![volume_id, old],
            )?;
        }
        for (_, new, value, who, at) in &moved {
            tx.execute(
                "INSERT OR REPLACE INTO index_corrections(volume_id, target, value, actor, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![volume_id, new, value, who, at],
            )?;
        }
        for (key, _) in &dropped {
            tx.execute(
                "DELETE FROM index_corrections WHERE volume_id = ?1 AND target = ?2",
                params![volume_id, key],
            )?;
        }
        if !dropped.is_empty() {
            Self::audit_tx(
                tx,
                actor,
                "corrections_dropped",
                volume_id,
                serde_json::json!({ "corrections": dropped }),
            )?;
        }
        // The stored index is now out of date; its fingerprint (over seq, blank and
        // size) tells the next indexing pass to work it out again, keeping 案卷号.
        Ok(())
    }

    fn seqs(tx: &Transaction<'_>, volume_id: &str) -> Result<HashMap<i64, u32>> {
        let mut st = tx.prepare("SELECT id, seq FROM pages WHERE volume_id = ?1")?;
        let map = st
            .query_map([volume_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(map)
    }

    fn audit_tx(
        tx: &Transaction<'_>,
        actor: &str,
        action: &str,
        volume_id: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        super::write_audit(tx, actor, action, Some(volume_id), &detail.to_string())
    }

    /// Checks that every id is a page of the volume.
    fn own_pages(tx: &Transaction<'_>, volume_id: &str, ids: &[i64]) -> Result<()> {
        for id in ids {
            let found: Option<String> = tx
                .query_row("SELECT volume_id FROM pages WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .ok();
            if found.as_deref() != Some(volume_id) {
                bail!("page {id} is not a page of volume {volume_id}");
            }
        }
        Ok(())
    }

    /// Moves `ids` (kept in their present relative order) before the page `before`,
    /// or to the end when `before` is None.
    pub fn move_pages(
        &mut self,
        volume_id: &str,
        ids: &[i64],
        before: Option<i64>,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        Self::own_pages(&tx, volume_id, ids)?;
        if let Some(b) = before {
            Self::own_pages(&tx, volume_id, &[b])?;
        }
        let old = Self::seqs(&tx, volume_id)?;
        let order = Self::page_order(&tx, volume_id)?;
        let moving: Vec<i64> = order.iter().copied().filter(|i| ids.contains(i)).collect();
        let mut rest: Vec<i64> = order.iter().copied().filter(|i| !ids.contains(i)).collect();
        // Moving a page before itself: place before the next page that stays.
        let anchor = before.and_then(|b| {
            if ids.contains(&b) {
                let pos = order.iter().position(|&i| i == b)?;
                order[pos..].iter().copied().find(|i| !ids.contains(i))
            } else {
                Some(b)
            }
        });
        let at = anchor
            .and_then(|a| rest.iter().position(|&i| i == a))
            .unwrap_or(rest.len());
        rest.splice(at..at, moving.iter().copied());
        if rest == order {
            return Ok(());
        }
        Self::renumber(&tx, volume_id, &rest, &old, actor)?;
        let from: Vec<u32> = moving.iter().map(|i| old[i]).collect();
        Self::audit_tx(
            &tx,
            actor,
            "pages_moved",
            volume_id,
            serde_json::json!({ "pages": from, "to": at + 1 }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes pages from a volume into the trash (restorable); the rest close up.
    pub fn remove_pages(&mut self, volume_id: &str, ids: &[i64], actor: &str) -> Result<usize> {
        let tx = self.conn.transaction()?;
        Self::own_pages(&tx, volume_id, ids)?;
        let old = Self::seqs(&tx, volume_id)?;
        Self::trash(&tx, ids, actor)?;
        let order = Self::page_order(&tx, volume_id)?;
        Self::renumber(&tx, volume_id, &order, &old, actor)?;
        let mut removed: Vec<u32> = ids.iter().map(|i| old[i]).collect();
        removed.sort();
        Self::audit_tx(
            &tx,
            actor,
            "pages_removed",
            volume_id,
            serde_json::json!({ "pages": removed }),
        )?;
        tx.commit()?;
        Ok(ids.len())
    }

    fn trash(tx: &Transaction<'_>, ids: &[i64], actor: &str) -> Result<()> {
        // One time for the whole removal, so that restoring can undo it as one.
        let at: String = tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| {
            r.get(0)
        })?;
        let object = PAGE_FIELDS
            .iter()
            .map(|c| format!("'{c}', {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        for id in ids {
            tx.execute(
                &format!(
                    "INSERT INTO page_trash(volume_id, seq, page_id, master_sha256, row, removed_at, actor)
                     SELECT volume_id, seq, id, master_sha256, json_object({object}), ?3, ?2
                     FROM pages WHERE id = ?1"
                ),
                params![id, actor, at],
            )?;
            super::search::PAGE_TEXT.remove(tx, *id)?;
            tx.execute("DELETE FROM pages WHERE id = ?1", [id])?;
        }
        Ok(())
    }

    /// Pages removed from a volume, latest first.
    /// A trashed page as it was when removed (for its thumbnail in the trash).
    pub fn trashed_page_row(&self, trash_id: i64) -> Result<super::PageRow> {
        // The stored row's fields in the order `page_from_row` reads them.
        let field = |name: &str| format!("json_extract(t.row, '$.{name}')");
        let columns = [
            "t.page_id".to_string(),
            field("volume_id"),
            field("seq"),
            "t.master_sha256".into(),
            "m.ext".into(),
            field("source_name"),
            field("source_page"),
            field("width"),
            field("height"),
            field("dpi"),
            field("color_mode"),
            field("state"),
            field("error"),
            field("rotation"),
            field("skew_deg"),
            field("blank"),
            field("flags"),
            field("text_origin"),
            field("text"),
            field("lines"),
            field("ocr_confidence"),
            field("image_key"),
            field("image_ext"),
            field("imaging"),
            field("overrides"),
        ]
        .join(", ");
        let sql = format!(
            "SELECT {columns} FROM page_trash t JOIN masters m ON m.sha256 = t.master_sha256
             WHERE t.id = ?1"
        );
        Ok(self
            .conn
            .query_row(&sql, [trash_id], super::page_from_row)?)
    }

    pub fn trashed_pages(&self, volume_id: &str) -> Result<Vec<TrashedPage>> {
        let mut st = self.conn.prepare(
            "SELECT id, page_id, seq, master_sha256, removed_at, actor FROM page_trash
             WHERE volume_id = ?1 ORDER BY id DESC",
        )?;
        let rows = st.query_map([volume_id], |r| {
            Ok(TrashedPage {
                trash_id: r.get(0)?,
                page_id: r.get(1)?,
                seq: r.get(2)?,
                master_sha256: r.get(3)?,
                removed_at: r.get(4)?,
                actor: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Puts trashed pages back where they were (as near as the volume now allows),
    /// with everything they had: imaging, text, the clerk's overrides.
    pub fn restore_pages(
        &mut self,
        volume_id: &str,
        trash_ids: &[i64],
        actor: &str,
    ) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let old = Self::seqs(&tx, volume_id)?;
        let mut order = Self::page_order(&tx, volume_id)?;
        let mut restored = Vec::new();
        // The latest removal is undone first; within one removal, the earliest page
        // first, so that each lands at its old place among those before it.
        let mut items: Vec<(i64, i64, u32, String)> = Vec::new();
        for t in trash_ids {
            let item = tx.query_row(
                "SELECT id, page_id, seq, removed_at FROM page_trash WHERE id = ?1 AND volume_id = ?2",
                params![t, volume_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            );
            match item {
                Ok(i) => items.push(i),
                Err(_) => bail!("nothing in the trash of volume {volume_id} has number {t}"),
            }
        }
        items.sort_by(|a, b| b.3.cmp(&a.3).then(a.2.cmp(&b.2)));
        let columns = PAGE_FIELDS.join(", ");
        let values = PAGE_FIELDS
            .iter()
            .map(|c| {
                if *c == "seq" {
                    "-?2".to_string()
                } else {
                    format!("json_extract(row, '$.{c}')")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        for (trash_id, page_id, seq, _) in items {
            // The old id when it is still free, so that its store keys and audit
            // entries keep pointing at it.
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM pages WHERE id = ?1)",
                [page_id],
                |r| r.get(0),
            )?;
            let id: Option<i64> = (!taken).then_some(page_id);
            tx.execute(
                &format!(
                    "INSERT INTO pages(id, {columns}) SELECT ?3, {values} FROM page_trash WHERE id = ?1"
                ),
                params![trash_id, page_id, id],
            )?;
            let new_id = tx.last_insert_rowid();
            let text: Option<String> =
                tx.query_row("SELECT text FROM pages WHERE id = ?1", [new_id], |r| {
                    r.get(0)
                })?;
            if let Some(text) = text {
                super::search::PAGE_TEXT.put(&tx, new_id, &text)?;
            }
            tx.execute("DELETE FROM page_trash WHERE id = ?1", [trash_id])?;
            let at = (seq as usize).saturating_sub(1).min(order.len());
            order.insert(at, new_id);
            restored.push(seq);
        }
        Self::renumber(&tx, volume_id, &order, &old, actor)?;
        Self::audit_tx(
            &tx,
            actor,
            "pages_restored",
            volume_id,
            serde_json::json!({ "pages": restored }),
        )?;
        tx.commit()?;
        Ok(restored.len())
    }

    /// Puts the just-appended pages `new_ids` where `placement` says; with
    /// `Replace`, the replaced page goes to the trash.
    pub fn place_pages(
        &mut self,
        volume_id: &str,
        new_ids: &[i64],
        placement: Placement,
        actor: &str,
    ) -> Result<()> {
        match placement {
            Placement::Append => Ok(()),
            Placement::Before(b) => self.move_pages(volume_id, new_ids, Some(b), actor),
            Placement::Replace(old) => {
                let tx = self.conn.transaction()?;
                Self::own_pages(&tx, volume_id, &[old])?;
                Self::own_pages(&tx, volume_id, new_ids)?;
                let seqs = Self::seqs(&tx, volume_id)?;
                let order = Self::page_order(&tx, volume_id)?;
                let mut rest: Vec<i64> =
                    order.into_iter().filter(|i| !new_ids.contains(i)).collect();
                let at = rest.iter().position(|&i| i == old).expect("own page");
                rest.splice(at..=at, new_ids.iter().copied());
                Self::trash(&tx, &[old], actor)?;
                // The new page inherits the corrections of the one it replaces.
                let mut old_seq: HashMap<i64, u32> = seqs
                    .iter()
                    .filter(|(id, _)| !new_ids.contains(id))
                    .map(|(&i, &s)| (i, s))
                    .collect();
                if let Some(&s) = seqs.get(&old) {
                    old_seq.remove(&old);
                    old_seq.insert(new_ids[0], s);
                }
                Self::renumber(&tx, volume_id, &rest, &old_seq, actor)?;
                Self::audit_tx(
                    &tx,
                    actor,
                    "page_replaced",
                    volume_id,
                    serde_json::json!({ "page": seqs[&old], "by": new_ids.len() }),
                )?;
                tx.commit()?;
                Ok(())
            }
        }
    }
}
