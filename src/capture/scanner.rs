//! Scanning from a SANE scanner, page by page into a volume.
//!
//! SANE is driven through its own command-line frontend, `scanimage` (package
//! `sane-utils`): it is on every Linux desk that has a scanner, and a backend that
//! crashes or hangs takes a child process down, not the workstation. `--batch`
//! writes one TIFF per sheet side and, with `--batch-print`, names each file on
//! stdout once it is complete, so every page is imported (a master, written once)
//! the moment it arrives. A paper jam or a vanished device ends the batch with an
//! error, and the pages already scanned stay in the volume.
//!
//! The scanner sits behind [`Scanner`] so that tests can use SANE's `test` backend
//! or a fake that jams on purpose. `ANJUAN_SCANIMAGE` names another `scanimage`.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::Placement;
use crate::catalogue::Catalogue;
use crate::store::Store;

/// One scanner SANE can see.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    /// The SANE device name (`epjitsu:libusb:001:004`, `test:0`).
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
}

impl Device {
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.vendor, self.model, self.name)
    }
}

/// What a device offers, read from `scanimage --help`'s device options.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Capabilities {
    /// Paper sources as the backend names them (`Flatbed`, `ADF Duplex` …).
    pub sources: Vec<String>,
    pub modes: Vec<String>,
    /// Lowest and highest resolution, or the listed ones.
    pub resolutions: Vec<u32>,
}

/// Where the paper comes from, as the clerk says it; mapped onto the backend's
/// own source names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The glass: one sheet side per scan.
    Flatbed,
    /// The document feeder, front sides.
    Adf,
    /// The document feeder, both sides (blank backs are found later).
    Duplex,
}

impl Source {
    /// The backend's source name for this choice, if it has one.
    pub fn pick<'a>(&self, offered: &'a [String]) -> Option<&'a str> {
        let lower = |s: &String| s.to_lowercase();
        let is_feeder =
            |s: &str| s.contains("adf") || s.contains("feeder") || s.contains("automatic");
        offered
            .iter()
            .find(|s| {
                let l = lower(s);
                match self {
                    Source::Flatbed => l.contains("flatbed") || l.contains("glass"),
                    Source::Duplex => l.contains("duplex"),
                    Source::Adf => is_feeder(&l) && !l.contains("duplex") && !l.contains("back"),
                }
            })
            .map(|s| s.as_str())
    }
}

/// Colour mode (DA/T 31 §9: colour for red letterheads and seals, which is most
/// of a penalty case file; grey or bi-level only for plain black text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Color,
    Gray,
    Lineart,
}

impl Mode {
    fn sane_name(&self, offered: &[String]) -> String {
        let want = match self {
            Mode::Color => ["color", "colour"],
            Mode::Gray => ["gray", "grey"],
            Mode::Lineart => ["lineart", "binary"],
        };
        offered
            .iter()
            .find(|m| want.iter().any(|w| m.to_lowercase().contains(w)))
            .cloned()
            .unwrap_or_else(|| match self {
                Mode::Color => "Color".into(),
                Mode::Gray => "Gray".into(),
                Mode::Lineart => "Lineart".into(),
            })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanSettings {
    /// SANE device name; None: the first device found.
    pub device: Option<String>,
    pub source: Source,
    pub resolution: u32,
    pub mode: Mode,
    /// Stop after this many sheet sides (a flatbed scans one when None).
    pub max_pages: Option<u32>,
    /// Backend options passed on as they are (`--brightness 10`, a feeder's
    /// `--page-height`), for what a particular scanner needs.
    pub backend_options: Vec<String>,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            device: None,
            source: Source::Adf,
            resolution: 300,
            mode: Mode::Color,
            max_pages: None,
            backend_options: Vec::new(),
        }
    }
}

/// How a scan ended.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    pub volume_id: Option<String>,
    /// Ids of the pages added, in scan order.
    pub pages: Vec<i64>,
    /// Why the scanner stopped early (jam, device gone, cancelled); the pages above
    /// are kept all the same.
    pub error: Option<String>,
    pub cancelled: bool,
}

/// A source of scanned page files.
pub trait Scanner: Send + Sync {
    /// The devices this scanner system offers, with what each can do.
    fn devices(&self) -> Result<Vec<(Device, Capabilities)>>;
    /// Scans into `dir`, calling `page` with each finished file as soon as it is
    /// complete. Returns Err with the device's message when the scanner stopped on
    /// an error; pages delivered before stay delivered. Stops when `cancel` is set.
    fn scan(
        &self,
        settings: &ScanSettings,
        dir: &Path,
        cancel: &AtomicBool,
        page: &mut dyn FnMut(&Path) -> Result<()>,
    ) -> Result<()>;
}

/// The `scanimage` program to run.
pub fn scanimage() -> PathBuf {
    std::env::var_os("ANJUAN_SCANIMAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("scanimage"))
}

fn run_scanimage(args: &[&str]) -> Result<String> {
    let out = Command::new(scanimage())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| {
            format!(
                "cannot run {} (install the Debian package sane-utils)",
                scanimage().display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "scanimage failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The scanners SANE can see now.
pub fn list_devices() -> Result<Vec<Device>> {
    let out = run_scanimage(&["-f", "%d\t%v\t%m\t%t%n"])?;
    Ok(parse_device_list(&out))
}

fn parse_device_list(out: &str) -> Vec<Device> {
    out.lines()
        .filter_map(|l| {
            let mut it = l.split('\t');
            let name = it.next()?.trim();
            if name.is_empty() {
                return None;
            }
            Some(Device {
                name: name.to_string(),
                vendor: it.next().unwrap_or("").trim().to_string(),
                model: it.next().unwrap_or("").trim().to_string(),
                kind: it.next().unwrap_or("").trim().to_string(),
            })
        })
        .collect()
}

/// What `device` offers (sources, modes, resolutions).
pub fn capabilities(device: &str) -> Result<Capabilities> {
    let out = run_scanimage(&["-d", device, "-A"])?;
    Ok(parse_capabilities(&out))
}

/// Reads `--source A|B [A]`, `--mode …`, `--resolution 50..1200dpi` or
/// `--resolution 75|150|300dpi` from `scanimage -A`.
fn parse_capabilities(help: &str) -> Capabilities {
    let mut caps = Capabilities::default();
    for line in help.lines() {
        let line = line.trim();
        let choices = |opt: &str| -> Option<Vec<String>> {
            let rest = line.strip_prefix(opt)?.trim_start();
            let list = rest.split(" [").next()?.trim();
            Some(list.split('|').map(|s| s.trim().to_string()).collect())
        };
        if let Some(v) = choices("--source") {
            caps.sources = v;
        } else if let Some(v) = choices("--mode") {
            caps.modes = v;
        } else if let Some(v) = choices("--resolution") {
            let spec = v.join("|");
            let spec = spec.trim_end_matches("dpi");
            if let Some((lo, hi)) = spec.split_once("..") {
                // `50..1200dpi (in steps of 1)`: the leading digits of each side.
                let num = |s: &str| -> Option<u32> {
                    let d: String = s.trim().chars().take_while(char::is_ascii_digit).collect();
                    d.parse().ok()
                };
                if let (Some(lo), Some(hi)) = (num(lo), num(hi)) {
                    caps.resolutions = vec![lo, hi];
                }
            } else {
                caps.resolutions = spec
                    .split('|')
                    .filter_map(|s| s.trim_end_matches("dpi").trim().parse().ok())
                    .collect();
            }
        }
    }
    caps
}

/// SANE through `scanimage`.
pub struct Sane;

impl Scanner for Sane {
    fn devices(&self) -> Result<Vec<(Device, Capabilities)>> {
        list_devices()?
            .into_iter()
            .map(|d| {
                let caps = capabilities(&d.name).unwrap_or_default();
                Ok((d, caps))
            })
            .collect()
    }

    fn scan(
        &self,
        settings: &ScanSettings,
        dir: &Path,
        cancel: &AtomicBool,
        page: &mut dyn FnMut(&Path) -> Result<()>,
    ) -> Result<()> {
        let device = match &settings.device {
            Some(d) => d.clone(),
            None => list_devices()?.into_iter().next().map(|d| d.name).context(
                "no scanner found (is it on and connected? `scanimage -L` lists what SANE sees)",
            )?,
        };
        let caps = capabilities(&device)?;
        let mut args: Vec<String> = vec!["-d".into(), device.clone()];
        if !caps.sources.is_empty() {
            let source = settings.source.pick(&caps.sources).with_context(|| {
                format!(
                    "the scanner {device} has no {:?} source (it offers {})",
                    settings.source,
                    caps.sources.join(", ")
                )
            })?;
            args.extend(["--source".into(), source.into()]);
        }
        args.extend([
            "--mode".into(),
            settings.mode.sane_name(&caps.modes),
            "--resolution".into(),
            settings.resolution.to_string(),
            "--format=tiff".into(),
            format!("--batch={}", dir.join("p%04d.tif").display()),
            "--batch-print".into(),
        ]);
        let count = match (settings.max_pages, settings.source) {
            (Some(n), _) => Some(n),
            (None, Source::Flatbed) => Some(1),
            (None, _) => None,
        };
        if let Some(n) = count {
            args.push(format!("--batch-count={n}"));
        }
        args.extend(settings.backend_options.iter().cloned());
        tracing::info!("scanimage {}", args.join(" "));
        let mut child = Command::new(scanimage())
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", scanimage().display()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let child = Mutex::new(child);
        let done = AtomicBool::new(false);
        let stalled = AtomicBool::new(false);
        let stall_limit = stall_limit();
        let (status, stderr_text, import_error) = std::thread::scope(|s| {
            let errors = s.spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            });
            // Reading stdout blocks, so a watcher kills the child when the clerk
            // cancels, or when the scanner has sent nothing for `stall_limit` (a
            // hung driver must not hold the batch, and the clerk, forever): the
            // bytes in the batch folder grow while a sheet is being scanned.
            s.spawn(|| {
                let (mut seen, mut progress) = (0u64, Instant::now());
                let mut checked = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    if cancel.load(Ordering::Relaxed) {
                        let _ = child.lock().unwrap().kill();
                        return;
                    }
                    if checked.elapsed() >= Duration::from_millis(500) {
                        checked = Instant::now();
                        let bytes = folder_bytes(dir);
                        if bytes != seen {
                            (seen, progress) = (bytes, Instant::now());
                        } else if progress.elapsed() > stall_limit {
                            stalled.store(true, Ordering::Relaxed);
                            let _ = child.lock().unwrap().kill();
                            return;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
            let mut import_error = None;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let path = PathBuf::from(line.trim());
                if line.trim().is_empty() || !path.is_file() {
                    continue;
                }
                if let Err(e) = page(&path) {
                    import_error = Some(e);
                    let _ = child.lock().unwrap().kill();
                    break;
                }
            }
            let status = child.lock().unwrap().wait();
            done.store(true, Ordering::Relaxed);
            (status, errors.join().unwrap_or_default(), import_error)
        });
        let status = status?;
        if let Some(e) = import_error {
            return Err(e);
        }
        if cancel.load(Ordering::Relaxed) {
            return Ok(());
        }
        if stalled.load(Ordering::Relaxed) {
            bail!(
                "the scanner stopped responding (nothing for {} s); check it and scan the rest",
                stall_limit.as_secs()
            );
        }
        if !status.success() {
            bail!("{}", scanner_message(&stderr_text, status.code()));
        }
        Ok(())
    }
}

/// How long a scanner may send nothing before the batch gives up on it: a slow
/// flatbed at 600 dpi takes about a minute a page; `ANJUAN_SCAN_STALL_SECS`
/// changes it.
const STALL_LIMIT: Duration = Duration::from_secs(180);

fn stall_limit() -> Duration {
    std::env::var("ANJUAN_SCAN_STALL_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(STALL_LIMIT, Duration::from_secs)
}

/// Bytes of the files in `dir` (the sheets scanimage is writing).
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The clerk-facing reason a batch stopped: the device's own words, in short.
fn scanner_message(stderr: &str, code: Option<i32>) -> String {
    // SANE status codes that scanimage passes on as its exit code.
    let status = match code {
        Some(2) => "the device is busy",
        Some(6) => "paper jam in the feeder",
        Some(7) => "the feeder is empty",
        Some(8) => "the scanner cover is open",
        Some(9) => "input/output error (is the scanner still connected?)",
        Some(10) => "out of memory",
        Some(11) => "access to the scanner was denied",
        _ => "the scanner stopped",
    };
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("scanimage:"))
        .map(|l| l.trim_start_matches("scanimage:").trim())
        .collect();
    if said.is_empty() {
        status.to_string()
    } else {
        format!("{status}: {}", said.join("; "))
    }
}

/// Scans into `volume` (a new volume when None or absent), importing each page as it
/// arrives. A scanner error ends the batch but keeps every page scanned before it;
/// the error is in the report. With `placement` Before/Replace the scanned pages go
/// to that place (a rescan in place).
#[allow(clippy::too_many_arguments)]
pub fn scan_into(
    scanner: &dyn Scanner,
    catalogue: &mut Catalogue,
    store: &Store,
    work_dir: &Path,
    volume: Option<&str>,
    settings: &ScanSettings,
    placement: Placement,
    actor: &str,
    cancel: &AtomicBool,
    mut on_page: impl FnMut(&ScanReport),
) -> Result<ScanReport> {
    let mut report = ScanReport::default();
    let (volume_id, created) = match volume {
        Some(v) if catalogue.volume_exists(v)? => (v.to_string(), false),
        _ => {
            let name = format!("扫描 {}", &crate::model::time::local_now()[..16]);
            (catalogue.create_volume(volume, &name)?, true)
        }
    };
    report.volume_id = Some(volume_id.clone());
    let batch = format!(
        "{volume_id}--scan-{}-{}",
        std::process::id(),
        unique_suffix()
    );
    let dir = work_dir.join(&batch);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot make the scan folder {}", dir.display()))?;
    // With Replace, the first page takes the old one's place, later ones follow it.
    let mut place = placement;
    // The pages' source name: when they were scanned, and the sheet side.
    let stamp = crate::model::time::local_now()
        .replace(['-', ':'], "")
        .replace(' ', "T");

    let result = scanner.scan(settings, &dir, cancel, &mut |file| {
        let named = dir.join(format!(
            "scan-{stamp}-{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        ));
        std::fs::rename(file, &named).unwrap_or(());
        let path = if named.exists() {
            named
        } else {
            file.to_path_buf()
        };
        let ids = super::add_file_at(catalogue, store, &volume_id, &path, place, actor)?;
        // The master is in the store now; the scanner's file is no longer needed.
        let _ = std::fs::remove_file(&path);
        // After a replaced page, later pages of the same rescan follow it; before a
        // page, they keep arriving in order before that same page.
        if let (Placement::Replace(_), Some(&last)) = (place, ids.last()) {
            place = next_after(catalogue, &volume_id, last)?;
        }
        report.pages.extend(ids);
        on_page(&report);
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    report.cancelled = cancel.load(Ordering::Relaxed);
    if created && report.pages.is_empty() {
        // The scanner never delivered: no empty volume is left behind.
        catalogue.remove_empty_volume(&volume_id)?;
        report.volume_id = None;
    }
    if let Err(e) = result {
        report.error = Some(format!("{e:#}"));
    }
    if report.volume_id.is_none() {
        return Ok(report);
    }
    let detail = serde_json::json!({
        "pages": report.pages.len(),
        "settings": settings,
        "error": report.error,
        "cancelled": report.cancelled,
    });
    catalogue.audit(actor, "scan", Some(&volume_id), &detail.to_string())?;
    Ok(report)
}

/// Imports the sheets that an interrupted scan (crash, power cut) had finished but
/// not yet imported: each batch folder names its volume and the scanning process;
/// folders of processes that are gone are emptied into their volumes (at the end).
/// Returns (volume, pages added) per folder.
pub fn recover_leftovers(home: &crate::home::Home) -> Result<Vec<(String, usize)>> {
    let dir = home.scan_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(vec![]);
    };
    let mut recovered = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((volume, rest)) = name.rsplit_once("--scan-") else {
            continue;
        };
        let pid: i32 = rest
            .split('-')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        // SAFETY: kill with signal 0 only asks whether the process exists.
        let alive = pid > 0 && unsafe { libc::kill(pid, 0) } == 0;
        if alive {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(entry.path())?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tif"))
            .collect();
        files.sort_by(|a, b| natord::compare(&a.to_string_lossy(), &b.to_string_lossy()));
        let mut catalogue = Catalogue::open(home.catalogue())?;
        let store = Store::new(home.store_dir());
        let mut added = 0;
        if !files.is_empty() {
            if !catalogue.volume_exists(volume)? {
                catalogue.create_volume(Some(volume), "恢复的扫描")?;
            }
            for f in &files {
                match super::add_file_at(
                    &mut catalogue,
                    &store,
                    volume,
                    f,
                    Placement::Append,
                    "recovery",
                ) {
                    Ok(ids) => added += ids.len(),
                    // A sheet cut short by the crash: reported, the rest go on.
                    Err(e) => tracing::warn!("{}: {e:#}", f.display()),
                }
            }
            catalogue.audit(
                "recovery",
                "scan_recovered",
                Some(volume),
                &serde_json::json!({"pages": added}).to_string(),
            )?;
        }
        std::fs::remove_dir_all(entry.path())?;
        recovered.push((volume.to_string(), added));
    }
    Ok(recovered)
}

/// The placement that puts pages right after `page_id`.
fn next_after(catalogue: &Catalogue, volume_id: &str, page_id: i64) -> Result<Placement> {
    let pages = catalogue.pages(volume_id)?;
    let pos = pages.iter().position(|p| p.id == page_id);
    Ok(match pos.and_then(|i| pages.get(i + 1)) {
        Some(next) => Placement::Before(next.id),
        None => Placement::Append,
    })
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_list_is_parsed() {
        let out = "test:0\tNoname\tfrontend-tester\tvirtual device\nfujitsu:fi-7160:1\tFUJITSU\tfi-7160\tscanner\n";
        let d = parse_device_list(out);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].name, "fujitsu:fi-7160:1");
        assert_eq!(d[1].model, "fi-7160");
    }

    #[test]
    fn capabilities_are_read_from_the_help() {
        let help = "  Scan Mode:\n    --mode Lineart|Gray|Color [Gray]\n        Selects the scan mode\n    --resolution 50..600dpi (in steps of 1) [300]\n    --source Flatbed|ADF Front|ADF Back|ADF Duplex [Flatbed]\n";
        let c = parse_capabilities(help);
        assert_eq!(c.modes, ["Lineart", "Gray", "Color"]);
        assert_eq!(c.resolutions, [50, 600]);
        assert_eq!(c.sources.len(), 4);
        assert_eq!(Source::Adf.pick(&c.sources), Some("ADF Front"));
        assert_eq!(Source::Duplex.pick(&c.sources), Some("ADF Duplex"));
        assert_eq!(Source::Flatbed.pick(&c.sources), Some("Flatbed"));
        let listed = parse_capabilities("    --resolution 75|150|300|600dpi [150]\n");
        assert_eq!(listed.resolutions, [75, 150, 300, 600]);
        let test = parse_capabilities("    --source Flatbed|Automatic Document Feeder [Flatbed]\n");
        assert_eq!(
            Source::Adf.pick(&test.sources),
            Some("Automatic Document Feeder")
        );
        assert_eq!(Source::Duplex.pick(&test.sources), None);
    }

    #[test]
    fn scanner_errors_read_like_the_device_said() {
        let m = scanner_message(
            "Scanning page 3\nscanimage: sane_read: Document feeder jammed\n",
            Some(6),
        );
        assert!(m.starts_with("paper jam"), "{m}");
        assert!(m.contains("Document feeder jammed"), "{m}");
    }
}
