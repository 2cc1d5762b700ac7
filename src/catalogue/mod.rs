//! The catalogue: the only place that writes SQL. One SQLite database per home
//! (a single seat), or one PostgreSQL database shared by a digitization room's
//! seats and workers ([`Location`]); the SQL is written once for both ([`db`]).
//!
//! SQLite runs with a WAL journal; both commit one transaction per page result,
//! so a crash at any moment leaves a catalogue that reopens and resumes. Schema
//! changes are numbered migrations, the same numbers on both engines.

mod arrange;
mod claims;
pub mod db;
mod double_entry;
mod index;
mod leases;
mod packages;
mod review;
mod schema;
pub mod scratch;
pub mod search;
mod uploads;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use db::{Db, OptionalExtension, Row, args, now};

use crate::model::record::{ImagingRecord, Overrides};
use crate::model::{ColorMode, PageState, Severity, TextLine, TextOrigin, Verdict, VolumeStatus};

pub use arrange::{Placement, TrashedPage};
pub use claims::{Change, Claim, ClaimHeld, StaleEdit};
pub use double_entry::{KeyingTally, SecondEntry};
pub use index::CorrectionRow;
pub use leases::Lease;
pub use packages::PackageRow;
pub use review::{ReviewDecision, ReviewMark};
pub use search::SearchHit;
pub use uploads::{ObjectPlace, PendingUpload, UploadReceipt};

pub struct Catalogue {
    conn: Db,
}

/// Where a catalogue is: a home's SQLite file, or a room's PostgreSQL
/// (`postgres://user@host:port/database`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is a room's catalogue; anything
    /// else is a SQLite file's path.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => write!(f, "{}", db::redact(url)),
        }
    }
}

impl From<&Path> for Location {
    fn from(p: &Path) -> Self {
        Location::Sqlite(p.to_path_buf())
    }
}
impl From<&PathBuf> for Location {
    fn from(p: &PathBuf) -> Self {
        Location::Sqlite(p.clone())
    }
}
impl From<PathBuf> for Location {
    fn from(p: PathBuf) -> Self {
        Location::Sqlite(p)
    }
}
impl From<&Location> for Location {
    fn from(l: &Location) -> Self {
        l.clone()
    }
}

/// A volume as listed in the UI and CLI.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeSummary {
    pub id: String,
    pub name: String,
    pub pages: u32,
    pub done: u32,
    pub processing: u32,
    pub failed: u32,
}

impl VolumeSummary {
    /// The volume's status word in `show --json`.
    pub fn status(&self) -> VolumeStatus {
        if self.pages == 0 {
            VolumeStatus::Empty
        } else if self.processing > 0 {
            VolumeStatus::Processing
        } else if self.done == self.pages {
            VolumeStatus::Processed
        } else if self.done + self.failed == self.pages {
            VolumeStatus::ProcessedWithErrors
        } else {
            VolumeStatus::Imported
        }
    }
}

/// A stored source file.
#[derive(Debug, Clone)]
pub struct MasterRecord {
    pub sha256: String,
    pub ext: String,
    pub format: String,
    pub size: u64,
    pub original_name: String,
    pub page_count: u32,
}

/// What import knows about a new page.
#[derive(Debug, Clone)]
pub struct NewPage {
    pub master_sha256: String,
    pub source_name: String,
    pub source_page: u32,
    pub width: u32,
    pub height: u32,
    pub dpi: Option<u32>,
    pub color_mode: ColorMode,
    /// Text a born-digital PDF page already carries; such a page skips OCR.
    pub born_digital: Option<(String, Vec<TextLine>)>,
    /// A scanned sheet: always a new page, even if its bytes equal another's.
    /// (A file imported again adds nothing.)
    pub always_new: bool,
}

/// One page row.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub id: i64,
    pub volume_id: String,
    pub seq: u32,
    pub master_sha256: String,
    pub master_ext: String,
    pub source_name: String,
    pub source_page: u32,
    pub width: u32,
    pub height: u32,
    pub dpi: Option<u32>,
    pub color_mode: Option<ColorMode>,
    pub state: PageState,
    pub error: Option<String>,
    pub rotation: Option<u32>,
    pub skew_deg: Option<f64>,
    pub blank: Option<bool>,
    pub flags: Vec<String>,
    pub text_origin: Option<TextOrigin>,
    pub text: Option<String>,
    pub lines: Vec<TextLine>,
    pub ocr_confidence: Option<f64>,
    pub image_key: Option<String>,
    pub image_ext: Option<String>,
    pub imaging: Option<ImagingRecord>,
    pub overrides: Overrides,
}

/// What the pipeline commits for one page.
#[derive(Debug, Clone)]
pub struct PageResult {
    pub image_key: String,
    pub image_ext: String,
    pub width: u32,
    pub height: u32,
    pub rotation: u32,
    pub skew_deg: Option<f32>,
    pub blank: bool,
    pub imaging: ImagingRecord,
    pub flags: Vec<String>,
    pub text_origin: TextOrigin,
    pub text: String,
    pub lines: Vec<TextLine>,
    pub ocr_confidence: Option<f64>,
    pub ocr_engine: String,
}

const PAGE_COLUMNS: &str =
    "p.id, p.volume_id, p.seq, p.master_sha256, m.ext, p.source_name, p.source_page,
     p.width, p.height, p.dpi, p.color_mode, p.state, p.error, p.rotation, p.skew_deg, p.blank,
     p.flags, p.text_origin, p.text, p.lines, p.ocr_confidence, p.image_key, p.image_ext,
     p.imaging, p.overrides";

db::stored_as_words!(PageState, ColorMode, TextOrigin, Severity, Verdict);

/// A stored value that does not read back, said with the volume and page it
/// belongs to.
fn corrupt(column: usize, place: &str, what: &str, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("damaged catalogue: {place}: {what} (column {column}) unreadable: {e}")
}

fn page_from_row(r: &Row) -> Result<PageRow> {
    let (id, volume_id, seq): (i64, String, u32) = (r.get(0)?, r.get(1)?, r.get(2)?);
    let place = format!("volume {volume_id} page {seq} (id {id})");
    let json_of = |column: usize, what: &str| -> Result<Option<String>> {
        r.get(column).map_err(|e| corrupt(column, &place, what, e))
    };
    let flags: String = json_of(16, "flags")?.unwrap_or_else(|| "[]".into());
    let lines = json_of(19, "OCR lines")?;
    let imaging = json_of(23, "imaging record")?;
    let overrides = json_of(24, "the clerk's page decisions")?.unwrap_or_else(|| "{}".into());
    Ok(PageRow {
        id,
        volume_id: volume_id.clone(),
        seq,
        master_sha256: r.get(3)?,
        master_ext: r.get(4)?,
        source_name: r.get(5)?,
        source_page: r.get(6)?,
        width: r.get(7)?,
        height: r.get(8)?,
        dpi: r.get(9)?,
        color_mode: r
            .get(10)
            .map_err(|e| corrupt(10, &place, "colour mode", e))?,
        state: r.get(11).map_err(|e| corrupt(11, &place, "state", e))?,
        error: r.get(12)?,
        rotation: r.get(13)?,
        skew_deg: r.get(14)?,
        blank: r.get(15)?,
        flags: serde_json::from_str(&flags).map_err(|e| corrupt(16, &place, "flags", e))?,
        text_origin: r
            .get(17)
            .map_err(|e| corrupt(17, &place, "text origin", e))?,
        text: r.get(18)?,
        lines: match lines {
            Some(l) => serde_json::from_str(&l).map_err(|e| corrupt(19, &place, "OCR lines", e))?,
            None => Vec::new(),
        },
        ocr_confidence: r.get(20)?,
        image_key: r.get(21)?,
        image_ext: r.get(22)?,
        imaging: imaging
            .map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(|e| corrupt(23, &place, "imaging record", e))?,
        overrides: serde_json::from_str(&overrides)
            .map_err(|e| corrupt(24, &place, "the clerk's page decisions", e))?,
    })
}

/// Holds a volume's row until the transaction ends, so two seats of a room
/// adding or arranging pages of one volume take turns (SQLite's transactions
/// already hold the whole database).
fn lock_volume(tx: &Db, volume_id: &str) -> Result<()> {
    if tx.is_postgres() {
        tx.query_map(
            "SELECT id FROM volumes WHERE id = ?1 FOR UPDATE",
            args![volume_id],
            |_| Ok(()),
        )?;
    }
    Ok(())
}

/// One audit-log row, on the catalogue's connection or inside a transaction.
/// A person's edit of a volume is checked first (the stage's claim, the
/// version the seat read: `claims::guard_edit`) and raises its version.
fn write_audit(
    conn: &Db,
    actor: &str,
    action: &str,
    volume_id: Option<&str>,
    detail: &str,
) -> Result<()> {
    let version = match volume_id {
        Some(v) => claims::guard_edit(conn, actor, action, v)?,
        None => None,
    };
    conn.execute(
        "INSERT INTO audit_log(at, actor, action, volume_id, detail, version)
         VALUES (?5, ?1, ?2, ?3, ?4, ?6)",
        args![actor, action, volume_id, detail, now(), version],
    )?;
    Ok(())
}

impl Catalogue {
    /// Opens (creating and migrating if needed) the catalogue at `at`: a
    /// SQLite file's path or a [`Location`].
    pub fn open(at: impl Into<Location>) -> Result<Self> {
        let at = at.into();
        let conn = match &at {
            Location::Sqlite(path) => Db::open_sqlite(path)?,
            Location::Postgres(url) => Db::open_postgres(url)?,
        };
        schema::migrate(&conn).with_context(|| format!("cannot upgrade the catalogue {at}"))?;
        Ok(Catalogue { conn })
    }

    /// Refreshes the statistics the query planner uses (after a bulk load):
    /// PostgreSQL's ANALYZE, SQLite's `PRAGMA optimize`.
    pub fn optimize(&self) -> Result<()> {
        self.conn.execute_batch(if self.conn.is_postgres() {
            "ANALYZE"
        } else {
            "PRAGMA optimize"
        })
    }

    /// The database's size on PostgreSQL (None on SQLite: its files say).
    pub fn database_bytes(&self) -> Result<Option<u64>> {
        if !self.conn.is_postgres() {
            return Ok(None);
        }
        let bytes: i64 = self.conn.query_row(
            "SELECT pg_database_size(current_database())",
            args![],
            |r| r.get(0),
        )?;
        Ok(Some(bytes.max(0) as u64))
    }

    /// Whether this is a room's shared catalogue (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        self.conn.is_postgres()
    }

    /// Records who did what, for the audit trail (process metadata).
    pub fn audit(
        &self,
        actor: &str,
        action: &str,
        volume_id: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        write_audit(&self.conn, actor, action, volume_id, detail)
    }

    /// The latest audit row's number (0: none): it moves with every audited
    /// action, so a seat of a room sees that someone did something.
    pub fn last_audit_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", args![], |r| {
                r.get(0)
            })
    }

    /// A volume's audit trail, oldest first: (at, actor, action, detail).
    pub fn audit_trail(&self, volume_id: &str) -> Result<Vec<(String, String, String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT at, actor, action, detail FROM audit_log WHERE volume_id = ?1 ORDER BY id",
        )?;
        let rows = st.query_map(args![volume_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<Result<_>>()
    }

    // ---- volumes -------------------------------------------------------------

    pub fn volume_exists(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM volumes WHERE id = ?1", args![id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Creates a volume; with `id` None the next free `V0001`-style id is used.
    pub fn create_volume(&self, id: Option<&str>, name: &str) -> Result<String> {
        if let Some(id) = id {
            if id.trim().is_empty() || id.chars().any(|c| c.is_control() || c == '/') {
                bail!("volume id {id:?} is not usable: use letters, digits, '-' or '_'");
            }
            self.conn.execute(
                "INSERT INTO volumes(id, name, created_at) VALUES (?1, ?2, ?3)",
                args![id, name, now()],
            )?;
            return Ok(id.to_string());
        }
        // The next free id; two seats of a room taking the same one at once:
        // the second finds it taken and takes the next.
        for _ in 0..100 {
            let id = self.next_volume_id()?;
            let n = self.conn.execute(
                "INSERT INTO volumes(id, name, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                args![id, name, now()],
            )?;
            if n == 1 {
                return Ok(id);
            }
        }
        bail!("no free volume id after 100 tries: is another seat creating volumes in a loop?")
    }

    /// `V0001`-style: one more than the largest number after a V. (The old
    /// rule, MAX(CAST(substr(id, 2) AS INTEGER)) over ids that start with V and
    /// a digit; SQLite's cast reads a number's leading digits, so does this.)
    fn next_volume_id(&self) -> Result<String> {
        let ids: Vec<String> =
            self.conn
                .query_map("SELECT id FROM volumes WHERE id LIKE 'V%'", args![], |r| {
                    r.get(0)
                })?;
        let n = ids
            .iter()
            .filter_map(|id| {
                let digits: String = id[1..].chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u64>().ok()
            })
            .max()
            .unwrap_or(0);
        Ok(format!("V{:04}", n + 1))
    }

    /// Deletes a volume that has no pages and nothing in its trash (a scan that
    /// never delivered); a volume with anything in it is left alone.
    pub fn remove_empty_volume(&self, id: &str) -> Result<bool> {
        let n = self.conn.execute(
            "DELETE FROM volumes WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM pages WHERE volume_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM page_trash WHERE volume_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM index_corrections WHERE volume_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM volume_index WHERE volume_id = ?1)",
            args![id],
        )?;
        Ok(n > 0)
    }

    pub fn list_volumes(&self) -> Result<Vec<VolumeSummary>> {
        self.volume_summaries(None)
    }

    pub fn volume(&self, id: &str) -> Result<Option<VolumeSummary>> {
        Ok(self.volume_summaries(Some(id))?.pop())
    }

    /// Page counts per volume: all volumes, or only `only`.
    fn volume_summaries(&self, only: Option<&str>) -> Result<Vec<VolumeSummary>> {
        let mut st = self.conn.prepare(
            "SELECT v.id, v.name,
                    COUNT(p.id),
                    COALESCE(SUM(CASE WHEN p.state = 'done' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN p.state = 'processing' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END), 0)
             FROM volumes v LEFT JOIN pages p ON p.volume_id = v.id
             WHERE CAST(?1 AS TEXT) IS NULL OR v.id = ?1
             GROUP BY v.id ORDER BY v.created_at, v.id",
        )?;
        let rows = st.query_map(args![only], |r| {
            Ok(VolumeSummary {
                id: r.get(0)?,
                name: r.get(1)?,
                pages: r.get(2)?,
                done: r.get(3)?,
                processing: r.get(4)?,
                failed: r.get(5)?,
            })
        })?;
        rows.collect::<Result<_>>()
    }

    // ---- masters and pages --------------------------------------------------

    pub fn put_master(&self, m: &MasterRecord) -> Result<()> {
        self.conn.execute(
            "INSERT INTO masters(sha256, ext, format, size, original_name, page_count, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            args![
                m.sha256,
                m.ext,
                m.format,
                m.size as i64,
                m.original_name,
                m.page_count,
                now()
            ],
        )?;
        Ok(())
    }

    /// Appends a page to a volume. Returns its id, or `None` when that page of that
    /// master is already in the volume and `always_new` is not set (importing the
    /// same file twice adds nothing).
    pub fn add_page(&mut self, volume_id: &str, page: &NewPage) -> Result<Option<i64>> {
        let tx = self.conn.transaction()?;
        lock_volume(&tx, volume_id)?;
        let exists = tx
            .query_row(
                "SELECT seq FROM pages WHERE volume_id = ?1 AND master_sha256 = ?2 AND source_page = ?3",
                args![volume_id, page.master_sha256, page.source_page],
                |r| r.get::<u32>(0),
            )
            .optional()?;
        if exists.is_some() && !page.always_new {
            return Ok(None);
        }
        let seq: u32 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM pages WHERE volume_id = ?1",
            args![volume_id],
            |r| r.get(0),
        )?;
        let (origin, text, lines) = match &page.born_digital {
            Some((text, lines)) => (
                Some(TextOrigin::BornDigital),
                Some(text.clone()),
                Some(serde_json::to_string(lines)?),
            ),
            None => (None, None, None),
        };
        let id = tx.insert(
            "INSERT INTO pages(volume_id, seq, master_sha256, source_name, source_page, width, height,
                               dpi, color_mode, state, text_origin, text, lines)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'imported', ?10, ?11, ?12)",
            args![
                volume_id,
                seq,
                page.master_sha256,
                page.source_name,
                page.source_page,
                page.width,
                page.height,
                page.dpi,
                page.color_mode.as_str(),
                origin,
                text,
                lines
            ],
        )?;
        tx.commit()?;
        Ok(Some(id))
    }

    pub fn pages(&self, volume_id: &str) -> Result<Vec<PageRow>> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM pages p JOIN masters m ON m.sha256 = p.master_sha256
             WHERE p.volume_id = ?1 ORDER BY p.seq"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args![volume_id], page_from_row)?;
        rows.collect::<Result<_>>()
    }

    pub fn page(&self, page_id: i64) -> Result<PageRow> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM pages p JOIN masters m ON m.sha256 = p.master_sha256 WHERE p.id = ?1"
        );
        self.conn.query_row(&sql, args![page_id], page_from_row)
    }

    /// Pages that a run must still process, in volume and scan order: new ones
    /// (and failed ones when asked), and those whose lease ran out.
    pub fn pending_pages(&self, volume_id: Option<&str>, retry_failed: bool) -> Result<Vec<i64>> {
        let states = if retry_failed {
            "('imported','failed')"
        } else {
            "('imported')"
        };
        let sql = format!(
            "SELECT id FROM pages
             WHERE (state IN {states} OR (state = 'processing' AND lease_until < ?2))
               AND (CAST(?1 AS TEXT) IS NULL OR volume_id = ?1)
             ORDER BY volume_id, seq"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(args![volume_id, now()], |r| r.get(0))?;
        rows.collect::<Result<_>>()
    }

    /// Pages left `processing` by a run that died. Only call while holding the
    /// home's process lock on the home's own catalogue: then no live run owns
    /// them. (A room's catalogue has leases instead.)
    pub fn reset_stale_processing(&self) -> Result<usize> {
        self.conn.execute(
            "UPDATE pages SET state = 'imported', lease_owner = NULL, lease_until = NULL
             WHERE state = 'processing'",
            args![],
        )
    }

    /// Takes a page for `lease`'s worker: a new or failed page, or one whose
    /// lease ran out; false if someone else has it or finished it meanwhile.
    pub fn claim_page(&self, page_id: i64, lease: &Lease) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE pages SET state = 'processing', error = NULL, lease_owner = ?2, lease_until = ?3
             WHERE id = ?1 AND (state IN ('imported', 'failed')
                                OR (state = 'processing' AND (lease_until IS NULL OR lease_until < ?4)))",
            args![page_id, lease.owner(), lease.until(), now()],
        )?;
        Ok(n == 1)
    }

    /// Gives a claimed page back untouched (cancel).
    pub fn release_page(&self, page_id: i64, lease: &Lease) -> Result<()> {
        self.conn.execute(
            "UPDATE pages SET state = 'imported', lease_owner = NULL, lease_until = NULL
             WHERE id = ?1 AND state = 'processing' AND lease_owner = ?2",
            args![page_id, lease.owner()],
        )?;
        Ok(())
    }

    /// Records a page's failure; false (nothing written) when the lease was
    /// lost to another worker meanwhile.
    pub fn fail_page(&self, page_id: i64, error: &str, lease: &Lease) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE pages SET state = 'failed', error = ?2, lease_owner = NULL, lease_until = NULL
             WHERE id = ?1 AND state = 'processing' AND lease_owner = ?3",
            args![page_id, error, lease.owner()],
        )?;
        Ok(n == 1)
    }

    /// Commits a page's results and its search text in one transaction, if
    /// `lease` still holds the page: false (nothing written) when it was taken
    /// over meanwhile, so a page's result is committed exactly once.
    pub fn commit_page(&mut self, page_id: i64, r: &PageResult, lease: &Lease) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE pages SET state = 'done', error = NULL, image_key = ?2, image_ext = ?3,
                    width = ?4, height = ?5, rotation = ?6, flags = ?7, text_origin = ?8,
                    text = ?9, lines = ?10, ocr_confidence = ?11, ocr_engine = ?12,
                    skew_deg = ?13, blank = ?14, imaging = ?15, processed_at = ?16,
                    lease_owner = NULL, lease_until = NULL
             WHERE id = ?1 AND state = 'processing' AND lease_owner = ?17",
            args![
                page_id,
                r.image_key,
                r.image_ext,
                r.width,
                r.height,
                r.rotation,
                serde_json::to_string(&r.flags)?,
                r.text_origin,
                r.text,
                serde_json::to_string(&r.lines)?,
                r.ocr_confidence,
                r.ocr_engine,
                r.skew_deg.map(|s| (s as f64 * 100.0).round() / 100.0),
                r.blank,
                serde_json::to_string(&r.imaging)?,
                now(),
                lease.owner()
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        search::PAGE_TEXT.put(&tx, page_id, &r.text)?;
        tx.commit()?;
        Ok(true)
    }

    /// Stores a clerk's decisions for a page and queues it for processing again; the
    /// master is untouched and the previous working image stays in the store.
    pub fn set_overrides(
        &mut self,
        page_id: i64,
        overrides: &Overrides,
        actor: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let json = serde_json::to_string(overrides)?;
        let (volume, seq): (String, u32) = tx.query_row(
            "SELECT volume_id, seq FROM pages WHERE id = ?1",
            args![page_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "UPDATE pages SET overrides = ?2, state = 'imported', error = NULL WHERE id = ?1",
            args![page_id, json],
        )?;
        write_audit(
            &tx,
            actor,
            "override",
            Some(&volume),
            &serde_json::json!({"page": seq, "overrides": overrides}).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Queues finished and failed pages to be processed again (overrides are kept).
    pub fn requeue_pages(&self, volume_id: Option<&str>) -> Result<usize> {
        self.conn.execute(
            "UPDATE pages SET state = 'imported', error = NULL
             WHERE state IN ('done', 'failed') AND (CAST(?1 AS TEXT) IS NULL OR volume_id = ?1)",
            args![volume_id],
        )
    }

    /// Counts pages per state, for summaries and tests.
    pub fn count_states(&self, volume_id: &str) -> Result<Vec<(PageState, u32)>> {
        let mut st = self.conn.prepare(
            "SELECT state, COUNT(*) FROM pages WHERE volume_id = ?1 GROUP BY state ORDER BY state",
        )?;
        let rows = st.query_map(args![volume_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_>>()
    }
}

impl Catalogue {
    /// The volume as `show --json` prints it (DESIGN.md §4). Fields that later stages
    /// fill (indexing, imaging decisions) are `null` until they are known.
    pub fn volume_json(&self, volume_id: &str) -> Result<crate::model::VolumeJson> {
        use crate::model::{DocumentJson, PageJson, VolumeJson};
        let summary = self
            .volume(volume_id)?
            .ok_or_else(|| anyhow::anyhow!("no volume {volume_id}"))?;
        let rows = self.pages(volume_id)?;
        let index = self.volume_index(volume_id)?;
        let page_index = |seq: u32| {
            index
                .as_ref()
                .and_then(|i| i.pages.iter().find(|p| p.seq == seq))
        };
        let pages = rows
            .iter()
            .map(|r| {
                let processed = r.state == PageState::Done;
                PageJson {
                    seq: r.seq,
                    source: r.source_name.clone(),
                    source_page: r.source_page,
                    document: page_index(r.seq).and_then(|p| p.document),
                    page_no: page_index(r.seq).and_then(|p| p.page_no),
                    rotation: if processed { r.rotation } else { None },
                    skew_deg: r.skew_deg,
                    blank: r.blank,
                    dpi: r.dpi,
                    color_mode: r.color_mode.map(|c| c.as_str().to_string()),
                    flags: r.flags.clone(),
                    ocr_confidence: r.ocr_confidence.map(|c| (c * 1000.0).round() / 1000.0),
                    text: r.text.clone(),
                }
            })
            .collect();
        let field = |name: &str| {
            index
                .as_ref()
                .and_then(|i| i.fields.get(name))
                .and_then(|f| f.value.clone())
        };
        let documents = index
            .as_ref()
            .map(|i| {
                i.documents
                    .iter()
                    .map(|d| DocumentJson {
                        seq: d.seq,
                        kind: d.kind.clone(),
                        title: d.title.value.clone(),
                        doc_no: d.doc_no.value.clone(),
                        responsible: d.responsible.value.clone(),
                        date: d.date.value.clone(),
                        first_page: d.first_page,
                        last_page: d.last_page,
                        page_no_from: d.page_no_from,
                        page_no_to: d.page_no_to,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let status = match (&index, summary.status()) {
            (Some(_), VolumeStatus::Processed) => VolumeStatus::Indexed,
            (_, s) => s,
        };
        Ok(VolumeJson {
            id: summary.id.clone(),
            archival_code: field("archival_code"),
            fonds_code: field("fonds_code"),
            title: field("title"),
            year: field("year").and_then(|y| y.parse().ok()),
            retention: field("retention"),
            agency: field("agency"),
            compiler: field("compiler"),
            party: field("party"),
            party_id_code: field("party_id_code"),
            case_cause: field("case_cause"),
            filed_date: field("filed_date"),
            decided_date: field("decided_date"),
            decision_no: field("decision_no"),
            fine_amount: field("fine_amount").and_then(|a| a.parse().ok()),
            closed_date: field("closed_date"),
            item_count: index.as_ref().map(|i| i.item_count),
            page_count: index.as_ref().map(|i| i.page_count),
            status,
            documents,
            pages,
        })
    }
}

/// Catalogues for the unit tests, one on each engine.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Catalogue, Location};

    /// A fresh, empty catalogue; the folder goes with it.
    pub struct Scratch {
        pub location: Location,
        _dir: tempfile::TempDir,
    }

    impl Scratch {
        pub fn open(&self) -> Catalogue {
            Catalogue::open(&self.location).unwrap()
        }
    }

    /// A SQLite catalogue and one on the tests' own PostgreSQL server.
    pub fn each_engine() -> Vec<Scratch> {
        let pg = super::scratch::ScratchPostgres::shared()
            .and_then(|pg| pg.fresh_database())
            .expect("the tests' PostgreSQL server (make test installs Debian's postgresql)");
        let sqlite = tempfile::tempdir().unwrap();
        vec![
            Scratch {
                location: Location::Sqlite(sqlite.path().join("c.sqlite")),
                _dir: sqlite,
            },
            Scratch {
                location: Location::Postgres(pg),
                _dir: tempfile::tempdir().unwrap(),
            },
        ]
    }
}
