//! Imaging filters against reference images with a tolerance: deskew, turn,
//! scanner-bed removal, blank backs; overrides that survive a rerun.

use anjuan::capture::raster::encode_jpeg;
use anjuan::capture::sample::{self, RenderOptions};
use anjuan::imaging::{self, Overrides, analysis::shrink};
use image::{DynamicImage, GrayImage, Rgb, RgbImage};

use crate::fixtures::*;

const DPI: u32 = 200;

fn page(i: usize, skew_deg: f32) -> RgbImage {
    let (font, index) = anjuan::fonts::cjk_font_bytes().unwrap();
    let vol = sample::sample_volume();
    sample::render_page(
        &vol.pages[i],
        &font,
        index,
        RenderOptions {
            dpi: DPI,
            skew_deg,
            noise: 0.0,
            seed: 1,
        },
    )
    .unwrap()
}

/// Mean absolute difference of two grey pages seen at a quarter of their size
/// (so a one-pixel shift of a stroke does not count as a difference).
fn mad(a: &GrayImage, b: &GrayImage) -> f64 {
    let (a, b) = (shrink(a, 4), shrink(b, 4));
    assert_eq!(a.dimensions(), b.dimensions());
    a.pixels()
        .zip(b.pixels())
        .map(|(p, q)| p.0[0].abs_diff(q.0[0]) as f64)
        .sum::<f64>()
        / (a.width() * a.height()) as f64
}

fn straighten(img: RgbImage) -> (DynamicImage, imaging::ImagingRecord) {
    let page = imaging::analyse(DynamicImage::ImageRgb8(img), DPI);
    let (w, rec) = page.render(
        anjuan::model::record::Turn::AS_SCANNED,
        &Overrides::default(),
    );
    (w.image, rec)
}

#[test]
fn deskew_matches_the_straight_reference() {
    let reference = DynamicImage::ImageRgb8(page(0, 0.0)).to_luma8();
    for skew in [2.4f32, -1.7] {
        let skewed = page(0, skew);
        let before = mad(
            &DynamicImage::ImageRgb8(skewed.clone()).to_luma8(),
            &reference,
        );
        let (out, rec) = straighten(skewed);
        assert!(
            (rec.skew_applied - skew).abs() < 0.1,
            "measured {} for {skew}",
            rec.skew_applied
        );
        let after = mad(&out.to_luma8(), &reference);
        assert!(
            after < 2.5 && after < before / 3.0,
            "skew {skew}: difference {before:.2} → {after:.2}"
        );
        // 200 dpi is below DA/T 31's 300 for OCR: flagged, and nothing else.
        assert_eq!(rec.flag_codes(), ["low_dpi"]);
    }
}

#[test]
fn a_straight_page_is_left_alone() {
    let (_, rec) = straighten(page(1, 0.0));
    assert_eq!(rec.skew_applied, 0.0, "{rec:?}");
    assert_eq!(rec.rotation, 0);
    assert!(!rec.blank);
}

#[test]
fn scanner_bed_is_painted_paper_and_the_text_is_kept() {
    let reference = page(2, 0.0);
    let mut scan = reference.clone();
    let (w, h) = scan.dimensions();
    // A black wedge on the left (wide at the top) and a dark band along the bottom.
    for y in 0..h {
        let wedge = (70.0 * (1.0 - y as f32 / h as f32)) as u32;
        for x in 0..wedge {
            scan.put_pixel(x, y, Rgb([18, 18, 20]));
        }
    }
    for y in h - 25..h {
        for x in 0..w {
            scan.put_pixel(x, y, Rgb([25, 25, 25]));
        }
    }
    let (out, rec) = straighten(scan);
    assert!(rec.bed_fraction > 0.01, "{rec:?}");
    let out = out.to_luma8();
    let mean = |x0: u32, y0: u32, x1: u32, y1: u32| {
        let mut s = 0u64;
        for y in y0..y1 {
            for x in x0..x1 {
                s += out.get_pixel(x, y).0[0] as u64;
            }
        }
        s as f64 / ((x1 - x0) * (y1 - y0)) as f64
    };
    assert!(mean(0, 0, 40, h / 4) > 200.0, "wedge left dark");
    assert!(mean(0, h - 20, w, h) > 200.0, "band left dark");
    let diff = mad(&out, &DynamicImage::ImageRgb8(reference).to_luma8());
    assert!(diff < 2.0, "text area changed: {diff:.2}");
}

/// A back side: paper, the mirrored text of the front faintly showing through,
/// dust, two punch holes.
fn blank_back() -> RgbImage {
    let front = page(3, 0.0);
    let (w, h) = front.dimensions();
    let mut back = RgbImage::from_fn(w, h, |x, y| {
        let through = front.get_pixel(w - 1 - x, y).0[0] as f32;
        let v = 240.0 - (240.0 - through) * 0.12;
        Rgb([v as u8, v as u8, (v - 4.0) as u8])
    });
    let mut seed = 12345u32;
    for _ in 0..400 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let (x, y) = (seed % w, (seed / w) % h);
        back.put_pixel(x, y, Rgb([90, 90, 90]));
    }
    for cy in [h / 3, 2 * h / 3] {
        imageproc::drawing::draw_filled_circle_mut(
            &mut back,
            (45, cy as i32),
            22,
            Rgb([15, 15, 15]),
        );
    }
    back
}

#[test]
fn blank_back_is_found_despite_show_through_dust_and_holes() {
    let page_blank = imaging::analyse(DynamicImage::ImageRgb8(blank_back()), DPI);
    assert!(page_blank.is_blank());
    // The same back with one short handwritten-size note is not blank.
    let mut note = blank_back();
    let (font, index) = anjuan::fonts::cjk_font_bytes().unwrap();
    let font = ab_glyph::FontRef::try_from_slice_and_index(&font, index).unwrap();
    imageproc::drawing::draw_text_mut(
        &mut note,
        Rgb([30, 30, 30]),
        400,
        900,
        40.0,
        &font,
        "此页无正文",
    );
    assert!(!imaging::analyse(DynamicImage::ImageRgb8(note), DPI).is_blank());
    // Every content page of the sample is not blank.
    for i in 0..4 {
        assert!(
            !imaging::analyse(DynamicImage::ImageRgb8(page(i, 0.8)), DPI).is_blank(),
            "page {i}"
        );
    }
}

fn write_jpeg(path: &std::path::Path, img: &RgbImage, dpi: u32) {
    std::fs::write(
        path,
        encode_jpeg(&DynamicImage::ImageRgb8(img.clone()), 90, dpi).unwrap(),
    )
    .unwrap();
}

#[test]
fn turned_pages_come_out_upright_with_real_ocr() {
    let t = TestHome::new();
    let dir = t.path("turned");
    std::fs::create_dir_all(&dir).unwrap();
    let (font, index) = anjuan::fonts::cjk_font_bytes().unwrap();
    let vol = sample::sample_volume();
    let render = |i: usize| {
        sample::render_page(
            &vol.pages[i],
            &font,
            index,
            RenderOptions {
                dpi: 300,
                skew_deg: 0.7,
                noise: 0.0005,
                seed: 3,
            },
        )
        .unwrap()
    };
    // Upside down; and turned a quarter clockwise (a landscape-looking scan).
    write_jpeg(
        &dir.join("1.jpg"),
        &image::imageops::rotate180(&render(2)),
        300,
    );
    write_jpeg(
        &dir.join("2.jpg"),
        &image::imageops::rotate90(&render(1)),
        300,
    );
    write_jpeg(&dir.join("3.jpg"), &render(0), 300);
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args(["process", "--volume", &vid]));
    assert_eq!(code, 0, "{err}");
    let pages = t.catalogue().pages(&vid).unwrap();
    let turns: Vec<_> = pages.iter().map(|p| p.rotation).collect();
    assert_eq!(turns, [Some(180), Some(270), Some(0)]);
    assert!(
        pages.iter().all(|p| p.height > p.width),
        "upright pages are portrait"
    );
    assert!(
        pages[0].text.as_deref().unwrap().contains("处罚决定书"),
        "{:?}",
        pages[0].text
    );
    assert!(
        pages[1].text.as_deref().unwrap().contains("询问笔录"),
        "{:?}",
        pages[1].text
    );
}

#[test]
fn a_clerks_decision_survives_reruns_and_can_be_undone() {
    let t = TestHome::new();
    let f = t.path("p.jpg");
    write_jpeg(&f, &page(1, 1.2), DPI);
    let (_, out, _) = run(t.cli().arg("import").arg(&f));
    let vid = out.trim().to_string();
    let fake = |t: &TestHome, extra: &[&str]| {
        let (code, _, err) = run(t.cli().args(["process", "--engine", "fake"]).args(extra));
        assert_eq!(code, 0, "{err}");
    };
    let rotation = |t: &TestHome| t.catalogue().pages(&vid).unwrap()[0].rotation;
    fake(&t, &[]);
    assert_eq!(rotation(&t), Some(0));
    let (code, _, err) = run(t.cli().args([
        "page", "--volume", &vid, "--seq", "1", "--rotate", "90", "--blank", "yes",
    ]));
    assert_eq!(code, 0, "{err}");
    fake(&t, &[]);
    let p = &t.catalogue().pages(&vid).unwrap()[0];
    assert_eq!((p.rotation, p.blank), (Some(90), Some(true)));
    assert_eq!(
        p.imaging.as_ref().unwrap().rotation_source.as_str(),
        "override"
    );
    assert_eq!(p.text.as_deref(), Some(""), "a blank page is not read");
    // Processing everything again keeps the clerk's decision.
    fake(&t, &["--redo"]);
    assert_eq!(rotation(&t), Some(90));
    // Undo: back to the automatic decision.
    let (code, _, _) = run(t
        .cli()
        .args(["page", "--volume", &vid, "--seq", "1", "--auto"]));
    assert_eq!(code, 0);
    fake(&t, &[]);
    let p = &t.catalogue().pages(&vid).unwrap()[0];
    assert_eq!((p.rotation, p.blank), (Some(0), Some(false)));
    // The master was never touched; the audit log has both decisions.
    let master = anjuan::store::Store::new(t.home().join("store"))
        .read_master(&p.master_sha256, "jpg")
        .unwrap();
    assert_eq!(master, std::fs::read(&f).unwrap());
}

#[test]
fn text_running_off_the_scan_window_is_flagged() {
    let full = page(2, 0.0);
    let (_, rec) = straighten(full.clone());
    assert!(
        !rec.flag_codes().contains(&"cut_content".to_string()),
        "edge ink {}",
        rec.edge_ink
    );
    // The scan window ends in the middle of the text lines (a page put in askew or
    // a too-small scan area).
    let cut =
        image::imageops::crop_imm(&full, 0, 0, full.width() * 55 / 100, full.height()).to_image();
    let (_, rec) = straighten(cut);
    assert!(
        rec.flag_codes().contains(&"cut_content".to_string()),
        "edge ink {}",
        rec.edge_ink
    );
}
