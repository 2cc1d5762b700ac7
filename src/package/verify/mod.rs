//! 四性检测 (DA/T 70-2018) of an archive package: authenticity, integrity,
//! usability and security, run by `package` on what it built and by `verify` on
//! any package, trusting nothing in it.
//!
//! [`read`] streams the entries past the hashers and decoders one at a time
//! (bounded memory, nothing extracted); [`checks`] is the table of named checks,
//! grouped by the four properties, each returning typed [`Failure`]s; [`check`]
//! runs the table into the [`Verification`] report.

mod checks;
mod read;

use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::hashes::DualHasher;
pub use crate::model::time::now_utc;
pub use checks::archival_code_shape;
pub use read::{Contents, ContentsBuilder, EntryFacts, FileInfo, read_zip, safe_name};

/// The four properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    Authenticity,
    Integrity,
    Usability,
    Security,
}

impl Property {
    pub fn zh(self) -> &'static str {
        match self {
            Property::Authenticity => "真实性",
            Property::Integrity => "完整性",
            Property::Usability => "可用性",
            Property::Security => "安全性",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Property::Authenticity => "Authenticity",
            Property::Integrity => "Integrity",
            Property::Usability => "Usability",
            Property::Security => "Security",
        }
    }
}

/// The English name of check `id` (reports record the Chinese one).
pub fn check_name_en(id: &str) -> Option<&'static str> {
    checks::CHECKS
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name_en)
}

/// What is wrong with one file (or with the package as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "problem", content = "detail", rename_all = "snake_case")]
pub enum Problem {
    /// The entry's name leaves the bag.
    LeavesPackage,
    SymbolicLink,
    NotOneFolder,
    NotInManifest,
    NoProcessRecord,
    Missing,
    /// Named by a manifest, absent from the package.
    ListedButMissing,
    ChecksumDiffers,
    NotBagIt,
    /// Does not parse (manifest, JSON, XML) — with the parser's words.
    Unreadable(String),
    /// Does not conform to its schema — with the validator's words.
    Schema(String),
    BadSignature(String),
    /// A value of the wrong shape: what, and the value.
    Malformed(String),
    /// Two places that must agree do not: what differs.
    Disagrees(String),
    /// A required 著录项 is absent.
    FieldMissing(String),
    /// Item or page numbering breaks: how.
    Numbering(String),
    /// Does not open as what its name says.
    Undecodable(String),
    FormatNotAllowed,
    Encrypted,
    UnusualCompression,
    /// The report inside says the package failed its check when it was built.
    FailedWhenBuilt,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::LeavesPackage => write!(f, "path leaves the package"),
            Problem::SymbolicLink => write!(f, "symbolic link"),
            Problem::NotOneFolder => write!(f, "not one top-level folder"),
            Problem::NotInManifest => write!(f, "not listed in the manifest"),
            Problem::NoProcessRecord => write!(f, "no process record"),
            Problem::Missing => write!(f, "missing"),
            Problem::ListedButMissing => write!(f, "listed but missing"),
            Problem::ChecksumDiffers => write!(f, "checksum differs"),
            Problem::NotBagIt => write!(f, "missing or not BagIt 1.0 / UTF-8"),
            Problem::Unreadable(why) => write!(f, "{why}"),
            Problem::Schema(why) => write!(f, "schema: {why}"),
            Problem::BadSignature(why) => write!(f, "{why}"),
            Problem::Malformed(what) => write!(f, "{what} is malformed"),
            Problem::Disagrees(what) => write!(f, "{what}"),
            Problem::FieldMissing(field) => write!(f, "{field} is missing"),
            Problem::Numbering(how) => write!(f, "{how}"),
            Problem::Undecodable(why) => write!(f, "{why}"),
            Problem::FormatNotAllowed => write!(f, "format not allowed"),
            Problem::Encrypted => write!(f, "encrypted"),
            Problem::UnusualCompression => write!(f, "unusual compression"),
            Problem::FailedWhenBuilt => {
                write!(f, "the package failed its own check when it was built")
            }
        }
    }
}

/// One failure of a check: the file (path in the bag, or `<package>`) and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub file: String,
    #[serde(flatten)]
    pub problem: Problem,
}

impl Failure {
    pub fn new(file: impl Into<String>, problem: Problem) -> Failure {
        Failure {
            file: file.into(),
            problem,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

/// One check item with its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckItem {
    pub id: String,
    pub property: Property,
    pub name: String,
    pub passed: bool,
    /// What passed, or the first failures in words.
    pub detail: String,
    /// The files that failed the check (empty when it passed).
    pub files: Vec<String>,
    /// Every failure, typed.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// The report written to `verification.json` and printed by `verify`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub package: String,
    pub archival_code: Option<String>,
    pub checked_at: String,
    pub software: String,
    pub passed: bool,
    pub items: Vec<CheckItem>,
}

impl Verification {
    /// The checks that failed, by id and name (「A1 …，B3 …」); empty when it passed.
    pub fn failed_checks(&self) -> String {
        self.items
            .iter()
            .filter(|i| !i.passed)
            .map(|i| format!("{} {}", i.id, i.name))
            .collect::<Vec<_>>()
            .join("，")
    }

    /// A readable report, one line per check item.
    pub fn text(&self) -> String {
        let mut out = format!(
            "四性检测 {}  {}\n",
            self.archival_code.as_deref().unwrap_or(&self.package),
            if self.passed {
                "通过 PASS"
            } else {
                "未通过 FAIL"
            }
        );
        for i in &self.items {
            out.push_str(&format!(
                "  [{}] {} {} {}: {}{}\n",
                if i.passed { "通过" } else { "失败" },
                i.property.zh(),
                i.id,
                i.name,
                i.detail,
                if i.files.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", i.files.join(", "))
                }
            ));
        }
        out
    }
}

/// Tag files a package may hold besides the payload.
pub const TAG_FILES: &[&str] = &[
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sm3.txt",
    "tagmanifest-sha256.txt",
    super::bag::SIGNATURE_FILE,
];

/// Runs every check of the table. `expect_report`: the package must hold
/// `verification.json` (false while the builder checks the payload before
/// writing it).
pub fn check(contents: &Contents, package: &str, expect_report: bool) -> Verification {
    let evidence = checks::Evidence::gather(contents, expect_report);
    let items: Vec<CheckItem> = checks::CHECKS
        .iter()
        .filter(|c| expect_report || !c.only_on_finished_packages)
        .map(|c| {
            let failures = (c.run)(&evidence);
            let passed = failures.is_empty();
            let detail = if passed {
                (c.passed)(&evidence)
            } else {
                failures
                    .iter()
                    .take(5)
                    .map(Failure::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            CheckItem {
                id: c.id.into(),
                property: c.property,
                name: c.name.into(),
                passed,
                detail,
                files: failures.iter().map(|f| f.file.clone()).collect(),
                failures,
            }
        })
        .collect();
    Verification {
        package: package.to_string(),
        archival_code: evidence.archival_code(),
        checked_at: now_utc(),
        software: format!("anjuan {}", env!("CARGO_PKG_VERSION")),
        passed: items.iter().all(|i| i.passed),
        items,
    }
}

/// Verifies a package file: the 四性检测 result.
pub fn verify_package(path: &Path) -> Result<Verification> {
    let contents = read_zip(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(check(&contents, &name, true))
}

/// Checksum of a whole package file (for the outbox list), read in pieces.
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut hasher = DualHasher::default();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hasher.finish().sha256)
}
