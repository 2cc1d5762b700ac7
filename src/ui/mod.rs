//! The egui workstation.
//!
//! Shaped like rerun's viewer: views draw from read-only state and push
//! [`app::Command`]s; [`app::WorkstationApp::apply`] is the one place that acts on
//! them (starts background tasks, changes selection). Persistent preferences
//! ([`prefs`]), case data (the catalogue) and transient UI state stay apart.

pub mod app;
pub mod capture_view;
pub mod fonts;
pub mod frame_probe;
pub mod i18n;
pub mod images;
pub mod index_view;
pub mod package_view;
pub mod page_canvas;
pub mod prefs;
pub mod review_view;
pub mod search_view;
pub mod settings_view;
mod stats_view;
pub mod tasks;
pub mod tour;
pub mod views;

use anyhow::Result;

use crate::home::Home;
pub use app::{AppConfig, WorkstationApp};

/// Opens the workstation window on `home`.
pub fn run_workstation(home: Home) -> Result<()> {
    let tour = tour::Tour::from_env();
    let probe = frame_probe::FrameProbe::from_env();
    // The tour's pictures and the probe's frames at the common office screen size.
    let size = if tour.is_some() || probe.is_some() {
        [1366.0, 768.0]
    } else {
        [1400.0, 900.0]
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("案卷 anjuan")
            .with_inner_size(size)
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "anjuan",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let config = AppConfig {
                ask_operator: tour.is_none() && probe.is_none(),
                // The probe measures a seat that draws while workers elsewhere
                // do the OCR (`anjuan bench --frames` starts them).
                process_after_import: probe.is_none(),
                ..AppConfig::default()
            };
            let mut app = WorkstationApp::new(home, config, &cc.egui_ctx)?;
            app.tour = tour;
            app.probe = probe;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the workstation window cannot open: {e}"))
}

impl eframe::App for WorkstationApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.update(ctx);
        if let Some(mut tour) = self.tour.take() {
            tour.frame(ctx, self);
            self.tour = Some(tour);
        }
        if let Some(mut probe) = self.probe.take() {
            probe.frame(ctx, frame.info().cpu_usage, self);
            self.probe = Some(probe);
        }
    }
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
