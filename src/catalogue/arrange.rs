//! Arranging a volume's pages: reorder, remove (to the trash, restorable), insert
//! at a place, replace a page by a rescan. Masters are never touched: a removed or
//! replaced page keeps its whole row in `page_trash` and can be put back.
//!
//! Page numbers (`seq`) stay 1..n without gaps. The clerk's indexing corrections
//! are keyed by `seq`, so every rearrangement moves them with their pages; a
//! correction whose page left the volume is dropped and said so in the audit log.

use std::collections::HashMap;

use anyhow::{Result, bail};

use super::Catalogue;
use super::db::{Db, Row, ToValue, Value, args, now};
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
    fn page_order(tx: &Db, volume_id: &str) -> Result<Vec<i64>> {
        let mut st = tx.prepare("SELECT id FROM pages WHERE volume_id = ?1 ORDER BY seq")?;
        let ids = st
            .query_map(args![volume_id], |r| r.get(0))?
            .collect::<Result<Vec<i64>>>()?;
        Ok(ids)
    }

    /// Gives the pages of `volume_id` the order `ids` (seq 1..n) and moves the
    /// indexing corrections with them. `old_seq` maps page id → seq before the change
    /// (pages not in it are new; pages missing from `ids` have left the volume).
    fn renumber(
        tx: &Db,
        volume_id: &str,
        ids: &[i64],
        old_seq: &HashMap<i64, u32>,
        actor: &str,
    ) -> Result<()> {
        // Two passes, so that UNIQUE(volume_id, seq) never sees a clash midway.
        tx.execute(
            "UPDATE pages SET seq = -id WHERE volume_id = ?1",
            args![volume_id],
        )?;
        for (i, id) in ids.iter().enumerate() {
            tx.execute(
                "UPDATE pages SET seq = ?2 WHERE id = ?1",
                args![id, i as u32 + 1],
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
            st.query_map(args![volume_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_>>()?
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
                args![volume_id, old],
            )?;
        }
        for (_, new, value, who, at) in &moved {
            tx.execute(
                "INSERT INTO index_corrections(volume_id, target, value, actor, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(volume_id, target) DO UPDATE SET value = ?3, actor = ?4, at = ?5",
                args![volume_id, new, value, who, at],
            )?;
        }
        for (key, _) in &dropped {
            tx.execute(
                "DELETE FROM index_corrections WHERE volume_id = ?1 AND target = ?2",
                args![volume_id, key],
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

    fn seqs(tx: &Db, volume_id: &str) -> Result<HashMap<i64, u32>> {
        let mut st = tx.prepare("SELECT id, seq FROM pages WHERE volume_id = ?1")?;
        let map = st
            .query_map(args![volume_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_>>()?;
        Ok(map)
    }

    fn audit_tx(
        tx: &Db,
        actor: &str,
        action: &str,
        volume_id: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        super::write_audit(tx, actor, action, Some(volume_id), &detail.to_string())
    }

    /// Checks that every id is a page of the volume.
    fn own_pages(tx: &Db, volume_id: &str, ids: &[i64]) -> Result<()> {
        for id in ids {
            let found: Option<String> = tx
                .query_row(
                    "SELECT volume_id FROM pages WHERE id = ?1",
                    args![id],
                    |r| r.get(0),
                )
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
        super::lock_volume(&tx, volume_id)?;
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
        super::lock_volume(&tx, volume_id)?;
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

    fn trash(tx: &Db, ids: &[i64], actor: &str) -> Result<()> {
        // One time for the whole removal, so that restoring can undo it as one.
        let at = now();
        let columns = PAGE_FIELDS.join(", ");
        for id in ids {
            // The row as a JSON object of its columns, as the trash keeps it.
            let row = tx.query_row(
                &format!("SELECT {columns} FROM pages WHERE id = ?1"),
                args![id],
                |r| Ok(r.clone()),
            )?;
            let object: serde_json::Map<String, serde_json::Value> = PAGE_FIELDS
                .iter()
                .enumerate()
                .map(|(i, c)| (c.to_string(), to_json(row.value(i))))
                .collect();
            tx.execute(
                "INSERT INTO page_trash(volume_id, seq, page_id, master_sha256, row, removed_at, actor)
                 SELECT volume_id, seq, id, master_sha256, ?2, ?3, ?4 FROM pages WHERE id = ?1",
                args![id, serde_json::Value::Object(object).to_string(), at, actor],
            )?;
            super::search::PAGE_TEXT.remove(tx, *id)?;
            tx.execute("DELETE FROM pages WHERE id = ?1", args![id])?;
        }
        Ok(())
    }

    /// A trashed page as it was when removed (for its thumbnail in the trash).
    pub fn trashed_page_row(&self, trash_id: i64) -> Result<super::PageRow> {
        let (page_id, master, ext, json): (i64, String, String, String) = self.conn.query_row(
            "SELECT t.page_id, t.master_sha256, m.ext, t.row
             FROM page_trash t JOIN masters m ON m.sha256 = t.master_sha256 WHERE t.id = ?1",
            args![trash_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let stored = trashed_fields(&json)?;
        // The stored row's fields in the order `page_from_row` reads them
        // (its columns: the row's own, `p.…`, and the master's extension).
        let values = super::PAGE_COLUMNS
            .split(',')
            .map(|c| match c.trim() {
                "p.id" => Value::Int(page_id),
                "p.master_sha256" => Value::Text(master.clone()),
                "m.ext" => Value::Text(ext.clone()),
                c => stored
                    .get(c.trim_start_matches("p."))
                    .cloned()
                    .unwrap_or(Value::Null),
            })
            .collect();
        super::page_from_row(&Row::new(values))
    }

    pub fn trashed_pages(&self, volume_id: &str) -> Result<Vec<TrashedPage>> {
        let mut st = self.conn.prepare(
            "SELECT id, page_id, seq, master_sha256, removed_at, actor FROM page_trash
             WHERE volume_id = ?1 ORDER BY id DESC",
        )?;
        let rows = st.query_map(args![volume_id], |r| {
            Ok(TrashedPage {
                trash_id: r.get(0)?,
                page_id: r.get(1)?,
                seq: r.get(2)?,
                master_sha256: r.get(3)?,
                removed_at: r.get(4)?,
                actor: r.get(5)?,
            })
        })?;
        rows.collect::<Result<_>>()
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
        super::lock_volume(&tx, volume_id)?;
        let old = Self::seqs(&tx, volume_id)?;
        let mut order = Self::page_order(&tx, volume_id)?;
        let mut restored = Vec::new();
        // The latest removal is undone first; within one removal, the earliest page
        // first, so that each lands at its old place among those before it.
        let mut items: Vec<(i64, i64, u32, String)> = Vec::new();
        for t in trash_ids {
            let item = tx.query_row(
                "SELECT id, page_id, seq, removed_at FROM page_trash WHERE id = ?1 AND volume_id = ?2",
                args![t, volume_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            );
            match item {
                Ok(i) => items.push(i),
                Err(_) => bail!("nothing in the trash of volume {volume_id} has number {t}"),
            }
        }
        items.sort_by(|a, b| b.3.cmp(&a.3).then(a.2.cmp(&b.2)));
        let columns = PAGE_FIELDS.join(", ");
        let placeholders = (1..=PAGE_FIELDS.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        for (trash_id, page_id, seq, _) in items {
            // The old id when it is still free, so that its store keys and audit
            // entries keep pointing at it.
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM pages WHERE id = ?1)",
                args![page_id],
                |r| r.get(0),
            )?;
            let json: String = tx.query_row(
                "SELECT row FROM page_trash WHERE id = ?1",
                args![trash_id],
                |r| r.get(0),
            )?;
            let stored = trashed_fields(&json)?;
            // Out of the way of seq 1..n until the renumbering below.
            let values: Vec<Value> = PAGE_FIELDS
                .iter()
                .map(|c| match *c {
                    "seq" => Value::Int(-page_id),
                    c => stored.get(c).cloned().unwrap_or(Value::Null),
                })
                .collect();
            let mut params: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
            let new_id = if taken {
                tx.insert(
                    &format!("INSERT INTO pages({columns}) VALUES ({placeholders})"),
                    &params,
                )?
            } else {
                params.push(&page_id);
                tx.insert(
                    &format!(
                        "INSERT INTO pages({columns}, id) VALUES ({placeholders}, ?{})",
                        params.len()
                    ),
                    &params,
                )?
            };
            let text: Option<String> =
                tx.query_row("SELECT text FROM pages WHERE id = ?1", args![new_id], |r| {
                    r.get(0)
                })?;
            if let Some(text) = text {
                super::search::PAGE_TEXT.put(&tx, new_id, &text)?;
            }
            tx.execute("DELETE FROM page_trash WHERE id = ?1", args![trash_id])?;
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
                super::lock_volume(&tx, volume_id)?;
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

/// A column's value in the trash's JSON (as SQLite's json_object wrote it).
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Int(i) => (*i).into(),
        Value::Real(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Text(s) => s.clone().into(),
        Value::Blob(b) => hex::encode(b).into(),
    }
}

/// The trash's JSON row back as column values.
fn trashed_fields(json: &str) -> Result<HashMap<String, Value>> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| anyhow::anyhow!("damaged catalogue: a trashed page is unreadable: {e}"))?;
    Ok(object
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Value::Int(i),
                    None => Value::Real(n.as_f64().unwrap_or(0.0)),
                },
                serde_json::Value::String(s) => Value::Text(s),
                other => Value::Text(other.to_string()),
            };
            (k, v)
        })
        .collect())
}
