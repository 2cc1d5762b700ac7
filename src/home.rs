//! The workspace ("home"): one catalogue plus its page store.
//!
//! Selected by `--home DIR` or `ANJUAN_HOME`; by default the platform's data
//! directory (`~/.local/share/anjuan` on Linux).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// Opens (creating if needed) the workspace at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create the workspace folder {}", root.display()))?;
        Ok(Home { root })
    }

    /// The platform's default workspace.
    pub fn default_root() -> PathBuf {
        directories::ProjectDirs::from("", "", "anjuan")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".anjuan"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn catalogue_path(&self) -> PathBuf {
        self.root.join("catalogue.sqlite")
    }
    pub fn store_dir(&self) -> PathBuf {
        self.root.join("store")
    }
    /// Held exclusively while a `process` run works on this home.
    pub fn process_lock_path(&self) -> PathBuf {
        self.root.join("process.lock")
    }
    /// Where `scanimage` writes sheets until they are imported; what a crash
    /// leaves here is imported on the next scan.
    pub fn scan_dir(&self) -> PathBuf {
        self.root.join("scanning")
    }
    pub fn settings_path(&self) -> PathBuf {
        self.root.join("settings.json")
    }
    /// The bureau's archive settings (全宗号, 档号 template); defaults when absent.
    pub fn bureau_path(&self) -> PathBuf {
        self.root.join("bureau.json")
    }
}
