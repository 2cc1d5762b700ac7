//! PDF pages through PDFium (pdfium-render, library loaded at run time).
//!
//! A scanned page is rendered at the resolution of the scan it carries, so nothing
//! is lost or invented; a born-digital page (text and no page-sized image) keeps its
//! text, which then skips OCR.

use std::sync::OnceLock;

use anyhow::{Result, anyhow, bail};
use image::DynamicImage;
use pdfium_render::prelude::*;

use super::raster::check_size;
use crate::model::{ColorMode, TextLine};

/// Resolution for pages that carry no scan (vector or born-digital pages).
pub const DEFAULT_RENDER_DPI: u32 = 300;

static PDFIUM: OnceLock<Result<Pdfium, String>> = OnceLock::new();

/// The process-wide PDFium, bound on first use: `libpdfium.so` beside the
/// executable, in `ANJUAN_PDFIUM_DIR`, in `vendor/pdfium` (set-up puts it there),
/// then the system's library path; the error says where we looked.
pub fn pdfium() -> Result<&'static Pdfium> {
    let bound = PDFIUM.get_or_init(|| {
        let name = Pdfium::pdfium_platform_library_name();
        let name = name.to_string_lossy();
        if let Some(lib) = crate::vendor::find("pdfium", "ANJUAN_PDFIUM_DIR", &name)
            && let Ok(b) = Pdfium::bind_to_library(&lib)
        {
            return Ok(Pdfium::new(b));
        }
        match Pdfium::bind_to_system_library() {
            Ok(b) => Ok(Pdfium::new(b)),
            Err(_) => Err(format!(
                "PDFium (libpdfium.so) was not found; looked in {} and the system library path. \
                 Run `make setup` to fetch it, or set ANJUAN_PDFIUM_DIR",
                crate::vendor::looked_in("pdfium", "ANJUAN_PDFIUM_DIR")
            )),
        }
    });
    match bound {
        Ok(p) => Ok(p),
        Err(e) => Err(anyhow!("{e}")),
    }
}

fn open<'a>(pdfium: &'a Pdfium, bytes: &'a [u8]) -> Result<PdfDocument<'a>> {
    pdfium
        .load_pdf_from_byte_slice(bytes, None)
        .map_err(|e| match e {
            PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError)
            | PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
                anyhow!("the PDF is encrypted (password protected); decrypt it first")
            }
            PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
                anyhow!("the PDF is damaged (PDFium cannot parse it)")
            }
            other => anyhow!("the PDF cannot be opened: {other:?}"),
        })
}

/// One page of a PDF as import sees it.
#[derive(Debug, Clone)]
pub struct PdfPageInfo {
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub color_mode: ColorMode,
    /// Text of a born-digital page, with line boxes in rendered pixels.
    pub born_digital: Option<(String, Vec<TextLine>)>,
}

/// Minimum text a page must carry to count as born-digital.
const BORN_DIGITAL_MIN_CHARS: usize = 20;

pub fn probe(bytes: &[u8]) -> Result<Vec<PdfPageInfo>> {
    let pdfium = pdfium()?;
    let doc = open(pdfium, bytes)?;
    let mut out = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let (w_pt, h_pt) = (page.width().value, page.height().value);
        if !(w_pt > 1.0 && h_pt > 1.0) {
            bail!("page {} has no size", i + 1);
        }
        // The scan on the page: the largest image object, if it covers the page.
        let mut scan: Option<(f32, i64)> = None;
        for obj in page.objects().iter() {
            if let Some(img) = obj.as_image_object() {
                let px_w = img.width().unwrap_or(0) as i64;
                let px_h = img.height().unwrap_or(0) as i64;
                let dpi = img.horizontal_dpi().unwrap_or(0.0);
                if dpi > 0.0 && scan.is_none_or(|(_, a)| px_w * px_h > a) {
                    let covers = px_w as f32 / dpi * 72.0 >= 0.8 * w_pt;
                    if covers {
                        scan = Some((dpi, px_w * px_h));
                    }
                }
            }
        }
        let dpi = scan
            .map(|(d, _)| (d.round() as u32).clamp(72, 1200))
            .unwrap_or(DEFAULT_RENDER_DPI);
        let width = (w_pt / 72.0 * dpi as f32).round() as u32;
        let height = (h_pt / 72.0 * dpi as f32).round() as u32;
        check_size(width, height).map_err(|e| anyhow!("page {}: {e}", i + 1))?;
        let born_digital = if scan.is_none() {
            page_text(&page, dpi as f32, h_pt)
        } else {
            None
        };
        out.push(PdfPageInfo {
            width,
            height,
            dpi,
            color_mode: ColorMode::Color,
            born_digital,
        });
    }
    if out.is_empty() {
        bail!("the PDF has no pages");
    }
    Ok(out)
}

fn page_text(page: &PdfPage<'_>, dpi: f32, h_pt: f32) -> Option<(String, Vec<TextLine>)> {
    let text = page.text().ok()?;
    let all = text.all();
    if all.chars().filter(|c| !c.is_whitespace()).count() < BORN_DIGITAL_MIN_CHARS {
        return None;
    }
    let k = dpi / 72.0;
    let mut lines = Vec::new();
    for seg in text.segments().iter() {
        let t = seg.text().trim().to_string();
        if t.is_empty() {
            continue;
        }
        let b = seg.bounds();
        let left = (b.left().value * k).max(0.0);
        let top = ((h_pt - b.top().value) * k).max(0.0);
        lines.push(TextLine {
            text: t,
            bbox: [
                left as u32,
                top as u32,
                (b.width().value * k).max(1.0) as u32,
                (b.height().value * k).max(1.0) as u32,
            ],
            confidence: 1.0,
        });
    }
    let text = all.replace("\r\n", "\n").replace('\r', "\n");
    Some((crate::text::clean_text(&text), lines))
}

/// Renders page `index` at `dpi`.
pub fn render(bytes: &[u8], index: u32, dpi: u32) -> Result<DynamicImage> {
    let pdfium = pdfium()?;
    let doc = open(pdfium, bytes)?;
    let page = doc
        .pages()
        .get(index as i32)
        .map_err(|_| anyhow!("the PDF has no page {}", index + 1))?;
    let width = (page.width().value / 72.0 * dpi as f32).round() as i32;
    let height = (page.height().value / 72.0 * dpi as f32).round() as i32;
    check_size(width as u32, height as u32)?;
    let cfg = PdfRenderConfig::new()
        .set_target_size(width, height)
        .render_form_data(true);
    let bitmap = page
        .render_with_config(&cfg)
        .map_err(|e| anyhow!("PDFium cannot render page {}: {e:?}", index + 1))?;
    let img = bitmap
        .as_image()
        .map_err(|e| anyhow!("PDFium bitmap of page {}: {e:?}", index + 1))?;
    Ok(DynamicImage::ImageRgb8(img.to_rgb8()))
}
