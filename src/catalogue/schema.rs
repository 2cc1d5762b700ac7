//! Numbered migrations; `PRAGMA user_version` says how many have run.

use anyhow::Result;
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: the backbone.
    "CREATE TABLE volumes(
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '{}'
     );
     CREATE TABLE masters(
        sha256 TEXT PRIMARY KEY,
        ext TEXT NOT NULL,
        format TEXT NOT NULL,
        size INTEGER NOT NULL,
        original_name TEXT NOT NULL,
        page_count INTEGER NOT NULL,
        imported_at TEXT NOT NULL
     );
     CREATE TABLE pages(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        seq INTEGER NOT NULL,
        master_sha256 TEXT NOT NULL REFERENCES masters(sha256),
        source_name TEXT NOT NULL,
        source_page INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        dpi INTEGER,
        color_mode TEXT,
        state TEXT NOT NULL DEFAULT 'imported',
        error TEXT,
        rotation INTEGER,
        skew_deg REAL,
        blank INTEGER,
        flags TEXT NOT NULL DEFAULT '[]',
        text_origin TEXT,
        text TEXT,
        lines TEXT,
        ocr_confidence REAL,
        ocr_engine TEXT,
        image_key TEXT,
        image_ext TEXT,
        processed_at TEXT,
        UNIQUE(volume_id, seq),
        UNIQUE(volume_id, master_sha256, source_page)
     );
     CREATE INDEX pages_state ON pages(state);
     CREATE VIRTUAL TABLE page_fts USING fts5(text, tokenize = 'trigram');
     CREATE TABLE audit_log(
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        volume_id TEXT,
        detail TEXT NOT NULL
     );",
    // 2: imaging decisions (process metadata) and the clerk's overrides.
    "ALTER TABLE pages ADD COLUMN imaging TEXT;
     ALTER TABLE pages ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';",
    // 3: indexing (著录): the latest automatic index of a volume, and the clerk's
    // corrections, which every later pass applies again.
    "CREATE TABLE volume_index(
        volume_id TEXT PRIMARY KEY REFERENCES volumes(id),
        fingerprint TEXT NOT NULL,
        archival_code TEXT,
        result TEXT NOT NULL,
        indexed_at TEXT NOT NULL
     );
     CREATE INDEX volume_index_code ON volume_index(archival_code);
     CREATE TABLE index_corrections(
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        target TEXT NOT NULL,
        value TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY(volume_id, target)
     );",
    // 4: the outbox: packages built, with their checksum and check result.
    "CREATE TABLE packages(
        volume_id TEXT PRIMARY KEY REFERENCES volumes(id),
        archival_code TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        built_at TEXT NOT NULL
     );",
    // 5: a scanned sheet is always a new page, even when its bytes equal an earlier
    // one's (a scanner's test pattern, two pristine blank backs): the uniqueness of
    // (volume, master, source page) moves from the table into `add_page`, for files.
    // Pages a clerk removes go to `page_trash` with everything they had.
    "CREATE TABLE pages_new(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        seq INTEGER NOT NULL,
        master_sha256 TEXT NOT NULL REFERENCES masters(sha256),
        source_name TEXT NOT NULL,
        source_page INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        dpi INTEGER,
        color_mode TEXT,
        state TEXT NOT NULL DEFAULT 'imported',
        error TEXT,
        rotation INTEGER,
        skew_deg REAL,
        blank INTEGER,
        flags TEXT NOT NULL DEFAULT '[]',
        text_origin TEXT,
        text TEXT,
        lines TEXT,
        ocr_confidence REAL,
        ocr_engine TEXT,
        image_key TEXT,
        image_ext TEXT,
        processed_at TEXT,
        imaging TEXT,
        overrides TEXT NOT NULL DEFAULT '{}',
        UNIQUE(volume_id, seq)
     );
     INSERT INTO pages_new SELECT id, volume_id, seq, master_sha256, source_name, source_page, width,
        height, dpi, color_mode, state, error, rotation, skew_deg, blank, flags, text_origin, text, lines,
        ocr_confidence, ocr_engine, image_key, image_ext, processed_at, imaging, overrides FROM pages;
     DROP TABLE pages;
     ALTER TABLE pages_new RENAME TO pages;
     CREATE INDEX pages_state ON pages(state);
     CREATE INDEX pages_master ON pages(volume_id, master_sha256, source_page);
     CREATE TABLE page_trash(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        page_id INTEGER NOT NULL,
        master_sha256 TEXT NOT NULL,
        row TEXT NOT NULL,
        removed_at TEXT NOT NULL,
        actor TEXT NOT NULL
     );",
    // 6: review (质检): the reviewer's defect marks (on a page, kept by page id so
    // they follow the page when pages are rearranged) and the decisions, approve
    // or return, as a history; the latest counts.
    "CREATE TABLE review_marks(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        page_id INTEGER,
        severity TEXT NOT NULL,
        note TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT
     );
     CREATE TABLE review_decisions(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        fingerprint TEXT,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );",
    // 7: 评查: the reviewer's changes to a volume's score, item by item (points
    // taken off, negative when given back), each with its reason; kept, never
    // edited, so the score's history is its rows.
    "CREATE TABLE score_adjustments(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        item TEXT NOT NULL,
        points REAL NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );
     CREATE INDEX score_adjustments_volume ON score_adjustments(volume_id);",
    // 8: 一稿双录: each blind second keying of a decisive field, with the value
    // it was compared with (hidden from the keyer) and whether they agreed then;
    // a third person's settlement is written on the row it settles. Kept, never
    // edited otherwise: the latest row of a field counts, the first ones give
    // the 著录差错率.
    "CREATE TABLE second_entries(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        first_value TEXT,
        first_actor TEXT,
        matched INTEGER NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        settled_value TEXT,
        settled_by TEXT,
        settled_at TEXT
     );
     CREATE INDEX second_entries_volume ON second_entries(volume_id, field);",
    // 9: upload to the platform's object storage: multipart uploads under way
    // (their parts' ETags committed one by one, so a crash or a lost network
    // resumes where it stopped) and the receipts of finished uploads.
    "CREATE TABLE uploads(
        id INTEGER PRIMARY KEY,
        endpoint TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        part_size INTEGER NOT NULL,
        upload_id TEXT NOT NULL,
        parts TEXT NOT NULL DEFAULT '[]',
        actor TEXT NOT NULL,
        started_at TEXT NOT NULL,
        UNIQUE(endpoint, bucket, key, sha256)
     );
     CREATE TABLE upload_receipts(
        id INTEGER PRIMARY KEY,
        volume_id TEXT,
        package TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        etag TEXT,
        sha256 TEXT NOT NULL,
        sm3 TEXT NOT NULL,
        size INTEGER NOT NULL,
        sent INTEGER NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );
     CREATE INDEX upload_receipts_sha ON upload_receipts(sha256);",
    // 10: search for one- and two-character Chinese terms at scale: every
    // page's Chinese characters and neighbouring pairs as tokens (contentless:
    // only rowids and positions are kept), so a short term is one token's list,
    // read in page order until the first hits; filled from the pages' text after
    // this runs (see migrate).
    "CREATE VIRTUAL TABLE page_grams USING fts5(text, content = '', contentless_delete = 1,
        tokenize = 'unicode61');",
    // 11: the values of every volume's index (著录项: volume fields, documents'
    // 题名, 文号, 责任者, dates) as rows with the page of their evidence, under
    // the same two indexes as page text, so a field search never reads every
    // volume's index; filled from the stored indexes after this runs.
    "CREATE TABLE index_values(
        id INTEGER PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        page INTEGER NOT NULL
     );
     CREATE INDEX index_values_volume ON index_values(volume_id);
     CREATE VIRTUAL TABLE value_fts USING fts5(text, content = '', contentless_delete = 1,
        tokenize = 'trigram');
     CREATE VIRTUAL TABLE value_grams USING fts5(text, content = '', contentless_delete = 1,
        tokenize = 'unicode61');",
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let done = done.max(0) as usize;
    anyhow::ensure!(
        done <= MIGRATIONS.len(),
        "the catalogue was written by a newer anjuan (schema {done}); upgrade anjuan"
    );
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i + 1 == VALUES_MIGRATION {
            let mut st = tx.prepare("SELECT volume_id, result FROM volume_index")?;
            let rows =
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (volume, json) = row?;
                // An index this version cannot read is made again on the next
                // `process --reindex`, which also fills its values.
                if let Ok(index) = serde_json::from_str(&json) {
                    super::search::store_index_values(&tx, &volume, &index)?;
                }
            }
            drop(st);
        }
        if i + 1 == GRAMS_MIGRATION {
            // The character index of the pages processed before it existed.
            let mut st = tx.prepare("SELECT id, text FROM pages WHERE text IS NOT NULL")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, text) = row?;
                tx.execute(
                    "INSERT INTO page_grams(rowid, text) VALUES (?1, ?2)",
                    rusqlite::params![id, super::search::grams(&text)],
                )?;
            }
            drop(st);
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// The migrations that made `page_grams` and `index_values`.
const GRAMS_MIGRATION: usize = 10;
const VALUES_MIGRATION: usize = 11;
