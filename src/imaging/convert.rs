//! Colour conversions on whole pages, done in plain integer loops.
//!
//! `image` 0.25 converts through its colour-space machinery (floats and a
//! rounding call per channel): about 60 ms for an A4 page at 300 dpi, as much as
//! straightening it. These give the same bytes (±1 where a weighted sum lands on a
//! rounding edge) in a fraction of that.

use image::{DynamicImage, GrayImage, RgbImage};

/// Rec. 709 luma weights (those `image` uses) in 16-bit fixed point; they sum to 65536.
const LUMA_R: u32 = 13933;
const LUMA_G: u32 = 46871;
const LUMA_B: u32 = 4732;

/// Grey from RGB: `round(0.2126 R + 0.7152 G + 0.0722 B)`, as `to_luma8`.
pub fn rgb_to_gray(img: &RgbImage) -> GrayImage {
    let out = img
        .as_raw()
        .chunks_exact(3)
        .map(|p| {
            ((p[0] as u32 * LUMA_R + p[1] as u32 * LUMA_G + p[2] as u32 * LUMA_B + 32768) >> 16)
                as u8
        })
        .collect();
    GrayImage::from_raw(img.width(), img.height(), out).expect("sizes agree")
}

/// RGB from grey: each value three times.
pub fn gray_to_rgb(img: &GrayImage) -> RgbImage {
    let out = img.as_raw().iter().flat_map(|&v| [v, v, v]).collect();
    RgbImage::from_raw(img.width(), img.height(), out).expect("sizes agree")
}

/// Grey of any decoded image (the fast path for grey and RGB pages).
pub fn to_gray(img: &DynamicImage) -> GrayImage {
    match img {
        DynamicImage::ImageLuma8(g) => g.clone(),
        DynamicImage::ImageRgb8(rgb) => rgb_to_gray(rgb),
        other => other.to_luma8(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_matches_the_image_crate_within_one_level() {
        // Every combination on a coarse grid, and the extremes.
        let img = RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x * 7 + y * 13) % 256) as u8])
        });
        let ours = rgb_to_gray(&img);
        let theirs = DynamicImage::ImageRgb8(img).to_luma8();
        let worst = ours
            .as_raw()
            .iter()
            .zip(theirs.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(worst <= Some(1), "{worst:?}");
        let extremes = RgbImage::from_fn(2, 1, |x, _| image::Rgb([255 * x as u8; 3]));
        assert_eq!(rgb_to_gray(&extremes).as_raw(), &vec![0, 255]);
    }

    #[test]
    fn rgb_from_grey_repeats_the_level() {
        let g = GrayImage::from_fn(3, 2, |x, y| image::Luma([(x * 50 + y) as u8]));
        let rgb = gray_to_rgb(&g);
        assert_eq!(rgb, DynamicImage::ImageLuma8(g).to_rgb8());
    }
}
