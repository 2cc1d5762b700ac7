//! The operators of a home (`operators.json`): the people who work in it, and
//! who worked last (offered first when the workstation starts). Chosen names are
//! recorded as the actor of everything done; the OS account is the default.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Operators {
    /// Everyone who has worked here, in the order they were first chosen.
    pub names: Vec<String>,
    /// Who worked last.
    pub last: Option<String>,
}

/// Longest name kept (a name, not a note).
const MAX_NAME_CHARS: usize = 40;

impl Operators {
    /// The home's list, or an empty one when it has none.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a list of operators", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// A name as it will be recorded, or why it cannot be one.
    pub fn check(name: &str) -> Result<String> {
        let name = name.trim();
        if name.is_empty() {
            anyhow::bail!("an operator needs a name");
        }
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            anyhow::bail!("{name:?} is not a name (at most {MAX_NAME_CHARS} characters, one line)");
        }
        Ok(name.to_string())
    }

    /// Records that `name` is working now (added to the list if new) and saves
    /// the list atomically.
    pub fn choose(&mut self, name: &str, path: &Path) -> Result<String> {
        let name = Self::check(name)?;
        if !self.names.contains(&name) {
            self.names.push(name.clone());
        }
        self.last = Some(name.clone());
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::fsutil::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(name)
    }

    /// The names to offer: the list, with `default` (the OS account) first when
    /// it is not on it.
    pub fn offered(&self, default: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.names.iter().any(|n| n == default) {
            out.push(default.to_string());
        }
        out.extend(self.names.iter().cloned());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_adds_remembers_and_refuses_what_is_no_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("operators.json");
        let mut ops = Operators::load(&path).unwrap();
        assert_eq!(ops, Operators::default());
        assert_eq!(ops.choose("  张三 ", &path).unwrap(), "张三");
        ops.choose("李四", &path).unwrap();
        ops.choose("张三", &path).unwrap();
        let again = Operators::load(&path).unwrap();
        assert_eq!(again.names, ["张三", "李四"]);
        assert_eq!(again.last.as_deref(), Some("张三"));
        assert_eq!(again.offered("clerk"), ["clerk", "张三", "李四"]);
        assert!(ops.choose("   ", &path).is_err());
        assert!(ops.choose("a\nb", &path).is_err());
        assert!(ops.choose(&"长".repeat(41), &path).is_err());
        assert_eq!(
            Operators::load(&path).unwrap(),
            again,
            "a refused name changes nothing"
        );
    }
}
