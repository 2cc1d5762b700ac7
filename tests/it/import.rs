use std::fs;

use anjuan::capture::{self, Outcome};
use anjuan::model::ColorMode;
use anjuan::store::Store;

use crate::fixtures::*;

fn import_paths(
    t: &TestHome,
    paths: &[std::path::PathBuf],
    volume: Option<&str>,
) -> capture::ImportReport {
    let mut cat = t.catalogue();
    let store = Store::new(t.home().join("store"));
    capture::import(
        &mut cat,
        &store,
        paths,
        volume,
        "tester",
        &Default::default(),
        |_| {},
    )
    .unwrap()
}

#[test]
fn folder_imports_in_natural_order_and_twice_adds_nothing() {
    let t = TestHome::new();
    let dir = t.path("scans");
    fs::create_dir_all(&dir).unwrap();
    for (name, w) in [("10.jpg", 110), ("2.jpg", 102), ("1.jpg", 101)] {
        fs::write(dir.join(name), plain_jpeg(w, 80)).unwrap();
    }
    fs::write(dir.join("notes.json"), b"{}").unwrap();
    let r = import_paths(&t, std::slice::from_ref(&dir), None);
    let vid = r.volume_id.clone().unwrap();
    assert_eq!(r.pages_added, 3);
    assert!(!r.has_failures());
    assert!(
        r.files
            .iter()
            .any(|f| matches!(f.outcome, Outcome::Skipped { .. })),
        "notes.json is skipped"
    );
    let pages = t.catalogue().pages(&vid).unwrap();
    let names: Vec<_> = pages.iter().map(|p| p.source_name.as_str()).collect();
    assert_eq!(names, ["1.jpg", "2.jpg", "10.jpg"]);
    assert_eq!(
        pages.iter().map(|p| p.width).collect::<Vec<_>>(),
        [101, 102, 110]
    );
    assert_eq!(pages[0].dpi, Some(300));

    // The same folder again into the same volume: nothing new, masters stored once.
    let again = import_paths(&t, &[dir], Some(&vid));
    assert_eq!(again.pages_added, 0);
    assert!(
        again
            .files
            .iter()
            .filter(|f| f.path.extension().unwrap() == "jpg")
            .all(|f| f.outcome == Outcome::AlreadyImported)
    );
    assert_eq!(t.catalogue().pages(&vid).unwrap().len(), 3);
    let masters: usize = walk_files(&t.home().join("store/masters")).len();
    assert_eq!(masters, 3);
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn masters_are_byte_identical_and_read_only() {
    let t = TestHome::new();
    let f = t.path("page.jpg");
    let bytes = plain_jpeg(120, 90);
    fs::write(&f, &bytes).unwrap();
    let r = import_paths(&t, &[f], None);
    let page = &t
        .catalogue()
        .pages(r.volume_id.as_deref().unwrap())
        .unwrap()[0];
    let stored = Store::new(t.home().join("store")).master_path(&page.master_sha256, "jpg");
    assert_eq!(fs::read(&stored).unwrap(), bytes);
    assert!(fs::metadata(&stored).unwrap().permissions().readonly());
}

#[test]
fn multipage_g4_tiff_gives_one_page_each() {
    let t = TestHome::new();
    let dir = t.path("tiff");
    fs::create_dir_all(&dir).unwrap();
    let tif = g4_multipage_tiff(&dir);
    let r = import_paths(&t, &[tif], None);
    assert!(!r.has_failures(), "{:?}", r.files);
    let pages = t
        .catalogue()
        .pages(r.volume_id.as_deref().unwrap())
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!((pages[0].width, pages[0].height), (400, 300));
    assert_eq!((pages[1].width, pages[1].height), (320, 240));
    assert_eq!(pages[1].source_page, 1);
    assert!(
        pages
            .iter()
            .all(|p| p.color_mode == Some(ColorMode::Bilevel) && p.dpi == Some(300))
    );
    // The G4 data decodes to the bars drawn: black rows at y = 0..10, white below.
    let bytes =
        fs::read(Store::new(t.home().join("store")).master_path(&pages[0].master_sha256, "tif"))
            .unwrap();
    let img = capture::decode_master_page(&bytes, "tif", 0, None)
        .unwrap()
        .to_luma8();
    assert_eq!(img.get_pixel(200, 5).0[0], 0);
    assert_eq!(img.get_pixel(200, 15).0[0], 255);
}

#[test]
fn born_digital_pdf_keeps_its_text() {
    let t = TestHome::new();
    let f = t.path("decision.pdf");
    fs::write(&f, born_digital_pdf("Born digital decision No. 17 of 2023")).unwrap();
    let r = import_paths(&t, &[f], None);
    assert!(!r.has_failures(), "{:?}", r.files);
    let page = &t
        .catalogue()
        .pages(r.volume_id.as_deref().unwrap())
        .unwrap()[0];
    assert_eq!(
        page.text_origin,
        Some(anjuan::model::TextOrigin::BornDigital)
    );
    assert!(
        page.text
            .as_deref()
            .unwrap()
            .contains("Born digital decision No. 17")
    );
    // Rendered at the default resolution: A4 at 300 dpi.
    assert_eq!((page.width, page.height), (2479, 3508));
}

/// Every kind of bad input: a clear message naming the file, the rest imported,
/// exit code non-zero, nothing already imported harmed.
#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let t = TestHome::new();
    let dir = t.path("batch");
    fs::create_dir_all(&dir).unwrap();
    let good = plain_jpeg(130, 100);
    fs::write(dir.join("01-good.jpg"), &good).unwrap();
    fs::write(dir.join("02-empty.jpg"), b"").unwrap();
    fs::write(dir.join("03-truncated.jpg"), &plain_jpeg(300, 200)[..600]).unwrap();
    let mut tiff = bilevel_tiff(200, 100);
    tiff.truncate(40);
    fs::write(dir.join("04-corrupt.tif"), &tiff).unwrap();
    fs::write(
        dir.join("05-broken.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
    )
    .unwrap();
    fs::copy(encrypted_pdf(&dir), dir.join("06-encrypted.pdf")).unwrap();
    fs::remove_file(dir.join("encrypted.pdf")).unwrap();
    fs::write(dir.join("07-bomb.png"), png_bomb(100_000, 100_000)).unwrap();
    fs::write(dir.join("08-text.jpg"), b"this is not a picture").unwrap();
    fs::write(dir.join("09-png-named.jpg"), png(90, 60)).unwrap();
    let missing = t.path("no-such-folder");

    let (code, stdout, stderr) = run(t.cli().arg("import").arg(&dir).arg(&missing));
    assert_eq!(code, 1, "{stderr}");
    let vid = stdout.trim();
    assert_eq!(vid, "V0001");
    for (file, reason) in [
        ("02-empty.jpg", "empty"),
        ("03-truncated.jpg", "truncated"),
        ("04-corrupt.tif", "TIFF"),
        ("05-broken.pdf", "damaged"),
        ("06-encrypted.pdf", "encrypted"),
        ("07-bomb.png", "decompression bomb"),
        ("08-text.jpg", "not JPEG"),
        ("no-such-folder", "cannot be read"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("{file} not reported:\n{stderr}"));
        assert!(
            line.starts_with("error:") && line.contains(reason),
            "{file}: {line}"
        );
    }
    let warn = stderr
        .lines()
        .find(|l| l.contains("09-png-named.jpg"))
        .unwrap();
    assert!(
        warn.starts_with("warning:") && warn.contains("PNG"),
        "{warn}"
    );

    let pages = t.catalogue().pages(vid).unwrap();
    assert_eq!(
        pages
            .iter()
            .map(|p| p.source_name.as_str())
            .collect::<Vec<_>>(),
        ["01-good.jpg", "09-png-named.jpg"]
    );
    assert_eq!(pages[1].master_ext, "png");

    // A second bad batch into the same volume harms nothing already there.
    let (code, _, _) = run(t
        .cli()
        .args(["import", "--volume", vid])
        .arg(dir.join("02-empty.jpg")));
    assert_eq!(code, 1);
    assert_eq!(t.catalogue().pages(vid).unwrap().len(), 2);
}

#[test]
fn unreadable_folder_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestHome::new();
    let locked = t.path("locked");
    fs::create_dir_all(&locked).unwrap();
    fs::write(locked.join("a.jpg"), plain_jpeg(50, 50)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = fs::read_dir(&locked).is_ok(); // root reads everything
    let (code, _out, err) = run(t.cli().arg("import").arg(&locked));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    if readable_anyway {
        // As root the folder is readable, so the import succeeds; a file path under
        // a regular file is the unreadable case we can make here.
        assert_eq!(code, 0, "{err}");
        let not_a_dir = locked.join("a.jpg").join("inner");
        let (code, _, err) = run(t.cli().arg("import").arg(&not_a_dir));
        assert_eq!(code, 1);
        assert!(
            err.contains("inner") && err.contains("cannot be read"),
            "{err}"
        );
    } else {
        assert_eq!(code, 1);
        assert!(
            err.contains("locked") && err.contains("cannot be read"),
            "{err}"
        );
    }
}
