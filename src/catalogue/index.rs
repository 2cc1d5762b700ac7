//! Catalogue side of indexing: the inputs of a volume's index, its stored result,
//! and the clerk's corrections (audited, never overwritten by automatic passes).

use super::db::{Db, OptionalExtension, args, now};
use anyhow::Result;

use super::{Catalogue, write_audit};
use crate::model::PageState;
use crate::model::index::{PageInput, Target, VolumeIndex};

/// One stored correction, for the UI's history and the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectionRow {
    pub target: String,
    pub value: String,
    pub actor: String,
    pub at: String,
}

impl Catalogue {
    /// Pages as indexing sees them; `None` while any page still waits for processing.
    pub fn index_inputs(&self, volume_id: &str) -> Result<Option<Vec<PageInput>>> {
        let rows = self.pages(volume_id)?;
        if rows.is_empty()
            || rows
                .iter()
                .any(|r| matches!(r.state, PageState::Imported | PageState::Processing))
        {
            return Ok(None);
        }
        Ok(Some(
            rows.into_iter()
                .map(|r| PageInput {
                    seq: r.seq,
                    // A failed page has no text; it is indexed as a page without content.
                    blank: r.blank.unwrap_or(false),
                    width: r.width,
                    height: r.height,
                    lines: r.lines,
                })
                .collect(),
        ))
    }

    pub fn corrections(&self, volume_id: &str) -> Result<Vec<CorrectionRow>> {
        let mut st = self.conn.prepare(
            "SELECT target, value, actor, at FROM index_corrections WHERE volume_id = ?1 ORDER BY at",
        )?;
        let rows = st.query_map(args![volume_id], |r| {
            Ok(CorrectionRow {
                target: r.get(0)?,
                value: r.get(1)?,
                actor: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// Stores (or, with `None`, withdraws) a clerk's correction and logs it.
    pub fn set_correction(
        &mut self,
        volume_id: &str,
        target: &Target,
        value: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        write_correction(&tx, volume_id, target, value, actor)?;
        tx.commit()?;
        Ok(())
    }

    /// The 档号 of every indexed volume.
    pub fn archival_codes(&self) -> Result<std::collections::BTreeMap<String, Option<String>>> {
        let mut st = self
            .conn
            .prepare("SELECT volume_id, archival_code FROM volume_index")?;
        let rows = st.query_map(args![], |r| {
            Ok((r.get::<String>(0)?, r.get::<Option<String>>(1)?))
        })?;
        rows.collect::<Result<_>>()
    }

    pub fn volume_index(&self, volume_id: &str) -> Result<Option<VolumeIndex>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT result FROM volume_index WHERE volume_id = ?1",
                args![volume_id],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|e| {
                anyhow::anyhow!(
                    "damaged catalogue: the index of volume {volume_id} is unreadable ({e}); \
                     run `anjuan process --volume {volume_id} --reindex` to make it again"
                )
            })
        })
        .transpose()
    }

    /// The fingerprint of the inputs the stored index was made from.
    pub fn index_fingerprint(&self, volume_id: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT fingerprint FROM volume_index WHERE volume_id = ?1",
                args![volume_id],
                |r| r.get(0),
            )
            .optional()
    }

    /// Another volume that holds this 档号, if any.
    pub fn volume_with_archival_code(&self, code: &str, except: &str) -> Result<Option<String>> {
        self
            .conn
            .query_row(
                "SELECT volume_id FROM volume_index WHERE archival_code = ?1 AND volume_id <> ?2 LIMIT 1",
                args![code, except],
                |r| r.get(0),
            )
            .optional()
    }

    /// Stores a volume's index with the fingerprint of its inputs.
    pub fn store_index(
        &self,
        volume_id: &str,
        fingerprint: &str,
        index: &VolumeIndex,
    ) -> Result<()> {
        let code = index
            .fields
            .get("archival_code")
            .and_then(|f| f.value.clone());
        // The index and its searchable values together.
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO volume_index(volume_id, fingerprint, archival_code, result, indexed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(volume_id) DO UPDATE SET fingerprint = ?2, archival_code = ?3, result = ?4,
               indexed_at = excluded.indexed_at",
            args![
                volume_id,
                fingerprint,
                code,
                serde_json::to_string(index)?,
                now()
            ],
        )?;
        super::search::store_index_values(&tx, volume_id, index)?;
        tx.commit()?;
        Ok(())
    }
}

/// A correction and its audit row, inside the caller's transaction (a
/// correction is also how a settled 双录 disagreement takes effect).
pub(super) fn write_correction(
    conn: &Db,
    volume_id: &str,
    target: &Target,
    value: Option<&str>,
    actor: &str,
) -> Result<()> {
    let key = target.key();
    match value {
        Some(v) => conn.execute(
            "INSERT INTO index_corrections(volume_id, target, value, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(volume_id, target) DO UPDATE SET value = ?3, actor = ?4, at = excluded.at",
            args![volume_id, key, v, actor, now()],
        )?,
        None => conn.execute(
            "DELETE FROM index_corrections WHERE volume_id = ?1 AND target = ?2",
            args![volume_id, key],
        )?,
    };
    write_audit(
        conn,
        actor,
        "correct",
        Some(volume_id),
        &serde_json::json!({"target": key, "value": value}).to_string(),
    )
}
