//! Archive packages: round trip through `package` and `verify`, off-the-shelf
//! validators (bagit-python, xmllint, a JSON Schema validator, qpdf), one test per
//! tamper kind, zip-slip and symlink entries, a crash while packing, signatures.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixtures::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn python() -> &'static str {
    // Debian's python3 has python3-jsonschema (make setup installs it).
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// A processed, indexed two-page volume with a 档号 (the bureau's 全宗号 set).
/// A processed volume with a 档号 (not yet approved by 质检).
fn processed(t: &TestHome) -> String {
    std::fs::create_dir_all(t.home()).unwrap();
    std::fs::write(
        t.home().join("bureau.json"),
        r#"{"fonds_code": "J901", "category_code": "XZCF", "retention": "D30",
            "archival_code_template": "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}"}"#,
    )
    .unwrap();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.jpg"), plain_jpeg(400, 560)).unwrap();
    std::fs::write(dir.join("2.jpg"), plain_jpeg(401, 560)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args(["process", "--engine", "fake"]).env(
        "ANJUAN_FAKE_OCR",
        "text=行政处罚决定书\n当事人：某某食品有限公司\n2022年4月20日",
    ));
    assert_eq!(code, 0, "{err}");
    vid
}

/// A processed volume approved by 质检 (over its open errors, with a reason).
fn packable(t: &TestHome) -> String {
    let vid = processed(t);
    let (code, _, err) = run(t.cli().args([
        "review",
        "--volume",
        &vid,
        "--approve",
        "--note",
        "测试批准",
    ]));
    assert_eq!(code, 0, "{err}");
    vid
}

fn package(t: &TestHome, vid: &str) -> PathBuf {
    let (code, out, err) = run(t
        .cli()
        .args(["package", "--volume", vid, "--out"])
        .arg(t.path("outbox")));
    assert_eq!(code, 0, "{err}");
    PathBuf::from(out.trim())
}

fn verify(t: &TestHome, zip: &Path) -> (i32, serde_json::Value) {
    let (code, out, err) = run(t.cli().arg("verify").arg(zip).arg("--json"));
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}\n{err}")),
    )
}

fn failed_checks(report: &serde_json::Value) -> Vec<(String, String)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["passed"] == false)
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn unzip(zip: &Path, into: &Path) {
    let st = Command::new(python())
        .args([
            "-c",
            "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(zip)
        .arg(into)
        .status()
        .unwrap();
    assert!(st.success());
}

/// Changes one entry into any number of entries (none drops it).
type Edit = Box<dyn Fn(&str, Vec<u8>) -> Vec<(String, Vec<u8>)>>;

/// An edit of the one entry whose name ends with `suffix`, as text; the rest kept.
fn edit_text(suffix: &'static str, change: impl Fn(String) -> String + 'static) -> Edit {
    Box::new(move |n, b| {
        let b = if n.ends_with(suffix) {
            change(String::from_utf8(b).unwrap()).into_bytes()
        } else {
            b
        };
        vec![(n.to_string(), b)]
    })
}

/// Rewrites a zip, letting `edit` change, drop (None) or add entries.
fn rewrite(zip: &Path, out: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<(String, Vec<u8>)>) {
    let mut src = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut dst = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        for (n, b) in edit(&name, bytes) {
            dst.start_file(n, zip::write::SimpleFileOptions::default())
                .unwrap();
            dst.write_all(&b).unwrap();
        }
    }
    dst.finish().unwrap();
}

#[test]
fn a_package_round_trips_and_off_the_shelf_tools_accept_it() {
    let t = TestHome::new();
    let vid = packable(&t);
    let zip = package(&t, &vid);
    let name = zip.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(name, "J901-XZCF·2022-D30-0001.zip");
    let (code, report) = verify(&t, &zip);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["passed"], true);
    for property in ["authenticity", "integrity", "usability", "security"] {
        assert!(
            report["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["property"] == property)
        );
    }

    // Entry names and storage: UTF-8 names under the 档号, JPEG stored as is.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let code = "J901-XZCF·2022-D30-0001";
    let img = archive
        .by_name(&format!("{code}/data/images/{code}-0001.jpg"))
        .unwrap();
    assert_eq!(img.compression(), zip::CompressionMethod::Stored);
    drop(img);
    let info = {
        let mut s = String::new();
        archive
            .by_name(&format!("{code}/bag-info.txt"))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    assert!(
        info.contains(&format!("External-Identifier: {code}")),
        "{info}"
    );
    assert!(info.contains("Payload-Oxum: "), "{info}");

    let dir = t.path("unpacked");
    unzip(&zip, &dir);
    let bag = dir.join(code);
    let out = Command::new(python())
        .arg(format!("{ROOT}/vendor/bagit/bagit.py"))
        .arg("--validate")
        .arg(&bag)
        .output()
        .expect("bagit.py from make setup");
    assert!(
        out.status.success(),
        "bagit.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", &format!("{ROOT}/schemas/volume.xsd")])
        .arg(bag.join("data/metadata/volume.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xmllint: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(python())
        .args([
            "-c",
            "import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
        ])
        .arg(bag.join("data/metadata/volume.json"))
        .arg(format!("{ROOT}/schemas/volume.schema.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "jsonschema: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(bag.join(format!("data/pdf/{code}.pdf")))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "qpdf: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Both manifests list every payload file; SM3 sums are 64 hex digits.
    let sm3 = std::fs::read_to_string(bag.join("manifest-sm3.txt")).unwrap();
    let sha = std::fs::read_to_string(bag.join("manifest-sha256.txt")).unwrap();
    assert_eq!(sm3.lines().count(), sha.lines().count());
    assert!(
        sm3.lines()
            .all(|l| l.split_whitespace().next().unwrap().len() == 64)
    );
    let process: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bag.join("data/report/process.json")).unwrap())
            .unwrap();
    assert_eq!(
        process["images"][0]["master"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );

    // Packing again keeps the valid package; --force packs it again.
    let before = std::fs::metadata(&zip).unwrap().modified().unwrap();
    let (code, _, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--out"])
        .arg(t.path("outbox")));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kept valid package"), "{err}");
    assert_eq!(std::fs::metadata(&zip).unwrap().modified().unwrap(), before);
    assert_eq!(t.catalogue().packages().unwrap().len(), 1);
}

#[test]
fn every_kind_of_tampering_is_caught_and_named() {
    let t = TestHome::new();
    let vid = packable(&t);
    let zip = package(&t, &vid);
    let code = "J901-XZCF·2022-D30-0001";
    let image = format!("{code}/data/images/{code}-0001.jpg");
    let cases: Vec<(&str, Edit, &str, &str)> = vec![
        (
            "flipped byte",
            Box::new({
                let image = image.clone();
                move |n, mut b| {
                    if n == image {
                        let i = b.len() / 2;
                        b[i] ^= 0x01;
                    }
                    vec![(n.to_string(), b)]
                }
            }),
            "A2",
            "-0001.jpg",
        ),
        (
            "missing file",
            Box::new(|n, b| {
                if n.ends_with("-0002.txt") {
                    vec![]
                } else {
                    vec![(n.to_string(), b)]
                }
            }),
            "A2",
            "-0002.txt",
        ),
        (
            "extra file",
            Box::new(|n, b| {
                let mut v = vec![(n.to_string(), b)];
                if n.ends_with("bagit.txt") {
                    v.push((n.replace("bagit.txt", "data/notes.txt"), b"hello".to_vec()));
                }
                v
            }),
            "S2",
            "data/notes.txt",
        ),
        (
            "renamed file",
            Box::new(|n, b| vec![(n.replace("-0002.jpg", "-0003.jpg"), b)]),
            "A2",
            "-0002.jpg",
        ),
        (
            "changed metadata value",
            edit_text("volume.json", |s| {
                s.replace("某某食品有限公司", "另一家公司")
            }),
            "A2",
            "volume.json",
        ),
        // Values no other check looks at: only the schemas inside `verify` see them.
        (
            "volume.json outside its schema",
            edit_text("volume.json", |s| {
                s.replacen('{', "{\"unexpected_field\": 1, ", 1)
            }),
            "A6",
            "volume.json: schema",
        ),
        (
            "volume.xml outside its schema",
            edit_text("volume.xml", |s| {
                s.replace("</volume>", "<unexpected/></volume>")
            }),
            "A6",
            "volume.xml: schema",
        ),
        (
            "process.json outside its schema",
            edit_text("process.json", |s| {
                s.replacen("\"unchanged_master\"", "\"perhaps_unchanged\"", 1)
            }),
            "I5",
            "process.json: schema",
        ),
        (
            "review.json outside its schema",
            edit_text("review.json", |s| {
                s.replacen("\"findings\"", "\"findings_lost\"", 1)
            }),
            "I5",
            "review.json: schema",
        ),
    ];
    for (what, edit, check, file) in cases {
        let bad = t.path(&format!("{what}.zip"));
        rewrite(&zip, &bad, edit);
        let (code, report) = verify(&t, &bad);
        assert_eq!(code, 1, "{what} must fail");
        let failed = failed_checks(&report);
        assert!(
            failed
                .iter()
                .any(|(id, detail)| id == check && detail.contains(file)),
            "{what}: expected {check} naming {file}, got {failed:?}"
        );
    }
}

#[test]
fn zip_slip_and_symlink_entries_are_refused_without_extracting() {
    let t = TestHome::new();
    let vid = packable(&t);
    let zip = package(&t, &vid);
    let slip = t.path("slip.zip");
    rewrite(&zip, &slip, |n, b| {
        let mut v = vec![(n.to_string(), b)];
        if n.ends_with("bagit.txt") {
            v.push(("../../evil.txt".to_string(), b"pwned".to_vec()));
            v.push((
                "/tmp/anjuan-absolute-evil.txt".to_string(),
                b"pwned".to_vec(),
            ));
        }
        v
    });
    let (code, report) = verify(&t, &slip);
    assert_eq!(code, 1);
    let failed = failed_checks(&report);
    assert!(
        failed
            .iter()
            .any(|(id, d)| id == "S1" && d.contains("../../evil.txt")),
        "{failed:?}"
    );
    assert!(!t.dir.path().parent().unwrap().join("evil.txt").exists());
    assert!(!Path::new("/tmp/anjuan-absolute-evil.txt").exists());

    let link = t.path("link.zip");
    {
        let mut src = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut dst = zip::ZipWriter::new(std::fs::File::create(&link).unwrap());
        for i in 0..src.len() {
            let e = src.by_index_raw(i).unwrap();
            dst.raw_copy_file(e).unwrap();
        }
        dst.add_symlink(
            "J901-XZCF·2022-D30-0001/data/passwd",
            "/etc/passwd",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        dst.finish().unwrap();
    }
    let (code, report) = verify(&t, &link);
    assert_eq!(code, 1);
    assert!(
        failed_checks(&report)
            .iter()
            .any(|(id, d)| id == "S1" && d.contains("symbolic link")),
        "{report:#}"
    );

    // Not a zip at all, and a truncated zip: clear failures, exit 1.
    let junk = t.path("junk.zip");
    std::fs::write(&junk, b"not a zip").unwrap();
    let (code, _, err) = run(t.cli().arg("verify").arg(&junk));
    assert_eq!(code, 1, "{err}");
    let bytes = std::fs::read(&zip).unwrap();
    let cut = t.path("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, _) = run(t.cli().arg("verify").arg(&cut));
    assert_eq!(code, 1);
}

#[test]
fn a_crash_while_packing_leaves_no_package_that_looks_whole() {
    let t = TestHome::new();
    let vid = packable(&t);
    let outbox = t.path("outbox");
    let zips = || -> Vec<PathBuf> {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "zip"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let partial = || {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().contains(".partial-"))
            })
            .unwrap_or(false)
    };
    // Killed (SIGKILL) at different moments of packing: while the temporary zip is
    // being written or checked, or after the rename. Whatever the moment, a file
    // named like a package is a whole, valid package.
    for delay_ms in [0u64, 5, 20, 60] {
        let _ = std::fs::remove_dir_all(&outbox);
        let mut child = t
            .cli()
            .args(["package", "--volume", &vid, "--force", "--out"])
            .arg(&outbox)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while !partial() && zips().is_empty() && child.try_wait().unwrap().is_none() {
            assert!(start.elapsed().as_secs() < 60, "packing never started");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        for zip in zips() {
            assert_eq!(
                verify(&t, &zip).0,
                0,
                "killed after {delay_ms} ms: {} looks whole but is not",
                zip.display()
            );
        }
    }
    // A run killed while writing leaves its temporary file (named after a process
    // id above any pid_max, so no live process owns it); the next run removes
    // it and finishes.
    let _ = std::fs::remove_dir_all(&outbox);
    std::fs::create_dir_all(&outbox).unwrap();
    let zip = package(&t, &vid);
    let stale = outbox.join(format!(
        ".{}.partial-4999999",
        zip.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&stale, b"PK\x03\x04 half a zip").unwrap();
    let (code, out, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--force", "--out"])
        .arg(&outbox));
    assert_eq!(code, 0, "{err}");
    assert_eq!(verify(&t, Path::new(out.trim())).0, 0);
    let left: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn signed_packages_verify_and_a_forged_manifest_does_not() {
    for algorithm in ["sm2", "ed25519"] {
        let t = TestHome::new();
        let vid = packable(&t);
        let key = t.path("key.hex");
        let (code, out, err) = run(t
            .cli()
            .args(["keygen", "--algorithm", algorithm, "--out"])
            .arg(&key));
        assert_eq!(code, 0, "{err}");
        assert!(!out.trim().is_empty());
        let mut settings: serde_json::Value =
            serde_json::from_slice(&std::fs::read(t.home().join("bureau.json")).unwrap()).unwrap();
        settings["signing"] = serde_json::json!({"algorithm": algorithm, "key_file": key});
        std::fs::write(t.home().join("bureau.json"), settings.to_string()).unwrap();
        let zip = package(&t, &vid);
        let (code, report) = verify(&t, &zip);
        assert_eq!(code, 0, "{report:#}");
        let a5 = report["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "A5")
            .unwrap()
            .clone();
        assert!(a5["detail"].as_str().unwrap().contains(algorithm), "{a5}");
        // Someone rewrites a file and every manifest consistently — but cannot sign.
        let forged = t.path("forged.zip");
        rewrite(&zip, &forged, |n, b| {
            if n.ends_with("tagmanifest-sha256.txt") {
                let mut s = String::from_utf8(b).unwrap();
                s.push_str(
                    "0000000000000000000000000000000000000000000000000000000000000000  extra.txt\n",
                );
                vec![(n.to_string(), s.into_bytes())]
            } else {
                vec![(n.to_string(), b)]
            }
        });
        let (code, report) = verify(&t, &forged);
        assert_eq!(code, 1);
        assert!(
            failed_checks(&report).iter().any(|(id, _)| id == "A5"),
            "{report:#}"
        );
    }
}

#[test]
fn package_all_packs_the_ready_volumes_and_names_the_others_with_their_reason() {
    let t = TestHome::new();
    let ready = packable(&t);
    // A second volume, sent back by the reviewer; a third, imported but not processed.
    let returned = packable(&t);
    let (code, _, err) =
        run(t
            .cli()
            .args(["review", "--volume", &returned, "--return", "印章不清"]));
    assert_eq!(code, 0, "{err}");
    let f = t.path("later.jpg");
    std::fs::write(&f, plain_jpeg(402, 560)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&f));
    assert_eq!(code, 0, "{err}");
    let pending = out.trim().to_string();

    let (code, out, err) = run(t
        .cli()
        .args(["package", "--all", "--out"])
        .arg(t.path("outbox")));
    assert_eq!(code, 0, "nothing failed, so exit 0: {err}");
    let packed: Vec<&str> = out.lines().collect();
    assert_eq!(packed.len(), 1, "{out}\n{err}");
    assert!(Path::new(packed[0]).exists());
    assert!(
        err.contains(&format!("left out: {returned} was returned")) && err.contains("印章不清"),
        "{err}"
    );
    assert!(
        err.contains(&format!("left out: {pending} 0 of 1 page(s) processed")),
        "{err}"
    );
    assert!(!err.contains(&format!("left out: {ready}")), "{err}");

    // Asked for by name, a volume that is not ready is an error.
    let (code, _, err) = run(t
        .cli()
        .args(["package", "--volume", &pending, "--out"])
        .arg(t.path("outbox")));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("page(s) processed"), "{err}");
}

#[test]
fn the_review_gate_holds_for_unapproved_and_changed_volumes_unless_the_bureau_turns_it_off() {
    let t = TestHome::new();
    let vid = processed(&t);
    let outbox = t.path("outbox");
    let pack = |t: &TestHome| {
        run(t
            .cli()
            .args(["package", "--volume", &vid, "--out"])
            .arg(&outbox))
    };
    let (code, _, err) = pack(&t);
    assert_eq!(code, 1, "never approved: refused");
    assert!(err.contains("has not been approved"), "{err}");
    let (code, _, err) = run(t.cli().args(["package", "--all", "--out"]).arg(&outbox));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("left out: {vid} has not been approved")),
        "{err}"
    );

    // Open errors: approving needs a reason, recorded with the errors.
    let review = |args: &[&str]| {
        let mut all = vec!["review", "--volume", vid.as_str()];
        all.extend_from_slice(args);
        run(t.cli().args(&all))
    };
    let (code, _, err) = review(&["--approve"]);
    assert_eq!(code, 1);
    assert!(err.contains("needs a reason"), "{err}");
    let (code, _, err) = review(&["--approve", "--note", "缺件已另行归档"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = pack(&t);
    assert_eq!(code, 0, "approved: packed: {err}");
    assert!(Path::new(out.trim()).exists());

    // A change after the approval closes the gate again, for every path.
    let (code, _, err) = run(t
        .cli()
        .args(["correct", "--volume", &vid, "party=另一家公司"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--force", "--out"])
        .arg(&outbox));
    assert_eq!(code, 1);
    assert!(err.contains("changed after"), "{err}");

    // A bureau without a review step turns the gate off.
    let (code, out, err) = run(t.cli().args(["settings", "--require-approval", "no"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("require_approval\tno"), "{out}");
    let (code, _, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--force", "--out"])
        .arg(&outbox));
    assert_eq!(code, 0, "{err}");
}

/// `anjuan publicity`: one row per decision with the platform's columns, amounts
/// in 万元, what the file does not yield named with its volume.
#[test]
fn publicity_writes_the_platforms_table_and_names_what_is_missing() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300]);
    process_fake(
        &t,
        "行政处罚决定书\n当事人：某某食品有限公司\n统一社会信用代码：91350100M000100Y43\n法定代表人：王五\n经查明：当事人销售过期食品。\n上述事实有证据证明。\n依据《中华人民共和国食品安全法》第一百二十四条的规定，本局决定作出如下行政处罚：\n罚款2,500元。\n当事人应当在十五日内缴纳。\n2023年4月20日",
    );
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &vid,
        "decision_no=某市监罚决〔2023〕7号",
        "fine_amount=2500",
        "case_cause=销售过期食品",
        "agency=某市市场监督管理局",
        "decided_date=2023-04-20",
    ]));
    assert_eq!(code, 0, "{err}");
    let csv = t.path("publicity.csv");
    // The bureau's own credit code is not set: named, the table still written.
    let (code, _, err) = run(t.cli().args(["publicity", "--out"]).arg(&csv));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{vid}: 处罚机关统一社会信用代码")),
        "{err}"
    );
    let (code, _, err) =
        run(t
            .cli()
            .args(["settings", "--agency-credit-code", "11350100MB0000000Y"]));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(t.cli().args(["publicity", "--json", "--out"]).arg(&csv));
    assert_eq!(code, 0, "{err}");
    let table: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = &table["rows"][0]["cells"];
    assert_eq!(row["行政处罚决定书文号"], "某市监罚决〔2023〕7号");
    assert_eq!(row["行政相对人名称"], "某某食品有限公司");
    assert_eq!(row["罚款金额（万元）"], "0.25");
    assert_eq!(row["处罚类别"], "罚款");
    assert_eq!(row["处罚决定日期"], "2023-04-20");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("行政相对人名称,行政相对人类别,")
    );
    assert!(lines.next().unwrap().contains("0.25"));
    // XLSX by the extension; a range without the decision gives no row.
    let xlsx = t.path("publicity.xlsx");
    let (code, _, err) = run(t
        .cli()
        .args(["publicity", "--from", "2024-01-01", "--out"])
        .arg(&xlsx));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 decision(s)"), "{err}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    let (code, _, err) = run(t.cli().args(["publicity", "--out", "x.txt"]));
    assert_ne!(code, 0);
    assert!(err.contains(".csv or .xlsx"), "{err}");
}

/// `anjuan handover`: the register of a batch, each package verified again; a
/// tampered one is named and left out.
#[test]
fn the_handover_register_lists_verified_packages_with_their_sm3() {
    let t = TestHome::new();
    let vid = packable(&t);
    let zip = package(&t, &vid);
    // A copy whose volume.json was edited after packing.
    let tampered = t.path("tampered.zip");
    rewrite(
        &zip,
        &tampered,
        edit_text("volume.json", |s| s.replace("某某", "某甲")),
    );
    let out = t.path("handover");
    let (code, stdout, err) = run(t
        .cli()
        .args(["handover", "--json", "--out"])
        .arg(&out)
        .arg(&zip)
        .arg(&tampered));
    assert_eq!(code, 1, "the tampered package is refused: {err}");
    assert!(err.contains("left out tampered.zip"), "{err}");
    let register: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(register["volumes"], 1);
    assert_eq!(register["carrier"], "在线");
    let sm3 = anjuan::package::hashes::digests(&std::fs::read(&zip).unwrap()).sm3;
    assert_eq!(register["packages"][0]["sm3"], sm3.as_str());
    assert!(register["files"].as_u64().unwrap() >= 1);
    assert!(
        register["properties"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p[1] == true)
    );
    // The PDF reads back with its totals and the digest.
    let pdf = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a PDF register");
    let text = pdf_text(&pdf);
    for want in [
        "电子档案移交接收登记表",
        "案卷总数",
        "在线",
        "真实性通过",
        &sm3[..16],
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    assert!(
        std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "xlsx"))
    );
}
