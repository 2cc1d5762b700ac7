//! The document kinds table (`assets/indexing/kinds.json`): what titles name each
//! kind, which date is a document's date, which pages are numbered.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct KindTable {
    pub version: String,
    pub kinds: Vec<KindRule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KindRule {
    pub kind: String,
    /// The standard's Chinese name (UI label, 卷内目录 title fallback).
    pub name: String,
    pub titles: Vec<String>,
    pub markers: Vec<String>,
    pub date: DateRule,
    pub numbered: bool,
    pub counted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateRule {
    First,
    Last,
}

/// A title word found in a line: which kind, where, how long the word is.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleMatch {
    pub kind: String,
    pub at: usize,
    pub len: usize,
}

impl KindTable {
    /// The table shipped in `assets/`.
    pub fn builtin() -> &'static KindTable {
        static TABLE: std::sync::OnceLock<KindTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            serde_json::from_str(include_str!("../../assets/indexing/kinds.json"))
                .expect("assets/indexing/kinds.json is valid")
        })
    }

    pub fn rule(&self, kind: &str) -> Option<&KindRule> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    pub fn name<'a>(&'a self, kind: &'a str) -> &'a str {
        self.rule(kind).map(|r| r.name.as_str()).unwrap_or(kind)
    }

    pub fn numbered(&self, kind: &str) -> bool {
        self.rule(kind).is_none_or(|r| r.numbered)
    }

    pub fn counted(&self, kind: &str) -> bool {
        self.rule(kind).is_none_or(|r| r.counted)
    }

    /// The kind a (squashed) title names: the title word found earliest in the text,
    /// the longest one on a tie, so that 送达回证（行政处罚决定书） is a 送达回证.
    pub fn classify(&self, text: &str) -> Option<TitleMatch> {
        let mut best: Option<TitleMatch> = None;
        for rule in &self.kinds {
            for word in &rule.titles {
                if let Some(byte) = text.find(word.as_str()) {
                    let m = TitleMatch {
                        kind: rule.kind.clone(),
                        at: text[..byte].chars().count(),
                        len: word.chars().count(),
                    };
                    let better = match &best {
                        None => true,
                        Some(b) => m.at < b.at || (m.at == b.at && m.len > b.len),
                    };
                    if better {
                        best = Some(m);
                    }
                }
            }
        }
        best
    }

    /// A kind whose markers appear in the page text (used when no title line is found).
    pub fn by_marker(&self, page_text: &str) -> Option<&str> {
        self.kinds
            .iter()
            .find(|r| r.markers.iter().any(|m| page_text.contains(m.as_str())))
            .map(|r| r.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_their_kinds() {
        let t = KindTable::builtin();
        let kind = |s: &str| t.classify(s).map(|m| m.kind);
        assert_eq!(
            kind("送达回证（行政处罚决定书）").as_deref(),
            Some("service_receipt")
        );
        assert_eq!(kind("行政处罚决定书").as_deref(), Some("decision"));
        assert_eq!(
            kind("行政处罚决定审批表").as_deref(),
            Some("decision_approval")
        );
        assert_eq!(kind("行政处罚事先告知书").as_deref(), Some("prior_notice"));
        assert_eq!(
            kind("山东省政府非税收入一般缴款书").as_deref(),
            Some("payment_receipt")
        );
        assert_eq!(kind("卷内备考表").as_deref(), Some("notes_sheet"));
        assert_eq!(kind("现场检查笔录").as_deref(), Some("inspection_record"));
        assert_eq!(kind("张三询问笔录").as_deref(), Some("inquiry_record"));
        assert_eq!(kind("本局决定如下"), None);
        assert!(!t.numbered("cover") && !t.counted("contents") && t.numbered("decision"));
    }

    #[test]
    fn every_design_kind_is_in_the_table() {
        let t = KindTable::builtin();
        for k in [
            "cover",
            "contents",
            "case_source",
            "filing_approval",
            "inquiry_record",
            "inspection_record",
            "evidence",
            "investigation_report",
            "legal_review",
            "collective_discussion",
            "prior_notice",
            "statement_record",
            "hearing",
            "decision_approval",
            "decision",
            "service_receipt",
            "payment_receipt",
            "enforcement",
            "closing_approval",
            "notes_sheet",
            "other",
        ] {
            assert!(t.rule(k).is_some(), "{k}");
        }
    }
}
