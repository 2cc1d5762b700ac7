//! The reports a package carries besides `volume.json`: `process.json` (how each
//! image was made from its master) and `review.json` (every finding, the
//! reviewer's marks and decision, the clerk's corrections). Typed here, described
//! by `schemas/process.schema.json` and `schemas/review.schema.json` (made from
//! these types, see the test below), and checked by `verify` like `volume.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalogue::{ReviewDecision, ReviewMark};
use crate::model::record::{ImagingRecord, Overrides, RotationSource};
use crate::model::{Finding, TextOrigin};

/// `data/report/process.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessRecord {
    /// `anjuan VERSION`.
    pub software: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
    /// The volume's id in the catalogue that made the package.
    pub volume: String,
    pub images: Vec<ImageProvenance>,
}

/// One image of the package: its master and what was done to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageProvenance {
    /// The image's path in the bag (`data/images/…`).
    pub file: String,
    /// Its place in scan order.
    pub seq: u32,
    pub master: MasterRef,
    /// The image is the master bit for bit.
    pub unchanged_master: bool,
    /// The operations that made the image from the master, in order.
    pub transforms: Vec<Transform>,
    /// Everything imaging measured and decided (None for pages made before it
    /// was recorded).
    pub imaging: Option<ImagingRecord>,
    /// The clerk's decisions that won over the automatic ones.
    pub overrides: Overrides,
    pub ocr: OcrProvenance,
}

/// The scanned original (stored once, never modified).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MasterRef {
    pub sha256: String,
    /// Its format (file extension).
    pub format: String,
    pub original_name: String,
    /// Page of a multi-page master (TIFF, PDF), from 1.
    pub source_page: u32,
}

/// One operation on the way from master to image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "operation", rename_all = "snake_case", deny_unknown_fields)]
pub enum Transform {
    Rotate {
        clockwise_degrees: u32,
        decided_by: RotationSource,
    },
    Deskew {
        degrees: f32,
        measured_degrees: Option<f32>,
    },
    /// The scanner bed outside the paper painted in the paper's colour.
    PaintScannerBed {
        area_fraction: f32,
        paper_level: u8,
    },
    Encode {
        format: String,
    },
}

/// Where the page text came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OcrProvenance {
    pub text_origin: Option<TextOrigin>,
    pub confidence: Option<f64>,
}

/// `data/report/review.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    pub volume: String,
    pub archival_code: String,
    pub created_at: String,
    /// Version of the review rules (`assets/review/rules.json`).
    pub rules: String,
    /// The latest approve / return, if any.
    pub decision: Option<ReviewDecision>,
    /// Every approve / return, oldest first.
    pub decisions: Vec<ReviewDecision>,
    /// Every finding: image quality, catalogue against images, statutory checks,
    /// the reviewer's open marks.
    pub findings: Vec<Finding>,
    /// Every mark, open or resolved.
    pub marks: Vec<ReviewMark>,
    /// Pages with quality flags.
    pub page_flags: Vec<PageFlags>,
    /// The clerk's corrections of the catalogue.
    pub corrections: Vec<CorrectionRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageFlags {
    pub page: u32,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRecord {
    /// `field:party`, `doc:12:title`, `start:12`, `kind:12`.
    pub target: String,
    pub value: String,
    pub by: String,
    pub at: String,
}

/// The JSON Schema of `process.json`, as the types above make it.
pub fn process_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ProcessRecord)).unwrap_or_default()
}

/// The JSON Schema of `review.json`, as the types above make it.
pub fn review_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ReviewRecord)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema files in `schemas/` are the ones the types make. After a change
    /// of the types, `ANJUAN_BLESS=1 cargo test --lib schemas_in_the_folder`
    /// writes them again (then review the diff: it is a change of the package
    /// format).
    #[test]
    fn schemas_in_the_folder_are_the_ones_the_types_make() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        for (file, schema) in [
            ("process.schema.json", process_schema()),
            ("review.schema.json", review_schema()),
        ] {
            let made = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = dir.join(file);
            if std::env::var_os("ANJUAN_BLESS").is_some() {
                std::fs::write(&path, &made).unwrap();
            }
            let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                on_disk == made,
                "schemas/{file} is not what the types make; run ANJUAN_BLESS=1 cargo test --lib schemas_in_the_folder"
            );
        }
    }
}
