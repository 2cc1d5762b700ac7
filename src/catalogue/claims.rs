//! Working on a volume in a room without stepping on each other.
//!
//! **Claims.** A clerk claims a stage of a volume (扫描, 著录, 质检) while
//! working on it; the others see who holds it, and their edits of that stage
//! are refused, naming the holder. The holder releases it; a supervisor (named
//! in `bureau.json`) may take a stale one over, audited.
//!
//! **Versions.** Every person's edit of a volume (a correction, a page
//! decision, an arrangement, a review mark or decision) raises the volume's
//! version, in the edit's own transaction, and its audit row keeps the version
//! it made. A seat that read the volume at version N says so
//! ([`Catalogue::expect_version`]); an edit it makes when the volume is no
//! longer at N is refused with who changed what since ([`StaleEdit`]), never
//! written over. The seat's own edits move its expectation along.
//!
//! Both checks run in [`guard_edit`], which the audit of every edit calls
//! inside the edit's transaction, so no edit path can miss them.

use anyhow::Result;

use super::Catalogue;
use super::db::{Db, OptionalExtension, args, now};
use crate::model::Stage;

/// Who holds a stage of a volume, since when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Claim {
    pub volume_id: String,
    pub stage: Stage,
    pub holder: String,
    pub since: String,
}

/// An edit refused because someone else holds the stage.
#[derive(Debug, thiserror::Error)]
#[error(
    "{volume_id}: {stage} ({label}) is held by {holder} since {since}; ask them to release it, or a supervisor to take it over"
)]
pub struct ClaimHeld {
    pub volume_id: String,
    pub stage: Stage,
    pub label: &'static str,
    pub holder: String,
    pub since: String,
}

/// One change made since the version an edit was made on.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub version: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
    pub at: String,
}

/// An edit refused because the volume changed since the seat read it.
#[derive(Debug, thiserror::Error)]
#[error("{volume_id} changed since you read it (version {expected}, now {current}): {}; nothing was written, read it again", describe(.changes))]
pub struct StaleEdit {
    pub volume_id: String,
    pub expected: i64,
    pub current: i64,
    pub changes: Vec<Change>,
}

fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| format!("{} {} {} at {}", c.actor, c.action, c.detail, c.at))
        .collect::<Vec<_>>()
        .join("; ")
}

crate::catalogue::db::stored_as_words!(Stage);

/// The checks of a person's edit of `volume_id`, inside its transaction: the
/// stage's claim (if any) must be the actor's, and the volume must be at the
/// version the seat expects (if it said). Raises the version and gives the
/// new one (None for actions that are not edits).
pub(super) fn guard_edit(
    tx: &Db,
    actor: &str,
    action: &str,
    volume_id: &str,
) -> Result<Option<i64>> {
    let Some(stage) = Stage::of_action(action) else {
        return Ok(None);
    };
    super::lock_volume(tx, volume_id)?;
    let held: Option<(String, String)> = tx
        .query_row(
            "SELECT holder, since FROM volume_claims WHERE volume_id = ?1 AND stage = ?2",
            args![volume_id, stage],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((holder, since)) = held
        && holder != actor
    {
        return Err(ClaimHeld {
            volume_id: volume_id.to_string(),
            stage,
            label: stage.label(),
            holder,
            since,
        }
        .into());
    }
    let current: i64 = tx.query_row(
        "SELECT version FROM volumes WHERE id = ?1",
        args![volume_id],
        |r| r.get(0),
    )?;
    if let Some(expected) = tx.expected_version(volume_id)
        && expected != current
    {
        let changes = tx.query_map(
            "SELECT version, actor, action, detail, at FROM audit_log
             WHERE volume_id = ?1 AND version > ?2 ORDER BY id",
            args![volume_id, expected],
            |r| {
                Ok(Change {
                    version: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                    at: r.get(4)?,
                })
            },
        )?;
        return Err(StaleEdit {
            volume_id: volume_id.to_string(),
            expected,
            current,
            changes,
        }
        .into());
    }
    let next = current + 1;
    tx.execute(
        "UPDATE volumes SET version = ?2 WHERE id = ?1",
        args![volume_id, next],
    )?;
    // The seat's own edit: its next one is made on this version.
    if tx.expected_version(volume_id).is_some() {
        tx.expect_version(volume_id, Some(next));
    }
    Ok(Some(next))
}

impl Catalogue {
    /// The version of a volume: how many edits were made to it.
    pub fn volume_version(&self, volume_id: &str) -> Result<i64> {
        self.conn.query_row(
            "SELECT version FROM volumes WHERE id = ?1",
            args![volume_id],
            |r| r.get(0),
        )
    }

    /// This seat read `volume_id` at `version`: its edits are refused once the
    /// volume moved on (None: no check, the last edit wins, as on a single seat).
    pub fn expect_version(&self, volume_id: &str, version: Option<i64>) {
        self.conn.expect_version(volume_id, version);
    }

    /// Claims a stage of a volume for `who` (again: nothing changes).
    pub fn claim(&self, volume_id: &str, stage: Stage, who: &str) -> Result<Claim> {
        let tx = self.conn.transaction()?;
        super::lock_volume(&tx, volume_id)?;
        anyhow::ensure!(self.volume_exists(volume_id)?, "no volume {volume_id}");
        if let Some(c) = claim_of(&tx, volume_id, stage)? {
            if c.holder == who {
                return Ok(c);
            }
            return Err(ClaimHeld {
                volume_id: volume_id.to_string(),
                stage,
                label: stage.label(),
                holder: c.holder,
                since: c.since,
            }
            .into());
        }
        let since = now();
        tx.execute(
            "INSERT INTO volume_claims(volume_id, stage, holder, since) VALUES (?1, ?2, ?3, ?4)",
            args![volume_id, stage, who, since],
        )?;
        super::write_audit(
            &tx,
            who,
            "claim",
            Some(volume_id),
            &serde_json::json!({"stage": stage}).to_string(),
        )?;
        tx.commit()?;
        Ok(Claim {
            volume_id: volume_id.to_string(),
            stage,
            holder: who.to_string(),
            since,
        })
    }

    /// Gives a stage back; false when `who` did not hold it.
    pub fn release(&self, volume_id: &str, stage: Stage, who: &str) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "DELETE FROM volume_claims WHERE volume_id = ?1 AND stage = ?2 AND holder = ?3",
            args![volume_id, stage, who],
        )?;
        if n > 0 {
            super::write_audit(
                &tx,
                who,
                "release",
                Some(volume_id),
                &serde_json::json!({"stage": stage}).to_string(),
            )?;
        }
        tx.commit()?;
        Ok(n > 0)
    }

    /// A supervisor takes a stage over from whoever holds it (a clerk gone
    /// home, a seat that crashed), audited with the holder it was taken from.
    pub fn take_over(&self, volume_id: &str, stage: Stage, supervisor: &str) -> Result<Claim> {
        let tx = self.conn.transaction()?;
        super::lock_volume(&tx, volume_id)?;
        anyhow::ensure!(self.volume_exists(volume_id)?, "no volume {volume_id}");
        let from = claim_of(&tx, volume_id, stage)?.map(|c| c.holder);
        let since = now();
        tx.execute(
            "DELETE FROM volume_claims WHERE volume_id = ?1 AND stage = ?2",
            args![volume_id, stage],
        )?;
        tx.execute(
            "INSERT INTO volume_claims(volume_id, stage, holder, since) VALUES (?1, ?2, ?3, ?4)",
            args![volume_id, stage, supervisor, since],
        )?;
        super::write_audit(
            &tx,
            supervisor,
            "claim_taken_over",
            Some(volume_id),
            &serde_json::json!({"stage": stage, "from": from}).to_string(),
        )?;
        tx.commit()?;
        Ok(Claim {
            volume_id: volume_id.to_string(),
            stage,
            holder: supervisor.to_string(),
            since,
        })
    }

    /// Every claim held, by volume and stage (one volume, or all).
    pub fn claims(&self, volume_id: Option<&str>) -> Result<Vec<Claim>> {
        self.conn.query_map(
            "SELECT volume_id, stage, holder, since FROM volume_claims
             WHERE CAST(?1 AS TEXT) IS NULL OR volume_id = ?1 ORDER BY volume_id, stage",
            args![volume_id],
            claim_from_row,
        )
    }
}

fn claim_from_row(r: &super::db::Row) -> Result<Claim> {
    Ok(Claim {
        volume_id: r.get(0)?,
        stage: r.get(1)?,
        holder: r.get(2)?,
        since: r.get(3)?,
    })
}

fn claim_of(tx: &Db, volume_id: &str, stage: Stage) -> Result<Option<Claim>> {
    tx.query_opt(
        "SELECT volume_id, stage, holder, since FROM volume_claims WHERE volume_id = ?1 AND stage = ?2",
        args![volume_id, stage],
        claim_from_row,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;
    use crate::model::index::Target;

    #[test]
    fn seats_creating_volumes_at_once_get_different_ids() {
        for scratch in crate::catalogue::testing::each_engine() {
            scratch.open().create_volume(None, "first").unwrap();
            let ids: Vec<String> = std::thread::scope(|s| {
                let seats: Vec<_> = (0..4)
                    .map(|i| {
                        let scratch = &scratch;
                        s.spawn(move || {
                            let cat = scratch.open();
                            (0..5)
                                .map(|j| cat.create_volume(None, &format!("{i}-{j}")).unwrap())
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                seats.into_iter().flat_map(|h| h.join().unwrap()).collect()
            });
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 20, "{ids:?}");
            assert!(unique.iter().all(|id| id.starts_with('V')));
        }
    }

    #[test]
    fn a_held_stage_refuses_others_and_a_stale_edit_says_who_changed_what() {
        for scratch in crate::catalogue::testing::each_engine() {
            let mut cat = scratch.open();
            let mut other_seat = scratch.open();
            let v = cat.create_volume(None, "v").unwrap();
            assert_eq!(cat.volume_version(&v).unwrap(), 0);

            // 著录 held by 甲: 乙's correction is refused, naming 甲.
            cat.claim(&v, Stage::Index, "甲").unwrap();
            let party = Target::Field("party".into());
            let e = other_seat
                .set_correction(&v, &party, Some("张三"), "乙")
                .unwrap_err();
            let held = e.downcast_ref::<ClaimHeld>().expect("ClaimHeld");
            assert_eq!(held.holder, "甲");
            assert!(e.to_string().contains("甲"), "{e}");
            assert!(other_seat.claim(&v, Stage::Index, "乙").is_err());
            // Another stage is free.
            other_seat
                .add_review_mark(&v, None, Severity::Warning, "seal faint", "乙")
                .unwrap();

            // Both seats read the volume now; 甲 corrects, 乙's edit made on
            // the old version is refused with 甲's change.
            let read = cat.volume_version(&v).unwrap();
            cat.expect_version(&v, Some(read));
            other_seat.expect_version(&v, Some(read));
            cat.set_correction(&v, &party, Some("张三"), "甲").unwrap();
            cat.set_correction(&v, &party, Some("张四"), "甲").unwrap();
            let e = other_seat
                .add_review_mark(&v, None, Severity::Error, "late", "乙")
                .unwrap_err();
            let stale = e.downcast_ref::<StaleEdit>().expect("StaleEdit");
            assert_eq!((stale.expected, stale.current), (read, read + 2));
            assert_eq!(stale.changes.len(), 2);
            assert_eq!(stale.changes[0].actor, "甲");
            assert!(e.to_string().contains("甲 correct"), "{e}");
            assert_eq!(
                other_seat.review_marks(&v).unwrap().len(),
                1,
                "nothing written"
            );
            // Read again: the edit goes through.
            other_seat.expect_version(&v, Some(cat.volume_version(&v).unwrap()));
            other_seat
                .add_review_mark(&v, None, Severity::Error, "late", "乙")
                .unwrap();

            // 甲 went home: a supervisor takes 著录 over; then 甲 is refused.
            let c = other_seat.take_over(&v, Stage::Index, "主管").unwrap();
            assert_eq!(c.holder, "主管");
            cat.expect_version(&v, None);
            assert!(cat.set_correction(&v, &party, None, "甲").is_err());
            assert!(!cat.release(&v, Stage::Index, "甲").unwrap());
            assert!(other_seat.release(&v, Stage::Index, "主管").unwrap());
            assert!(cat.claims(Some(&v)).unwrap().is_empty());
            cat.set_correction(&v, &party, None, "甲").unwrap();
        }
    }
}
