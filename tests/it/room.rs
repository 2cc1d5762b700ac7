//! A digitization room on this machine: one PostgreSQL catalogue (the tests'
//! own server), one store folder, a CLI seat that imports, and two `worker`s,
//! one of them killed with SIGKILL midway. The result must be what a single
//! seat on SQLite makes of the same scans.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anjuan::model::PageState;

use crate::fixtures::*;

/// Two volumes' scans: the sample case file at two resolutions.
fn scans(t: &TestHome) -> [std::path::PathBuf; 2] {
    let a = t.path("scans-a");
    let b = t.path("scans-b");
    sample_pages(&a, 200);
    sample_pages(&b, 150);
    [a, b]
}

fn import(t: &TestHome, dir: &Path) -> String {
    let (code, out, err) = run(t.cli().arg("import").arg(dir));
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

fn show(t: &TestHome, volume: &str) -> serde_json::Value {
    let (code, out, err) = run(t.cli().args(["show", "--volume", volume, "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn worker(t: &TestHome) -> Child {
    t.cli()
        .args([
            "worker",
            "--jobs",
            "1",
            "--until-idle",
            "--engine",
            "tesseract",
        ])
        .env("ANJUAN_LEASE_SECS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn done_pages(t: &TestHome, volumes: &[String]) -> u32 {
    let cat = t.catalogue();
    volumes
        .iter()
        .flat_map(|v| cat.count_states(v).unwrap())
        .filter(|(s, _)| *s == PageState::Done)
        .map(|(_, n)| n)
        .sum()
}

/// "V0001 page 3: done" lines.
fn pages_done_by(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.ends_with(": done"))
        .map(|l| l.trim_end_matches(": done").to_string())
        .collect()
}

fn stderr_of(child: Child) -> (std::process::ExitStatus, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn two_workers_and_a_seat_on_one_postgres_match_a_single_sqlite_seat_with_a_worker_killed() {
    // The single seat, on SQLite.
    let single = TestHome {
        dir: tempfile::tempdir().unwrap(),
        shared_catalogue: None,
    };
    let dirs = scans(&single);
    let volumes: Vec<String> = dirs.iter().map(|d| import(&single, d)).collect();
    let (code, _, err) =
        run(single
            .cli()
            .args(["process", "--engine", "tesseract", "--jobs", "2"]));
    assert_eq!(code, 0, "{err}");
    let expected: Vec<serde_json::Value> = volumes.iter().map(|v| show(&single, v)).collect();

    // The room: the seat imports into the shared catalogue and store; two
    // workers process; the first is killed once it has done a page.
    let room = TestHome {
        dir: tempfile::tempdir().unwrap(),
        shared_catalogue: Some(fresh_postgres()),
    };
    let room_volumes: Vec<String> = dirs.iter().map(|d| import(&room, d)).collect();
    assert_eq!(room_volumes, volumes);
    let total: u32 = room
        .catalogue()
        .list_volumes()
        .unwrap()
        .iter()
        .map(|v| v.pages)
        .sum();
    let mut first = worker(&room);
    let second = worker(&room);
    // Killed once pages are done and while it holds one (its lease names it).
    let first_pid = format!(":{}:", first.id());
    let deadline = Instant::now() + Duration::from_secs(300);
    let held = loop {
        assert!(
            Instant::now() < deadline,
            "the first worker never held a page"
        );
        let held = room.catalogue().leased_pages().unwrap();
        if let Some((page, _)) = held.iter().find(|(_, who)| who.contains(&first_pid))
            && done_pages(&room, &volumes) >= 2
        {
            break *page;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    first.kill().unwrap(); // SIGKILL: no chance to give its page back
    let (_, first_err) = stderr_of(first);
    assert!(
        done_pages(&room, &volumes) < total,
        "the kill came too late to show anything"
    );
    let (status, second_err) = stderr_of(second);
    assert!(status.success(), "{second_err}");
    assert!(second_err.contains("indexed"), "{second_err}");

    // Every page done, the killed worker's page taken over, each page by one
    // worker only.
    assert_eq!(done_pages(&room, &volumes), total);
    assert_eq!(room.catalogue().page(held).unwrap().state, PageState::Done);
    let mut by_both = pages_done_by(&first_err);
    by_both.extend(pages_done_by(&second_err));
    let mut unique = by_both.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        by_both.len(),
        "a page committed twice: {by_both:?}"
    );

    // The same archive as the single seat's.
    for (v, want) in volumes.iter().zip(&expected) {
        assert_eq!(&show(&room, v), want, "volume {v} differs");
    }
    // The seat sees the room's work (the same catalogue).
    let (code, out, _) = run(room.cli().args(["volumes", "--json"]));
    assert_eq!(code, 0);
    assert!(out.contains(&volumes[1]));
}
