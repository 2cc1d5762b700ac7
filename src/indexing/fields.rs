//! Field extraction: the volume's catalogue fields and each document's 文号,
//! 责任者, 题名 and 日期, read from labelled values on the pages (当事人：…),
//! identifiers validated by their check characters, dates and amounts, and the
//! scanned 卷内目录 where it names a document.

use std::collections::BTreeMap;

use super::archival::{self, CATEGORY, FONDS, RETENTION, VOLUME_NO, YEAR};
use super::contents::ContentsRow;
use super::identifiers::{code_tokens, credit_code_valid, find_doc_no, id_number_valid, repair};
use super::kinds::{DateRule, KindTable};
use super::split::PageEvidence;
use super::values::{Date, dates, fine_amounts, loose_date, squash};
use super::{DocumentIndex, Field, Finding, IndexContext, PageInput};

/// A line of a document with its page and squashed text.
struct Line<'a> {
    page: u32,
    bbox: [u32; 4],
    confidence: f32,
    text: String,
    _raw: &'a str,
}

fn doc_lines<'a>(pages: &'a [PageInput], doc: &DocumentIndex, next_first: u32) -> Vec<Line<'a>> {
    pages
        .iter()
        .filter(|p| p.seq >= doc.first_page && p.seq < next_first && !p.blank)
        .flat_map(|p| {
            p.lines.iter().map(move |l| Line {
                page: p.seq,
                bbox: l.bbox,
                confidence: l.confidence,
                text: squash(&l.text),
                _raw: &l.text,
            })
        })
        .collect()
}

/// Words that start the next label on a line (`苏萍性别：男`).
const NEXT_LABELS: &[&str] = &[
    "性别",
    "年龄",
    "联系电话",
    "电话",
    "职务",
    "执法证号",
    "统一社会信用代码",
    "信用代码",
    "法定代表人",
    "负责人",
    "住所",
    "地址",
    "身份证",
    "民族",
    "邮编",
    "受案时间",
    "案件来源",
];

fn cut_value(s: &str) -> String {
    let s = s.trim_start_matches(['：', ':', '，', ' ']);
    let mut end = s.len();
    for label in NEXT_LABELS {
        if let Some(p) = s.find(label)
            && p > 0
            && p < end
        {
            end = p;
        }
    }
    s[..end]
        .trim_end_matches(['：', ':', '，', '。', '；', ';'])
        .to_string()
}

/// Does a short line look like a form label rather than a value?
fn is_label(text: &str) -> bool {
    text.ends_with('：') || text.ends_with(':')
}

/// The value after the first of `labels` in `lines`: on the same line after the
/// label, else the next line (a form's value cell).
fn label_value(lines: &[Line<'_>], labels: &[&str]) -> Option<Field> {
    for (i, line) in lines.iter().enumerate() {
        for label in labels {
            let Some(at) = line.text.find(label) else {
                continue;
            };
            // A label is followed by a colon or ends its cell; inside prose it is not
            // a label (经查，当事人自…).
            let after = &line.text[at + label.len()..];
            if !(after.is_empty() || after.starts_with(['：', ':'])) {
                continue;
            }
            let value = cut_value(&line.text[at + label.len()..]);
            if !value.is_empty() {
                return Some(Field::found(value, line.confidence, line.page, line.bbox));
            }
            if let Some(next) = lines.get(i + 1)
                && next.page == line.page
                && !is_label(&next.text)
            {
                let value = cut_value(&next.text);
                if !value.is_empty() {
                    return Some(Field::found(value, next.confidence, next.page, next.bbox));
                }
            }
        }
    }
    None
}

/// Votes between candidate values; the winner's confidence is its share of the
/// votes times its own reading confidence.
#[derive(Default)]
struct Vote {
    candidates: Vec<(Field, f32)>,
}

impl Vote {
    fn add(&mut self, f: Option<Field>, weight: f32) {
        if let Some(f) = f.filter(|f| f.value.is_some()) {
            self.candidates.push((f, weight));
        }
    }
    fn winner(self) -> Field {
        let total: f32 = self.candidates.iter().map(|c| c.1).sum();
        let mut tally: BTreeMap<String, (f32, Field)> = BTreeMap::new();
        for (f, w) in self.candidates {
            let key = f.value.clone().unwrap_or_default();
            let e = tally.entry(key).or_insert((0.0, f));
            e.0 += w;
        }
        tally
            .into_values()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(w, mut f)| {
                f.confidence = (f.confidence * (0.5 + 0.5 * w / total.max(f32::EPSILON))).min(1.0);
                f
            })
            .unwrap_or_default()
    }
}

/// `本卷共12件17页`, `共有文件材料12件，共17页`.
pub fn stated_counts(text: &str) -> Option<(u32, u32)> {
    // The first `unit` right after a number (文件 is not a count of 件).
    let num_before = |s: &str, unit: char| -> Option<(u32, usize)> {
        let at = s
            .char_indices()
            .find(|&(i, c)| c == unit && s[..i].chars().last().is_some_and(|p| p.is_ascii_digit()))?
            .0;
        let digits: String = s[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let n: String = digits.chars().rev().collect();
        Some((n.parse().ok()?, at))
    };
    let start = text.find("本卷共").or_else(|| text.find("共有文件材料"))?;
    let rest = &text[start..];
    let (items, at) = num_before(rest, '件')?;
    let (leaves, _) = num_before(&rest[at..], '页')?;
    Some((items, leaves))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn extract(
    pages: &[PageInput],
    evidence: &[PageEvidence],
    documents: &mut [DocumentIndex],
    printed: &[ContentsRow],
    ctx: &IndexContext,
    table: &KindTable,
    findings: &mut Vec<Finding>,
) -> BTreeMap<String, Field> {
    let firsts: Vec<u32> = documents.iter().map(|d| d.first_page).collect();
    let lines_of = |i: usize| {
        doc_lines(
            pages,
            &documents[i],
            firsts.get(i + 1).copied().unwrap_or(u32::MAX),
        )
    };
    let all: Vec<Vec<Line<'_>>> = (0..documents.len()).map(lines_of).collect();
    let of_kind = |kind: &str| -> Vec<usize> {
        (0..documents.len())
            .filter(|&i| documents[i].kind == kind)
            .collect()
    };
    let mut v: BTreeMap<String, Field> = BTreeMap::new();

    // --- the agency: letterheads above the titles.
    let mut agency = Vote::default();
    for ev in evidence {
        if let (Some(i), Some(p)) = (ev.letterhead, pages.iter().find(|p| p.seq == ev.seq)) {
            let l = &p.lines[i];
            agency.add(
                Some(Field::found(squash(&l.text), l.confidence, p.seq, l.bbox)),
                1.0,
            );
        }
    }
    let agency = agency.winner();

    // --- the cover.
    let cover: Vec<&Line<'_>> = of_kind("cover")
        .iter()
        .flat_map(|&i| all[i].iter())
        .collect();
    let cover_lines: Vec<Line<'_>> = cover
        .iter()
        .map(|l| Line {
            page: l.page,
            bbox: l.bbox,
            confidence: l.confidence,
            text: l.text.clone(),
            _raw: l._raw,
        })
        .collect();
    let compiler = label_value(&cover_lines, &["立卷单位"]).unwrap_or_default();
    let cover_title = cover_title(&cover_lines);
    let cover_retention = label_value(&cover_lines, &["保管期限"]).and_then(|f| {
        archival::retention_code(f.value.as_deref()?).map(|c| Field {
            value: Some(c),
            ..f
        })
    });

    // --- 档号: printed on the cover, the 卷内目录 or the 备考表.
    let template = &ctx.settings.archival_code_template;
    let mut printed_code: Option<(Field, BTreeMap<String, String>)> = None;
    for kind in ["cover", "contents", "notes_sheet"] {
        for &i in &of_kind(kind) {
            for l in &all[i] {
                if let Some(at) = l.text.find("档号") {
                    let rest = l.text[at + "档号".len()..].trim_start_matches(['：', ':']);
                    let code = archival::normalize(rest);
                    if let Some(parts) = archival::parse(template, &code) {
                        printed_code.get_or_insert((
                            Field::found(code, l.confidence, l.page, l.bbox),
                            parts,
                        ));
                    }
                }
            }
        }
    }

    // --- party, identifiers, cause.
    let weight = |kind: &str| match kind {
        "decision" => 3.0,
        "filing_approval" | "investigation_report" | "closing_approval" => 2.0,
        _ => 1.0,
    };
    let mut party = Vote::default();
    let mut id_code = Vote::default();
    let mut invalid_codes = Vec::new();
    let mut cause = Vote::default();
    for (i, doc) in documents.iter().enumerate() {
        let lines = &all[i];
        let w = weight(&doc.kind);
        if !matches!(
            doc.kind.as_str(),
            "inquiry_record" | "statement_record" | "payment_receipt" | "service_receipt"
        ) {
            party.add(label_value(lines, &["当事人"]).filter(plausible_party), w);
        }
        if matches!(doc.kind.as_str(), "prior_notice" | "decision") {
            // The addressee after the 文号: `某某有限公司：`
            if let Some(p) = lines.iter().position(|l| find_doc_no(&l.text).is_some())
                && let Some(next) = lines.get(p + 1)
                && (next.text.ends_with('：') || next.text.ends_with(':'))
            {
                let name = next.text.trim_end_matches(['：', ':']).to_string();
                party.add(
                    Some(Field::found(name, next.confidence, next.page, next.bbox))
                        .filter(plausible_party),
                    w,
                );
            }
        }
        for (j, l) in lines.iter().enumerate() {
            let credit = l.text.contains("信用代码");
            let person = l.text.contains("身份证")
                && !matches!(doc.kind.as_str(), "inquiry_record" | "statement_record");
            if !(credit || person) {
                continue;
            }
            for near in lines.iter().skip(j).take(3).filter(|n| n.page == l.page) {
                for token in code_tokens(&near.text) {
                    let valid: fn(&str) -> bool = if credit {
                        credit_code_valid
                    } else {
                        id_number_valid
                    };
                    match repair(&token, valid) {
                        Some((code, repaired)) => {
                            let conf = near.confidence * if repaired { 0.8 } else { 1.0 };
                            id_code.add(Some(Field::found(code, conf, near.page, near.bbox)), w);
                        }
                        None => invalid_codes.push((token, near.page, near.bbox)),
                    }
                }
            }
        }
        cause.add(label_value(lines, &["案由"]), 2.0);
    }
    let party = party.winner();
    let id_code = id_code.winner();
    if id_code.value.is_none()
        && let Some((token, page, bbox)) = invalid_codes.first()
    {
        findings.push(Finding {
            code: "party_id_invalid".into(),
            severity: crate::model::Severity::Warning,
            message: format!("当事人代码 {token} 校验位不符"),
            page: Some(*page),
            document: None,
            bbox: Some(*bbox),
        });
    }
    // 案由 from a case name `<当事人>涉嫌<案由>案` or the cover title.
    for kind in ["filing_approval", "legal_review", "closing_approval"] {
        for &i in &of_kind(kind) {
            if let (Some(name), Some(p)) =
                (label_value(&all[i], &["案件名称"]), party.value.as_deref())
            {
                cause.add(
                    cause_from_name(name.value.as_deref().unwrap_or(""), p).map(|c| Field {
                        value: Some(c),
                        ..name.clone()
                    }),
                    1.0,
                );
            }
        }
    }
    if let (Some(t), Some(p)) = (&cover_title, party.value.as_deref()) {
        cause.add(
            cause_from_name(t.value.as_deref().unwrap_or(""), p).map(|c| Field {
                value: Some(c),
                ..t.clone()
            }),
            1.0,
        );
    }
    let cause = cause.winner();

    // --- documents: title, 文号, 责任者, 日期.
    let notes_date = of_kind("notes_sheet")
        .first()
        .and_then(|&i| doc_date(&all[i], DateRule::Last));
    for (i, doc) in documents.iter_mut().enumerate() {
        let lines = &all[i];
        let rule = table
            .rule(&doc.kind)
            .map(|r| r.date)
            .unwrap_or(DateRule::Last);
        doc.date = match doc.kind.as_str() {
            "cover" | "contents" => notes_date.clone().unwrap_or_default(),
            _ => doc_date(lines, rule).unwrap_or_default(),
        };
        doc.doc_no = own_doc_no(lines, evidence.iter().find(|e| e.seq == doc.first_page))
            .unwrap_or_default();
        doc.responsible = match doc.kind.as_str() {
            "cover" | "contents" | "notes_sheet" if compiler.value.is_some() => compiler.clone(),
            "payment_receipt" => bank(lines).unwrap_or_default(),
            _ => {
                let own = evidence
                    .iter()
                    .find(|e| e.seq == doc.first_page)
                    .and_then(|e| e.letterhead.map(|li| (e.seq, li)))
                    .and_then(|(seq, li)| pages.iter().find(|p| p.seq == seq).map(|p| &p.lines[li]))
                    .map(|l| Field::found(squash(&l.text), l.confidence, doc.first_page, l.bbox));
                own.unwrap_or_else(|| agency.clone())
            }
        };
        doc.title = Field::derived(
            Some(kind_title(doc, lines, evidence, table)),
            doc.kind_confidence,
        );
    }
    // The printed 卷内目录 names the documents it lists: take its titles, and its
    // values where the document itself gave none.
    let counted: Vec<usize> = (0..documents.len())
        .filter(|&i| table.counted(&documents[i].kind))
        .collect();
    for row in printed {
        let Some((from, _)) = row.pages else { continue };
        let Some(&i) = counted
            .iter()
            .find(|&&i| documents[i].page_no_from == Some(from))
        else {
            continue;
        };
        let doc = &mut documents[i];
        let from_row = |v: &Option<String>| Field {
            value: v.clone(),
            confidence: row.confidence,
            page: row.page,
            bbox: Some(row.bbox),
            corrected: false,
        };
        if row.title.is_some() {
            doc.title = from_row(&row.title);
        }
        if doc.doc_no.value.is_none() && row.doc_no.is_some() {
            doc.doc_no = from_row(&row.doc_no);
        }
        if let Some(named) = row
            .responsible
            .as_deref()
            .and_then(|r| responsible_from_row(r, doc.responsible.value.as_deref()))
        {
            doc.responsible = from_row(&Some(named));
        }
        // The row's date (typed, cleanly printed) stands in for a 落款 that the
        // seal left unreadable or damaged (its year had to be inferred).
        if row.date.is_some() && (doc.date.value.is_none() || doc.date.confidence < DAMAGED_DATE) {
            doc.date = from_row(&row.date);
        }
    }
    for (i, doc) in documents.iter_mut().enumerate() {
        if doc.date.value.is_none()
            && let Some(f) = any_date(&all[i])
        {
            doc.date = f;
        }
    }

    // --- dates and numbers of the case from its documents.
    let first_of = |kind: &str| documents.iter().find(|d| d.kind == kind);
    let filed = first_of("filing_approval")
        .map(|d| d.date.clone())
        .unwrap_or_default();
    let decided = first_of("decision")
        .map(|d| d.date.clone())
        .unwrap_or_default();
    let closed = first_of("closing_approval")
        .map(|d| d.date.clone())
        .unwrap_or_default();
    let mut decision_no = first_of("decision")
        .map(|d| d.doc_no.clone())
        .unwrap_or_default();
    if decision_no.value.is_none() {
        let everything: Vec<Line<'_>> = all.into_iter().flatten().collect();
        if let Some(f) = label_value(&everything, &["决定书文号"])
            && let Some((no, _)) = find_doc_no(f.value.as_deref().unwrap_or(""))
        {
            decision_no = Field {
                value: Some(no),
                ..f
            };
        }
    }
    let fine = fine(pages, documents, &firsts);

    // --- 档号 and its elements.
    let year_of = |f: &Field| {
        f.value
            .as_deref()
            .and_then(Date::parse_iso)
            .map(|d| d.year.to_string())
    };
    let year = printed_code
        .as_ref()
        .map(|(f, p)| Field {
            value: p.get(YEAR).cloned(),
            ..f.clone()
        })
        .or_else(|| {
            // Else the year of the case: filed, closed, decided, any dated document.
            let dated = documents.iter().map(|d| &d.date);
            [&filed, &closed, &decided]
                .into_iter()
                .chain(dated)
                .find_map(|f| {
                    year_of(f).map(|y| Field {
                        value: Some(y),
                        confidence: f.confidence * 0.8,
                        ..f.clone()
                    })
                })
        })
        .unwrap_or_default();
    let retention = printed_code
        .as_ref()
        .and_then(|(f, p)| {
            p.get(RETENTION).map(|r| Field {
                value: Some(r.clone()),
                ..f.clone()
            })
        })
        .or(cover_retention)
        .unwrap_or_else(|| Field::derived(Some(ctx.settings.retention.clone()), 0.5));
    let fonds = printed_code
        .as_ref()
        .and_then(|(f, p)| {
            p.get(FONDS).map(|r| Field {
                value: Some(r.clone()),
                ..f.clone()
            })
        })
        .unwrap_or_else(|| Field::derived(ctx.settings.fonds_code.clone(), 0.9));
    let archival_code = match &printed_code {
        Some((f, _)) => f.clone(),
        None => {
            let mut values = BTreeMap::new();
            if let Some(f) = &fonds.value {
                values.insert(FONDS, f.clone());
            }
            values.insert(CATEGORY, ctx.settings.category_code.clone());
            if let Some(y) = &year.value {
                values.insert(YEAR, y.clone());
            }
            if let Some(r) = &retention.value {
                values.insert(RETENTION, r.clone());
            }
            values.insert(VOLUME_NO, ctx.next_volume_no.max(1).to_string());
            let code = archival::render(template, &values);
            if code.is_none() {
                findings.push(Finding {
                    code: "archival_code_incomplete".into(),
                    severity: crate::model::Severity::Warning,
                    message: "无法生成档号：缺少全宗号或年度（在设置中填写全宗号）".into(),
                    page: None,
                    document: None,
                    bbox: None,
                });
            }
            Field::derived(code, 0.6)
        }
    };
    let title = cover_title.unwrap_or_else(|| {
        // 案卷题名 = 当事人 + 违法行为 + 案; without the cause, a title the clerk
        // must complete (low confidence, so the form marks it doubtful).
        match (&party.value, &cause.value) {
            (Some(p), Some(c)) => Field::derived(Some(format!("{p}{c}案")), 0.5),
            (Some(p), None) => Field::derived(Some(format!("{p}行政处罚案")), 0.3),
            _ => Field::default(),
        }
    });

    v.insert("archival_code".into(), archival_code);
    v.insert("fonds_code".into(), fonds);
    v.insert("title".into(), title);
    v.insert("year".into(), year);
    v.insert("retention".into(), retention);
    v.insert("agency".into(), agency);
    v.insert("compiler".into(), compiler);
    v.insert("party".into(), party);
    v.insert("party_id_code".into(), id_code);
    v.insert("case_cause".into(), cause);
    v.insert("filed_date".into(), filed);
    v.insert("decided_date".into(), decided);
    v.insert("decision_no".into(), decision_no);
    v.insert("fine_amount".into(), fine);
    v.insert("closed_date".into(), closed);
    v
}

fn plausible_party(f: &Field) -> bool {
    let v = f.value.as_deref().unwrap_or("");
    let n = v.chars().count();
    (2..=40).contains(&n) && !v.contains("签名") && !v.contains("涉嫌") && !v.starts_with('的')
}

/// `案卷题名：…` with its wrapped continuation lines.
fn cover_title(lines: &[Line<'_>]) -> Option<Field> {
    let i = lines.iter().position(|l| l.text.contains("案卷题名"))?;
    let first = &lines[i];
    let mut text = cut_value(&first.text[first.text.find("案卷题名")? + "案卷题名".len()..]);
    for next in &lines[i + 1..] {
        if next.text.contains('：') || next.text.contains(':') || next.page != first.page {
            break;
        }
        text.push_str(&next.text);
    }
    (!text.is_empty()).then(|| Field::found(text, first.confidence, first.page, first.bbox))
}

/// 案由 from a case name: drop `关于`, the party, `涉嫌`, the closing `(一)案`.
fn cause_from_name(name: &str, party: &str) -> Option<String> {
    let name = name.strip_prefix("关于").unwrap_or(name);
    let rest = name.strip_prefix(party)?;
    let rest = rest.strip_prefix("涉嫌").unwrap_or(rest);
    let rest = rest
        .strip_suffix("一案")
        .or_else(|| rest.strip_suffix('案'))?;
    let rest = rest.strip_suffix('的').unwrap_or(rest);
    (rest.chars().count() >= 2).then(|| rest.to_string())
}

/// The document's own date, by its role. Records (`first`) state their time at
/// the top. Signed documents and forms (`last`) are dated at the end, in the 落款
/// beside the issuing authority or in a form's date cell: the last line of the
/// last page that holds a date and little else. A date inside a sentence is one
/// the text cites (立案, 检查, 询问, 告知 …), never the document's own. When the
/// seal ate the year, it is the year of the latest date the document cites that
/// keeps the order (confidence lowered). `None` when the last page shows no such
/// date: the 卷内目录 or, doubtfully, the body then tell.
fn doc_date(lines: &[Line<'_>], rule: DateRule) -> Option<Field> {
    let last_page = lines.last()?.page;
    if rule == DateRule::First {
        let (d, l) = lines
            .iter()
            .flat_map(|l| dates(&l.text).into_iter().map(move |(d, _)| (d, l)))
            .next()?;
        return Some(Field::found(d.iso(), l.confidence, l.page, l.bbox));
    }
    let cited_latest = lines
        .iter()
        .flat_map(|l| dates(&l.text))
        .map(|(d, _)| d)
        .max();
    lines
        .iter()
        .rev()
        .filter(|l| l.page == last_page)
        .find_map(|l| {
            let loose = loose_date(&l.text).filter(|d| d.stands_alone())?;
            let (date, confidence) = match loose.date() {
                Some(d) => (d, l.confidence),
                None => (
                    loose.completed_after(cited_latest?)?,
                    l.confidence * YEAR_INFERRED,
                ),
            };
            Some(Field::found(date.iso(), confidence, l.page, l.bbox))
        })
}

/// Confidence kept by a 落款 date whose year had to be inferred.
const YEAR_INFERRED: f32 = 0.7;
/// Below this a document's own date gives way to its 卷内目录 row.
const DAMAGED_DATE: f32 = 0.75;
/// Confidence of a date found only in a document's text, its role unknown.
pub const ROLE_UNSURE: f32 = 0.3;

/// Any date of the document, the last one (a fallback for [`doc_date`]).
fn any_date(lines: &[Line<'_>]) -> Option<Field> {
    lines
        .iter()
        .flat_map(|l| dates(&l.text).into_iter().map(move |(d, _)| (d, l)))
        .last()
        .map(|(d, l)| Field::found(d.iso(), l.confidence * ROLE_UNSURE, l.page, l.bbox))
}

/// The document's own 文号: a line near its title (not a reference in 《》).
fn own_doc_no(lines: &[Line<'_>], ev: Option<&PageEvidence>) -> Option<Field> {
    let title_line = ev.and_then(|e| e.title.as_ref().map(|t| t.1)).unwrap_or(0);
    let first_page = lines.first()?.page;
    lines
        .iter()
        .filter(|l| l.page == first_page)
        .skip(title_line + 1)
        .take(3)
        // A reference (《…》) or a case number (案件编号) is not the document's 文号.
        .filter(|l| !l.text.contains('《') && !l.text.contains("编号"))
        .find_map(|l| {
            find_doc_no(&l.text).map(|(no, _)| Field::found(no, l.confidence, l.page, l.bbox))
        })
}

/// The bank that received a payment.
fn bank(lines: &[Line<'_>]) -> Option<Field> {
    label_value(lines, &["收款银行"])
        .filter(|f| f.value.as_deref().is_some_and(|v| v.ends_with('行')))
        .or_else(|| {
            lines
                .iter()
                .rev()
                .find(|l| {
                    l.text.contains("银行")
                        && l.text.ends_with('行')
                        && l.text.chars().count() <= 20
                })
                .map(|l| Field::found(l.text.clone(), l.confidence, l.page, l.bbox))
        })
}

/// A title when the 卷内目录 does not give one: the kind's standard name, with
/// the person for 询问笔录 and the served document for 送达回证.
fn kind_title(
    doc: &DocumentIndex,
    lines: &[Line<'_>],
    evidence: &[PageEvidence],
    table: &KindTable,
) -> String {
    let name = table.name(&doc.kind).to_string();
    match doc.kind.as_str() {
        "inquiry_record" => label_value(lines, &["被询问人"])
            .and_then(|f| f.value)
            .filter(|p| (2..=6).contains(&p.chars().count()))
            .map(|p| format!("{p}{name}"))
            .unwrap_or(name),
        "service_receipt" => lines
            .iter()
            .find_map(|l| {
                let a = l.text.find('《')?;
                let b = l.text[a..].find('》')? + a;
                Some(l.text[a + '《'.len_utf8()..b].to_string())
            })
            .map(|served| format!("{name}（{served}）"))
            .unwrap_or(name),
        "evidence" => evidence
            .iter()
            .find(|e| e.seq == doc.first_page)
            .and_then(|e| e.title.as_ref())
            .map(|t| {
                let s = &t.2;
                match (s.find('（'), s.rfind('）')) {
                    (Some(a), Some(b)) if b > a => s[a + '（'.len_utf8()..b].to_string(),
                    _ => s.clone(),
                }
            })
            .unwrap_or(name),
        _ => name,
    }
}

/// The 责任者 a printed 卷内目录 row gives a document, when it should replace what
/// the document's own pages say (None: keep that). A cell's text can carry a
/// neighbour's fragment (a 文号's bracketed year, when detection joins adjacent
/// cells) or lose the first line of a wrapped name: a row value that is only the
/// tail of the document's own reading is such a loss, not a different 责任者.
fn responsible_from_row(row: &str, own: Option<&str>) -> Option<String> {
    let name = without_bracketed_years(row);
    let name = name.trim();
    if name.is_empty() || Some(name) == own {
        return None;
    }
    if own.is_some_and(|o| o.len() > name.len() && o.ends_with(name)) {
        return None;
    }
    Some(name.to_string())
}

/// A name never carries a year in brackets (`〔2021〕`, or as read `[2021]]`):
/// that is a piece of the 文号 cell beside it, joined in by the layout.
fn without_bracketed_years(text: &str) -> String {
    let opens = ['[', '〔', '(', '（', '【'];
    let closes = [']', '〕', ')', '）', '】'];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if opens.contains(&chars[i]) {
            let digits = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let after = i + 1 + digits;
            if digits == 4 && chars.get(after).is_some_and(|c| closes.contains(c)) {
                i = after
                    + chars[after..]
                        .iter()
                        .take_while(|c| closes.contains(c))
                        .count();
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// 罚款金额: from the decision, else the notice or the closing form; an amount
/// whose figures and 大写 agree wins.
fn fine(pages: &[PageInput], documents: &[DocumentIndex], firsts: &[u32]) -> Field {
    for kind in [
        "decision",
        "prior_notice",
        "closing_approval",
        "decision_approval",
        "investigation_report",
    ] {
        for (i, doc) in documents.iter().enumerate().filter(|(_, d)| d.kind == kind) {
            let lines = doc_lines(pages, doc, firsts.get(i + 1).copied().unwrap_or(u32::MAX));
            let mut best: Option<(Field, bool)> = None;
            // Each line, then each pair of lines (a wrapped amount).
            for j in 0..lines.len() {
                for text in [
                    lines[j].text.clone(),
                    format!(
                        "{}{}",
                        lines[j].text,
                        lines.get(j + 1).map_or("", |l| &l.text)
                    ),
                ] {
                    for (amount, _, agreed) in fine_amounts(&text) {
                        let l = &lines[j];
                        let conf = l.confidence * if agreed { 1.0 } else { 0.8 };
                        let f = Field::found(format_amount(amount), conf, l.page, l.bbox);
                        if best.as_ref().is_none_or(|b| agreed && !b.1) {
                            best = Some((f, agreed));
                        }
                    }
                }
            }
            if let Some((f, _)) = best {
                return f;
            }
        }
    }
    Field::default()
}

fn format_amount(v: f64) -> String {
    if (v - v.round()).abs() < 0.005 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contents_row_names_the_responsible_unless_its_cell_was_cut_or_joined() {
        let own = Some("某市市场监督管理局");
        assert_eq!(responsible_from_row("管理局", own), None, "lost first line");
        assert_eq!(
            responsible_from_row("〔2021〕某市应急管理局", Some("某市应急管理局")),
            None,
            "a 文号 fragment in front"
        );
        assert_eq!(
            responsible_from_row("[2021]某市应急管理局", None).as_deref(),
            Some("某市应急管理局")
        );
        assert_eq!(
            responsible_from_row("某市应急管理[2021]]局", None).as_deref(),
            Some("某市应急管理局"),
            "the 文号's middle line joined into the cell"
        );
        assert_eq!(
            responsible_from_row("某市第(3)分局", None).as_deref(),
            Some("某市第(3)分局"),
            "brackets around a number in a name stay"
        );
        assert_eq!(
            responsible_from_row("某市市场监督管理局执法支队", own).as_deref(),
            Some("某市市场监督管理局执法支队"),
            "a fuller name wins"
        );
        assert_eq!(
            responsible_from_row("某某银行某支行", own).as_deref(),
            Some("某某银行某支行")
        );
    }

    fn lines(texts: &[&str]) -> Vec<Line<'static>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                page: 1,
                bbox: [0, i as u32 * 50, 100, 40],
                confidence: 0.9,
                text: squash(t),
                _raw: "",
            })
            .collect()
    }

    #[test]
    fn labelled_values_on_the_line_or_in_the_next_cell() {
        let l = lines(&[
            "被询问人：苏萍性别：男年龄：27",
            "当事人",
            "某某商贸有限公司",
            "住所：某路1号",
        ]);
        assert_eq!(
            label_value(&l, &["被询问人"]).unwrap().value.as_deref(),
            Some("苏萍")
        );
        assert_eq!(
            label_value(&l, &["当事人"]).unwrap().value.as_deref(),
            Some("某某商贸有限公司")
        );
        assert_eq!(
            label_value(&l, &["住所"]).unwrap().value.as_deref(),
            Some("某路1号")
        );
        let prose = lines(&["经查，当事人自2020年起销售"]);
        assert!(label_value(&prose, &["当事人"]).is_none(), "inside prose");
    }

    #[test]
    fn cause_from_case_names() {
        assert_eq!(
            cause_from_name("关于某某公司经营超过保质期的食品一案", "某某公司").as_deref(),
            Some("经营超过保质期的食品")
        );
        assert_eq!(
            cause_from_name("某某公司涉嫌无证经营案", "某某公司").as_deref(),
            Some("无证经营")
        );
        assert_eq!(cause_from_name("别的公司无证经营案", "某某公司"), None);
    }

    #[test]
    fn stated_counts_on_cover_and_notes() {
        assert_eq!(stated_counts("本卷共12件17页"), Some((12, 17)));
        assert_eq!(
            stated_counts("本卷共有文件材料12件，共17页，其中"),
            Some((12, 17))
        );
        assert_eq!(stated_counts("共有文件材料3件，共9页"), Some((3, 9)));
        assert_eq!(stated_counts("本卷"), None);
    }

    #[test]
    fn amounts_print_as_yuan() {
        assert_eq!(format_amount(50000.0), "50000");
        assert_eq!(format_amount(960.49), "960.49");
    }
}
