//! 统计: what the bureau counts of its enforcement — volumes and decisions, the
//! fines and confiscations, cases by the heaviest penalty, how long cases took
//! from 立案 to 决定, 评查 grades, findings by code, volumes waiting at each stage.
//! Every bar keeps the volumes it counts, so a screen can list them.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::model::VolumeJson;
use crate::package::publicity::{PublicityRules, penalty_of};
use crate::review::scoring::ScoreSheet;

/// What the rows of `by` are keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// 执法机关.
    #[default]
    Authority,
    /// 案由.
    Cause,
    /// The year of the decision (else of the volume).
    Year,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub volumes: usize,
    /// Volumes with a 行政处罚决定书.
    pub decisions: usize,
    /// 罚款, yuan.
    pub fines_total: f64,
    /// 没收违法所得 and 没收非法财物, yuan.
    pub confiscated_total: f64,
    /// 罚没金额: fines and confiscations, yuan.
    pub penalties_total: f64,
    pub by_key: GroupBy,
    pub by: Vec<Bar>,
    /// 宗数 by 处罚类别: each decision once, under its heaviest penalty.
    pub by_category: Vec<Bar>,
    pub duration_days: Durations,
    pub grades: BTreeMap<String, usize>,
    pub findings: BTreeMap<String, usize>,
    /// Volumes at each stage (capture, indexing, returned, approved, packed).
    pub stages: BTreeMap<String, usize>,
    /// 一稿双录 and its 著录差错率.
    pub double_entry: KeyingErrors,
}

/// 著录差错率: of the decisive fields keyed a second time, how many disagreed
/// with the first keying (each field once, by its first second keying).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyingErrors {
    pub keyed: u32,
    pub mismatched: u32,
    /// Mismatches per keyed field, 0–1 (0 when nothing was keyed twice).
    pub error_rate: f64,
    /// The same per first keyer; `keyer` null is the machine's proposals.
    pub by_first_keyer: Vec<KeyerErrors>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyerErrors {
    pub keyer: Option<String>,
    pub keyed: u32,
    pub mismatched: u32,
    pub error_rate: f64,
}

/// A rate as reported: four decimals.
fn rate(mismatched: u32, keyed: u32) -> f64 {
    (crate::catalogue::KeyingTally::rate(mismatched, keyed) * 10_000.0).round() / 10_000.0
}

impl From<crate::catalogue::KeyingTally> for KeyingErrors {
    fn from(t: crate::catalogue::KeyingTally) -> Self {
        KeyingErrors {
            keyed: t.keyed,
            mismatched: t.mismatched,
            error_rate: rate(t.mismatched, t.keyed),
            by_first_keyer: t
                .by_first_keyer
                .into_iter()
                .map(|(keyer, (keyed, mismatched))| KeyerErrors {
                    keyer,
                    keyed,
                    mismatched,
                    error_rate: rate(mismatched, keyed),
                })
                .collect(),
        }
    }
}

/// One bar: its key, its volumes (ids) and their fines.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bar {
    pub key: String,
    pub volumes: usize,
    pub fines_total: f64,
    pub members: Vec<String>,
}

/// 办案时长, 立案 to 决定, in calendar days.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Durations {
    /// Volumes with both dates.
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub over_90: usize,
    /// 15-day bins: `key` is 「0–14」 …
    pub histogram: Vec<Bar>,
}

/// The statistics of the volumes decided between `from` and `to` (ISO dates,
/// inclusive; without them, every volume).
pub fn stats(
    catalogue: &Catalogue,
    sheet: &ScoreSheet,
    rules: &PublicityRules,
    from: Option<&str>,
    to: Option<&str>,
    by: GroupBy,
) -> Result<Stats> {
    // Each volume reviewed once: for its stage, its findings and its score.
    let packed_at = super::overview::packed_at(catalogue)?;
    let rules_of_review = crate::review::ReviewRules::builtin();
    let mut out = Stats {
        by_key: by,
        ..Default::default()
    };
    let mut by_map: BTreeMap<String, Bar> = BTreeMap::new();
    let mut categories: BTreeMap<String, Bar> = BTreeMap::new();
    let mut durations: Vec<(i64, String)> = Vec::new();
    let mut counted = Vec::new();
    for summary in catalogue.list_volumes()? {
        let v = catalogue.volume_json(&summary.id)?;
        let decided = v.decided_date.clone();
        if !crate::package::publicity::decided_within(decided.as_deref(), from, to) {
            continue;
        }
        let review = crate::review::review_volume(catalogue, &v.id, rules_of_review)?;
        let stage = super::overview::stage_of(&summary, &review, &packed_at);
        out.volumes += 1;
        counted.push(v.id.clone());
        *out.stages.entry(stage.to_string()).or_default() += 1;
        let fine = v.fine_amount.unwrap_or(0.0);
        let key = group_key(&v, by);
        let bar = by_map.entry(key.clone()).or_insert_with(|| Bar {
            key,
            ..Default::default()
        });
        bar.volumes += 1;
        bar.fines_total += fine;
        bar.members.push(v.id.clone());
        if let Some((kinds, confiscated)) = penalty_of(&v, rules) {
            out.decisions += 1;
            out.fines_total += fine;
            out.confiscated_total += confiscated.unwrap_or(0.0);
            // Heaviest last in the rules' order.
            let heaviest = kinds.last().cloned().unwrap_or_else(|| "未识别".into());
            let c = categories.entry(heaviest.clone()).or_insert_with(|| Bar {
                key: heaviest,
                ..Default::default()
            });
            c.volumes += 1;
            c.fines_total += fine;
            c.members.push(v.id.clone());
        }
        if let (Some(f), Some(d)) = (day(v.filed_date.as_deref()), day(decided.as_deref())) {
            durations.push(((d - f).num_days(), v.id.clone()));
        }
        for f in &review.findings {
            *out.findings.entry(f.code.clone()).or_default() += 1;
        }
        if stage != super::overview::Stage::Capture {
            let score = super::review::score_review(catalogue, sheet, &review)?;
            *out.grades.entry(score.grade).or_default() += 1;
        }
    }
    out.penalties_total = out.fines_total + out.confiscated_total;
    out.by = by_map.into_values().collect();
    // In the rules' order, lightest first; what was not recognised last.
    let order = |k: &str| {
        rules
            .categories
            .iter()
            .position(|c| c == k)
            .unwrap_or(usize::MAX)
    };
    out.by_category = categories.into_values().collect();
    out.by_category.sort_by_key(|b| order(&b.key));
    out.duration_days = summarise(durations);
    out.double_entry = catalogue.keying_tally(Some(&counted))?.into();
    Ok(out)
}

fn group_key(v: &VolumeJson, by: GroupBy) -> String {
    let unknown = || "（未著录）".to_string();
    match by {
        GroupBy::Authority => v.agency.clone().unwrap_or_else(unknown),
        GroupBy::Cause => v.case_cause.clone().unwrap_or_else(unknown),
        GroupBy::Year => v
            .decided_date
            .as_deref()
            .and_then(|d| d.get(..4))
            .map(str::to_string)
            .or(v.year.map(|y| y.to_string()))
            .unwrap_or_else(unknown),
    }
}

fn day(s: Option<&str>) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s?, "%Y-%m-%d").ok()
}

/// Median, p90 (nearest rank), the count over 90 days and 15-day bins.
fn summarise(mut days: Vec<(i64, String)>) -> Durations {
    days.sort();
    let n = days.len();
    let at = |q: f64| -> Option<f64> {
        (n > 0).then(|| days[((q * n as f64).ceil() as usize).clamp(1, n) - 1].0 as f64)
    };
    let median = (n > 0).then(|| {
        if n % 2 == 1 {
            days[n / 2].0 as f64
        } else {
            (days[n / 2 - 1].0 + days[n / 2].0) as f64 / 2.0
        }
    });
    let mut histogram: Vec<Bar> = Vec::new();
    for (d, id) in &days {
        let from = d.max(&0) / 15 * 15;
        let key = format!("{from}–{}", from + 14);
        match histogram.iter_mut().find(|b| b.key == key) {
            Some(b) => {
                b.volumes += 1;
                b.members.push(id.clone());
            }
            None => histogram.push(Bar {
                key,
                volumes: 1,
                fines_total: 0.0,
                members: vec![id.clone()],
            }),
        }
    }
    Durations {
        count: n,
        median,
        p90: at(0.9),
        over_90: days.iter().filter(|(d, _)| *d > 90).count(),
        histogram,
    }
}

/// The `by` table (and the categories) as CSV or XLSX, by the file's extension.
pub fn write_table(stats: &Stats, path: &std::path::Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let heads = ["分组", "案卷数", "罚款（元）"];
    match ext.as_deref() {
        Some("csv") => {
            let mut out = String::from("\u{feff}");
            out.push_str(&heads.join(","));
            out.push_str("\r\n");
            for b in stats.by.iter().chain(&stats.by_category) {
                out.push_str(&format!(
                    "{},{},{}\r\n",
                    crate::text::csv_cell(&b.key),
                    b.volumes,
                    b.fines_total
                ));
            }
            Ok(crate::fsutil::write_atomic(path, out.as_bytes())?)
        }
        Some("xlsx") => {
            use rust_xlsxwriter::{Format, Workbook};
            let mut book = Workbook::new();
            let bold = Format::new().set_bold();
            for (name, bars) in [("分组", &stats.by), ("处罚类别", &stats.by_category)] {
                let ws = book.add_worksheet();
                ws.set_name(name)?;
                for (c, h) in heads.iter().enumerate() {
                    ws.write_with_format(0, c as u16, *h, &bold)?;
                }
                for (r, b) in bars.iter().enumerate() {
                    let r = r as u32 + 1;
                    ws.write(r, 0, b.key.as_str())?;
                    ws.write(r, 1, b.volumes as u32)?;
                    ws.write(r, 2, b.fines_total)?;
                }
            }
            // 著录差错率 of the 一稿双录, overall and per first keyer.
            let ws = book.add_worksheet();
            ws.set_name("著录差错率")?;
            for (c, h) in ["首录人", "双录字段数", "不一致", "差错率"]
                .iter()
                .enumerate()
            {
                ws.write_with_format(0, c as u16, *h, &bold)?;
            }
            let de = &stats.double_entry;
            let rows = std::iter::once(("合计", de.keyed, de.mismatched, de.error_rate)).chain(
                de.by_first_keyer.iter().map(|k| {
                    let who = k.keyer.as_deref().unwrap_or("（自动）");
                    (who, k.keyed, k.mismatched, k.error_rate)
                }),
            );
            for (r, (who, keyed, mismatched, rate)) in rows.enumerate() {
                let r = r as u32 + 1;
                ws.write(r, 0, who)?;
                ws.write(r, 1, keyed)?;
                ws.write(r, 2, mismatched)?;
                ws.write(r, 3, rate)?;
            }
            crate::fsutil::save_workbook(&mut book, path)
        }
        _ => anyhow::bail!("{}: the table is written as .csv or .xlsx", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_a_median_a_p90_and_bins() {
        let d = |v: &[i64]| summarise(v.iter().map(|&x| (x, format!("V{x}"))).collect());
        let s = d(&[10, 20, 30, 40, 100, 120]);
        assert_eq!(
            (s.count, s.median, s.p90, s.over_90),
            (6, Some(35.0), Some(120.0), 2)
        );
        assert_eq!(s.histogram[0].key, "0–14");
        assert_eq!(s.histogram.iter().map(|b| b.volumes).sum::<usize>(), 6);
        assert_eq!(d(&[7]).median, Some(7.0));
        assert_eq!(d(&[]).median, None);
    }
}
