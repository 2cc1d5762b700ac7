//! `export`: a volume's searchable PDF and one text file per page.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::pdf::{PdfPage, write_searchable_pdf};
use crate::catalogue::{Catalogue, PageRow};
use crate::fsutil::write_atomic;
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

/// A volume's processed pages with their working images, in scan order; an error
/// names the pages not processed yet.
pub fn finished_pages(
    catalogue: &Catalogue,
    store: &Store,
    volume_id: &str,
) -> Result<(Vec<PageRow>, Vec<Vec<u8>>)> {
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
    let mut images = Vec::with_capacity(rows.len());
    for r in &rows {
        let (key, ext) = (
            r.image_key.as_deref().unwrap_or(""),
            r.image_ext.as_deref().unwrap_or("jpg"),
        );
        let path = store.derived_path(key, ext);
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "the working image of page {} is missing; rerun process",
                r.seq
            )
        })?;
        images.push(bytes);
    }
    Ok((rows, images))
}

/// The searchable PDF of pages and their images.
pub fn volume_pdf(rows: &[PageRow], images: &[Vec<u8>], title: &str) -> Result<Vec<u8>> {
    let pages: Vec<PdfPage<'_>> = rows
        .iter()
        .zip(images)
        .map(|(r, img)| PdfPage {
            image: img,
            image_ext: r.image_ext.as_deref().unwrap_or("jpg"),
            width_px: r.width,
            height_px: r.height,
            dpi: r.dpi.unwrap_or(300),
            lines: &r.lines,
        })
        .collect();
    write_searchable_pdf(&pages, title)
}

/// Writes `<out>/<volume>.pdf` and `<out>/0001.txt …` (page `seq`, four digits).
pub fn export_volume(
    catalogue: &Catalogue,
    store: &Store,
    volume_id: &str,
    out: &Path,
) -> Result<ExportReport> {
    let (rows, images) = finished_pages(catalogue, store, volume_id)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let pdf = volume_pdf(&rows, &images, volume_id)?;
    let pdf_path = out.join(format!("{volume_id}.pdf"));
    write_atomic(&pdf_path, &pdf)?;
    let mut texts = Vec::new();
    for r in &rows {
        let p = out.join(format!("{:04}.txt", r.seq));
        let mut text = r.text.clone().unwrap_or_default();
        text.push('\n');
        write_atomic(&p, text.as_bytes())?;
        texts.push(p);
    }
    Ok(ExportReport {
        pdf: pdf_path,
        texts,
        pdf_bytes: pdf.len() as u64,
        image_bytes: images.iter().map(|i| i.len() as u64).sum(),
    })
}
