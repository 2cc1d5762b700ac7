//! `anjuan bench`: pages per minute of `process` beside the bare `tesseract` CLI.
//!
//! Both run on the same pages in the same run: the pipeline with N workers (one
//! single-threaded engine each), then `tesseract PAGE out -l LANG` N at a time with
//! `OMP_THREAD_LIMIT=1`. The figures print side by side with their ratio. This is a
//! measurement, not a test: nothing here asserts a speed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::capture::{self, sample};
use crate::catalogue::Catalogue;
use crate::home::Home;
use crate::jobs::CancelToken;
use crate::ocr::EngineChoice;
use crate::ops::pipeline::{self, ProcessOptions};
use crate::store::Store;

/// Files the bare CLI can read directly (Leptonica formats; PDFs are left out).
fn bench_inputs(paths: &[PathBuf], scratch: &Path) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        let dir = sample::write_volume(scratch, sample::RenderOptions::default())?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        return Ok(files);
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(
                            e.to_ascii_lowercase().as_str(),
                            "jpg" | "jpeg" | "png" | "tif" | "tiff"
                        )
                    })
                })
                .collect();
            v.sort_by(|a, b| natord::compare(&a.to_string_lossy(), &b.to_string_lossy()));
            files.extend(v);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        bail!("no page images (JPEG, PNG, TIFF) to measure");
    }
    Ok(files)
}

/// The bench's pages into a volume of a home.
fn import_pages(home: &Home, files: &[PathBuf], volume: &str) -> Result<()> {
    let mut cat = Catalogue::open(home.catalogue())?;
    let store = Store::new(home.store_dir());
    let r = capture::import(
        &mut cat,
        &store,
        files,
        Some(volume),
        home.operator(),
        CancelToken::new().flag(),
        |_| {},
    )?;
    if r.has_failures() {
        bail!("some bench pages could not be imported");
    }
    Ok(())
}

fn bare_tesseract(files: &[PathBuf], jobs: usize, lang: &str, out_dir: &Path) -> Result<f64> {
    let started = Instant::now();
    let mut queue = files.iter().enumerate();
    let mut running: Vec<std::process::Child> = Vec::new();
    loop {
        while running.len() < jobs {
            let Some((i, f)) = queue.next() else { break };
            let child = Command::new("tesseract")
                .arg(f)
                .arg(out_dir.join(format!("page{i}")))
                .args(["-l", lang])
                .env("OMP_THREAD_LIMIT", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("cannot run the tesseract CLI (install tesseract-ocr)")?;
            running.push(child);
        }
        if running.is_empty() {
            break;
        }
        let first = running.remove(0);
        let status = first.wait_with_output()?.status;
        if !status.success() {
            bail!("tesseract failed ({status})");
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Runs the benchmark and prints the figures.
pub fn run(paths: &[PathBuf], jobs: usize, lang: &str) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let files = bench_inputs(paths, scratch.path())?;
    let n = files.len();
    eprintln!("{n} pages, {jobs} worker(s), -l {lang}");

    let home = Home::open(scratch.path().join("home"))?;
    import_pages(&home, &files, "BENCH")?;
    let ppm = |secs: f64| n as f64 * 60.0 / secs;
    let mut engines = vec![EngineChoice::Tesseract {
        languages: lang.into(),
    }];
    match crate::ocr::ppocr::PpOcrFiles::locate() {
        Ok(_) => engines.insert(0, EngineChoice::PpOcr),
        Err(why) => eprintln!("PP-OCR not measured: {why}"),
    }
    let mut rows = Vec::new();
    for engine in engines {
        let name = engine.factory().describe();
        let opts = ProcessOptions {
            volume: Some("BENCH".into()),
            workers: jobs,
            engine,
            retry_failed: false,
            reindex: false,
        };
        Catalogue::open(home.catalogue())?.requeue_pages(Some("BENCH"))?;
        let started = Instant::now();
        let summary = pipeline::process(&home, &opts, &CancelToken::new(), |_| {})?;
        let secs = started.elapsed().as_secs_f64();
        if summary.done != n {
            bail!(
                "the pipeline ({name}) finished {} of {n} pages",
                summary.done
            );
        }
        rows.push((name, secs, summary.timing));
    }

    let out = scratch.path().join("bare");
    std::fs::create_dir_all(&out)?;
    let bare_secs = bare_tesseract(&files, jobs, lang, &out)?;

    for (name, secs, _) in &rows {
        println!(
            "anjuan process ({name:<16}) {:>7.1} pages/min  ({secs:.1} s)  {:.2}× bare tesseract",
            ppm(*secs),
            bare_secs / secs
        );
    }
    println!(
        "bare tesseract CLI ×{jobs} (-l {lang})   {:>7.1} pages/min  ({bare_secs:.1} s)",
        ppm(bare_secs)
    );
    let per_page = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / n as f64;
    for (name, _, t) in &rows {
        println!(
            "{name}: per page and worker: decode {:.0} ms, imaging {:.0} ms, OCR {:.0} ms — imaging {:.0} % of OCR",
            per_page(t.decode),
            per_page(t.imaging),
            per_page(t.ocr),
            100.0 * t.imaging.as_secs_f64() / t.ocr.as_secs_f64().max(1e-9)
        );
    }
    hashing();
    Ok(())
}

/// Packaging hashes every byte twice (SHA-256 and SM3): how long for a 500 MB volume.
pub fn hashing() {
    let block = vec![0x5au8; 4 << 20];
    let total = 500usize << 20;
    let started = Instant::now();
    let mut h = crate::package::hashes::DualHasher::default();
    for _ in 0..total / block.len() {
        h.update(&block);
    }
    let d = h.finish();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "hashing SHA-256 + SM3 of {} MB: {secs:.1} s ({:.0} MB/s)",
        d.bytes >> 20,
        (d.bytes >> 20) as f64 / secs
    );
}

/// Search at a city's scale: `pages` pages of realistic text (the sample case's
/// lines with other names, numbers and dates, in volumes of 100, each with its
/// 著录 of a party, a 文号 and fifteen documents) in a scratch catalogue, then
/// p50 / p95 of 1-, 2- and 4-character queries as `anjuan search` asks them
/// (fields, then page text), drawn from the text itself (so most find
/// something) and from its characters at random (so some find little).
pub fn search_scale(pages: usize, dir: &Path, on_postgres: bool) -> Result<()> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261203);
    let sample = crate::capture::sample::sample_volume();
    let lines: Vec<String> = sample
        .pages
        .iter()
        .flat_map(|p| std::iter::once(p.title.clone()).chain(p.lines.iter().cloned()))
        .collect();
    let chars: Vec<char> = lines
        .iter()
        .flat_map(|l| l.chars())
        .filter(|c| crate::text::is_cjk(*c))
        .collect();
    // A line of the sample with its own names and numbers changed: 2–3
    // characters of it replaced by characters from the whole text, digits anew.
    let page_text = |rng: &mut rand_chacha::ChaCha8Rng| -> String {
        let n = rng.random_range(12..30);
        let mut out = String::new();
        for _ in 0..n {
            let line = &lines[rng.random_range(0..lines.len())];
            let mut cs: Vec<char> = line.chars().collect();
            for _ in 0..3 {
                let i = rng.random_range(0..cs.len());
                if crate::text::is_cjk(cs[i]) {
                    cs[i] = chars[rng.random_range(0..chars.len())];
                }
            }
            for c in cs.iter_mut().filter(|c| c.is_ascii_digit()) {
                *c = char::from(b'0' + rng.random_range(0..10u8));
            }
            out.extend(cs);
            out.push('\n');
        }
        out
    };
    std::fs::create_dir_all(dir)?;
    let path = dir.join("catalogue.sqlite");
    let _ = std::fs::remove_file(&path);
    // On PostgreSQL: a private server (Debian's binaries, as the tests use).
    let server = match on_postgres {
        true => Some(crate::catalogue::scratch::ScratchPostgres::start()?),
        false => None,
    };
    let location = match &server {
        Some(pg) => crate::catalogue::Location::Postgres(pg.fresh_database()?),
        None => crate::catalogue::Location::Sqlite(path.clone()),
    };
    let mut cat = crate::catalogue::Catalogue::open(&location)?;
    let started = Instant::now();
    let mut samples: Vec<String> = Vec::new();
    for v in 0..pages.div_ceil(100) {
        let id = cat.create_volume(None, &format!("synthetic {v}"))?;
        let count = 100.min(pages - v * 100);
        let texts: Vec<String> = (0..count).map(|_| page_text(&mut rng)).collect();
        if samples.len() < 400 {
            samples.extend(texts.iter().take(1).cloned());
        }
        cat.add_text_pages(&id, &texts)?;
        // Its 著录: a party, a 文号, dates and fifteen documents, as indexing
        // stores them (so the field search has a city's volumes to read too).
        let name: String = (0..rng.random_range(4..12))
            .map(|_| chars[rng.random_range(0..chars.len())])
            .collect();
        let field = |v: String, page: u32| serde_json::json!({"value": v, "confidence": 1.0, "page": page, "bbox": null});
        let documents: Vec<serde_json::Value> = (0..15u32)
            .map(|d| {
                let title = &sample.pages[d as usize % sample.pages.len()].title;
                serde_json::json!({
                    "seq": d + 1, "kind": "other", "start_confidence": 1.0, "kind_confidence": 1.0,
                    "first_page": d * 6 + 1, "last_page": d * 6 + 6, "page_no_from": null, "page_no_to": null,
                    "title": field(title.clone(), d * 6 + 1),
                    "doc_no": field(format!("某市监罚〔{}〕{}号", 2015 + v % 10, v * 15 + d as usize), d * 6 + 1),
                    "responsible": field("某市市场监督管理局".into(), d * 6 + 1),
                    "date": field(format!("{}-0{}-1{}", 2015 + v % 10, 1 + d % 9, d % 10), d * 6 + 6),
                })
            })
            .collect();
        let index = serde_json::json!({
            "version": "synthetic", "item_count": 15, "page_count": count, "printed_contents": [],
            "findings": [], "pages": [], "documents": documents,
            "fields": {
                "party": field(format!("{name}有限公司"), 1),
                "decision_no": field(format!("某市监罚〔{}〕{}号", 2015 + v % 10, v), 60),
                "case_cause": field(lines[rng.random_range(0..lines.len())].clone(), 1),
            }
        });
        cat.store_index(&id, "synthetic", &serde_json::from_value(index)?)?;
    }
    // Statistics for the planner, as a room's database keeps them (autovacuum).
    cat.optimize()?;
    let size = match cat.database_bytes()? {
        Some(bytes) => bytes,
        None => {
            std::fs::metadata(&path)?.len()
                + std::fs::metadata(dir.join("catalogue.sqlite-wal")).map_or(0, |m| m.len())
        }
    };
    println!(
        "search on {}: {pages} pages written in {:.0} s ({:.1} GB catalogue)",
        if on_postgres { "PostgreSQL" } else { "SQLite" },
        started.elapsed().as_secs_f64(),
        size as f64 / 1e9
    );
    for len in [1usize, 2, 4] {
        let mut queries: Vec<String> = Vec::new();
        for i in 0..60 {
            let q: String = if i % 3 == 2 {
                // Characters of the text at random: often no hit at all.
                (0..len)
                    .map(|_| chars[rng.random_range(0..chars.len())])
                    .collect()
            } else {
                let text: Vec<char> = samples[rng.random_range(0..samples.len())]
                    .chars()
                    .filter(|c| crate::text::is_cjk(*c))
                    .collect();
                let at = rng.random_range(0..text.len() - len);
                text[at..at + len].iter().collect()
            };
            queries.push(q);
        }
        // As `anjuan search` and the 检索 screen ask (fields, then page text),
        // and each part alone.
        type Ask = fn(&crate::catalogue::Catalogue, &str) -> Result<usize>;
        let asks: [(&str, Ask); 3] = [
            ("search", |c, q| Ok(c.search_all(q, 200)?.len())),
            ("  fields alone", |c, q| Ok(c.search_fields(q, 200)?.len())),
            ("  page text alone", |c, q| Ok(c.search(q, 200)?.len())),
        ];
        for (name, ask) in asks {
            let mut times: Vec<f64> = Vec::new();
            let mut slowest: Vec<(f64, &String, usize)> = Vec::new();
            let mut hits = 0;
            for q in &queries {
                let t = Instant::now();
                let n = ask(&cat, q)?;
                hits += n;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                times.push(ms);
                slowest.push((ms, q, n));
            }
            times.sort_by(f64::total_cmp);
            slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
            let at = |p: f64| {
                times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1]
            };
            println!(
                "{name} {len}-character queries: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({} queries, {:.0} hits each on average, at most 200)",
                at(0.5),
                at(0.95),
                times.last().copied().unwrap_or(0.0),
                queries.len(),
                hits as f64 / queries.len() as f64
            );
            let named: Vec<String> = slowest
                .iter()
                .take(3)
                .map(|(ms, q, n)| format!("{q} {ms:.0} ms ({n} hits)"))
                .collect();
            println!("    slowest: {}", named.join(", "));
        }
    }
    Ok(())
}

/// A room against one process: the same pages processed by `workers` `anjuan
/// worker` processes of one job each on one PostgreSQL catalogue (a private
/// server) and one store, then by one `worker` with `workers` jobs; pages per
/// minute of each. Both sides run the same total of engines, so the
/// difference is what sharing the catalogue through leases costs.
pub fn room(paths: &[PathBuf], workers: usize, lang: &str, copies: usize) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let files = bench_inputs(paths, scratch.path())?;
    let pg = crate::catalogue::scratch::ScratchPostgres::start()?;
    let url = pg.fresh_database()?;
    let home = Home::open(scratch.path().join("home"))?.with_catalogue(Some(&url))?;
    // The pages several times over (one volume each), for a run long enough
    // to measure.
    for copy in 0..copies.max(1) {
        import_pages(&home, &files, &format!("ROOM{copy:02}"))?;
    }
    let n: usize = Catalogue::open(home.catalogue())?
        .list_volumes()?
        .iter()
        .map(|v| v.pages as usize)
        .sum();
    eprintln!(
        "{n} pages on PostgreSQL, {workers} worker process(es) × 1 job against 1 × {workers} jobs, tesseract -l {lang}"
    );
    let run = |processes: usize, jobs: usize| -> Result<f64> {
        Catalogue::open(home.catalogue())?.requeue_pages(None)?;
        let started = Instant::now();
        let children: Vec<std::process::Child> = (0..processes)
            .map(|_| {
                worker_command(&home, &url, lang)?
                    .args(["--until-idle", "--jobs", &jobs.to_string()])
                    .spawn()
            })
            .collect::<std::io::Result<_>>()?;
        for mut c in children {
            let status = c.wait()?;
            if !status.success() {
                bail!("a worker failed ({status})");
            }
        }
        let secs = started.elapsed().as_secs_f64();
        let done = Catalogue::open(home.catalogue())?
            .list_volumes()?
            .iter()
            .map(|v| v.done as usize)
            .sum::<usize>();
        if done != n {
            bail!("{done} of {n} pages done");
        }
        Ok(secs)
    };
    let ppm = |secs: f64| n as f64 * 60.0 / secs;
    let one = run(1, workers)?;
    let room = run(workers, 1)?;
    println!(
        "1 worker × {workers} jobs            {:>7.1} pages/min  ({one:.1} s)",
        ppm(one)
    );
    println!(
        "{workers} workers × 1 job (a room)     {:>7.1} pages/min  ({room:.1} s)  {:+.1} %",
        ppm(room),
        100.0 * (one / room - 1.0)
    );
    Ok(())
}

/// The workstation's frame time and memory with a large volume open while OCR
/// workers are busy: a private PostgreSQL, one volume of `pages` pages (the
/// sample's sheets over and over, the first half done as the sample was done and
/// indexed, the rest waiting), `workers` `worker` processes OCR-ing the rest,
/// and the workstation going round by itself (`ANJUAN_FRAME_PROBE`), under
/// Xvfb when there is no display.
pub fn frames(pages: usize, workers: usize, seconds: u64, lang: &str) -> Result<()> {
    use crate::catalogue::{Lease, NewPage, PageResult};
    use crate::model::TextOrigin;
    const VOLUME: &str = "FRAMES";
    let scratch = tempfile::tempdir()?;
    let files = bench_inputs(&[], scratch.path())?;
    let pg = crate::catalogue::scratch::ScratchPostgres::start()?;
    let url = pg.fresh_database()?;
    let home = Home::open(scratch.path().join("home"))?.with_catalogue(Some(&url))?;
    import_pages(&home, &files, VOLUME)?;
    // The sample's sheets processed once, here.
    let opts = ProcessOptions {
        volume: Some(VOLUME.into()),
        workers: crate::jobs::default_workers(),
        engine: EngineChoice::Tesseract {
            languages: lang.into(),
        },
        retry_failed: false,
        reindex: false,
    };
    pipeline::process(&home, &opts, &CancelToken::new(), |_| {})?;
    let mut cat = Catalogue::open(home.catalogue())?;
    let sheets = cat.pages(VOLUME)?;
    if sheets.is_empty()
        || sheets
            .iter()
            .any(|p| p.state != crate::model::PageState::Done)
    {
        bail!("the sample's pages did not all process");
    }
    let new_page = |p: &crate::catalogue::PageRow| NewPage {
        master_sha256: p.master_sha256.clone(),
        source_name: p.source_name.clone(),
        source_page: p.source_page,
        width: p.width,
        height: p.height,
        dpi: p.dpi,
        color_mode: p.color_mode.unwrap_or(crate::model::ColorMode::Gray),
        born_digital: None,
        always_new: true,
    };
    // The first half: the same sheets again, done as they were (their OCR
    // result committed under a lease, as a worker commits).
    let lease = Lease::for_this_process();
    let done_pages = (pages / 2).max(sheets.len());
    for i in sheets.len()..done_pages {
        let p = &sheets[i % sheets.len()];
        let Some(id) = cat.add_page(VOLUME, &new_page(p))? else {
            bail!("a page was not added");
        };
        let result = PageResult {
            image_key: p.image_key.clone().unwrap_or_default(),
            image_ext: p.image_ext.clone().unwrap_or_default(),
            width: p.width,
            height: p.height,
            rotation: p.rotation.unwrap_or(0),
            skew_deg: p.skew_deg.map(|s| s as f32),
            blank: p.blank.unwrap_or(false),
            imaging: p.imaging.clone().unwrap_or_default(),
            flags: p.flags.clone(),
            text_origin: p.text_origin.unwrap_or(TextOrigin::Ocr),
            text: p.text.clone().unwrap_or_default(),
            lines: p.lines.clone(),
            ocr_confidence: p.ocr_confidence,
            ocr_engine: "tesseract".into(),
        };
        if !cat.claim_page(id, &lease)? || !cat.commit_page(id, &result, &lease)? {
            bail!("page {id} could not be committed");
        }
    }
    pipeline::index_volumes(&home, Some(VOLUME), true, |_| {})?;
    // The second half waits for the workers.
    for i in done_pages..pages.max(done_pages) {
        cat.add_page(VOLUME, &new_page(&sheets[i % sheets.len()]))?;
    }
    let done_before = count_done(&cat, VOLUME)?;
    let total = cat.pages(VOLUME)?.len();
    eprintln!(
        "{total} pages in one volume on PostgreSQL ({done_before} done and indexed), \
         {workers} worker(s) OCR-ing the rest (tesseract -l {lang}), the workstation going round for {seconds} s"
    );
    let exe = std::env::current_exe()?;
    let mut children: Vec<std::process::Child> = (0..workers)
        .map(|_| {
            worker_command(&home, &url, lang)?
                .args(["--jobs", "1", "--volume", VOLUME])
                .spawn()
        })
        .collect::<std::io::Result<_>>()?;
    let report_path = scratch.path().join("frames.json");
    // The workers get going before the window opens.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let mut seat = if has_display {
        Command::new(&exe)
    } else {
        let mut c = Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1366x768x24"]).arg(&exe);
        c
    };
    let status = seat
        .env("ANJUAN_HOME", home.root())
        .env("ANJUAN_CATALOGUE", &url)
        .env("ANJUAN_FRAME_PROBE", &report_path)
        .env("ANJUAN_FRAME_PROBE_SECS", seconds.to_string())
        .stdout(Stdio::null())
        .status();
    let done_after = count_done(&cat, VOLUME)?;
    for c in &mut children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let status = status.with_context(|| {
        "the workstation could not start (without a display it needs xvfb-run: apt-get install xvfb)"
    })?;
    if !status.success() {
        bail!("the workstation failed ({status})");
    }
    let report: FrameReport = serde_json::from_slice(
        &std::fs::read(&report_path).context("the workstation wrote no frame report")?,
    )?;
    let row = |name: &str, s: &Spread| {
        println!(
            "{name:<22} {:>6} {:>7.1} {:>7.1} {:>7.1} {:>7.1}",
            s.n, s.p50, s.p95, s.p99, s.max
        );
    };
    println!(
        "{:<22} {:>6} {:>7} {:>7} {:>7} {:>7}",
        "ms", "frames", "p50", "p95", "p99", "max"
    );
    row("frame time (eframe)", &report.frame_ms);
    row("frame to frame", &report.interval_ms);
    for (leg, s) in &report.legs {
        row(&format!("  {leg}"), s);
    }
    println!(
        "memory: peak RSS {:.0} MB, at the end {:.0} MB; the workers OCR-ed {} pages meanwhile ({:.1} pages/min)",
        report.rss_peak_mb,
        report.rss_end_mb,
        done_after - done_before,
        (done_after - done_before) as f64 * 60.0 / (report.seconds + 5.0)
    );
    Ok(())
}

/// What the workstation's frame probe (`ui::frame_probe`) writes and
/// `anjuan bench --frames` reads back.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct FrameReport {
    pub seconds: f64,
    pub frames: usize,
    pub pages_in_volume: usize,
    /// eframe's frame time: logic, views, tessellation and painting.
    pub frame_ms: Spread,
    /// From one frame's start to the next (what the eye sees).
    pub interval_ms: Spread,
    /// Frame time per leg of the round.
    pub legs: std::collections::BTreeMap<String, Spread>,
    pub rss_peak_mb: f64,
    pub rss_end_mb: f64,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Spread {
    pub n: usize,
    pub p50: f32,
    pub p95: f32,
    pub p99: f32,
    pub max: f32,
}

impl Spread {
    pub fn of(values: impl Iterator<Item = f32>) -> Spread {
        let mut v: Vec<f32> = values.collect();
        if v.is_empty() {
            return Spread::default();
        }
        v.sort_by(f32::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        Spread {
            n: v.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: v[v.len() - 1],
        }
    }
}

/// `anjuan worker` of this binary on a room's catalogue, Tesseract, quiet.
fn worker_command(home: &Home, url: &str, lang: &str) -> std::io::Result<Command> {
    let mut c = Command::new(std::env::current_exe()?);
    c.args(["worker", "--engine", "tesseract", "--lang", lang])
        .env("ANJUAN_HOME", home.root())
        .env("ANJUAN_CATALOGUE", url)
        .env("OMP_THREAD_LIMIT", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Ok(c)
}

fn count_done(cat: &Catalogue, volume: &str) -> Result<usize> {
    Ok(cat
        .list_volumes()?
        .iter()
        .filter(|v| v.id == volume)
        .map(|v| v.done as usize)
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_quantiles_of_sorted_values() {
        let s = Spread::of((1..=100).rev().map(|v| v as f32));
        assert_eq!(
            (s.n, s.p50, s.p95, s.p99, s.max),
            (100, 51.0, 95.0, 99.0, 100.0)
        );
        assert_eq!(Spread::of(std::iter::empty()).n, 0);
    }
}
