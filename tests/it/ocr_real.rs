//! End to end with the real Tesseract on rendered case-file pages of known text.

use crate::fixtures::*;

/// Character error rate with whitespace removed (as `score_ocr.py` counts it).
fn cer(truth: &str, got: &str) -> f64 {
    let a: Vec<char> = truth.chars().filter(|c| !c.is_whitespace()).collect();
    let b: Vec<char> = got.chars().filter(|c| !c.is_whitespace()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[b.len()] as f64 / a.len().max(1) as f64
}

#[test]
fn tesseract_reads_rendered_pages_into_clean_chinese_text() {
    let t = TestHome::new();
    let (paths, truths) = sample_pages(&t.path("sample"), 300);
    let (code, out, err) = run(t.cli().arg("import").args(&paths[2..4]));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--jobs", "2", "--engine", "tesseract"]));
    assert_eq!(code, 0, "{err}");
    let pages = t.catalogue().pages(&vid).unwrap();
    let all_truth: String = truths[2..4].concat();
    let all_text: String = pages
        .iter()
        .map(|p| p.text.clone().unwrap_or_default())
        .collect();
    let e = cer(&all_truth, &all_text);
    assert!(e < 0.15, "CER {e:.3} over both pages:\n{all_text}");
    for (page, truth) in pages.iter().zip(&truths[2..4]) {
        let text = page.text.as_deref().unwrap();
        // Tesseract's layout now and then drops a whole line of a sparse page.
        let e = cer(truth, text);
        assert!(e < 0.3, "CER {e:.3} on page {}:\n{text}", page.seq);
        assert!(
            !has_space_between_cjk(text),
            "spaces between Chinese characters:\n{text}"
        );
        assert!(page.lines.len() >= 5 && page.lines.iter().all(|l| l.bbox[2] > 0 && l.bbox[3] > 0));
        assert!(page.ocr_confidence.unwrap() > 0.5);
    }
    let (_, text) = export_pdf_text(&t, &vid);
    assert!(text.contains("行政处罚决定书"), "{text}");
    assert!(text.contains("送达"), "{text}");
}

#[test]
fn ppocr_reads_rendered_pages_nearly_perfectly() {
    let t = TestHome::new();
    let (paths, truths) = sample_pages(&t.path("sample"), 300);
    let (code, out, err) = run(t.cli().arg("import").args(&paths));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args(["process", "--engine", "ppocr"]));
    assert_eq!(code, 0, "{err}");
    let pages = t.catalogue().pages(&vid).unwrap();
    let all_truth: String = truths.concat();
    let all_text: String = pages
        .iter()
        .map(|p| p.text.clone().unwrap_or_default())
        .collect();
    let e = cer(&all_truth, &all_text);
    assert!(e < 0.05, "CER {e:.3}:\n{all_text}");
    for p in &pages {
        assert!(!has_space_between_cjk(p.text.as_deref().unwrap()));
        assert!(p.lines.iter().all(|l| l.confidence > 0.0 && l.bbox[2] > 0));
    }
    // Lines come in reading order: the title first.
    assert_eq!(pages[0].lines[0].text, "立案审批表");
    let (_, text) = export_pdf_text(&t, &vid);
    assert!(text.contains("江北青禾餐饮管理有限公司"), "{text}");
}

/// Set-up fuses the wheel's models (scripts/fuse-ppocr-model.py); the fused ones
/// must read exactly what the shipped ones read, boxes and confidences included.
#[test]
fn fused_ppocr_models_read_as_the_shipped_ones() {
    use anjuan::ocr::OcrEngine;
    use anjuan::ocr::ppocr::{PpOcrEngine, PpOcrFiles};

    let dirs = PpOcrFiles::search_dirs();
    let fused = PpOcrFiles::locate_in(&dirs).expect("make setup provides PP-OCR");
    let shipped = PpOcrFiles::as_shipped_in(&dirs).unwrap();
    assert!(fused.fused(), "set-up did not fuse the models: {fused:?}");
    assert!(!shipped.fused() && shipped.rec != fused.rec);
    let mut fused = PpOcrEngine::new(&fused).unwrap();
    let mut shipped = PpOcrEngine::new(&shipped).unwrap();

    let t = TestHome::new();
    let (paths, _) = sample_pages(&t.path("sample"), 300);
    for path in &paths[..2] {
        let page = image::open(path).unwrap().to_luma8();
        let a = shipped.recognize(&page, 300).unwrap();
        let b = fused.recognize(&page, 300).unwrap();
        assert!(a.len() >= 5, "{a:?}");
        assert_eq!(a.len(), b.len(), "{a:?}\n{b:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.text, y.text);
            assert!(
                x.bbox.iter().zip(y.bbox).all(|(p, q)| p.abs_diff(q) <= 1),
                "{x:?} {y:?}"
            );
            assert!((x.confidence - y.confidence).abs() < 1e-3, "{x:?} {y:?}");
        }
    }
}
