//! 质检 (review) screen: every finding of the volume (quality, catalogue against
//! images, statutory) worst first — click one and its page opens beside it in the
//! zoomable viewer with the OCR text side by side; the reviewer marks defects on
//! the page or the volume, closes them once mended, and approves (refused while a
//! mark is open) or returns the volume with a reason.

use crate::model::{Severity, Verdict};
use egui::{Color32, RichText};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;

pub fn review_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let Some(review) = app.data.review.clone() else {
        ui.centered_and_justified(|ui| ui.label(t.select_volume));
        return;
    };
    egui::Panel::left("review_panel")
        .default_size(360.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                decision_line(ui, t, &review);
                super::views::claim_widgets(ui, t, app, crate::model::Stage::Review);
            });
            ui.separator();
            // The findings, or the 评查 sheet they score.
            let score = app.data.score.clone();
            ui.horizontal(|ui| {
                let on = app.view.review.sheet_tab;
                let findings =
                    RichText::new(format!("{} ({})", t.findings, review.findings.len())).heading();
                if ui.selectable_label(!on, findings).clicked() {
                    app.push(Command::ShowScoreSheet(false));
                }
                if let Some(score) = &score {
                    let grade = RichText::new(t.score_line(score, &app.sheet)).heading();
                    if ui.selectable_label(on, grade).clicked() {
                        app.push(Command::ShowScoreSheet(true));
                    }
                }
            });
            egui::ScrollArea::vertical()
                .id_salt("findings")
                .max_height(ui.available_height() * 0.45)
                .show(ui, |ui| match (&score, app.view.review.sheet_tab) {
                    (Some(score), true) => score_sheet(ui, t, app, score),
                    _ => {
                        if review.findings.is_empty() {
                            ui.label(t.rev("no_findings"));
                        }
                        super::views::findings_list(
                            ui,
                            t,
                            app,
                            &review.findings,
                            Command::OpenPageSeq,
                        );
                    }
                });
            ui.separator();
            // Another seat's 质检: shown, not to be acted on (the catalogue
            // would refuse it, naming the holder).
            let held = app.stage_held_by_another(crate::model::Stage::Review);
            ui.add_enabled_ui(!held, |ui| {
                mark_form(ui, t, app);
                let open: Vec<_> = review.marks.iter().filter(|m| !m.resolved).collect();
                for m in &open {
                    ui.horizontal(|ui| {
                        let place = m
                            .page
                            .map_or(t.rev("whole_volume").to_string(), |p| t.page_n(p));
                        ui.label(
                            RichText::new(format!("#{} {place}：{}", m.id, m.note))
                                .color(super::views::severity_colour(m.severity)),
                        );
                        if ui.button(t.rev("resolve")).clicked() {
                            app.push(Command::ResolveMark(m.id));
                        }
                    });
                }
                ui.separator();
                approve_line(ui, t, app, &review, open.is_empty());
                ui.horizontal(|ui| {
                    let label = ui.label(t.rev("reason"));
                    ui.add(
                        egui::TextEdit::singleline(&mut app.view.review.reason)
                            .desired_width(220.0),
                    )
                    .labelled_by(label.id);
                    let can = !app.view.review.reason.trim().is_empty();
                    if ui
                        .add_enabled(can, egui::Button::new(t.rev("return")))
                        .clicked()
                    {
                        app.push(Command::DecideReview {
                            decision: Verdict::Returned,
                            reason: app.view.review.reason.clone(),
                        });
                    }
                });
            });
            ui.separator();
            history(ui, t, &review);
        });
    if app.open_page().is_some() {
        super::views::viewer(ui, t, app);
    } else {
        ui.centered_and_justified(|ui| ui.label(t.rev("pick_finding")));
    }
}

/// 批准: one click when nothing serious is open; over open errors it asks for a
/// reason, which is recorded with the errors it overrode.
fn approve_line(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    review: &crate::review::Review,
    no_open_marks: bool,
) {
    let errors = review.open_errors();
    // Ctrl+Enter approves, as the button does (asking for a reason over errors).
    let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
    let keyed = ui.input_mut(|i| i.consume_shortcut(&shortcut));
    if let Some(reason) = app.view.review.approve_over_errors.as_mut() {
        ui.colored_label(
            Color32::RED,
            format!("{}：{}", t.rev("open_errors"), errors.join("，")),
        );
        let mut decided = None;
        ui.horizontal(|ui| {
            let label = ui.label(t.rev("approve_reason"));
            let field = ui
                .add(egui::TextEdit::singleline(reason).desired_width(200.0))
                .labelled_by(label.id);
            // Asked for by keyboard: the keys go to the reason; Enter approves,
            // Esc cancels.
            if std::mem::take(&mut app.view.review.focus_reason) {
                field.request_focus();
            }
            let given = !reason.trim().is_empty();
            let (enter, escape) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::Enter),
                    i.key_pressed(egui::Key::Escape),
                )
            });
            if field.lost_focus() && enter && given {
                decided = Some(Some(reason.clone()));
            }
            if field.lost_focus() && escape {
                decided = Some(None);
            }
            if ui
                .add_enabled(given, egui::Button::new(t.rev("approve_anyway")))
                .on_hover_text("Enter")
                .clicked()
            {
                decided = Some(Some(reason.clone()));
            }
            if ui.button(t.rev("cancel")).on_hover_text("Esc").clicked() {
                decided = Some(None);
            }
        });
        match decided {
            Some(Some(reason)) => app.push(Command::DecideReview {
                decision: Verdict::Approved,
                reason,
            }),
            Some(None) => app.view.review.approve_over_errors = None,
            None => {}
        }
        return;
    }
    ui.horizontal(|ui| {
        let approve = ui
            .add_enabled(no_open_marks, egui::Button::new(t.rev("approve")))
            .on_hover_text("Ctrl+Enter")
            .on_disabled_hover_text(t.rev("open_marks"));
        if approve.clicked() || (keyed && no_open_marks) {
            if errors.is_empty() {
                app.push(Command::DecideReview {
                    decision: Verdict::Approved,
                    reason: String::new(),
                });
            } else {
                app.view.review.approve_over_errors = Some(String::new());
                app.view.review.focus_reason = true;
            }
        }
    });
}

/// Marks opened and resolved, approvals and returns: who, when, what.
fn history(ui: &mut egui::Ui, t: &Texts, review: &crate::review::Review) {
    use crate::review::ReviewStep;
    let events = review.history();
    egui::CollapsingHeader::new(format!("{} ({})", t.rev("history"), events.len()))
        .id_salt("review_history")
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("history")
                .max_height(200.0)
                .show(ui, |ui| {
                    for e in events.iter().rev() {
                        let what = match &e.what {
                            ReviewStep::MarkOpened { id, page, note, .. } => {
                                let place =
                                    page.map_or(t.rev("whole_volume").to_string(), |p| t.page_n(p));
                                format!("{} #{id} {place}：{note}", t.rev("marked"))
                            }
                            ReviewStep::MarkResolved { id, note } => {
                                format!("{} #{id}：{note}", t.rev("resolved"))
                            }
                            ReviewStep::Decided { verdict, reason } => {
                                let word = match verdict {
                                    Verdict::Approved => t.rev("approved"),
                                    Verdict::Returned => t.rev("returned"),
                                };
                                if reason.is_empty() {
                                    word.to_string()
                                } else {
                                    format!("{word}：{reason}")
                                }
                            }
                        };
                        ui.label(format!(
                            "{} · {} · {what}",
                            crate::model::time::local_display(&e.at),
                            e.by
                        ));
                    }
                });
        });
}

fn decision_line(ui: &mut egui::Ui, t: &Texts, review: &crate::review::Review) {
    match &review.decision {
        None => {
            ui.label(RichText::new(t.rev("not_reviewed")).strong());
        }
        Some(d) => {
            let (word, colour) = if d.decision == Verdict::Approved {
                (t.rev("approved"), Color32::from_rgb(40, 140, 60))
            } else {
                (t.rev("returned"), Color32::RED)
            };
            let mut text = format!(
                "{word} · {} · {}",
                d.by,
                crate::model::time::local_display(&d.at)
            );
            if !d.reason.is_empty() {
                text.push_str(&format!(" · {}", d.reason));
            }
            ui.label(RichText::new(text).strong().color(colour));
            if d.outdated {
                ui.colored_label(Color32::from_rgb(200, 120, 0), t.rev("outdated"));
            }
        }
    }
}

fn mark_form(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let page = app.open_page().map(|p| p.seq);
    ui.horizontal(|ui| {
        let label = ui.label(t.rev("defect"));
        ui.add(egui::TextEdit::singleline(&mut app.view.review.note).desired_width(200.0))
            .labelled_by(label.id);
        let label = ui.label(t.rev("severity"));
        egui::ComboBox::from_id_salt("mark_severity")
            .selected_text(t.rev(app.view.review.severity.as_str()))
            .show_ui(ui, |ui| {
                for s in [Severity::Error, Severity::Warning] {
                    ui.selectable_value(&mut app.view.review.severity, s, t.rev(s.as_str()));
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let note = app.view.review.note.trim().to_string();
        let on_page = ui
            .add_enabled(
                !note.is_empty() && page.is_some(),
                egui::Button::new(t.rev("mark_page")),
            )
            .clicked();
        let on_volume = ui
            .add_enabled(!note.is_empty(), egui::Button::new(t.rev("mark_volume")))
            .clicked();
        if on_page || on_volume {
            app.push(Command::MarkDefect {
                seq: if on_page { page } else { None },
                severity: app.view.review.severity,
                note,
            });
        }
    });
}

/// 评查: the sheet's items with what each lost and why; the reviewer takes off
/// or gives back points on an item, with a reason.
fn score_sheet(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    score: &crate::review::scoring::Score,
) {
    if let Some(v) = &score.veto {
        ui.colored_label(
            Color32::RED,
            format!(
                "{}：{} {}",
                t.rev("veto"),
                t.on_sheet(&app.sheet, &v.item),
                v.code
            ),
        );
    }
    egui::Grid::new("score_grid")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for i in &score.items {
                let name = ui.label(format!("{} {}", i.id, t.on_sheet(&app.sheet, &i.item)));
                if i.deducted > 0.0 {
                    ui.label(
                        // What is kept of the item's points; the reasons say what went.
                        RichText::new(format!("{} / {}", i.points - i.deducted, i.points))
                            .color(Color32::from_rgb(200, 120, 0)),
                    );
                } else {
                    ui.label(format!("{} / {}", i.points, i.points));
                }
                let why: Vec<String> = i
                    .reasons
                    .iter()
                    .map(|r| {
                        let code = if r.code == "reviewer" {
                            t.rev("reviewer").to_string()
                        } else {
                            r.code.clone()
                        };
                        format!("{code} {:+}", -r.points)
                    })
                    .collect();
                ui.label(RichText::new(why.join("，")).small())
                    .on_hover_text(
                        i.reasons
                            .iter()
                            .map(|r| r.note.as_str())
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                name.on_hover_text(t.on_sheet(&app.sheet, &i.category));
                ui.end_row();
            }
        });
    if ui
        .button(t.rev("write_sheet"))
        .on_hover_text(t.rev("write_sheet_hint"))
        .clicked()
    {
        app.push(Command::WriteScoreSheet);
    }
    ui.separator();
    // The reviewer's change: an item, points, a reason.
    let items: Vec<(String, String)> = score
        .items
        .iter()
        .map(|i| {
            (
                i.id.clone(),
                format!("{} {}", i.id, t.on_sheet(&app.sheet, &i.item)),
            )
        })
        .collect();
    let state = &mut app.view.review;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(t.rev("score_item"));
        let shown = state
            .score_item
            .as_ref()
            .and_then(|id| items.iter().find(|(i, _)| i == id))
            .map_or("—".to_string(), |(_, l)| l.clone());
        egui::ComboBox::from_id_salt("score_item")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (id, l) in &items {
                    ui.selectable_value(&mut state.score_item, Some(id.clone()), l);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label(t.rev("score_points"));
        ui.add(
            egui::DragValue::new(&mut state.score_points)
                .range(0.5..=100.0)
                .speed(0.5),
        )
        .labelled_by(label.id);
    });
    let mut change = None;
    ui.horizontal(|ui| {
        let label = ui.label(t.rev("score_reason"));
        ui.add(egui::TextEdit::singleline(&mut state.score_reason).desired_width(160.0))
            .labelled_by(label.id);
        let can = state.score_item.is_some() && !state.score_reason.trim().is_empty();
        if ui
            .add_enabled(can, egui::Button::new(t.rev("deduct")))
            .clicked()
        {
            change = Some(state.score_points);
        }
        if ui
            .add_enabled(can, egui::Button::new(t.rev("give_back")))
            .clicked()
        {
            change = Some(-state.score_points);
        }
    });
    if let (Some(points), Some(item)) = (change, state.score_item.clone()) {
        let reason = state.score_reason.clone();
        app.push(Command::AdjustScore {
            item,
            points,
            reason,
        });
    }
}
