//! Sample case-file pages that anjuan renders itself.
//!
//! The workstation opens a newcomer's first home with these pages already imported,
//! and tests use them as fixtures with known text. The content (an invented case)
//! lives in `assets/sample/volume.json`; pages are typeset with the CJK font, turned
//! by a small skew and given a little scanner noise, then saved as JPEG with their DPI.

use std::path::{Path, PathBuf};

use ab_glyph::{FontRef, PxScale};
use anyhow::{Context, Result};
use image::{DynamicImage, Rgb, RgbImage};
use imageproc::drawing::{draw_hollow_circle_mut, draw_text_mut};
use imageproc::geometric_transformations::{Border, Interpolation, rotate_about_center};
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::raster::encode_jpeg;

const SAMPLE_JSON: &str = include_str!("../../assets/sample/volume.json");

#[derive(Debug, Clone, Deserialize)]
pub struct SampleVolume {
    pub name: String,
    pub pages: Vec<SamplePageText>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SamplePageText {
    pub title: String,
    pub lines: Vec<String>,
}

impl SamplePageText {
    /// The printed text, lines joined by `\n` (what a perfect OCR would read).
    pub fn text(&self) -> String {
        std::iter::once(self.title.as_str())
            .chain(self.lines.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub fn sample_volume() -> SampleVolume {
    serde_json::from_str(SAMPLE_JSON).expect("assets/sample/volume.json is valid")
}

/// How a sample page is made.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub dpi: u32,
    /// Skew in degrees, positive = content turned counter-clockwise.
    pub skew_deg: f32,
    /// Share of pixels hit by dust specks.
    pub noise: f32,
    pub seed: u64,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            dpi: 300,
            skew_deg: 0.6,
            noise: 0.0008,
            seed: 7,
        }
    }
}

/// Typesets one A4 page.
pub fn render_page(
    page: &SamplePageText,
    font_bytes: &[u8],
    font_index: u32,
    opt: RenderOptions,
) -> Result<RgbImage> {
    let font = FontRef::try_from_slice_and_index(font_bytes, font_index)
        .context("the CJK font cannot be read")?;
    let px = |mm: f32| (mm / 25.4 * opt.dpi as f32).round() as i32;
    let (w, h) = (px(210.0) as u32, px(297.0) as u32);
    let paper = Rgb([246, 244, 236]);
    let ink = Rgb([28, 28, 32]);
    let mut img = RgbImage::from_pixel(w, h, paper);
    let title_size = px(7.5) as f32;
    let body_size = px(4.6) as f32;
    // Title centred (CJK glyphs are square: width ≈ size per character).
    let title_w = page.title.chars().count() as f32 * title_size * 1.15;
    draw_text_mut(
        &mut img,
        ink,
        ((w as f32 - title_w) / 2.0) as i32,
        px(30.0),
        PxScale::from(title_size),
        &font,
        &page.title,
    );
    let mut y = px(52.0);
    for line in &page.lines {
        draw_text_mut(
            &mut img,
            ink,
            px(25.0),
            y,
            PxScale::from(body_size),
            &font,
            line,
        );
        y += (body_size * 1.9) as i32;
    }
    if page.title.contains("决定书") {
        // A red seal over the date, as on a real decision.
        let c = (w as i32 - px(55.0), y - px(10.0));
        for r in 0..px(1.2) {
            draw_hollow_circle_mut(&mut img, c, px(20.0) - r, Rgb([205, 40, 40]));
        }
    }
    let mut rng = rand::rngs::SmallRng::seed_from_u64(opt.seed);
    let specks = (w as f32 * h as f32 * opt.noise) as u32;
    for _ in 0..specks {
        let (x, y) = (rng.random_range(0..w), rng.random_range(0..h));
        let v = rng.random_range(60..160u8);
        img.put_pixel(x, y, Rgb([v, v, v]));
    }
    if opt.skew_deg.abs() > 0.0 {
        // rotate_about_center turns clockwise for positive angles on screen.
        img = rotate_about_center(
            &img,
            -opt.skew_deg.to_radians(),
            Interpolation::Bilinear,
            Border::Constant(paper),
        );
    }
    Ok(img)
}

/// A rendered sample page ready to import.
pub struct SamplePage {
    pub file_name: String,
    pub jpeg: Vec<u8>,
    pub text: String,
}

/// Renders the whole sample volume.
pub fn render_volume(opt: RenderOptions) -> Result<Vec<SamplePage>> {
    let (font, index) = crate::fonts::cjk_font_bytes()?;
    let vol = sample_volume();
    vol.pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let o = RenderOptions {
                skew_deg: if i % 2 == 0 {
                    opt.skew_deg
                } else {
                    -opt.skew_deg * 0.7
                },
                seed: opt.seed + i as u64,
                ..opt
            };
            let img = render_page(p, &font, index, o)?;
            Ok(SamplePage {
                file_name: format!("{:04}.jpg", i + 1),
                jpeg: encode_jpeg(&DynamicImage::ImageRgb8(img), 88, opt.dpi)?,
                text: p.text(),
            })
        })
        .collect()
}

/// Writes the sample volume's pages into `dir` (a folder named after the volume).
pub fn write_volume(dir: &Path, opt: RenderOptions) -> Result<PathBuf> {
    let folder = dir.join(sample_volume().name);
    std::fs::create_dir_all(&folder)?;
    for p in render_volume(opt)? {
        crate::fsutil::write_atomic(&folder.join(&p.file_name), &p.jpeg)?;
    }
    Ok(folder)
}
