//! The two engines under the catalogue: SQLite (the embedded default, one seat)
//! and PostgreSQL (a room's shared catalogue). The catalogue writes its SQL once,
//! in the part both speak, with `?N` placeholders (PostgreSQL's `$N` are made
//! here), times computed in Rust ([`now`]) and `RETURNING id` for new rows; the
//! few things that differ (migrations, the search indexes) ask [`Db::is_postgres`].
//!
//! Values travel as [`Value`] both ways, so one [`Row`] reader serves both, and
//! a PostgreSQL column's exact integer width never matters to the callers.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

/// One SQL value, as both engines store it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A Rust value that can be a statement's parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A Rust value a column can be read as.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self>;
}

/// Parameters for [`Db`]'s statements, like rusqlite's `params!`.
macro_rules! args {
    () => { &[] as &[&dyn $crate::catalogue::db::ToValue] };
    ($($x:expr),+ $(,)?) => { &[$(&$x as &dyn $crate::catalogue::db::ToValue),+] as &[&dyn $crate::catalogue::db::ToValue] };
}
pub(crate) use args;

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(*self as i64)
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for f32 {
    fn to_value(&self) -> Value {
        Value::Real(*self as f64)
    }
}
macro_rules! integers {
    ($($t:ty),+) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<Self> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i)
                        .map_err(|_| anyhow!("{i} is out of range for {}", stringify!($t))),
                    Value::Real(f) if f.fract() == 0.0 => Ok(*f as $t),
                    other => bail!("expected an integer, found {other:?}"),
                }
            }
        }
    )+};
}
integers!(i64, i32, u32, u64, usize);

impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self> {
        Ok(v.clone())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => bail!("expected text, found {other:?}"),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Int(i) => Ok(*i != 0),
            other => bail!("expected a truth value, found {other:?}"),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self> {
        match v {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => bail!("expected a number, found {other:?}"),
        }
    }
}
impl FromValue for f32 {
    fn from_value(v: &Value) -> Result<Self> {
        f64::from_value(v).map(|f| f as f32)
    }
}

/// Closed sets are stored as their words; a word this version does not know is
/// an error (a damaged catalogue, or one written by a newer anjuan), never a guess.
macro_rules! stored_as_words {
    ($($t:ty),+) => {$(
        impl $crate::catalogue::db::ToValue for $t {
            fn to_value(&self) -> $crate::catalogue::db::Value {
                $crate::catalogue::db::Value::Text(self.as_str().to_string())
            }
        }
        impl $crate::catalogue::db::FromValue for $t {
            fn from_value(v: &$crate::catalogue::db::Value) -> anyhow::Result<Self> {
                let word = String::from_value(v)?;
                <$t>::parse(&word)
                    .ok_or_else(|| anyhow::anyhow!("unknown {} {word:?}", stringify!($t)))
            }
        }
    )+};
}
pub(crate) use stored_as_words;

/// One result row.
#[derive(Debug, Clone)]
pub struct Row {
    values: Vec<Value>,
}

impl Row {
    pub fn new(values: Vec<Value>) -> Self {
        Row { values }
    }

    /// Column `i` as `T`; a column that does not read as `T` says which it was.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let v = self
            .values
            .get(i)
            .ok_or_else(|| anyhow!("no column {i} in the result"))?;
        T::from_value(v).with_context(|| format!("column {i}"))
    }

    pub fn value(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Null)
    }
}

/// An open catalogue database, either engine.
pub struct Db {
    engine: Engine,
    /// Inside [`Db::transaction`]: a second one would nest, which neither
    /// engine does with plain BEGIN.
    in_transaction: Cell<bool>,
    /// The volume versions this seat's edits are made on (see `claims`).
    expected_versions: RefCell<HashMap<String, i64>>,
}

enum Engine {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<Postgres>>),
}

struct Postgres {
    client: postgres::Client,
    /// Prepared once per connection, by the SQL as the catalogue wrote it.
    statements: HashMap<String, postgres::Statement>,
}

/// The time as the catalogue stores it (UTC, milliseconds, `Z`): computed here,
/// not by either engine, so both write the same.
pub fn now() -> String {
    crate::model::time::now_utc_millis()
}

impl Db {
    pub fn open_sqlite(path: &std::path::Path) -> Result<Self> {
        let conn = rusqlite::Connection::open(path)
            .with_context(|| format!("cannot open the catalogue {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Db {
            engine: Engine::Sqlite(conn),
            in_transaction: Cell::new(false),
            expected_versions: RefCell::default(),
        })
    }

    pub fn open_postgres(url: &str) -> Result<Self> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)
            .map_err(|e| anyhow!("cannot reach the catalogue {}: {e}", redact(url)))?;
        // Statements are prepared once per connection; a plan made for their
        // actual values (a search term's rarity decides between walking the
        // index in order and collecting its hits) is worth its few planning
        // microseconds.
        client.batch_execute("SET plan_cache_mode = force_custom_plan")?;
        Ok(Db {
            engine: Engine::Postgres(Box::new(RefCell::new(Postgres {
                client,
                statements: HashMap::new(),
            }))),
            in_transaction: Cell::new(false),
            expected_versions: RefCell::default(),
        })
    }

    /// The version of `volume_id` this seat's next edit is made on, if it said.
    pub fn expected_version(&self, volume_id: &str) -> Option<i64> {
        self.expected_versions.borrow().get(volume_id).copied()
    }

    pub fn expect_version(&self, volume_id: &str, version: Option<i64>) {
        let mut map = self.expected_versions.borrow_mut();
        match version {
            Some(v) => map.insert(volume_id.to_string(), v),
            None => map.remove(volume_id),
        };
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.engine, Engine::Postgres(_))
    }

    /// The SQLite connection, for what only SQLite has (its migrations' pragma).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Engine::Sqlite(c) => Some(c),
            Engine::Postgres(_) => None,
        }
    }

    /// Runs several statements without parameters (migrations).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(c) => c.execute_batch(sql)?,
            Engine::Postgres(pg) => pg.borrow_mut().client.batch_execute(sql)?,
        }
        Ok(())
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<usize> {
        let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
        match &self.engine {
            Engine::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(values.iter().map(LiteValue)))?)
            }
            Engine::Postgres(pg) => {
                let mut pg = pg.borrow_mut();
                let st = pg.prepare(sql)?;
                Ok(pg.client.execute(&st, &pg_params(&values))? as usize)
            }
        }
    }

    /// Every row of a query, each through `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
        match &self.engine {
            Engine::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let n = st.column_count();
                let mut rows =
                    st.query(rusqlite::params_from_iter(values.iter().map(LiteValue)))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let row = Row::new(
                        (0..n)
                            .map(|i| r.get_ref(i).map(from_lite))
                            .collect::<rusqlite::Result<_>>()?,
                    );
                    out.push(f(&row)?);
                }
                Ok(out)
            }
            Engine::Postgres(pg) => {
                let rows = {
                    let mut pg = pg.borrow_mut();
                    let st = pg.prepare(sql)?;
                    pg.client.query(&st, &pg_params(&values))?
                };
                rows.iter()
                    .map(|r| {
                        let row = Row::new(
                            (0..r.len())
                                .map(|i| r.try_get::<_, Value>(i))
                                .collect::<std::result::Result<_, _>>()?,
                        );
                        f(&row)
                    })
                    .collect()
            }
        }
    }

    /// The first row of a query through `f`, or None.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut f = Some(f);
        let mut out = self.query_map(sql, params, |r| Ok(r.clone()))?;
        match out.drain(..).next() {
            Some(r) => Ok(Some((f.take().expect("once"))(&r)?)),
            None => Ok(None),
        }
    }

    /// The one row a query must return, through `f` ([`NoRows`] when there is
    /// none; [`OptionalExtension::optional`] makes that a None).
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| anyhow::Error::new(NoRows))
    }

    /// A statement to run with [`Prepared::query_map`] (the engines prepare and
    /// cache it on first use).
    pub fn prepare<'a>(&'a self, sql: &'a str) -> Result<Prepared<'a>> {
        Ok(Prepared { db: self, sql })
    }

    /// Runs an INSERT and gives the new row's id (`RETURNING id`, both engines).
    pub fn insert(&self, sql: &str, params: &[&dyn ToValue]) -> Result<i64> {
        self.query_row(&format!("{sql} RETURNING id"), params, |r| r.get(0))
    }

    /// Begins a transaction: committed by [`Tx::commit`], rolled back when
    /// dropped without. SQLite takes the write lock at once (IMMEDIATE), so two
    /// writers queue instead of failing midway.
    pub fn transaction(&self) -> Result<Tx<'_>> {
        if self.in_transaction.get() {
            bail!("internal: a catalogue transaction inside another");
        }
        match &self.engine {
            Engine::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Engine::Postgres(pg) => pg.borrow_mut().client.batch_execute("BEGIN")?,
        }
        self.in_transaction.set(true);
        Ok(Tx { db: self })
    }

    fn end_transaction(&self, sql: &str) -> Result<()> {
        self.in_transaction.set(false);
        self.execute_batch(sql)
    }
}

impl Postgres {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = self
            .client
            .prepare(&dollar_placeholders(sql))
            .with_context(|| format!("in the statement {}", sql.trim()))?;
        self.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

/// A query and its database, read row by row like rusqlite's statements.
pub struct Prepared<'a> {
    db: &'a Db,
    sql: &'a str,
}

impl Prepared<'_> {
    /// The rows through `f`, each a `Result` (all read before the first is given).
    pub fn query_map<T>(
        &mut self,
        params: &[&dyn ToValue],
        f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.db.query_map(self.sql, params, f)?;
        Ok(rows.into_iter().map(Ok).collect::<Vec<_>>().into_iter())
    }
}

/// A query that had to return a row returned none.
#[derive(Debug, thiserror::Error)]
#[error("the catalogue has no such row")]
pub struct NoRows;

/// `query_row(…).optional()`: no row is None, other errors stay errors.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is::<NoRows>() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A transaction on a [`Db`]; everything a `Db` does, it does inside.
pub struct Tx<'a> {
    db: &'a Db,
}

impl Tx<'_> {
    pub fn commit(self) -> Result<()> {
        let db = self.db;
        std::mem::forget(self);
        db.end_transaction("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        // An error or a panic midway: nothing of it stays.
        let _ = self.db.end_transaction("ROLLBACK");
    }
}

/// `?N` → `$N` outside quoted strings and identifiers.
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// A connection string without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &creds[..colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

// ---- SQLite values ----------------------------------------------------------

struct LiteValue<'a>(&'a Value);

impl rusqlite::ToSql for LiteValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn from_lite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

// ---- PostgreSQL values -------------------------------------------------------

/// Values as the PostgreSQL client takes parameters.
fn pg_params(values: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        let wrong = || -> Box<dyn std::error::Error + Sync + Send> {
            format!("{self:?} cannot be stored as {ty}").into()
        };
        match (self, ty) {
            (Value::Null, _) => return Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out)?,
            (Value::Int(i), &Type::INT4) => {
                i32::try_from(*i).map_err(|_| wrong())?.to_sql(ty, out)?
            }
            (Value::Int(i), &Type::INT2) => {
                i16::try_from(*i).map_err(|_| wrong())?.to_sql(ty, out)?
            }
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out)?,
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out)?,
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out)?,
            (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out)?,
            (Value::Text(s), _) if <&str as postgres::types::ToSql>::accepts(ty) => {
                s.as_str().to_sql(ty, out)?
            }
            (Value::Blob(b), &Type::BYTEA) => b.as_slice().to_sql(ty, out)?,
            _ => return Err(wrong()),
        };
        Ok(IsNull::No)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl<'a> postgres::types::FromSql<'a> for Value {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{FromSql, Type};
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)? as i64),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)? as i64),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)? as i64),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)? as f64),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ if <String as FromSql>::accepts(ty) => Value::Text(String::from_sql(ty, raw)?),
            _ => return Err(format!("a column of type {ty} is not one the catalogue uses").into()),
        })
    }

    fn from_sql_null(
        _: &postgres::types::Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            dollar_placeholders("SELECT '?1', \"a?\" FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', \"a?\" FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn passwords_are_not_said() {
        assert_eq!(
            redact("postgres://room:secret@nas:5432/anjuan"),
            "postgres://room:***@nas:5432/anjuan"
        );
        assert_eq!(
            redact("postgres://room@nas/anjuan"),
            "postgres://room@nas/anjuan"
        );
    }

    #[test]
    fn times_are_utc_with_milliseconds() {
        let t = now();
        assert_eq!(t.len(), "2026-01-01T00:00:00.000Z".len(), "{t}");
        assert!(t.ends_with('Z'));
    }
}
