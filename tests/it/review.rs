//! `anjuan review`: image quality, indexing and statutory findings of a volume.

use crate::fixtures::*;

/// What the fake engine reads on every page: a decision of 20 June 2023.
const DECISION: &str = "行政处罚决定书\n当事人：某某公司\n2023年6月20日";

fn findings(t: &TestHome, vid: &str) -> Vec<serde_json::Value> {
    let (code, out, err) = run(t.cli().args(["review", "--volume", vid, "--json"]));
    assert_eq!(code, 0, "{err}");
    let review: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(review["volume"], vid);
    review["findings"].as_array().unwrap().clone()
}

fn codes(t: &TestHome, vid: &str) -> Vec<String> {
    findings(t, vid)
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn review_finds_statutory_breaches_and_forgets_them_once_corrected() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300, 301, 302]);
    process_fake(&t, DECISION);

    // The clerk's 著录: filed in January, told in May, decided in June; no receipt.
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &vid,
        "kind:1=filing_approval",
        "doc:1:date=2023-01-10",
        "filed_date=2023-01-10",
        "kind:2=prior_notice",
        "doc:2:date=2023-05-20",
        "doc:3:date=2023-06-20",
        "decided_date=2023-06-20",
    ]));
    assert_eq!(code, 0, "{err}");
    let found = findings(&t, &vid);
    let over = found
        .iter()
        .find(|f| f["code"] == "DECISION_OVER_90_DAYS")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(over["severity"], "error");
    assert_eq!(over["document"], 3);
    assert!(
        over["message"].as_str().unwrap().contains("161 日"),
        "{over}"
    );
    let all = codes(&t, &vid);
    assert!(all.contains(&"MISSING_SERVICE_RECEIPT".into()), "{all:?}");
    // The fake decision names no remedies (复议, 诉讼) and no legal basis.
    assert!(all.contains(&"DECISION_LACKS_REMEDIES".into()), "{all:?}");
    // Errors come first.
    assert_eq!(found[0]["severity"], "error");

    // Decided in time, told too late for the party to answer.
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &vid,
        "doc:2:date=2023-04-07",
        "doc:3:date=2023-04-08",
        "decided_date=2023-04-08",
    ]));
    assert_eq!(code, 0, "{err}");
    let all = codes(&t, &vid);
    assert!(!all.contains(&"DECISION_OVER_90_DAYS".into()), "{all:?}");
    assert!(
        all.contains(&"DECISION_WITHIN_DEFENSE_PERIOD".into()),
        "{all:?}"
    );

    // The human form names the rule and the place.
    let (code, out, err) = run(t.cli().args(["review", "--volume", &vid]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("MISSING_SERVICE_RECEIPT") && out.contains("送达回证"),
        "{out}"
    );
    assert!(err.contains("error(s)"), "{err}");
}

#[test]
fn review_reports_failed_pages_and_refuses_an_unknown_volume() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300, 333]);
    let (code, _, _) = run(t
        .cli()
        .args(["process", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", "fail_width=333"));
    assert_ne!(code, 0);
    let found = findings(&t, &vid);
    assert!(
        found
            .iter()
            .any(|f| f["code"] == "page_failed" && f["page"] == 2 && f["severity"] == "error"),
        "{found:#?}"
    );

    // Imported, not processed yet: the review says it cannot judge the contents.
    let (code, out, err) = run(t
        .cli()
        .args(["import", "--volume", "later"])
        .arg(t.path("scans").join("1.jpg")));
    assert_eq!(code, 0, "{err}");
    assert_eq!(codes(&t, out.trim()), ["not_indexed"]);

    let (code, _, err) = run(t.cli().args(["review", "--volume", "nope"]));
    assert_ne!(code, 0);
    assert!(err.contains("no volume nope"), "{err}");
}

#[test]
fn reviewer_marks_defects_that_follow_their_page_then_approves_or_returns() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300, 301]);
    process_fake(&t, DECISION);
    let review = |args: &[&str]| run(t.cli().args(["review", "--volume", &vid]).args(args));
    let json = || -> serde_json::Value {
        let (code, out, err) = review(&["--json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };

    let (code, _, err) = review(&["--mark", "2", "--note", "印章不清，需重扫"]);
    assert_eq!(code, 0, "{err}");
    let r = json();
    let mark = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "reviewer_mark")
        .unwrap()
        .clone();
    assert_eq!(
        (mark["page"].as_u64(), mark["severity"].as_str()),
        (Some(2), Some("error"))
    );
    let id = r["marks"][0]["id"].as_i64().unwrap().to_string();

    // Approval waits for open marks.
    let (code, _, err) = review(&["--approve"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("open marks") && err.contains("印章不清"),
        "{err}"
    );

    // The page moves to the front: its mark goes with it.
    let (code, _, err) = run(t
        .cli()
        .args(["arrange", "--volume", &vid, "--move", "2", "--before", "1"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json()["marks"][0]["page"], 1);

    let (code, _, err) = review(&["--resolve", &id]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = review(&["--approve", "--note", "抽检合格"]);
    assert_eq!(code, 0, "{err}");
    let r = json();
    assert_eq!(r["decision"]["decision"], "approved");
    // The reason is recorded with the open errors it approved over, if any.
    assert!(
        r["decision"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("抽检合格"),
        "{r:#}"
    );
    assert_eq!(r["decision"]["outdated"], false);
    assert!(
        !r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "reviewer_mark")
    );

    // A later correction makes the approval outdated.
    let (code, _, err) = run(t
        .cli()
        .args(["correct", "--volume", &vid, "party=某某有限公司"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json()["decision"]["outdated"], true);

    let (code, _, err) = review(&["--return", " "]);
    assert_ne!(code, 0);
    assert!(err.contains("needs a reason"), "{err}");
    let (code, _, err) = review(&["--return", "缺少送达回证"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("returned"), "{err}");
    let r = json();
    assert_eq!(
        (
            r["decision"]["decision"].as_str(),
            r["decision"]["reason"].as_str()
        ),
        (Some("returned"), Some("缺少送达回证"))
    );
    // A returned volume is not packed until it is approved again.
    let out_dir = t.path("out");
    let (code, _, err) = run(t
        .cli()
        .args(["package", "--volume", &vid, "--out"])
        .arg(&out_dir));
    assert_ne!(code, 0);
    assert!(
        err.contains("was returned") && err.contains("缺少送达回证"),
        "{err}"
    );
}

#[test]
fn acceptance_sampling_draws_a_repeatable_share_of_processed_volumes() {
    let t = TestHome::new();
    let mut ids = Vec::new();
    for w in [300, 310, 320, 330] {
        let f = t.path(&format!("{w}.jpg"));
        std::fs::write(&f, plain_jpeg(w, 400)).unwrap();
        let (code, out, err) = run(t.cli().arg("import").arg(&f));
        assert_eq!(code, 0, "{err}");
        ids.push(out.trim().to_string());
    }
    process_fake(&t, DECISION);
    // One more, imported but not processed: not drawn.
    let f = t.path("340.jpg");
    std::fs::write(&f, plain_jpeg(340, 400)).unwrap();
    let (code, out, _) = run(t.cli().arg("import").arg(&f));
    assert_eq!(code, 0);
    let pending = out.trim().to_string();
    // One sent back: not drawn either.
    let (code, _, err) = run(t
        .cli()
        .args(["review", "--volume", &ids[3], "--return", "重扫"]));
    assert_eq!(code, 0, "{err}");

    let draw = |seed: &str| -> serde_json::Value {
        let (code, out, err) = run(t
            .cli()
            .args(["review", "--sample", "50", "--seed", seed, "--json"]));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let a = draw("42");
    assert_eq!(a["of"], 3);
    let picked: Vec<&str> = a["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(picked.len(), 2, "50 % of 3, rounded up");
    assert!(
        picked.iter().all(|v| ids[..3].contains(&v.to_string())),
        "{picked:?}"
    );
    assert!(!picked.contains(&pending.as_str()) && !picked.contains(&ids[3].as_str()));
    assert_eq!(
        draw("42")["volumes"],
        a["volumes"],
        "the seed repeats the draw"
    );

    let (code, _, err) = run(t
        .cli()
        .args(["review", "--sample", "5", "--volume", &ids[0]]));
    assert_ne!(code, 0, "sampling is over all volumes: {err}");
}

#[test]
fn the_operator_named_on_the_command_line_is_the_actor() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.jpg"), plain_jpeg(300, 400)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args([
        "review",
        "--volume",
        &vid,
        "--mark",
        "0",
        "--note",
        "卷皮破损",
        "--operator",
        "赵六",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(t
        .cli()
        .args(["review", "--volume", &vid, "--mark", "0", "--note", "缺页"])
        .env("ANJUAN_OPERATOR", "钱七"));
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(t.cli().args(["review", "--volume", &vid, "--json"]));
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by: Vec<&str> = r["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["by"].as_str().unwrap())
        .collect();
    assert_eq!(by, ["赵六", "钱七"]);
    // A name that is no name is refused before anything is done.
    let (code, _, err) = run(t.cli().args(["volumes", "--operator", "a\nb"]));
    assert_eq!(code, 2);
    assert!(err.contains("is not a name"), "{err}");
}

/// 评查: the score follows the findings (the item that names the code loses its
/// points), the reviewer deducts and gives back with a reason, and a bureau's
/// own sheet in the home replaces the shipped one; a malformed one is refused.
#[test]
fn the_score_sheet_scores_findings_and_takes_the_reviewers_changes() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300, 301, 302]);
    process_fake(&t, DECISION);
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &vid,
        "kind:1=filing_approval",
        "doc:1:date=2023-01-10",
        "filed_date=2023-01-10",
        "kind:2=prior_notice",
        "doc:2:date=2023-05-20",
        "doc:3:date=2023-06-20",
        "decided_date=2023-06-20",
    ]));
    assert_eq!(code, 0, "{err}");
    let score = |t: &TestHome| {
        let (code, out, err) = run(t.cli().args(["review", "--volume", &vid, "--json"]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["score"].clone()
    };
    let s = score(&t);
    let item = |s: &serde_json::Value, id: &str| {
        s["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    // Decided 161 days after filing: the 办案期限 item loses its points, named
    // by the code.
    let b5 = item(&s, "B5");
    assert!(b5["deducted"].as_f64().unwrap() > 0.0, "{b5}");
    assert!(
        b5["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "DECISION_OVER_90_DAYS" && r["source"] == "auto"),
        "{b5}"
    );
    let items: f64 = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["deducted"].as_f64().unwrap())
        .sum();
    assert_eq!(s["total"].as_f64().unwrap(), 100.0 - items);
    assert!(s["grade"].is_string() && s["veto"].is_null(), "{s}");

    // The reviewer takes 4 off 主体资格, then gives 2 back.
    let (code, _, err) = run(t.cli().args([
        "review",
        "--volume",
        &vid,
        "--deduct",
        "B1=4",
        "--note",
        "执法证号缺失",
    ]));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(t.cli().args([
        "review",
        "--volume",
        &vid,
        "--restore",
        "B1=2",
        "--note",
        "一人有证",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("score\ttotal\t"), "{out}");
    let after = score(&t);
    assert_eq!(item(&after, "B1")["deducted"], 2.0);
    assert_eq!(
        after["total"].as_f64().unwrap(),
        s["total"].as_f64().unwrap() - 2.0
    );
    let reviewer: Vec<_> = item(&after, "B1")["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["source"] == "reviewer")
        .cloned()
        .collect();
    assert_eq!(reviewer.len(), 2, "{reviewer:?}");
    // Refused: an unknown item, no reason.
    let (code, _, err) = run(t.cli().args([
        "review", "--volume", &vid, "--deduct", "Z9=1", "--note", "x",
    ]));
    assert_ne!(code, 0);
    assert!(err.contains("no item Z9"), "{err}");
    let (code, _, _) = run(t
        .cli()
        .args(["review", "--volume", &vid, "--deduct", "B1=1"]));
    assert_ne!(code, 0);

    // The bureau's own sheet, read without a rebuild: a late decision costs
    // 2 points there (the shipped sheet takes the item's 10).
    assert_eq!(b5["deducted"], 10.0);
    let mut sheet: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/review/scoring.json")).unwrap();
    let b5_deductions = sheet["categories"][0]["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["id"] == "B5")
        .unwrap()["deductions"]
        .as_array_mut()
        .unwrap();
    for d in b5_deductions.iter_mut() {
        d["points"] = 2.into();
    }
    std::fs::write(
        t.home().join("scoring.json"),
        serde_json::to_string(&sheet).unwrap(),
    )
    .unwrap();
    assert_eq!(item(&score(&t), "B5")["deducted"], 2.0);
    std::fs::write(t.home().join("scoring.json"), "{\"version\": 1}").unwrap();
    let (code, _, err) = run(t.cli().args(["review", "--volume", &vid]));
    assert_ne!(code, 0);
    assert!(err.contains("scoring.json: line 1"), "{err}");
}

/// `review --sheet`: a 评查表 per volume (A4 PDF, Chinese text a reader can
/// extract) and the batch summary (XLSX, one row per volume).
#[test]
fn score_sheets_are_written_for_the_volumes_and_summed_up() {
    let t = TestHome::new();
    let first = plain_volume(&t, &[300]);
    let second = plain_volume(&t, &[310]);
    process_fake(&t, DECISION);
    let out = t.path("sheets");
    let (code, stdout, err) = run(t
        .cli()
        .args(["review", "--sheet", "--all", "--out"])
        .arg(&out));
    assert_eq!(code, 0, "{err}");
    let written: Vec<&str> = stdout.lines().collect();
    assert_eq!(written.len(), 3, "two sheets and the summary: {stdout}");
    let pdf = out.join(format!("评查表-{first}.pdf"));
    assert!(pdf.exists(), "{stdout}");
    let text = pdf_text(&pdf);
    for want in [
        "行政处罚案卷评查表",
        "主体资格",
        "案卷管理",
        "得分",
        "等级",
        "评查人",
        &first,
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    // The summary is a workbook naming both volumes.
    let xlsx = std::fs::File::open(out.join("评查汇总.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(xlsx).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").unwrap(),
        &mut strings,
    )
    .unwrap();
    assert!(
        strings.contains(&first) && strings.contains(&second),
        "{strings}"
    );
    assert!(
        strings.contains("得分") && strings.contains("B1 主体资格"),
        "{strings}"
    );
    // One volume by name; an unknown one is reported and skipped.
    let (code, stdout, err) = run(t
        .cli()
        .args([
            "review", "--sheet", "--volume", &second, "--volume", "nope", "--out",
        ])
        .arg(&out));
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(err.contains("skipped nope"), "{err}");
}
