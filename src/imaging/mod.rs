//! Imaging: the working image of a page, made from its master.
//!
//! The master is never changed. The working image (what OCR reads, the viewer
//! shows and the PDF carries) is a derivative named by its master and parameters.
//! Today it is the page as scanned; straightening, turning upright, border removal
//! and blank detection (DA/T 31 §10) plug in here as recorded operations.

use anyhow::Result;
use image::{DynamicImage, GrayImage};

use crate::capture::raster::encode_jpeg;
use crate::model::ColorMode;

/// Version of the imaging operations; part of every derivative's key, so changing
/// an operation makes new derivatives instead of reusing stale ones.
pub const IMAGING_VERSION: &str = "imaging-1";

/// JPEG quality of working images (masters that need no change are passed through).
pub const WORKING_JPEG_QUALITY: u8 = 85;

/// A page image ready for OCR and display.
pub struct WorkingImage {
    pub image: DynamicImage,
    /// Clockwise turn applied to make the page upright.
    pub rotation: u32,
}

impl WorkingImage {
    /// Grey image for OCR.
    pub fn gray(&self) -> GrayImage {
        self.image.to_luma8()
    }
}

/// Makes the working image from a decoded master page.
pub fn prepare(decoded: DynamicImage) -> WorkingImage {
    WorkingImage {
        image: decoded,
        rotation: 0,
    }
}

/// Encodes a working image for the store: bi-level pages as PNG (lossless, small),
/// others as JPEG at the page's resolution. Returns the bytes and their extension.
pub fn encode_working(
    img: &WorkingImage,
    color_mode: ColorMode,
    dpi: u32,
) -> Result<(Vec<u8>, &'static str)> {
    match color_mode {
        ColorMode::Bilevel => {
            let mut out = Vec::new();
            img.gray()
                .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)?;
            Ok((out, "png"))
        }
        ColorMode::Gray => Ok((
            encode_jpeg(
                &DynamicImage::ImageLuma8(img.gray()),
                WORKING_JPEG_QUALITY,
                dpi,
            )?,
            "jpg",
        )),
        ColorMode::Color => Ok((encode_jpeg(&img.image, WORKING_JPEG_QUALITY, dpi)?, "jpg")),
    }
}

/// Quality flags that can be read from the scan's properties (DA/T 31 §9:
/// ≥ 300 dpi when OCR is planned).
pub fn scan_flags(dpi: Option<u32>) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(d) = dpi
        && d < 300
    {
        flags.push("low_dpi".to_string());
    }
    flags
}
