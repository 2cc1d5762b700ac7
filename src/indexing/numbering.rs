//! 页号: the archive page numbers of a volume, read from the stamps on the pages
//! and counted only where no stamp can be read.
//!
//! Counting alone goes wrong for good after one mistake: a blank back taken for
//! content, or a lost page, shifts every later number. Stamps are read by OCR and
//! can be misread too, so they are taken as anchors only where they agree with
//! each other: the longest run of stamps that rises with the scan order. Pages
//! between two anchors share the numbers between them; a page left over (more
//! pages than numbers) gets none and is named in a finding, as is a number no page
//! carries.

use std::collections::BTreeMap;

/// One page that may carry a 页号: its scan position, the stamp OCR read on it,
/// and how much text it holds (the page with least text is the one left without
/// a number when there are more pages than numbers).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub seq: u32,
    pub stamp: Option<u32>,
    pub chars: usize,
}

/// How each page got its number, for the findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbering {
    /// Scan position → 页号.
    pub numbers: BTreeMap<u32, u32>,
    /// Pages numbered by counting (no stamp read, or a stamp that disagreed).
    pub counted: Vec<u32>,
    /// Stamps read that disagree with the rest: (page, stamp read, number given).
    pub rejected: Vec<(u32, u32, Option<u32>)>,
    /// Pages between two stamps that left no number for them.
    pub unnumbered: Vec<u32>,
    /// Numbers between two stamps that no page carries.
    pub missing: Vec<u32>,
}

/// Numbers the candidates (in scan order).
pub fn number(pages: &[Candidate]) -> Numbering {
    let anchors = anchors(pages);
    let mut out = Numbering::default();
    for &i in &anchors {
        out.numbers
            .insert(pages[i].seq, pages[i].stamp.unwrap_or(0));
    }
    // Before the first anchor: count back from it (never below 1); without any
    // anchor, count from 1.
    let first = anchors.first().copied().unwrap_or(pages.len());
    let lead: Vec<usize> = (0..first).collect();
    match anchors.first() {
        Some(&i) => {
            let stamp = pages[i].stamp.unwrap_or(1);
            let from = stamp.saturating_sub(first as u32).max(1);
            span(pages, &lead, from, stamp, &mut out);
        }
        None => span(pages, &lead, 1, 1 + lead.len() as u32, &mut out),
    }
    for pair in anchors.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let between: Vec<usize> = (a + 1..b).collect();
        let (from, to) = (pages[a].stamp.unwrap_or(0) + 1, pages[b].stamp.unwrap_or(0));
        span(pages, &between, from, to, &mut out);
    }
    if let Some(&last) = anchors.last() {
        let tail: Vec<usize> = (last + 1..pages.len()).collect();
        let from = pages[last].stamp.unwrap_or(0) + 1;
        span(pages, &tail, from, from + tail.len() as u32, &mut out);
    }
    for (i, p) in pages.iter().enumerate() {
        if let Some(s) = p.stamp
            && !anchors.contains(&i)
        {
            out.rejected
                .push((p.seq, s, out.numbers.get(&p.seq).copied()));
        }
    }
    out
}

/// Gives the pages `idx` (no anchor among them) the numbers `from..to`: in order
/// when they match; with more pages than numbers, the pages with least text get
/// none; with fewer, the numbers left over are missing.
fn span(pages: &[Candidate], idx: &[usize], from: u32, to: u32, out: &mut Numbering) {
    let available = to.saturating_sub(from) as usize;
    let mut keep: Vec<usize> = idx.to_vec();
    if keep.len() > available {
        let mut by_text = keep.clone();
        by_text.sort_by_key(|&i| (pages[i].chars, std::cmp::Reverse(i)));
        let drop: Vec<usize> = by_text[..keep.len() - available].to_vec();
        out.unnumbered.extend(drop.iter().map(|&i| pages[i].seq));
        out.unnumbered.sort_unstable();
        keep.retain(|i| !drop.contains(i));
    }
    for (k, &i) in keep.iter().enumerate() {
        out.numbers.insert(pages[i].seq, from + k as u32);
        out.counted.push(pages[i].seq);
    }
    out.missing.extend(from + keep.len() as u32..to);
}

/// Indices of the stamps taken as anchors: the chain of stamps rising with the
/// scan order that agrees best with itself. Each stamp in the chain counts for
/// it; each step that differs from the pages between (a lost page, or pages more
/// than numbers) counts against it, so a lone stamp that jumps is taken for a
/// misreading while a jump that the stamps after it confirm is a lost page.
fn anchors(pages: &[Candidate]) -> Vec<usize> {
    let stamped: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].stamp.is_some())
        .collect();
    if stamped.is_empty() {
        return Vec::new();
    }
    let s = |i: usize| pages[i].stamp.unwrap_or(0) as i64;
    // best[k] = (score, previous) of the best chain ending at stamped[k].
    let mut best: Vec<(f64, Option<usize>)> = Vec::with_capacity(stamped.len());
    for (k, &i) in stamped.iter().enumerate() {
        // A first stamp higher than the pages before it allow is a jump too.
        let mut here = (
            1.0 - LOST_PAGE_COST * (s(i) - 1 - i as i64).max(0) as f64,
            None,
        );
        for (j, &pi) in stamped[..k].iter().enumerate() {
            let (steps, pages_between) = (s(i) - s(pi), (i - pi) as i64);
            if steps < 1 || steps > pages_between + MAX_LOST_PAGES {
                continue;
            }
            let score = best[j].0 + 1.0
                - if steps > pages_between {
                    LOST_PAGE_COST * (steps - pages_between) as f64
                } else {
                    EXTRA_PAGE_COST * (pages_between - steps) as f64
                };
            if score > here.0 {
                here = (score, Some(j));
            }
        }
        best.push(here);
    }
    let mut k = (0..best.len())
        .max_by(|&a, &b| best[a].0.total_cmp(&best[b].0))
        .expect("some stamp");
    let mut chain = vec![stamped[k]];
    while let Some(prev) = best[k].1 {
        chain.push(stamped[prev]);
        k = prev;
    }
    chain.reverse();
    chain
}

/// What a chain pays, against one stamp gained, for each number its steps skip
/// (a lost page, or a misread stamp) and for each page between two stamps left
/// without a number (a blank back taken for content, an unnumbered insert: the
/// commoner case, so cheaper).
const LOST_PAGE_COST: f64 = 1.5;
const EXTRA_PAGE_COST: f64 = 0.5;

/// Pages that may be lost between two stamps before the later stamp is taken for
/// a misreading instead.
const MAX_LOST_PAGES: i64 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(stamps: &[Option<u32>]) -> Vec<Candidate> {
        stamps
            .iter()
            .enumerate()
            .map(|(i, &stamp)| Candidate {
                seq: i as u32 + 3,
                stamp,
                chars: 300,
            })
            .collect()
    }

    fn numbers(n: &Numbering, pages: &[Candidate]) -> Vec<Option<u32>> {
        pages
            .iter()
            .map(|p| n.numbers.get(&p.seq).copied())
            .collect()
    }

    #[test]
    fn stamps_number_the_pages_and_counting_fills_the_unread_ones() {
        let p = pages(&[Some(1), None, Some(3), Some(4), None, None]);
        let n = number(&p);
        assert_eq!(
            numbers(&n, &p),
            [Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]
        );
        assert_eq!(n.counted, [4, 7, 8]);
        assert!(n.rejected.is_empty() && n.unnumbered.is_empty() && n.missing.is_empty());
    }

    #[test]
    fn a_page_taken_for_content_between_two_stamps_gets_no_number() {
        // A blank back missed by imaging sits between stamps 2 and 3: counting
        // would shift every later page by one.
        let mut p = pages(&[Some(1), Some(2), None, Some(3), None, Some(5)]);
        p[2].chars = 0;
        let n = number(&p);
        assert_eq!(
            numbers(&n, &p),
            [Some(1), Some(2), None, Some(3), Some(4), Some(5)]
        );
        assert_eq!(n.unnumbered, [5]);
    }

    #[test]
    fn a_misread_stamp_is_outvoted_by_its_neighbours() {
        let p = pages(&[Some(1), Some(2), Some(7), Some(4), Some(5)]);
        let n = number(&p);
        assert_eq!(
            numbers(&n, &p),
            [Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
        assert_eq!(n.rejected, [(5, 7, Some(3))]);
    }

    #[test]
    fn a_lost_page_leaves_its_number_missing() {
        let p = pages(&[Some(1), Some(2), Some(4), Some(5), Some(6)]);
        let n = number(&p);
        assert_eq!(
            numbers(&n, &p),
            [Some(1), Some(2), Some(4), Some(5), Some(6)]
        );
        assert_eq!(n.missing, [3]);
        // A lone jump on the last page is a misreading, not a lost page.
        let p = pages(&[Some(1), Some(2), Some(3), Some(5)]);
        let n = number(&p);
        assert_eq!(numbers(&n, &p), [Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(n.rejected, [(6, 5, Some(4))]);
    }

    #[test]
    fn without_any_stamp_pages_are_counted_from_one() {
        let p = pages(&[None, None, None]);
        let n = number(&p);
        assert_eq!(numbers(&n, &p), [Some(1), Some(2), Some(3)]);
        assert_eq!(n.counted.len(), 3);
    }

    #[test]
    fn pages_before_the_first_stamp_count_back_from_it() {
        let p = pages(&[None, None, Some(3), None]);
        assert_eq!(
            numbers(&number(&p), &p),
            [Some(1), Some(2), Some(3), Some(4)]
        );
    }
}
