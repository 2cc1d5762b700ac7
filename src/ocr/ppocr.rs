//! PP-OCR (PP-OCRv4 detection and recognition) on ONNX Runtime, through `oar-ocr`.
//!
//! Far better than Tesseract's fast `chi_sim` on our scans. ONNX Runtime's library
//! is loaded at run time (`ort`'s `load-dynamic`) and, like the models, found
//! beside the executable, in a configured folder (`ANJUAN_ORT_DIR`,
//! `ANJUAN_PPOCR_DIR`) or in `vendor/` where `make setup` puts them. One engine
//! per worker with one intra-op thread: two single-threaded sessions beat one
//! session with two threads on two cores.
//!
//! No text-line orientation model: the one in RapidOCR's wheel is not the one
//! `oar-ocr` expects and flips good lines; pages arrive upright from imaging.

use std::path::PathBuf;
use std::sync::OnceLock;

use image::GrayImage;
use oar_ocr::core::config::OrtSessionConfig;
use oar_ocr::domain::tasks::{TextDetectionConfig, TextRecognitionConfig};
use oar_ocr::oarocr::{OAROCR, OAROCRBuilder};
use oar_ocr::processors::LimitType;

use super::text::clean_line;
use super::{EngineFactory, OcrEngine, OcrError};
use crate::model::TextLine;

/// The models as RapidOCR's wheel ships them.
pub const DET_MODEL: &str = "ch_PP-OCRv4_det_infer.onnx";
pub const REC_MODEL: &str = "ch_PP-OCRv4_rec_infer.onnx";
/// The same models rewritten by `scripts/fuse-ppocr-model.py` at set-up: the
/// element-wise nodes paddle2onnx spells out (hard-swish, PP-LCNetV3's affine
/// blocks) folded into the convolutions. Same outputs within 1e-5 (a test reads
/// pages with both), about 1.7× faster recognition and 1.5× faster detection on
/// one thread. Used when present, else the wheel's models.
pub const DET_MODEL_FUSED: &str = "ch_PP-OCRv4_det_infer.fused.onnx";
pub const REC_MODEL_FUSED: &str = "ch_PP-OCRv4_rec_infer.fused.onnx";
const ORT_LIB: &str = "libonnxruntime.so";

/// Longest side of the page as text detection sees it. Measured on the corpus
/// (80 pages, 2 workers): 2000 px read at CER 0.0189 with 1.03 GB per worker;
/// 1280 px reads at 0.0200, 19 % faster, with 0.63 GB; 960 px (PaddleOCR's own
/// default) also reads at 0.0200 but splits letter-spaced titles and joins more
/// table cells (indexing: 237/240 fields against 240/240). Body text of an A4 page
/// at 300 dpi is still about 18 px high at this scale, enough for DB detection;
/// recognition always reads the full-resolution line crops.
const DET_MAX_SIDE: u32 = 1280;

/// Where the engine's files are.
#[derive(Debug, Clone, PartialEq)]
pub struct PpOcrFiles {
    pub onnxruntime: PathBuf,
    pub det: PathBuf,
    pub rec: PathBuf,
}

impl PpOcrFiles {
    /// Finds ONNX Runtime and the models (fused where set-up made them), or
    /// says what is missing and where we looked.
    pub fn locate() -> Result<Self, String> {
        Self::locate_in(&Self::search_dirs())
    }

    /// The folders searched, in order: beside the executable, the configured
    /// folders (`ANJUAN_ORT_DIR`, `ANJUAN_PPOCR_DIR`), then `vendor/`.
    pub fn search_dirs() -> Vec<PathBuf> {
        let mut dirs = crate::vendor::candidates("onnxruntime", "ANJUAN_ORT_DIR");
        dirs.extend(crate::vendor::candidates("ppocr", "ANJUAN_PPOCR_DIR"));
        dirs
    }

    /// Looks for the files in `dirs` only; each model fused if found so.
    pub fn locate_in(dirs: &[PathBuf]) -> Result<Self, String> {
        Self::locate_models(dirs, true)
    }

    /// The wheel's models as shipped, never the fused ones (to compare them).
    pub fn as_shipped_in(dirs: &[PathBuf]) -> Result<Self, String> {
        Self::locate_models(dirs, false)
    }

    fn locate_models(dirs: &[PathBuf], fused: bool) -> Result<Self, String> {
        let first = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.exists());
        let find = |name: &str, fused_name: &str, what: &str| {
            fused
                .then(|| first(fused_name))
                .flatten()
                .or_else(|| first(name))
                .ok_or_else(|| {
                    let looked: Vec<String> =
                        dirs.iter().map(|d| d.display().to_string()).collect();
                    format!(
                        "{what} ({name}) was not found; looked in {}. Run `make setup`",
                        looked.join(", ")
                    )
                })
        };
        Ok(PpOcrFiles {
            onnxruntime: find(ORT_LIB, ORT_LIB, "ONNX Runtime")?,
            det: find(DET_MODEL, DET_MODEL_FUSED, "the PP-OCR detection model")?,
            rec: find(REC_MODEL, REC_MODEL_FUSED, "the PP-OCR recognition model")?,
        })
    }

    /// Whether both models are the fused ones.
    pub fn fused(&self) -> bool {
        let named = |p: &PathBuf, n: &str| p.file_name().is_some_and(|f| f == n);
        named(&self.det, DET_MODEL_FUSED) && named(&self.rec, REC_MODEL_FUSED)
    }
}

/// ONNX Runtime is loaded once per process.
static ORT: OnceLock<Result<(), String>> = OnceLock::new();

fn load_onnxruntime(lib: &std::path::Path) -> Result<(), OcrError> {
    ORT.get_or_init(|| match ort::init_from(lib) {
        Ok(builder) => {
            builder.commit();
            Ok(())
        }
        Err(e) => Err(format!(
            "ONNX Runtime {} cannot be loaded: {e}",
            lib.display()
        )),
    })
    .clone()
    .map_err(OcrError::Init)
}

/// The recognition model's character list, kept in its ONNX metadata (key
/// `character`, one character per line), read without a protobuf library: the
/// entry is a key string `character` followed by its value string.
pub fn character_list(model: &[u8]) -> Option<String> {
    let key = b"\x0a\x09character\x12";
    let at = model.windows(key.len()).position(|w| w == key)? + key.len();
    let (mut len, mut shift, mut i) = (0usize, 0, at);
    loop {
        let b = *model.get(i)?;
        len |= ((b & 0x7F) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let text = std::str::from_utf8(model.get(i..i + len)?).ok()?;
    Some(text.to_string())
}

#[derive(Debug, Clone)]
pub struct PpOcrFactory;

impl EngineFactory for PpOcrFactory {
    fn describe(&self) -> String {
        "pp-ocrv4".into()
    }
    fn create(&self) -> Result<Box<dyn OcrEngine>, OcrError> {
        Ok(Box::new(PpOcrEngine::new(
            &PpOcrFiles::locate().map_err(OcrError::Init)?,
        )?))
    }
}

pub struct PpOcrEngine {
    ocr: OAROCR,
}

impl PpOcrEngine {
    pub fn new(files: &PpOcrFiles) -> Result<Self, OcrError> {
        load_onnxruntime(&files.onnxruntime)?;
        if !files.fused() {
            static TOLD: std::sync::Once = std::sync::Once::new();
            TOLD.call_once(|| {
                tracing::warn!(
                    "PP-OCR runs the models as shipped ({}), about 1.6× slower than fused; \
                     `make setup` fuses them",
                    files.rec.display()
                )
            });
        }
        let rec_bytes = std::fs::read(&files.rec)
            .map_err(|e| OcrError::Init(format!("{}: {e}", files.rec.display())))?;
        let characters = character_list(&rec_bytes).ok_or_else(|| {
            OcrError::Init(format!("{} has no character list", files.rec.display()))
        })?;
        // RapidOCR's settings, with which these models read case files best.
        let det = TextDetectionConfig {
            score_threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
            max_candidates: 1000,
            limit_side_len: Some(736),
            limit_type: Some(LimitType::Min),
            max_side_len: Some(DET_MAX_SIDE),
        };
        let session = OrtSessionConfig::new()
            .with_intra_threads(1)
            .with_inter_threads(1)
            .with_memory_pattern(false);
        let ocr = OAROCRBuilder::new(files.det.clone(), files.rec.clone(), PathBuf::new())
            .character_dict_content(characters)
            .text_detection_config(det)
            .text_recognition_config(TextRecognitionConfig {
                score_threshold: 0.5,
            })
            .ort_session(session)
            // One crop per run: the crops of a page differ widely in width, and
            // a batch is padded to its widest; on one thread padding is pure
            // waste (corpus: recognition 1.73 s per page at 1 against 2.16 s at 4).
            .region_batch_size(1)
            .build()
            .map_err(|e| OcrError::Init(format!("PP-OCR cannot start: {e}")))?;
        Ok(PpOcrEngine { ocr })
    }
}

impl OcrEngine for PpOcrEngine {
    fn describe(&self) -> String {
        "pp-ocrv4".into()
    }

    fn recognize(&mut self, image: &GrayImage, _dpi: u32) -> Result<Vec<TextLine>, OcrError> {
        let rgb = crate::imaging::convert::gray_to_rgb(image);
        let results = self
            .ocr
            .predict(vec![rgb])
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        let mut lines = Vec::new();
        for r in &results {
            for region in r.text_regions.iter() {
                let (Some(text), Some(conf)) = (&region.text, region.confidence) else {
                    continue;
                };
                let text = clean_line(text);
                if text.is_empty() {
                    continue;
                }
                let pts = &region.bounding_box.points;
                let (x0, y0, x1, y1) = pts.iter().fold(
                    (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                    |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
                );
                lines.push(TextLine {
                    text,
                    bbox: [
                        x0.max(0.0) as u32,
                        y0.max(0.0) as u32,
                        (x1 - x0).max(1.0) as u32,
                        (y1 - y0).max(1.0) as u32,
                    ],
                    confidence: conf,
                });
            }
        }
        Ok(super::layout::reading_order(
            lines,
            &super::layout::horizontal_rulings(image),
            image.height(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_list_is_read_from_model_metadata() {
        let mut model = b"junk\x0a\x09character\x12".to_vec();
        let chars = "甲\n乙\n丙";
        model.push(chars.len() as u8);
        model.extend(chars.as_bytes());
        model.extend(b"more");
        assert_eq!(character_list(&model).as_deref(), Some(chars));
        assert_eq!(character_list(b"no metadata"), None);
    }

    #[test]
    fn fused_models_are_preferred_and_the_shipped_ones_are_the_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = [dir.path().to_path_buf()];
        for name in [ORT_LIB, DET_MODEL, REC_MODEL] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let shipped = PpOcrFiles::locate_in(&dirs).unwrap();
        assert_eq!(shipped.rec, dir.path().join(REC_MODEL));
        assert!(!shipped.fused());

        // A fused recogniser alone: used, but the pair is not all fused.
        std::fs::write(dir.path().join(REC_MODEL_FUSED), b"x").unwrap();
        let half = PpOcrFiles::locate_in(&dirs).unwrap();
        assert_eq!(half.rec, dir.path().join(REC_MODEL_FUSED));
        assert_eq!(half.det, dir.path().join(DET_MODEL));
        assert!(!half.fused());

        std::fs::write(dir.path().join(DET_MODEL_FUSED), b"x").unwrap();
        assert!(PpOcrFiles::locate_in(&dirs).unwrap().fused());
        assert_eq!(PpOcrFiles::as_shipped_in(&dirs).unwrap(), shipped);
    }
}
