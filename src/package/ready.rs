//! May a volume be packed now? One rule, asked by the packer before it packs, by
//! `anjuan package` to choose and to say why not, and by the 打包 screen.
//!
//! The review gate: unless the bureau's settings turn it off
//! (`require_approval: false`), a volume is packed only with a current approval
//! of 质检 — approved after its last change. A bureau may also require 一稿双录
//! (`require_double_entry`): every decisive field keyed twice and agreed.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::catalogue::Catalogue;
use crate::model::Verdict;
use crate::model::settings::BureauSettings;

/// Why a volume cannot be packed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// No pages.
    Empty,
    /// Pages still wait for processing, or failed.
    Unprocessed { done: u32, failed: u32, pages: u32 },
    /// Processed but not indexed yet (run `process`).
    NotIndexed,
    /// No 档号: no 全宗号 in the settings and none printed.
    NoArchivalCode,
    /// The 档号 cannot be a file name or is not of the DA/T 13 shape.
    MalformedArchivalCode(String),
    /// Another volume has the same 档号.
    DuplicateArchivalCode { code: String, other: String },
    /// The reviewer sent it back; it waits for a new approval.
    Returned {
        by: String,
        at: String,
        reason: String,
    },
    /// The bureau requires 一稿双录 and these decisive fields are not keyed
    /// twice yet (`pending`) or disagree (`mismatch`).
    DoubleEntryOpen(Vec<(String, &'static str)>),
    /// Never approved by 质检 (the bureau requires an approval).
    NotApproved,
    /// Approved, but the volume changed since (pages, text, corrections).
    ApprovalOutdated { by: String, at: String },
}

impl NotReady {
    /// A stable word for programs and for the UI's labels.
    pub fn code(&self) -> &'static str {
        match self {
            NotReady::Empty => "empty",
            NotReady::Unprocessed { .. } => "unprocessed",
            NotReady::NotIndexed => "not_indexed",
            NotReady::NoArchivalCode => "no_archival_code",
            NotReady::MalformedArchivalCode(_) => "malformed_archival_code",
            NotReady::DuplicateArchivalCode { .. } => "duplicate_archival_code",
            NotReady::Returned { .. } => "returned",
            NotReady::DoubleEntryOpen(_) => "double_entry_open",
            NotReady::NotApproved => "not_approved",
            NotReady::ApprovalOutdated { .. } => "approval_outdated",
        }
    }

    /// What to tell the clerk, with what to do (the volume's id in the commands).
    pub fn explain(&self, volume_id: &str) -> String {
        match self {
            NotReady::Empty => "has no pages".into(),
            NotReady::Unprocessed {
                done,
                failed,
                pages,
            } => format!(
                "{done} of {pages} page(s) processed, {failed} failed: run `anjuan process{}`",
                if *failed > 0 { " --retry-failed" } else { "" }
            ),
            NotReady::NotIndexed => "is not indexed yet: run `anjuan process`".into(),
            NotReady::NoArchivalCode => format!(
                "has no 档号: set the 全宗号 (设置 screen, or `anjuan settings --fonds-code …`) or correct it (`anjuan correct --volume {volume_id} archival_code=…`)"
            ),
            NotReady::MalformedArchivalCode(code) => {
                format!("its 档号 {code:?} is malformed; correct it first")
            }
            NotReady::DuplicateArchivalCode { code, other } => {
                format!("its 档号 {code} is also the 档号 of volume {other}; correct it first")
            }
            NotReady::Returned { by, at, reason } => format!(
                "was returned by {by} at {at} ({reason}); mend it and have it approved (`anjuan review --volume {volume_id} --approve`)"
            ),
            NotReady::DoubleEntryOpen(open) => {
                let fields: Vec<String> = open.iter().map(|(f, s)| format!("{f} {s}")).collect();
                format!(
                    "its 一稿双录 is not done ({}): key them a second time (`anjuan correct --volume {volume_id} --second KEY=VALUE`) and have a third person settle disagreements (`--settle`)",
                    fields.join(", ")
                )
            }
            NotReady::NotApproved => format!(
                "has not been approved by 质检 (`anjuan review --volume {volume_id} --approve`, or `anjuan settings --require-approval no` for a bureau without a review step)"
            ),
            NotReady::ApprovalOutdated { by, at } => format!(
                "changed after {by} approved it at {at}; have it reviewed again (`anjuan review --volume {volume_id} --approve`)"
            ),
        }
    }
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Every volume of the catalogue: ready (`Ok`) or why not.
pub fn readiness_of_all(
    catalogue: &Catalogue,
    settings: &BureauSettings,
) -> Result<BTreeMap<String, Result<(), NotReady>>> {
    let codes = catalogue.archival_codes()?;
    let verdicts = catalogue.review_states()?;
    let mut holders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, code) in &codes {
        if let Some(code) = code {
            holders.entry(code.as_str()).or_default().push(id.as_str());
        }
    }
    let mut out = BTreeMap::new();
    for v in catalogue.list_volumes()? {
        let state = if v.pages == 0 {
            Err(NotReady::Empty)
        } else if v.done != v.pages {
            Err(NotReady::Unprocessed {
                done: v.done,
                failed: v.failed,
                pages: v.pages,
            })
        } else {
            match codes.get(&v.id) {
                None => Err(NotReady::NotIndexed),
                Some(None) => Err(NotReady::NoArchivalCode),
                Some(Some(code)) if !super::verify::archival_code_shape(code) => {
                    Err(NotReady::MalformedArchivalCode(code.clone()))
                }
                Some(Some(code)) => match holders[code.as_str()].iter().find(|o| **o != v.id) {
                    Some(other) => Err(NotReady::DuplicateArchivalCode {
                        code: code.clone(),
                        other: other.to_string(),
                    }),
                    None => Ok(()),
                },
            }
        };
        let state = match state {
            Ok(()) if settings.require_double_entry => double_entry_open(catalogue, &v.id)?,
            state => state,
        };
        // Sent back says the most: it waits for mending whatever else is missing.
        // The approval is asked last: a volume is reviewed once it is complete.
        let state = match (state, verdicts.get(&v.id)) {
            (_, Some(Verdict::Returned)) => {
                let d = catalogue.review_decision(&v.id)?;
                Err(NotReady::Returned {
                    by: d.as_ref().map(|d| d.by.clone()).unwrap_or_default(),
                    at: d.as_ref().map(|d| d.at.clone()).unwrap_or_default(),
                    reason: d.map(|d| d.reason).unwrap_or_default(),
                })
            }
            (Ok(()), _) if settings.require_approval => match catalogue.review_decision(&v.id)? {
                None => Err(NotReady::NotApproved),
                Some(d) if d.outdated => Err(NotReady::ApprovalOutdated { by: d.by, at: d.at }),
                Some(_) => Ok(()),
            },
            (state, _) => state,
        };
        out.insert(v.id, state);
    }
    Ok(out)
}

/// The bureau requires double keying: every decisive field keyed twice and agreed.
fn double_entry_open(catalogue: &Catalogue, volume_id: &str) -> Result<Result<(), NotReady>> {
    let open: Vec<(String, &'static str)> =
        crate::review::double_entry::field_entries(catalogue, volume_id)?
            .into_iter()
            .filter(|e| e.state.is_open())
            .map(|e| (e.field.to_string(), e.state.as_str()))
            .collect();
    Ok(if open.is_empty() {
        Ok(())
    } else {
        Err(NotReady::DoubleEntryOpen(open))
    })
}

/// One volume: ready (`Ok`) or why not; an error for a volume that does not exist.
pub fn readiness(
    catalogue: &Catalogue,
    settings: &BureauSettings,
    volume_id: &str,
) -> Result<Result<(), NotReady>> {
    readiness_of_all(catalogue, settings)?
        .remove(volume_id)
        .ok_or_else(|| anyhow::anyhow!("no volume {volume_id}"))
}
