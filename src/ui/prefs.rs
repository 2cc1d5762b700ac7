//! Preferences kept between sessions (`settings.json` in the home).

use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use crate::home::Home;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub lang: Lang,
    /// The sample volume was offered once; not again, even if the clerk deleted it.
    pub sample_offered: bool,
    /// The scanner used last (SANE device name).
    pub scanner: Option<String>,
    /// Height of the thumbnails in 采集 (points); None: the default.
    pub thumb_height: Option<f32>,
}

/// The thumbnails' heights a clerk can choose, and the default.
pub const THUMB_HEIGHTS: std::ops::RangeInclusive<f32> = 100.0..=320.0;
const DEFAULT_THUMB_HEIGHT: f32 = 200.0;

impl Prefs {
    pub fn thumb_height(&self) -> f32 {
        self.thumb_height
            .unwrap_or(DEFAULT_THUMB_HEIGHT)
            .clamp(*THUMB_HEIGHTS.start(), *THUMB_HEIGHTS.end())
    }

    pub fn load(home: &Home) -> Prefs {
        std::fs::read(home.settings_path())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }
    pub fn save(&self, home: &Home) {
        if let Ok(bytes) = serde_json::to_vec_pretty(self)
            && let Err(e) = crate::fsutil::write_atomic(&home.settings_path(), &bytes)
        {
            tracing::warn!("cannot save settings: {e}");
        }
    }
}
