//! 四性检测 (DA/T 70-2018) of an archive package: authenticity, integrity,
//! usability and security, run by `package` on what it built and by `verify` on
//! any package, trusting nothing in it.
//!
//! Entries are read one at a time from the zip, in memory (nothing is extracted):
//! names that escape the bag (`..`, absolute paths, backslashes), symlinks,
//! encrypted entries and unusual compression are refused; both manifests are
//! recomputed, Payload-Oxum checked, every file decoded, metadata validated and
//! compared with the files.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::hashes::{DualHasher, sha256_hex};
use super::metadata::xml_summary;
use crate::indexing::values::Date;
use crate::model::VolumeJson;

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
}

/// One check item with its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckItem {
    pub id: String,
    pub property: Property,
    pub name: String,
    pub passed: bool,
    pub detail: String,
    /// The files that failed the check (empty when it passed).
    pub files: Vec<String>,
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

/// File types allowed in the payload (DA/T 70 usability: formats on a list).
const ALLOWED_EXT: &[&str] = &[
    "jpg", "jpeg", "png", "tif", "tiff", "pdf", "txt", "xml", "json",
];

/// An entry's facts as stored in the container.
#[derive(Debug, Clone, Default)]
pub struct EntryFacts {
    pub name: String,
    pub is_dir: bool,
    pub symlink: bool,
    pub encrypted: bool,
    /// Stored or deflated (the only methods an archive should need).
    pub plain_method: bool,
}

/// What the checks read from a package.
pub struct Contents {
    pub facts: Vec<EntryFacts>,
    /// Relative to the bag root → (digests, bytes if small or metadata).
    pub files: BTreeMap<String, FileInfo>,
    pub root: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FileInfo {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    /// Kept for tag files, metadata, reports and text; images are decoded and dropped.
    pub bytes: Option<Vec<u8>>,
    /// Why the file does not open, if it does not.
    pub decode_error: Option<String>,
}

/// Largest entry we are willing to read (a volume's PDF is the biggest file).
const MAX_ENTRY: u64 = 4 << 30;

/// Reads a zip package safely into [`Contents`].
pub fn read_zip(path: &Path) -> Result<Contents> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .with_context(|| format!("{} is not a readable zip file", path.display()))?;
    let mut facts = Vec::new();
    let mut raw = Vec::new();
    for i in 0..zip.len() {
        let guessed_name = zip.name_for_index(i).unwrap_or("?").to_string();
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                // Encrypted or unsupported entries cannot be opened: still recorded.
                let name = guessed_name;
                facts.push(EntryFacts {
                    name: name.clone(),
                    encrypted: true,
                    ..Default::default()
                });
                raw.push((name, Err(format!("cannot open: {e}"))));
                continue;
            }
        };
        let name = String::from_utf8(entry.name_raw().to_vec())
            .unwrap_or_else(|_| format!("<non-UTF-8 name #{i}>"));
        let f = EntryFacts {
            name: name.clone(),
            is_dir: entry.is_dir(),
            symlink: entry.is_symlink(),
            encrypted: entry.encrypted(),
            plain_method: matches!(
                entry.compression(),
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            ),
        };
        let unsafe_name = !safe_name(&name);
        facts.push(f.clone());
        if f.is_dir || f.symlink || f.encrypted || unsafe_name {
            continue; // never read: its name or kind is already a failure
        }
        if entry.size() > MAX_ENTRY {
            raw.push((
                name,
                Err(format!(
                    "{} bytes is more than a package file may hold",
                    entry.size()
                )),
            ));
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size().min(64 << 20) as usize);
        match (&mut entry).take(MAX_ENTRY + 1).read_to_end(&mut bytes) {
            Ok(_) => raw.push((name, Ok(bytes))),
            Err(e) => raw.push((name, Err(format!("cannot read: {e}")))),
        }
    }
    Ok(contents_from(facts, raw))
}

/// Builds [`Contents`] from entries already in memory (the builder's self-check).
pub fn contents_from(
    facts: Vec<EntryFacts>,
    raw: Vec<(String, Result<Vec<u8>, String>)>,
) -> Contents {
    let roots: BTreeSet<String> = facts
        .iter()
        .filter_map(|f| f.name.split('/').next().map(str::to_string))
        .collect();
    let root = (roots.len() == 1).then(|| roots.into_iter().next().unwrap_or_default());
    let mut files = BTreeMap::new();
    for (name, data) in raw {
        let rel = match &root {
            Some(r) => name
                .strip_prefix(&format!("{r}/"))
                .unwrap_or(&name)
                .to_string(),
            None => name.clone(),
        };
        let info = match data {
            Ok(bytes) => {
                let mut h = DualHasher::default();
                h.update(&bytes);
                let d = h.finish();
                let decode_error = decode_check(&rel, &bytes);
                let keep = !is_image(&rel) && !rel.ends_with(".pdf");
                FileInfo {
                    sha256: d.sha256,
                    sm3: d.sm3,
                    size: d.bytes,
                    bytes: keep.then_some(bytes),
                    decode_error,
                }
            }
            Err(e) => FileInfo {
                sha256: String::new(),
                sm3: String::new(),
                size: 0,
                bytes: None,
                decode_error: Some(e),
            },
        };
        files.insert(rel, info);
    }
    Contents { facts, files, root }
}

/// A name that stays inside the bag: relative, no `..`, no backslash, no drive.
pub fn safe_name(name: &str) -> bool {
    let drive = name.len() > 1 && name.as_bytes()[1] == b':';
    let escapes = name.split('/').any(|c| c == ".." || c == ".");
    let odd =
        name.is_empty() || name.starts_with('/') || name.contains('\\') || name.contains('\0');
    !(drive || escapes || odd)
}

fn ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_image(name: &str) -> bool {
    matches!(ext(name).as_str(), "jpg" | "jpeg" | "png" | "tif" | "tiff")
}

/// Does the file open as what its name says?
fn decode_check(name: &str, bytes: &[u8]) -> Option<String> {
    match ext(name).as_str() {
        "jpg" | "jpeg" | "png" | "tif" | "tiff" => {
            let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
            reader = match reader.with_guessed_format() {
                Ok(r) => r,
                Err(e) => return Some(e.to_string()),
            };
            let mut limits = image::Limits::default();
            limits.max_image_width = Some(30_000);
            limits.max_image_height = Some(30_000);
            limits.max_alloc = Some(1 << 30);
            reader.limits(limits);
            reader
                .decode()
                .err()
                .map(|e| format!("does not decode: {e}"))
        }
        "pdf" => {
            if !bytes.starts_with(b"%PDF-") {
                Some("not a PDF".into())
            } else if !bytes[bytes.len().saturating_sub(1024)..]
                .windows(5)
                .any(|w| w == b"%%EOF")
            {
                Some("PDF is truncated (no %%EOF)".into())
            } else if bytes.windows(8).any(|w| w == b"/Encrypt") {
                Some("PDF is encrypted".into())
            } else {
                None
            }
        }
        "json" => serde_json::from_slice::<serde_json::Value>(bytes)
            .err()
            .map(|e| format!("invalid JSON: {e}")),
        "xml" => xml_summary(bytes).err(),
        _ => std::str::from_utf8(bytes)
            .err()
            .map(|e| format!("not UTF-8 text: {e}")),
    }
}

/// Parses a BagIt manifest: `checksum  path` lines → path → checksum.
fn manifest(bytes: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let mut out = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let (sum, path) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("line {} is not `checksum path`", n + 1))?;
        let path = path.trim_start();
        let path = path
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%");
        out.insert(path, sum.to_ascii_lowercase());
    }
    Ok(out)
}

fn bag_info(bytes: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

struct Report {
    items: Vec<CheckItem>,
}

impl Report {
    fn add(
        &mut self,
        id: &str,
        property: Property,
        name: &str,
        failures: Vec<String>,
        ok_detail: &str,
    ) {
        let passed = failures.is_empty();
        let (detail, files) = if passed {
            (ok_detail.to_string(), Vec::new())
        } else {
            let detail = failures
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            let files = failures
                .iter()
                .filter_map(|f| f.split_once(": ").map(|(file, _)| file.to_string()))
                .collect();
            (detail, files)
        };
        self.items.push(CheckItem {
            id: id.into(),
            property,
            name: name.into(),
            passed,
            detail,
            files,
        });
    }
}

/// Runs every check. `expect_report`: the package must hold `verification.json`
/// (false while the builder checks the payload before writing it).
pub fn check(contents: &Contents, package: &str, expect_report: bool) -> Verification {
    let mut r = Report { items: Vec::new() };
    let files = &contents.files;
    let text = |name: &str| files.get(name).and_then(|f| f.bytes.as_deref());

    // --- security
    let mut bad = Vec::new();
    for f in &contents.facts {
        if !safe_name(&f.name) {
            bad.push(format!("{}: path leaves the package", f.name));
        }
        if f.symlink {
            bad.push(format!("{}: symbolic link", f.name));
        }
    }
    if contents.root.is_none() {
        bad.push("<package>: not one top-level folder".into());
    }
    r.add(
        "S1",
        Property::Security,
        "路径安全（无 ..、绝对路径、符号链接）",
        bad,
        "所有条目都在包内",
    );
    let manifest_sha = text("manifest-sha256.txt").map(manifest);
    let manifest_sm3 = text("manifest-sm3.txt").map(manifest);
    let listed: BTreeSet<String> = match &manifest_sha {
        Some(Ok(m)) => m.keys().cloned().collect(),
        _ => BTreeSet::new(),
    };
    let unlisted: Vec<String> = files
        .keys()
        .filter(|k| !TAG_FILES.contains(&k.as_str()) && !listed.contains(*k))
        .map(|k| format!("{k}: not listed in the manifest"))
        .collect();
    r.add(
        "S2",
        Property::Security,
        "无清单外文件",
        unlisted,
        "包内文件均在清单中",
    );
    let process: Option<serde_json::Value> =
        text("data/report/process.json").and_then(|b| serde_json::from_slice(b).ok());
    let images: Vec<&String> = files
        .keys()
        .filter(|k| k.starts_with("data/images/"))
        .collect();
    let logged: BTreeSet<String> = process
        .as_ref()
        .and_then(|p| p["images"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|i| i["file"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let unlogged: Vec<String> = if process.is_none() {
        vec!["data/report/process.json: missing or unreadable".into()]
    } else {
        images
            .iter()
            .filter(|i| !logged.contains(i.as_str()))
            .map(|i| format!("{i}: no process record"))
            .collect()
    };
    r.add(
        "S3",
        Property::Security,
        "处理过程有记录",
        unlogged,
        "每个图像都有处理记录",
    );

    // --- authenticity
    let declaration = text("bagit.txt").map(|b| String::from_utf8_lossy(b).into_owned());
    let decl_ok = declaration.as_deref().is_some_and(|d| {
        d.contains("BagIt-Version: 1.0") && d.contains("Tag-File-Character-Encoding: UTF-8")
    });
    r.add(
        "A1",
        Property::Authenticity,
        "BagIt 结构",
        if decl_ok {
            vec![]
        } else {
            vec!["bagit.txt: missing or not BagIt 1.0 / UTF-8".into()]
        },
        "bagit.txt 声明 BagIt 1.0",
    );
    for (id, name, parsed, pick) in [
        ("A2", "SHA-256 校验", &manifest_sha, 0),
        ("A3", "SM3 校验", &manifest_sm3, 1),
    ] {
        let file = if pick == 0 {
            "manifest-sha256.txt"
        } else {
            "manifest-sm3.txt"
        };
        let failures = match parsed {
            None => vec![format!("{file}: missing")],
            Some(Err(e)) => vec![format!("{file}: {e}")],
            Some(Ok(m)) => {
                let mut f = Vec::new();
                for (path, sum) in m {
                    match files.get(path) {
                        None => f.push(format!("{path}: listed but missing")),
                        Some(info) => {
                            let actual = if pick == 0 { &info.sha256 } else { &info.sm3 };
                            if actual != sum {
                                f.push(format!("{path}: checksum differs"));
                            }
                        }
                    }
                }
                f
            }
        };
        let n = match parsed {
            Some(Ok(m)) => m.len(),
            _ => 0,
        };
        r.add(
            id,
            Property::Authenticity,
            name,
            failures,
            &format!("{n} 个文件校验一致"),
        );
    }
    let tag_failures = match text("tagmanifest-sha256.txt").map(manifest) {
        None => vec!["tagmanifest-sha256.txt: missing".into()],
        Some(Err(e)) => vec![format!("tagmanifest-sha256.txt: {e}")],
        Some(Ok(m)) => m
            .iter()
            .filter_map(|(path, sum)| match files.get(path) {
                None => Some(format!("{path}: listed but missing")),
                Some(i) if &i.sha256 != sum => Some(format!("{path}: checksum differs")),
                _ => None,
            })
            .collect(),
    };
    r.add(
        "A4",
        Property::Authenticity,
        "标签清单校验",
        tag_failures,
        "标签文件校验一致",
    );
    let (sig_failures, sig_detail) = match text(super::bag::SIGNATURE_FILE) {
        None => (vec![], "未签名（未配置签名）".to_string()),
        Some(sig) => {
            match super::bag::verify_signature(sig, text("tagmanifest-sha256.txt").unwrap_or(b"")) {
                Ok(who) => (vec![], format!("签名有效：{who}")),
                Err(e) => (
                    vec![format!("{}: {e}", super::bag::SIGNATURE_FILE)],
                    String::new(),
                ),
            }
        }
    };
    r.add(
        "A5",
        Property::Authenticity,
        "数字签名",
        sig_failures,
        &sig_detail,
    );

    let volume: Result<VolumeJson, String> = match text("data/metadata/volume.json") {
        None => Err("data/metadata/volume.json: missing".into()),
        Some(b) => serde_json::from_slice(b).map_err(|e| format!("data/metadata/volume.json: {e}")),
    };
    let info = text("bag-info.txt").map(bag_info).unwrap_or_default();
    let mut wellformed = Vec::new();
    // Both metadata files against the schemas compiled into this program.
    for (file, problems) in [
        (
            "data/metadata/volume.json",
            text("data/metadata/volume.json").map(super::schema::volume_json_problems),
        ),
        (
            "data/metadata/volume.xml",
            text("data/metadata/volume.xml").map(super::schema::volume_xml_problems),
        ),
    ] {
        for p in problems.unwrap_or_default() {
            wellformed.push(format!("{file}: schema: {p}"));
        }
    }
    match &volume {
        Err(e) => wellformed.push(e.clone()),
        Ok(v) => {
            match &v.archival_code {
                Some(code) if archival_code_shape(code) => {}
                Some(code) => wellformed.push(format!(
                    "data/metadata/volume.json: 档号 {code:?} is malformed"
                )),
                None => wellformed.push("data/metadata/volume.json: no 档号".into()),
            }
            for (name, d) in [
                ("filed_date", &v.filed_date),
                ("decided_date", &v.decided_date),
                ("closed_date", &v.closed_date),
            ] {
                if let Some(d) = d
                    && Date::parse_iso(d).is_none()
                {
                    wellformed.push(format!(
                        "data/metadata/volume.json: {name} {d:?} is not a date"
                    ));
                }
            }
            for d in &v.documents {
                if let Some(date) = &d.date
                    && Date::parse_iso(date).is_none()
                {
                    wellformed.push(format!(
                        "data/metadata/volume.json: document {} date {date:?}",
                        d.seq
                    ));
                }
            }
            if let Some(ret) = &v.retention
                && !(ret == "Y"
                    || (ret.starts_with('D')
                        && ret[1..].chars().all(|c| c.is_ascii_digit())
                        && ret.len() > 1))
            {
                wellformed.push(format!("data/metadata/volume.json: retention {ret:?}"));
            }
            if info.get("External-Identifier") != v.archival_code.as_ref() {
                wellformed.push("bag-info.txt: External-Identifier differs from the 档号".into());
            }
            if contents.root.as_ref() != v.archival_code.as_ref() {
                wellformed.push("<package>: folder name differs from the 档号".into());
            }
            match text("data/metadata/volume.xml").map(xml_summary) {
                None => wellformed.push("data/metadata/volume.xml: missing".into()),
                Some(Err(e)) => wellformed.push(format!("data/metadata/volume.xml: {e}")),
                Some(Ok((code, docs, pages))) => {
                    if code != v.archival_code
                        || docs != v.documents.len()
                        || pages != v.pages.len()
                    {
                        wellformed
                            .push("data/metadata/volume.xml: differs from volume.json".into());
                    }
                }
            }
        }
    }
    r.add(
        "A6",
        Property::Authenticity,
        "元数据格式与一致性",
        wellformed,
        "符合 volume.schema.json 与 volume.xsd；档号、日期、代码格式正确，XML 与 JSON 一致",
    );
    let mut props = Vec::new();
    if let Ok(v) = &volume
        && let Some(code) = &v.archival_code
    {
        for p in &v.pages {
            let img = images
                .iter()
                .find(|i| i.starts_with(&format!("data/images/{code}-{:04}.", p.seq)));
            if img.is_none() {
                props.push(format!(
                    "data/images/{code}-{:04}.jpg: missing for page {}",
                    p.seq, p.seq
                ));
            }
            if !files.contains_key(&format!("data/text/{code}-{:04}.txt", p.seq)) {
                props.push(format!(
                    "data/text/{code}-{:04}.txt: missing for page {}",
                    p.seq, p.seq
                ));
            }
        }
        if images.len() != v.pages.len() {
            props.push(format!(
                "data/images: {} images for {} pages",
                images.len(),
                v.pages.len()
            ));
        }
        if !files.contains_key(&format!("data/pdf/{code}.pdf")) {
            props.push(format!("data/pdf/{code}.pdf: missing"));
        }
    }
    r.add(
        "A7",
        Property::Authenticity,
        "文件与元数据相符",
        props,
        "每页有图像和文本，名称符合 档号-NNNN",
    );

    // --- integrity
    let oxum_failures = match info.get("Payload-Oxum") {
        None => vec!["bag-info.txt: no Payload-Oxum".into()],
        Some(ox) => {
            let payload: Vec<&FileInfo> = files
                .iter()
                .filter(|(k, _)| k.starts_with("data/"))
                .map(|(_, v)| v)
                .collect();
            let want = format!(
                "{}.{}",
                payload.iter().map(|f| f.size).sum::<u64>(),
                payload.len()
            );
            if *ox == want {
                vec![]
            } else {
                vec![format!(
                    "bag-info.txt: Payload-Oxum {ox}, payload is {want}"
                )]
            }
        }
    };
    r.add(
        "I1",
        Property::Integrity,
        "字节数与文件数（Payload-Oxum）",
        oxum_failures,
        "一致",
    );
    let mut missing = Vec::new();
    for required in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sm3.txt",
        "tagmanifest-sha256.txt",
        "data/metadata/volume.json",
        "data/metadata/volume.xml",
        "data/report/process.json",
        "data/report/review.json",
    ] {
        if !files.contains_key(required) {
            missing.push(format!("{required}: missing"));
        }
    }
    if expect_report && !files.contains_key("data/report/verification.json") {
        missing.push("data/report/verification.json: missing".into());
    }
    if let Some(Ok(m)) = &manifest_sm3 {
        let sha: BTreeSet<&String> = listed.iter().collect();
        let sm3: BTreeSet<&String> = m.keys().collect();
        if sha != sm3 {
            missing.push("manifest-sm3.txt: lists other files than manifest-sha256.txt".into());
        }
    }
    r.add(
        "I2",
        Property::Integrity,
        "必备文件齐全",
        missing,
        "必备文件齐全",
    );
    let mut meta = Vec::new();
    let mut numbering = Vec::new();
    if let Ok(v) = &volume {
        for (name, present) in [
            ("archival_code", v.archival_code.is_some()),
            ("title", v.title.is_some()),
            ("year", v.year.is_some()),
            ("retention", v.retention.is_some()),
            ("item_count", v.item_count.is_some()),
            ("page_count", v.page_count.is_some()),
            ("documents", !v.documents.is_empty()),
        ] {
            if !present {
                meta.push(format!("data/metadata/volume.json: {name} is missing"));
            }
        }
        for (i, d) in v.documents.iter().enumerate() {
            if d.seq != i as u32 + 1 {
                numbering.push(format!(
                    "data/metadata/volume.json: document {} out of sequence",
                    d.seq
                ));
            }
            let has_pages = v
                .pages
                .iter()
                .any(|p| p.seq >= d.first_page && p.seq <= d.last_page);
            if !has_pages || d.first_page > d.last_page {
                numbering.push(format!(
                    "data/metadata/volume.json: document {} has no pages",
                    d.seq
                ));
            }
        }
        let numbers: Vec<u32> = v.pages.iter().filter_map(|p| p.page_no).collect();
        if numbers.iter().enumerate().any(|(i, n)| *n != i as u32 + 1) {
            numbering.push("data/metadata/volume.json: 页号 do not run 1, 2, 3 …".into());
        }
        if v.page_count != Some(numbers.len() as u32) {
            numbering.push(format!(
                "data/metadata/volume.json: page_count {:?} but {} numbered pages",
                v.page_count,
                numbers.len()
            ));
        }
        for (i, p) in v.pages.iter().enumerate() {
            if p.seq != i as u32 + 1 {
                numbering.push(format!(
                    "data/metadata/volume.json: page {} out of sequence",
                    p.seq
                ));
            }
        }
    }
    r.add(
        "I3",
        Property::Integrity,
        "必备著录项",
        meta,
        "档号、题名、年度、保管期限、件数、页数齐全",
    );
    r.add(
        "I4",
        Property::Integrity,
        "件号、页号连续，每件有内容",
        numbering,
        "件号、页号无缺",
    );
    let process_gaps: Vec<String> = match &process {
        None => vec!["data/report/process.json: missing".into()],
        Some(p) => p["images"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|i| {
                        i["master"]["sha256"].as_str().is_none_or(|s| s.len() != 64)
                            || !i["transforms"].is_array()
                    })
                    .map(|i| {
                        format!(
                            "{}: no master checksum or transforms",
                            i["file"].as_str().unwrap_or("?")
                        )
                    })
                    .collect()
            })
            .unwrap_or_else(|| vec!["data/report/process.json: no images list".into()]),
    };
    r.add(
        "I5",
        Property::Integrity,
        "过程元数据",
        process_gaps,
        "每个图像记录了原件校验值与处理步骤",
    );

    // --- usability
    let undecodable: Vec<String> = files
        .iter()
        .filter_map(|(k, f)| f.decode_error.as_ref().map(|e| format!("{k}: {e}")))
        .collect();
    r.add(
        "U1",
        Property::Usability,
        "文件可打开可解码",
        undecodable,
        "所有文件均可打开",
    );
    let formats: Vec<String> = files
        .keys()
        .filter(|k| k.starts_with("data/") && !ALLOWED_EXT.contains(&ext(k).as_str()))
        .map(|k| format!("{k}: format not allowed"))
        .collect();
    r.add(
        "U2",
        Property::Usability,
        "格式在允许范围内",
        formats,
        "JPEG/PNG/TIFF/PDF/TXT/XML/JSON",
    );
    let packing: Vec<String> = contents
        .facts
        .iter()
        .filter(|f| !f.is_dir && (f.encrypted || !f.plain_method))
        .map(|f| {
            format!(
                "{}: {}",
                f.name,
                if f.encrypted {
                    "encrypted"
                } else {
                    "unusual compression"
                }
            )
        })
        .collect();
    r.add(
        "U3",
        Property::Usability,
        "无加密、无特殊压缩",
        packing,
        "仅存储或 Deflate，未加密",
    );

    let passed = r.items.iter().all(|i| i.passed);
    Verification {
        package: package.to_string(),
        archival_code: volume.ok().and_then(|v| v.archival_code),
        checked_at: now_utc(),
        software: format!("anjuan {}", env!("CARGO_PKG_VERSION")),
        passed,
        items: r.items,
    }
}

/// A 档号 as DA/T 13 writes them: elements of letters and digits joined by `-`,
/// a level's parts by `·`.
pub fn archival_code_shape(code: &str) -> bool {
    code.split('-').count() >= 2
        && code.split('-').all(|e| {
            !e.is_empty()
                && e.split('·')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        })
}

/// Verifies a package file: the 四性检测 result.
pub fn verify_package(path: &Path) -> Result<Verification> {
    let contents = read_zip(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut v = check(&contents, &name, true);
    // The report inside must be the package's own (its checksums are verified above).
    if let Some(inner) = contents
        .files
        .get("data/report/verification.json")
        .and_then(|f| f.bytes.as_deref())
        && let Ok(inner) = serde_json::from_slice::<Verification>(inner)
        && !inner.passed
    {
        v.items.push(CheckItem {
            id: "A8".into(),
            property: Property::Authenticity,
            name: "打包时的检测结果".into(),
            passed: false,
            detail: "the package failed its own check when it was built".into(),
            files: vec!["data/report/verification.json".into()],
        });
        v.passed = false;
    }
    Ok(v)
}

/// Checksum of a whole package file (for the outbox list).
pub fn file_sha256(path: &Path) -> Result<String> {
    Ok(sha256_hex(&std::fs::read(path)?))
}

pub use crate::model::time::now_utc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        assert!(safe_name("J1-XZCF·2021-D30-0001/data/images/a.jpg"));
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "a\\b",
            "C:/x",
            "a/./b",
            "",
        ] {
            assert!(!safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn archival_code_shapes() {
        assert!(archival_code_shape("J037-ZF·2021-D30-0012"));
        assert!(!archival_code_shape("J037"));
        assert!(!archival_code_shape("J037--0012"));
        assert!(!archival_code_shape("J0 37-ZF"));
    }

    #[test]
    fn manifests_parse() {
        let m = manifest(b"abc  data/x.txt\nDEF data/y z.txt\n").unwrap();
        assert_eq!(m["data/x.txt"], "abc");
        assert_eq!(m["data/y z.txt"], "def");
        assert!(manifest(b"nospace\n").is_err());
    }
}
