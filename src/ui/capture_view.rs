//! 采集 (capture) screen: the page grid with its tools — scan, choose pages (click,
//! Ctrl, Shift, Ctrl+A), turn, mark blank, delete to the trash, insert or replace
//! a page in place from the scanner or a file, reorder by dragging — the scan
//! dialog and the trash.

use egui::{Color32, RichText, Sense, Stroke, Vec2};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;
use super::views::{badge, page_facts};
use crate::capture::scanner::{Mode, Source};
use crate::catalogue::{PageRow, Placement};
use crate::imaging::Overrides;

/// "Insert before page 3" / "Replace page 3".
pub fn place_text(t: &Texts, pages: &[PageRow], place: Placement) -> String {
    let seq = |id: i64| pages.iter().find(|p| p.id == id).map_or(0, |p| p.seq);
    match place {
        Placement::Append => String::new(),
        Placement::Before(id) => t.cap("place_before").replace("{}", &seq(id).to_string()),
        Placement::Replace(id) => t.cap("place_replace").replace("{}", &seq(id).to_string()),
    }
}

/// The chosen pages, in volume order.
fn selection(app: &WorkstationApp) -> Vec<PageRow> {
    app.data
        .pages
        .iter()
        .filter(|p| app.view.capture.selected.contains(&p.id))
        .cloned()
        .collect()
}

/// The same decision for every chosen page.
fn decide_all(app: &mut WorkstationApp, pages: &[PageRow], f: impl Fn(&PageRow) -> Overrides) {
    let list = pages.iter().map(|p| (p.id, f(p))).collect();
    app.push(Command::OverrideMany(list));
}

/// The page turned clockwise by `by` degrees more than it is now.
/// Turned back to the machine's own choice, the page is the machine's again.
pub(crate) fn turned(p: &PageRow, by: u32) -> Overrides {
    let current = p.overrides.rotation.or(p.rotation).unwrap_or(0);
    let automatic = p.overrides.automatic_rotation.or_else(|| {
        p.overrides
            .rotation
            .is_none()
            .then_some(p.rotation)
            .flatten()
    });
    let rotation = (current + by) % 360;
    Overrides {
        rotation: (Some(rotation) != automatic).then_some(rotation),
        automatic_rotation: automatic,
        ..p.overrides.clone()
    }
}

/// Step of a manual straightening (the clerk's finger on `[` / `]`).
pub(crate) const SKEW_STEP_DEG: f32 = 0.5;

/// The page straightened by `delta` degrees more (positive: clockwise), starting
/// from what was applied, to a tenth of a degree.
pub(crate) fn straightened(p: &PageRow, delta: f32) -> Overrides {
    let applied = p
        .overrides
        .skew_deg
        .or(p.imaging.as_ref().map(|r| r.skew_applied))
        .unwrap_or(0.0);
    Overrides {
        skew_deg: Some(((applied + delta) * 10.0).round() / 10.0),
        ..p.overrides.clone()
    }
}

/// The page's straightening set to `skew` (None: as measured).
pub(crate) fn with_skew(p: &PageRow, skew: Option<f32>) -> Overrides {
    Overrides {
        skew_deg: skew,
        ..p.overrides.clone()
    }
}

fn toolbar(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let chosen = selection(app);
    let first = chosen.first().map(|p| p.id);
    let one = (chosen.len() == 1).then(|| chosen[0].id);
    // Shortcuts act on the chosen pages while no text field has the keyboard.
    let keys = if ui.ctx().egui_wants_keyboard_input() {
        Default::default()
    } else {
        ui.ctx().input(|i| {
            let plain = !i.modifiers.any();
            (
                i.modifiers.command && i.key_pressed(egui::Key::A),
                plain && i.key_pressed(egui::Key::L),
                plain && i.key_pressed(egui::Key::R),
                plain && i.key_pressed(egui::Key::B),
                plain && i.key_pressed(egui::Key::Delete),
                plain && i.key_pressed(egui::Key::Escape),
                plain && i.key_pressed(egui::Key::OpenBracket),
                plain && i.key_pressed(egui::Key::CloseBracket),
            )
        })
    };
    let (all_key, left_key, right_key, blank_key, delete_key, esc_key, ccw_key, cw_key) = keys;
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.cap("scan")).clicked() {
            app.push(Command::OpenScanDialog(Placement::Append));
        }
        ui.separator();
        let some = !chosen.is_empty();
        let insert_at = first.map_or(Placement::Append, Placement::Before);
        if ui.button(t.cap("insert_file")).clicked() {
            app.push(Command::OpenPlaceFileDialog(insert_at));
        }
        if ui.button(t.cap("insert_scan")).clicked() {
            app.push(Command::OpenScanDialog(insert_at));
        }
        if ui
            .add_enabled(one.is_some(), egui::Button::new(t.cap("replace_file")))
            .clicked()
            && let Some(id) = one
        {
            app.push(Command::OpenPlaceFileDialog(Placement::Replace(id)));
        }
        if ui
            .add_enabled(one.is_some(), egui::Button::new(t.cap("rescan")))
            .clicked()
            && let Some(id) = one
        {
            app.push(Command::OpenScanDialog(Placement::Replace(id)));
        }
        ui.separator();
        let r = ui
            .add_enabled(some, egui::Button::new(t.rotate_left))
            .on_hover_text("L");
        if r.clicked() || (some && left_key) {
            decide_all(app, &chosen, |p| turned(p, 270));
        }
        let r = ui
            .add_enabled(some, egui::Button::new(t.rotate_right))
            .on_hover_text("R");
        if r.clicked() || (some && right_key) {
            decide_all(app, &chosen, |p| turned(p, 90));
        }
        // One button for the whole choice: all blank → unmark, else mark.
        let all_blank = some && chosen.iter().all(|p| p.blank == Some(true));
        let label = if all_blank {
            t.unmark_blank
        } else {
            t.mark_blank
        };
        let r = ui
            .add_enabled(some, egui::Button::new(label))
            .on_hover_text("B");
        if r.clicked() || (some && blank_key) {
            decide_all(app, &chosen, |p| Overrides {
                blank: Some(!all_blank),
                ..p.overrides.clone()
            });
        }
        let r = ui
            .add_enabled(some, egui::Button::new(t.cap("skew_ccw")))
            .on_hover_text(format!("{} ([)", t.cap("skew_hint")));
        if r.clicked() || (some && ccw_key) {
            decide_all(app, &chosen, |p| straightened(p, -SKEW_STEP_DEG));
        }
        let r = ui
            .add_enabled(some, egui::Button::new(t.cap("skew_cw")))
            .on_hover_text(format!("{} (])", t.cap("skew_hint")));
        if r.clicked() || (some && cw_key) {
            decide_all(app, &chosen, |p| straightened(p, SKEW_STEP_DEG));
        }
        // Straightening off for the choice, or back to what was measured.
        let all_off = some && chosen.iter().all(|p| p.overrides.skew_deg == Some(0.0));
        let (label, skew) = if all_off {
            (t.cap("auto_skew"), None)
        } else {
            (t.cap("no_skew"), Some(0.0))
        };
        if ui.add_enabled(some, egui::Button::new(label)).clicked() {
            decide_all(app, &chosen, |p| with_skew(p, skew));
        }
        let r = ui
            .add_enabled(some, egui::Button::new(t.cap("delete")))
            .on_hover_text("Delete");
        if r.clicked() || (some && delete_key) {
            app.push(Command::RemovePages(chosen.iter().map(|p| p.id).collect()));
        }
        ui.separator();
        ui.checkbox(&mut app.view.viewer.show_original, t.original)
            .on_hover_text(t.cap("original_hint"));
        let trash = format!("{} ({})", t.cap("trash"), app.view.capture.trash.len());
        if ui.button(trash).clicked() {
            app.push(Command::ShowTrash(!app.view.capture.trash_open));
        }
        if ui
            .button(t.cap("select_all"))
            .on_hover_text("Ctrl+A")
            .clicked()
            || all_key
        {
            app.push(Command::SelectAll);
        }
        if some && (ui.button(t.cap("select_none")).clicked() || esc_key) {
            app.push(Command::ClearSelection);
        }
        let hint = if some {
            t.cap("selected").replace("{}", &chosen.len().to_string())
        } else {
            t.cap("selection_hint").to_string()
        };
        ui.label(RichText::new(hint).small().weak());
    });
}

pub fn capture_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    if app.view.volume.is_none() {
        ui.horizontal(|ui| {
            if ui.button(t.cap("scan")).clicked() {
                app.push(Command::OpenScanDialog(Placement::Append));
            }
        });
        ui.centered_and_justified(|ui| ui.label(t.select_volume));
        return;
    }
    toolbar(ui, t, app);
    ui.separator();
    grid(ui, t, app);
}

fn grid(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    // A clerk checking a volume's order wants many small pages, one checking
    // a seal a few large ones.
    let mut height = app.prefs.thumb_height();
    ui.horizontal(|ui| {
        let label = ui.label(t.word("thumb_size"));
        let slider = ui
            .add(egui::Slider::new(&mut height, super::prefs::THUMB_HEIGHTS).show_value(false))
            .labelled_by(label.id);
        if slider.changed() {
            app.prefs.thumb_height = Some(height);
        }
        if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
            app.prefs.save(&app.home);
        }
    });
    // A4 proportions.
    let thumb = Vec2::new(height * 0.705, height);
    let gap = 14.0;
    let columns = ((ui.available_width() + gap) / (thumb.x + gap))
        .floor()
        .max(1.0) as usize;
    // A volume of a thousand pages: only the rows in sight are laid out, at
    // positions from each row's height as last drawn (an estimate until then).
    let count = app.data.pages.len();
    let rows = count.div_ceil(columns);
    let mut heights = std::mem::take(&mut app.view.capture.row_heights);
    if app.view.capture.grid_columns != columns {
        heights.clear();
        app.view.capture.grid_columns = columns;
    }
    heights.resize(rows, thumb.y + 3.0 * gap);
    let top_of =
        |heights: &[f32], row: usize| -> f32 { heights[..row].iter().map(|h| h + gap).sum() };
    let mut area = egui::ScrollArea::vertical();
    if let Some(row) = app
        .view
        .capture
        .reveal
        .take()
        .and_then(|id| app.data.pages.iter().position(|p| p.id == id))
        .map(|i| i / columns)
    {
        area = area.vertical_scroll_offset(top_of(&heights, row));
    }
    area.show_viewport(ui, |ui, viewport| {
        ui.spacing_mut().item_spacing = Vec2::new(gap, gap);
        let whole = top_of(&heights, rows) - gap;
        ui.set_height(whole.max(0.0));
        let origin = ui.max_rect().top();
        let mut y = 0.0;
        for (row, height) in heights.iter_mut().enumerate() {
            if y + *height >= viewport.min.y && y <= viewport.max.y {
                let rect = egui::Rect::from_x_y_ranges(
                    ui.max_rect().x_range(),
                    origin + y..=origin + y + *height,
                );
                let cells = row * columns..((row + 1) * columns).min(count);
                let drawn = ui.scope_builder(
                    egui::UiBuilder::new()
                        .max_rect(rect)
                        .id_salt(("grid_row", row)),
                    |ui| {
                        // Rows of whole thumbnails (groups do not wrap by themselves).
                        ui.horizontal_top(|ui| {
                            for i in cells {
                                let Some(p) = app.data.pages.get(i).cloned() else {
                                    break;
                                };
                                ui.vertical(|ui| {
                                    ui.set_width(thumb.x);
                                    thumbnail(ui, t, app, &p, thumb);
                                });
                            }
                        });
                    },
                );
                *height = drawn.response.rect.height();
            }
            y += *height + gap;
        }
    });
    app.view.capture.row_heights = heights;
}

fn thumbnail(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp, p: &PageRow, size: Vec2) {
    let blank = p.blank == Some(true);
    let selected = app.view.capture.selected.contains(&p.id);
    let resp = match app.images.thumb(p, app.view.viewer.show_original) {
        Some(tex) => ui.add(
            egui::Image::new(tex)
                .fit_to_exact_size(size)
                // Blank backs stay in the volume, greyed out.
                .tint(if blank {
                    Color32::from_gray(110)
                } else {
                    Color32::WHITE
                })
                .sense(Sense::click_and_drag()),
        ),
        None => {
            let (rect, resp) = ui.allocate_exact_size(size, Sense::click_and_drag());
            ui.painter().rect_filled(rect, 2.0, Color32::from_gray(60));
            resp
        }
    };
    if selected {
        ui.painter().rect_stroke(
            resp.rect.expand(3.0),
            3.0,
            Stroke::new(3.0, Color32::from_rgb(40, 120, 220)),
            egui::StrokeKind::Outside,
        );
    }
    // Drag a page (or the chosen pages it belongs to) onto another: they go before it.
    resp.dnd_set_drag_payload(p.id);
    if resp.dnd_hover_payload::<i64>().is_some_and(|d| *d != p.id) {
        let r = resp.rect;
        ui.painter().line_segment(
            [
                r.left_top() - Vec2::new(7.0, 0.0),
                r.left_bottom() - Vec2::new(7.0, 0.0),
            ],
            Stroke::new(4.0, Color32::from_rgb(240, 180, 0)),
        );
    }
    if let Some(dragged) = resp.dnd_release_payload::<i64>()
        && *dragged != p.id
    {
        let ids = if app.view.capture.selected.contains(&dragged) {
            selection(app).iter().map(|s| s.id).collect()
        } else {
            vec![*dragged]
        };
        app.push(Command::MovePages {
            ids,
            before: Some(p.id),
        });
    }
    let caption = ui
        .horizontal(|ui| {
            let r = ui.add(egui::Label::new(t.page_n(p.seq)).sense(Sense::click()));
            badge(ui, t, p.state);
            r
        })
        .inner;
    let (toggle, range) = ui.ctx().input(|i| (i.modifiers.command, i.modifiers.shift));
    if resp.clicked() || caption.clicked() {
        if toggle || range {
            app.push(Command::SelectPage {
                id: p.id,
                toggle,
                range,
            });
        } else {
            app.push(Command::SelectPage {
                id: p.id,
                toggle: false,
                range: false,
            });
            app.push(Command::OpenPage(p.id));
        }
    }
    page_facts(ui, t, p);
    if let Some(err) = &p.error {
        ui.label(RichText::new(err).small().color(Color32::LIGHT_RED))
            .on_hover_text(err);
    }
}

pub fn scan_dialog(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let has_volume = app.view.volume.is_some();
    let place = app
        .view
        .capture
        .scan_dialog
        .as_ref()
        .map(|d| place_text(t, &app.data.pages, d.placement));
    let Some(d) = app.view.capture.scan_dialog.as_mut() else {
        return;
    };
    let mut commands = Vec::new();
    egui::Window::new(t.cap("scan_title"))
        .collapsible(false)
        .resizable(false)
        .show(ui.ctx(), |ui| {
            if let Some(place) = place.filter(|p| !p.is_empty()) {
                ui.label(RichText::new(place).strong());
            } else {
                ui.horizontal(|ui| {
                    ui.radio_value(&mut d.new_volume, true, t.cap("into_new"));
                    ui.add_enabled_ui(has_volume, |ui| {
                        ui.radio_value(&mut d.new_volume, false, t.cap("into_current"))
                    });
                });
            }
            let mut sources = Vec::new();
            egui::Grid::new("scan_settings")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(t.cap("scanner"));
                    match &d.devices {
                        None => {
                            ui.horizontal(|ui| {
                                ui.spinner();
                                ui.label(t.cap("finding_scanners"));
                            });
                        }
                        Some(Err(e)) => {
                            ui.colored_label(Color32::RED, e);
                        }
                        Some(Ok(list)) if list.is_empty() => {
                            ui.colored_label(Color32::RED, t.cap("no_scanner"));
                        }
                        Some(Ok(list)) => {
                            let current = d.settings.device.clone().unwrap_or_default();
                            let shown = list
                                .iter()
                                .find(|(dev, _)| dev.name == current)
                                .map_or(current.clone(), |(dev, _)| dev.label());
                            egui::ComboBox::from_id_salt("scanner")
                                .selected_text(shown)
                                .show_ui(ui, |ui| {
                                    for (dev, _) in list {
                                        ui.selectable_value(
                                            &mut d.settings.device,
                                            Some(dev.name.clone()),
                                            dev.label(),
                                        );
                                    }
                                });
                            if let Some((_, caps)) =
                                list.iter().find(|(dev, _)| dev.name == current)
                            {
                                sources = caps.sources.clone();
                            }
                        }
                    }
                    ui.end_row();
                    ui.label(t.cap("source"));
                    ui.horizontal(|ui| {
                        for (s, key) in [
                            (Source::Flatbed, "flatbed"),
                            (Source::Adf, "adf"),
                            (Source::Duplex, "duplex"),
                        ] {
                            // Sources the device lacks are shown but cannot be chosen.
                            let offered = sources.is_empty() || s.pick(&sources).is_some();
                            ui.add_enabled_ui(offered, |ui| {
                                ui.radio_value(&mut d.settings.source, s, t.cap(key))
                            });
                        }
                    });
                    ui.end_row();
                    ui.label(t.cap("resolution"));
                    ui.horizontal(|ui| {
                        ui.add(egui::DragValue::new(&mut d.settings.resolution).range(200..=1200));
                        if d.settings.resolution < 300 {
                            ui.colored_label(
                                Color32::from_rgb(200, 110, 20),
                                t.cap("low_resolution"),
                            );
                        }
                    });
                    ui.end_row();
                    ui.label(t.cap("mode"));
                    ui.horizontal(|ui| {
                        for (m, key) in [
                            (Mode::Color, "color"),
                            (Mode::Gray, "gray"),
                            (Mode::Lineart, "lineart"),
                        ] {
                            ui.radio_value(&mut d.settings.mode, m, t.cap(key));
                        }
                    });
                    ui.end_row();
                });
            ui.horizontal(|ui| {
                let ready = matches!(&d.devices, Some(Ok(l)) if !l.is_empty());
                if ui
                    .add_enabled(ready, egui::Button::new(t.cap("scan_go")))
                    .clicked()
                {
                    commands.push(Command::Scan {
                        settings: d.settings.clone(),
                        new_volume: d.new_volume && matches!(d.placement, Placement::Append),
                        placement: d.placement,
                    });
                }
                if ui.button(t.cancel).clicked() {
                    commands.push(Command::CloseScanDialog);
                }
            });
        });
    for c in commands {
        app.push(c);
    }
}

/// Height of a page's picture in the trash (points).
const TRASH_THUMB_HEIGHT: f32 = 72.0;

pub fn trash_window(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    if !app.view.capture.trash_open {
        return;
    }
    let mut open = true;
    let mut commands = Vec::new();
    egui::Window::new(t.cap("trash"))
        .open(&mut open)
        // At the side, so the grid stays in reach.
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 80.0])
        .default_size([420.0, 320.0])
        .show(ui.ctx(), |ui| {
            if app.view.capture.trash.is_empty() {
                ui.label(t.cap("trash_empty"));
                return;
            }
            if ui.button(t.cap("restore_all")).clicked() {
                commands.push(Command::RestorePages(
                    app.view.capture.trash.iter().map(|p| p.trash_id).collect(),
                ));
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                egui::Grid::new("trash_grid").striped(true).show(ui, |ui| {
                    let trash = app.view.capture.trash.clone();
                    for p in &trash {
                        // The page as it was, small, so the clerk sees what comes back.
                        let row = app.view.capture.trash_rows.get(&p.trash_id).cloned();
                        match row.as_ref().and_then(|r| app.images.thumb(r, false)) {
                            Some(tex) => {
                                let [w, h] = tex.size().map(|v| v as f32);
                                let height = TRASH_THUMB_HEIGHT;
                                ui.add(
                                    egui::Image::new(tex).fit_to_exact_size(Vec2::new(
                                        w / h.max(1.0) * height,
                                        height,
                                    )),
                                );
                            }
                            None => {
                                ui.label("");
                            }
                        }
                        ui.label(t.cap("was_page").replace("{}", &p.seq.to_string()));
                        ui.label(
                            RichText::new(crate::model::time::local_display(&p.removed_at)).small(),
                        );
                        ui.label(RichText::new(&p.actor).small());
                        if ui.small_button(t.cap("restore")).clicked() {
                            commands.push(Command::RestorePages(vec![p.trash_id]));
                        }
                        ui.end_row();
                    }
                });
            });
        });
    if !open {
        commands.push(Command::ShowTrash(false));
    }
    for c in commands {
        app.push(c);
    }
}
