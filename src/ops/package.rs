//! Packing a batch of volumes: re-index each (so its package carries the current
//! catalogue), leave out the ones that are not ready with their reason, pack and
//! check the rest, one after another, with progress and cancel.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::catalogue::Catalogue;
use crate::home::Home;
use crate::jobs::CancelToken;
use crate::model::settings::BureauSettings;
use crate::package::bag::{Built, build_package};
use crate::package::ready::{NotReady, readiness_of_all};
use crate::package::verify::Verification;

/// What became of one volume of a batch (or of one package checked again).
#[derive(Debug, Clone)]
pub struct PackOutcome {
    pub volume: Option<String>,
    pub path: Option<PathBuf>,
    /// A valid package already in the outbox was kept.
    pub reused: bool,
    pub verification: Option<Verification>,
    /// Left out: not ready, and why.
    pub not_ready: Option<NotReady>,
    /// Packing failed.
    pub error: Option<String>,
}

impl PackOutcome {
    fn packed(volume: &str, b: Built) -> Self {
        PackOutcome {
            volume: Some(volume.to_string()),
            path: Some(b.path),
            reused: b.reused,
            verification: Some(b.verification),
            not_ready: None,
            error: None,
        }
    }
    fn failed(volume: Option<&str>, path: Option<PathBuf>, error: String) -> Self {
        PackOutcome {
            volume: volume.map(str::to_string),
            path,
            reused: false,
            verification: None,
            not_ready: None,
            error: Some(error),
        }
    }
    /// Packed (or kept) and its check passed.
    pub fn passed(&self) -> bool {
        self.verification.as_ref().is_some_and(|v| v.passed)
    }
}

/// Progress of a batch.
#[derive(Debug)]
pub enum PackEvent {
    Started { total: usize },
    Packing { done: usize, volume: String },
    Outcome(Box<PackOutcome>),
}

/// Which volumes a batch takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Every ready volume; the others are reported with their reason.
    AllReady,
    /// These volumes; one that is not ready is reported as left out.
    Volumes(Vec<String>),
}

/// Packs a batch into `out`; calls `on_event` for progress and for each volume's
/// outcome; returns every outcome. One volume's failure never stops the batch.
pub fn pack_batch(
    home: &Home,
    selection: &Selection,
    out: &Path,
    force: bool,
    cancel: &CancelToken,
    mut on_event: impl FnMut(PackEvent),
) -> Result<Vec<PackOutcome>> {
    let catalogue = Catalogue::open(home.catalogue())?;
    let settings = BureauSettings::load(&home.bureau_path())?;
    let candidates: Vec<String> = match selection {
        Selection::AllReady => catalogue
            .list_volumes()?
            .into_iter()
            .map(|v| v.id)
            .collect(),
        Selection::Volumes(v) => v.clone(),
    };
    // The package carries the catalogue as it is now.
    for v in &candidates {
        if catalogue.volume_exists(v)? {
            super::index::reindex(&catalogue, v, &settings, false)?;
        }
    }
    let ready = readiness_of_all(&catalogue, &settings)?;
    drop(catalogue);
    on_event(PackEvent::Started {
        total: candidates.len(),
    });
    let mut outcomes = Vec::new();
    for (i, v) in candidates.iter().enumerate() {
        if cancel.is_cancelled() {
            break;
        }
        let outcome = match ready.get(v) {
            None => PackOutcome::failed(Some(v), None, format!("no volume {v}")),
            Some(Err(why)) => PackOutcome {
                not_ready: Some(why.clone()),
                error: None,
                ..PackOutcome::failed(Some(v), None, String::new())
            },
            Some(Ok(())) => {
                on_event(PackEvent::Packing {
                    done: i,
                    volume: v.clone(),
                });
                match build_package(home, v, out, force) {
                    Ok(b) => PackOutcome::packed(v, b),
                    Err(e) => PackOutcome::failed(Some(v), None, format!("{e:#}")),
                }
            }
        };
        on_event(PackEvent::Outcome(Box::new(outcome.clone())));
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Checks a package file again (四性检测).
pub fn verify_again(path: &Path) -> PackOutcome {
    match crate::package::verify::verify_package(path) {
        Ok(v) => PackOutcome {
            volume: None,
            path: Some(path.to_path_buf()),
            reused: true,
            verification: Some(v),
            not_ready: None,
            error: None,
        },
        Err(e) => PackOutcome::failed(None, Some(path.to_path_buf()), format!("{e:#}")),
    }
}

/// 双公示: the table of the home's penalty decisions (between `from` and `to`),
/// on the bureau's settings and publication rules (its `publicity.json`, else
/// the shipped rules).
pub fn publicity(
    catalogue: &Catalogue,
    home: &Home,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<crate::package::publicity::Publicity> {
    use crate::package::publicity::{PublicityRules, collect};
    let settings = BureauSettings::load(&home.bureau_path())?;
    let rules = PublicityRules::load_or_builtin(&home.publicity_rules_path())?;
    let mut volumes = Vec::new();
    for v in catalogue.list_volumes()? {
        volumes.push(catalogue.volume_json(&v.id)?);
    }
    Ok(collect(volumes, &settings.publicity, &rules, from, to))
}
