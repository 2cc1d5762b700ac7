//! The frame probe (`ANJUAN_FRAME_PROBE=FILE anjuan`): the workstation goes
//! through a clerk's round by itself on the volume it opened (the page grid,
//! pages stepped through in the viewer, 著录, 质检, 检索, the grid again further
//! on) for `ANJUAN_FRAME_PROBE_SECS` seconds (default 60), drawing continuously,
//! and writes every frame's time and the process's memory to FILE as JSON, then
//! closes. `anjuan bench --frames` runs it beside busy OCR workers.
//!
//! A frame's time is eframe's own measure (`IntegrationInfo::cpu_usage`): the
//! app's logic and views, tessellation and painting, without waiting for the
//! display. Nothing here judges the figures; the bench prints them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::app::{Command, Screen, WorkstationApp};
use crate::bench::{FrameReport, Spread};

/// One part of the round: what to do first, then a command every few frames.
struct Leg {
    name: &'static str,
    frames: u32,
    start: fn(&WorkstationApp, usize) -> Vec<Command>,
    /// Given every `every` frames after the start (0: never).
    every: u32,
    then: fn() -> Vec<Command>,
}

/// Pages the viewer leg steps through; the next round starts that far on.
const STEPS_PER_VIEW: u32 = 12;

const ROUND: &[Leg] = &[
    Leg {
        name: "grid",
        frames: 90,
        start: |app, at| {
            let mut c = vec![Command::SetScreen(Screen::Capture)];
            c.extend(page_at(app, at).map(Command::RevealPage));
            c
        },
        every: 0,
        then: Vec::new,
    },
    Leg {
        name: "viewer",
        frames: 4 * STEPS_PER_VIEW,
        start: |app, at| {
            page_at(app, at)
                .map(Command::OpenPage)
                .into_iter()
                .collect()
        },
        every: 4,
        then: || vec![Command::StepPage(1)],
    },
    Leg {
        name: "grid",
        frames: 60,
        // Closing the viewer brings the grid to the page it showed.
        start: |_, _| vec![Command::ClosePage],
        every: 0,
        then: Vec::new,
    },
    Leg {
        name: "index",
        frames: 90,
        start: |_, _| vec![Command::SetScreen(Screen::Index)],
        every: 0,
        then: Vec::new,
    },
    Leg {
        name: "review",
        frames: 90,
        start: |_, _| vec![Command::SetScreen(Screen::Review)],
        every: 0,
        then: Vec::new,
    },
    Leg {
        name: "search",
        frames: 60,
        start: |_, _| {
            vec![
                Command::SetScreen(Screen::Search),
                Command::Search("处罚".into()),
            ]
        },
        every: 0,
        then: Vec::new,
    },
];

fn page_at(app: &WorkstationApp, at: usize) -> Option<i64> {
    let pages = &app.data.pages;
    (!pages.is_empty()).then(|| pages[at % pages.len()].id)
}

/// Frames drawn before measuring: fonts, the first textures, the first reads.
const WARM_UP: Duration = Duration::from_secs(2);

struct Sample {
    leg: &'static str,
    cpu_ms: f32,
    interval_ms: f32,
}

pub struct FrameProbe {
    out: PathBuf,
    length: Duration,
    started: Option<Instant>,
    last_frame: Option<Instant>,
    leg: usize,
    frames_in_leg: u32,
    /// The page the round is at (each viewer leg moves it on).
    at: usize,
    /// The leg the previous frame belonged to (eframe reports a frame's time
    /// on the next one).
    previous_leg: Option<&'static str>,
    samples: Vec<Sample>,
    rss_max_kb: u64,
    done: bool,
}

impl FrameProbe {
    /// The probe asked for by `ANJUAN_FRAME_PROBE`, if any.
    pub fn from_env() -> Option<FrameProbe> {
        let out = PathBuf::from(std::env::var_os("ANJUAN_FRAME_PROBE")?);
        let secs = std::env::var("ANJUAN_FRAME_PROBE_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(60);
        Some(FrameProbe {
            out,
            length: Duration::from_secs(secs.max(1)),
            started: None,
            last_frame: None,
            leg: 0,
            frames_in_leg: 0,
            at: 0,
            previous_leg: None,
            samples: Vec::new(),
            rss_max_kb: 0,
            done: false,
        })
    }

    /// One frame: records the previous frame's time, moves the round on.
    pub fn frame(&mut self, ctx: &egui::Context, cpu_usage: Option<f32>, app: &mut WorkstationApp) {
        if self.done {
            return;
        }
        ctx.request_repaint();
        let now = Instant::now();
        let started = *self.started.get_or_insert(now);
        if let (Some(leg), Some(cpu), Some(last)) = (self.previous_leg, cpu_usage, self.last_frame)
            && now.duration_since(started) > WARM_UP
        {
            self.samples.push(Sample {
                leg,
                cpu_ms: cpu * 1000.0,
                interval_ms: now.duration_since(last).as_secs_f32() * 1000.0,
            });
        }
        self.last_frame = Some(now);
        if self.samples.len().is_multiple_of(15) {
            self.rss_max_kb = self.rss_max_kb.max(proc_status_kb("VmRSS").unwrap_or(0));
        }
        if now.duration_since(started) > self.length + WARM_UP {
            self.done = true;
            if let Err(e) = self.write(app) {
                eprintln!("cannot write {}: {e:#}", self.out.display());
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        let leg = &ROUND[self.leg];
        if self.frames_in_leg == 0 {
            for c in (leg.start)(app, self.at) {
                app.apply(c);
            }
        } else if leg.every > 0 && self.frames_in_leg.is_multiple_of(leg.every) {
            for c in (leg.then)() {
                app.apply(c);
            }
        }
        self.previous_leg = Some(leg.name);
        self.frames_in_leg += 1;
        if self.frames_in_leg >= leg.frames {
            self.frames_in_leg = 0;
            self.leg = (self.leg + 1) % ROUND.len();
            if self.leg == 0 {
                self.at += STEPS_PER_VIEW as usize + 30;
            }
        }
    }

    fn write(&self, app: &WorkstationApp) -> anyhow::Result<()> {
        let all: Vec<&Sample> = self.samples.iter().collect();
        let mut legs: BTreeMap<&str, Vec<&Sample>> = BTreeMap::new();
        for s in &self.samples {
            legs.entry(s.leg).or_default().push(s);
        }
        let report = FrameReport {
            seconds: self.length.as_secs_f64(),
            frames: all.len(),
            pages_in_volume: app.data.pages.len(),
            frame_ms: Spread::of(all.iter().map(|s| s.cpu_ms)),
            interval_ms: Spread::of(all.iter().map(|s| s.interval_ms)),
            legs: legs
                .into_iter()
                .map(|(name, s)| (name.to_string(), Spread::of(s.iter().map(|s| s.cpu_ms))))
                .collect(),
            rss_peak_mb: proc_status_kb("VmHWM").unwrap_or(self.rss_max_kb) as f64 / 1024.0,
            rss_end_mb: proc_status_kb("VmRSS").unwrap_or(0) as f64 / 1024.0,
        };
        crate::fsutil::write_atomic(&self.out, &serde_json::to_vec_pretty(&report)?)?;
        Ok(())
    }
}

/// A `kB` line of `/proc/self/status` (Linux).
fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process_memory() {
        assert!(proc_status_kb("VmRSS").is_some_and(|kb| kb > 0));
        assert!(proc_status_kb("NoSuchField").is_none());
    }
}
