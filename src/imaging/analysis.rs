//! Measurements on a page, made on a grey copy at about 150 dpi: paper and ink
//! levels, the scanner bed (dark wedges at the edges), ink components.

use image::GrayImage;

/// Side of the cells in which ink density is judged (analysis pixels).
const CELL: usize = 16;

/// Resolution the analyses work at: enough for 0.05° of skew on A4, cheap to scan.
pub const ANALYSIS_DPI: u32 = 150;

/// A grey page at analysis resolution, with the scanner bed masked.
#[derive(Clone)]
pub struct Analysed {
    pub gray: GrayImage,
    /// Scale from analysis pixels to the input's pixels.
    pub scale: f32,
    pub dpi: u32,
    /// `true` where the pixel is scanner bed (outside the paper).
    pub bed: Vec<bool>,
    /// Paper brightness (a high percentile of the page).
    pub paper: u8,
    /// Ink level (a low percentile of the page's dark pixels).
    pub ink: u8,
}

/// Shrinks by a whole factor, averaging each `k × k` block (fast, and exact for
/// the common 300 → 150 dpi).
pub fn shrink(img: &GrayImage, k: u32) -> GrayImage {
    if k <= 1 {
        return img.clone();
    }
    let (w, h) = ((img.width() / k).max(1), (img.height() / k).max(1));
    let src = img.as_raw();
    let sw = img.width() as usize;
    let mut out = vec![0u8; (w * h) as usize];
    let mut acc = vec![0u32; w as usize];
    let k = k as usize;
    for oy in 0..h as usize {
        acc.iter_mut().for_each(|a| *a = 0);
        for y in oy * k..(oy * k + k).min(img.height() as usize) {
            let row = &src[y * sw..y * sw + sw];
            for (ox, a) in acc.iter_mut().enumerate() {
                *a += row[ox * k..ox * k + k]
                    .iter()
                    .map(|&v| v as u32)
                    .sum::<u32>();
            }
        }
        let n = (k * k) as u32;
        for (ox, a) in acc.iter().enumerate() {
            out[oy * w as usize + ox] = (a / n) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("sizes agree")
}

/// Grey and shrunk from an RGB page, a band of `k` rows at a time (no full-size
/// grey copy): the band's bytes are summed per column, then each block's colour
/// sums are weighed into luma once.
pub fn shrink_rgb(img: &image::RgbImage, k: u32) -> GrayImage {
    let k = k.clamp(1, 16) as usize; // 16 × 255 still fits the u16 column sums
    let (sw, sh) = (img.width() as usize, img.height() as usize);
    let (w, h) = ((sw / k).max(1), (sh / k).max(1));
    let stride = sw * 3;
    let mut out = vec![0u8; w * h];
    let mut sums = vec![0u16; stride];
    for (oy, out_row) in out.chunks_exact_mut(w).enumerate() {
        sums.iter_mut().for_each(|s| *s = 0);
        for y in oy * k..(oy * k + k).min(sh) {
            for (s, &v) in sums
                .iter_mut()
                .zip(&img.as_raw()[y * stride..(y + 1) * stride])
            {
                *s += v as u16;
            }
        }
        let n = (k * k) as u32;
        for (o, block) in out_row.iter_mut().zip(sums.chunks_exact(3 * k)) {
            let (mut r, mut g, mut b) = (0u32, 0u32, 0u32);
            for p in block.chunks_exact(3) {
                (r, g, b) = (r + p[0] as u32, g + p[1] as u32, b + p[2] as u32);
            }
            // ITU-R BT.601 luma in 8-bit weights (the analyses need no more).
            *o = ((r * 77 + g * 150 + b * 29) / (256 * n)) as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("sizes agree")
}

/// A whole shrink factor close to the analysis resolution.
fn shrink_factor(dpi: u32) -> u32 {
    ((dpi as f32 / ANALYSIS_DPI as f32).round() as u32).max(1)
}

impl Analysed {
    /// Analyses a decoded page of any colour type.
    pub fn from_image(img: &image::DynamicImage, dpi: u32) -> Self {
        match img {
            image::DynamicImage::ImageRgb8(rgb) => {
                let gray = shrink_rgb(rgb, shrink_factor(dpi));
                Self::from_shrunk(gray, img.width(), dpi)
            }
            image::DynamicImage::ImageLuma8(g) => Self::new(g, dpi),
            other => Self::new(&super::convert::to_gray(other), dpi),
        }
    }

    pub fn new(full: &GrayImage, dpi: u32) -> Self {
        Self::from_shrunk(shrink(full, shrink_factor(dpi)), full.width(), dpi)
    }

    fn from_shrunk(gray: GrayImage, full_width: u32, dpi: u32) -> Self {
        let scale = full_width as f32 / gray.width() as f32;
        let bed = find_bed(&gray);
        let (paper, ink) = levels(&gray, &bed);
        Analysed {
            gray,
            scale,
            dpi: (dpi as f32 / scale).round().max(1.0) as u32,
            bed,
            paper,
            ink,
        }
    }

    pub fn width(&self) -> u32 {
        self.gray.width()
    }
    pub fn height(&self) -> u32 {
        self.gray.height()
    }

    /// Ink threshold: darker than this is ink. Show-through and dust on a blank back
    /// are darker than paper too, so ink must also be clearly darker than paper.
    pub fn ink_threshold(&self) -> u8 {
        let (p, i) = (self.paper as f32, self.ink as f32);
        (i + 0.45 * (p - i)).min(p - 50.0).round().clamp(1.0, 254.0) as u8
    }

    /// Components smaller than this (pixels) are dust: ten pixels at 150 dpi,
    /// as much paper at the analysis's own resolution.
    pub fn dust_size(&self) -> usize {
        ((self.dpi as f32 / 150.0).powi(2) * 10.0).round() as usize
    }

    /// Share of the page covered by scanner bed.
    pub fn bed_fraction(&self) -> f32 {
        self.bed.iter().filter(|b| **b).count() as f32 / self.bed.len().max(1) as f32
    }

    /// Coordinates of ink pixels, at most `max` of them, evenly sampled. Pixels near
    /// the bed or the image frame are left out: the scan window's straight edges
    /// would pull the skew towards 0°.
    pub fn ink_points(&self, max: usize) -> Vec<(f32, f32)> {
        let t = self.ink_threshold();
        let (w, h) = (self.width() as usize, self.height() as usize);
        let frame = (w.min(h) / 60).max(2);
        let near_bed = self.bed_neighbourhood(3);
        let solid = self.solid_cells(t);
        let cells_per_row = w.div_ceil(CELL);
        let px = self.gray.as_raw();
        // One pass over the rows inside the frame; the sample is taken afterwards.
        let mut usable: Vec<(u32, u32)> = Vec::new();
        for y in frame..h.saturating_sub(frame) {
            let row = y * w;
            let solid_row = &solid[(y / CELL) * cells_per_row..];
            for x in frame..w.saturating_sub(frame) {
                if px[row + x] < t && !near_bed[row + x] && !solid_row[x / CELL] {
                    usable.push((x as u32, y as u32));
                }
            }
        }
        let step = usable.len().div_ceil(max.max(1)).max(1);
        usable
            .iter()
            .step_by(step)
            .map(|&(x, y)| (x as f32, y as f32))
            .collect()
    }

    /// Cells of `CELL × CELL` pixels mostly covered by ink: photos, solid blocks.
    /// Text never covers that much of a cell, so these carry no line direction.
    fn solid_cells(&self, t: u8) -> Vec<bool> {
        let (w, h) = (self.width() as usize, self.height() as usize);
        let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
        let mut count = vec![0u32; cw * ch];
        for (y, row) in self.gray.as_raw().chunks_exact(w).enumerate() {
            let cells = &mut count[(y / CELL) * cw..];
            for (x, g) in row.iter().enumerate() {
                cells[x / CELL] += (*g < t) as u32;
            }
        }
        count
            .iter()
            .map(|&n| n as usize * 100 > CELL * CELL * 45)
            .collect()
    }

    /// Ink pixels in the outermost `band` pixels of the scan window (the bed and
    /// its surroundings excluded): text or lines running off the scanned area.
    pub fn edge_ink(&self, band: usize) -> usize {
        let (w, h) = (self.width() as usize, self.height() as usize);
        let t = self.ink_threshold();
        let near_bed = self.bed_neighbourhood(3);
        let px = self.gray.as_raw();
        let ink = |i: usize| px[i] < t && !near_bed[i];
        let band_x = band.min(w);
        let mut n = 0;
        for y in 0..h {
            let row = y * w;
            if y < band || y + band >= h {
                n += (row..row + w).filter(|&i| ink(i)).count();
            } else {
                // Only the two side strips of this row (they may meet on a narrow page).
                let right = w.saturating_sub(band).max(band_x);
                n += (row..row + band_x).filter(|&i| ink(i)).count();
                n += (row + right..row + w).filter(|&i| ink(i)).count();
            }
        }
        n
    }

    /// Text cut by the scan window: per side, the ink components that reach into
    /// the outermost `band` pixels and look like strokes (not a filled blob such as
    /// a cut punch hole, not a long shadow or ruling line along the edge, not dust),
    /// and how far along that side they spread. Returns the worst side.
    /// `components` are the page's, at [`Analysed::ink_threshold`].
    pub fn cut_strokes(&self, band: usize, components: &[Component]) -> EdgeStrokes {
        let (w, h) = (self.width() as usize, self.height() as usize);
        let mm = self.dpi as f32 / 25.4;
        let min_size = self.dust_size();
        let near_bed = self.bed_neighbourhood(3);
        let mut sides: [Vec<(usize, usize)>; 4] = Default::default();
        for c in components {
            let (x0, y0, x1, y1) = c.bbox;
            let stroke_like = c.size >= min_size
                && c.fill() < 0.6
                && (c.width().max(c.height()) as f32) < 25.0 * mm;
            if !stroke_like {
                continue;
            }
            // Components that only touch the window where the bed is are the bed's.
            let centre = ((y0 + y1) / 2) * w + (x0 + x1) / 2;
            if near_bed[centre.min(w * h - 1)] {
                continue;
            }
            if x0 < band {
                sides[0].push((y0, y1));
            }
            if x1 + band > w {
                sides[1].push((y0, y1));
            }
            if y0 < band {
                sides[2].push((x0, x1));
            }
            if y1 + band > h {
                sides[3].push((x0, x1));
            }
        }
        sides
            .iter_mut()
            .map(|spans| {
                spans.sort_unstable();
                let (mut covered, mut end, mut runs) = (0, 0, 0);
                for &(a, b) in spans.iter() {
                    if runs == 0 || a > end {
                        runs += 1;
                    }
                    let a = a.max(end);
                    if b > a {
                        covered += b - a;
                        end = b;
                    }
                }
                EdgeStrokes {
                    components: spans.len(),
                    spread_mm: covered as f32 / mm,
                    runs,
                }
            })
            .max_by(|a, b| {
                (a.components, a.spread_mm)
                    .partial_cmp(&(b.components, b.spread_mm))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or_default()
    }

    /// The bed grown by `r` pixels (a square neighbourhood).
    fn bed_neighbourhood(&self, r: usize) -> Vec<bool> {
        let (w, h) = (self.width() as usize, self.height() as usize);
        if !self.bed.iter().any(|b| *b) {
            return self.bed.clone();
        }
        // Separable dilation: rows, then columns.
        let mut rows = vec![false; w * h];
        for y in 0..h {
            let mut last: Option<usize> = None;
            for x in 0..w {
                if self.bed[y * w + x] {
                    last = Some(x);
                }
                if last.is_some_and(|l| x - l <= r) {
                    rows[y * w + x] = true;
                }
            }
            let mut next: Option<usize> = None;
            for x in (0..w).rev() {
                if self.bed[y * w + x] {
                    next = Some(x);
                }
                if next.is_some_and(|n| n - x <= r) {
                    rows[y * w + x] = true;
                }
            }
        }
        // Columns, a whole row at a time: out row y is the OR of rows y-r..=y+r.
        let mut out = vec![false; w * h];
        for (y, out_row) in out.chunks_exact_mut(w).enumerate() {
            for near in y.saturating_sub(r)..(y + r + 1).min(h) {
                for (o, b) in out_row.iter_mut().zip(&rows[near * w..(near + 1) * w]) {
                    *o |= *b;
                }
            }
        }
        out
    }
}

/// Percentile of a histogram.
fn percentile(hist: &[u64; 256], total: u64, q: f64) -> u8 {
    let target = (total as f64 * q).ceil() as u64;
    let mut acc = 0;
    for (v, n) in hist.iter().enumerate() {
        acc += n;
        if acc >= target.max(1) {
            return v as u8;
        }
    }
    255
}

/// Paper and ink levels of the page outside the bed.
fn levels(gray: &GrayImage, bed: &[bool]) -> (u8, u8) {
    let mut hist = [0u64; 256];
    let mut total = 0;
    for (g, b) in gray.as_raw().iter().zip(bed) {
        if !b {
            hist[*g as usize] += 1;
            total += 1;
        }
    }
    if total == 0 {
        return (255, 0);
    }
    let paper = percentile(&hist, total, 0.80);
    // Ink: the dark end of the pixels clearly darker than paper (strokes, not their
    // blurred edges); a sparse page has few of them but they are just as dark.
    let cut = paper.saturating_sub(40) as usize;
    let dark: u64 = hist[..cut].iter().sum();
    let ink = if dark >= 200 {
        let mut part = [0u64; 256];
        part[..cut].copy_from_slice(&hist[..cut]);
        percentile(&part, dark, 0.10)
    } else {
        paper.saturating_sub(1)
    };
    (paper, ink.min(paper.saturating_sub(1)))
}

/// An image edge: its length, the depth into the page, and the pixel index of
/// (position along the edge, depth).
type Edge<'a> = (usize, usize, &'a dyn Fn(usize, usize) -> usize);

/// The scanner bed: dark runs reaching in from an image edge, kept where they
/// continue along that edge for a good stretch (a wedge, a band, an L around a
/// corner) — not the brief runs of a text stroke or table line running off the page.
fn find_bed(gray: &GrayImage) -> Vec<bool> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let px = gray.as_raw();
    let mut hist = [0u64; 256];
    for g in px {
        hist[*g as usize] += 1;
    }
    let bright = percentile(&hist, px.len() as u64, 0.80) as f32;
    let dark_t = (bright * 0.5) as u8;
    let mut bed = vec![false; w * h];
    // (length along the edge, depth into the page, pixel index of (along, depth))
    let edges: [Edge<'_>; 4] = [
        (h, w, &|i, d| i * w + d),           // left
        (h, w, &|i, d| i * w + (w - 1 - d)), // right
        (w, h, &|i, d| d * w + i),           // top
        (w, h, &|i, d| (h - 1 - d) * w + i), // bottom
    ];
    for (len, depth, at) in edges {
        let runs: Vec<usize> = (0..len)
            .map(|i| {
                (0..depth / 3)
                    .take_while(|&d| px[at(i, d)] <= dark_t)
                    .count()
            })
            .collect();
        let min_stretch = (len * 3 / 100).max(12);
        let mut i = 0;
        while i < len {
            if runs[i] == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i < len && runs[i] > 0 {
                i += 1;
            }
            if i - start >= min_stretch {
                for j in start..i {
                    for d in 0..runs[j] {
                        bed[at(j, d)] = true;
                    }
                }
            }
        }
    }
    // Grow by one pixel: the blurred transition between bed and paper is bed too.
    let mut grown = bed.clone();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if bed[i] {
                if x > 0 {
                    grown[i - 1] = true;
                }
                if x + 1 < w {
                    grown[i + 1] = true;
                }
                if y > 0 {
                    grown[i - w] = true;
                }
                if y + 1 < h {
                    grown[i + w] = true;
                }
            }
        }
    }
    grown
}

/// Strokes cut by one side of the scan window (see [`Analysed::cut_strokes`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EdgeStrokes {
    pub components: usize,
    /// Length of that side they cover, in millimetres.
    pub spread_mm: f32,
    /// Separate stretches of the side they cover.
    pub runs: usize,
}

/// A connected patch of ink: its pixel count and bounding box (x0, y0, x1, y1),
/// exclusive ends, in analysis pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    pub size: usize,
    pub bbox: (usize, usize, usize, usize),
}

impl Component {
    pub fn width(&self) -> usize {
        self.bbox.2 - self.bbox.0
    }
    pub fn height(&self) -> usize {
        self.bbox.3 - self.bbox.1
    }
    /// Share of the bounding box the ink fills (a filled disc: π/4).
    pub fn fill(&self) -> f32 {
        self.size as f32 / (self.width() * self.height()).max(1) as f32
    }
}

/// Connected ink components (8-connected) inside `region` (x0, y0, x1, y1), bed
/// excluded: pixels darker than `threshold`.
pub fn ink_components(a: &Analysed, region: (u32, u32, u32, u32), threshold: u8) -> Vec<Component> {
    let (w, t) = (a.width() as usize, threshold);
    let (x0, y0, x1, y1) = (
        region.0 as usize,
        region.1 as usize,
        region.2 as usize,
        region.3 as usize,
    );
    let px = a.gray.as_raw();
    let is_ink = |x: usize, y: usize| px[y * w + x] < t && !a.bed[y * w + x];
    let mut seen = vec![false; w * a.height() as usize];
    let mut found = Vec::new();
    let mut stack = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            if seen[y * w + x] || !is_ink(x, y) {
                continue;
            }
            let mut c = Component {
                size: 0,
                bbox: (x, y, x + 1, y + 1),
            };
            seen[y * w + x] = true;
            stack.push((x, y));
            while let Some((cx, cy)) = stack.pop() {
                c.size += 1;
                c.bbox = (
                    c.bbox.0.min(cx),
                    c.bbox.1.min(cy),
                    c.bbox.2.max(cx + 1),
                    c.bbox.3.max(cy + 1),
                );
                for dy in -1i64..=1 {
                    for dx in -1i64..=1 {
                        let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                        if nx < x0 as i64 || ny < y0 as i64 || nx >= x1 as i64 || ny >= y1 as i64 {
                            continue;
                        }
                        let (nx, ny) = (nx as usize, ny as usize);
                        if !seen[ny * w + nx] && is_ink(nx, ny) {
                            seen[ny * w + nx] = true;
                            stack.push((nx, ny));
                        }
                    }
                }
            }
            found.push(c);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn bed_is_the_solid_dark_wedge_not_text_touching_the_edge() {
        // Paper with a dark wedge on the left and a thin dark stroke touching the top.
        let img = GrayImage::from_fn(300, 400, |x, y| {
            if (x as f32) < 30.0 - y as f32 * 0.07 {
                Luma([20])
            } else if x == 150 && y < 60 {
                Luma([25])
            } else {
                Luma([235])
            }
        });
        let a = Analysed::new(&img, 150);
        assert!(a.bed[10 * 300 + 5], "wedge is bed");
        assert!(!a.bed[10 * 300 + 150], "a stroke is not bed");
        assert!(!a.bed[200 * 300 + 200], "paper is not bed");
        assert_eq!(a.paper, 235);
    }
}
