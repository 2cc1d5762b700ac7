//! Catalogue side of indexing: the inputs of a volume's index, its stored result,
//! and the clerk's corrections (audited, never overwritten by automatic passes).

use anyhow::Result;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::Catalogue;
use crate::indexing::{self, Corrections, IndexContext, PageInput, Target, VolumeIndex};
use crate::model::PageState;

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
        let rows = st.query_map([volume_id], |r| {
            Ok(CorrectionRow {
                target: r.get(0)?,
                value: r.get(1)?,
                actor: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        let key = target.key();
        match value {
            Some(v) => tx.execute(
                "INSERT INTO index_corrections(volume_id, target, value, actor, at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
                 ON CONFLICT(volume_id, target) DO UPDATE SET value = ?3, actor = ?4, at = excluded.at",
                params![volume_id, key, v, actor],
            )?,
            None => tx.execute(
                "DELETE FROM index_corrections WHERE volume_id = ?1 AND target = ?2",
                params![volume_id, key],
            )?,
        };
        tx.execute(
            "INSERT INTO audit_log(at, actor, action, volume_id, detail)
             VALUES (strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?1, 'correct', ?2, ?3)",
            params![
                actor,
                volume_id,
                serde_json::json!({"target": key, "value": value}).to_string()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The 档号 of every indexed volume.
    pub fn archival_codes(&self) -> Result<std::collections::BTreeMap<String, Option<String>>> {
        let mut st = self
            .conn
            .prepare("SELECT volume_id, archival_code FROM volume_index")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn volume_index(&self, volume_id: &str) -> Result<Option<VolumeIndex>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT result FROM volume_index WHERE volume_id = ?1",
                [volume_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Indexes the volume again if its pages, corrections or settings changed since
    /// the stored index. Returns the index when one was (re)computed.
    pub fn reindex(
        &mut self,
        volume_id: &str,
        settings: &indexing::BureauSettings,
        force: bool,
    ) -> Result<Option<VolumeIndex>> {
        let Some(pages) = self.index_inputs(volume_id)? else {
            return Ok(None);
        };
        let corrections = self.corrections(volume_id)?;
        let fingerprint = {
            let mut h = Sha256::new();
            h.update(indexing::INDEX_VERSION);
            h.update(serde_json::to_vec(settings)?);
            for p in &pages {
                h.update(format!("{}|{}|{}x{}|", p.seq, p.blank, p.width, p.height));
                h.update(serde_json::to_vec(&p.lines)?);
            }
            for c in &corrections {
                h.update(format!("{}={}\n", c.target, c.value));
            }
            hex::encode(h.finalize())
        };
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT fingerprint FROM volume_index WHERE volume_id = ?1",
                [volume_id],
                |r| r.get(0),
            )
            .optional()?;
        if !force && stored.as_deref() == Some(fingerprint.as_str()) {
            return Ok(None);
        }
        let ctx = IndexContext {
            settings: settings.clone(),
            next_volume_no: self.next_volume_no(volume_id, settings)?,
        };
        let corr = Corrections::from_pairs(
            corrections
                .iter()
                .map(|c| (c.target.as_str(), c.value.as_str())),
        );
        let mut index = indexing::index_volume(&pages, &corr, &ctx);
        let code = index
            .fields
            .get("archival_code")
            .and_then(|f| f.value.clone());
        if let Some(code) = &code {
            let other: Option<String> = self
                .conn
                .query_row(
                    "SELECT volume_id FROM volume_index WHERE archival_code = ?1 AND volume_id <> ?2 LIMIT 1",
                    params![code, volume_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = other {
                index.findings.push(indexing::Finding {
                    code: "archival_code_duplicate".into(),
                    severity: "error".into(),
                    message: format!("档号 {code} 已用于案卷 {other}"),
                    page: None,
                    document: None,
                });
            }
        }
        self.conn.execute(
            "INSERT INTO volume_index(volume_id, fingerprint, archival_code, result, indexed_at)
             VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
             ON CONFLICT(volume_id) DO UPDATE SET fingerprint = ?2, archival_code = ?3, result = ?4,
               indexed_at = excluded.indexed_at",
            params![volume_id, fingerprint, code, serde_json::to_string(&index)?],
        )?;
        Ok(Some(index))
    }

    /// The next free 案卷号 for a volume without a printed 档号: one past the
    /// highest number among the other volumes' codes.
    fn next_volume_no(&self, volume_id: &str, settings: &indexing::BureauSettings) -> Result<u32> {
        // A 案卷号 once given stays (a re-index must not renumber the volume).
        let own: Option<String> = self
            .conn
            .query_row(
                "SELECT archival_code FROM volume_index WHERE volume_id = ?1",
                [volume_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if let Some(n) = own
            .and_then(|c| indexing::archival::parse(&settings.archival_code_template, &c))
            .and_then(|p| {
                p.get(indexing::archival::VOLUME_NO)
                    .and_then(|n| n.parse::<u32>().ok())
            })
        {
            return Ok(n);
        }
        let mut st = self
            .conn
            .prepare("SELECT archival_code FROM volume_index WHERE volume_id <> ?1 AND archival_code IS NOT NULL")?;
        let codes = st.query_map([volume_id], |r| r.get::<_, String>(0))?;
        let mut max = 0;
        for code in codes {
            if let Some(parts) = indexing::archival::parse(&settings.archival_code_template, &code?)
                && let Some(n) = parts
                    .get(indexing::archival::VOLUME_NO)
                    .and_then(|n| n.parse::<u32>().ok())
            {
                max = max.max(n);
            }
        }
        Ok(max + 1)
    }
}
