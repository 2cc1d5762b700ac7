//! Indexing a volume again when what it is made from changed: its pages, the
//! clerk's corrections, the bureau's settings or the indexing rules. The
//! catalogue only stores and loads; the decision and the rules run here.

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::catalogue::{Catalogue, CorrectionRow};
use crate::indexing::{self, IndexContext, archival};
use crate::model::index::{Corrections, PageInput, VolumeIndex};
use crate::model::settings::BureauSettings;
use crate::model::{Finding, Severity};

/// Indexes the volume again if its pages, corrections or settings changed since
/// the stored index (or always, with `force`). Returns the index when one was
/// made; `None` when nothing changed or pages still wait for processing.
pub fn reindex(
    catalogue: &Catalogue,
    volume_id: &str,
    settings: &BureauSettings,
    force: bool,
) -> Result<Option<VolumeIndex>> {
    let Some(pages) = catalogue.index_inputs(volume_id)? else {
        return Ok(None);
    };
    let corrections = catalogue.corrections(volume_id)?;
    let fingerprint = fingerprint(settings, &pages, &corrections)?;
    if !force && catalogue.index_fingerprint(volume_id)?.as_deref() == Some(fingerprint.as_str()) {
        return Ok(None);
    }
    let ctx = IndexContext {
        settings: settings.clone(),
        next_volume_no: next_volume_no(catalogue, volume_id, settings)?,
    };
    let corrections = Corrections::from_pairs(
        corrections
            .iter()
            .map(|c| (c.target.as_str(), c.value.as_str())),
    );
    let mut index = indexing::index_volume(&pages, &corrections, &ctx);
    if let Some(code) = index
        .fields
        .get("archival_code")
        .and_then(|f| f.value.clone())
        && let Some(other) = catalogue.volume_with_archival_code(&code, volume_id)?
    {
        index.findings.push(Finding::new(
            "archival_code_duplicate",
            Severity::Error,
            format!("档号 {code} 已用于案卷 {other}"),
        ));
    }
    catalogue.store_index(volume_id, &fingerprint, &index)?;
    Ok(Some(index))
}

/// Everything an index is made from, hashed: the rules' version, the settings,
/// each page's text and shape, the corrections.
fn fingerprint(
    settings: &BureauSettings,
    pages: &[PageInput],
    corrections: &[CorrectionRow],
) -> Result<String> {
    let mut h = Sha256::new();
    h.update(indexing::INDEX_VERSION);
    h.update(serde_json::to_vec(&settings.indexing_inputs())?);
    for p in pages {
        h.update(format!("{}|{}|{}x{}|", p.seq, p.blank, p.width, p.height));
        h.update(serde_json::to_vec(&p.lines)?);
    }
    for c in corrections {
        h.update(format!("{}={}\n", c.target, c.value));
    }
    Ok(hex::encode(h.finalize()))
}

/// The 案卷号 for a volume without a printed 档号: the one it was given before (a
/// re-index must not renumber a volume), else one past the highest number among
/// the other volumes' codes.
fn next_volume_no(
    catalogue: &Catalogue,
    volume_id: &str,
    settings: &BureauSettings,
) -> Result<u32> {
    let number = |code: &str| {
        archival::parse(&settings.archival_code_template, code).and_then(|parts| {
            parts
                .get(archival::VOLUME_NO)
                .and_then(|n| n.parse::<u32>().ok())
        })
    };
    let codes = catalogue.archival_codes()?;
    if let Some(n) = codes
        .get(volume_id)
        .cloned()
        .flatten()
        .as_deref()
        .and_then(number)
    {
        return Ok(n);
    }
    let max = codes
        .iter()
        .filter(|(id, _)| id.as_str() != volume_id)
        .filter_map(|(_, code)| code.as_deref().and_then(number))
        .max()
        .unwrap_or(0);
    Ok(max + 1)
}
