//! The reviewer's decisions (质检): defect marks, their resolution, approve or
//! return. One typed action, taken the same way from `anjuan review` and the 质检
//! screen; the catalogue keeps the rules that must hold in storage (approval
//! refused while a mark is open, a return needs its reason) and the audit trail.

use anyhow::{Result, bail};

use crate::catalogue::Catalogue;
use crate::model::{Severity, Verdict};
use crate::review::scoring::ScoreSheet;

/// What the reviewer does to a volume.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewAction {
    /// A defect on scanned page `page` (None: the whole volume).
    Mark {
        page: Option<u32>,
        severity: Severity,
        note: String,
    },
    /// Mark `id` was mended.
    Resolve(i64),
    /// Approve (with an optional remark) or return (with the reason).
    Decide { verdict: Verdict, reason: String },
}

/// What came of an action, for the front end to say.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewDone {
    Marked(i64),
    Resolved(i64),
    Decided(Verdict),
}

impl ReviewDone {
    /// One line for the log or the status bar.
    pub fn describe(&self, volume: &str) -> String {
        match self {
            ReviewDone::Marked(id) => format!("mark #{id} added"),
            ReviewDone::Resolved(id) => format!("mark #{id} resolved"),
            ReviewDone::Decided(v) => format!("{volume} {v}"),
        }
    }
}

/// Takes one review action on a volume, audited under `actor`.
pub fn act(
    catalogue: &Catalogue,
    volume: &str,
    action: ReviewAction,
    actor: &str,
) -> Result<ReviewDone> {
    if !catalogue.volume_exists(volume)? {
        bail!("no volume {volume}");
    }
    Ok(match action {
        ReviewAction::Mark {
            page,
            severity,
            note,
        } => ReviewDone::Marked(catalogue.add_review_mark(volume, page, severity, &note, actor)?),
        ReviewAction::Resolve(id) => {
            catalogue.resolve_review_mark(volume, id, actor)?;
            ReviewDone::Resolved(id)
        }
        ReviewAction::Decide {
            verdict: Verdict::Approved,
            reason,
        } => {
            // Approving over open errors is the reviewer's call, but never a
            // silent one: it needs a reason, recorded with the errors it overrode.
            let rules = crate::review::ReviewRules::builtin();
            let review = crate::review::review_volume(catalogue, volume, rules)?;
            let open_marks = review.marks.iter().any(|m| !m.resolved);
            let errors = review.open_errors();
            // An open mark is refused by the catalogue, which names the marks.
            let recorded = if errors.is_empty() || open_marks {
                reason
            } else if reason.trim().is_empty() {
                bail!(
                    "volume {volume} has open errors ({}); approving it anyway needs a reason (--note on the command line)",
                    errors.join(", ")
                );
            } else {
                format!("{} [{}]", reason.trim(), errors.join(", "))
            };
            catalogue.decide_review(volume, Verdict::Approved, &recorded, actor)?;
            ReviewDone::Decided(Verdict::Approved)
        }
        ReviewAction::Decide { verdict, reason } => {
            catalogue.decide_review(volume, verdict, &reason, actor)?;
            ReviewDone::Decided(verdict)
        }
    })
}

/// 评查: the volume's score on `sheet`, from its findings and the reviewer's
/// adjustments.
pub fn volume_score(
    catalogue: &Catalogue,
    sheet: &ScoreSheet,
    volume: &str,
) -> Result<crate::review::scoring::Score> {
    let review =
        crate::review::review_volume(catalogue, volume, crate::review::ReviewRules::builtin())?;
    score_review(catalogue, sheet, &review)
}

/// 评查: the score of a review already made (its findings and the reviewer's
/// adjustments), so that a caller holding the review does not review again.
pub fn score_review(
    catalogue: &Catalogue,
    sheet: &ScoreSheet,
    review: &crate::review::Review,
) -> Result<crate::review::scoring::Score> {
    let adjustments = catalogue.score_adjustments(&review.volume)?;
    Ok(crate::review::scoring::score(
        sheet,
        &review.findings,
        &adjustments,
    ))
}

/// The reviewer takes `points` more off item `item` of the sheet (negative:
/// gives them back), saying why; audited. An item the sheet lacks is refused.
pub fn adjust_score(
    catalogue: &Catalogue,
    sheet: &ScoreSheet,
    volume: &str,
    item: &str,
    points: f64,
    reason: &str,
    actor: &str,
) -> Result<()> {
    if !catalogue.volume_exists(volume)? {
        bail!("no volume {volume}");
    }
    let Some(found) = sheet.item(item) else {
        let ids: Vec<&str> = sheet
            .categories
            .iter()
            .flat_map(|c| &c.items)
            .map(|i| i.id.as_str())
            .collect();
        bail!(
            "the score sheet has no item {item} (it has {})",
            ids.join(", ")
        );
    };
    if points.abs() > found.points {
        bail!(
            "item {item} ({}) has {} points; {points} is more than it has",
            found.name,
            found.points
        );
    }
    catalogue.add_score_adjustment(volume, item, points, reason, actor)?;
    Ok(())
}

/// 评查表: one A4 PDF per volume (`评查表-<档号 or id>.pdf`) and the batch
/// summary `评查汇总.xlsx` in `out`; returns the files written. A volume that
/// cannot be scored is reported and skipped; the others are written.
pub fn write_score_sheets(
    catalogue: &Catalogue,
    sheet: &ScoreSheet,
    volumes: &[String],
    out: &std::path::Path,
    reviewer: &str,
) -> Result<(Vec<std::path::PathBuf>, Vec<String>)> {
    use crate::review::sheet_report::{SheetHeader, SummaryRow, score_sheet_pdf, summary_xlsx};
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("cannot make {}: {e}", out.display()))?;
    let date = chrono::Local::now().format("%Y-%m-%d").to_string();
    let mut written = Vec::new();
    let mut problems = Vec::new();
    let mut scored = Vec::new();
    for id in volumes {
        let made = (|| -> Result<(SheetHeader, crate::review::scoring::Score)> {
            let v = catalogue.volume_json(id)?;
            let header = SheetHeader {
                volume: id.clone(),
                archival_code: v.archival_code,
                title: v.title,
                party: v.party,
                agency: v.agency,
                decision_no: v.decision_no,
            };
            Ok((header, volume_score(catalogue, sheet, id)?))
        })();
        match made {
            Ok((header, score)) => {
                let name =
                    crate::fsutil::safe_file_name(header.archival_code.as_deref().unwrap_or(id));
                let path = out.join(format!("评查表-{name}.pdf"));
                let pdf = score_sheet_pdf(sheet, &header, &score, reviewer, &date)?;
                crate::fsutil::write_atomic(&path, &pdf)?;
                written.push(path);
                scored.push((header, score));
            }
            Err(e) => problems.push(format!("{id}: {e:#}")),
        }
    }
    if !scored.is_empty() {
        let rows: Vec<SummaryRow<'_>> = scored
            .iter()
            .map(|(header, score)| SummaryRow { header, score })
            .collect();
        let path = out.join("评查汇总.xlsx");
        summary_xlsx(sheet, &rows, &path)?;
        written.push(path);
    }
    Ok((written, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue_with_a_volume() -> (tempfile::TempDir, Catalogue) {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(dir.path().join("c.sqlite")).unwrap();
        cat.create_volume(Some("V1"), "test").unwrap();
        (dir, cat)
    }

    #[test]
    fn an_open_mark_holds_the_approval_until_it_is_resolved() {
        let (_dir, cat) = catalogue_with_a_volume();
        let mark = ReviewAction::Mark {
            page: None,
            severity: Severity::Error,
            note: "seal missing".into(),
        };
        let ReviewDone::Marked(id) = act(&cat, "V1", mark, "tester").unwrap() else {
            panic!("a mark was expected");
        };
        let approve = ReviewAction::Decide {
            verdict: Verdict::Approved,
            reason: String::new(),
        };
        let refused = act(&cat, "V1", approve.clone(), "tester").unwrap_err();
        assert!(refused.to_string().contains("open marks"), "{refused}");
        act(&cat, "V1", ReviewAction::Resolve(id), "tester").unwrap();
        assert_eq!(
            act(&cat, "V1", approve, "tester").unwrap(),
            ReviewDone::Decided(Verdict::Approved)
        );
    }

    #[test]
    fn the_reviewer_adjusts_an_item_of_the_sheet_with_a_reason() {
        let (_dir, cat) = catalogue_with_a_volume();
        let sheet = ScoreSheet::builtin();
        let before = volume_score(&cat, sheet, "V1").unwrap();
        adjust_score(&cat, sheet, "V1", "B1", 4.0, "执法证号缺失", "评查员").unwrap();
        let after = volume_score(&cat, sheet, "V1").unwrap();
        assert_eq!(after.total, before.total - 4.0);
        let b1 = after.items.iter().find(|i| i.id == "B1").unwrap();
        assert_eq!(b1.reasons.last().unwrap().note, "执法证号缺失（评查员）");
        // Refused: an item the sheet lacks, no reason, more than the item has.
        assert!(adjust_score(&cat, sheet, "V1", "Z9", 1.0, "x", "t").is_err());
        assert!(adjust_score(&cat, sheet, "V1", "B1", 1.0, " ", "t").is_err());
        assert!(adjust_score(&cat, sheet, "V1", "B1", 11.0, "x", "t").is_err());
        assert!(adjust_score(&cat, sheet, "V9", "B1", 1.0, "x", "t").is_err());
        assert_eq!(cat.score_adjustments("V1").unwrap().len(), 1);
    }

    #[test]
    fn unknown_volumes_and_reasonless_returns_are_refused() {
        let (_dir, cat) = catalogue_with_a_volume();
        let ret = |reason: &str| ReviewAction::Decide {
            verdict: Verdict::Returned,
            reason: reason.into(),
        };
        assert!(act(&cat, "V9", ret("blurred"), "t").is_err());
        assert!(act(&cat, "V1", ret("  "), "t").is_err());
        assert!(act(&cat, "V1", ret("blurred"), "t").is_ok());
    }
}
