//! `anjuan upload` against a real S3-compatible server (Garage, started here):
//! upload with a receipt, a second upload that sends nothing, resume after the
//! server stopped mid-upload, a wrong key refused, a bad package refused while
//! the batch goes on. Credentials never reach the catalogue or the output.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::fixtures::*;
use crate::servers::Garage;

/// A processed, packed volume; the package's path.
fn a_package(t: &TestHome, widths: &[u32]) -> PathBuf {
    let (code, _, err) = run(t.cli().args([
        "settings",
        "--fonds-code",
        "J901",
        "--require-approval",
        "no",
    ]));
    assert_eq!(code, 0, "{err}");
    let vid = plain_volume(t, widths);
    process_fake(t, "行政处罚决定书\n当事人：某某公司\n2023年6月20日");
    let (code, out, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--out"])
        .arg(t.path("outbox")));
    assert_eq!(code, 0, "{err}");
    PathBuf::from(out.trim())
}

fn upload_cmd(t: &TestHome, garage: &Garage, packages: &[&Path]) -> std::process::Command {
    let mut cmd = t.cli();
    cmd.arg("upload")
        .args(packages)
        .args(["--to", &format!("s3://{}/batch-1", garage.bucket)]);
    for (k, v) in garage.env() {
        cmd.env(k, v);
    }
    cmd
}

/// The object as the server holds it.
fn object(garage: &Garage, key: &str) -> Vec<u8> {
    let creds = s3::creds::Credentials::new(
        Some(&garage.access_key),
        Some(&garage.secret_key),
        None,
        None,
        None,
    )
    .unwrap();
    let region = s3::Region::Custom {
        region: "garage".into(),
        endpoint: garage.endpoint(),
    };
    let bucket = s3::Bucket::new(&garage.bucket, region, creds)
        .unwrap()
        .with_path_style();
    let got = bucket.get_object(key).unwrap();
    assert_eq!(got.status_code(), 200, "GET {key}");
    got.bytes().to_vec()
}

fn sha256(bytes: &[u8]) -> String {
    anjuan::package::hashes::digests(bytes).sha256
}

#[test]
fn a_package_is_uploaded_with_a_receipt_and_a_second_upload_sends_nothing() {
    let t = TestHome::new();
    let garage = Garage::start();
    let zip = a_package(&t, &[400, 401]);
    let name = zip.file_name().unwrap().to_string_lossy().into_owned();

    let (code, out, err) = run(upload_cmd(&t, &garage, &[&zip]).arg("--json"));
    assert_eq!(code, 0, "{err}\n{}", garage.log());
    let receipts: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &receipts[0];
    assert_eq!(r["sent"], true, "{r:#}");
    assert_eq!(r["key"], format!("batch-1/{name}"));
    assert_eq!(r["bucket"], "archive");
    let bytes = std::fs::read(&zip).unwrap();
    assert_eq!(r["sha256"], sha256(&bytes));
    assert_eq!(r["sm3"], anjuan::package::hashes::digests(&bytes).sm3);
    assert!(r["etag"].as_str().is_some_and(|e| !e.is_empty()), "{r:#}");
    assert!(
        r["volume_id"].is_string(),
        "the package's volume is named: {r:#}"
    );
    // Verified from the server: the same bytes.
    assert_eq!(
        sha256(&object(&garage, &format!("batch-1/{name}"))),
        sha256(&bytes)
    );
    // The receipt is also beside the package, in the outbox.
    let beside = zip
        .parent()
        .unwrap()
        .join("receipts")
        .join(format!("{name}.json"));
    let kept: serde_json::Value = serde_json::from_slice(&std::fs::read(&beside).unwrap()).unwrap();
    assert_eq!(kept["sha256"], r["sha256"]);

    // Again: the server holds it already, nothing is sent, a receipt says so.
    let (code, out, err) = run(upload_cmd(&t, &garage, &[&zip]).arg("--json"));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing sent"), "{err}");
    assert!(!err.contains("part 1/"), "{err}");
    let again: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(again[0]["sent"], false);
    let receipts = t.catalogue().receipts().unwrap();
    assert_eq!(receipts.len(), 2);
    // No credential anywhere: catalogue, receipts, output.
    let catalogue = t.catalogue_bytes();
    let secret = garage.secret_key.as_str();
    let s = secret.as_bytes();
    assert!(!catalogue.windows(s.len()).any(|w| w == s));
    assert!(!out.contains(secret) && !err.contains(secret));
    assert!(!std::fs::read_to_string(&beside).unwrap().contains(secret));
}

#[test]
fn an_upload_cut_off_by_the_server_stopping_resumes_at_the_next_part() {
    let t = TestHome::new();
    let mut garage = Garage::start();
    let zip = a_package(&t, &[400, 401, 402]);
    let size = std::fs::metadata(&zip).unwrap().len();
    let part = 4096u64;
    let parts = size.div_ceil(part);
    assert!(
        parts >= 4,
        "a package of {size} bytes is too small for the test"
    );

    // Slowly (a rate limit), in small parts; the server stops after part 2.
    let mut child = upload_cmd(&t, &garage, &[&zip])
        .args(["--limit-rate", "8", "--retries", "2"])
        .env("ANJUAN_UPLOAD_PART_BYTES", part.to_string())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut said = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains(&format!("part 2/{parts} sent")) {
            garage.stop();
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{said}");
    assert!(said.contains("trying again"), "{said}");
    assert!(
        said.contains("run the same command again to resume"),
        "{said}"
    );
    let pending = t.catalogue();
    let place = anjuan::catalogue::ObjectPlace {
        endpoint: garage.endpoint(),
        bucket: garage.bucket.clone(),
        key: format!("batch-1/{}", zip.file_name().unwrap().to_string_lossy()),
    };
    let bytes = std::fs::read(&zip).unwrap();
    let kept = pending
        .pending_upload(&place, &sha256(&bytes))
        .unwrap()
        .expect("the parts sent are kept");
    assert!(kept.parts.len() >= 2, "{kept:?}");
    assert!((kept.parts.len() as u64) < parts, "{kept:?}");

    // The server is back: the same command goes on from the next part.
    garage.run();
    let (code, out, err) = run(upload_cmd(&t, &garage, &[&zip])
        .arg("--json")
        .env("ANJUAN_UPLOAD_PART_BYTES", part.to_string()));
    assert_eq!(code, 0, "{err}\n{}", garage.log());
    assert!(
        err.contains(&format!(
            "resuming: {} of {parts} part(s)",
            kept.parts.len()
        )),
        "{err}"
    );
    assert!(!err.contains("part 1/"), "part 1 is not sent again: {err}");
    let receipts: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(receipts[0]["sent"], true);
    assert_eq!(sha256(&object(&garage, &place.key)), sha256(&bytes));
    assert!(
        t.catalogue()
            .pending_upload(&place, &sha256(&bytes))
            .unwrap()
            .is_none(),
        "done: nothing left under way"
    );
}

#[test]
fn a_wrong_key_is_refused_clearly_and_a_bad_package_never_stops_the_batch() {
    let t = TestHome::new();
    let garage = Garage::start();
    let zip = a_package(&t, &[400]);

    let wrong = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let (code, _, err) = run(upload_cmd(&t, &garage, &[&zip]).env("AWS_SECRET_ACCESS_KEY", wrong));
    assert_eq!(code, 1);
    assert!(err.contains("refused the credentials"), "{err}");
    assert!(!err.contains(wrong), "the secret is never printed: {err}");
    assert!(t.catalogue().receipts().unwrap().is_empty());

    // A truncated copy fails its 四性检测: refused, the good one still goes.
    let bad = t.path("bad.zip");
    let bytes = std::fs::read(&zip).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let (code, out, err) = run(upload_cmd(&t, &garage, &[&bad, &zip]).arg("--json"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bad.zip: not uploaded"), "{err}");
    let receipts: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(receipts.as_array().unwrap().len(), 1, "{receipts:#}");
    assert_eq!(receipts[0]["sent"], true);

    // Without credentials at all: said before anything is read.
    let (code, _, err) = run(t
        .cli()
        .args(["upload", "--to", "s3://archive/x"])
        .arg(&zip)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_ENDPOINT_URL", garage.endpoint()));
    assert_eq!(code, 1);
    assert!(err.contains("no credentials"), "{err}");
}
