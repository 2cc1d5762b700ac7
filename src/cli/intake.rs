use super::*;
use crate::ops::arrange::{Arranged, Arrangement as OpsArrangement};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Add to this volume (created if it does not exist) instead of a new one
    #[arg(long)]
    pub volume: Option<String>,
}
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Into this volume (created if it does not exist) [default: a new volume]
    #[arg(long)]
    pub volume: Option<String>,
    /// SANE device name, as --list shows it [default: the first scanner found]
    #[arg(long)]
    pub device: Option<String>,
    #[arg(long, value_enum, default_value_t = Source::Adf)]
    pub source: Source,
    /// Dots per inch (DA/T 31: at least 300 for OCR; below 200 is refused)
    #[arg(long, default_value_t = 300)]
    pub resolution: u32,
    #[arg(long, value_enum, default_value_t = Mode::Color)]
    pub mode: Mode,
    /// Stop after this many sheet sides [default: until the feeder is empty; one on the flatbed]
    #[arg(long)]
    pub pages: Option<u32>,
    /// Put the scanned pages before page N (scan order) of --volume
    #[arg(long, requires = "volume", conflicts_with = "replace")]
    pub before: Option<u32>,
    /// Rescan page N of --volume in place (the old page goes to the volume's trash)
    #[arg(long, requires = "volume")]
    pub replace: Option<u32>,
    /// Only list the scanners SANE sees, with their sources, modes and resolutions
    #[arg(long)]
    pub list: bool,
    /// Only capture; process later with `anjuan process`
    #[arg(long)]
    pub no_process: bool,
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Options for the scanner's SANE backend, after `--` (see `scanimage -d DEVICE -A`)
    #[arg(last = true, value_name = "BACKEND OPTION")]
    pub backend_options: Vec<String>,
}
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("action").required(true)
    .args(["move_pages", "remove", "insert", "replace", "restore", "trash"])))]
pub struct ArrangeArgs {
    #[arg(long)]
    pub volume: String,
    /// Move these pages (keeping their order) before --before N, or to the end
    #[arg(long = "move", value_name = "PAGES")]
    pub move_pages: Option<String>,
    /// Where moved or inserted pages go: before page N
    #[arg(long, value_name = "N")]
    pub before: Option<u32>,
    /// Remove these pages into the volume's trash
    #[arg(long, value_name = "PAGES")]
    pub remove: Option<String>,
    /// Add the pages of FILE (before --before N, or at the end)
    #[arg(long, value_name = "FILE")]
    pub insert: Option<PathBuf>,
    /// Replace page N by the pages of --with FILE
    #[arg(long, value_name = "N", requires = "with")]
    pub replace: Option<u32>,
    #[arg(long, value_name = "FILE")]
    pub with: Option<PathBuf>,
    /// Put every page of the trash back where it was
    #[arg(long)]
    pub restore: bool,
    /// List the pages in the volume's trash
    #[arg(long)]
    pub trash: bool,
}

pub(super) fn import(home: &Home, args: ImportArgs) -> Result<i32> {
    let ImportArgs { paths, volume } = args;
    import_paths(home, &paths, volume.as_deref())
}

pub(super) fn scan(home: &Home, args: ScanArgs) -> Result<i32> {
    let ScanArgs {
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
    } = args;
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
    scan_into(home, volume, settings, before, replace, process)
}

pub(super) fn arrange(home: &Home, args: ArrangeArgs) -> Result<i32> {
    let ArrangeArgs {
        volume,
        move_pages,
        before,
        remove,
        insert,
        replace,
        with,
        restore,
        trash,
    } = args;
    apply_arrangement(
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
    )
}

fn import_paths(home: &Home, paths: &[PathBuf], volume: Option<&str>) -> Result<i32> {
    let mut cat = Catalogue::open(home.catalogue())?;
    let store = Store::new(home.store_dir());
    let bar = progress_bar("导入 import");
    let cancel = CancelToken::new();
    let report = capture::import(
        &mut cat,
        &store,
        paths,
        volume,
        home.operator(),
        cancel.flag(),
        |p| {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(
                p.current
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        },
    )?;
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

fn scan_into(
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
        let cat = Catalogue::open(home.catalogue())?;
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

fn apply_arrangement(home: &Home, volume: &str, a: Arrangement) -> Result<i32> {
    let mut cat = Catalogue::open(home.catalogue())?;
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
    let actor = home.operator().to_string();
    let asked = arrangement_asked(&cat, volume, &a)?;
    let done = ops::arrange::arrange(home, &mut cat, volume, asked, &actor)?;
    let message = match (done, &a.replace) {
        (Arranged::Added(ids), Some((n, _))) => format!(
            "page {n} replaced by {} page(s); the old one is in the trash",
            ids.len()
        ),
        (Arranged::Added(ids), None) => format!("{} page(s) inserted", ids.len()),
        (Arranged::Moved(n), _) => format!("{n} page(s) moved"),
        (Arranged::Removed(n), _) => format!(
            "{n} page(s) moved to the trash (anjuan arrange --volume {volume} --restore puts them back)"
        ),
        (Arranged::Restored(n), _) => format!("{n} page(s) put back"),
    };
    eprintln!("{message}");
    Ok(0)
}

/// The flags of `arrange` (one action, clap sees to that) as the typed request,
/// page numbers turned into the pages' ids.
fn arrangement_asked(cat: &Catalogue, volume: &str, a: &Arrangement) -> Result<OpsArrangement> {
    let ids = |spec: &str| -> Result<Vec<i64>> {
        parse_pages(spec)?
            .into_iter()
            .map(|n| page_id_at(cat, volume, n))
            .collect()
    };
    let before = a.before.map(|n| page_id_at(cat, volume, n)).transpose()?;
    Ok(if let Some(spec) = &a.move_pages {
        OpsArrangement::Move {
            pages: ids(spec)?,
            before,
        }
    } else if let Some(spec) = &a.remove {
        OpsArrangement::Remove(ids(spec)?)
    } else if let Some(file) = &a.insert {
        OpsArrangement::Add {
            file: file.clone(),
            placement: before.map_or(Placement::Append, Placement::Before),
        }
    } else if let Some((n, file)) = &a.replace {
        OpsArrangement::Add {
            file: file.clone(),
            placement: Placement::Replace(page_id_at(cat, volume, *n)?),
        }
    } else if a.restore {
        OpsArrangement::Restore(
            cat.trashed_pages(volume)?
                .iter()
                .map(|t| t.trash_id)
                .collect(),
        )
    } else {
        bail!("nothing to arrange")
    })
}
