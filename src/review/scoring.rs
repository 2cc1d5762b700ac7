//! 评查: the score sheet of a case file, rules as data.
//!
//! The sheet (`assets/review/scoring.json`, or the bureau's own `scoring.json` in
//! the home) lists items in categories, each with its points and the finding
//! codes that take points off it. A volume's score is a pure function of its
//! findings and the reviewer's adjustments (deduct or give back points on an
//! item, with a reason, audited): what an item loses never exceeds its points, a
//! veto code fails the file whatever its points, and the grade is the first
//! whose threshold the total reaches.

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use crate::model::{Finding, Severity};

/// The score sheet.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSheet {
    pub version: String,
    /// The standard it follows, printed on the 评查表.
    pub standard: String,
    #[serde(default)]
    pub about: String,
    pub total: f64,
    /// What a warning-level finding takes of a deduction (a check that doubts
    /// its own reading).
    pub warning_factor: f64,
    /// From the highest `min` down.
    pub grades: Vec<Grade>,
    /// The grade of a file with a veto.
    pub veto_grade: String,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    /// The name in English, for the workstation's English face (the sheet and
    /// the records stay in the bureau's words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    pub min: f64,
    /// Not given to a file that lost points to an error-level finding (a breach
    /// shown by sure dates, a missing document), whatever its total.
    #[serde(default)]
    pub no_errors: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable key (for the reviewer's adjustments and the CLI).
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default)]
    pub about: String,
    pub points: f64,
    #[serde(default)]
    pub deductions: Vec<Deduction>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deduction {
    pub code: String,
    pub points: f64,
    #[serde(default)]
    pub per: Per,
    /// 一票否决: a finding of this code at `veto_severity` or worse fails the file.
    #[serde(default)]
    pub veto: bool,
    #[serde(default = "error_level")]
    pub veto_severity: Severity,
}

fn error_level() -> Severity {
    Severity::Error
}

/// Whether a code takes its points once per volume or for each finding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    #[default]
    Once,
    Each,
}

impl ScoreSheet {
    /// The English name the sheet gives a grade, category or item named
    /// `chinese` (None: the sheet gives none, e.g. a bureau's own sheet).
    pub fn english(&self, chinese: &str) -> Option<&str> {
        let grades = self.grades.iter().map(|g| (&g.name, &g.en));
        let categories = self.categories.iter().map(|c| (&c.name, &c.en));
        let items = self
            .categories
            .iter()
            .flat_map(|c| &c.items)
            .map(|i| (&i.name, &i.en));
        grades
            .chain(categories)
            .chain(items)
            .find(|(name, _)| name.as_str() == chinese)
            .and_then(|(_, en)| en.as_deref())
    }

    /// The sheet shipped with the program.
    pub fn builtin() -> &'static ScoreSheet {
        static SHEET: std::sync::OnceLock<ScoreSheet> = std::sync::OnceLock::new();
        SHEET.get_or_init(|| {
            ScoreSheet::parse(include_str!("../../assets/review/scoring.json"))
                .expect("assets/review/scoring.json is valid")
        })
    }

    /// The bureau's sheet at `path` when there is one, else the shipped one.
    pub fn load_or_builtin(path: &std::path::Path) -> Result<ScoreSheet> {
        match std::fs::read_to_string(path) {
            Ok(text) => ScoreSheet::parse(&text)
                .map_err(|e| anyhow::anyhow!("score sheet {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ScoreSheet::builtin().clone()),
            Err(e) => bail!("score sheet {}: {e}", path.display()),
        }
    }

    /// Reads a sheet and checks that it adds up; a malformed one is refused with
    /// the line and the reason.
    pub fn parse(text: &str) -> Result<ScoreSheet> {
        let sheet: ScoreSheet = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("line {}, column {}: {e}", e.line(), e.column()))?;
        // Problems of meaning have no line of their own: say the item.
        let items: Vec<&Item> = sheet.categories.iter().flat_map(|c| &c.items).collect();
        let sum: f64 = items.iter().map(|i| i.points).sum();
        if (sum - sheet.total).abs() > 1e-6 {
            bail!(
                "the items add up to {sum} points, the sheet says {}",
                sheet.total
            );
        }
        if !(0.0..=1.0).contains(&sheet.warning_factor) {
            bail!(
                "warning_factor {} is not between 0 and 1",
                sheet.warning_factor
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for i in &items {
            if !ids.insert(i.id.as_str()) {
                bail!("item id {} is used twice", i.id);
            }
            if i.points < 0.0 {
                bail!("item {} has negative points", i.id);
            }
            if let Some(d) = i.deductions.iter().find(|d| d.points < 0.0) {
                bail!("item {}: deduction for {} is negative", i.id, d.code);
            }
        }
        if sheet.grades.is_empty() || sheet.grades.windows(2).any(|w| w[0].min <= w[1].min) {
            bail!("grades must go from the highest min down, without ties");
        }
        if !sheet.grades.iter().any(|g| g.name == sheet.veto_grade) {
            bail!("veto_grade {} is not one of the grades", sheet.veto_grade);
        }
        Ok(sheet)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.categories
            .iter()
            .flat_map(|c| &c.items)
            .find(|i| i.id == id)
    }

    /// The grade of a total without veto; `errors`: points were lost to an
    /// error-level finding.
    pub fn grade_of(&self, total: f64, errors: bool) -> &str {
        self.grades
            .iter()
            .find(|g| total + 1e-9 >= g.min && !(g.no_errors && errors))
            .or(self.grades.last())
            .map_or("", |g| g.name.as_str())
    }
}

pub use crate::model::ScoreAdjustment as Adjustment;

/// A volume's score on the sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub total: f64,
    pub grade: String,
    /// What failed the file outright, if anything.
    pub veto: Option<Veto>,
    pub items: Vec<ItemScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Veto {
    pub item: String,
    pub code: String,
    pub page: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub id: String,
    pub category: String,
    pub item: String,
    pub points: f64,
    /// What the item lost, between 0 and its points.
    pub deducted: f64,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The finding's code, or `reviewer` for an adjustment.
    pub code: String,
    pub source: Source,
    pub page: Option<u32>,
    /// Points this reason takes (negative: given back).
    pub points: f64,
    /// The reviewer's reason, or the finding's message.
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Auto,
    Reviewer,
}

/// Scores a volume's findings on `sheet`, with the reviewer's adjustments.
pub fn score(sheet: &ScoreSheet, findings: &[Finding], adjustments: &[Adjustment]) -> Score {
    let mut veto = None;
    let mut errors = false;
    let mut items = Vec::new();
    for category in &sheet.categories {
        for item in &category.items {
            let mut reasons = Vec::new();
            for d in &item.deductions {
                let hits: Vec<&Finding> = findings
                    .iter()
                    .filter(|f| f.code == d.code && f.severity > Severity::Info)
                    .collect();
                if d.veto
                    && veto.is_none()
                    && let Some(f) = hits.iter().find(|f| f.severity >= d.veto_severity)
                {
                    veto = Some(Veto {
                        item: item.id.clone(),
                        code: d.code.clone(),
                        page: f.page,
                    });
                }
                let taken: Vec<&Finding> = match d.per {
                    // Once: the worst of them speaks for all.
                    Per::Once => hits
                        .iter()
                        .max_by_key(|f| f.severity)
                        .copied()
                        .into_iter()
                        .collect(),
                    Per::Each => hits,
                };
                for f in taken {
                    errors |= f.severity == Severity::Error && d.points > 0.0;
                    let factor = if f.severity == Severity::Error {
                        1.0
                    } else {
                        sheet.warning_factor
                    };
                    reasons.push(Reason {
                        code: d.code.clone(),
                        source: Source::Auto,
                        page: f.page,
                        points: d.points * factor,
                        note: f.message.clone(),
                    });
                }
            }
            for a in adjustments.iter().filter(|a| a.item == item.id) {
                reasons.push(Reason {
                    code: "reviewer".into(),
                    source: Source::Reviewer,
                    page: None,
                    points: a.points,
                    note: format!("{}（{}）", a.reason, a.by),
                });
            }
            let lost: f64 = reasons.iter().map(|r| r.points).sum();
            items.push(ItemScore {
                id: item.id.clone(),
                category: category.name.clone(),
                item: item.name.clone(),
                points: item.points,
                deducted: round2(lost.clamp(0.0, item.points)),
                reasons,
            });
        }
    }
    let total = round2(sheet.total - items.iter().map(|i| i.deducted).sum::<f64>());
    let grade = match &veto {
        Some(_) => sheet.veto_grade.clone(),
        None => sheet.grade_of(total, errors).to_string(),
    };
    Score {
        total,
        grade,
        veto,
        items,
    }
}

/// Points to two decimals (half points and quarters stay exact).
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, severity: Severity, page: u32) -> Finding {
        Finding::new(code, severity, format!("{code} on {page}")).on_page(Some(page))
    }

    #[test]
    fn the_shipped_sheet_adds_up_to_its_total() {
        let sheet = ScoreSheet::builtin();
        assert_eq!(sheet.total, 100.0);
        let s = score(sheet, &[], &[]);
        assert_eq!(
            (s.total, s.grade.as_str(), s.veto.clone()),
            (100.0, "优秀", None)
        );
        assert!(s.items.iter().all(|i| i.deducted == 0.0));
    }

    #[test]
    fn the_shipped_sheet_names_every_grade_category_and_item_in_english() {
        let sheet = ScoreSheet::builtin();
        let names = sheet
            .grades
            .iter()
            .map(|g| &g.name)
            .chain(sheet.categories.iter().map(|c| &c.name))
            .chain(
                sheet
                    .categories
                    .iter()
                    .flat_map(|c| &c.items)
                    .map(|i| &i.name),
            );
        for name in names {
            let en = sheet.english(name).unwrap_or_else(|| panic!("{name}"));
            assert!(en.is_ascii() && !en.is_empty(), "{name}: {en}");
        }
        assert_eq!(sheet.english("合格"), Some("Pass"));
        assert_eq!(sheet.english("不在表上"), None);
    }

    #[test]
    fn findings_take_points_off_their_item_never_more_than_it_has() {
        let sheet = ScoreSheet::builtin();
        let s = score(
            sheet,
            &[
                finding("MISSING_SERVICE_RECEIPT", Severity::Error, 1),
                finding("SERVICE_LATE", Severity::Error, 2),
                // Doubted dates: half the points.
                finding("DECISION_OVER_90_DAYS", Severity::Warning, 3),
                // Image quality is the scan's, not the case's.
                finding("low_dpi", Severity::Warning, 4),
                // Notes take nothing.
                finding("page_no_counted", Severity::Info, 1),
            ],
            &[],
        );
        let item = |id: &str| s.items.iter().find(|i| i.id == id).unwrap();
        // 10 + 5 found, the item has 10.
        assert_eq!(item("B6").deducted, 10.0);
        assert_eq!(item("B6").reasons.len(), 2);
        assert_eq!(item("B5").deducted, 5.0);
        assert_eq!(s.total, 85.0);
        assert_eq!(s.grade, "合格");
    }

    #[test]
    fn each_counts_every_finding_once_counts_the_worst() {
        let sheet = ScoreSheet::builtin();
        let s = score(
            sheet,
            &[
                finding("contents_pages_mismatch", Severity::Warning, 1),
                finding("contents_pages_mismatch", Severity::Warning, 2),
                finding("DECISION_LACKS_REMEDIES", Severity::Warning, 3),
                finding("DECISION_LACKS_REMEDIES", Severity::Warning, 5),
            ],
            &[],
        );
        let item = |id: &str| s.items.iter().find(|i| i.id == id).unwrap();
        assert_eq!(item("W2").deducted, 1.0);
        assert_eq!(item("W1").deducted, 2.0);
        assert_eq!(item("W1").reasons.len(), 1);
    }

    #[test]
    fn a_veto_fails_the_file_whatever_its_points() {
        let sheet = ScoreSheet::builtin();
        // The shipped rules raise it as a warning (a word not found in OCR text):
        // points, no veto.
        let warned = score(
            sheet,
            &[finding("DECISION_LACKS_LEGAL_BASIS", Severity::Warning, 7)],
            &[],
        );
        assert_eq!((warned.total, warned.veto.is_none()), (96.0, true));
        let erred = score(
            sheet,
            &[finding("DECISION_LACKS_LEGAL_BASIS", Severity::Error, 7)],
            &[],
        );
        assert_eq!(erred.total, 92.0);
        assert_eq!(erred.grade, "不合格");
        let veto = erred.veto.unwrap();
        assert_eq!((veto.item.as_str(), veto.page), ("B3", Some(7)));
    }

    #[test]
    fn the_reviewer_deducts_and_gives_back_within_the_item() {
        let sheet = ScoreSheet::builtin();
        let adj = |item: &str, points: f64| Adjustment {
            item: item.into(),
            points,
            reason: "核查".into(),
            by: "评查员".into(),
            at: "2026-12-03T10:00:00Z".into(),
        };
        let found = [finding("MISSING_FILING_APPROVAL", Severity::Error, 1)];
        // The approval is in the file after all: the points come back, no more.
        let s = score(sheet, &found, &[adj("B2", -8.0)]);
        let b2 = s.items.iter().find(|i| i.id == "B2").unwrap();
        assert_eq!(b2.deducted, 0.0);
        assert_eq!(b2.reasons.last().unwrap().source, Source::Reviewer);
        assert_eq!(s.total, 100.0);
        // The officers' certificates are missing: the reviewer takes 4 off B1.
        let s = score(sheet, &[], &[adj("B1", 4.0), adj("B1", 20.0)]);
        assert_eq!(s.items[0].deducted, 10.0);
        assert_eq!(s.total, 90.0);
        assert_eq!(s.grade, "优秀");
        // A sure breach keeps a file out of 优秀 whatever its total.
        let late = [finding("SERVICE_LATE", Severity::Error, 9)];
        let s = score(sheet, &late, &[]);
        assert_eq!((s.total, s.grade.as_str()), (95.0, "合格"));
        let doubted = [finding("SERVICE_LATE", Severity::Warning, 9)];
        assert_eq!(score(sheet, &doubted, &[]).grade, "优秀");
    }

    #[test]
    fn a_malformed_sheet_is_refused_with_its_line_and_reason() {
        let e = ScoreSheet::parse("{\n  \"version\": \"x\",\n  \"total\": \"many\"\n}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 3,"), "{e}");
        let mut sheet = ScoreSheet::builtin().clone();
        sheet.total = 90.0;
        let e = ScoreSheet::parse(&serde_json::to_string(&sheet).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("add up to 100"), "{e}");
        let mut sheet = ScoreSheet::builtin().clone();
        sheet.grades.reverse();
        assert!(ScoreSheet::parse(&serde_json::to_string(&sheet).unwrap()).is_err());
        let unknown = include_str!("../../assets/review/scoring.json").replacen(
            "\"total\"",
            "\"totl\": 1, \"total\"",
            1,
        );
        let e = ScoreSheet::parse(&unknown).unwrap_err().to_string();
        assert!(e.contains("unknown field `totl`"), "{e}");
    }

    #[test]
    fn a_bureaus_sheet_in_the_home_wins_and_a_missing_one_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scoring.json");
        assert_eq!(
            ScoreSheet::load_or_builtin(&path).unwrap().version,
            ScoreSheet::builtin().version
        );
        let mut own = ScoreSheet::builtin().clone();
        own.version = "bureau-7".into();
        std::fs::write(&path, serde_json::to_string(&own).unwrap()).unwrap();
        assert_eq!(
            ScoreSheet::load_or_builtin(&path).unwrap().version,
            "bureau-7"
        );
        std::fs::write(&path, "{").unwrap();
        let e = ScoreSheet::load_or_builtin(&path).unwrap_err().to_string();
        assert!(e.contains("scoring.json: line 1"), "{e}");
    }
}
