//! `package`: one volume → one zip that is a BagIt bag (RFC 8493) laid out as in
//! DESIGN.md §6, checked (四性检测) before it is written and again after, written
//! to a temp file and renamed so that a crash never leaves a half package that
//! looks whole.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use unicode_normalization::UnicodeNormalization;

use super::export::{FinishedPage, finished_pages, write_volume_pdf};
use super::hashes::{Digests, DualHasher, digests};
use super::metadata::volume_xml;
use super::records::{
    CorrectionRecord, ImageProvenance, MasterRef, OcrProvenance, PageFlags, ProcessRecord,
    ReviewRecord, Transform,
};
use super::verify::{ContentsBuilder, EntryFacts, Verification, check, now_utc, verify_package};
use crate::catalogue::{Catalogue, PageRow};
use crate::home::Home;

use crate::store::Store;

pub use super::sign::{SIGNATURE_FILE, verify_signature};

/// A package on disk and its check.
#[derive(Debug, Clone)]
pub struct Built {
    pub path: PathBuf,
    pub archival_code: String,
    pub verification: Verification,
    /// An existing, valid package was kept (not packed again).
    pub reused: bool,
}

/// One file of the bag, path relative to the bag root, with its digests. Images
/// and the PDF stay on disk and are streamed whenever they are read, so packing
/// holds at most one image in memory, however large the volume.
struct Entry {
    name: String,
    source: Source,
    digests: Digests,
}

enum Source {
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl Entry {
    fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Entry {
        Entry {
            name: name.into(),
            digests: digests(&bytes),
            source: Source::Bytes(bytes),
        }
    }

    fn file(name: impl Into<String>, path: PathBuf) -> Result<Entry> {
        let mut hasher = DualHasher::default();
        std::io::copy(&mut open(&path)?, &mut hasher)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Entry {
            name: name.into(),
            digests: hasher.finish(),
            source: Source::File(path),
        })
    }

    fn open(&self) -> Result<Box<dyn Read + '_>> {
        Ok(match &self.source {
            Source::Bytes(b) => Box::new(&b[..]),
            Source::File(path) => Box::new(open(path)?),
        })
    }
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(std::io::BufReader::new(file))
}

/// A temporary file of this process, removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn stored(name: &str) -> bool {
    // Already compressed: deflating JPEG/PNG/TIFF/PDF again only costs time.
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        ext.as_str(),
        "jpg" | "jpeg" | "png" | "tif" | "tiff" | "pdf"
    )
}

/// Builds (or, unless `force`, keeps a valid existing) package of a volume in `out`.
/// The volume's index must be current (see `ops::package::pack`, which
/// re-indexes first); a volume that is not ready is refused with the reason.
pub fn build_package(home: &Home, volume_id: &str, out: &Path, force: bool) -> Result<Built> {
    let catalogue = Catalogue::open(home.catalogue())?;
    let settings = crate::model::settings::BureauSettings::load(&home.bureau_path())?;
    // The one readiness rule (also the CLI's choice and the 打包 screen's).
    if let Err(why) = super::ready::readiness(&catalogue, &settings, volume_id)? {
        bail!("volume {volume_id} {}", why.explain(volume_id));
    }
    let volume = catalogue.volume_json(volume_id)?;
    let code = volume
        .archival_code
        .clone()
        .context("a ready volume has a 档号")?;
    let code: String = code.nfc().collect();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let final_path = out.join(format!("{code}.zip"));
    if final_path.exists() && !force {
        let v = verify_package(&final_path)?;
        if v.passed {
            return Ok(Built {
                path: final_path,
                archival_code: code,
                verification: v,
                reused: true,
            });
        }
        tracing::warn!("{} fails its check; packing it again", final_path.display());
    }

    remove_stale_partials(out, &code);
    let store = Store::new(home.store_dir());
    let pages = finished_pages(&catalogue, &store, volume_id)?;
    let mut payload: Vec<Entry> = Vec::new();
    for p in &pages {
        let name = format!("data/images/{code}-{:04}.{}", p.row.seq, p.image_ext());
        payload.push(Entry::file(name, p.image.clone())?);
    }
    let process = process_record(&code, volume_id, &pages, &payload);
    for p in &pages {
        let mut text = p.row.text.clone().unwrap_or_default();
        text.push('\n');
        let name = format!("data/text/{code}-{:04}.txt", p.row.seq);
        payload.push(Entry::bytes(name, text.into_bytes()));
    }
    // The PDF goes to a temporary file beside the package, page by page.
    let pdf = TempFile(out.join(format!(".{code}.pdf.partial-{}", std::process::id())));
    {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(&pdf.0)
                .with_context(|| format!("cannot create {}", pdf.0.display()))?,
        );
        write_volume_pdf(&mut w, &pages, &code)?;
        w.flush()?;
    }
    payload.push(Entry::file(format!("data/pdf/{code}.pdf"), pdf.0.clone())?);
    payload.push(Entry::bytes(
        "data/metadata/volume.json",
        serde_json::to_vec_pretty(&volume)?,
    ));
    payload.push(Entry::bytes(
        "data/metadata/volume.xml",
        volume_xml(&volume).into_bytes(),
    ));
    payload.push(Entry::bytes(
        "data/report/process.json",
        serde_json::to_vec_pretty(&process)?,
    ));
    let rows: Vec<&PageRow> = pages.iter().map(|p| &p.row).collect();
    let review = review_record(&catalogue, volume_id, &code, &rows)?;
    payload.push(Entry::bytes(
        "data/report/review.json",
        serde_json::to_vec_pretty(&review)?,
    ));
    let organization = volume.agency.clone().unwrap_or_else(|| "unknown".into());
    let signer = super::sign::Signer::from_settings(&settings)?;

    // Check what we are about to write before the report exists …
    let tags = tag_files(&payload, &code, &organization, signer.as_ref())?;
    let pre = check(
        &contents_of(&code, tags.iter().chain(&payload))?,
        &format!("{code}.zip"),
        false,
    );
    if !pre.passed {
        bail!(
            "the package of {volume_id} fails its check; nothing written:\n{}",
            pre.text()
        );
    }
    payload.push(Entry::bytes(
        "data/report/verification.json",
        serde_json::to_vec_pretty(&pre)?,
    ));
    let tags = tag_files(&payload, &code, &organization, signer.as_ref())?;

    // … write it under a temporary name, check the file itself, then rename.
    let temp = out.join(format!(".{code}.zip.partial-{}", std::process::id()));
    let written =
        write_zip(&temp, &code, tags.iter().chain(&payload)).and_then(|()| verify_package(&temp));
    let verification = match written {
        Ok(v) if v.passed => v,
        Ok(v) => {
            let _ = std::fs::remove_file(&temp);
            bail!("the written package fails its check:\n{}", v.text());
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    std::fs::rename(&temp, &final_path)
        .with_context(|| format!("cannot move the package to {}", final_path.display()))?;
    if let Ok(dir) = std::fs::File::open(out) {
        let _ = dir.sync_all();
    }
    catalogue.record_package(volume_id, &code, &final_path, verification.passed)?;
    Ok(Built {
        path: final_path,
        archival_code: code,
        verification,
        reused: false,
    })
}

/// Every finding (image quality, catalogue against images, statutory checks),
/// the reviewer's marks and decision, the clerk's corrections.
fn review_record(
    catalogue: &Catalogue,
    volume_id: &str,
    code: &str,
    rows: &[&PageRow],
) -> Result<ReviewRecord> {
    let corrections = catalogue.corrections(volume_id)?;
    let rules = crate::review::ReviewRules::builtin();
    let reviewed = crate::review::review_volume(catalogue, volume_id, rules)?;
    Ok(ReviewRecord {
        volume: volume_id.to_string(),
        archival_code: code.to_string(),
        created_at: now_utc(),
        rules: rules.version.clone(),
        decision: reviewed.decision,
        decisions: reviewed.decisions,
        findings: reviewed.findings,
        marks: reviewed.marks,
        page_flags: rows
            .iter()
            .filter(|r| !r.flags.is_empty())
            .map(|r| PageFlags {
                page: r.seq,
                flags: r.flags.clone(),
            })
            .collect(),
        corrections: corrections
            .into_iter()
            .map(|c| CorrectionRecord {
                target: c.target,
                value: c.value,
                by: c.actor,
                at: c.at,
            })
            .collect(),
    })
}

/// Per image: the master's checksum and every transform with its parameters.
fn process_record(
    code: &str,
    volume_id: &str,
    pages: &[FinishedPage],
    images: &[Entry],
) -> ProcessRecord {
    let images = pages
        .iter()
        .zip(images)
        .map(|(page, img)| {
            let r = &page.row;
            let ext = page.image_ext();
            let unchanged = img.digests.sha256 == r.master_sha256;
            let mut transforms = Vec::new();
            if let Some(rec) = &r.imaging
                && !unchanged
            {
                if rec.rotation != 0 {
                    transforms.push(Transform::Rotate {
                        clockwise_degrees: rec.rotation,
                        decided_by: rec.rotation_source,
                    });
                }
                if rec.skew_applied != 0.0 {
                    transforms.push(Transform::Deskew {
                        degrees: rec.skew_applied,
                        measured_degrees: rec.skew_deg,
                    });
                }
                if rec.bed_fraction > 0.0 {
                    transforms.push(Transform::PaintScannerBed {
                        area_fraction: rec.bed_fraction,
                        paper_level: rec.paper_level,
                    });
                }
                transforms.push(Transform::Encode {
                    format: ext.to_string(),
                });
            }
            ImageProvenance {
                file: format!("data/images/{code}-{:04}.{ext}", r.seq),
                seq: r.seq,
                master: MasterRef {
                    sha256: r.master_sha256.clone(),
                    format: r.master_ext.clone(),
                    original_name: r.source_name.clone(),
                    source_page: r.source_page,
                },
                unchanged_master: unchanged,
                transforms,
                imaging: r.imaging.clone(),
                overrides: r.overrides.clone(),
                ocr: OcrProvenance {
                    text_origin: r.text_origin,
                    confidence: r.ocr_confidence,
                },
            }
        })
        .collect();
    ProcessRecord {
        software: format!("anjuan {}", env!("CARGO_PKG_VERSION")),
        created_at: now_utc(),
        volume: volume_id.to_string(),
        images,
    }
}

/// The tag files for a payload: declaration, bag-info, both manifests, the tag
/// manifest and (when configured) the signature over it.
fn tag_files(
    payload: &[Entry],
    code: &str,
    organization: &str,
    signer: Option<&super::sign::Signer>,
) -> Result<Vec<Entry>> {
    let mut sha = String::new();
    let mut sm3 = String::new();
    let mut bytes = 0u64;
    for e in payload {
        sha.push_str(&format!("{}  {}\n", e.digests.sha256, e.name));
        sm3.push_str(&format!("{}  {}\n", e.digests.sm3, e.name));
        bytes += e.digests.bytes;
    }
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string();
    let info = format!(
        "Source-Organization: {organization}\nExternal-Identifier: {code}\nBagging-Date: {}\nPayload-Oxum: {bytes}.{}\nBag-Count: 1 of 1\nBag-Software-Agent: anjuan {}\n",
        &now_utc()[..10],
        payload.len(),
        env!("CARGO_PKG_VERSION")
    );
    let mut tags = vec![
        Entry::bytes("bagit.txt", bagit.into_bytes()),
        Entry::bytes("bag-info.txt", info.into_bytes()),
        Entry::bytes("manifest-sha256.txt", sha.into_bytes()),
        Entry::bytes("manifest-sm3.txt", sm3.into_bytes()),
    ];
    let tagmanifest: String = tags
        .iter()
        .map(|t| format!("{}  {}\n", t.digests.sha256, t.name))
        .collect();
    if let Some(s) = signer {
        tags.push(Entry::bytes(
            SIGNATURE_FILE,
            s.sign(tagmanifest.as_bytes())?,
        ));
    }
    tags.push(Entry::bytes(
        "tagmanifest-sha256.txt",
        tagmanifest.into_bytes(),
    ));
    Ok(tags)
}

/// The bag as the checks see it, read entry by entry as from the zip.
fn contents_of<'a>(
    code: &str,
    bag: impl Iterator<Item = &'a Entry> + Clone,
) -> Result<super::verify::Contents> {
    let names: Vec<String> = bag.clone().map(|e| format!("{code}/{}", e.name)).collect();
    let mut contents = ContentsBuilder::new(names.iter().map(String::as_str));
    for (e, name) in bag.zip(&names) {
        contents.fact(EntryFacts {
            name: name.clone(),
            plain_method: true,
            ..Default::default()
        });
        contents.read(name, e.open()?);
    }
    Ok(contents.finish())
}

fn write_zip<'a>(path: &Path, code: &str, bag: impl Iterator<Item = &'a Entry>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    for e in bag {
        let name: String = format!("{code}/{}", e.name).nfc().collect();
        let method = if stored(&e.name) {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .unix_permissions(0o644)
            .large_file(e.digests.bytes >= u32::MAX as u64);
        zip.start_file(name, options)?;
        std::io::copy(&mut e.open()?, &mut zip)
            .with_context(|| format!("cannot write {} into the package", e.name))?;
    }
    let mut w = zip.finish()?;
    w.flush()?;
    w.get_ref().sync_all()?;
    Ok(())
}

/// Removes temporary files that a killed run left behind (never a finished package).
fn remove_stale_partials(out: &Path, code: &str) {
    let prefixes = [
        format!(".{code}.zip.partial-"),
        format!(".{code}.pdf.partial-"),
    ];
    let Ok(dir) = std::fs::read_dir(out) else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = prefixes
            .iter()
            .find_map(|p| name.strip_prefix(p.as_str()))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: kill with signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        if !alive || pid == std::process::id() as i32 {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
