//! Full-text search over page text and the catalogue fields (著录项).
//!
//! Each has two indexes ([`TextIndexes`]). The character index (`page_grams`,
//! `value_grams`) holds the Chinese characters and pairs of neighbouring ones
//! as tokens, so a one- or two-character term — which no trigram index can
//! serve — is one token's list. The trigram index serves substrings of three or
//! more characters of anything (codes, numbers, Latin too). The index drives
//! the query in row order and stops at the limit; the text itself confirms
//! every hit.
//!
//! On SQLite both are FTS5 tables (`page_fts`, `value_fts` for trigrams; user
//! input never reaches `MATCH` unquoted). On PostgreSQL the character index is
//! a table of token arrays under GIN (`tokens @> ARRAY[…]`), and the trigrams
//! are pg_trgm's GIN index over the lower-cased text itself (`LIKE`, with the
//! term's wildcards escaped).

use anyhow::Result;
use serde::Serialize;

use super::Catalogue;
use super::db::{Db, ToValue, Value, args};

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
        match gram_char(c) {
            Some(g) => {
                if let Some(p) = prev {
                    out.push(p);
                    out.push(g);
                    out.push(' ');
                }
                out.push(g);
                out.push(' ');
                prev = Some(g);
            }
            None => prev = None,
        }
    }
    out
}

/// A character of Chinese text as the index's tokenizer keeps it: ideographs
/// as they are; Chinese punctuation (、。，：) — which the tokenizer would drop
/// as separators, so that 「、了」 would become a search for every 了 — moved
/// into the private-use plane, where the tokenizer keeps it as a letter.
fn gram_char(c: char) -> Option<char> {
    if !crate::text::is_cjk(c) || c == '\u{3000}' {
        None
    } else if c.is_alphanumeric() {
        Some(c)
    } else {
        char::from_u32(0xF0000 + c as u32)
    }
}

/// The two indexes over one kind of text, by the rowid of its row.
pub(super) struct TextIndexes {
    trigrams: &'static str,
    grams: &'static str,
}

/// Page text (rowid: the page's id).
pub(super) const PAGE_TEXT: TextIndexes = TextIndexes {
    trigrams: "page_fts",
    grams: "page_grams",
};

/// The catalogue fields' values (rowid: the `index_values` row).
const VALUE_TEXT: TextIndexes = TextIndexes {
    trigrams: "value_fts",
    grams: "value_grams",
};

impl TextIndexes {
    /// Indexes `text` under `id`, in place of what was there. (PostgreSQL's
    /// trigrams index the row's own text and need nothing here.)
    pub(super) fn put(&self, conn: &Db, id: i64, text: &str) -> Result<()> {
        self.remove(conn, id)?;
        if !conn.is_postgres() {
            conn.execute(
                &format!("INSERT INTO {}(rowid, text) VALUES (?1, ?2)", self.trigrams),
                args![id, text],
            )?;
        }
        self.put_grams(conn, id, text)
    }

    /// Indexes `text` in the character index only (an `id` not in it yet).
    pub(super) fn put_grams(&self, conn: &Db, id: i64, text: &str) -> Result<()> {
        let sql = if conn.is_postgres() {
            // Each token once: GIN keeps sets, and the row stays small.
            format!(
                "INSERT INTO {}(id, tokens) SELECT ?1, COALESCE(array_agg(DISTINCT t), '{{}}')
                 FROM unnest(string_to_array(?2, ' ')) AS t WHERE t <> ''",
                self.grams
            )
        } else {
            format!("INSERT INTO {}(rowid, text) VALUES (?1, ?2)", self.grams)
        };
        conn.execute(&sql, args![id, grams(text)])?;
        Ok(())
    }

    /// `id` out of both indexes.
    pub(super) fn remove(&self, conn: &Db, id: i64) -> Result<()> {
        if conn.is_postgres() {
            conn.execute(
                &format!("DELETE FROM {} WHERE id = ?1", self.grams),
                args![id],
            )?;
        } else {
            for table in [self.trigrams, self.grams] {
                conn.execute(&format!("DELETE FROM {table} WHERE rowid = ?1"), args![id])?;
            }
        }
        Ok(())
    }
}

/// Replaces a volume's searchable values (`index_values` and its two indexes)
/// with those of its index: the volume fields, then each document's 题名, 文号,
/// 责任者 and date, each with the page of its evidence.
pub(super) fn store_index_values(
    conn: &Db,
    volume_id: &str,
    index: &crate::model::index::VolumeIndex,
) -> Result<()> {
    let old: Vec<i64> = {
        let mut st = conn.prepare("SELECT id FROM index_values WHERE volume_id = ?1")?;
        st.query_map(args![volume_id], |r| r.get(0))?
            .collect::<Result<_>>()?
    };
    for id in old {
        VALUE_TEXT.remove(conn, id)?;
    }
    conn.execute(
        "DELETE FROM index_values WHERE volume_id = ?1",
        args![volume_id],
    )?;
    let mut values: Vec<(String, Option<&String>, u32)> = crate::model::index::VOLUME_FIELDS
        .iter()
        .filter_map(|f| index.fields.get(f.key).map(|v| (f.key.to_string(), v)))
        .map(|(k, f)| (k, f.value.as_ref(), f.page.unwrap_or(1)))
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
                f.value.as_ref(),
                f.page.unwrap_or(d.first_page),
            ));
        }
    }
    for (field, value, page) in values {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let id = conn.insert(
            "INSERT INTO index_values(volume_id, field, value, page) VALUES (?1, ?2, ?3, ?4)",
            args![volume_id, field, value, page],
        )?;
        VALUE_TEXT.put(conn, id, value)?;
    }
    Ok(())
}

/// What of a term the character index can look up: the pairs of each run of
/// Chinese characters (a lone character as itself), all of which a page must
/// hold (empty: the term has no Chinese character).
fn gram_tokens(term: &str) -> Vec<String> {
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
        match gram_char(c) {
            Some(g) => run.push(g),
            None => flush(&mut run),
        }
    }
    flush(&mut run);
    tokens
}

/// [`gram_tokens`] as an FTS5 query, each token quoted (None: no tokens).
fn grams_query(term: &str) -> Option<String> {
    let tokens = gram_tokens(term);
    (!tokens.is_empty()).then(|| {
        tokens
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(" AND ")
    })
}

/// A term as a `LIKE` pattern for a substring, its wildcards escaped.
fn like_pattern(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Where a search looks: the rows (aliased `p`), their text column, and the
/// two indexes over that text (rowid = the row's id).
struct Indexed {
    rows: &'static str,
    text: &'static str,
    indexes: TextIndexes,
}

/// A search's FROM … WHERE (without ORDER BY), its order and its arguments,
/// the limit last.
struct Driven {
    from: String,
    order: &'static str,
    args: Vec<Value>,
}

/// One index drives the query in row order, so that it stops at `limit` hits
/// whatever the size of the table: the trigrams when a term has three or more
/// characters (their lists are far shorter than a character's), else the
/// character index when a term has Chinese characters, else a scan. Every term
/// is then checked in the text itself, so the hits are exact.
fn driven(db: &Db, terms: &[String], at: Indexed, limit: usize) -> Driven {
    let long: Vec<&String> = terms.iter().filter(|t| t.chars().count() >= 3).collect();
    let mut args: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut from = format!("{} ", at.rows);
    let mut order = "p.id";
    if db.is_postgres() {
        let tokens: Vec<String> = terms.iter().flat_map(|t| gram_tokens(t)).collect();
        if !long.is_empty() {
            for t in &long {
                args.push(Value::Text(like_pattern(&t.to_lowercase())));
                conds.push(format!(
                    "lower({}) LIKE ?{} ESCAPE '\\'",
                    at.text,
                    args.len()
                ));
            }
        } else if !tokens.is_empty() {
            args.push(Value::Text(tokens.join(" ")));
            from = format!("{} d JOIN {} ON p.id = d.id ", at.indexes.grams, at.rows);
            conds.push(format!("d.tokens @> string_to_array(?{}, ' ')", args.len()));
            order = "d.id";
        }
    } else {
        let phrases: Vec<String> = terms.iter().filter_map(|t| grams_query(t)).collect();
        let index = if !long.is_empty() {
            let expr = long.iter().map(|t| fts_quote(t)).collect::<Vec<_>>();
            args.push(Value::Text(expr.join(" AND ")));
            Some(at.indexes.trigrams)
        } else if !phrases.is_empty() {
            args.push(Value::Text(phrases.join(" AND ")));
            Some(at.indexes.grams)
        } else {
            None
        };
        if let Some(fts) = index {
            from = format!("{fts} d JOIN {} ON p.id = d.rowid ", at.rows);
            conds.push(format!("{fts} MATCH ?1"));
            order = "d.rowid";
        }
    }
    let contains = if db.is_postgres() { "strpos" } else { "instr" };
    for t in terms {
        conds.push(holds(contains, at.text, t, &mut args));
    }
    args.push(Value::Int(limit as i64));
    Driven {
        from: format!("{from}WHERE {}", conds.join(" AND ")),
        order,
        args,
    }
}

/// How many rows, times the limit, a [`first_pass`] reads: terms in one row
/// of five or more (the ones that cost GIN most) fill the limit there, and the
/// pass costs a few milliseconds when they do not.
const FIRST_PASS_ROWS_PER_HIT: usize = 5;

/// A common term found by reading rows in order: the first rows of `table`
/// (the limit × [`FIRST_PASS_ROWS_PER_HIT`]) checked in the text. When that
/// yields `limit` hits they are the first `limit` in row order, and the index
/// is not asked: PostgreSQL's GIN indexes hand out every row holding a common
/// token or trigram before the first can be taken (seconds at a million pages),
/// while a term in one row of twenty is found here in a few milliseconds.
fn first_pass(table: &str, terms: &[String], at: &Indexed, limit: usize) -> Driven {
    let budget = limit.saturating_mul(FIRST_PASS_ROWS_PER_HIT);
    let mut args: Vec<Value> = Vec::new();
    let mut conds = Vec::new();
    for t in terms {
        conds.push(holds("strpos", at.text, t, &mut args));
    }
    args.push(Value::Int(budget as i64));
    let text = at.text.trim_start_matches("p.");
    let from = format!(
        "(SELECT id, volume_id, seq, {text} FROM {table} ORDER BY id LIMIT ?{}) p WHERE {}",
        args.len(),
        conds.join(" AND ")
    );
    args.push(Value::Int(limit as i64));
    Driven {
        from,
        order: "p.id",
        args,
    }
}

/// The condition that `text` holds `term` (`contains`: `strpos` or `instr`),
/// its argument pushed. Case is folded only for a term with letters that have
/// case: lower-casing a page's text to look for Chinese costs a copy of it.
fn holds(contains: &str, text: &str, term: &str, args: &mut Vec<Value>) -> String {
    let cased = term.chars().any(|c| c.is_lowercase() || c.is_uppercase());
    args.push(Value::Text(term.to_lowercase()));
    match cased {
        true => format!("{contains}(lower({text}), ?{}) > 0", args.len()),
        false => format!("{contains}({text}, ?{}) > 0", args.len()),
    }
}

/// Owned values as statement parameters.
fn params(values: &[Value]) -> Vec<&dyn ToValue> {
    values.iter().map(|v| v as &dyn ToValue).collect()
}

impl Catalogue {
    /// Pages whose text holds every term, the first `limit` in page order.
    /// ([`driven`] by [`PAGE_TEXT`]; on PostgreSQL after a [`first_pass`]).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let at = Indexed {
            rows: "pages p",
            text: "p.text",
            indexes: PAGE_TEXT,
        };
        let mut hits = Vec::new();
        if self.conn.is_postgres() {
            hits = self.page_hits(first_pass("pages", &terms, &at, limit), &terms)?;
        }
        if hits.len() < limit {
            hits = self.page_hits(driven(&self.conn, &terms, at, limit), &terms)?;
        }
        // Shown by volume (in import order) and page.
        hits.sort_by(|a, b| (&a.0, &a.1.volume, a.1.page).cmp(&(&b.0, &b.1.volume, b.1.page)));
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }

    /// The pages a search finds, each with its volume's creation time.
    fn page_hits(&self, driven: Driven, terms: &[String]) -> Result<Vec<(String, SearchHit)>> {
        let Driven { from, order, args } = driven;
        // The volumes joined after the limit: the index stays the outer loop.
        let sql = format!(
            "SELECT h.id, h.volume_id, h.seq, h.text, v.name, v.created_at
             FROM (SELECT p.id, p.volume_id, p.seq, p.text FROM {from}
                   ORDER BY {order} LIMIT ?{}) h
             JOIN volumes v ON v.id = h.volume_id",
            args.len()
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(&params(&args), |r| {
            let text: String = r.get(3)?;
            Ok((
                r.get::<String>(5)?,
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
        rows.collect()
    }

    /// Hits in the indexed fields of every volume (volume fields and document
    /// titles, 文号, 责任者, dates): every term must occur in the value. Served
    /// by the same two indexes as page text, over `index_values`.
    pub fn search_fields(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let terms = query_terms(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let Driven { from, order, args } = driven(
            &self.conn,
            &terms,
            Indexed {
                rows: "index_values p",
                text: "p.value",
                indexes: VALUE_TEXT,
            },
            limit,
        );
        let sql = format!(
            "SELECT h.volume_id, v.name, h.field, h.value, h.page, COALESCE(g.id, 0), v.created_at, h.id
             FROM (SELECT p.id, p.volume_id, p.field, p.value, p.page FROM {from}
                   ORDER BY {order} LIMIT ?{}) h
             JOIN volumes v ON v.id = h.volume_id
             LEFT JOIN pages g ON g.volume_id = h.volume_id AND g.seq = h.page",
            args.len()
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(&params(&args), |r| {
            let value: String = r.get(3)?;
            Ok((
                (r.get::<String>(6)?, r.get::<i64>(7)?),
                SearchHit {
                    volume: r.get(0)?,
                    volume_name: r.get(1)?,
                    field: Some(r.get(2)?),
                    page: r.get(4)?,
                    page_id: r.get(5)?,
                    snippet: snippet(&value, &terms[0], 16),
                },
            ))
        })?;
        let mut hits = rows.collect::<Result<Vec<_>>>()?;
        // By volume (in import order), then in the form's order.
        hits.sort_by(|a, b| (&a.0.0, &a.1.volume, a.0.1).cmp(&(&b.0.0, &b.1.volume, b.0.1)));
        Ok(hits.into_iter().map(|(_, h)| h).collect())
    }

    /// Benchmarks only: pages of `volume_id` that hold `texts` (processed, no
    /// image; one synthetic master), indexed for search like processed pages,
    /// in one transaction.
    pub fn add_text_pages(&mut self, volume_id: &str, texts: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO masters(sha256, ext, format, size, original_name, page_count, imported_at)
             VALUES ('synthetic', 'txt', 'text', 0, 'synthetic', 0, '') ON CONFLICT DO NOTHING",
            args![],
        )?;
        let first: u32 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM pages WHERE volume_id = ?1",
            args![volume_id],
            |r| r.get(0),
        )?;
        for (i, text) in texts.iter().enumerate() {
            let seq = first + i as u32;
            let id = tx.insert(
                "INSERT INTO pages(volume_id, seq, master_sha256, source_name, source_page, width, height,
                                   state, text_origin, text)
                 VALUES (?1, ?2, 'synthetic', 'synthetic', ?2, 0, 0, 'done', 'ocr', ?3)",
                args![volume_id, seq, text],
            )?;
            PAGE_TEXT.put(&tx, id, text)?;
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
        // Punctuation stays a token of its own (the tokenizer would drop it).
        let comma = char::from_u32(0xF0000 + '、' as u32).unwrap();
        assert_eq!(grams("、了"), format!("{comma} {comma}了 了 "));
        assert_eq!(grams_query("、了"), Some(format!("\"{comma}了\"")));
    }

    #[test]
    fn short_terms_are_found_through_the_character_index_also_after_an_upgrade() {
        for scratch in crate::catalogue::testing::each_engine() {
            short_terms_are_found_on(&scratch.location);
        }
    }

    fn short_terms_are_found_on(path: &crate::catalogue::Location) {
        let mut cat = Catalogue::open(path).unwrap();
        let v = cat.create_volume(None, "v").unwrap();
        let texts = [
            "行政处罚决定书\n罚款，3000元".to_string(),
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
        assert_eq!(pages(&cat, "款，"), [1]);
        assert!(pages(&cat, "，款").is_empty());
        // Wildcards are the user's characters, not patterns.
        assert!(pages(&cat, "罚%元").is_empty());
        assert!(pages(&cat, "3_00").is_empty());
        assert_eq!(pages(&cat, "3000元"), [1]);
        if cat.is_shared() {
            return;
        }
        // A catalogue from before the character index: made on opening.
        crate::catalogue::schema::roll_back_to(&cat.conn, 9);
        drop(cat);
        let cat = Catalogue::open(path).unwrap();
        assert_eq!(pages(&cat, "处罚"), [1]);
        assert_eq!(pages(&cat, "月"), [2]);
    }

    #[test]
    fn field_values_are_searched_through_their_own_rows_also_after_an_upgrade() {
        for scratch in crate::catalogue::testing::each_engine() {
            field_values_are_searched_on(&scratch.location);
        }
    }

    fn field_values_are_searched_on(path: &crate::catalogue::Location) {
        let mut cat = Catalogue::open(path).unwrap();
        let v = cat.create_volume(None, "v").unwrap();
        cat.add_text_pages(&v, &["封面".to_string(), "决定书".to_string()])
            .unwrap();
        let index: crate::model::index::VolumeIndex = serde_json::from_str(
            r#"{"version": "t", "item_count": 0, "page_count": 0, "printed_contents": [], "findings": [],
                "pages": [], "documents": [],
                "fields": {"party": {"value": "江北青禾餐饮有限公司", "confidence": 1.0, "page": 2, "bbox": null},
                           "decision_no": {"value": "江北市监罚〔2023〕17号", "confidence": 1.0, "page": null, "bbox": null}}}"#,
        )
        .unwrap();
        cat.store_index(&v, "f", &index).unwrap();
        let found = |cat: &Catalogue, q: &str| -> Vec<(String, u32)> {
            cat.search_fields(q, 10)
                .unwrap()
                .into_iter()
                .map(|h| (h.field.unwrap(), h.page))
                .collect()
        };
        assert_eq!(found(&cat, "青"), [("party".to_string(), 2)]);
        assert_eq!(found(&cat, "青禾"), [("party".to_string(), 2)]);
        assert_eq!(found(&cat, "17号"), [("decision_no".to_string(), 1)]);
        assert_eq!(
            found(&cat, "江北"),
            [("party".to_string(), 2), ("decision_no".to_string(), 1)]
        );
        // Stored again: the old values go.
        let mut changed = index.clone();
        changed.fields.remove("party");
        cat.store_index(&v, "g", &changed).unwrap();
        assert!(found(&cat, "青禾").is_empty());
        if cat.is_shared() {
            return;
        }
        // A catalogue from before the values' rows: filled on opening.
        cat.store_index(&v, "f", &index).unwrap();
        crate::catalogue::schema::roll_back_to(&cat.conn, 10);
        drop(cat);
        let cat = Catalogue::open(path).unwrap();
        assert_eq!(found(&cat, "青禾"), [("party".to_string(), 2)]);
    }

    #[test]
    fn the_first_hits_in_page_order_whether_a_term_is_common_or_rare() {
        // A common term fills the limit within the first rows (PostgreSQL's
        // first pass); a rare one, and one the first rows hold too few times,
        // go to the index. Every engine gives the same first pages.
        let hits = |path: &crate::catalogue::Location| {
            let mut cat = Catalogue::open(path).unwrap();
            let v = cat.create_volume(None, "v").unwrap();
            let texts: Vec<String> = (0..120)
                .map(|i| match i {
                    _ if i % 40 == 39 => "询问笔录 调查终结".to_string(),
                    _ if i % 2 == 0 => format!("当事人：某某公司 第{i}页"),
                    _ => format!("送达回证 第{i}页"),
                })
                .collect();
            cat.add_text_pages(&v, &texts).unwrap();
            ["当事人", "当", "调查终结", "终结", "送达回证 某某"]
                .map(|q| {
                    cat.search(q, 5)
                        .unwrap()
                        .into_iter()
                        .map(|h| h.page)
                        .collect::<Vec<_>>()
                })
                .to_vec()
        };
        let engines = crate::catalogue::testing::each_engine();
        let found: Vec<_> = engines.iter().map(|e| hits(&e.location)).collect();
        assert_eq!(found[0][0], [1, 3, 5, 7, 9], "the first five in page order");
        assert_eq!(found[0][1], [1, 3, 5, 7, 9]);
        assert_eq!(found[0][2], [40, 80, 120]);
        assert_eq!(found[0][3], [40, 80, 120]);
        assert!(found[0][4].is_empty());
        assert_eq!(found[0], found[1], "SQLite and PostgreSQL agree");
    }

    #[test]
    fn case_is_folded_only_for_terms_with_cased_letters() {
        let mut args = Vec::new();
        assert_eq!(
            holds("strpos", "p.text", "当事人", &mut args),
            "strpos(p.text, ?1) > 0"
        );
        assert_eq!(
            holds("strpos", "p.text", "XZCF罚", &mut args),
            "strpos(lower(p.text), ?2) > 0"
        );
        assert_eq!(args[1], Value::Text("xzcf罚".into()));
    }

    #[test]
    fn quoting_neutralises_fts_syntax() {
        assert_eq!(fts_quote(r#"a" OR "b"#), r#""a"" OR ""b""#);
    }
}
