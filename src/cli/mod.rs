//! The command line (DESIGN.md §5): the same library as the workstation, headless.
//!
//! Each command has its own clap `Args` struct beside its handler, by family:
//! [`intake`] (import, scan, arrange), [`work`] (process, page, correct,
//! settings, keygen, bench), [`browse`] (volumes, show, search, export),
//! [`review`] and [`package`] (package, verify). Handlers parse what was asked
//! for, call [`crate::ops`] and print what came of it; [`run`] returns the exit
//! code. Actions that exclude each other are clap groups or conflicts (so
//! `review --volume ID`, the DESIGN contract, keeps its shape), closed sets are
//! value enums.

mod browse;
mod intake;
mod package;
mod review;
mod work;

// The imports below are shared by the command files (`use super::*`).
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

    /// Who is working, recorded as the actor of what is done [default: the OS account;
    /// the workstation asks]
    #[arg(long, global = true, env = "ANJUAN_OPERATOR")]
    pub operator: Option<String>,

    /// The catalogue: a room's shared PostgreSQL (`postgres://user@host:port/db`)
    /// instead of the home's own SQLite file; the page store stays the home's
    /// folder, which a room's seats share (a NAS)
    #[arg(long, global = true, env = "ANJUAN_CATALOGUE", value_name = "URL")]
    pub catalogue: Option<String>,

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

/// `--from` / `--to`: decisions dated between two days (inclusive).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DateRange {
    /// Decisions dated on or after (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Decisions dated on or before (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

impl DateRange {
    /// The two days, checked.
    pub fn checked(&self) -> Result<(Option<&str>, Option<&str>)> {
        for d in [&self.from, &self.to].into_iter().flatten() {
            anyhow::ensure!(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok(),
                "{d}: a date is written YYYY-MM-DD"
            );
        }
        Ok((self.from.as_deref(), self.to.as_deref()))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import folders (natural file-name order), images (JPEG, PNG, TIFF incl. multi-page) and PDFs; prints the volume id
    Import(intake::ImportArgs),
    /// Scan from a SANE scanner into a volume; each sheet is imported as it arrives
    /// and processed meanwhile. A jam or lost device stops the batch and keeps the
    /// pages scanned so far.
    Scan(intake::ScanArgs),
    /// Rearrange a volume's pages: move, remove (to the trash), restore, insert or
    /// replace from a file. Masters are never touched; the clerk's decisions move
    /// with their pages.
    ///
    /// PAGES are scan-order numbers: `5`, `5,7`, `5-8`.
    Arrange(intake::ArrangeArgs),
    /// Run every pending stage (imaging, OCR) in the background pool; resumable
    Process(work::ProcessArgs),
    /// A room's processing worker: takes pending pages from the shared catalogue
    /// with a lease (renewed while it works), processes and commits them, indexes
    /// each volume when its last page is through; run any number, on any machine
    ///
    /// A worker that is killed loses nothing: its pages go to another worker when
    /// its lease runs out (ANJUAN_LEASE_SECS, default 60), each committed once.
    Worker(work::WorkerArgs),
    /// A room's seats on one volume: claim a stage (scan 扫描, index 著录, review
    /// 质检) while you work on it, release it, or as a supervisor take it over;
    /// --list shows who holds what and each volume's version
    ///
    /// While a stage is held, the others' edits of it are refused, naming the holder.
    Claim(work::ClaimArgs),
    /// Decide for a page yourself: turn, straighten, mark blank (wins over the automatic decision; the master is untouched)
    Page(work::PageArgs),
    /// Confirm or correct the indexing (著录) of a volume; your values win over every automatic pass.
    ///
    /// KEY=VALUE pairs: a volume field (party, party_id_code, filed_date, decision_no, fine_amount,
    /// archival_code, title, …), `doc:N:title|doc_no|responsible|date` for the document starting
    /// on scanned page N, `start:N=yes|no` to split or merge at page N, `kind:N=decision` for a
    /// document's kind. An empty VALUE clears a field; --undo KEY gives it back to the machine.
    Correct(work::CorrectArgs),
    /// List the volumes of the home: id, 档号 · 题名 (or 当事人), pages, stage, open findings
    Volumes(browse::VolumesArgs),
    /// Show one volume (the JSON of DESIGN.md §4 with --json)
    Show(browse::ShowArgs),
    /// Search the catalogue fields (著录项) and page text (1- and 2-character Chinese queries too)
    Search(browse::SearchArgs),
    /// 统计: volumes and decisions, fines and confiscations, cases by heaviest penalty, time from 立案 to 决定, 评查 grades, findings, stages, 著录差错率 of the 一稿双录
    Stats(browse::StatsArgs),
    /// Findings of a volume: image quality (DA/T 31), catalogue against images, statutory and formal checks; its 评查 score, the reviewer's marks, score changes and decision; 评查表 (--sheet)
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
    Review(review::ReviewArgs),
    /// Write the volume's searchable PDF and one text file per page into DIR
    Export(browse::ExportArgs),
    /// Build the archive package (BagIt zip named after the 档号) of volumes, check it (四性检测) and print its path
    ///
    /// A valid package already in DIR is kept unless --force. The zip is written under a
    /// temporary name and renamed only after it passed its check.
    ///
    /// With --all, every volume that is ready is packed and each one left out is
    /// named with its reason (not processed, no 档号, returned by the reviewer, …);
    /// exit 0 unless a package failed. A volume asked for by --volume that is not
    /// ready is an error (exit 1).
    Package(package::PackageArgs),
    /// Four-property check (四性检测) of packages; exit 0 when all pass, 1 otherwise
    Verify(package::VerifyArgs),
    /// 双公示: the penalty decisions as the national 行政处罚信息 table (CSV or XLSX) for the credit platform
    ///
    /// One row per 行政处罚决定书, with the platform's column names; amounts in
    /// 万元; 公示截止期 from the decision date and the publication periods of the
    /// rules (assets/package/publicity.json, or publicity.json in the home); a
    /// natural person's ID number masked. What the rules exclude (仅警告, 简易程序)
    /// is left out and counted; a required column the file does not yield is
    /// named with its volume, never guessed (exit 1 then; the table is written).
    /// The bureau's own codes come from bureau.json's `publicity`.
    Publicity(package::PublicityArgs),
    /// 移交接收登记表: the register of a batch of packages (PDF and XLSX), each verified again first
    ///
    /// Totals (案卷, 文件, 数据量 in GB), 载体 在线, the four properties over the
    /// batch, each package's SM3, lines for who filled it in and who checked it.
    /// A package that fails 四性检测 is named and left out (exit 1).
    Handover(package::HandoverArgs),
    /// Upload packages to the platform's object storage (S3), resumable, with
    /// receipts; a package that fails its 四性检测 is refused
    Upload(package::UploadArgs),
    /// Show or change the bureau's archive settings: 全宗号, 门类代码, default 保管期限, 档号 template, whether packing needs 质检's approval or 一稿双录, and its codes for 双公示
    ///
    /// Kept in bureau.json in the home. A change is checked before it is saved, and
    /// every indexed volume is indexed again so that its 档号 follows.
    Settings(work::SettingsArgs),
    /// Make a signing key for packages (set it in bureau.json as signing.key_file)
    Keygen(work::KeygenArgs),
    /// Measure pages per minute of `process` beside the bare tesseract CLI on the same pages
    Bench(work::BenchArgs),
}

pub fn open_home(
    cli_home: Option<PathBuf>,
    operator: Option<&str>,
    catalogue: Option<&str>,
) -> Result<Home> {
    let home =
        Home::open(cli_home.unwrap_or_else(Home::default_root))?.with_catalogue(catalogue)?;
    Ok(match operator {
        Some(name) => home.with_operator(&crate::model::operators::Operators::check(name)?),
        None => home,
    })
}

/// Runs a subcommand; returns the process exit code.
pub fn run(home: &Home, command: Command) -> Result<i32> {
    match command {
        Command::Import(args) => intake::import(home, args),
        Command::Scan(args) => intake::scan(home, args),
        Command::Arrange(args) => intake::arrange(home, args),
        Command::Process(args) => work::process(home, args),
        Command::Worker(args) => work::worker(home, args),
        Command::Claim(args) => work::claim(home, args),
        Command::Page(args) => work::page(home, args),
        Command::Correct(args) => work::correct(home, args),
        Command::Volumes(args) => browse::volumes(home, args),
        Command::Show(args) => browse::show(home, args),
        Command::Search(args) => browse::search(home, args),
        Command::Stats(args) => browse::stats(home, args),
        Command::Review(args) => review::review(home, args),
        Command::Export(args) => browse::export(home, args),
        Command::Package(args) => package::package(home, args),
        Command::Verify(args) => package::verify(args),
        Command::Publicity(args) => package::publicity(home, args),
        Command::Handover(args) => package::handover(home, args),
        Command::Upload(args) => package::upload(home, args),
        Command::Settings(args) => work::settings(home, args),
        Command::Keygen(args) => work::keygen(args),
        Command::Bench(args) => work::bench(args),
    }
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

/// The id of the page at scan-order number `seq` of a volume.
fn page_id_at(cat: &Catalogue, volume: &str, seq: u32) -> Result<i64> {
    cat.pages(volume)?
        .iter()
        .find(|p| p.seq == seq)
        .map(|p| p.id)
        .with_context(|| format!("volume {volume} has no page {seq}"))
}
