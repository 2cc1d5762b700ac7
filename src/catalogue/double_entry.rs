//! 一稿双录 records: each blind second keying of a volume's decisive fields, and
//! a third person's settlement of a disagreement, each with its audit row. What
//! the states mean and who may key or settle is decided in
//! [`crate::review::double_entry`] and [`crate::ops::edit`]; this is storage.

use std::collections::BTreeMap;

use super::db::{Row, args, now};
use anyhow::Result;
use serde::Serialize;

use super::{Catalogue, write_audit};
use crate::model::index::Target;

/// One second keying of one field (the latest of a field is the one that counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecondEntry {
    pub id: i64,
    pub field: String,
    /// As keyed and checked; empty when the keyer said the volume has none.
    pub value: String,
    /// What it was compared with when it was keyed (the volume's value then).
    pub first_value: Option<String>,
    /// Who keyed that first value (None: the machine's proposal).
    pub first_by: Option<String>,
    /// Whether the two agreed when it was keyed.
    pub matched: bool,
    pub by: String,
    pub at: String,
    pub settled_value: Option<String>,
    pub settled_by: Option<String>,
    pub settled_at: Option<String>,
}

/// How often the first keying disagreed with the second, over the fields keyed
/// twice: the 著录差错率. Each (volume, field) counts once, by its first second
/// keying (re-keying after a disagreement does not hide it).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyingTally {
    pub keyed: u32,
    pub mismatched: u32,
    /// The same per first keyer; `None` is the machine's proposals.
    pub by_first_keyer: BTreeMap<Option<String>, (u32, u32)>,
}

impl KeyingTally {
    /// Mismatches per keyed field (0 when nothing was keyed twice).
    pub fn error_rate(&self) -> f64 {
        Self::rate(self.mismatched, self.keyed)
    }

    /// `mismatched` per `keyed` (0 when nothing was keyed), e.g. one keyer's.
    pub fn rate(mismatched: u32, keyed: u32) -> f64 {
        if keyed == 0 {
            0.0
        } else {
            f64::from(mismatched) / f64::from(keyed)
        }
    }
}

const COLUMNS: &str = "id, field, value, first_value, first_actor, matched, actor, at, \
                       settled_value, settled_by, settled_at";

fn entry(r: &Row) -> Result<SecondEntry> {
    Ok(SecondEntry {
        id: r.get(0)?,
        field: r.get(1)?,
        value: r.get(2)?,
        first_value: r.get(3)?,
        first_by: r.get(4)?,
        matched: r.get(5)?,
        by: r.get(6)?,
        at: r.get(7)?,
        settled_value: r.get(8)?,
        settled_by: r.get(9)?,
        settled_at: r.get(10)?,
    })
}

impl Catalogue {
    /// Records a second keying with what it was compared with, and audits it.
    #[allow(clippy::too_many_arguments)]
    pub fn record_second_entry(
        &self,
        volume_id: &str,
        field: &str,
        value: &str,
        first_value: Option<&str>,
        first_by: Option<&str>,
        matched: bool,
        actor: &str,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        let id = tx.insert(
            "INSERT INTO second_entries(volume_id, field, value, first_value, first_actor, matched, actor, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            args![volume_id, field, value, first_value, first_by, matched, actor, now()],
        )?;
        write_audit(
            &tx,
            actor,
            "second_entry",
            Some(volume_id),
            &serde_json::json!({"field": field, "value": value, "matched": matched}).to_string(),
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// The latest second keying of each field of a volume, by field.
    pub fn second_entries(&self, volume_id: &str) -> Result<BTreeMap<String, SecondEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM second_entries WHERE volume_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args![volume_id], entry)?;
        let mut out = BTreeMap::new();
        for row in rows {
            let row = row?;
            out.insert(row.field.clone(), row);
        }
        Ok(out)
    }

    /// A third person's settlement of a disagreement: the value becomes the
    /// clerk's correction of the field and is written on the entry it settles,
    /// both in one transaction.
    pub fn settle_second_entry(
        &mut self,
        volume_id: &str,
        entry_id: i64,
        field: &str,
        value: &str,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE second_entries SET settled_value = ?1, settled_by = ?2,
               settled_at = ?6
             WHERE id = ?3 AND volume_id = ?4 AND field = ?5",
            args![value, actor, entry_id, volume_id, field, now()],
        )?;
        anyhow::ensure!(
            n == 1,
            "no second keying {entry_id} of {field} in {volume_id}"
        );
        super::index::write_correction(
            &tx,
            volume_id,
            &Target::Field(field.to_string()),
            Some(value),
            actor,
        )?;
        write_audit(
            &tx,
            actor,
            "second_entry_settled",
            Some(volume_id),
            &serde_json::json!({"field": field, "value": value, "entry": entry_id}).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The 著录差错率 over the given volumes (all when None).
    pub fn keying_tally(&self, volumes: Option<&[String]>) -> Result<KeyingTally> {
        // The first second keying of each (volume, field).
        let mut st = self.conn.prepare(
            "SELECT e.volume_id, e.first_actor, e.matched FROM second_entries e
             WHERE e.id = (SELECT MIN(id) FROM second_entries f
                           WHERE f.volume_id = e.volume_id AND f.field = e.field)",
        )?;
        let rows = st.query_map(args![], |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<Option<String>>(1)?,
                r.get::<bool>(2)?,
            ))
        })?;
        let mut tally = KeyingTally::default();
        for row in rows {
            let (volume, first_by, matched) = row?;
            if volumes.is_some_and(|v| !v.contains(&volume)) {
                continue;
            }
            let slot = tally.by_first_keyer.entry(first_by).or_default();
            slot.0 += 1;
            tally.keyed += 1;
            if !matched {
                slot.1 += 1;
                tally.mismatched += 1;
            }
        }
        Ok(tally)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_keying_counts_and_the_first_gives_the_error_rate() {
        for scratch in crate::catalogue::testing::each_engine() {
            the_latest_keying_counts_on(scratch.open());
        }
    }

    fn the_latest_keying_counts_on(mut cat: Catalogue) {
        let v = cat.create_volume(None, "v").unwrap();
        let wrong = cat
            .record_second_entry(&v, "party", "张三", Some("张二"), None, false, "乙")
            .unwrap();
        let again = cat
            .record_second_entry(&v, "party", "张二", Some("张二"), None, true, "乙")
            .unwrap();
        cat.record_second_entry(
            &v,
            "fine_amount",
            "500",
            Some("500"),
            Some("甲"),
            true,
            "乙",
        )
        .unwrap();
        let latest = cat.second_entries(&v).unwrap();
        assert_eq!(latest["party"].id, again);
        assert!(latest["party"].matched);
        assert_eq!(latest["fine_amount"].first_by.as_deref(), Some("甲"));

        // The disagreement is counted although it was keyed again.
        let tally = cat.keying_tally(None).unwrap();
        assert_eq!((tally.keyed, tally.mismatched), (2, 1));
        assert_eq!(tally.by_first_keyer[&None], (1, 1));
        assert_eq!(tally.by_first_keyer[&Some("甲".to_string())], (1, 0));
        assert!((tally.error_rate() - 0.5).abs() < 1e-9);
        assert_eq!(cat.keying_tally(Some(&[])).unwrap().keyed, 0);

        cat.settle_second_entry(&v, wrong, "party", "张三", "丙")
            .unwrap();
        let settled = &cat.second_entries(&v).unwrap()["party"];
        assert_eq!(settled.id, again, "settling an older row leaves the latest");
        let corrections = cat.corrections(&v).unwrap();
        assert_eq!(corrections[0].target, "field:party");
        assert_eq!(corrections[0].value, "张三");
        assert_eq!(corrections[0].actor, "丙");
        assert!(
            cat.settle_second_entry(&v, wrong, "fine_amount", "1", "丙")
                .is_err(),
            "an entry settles only its own field"
        );
    }
}
