//! The reviewer's decisions (质检): defect marks, their resolution, approve or
//! return. One typed action, taken the same way from `anjuan review` and the 质检
//! screen; the catalogue keeps the rules that must hold in storage (approval
//! refused while a mark is open, a return needs its reason) and the audit trail.

use anyhow::{Result, bail};

use crate::catalogue::Catalogue;
use crate::model::{Severity, Verdict};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue_with_a_volume() -> (tempfile::TempDir, Catalogue) {
        let dir = tempfile::tempdir().unwrap();
        let cat = Catalogue::open(&dir.path().join("c.sqlite")).unwrap();
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
