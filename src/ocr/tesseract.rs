//! Tesseract through libtesseract (the `tesseract` crate).
//!
//! One engine per worker, single-threaded: the process sets `OMP_THREAD_LIMIT=1`
//! before the first engine starts (several engines each spawning OpenMP threads run
//! many times slower). Lines and their boxes come from Tesseract's TSV output
//! (line boxes are sound; its word boxes for CJK are not).

use std::collections::BTreeMap;

use image::GrayImage;

use super::text::clean_line;
use super::{EngineFactory, OcrEngine, OcrError};
use crate::model::TextLine;

#[derive(Debug, Clone)]
pub struct TesseractFactory {
    pub languages: String,
}

impl EngineFactory for TesseractFactory {
    fn describe(&self) -> String {
        format!("tesseract {}", self.languages)
    }
    fn create(&self) -> Result<Box<dyn OcrEngine>, OcrError> {
        let engine = TesseractEngine::new(&self.languages)?;
        Ok(Box::new(engine))
    }
}

pub struct TesseractEngine {
    languages: String,
    /// The crate's API consumes the instance on every call; `None` after a failure,
    /// when the next page starts a fresh one.
    api: Option<tesseract::Tesseract>,
}

fn init(languages: &str) -> Result<tesseract::Tesseract, OcrError> {
    let t = tesseract::Tesseract::new(None, Some(languages)).map_err(|e| {
        OcrError::Init(format!(
            "Tesseract cannot load the language data '{languages}' ({e}); \
             install tesseract-ocr-chi-sim (`make setup` does)"
        ))
    })?;
    let mut t = t
        .set_variable("preserve_interword_spaces", "1")
        // Tesseract's own chatter ("Image too small to scale") is not for clerks.
        .and_then(|t| t.set_variable("debug_file", "/dev/null"))
        .map_err(|e| OcrError::Init(e.to_string()))?;
    // Pages arrive upright from imaging. Measured on case-file scans after
    // imaging: one column of text of variable sizes (PSM 4) reads best (CER 0.141),
    // before automatic layout (PSM 3, 0.151, which also drops some sparse lines) and
    // the API's default single uniform block (PSM 6, 0.204).
    t.set_page_seg_mode(tesseract::PageSegMode::PsmSingleColumn);
    Ok(t)
}

impl TesseractEngine {
    pub fn new(languages: &str) -> Result<Self, OcrError> {
        Ok(TesseractEngine {
            languages: languages.into(),
            api: Some(init(languages)?),
        })
    }
}

impl OcrEngine for TesseractEngine {
    fn describe(&self) -> String {
        format!("tesseract {}", self.languages)
    }

    fn recognize(&mut self, image: &GrayImage, dpi: u32) -> Result<Vec<TextLine>, OcrError> {
        let api = match self.api.take() {
            Some(a) => a,
            None => init(&self.languages)?,
        };
        let (w, h) = (image.width() as i32, image.height() as i32);
        let mut api = api
            .set_frame(image.as_raw(), w, h, 1, w)
            .map_err(|e| OcrError::Recognize(e.to_string()))?
            .set_source_resolution(dpi as i32)
            .recognize()
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        let tsv = api
            .get_tsv_text(0)
            .map_err(|e| OcrError::Recognize(e.to_string()))?;
        self.api = Some(api);
        Ok(lines_from_tsv(&tsv))
    }
}

/// Builds lines from Tesseract's TSV: level-4 rows give line boxes, level-5 rows
/// the words with their confidences.
pub fn lines_from_tsv(tsv: &str) -> Vec<TextLine> {
    #[derive(Default)]
    struct Acc {
        bbox: [u32; 4],
        words: Vec<String>,
        conf_sum: f32,
        conf_n: usize,
    }
    let mut lines: BTreeMap<(u32, u32, u32, u32), Acc> = BTreeMap::new();
    for row in tsv.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 11 {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<i64>().unwrap_or(-1);
        let level = num(0);
        let key = (num(1) as u32, num(2) as u32, num(3) as u32, num(4) as u32);
        let bbox = [
            num(6).max(0) as u32,
            num(7).max(0) as u32,
            num(8).max(0) as u32,
            num(9).max(0) as u32,
        ];
        match level {
            4 => lines.entry(key).or_default().bbox = bbox,
            5 => {
                let text = f.get(11).copied().unwrap_or("").trim();
                let conf: f32 = f[10].trim().parse().unwrap_or(-1.0);
                if text.is_empty() {
                    continue;
                }
                let acc = lines.entry(key).or_default();
                acc.words.push(text.to_string());
                if conf >= 0.0 {
                    acc.conf_sum += conf;
                    acc.conf_n += 1;
                }
            }
            _ => {}
        }
    }
    lines
        .into_values()
        .filter_map(|a| {
            let text = clean_line(&a.words.join(" "));
            (!text.is_empty()).then(|| TextLine {
                text,
                bbox: a.bbox,
                confidence: if a.conf_n > 0 {
                    a.conf_sum / a.conf_n as f32 / 100.0
                } else {
                    0.0
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_lines_are_joined_without_cjk_spaces() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t40\t40\t90\t行政\n\
                   5\t1\t1\t1\t1\t2\t60\t20\t40\t40\t80\t处罚\n\
                   4\t1\t1\t1\t2\t0\t10\t80\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t2\t1\t10\t80\t40\t40\t70\tNo.\n\
                   5\t1\t1\t1\t2\t2\t60\t80\t40\t40\t70\t17\n";
        let lines = lines_from_tsv(tsv);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "行政处罚");
        assert_eq!(lines[0].bbox, [10, 20, 300, 40]);
        assert!((lines[0].confidence - 0.85).abs() < 1e-4);
        assert_eq!(lines[1].text, "No. 17");
    }
}
