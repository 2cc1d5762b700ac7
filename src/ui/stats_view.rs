//! 统计 screen: the home's enforcement counted — headline figures, bars by
//! authority / 案由 / year, cases by heaviest penalty, the time from 立案 to 决定
//! as a histogram, 评查 grades and stages. A bar (or its line in the legend
//! beside it) lists the volumes it counts; a volume opens in 著录.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Plot};

use super::app::{Command, Screen, WorkstationApp};
use super::i18n::Texts;
use crate::ops::stats::{self, GroupBy};

pub fn stats_screen(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    ui.horizontal(|ui| {
        ui.heading(t.word("screen_stats"));
        let label = ui.label(t.word("stats_by"));
        let before = app.view.stats.by;
        let name = |g: GroupBy| match g {
            GroupBy::Authority => t.field("agency"),
            GroupBy::Cause => t.field("case_cause"),
            GroupBy::Year => t.field("year"),
        };
        egui::ComboBox::from_id_salt("stats_by")
            .selected_text(name(app.view.stats.by))
            .show_ui(ui, |ui| {
                for g in [GroupBy::Authority, GroupBy::Cause, GroupBy::Year] {
                    ui.selectable_value(&mut app.view.stats.by, g, name(g));
                }
            })
            .response
            .labelled_by(label.id);
        if app.view.stats.by != before || ui.button(t.word("stats_recount")).clicked() {
            app.push(Command::RecountStats);
        }
        if app.view.stats.job.is_some() {
            ui.spinner();
        }
    });
    ui.separator();
    let figures = match &app.view.stats.figures {
        None => {
            ui.centered_and_justified(|ui| ui.spinner());
            return;
        }
        Some(Err(e)) => {
            ui.colored_label(Color32::RED, e.as_str());
            return;
        }
        Some(Ok(s)) => s.clone(),
    };
    headline(ui, t, &figures);
    ui.separator();
    // The volumes of the bar picked, on the right.
    egui::Panel::right("stats_members")
        .default_size(300.0)
        .resizable(true)
        .show(ui, |ui| members(ui, t, app));
    egui::ScrollArea::vertical().show(ui, |ui| {
        let by_title = format!(
            "{}：{}",
            t.word("stats_by"),
            match figures.by_key {
                GroupBy::Authority => t.field("agency"),
                GroupBy::Cause => t.field("case_cause"),
                GroupBy::Year => t.field("year"),
            }
        );
        chart(
            ui,
            t,
            app,
            "stats_by_chart",
            &by_title,
            &figures.by,
            Color32::from_rgb(60, 120, 200),
        );
        chart(
            ui,
            t,
            app,
            "stats_category_chart",
            t.word("stats_category"),
            &figures.by_category,
            Color32::from_rgb(200, 120, 40),
        );
        chart(
            ui,
            t,
            app,
            "stats_duration_chart",
            t.word("stats_duration"),
            &figures.duration_days.histogram,
            Color32::from_rgb(90, 160, 90),
        );
        ui.columns(3, |c| {
            let grades = figures
                .grades
                .iter()
                .map(|(g, n)| (t.on_sheet(&app.sheet, g).to_string(), *n))
                .collect();
            counts(&mut c[0], t.word("stats_grades"), &grades);
            counts(&mut c[1], t.word("stats_stages"), &figures.stages);
            counts(&mut c[2], t.word("stats_findings"), &figures.findings);
        });
    });
}

fn headline(ui: &mut egui::Ui, t: &Texts, s: &stats::Stats) {
    let d = &s.duration_days;
    let days = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v}"));
    ui.horizontal_wrapped(|ui| {
        for (label, value) in [
            (t.word("stats_volumes"), s.volumes.to_string()),
            (t.word("stats_decisions"), s.decisions.to_string()),
            (t.word("stats_fines"), yuan(s.fines_total)),
            (t.word("stats_confiscated"), yuan(s.confiscated_total)),
            (t.word("stats_penalties"), yuan(s.penalties_total)),
            (
                t.word("stats_days"),
                format!("{} / {} · >90: {}", days(d.median), days(d.p90), d.over_90),
            ),
            (
                t.word("keying_error_rate"),
                format!(
                    "{:.2}% · {}/{}",
                    s.double_entry.error_rate * 100.0,
                    s.double_entry.mismatched,
                    s.double_entry.keyed
                ),
            ),
        ] {
            ui.vertical(|ui| {
                ui.label(RichText::new(label).small().weak());
                ui.label(RichText::new(value).heading());
            });
            ui.add_space(16.0);
        }
    });
}

fn yuan(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{} 万元", crate::package::publicity::wan_yuan(v))
    } else {
        format!("{v} 元")
    }
}

/// A bar chart with its legend as clickable lines; a click on either lists
/// the bar's volumes.
fn chart(
    ui: &mut egui::Ui,
    t: &Texts,
    app: &mut WorkstationApp,
    id: &str,
    title: &str,
    bars: &[stats::Bar],
    colour: Color32,
) {
    ui.label(RichText::new(title).strong());
    if bars.is_empty() {
        ui.label(RichText::new(t.word("stats_none")).weak());
        return;
    }
    let mut picked = None;
    ui.horizontal_top(|ui| {
        let plotted: Vec<Bar> = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                Bar::new(i as f64, b.volumes as f64)
                    .name(&b.key)
                    .fill(colour)
            })
            .collect();
        let names: Vec<String> = bars.iter().map(|b| b.key.clone()).collect();
        let width = (ui.available_width() * 0.6).max(240.0);
        let response = Plot::new(id)
            .height(170.0)
            .width(width)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .show_axes([true, true])
            // Room for a few bars at least: one bar is not a wall.
            .include_x(-1.0)
            .include_x(bars.len().max(5) as f64)
            .include_y(0.0)
            .x_axis_formatter(move |mark, _| {
                let i = mark.value.round();
                if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new(title, plotted).width(0.7))
            });
        if response.response.clicked()
            && let Some(pos) = response.response.interact_pointer_pos()
        {
            let x = response.transform.value_from_position(pos).x.round();
            if x >= 0.0 {
                picked = bars.get(x as usize);
            }
        }
        ui.vertical(|ui| {
            for b in bars {
                let line = format!("{} · {}", b.key, b.volumes);
                if ui.link(line).clicked() {
                    picked = Some(b);
                }
            }
        });
    });
    if let Some(b) = picked {
        app.view.stats.picked = Some((format!("{title} · {}", b.key), b.members.clone()));
    }
    ui.add_space(8.0);
}

fn counts(ui: &mut egui::Ui, title: &str, map: &std::collections::BTreeMap<String, usize>) {
    ui.label(RichText::new(title).strong());
    let mut rows: Vec<(&String, &usize)> = map.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1));
    for (k, n) in rows {
        ui.label(format!("{k}  {n}"));
    }
}

/// The volumes of the bar picked: a click opens one in 著录.
fn members(ui: &mut egui::Ui, t: &Texts, app: &mut WorkstationApp) {
    let Some((title, ids)) = app.view.stats.picked.clone() else {
        ui.label(RichText::new(t.word("stats_pick")).weak());
        return;
    };
    ui.label(RichText::new(title).strong());
    egui::ScrollArea::vertical().show(ui, |ui| {
        for id in ids {
            let name = app
                .data
                .rows
                .iter()
                .find(|r| r.id == id)
                .map_or(id.clone(), |r| r.headline());
            if ui.link(name).clicked() {
                app.push(Command::SelectVolume(id.clone()));
                app.push(Command::SetScreen(Screen::Index));
            }
        }
    });
}
