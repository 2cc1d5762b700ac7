//! Scanning through SANE (`scanimage` with SANE's `test` backend, installed by
//! `make setup`), a scanner that jams mid-batch, rescans in place, rearranging
//! pages, and recovery of sheets an interrupted scan left behind.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::fixtures::*;

const FAKE_TEXT: &str = "text=行政处罚决定书\n当事人：某某商贸有限公司";

/// A SANE configuration that offers only the `test` backend.
fn sane_config(t: &TestHome) -> PathBuf {
    let dir = t.path("sane");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("dll.conf"), "test\n").unwrap();
    dir
}

fn scan_cli(t: &TestHome) -> Command {
    let mut c = t.cli();
    c.env("SANE_CONFIG_DIR", sane_config(t))
        .env("ANJUAN_FAKE_OCR", FAKE_TEXT)
        .args(["scan", "--engine", "fake"]);
    c
}

fn show(t: &TestHome, volume: &str) -> Value {
    let (code, out, err) = run(t.cli().args(["show", "--json", "--volume", volume]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn sources(v: &Value) -> Vec<String> {
    v["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_sane_test_scanner_is_listed_and_its_feeder_scanned_and_processed() {
    let t = TestHome::new();
    let (code, out, err) = run(t
        .cli()
        .env("SANE_CONFIG_DIR", sane_config(&t))
        .args(["scan", "--list"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("test:0"), "{out}");
    assert!(out.contains("Automatic Document Feeder"), "{out}");

    // The test backend's feeder holds 10 sheets.
    let (code, out, err) = run(scan_cli(&t).args([
        "--device",
        "test:0",
        "--",
        "--test-picture",
        "Color pattern",
    ]));
    assert_eq!(code, 0, "{err}");
    let volume = out.trim().to_string();
    let v = show(&t, &volume);
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 10);
    for p in pages {
        assert_eq!(p["dpi"], 300, "{p}");
        assert_eq!(p["color_mode"], "color", "{p}");
        assert!(p["rotation"].is_u64(), "processed while scanning: {p}");
    }
    assert_eq!(v["status"], "indexed", "{v}");
    // Each sheet is a master of its own, named after the scan.
    assert!(
        sources(&v)
            .iter()
            .all(|s| s.starts_with("scan-") && s.ends_with(".tif"))
    );
    // Nothing is left in the scanner's folder.
    let leftovers = std::fs::read_dir(t.home().join("scanning"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn a_jam_keeps_the_pages_scanned_before_and_says_why() {
    let t = TestHome::new();
    let (code, out, err) = run(scan_cli(&t).args(["--device", "test:0", "--pages", "2"]));
    assert_eq!(code, 0, "{err}");
    let volume = out.trim().to_string();
    // The next sheet jams in the feeder.
    let (code, _, err) = run(scan_cli(&t).args([
        "--device",
        "test:0",
        "--volume",
        &volume,
        "--",
        "--read-return-value",
        "SANE_STATUS_JAMMED",
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("paper jam"), "{err}");
    assert!(err.contains("kept"), "{err}");
    assert_eq!(show(&t, &volume)["pages"].as_array().unwrap().len(), 2);

    // A scan that never starts leaves no empty volume behind.
    let (code, _, err) = run(scan_cli(&t).args(["--device", "test:0", "--source", "duplex"]));
    assert_eq!(code, 1);
    assert!(err.contains("no Duplex source"), "{err}");
    let (_, out, _) = run(t.cli().args(["volumes"]));
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// A `scanimage` stand-in: a duplex feeder that jams after three sheet sides.
fn jamming_scanimage(t: &TestHome) -> PathBuf {
    fake_scanimage(
        t,
        3,
        "echo \"scanimage: sane_read: Document feeder jammed\" >&2\nexit 6",
    )
}

/// A `scanimage` stand-in that hands over `count` sheets (at most 3), then runs `ending`.
fn fake_scanimage(t: &TestHome, count: usize, ending: &str) -> PathBuf {
    let pages = t.path("sheets");
    sample_pages(&pages, 300);
    let sheets: Vec<PathBuf> = std::fs::read_dir(&pages)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    for (i, p) in sheets.iter().take(3).enumerate() {
        let img = image::open(p).unwrap();
        img.save(pages.join(format!("{}.tif", i + 1))).unwrap();
    }
    let script = t.path("scanimage");
    std::fs::write(
        &script,
        format!(
            r#"#!/bin/sh
echo "$@" >> "{log}"
case " $* " in
  *" -f "*) printf 'acme:0\tACME\tJam-o-matic\tsheetfed scanner\n'; exit 0;;
  *" -A "*) printf '    --source ADF Front|ADF Back|ADF Duplex [ADF Front]\n    --mode Lineart|Gray|Color [Gray]\n    --resolution 100..600dpi (in steps of 1) [200]\n'; exit 0;;
esac
for a in "$@"; do case "$a" in --batch=*) pattern="${{a#--batch=}}";; esac; done
for i in $(seq 1 {count}); do
  f=$(printf "$pattern" $i)
  cp "{dir}/$i.tif" "$f.part" && mv "$f.part" "$f"
  echo "$f"
done
{ending}
"#,
            log = t.path("scanimage.log").display(),
            dir = pages.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn a_duplex_batch_that_jams_mid_way_keeps_and_processes_its_pages() {
    let t = TestHome::new();
    let fake = jamming_scanimage(&t);
    let (code, out, err) = run(scan_cli(&t)
        .env("ANJUAN_SCANIMAGE", &fake)
        .args(["--source", "duplex"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("paper jam") && err.contains("3 page(s)"),
        "{err}"
    );
    let volume = out.trim().to_string();
    let v = show(&t, &volume);
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(v["status"], "indexed", "processed: {v}");
    assert!(
        pages
            .iter()
            .all(|p| p["text"].as_str().unwrap().contains("行政处罚决定书")),
        "{v}"
    );
    // The device was asked for what the clerk chose, in its own words.
    let log = std::fs::read_to_string(t.path("scanimage.log")).unwrap();
    let batch = log.lines().find(|l| l.contains("--batch=")).unwrap();
    assert!(batch.contains("--source ADF Duplex"), "{batch}");
    assert!(batch.contains("--mode Color"), "{batch}");
    assert!(batch.contains("--resolution 300"), "{batch}");
}

#[test]
fn a_scanner_that_stops_responding_ends_the_batch_and_keeps_its_pages() {
    let t = TestHome::new();
    // One sheet, then the driver hangs (exec: the hung process is the one we run).
    let fake = fake_scanimage(&t, 1, "exec sleep 600");
    let started = std::time::Instant::now();
    let (code, out, err) = run(scan_cli(&t)
        .env("ANJUAN_SCANIMAGE", &fake)
        .env("ANJUAN_SCAN_STALL_SECS", "2")
        .args(["--source", "adf"]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("stopped responding") && err.contains("1 page(s)"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(300));
    let v = show(&t, out.trim());
    assert_eq!(v["pages"].as_array().unwrap().len(), 1, "{v}");
}

#[test]
fn pages_are_rescanned_inserted_moved_removed_and_restored_in_place() {
    let t = TestHome::new();
    let dir = t.path("files");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, w) in [300, 310, 320, 330].iter().enumerate() {
        std::fs::write(dir.join(format!("{}.jpg", i + 1)), plain_jpeg(*w, 400)).unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let volume = out.trim().to_string();
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", FAKE_TEXT));
    assert_eq!(code, 0, "{err}");
    // The clerk's decisions on page 3 travel with it.
    let (code, _, err) = run(t
        .cli()
        .args(["correct", "--volume", &volume, "start:3=yes"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(t
        .cli()
        .args(["page", "--volume", &volume, "--seq", "3", "--rotate", "90"]));
    assert_eq!(code, 0, "{err}");

    // Rescan page 2 in place from the flatbed.
    let (code, _, err) = run(scan_cli(&t).args([
        "--device",
        "test:0",
        "--source",
        "flatbed",
        "--volume",
        &volume,
        "--replace",
        "2",
    ]));
    assert_eq!(code, 0, "{err}");
    let v = show(&t, &volume);
    let s = sources(&v);
    assert_eq!(s.len(), 4);
    assert_eq!(s[0], "1.jpg");
    assert!(s[1].starts_with("scan-"), "{s:?}");
    assert_eq!(&s[2..], ["3.jpg", "4.jpg"]);

    // Insert a file before page 1, then move page 4 (3.jpg) to the end.
    let extra = t.path("extra.png");
    std::fs::write(&extra, png(200, 300)).unwrap();
    let (code, _, err) = run(t
        .cli()
        .args(["arrange", "--volume", &volume, "--insert"])
        .arg(&extra)
        .args(["--before", "1"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(t.cli().args([
        "arrange", "--volume", &volume, "--move", "4", "--before", "999",
    ]));
    assert_ne!(code, 0, "a page that does not exist is refused: {err}");
    let (code, _, err) = run(t
        .cli()
        .args(["arrange", "--volume", &volume, "--move", "4"]));
    assert_eq!(code, 0, "{err}");
    let v = show(&t, &volume);
    let s = sources(&v);
    assert_eq!(s[0], "extra.png");
    assert_eq!(s[4], "3.jpg", "{s:?}");
    let c = t.catalogue().corrections(&volume).unwrap();
    assert!(c.iter().any(|c| c.target == "start:5"), "{c:?}");
    let pages = t.catalogue().pages(&volume).unwrap();
    assert_eq!(pages[4].overrides.rotation, Some(90));

    // Remove two pages; the rest close up; restore puts them back where they were.
    let (code, _, err) = run(t
        .cli()
        .args(["arrange", "--volume", &volume, "--remove", "1-2"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(sources(&show(&t, &volume))[0], s[2]);
    let (_, trash, _) = run(t.cli().args(["arrange", "--volume", &volume, "--trash"]));
    assert_eq!(
        trash.lines().count(),
        3,
        "the rescanned page 2 and these two: {trash}"
    );
    let (code, _, err) = run(t.cli().args(["arrange", "--volume", &volume, "--restore"]));
    assert_eq!(code, 0, "{err}");
    let after = sources(&show(&t, &volume));
    assert_eq!(after.len(), 6);
    // The last removal is undone first, each page back at its old place number.
    assert_eq!(
        after,
        ["extra.png", "2.jpg", "1.jpg", &s[2], "4.jpg", "3.jpg"],
        "{after:?}"
    );
    assert!(
        after.contains(&"2.jpg".to_string()),
        "the replaced page is back too"
    );
    // Masters stayed in the store all along.
    assert!(
        t.catalogue()
            .corrections(&volume)
            .unwrap()
            .iter()
            .any(|c| c.target.starts_with("start:"))
    );
}

#[test]
fn sheets_left_by_an_interrupted_scan_are_imported_on_the_next() {
    let t = TestHome::new();
    let (code, out, err) =
        run(scan_cli(&t).args(["--device", "test:0", "--pages", "1", "--no-process"]));
    assert_eq!(code, 0, "{err}");
    let volume = out.trim().to_string();
    // A scan of a process that no longer exists, cut short after two sheets.
    let dead = Command::new("true").spawn().unwrap();
    let pid = dead.id();
    let mut dead = dead;
    dead.wait().unwrap();
    let left = t
        .home()
        .join("scanning")
        .join(format!("{volume}--scan-{pid}-1"));
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("p0001.tif"), tiff_page(&t)).unwrap();
    std::fs::write(left.join("p0002.tif.part"), b"II*\0half").unwrap();
    let (code, _, err) = run(scan_cli(&t).args([
        "--device",
        "test:0",
        "--pages",
        "1",
        "--volume",
        &volume,
        "--no-process",
    ]));
    assert_eq!(code, 0, "{err}");
    let v = show(&t, &volume);
    assert_eq!(v["pages"].as_array().unwrap().len(), 3, "{v}");
    assert!(!left.exists());
}

fn tiff_page(t: &TestHome) -> Vec<u8> {
    let p = t.path("page.tif");
    image::load_from_memory(&plain_jpeg(300, 400))
        .unwrap()
        .save(&p)
        .unwrap();
    std::fs::read(&p).unwrap()
}
