//! Indexing (著录): from the upright, OCR-read pages of a volume to its documents
//! (件) with their kinds, the volume's catalogue fields, page numbers (页号), the
//! 档号 and the 卷内目录 — each value with a confidence and the page and box it
//! came from, so that the clerk can check it against the image.
//!
//! [`index_volume`] is a pure function of the pages, the clerk's corrections and
//! the bureau's settings. Corrections are an *input*, never overwritten: a later
//! automatic pass computes its proposals and then applies them again. Rules that
//! vary between bureaus live in `assets/indexing/` (kinds and title words, the 档号
//! template), not in code.
//!
//! Steps: [`split::read_page`] reads each page for titles, continuation marks and
//! page stamps; documents start at title pages; pages are numbered; the scanned
//! 卷内目录 ([`contents::parse`]) fills in document starts that had no title and
//! supplies titles; then fields are extracted ([`fields`]) and cross-checks become
//! findings.

pub mod archival;
pub mod contents;
mod fields;
pub mod identifiers;
pub mod kinds;
pub mod numbering;
pub mod split;
pub mod values;

use std::collections::BTreeMap;

pub use crate::model::finding::{Finding, Severity};
pub use crate::model::index::{
    ContentsRow, Corrections, DOCUMENT_FIELDS, DocumentIndex, Field, PageIndex, PageInput, Target,
    VOLUME_FIELDS, VolumeIndex,
};
pub use archival::BureauSettings;
use kinds::KindTable;
use split::PageEvidence;
use values::squash;

/// Version of the rules, recorded with every index.
pub const INDEX_VERSION: &str = "indexing-1";

/// What indexing needs from outside the volume.
#[derive(Debug, Clone, Default)]
pub struct IndexContext {
    pub settings: BureauSettings,
    /// The 案卷号 to use when the volume shows no 档号 (the catalogue's next free one).
    pub next_volume_no: u32,
}

/// A document start: first page, kind, how sure.
#[derive(Debug, Clone)]
struct Start {
    page: u32,
    kind: String,
    confidence: f32,
    kind_confidence: f32,
}

/// Indexes one volume. Pages must be in scan order.
pub fn index_volume(
    pages: &[PageInput],
    corrections: &Corrections,
    ctx: &IndexContext,
) -> VolumeIndex {
    let table = KindTable::builtin();
    let evidence: Vec<PageEvidence> = pages
        .iter()
        .map(|p| split::read_page(table, p.seq, p.blank, p.width, p.height, &p.lines))
        .collect();

    let mut starts = propose_starts(&evidence, corrections);
    let mut numbered = number_pages(pages, &evidence, &starts, table);
    let mut numbering = numbered.numbers.clone();

    // The scanned 卷内目录: its page ranges name document starts that had no title.
    let contents_pages: Vec<&PageInput> = doc_pages(pages, &starts, "contents");
    let printed_contents: Vec<ContentsRow> = contents_pages
        .iter()
        .flat_map(|p| {
            contents::parse(&p.lines)
                .into_iter()
                .map(|row| ContentsRow {
                    page: Some(p.seq),
                    ..row
                })
        })
        .collect();
    if add_starts_from_contents(
        &printed_contents,
        &evidence,
        &numbering,
        &mut starts,
        corrections,
        table,
    ) {
        numbered = number_pages(pages, &evidence, &starts, table);
        numbering = numbered.numbers.clone();
    }

    let mut documents = build_documents(pages, &starts, &numbering);
    let mut page_index: Vec<PageIndex> = pages
        .iter()
        .zip(&evidence)
        .map(|(p, ev)| PageIndex {
            seq: p.seq,
            document: document_of(&starts, p.seq).map(|i| i as u32 + 1),
            page_no: numbering.get(&p.seq).copied(),
            stamp: ev.stamp.map(|s| s.0),
        })
        .collect();
    let mut findings = Vec::new();
    let mut volume = fields::extract(
        pages,
        &evidence,
        &mut documents,
        &printed_contents,
        ctx,
        table,
        &mut findings,
    );

    // The clerk's values win over every proposal.
    for (name, value) in &corrections.fields {
        volume.insert(name.clone(), clerk_field(value));
    }
    for doc in &mut documents {
        for f in DOCUMENT_FIELDS {
            if let Some(v) = corrections.doc_fields.get(&(doc.first_page, f.to_string())) {
                let field = clerk_field(v);
                match *f {
                    "title" => doc.title = field,
                    "doc_no" => doc.doc_no = field,
                    "responsible" => doc.responsible = field,
                    _ => doc.date = field,
                }
            }
        }
    }

    let item_count = documents.iter().filter(|d| table.counted(&d.kind)).count() as u32;
    let page_count = numbering.len() as u32;
    checks(
        &documents,
        &mut page_index,
        &numbered,
        &printed_contents,
        pages,
        &evidence,
        item_count,
        page_count,
        table,
        &mut findings,
    );

    VolumeIndex {
        version: INDEX_VERSION.to_string(),
        fields: volume,
        documents,
        pages: page_index,
        item_count,
        page_count,
        printed_contents,
        findings,
    }
}

fn clerk_field(value: &str) -> Field {
    Field {
        value: (!value.is_empty()).then(|| value.to_string()),
        confidence: 1.0,
        corrected: true,
        ..Default::default()
    }
}

fn propose_starts(evidence: &[PageEvidence], corrections: &Corrections) -> Vec<Start> {
    let mut starts: Vec<Start> = Vec::new();
    for ev in evidence {
        let forced = corrections.starts.get(&ev.seq).copied();
        let auto = if ev.blank {
            None
        } else if let Some((m, _, _)) = &ev.title {
            // A title page that says it continues is still a continuation.
            (!ev.continued).then(|| (m.kind.clone(), 0.95, 0.95))
        } else if ev.continued {
            None
        } else if let Some(kind) = &ev.marker_kind
            && starts.last().is_none_or(|s| &s.kind != kind)
        {
            Some((kind.clone(), 0.8, 0.8))
        } else if ev.first_of_doc || starts.is_empty() {
            Some(("other".to_string(), 0.5, 0.3))
        } else {
            None
        };
        let start = match (forced, auto) {
            (Some(false), _) => None,
            (Some(true), Some(a)) => Some((a.0, 1.0, a.2)),
            (Some(true), None) => Some((
                ev.title
                    .as_ref()
                    .map(|t| t.0.kind.clone())
                    .unwrap_or_else(|| "other".into()),
                1.0,
                0.3,
            )),
            (None, a) => a,
        };
        if let Some((kind, confidence, kind_confidence)) = start {
            starts.push(Start {
                page: ev.seq,
                kind,
                confidence,
                kind_confidence,
            });
        }
    }
    apply_kind_corrections(&mut starts, corrections);
    starts
}

fn apply_kind_corrections(starts: &mut [Start], corrections: &Corrections) {
    for s in starts {
        if let Some(k) = corrections.kinds.get(&s.page) {
            s.kind = k.clone();
            s.kind_confidence = 1.0;
        }
    }
}

/// Index into `starts` of the document holding page `seq`.
fn document_of(starts: &[Start], seq: u32) -> Option<usize> {
    starts
        .iter()
        .rposition(|s| s.page <= seq)
        .or((!starts.is_empty()).then_some(0))
}

fn doc_pages<'a>(pages: &'a [PageInput], starts: &[Start], kind: &str) -> Vec<&'a PageInput> {
    pages
        .iter()
        .filter(|p| !p.blank && document_of(starts, p.seq).is_some_and(|d| starts[d].kind == kind))
        .collect()
}

/// 页号 of the content pages of numbered kinds (blanks skipped): the stamps read
/// on them, counted where none was read (see [`numbering`]).
fn number_pages(
    pages: &[PageInput],
    evidence: &[PageEvidence],
    starts: &[Start],
    table: &KindTable,
) -> numbering::Numbering {
    let candidates: Vec<numbering::Candidate> = pages
        .iter()
        .zip(evidence)
        .filter(|(p, _)| {
            let kind = document_of(starts, p.seq)
                .map(|d| starts[d].kind.as_str())
                .unwrap_or("other");
            !p.blank && table.numbered(kind)
        })
        .map(|(p, ev)| numbering::Candidate {
            seq: p.seq,
            stamp: ev.stamp.map(|s| s.0),
            chars: p.lines.iter().map(|l| l.text.chars().count()).sum(),
        })
        .collect();
    numbering::number(&candidates)
}

/// Adds the document starts that the printed 卷内目录 names but no title showed.
/// Returns whether anything changed.
fn add_starts_from_contents(
    rows: &[ContentsRow],
    evidence: &[PageEvidence],
    numbering: &BTreeMap<u32, u32>,
    starts: &mut Vec<Start>,
    corrections: &Corrections,
    table: &KindTable,
) -> bool {
    let mut changed = false;
    for row in rows {
        let Some((from, _)) = row.pages else { continue };
        // The scanned page with that number: by its stamp, else by our numbering.
        let by_stamp: Vec<u32> = evidence
            .iter()
            .filter(|e| e.stamp.map(|s| s.0) == Some(from))
            .map(|e| e.seq)
            .collect();
        let seq = if by_stamp.len() == 1 {
            Some(by_stamp[0])
        } else {
            numbering.iter().find(|(_, n)| **n == from).map(|(s, _)| *s)
        };
        let Some(seq) = seq else { continue };
        let ev = evidence.iter().find(|e| e.seq == seq);
        let row_kind = row
            .title
            .as_deref()
            .and_then(|t| table.classify(t))
            .map(|m| m.kind);
        if let Some(existing) = starts.iter_mut().find(|s| s.page == seq) {
            // Agreeing evidence; a vague kind takes the row's.
            if let Some(k) = &row_kind {
                if existing.kind == "other" && !corrections.kinds.contains_key(&seq) {
                    existing.kind = k.clone();
                    existing.kind_confidence = 0.8;
                } else if &existing.kind == k {
                    existing.kind_confidence = existing.kind_confidence.max(0.99);
                }
            }
            existing.confidence = existing.confidence.max(0.9);
            continue;
        }
        if corrections.starts.get(&seq) == Some(&false)
            || ev.is_some_and(|e| e.continued || e.blank)
        {
            continue;
        }
        let pos = starts
            .iter()
            .position(|s| s.page > seq)
            .unwrap_or(starts.len());
        starts.insert(
            pos,
            Start {
                page: seq,
                kind: corrections
                    .kinds
                    .get(&seq)
                    .cloned()
                    .or(row_kind)
                    .unwrap_or_else(|| "other".into()),
                confidence: 0.75,
                kind_confidence: 0.7,
            },
        );
        changed = true;
    }
    changed
}

fn build_documents(
    pages: &[PageInput],
    starts: &[Start],
    numbering: &BTreeMap<u32, u32>,
) -> Vec<DocumentIndex> {
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let next = starts.get(i + 1).map(|n| n.page).unwrap_or(u32::MAX);
            let own: Vec<&PageInput> = pages
                .iter()
                .filter(|p| p.seq >= s.page && p.seq < next)
                .collect();
            let last_page = own
                .iter()
                .rev()
                .find(|p| !p.blank)
                .map(|p| p.seq)
                .unwrap_or(s.page);
            let numbers: Vec<u32> = own
                .iter()
                .filter_map(|p| numbering.get(&p.seq).copied())
                .collect();
            DocumentIndex {
                seq: i as u32 + 1,
                kind: s.kind.clone(),
                start_confidence: s.confidence,
                kind_confidence: s.kind_confidence,
                first_page: s.page,
                last_page,
                page_no_from: numbers.first().copied(),
                page_no_to: numbers.last().copied(),
                title: Field::default(),
                doc_no: Field::default(),
                responsible: Field::default(),
                date: Field::default(),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn checks(
    documents: &[DocumentIndex],
    page_index: &mut [PageIndex],
    numbered: &numbering::Numbering,
    printed: &[ContentsRow],
    pages: &[PageInput],
    evidence: &[PageEvidence],
    item_count: u32,
    page_count: u32,
    table: &KindTable,
    findings: &mut Vec<Finding>,
) {
    let mut add = |code: &str,
                   severity: Severity,
                   message: String,
                   page: Option<u32>,
                   document: Option<u32>| {
        findings.push(Finding {
            code: code.into(),
            severity,
            message,
            page,
            document,
            bbox: None,
        })
    };
    // How the 页号 were found: stamps that disagree, pages or numbers left over,
    // pages counted because no stamp could be read.
    let doc_of = |seq: u32| {
        page_index
            .iter()
            .find(|p| p.seq == seq)
            .and_then(|p| p.document)
    };
    // The stamp read, boxed on its page.
    let stamp_box = |seq: u32| {
        let i = pages.iter().position(|p| p.seq == seq)?;
        let (_, line) = evidence.get(i)?.stamp?;
        Some(pages[i].lines.get(line)?.bbox)
    };
    for &(seq, stamp, given) in &numbered.rejected {
        add(
            "page_no_mismatch",
            Severity::Warning,
            format!(
                "第 {seq} 张扫描页读到页号 {stamp}，与前后页的页号章不连续，编为 {}",
                given.map_or("（无）".to_string(), |n| n.to_string())
            ),
            Some(seq),
            doc_of(seq),
        );
    }
    for &seq in &numbered.unnumbered {
        add(
            "page_without_number",
            Severity::Warning,
            format!("第 {seq} 张扫描页夹在相邻页号章之间，没有页号：是空白背面还是夹入的页？"),
            Some(seq),
            doc_of(seq),
        );
    }
    for &n in &numbered.missing {
        add(
            "page_no_missing",
            Severity::Warning,
            format!("页号 {n} 不在任何扫描页上（前后页号章不连续）：是否缺页？"),
            None,
            None,
        );
    }
    if !numbered.counted.is_empty() {
        let pages: Vec<String> = numbered
            .counted
            .iter()
            .map(|seq| format!("第 {seq} 张→{}", numbered.numbers[seq]))
            .collect();
        let all = numbered.counted.len() == numbered.numbers.len();
        add(
            "page_no_counted",
            Severity::Info,
            format!(
                "{}页号按顺序推算：{}",
                if all {
                    "未读到页号章，"
                } else {
                    "以下页未读到页号章，"
                },
                pages.join("、")
            ),
            numbered.counted.first().copied(),
            None,
        );
    }
    // The printed 卷内目录 against ours.
    let counted: Vec<&DocumentIndex> = documents
        .iter()
        .filter(|d| table.counted(&d.kind))
        .collect();
    if !printed.is_empty() {
        if printed.len() != counted.len() {
            add(
                "contents_count_mismatch",
                Severity::Warning,
                format!(
                    "卷内目录列 {} 件，识别出 {} 件",
                    printed.len(),
                    counted.len()
                ),
                None,
                None,
            );
        }
        for row in printed {
            let Some(i) = row.seq_no.and_then(|n| (n as usize).checked_sub(1)) else {
                continue;
            };
            let Some(doc) = counted.get(i) else { continue };
            let ours = (doc.page_no_from, doc.page_no_to);
            if let Some((a, b)) = row.pages
                && ours != (Some(a), Some(b))
            {
                add(
                    "contents_pages_mismatch",
                    Severity::Warning,
                    format!(
                        "卷内目录第 {} 行页号 {a}-{b}，第 {} 件实为 {}-{}",
                        i + 1,
                        doc.seq,
                        ours.0.map_or("?".into(), |v| v.to_string()),
                        ours.1.map_or("?".into(), |v| v.to_string())
                    ),
                    Some(doc.first_page),
                    Some(doc.seq),
                );
            }
            if let (Some(d), Some(ours)) = (&row.date, &doc.date.value)
                && d != ours
            {
                add(
                    "contents_date_mismatch",
                    Severity::Warning,
                    format!("卷内目录第 {} 行日期 {d}，文件上为 {ours}", i + 1),
                    Some(doc.first_page),
                    Some(doc.seq),
                );
            }
        }
    }
    // The cover's and the notes sheet's counts (本卷共N件M页).
    for (p, ev) in pages.iter().zip(evidence) {
        if ev.blank {
            continue;
        }
        let text: String = p.lines.iter().map(|l| squash(&l.text)).collect();
        if let Some((items, leaves)) = fields::stated_counts(&text)
            && (items != item_count || leaves != page_count)
        {
            add(
                "stated_count_mismatch",
                Severity::Warning,
                format!(
                    "第 {} 张扫描页写明 {items} 件 {leaves} 页，识别出 {item_count} 件 {page_count} 页",
                    p.seq
                ),
                Some(p.seq),
                None,
            );
        }
    }
    for f in findings.iter_mut().filter(|f| f.code == "page_no_mismatch") {
        f.bbox = f.page.and_then(stamp_box);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_targets_round_trip() {
        for t in [
            Target::Start(3),
            Target::Kind(12),
            Target::DocField(4, "title".into()),
            Target::Field("party".into()),
        ] {
            assert_eq!(Target::parse(&t.key()), Some(t));
        }
        assert_eq!(Target::parse("field:nonsense"), None);
        assert_eq!(Target::parse("doc:3:colour"), None);
    }
}
