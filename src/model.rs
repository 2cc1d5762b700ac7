//! The vocabulary of DESIGN.md §4 as plain serde types.
//!
//! The JSON structs here *are* the command-line contract (`show --json`), described
//! by `schemas/volume.schema.json`; unknown values are `None` and print as `null`.

use serde::{Deserialize, Serialize};

/// Where a page stands in the pipeline, shown as a badge in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageState {
    /// Stored and waiting for processing.
    Imported,
    /// A worker holds it now (or held it when the process died; reset on the next run).
    Processing,
    /// Every stage finished and committed.
    Done,
    /// A stage failed; `error` says why. Rerun with `--retry-failed`.
    Failed,
}

impl PageState {
    pub fn as_str(self) -> &'static str {
        match self {
            PageState::Imported => "imported",
            PageState::Processing => "processing",
            PageState::Done => "done",
            PageState::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "imported" => PageState::Imported,
            "processing" => PageState::Processing,
            "done" => PageState::Done,
            "failed" => PageState::Failed,
            _ => return None,
        })
    }
}

/// Colour mode of a scanned page (DA/T 31 §9 asks for colour where seals are red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColorMode {
    Color,
    Gray,
    Bilevel,
}

impl ColorMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ColorMode::Color => "color",
            ColorMode::Gray => "gray",
            ColorMode::Bilevel => "bilevel",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "color" => ColorMode::Color,
            "gray" => ColorMode::Gray,
            "bilevel" => ColorMode::Bilevel,
            _ => return None,
        })
    }
}

/// One line of page text with its box in upright-page pixels and a confidence in 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    pub text: String,
    /// `[left, top, width, height]` in pixels of the upright page image.
    pub bbox: [u32; 4],
    pub confidence: f32,
}

/// Where the text of a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextOrigin {
    Ocr,
    BornDigital,
}

/// `show --json`: one volume as in DESIGN.md §4.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeJson {
    pub id: String,
    pub archival_code: Option<String>,
    pub fonds_code: Option<String>,
    pub title: Option<String>,
    pub year: Option<i32>,
    pub retention: Option<String>,
    pub agency: Option<String>,
    pub party: Option<String>,
    pub party_id_code: Option<String>,
    pub case_cause: Option<String>,
    pub filed_date: Option<String>,
    pub decided_date: Option<String>,
    pub decision_no: Option<String>,
    pub fine_amount: Option<f64>,
    pub closed_date: Option<String>,
    pub item_count: Option<u32>,
    pub page_count: Option<u32>,
    pub status: String,
    pub documents: Vec<DocumentJson>,
    pub pages: Vec<PageJson>,
}

/// One document (件) of a volume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentJson {
    pub seq: u32,
    pub kind: String,
    pub title: Option<String>,
    pub doc_no: Option<String>,
    pub responsible: Option<String>,
    pub date: Option<String>,
    pub first_page: u32,
    pub last_page: u32,
    pub page_no_from: Option<u32>,
    pub page_no_to: Option<u32>,
}

/// One scanned page of a volume.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageJson {
    pub seq: u32,
    pub source: String,
    pub source_page: u32,
    pub document: Option<u32>,
    pub page_no: Option<u32>,
    pub rotation: Option<u32>,
    pub skew_deg: Option<f64>,
    pub blank: Option<bool>,
    pub dpi: Option<u32>,
    pub color_mode: Option<String>,
    pub flags: Vec<String>,
    pub ocr_confidence: Option<f64>,
    pub text: Option<String>,
}
