//! The workspace ("home"): one catalogue plus its page store, and who is working
//! in it now (the operator, recorded as the actor of everything done).
//!
//! Selected by `--home DIR` or `ANJUAN_HOME`; by default the platform's data
//! directory (`~/.local/share/anjuan` on Linux).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
    operator: String,
    /// A room's shared catalogue instead of the home's SQLite file.
    shared_catalogue: Option<String>,
}

/// The account the process runs as (from the system's user database, not
/// `$USER`, which any caller can set), or `clerk` when the system names none:
/// the operator when nobody chose one.
pub fn os_account() -> String {
    whoami::fallible::username()
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "clerk".into())
}

impl Home {
    /// Opens (creating if needed) the workspace at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create the workspace folder {}", root.display()))?;
        Ok(Home {
            root,
            operator: os_account(),
            shared_catalogue: None,
        })
    }

    /// The same home with its catalogue on a room's PostgreSQL (`postgres://…`);
    /// None keeps the home's own SQLite file.
    pub fn with_catalogue(mut self, url: Option<&str>) -> Result<Self> {
        self.shared_catalogue = match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => None,
            Some(u) => match crate::catalogue::Location::parse(u) {
                crate::catalogue::Location::Postgres(url) => Some(url),
                crate::catalogue::Location::Sqlite(_) => anyhow::bail!(
                    "--catalogue / ANJUAN_CATALOGUE takes a postgres:// URL, not {u:?} \
                     (a home's own catalogue is its catalogue.sqlite)"
                ),
            },
        };
        Ok(self)
    }

    /// The same home, worked in by `operator` (blank: the OS account).
    pub fn with_operator(mut self, operator: &str) -> Self {
        let operator = operator.trim();
        self.operator = if operator.is_empty() {
            os_account()
        } else {
            operator.to_string()
        };
        self
    }

    /// Who is working: the actor of the audit trail, corrections, marks and decisions.
    pub fn operator(&self) -> &str {
        &self.operator
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
    /// The home's catalogue: the room's PostgreSQL when one was given, else its
    /// own SQLite file.
    pub fn catalogue(&self) -> crate::catalogue::Location {
        match &self.shared_catalogue {
            Some(url) => crate::catalogue::Location::Postgres(url.clone()),
            None => crate::catalogue::Location::Sqlite(self.root.join("catalogue.sqlite")),
        }
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
    /// The bureau's own 双公示 publication rules; the shipped ones when absent.
    pub fn publicity_rules_path(&self) -> PathBuf {
        self.root.join("publicity.json")
    }
    /// The bureau's own 评查 score sheet; the shipped one when absent.
    pub fn scoring_path(&self) -> PathBuf {
        self.root.join("scoring.json")
    }
    /// The operators who work in this home and the one who worked last.
    pub fn operators_path(&self) -> PathBuf {
        self.root.join("operators.json")
    }
}
