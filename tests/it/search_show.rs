use std::fs;

use crate::fixtures::*;

/// Imports one page and reads it as `text` with the fake engine.
fn page_with_text(t: &TestHome, name: &str, width: u32, text: &str) -> String {
    let f = t.path(name);
    fs::write(&f, plain_jpeg(width, 100)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&f));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "fake", "--volume", &vid])
        .env("ANJUAN_FAKE_OCR", format!("text={text}")));
    assert_eq!(code, 0, "{err}");
    vid
}

fn search(t: &TestHome, q: &str) -> Vec<serde_json::Value> {
    let (code, out, err) = run(t.cli().args(["search", "--json", q]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn search_finds_one_two_and_many_character_queries() {
    let t = TestHome::new();
    let a = page_with_text(&t, "a.jpg", 101, "行政处罚决定书\n罚款人民币50000元");
    let b = page_with_text(&t, "b.jpg", 102, "送达回证\n受送达人：某公司");
    let hits = |q: &str| {
        search(&t, q)
            .iter()
            // Page-text hits; hits in the indexed fields carry a field name.
            .filter(|h| h["field"].is_null())
            .map(|h| h["volume"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(hits("罚"), [a.as_str()]);
    assert_eq!(hits("送达"), [b.as_str()]);
    assert_eq!(hits("处罚决定"), [a.as_str()]);
    assert_eq!(hits("50000"), [a.as_str()]);
    assert_eq!(hits("书"), [a.as_str()]);
    assert!(hits("证 罚").is_empty(), "all terms must match on one page");
    assert_eq!(hits("回证 某"), [b.as_str()]);
    // FTS syntax in user input is text, not syntax.
    assert!(hits("\"OR\" NEAR(").is_empty());
    assert!(hits("*").is_empty());
    let h = &search(&t, "罚款")[0];
    assert_eq!(h["page"], 1);
    assert!(h["snippet"].as_str().unwrap().contains("【罚款】"));
}

#[test]
fn show_json_keeps_the_contract() {
    let t = TestHome::new();
    let vid = page_with_text(&t, "page.jpg", 120, "询问笔录");
    let (code, out, err) = run(t.cli().args(["show", "--json", "--volume", &vid]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys = |o: &serde_json::Value| {
        let mut k: Vec<String> = o.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let mut expected = vec![
        "id",
        "archival_code",
        "fonds_code",
        "title",
        "year",
        "retention",
        "agency",
        "party",
        "party_id_code",
        "case_cause",
        "compiler",
        "filed_date",
        "decided_date",
        "decision_no",
        "fine_amount",
        "closed_date",
        "item_count",
        "page_count",
        "status",
        "documents",
        "pages",
        // 一稿双录 (issue 17): where each decisive field stands.
        "double_entry",
    ];
    expected.sort();
    assert_eq!(keys(&v), expected);
    let mut page_keys = vec![
        "seq",
        "source",
        "source_page",
        "document",
        "page_no",
        "rotation",
        "skew_deg",
        "blank",
        "dpi",
        "color_mode",
        "flags",
        "ocr_confidence",
        "text",
    ];
    page_keys.sort();
    let p = &v["pages"][0];
    assert_eq!(keys(p), page_keys);
    assert_eq!(v["id"], vid);
    // Processed and indexed: one page titled 询问笔录 is one document; no 档号
    // without a printed one or the bureau's 全宗号.
    assert_eq!(v["status"], "indexed");
    assert!(v["archival_code"].is_null());
    assert_eq!(v["documents"][0]["kind"], "inquiry_record");
    assert_eq!(v["pages"][0]["document"], 1);
    assert_eq!(p["seq"], 1);
    assert_eq!(p["source"], "page.jpg");
    assert_eq!(p["source_page"], 0);
    assert_eq!(p["rotation"], 0);
    assert_eq!(p["dpi"], 300);
    assert_eq!(p["color_mode"], "gray");
    assert_eq!(p["text"], "询问笔录");
    assert_eq!(
        (p["page_no"].clone(), p["document"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(p["blank"], false);

    // The JSON Schema in schemas/ describes this output.
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/volume.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut props: Vec<String> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    props.sort();
    assert_eq!(props, expected);

    let (code, _, err) = run(t.cli().args(["show", "--json", "--volume", "NOPE"]));
    assert_eq!(code, 1);
    assert!(err.contains("no volume NOPE"), "{err}");
}
