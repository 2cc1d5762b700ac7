//! Where page files live.
//!
//! * **Masters** — the imported source files, stored once, unchanged, under the
//!   SHA-256 of their content (`masters/ab/abcd….jpg`), written atomically and made
//!   read-only. Importing the same file again finds the same master.
//! * **Derivatives** — working images, thumbnails: named by a key that covers the
//!   master and every parameter that made them, so they can always be made again and
//!   never go stale.

use std::fs;
use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::fsutil::write_atomic;

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// A master that is in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMaster {
    pub sha256: String,
    pub path: PathBuf,
    pub size: u64,
    /// `false` when the same content was already stored.
    pub newly_stored: bool,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store { root: root.into() }
    }

    pub fn master_path(&self, sha256: &str, ext: &str) -> PathBuf {
        self.root
            .join("masters")
            .join(&sha256[..2])
            .join(format!("{sha256}.{ext}"))
    }

    /// Stores `bytes` as a master (once). `ext` is the canonical extension of the
    /// content's real format, not of the file name it came with.
    pub fn put_master(&self, bytes: &[u8], ext: &str) -> Result<StoredMaster> {
        let sha256 = sha256_hex(bytes);
        let path = self.master_path(&sha256, ext);
        if let Ok(meta) = fs::metadata(&path)
            && meta.len() == bytes.len() as u64
        {
            return Ok(StoredMaster {
                sha256,
                path,
                size: meta.len(),
                newly_stored: false,
            });
        }
        write_atomic(&path, bytes)
            .with_context(|| format!("cannot write master {}", path.display()))?;
        // Masters are never modified: say so to every later writer.
        let mut perm = fs::metadata(&path)?.permissions();
        perm.set_readonly(true);
        fs::set_permissions(&path, perm)?;
        Ok(StoredMaster {
            sha256,
            path,
            size: bytes.len() as u64,
            newly_stored: true,
        })
    }

    /// Reads a master back and checks that it is still what was stored.
    pub fn read_master(&self, sha256: &str, ext: &str) -> Result<Vec<u8>> {
        let path = self.master_path(sha256, ext);
        let mut bytes = Vec::new();
        fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .with_context(|| format!("master {} is missing or unreadable", path.display()))?;
        let actual = sha256_hex(&bytes);
        anyhow::ensure!(
            actual == sha256,
            "master {} is damaged: its checksum is {actual}",
            path.display()
        );
        Ok(bytes)
    }

    /// Path of a derivative named by `key` (already a hash of everything that made it).
    pub fn derived_path(&self, key: &str, ext: &str) -> PathBuf {
        self.root
            .join("derived")
            .join(&key[..2])
            .join(format!("{key}.{ext}"))
    }

    pub fn put_derived(&self, key: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.derived_path(key, ext);
        write_atomic(&path, bytes)
            .with_context(|| format!("cannot write derivative {}", path.display()))?;
        Ok(path)
    }
}

/// A stable key for a derivative: hash of its inputs' description.
pub fn derivative_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_is_stored_once_and_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let a = store.put_master(b"page bytes", "jpg").unwrap();
        let b = store.put_master(b"page bytes", "jpg").unwrap();
        assert!(a.newly_stored);
        assert!(!b.newly_stored);
        assert_eq!(a.path, b.path);
        assert!(fs::metadata(&a.path).unwrap().permissions().readonly());
        assert_eq!(store.read_master(&a.sha256, "jpg").unwrap(), b"page bytes");
    }

    #[test]
    fn derivative_key_depends_on_every_part() {
        assert_ne!(derivative_key(&["a", "bc"]), derivative_key(&["ab", "c"]));
        assert_eq!(derivative_key(&["x", "y"]), derivative_key(&["x", "y"]));
    }
}
