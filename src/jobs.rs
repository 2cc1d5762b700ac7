//! A bounded pool of background workers with progress, cancel and per-worker state.
//!
//! Each worker builds its own state once (an OCR engine, a catalogue connection),
//! then takes items from a shared queue until it is empty or the run is cancelled.
//! Results flow back over a channel to the thread that called [`run`], which hands
//! them to a callback (a progress bar, the UI).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Shared cancel flag: set it and workers stop after their current item.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }
}

/// Default worker count: one per core (each OCR engine is single-threaded).
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// How much lower than the workstation's drawing a background job runs (Linux
/// nice value): on a machine shared with a seat the clerk's frames come first;
/// alone on a machine it changes nothing.
pub const BACKGROUND_NICENESS: i32 = 10;

/// Lowers the calling thread's priority to [`BACKGROUND_NICENESS`] (processes it
/// starts, like `tesseract`, inherit it). Linux keeps a nice value per thread.
pub fn run_as_background() {
    #[cfg(target_os = "linux")]
    if thread_niceness() < BACKGROUND_NICENESS {
        // SAFETY: a plain system call on the calling thread's own id.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, thread_id(), BACKGROUND_NICENESS);
        }
    }
}

#[cfg(target_os = "linux")]
fn thread_id() -> libc::id_t {
    // SAFETY: gettid has no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as libc::id_t }
}

/// The calling thread's nice value (Linux).
#[cfg(target_os = "linux")]
pub fn thread_niceness() -> i32 {
    // SAFETY: a plain system call on the calling thread's own id.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, thread_id()) }
}

/// Runs `work` on every item with `workers` threads (at background priority). `init` makes each worker's
/// state; if it fails, that worker reports the error through `on_event` (as
/// produced by `init_failed`) and stops, while the others go on.
pub fn run<I, S, E>(
    items: Vec<I>,
    workers: usize,
    cancel: &CancelToken,
    init: impl Fn(usize) -> Result<S, E> + Sync,
    work: impl Fn(&mut S, I, &dyn Fn(E)) + Sync,
    init_failed: impl Fn(E) -> E + Sync,
    mut on_event: impl FnMut(E),
) where
    I: Send,
    E: Send,
{
    let workers = workers.max(1).min(items.len().max(1));
    let (item_tx, item_rx) = crossbeam_channel::unbounded::<I>();
    for i in items {
        let _ = item_tx.send(i);
    }
    drop(item_tx);
    let (event_tx, event_rx) = crossbeam_channel::unbounded::<E>();
    std::thread::scope(|scope| {
        for w in 0..workers {
            let item_rx = item_rx.clone();
            let event_tx = event_tx.clone();
            let (init, work, init_failed) = (&init, &work, &init_failed);
            scope.spawn(move || {
                run_as_background();
                let send = |e: E| {
                    let _ = event_tx.send(e);
                };
                let mut state = match init(w) {
                    Ok(s) => s,
                    Err(e) => {
                        send(init_failed(e));
                        return;
                    }
                };
                while !cancel.is_cancelled() {
                    let Ok(item) = item_rx.recv() else { break };
                    work(&mut state, item, &send);
                }
            });
        }
        drop(event_tx);
        for e in event_rx {
            on_event(e);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_background_job_runs_below_the_caller() {
        let caller = thread_niceness();
        let seen = Mutex::new(Vec::new());
        run(
            vec![()],
            1,
            &CancelToken::new(),
            |_| Ok::<_, ()>(()),
            |_, _, _| seen.lock().unwrap().push(thread_niceness()),
            |e| e,
            |_| {},
        );
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen, vec![caller.max(BACKGROUND_NICENESS)]);
        assert_eq!(
            thread_niceness(),
            caller,
            "the caller's own priority is untouched"
        );
    }

    #[test]
    fn every_item_is_worked_once() {
        let seen = Mutex::new(Vec::new());
        let mut events = 0;
        run(
            (0..50).collect(),
            3,
            &CancelToken::new(),
            |_| Ok::<_, String>(()),
            |_, i: i32, send| {
                seen.lock().unwrap().push(i);
                send(format!("{i}"));
            },
            |e| e,
            |_| events += 1,
        );
        let mut v = seen.into_inner().unwrap();
        v.sort();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
        assert_eq!(events, 50);
    }

    #[test]
    fn cancel_stops_taking_items() {
        let cancel = CancelToken::new();
        let done = Mutex::new(0);
        run(
            (0..100).collect(),
            2,
            &cancel,
            |_| Ok::<_, String>(()),
            |_, _i: i32, _send| {
                *done.lock().unwrap() += 1;
                cancel.cancel();
            },
            |e| e,
            |_| {},
        );
        assert!(*done.lock().unwrap() <= 2);
    }

    #[test]
    fn a_worker_that_cannot_start_reports_it() {
        let mut got = Vec::new();
        run(
            vec![1, 2],
            1,
            &CancelToken::new(),
            |_| Err::<(), _>("no engine".to_string()),
            |_, _i: i32, _send| {},
            |e| format!("init: {e}"),
            |e| got.push(e),
        );
        assert_eq!(got, vec!["init: no engine".to_string()]);
    }
}
