//! What imaging measured and decided for a page, and what the clerk decided
//! instead: stored by the catalogue, written into process.json, read by review.

use serde::{Deserialize, Serialize};

/// What a clerk decided for a page; each `Some` wins over the automatic decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Overrides {
    pub rotation: Option<u32>,
    pub skew_deg: Option<f32>,
    pub blank: Option<bool>,
    /// The turn the machine had chosen when the clerk first turned the page: a
    /// clerk who turns the page back to it gives the decision back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_rotation: Option<u32>,
}

impl Overrides {
    /// Does the clerk decide anything for this page?
    pub fn any(&self) -> bool {
        self.rotation.is_some() || self.skew_deg.is_some() || self.blank.is_some()
    }
}

/// Everything imaging measured and decided for one page (process metadata).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImagingRecord {
    pub version: String,
    /// Clockwise turn applied to make the page upright.
    pub rotation: u32,
    pub rotation_source: RotationSource,
    pub osd_confidence: Option<f32>,
    /// Measured skew (positive = content turned counter-clockwise), if measurable.
    pub skew_deg: Option<f32>,
    /// Skew actually corrected (0 when refused or negligible).
    pub skew_applied: f32,
    pub skew_gain: Option<f32>,
    pub axis_ratio: Option<f32>,
    pub blank: bool,
    /// Share of the text area covered by ink components (dust excluded).
    pub ink_coverage: f32,
    pub ink_components: usize,
    /// Punch holes left out of the ink count.
    #[serde(default)]
    pub punch_holes: usize,
    /// The same counts for dark ink only (see `dark_ink_threshold`): what is left
    /// when show-through is left out whatever its strength.
    #[serde(default)]
    pub dark_ink_coverage: f32,
    #[serde(default)]
    pub dark_ink_components: usize,
    /// Why the page is (or is not) blank: `ink` (nothing but dust, holes and
    /// faint show-through), `ocr` (only faint marks and OCR read nothing),
    /// `override` (the clerk), `none`.
    #[serde(default)]
    pub blank_source: BlankSource,
    pub bed_fraction: f32,
    pub paper_level: u8,
    pub ink_level: u8,
    pub sharpness: f32,
    /// Ink pixels touching the edge of the scan window (analysis resolution).
    #[serde(default)]
    pub edge_ink: usize,
    /// Stroke-like components cut by the worst side of the scan window, and the
    /// length of that side they cover (mm).
    #[serde(default)]
    pub cut_strokes: usize,
    #[serde(default)]
    pub cut_spread_mm: f32,
    /// Separate stretches of that side they cover (lines of text cut).
    #[serde(default)]
    pub cut_runs: usize,
    /// Quality flags with their measured values.
    pub flags: Vec<Flag>,
}

/// A quality flag (DA/T 31 §10) and the value that raised it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Flag {
    pub code: String,
    pub value: f32,
    pub limit: f32,
}

crate::word_enum! {
    /// Who decided how a page is turned upright.
    #[derive(Default)]
    pub enum RotationSource {
        /// The OCR engine's orientation detection (text lines ran down the page).
        Osd = "osd",
        /// Orientation detection after the page as turned read poorly, kept
        /// because the turned page read better.
        OsdAfterOcr = "osd+ocr",
        /// The clerk.
        Override = "override",
        /// Left as scanned.
        #[default]
        None = "none",
    }
}

crate::word_enum! {
    /// Why a page is (or is not) taken for a blank back.
    #[derive(Default)]
    pub enum BlankSource {
        /// Nothing but dust, holes and faint show-through.
        Ink = "ink",
        /// Only faint marks, and OCR read nothing.
        Ocr = "ocr",
        /// The clerk.
        Override = "override",
        /// Not blank (or not decided: records before this field).
        #[default]
        #[serde(alias = "")]
        None = "none",
    }
}

/// A clockwise turn to make a page upright, and who proposed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    pub degrees: u32,
    pub source: RotationSource,
    /// The orientation detector's confidence, when it proposed the turn.
    pub confidence: Option<f32>,
}

impl Turn {
    pub const AS_SCANNED: Turn = Turn {
        degrees: 0,
        source: RotationSource::None,
        confidence: None,
    };
}
