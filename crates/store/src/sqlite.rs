//! The SQLite engine: one connection behind a mutex, WAL journal, prepared
//! and cached statements. Callers on an async runtime reach it from blocking
//! threads (the server uses `spawn_blocking`), so no executor thread waits on
//! the disk.

use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

mod ledger;

use crate::model::*;
use crate::{Engine, Finish, ImportAbort, ImportTx, Result, Store, StoreError};

mod arrangement;
mod erasure;
mod recipients;
mod remit;
mod restate;
mod rights;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_foundation.sql")),
    (
        2,
        include_str!("../migrations/sqlite/0002_interest_rates.sql"),
    ),
    (3, include_str!("../migrations/sqlite/0003_collection.sql")),
    (4, include_str!("../migrations/sqlite/0004_ledger.sql")),
    (
        5,
        include_str!("../migrations/sqlite/0005_ledger_balances.sql"),
    ),
    (
        6,
        include_str!("../migrations/sqlite/0006_arrangements.sql"),
    ),
    (7, include_str!("../migrations/sqlite/0007_remittance.sql")),
    (8, include_str!("../migrations/sqlite/0008_rights.sql")),
    (9, include_str!("../migrations/sqlite/0009_erasure.sql")),
    (10, include_str!("../migrations/sqlite/0010_recipients.sql")),
    (
        12,
        include_str!("../migrations/sqlite/0012_remit_scale.sql"),
    ),
    (
        13,
        include_str!("../migrations/sqlite/0013_postings_by_transfer.sql"),
    ),
    (
        14,
        include_str!("../migrations/sqlite/0014_parties_iban_partial.sql"),
    ),
    (
        15,
        include_str!("../migrations/sqlite/0015_one_balance.sql"),
    ),
    (
        16,
        include_str!("../migrations/sqlite/0016_costs_terms.sql"),
    ),
    (
        17,
        include_str!("../migrations/sqlite/0017_client_mappings.sql"),
    ),
    (
        20,
        include_str!("../migrations/sqlite/0020_consumer_sale.sql"),
    ),
    (
        21,
        include_str!("../migrations/sqlite/0021_payment_designations.sql"),
    ),
    (
        22,
        include_str!("../migrations/sqlite/0022_pending_decisions.sql"),
    ),
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode is durable against application crashes; a power
        // loss can lose the last transactions but never corrupts the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::setup(conn)
    }

    pub fn open_in_memory() -> Result<SqliteStore> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<SqliteStore> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "busy_timeout", 5000)?;
        conn.pragma_update(None, "cache_size", -32768)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Invariant("SQLite connection lock poisoned".into()))
    }
}

fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at TEXT NOT NULL
         )",
    )?;
    for (version, sql) in MIGRATIONS {
        let done: Option<i64> = conn
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_none() {
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE;\n{sql}\nINSERT INTO schema_migrations (version, applied_at) VALUES ({version}, datetime('now'));\nCOMMIT;"
            ))?;
        }
    }
    Ok(())
}

fn corrupt(table: &'static str, column: &'static str, value: &str, reason: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn date(table: &'static str, column: &'static str, s: &str) -> Result<Date> {
    kwijting_domain::parse_date(s).map_err(|e| corrupt(table, column, s, &e.to_string()))
}

fn opt_date(table: &'static str, column: &'static str, s: Option<String>) -> Result<Option<Date>> {
    s.map(|s| date(table, column, &s)).transpose()
}

fn client_role(s: &str) -> Result<ClientRole> {
    ClientRole::parse(s).ok_or_else(|| corrupt("clients", "role", s, "unknown role"))
}

fn status(s: &str) -> Result<CaseStatus> {
    CaseStatus::parse(s).ok_or_else(|| corrupt("cases", "status", s, "unknown status"))
}

fn debtor_type(s: &str) -> Result<DebtorType> {
    DebtorType::parse(s).ok_or_else(|| corrupt("cases", "debtor_type", s, "unknown debtor type"))
}

/// The columns of a party in a case file, after role and order.
pub(crate) const PARTY_COLUMNS: &str = "p.id, p.kind, p.name, p.birth_date, p.kvk_number, p.email, p.phone, p.iban, \
     i.source, p.import_line, p.street, p.postcode, p.city, p.country, p.address_valid_from";

const CASE_SUMMARY_COLUMNS: &str = "c.id, c.number, c.client_id, cl.ref, c.status, c.debtor_type, \
     c.principal_cents, c.opened_on, c.first_due_on, p.id, p.name";

fn case_summary(r: &rusqlite::Row<'_>) -> Result<CaseSummary> {
    let status_s: String = r.get(4)?;
    let type_s: String = r.get(5)?;
    let opened: String = r.get(7)?;
    let first_due: String = r.get(8)?;
    Ok(CaseSummary {
        id: CaseId(r.get(0)?),
        number: r.get(1)?,
        client_id: ClientId(r.get(2)?),
        client_ref: r.get(3)?,
        status: status(&status_s)?,
        debtor_type: debtor_type(&type_s)?,
        principal_cents: r.get(6)?,
        opened_on: date("cases", "opened_on", &opened)?,
        first_due_on: date("cases", "first_due_on", &first_due)?,
        debtor: PartySummary {
            id: PartyId(r.get(9)?),
            name: r.get(10)?,
        },
    })
}

impl Store for SqliteStore {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn insert_client(&self, c: &NewClient) -> Result<ClientRow> {
        let conn = self.conn()?;
        let res = conn.execute(
            "INSERT INTO clients (ref, name, role, privacy_contact, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.reference, c.name, c.role.as_str(), c.privacy_contact, c.created_at.to_string()],
        );
        match res {
            Ok(_) => Ok(ClientRow {
                id: ClientId(conn.last_insert_rowid()),
                reference: c.reference.clone(),
                name: c.name.clone(),
                role: c.role,
                privacy_contact: c.privacy_contact.clone(),
                settings: ClientSettingsRow::default(),
            }),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Duplicate {
                    what: "client",
                    key: c.reference.clone(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    fn clients(&self) -> Result<Vec<ClientRow>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, ref, name, role, privacy_contact, legal_action_allowed, legal_action_min_cents, review_all_legal_steps, costs_fixed_cents, costs_percent_bps, vat_not_deductible FROM clients ORDER BY ref",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let role: String = r.get(3)?;
            out.push(ClientRow {
                id: ClientId(r.get(0)?),
                reference: r.get(1)?,
                name: r.get(2)?,
                role: client_role(&role)?,
                privacy_contact: r.get(4)?,
                settings: ClientSettingsRow {
                    legal_action_allowed: r.get(5)?,
                    legal_action_min_cents: r.get(6)?,
                    review_all_legal_steps: r.get(7)?,
                    costs_fixed_cents: r.get(8)?,
                    costs_percent_bps: r.get(9)?,
                    vat_not_deductible: r.get(10)?,
                },
            });
        }
        Ok(out)
    }

    fn client_by_ref(&self, reference: &str) -> Result<Option<ClientRow>> {
        let conn = self.conn()?;
        let row = conn
            .query_row(
                "SELECT id, ref, name, role, privacy_contact, legal_action_allowed, legal_action_min_cents, review_all_legal_steps, \
                 costs_fixed_cents, costs_percent_bps, vat_not_deductible FROM clients WHERE ref = ?1",
                [reference],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        ClientSettingsRow {
                            legal_action_allowed: r.get(5)?,
                            legal_action_min_cents: r.get(6)?,
                            review_all_legal_steps: r.get(7)?,
                            costs_fixed_cents: r.get(8)?,
                            costs_percent_bps: r.get(9)?,
                            vat_not_deductible: r.get(10)?,
                        },
                    ))
                },
            )
            .optional()?;
        row.map(|(id, reference, name, role, privacy_contact, settings)| {
            Ok(ClientRow {
                id: ClientId(id),
                reference,
                name,
                role: client_role(&role)?,
                privacy_contact,
                settings,
            })
        })
        .transpose()
    }

    fn set_client_settings(&self, client: ClientId, s: &ClientSettingsRow) -> Result<()> {
        self.conn()?.execute(
            "UPDATE clients SET legal_action_allowed = ?1, legal_action_min_cents = ?2, review_all_legal_steps = ?3, \
             costs_fixed_cents = ?5, costs_percent_bps = ?6, vat_not_deductible = ?7 WHERE id = ?4",
            params![
                s.legal_action_allowed,
                s.legal_action_min_cents,
                s.review_all_legal_steps,
                client.0,
                s.costs_fixed_cents,
                s.costs_percent_bps,
                s.vat_not_deductible
            ],
        )?;
        Ok(())
    }

    fn import(
        &self,
        body: &mut dyn FnMut(&mut dyn ImportTx) -> Result<Finish, ImportAbort>,
    ) -> Result<Finish, ImportAbort> {
        let conn = self.conn()?;
        // IMMEDIATE takes the write lock now, so the ids counted below stay
        // ours until commit.
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let outcome = (|| {
            let next_party: i64 =
                conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM parties", [], |r| {
                    r.get(0)
                })?;
            let next_case: i64 =
                conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM cases", [], |r| {
                    r.get(0)
                })?;
            let rebuilt = drop_bulk_indexes(&conn, next_party - 1)?;
            let mut tx = SqliteImportTx {
                conn: &conn,
                next_party,
                next_case,
                parties: NewIds::default(),
                cases: NewIds::default(),
            };
            let finish = body(&mut tx)?;
            if finish == Finish::Commit {
                for create in rebuilt {
                    conn.execute_batch(&create)?;
                }
            }
            Ok(finish)
        })();
        match outcome {
            Ok(Finish::Commit) => {
                conn.execute_batch("COMMIT")?;
                Ok(Finish::Commit)
            }
            Ok(Finish::Rollback) => {
                conn.execute_batch("ROLLBACK")?;
                Ok(Finish::Rollback)
            }
            Err(e) => {
                conn.execute_batch("ROLLBACK")?;
                Err(e)
            }
        }
    }

    fn list_cases(&self, f: &CaseFilter) -> Result<CasePage> {
        let conn = self.conn()?;
        let (where_sql, args) = case_filter_sql(f);
        // Numbered `?n` parameters bind by their number; SQLite numbers `$n`
        // in order of appearance instead, which would misbind reordered SQL.
        let where_sql = where_sql.replace('$', "?");
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM cases c {where_sql}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let sql = format!(
            "SELECT {CASE_SUMMARY_COLUMNS} FROM cases c \
             JOIN clients cl ON cl.id = c.client_id \
             JOIN parties p ON p.id = c.debtor_party_id \
             {where_sql} ORDER BY c.id LIMIT {} OFFSET {}",
            f.limit.min(PAGE_LIMIT_MAX),
            f.offset
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
        let mut cases = Vec::new();
        while let Some(r) = rows.next()? {
            cases.push(case_summary(r)?);
        }
        Ok(CasePage {
            total: u64::try_from(total).unwrap_or(0),
            cases,
        })
    }

    fn case_by_number(&self, number: &str) -> Result<Option<CaseDetail>> {
        let Ok(number) = kwijting_domain::CaseNumber::parse(number) else {
            return Ok(None);
        };
        let id = number.case_id();
        let conn = self.conn()?;
        let head = conn
            .query_row(
                &format!(
                    "SELECT {CASE_SUMMARY_COLUMNS}, c.closed_on \
                     FROM cases c JOIN clients cl ON cl.id = c.client_id \
                     JOIN parties p ON p.id = c.debtor_party_id WHERE c.id = ?1"
                ),
                [id.0],
                |r| Ok((case_summary(r), r.get::<_, Option<String>>(11)?)),
            )
            .optional()?;
        let Some((summary, closed_on)) = head else {
            return Ok(None);
        };
        let summary = summary?;
        let mut parties = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                &format!(
                    "SELECT 'debtor', 0 AS ord, {PARTY_COLUMNS} FROM cases c JOIN parties p ON p.id = c.debtor_party_id \
                     LEFT JOIN imports i ON i.id = p.import_id WHERE c.id = ?1 \
                     UNION ALL \
                     SELECT cp.role, 1 AS ord, {PARTY_COLUMNS} FROM case_parties cp JOIN parties p ON p.id = cp.party_id \
                     LEFT JOIN imports i ON i.id = p.import_id WHERE cp.case_id = ?1 \
                     ORDER BY ord, 3"
                ),
            )?;
            let mut rows = stmt.query([summary.id.0])?;
            while let Some(r) = rows.next()? {
                let role_s: String = r.get(0)?;
                parties.push(CasePartyRow {
                    role: PartyRole::parse(&role_s)
                        .ok_or_else(|| corrupt("case_parties", "role", &role_s, "unknown role"))?,
                    party: party_row(r)?,
                });
            }
        }
        let mut claims = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, invoice_number, invoice_date, due_date, principal_cents, description, agreement_ref, consumer_sale \
                 FROM claims WHERE case_id = ?1 ORDER BY due_date, id",
            )?;
            let mut rows = stmt.query([summary.id.0])?;
            while let Some(r) = rows.next()? {
                let inv: String = r.get(2)?;
                let due: String = r.get(3)?;
                claims.push(ClaimRow {
                    id: ClaimId(r.get(0)?),
                    invoice_number: r.get(1)?,
                    invoice_date: date("claims", "invoice_date", &inv)?,
                    due_date: date("claims", "due_date", &due)?,
                    principal_cents: r.get(4)?,
                    description: r.get(5)?,
                    agreement_ref: r.get(6)?,
                    consumer_sale: r.get::<_, i64>(7)? != 0,
                });
            }
        }
        let (_, payment_reference, rf_reference) = case_references(summary.id)?;
        Ok(Some(CaseDetail {
            summary,
            payment_reference,
            rf_reference,
            closed_on: opt_date("cases", "closed_on", closed_on)?,
            parties,
            claims,
        }))
    }

    fn idempotency_get(&self, key: &str, scope: &str) -> Result<Option<IdempotentResponse>> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT request_hash, status, response FROM idempotency_keys WHERE key = ?1 AND scope = ?2",
                [key, scope],
                |r| {
                    Ok(IdempotentResponse {
                        request_hash: r.get(0)?,
                        status: u16::try_from(r.get::<_, i64>(1)?).unwrap_or(500),
                        body: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn idempotency_put(
        &self,
        key: &str,
        scope: &str,
        response: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<bool> {
        let conn = self.conn()?;
        let n = conn.execute(
            "INSERT INTO idempotency_keys (key, scope, request_hash, status, response, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key) DO NOTHING",
            params![
                key,
                scope,
                response.request_hash,
                i64::from(response.status),
                response.body,
                at.to_string()
            ],
        )?;
        Ok(n == 1)
    }

    fn add_rate_line(
        &self,
        kind: RateLineKind,
        line: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<()> {
        self.conn()?.execute(
            "INSERT INTO interest_rate_lines (kind, line, actor, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![kind.as_str(), line, actor, at.to_string()],
        )?;
        Ok(())
    }

    fn rate_lines(&self) -> Result<Vec<RateLineRow>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT kind, line, actor, added_at FROM interest_rate_lines ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            let at: String = r.get(3)?;
            out.push(RateLineRow {
                kind: RateLineKind::parse(&kind)
                    .ok_or_else(|| corrupt("interest_rate_lines", "kind", &kind, "unknown kind"))?,
                line: r.get(1)?,
                actor: r.get(2)?,
                added_at: at.parse().map_err(|_| {
                    corrupt("interest_rate_lines", "added_at", &at, "not an instant")
                })?,
            });
        }
        Ok(out)
    }

    fn plan_run(&self, run_date: Date, cases_per_chunk: usize) -> Result<u64> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let day = run_date.to_string();
            let planned: i64 = c.query_row(
                "SELECT COUNT(*) FROM daily_run_chunks WHERE run_date = ?1",
                [&day],
                |r| r.get(0),
            )?;
            if planned > 0 {
                c.execute(&RETRY_FAILED_SQL.replace('$', "?"), [&day])?;
                return Ok(0);
            }
            let mut ids =
                c.prepare("SELECT id FROM cases WHERE status NOT LIKE 'closed%' ORDER BY id")?;
            let mut rows = ids.query([])?;
            let mut insert = c.prepare(
                "INSERT INTO daily_run_chunks (run_date, first_case_id, last_case_id, state) VALUES (?1, ?2, ?3, 'todo')",
            )?;
            let (mut first, mut last, mut n, mut chunks) = (0i64, 0i64, 0usize, 0u64);
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if n == 0 {
                    first = id;
                }
                last = id;
                n += 1;
                if n == cases_per_chunk.max(1) {
                    insert.execute(params![day, first, last])?;
                    chunks += 1;
                    n = 0;
                }
            }
            if n > 0 {
                insert.execute(params![day, first, last])?;
                chunks += 1;
            }
            Ok(chunks)
        })
    }

    fn run_cases(&self, first: CaseId, last: CaseId) -> Result<Vec<RunCase>> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let mut cases = load_run_cases(c, first.0, last.0)?;
            attach_holds(c, first.0, last.0, &mut cases)?;
            attach_statement_inputs(c, first.0, last.0, &mut cases)?;
            Ok(cases)
        })
    }

    fn run_chunk(
        &self,
        run_date: Date,
        decide: &(dyn Fn(&[RunCase]) -> ChunkWork + Sync),
    ) -> Result<Option<ChunkDone>> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let day = run_date.to_string();
            let chunk: Option<(i64, i64, String)> = c
                .query_row(
                    "SELECT first_case_id, last_case_id, state FROM daily_run_chunks \
                     WHERE run_date = ?1 AND state IN ('todo', 'retry') ORDER BY first_case_id LIMIT 1",
                    [&day],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((first, last, state)) = chunk else {
                return Ok(None);
            };
            let retry = state == "retry";
            let mut cases = load_run_cases(c, first, last)?;
            if retry {
                // Only the cases that failed: the others were decided.
                let mut st = c.prepare_cached(
                    "DELETE FROM daily_run_errors WHERE run_date = ?1 AND case_id BETWEEN ?2 AND ?3 RETURNING case_id",
                )?;
                let mut failed: Vec<i64> = st
                    .query_map(params![day, first, last], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?;
                failed.sort_unstable();
                cases.retain(|x| failed.binary_search(&x.id.0).is_ok());
            }
            attach_holds(c, first, last, &mut cases)?;
            attach_statement_inputs(c, first, last, &mut cases)?;
            let work = decide(&cases);
            let mut decisions = 0u64;
            {
                let mut insert = c.prepare_cached(
                    "INSERT INTO decisions (case_id, run_date, strategy_id, strategy_version, rule, action, inputs, needs_review, review_state) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (case_id, run_date) DO NOTHING",
                )?;
                let mut item = c.prepare_cached(
                    "INSERT INTO work_items (decision_id, case_id, kind, due_at, state) VALUES (?1, ?2, ?3, ?4, 'queued')",
                )?;
                for d in &work.decisions {
                    // A decision already made for the case and day stays
                    // (no row changed): nothing more to write for it.
                    let written = insert.execute(params![
                        d.case.0,
                        day,
                        d.strategy_id,
                        d.strategy_version,
                        d.rule,
                        d.action,
                        d.inputs,
                        d.needs_review,
                        if d.needs_review {
                            "pending"
                        } else {
                            "automatic"
                        },
                    ])?;
                    if written == 0 {
                        continue;
                    }
                    let id = c.last_insert_rowid();
                    decisions += 1;
                    if let Some((kind, at)) = &d.work {
                        item.execute(params![id, d.case.0, kind, at.to_string()])?;
                    }
                }
            }
            {
                let mut update = c.prepare_cached(
                    "UPDATE cases SET strategy_id = ?1, strategy_version = ?2, strategy_variant = ?3, steps_taken = ?4, \
                     last_step = ?5, last_step_on = ?6, demand_letter_sent_on = ?7, status = ?8, last_demand_on = ?10, \
                     costs_demanded_on = ?11, \
                     closed_on = CASE WHEN ?8 LIKE 'closed%' THEN COALESCE(closed_on, ?12) ELSE NULL END WHERE id = ?9",
                )?;
                for p in &work.progress {
                    update.execute(params![
                        p.strategy.0,
                        p.strategy.1,
                        p.strategy.2,
                        p.steps_taken,
                        p.last_step,
                        p.last_step_on.map(|d| d.to_string()),
                        p.demand_letter_sent_on.map(|d| d.to_string()),
                        p.status.as_str(),
                        p.case.0,
                        p.last_demand_on.map(|d| d.to_string()),
                        p.costs_demanded_on.map(|d| d.to_string()),
                        day,
                    ])?;
                }
            }
            {
                let mut failed = c.prepare_cached(
                    "INSERT INTO daily_run_errors (run_date, case_id, message) VALUES (?1, ?2, ?3)",
                )?;
                for (case, message) in &work.failed {
                    failed.execute(params![day, case.0, message])?;
                }
            }
            // A retry saw its cases already; its held cases add, its errors
            // are what is left.
            c.execute(
                "UPDATE daily_run_chunks SET state = 'done', \
                 cases_seen = CASE WHEN ?6 THEN cases_seen ELSE ?1 END, \
                 held = CASE WHEN ?6 THEN held + ?2 ELSE ?2 END, errors = ?3 \
                 WHERE run_date = ?4 AND first_case_id = ?5",
                params![
                    cases.len() as i64,
                    work.held as i64,
                    work.failed.len() as i64,
                    day,
                    first,
                    retry
                ],
            )?;
            Ok(Some(ChunkDone {
                cases_seen: cases.len() as u64,
                decisions,
            }))
        })
    }

    fn run_totals(&self, run_date: Date) -> Result<RunTotals> {
        let conn = self.conn()?;
        let day = run_date.to_string();
        let mut totals = RunTotals::default();
        {
            let mut st = conn.prepare_cached(
                "SELECT action, COUNT(*) FROM decisions WHERE run_date = ?1 GROUP BY action ORDER BY action",
            )?;
            let mut rows = st.query([&day])?;
            while let Some(r) = rows.next()? {
                let n: i64 = r.get(1)?;
                totals.decisions += n as u64;
                totals.by_action.push((r.get(0)?, n as u64));
            }
        }
        let pending: i64 = conn.query_row(
            "SELECT COUNT(*) FROM decisions WHERE review_state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        totals.review_queue = pending as u64;
        let (done, todo, seen, held, errors): (i64, i64, i64, i64, i64) = conn.query_row(
            "SELECT COALESCE(SUM(state = 'done'), 0), COALESCE(SUM(state IN ('todo', 'retry')), 0), COALESCE(SUM(cases_seen), 0), \
             COALESCE(SUM(held), 0), COALESCE(SUM(errors), 0) FROM daily_run_chunks WHERE run_date = ?1",
            [&day],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        totals.chunks_done = done as u64;
        totals.chunks_todo = todo as u64;
        totals.cases_seen = seen as u64;
        totals.held = held as u64;
        totals.errors = errors as u64;
        Ok(totals)
    }

    fn decisions_for_case(&self, case: CaseId) -> Result<Vec<DecisionRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE case_id = ?1 ORDER BY run_date DESC, id DESC"
        ))?;
        let mut rows = st.query([case.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(decision_row(r)?);
        }
        Ok(out)
    }

    fn review_queue(&self, limit: u32) -> Result<Vec<DecisionRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE review_state = 'pending' ORDER BY run_date, id LIMIT ?1"
        ))?;
        let mut rows = st.query([limit.min(PAGE_LIMIT_MAX)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(decision_row(r)?);
        }
        Ok(out)
    }

    fn review_decision(
        &self,
        decision: i64,
        approve: bool,
        reviewer: &str,
        at: Timestamp,
        on: Date,
        due: Timestamp,
    ) -> Result<bool> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let row: Option<(i64, String, String)> = c
                .query_row(
                    "UPDATE decisions SET review_state = ?1, reviewed_by = ?2, reviewed_at = ?3 \
                     WHERE id = ?4 AND review_state = 'pending' RETURNING case_id, action, rule",
                    params![
                        if approve { "approved" } else { "rejected" },
                        reviewer,
                        at.to_string(),
                        decision
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((case, action, rule)) = row else {
                return Ok(false);
            };
            let legal = approve && action.starts_with("propose_legal_action");
            let (demand, letter) = written_demand(approve, &action);
            let costs = approve && demands_costs(&action);
            c.execute(
                "UPDATE cases SET steps_taken = steps_taken + 1, last_step = ?1, last_step_on = ?2, \
                 status = CASE WHEN ?3 THEN 'legal' ELSE status END, \
                 last_demand_on = CASE WHEN ?5 THEN ?2 ELSE last_demand_on END, \
                 demand_letter_sent_on = CASE WHEN ?6 THEN ?2 ELSE demand_letter_sent_on END, \
                 costs_demanded_on = CASE WHEN ?7 THEN COALESCE(costs_demanded_on, ?2) ELSE costs_demanded_on END WHERE id = ?4",
                params![rule, on.to_string(), legal, case, demand, letter, costs],
            )?;
            if approve {
                c.execute(
                    "INSERT INTO work_items (decision_id, case_id, kind, due_at, state) VALUES (?1, ?2, ?3, ?4, 'queued')",
                    params![decision, case, action, due.to_string()],
                )?;
            }
            Ok(true)
        })
    }

    fn place_hold(
        &self,
        case: CaseId,
        kind: &str,
        reason: &str,
        on: Date,
        by: &str,
    ) -> Result<i64> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![case.0, kind, reason, on.to_string(), by],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn lift_hold(&self, case: CaseId, kind: &str, on: Date) -> Result<u64> {
        let n = self.conn()?.execute(
            "UPDATE holds SET lifted_on = ?1 WHERE case_id = ?2 AND kind = ?3 AND lifted_on IS NULL",
            params![on.to_string(), case.0, kind],
        )?;
        Ok(n as u64)
    }

    fn holds_for_case(&self, case: CaseId) -> Result<Vec<HoldRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT id, case_id, kind, reason, placed_on, lifted_on, placed_by FROM holds WHERE case_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([case.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let placed: String = r.get(4)?;
            out.push(HoldRow {
                id: r.get(0)?,
                case: CaseId(r.get(1)?),
                kind: r.get(2)?,
                reason: r.get(3)?,
                placed_on: date("holds", "placed_on", &placed)?,
                lifted_on: opt_date("holds", "lifted_on", r.get(5)?)?,
                placed_by: r.get(6)?,
            });
        }
        Ok(out)
    }

    fn add_strategy(
        &self,
        id: &str,
        version: i64,
        definition: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let n = self.conn()?.execute(
            "INSERT INTO strategies (id, version, definition, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![id, version, definition, at.to_string()],
        )?;
        Ok(n == 1)
    }

    fn strategies(&self) -> Result<Vec<(String, i64, String)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT s.id, s.version, s.definition FROM strategies s \
             WHERE s.version = (SELECT MAX(version) FROM strategies t WHERE t.id = s.id) ORDER BY s.id",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn strategy(&self, id: &str, version: i64) -> Result<Option<String>> {
        Ok(self
            .conn()?
            .query_row(
                "SELECT definition FROM strategies WHERE id = ?1 AND version = ?2",
                params![id, version],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn party(&self, id: PartyId) -> Result<Option<PartyRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT '', 0, {PARTY_COLUMNS} FROM parties p LEFT JOIN imports i ON i.id = p.import_id WHERE p.id = ?1"
        ))?;
        let mut rows = st.query([id.0])?;
        match rows.next()? {
            Some(r) => Ok(Some(party_row(r)?)),
            None => Ok(None),
        }
    }

    fn queued_work(&self, kind: &str, limit: u32) -> Result<Vec<WorkItem>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT w.id, w.case_id, w.kind, p.id, p.name, p.birth_date, p.postcode, p.country \
             FROM work_items w JOIN cases c ON c.id = w.case_id JOIN parties p ON p.id = c.debtor_party_id \
             WHERE w.kind = ?1 AND w.state = 'queued' ORDER BY w.id LIMIT ?2",
        )?;
        let mut rows = st.query(params![kind, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(WorkItem {
                id: r.get(0)?,
                case: CaseId(r.get(1)?),
                kind: r.get(2)?,
                party: PartyId(r.get(3)?),
                name: r.get(4)?,
                birth_date: opt_date("parties", "birth_date", r.get(5)?)?,
                postcode: r.get(6)?,
                country: r.get(7)?,
            });
        }
        Ok(out)
    }

    fn record_provider_work(&self, done: &[(i64, ProviderResult, Disclosure)]) -> Result<()> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let mut result = c.prepare_cached(
                "INSERT INTO provider_results (party_id, kind, result, provider, obtained_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut address =
                c.prepare_cached("UPDATE parties SET address_status = ?1 WHERE id = ?2")?;
            let mut credit =
                c.prepare_cached("UPDATE parties SET credit_band = ?1 WHERE id = ?2")?;
            let mut item =
                c.prepare_cached("UPDATE work_items SET state = 'done' WHERE id = ?1")?;
            for (id, r, d) in done {
                insert_disclosure(c, d)?;
                result.execute(params![
                    r.party.0,
                    r.kind,
                    r.result,
                    r.provider,
                    r.obtained_on.to_string()
                ])?;
                if r.kind == "address" {
                    address.execute(params![r.result, r.party.0])?;
                } else {
                    credit.execute(params![r.result, r.party.0])?;
                }
                item.execute([id])?;
            }
            Ok(())
        })
    }

    fn set_work_state(&self, items: &[i64], state: &str) -> Result<()> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let mut st = c.prepare_cached("UPDATE work_items SET state = ?1 WHERE id = ?2")?;
            for id in items {
                st.execute(params![state, id])?;
            }
            Ok(())
        })
    }

    fn record_disclosure(&self, d: &Disclosure) -> Result<()> {
        insert_disclosure(&*self.conn()?, d)
    }

    fn disclosures_for_party(&self, party: PartyId) -> Result<Vec<Disclosure>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT party_id, recipient, categories, purpose, legal_basis, country, safeguard, disclosed_on, actor, reason, \
             recipient_id, recipient_name, safeguard_ref FROM disclosures WHERE party_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([party.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let on: String = r.get(7)?;
            out.push(Disclosure {
                party: PartyId(r.get(0)?),
                recipient: r.get(1)?,
                categories: r.get(2)?,
                purpose: r.get(3)?,
                legal_basis: r.get(4)?,
                country: r.get(5)?,
                safeguard: r.get(6)?,
                disclosed_on: date("disclosures", "disclosed_on", &on)?,
                actor: r.get(8)?,
                refused: r.get(9)?,
                recipient_id: r.get(10)?,
                recipient_name: r.get(11)?,
                safeguard_ref: r.get(12)?,
            });
        }
        Ok(out)
    }

    fn provider_results_for_party(&self, party: PartyId) -> Result<Vec<ProviderResult>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT party_id, kind, result, provider, obtained_on FROM provider_results WHERE party_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([party.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let on: String = r.get(4)?;
            out.push(ProviderResult {
                party: PartyId(r.get(0)?),
                kind: r.get(1)?,
                result: r.get(2)?,
                provider: r.get(3)?,
                obtained_on: date("provider_results", "obtained_on", &on)?,
            });
        }
        Ok(out)
    }

    fn known_bank_entries(&self, keys: &[String]) -> Result<std::collections::HashSet<String>> {
        let conn = self.conn()?;
        conn.execute_batch("BEGIN")?;
        let read = (|| {
            let mut st = conn.prepare_cached("SELECT 1 FROM bank_entries WHERE key = ?1")?;
            let mut out = std::collections::HashSet::new();
            for k in keys {
                if st.exists([k])? {
                    out.insert(k.clone());
                }
            }
            Ok(out)
        })();
        conn.execute_batch("COMMIT")?;
        read
    }

    fn ledger_transfers(&self) -> Result<Vec<StoredTransfer>> {
        let conn = self.conn()?;
        let mut out: Vec<StoredTransfer> = Vec::new();
        let mut ids: Vec<i64> = Vec::new();
        {
            let mut st = conn.prepare(
                "SELECT id, key, kind, source_kind, source_ref, reverses, parent, booked_on FROM ledger_transfers ORDER BY id",
            )?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let on: String = r.get(7)?;
                ids.push(r.get(0)?);
                out.push(StoredTransfer {
                    key: r.get(1)?,
                    kind: r.get(2)?,
                    source_kind: r.get(3)?,
                    source_ref: r.get(4)?,
                    reverses: r.get(5)?,
                    parent: r.get(6)?,
                    booked_on: date("ledger_transfers", "booked_on", &on)?,
                    postings: Vec::new(),
                });
            }
        }
        let mut st = conn.prepare("SELECT transfer_id, account, amount_cents FROM ledger_postings ORDER BY transfer_id, seq")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let tid: i64 = r.get(0)?;
            if let Ok(i) = ids.binary_search(&tid) {
                out[i].postings.push(StoredPosting {
                    account: r.get(1)?,
                    amount_cents: r.get(2)?,
                });
            }
        }
        Ok(out)
    }

    fn unmatched_entries(&self, limit: u32) -> Result<(u64, Vec<BankEntry>)> {
        let conn = self.conn()?;
        let total: i64 = conn.query_row(
            "SELECT COUNT(*) FROM bank_entries WHERE match_state IN ('unmatched', 'unmatched_return', 'unmatched_debit')",
            [],
            |r| r.get(0),
        )?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {} FROM bank_entries \
             WHERE match_state IN ('unmatched', 'unmatched_return', 'unmatched_debit') ORDER BY id LIMIT ?1",
            crate::ledger::ENTRY_COLUMNS
        ))?;
        let mut rows = st.query([limit.min(PAGE_LIMIT_MAX)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(ledger::entry(r)?);
        }
        Ok((total as u64, out))
    }

    fn case_states(
        &self,
        cases: &[CaseId],
    ) -> Result<std::collections::HashMap<CaseId, (bool, i64, ClientId)>> {
        let conn = self.conn()?;
        // One read transaction: one lock for all the point reads.
        conn.execute_batch("BEGIN")?;
        let read = (|| {
            let mut st = conn.prepare_cached(
                "SELECT status, principal_cents, client_id FROM cases WHERE id = ?1",
            )?;
            let mut out = std::collections::HashMap::with_capacity(cases.len());
            for c in cases {
                let row: Option<(String, i64, i64)> = st
                    .query_row([c.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                if let Some((s, p, client)) = row {
                    out.insert(*c, (!s.starts_with("closed"), p, ClientId(client)));
                }
            }
            Ok(out)
        })();
        conn.execute_batch("COMMIT")?;
        read
    }

    fn case_state(&self, case: CaseId) -> Result<Option<(bool, i64, ClientId)>> {
        let conn = self.conn()?;
        let row: Option<(String, i64, i64)> = conn
            .query_row(
                "SELECT status, principal_cents, client_id FROM cases WHERE id = ?1",
                [case.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(row.map(|(s, p, c)| (!s.starts_with("closed"), p, ClientId(c))))
    }

    fn open_cases_by_debtor_iban(&self, iban: &str) -> Result<Vec<CaseId>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT c.id FROM parties p JOIN cases c ON c.debtor_party_id = p.id \
             WHERE p.iban = ?1 AND c.status NOT LIKE 'closed%' ORDER BY c.id",
        )?;
        let rows = st.query_map([iban], |r| Ok(CaseId(r.get(0)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn()?;
        let tables: Vec<String> = {
            let mut stmt = conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<std::result::Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let n: i64 =
                conn.query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0))?;
            out.push((t, n));
        }
        Ok(out)
    }
}

/// The WHERE clause of a case listing, with numbered `$n` parameters (the
/// SQLite engine renumbers them `?n`), and its arguments.
pub(crate) fn case_filter_sql(f: &CaseFilter) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(c) = f.client {
        // Ids are integers from our own types: inlining them cannot inject.
        clauses.push(format!("c.client_id = {}", c.0));
    }
    if let Some(within) = &f.within {
        if within.is_empty() {
            clauses.push("1 = 0".to_owned());
        } else {
            let ids: Vec<String> = within.iter().map(|c| c.0.to_string()).collect();
            clauses.push(format!("c.client_id IN ({})", ids.join(", ")));
        }
    }
    if let Some(s) = f.status {
        args.push(s.as_str().to_owned());
        clauses.push(format!("c.status = ${}", args.len()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

struct SqliteImportTx<'c> {
    conn: &'c Connection,
    next_party: i64,
    next_case: i64,
    parties: NewIds,
    cases: NewIds,
}

fn known_debtor(r: &rusqlite::Row<'_>) -> Result<KnownDebtor> {
    let key: Vec<u8> = r.get(0)?;
    let key: DebtorKey = key
        .as_slice()
        .try_into()
        .map_err(|_| corrupt("parties", "debtor_key", &format!("{key:?}"), "not 16 bytes"))?;
    let case: Option<i64> = r.get(2)?;
    let ty: Option<String> = r.get(3)?;
    let open_case = match (case, ty) {
        (Some(c), Some(t)) => Some((CaseId(c), debtor_type(&t)?)),
        _ => None,
    };
    Ok(KnownDebtor {
        key,
        party: PartyId(r.get(1)?),
        open_case,
    })
}

const KNOWN_DEBTOR_SQL: &str = "SELECT p.debtor_key, p.id, \
        (SELECT MAX(c.id) FROM cases c WHERE c.debtor_party_id = p.id AND c.status NOT LIKE 'closed%'), \
        (SELECT c.debtor_type FROM cases c WHERE c.debtor_party_id = p.id AND c.status NOT LIKE 'closed%' ORDER BY c.id DESC LIMIT 1) \
     FROM parties p WHERE p.client_id = ?1 AND p.debtor_key IS NOT NULL";

impl ImportTx for SqliteImportTx<'_> {
    fn known_debtors(&mut self, client: ClientId) -> Result<Vec<KnownDebtor>> {
        let mut stmt = self.conn.prepare_cached(KNOWN_DEBTOR_SQL)?;
        let mut rows = stmt.query([client.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(known_debtor(r)?);
        }
        Ok(out)
    }

    fn known_claims(&mut self, client: ClientId) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT invoice_number, fingerprint FROM claims WHERE client_id = ?1",
        )?;
        let rows = stmt.query_map([client.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn find_debtor(&mut self, client: ClientId, key: &DebtorKey) -> Result<Option<KnownDebtor>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{KNOWN_DEBTOR_SQL} AND p.debtor_key = ?2"))?;
        let mut rows = stmt.query(params![client.0, &key[..]])?;
        match rows.next()? {
            Some(r) => Ok(Some(known_debtor(r)?)),
            None => Ok(None),
        }
    }

    fn find_claim(&mut self, client: ClientId, invoice_number: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT fingerprint FROM claims WHERE client_id = ?1 AND invoice_number = ?2",
            )?
            .query_row(params![client.0, invoice_number], |r| r.get(0))
            .optional()?)
    }

    fn open_import(&mut self, i: &NewImport) -> Result<ImportId> {
        self.conn.execute(
            "INSERT INTO imports (client_id, source, lines, claims_added, claims_known, cases_added, actor, created_at) \
             VALUES (?1, ?2, 0, 0, 0, 0, ?3, ?4)",
            params![i.client.0, i.source, i.actor, i.created_at.to_string()],
        )?;
        Ok(ImportId(self.conn.last_insert_rowid()))
    }

    fn close_import(&mut self, import: ImportId, c: &ImportCounts) -> Result<()> {
        self.conn.execute(
            "UPDATE imports SET lines = ?1, claims_added = ?2, claims_known = ?3, cases_added = ?4 WHERE id = ?5",
            params![c.lines, c.claims_added, c.claims_known, c.cases_added, import.0],
        )?;
        Ok(())
    }

    fn write_chunk(&mut self, chunk: &ImportChunk) -> Result<ChunkIds> {
        let valid_from = chunk.valid_from.to_string();
        let import = chunk.import.0;
        let mut ids = ChunkIds {
            parties: Vec::with_capacity(chunk.parties.len()),
            cases: Vec::with_capacity(chunk.cases.len()),
        };
        let mut date_buf = String::with_capacity(10);
        {
            let mut party = self.conn.prepare_cached(
                "INSERT INTO parties (id, client_id, kind, debtor_ref, debtor_key, name, birth_date, kvk_number, email, phone, iban, \
                 street, postcode, city, country, address_valid_from, import_id, import_line) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )?;
            for p in &chunk.parties {
                let id = self.next_party;
                self.next_party += 1;
                let birth = p.birth_date.map(|d| {
                    date_buf.clear();
                    let _ = write!(date_buf, "{d}");
                    date_buf.as_str()
                });
                party.execute(params![
                    id,
                    chunk.client.0,
                    p.kind.as_str(),
                    p.debtor_ref,
                    p.debtor_key.as_ref().map(|k| &k[..]),
                    p.name,
                    birth,
                    p.kvk_number,
                    p.email,
                    p.phone,
                    p.iban,
                    p.address.street,
                    p.address.postcode,
                    p.address.city,
                    p.address.country,
                    valid_from,
                    import,
                    p.line as i64,
                ])?;
                self.parties.push(id);
                ids.parties.push(PartyId(id));
            }
        }
        {
            let mut case = self.conn.prepare_cached(
                "INSERT INTO cases (id, number, client_id, debtor_party_id, debtor_type, status, opened_on, principal_cents, import_id, first_due_on) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'intake', ?6, ?7, ?8, ?9)",
            )?;
            for c in &chunk.cases {
                let id = CaseId(self.next_case);
                self.next_case += 1;
                let number = case_number(id)?;
                let debtor = self.parties.resolve(c.debtor)?;
                date_buf.clear();
                let _ = write!(date_buf, "{}", c.opened_on);
                case.execute(params![
                    id.0,
                    number,
                    chunk.client.0,
                    debtor,
                    c.debtor_type.as_str(),
                    date_buf,
                    c.principal_cents,
                    import,
                    c.first_due_on.to_string(),
                ])?;
                self.cases.push(id.0);
                ids.cases.push(id);
            }
        }
        {
            let mut link = self.conn.prepare_cached(
                "INSERT INTO case_parties (case_id, party_id, role) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?;
            for l in &chunk.case_parties {
                link.execute(params![
                    self.cases.resolve(l.case)?,
                    self.parties.resolve(l.party)?,
                    l.role.as_str()
                ])?;
            }
        }
        {
            let mut claim = self.conn.prepare_cached(
                "INSERT INTO claims (case_id, client_id, invoice_number, invoice_date, due_date, principal_cents, description, agreement_ref, fingerprint, import_id, import_line, consumer_sale) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut due_buf = String::with_capacity(10);
            for c in &chunk.claims {
                date_buf.clear();
                let _ = write!(date_buf, "{}", c.invoice_date);
                due_buf.clear();
                let _ = write!(due_buf, "{}", c.due_date);
                claim.execute(params![
                    self.cases.resolve(c.case)?,
                    chunk.client.0,
                    c.invoice_number,
                    date_buf,
                    due_buf,
                    c.principal_cents,
                    c.description,
                    c.agreement_ref,
                    c.fingerprint,
                    import,
                    c.line as i64,
                    c.consumer_sale,
                ])?;
            }
        }
        Ok(ids)
    }

    fn add_to_case_totals(
        &mut self,
        case: Ref<CaseId>,
        principal_cents: i64,
        due_on: Date,
    ) -> Result<()> {
        let id = self.cases.resolve(case)?;
        self.conn
            .prepare_cached(
                "UPDATE cases SET principal_cents = principal_cents + ?1, \
                 first_due_on = min(first_due_on, ?3) WHERE id = ?2",
            )?
            .execute(params![principal_cents, id, due_on.to_string()])?;
        Ok(())
    }

    fn execute_plain(&mut self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql)?;
        Ok(())
    }
}

/// Writes ledger transfers with their postings (inside the caller's
/// transaction).
fn insert_transfers(c: &Connection, transfers: &[StoredTransfer]) -> Result<()> {
    ledger::write_transfers(c, transfers)
}

/// Runs `f` in an IMMEDIATE transaction (the write lock taken at once, so
/// what `f` reads stays true until it commits).
/// Indexes an import writes but never reads, at random places: while the
/// table is small, dropping them for the import and building them once at
/// its end (a sort) costs less than keeping them row by row. The IBAN index
/// (statement matching) cost the 1,000,000-claim import 2 of its 11 s.
const BULK_INDEXES: &[&str] = &["parties_iban"];
/// Parties already stored up to which [`BULK_INDEXES`] are rebuilt; above,
/// an import is small next to the table and keeps them row by row.
const BULK_REBUILD_PARTIES_MAX: i64 = 100_000;

/// Drops [`BULK_INDEXES`] in the import's transaction when the parties
/// table is small, returning the statements that build them again (a
/// rollback restores them by itself).
fn drop_bulk_indexes(conn: &Connection, parties: i64) -> Result<Vec<String>> {
    if parties > BULK_REBUILD_PARTIES_MAX {
        return Ok(Vec::new());
    }
    let mut rebuild = Vec::new();
    for name in BULK_INDEXES {
        let create: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(create) = create {
            conn.execute_batch(&format!("DROP INDEX {name}"))?;
            rebuild.push(create);
        }
    }
    Ok(rebuild)
}

fn in_tx<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(v) => {
            conn.execute_batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

const RUN_CASE_COLUMNS: &str = "c.id, c.number, c.client_id, c.debtor_type, c.status, c.principal_cents, c.costs_demanded_on, \
     c.opened_on, c.first_due_on, c.strategy_id, c.strategy_version, c.strategy_variant, c.steps_taken, c.last_step, \
     c.last_step_on, c.demand_letter_sent_on, c.judgment_on, p.email IS NOT NULL, p.phone IS NOT NULL, \
     p.address_status, p.credit_band, c.last_demand_on";

fn load_run_cases(c: &Connection, first: i64, last: i64) -> Result<Vec<RunCase>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {RUN_CASE_COLUMNS} FROM cases c JOIN parties p ON p.id = c.debtor_party_id \
         WHERE c.id BETWEEN ?1 AND ?2 AND c.status NOT LIKE 'closed%' ORDER BY c.id"
    ))?;
    let mut rows = st.query(params![first, last])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let ty: String = r.get(3)?;
        let st_s: String = r.get(4)?;
        let opened: String = r.get(7)?;
        let due: String = r.get(8)?;
        let sid: Option<String> = r.get(9)?;
        let sver: Option<i64> = r.get(10)?;
        let svar: Option<String> = r.get(11)?;
        out.push(RunCase {
            id: CaseId(r.get(0)?),
            number: r.get(1)?,
            client_id: ClientId(r.get(2)?),
            debtor_type: debtor_type(&ty)?,
            status: status(&st_s)?,
            principal_cents: r.get(5)?,
            costs_demanded_on: opt_date("cases", "costs_demanded_on", r.get(6)?)?,
            opened_on: date("cases", "opened_on", &opened)?,
            first_due_on: date("cases", "first_due_on", &due)?,
            strategy: match (sid, sver, svar) {
                (Some(i), Some(v), Some(w)) => Some((i, v, w)),
                _ => None,
            },
            steps_taken: r.get(12)?,
            last_step: r.get(13)?,
            last_step_on: opt_date("cases", "last_step_on", r.get(14)?)?,
            demand_letter_sent_on: opt_date("cases", "demand_letter_sent_on", r.get(15)?)?,
            judgment_on: opt_date("cases", "judgment_on", r.get(16)?)?,
            email_known: r.get(17)?,
            phone_known: r.get(18)?,
            address_status: r.get(19)?,
            credit_band: r.get(20)?,
            last_demand_on: opt_date("cases", "last_demand_on", r.get(21)?)?,
            claims: Vec::new(),
            payments: Vec::new(),
            holds: Vec::new(),
            review_pending: false,
        });
    }
    Ok(out)
}

/// Adds the claims and the payments on the ledger to the chunk's cases:
/// the inputs of their statements of account.
fn attach_statement_inputs(
    c: &Connection,
    first: i64,
    last: i64,
    cases: &mut [RunCase],
) -> Result<()> {
    let mut st = c.prepare_cached(&CHUNK_CLAIMS_SQL.replace('$', "?"))?;
    let mut rows = st.query(params![first, last])?;
    while let Some(r) = rows.next()? {
        let due: String = r.get(3)?;
        attach_claim(
            cases,
            CaseId(r.get(0)?),
            crate::LawClaim {
                id: ClaimId(r.get(1)?),
                principal_cents: r.get(2)?,
                due_on: date("claims", "due_date", &due)?,
                consumer_sale: r.get::<_, i64>(4)? != 0,
            },
        );
    }
    let mut st = c.prepare_cached(&CHUNK_PAYMENTS_SQL.replace('$', "?"))?;
    let mut rows = st.query(params![first, last])?;
    let mut transfers = Vec::new();
    while let Some(r) = rows.next()? {
        let on: String = r.get(2)?;
        let kind: String = r.get(4)?;
        transfers.push(ChunkTransfer {
            case: CaseId(r.get(0)?),
            key: r.get(1)?,
            booked_on: date("ledger_transfers", "booked_on", &on)?,
            reverses: r.get(3)?,
            allocation: kind == "allocation",
            suspense_cents: r.get(5)?,
            designated: r.get::<_, Option<i64>>(6)?.map(ClaimId),
        });
    }
    attach_payments(cases, transfers);
    Ok(())
}

/// Adds the holds in force and pending reviews to the chunk's cases.
fn attach_holds(c: &Connection, first: i64, last: i64, cases: &mut [RunCase]) -> Result<()> {
    let mut st = c.prepare_cached(&CHUNK_HOLDS_SQL.replace('$', "?"))?;
    let mut rows = st.query(params![first, last])?;
    while let Some(r) = rows.next()? {
        attach_hold(cases, CaseId(r.get(0)?), r.get(1)?);
    }
    Ok(())
}

const DECISION_COLUMNS: &str = "id, case_id, run_date, strategy_id, strategy_version, rule, action, inputs, needs_review, review_state, reviewed_by";

fn decision_row(r: &rusqlite::Row<'_>) -> Result<DecisionRow> {
    let day: String = r.get(2)?;
    Ok(DecisionRow {
        id: r.get(0)?,
        case: CaseId(r.get(1)?),
        run_date: date("decisions", "run_date", &day)?,
        strategy_id: r.get(3)?,
        strategy_version: r.get(4)?,
        rule: r.get(5)?,
        action: r.get(6)?,
        inputs: r.get(7)?,
        needs_review: r.get(8)?,
        review_state: r.get(9)?,
        reviewed_by: r.get(10)?,
    })
}

fn insert_disclosure(c: &Connection, d: &Disclosure) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO disclosures (party_id, recipient, categories, purpose, legal_basis, country, safeguard, disclosed_on, actor, outcome, reason, \
         recipient_id, recipient_name, safeguard_ref) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
            d.party.0,
            d.recipient,
            d.categories,
            d.purpose,
            d.legal_basis,
            d.country,
            d.safeguard,
            d.disclosed_on.to_string(),
            d.actor,
            if d.refused.is_some() { "refused" } else { "disclosed" },
            d.refused,
            d.recipient_id,
            d.recipient_name,
            d.safeguard_ref
        ],
    )?;
    Ok(())
}

/// A party from a row of (role, order, PARTY_COLUMNS...).
fn party_row(r: &rusqlite::Row<'_>) -> Result<PartyRow> {
    let kind_s: String = r.get(3)?;
    let source = import_source(r.get::<_, Option<String>>(10)?.as_deref(), r.get(11)?);
    let valid_from: String = r.get(16)?;
    Ok(PartyRow {
        id: PartyId(r.get(2)?),
        kind: PartyKind::parse(&kind_s)
            .ok_or_else(|| corrupt("parties", "kind", &kind_s, "unknown kind"))?,
        name: r.get(4)?,
        birth_date: opt_date("parties", "birth_date", r.get(5)?)?,
        kvk_number: r.get(6)?,
        email: r.get(7)?,
        phone: r.get(8)?,
        iban: r.get(9)?,
        address: Some(AddressRow {
            street: r.get(12)?,
            postcode: r.get(13)?,
            city: r.get(14)?,
            country: r.get(15)?,
            source: source.clone(),
            valid_from: date("parties", "address_valid_from", &valid_from)?,
        }),
        source,
    })
}
