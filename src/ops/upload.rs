//! Uploading a batch of packages to the platform: each checked again (四性检测)
//! and refused if it fails, then uploaded (resumed, or skipped when the server
//! already holds it), and its receipt kept in the catalogue and written beside
//! the package (`receipts/<package>.json`). One package that fails never stops
//! the batch.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::catalogue::{Catalogue, UploadReceipt};
use crate::home::Home;
use crate::jobs::CancelToken;
use crate::model::settings::BureauSettings;
use crate::package::upload::{Connection, Pace, Step, Target, Uploader};
use crate::package::verify::verify_package;

/// Progress of a batch.
#[derive(Debug)]
pub enum UploadEvent {
    Started {
        package: String,
        index: usize,
        total: usize,
    },
    Step {
        package: String,
        step: Step,
    },
    Uploaded(UploadReceipt),
    Failed {
        package: String,
        error: String,
    },
}

/// What became of each package: its receipt, or why it was not uploaded.
pub type UploadOutcome = (PathBuf, std::result::Result<UploadReceipt, String>);

/// The receipt's file beside a package: `<outbox>/receipts/<package>.json`.
pub fn receipt_path(package: &Path) -> PathBuf {
    let name = package
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    package
        .parent()
        .unwrap_or(Path::new("."))
        .join("receipts")
        .join(format!("{name}.json"))
}

/// Where to and how: the target (`to`, else `upload.target` in bureau.json)
/// and the connection (bureau.json's `upload` and the environment).
pub fn destination(home: &Home, to: Option<&str>) -> Result<(Target, Connection)> {
    let settings = BureauSettings::load(&home.bureau_path())?;
    let target = to
        .map(str::to_string)
        .or_else(|| settings.upload.target.clone())
        .context("no target: give --to s3://BUCKET/PREFIX or set `upload.target` in bureau.json")?;
    Ok((
        Target::parse(&target)?,
        Connection::resolve(&settings.upload)?,
    ))
}

#[allow(clippy::too_many_arguments)]
pub fn upload_batch(
    catalogue: &Catalogue,
    connection: &Connection,
    target: &Target,
    packages: &[PathBuf],
    pace: Pace,
    actor: &str,
    cancel: &CancelToken,
    mut on_event: impl FnMut(UploadEvent),
) -> Vec<UploadOutcome> {
    let uploader = Uploader {
        connection,
        pace,
        actor,
    };
    let mut out = Vec::new();
    for (index, path) in packages.iter().enumerate() {
        let package = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        if cancel.is_cancelled() {
            break;
        }
        on_event(UploadEvent::Started {
            package: package.clone(),
            index,
            total: packages.len(),
        });
        let result = upload_one(catalogue, &uploader, target, path, cancel, &mut |step| {
            on_event(UploadEvent::Step {
                package: package.clone(),
                step,
            })
        });
        match result {
            Ok(receipt) => {
                on_event(UploadEvent::Uploaded(receipt.clone()));
                out.push((path.clone(), Ok(receipt)));
            }
            Err(e) => {
                let error = format!("{e:#}");
                on_event(UploadEvent::Failed {
                    package,
                    error: error.clone(),
                });
                out.push((path.clone(), Err(error)));
            }
        }
    }
    out
}

fn upload_one(
    catalogue: &Catalogue,
    uploader: &Uploader<'_>,
    target: &Target,
    path: &Path,
    cancel: &CancelToken,
    on_step: &mut dyn FnMut(Step),
) -> Result<UploadReceipt> {
    // Only what passes its 四性检测 goes to the platform.
    let v = verify_package(path)?;
    if !v.passed {
        anyhow::bail!("四性检测未通过 (fails its check): {}", v.failed_checks());
    }
    let receipt = uploader.upload(catalogue, path, target, &|| cancel.is_cancelled(), on_step)?;
    catalogue.record_receipt(&receipt)?;
    let file = receipt_path(path);
    std::fs::create_dir_all(file.parent().expect("a folder"))
        .with_context(|| format!("cannot create {}", file.display()))?;
    crate::fsutil::write_atomic(&file, &serde_json::to_vec_pretty(&receipt)?)
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(receipt)
}
