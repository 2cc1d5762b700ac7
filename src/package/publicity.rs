//! 双公示: the penalty decisions of the home as the national 行政处罚信息 table
//! for the credit platform (CSV or XLSX, the platform's column names).
//!
//! Each row comes from one volume: its catalogue (当事人, 代码, 文号, dates, 罚款,
//! 执法机关) and the text of its 行政处罚决定书 (违法事实 after 「经查明」, the
//! 处罚依据 named before 「如下行政处罚」, the 处罚内容 after it, the 法定代表人 line).
//! The bureau's settings give its own codes. A required column the file does not
//! yield is reported with the volume, never guessed; what the rules exclude (仅警告,
//! 简易程序) is left out and counted; a natural person's ID number is masked.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::indexing::identifiers::{credit_code_valid, id_number_valid};
use crate::indexing::values::squash;
use crate::model::{DocumentJson, VolumeJson};
use crate::text::csv_cell;

/// The national columns, in order.
pub const COLUMNS: [&str; 23] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）",
    "暂扣或吊销证照名称及编号",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    "备注",
];

/// Columns a row must fill; the others may stay empty.
const REQUIRED: [&str; 18] = [
    "行政相对人名称",
    "行政相对人类别",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
    // By the party's kind (checked below): a legal person's code and
    // representative, a natural person's ID.
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "证件号码",
];

/// The rules of publication (`assets/package/publicity.json`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublicityRules {
    pub version: String,
    #[serde(default)]
    pub about: String,
    /// Lightest first.
    pub categories: Vec<String>,
    pub publication_months: PublicationMonths,
    pub validity: String,
    pub exclude_only: Vec<String>,
    pub exclude_title_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationMonths {
    pub default: u32,
    #[serde(default)]
    pub by_category: BTreeMap<String, u32>,
}

impl PublicityRules {
    pub fn builtin() -> &'static PublicityRules {
        static RULES: std::sync::OnceLock<PublicityRules> = std::sync::OnceLock::new();
        RULES.get_or_init(|| {
            serde_json::from_str(include_str!("../../assets/package/publicity.json"))
                .expect("assets/package/publicity.json is valid")
        })
    }

    /// The bureau's rules at `path` when there are, else the shipped ones.
    pub fn load_or_builtin(path: &Path) -> Result<PublicityRules> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{}: line {}, column {}: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::builtin().clone()),
            Err(e) => bail!("{}: {e}", path.display()),
        }
    }

    /// The categories `content` names, lightest first.
    pub fn categories_in(&self, content: &str) -> Vec<String> {
        self.categories
            .iter()
            .filter(|c| category_named(content, c))
            .cloned()
            .collect()
    }
}

/// Whether 处罚内容 names a category: 罚款 also as 「罚款…元」 or 「处…元罚款」;
/// 暂扣/吊销 with whatever document follows (「吊销食品经营许可证」).
fn category_named(content: &str, category: &str) -> bool {
    match category {
        "暂扣许可证件" => content.contains("暂扣"),
        "吊销许可证件" => content.contains("吊销"),
        "降低资质等级" => content.contains("降低资质"),
        "没收违法所得" => content.contains("没收违法所得"),
        "没收非法财物" => {
            content.contains("没收非法财物") || content.contains("没收") && content.contains("工具")
        }
        "限制开展生产经营活动" => content.contains("限制开展生产经营"),
        other => content.contains(other),
    }
}

/// One row: the volume it came from and the cells by column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicityRow {
    pub volume: String,
    pub cells: BTreeMap<String, String>,
}

impl PublicityRow {
    pub fn get(&self, column: &str) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

/// The table for the platform, and what did not make it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Publicity {
    pub rows: Vec<PublicityRow>,
    /// Decisions the rules leave out: (volume, why).
    pub excluded: Vec<(String, String)>,
    /// Required columns a row lacks: (volume, column). Such a row is still
    /// written (the platform refuses it until the cell is filled), never guessed.
    pub missing: Vec<(String, String)>,
    /// Volumes without a 行政处罚决定书, or outside the dates asked for.
    pub skipped: usize,
}

/// The bureau's own codes for the table (`publicity` in bureau.json).
pub use crate::model::settings::PublicitySettings;

/// The row of one volume; `Err(why)` when the rules leave it out, `Ok(None)`
/// when the volume holds no decision.
pub fn row_of(
    volume: &VolumeJson,
    settings: &PublicitySettings,
    rules: &PublicityRules,
) -> Result<Option<PublicityRow>, String> {
    let Some(decision) = volume.documents.iter().find(|d| d.kind == "decision") else {
        return Ok(None);
    };
    let title = decision.title.clone().unwrap_or_default();
    if let Some(w) = rules
        .exclude_title_words
        .iter()
        .find(|w| title.contains(w.as_str()))
    {
        return Err(format!("决定书题名含「{w}」（简易程序不公示）"));
    }
    let lines = document_lines(volume, decision);
    let text = squash(&lines.join(""));
    let content = penalty_content(&text).unwrap_or_default();
    let categories = rules.categories_in(&content);
    if !categories.is_empty() && categories.iter().all(|c| rules.exclude_only.contains(c)) {
        return Err(format!("仅{}，不公示", categories.join("、")));
    }
    let mut cells: BTreeMap<String, String> = BTreeMap::new();
    let mut set = |column: &str, value: Option<String>| {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            cells.insert(column.to_string(), v);
        }
    };
    let code = volume.party_id_code.clone().unwrap_or_default();
    let kind = party_kind(&code, volume.party.as_deref().unwrap_or(""));
    set("行政相对人名称", volume.party.clone());
    set("行政相对人类别", kind.map(|k| k.to_string()));
    match kind {
        Some(PartyKind::Person) => {
            set("证件类型", Some("身份证".into()));
            set("证件号码", Some(mask_id(&code)));
        }
        Some(_) => {
            set(
                "行政相对人代码_1(统一社会信用代码)",
                Some(code.clone()).filter(|c| credit_code_valid(c)),
            );
            set(
                "法定代表人",
                labelled(&lines, &["法定代表人", "负责人", "经营者"]),
            );
        }
        None => {}
    }
    set(
        "行政处罚决定书文号",
        volume.decision_no.clone().or(decision.doc_no.clone()),
    );
    set("违法行为类型", volume.case_cause.clone());
    set("违法事实", facts(&text));
    set("处罚依据", legal_basis(&text));
    set("处罚类别", Some(categories.join(";")));
    set("处罚内容", Some(content.clone()));
    set(
        "罚款金额（万元）",
        volume.fine_amount.filter(|f| *f > 0.0).map(wan_yuan),
    );
    set(
        "没收违法所得、没收非法财物的金额（万元）",
        confiscated(&content).map(wan_yuan),
    );
    set("暂扣或吊销证照名称及编号", licence_clause(&content));
    let decided = volume.decided_date.clone().or(decision.date.clone());
    set("处罚决定日期", decided.clone());
    set("处罚有效期", Some(rules.validity.clone()));
    let months = categories
        .last()
        .and_then(|c| rules.publication_months.by_category.get(c))
        .copied()
        .unwrap_or(rules.publication_months.default);
    set(
        "公示截止期",
        decided.as_deref().and_then(|d| add_months(d, months)),
    );
    set("处罚机关", volume.agency.clone());
    set(
        "处罚机关统一社会信用代码",
        settings.agency_credit_code.clone(),
    );
    set(
        "数据来源单位",
        settings.source_unit.clone().or(volume.agency.clone()),
    );
    set(
        "数据来源单位统一社会信用代码",
        settings
            .source_unit_credit_code
            .clone()
            .or(settings.agency_credit_code.clone()),
    );
    Ok(Some(PublicityRow {
        volume: volume.id.clone(),
        cells,
    }))
}

/// The penalty a volume's decision imposes: its categories (lightest first)
/// and what it confiscates (yuan); None without a decision.
pub fn penalty_of(
    volume: &VolumeJson,
    rules: &PublicityRules,
) -> Option<(Vec<String>, Option<f64>)> {
    let decision = volume.documents.iter().find(|d| d.kind == "decision")?;
    let text = squash(&document_lines(volume, decision).join(""));
    let content = penalty_content(&text).unwrap_or_default();
    Some((rules.categories_in(&content), confiscated(&content)))
}

/// The required columns `row` leaves empty.
pub fn missing_in(row: &PublicityRow) -> Vec<&'static str> {
    let person = row.get("行政相对人类别") == PartyKind::Person.to_string();
    REQUIRED
        .iter()
        .copied()
        .filter(|c| match *c {
            "行政相对人代码_1(统一社会信用代码)" | "法定代表人" => !person,
            "证件号码" => person,
            _ => true,
        })
        .filter(|c| row.get(c).is_empty())
        .collect()
}

/// 行政相对人类别.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PartyKind {
    Organisation,
    Person,
    SoleTrader,
}

impl std::fmt::Display for PartyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PartyKind::Organisation => "法人及非法人组织",
            PartyKind::Person => "自然人",
            PartyKind::SoleTrader => "个体工商户",
        })
    }
}

/// From the party's code: a 统一社会信用代码 of a 个体工商户 has 9 and 2 for its
/// registering body and kind; an ID number is a person's. Without a valid code,
/// a name of an organisation's shape.
fn party_kind(code: &str, name: &str) -> Option<PartyKind> {
    if credit_code_valid(code) {
        return Some(if code.starts_with("92") {
            PartyKind::SoleTrader
        } else {
            PartyKind::Organisation
        });
    }
    if id_number_valid(code) {
        return Some(PartyKind::Person);
    }
    const ORGANISATION: [&str; 8] = [
        "公司",
        "厂",
        "中心",
        "合作社",
        "协会",
        "医院",
        "学校",
        "集团",
    ];
    ORGANISATION
        .iter()
        .any(|w| name.contains(w))
        .then_some(PartyKind::Organisation)
}

/// An ID number with its birth date and sequence hidden: first 6, last 4.
fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..6], &chars[chars.len() - 4..]);
    format!(
        "{}{}{}",
        head.iter().collect::<String>(),
        "*".repeat(chars.len() - 10),
        tail.iter().collect::<String>()
    )
}

/// The lines of a document's pages, page footers (「— 2 —」) left out.
fn document_lines(volume: &VolumeJson, doc: &DocumentJson) -> Vec<String> {
    volume
        .pages
        .iter()
        .filter(|p| p.document == Some(doc.seq))
        .filter_map(|p| p.text.as_deref())
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|l| {
            let bare = l.trim_matches(|c: char| "—-－ ".contains(c));
            !(bare.chars().all(|c| c.is_ascii_digit()) && bare.len() < 4)
        })
        .map(str::to_string)
        .collect()
}

/// The value after `label：` on a line of its own.
fn labelled(lines: &[String], labels: &[&str]) -> Option<String> {
    lines.iter().find_map(|l| {
        let l = squash(l);
        labels.iter().find_map(|label| {
            let rest = l.strip_prefix(label)?;
            let v = rest.trim_start_matches(['：', ':']);
            (v.len() < rest.len() && !v.is_empty()).then(|| v.to_string())
        })
    })
}

/// The text after the first of `starts` up to the first of `ends` after it.
fn between(text: &str, starts: &[&str], ends: &[&str]) -> Option<String> {
    let (at, start) = starts
        .iter()
        .filter_map(|s| text.find(s).map(|i| (i, *s)))
        .min_by_key(|(i, _)| *i)?;
    let rest = &text[at + start.len()..];
    let end = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    let v = rest[..end]
        .trim_matches(['，', '。', '：', '；'])
        .to_string();
    (!v.is_empty()).then_some(v)
}

/// 违法事实: what the investigation found.
fn facts(text: &str) -> Option<String> {
    between(
        text,
        &["经查明：", "经查明，", "经查：", "经查，", "现查明："],
        &[
            "上述事实",
            "以上事实",
            "本局认为",
            "本机关认为",
            "主要有以下证据",
        ],
    )
}

/// Where the penalty is announced (「作出如下行政处罚」).
fn penalty_start(text: &str) -> Option<usize> {
    ["如下行政处罚", "如下处罚", "行政处罚如下", "处罚如下"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
}

/// 处罚依据: the provisions named last before the penalty is announced.
fn legal_basis(text: &str) -> Option<String> {
    let before = &text[..penalty_start(text)?];
    let at = before.rfind("依据")?;
    let rest = &before[at + "依据".len()..];
    let end = ["的规定", "之规定", "规定，", "，本局", "，本机关"]
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    let v = rest[..end].trim_matches(['，', '：']).to_string();
    v.contains('《').then_some(v)
}

/// 处罚内容: what was decided.
fn penalty_content(text: &str) -> Option<String> {
    let at = penalty_start(text)?;
    let rest = &text[at..];
    let from = rest
        .find(['：', ':'])
        .map_or(0, |i| i + '：'.len_utf8().min(rest.len() - i));
    between(
        &rest[from..],
        &[""],
        &[
            "当事人应当",
            "当事人应于",
            "当事人应在",
            "当事人如不服",
            "如不服本",
            "逾期不",
        ],
    )
}

/// 没收违法所得 / 没收非法财物: the amount that follows, in yuan.
fn confiscated(content: &str) -> Option<f64> {
    let at = content
        .find("没收违法所得")
        .or_else(|| content.find("没收非法财物"))?;
    let rest = &content[at..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '，'))
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let yuan = rest.find('元')?;
    (rest.find(|c: char| c.is_ascii_digit())? < yuan)
        .then(|| digits.trim_end_matches('.').parse().ok())
        .flatten()
}

/// The clause of 处罚内容 that suspends or revokes a licence.
fn licence_clause(content: &str) -> Option<String> {
    content
        .split(['；', '。'])
        .find(|c| c.contains("暂扣") || c.contains("吊销"))
        .map(|c| {
            c.trim_start_matches(|ch: char| ch.is_ascii_digit() || "．.、".contains(ch))
                .to_string()
        })
}

/// Yuan as 万元, up to six decimals, without trailing zeros.
pub fn wan_yuan(yuan: f64) -> String {
    let s = format!("{:.6}", yuan / 10_000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `date` (YYYY-MM-DD) plus `months`, on the same day or the month's last.
fn add_months(date: &str, months: u32) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    d.checked_add_months(chrono::Months::new(months))
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// The table of the volumes decided between `from` and `to` (inclusive, ISO dates).
pub fn collect(
    volumes: impl IntoIterator<Item = VolumeJson>,
    settings: &PublicitySettings,
    rules: &PublicityRules,
    from: Option<&str>,
    to: Option<&str>,
) -> Publicity {
    let mut out = Publicity::default();
    for v in volumes {
        if !decided_within(v.decided_date.as_deref(), from, to) {
            out.skipped += 1;
            continue;
        }
        match row_of(&v, settings, rules) {
            Ok(Some(row)) => {
                for c in missing_in(&row) {
                    out.missing.push((row.volume.clone(), c.to_string()));
                }
                out.rows.push(row);
            }
            Ok(None) => out.skipped += 1,
            Err(why) => out.excluded.push((v.id.clone(), why)),
        }
    }
    out
}

/// Whether a decision dated `decided` falls between `from` and `to` (ISO
/// dates, inclusive); without a range every volume does, with one a volume
/// without a decision date does not.
pub fn decided_within(decided: Option<&str>, from: Option<&str>, to: Option<&str>) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    decided.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
}

/// Writes the table as CSV (UTF-8 with a byte-order mark, so that a
/// spreadsheet opens it as such) or XLSX, by the file's extension.
pub fn write(table: &Publicity, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => {
            let mut out = String::from("\u{feff}");
            let line = |cells: &mut dyn Iterator<Item = &str>| {
                cells.map(csv_cell).collect::<Vec<_>>().join(",") + "\r\n"
            };
            out.push_str(&line(&mut COLUMNS.iter().copied()));
            for row in &table.rows {
                out.push_str(&line(&mut COLUMNS.iter().map(|c| row.get(c))));
            }
            crate::fsutil::write_atomic(path, out.as_bytes())
                .with_context(|| format!("writing {}", path.display()))
        }
        Some("xlsx") => {
            use rust_xlsxwriter::{Format, Workbook};
            let mut book = Workbook::new();
            let ws = book.add_worksheet();
            ws.set_name("行政处罚")?;
            let bold = Format::new().set_bold();
            for (c, h) in COLUMNS.iter().enumerate() {
                ws.write_with_format(0, c as u16, *h, &bold)?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                for (c, h) in COLUMNS.iter().enumerate() {
                    ws.write(r as u32 + 1, c as u16, row.get(h))?;
                }
            }
            ws.set_freeze_panes(1, 0)?;
            crate::fsutil::save_workbook(&mut book, path)
        }
        _ => bail!("{}: the table is written as .csv or .xlsx", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECISION: &str = "某市市场监督管理局\n行政处罚决定书\n某市监罚决〔2023〕7号\n当事人：某某食品有限公司\n统一社会信用代码：91350100M000100Y43\n法定代表人：王五\n2023年3月1日，本局执法人员检查时发现……\n经查明：当事人销售超过保质期的食品\n共计12件，货值金额600元。\n上述事实，主要有以下证据证明：\n本局认为，当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第十项的规定。\n— 1 —\n综上，依据《中华人民共和国食品安全法》第一百二十四条第一款第五项的规定，本局决定对当事人作出如下行政处罚：\n1．没收违法所得600元；\n2．罚款50,000.00元（人民币伍万元整）。\n当事人应当自收到本决定书之日起十五日内缴纳罚款。\n如不服本决定，可申请行政复议或提起行政诉讼。";

    fn volume(text: &str, code: &str) -> VolumeJson {
        let mut v: VolumeJson = serde_json::from_value(serde_json::json!({
            "id": "V1", "archival_code": null, "fonds_code": null, "title": null, "year": 2023,
            "retention": null, "agency": "某市市场监督管理局", "compiler": null,
            "party": "某某食品有限公司", "party_id_code": code, "case_cause": "销售超过保质期的食品",
            "filed_date": "2023-03-01", "decided_date": "2023-04-20", "decision_no": "某市监罚决〔2023〕7号",
            "fine_amount": 50000.0, "closed_date": null, "item_count": 1, "page_count": 1,
            "status": "processed",
            "documents": [{"seq": 1, "kind": "decision", "title": "行政处罚决定书", "doc_no": null,
                "responsible": null, "date": "2023-04-20", "first_page": 1, "last_page": 1,
                "page_no_from": 1, "page_no_to": 1}],
            "pages": []
        }))
        .unwrap();
        v.pages = serde_json::from_value(serde_json::json!([{
            "seq": 1, "source": "1.jpg", "source_page": 0, "document": 1, "page_no": 1,
            "blank": false, "rotation": 0, "skew_deg": 0.0, "dpi": 300, "width_px": 2480,
            "height_px": 3508, "color_mode": "gray", "flags": [], "ocr_confidence": 0.9, "text": text
        }]))
        .unwrap();
        v
    }

    fn settings() -> PublicitySettings {
        PublicitySettings {
            agency_credit_code: Some("11350100MB0000000Y".into()),
            source_unit: None,
            source_unit_credit_code: None,
        }
    }

    #[test]
    fn a_decision_gives_its_row_from_the_catalogue_and_its_text() {
        let rules = PublicityRules::builtin();
        let row = row_of(&volume(DECISION, "91350100M000100Y43"), &settings(), rules)
            .unwrap()
            .unwrap();
        assert_eq!(row.get("行政相对人类别"), "法人及非法人组织");
        assert_eq!(row.get("法定代表人"), "王五");
        assert_eq!(
            row.get("违法事实"),
            "当事人销售超过保质期的食品共计12件，货值金额600元"
        );
        assert_eq!(
            row.get("处罚依据"),
            "《中华人民共和国食品安全法》第一百二十四条第一款第五项"
        );
        assert_eq!(row.get("处罚类别"), "罚款;没收违法所得");
        assert!(
            row.get("处罚内容").starts_with("1.没收违法所得600元"),
            "{}",
            row.get("处罚内容")
        );
        assert_eq!(row.get("罚款金额（万元）"), "5");
        assert_eq!(row.get("没收违法所得、没收非法财物的金额（万元）"), "0.06");
        assert_eq!(row.get("公示截止期"), "2024-04-20");
        assert_eq!(row.get("处罚有效期"), "2099-12-31");
        assert_eq!(row.get("数据来源单位"), "某市市场监督管理局");
        assert_eq!(
            row.get("数据来源单位统一社会信用代码"),
            "11350100MB0000000Y"
        );
        assert!(missing_in(&row).is_empty(), "{:?}", missing_in(&row));
    }

    #[test]
    fn a_person_is_masked_and_what_the_rules_exclude_is_left_out() {
        let rules = PublicityRules::builtin();
        // 11010519491231002X is the standard's own example of a valid number.
        let row = row_of(&volume(DECISION, "11010519491231002X"), &settings(), rules)
            .unwrap()
            .unwrap();
        assert_eq!(row.get("行政相对人类别"), "自然人");
        assert_eq!(row.get("证件号码"), "110105********002X");
        assert_eq!(row.get("行政相对人代码_1(统一社会信用代码)"), "");
        let warning = DECISION.replace(
            "1．没收违法所得600元；\n2．罚款50,000.00元（人民币伍万元整）。",
            "警告。",
        );
        assert_eq!(
            row_of(&volume(&warning, "91350100M000100Y43"), &settings(), rules).unwrap_err(),
            "仅警告，不公示"
        );
        let mut simple = volume(DECISION, "91350100M000100Y43");
        simple.documents[0].title = Some("当场行政处罚决定书".into());
        assert!(row_of(&simple, &settings(), rules).is_err());
    }

    #[test]
    fn a_column_the_file_does_not_yield_is_reported_not_guessed() {
        let rules = PublicityRules::builtin();
        let bare =
            "行政处罚决定书\n当事人：某某食品有限公司\n本局决定作出如下行政处罚：罚款5000元。";
        let t = collect(
            [volume(bare, "91350100M000100Y43")],
            &PublicitySettings::default(),
            rules,
            None,
            None,
        );
        let missing: Vec<&str> = t.missing.iter().map(|(_, c)| c.as_str()).collect();
        for c in [
            "违法事实",
            "处罚依据",
            "法定代表人",
            "处罚机关统一社会信用代码",
        ] {
            assert!(missing.contains(&c), "{c}: {missing:?}");
        }
        assert!(
            !missing.contains(&"证件号码"),
            "an organisation has no ID number"
        );
        assert_eq!(t.rows[0].get("违法事实"), "");
        // Dates outside the range are skipped.
        let t = collect(
            [volume(bare, "")],
            &settings(),
            rules,
            Some("2024-01-01"),
            None,
        );
        assert_eq!((t.rows.len(), t.skipped), (0, 1));
    }

    #[test]
    fn amounts_and_cells_are_written_the_platforms_way() {
        assert_eq!(wan_yuan(10_000.0), "1");
        assert_eq!(wan_yuan(2_500.0), "0.25");
        assert_eq!(wan_yuan(1.0), "0.0001");
        assert_eq!(csv_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(add_months("2023-01-31", 1).as_deref(), Some("2023-02-28"));
        assert_eq!(mask_id("123"), "***");
    }
}
