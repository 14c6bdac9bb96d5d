//! The SQLite engine's erasure storage: the shared SQL of
//! [`crate::erasure`] over the one connection.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::SqliteStore;
use crate::erasure::{self as er, *};
use crate::{CaseId, Date, Engine, PartyId, Result, StoreError, Timestamp};

struct Lite<'a>(&'a Connection);

impl er::Sql for Lite<'_> {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }
    fn exec(&mut self, sql: &str) -> Result<u64> {
        Ok(self.0.execute(sql, [])? as u64)
    }
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        let mut st = self.0.prepare(sql)?;
        let n = st.column_count();
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    ValueRef::Null => None,
                    ValueRef::Integer(v) => Some(v.to_string()),
                    ValueRef::Real(v) => Some(v.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// Runs `f` in one transaction; commits when `commit`, else rolls back.
fn tx<T>(conn: &Connection, commit: bool, f: impl FnOnce(&mut Lite<'_>) -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f(&mut Lite(conn)) {
        Ok(v) => {
            conn.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl ErasureStore for SqliteStore {
    fn subject_facts(&self, party: PartyId) -> Result<Option<SubjectFacts>> {
        let c = self.conn()?;
        tx(&c, true, |s| er::subject_facts(s, party))
    }

    fn erase(
        &self,
        head: &BatchHead,
        parties: &[PartyId],
        cases: &[CaseId],
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>> {
        let c = self.conn()?;
        tx(&c, !dry_run, |s| er::erase(s, head, parties, cases, fields))
    }

    fn plan_retention(&self, as_of: Date, cutoff: Cutoffs, per_chunk: usize) -> Result<u64> {
        let c = self.conn()?;
        tx(&c, true, |s| {
            er::plan_retention(s, as_of, cutoff, per_chunk)
        })
    }

    fn retention_chunk(
        &self,
        head: &BatchHead,
        cutoff: Cutoffs,
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Option<RetentionChunk>> {
        let c = self.conn()?;
        tx(&c, !dry_run, |s| {
            er::retention_chunk(s, head, cutoff, fields, dry_run)
        })
    }

    fn retention_sweep(
        &self,
        head: &BatchHead,
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>> {
        let c = self.conn()?;
        tx(&c, !dry_run, |s| {
            er::retention_sweep(s, head, fields, dry_run)
        })
    }

    fn retention_totals(&self, as_of: Date) -> Result<RetentionChunk> {
        let c = self.conn()?;
        er::retention_totals(&mut Lite(&c), as_of)
    }

    fn close_case(&self, case: CaseId, status: &str, on: Date) -> Result<bool> {
        let c = self.conn()?;
        er::close_case(&mut Lite(&c), case, status, on)
    }

    fn add_legal_hold(
        &self,
        party: PartyId,
        case: Option<CaseId>,
        reason: &str,
        owner: &str,
        on: Date,
    ) -> Result<i64> {
        let c = self.conn()?;
        c.execute(
            "INSERT INTO legal_holds (party_id, case_id, reason, owner, placed_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![party.0, case.map(|c| c.0), reason, owner, on.to_string()],
        )?;
        Ok(c.last_insert_rowid())
    }

    fn lift_legal_hold(&self, id: i64, by: &str, on: Date) -> Result<bool> {
        let c = self.conn()?;
        Ok(c.execute(
            "UPDATE legal_holds SET lifted_on = ?1, lifted_by = ?2 WHERE id = ?3 AND lifted_on IS NULL",
            rusqlite::params![on.to_string(), by, id],
        )? > 0)
    }

    fn legal_holds(&self, active_only: bool) -> Result<Vec<LegalHoldRow>> {
        let c = self.conn()?;
        er::legal_holds(
            &mut Lite(&c),
            if active_only {
                "lifted_on IS NULL"
            } else {
                "1 = 1"
            },
        )
    }

    fn add_special(&self, category: &str, r: &SpecialRecord) -> Result<i64> {
        let c = self.conn()?;
        er::add_special(&mut Lite(&c), category, r)
    }

    fn special_records(&self, category: &str, party: PartyId) -> Result<Vec<SpecialRecord>> {
        let c = self.conn()?;
        er::special_records(&mut Lite(&c), category, party)
    }

    fn log_special_read(&self, read: &SpecialRead) -> Result<()> {
        let c = self.conn()?;
        er::log_special_read(&mut Lite(&c), read)
    }

    fn special_reads(&self, party: PartyId) -> Result<Vec<SpecialRead>> {
        let c = self.conn()?;
        er::special_reads(&mut Lite(&c), party)
    }

    fn queue_statement_notices(&self, version: &str, at: Timestamp) -> Result<u64> {
        let c = self.conn()?;
        tx(&c, true, |s| er::queue_statement_notices(s, version, at))
    }

    fn scan_values(&self, needles: &[String]) -> Result<Vec<ResidualHit>> {
        let c = self.conn()?;
        er::scan_values(&mut Lite(&c), needles)
    }

    fn backup(&self, path: &std::path::Path) -> Result<()> {
        let c = self.conn()?;
        let p = path.to_string_lossy();
        c.execute_batch(&format!("VACUUM INTO {}", er::lit(&p)?))?;
        Ok(())
    }

    fn erasure_journal(&self) -> Result<Vec<JournalBatch>> {
        let c = self.conn()?;
        er::journal_batches(&mut Lite(&c), None)
    }

    fn erasure_batches_for(&self, reference: &str) -> Result<Vec<JournalBatch>> {
        let c = self.conn()?;
        er::journal_batches(&mut Lite(&c), Some(reference))
    }

    fn restore(&self, path: &std::path::Path, extra: &[JournalBatch]) -> Result<u64> {
        let c = self.conn()?;
        let journal = er::merged_journal(er::journal_batches(&mut Lite(&c), None)?, extra);
        c.execute_batch(&format!(
            "ATTACH DATABASE {} AS bk",
            er::lit(&path.to_string_lossy())?
        ))?;
        let result = (|| {
            let versions = |db: &str| -> Result<Vec<i64>> {
                let mut st = c.prepare(&format!(
                    "SELECT version FROM {db}.schema_migrations ORDER BY version"
                ))?;
                let v = st
                    .query_map([], |r| r.get(0))?
                    .collect::<std::result::Result<Vec<i64>, _>>()?;
                Ok(v)
            };
            if versions("main")? != versions("bk")? {
                return Err(StoreError::Invariant(
                    "the backup was made by another schema version; restore it with that version"
                        .into(),
                ));
            }
            let tables: Vec<String> = {
                let mut st = c.prepare(
                    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )?;
                st.query_map([], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?
            };
            c.execute_batch("PRAGMA foreign_keys = OFF")?;
            let r = tx(&c, true, |s| {
                for t in &tables {
                    er::Sql::batch(
                        s,
                        &format!(
                            "DELETE FROM main.\"{t}\"; INSERT INTO main.\"{t}\" SELECT * FROM bk.\"{t}\";"
                        ),
                    )?;
                }
                er::reapply(s, &journal)
            });
            c.execute_batch("PRAGMA foreign_keys = ON")?;
            r
        })();
        let detach = c.execute_batch("DETACH DATABASE bk");
        let n = result?;
        detach?;
        Ok(n)
    }
}
