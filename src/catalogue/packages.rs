//! The outbox: which volumes have a package, where, with which checksum.

use std::path::{Path, PathBuf};

use super::db::{args, now};
use anyhow::Result;

use super::Catalogue;

#[derive(Debug, Clone, PartialEq)]
pub struct PackageRow {
    pub volume_id: String,
    pub archival_code: String,
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub passed: bool,
    pub built_at: String,
}

impl Catalogue {
    pub fn record_package(
        &self,
        volume_id: &str,
        code: &str,
        path: &Path,
        passed: bool,
    ) -> Result<()> {
        let bytes = std::fs::read(path)?;
        let sha = crate::store::sha256_hex(&bytes);
        self.conn.execute(
            "INSERT INTO packages(volume_id, archival_code, path, sha256, size, passed, built_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(volume_id) DO UPDATE SET archival_code = ?2, path = ?3, sha256 = ?4, size = ?5,
               passed = ?6, built_at = excluded.built_at",
            args![volume_id, code, path.to_string_lossy().into_owned(), sha, bytes.len() as i64, passed, now()],
        )?;
        self.audit(
            "package",
            "package",
            Some(volume_id),
            &serde_json::json!({"archival_code": code, "path": path, "sha256": sha, "passed": passed}).to_string(),
        )?;
        Ok(())
    }

    pub fn packages(&self) -> Result<Vec<PackageRow>> {
        let mut st = self.conn.prepare(
            "SELECT volume_id, archival_code, path, sha256, size, passed, built_at FROM packages ORDER BY built_at DESC",
        )?;
        let rows = st.query_map(args![], |r| {
            Ok(PackageRow {
                volume_id: r.get(0)?,
                archival_code: r.get(1)?,
                path: PathBuf::from(r.get::<String>(2)?),
                sha256: r.get(3)?,
                size: r.get::<i64>(4)? as u64,
                passed: r.get(5)?,
                built_at: r.get(6)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }
}
