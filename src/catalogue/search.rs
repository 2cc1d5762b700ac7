//! Full-text search over page text.
//!
//! Two FTS5 indexes. `page_grams` holds each page's Chinese characters and
//! pairs of neighbouring ones as tokens, so a one- or two-character term — which
//! no trigram index can serve — is one token's list.
//! `page_fts` (the `trigram` tokenizer) serves substrings of three or more
//! characters of anything else (codes, numbers, Latin). The index drives the
//! query in page order and stops at the limit; the text itself confirms every
//! hit. User input never reaches `MATCH` unquoted.

use anyhow::Result;
use rusqlite::types::Value;
use serde::Serialize;

use super::Catalogue;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub volume: String,
    pub volume_name: String,
    /// The page's `seq` in its volume.
    pub page: u32,
    #[serde(skip)]
    pub page_id: i64,
    /// Text around the first hit, the hit itself in 【】.
    pub snippet: String,
    /// For a hit in the catalogue fields (著录项): the field's name (`party`,
    /// `doc:3:title`); `null` for a hit in page text.
    pub field: Option<String>,
}

/// Splits a query into terms (whitespace separates terms; all must match), with
/// punctuation written as the page text stores it (`当事人:` finds `当事人：`).
pub fn query_terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(crate::text::normalize_punctuation)
        .collect()
}

/// Quotes a term as an FTS5 string: `"` doubled, the whole in quotes.
fn fts_quote(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// A text as the character index stores it: every Chinese character, and every
/// two that stand next to each other, one token each (nothing else), so a one-
/// or two-character term is one token's list.
pub fn grams(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if crate::text::is_cjk(c) {
            if let Some(p) = prev {
                out.push(p);
                out.push(c);
                out.push(' ');
            }
            out.push(c);
            out.push(' ');
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    out
}

/// What of a term the character index can look up: the pairs of each run of
/// Chinese characters (a lone character as itself), all of which a page must
/// hold (None: the term has no Chinese character).
fn grams_query(term: &str) -> Option<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut flush = |run: &mut Vec<char>| {
        match run.len() {
            0 => {}
            1 => tokens.push(run[0].to_string()),
            _ => tokens.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
        }
        run.clear();
    };
    for c in term.chars() {
        if crate::text::is_cjk(c) {
            run.push(c);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    (!tokens.is_empty()).then(|| {
        tokens
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" AND ")
    })
}

impl Catalogue {
    /// Pages whose text holds every term, the first `limit` in page order.
    ///
    /// One index drives the query in page order, so it stops at `limit` hits
    /// whatever the size of the catalogue: the trigram index when a term has
    /// three or more characters, else the character index (`page_grams`) when a
    /// term has Chinese characters (its characters and pairs), else a scan. Every term is then checked in the text
    /// itself, so the hits are exact.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let phrases: Vec<String> = terms.iter().filter_map(|t| grams_query(t)).collect();
        let long: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 3).collect();
        let mut args: Vec<Value> = Vec::new();
        // Trigrams first: their lists are far shorter than a character's.
        let (from, order) = if !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| fts_quote(t))
                .collect::<Vec<_>>()
                .join(" AND ");
            args.push(Value::Text(expr));
            (
                "page_fts d JOIN pages p ON p.id = d.rowid WHERE page_fts MATCH ?1",
                "d.rowid",
            )
        } else if !phrases.is_empty() {
            args.push(Value::Text(phrases.join(" AND ")));
            (
                "page_grams d JOIN pages p ON p.id = d.rowid WHERE page_grams MATCH ?1",
                "d.rowid",
            )
        } else {
            ("pages p WHERE p.text IS NOT NULL", "p.id")
        };
        let mut conds = Vec::new();
        for t in &terms {
            args.push(Value::Text(t.to_lowercase()));
            conds.push(format!("instr(lower(p.text), ?{}) > 0", args.len()));
        }
        args.push(Value::Integer(limit as i64));
        // The volumes joined after the limit: the index stays the outer loop.
        let sql = format!(
            "SELECT h.id, h.volume_id, h.seq, h.text, v.name, v.created_at
             FROM (SELECT p.id, p.volume_id, p.seq, p.text FROM {from} AND {}
                   ORDER BY {order} LIMIT ?{}) h
             JOIN volumes v ON v.id = h.volume_id",
            conds.join(" AND "),
            args.len()
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            let text: String = r.get(3)?;
            Ok((
                r.get::<_, String>(5)?,
                SearchHit {
                    page_id: r.get(0)?,
                    volume: r.get(1)?,
                    page: r.get(2)?,
                    volume_name: r.get(4)?,
                    snippet: snippet(&text, &terms[0], 16),
                    field: None,
                },
            ))
        })?;
        let mut hits = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        // Shown by volume (in import order) and page.
        hits.sort_by(|a, b| (&a.0, &a.1.volume, a.1.page).cmp(&(&b.0, &b.1.volume, b.1.page)));
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }

    /// Hits in the indexed fields of every volume (volume fields and document
    /// titles, 文号, 责任者, dates): every term must occur in the value.
    pub fn search_fields(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms: Vec<String> = query_terms(query)
            .iter()
            .map(|t| t.to_lowercase())
            .collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare(
            "SELECT i.volume_id, v.name, i.result FROM volume_index i JOIN volumes v ON v.id = i.volume_id
             ORDER BY v.created_at, i.volume_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut hits = Vec::new();
        for row in rows {
            let (volume, volume_name, json) = row?;
            let Ok(index) = serde_json::from_str::<crate::model::index::VolumeIndex>(&json) else {
                continue;
            };
            let mut values: Vec<(String, &crate::model::index::Field, u32)> = index
                .fields
                .iter()
                .map(|(k, f)| (k.clone(), f, f.page.unwrap_or(1)))
                .collect();
            for d in &index.documents {
                for (name, f) in [
                    ("title", &d.title),
                    ("doc_no", &d.doc_no),
                    ("responsible", &d.responsible),
                    ("date", &d.date),
                ] {
                    values.push((
                        format!("doc:{}:{name}", d.first_page),
                        f,
                        f.page.unwrap_or(d.first_page),
                    ));
                }
            }
            for (name, f, page) in values {
                let Some(value) = &f.value else { continue };
                let lower = value.to_lowercase();
                if terms.iter().all(|t| lower.contains(t.as_str())) {
                    let page_id = self
                        .conn
                        .query_row(
                            "SELECT id FROM pages WHERE volume_id = ?1 AND seq = ?2",
                            rusqlite::params![volume, page],
                            |r| r.get(0),
                        )
                        .unwrap_or(0);
                    hits.push(SearchHit {
                        volume: volume.clone(),
                        volume_name: volume_name.clone(),
                        page,
                        page_id,
                        snippet: snippet(value, &terms[0], 16),
                        field: Some(name),
                    });
                    if hits.len() >= limit {
                        return Ok(hits);
                    }
                }
            }
        }
        Ok(hits)
    }

    /// Benchmarks only: pages of `volume_id` that hold `texts` (processed, no
    /// image; one synthetic master), indexed for search like processed pages,
    /// in one transaction.
    pub fn add_text_pages(&mut self, volume_id: &str, texts: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO masters(sha256, ext, format, size, original_name, page_count, imported_at)
             VALUES ('synthetic', 'txt', 'text', 0, 'synthetic', 0, '')",
            [],
        )?;
        let first: u32 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM pages WHERE volume_id = ?1",
            [volume_id],
            |r| r.get(0),
        )?;
        for (i, text) in texts.iter().enumerate() {
            let seq = first + i as u32;
            tx.execute(
                "INSERT INTO pages(volume_id, seq, master_sha256, source_name, source_page, width, height,
                                   state, text_origin, text)
                 VALUES (?1, ?2, 'synthetic', 'synthetic', ?2, 0, 0, 'done', 'ocr', ?3)",
                rusqlite::params![volume_id, seq, text],
            )?;
            let id = tx.last_insert_rowid();
            super::index_page_text(&tx, id, Some(text))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Field hits first, then page text.
    pub fn search_all(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let mut hits = self.search_fields(query, limit)?;
        let rest = limit.saturating_sub(hits.len());
        hits.extend(self.search(query, rest)?);
        Ok(hits)
    }
}

/// Text around the first (case-insensitive) occurrence of `term`, `context` characters
/// each side, lines joined by a space, the hit marked with 【】.
pub fn snippet(text: &str, term: &str, context: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let needle: Vec<char> = term.chars().flat_map(char::to_lowercase).collect();
    // Lower-casing can change lengths for a few scripts; then give the start of the text.
    let at = if lower.len() == chars.len() && !needle.is_empty() {
        lower
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
    } else {
        None
    };
    let flat =
        |s: &[char]| -> String { s.iter().map(|&c| if c == '\n' { ' ' } else { c }).collect() };
    match at {
        Some(i) => {
            let from = i.saturating_sub(context);
            let to = (i + needle.len() + context).min(chars.len());
            format!(
                "{}{}【{}】{}{}",
                if from > 0 { "…" } else { "" },
                flat(&chars[from..i]),
                flat(&chars[i..i + needle.len()]),
                flat(&chars[i + needle.len()..to]),
                if to < chars.len() { "…" } else { "" }
            )
        }
        None => flat(&chars[..chars.len().min(2 * context)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_the_hit_with_context() {
        let s = snippet("行政处罚决定书\n当事人：某某公司", "当事人", 3);
        assert_eq!(s, "…定书 【当事人】：某某…");
    }

    #[test]
    fn query_punctuation_is_written_like_page_text() {
        assert_eq!(query_terms("当事人: 50,000"), ["当事人：", "50,000"]);
    }

    #[test]
    fn the_character_index_holds_characters_and_neighbouring_pairs() {
        assert_eq!(grams("处罚3月款"), "处 处罚 罚 月 月款 款 ");
        assert_eq!(grams("abc"), "");
        assert_eq!(grams_query("罚").as_deref(), Some("\"罚\""));
        assert_eq!(grams_query("处罚").as_deref(), Some("\"处罚\""));
        // Characters apart in the term are looked up apart.
        assert_eq!(grams_query("3月5日").as_deref(), Some("\"月\" AND \"日\""));
        assert_eq!(grams_query("50"), None);
    }

    #[test]
    fn short_terms_are_found_through_the_character_index_also_after_an_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut cat = Catalogue::open(&path).unwrap();
        let v = cat.create_volume(None, "v").unwrap();
        let texts = [
            "行政处罚决定书\n罚款3000元".to_string(),
            "询问笔录\n2023年3月".to_string(),
        ];
        cat.add_text_pages(&v, &texts).unwrap();
        let pages = |cat: &Catalogue, q: &str| -> Vec<u32> {
            cat.search(q, 10).unwrap().iter().map(|h| h.page).collect()
        };
        assert_eq!(pages(&cat, "罚"), [1]);
        assert_eq!(pages(&cat, "笔录"), [2]);
        assert_eq!(pages(&cat, "3月"), [2]);
        assert_eq!(pages(&cat, "罚 3000"), [1]);
        assert!(pages(&cat, "录询").is_empty());
        // A catalogue from before the character index: made on opening.
        cat.conn
            .execute_batch("DROP TABLE page_grams; PRAGMA user_version = 9;")
            .unwrap();
        drop(cat);
        let cat = Catalogue::open(&path).unwrap();
        assert_eq!(pages(&cat, "处罚"), [1]);
        assert_eq!(pages(&cat, "月"), [2]);
    }

    #[test]
    fn quoting_neutralises_fts_syntax() {
        assert_eq!(fts_quote(r#"a" OR "b"#), r#""a"" OR ""b""#);
    }
}
