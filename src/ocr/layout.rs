//! Reading order for detected text boxes: as a person reads a case-file page.
//!
//! Body text reads in rows, top to bottom, each row left to right. Forms and
//! tables (卷内目录, 审批表, 送达回证, 缴款书) read cell by cell, row by row: a
//! table row lies between two horizontal ruling lines, and inside it each column's
//! lines (a cell may wrap over several lines) read top to bottom before the next
//! column. Detection engines return boxes roughly top to bottom, which is wrong for
//! such cells.

use image::GrayImage;

use crate::model::TextLine;

/// A table row is at most this share of the page height (a few wrapped lines);
/// taller gaps between rulings are ordinary text.
const MAX_TABLE_ROW: f32 = 0.25;

/// y of the horizontal ruling lines of a page: rows of pixels where one dark run
/// covers at least a quarter of the width (text lines never do).
pub fn horizontal_rulings(img: &GrayImage) -> Vec<u32> {
    let (w, h) = img.dimensions();
    let min_run = (w / 4) as usize;
    let px = img.as_raw();
    let mut rows = Vec::new();
    for y in 0..h as usize {
        let row = &px[y * w as usize..(y + 1) * w as usize];
        let (mut run, mut best) = (0usize, 0usize);
        for &p in row {
            // A ruling may break for a pixel or two: tolerate light pixels inside.
            if p < 140 {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
        if best >= min_run {
            rows.push(y as u32);
        }
    }
    // One y per line (a ruling is a few pixels thick).
    let mut lines: Vec<u32> = Vec::new();
    for y in rows {
        if lines.last().is_none_or(|&l| y > l + 3) {
            lines.push(y);
        } else if let Some(l) = lines.last_mut() {
            *l = y;
        }
    }
    lines
}

fn mid(l: &TextLine) -> u32 {
    l.bbox[1] + l.bbox[3] / 2
}

/// Rows of boxes whose vertical middles fall within each other's height, each
/// row left to right.
fn rows(mut lines: Vec<TextLine>) -> Vec<Vec<TextLine>> {
    lines.sort_by_key(mid);
    let mut rows: Vec<Vec<TextLine>> = Vec::new();
    for l in lines {
        let m = mid(&l);
        match rows.last_mut() {
            Some(row)
                if row
                    .iter()
                    .any(|r| m >= r.bbox[1] && m <= r.bbox[1] + r.bbox[3]) =>
            {
                row.push(l)
            }
            _ => rows.push(vec![l]),
        }
    }
    for row in &mut rows {
        row.sort_by_key(|l| l.bbox[0]);
    }
    rows
}

/// Columns of a table row: boxes whose horizontal extents overlap, each read top
/// to bottom, columns left to right.
fn cells(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    lines.sort_by_key(|l| l.bbox[0]);
    let mut columns: Vec<(u32, u32, Vec<TextLine>)> = Vec::new();
    for l in lines {
        let (x0, x1) = (l.bbox[0], l.bbox[0] + l.bbox[2]);
        match columns.iter_mut().find(|(a, b, _)| x0 < *b && x1 > *a) {
            Some(col) => {
                col.0 = col.0.min(x0);
                col.1 = col.1.max(x1);
                col.2.push(l);
            }
            None => columns.push((x0, x1, vec![l])),
        }
    }
    columns.sort_by_key(|c| c.0);
    columns
        .into_iter()
        .flat_map(|(_, _, mut col)| {
            col.sort_by_key(|l| l.bbox[1]);
            col
        })
        .collect()
}

/// Orders `lines` of a page of `height` pixels with horizontal `rulings`.
pub fn reading_order(lines: Vec<TextLine>, rulings: &[u32], height: u32) -> Vec<TextLine> {
    let max_row = (height as f32 * MAX_TABLE_ROW) as u32;
    // Each unit: its top, and its lines in order.
    let mut units: Vec<(u32, Vec<TextLine>)> = Vec::new();
    let mut free = Vec::new();
    let mut bands: Vec<(u32, Vec<TextLine>)> = Vec::new();
    for l in lines {
        let m = mid(&l);
        let above = rulings.iter().rev().find(|&&r| r <= m);
        let below = rulings.iter().find(|&&r| r > m);
        match (above, below) {
            (Some(&a), Some(&b)) if b - a <= max_row => {
                match bands.iter_mut().find(|(top, _)| *top == a) {
                    Some(band) => band.1.push(l),
                    None => bands.push((a, vec![l])),
                }
            }
            _ => free.push(l),
        }
    }
    for (top, band) in bands {
        units.push((top, cells(band)));
    }
    for row in rows(free) {
        let top = row.iter().map(|l| l.bbox[1]).min().unwrap_or(0);
        units.push((top, row));
    }
    units.sort_by_key(|u| u.0);
    units.into_iter().flat_map(|u| u.1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn line(text: &str, x: u32, y: u32, w: u32, h: u32) -> TextLine {
        TextLine {
            text: text.into(),
            bbox: [x, y, w, h],
            confidence: 0.9,
        }
    }

    fn order(lines: Vec<TextLine>, rulings: &[u32]) -> Vec<String> {
        reading_order(lines, rulings, 3000)
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn body_text_reads_in_rows() {
        let lines = vec![
            line("日期", 600, 102, 80, 30),
            line("当事人", 100, 100, 120, 34),
            line("第二行", 100, 200, 120, 34),
            line("某公司", 300, 98, 150, 34),
        ];
        assert_eq!(order(lines, &[]), ["当事人", "某公司", "日期", "第二行"]);
    }

    #[test]
    fn a_wrapped_cell_reads_whole_before_the_next_cell() {
        // Row between rulings at y=100 and y=200: a two-line cell on the left,
        // one-line cells to its right; then a second table row.
        let lines = vec![
            line("临沂市市场监督", 100, 110, 200, 30),
            line("立案审批表", 350, 130, 200, 30),
            line("管理局", 100, 150, 100, 30),
            line("20210924", 600, 130, 120, 30),
            line("现场检查笔录", 350, 230, 200, 30),
            line("标题", 300, 20, 100, 40),
        ];
        assert_eq!(
            order(lines, &[100, 200, 300]),
            [
                "标题",
                "临沂市市场监督",
                "管理局",
                "立案审批表",
                "20210924",
                "现场检查笔录"
            ]
        );
    }

    #[test]
    fn rulings_are_found_on_a_synthetic_table() {
        let mut img = GrayImage::from_pixel(800, 600, Luma([245]));
        for y in [100u32, 101, 200, 350] {
            for x in 50..750 {
                img.put_pixel(x, y, Luma([20]));
            }
        }
        // Text-like marks: short dark runs, never a ruling.
        for x in (60..700).step_by(12) {
            for dx in 0..8 {
                img.put_pixel(x + dx, 150, Luma([10]));
            }
        }
        assert_eq!(horizontal_rulings(&img), vec![101, 200, 350]);
    }
}
