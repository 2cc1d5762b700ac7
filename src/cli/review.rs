use super::*;

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The volume (several, or --all, with --sheet)
    #[arg(long, required_unless_present_any = ["sample", "all"])]
    pub volume: Vec<String>,
    /// With --sheet: every volume of the home
    #[arg(long, requires = "sheet", conflicts_with = "volume")]
    pub all: bool,
    /// 评查表: write each volume's score sheet (A4 PDF) and the batch summary (XLSX) into --out
    #[arg(long, requires = "out", conflicts_with_all = ["mark", "resolve", "approve", "return_reason", "deduct", "restore", "sample"])]
    pub sheet: bool,
    /// The folder for --sheet
    #[arg(long, value_name = "DIR", requires = "sheet")]
    pub out: Option<std::path::PathBuf>,
    /// Draw PERCENT of the processed volumes for full inspection (验收)
    #[arg(long, value_name = "PERCENT", conflicts_with_all = ["volume", "mark", "resolve", "approve", "return_reason"])]
    pub sample: Option<f64>,
    /// The draw's seed (printed; the same seed draws the same volumes)
    #[arg(long, requires = "sample")]
    pub seed: Option<u64>,
    #[arg(long)]
    pub json: bool,
    /// Mark a defect on scanned page N (0: the whole volume); needs --note
    #[arg(long, value_name = "N", requires = "note")]
    pub mark: Option<u32>,
    /// What is wrong (with --mark), or a remark (with --approve)
    #[arg(long)]
    pub note: Option<String>,
    /// The mark's severity
    #[arg(long, value_enum, default_value_t = MarkSeverity::Error)]
    pub severity: MarkSeverity,
    /// Close mark ID (the defect was mended)
    #[arg(long, value_name = "ID")]
    pub resolve: Option<i64>,
    /// Approve the volume for packaging
    #[arg(long, conflicts_with_all = ["return_reason", "mark", "resolve"])]
    pub approve: bool,
    /// Send the volume back, saying why
    #[arg(long = "return", value_name = "REASON", conflicts_with_all = ["mark", "resolve"])]
    pub return_reason: Option<String>,
    /// 评查: take POINTS more off item ITEM of the score sheet (e.g. B1=4); --note says why
    #[arg(long, value_name = "ITEM=POINTS", requires = "note", conflicts_with_all = ["mark", "approve", "return_reason"])]
    pub deduct: Option<String>,
    /// 评查: give POINTS back on item ITEM (e.g. B2=5); --note says why
    #[arg(long, value_name = "ITEM=POINTS", requires = "note", conflicts_with_all = ["mark", "approve", "return_reason", "deduct"])]
    pub restore: Option<String>,
}

/// `ITEM=POINTS`, points positive.
fn item_points(arg: &str) -> Result<(String, f64)> {
    let (item, points) = arg
        .split_once('=')
        .with_context(|| format!("{arg}: expected ITEM=POINTS, e.g. B1=4"))?;
    let points: f64 = points
        .trim()
        .parse()
        .ok()
        .filter(|p: &f64| p.is_finite() && *p > 0.0)
        .with_context(|| format!("{arg}: POINTS must be a number above 0"))?;
    Ok((item.trim().to_string(), points))
}

/// The review as `--json` prints it: the findings and decisions, and the score.
#[derive(serde::Serialize)]
struct ReviewOut<'a> {
    #[serde(flatten)]
    review: &'a crate::review::Review,
    score: crate::review::scoring::Score,
}

/// 验收: draws `percent` of the processed volumes not sent back, audited.
fn draw_sample(home: &Home, percent: f64, seed: Option<u64>, json: bool) -> Result<i32> {
    let cat = Catalogue::open(home.catalogue())?;
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
    let actor = home.operator().to_string();
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

/// `review --sheet`: the 评查表 of the volumes asked for, and their summary.
fn write_sheets(home: &Home, args: &ReviewArgs) -> Result<i32> {
    let cat = Catalogue::open(home.catalogue())?;
    let volumes: Vec<String> = if args.all {
        cat.list_volumes()?.into_iter().map(|v| v.id).collect()
    } else {
        args.volume.clone()
    };
    let sheet = crate::review::scoring::ScoreSheet::load_or_builtin(&home.scoring_path())?;
    let out = args.out.as_deref().context("--sheet needs --out DIR")?;
    let (written, problems) =
        ops::review::write_score_sheets(&cat, &sheet, &volumes, out, home.operator())?;
    for p in &written {
        println!("{}", p.display());
    }
    for p in &problems {
        eprintln!("skipped {p}");
    }
    eprintln!(
        "{} score sheet(s) and the summary in {}",
        written.len().saturating_sub(1),
        out.display()
    );
    Ok(if problems.is_empty() { 0 } else { 1 })
}

pub(super) fn review(home: &Home, args: ReviewArgs) -> Result<i32> {
    if let Some(percent) = args.sample {
        return draw_sample(home, percent, args.seed, args.json);
    }
    if args.sheet {
        return write_sheets(home, &args);
    }
    let ReviewArgs {
        volume,
        json,
        mark,
        note,
        severity,
        resolve,
        approve,
        return_reason,
        deduct,
        restore,
        ..
    } = args;
    let [volume] = <[String; 1]>::try_from(volume)
        .map_err(|_| anyhow::anyhow!("one --volume is needed (several only with --sheet)"))?;
    let cat = Catalogue::open(home.catalogue())?;
    anyhow::ensure!(cat.volume_exists(&volume)?, "no volume {volume}");
    let actor = home.operator().to_string();
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
    let sheet = crate::review::scoring::ScoreSheet::load_or_builtin(&home.scoring_path())?;
    for (arg, sign) in [(&deduct, 1.0), (&restore, -1.0)] {
        if let Some(arg) = arg {
            let (item, points) = item_points(arg)?;
            let reason = note.clone().unwrap_or_default();
            ops::review::adjust_score(
                &cat,
                &sheet,
                &volume,
                &item,
                sign * points,
                &reason,
                &actor,
            )?;
            eprintln!("{volume}: {item} {:+} ({reason})", -sign * points);
        }
    }
    let rules = crate::review::ReviewRules::builtin();
    let review = crate::review::review_volume(&cat, &volume, rules)?;
    let score = ops::review::score_review(&cat, &sheet, &review)?;
    if json {
        let out = ReviewOut {
            review: &review,
            score,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
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
        for i in score.items.iter().filter(|i| i.deducted > 0.0) {
            println!(
                "score\t{}\t{} {}\t-{} of {}",
                i.id, i.category, i.item, i.deducted, i.points
            );
        }
        println!(
            "score\ttotal\t{}\t{}{}",
            score.total,
            score.grade,
            score.veto.as_ref().map_or(String::new(), |v| format!(
                " (一票否决: {} {})",
                v.item, v.code
            ))
        );
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
