//! Long work off the UI thread: import, process, preparing the sample.
//!
//! A task runs on its own thread and reports over a channel; the UI polls the
//! channel each frame and is woken by `request_repaint`. One task runs at a time,
//! others wait in a queue; every task can be cancelled.

use std::path::PathBuf;

use crossbeam_channel::Receiver;

use crate::capture::scanner::ScanSettings;
use crate::capture::{self, ImportReport, sample};
use crate::catalogue::{Catalogue, Placement};
use crate::home::Home;
use crate::jobs::CancelToken;
use crate::ocr::EngineChoice;
use crate::ops::PackEvent;
use crate::ops::pipeline::{self, ProcessEvent, ProcessOptions};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq)]
pub enum TaskSpec {
    Import {
        paths: Vec<PathBuf>,
        volume: Option<String>,
        then_process: bool,
    },
    Process {
        volume: Option<String>,
    },
    /// Render the bundled sample volume, import it and process it.
    Sample,
    /// Build (or keep valid) archive packages, one volume after another.
    Package {
        volumes: Vec<String>,
        out: PathBuf,
        force: bool,
    },
    /// Index every volume again (after the settings changed).
    Reindex,
    /// Run the 四性检测 on a package file.
    Verify {
        path: PathBuf,
    },
    /// Upload packages to the platform's object storage (`upload.target`).
    Upload {
        packages: Vec<PathBuf>,
    },
    /// Scan into a volume (None: a new one), processing the pages as they come.
    Scan {
        volume: Option<String>,
        settings: ScanSettings,
        placement: Placement,
    },
    /// One file's pages into a volume at a place (insert before, replace).
    AddFile {
        volume: String,
        path: PathBuf,
        placement: Placement,
        then_process: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Import,
    Process,
    Sample,
    Package,
    Scan,
}

pub use crate::ops::PackOutcome as PackageOutcome;

#[derive(Debug)]
pub enum TaskEvent {
    Progress {
        done: usize,
        total: usize,
        label: String,
    },
    Imported(ImportReport),
    /// Pages arrived in a volume (from the scanner, or a file put in place).
    Scanned {
        volume_id: String,
    },
    Process(ProcessEvent),
    Packaged(PackageOutcome),
    /// A package uploaded (its receipt), or why not (package, reason).
    Uploaded(Result<crate::catalogue::UploadReceipt, (String, String)>),
    Finished {
        error: Option<String>,
        followup: Option<TaskSpec>,
    },
}

pub struct RunningTask {
    pub kind: TaskKind,
    pub cancel: CancelToken,
    pub rx: Receiver<TaskEvent>,
    pub done: usize,
    pub total: usize,
    pub label: String,
}

/// What every task needs to know.
#[derive(Clone)]
pub struct TaskContext {
    pub home: Home,
    pub scanner: std::sync::Arc<dyn crate::capture::scanner::Scanner>,
    pub engine: EngineChoice,
    pub workers: usize,
    pub egui: egui::Context,
}

pub fn spawn(spec: TaskSpec, cx: TaskContext) -> RunningTask {
    let (tx, rx) = crossbeam_channel::unbounded();
    let cancel = CancelToken::new();
    let kind = match spec {
        TaskSpec::Import { .. } => TaskKind::Import,
        TaskSpec::Process { .. } | TaskSpec::Reindex => TaskKind::Process,
        TaskSpec::Sample => TaskKind::Sample,
        TaskSpec::Package { .. } | TaskSpec::Verify { .. } | TaskSpec::Upload { .. } => {
            TaskKind::Package
        }
        TaskSpec::Scan { .. } => TaskKind::Scan,
        TaskSpec::AddFile { .. } => TaskKind::Import,
    };
    let c = cancel.clone();
    std::thread::Builder::new()
        .name(format!("task-{kind:?}"))
        .spawn(move || {
            let send = |e: TaskEvent| {
                let _ = tx.send(e);
                cx.egui.request_repaint();
            };
            let result = run(spec, &cx, &c, &send);
            let (error, followup) = match result {
                Ok(f) => (None, f),
                Err(e) => (Some(format!("{e:#}")), None),
            };
            send(TaskEvent::Finished { error, followup });
        })
        .expect("spawning a task thread");
    RunningTask {
        kind,
        cancel,
        rx,
        done: 0,
        total: 0,
        label: String::new(),
    }
}

fn import(
    cx: &TaskContext,
    paths: &[PathBuf],
    volume: Option<&str>,
    cancel: &CancelToken,
    send: &dyn Fn(TaskEvent),
) -> anyhow::Result<ImportReport> {
    let mut cat = Catalogue::open(cx.home.catalogue())?;
    let store = Store::new(cx.home.store_dir());
    let report = capture::import(
        &mut cat,
        &store,
        paths,
        volume,
        cx.home.operator(),
        cancel.flag(),
        |p| {
            send(TaskEvent::Progress {
                done: p.done,
                total: p.total,
                label: p
                    .current
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            })
        },
    )?;
    send(TaskEvent::Imported(report.clone()));
    Ok(report)
}

fn run(
    spec: TaskSpec,
    cx: &TaskContext,
    cancel: &CancelToken,
    send: &(dyn Fn(TaskEvent) + Sync),
) -> anyhow::Result<Option<TaskSpec>> {
    match spec {
        TaskSpec::Import {
            paths,
            volume,
            then_process,
        } => {
            let report = import(cx, &paths, volume.as_deref(), cancel, send)?;
            Ok(match report.volume_id {
                Some(v) if then_process && !cancel.is_cancelled() => {
                    Some(TaskSpec::Process { volume: Some(v) })
                }
                _ => None,
            })
        }
        TaskSpec::Sample => {
            send(TaskEvent::Progress {
                done: 0,
                total: 1,
                label: String::new(),
            });
            let folder = sample::write_volume(
                &cx.home.root().join("samples"),
                sample::RenderOptions::default(),
            )?;
            let report = import(cx, &[folder], None, cancel, send)?;
            Ok(report
                .volume_id
                .map(|v| TaskSpec::Process { volume: Some(v) }))
        }
        TaskSpec::Package {
            volumes,
            out,
            force,
        } => {
            let selection = crate::ops::package::Selection::Volumes(volumes);
            let mut total = 0;
            crate::ops::pack_batch(&cx.home, &selection, &out, force, cancel, |e| match e {
                PackEvent::Started { total: t } => total = t,
                PackEvent::Packing { done, volume } => send(TaskEvent::Progress {
                    done,
                    total,
                    label: volume,
                }),
                PackEvent::Outcome(o) => send(TaskEvent::Packaged(*o)),
            })?;
            send(TaskEvent::Progress {
                done: total,
                total,
                label: String::new(),
            });
            Ok(None)
        }
        TaskSpec::Reindex => {
            crate::ops::pipeline::index_volumes(&cx.home, None, false, |e| {
                send(TaskEvent::Process(e.clone()))
            })?;
            Ok(None)
        }
        TaskSpec::Scan {
            volume,
            settings,
            placement,
        } => {
            let request = pipeline::ScanRequest {
                volume,
                settings,
                placement,
                process: Some(ProcessOptions::new(None, cx.engine.clone(), cx.workers)),
            };
            let (mut scanned, mut processed) = (0, 0);
            let report =
                pipeline::scan_and_process(&cx.home, cx.scanner.as_ref(), &request, cancel, |e| {
                    match e {
                        pipeline::ScanEvent::Scanned { volume_id, pages } => {
                            scanned = *pages;
                            send(TaskEvent::Scanned {
                                volume_id: volume_id.clone(),
                            });
                        }
                        pipeline::ScanEvent::Process(pe) => {
                            if matches!(pe, ProcessEvent::PageDone { .. }) {
                                processed += 1;
                            }
                            send(TaskEvent::Process(pe.clone()));
                        }
                    }
                    send(TaskEvent::Progress {
                        done: processed,
                        total: scanned,
                        label: String::new(),
                    });
                })?;
            if let Some(e) = report.error {
                anyhow::bail!(
                    "{e} — {} page(s) scanned before are kept",
                    report.pages.len()
                );
            }
            Ok(None)
        }
        TaskSpec::AddFile {
            volume,
            path,
            placement,
            then_process,
        } => {
            let mut cat = Catalogue::open(cx.home.catalogue())?;
            let actor = cx.home.operator().to_string();
            let add = crate::ops::arrange::Arrangement::Add {
                file: path,
                placement,
            };
            crate::ops::arrange::arrange(&cx.home, &mut cat, &volume, add, &actor)?;
            send(TaskEvent::Scanned {
                volume_id: volume.clone(),
            });
            Ok(then_process.then_some(TaskSpec::Process {
                volume: Some(volume),
            }))
        }
        TaskSpec::Upload { packages } => {
            use crate::ops::upload::UploadEvent;
            use crate::package::upload::{Pace, Step};
            let (target, connection) = crate::ops::upload::destination(&cx.home, None)?;
            let cat = Catalogue::open(cx.home.catalogue())?;
            let total = packages.len();
            let (mut done, mut name) = (0, String::new());
            crate::ops::upload::upload_batch(
                &cat,
                &connection,
                &target,
                &packages,
                Pace::default(),
                cx.home.operator(),
                cancel,
                |e| match e {
                    UploadEvent::Started { package, index, .. } => {
                        (done, name) = (index, package.clone());
                        send(TaskEvent::Progress {
                            done,
                            total,
                            label: package,
                        });
                    }
                    UploadEvent::Step { step, .. } => {
                        let label = match step {
                            Step::PartSent { part, parts } => format!("{name} {part}/{parts}"),
                            _ => name.clone(),
                        };
                        send(TaskEvent::Progress { done, total, label });
                    }
                    UploadEvent::Uploaded(r) => send(TaskEvent::Uploaded(Ok(r))),
                    UploadEvent::Failed { package, error } => {
                        send(TaskEvent::Uploaded(Err((package, error))))
                    }
                },
            );
            send(TaskEvent::Progress {
                done: total,
                total,
                label: String::new(),
            });
            Ok(None)
        }
        TaskSpec::Verify { path } => {
            send(TaskEvent::Packaged(crate::ops::package::verify_again(
                &path,
            )));
            Ok(None)
        }
        TaskSpec::Process { volume } => {
            let opts = ProcessOptions::new(volume, cx.engine.clone(), cx.workers);
            pipeline::process(&cx.home, &opts, cancel, |e| {
                send(TaskEvent::Process(e.clone()))
            })?;
            Ok(None)
        }
    }
}

impl RunningTask {
    /// Drains the channel; returns the events that arrived.
    pub fn poll(&mut self) -> Vec<TaskEvent> {
        let events: Vec<TaskEvent> = self.rx.try_iter().collect();
        for e in &events {
            match e {
                TaskEvent::Progress { done, total, label } => {
                    self.done = *done;
                    self.total = *total;
                    self.label = label.clone();
                }
                TaskEvent::Process(ProcessEvent::Started { total }) => {
                    self.total = *total;
                    self.done = 0;
                }
                TaskEvent::Process(
                    ProcessEvent::PageDone { seq, .. } | ProcessEvent::PageFailed { seq, .. },
                ) => {
                    self.done += 1;
                    self.label = format!("{seq}");
                }
                _ => {}
            }
        }
        events
    }

    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.done as f32 / self.total as f32
        }
    }
}
