//! `package`: one volume → one zip that is a BagIt bag (RFC 8493) laid out as in
//! DESIGN.md §6, checked (四性检测) before it is written and again after, written
//! to a temp file and renamed so that a crash never leaves a half package that
//! looks whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use super::export::{finished_pages, volume_pdf};
use super::hashes::digests;
use super::metadata::volume_xml;
use super::verify::{EntryFacts, Verification, check, contents_from, now_utc, verify_package};
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

/// One file of the bag, path relative to the bag root.
struct Entry {
    name: String,
    bytes: Vec<u8>,
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
    let catalogue = Catalogue::open(&home.catalogue_path())?;
    // The one readiness rule (also the CLI's choice and the 打包 screen's).
    if let Err(why) = super::ready::readiness(&catalogue, volume_id)? {
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
    let (rows, images) = finished_pages(&catalogue, &store, volume_id)?;
    let mut payload: Vec<Entry> = Vec::new();
    for (r, img) in rows.iter().zip(&images) {
        let ext = r.image_ext.as_deref().unwrap_or("jpg");
        payload.push(Entry {
            name: format!("data/images/{code}-{:04}.{ext}", r.seq),
            bytes: img.clone(),
        });
    }
    for r in &rows {
        let mut text = r.text.clone().unwrap_or_default();
        text.push('\n');
        payload.push(Entry {
            name: format!("data/text/{code}-{:04}.txt", r.seq),
            bytes: text.into_bytes(),
        });
    }
    payload.push(Entry {
        name: format!("data/pdf/{code}.pdf"),
        bytes: volume_pdf(&rows, &images, &code)?,
    });
    payload.push(Entry {
        name: "data/metadata/volume.json".into(),
        bytes: serde_json::to_vec_pretty(&volume)?,
    });
    payload.push(Entry {
        name: "data/metadata/volume.xml".into(),
        bytes: volume_xml(&volume).into_bytes(),
    });
    payload.push(Entry {
        name: "data/report/process.json".into(),
        bytes: serde_json::to_vec_pretty(&process_record(&code, volume_id, &rows, &images))?,
    });
    let corrections = catalogue.corrections(volume_id)?;
    // Every finding (image quality, catalogue against images, statutory checks),
    // the reviewer's marks and decision.
    let reviewed =
        crate::review::review_volume(&catalogue, volume_id, crate::review::ReviewRules::builtin())?;
    let review = json!({
        "volume": volume_id,
        "archival_code": code,
        "created_at": now_utc(),
        "rules": crate::review::ReviewRules::builtin().version,
        "decision": reviewed.decision,
        "findings": reviewed.findings,
        "marks": reviewed.marks,
        "page_flags": rows.iter().filter(|r| !r.flags.is_empty()).map(|r| json!({"page": r.seq, "flags": r.flags})).collect::<Vec<_>>(),
        "corrections": corrections.iter().map(|c| json!({"target": c.target, "value": c.value, "by": c.actor, "at": c.at})).collect::<Vec<_>>(),
    });
    payload.push(Entry {
        name: "data/report/review.json".into(),
        bytes: serde_json::to_vec_pretty(&review)?,
    });
    let organization = volume.agency.clone().unwrap_or_else(|| "unknown".into());
    let settings = crate::model::settings::BureauSettings::load(&home.bureau_path())?;
    let signer = super::sign::Signer::from_settings(&settings)?;

    // Check what we are about to write before the report exists …
    let bag = with_tags(&payload, &code, &organization, signer.as_ref())?;
    let pre = check(&in_memory(&code, &bag), &format!("{code}.zip"), false);
    if !pre.passed {
        bail!(
            "the package of {volume_id} fails its check; nothing written:\n{}",
            pre.text()
        );
    }
    payload.push(Entry {
        name: "data/report/verification.json".into(),
        bytes: serde_json::to_vec_pretty(&pre)?,
    });
    let bag = with_tags(&payload, &code, &organization, signer.as_ref())?;

    // … write it under a temporary name, check the file itself, then rename.
    let temp = out.join(format!(".{code}.zip.partial-{}", std::process::id()));
    let written = write_zip(&temp, &code, &bag).and_then(|()| verify_package(&temp));
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

/// Per image: the master's checksum and every transform with its parameters.
fn process_record(
    code: &str,
    volume_id: &str,
    rows: &[PageRow],
    images: &[Vec<u8>],
) -> serde_json::Value {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .zip(images)
        .map(|(r, img)| {
            let ext = r.image_ext.as_deref().unwrap_or("jpg");
            let unchanged = crate::store::sha256_hex(img) == r.master_sha256;
            let mut transforms = Vec::new();
            if let Some(rec) = &r.imaging
                && !unchanged
            {
                if rec.rotation != 0 {
                    transforms.push(json!({"operation": "rotate", "clockwise_degrees": rec.rotation, "decided_by": rec.rotation_source}));
                }
                if rec.skew_applied != 0.0 {
                    transforms.push(json!({"operation": "deskew", "degrees": rec.skew_applied, "measured_degrees": rec.skew_deg}));
                }
                if rec.bed_fraction > 0.0 {
                    transforms.push(json!({"operation": "paint_scanner_bed", "area_fraction": rec.bed_fraction, "paper_level": rec.paper_level}));
                }
                transforms.push(json!({"operation": "encode", "format": ext}));
            }
            json!({
                "file": format!("data/images/{code}-{:04}.{ext}", r.seq),
                "seq": r.seq,
                "master": {
                    "sha256": r.master_sha256,
                    "format": r.master_ext,
                    "original_name": r.source_name,
                    "source_page": r.source_page,
                },
                "unchanged_master": unchanged,
                "transforms": transforms,
                "imaging": r.imaging,
                "overrides": r.overrides,
                "ocr": {"text_origin": r.text_origin, "confidence": r.ocr_confidence},
            })
        })
        .collect();
    json!({
        "software": format!("anjuan {}", env!("CARGO_PKG_VERSION")),
        "created_at": now_utc(),
        "volume": volume_id,
        "images": list,
    })
}

/// The payload plus the tag files: declaration, bag-info, both manifests, the tag
/// manifest and (when configured) the signature over it.
fn with_tags(
    payload: &[Entry],
    code: &str,
    organization: &str,
    signer: Option<&super::sign::Signer>,
) -> Result<Vec<Entry>> {
    let mut sha = String::new();
    let mut sm3 = String::new();
    let mut bytes = 0u64;
    for e in payload {
        let d = digests(&e.bytes);
        sha.push_str(&format!("{}  {}\n", d.sha256, e.name));
        sm3.push_str(&format!("{}  {}\n", d.sm3, e.name));
        bytes += d.bytes;
    }
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string();
    let info = format!(
        "Source-Organization: {organization}\nExternal-Identifier: {code}\nBagging-Date: {}\nPayload-Oxum: {bytes}.{}\nBag-Count: 1 of 1\nBag-Software-Agent: anjuan {}\n",
        &now_utc()[..10],
        payload.len(),
        env!("CARGO_PKG_VERSION")
    );
    let mut tags = vec![
        Entry {
            name: "bagit.txt".into(),
            bytes: bagit.into_bytes(),
        },
        Entry {
            name: "bag-info.txt".into(),
            bytes: info.into_bytes(),
        },
        Entry {
            name: "manifest-sha256.txt".into(),
            bytes: sha.into_bytes(),
        },
        Entry {
            name: "manifest-sm3.txt".into(),
            bytes: sm3.into_bytes(),
        },
    ];
    let tagmanifest: String = tags
        .iter()
        .map(|t| format!("{}  {}\n", digests(&t.bytes).sha256, t.name))
        .collect();
    if let Some(s) = signer {
        tags.push(Entry {
            name: SIGNATURE_FILE.into(),
            bytes: s.sign(tagmanifest.as_bytes())?,
        });
    }
    tags.push(Entry {
        name: "tagmanifest-sha256.txt".into(),
        bytes: tagmanifest.into_bytes(),
    });
    let mut all: Vec<Entry> = tags;
    all.extend(payload.iter().map(|e| Entry {
        name: e.name.clone(),
        bytes: e.bytes.clone(),
    }));
    Ok(all)
}

fn in_memory(code: &str, bag: &[Entry]) -> super::verify::Contents {
    let facts = bag
        .iter()
        .map(|e| EntryFacts {
            name: format!("{code}/{}", e.name),
            plain_method: true,
            ..Default::default()
        })
        .collect();
    let raw = bag
        .iter()
        .map(|e| (format!("{code}/{}", e.name), Ok(e.bytes.clone())))
        .collect();
    contents_from(facts, raw)
}

fn write_zip(path: &Path, code: &str, bag: &[Entry]) -> Result<()> {
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
            .large_file(e.bytes.len() as u64 >= u32::MAX as u64);
        zip.start_file(name, options)?;
        zip.write_all(&e.bytes)?;
    }
    let mut w = zip.finish()?;
    w.flush()?;
    w.get_ref().sync_all()?;
    Ok(())
}

/// Removes temporary files that a killed run left behind (never a finished package).
fn remove_stale_partials(out: &Path, code: &str) {
    let prefix = format!(".{code}.zip.partial-");
    let Ok(dir) = std::fs::read_dir(out) else {
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
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
