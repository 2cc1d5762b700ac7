//! The backlog at a glance: one row per volume with what a clerk looks for — its
//! 档号, 题名 and 当事人, the stage it has reached, its open findings — for the
//! workstation's volume list and `anjuan volumes`.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::model::{Severity, Verdict};

crate::word_enum! {
    /// How far a volume has come.
    pub enum Stage {
        /// Pages still to scan, process or mend (failed pages).
        Capture = "capture",
        /// Processed: its catalogue waits for checking and 质检's approval
        /// (also when it changed after an approval).
        Indexing = "indexing",
        /// 质检 sent it back.
        Returned = "returned",
        /// Approved and unchanged since: ready to pack.
        Approved = "approved",
        /// Packed after its last approval.
        Packed = "packed",
        /// Its current package is on the platform (an upload receipt for it).
        Uploaded = "uploaded",
    }
}

/// One volume of the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeRow {
    pub id: String,
    pub name: String,
    pub archival_code: Option<String>,
    pub title: Option<String>,
    pub party: Option<String>,
    /// 案由.
    pub case_cause: Option<String>,
    pub year: Option<i32>,
    pub pages: u32,
    pub done: u32,
    pub failed: u32,
    pub stage: Stage,
    /// Open findings by severity (quality, catalogue, statutory, marks).
    pub errors: usize,
    pub warnings: usize,
}

impl VolumeRow {
    /// The line a clerk recognises a volume by: 档号 · 题名 (or 当事人), else its id.
    pub fn headline(&self) -> String {
        let what = self.title.as_deref().or(self.party.as_deref());
        match (&self.archival_code, what) {
            (Some(code), Some(what)) => format!("{code} · {what}"),
            (Some(code), None) => code.clone(),
            (None, Some(what)) => what.to_string(),
            (None, None) => self.name.clone(),
        }
    }

    /// Does the row answer a typed filter (any of id, 档号, 题名, 当事人, name)?
    pub fn matches(&self, text: &str) -> bool {
        let text = text.trim();
        text.is_empty()
            || [
                Some(self.id.as_str()),
                Some(self.name.as_str()),
                self.archival_code.as_deref(),
                self.title.as_deref(),
                self.party.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|s| s.contains(text))
    }
}

/// Every volume of the catalogue, in the catalogue's order.
pub fn volume_rows(catalogue: &Catalogue) -> Result<Vec<VolumeRow>> {
    let packed_at = packed_at(catalogue)?;
    let rules = crate::review::ReviewRules::builtin();
    let mut out = Vec::new();
    for v in catalogue.list_volumes()? {
        let index = catalogue.volume_index(&v.id)?;
        let field = |key: &str| {
            index
                .as_ref()
                .and_then(|i| i.fields.get(key))
                .and_then(|f| f.value.clone())
        };
        let review = crate::review::review_volume(catalogue, &v.id, rules)?;
        let count = |s: Severity| review.findings.iter().filter(|f| f.severity == s).count();
        let stage = stage_of(&v, &review, &packed_at);
        out.push(VolumeRow {
            archival_code: review.archival_code.clone(),
            title: field("title"),
            party: field("party"),
            case_cause: field("case_cause"),
            year: field("year").and_then(|y| y.parse().ok()),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            stage,
            pages: v.pages,
            done: v.done,
            failed: v.failed,
            name: v.name,
            id: v.id,
        });
    }
    Ok(out)
}

/// When each volume was last packed (passing packages only), and whether
/// that package is on the platform.
pub fn packed_at(catalogue: &Catalogue) -> Result<BTreeMap<String, Packed>> {
    let uploaded: std::collections::BTreeSet<String> = catalogue
        .receipts()?
        .into_iter()
        .map(|r| r.sha256)
        .collect();
    Ok(catalogue
        .packages()?
        .into_iter()
        .filter(|p| p.passed)
        .map(|p| {
            let packed = Packed {
                uploaded: uploaded.contains(&p.sha256),
                built_at: p.built_at,
            };
            (p.volume_id, packed)
        })
        .collect())
}

/// A volume's package that passed: when it was built, and whether the
/// platform has those very bytes (an upload receipt with its SHA-256).
#[derive(Debug, Clone, PartialEq)]
pub struct Packed {
    pub built_at: String,
    pub uploaded: bool,
}

/// How far volume `v` has come, from its pages, its review and its packages.
pub fn stage_of(
    v: &crate::catalogue::VolumeSummary,
    review: &crate::review::Review,
    packed_at: &BTreeMap<String, Packed>,
) -> Stage {
    let processed = v.pages > 0 && v.done == v.pages;
    match &review.decision {
        _ if !processed => Stage::Capture,
        Some(d) if d.decision == Verdict::Returned => Stage::Returned,
        Some(d) if !d.outdated => {
            // Packed after the approval: the package holds what was approved.
            match packed_at.get(&v.id) {
                Some(p) if p.built_at.as_str() >= d.at.as_str() => {
                    if p.uploaded {
                        Stage::Uploaded
                    } else {
                        Stage::Packed
                    }
                }
                _ => Stage::Approved,
            }
        }
        _ => Stage::Indexing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> VolumeRow {
        VolumeRow {
            id: "V0001".into(),
            name: "scans".into(),
            archival_code: Some("J1-XZCF·2024-D30-0001".into()),
            title: None,
            party: Some("某某食品有限公司".into()),
            case_cause: None,
            year: Some(2024),
            pages: 3,
            done: 3,
            failed: 0,
            stage: Stage::Indexing,
            errors: 0,
            warnings: 0,
        }
    }

    #[test]
    fn a_volume_is_named_by_its_code_and_title_or_party() {
        let mut r = row();
        assert_eq!(r.headline(), "J1-XZCF·2024-D30-0001 · 某某食品有限公司");
        r.title = Some("关于某某公司违法案".into());
        assert_eq!(r.headline(), "J1-XZCF·2024-D30-0001 · 关于某某公司违法案");
        r.archival_code = None;
        r.title = None;
        r.party = None;
        assert_eq!(r.headline(), "scans");
    }

    #[test]
    fn the_filter_finds_a_volume_by_one_or_two_characters_of_its_party() {
        let r = row();
        for q in ["食", "某某", "0001", "V0001", "", "  "] {
            assert!(r.matches(q), "{q:?}");
        }
        assert!(!r.matches("餐饮"));
    }
}
