//! 检索 (search) screen: full-text and field search across volumes; a hit opens
//! its page with the lines that hold the terms outlined.

use egui::{Color32, RichText, Vec2};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;

/// The results column never narrows below this (points): a hit reads on a line
/// or two, not wrapped over ten.
const MIN_RESULTS_WIDTH: f32 = 380.0;

pub fn search_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal(|ui| {
        let label = ui.label(t.search_go);
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut app.view.search.query)
                    .hint_text(t.search_hint)
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if enter || ui.button(t.search_go).clicked() {
            app.push(Command::Search(app.view.search.query.clone()));
        }
    });
    ui.separator();
    let terms = crate::catalogue::search::query_terms(&app.view.search.query);
    let hits = egui::Panel::left("search_hits")
        .default_size(460.0)
        .min_size(MIN_RESULTS_WIDTH)
        .resizable(true)
        .show(ui, |ui| {
            if app.view.search.hits.is_empty() && !app.view.search.query.is_empty() {
                ui.label(t.no_hits);
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for h in app.view.search.hits.clone() {
                    let open = app.view.search.open == Some((h.volume.clone(), h.page));
                    let head = match &h.field {
                        Some(f) => format!(
                            "{} · p.{} · {} {}",
                            h.volume_name,
                            h.page,
                            t.field_hit,
                            field_label(t, f)
                        ),
                        None => format!("{} · p.{}", h.volume_name, h.page),
                    };
                    let r = ui.selectable_label(open, RichText::new(head).strong());
                    ui.label(&h.snippet);
                    ui.separator();
                    if r.clicked() {
                        app.push(Command::OpenHit {
                            volume: h.volume.clone(),
                            page: h.page,
                        });
                    }
                }
            });
        });
    // Named for assistive technology (and found by the layout tests).
    let label = t.word("results");
    ui.interact(
        hits.response.rect,
        ui.scope_id().with("results"),
        egui::Sense::hover(),
    )
    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::List, true, label));
    let Some((volume, seq)) = app.view.search.open.clone() else {
        return;
    };
    if app.view.volume.as_deref() != Some(volume.as_str()) {
        return;
    }
    let Some(row) = app.data.pages.iter().find(|p| p.seq == seq).cloned() else {
        return;
    };
    let Some(tex) = app.images.full(&row, false).cloned() else {
        ui.centered_and_justified(|ui| ui.spinner());
        return;
    };
    let [tw, th] = tex.size().map(|v| v as f32);
    let k = row.width.max(row.height) as f32 / tw.max(th);
    let size = Vec2::new(tw * k, th * k);
    let overlay = |painter: &egui::Painter, image: egui::Rect| {
        for line in &row.lines {
            let text = crate::text::normalize_punctuation(&line.text).to_lowercase();
            if terms.iter().any(|term| text.contains(&term.to_lowercase())) {
                let [x, y, w, h] = line.bbox.map(|v| v as f32);
                let rect = egui::Rect::from_min_size(image.min + Vec2::new(x, y), Vec2::new(w, h))
                    .expand(6.0);
                painter.rect_filled(rect, 2.0, Color32::from_rgba_unmultiplied(255, 220, 0, 70));
                painter.rect_stroke(
                    rect,
                    2.0,
                    egui::Stroke::new(3.0, Color32::from_rgb(240, 180, 0)),
                    egui::StrokeKind::Outside,
                );
            }
        }
    };
    super::page_canvas::page_canvas(
        ui,
        t,
        "search_page",
        &mut app.view.viewer.scene_rect,
        &tex,
        size,
        Some(Box::new(overlay)),
    );
}

fn field_label(t: &Texts, key: &str) -> String {
    match key.rsplit_once(':') {
        Some((doc, name)) => format!("{} {}", doc.trim_start_matches("doc:"), t.field(name)),
        None => t.field(key).to_string(),
    }
}
