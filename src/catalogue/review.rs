//! Review (质检) records: the reviewer's defect marks and the approve / return
//! decisions of a volume, each audited.

use super::db::{OptionalExtension, args, now};
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use super::{Catalogue, write_audit};
use crate::model::{Severity, Verdict};

/// A defect the reviewer marked, on a page or on the whole volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReviewMark {
    pub id: i64,
    /// The scanned page it is on now (None: the whole volume, or a page since removed).
    pub page: Option<u32>,
    pub severity: Severity,
    pub note: String,
    pub by: String,
    pub at: String,
    pub resolved: bool,
    /// Who closed it, and when (None while it is open).
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
}

/// The latest decision on a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReviewDecision {
    pub decision: Verdict,
    pub reason: String,
    pub by: String,
    pub at: String,
    /// The volume changed (pages, text, corrections, settings) since the decision.
    pub outdated: bool,
}

impl Catalogue {
    /// Marks a defect on the page `seq` (None: the whole volume).
    pub fn add_review_mark(
        &self,
        volume_id: &str,
        seq: Option<u32>,
        severity: Severity,
        note: &str,
        actor: &str,
    ) -> Result<i64> {
        if severity == Severity::Info {
            bail!("a mark is an error or a warning, not {severity}");
        }
        if note.trim().is_empty() {
            bail!("a mark needs a note saying what is wrong");
        }
        let page_id = match seq {
            Some(seq) => Some(
                self.conn
                    .query_row(
                        "SELECT id FROM pages WHERE volume_id = ?1 AND seq = ?2",
                        args![volume_id, seq],
                        |r| r.get::<i64>(0),
                    )
                    .optional()?
                    .ok_or_else(|| anyhow::anyhow!("volume {volume_id} has no page {seq}"))?,
            ),
            None => None,
        };
        // The record and its audit row together, as corrections are.
        let tx = self.conn.transaction()?;
        let id = tx.insert(
            "INSERT INTO review_marks(volume_id, page_id, severity, note, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![volume_id, page_id, severity, note.trim(), actor, now()],
        )?;
        let at = seq.map_or("volume".to_string(), |s| format!("page {s}"));
        write_audit(
            &tx,
            actor,
            "review_mark",
            Some(volume_id),
            &format!("#{id} {severity} on {at}: {}", note.trim()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// A reviewer's change to the volume's 评查 score: `points` more taken off
    /// `item` (negative: given back), with the reason; audited. The item is the
    /// sheet's to check (the catalogue does not know the sheet).
    pub fn add_score_adjustment(
        &self,
        volume_id: &str,
        item: &str,
        points: f64,
        reason: &str,
        actor: &str,
    ) -> Result<i64> {
        if !points.is_finite() || points == 0.0 {
            bail!("an adjustment takes off or gives back some points, not {points}");
        }
        if reason.trim().is_empty() {
            bail!("a change to the score needs a reason");
        }
        let tx = self.conn.transaction()?;
        let id = tx.insert(
            "INSERT INTO score_adjustments(volume_id, item, points, reason, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![volume_id, item, points, reason.trim(), actor, now()],
        )?;
        write_audit(
            &tx,
            actor,
            "score_adjust",
            Some(volume_id),
            &format!("{item} {points:+}: {}", reason.trim()),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The reviewer's changes to the volume's score, oldest first.
    pub fn score_adjustments(&self, volume_id: &str) -> Result<Vec<crate::model::ScoreAdjustment>> {
        let mut stmt = self.conn.prepare(
            "SELECT item, points, reason, actor, at FROM score_adjustments
             WHERE volume_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(args![volume_id], |r| {
            Ok(crate::model::ScoreAdjustment {
                item: r.get(0)?,
                points: r.get(1)?,
                reason: r.get(2)?,
                by: r.get(3)?,
                at: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// Closes a mark once the defect is mended.
    pub fn resolve_review_mark(&self, volume_id: &str, id: i64, actor: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE review_marks SET resolved_at = ?4, resolved_by = ?3
             WHERE volume_id = ?1 AND id = ?2 AND resolved_at IS NULL",
            args![volume_id, id, actor, now()],
        )?;
        if n == 0 {
            bail!("volume {volume_id} has no open mark #{id}");
        }
        write_audit(
            &tx,
            actor,
            "review_resolve",
            Some(volume_id),
            &format!("#{id}"),
        )?;
        tx.commit()
    }

    pub fn review_marks(&self, volume_id: &str) -> Result<Vec<ReviewMark>> {
        let mut stmt = self.conn.prepare(
            "SELECT m.id, p.seq, m.severity, m.note, m.actor, m.at, m.resolved_at IS NOT NULL,
                    m.resolved_by, m.resolved_at
             FROM review_marks m LEFT JOIN pages p ON p.id = m.page_id
             WHERE m.volume_id = ?1 ORDER BY m.id",
        )?;
        let rows = stmt.query_map(args![volume_id], |r| {
            Ok(ReviewMark {
                id: r.get(0)?,
                page: r.get(1)?,
                severity: r.get(2)?,
                note: r.get(3)?,
                by: r.get(4)?,
                at: r.get(5)?,
                resolved: r.get(6)?,
                resolved_by: r.get(7)?,
                resolved_at: r.get(8)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// Approves a volume (refused while a mark is open) or returns it with a reason.
    pub fn decide_review(
        &self,
        volume_id: &str,
        decision: Verdict,
        reason: &str,
        actor: &str,
    ) -> Result<()> {
        match decision {
            Verdict::Approved => {
                let open: Vec<String> = self
                    .review_marks(volume_id)?
                    .into_iter()
                    .filter(|m| !m.resolved)
                    .map(|m| format!("#{} {}", m.id, m.note))
                    .collect();
                if !open.is_empty() {
                    bail!(
                        "volume {volume_id} still has open marks: {}; resolve them first",
                        open.join("; ")
                    );
                }
            }
            Verdict::Returned if reason.trim().is_empty() => {
                bail!("returning a volume needs a reason")
            }
            Verdict::Returned => {}
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO review_decisions(volume_id, decision, reason, fingerprint, actor, at)
             VALUES (?1, ?2, ?3, (SELECT fingerprint FROM volume_index WHERE volume_id = ?1), ?4,
                     ?5)",
            args![volume_id, decision, reason.trim(), actor, now()],
        )?;
        write_audit(
            &tx,
            actor,
            &format!("review_{decision}"),
            Some(volume_id),
            reason.trim(),
        )?;
        tx.commit()
    }

    /// Every decision on a volume, oldest first (the latest one counts).
    pub fn review_decisions(&self, volume_id: &str) -> Result<Vec<ReviewDecision>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.decision, d.reason, d.actor, d.at,
                    d.fingerprint IS DISTINCT FROM (SELECT fingerprint FROM volume_index WHERE volume_id = ?1)
             FROM review_decisions d WHERE d.volume_id = ?1 ORDER BY d.id",
        )?;
        let rows = stmt.query_map(args![volume_id], |r| {
            Ok(ReviewDecision {
                decision: r.get(0)?,
                reason: r.get(1)?,
                by: r.get(2)?,
                at: r.get(3)?,
                outdated: r.get(4)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    /// The latest decision of every reviewed volume (`approved` or `returned`).
    pub fn review_states(&self) -> Result<std::collections::BTreeMap<String, Verdict>> {
        let mut stmt = self.conn.prepare(
            "SELECT volume_id, decision FROM review_decisions d
             WHERE id = (SELECT MAX(id) FROM review_decisions WHERE volume_id = d.volume_id)",
        )?;
        let rows = stmt.query_map(args![], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_>>()
    }

    /// The latest decision on a volume (the one that counts).
    pub fn review_decision(&self, volume_id: &str) -> Result<Option<ReviewDecision>> {
        Ok(self.review_decisions(volume_id)?.pop())
    }
}
