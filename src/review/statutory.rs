//! Statutory checks of a 行政处罚案卷 (行政处罚法 2021): the documents a case file
//! must hold, the order of the procedure and its periods. The periods and the
//! required kinds are data (`assets/review/rules.json`), the logic is here.
//!
//! Dates come from the volume's fields (立案日期, 决定日期, 结案日期) and else from
//! the documents of the right kind. Where a date is only known as a bound (the
//! notice's own date stands for the day it was served, which can only be later)
//! a check fires only when the bound already proves the breach, so a sound case
//! file gets no finding from a missing date.

use serde::Deserialize;

use super::calendar::WorkCalendar;
use crate::indexing::identifiers::find_doc_no;
use crate::indexing::kinds::KindTable;
use crate::indexing::values::{Date, squash};
use crate::model::index::VolumeIndex;
use crate::model::{DocumentJson, VolumeJson};
use crate::model::{Finding, Severity};

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewRules {
    pub version: String,
    pub decision_within_days: i64,
    pub extension_title_words: Vec<String>,
    pub defense_days: i64,
    /// Periods of the rules counted in working days (行政处罚法 art. 85: its
    /// 二日、三日、五日、七日 are working days).
    #[serde(default)]
    pub periods_in_working_days: bool,
    pub hearing_request_days: i64,
    pub hearing_notice_words: Vec<String>,
    pub service_within_days: i64,
    pub payment_within_days: i64,
    pub mentions: Vec<Mention>,
    pub required: Vec<Required>,
    /// The formal checks ([`super::formal`]); none when the file has none.
    #[serde(default)]
    pub formal: super::formal::FormalRules,
}

/// Words a document of a kind must hold (one of them), e.g. the remedies in a
/// decision (art. 59).
#[derive(Debug, Clone, Deserialize)]
pub struct Mention {
    pub kind: String,
    pub any_of: Vec<String>,
    pub code: String,
    pub severity: Severity,
    pub law: String,
}

/// A document kind the case file must hold.
#[derive(Debug, Clone, Deserialize)]
pub struct Required {
    pub kind: String,
    /// The document must be one that serves a document of this kind (a 送达回证
    /// naming the 决定书).
    #[serde(default)]
    pub serving: Option<String>,
    /// Applies only when a document of this kind is present.
    #[serde(default)]
    pub when: Option<String>,
    pub code: String,
    pub severity: Severity,
    pub law: String,
}

impl ReviewRules {
    pub fn builtin() -> &'static ReviewRules {
        static RULES: std::sync::OnceLock<ReviewRules> = std::sync::OnceLock::new();
        RULES.get_or_init(|| {
            serde_json::from_str(include_str!("../../assets/review/rules.json"))
                .expect("assets/review/rules.json is valid")
        })
    }
}

/// A date the checks compare, with where it was read and how sure that is.
#[derive(Debug, Clone)]
struct Dated {
    date: Date,
    /// Where it comes from, for the message: 「第16页 行政处罚决定书」.
    from: String,
    /// Read in its role (a 落款, a form's date cell, a clerk's value) rather than
    /// inferred or taken from a sentence that may cite another event.
    sure: bool,
}

impl Dated {
    fn says(&self) -> String {
        format!("{}（{}）", self.date.iso(), self.from)
    }
}

/// Confidence from which a date is taken as read in its role; below it a breach
/// the date would show is a warning asking the clerk to check the date.
pub const SURE_DATE: f32 = 0.75;

/// The volume with what indexing knows of its values (confidence, page).
pub(super) struct Case<'a> {
    pub(super) volume: &'a VolumeJson,
    pub(super) index: Option<&'a VolumeIndex>,
}

impl<'a> Case<'a> {
    pub(super) fn of_kind(&self, kind: &str) -> Vec<&'a DocumentJson> {
        self.volume
            .documents
            .iter()
            .filter(|d| d.kind == kind)
            .collect()
    }

    pub(super) fn name(doc: &DocumentJson) -> String {
        doc.title.clone().unwrap_or_else(|| {
            KindTable::builtin()
                .rule(&doc.kind)
                .map_or(doc.kind.clone(), |k| k.name.clone())
        })
    }

    /// A document's own date, with its page and confidence.
    fn doc_date(&self, doc: &DocumentJson) -> Option<Dated> {
        let date = Date::parse_iso(doc.date.as_deref()?)?;
        let field = self
            .index
            .and_then(|i| i.documents.iter().find(|d| d.seq == doc.seq))
            .map(|d| &d.date);
        let page = field.and_then(|f| f.page).unwrap_or(doc.first_page);
        // Read on another document's page: the 卷内目录's row for this one.
        let on = self
            .volume
            .pages
            .iter()
            .find(|p| p.seq == page)
            .and_then(|p| p.document)
            .and_then(|seq| self.volume.documents.iter().find(|d| d.seq == seq))
            .unwrap_or(doc);
        Some(Dated {
            date,
            from: if on.seq == doc.seq {
                format!("第{page}页 {}", Self::name(doc))
            } else {
                format!("第{page}页 {}所列{}", Self::name(on), Self::name(doc))
            },
            sure: field.is_none_or(|f| f.confidence >= SURE_DATE),
        })
    }

    /// A volume date (立案/决定/结案日期), else the date of the first document of
    /// its kind.
    fn case_date(&self, field: &str, value: Option<&str>, kind: &str) -> Option<Dated> {
        let doc = self.of_kind(kind).first().copied();
        let own = doc.and_then(|d| self.doc_date(d));
        let Some(date) = value.and_then(Date::parse_iso) else {
            return own;
        };
        let f = self.index.and_then(|i| i.fields.get(field));
        if let Some(mut own) = own.filter(|o| o.date == date) {
            own.sure &= f.is_none_or(|f| f.confidence >= SURE_DATE);
            return Some(own);
        }
        Some(Dated {
            date,
            from: match f.and_then(|f| f.page) {
                Some(p) => format!("第{p}页"),
                None if f.is_some_and(|f| f.corrected) => "著录人员填写".into(),
                None => "案卷著录".into(),
            },
            sure: f.is_none_or(|f| f.confidence >= SURE_DATE),
        })
    }

    /// The squashed text of a document's pages.
    pub(super) fn text(&self, doc: &DocumentJson) -> String {
        let text: String = self
            .volume
            .pages
            .iter()
            .filter(|p| p.document == Some(doc.seq))
            .filter_map(|p| p.text.as_deref())
            .collect::<Vec<_>>()
            .join("\n");
        squash(&text)
    }

    /// What a 送达回证 serves: the kind of the document it names (送达文书名称, a
    /// name in 《》), else the document whose 文号 it carries, else its title
    /// (「送达回证（行政处罚事先告知书）」). `None` when it cannot be told.
    fn served_by(&self, receipt: &DocumentJson) -> Option<String> {
        let table = KindTable::builtin();
        let text = self.text(receipt);
        let named = text
            .split('《')
            .skip(1)
            .filter_map(|rest| rest.split('》').next())
            .find_map(|name| table.classify(name).map(|m| m.kind));
        if named.is_some() {
            return named;
        }
        if let Some((no, _)) = find_doc_no(&text)
            && let Some(doc) = self
                .volume
                .documents
                .iter()
                .find(|d| d.seq != receipt.seq && d.doc_no.as_deref() == Some(no.as_str()))
        {
            return Some(doc.kind.clone());
        }
        let title = receipt.title.as_deref()?;
        let inner = title.split_once(['（', '('])?.1;
        table.classify(inner).map(|m| m.kind)
    }
}

/// A period the party is given, as the notice states it (「收到本告知书之日起五个
/// 工作日内」) or the rules say.
#[derive(Debug, Clone, PartialEq)]
struct Period {
    days: i64,
    working: bool,
    /// Where it was read: 「第15页：五个工作日」 or the rules.
    from: String,
}

impl Period {
    fn says(&self) -> String {
        format!(
            "{}{}",
            self.days,
            if self.working { "个工作日" } else { "日" }
        )
    }
}

/// The periods a notice states for the party's statement, defence or hearing
/// request: 「N（个）工作日内」, 「N日内」, 「N天内」 in a sentence about 陈述, 申辩,
/// 听证 or 意见. Numbers in figures or Chinese.
fn stated_periods(text: &str) -> Vec<(i64, bool)> {
    let mut out = Vec::new();
    for sentence in text.split(['。', '；', ';']) {
        if !["陈述", "申辩", "听证", "意见"]
            .iter()
            .any(|w| sentence.contains(w))
        {
            continue;
        }
        let c: Vec<char> = sentence.chars().collect();
        for i in 0..c.len() {
            let rest: String = c[i..].iter().collect();
            let (unit_len, working) = if rest.starts_with("工作日内") {
                (4, true)
            } else if rest.starts_with("日内") || rest.starts_with("天内") {
                (2, false)
            } else {
                continue;
            };
            let _ = unit_len;
            // The number right before the unit (and an optional 个).
            let mut j = i;
            if j > 0 && c[j - 1] == '个' {
                j -= 1;
            }
            let digits = c[..j]
                .iter()
                .rev()
                .take_while(|x| {
                    x.is_ascii_digit() || *x == &'十' || "〇一二三四五六七八九两".contains(**x)
                })
                .count();
            let number: String = c[j - digits..j].iter().collect();
            if let Some(n) = period_number(&number) {
                out.push((n, working));
            }
        }
    }
    out
}

fn period_number(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|n| (1..=90).contains(n));
    }
    let c: Vec<char> = s.chars().collect();
    let digit = |x: char| {
        "〇一二三四五六七八九"
            .find(x)
            .map(|b| (b / 3) as i64)
            .or((x == '两').then_some(2))
    };
    let n = match c.as_slice() {
        ['十'] => 10,
        [a] => digit(*a)?,
        ['十', b] => 10 + digit(*b)?,
        [a, '十'] => digit(*a)? * 10,
        [a, '十', b] => digit(*a)? * 10 + digit(*b)?,
        _ => return None,
    };
    (1..=90).contains(&n).then_some(n)
}

fn title_has(d: &DocumentJson, words: &[String]) -> bool {
    d.title
        .as_deref()
        .is_some_and(|t| words.iter().any(|w| t.contains(w.as_str())))
}

struct Out(Vec<Finding>);

impl Out {
    fn add(
        &mut self,
        code: &str,
        severity: Severity,
        message: String,
        document: Option<&DocumentJson>,
    ) {
        self.0.push(Finding {
            code: code.into(),
            severity,
            message,
            page: document.map(|d| d.first_page),
            document: document.map(|d| d.seq),
            bbox: None,
        });
    }

    /// A breach shown by dates: an error when every date was read in its role, a
    /// warning asking to check the dates when one of them is doubtful.
    fn breach(
        &mut self,
        code: &str,
        dates: &[&Dated],
        message: String,
        document: Option<&DocumentJson>,
    ) {
        if dates.iter().all(|d| d.sure) {
            self.add(code, Severity::Error, message, document);
        } else {
            self.add(
                code,
                Severity::Warning,
                format!("{message}。日期存疑，请核对后确认"),
                document,
            );
        }
    }
}

/// The day the 事先告知书 was served, as the file's own text tells it: decisions
/// and statement records say 「2021年10月18日，本局向当事人送达了《行政处罚事先
/// 告知书》」 or 「本局已于2021年10月18日向你单位送达了《…告知书》」. The earliest
/// such date (the one least likely to accuse wrongly) and the page it is on.
fn notice_served_in_text(volume: &VolumeJson) -> Option<(Date, u32)> {
    use crate::indexing::values::dates;
    volume
        .pages
        .iter()
        .filter_map(|p| Some((squash(p.text.as_deref()?), p.seq)))
        .flat_map(|(text, seq)| {
            text.split(['。', '；', ';'])
                .filter(|s| {
                    // The notice is what was served: 告知书 after 送达, within the
                    // sentence and not a 决定书 in between.
                    s.find("送达").is_some_and(|at| {
                        let rest = &s[at..];
                        rest.find("告知书")
                            .is_some_and(|n| !rest[..n].contains("决定书"))
                    })
                })
                .flat_map(|s| {
                    let served_at = s.find("送达").unwrap_or(0);
                    dates(&s[..served_at])
                        .into_iter()
                        .map(|(d, _)| (d, seq))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .min()
}

/// The statutory findings of a volume. `index` (when the volume is indexed) tells
/// how sure each date is and where it was read; every finding names the values it
/// compared and their pages.
pub fn check(
    volume: &VolumeJson,
    index: Option<&VolumeIndex>,
    rules: &ReviewRules,
) -> Vec<Finding> {
    let case = Case { volume, index };
    let calendar = WorkCalendar::builtin();
    let mut out = Out(Vec::new());
    let decisions = case.of_kind("decision");
    let decision_doc = decisions.first().copied();
    let receipts: Vec<(&DocumentJson, Option<String>)> = case
        .of_kind("service_receipt")
        .into_iter()
        .map(|r| (r, case.served_by(r)))
        .collect();

    for r in &rules.required {
        let applies = r
            .when
            .as_deref()
            .is_none_or(|k| !case.of_kind(k).is_empty());
        if !applies {
            continue;
        }
        let name = |kind: &str| {
            KindTable::builtin()
                .rule(kind)
                .map_or(kind.to_string(), |k| k.name.clone())
        };
        match &r.serving {
            None if case.of_kind(&r.kind).is_empty() => {
                out.add(
                    &r.code,
                    r.severity,
                    format!("卷内缺少{}：{}", name(&r.kind), r.law),
                    None,
                );
            }
            None => {}
            Some(served) => {
                // A receipt for that document: named by the receipt itself.
                let serving = receipts.iter().any(|(_, s)| s.as_deref() == Some(served));
                let unknown = receipts.iter().filter(|(_, s)| s.is_none()).count();
                let others: Vec<String> = receipts
                    .iter()
                    .filter_map(|(d, s)| {
                        Some(format!("第{}页为{}送达", d.first_page, name(s.as_deref()?)))
                    })
                    .collect();
                if !serving && unknown == 0 {
                    out.add(
                        &r.code,
                        r.severity,
                        format!(
                            "卷内没有{}的{}{}：{}",
                            name(served),
                            name(&r.kind),
                            if others.is_empty() {
                                String::new()
                            } else {
                                format!("（{}）", others.join("、"))
                            },
                            r.law
                        ),
                        None,
                    );
                } else if !serving {
                    out.add(
                        &r.code,
                        Severity::Warning,
                        format!(
                            "未能确认哪份{}送达{}（{unknown} 份未读出所送文书），请核对：{}",
                            name(&r.kind),
                            name(served),
                            r.law
                        ),
                        None,
                    );
                }
            }
        }
    }

    for m in &rules.mentions {
        for doc in case.of_kind(&m.kind) {
            let text = case.text(doc);
            if !text.is_empty() && !m.any_of.iter().any(|w| text.contains(w.as_str())) {
                out.add(
                    &m.code,
                    m.severity,
                    format!(
                        "{}（第{}页起）未见「{}」：{}",
                        Case::name(doc),
                        doc.first_page,
                        m.any_of.join("」或「"),
                        m.law
                    ),
                    Some(doc),
                );
            }
        }
    }

    let filed = case.case_date(
        "filed_date",
        volume.filed_date.as_deref(),
        "filing_approval",
    );
    let decided = case.case_date("decided_date", volume.decided_date.as_deref(), "decision");
    let closed = case.case_date(
        "closed_date",
        volume.closed_date.as_deref(),
        "closing_approval",
    );

    // Art. 60: decided within 90 days of 立案, unless an extension was approved.
    if let (Some(f), Some(d)) = (&filed, &decided) {
        let days = d.date.days() - f.date.days();
        if days < 0 {
            out.breach(
                "DECISION_BEFORE_FILING",
                &[f, d],
                format!("决定日期 {} 早于立案日期 {}", d.says(), f.says()),
                decision_doc,
            );
        } else if days > rules.decision_within_days {
            let extension = volume
                .documents
                .iter()
                .find(|doc| title_has(doc, &rules.extension_title_words));
            let message = format!(
                "决定日期 {} 距立案日期 {} 共 {days} 日，超过 {} 日（行政处罚法第六十条）{}",
                d.says(),
                f.says(),
                rules.decision_within_days,
                match extension {
                    Some(e) => format!("；卷内有延期审批（第{}页），请核对", e.first_page),
                    None => "，卷内未见延期审批".into(),
                }
            );
            if extension.is_some() {
                out.add(
                    "DECISION_OVER_90_DAYS",
                    Severity::Info,
                    message,
                    decision_doc,
                );
            } else {
                out.breach("DECISION_OVER_90_DAYS", &[f, d], message, decision_doc);
            }
        }
    }
    if let (Some(d), Some(c)) = (&decided, &closed)
        && c.date < d.date
    {
        out.breach(
            "CLOSED_BEFORE_DECISION",
            &[d, c],
            format!("结案日期 {} 早于决定日期 {}", c.says(), d.says()),
            None,
        );
    }

    // Art. 44/62: the party is told before the decision, and may state and defend
    // (or ask for a hearing, art. 64) within the period the notice gives.
    let notices = case.of_kind("prior_notice");
    if let (Some(&notice), Some(d)) = (notices.first(), &decided)
        && let Some(n) = case.doc_date(notice)
    {
        if n.date > d.date {
            out.breach(
                "NOTICE_AFTER_DECISION",
                &[&n, d],
                format!(
                    "事先告知书日期 {} 晚于决定日期 {}：应在作出决定前告知（行政处罚法第四十四条、第六十二条）",
                    n.says(),
                    d.says()
                ),
                Some(notice),
            );
        } else {
            // Served on its date or later: a receipt for the notice, or the
            // decision telling when the notice was served, gives the day itself;
            // else the notice's own date is a lower bound.
            let served = receipts
                .iter()
                .filter(|(_, s)| s.as_deref() == Some("prior_notice"))
                .filter_map(|(r, _)| {
                    let mut dated = case.doc_date(r)?;
                    dated.from = format!("{} 送达回证", dated.from.split(' ').next().unwrap_or(""));
                    Some(dated)
                })
                .chain(notice_served_in_text(volume).map(|(date, page)| Dated {
                    date,
                    from: format!("第{page}页所述送达日"),
                    sure: true,
                }))
                .filter(|s| s.date >= n.date && s.date <= d.date)
                .min_by_key(|s| s.date)
                .unwrap_or_else(|| Dated {
                    from: format!("{}，送达日未见，以告知书日期计", n.from),
                    ..n.clone()
                });
            let text = case.text(notice);
            let page = notice.last_page;
            let stated = stated_periods(&text);
            let hearing = title_has(notice, &rules.hearing_notice_words)
                || rules
                    .hearing_notice_words
                    .iter()
                    .any(|w| text.contains(w.as_str()));
            let fallback = Period {
                days: if hearing {
                    rules.hearing_request_days
                } else {
                    rules.defense_days
                },
                working: rules.periods_in_working_days,
                from: "告知书未写明期限，按审查规则".into(),
            };
            // Of several periods (statement, hearing), the longest.
            let period = stated
                .iter()
                .map(|&(days, working)| Period {
                    days,
                    working,
                    from: format!("第{page}页告知书写明"),
                })
                .max_by_key(|p| calendar.period_end(served.date, p.days, p.working))
                .unwrap_or(fallback);
            let end = calendar.period_end(served.date, period.days, period.working);
            if d.date.days() <= end {
                let unknown_year = period.working && !calendar.knows(served.date.year);
                out.breach(
                    "DECISION_WITHIN_DEFENSE_PERIOD",
                    &[d, &served],
                    format!(
                        "决定日期 {} 不晚于告知书送达后{}期满之日 {}（{}：{}；送达 {}）：当事人陈述、申辩（听证申请）期限未满即作出决定（行政处罚法第四十四条、第四十五条、第六十四条）{}",
                        d.says(),
                        period.says(),
                        Date::from_days(end).iso(),
                        period.from,
                        period.says(),
                        served.says(),
                        if unknown_year { "；该年度节假日未载入日历，仅扣除周末" } else { "" }
                    ),
                    decision_doc,
                );
            }
        }
    }

    // Art. 61: the decision served within 7 days (working days, art. 85); art. 67:
    // paid within 15 days.
    if let Some(d) = &decided {
        let for_decision: Vec<&DocumentJson> = {
            let named: Vec<&DocumentJson> = receipts
                .iter()
                .filter(|(_, s)| s.as_deref() == Some("decision"))
                .map(|(r, _)| *r)
                .collect();
            if named.is_empty() {
                receipts
                    .iter()
                    .filter(|(_, s)| s.is_none())
                    .map(|(r, _)| *r)
                    .collect()
            } else {
                named
            }
        };
        let served = for_decision
            .iter()
            .filter_map(|r| Some((*r, case.doc_date(r)?)))
            .find(|(_, s)| s.date >= d.date);
        if let Some((receipt, served)) = served {
            let end = calendar.period_end(
                d.date,
                rules.service_within_days,
                rules.periods_in_working_days,
            );
            if served.date.days() > end {
                out.add(
                    "SERVICE_LATE",
                    Severity::Warning,
                    format!(
                        "决定书送达日 {} 晚于决定日期 {} 后{}{}的期满之日 {}（行政处罚法第六十一条）",
                        served.says(),
                        d.says(),
                        rules.service_within_days,
                        if rules.periods_in_working_days { "个工作日" } else { "日" },
                        Date::from_days(end).iso()
                    ),
                    Some(receipt),
                );
            }
            for pay in case.of_kind("payment_receipt") {
                if let Some(p) = case.doc_date(pay) {
                    let days = p.date.days() - served.date.days();
                    if days > rules.payment_within_days {
                        out.add(
                            "PAYMENT_LATE",
                            Severity::Info,
                            format!(
                                "缴款日 {} 距决定书送达日 {} 共 {days} 日，超过 {} 日（行政处罚法第六十七条、第七十二条：可加处罚款）",
                                p.says(),
                                served.says(),
                                rules.payment_within_days
                            ),
                            Some(pay),
                        );
                    }
                }
            }
        }
    }
    out.0.extend(super::formal::check(
        &case,
        &rules.formal,
        rules.periods_in_working_days,
    ));
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(seq: u32, kind: &str, title: &str, date: &str) -> DocumentJson {
        DocumentJson {
            seq,
            kind: kind.into(),
            title: Some(title.into()),
            doc_no: None,
            responsible: None,
            date: Some(date.into()),
            first_page: seq,
            last_page: seq,
            page_no_from: None,
            page_no_to: None,
        }
    }

    /// A sound case: filed, investigated, told, heard, decided, served, paid, closed.
    fn sound() -> VolumeJson {
        let documents = vec![
            doc(1, "inspection_record", "现场检查笔录", "2021-03-01"),
            doc(2, "filing_approval", "立案审批表", "2021-03-03"),
            doc(3, "inquiry_record", "询问笔录", "2021-03-10"),
            doc(4, "prior_notice", "行政处罚事先告知书", "2021-04-01"),
            doc(5, "statement_record", "陈述申辩笔录", "2021-04-03"),
            doc(6, "decision", "行政处罚决定书", "2021-04-20"),
            doc(
                7,
                "service_receipt",
                "送达回证（行政处罚决定书）",
                "2021-04-22",
            ),
            doc(8, "payment_receipt", "罚没款缴款凭证", "2021-04-30"),
            doc(9, "closing_approval", "结案审批表", "2021-05-10"),
            doc(10, "contents", "卷内目录", "2021-05-11"),
            doc(11, "notes_sheet", "卷内备考表", "2021-05-11"),
        ];
        serde_json::from_value(serde_json::json!({
            "id": "v", "archival_code": null, "fonds_code": null, "title": null, "year": 2021,
            "retention": null, "agency": null, "party": null, "party_id_code": null,
            "case_cause": null, "filed_date": "2021-03-03", "decided_date": "2021-04-20",
            "decision_no": null, "fine_amount": null, "closed_date": "2021-05-10",
            "item_count": 9, "page_count": 9, "status": "indexed",
            "documents": documents, "pages": []
        }))
        .unwrap()
    }

    fn codes(v: &VolumeJson) -> Vec<String> {
        check(v, None, ReviewRules::builtin())
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn a_sound_case_file_has_no_findings() {
        // Inspection before 立案 is how cases start: no reverse procedure.
        assert_eq!(codes(&sound()), Vec::<String>::new());
    }

    #[test]
    fn a_decision_after_90_days_is_a_breach_unless_extended() {
        let mut v = sound();
        v.decided_date = Some("2021-06-02".into()); // 91 days after 2021-03-03
        v.documents[5].date = v.decided_date.clone();
        v.documents[6].date = Some("2021-06-03".into());
        v.documents[7].date = Some("2021-06-10".into());
        let found = check(&v, None, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_OVER_90_DAYS")
            .unwrap();
        assert_eq!((f.severity, f.document), (Severity::Error, Some(6)));
        assert!(f.message.contains("91 日"), "{}", f.message);
        v.decided_date = Some("2021-06-01".into()); // 90 days: in time
        assert!(!codes(&v).contains(&"DECISION_OVER_90_DAYS".to_string()));

        v.decided_date = Some("2021-07-01".into());
        v.documents
            .push(doc(10, "other", "延长办案期限审批表", "2021-05-25"));
        let found = check(&v, None, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_OVER_90_DAYS")
            .unwrap();
        assert_eq!(f.severity, Severity::Info);
    }

    #[test]
    fn notice_order_and_the_defense_period() {
        let mut v = sound();
        v.documents[3].date = Some("2021-04-21".into());
        assert_eq!(codes(&v), ["NOTICE_AFTER_DECISION"]);

        // Decided two days after the notice: the 3-day period had not run out.
        let mut v = sound();
        v.documents[3].date = Some("2021-04-18".into());
        assert_eq!(codes(&v), ["DECISION_WITHIN_DEFENSE_PERIOD"]);
        // A notice that offers a hearing gives 5 days (working days, art. 85).
        let mut v = sound();
        v.documents[3].date = Some("2021-04-14".into());
        assert!(codes(&v).is_empty());
        v.documents[3].title = Some("行政处罚听证告知书".into());
        assert_eq!(codes(&v), ["DECISION_WITHIN_DEFENSE_PERIOD"]);
        // A receipt shows the notice was served later than it is dated.
        let mut v = sound();
        v.documents.push(doc(
            10,
            "service_receipt",
            "送达回证（事先告知书）",
            "2021-04-18",
        ));
        assert_eq!(codes(&v), ["DECISION_WITHIN_DEFENSE_PERIOD"]);
    }

    #[test]
    fn the_decision_tells_when_the_notice_was_served() {
        // Notice dated 04-01, served (as the decision says) 04-18, decided 04-20.
        let mut v = sound();
        // Pages of the decision (document 6).
        let page = |seq: u32, text: &str| page(seq, 6, text);
        v.pages = vec![page(
            6,
            "本局认为，当事人的上述行为违反了规定。\n2021年4月18日，本局向当事人送\n达了《行政处罚事先告知书》（某罚告〔2021〕1号），告知当事人\n陈述申辩的权利。依据规定决定罚款，如不服可申请行政复议。",
        )];
        assert_eq!(codes(&v), ["DECISION_WITHIN_DEFENSE_PERIOD"]);
        // A decision served on a date says nothing about the notice.
        v.pages = vec![page(
            6,
            "2021年4月18日，本局向当事人送达了《行政处罚决定书》。依据规定，可申请行政复议。",
        )];
        assert!(codes(&v).is_empty());
        // The statement record's wording.
        v.pages = vec![page(
            5,
            "承办人：本局已于2021年4月17日向你单位送达了《行政处罚事先告知书》。依据规定，可申请行政复议。",
        )];
        assert_eq!(codes(&v), ["DECISION_WITHIN_DEFENSE_PERIOD"]);
    }

    #[test]
    fn a_decision_must_tell_the_remedies_and_its_legal_basis() {
        let mut v = sound();
        // The decision's page.
        let page = |text: &str| page(6, 6, text);
        v.pages = vec![page(
            "依据《食品安全法》第一百二十二条，决定罚款。\n如不服本决定，可申请行政复\n议或者提起行政诉讼。",
        )];
        assert!(codes(&v).is_empty(), "{:?}", codes(&v));
        v.pages = vec![page("决定罚款五万元。")];
        assert_eq!(
            codes(&v),
            ["DECISION_LACKS_REMEDIES", "DECISION_LACKS_LEGAL_BASIS"]
        );
        // No text (not read yet): nothing is claimed.
        v.pages = vec![page("")];
        assert!(codes(&v).is_empty());
    }

    #[test]
    fn missing_documents_and_late_service() {
        let mut v = sound();
        v.documents
            .retain(|d| d.kind != "service_receipt" && d.kind != "prior_notice");
        let found = codes(&v);
        assert!(
            found.contains(&"MISSING_SERVICE_RECEIPT".to_string()),
            "{found:?}"
        );
        assert!(
            found.contains(&"MISSING_PRIOR_NOTICE".to_string()),
            "{found:?}"
        );

        // Seven working days after Tuesday 2021-04-20 end on the 28th (Sunday
        // the 25th was worked for 劳动节).
        let mut v = sound();
        v.documents[6].date = Some("2021-04-28".into());
        assert!(codes(&v).is_empty());
        v.documents[6].date = Some("2021-04-29".into());
        assert_eq!(codes(&v), ["SERVICE_LATE"]);

        // No dates at all: only what is missing, never a guessed breach.
        let mut v = sound();
        for d in &mut v.documents {
            d.date = None;
        }
        v.filed_date = None;
        v.decided_date = None;
        v.closed_date = None;
        assert!(codes(&v).is_empty());
    }

    fn page(seq: u32, document: u32, text: &str) -> crate::model::PageJson {
        serde_json::from_value(serde_json::json!({
            "seq": seq, "source": "x.jpg", "source_page": 0, "document": document,
            "page_no": null, "rotation": 0, "skew_deg": 0.0, "blank": false, "dpi": 300,
            "color_mode": "gray", "flags": [], "ocr_confidence": 0.9, "text": text
        }))
        .unwrap()
    }

    #[test]
    fn the_notice_states_its_period_in_working_days() {
        // Served Tuesday 2019-04-02, five working days (清明 on Friday the 5th):
        // the period ends on Wednesday the 10th.
        let mut v = sound();
        v.documents[3].date = Some("2019-04-01".into());
        v.documents[4].date = Some("2019-04-03".into());
        v.documents
            .push(doc(10, "service_receipt", "送达回证", "2019-04-02"));
        v.pages = vec![
            page(
                4,
                4,
                "你单位如需陈述、申辩，请在收到本告知书之日起五个工作日内向本局提出陈述、申辩意见；逾期视为放弃。",
            ),
            page(
                10,
                10,
                "送达文书名称及文号《行政处罚事先告知书》（某罚告〔2019〕1号）",
            ),
        ];
        for (decided, breach) in [("2019-04-10", true), ("2019-04-11", false)] {
            v.decided_date = Some(decided.into());
            v.documents[5].date = v.decided_date.clone();
            let found = check(&v, None, ReviewRules::builtin());
            let f = found
                .iter()
                .find(|f| f.code == "DECISION_WITHIN_DEFENSE_PERIOD");
            assert_eq!(f.is_some(), breach, "{decided}: {found:?}");
            if let Some(f) = f {
                assert_eq!(f.severity, Severity::Error);
                // The values compared and where each was read.
                for part in [
                    "2019-04-10",
                    "5个工作日",
                    "第4页告知书写明",
                    "2019-04-02（第10页 送达回证）",
                    "第6页 行政处罚决定书",
                ] {
                    assert!(f.message.contains(part), "{part} in {}", f.message);
                }
            }
        }
        // 「三日内」 in calendar days.
        v.pages[0] = page(4, 4, "当事人可在收到本告知书之日起三日内提出陈述和申辩。");
        v.decided_date = Some("2019-04-05".into());
        v.documents[5].date = v.decided_date.clone();
        assert!(codes(&v).contains(&"DECISION_WITHIN_DEFENSE_PERIOD".to_string()));
        v.decided_date = Some("2019-04-06".into());
        v.documents[5].date = v.decided_date.clone();
        assert!(!codes(&v).contains(&"DECISION_WITHIN_DEFENSE_PERIOD".to_string()));
    }

    #[test]
    fn periods_stated_in_figures_or_chinese() {
        assert_eq!(
            stated_periods("请于收到本告知书之日起5个工作日内提出陈述申辩"),
            [(5, true)]
        );
        assert_eq!(
            stated_periods("陈述、申辩请于三日内提出；要求听证的，应在收到之日起五日内提出"),
            [(3, false), (5, false)]
        );
        assert!(
            stated_periods("当事人应于十五日内缴纳罚款").is_empty(),
            "not about the party's statement"
        );
    }

    #[test]
    fn a_receipt_serves_the_document_it_names() {
        // Only the notice's receipt: the decision was never shown served.
        let mut v = sound();
        v.documents[6].title = Some("送达回证".into());
        v.pages = vec![page(
            7,
            7,
            "送达文书名称及文号《行政处罚事先告知书》（某罚告〔2021〕3号）受送达人某公司",
        )];
        let found = check(&v, None, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "MISSING_SERVICE_RECEIPT")
            .expect("missing receipt");
        assert_eq!(f.severity, Severity::Error);
        assert!(
            f.message.contains("第7页为行政处罚事先告知书送达"),
            "{}",
            f.message
        );
        // Named by its 文号 only.
        v.documents[5].doc_no = Some("某罚决〔2021〕3号".into());
        v.pages = vec![page(7, 7, "送达文书：某罚决〔2021〕3号 受送达人某公司")];
        assert!(!codes(&v).contains(&"MISSING_SERVICE_RECEIPT".to_string()));
        // A receipt whose document cannot be read out: a question, not a breach.
        v.pages = vec![page(7, 7, "受送达人某公司")];
        let found = check(&v, None, ReviewRules::builtin());
        assert!(
            found
                .iter()
                .all(|f| f.code != "MISSING_SERVICE_RECEIPT" || f.severity == Severity::Warning)
        );
    }

    #[test]
    fn a_doubtful_date_asks_instead_of_accusing() {
        use crate::indexing::{Field, VolumeIndex};
        // The decision's date read as earlier than the filing: with the date read
        // surely, an error; with its role in doubt (a date from the body), a warning.
        let mut v = sound();
        v.decided_date = Some("2021-03-01".into());
        v.documents[5].date = v.decided_date.clone();
        let found = check(&v, None, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_BEFORE_FILING")
            .unwrap();
        assert_eq!(f.severity, Severity::Error);
        let mut fields = std::collections::BTreeMap::new();
        fields.insert(
            "decided_date".to_string(),
            Field {
                value: v.decided_date.clone(),
                confidence: 0.3,
                page: Some(6),
                ..Default::default()
            },
        );
        let index = VolumeIndex {
            version: "t".into(),
            fields,
            documents: Vec::new(),
            pages: Vec::new(),
            item_count: 0,
            page_count: 0,
            printed_contents: Vec::new(),
            findings: Vec::new(),
        };
        let found = check(&v, Some(&index), ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_BEFORE_FILING")
            .unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message.contains("存疑"), "{}", f.message);
    }
}
