//! Full-text search over page text.
//!
//! FTS5's `trigram` tokenizer finds any substring of three or more characters (the
//! common case for Chinese, which has no word spaces). One- and two-character terms
//! cannot use a trigram index, so they fall back to a scan with `instr`, which is
//! fast enough for a workstation's catalogue (about 10 ms per 10,000 pages).
//! User input never reaches `MATCH` unquoted.

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

impl Catalogue {
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let (long, short): (Vec<&String>, Vec<&String>) =
            terms.iter().partition(|t| t.chars().count() >= 3);
        let mut conds = vec!["p.text IS NOT NULL".to_string()];
        let mut args: Vec<Value> = Vec::new();
        if !long.is_empty() {
            let expr = long
                .iter()
                .map(|t| fts_quote(t))
                .collect::<Vec<_>>()
                .join(" AND ");
            args.push(Value::Text(expr));
            conds.push(format!(
                "p.id IN (SELECT rowid FROM page_fts WHERE page_fts MATCH ?{})",
                args.len()
            ));
        }
        for t in short {
            args.push(Value::Text(t.to_lowercase()));
            conds.push(format!("instr(lower(p.text), ?{}) > 0", args.len()));
        }
        args.push(Value::Integer(limit as i64));
        let sql = format!(
            "SELECT p.id, p.volume_id, v.name, p.seq, p.text
             FROM pages p JOIN volumes v ON v.id = p.volume_id
             WHERE {} ORDER BY v.created_at, p.volume_id, p.seq LIMIT ?{}",
            conds.join(" AND "),
            args.len()
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| {
            let text: String = r.get(4)?;
            Ok(SearchHit {
                page_id: r.get(0)?,
                volume: r.get(1)?,
                volume_name: r.get(2)?,
                page: r.get(3)?,
                snippet: snippet(&text, &terms[0], 16),
                field: None,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    fn quoting_neutralises_fts_syntax() {
        assert_eq!(fts_quote(r#"a" OR "b"#), r#""a"" OR ""b""#);
    }
}
