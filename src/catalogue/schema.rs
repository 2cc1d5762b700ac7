//! Numbered migrations, the same numbers on both engines: SQLite's
//! `PRAGMA user_version` or PostgreSQL's `anjuan_schema` says how many have run.
//! PostgreSQL's are the same tables in its types (BIGINT ids from an identity,
//! DOUBLE PRECISION for REAL), with its own search indexes (see `search`).

use anyhow::Result;

use super::db::{Db, args};

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
    // 12: leases: the worker that holds a page while it is processed, and until
    // when; a lease not renewed (its worker killed) lets another take the page.
    "ALTER TABLE pages ADD COLUMN lease_owner TEXT;
     ALTER TABLE pages ADD COLUMN lease_until TEXT;",
    // 13: a room's seats on one volume: each person's edit raises the
    // volume's version (the audit row keeps it), and a stage (scan, index,
    // review) is claimed by the clerk working on it.
    "ALTER TABLE volumes ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE audit_log ADD COLUMN version BIGINT;
     CREATE TABLE volume_claims(
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        stage TEXT NOT NULL,
        holder TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY(volume_id, stage)
     );",
];

/// PostgreSQL's migrations, one for each of SQLite's above.
const PG_MIGRATIONS: &[&str] = &[
    // 1: the backbone; pg_trgm serves substrings of three or more characters.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;
     CREATE TABLE volumes(
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '{}'
     );
     CREATE TABLE masters(
        sha256 TEXT PRIMARY KEY,
        ext TEXT NOT NULL,
        format TEXT NOT NULL,
        size BIGINT NOT NULL,
        original_name TEXT NOT NULL,
        page_count BIGINT NOT NULL,
        imported_at TEXT NOT NULL
     );
     CREATE TABLE pages(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        seq BIGINT NOT NULL,
        master_sha256 TEXT NOT NULL REFERENCES masters(sha256),
        source_name TEXT NOT NULL,
        source_page BIGINT NOT NULL,
        width BIGINT NOT NULL,
        height BIGINT NOT NULL,
        dpi BIGINT,
        color_mode TEXT,
        state TEXT NOT NULL DEFAULT 'imported',
        error TEXT,
        rotation BIGINT,
        skew_deg DOUBLE PRECISION,
        blank BIGINT,
        flags TEXT NOT NULL DEFAULT '[]',
        text_origin TEXT,
        text TEXT,
        lines TEXT,
        ocr_confidence DOUBLE PRECISION,
        ocr_engine TEXT,
        image_key TEXT,
        image_ext TEXT,
        processed_at TEXT,
        UNIQUE(volume_id, seq)
     );
     CREATE INDEX pages_state ON pages(state);
     CREATE INDEX pages_text_trgm ON pages USING gin (lower(text) gin_trgm_ops);
     CREATE TABLE audit_log(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        volume_id TEXT,
        detail TEXT NOT NULL
     );
     CREATE INDEX audit_log_volume ON audit_log(volume_id);",
    // 2
    "ALTER TABLE pages ADD COLUMN imaging TEXT;
     ALTER TABLE pages ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';",
    // 3
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
    // 4
    "CREATE TABLE packages(
        volume_id TEXT PRIMARY KEY REFERENCES volumes(id),
        archival_code TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        passed BIGINT NOT NULL,
        built_at TEXT NOT NULL
     );",
    // 5 (the pages' table never had SQLite's UNIQUE(volume, master, page) here)
    "CREATE INDEX pages_master ON pages(volume_id, master_sha256, source_page);
     CREATE TABLE page_trash(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        page_id BIGINT NOT NULL,
        master_sha256 TEXT NOT NULL,
        row TEXT NOT NULL,
        removed_at TEXT NOT NULL,
        actor TEXT NOT NULL
     );",
    // 6
    "CREATE TABLE review_marks(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        page_id BIGINT,
        severity TEXT NOT NULL,
        note TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT
     );
     CREATE TABLE review_decisions(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        fingerprint TEXT,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );",
    // 7
    "CREATE TABLE score_adjustments(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        item TEXT NOT NULL,
        points DOUBLE PRECISION NOT NULL,
        reason TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );
     CREATE INDEX score_adjustments_volume ON score_adjustments(volume_id);",
    // 8
    "CREATE TABLE second_entries(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        first_value TEXT,
        first_actor TEXT,
        matched BIGINT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        settled_value TEXT,
        settled_by TEXT,
        settled_at TEXT
     );
     CREATE INDEX second_entries_volume ON second_entries(volume_id, field);",
    // 9
    "CREATE TABLE uploads(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        endpoint TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        part_size BIGINT NOT NULL,
        upload_id TEXT NOT NULL,
        parts TEXT NOT NULL DEFAULT '[]',
        actor TEXT NOT NULL,
        started_at TEXT NOT NULL,
        UNIQUE(endpoint, bucket, key, sha256)
     );
     CREATE TABLE upload_receipts(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT,
        package TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        etag TEXT,
        sha256 TEXT NOT NULL,
        sm3 TEXT NOT NULL,
        size BIGINT NOT NULL,
        sent BIGINT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL
     );
     CREATE INDEX upload_receipts_sha ON upload_receipts(sha256);",
    // 10: the character index: each page's tokens as an array under GIN.
    "CREATE TABLE page_grams(
        id BIGINT PRIMARY KEY,
        tokens TEXT[] NOT NULL
     );
     CREATE INDEX page_grams_tokens ON page_grams USING gin (tokens);",
    // 11
    "CREATE TABLE index_values(
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        page BIGINT NOT NULL
     );
     CREATE INDEX index_values_volume ON index_values(volume_id);
     CREATE INDEX index_values_trgm ON index_values USING gin (lower(value) gin_trgm_ops);
     CREATE TABLE value_grams(
        id BIGINT PRIMARY KEY,
        tokens TEXT[] NOT NULL
     );
     CREATE INDEX value_grams_tokens ON value_grams USING gin (tokens);",
    // 12: leases: the worker that holds a page while it is processed, and until
    // when; a lease not renewed (its worker killed) lets another take the page.
    "ALTER TABLE pages ADD COLUMN lease_owner TEXT;
     ALTER TABLE pages ADD COLUMN lease_until TEXT;",
    // 13: a room's seats on one volume: each person's edit raises the
    // volume's version (the audit row keeps it), and a stage (scan, index,
    // review) is claimed by the clerk working on it.
    "ALTER TABLE volumes ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE audit_log ADD COLUMN version BIGINT;
     CREATE TABLE volume_claims(
        volume_id TEXT NOT NULL REFERENCES volumes(id),
        stage TEXT NOT NULL,
        holder TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY(volume_id, stage)
     );",
];

/// How many migrations have run (inside the caller's transaction; on
/// PostgreSQL after taking the room's migration lock, so two seats starting at
/// once do not both migrate).
fn schema_version(db: &Db) -> Result<usize> {
    let done: i64 = match db.sqlite() {
        Some(c) => c.pragma_query_value(None, "user_version", |r| r.get(0))?,
        None => {
            db.query_map(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(7305001)) AS locked",
                args![],
                |_| Ok(()),
            )?;
            db.execute_batch("CREATE TABLE IF NOT EXISTS anjuan_schema(version BIGINT NOT NULL)")?;
            db.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM anjuan_schema",
                args![],
                |r| r.get(0),
            )?
        }
    };
    Ok(done.max(0) as usize)
}

fn set_schema_version(db: &Db, version: usize) -> Result<()> {
    match db.sqlite() {
        Some(c) => c.pragma_update(None, "user_version", version as i64)?,
        None => {
            db.execute("DELETE FROM anjuan_schema", args![])?;
            db.execute(
                "INSERT INTO anjuan_schema(version) VALUES (?1)",
                args![version as i64],
            )?;
        }
    }
    Ok(())
}

pub fn migrate(db: &Db) -> Result<()> {
    let migrations = if db.is_postgres() {
        PG_MIGRATIONS
    } else {
        MIGRATIONS
    };
    debug_assert_eq!(PG_MIGRATIONS.len(), MIGRATIONS.len());
    loop {
        let tx = db.transaction()?;
        let done = schema_version(&tx)?;
        anyhow::ensure!(
            done <= migrations.len(),
            "the catalogue was written by a newer anjuan (schema {done}); upgrade anjuan"
        );
        let Some(sql) = migrations.get(done) else {
            return Ok(());
        };
        let version = done + 1;
        tx.execute_batch(sql)?;
        if version == VALUES_MIGRATION {
            let stored: Vec<(String, String)> =
                tx.query_map("SELECT volume_id, result FROM volume_index", args![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            for (volume, json) in stored {
                // An index this version cannot read is made again on the next
                // `process --reindex`, which also fills its values.
                if let Ok(index) = serde_json::from_str(&json) {
                    super::search::store_index_values(&tx, &volume, &index)?;
                }
            }
        }
        if version == GRAMS_MIGRATION {
            // The character index of the pages processed before it existed.
            let pages: Vec<(i64, String)> = tx.query_map(
                "SELECT id, text FROM pages WHERE text IS NOT NULL",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            for (id, text) in pages {
                super::search::PAGE_TEXT.put_grams(&tx, id, &text)?;
            }
        }
        set_schema_version(&tx, version)?;
        tx.commit()?;
    }
}

/// The migrations that made `page_grams` and `index_values`.
const GRAMS_MIGRATION: usize = 10;
const VALUES_MIGRATION: usize = 11;

/// Tests only: makes a SQLite catalogue look as it was after migration
/// `version` (the later ones undone, newest first), to test upgrades.
#[cfg(test)]
pub(super) fn roll_back_to(db: &Db, version: usize) {
    // What undoes each migration from the tenth on.
    const UNDO: &[(usize, &str)] = &[
        (10, "DROP TABLE page_grams;"),
        (
            11,
            "DROP TABLE index_values; DROP TABLE value_fts; DROP TABLE value_grams;",
        ),
        (
            12,
            "ALTER TABLE pages DROP COLUMN lease_owner; ALTER TABLE pages DROP COLUMN lease_until;",
        ),
        (
            13,
            "DROP TABLE volume_claims; ALTER TABLE volumes DROP COLUMN version;
             ALTER TABLE audit_log DROP COLUMN version;",
        ),
    ];
    assert_eq!(
        UNDO.last().unwrap().0,
        MIGRATIONS.len(),
        "undo the newest migration too"
    );
    for (n, sql) in UNDO.iter().rev() {
        if *n > version {
            db.execute_batch(sql).unwrap();
        }
    }
    set_schema_version(db, version).unwrap();
}
