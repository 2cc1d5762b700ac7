//! The clerk's edits that change what a volume's index is made from — corrections
//! (著录), the bureau's settings, the order of pages — each followed by the
//! re-index, so the catalogue never shows an index older than its inputs.

use anyhow::{Context, Result, bail};

use super::index::reindex;
use crate::catalogue::Catalogue;
use crate::home::Home;
use crate::indexing::kinds::KindTable;
use crate::indexing::values::{Date, dates};
use crate::model::index::{Target, ValueKind, VolumeIndex};
use crate::model::record::Overrides;
use crate::model::settings::BureauSettings;
use crate::review::double_entry::{DECISIVE_FIELDS, EntryState, entry, field_entries, same_value};

/// Reads a clerk's `KEY=VALUE` (the command line's `correct`): a volume field
/// (`party`), `doc:N:FIELD`, `start:N=yes|no`, `kind:N=KIND`. An empty VALUE
/// clears the field. The value is checked (see [`check_value`]).
pub fn parse_correction(pair: &str) -> Result<(Target, Option<String>)> {
    let (key, value) = pair
        .split_once('=')
        .with_context(|| format!("{pair:?} is not KEY=VALUE"))?;
    let target = parse_target(key)?;
    let value = check_value(&target, value)?;
    Ok((target, Some(value)))
}

/// A correction's key as the clerk writes it: `party` for `field:party`.
pub fn parse_target(key: &str) -> Result<Target> {
    let key = if key.contains(':') {
        key.to_string()
    } else {
        format!("field:{key}")
    };
    Target::parse(&key).with_context(|| format!("unknown field {key:?}; see anjuan correct --help"))
}

/// Checks a clerk's value for a target and returns it as it is stored: dates as
/// `YYYY-MM-DD` (also from 2021年3月5日), amounts as a plain number (1,000 →
/// 1000), `start:` as true/false. A value that cannot be what the field holds is
/// refused with the reason, never stored to become null later.
pub fn check_value(target: &Target, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    let name = target.key();
    Ok(match target {
        Target::Start(_) => match value {
            "yes" | "true" => "true".into(),
            "no" | "false" => "false".into(),
            v => bail!("start:N takes yes or no, not {v:?}"),
        },
        Target::Kind(_) => {
            if KindTable::builtin().rule(value).is_none() {
                bail!("unknown document kind {value:?}");
            }
            value.into()
        }
        _ => match target.value_kind().unwrap_or(ValueKind::Text) {
            ValueKind::Text => value.into(),
            ValueKind::Date => match Date::parse_iso(value).or_else(|| {
                // One date written out, and nothing else (the longest form,
                // 二〇二〇年十二月三十一日, has twelve characters).
                match dates(value).as_slice() {
                    [(d, 0)] if value.chars().count() <= 12 => Some(*d),
                    _ => None,
                }
            }) {
                Some(d) => d.iso(),
                None => bail!("{name}: {value:?} is not a date (YYYY-MM-DD or 2021年3月5日)"),
            },
            ValueKind::Year => match value.parse::<i32>() {
                Ok(y) if (1900..=2100).contains(&y) => y.to_string(),
                _ => bail!("{name}: {value:?} is not a year"),
            },
            ValueKind::Amount => {
                let plain: String = value
                    .trim_start_matches(['¥', '￥'])
                    .trim_end_matches('元')
                    .chars()
                    .filter(|c| !matches!(c, ',' | '，' | ' '))
                    .collect();
                match plain.parse::<f64>() {
                    Ok(a) if a.is_finite() && a >= 0.0 => plain,
                    _ => {
                        bail!("{name}: {value:?} is not an amount in yuan (e.g. 1000 or 1,000.50)")
                    }
                }
            }
            ValueKind::Retention => match crate::indexing::archival::retention_code(value) {
                Some(code) => code,
                None => bail!("{name}: {value:?} is not a retention period (Y, D30, D10)"),
            },
        },
    })
}

/// Stores the clerk's values (`None` gives a field back to the machine), then
/// indexes the volume again. Values are checked first; nothing is stored when
/// one is refused.
pub fn correct(
    home: &Home,
    catalogue: &mut Catalogue,
    volume_id: &str,
    changes: &[(Target, Option<String>)],
    actor: &str,
) -> Result<Option<VolumeIndex>> {
    if !catalogue.volume_exists(volume_id)? {
        bail!("no volume {volume_id}");
    }
    let mut checked = Vec::with_capacity(changes.len());
    for (target, value) in changes {
        let value = value
            .as_deref()
            .map(|v| check_value(target, v))
            .transpose()?;
        checked.push((target, value));
    }
    for (target, value) in &checked {
        catalogue.set_correction(volume_id, target, value.as_deref(), actor)?;
    }
    let settings = BureauSettings::load(&home.bureau_path())?;
    reindex(catalogue, volume_id, &settings, false)
}

/// A second keyer's `KEY=VALUE` for 一稿双录: a decisive field (see
/// [`DECISIVE_FIELDS`]) and its value, checked as a correction is; `无` or `-`
/// says the volume has none.
pub fn parse_second_entry(pair: &str) -> Result<(String, String)> {
    let (key, value) = pair
        .split_once('=')
        .with_context(|| format!("{pair:?} is not KEY=VALUE"))?;
    check_second_entry(key, value)
}

/// A decisive field's key and a second keyer's value, checked (see
/// [`parse_second_entry`]).
pub fn check_second_entry(key: &str, value: &str) -> Result<(String, String)> {
    let key = key.trim();
    if !DECISIVE_FIELDS.contains(&key) {
        bail!(
            "{key:?} is not keyed twice; the decisive fields are {}",
            DECISIVE_FIELDS.join(", ")
        );
    }
    let value = match value.trim() {
        "无" | "-" => String::new(),
        v => check_value(&Target::Field(key.to_string()), v)?,
    };
    Ok((key.to_string(), value))
}

/// 一稿双录: records a second, blind keying of decisive fields and says, field by
/// field, whether it agrees with the volume's value (never what that value is).
/// The keyer must not be who keyed the first value, and a field that already
/// agrees or was settled is not keyed again. Nothing in the index changes.
pub fn key_second(
    catalogue: &mut Catalogue,
    volume_id: &str,
    entries: &[(String, String)],
    actor: &str,
) -> Result<Vec<(String, EntryState)>> {
    if !catalogue.volume_exists(volume_id)? {
        bail!("no volume {volume_id}");
    }
    if catalogue.volume_index(volume_id)?.is_none() {
        bail!("volume {volume_id} is not indexed yet: run `anjuan process` first");
    }
    let now = field_entries(catalogue, volume_id)?;
    // Every entry is checked before any is stored.
    let mut checked = Vec::with_capacity(entries.len());
    for (field, value) in entries {
        let e = entry(&now, field);
        if e.first_by.as_deref() == Some(actor) {
            bail!("{field}: {actor} keyed its first value; the second keying is another clerk's");
        }
        if matches!(e.state, EntryState::Match | EntryState::Settled) {
            bail!(
                "{field} was already keyed twice and is {}",
                e.state.as_str()
            );
        }
        checked.push((e, value));
    }
    let mut out = Vec::new();
    for (e, value) in checked {
        let matched = same_value(e.field, e.first.as_deref(), Some(value));
        catalogue.record_second_entry(
            volume_id,
            e.field,
            value,
            e.first.as_deref(),
            e.first_by.as_deref(),
            matched,
            actor,
        )?;
        let state = if matched {
            EntryState::Match
        } else {
            EntryState::Mismatch
        };
        out.push((e.field.to_string(), state));
    }
    Ok(out)
}

/// A third person settles disagreements of the double keying: each value
/// becomes the field's correction (so every later pass keeps it), then the
/// volume is indexed again. Refused for a field that does not disagree and for
/// the first or the second keyer.
pub fn settle_second(
    home: &Home,
    catalogue: &mut Catalogue,
    volume_id: &str,
    entries: &[(String, String)],
    actor: &str,
) -> Result<Option<VolumeIndex>> {
    if !catalogue.volume_exists(volume_id)? {
        bail!("no volume {volume_id}");
    }
    let now = field_entries(catalogue, volume_id)?;
    let mut settle = Vec::new();
    for (field, value) in entries {
        let e = entry(&now, field);
        let second = match (&e.second, e.state) {
            (Some(s), EntryState::Mismatch) => s,
            _ => bail!(
                "{field} is {}, there is nothing to settle",
                e.state.as_str()
            ),
        };
        if e.keyed_by(actor) {
            bail!("{field}: {actor} keyed it; a disagreement is settled by a third person");
        }
        settle.push((second.id, field, value));
    }
    for (id, field, value) in settle {
        catalogue.settle_second_entry(volume_id, id, field, value, actor)?;
    }
    let settings = BureauSettings::load(&home.bureau_path())?;
    reindex(catalogue, volume_id, &settings, false)
}

/// Checks and saves the bureau's settings (atomically). Indexing notices the new
/// settings in every volume's fingerprint: re-index afterwards
/// ([`super::pipeline::index_volumes`]) so every 档号 follows.
pub fn save_settings(home: &Home, settings: &BureauSettings) -> Result<()> {
    settings.save(&home.bureau_path())
}

/// A change to the order of a volume's pages (move, remove, restore, insert),
/// then the index follows the new order (new pages wait for processing first).
pub fn arrange_then_reindex<T>(
    home: &Home,
    catalogue: &mut Catalogue,
    volume_id: &str,
    change: impl FnOnce(&mut Catalogue) -> Result<T>,
) -> Result<T> {
    let out = change(catalogue)?;
    let settings = BureauSettings::load(&home.bureau_path())?;
    reindex(catalogue, volume_id, &settings, false)?;
    Ok(out)
}

/// A clerk's decisions for one page (turn, straighten, blank back), which win
/// over the automatic ones; the page is made again from its master on the next
/// processing run. Values no page can take are refused with the reason.
pub fn decide_page(
    catalogue: &mut Catalogue,
    page_id: i64,
    overrides: &Overrides,
    actor: &str,
) -> Result<()> {
    if let Some(r) = overrides.rotation
        && !matches!(r, 0 | 90 | 180 | 270)
    {
        bail!("a page turns by 0, 90, 180 or 270 degrees, not {r}");
    }
    if let Some(s) = overrides.skew_deg
        && !(s.is_finite() && s.abs() <= MAX_SKEW_DEG)
    {
        bail!(
            "a skew of {s}° is not a straightening (at most ±{MAX_SKEW_DEG}°; turn the page instead)"
        );
    }
    catalogue.set_overrides(page_id, overrides, actor)
}

/// Larger angles are turns, not skew.
const MAX_SKEW_DEG: f32 = 45.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str) -> Target {
        Target::Field(key.into())
    }

    #[test]
    fn page_decisions_no_page_can_take_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalogue::open(dir.path().join("c.sqlite")).unwrap();
        let turn = Overrides {
            rotation: Some(45),
            ..Default::default()
        };
        let e = decide_page(&mut cat, 1, &turn, "t").unwrap_err();
        assert!(e.to_string().contains("0, 90, 180 or 270"), "{e}");
        let skew = Overrides {
            skew_deg: Some(f32::NAN),
            ..Default::default()
        };
        assert!(decide_page(&mut cat, 1, &skew, "t").is_err());
    }

    #[test]
    fn clerk_values_are_checked_and_normalized() {
        assert_eq!(check_value(&field("fine_amount"), "1,000").unwrap(), "1000");
        assert_eq!(
            check_value(&field("fine_amount"), "￥2000.50元").unwrap(),
            "2000.50"
        );
        assert!(check_value(&field("fine_amount"), "一千").is_err());
        assert_eq!(
            check_value(&field("filed_date"), "2021年3月5日").unwrap(),
            "2021-03-05"
        );
        assert_eq!(
            check_value(&field("filed_date"), "2021-03-05").unwrap(),
            "2021-03-05"
        );
        assert!(check_value(&field("filed_date"), "2021-02-30").is_err());
        assert!(check_value(&field("year"), "21").is_err());
        assert_eq!(check_value(&field("retention"), "永久").unwrap(), "Y");
        assert_eq!(check_value(&field("party"), " 张三 ").unwrap(), "张三");
        assert_eq!(check_value(&Target::Start(3), "yes").unwrap(), "true");
        assert!(check_value(&Target::Start(3), "maybe").is_err());
        assert!(check_value(&Target::Kind(3), "no_such_kind").is_err());
        assert_eq!(check_value(&field("fine_amount"), "").unwrap(), "");
    }

    #[test]
    fn keys_are_read_as_the_command_line_writes_them() {
        assert_eq!(
            parse_correction("party=张三").unwrap(),
            (field("party"), Some("张三".into()))
        );
        assert_eq!(
            parse_correction("doc:4:date=2021年3月5日").unwrap(),
            (
                Target::DocField(4, "date".into()),
                Some("2021-03-05".into())
            )
        );
        assert!(parse_correction("party").is_err());
        assert!(parse_correction("nonsense=1").is_err());
    }
}
