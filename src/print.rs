//! Printable A4 forms as PDF: the 评查表, the 移交接收登记表.
//!
//! Small and plain: text is set in Adobe's standard Simplified Chinese font
//! (STSong-Light, encoding UniGB-UCS2-H), which PDF readers supply themselves
//! (Acrobat with its Asian font pack; browsers, poppler and PDFium map it to an
//! installed CJK font), so nothing is embedded and a form is a few kilobytes.
//! Text is laid out on an estimate of its width (a Chinese character one em,
//! Latin half), wrapped inside its cell; tables go on to new pages.

use anyhow::Result;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// A4 in points.
pub const A4: (f32, f32) = (595.0, 842.0);
pub const MARGIN: f32 = 50.0;
/// Room kept under a table for what follows it (totals, signatures).
const FOOT_ROOM: f32 = 90.0;

/// Width of `text` at `size` points, on the estimate above.
pub fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `text` cut into lines no wider than `max` points.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
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
        // GB2312's middle dot is U+30FB: U+00B7 (in every 档号) has no glyph.
        .map(|c| if c == '·' { '・' } else { c })
        .flat_map(|c| u16::try_from(c as u32).unwrap_or(0x3013).to_be_bytes())
        .collect()
}

/// A form being laid out, top to bottom; `y` is the distance from the top edge
/// of the current page to the next line.
pub struct Form {
    pages: Vec<Content>,
    pub y: f32,
}

impl Default for Form {
    fn default() -> Self {
        Form::new()
    }
}

impl Form {
    pub fn new() -> Form {
        Form {
            pages: vec![Content::new()],
            y: MARGIN,
        }
    }

    /// The usable width between the margins.
    pub fn full_width() -> f32 {
        A4.0 - 2.0 * MARGIN
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("never empty")
    }

    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = MARGIN;
    }

    /// Text with its top at `top`, from `x`.
    pub fn text(&mut self, x: f32, top: f32, size: f32, text: &str) {
        let baseline = A4.1 - top - size * 0.88;
        self.page()
            .begin_text()
            .set_font(Name(b"F1"), size)
            .next_line(x, baseline)
            .show(Str(&ucs2(text)))
            .end_text();
    }

    /// A line of text centred on the page; the cursor moves below it.
    pub fn centred(&mut self, size: f32, text: &str) {
        for line in wrap(text, size, Self::full_width()) {
            self.text((A4.0 - width(&line, size)) / 2.0, self.y, size, &line);
            self.y += size * 1.45;
        }
    }

    pub fn rule(&mut self, x1: f32, top1: f32, x2: f32, top2: f32) {
        self.page()
            .move_to(x1, A4.1 - top1)
            .line_to(x2, A4.1 - top2)
            .stroke();
    }

    /// `label：value` lines, the value wrapped beside its label.
    pub fn fields(&mut self, size: f32, label_width: f32, fields: &[(&str, String)]) {
        for (label, value) in fields {
            self.text(MARGIN, self.y, size, &format!("{label}："));
            for l in wrap(value, size, Self::full_width() - label_width) {
                self.text(MARGIN + label_width, self.y, size, &l);
                self.y += size * 1.45;
            }
        }
    }

    /// A ruled table: `cols` are the x of each column's left edge and the right
    /// edge last; the first row is the header, repeated on each new page.
    pub fn table(&mut self, cols: &[f32], rows: &[Vec<String>], size: f32) {
        let lines = |cells: &[String]| -> Vec<Vec<String>> {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| wrap(c, size, cols[i + 1] - cols[i] - 6.0))
                .collect()
        };
        let line_height = size * 1.35;
        let (left, right) = (cols[0], *cols.last().expect("a table has columns"));
        let mut header_here = false;
        for (n, cells) in rows.iter().enumerate() {
            let mut draw: Vec<&Vec<String>> = vec![cells];
            let height_of = |c: &Vec<String>| {
                lines(c).iter().map(Vec::len).max().unwrap_or(1) as f32 * line_height + 6.0
            };
            if n > 0 && self.y + height_of(cells) > A4.1 - MARGIN - FOOT_ROOM {
                self.new_page();
                header_here = false;
            }
            if n > 0 && !header_here {
                draw.insert(0, &rows[0]);
            }
            for cells in draw {
                let height = height_of(cells);
                let top = self.y;
                if n == 0 || !header_here {
                    self.rule(left, top, right, top);
                    header_here = true;
                }
                for (i, cell) in lines(cells).iter().enumerate() {
                    for (k, l) in cell.iter().enumerate() {
                        self.text(cols[i] + 3.0, top + 3.0 + k as f32 * line_height, size, l);
                    }
                }
                for &x in cols {
                    self.rule(x, top, x, top + height);
                }
                self.rule(left, top + height, right, top + height);
                self.y = top + height;
            }
        }
    }

    /// A signature line: 「label：name ____  日期：date ____」.
    pub fn signature(&mut self, size: f32, label: &str, name: &str, date: &str) {
        let who = format!("{label}：{name}");
        self.text(MARGIN, self.y, size, &who);
        let under = self.y + size * 1.25;
        self.rule(
            MARGIN + width(&who, size) + 2.0,
            under,
            MARGIN + 230.0,
            under,
        );
        let when = format!("日期：{date}");
        self.text(MARGIN + 260.0, self.y, size, &when);
        self.rule(
            MARGIN + 260.0 + width(&when, size) + 2.0,
            under,
            A4.0 - MARGIN,
            under,
        );
        self.y += size * 2.8;
    }

    /// The PDF, each page numbered 「第 n 页 共 N 页」.
    pub fn finish(mut self, title: &str) -> Result<Vec<u8>> {
        let count = self.pages.len();
        for i in 0..count {
            let foot = format!("第 {} 页 共 {count} 页", i + 1);
            let baseline = MARGIN - 24.0;
            self.pages[i]
                .begin_text()
                .set_font(Name(b"F1"), 8.0)
                .next_line((A4.0 - width(&foot, 8.0)) / 2.0, baseline)
                .show(Str(&ucs2(&foot)))
                .end_text();
        }
        write_pdf(self.pages, title)
    }
}

fn write_pdf(pages: Vec<Content>, title: &str) -> Result<Vec<u8>> {
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
    for ((page_id, content_id), content) in ids.iter().zip(pages) {
        let mut p = pdf.page(*page_id);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, A4.0, A4.1))
            .contents(*content_id);
        p.resources().fonts().pair(Name(b"F1"), font);
        p.finish();
        pdf.stream(*content_id, &content.finish());
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
        assert_eq!(ucs2("·"), [0x30, 0xFB]);
    }

    #[test]
    fn a_long_table_goes_on_to_new_pages_with_its_header() {
        let mut f = Form::new();
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| vec![format!("第{i}行"), "内容".repeat(i % 7 + 1)])
            .collect();
        f.table(&[MARGIN, 200.0, A4.0 - MARGIN], &rows, 9.0);
        let pdf = f.finish("测试").unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "several pages"
        );
        assert!(text.contains("/STSong-Light") && text.contains("/UniGB-UCS2-H"));
    }
}
