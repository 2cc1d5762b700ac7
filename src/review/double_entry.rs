//! 一稿双录 (double keying): the decisive fields of a volume are keyed a second
//! time, blind, by another clerk, and compared with the volume's value (the
//! machine's proposal or the first clerk's correction). A disagreement is
//! settled by a third person, whose value becomes the field's correction.
//!
//! A field's state is worked out afresh from its latest second keying and the
//! volume's value now, so a later change of the value is never hidden: a field
//! that agreed and was changed afterwards disagrees again.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Serialize;

use crate::catalogue::{Catalogue, SecondEntry};
use crate::model::index::{ValueKind, VolumeIndex, volume_field};

/// The fields keyed twice: who, which decision, when, how much.
pub const DECISIVE_FIELDS: &[&str] = &[
    "party",
    "party_id_code",
    "decision_no",
    "filed_date",
    "decided_date",
    "closed_date",
    "fine_amount",
];

/// Where a field stands in the double keying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Not keyed a second time.
    Pending,
    /// The second keying agrees with the volume's value.
    Match,
    /// They disagree; a third person settles it.
    Mismatch,
    /// A third person settled the disagreement, and the value is still theirs.
    Settled,
}

impl EntryState {
    /// Open: packing waits for it when the bureau requires double keying.
    pub fn is_open(self) -> bool {
        matches!(self, EntryState::Pending | EntryState::Mismatch)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Pending => "pending",
            EntryState::Match => "match",
            EntryState::Mismatch => "mismatch",
            EntryState::Settled => "settled",
        }
    }
}

/// One decisive field of a volume in the double keying, with both values (for
/// the third person; the second keyer's screen never shows `first`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEntry {
    pub field: &'static str,
    pub state: EntryState,
    /// The volume's value now.
    pub first: Option<String>,
    /// Who keyed it (None: the machine's proposal).
    pub first_by: Option<String>,
    pub second: Option<SecondEntry>,
}

impl FieldEntry {
    /// Whether `who` keyed this field: its first value (now, or when it was
    /// keyed the second time) or its second keying. A disagreement is settled
    /// by someone who did neither.
    pub fn keyed_by(&self, who: &str) -> bool {
        self.first_by.as_deref() == Some(who)
            || self
                .second
                .as_ref()
                .is_some_and(|s| s.by == who || s.first_by.as_deref() == Some(who))
    }
}

/// The decisive field `field` among a volume's entries ([`field_entries`]).
pub fn entry<'a>(entries: &'a [FieldEntry], field: &str) -> &'a FieldEntry {
    entries
        .iter()
        .find(|e| e.field == field)
        .expect("every decisive field has its entry")
}

/// The states of a volume's decisive fields, in [`DECISIVE_FIELDS`] order.
pub fn field_entries(catalogue: &Catalogue, volume_id: &str) -> Result<Vec<FieldEntry>> {
    let index = catalogue.volume_index(volume_id)?;
    let corrections = catalogue.corrections(volume_id)?;
    let mut seconds = catalogue.second_entries(volume_id)?;
    Ok(DECISIVE_FIELDS
        .iter()
        .map(|&field| {
            let first = first_value(index.as_ref(), field);
            let first_by = corrections
                .iter()
                .find(|c| c.target == format!("field:{field}"))
                .map(|c| c.actor.clone());
            let second = seconds.remove(field);
            FieldEntry {
                field,
                state: state_of(field, first.as_deref(), second.as_ref()),
                first,
                first_by,
                second,
            }
        })
        .collect())
}

/// The states alone, by field, as `show --json` prints them.
pub fn states(catalogue: &Catalogue, volume_id: &str) -> Result<BTreeMap<String, EntryState>> {
    Ok(field_entries(catalogue, volume_id)?
        .into_iter()
        .map(|e| (e.field.to_string(), e.state))
        .collect())
}

/// The volume's value of a field now (None when not indexed or not found).
pub fn first_value(index: Option<&VolumeIndex>, field: &str) -> Option<String> {
    index?
        .fields
        .get(field)?
        .value
        .clone()
        .filter(|v| !v.trim().is_empty())
}

/// A field's state from the volume's value now and its latest second keying.
pub fn state_of(field: &str, first: Option<&str>, second: Option<&SecondEntry>) -> EntryState {
    let Some(second) = second else {
        return EntryState::Pending;
    };
    if let Some(settled) = &second.settled_value
        && same_value(field, first, Some(settled))
    {
        return EntryState::Settled;
    }
    if second.settled_value.is_none() && same_value(field, first, Some(&second.value)) {
        EntryState::Match
    } else {
        EntryState::Mismatch
    }
}

/// Whether two keyings of a field say the same: dates and amounts by value,
/// text without spaces, full-width letters and digits as half-width, letters
/// upper-case, a 文号's brackets as 〔〕. Empty is the same as none.
pub fn same_value(field: &str, a: Option<&str>, b: Option<&str>) -> bool {
    let kind = volume_field(field).map_or(ValueKind::Text, |f| f.kind);
    comparable(field, kind, a.unwrap_or("")) == comparable(field, kind, b.unwrap_or(""))
}

fn comparable(field: &str, kind: ValueKind, value: &str) -> String {
    let text: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // Full-width ASCII (！ to ～) as ASCII.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c.to_ascii_uppercase(),
        })
        .collect();
    match kind {
        ValueKind::Amount => match text.replace(',', "").parse::<f64>() {
            // Cents decide; 1000 and 1000.00 are one amount.
            Ok(a) => format!("{:.2}", a),
            Err(_) => text,
        },
        _ if field == "decision_no" => crate::indexing::identifiers::find_doc_no(&text)
            .map(|(d, _)| d)
            .unwrap_or(text),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(value: &str, settled: Option<&str>) -> SecondEntry {
        SecondEntry {
            id: 1,
            field: "party".into(),
            value: value.into(),
            first_value: None,
            first_by: None,
            matched: false,
            by: "乙".into(),
            at: String::new(),
            settled_value: settled.map(Into::into),
            settled_by: settled.map(|_| "丙".into()),
            settled_at: None,
        }
    }

    #[test]
    fn keyings_agree_by_what_they_say_not_how_they_are_typed() {
        assert!(same_value("fine_amount", Some("1000"), Some("1000.00")));
        assert!(!same_value("fine_amount", Some("1000"), Some("100")));
        assert!(same_value(
            "decision_no",
            Some("泰市监罚〔2021〕17号"),
            Some("泰市监罚[2021]17号")
        ));
        assert!(same_value(
            "party_id_code",
            Some("91320100MA1X2Y3Z4K"),
            Some("９１３２０１００ma1x2y3z4k")
        ));
        assert!(same_value("party", Some("张 三"), Some("张三")));
        assert!(!same_value("party", Some("张三"), Some("张山")));
        assert!(same_value("closed_date", None, Some("")));
        assert!(!same_value("closed_date", None, Some("2021-03-05")));
    }

    #[test]
    fn a_field_is_pending_until_keyed_and_a_settlement_holds_while_the_value_stays() {
        assert_eq!(state_of("party", Some("张三"), None), EntryState::Pending);
        let agree = second("张三", None);
        assert_eq!(
            state_of("party", Some("张三"), Some(&agree)),
            EntryState::Match
        );
        // Changed after it agreed: it disagrees again.
        assert_eq!(
            state_of("party", Some("李四"), Some(&agree)),
            EntryState::Mismatch
        );
        let settled = second("张山", Some("张三"));
        assert_eq!(
            state_of("party", Some("张三"), Some(&settled)),
            EntryState::Settled
        );
        assert_eq!(
            state_of("party", Some("张山"), Some(&settled)),
            EntryState::Mismatch,
            "a value changed after the settlement is not the settled one"
        );
        assert!(EntryState::Pending.is_open() && EntryState::Mismatch.is_open());
        assert!(!EntryState::Match.is_open() && !EntryState::Settled.is_open());
    }

    #[test]
    fn the_decisive_fields_are_volume_fields() {
        for f in DECISIVE_FIELDS {
            assert!(volume_field(f).is_some(), "{f}");
        }
    }
}
