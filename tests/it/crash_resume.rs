//! `kill -9` in the middle of `process`, then a rerun: every page done once.

use std::time::{Duration, Instant};

use anjuan::model::PageState;

use crate::fixtures::*;

#[test]
fn killed_run_resumes_with_nothing_lost_or_done_twice() {
    let t = TestHome::new();
    let dir = t.path("pages");
    std::fs::create_dir_all(&dir).unwrap();
    let n = 12;
    for i in 0..n {
        std::fs::write(
            dir.join(format!("{:02}.jpg", i + 1)),
            plain_jpeg(100 + i, 90),
        )
        .unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();

    // On a room's catalogue the killed run's pages come back when its lease
    // runs out (a home's own catalogue gives them back at once): a short one.
    let lease_secs = "1";
    // Each page takes 250 ms on 2 workers: the whole run ~1.5 s. Kill it mid-way.
    let mut child = t
        .cli()
        .args(["process", "--engine", "fake", "--jobs", "2"])
        .env("ANJUAN_FAKE_OCR", "delay_ms=250,text=甲乙丙")
        .env("ANJUAN_LEASE_SECS", lease_secs)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let done = count(&t, &vid, PageState::Done);
        if done >= 2 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done_before = count(&t, &vid, PageState::Done);
    assert!(
        done_before >= 2 && done_before < n as usize,
        "killed too late: {done_before} done"
    );

    if t.shared_catalogue.is_some() {
        std::thread::sleep(Duration::from_millis(1500));
    }
    // The catalogue reopens; the rerun finishes exactly the rest.
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", "text=甲乙丙")
        .env("ANJUAN_LEASE_SECS", lease_secs));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "{} of {} page(s) processed",
            n as usize - done_before,
            n as usize - done_before
        )),
        "{err}"
    );
    let pages = t.catalogue().pages(&vid).unwrap();
    assert_eq!(pages.len(), n as usize);
    assert!(
        pages
            .iter()
            .all(|p| p.state == PageState::Done && p.text.as_deref() == Some("甲乙丙"))
    );
    // Each page is in the search index once.
    let hits = t.catalogue().search("甲乙丙", 1000).unwrap();
    assert_eq!(hits.len(), n as usize);
}

fn count(t: &TestHome, vid: &str, s: PageState) -> usize {
    t.catalogue()
        .count_states(vid)
        .unwrap()
        .into_iter()
        .find(|(st, _)| *st == s)
        .map(|(_, n)| n as usize)
        .unwrap_or(0)
}
