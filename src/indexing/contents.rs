//! The scanned 卷内目录 read back into rows (序号 文号 责任者 题名 日期 页号 备注),
//! so that the catalogue we build can be checked against the one on paper.

use super::identifiers::find_doc_no;
use super::values::{dates, squash};
use crate::model::TextLine;

pub use crate::model::index::ContentsRow;

const HEADERS: [&str; 7] = ["序号", "文号", "责任者", "题名", "日期", "页号", "备注"];

/// Reads the rows of a 卷内目录 page from its OCR lines; empty when no header row
/// is found.
pub fn parse(lines: &[TextLine]) -> Vec<ContentsRow> {
    // Column centres from the header words (also when OCR joined them in one line).
    let mut centres: [Option<f32>; 7] = [None; 7];
    let mut header_bottom = 0u32;
    for line in lines {
        let text = squash(&line.text);
        let n = text.chars().count().max(1) as f32;
        for (c, word) in HEADERS.iter().enumerate() {
            if centres[c].is_some() {
                continue;
            }
            if let Some(byte) = text.find(word)
                && text.chars().count() <= 20
            {
                let at = text[..byte].chars().count() as f32;
                let len = word.chars().count() as f32;
                let x = line.bbox[0] as f32 + line.bbox[2] as f32 * (at + len / 2.0) / n;
                centres[c] = Some(x);
                header_bottom = header_bottom.max(line.bbox[1] + line.bbox[3]);
            }
        }
    }
    let found = centres.iter().filter(|c| c.is_some()).count();
    if found < 4 || centres[3].is_none() {
        return Vec::new();
    }
    // A cell's text is left-aligned or centred in its cell, and a cell begins after
    // the previous header's centre; so a line belongs to the first column whose
    // header centre is not left of the line's left edge. (Nearest centre fails for
    // short left-aligned values in wide cells.)
    let column = |l: &TextLine| -> usize {
        let left = l.bbox[0] as f32 - 8.0;
        centres
            .iter()
            .enumerate()
            .filter_map(|(c, x)| x.map(|x| (c, x)))
            .find(|&(_, x)| x >= left)
            .or_else(|| {
                centres
                    .iter()
                    .enumerate()
                    .rev()
                    .find_map(|(c, x)| x.map(|_| (c, 0.0)))
            })
            .map_or(3, |(c, _)| c)
    };
    let body: Vec<&TextLine> = lines
        .iter()
        .filter(|l| l.bbox[1] + l.bbox[3] / 2 > header_bottom)
        .collect();
    // Rows are anchored on the cells that hold one line each: 序号, 日期, 页号
    // (any of them may be missed by OCR); anchors closer than a line are one row.
    let cy = |l: &TextLine| l.bbox[1] as f32 + l.bbox[3] as f32 / 2.0;
    let mut ys: Vec<(f32, f32)> = body
        .iter()
        .filter(|l| {
            let t = squash(&l.text);
            match column(l) {
                0 => !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()),
                4 => !dates(&t).is_empty(),
                5 => page_range(&t).is_some(),
                _ => false,
            }
        })
        .map(|l| (cy(l), l.bbox[3] as f32))
        .collect();
    ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut anchors: Vec<f32> = Vec::new();
    let mut members = 0.0;
    for (y, h) in ys {
        match anchors.last_mut() {
            Some(a) if y - *a < h * 0.8 => {
                *a = (*a * members + y) / (members + 1.0);
                members += 1.0;
            }
            _ => {
                anchors.push(y);
                members = 1.0;
            }
        }
    }
    if anchors.is_empty() {
        return Vec::new();
    }
    let pitch = if anchors.len() > 1 {
        (anchors[anchors.len() - 1] - anchors[0]) / (anchors.len() - 1) as f32
    } else {
        f32::MAX
    };
    let mut cells: Vec<[Vec<&TextLine>; 7]> = anchors.iter().map(|_| Default::default()).collect();
    for l in &body {
        let y = cy(l);
        let (row, dist) = anchors
            .iter()
            .enumerate()
            .map(|(i, a)| (i, (y - a).abs()))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f32::MAX));
        if dist <= pitch * 0.6 || (pitch == f32::MAX && dist < l.bbox[3] as f32 * 3.0) {
            cells[row][column(l)].push(l);
        }
    }
    cells
        .into_iter()
        .map(|mut row| {
            let mut text = |c: usize| -> Option<String> {
                row[c].sort_by_key(|l| (l.bbox[1], l.bbox[0]));
                let s: String = row[c].iter().map(|l| squash(&l.text)).collect();
                (!s.is_empty()).then_some(s)
            };
            let seq_no = text(0).and_then(|s| s.parse().ok());
            let doc_no_text = text(1);
            let responsible = text(2);
            let title = text(3);
            let date = text(4).and_then(|s| dates(&s).first().map(|d| d.0.iso()));
            let pages = text(5).and_then(|s| page_range(&s));
            let remark = text(6);
            let all: Vec<&&TextLine> = row.iter().flatten().collect();
            let confidence = all.iter().map(|l| l.confidence).fold(1.0, f32::min);
            let bbox = all.iter().fold([u32::MAX, u32::MAX, 0, 0], |b, l| {
                [
                    b[0].min(l.bbox[0]),
                    b[1].min(l.bbox[1]),
                    b[2].max(l.bbox[0] + l.bbox[2]),
                    b[3].max(l.bbox[1] + l.bbox[3]),
                ]
            });
            ContentsRow {
                seq_no,
                doc_no: doc_no_text
                    .as_deref()
                    .and_then(find_doc_no)
                    .map(|d| d.0)
                    .or(doc_no_text),
                responsible,
                title,
                date,
                pages,
                remark,
                confidence,
                bbox: [
                    bbox[0],
                    bbox[1],
                    bbox[2].saturating_sub(bbox[0]),
                    bbox[3].saturating_sub(bbox[1]),
                ],
                // Known to the caller, which knows the page.
                page: None,
            }
        })
        .collect::<Vec<ContentsRow>>()
        .into_iter()
        .scan(0u32, |prev, mut row| {
            // A 序号 that OCR missed follows from the row before.
            if row.seq_no.is_none() {
                row.seq_no = Some(*prev + 1);
            }
            *prev = row.seq_no.unwrap_or(*prev + 1);
            Some(row)
        })
        .collect()
}

/// `5` → (5, 5); `2-4`, `2－4`, `2~4`, `2至4` → (2, 4).
pub fn page_range(s: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = s
        .split(['-', '－', '~', '～', '—', '–', '至'])
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<u32>().ok().filter(|&n| n > 0);
    match parts.as_slice() {
        [a] => num(a).map(|a| (a, a)),
        [a, b] => Some((num(a)?, num(b)?)).filter(|(a, b)| a <= b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(text: &str, x: u32, y: u32, w: u32) -> TextLine {
        TextLine {
            text: text.into(),
            bbox: [x, y, w, 44],
            confidence: 0.9,
        }
    }

    #[test]
    fn rows_come_back_with_wrapped_cells() {
        let mut lines = vec![l("卷 内 目 录", 1000, 260, 500)];
        for (i, h) in HEADERS.iter().enumerate() {
            let x = [304, 566, 918, 1418, 1839, 2037, 2189][i];
            lines.push(l(h, x, 553, 88));
        }
        lines.extend([
            l("1", 337, 686, 21),
            l("某市市场监督", 823, 658, 308),
            l("管理局", 823, 715, 132),
            l("立案审批表", 1173, 658, 220),
            l("20210924", 1785, 686, 195),
            l("1", 2071, 686, 21),
            l("2", 335, 829, 25),
            l("某市监罚告〔2021〕", 426, 800, 404),
            l("157号", 426, 857, 114),
            l("某市市场监督", 823, 800, 308),
            l("管理局", 823, 858, 132),
            l("行政处罚事先告知书", 1173, 800, 396),
            l("20211014", 1789, 829, 187),
            l("2-3", 2049, 829, 65),
        ]);
        let rows = parse(&lines);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].seq_no, Some(1));
        assert_eq!(rows[0].responsible.as_deref(), Some("某市市场监督管理局"));
        assert_eq!(rows[0].title.as_deref(), Some("立案审批表"));
        assert_eq!(rows[0].date.as_deref(), Some("2021-09-24"));
        assert_eq!(rows[0].pages, Some((1, 1)));
        assert_eq!(rows[1].doc_no.as_deref(), Some("某市监罚告〔2021〕157号"));
        assert_eq!(rows[1].pages, Some((2, 3)));
    }

    #[test]
    fn page_ranges() {
        assert_eq!(page_range("2-4"), Some((2, 4)));
        assert_eq!(page_range("12"), Some((12, 12)));
        assert_eq!(page_range("4-2"), None);
        assert_eq!(page_range("x"), None);
    }
}
