use super::*;

#[derive(Debug, clap::Args)]
pub struct PackageArgs {
    /// Volumes to pack (repeat); see --all
    #[arg(long, required_unless_present = "all")]
    pub volume: Vec<String>,
    /// Every ready volume: processed, indexed, with a 档号, not returned
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub out: PathBuf,
    /// Pack again even when a valid package exists
    #[arg(long)]
    pub force: bool,
    /// Print the 四性检测 reports as JSON
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[arg(required = true)]
    pub packages: Vec<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub(super) fn package(home: &Home, args: PackageArgs) -> Result<i32> {
    let PackageArgs {
        volume,
        all,
        out,
        force,
        json,
    } = args;
    pack(home, volume, all, &out, force, json)
}

pub(super) fn verify(args: VerifyArgs) -> Result<i32> {
    let VerifyArgs { packages, json } = args;
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
                reports.push(
                    serde_json::json!({"package": p, "passed": false, "error": format!("{e:#}")}),
                );
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

/// `anjuan package`: every ready volume (`--all`; the others named with their
/// reason) or the volumes asked for (one that is not ready is an error).
fn pack(
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

#[derive(Debug, clap::Args)]
pub struct PublicityArgs {
    /// The table: FILE.csv or FILE.xlsx
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub range: DateRange,
    /// Print the rows, the decisions left out and the missing cells as JSON
    #[arg(long)]
    pub json: bool,
}

pub(super) fn publicity(home: &Home, args: PublicityArgs) -> Result<i32> {
    let (from, to) = args.range.checked()?;
    let cat = Catalogue::open(home.catalogue())?;
    let table = ops::package::publicity(&cat, home, from, to)?;
    crate::package::publicity::write(&table, &args.out)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&table)?);
    } else {
        println!("{}", args.out.display());
    }
    for (v, why) in &table.excluded {
        eprintln!("left out {v}: {why}");
    }
    for (v, column) in &table.missing {
        eprintln!("{v}: {column} not found in the file; fill it in before upload");
    }
    eprintln!(
        "{} decision(s) in {}; {} left out by the rules; {} cell(s) missing",
        table.rows.len(),
        args.out.display(),
        table.excluded.len(),
        table.missing.len()
    );
    Ok(if table.missing.is_empty() { 0 } else { 1 })
}

#[derive(Debug, clap::Args)]
pub struct HandoverArgs {
    #[arg(required = true)]
    pub packages: Vec<PathBuf>,
    /// The folder the register is written into
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// 交接工作名称
    #[arg(long, default_value = "行政执法案卷电子档案移交")]
    pub name: String,
    /// 内容描述 [default: the number of volumes and what the packages hold]
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub(super) fn handover(home: &Home, args: HandoverArgs) -> Result<i32> {
    let (register, written) = crate::package::handover::write_register(
        &args.packages,
        &args.out,
        &args.name,
        args.description.as_deref(),
        home.operator(),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&register)?);
    } else {
        for w in &written {
            println!("{}", w.display());
        }
    }
    for (file, why) in &register.refused {
        eprintln!("left out {file}: {why}");
    }
    eprintln!(
        "{} package(s), {} file(s), {} GB in the register{}",
        register.volumes,
        register.files,
        register.gigabytes,
        if written.is_empty() {
            " (nothing written: no package passed)"
        } else {
            ""
        }
    );
    Ok(if register.refused.is_empty() && !written.is_empty() {
        0
    } else {
        1
    })
}

#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    #[arg(required = true)]
    pub packages: Vec<PathBuf>,
    /// s3://BUCKET/PREFIX [default: `upload.target` in bureau.json]
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub to: Option<String>,
    /// Attempts per request before a package is given up (it resumes on the next run)
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub retries: u32,
    /// Send at most this many KiB per second (spare the office's link)
    #[arg(long, value_name = "KIB_PER_SEC")]
    pub limit_rate: Option<u64>,
    /// Print the receipts as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

pub(super) fn upload(home: &Home, args: UploadArgs) -> Result<i32> {
    use crate::ops::upload::UploadEvent;
    use crate::package::upload::{Pace, Step};
    let (target, connection) = crate::ops::upload::destination(home, args.to.as_deref())?;
    let cat = Catalogue::open(home.catalogue())?;
    let pace = Pace {
        attempts: args.retries.max(1),
        limit_bytes_per_sec: args.limit_rate.map(|k| k * 1024),
    };
    let cancel = crate::jobs::CancelToken::new();
    let outcomes = crate::ops::upload::upload_batch(
        &cat,
        &connection,
        &target,
        &args.packages,
        pace,
        home.operator(),
        &cancel,
        |event| match event {
            UploadEvent::Started {
                package,
                index,
                total,
            } => {
                eprintln!("[{}/{total}] {package}", index + 1)
            }
            UploadEvent::Step { package, step } => match step {
                Step::AlreadyThere => eprintln!(
                    "{package}: already on the server with the same SHA-256; nothing sent"
                ),
                Step::Resuming { done, parts } => {
                    eprintln!("{package}: resuming: {done} of {parts} part(s) were sent before")
                }
                Step::PartSent { part, parts } => eprintln!("{package}: part {part}/{parts} sent"),
                Step::Retrying {
                    attempt,
                    wait,
                    error,
                } => eprintln!(
                    "{package}: attempt {attempt} failed ({error}); trying again in {} s",
                    wait.as_secs()
                ),
            },
            UploadEvent::Uploaded(r) => eprintln!(
                "{}: uploaded to s3://{}/{} (ETag {}, SHA-256 {}, verified)",
                r.package,
                r.place.bucket,
                r.place.key,
                r.etag.as_deref().unwrap_or("-"),
                r.sha256
            ),
            UploadEvent::Failed { package, error } => eprintln!("{package}: not uploaded: {error}"),
        },
    );
    let receipts: Vec<&crate::catalogue::UploadReceipt> = outcomes
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&receipts)?);
    }
    let failed = outcomes.iter().filter(|(_, r)| r.is_err()).count();
    if failed > 0 {
        eprintln!(
            "{failed} of {} package(s) not uploaded; run the same command again to resume",
            outcomes.len()
        );
    }
    Ok(if failed == 0 { 0 } else { 1 })
}
