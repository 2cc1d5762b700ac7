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
}

impl Prefs {
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
