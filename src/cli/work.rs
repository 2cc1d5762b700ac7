use super::*;
use crate::review::double_entry::{self, EntryState};

#[derive(Debug, clap::Args)]
pub struct ProcessArgs {
    /// Only this volume
    #[arg(long)]
    pub volume: Option<String>,
    /// Workers (one single-threaded OCR engine each) [default: one per core]
    #[arg(long)]
    pub jobs: Option<usize>,
    /// OCR engine
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
    /// Tesseract languages (with --engine tesseract), e.g. chi_sim or chi_sim+eng
    #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES)]
    pub lang: String,
    /// Also retry pages that failed in an earlier run
    #[arg(long)]
    pub retry_failed: bool,
    /// Process finished pages again too (e.g. after an upgrade of anjuan)
    #[arg(long)]
    pub redo: bool,
    /// Index the volumes again even when their pages did not change (the clerk's corrections are kept)
    #[arg(long)]
    pub reindex: bool,
}
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Pages processed at once (one single-threaded OCR engine each) [default: one per core]
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Stop when no page is left to process or being processed anywhere in the room
    #[arg(long)]
    pub until_idle: bool,
    /// Only this volume's pages
    #[arg(long)]
    pub volume: Option<String>,
    /// OCR engine
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
    /// Tesseract languages (with --engine tesseract)
    #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES)]
    pub lang: String,
}
#[derive(Debug, clap::Args)]
pub struct PageArgs {
    #[arg(long)]
    pub volume: String,
    /// The page's number in scan order
    #[arg(long)]
    pub seq: u32,
    /// Clockwise turn to make the page upright
    #[arg(long, value_enum)]
    pub rotate: Option<Turn>,
    /// Skew to correct, degrees (positive = content turned counter-clockwise)
    #[arg(long, allow_hyphen_values = true)]
    pub skew: Option<f32>,
    /// Mark (yes) or unmark (no) as a blank back
    #[arg(long, value_enum)]
    pub blank: Option<YesNo>,
    /// Undo every decision of yours for this page
    #[arg(long, conflicts_with_all = ["rotate", "skew", "blank"])]
    pub auto: bool,
}
#[derive(Debug, clap::Args)]
pub struct CorrectArgs {
    #[arg(long)]
    pub volume: String,
    #[arg(value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Withdraw your correction of KEY (the automatic proposal applies again)
    #[arg(long, value_name = "KEY")]
    pub undo: Vec<String>,
    /// 一稿双录: key a decisive field a second time, blind (another clerk than
    /// the first; 无 for none). Says whether it agrees, never the first value.
    /// Fields: party, party_id_code, decision_no, filed_date, decided_date,
    /// closed_date, fine_amount
    #[arg(long, value_name = "KEY=VALUE", conflicts_with_all = ["set", "undo", "settle"])]
    pub second: Vec<String>,
    /// 一稿双录: settle a disagreement as a third person (neither keyer); the
    /// value becomes the field's correction. `anjuan show --volume ID` lists them
    #[arg(long, value_name = "KEY=VALUE", conflicts_with_all = ["set", "undo"])]
    pub settle: Vec<String>,
    /// Refuse the correction (naming who changed what) unless the volume is
    /// still at this version, the one you read (`anjuan claim --list` shows it)
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
}
#[derive(Debug, clap::Args)]
pub struct ClaimArgs {
    #[arg(long, required_unless_present = "list")]
    pub volume: Option<String>,
    /// The stage: scan (扫描), index (著录) or review (质检)
    #[arg(long, value_parser = parse_stage, required_unless_present = "list")]
    pub stage: Option<crate::model::Stage>,
    /// Give the stage back
    #[arg(long, conflicts_with_all = ["take_over", "list"])]
    pub release: bool,
    /// Take the stage over from whoever holds it (a supervisor named in bureau.json)
    #[arg(long, conflicts_with = "list")]
    pub take_over: bool,
    /// List the claims held (of --volume, or all) with each volume's version
    #[arg(long)]
    pub list: bool,
    #[arg(long)]
    pub json: bool,
}

fn parse_stage(s: &str) -> std::result::Result<crate::model::Stage, String> {
    use crate::model::Stage;
    Stage::parse(s)
        .or_else(|| Stage::ALL.iter().copied().find(|st| st.label() == s))
        .ok_or_else(|| "scan (扫描), index (著录) or review (质检)".to_string())
}
#[derive(Debug, clap::Args)]
pub struct SettingsArgs {
    /// 全宗号, letters and digits (e.g. J037); "" clears it
    #[arg(long)]
    pub fonds_code: Option<String>,
    /// 门类代码 (e.g. XZCF)
    #[arg(long)]
    pub category_code: Option<String>,
    /// 保管期限 used when a volume shows none: Y, D30 or D10
    #[arg(long)]
    pub retention: Option<String>,
    /// 档号 template; fields {全宗号} {门类代码} {年度} {保管期限} {案卷号:04}
    #[arg(long)]
    pub template: Option<String>,
    /// Pack a volume only with a current approval of 质检 (yes, the default) or
    /// without one (no: a bureau without a review step)
    #[arg(long, value_enum)]
    pub require_approval: Option<YesNo>,
    /// Pack a volume only when its decisive fields were keyed twice (一稿双录,
    /// `correct --second`) and every disagreement settled (yes), or not (no, the default)
    #[arg(long, value_enum)]
    pub require_double_entry: Option<YesNo>,
    /// 双公示: the 处罚机关's 统一社会信用代码; "" clears it
    #[arg(long, value_name = "CODE")]
    pub agency_credit_code: Option<String>,
    /// 双公示: the 数据来源单位 (default: the 处罚机关); "" clears it
    #[arg(long, value_name = "NAME")]
    pub source_unit: Option<String>,
    /// 双公示: the 数据来源单位's 统一社会信用代码; "" clears it
    #[arg(long, value_name = "CODE")]
    pub source_unit_credit_code: Option<String>,
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    #[arg(long, value_enum, default_value_t = crate::model::settings::SigningAlgorithm::Sm2)]
    pub algorithm: crate::model::settings::SigningAlgorithm,
    #[arg(long)]
    pub out: PathBuf,
}
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Page images or folders [default: the rendered sample volume]
    pub paths: Vec<PathBuf>,
    /// Workers, and parallel tesseract processes [default: one per core]
    #[arg(long)]
    pub jobs: Option<usize>,
    #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES)]
    pub lang: String,
    /// Only measure packaging's hashing (SHA-256 + SM3 of 500 MB)
    #[arg(long)]
    pub hashing: bool,
    /// Only measure search: p50/p95 of 1-, 2- and 4-character queries over this
    /// many pages of realistic text in a scratch catalogue (e.g. 1000000)
    #[arg(long, value_name = "PAGES")]
    pub search_pages: Option<usize>,
    /// With --search-pages: on PostgreSQL (a private server) instead of SQLite
    #[arg(long, requires = "search_pages")]
    pub postgres: bool,
    /// Only measure a room: N `worker` processes of one job on one PostgreSQL
    /// against one worker of N jobs, pages/min of each (the sample volume, or
    /// PATHS, imported --copies times)
    #[arg(long, value_name = "N", conflicts_with_all = ["search_pages", "hashing"])]
    pub room: Option<usize>,
    /// With --room: how many times the pages are imported (one volume each)
    #[arg(long, default_value_t = 4, requires = "room")]
    pub copies: usize,
    /// Only measure the workstation: frame time and memory with a volume of
    /// this many pages open (e.g. 1000) while --jobs `worker` processes
    /// [default: 2] OCR the half not yet done (under xvfb-run without a display)
    #[arg(long, value_name = "PAGES", conflicts_with_all = ["search_pages", "hashing", "room"])]
    pub frames: Option<usize>,
    /// With --frames: how long the workstation goes round, in seconds
    #[arg(long, default_value_t = 60, requires = "frames")]
    pub seconds: u64,
}

pub(super) fn process(home: &Home, args: ProcessArgs) -> Result<i32> {
    let ProcessArgs {
        volume,
        jobs,
        engine,
        lang,
        retry_failed,
        redo,
        reindex,
    } = args;
    if redo {
        let cat = Catalogue::open(home.catalogue())?;
        let n = cat.requeue_pages(volume.as_deref())?;
        eprintln!("{n} page(s) queued to be processed again");
    }
    let opts = ProcessOptions {
        retry_failed,
        reindex,
        ..ProcessOptions::new(
            volume,
            engine_choice(engine, lang),
            jobs.unwrap_or_else(jobs::default_workers),
        )
    };
    run_process(home, &opts)
}

/// `claim`: take, give back, take over or list the stages of volumes.
pub(super) fn claim(home: &Home, args: ClaimArgs) -> Result<i32> {
    let cat = Catalogue::open(home.catalogue())?;
    let who = home.operator();
    if args.list {
        let claims = cat.claims(args.volume.as_deref())?;
        if args.json {
            let rows: Vec<serde_json::Value> = claims
                .iter()
                .map(|c| {
                    Ok(serde_json::json!({
                        "volume": c.volume_id, "stage": c.stage, "holder": c.holder,
                        "since": c.since, "version": cat.volume_version(&c.volume_id)?,
                    }))
                })
                .collect::<Result<_>>()?;
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else {
            if let Some(v) = &args.volume {
                println!("{v}: version {}", cat.volume_version(v)?);
            }
            for c in &claims {
                println!(
                    "{}\t{} {}\t{}\tsince {}",
                    c.volume_id,
                    c.stage.label(),
                    c.stage,
                    c.holder,
                    c.since
                );
            }
        }
        return Ok(0);
    }
    let (volume, stage) = (
        args.volume.expect("required by clap"),
        args.stage.expect("required by clap"),
    );
    if args.release {
        if cat.release(&volume, stage, who)? {
            eprintln!("{volume}: {} released", stage.label());
            return Ok(0);
        }
        anyhow::bail!("{volume}: {who} does not hold {}", stage.label());
    }
    let claim = if args.take_over {
        let settings = crate::model::settings::BureauSettings::load(&home.bureau_path())?;
        anyhow::ensure!(
            settings.supervisors.iter().any(|s| s == who),
            "only a supervisor may take a stage over; bureau.json names them in \"supervisors\""
        );
        cat.take_over(&volume, stage, who)?
    } else {
        cat.claim(&volume, stage, who)?
    };
    let version = cat.volume_version(&volume)?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"volume": volume, "stage": stage, "holder": claim.holder,
                               "since": claim.since, "version": version})
        );
    }
    eprintln!(
        "{volume}: {} held by {} since {} (version {version})",
        stage.label(),
        claim.holder,
        claim.since
    );
    Ok(0)
}

pub(super) fn worker(home: &Home, args: WorkerArgs) -> Result<i32> {
    let opts = crate::ops::worker::WorkerOptions {
        jobs: args.jobs.unwrap_or_else(jobs::default_workers).max(1),
        until_idle: args.until_idle,
        engine: engine_choice(args.engine, args.lang),
        volume: args.volume,
        poll: std::time::Duration::from_millis(500),
    };
    let cancel = CancelToken::new();
    let started = std::time::Instant::now();
    eprintln!(
        "worker on {} with {} job(s){}",
        home.catalogue(),
        opts.jobs,
        if opts.until_idle { ", until idle" } else { "" }
    );
    // One line per event: a worker's output is a log, read later or by a supervisor.
    let summary = crate::ops::worker::run(home, &opts, &cancel, |e| match e {
        ProcessEvent::PageDone { volume_id, seq, .. } => eprintln!("{volume_id} page {seq}: done"),
        ProcessEvent::PageFailed {
            volume_id,
            seq,
            error,
            ..
        } => eprintln!("error: {volume_id} page {seq}: {error}"),
        ProcessEvent::PageTakenOver { volume_id, seq, .. } => {
            eprintln!("{volume_id} page {seq}: lease ran out, taken over by another worker")
        }
        ProcessEvent::WorkerFailed { error } => eprintln!("error: {error}"),
        ProcessEvent::VolumeIndexed {
            volume_id,
            documents,
            findings,
        } => eprintln!("{volume_id}: indexed, {documents} document(s), {findings} finding(s)"),
        ProcessEvent::Started { .. } | ProcessEvent::PageStarted { .. } => {}
    })?;
    eprintln!(
        "worker done: {} page(s) processed, {} failed, {} taken over, in {:.1} s",
        summary.done,
        summary.failed,
        summary.taken_over,
        started.elapsed().as_secs_f64()
    );
    Ok(if summary.worker_errors.is_empty() && summary.failed == 0 {
        0
    } else {
        1
    })
}

pub(super) fn page(home: &Home, args: PageArgs) -> Result<i32> {
    let PageArgs {
        volume,
        seq,
        rotate,
        skew,
        blank,
        auto,
    } = args;
    let mut cat = Catalogue::open(home.catalogue())?;
    let row = cat
        .pages(&volume)?
        .into_iter()
        .find(|p| p.seq == seq)
        .with_context(|| format!("volume {volume} has no page {seq}"))?;
    let mut o = if auto {
        Default::default()
    } else {
        row.overrides.clone()
    };
    if let Some(r) = rotate {
        o.rotation = Some(r.degrees());
    }
    if skew.is_some() {
        o.skew_deg = skew;
    }
    if let Some(b) = blank {
        o.blank = Some(b == YesNo::Yes);
    }
    let actor = home.operator().to_string();
    ops::decide_page(&mut cat, row.id, &o, &actor)?;
    eprintln!(
        "page {seq} of {volume} will be made again with {}; run `anjuan process`",
        serde_json::to_string(&o)?
    );
    Ok(0)
}

pub(super) fn correct(home: &Home, args: CorrectArgs) -> Result<i32> {
    let CorrectArgs {
        volume,
        set,
        undo,
        second,
        settle,
        if_version,
    } = args;
    if !second.is_empty() || !settle.is_empty() {
        return double_entry(home, &volume, &second, &settle);
    }
    anyhow::ensure!(
        !set.is_empty() || !undo.is_empty(),
        "nothing to correct: give KEY=VALUE, --undo KEY, --second KEY=VALUE or --settle KEY=VALUE"
    );
    let mut changes = set
        .iter()
        .map(|pair| ops::parse_correction(pair))
        .collect::<Result<Vec<_>>>()?;
    for key in &undo {
        changes.push((ops::edit::parse_target(key)?, None));
    }
    let mut cat = Catalogue::open(home.catalogue())?;
    cat.expect_version(&volume, if_version);
    let actor = home.operator().to_string();
    ops::correct(home, &mut cat, &volume, &changes, &actor)?;
    let v = cat.volume_json(&volume)?;
    eprintln!(
        "{volume}: {} document(s); party {}, archival code {}",
        v.documents.len(),
        v.party.as_deref().unwrap_or("-"),
        v.archival_code.as_deref().unwrap_or("-")
    );
    Ok(0)
}

/// `correct --second` (blind: the answer is agree or not) and `--settle`.
fn double_entry(home: &Home, volume: &str, second: &[String], settle: &[String]) -> Result<i32> {
    let parse = |pairs: &[String]| {
        pairs
            .iter()
            .map(|p| ops::parse_second_entry(p))
            .collect::<Result<Vec<_>>>()
    };
    let mut cat = Catalogue::open(home.catalogue())?;
    let actor = home.operator().to_string();
    if !second.is_empty() {
        let results = ops::key_second(&mut cat, volume, &parse(second)?, &actor)?;
        for (field, state) in &results {
            let said = match state {
                EntryState::Match => "agrees",
                _ => "differs: a third person settles it (`anjuan correct --settle`)",
            };
            eprintln!("{volume}: {field} {said}");
        }
    } else {
        ops::settle_second(home, &mut cat, volume, &parse(settle)?, &actor)?;
        eprintln!("{volume}: {} field(s) settled", settle.len());
    }
    let open: Vec<String> = double_entry::states(&cat, volume)?
        .into_iter()
        .filter(|(_, s)| s.is_open())
        .map(|(f, s)| format!("{f} {}", s.as_str()))
        .collect();
    if !open.is_empty() {
        eprintln!("{volume}: 双录 still open: {}", open.join(", "));
    }
    Ok(0)
}

pub(super) fn settings(home: &Home, args: SettingsArgs) -> Result<i32> {
    let SettingsArgs {
        fonds_code,
        category_code,
        retention,
        template,
        require_approval,
        require_double_entry,
        agency_credit_code,
        source_unit,
        source_unit_credit_code,
        json,
    } = args;
    let path = home.bureau_path();
    let mut settings = crate::model::settings::BureauSettings::load(&path)?;
    let before = settings.clone();
    if let Some(f) = fonds_code {
        settings.fonds_code = Some(f.trim().to_string()).filter(|f| !f.is_empty());
    }
    if let Some(c) = category_code {
        settings.category_code = c.trim().to_string();
    }
    if let Some(r) = retention {
        settings.retention = r.trim().to_string();
    }
    if let Some(t) = template {
        settings.archival_code_template = t.trim().to_string();
    }
    if let Some(r) = require_approval {
        settings.require_approval = r == YesNo::Yes;
    }
    if let Some(r) = require_double_entry {
        settings.require_double_entry = r == YesNo::Yes;
    }
    let text = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    for (value, slot) in [
        (
            agency_credit_code,
            &mut settings.publicity.agency_credit_code,
        ),
        (source_unit, &mut settings.publicity.source_unit),
        (
            source_unit_credit_code,
            &mut settings.publicity.source_unit_credit_code,
        ),
    ] {
        if let Some(v) = value {
            *slot = text(v);
        }
    }
    for code in [
        &settings.publicity.agency_credit_code,
        &settings.publicity.source_unit_credit_code,
    ]
    .into_iter()
    .flatten()
    {
        anyhow::ensure!(
            crate::indexing::identifiers::credit_code_valid(code),
            "{code} is not a valid 统一社会信用代码 (GB 32100: 18 characters, check character)"
        );
    }
    if settings != before {
        ops::save_settings(home, &settings)?;
        // Volumes are indexed again only when the 档号 parts changed (fingerprint).
        let mut reindexed = 0;
        ops::pipeline::index_volumes(home, None, false, |e| {
            if let crate::ops::pipeline::ProcessEvent::VolumeIndexed { .. } = e {
                reindexed += 1;
            }
        })?;
        eprintln!(
            "saved {}; {reindexed} volume(s) indexed again",
            path.display()
        );
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&settings)?);
    } else {
        let year = crate::indexing::archival::this_year();
        println!(
            "全宗号 fonds_code\t{}",
            settings.fonds_code.as_deref().unwrap_or("-")
        );
        println!("门类代码 category_code\t{}", settings.category_code);
        println!("保管期限 retention\t{}", settings.retention);
        println!("档号模板 template\t{}", settings.archival_code_template);
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        println!(
            "打包须经质检批准 require_approval\t{}",
            yes_no(settings.require_approval)
        );
        println!(
            "打包须完成一稿双录 require_double_entry\t{}",
            yes_no(settings.require_double_entry)
        );
        let u = &settings.upload;
        println!(
            "上传 upload\t{} {}",
            u.target.as_deref().unwrap_or("-"),
            u.endpoint.as_deref().unwrap_or("")
        );
        let p = &settings.publicity;
        for (label, v) in [
            (
                "处罚机关统一社会信用代码 agency_credit_code",
                &p.agency_credit_code,
            ),
            ("数据来源单位 source_unit", &p.source_unit),
            (
                "数据来源单位统一社会信用代码 source_unit_credit_code",
                &p.source_unit_credit_code,
            ),
        ] {
            println!("{label}\t{}", v.as_deref().unwrap_or("-"));
        }
        println!(
            "例 example\t{}",
            settings
                .example_code(year, 1)
                .unwrap_or_else(|| "- (no 全宗号: volumes get no 档号)".into())
        );
    }
    Ok(0)
}

pub(super) fn keygen(args: KeygenArgs) -> Result<i32> {
    let KeygenArgs { algorithm, out } = args;
    let public = crate::package::sign::keygen(algorithm, &out)?;
    eprintln!(
        "wrote the secret key to {} (keep it safe); public key:",
        out.display()
    );
    println!("{public}");
    Ok(0)
}

pub(super) fn bench(args: BenchArgs) -> Result<i32> {
    let BenchArgs {
        paths,
        jobs,
        lang,
        hashing,
        search_pages,
        postgres,
        room,
        copies,
        frames,
        seconds,
    } = args;
    if hashing {
        crate::bench::hashing();
        return Ok(0);
    }
    if let Some(pages) = search_pages {
        let scratch = tempfile::tempdir()?;
        crate::bench::search_scale(pages.max(100), scratch.path(), postgres)?;
        return Ok(0);
    }
    if let Some(pages) = frames {
        crate::bench::frames(pages.max(2), jobs.unwrap_or(2), seconds, &lang)?;
        return Ok(0);
    }
    if let Some(workers) = room {
        crate::bench::room(&paths, workers.max(1), &lang, copies)?;
        return Ok(0);
    }
    crate::bench::run(&paths, jobs.unwrap_or_else(jobs::default_workers), &lang)?;
    Ok(0)
}

fn run_process(home: &Home, opts: &ProcessOptions) -> Result<i32> {
    let cancel = CancelToken::new();
    let bar = progress_bar("处理 process");
    let started = std::time::Instant::now();
    let summary = pipeline::process(home, opts, &cancel, |e| match e {
        ProcessEvent::Started { total } => bar.set_length(*total as u64),
        ProcessEvent::PageStarted { volume_id, seq, .. } => {
            bar.set_message(format!("{volume_id} p.{seq}"))
        }
        ProcessEvent::PageDone { .. } => bar.inc(1),
        ProcessEvent::PageFailed {
            volume_id,
            seq,
            error,
            ..
        } => {
            bar.inc(1);
            bar.suspend(|| eprintln!("error: {volume_id} page {seq}: {error}"));
        }
        ProcessEvent::PageTakenOver { volume_id, seq, .. } => {
            bar.inc(1);
            bar.suspend(|| eprintln!("{volume_id} page {seq}: taken over by another worker"));
        }
        ProcessEvent::WorkerFailed { error } => bar.suspend(|| eprintln!("error: {error}")),
        ProcessEvent::VolumeIndexed {
            volume_id,
            documents,
            findings,
        } => bar.suspend(|| {
            eprintln!("{volume_id}: indexed, {documents} document(s), {findings} finding(s)")
        }),
    })
    .context("process failed")?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{} of {} page(s) processed, {} failed, in {:.1} s ({:.1} pages/min)",
        summary.done,
        summary.total,
        summary.failed,
        secs,
        if secs > 0.0 {
            summary.done as f64 * 60.0 / secs
        } else {
            0.0
        }
    );
    if !summary.worker_errors.is_empty() && summary.done + summary.failed < summary.total {
        bail!(
            "the OCR engine could not start: {}",
            summary.worker_errors[0]
        );
    }
    Ok(if summary.failed > 0 { 1 } else { 0 })
}
