use super::*;
use std::collections::BTreeMap;

use crate::review::double_entry::EntryState;

#[derive(Debug, clap::Args)]
pub struct VolumesArgs {
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(long)]
    pub volume: String,
    #[arg(long)]
    pub json: bool,
}
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    pub query: String,
    #[arg(long)]
    pub json: bool,
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub volume: String,
    #[arg(long)]
    pub out: PathBuf,
}

pub(super) fn volumes(home: &Home, args: VolumesArgs) -> Result<i32> {
    let VolumesArgs { json } = args;
    let cat = Catalogue::open(home.catalogue())?;
    let vols = cat.list_volumes()?;
    // By id: a volume imported meanwhile by another process has no row yet.
    let rows: std::collections::BTreeMap<String, ops::overview::VolumeRow> =
        ops::overview::volume_rows(&cat)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
    let vols: Vec<_> = vols
        .into_iter()
        .filter_map(|v| rows.get(&v.id).map(|r| (v, r)))
        .collect();
    if json {
        let v: Vec<_> = vols
            .iter()
            .map(|(v, r)| {
                serde_json::json!({
                    "id": v.id, "name": v.name, "pages": v.pages, "done": v.done,
                    "failed": v.failed, "status": v.status(),
                    "archival_code": r.archival_code, "title": r.title, "party": r.party,
                    "year": r.year, "stage": r.stage, "errors": r.errors, "warnings": r.warnings,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for (v, r) in &vols {
            println!(
                "{}\t{}\t{} pages\t{}\t{}\t{} error(s), {} warning(s)",
                v.id,
                r.headline(),
                v.pages,
                v.status(),
                r.stage,
                r.errors,
                r.warnings
            );
        }
    }
    Ok(0)
}

pub(super) fn show(home: &Home, args: ShowArgs) -> Result<i32> {
    let ShowArgs { volume, json } = args;
    let cat = Catalogue::open(home.catalogue())?;
    let v = cat.volume_json(&volume)?;
    let double_entry = crate::review::double_entry::field_entries(&cat, &volume)?;
    if json {
        // The volume as packages carry it, plus where its 一稿双录 stands.
        #[derive(serde::Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            volume: &'a crate::model::VolumeJson,
            double_entry: BTreeMap<&'a str, &'a str>,
        }
        let shown = Shown {
            volume: &v,
            double_entry: double_entry
                .iter()
                .map(|e| (e.field, e.state.as_str()))
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&shown)?);
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
        let keyed = double_entry
            .iter()
            .filter(|e| e.state != EntryState::Pending)
            .count();
        if keyed > 0 {
            let states: Vec<String> = double_entry
                .iter()
                .map(|e| format!("{} {}", e.field, e.state.as_str()))
                .collect();
            println!("  一稿双录: {}", states.join(", "));
            // What the third person needs to settle a disagreement.
            for e in double_entry
                .iter()
                .filter(|e| e.state == EntryState::Mismatch)
            {
                let second = e.second.as_ref().map(|s| (s.value.as_str(), s.by.as_str()));
                println!(
                    "    {}: first {:?} ({}), second {:?} ({})",
                    e.field,
                    e.first.as_deref().unwrap_or(""),
                    e.first_by.as_deref().unwrap_or("machine"),
                    second.map_or("", |s| s.0),
                    second.map_or("", |s| s.1),
                );
            }
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

pub(super) fn search(home: &Home, args: SearchArgs) -> Result<i32> {
    let SearchArgs { query, json, limit } = args;
    let cat = Catalogue::open(home.catalogue())?;
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

pub(super) fn export(home: &Home, args: ExportArgs) -> Result<i32> {
    let ExportArgs { volume, out } = args;
    let cat = Catalogue::open(home.catalogue())?;
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

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub range: DateRange,
    /// What the rows of `by` count
    #[arg(long, value_enum, default_value_t = crate::ops::stats::GroupBy::Authority)]
    pub by: crate::ops::stats::GroupBy,
    /// Also write the rows (and the penalty kinds) as FILE.csv or FILE.xlsx
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub(super) fn stats(home: &Home, args: StatsArgs) -> Result<i32> {
    let (from, to) = args.range.checked()?;
    let cat = Catalogue::open(home.catalogue())?;
    let sheet = crate::review::scoring::ScoreSheet::load_or_builtin(&home.scoring_path())?;
    let rules =
        crate::package::publicity::PublicityRules::load_or_builtin(&home.publicity_rules_path())?;
    let s = ops::stats::stats(&cat, &sheet, &rules, from, to, args.by)?;
    if let Some(out) = &args.out {
        ops::stats::write_table(&s, out)?;
        eprintln!("wrote {}", out.display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(0);
    }
    println!("volumes\t{}\ndecisions\t{}", s.volumes, s.decisions);
    println!(
        "fines (yuan)\t{}\nconfiscated (yuan)\t{}\n罚没金额 (yuan)\t{}",
        s.fines_total, s.confiscated_total, s.penalties_total
    );
    let d = &s.duration_days;
    let days = |v: Option<f64>| v.map_or("-".to_string(), |v| v.to_string());
    println!(
        "立案→决定 (days)\tmedian {} · p90 {} · over 90: {} of {}",
        days(d.median),
        days(d.p90),
        d.over_90,
        d.count
    );
    for b in &s.by {
        println!(
            "by {:?}\t{}\t{} volume(s)\t{} yuan",
            s.by_key, b.key, b.volumes, b.fines_total
        );
    }
    for b in &s.by_category {
        println!("处罚类别\t{}\t{} decision(s)", b.key, b.volumes);
    }
    for (g, n) in &s.grades {
        println!("评查\t{g}\t{n}");
    }
    for (st, n) in &s.stages {
        println!("stage\t{st}\t{n}");
    }
    let de = &s.double_entry;
    println!(
        "著录差错率\t{:.2}%\t{} of {} field(s) keyed twice disagreed",
        de.error_rate * 100.0,
        de.mismatched,
        de.keyed
    );
    for k in &de.by_first_keyer {
        println!(
            "著录差错率\t{}\t{:.2}%\t{} of {}",
            k.keyer.as_deref().unwrap_or("(machine)"),
            k.error_rate * 100.0,
            k.mismatched,
            k.keyed
        );
    }
    Ok(0)
}
