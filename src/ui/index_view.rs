//! 著录 (indexing) screen: documents of the volume on the left (split, merge,
//! kind), the page with the selected value's source box in the middle, the form
//! on the right (Enter confirms and moves on, F2 jumps to the next doubtful
//! value), the 卷内目录 below. Views push commands; the form's text buffers and
//! the focus are transient view state.

use egui::{Color32, RichText, Vec2};

use super::app::{Command, IndexTab, WorkstationApp, de_word};
use super::i18n::Texts;
use crate::indexing::kinds::KindTable;
use crate::indexing::{DOCUMENT_FIELDS, Field, Target, VOLUME_FIELDS, VolumeIndex};
use crate::review::double_entry::{EntryState, FieldEntry};

/// Width of the form column (points).
const SIDE_WIDTH: f32 = 400.0;
/// The narrowest the side column may be dragged.
const MIN_SIDE: f32 = 320.0;
/// Width of a value in the form: the label, the value and its marks fit the column.
const FIELD_WIDTH: f32 = 170.0;

/// Below this a proposal is doubtful and stands out.
pub const DOUBTFUL: f32 = 0.8;

fn doubtful(f: &Field) -> bool {
    !f.corrected && (f.value.is_none() || f.confidence < DOUBTFUL)
}

fn doubt_colour() -> Color32 {
    Color32::from_rgba_unmultiplied(230, 140, 30, 60)
}

/// The document holding the shown page (index into `documents`).
fn current_doc(index: &VolumeIndex, page: u32) -> Option<usize> {
    let doc = index.pages.iter().find(|p| p.seq == page)?.document?;
    index.documents.iter().position(|d| d.seq == doc)
}

/// Every editable value in form order: (correction target, label, field).
fn form_fields<'a>(
    t: &Texts,
    index: &'a VolumeIndex,
    doc: Option<usize>,
) -> Vec<(Target, String, &'a Field)> {
    let mut out: Vec<(Target, String, &Field)> = VOLUME_FIELDS
        .iter()
        .filter_map(|field| {
            let f = index.fields.get(field.key)?;
            Some((
                Target::Field(field.key.to_string()),
                t.field(field.key).to_string(),
                f,
            ))
        })
        .collect();
    if let Some(d) = doc.map(|i| &index.documents[i]) {
        for name in DOCUMENT_FIELDS {
            let f = match *name {
                "title" => &d.title,
                "doc_no" => &d.doc_no,
                "responsible" => &d.responsible,
                _ => &d.date,
            };
            out.push((
                Target::DocField(d.first_page, name.to_string()),
                format!("{} · {}", d.seq, t.field(name)),
                f,
            ));
        }
    }
    out
}

pub fn index_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let Some(index) = app.data.index.clone() else {
        ui.centered_and_justified(|ui| ui.label(t.not_indexed));
        return;
    };
    let shown = app
        .view
        .index
        .page
        .filter(|s| index.pages.iter().any(|p| p.seq == *s))
        .or_else(|| index.pages.first().map(|p| p.seq));
    let Some(shown) = shown else { return };
    let doc = current_doc(&index, shown);
    let fields = form_fields(t, &index, doc);

    if ui.input(|i| i.key_pressed(egui::Key::F2)) {
        let keys: Vec<String> = fields.iter().map(|f| f.0.key()).collect();
        let from = app
            .view
            .index
            .focused_field
            .as_ref()
            .and_then(|k| keys.iter().position(|x| x == k))
            .map_or(0, |i| i + 1);
        let next = (0..fields.len())
            .map(|i| (from + i) % fields.len())
            .find(|&i| doubtful(fields[i].2));
        if let Some(i) = next {
            app.view.index.focus_request = Some(keys[i].clone());
        }
    }

    // One column beside the page, its width the clerk's (a splitter) and never
    // the content's (so that confirming a value never moves the page): the
    // form, the documents and the 卷内目录 as tabs; the page takes the rest,
    // never less than half the window.
    let widest = (ui.available_width() - ui.ctx().content_rect().width() / 2.0).max(MIN_SIDE);
    egui::Panel::right("index_side")
        .default_size(SIDE_WIDTH.min(widest))
        .size_range(MIN_SIDE..=widest)
        .resizable(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                for (tab, label) in [
                    (IndexTab::Form, t.word("tab_form")),
                    (IndexTab::Documents, t.documents),
                    (IndexTab::Contents, t.word("tab_contents")),
                    (IndexTab::DoubleEntry, t.word("tab_double_entry")),
                ] {
                    if ui
                        .selectable_label(app.view.index.tab == tab, label)
                        .clicked()
                    {
                        app.view.index.tab = tab;
                    }
                }
                super::views::claim_widgets(ui, t, app, crate::model::Stage::Index);
            });
            ui.separator();
            match app.view.index.tab {
                IndexTab::Form => form(ui, t, app, &fields),
                IndexTab::Documents => documents(ui, t, app, &index, shown, doc),
                IndexTab::Contents => contents_table(ui, t, &index),
                IndexTab::DoubleEntry => double_entry(ui, t, app),
            }
        });
    // Keying blind: the page without the boxes of the first keying's evidence.
    let outlined = if app.view.index.tab == IndexTab::DoubleEntry {
        &[][..]
    } else {
        &fields[..]
    };
    page_view(ui, t, app, &index, shown, outlined);
}

/// 一稿双录: the decisive fields keyed again from the page without the first
/// keying in sight, each field's state, and — for anyone but the two keyers —
/// the disagreements to settle with both values.
fn double_entry(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let entries = app.data.double_entry.clone();
    let me = app.home.operator().to_string();
    ui.heading(t.word("double_entry"));
    ui.label(RichText::new(t.word("double_entry_hint")).small().weak());
    ui.separator();
    let mut submit = false;
    egui::Grid::new("second_keying")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for e in &entries {
                let label = ui.label(t.field(e.field));
                // Keyed while it waits, or again by a keyer who may have mistyped.
                if e.state.is_open() {
                    let buffer = app
                        .view
                        .index
                        .second_edits
                        .entry(e.field.to_string())
                        .or_default();
                    let edit = egui::TextEdit::singleline(buffer)
                        .desired_width(FIELD_WIDTH)
                        .id_salt(("second", e.field));
                    let size = Vec2::new(FIELD_WIDTH, ui.spacing().interact_size.y);
                    let r = ui.add_sized(size, edit).labelled_by(label.id);
                    submit |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                } else {
                    ui.label("");
                }
                let colour = match e.state {
                    EntryState::Pending => ui.visuals().weak_text_color(),
                    EntryState::Match | EntryState::Settled => Color32::from_rgb(40, 140, 60),
                    EntryState::Mismatch => Color32::from_rgb(200, 60, 40),
                };
                ui.label(RichText::new(t.word(de_word(e.state))).color(colour));
                ui.end_row();
            }
        });
    let typed: Vec<(String, String)> = app
        .view
        .index
        .second_edits
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(f, v)| (f.clone(), v.trim().to_string()))
        .collect();
    let button = ui.add_enabled(
        !typed.is_empty(),
        egui::Button::new(t.word("submit_second")),
    );
    if (button.clicked() || submit) && !typed.is_empty() {
        app.push(Command::KeySecond(typed));
    }

    let disputed: Vec<_> = entries
        .iter()
        .filter(|e| e.state == EntryState::Mismatch)
        .collect();
    if disputed.is_empty() {
        return;
    }
    ui.separator();
    ui.heading(t.word("settle_heading"));
    let keyer = |e: &FieldEntry| e.keyed_by(&me);
    if disputed.iter().all(|e| keyer(e)) {
        // The keyers never see the other's value: that would unblind a re-keying.
        ui.label(RichText::new(t.word("settle_wait")).weak());
        return;
    }
    for e in disputed.into_iter().filter(|e| !keyer(e)) {
        let Some(second) = &e.second else { continue };
        ui.group(|ui| {
            ui.strong(t.field(e.field));
            let first = e.first.clone().unwrap_or_default();
            let first_by = e
                .first_by
                .clone()
                .unwrap_or_else(|| t.word("machine").into());
            ui.label(format!("{}：{first}（{first_by}）", t.word("first_keying")));
            ui.label(format!(
                "{}：{}（{}）",
                t.word("second_keying"),
                second.value,
                second.by
            ));
            ui.horizontal(|ui| {
                for (word, value) in [("take_first", &first), ("take_second", &second.value)] {
                    let value = if value.is_empty() {
                        "无"
                    } else {
                        value.as_str()
                    };
                    if ui.button(t.word(word)).clicked() {
                        app.push(Command::SettleSecond(vec![(e.field.into(), value.into())]));
                    }
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label(t.word("settled_value"));
                let buffer = app
                    .view
                    .index
                    .settle_edits
                    .entry(e.field.to_string())
                    .or_default();
                ui.add(
                    egui::TextEdit::singleline(buffer)
                        .desired_width(FIELD_WIDTH)
                        .id_salt(("settle", e.field)),
                )
                .labelled_by(label.id);
                let value = buffer.trim().to_string();
                if ui
                    .add_enabled(!value.is_empty(), egui::Button::new(t.word("settle")))
                    .clicked()
                {
                    app.push(Command::SettleSecond(vec![(e.field.into(), value)]));
                }
            });
        });
    }
}

fn documents(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    index: &VolumeIndex,
    shown: u32,
    doc: Option<usize>,
) {
    let table = KindTable::builtin();
    ui.heading(t.documents);
    ui.label(format!("{} / {}", index.item_count, index.page_count));
    page_strip(ui, t, app, index, shown);
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (i, d) in index.documents.iter().enumerate() {
            let selected = doc == Some(i);
            let mut text = RichText::new(format!(
                "{}. {}  {}  p.{}-{}",
                d.seq,
                table.name(&d.kind),
                d.title.value.as_deref().unwrap_or(""),
                d.first_page,
                d.last_page
            ));
            if d.kind_confidence.min(d.start_confidence) < DOUBTFUL {
                text = text.background_color(doubt_colour());
            }
            if ui.selectable_label(selected, text).clicked() {
                app.push(Command::ShowIndexPage(d.first_page));
            }
            if !selected {
                continue;
            }
            ui.indent(("doc", d.seq), |ui| {
                ui.horizontal_wrapped(|ui| {
                    for p in index.pages.iter().filter(|p| p.document == Some(d.seq)) {
                        let label = match p.page_no {
                            Some(n) => format!("p.{} ({n})", p.seq),
                            None => format!("p.{}", p.seq),
                        };
                        if ui.selectable_label(p.seq == shown, label).clicked() {
                            app.push(Command::ShowIndexPage(p.seq));
                        }
                    }
                });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(shown != d.first_page, egui::Button::new(t.split_here))
                        .clicked()
                    {
                        app.push(Command::Correct {
                            target: Target::Start(shown),
                            value: Some("true".into()),
                        });
                    }
                    if ui
                        .add_enabled(i > 0, egui::Button::new(t.merge_up))
                        .clicked()
                    {
                        app.push(Command::Correct {
                            target: Target::Start(d.first_page),
                            value: Some("false".into()),
                        });
                    }
                });
                let mut kind = d.kind.clone();
                egui::ComboBox::from_label(t.kind)
                    .selected_text(table.name(&kind))
                    .show_ui(ui, |ui| {
                        for k in &table.kinds {
                            ui.selectable_value(&mut kind, k.kind.clone(), &k.name);
                        }
                    });
                if kind != d.kind {
                    app.push(Command::Correct {
                        target: Target::Kind(d.first_page),
                        value: Some(kind),
                    });
                }
            });
        }
    });
}

/// Drag payload: a document boundary, known by the document's first page.
#[derive(Debug, Clone, Copy)]
struct Boundary(u32);

/// Every page of the volume in order, each document opened by a 【n mark that can
/// be dragged onto another page (the document then starts there) or onto another
/// mark (the two documents merge).
fn page_strip(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    index: &VolumeIndex,
    shown: u32,
) {
    ui.label(RichText::new(t.cap("strip_hint")).small().weak());
    let accent = Color32::from_rgb(40, 120, 220);
    let first_doc = index.documents.first().map(|d| d.first_page);
    // A mark dropped on page `to` (a page chip, or another mark: then the dragged
    // document merges into the one before it).
    let mut dropped = |resp: &egui::Response, to: u32| {
        if let Some(b) = resp.dnd_release_payload::<Boundary>()
            && b.0 != to
        {
            app.push(Command::MoveBoundary { from: b.0, to });
        }
    };
    let mut show = None;
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        for p in &index.pages {
            if let Some(d) = index.documents.iter().find(|d| d.first_page == p.seq) {
                let mark = RichText::new(format!("【{}", d.seq)).strong().color(accent);
                if Some(p.seq) == first_doc {
                    // The volume's first page always opens a document.
                    ui.label(mark);
                } else {
                    let handle = ui
                        .add(egui::Label::new(mark).sense(egui::Sense::click_and_drag()))
                        .on_hover_text(t.cap("boundary_hint"));
                    handle.dnd_set_drag_payload(Boundary(p.seq));
                    if handle.hovered() || handle.dragged() {
                        ui.ctx().set_cursor_icon(egui::CursorIcon::Grab);
                    }
                    dropped(&handle, p.seq);
                }
            }
            let mut label = RichText::new(p.seq.to_string());
            if p.page_no.is_none() {
                label = label.weak();
            }
            let chip = ui.selectable_label(p.seq == shown, label);
            if chip.clicked() {
                show = Some(p.seq);
            }
            if chip.dnd_hover_payload::<Boundary>().is_some() {
                let r = chip.rect;
                ui.painter().line_segment(
                    [r.left_top(), r.left_bottom()],
                    egui::Stroke::new(3.0, accent),
                );
            }
            dropped(&chip, p.seq);
        }
    });
    if let Some(seq) = show {
        app.push(Command::ShowIndexPage(seq));
    }
}

fn form(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    fields: &[(Target, String, &Field)],
) {
    ui.heading(t.volume_fields);
    ui.label(RichText::new(t.enter_confirms).small().weak());
    if ui.button(format!("{} (F2)", t.next_doubtful)).clicked() {
        let keys: Vec<String> = fields.iter().map(|f| f.0.key()).collect();
        if let Some(i) = fields.iter().position(|f| doubtful(f.2)) {
            app.view.index.focus_request = Some(keys[i].clone());
        }
    }
    ui.separator();
    let mut confirmed: Option<usize> = None;
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("fields")
            .num_columns(3)
            .striped(true)
            .show(ui, |ui| {
                for (i, (target, label, field)) in fields.iter().enumerate() {
                    let key = target.key();
                    let label = ui.label(label.as_str());
                    let buffer = app
                        .view
                        .index
                        .edits
                        .entry(key.clone())
                        .or_insert_with(|| field.value.clone().unwrap_or_default());
                    let mut edit = egui::TextEdit::singleline(buffer)
                        .desired_width(FIELD_WIDTH)
                        .id_salt(("field", &key));
                    if doubtful(field) {
                        edit = edit.background_color(doubt_colour());
                    }
                    // A fixed size: inside a Grid a text field otherwise keeps the
                    // narrow column width of the first frame.
                    let size = Vec2::new(FIELD_WIDTH, ui.spacing().interact_size.y);
                    let r = ui.add_sized(size, edit).labelled_by(label.id);
                    if app.view.index.focus_request.as_deref() == Some(key.as_str()) {
                        r.request_focus();
                        app.view.index.focus_request = None;
                    }
                    if r.gained_focus() {
                        app.view.index.focused_field = Some(key.clone());
                        if let Some(p) = field.page {
                            app.view.index.page = Some(p);
                        }
                    }
                    if r.lost_focus() && ui.input(|inp| inp.key_pressed(egui::Key::Enter)) {
                        let value = app.view.index.edits.get(&key).cloned().unwrap_or_default();
                        app.push(Command::Correct {
                            target: target.clone(),
                            value: Some(value.trim().to_string()),
                        });
                        confirmed = Some(i);
                    }
                    ui.horizontal(|ui| {
                        if field.corrected {
                            ui.label(
                                RichText::new(t.confirmed).color(Color32::from_rgb(40, 140, 60)),
                            );
                            if ui.small_button(t.undo_correction).clicked() {
                                app.push(Command::Correct {
                                    target: target.clone(),
                                    value: None,
                                });
                            }
                        } else if field.value.is_some() {
                            ui.label(format!("{:.0}%", field.confidence * 100.0));
                        }
                    });
                    ui.end_row();
                }
            });
        let findings = app
            .data
            .review
            .as_ref()
            .map(|r| r.findings.clone())
            .unwrap_or_default();
        if !findings.is_empty() {
            ui.separator();
            ui.heading(t.findings);
            super::views::findings_list(ui, t, app, &findings, Command::ShowIndexPage);
        }
    });
    // Keyboard flow: after Enter the next value takes the focus.
    if let Some(i) = confirmed
        && let Some(next) = fields.get(i + 1)
    {
        app.view.index.focus_request = Some(next.0.key());
    }
}

fn contents_table(ui: &mut egui::Ui, t: &Texts, index: &VolumeIndex) {
    let table = KindTable::builtin();
    ui.heading(t.contents);
    egui::ScrollArea::both().show(ui, |ui| {
        egui::Grid::new("contents")
            .num_columns(7)
            .striped(true)
            .show(ui, |ui| {
                for h in [
                    t.col_seq,
                    t.col_doc_no,
                    t.col_responsible,
                    t.col_title,
                    t.col_date,
                    t.col_pages,
                    t.col_remark,
                ] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                let counted = index.documents.iter().filter(|d| table.counted(&d.kind));
                for (n, d) in counted.enumerate() {
                    ui.label((n + 1).to_string());
                    ui.label(d.doc_no.value.as_deref().unwrap_or(""));
                    ui.label(d.responsible.value.as_deref().unwrap_or(""));
                    ui.label(d.title.value.as_deref().unwrap_or(""));
                    ui.label(
                        d.date
                            .value
                            .as_deref()
                            .map(|v| v.replace('-', ""))
                            .unwrap_or_default(),
                    );
                    ui.label(match (d.page_no_from, d.page_no_to) {
                        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                        (Some(a), _) => a.to_string(),
                        _ => String::new(),
                    });
                    ui.label("");
                    ui.end_row();
                }
            });
    });
}

fn page_view(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    index: &VolumeIndex,
    shown: u32,
    fields: &[(Target, String, &Field)],
) {
    let Some(row) = app.data.pages.iter().find(|p| p.seq == shown).cloned() else {
        return;
    };
    let highlight = app
        .view
        .index
        .focused_field
        .as_ref()
        .and_then(|k| fields.iter().find(|f| &f.0.key() == k))
        .and_then(|f| (f.2.page == Some(shown)).then_some(f.2.bbox).flatten());
    let stamp = index
        .pages
        .iter()
        .find(|p| p.seq == shown)
        .and_then(|p| p.page_no);
    ui.label(match stamp {
        Some(n) => format!("p.{shown} · 页号 {n}"),
        None => format!("p.{shown}"),
    });
    // The value's source on the page: its evidence.
    let overlay = move |painter: &egui::Painter, image: egui::Rect| {
        highlight.map(|bbox| {
            super::page_canvas::outline(
                painter,
                image,
                bbox,
                8.0,
                egui::Stroke::new(5.0, Color32::from_rgb(240, 180, 0)),
                None,
            )
        })
    };
    super::views::page_image(ui, t, app, &row, false, Some(Box::new(overlay)));
}
