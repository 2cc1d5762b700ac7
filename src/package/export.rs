//! `export`: a volume's searchable PDF and one text file per page.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::pdf::{PdfPage, write_searchable_pdf};
use crate::catalogue::{Catalogue, PageRow};
use crate::fsutil::{write_atomic, write_atomic_with};
use crate::model::PageState;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct ExportReport {
    pub pdf: PathBuf,
    pub texts: Vec<PathBuf>,
    pub pdf_bytes: u64,
    /// Bytes of the page images inside the PDF (for the size overhead of the text layer).
    pub image_bytes: u64,
}

/// A processed page and where its working image lies in the store.
pub struct FinishedPage {
    pub row: PageRow,
    pub image: PathBuf,
    pub image_bytes: u64,
}

impl FinishedPage {
    pub fn image_ext(&self) -> &str {
        self.row.image_ext.as_deref().unwrap_or("jpg")
    }
}

/// A volume's processed pages with their working images, in scan order (the
/// images are found, not read); an error names the pages not processed yet.
pub fn finished_pages(
    catalogue: &Catalogue,
    store: &Store,
    volume_id: &str,
) -> Result<Vec<FinishedPage>> {
    if !catalogue.volume_exists(volume_id)? {
        bail!("no volume {volume_id}");
    }
    let rows = catalogue.pages(volume_id)?;
    if rows.is_empty() {
        bail!("volume {volume_id} has no pages");
    }
    let unfinished: Vec<String> = rows
        .iter()
        .filter(|r| r.state != PageState::Done)
        .map(|r| format!("{} ({})", r.seq, r.state.as_str()))
        .collect();
    if !unfinished.is_empty() {
        bail!(
            "volume {volume_id} has pages not processed yet: {}; run `anjuan process --volume {volume_id}` first",
            unfinished.join(", ")
        );
    }
    rows.into_iter()
        .map(|row| {
            let (key, ext) = (
                row.image_key.as_deref().unwrap_or(""),
                row.image_ext.as_deref().unwrap_or("jpg"),
            );
            let image = store.derived_path(key, ext);
            let image_bytes = std::fs::metadata(&image)
                .with_context(|| {
                    format!(
                        "the working image of page {} is missing; rerun process",
                        row.seq
                    )
                })?
                .len();
            Ok(FinishedPage {
                row,
                image,
                image_bytes,
            })
        })
        .collect()
}

/// Writes the volume's searchable PDF to `out`, reading one page image at a
/// time; returns its size in bytes.
pub fn write_volume_pdf(out: impl Write, pages: &[FinishedPage], title: &str) -> Result<u64> {
    let pdf_pages: Vec<PdfPage<'_>> = pages
        .iter()
        .map(|p| PdfPage {
            image_ext: p.image_ext(),
            width_px: p.row.width,
            height_px: p.row.height,
            dpi: p.row.dpi.unwrap_or(300),
            lines: &p.row.lines,
        })
        .collect();
    write_searchable_pdf(out, &pdf_pages, title, |i| {
        std::fs::read(&pages[i].image)
            .with_context(|| format!("cannot read the image of page {}", pages[i].row.seq))
    })
}

/// Writes `<out>/<volume>.pdf` and `<out>/0001.txt …` (page `seq`, four digits).
pub fn export_volume(
    catalogue: &Catalogue,
    store: &Store,
    volume_id: &str,
    out: &Path,
) -> Result<ExportReport> {
    let pages = finished_pages(catalogue, store, volume_id)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let pdf_path = out.join(format!("{volume_id}.pdf"));
    let mut pdf_bytes = 0;
    let mut failure = None;
    write_atomic_with(&pdf_path, |w| {
        match write_volume_pdf(w, &pages, volume_id) {
            Ok(n) => pdf_bytes = n,
            Err(e) => {
                failure = Some(e);
                return Err(std::io::Error::other("the PDF could not be written"));
            }
        }
        Ok(())
    })
    .map_err(|e| failure.take().unwrap_or_else(|| e.into()))?;
    let mut texts = Vec::new();
    for p in &pages {
        let path = out.join(format!("{:04}.txt", p.row.seq));
        let mut text = p.row.text.clone().unwrap_or_default();
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
        texts.push(path);
    }
    Ok(ExportReport {
        pdf: pdf_path,
        texts,
        pdf_bytes,
        image_bytes: pages.iter().map(|p| p.image_bytes).sum(),
    })
}
