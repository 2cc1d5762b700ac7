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

/// Lines on each side of a column gutter needed to read a block as two columns.
const MIN_COLUMN_LINES: usize = 3;
/// In a true column most lines fill it; label–value forms (当事人：… ) have
/// short labels on the left and fail this.
const MIN_COLUMN_FILL: f32 = 0.5;

/// Two-column text: where rows of body text leave a gutter that no line crosses,
/// the left column is read to its end before the right one. Rows that span the
/// gutter (titles, full-width paragraphs) end a block and read as they are.
/// Returns the reading units: single rows, or whole two-column blocks.
fn columns(rows: Vec<Vec<TextLine>>) -> Vec<Vec<TextLine>> {
    let all = || rows.iter().flatten();
    let (Some(left), Some(right)) = (
        all().map(|l| l.bbox[0]).min(),
        all().map(|l| l.bbox[0] + l.bbox[2]).max(),
    ) else {
        return rows;
    };
    let width = (right - left).max(1);
    let crosses = |l: &TextLine, g: u32| l.bbox[0] < g && l.bbox[0] + l.bbox[2] > g;
    // The gutter: in the middle of the text, crossed by the fewest lines, and
    // among those the widest clear strip.
    let clearance = |g: u32| {
        all()
            .filter(|l| !crosses(l, g))
            .map(|l| {
                l.bbox[0]
                    .abs_diff(g)
                    .min((l.bbox[0] + l.bbox[2]).abs_diff(g))
            })
            .min()
            .unwrap_or(0)
    };
    let Some(gutter) = (30..=70)
        .map(|pct| left + width * pct / 100)
        .min_by_key(|&g| {
            (
                all().filter(|l| crosses(l, g)).count(),
                std::cmp::Reverse(clearance(g)),
            )
        })
    else {
        return rows;
    };
    let two_columns = |block: &[Vec<TextLine>]| {
        let (l, r): (Vec<&TextLine>, Vec<&TextLine>) = block
            .iter()
            .flatten()
            .partition(|l| l.bbox[0] + l.bbox[2] <= gutter);
        let filled = |side: &[&TextLine], span: u32| {
            let mut w: Vec<u32> = side.iter().map(|l| l.bbox[2]).collect();
            w.sort_unstable();
            !w.is_empty() && w[w.len() / 2] as f32 >= MIN_COLUMN_FILL * span.max(1) as f32
        };
        l.len() >= MIN_COLUMN_LINES
            && r.len() >= MIN_COLUMN_LINES
            && filled(&l, gutter - left)
            && filled(&r, right - gutter)
    };
    let mut units = Vec::new();
    let mut block: Vec<Vec<TextLine>> = Vec::new();
    let flush = |block: &mut Vec<Vec<TextLine>>, units: &mut Vec<Vec<TextLine>>| {
        if two_columns(block) {
            let (mut l, mut r): (Vec<TextLine>, Vec<TextLine>) = block
                .drain(..)
                .flatten()
                .partition(|l| l.bbox[0] + l.bbox[2] <= gutter);
            l.sort_by_key(mid);
            r.sort_by_key(mid);
            l.extend(r);
            units.push(l);
        } else {
            units.append(block);
        }
    };
    for row in rows {
        if row.iter().any(|l| crosses(l, gutter)) {
            flush(&mut block, &mut units);
            units.push(row);
        } else {
            block.push(row);
        }
    }
    flush(&mut block, &mut units);
    units
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
    for block in columns(rows(free)) {
        let top = block.iter().map(|l| l.bbox[1]).min().unwrap_or(0);
        units.push((top, block));
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
    fn two_columns_read_column_by_column_between_full_width_rows() {
        let mut lines = vec![line("标题横跨全页", 100, 50, 1800, 60)];
        for i in 0..4 {
            let y = 200 + i * 60;
            lines.push(line(&format!("左{i}"), 100, y, 820, 40));
            lines.push(line(&format!("右{i}"), 1080, y + 3, 800, 40));
        }
        lines.push(line("落款横跨全页", 100, 600, 1800, 40));
        assert_eq!(
            order(lines, &[]),
            [
                "标题横跨全页",
                "左0",
                "左1",
                "左2",
                "左3",
                "右0",
                "右1",
                "右2",
                "右3",
                "落款横跨全页"
            ]
        );
    }

    #[test]
    fn label_and_value_rows_stay_rows() {
        // Short labels on the left, long values on the right: a form, not columns.
        let mut lines = Vec::new();
        for (i, (label, value)) in [
            ("当事人：", "某某食品有限公司"),
            ("住所：", "某市某区某路一号"),
            ("法定代表人：", "张三"),
            ("案由：", "销售不合格食品案"),
        ]
        .iter()
        .enumerate()
        {
            let y = 200 + i as u32 * 60;
            lines.push(line(label, 100, y, 200, 40));
            lines.push(line(value, 1080, y, 800, 40));
        }
        assert_eq!(
            order(lines, &[]),
            [
                "当事人：",
                "某某食品有限公司",
                "住所：",
                "某市某区某路一号",
                "法定代表人：",
                "张三",
                "案由：",
                "销售不合格食品案"
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
