//! Application state and the one place where commands take effect.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::i18n::Texts;
use super::images::ImageCache;
use super::prefs::Prefs;
use super::tasks::{self, RunningTask, TaskContext, TaskEvent, TaskSpec};
use crate::capture::Outcome;
use crate::capture::scanner::{Capabilities, Device, ScanSettings};
use crate::catalogue::{Catalogue, PageRow, Placement, VolumeSummary};
use crate::home::Home;
use crate::imaging::Overrides;
use crate::indexing::Target;
use crate::jobs;
use crate::model::PageState;
use crate::model::operators::Operators;
use crate::ocr::EngineChoice;
use crate::ops;
use crate::ops::arrange::Arrangement;
use crate::ops::pipeline::ProcessEvent;
use crate::ops::review::ReviewAction;
use crate::store::Store;

/// How the workstation runs (tests choose a fake engine, a fake scanner and no
/// sample).
#[derive(Clone)]
pub struct AppConfig {
    /// The scanner system (SANE through `scanimage`; a fake in tests).
    pub scanner: std::sync::Arc<dyn crate::capture::scanner::Scanner>,
    pub engine: EngineChoice,
    pub workers: usize,
    /// Offer the bundled sample volume on a home that has none.
    pub offer_sample: bool,
    /// Process pages right after they are imported.
    pub process_after_import: bool,
    /// Ask who is working when the workstation starts (the last one offered).
    pub ask_operator: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            scanner: std::sync::Arc::new(crate::capture::scanner::Sane),
            engine: EngineChoice::default(),
            workers: jobs::default_workers(),
            offer_sample: true,
            process_after_import: true,
            ask_operator: true,
        }
    }
}

/// What views ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open the chooser of who is working.
    AskOperator,
    /// `name` is working from now on (recorded as the actor of everything done).
    ChooseOperator(String),
    SelectVolume(String),
    OpenPage(i64),
    /// Back to the grid, which shows the page that was open.
    ClosePage,
    /// Scroll the 采集 grid to a page.
    RevealPage(i64),
    StepPage(i32),
    OpenImportDialog,
    CloseImportDialog,
    Import {
        paths: Vec<PathBuf>,
        into_current: bool,
    },
    Process,
    CancelTask,
    ToggleLang,
    DismissMessage,
    /// The clerk's decision for a page (turn, blank); the page is made again.
    Override {
        page_id: i64,
        overrides: Overrides,
    },
    SetScreen(Screen),
    /// A clerk's indexing value (`None` gives it back to the machine).
    Correct {
        target: Target,
        value: Option<String>,
    },
    /// 著录: a document boundary dragged from the first page `from` to page `to`
    /// (onto another boundary: the documents merge).
    MoveBoundary {
        from: u32,
        to: u32,
    },
    /// 著录: show this scanned page (seq) of the current volume.
    ShowIndexPage(u32),
    /// 检索: run a search over all volumes.
    Search(String),
    /// 检索: open a hit's page in the viewer.
    OpenHit {
        volume: String,
        page: u32,
    },
    /// 打包: build the packages of these volumes in the background.
    Package {
        volumes: Vec<String>,
        force: bool,
    },
    /// 打包: check a package in the outbox again.
    VerifyPackage(PathBuf),
    /// 采集: choose pages (Ctrl: add or take away one; Shift: a run from the last).
    SelectPage {
        id: i64,
        toggle: bool,
        range: bool,
    },
    SelectAll,
    ClearSelection,
    /// 采集: move pages before another page (None: to the end).
    MovePages {
        ids: Vec<i64>,
        before: Option<i64>,
    },
    /// 采集: remove pages into the volume's trash.
    RemovePages(Vec<i64>),
    /// 采集: put trashed pages back.
    RestorePages(Vec<i64>),
    ShowTrash(bool),
    /// 采集: a file's pages into the current volume at a place (insert, replace).
    AddFile {
        path: PathBuf,
        placement: Placement,
    },
    /// Open the import dialog to insert before / replace a page from a file.
    OpenPlaceFileDialog(Placement),
    OpenScanDialog(Placement),
    CloseScanDialog,
    /// Scan into the current volume (or a new one) at a place.
    Scan {
        settings: ScanSettings,
        new_volume: bool,
        placement: Placement,
    },
    /// The clerk's decision for several pages at once.
    OverrideMany(Vec<(i64, Overrides)>),
    /// 设置: save the bureau's archive settings; every volume is indexed again.
    SaveBureauSettings(Box<crate::indexing::BureauSettings>),
    /// 质检: mark a defect on a page (seq) or the whole volume (None).
    MarkDefect {
        seq: Option<u32>,
        severity: crate::model::Severity,
        note: String,
    },
    /// 质检: the marked defect was mended.
    ResolveMark(i64),
    /// 质检: `approved` or `returned`, with the reason.
    DecideReview {
        decision: crate::model::Verdict,
        reason: String,
    },
    /// 评查: take `points` more off an item of the score sheet (negative: give
    /// back), with the reason.
    AdjustScore {
        item: String,
        points: f64,
        reason: String,
    },
    /// 评查表 of the current volume, as PDF in the home's 评查表 folder.
    WriteScoreSheet,
    /// Open the page with this seq of the current volume in the viewer.
    OpenPageSeq(u32),
    /// 统计 again (after the grouping changed).
    RecountStats,
    /// 质检 shows the 评查 sheet (true) or the findings.
    ShowScoreSheet(bool),
    /// 著录's side column shows this tab.
    ShowIndexTab(IndexTab),
    /// Claim a stage of the current volume for the operator.
    Claim(crate::model::Stage),
    /// Give a stage of the current volume back.
    ReleaseClaim(crate::model::Stage),
    /// A supervisor takes a stage of the current volume over.
    TakeOverClaim(crate::model::Stage),
    /// 移交接收登记表 of the outbox's packages that passed.
    Handover,
    /// 上传: the outbox's packages that passed, to the platform (`upload.target`).
    Upload,
    /// 一稿双录: the current operator keys decisive fields a second time
    /// (field, value as typed).
    KeySecond(Vec<(String, String)>),
    /// 一稿双录: a third person settles disagreements (field, value).
    SettleSecond(Vec<(String, String)>),
}

/// The workstation's screens (DESIGN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// 采集: thumbnails, viewer, imaging decisions.
    #[default]
    Capture,
    /// 著录: documents, fields, 卷内目录.
    Index,
    /// 检索: full-text and field search.
    Search,
    /// 质检: findings, the page with its OCR text, defect marks, approve / return.
    Review,
    /// 统计: counts and sums of the home's enforcement, as charts.
    Stats,
    /// 打包: archive packages, their 四性检测 reports, the outbox.
    Package,
    /// 设置: 全宗号, 档号 template, language.
    Settings,
}

/// The import dialog's own state.
#[derive(Debug, Clone)]
pub struct ImportDialog {
    pub path: String,
    pub dir: PathBuf,
    pub into_current: bool,
    /// Set when the file goes to a place in the current volume (insert/replace).
    pub placement: Option<Placement>,
}

/// Scanners found, or why none could be listed.
pub type DeviceList = Result<Vec<(Device, Capabilities)>, String>;

/// The scan dialog: devices (listed in the background), source, resolution, mode.
pub struct ScanDialog {
    pub placement: Placement,
    pub new_volume: bool,
    pub devices: Option<DeviceList>,
    pub listing: Option<std::sync::mpsc::Receiver<DeviceList>>,
    pub settings: ScanSettings,
}

/// Transient UI state, one struct per screen (views read and edit their own;
/// what changes the catalogue goes through a [`Command`]).
#[derive(Default)]
pub struct ViewState {
    pub screen: Screen,
    /// The chooser of who is working, with the name being typed (Some while open).
    pub operator: Option<String>,
    pub volumes: VolumeListState,
    /// The volume every screen works on, and the page the viewer shows.
    pub volume: Option<String>,
    pub page: Option<i64>,
    pub viewer: ViewerState,
    pub capture: CaptureState,
    pub index: IndexState,
    pub search: SearchState,
    pub package: PackageState,
    pub settings: SettingsState,
    pub review: ReviewState,
    pub stats: StatsState,
}

/// 统计: the grouping, the figures (made in the background) and the bar clicked.
#[derive(Default)]
pub struct StatsState {
    pub by: crate::ops::stats::GroupBy,
    pub figures: Option<Result<crate::ops::stats::Stats, String>>,
    pub job: Option<std::sync::mpsc::Receiver<Result<crate::ops::stats::Stats, String>>>,
    /// The bar clicked: its title and the volumes it counts.
    pub picked: Option<(String, Vec<String>)>,
}

/// The volume list: filter, stage, year and order.
#[derive(Default)]
pub struct VolumeListState {
    /// Text to find in 档号, 题名, 当事人 or the id.
    pub filter: String,
    pub stage: Option<crate::ops::overview::Stage>,
    pub year: Option<i32>,
    pub order: VolumeOrder,
}

/// How the volume list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VolumeOrder {
    /// As imported.
    #[default]
    Imported,
    ArchivalCode,
    Party,
    /// Most open errors first.
    Findings,
    /// Least advanced first (what waits for work).
    Stage,
}

impl ViewerState {
    /// Fit the page (and the master beside it) to the space again.
    pub fn refit(&mut self) {
        self.scene_rect = egui::Rect::ZERO;
        self.original_rect = egui::Rect::ZERO;
    }
}

/// The page viewer, shared by the screens that show a page.
pub struct ViewerState {
    pub scene_rect: egui::Rect,
    /// The master's view when it is shown beside the page.
    pub original_rect: egui::Rect,
    pub show_boxes: bool,
    /// Show the master as scanned instead of the working image.
    pub show_original: bool,
    pub hovered_line: Option<usize>,
}

impl Default for ViewerState {
    fn default() -> Self {
        ViewerState {
            // An invalid rect makes the viewer fit the page.
            scene_rect: egui::Rect::ZERO,
            original_rect: egui::Rect::ZERO,
            show_boxes: false,
            show_original: false,
            hovered_line: None,
        }
    }
}

/// 采集: the dialogs, chosen pages (and the one a Shift-click runs from), the trash.
#[derive(Default)]
pub struct CaptureState {
    pub import_dialog: Option<ImportDialog>,
    pub scan_dialog: Option<ScanDialog>,
    pub selected: std::collections::BTreeSet<i64>,
    pub select_anchor: Option<i64>,
    pub trash_open: bool,
    pub trash: Vec<crate::catalogue::TrashedPage>,
    /// The trashed pages as they were, by trash id (for their thumbnails).
    pub trash_rows: std::collections::BTreeMap<i64, PageRow>,
    /// A page the grid scrolls to on its next frame.
    pub reveal: Option<i64>,
    /// Each grid row's height as last drawn (only rows in sight are drawn),
    /// for `grid_columns` pages a row.
    pub row_heights: Vec<f32>,
    pub grid_columns: usize,
}

/// What the 著录 screen's side column shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IndexTab {
    #[default]
    Form,
    Documents,
    Contents,
    /// 一稿双录: the decisive fields keyed blind, and the settling of disagreements.
    DoubleEntry,
}

/// 著录.
#[derive(Default)]
pub struct IndexState {
    pub tab: IndexTab,
    /// The scanned page shown (seq).
    pub page: Option<u32>,
    /// The form's text being edited, by correction key; dropped when the index changes.
    pub edits: std::collections::BTreeMap<String, String>,
    /// The field whose source box the viewer outlines (correction key).
    pub focused_field: Option<String>,
    /// Give this field the keyboard focus on the next frame.
    pub focus_request: Option<String>,
    /// 双录: the second keying being typed, and a settler's own values, by field.
    pub second_edits: std::collections::BTreeMap<String, String>,
    pub settle_edits: std::collections::BTreeMap<String, String>,
}

/// 检索.
#[derive(Default)]
pub struct SearchState {
    pub query: String,
    /// Filters of the hits: the volume's year, a few characters of its party or 案由.
    pub year: Option<i32>,
    pub party: String,
    pub cause: String,
    /// …and the kind of the document a hit is in.
    pub kind: Option<String>,
    /// The kind of the document of each hit (volume, page), from the volumes' indexes.
    pub kinds: std::collections::BTreeMap<(String, u32), String>,
    pub hits: Vec<crate::catalogue::SearchHit>,
    /// The hit whose page is shown, with its query terms to outline.
    pub open: Option<(String, u32)>,
}

/// 打包.
#[derive(Default)]
pub struct PackageState {
    /// Volumes ticked (None until the screen first shows: then the ready ones).
    pub selection: Option<std::collections::BTreeSet<String>>,
    pub out: String,
    pub force: bool,
    /// Results of this session, newest last; the one whose report is open.
    pub results: Vec<super::tasks::PackageOutcome>,
    pub report: Option<usize>,
    /// The 移交接收登记表 being made (packages are verified again, off the UI
    /// thread): what to say when it is done.
    pub handover: Option<std::sync::mpsc::Receiver<String>>,
}

/// 设置: the settings as the clerk is editing them (loaded when the screen
/// opens), and as they were last loaded or saved.
#[derive(Default)]
pub struct SettingsState {
    pub draft: Option<crate::indexing::BureauSettings>,
    pub saved: Option<crate::indexing::BureauSettings>,
}

/// 质检: the defect note being typed, its severity, a return reason, and the
/// reason being typed to approve over open errors (Some while asking).
pub struct ReviewState {
    /// The finding last clicked (highlighted in the list).
    pub chosen: Option<crate::model::Finding>,
    pub note: String,
    pub severity: crate::model::Severity,
    pub reason: String,
    pub approve_over_errors: Option<String>,
    /// Stepped to by keyboard: its group opens and the list scrolls to it.
    pub keyed: bool,
    /// 批准 was asked for by keyboard: the reason field takes the keys.
    pub focus_reason: bool,
    /// The 评查 sheet is shown instead of the findings.
    pub sheet_tab: bool,
    /// 评查: the item being changed, the points and the reason typed.
    pub score_item: Option<String>,
    pub score_points: f64,
    pub score_reason: String,
}

impl Default for ReviewState {
    fn default() -> Self {
        ReviewState {
            chosen: None,
            note: String::new(),
            severity: crate::model::Severity::Error,
            reason: String::new(),
            approve_over_errors: None,
            keyed: false,
            focus_reason: false,
            sheet_tab: false,
            score_item: None,
            score_points: 1.0,
            score_reason: String::new(),
        }
    }
}

/// Cached reads of the catalogue for the views.
#[derive(Debug, Default)]
pub struct CaseData {
    pub volumes: Vec<VolumeSummary>,
    /// The volume list's rows (档号, 题名, stage, open findings), made in the
    /// background; empty until the first are ready.
    pub rows: Vec<crate::ops::overview::VolumeRow>,
    pub pages: Vec<PageRow>,
    /// The selected volume's index (documents, fields), once indexed.
    pub index: Option<crate::indexing::VolumeIndex>,
    /// 档号 of every indexed volume (None: indexed without one).
    pub archival_codes: std::collections::BTreeMap<String, Option<String>>,
    /// The outbox: packages built.
    pub packages: Vec<crate::catalogue::PackageRow>,
    /// Upload receipts, newest first.
    pub receipts: Vec<crate::catalogue::UploadReceipt>,
    /// The selected volume's review: quality, indexing and statutory findings,
    /// the reviewer's marks and decision.
    pub review: Option<crate::review::Review>,
    /// The selected volume's 评查 score on the home's sheet.
    pub score: Option<crate::review::scoring::Score>,
    /// The selected volume's 一稿双录, field by field.
    pub double_entry: Vec<crate::review::double_entry::FieldEntry>,
    /// Who holds which stage of the selected volume (a room's seats).
    pub claims: Vec<crate::catalogue::Claim>,
    /// Whether the operator is one of the bureau's supervisors (may take a
    /// claim over).
    pub supervisor: bool,
    /// Every volume: may it be packed now, or why not (the packer's rule).
    pub readiness: std::collections::BTreeMap<String, Result<(), crate::package::ready::NotReady>>,
    /// The latest review decision of every reviewed volume.
    pub review_states: std::collections::BTreeMap<String, crate::model::Verdict>,
}

pub struct WorkstationApp {
    pub(crate) home: Home,
    catalogue: Catalogue,
    pub(crate) config: AppConfig,
    pub(crate) prefs: Prefs,
    pub(crate) view: ViewState,
    pub(crate) data: CaseData,
    pub(crate) images: ImageCache,
    pub(crate) task: Option<RunningTask>,
    queue: VecDeque<TaskSpec>,
    pub(crate) messages: Vec<String>,
    commands: Vec<Command>,
    egui: egui::Context,
    volumes_dirty_since: Option<Instant>,
    /// Who works in this home (`operators.json`).
    pub(crate) operators: Operators,
    /// The 评查 score sheet (the bureau's `scoring.json`, else the shipped one).
    pub(crate) sheet: crate::review::scoring::ScoreSheet,
    /// The screenshot tour, when asked for.
    pub(crate) tour: Option<super::tour::Tour>,
    /// The frame probe, when asked for (`anjuan bench --frames`).
    pub(crate) probe: Option<super::frame_probe::FrameProbe>,
    /// The volume list's rows being made (the latest request wins).
    rows_job:
        Option<std::sync::mpsc::Receiver<Result<Vec<crate::ops::overview::VolumeRow>, String>>>,
    /// On a room's catalogue: what the other seats and workers did, read by a
    /// watcher thread every few seconds (volume counts, last audited edit).
    room_watch: Option<std::sync::mpsc::Receiver<RoomActivity>>,
    room_last_audit: Option<i64>,
    /// The selected volume being read in the background, and which read of it
    /// is the latest.
    volume_job: Option<std::sync::mpsc::Receiver<VolumeRead>>,
    volume_generation: u64,
}

/// The selected volume's 著录 and review as the screens show them, read together.
struct IndexRead {
    /// The volume's version when read (a room's catalogue).
    version: Option<i64>,
    claims: Vec<crate::catalogue::Claim>,
    supervisor: bool,
    index: Option<crate::indexing::VolumeIndex>,
    review: Option<crate::review::Review>,
    score: Option<crate::review::scoring::Score>,
    double_entry: Vec<crate::review::double_entry::FieldEntry>,
}

impl IndexRead {
    fn of(
        catalogue: &Catalogue,
        home: &Home,
        sheet: &crate::review::scoring::ScoreSheet,
        v: &str,
    ) -> IndexRead {
        // The version first: what is read below is at least that new.
        let version = catalogue
            .is_shared()
            .then(|| catalogue.volume_version(v).ok())
            .flatten();
        let review =
            match crate::review::review_volume(catalogue, v, crate::review::ReviewRules::builtin())
            {
                Ok(review) => Some(review),
                Err(e) => {
                    tracing::warn!("review of {v}: {e:#}");
                    None
                }
            };
        IndexRead {
            version,
            claims: catalogue.claims(Some(v)).unwrap_or_default(),
            supervisor: crate::model::settings::BureauSettings::load(&home.bureau_path())
                .map(|s| s.supervisors.iter().any(|n| n == home.operator()))
                .unwrap_or(false),
            index: catalogue.volume_index(v).ok().flatten(),
            score: review
                .as_ref()
                .and_then(|r| ops::review::score_review(catalogue, sheet, r).ok()),
            review,
            double_entry: crate::review::double_entry::field_entries(catalogue, v)
                .unwrap_or_default(),
        }
    }
}

/// The selected volume read in the background.
struct VolumeRead {
    /// Which read this is (a later one, or one on the UI thread, wins).
    generation: u64,
    volume: String,
    pages: Vec<PageRow>,
    index: IndexRead,
}

/// What a seat of a room sees change: every volume's page counts and the
/// latest audited action.
#[derive(Debug, Clone, PartialEq)]
struct RoomActivity {
    volumes: Vec<VolumeSummary>,
    last_audit: i64,
}

/// How often a seat of a room looks at what the others did.
const ROOM_WATCH_EVERY: Duration = Duration::from_secs(3);

/// Watches a room's catalogue on a connection of its own until the app goes
/// (its receiver dropped); sends what changed.
fn watch_room(
    location: crate::catalogue::Location,
    egui: egui::Context,
) -> std::sync::mpsc::Receiver<RoomActivity> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut last: Option<RoomActivity> = None;
        let mut catalogue: Option<Catalogue> = None;
        loop {
            std::thread::sleep(ROOM_WATCH_EVERY);
            if catalogue.is_none() {
                catalogue = Catalogue::open(&location).ok();
            }
            let Some(c) = &catalogue else { continue };
            let now = c.list_volumes().and_then(|volumes| {
                Ok(RoomActivity {
                    volumes,
                    last_audit: c.last_audit_id()?,
                })
            });
            match now {
                Ok(now) if last.as_ref() != Some(&now) => {
                    if tx.send(now.clone()).is_err() {
                        return;
                    }
                    egui.request_repaint();
                    last = Some(now);
                }
                Ok(_) => {}
                // A new connection next time (the server restarted).
                Err(_) => catalogue = None,
            }
        }
    });
    rx
}

impl WorkstationApp {
    pub fn new(home: Home, config: AppConfig, ctx: &egui::Context) -> Result<Self> {
        let catalogue = Catalogue::open(home.catalogue())?;
        // A list that does not read is not a reason to refuse to start: the
        // clerk is asked again and the list written anew.
        let operators = Operators::load(&home.operators_path()).unwrap_or_default();
        let home = match &operators.last {
            Some(last) => home.with_operator(last),
            None => home,
        };
        let prefs = Prefs::load(&home);
        let images = ImageCache::new(Store::new(home.store_dir()), ctx);
        // A bureau's sheet that does not read is said, and the shipped one used.
        let mut messages = Vec::new();
        let sheet = crate::review::scoring::ScoreSheet::load_or_builtin(&home.scoring_path())
            .unwrap_or_else(|e| {
                messages.push(format!("{e:#}"));
                crate::review::scoring::ScoreSheet::builtin().clone()
            });
        let mut app = WorkstationApp {
            home,
            catalogue,
            config,
            prefs,
            view: ViewState::default(),
            data: CaseData::default(),
            images,
            task: None,
            queue: VecDeque::new(),
            messages,
            commands: Vec::new(),
            egui: ctx.clone(),
            volumes_dirty_since: None,
            operators,
            sheet,
            rows_job: None,
            tour: None,
            probe: None,
            room_watch: None,
            room_last_audit: None,
            volume_job: None,
            volume_generation: 0,
        };
        if app.catalogue.is_shared() {
            // What the seat reads below is at least this new: the watcher's
            // first look is compared with it, so an edit made while the seat
            // started is not taken for where it started.
            app.room_last_audit = app.catalogue.last_audit_id().ok();
            app.room_watch = Some(watch_room(app.home.catalogue(), ctx.clone()));
        }
        if app.config.ask_operator {
            app.view.operator = Some(app.home.operator().to_string());
        }
        app.reload_volumes();
        if let Some(first) = app.data.volumes.first().map(|v| v.id.clone()) {
            app.select_volume(first);
        }
        if app.config.offer_sample && app.data.volumes.is_empty() && !app.prefs.sample_offered {
            app.prefs.sample_offered = true;
            app.prefs.save(&app.home);
            app.queue.push_back(TaskSpec::Sample);
        }
        // Pages a killed session left unfinished are picked up again.
        if app.data.volumes.iter().any(|v| v.done + v.failed < v.pages)
            && app.config.process_after_import
        {
            app.queue.push_back(TaskSpec::Process { volume: None });
        }
        Ok(app)
    }

    /// The volume every screen works on now.
    pub fn selected_volume(&self) -> Option<&str> {
        self.view.volume.as_deref()
    }

    pub fn texts(&self) -> &'static Texts {
        self.prefs.lang.texts()
    }

    pub(crate) fn push(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Per frame, before drawing: task events, finished images, queued tasks.
    pub fn update(&mut self, ctx: &egui::Context) {
        self.images.poll(ctx);
        self.poll_task();
        if let Some(rx) = &self.view.package.handover
            && let Ok(said) = rx.try_recv()
        {
            self.view.package.handover = None;
            self.messages.push(said);
        }
        if let Some(rx) = &self.view.stats.job
            && let Ok(figures) = rx.try_recv()
        {
            self.view.stats.job = None;
            self.view.stats.figures = Some(figures);
        }
        if let Some(rx) = &self.rows_job
            && let Ok(rows) = rx.try_recv()
        {
            self.rows_job = None;
            match rows {
                Ok(rows) => self.data.rows = rows,
                Err(e) => self.messages.push(e),
            }
        }
        if let Some(d) = self.view.capture.scan_dialog.as_mut()
            && let Some(rx) = &d.listing
            && let Ok(found) = rx.try_recv()
        {
            if let Ok(devices) = &found {
                let known = |name: &String| devices.iter().any(|(dev, _)| &dev.name == name);
                if !d.settings.device.as_ref().is_some_and(known) {
                    d.settings.device = devices.first().map(|(dev, _)| dev.name.clone());
                }
            }
            d.devices = Some(found);
            d.listing = None;
        }
        if self.task.is_none()
            && let Some(next) = self.queue.pop_front()
        {
            self.start(next);
        }
        if let Some(rx) = &self.volume_job
            && let Ok(read) = rx.try_recv()
        {
            self.volume_job = None;
            if read.generation == self.volume_generation
                && self.view.volume.as_deref() == Some(read.volume.as_str())
            {
                self.data.pages = read.pages;
                self.apply_index(&read.volume, read.index);
            }
        }
        if let Some(rx) = &self.room_watch
            && let Ok(activity) = rx.try_recv()
        {
            self.on_room_activity(activity);
        }
        if let Some(t) = self.volumes_dirty_since
            && t.elapsed() > Duration::from_millis(300)
        {
            self.reload_volumes();
        }
        if self.busy() {
            ctx.request_repaint_after(Duration::from_millis(200));
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.push(Command::Import {
                paths: dropped,
                into_current: false,
            });
        }
    }

    /// Draws the whole window, then applies what the views asked for.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        super::views::workstation(ui, self);
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.apply(c);
        }
    }

    /// The one place where commands take effect.
    pub fn apply(&mut self, c: Command) {
        match c {
            Command::AskOperator => self.view.operator = Some(self.home.operator().to_string()),
            Command::ChooseOperator(name) => {
                match self.operators.choose(&name, &self.home.operators_path()) {
                    Ok(name) => {
                        self.home = self.home.clone().with_operator(&name);
                        self.view.operator = None;
                    }
                    Err(e) => self.messages.push(format!("{e:#}")),
                }
            }
            Command::SelectVolume(id) => self.select_volume(id),
            Command::OpenPage(id) => {
                self.view.page = Some(id);
                self.view.viewer.refit();
            }
            Command::ClosePage => {
                self.view.capture.reveal = self.view.page.take();
            }
            Command::RevealPage(id) => self.view.capture.reveal = Some(id),
            Command::StepPage(d) => {
                if let Some(cur) = self.view.page
                    && let Some(i) = self.data.pages.iter().position(|p| p.id == cur)
                {
                    let j =
                        (i as i64 + d as i64).clamp(0, self.data.pages.len() as i64 - 1) as usize;
                    self.view.page = Some(self.data.pages[j].id);
                    self.view.viewer.refit();
                }
            }
            Command::OpenImportDialog => {
                let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
                self.view.capture.import_dialog = Some(super::app::ImportDialog {
                    path: String::new(),
                    dir,
                    into_current: false,
                    placement: None,
                });
            }
            Command::CloseImportDialog => self.view.capture.import_dialog = None,
            Command::Import {
                paths,
                into_current,
            } => {
                self.view.capture.import_dialog = None;
                let volume = if into_current {
                    self.view.volume.clone()
                } else {
                    None
                };
                self.enqueue(TaskSpec::Import {
                    paths,
                    volume,
                    then_process: self.config.process_after_import,
                });
            }
            Command::Process => {
                let volume = self.view.volume.clone();
                self.enqueue(TaskSpec::Process { volume });
            }
            Command::CancelTask => {
                self.queue.clear();
                if let Some(t) = &self.task {
                    t.cancel.cancel();
                }
            }
            Command::ToggleLang => {
                self.prefs.lang = self.prefs.lang.other();
                self.prefs.save(&self.home);
            }
            Command::DismissMessage => {
                self.messages.clear();
            }
            Command::SetScreen(screen) => {
                if screen == Screen::Settings && self.view.screen != Screen::Settings {
                    let loaded = crate::indexing::BureauSettings::load(&self.home.bureau_path())
                        .unwrap_or_else(|e| {
                            self.messages.push(format!("{e:#}"));
                            Default::default()
                        });
                    self.view.settings.saved = Some(loaded.clone());
                    self.view.settings.draft = Some(loaded);
                }
                if screen == Screen::Stats {
                    self.count_stats();
                }
                self.view.screen = screen;
            }
            Command::RecountStats => self.count_stats(),
            Command::ShowScoreSheet(on) => self.view.review.sheet_tab = on,
            Command::ShowIndexTab(tab) => self.view.index.tab = tab,
            Command::Claim(stage)
            | Command::ReleaseClaim(stage)
            | Command::TakeOverClaim(stage) => {
                if let Some(volume) = self.view.volume.clone() {
                    let who = self.home.operator().to_string();
                    let done = match c {
                        Command::Claim(_) => self.catalogue.claim(&volume, stage, &who).map(|_| ()),
                        Command::ReleaseClaim(_) => {
                            self.catalogue.release(&volume, stage, &who).map(|_| ())
                        }
                        _ => self.catalogue.take_over(&volume, stage, &who).map(|_| ()),
                    };
                    if let Err(e) = done {
                        self.messages.push(format!("{e:#}"));
                    }
                    self.reload_index();
                }
            }
            Command::Upload => {
                let packages = self.passed_packages();
                self.enqueue(TaskSpec::Upload { packages });
            }
            Command::Handover => {
                let packages = self.passed_packages();
                let out = self.package_out().join("移交登记");
                let operator = self.home.operator().to_string();
                let (tx, rx) = std::sync::mpsc::channel();
                let egui = self.egui.clone();
                std::thread::spawn(move || {
                    let said = match crate::package::handover::write_register(
                        &packages,
                        &out,
                        "行政执法案卷电子档案移交",
                        None,
                        &operator,
                    ) {
                        Ok((r, written)) => {
                            let mut said: Vec<String> =
                                written.iter().map(|w| w.display().to_string()).collect();
                            said.extend(r.refused.iter().map(|(f, why)| format!("{f}: {why}")));
                            said.join("\n")
                        }
                        Err(e) => format!("{e:#}"),
                    };
                    let _ = tx.send(said);
                    egui.request_repaint();
                });
                self.view.package.handover = Some(rx);
            }
            Command::MarkDefect {
                seq,
                severity,
                note,
            } => self.review_action(ReviewAction::Mark {
                page: seq,
                severity,
                note,
            }),
            Command::ResolveMark(id) => self.review_action(ReviewAction::Resolve(id)),
            Command::DecideReview { decision, reason } => {
                self.review_action(ReviewAction::Decide {
                    verdict: decision,
                    reason,
                });
                self.view.review.reason.clear();
                self.view.review.approve_over_errors = None;
                self.reload_volumes();
            }
            Command::AdjustScore {
                item,
                points,
                reason,
            } => {
                if let Some(volume) = self.view.volume.clone() {
                    let actor = self.home.operator().to_string();
                    match ops::review::adjust_score(
                        &self.catalogue,
                        &self.sheet,
                        &volume,
                        &item,
                        points,
                        &reason,
                        &actor,
                    ) {
                        Ok(()) => self.view.review.score_reason.clear(),
                        Err(e) => self.messages.push(format!("{e:#}")),
                    }
                    self.reload_index();
                }
            }
            Command::WriteScoreSheet => {
                if let Some(volume) = self.view.volume.clone() {
                    let out = self.home.root().join("评查表");
                    let said = match ops::review::write_score_sheets(
                        &self.catalogue,
                        &self.sheet,
                        &[volume],
                        &out,
                        self.home.operator(),
                    ) {
                        Ok((written, problems)) => match written.first() {
                            Some(pdf) => pdf.display().to_string(),
                            None => problems.join("; "),
                        },
                        Err(e) => format!("{e:#}"),
                    };
                    self.messages.push(said);
                }
            }
            Command::OpenPageSeq(seq) => {
                if let Some(p) = self.data.pages.iter().find(|p| p.seq == seq) {
                    self.view.page = Some(p.id);
                    self.view.viewer.refit();
                }
            }
            Command::SaveBureauSettings(settings) => {
                match ops::save_settings(&self.home, &settings) {
                    Ok(()) => {
                        self.view.settings.saved = Some(*settings);
                        self.messages.push(self.texts().set("saved").into());
                        // Indexing notices the new settings in every volume's
                        // fingerprint and derives the 档号 again.
                        self.enqueue(TaskSpec::Reindex);
                    }
                    Err(e) => self.messages.push(format!("{e:#}")),
                }
            }
            Command::Correct { target, value } => self.correct(vec![(target, value)]),
            Command::KeySecond(entries) => self.double_entry(entries, false),
            Command::SettleSecond(entries) => self.double_entry(entries, true),
            Command::MoveBoundary { from, to } => {
                let mut changes = vec![(Target::Start(from), Some("false".into()))];
                if to != from {
                    changes.push((Target::Start(to), Some("true".into())));
                }
                self.correct(changes);
            }
            Command::ShowIndexPage(seq) => {
                self.view.index.page = Some(seq);
                self.view.viewer.refit();
            }
            Command::Search(query) => {
                self.view.search.query = query.clone();
                match self.catalogue.search_all(&query, 200) {
                    Ok(hits) => {
                        self.view.search.kinds = self.kinds_of(&hits);
                        self.view.search.hits = hits;
                    }
                    Err(e) => self.messages.push(format!("{e:#}")),
                }
                self.view.search.open = None;
            }
            Command::OpenHit { volume, page } => {
                if self.view.volume.as_deref() != Some(volume.as_str()) {
                    self.select_volume(volume.clone());
                }
                self.view.search.open = Some((volume, page));
                self.view.viewer.refit();
            }
            Command::Package { volumes, force } => {
                let out = self.package_out();
                self.enqueue(TaskSpec::Package {
                    volumes,
                    out,
                    force,
                });
            }
            Command::VerifyPackage(path) => self.enqueue(TaskSpec::Verify { path }),
            Command::SelectPage { id, toggle, range } => self.select_page(id, toggle, range),
            Command::SelectAll => {
                self.view.capture.selected = self.data.pages.iter().map(|p| p.id).collect();
            }
            Command::ClearSelection => {
                self.view.capture.selected.clear();
                self.view.capture.select_anchor = None;
            }
            Command::MovePages { ids, before } => {
                self.arrange(Arrangement::Move { pages: ids, before })
            }
            Command::RemovePages(ids) => {
                self.arrange(Arrangement::Remove(ids.clone()));
                if self.view.page.is_some_and(|p| ids.contains(&p)) {
                    self.view.page = None;
                }
                self.view.capture.selected.clear();
            }
            Command::RestorePages(trash_ids) => self.arrange(Arrangement::Restore(trash_ids)),
            Command::ShowTrash(open) => {
                self.view.capture.trash_open = open;
                self.reload_trash();
            }
            Command::AddFile { path, placement } => {
                self.view.capture.import_dialog = None;
                if let Some(volume) = self.view.volume.clone() {
                    self.enqueue(TaskSpec::AddFile {
                        volume,
                        path,
                        placement,
                        then_process: self.config.process_after_import,
                    });
                }
            }
            Command::OpenPlaceFileDialog(placement) => {
                let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
                self.view.capture.import_dialog = Some(super::app::ImportDialog {
                    path: String::new(),
                    dir,
                    into_current: true,
                    placement: Some(placement),
                });
            }
            Command::OpenScanDialog(placement) => {
                let (tx, rx) = std::sync::mpsc::channel();
                let scanner = self.config.scanner.clone();
                let egui = self.egui.clone();
                // Finding scanners can take seconds (USB and network probing).
                std::thread::spawn(move || {
                    let _ = tx.send(scanner.devices().map_err(|e| format!("{e:#}")));
                    egui.request_repaint();
                });
                let settings = ScanSettings {
                    device: self.prefs.scanner.clone(),
                    ..Default::default()
                };
                self.view.capture.scan_dialog = Some(ScanDialog {
                    placement,
                    new_volume: self.view.volume.is_none(),
                    devices: None,
                    listing: Some(rx),
                    settings,
                });
            }
            Command::CloseScanDialog => self.view.capture.scan_dialog = None,
            Command::Scan {
                settings,
                new_volume,
                placement,
            } => {
                self.view.capture.scan_dialog = None;
                if settings.device.is_some() && settings.device != self.prefs.scanner {
                    self.prefs.scanner = settings.device.clone();
                    self.prefs.save(&self.home);
                }
                let volume = if new_volume {
                    None
                } else {
                    self.view.volume.clone()
                };
                self.enqueue(TaskSpec::Scan {
                    volume,
                    settings,
                    placement,
                });
            }
            Command::OverrideMany(list) => {
                for (page_id, overrides) in list {
                    self.apply(Command::Override { page_id, overrides });
                }
            }
            Command::Override { page_id, overrides } => {
                let actor = self.home.operator().to_string();
                match ops::decide_page(&mut self.catalogue, page_id, &overrides, &actor) {
                    Ok(()) => {
                        if let Some(p) = self.data.pages.iter_mut().find(|p| p.id == page_id) {
                            p.overrides = overrides;
                            p.state = PageState::Imported;
                        }
                        self.images.invalidate(page_id);
                        let volume = self.view.volume.clone();
                        self.enqueue(TaskSpec::Process { volume });
                    }
                    Err(e) => self.messages.push(format!("{e:#}")),
                }
            }
        }
    }

    fn enqueue(&mut self, spec: TaskSpec) {
        if !self.queue.contains(&spec) {
            self.queue.push_back(spec);
        }
        self.egui.request_repaint();
    }

    fn start(&mut self, spec: TaskSpec) {
        let cx = TaskContext {
            home: self.home.clone(),
            scanner: self.config.scanner.clone(),
            engine: self.config.engine.clone(),
            // One OCR engine per core at most: never oversubscribed.
            workers: self.config.workers.clamp(1, jobs::default_workers().max(1)),
            egui: self.egui.clone(),
        };
        self.task = Some(tasks::spawn(spec, cx));
    }

    fn poll_task(&mut self) {
        let Some(task) = self.task.as_mut() else {
            return;
        };
        let events = task.poll();
        for e in events {
            match e {
                TaskEvent::Progress { .. } => {}
                TaskEvent::Imported(report) => {
                    for f in &report.files {
                        if let Outcome::Failed { reason } = &f.outcome {
                            self.messages
                                .push(format!("{}: {reason}", f.path.display()));
                        }
                    }
                    self.reload_volumes();
                    if let Some(v) = report.volume_id {
                        self.select_volume(v);
                    }
                }
                TaskEvent::Process(pe) => self.on_process_event(pe),
                TaskEvent::Scanned { volume_id } => {
                    // The new pages show at once, in their place.
                    if self.view.volume.as_deref() != Some(volume_id.as_str()) {
                        self.reload_volumes();
                        self.select_volume(volume_id);
                    } else {
                        self.reload_pages();
                        self.volumes_dirty_since.get_or_insert_with(Instant::now);
                    }
                }
                TaskEvent::Uploaded(result) => {
                    let t = self.texts();
                    self.messages.push(match result {
                        Ok(r) => format!(
                            "{} {} → s3://{}/{}",
                            t.word(if r.sent {
                                "uploaded"
                            } else {
                                "already_uploaded"
                            }),
                            r.package,
                            r.place.bucket,
                            r.place.key
                        ),
                        Err((package, error)) => format!("{package}: {error}"),
                    });
                    self.data.receipts = self.catalogue.receipts().unwrap_or_default();
                }
                TaskEvent::Packaged(outcome) => {
                    if let Some(e) = &outcome.error {
                        self.messages.push(e.clone());
                    }
                    self.view.package.results.push(outcome);
                    self.view.package.report = Some(self.view.package.results.len() - 1);
                }
                TaskEvent::Finished { error, followup } => {
                    if let Some(e) = error {
                        self.messages.push(e);
                    }
                    self.task = None;
                    if let Some(f) = followup {
                        self.queue.push_front(f);
                    }
                    self.reload_volumes();
                    self.reload_pages();
                    return;
                }
            }
        }
    }

    fn on_process_event(&mut self, e: ProcessEvent) {
        let set_state = |pages: &mut Vec<PageRow>, id: i64, s: PageState, err: Option<String>| {
            if let Some(p) = pages.iter_mut().find(|p| p.id == id) {
                p.state = s;
                p.error = err;
            }
        };
        match e {
            ProcessEvent::PageStarted { page_id, .. } => {
                set_state(&mut self.data.pages, page_id, PageState::Processing, None)
            }
            // Taken over by another worker of the room: shown as it now is.
            ProcessEvent::PageDone { page_id, .. }
            | ProcessEvent::PageTakenOver { page_id, .. } => {
                if let Some(i) = self.data.pages.iter().position(|p| p.id == page_id)
                    && let Ok(row) = self.catalogue.page(page_id)
                {
                    self.data.pages[i] = row;
                }
                self.images.invalidate(page_id);
            }
            ProcessEvent::PageFailed { page_id, error, .. } => set_state(
                &mut self.data.pages,
                page_id,
                PageState::Failed,
                Some(error),
            ),
            ProcessEvent::WorkerFailed { error } => self.messages.push(error),
            ProcessEvent::Started { .. } => {}
            ProcessEvent::VolumeIndexed { volume_id, .. } => {
                if self.view.volume.as_deref() == Some(volume_id.as_str()) {
                    self.reload_index();
                    self.view.index.edits.clear();
                }
            }
        }
        self.volumes_dirty_since.get_or_insert_with(Instant::now);
    }

    /// Others' work in the room: the list follows, and the open volume is read
    /// again when its pages or anything audited changed.
    fn on_room_activity(&mut self, now: RoomActivity) {
        let current = |volumes: &[VolumeSummary], v: &Option<String>| {
            volumes.iter().find(|s| Some(&s.id) == v.as_ref()).cloned()
        };
        let volume_changed = current(&now.volumes, &self.view.volume)
            != current(&self.data.volumes, &self.view.volume);
        let edited = self
            .room_last_audit
            .is_some_and(|last| last != now.last_audit);
        self.room_last_audit = Some(now.last_audit);
        if now.volumes != self.data.volumes || edited {
            self.volumes_dirty_since.get_or_insert_with(Instant::now);
        }
        if volume_changed || edited {
            self.reload_volume_in_background();
        }
    }

    fn reload_volumes(&mut self) {
        self.volumes_dirty_since = None;
        match self.catalogue.list_volumes() {
            Ok(v) => self.data.volumes = v,
            Err(e) => self.messages.push(format!("{e:#}")),
        }
        // The rows review every volume (statutory checks included): off the UI
        // thread, on a connection of their own.
        let (tx, rx) = std::sync::mpsc::channel();
        let path = self.home.catalogue();
        let egui = self.egui.clone();
        std::thread::spawn(move || {
            let rows = Catalogue::open(&path)
                .and_then(|c| crate::ops::overview::volume_rows(&c))
                .map_err(|e| format!("{e:#}"));
            let _ = tx.send(rows);
            egui.request_repaint();
        });
        self.rows_job = Some(rx);
        match (
            self.catalogue.archival_codes(),
            self.catalogue.packages(),
            self.catalogue.review_states(),
        ) {
            (Ok(codes), Ok(packages), Ok(states)) => {
                let settings =
                    crate::model::settings::BureauSettings::load(&self.home.bureau_path())
                        .unwrap_or_default();
                match crate::package::ready::readiness_of_all(&self.catalogue, &settings) {
                    Ok(r) => self.data.readiness = r,
                    Err(e) => self.messages.push(format!("{e:#}")),
                }
                self.data.archival_codes = codes;
                self.data.packages = packages;
                self.data.receipts = self.catalogue.receipts().unwrap_or_default();
                self.data.review_states = states;
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                self.messages.push(format!("{e:#}"))
            }
        }
    }

    fn reload_pages(&mut self) {
        self.data.pages = match &self.view.volume {
            Some(v) => self.catalogue.pages(v).unwrap_or_else(|e| {
                self.messages.push(format!("{e:#}"));
                Vec::new()
            }),
            None => Vec::new(),
        };
        self.reload_index();
    }

    /// A reviewer's change to the current volume (milliseconds: done here).
    fn review_action(&mut self, action: ReviewAction) {
        let Some(volume) = self.view.volume.clone() else {
            return;
        };
        let actor = self.home.operator().to_string();
        match ops::review::act(&self.catalogue, &volume, action, &actor) {
            Ok(_) => self.view.review.note.clear(),
            Err(e) => self.messages.push(format!("{e:#}")),
        }
        self.reload_index();
    }

    /// 统计 of every volume, off the UI thread on a connection of its own (it
    /// reviews every volume); the latest request wins.
    fn count_stats(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let path = self.home.catalogue();
        let publicity = self.home.publicity_rules_path();
        let sheet = self.sheet.clone();
        let by = self.view.stats.by;
        let egui = self.egui.clone();
        std::thread::spawn(move || {
            let figures = (|| {
                let c = Catalogue::open(&path)?;
                let rules = crate::package::publicity::PublicityRules::load_or_builtin(&publicity)?;
                crate::ops::stats::stats(&c, &sheet, &rules, None, None, by)
            })()
            .map_err(|e| format!("{e:#}"));
            let _ = tx.send(figures);
            egui.request_repaint();
        });
        self.view.stats.job = Some(rx);
    }

    /// The current volume's index and review (milliseconds).
    fn reload_index(&mut self) {
        self.volume_generation += 1;
        let Some(v) = self.view.volume.clone() else {
            self.data.index = None;
            self.data.review = None;
            self.data.score = None;
            return;
        };
        let read = IndexRead::of(&self.catalogue, &self.home, &self.sheet, &v);
        self.apply_index(&v, read);
    }

    fn apply_index(&mut self, volume: &str, r: IndexRead) {
        // An edit made on what was read is refused if anyone changed the
        // volume since (a room's catalogue).
        if self.catalogue.is_shared() {
            self.catalogue.expect_version(volume, r.version);
        }
        self.data.claims = r.claims;
        self.data.supervisor = r.supervisor;
        self.data.index = r.index;
        self.data.review = r.review;
        self.data.score = r.score;
        self.data.double_entry = r.double_entry;
    }

    /// The selected volume read again on a connection of its own, off the UI
    /// thread (others' work seen on a room's catalogue; a volume of a thousand
    /// pages takes a while). Anything read here meanwhile wins over it.
    fn reload_volume_in_background(&mut self) {
        let Some(volume) = self.view.volume.clone() else {
            return;
        };
        self.volume_generation += 1;
        let generation = self.volume_generation;
        let (tx, rx) = std::sync::mpsc::channel();
        let (location, home, sheet) =
            (self.home.catalogue(), self.home.clone(), self.sheet.clone());
        let egui = self.egui.clone();
        std::thread::spawn(move || {
            let read = Catalogue::open(&location).and_then(|c| {
                // The version before the pages, as reload_index reads it.
                let index = IndexRead::of(&c, &home, &sheet, &volume);
                Ok((c.pages(&volume)?, index))
            });
            if let Ok((pages, index)) = read {
                let _ = tx.send(VolumeRead {
                    generation,
                    volume,
                    pages,
                    index,
                });
                egui.request_repaint();
            }
        });
        self.volume_job = Some(rx);
    }

    /// 一稿双录: keys (`settle` false) or settles fields of the current volume
    /// as the current operator; says each field's outcome.
    fn double_entry(&mut self, entries: Vec<(String, String)>, settle: bool) {
        let Some(volume) = self.view.volume.clone() else {
            return;
        };
        let actor = self.home.operator().to_string();
        let parsed = entries
            .iter()
            .map(|(f, v)| ops::check_second_entry(f, v))
            .collect::<anyhow::Result<Vec<_>>>();
        let t = self.texts();
        let result = parsed.and_then(|parsed| {
            if settle {
                ops::settle_second(&self.home, &mut self.catalogue, &volume, &parsed, &actor)?;
                Ok(parsed
                    .iter()
                    .map(|(f, _)| format!("{} {}", t.field(f), t.word("de_settled")))
                    .collect::<Vec<_>>())
            } else {
                let results = ops::key_second(&mut self.catalogue, &volume, &parsed, &actor)?;
                Ok(results
                    .iter()
                    .map(|(f, s)| format!("{} {}", t.field(f), t.word(de_word(*s))))
                    .collect())
            }
        });
        match result {
            Ok(said) => {
                let edits = if settle {
                    &mut self.view.index.settle_edits
                } else {
                    &mut self.view.index.second_edits
                };
                for (field, _) in &entries {
                    edits.remove(field);
                }
                self.messages
                    .push(format!("{}：{}", t.word("double_entry"), said.join("，")));
            }
            Err(e) => self.messages.push(format!("{e:#}")),
        }
        self.reload_index();
        // Readiness to pack may follow (a bureau that requires double keying).
        self.volumes_dirty_since.get_or_insert_with(Instant::now);
    }

    /// The outbox's packages whose 四性检测 passed.
    fn passed_packages(&self) -> Vec<PathBuf> {
        self.data
            .packages
            .iter()
            .filter(|p| p.passed)
            .map(|p| p.path.clone())
            .collect()
    }

    /// The outbox folder: the one typed on the 打包 screen, else `<home>/outbox`.
    pub fn package_out(&self) -> PathBuf {
        if self.view.package.out.trim().is_empty() {
            self.home.root().join("outbox")
        } else {
            PathBuf::from(self.view.package.out.trim())
        }
    }

    /// Stores the clerk's indexing values, then indexes the volume again once
    /// (milliseconds: done here, not in the background).
    fn correct(&mut self, changes: Vec<(Target, Option<String>)>) {
        let Some(volume) = self.view.volume.clone() else {
            return;
        };
        let actor = self.home.operator().to_string();
        let result = ops::correct(&self.home, &mut self.catalogue, &volume, &changes, &actor);
        if let Err(e) = result {
            self.messages.push(format!("{e:#}"));
        }
        for (target, _) in &changes {
            self.view.index.edits.remove(&target.key());
        }
        self.reload_index();
    }

    fn select_page(&mut self, id: i64, toggle: bool, range: bool) {
        let pos = |id: i64| self.data.pages.iter().position(|p| p.id == id);
        match (
            range,
            self.view.capture.select_anchor.and_then(pos),
            pos(id),
        ) {
            (true, Some(a), Some(b)) => {
                let (a, b) = (a.min(b), a.max(b));
                let run: Vec<i64> = self.data.pages[a..=b].iter().map(|p| p.id).collect();
                self.view.capture.selected.extend(run);
            }
            _ if toggle => {
                if !self.view.capture.selected.remove(&id) {
                    self.view.capture.selected.insert(id);
                }
                self.view.capture.select_anchor = Some(id);
            }
            _ => {
                self.view.capture.selected = [id].into();
                self.view.capture.select_anchor = Some(id);
            }
        }
    }

    /// Rearranges the current volume's pages (milliseconds: done here), then lets
    /// indexing follow the new order in the background.
    fn arrange(&mut self, arrangement: Arrangement) {
        let Some(volume) = self.view.volume.clone() else {
            return;
        };
        let actor = self.home.operator().to_string();
        let done = ops::arrange::arrange(
            &self.home,
            &mut self.catalogue,
            &volume,
            arrangement,
            &actor,
        );
        if let Err(e) = done {
            self.messages.push(format!("{e:#}"));
        }
        self.reload_pages();
        self.reload_trash();
        self.volumes_dirty_since.get_or_insert_with(Instant::now);
    }

    fn reload_trash(&mut self) {
        self.view.capture.trash = match &self.view.volume {
            Some(v) => self.catalogue.trashed_pages(v).unwrap_or_default(),
            None => Vec::new(),
        };
        self.view.capture.trash_rows = self
            .view
            .capture
            .trash
            .iter()
            .filter_map(|t| {
                let row = self.catalogue.trashed_page_row(t.trash_id).ok()?;
                Some((t.trash_id, row))
            })
            .collect();
    }

    fn select_volume(&mut self, id: String) {
        if self.view.volume.as_deref() != Some(id.as_str()) {
            self.view.capture.selected.clear();
            self.view.capture.select_anchor = None;
            self.view.capture.trash.clear();
            self.view.page = None;
            self.view.index.page = None;
            self.view.index.edits.clear();
        }
        self.view.volume = Some(id);
        self.reload_pages();
        self.reload_trash();
    }

    /// Whether someone else holds `stage` of the selected volume.
    pub fn stage_held_by_another(&self, stage: crate::model::Stage) -> bool {
        self.data
            .claims
            .iter()
            .any(|c| c.stage == stage && c.holder != self.home.operator())
    }

    /// Whether the catalogue is a room's, shared with other seats.
    pub fn on_shared_catalogue(&self) -> bool {
        self.catalogue.is_shared()
    }

    /// The page open in the viewer.
    pub fn open_page(&self) -> Option<&PageRow> {
        let id = self.view.page?;
        self.data.pages.iter().find(|p| p.id == id)
    }

    /// The kind of the document each hit's page belongs to.
    fn kinds_of(
        &self,
        hits: &[crate::catalogue::SearchHit],
    ) -> std::collections::BTreeMap<(String, u32), String> {
        let mut out = std::collections::BTreeMap::new();
        let volumes: std::collections::BTreeSet<&str> =
            hits.iter().map(|h| h.volume.as_str()).collect();
        for v in volumes {
            let Ok(Some(index)) = self.catalogue.volume_index(v) else {
                continue;
            };
            for h in hits.iter().filter(|h| h.volume == v) {
                let kind = index
                    .pages
                    .iter()
                    .find(|p| p.seq == h.page)
                    .and_then(|p| p.document)
                    .and_then(|d| index.documents.iter().find(|x| x.seq == d));
                if let Some(doc) = kind {
                    out.insert((h.volume.clone(), h.page), doc.kind.clone());
                }
            }
        }
        out
    }

    /// The first page of the selected volume.
    pub(crate) fn first_page(&self) -> Option<i64> {
        self.data.pages.first().map(|p| p.id)
    }

    /// True while background work runs or waits.
    pub fn busy(&self) -> bool {
        self.task.is_some() || !self.queue.is_empty()
    }
}

/// The word for a field's 双录 state.
pub fn de_word(state: crate::review::double_entry::EntryState) -> &'static str {
    use crate::review::double_entry::EntryState;
    match state {
        EntryState::Pending => "de_pending",
        EntryState::Match => "de_match",
        EntryState::Mismatch => "de_mismatch",
        EntryState::Settled => "de_settled",
    }
}
