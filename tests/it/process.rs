use std::fs;

use anjuan::jobs::CancelToken;
use anjuan::model::PageState;
use anjuan::ocr::{EngineChoice, fake::FakeFactory};
use anjuan::ops::pipeline::{self, ProcessEvent, ProcessOptions};

use crate::fixtures::*;

fn fake(f: FakeFactory) -> ProcessOptions {
    ProcessOptions {
        volume: None,
        workers: 2,
        engine: EngineChoice::Fake(f),
        retry_failed: false,
        reindex: false,
    }
}

fn import_widths(t: &TestHome, widths: &[u32]) -> String {
    let dir = t.path("pages");
    fs::create_dir_all(&dir).unwrap();
    for (i, w) in widths.iter().enumerate() {
        fs::write(dir.join(format!("{:02}.jpg", i + 1)), plain_jpeg(*w, 120)).unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

#[test]
fn ocr_failure_fails_that_page_only_and_retry_recovers() {
    let t = TestHome::new();
    let vid = import_widths(&t, &[100, 333, 102, 103]);
    let home = t.open_home();
    let mut events = Vec::new();
    let f = FakeFactory {
        fail_width: Some(333),
        text: Some("第一行\n第二行".into()),
        ..Default::default()
    };
    let s = pipeline::process(&home, &fake(f), &CancelToken::new(), |e| {
        events.push(e.clone())
    })
    .unwrap();
    assert_eq!((s.total, s.done, s.failed), (4, 3, 1));
    assert!(events.iter().any(|e| matches!(e, ProcessEvent::PageFailed { seq: 2, error, .. } if error.contains("fake engine told to fail"))));
    let pages = t.catalogue().pages(&vid).unwrap();
    assert_eq!(
        pages.iter().map(|p| p.state).collect::<Vec<_>>(),
        [
            PageState::Done,
            PageState::Failed,
            PageState::Done,
            PageState::Done
        ]
    );
    assert_eq!(pages[0].text.as_deref(), Some("第一行\n第二行"));
    assert_eq!(pages[0].lines.len(), 2);
    assert!(pages[1].error.as_deref().unwrap().contains("fail"));

    // A plain rerun leaves the failed page; --retry-failed with a working engine mends it.
    let s = pipeline::process(
        &home,
        &fake(FakeFactory::default()),
        &CancelToken::new(),
        |_| {},
    )
    .unwrap();
    assert_eq!(s.total, 0);
    let mut opts = fake(FakeFactory::default());
    opts.retry_failed = true;
    let s = pipeline::process(&home, &opts, &CancelToken::new(), |_| {}).unwrap();
    assert_eq!((s.total, s.done), (1, 1));
    assert!(
        t.catalogue()
            .pages(&vid)
            .unwrap()
            .iter()
            .all(|p| p.state == PageState::Done)
    );
}

#[test]
fn engine_that_cannot_start_leaves_pages_pending_and_cli_fails() {
    let t = TestHome::new();
    let vid = import_widths(&t, &[100, 101]);
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", "fail_init=1"));
    assert_eq!(code, 1);
    assert!(err.contains("could not start"), "{err}");
    assert!(
        t.catalogue()
            .pages(&vid)
            .unwrap()
            .iter()
            .all(|p| p.state == PageState::Imported)
    );
}

#[test]
fn cancel_stops_between_pages_and_leaves_the_rest_pending() {
    let t = TestHome::new();
    let vid = import_widths(&t, &[100, 101, 102, 103, 104, 105]);
    let home = t.open_home();
    let cancel = CancelToken::new();
    let f = FakeFactory {
        delay_ms: 50,
        ..Default::default()
    };
    let mut opts = fake(f);
    opts.workers = 1;
    let s = pipeline::process(&home, &opts, &cancel, |e| {
        if matches!(e, ProcessEvent::PageDone { .. }) {
            cancel.cancel();
        }
    })
    .unwrap();
    assert!(s.cancelled);
    let states: Vec<_> = t
        .catalogue()
        .pages(&vid)
        .unwrap()
        .iter()
        .map(|p| p.state)
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == PageState::Done).count(),
        s.done
    );
    assert!(s.done < 6);
    assert!(!states.contains(&PageState::Processing), "{states:?}");
}

#[test]
fn a_second_run_on_the_same_home_is_refused_while_one_runs() {
    let t = TestHome::new();
    import_widths(&t, &[100]);
    let home = t.open_home();
    let _held = pipeline::ProcessLock::acquire(&home).unwrap();
    if t.shared_catalogue.is_some() {
        // A room's catalogue: runs of several seats share the pages through
        // leases (see room.rs); the home's lock is not theirs to wait for.
        let summary = pipeline::process(
            &home,
            &fake(FakeFactory::default()),
            &CancelToken::new(),
            |_| {},
        )
        .unwrap();
        assert_eq!(summary.done, 1);
        return;
    }
    let err = pipeline::process(
        &home,
        &fake(FakeFactory::default()),
        &CancelToken::new(),
        |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("another anjuan run"), "{err}");
}
