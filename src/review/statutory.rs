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

use crate::indexing::Finding;
use crate::indexing::values::Date;
use crate::model::{DocumentJson, VolumeJson};

#[derive(Debug, Clone, Deserialize)]
pub struct ReviewRules {
    pub version: String,
    pub decision_within_days: i64,
    pub extension_title_words: Vec<String>,
    pub defense_days: i64,
    pub hearing_request_days: i64,
    pub hearing_notice_words: Vec<String>,
    pub service_within_days: i64,
    pub payment_within_days: i64,
    pub mentions: Vec<Mention>,
    pub required: Vec<Required>,
}

/// Words a document of a kind must hold (one of them), e.g. the remedies in a
/// decision (art. 59).
#[derive(Debug, Clone, Deserialize)]
pub struct Mention {
    pub kind: String,
    pub any_of: Vec<String>,
    pub code: String,
    pub severity: String,
    pub law: String,
}

/// A document kind the case file must hold.
#[derive(Debug, Clone, Deserialize)]
pub struct Required {
    pub kind: String,
    /// Applies only when a document of this kind is present.
    #[serde(default)]
    pub when: Option<String>,
    pub code: String,
    pub severity: String,
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

fn date(s: Option<&str>) -> Option<Date> {
    s.and_then(Date::parse_iso)
}

/// A 送达回证 for the 事先告知书 (「送达回证（事先告知书）」), not for the decision.
fn serves_the_notice(receipt: &DocumentJson) -> bool {
    receipt.title.as_deref().is_some_and(|t| t.contains("告知"))
}

fn of_kind<'a>(volume: &'a VolumeJson, kind: &str) -> Vec<&'a DocumentJson> {
    volume.documents.iter().filter(|d| d.kind == kind).collect()
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
        severity: &str,
        message: String,
        document: Option<&DocumentJson>,
    ) {
        self.0.push(Finding {
            code: code.into(),
            severity: severity.into(),
            message,
            page: document.map(|d| d.first_page),
            document: document.map(|d| d.seq),
        });
    }
}

/// The day the 事先告知书 was served, as the file's own text tells it: decisions
/// and statement records say 「2021年10月18日，本局向当事人送达了《行政处罚事先
/// 告知书》」 or 「本局已于2021年10月18日向你单位送达了《…告知书》」. The earliest
/// such date (the one least likely to accuse wrongly).
fn notice_served_in_text(volume: &VolumeJson) -> Option<Date> {
    use crate::indexing::values::{dates, squash};
    volume
        .pages
        .iter()
        .filter_map(|p| p.text.as_deref())
        .flat_map(|text| {
            let text = squash(text);
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
                    let before: String = s[..served_at].to_string();
                    dates(&before)
                        .into_iter()
                        .map(|(d, _)| d)
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .min()
}

/// The statutory findings of a volume.
pub fn check(volume: &VolumeJson, rules: &ReviewRules) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    for r in &rules.required {
        let applies = r
            .when
            .as_deref()
            .is_none_or(|k| !of_kind(volume, k).is_empty());
        if applies && of_kind(volume, &r.kind).is_empty() {
            let name = crate::indexing::kinds::KindTable::builtin()
                .rule(&r.kind)
                .map_or(r.kind.as_str(), |k| k.name.as_str());
            out.add(
                &r.code,
                &r.severity,
                format!("卷内缺少{name}：{}", r.law),
                None,
            );
        }
    }

    for m in &rules.mentions {
        for doc in of_kind(volume, &m.kind) {
            let text: String = volume
                .pages
                .iter()
                .filter(|p| p.document == Some(doc.seq))
                .filter_map(|p| p.text.as_deref())
                .collect::<Vec<_>>()
                .concat();
            let text = crate::indexing::values::squash(&text);
            if !text.is_empty() && !m.any_of.iter().any(|w| text.contains(w.as_str())) {
                out.add(
                    &m.code,
                    &m.severity,
                    format!(
                        "{}未见「{}」：{}",
                        doc.title.as_deref().unwrap_or(&m.kind),
                        m.any_of.join("」或「"),
                        m.law
                    ),
                    Some(doc),
                );
            }
        }
    }

    let decisions = of_kind(volume, "decision");
    let decision_doc = decisions.first().copied();
    let filing_doc = of_kind(volume, "filing_approval").first().copied();
    let filed =
        date(volume.filed_date.as_deref()).or(date(filing_doc.and_then(|d| d.date.as_deref())));
    let decided =
        date(volume.decided_date.as_deref()).or(date(decision_doc.and_then(|d| d.date.as_deref())));
    let closed = date(volume.closed_date.as_deref()).or(date(
        of_kind(volume, "closing_approval")
            .last()
            .and_then(|d| d.date.as_deref()),
    ));

    // Art. 60: decided within 90 days of 立案, unless an extension was approved.
    if let (Some(f), Some(d)) = (filed, decided) {
        let days = d.days() - f.days();
        if days < 0 {
            out.add(
                "DECISION_BEFORE_FILING",
                "error",
                format!("决定日期 {} 早于立案日期 {}", d.iso(), f.iso()),
                decision_doc,
            );
        } else if days > rules.decision_within_days {
            let extended = volume
                .documents
                .iter()
                .any(|doc| title_has(doc, &rules.extension_title_words));
            out.add(
                "DECISION_OVER_90_DAYS",
                if extended { "info" } else { "error" },
                format!(
                    "决定日期距立案日期 {days} 日，超过 {} 日（行政处罚法第六十条）{}",
                    rules.decision_within_days,
                    if extended {
                        "；卷内有延期审批，请核对"
                    } else {
                        "，卷内未见延期审批"
                    }
                ),
                decision_doc,
            );
        }
    }
    if let (Some(d), Some(c)) = (decided, closed)
        && c < d
    {
        out.add(
            "CLOSED_BEFORE_DECISION",
            "error",
            format!("结案日期 {} 早于决定日期 {}", c.iso(), d.iso()),
            None,
        );
    }

    // Art. 44/62: the party is told before the decision, and may state and defend
    // (or ask for a hearing, art. 64) before it is made.
    let notices = of_kind(volume, "prior_notice");
    if let (Some(notice), Some(d)) = (notices.first(), decided)
        && let Some(n) = date(notice.date.as_deref())
    {
        if n > d {
            out.add(
                "NOTICE_AFTER_DECISION",
                "error",
                format!(
                    "事先告知书日期 {} 晚于决定日期 {}：应在作出决定前告知（行政处罚法第四十四条、第六十二条）",
                    n.iso(),
                    d.iso()
                ),
                Some(notice),
            );
        } else {
            // The notice was served on its date or later: its date is a lower
            // bound; a receipt for the notice, or the decision telling when the
            // notice was served, gives the day itself.
            let served = of_kind(volume, "service_receipt")
                .into_iter()
                .filter(|r| serves_the_notice(r))
                .filter_map(|r| date(r.date.as_deref()))
                .chain(notice_served_in_text(volume))
                .filter(|s| *s >= n && *s <= d)
                .min()
                .unwrap_or(n);
            let period = if title_has(notice, &rules.hearing_notice_words) {
                rules.hearing_request_days
            } else {
                rules.defense_days
            };
            let waited = d.days() - served.days();
            if waited <= period {
                out.add(
                    "DECISION_WITHIN_DEFENSE_PERIOD",
                    "error",
                    format!(
                        "告知书 {} 送达后第 {waited} 日即作出决定，当事人 {period} 日的陈述申辩（听证申请）期限未满（行政处罚法第四十四条、第四十五条、第六十四条）",
                        served.iso()
                    ),
                    decision_doc,
                );
            }
        }
    }

    // Art. 61: the decision served within 7 days; art. 67: paid within 15 days.
    if let Some(d) = decided {
        let receipts: Vec<(&DocumentJson, Date)> = of_kind(volume, "service_receipt")
            .into_iter()
            .filter(|r| !serves_the_notice(r))
            .filter_map(|r| Some((r, date(r.date.as_deref())?)))
            .filter(|(_, s)| *s >= d)
            .collect();
        if let Some(&(receipt, served)) = receipts.first() {
            let days = served.days() - d.days();
            if days > rules.service_within_days {
                out.add(
                    "SERVICE_LATE",
                    "warning",
                    format!(
                        "决定书于决定后第 {days} 日送达，超过 {} 日（行政处罚法第六十一条）",
                        rules.service_within_days
                    ),
                    Some(receipt),
                );
            }
            for pay in of_kind(volume, "payment_receipt") {
                if let Some(p) = date(pay.date.as_deref()) {
                    let days = p.days() - served.days();
                    if days > rules.payment_within_days {
                        out.add(
                            "PAYMENT_LATE",
                            "info",
                            format!(
                                "罚款于送达后第 {days} 日缴纳，超过 {} 日（行政处罚法第六十七条、第七十二条：可加处罚款）",
                                rules.payment_within_days
                            ),
                            Some(pay),
                        );
                    }
                }
            }
        }
    }
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
        ];
        serde_json::from_value(serde_json::json!({
            "id": "v", "archival_code": null, "fonds_code": null, "title": null, "year": 2021,
            "retention": null, "agency": null, "party": null, "party_id_code": null,
            "case_cause": null, "filed_date": "2021-03-03", "decided_date": "2021-04-20",
            "decision_no": null, "fine_amount": null, "closed_date": "2021-05-10",
            "item_count": 9, "page_count": 9, "status": "done",
            "documents": documents, "pages": []
        }))
        .unwrap()
    }

    fn codes(v: &VolumeJson) -> Vec<String> {
        check(v, ReviewRules::builtin())
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
        let found = check(&v, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_OVER_90_DAYS")
            .unwrap();
        assert_eq!((f.severity.as_str(), f.document), ("error", Some(6)));
        assert!(f.message.contains("91 日"), "{}", f.message);
        v.decided_date = Some("2021-06-01".into()); // 90 days: in time
        assert!(!codes(&v).contains(&"DECISION_OVER_90_DAYS".to_string()));

        v.decided_date = Some("2021-07-01".into());
        v.documents
            .push(doc(10, "other", "延长办案期限审批表", "2021-05-25"));
        let found = check(&v, ReviewRules::builtin());
        let f = found
            .iter()
            .find(|f| f.code == "DECISION_OVER_90_DAYS")
            .unwrap();
        assert_eq!(f.severity, "info");
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
        // A notice that offers a hearing gives 5 days.
        let mut v = sound();
        v.documents[3].date = Some("2021-04-16".into());
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
        let page = |seq: u32, text: &str| -> crate::model::PageJson {
            serde_json::from_value(serde_json::json!({
                "seq": seq, "source": "x.jpg", "source_page": 0, "document": 6,
                "page_no": null, "rotation": 0, "skew_deg": 0.0, "blank": false, "dpi": 300,
                "color_mode": "gray", "flags": [], "ocr_confidence": 0.9, "text": text
            }))
            .unwrap()
        };
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
        let page = |text: &str| -> crate::model::PageJson {
            serde_json::from_value(serde_json::json!({
                "seq": 6, "source": "x.jpg", "source_page": 0, "document": 6,
                "page_no": null, "rotation": 0, "skew_deg": 0.0, "blank": false, "dpi": 300,
                "color_mode": "gray", "flags": [], "ocr_confidence": 0.9, "text": text
            }))
            .unwrap()
        };
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

        let mut v = sound();
        v.documents[6].date = Some("2021-04-28".into());
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
}
