//! Reading each page for what starts or continues a document: a title line at the
//! top, `（续）`, `第N页共M页`, `-N-` footers, and the printed page stamp (页号).

use super::kinds::{KindTable, TitleMatch};
use super::values::squash;
use crate::model::TextLine;

/// What one page shows about where documents begin.
#[derive(Debug, Clone, Default)]
pub struct PageEvidence {
    pub seq: u32,
    pub blank: bool,
    /// The title line: its kind, the line index and the squashed text.
    pub title: Option<(TitleMatch, usize, String)>,
    /// The line right above the title (usually the agency's letterhead).
    pub letterhead: Option<usize>,
    pub marker_kind: Option<String>,
    /// The page says it continues a document (`（续）`, page 2 of N, `-2-`).
    pub continued: bool,
    /// The page says it is page 1 of its document.
    pub first_of_doc: bool,
    /// The printed archive page number (页号 stamp) and its line.
    pub stamp: Option<(u32, usize)>,
}

/// Title lines sit in the top part of the page.
const TITLE_ZONE: f32 = 0.36;
/// A page stamp sits in a corner band of this share of the page.
const STAMP_BAND: f32 = 0.10;

pub fn read_page(
    table: &KindTable,
    seq: u32,
    blank: bool,
    width: u32,
    height: u32,
    lines: &[TextLine],
) -> PageEvidence {
    let mut ev = PageEvidence {
        seq,
        blank,
        ..Default::default()
    };
    if blank {
        return ev;
    }
    let (w, h) = (width.max(1) as f32, height.max(1) as f32);
    let page_text: String = lines.iter().map(|l| squash(&l.text)).collect();
    for (i, line) in lines.iter().enumerate() {
        let text = squash(&line.text);
        let cx = (line.bbox[0] as f32 + line.bbox[2] as f32 / 2.0) / w;
        let cy = (line.bbox[1] as f32 + line.bbox[3] as f32 / 2.0) / h;
        if let Some((n, m)) = page_of(&text) {
            if n > 1 {
                ev.continued = true;
            } else if n == 1 && m.is_some() {
                ev.first_of_doc = true;
            }
        }
        if let Some(n) = dash_footer(&text)
            && cy > 1.0 - STAMP_BAND * 1.5
        {
            if n > 1 {
                ev.continued = true;
            } else {
                ev.first_of_doc = true;
            }
        }
        if ev.stamp.is_none()
            && !(STAMP_BAND..=1.0 - STAMP_BAND).contains(&cy)
            && cx > 0.6
            && (1..=3).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_digit())
        {
            ev.stamp = text.parse().ok().filter(|&n| n > 0).map(|n| (n, i));
        }
        if cy < TITLE_ZONE && ev.title.is_none() {
            if text.contains("（续）") || text.contains("(续)") || text.ends_with("续表") {
                ev.continued = true;
                continue;
            }
            // A letter-spaced title may come as several boxes on one row.
            let (text, cx) = match table.classify(&text) {
                Some(_) => (text, cx),
                None => row_of(lines, i, w),
            };
            if let Some(m) = table.classify(&text) {
                let chars = text.chars().count();
                let centred = (cx - 0.5).abs() < 0.15;
                let mostly_title = m.len * 5 >= chars * 2;
                if chars <= 24 && (centred || mostly_title) {
                    ev.letterhead = (i > 0).then(|| i - 1).filter(|&p| {
                        let t = squash(&lines[p].text);
                        let n = t.chars().count();
                        (4..=30).contains(&n) && !t.chars().any(|c| c.is_ascii_digit())
                    });
                    ev.title = Some((m, i, text));
                }
            }
        }
    }
    if ev.title.is_none() {
        ev.marker_kind = table.by_marker(&page_text).map(str::to_string);
    }
    ev
}

/// Line `i` joined with the lines after it on the same row (each overlapping it
/// by half a line height and starting further right): squashed text and the
/// row's centre across the page.
fn row_of(lines: &[TextLine], i: usize, page_width: f32) -> (String, f32) {
    let first = &lines[i];
    let (top, bottom) = (first.bbox[1], first.bbox[1] + first.bbox[3]);
    let mut text = squash(&first.text);
    let (mut left, mut right) = (first.bbox[0], first.bbox[0] + first.bbox[2]);
    let mut last_x = first.bbox[0];
    for next in &lines[i + 1..] {
        let overlap =
            (bottom.min(next.bbox[1] + next.bbox[3])).saturating_sub(top.max(next.bbox[1]));
        if overlap * 2 < first.bbox[3].min(next.bbox[3]) || next.bbox[0] <= last_x {
            break;
        }
        text.push_str(&squash(&next.text));
        last_x = next.bbox[0];
        left = left.min(next.bbox[0]);
        right = right.max(next.bbox[0] + next.bbox[2]);
    }
    (text, (left + right) as f32 / 2.0 / page_width)
}

/// `第2页共3页` → (2, Some(3)); `第2页` → (2, None).
pub fn page_of(text: &str) -> Option<(u32, Option<u32>)> {
    let start = text.find('第')?;
    let rest = &text[start + '第'.len_utf8()..];
    let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if n.is_empty() {
        return None;
    }
    let rest = &rest[n.len()..];
    let rest = rest.strip_prefix('页')?;
    let total = rest
        .strip_prefix('共')
        .map(|r| {
            r.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
        })
        .and_then(|t| t.parse().ok());
    Some((n.parse().ok()?, total))
}

/// A `-2-` or `— 2 —` page footer of a multi-page document.
fn dash_footer(text: &str) -> Option<u32> {
    let dashes = ['-', '—', '－', '–', '一'];
    let inner = text.strip_prefix(dashes)?.strip_suffix(dashes)?;
    let inner = inner.trim_matches(dashes);
    (!inner.is_empty() && inner.len() <= 3 && inner.chars().all(|c| c.is_ascii_digit()))
        .then(|| inner.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x: u32, y: u32, w: u32) -> TextLine {
        TextLine {
            text: text.into(),
            bbox: [x, y, w, 40],
            confidence: 0.95,
        }
    }

    #[test]
    fn a_title_page_with_letterhead_and_stamp() {
        let lines = vec![
            line("7", 2300, 150, 20),
            line("某市市场监督管理局", 900, 300, 700),
            line("案件调查终结报告", 950, 400, 600),
            line("当事人：某公司", 300, 600, 500),
        ];
        let ev = read_page(KindTable::builtin(), 9, false, 2480, 3508, &lines);
        let (m, i, _) = ev.title.clone().unwrap();
        assert_eq!((m.kind.as_str(), i), ("investigation_report", 2));
        assert_eq!(ev.letterhead, Some(1));
        assert_eq!(ev.stamp, Some((7, 0)));
        assert!(!ev.continued);
    }

    #[test]
    fn a_letter_spaced_title_read_as_two_boxes_is_still_the_title() {
        let lines = vec![
            line("卷内", 1000, 250, 160),
            line("目录", 1320, 252, 160),
            line("档号：X-1", 200, 400, 500),
            line("序号", 200, 500, 80),
        ];
        let ev = read_page(KindTable::builtin(), 3, false, 2480, 3508, &lines);
        let (m, i, text) = ev.title.clone().unwrap();
        assert_eq!(
            (m.kind.as_str(), i, text.as_str()),
            ("contents", 0, "卷内目录")
        );
        // Lines on different rows are not joined.
        let lines = vec![line("卷内", 1000, 250, 160), line("目录", 1320, 400, 160)];
        let ev = read_page(KindTable::builtin(), 3, false, 2480, 3508, &lines);
        assert!(ev.title.is_none());
    }

    #[test]
    fn continuation_signs() {
        let lines = vec![line("现场照片（续）", 1000, 300, 400)];
        let ev = read_page(KindTable::builtin(), 2, false, 2480, 3508, &lines);
        assert!(ev.continued && ev.title.is_none());
        let lines = vec![
            line("问：你单位获利多少？", 200, 300, 1800),
            line("第2页共3页", 1100, 3300, 300),
        ];
        assert!(read_page(KindTable::builtin(), 2, false, 2480, 3508, &lines).continued);
        let lines = vec![line("-2-", 1200, 3350, 60)];
        assert!(read_page(KindTable::builtin(), 2, false, 2480, 3508, &lines).continued);
    }

    #[test]
    fn body_text_naming_a_document_is_not_a_title() {
        let lines = vec![line(
            "当事人如不服本行政处罚决定书，可以在收到本决定书之日起六十日内申请行政复议",
            200,
            300,
            2000,
        )];
        assert!(
            read_page(KindTable::builtin(), 2, false, 2480, 3508, &lines)
                .title
                .is_none()
        );
    }

    #[test]
    fn page_markers() {
        assert_eq!(page_of("第2页共3页"), Some((2, Some(3))));
        assert_eq!(page_of("第1页"), Some((1, None)));
        assert_eq!(page_of("第三十五条"), None);
        assert_eq!(dash_footer("-2-"), Some(2));
        assert_eq!(dash_footer("—12—"), Some(12));
        assert_eq!(dash_footer("-"), None);
    }
}
