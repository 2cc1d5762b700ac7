//! Skew by projection profiles: the angle at which the ink's row profile is
//! sharpest (text lines and ruling lines fall into few rows).

/// Skew found on a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skew {
    /// Degrees, positive when the content is turned counter-clockwise on screen.
    pub angle_deg: f32,
    /// Sharpness at the best angle over the median sharpness of the range searched:
    /// near 1 when the page has no lines to measure (a photo, a blank page).
    pub gain: f32,
    /// Sharpness of the row profile over that of the column profile, both at their
    /// best: above 1 when text lines run across the page, below 1 when they run down
    /// it (the page lies on its side).
    pub axis_ratio: f32,
}

/// Profile sharpness of `points` projected across `angle` (degrees): Σ count² over
/// bins, normalised so that evenly spread ink scores 1.
fn sharpness(points: &[(f32, f32)], angle_deg: f32, rows: bool, bins: usize) -> f64 {
    let (s, c) = angle_deg.to_radians().sin_cos();
    let mut hist = vec![0u32; bins + 2];
    // Turned coordinates can be a little negative: shift them into the bins.
    let offset = bins as f32 / 6.0;
    for &(x, y) in points {
        // Rows: y' is constant along a line turned `angle` counter-clockwise.
        let v = if rows { y * c + x * s } else { x * c - y * s };
        let i = (v + offset) as i64;
        if i >= 0 && (i as usize) < hist.len() {
            hist[i as usize] += 1;
        }
    }
    let n = points.len() as f64;
    let sum: f64 = hist.iter().map(|&h| (h as f64) * (h as f64)).sum();
    sum * bins as f64 / (n * n)
}

fn search(points: &[(f32, f32)], rows: bool, bins: usize, range: f32) -> (f32, f64, f64) {
    let coarse: Vec<(f32, f64)> = (0..=((2.0 * range / 0.2) as i32))
        .map(|i| {
            let a = -range + i as f32 * 0.2;
            (a, sharpness(points, a, rows, bins))
        })
        .collect();
    let mut sorted: Vec<f64> = coarse.iter().map(|c| c.1).collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let (mut best_a, mut best_s) = coarse
        .iter()
        .cloned()
        .fold((0.0, 0.0), |b, c| if c.1 > b.1 { c } else { b });
    let center = best_a;
    for i in -15..=15 {
        let a = center + i as f32 * 0.02;
        let s = sharpness(points, a, rows, bins);
        if s > best_s {
            best_s = s;
            best_a = a;
        }
    }
    (best_a, best_s, median)
}

/// Estimates the skew of ink points on a `w × h` page, within ±`range` degrees.
pub fn estimate(points: &[(f32, f32)], w: u32, h: u32, range: f32) -> Option<Skew> {
    if points.len() < 200 {
        return None;
    }
    let bins = (w.max(h) as f32 * 1.5) as usize;
    let (angle, best_rows, median_rows) = search(points, true, bins, range);
    let (_, best_cols, _) = search(points, false, bins, range);
    Some(Skew {
        angle_deg: angle,
        gain: (best_rows / median_rows.max(1e-9)) as f32,
        axis_ratio: (best_rows / best_cols.max(1e-9)) as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dashed text-like lines turned by `deg` counter-clockwise around the centre.
    fn lines(deg: f32) -> Vec<(f32, f32)> {
        let (s, c) = deg.to_radians().sin_cos();
        let mut pts = Vec::new();
        for line in 0..30 {
            let y = 100.0 + line as f32 * 40.0;
            for x in (100..1100).step_by(2) {
                if ((x + line * 13) / 30) % 5 == 4 {
                    continue; // gaps between words
                }
                for dy in 0..12 {
                    let (px, py) = (x as f32 - 600.0, y + dy as f32 - 700.0);
                    // Counter-clockwise on screen (y down): x' = x c + y s, y' = -x s + y c.
                    pts.push((600.0 + px * c + py * s, 700.0 - px * s + py * c));
                }
            }
        }
        pts
    }

    #[test]
    fn finds_the_skew_of_text_lines() {
        for deg in [-2.7f32, -0.4, 0.0, 1.3, 3.1] {
            let s = estimate(&lines(deg), 1200, 1400, 6.0).unwrap();
            assert!((s.angle_deg - deg).abs() <= 0.05, "{deg}: {s:?}");
            assert!(s.gain > 2.0 && s.axis_ratio > 1.2, "{s:?}");
        }
    }

    #[test]
    fn lines_running_down_the_page_show_in_the_axis_ratio() {
        let turned: Vec<(f32, f32)> = lines(0.5).into_iter().map(|(x, y)| (y, x)).collect();
        let s = estimate(&turned, 1400, 1200, 6.0).unwrap();
        assert!(s.axis_ratio < 0.7, "{s:?}");
    }
}
