//! Indexing (著录) end to end: a generated volume indexed from its lines, and the
//! rendered sample case read by the real OCR, split, catalogued and corrected.

use anjuan::indexing::{BureauSettings, Corrections, IndexContext, PageInput, index_volume};
use anjuan::model::TextLine;

use crate::fixtures::*;

const W: u32 = 2480;
const H: u32 = 3508;

fn line(text: &str, x: u32, y: u32, w: u32) -> TextLine {
    TextLine {
        text: text.into(),
        bbox: [x, y, w, 44],
        confidence: 0.95,
    }
}

/// A page with a centred title under the agency's letterhead, a page stamp, body lines.
fn titled(seq: u32, stamp: Option<u32>, title: &str, body: &[&str]) -> PageInput {
    let mut lines = Vec::new();
    if let Some(n) = stamp {
        lines.push(line(&n.to_string(), 2300, 150, 30));
    }
    lines.push(line("某市市场监督管理局", 900, 300, 680));
    lines.push(line(
        title,
        1240 - title.chars().count() as u32 * 30,
        420,
        title.chars().count() as u32 * 60,
    ));
    for (i, b) in body.iter().enumerate() {
        lines.push(line(b, 300, 700 + i as u32 * 80, 1800));
    }
    PageInput {
        seq,
        blank: false,
        width: W,
        height: H,
        lines,
    }
}

fn plain(seq: u32, stamp: u32, body: &[&str]) -> PageInput {
    let mut lines = vec![line(&stamp.to_string(), 2300, 150, 30)];
    for (i, b) in body.iter().enumerate() {
        lines.push(line(b, 300, 400 + i as u32 * 80, 1800));
    }
    PageInput {
        seq,
        blank: false,
        width: W,
        height: H,
        lines,
    }
}

fn blank(seq: u32) -> PageInput {
    PageInput {
        seq,
        blank: true,
        width: W,
        height: H,
        lines: Vec::new(),
    }
}

/// 封面, 卷内目录, 立案审批表 (+ blank back), 询问笔录 ×2, 证据 without a title
/// (named only by the 卷内目录), 决定书, 备考表.
fn generated_volume() -> Vec<PageInput> {
    let cover = PageInput {
        seq: 1,
        blank: false,
        width: W,
        height: H,
        lines: vec![
            line("档号：J901-XZCF·2022-D30-0007", 1400, 500, 760),
            line("某市市场监督管理局", 800, 900, 900),
            line("行 政 处 罚 案 卷", 830, 1070, 890),
            line("案卷题名：某某食品有限公司经营过期食品案", 350, 1580, 1500),
            line("立卷单位：某市市场监督管理局执法稽查支队", 350, 1970, 1300),
            line("保管期限：30年", 350, 2230, 400),
            line("本卷共 4 件 6 页", 1000, 2630, 500),
        ],
    };
    let header = ["序号", "文号", "责任者", "题名", "日期", "页号", "备注"];
    let xs = [304, 566, 918, 1418, 1839, 2037, 2189];
    let mut contents = vec![line("卷 内 目 录", 1020, 260, 540)];
    for (h, x) in header.iter().zip(xs) {
        contents.push(line(h, x, 553, 88));
    }
    let rows = [
        ("1", "", "立案审批表", "20220301", "1"),
        ("2", "", "张三询问笔录", "20220305", "2-3"),
        ("3", "", "现场照片", "20220301", "4"),
        (
            "4",
            "某市监罚决〔2022〕9号",
            "行政处罚决定书",
            "20220420",
            "5-6",
        ),
    ];
    for (i, (n, no, title, date, pages)) in rows.iter().enumerate() {
        let y = 680 + i as u32 * 140;
        contents.push(line(n, 337, y, 21));
        if !no.is_empty() {
            contents.push(line(no, 426, y, 380));
        }
        contents.push(line("某市市场监督管理局", 823, y, 330));
        contents.push(line(title, 1173, y, 300));
        contents.push(line(date, 1785, y, 195));
        contents.push(line(pages, 2049, y, 60));
    }
    vec![
        cover,
        PageInput {
            seq: 2,
            blank: false,
            width: W,
            height: H,
            lines: contents,
        },
        titled(
            3,
            Some(1),
            "立案审批表",
            &[
                "当事人：某某食品有限公司",
                "统一社会信用代码：91350100M000100Y43",
                "2022年3月1日",
            ],
        ),
        blank(4),
        titled(
            5,
            Some(2),
            "询问笔录",
            &[
                "询问时间：2022年3月5日9时",
                "被询问人：张三性别：男",
                "第1页共2页",
            ],
        ),
        plain(6, 3, &["答：属实。", "第2页共2页"]),
        plain(7, 4, &["照片1 拍摄时间 2022年3月1日"]),
        titled(
            8,
            Some(5),
            "行政处罚决定书",
            &[
                "某市监罚决[2022]9号",
                "当事人：某某食品有限公司",
                "罚款人民币贰万元整（￥20,000.00）。",
            ],
        ),
        plain(9, 6, &["某市市场监督管理局", "2022年4月20日"]),
        PageInput {
            seq: 10,
            blank: false,
            width: W,
            height: H,
            lines: vec![
                line("卷 内 备 考 表", 1000, 260, 600),
                line("立卷时间：2022年5月6日", 300, 2800, 700),
            ],
        },
    ]
}

#[test]
fn a_generated_volume_is_split_numbered_and_catalogued() {
    let ctx = IndexContext {
        settings: BureauSettings::default(),
        next_volume_no: 1,
    };
    let ix = index_volume(&generated_volume(), &Corrections::default(), &ctx);
    let docs: Vec<(&str, u32, u32)> = ix
        .documents
        .iter()
        .map(|d| (d.kind.as_str(), d.first_page, d.last_page))
        .collect();
    assert_eq!(
        docs,
        vec![
            ("cover", 1, 1),
            ("contents", 2, 2),
            ("filing_approval", 3, 3),
            ("inquiry_record", 5, 6),
            // No title on the page: the 卷内目录's page range names it.
            ("evidence", 7, 7),
            ("decision", 8, 9),
            ("notes_sheet", 10, 10),
        ]
    );
    // The blank back belongs to the document before it and gets no page number.
    assert_eq!(ix.pages[3].document, Some(3));
    assert_eq!(ix.pages[3].page_no, None);
    let numbers: Vec<Option<u32>> = ix.pages.iter().map(|p| p.page_no).collect();
    assert_eq!(
        numbers,
        [
            None,
            None,
            Some(1),
            None,
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            None
        ]
    );
    assert_eq!((ix.item_count, ix.page_count), (4, 6));
    let f = |name: &str| ix.fields[name].value.clone();
    assert_eq!(
        f("archival_code").as_deref(),
        Some("J901-XZCF·2022-D30-0007")
    );
    assert_eq!(f("party").as_deref(), Some("某某食品有限公司"));
    assert_eq!(f("party_id_code").as_deref(), Some("91350100M000100Y43"));
    assert_eq!(f("filed_date").as_deref(), Some("2022-03-01"));
    assert_eq!(f("decided_date").as_deref(), Some("2022-04-20"));
    assert_eq!(f("decision_no").as_deref(), Some("某市监罚决〔2022〕9号"));
    assert_eq!(f("fine_amount").as_deref(), Some("20000"));
    assert_eq!(f("retention").as_deref(), Some("D30"));
    assert_eq!(f("case_cause").as_deref(), Some("经营过期食品"));
    let inquiry = &ix.documents[3];
    assert_eq!(inquiry.title.value.as_deref(), Some("张三询问笔录"));
    // Taken from the printed 卷内目录: its page and row are the evidence.
    assert_eq!(inquiry.title.page, Some(2));
    assert!(inquiry.title.bbox.is_some());
    assert_eq!(inquiry.date.value.as_deref(), Some("2022-03-05"));
    assert_eq!(
        (inquiry.page_no_from, inquiry.page_no_to),
        (Some(2), Some(3))
    );
    // Evidence of the source: the decision number's page and box.
    let no = &ix.fields["decision_no"];
    assert_eq!(no.page, Some(8));
    assert!(no.bbox.is_some() && no.confidence > 0.5);
    assert!(ix.findings.is_empty(), "{:?}", ix.findings);
}

#[test]
fn disagreements_with_the_printed_contents_become_findings() {
    let mut pages = generated_volume();
    // The stamp on the decision's second page says 7, the contents say 5-6.
    pages[8].lines[0].text = "7".into();
    let ctx = IndexContext::default();
    let ix = index_volume(&pages, &Corrections::default(), &ctx);
    let codes: Vec<&str> = ix.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"page_no_mismatch"), "{codes:?}");
    // Its evidence is the stamp that was read, boxed where it is on its page.
    let mismatch = ix
        .findings
        .iter()
        .find(|f| f.code == "page_no_mismatch")
        .unwrap();
    assert_eq!(mismatch.page, Some(pages[8].seq));
    assert_eq!(mismatch.bbox, Some(pages[8].lines[0].bbox));
    // A volume without a printed 档号 and no 全宗号 set cannot get one: said, not guessed.
    pages[0].lines.remove(0);
    pages[1].lines.retain(|l| !l.text.contains("档号"));
    let ix = index_volume(&pages, &Corrections::default(), &ctx);
    assert!(
        ix.findings
            .iter()
            .any(|f| f.code == "archival_code_incomplete")
    );
    let mut ctx = IndexContext {
        next_volume_no: 12,
        ..Default::default()
    };
    ctx.settings.fonds_code = Some("J037".into());
    let ix = index_volume(&pages, &Corrections::default(), &ctx);
    assert_eq!(
        ix.fields["archival_code"].value.as_deref(),
        Some("J037-XZCF·2022-D30-0012")
    );
}

#[test]
fn corrections_win_over_proposals() {
    let pages = generated_volume();
    let c = Corrections::from_pairs([
        ("start:6", "true"),
        ("kind:6", "evidence"),
        ("field:party", "某某食品有限责任公司"),
        ("doc:8:title", "处罚决定书"),
    ]);
    let ix = index_volume(&pages, &c, &IndexContext::default());
    let starts: Vec<u32> = ix.documents.iter().map(|d| d.first_page).collect();
    assert_eq!(starts, [1, 2, 3, 5, 6, 7, 8, 10]);
    assert_eq!(ix.documents[4].kind, "evidence");
    let party = &ix.fields["party"];
    assert_eq!(party.value.as_deref(), Some("某某食品有限责任公司"));
    assert!(party.corrected && party.confidence == 1.0);
    assert_eq!(ix.documents[6].title.value.as_deref(), Some("处罚决定书"));
    // Merging: page 5 no longer starts a document.
    let ix = index_volume(
        &pages,
        &Corrections::from_pairs([("start:5", "false")]),
        &IndexContext::default(),
    );
    assert_eq!(ix.documents[2].first_page, 3);
    assert_eq!(ix.documents[2].last_page, 6);
}

#[test]
fn the_sample_case_is_indexed_and_corrections_survive_a_rerun() {
    let t = TestHome::new();
    std::fs::create_dir_all(t.home()).unwrap();
    std::fs::write(
        t.home().join("bureau.json"),
        r#"{"fonds_code": "J001", "category_code": "XZCF", "retention": "D30",
            "archival_code_template": "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}"}"#,
    )
    .unwrap();
    let (paths, _) = sample_pages(&t.path("sample"), 300);
    let (code, out, err) = run(t.cli().arg("import").args(&paths));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args(["process", "--engine", "ppocr"]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("indexed"), "{err}");
    let show = |t: &TestHome| -> serde_json::Value {
        let (code, out, err) = run(t.cli().args(["show", "--volume", &vid, "--json"]));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let v = show(&t);
    let kinds: Vec<&str> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "filing_approval",
            "inquiry_record",
            "decision",
            "service_receipt"
        ],
        "{v:#}"
    );
    assert_eq!(v["party"], "江北青禾餐饮管理有限公司");
    assert_eq!(v["party_id_code"], "91330105MA2H7KQX3U");
    assert_eq!(v["filed_date"], "2023-03-08");
    assert_eq!(v["decided_date"], "2023-04-20");
    assert_eq!(v["decision_no"], "江北市监罚〔2023〕17号");
    assert_eq!(v["fine_amount"], 50000.0);
    assert_eq!(v["archival_code"], "J001-XZCF·2023-D30-0001");
    assert_eq!(v["item_count"], 4);
    assert_eq!(v["pages"][3]["page_no"], 4);
    assert_eq!(v["pages"][2]["document"], 3);

    // Search finds the value in the catalogue fields and in the page text (two characters).
    let (code, out, err) = run(t.cli().args(["search", "青禾", "--json"]));
    assert_eq!(code, 0, "{err}");
    let hits: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(
        hits.iter().any(|h| h["field"] == "party" && h["page"] == 1),
        "{hits:?}"
    );
    assert!(
        hits.iter().any(|h| h["field"].is_null() && h["page"] == 3),
        "{hits:?}"
    );

    // The clerk corrects the party and merges the receipt into the decision.
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &vid,
        "party=江北青禾餐饮有限公司",
        "start:4=no",
    ]));
    assert_eq!(code, 0, "{err}");
    let v = show(&t);
    assert_eq!(v["party"], "江北青禾餐饮有限公司");
    assert_eq!(v["documents"].as_array().unwrap().len(), 3);
    // Everything made again from the masters: the corrections stay.
    let (code, _, err) = run(t
        .cli()
        .args(["process", "--engine", "ppocr", "--redo", "--reindex"]));
    assert_eq!(code, 0, "{err}");
    let v = show(&t);
    assert_eq!(v["party"], "江北青禾餐饮有限公司");
    assert_eq!(v["documents"].as_array().unwrap().len(), 3);
    assert_eq!(v["documents"][2]["last_page"], 4);
    // Undo gives the field back to the machine; the audit log has both.
    let (code, _, err) = run(t
        .cli()
        .args(["correct", "--volume", &vid, "--undo", "party"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(show(&t)["party"], "江北青禾餐饮管理有限公司");
    let (code, _, err) = run(t.cli().args(["correct", "--volume", &vid, "nonsense=1"]));
    assert_eq!(code, 1, "unknown keys are refused: {err}");
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn made_archival_codes_are_unique_and_stay_put() {
    let t = TestHome::new();
    std::fs::create_dir_all(t.home()).unwrap();
    std::fs::write(
        t.home().join("bureau.json"),
        r#"{"fonds_code": "J903", "category_code": "XZCF", "retention": "D30",
            "archival_code_template": "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}"}"#,
    )
    .unwrap();
    let mut ids = Vec::new();
    for w in [300, 310, 320] {
        let f = t.path(&format!("{w}.jpg"));
        std::fs::write(&f, plain_jpeg(w, 400)).unwrap();
        let (code, out, err) = run(t.cli().arg("import").arg(&f));
        assert_eq!(code, 0, "{err}");
        ids.push(out.trim().to_string());
    }
    let process = |extra: &[&str]| {
        let (code, _, err) = run(t
            .cli()
            .args(["process", "--engine", "fake"])
            .args(extra)
            .env(
                "ANJUAN_FAKE_OCR",
                "text=行政处罚决定书\n当事人：某某公司\n2022年5月6日",
            ));
        assert_eq!(code, 0, "{err}");
    };
    process(&[]);
    let codes = || -> Vec<String> {
        let cat = t.catalogue();
        ids.iter()
            .map(|v| cat.volume_json(v).unwrap().archival_code.unwrap())
            .collect()
    };
    let first = codes();
    assert_eq!(
        first,
        [
            "J903-XZCF·2022-D30-0001",
            "J903-XZCF·2022-D30-0002",
            "J903-XZCF·2022-D30-0003"
        ]
    );
    process(&["--reindex"]);
    assert_eq!(codes(), first, "a re-index must not renumber volumes");
    // A clerk giving one volume another's code gets an error finding.
    let (code, _, err) = run(t.cli().args([
        "correct",
        "--volume",
        &ids[2],
        "archival_code=J903-XZCF·2022-D30-0001",
    ]));
    assert_eq!(code, 0, "{err}");
    let index = t.catalogue().volume_index(&ids[2]).unwrap().unwrap();
    assert!(index.findings.iter().any(
        |f| f.code == "archival_code_duplicate" && f.severity == anjuan::model::Severity::Error
    ));
}

#[test]
fn settings_command_checks_saves_and_recodes_every_volume() {
    let t = TestHome::new();
    let f = t.path("1.jpg");
    std::fs::write(&f, plain_jpeg(300, 400)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&f));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let (code, _, err) = run(t.cli().args(["process", "--engine", "fake"]).env(
        "ANJUAN_FAKE_OCR",
        "text=行政处罚决定书\n当事人：某某公司\n2022年5月6日",
    ));
    assert_eq!(code, 0, "{err}");
    let archival_code = || t.catalogue().volume_json(&vid).unwrap().archival_code;
    assert_eq!(archival_code(), None, "no 全宗号 yet");

    let (code, out, _) = run(t.cli().arg("settings"));
    assert_eq!(code, 0);
    assert!(
        out.contains("全宗号 fonds_code\t-") && out.contains("no 全宗号"),
        "{out}"
    );

    // Bad values are refused with the reason and change nothing.
    let (code, _, err) = run(t.cli().args([
        "settings",
        "--fonds-code",
        "J-037",
        "--template",
        "{全宗号}-{年度}",
    ]));
    assert_ne!(code, 0);
    assert!(
        err.contains("全宗号「J-037」") && err.contains("{案卷号}"),
        "{err}"
    );
    assert!(!t.home().join("bureau.json").exists());

    let (code, out, err) = run(t.cli().args([
        "settings",
        "--fonds-code",
        "J037",
        "--retention",
        "Y",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 volume(s) indexed again"), "{err}");
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["fonds_code"], "J037");
    assert_eq!(archival_code().as_deref(), Some("J037-XZCF·2022-Y-0001"));
}

#[test]
fn a_party_code_that_fails_its_check_is_named_and_boxed() {
    let mut pages = generated_volume();
    // Two characters misread: no single repair makes the check character agree.
    let (page, at) = pages
        .iter()
        .enumerate()
        .find_map(|(p, pg)| {
            let l = pg.lines.iter().position(|l| l.text.contains("信用代码"))?;
            Some((p, l))
        })
        .unwrap();
    pages[page].lines[at].text = "统一社会信用代码：91350100M0Z0100Q43".into();
    let ix = index_volume(&pages, &Corrections::default(), &IndexContext::default());
    assert_eq!(ix.fields["party_id_code"].value, None);
    let f = ix
        .findings
        .iter()
        .find(|f| f.code == "party_id_invalid")
        .unwrap_or_else(|| panic!("{:?}", ix.findings));
    assert_eq!(f.page, Some(pages[page].seq));
    assert_eq!(f.bbox, Some(pages[page].lines[at].bbox));
}
