//! 检索 (search) screen: full-text and field search across volumes; a hit opens
//! its page with the lines that hold the terms outlined.

use egui::{Color32, RichText};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;
use crate::catalogue::SearchHit;

/// The results column never narrows below this (points): a hit reads on a line
/// or two, not wrapped over ten.
const MIN_RESULTS_WIDTH: f32 = 380.0;

pub fn search_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal(|ui| {
        let label = ui.label(t.word("query"));
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
        .show(ui, |ui| results(ui, t, app));
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
    let overlay = |painter: &egui::Painter, image: egui::Rect| {
        for line in &row.lines {
            let text = crate::text::normalize_punctuation(&line.text).to_lowercase();
            if terms.iter().any(|term| text.contains(&term.to_lowercase())) {
                super::page_canvas::outline(
                    painter,
                    image,
                    line.bbox,
                    6.0,
                    egui::Stroke::new(3.0, Color32::from_rgb(240, 180, 0)),
                    Some(Color32::from_rgba_unmultiplied(255, 220, 0, 70)),
                );
            }
        }
        // Every hit is marked alike; none is the one evidence.
        None
    };
    super::views::page_image(ui, t, app, &row, false, Some(Box::new(overlay)));
}

/// The hits as filtered now, grouped by volume in the order of their best hit.
fn grouped_hits(app: &WorkstationApp) -> Vec<(String, Vec<SearchHit>)> {
    let filters = &app.view.search;
    let row = |id: &str| app.data.rows.iter().find(|r| r.id == id);
    let keep = |h: &SearchHit| {
        let r = row(&h.volume);
        filters
            .year
            .is_none_or(|y| r.is_some_and(|r| r.year == Some(y)))
            && contains(r.and_then(|r| r.party.as_deref()), &filters.party)
            && contains(r.and_then(|r| r.case_cause.as_deref()), &filters.cause)
            && filters
                .kind
                .as_ref()
                .is_none_or(|k| filters.kinds.get(&(h.volume.clone(), h.page)) == Some(k))
    };
    let mut groups: Vec<(String, Vec<SearchHit>)> = Vec::new();
    for h in app.view.search.hits.iter().filter(|h| keep(h)) {
        match groups.iter_mut().find(|(v, _)| *v == h.volume) {
            Some((_, hits)) => hits.push(h.clone()),
            None => groups.push((h.volume.clone(), vec![h.clone()])),
        }
    }
    groups
}

/// An empty filter keeps everything; else the value must hold it.
fn contains(value: Option<&str>, filter: &str) -> bool {
    let filter = filter.trim();
    filter.is_empty() || value.is_some_and(|v| v.contains(filter))
}

/// The results column: count, filters, the hits by volume; ↑/↓ step through them.
fn results(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal_wrapped(|ui| {
        let years = super::views::volume_years(app);
        let state = &mut app.view.search;
        super::views::year_filter(ui, t, "search_year", &mut state.year, &years);
        let label = ui.label(t.field("party"));
        ui.add(egui::TextEdit::singleline(&mut state.party).desired_width(110.0))
            .labelled_by(label.id);
        let label = ui.label(t.field("case_cause"));
        ui.add(egui::TextEdit::singleline(&mut state.cause).desired_width(110.0))
            .labelled_by(label.id);
        let table = crate::indexing::kinds::KindTable::builtin();
        let present: std::collections::BTreeSet<&String> = state.kinds.values().collect();
        let label = ui.label(t.kind);
        let shown = state
            .kind
            .as_deref()
            .map_or(t.word("all_kinds"), |k| table.name(k));
        let mut chosen = state.kind.clone();
        egui::ComboBox::from_id_salt("search_kind")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, None, t.word("all_kinds"));
                for k in present {
                    ui.selectable_value(&mut chosen, Some(k.clone()), table.name(k));
                }
            })
            .response
            .labelled_by(label.id);
        state.kind = chosen;
    });
    let groups = grouped_hits(app);
    let total: usize = groups.iter().map(|(_, hits)| hits.len()).sum();
    if app.view.search.hits.is_empty() {
        if !app.view.search.query.is_empty() {
            ui.label(t.no_hits);
        }
    } else {
        ui.label(RichText::new(t.hit_count(total, groups.len())).strong());
    }
    ui.separator();
    // ↑/↓ (when no field is being typed in): the previous or next hit.
    let flat: Vec<(String, u32)> = groups
        .iter()
        .flat_map(|(v, hits)| hits.iter().map(move |h| (v.clone(), h.page)))
        .collect();
    let step = if ui.ctx().egui_wants_keyboard_input() || flat.is_empty() {
        0
    } else {
        ui.input(|i| {
            if i.key_pressed(egui::Key::ArrowDown) {
                1
            } else if i.key_pressed(egui::Key::ArrowUp) {
                -1
            } else {
                0
            }
        })
    };
    {
        if step != 0 {
            let at = flat
                .iter()
                .position(|x| Some(x) == app.view.search.open.as_ref());
            let next = match at {
                Some(i) => (i as i64 + step).clamp(0, flat.len() as i64 - 1) as usize,
                None => 0,
            };
            let (volume, page) = flat[next].clone();
            app.push(Command::OpenHit { volume, page });
        }
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (volume, hits) in &groups {
            let headline = app
                .data
                .rows
                .iter()
                .find(|r| &r.id == volume)
                .map_or_else(|| hits[0].volume_name.clone(), |r| r.headline());
            ui.label(
                RichText::new(format!("{headline}（{}）", hits.len()))
                    .strong()
                    .color(Color32::from_rgb(40, 110, 200)),
            );
            for h in hits {
                let open = app.view.search.open == Some((h.volume.clone(), h.page));
                let head = match &h.field {
                    Some(f) => format!("p.{} · {} {}", h.page, t.field_hit, field_label(t, f)),
                    None => format!("p.{}", h.page),
                };
                let r = ui.selectable_label(open, RichText::new(head).strong());
                if open && step != 0 {
                    r.scroll_to_me(None);
                }
                ui.label(highlighted(ui, &h.snippet));
                if r.clicked() {
                    app.push(Command::OpenHit {
                        volume: h.volume.clone(),
                        page: h.page,
                    });
                }
            }
            ui.separator();
        }
    });
}

/// The snippet with the matched text (between 【】) highlighted.
fn highlighted(ui: &egui::Ui, snippet: &str) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::TextFormat {
        font_id: egui::TextStyle::Body.resolve(ui.style()),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let hit = egui::TextFormat {
        background: Color32::from_rgba_unmultiplied(255, 220, 0, 110),
        ..plain.clone()
    };
    let mut rest = snippet;
    while let Some(open) = rest.find('【') {
        job.append(&rest[..open], 0.0, plain.clone());
        let after = &rest[open + '【'.len_utf8()..];
        let close = after.find('】').unwrap_or(after.len());
        job.append(&after[..close], 0.0, hit.clone());
        rest = after.get(close + '】'.len_utf8()..).unwrap_or("");
    }
    job.append(rest, 0.0, plain);
    job
}

fn field_label(t: &Texts, key: &str) -> String {
    match key.rsplit_once(':') {
        Some((doc, name)) => format!("{} {}", doc.trim_start_matches("doc:"), t.field(name)),
        None => t.field(key).to_string(),
    }
}
