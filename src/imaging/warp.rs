//! Fast exact turns and rotations for 8-bit images.
//!
//! `imageproc`'s generic rotation costs about 150 ms on an A4 colour page at 300
//! dpi. Skew correction (a few degrees) goes through three shears instead, each a
//! 1-D interpolation whose weight is fixed for a whole row or column, which the
//! compiler turns into vector code: about half the time of the bilinear walk below
//! (41–51 against 82–98 ms on an A4 colour page), which stays for larger angles.
//! Imaging must stay a small part of the OCR time.

use image::{ImageBuffer, Pixel};

/// Calls `f::<P, CH>(args…)` with the pixel type's channel count as the constant
/// `CH`, so that the per-pixel loops are compiled for 1, 3 and 4 channels.
macro_rules! by_channel_count {
    ($p:ty, $f:ident($($arg:expr),*)) => {
        match <$p as Pixel>::CHANNEL_COUNT {
            1 => $f::<$p, 1>($($arg),*),
            3 => $f::<$p, 3>($($arg),*),
            4 => $f::<$p, 4>($($arg),*),
            n => unimplemented!("{n}-channel images"),
        }
    };
}

/// Angles up to this (degrees) are turned by shears; beyond, the shears grow long
/// and the bilinear walk is used.
pub const SHEAR_MAX_DEG: f32 = 8.0;

/// Rotates clockwise by `deg` (on screen, y down) about the centre, with uncovered
/// pixels set to `fill`. Same size as the input.
pub fn rotate<P>(img: &ImageBuffer<P, Vec<u8>>, deg: f32, fill: P) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    if deg.abs() <= SHEAR_MAX_DEG {
        by_channel_count!(P, shear_rotate_n(img, deg, fill))
    } else {
        rotate_bilinear(img, deg, fill)
    }
}

/// Rotates like [`rotate`], by one bilinear sample per pixel, at any angle.
pub fn rotate_bilinear<P>(
    img: &ImageBuffer<P, Vec<u8>>,
    deg: f32,
    fill: P,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    by_channel_count!(P, rotate_n(img, deg, fill))
}

/// Rotation as three shears (Paeth): the source of an output offset `d` from the
/// centre is `A·B·A·d` with `A = [[1, tan(θ/2)], [0, 1]]` (rows slide sideways)
/// and `B = [[1, 0], [-sin θ, 1]]` (columns slide up or down).
fn shear_rotate_n<P, const CH: usize>(
    img: &ImageBuffer<P, Vec<u8>>,
    deg: f32,
    fill: P,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = (img.width() as usize, img.height() as usize);
    let fill: [u8; CH] = fill.channels().try_into().expect("channel count");
    let theta = (deg as f64).to_radians();
    let (along, across) = ((theta / 2.0).tan(), -theta.sin());
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    let rows = |src: &[u8], out: &mut [u8]| {
        shear_rows::<CH>(src, out, w, |y| along * (y as f64 - cy), fill)
    };
    let mut once = vec![0u8; img.as_raw().len()];
    rows(img.as_raw(), &mut once);
    let twice = shear_columns::<CH>(&once, w, h, |x| across * (x as f64 - cx), fill);
    rows(&twice, &mut once);
    ImageBuffer::from_raw(w as u32, h as u32, once).expect("sizes agree")
}

/// Where a shear samples: the source is `i + shift`; `whole` and the weight of
/// the next pixel in 1/256.
fn split_shift(shift: f64) -> (isize, u16) {
    let whole = shift.floor();
    let weight = ((shift - whole) * 256.0).round() as u16;
    if weight == 256 {
        (whole as isize + 1, 0)
    } else {
        (whole as isize, weight)
    }
}

/// Linear blend of two pixels' bytes with the weight of `next` in 1/256.
#[inline(always)]
fn blend(here: u8, next: u8, weight: u16) -> u8 {
    ((here as u16 * (256 - weight) + next as u16 * weight + 128) >> 8) as u8
}

/// The value at source position `i + whole (+ weight/256)` along a line of `n`
/// samples spaced `step` bytes apart (from `base`): clamped within half a sample
/// of the ends, `None` beyond.
fn edge_sample(
    src: &[u8],
    base: usize,
    step: usize,
    n: usize,
    i: usize,
    (whole, weight): (isize, u16),
) -> Option<u8> {
    let pos = i as isize + whole;
    let exact = pos as f64 + weight as f64 / 256.0;
    if exact < -0.5 || exact > n as f64 - 0.5 {
        return None;
    }
    let here = pos.clamp(0, n as isize - 1) as usize;
    let next = (pos + 1).clamp(0, n as isize - 1) as usize;
    Some(blend(
        src[base + here * step],
        src[base + next * step],
        weight,
    ))
}

/// Each row `y` slides so that output `x` shows source `x + shift(y)`.
fn shear_rows<const CH: usize>(
    src: &[u8],
    out: &mut [u8],
    w: usize,
    shift: impl Fn(usize) -> f64,
    fill: [u8; CH],
) {
    let stride = w * CH;
    for (y, row) in out.chunks_exact_mut(stride).enumerate() {
        let (whole, weight) = split_shift(shift(y));
        let line = &src[y * stride..(y + 1) * stride];
        // Interior: both neighbours x + whole and x + whole + 1 are in the row.
        let lo = (-whole).clamp(0, w as isize) as usize;
        let hi = (w as isize - 1 - whole).clamp(lo as isize, w as isize) as usize;
        for x in (0..lo).chain(hi..w) {
            for k in 0..CH {
                row[x * CH + k] =
                    edge_sample(line, k, CH, w, x, (whole, weight)).unwrap_or(fill[k]);
            }
        }
        if lo < hi {
            let first = (lo as isize + whole) as usize * CH;
            let n = (hi - lo) * CH;
            let (here, next) = (&line[first..first + n], &line[first + CH..first + CH + n]);
            for ((o, &a), &b) in row[lo * CH..hi * CH].iter_mut().zip(here).zip(next) {
                *o = blend(a, b, weight);
            }
        }
    }
}

/// Each column `x` slides so that output `y` shows source `y + shift(x)`.
fn shear_columns<const CH: usize>(
    src: &[u8],
    w: usize,
    h: usize,
    shift: impl Fn(usize) -> f64,
    fill: [u8; CH],
) -> Vec<u8> {
    let stride = w * CH;
    let shifts: Vec<(isize, u16)> = (0..w).map(|x| split_shift(shift(x))).collect();
    // The weights per output byte, and runs of columns sharing a whole shift.
    let weights: Vec<u16> = shifts.iter().flat_map(|s| [s.1; CH]).collect();
    let mut runs: Vec<(usize, usize, isize)> = Vec::new();
    for (x, &(whole, _)) in shifts.iter().enumerate() {
        match runs.last_mut() {
            Some((_, end, w0)) if *w0 == whole => *end = x + 1,
            _ => runs.push((x, x + 1, whole)),
        }
    }
    let mut out = vec![0u8; src.len()];
    for (y, row) in out.chunks_exact_mut(stride).enumerate() {
        for &(start, end, whole) in &runs {
            let top = y as isize + whole;
            if top >= 0 && top + 1 < h as isize {
                let (a, b) = (start * CH, end * CH);
                let here = &src[top as usize * stride + a..top as usize * stride + b];
                let next = &src[(top as usize + 1) * stride + a..(top as usize + 1) * stride + b];
                let pixels = here.iter().zip(next);
                for ((o, (&p, &q)), &wt) in row[a..b].iter_mut().zip(pixels).zip(&weights[a..b]) {
                    *o = blend(p, q, wt);
                }
            } else {
                for x in start..end {
                    for k in 0..CH {
                        row[x * CH + k] = edge_sample(src, x * CH + k, stride, h, y, shifts[x])
                            .unwrap_or(fill[k]);
                    }
                }
            }
        }
    }
    out
}

/// Turns clockwise by a quarter, half or three quarters (other angles: unchanged),
/// in tiles so that both images are walked through the cache; about four times
/// faster than `image::imageops::rotate90` on an A4 colour page.
pub fn turn<P>(img: &ImageBuffer<P, Vec<u8>>, clockwise: u32) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    by_channel_count!(P, turn_n(img, clockwise))
}

fn turn_n<P, const CH: usize>(
    img: &ImageBuffer<P, Vec<u8>>,
    clockwise: u32,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let clockwise_quarter = match clockwise % 360 {
        90 => true,
        270 => false,
        180 => {
            let out = src.chunks_exact(CH).rev().flatten().copied().collect();
            return ImageBuffer::from_raw(w as u32, h as u32, out).expect("sizes agree");
        }
        _ => return img.clone(),
    };
    let (ow, oh) = (h, w);
    let mut out = vec![0u8; src.len()];
    const TILE: usize = 64;
    for ty in (0..oh).step_by(TILE) {
        for tx in (0..ow).step_by(TILE) {
            for oy in ty..(ty + TILE).min(oh) {
                for ox in tx..(tx + TILE).min(ow) {
                    // Clockwise, source (x, y) lands on (h-1-y, x); anticlockwise on (y, w-1-x).
                    let (sx, sy) = if clockwise_quarter {
                        (oy, h - 1 - ox)
                    } else {
                        (w - 1 - oy, ox)
                    };
                    let (o, i) = ((oy * ow + ox) * CH, (sy * w + sx) * CH);
                    out[o..o + CH].copy_from_slice(&src[i..i + CH]);
                }
            }
        }
    }
    ImageBuffer::from_raw(ow as u32, oh as u32, out).expect("sizes agree")
}

/// Bilinear sample at 16.16 fixed-point (qx, qy), both inside the image.
#[inline(always)]
fn sample<const CH: usize>(
    src: &[u8],
    stride: usize,
    w: usize,
    h: usize,
    qx: i64,
    qy: i64,
    px: &mut [u8],
) {
    let (x0, y0) = ((qx >> 16) as usize, (qy >> 16) as usize);
    let (fx, fy) = (((qx >> 8) & 0xFF) as u32, ((qy >> 8) & 0xFF) as u32);
    // At the last row or column the neighbour is the pixel itself.
    let dx = if x0 + 1 < w { CH } else { 0 };
    let dy = if y0 + 1 < h { stride } else { 0 };
    let i00 = y0 * stride + x0 * CH;
    for k in 0..CH {
        let (a, b) = (src[i00 + k] as u32, src[i00 + dx + k] as u32);
        let (c, d) = (src[i00 + dy + k] as u32, src[i00 + dy + dx + k] as u32);
        let top = a * (256 - fx) + b * fx;
        let bottom = c * (256 - fx) + d * fx;
        px[k] = ((top * (256 - fy) + bottom * fy + 32768) >> 16) as u8;
    }
}

fn rotate_n<P, const CH: usize>(
    img: &ImageBuffer<P, Vec<u8>>,
    deg: f32,
    fill: P,
) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = img.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    let src = img.as_raw();
    let stride = wu * CH;
    let fill: [u8; CH] = fill.channels().try_into().expect("channel count");
    let mut out = vec![0u8; src.len()];
    let (s, c) = (deg as f64).to_radians().sin_cos();
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    // Source coordinates in 16.16 fixed point; weights in 8 bits.
    const ONE: f64 = 65536.0;
    let (dxx, dyx) = ((c * ONE) as i64, (-s * ONE) as i64);
    let (xmax, ymax) = (((w as i64) - 1) << 16, ((h as i64) - 1) << 16);
    let inside =
        |sx: i64, sy: i64| sx > -32768 && sy > -32768 && sx < xmax + 32768 && sy < ymax + 32768;
    for y in 0..hu {
        let dy = y as f64 - cy;
        // Source of (x, y) is the inverse turn: sx = cx + dx c + dy s, sy = cy - dx s + dy c.
        let sx0 = ((cx - cx * c + dy * s) * ONE) as i64;
        let sy0 = ((cy + cx * s + dy * c) * ONE) as i64;
        let row = &mut out[y * stride..(y + 1) * stride];
        let at = |x: usize| (sx0 + dxx * x as i64, sy0 + dyx * x as i64);
        // The general case: near the frame (clamped neighbours) or outside it (paper).
        let edge = |x: usize, px: &mut [u8]| {
            let (sx, sy) = at(x);
            if inside(sx, sy) {
                sample::<CH>(
                    src,
                    stride,
                    wu,
                    hu,
                    sx.clamp(0, xmax),
                    sy.clamp(0, ymax),
                    px,
                );
            } else {
                px.copy_from_slice(&fill);
            }
        };
        // Pixels whose four neighbours all lie inside form one run of the row (the
        // source coordinates are linear in x): walk in from both ends with the
        // general case, then do the run without clamps or branches.
        let interior = |x: usize| {
            let (sx, sy) = at(x);
            (0..xmax).contains(&sx) && (0..ymax).contains(&sy)
        };
        let mut lo = 0;
        while lo < wu && !interior(lo) {
            edge(lo, &mut row[lo * CH..(lo + 1) * CH]);
            lo += 1;
        }
        let mut hi = wu;
        while hi > lo && !interior(hi - 1) {
            edge(hi - 1, &mut row[(hi - 1) * CH..hi * CH]);
            hi -= 1;
        }
        for x in lo..hi {
            let (sx, sy) = at(x);
            let (x0, y0) = ((sx >> 16) as usize, (sy >> 16) as usize);
            let (fx, fy) = (((sx >> 8) & 0xFF) as u32, ((sy >> 8) & 0xFF) as u32);
            let i = y0 * stride + x0 * CH;
            let top = &src[i..i + 2 * CH];
            let bottom = &src[i + stride..i + stride + 2 * CH];
            let px = &mut row[x * CH..(x + 1) * CH];
            for k in 0..CH {
                let t = top[k] as u32 * (256 - fx) + top[k + CH] as u32 * fx;
                let b = bottom[k] as u32 * (256 - fx) + bottom[k + CH] as u32 * fx;
                px[k] = ((t * (256 - fy) + b * fy + 32768) >> 16) as u8;
            }
        }
    }
    ImageBuffer::from_raw(w, h, out).expect("sizes agree")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    #[test]
    fn turns_match_the_image_crate_exactly() {
        let rgb = image::RgbImage::from_fn(131, 70, |x, y| {
            image::Rgb([(x * 7 + y) as u8, (y * 11 + x * 3) as u8, (x ^ y) as u8])
        });
        assert_eq!(turn(&rgb, 90), image::imageops::rotate90(&rgb));
        assert_eq!(turn(&rgb, 180), image::imageops::rotate180(&rgb));
        assert_eq!(turn(&rgb, 270), image::imageops::rotate270(&rgb));
        assert_eq!(turn(&rgb, 0), rgb);
        let gray = GrayImage::from_fn(3, 200, |x, y| Luma([(x * 90 + y) as u8]));
        assert_eq!(turn(&gray, 90), image::imageops::rotate90(&gray));
        assert_eq!(turn(&gray, 270), image::imageops::rotate270(&gray));
    }

    #[test]
    fn zero_turn_is_identity_and_quarter_turn_matches_rotate90() {
        let img = GrayImage::from_fn(41, 41, |x, y| Luma([(x * 5 + y * 3) as u8]));
        assert_eq!(rotate(&img, 0.0, Luma([255])), img);
        let q = rotate(&img, 90.0, Luma([255]));
        let r = image::imageops::rotate90(&img);
        let diff = q
            .pixels()
            .zip(r.pixels())
            .filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > 1)
            .count();
        assert!(diff <= 41 * 2, "{diff} pixels differ");
    }

    /// The straightforward version: every pixel through the general case.
    fn reference<const CH: usize>(
        src: &[u8],
        w: usize,
        h: usize,
        deg: f32,
        fill: [u8; CH],
    ) -> Vec<u8> {
        let stride = w * CH;
        let (s, c) = (deg as f64).to_radians().sin_cos();
        let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
        const ONE: f64 = 65536.0;
        let (xmax, ymax) = (((w as i64) - 1) << 16, ((h as i64) - 1) << 16);
        let mut out = vec![0u8; src.len()];
        for y in 0..h {
            let dy = y as f64 - cy;
            let sx0 = ((cx - cx * c + dy * s) * ONE) as i64;
            let sy0 = ((cy + cx * s + dy * c) * ONE) as i64;
            for x in 0..w {
                let (sx, sy) = (
                    sx0 + (c * ONE) as i64 * x as i64,
                    sy0 + (-s * ONE) as i64 * x as i64,
                );
                let px = &mut out[y * stride + x * CH..y * stride + (x + 1) * CH];
                if sx > -32768 && sy > -32768 && sx < xmax + 32768 && sy < ymax + 32768 {
                    sample::<CH>(src, stride, w, h, sx.clamp(0, xmax), sy.clamp(0, ymax), px);
                } else {
                    px.copy_from_slice(&fill);
                }
            }
        }
        out
    }

    #[test]
    fn the_fast_run_gives_exactly_the_general_result() {
        let img = image::RgbImage::from_fn(157, 93, |x, y| {
            image::Rgb([(x * 7 + y) as u8, (y * 11 + x * 3) as u8, (x ^ y) as u8])
        });
        for deg in [0.3f32, -1.7, 4.9, -12.0, 33.0, 90.0] {
            let fast = rotate_bilinear(&img, deg, image::Rgb([250, 240, 230]));
            let slow = reference::<3>(img.as_raw(), 157, 93, deg, [250, 240, 230]);
            assert!(fast.as_raw() == &slow, "{deg}° differs");
        }
    }

    #[test]
    fn shears_agree_with_the_bilinear_turn() {
        // Smooth content (the shears blend three times, bilinear twice: on sharp
        // edges the two differ by more, on an image like this by a level or two).
        let img = image::RgbImage::from_fn(301, 211, |x, y| {
            let (x, y) = (x as f32, y as f32);
            image::Rgb([
                (128.0 + 100.0 * (x / 9.0).sin() * (y / 13.0).cos()) as u8,
                (x * 0.8) as u8,
                (255.0 - y) as u8,
            ])
        });
        let fill = image::Rgb([250, 240, 230]);
        for deg in [0.07f32, -0.6, 2.3, -5.9, 7.9] {
            let (shear, bilinear) = (rotate(&img, deg, fill), rotate_bilinear(&img, deg, fill));
            let (mut worst, mut total, mut n) = (0u8, 0u64, 0u64);
            // Away from the frame, where the two place the paper edge a little apart.
            for y in 20..191 {
                for x in 45..256 {
                    for (a, b) in shear
                        .get_pixel(x, y)
                        .0
                        .iter()
                        .zip(bilinear.get_pixel(x, y).0)
                    {
                        worst = worst.max(a.abs_diff(b));
                        total += a.abs_diff(b) as u64;
                        n += 1;
                    }
                }
            }
            let mean = total as f64 / n as f64;
            assert!(
                worst <= 8 && mean < 1.0,
                "{deg}°: worst {worst}, mean {mean:.2}"
            );
        }
    }

    #[test]
    fn clockwise_turn_moves_the_right_edge_down() {
        // A dot right of centre moves down when turned clockwise.
        let mut img = GrayImage::from_pixel(101, 101, Luma([255]));
        img.put_pixel(90, 50, Luma([0]));
        let t = rotate(&img, 10.0, Luma([255]));
        let (x, y, _) = t.enumerate_pixels().min_by_key(|(_, _, p)| p.0[0]).unwrap();
        assert!(y > 50 && x < 90, "dot at {x},{y}");
    }
}
