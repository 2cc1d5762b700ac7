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

#[test]
fn clerks_claim_stages_a_supervisor_takes_one_over_and_stale_corrections_are_refused() {
    let t = TestHome {
        dir: tempfile::tempdir().unwrap(),
        shared_catalogue: Some(fresh_postgres()),
    };
    let v = plain_volume(&t, &[600, 610]);
    process_fake(&t, "行政处罚决定书\n当事人：江北青禾餐饮有限公司");
    let as_ = |who: &str| {
        let mut c = t.cli();
        c.env("ANJUAN_OPERATOR", who);
        c
    };
    // 甲 claims 著录; 乙 can neither correct nor claim it, and is told who has it.
    let (code, _, err) = run(as_("甲").args(["claim", "--volume", &v, "--stage", "著录"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(as_("乙").args(["correct", "--volume", &v, "party=张三"]));
    assert_ne!(code, 0);
    assert!(err.contains("held by 甲"), "{err}");
    let (code, _, err) = run(as_("乙").args(["claim", "--volume", &v, "--stage", "index"]));
    assert_ne!(code, 0);
    assert!(err.contains("甲"), "{err}");
    // 质检 is another stage: free.
    let (code, _, err) = run(as_("乙").args(["claim", "--volume", &v, "--stage", "review"]));
    assert_eq!(code, 0, "{err}");

    // The list says who holds what, and the version everyone reads.
    let (code, out, _) = run(t.cli().args(["claim", "--list", "--json"]));
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["holder"], "甲");
    let read = list[0]["version"].as_i64().unwrap();

    // 甲 corrects on the version read; a second correction on that same old
    // version is refused, saying who changed what.
    let (code, _, err) = run(as_("甲").args([
        "correct",
        "--volume",
        &v,
        "party=张三",
        "--if-version",
        &read.to_string(),
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(as_("甲").args([
        "correct",
        "--volume",
        &v,
        "party=李四",
        "--if-version",
        &read.to_string(),
    ]));
    assert_ne!(code, 0);
    assert!(err.contains("changed since you read it"), "{err}");
    assert!(err.contains("甲 correct"), "{err}");
    assert_eq!(
        t.catalogue().volume_json(&v).unwrap().party.as_deref(),
        Some("张三")
    );

    // 甲 went home. 乙 may not take 著录 over; the supervisor named in
    // bureau.json may, and then 甲's corrections are refused.
    let (code, _, err) =
        run(as_("乙").args(["claim", "--volume", &v, "--stage", "index", "--take-over"]));
    assert_ne!(code, 0);
    assert!(err.contains("supervisor"), "{err}");
    let settings = anjuan::model::settings::BureauSettings {
        supervisors: vec!["主管".into()],
        ..Default::default()
    };
    settings.save(&t.home().join("bureau.json")).unwrap();
    let (code, _, err) =
        run(as_("主管").args(["claim", "--volume", &v, "--stage", "index", "--take-over"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(as_("甲").args(["correct", "--volume", &v, "party=王五"]));
    assert_ne!(code, 0);
    assert!(err.contains("held by 主管"), "{err}");
    let trail = t.catalogue().audit_trail(&v).unwrap();
    assert!(trail.iter().any(|(_, who, action, detail)| who == "主管"
        && action == "claim_taken_over"
        && detail.contains("甲")));
    let (code, _, err) =
        run(as_("主管").args(["claim", "--volume", &v, "--stage", "index", "--release"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(as_("甲").args(["correct", "--volume", &v, "party=王五"]));
    assert_eq!(code, 0, "{err}");
}
