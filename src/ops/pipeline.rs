//! `process`: run every pending per-page stage (imaging, OCR) on the job pool.
//!
//! Resumable by construction: a page is claimed (`processing`, with the run's
//! lease), worked, and its result committed in one transaction (`done`) only
//! while the lease still holds, so a page is committed exactly once. On a home's
//! own catalogue a run holds the home's process lock; pages left `processing` by
//! a run that was killed are therefore stale and go back to the queue when the
//! next run starts. On a room's shared catalogue other seats and workers are
//! live: a killed run's pages come back when its lease runs out (see
//! `catalogue::leases` and `ops::worker`). Derivatives are named by their
//! inputs, so work cut off before its commit is simply done again.

use std::fs::File;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::capture::decode_master_page;
use crate::catalogue::{Catalogue, Lease, PageResult, PageRow};
use crate::home::Home;
use crate::imaging::{self, IMAGING_VERSION};
use crate::jobs::{self, CancelToken};
use crate::model::record::{RotationSource, Turn};
use crate::model::{ColorMode, TextOrigin};
use crate::ocr::osd::OsdEngine;
use crate::ocr::{self, EngineChoice, OcrEngine};
use crate::store::{Store, derivative_key};

#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// Only this volume (all volumes when None).
    pub volume: Option<String>,
    pub workers: usize,
    pub engine: EngineChoice,
    /// Also retry pages that failed before.
    pub retry_failed: bool,
    /// Index every volume again, even when nothing changed.
    pub reindex: bool,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions::new(None, EngineChoice::default(), jobs::default_workers())
    }
}

impl ProcessOptions {
    /// The pending pages of one volume (or all), new pages only, no forced re-index.
    pub fn new(volume: Option<String>, engine: EngineChoice, workers: usize) -> Self {
        ProcessOptions {
            volume,
            workers: workers.max(1),
            engine,
            retry_failed: false,
            reindex: false,
        }
    }
}

/// What a run reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum ProcessEvent {
    Started {
        total: usize,
    },
    PageStarted {
        page_id: i64,
        volume_id: String,
        seq: u32,
    },
    PageDone {
        page_id: i64,
        volume_id: String,
        seq: u32,
        timing: PageTiming,
    },
    PageFailed {
        page_id: i64,
        volume_id: String,
        seq: u32,
        error: String,
    },
    /// The run's lease on the page ran out and another worker took it over:
    /// this run's result was not committed (the other's will be).
    PageTakenOver {
        page_id: i64,
        volume_id: String,
        seq: u32,
    },
    /// A worker could not start (e.g. OCR language data missing).
    WorkerFailed {
        error: String,
    },
    /// A volume's documents, fields and page numbers were (re)computed.
    VolumeIndexed {
        volume_id: String,
        documents: usize,
        findings: usize,
    },
}

#[derive(Debug, Clone, Default)]
pub struct ProcessSummary {
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub cancelled: bool,
    pub worker_errors: Vec<String>,
    /// Time spent per stage, summed over the pages done (all workers).
    pub timing: PageTiming,
}

/// Where a page's time went (for the benchmark: imaging against OCR).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PageTiming {
    pub decode: Duration,
    pub imaging: Duration,
    pub ocr: Duration,
}

impl std::ops::AddAssign for PageTiming {
    fn add_assign(&mut self, o: Self) {
        self.decode += o.decode;
        self.imaging += o.imaging;
        self.ocr += o.ocr;
    }
}

/// How long a run waits for the home's lock before giving up.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// The home's exclusive process lock, held for the whole run.
pub struct ProcessLock {
    _file: File,
}

impl ProcessLock {
    pub fn acquire(home: &Home) -> Result<Self> {
        let path = home.process_lock_path();
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        // A lock just let go can still be held for a moment by a child process
        // forked meanwhile (it shares the open file until it execs): ask again
        // for a short while before saying another run holds it.
        let deadline = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(ProcessLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    bail!(
                        "another anjuan run is processing this home ({}); wait for it or stop it",
                        home.root().display()
                    )
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).context("cannot lock the home");
                }
            }
        }
    }
}

pub(super) struct Worker {
    catalogue: Catalogue,
    engine: Box<dyn OcrEngine>,
    /// Orientation detection; `None` when its data is missing (pages stay as scanned).
    osd: Option<OsdEngine>,
}

/// Runs all pending pages; calls `on_event` on the calling thread.
pub fn process(
    home: &Home,
    opts: &ProcessOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(&ProcessEvent),
) -> Result<ProcessSummary> {
    let catalogue = Catalogue::open(home.catalogue())?;
    // A room's catalogue is shared with live runs elsewhere: leases, no lock.
    let _lock = match catalogue.is_shared() {
        false => Some(ProcessLock::acquire(home)?),
        true => None,
    };
    if let Some(v) = &opts.volume
        && !catalogue.volume_exists(v)?
    {
        bail!("no volume {v} in {}", home.root().display());
    }
    if !catalogue.is_shared() {
        let stale = catalogue.reset_stale_processing()?;
        if stale > 0 {
            tracing::info!(
                "{stale} page(s) left unfinished by an earlier run go back to the queue"
            );
        }
    }
    let lease = Lease::for_this_process();
    let pending = catalogue.pending_pages(opts.volume.as_deref(), opts.retry_failed)?;
    let mut summary = ProcessSummary {
        total: pending.len(),
        ..Default::default()
    };
    on_event(&ProcessEvent::Started {
        total: pending.len(),
    });
    if pending.is_empty() {
        drop(catalogue);
        index_volumes(home, opts.volume.as_deref(), opts.reindex, &mut on_event)?;
        return Ok(summary);
    }
    let factory = opts.engine.factory();
    catalogue.audit(
        home.operator(),
        "process_start",
        opts.volume.as_deref(),
        &serde_json::json!({"pages": pending.len(), "workers": opts.workers, "engine": factory.describe()}).to_string(),
    )?;
    let store = Store::new(home.store_dir());
    let _heartbeat = Heartbeat::start(home, &lease);
    jobs::run(
        pending,
        opts.workers,
        cancel,
        |_| Worker::start(home, factory.as_ref()),
        |w, page_id, send| work_one(w, &store, page_id, &lease, send),
        |e| e,
        |e| {
            match &e {
                ProcessEvent::PageDone { timing, .. } => {
                    summary.done += 1;
                    summary.timing += *timing;
                }
                ProcessEvent::PageFailed { .. } => summary.failed += 1,
                ProcessEvent::WorkerFailed { error } => summary.worker_errors.push(error.clone()),
                _ => {}
            }
            on_event(&e);
        },
    );
    summary.cancelled = cancel.is_cancelled();
    catalogue.audit(
        home.operator(),
        "process_end",
        opts.volume.as_deref(),
        &serde_json::json!({"done": summary.done, "failed": summary.failed, "cancelled": summary.cancelled}).to_string(),
    )?;
    drop(catalogue);
    if !summary.cancelled {
        index_volumes(home, opts.volume.as_deref(), opts.reindex, &mut on_event)?;
    }
    Ok(summary)
}

/// The indexing stage: every volume (or the one asked for) whose pages are all
/// processed is indexed again when its pages, corrections or settings changed.
pub fn index_volumes(
    home: &Home,
    volume: Option<&str>,
    force: bool,
    mut on_event: impl FnMut(&ProcessEvent),
) -> Result<()> {
    let catalogue = Catalogue::open(home.catalogue())?;
    let settings = crate::model::settings::BureauSettings::load(&home.bureau_path())?;
    let ids: Vec<String> = match volume {
        Some(v) => vec![v.to_string()],
        None => catalogue
            .list_volumes()?
            .into_iter()
            .map(|v| v.id)
            .collect(),
    };
    for id in ids {
        if let Some(index) = super::index::reindex(&catalogue, &id, &settings, force)? {
            on_event(&ProcessEvent::VolumeIndexed {
                volume_id: id,
                documents: index.documents.len(),
                findings: index.findings.len(),
            });
        }
    }
    Ok(())
}

impl Worker {
    /// A worker's own catalogue connection and engines.
    pub(super) fn start(
        home: &Home,
        factory: &dyn crate::ocr::EngineFactory,
    ) -> Result<Worker, ProcessEvent> {
        let catalogue =
            Catalogue::open(home.catalogue()).map_err(|e| ProcessEvent::WorkerFailed {
                error: format!("{e:#}"),
            })?;
        let engine = factory.create().map_err(|e| ProcessEvent::WorkerFailed {
            error: e.to_string(),
        })?;
        let osd = match OsdEngine::new() {
            Ok(o) => Some(o),
            Err(e) => {
                tracing::warn!("{e}; pages are not turned upright");
                None
            }
        };
        Ok(Worker {
            catalogue,
            engine,
            osd,
        })
    }

    pub(super) fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// A new catalogue connection (after the old one failed: the database
    /// restarted, the network dropped).
    pub(super) fn reconnect(&mut self, home: &Home) -> Result<()> {
        self.catalogue = Catalogue::open(home.catalogue())?;
        Ok(())
    }
}

/// Renews a lease in the background for as long as it lives, on its own
/// connection (a page's OCR can take longer than the lease).
pub(super) struct Heartbeat {
    stop: Option<crossbeam_channel::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    pub(super) fn start(home: &Home, lease: &Lease) -> Heartbeat {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let (home, lease) = (home.clone(), lease.clone());
        let thread = std::thread::spawn(move || {
            let mut catalogue = None;
            while let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(lease.heartbeat())
            {
                if catalogue.is_none() {
                    catalogue = Catalogue::open(home.catalogue())
                        .map_err(|e| tracing::warn!("heartbeat: {e:#}"))
                        .ok();
                }
                if let Some(c) = &catalogue
                    && let Err(e) = c.renew_lease(&lease)
                {
                    // Said, and tried again on a new connection next time.
                    tracing::warn!("heartbeat: the lease could not be renewed: {e:#}");
                    catalogue = None;
                }
            }
        });
        Heartbeat {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn work_one(
    w: &mut Worker,
    store: &Store,
    page_id: i64,
    lease: &Lease,
    send: &dyn Fn(ProcessEvent),
) {
    match w.catalogue.claim_page(page_id, lease) {
        Ok(true) => {
            work_claimed(w, store, page_id, lease, send);
        }
        Ok(false) => {} // someone finished it meanwhile
        Err(e) => send(ProcessEvent::WorkerFailed {
            error: format!("catalogue: {e:#}"),
        }),
    }
}

/// Processes a page `lease` holds and commits it while the lease still holds;
/// the page's volume (None when the page could not be read).
pub(super) fn work_claimed(
    w: &mut Worker,
    store: &Store,
    page_id: i64,
    lease: &Lease,
    send: &dyn Fn(ProcessEvent),
) -> Option<String> {
    let row = match w.catalogue.page(page_id) {
        Ok(row) => row,
        Err(e) => {
            send(ProcessEvent::WorkerFailed {
                error: format!("catalogue: {e:#}"),
            });
            return None;
        }
    };
    let (volume_id, seq) = (row.volume_id.clone(), row.seq);
    send(ProcessEvent::PageStarted {
        page_id,
        volume_id: volume_id.clone(),
        seq,
    });
    let outcome = process_page(store, &row, w.engine.as_mut(), w.osd.as_mut()).and_then(
        |(result, timing)| {
            w.catalogue
                .commit_page(page_id, &result, lease)
                .map(|kept| (kept, timing))
        },
    );
    match outcome {
        Ok((true, timing)) => send(ProcessEvent::PageDone {
            page_id,
            volume_id,
            seq,
            timing,
        }),
        Ok((false, _)) => send(ProcessEvent::PageTakenOver {
            page_id,
            volume_id,
            seq,
        }),
        Err(e) => {
            let error = format!("{e:#}");
            match w.catalogue.fail_page(page_id, &error, lease) {
                Ok(false) => send(ProcessEvent::PageTakenOver {
                    page_id,
                    volume_id,
                    seq,
                }),
                _ => send(ProcessEvent::PageFailed {
                    page_id,
                    volume_id,
                    seq,
                    error,
                }),
            }
        }
    }
    Some(row.volume_id)
}

/// The key of a page's working image: its master, page, resolution, imaging version
/// and the clerk's overrides — everything the image is made from.
pub fn working_image_key(row: &PageRow) -> String {
    derivative_key(&[
        "working",
        &row.master_sha256,
        &row.source_page.to_string(),
        &row.dpi.unwrap_or(0).to_string(),
        IMAGING_VERSION,
        &serde_json::to_string(&row.overrides).unwrap_or_default(),
    ])
}

/// OCR confidence below which the page's orientation is checked with OSD.
pub const ORIENTATION_CHECK_CONFIDENCE: f64 = 0.6;
/// Characters read per ink component below which a page is in doubt: upright
/// text gives 0.3–0.6, an upside-down page almost nothing (PP-OCR reads little
/// of it, and with high confidence, so confidence alone does not show it).
pub const MIN_CHARS_PER_COMPONENT: f64 = 0.1;

/// Does the OCR result suggest the page is not upright?
fn reads_poorly(lines: &[crate::model::TextLine], ink_components: usize) -> bool {
    let confidence = ocr::page_confidence(lines).unwrap_or(0.0);
    let chars: usize = lines.iter().map(|l| l.text.chars().count()).sum();
    confidence < ORIENTATION_CHECK_CONFIDENCE
        || (ink_components >= 30
            && (chars as f64) < MIN_CHARS_PER_COMPONENT * ink_components as f64)
}

/// Characters read, punctuation and spaces left out.
fn read_chars(lines: &[crate::model::TextLine]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.text.chars())
        .filter(|c| c.is_alphanumeric())
        .count()
}

/// How much text was read, and how surely: Σ characters × confidence.
fn read_amount(lines: &[crate::model::TextLine]) -> f64 {
    lines
        .iter()
        .map(|l| l.text.chars().count() as f64 * l.confidence as f64)
        .sum()
}

/// Imaging then OCR for one page; pure apart from writing its derivative.
///
/// Orientation costs nothing on the common page: it is read as scanned (or as OSD
/// says when its text lines run down the page), and only when the OCR confidence is
/// low does OSD propose a turn, which is kept if the turned page reads better.
pub fn process_page(
    store: &Store,
    row: &PageRow,
    engine: &mut dyn OcrEngine,
    mut osd: Option<&mut OsdEngine>,
) -> Result<(PageResult, PageTiming)> {
    let clock = std::time::Instant::now();
    let mut ocr_time = std::time::Duration::ZERO;
    let master = store.read_master(&row.master_sha256, &row.master_ext)?;
    let decoded = decode_master_page(&master, &row.master_ext, row.source_page, row.dpi)
        .with_context(|| format!("{} cannot be decoded", row.source_name))?;
    let decode_time = clock.elapsed();
    // Stage times for `ANJUAN_LOG=anjuan=debug` (where a page's time goes).
    let mut laps: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut lap_start = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        laps.push((name, lap_start.elapsed()));
        lap_start = std::time::Instant::now();
    };
    let dpi = row.dpi.unwrap_or(300);
    let page = imaging::analyse(decoded, dpi);
    lap("analyse");
    let born_digital = match (row.text_origin, &row.text) {
        (Some(TextOrigin::BornDigital), Some(text)) => Some(text.clone()),
        _ => None,
    };
    let fixed = row.overrides.rotation.is_some() || born_digital.is_some();
    let blank = row.overrides.blank.unwrap_or_else(|| page.is_blank());
    // The first guess: as scanned, unless the text lines run down the page; then
    // the engine's orientation detection decides between 90 and 270. It costs
    // about a quarter of a page's OCR, so it is asked only when there is a doubt.
    let detect = |osd: Option<&mut OsdEngine>| osd?.detect(&page.clean_gray(), page.analysis_dpi());
    let turn = match detect(
        osd.as_deref_mut()
            .filter(|_| !fixed && !blank && page.lies_sideways()),
    ) {
        Some(o) if o.turn == 90 || o.turn == 270 => Turn {
            degrees: o.turn,
            source: RotationSource::Osd,
            confidence: Some(o.confidence),
        },
        _ => Turn::AS_SCANNED,
    };
    lap("orientation");
    let (mut working, mut record) = page.render(turn, &row.overrides);
    lap("render");

    let (origin, lines, text, engine_name) = if let Some(text) = born_digital {
        (
            TextOrigin::BornDigital,
            row.lines.clone(),
            text,
            "born-digital".to_string(),
        )
    } else if record.blank {
        // A blank back is kept and shown, but not read.
        (
            TextOrigin::Ocr,
            Vec::new(),
            String::new(),
            "none (blank)".to_string(),
        )
    } else {
        let t = std::time::Instant::now();
        let mut lines = engine.recognize(&working.gray(), dpi)?;
        ocr_time += t.elapsed();
        if !fixed
            && reads_poorly(&lines, record.ink_components)
            && let Some(o) = detect(osd)
            && o.turn != record.rotation
        {
            let turn = Turn {
                degrees: o.turn,
                source: RotationSource::OsdAfterOcr,
                confidence: Some(o.confidence),
            };
            let (turned, turned_record) = page.render(turn, &row.overrides);
            let t = std::time::Instant::now();
            let turned_lines = engine.recognize(&turned.gray(), dpi)?;
            ocr_time += t.elapsed();
            if read_amount(&turned_lines) > 1.3 * read_amount(&lines) + 10.0 {
                working = turned;
                record = turned_record;
                lines = turned_lines;
            }
        }
        if row.overrides.blank.is_none()
            && record.nothing_but_faint_marks()
            && read_chars(&lines) <= imaging::FAINT_MAX_CHARS
        {
            // Show-through, a hair, specks: a blank back that imaging alone could
            // not be sure of. What OCR made of the marks is not text.
            record.mark_blank_by_ocr();
            lines.clear();
        }
        let text = ocr::page_text(&lines);
        (TextOrigin::Ocr, lines, text, engine.describe())
    };
    lap("ocr");

    let color = row.color_mode.unwrap_or(ColorMode::Color);
    let key = working_image_key(row);
    // A JPEG page that needs no change is passed through bit for bit.
    let untouched =
        record.rotation == 0 && record.skew_applied == 0.0 && record.bed_fraction == 0.0;
    let (bytes, ext) = if row.master_ext == "jpg" && untouched {
        (master, "jpg")
    } else {
        imaging::encode_working(&working, color, dpi)?
    };
    store.put_derived(&key, ext, &bytes)?;
    lap("store");
    tracing::debug!("page {}: decode {decode_time:?}, {laps:?}", row.id);
    let timing = PageTiming {
        decode: decode_time,
        imaging: clock.elapsed() - decode_time - ocr_time,
        ocr: ocr_time,
    };
    let result = PageResult {
        image_key: key,
        image_ext: ext.to_string(),
        width: working.image.width(),
        height: working.image.height(),
        rotation: record.rotation,
        skew_deg: record.skew_deg,
        blank: record.blank,
        flags: record.flag_codes(),
        imaging: record,
        text_origin: origin,
        ocr_confidence: if origin == TextOrigin::Ocr {
            ocr::page_confidence(&lines)
        } else {
            None
        },
        text,
        lines,
        ocr_engine: engine_name,
    };
    Ok((result, timing))
}

/// What a scan reports while it works: its own pages and the processing of them.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanEvent {
    /// A page arrived from the scanner and is in the volume (as a master).
    Scanned {
        volume_id: String,
        pages: usize,
    },
    Process(ProcessEvent),
}

/// What to scan, where to put it, and how to process it.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// Into this volume (created if absent); None: a new volume.
    pub volume: Option<String>,
    pub settings: crate::capture::scanner::ScanSettings,
    pub placement: crate::catalogue::Placement,
    /// Process the pages while scanning; None: only capture.
    pub process: Option<ProcessOptions>,
}

/// Scans into a volume and processes the pages while the scanner is still feeding:
/// one thread drives the scanner and imports each sheet the moment it is complete,
/// this one runs the processing pool over whatever has arrived. A scanner error
/// ends the batch and keeps the pages; it is in the report.
pub fn scan_and_process(
    home: &Home,
    scanner: &dyn crate::capture::scanner::Scanner,
    request: &ScanRequest,
    cancel: &CancelToken,
    on_event: impl FnMut(&ScanEvent) + Send,
) -> Result<crate::capture::scanner::ScanReport> {
    let (volume, settings, placement) = (
        request.volume.as_deref(),
        &request.settings,
        request.placement,
    );
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, Ordering};
    let on_event = Mutex::new(on_event);
    let emit = |e: ScanEvent| (on_event.lock().unwrap())(&e);
    let recovered = crate::capture::scanner::recover_leftovers(home)?;
    for (v, n) in &recovered {
        tracing::warn!("{n} scanned page(s) left by an interrupted scan were added to volume {v}");
    }
    let scanning_done = AtomicBool::new(false);
    let volume_seen: Mutex<Option<String>> = Mutex::new(volume.map(str::to_string));
    let report = std::thread::scope(|s| {
        let scan = s.spawn(|| -> Result<crate::capture::scanner::ScanReport> {
            let result = (|| {
                let mut catalogue = Catalogue::open(home.catalogue())?;
                let store = Store::new(home.store_dir());
                crate::capture::scanner::scan_into(
                    scanner,
                    &mut catalogue,
                    &store,
                    &home.scan_dir(),
                    volume,
                    settings,
                    placement,
                    home.operator(),
                    cancel.flag(),
                    |r| {
                        if let Some(v) = &r.volume_id {
                            *volume_seen.lock().unwrap() = Some(v.clone());
                            emit(ScanEvent::Scanned {
                                volume_id: v.clone(),
                                pages: r.pages.len(),
                            });
                        }
                    },
                )
            })();
            scanning_done.store(true, Ordering::SeqCst);
            result
        });
        let mut process_error = None;
        if let Some(opts) = &request.process {
            // Process what has arrived, again and again, until the scanner is done
            // and nothing is left; the last pass indexes the finished volume.
            loop {
                let finished = scanning_done.load(Ordering::SeqCst);
                let mut opts = opts.clone();
                opts.volume = volume_seen.lock().unwrap().clone();
                if opts.volume.is_some() {
                    match process(home, &opts, cancel, |e| emit(ScanEvent::Process(e.clone()))) {
                        Ok(summary) if summary.total > 0 && !cancel.is_cancelled() => continue,
                        Ok(_) => {}
                        Err(e) => {
                            // The scanner goes on; the pages wait for the next run.
                            process_error = Some(e);
                            break;
                        }
                    }
                }
                if finished || cancel.is_cancelled() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        let report = scan.join().expect("the scan thread does not panic");
        match (report, process_error) {
            (Ok(r), Some(e)) => Err(e.context(format!(
                "{} page(s) were scanned and kept; processing them failed",
                r.pages.len()
            ))),
            (r, _) => r,
        }
    })?;
    Ok(report)
}
