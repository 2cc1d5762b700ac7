//! A fake OCR engine for tests: fixed text, optional delay, chosen failures.

use std::time::Duration;

use image::GrayImage;

use super::{EngineFactory, OcrEngine, OcrError};
use crate::model::TextLine;

/// Settings shared by every fake engine of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FakeFactory {
    /// Text every page reads as (lines split on `\n`); default "样例文本".
    pub text: Option<String>,
    /// Time each page takes, to let tests interrupt a run mid-way.
    pub delay_ms: u64,
    /// Fail on pages whose width in pixels is this (tests pick a page by its size).
    pub fail_width: Option<u32>,
    /// Fail to start at all.
    pub fail_init: bool,
}

impl FakeFactory {
    /// Reads settings from `ANJUAN_FAKE_OCR` (`delay_ms=50,fail_width=333,text=...`),
    /// used by the hidden `--engine fake` of the CLI in tests.
    pub fn from_env() -> Self {
        let mut f = FakeFactory::default();
        if let Ok(spec) = std::env::var("ANJUAN_FAKE_OCR") {
            for kv in spec.split(',') {
                match kv.split_once('=') {
                    Some(("delay_ms", v)) => f.delay_ms = v.parse().unwrap_or(0),
                    Some(("fail_width", v)) => f.fail_width = v.parse().ok(),
                    Some(("text", v)) => f.text = Some(v.to_string()),
                    Some(("fail_init", v)) => f.fail_init = v == "1",
                    _ => {}
                }
            }
        }
        f
    }
}

pub struct FakeEngine {
    settings: FakeFactory,
}

impl EngineFactory for FakeFactory {
    fn describe(&self) -> String {
        "fake".into()
    }
    fn create(&self) -> Result<Box<dyn OcrEngine>, OcrError> {
        if self.fail_init {
            return Err(OcrError::Init("fake engine told to fail".into()));
        }
        Ok(Box::new(FakeEngine {
            settings: self.clone(),
        }))
    }
}

impl OcrEngine for FakeEngine {
    fn describe(&self) -> String {
        "fake".into()
    }
    fn recognize(&mut self, image: &GrayImage, _dpi: u32) -> Result<Vec<TextLine>, OcrError> {
        if self.settings.delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(self.settings.delay_ms));
        }
        if self.settings.fail_width == Some(image.width()) {
            return Err(OcrError::Recognize(
                "fake engine told to fail on this page".into(),
            ));
        }
        let text = self
            .settings
            .text
            .clone()
            .unwrap_or_else(|| "样例文本".into());
        let h = (image.height() / 20).max(1);
        Ok(text
            .lines()
            .enumerate()
            .map(|(i, t)| TextLine {
                text: t.to_string(),
                bbox: [
                    image.width() / 10,
                    h * (i as u32 + 1),
                    image.width() * 8 / 10,
                    h / 2,
                ],
                confidence: 0.9,
            })
            .collect())
    }
}
