//! A tiny TrueType font whose glyphs draw nothing, for the invisible text layer.
//!
//! The same idea as Tesseract's and OCRmyPDF's "GlyphLessFont": the text layer needs
//! a font only so that viewers can place, select and copy the characters; the
//! Unicode comes from the ToUnicode map. Embedding a real CJK font would add 7–11 MB
//! to every PDF; this one is a few hundred bytes. Built here, table by table.

/// Units per em; every glyph advances half an em (see `ADVANCE`).
pub const UNITS_PER_EM: u16 = 1000;
pub const ADVANCE: u16 = 500;

fn table_checksum(data: &[u8]) -> u32 {
    let mut sum = 0u32;
    for chunk in data.chunks(4) {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        sum = sum.wrapping_add(u32::from_be_bytes(w));
    }
    sum
}

fn be16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_be_bytes());
}
fn be32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_be_bytes());
}

/// The font's bytes: two empty glyphs (`.notdef` and the one every CID maps to).
pub fn font() -> Vec<u8> {
    let num_glyphs = 2u16;
    // head
    let mut head = Vec::new();
    be32(&mut head, 0x0001_0000); // version
    be32(&mut head, 0x0001_0000); // fontRevision
    be32(&mut head, 0); // checkSumAdjustment, patched below
    be32(&mut head, 0x5F0F_3CF5); // magicNumber
    be16(&mut head, 0x000B); // flags
    be16(&mut head, UNITS_PER_EM);
    head.extend_from_slice(&[0; 16]); // created, modified
    for v in [0i16, -120, ADVANCE as i16, 880] {
        be16(&mut head, v as u16); // xMin yMin xMax yMax
    }
    be16(&mut head, 0); // macStyle
    be16(&mut head, 8); // lowestRecPPEM
    be16(&mut head, 2); // fontDirectionHint
    be16(&mut head, 0); // indexToLocFormat: short
    be16(&mut head, 0); // glyphDataFormat
    // hhea
    let mut hhea = Vec::new();
    be32(&mut hhea, 0x0001_0000);
    be16(&mut hhea, 880); // ascender
    be16(&mut hhea, (-120i16) as u16); // descender
    be16(&mut hhea, 0); // lineGap
    be16(&mut hhea, ADVANCE); // advanceWidthMax
    for _ in 0..3 {
        be16(&mut hhea, 0); // minLSB, minRSB, xMaxExtent
    }
    be16(&mut hhea, 1); // caretSlopeRise
    for _ in 0..6 {
        be16(&mut hhea, 0); // caretSlopeRun, caretOffset, reserved ×4
    }
    be16(&mut hhea, 0); // metricDataFormat
    be16(&mut hhea, num_glyphs); // numberOfHMetrics
    // maxp 1.0
    let mut maxp = Vec::new();
    be32(&mut maxp, 0x0001_0000);
    be16(&mut maxp, num_glyphs);
    for v in [0u16, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0] {
        be16(&mut maxp, v);
    }
    // hmtx
    let mut hmtx = Vec::new();
    for _ in 0..num_glyphs {
        be16(&mut hmtx, ADVANCE);
        be16(&mut hmtx, 0);
    }
    // loca (short) and glyf: every glyph empty.
    let mut loca = Vec::new();
    for _ in 0..=num_glyphs {
        be16(&mut loca, 0);
    }
    let glyf = vec![0u8; 4];
    // cmap: format 4 with only the required final segment (CIDToGIDMap does the mapping).
    let mut cmap = Vec::new();
    be16(&mut cmap, 0); // version
    be16(&mut cmap, 1); // numTables
    be16(&mut cmap, 3); // platform Windows
    be16(&mut cmap, 1); // encoding Unicode BMP
    be32(&mut cmap, 12); // offset
    for v in [4u16, 24, 0, 2, 2, 0, 0, 0xFFFF, 0, 0xFFFF, 1, 0] {
        // format, length, language, segCountX2, searchRange, entrySelector, rangeShift,
        // endCode, reservedPad, startCode, idDelta, idRangeOffset
        be16(&mut cmap, v);
    }
    // name: family and PostScript name.
    let name_str: Vec<u8> = "GlyphLessFont"
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    let mut name = Vec::new();
    be16(&mut name, 0);
    be16(&mut name, 2);
    be16(&mut name, 6 + 2 * 12);
    for id in [1u16, 6] {
        for v in [3u16, 1, 0x409, id, name_str.len() as u16, 0] {
            be16(&mut name, v);
        }
    }
    name.extend_from_slice(&name_str);
    // post 3.0
    let mut post = Vec::new();
    be32(&mut post, 0x0003_0000);
    be32(&mut post, 0);
    be16(&mut post, (-100i16) as u16);
    be16(&mut post, 50);
    be32(&mut post, 1); // isFixedPitch
    post.extend_from_slice(&[0; 16]);

    let mut tables: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"cmap", cmap),
        (b"glyf", glyf),
        (b"head", head),
        (b"hhea", hhea),
        (b"hmtx", hmtx),
        (b"loca", loca),
        (b"maxp", maxp),
        (b"name", name),
        (b"post", post),
    ];
    tables.sort_by_key(|(tag, _)| **tag);
    let n = tables.len() as u16;
    let mut out = Vec::new();
    be32(&mut out, 0x0001_0000);
    be16(&mut out, n);
    let entry_selector = 15 - n.leading_zeros() as u16; // floor(log2 n)
    let search_range = (1u16 << entry_selector) * 16;
    be16(&mut out, search_range);
    be16(&mut out, entry_selector);
    be16(&mut out, n * 16 - search_range);
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    let mut head_at = 0;
    for (tag, data) in &tables {
        out.extend_from_slice(*tag);
        be32(&mut out, table_checksum(data));
        be32(&mut out, offset as u32);
        be32(&mut out, data.len() as u32);
        if *tag == b"head" {
            head_at = offset;
        }
        let mut d = data.clone();
        while d.len() % 4 != 0 {
            d.push(0);
        }
        offset += d.len();
        body.extend(d);
    }
    out.extend(body);
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(table_checksum(&out));
    out[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_parses_with_two_empty_glyphs() {
        let bytes = font();
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        let f = ab_glyph::FontRef::try_from_slice(&bytes).expect("valid TrueType");
        use ab_glyph::Font;
        assert_eq!(f.glyph_count(), 2);
        assert_eq!(f.units_per_em(), Some(UNITS_PER_EM as f32));
        // Whole-font checksum rule of the TrueType spec.
        assert_eq!(table_checksum(&bytes), 0xB1B0_AFBA);
    }
}
