//! `worker`: a headless processing seat of a digitization room. It takes
//! pending pages from the room's catalogue one at a time per job, with this
//! process's lease (`catalogue::leases`), processes them like `process` does
//! (the same `work_claimed`), commits each while the lease holds, and indexes
//! a volume once its last page is through. A heartbeat renews the lease; a
//! worker killed with `kill -9` loses nothing: its pages come back when the
//! lease runs out and another worker takes them, each committed exactly once.
//!
//! It needs no home lock, so any number of workers on any machines of the room
//! share one catalogue and one store. On a home's own SQLite catalogue it works
//! the same (SQLite's write lock serializes the claims).

use std::time::Duration;

use anyhow::{Result, bail};

use super::pipeline::{Heartbeat, ProcessEvent, Worker, index_volumes, work_claimed};
use crate::catalogue::{Catalogue, Lease};
use crate::home::Home;
use crate::jobs::CancelToken;
use crate::ocr::EngineChoice;
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Pages processed at once (one engine each).
    pub jobs: usize,
    /// Stop once no page is left to process or being processed anywhere.
    pub until_idle: bool,
    pub engine: EngineChoice,
    /// Only this volume's pages (all when None).
    pub volume: Option<String>,
    /// How long an idle job waits before asking again.
    pub poll: Duration,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkerSummary {
    pub done: usize,
    pub failed: usize,
    /// Pages whose lease ran out while this worker had them (not committed).
    pub taken_over: usize,
    pub worker_errors: Vec<String>,
}

/// Runs until cancelled (or, with `until_idle`, until the room's queue is
/// empty); calls `on_event` on the calling thread.
pub fn run(
    home: &Home,
    opts: &WorkerOptions,
    cancel: &CancelToken,
    mut on_event: impl FnMut(&ProcessEvent),
) -> Result<WorkerSummary> {
    let catalogue = Catalogue::open(home.catalogue())?;
    if let Some(v) = &opts.volume
        && !catalogue.volume_exists(v)?
    {
        bail!("no volume {v} in the catalogue {}", home.catalogue());
    }
    let lease = Lease::for_this_process();
    let factory = opts.engine.factory();
    catalogue.audit(
        home.operator(),
        "worker_start",
        opts.volume.as_deref(),
        &serde_json::json!({"worker": lease.owner(), "jobs": opts.jobs, "engine": factory.describe()})
            .to_string(),
    )?;
    let store = Store::new(home.store_dir());
    let _heartbeat = Heartbeat::start(home, &lease);
    let mut summary = WorkerSummary::default();
    let (event_tx, event_rx) = crossbeam_channel::unbounded::<ProcessEvent>();
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let event_tx = event_tx.clone();
            let (store, lease, factory) = (&store, &lease, factory.as_ref());
            scope.spawn(move || {
                crate::jobs::run_as_background();
                let send = |e: ProcessEvent| {
                    let _ = event_tx.send(e);
                };
                match Worker::start(home, factory) {
                    Ok(mut w) => job_loop(home, opts, cancel, &mut w, store, lease, &send),
                    Err(e) => send(e),
                }
            });
        }
        drop(event_tx);
        for e in event_rx {
            match &e {
                ProcessEvent::PageDone { .. } => summary.done += 1,
                ProcessEvent::PageFailed { .. } => summary.failed += 1,
                ProcessEvent::PageTakenOver { .. } => summary.taken_over += 1,
                ProcessEvent::WorkerFailed { error } => summary.worker_errors.push(error.clone()),
                _ => {}
            }
            on_event(&e);
        }
    });
    // What the last pages of any volume left to index (a worker killed right
    // after its commit leaves its volume to the next one idle).
    if !cancel.is_cancelled() {
        index_volumes(home, opts.volume.as_deref(), false, &mut on_event)?;
    }
    catalogue.audit(
        home.operator(),
        "worker_end",
        opts.volume.as_deref(),
        &serde_json::json!({"worker": lease.owner(), "done": summary.done, "failed": summary.failed,
                            "taken_over": summary.taken_over})
        .to_string(),
    )?;
    Ok(summary)
}

/// One job: take a page, process it, index its volume when it was the last;
/// when there is nothing to take, wait and ask again (or stop, when idle is
/// the end and nothing is in flight anywhere).
fn job_loop(
    home: &Home,
    opts: &WorkerOptions,
    cancel: &CancelToken,
    w: &mut Worker,
    store: &Store,
    lease: &Lease,
    send: &dyn Fn(ProcessEvent),
) {
    let volume = opts.volume.as_deref();
    while !cancel.is_cancelled() {
        let claimed = w.catalogue().claim_next(lease, 1, volume, false);
        match claimed.as_deref() {
            Ok([page_id, ..]) => {
                let page_id = *page_id;
                // Its volume is indexed when this was its last page.
                let finished_volume = work_claimed(w, store, page_id, lease, send)
                    .filter(|v| w.catalogue().pages_in_flight(Some(v)).ok() == Some(0));
                if let Some(v) = finished_volume
                    && let Err(e) = index_volumes(home, Some(&v), false, |e| send(e.clone()))
                {
                    send(ProcessEvent::WorkerFailed {
                        error: format!("{v}: indexing: {e:#}"),
                    });
                }
            }
            Ok(_) => {
                let in_flight = w.catalogue().pages_in_flight(volume).unwrap_or(1);
                if opts.until_idle && in_flight == 0 {
                    return;
                }
                std::thread::sleep(opts.poll);
            }
            Err(e) => {
                // Said once per try; the job goes on with a new connection
                // when the catalogue is back.
                send(ProcessEvent::WorkerFailed {
                    error: format!("catalogue: {e:#}"),
                });
                std::thread::sleep(opts.poll.max(Duration::from_secs(1)));
                let _ = w.reconnect(home);
            }
        }
    }
}
