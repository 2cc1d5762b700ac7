//! 打包 (package) screen: tick volumes (the ready ones are ticked), pack them in
//! the background with progress and cancel, read each package's 四性检测 report,
//! and see the outbox with checksums.

use egui::{Color32, RichText};

use super::app::{Command, WorkstationApp};
use super::i18n::Texts;
use crate::package::verify::Verification;

/// Why a volume can or cannot be packed now: the packer's own rule
/// ([`crate::package::ready`]), read when the volume list is reloaded.
fn readiness(t: &Texts, app: &WorkstationApp, id: &str) -> (bool, &'static str) {
    match app.data.readiness.get(id) {
        None => (false, ""),
        Some(Err(why)) => (false, t.not_ready(why)),
        Some(Ok(()))
            if app
                .data
                .packages
                .iter()
                .any(|p| p.volume_id == id && p.passed) =>
        {
            (true, t.package_state_packed)
        }
        Some(Ok(())) => (true, t.package_state_ready),
    }
}

pub fn package_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    if app.view.package.selection.is_none() {
        // Ready volumes not packed yet are ticked.
        let ticked = app
            .data
            .volumes
            .iter()
            .filter(|v| readiness(t, app, &v.id) == (true, t.package_state_ready))
            .map(|v| v.id.clone())
            .collect();
        app.view.package.selection = Some(ticked);
    }
    if app.view.package.out.is_empty() {
        app.view.package.out = app.package_out().display().to_string();
    }
    // Narrow enough that the report keeps 40 % of the window at 1366 wide.
    egui::Panel::left("package_volumes")
        .default_size(300.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.heading(t.volumes);
            ui.horizontal(|ui| {
                if ui.small_button(t.select_all).clicked() {
                    let all = app
                        .data
                        .volumes
                        .iter()
                        .filter(|v| readiness(t, app, &v.id).0)
                        .map(|v| v.id.clone())
                        .collect();
                    app.view.package.selection = Some(all);
                }
                if ui.small_button(t.select_none).clicked() {
                    app.view.package.selection = Some(Default::default());
                }
            });
            egui::ScrollArea::vertical().show(ui, |ui| {
                for v in app.data.volumes.clone() {
                    let (ready, state) = readiness(t, app, &v.id);
                    let code = app.data.archival_codes.get(&v.id).cloned().flatten();
                    let selection = app
                        .view
                        .package
                        .selection
                        .get_or_insert_with(Default::default);
                    let mut ticked = selection.contains(&v.id);
                    ui.horizontal(|ui| {
                        let label = format!("{}  {}", v.name, code.as_deref().unwrap_or(""));
                        if ui
                            .add_enabled(ready, egui::Checkbox::new(&mut ticked, label))
                            .changed()
                        {
                            if ticked {
                                selection.insert(v.id.clone());
                            } else {
                                selection.remove(&v.id);
                            }
                        }
                        ui.label(RichText::new(state).small().weak());
                    });
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let l = ui.label(t.package_out);
                ui.add(egui::TextEdit::singleline(&mut app.view.package.out).desired_width(260.0))
                    .labelled_by(l.id);
            });
            ui.checkbox(&mut app.view.package.force, t.package_force);
            let chosen: Vec<String> = app
                .view
                .package
                .selection
                .iter()
                .flatten()
                .cloned()
                .collect();
            let idle = app.task.is_none();
            if ui
                .add_enabled(!chosen.is_empty() && idle, egui::Button::new(t.package_go))
                .clicked()
            {
                app.push(Command::Package {
                    volumes: chosen,
                    force: app.view.package.force,
                });
            }
        });
    egui::Panel::bottom("outbox")
        .default_size(200.0)
        .min_size(160.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(t.outbox);
                let passed = app.data.packages.iter().filter(|p| p.passed).count();
                let busy = app.view.package.handover.is_some();
                if busy {
                    ui.spinner();
                }
                if ui
                    .add_enabled(passed > 0 && !busy, egui::Button::new(t.word("handover")))
                    .on_hover_text(t.word("handover_hint"))
                    .clicked()
                {
                    app.push(Command::Handover);
                }
                let idle = app.task.is_none();
                if ui
                    .add_enabled(passed > 0 && idle, egui::Button::new(t.word("upload")))
                    .on_hover_text(t.word("upload_hint"))
                    .clicked()
                {
                    app.push(Command::Upload);
                }
            });
            egui::ScrollArea::both().show(ui, |ui| {
                egui::Grid::new("outbox_grid")
                    .striped(true)
                    .num_columns(7)
                    .show(ui, |ui| {
                        for p in app.data.packages.clone() {
                            // The newest receipt of these very bytes, if any.
                            let receipt = app
                                .data
                                .receipts
                                .iter()
                                .find(|r| r.sha256 == p.sha256)
                                .cloned();
                            // Actions first: a long row never pushes them out of reach.
                            if ui.small_button(t.verify_again).clicked() {
                                app.push(Command::VerifyPackage(p.path.clone()));
                            }
                            verdict(ui, t, p.passed);
                            ui.label(&p.archival_code);
                            ui.label(format!("{:.1} MB", p.size as f64 / 1e6));
                            ui.label(
                                RichText::new(format!(
                                    "SHA-256 {}…",
                                    &p.sha256[..16.min(p.sha256.len())]
                                ))
                                .monospace(),
                            );
                            ui.label(crate::model::time::local_display(&p.built_at));
                            match receipt {
                                Some(r) => ui
                                    .label(
                                        RichText::new(format!(
                                            "{} {}",
                                            t.word("uploaded"),
                                            crate::model::time::local_display(&r.at)
                                        ))
                                        .color(egui::Color32::from_rgb(40, 140, 60)),
                                    )
                                    .on_hover_text(format!(
                                        "s3://{}/{}\nETag {}\nSHA-256 {}\nSM3 {}\n{}",
                                        r.place.bucket,
                                        r.place.key,
                                        r.etag.as_deref().unwrap_or("-"),
                                        r.sha256,
                                        r.sm3,
                                        r.by
                                    )),
                                None => ui.label(""),
                            };
                            ui.end_row();
                        }
                    });
            });
        });
    // Results of this session; the chosen one's report.
    egui::Panel::left("package_results")
        .default_size(200.0)
        .resizable(true)
        .show(ui, |ui| {
            ui.heading(t.report);
            for (i, r) in app.view.package.results.clone().iter().enumerate().rev() {
                let name = r
                    .verification
                    .as_ref()
                    .and_then(|v| v.archival_code.clone())
                    .or_else(|| r.volume.clone())
                    .unwrap_or_default();
                ui.horizontal(|ui| {
                    let passed = r.verification.as_ref().is_some_and(|v| v.passed);
                    if ui
                        .selectable_label(app.view.package.report == Some(i), name)
                        .clicked()
                    {
                        app.view.package.report = Some(i);
                    }
                    verdict(ui, t, passed);
                    if r.reused {
                        ui.label(RichText::new(t.kept).small().weak());
                    }
                });
            }
        });
    let open = app
        .view
        .package
        .report
        .and_then(|i| app.view.package.results.get(i))
        .cloned();
    if let Some(r) = open {
        // Named for assistive technology (and found by the layout tests).
        let area = ui.available_rect_before_wrap();
        let label = t.word("report_area");
        ui.interact(
            area,
            ui.scope_id().with("report_area"),
            egui::Sense::hover(),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Document, true, label));
        egui::ScrollArea::vertical().show(ui, |ui| {
            if let Some(p) = &r.path {
                ui.label(p.display().to_string());
            }
            if let Some(e) = &r.error {
                ui.colored_label(Color32::RED, e);
            }
            if let Some(why) = &r.not_ready {
                ui.colored_label(Color32::RED, t.not_ready(why));
            }
            if let Some(v) = &r.verification {
                report(ui, t, v);
            }
        });
    }
}

fn verdict(ui: &mut egui::Ui, t: &Texts, passed: bool) {
    if passed {
        ui.label(
            RichText::new(t.passed)
                .color(Color32::from_rgb(40, 140, 60))
                .strong(),
        );
    } else {
        ui.label(RichText::new(t.failed).color(Color32::RED).strong());
    }
}

/// The 四性检测 items, one row each.
pub fn report(ui: &mut egui::Ui, t: &Texts, v: &Verification) {
    ui.horizontal(|ui| {
        ui.heading(v.archival_code.as_deref().unwrap_or(&v.package));
        verdict(ui, t, v.passed);
    });
    ui.label(
        RichText::new(format!(
            "{} · {}",
            crate::model::time::local_display(&v.checked_at),
            v.software
        ))
        .small()
        .weak(),
    );
    egui::Grid::new("report_grid")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            let zh = t.is_chinese();
            for i in &v.items {
                // The report records Chinese; in English the names are said
                // from the check's id (the details stay as recorded).
                let (property, name) = match crate::package::verify::check_name_en(&i.id) {
                    Some(en) if !zh => (i.property.en(), en),
                    _ => (i.property.zh(), i.name.as_str()),
                };
                ui.label(property);
                ui.label(format!("{} {name}", i.id));
                verdict(ui, t, i.passed);
                ui.label(&i.detail);
                ui.end_row();
            }
        });
}
