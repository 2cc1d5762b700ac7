//! 设置 (settings) screen: the bureau's archive settings that make a volume's 档号
//! (全宗号, 门类代码, default 保管期限, the template), checked while the clerk types
//! and shown as an example code; saving indexes every volume again in the
//! background so that their 档号 follow. The review gate (pack only what 质检
//! approved) is here too, and the interface language.

use egui::{Color32, RichText};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;
use crate::indexing::archival::this_year;

pub fn settings_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let Some(draft) = app.view.settings.draft.as_mut() else {
        return;
    };
    ui.heading(t.set("title"));
    ui.label(t.set("hint"));
    ui.add_space(8.0);
    egui::Grid::new("bureau")
        .num_columns(2)
        .spacing([16.0, 8.0])
        .show(ui, |ui| {
            let mut fonds = draft.fonds_code.clone().unwrap_or_default();
            let label = ui.label(t.field("fonds_code"));
            if ui
                .add(egui::TextEdit::singleline(&mut fonds).hint_text("J037"))
                .labelled_by(label.id)
                .changed()
            {
                draft.fonds_code = Some(fonds.trim().to_string()).filter(|f| !f.is_empty());
            }
            ui.end_row();
            let label = ui.label(t.set("category_code"));
            ui.text_edit_singleline(&mut draft.category_code)
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t.set("retention"));
            egui::ComboBox::from_id_salt("retention")
                .selected_text(retention_label(t, &draft.retention))
                .show_ui(ui, |ui| {
                    for code in ["Y", "D30", "D10"] {
                        ui.selectable_value(
                            &mut draft.retention,
                            code.to_string(),
                            retention_label(t, code),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t.set("template"));
            ui.add(
                egui::TextEdit::singleline(&mut draft.archival_code_template).desired_width(420.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            ui.label(t.set("example"));
            match draft.example_code(this_year(), 1) {
                Some(code) => ui.label(RichText::new(code).monospace().strong()),
                None => {
                    ui.label(RichText::new(t.set("no_fonds")).color(Color32::from_rgb(200, 120, 0)))
                }
            };
            ui.end_row();
            ui.label(t.set("gate"));
            ui.vertical(|ui| {
                ui.checkbox(&mut draft.require_approval, t.set("require_approval"));
                ui.checkbox(
                    &mut draft.require_double_entry,
                    t.set("require_double_entry"),
                );
            });
            ui.end_row();
        });
    let problems = draft.problems();
    for p in &problems {
        ui.colored_label(Color32::from_rgb(200, 40, 40), p);
    }
    ui.add_space(8.0);
    let changed = app.view.settings.saved.as_ref() != Some(&*draft);
    let draft = draft.clone();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                problems.is_empty() && changed,
                egui::Button::new(t.set("save")),
            )
            .clicked()
        {
            app.push(Command::SaveBureauSettings(Box::new(draft)));
        }
        if ui
            .add_enabled(changed, egui::Button::new(t.set("revert")))
            .clicked()
        {
            app.view.settings.draft = app.view.settings.saved.clone();
        }
    });
    ui.add_space(16.0);
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(t.set("language"));
        if ui.button(t.switch_lang).clicked() {
            app.push(Command::ToggleLang);
        }
    });
}

fn retention_label(t: &Texts, code: &str) -> String {
    let words = match code {
        "Y" => t.set("permanent"),
        "D30" => t.set("years30"),
        "D10" => t.set("years10"),
        _ => "",
    };
    format!("{code} {words}")
}
