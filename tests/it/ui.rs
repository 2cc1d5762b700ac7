//! The workstation under egui_kittest: Chinese labels, sample import, live badges,
//! import through the dialog, language switch.

use std::time::{Duration, Instant};

use anjuan::home::Home;
use anjuan::ocr::{EngineChoice, fake::FakeFactory};
use anjuan::ui::{AppConfig, WorkstationApp};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::fixtures::*;

fn harness(home: Home, config: AppConfig) -> Harness<'static, Option<WorkstationApp>> {
    harness_sized(home, config, [1400.0, 900.0])
}

fn harness_sized(
    home: Home,
    config: AppConfig,
    size: [f32; 2],
) -> Harness<'static, Option<WorkstationApp>> {
    Harness::builder()
        .with_size(size)
        .with_context_setup(|ctx| {
            assert!(
                anjuan::ui::fonts::install(ctx),
                "the CJK font is installed by make setup"
            );
        })
        .build_ui_state(
            move |ui, app: &mut Option<WorkstationApp>| {
                let app = app.get_or_insert_with(|| {
                    WorkstationApp::new(home.clone(), config.clone(), ui.ctx()).unwrap()
                });
                app.update(ui.ctx());
                app.show(ui);
            },
            None,
        )
}

/// Two processed volumes with a 档号 each, of a building-materials company and of
/// a restaurant; their ids.
fn two_parties(t: &TestHome) -> Vec<String> {
    std::fs::create_dir_all(t.home()).unwrap();
    std::fs::write(
        t.home().join("bureau.json"),
        r#"{"fonds_code": "J903", "category_code": "XZCF", "retention": "D30",
            "archival_code_template": "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}"}"#,
    )
    .unwrap();
    let mut ids = Vec::new();
    for (w, party) in [(300, "甲建材有限公司"), (310, "乙餐饮店")] {
        let dir = t.path(&format!("scans{w}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("1.jpg"), plain_jpeg(w, 400)).unwrap();
        let (code, out, err) = run(t.cli().arg("import").arg(&dir));
        assert_eq!(code, 0, "{err}");
        ids.push(out.trim().to_string());
        let (code, _, err) = run(t
            .cli()
            .args(["process", "--engine", "fake", "--volume", out.trim()])
            .env(
                "ANJUAN_FAKE_OCR",
                format!("text=行政处罚决定书\n当事人：{party}\n2023年4月20日"),
            ));
        assert_eq!(code, 0, "{err}");
    }
    ids
}

/// Steps the UI (background work runs meanwhile) until `done` holds.
fn step_until(
    h: &mut Harness<'static, Option<WorkstationApp>>,
    what: &str,
    mut done: impl FnMut(&Harness<'static, Option<WorkstationApp>>) -> bool,
) {
    let start = Instant::now();
    while !done(h) {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn fake_config(delay_ms: u64, offer_sample: bool) -> AppConfig {
    AppConfig {
        engine: EngineChoice::Fake(FakeFactory {
            delay_ms,
            text: Some("行政处罚决定书\n当事人".into()),
            ..Default::default()
        }),
        workers: 1,
        offer_sample,
        process_after_import: true,
        scanner: std::sync::Arc::new(FakeScanner),
        ask_operator: false,
    }
}

/// A flatbed that hands over one sheet (a TIFF) per scan.
struct FakeScanner;

impl anjuan::capture::scanner::Scanner for FakeScanner {
    fn devices(
        &self,
    ) -> anyhow::Result<
        Vec<(
            anjuan::capture::scanner::Device,
            anjuan::capture::scanner::Capabilities,
        )>,
    > {
        Ok(vec![(
            anjuan::capture::scanner::Device {
                name: "fake:0".into(),
                vendor: "ACME".into(),
                model: "Flatbed 1".into(),
                kind: "flatbed scanner".into(),
            },
            anjuan::capture::scanner::Capabilities {
                sources: vec!["Flatbed".into()],
                modes: vec!["Color".into()],
                resolutions: vec![75, 600],
            },
        )])
    }
    fn scan(
        &self,
        settings: &anjuan::capture::scanner::ScanSettings,
        dir: &std::path::Path,
        _cancel: &std::sync::atomic::AtomicBool,
        page: &mut dyn FnMut(&std::path::Path) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        assert_eq!(settings.device.as_deref(), Some("fake:0"));
        let path = dir.join("p0001.tif");
        image::load_from_memory(&plain_jpeg(333, 444))
            .unwrap()
            .save(&path)
            .unwrap();
        page(&path)
    }
}

#[test]
fn first_start_shows_the_sample_volume_and_badges_change_live() {
    let t = TestHome::new();
    let home = t.open_home();
    let mut h = harness(home, fake_config(150, true));
    h.step();
    // Chinese labels render with the CJK font and can be found.
    h.get_by_label("导入…");
    h.get_by_label("处理");
    h.get_by_label("案卷");
    // The sample volume appears, its pages being processed one by one.
    step_until(&mut h, "a page in processing", |h| {
        h.query_by_label("处理中").is_some()
    });
    assert!(
        h.query_all_by_label("已导入").count() >= 1,
        "pages waiting while one is processed"
    );
    step_until(&mut h, "all pages done", |h| {
        h.query_all_by_label("已完成").count() == 4 && h.query_by_label("处理中").is_none()
    });
    assert!(h.query_by_label_contains("示例案卷").is_some());

    // Open a page: the viewer shows its OCR text beside the image.
    h.get_by_label("第1页").click();
    h.step();
    step_until(&mut h, "viewer", |h| {
        h.query_by_label("返回缩略图").is_some()
    });
    h.get_by_label("行政处罚决定书");
    h.get_by_label("返回缩略图").click();
    h.step();

    // English is available.
    h.get_by_label("English").click();
    h.step();
    h.step();
    h.step();
    h.get_by_label("Import…");
    assert!(h.query_all_by_label("done").count() == 4);
}

#[test]
fn import_dialog_imports_a_folder_and_processes_it() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..3 {
        std::fs::write(dir.join(format!("{i}.jpg")), plain_jpeg(200 + i, 150)).unwrap();
    }
    let home = t.open_home();
    let mut h = harness(home, fake_config(0, false));
    h.step();
    h.get_by_label_contains("还没有案卷");
    h.get_by_label("导入…").click();
    // A window measures itself invisibly on its first frame.
    h.run_steps(4);
    h.get_by_label("导入扫描件");
    let field = h.get_by_label("路径");
    field.focus();
    field.type_text(&dir.display().to_string());
    h.step();
    h.get_by_label("导入").click();
    step_until(&mut h, "three pages done", |h| {
        h.query_all_by_label("已完成").count() == 3
    });
    assert!(
        h.query_by_label_contains("scans").is_some(),
        "volume named after its folder"
    );
    let vols = t.catalogue().list_volumes().unwrap();
    assert_eq!((vols.len(), vols[0].pages, vols[0].done), (1, 3, 3));
}

#[test]
fn clerk_turns_a_page_marks_it_blank_and_undoes_it() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.jpg"), plain_jpeg(300, 400)).unwrap();
    std::fs::write(dir.join("2.jpg"), plain_jpeg(301, 400)).unwrap();
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let home = t.open_home();
    let mut h = harness(home, fake_config(0, false));
    step_until(&mut h, "pages processed", |h| {
        h.query_all_by_label("已完成").count() == 2
    });
    h.get_by_label("第1页").click();
    step_until(&mut h, "viewer", |h| h.query_by_label("向右转").is_some());
    // The tool bar settles once the page's image is in (its first frames measure).
    h.run_steps(4);
    let page = |t: &TestHome| t.catalogue().pages(&vid).unwrap().remove(0);

    h.get_by_label("向右转").click();
    step_until(&mut h, "turned page processed", |_| {
        page(&t).rotation == Some(90) && page(&t).state == anjuan::model::PageState::Done
    });
    assert_eq!(page(&t).overrides.rotation, Some(90));
    step_until(&mut h, "clerk's tag", |h| {
        h.query_by_label("人工调整").is_some()
    });

    // Turned back to the machine's choice, the page is the machine's again.
    h.get_by_label("向左转").click();
    step_until(&mut h, "turned back and processed", |_| {
        let p = page(&t);
        p.rotation == Some(0) && p.state == anjuan::model::PageState::Done
    });
    assert!(!page(&t).overrides.any(), "{:?}", page(&t).overrides);
    step_until(&mut h, "no clerk's tag", |h| {
        h.query_by_label("人工调整").is_none()
    });
    h.get_by_label("向右转").click();
    step_until(&mut h, "turned again", |_| {
        page(&t).rotation == Some(90) && page(&t).state == anjuan::model::PageState::Done
    });

    // Straighten by hand: half a degree clockwise, made from the master again.
    h.get_by_label("纠偏 +0.5°").click();
    step_until(&mut h, "straightened page processed", |_| {
        let p = page(&t);
        p.state == anjuan::model::PageState::Done
            && p.imaging.as_ref().is_some_and(|r| r.skew_applied == 0.5)
    });
    assert_eq!(page(&t).overrides.skew_deg, Some(0.5));
    assert_eq!(page(&t).rotation, Some(90), "the turn is kept");

    h.get_by_label("标为空白页").click();
    step_until(&mut h, "blank page processed", |_| {
        page(&t).blank == Some(true) && page(&t).state == anjuan::model::PageState::Done
    });
    step_until(&mut h, "blank tag and unmark button", |h| {
        h.query_by_label("取消空白页").is_some()
    });
    assert_eq!(page(&t).rotation, Some(90), "the turn is kept");

    h.get_by_label("恢复自动").click();
    step_until(&mut h, "automatic again", |_| {
        let p = page(&t);
        p.overrides == Default::default()
            && p.state == anjuan::model::PageState::Done
            && p.rotation == Some(0)
    });
    assert_eq!(page(&t).blank, Some(false));
}

/// A file dropped on the window, as the windowing layer hands it to egui.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_folder_dropped_on_the_window_is_imported_and_processed() {
    let t = TestHome::new();
    let dir = t.path("dropped");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..2 {
        std::fs::write(dir.join(format!("{i}.jpg")), plain_jpeg(220 + i, 160)).unwrap();
    }
    let home = t.open_home();
    let mut h = harness(home, fake_config(0, false));
    h.step();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(dir)));
    step_until(&mut h, "dropped pages done", |h| {
        h.query_all_by_label("已完成").count() == 2
    });
    assert!(
        h.query_by_label_contains("dropped").is_some(),
        "volume named after the folder"
    );
}

/// Drags with the mouse from one point to another in small steps, as a hand does.
fn drag(h: &mut Harness<'static, Option<WorkstationApp>>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=10 {
        h.hover_at(from + (to - from) * (k as f32 / 10.0));
        h.step();
    }
    h.drop_at(to);
}

/// A volume of three pages, each read by the fake engine as a titled decision.
fn indexed_volume(t: &TestHome) -> (String, AppConfig) {
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, w) in [300, 301, 302].into_iter().enumerate() {
        std::fs::write(dir.join(format!("{}.jpg", i + 1)), plain_jpeg(w, 400)).unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let mut config = fake_config(0, false);
    config.engine = EngineChoice::Fake(FakeFactory {
        text: Some("行政处罚决定书\n当事人：某某食品有限公司\n2023年4月20日".into()),
        ..Default::default()
    });
    (out.trim().to_string(), config)
}

#[test]
fn clerk_confirms_a_field_by_keyboard_in_the_indexing_screen() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    h.get_by_label("著录").click();
    step_until(&mut h, "form", |h| h.query_by_label("当事人").is_some());
    assert_eq!(
        h.get_by_label("当事人").value().as_deref(),
        Some("某某食品有限公司")
    );
    // The review's statutory findings are listed with indexing's own.
    assert!(h.query_by_label_contains("卷内缺少立案审批表").is_some());

    step_until(&mut h, "the page", |h| {
        h.query_by_label("页面图像").is_some()
    });
    h.run_steps(3);
    let page_before = h.get_by_label("页面图像").rect();
    // Focus the party's field, replace its value from the keyboard, Enter.
    h.get_by_label("当事人").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("当事人").type_text("某某食品有限责任公司");
    h.run();
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "correction stored", |_| {
        t.catalogue()
            .corrections(&vid)
            .unwrap()
            .iter()
            .any(|c| c.target == "field:party" && c.value == "某某食品有限责任公司")
    });
    let index = t.catalogue().volume_index(&vid).unwrap().unwrap();
    assert!(index.fields["party"].corrected);
    // The keyboard flow moved on to the next value.
    step_until(&mut h, "focus on the next field", |h| {
        h.get_by_label("统一社会信用代码/身份证号").is_focused()
    });
    step_until(&mut h, "confirmed tag", |h| {
        h.query_by_label("已确认").is_some()
    });
    h.run_steps(3);
    assert_eq!(
        h.get_by_label("页面图像").rect(),
        page_before,
        "confirming a value moved the page"
    );
    // F2 jumps to a doubtful (empty) value.
    h.key_press(egui::Key::F2);
    h.run();
    assert!(!h.get_by_label("当事人").is_focused());
}

#[test]
fn clerk_merges_and_splits_documents_in_the_indexing_screen() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    let docs = |t: &TestHome| {
        t.catalogue()
            .volume_index(&vid)
            .unwrap()
            .unwrap()
            .documents
            .len()
    };
    assert_eq!(docs(&t), 3);
    h.get_by_label("著录").click();
    step_until(&mut h, "the documents tab", |h| {
        h.query_by_label("卷内文件").is_some()
    });
    h.get_by_label("卷内文件").click();
    step_until(&mut h, "documents", |h| {
        h.query_by_label_contains("p.2-2").is_some()
    });
    h.get_by_label_contains("p.2-2").click();
    // Document 2 is selected when its page shows under it.
    step_until(&mut h, "document 2 selected", |h| {
        h.query_by_label("p.2 (2)").is_some()
    });
    h.get_by_label("与上一件合并").click();
    step_until(&mut h, "merged", |_| docs(&t) == 2);
    // Page 2 now sits inside document 1: split there again.
    step_until(&mut h, "page chip", |h| {
        h.query_by_label("p.2 (2)").is_some()
    });
    h.get_by_label("p.2 (2)").click();
    h.run();
    h.get_by_label("从此页拆分").click();
    step_until(&mut h, "split", |_| docs(&t) == 3);
    let corrections = t.catalogue().corrections(&vid).unwrap();
    assert!(
        corrections
            .iter()
            .any(|c| c.target == "start:2" && c.value == "true")
    );

    // The same by dragging boundaries in the page strip: 【3 onto 【2 merges
    // the third document into the second; 【2 onto page 3 moves its start there.
    let firsts = |t: &TestHome| -> Vec<u32> {
        let index = t.catalogue().volume_index(&vid).unwrap().unwrap();
        index.documents.iter().map(|d| d.first_page).collect()
    };
    step_until(&mut h, "boundary marks", |h| {
        h.query_by_label("【3").is_some()
    });
    let centre = |h: &Harness<'static, Option<WorkstationApp>>, label: &str| {
        h.get_by_label(label).rect().center()
    };
    let (from, to) = (centre(&h, "【3"), centre(&h, "【2"));
    drag(&mut h, from, to);
    step_until(&mut h, "merged by dragging", |_| firsts(&t) == [1, 2]);
    step_until(&mut h, "strip redrawn", |h| {
        h.query_by_label("【3").is_none()
    });
    let (from, to) = (centre(&h, "【2"), centre(&h, "3"));
    drag(&mut h, from, to);
    step_until(&mut h, "boundary moved by dragging", |_| {
        firsts(&t) == [1, 3]
    });
}

#[test]
fn the_package_screen_packs_a_batch_and_shows_the_report() {
    let t = TestHome::new();
    approved_volumes(&t);
    let mut h = harness(t.open_home(), fake_config(0, false));
    h.run();
    h.get_by_label("打包").click();
    step_until(&mut h, "pack button", |h| {
        h.query_by_label("打包所选案卷").is_some()
    });
    h.get_by_label("打包所选案卷").click();
    step_until(&mut h, "both packed", |_| {
        t.catalogue().packages().unwrap().len() == 2
    });
    step_until(&mut h, "report shown", |h| {
        h.query_by_label_contains("SHA-256 校验").is_some()
    });
    assert!(h.query_all_by_label("通过").count() >= 2);
    let outbox = t.home().join("outbox");
    let zips: Vec<_> = std::fs::read_dir(&outbox).unwrap().flatten().collect();
    assert_eq!(zips.len(), 2, "{zips:?}");
    // The outbox lists both with their checksums; a second batch keeps them.
    step_until(&mut h, "outbox rows", |h| {
        h.query_all_by_label_contains("SHA-256 ").count() >= 2
    });
    h.get_all_by_label("重新检测").next().unwrap().click();
    step_until(&mut h, "re-checked", |h| {
        h.query_all_by_label("已有有效包，未重打").count() >= 1
    });
    // The handover register of the outbox, made in the background.
    h.get_by_label("生成移交登记表").click();
    let registers = outbox.join("移交登记");
    step_until(&mut h, "register written", |_| {
        std::fs::read_dir(&registers).is_ok_and(|d| {
            d.flatten()
                .filter(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x == "pdf" || x == "xlsx")
                })
                .count()
                == 2
        })
    });
}

/// The 四性检测 report keeps the room at office screen sizes.
#[test]
fn the_package_report_gets_the_room_at_office_screen_sizes() {
    for size in [[1366.0, 768.0], [1920.0, 1080.0]] {
        // A fresh home each time: packed volumes are not ticked again.
        let t = TestHome::new();
        approved_volumes(&t);
        let mut h = harness_sized(t.open_home(), fake_config(0, false), size);
        h.run();
        h.get_by_label("打包").click();
        step_until(&mut h, "pack button", |h| {
            h.query_by_label("打包所选案卷").is_some()
        });
        h.run_steps(3);
        h.get_by_label("打包所选案卷").click();
        step_until(&mut h, "report shown", |h| {
            h.query_by_label("检测报告区").is_some()
        });
        h.run_steps(3);
        let report = h.get_by_label("检测报告区").rect();
        assert!(
            report.width() >= size[0] * 0.4 && report.height() >= size[1] * 0.4,
            "at {size:?} the report is {report:?}"
        );
    }
}

/// Two volumes of one page each, processed, catalogued with a 全宗号 and
/// approved: ready to pack.
fn approved_volumes(t: &TestHome) {
    std::fs::create_dir_all(t.home()).unwrap();
    std::fs::write(
        t.home().join("bureau.json"),
        r#"{"fonds_code": "J902", "category_code": "XZCF", "retention": "D10",
            "archival_code_template": "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}"}"#,
    )
    .unwrap();
    let mut volumes = Vec::new();
    for w in [300, 310] {
        let dir = t.path(&format!("scans{w}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("1.jpg"), plain_jpeg(w, 400)).unwrap();
        let (code, out, err) = run(t.cli().arg("import").arg(&dir));
        assert_eq!(code, 0, "{err}");
        volumes.push(out.trim().to_string());
    }
    let (code, _, err) = run(t.cli().args(["process", "--engine", "fake"]).env(
        "ANJUAN_FAKE_OCR",
        "text=行政处罚决定书\n当事人：某某食品有限公司\n2023年4月20日",
    ));
    assert_eq!(code, 0, "{err}");
    // The review gate: only approved volumes are packed.
    for v in &volumes {
        let (code, _, err) =
            run(t
                .cli()
                .args(["review", "--volume", v, "--approve", "--note", "测试批准"]));
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn clerk_picks_pages_turns_blanks_deletes_restores_inserts_and_rescans_in_place() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, w) in [300, 301, 302].iter().enumerate() {
        std::fs::write(dir.join(format!("{}.jpg", i + 1)), plain_jpeg(*w, 400)).unwrap();
    }
    let (code, out, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let vid = out.trim().to_string();
    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "pages processed", |h| {
        h.query_all_by_label("已完成").count() == 3
    });
    let pages = |t: &TestHome| t.catalogue().pages(&vid).unwrap();
    let done = |t: &TestHome| {
        pages(t)
            .iter()
            .all(|p| p.state == anjuan::model::PageState::Done)
    };

    // Ctrl-click two pages, turn them both right and mark them blank.
    h.get_by_label("第1页")
        .click_modifiers(egui::Modifiers::COMMAND);
    h.get_by_label("第3页")
        .click_modifiers(egui::Modifiers::COMMAND);
    h.step();
    h.get_by_label("已选 2 页");
    h.get_by_label("向右转").click();
    step_until(&mut h, "both turned", |_| {
        let p = pages(&t);
        done(&t) && p[0].rotation == Some(90) && p[2].rotation == Some(90)
    });
    assert_eq!(pages(&t)[1].overrides.rotation, None, "page 2 untouched");
    h.get_by_label("标为空白页").click();
    step_until(&mut h, "both blank", |_| {
        let p = pages(&t);
        done(&t) && p[0].blank == Some(true) && p[2].blank == Some(true)
    });
    // `]` straightens both half a degree further; 不纠偏 turns it off for both.
    h.key_press(egui::Key::CloseBracket);
    step_until(&mut h, "both straightened by hand", |_| {
        let p = pages(&t);
        done(&t) && p[0].overrides.skew_deg == Some(0.5) && p[2].overrides.skew_deg == Some(0.5)
    });
    h.get_by_label("不纠偏").click();
    step_until(&mut h, "straightening off", |_| {
        let p = pages(&t);
        done(&t) && p[0].overrides.skew_deg == Some(0.0) && p[2].overrides.skew_deg == Some(0.0)
    });
    assert_eq!(pages(&t)[1].overrides.skew_deg, None, "page 2 untouched");
    // Before/after on the grid: the thumbnails show the scans as they came.
    h.get_by_label("原图").click();
    h.step();
    let ticked = |h: &Harness<'static, Option<WorkstationApp>>| {
        use egui_kittest::kittest::NodeT as _;
        let node = h.get_by_label("原图");
        node.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
    };
    assert!(ticked(&h));
    h.key_press(egui::Key::O);
    h.step();
    assert!(!ticked(&h));

    // Delete page 1 (Ctrl-click takes page 3 out of the choice); the rest close
    // up; the trash gives it back in its place.
    h.get_by_label("第3页")
        .click_modifiers(egui::Modifiers::COMMAND);
    h.step();
    h.get_by_label("已选 1 页");
    let removed = pages(&t)[0].clone();
    h.get_by_label("删除").click();
    step_until(&mut h, "page removed", |_| pages(&t).len() == 2);
    assert_eq!(pages(&t)[0].source_name, "2.jpg");
    // The trash keeps the page as it was (its picture is shown there).
    let trashed = t.catalogue().trashed_pages(&vid).unwrap();
    let kept = t.catalogue().trashed_page_row(trashed[0].trash_id).unwrap();
    assert_eq!(
        (
            &kept.source_name,
            &kept.image_key,
            kept.rotation,
            kept.blank
        ),
        (
            &removed.source_name,
            &removed.image_key,
            removed.rotation,
            removed.blank
        )
    );
    step_until(&mut h, "trash count", |h| {
        h.query_by_label("回收站 (1)").is_some()
    });
    h.get_by_label("回收站 (1)").click();
    step_until(&mut h, "trash", |h| h.query_by_label("原第 1 页").is_some());
    h.get_by_label("恢复").click();
    step_until(&mut h, "page back", |_| pages(&t).len() == 3);
    assert_eq!(pages(&t)[0].source_name, "1.jpg");
    assert_eq!(
        pages(&t)[0].overrides.blank,
        Some(true),
        "with its decisions"
    );
    step_until(&mut h, "trash empty", |h| {
        h.query_by_label("回收站 (0)").is_some()
    });
    h.get_by_label("回收站 (0)").click();
    step_until(&mut h, "the trash window closed", |h| {
        h.query_by_label("回收站是空的").is_none()
    });

    // Insert a file before page 2.
    let extra = t.path("extra.png");
    std::fs::write(&extra, png(222, 300)).unwrap();
    step_until(&mut h, "page 2 shown", |h| {
        h.query_by_label("第2页").is_some()
    });
    h.get_by_label("第2页")
        .click_modifiers(egui::Modifiers::COMMAND);
    h.step();
    h.get_by_label("插入文件…").click();
    step_until(&mut h, "file dialog", |h| {
        h.query_by_label("插入到第 2 页之前").is_some()
    });
    // A window measures itself invisibly on its first frame.
    h.run_steps(4);
    let field = h.get_by_label("路径");
    field.focus();
    field.type_text(&extra.display().to_string());
    h.step();
    h.get_by_label("放入").click();
    step_until(&mut h, "inserted and processed", |_| {
        pages(&t).len() == 4 && done(&t)
    });
    let names: Vec<String> = pages(&t).iter().map(|p| p.source_name.clone()).collect();
    assert_eq!(names, ["1.jpg", "extra.png", "2.jpg", "3.jpg"]);

    // Rescan page 3 (2.jpg, still chosen) in place from the scanner.
    h.step();
    h.get_by_label("已选 1 页");
    h.get_by_label("重扫此页…").click();
    step_until(&mut h, "scanner found", |h| {
        h.query_by_label("开始扫描").is_some() && h.query_by_label("正在查找扫描仪…").is_none()
    });
    assert!(h.query_by_label("未找到扫描仪").is_none());
    h.run_steps(4);
    h.get_by_label("替换第 3 页");
    h.get_by_label("开始扫描").click();
    step_until(&mut h, "rescanned and processed", |_| {
        let p = pages(&t);
        p.len() == 4 && p[2].source_name.starts_with("scan-") && done(&t)
    });
    let names: Vec<String> = pages(&t).iter().map(|p| p.source_name.clone()).collect();
    assert_eq!(names[3], "3.jpg");
    assert!(
        t.catalogue()
            .trashed_pages(&vid)
            .unwrap()
            .iter()
            .any(|p| p.seq == 3),
        "the replaced sheet is kept in the trash"
    );

    // Drag page 4 onto page 1: it goes before it.
    h.step();
    let thumb_of = |h: &Harness<'static, Option<WorkstationApp>>, label: &str| {
        // The thumbnail sits right above its caption.
        let caption = h.get_by_label(label).rect();
        egui::pos2(caption.left() + 60.0, caption.top() - 100.0)
    };
    let (from, to) = (thumb_of(&h, "第4页"), thumb_of(&h, "第1页"));
    drag(&mut h, from, to);
    step_until(&mut h, "moved by dragging", |_| {
        pages(&t)[0].source_name == "3.jpg"
    });
    let names: Vec<String> = pages(&t).iter().map(|p| p.source_name.clone()).collect();
    assert_eq!(&names[1..3], ["1.jpg", "extra.png"]);
}

#[test]
fn clerk_sets_the_fonds_code_in_settings_and_volumes_get_their_archival_code() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let code = |t: &TestHome| t.catalogue().volume_json(&vid).unwrap().archival_code;
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    // No 全宗号 yet: no 档号.
    assert_eq!(code(&t), None);
    h.get_by_label("设置").click();
    step_until(&mut h, "settings form", |h| {
        h.query_by_label("全宗号").is_some()
    });
    assert!(h.query_by_label_contains("未填全宗号").is_some());

    // A 全宗号 with a dash would make the code unreadable: refused while typing.
    h.get_by_label("全宗号").focus();
    h.get_by_label("全宗号").type_text("J-37");
    h.run();
    assert!(h.query_by_label_contains("只能由字母和数字组成").is_some());
    assert!(h.get_by_label("保存设置").accesskit_node().is_disabled());

    h.get_by_label("全宗号").focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("全宗号").type_text("J037");
    h.run();
    // The example shows the code a volume of this year would get.
    step_until(&mut h, "example code", |h| {
        h.query_by_label_contains("J037-XZCF·").is_some()
    });
    h.get_by_label("保存设置").click();
    step_until(&mut h, "volume re-indexed with its 档号", |_| {
        code(&t).as_deref() == Some("J037-XZCF·2023-D30-0001")
    });
    let saved = anjuan::indexing::BureauSettings::load(&t.home().join("bureau.json")).unwrap();
    assert_eq!(saved.fonds_code.as_deref(), Some("J037"));
    assert!(h.query_by_label_contains("设置已保存").is_some());
}

#[test]
fn reviewer_opens_a_finding_marks_a_defect_and_approves_in_the_review_screen() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    h.get_by_label("质检").click();
    step_until(&mut h, "findings", |h| {
        h.query_by_label_contains("卷内缺少立案审批表").is_some()
    });
    assert!(h.query_by_label("尚未质检").is_some());

    // A finding on a page opens that page with its text beside it.
    let review =
        anjuan::review::review_volume(&t.catalogue(), &vid, anjuan::review::ReviewRules::builtin())
            .unwrap();
    // One alone of its code (findings of one code are folded into one line).
    let alone = |f: &&anjuan::model::Finding| {
        review.findings.iter().filter(|g| g.code == f.code).count() == 1
    };
    let on_page = review
        .findings
        .iter()
        .filter(alone)
        .find(|f| f.page.is_some())
        .unwrap();
    h.run();
    h.get_by_label(&on_page.message).click();
    let page_label = format!("第{}页", on_page.page.unwrap());
    step_until(&mut h, "its page with its text", |h| {
        h.query_by_label("识别文字").is_some() && h.query_by_label(&page_label).is_some()
    });

    // Mark a defect on the open page: approval waits until it is mended.
    h.get_by_label("缺陷").focus();
    h.get_by_label("缺陷").type_text("印章不清");
    h.run();
    h.get_by_label("标记当前页").click();
    step_until(&mut h, "mark stored", |_| {
        t.catalogue().review_marks(&vid).unwrap().len() == 1
    });
    let mark = &t.catalogue().review_marks(&vid).unwrap()[0];
    assert_eq!((mark.page, mark.note.as_str()), (on_page.page, "印章不清"));
    step_until(&mut h, "mark listed", |h| {
        h.query_by_label_contains("质检标记 #").is_some()
    });
    assert!(h.get_by_label("批准").accesskit_node().is_disabled());
    h.get_by_label("已处理").click();
    step_until(&mut h, "approve enabled", |h| {
        !h.get_by_label("批准").accesskit_node().is_disabled()
    });
    // Errors are still open (the case lacks its required documents): approving
    // anyway asks for a reason, which is recorded.
    h.get_by_label("批准").click();
    step_until(&mut h, "reason asked", |h| {
        h.query_by_label("仍然批准").is_some()
    });
    assert!(h.get_by_label("仍然批准").accesskit_node().is_disabled());
    h.get_by_label("批准理由").focus();
    h.get_by_label("批准理由").type_text("抽检合格，缺件另补");
    h.run();
    h.get_by_label("仍然批准").click();
    step_until(&mut h, "approved", |_| {
        t.catalogue()
            .review_decision(&vid)
            .unwrap()
            .is_some_and(|d| d.decision == anjuan::model::Verdict::Approved)
    });
    let decision = t.catalogue().review_decision(&vid).unwrap().unwrap();
    assert!(
        decision.reason.starts_with("抽检合格，缺件另补 ["),
        "the errors approved over are recorded: {}",
        decision.reason
    );
    step_until(&mut h, "status shown", |h| {
        h.query_by_label_contains("已批准").is_some()
    });
}

#[test]
fn the_workstation_asks_who_is_working_and_records_them_as_the_actor() {
    let t = TestHome::new();
    let (vid, mut config) = indexed_volume(&t);
    config.ask_operator = true;
    let mut h = harness(t.open_home(), config.clone());
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    step_until(&mut h, "asked who works", |h| {
        h.query_by_label("谁在工作？").is_some()
    });
    // A new name, typed: the list keeps it.
    // The field holds the OS account to begin with: erase it.
    let offered = h
        .get_by_label("姓名")
        .accesskit_node()
        .value()
        .unwrap_or_default();
    h.get_by_label("姓名").focus();
    h.run();
    h.key_press(egui::Key::End);
    for _ in 0..offered.chars().count() {
        h.key_press(egui::Key::Backspace);
    }
    h.run();
    h.get_by_label("姓名").type_text("王五");
    h.run();
    h.get_by_label("开始工作").click();
    step_until(&mut h, "chooser closed", |h| {
        h.query_by_label("谁在工作？").is_none()
    });
    assert!(h.query_by_label("操作员：王五").is_some());

    // What they do is theirs.
    h.get_by_label("质检").click();
    h.run();
    h.get_by_label("缺陷").focus();
    h.get_by_label("缺陷").type_text("卷皮破损");
    h.run();
    h.get_by_label("标记整卷").click();
    step_until(&mut h, "mark stored", |_| {
        t.catalogue().review_marks(&vid).unwrap().len() == 1
    });
    assert_eq!(t.catalogue().review_marks(&vid).unwrap()[0].by, "王五");

    // The next start offers the last operator.
    drop(h);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "asked again", |h| {
        h.query_by_label("谁在工作？").is_some()
    });
    assert_eq!(
        h.get_by_label("姓名").accesskit_node().value().as_deref(),
        Some("王五")
    );
    assert!(h.query_by_label("王五").is_some(), "offered in the list");
}

#[test]
fn volumes_are_listed_by_code_and_party_filtered_by_a_few_characters_and_stepped_by_keyboard() {
    let t = TestHome::new();
    let ids = two_parties(&t);
    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "rows with code and party", |h| {
        h.query_by_label_contains("J903-XZCF·2023-D30-0001 · 甲建材有限公司")
            .is_some()
            && h.query_by_label_contains("· 乙餐饮店").is_some()
    });
    assert!(
        h.query_all_by_label("待质检").count() == 2,
        "both wait for review"
    );

    // Two characters of a party's name find its volume.
    h.get_by_label("筛选").focus();
    h.get_by_label("筛选").type_text("餐饮");
    step_until(&mut h, "filtered", |h| {
        h.query_by_label_contains("甲建材有限公司").is_none() && h.query_by_label("1 / 2").is_some()
    });
    assert!(h.query_by_label_contains("· 乙餐饮店").is_some());
    h.get_by_label("筛选").focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    step_until(&mut h, "all again", |h| h.query_by_label("2 / 2").is_some());

    // Alt+↓ steps to the next volume of the list.
    h.get_by_label_contains("甲建材有限公司").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().as_ref().unwrap().selected_volume(),
        Some(ids[0].as_str())
    );
    h.get_by_label("案卷").focus();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowDown);
    h.step();
    h.step();
    assert_eq!(
        h.state().as_ref().unwrap().selected_volume(),
        Some(ids[1].as_str())
    );
}

/// At the common office screen and at full HD: in 著录 the page is at least half
/// the window wide, and the search results are a readable column (laid-out
/// rectangles, not pixels).
#[test]
fn the_page_and_the_results_get_the_room_at_office_screen_sizes() {
    for size in [[1366.0, 768.0], [1920.0, 1080.0]] {
        let t = TestHome::new();
        let (vid, config) = indexed_volume(&t);
        let mut h = harness_sized(t.open_home(), config, size);
        step_until(&mut h, "indexed", |_| {
            t.catalogue().volume_index(&vid).unwrap().is_some()
        });
        h.get_by_label("著录").click();
        step_until(&mut h, "the page", |h| {
            h.query_by_label("页面图像").is_some()
        });
        h.run_steps(3);
        let page = h.get_by_label("页面图像").rect();
        assert!(
            page.width() >= size[0] / 2.0,
            "at {size:?} the page is {page:?} wide, less than half the window"
        );
        assert!(page.height() >= size[1] / 2.0, "at {size:?}: {page:?}");

        h.get_by_label("检索").click();
        step_until(&mut h, "results column", |h| {
            h.query_by_label("检索结果").is_some()
        });
        let results = h.get_by_label("检索结果").rect();
        assert!(
            results.width() >= 380.0,
            "at {size:?} the results are {results:?}"
        );
    }
}

/// Findings of one code are one line that opens for its members; the one
/// clicked opens its page.
#[test]
fn findings_of_one_code_are_one_line_that_opens() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    let review =
        anjuan::review::review_volume(&t.catalogue(), &vid, anjuan::review::ReviewRules::builtin())
            .unwrap();
    let mut counts = std::collections::BTreeMap::<&str, Vec<&anjuan::model::Finding>>::new();
    for f in &review.findings {
        counts.entry(f.code.as_str()).or_default().push(f);
    }
    let (code, members) = counts
        .iter()
        .find(|(_, m)| m.len() > 1 && m.iter().all(|f| f.page.is_some()))
        .expect("the sample volume has a finding on several pages");
    let zh = anjuan::ui::i18n::Lang::Zh.texts();
    let title = zh.finding_group(code, members.len(), &members[0].message);
    h.get_by_label("质检").click();
    step_until(&mut h, "grouped line", |h| {
        h.query_by_label(&title).is_some()
    });
    assert!(
        h.query_by_label(&members[1].message).is_none(),
        "members stay folded"
    );
    h.run_steps(3);
    h.get_by_label(&title).click();
    step_until(&mut h, "members shown", |h| {
        h.query_by_label(&members[1].message).is_some()
    });
    h.get_by_label(&members[1].message).click();
    let page_label = format!("第{}页", members[1].page.unwrap());
    step_until(&mut h, "its page", |h| {
        h.query_by_label(&page_label).is_some()
    });
}

#[test]
fn search_hits_come_by_volume_with_counts_filters_and_the_keyboard() {
    let t = TestHome::new();
    let ids = two_parties(&t);
    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "rows", |h| {
        h.query_by_label_contains("· 乙餐饮店").is_some()
    });
    h.get_by_label("检索").click();
    step_until(&mut h, "search field", |h| {
        h.query_by_label("检索词").is_some()
    });
    h.run_steps(3);
    h.get_by_label("检索词").focus();
    h.get_by_label("检索词").type_text("决定书");
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "hits of both volumes", |h| {
        h.query_by_label_contains("处，2 卷").is_some()
    });
    // A volume's hits under one line: its 档号 · 题名 with their count.
    let group = |h: &Harness<'static, Option<WorkstationApp>>, party: &str| {
        h.query_all_by_label_contains("（").any(|n| {
            n.accesskit_node()
                .value()
                .is_some_and(|v| v.contains(party) && v.contains("J903-XZCF·2023-D30-"))
        })
    };
    assert!(group(&h, "甲建材有限公司") && group(&h, "乙餐饮店"));

    // A few characters of the party keep its volume's hits.
    h.get_by_label("当事人").focus();
    h.get_by_label("当事人").type_text("餐饮");
    step_until(&mut h, "filtered", |h| {
        h.query_by_label_contains("处，1 卷").is_some()
    });
    assert!(!group(&h, "甲建材有限公司") && group(&h, "乙餐饮店"));

    // The kind of document a hit is in: a kind no hit has leaves none.
    h.get_by_label("类别").click();
    step_until(&mut h, "kinds offered", |h| {
        h.query_by_label("全部类别").is_some()
    });
    let kinds: Vec<String> = {
        let index = t.catalogue().volume_index(&ids[1]).unwrap().unwrap();
        index.documents.iter().map(|d| d.kind.clone()).collect()
    };
    let table = anjuan::indexing::kinds::KindTable::builtin();
    let offered: Vec<String> = kinds
        .iter()
        .map(|k| table.name(k).to_string())
        .filter(|name| {
            h.query_all_by_label(name)
                .any(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        })
        .collect();
    assert!(
        !offered.is_empty(),
        "the hits' kinds are offered: {kinds:?}"
    );
    h.key_press(egui::Key::Escape);
    h.run_steps(2);

    // ↓ opens the hit's page.
    h.get_by_label("检索结果").click();
    h.key_press(egui::Key::ArrowDown);
    step_until(&mut h, "hit opened", |h| {
        h.query_by_label("页面图像").is_some()
    });
    assert_eq!(
        h.state().as_ref().unwrap().selected_volume(),
        Some(ids[1].as_str())
    );
}

#[test]
fn the_thumbnail_size_is_the_clerks_and_kept() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1.jpg"), plain_jpeg(300, 400)).unwrap();
    let (code, _, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let home = t.open_home();
    let mut h = harness(home.clone(), fake_config(0, false));
    step_until(&mut h, "page processed", |h| {
        h.query_by_label("已完成").is_some()
    });
    h.get_by_label("缩略图大小").focus();
    for _ in 0..5 {
        h.key_press(egui::Key::ArrowRight);
    }
    h.step();
    let kept = anjuan::ui::prefs::Prefs::load(&home).thumb_height();
    assert!(kept > 200.0, "the larger size is kept: {kept}");
}

/// A long volume: the grid lays out only the rows in sight (a thousand pages
/// draw as fast as ten), and leaving the viewer brings the grid to the page
/// the clerk stepped to.
#[test]
fn the_grid_of_a_long_volume_draws_the_rows_in_sight_and_returns_to_the_viewed_page() {
    let t = TestHome::new();
    let dir = t.path("scans");
    std::fs::create_dir_all(&dir).unwrap();
    const PAGES: u32 = 48;
    for i in 0..PAGES {
        std::fs::write(
            dir.join(format!("{:02}.jpg", i + 1)),
            plain_jpeg(300 + i, 400),
        )
        .unwrap();
    }
    let (code, _, err) = run(t.cli().arg("import").arg(&dir));
    assert_eq!(code, 0, "{err}");
    let mut config = fake_config(0, false);
    config.process_after_import = false;
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "the grid", |h| h.query_by_label("第1页").is_some());
    h.run_steps(3);
    assert!(
        h.query_by_label("第48页").is_none(),
        "a row out of sight is not laid out"
    );
    h.get_by_label("第1页").click();
    h.run_steps(3);
    for _ in 1..PAGES {
        h.key_press(egui::Key::ArrowRight);
    }
    h.run_steps(3);
    h.key_press(egui::Key::Escape);
    h.run_steps(5);
    assert!(
        h.query_by_label("第48页").is_some(),
        "the grid shows the page the viewer was at"
    );
    assert!(h.query_by_label("第1页").is_none(), "scrolled down to it");
}

/// The finding chosen on 质检 has its evidence boxed on its page: the box lies
/// on the page image, and goes when another page is opened.
#[test]
fn the_chosen_findings_evidence_is_boxed_on_its_page() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    let review =
        anjuan::review::review_volume(&t.catalogue(), &vid, anjuan::review::ReviewRules::builtin())
            .unwrap();
    let index = t.catalogue().volume_index(&vid).unwrap().unwrap();
    // A finding on a document whose date was read from a place.
    let chosen = review
        .findings
        .iter()
        .find(|f| {
            index.documents.iter().any(|d| {
                Some(d.seq) == f.document && d.date.bbox.is_some() && d.date.page == f.page
            })
        })
        .unwrap_or_else(|| panic!("no finding with evidence in {:?}", review.findings));
    let members: Vec<_> = review
        .findings
        .iter()
        .filter(|g| g.code == chosen.code)
        .collect();
    h.get_by_label("质检").click();
    if members.len() > 1 {
        // Folded with the others of its code: open the group first.
        let zh = anjuan::ui::i18n::Lang::Zh.texts();
        let group = zh.finding_group(&chosen.code, members.len(), &members[0].message);
        step_until(&mut h, "grouped line", |h| {
            h.query_by_label(&group).is_some()
        });
        h.run_steps(3);
        h.get_by_label(&group).click();
    }
    step_until(&mut h, "findings", |h| {
        h.query_by_label(&chosen.message).is_some()
    });
    h.run_steps(3);
    assert!(h.query_by_label("证据框").is_none(), "nothing chosen yet");
    h.get_by_label(&chosen.message).click();
    step_until(&mut h, "the evidence boxed", |h| {
        h.query_by_label("证据框").is_some()
    });
    h.run_steps(3);
    let page = h.get_by_label("页面图像").rect();
    let evidence = h.get_by_label("证据框").rect();
    assert!(
        evidence.is_positive() && page.contains_rect(evidence),
        "the box {evidence:?} lies on the page {page:?}"
    );
    assert!(evidence.area() < page.area() / 2.0, "a box, not the page");
    // Another page: no box there.
    h.get_by_label("下一页").click();
    let other = format!("第{}页", chosen.page.unwrap() + 1);
    step_until(&mut h, "the next page", |h| {
        h.query_by_label(&other).is_some()
    });
    h.run_steps(3);
    assert!(h.query_by_label("证据框").is_none());
}

/// By keyboard alone: a clerk finds a volume by a few characters of its
/// party's name, opens it in 著录, and a reviewer steps to a finding and
/// approves it over its open errors with a reason.
#[test]
fn a_volume_is_found_checked_and_approved_by_keyboard_alone() {
    let t = TestHome::new();
    let ids = two_parties(&t);
    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "both listed", |h| {
        h.query_by_label("2 / 2").is_some()
    });
    h.run_steps(3);
    // Ctrl+F: the filter takes the keys; two characters of the party.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run_steps(2);
    assert!(h.get_by_label("筛选").is_focused());
    h.get_by_label("筛选").type_text("乙餐");
    step_until(&mut h, "one left", |h| h.query_by_label("1 / 2").is_some());
    // Alt+↓ opens the first volume of the list; Esc gives the keys back.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::ArrowDown);
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert_eq!(
        h.state().as_ref().unwrap().selected_volume(),
        Some(ids[1].as_str())
    );
    // Ctrl+2: 著录, its page beside the fields.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num2);
    step_until(&mut h, "著录 with its page", |h| {
        h.query_by_label("页面图像").is_some() && h.query_by_label("当事人").is_some()
    });
    // Ctrl+3: 质检; ↓ steps to the first finding and opens its page.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    step_until(&mut h, "质检", |h| h.query_by_label("尚未质检").is_some());
    h.run_steps(3);
    // (Findings of the whole volume have no page: step on to one that has.)
    for _ in 0..6 {
        h.key_press(egui::Key::ArrowDown);
        h.run_steps(3);
        if h.query_by_label("识别文字").is_some() {
            break;
        }
    }
    assert!(h.query_by_label("识别文字").is_some(), "↓ opened no page");
    // Ctrl+Enter: approve; over open errors the reason field takes the keys,
    // Enter approves.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "reason asked", |h| {
        h.query_by_label("批准理由").is_some_and(|n| n.is_focused())
    });
    h.get_by_label("批准理由").type_text("已逐项核对");
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "approved", |_| {
        t.catalogue()
            .review_decision(&ids[1])
            .unwrap()
            .is_some_and(|d| d.decision == anjuan::model::Verdict::Approved)
    });
    let decision = t.catalogue().review_decision(&ids[1]).unwrap().unwrap();
    assert!(
        decision.reason.starts_with("已逐项核对"),
        "{}",
        decision.reason
    );
    assert!(t.catalogue().review_decision(&ids[0]).unwrap().is_none());
}

/// 评查 on 质检: the sheet beside the findings, the reviewer takes points off an
/// item with a reason, and the headline follows.
#[test]
fn reviewer_scores_the_volume_on_the_sheet() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let mut h = harness(t.open_home(), config);
    step_until(&mut h, "indexed", |_| {
        t.catalogue().volume_index(&vid).unwrap().is_some()
    });
    let sheet = anjuan::review::scoring::ScoreSheet::builtin();
    let score = anjuan::ops::review::volume_score(&t.catalogue(), sheet, &vid).unwrap();
    let zh = anjuan::ui::i18n::Lang::Zh.texts();
    h.get_by_label("质检").click();
    step_until(&mut h, "score tab", |h| {
        h.query_by_label(&zh.score_line(&score, sheet)).is_some()
    });
    h.run_steps(3);
    h.get_by_label(&zh.score_line(&score, sheet)).click();
    step_until(&mut h, "the sheet", |h| {
        h.query_by_label("B1 主体资格").is_some()
    });
    h.run_steps(3);
    h.get_by_label("评查项目").click();
    h.run_steps(3);
    h.get_all_by_label("B1 主体资格").last().unwrap().click();
    h.run_steps(3);
    h.get_by_label("调整理由").focus();
    h.get_by_label("调整理由").type_text("执法证号缺失");
    h.run_steps(2);
    h.get_by_label("扣分").click();
    step_until(&mut h, "stored", |_| {
        t.catalogue().score_adjustments(&vid).unwrap().len() == 1
    });
    let a = &t.catalogue().score_adjustments(&vid).unwrap()[0];
    assert_eq!(
        (a.item.as_str(), a.points, a.reason.as_str()),
        ("B1", 1.0, "执法证号缺失")
    );
    let after = anjuan::ops::review::volume_score(&t.catalogue(), sheet, &vid).unwrap();
    assert_eq!(after.total, score.total - 1.0);
    step_until(&mut h, "headline follows", |h| {
        h.query_by_label(&zh.score_line(&after, sheet)).is_some()
    });
    // The printable sheet, from the screen.
    h.get_by_label("生成评查表").click();
    let pdf = t.home().join("评查表").join(format!("评查表-{vid}.pdf"));
    step_until(&mut h, "sheet written", |_| pdf.exists());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    // In English the sheet's items and grade are named from its `en`.
    h.get_by_label("English").click();
    step_until(&mut h, "English items", |h| {
        h.query_by_label("B1 Competent authority and officers")
            .is_some()
    });
    let en = anjuan::ui::i18n::Lang::En.texts();
    assert!(
        en.score_line(&after, sheet)
            .contains(sheet.english(&after.grade).unwrap())
    );
    assert!(h.query_by_label(&en.score_line(&after, sheet)).is_some());
}

/// 统计: the figures of the home, a bar's line lists its volumes, a volume
/// opens in 著录.
#[test]
fn the_statistics_screen_counts_the_home_and_lists_a_bars_volumes() {
    let t = TestHome::new();
    let ids = two_parties(&t);
    for (v, agency) in ids.iter().zip(["甲市市场监督管理局", "乙市应急管理局"]) {
        let (code, _, err) = run(t.cli().args([
            "correct",
            "--volume",
            v,
            &format!("agency={agency}"),
            "fine_amount=3000",
        ]));
        assert_eq!(code, 0, "{err}");
    }
    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "both listed", |h| {
        h.query_by_label("2 / 2").is_some()
    });
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num5);
    step_until(&mut h, "figures", |h| {
        h.query_by_label("乙市应急管理局 · 1").is_some()
    });
    assert!(
        h.query_all_by_label("6000 元").count() >= 1,
        "the fines summed"
    );
    h.run_steps(3);
    h.get_by_label("乙市应急管理局 · 1").click();
    // Named in the volume list and now in the bar's list too.
    step_until(&mut h, "its volumes", |h| {
        h.query_all_by_label_contains("· 乙餐饮店").count() >= 2
    });
    h.run_steps(3);
    // The list on the right is the last of the labels naming it.
    h.get_all_by_label_contains("· 乙餐饮店")
        .last()
        .unwrap()
        .click();
    step_until(&mut h, "著录 of that volume", |h| {
        h.state().as_ref().unwrap().selected_volume() == Some(ids[1].as_str())
            && h.query_by_label("页面图像").is_some()
    });
}

#[test]
fn a_second_clerk_keys_blind_and_a_third_settles_in_the_indexing_screen() {
    let t = TestHome::new();
    let (vid, config) = indexed_volume(&t);
    let open_double_entry = |who: &str| {
        let mut h = harness(t.open_home().with_operator(who), config.clone());
        step_until(&mut h, "indexed", |_| {
            t.catalogue().volume_index(&vid).unwrap().is_some()
        });
        h.get_by_label("著录").click();
        step_until(&mut h, "tabs", |h| h.query_by_label("双录").is_some());
        h.run_steps(3);
        h.get_by_label("双录").click();
        step_until(&mut h, "the blind form", |h| {
            h.query_by_label("提交双录").is_some()
        });
        h.run_steps(3);
        h
    };

    // 乙 keys from the page; the machine's values are not shown.
    let mut h = open_double_entry("乙");
    assert_eq!(h.get_by_label("当事人").value().as_deref(), Some(""));
    assert_eq!(h.query_all_by_label("待双录").count(), 7);
    h.get_by_label("当事人").focus();
    h.get_by_label("当事人").type_text("某某食品有限公司");
    h.get_by_label("罚款金额（元）").focus();
    h.get_by_label("罚款金额（元）").type_text("500");
    h.run();
    h.get_by_label("提交双录").click();
    step_until(&mut h, "keyed", |_| {
        t.catalogue().second_entries(&vid).unwrap().len() == 2
    });
    step_until(&mut h, "told agree and differ", |h| {
        h.query_by_label("一致").is_some() && h.query_by_label("不一致").is_some()
    });
    // A keyer is not shown the other value, nor asked to settle.
    assert!(h.query_by_label("取第一录").is_none());
    assert!(
        h.query_by_label("不一致项须由两位录入人以外的第三人裁定。")
            .is_some()
    );
    drop(h);

    // 丙 sees both values and takes the second.
    let mut h = open_double_entry("丙");
    step_until(&mut h, "the disagreement", |h| {
        h.query_by_label("第二录：500（乙）").is_some()
    });
    h.get_by_label("取第二录").click();
    step_until(&mut h, "settled", |_| {
        t.catalogue()
            .corrections(&vid)
            .unwrap()
            .iter()
            .any(|c| c.target == "field:fine_amount" && c.value == "500" && c.actor == "丙")
    });
    step_until(&mut h, "shown settled", |h| {
        h.query_by_label("已裁定").is_some() && h.query_by_label("取第二录").is_none()
    });
}

/// 上传 on 打包: the outbox's passed packages go to the platform (Garage,
/// reached through bureau.json's `upload` and a credentials file), and each
/// row shows its receipt.
#[test]
fn the_package_screen_uploads_the_outbox_and_shows_each_receipt() {
    let t = TestHome::new();
    let garage = crate::servers::Garage::start();
    approved_volumes(&t);
    let outbox = t.home().join("outbox");
    let (code, _, err) = run(t.cli().args(["package", "--all", "--out"]).arg(&outbox));
    assert_eq!(code, 0, "{err}");
    let credentials = t.path("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            garage.access_key, garage.secret_key
        ),
    )
    .unwrap();
    let bureau = t.home().join("bureau.json");
    let mut settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bureau).unwrap()).unwrap();
    settings["upload"] = serde_json::json!({
        "target": format!("s3://{}/room-1", garage.bucket),
        "endpoint": garage.endpoint(),
        "region": "garage",
        "credentials_file": credentials,
    });
    std::fs::write(&bureau, serde_json::to_vec(&settings).unwrap()).unwrap();

    let mut h = harness(t.open_home(), fake_config(0, false));
    step_until(&mut h, "listed", |h| h.query_by_label("2 / 2").is_some());
    h.get_by_label("打包").click();
    step_until(&mut h, "the upload button", |h| {
        h.query_by_label("上传")
            .is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    h.run_steps(3);
    h.get_by_label("上传").click();
    step_until(&mut h, "both uploaded", |_| {
        t.catalogue().receipts().unwrap().len() == 2
    });
    step_until(&mut h, "receipts shown", |h| {
        h.query_all_by_label_contains("已上传").count() >= 2
    });
    let keys: Vec<String> = t
        .catalogue()
        .receipts()
        .unwrap()
        .iter()
        .map(|r| r.place.key.clone())
        .collect();
    assert!(keys.iter().all(|k| k.starts_with("room-1/")), "{keys:?}");
}

/// A room: two seats on one PostgreSQL catalogue. 甲 claims 著录 in the
/// workstation; 乙's workstation shows who holds it. Once 甲 has released it,
/// 乙 corrects on what 乙 read while 甲 changed the volume from the command
/// line meanwhile: 乙's correction is refused, saying who changed what, and
/// the screen reads the volume again.
#[test]
fn seats_of_a_room_see_each_others_claims_and_a_stale_correction_is_refused() {
    let t = TestHome {
        dir: tempfile::tempdir().unwrap(),
        shared_catalogue: Some(fresh_postgres()),
    };
    let (vid, config) = indexed_volume(&t);
    let open_index = |who: &str| {
        // Tall enough for 质检's findings and its decision at once.
        let mut h = harness_sized(
            t.open_home().with_operator(who),
            config.clone(),
            [1400.0, 1600.0],
        );
        step_until(&mut h, "indexed", |_| {
            t.catalogue().volume_index(&vid).unwrap().is_some()
        });
        h.get_by_label("著录").click();
        step_until(&mut h, "form", |h| h.query_by_label("当事人").is_some());
        h.run_steps(3);
        h
    };
    let mut first = open_index("甲");
    first.get_by_label("认领").click();
    step_until(&mut first, "claimed", |h| {
        h.query_by_label_contains("由您认领").is_some()
    });
    assert_eq!(t.catalogue().claims(Some(&vid)).unwrap()[0].holder, "甲");

    let mut second = open_index("乙");
    assert!(second.query_by_label("已认领： 甲").is_some());
    assert!(second.query_by_label("认领").is_none(), "not 乙's to claim");
    // 甲 takes 质检 too (from the command line): 乙's seat sees it and cannot
    // approve or return meanwhile.
    let (code, _, err) = run(t
        .cli()
        .env("ANJUAN_OPERATOR", "甲")
        .args(["claim", "--volume", &vid, "--stage", "review"]));
    assert_eq!(code, 0, "{err}");
    second.get_by_label("质检").click();
    step_until(&mut second, "质检 seen held", |h| {
        h.query_by_label("批准")
            .is_some_and(|b| b.accesskit_node().is_disabled())
    });
    let (code, _, err) = run(t.cli().env("ANJUAN_OPERATOR", "甲").args([
        "claim",
        "--volume",
        &vid,
        "--stage",
        "review",
        "--release",
    ]));
    assert_eq!(code, 0, "{err}");
    step_until(&mut second, "质检 free again", |h| {
        h.query_by_label("批准")
            .is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    second.get_by_label("著录").click();
    second.run_steps(3);
    first.get_by_label("释放").click();
    step_until(&mut first, "released", |_| {
        t.catalogue().claims(Some(&vid)).unwrap().is_empty()
    });
    drop(first);

    // 乙 reads the volume (again), then 甲 corrects it from the command line.
    second.get_by_label("质检").click();
    second.run_steps(3);
    second.get_by_label("著录").click();
    step_until(&mut second, "form again", |h| {
        h.query_by_label("当事人").is_some()
    });
    second.run_steps(3);
    let (code, _, err) = run(t.cli().env("ANJUAN_OPERATOR", "甲").args([
        "correct",
        "--volume",
        &vid,
        "party=某某食品有限责任公司",
    ]));
    assert_eq!(code, 0, "{err}");
    second.get_by_label("当事人").focus();
    second.run();
    second.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    second.get_by_label("当事人").type_text("某某食品公司");
    second.run();
    second.key_press(egui::Key::Enter);
    step_until(&mut second, "told it changed", |h| {
        h.query_by_label_contains("changed since you read it")
            .is_some()
    });
    assert!(second.query_by_label_contains("甲 correct").is_some());
    let party = |t: &TestHome| t.catalogue().volume_json(&vid).unwrap().party;
    assert_eq!(
        party(&t).as_deref(),
        Some("某某食品有限责任公司"),
        "not overwritten"
    );
    // Read again (the screen did): the correction goes through.
    second.get_by_label("当事人").focus();
    second.run();
    second.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    second.get_by_label("当事人").type_text("某某食品公司");
    second.run();
    second.key_press(egui::Key::Enter);
    step_until(&mut second, "stored", |_| {
        party(&t).as_deref() == Some("某某食品公司")
    });
}

/// A seat of a room watches a worker elsewhere process the volume it has
/// open: the page badges change without the clerk doing anything.
#[test]
fn a_seat_of_a_room_sees_a_workers_progress_live() {
    let t = TestHome {
        dir: tempfile::tempdir().unwrap(),
        shared_catalogue: Some(fresh_postgres()),
    };
    let vid = plain_volume(&t, &[300, 301, 302]);
    // A seat that leaves processing to the room's workers.
    let config = AppConfig {
        process_after_import: false,
        ..fake_config(0, false)
    };
    let mut h = harness(t.open_home(), config);
    h.get_by_label_contains(&vid).click();
    step_until(&mut h, "three pages waiting", |h| {
        h.query_all_by_label("已导入").count() == 3
    });
    let (code, _, err) = run(t
        .cli()
        .args(["worker", "--until-idle", "--jobs", "1", "--engine", "fake"])
        .env("ANJUAN_FAKE_OCR", "text=行政处罚决定书"));
    assert_eq!(code, 0, "{err}");
    // The worker did them (its text), not this seat.
    let pages = t.catalogue().pages(&vid).unwrap();
    assert!(
        pages
            .iter()
            .all(|p| p.text.as_deref() == Some("行政处罚决定书"))
    );
    step_until(&mut h, "the worker's pages shown done", |h| {
        h.query_all_by_label("已完成").count() == 3 && h.query_by_label("已导入").is_none()
    });
}
