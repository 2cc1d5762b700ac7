use std::fs;
use std::process::Command;

use crate::fixtures::*;

#[test]
fn export_writes_a_searchable_pdf_and_page_texts() {
    let t = TestHome::new();
    let dir = t.path("pages");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("1.jpg"), plain_jpeg(1240, 1754)).unwrap();
    fs::write(dir.join("2.png"), png(600, 800)).unwrap();
    fs::write(dir.join("3.tif"), bilevel_tiff(800, 600)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let text = "行政处罚决定书\n当事人：江北青禾餐饮管理有限公司 Case No. 17";
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", format!("text={text}")));
    assert_eq!(code, 0, "{err}");

    let out_dir = t.path("export");
    let (code, stdout, err) = run(t
        .cli()
        .args(["export", "--volume", &vid, "--out"])
        .arg(&out_dir));
    assert_eq!(code, 0, "{err}");
    let pdf = out_dir.join(format!("{vid}.pdf"));
    assert_eq!(stdout.trim(), pdf.display().to_string());
    for i in 1..=3 {
        assert_eq!(
            fs::read_to_string(out_dir.join(format!("{i:04}.txt"))).unwrap(),
            format!("{text}\n")
        );
    }

    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf installed by make setup");
    assert!(
        qpdf.status.success(),
        "{}",
        String::from_utf8_lossy(&qpdf.stdout)
    );
    let info =
        String::from_utf8(Command::new("pdfinfo").arg(&pdf).output().unwrap().stdout).unwrap();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(field("Pages:"), "3", "{info}");
    // 1240 × 1754 px at 300 dpi = 297.6 × 420.96 pt.
    assert!(field("Page size:").starts_with("297.6 x 420.96"), "{info}");

    let extracted = String::from_utf8(
        Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(extracted.contains("行政处罚决定书"), "{extracted}");
    assert!(
        extracted.contains("江北青禾餐饮管理有限公司"),
        "{extracted}"
    );
    assert!(extracted.contains("Case No. 17"), "{extracted}");
    assert!(!has_space_between_cjk(&extracted), "{extracted}");
    assert_eq!(extracted.matches("行政处罚决定书").count(), 3);

    // The text layer costs little beside the images (the JPEG page goes in as is).
    let pdf_len = fs::metadata(&pdf).unwrap().len();
    let jpeg_len = fs::metadata(dir.join("1.jpg")).unwrap().len();
    assert!(pdf_len > jpeg_len);
    let bytes = fs::read(&pdf).unwrap();
    let master = fs::read(dir.join("1.jpg")).unwrap();
    assert!(
        bytes.windows(master.len()).any(|w| w == master.as_slice()),
        "the JPEG is embedded unchanged"
    );
}

#[test]
fn export_refuses_unprocessed_volume() {
    let t = TestHome::new();
    let f = t.path("p.jpg");
    fs::write(&f, plain_jpeg(100, 100)).unwrap();
    let (_, out, _) = run(t.cli().arg("import").arg(&f));
    let (code, _, err) = run(t
        .cli()
        .args(["export", "--volume", out.trim(), "--out"])
        .arg(t.path("x")));
    assert_eq!(code, 1);
    assert!(err.contains("not processed yet"), "{err}");
}
