//! 移交接收登记表: the register that goes with a batch of packages handed over
//! (to the archive or the supervision platform), as PDF and XLSX.
//!
//! Every package is verified again first (四性检测); one that fails is not
//! listed but named, so the register only ever vouches for what passed. The
//! register gives the batch's totals (案卷, 文件, 数据量 in GB of 1024³ bytes with
//! three decimals, 载体 在线), the result of each of the four properties over the
//! batch, and each package's SM3 digest, with lines for who filled it in and who
//! checked it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use super::hashes::DualHasher;
use super::verify::{Property, verify_package};
use crate::print::{A4, Form, MARGIN};

/// One package of the batch.
#[derive(Debug, Clone, Serialize)]
pub struct Handed {
    pub file: String,
    pub archival_code: Option<String>,
    pub bytes: u64,
    /// Files in the package's payload (`data/`).
    pub files: usize,
    pub sm3: String,
    pub sha256: String,
}

/// The register of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct Register {
    pub name: String,
    pub description: String,
    pub volumes: usize,
    pub files: usize,
    pub bytes: u64,
    /// 数据量, GB (1024³ bytes), three decimals.
    pub gigabytes: String,
    pub carrier: String,
    /// Each property's result over the batch (通过 when every package passed it).
    pub properties: Vec<(String, bool)>,
    pub packages: Vec<Handed>,
    /// Packages that failed the check again, with the reason: not listed.
    pub refused: Vec<(String, String)>,
    pub filled_by: String,
    pub date: String,
}

/// Verifies `packages` and makes the register of those that pass.
pub fn register(
    packages: &[PathBuf],
    name: &str,
    description: Option<&str>,
    filled_by: &str,
) -> Result<Register> {
    let mut handed = Vec::new();
    let mut refused = Vec::new();
    let mut properties: Vec<(Property, bool)> = [
        Property::Authenticity,
        Property::Integrity,
        Property::Usability,
        Property::Security,
    ]
    .map(|p| (p, true))
    .to_vec();
    for path in packages {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let v = match verify_package(path) {
            Ok(v) => v,
            Err(e) => {
                refused.push((file, format!("{e:#}")));
                continue;
            }
        };
        if !v.passed {
            refused.push((file, format!("四性检测未通过：{}", v.failed_checks())));
            continue;
        }
        for (p, ok) in properties.iter_mut() {
            *ok &= v
                .items
                .iter()
                .filter(|i| i.property == *p)
                .all(|i| i.passed);
        }
        let mut hasher = DualHasher::default();
        std::io::copy(
            &mut std::fs::File::open(path).with_context(|| path.display().to_string())?,
            &mut hasher,
        )?;
        let digests = hasher.finish();
        let zip = zip::ZipArchive::new(std::fs::File::open(path)?)
            .with_context(|| format!("{} is not a zip", path.display()))?;
        let files = zip
            .file_names()
            .filter(|n| n.contains("/data/") || n.starts_with("data/"))
            .filter(|n| !n.ends_with('/'))
            .count();
        handed.push(Handed {
            file,
            archival_code: v.archival_code,
            bytes: digests.bytes,
            files,
            sm3: digests.sm3,
            sha256: digests.sha256,
        });
    }
    let bytes: u64 = handed.iter().map(|h| h.bytes).sum();
    let volumes = handed.len();
    let description = description.map(str::to_string).unwrap_or_else(|| {
        format!("{volumes} 卷行政执法案卷电子档案（BagIt 归档信息包，含元数据、SHA-256 与 SM3 校验值及四性检测报告）")
    });
    Ok(Register {
        name: name.to_string(),
        description,
        volumes,
        files: handed.iter().map(|h| h.files).sum(),
        bytes,
        gigabytes: format!("{:.3}", bytes as f64 / (1024.0 * 1024.0 * 1024.0)),
        carrier: "在线".into(),
        properties: properties
            .into_iter()
            .map(|(p, ok)| (p.zh().to_string(), ok))
            .collect(),
        packages: handed,
        refused,
        filled_by: filled_by.to_string(),
        date: chrono::Local::now().format("%Y-%m-%d").to_string(),
    })
}

/// The register as PDF bytes.
pub fn register_pdf(r: &Register) -> Result<Vec<u8>> {
    let mut f = Form::new();
    f.centred(18.0, "电子档案移交接收登记表");
    f.y += 8.0;
    let passed = |ok: bool| if ok { "通过" } else { "未通过" };
    let four: Vec<String> = r
        .properties
        .iter()
        .map(|(p, ok)| format!("{p}{}", passed(*ok)))
        .collect();
    f.fields(
        10.5,
        90.0,
        &[
            ("交接工作名称", r.name.clone()),
            ("内容描述", r.description.clone()),
            ("案卷总数", format!("{} 卷", r.volumes)),
            ("文件总数", format!("{} 件", r.files)),
            ("数据量", format!("{} GB（{} 字节）", r.gigabytes, r.bytes)),
            ("载体", r.carrier.clone()),
            ("四性检测", four.join("　")),
        ],
    );
    f.y += 8.0;
    let right = A4.0 - MARGIN;
    let cols = [MARGIN, MARGIN + 28.0, MARGIN + 190.0, MARGIN + 235.0, right];
    let mut rows = vec![
        ["序号", "档号 / 包", "文件数", "SM3 校验值"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, h) in r.packages.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            h.archival_code.clone().unwrap_or_else(|| h.file.clone()),
            h.files.to_string(),
            h.sm3.clone(),
        ]);
    }
    f.table(&cols, &rows, 8.5);
    f.y += 24.0;
    f.signature(10.5, "移交单位填表人", &r.filled_by, &r.date);
    f.signature(10.5, "移交单位审核人", "", "");
    f.signature(10.5, "接收单位接收人", "", "");
    f.signature(10.5, "接收单位审核人", "", "");
    f.finish(&r.name)
}

/// The register as XLSX (the header facts, then one row per package).
pub fn register_xlsx(r: &Register, path: &Path) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("移交接收登记表")?;
    let bold = Format::new().set_bold();
    let facts: Vec<(String, String)> = [
        ("交接工作名称", r.name.clone()),
        ("内容描述", r.description.clone()),
        ("案卷总数", r.volumes.to_string()),
        ("文件总数", r.files.to_string()),
        ("数据量（GB）", r.gigabytes.clone()),
        ("载体", r.carrier.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .chain(r.properties.iter().map(|(p, ok)| {
        (
            format!("四性检测·{p}"),
            if *ok { "通过" } else { "未通过" }.to_string(),
        )
    }))
    .chain([
        ("填表人".to_string(), r.filled_by.clone()),
        ("填表日期".to_string(), r.date.clone()),
        ("审核人".to_string(), String::new()),
        ("审核日期".to_string(), String::new()),
    ])
    .collect();
    for (row, (k, v)) in facts.iter().enumerate() {
        ws.write_with_format(row as u32, 0, k.as_str(), &bold)?;
        ws.write(row as u32, 1, v.as_str())?;
    }
    let top = facts.len() as u32 + 1;
    for (c, h) in [
        "序号",
        "档号",
        "包文件",
        "文件数",
        "字节数",
        "SM3",
        "SHA-256",
    ]
    .iter()
    .enumerate()
    {
        ws.write_with_format(top, c as u16, *h, &bold)?;
    }
    for (i, h) in r.packages.iter().enumerate() {
        let row = top + 1 + i as u32;
        ws.write(row, 0, i as u32 + 1)?;
        ws.write(row, 1, h.archival_code.as_deref().unwrap_or(""))?;
        ws.write(row, 2, h.file.as_str())?;
        ws.write(row, 3, h.files as u32)?;
        ws.write(row, 4, h.bytes as f64)?;
        ws.write(row, 5, h.sm3.as_str())?;
        ws.write(row, 6, h.sha256.as_str())?;
    }
    crate::fsutil::save_workbook(&mut book, path)
}

/// Writes the register of `packages` into `out` (PDF and XLSX, named by the
/// date); returns the register and the files written (none when no package
/// passed).
pub fn write_register(
    packages: &[PathBuf],
    out: &Path,
    name: &str,
    description: Option<&str>,
    filled_by: &str,
) -> Result<(Register, Vec<PathBuf>)> {
    let r = register(packages, name, description, filled_by)?;
    if r.packages.is_empty() {
        return Ok((r, Vec::new()));
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot make {}", out.display()))?;
    let stem = format!(
        "移交接收登记表-{}",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let pdf = out.join(format!("{stem}.pdf"));
    crate::fsutil::write_atomic(&pdf, &register_pdf(&r)?)?;
    let xlsx = out.join(format!("{stem}.xlsx"));
    register_xlsx(&r, &xlsx)?;
    Ok((r, vec![pdf, xlsx]))
}
