//! Puts the CJK font first in egui's font families (egui has no CJK glyphs).

/// Installs the CJK font; returns false (and logs) when none is found.
pub fn install(ctx: &egui::Context) -> bool {
    let Ok((bytes, index)) = crate::fonts::cjk_font_bytes() else {
        tracing::warn!(
            "no CJK font found; Chinese labels will not render (install fonts-noto-cjk)"
        );
        return false;
    };
    let mut fonts = egui::FontDefinitions::default();
    let mut data = egui::FontData::from_owned(bytes);
    data.index = index;
    fonts
        .font_data
        .insert("cjk".into(), std::sync::Arc::new(data));
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .insert(0, "cjk".into());
    }
    ctx.set_fonts(fonts);
    true
}
