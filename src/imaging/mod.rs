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

use crate::capture::raster::encode_jpeg;
use crate::model::ColorMode;
use analysis::{Analysed, ink_components};

/// Version of the imaging operations; part of every derivative's key, so changing
/// an operation makes new derivatives instead of reusing stale ones.
pub const IMAGING_VERSION: &str = "imaging-3";

/// JPEG quality of working images (masters that need no change are passed through).
pub const WORKING_JPEG_QUALITY: u8 = 85;

/// Largest skew searched for, in degrees.
pub const MAX_SKEW_DEG: f32 = 6.0;
/// Below this skew a page is left as scanned (no resampling for nothing).
pub const MIN_SKEW_DEG: f32 = 0.05;
/// A skew measurement is trusted when the best angle is this much sharper than the
/// rest of the range (text lines, ruling lines); photos and blank pages are not.
pub const MIN_SKEW_GAIN: f32 = 1.25;

pub use crate::model::record::{BlankSource, Flag, ImagingRecord, Overrides, RotationSource, Turn};

impl ImagingRecord {
    pub fn flag_codes(&self) -> Vec<String> {
        self.flags.iter().map(|f| f.code.clone()).collect()
    }

    /// Only faint marks on the page: if OCR reads nothing on it, it is a blank
    /// back with strong show-through, a hair or specks (see [`FAINT_MAX_COVERAGE`]).
    pub fn nothing_but_faint_marks(&self) -> bool {
        self.dark_ink_coverage < FAINT_MAX_COVERAGE
            && self.dark_ink_components < FAINT_MAX_COMPONENTS
    }

    /// Takes the page for a blank back after OCR read nothing on it: the quality
    /// flags of content (contrast, blur, cut text) no longer apply.
    pub fn mark_blank_by_ocr(&mut self) {
        self.blank = true;
        self.blank_source = BlankSource::Ocr;
        self.flags.retain(|f| f.code == "low_dpi");
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

/// Resolution at which sharpness is judged: the same blur spans the same number of
/// pixels whatever the scan's resolution (a 200 dpi page analysed at 200 dpi
/// looked sharper than the same page at 300 dpi, analysed at 150).
const SHARPNESS_DPI: f32 = 150.0;

/// Sharpness: the 90th percentile of edge strength over the ink-paper contrast,
/// at [`SHARPNESS_DPI`].
fn sharpness(a: &Analysed) -> f32 {
    // Only ever shrunk: a page scanned below it is judged as it is.
    if a.dpi as f32 <= SHARPNESS_DPI + 10.0 {
        return sharpness_of(&a.gray, &a.bed, a.paper, a.ink);
    }
    let k = SHARPNESS_DPI / a.dpi as f32;
    let (w, h) = (
        ((a.width() as f32 * k).round() as u32).max(3),
        ((a.height() as f32 * k).round() as u32).max(3),
    );
    let gray = area_resize(&a.gray, w, h);
    let (aw, ah) = (a.width() as f32, a.height() as f32);
    let bed: Vec<bool> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let sx = ((x as f32 + 0.5) / w as f32 * aw) as usize;
            let sy = ((y as f32 + 0.5) / h as f32 * ah) as usize;
            a.bed[sy.min(a.height() as usize - 1) * a.width() as usize
                + sx.min(a.width() as usize - 1)]
        })
        .collect();
    sharpness_of(&gray, &bed, a.paper, a.ink)
}

/// Shrinks by area averaging (each output pixel the mean of the input area it
/// covers, partial pixels weighed): a filter that adds no blur of its own, as a
/// scanner at the lower resolution would see the page.
fn area_resize(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    // Per output index, the input indices it covers with their weights.
    fn spans(from: u32, to: u32) -> Vec<Vec<(usize, f32)>> {
        let k = from as f32 / to as f32;
        (0..to)
            .map(|o| {
                let (a, b) = (o as f32 * k, (o as f32 + 1.0) * k);
                (a.floor() as usize..(b.ceil() as usize).min(from as usize))
                    .map(|i| (i, (b.min(i as f32 + 1.0) - a.max(i as f32)) / k))
                    .filter(|(_, w)| *w > 0.0)
                    .collect()
            })
            .collect()
    }
    let (xs, ys) = (spans(img.width(), w), spans(img.height(), h));
    let sw = img.width() as usize;
    let px = img.as_raw();
    // Rows first, then columns.
    let mut rows = vec![0f32; w as usize * img.height() as usize];
    for y in 0..img.height() as usize {
        for (ox, span) in xs.iter().enumerate() {
            rows[y * w as usize + ox] =
                span.iter().map(|&(i, wt)| px[y * sw + i] as f32 * wt).sum();
        }
    }
    let mut out = vec![0u8; (w * h) as usize];
    for (oy, span) in ys.iter().enumerate() {
        for ox in 0..w as usize {
            let v: f32 = span
                .iter()
                .map(|&(i, wt)| rows[i * w as usize + ox] * wt)
                .sum();
            out[oy * w as usize + ox] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("sizes agree")
}

fn sharpness_of(gray: &GrayImage, bed: &[bool], paper: u8, ink: u8) -> f32 {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let px = gray.as_raw();
    let contrast = (paper as f32 - ink as f32).max(1.0);
    // Edge strength is max(|dx|, |dy|) / 2 with whole-number differences: a
    // histogram of the differences gives the percentile exactly.
    let mut hist = [0usize; 256];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            if bed[i] {
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

/// The ink of a page's text area as blank-back detection counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InkCount {
    /// Share of the text area covered by the counted components.
    pub coverage: f32,
    pub components: usize,
    /// Filled discs near an edge left out as binder punch holes.
    pub punch_holes: usize,
}

/// Ink in the text area of the analysis image, darker than `threshold`: the
/// components that are neither dust (smaller than about 0.3 mm²) nor binder punch
/// holes (see [`is_punch_hole`]). The outer margins, where edge dirt lives, are
/// left out.
fn ink_in_text_area(a: &Analysed, threshold: u8) -> InkCount {
    count_text_area_ink(a, &page_components(a, threshold))
}

/// Ink components over the whole page: a hole straddling the margin is seen
/// whole, and each is counted by where its centre lies.
fn page_components(a: &Analysed, threshold: u8) -> Vec<analysis::Component> {
    ink_components(a, (0, 0, a.width(), a.height()), threshold)
}

/// [`ink_in_text_area`] of components already found on the page.
fn count_text_area_ink(a: &Analysed, components: &[analysis::Component]) -> InkCount {
    let (w, h) = (a.width(), a.height());
    let (mx, my) = (w * 8 / 100, h * 5 / 100);
    let region = (mx, my, w - mx, h - my);
    let min_size = a.dust_size();
    let mut count = InkCount::default();
    let mut inked = 0;
    for c in components {
        let (cx, cy) = (
            (c.bbox.0 + c.bbox.2) as u32 / 2,
            (c.bbox.1 + c.bbox.3) as u32 / 2,
        );
        if c.size < min_size || cx < region.0 || cx >= region.2 || cy < region.1 || cy >= region.3 {
            continue;
        }
        if is_punch_hole(c, a) {
            count.punch_holes += 1;
            continue;
        }
        inked += c.size;
        count.components += 1;
    }
    let area = ((region.2 - region.0) * (region.3 - region.1)).max(1) as f32;
    count.coverage = inked as f32 / area;
    count
}

/// A binder punch hole: a filled, round patch 3–10 mm across (holes are 5–8 mm,
/// seen dark through the hole or as a shadow) lying within a fifth of the page
/// from an edge. Text never makes a filled disc that size; a seal is a ring.
fn is_punch_hole(c: &analysis::Component, a: &Analysed) -> bool {
    let mm = a.dpi as f32 / 25.4;
    let (cw, ch) = (c.width() as f32, c.height() as f32);
    let round = (0.75..=1.33).contains(&(cw / ch.max(1.0)));
    let sized = (3.0 * mm..=10.0 * mm).contains(&cw.max(ch));
    let filled = c.fill() >= 0.6;
    let (w, h) = (a.width() as f32, a.height() as f32);
    let cx = (c.bbox.0 + c.bbox.2) as f32 / 2.0;
    let cy = (c.bbox.1 + c.bbox.3) as f32 / 2.0;
    let near_edge = cx < w * 0.2 || cx > w * 0.8 || cy < h * 0.2 || cy > h * 0.8;
    round && sized && filled && near_edge
}

/// A threshold that only printed or written ink passes, whatever the page's own
/// ink level: on a blank back the darkest marks are the show-through of the front
/// side, and the page's ink level (and so [`Analysed::ink_threshold`]) sinks to
/// theirs. Show-through is seen through the paper and never gets this dark.
fn dark_ink_threshold(a: &Analysed) -> u8 {
    a.ink_threshold().min((a.paper as f32 * 0.55).round() as u8)
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
    /// Do the text lines clearly run down the page? Then the page lies on its
    /// side and the OCR engine's orientation detection decides between 90 and 270.
    pub fn lies_sideways(&self) -> bool {
        self.first
            .is_some_and(|s| s.axis_ratio < SIDEWAYS_AXIS_RATIO)
    }

    /// The page in gray at analysis resolution with its scanner bed painted
    /// paper-white: what orientation detection should look at.
    pub fn clean_gray(&self) -> GrayImage {
        let a = &self.analysed;
        let mut clean = a.gray.clone();
        for (p, bed) in clean.iter_mut().zip(&a.bed) {
            if *bed {
                *p = a.paper;
            }
        }
        clean
    }

    /// The resolution [`PageAnalysis::clean_gray`] is at.
    pub fn analysis_dpi(&self) -> u32 {
        self.analysed.dpi
    }

    /// Is the page a blank back? (Orientation does not matter for this.) Only
    /// the sure cases: a page with faint marks is read first, see
    /// [`ImagingRecord::nothing_but_faint_marks`].
    pub fn is_blank(&self) -> bool {
        looks_blank(ink_in_text_area(
            &self.analysed,
            self.analysed.ink_threshold(),
        ))
    }

    /// Makes the working image turned by `rotation` (clockwise) and records every
    /// decision; the clerk's overrides win.
    pub fn render(&self, turn: Turn, overrides: &Overrides) -> (WorkingImage, ImagingRecord) {
        let (rotation, rotation_source, osd_confidence) = match overrides.rotation {
            Some(r) => (r % 360, RotationSource::Override, None),
            None => (turn.degrees % 360, turn.source, turn.confidence),
        };
        let a0 = &self.analysed;
        let mut rec = ImagingRecord {
            version: IMAGING_VERSION.into(),
            rotation,
            rotation_source,
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
        // One pass over the page's ink serves the blank count and the cut strokes.
        let components = page_components(&a, a.ink_threshold());
        let ink = count_text_area_ink(&a, &components);
        rec.ink_coverage = ink.coverage;
        rec.ink_components = ink.components;
        rec.punch_holes = ink.punch_holes;
        let dark = ink_in_text_area(&a, dark_ink_threshold(&a));
        rec.dark_ink_coverage = dark.coverage;
        rec.dark_ink_components = dark.components;
        rec.blank = overrides.blank.unwrap_or(looks_blank(ink));
        rec.blank_source = match overrides.blank {
            Some(_) => BlankSource::Override,
            None if rec.blank => BlankSource::Ink,
            None => BlankSource::None,
        };
        rec.sharpness = sharpness(&a);
        // A 2 mm band along the scan window: printed text keeps a wider margin.
        let band = (a0.dpi as f32 * 2.0 / 25.4).round().max(2.0) as usize;
        rec.edge_ink = a0.edge_ink(band);
        let cut = a.cut_strokes(band, &components);
        rec.cut_strokes = cut.components;
        rec.cut_spread_mm = cut.spread_mm;
        rec.cut_runs = cut.runs;
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

fn looks_blank(ink: InkCount) -> bool {
    ink.coverage < BLANK_MAX_COVERAGE && ink.components < BLANK_MAX_COMPONENTS
}

/// A page with no more dark ink than this (a hair on the glass, a few specks, the
/// darkest cores of a strong show-through) on which OCR reads nothing is a blank
/// back too. The sparsest content page has dozens of dark components and text.
pub const FAINT_MAX_COVERAGE: f32 = 0.002;
pub const FAINT_MAX_COMPONENTS: usize = 12;
/// Characters OCR may read on such a page (a stray mark read as 一 or 丨).
pub const FAINT_MAX_CHARS: usize = 2;

/// DA/T 31 §9–10 quality flags with their limits.
pub mod limits {
    /// Resolution below which OCR suffers (warn); below 200 the scan fails.
    pub const WARN_DPI: f32 = 300.0;
    /// Paper darker than this is a too-dark scan.
    pub const TOO_DARK_PAPER: f32 = 175.0;
    /// Paper–ink difference below this is low contrast.
    pub const LOW_CONTRAST: f32 = 100.0;
    /// Edge sharpness (at 150 dpi) below this is blurred: on the sample scans
    /// sharp pages measured 0.381 and up, pages out of focus 0.366 and below.
    pub const BLURRED: f32 = 0.375;
    /// Residual skew above this (degrees) is flagged.
    pub const SKEW_RESIDUAL: f32 = 1.0;
    /// Ink pixels in the 2 mm band along the scan window from which a cut stroke
    /// asks for a look (`edge_ink`, a warning); dust stays below it.
    pub const CUT_CONTENT_PIXELS: f32 = 120.0;
    /// Stroke-like components cut by one side of the window, in two separate
    /// stretches of it (two lines of text) or spread along this many millimetres
    /// (a line cut lengthwise), from which text is taken to run off the scan
    /// (`cut_content`); fewer (one character's strokes) only ask for a look.
    pub const CUT_STROKES: usize = 3;
    pub const CUT_SPREAD_MM: f32 = 8.0;
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
    // Text running off the window: several strokes cut along one side. One or two
    // (a cut signature stroke, a stamp's tip, a mark) only ask for a look.
    if rec.cut_strokes >= limits::CUT_STROKES
        && (rec.cut_runs >= 2 || rec.cut_spread_mm >= limits::CUT_SPREAD_MM)
    {
        flag(
            "cut_content",
            rec.cut_strokes as f32,
            limits::CUT_STROKES as f32,
        );
    } else if rec.cut_strokes > 0 && rec.edge_ink as f32 >= limits::CUT_CONTENT_PIXELS {
        flag(
            "edge_ink",
            rec.cut_strokes as f32,
            limits::CUT_STROKES as f32,
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

#[cfg(test)]
mod blank_back_tests {
    use super::*;
    use crate::capture::sample::{self, RenderOptions};

    fn front(dpi: u32) -> RgbImage {
        let (font, index) = crate::fonts::cjk_font_bytes().unwrap();
        let vol = sample::sample_volume();
        let opts = RenderOptions {
            dpi,
            skew_deg: 4.5,
            noise: 0.0,
            seed: 2,
        };
        sample::render_page(&vol.pages[1], &font, index, opts).unwrap()
    }

    /// A back side at 200 dpi with a strong show-through (the front mirrored,
    /// blurred, at a third of its contrast), two punch holes a tenth of the
    /// width from the right edge, dark scanner-bed wedges on two edges.
    fn hard_back() -> RgbImage {
        let dpi = 200;
        let f = image::imageops::blur(&front(dpi), 2.5);
        let (w, h) = f.dimensions();
        let mut back = RgbImage::from_fn(w, h, |x, y| {
            let through = f.get_pixel(w - 1 - x, y).0[0] as f32;
            let v = 236.0 - (236.0 - through) * 0.33;
            Rgb([v as u8, v as u8, (v - 3.0) as u8])
        });
        let r = (dpi as f32 * 6.0 / 25.4 / 2.0) as i32;
        for cy in [h / 3, 2 * h / 3] {
            imageproc::drawing::draw_filled_circle_mut(
                &mut back,
                ((w as f32 * 0.9) as i32, cy as i32),
                r,
                Rgb([20, 20, 20]),
            );
        }
        for y in 0..h {
            for x in 0..(30.0 * (1.0 - y as f32 / h as f32)) as u32 {
                back.put_pixel(x, y, Rgb([15, 15, 15]));
            }
        }
        for y in h - 22..h {
            for x in 0..w {
                back.put_pixel(x, y, Rgb([18, 18, 18]));
            }
        }
        back
    }

    #[test]
    fn a_hard_blank_back_is_blank_or_left_to_ocr_as_faint() {
        let page = analyse(DynamicImage::ImageRgb8(hard_back()), 200);
        let (_, rec) = page.render(Turn::AS_SCANNED, &Overrides::default());
        assert_eq!(rec.punch_holes, 2, "{rec:?}");
        assert!(rec.blank || rec.nothing_but_faint_marks(), "{rec:?}");
        // The front itself has dark ink: never taken for faint marks.
        let page = analyse(DynamicImage::ImageRgb8(front(200)), 200);
        let (_, rec) = page.render(Turn::AS_SCANNED, &Overrides::default());
        assert!(!rec.blank && !rec.nothing_but_faint_marks(), "{rec:?}");
    }

    #[test]
    fn marking_blank_after_ocr_keeps_only_the_resolution_flag() {
        let mut rec = ImagingRecord {
            flags: vec![
                Flag {
                    code: "low_dpi".into(),
                    value: 200.0,
                    limit: 300.0,
                },
                Flag {
                    code: "blurred".into(),
                    value: 0.2,
                    limit: 0.375,
                },
            ],
            ..Default::default()
        };
        rec.mark_blank_by_ocr();
        assert!(rec.blank);
        assert_eq!(
            (rec.blank_source, rec.flag_codes()),
            (BlankSource::Ocr, vec!["low_dpi".to_string()])
        );
    }
}
