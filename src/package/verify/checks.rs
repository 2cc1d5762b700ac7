//! The checks of 四性检测, one named function each, in one table grouped by the
//! DA/T 70 property they serve. Each reads the [`Evidence`] gathered once from
//! the package and returns its failures; the runner (`super::check`) turns them
//! into the report. A new check is a new row.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{Contents, ext, safe_name};
use super::{Failure, Problem, Property, TAG_FILES};
use crate::indexing::values::Date;
use crate::model::VolumeJson;
use crate::package::metadata::xml_summary;
use crate::package::records::ProcessRecord;
use crate::package::schema::{JsonDocument, volume_xml_problems};

/// One row of the table.
pub(super) struct Check {
    pub id: &'static str,
    pub property: Property,
    pub name: &'static str,
    /// The name in English (the report records `name`).
    pub name_en: &'static str,
    /// Only a written package can pass it (it reads `verification.json`).
    pub only_on_finished_packages: bool,
    pub run: fn(&Evidence) -> Vec<Failure>,
    /// What the report says when the check passes.
    pub passed: fn(&Evidence) -> String,
}

const fn row(
    id: &'static str,
    property: Property,
    name: &'static str,
    name_en: &'static str,
    run: fn(&Evidence) -> Vec<Failure>,
    passed: fn(&Evidence) -> String,
) -> Check {
    Check {
        id,
        property,
        name,
        name_en,
        only_on_finished_packages: false,
        run,
        passed,
    }
}

use Property::{Authenticity, Integrity, Security, Usability};

pub(super) const CHECKS: &[Check] = &[
    // 安全性
    row(
        "S1",
        Security,
        "路径安全（无 ..、绝对路径、符号链接）",
        "Paths stay inside (no .., absolute paths, links)",
        paths_stay_inside,
        |_| "所有条目都在包内".into(),
    ),
    row(
        "S2",
        Security,
        "无清单外文件",
        "No file outside the manifest",
        nothing_unlisted,
        |_| "包内文件均在清单中".into(),
    ),
    row(
        "S3",
        Security,
        "处理过程有记录",
        "Processing recorded",
        every_image_has_a_process_record,
        |_| "每个图像都有处理记录".into(),
    ),
    // 真实性
    row(
        "A1",
        Authenticity,
        "BagIt 结构",
        "BagIt structure",
        bagit_declaration,
        |_| "bagit.txt 声明 BagIt 1.0".into(),
    ),
    row(
        "A2",
        Authenticity,
        "SHA-256 校验",
        "SHA-256 checksums",
        sha256_manifest_holds,
        |e| format!("{} 个文件校验一致", e.listed().len()),
    ),
    row(
        "A3",
        Authenticity,
        "SM3 校验",
        "SM3 checksums",
        sm3_manifest_holds,
        |e| {
            let n = match &e.manifest_sm3 {
                Some(Ok(m)) => m.len(),
                _ => 0,
            };
            format!("{n} 个文件校验一致")
        },
    ),
    row(
        "A4",
        Authenticity,
        "标签清单校验",
        "Tag manifest checksums",
        tag_manifest_holds,
        |_| "标签文件校验一致".into(),
    ),
    row(
        "A5",
        Authenticity,
        "数字签名",
        "Digital signature",
        signature_holds,
        signature_detail,
    ),
    row(
        "A6",
        Authenticity,
        "元数据格式与一致性",
        "Metadata well-formed and consistent",
        metadata_wellformed,
        |_| {
            "符合 volume.schema.json 与 volume.xsd；档号、日期、代码格式正确，XML 与 JSON 一致"
                .into()
        },
    ),
    row(
        "A7",
        Authenticity,
        "文件与元数据相符",
        "Files match the metadata",
        files_match_metadata,
        |_| "每页有图像和文本，名称符合 档号-NNNN".into(),
    ),
    Check {
        only_on_finished_packages: true,
        ..row(
            "A8",
            Authenticity,
            "打包时的检测结果",
            "Result at packing",
            passed_when_built,
            |_| "打包时检测通过".into(),
        )
    },
    // 完整性
    row(
        "I1",
        Integrity,
        "字节数与文件数（Payload-Oxum）",
        "Bytes and file count (Payload-Oxum)",
        payload_oxum_holds,
        |_| "一致".into(),
    ),
    row(
        "I2",
        Integrity,
        "必备文件齐全",
        "Required files present",
        required_files_present,
        |_| "必备文件齐全".into(),
    ),
    row(
        "I3",
        Integrity,
        "必备著录项",
        "Required catalogue fields",
        required_fields_present,
        |_| "档号、题名、年度、保管期限、件数、页数齐全".into(),
    ),
    row(
        "I4",
        Integrity,
        "件号、页号连续，每件有内容",
        "Items and page numbers continuous, each item has content",
        numbering_runs,
        |_| "件号、页号无缺".into(),
    ),
    row(
        "I5",
        Integrity,
        "过程元数据",
        "Process metadata",
        process_metadata_complete,
        |_| {
            "符合 process.schema.json 与 review.schema.json；每个图像记录了原件校验值与处理步骤"
                .into()
        },
    ),
    // 可用性
    row(
        "U1",
        Usability,
        "文件可打开可解码",
        "Files open and decode",
        everything_opens,
        |_| "所有文件均可打开".into(),
    ),
    row(
        "U2",
        Usability,
        "格式在允许范围内",
        "Formats allowed",
        formats_allowed,
        |_| "JPEG/PNG/TIFF/PDF/TXT/XML/JSON".into(),
    ),
    row(
        "U3",
        Usability,
        "无加密、无特殊压缩",
        "No encryption, no special compression",
        plainly_packed,
        |_| "仅存储或 Deflate，未加密".into(),
    ),
];

/// File types allowed in the payload (DA/T 70 usability: formats on a list).
const ALLOWED_EXT: &[&str] = &[
    "jpg", "jpeg", "png", "tif", "tiff", "pdf", "txt", "xml", "json",
];

/// The files every package holds.
const REQUIRED: &[&str] = &[
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sm3.txt",
    "tagmanifest-sha256.txt",
    VOLUME_JSON,
    VOLUME_XML,
    PROCESS_JSON,
    REVIEW_JSON,
];

const VOLUME_JSON: &str = "data/metadata/volume.json";
const VOLUME_XML: &str = "data/metadata/volume.xml";
const PROCESS_JSON: &str = "data/report/process.json";
const REVIEW_JSON: &str = "data/report/review.json";
const VERIFICATION_JSON: &str = "data/report/verification.json";
const PACKAGE: &str = "<package>";

type Manifest = BTreeMap<String, String>;

/// What the checks read, parsed once.
pub(super) struct Evidence<'a> {
    contents: &'a Contents,
    expect_report: bool,
    manifest_sha: Option<Result<Manifest, String>>,
    manifest_sm3: Option<Result<Manifest, String>>,
    volume: Result<VolumeJson, Failure>,
    process: Option<ProcessRecord>,
    bag_info: BTreeMap<String, String>,
}

impl<'a> Evidence<'a> {
    pub fn gather(contents: &'a Contents, expect_report: bool) -> Evidence<'a> {
        let text = |name: &str| contents.files.get(name).and_then(|f| f.bytes.as_deref());
        let volume = match text(VOLUME_JSON) {
            None => Err(Failure::new(VOLUME_JSON, Problem::Missing)),
            Some(b) => serde_json::from_slice(b)
                .map_err(|e| Failure::new(VOLUME_JSON, Problem::Unreadable(e.to_string()))),
        };
        Evidence {
            contents,
            expect_report,
            manifest_sha: text("manifest-sha256.txt").map(manifest),
            manifest_sm3: text("manifest-sm3.txt").map(manifest),
            volume,
            process: text(PROCESS_JSON).and_then(|b| serde_json::from_slice(b).ok()),
            bag_info: text("bag-info.txt").map(bag_info).unwrap_or_default(),
        }
    }

    fn text(&self, name: &str) -> Option<&[u8]> {
        self.contents
            .files
            .get(name)
            .and_then(|f| f.bytes.as_deref())
    }

    fn has(&self, name: &str) -> bool {
        self.contents.files.contains_key(name)
    }

    fn listed(&self) -> BTreeSet<&String> {
        match &self.manifest_sha {
            Some(Ok(m)) => m.keys().collect(),
            _ => BTreeSet::new(),
        }
    }

    fn images(&self) -> Vec<&String> {
        self.contents
            .files
            .keys()
            .filter(|k| k.starts_with("data/images/"))
            .collect()
    }

    pub fn archival_code(&self) -> Option<String> {
        self.volume
            .as_ref()
            .ok()
            .and_then(|v| v.archival_code.clone())
    }
}

// ---------------------------------------------------------------- 安全性

fn paths_stay_inside(e: &Evidence) -> Vec<Failure> {
    let mut out = Vec::new();
    for f in &e.contents.facts {
        if !safe_name(&f.name) {
            out.push(Failure::new(&f.name, Problem::LeavesPackage));
        }
        if f.symlink {
            out.push(Failure::new(&f.name, Problem::SymbolicLink));
        }
    }
    if e.contents.root.is_none() {
        out.push(Failure::new(PACKAGE, Problem::NotOneFolder));
    }
    out
}

fn nothing_unlisted(e: &Evidence) -> Vec<Failure> {
    let listed = e.listed();
    e.contents
        .files
        .keys()
        .filter(|k| !TAG_FILES.contains(&k.as_str()) && !listed.contains(*k))
        .map(|k| Failure::new(k, Problem::NotInManifest))
        .collect()
}

fn every_image_has_a_process_record(e: &Evidence) -> Vec<Failure> {
    let Some(process) = &e.process else {
        return vec![Failure::new(
            PROCESS_JSON,
            Problem::Unreadable("missing or unreadable".into()),
        )];
    };
    let logged: BTreeSet<&str> = process.images.iter().map(|i| i.file.as_str()).collect();
    e.images()
        .into_iter()
        .filter(|i| !logged.contains(i.as_str()))
        .map(|i| Failure::new(i, Problem::NoProcessRecord))
        .collect()
}

// ---------------------------------------------------------------- 真实性

fn bagit_declaration(e: &Evidence) -> Vec<Failure> {
    let declared = e.text("bagit.txt").is_some_and(|b| {
        let d = String::from_utf8_lossy(b);
        d.contains("BagIt-Version: 1.0") && d.contains("Tag-File-Character-Encoding: UTF-8")
    });
    if declared {
        vec![]
    } else {
        vec![Failure::new("bagit.txt", Problem::NotBagIt)]
    }
}

/// Every file a manifest names is there with the checksum it names.
fn manifest_holds(
    e: &Evidence,
    file: &str,
    parsed: &Option<Result<Manifest, String>>,
    digest: fn(&super::FileInfo) -> &str,
) -> Vec<Failure> {
    match parsed {
        None => vec![Failure::new(file, Problem::Missing)],
        Some(Err(why)) => vec![Failure::new(file, Problem::Unreadable(why.clone()))],
        Some(Ok(m)) => m
            .iter()
            .filter_map(|(path, sum)| match e.contents.files.get(path) {
                None => Some(Failure::new(path, Problem::ListedButMissing)),
                Some(info) if digest(info) != sum => {
                    Some(Failure::new(path, Problem::ChecksumDiffers))
                }
                Some(_) => None,
            })
            .collect(),
    }
}

fn sha256_manifest_holds(e: &Evidence) -> Vec<Failure> {
    manifest_holds(e, "manifest-sha256.txt", &e.manifest_sha, |f| &f.sha256)
}

fn sm3_manifest_holds(e: &Evidence) -> Vec<Failure> {
    manifest_holds(e, "manifest-sm3.txt", &e.manifest_sm3, |f| &f.sm3)
}

fn tag_manifest_holds(e: &Evidence) -> Vec<Failure> {
    let parsed = e.text("tagmanifest-sha256.txt").map(manifest);
    manifest_holds(e, "tagmanifest-sha256.txt", &parsed, |f| &f.sha256)
}

fn signature(e: &Evidence) -> Option<Result<String, String>> {
    let sig = e.text(crate::package::bag::SIGNATURE_FILE)?;
    let over = e.text("tagmanifest-sha256.txt").unwrap_or(b"");
    Some(crate::package::bag::verify_signature(sig, over).map_err(|err| err.to_string()))
}

fn signature_holds(e: &Evidence) -> Vec<Failure> {
    match signature(e) {
        Some(Err(why)) => vec![Failure::new(
            crate::package::bag::SIGNATURE_FILE,
            Problem::BadSignature(why),
        )],
        _ => vec![],
    }
}

fn signature_detail(e: &Evidence) -> String {
    match signature(e) {
        None => "未签名（未配置签名）".into(),
        Some(Ok(who)) => format!("签名有效：{who}"),
        Some(Err(_)) => String::new(),
    }
}

fn metadata_wellformed(e: &Evidence) -> Vec<Failure> {
    let mut out = Vec::new();
    // Both metadata files against the schemas compiled into this program.
    let schema_problems = [
        (
            VOLUME_JSON,
            e.text(VOLUME_JSON)
                .map(|b| JsonDocument::Volume.problems(b)),
        ),
        (VOLUME_XML, e.text(VOLUME_XML).map(volume_xml_problems)),
    ];
    for (file, problems) in schema_problems {
        for p in problems.unwrap_or_default() {
            out.push(Failure::new(file, Problem::Schema(p)));
        }
    }
    let v = match &e.volume {
        Err(f) => {
            out.push(f.clone());
            return out;
        }
        Ok(v) => v,
    };
    match &v.archival_code {
        Some(code) if archival_code_shape(code) => {}
        Some(code) => out.push(Failure::new(
            VOLUME_JSON,
            Problem::Malformed(format!("档号 {code:?}")),
        )),
        None => out.push(Failure::new(
            VOLUME_JSON,
            Problem::FieldMissing("档号".into()),
        )),
    }
    let dates = [
        ("filed_date", &v.filed_date),
        ("decided_date", &v.decided_date),
        ("closed_date", &v.closed_date),
    ];
    for (name, d) in dates {
        if let Some(d) = d
            && Date::parse_iso(d).is_none()
        {
            out.push(Failure::new(
                VOLUME_JSON,
                Problem::Malformed(format!("{name} {d:?}")),
            ));
        }
    }
    for d in &v.documents {
        if let Some(date) = &d.date
            && Date::parse_iso(date).is_none()
        {
            out.push(Failure::new(
                VOLUME_JSON,
                Problem::Malformed(format!("document {} date {date:?}", d.seq)),
            ));
        }
    }
    if let Some(ret) = &v.retention
        && !retention_shape(ret)
    {
        out.push(Failure::new(
            VOLUME_JSON,
            Problem::Malformed(format!("retention {ret:?}")),
        ));
    }
    if e.bag_info.get("External-Identifier") != v.archival_code.as_ref() {
        out.push(Failure::new(
            "bag-info.txt",
            Problem::Disagrees("External-Identifier differs from the 档号".into()),
        ));
    }
    if e.contents.root.as_ref() != v.archival_code.as_ref() {
        out.push(Failure::new(
            PACKAGE,
            Problem::Disagrees("folder name differs from the 档号".into()),
        ));
    }
    match e.text(VOLUME_XML).map(xml_summary) {
        None => out.push(Failure::new(VOLUME_XML, Problem::Missing)),
        Some(Err(why)) => out.push(Failure::new(VOLUME_XML, Problem::Unreadable(why))),
        Some(Ok((code, docs, pages))) => {
            if code != v.archival_code || docs != v.documents.len() || pages != v.pages.len() {
                out.push(Failure::new(
                    VOLUME_XML,
                    Problem::Disagrees("differs from volume.json".into()),
                ));
            }
        }
    }
    out
}

/// `Y` (永久) or `D` and a number of years.
fn retention_shape(ret: &str) -> bool {
    ret == "Y"
        || ret
            .strip_prefix('D')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn files_match_metadata(e: &Evidence) -> Vec<Failure> {
    let mut out = Vec::new();
    let Ok(v) = &e.volume else {
        return out;
    };
    let Some(code) = &v.archival_code else {
        return out;
    };
    let images = e.images();
    for p in &v.pages {
        let stem = format!("data/images/{code}-{:04}.", p.seq);
        if !images.iter().any(|i| i.starts_with(&stem)) {
            out.push(Failure::new(
                format!("{stem}jpg"),
                Problem::Disagrees(format!("missing for page {}", p.seq)),
            ));
        }
        let text = format!("data/text/{code}-{:04}.txt", p.seq);
        if !e.has(&text) {
            out.push(Failure::new(
                text,
                Problem::Disagrees(format!("missing for page {}", p.seq)),
            ));
        }
    }
    if images.len() != v.pages.len() {
        out.push(Failure::new(
            "data/images",
            Problem::Disagrees(format!(
                "{} images for {} pages",
                images.len(),
                v.pages.len()
            )),
        ));
    }
    let pdf = format!("data/pdf/{code}.pdf");
    if !e.has(&pdf) {
        out.push(Failure::new(pdf, Problem::Missing));
    }
    out
}

fn passed_when_built(e: &Evidence) -> Vec<Failure> {
    // Its checksums are verified by A2; here: what it says.
    let inner = e
        .text(VERIFICATION_JSON)
        .and_then(|b| serde_json::from_slice::<super::Verification>(b).ok());
    match inner {
        Some(report) if !report.passed => {
            vec![Failure::new(VERIFICATION_JSON, Problem::FailedWhenBuilt)]
        }
        _ => vec![],
    }
}

// ---------------------------------------------------------------- 完整性

fn payload_oxum_holds(e: &Evidence) -> Vec<Failure> {
    let Some(oxum) = e.bag_info.get("Payload-Oxum") else {
        return vec![Failure::new(
            "bag-info.txt",
            Problem::FieldMissing("Payload-Oxum".into()),
        )];
    };
    let payload: Vec<u64> = e
        .contents
        .files
        .iter()
        .filter(|(k, _)| k.starts_with("data/"))
        .map(|(_, f)| f.size)
        .collect();
    let actual = format!("{}.{}", payload.iter().sum::<u64>(), payload.len());
    if *oxum == actual {
        vec![]
    } else {
        vec![Failure::new(
            "bag-info.txt",
            Problem::Disagrees(format!("Payload-Oxum {oxum}, payload is {actual}")),
        )]
    }
}

fn required_files_present(e: &Evidence) -> Vec<Failure> {
    let mut out: Vec<Failure> = REQUIRED
        .iter()
        .filter(|f| !e.has(f))
        .map(|f| Failure::new(*f, Problem::Missing))
        .collect();
    if e.expect_report && !e.has(VERIFICATION_JSON) {
        out.push(Failure::new(VERIFICATION_JSON, Problem::Missing));
    }
    if let Some(Ok(sm3)) = &e.manifest_sm3
        && e.listed() != sm3.keys().collect()
    {
        out.push(Failure::new(
            "manifest-sm3.txt",
            Problem::Disagrees("lists other files than manifest-sha256.txt".into()),
        ));
    }
    out
}

fn required_fields_present(e: &Evidence) -> Vec<Failure> {
    let Ok(v) = &e.volume else {
        return vec![];
    };
    [
        ("archival_code", v.archival_code.is_some()),
        ("title", v.title.is_some()),
        ("year", v.year.is_some()),
        ("retention", v.retention.is_some()),
        ("item_count", v.item_count.is_some()),
        ("page_count", v.page_count.is_some()),
        ("documents", !v.documents.is_empty()),
    ]
    .into_iter()
    .filter(|(_, present)| !present)
    .map(|(name, _)| Failure::new(VOLUME_JSON, Problem::FieldMissing(name.into())))
    .collect()
}

fn numbering_runs(e: &Evidence) -> Vec<Failure> {
    let Ok(v) = &e.volume else {
        return vec![];
    };
    let mut how = Vec::new();
    for (i, d) in v.documents.iter().enumerate() {
        if d.seq != i as u32 + 1 {
            how.push(format!("document {} out of sequence", d.seq));
        }
        let has_pages = v
            .pages
            .iter()
            .any(|p| p.seq >= d.first_page && p.seq <= d.last_page);
        if !has_pages || d.first_page > d.last_page {
            how.push(format!("document {} has no pages", d.seq));
        }
    }
    let numbers: Vec<u32> = v.pages.iter().filter_map(|p| p.page_no).collect();
    if numbers.iter().enumerate().any(|(i, n)| *n != i as u32 + 1) {
        how.push("页号 do not run 1, 2, 3 …".into());
    }
    if v.page_count != Some(numbers.len() as u32) {
        how.push(format!(
            "page_count {:?} but {} numbered pages",
            v.page_count,
            numbers.len()
        ));
    }
    for (i, p) in v.pages.iter().enumerate() {
        if p.seq != i as u32 + 1 {
            how.push(format!("page {} out of sequence", p.seq));
        }
    }
    how.into_iter()
        .map(|h| Failure::new(VOLUME_JSON, Problem::Numbering(h)))
        .collect()
}

fn process_metadata_complete(e: &Evidence) -> Vec<Failure> {
    let mut out = Vec::new();
    let reports = [
        (PROCESS_JSON, JsonDocument::Process),
        (REVIEW_JSON, JsonDocument::Review),
    ];
    for (file, document) in reports {
        match e.text(file) {
            None => out.push(Failure::new(file, Problem::Missing)),
            Some(b) => out.extend(
                document
                    .problems(b)
                    .into_iter()
                    .map(|p| Failure::new(file, Problem::Schema(p))),
            ),
        }
    }
    if let Some(process) = &e.process {
        for image in &process.images {
            let sha = &image.master.sha256;
            if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
                out.push(Failure::new(
                    &image.file,
                    Problem::Malformed(format!("master checksum {sha:?}")),
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------- 可用性

fn everything_opens(e: &Evidence) -> Vec<Failure> {
    e.contents
        .files
        .iter()
        .filter_map(|(k, f)| {
            f.decode_error
                .as_ref()
                .map(|why| Failure::new(k, Problem::Undecodable(why.clone())))
        })
        .collect()
}

fn formats_allowed(e: &Evidence) -> Vec<Failure> {
    e.contents
        .files
        .keys()
        .filter(|k| k.starts_with("data/") && !ALLOWED_EXT.contains(&ext(k).as_str()))
        .map(|k| Failure::new(k, Problem::FormatNotAllowed))
        .collect()
}

fn plainly_packed(e: &Evidence) -> Vec<Failure> {
    e.contents
        .facts
        .iter()
        .filter(|f| !f.is_dir && (f.encrypted || !f.plain_method))
        .map(|f| {
            let problem = if f.encrypted {
                Problem::Encrypted
            } else {
                Problem::UnusualCompression
            };
            Failure::new(&f.name, problem)
        })
        .collect()
}

// ---------------------------------------------------------------- helpers

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

/// Parses a BagIt manifest: `checksum  path` lines → path → checksum.
fn manifest(bytes: &[u8]) -> Result<Manifest, String> {
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
        let path = path
            .trim_start()
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn retention_codes() {
        for ok in ["Y", "D30", "D10"] {
            assert!(retention_shape(ok), "{ok}");
        }
        for bad in ["D", "DX", "30", "y", "D3O"] {
            assert!(!retention_shape(bad), "{bad}");
        }
    }

    /// Every row has its own id, and the ids of a property share its letter.
    #[test]
    fn the_table_is_well_formed() {
        let ids: BTreeSet<&str> = CHECKS.iter().map(|c| c.id).collect();
        assert_eq!(ids.len(), CHECKS.len());
        for c in CHECKS {
            let letter = match c.property {
                Authenticity => 'A',
                Integrity => 'I',
                Usability => 'U',
                Security => 'S',
            };
            assert!(c.id.starts_with(letter), "{}", c.id);
        }
    }
}
