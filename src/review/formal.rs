//! Formal checks of a 行政处罚案卷 beside the statutory periods: amounts in words
//! against figures, the same 文号 on the decision and its 送达回证, the same party
//! throughout, two officers with certificates on every record, 法制审核 and the
//! hearing offered where the fine reaches the rules' amounts, 立案 in time after
//! the inspection. Each check is a finding code with its law text in
//! `assets/review/rules.json` (`formal.checks`); a check the bureau's file does
//! not list does not run.

use serde::Deserialize;

use super::statutory::Case;
use crate::indexing::identifiers::find_doc_no;
use crate::indexing::values::{Date, capital_amount, figure_amount};
use crate::model::{DocumentJson, Finding, Severity};

/// `formal` in the rules file.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct FormalRules {
    /// The fine (yuan) from which the party must be offered a hearing.
    pub hearing_fine_at_least: Amounts,
    /// The fine (yuan) from which 法制审核 must come before the decision.
    pub legal_review_fine_at_least: Amounts,
    /// Days (working days when the rules count so) from the inspection to 立案.
    pub filing_within_days: i64,
    /// Officers with a certificate number on each 询问笔录 / 现场检查笔录.
    pub officers_at_least: usize,
    pub checks: Vec<Check>,
}

/// An amount for a natural person and one for an organisation.
#[derive(Debug, Clone, Copy, Deserialize, Default)]
pub struct Amounts {
    pub person: f64,
    pub organisation: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Check {
    pub code: String,
    pub severity: Severity,
    pub law: String,
}

/// Runs the formal checks the rules list on the case statutory review reads.
pub(super) fn check(case: &Case<'_>, rules: &FormalRules, working_days: bool) -> Vec<Finding> {
    let volume = case.volume;
    let mut out = Vec::new();
    let mut add = |code: &str, what: String, doc: Option<&DocumentJson>| {
        if let Some(c) = rules.checks.iter().find(|c| c.code == code) {
            out.push(
                Finding::new(code, c.severity, format!("{what}：{}", c.law))
                    .on_page(doc.map(|d| d.first_page))
                    .on_document(doc.map(|d| d.seq)),
            );
        }
    };
    let of_kind = |kind: &str| case.of_kind(kind);
    let text = |d: &DocumentJson| case.text(d);
    let decision = of_kind("decision").into_iter().next();
    let person = volume
        .party_id_code
        .as_deref()
        .is_some_and(crate::indexing::identifiers::id_number_valid);
    let fine = volume.fine_amount.unwrap_or(0.0);
    let reaches = |a: Amounts| {
        let at_least = if person { a.person } else { a.organisation };
        at_least > 0.0 && fine >= at_least
    };

    // 大写 against the figures: 「罚款10,000.00元（人民币壹万元整）」.
    if let Some(d) = decision {
        for (figure, words) in amounts_with_words(&text(d)) {
            if let Some((said, _)) = capital_amount(&words)
                && (said - figure).abs() > 0.005
            {
                add(
                    "AMOUNT_WORDS_MISMATCH",
                    format!("决定书金额 {figure} 元与大写「{words}」（{said} 元）不符"),
                    Some(d),
                );
            }
        }
    }

    // The decision's 文号 on the receipt that serves it.
    let decision_no = volume
        .decision_no
        .clone()
        .or_else(|| decision.and_then(|d| d.doc_no.clone()));
    if let Some(no) = &decision_no {
        for r in of_kind("service_receipt") {
            let t = text(r);
            if !t.contains("决定书") {
                continue;
            }
            if let Some((theirs, _)) = find_doc_no(&t)
                && theirs.contains('决')
                && theirs != *no
            {
                add(
                    "DECISION_NO_MISMATCH",
                    format!("送达回证所列决定书文号 {theirs} 与决定书文号 {no} 不一致"),
                    Some(r),
                );
            }
        }
    }

    // The same party throughout (OCR may misread one character: two or more differ).
    if let Some(party) = volume.party.as_deref() {
        for d in volume.documents.iter() {
            let t = text(d);
            let Some(at) = t.find("当事人：") else {
                continue;
            };
            let rest = &t[at + "当事人：".len()..];
            let named: String = rest
                .chars()
                .take_while(|c| crate::text::is_cjk(*c) || "（）()".contains(*c))
                .take(40)
                .collect();
            // Only a name of the same length can be compared by characters;
            // the record's own line breaks join the next label otherwise.
            let shared: String = named.chars().take(party.chars().count()).collect();
            if shared.chars().count() == party.chars().count() && differing(&shared, party) >= 2 {
                add(
                    "PARTY_NAME_MISMATCH",
                    format!(
                        "{}所载当事人「{shared}」与案卷当事人「{party}」不一致",
                        Case::name(d)
                    ),
                    Some(d),
                );
            }
        }
    }

    // Two officers with certificate numbers on every record of an interview or inspection.
    if rules.officers_at_least > 0 {
        for d in of_kind("inquiry_record")
            .into_iter()
            .chain(of_kind("inspection_record"))
        {
            // A record without text (not read yet) cannot be judged.
            let t = text(d);
            let n = certificate_numbers(&t);
            if !t.is_empty() && n < rules.officers_at_least {
                add(
                    "OFFICERS_MISSING",
                    format!(
                        "{}只见 {n} 个执法证号，应有至少 {} 名执法人员",
                        Case::name(d),
                        rules.officers_at_least
                    ),
                    Some(d),
                );
            }
        }
    }

    // 法制审核 before the decision where the fine calls for it.
    if let Some(d) = decision {
        let reviews = of_kind("legal_review");
        let decided = volume.decided_date.as_deref().or(d.date.as_deref());
        match reviews.first() {
            None if reaches(rules.legal_review_fine_at_least) => add(
                "LEGAL_REVIEW_MISSING",
                format!("罚款 {fine} 元，卷内没有法制审核"),
                Some(d),
            ),
            Some(r) => {
                if let (Some(reviewed), Some(decided)) = (r.date.as_deref(), decided)
                    && reviewed > decided
                {
                    add(
                        "LEGAL_REVIEW_AFTER_DECISION",
                        format!("法制审核日期 {reviewed} 晚于决定日期 {decided}"),
                        Some(r),
                    );
                }
            }
            None => {}
        }
    }

    // A hearing offered when the fine reaches the amount (听证告知).
    if decision.is_some() && reaches(rules.hearing_fine_at_least) {
        let offered = of_kind("prior_notice")
            .into_iter()
            .chain(of_kind("hearing_notice"))
            .any(|n| {
                text(n).contains("听证") || n.title.as_deref().is_some_and(|t| t.contains("听证"))
            });
        if !offered {
            add(
                "HEARING_NOT_OFFERED",
                format!("罚款 {fine} 元，告知书未告知听证权利"),
                of_kind("prior_notice").first().copied().or(decision),
            );
        }
    }

    // 立案 within the period after the inspection that found the matter.
    if rules.filing_within_days > 0
        && let (Some(found), Some(filed)) = (
            of_kind("inspection_record")
                .first()
                .and_then(|d| d.date.as_deref()),
            volume.filed_date.as_deref(),
        )
        && let (Some(a), Some(b)) = (Date::parse_iso(found), Date::parse_iso(filed))
    {
        let calendar = super::calendar::WorkCalendar::builtin();
        let due = calendar.period_end(a, rules.filing_within_days, working_days);
        if b.days() > due {
            add(
                "FILING_LATE",
                format!(
                    "检查日期 {found}，立案日期 {filed}，超过 {}{}",
                    rules.filing_within_days,
                    if working_days {
                        " 个工作日"
                    } else {
                        " 日"
                    }
                ),
                of_kind("filing_approval").first().copied(),
            );
        }
    }
    out
}

/// Characters that differ between two names of the same length.
fn differing(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).filter(|(x, y)| x != y).count()
}

/// Distinct certificate numbers (8 or more digits) on the lines that name
/// 执法证 and the line after each.
fn certificate_numbers(text: &str) -> usize {
    let mut found = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("执法证") {
        let window: String = rest[at..].chars().take(80).collect();
        let mut run = String::new();
        for c in window.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                run.push(c);
            } else {
                if run.len() >= 8 {
                    found.insert(run.clone());
                }
                run.clear();
            }
        }
        rest = &rest[at + "执法证".len()..];
    }
    found.len()
}

/// Figures in yuan followed by their amount in words: 「10,000.00元（人民币壹万元整）」
/// or 「…元（大写：壹万元整）」.
fn amounts_with_words(text: &str) -> Vec<(f64, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        let rest: String = chars[i..].iter().collect();
        let Some((figure, used)) = starts.then(|| figure_amount(&rest)).flatten() else {
            i += 1;
            continue;
        };
        i += used;
        if chars.get(i) != Some(&'元') {
            continue;
        }
        let after: String = chars[i + 1..].iter().take(30).collect();
        let Some(open) = after.strip_prefix('（').or_else(|| after.strip_prefix('(')) else {
            continue;
        };
        let inner: String = open
            .chars()
            .take_while(|c| !matches!(c, '）' | ')'))
            .collect();
        let words = inner
            .trim_start_matches("人民币")
            .trim_start_matches("大写")
            .trim_start_matches(['：', ':'])
            .to_string();
        if words
            .chars()
            .any(|c| "壹贰叁肆伍陆柒捌玖拾佰仟万".contains(c))
        {
            out.push((figure, words));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VolumeJson;

    fn rules() -> FormalRules {
        super::super::ReviewRules::builtin().formal.clone()
    }

    fn volume(docs: &[(&str, &str, &str, &str)], fine: f64, party: &str) -> VolumeJson {
        let documents: Vec<serde_json::Value> = docs
            .iter()
            .enumerate()
            .map(|(i, (kind, title, date, _))| {
                serde_json::json!({"seq": i + 1, "kind": kind, "title": title, "doc_no": null,
                    "responsible": null, "date": date, "first_page": i + 1, "last_page": i + 1,
                    "page_no_from": null, "page_no_to": null})
            })
            .collect();
        let pages: Vec<serde_json::Value> = docs
            .iter()
            .enumerate()
            .map(|(i, (_, _, _, text))| {
                serde_json::json!({"seq": i + 1, "source": "x.jpg", "source_page": i, "document": i + 1,
                    "page_no": i + 1, "blank": false, "rotation": 0, "skew_deg": 0.0, "dpi": 300,
                    "width_px": 2480, "height_px": 3508, "color_mode": "gray", "flags": [],
                    "ocr_confidence": 0.9, "text": text})
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": "v", "archival_code": null, "fonds_code": null, "title": null, "year": 2023,
            "retention": null, "agency": null, "party": party, "party_id_code": "91350100M000100Y43",
            "case_cause": null, "filed_date": "2023-03-03", "decided_date": "2023-04-20",
            "decision_no": "某市监罚决〔2023〕7号", "fine_amount": fine, "closed_date": null,
            "item_count": 1, "page_count": 1, "status": "indexed",
            "documents": documents, "pages": pages
        }))
        .unwrap()
    }

    const OFFICERS: &str = "检查人员：张三、李四 执法证号：35010012345、35010067890";

    fn sound(fine: f64) -> Vec<(&'static str, &'static str, &'static str, String)> {
        vec![
            (
                "inspection_record",
                "现场检查笔录",
                "2023-03-01",
                format!("当事人：某某食品有限公司\n{OFFICERS}"),
            ),
            (
                "filing_approval",
                "立案审批表",
                "2023-03-03",
                "当事人：某某食品有限公司".into(),
            ),
            (
                "inquiry_record",
                "询问笔录",
                "2023-03-05",
                format!("询问人：{OFFICERS}"),
            ),
            (
                "legal_review",
                "法制审核意见书",
                "2023-04-10",
                String::new(),
            ),
            (
                "prior_notice",
                "行政处罚事先告知书",
                "2023-04-12",
                "你单位有权进行陈述、申辩，并有权要求听证。".into(),
            ),
            (
                "decision",
                "行政处罚决定书",
                "2023-04-20",
                format!("当事人：某某食品有限公司\n罚款{fine}元（人民币伍万元整）。"),
            ),
            (
                "service_receipt",
                "送达回证",
                "2023-04-21",
                "《行政处罚决定书》（某市监罚决〔2023〕7号）".into(),
            ),
        ]
    }

    fn codes(docs: &[(&str, &str, &str, String)], fine: f64) -> Vec<String> {
        let docs: Vec<(&str, &str, &str, &str)> = docs
            .iter()
            .map(|(a, b, c, d)| (*a, *b, *c, d.as_str()))
            .collect();
        let v = volume(&docs, fine, "某某食品有限公司");
        let case = Case {
            volume: &v,
            index: None,
        };
        check(&case, &rules(), true)
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn a_sound_file_passes_every_formal_check() {
        assert_eq!(codes(&sound(50000.0), 50000.0), Vec::<String>::new());
    }

    #[test]
    fn amounts_in_words_are_read_and_compared() {
        assert_eq!(
            amounts_with_words("罚款10,000.00元（人民币壹万元整）。"),
            [(10000.0, "壹万元整".to_string())]
        );
        let mut docs = sound(50000.0);
        docs[5].3 = "当事人：某某食品有限公司\n罚款50000元（人民币伍仟元整）。".into();
        assert_eq!(codes(&docs, 50000.0), ["AMOUNT_WORDS_MISMATCH"]);
    }

    #[test]
    fn the_receipt_names_the_decisions_number_and_the_party_is_the_same() {
        let mut docs = sound(50000.0);
        docs[6].3 = "《行政处罚决定书》（某市监罚决〔2023〕9号）".into();
        assert_eq!(codes(&docs, 50000.0), ["DECISION_NO_MISMATCH"]);
        let mut docs = sound(50000.0);
        // One character misread is OCR's; two are another party.
        docs[1].3 = "当事人：某某食晶有限公司".into();
        assert!(codes(&docs, 50000.0).is_empty());
        docs[1].3 = "当事人：某甲饮品有限公司".into();
        assert_eq!(codes(&docs, 50000.0), ["PARTY_NAME_MISMATCH"]);
    }

    #[test]
    fn records_need_two_officers_with_certificates() {
        assert_eq!(certificate_numbers(OFFICERS), 2);
        let mut docs = sound(50000.0);
        docs[2].3 = "询问人：张三 执法证号：35010012345".into();
        assert_eq!(codes(&docs, 50000.0), ["OFFICERS_MISSING"]);
    }

    #[test]
    fn legal_review_and_hearing_where_the_fine_reaches_the_rules_amount() {
        let mut docs = sound(150000.0);
        docs[5].3 = "当事人：某某食品有限公司\n罚款150000元（人民币拾伍万元整）。".into();
        // 法制审核 after the decision; the notice offers no hearing.
        docs[3].2 = "2023-04-25";
        docs[4].3 = "你单位有权进行陈述、申辩。".into();
        let found = codes(&docs, 150000.0);
        assert_eq!(
            found,
            ["LEGAL_REVIEW_AFTER_DECISION", "HEARING_NOT_OFFERED"]
        );
        docs.remove(3);
        assert!(codes(&docs, 150000.0).contains(&"LEGAL_REVIEW_MISSING".to_string()));
        // Below the amounts neither is needed.
        let mut small = sound(5000.0);
        small.remove(3);
        small[3].3 = "你单位有权进行陈述、申辩。".into();
        small[4].3 = "当事人：某某食品有限公司\n罚款5000元（人民币伍仟元整）。".into();
        assert!(
            codes(&small, 5000.0).is_empty(),
            "{:?}",
            codes(&small, 5000.0)
        );
    }

    #[test]
    fn filing_comes_within_its_period_after_the_inspection() {
        let mut docs = sound(50000.0);
        docs[0].2 = "2023-01-03";
        assert_eq!(codes(&docs, 50000.0), ["FILING_LATE"]);
    }
}
