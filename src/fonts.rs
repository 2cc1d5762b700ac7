//! The CJK font used by the UI and by the sample-page renderer.
//!
//! egui and our renderer carry no CJK glyphs, so a real font must be loaded or
//! Chinese renders as boxes. The set-up installs Noto Sans CJK (`fonts-noto-cjk`).

use std::path::PathBuf;

/// A font file and the face inside it (a `.ttc` holds several).
#[derive(Debug, Clone)]
pub struct FontFile {
    pub path: PathBuf,
    pub index: u32,
}

/// Known locations, Simplified Chinese face first. `ANJUAN_CJK_FONT` overrides.
pub fn cjk_font() -> Option<FontFile> {
    if let Some(p) = std::env::var_os("ANJUAN_CJK_FONT") {
        let path = PathBuf::from(p);
        if path.exists() {
            return Some(FontFile { path, index: 0 });
        }
    }
    // Face 2 of the Noto CJK collections is the Simplified Chinese one.
    const KNOWN: &[(&str, u32)] = &[
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
        ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
        (
            "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
            2,
        ),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ];
    KNOWN.iter().find_map(|(p, i)| {
        let path = PathBuf::from(p);
        path.exists().then_some(FontFile { path, index: *i })
    })
}

/// The font's bytes, or a message that says how to get one.
pub fn cjk_font_bytes() -> anyhow::Result<(Vec<u8>, u32)> {
    let f = cjk_font().ok_or_else(|| {
        anyhow::anyhow!(
            "no CJK font found: install fonts-noto-cjk (`make setup` does) or set ANJUAN_CJK_FONT"
        )
    })?;
    Ok((std::fs::read(&f.path)?, f.index))
}
