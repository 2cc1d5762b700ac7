//! Findings: what any stage has to say about a volume, its pages or documents.

use serde::{Deserialize, Serialize};

crate::word_enum! {
    /// How serious a finding is. Ordered: `Info < Warning < Error`.
    #[derive(PartialOrd, Ord)]
    pub enum Severity {
        Info = "info",
        Warning = "warning",
        Error = "error",
    }
}

crate::word_enum! {
    /// A reviewer's decision on a volume (质检).
    pub enum Verdict {
        /// Fit to be packed.
        Approved = "approved",
        /// Sent back to the clerk, with the reason.
        Returned = "returned",
    }
}

/// One finding: a code (stable, for programs), a severity, a message for people
/// and the scanned page (seq) or document (件号) it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub page: Option<u32>,
    pub document: Option<u32>,
    /// Where on `page` the evidence is, `[left, top, width, height]` in pixels of
    /// the upright page, when the check read it from one place (a stamp, a code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[u32; 4]>,
}

impl Finding {
    pub fn new(code: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
            page: None,
            document: None,
            bbox: None,
        }
    }
    pub fn on_page(mut self, page: Option<u32>) -> Self {
        self.page = page;
        self
    }
    pub fn on_document(mut self, document: Option<u32>) -> Self {
        self.document = document;
        self
    }
    /// The finding's evidence: this box on `page`.
    pub fn at(mut self, page: u32, bbox: [u32; 4]) -> Self {
        self.page = Some(page);
        self.bbox = Some(bbox);
        self
    }
}

/// A reviewer's change to one item of a volume's 评查 score: `points` more
/// taken off (negative: given back), with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreAdjustment {
    pub item: String,
    pub points: f64,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_read_back() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
        for &s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Severity::parse("fatal"), None);
    }
}
