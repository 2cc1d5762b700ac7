//! The views: they draw from the app's state and push commands; they never write.

use crate::model::{Finding, Severity};
use egui::{Color32, RichText, Sense, Vec2};

use super::app::{Command, ImportDialog, Screen, WorkstationApp};
use super::i18n::Texts;
use crate::model::PageState;

const LOW_CONFIDENCE: f32 = 0.6;

/// The whole window.
pub fn workstation(ui: &mut egui::Ui, app: &mut WorkstationApp) {
    let t = app.texts();
    keyboard(ui, app);
    egui::Panel::top("top").show(ui, |ui| top_bar(ui, t, app));
    if !app.messages.is_empty() {
        egui::Panel::bottom("messages").show(ui, |ui| messages(ui, t, app));
    }
    egui::Panel::left("volumes")
        .default_size(240.0)
        .resizable(true)
        .show(ui, |ui| volume_list(ui, t, app));
    egui::CentralPanel::default().show(ui, |ui| match app.view.screen {
        Screen::Capture if app.open_page().is_some() => viewer(ui, t, app),
        Screen::Capture => super::capture_view::capture_screen(ui, t, app),
        Screen::Index if app.view.volume.is_none() => {
            ui.centered_and_justified(|ui| ui.label(t.select_volume));
        }
        Screen::Index => super::index_view::index_screen(ui, t, app),
        Screen::Search => super::search_view::search_screen(ui, t, app),
        Screen::Package => super::package_view::package_screen(ui, t, app),
        Screen::Stats => super::stats_view::stats_screen(ui, t, app),
        Screen::Review => super::review_view::review_screen(ui, t, app),
        Screen::Settings => super::settings_view::settings_screen(ui, t, app),
    });
    import_dialog(ui, t, app);
    operator_chooser(ui, t, app);
    super::capture_view::scan_dialog(ui, t, app);
    super::capture_view::trash_window(ui, t, app);
    if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
        let screen = ui.ctx().content_rect();
        ui.ctx()
            .layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop"),
            ))
            .text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                t.drop_hint,
                egui::FontId::proportional(32.0),
                Color32::WHITE,
            );
    }
}

fn keyboard(ui: &egui::Ui, app: &mut WorkstationApp) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let (left, right, esc, import, original) = ui.ctx().input(|i| {
        (
            i.key_pressed(egui::Key::ArrowLeft) || i.key_pressed(egui::Key::PageUp),
            i.key_pressed(egui::Key::ArrowRight) || i.key_pressed(egui::Key::PageDown),
            i.key_pressed(egui::Key::Escape),
            i.modifiers.command && i.key_pressed(egui::Key::I),
            !i.modifiers.any() && i.key_pressed(egui::Key::O),
        )
    });
    if app.view.screen == Screen::Capture && app.open_page().is_some() {
        if left {
            app.push(Command::StepPage(-1));
        }
        if right {
            app.push(Command::StepPage(1));
        }
        if esc {
            app.push(Command::ClosePage);
        }
    }
    // Before/after: the viewer's page, or every thumbnail of the grid.
    if app.view.screen == Screen::Capture && original {
        app.view.viewer.show_original = !app.view.viewer.show_original;
    }
    if import {
        app.push(Command::OpenImportDialog);
    }
}

fn top_bar(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal(|ui| {
        ui.heading(t.app_title);
        ui.separator();
        const DIGITS: [egui::Key; 7] = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
        ];
        for ((screen, label), key) in [
            (Screen::Capture, t.screen_capture),
            (Screen::Index, t.screen_index),
            (Screen::Review, t.screen_review),
            (Screen::Search, t.screen_search),
            (Screen::Stats, t.word("screen_stats")),
            (Screen::Package, t.screen_package),
            (Screen::Settings, t.screen_settings),
        ]
        .into_iter()
        .zip(DIGITS)
        {
            // Ctrl+1 … Ctrl+7: the screens in the order shown.
            let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key);
            let keyed = ui.input_mut(|i| i.consume_shortcut(&shortcut));
            if ui
                .selectable_label(app.view.screen == screen, label)
                .on_hover_text(ui.ctx().format_shortcut(&shortcut))
                .clicked()
                || keyed
            {
                app.push(Command::SetScreen(screen));
            }
        }
        ui.separator();
        if ui.button(t.import).on_hover_text("Ctrl+I").clicked() {
            app.push(Command::OpenImportDialog);
        }
        let can_process = app.view.volume.is_some();
        if ui
            .add_enabled(can_process, egui::Button::new(t.process))
            .clicked()
        {
            app.push(Command::Process);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(t.switch_lang).clicked() {
                app.push(Command::ToggleLang);
            }
            if ui
                .button(format!("{}：{}", t.word("operator"), app.home.operator()))
                .on_hover_text(t.word("switch_operator"))
                .clicked()
            {
                app.push(Command::AskOperator);
            }
            let mut cancel = false;
            if let Some(task) = &app.task {
                cancel = ui.button(t.cancel).clicked();
                let name = match task.kind {
                    super::tasks::TaskKind::Import => t.task_import,
                    super::tasks::TaskKind::Process => t.task_process,
                    super::tasks::TaskKind::Sample => t.task_sample,
                    super::tasks::TaskKind::Package => t.task_package,
                    super::tasks::TaskKind::Scan => t.cap("scan_title"),
                };
                let text = if task.total > 0 {
                    format!("{name} {}/{}", task.done, task.total)
                } else {
                    name.to_string()
                };
                ui.add(
                    egui::ProgressBar::new(task.fraction())
                        .desired_width(260.0)
                        .text(text)
                        .animate(true),
                );
            }
            if cancel {
                app.push(Command::CancelTask);
            }
        });
    });
}

fn messages(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(t.error).color(Color32::RED).strong());
        ui.vertical(|ui| {
            for m in app.messages.iter().rev().take(5) {
                ui.label(m);
            }
        });
        if ui.button(t.close).clicked() {
            app.push(Command::DismissMessage);
        }
    });
}

/// The rows of the volume list as filtered and sorted now (the background rows
/// once ready, else the plain volumes by id).
pub(crate) fn listed_volumes(app: &WorkstationApp) -> Vec<crate::ops::overview::VolumeRow> {
    use super::app::VolumeOrder;
    use crate::ops::overview::{Stage, VolumeRow};
    let state = &app.view.volumes;
    let mut rows: Vec<VolumeRow> = if app.data.rows.len() == app.data.volumes.len() {
        app.data.rows.clone()
    } else {
        app.data
            .volumes
            .iter()
            .map(|v| VolumeRow {
                id: v.id.clone(),
                name: v.name.clone(),
                archival_code: None,
                title: None,
                party: None,
                case_cause: None,
                year: None,
                pages: v.pages,
                done: v.done,
                failed: v.failed,
                stage: if v.pages > 0 && v.done == v.pages {
                    Stage::Indexing
                } else {
                    Stage::Capture
                },
                errors: 0,
                warnings: 0,
            })
            .collect()
    };
    rows.retain(|r| {
        r.matches(&state.filter)
            && state.stage.is_none_or(|s| r.stage == s)
            && state.year.is_none_or(|y| r.year == Some(y))
    });
    let stage_rank = |s: Stage| Stage::ALL.iter().position(|x| *x == s);
    match state.order {
        VolumeOrder::Imported => {}
        VolumeOrder::ArchivalCode => rows.sort_by(|a, b| {
            (a.archival_code.is_none(), &a.archival_code)
                .cmp(&(b.archival_code.is_none(), &b.archival_code))
        }),
        VolumeOrder::Party => {
            rows.sort_by(|a, b| (a.party.is_none(), &a.party).cmp(&(b.party.is_none(), &b.party)))
        }
        VolumeOrder::Findings => rows.sort_by_key(|r| std::cmp::Reverse((r.errors, r.warnings))),
        VolumeOrder::Stage => rows.sort_by_key(|r| stage_rank(r.stage)),
    }
    rows
}

fn volume_list(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    use super::app::VolumeOrder;
    use crate::ops::overview::Stage;
    ui.heading(t.volumes);
    if app.data.volumes.is_empty() {
        ui.separator();
        ui.label(t.no_volumes);
        return;
    }
    // Filter (Ctrl+F), stage, year, order.
    ui.horizontal(|ui| {
        let label = ui.label(t.word("filter"));
        let filter = ui
            .add(
                egui::TextEdit::singleline(&mut app.view.volumes.filter)
                    .hint_text(t.word("filter_hint"))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if ui.input(|i| i.modifiers.command && i.key_pressed(egui::Key::F)) {
            filter.request_focus();
        }
    });
    let years = volume_years(app);
    // One row per filter: a label never wraps away from its choice.
    egui::Grid::new("volume_filters")
        .num_columns(2)
        .show(ui, |ui| {
            let state = &mut app.view.volumes;
            let stage_text = state.stage.map_or(t.word("all_stages"), |s| t.stage(s));
            let label = ui.label(t.word("stage"));
            egui::ComboBox::from_id_salt("stage_filter")
                .selected_text(stage_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state.stage, None, t.word("all_stages"));
                    for s in Stage::ALL {
                        ui.selectable_value(&mut state.stage, Some(*s), t.stage(*s));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            year_filter(ui, t, "year_filter", &mut state.year, &years);
            ui.end_row();
            let orders = [
                (VolumeOrder::Imported, t.word("order_imported")),
                (VolumeOrder::ArchivalCode, t.word("order_code")),
                (VolumeOrder::Party, t.word("order_party")),
                (VolumeOrder::Findings, t.word("order_findings")),
                (VolumeOrder::Stage, t.word("order_stage")),
            ];
            let order_text = orders
                .iter()
                .find(|(o, _)| *o == state.order)
                .map_or("", |(_, l)| *l);
            let label = ui.label(t.word("order"));
            egui::ComboBox::from_id_salt("volume_order")
                .selected_text(order_text)
                .show_ui(ui, |ui| {
                    for (o, label) in orders {
                        ui.selectable_value(&mut state.order, o, label);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.separator();
    let rows = listed_volumes(app);
    ui.label(
        RichText::new(format!("{} / {}", rows.len(), app.data.volumes.len()))
            .small()
            .weak(),
    );
    // Alt+↑ / Alt+↓: the previous or next volume of the list as it is shown.
    let step = ui.input(|i| {
        if i.modifiers.alt && i.key_pressed(egui::Key::ArrowUp) {
            -1
        } else if i.modifiers.alt && i.key_pressed(egui::Key::ArrowDown) {
            1
        } else {
            0
        }
    });
    if step != 0 && !rows.is_empty() {
        let at = rows
            .iter()
            .position(|r| app.view.volume.as_deref() == Some(r.id.as_str()));
        let next = match at {
            Some(i) => (i as i64 + step).clamp(0, rows.len() as i64 - 1) as usize,
            None => 0,
        };
        app.push(Command::SelectVolume(rows[next].id.clone()));
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        let mut chosen = None;
        for r in &rows {
            let selected = app.view.volume.as_deref() == Some(r.id.as_str());
            let response = ui
                .vertical(|ui| {
                    let head = ui.selectable_label(selected, RichText::new(r.headline()).strong());
                    ui.horizontal_wrapped(|ui| {
                        stage_badge(ui, t, r.stage);
                        ui.label(RichText::new(format!("{} {}", r.pages, t.pages)).small());
                        if r.errors > 0 {
                            ui.label(
                                RichText::new(format!("{} {}", t.rev("error"), r.errors))
                                    .small()
                                    .color(Color32::from_rgb(200, 40, 40)),
                            );
                        }
                        if r.warnings > 0 {
                            ui.label(
                                RichText::new(format!("{} {}", t.rev("warning"), r.warnings))
                                    .small()
                                    .color(Color32::from_rgb(200, 120, 0)),
                            );
                        }
                        // The id (and the folder's name when the headline does
                        // not show it) for the clerk who knows the volume by it.
                        let id = if r.name != r.id && r.headline() != r.name {
                            format!("{} · {}", r.id, r.name)
                        } else {
                            r.id.clone()
                        };
                        ui.label(RichText::new(id).small().weak());
                    });
                    head
                })
                .inner;
            if selected && step != 0 {
                response.scroll_to_me(None);
            }
            if response.clicked() {
                chosen = Some(r.id.clone());
            }
            ui.add_space(4.0);
        }
        if let Some(id) = chosen {
            app.push(Command::SelectVolume(id));
        }
    });
}

/// The years of the volumes (from the list's rows), newest first in the filters.
pub(super) fn volume_years(app: &WorkstationApp) -> std::collections::BTreeSet<i32> {
    app.data.rows.iter().filter_map(|r| r.year).collect()
}

/// A labelled choice of one of `years`, or all (None): the volume list's and
/// the search's year filter.
pub(super) fn year_filter(
    ui: &mut egui::Ui,
    t: &Texts,
    id_salt: &str,
    year: &mut Option<i32>,
    years: &std::collections::BTreeSet<i32>,
) {
    let label = ui.label(t.word("year"));
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(year.map_or(t.word("all_years").to_string(), |y| y.to_string()))
        .show_ui(ui, |ui| {
            ui.selectable_value(year, None, t.word("all_years"));
            for y in years.iter().rev() {
                ui.selectable_value(year, Some(*y), y.to_string());
            }
        })
        .response
        .labelled_by(label.id);
}

/// A volume's stage as a coloured tag.
fn stage_badge(ui: &mut egui::Ui, t: &Texts, stage: crate::ops::overview::Stage) {
    use crate::ops::overview::Stage;
    let bg = match stage {
        Stage::Capture => Color32::from_gray(110),
        Stage::Indexing => Color32::from_rgb(40, 110, 200),
        Stage::Returned => Color32::from_rgb(190, 40, 40),
        Stage::Approved => Color32::from_rgb(40, 140, 70),
        Stage::Packed => Color32::from_rgb(90, 70, 160),
        Stage::Uploaded => Color32::from_rgb(30, 110, 150),
    };
    ui.label(
        RichText::new(t.stage(stage))
            .small()
            .color(Color32::WHITE)
            .background_color(bg),
    );
}

pub(super) fn badge(ui: &mut egui::Ui, t: &Texts, state: PageState) {
    let (fg, bg) = match state {
        PageState::Imported => (Color32::WHITE, Color32::from_gray(110)),
        PageState::Processing => (Color32::WHITE, Color32::from_rgb(40, 110, 200)),
        PageState::Done => (Color32::WHITE, Color32::from_rgb(40, 140, 70)),
        PageState::Failed => (Color32::WHITE, Color32::from_rgb(190, 40, 40)),
    };
    ui.label(
        RichText::new(t.state(state))
            .color(fg)
            .background_color(bg)
            .small(),
    );
}

/// Small labels for what imaging found: blank, quality flags, the clerk's hand.
pub(super) fn page_facts(ui: &mut egui::Ui, t: &Texts, p: &crate::catalogue::PageRow) {
    let tag = |ui: &mut egui::Ui, text: String, bg: Color32| {
        ui.label(
            RichText::new(text)
                .small()
                .color(Color32::WHITE)
                .background_color(bg),
        );
    };
    ui.horizontal_wrapped(|ui| {
        if p.blank == Some(true) {
            tag(ui, t.blank.into(), Color32::from_gray(90));
        }
        if let Some(rec) = &p.imaging {
            for f in &rec.flags {
                let r = ui.label(
                    RichText::new(t.flag(&f.code))
                        .small()
                        .color(Color32::WHITE)
                        .background_color(Color32::from_rgb(200, 110, 20)),
                );
                r.on_hover_text(format!("{} ({:.2}; {:.2})", f.code, f.value, f.limit));
            }
        }
        if p.overrides.any() {
            tag(
                ui,
                t.decided_by_clerk.into(),
                Color32::from_rgb(90, 70, 160),
            );
        }
    });
}

/// Turn, mark blank, back to automatic: the clerk's decisions for the open page.
fn page_actions(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    page: &crate::catalogue::PageRow,
) {
    use super::capture_view::{SKEW_STEP_DEG, straightened, turned};
    let mut set = |o: crate::imaging::Overrides| {
        app.push(Command::Override {
            page_id: page.id,
            overrides: o,
        })
    };
    let (left, right, blank_key, ccw, cw) = ui.ctx().input(|i| {
        let plain = !i.modifiers.any();
        (
            plain && i.key_pressed(egui::Key::L),
            plain && i.key_pressed(egui::Key::R),
            plain && i.key_pressed(egui::Key::B),
            plain && i.key_pressed(egui::Key::OpenBracket),
            plain && i.key_pressed(egui::Key::CloseBracket),
        )
    });
    let typing = ui.ctx().egui_wants_keyboard_input();
    if ui.button(t.rotate_left).on_hover_text("L").clicked() || (left && !typing) {
        set(turned(page, 270));
    }
    if ui.button(t.rotate_right).on_hover_text("R").clicked() || (right && !typing) {
        set(turned(page, 90));
    }
    let hint = t.cap("skew_hint");
    if ui
        .button(t.cap("skew_ccw"))
        .on_hover_text(format!("{hint} ([)"))
        .clicked()
        || (ccw && !typing)
    {
        set(straightened(page, -SKEW_STEP_DEG));
    }
    if ui
        .button(t.cap("skew_cw"))
        .on_hover_text(format!("{hint} (])"))
        .clicked()
        || (cw && !typing)
    {
        set(straightened(page, SKEW_STEP_DEG));
    }
    let is_blank = page.blank == Some(true);
    let label = if is_blank {
        t.unmark_blank
    } else {
        t.mark_blank
    };
    if ui.button(label).on_hover_text("B").clicked() || (blank_key && !typing) {
        set(crate::imaging::Overrides {
            blank: Some(!is_blank),
            ..page.overrides.clone()
        });
    }
    if page.overrides.any() && ui.button(t.auto).clicked() {
        set(crate::imaging::Overrides::default());
    }
    if let Some(rec) = &page.imaging
        && rec.skew_applied != 0.0
    {
        ui.label(format!("{} {:+.2}°", t.skew, rec.skew_applied));
    }
}

/// The colour a finding's severity is shown in.
pub(super) fn severity_colour(severity: Severity) -> Color32 {
    match severity {
        Severity::Error => Color32::RED,
        Severity::Warning => Color32::from_rgb(200, 120, 0),
        Severity::Info => Color32::GRAY,
    }
}

/// Findings as coloured lines; one that has a place (its page, or its document's
/// first page) is clickable and pushes `open(page)`.
pub(super) fn findings_list(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    findings: &[Finding],
    open: fn(u32) -> Command,
) {
    let groups = finding_groups(findings);
    // ↓ / ↑ (while no text field has the keys): the next or previous finding
    // in the order listed, its page opened.
    let step = ui.input(|i| {
        if i.modifiers.any() {
            0
        } else if i.key_pressed(egui::Key::ArrowDown) {
            1
        } else if i.key_pressed(egui::Key::ArrowUp) {
            -1
        } else {
            0
        }
    });
    if step != 0 && !ui.ctx().egui_wants_keyboard_input() {
        let order: Vec<&Finding> = groups.iter().flat_map(|(_, m)| m.iter().copied()).collect();
        let at = order
            .iter()
            .position(|f| app.view.review.chosen.as_ref() == Some(*f));
        let next = match at {
            None if step > 0 => Some(0),
            None => order.len().checked_sub(1),
            Some(i) => i.checked_add_signed(step).filter(|&n| n < order.len()),
        };
        if let Some(f) = next.map(|n| order[n]) {
            app.view.review.chosen = Some(f.clone());
            app.view.review.keyed = true;
            if let Some(p) = finding_place(app, f) {
                app.push(open(p));
            }
        }
    }
    for (code, members) in groups {
        if let [one] = members.as_slice() {
            finding_line(ui, t, app, one, open);
            continue;
        }
        let title = RichText::new(t.finding_group(code, members.len(), &members[0].message))
            .color(severity_colour(members[0].severity));
        // A member stepped to by keyboard opens its group.
        let keyed = app.view.review.keyed
            && members
                .iter()
                .any(|f| app.view.review.chosen.as_ref() == Some(*f));
        egui::CollapsingHeader::new(title)
            .id_salt(("findings", code))
            .open(keyed.then_some(true))
            .show(ui, |ui| {
                for f in members {
                    finding_line(ui, t, app, f, open);
                }
            });
    }
}

/// One line per code, in the order of the findings: fifteen pages below 300 dpi
/// are one finding to read, opened for its pages.
fn finding_groups(findings: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|(code, _)| *code == f.code) {
            Some((_, members)) => members.push(f),
            None => groups.push((&f.code, vec![f])),
        }
    }
    groups
}

/// The page a finding opens: its own, else its document's first.
fn finding_place(app: &WorkstationApp, f: &Finding) -> Option<u32> {
    f.page.or_else(|| {
        let d = f.document?;
        let index = app.data.index.as_ref()?;
        index
            .documents
            .iter()
            .find(|x| x.seq == d)
            .map(|x| x.first_page)
    })
}

/// One finding: the chosen one stands out; one with a page opens it.
fn finding_line(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    f: &Finding,
    open: fn(u32) -> Command,
) {
    let chosen = app.view.review.chosen.as_ref() == Some(f);
    let said = t.finding_message(f);
    // Said in another language: the recorded words on hover.
    let recorded = if said == f.message {
        String::new()
    } else {
        format!("\n{}", f.message)
    };
    let mut text = RichText::new(said).color(severity_colour(f.severity));
    if chosen {
        text = text
            .strong()
            .background_color(Color32::from_rgba_unmultiplied(240, 180, 0, 60));
    }
    let keyed = chosen && std::mem::take(&mut app.view.review.keyed);
    match finding_place(app, f) {
        Some(p) => {
            let r = ui
                .add(egui::Label::new(text).sense(Sense::click()))
                .on_hover_text(format!("{} · {}{recorded}", f.code, t.page_n(p)));
            if keyed {
                r.scroll_to_me(None);
            }
            if r.hovered() {
                ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
            }
            if r.clicked() {
                app.view.review.chosen = Some(f.clone());
                app.push(open(p));
            }
        }
        None => {
            let r = ui
                .add(egui::Label::new(text).sense(Sense::click()))
                .on_hover_text(format!("{}{recorded}", f.code));
            if keyed {
                r.scroll_to_me(None);
            }
            if r.clicked() {
                app.view.review.chosen = Some(f.clone());
            }
        }
    }
}

pub(super) fn viewer(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let Some(page) = app.open_page().cloned() else {
        return;
    };
    // Wrapped: beside the 质检 list (or in a small window) the tools take two rows
    // rather than push the text panel out of the window.
    ui.horizontal_wrapped(|ui| {
        if ui.button(t.back_to_grid).on_hover_text("Esc").clicked() {
            app.push(Command::ClosePage);
        }
        if ui.button(t.prev).on_hover_text("←").clicked() {
            app.push(Command::StepPage(-1));
        }
        if ui.button(t.next).on_hover_text("→").clicked() {
            app.push(Command::StepPage(1));
        }
        ui.checkbox(&mut app.view.viewer.show_boxes, t.show_boxes);
        ui.checkbox(&mut app.view.viewer.show_original, t.original)
            .on_hover_text("O");
        ui.separator();
        page_actions(ui, t, app, &page);
        ui.separator();
        ui.label(t.page_n(page.seq));
        badge(ui, t, page.state);
        page_facts(ui, t, &page);
        ui.label(format!(
            "{}: {} #{}",
            t.source,
            page.source_name,
            page.source_page + 1
        ));
        if let Some(d) = page.dpi {
            ui.label(format!("{d} dpi"));
        }
    });
    egui::Panel::right("ocr_text")
        .default_size(440.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.heading(t.ocr_text);
            if let Some(c) = page.ocr_confidence {
                ui.label(format!("{}: {:.0}%", t.confidence, c * 100.0));
            }
            ui.separator();
            app.view.viewer.hovered_line = None;
            if page.lines.is_empty() {
                ui.label(page.text.as_deref().unwrap_or(t.no_text_yet));
            }
            egui::ScrollArea::vertical().show(ui, |ui| {
                for (i, line) in page.lines.iter().enumerate() {
                    let mut text = RichText::new(&line.text);
                    if line.confidence < LOW_CONFIDENCE {
                        text = text
                            .background_color(Color32::from_rgba_unmultiplied(230, 140, 30, 70));
                    }
                    let r = ui.add(egui::Label::new(text).sense(Sense::hover()));
                    let r = if line.confidence < LOW_CONFIDENCE {
                        r.on_hover_text(format!(
                            "{} {:.0}%",
                            t.low_confidence,
                            line.confidence * 100.0
                        ))
                    } else {
                        r
                    };
                    if r.hovered() {
                        app.view.viewer.hovered_line = Some(i);
                    }
                }
            });
        });
    let marks = Marks {
        all_lines: app.view.viewer.show_boxes,
        hovered: app.view.viewer.hovered_line,
        // On 质检, the chosen finding's evidence on this page.
        evidence: (app.view.screen == Screen::Review)
            .then(|| finding_evidence(app, page.seq))
            .flatten(),
    };
    if app.view.viewer.show_original {
        // The master as scanned beside the page as corrected, each zoomable.
        ui.columns(2, |columns| {
            columns[0].label(RichText::new(t.original).strong());
            page_or_spinner(&mut columns[0], t, app, &page, true, None);
            columns[1].label(RichText::new(t.word("corrected")).strong());
            page_or_spinner(&mut columns[1], t, app, &page, false, Some(marks));
        });
    } else {
        page_or_spinner(ui, t, app, &page, false, Some(marks));
    }
}

/// What is outlined on a corrected page.
#[derive(Clone, Copy)]
struct Marks {
    /// Every OCR line, or only the hovered one.
    all_lines: bool,
    hovered: Option<usize>,
    /// The box of a finding's evidence (page pixels).
    evidence: Option<[u32; 4]>,
}

/// Where the chosen finding's evidence is on page `seq`: the place the check
/// read (a stamp, a code), else the value of its document that the checks read
/// (its date first, then 文号, 题名, 责任者).
fn finding_evidence(app: &WorkstationApp, seq: u32) -> Option<[u32; 4]> {
    let finding = app.view.review.chosen.as_ref()?;
    if finding.page == Some(seq)
        && let Some(bbox) = finding.bbox
    {
        return Some(bbox);
    }
    let index = app.data.index.as_ref()?;
    let doc = index
        .documents
        .iter()
        .find(|d| Some(d.seq) == finding.document)?;
    [&doc.date, &doc.doc_no, &doc.title, &doc.responsible]
        .into_iter()
        .find(|f| f.page == Some(seq) && f.bbox.is_some())
        .and_then(|f| f.bbox)
}

/// The corrected page (or the master) with its marks: OCR lines, a finding's
/// evidence.
fn page_or_spinner(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    page: &crate::catalogue::PageRow,
    original: bool,
    marks: Option<Marks>,
) {
    let lines = &page.lines;
    let overlay = marks.map(|marks| {
        Box::new(move |painter: &egui::Painter, image: egui::Rect| {
            let evidence = marks.evidence.map(|bbox| {
                super::page_canvas::outline(
                    painter,
                    image,
                    bbox,
                    10.0,
                    egui::Stroke::new(5.0, Color32::from_rgb(220, 40, 40)),
                    Some(Color32::from_rgba_unmultiplied(255, 60, 60, 40)),
                )
            });
            let (all, hovered) = (marks.all_lines, marks.hovered);
            for (i, line) in lines.iter().enumerate() {
                if !(all || hovered == Some(i)) {
                    continue;
                }
                let color = if hovered == Some(i) {
                    Color32::from_rgb(240, 180, 0)
                } else if line.confidence < LOW_CONFIDENCE {
                    Color32::from_rgb(230, 110, 20)
                } else {
                    Color32::from_rgb(40, 120, 220)
                };
                super::page_canvas::outline(
                    painter,
                    image,
                    line.bbox,
                    0.0,
                    egui::Stroke::new(3.0, color),
                    None,
                );
            }
            evidence
        }) as super::page_canvas::Overlay<'_>
    });
    page_image(ui, t, app, page, original, overlay);
}

/// A page's image (the master when `original`) on the zoomable canvas, at page
/// pixels, with `overlay` drawn over it; a spinner while it loads, the reason
/// when it cannot. The one way every screen shows a page.
pub(super) fn page_image(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    page: &crate::catalogue::PageRow,
    original: bool,
    overlay: Option<super::page_canvas::Overlay<'_>>,
) {
    let kind = if original {
        super::images::Kind::Original
    } else {
        super::images::Kind::Full
    };
    let view = if original {
        app.view.viewer.original_rect
    } else {
        app.view.viewer.scene_rect
    };
    // Zoomed in past the picture's own pixels: a sharper one is asked for.
    let shown_side =
        super::page_canvas::zoom_percent(ui.available_width(), view, ui.pixels_per_point())
            .map(|z| z / 100.0 * page.width.max(page.height) as f32);
    let held_side = app.images.full_side(page.id);
    let sharp = shown_side
        .zip(held_side)
        .is_some_and(|(shown, held)| shown > held as f32 * 1.1);
    let Some(tex) = app.images.full(page, original, sharp).cloned() else {
        ui.centered_and_justified(|ui| {
            match app.images.error(page.id, kind) {
                Some(e) => ui.colored_label(Color32::RED, e),
                None => ui.spinner(),
            };
        });
        return;
    };
    // Shown at page pixels (textures may be smaller); the master of a turned
    // page has its sides swapped.
    let [tw, th] = tex.size().map(|v| v as f32);
    let k = page.width.max(page.height) as f32 / tw.max(th);
    let size = Vec2::new(tw * k, th * k);
    let (id, view) = if original {
        ("original", &mut app.view.viewer.original_rect)
    } else {
        ("page", &mut app.view.viewer.scene_rect)
    };
    super::page_canvas::page_canvas(ui, t, id, view, &tex, size, overlay);
}

fn is_importable(p: &std::path::Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .and_then(crate::capture::sniff::Format::from_ext)
        .is_some()
}

/// Who is working: the names of this home (and the OS account), or a new one.
fn operator_chooser(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let offered = app.operators.offered(&crate::home::os_account());
    let Some(name) = app.view.operator.as_mut() else {
        return;
    };
    let mut chosen = None;
    egui::Window::new(t.word("who_works"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ui.ctx(), |ui| {
            ui.horizontal_wrapped(|ui| {
                for n in &offered {
                    if ui.selectable_label(name == n, n).clicked() {
                        *name = n.clone();
                    }
                }
            });
            ui.horizontal(|ui| {
                let label = ui.label(t.word("operator_name"));
                let edit = ui.text_edit_singleline(name).labelled_by(label.id);
                let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let start = ui
                    .add_enabled(
                        !name.trim().is_empty(),
                        egui::Button::new(t.word("start_work")),
                    )
                    .clicked();
                if (enter || start) && !name.trim().is_empty() {
                    chosen = Some(name.clone());
                }
            });
        });
    if let Some(name) = chosen {
        app.push(Command::ChooseOperator(name));
    }
}

fn import_dialog(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let has_volume = app.view.volume.is_some();
    let app_pages = &app.data.pages;
    let Some(dialog) = app.view.capture.import_dialog.as_mut() else {
        return;
    };
    let mut commands = Vec::new();
    egui::Window::new(t.import_title)
        .collapsible(false)
        .resizable(true)
        .default_size([560.0, 460.0])
        .show(ui.ctx(), |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(t.word("path"));
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.path)
                        .hint_text(t.import_path_hint)
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                if ui.button(t.up).clicked()
                    && let Some(parent) = dialog.dir.parent()
                {
                    dialog.dir = parent.to_path_buf();
                }
                ui.label(dialog.dir.display().to_string());
            });
            browse(ui, dialog);
            match dialog.placement {
                None => {
                    ui.horizontal(|ui| {
                        ui.radio_value(&mut dialog.into_current, false, t.import_into_new);
                        ui.add_enabled_ui(has_volume, |ui| {
                            ui.radio_value(&mut dialog.into_current, true, t.import_into_current)
                        });
                    });
                }
                Some(place) => {
                    ui.label(
                        RichText::new(super::capture_view::place_text(t, app_pages, place))
                            .strong(),
                    );
                }
            }
            ui.horizontal(|ui| {
                let path = dialog.path.trim().to_string();
                let go = if dialog.placement.is_some() {
                    t.cap("place_go")
                } else {
                    t.import_go
                };
                if ui
                    .add_enabled(!path.is_empty(), egui::Button::new(go))
                    .clicked()
                {
                    commands.push(match dialog.placement {
                        Some(placement) => Command::AddFile {
                            path: path.into(),
                            placement,
                        },
                        None => Command::Import {
                            paths: vec![path.into()],
                            into_current: dialog.into_current,
                        },
                    });
                }
                if ui.button(t.cancel).clicked() {
                    commands.push(Command::CloseImportDialog);
                }
            });
        });
    for c in commands {
        app.push(c);
    }
}

/// A small folder browser: folders open, importable files fill the path.
fn browse(ui: &mut egui::Ui, dialog: &mut ImportDialog) {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(&dialog.dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.retain(|p| {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        !hidden && (p.is_dir() || is_importable(p))
    });
    entries.sort_by(|a, b| {
        b.is_dir()
            .cmp(&a.is_dir())
            .then_with(|| natord::compare(&a.to_string_lossy(), &b.to_string_lossy()))
    });
    egui::ScrollArea::vertical()
        .max_height(280.0)
        .show(ui, |ui| {
            for p in entries {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let label = if p.is_dir() { format!("{name}/") } else { name };
                let selected = dialog.path == p.display().to_string();
                let r = ui.selectable_label(selected, label);
                if r.clicked() {
                    dialog.path = p.display().to_string();
                }
                if r.double_clicked() && p.is_dir() {
                    dialog.dir = p.clone();
                }
            }
        });
}

/// Who holds a stage of the current volume, with what the operator may do,
/// inline at the end of a screen's tab row: on a room's catalogue, or whenever
/// someone holds it. Another's claim says that edits of the stage will be
/// refused.
pub(super) fn claim_widgets(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    stage: crate::model::Stage,
) {
    let held = app.data.claims.iter().find(|c| c.stage == stage).cloned();
    if held.is_none() && !app.on_shared_catalogue() {
        return;
    }
    let me = app.home.operator().to_string();
    let what = stage_word(t, stage);
    ui.separator();
    match held {
        None => {
            if ui
                .button(t.word("claim"))
                .on_hover_text(format!("{what}: {}", t.word("claim_free")))
                .clicked()
            {
                app.push(Command::Claim(stage));
            }
        }
        Some(c) if c.holder == me => {
            ui.label(t.word("claim_mine"));
            if ui.button(t.word("claim_release")).clicked() {
                app.push(Command::ReleaseClaim(stage));
            }
        }
        Some(c) => {
            let since = crate::model::time::local_display(&c.since);
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("{} {}", t.word("claim_held_by"), c.holder),
            )
            .on_hover_text(format!("{what} · {since} · {}", t.word("claim_read_only")));
            if app.data.supervisor && ui.button(t.word("claim_take_over")).clicked() {
                app.push(Command::TakeOverClaim(stage));
            }
        }
    }
}

fn stage_word(t: &Texts, stage: crate::model::Stage) -> &'static str {
    match (stage, t.is_chinese()) {
        (s, true) => s.label(),
        (crate::model::Stage::Scan, false) => "Scanning",
        (crate::model::Stage::Index, false) => "Indexing",
        (crate::model::Stage::Review, false) => "Review",
    }
}
