//! Searchable PDF: each page is its image with an invisible text layer on top.
//!
//! Written directly with `pdf-writer` rather than through PDFium: PDFium can only
//! add text in a font it embeds in full (7–11 MB of CJK glyphs per file), while an
//! invisible layer needs no glyphs at all. Like Tesseract's and OCRmyPDF's renderers,
//! we use a glyph-less font ([`super::glyphless`]) with CID = UTF-16 code unit and a
//! ToUnicode map, so search and copy give the exact text. Each line is stretched
//! (`Tz`) over its box, so selection follows the image. JPEG images go in unchanged.
//!
//! Objects are written to the output one at a time as they are made (each page's
//! image is loaded only while its object is written), with our own
//! cross-reference table at the end, so a volume's PDF never sits in memory whole.

use std::io::Write;

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode};
use pdf_writer::writers::{Catalog, DocumentInfo};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Rect, Ref, Str, TextStr};

use super::glyphless;
use crate::model::TextLine;

/// One page to write (its image comes from the loader given to
/// [`write_searchable_pdf`]: JPEG, embedded as is, or PNG).
pub struct PdfPage<'a> {
    pub image_ext: &'a str,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: u32,
    pub lines: &'a [TextLine],
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// Number of colour components of a JPEG, from its frame header.
fn jpeg_components(jpeg: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            return jpeg.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

/// ToUnicode map: code = UTF-16 code unit. Ranges never cross a high-byte boundary,
/// as the CMap rules ask; surrogates are left out.
fn to_unicode_cmap() -> Vec<u8> {
    let ranges: Vec<u16> = (0u16..=0xFF)
        .filter(|h| !(0xD8..=0xDF).contains(h))
        .collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in ranges.chunks(100) {
        s.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for h in chunk {
            s.push_str(&format!("<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n"));
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

/// Writes indirect objects to the output one at a time and remembers where each
/// begins, for the cross-reference table.
struct ObjectWriter<W: Write> {
    out: W,
    position: u64,
    /// Byte offset of object `n` at index `n - 1`.
    offsets: Vec<Option<u64>>,
}

impl<W: Write> ObjectWriter<W> {
    fn new(mut out: W, objects: usize) -> Result<Self> {
        // The binary marker tells transfer programs that the file is not text.
        let header = b"%PDF-1.7\n%\x80\x80\x80\x80\n";
        out.write_all(header)?;
        Ok(ObjectWriter {
            out,
            position: header.len() as u64,
            offsets: vec![None; objects],
        })
    }

    /// Writes the one object that `build` puts into a fresh chunk.
    fn object(&mut self, id: Ref, build: impl FnOnce(&mut Chunk)) -> Result<()> {
        let mut chunk = Chunk::new();
        build(&mut chunk);
        let slot = (id.get() as usize)
            .checked_sub(1)
            .and_then(|i| self.offsets.get_mut(i))
            .context("object number out of range")?;
        *slot = Some(self.position);
        self.out.write_all(chunk.as_bytes())?;
        self.position += chunk.len() as u64;
        Ok(())
    }

    /// The cross-reference table and trailer (ISO 32000-1 §7.5.4–7.5.5).
    fn finish(mut self, catalog: Ref, info: Ref) -> Result<u64> {
        let start = self.position;
        let mut x = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len() + 1);
        for (n, offset) in self.offsets.iter().enumerate() {
            let offset = offset.with_context(|| format!("object {} was never written", n + 1))?;
            x.push_str(&format!("{offset:010} 00000 n\r\n"));
        }
        x.push_str(&format!(
            "trailer\n<<\n  /Size {}\n  /Root {} 0 R\n  /Info {} 0 R\n>>\nstartxref\n{start}\n%%EOF",
            self.offsets.len() + 1,
            catalog.get(),
            info.get()
        ));
        self.out.write_all(x.as_bytes())?;
        self.out.flush()?;
        Ok(start + x.len() as u64)
    }
}

/// Writes the pages as one PDF to `out`; `image(i)` gives page `i`'s image
/// bytes when they are needed. Returns the number of bytes written.
pub fn write_searchable_pdf(
    out: impl Write,
    pages: &[PdfPage<'_>],
    title: &str,
    mut image: impl FnMut(usize) -> Result<Vec<u8>>,
) -> Result<u64> {
    if pages.is_empty() {
        bail!("a PDF needs at least one page");
    }
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog_id, pages_id, info_id) = (alloc(), alloc(), alloc());
    let (font_id, cid_id, descriptor_id, file_id, cmap_id, map_id) =
        (alloc(), alloc(), alloc(), alloc(), alloc(), alloc());
    let page_ids: Vec<(Ref, Ref, Ref)> =
        pages.iter().map(|_| (alloc(), alloc(), alloc())).collect();
    let mut pdf = ObjectWriter::new(out, next as usize - 1)?;

    pdf.object(catalog_id, |c| {
        c.indirect(catalog_id).start::<Catalog>().pages(pages_id);
    })?;
    pdf.object(pages_id, |c| {
        c.pages(pages_id)
            .kids(page_ids.iter().map(|(p, _, _)| *p))
            .count(pages.len() as i32);
    })?;
    pdf.object(info_id, |c| {
        c.indirect(info_id)
            .start::<DocumentInfo>()
            .title(TextStr(title))
            .producer(TextStr(&format!("anjuan {}", crate::VERSION)));
    })?;

    // The glyph-less font, shared by all pages.
    let name = Name(b"GlyphLessFont");
    pdf.object(font_id, |c| {
        c.type0_font(font_id)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);
    })?;
    pdf.object(cid_id, |c| {
        c.cid_font(cid_id)
            .subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"Identity"),
                supplement: 0,
            })
            .font_descriptor(descriptor_id)
            .default_width(glyphless::ADVANCE as f32)
            .cid_to_gid_map_stream(map_id);
    })?;
    pdf.object(descriptor_id, |c| {
        c.font_descriptor(descriptor_id)
            .name(name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(0.0, -120.0, glyphless::ADVANCE as f32, 880.0))
            .italic_angle(0.0)
            .ascent(880.0)
            .descent(-120.0)
            .cap_height(880.0)
            .stem_v(80.0)
            .font_file2(file_id);
    })?;
    let font = glyphless::font();
    let packed_font = deflate(&font);
    pdf.object(file_id, |c| {
        c.stream(file_id, &packed_font)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), font.len() as i32);
    })?;
    let cmap = deflate(&to_unicode_cmap());
    pdf.object(cmap_id, |c| {
        c.stream(cmap_id, &cmap).filter(Filter::FlateDecode);
    })?;
    // Every CID draws glyph 1.
    let map: Vec<u8> = (0..=0xFFFFu32).flat_map(|_| [0u8, 1u8]).collect();
    let map = deflate(&map);
    pdf.object(map_id, |c| {
        c.stream(map_id, &map).filter(Filter::FlateDecode);
    })?;

    for (i, (page, &(page_id, content_id, image_id))) in pages.iter().zip(&page_ids).enumerate() {
        let k = 72.0 / page.dpi.max(1) as f32;
        let (w_pt, h_pt) = (page.width_px as f32 * k, page.height_px as f32 * k);
        let bytes = image(i)?;
        let mut failed = None;
        pdf.object(image_id, |c| {
            failed = write_image(c, image_id, page, &bytes).err();
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        drop(bytes);

        let mut c = Content::new();
        c.save_state();
        c.transform([w_pt, 0.0, 0.0, h_pt, 0.0, 0.0]);
        c.x_object(Name(b"Im0"));
        c.restore_state();
        c.begin_text();
        c.set_text_rendering_mode(TextRenderingMode::Invisible);
        for line in page.lines {
            let units: Vec<u16> = line
                .text
                .chars()
                .map(|ch| {
                    if (ch as u32) < 0x10000 {
                        ch as u32 as u16
                    } else {
                        0xFFFD
                    }
                })
                .collect();
            let [left, top, width, height] = line.bbox.map(|v| v as f32);
            if units.is_empty() || width <= 0.0 || height <= 0.0 {
                continue;
            }
            let size = height * k;
            let natural = units.len() as f32 * size * glyphless::ADVANCE as f32
                / glyphless::UNITS_PER_EM as f32;
            let baseline = h_pt - (top + height) * k + 0.12 * size;
            c.set_font(Name(b"F0"), size);
            c.set_horizontal_scaling(100.0 * width * k / natural);
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, left * k, baseline]);
            let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
            c.show(Str(&bytes));
        }
        c.end_text();
        let content = deflate(&c.finish().into_vec());
        pdf.object(content_id, |c| {
            c.stream(content_id, &content).filter(Filter::FlateDecode);
        })?;
        pdf.object(page_id, |c| {
            let mut p = c.page(page_id);
            p.media_box(Rect::new(0.0, 0.0, w_pt, h_pt));
            p.parent(pages_id);
            p.contents(content_id);
            let mut res = p.resources();
            res.x_objects().pair(Name(b"Im0"), image_id);
            res.fonts().pair(Name(b"F0"), font_id);
            res.finish();
            p.finish();
        })?;
    }
    pdf.finish(catalog_id, info_id)
}

/// The whole PDF in memory (for small documents and tests).
pub fn searchable_pdf_bytes(
    pages: &[PdfPage<'_>],
    title: &str,
    image: impl FnMut(usize) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_searchable_pdf(&mut out, pages, title, image)?;
    Ok(out)
}

fn write_image(pdf: &mut Chunk, id: Ref, page: &PdfPage<'_>, image: &[u8]) -> Result<()> {
    match page.image_ext {
        "jpg" => {
            let comps = jpeg_components(image).context("the page JPEG has no frame header")?;
            let mut x = pdf.image_xobject(id, image);
            x.width(page.width_px as i32)
                .height(page.height_px as i32)
                .bits_per_component(8)
                .filter(Filter::DctDecode);
            match comps {
                1 => x.color_space().device_gray(),
                3 => x.color_space().device_rgb(),
                4 => {
                    x.color_space().device_cmyk();
                    x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
                }
                n => bail!("a JPEG with {n} components cannot go into the PDF"),
            }
        }
        _ => {
            let img = image::load_from_memory(image).context("the page image cannot be read")?;
            let gray = crate::imaging::convert::to_gray(&img);
            let bilevel = gray.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255);
            if bilevel {
                // 1 bit per pixel, 1 = white, rows padded to bytes.
                let (w, h) = gray.dimensions();
                let stride = (w as usize).div_ceil(8);
                let mut bits = vec![0u8; stride * h as usize];
                for (x, y, p) in gray.enumerate_pixels() {
                    if p.0[0] == 255 {
                        bits[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
                    }
                }
                let data = deflate(&bits);
                let mut x = pdf.image_xobject(id, &data);
                x.width(w as i32)
                    .height(h as i32)
                    .bits_per_component(1)
                    .filter(Filter::FlateDecode);
                x.color_space().device_gray();
            } else {
                let rgb = img.to_rgb8();
                let data = deflate(rgb.as_raw());
                let mut x = pdf.image_xobject(id, &data);
                x.width(rgb.width() as i32)
                    .height(rgb.height() as i32)
                    .bits_per_component(8)
                    .filter(Filter::FlateDecode);
                x.color_space().device_rgb();
            }
        }
    }
    Ok(())
}
