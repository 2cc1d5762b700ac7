//! The vocabulary of DESIGN.md §4 as plain serde types.
//!
//! The JSON structs here *are* the command-line contract (`show --json`), described
//! by `schemas/volume.schema.json`; unknown values are `None` and print as `null`.

use serde::{Deserialize, Serialize};

/// A closed set of values written as fixed words (JSON, the catalogue, the
/// command line): the enum, `as_str`, `parse` (None for a word it does not know),
/// `Display` and serde, from one list of `Variant = "word"`.
#[macro_export]
macro_rules! word_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod finding;
pub mod index;
pub mod operators;
pub mod record;
pub mod settings;
pub mod time;

pub use finding::{Finding, ScoreAdjustment, Severity, Verdict};

word_enum! {
    /// The stages of a volume that one person works on at a time in a room
    /// (扫描, 著录, 质检); a clerk claims the stage while working on it.
    pub enum Stage {
        Scan = "scan",
        Index = "index",
        Review = "review",
    }
}

impl Stage {
    /// The stage an audited edit belongs to (None: not a person's edit of a
    /// volume, e.g. processing, packing, upload).
    pub fn of_action(action: &str) -> Option<Stage> {
        match action {
            "override" | "pages_moved" | "pages_removed" | "pages_restored" | "page_replaced" => {
                Some(Stage::Scan)
            }
            "correct" | "second_entry" | "second_entry_settled" => Some(Stage::Index),
            "review_mark" | "review_resolve" | "score_adjust" | "review_approved"
            | "review_returned" => Some(Stage::Review),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Scan => "扫描",
            Stage::Index => "著录",
            Stage::Review => "质检",
        }
    }
}

word_enum! {
    /// Where a page stands in the pipeline, shown as a badge in the UI.
    pub enum PageState {
        /// Stored and waiting for processing.
        Imported = "imported",
        /// A worker holds it now (or held it when the process died; reset on the next run).
        Processing = "processing",
        /// Every stage finished and committed.
        Done = "done",
        /// A stage failed; `error` says why. Rerun with `--retry-failed`.
        Failed = "failed",
    }
}

word_enum! {
    /// Colour mode of a scanned page (DA/T 31 §9 asks for colour where seals are red).
    pub enum ColorMode {
        Color = "color",
        Gray = "gray",
        Bilevel = "bilevel",
    }
}

word_enum! {
    /// Where a volume stands (`status` in `show --json` and `volumes --json`).
    #[derive(Default)]
    pub enum VolumeStatus {
        #[default]
        Empty = "empty",
        Imported = "imported",
        Processing = "processing",
        Processed = "processed",
        /// Processed, and its documents and fields proposed (著录).
        Indexed = "indexed",
        ProcessedWithErrors = "processed_with_errors",
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

word_enum! {
    /// Where the text of a page came from.
    pub enum TextOrigin {
        Ocr = "ocr",
        BornDigital = "born_digital",
    }
}

/// `show --json`: one volume as in DESIGN.md §4.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VolumeJson {
    pub id: String,
    pub archival_code: Option<String>,
    pub fonds_code: Option<String>,
    pub title: Option<String>,
    pub year: Option<i32>,
    pub retention: Option<String>,
    pub agency: Option<String>,
    /// 立卷单位 (DA/T 22); absent in packages made before it was added.
    #[serde(default)]
    pub compiler: Option<String>,
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
    pub status: VolumeStatus,
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
