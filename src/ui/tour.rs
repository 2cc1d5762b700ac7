//! The screenshot tour (`ANJUAN_SCREENSHOTS=DIR anjuan`): the workstation goes
//! through its screens by itself once its work is done, saves each as a PNG in
//! DIR and closes. `scripts/screenshots.sh` runs it on the sample volume so that
//! the README's pictures show the program as it is.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::app::{Command, IndexTab, Screen, WorkstationApp};

/// One picture: what to do first, and its file name.
struct Step {
    name: &'static str,
    commands: fn(&WorkstationApp) -> Vec<Command>,
}

const STEPS: &[Step] = &[
    Step {
        name: "capture",
        commands: |_| vec![Command::SetScreen(Screen::Capture)],
    },
    Step {
        name: "viewer",
        commands: |app| {
            app.first_page()
                .map(Command::OpenPage)
                .into_iter()
                .collect()
        },
    },
    Step {
        name: "indexing",
        commands: |_| vec![Command::ClosePage, Command::SetScreen(Screen::Index)],
    },
    Step {
        name: "double-entry",
        commands: |_| vec![Command::ShowIndexTab(IndexTab::DoubleEntry)],
    },
    Step {
        name: "review",
        commands: |_| {
            vec![
                Command::ShowIndexTab(IndexTab::Form),
                Command::SetScreen(Screen::Review),
            ]
        },
    },
    Step {
        name: "scoring",
        commands: |_| vec![Command::ShowScoreSheet(true)],
    },
    Step {
        name: "search",
        commands: |_| {
            vec![
                Command::SetScreen(Screen::Search),
                Command::Search("处罚".into()),
            ]
        },
    },
    Step {
        name: "stats",
        commands: |_| {
            vec![
                Command::ShowScoreSheet(false),
                Command::SetScreen(Screen::Stats),
            ]
        },
    },
    Step {
        name: "package",
        commands: |_| vec![Command::SetScreen(Screen::Package)],
    },
    Step {
        name: "settings",
        commands: |_| vec![Command::SetScreen(Screen::Settings)],
    },
];

/// Frames a screen is given to lay out and load its images before its picture.
const SETTLE_FRAMES: u32 = 30;

pub struct Tour {
    dir: PathBuf,
    at: usize,
    frames: u32,
    /// The current step's commands were given.
    started: bool,
    /// Set by the screenshot callback once the picture is written.
    saved: Option<Arc<AtomicBool>>,
}

impl Tour {
    /// The tour asked for by `ANJUAN_SCREENSHOTS`, if any.
    pub fn from_env() -> Option<Tour> {
        let dir = PathBuf::from(std::env::var_os("ANJUAN_SCREENSHOTS")?);
        Some(Tour {
            dir,
            at: 0,
            frames: 0,
            started: false,
            saved: None,
        })
    }

    /// One frame of the tour: waits for the workstation to be idle, gives a
    /// step's commands, lets the screen settle, takes its picture, moves on.
    pub fn frame(&mut self, ctx: &egui::Context, app: &mut WorkstationApp) {
        ctx.request_repaint();
        if app.busy() {
            return;
        }
        let Some(step) = STEPS.get(self.at) else {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        };
        if !self.started {
            for c in (step.commands)(app) {
                app.apply(c);
            }
            self.started = true;
            self.frames = 0;
            return;
        }
        self.frames += 1;
        if self.frames < SETTLE_FRAMES {
            return;
        }
        match &self.saved {
            None => {
                let saved = Arc::new(AtomicBool::new(false));
                self.saved = Some(saved.clone());
                let path = self.dir.join(format!("{}.png", step.name));
                ctx.request_screenshot(move |image| {
                    if let Err(e) = save(&path, &image) {
                        eprintln!("cannot write {}: {e:#}", path.display());
                    }
                    saved.store(true, Ordering::SeqCst);
                });
            }
            Some(saved) if saved.load(Ordering::SeqCst) => {
                self.saved = None;
                self.started = false;
                self.at += 1;
            }
            Some(_) => {}
        }
    }
}

fn save(path: &std::path::Path, image: &egui::ColorImage) -> anyhow::Result<()> {
    let [w, h] = image.size;
    let pixels: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let img = image::RgbaImage::from_raw(w as u32, h as u32, pixels)
        .ok_or_else(|| anyhow::anyhow!("a screenshot of the wrong size"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    img.save(path)?;
    Ok(())
}
