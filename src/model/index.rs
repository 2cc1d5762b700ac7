//! The index of a volume as the catalogue stores it and every stage after
//! indexing reads it: documents (件), fields with their evidence, page numbers,
//! the scanned 卷内目录, findings; and the clerk's corrections.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TextLine;
pub use super::finding::Finding;

/// One page as indexing sees it: upright-page text lines with boxes.
#[derive(Debug, Clone)]
pub struct PageInput {
    pub seq: u32,
    pub blank: bool,
    pub width: u32,
    pub height: u32,
    pub lines: Vec<TextLine>,
}

/// One row of a printed 卷内目录.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentsRow {
    pub seq_no: Option<u32>,
    pub doc_no: Option<String>,
    pub responsible: Option<String>,
    pub title: Option<String>,
    /// ISO date.
    pub date: Option<String>,
    /// Printed page range (页号), first and last.
    pub pages: Option<(u32, u32)>,
    pub remark: Option<String>,
    /// Lowest OCR confidence of the row's lines.
    pub confidence: f32,
    /// Top of the row on the contents page (pixels), for highlighting.
    pub bbox: [u32; 4],
    /// The scanned page (seq) the row is printed on.
    #[serde(default)]
    pub page: Option<u32>,
}

/// A proposed (or corrected) value with where it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub value: Option<String>,
    /// 0..=1; 1 for a clerk's value.
    pub confidence: f32,
    /// Scanned page (seq) and box `[l, t, w, h]` of the evidence.
    pub page: Option<u32>,
    pub bbox: Option<[u32; 4]>,
    /// Set by the clerk; automatic passes keep it.
    #[serde(default)]
    pub corrected: bool,
}

impl Field {
    pub fn found(value: String, confidence: f32, page: u32, bbox: [u32; 4]) -> Self {
        Field {
            value: Some(value),
            confidence,
            page: Some(page),
            bbox: Some(bbox),
            corrected: false,
        }
    }
    pub fn derived(value: Option<String>, confidence: f32) -> Self {
        Field {
            confidence: if value.is_some() { confidence } else { 0.0 },
            value,
            ..Default::default()
        }
    }
}

/// One document (件).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentIndex {
    pub seq: u32,
    pub kind: String,
    /// How sure the split is that a document starts here.
    pub start_confidence: f32,
    pub kind_confidence: f32,
    pub first_page: u32,
    /// Last page with content (blank backs after it belong to it too, see
    /// [`PageIndex::document`]).
    pub last_page: u32,
    pub page_no_from: Option<u32>,
    pub page_no_to: Option<u32>,
    pub title: Field,
    pub doc_no: Field,
    pub responsible: Field,
    pub date: Field,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageIndex {
    pub seq: u32,
    pub document: Option<u32>,
    pub page_no: Option<u32>,
    /// The page number printed (stamped) on the page, when OCR read one.
    pub stamp: Option<u32>,
}

/// The whole index of a volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeIndex {
    pub version: String,
    /// Volume fields by their §4 JSON names (`party`, `filed_date`, …).
    pub fields: BTreeMap<String, Field>,
    pub documents: Vec<DocumentIndex>,
    pub pages: Vec<PageIndex>,
    /// 件数 and 页数 of the 卷内目录.
    pub item_count: u32,
    pub page_count: u32,
    /// The scanned 卷内目录 as read.
    pub printed_contents: Vec<ContentsRow>,
    pub findings: Vec<Finding>,
}

/// What kind of value a field holds: how a clerk's input is checked and how
/// the value is written in `volume.json` / `volume.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    /// `YYYY-MM-DD`.
    Date,
    /// A year, four figures.
    Year,
    /// Yuan, a number (a JSON number, `xs:decimal`).
    Amount,
    /// 保管期限 code: `Y`, `D30`, `D10`.
    Retention,
}

/// One volume field (案卷级著录项): its key (JSON, XML, the catalogue's
/// correction target `field:KEY`), its labels and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeField {
    pub key: &'static str,
    /// The name in the standard (DA/T 13, DA/T 22).
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: ValueKind,
}

const fn field(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: ValueKind,
) -> VolumeField {
    VolumeField { key, zh, en, kind }
}

/// The volume fields, in the order of the 著录 form, `volume.json`, `volume.xml`
/// and `show`. The one list: everything else is derived from it.
pub const VOLUME_FIELDS: &[VolumeField] = &[
    field("archival_code", "档号", "Archival code", ValueKind::Text),
    field("fonds_code", "全宗号", "Fonds", ValueKind::Text),
    field("title", "题名", "Title", ValueKind::Text),
    field("year", "年度", "Year", ValueKind::Year),
    field("retention", "保管期限", "Retention", ValueKind::Retention),
    field("agency", "执法机关", "Agency", ValueKind::Text),
    field("compiler", "立卷单位", "Compiled by", ValueKind::Text),
    field("party", "当事人", "Party", ValueKind::Text),
    field(
        "party_id_code",
        "统一社会信用代码/身份证号",
        "Party's ID code",
        ValueKind::Text,
    ),
    field("case_cause", "案由", "Cause", ValueKind::Text),
    field("filed_date", "立案日期", "Filed", ValueKind::Date),
    field("decided_date", "决定日期", "Decided", ValueKind::Date),
    field("decision_no", "决定书文号", "Decision no.", ValueKind::Text),
    field(
        "fine_amount",
        "罚款金额（元）",
        "Fine (yuan)",
        ValueKind::Amount,
    ),
    field("closed_date", "结案日期", "Closed", ValueKind::Date),
];

/// The volume field of a key.
pub fn volume_field(key: &str) -> Option<&'static VolumeField> {
    VOLUME_FIELDS.iter().find(|f| f.key == key)
}

/// Document fields (卷内文件级) a clerk can correct, with their labels and kinds.
pub const DOCUMENT_FIELD_TABLE: &[VolumeField] = &[
    field("title", "题名", "Title", ValueKind::Text),
    field("doc_no", "文号", "Doc no.", ValueKind::Text),
    field("responsible", "责任者", "Responsible", ValueKind::Text),
    field("date", "日期", "Date", ValueKind::Date),
];

/// The keys of [`DOCUMENT_FIELD_TABLE`].
pub const DOCUMENT_FIELDS: &[&str] = &["title", "doc_no", "responsible", "date"];

/// The clerk's corrections, keyed so that they survive a new automatic pass:
/// documents are named by their first scanned page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corrections {
    /// Page seq → a document starts here (true) or does not (false).
    pub starts: BTreeMap<u32, bool>,
    /// First page → kind.
    pub kinds: BTreeMap<u32, String>,
    /// (first page, field) → value.
    pub doc_fields: BTreeMap<(u32, String), String>,
    /// Volume field → value.
    pub fields: BTreeMap<String, String>,
}

/// A correction's target as stored in the catalogue: `start:12`, `kind:12`,
/// `doc:12:title`, `field:party`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Start(u32),
    Kind(u32),
    DocField(u32, String),
    Field(String),
}

impl Target {
    pub fn key(&self) -> String {
        match self {
            Target::Start(p) => format!("start:{p}"),
            Target::Kind(p) => format!("kind:{p}"),
            Target::DocField(p, f) => format!("doc:{p}:{f}"),
            Target::Field(f) => format!("field:{f}"),
        }
    }
    pub fn parse(key: &str) -> Option<Target> {
        let mut it = key.splitn(3, ':');
        Some(match (it.next()?, it.next()?, it.next()) {
            ("start", p, None) => Target::Start(p.parse().ok()?),
            ("kind", p, None) => Target::Kind(p.parse().ok()?),
            ("doc", p, Some(f)) if DOCUMENT_FIELDS.contains(&f) => {
                Target::DocField(p.parse().ok()?, f.to_string())
            }
            ("field", f, None) if volume_field(f).is_some() => Target::Field(f.to_string()),
            _ => return None,
        })
    }
}

impl Corrections {
    /// Builds the corrections from stored (target, value) pairs; unknown targets
    /// (from a newer version) are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut c = Corrections::default();
        for (key, value) in pairs {
            match Target::parse(key) {
                Some(Target::Start(p)) => {
                    c.starts.insert(p, value == "true");
                }
                Some(Target::Kind(p)) => {
                    c.kinds.insert(p, value.to_string());
                }
                Some(Target::DocField(p, f)) => {
                    c.doc_fields.insert((p, f), value.to_string());
                }
                Some(Target::Field(f)) => {
                    c.fields.insert(f, value.to_string());
                }
                None => {}
            }
        }
        c
    }
}

impl Target {
    /// The kind of value the target takes (`start:` and `kind:` take words of their own).
    pub fn value_kind(&self) -> Option<ValueKind> {
        match self {
            Target::Field(f) => volume_field(f).map(|f| f.kind),
            Target::DocField(_, f) => DOCUMENT_FIELD_TABLE
                .iter()
                .find(|d| d.key == f)
                .map(|d| d.kind),
            Target::Start(_) | Target::Kind(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_tables_agree_with_the_json() {
        let keys: Vec<&str> = DOCUMENT_FIELD_TABLE.iter().map(|f| f.key).collect();
        assert_eq!(keys, DOCUMENT_FIELDS);
        // Every volume field is a key of `show --json`.
        let json = serde_json::to_value(super::super::VolumeJson::default()).unwrap();
        for f in VOLUME_FIELDS {
            assert!(
                json.get(f.key).is_some(),
                "{} missing from volume.json",
                f.key
            );
            assert_eq!(
                Target::parse(&format!("field:{}", f.key)),
                Some(Target::Field(f.key.into()))
            );
        }
    }
}
