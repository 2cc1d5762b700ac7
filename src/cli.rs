//! The command line (DESIGN.md §5): the same library as the workstation, headless.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::capture::scanner::{self, Mode, ScanSettings, Source};
use crate::capture::{self, Outcome};
use crate::catalogue::{Catalogue, Placement};
use crate::home::Home;
use crate::jobs::{self, CancelToken};
use crate::model::{Severity, Verdict};
use crate::ocr::{EngineChoice, fake::FakeFactory};
use crate::ops;
use crate::ops::pipeline::{self, ProcessEvent, ProcessOptions, ScanEvent, ScanRequest};
use crate::ops::review::{ReviewAction, ReviewDone};
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "anjuan",
    version,
    about = "案卷 anjuan — turn scanned case files into catalogued, searchable volumes",
    long_about = "案卷 anjuan — turn scanned administrative-enforcement case files into \
                  catalogued, searchable volumes.\n\nWithout a command, opens the workstation (GUI)."
)]
pub struct Cli {
    /// Workspace folder: the catalogue and the page store [default: the platform's data folder]
    #[arg(long, global = true, env = "ANJUAN_HOME")]
    pub home: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum EngineArg {
    /// PP-OCR if installed (`make setup`), else Tesseract
    Auto,
    /// PP-OCRv4 on ONNX Runtime: far better on Chinese scans
    Ppocr,
    /// Tesseract (libtesseract)
    Tesseract,
    /// Test engine, configured by ANJUAN_FAKE_OCR
    #[value(hide = true)]
    Fake,
}

/// A clockwise turn, in degrees.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum Turn {
    #[value(name = "0")]
    None,
    #[value(name = "90")]
    Quarter,
    #[value(name = "180")]
    Half,
    #[value(name = "270")]
    ThreeQuarters,
}

impl Turn {
    fn degrees(self) -> u32 {
        match self {
            Turn::None => 0,
            Turn::Quarter => 90,
            Turn::Half => 180,
            Turn::ThreeQuarters => 270,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum YesNo {
    Yes,
    No,
}

/// A reviewer's mark is an error or a warning (findings may also be info).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum MarkSeverity {
    Error,
    Warning,
}

impl From<MarkSeverity> for Severity {
    fn from(s: MarkSeverity) -> Severity {
        match s {
            MarkSeverity::Error => Severity::Error,
            MarkSeverity::Warning => Severity::Warning,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import folders (natural file-name order), images (JPEG, PNG, TIFF incl. multi-page) and PDFs; prints the volume id
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Add to this volume (created if it does not exist) instead of a new one
        #[arg(long)]
        volume: Option<String>,
    },
    /// Scan from a SANE scanner into a volume; each sheet is imported as it arrives
    /// and processed meanwhile. A jam or lost device stops the batch and keeps the
    /// pages scanned so far.
    Scan {
        /// Into this volume (created if it does not exist) [default: a new volume]
        #[arg(long)]
        volume: Option<String>,
        /// SANE device name, as --list shows it [default: the first scanner found]
        #[arg(long)]
        device: Option<String>,
        #[arg(long, value_enum, default_value_t = Source::Adf)]
        source: Source,
        /// Dots per inch (DA/T 31: at least 300 for OCR; below 200 is refused)
        #[arg(long, default_value_t = 300)]
        resolution: u32,
        #[arg(long, value_enum, default_value_t = Mode::Color)]
        mode: Mode,
        /// Stop after this many sheet sides [default: until the feeder is empty; one on the flatbed]
        #[arg(long)]
        pages: Option<u32>,
        /// Put the scanned pages before page N (scan order) of --volume
        #[arg(long, requires = "volume", conflicts_with = "replace")]
        before: Option<u32>,
        /// Rescan page N of --volume in place (the old page goes to the volume's trash)
        #[arg(long, requires = "volume")]
        replace: Option<u32>,
        /// Only list the scanners SANE sees, with their sources, modes and resolutions
        #[arg(long)]
        list: bool,
        /// Only capture; process later with `anjuan process`
        #[arg(long)]
        no_process: bool,
        #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
        engine: EngineArg,
        #[arg(long)]
        jobs: Option<usize>,
        /// Options for the scanner's SANE backend, after `--` (see `scanimage -d DEVICE -A`)
        #[arg(last = true, value_name = "BACKEND OPTION")]
        backend_options: Vec<String>,
    },
    /// Rearrange a volume's pages: move, remove (to the trash), restore, insert or
    /// replace from a file. Masters are never touched; the clerk's decisions move
    /// with their pages.
    ///
    /// PAGES are scan-order numbers: `5`, `5,7`, `5-8`.
    #[command(group(clap::ArgGroup::new("action").required(true)
        .args(["move_pages", "remove", "insert", "replace", "restore", "trash"])))]
    Arrange {
        #[arg(long)]
        volume: String,
        /// Move these pages (keeping their order) before --before N, or to the end
        #[arg(long = "move", value_name = "PAGES")]
        move_pages: Option<String>,
        /// Where moved or inserted pages go: before page N
        #[arg(long, value_name = "N")]
        before: Option<u32>,
        /// Remove these pages into the volume's trash
        #[arg(long, value_name = "PAGES")]
        remove: Option<String>,
        /// Add the pages of FILE (before --before N, or at the end)
        #[arg(long, value_name = "FILE")]
        insert: Option<PathBuf>,
        /// Replace page N by the pages of --with FILE
        #[arg(long, value_name = "N", requires = "with")]
        replace: Option<u32>,
        #[arg(long, value_name = "FILE")]
        with: Option<PathBuf>,
        /// Put every page of the trash back where it was
        #[arg(long)]
        restore: bool,
        /// List the pages in the volume's trash
        #[arg(long)]
        trash: bool,
    },
    /// Run every pending stage (imaging, OCR) in the background pool; resumable
    Process {
        /// Only this volume
        #[arg(long)]
        volume: Option<String>,
        /// Workers (one single-threaded OCR engine each) [default: one per core]
        #[arg(long)]
        jobs: Option<usize>,
        /// OCR engine
        #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
        engine: EngineArg,
        /// Tesseract languages (with --engine tesseract), e.g. chi_sim or chi_sim+eng
        #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES)]
        lang: String,
        /// Also retry pages that failed in an earlier run
        #[arg(long)]
        retry_failed: bool,
        /// Process finished pages again too (e.g. after an upgrade of anjuan)
        #[arg(long)]
        redo: bool,
        /// Index the volumes again even when their pages did not change (the clerk's corrections are kept)
        #[arg(long)]
        reindex: bool,
    },
    /// Decide for a page yourself: turn, straighten, mark blank (wins over the automatic decision; the master is untouched)
    Page {
        #[arg(long)]
        volume: String,
        /// The page's number in scan order
        #[arg(long)]
        seq: u32,
        /// Clockwise turn to make the page upright
        #[arg(long, value_enum)]
        rotate: Option<Turn>,
        /// Skew to correct, degrees (positive = content turned counter-clockwise)
        #[arg(long, allow_hyphen_values = true)]
        skew: Option<f32>,
        /// Mark (yes) or unmark (no) as a blank back
        #[arg(long, value_enum)]
        blank: Option<YesNo>,
        /// Undo every decision of yours for this page
        #[arg(long, conflicts_with_all = ["rotate", "skew", "blank"])]
        auto: bool,
    },
    /// Confirm or correct the indexing (著录) of a volume; your values win over every automatic pass.
    ///
    /// KEY=VALUE pairs: a volume field (party, party_id_code, filed_date, decision_no, fine_amount,
    /// archival_code, title, …), `doc:N:title|doc_no|responsible|date` for the document starting
    /// on scanned page N, `start:N=yes|no` to split or merge at page N, `kind:N=decision` for a
    /// document's kind. An empty VALUE clears a field; --undo KEY gives it back to the machine.
    Correct {
        #[arg(long)]
        volume: String,
        #[arg(value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Withdraw your correction of KEY (the automatic proposal applies again)
        #[arg(long, value_name = "KEY")]
        undo: Vec<String>,
    },
    /// List the volumes of the home
    Volumes {
        #[arg(long)]
        json: bool,
    },
    /// Show one volume (the JSON of DESIGN.md §4 with --json)
    Show {
        #[arg(long)]
        volume: String,
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over page text (1- and 2-character Chinese queries too)
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Findings of a volume: image quality (DA/T 31), catalogue against images, and statutory checks (required documents, 行政处罚法 periods)
    ///
    /// Each finding has a code, a severity (error, warning, info), a message and the
    /// page or document it concerns; errors first. Exit 0 whatever is found.
    ///
    /// The reviewer's own work: --mark a defect on a page (or the volume), --resolve
    /// it once mended, then --approve (refused while a mark is open) or --return
    /// with the reason. Each is audited; the package's review.json carries them.
    ///
    /// Acceptance sampling (验收): --sample PERCENT draws that share of the processed
    /// volumes not sent back (at least one) for full inspection; --seed repeats a draw.
    Review {
        #[arg(long, required_unless_present = "sample")]
        volume: Option<String>,
        /// Draw PERCENT of the processed volumes for full inspection (验收)
        #[arg(long, value_name = "PERCENT", conflicts_with_all = ["volume", "mark", "resolve", "approve", "return_reason"])]
        sample: Option<f64>,
        /// The draw's seed (printed; the same seed draws the same volumes)
        #[arg(long, requires = "sample")]
        seed: Option<u64>,
        #[arg(long)]
        json: bool,
        /// Mark a defect on scanned page N (0: the whole volume); needs --note
        #[arg(long, value_name = "N", requires = "note")]
        mark: Option<u32>,
        /// What is wrong (with --mark), or a remark (with --approve)
        #[arg(long)]
        note: Option<String>,
        /// The mark's severity
        #[arg(long, value_enum, default_value_t = MarkSeverity::Error)]
        severity: MarkSeverity,
        /// Close mark ID (the defect was mended)
        #[arg(long, value_name = "ID")]
        resolve: Option<i64>,
        /// Approve the volume for packaging
        #[arg(long, conflicts_with_all = ["return_reason", "mark", "resolve"])]
        approve: bool,
        /// Send the volume back, saying why
        #[arg(long = "return", value_name = "REASON", conflicts_with_all = ["mark", "resolve"])]
        return_reason: Option<String>,
    },
    /// Write the volume's searchable PDF and one text file per page into DIR
    Export {
        #[arg(long)]
        volume: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Build the archive package (BagIt zip named after the 档号) of volumes, check it (四性检测) and print its path
    ///
    /// A valid package already in DIR is kept unless --force. The zip is written under a
    /// temporary name and renamed only after it passed its check.
    ///
    /// With --all, every volume that is ready is packed and each one left out is
    /// named with its reason (not processed, no 档号, returned by the reviewer, …);
    /// exit 0 unless a package failed. A volume asked for by --volume that is not
    /// ready is an error (exit 1).
    Package {
        /// Volumes to pack (repeat); see --all
        #[arg(long, required_unless_present = "all")]
        volume: Vec<String>,
        /// Every ready volume: processed, indexed, with a 档号, not returned
        #[arg(long)]
        all: bool,
        #[arg(long)]
        out: PathBuf,
        /// Pack again even when a valid package exists
        #[arg(long)]
        force: bool,
        /// Print the 四性检测 reports as JSON
        #[arg(long)]
        json: bool,
    },
    /// Four-property check (四性检测) of packages; exit 0 when all pass, 1 otherwise
    Verify {
        #[arg(required = true)]
        packages: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Show or change the bureau's archive settings: 全宗号, 门类代码, default 保管期限, 档号 template
    ///
    /// Kept in bureau.json in the home. A change is checked before it is saved, and
    /// every indexed volume is indexed again so that its 档号 follows.
    Settings {
        /// 全宗号, letters and digits (e.g. J037); "" clears it
        #[arg(long)]
        fonds_code: Option<String>,
        /// 门类代码 (e.g. XZCF)
        #[arg(long)]
        category_code: Option<String>,
        /// 保管期限 used when a volume shows none: Y, D30 or D10
        #[arg(long)]
        retention: Option<String>,
        /// 档号 template; fields {全宗号} {门类代码} {年度} {保管期限} {案卷号:04}
        #[arg(long)]
        template: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Make a signing key for packages (set it in bureau.json as signing.key_file)
    Keygen {
        #[arg(long, value_enum, default_value_t = crate::model::settings::SigningAlgorithm::Sm2)]
        algorithm: crate::model::settings::SigningAlgorithm,
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure pages per minute of `process` beside the bare tesseract CLI on the same pages
    Bench {
        /// Page images or folders [default: the rendered sample volume]
        paths: Vec<PathBuf>,
        /// Workers, and parallel tesseract processes [default: one per core]
        #[arg(long)]
        jobs: Option<usize>,
        #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES)]
        lang: String,
        /// Only measure packaging's hashing (SHA-256 + SM3 of 500 MB)
        #[arg(long)]
        hashing: bool,
    },
}

pub fn open_home(cli_home: Option<PathBuf>) -> Result<Home> {
    Home::open(cli_home.unwrap_or_else(Home::default_root))
}

/// Runs a subcommand; returns the process exit code.
pub fn run(home: &Home, command: Command) -> Result<i32> {
    match command {
        Command::Import { paths, volume } => import(home, &paths, volume.as_deref()),
        Command::Process {
            volume,
            jobs,
            engine,
            lang,
            retry_failed,
            redo,
            reindex,
        } => {
            if redo {
                let cat = Catalogue::open(&home.catalogue_path())?;
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
            process(home, &opts)
        }
        Command::Page {
            volume,
            seq,
            rotate,
            skew,
            blank,
            auto,
        } => {
            let mut cat = Catalogue::open(&home.catalogue_path())?;
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
            let actor = crate::catalogue::current_actor();
            ops::decide_page(&mut cat, row.id, &o, &actor)?;
            eprintln!(
                "page {seq} of {volume} will be made again with {}; run `anjuan process`",
                serde_json::to_string(&o)?
            );
            Ok(0)
        }
        Command::Correct { volume, set, undo } => {
            let mut changes = set
                .iter()
                .map(|pair| ops::parse_correction(pair))
                .collect::<Result<Vec<_>>>()?;
            for key in &undo {
                changes.push((ops::edit::parse_target(key)?, None));
            }
            let mut cat = Catalogue::open(&home.catalogue_path())?;
            let actor = crate::catalogue::current_actor();
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
        Command::Volumes { json } => {
            let cat = Catalogue::open(&home.catalogue_path())?;
            let vols = cat.list_volumes()?;
            if json {
                let v: Vec<_> = vols
                    .iter()
                    .map(|v| serde_json::json!({"id": v.id, "name": v.name, "pages": v.pages, "done": v.done, "failed": v.failed, "status": v.status()}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for v in vols {
                    println!("{}\t{}\t{} pages\t{}", v.id, v.name, v.pages, v.status());
                }
            }
            Ok(0)
        }
        Command::Show { volume, json } => {
            let cat = Catalogue::open(&home.catalogue_path())?;
            let v = cat.volume_json(&volume)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{}  {} pages  {}", v.id, v.pages.len(), v.status);
                let fields = [
                    ("档号", v.archival_code.clone()),
                    ("题名", v.title.clone()),
                    ("当事人", v.party.clone()),
                    ("代码", v.party_id_code.clone()),
                    ("案由", v.case_cause.clone()),
                    ("立案日期", v.filed_date.clone()),
                    ("决定书文号", v.decision_no.clone()),
                    ("决定日期", v.decided_date.clone()),
                    ("罚款金额", v.fine_amount.map(|a| a.to_string())),
                    ("结案日期", v.closed_date.clone()),
                ];
                for (label, value) in fields.iter().filter(|f| f.1.is_some()) {
                    println!("  {label}: {}", value.as_deref().unwrap_or(""));
                }
                if !v.documents.is_empty() {
                    println!(
                        "  卷内目录 ({} 件 {} 页):",
                        v.item_count.unwrap_or(0),
                        v.page_count.unwrap_or(0)
                    );
                    for d in &v.documents {
                        let pages = match (d.page_no_from, d.page_no_to) {
                            (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                            (Some(a), _) => a.to_string(),
                            _ => String::new(),
                        };
                        println!(
                            "  {:>3}  p.{}-{}  {:<22} {:<24} {:<10} {}",
                            d.seq,
                            d.first_page,
                            d.last_page,
                            d.kind,
                            d.title.as_deref().unwrap_or(""),
                            d.date.as_deref().unwrap_or(""),
                            pages
                        );
                    }
                }
                for p in &v.pages {
                    let text = p.text.as_deref().unwrap_or("");
                    let first = text.lines().next().unwrap_or("");
                    println!(
                        "{:>4}  {:<16} {:>4} dpi  {:<7} {}",
                        p.seq,
                        p.source,
                        p.dpi.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                        p.color_mode.as_deref().unwrap_or(""),
                        first
                    );
                }
            }
            Ok(0)
        }
        Command::Search { query, json, limit } => {
            let cat = Catalogue::open(&home.catalogue_path())?;
            let hits = cat.search_all(&query, limit)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&hits)?);
            } else if hits.is_empty() {
                eprintln!("no page contains {query:?}");
            } else {
                for h in &hits {
                    match &h.field {
                        Some(f) => println!("{} p.{}\t[{f}] {}", h.volume, h.page, h.snippet),
                        None => println!("{} p.{}\t{}", h.volume, h.page, h.snippet),
                    }
                }
            }
            Ok(0)
        }
        Command::Package {
            volume,
            all,
            out,
            force,
            json,
        } => package(home, volume, all, &out, force, json),
        Command::Verify { packages, json } => {
            let mut all_passed = true;
            let mut reports = Vec::new();
            for p in &packages {
                match crate::package::verify::verify_package(p) {
                    Ok(v) => {
                        all_passed &= v.passed;
                        if !json {
                            print!("{}", v.text());
                        }
                        reports.push(serde_json::to_value(&v)?);
                    }
                    Err(e) => {
                        all_passed = false;
                        if !json {
                            println!("{}: 未通过 FAIL: {e:#}", p.display());
                        }
                        reports.push(serde_json::json!({"package": p, "passed": false, "error": format!("{e:#}")}));
                    }
                }
            }
            if json {
                let out = if reports.len() == 1 {
                    reports.remove(0)
                } else {
                    serde_json::Value::Array(reports)
                };
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            Ok(if all_passed { 0 } else { 1 })
        }
        Command::Scan {
            volume,
            device,
            source,
            resolution,
            mode,
            pages,
            before,
            replace,
            list,
            no_process,
            engine,
            jobs,
            backend_options,
        } => {
            if list {
                return list_scanners();
            }
            let settings = ScanSettings {
                device,
                source,
                resolution,
                mode,
                max_pages: pages,
                backend_options,
            };
            let opts = ProcessOptions::new(
                None,
                engine_choice(engine, crate::ocr::DEFAULT_LANGUAGES.into()),
                jobs.unwrap_or_else(jobs::default_workers),
            );
            let process = (!no_process).then_some(opts);
            scan(home, volume, settings, before, replace, process)
        }
        Command::Arrange {
            volume,
            move_pages,
            before,
            remove,
            insert,
            replace,
            with,
            restore,
            trash,
        } => arrange(
            home,
            &volume,
            Arrangement {
                move_pages,
                before,
                remove,
                insert,
                replace: replace.zip(with),
                restore,
                trash,
            },
        ),
        Command::Settings {
            fonds_code,
            category_code,
            retention,
            template,
            json,
        } => {
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
            if settings != before {
                ops::save_settings(home, &settings)?;
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
                println!(
                    "例 example\t{}",
                    settings
                        .example_code(year, 1)
                        .unwrap_or_else(|| "- (no 全宗号: volumes get no 档号)".into())
                );
            }
            Ok(0)
        }
        Command::Keygen { algorithm, out } => {
            let public = crate::package::sign::keygen(algorithm, &out)?;
            eprintln!(
                "wrote the secret key to {} (keep it safe); public key:",
                out.display()
            );
            println!("{public}");
            Ok(0)
        }
        Command::Review {
            sample: Some(percent),
            seed,
            json,
            ..
        } => {
            let cat = Catalogue::open(&home.catalogue_path())?;
            let states = cat.review_states()?;
            let candidates: Vec<String> = cat
                .list_volumes()?
                .into_iter()
                .filter(|v| v.status() == crate::model::VolumeStatus::Processed)
                .filter(|v| states.get(&v.id) != Some(&Verdict::Returned))
                .map(|v| v.id)
                .collect();
            let seed = seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64)
            });
            let picked = crate::review::acceptance_sample(&candidates, percent, seed);
            let actor = crate::catalogue::current_actor();
            cat.audit(
                &actor,
                "review_sample",
                None,
                &format!(
                    "{percent}% of {} with seed {seed}: {}",
                    candidates.len(),
                    picked.join(" ")
                ),
            )?;
            if json {
                let out = serde_json::json!({"percent": percent, "seed": seed, "of": candidates.len(), "volumes": picked});
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for v in &picked {
                    println!("{v}");
                }
            }
            eprintln!(
                "{} of {} processed volume(s) drawn for full inspection (seed {seed})",
                picked.len(),
                candidates.len()
            );
            Ok(0)
        }
        Command::Review {
            volume,
            json,
            mark,
            note,
            severity,
            resolve,
            approve,
            return_reason,
            ..
        } => {
            let volume = volume.context("--volume is needed")?;
            let cat = Catalogue::open(&home.catalogue_path())?;
            anyhow::ensure!(cat.volume_exists(&volume)?, "no volume {volume}");
            let actor = crate::catalogue::current_actor();
            // clap lets --mark and --resolve go together, and --approve or
            // --return alone; they are taken in that order.
            let mut actions = Vec::new();
            if let Some(seq) = mark {
                actions.push(ReviewAction::Mark {
                    page: (seq > 0).then_some(seq),
                    severity: severity.into(),
                    note: note.clone().unwrap_or_default(),
                });
            }
            if let Some(id) = resolve {
                actions.push(ReviewAction::Resolve(id));
            }
            if approve {
                // --approve excludes --mark, so a note here is the approval's remark.
                actions.push(ReviewAction::Decide {
                    verdict: Verdict::Approved,
                    reason: note.clone().unwrap_or_default(),
                });
            }
            if let Some(reason) = &return_reason {
                actions.push(ReviewAction::Decide {
                    verdict: Verdict::Returned,
                    reason: reason.clone(),
                });
            }
            for action in actions {
                let done = ops::review::act(&cat, &volume, action, &actor)?;
                let said = match (&done, &return_reason) {
                    (ReviewDone::Decided(Verdict::Returned), Some(reason)) => {
                        format!("{volume} returned: {reason}")
                    }
                    _ => done.describe(&volume),
                };
                eprintln!("{said}");
            }
            let rules = crate::review::ReviewRules::builtin();
            let review = crate::review::review_volume(&cat, &volume, rules)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&review)?);
            } else {
                for f in &review.findings {
                    let place = match (f.page, f.document) {
                        (Some(p), Some(d)) => format!("p.{p} 件{d}"),
                        (Some(p), None) => format!("p.{p}"),
                        (None, Some(d)) => format!("件{d}"),
                        (None, None) => "-".into(),
                    };
                    println!("{}\t{}\t{place}\t{}", f.severity, f.code, f.message);
                }
            }
            let status = match &review.decision {
                Some(d) => format!(
                    "{} by {} at {}{}{}",
                    d.decision,
                    d.by,
                    d.at,
                    if d.reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", d.reason)
                    },
                    if d.outdated {
                        ", the volume changed since"
                    } else {
                        ""
                    }
                ),
                None => "not reviewed".into(),
            };
            eprintln!(
                "{volume}: {} error(s), {} warning(s), {} note(s); {status}",
                review.count(Severity::Error),
                review.count(Severity::Warning),
                review.count(Severity::Info)
            );
            Ok(0)
        }
        Command::Export { volume, out } => {
            let cat = Catalogue::open(&home.catalogue_path())?;
            let store = Store::new(home.store_dir());
            let r = crate::package::export::export_volume(&cat, &store, &volume, &out)?;
            eprintln!(
                "wrote {} ({:.1} MB, images {:.1} MB) and {} text files",
                r.pdf.display(),
                r.pdf_bytes as f64 / 1e6,
                r.image_bytes as f64 / 1e6,
                r.texts.len()
            );
            println!("{}", r.pdf.display());
            Ok(0)
        }
        Command::Bench {
            paths,
            jobs,
            lang,
            hashing,
        } => {
            if hashing {
                crate::bench::hashing();
                return Ok(0);
            }
            crate::bench::run(&paths, jobs.unwrap_or_else(jobs::default_workers), &lang)?;
            Ok(0)
        }
    }
}

fn import(home: &Home, paths: &[PathBuf], volume: Option<&str>) -> Result<i32> {
    let mut cat = Catalogue::open(&home.catalogue_path())?;
    let store = Store::new(home.store_dir());
    let bar = progress_bar("导入 import");
    let cancel = CancelToken::new();
    let report = capture::import(&mut cat, &store, paths, volume, cancel.flag(), |p| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        bar.set_message(
            p.current
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    })?;
    bar.finish_and_clear();
    for f in &report.files {
        for w in &f.warnings {
            eprintln!("warning: {}: {w}", f.path.display());
        }
        match &f.outcome {
            Outcome::Failed { reason } => eprintln!("error: {}: {reason}", f.path.display()),
            Outcome::Skipped { reason } => eprintln!("skipped: {}: {reason}", f.path.display()),
            Outcome::AlreadyImported => eprintln!("already imported: {}", f.path.display()),
            Outcome::Imported { .. } => {}
        }
    }
    let failed = report.failures().count();
    match &report.volume_id {
        Some(v) => {
            eprintln!(
                "{} page(s) added to volume {v}; {failed} file(s) failed",
                report.pages_added
            );
            println!("{v}");
        }
        None => eprintln!("nothing was imported; {failed} file(s) failed"),
    }
    Ok(if failed > 0 || report.volume_id.is_none() {
        1
    } else {
        0
    })
}

fn progress_bar(prefix: &str) -> indicatif::ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} {per_sec} {eta} {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_string());
    bar
}

fn engine_choice(engine: EngineArg, languages: String) -> EngineChoice {
    match engine {
        EngineArg::Auto => EngineChoice::default(),
        EngineArg::Ppocr => EngineChoice::PpOcr,
        EngineArg::Tesseract => EngineChoice::Tesseract { languages },
        EngineArg::Fake => EngineChoice::Fake(FakeFactory::from_env()),
    }
}

fn list_scanners() -> Result<i32> {
    let devices = scanner::list_devices()?;
    if devices.is_empty() {
        eprintln!("no scanner found (is it switched on and connected?)");
        return Ok(1);
    }
    for d in devices {
        println!("{}\t{} {} ({})", d.name, d.vendor, d.model, d.kind);
        match scanner::capabilities(&d.name) {
            Ok(c) => println!(
                "\tsources: {}\n\tmodes: {}\n\tresolutions: {}",
                c.sources.join(", "),
                c.modes.join(", "),
                c.resolutions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(if c.resolutions.len() == 2 { ".." } else { ", " })
            ),
            Err(e) => println!("\t{e:#}"),
        }
    }
    Ok(0)
}

/// The id of the page at scan-order number `seq` of a volume.
fn page_id_at(cat: &Catalogue, volume: &str, seq: u32) -> Result<i64> {
    cat.pages(volume)?
        .iter()
        .find(|p| p.seq == seq)
        .map(|p| p.id)
        .with_context(|| format!("volume {volume} has no page {seq}"))
}

fn scan(
    home: &Home,
    volume: Option<String>,
    settings: ScanSettings,
    before: Option<u32>,
    replace: Option<u32>,
    process: Option<ProcessOptions>,
) -> Result<i32> {
    if settings.resolution < 200 {
        bail!(
            "{} dpi is below the 200 dpi that DA/T 31 allows for archive scans",
            settings.resolution
        );
    }
    if settings.resolution < 300 {
        eprintln!(
            "warning: {} dpi is below the 300 dpi that DA/T 31 asks for pages to be OCRed",
            settings.resolution
        );
    }
    let placement = {
        let cat = Catalogue::open(&home.catalogue_path())?;
        match (volume.as_deref(), before, replace) {
            (Some(v), Some(n), _) => Placement::Before(page_id_at(&cat, v, n)?),
            (Some(v), None, Some(n)) => Placement::Replace(page_id_at(&cat, v, n)?),
            _ => Placement::Append,
        }
    };
    let cancel = CancelToken::new();
    let bar = progress_bar("扫描 scan");
    let started = std::time::Instant::now();
    let (mut scanned, mut processed) = (0usize, 0usize);
    let request = ScanRequest {
        volume,
        settings,
        placement,
        process,
    };
    let report =
        pipeline::scan_and_process(home, &scanner::Sane, &request, &cancel, |e| match e {
            ScanEvent::Scanned { pages, .. } => {
                scanned = *pages;
                bar.set_message(format!("{scanned} scanned, {processed} processed"));
            }
            ScanEvent::Process(ProcessEvent::PageDone { .. }) => {
                processed += 1;
                bar.set_message(format!("{scanned} scanned, {processed} processed"));
            }
            ScanEvent::Process(ProcessEvent::PageFailed { seq, error, .. }) => {
                bar.suspend(|| eprintln!("error: page {seq}: {error}"))
            }
            ScanEvent::Process(ProcessEvent::WorkerFailed { error }) => {
                bar.suspend(|| eprintln!("error: {error}"))
            }
            _ => {}
        })?;
    bar.finish_and_clear();
    let Some(v) = &report.volume_id else {
        eprintln!(
            "error: nothing was scanned: {}",
            report
                .error
                .as_deref()
                .unwrap_or("the scanner delivered no page (is there paper in the feeder?)")
        );
        return Ok(1);
    };
    eprintln!(
        "{} page(s) scanned into volume {v} in {:.1} s",
        report.pages.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{v}");
    if let Some(e) = &report.error {
        eprintln!(
            "error: the scanner stopped: {e}\nthe {} page(s) scanned before are kept; scan the rest into the same volume (--volume {v})",
            report.pages.len()
        );
        return Ok(1);
    }
    if report.pages.is_empty() {
        eprintln!("error: the scanner delivered no page (is there paper in the feeder?)");
        return Ok(1);
    }
    Ok(0)
}

/// What `anjuan arrange` was asked to do.
struct Arrangement {
    move_pages: Option<String>,
    before: Option<u32>,
    remove: Option<String>,
    insert: Option<PathBuf>,
    replace: Option<(u32, PathBuf)>,
    restore: bool,
    trash: bool,
}

/// `5`, `5,7`, `5-8,10` → page numbers.
fn parse_pages(spec: &str) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("{part:?} is not a page number or range like 5-8");
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (
                    a.trim().parse().with_context(bad)?,
                    b.trim().parse().with_context(bad)?,
                );
                if a > b {
                    bail!("{part:?}: the range runs backwards");
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().with_context(bad)?),
        }
    }
    if out.is_empty() {
        bail!("no pages given");
    }
    Ok(out)
}

fn arrange(home: &Home, volume: &str, a: Arrangement) -> Result<i32> {
    let mut cat = Catalogue::open(&home.catalogue_path())?;
    if !cat.volume_exists(volume)? {
        bail!("no volume {volume} in {}", home.root().display());
    }
    if a.trash {
        for t in cat.trashed_pages(volume)? {
            println!(
                "{}\twas page {}\tremoved {} by {}\tmaster {}",
                t.trash_id,
                t.seq,
                t.removed_at,
                t.actor,
                &t.master_sha256[..12.min(t.master_sha256.len())]
            );
        }
        return Ok(0);
    }
    // New pages wait for `process`; otherwise the index follows the new order now.
    let message = ops::arrange_then_reindex(home, &mut cat, volume, |cat| {
        rearrange(home, cat, volume, &a)
    })?;
    eprintln!("{message}");
    Ok(0)
}

/// Does what `arrange` was asked; returns what to tell the clerk.
fn rearrange(home: &Home, cat: &mut Catalogue, volume: &str, a: &Arrangement) -> Result<String> {
    let actor = crate::catalogue::current_actor();
    let ids = |cat: &Catalogue, spec: &str| -> Result<Vec<i64>> {
        parse_pages(spec)?
            .into_iter()
            .map(|n| page_id_at(cat, volume, n))
            .collect()
    };
    let before = a.before.map(|n| page_id_at(cat, volume, n)).transpose()?;
    let store = Store::new(home.store_dir());
    Ok(if let Some(spec) = &a.move_pages {
        let ids = ids(cat, spec)?;
        cat.move_pages(volume, &ids, before, &actor)?;
        format!("{} page(s) moved", ids.len())
    } else if let Some(spec) = &a.remove {
        let ids = ids(cat, spec)?;
        let n = cat.remove_pages(volume, &ids, &actor)?;
        format!(
            "{n} page(s) moved to the trash (anjuan arrange --volume {volume} --restore puts them back)"
        )
    } else if let Some(file) = &a.insert {
        let place = before.map_or(Placement::Append, Placement::Before);
        let ids = capture::add_file_at(cat, &store, volume, file, place, &actor)?;
        format!("{} page(s) inserted", ids.len())
    } else if let Some((n, file)) = &a.replace {
        let old = page_id_at(cat, volume, *n)?;
        let ids = capture::add_file_at(cat, &store, volume, file, Placement::Replace(old), &actor)?;
        format!(
            "page {n} replaced by {} page(s); the old one is in the trash",
            ids.len()
        )
    } else if a.restore {
        let all: Vec<i64> = cat
            .trashed_pages(volume)?
            .iter()
            .map(|t| t.trash_id)
            .collect();
        let n = cat.restore_pages(volume, &all, &actor)?;
        format!("{n} page(s) put back")
    } else {
        String::new()
    })
}

/// `anjuan package`: every ready volume (`--all`; the others named with their
/// reason) or the volumes asked for (one that is not ready is an error).
fn package(
    home: &Home,
    volumes: Vec<String>,
    all: bool,
    out: &std::path::Path,
    force: bool,
    json: bool,
) -> Result<i32> {
    let selection = if all {
        ops::package::Selection::AllReady
    } else {
        ops::package::Selection::Volumes(volumes)
    };
    let bar = progress_bar("打包 package");
    let outcomes = ops::pack_batch(
        home,
        &selection,
        out,
        force,
        &CancelToken::new(),
        |e| match e {
            ops::PackEvent::Started { total } => bar.set_length(total as u64),
            ops::PackEvent::Packing { done, volume } => {
                bar.set_position(done as u64);
                bar.set_message(volume);
            }
            ops::PackEvent::Outcome(_) => {}
        },
    )?;
    bar.finish_and_clear();
    let mut failed = 0;
    for o in &outcomes {
        let v = o.volume.as_deref().unwrap_or("?");
        match (&o.not_ready, &o.error, &o.verification) {
            (Some(why), _, _) => {
                // Asked for by name, a volume that cannot be packed is an error.
                if all {
                    eprintln!("left out: {v} {}", why.explain(v));
                } else {
                    failed += 1;
                    eprintln!("error: {v} {}", why.explain(v));
                }
            }
            (None, Some(e), _) => {
                failed += 1;
                eprintln!("error: {v}: {e}");
            }
            (None, None, Some(check)) => {
                eprintln!(
                    "{v}: {} {}",
                    if o.reused {
                        "kept valid package"
                    } else {
                        "packed"
                    },
                    if check.passed {
                        "四性检测通过"
                    } else {
                        "四性检测未通过"
                    }
                );
                if !check.passed {
                    failed += 1;
                }
                if let Some(p) = &o.path {
                    println!("{}", p.display());
                }
            }
            (None, None, None) => {}
        }
    }
    let packed = outcomes.iter().filter(|o| o.verification.is_some()).count();
    let left_out = outcomes.iter().filter(|o| o.not_ready.is_some()).count();
    eprintln!(
        "{packed} package(s) in {}; {left_out} volume(s) left out, {failed} failed",
        out.display()
    );
    if json {
        let reports: Vec<_> = outcomes
            .iter()
            .filter_map(|o| o.verification.as_ref())
            .collect();
        eprintln!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn process(home: &Home, opts: &ProcessOptions) -> Result<i32> {
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
