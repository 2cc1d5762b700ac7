//! Capture: files into masters and pages.
//!
//! `import` takes folders (files in natural name order), single images and PDFs.
//! Every file is checked by content (not by name), fully decoded once so that a
//! damaged file is reported now rather than during processing, stored once as a
//! master, and its pages appended to the volume. One bad file never stops the
//! batch: it is reported with the reason and skipped.

pub mod pdf;
pub mod raster;
pub mod sample;
pub mod scanner;
pub mod sniff;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, bail};

use crate::catalogue::{Catalogue, MasterRecord, NewPage, Placement};
use crate::store::Store;
use sniff::Format;

/// What happened to one input path.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Pages added to the volume.
    Imported { pages: u32 },
    /// Every page of this file was already in the volume.
    AlreadyImported,
    /// Not something to import (in a folder: a non-image file); not an error.
    Skipped { reason: String },
    /// Could not be imported; the batch went on.
    Failed { reason: String },
}

#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// Things worth telling that did not stop the import (e.g. a wrong extension).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// The volume the pages went into (None if nothing could be imported).
    pub volume_id: Option<String>,
    pub pages_added: u32,
    pub files: Vec<FileReport>,
}

impl ImportReport {
    pub fn failures(&self) -> impl Iterator<Item = &FileReport> {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Failed { .. }))
    }
    pub fn has_failures(&self) -> bool {
        self.failures().next().is_some()
    }
}

/// Progress of an import, file by file.
#[derive(Debug, Clone)]
pub struct ImportProgress {
    pub done: usize,
    pub total: usize,
    pub current: PathBuf,
}

/// One file to import, or a path that could not even be listed.
enum Input {
    File { path: PathBuf, explicit: bool },
    Unlistable { path: PathBuf, reason: String },
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Expands folders into their files in natural file-name order (`2.jpg` before `10.jpg`).
fn expand(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => out.push(Input::Unlistable {
                path: path.clone(),
                reason: format!("cannot be read: {e}"),
            }),
            Ok(m) if m.is_dir() => match std::fs::read_dir(path) {
                Err(e) => out.push(Input::Unlistable {
                    path: path.clone(),
                    reason: format!("the folder cannot be read: {e}"),
                }),
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file() && !is_hidden(p))
                        .collect();
                    files.sort_by(|a, b| {
                        let name = |p: &PathBuf| {
                            p.file_name()
                                .unwrap_or_default()
                                .to_string_lossy()
                                .into_owned()
                        };
                        natord::compare(&name(a), &name(b))
                    });
                    out.extend(files.into_iter().map(|path| Input::File {
                        path,
                        explicit: false,
                    }));
                }
            },
            Ok(_) => out.push(Input::File {
                path: path.clone(),
                explicit: true,
            }),
        }
    }
    out
}

/// The volume name proposed for a batch: the folder's (or first file's) name.
fn proposed_name(paths: &[PathBuf]) -> String {
    paths
        .first()
        .and_then(|p| {
            if p.is_dir() {
                p.file_name()
            } else {
                p.file_stem()
            }
        })
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "案卷".to_string())
}

/// Imports `paths` into `volume` (created if it does not exist; a new volume when None).
pub fn import(
    catalogue: &mut Catalogue,
    store: &Store,
    paths: &[PathBuf],
    volume: Option<&str>,
    actor: &str,
    cancel: &AtomicBool,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportReport> {
    let inputs = expand(paths);
    let total = inputs.len();
    let mut report = ImportReport::default();
    let mut volume_id: Option<String> = match volume {
        Some(v) if catalogue.volume_exists(v)? => Some(v.to_string()),
        _ => None,
    };
    for (i, input) in inputs.into_iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let (path, explicit) = match input {
            Input::Unlistable { path, reason } => {
                report.files.push(FileReport {
                    path,
                    outcome: Outcome::Failed { reason },
                    warnings: vec![],
                });
                continue;
            }
            Input::File { path, explicit } => (path, explicit),
        };
        progress(ImportProgress {
            done: i,
            total,
            current: path.clone(),
        });
        let mut warnings = Vec::new();
        let outcome = match read_and_check(&path, explicit, &mut warnings) {
            Ok(None) => Outcome::Skipped {
                reason: "not an image or PDF".into(),
            },
            Ok(Some(checked)) => {
                if volume_id.is_none() {
                    volume_id = Some(catalogue.create_volume(volume, &proposed_name(paths))?);
                }
                let vid = volume_id.as_deref().expect("volume just made");
                match add_checked(catalogue, store, vid, &path, checked, false)
                    .map(|ids| ids.len() as u32)
                {
                    Ok(0) => Outcome::AlreadyImported,
                    Ok(n) => {
                        report.pages_added += n;
                        Outcome::Imported { pages: n }
                    }
                    Err(e) => Outcome::Failed {
                        reason: format!("{e:#}"),
                    },
                }
            }
            Err(e) => Outcome::Failed {
                reason: format!("{e:#}"),
            },
        };
        report.files.push(FileReport {
            path,
            outcome,
            warnings,
        });
    }
    progress(ImportProgress {
        done: total,
        total,
        current: PathBuf::new(),
    });
    if let Some(v) = &volume_id {
        let detail = serde_json::json!({
            "pages_added": report.pages_added,
            "files": report.files.len(),
            "failed": report.failures().count(),
        });
        catalogue.audit(actor, "import", Some(v), &detail.to_string())?;
    }
    report.volume_id = volume_id;
    Ok(report)
}

/// A file that has been read and fully decoded.
struct Checked {
    bytes: Vec<u8>,
    format: Format,
    pages: Vec<NewPageInfo>,
}

struct NewPageInfo {
    width: u32,
    height: u32,
    dpi: Option<u32>,
    color_mode: crate::model::ColorMode,
    born_digital: Option<(String, Vec<crate::model::TextLine>)>,
}

/// Reads and validates one file. `Ok(None)`: not an image at all, found in a folder.
fn read_and_check(
    path: &Path,
    explicit: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Checked>> {
    let bytes = std::fs::read(path).context("the file cannot be read")?;
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_ext);
    if bytes.is_empty() {
        if named.is_none() && !explicit {
            return Ok(None);
        }
        bail!("the file is empty (0 bytes)");
    }
    let Some(format) = sniff::sniff(&bytes) else {
        if named.is_none() && !explicit {
            return Ok(None);
        }
        match named {
            Some(f) => bail!(
                "the file is named .{} but its content is not {}",
                f.ext(),
                f.name()
            ),
            None => bail!("not an image or PDF (JPEG, PNG, TIFF or PDF expected)"),
        }
    };
    if let Some(n) = named
        && n != format
    {
        warnings.push(format!(
            "the file is named as {} but is {}; imported as {}",
            n.name(),
            format.name(),
            format.name()
        ));
    }
    let pages = match format {
        Format::Pdf => pdf::probe(&bytes)?
            .into_iter()
            .map(|p| NewPageInfo {
                width: p.width,
                height: p.height,
                dpi: Some(p.dpi),
                color_mode: p.color_mode,
                born_digital: p.born_digital,
            })
            .collect(),
        _ => {
            let infos = raster::probe(&bytes, format)?;
            for (i, _) in infos.iter().enumerate() {
                raster::decode(&bytes, format, i as u32).with_context(|| {
                    if infos.len() > 1 {
                        format!("page {}", i + 1)
                    } else {
                        "image".into()
                    }
                })?;
            }
            infos
                .into_iter()
                .map(|p| NewPageInfo {
                    width: p.width,
                    height: p.height,
                    dpi: p.dpi,
                    color_mode: p.color_mode,
                    born_digital: None,
                })
                .collect()
        }
    };
    Ok(Some(Checked {
        bytes,
        format,
        pages,
    }))
}

fn add_checked(
    catalogue: &mut Catalogue,
    store: &Store,
    volume_id: &str,
    path: &Path,
    checked: Checked,
    always_new: bool,
) -> Result<Vec<i64>> {
    let stored = store.put_master(&checked.bytes, checked.format.ext())?;
    let source_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    catalogue.put_master(&MasterRecord {
        sha256: stored.sha256.clone(),
        ext: checked.format.ext().into(),
        format: checked.format.name().into(),
        size: stored.size,
        original_name: source_name.clone(),
        page_count: checked.pages.len() as u32,
    })?;
    let mut added = Vec::new();
    for (i, p) in checked.pages.into_iter().enumerate() {
        let page = NewPage {
            master_sha256: stored.sha256.clone(),
            source_name: source_name.clone(),
            source_page: i as u32,
            width: p.width,
            height: p.height,
            dpi: p.dpi,
            color_mode: p.color_mode,
            born_digital: p.born_digital,
            always_new,
        };
        if let Some(id) = catalogue.add_page(volume_id, &page)? {
            added.push(id);
        }
    }
    Ok(added)
}

/// Adds one file's pages to an existing volume at `placement` (before a page, in
/// place of one, or at the end): a rescan or a file put in by the clerk. The pages
/// are always new pages, even if the same file is already in the volume.
/// Returns the new pages' ids, in order.
pub fn add_file_at(
    catalogue: &mut Catalogue,
    store: &Store,
    volume_id: &str,
    path: &Path,
    placement: Placement,
    actor: &str,
) -> Result<Vec<i64>> {
    if !catalogue.volume_exists(volume_id)? {
        bail!("there is no volume {volume_id}");
    }
    let mut warnings = Vec::new();
    let checked = read_and_check(path, true, &mut warnings)
        .with_context(|| path.display().to_string())?
        .with_context(|| format!("{}: not an image or PDF", path.display()))?;
    for w in &warnings {
        tracing::warn!("{}: {w}", path.display());
    }
    let ids = add_checked(catalogue, store, volume_id, path, checked, true)?;
    catalogue.place_pages(volume_id, &ids, placement, actor)?;
    Ok(ids)
}

/// Decodes the page image of a stored master.
pub fn decode_master_page(
    bytes: &[u8],
    ext: &str,
    source_page: u32,
    dpi: Option<u32>,
) -> Result<image::DynamicImage> {
    let format = Format::from_ext(ext).context("unknown master format")?;
    match format {
        Format::Pdf => pdf::render(bytes, source_page, dpi.unwrap_or(pdf::DEFAULT_RENDER_DPI)),
        _ => raster::decode(bytes, format, source_page),
    }
}
