//! Erasure, retention, legal holds, special categories and statement
//! notices: the storage of the privacy engine.
//!
//! Erasure overwrites columns in place, set-based: the subjects of a batch
//! go into two temporary id tables (`er_parties`, `er_cases`) and one
//! `UPDATE` per table erases the batch's fields for all of them. The same
//! SQL runs on both engines through [`Sql`], so the two cannot drift. What
//! was erased is journalled per field (never the values); a restore
//! re-applies the batches a backup lacks.

use std::collections::{BTreeMap, HashSet};

use crate::catalog::{self, Subject};
use crate::{CaseId, ClientId, Date, Engine, PartyId, Result, StoreError, Timestamp};

/// Which rows of a table a field is erased in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Rows of the batch's parties (the party itself, rows naming it).
    Party,
    /// Rows of the batch's cases.
    Case,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Party => "party",
            Scope::Case => "case",
        }
    }
}

/// One column to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPlan {
    pub table: String,
    pub column: String,
    pub category: String,
    pub scope: Scope,
    /// Rows whose date column is on or after this date are kept (a
    /// statutory period still runs for them): (date column, first kept day).
    pub keep_from: Option<(String, Date)>,
    /// Only rows processed for this purpose (the table's `purpose`
    /// column) are kept by `keep_from`: a statutory period of one purpose
    /// (AML, Wwft art. 33) does not keep a row processed for another.
    pub keep_purpose: Option<String>,
}

/// Who erased, why and when.
#[derive(Debug, Clone)]
pub struct BatchHead {
    /// `request`, `retention` or `unsubscribe`.
    pub cause: String,
    pub reference: Option<String>,
    pub rule: Option<String>,
    pub as_of: Date,
    pub actor: String,
    pub at: Timestamp,
}

/// Rows erased in one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCount {
    pub table: String,
    pub column: String,
    pub category: String,
    pub rows: u64,
}

/// A journalled batch, as a restore re-applies it.
#[derive(Debug, Clone)]
pub struct JournalBatch {
    pub id: i64,
    pub cause: String,
    pub reference: Option<String>,
    pub rule: Option<String>,
    pub as_of: Date,
    pub actor: String,
    pub recorded_at: String,
    pub fields: Vec<(FieldPlan, u64)>,
    pub parties: Vec<i64>,
    pub cases: Vec<i64>,
}

/// A case of a subject, as the erasure decision needs it.
#[derive(Debug, Clone)]
pub struct SubjectCase {
    pub id: CaseId,
    pub number: String,
    pub client: ClientId,
    pub is_debtor: bool,
    pub status: String,
    pub closed_on: Option<Date>,
    /// The last payment booked on the case (bookkeeping duty).
    pub last_booking: Option<Date>,
    pub erased: bool,
}

impl SubjectCase {
    pub fn is_open(&self) -> bool {
        !self.status.starts_with("closed")
    }
}

#[derive(Debug, Clone)]
pub struct LegalHoldRow {
    pub id: i64,
    pub party: PartyId,
    pub case: Option<CaseId>,
    pub reason: String,
    pub owner: String,
    pub placed_on: Date,
    pub lifted_on: Option<Date>,
    pub lifted_by: Option<String>,
}

/// What the erasure decision knows of one party.
#[derive(Debug, Clone)]
pub struct SubjectFacts {
    pub party: PartyId,
    pub client: ClientId,
    pub erased: bool,
    pub cases: Vec<SubjectCase>,
    pub holds: Vec<LegalHoldRow>,
    /// The last special-category record kept for AML (Wwft).
    pub last_aml_record: Option<Date>,
}

/// A special-category record (R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialRecord {
    pub id: i64,
    pub party: PartyId,
    pub case: Option<CaseId>,
    /// `9.2.a`, `9.2.f` or `10`.
    pub basis: String,
    pub legal_claim: Option<String>,
    pub consent_ref: Option<String>,
    pub purpose: String,
    pub content: String,
    pub recorded_on: Date,
    pub recorded_by: String,
}

/// One entry of the special-data read log.
#[derive(Debug, Clone)]
pub struct SpecialRead {
    pub party: PartyId,
    pub category: String,
    pub records: i64,
    pub actor: String,
    pub role: String,
    pub purpose: String,
    /// `read` or `refused`.
    pub outcome: String,
    pub reason: Option<String>,
    pub read_at: Timestamp,
}

/// Where a retention run's periods end: cases closed before
/// `closed_before` have expired (the controller's rule, R17); every case
/// of a client whose mandate makes the agency its processor (R1) expires
/// once the mandate ended before `mandate_ended_before`, whatever its
/// state, and not before (the client's instructions, art. 28(3)(g)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub closed_before: Date,
    pub mandate_ended_before: Date,
}

/// One chunk of a retention run, done.
#[derive(Debug, Clone, Default)]
pub struct RetentionChunk {
    pub cases: u64,
    pub parties: u64,
    pub fields: Vec<FieldCount>,
}

/// A value found by the residual-data scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidualHit {
    pub table: String,
    pub column: String,
    pub needle: String,
}

/// The storage of erasure, retention, holds, special data and notices.
pub trait ErasureStore {
    /// What the erasure decision needs to know of a party; `None` when no
    /// such party exists.
    fn subject_facts(&self, party: PartyId) -> Result<Option<SubjectFacts>>;
    /// Erases `fields` of these parties and cases in one transaction and
    /// journals it; with `dry_run` counts the same and changes nothing.
    fn erase(
        &self,
        head: &BatchHead,
        parties: &[PartyId],
        cases: &[CaseId],
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>>;
    /// Splits the closed cases whose period ended before `cutoff` into
    /// chunks for the run of `as_of`; does nothing when planned already.
    fn plan_retention(&self, as_of: Date, cutoff: Cutoffs, per_chunk: usize) -> Result<u64>;
    /// Erases the next planned chunk: its expired cases, and their parties
    /// whose every case has expired; `None` when every chunk is done.
    /// With `dry_run` runs every chunk and rolls back.
    fn retention_chunk(
        &self,
        head: &BatchHead,
        cutoff: Cutoffs,
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Option<RetentionChunk>>;
    /// After the chunks: erases the rows a statutory period kept when their
    /// subject was erased earlier, once that period has ended.
    fn retention_sweep(
        &self,
        head: &BatchHead,
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>>;
    /// The totals of a run from the journal (so a resumed run reports all).
    fn retention_totals(&self, as_of: Date) -> Result<RetentionChunk>;
    /// Closes a case on a date (what the end of collection records).
    fn close_case(&self, case: CaseId, status: &str, on: Date) -> Result<bool>;

    fn add_legal_hold(
        &self,
        party: PartyId,
        case: Option<CaseId>,
        reason: &str,
        owner: &str,
        on: Date,
    ) -> Result<i64>;
    fn lift_legal_hold(&self, id: i64, by: &str, on: Date) -> Result<bool>;
    fn legal_holds(&self, active_only: bool) -> Result<Vec<LegalHoldRow>>;

    /// Stores a record in the table of its category (`health`, `criminal`).
    fn add_special(&self, category: &str, r: &SpecialRecord) -> Result<i64>;
    fn special_records(&self, category: &str, party: PartyId) -> Result<Vec<SpecialRecord>>;
    fn log_special_read(&self, read: &SpecialRead) -> Result<()>;
    fn special_reads(&self, party: PartyId) -> Result<Vec<SpecialRead>>;

    /// Queues a notice of statement `version` for every party with an
    /// e-mail address and none queued for that version; returns how many.
    fn queue_statement_notices(&self, version: &str, at: Timestamp) -> Result<u64>;

    /// Every value of every column of every table (schema introspection),
    /// as text, searched for the needles (case-insensitive).
    fn scan_values(&self, needles: &[String]) -> Result<Vec<ResidualHit>>;
    /// A consistent copy of the database in `path`.
    fn backup(&self, path: &std::path::Path) -> Result<()>;
    /// Replaces the database with the backup in `path`, then re-applies
    /// every journalled erasure the backup lacks: those of the database
    /// restored over and those in `journal` (an exported copy, for a
    /// restore into a new database). Returns how many batches were
    /// re-applied.
    fn restore(&self, path: &std::path::Path, journal: &[JournalBatch]) -> Result<u64>;
    /// The erasure journal (ids, fields, dates and rules; no values), to
    /// keep apart from the backups.
    fn erasure_journal(&self) -> Result<Vec<JournalBatch>>;
    /// The journal's batches recorded under one reference (a rights
    /// request), so a step that stopped after its erasure committed finds it.
    fn erasure_batches_for(&self, reference: &str) -> Result<Vec<JournalBatch>>;
}

/// Quotes a string as an SQL literal (both engines use standard strings).
pub(crate) fn lit(s: &str) -> Result<String> {
    if s.contains('\0') {
        return Err(StoreError::Invariant("text with a NUL byte".into()));
    }
    Ok(format!("'{}'", s.replace('\'', "''")))
}

fn opt_lit(s: Option<&str>) -> Result<String> {
    s.map_or(Ok("NULL".to_owned()), lit)
}

/// The few statements the erasure SQL needs, on either engine, inside
/// one transaction the engine opened.
pub(crate) trait Sql {
    fn engine(&self) -> Engine;
    /// One statement; the rows it changed.
    fn exec(&mut self, sql: &str) -> Result<u64>;
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Every row, each column cast to text by the caller's SQL.
    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>>;
}

fn ints(sql: &mut dyn Sql, q: &str) -> Result<Vec<i64>> {
    sql.rows(q)?
        .into_iter()
        .map(|r| {
            let s = r.into_iter().next().flatten().unwrap_or_default();
            s.parse::<i64>()
                .map_err(|_| StoreError::Invariant(format!("not an integer: {s:?} from {q}")))
        })
        .collect()
}

fn parse_date(table: &'static str, column: &'static str, s: &str) -> Result<Date> {
    kwijting_domain::parse_date(s.get(..10).unwrap_or(s)).map_err(|e| StoreError::Corrupt {
        table,
        column,
        value: s.to_owned(),
        reason: e.to_string(),
    })
}

fn opt_date(table: &'static str, column: &'static str, s: Option<&str>) -> Result<Option<Date>> {
    s.map(|s| parse_date(table, column, s)).transpose()
}

/// The WHERE clause that finds a table's rows of the batch.
fn link(table: &str, scope: Scope) -> Result<String> {
    let t = catalog::table(table)
        .ok_or_else(|| StoreError::Invariant(format!("table {table} is not in the catalog")))?;
    let s = match (t.subject, scope) {
        (Subject::Party, Scope::Party) => "id IN (SELECT id FROM er_parties)".to_owned(),
        (Subject::PartyColumn(c), Scope::Party) => format!("{c} IN (SELECT id FROM er_parties)"),
        (Subject::CaseParties(c), Scope::Case) => format!("{c} IN (SELECT id FROM er_cases)"),
        (subject, scope) => {
            return Err(StoreError::Invariant(format!(
                "{table} ({subject:?}) cannot be erased by {}",
                scope.as_str()
            )));
        }
    };
    Ok(s)
}

/// The value an erased column gets: NULL where allowed, else a neutral
/// value of its type (empty text, zero, the first day of the calendar).
fn erased_value(engine: Engine, column: &str, not_null: bool, ty: &str) -> String {
    if !not_null {
        return "NULL".to_owned();
    }
    let ty = ty.to_ascii_lowercase();
    match engine {
        Engine::Sqlite => {
            if ty.contains("int") {
                "0".into()
            } else if ty.contains("blob") {
                "x''".into()
            } else {
                // SQLite keeps dates as text: an erased date stays a date.
                format!(
                    "CASE WHEN {column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN '0001-01-01' ELSE '' END"
                )
            }
        }
        Engine::Postgres => {
            if ty.contains("int") || ty == "numeric" {
                "0".into()
            } else if ty == "bytea" {
                "''::bytea".into()
            } else if ty == "date" {
                "DATE '0001-01-01'".into()
            } else if ty.starts_with("timestamp") {
                "TIMESTAMPTZ '0001-01-01T00:00:00Z'".into()
            } else if ty == "boolean" {
                "false".into()
            } else {
                "''".into()
            }
        }
    }
}

/// (not null, type) per table and column of the live schema, in one query
/// (the catalogs, not `information_schema`, which is slow on PostgreSQL).
fn column_types(sql: &mut dyn Sql) -> Result<BTreeMap<(String, String), (bool, String)>> {
    let q = match sql.engine() {
        Engine::Sqlite => {
            "SELECT m.name, p.name, CAST(p.\"notnull\" AS TEXT), p.type FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        Engine::Postgres => {
            "SELECT c.relname::text, a.attname::text, CASE WHEN a.attnotnull THEN '1' ELSE '0' END, \
                    format_type(a.atttypid, a.atttypmod) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"
        }
    };
    Ok(sql
        .rows(q)?
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let table = it.next().flatten().unwrap_or_default();
            let name = it.next().flatten().unwrap_or_default();
            let nn = it.next().flatten().as_deref() == Some("1");
            let ty = it.next().flatten().unwrap_or_default();
            ((table, name), (nn, ty))
        })
        .collect())
}

pub(crate) fn temp_tables(sql: &mut dyn Sql) -> Result<()> {
    match sql.engine() {
        Engine::Sqlite => sql.batch(
            "CREATE TEMP TABLE IF NOT EXISTS er_parties (id INTEGER PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS er_cases (id INTEGER PRIMARY KEY);
             DELETE FROM er_parties; DELETE FROM er_cases;",
        ),
        Engine::Postgres => sql.batch(
            "SET LOCAL client_min_messages = warning;
             CREATE TEMP TABLE IF NOT EXISTS er_parties (id BIGINT PRIMARY KEY) ON COMMIT DELETE ROWS;
             CREATE TEMP TABLE IF NOT EXISTS er_cases (id BIGINT PRIMARY KEY) ON COMMIT DELETE ROWS;
             DELETE FROM er_parties; DELETE FROM er_cases;",
        ),
    }
}

fn fill_ids(sql: &mut dyn Sql, table: &str, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(5000) {
        let values: Vec<String> = chunk.iter().map(|i| format!("({i})")).collect();
        sql.exec(&format!(
            "INSERT INTO {table} (id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        ))?;
    }
    Ok(())
}

fn analyze_temp(sql: &mut dyn Sql) -> Result<()> {
    if sql.engine() == Engine::Postgres {
        sql.batch("ANALYZE er_parties; ANALYZE er_cases;")?;
    }
    Ok(())
}

/// Erases the fields in the rows of the subjects in the temporary tables:
/// one UPDATE per table, scope and kept-from date.
pub(crate) fn apply_fields(sql: &mut dyn Sql, fields: &[FieldPlan]) -> Result<Vec<u64>> {
    // Fields erased by one UPDATE: same table, scope and kept-from date.
    type Group<'a> = (&'a str, Scope, Option<(&'a str, Date)>, Option<&'a str>);
    let mut groups: BTreeMap<Group<'_>, Vec<usize>> = BTreeMap::new();
    for (i, f) in fields.iter().enumerate() {
        groups
            .entry((
                f.table.as_str(),
                f.scope,
                f.keep_from.as_ref().map(|(c, d)| (c.as_str(), *d)),
                f.keep_purpose.as_deref(),
            ))
            .or_default()
            .push(i);
    }
    let mut counts = vec![0u64; fields.len()];
    let types = if groups.is_empty() {
        BTreeMap::new()
    } else {
        column_types(sql)?
    };
    for ((table, scope, keep, keep_purpose), idx) in groups {
        let mut sets = Vec::new();
        let mut present = Vec::new();
        for &i in &idx {
            let c = fields[i].column.as_str();
            let (nn, ty) = types
                .get(&(table.to_owned(), c.to_owned()))
                .ok_or_else(|| {
                    StoreError::Invariant(format!("{table}.{c} is not in the live schema"))
                })?;
            sets.push(format!("{c} = {}", erased_value(sql.engine(), c, *nn, ty)));
            present.push((!*nn).then(|| format!("{c} IS NOT NULL")));
        }
        let mut q = format!(
            "UPDATE {table} SET {} WHERE {}",
            sets.join(", "),
            link(table, scope)?
        );
        // Where every column may be NULL, rows erased before are not
        // counted again.
        if let Some(present) = present.into_iter().collect::<Option<Vec<_>>>() {
            q.push_str(&format!(" AND ({})", present.join(" OR ")));
        }
        match (keep, keep_purpose) {
            (Some((col, from)), None) => q.push_str(&format!(" AND {col} < '{from}'")),
            (Some((col, from)), Some(p)) => q.push_str(&format!(
                " AND ({col} < '{from}' OR {PURPOSE_COLUMN} <> {})",
                lit(p)?
            )),
            (None, _) => {}
        }
        let n = sql.exec(&q)?;
        for i in idx {
            counts[i] = n;
        }
    }
    Ok(counts)
}

/// The column of a table that says per row which purpose it was processed
/// for (the special-category tables).
pub const PURPOSE_COLUMN: &str = "purpose";

/// Journals a batch whose subjects are in the temporary tables.
fn journal(
    sql: &mut dyn Sql,
    head: &BatchHead,
    fields: &[FieldPlan],
    counts: &[u64],
) -> Result<i64> {
    let id = ints(
        sql,
        &format!(
            "INSERT INTO erasure_batches (cause, reference, rule, as_of, actor, recorded_at) \
             VALUES ({}, {}, {}, '{}', {}, '{}') RETURNING id",
            lit(&head.cause)?,
            opt_lit(head.reference.as_deref())?,
            opt_lit(head.rule.as_deref())?,
            head.as_of,
            lit(&head.actor)?,
            head.at
        ),
    )?
    .into_iter()
    .next()
    .ok_or_else(|| StoreError::Invariant("no batch id returned".into()))?;
    insert_journal_rows(sql, id, fields, counts)?;
    Ok(id)
}

fn insert_journal_rows(
    sql: &mut dyn Sql,
    id: i64,
    fields: &[FieldPlan],
    counts: &[u64],
) -> Result<()> {
    for (f, n) in fields.iter().zip(counts) {
        let (dc, before) = match &f.keep_from {
            Some((c, d)) => (lit(c)?, format!("'{d}'")),
            None => ("NULL".to_owned(), "NULL".to_owned()),
        };
        sql.exec(&format!(
            "INSERT INTO erasure_fields (batch_id, table_name, column_name, category, scope, date_column, before, rows, keep_purpose) \
             VALUES ({id}, {}, {}, {}, '{}', {dc}, {before}, {n}, {})",
            lit(&f.table)?,
            lit(&f.column)?,
            lit(&f.category)?,
            f.scope.as_str(),
            opt_lit(f.keep_purpose.as_deref())?
        ))?;
    }
    sql.exec(&format!(
        "INSERT INTO erasure_subjects (batch_id, party_id, case_id) SELECT {id}, id, NULL FROM er_parties"
    ))?;
    sql.exec(&format!(
        "INSERT INTO erasure_subjects (batch_id, party_id, case_id) SELECT {id}, NULL, id FROM er_cases"
    ))?;
    Ok(())
}

fn to_counts(fields: &[FieldPlan], counts: &[u64]) -> Vec<FieldCount> {
    fields
        .iter()
        .zip(counts)
        .map(|(f, n)| FieldCount {
            table: f.table.clone(),
            column: f.column.clone(),
            category: f.category.clone(),
            rows: *n,
        })
        .collect()
}

pub(crate) fn erase(
    sql: &mut dyn Sql,
    head: &BatchHead,
    parties: &[PartyId],
    cases: &[CaseId],
    fields: &[FieldPlan],
) -> Result<Vec<FieldCount>> {
    temp_tables(sql)?;
    fill_ids(
        sql,
        "er_parties",
        &parties.iter().map(|p| p.0).collect::<Vec<_>>(),
    )?;
    fill_ids(
        sql,
        "er_cases",
        &cases.iter().map(|c| c.0).collect::<Vec<_>>(),
    )?;
    let counts = apply_fields(sql, fields)?;
    journal(sql, head, fields, &counts)?;
    Ok(to_counts(fields, &counts))
}

/// Whether the party or case (`col` = `party_id` or `case_id`) whose id is
/// `outer` was erased as a whole: an unsubscribe erases marketing data only.
fn erased_sql(col: &str, outer: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM erasure_subjects s JOIN erasure_batches b ON b.id = s.batch_id \
         WHERE s.{col} = {outer} AND b.cause <> 'unsubscribe')"
    )
}

/// An expired case under no legal hold of its own: a controller's case
/// closed before the cutoff, or any case of a processor client whose
/// mandate ended before its cutoff.
fn expired_case(c: &str, cutoff: Cutoffs) -> String {
    let Cutoffs {
        closed_before,
        mandate_ended_before,
    } = cutoff;
    format!(
        "(({c}.status LIKE 'closed%' AND {c}.closed_on < '{closed_before}' \
           AND {c}.client_id NOT IN (SELECT id FROM clients WHERE role = 'processor')) \
          OR {c}.client_id IN (SELECT id FROM clients WHERE role = 'processor' \
                               AND mandate_ended_on < '{mandate_ended_before}')) \
         AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = {c}.id AND h.lifted_on IS NULL)"
    )
}

pub(crate) fn plan_retention(
    sql: &mut dyn Sql,
    as_of: Date,
    cutoff: Cutoffs,
    per_chunk: usize,
) -> Result<u64> {
    let planned = ints(
        sql,
        &format!("SELECT COUNT(*) FROM retention_chunks WHERE as_of = '{as_of}'"),
    )?;
    if planned.first().copied().unwrap_or(0) > 0 {
        return Ok(0);
    }
    let ids = ints(
        sql,
        &format!(
            "SELECT c.id FROM cases c WHERE {} AND NOT {} ORDER BY c.id",
            expired_case("c", cutoff),
            erased_sql("case_id", "c.id")
        ),
    )?;
    let mut n = 0;
    for chunk in ids.chunks(per_chunk.max(1)) {
        let (first, last) = (chunk[0], chunk[chunk.len() - 1]);
        sql.exec(&format!(
            "INSERT INTO retention_chunks (as_of, first_case_id, last_case_id, state) \
             VALUES ('{as_of}', {first}, {last}, 'planned')"
        ))?;
        n += 1;
    }
    Ok(n)
}

/// Fills the temporary tables with one chunk's expired cases (`None`: all
/// expired cases) and the parties whose every case has expired.
fn fill_retention(sql: &mut dyn Sql, cutoff: Cutoffs, range: Option<(i64, i64)>) -> Result<()> {
    temp_tables(sql)?;
    let range = range
        .map(|(a, b)| format!("c.id BETWEEN {a} AND {b} AND "))
        .unwrap_or_default();
    sql.exec(&format!(
        "INSERT INTO er_cases (id) SELECT c.id FROM cases c WHERE {range}{} \
         AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_on IS NULL AND h.case_id IS NULL \
             AND (h.party_id = c.debtor_party_id OR h.party_id IN (SELECT party_id FROM case_parties WHERE case_id = c.id))) \
         AND NOT {}",
        expired_case("c", cutoff),
        erased_sql("case_id", "c.id")
    ))?;
    let party_erased = erased_sql("party_id", "x.pid");
    let expired_c = expired_case("c", cutoff);
    sql.exec(&format!(
        "INSERT INTO er_parties (id) SELECT DISTINCT x.pid FROM ( \
             SELECT c.debtor_party_id AS pid FROM cases c WHERE c.id IN (SELECT id FROM er_cases) \
             UNION SELECT cp.party_id FROM case_parties cp WHERE cp.case_id IN (SELECT id FROM er_cases)) x \
         WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.debtor_party_id = x.pid AND NOT ({expired_c})) \
           AND NOT EXISTS (SELECT 1 FROM case_parties cp JOIN cases c ON c.id = cp.case_id \
                           WHERE cp.party_id = x.pid AND NOT ({expired_c})) \
           AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.party_id = x.pid AND h.lifted_on IS NULL) \
           AND NOT {party_erased}"
    ))?;
    analyze_temp(sql)
}

fn count(sql: &mut dyn Sql, q: &str) -> Result<u64> {
    Ok(ints(sql, q)?.first().copied().unwrap_or(0).max(0) as u64)
}

/// Runs the next planned chunk (or, for a dry run, all expired cases at
/// once); the caller commits, or rolls back a dry run.
pub(crate) fn retention_chunk(
    sql: &mut dyn Sql,
    head: &BatchHead,
    cutoff: Cutoffs,
    fields: &[FieldPlan],
    dry_run: bool,
) -> Result<Option<RetentionChunk>> {
    let range = if dry_run {
        None
    } else {
        let next = sql.rows(&format!(
            "SELECT CAST(first_case_id AS TEXT), CAST(last_case_id AS TEXT) FROM retention_chunks \
             WHERE as_of = '{}' AND state = 'planned' ORDER BY first_case_id LIMIT 1",
            head.as_of
        ))?;
        let Some(r) = next.into_iter().next() else {
            return Ok(None);
        };
        let get = |i: usize| -> Result<i64> {
            r.get(i)
                .cloned()
                .flatten()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StoreError::Invariant("bad retention chunk".into()))
        };
        Some((get(0)?, get(1)?))
    };
    fill_retention(sql, cutoff, range)?;
    let cases = count(sql, "SELECT COUNT(*) FROM er_cases")?;
    let parties = count(sql, "SELECT COUNT(*) FROM er_parties")?;
    let counts = apply_fields(sql, fields)?;
    if let Some((first, _)) = range {
        let batch = journal(sql, head, fields, &counts)?;
        sql.exec(&format!(
            "UPDATE retention_chunks SET state = 'done', batch_id = {batch} \
             WHERE as_of = '{}' AND first_case_id = {first}",
            head.as_of
        ))?;
    }
    Ok(Some(RetentionChunk {
        cases,
        parties,
        fields: to_counts(fields, &counts),
    }))
}

/// The rows a statutory period kept when their subject was erased, erased
/// once that period ends: the same fields over every erased subject. Runs
/// once per day's run, journalled as the run's chunk 0.
pub(crate) fn retention_sweep(
    sql: &mut dyn Sql,
    head: &BatchHead,
    fields: &[FieldPlan],
    dry_run: bool,
) -> Result<Vec<FieldCount>> {
    let fields: Vec<FieldPlan> = fields
        .iter()
        .filter(|f| f.keep_from.is_some())
        .cloned()
        .collect();
    let done = count(
        sql,
        &format!(
            "SELECT COUNT(*) FROM retention_chunks WHERE as_of = '{}' AND first_case_id = 0",
            head.as_of
        ),
    )?;
    if fields.is_empty() || (done > 0 && !dry_run) {
        return Ok(Vec::new());
    }
    temp_tables(sql)?;
    // Only the erased subjects with rows now due, so the sweep's cost
    // follows what is left to erase, not every subject ever erased.
    for f in &fields {
        let Some((date_col, before)) = &f.keep_from else {
            continue;
        };
        let (subject_col, temp, col) = match (catalog::table(&f.table).map(|t| t.subject), f.scope)
        {
            (Some(Subject::CaseParties(c)), Scope::Case) => (c, "er_cases", "case_id"),
            (Some(Subject::PartyColumn(c)), Scope::Party) => (c, "er_parties", "party_id"),
            _ => continue,
        };
        sql.exec(&format!(
            "INSERT INTO {temp} (id) SELECT DISTINCT t.{subject_col} FROM {} t \
             WHERE t.{date_col} < '{before}' AND t.{} IS NOT NULL AND {} ON CONFLICT DO NOTHING",
            f.table,
            f.column,
            erased_sql(col, &format!("t.{subject_col}"))
        ))?;
    }
    analyze_temp(sql)?;
    let counts = apply_fields(sql, &fields)?;
    if !dry_run {
        let batch = if counts.iter().any(|n| *n > 0) {
            journal(sql, head, &fields, &counts)?.to_string()
        } else {
            "NULL".to_owned()
        };
        sql.exec(&format!(
            "INSERT INTO retention_chunks (as_of, first_case_id, last_case_id, state, batch_id) \
             VALUES ('{}', 0, 0, 'done', {batch})",
            head.as_of
        ))?;
    }
    Ok(to_counts(&fields, &counts))
}

pub(crate) fn retention_totals(sql: &mut dyn Sql, as_of: Date) -> Result<RetentionChunk> {
    let batches = format!(
        "SELECT batch_id FROM retention_chunks WHERE as_of = '{as_of}' AND batch_id IS NOT NULL"
    );
    // The sweep (chunk 0) erases kept rows of subjects erased before.
    let subjects = format!("{batches} AND first_case_id > 0");
    let cases = count(
        sql,
        &format!(
            "SELECT COUNT(*) FROM erasure_subjects WHERE case_id IS NOT NULL AND batch_id IN ({subjects})"
        ),
    )?;
    let parties = count(
        sql,
        &format!(
            "SELECT COUNT(*) FROM erasure_subjects WHERE party_id IS NOT NULL AND batch_id IN ({subjects})"
        ),
    )?;
    let rows = sql.rows(&format!(
        "SELECT table_name, column_name, category, CAST(SUM(rows) AS TEXT) FROM erasure_fields \
         WHERE batch_id IN ({batches}) GROUP BY table_name, column_name, category ORDER BY table_name, column_name"
    ))?;
    let fields = rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter().map(Option::unwrap_or_default);
            FieldCount {
                table: it.next().unwrap_or_default(),
                column: it.next().unwrap_or_default(),
                category: it.next().unwrap_or_default(),
                rows: it.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            }
        })
        .collect();
    Ok(RetentionChunk {
        cases,
        parties,
        fields,
    })
}

pub(crate) fn subject_facts(sql: &mut dyn Sql, party: PartyId) -> Result<Option<SubjectFacts>> {
    let p = party.0;
    let Some(client) = ints(
        sql,
        &format!("SELECT client_id FROM parties WHERE id = {p}"),
    )?
    .first()
    .copied() else {
        return Ok(None);
    };
    let erased = count(
        sql,
        &format!(
            "SELECT COUNT(*) FROM parties x WHERE x.id = {p} AND {}",
            erased_sql("party_id", "x.id")
        ),
    )? > 0;
    let case_rows = sql.rows(&format!(
        "SELECT CAST(c.id AS TEXT), c.number, CAST(c.client_id AS TEXT), \
                CASE WHEN c.debtor_party_id = {p} THEN '1' ELSE '0' END, c.status, CAST(c.closed_on AS TEXT), \
                (SELECT CAST(MAX(b.booked_on) AS TEXT) FROM bank_entries b WHERE b.case_id = c.id), \
                CASE WHEN {} THEN '1' ELSE '0' END \
         FROM cases c WHERE c.debtor_party_id = {p} \
            OR c.id IN (SELECT case_id FROM case_parties WHERE party_id = {p}) ORDER BY c.id",
        erased_sql("case_id", "c.id")
    ))?;
    let mut cases = Vec::new();
    for r in case_rows {
        let g = |i: usize| r.get(i).cloned().flatten();
        cases.push(SubjectCase {
            id: CaseId(g(0).and_then(|s| s.parse().ok()).unwrap_or(0)),
            number: g(1).unwrap_or_default(),
            client: ClientId(g(2).and_then(|s| s.parse().ok()).unwrap_or(0)),
            is_debtor: g(3).as_deref() == Some("1"),
            status: g(4).unwrap_or_default(),
            closed_on: opt_date("cases", "closed_on", g(5).as_deref())?,
            last_booking: opt_date("bank_entries", "booked_on", g(6).as_deref())?,
            erased: g(7).as_deref() == Some("1"),
        });
    }
    let holds = legal_holds(
        sql,
        &format!(
            "(party_id = {p} OR case_id IN (SELECT case_id FROM case_parties WHERE party_id = {p}) \
              OR case_id IN (SELECT id FROM cases WHERE debtor_party_id = {p}))"
        ),
    )?;
    let last_aml = sql
        .rows(&format!(
            "SELECT CAST(MAX(recorded_on) AS TEXT) FROM criminal_records WHERE party_id = {p} AND purpose = 'aml'"
        ))?
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next().flatten());
    Ok(Some(SubjectFacts {
        party,
        client: ClientId(client),
        erased,
        cases,
        holds,
        last_aml_record: opt_date("criminal_records", "recorded_on", last_aml.as_deref())?,
    }))
}

pub(crate) fn legal_holds(sql: &mut dyn Sql, filter: &str) -> Result<Vec<LegalHoldRow>> {
    let rows = sql.rows(&format!(
        "SELECT CAST(id AS TEXT), CAST(party_id AS TEXT), CAST(case_id AS TEXT), reason, owner, \
                CAST(placed_on AS TEXT), CAST(lifted_on AS TEXT), lifted_by \
         FROM legal_holds WHERE {filter} ORDER BY id"
    ))?;
    rows.into_iter()
        .map(|r| {
            let g = |i: usize| r.get(i).cloned().flatten();
            Ok(LegalHoldRow {
                id: g(0).and_then(|s| s.parse().ok()).unwrap_or(0),
                party: PartyId(g(1).and_then(|s| s.parse().ok()).unwrap_or(0)),
                case: g(2).and_then(|s| s.parse().ok()).map(CaseId),
                reason: g(3).unwrap_or_default(),
                owner: g(4).unwrap_or_default(),
                placed_on: parse_date("legal_holds", "placed_on", &g(5).unwrap_or_default())?,
                lifted_on: opt_date("legal_holds", "lifted_on", g(6).as_deref())?,
                lifted_by: g(7),
            })
        })
        .collect()
}

pub(crate) fn special_table(category: &str) -> Result<&'static str> {
    match category {
        "health" => Ok("health_records"),
        "criminal" => Ok("criminal_records"),
        other => Err(StoreError::Invariant(format!(
            "no special-category table for '{other}'"
        ))),
    }
}

pub(crate) fn add_special(sql: &mut dyn Sql, category: &str, r: &SpecialRecord) -> Result<i64> {
    let table = special_table(category)?;
    ints(
        sql,
        &format!(
            "INSERT INTO {table} (party_id, case_id, basis, legal_claim, consent_ref, purpose, content, recorded_on, recorded_by) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, '{}', {}) RETURNING id",
            r.party.0,
            r.case.map_or("NULL".to_owned(), |c| c.0.to_string()),
            lit(&r.basis)?,
            opt_lit(r.legal_claim.as_deref())?,
            opt_lit(r.consent_ref.as_deref())?,
            lit(&r.purpose)?,
            lit(&r.content)?,
            r.recorded_on,
            lit(&r.recorded_by)?
        ),
    )?
    .first()
    .copied()
    .ok_or_else(|| StoreError::Invariant("no id returned".into()))
}

pub(crate) fn special_records(
    sql: &mut dyn Sql,
    category: &str,
    party: PartyId,
) -> Result<Vec<SpecialRecord>> {
    let table = special_table(category)?;
    let rows = sql.rows(&format!(
        "SELECT CAST(id AS TEXT), CAST(case_id AS TEXT), basis, legal_claim, consent_ref, purpose, content, \
                CAST(recorded_on AS TEXT), recorded_by FROM {table} WHERE party_id = {} ORDER BY id",
        party.0
    ))?;
    rows.into_iter()
        .map(|r| {
            let g = |i: usize| r.get(i).cloned().flatten();
            Ok(SpecialRecord {
                id: g(0).and_then(|s| s.parse().ok()).unwrap_or(0),
                party,
                case: g(1).and_then(|s| s.parse().ok()).map(CaseId),
                basis: g(2).unwrap_or_default(),
                legal_claim: g(3),
                consent_ref: g(4),
                purpose: g(5).unwrap_or_default(),
                content: g(6).unwrap_or_default(),
                recorded_on: parse_date(
                    table_static(table),
                    "recorded_on",
                    &g(7).unwrap_or_default(),
                )?,
                recorded_by: g(8).unwrap_or_default(),
            })
        })
        .collect()
}

fn table_static(t: &str) -> &'static str {
    if t == "health_records" {
        "health_records"
    } else {
        "criminal_records"
    }
}

pub(crate) fn log_special_read(sql: &mut dyn Sql, r: &SpecialRead) -> Result<()> {
    sql.exec(&format!(
        "INSERT INTO special_data_reads (party_id, category, records, actor, role, purpose, outcome, reason, read_at) \
         VALUES ({}, {}, {}, {}, {}, {}, {}, {}, '{}')",
        r.party.0,
        lit(&r.category)?,
        r.records,
        lit(&r.actor)?,
        lit(&r.role)?,
        lit(&r.purpose)?,
        lit(&r.outcome)?,
        opt_lit(r.reason.as_deref())?,
        r.read_at
    ))?;
    Ok(())
}

pub(crate) fn special_reads(sql: &mut dyn Sql, party: PartyId) -> Result<Vec<SpecialRead>> {
    let rows = sql.rows(&format!(
        "SELECT category, CAST(records AS TEXT), actor, role, purpose, outcome, reason, CAST(read_at AS TEXT) \
         FROM special_data_reads WHERE party_id = {} ORDER BY id",
        party.0
    ))?;
    rows.into_iter()
        .map(|r| {
            let g = |i: usize| r.get(i).cloned().flatten();
            let at = g(7).unwrap_or_default();
            Ok(SpecialRead {
                party,
                category: g(0).unwrap_or_default(),
                records: g(1).and_then(|s| s.parse().ok()).unwrap_or(0),
                actor: g(2).unwrap_or_default(),
                role: g(3).unwrap_or_default(),
                purpose: g(4).unwrap_or_default(),
                outcome: g(5).unwrap_or_default(),
                reason: g(6),
                read_at: parse_instant(&at)?,
            })
        })
        .collect()
}

/// An instant as either engine writes it as text.
fn parse_instant(s: &str) -> Result<Timestamp> {
    let normal = if s.len() > 19 && s.as_bytes().get(10) == Some(&b' ') {
        // PostgreSQL: `2026-11-21 09:00:00+00`.
        let mut t = s.replacen(' ', "T", 1);
        if t.ends_with("+00") {
            t.push_str(":00");
        }
        t
    } else {
        s.to_owned()
    };
    normal
        .parse()
        .map_err(|e: jiff::Error| StoreError::Corrupt {
            table: "special_data_reads",
            column: "read_at",
            value: s.to_owned(),
            reason: e.to_string(),
        })
}

pub(crate) fn queue_statement_notices(
    sql: &mut dyn Sql,
    version: &str,
    at: Timestamp,
) -> Result<u64> {
    sql.exec(&format!(
        "INSERT INTO statement_notices (version, party_id, queued_at, state) \
         SELECT {}, p.id, '{at}', 'queued' FROM parties p \
         WHERE p.email IS NOT NULL AND p.email <> '' \
           AND NOT EXISTS (SELECT 1 FROM statement_notices n WHERE n.version = {} AND n.party_id = p.id)",
        lit(version)?,
        lit(version)?
    ))
}

pub(crate) fn close_case(sql: &mut dyn Sql, case: CaseId, status: &str, on: Date) -> Result<bool> {
    Ok(sql.exec(&format!(
        "UPDATE cases SET status = {}, closed_on = '{on}' WHERE id = {}",
        lit(status)?,
        case.0
    ))? > 0)
}

/// Every table and column of the live schema, by introspection.
fn live_columns(sql: &mut dyn Sql) -> Result<Vec<(String, String)>> {
    let q = match sql.engine() {
        Engine::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
        }
        Engine::Postgres => {
            "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY c.table_name, c.ordinal_position"
        }
    };
    Ok(sql
        .rows(q)?
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter().map(Option::unwrap_or_default);
            (it.next().unwrap_or_default(), it.next().unwrap_or_default())
        })
        .collect())
}

pub(crate) fn scan_values(sql: &mut dyn Sql, needles: &[String]) -> Result<Vec<ResidualHit>> {
    let mut hits = Vec::new();
    let needles: Vec<String> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_lowercase())
        .collect();
    for (table, column) in live_columns(sql)? {
        let conds: Vec<String> = needles
            .iter()
            .map(|n| {
                Ok(format!(
                    "CASE WHEN LOWER(CAST(\"{column}\" AS TEXT)) LIKE {} THEN '1' ELSE '0' END",
                    lit(&format!("%{n}%"))?
                ))
            })
            .collect::<Result<_>>()?;
        if conds.is_empty() {
            continue;
        }
        let found = sql.rows(&format!(
            "SELECT {} FROM \"{table}\" WHERE \"{column}\" IS NOT NULL",
            conds.join(", ")
        ))?;
        let mut seen = HashSet::new();
        for row in found {
            for (i, v) in row.iter().enumerate() {
                if v.as_deref() == Some("1") && seen.insert(i) {
                    hits.push(ResidualHit {
                        table: table.clone(),
                        column: column.clone(),
                        needle: needles[i].clone(),
                    });
                }
            }
        }
    }
    Ok(hits)
}

/// The journal's batches, all or those of one reference (a request).
pub(crate) fn journal_batches(
    sql: &mut dyn Sql,
    reference: Option<&str>,
) -> Result<Vec<JournalBatch>> {
    let filter = match reference {
        Some(r) => format!("WHERE reference = {}", lit(r)?),
        None => String::new(),
    };
    let heads = sql.rows(&format!(
        "SELECT CAST(id AS TEXT), cause, reference, rule, CAST(as_of AS TEXT), actor, CAST(recorded_at AS TEXT) \
         FROM erasure_batches {filter} ORDER BY id"
    ))?;
    let mut out = Vec::new();
    for r in heads {
        let g = |i: usize| r.get(i).cloned().flatten();
        let id: i64 = g(0).and_then(|s| s.parse().ok()).unwrap_or(0);
        let fields = sql
            .rows(&format!(
                "SELECT table_name, column_name, category, scope, date_column, CAST(before AS TEXT), CAST(rows AS TEXT), keep_purpose \
                 FROM erasure_fields WHERE batch_id = {id}"
            ))?
            .into_iter()
            .map(|f| {
                let h = |i: usize| f.get(i).cloned().flatten();
                let keep_from = match (h(4), h(5)) {
                    (Some(c), Some(d)) => Some((c, parse_date("erasure_fields", "before", &d)?)),
                    _ => None,
                };
                Ok((
                    FieldPlan {
                        table: h(0).unwrap_or_default(),
                        column: h(1).unwrap_or_default(),
                        category: h(2).unwrap_or_default(),
                        scope: if h(3).as_deref() == Some("case") {
                            Scope::Case
                        } else {
                            Scope::Party
                        },
                        keep_from,
                        keep_purpose: h(7),
                    },
                    h(6).and_then(|s| s.parse().ok()).unwrap_or(0),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let parties = ints(
            sql,
            &format!(
                "SELECT party_id FROM erasure_subjects WHERE batch_id = {id} AND party_id IS NOT NULL"
            ),
        )?;
        let cases = ints(
            sql,
            &format!(
                "SELECT case_id FROM erasure_subjects WHERE batch_id = {id} AND case_id IS NOT NULL"
            ),
        )?;
        out.push(JournalBatch {
            id,
            cause: g(1).unwrap_or_default(),
            reference: g(2),
            rule: g(3),
            as_of: parse_date("erasure_batches", "as_of", &g(4).unwrap_or_default())?,
            actor: g(5).unwrap_or_default(),
            recorded_at: g(6).unwrap_or_default(),
            fields,
            parties,
            cases,
        });
    }
    Ok(out)
}

/// The live journal joined with an exported one (the live entry wins).
pub(crate) fn merged_journal(live: Vec<JournalBatch>, extra: &[JournalBatch]) -> Vec<JournalBatch> {
    let mut all: BTreeMap<i64, JournalBatch> = extra.iter().map(|b| (b.id, b.clone())).collect();
    all.extend(live.into_iter().map(|b| (b.id, b)));
    all.into_values().collect()
}

/// Re-applies the journalled batches the database does not have (after a
/// restore): the same fields of the same subjects, journalled again under
/// their own ids. Returns how many.
pub(crate) fn reapply(sql: &mut dyn Sql, journal: &[JournalBatch]) -> Result<u64> {
    let have: HashSet<i64> = ints(sql, "SELECT id FROM erasure_batches")?
        .into_iter()
        .collect();
    let mut n = 0;
    for b in journal.iter().filter(|b| !have.contains(&b.id)) {
        temp_tables(sql)?;
        fill_ids(sql, "er_parties", &b.parties)?;
        fill_ids(sql, "er_cases", &b.cases)?;
        analyze_temp(sql)?;
        let fields: Vec<FieldPlan> = b.fields.iter().map(|(f, _)| f.clone()).collect();
        apply_fields(sql, &fields)?;
        let at = if sql.engine() == Engine::Postgres {
            format!("CAST({} AS TIMESTAMPTZ)", lit(&b.recorded_at)?)
        } else {
            lit(&b.recorded_at)?
        };
        sql.exec(&format!(
            "INSERT INTO erasure_batches (id, cause, reference, rule, as_of, actor, recorded_at) \
             VALUES ({}, {}, {}, {}, '{}', {}, {at})",
            b.id,
            lit(&b.cause)?,
            opt_lit(b.reference.as_deref())?,
            opt_lit(b.rule.as_deref())?,
            b.as_of,
            lit(&b.actor)?
        ))?;
        let counts: Vec<u64> = b.fields.iter().map(|(_, c)| *c).collect();
        insert_journal_rows(sql, b.id, &fields, &counts)?;
        n += 1;
    }
    if sql.engine() == Engine::Postgres {
        sql.batch(
            "SELECT setval(pg_get_serial_sequence('erasure_batches', 'id'), \
             COALESCE((SELECT MAX(id) FROM erasure_batches), 0) + 1, false)",
        )?;
    }
    Ok(n)
}
