//! The PostgreSQL engine's erasure storage: the shared SQL of
//! [`crate::erasure`] in one transaction per call; backup and restore by
//! `COPY`, one length-prefixed section per table.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Read, Write};

use postgres::Transaction;
use postgres::types::Type;

use super::PgStore;
use crate::erasure::{self as er, *};
use crate::{CaseId, Date, Engine, PartyId, Result, StoreError, Timestamp};

const BACKUP_HEADER: &str = "kwijting-backup postgres 1";

struct Pg<'a, 'b>(&'a mut Transaction<'b>);

impl er::Sql for Pg<'_, '_> {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }
    fn exec(&mut self, sql: &str) -> Result<u64> {
        Ok(self.0.execute(sql, &[])?)
    }
    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.batch_execute(sql)?)
    }
    fn rows(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
        let rows = self.0.query(sql, &[])?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let t = col.type_();
                let v = if *t == Type::INT8 {
                    r.try_get::<_, Option<i64>>(i)?.map(|v| v.to_string())
                } else if *t == Type::INT4 {
                    r.try_get::<_, Option<i32>>(i)?.map(|v| v.to_string())
                } else if *t == Type::DATE {
                    r.try_get::<_, Option<Date>>(i)?.map(|v| v.to_string())
                } else {
                    r.try_get::<_, Option<String>>(i)?
                };
                row.push(v);
            }
            out.push(row);
        }
        Ok(out)
    }
}

impl PgStore {
    fn in_tx<T>(&self, commit: bool, f: impl FnOnce(&mut Pg<'_, '_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let v = f(&mut Pg(&mut tx))?;
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok(v)
    }
}

fn tables(s: &mut dyn er::Sql) -> Result<Vec<String>> {
    Ok(s.rows(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    )?
    .into_iter()
    .filter_map(|r| r.into_iter().next().flatten())
    .collect())
}

/// The tables in an order where every table comes after those its
/// foreign keys name.
fn load_order(s: &mut dyn er::Sql, tables: &[String]) -> Result<Vec<String>> {
    let mut deps: BTreeMap<String, BTreeSet<String>> = tables
        .iter()
        .map(|t| (t.clone(), BTreeSet::new()))
        .collect();
    for r in s.rows(
        "SELECT cl.relname::text, rf.relname::text FROM pg_constraint co \
         JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class rf ON rf.oid = co.confrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE co.contype = 'f' AND n.nspname = current_schema()",
    )? {
        let mut it = r.into_iter().map(Option::unwrap_or_default);
        let (child, parent) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
        if child != parent {
            deps.entry(child).or_default().insert(parent);
        }
    }
    let mut order = Vec::new();
    let mut done = BTreeSet::new();
    while done.len() < deps.len() {
        let ready: Vec<String> = deps
            .iter()
            .filter(|(t, d)| {
                !done.contains(*t) && d.iter().all(|p| done.contains(p) || !deps.contains_key(p))
            })
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Invariant("foreign keys form a cycle".into()));
        }
        for t in ready {
            done.insert(t.clone());
            order.push(t);
        }
    }
    Ok(order)
}

impl ErasureStore for PgStore {
    fn subject_facts(&self, party: PartyId) -> Result<Option<SubjectFacts>> {
        self.in_tx(true, |s| er::subject_facts(s, party))
    }

    fn erase(
        &self,
        head: &BatchHead,
        parties: &[PartyId],
        cases: &[CaseId],
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>> {
        self.in_tx(!dry_run, |s| er::erase(s, head, parties, cases, fields))
    }

    fn plan_retention(&self, as_of: Date, cutoff: Cutoffs, per_chunk: usize) -> Result<u64> {
        self.in_tx(true, |s| {
            // One planner at a time: a second waits and then finds the plan.
            s.0.batch_execute("LOCK TABLE retention_chunks IN EXCLUSIVE MODE")?;
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
        self.in_tx(!dry_run, |s| {
            er::retention_chunk(s, head, cutoff, fields, dry_run)
        })
    }

    fn retention_sweep(
        &self,
        head: &BatchHead,
        fields: &[FieldPlan],
        dry_run: bool,
    ) -> Result<Vec<FieldCount>> {
        self.in_tx(!dry_run, |s| er::retention_sweep(s, head, fields, dry_run))
    }

    fn retention_totals(&self, as_of: Date) -> Result<RetentionChunk> {
        self.in_tx(true, |s| er::retention_totals(s, as_of))
    }

    fn close_case(&self, case: CaseId, status: &str, on: Date) -> Result<bool> {
        self.in_tx(true, |s| er::close_case(s, case, status, on))
    }

    fn add_legal_hold(
        &self,
        party: PartyId,
        case: Option<CaseId>,
        reason: &str,
        owner: &str,
        on: Date,
    ) -> Result<i64> {
        let mut c = self.conn()?;
        let row = c.query_one(
            "INSERT INTO legal_holds (party_id, case_id, reason, owner, placed_on) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&party.0, &case.map(|c| c.0), &reason, &owner, &on],
        )?;
        Ok(row.try_get(0)?)
    }

    fn lift_legal_hold(&self, id: i64, by: &str, on: Date) -> Result<bool> {
        let mut c = self.conn()?;
        Ok(c.execute(
            "UPDATE legal_holds SET lifted_on = $1, lifted_by = $2 WHERE id = $3 AND lifted_on IS NULL",
            &[&on, &by, &id],
        )? > 0)
    }

    fn legal_holds(&self, active_only: bool) -> Result<Vec<LegalHoldRow>> {
        self.in_tx(true, |s| {
            er::legal_holds(
                s,
                if active_only {
                    "lifted_on IS NULL"
                } else {
                    "1 = 1"
                },
            )
        })
    }

    fn add_special(&self, category: &str, r: &SpecialRecord) -> Result<i64> {
        self.in_tx(true, |s| er::add_special(s, category, r))
    }

    fn special_records(&self, category: &str, party: PartyId) -> Result<Vec<SpecialRecord>> {
        self.in_tx(true, |s| er::special_records(s, category, party))
    }

    fn log_special_read(&self, read: &SpecialRead) -> Result<()> {
        self.in_tx(true, |s| er::log_special_read(s, read))
    }

    fn special_reads(&self, party: PartyId) -> Result<Vec<SpecialRead>> {
        self.in_tx(true, |s| er::special_reads(s, party))
    }

    fn queue_statement_notices(&self, version: &str, at: Timestamp) -> Result<u64> {
        self.in_tx(true, |s| er::queue_statement_notices(s, version, at))
    }

    fn scan_values(&self, needles: &[String]) -> Result<Vec<ResidualHit>> {
        self.in_tx(true, |s| er::scan_values(s, needles))
    }

    fn backup(&self, path: &std::path::Path) -> Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create_new(path)?);
        writeln!(out, "{BACKUP_HEADER}")?;
        let mut conn = self.conn()?;
        // One snapshot for every table.
        let mut tx = conn
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let names = tables(&mut Pg(&mut tx))?;
        for t in names {
            let mut data = Vec::new();
            tx.copy_out(&format!("COPY \"{t}\" TO STDOUT"))?
                .read_to_end(&mut data)?;
            writeln!(out, "table {t} {}", data.len())?;
            out.write_all(&data)?;
        }
        tx.commit()?;
        out.flush()?;
        Ok(())
    }

    fn erasure_journal(&self) -> Result<Vec<JournalBatch>> {
        self.in_tx(true, |s| er::journal_batches(s, None))
    }

    fn erasure_batches_for(&self, reference: &str) -> Result<Vec<JournalBatch>> {
        self.in_tx(true, |s| er::journal_batches(s, Some(reference)))
    }

    fn restore(&self, path: &std::path::Path, extra: &[JournalBatch]) -> Result<u64> {
        let mut input = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut line = String::new();
        input.read_line(&mut line)?;
        if line.trim_end() != BACKUP_HEADER {
            return Err(StoreError::Invariant(format!(
                "{} is not a Kwijting PostgreSQL backup",
                path.display()
            )));
        }
        let mut sections: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                break;
            }
            let mut parts = line.trim_end().split(' ');
            let (Some("table"), Some(name), Some(len)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(StoreError::Invariant(format!(
                    "bad backup section header {line:?}"
                )));
            };
            let len: usize = len.parse().map_err(|_| {
                StoreError::Invariant(format!("bad backup section length {line:?}"))
            })?;
            let mut data = vec![0; len];
            input.read_exact(&mut data)?;
            sections.insert(name.to_owned(), data);
        }
        self.in_tx(true, |s| {
            let journal = er::merged_journal(er::journal_batches(s, None)?, extra);
            let live = tables(s)?;
            let versions: BTreeSet<String> = er::Sql::rows(s, "SELECT CAST(version AS TEXT) FROM schema_migrations")?
                .into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .collect();
            let backed: BTreeSet<String> = sections
                .get("schema_migrations")
                .map(|d| {
                    String::from_utf8_lossy(d)
                        .lines()
                        .filter_map(|l| l.split('\t').next().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let live_set: BTreeSet<&String> = live.iter().collect();
            if versions != backed || sections.keys().collect::<BTreeSet<_>>() != live_set {
                return Err(StoreError::Invariant(
                    "the backup was made by another schema version; restore it with that version".into(),
                ));
            }
            let order = load_order(s, &live)?;
            let all: Vec<String> = live.iter().map(|t| format!("\"{t}\"")).collect();
            s.0.batch_execute(&format!("TRUNCATE {}", all.join(", ")))?;
            for t in &order {
                let mut w = s.0.copy_in(&format!("COPY \"{t}\" FROM STDIN"))?;
                w.write_all(&sections[t])?;
                w.finish()?;
            }
            for r in er::Sql::rows(
                s,
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND is_identity = 'YES'",
            )? {
                let mut it = r.into_iter().map(Option::unwrap_or_default);
                let (t, c) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
                s.0.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), COALESCE((SELECT MAX(\"{c}\") FROM \"{t}\"), 0) + 1, false)"
                ))?;
            }
            er::reapply(s, &journal)
        })
    }
}
