//! Imaging (DA/T 31 §10): the working image of a page, made from its master.
//!
//! The master is never changed. For each page the stage measures, decides and
//! records: the scanner bed (dark wedges outside the paper) is painted paper-colour,
//! the page is turned upright (Tesseract OSD, checked against the direction of the
//! text lines), straightened (projection profiles; refused when the page has no
//! lines to measure), blank backs are found (ink left after show-through and dust
//! are discounted), and quality is measured. Everything decided is in
//! [`ImagingRecord`], so the working image can be made again from the master, and a
//! clerk's [`Overrides`] win over every automatic decision.

pub mod analysis;
pub mod convert;
pub mod deskew;
pub mod warp;

use anyhow::Result;
use image::{DynamicImage, GrayImage, ImageBuffer, Luma, Pixel, Rgb, RgbImage};
use serde::{Deserialize, Serialize};

use crate::capture::raster::encode_jpeg;
use crate::model::ColorMode;
use crate::ocr::osd::OsdEngine;
use analysis::{ANALYSIS_DPI, Analysed, ink_components};

/// Version of the imaging operations; part of every derivative's key, so changing
/// an operation makes new derivatives instead of reusing stale ones.
pub const IMAGING_VERSION: &str = "imaging-2";

/// JPEG quality of working images (masters that need no change are passed through).
pub const WORKING_JPEG_QUALITY: u8 = 85;

/// Largest skew searched for, in degrees.
pub const MAX_SKEW_DEG: f32 = 6.0;
/// Below this skew a page is left as scanned (no resampling for nothing).
pub const MIN_SKEW_DEG: f32 = 0.05;
/// A skew measurement is trusted when the best angle is this much sharper than the
/// rest of the range (text lines, ruling lines); photos and blank pages are not.
pub const MIN_SKEW_GAIN: f32 = 1.25;

/// What a clerk decided for a page; each `Some` wins over the automatic decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overrides {
    pub rotation: Option<u32>,
    pub skew_deg: Option<f32>,
    pub blank: Option<bool>,
}

/// Everything imaging measured and decided for one page (process metadata).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImagingRecord {
    pub version: String,
    /// Clockwise turn applied to make the page upright.
    pub rotation: u32,
    /// `osd`, `lines` (text-line direction), `override` or `none`.
    pub rotation_source: String,
    pub osd_confidence: Option<f32>,
    /// Measured skew (positive = content turned counter-clockwise), if measurable.
    pub skew_deg: Option<f32>,
    /// Skew actually corrected (0 when refused or negligible).
    pub skew_applied: f32,
    pub skew_gain: Option<f32>,
    pub axis_ratio: Option<f32>,
    pub blank: bool,
    /// Share of the text area covered by ink components (dust excluded).
    pub ink_coverage: f32,
    pub ink_components: usize,
    pub bed_fraction: f32,
    pub paper_level: u8,
    pub ink_level: u8,
    pub sharpness: f32,
    /// Ink pixels touching the edge of the scan window (analysis resolution).
    #[serde(default)]
    pub edge_ink: usize,
    /// Quality flags with their measured values.
    pub flags: Vec<Flag>,
}

/// A quality flag (DA/T 31 §10) and the value that raised it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub code: String,
    pub value: f32,
    pub limit: f32,
}

impl ImagingRecord {
    pub fn flag_codes(&self) -> Vec<String> {
        self.flags.iter().map(|f| f.code.clone()).collect()
    }
}

/// A page image ready for OCR and display.
pub struct WorkingImage {
    pub image: DynamicImage,
}

impl WorkingImage {
    /// Grey image for OCR.
    pub fn gray(&self) -> GrayImage {
        convert::to_gray(&self.image)
    }
}

/// Paints the scanner bed with `fill`: each bed pixel of the analysis covers a
/// `scale × scale` block of the full image.
fn paint_bed<P: Pixel<Subpixel = u8>>(img: &mut ImageBuffer<P, Vec<u8>>, a: &Analysed, fill: P) {
    if a.bed_fraction() == 0.0 {
        return;
    }
    let (w, h) = img.dimensions();
    let k = a.scale.round().max(1.0) as u32;
    let aw = a.width() as usize;
    for (i, _) in a.bed.iter().enumerate().filter(|(_, b)| **b) {
        let (ax, ay) = ((i % aw) as u32, (i / aw) as u32);
        for y in ay * k..((ay + 1) * k).min(h) {
            for x in ax * k..((ax + 1) * k).min(w) {
                img.put_pixel(x, y, fill);
            }
        }
    }
    // The last rows/columns beyond the shrunk image follow their neighbours.
    let (cw, ch) = (a.width() * k, a.height() * k);
    let is_bed = |x: u32, y: u32| {
        a.bed[((y / k).min(a.height() - 1) * a.width() + (x / k).min(a.width() - 1)) as usize]
    };
    for y in 0..h {
        for x in cw.min(w)..w {
            if is_bed(x, y) {
                img.put_pixel(x, y, fill);
            }
        }
    }
    for y in ch.min(h)..h {
        for x in 0..w {
            if is_bed(x, y) {
                img.put_pixel(x, y, fill);
            }
        }
    }
}

use warp::turn;

/// Turns and straightens, filling uncovered corners with paper.
fn transform<P>(
    img: &ImageBuffer<P, Vec<u8>>,
    rotation: u32,
    skew_deg: f32,
    paper: P,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    if skew_deg.abs() < MIN_SKEW_DEG {
        return turn(img, rotation);
    }
    // Content turned counter-clockwise by s is straightened by turning it clockwise.
    if rotation == 0 {
        warp::rotate(img, skew_deg, paper)
    } else {
        warp::rotate(&turn(img, rotation), skew_deg, paper)
    }
}

/// Median colour of the paper (pixels at least as bright as the paper level).
fn paper_color(img: &RgbImage, a: &Analysed) -> Rgb<u8> {
    let mut rs = Vec::new();
    let mut gs = Vec::new();
    let mut bs = Vec::new();
    for p in img.as_raw().chunks_exact(3).step_by(97) {
        let l = Rgb([p[0], p[1], p[2]]).to_luma().0[0];
        if l >= a.paper.saturating_sub(4) {
            rs.push(p[0]);
            gs.push(p[1]);
            bs.push(p[2]);
        }
    }
    let med = |v: &mut Vec<u8>| {
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(a.paper)
    };
    Rgb([med(&mut rs), med(&mut gs), med(&mut bs)])
}

/// Sharpness: the 90th percentile of edge strength over the ink-paper contrast.
fn sharpness(a: &Analysed) -> f32 {
    let (w, h) = (a.width() as usize, a.height() as usize);
    let px = a.gray.as_raw();
    let contrast = (a.paper as f32 - a.ink as f32).max(1.0);
    // Edge strength is max(|dx|, |dy|) / 2 with whole-number differences: a
    // histogram of the differences gives the percentile exactly.
    let mut hist = [0usize; 256];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            if a.bed[i] {
                continue;
            }
            let dx = px[i + 1].abs_diff(px[i - 1]);
            let dy = px[i + w].abs_diff(px[i - w]);
            hist[dx.max(dy) as usize] += 1;
        }
    }
    let strong = |m: usize| m as f32 / 2.0 > 0.15 * contrast;
    let counted: usize = (0..256).filter(|&m| strong(m)).map(|m| hist[m]).sum();
    if counted < 100 {
        return 1.0;
    }
    let k = counted * 9 / 10;
    let mut seen = 0;
    for m in (0..256).filter(|&m| strong(m)) {
        seen += hist[m];
        if seen > k {
            return m as f32 / 2.0 / contrast;
        }
    }
    unreachable!("the k-th of the counted differences exists")
}

/// Blank detection on the upright analysis image: ink components that are neither
/// dust nor punch holes nor show-through, inside the text area.
fn ink_in_text_area(a: &Analysed) -> (f32, usize) {
    let (w, h) = (a.width(), a.height());
    // Margins where binding holes and edge dirt live.
    let (mx, my) = (w * 8 / 100, h * 5 / 100);
    let region = (mx, my, w - mx, h - my);
    let min_size = ((ANALYSIS_DPI as f32 / 150.0).powi(2) * 10.0) as usize;
    let comps: Vec<usize> = ink_components(a, region)
        .into_iter()
        .filter(|&n| n >= min_size)
        .collect();
    let area = ((region.2 - region.0) * (region.3 - region.1)) as f32;
    (comps.iter().sum::<usize>() as f32 / area, comps.len())
}

fn rotate_analysed(a: Analysed, clockwise: u32) -> Analysed {
    if clockwise == 0 {
        return a;
    }
    let (w, h) = (a.width(), a.height());
    let bed_img =
        GrayImage::from_raw(w, h, a.bed.iter().map(|b| *b as u8).collect()).expect("sizes agree");
    let bed = turn(&bed_img, clockwise)
        .into_raw()
        .into_iter()
        .map(|b| b != 0)
        .collect();
    Analysed {
        gray: turn(&a.gray, clockwise),
        bed,
        ..a
    }
}

/// A decoded page and what was measured on it before any decision.
pub struct PageAnalysis {
    pub decoded: DynamicImage,
    pub dpi: u32,
    analysed: Analysed,
    /// Skew and text-line direction as scanned.
    first: Option<deskew::Skew>,
    /// Paper colour: fills the bed and the corners uncovered by straightening.
    fill: [u8; 3],
}

/// Measures a decoded master page (bed, levels, skew and line direction as scanned)
/// and paints its scanner bed with the paper colour (the same whatever the turn).
pub fn analyse(decoded: DynamicImage, dpi: u32) -> PageAnalysis {
    let dpi = dpi.max(1);
    let analysed = Analysed::from_image(&decoded, dpi);
    let first = deskew::estimate(
        &analysed.ink_points(60_000),
        analysed.width(),
        analysed.height(),
        MAX_SKEW_DEG,
    );
    let (decoded, fill) = match decoded {
        DynamicImage::ImageLuma8(mut g) => {
            paint_bed(&mut g, &analysed, Luma([analysed.paper]));
            (DynamicImage::ImageLuma8(g), [analysed.paper; 3])
        }
        other => {
            let mut rgb = match other {
                DynamicImage::ImageRgb8(rgb) => rgb,
                o => o.to_rgb8(),
            };
            let fill = paper_color(&rgb, &analysed);
            paint_bed(&mut rgb, &analysed, fill);
            (DynamicImage::ImageRgb8(rgb), fill.0)
        }
    };
    PageAnalysis {
        decoded,
        dpi,
        analysed,
        first,
        fill,
    }
}

impl PageAnalysis {
    /// The first guess of the clockwise turn: as scanned, unless the text lines
    /// clearly run down the page (then OSD decides between 90 and 270).
    pub fn first_turn(&self, osd: Option<&mut OsdEngine>) -> (u32, &'static str, Option<f32>) {
        let sideways = self
            .first
            .is_some_and(|s| s.axis_ratio < SIDEWAYS_AXIS_RATIO);
        if sideways
            && let Some(o) = self.osd(osd)
            && (o.turn == 90 || o.turn == 270)
        {
            return (o.turn, "osd", Some(o.confidence));
        }
        (0, "none", None)
    }

    /// Tesseract OSD on this page (bed painted paper-white). OSD costs about a
    /// quarter of a page's OCR, so it is asked only when there is a doubt.
    pub fn osd(&self, osd: Option<&mut OsdEngine>) -> Option<crate::ocr::osd::Orientation> {
        let a = &self.analysed;
        let mut clean = a.gray.clone();
        for (p, bed) in clean.iter_mut().zip(&a.bed) {
            if *bed {
                *p = a.paper;
            }
        }
        osd?.detect(&clean, a.dpi)
    }

    /// Is the page a blank back? (Orientation does not matter for this.)
    pub fn is_blank(&self) -> bool {
        let (coverage, components) = ink_in_text_area(&self.analysed);
        looks_blank(coverage, components)
    }

    /// Makes the working image turned by `rotation` (clockwise) and records every
    /// decision; the clerk's overrides win.
    pub fn render(
        &self,
        rotation: u32,
        rotation_source: &str,
        osd_confidence: Option<f32>,
        overrides: &Overrides,
    ) -> (WorkingImage, ImagingRecord) {
        let (rotation, rotation_source) = match overrides.rotation {
            Some(r) => (r % 360, "override"),
            None => (rotation % 360, rotation_source),
        };
        let a0 = &self.analysed;
        let mut rec = ImagingRecord {
            version: IMAGING_VERSION.into(),
            rotation,
            rotation_source: rotation_source.into(),
            osd_confidence,
            bed_fraction: a0.bed_fraction(),
            paper_level: a0.paper,
            ink_level: a0.ink,
            ..Default::default()
        };
        let clock = std::time::Instant::now();
        let a = rotate_analysed(a0.clone(), rotation);
        // Skew, measured on the upright page.
        let skew = if rotation == 0 {
            self.first
        } else {
            deskew::estimate(&a.ink_points(60_000), a.width(), a.height(), MAX_SKEW_DEG)
        };
        rec.skew_deg = skew.map(|s| s.angle_deg);
        rec.skew_gain = skew.map(|s| s.gain);
        rec.axis_ratio = skew.map(|s| s.axis_ratio);
        let applied = match (overrides.skew_deg, skew) {
            (Some(s), _) => s,
            (None, Some(s)) if s.gain >= MIN_SKEW_GAIN && s.angle_deg.abs() >= MIN_SKEW_DEG => {
                s.angle_deg
            }
            _ => 0.0,
        };
        rec.skew_applied = applied;
        let (coverage, components) = ink_in_text_area(&a);
        rec.ink_coverage = coverage;
        rec.ink_components = components;
        rec.blank = overrides.blank.unwrap_or(looks_blank(coverage, components));
        rec.sharpness = sharpness(&a);
        // A 2 mm band along the scan window: printed text keeps a margin wider than that.
        rec.edge_ink = a0.edge_ink((a0.dpi as f32 * 2.0 / 25.4).round().max(2.0) as usize);
        rec.flags = quality_flags(&rec, self.dpi, skew);

        let measured = clock.elapsed();
        let image = match &self.decoded {
            DynamicImage::ImageLuma8(g) => {
                DynamicImage::ImageLuma8(transform(g, rotation, applied, Luma([self.fill[0]])))
            }
            DynamicImage::ImageRgb8(rgb) => {
                DynamicImage::ImageRgb8(transform(rgb, rotation, applied, Rgb(self.fill)))
            }
            other => unreachable!(
                "analyse() keeps grey or RGB pages only, not {:?}",
                other.color()
            ),
        };
        tracing::debug!(
            "render: measures {:?}, image {:?}",
            measured,
            clock.elapsed() - measured
        );
        (WorkingImage { image }, rec)
    }
}

/// Line direction ratio below which a page is taken to lie on its side.
pub const SIDEWAYS_AXIS_RATIO: f32 = 0.6;

/// Ink coverage below which (with few components) a page is blank. On case-file
/// scans a blank back measures 0 after dust, holes and show-through are discounted,
/// while the sparsest content page (a signature line) has dozens of components.
pub const BLANK_MAX_COVERAGE: f32 = 0.0005;
pub const BLANK_MAX_COMPONENTS: usize = 4;

fn looks_blank(coverage: f32, components: usize) -> bool {
    coverage < BLANK_MAX_COVERAGE && components < BLANK_MAX_COMPONENTS
}

/// DA/T 31 §9–10 quality flags with their limits.
pub mod limits {
    /// Resolution below which OCR suffers (warn); below 200 the scan fails.
    pub const WARN_DPI: f32 = 300.0;
    /// Paper darker than this is a too-dark scan.
    pub const TOO_DARK_PAPER: f32 = 175.0;
    /// Paper–ink difference below this is low contrast.
    pub const LOW_CONTRAST: f32 = 100.0;
    /// Edge sharpness below this is blurred.
    pub const BLURRED: f32 = 0.30;
    /// Residual skew above this (degrees) is flagged.
    pub const SKEW_RESIDUAL: f32 = 1.0;
    /// Ink pixels in the 2 mm band along the scan window from which text is taken
    /// to run off the scanned area; dust and the odd stroke stay below it.
    pub const CUT_CONTENT_PIXELS: f32 = 120.0;
}

fn quality_flags(rec: &ImagingRecord, dpi: u32, skew: Option<deskew::Skew>) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |code: &str, value: f32, limit: f32| {
        flags.push(Flag {
            code: code.into(),
            value,
            limit,
        })
    };
    if (dpi as f32) < limits::WARN_DPI {
        flag("low_dpi", dpi as f32, limits::WARN_DPI);
    }
    if rec.blank {
        return flags;
    }
    if (rec.paper_level as f32) < limits::TOO_DARK_PAPER {
        flag("too_dark", rec.paper_level as f32, limits::TOO_DARK_PAPER);
    }
    let contrast = rec.paper_level as f32 - rec.ink_level as f32;
    if contrast < limits::LOW_CONTRAST {
        flag("low_contrast", contrast, limits::LOW_CONTRAST);
    }
    if rec.sharpness < limits::BLURRED {
        flag("blurred", rec.sharpness, limits::BLURRED);
    }
    if rec.edge_ink as f32 >= limits::CUT_CONTENT_PIXELS {
        flag(
            "cut_content",
            rec.edge_ink as f32,
            limits::CUT_CONTENT_PIXELS,
        );
    }
    // Skew measured but not corrected (refused) and large enough to matter.
    if let Some(s) = skew {
        let residual = (s.angle_deg - rec.skew_applied).abs();
        if residual > limits::SKEW_RESIDUAL {
            flag("skew_residual", residual, limits::SKEW_RESIDUAL);
        }
    }
    flags
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
