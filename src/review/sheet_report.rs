//! The printable 评查表 of a volume (A4 PDF) and the batch summary (XLSX, one
//! row per volume).
//!
//! The PDF is small and plain: its text is set in Adobe's standard Simplified
//! Chinese font (STSong-Light, encoding UniGB-UCS2-H), which PDF readers supply
//! themselves (Acrobat with its Asian font pack; browsers, poppler and PDFium map
//! it to an installed CJK font), so nothing is embedded and the sheet is a few
//! kilobytes. Text is laid out on an estimate of its width (a Chinese character
//! one em, Latin half), wrapped inside its cell.

use anyhow::{Context, Result};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use super::scoring::{Score, ScoreSheet};

/// What heads a volume's sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetHeader {
    pub volume: String,
    pub archival_code: Option<String>,
    pub title: Option<String>,
    pub party: Option<String>,
    pub agency: Option<String>,
    pub decision_no: Option<String>,
}

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;

/// Width of `text` at `size` points, on the estimate above.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `text` cut into lines no wider than `max` points.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let line = lines.last_mut().expect("never empty");
        let mut next = line.clone();
        next.push(c);
        if width(&next, size) > max && !line.is_empty() {
            lines.push(c.to_string());
        } else {
            *line = next;
        }
    }
    lines
}

/// UCS-2 big-endian, the bytes UniGB-UCS2-H reads (characters beyond the
/// basic plane, which the font lacks, become 〓).
fn ucs2(text: &str) -> Vec<u8> {
    text.chars()
        .flat_map(|c| u16::try_from(c as u32).unwrap_or(0x3013).to_be_bytes())
        .collect()
}

struct Page {
    content: Content,
    /// Distance from the top edge to the next line's top.
    y: f32,
}

impl Page {
    fn new() -> Page {
        Page {
            content: Content::new(),
            y: MARGIN,
        }
    }

    fn text(&mut self, x: f32, top: f32, size: f32, text: &str) {
        let baseline = A4.1 - top - size * 0.88;
        self.content
            .begin_text()
            .set_font(Name(b"F1"), size)
            .next_line(x, baseline)
            .show(Str(&ucs2(text)))
            .end_text();
    }

    fn rule(&mut self, x1: f32, top1: f32, x2: f32, top2: f32) {
        self.content
            .move_to(x1, A4.1 - top1)
            .line_to(x2, A4.1 - top2)
            .stroke();
    }
}

/// The 评查表 of one volume as PDF bytes.
pub fn score_sheet_pdf(
    sheet: &ScoreSheet,
    header: &SheetHeader,
    score: &Score,
    reviewer: &str,
    date: &str,
) -> Result<Vec<u8>> {
    let mut pages = vec![Page::new()];
    let right = A4.0 - MARGIN;
    let full = right - MARGIN;
    macro_rules! page {
        () => {
            pages.last_mut().expect("never empty")
        };
    }
    // Title and header.
    let title = "行政处罚案卷评查表";
    let p = page!();
    p.text((A4.0 - width(title, 18.0)) / 2.0, p.y, 18.0, title);
    p.y += 28.0;
    for line in wrap(&sheet.standard, 9.0, full) {
        p.text((A4.0 - width(&line, 9.0)) / 2.0, p.y, 9.0, &line);
        p.y += 13.0;
    }
    p.y += 8.0;
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "（未著录）".into());
    for (label, value) in [
        ("档号", field(&header.archival_code)),
        ("案卷题名", field(&header.title)),
        ("当事人", field(&header.party)),
        ("执法机关", field(&header.agency)),
        ("决定书文号", field(&header.decision_no)),
        ("案卷标识", header.volume.clone()),
    ] {
        let lines = wrap(&value, 10.5, full - 80.0);
        p.text(MARGIN, p.y, 10.5, &format!("{label}："));
        for l in lines {
            p.text(MARGIN + 80.0, p.y, 10.5, &l);
            p.y += 15.0;
        }
    }
    p.y += 6.0;

    // The items: 类别 | 项目 | 分值 | 扣分 | 扣分理由.
    let cols = [
        MARGIN,
        MARGIN + 70.0,
        MARGIN + 190.0,
        MARGIN + 225.0,
        MARGIN + 260.0,
        right,
    ];
    let size = 9.0;
    let row_lines = |cells: &[String]| -> Vec<Vec<String>> {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| wrap(c, size, cols[i + 1] - cols[i] - 6.0))
            .collect()
    };
    let mut rows: Vec<Vec<String>> = vec![
        ["类别", "评查项目", "分值", "扣分", "扣分理由"]
            .map(String::from)
            .to_vec(),
    ];
    for i in &score.items {
        let reasons: Vec<String> = i
            .reasons
            .iter()
            .map(|r| {
                let place = r.page.map_or(String::new(), |p| format!("（第{p}页）"));
                let who = if r.code == "reviewer" {
                    "评查人"
                } else {
                    r.code.as_str()
                };
                format!("{who}{place} {:+}：{}", -r.points, r.note)
            })
            .collect();
        rows.push(vec![
            i.category.clone(),
            i.item.clone(),
            fmt_points(i.points),
            if i.deducted > 0.0 {
                fmt_points(i.deducted)
            } else {
                String::new()
            },
            reasons.join("；"),
        ]);
    }
    for (n, cells) in rows.iter().enumerate() {
        let lines = row_lines(cells);
        let height = lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * 12.0 + 6.0;
        if page!().y + height > A4.1 - MARGIN - 90.0 {
            pages.push(Page::new());
        }
        let p = page!();
        let top = p.y;
        if n == 0 {
            p.rule(MARGIN, top, right, top);
        }
        for (i, cell) in lines.iter().enumerate() {
            for (k, l) in cell.iter().enumerate() {
                p.text(cols[i] + 3.0, top + 3.0 + k as f32 * 12.0, size, l);
            }
        }
        for x in cols {
            p.rule(x, top, x, top + height);
        }
        p.rule(MARGIN, top + height, right, top + height);
        p.y = top + height;
    }

    // Total, grade, veto, signatures.
    let p = page!();
    p.y += 14.0;
    let veto = match &score.veto {
        Some(v) => format!("一票否决：{} {}", v.item, v.code),
        None => "一票否决：无".into(),
    };
    p.text(
        MARGIN,
        p.y,
        12.0,
        &format!(
            "得分：{}　　等级：{}　　{veto}",
            fmt_points(score.total),
            score.grade
        ),
    );
    p.y += 36.0;
    let reviewer_line = format!("评查人：{reviewer}");
    p.text(MARGIN, p.y, 10.5, &reviewer_line);
    p.rule(
        MARGIN + width(&reviewer_line, 10.5),
        p.y + 13.0,
        MARGIN + 230.0,
        p.y + 13.0,
    );
    p.text(MARGIN + 260.0, p.y, 10.5, &format!("日期：{date}"));
    p.y += 30.0;
    p.text(MARGIN, p.y, 10.5, "复核人：");
    p.rule(MARGIN + 42.0, p.y + 13.0, MARGIN + 230.0, p.y + 13.0);
    p.text(MARGIN + 260.0, p.y, 10.5, "日期：");
    p.rule(MARGIN + 292.0, p.y + 13.0, right, p.y + 13.0);
    let count = pages.len();
    for (i, p) in pages.iter_mut().enumerate() {
        let foot = format!("第 {} 页 共 {count} 页", i + 1);
        p.text(
            (A4.0 - width(&foot, 8.0)) / 2.0,
            A4.1 - MARGIN + 16.0,
            8.0,
            &foot,
        );
    }
    write_pdf(pages, &format!("评查表 {}", field(&header.archival_code)))
}

fn fmt_points(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn write_pdf(pages: Vec<Page>, title: &str) -> Result<Vec<u8>> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let cid = Ref::new(4);
    let descriptor = Ref::new(5);
    let info = Ref::new(6);
    let first_page = 7;
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr(concat!(
            "anjuan ",
            env!("CARGO_PKG_VERSION")
        )));
    let ids: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(first_page + 2 * i),
                Ref::new(first_page + 2 * i + 1),
            )
        })
        .collect();
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    for ((page_id, content_id), page) in ids.iter().zip(pages) {
        let mut p = pdf.page(*page_id);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .contents(*content_id);
        p.resources().fonts().pair(Name(b"F1"), font);
        p.finish();
        pdf.stream(*content_id, &page.content.finish());
    }
    pdf.type0_font(font)
        .base_font(Name(b"STSong-Light"))
        .encoding_predefined(Name(b"UniGB-UCS2-H"))
        .descendant_font(cid);
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type0)
        .base_font(Name(b"STSong-Light"))
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"GB1"),
            supplement: 4,
        })
        .font_descriptor(descriptor)
        .default_width(1000.0);
    // Adobe-GB1's half-width Latin (CIDs 1–95).
    c.widths().same(1, 95, 500.0);
    c.finish();
    pdf.font_descriptor(descriptor)
        .name(Name(b"STSong-Light"))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(-25.0, -254.0, 1000.0, 880.0))
        .italic_angle(0.0)
        .ascent(880.0)
        .descent(-120.0)
        .cap_height(880.0)
        .stem_v(93.0);
    Ok(pdf.finish())
}

/// One row of the batch summary.
pub struct SummaryRow<'a> {
    pub header: &'a SheetHeader,
    pub score: &'a Score,
}

/// The batch summary: one row per volume (档号, 题名, 当事人, total, grade, veto,
/// then what each item lost), written to `path` as XLSX.
pub fn summary_xlsx(
    sheet: &ScoreSheet,
    rows: &[SummaryRow<'_>],
    path: &std::path::Path,
) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("评查汇总")?;
    let bold = Format::new().set_bold();
    let items: Vec<&super::scoring::Item> =
        sheet.categories.iter().flat_map(|c| &c.items).collect();
    let mut heads: Vec<String> = [
        "案卷标识",
        "档号",
        "案卷题名",
        "当事人",
        "得分",
        "等级",
        "一票否决",
    ]
    .map(String::from)
    .to_vec();
    heads.extend(
        items
            .iter()
            .map(|i| format!("{} {}（{}分）扣分", i.id, i.name, fmt_points(i.points))),
    );
    for (c, h) in heads.iter().enumerate() {
        ws.write_with_format(0, c as u16, h.as_str(), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let h = row.header;
        ws.write(r, 0, h.volume.as_str())?;
        ws.write(r, 1, h.archival_code.as_deref().unwrap_or(""))?;
        ws.write(r, 2, h.title.as_deref().unwrap_or(""))?;
        ws.write(r, 3, h.party.as_deref().unwrap_or(""))?;
        ws.write(r, 4, row.score.total)?;
        ws.write(r, 5, row.score.grade.as_str())?;
        let veto = row
            .score
            .veto
            .as_ref()
            .map_or(String::new(), |v| format!("{} {}", v.item, v.code));
        ws.write(r, 6, veto.as_str())?;
        for (k, item) in items.iter().enumerate() {
            let lost = row
                .score
                .items
                .iter()
                .find(|i| i.id == item.id)
                .map_or(0.0, |i| i.deducted);
            ws.write(r, 7 + k as u16, lost)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    let tmp = path.with_extension("xlsx.tmp");
    book.save(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_inside_its_width_by_character_class() {
        assert_eq!(width("评查ab", 10.0), 30.0);
        let lines = wrap("一二三四五六七八九十", 10.0, 35.0);
        assert_eq!(lines, ["一二三", "四五六", "七八九", "十"]);
        assert_eq!(ucs2("评A"), [0x8B, 0xC4, 0x00, 0x41]);
        assert_eq!(ucs2("𠀀"), [0x30, 0x13]);
        assert_eq!(fmt_points(87.5), "87.5");
        assert_eq!(fmt_points(90.0), "90");
    }

    #[test]
    fn a_long_sheet_goes_on_to_a_second_page() {
        let sheet = ScoreSheet::builtin();
        let findings: Vec<_> = (1..=60)
            .map(|p| {
                crate::model::Finding::new(
                    "page_without_number",
                    crate::model::Severity::Warning,
                    "第 N 张扫描页夹在相邻页号章之间，没有页号：是空白背面还是夹入的页？",
                )
                .on_page(Some(p))
            })
            .collect();
        let score = super::super::scoring::score(sheet, &findings, &[]);
        let pdf = score_sheet_pdf(
            sheet,
            &SheetHeader::default(),
            &score,
            "评查员",
            "2026-12-03",
        )
        .unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/Count 2"), "two pages");
        assert!(text.contains("/STSong-Light") && text.contains("/UniGB-UCS2-H"));
    }
}
