//! The PostgreSQL engine: a small pool of synchronous `postgres` clients
//! (the blocking face of tokio-postgres), bulk writes through `COPY`, typed
//! `DATE` and `TIMESTAMPTZ` columns.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Mutex;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row};

mod ledger;

use crate::model::*;
use crate::sqlite::{PARTY_COLUMNS, case_filter_sql};
use crate::{Engine, Finish, ImportAbort, ImportTx, Result, Store, StoreError};

mod arrangement;
mod erasure;
mod recipients;
mod remit;
mod restate;
mod rights;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        include_str!("../migrations/postgres/0002_interest_rates.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/0003_collection.sql"),
    ),
    (4, include_str!("../migrations/postgres/0004_ledger.sql")),
    (
        5,
        include_str!("../migrations/postgres/0005_ledger_balances.sql"),
    ),
    (
        6,
        include_str!("../migrations/postgres/0006_arrangements.sql"),
    ),
    (
        7,
        include_str!("../migrations/postgres/0007_remittance.sql"),
    ),
    (8, include_str!("../migrations/postgres/0008_rights.sql")),
    (9, include_str!("../migrations/postgres/0009_erasure.sql")),
    (
        10,
        include_str!("../migrations/postgres/0010_recipients.sql"),
    ),
    (
        12,
        include_str!("../migrations/postgres/0012_remit_scale.sql"),
    ),
    (
        13,
        include_str!("../migrations/postgres/0013_postings_by_transfer.sql"),
    ),
    (
        15,
        include_str!("../migrations/postgres/0015_one_balance.sql"),
    ),
    (
        16,
        include_str!("../migrations/postgres/0016_costs_terms.sql"),
    ),
    (
        17,
        include_str!("../migrations/postgres/0017_client_mappings.sql"),
    ),
    (
        20,
        include_str!("../migrations/postgres/0020_consumer_sale.sql"),
    ),
    (
        21,
        include_str!("../migrations/postgres/0021_payment_designations.sql"),
    ),
    (
        22,
        include_str!("../migrations/postgres/0022_pending_decisions.sql"),
    ),
];

/// Connections kept open for reuse; more are opened on demand and closed
/// when returned to a full pool.
const POOL_IDLE_MAX: usize = 8;

pub struct PgStore {
    config: postgres::Config,
    schema: Option<String>,
    idle: Mutex<Vec<Client>>,
}

struct Pooled<'a> {
    store: &'a PgStore,
    client: Option<Client>,
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Present from creation until drop.
        self.client
            .as_ref()
            .expect("pooled client present until drop")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("pooled client present until drop")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if client.is_closed() {
                return;
            }
            if let Ok(mut idle) = self.store.idle.lock()
                && idle.len() < POOL_IDLE_MAX
            {
                idle.push(client);
            }
        }
    }
}

/// Splits our own `schema=NAME` parameter off a PostgreSQL URL; the rest is
/// handed to the driver. A schema per test lets tests run in parallel on one
/// database.
fn split_schema(url: &str) -> Result<(String, Option<String>)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut schema = None;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("schema=") {
            Some(s) => {
                if s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    return Err(StoreError::Url(url.to_owned()));
                }
                schema = Some(s.to_owned());
            }
            None => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, schema))
}

impl PgStore {
    pub fn open(url: &str) -> Result<PgStore> {
        let (url, schema) = split_schema(url)?;
        let config = postgres::Config::from_str(&url).map_err(|_| StoreError::Url(url.clone()))?;
        let store = PgStore {
            config,
            schema,
            idle: Mutex::new(Vec::new()),
        };
        store.migrate()?;
        Ok(store)
    }

    fn conn(&self) -> Result<Pooled<'_>> {
        let pooled = self
            .idle
            .lock()
            .map_err(|_| StoreError::Invariant("PostgreSQL pool lock poisoned".into()))?
            .pop();
        let client = match pooled {
            Some(c) => c,
            None => {
                let mut c = self.config.connect(NoTls)?;
                if let Some(s) = &self.schema {
                    c.batch_execute(&format!(
                        "CREATE SCHEMA IF NOT EXISTS \"{s}\"; SET search_path TO \"{s}\""
                    ))?;
                }
                c
            }
        };
        Ok(Pooled {
            store: self,
            client: Some(client),
        })
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        // Two processes starting at once must not both run a migration.
        tx.batch_execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema()));
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL
             )",
        )?;
        for (version, sql) in MIGRATIONS {
            let done = tx.query_opt(
                "SELECT version FROM schema_migrations WHERE version = $1",
                &[version],
            )?;
            if done.is_none() {
                tx.batch_execute(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
                    &[version],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

fn corrupt(table: &'static str, column: &'static str, value: &str, reason: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn client_row(r: &Row) -> Result<ClientRow> {
    let role: String = r.try_get(3)?;
    Ok(ClientRow {
        settings: ClientSettingsRow {
            legal_action_allowed: r.try_get::<_, i64>(5)? != 0,
            legal_action_min_cents: r.try_get(6)?,
            review_all_legal_steps: r.try_get::<_, i64>(7)? != 0,
            costs_fixed_cents: r.try_get(8)?,
            costs_percent_bps: r.try_get(9)?,
            vat_not_deductible: r.try_get::<_, i64>(10)? != 0,
        },
        id: ClientId(r.try_get(0)?),
        reference: r.try_get(1)?,
        name: r.try_get(2)?,
        role: ClientRole::parse(&role)
            .ok_or_else(|| corrupt("clients", "role", &role, "unknown role"))?,
        privacy_contact: r.try_get(4)?,
    })
}

const CASE_SUMMARY_COLUMNS: &str = "c.id, c.number, c.client_id, cl.ref, c.status, c.debtor_type, \
     c.principal_cents, c.opened_on, c.first_due_on, p.id, p.name";

fn case_summary(r: &Row) -> Result<CaseSummary> {
    let status: String = r.try_get(4)?;
    let ty: String = r.try_get(5)?;
    Ok(CaseSummary {
        id: CaseId(r.try_get(0)?),
        number: r.try_get(1)?,
        client_id: ClientId(r.try_get(2)?),
        client_ref: r.try_get(3)?,
        status: CaseStatus::parse(&status)
            .ok_or_else(|| corrupt("cases", "status", &status, "unknown status"))?,
        debtor_type: DebtorType::parse(&ty)
            .ok_or_else(|| corrupt("cases", "debtor_type", &ty, "unknown debtor type"))?,
        principal_cents: r.try_get(6)?,
        opened_on: r.try_get(7)?,
        first_due_on: r.try_get(8)?,
        debtor: PartySummary {
            id: PartyId(r.try_get(9)?),
            name: r.try_get(10)?,
        },
    })
}

fn text_params(args: &[String]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl Store for PgStore {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn insert_client(&self, c: &NewClient) -> Result<ClientRow> {
        let mut conn = self.conn()?;
        let row = conn.query_opt(
            "INSERT INTO clients (ref, name, role, privacy_contact, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ref) DO NOTHING RETURNING id",
            &[&c.reference, &c.name, &c.role.as_str(), &c.privacy_contact, &c.created_at],
        )?;
        match row {
            Some(r) => Ok(ClientRow {
                id: ClientId(r.try_get(0)?),
                reference: c.reference.clone(),
                name: c.name.clone(),
                role: c.role,
                privacy_contact: c.privacy_contact.clone(),
                settings: ClientSettingsRow::default(),
            }),
            None => Err(StoreError::Duplicate {
                what: "client",
                key: c.reference.clone(),
            }),
        }
    }

    fn clients(&self) -> Result<Vec<ClientRow>> {
        let mut conn = self.conn()?;
        conn.query(
            "SELECT id, ref, name, role, privacy_contact, legal_action_allowed, legal_action_min_cents, review_all_legal_steps, costs_fixed_cents, costs_percent_bps, vat_not_deductible FROM clients ORDER BY ref",
            &[],
        )?
        .iter()
        .map(client_row)
        .collect()
    }

    fn client_by_ref(&self, reference: &str) -> Result<Option<ClientRow>> {
        let mut conn = self.conn()?;
        conn.query_opt(
            "SELECT id, ref, name, role, privacy_contact, legal_action_allowed, legal_action_min_cents, review_all_legal_steps, costs_fixed_cents, costs_percent_bps, vat_not_deductible FROM clients WHERE ref = $1",
            &[&reference],
        )?
        .as_ref()
        .map(client_row)
        .transpose()
    }

    fn set_client_settings(&self, client: ClientId, s: &ClientSettingsRow) -> Result<()> {
        self.conn()?.execute(
            "UPDATE clients SET legal_action_allowed = $1, legal_action_min_cents = $2, review_all_legal_steps = $3, \
             costs_fixed_cents = $5, costs_percent_bps = $6, vat_not_deductible = $7 WHERE id = $4",
            &[
                &i64::from(s.legal_action_allowed),
                &s.legal_action_min_cents,
                &i64::from(s.review_all_legal_steps),
                &client.0,
                &s.costs_fixed_cents,
                &s.costs_percent_bps,
                &i64::from(s.vat_not_deductible),
            ],
        )?;
        Ok(())
    }

    fn import(
        &self,
        body: &mut dyn FnMut(&mut dyn ImportTx) -> Result<Finish, ImportAbort>,
    ) -> Result<Finish, ImportAbort> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let outcome = {
            let mut itx = PgImportTx {
                tx: &mut tx,
                parties: NewIds::default(),
                cases: NewIds::default(),
            };
            body(&mut itx)
        };
        match outcome {
            Ok(Finish::Commit) => {
                tx.commit()?;
                Ok(Finish::Commit)
            }
            Ok(Finish::Rollback) => {
                tx.rollback()?;
                Ok(Finish::Rollback)
            }
            Err(e) => {
                tx.rollback()?;
                Err(e)
            }
        }
    }

    fn list_cases(&self, f: &CaseFilter) -> Result<CasePage> {
        let mut conn = self.conn()?;
        let (where_sql, args) = case_filter_sql(f);
        let params = text_params(&args);
        let total: i64 = conn
            .query_one(
                &format!("SELECT COUNT(*) FROM cases c {where_sql}"),
                &params,
            )?
            .try_get(0)?;
        let rows = conn.query(
            &format!(
                "SELECT {CASE_SUMMARY_COLUMNS} FROM cases c \
                 JOIN clients cl ON cl.id = c.client_id \
                 JOIN parties p ON p.id = c.debtor_party_id \
                 {where_sql} ORDER BY c.id LIMIT {} OFFSET {}",
                f.limit.min(PAGE_LIMIT_MAX),
                f.offset
            ),
            &params,
        )?;
        Ok(CasePage {
            total: u64::try_from(total).unwrap_or(0),
            cases: rows.iter().map(case_summary).collect::<Result<_>>()?,
        })
    }

    fn case_by_number(&self, number: &str) -> Result<Option<CaseDetail>> {
        let Ok(number) = kwijting_domain::CaseNumber::parse(number) else {
            return Ok(None);
        };
        let id = number.case_id();
        let mut conn = self.conn()?;
        let Some(head) = conn.query_opt(
            &format!(
                "SELECT {CASE_SUMMARY_COLUMNS}, c.closed_on \
                 FROM cases c JOIN clients cl ON cl.id = c.client_id \
                 JOIN parties p ON p.id = c.debtor_party_id WHERE c.id = $1"
            ),
            &[&id.0],
        )?
        else {
            return Ok(None);
        };
        let summary = case_summary(&head)?;
        let mut parties = Vec::new();
        for r in conn.query(
            &format!(
                "SELECT 'debtor', 0 AS ord, {PARTY_COLUMNS} FROM cases c JOIN parties p ON p.id = c.debtor_party_id \
                 LEFT JOIN imports i ON i.id = p.import_id WHERE c.id = $1 \
                 UNION ALL \
                 SELECT cp.role, 1 AS ord, {PARTY_COLUMNS} FROM case_parties cp JOIN parties p ON p.id = cp.party_id \
                 LEFT JOIN imports i ON i.id = p.import_id WHERE cp.case_id = $1 \
                 ORDER BY 2, 3"
            ),
            &[&summary.id.0],
        )? {
            let role: String = r.try_get(0)?;
            parties.push(CasePartyRow {
                role: PartyRole::parse(&role)
                    .ok_or_else(|| corrupt("case_parties", "role", &role, "unknown role"))?,
                party: party_row(&r)?,
            });
        }
        let claims = conn
            .query(
                "SELECT id, invoice_number, invoice_date, due_date, principal_cents, description, agreement_ref, consumer_sale \
                 FROM claims WHERE case_id = $1 ORDER BY due_date, id",
                &[&summary.id.0],
            )?
            .iter()
            .map(|r| {
                Ok(ClaimRow {
                    id: ClaimId(r.try_get(0)?),
                    invoice_number: r.try_get(1)?,
                    invoice_date: r.try_get(2)?,
                    due_date: r.try_get(3)?,
                    principal_cents: r.try_get(4)?,
                    description: r.try_get(5)?,
                    agreement_ref: r.try_get(6)?,
                    consumer_sale: r.try_get::<_, i64>(7)? != 0,
                })
            })
            .collect::<Result<_>>()?;
        let (_, payment_reference, rf_reference) = case_references(summary.id)?;
        Ok(Some(CaseDetail {
            closed_on: head.try_get(11)?,
            payment_reference,
            rf_reference,
            summary,
            parties,
            claims,
        }))
    }

    fn idempotency_get(&self, key: &str, scope: &str) -> Result<Option<IdempotentResponse>> {
        let mut conn = self.conn()?;
        conn.query_opt(
            "SELECT request_hash, status, response FROM idempotency_keys WHERE key = $1 AND scope = $2",
            &[&key, &scope],
        )?
        .map(|r| {
            Ok(IdempotentResponse {
                request_hash: r.try_get(0)?,
                status: u16::try_from(r.try_get::<_, i64>(1)?).unwrap_or(500),
                body: r.try_get(2)?,
            })
        })
        .transpose()
    }

    fn idempotency_put(
        &self,
        key: &str,
        scope: &str,
        response: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<bool> {
        let mut conn = self.conn()?;
        let n = conn.execute(
            "INSERT INTO idempotency_keys (key, scope, request_hash, status, response, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING",
            &[
                &key,
                &scope,
                &response.request_hash,
                &i64::from(response.status),
                &response.body,
                &at,
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
            "INSERT INTO interest_rate_lines (kind, line, actor, added_at) VALUES ($1, $2, $3, $4)",
            &[&kind.as_str(), &line, &actor, &at],
        )?;
        Ok(())
    }

    fn rate_lines(&self) -> Result<Vec<RateLineRow>> {
        self.conn()?
            .query(
                "SELECT kind, line, actor, added_at FROM interest_rate_lines ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                let kind: String = r.try_get(0)?;
                Ok(RateLineRow {
                    kind: RateLineKind::parse(&kind).ok_or_else(|| {
                        corrupt("interest_rate_lines", "kind", &kind, "unknown kind")
                    })?,
                    line: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    added_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn plan_run(&self, run_date: Date, cases_per_chunk: usize) -> Result<u64> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        // One planner per day, even with several workers starting at once.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('daily_run:' || $1::date::text))",
            &[&run_date],
        )?;
        let planned: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM daily_run_chunks WHERE run_date = $1",
                &[&run_date],
            )?
            .try_get(0)?;
        if planned > 0 {
            tx.execute(RETRY_FAILED_SQL, &[&run_date])?;
            tx.commit()?;
            return Ok(0);
        }
        let n = i64::try_from(cases_per_chunk.max(1))
            .map_err(|_| StoreError::Invariant("chunk size".into()))?;
        let chunks = tx.execute(
            "INSERT INTO daily_run_chunks (run_date, first_case_id, last_case_id, state) \
             SELECT $1, MIN(id), MAX(id), 'todo' FROM ( \
                 SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / $2 AS chunk FROM cases \
                 WHERE status NOT LIKE 'closed%') numbered GROUP BY chunk",
            &[&run_date, &n],
        )?;
        tx.commit()?;
        Ok(chunks)
    }

    fn run_cases(&self, first: CaseId, last: CaseId) -> Result<Vec<RunCase>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let cases = load_run_cases(&mut tx, first.0, last.0)?;
        tx.commit()?;
        Ok(cases)
    }

    fn run_chunk(
        &self,
        run_date: Date,
        decide: &(dyn Fn(&[RunCase]) -> ChunkWork + Sync),
    ) -> Result<Option<ChunkDone>> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let Some(chunk) = tx.query_opt(
            "SELECT first_case_id, last_case_id, state FROM daily_run_chunks \
             WHERE run_date = $1 AND state IN ('todo', 'retry') ORDER BY first_case_id LIMIT 1 FOR UPDATE SKIP LOCKED",
            &[&run_date],
        )?
        else {
            tx.commit()?;
            return Ok(None);
        };
        let (first, last): (i64, i64) = (chunk.try_get(0)?, chunk.try_get(1)?);
        let retry = chunk.try_get::<_, String>(2)? == "retry";
        let mut cases = load_run_cases(&mut tx, first, last)?;
        if retry {
            // Only the cases that failed: the others were decided.
            let mut failed: Vec<i64> = tx
                .query(
                    "DELETE FROM daily_run_errors WHERE run_date = $1 AND case_id BETWEEN $2 AND $3 RETURNING case_id",
                    &[&run_date, &first, &last],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
            failed.sort_unstable();
            cases.retain(|x| failed.binary_search(&x.id.0).is_ok());
        }
        let work = decide(&cases);
        let mut decisions = 0u64;
        if !work.decisions.is_empty() {
            let d = &work.decisions;
            let case_col: Vec<i64> = d.iter().map(|x| x.case.0).collect();
            let sid: Vec<&str> = d.iter().map(|x| x.strategy_id.as_str()).collect();
            let sver: Vec<i64> = d.iter().map(|x| x.strategy_version).collect();
            let rule: Vec<&str> = d.iter().map(|x| x.rule.as_str()).collect();
            let action: Vec<&str> = d.iter().map(|x| x.action.as_str()).collect();
            let inputs: Vec<&str> = d.iter().map(|x| x.inputs.as_str()).collect();
            let review: Vec<i64> = d.iter().map(|x| i64::from(x.needs_review)).collect();
            let state: Vec<&str> = d
                .iter()
                .map(|x| {
                    if x.needs_review {
                        "pending"
                    } else {
                        "automatic"
                    }
                })
                .collect();
            let inserted = tx.query(
                "INSERT INTO decisions (case_id, run_date, strategy_id, strategy_version, rule, action, inputs, needs_review, review_state) \
                 SELECT u.case_id, $1, u.sid, u.sver, u.rule, u.action, u.inputs, u.review, u.state \
                 FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[]) \
                     AS u(case_id, sid, sver, rule, action, inputs, review, state) \
                 ON CONFLICT (case_id, run_date) DO NOTHING RETURNING id, case_id",
                &[&run_date, &case_col, &sid, &sver, &rule, &action, &inputs, &review, &state],
            )?;
            decisions = inserted.len() as u64;
            let mut ids: Vec<(i64, i64)> = inserted
                .iter()
                .map(|r| Ok((r.try_get::<_, i64>(1)?, r.try_get::<_, i64>(0)?)))
                .collect::<Result<_>>()?;
            ids.sort_unstable();
            let (mut w_dec, mut w_case, mut w_kind, mut w_due) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for x in d {
                if let (Some((kind, due)), Ok(i)) =
                    (&x.work, ids.binary_search_by_key(&x.case.0, |p| p.0))
                {
                    w_dec.push(ids[i].1);
                    w_case.push(x.case.0);
                    w_kind.push(kind.as_str());
                    w_due.push(*due);
                }
            }
            if !w_dec.is_empty() {
                tx.execute(
                    "INSERT INTO work_items (decision_id, case_id, kind, due_at, state) \
                     SELECT u.d, u.c, u.k, u.due, 'queued' FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[]) AS u(d, c, k, due)",
                    &[&w_dec, &w_case, &w_kind, &w_due],
                )?;
            }
        }
        if !work.progress.is_empty() {
            let p = &work.progress;
            let ids: Vec<i64> = p.iter().map(|x| x.case.0).collect();
            let sid: Vec<&str> = p.iter().map(|x| x.strategy.0.as_str()).collect();
            let sver: Vec<i64> = p.iter().map(|x| x.strategy.1).collect();
            let svar: Vec<&str> = p.iter().map(|x| x.strategy.2.as_str()).collect();
            let steps: Vec<i64> = p.iter().map(|x| x.steps_taken).collect();
            let last_step: Vec<Option<&str>> = p.iter().map(|x| x.last_step.as_deref()).collect();
            let last_on: Vec<Option<Date>> = p.iter().map(|x| x.last_step_on).collect();
            let letter_on: Vec<Option<Date>> = p.iter().map(|x| x.demand_letter_sent_on).collect();
            let status: Vec<&str> = p.iter().map(|x| x.status.as_str()).collect();
            let demand_on: Vec<Option<Date>> = p.iter().map(|x| x.last_demand_on).collect();
            let costs_on: Vec<Option<Date>> = p.iter().map(|x| x.costs_demanded_on).collect();
            tx.execute(
                "UPDATE cases c SET strategy_id = u.sid, strategy_version = u.sver, strategy_variant = u.svar, \
                     steps_taken = u.steps, last_step = u.last_step, last_step_on = u.last_on, \
                     demand_letter_sent_on = u.letter_on, status = u.status, last_demand_on = u.demand_on, \
                     costs_demanded_on = u.costs_on, \
                     closed_on = CASE WHEN u.status LIKE 'closed%' THEN COALESCE(c.closed_on, $12) ELSE NULL END \
                 FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::date[], $8::date[], $9::text[], $10::date[], $11::date[]) \
                     AS u(id, sid, sver, svar, steps, last_step, last_on, letter_on, status, demand_on, costs_on) \
                 WHERE c.id = u.id",
                &[&ids, &sid, &sver, &svar, &steps, &last_step, &last_on, &letter_on, &status, &demand_on, &costs_on, &run_date],
            )?;
        }
        if !work.failed.is_empty() {
            let ids: Vec<i64> = work.failed.iter().map(|(c, _)| c.0).collect();
            let messages: Vec<&str> = work.failed.iter().map(|(_, m)| m.as_str()).collect();
            tx.execute(
                "INSERT INTO daily_run_errors (run_date, case_id, message) \
                 SELECT $1, u.c, u.m FROM UNNEST($2::bigint[], $3::text[]) AS u(c, m)",
                &[&run_date, &ids, &messages],
            )?;
        }
        // A retry saw its cases already; its held cases add, its errors are
        // what is left.
        tx.execute(
            "UPDATE daily_run_chunks SET state = 'done', \
             cases_seen = CASE WHEN $6 THEN cases_seen ELSE $1 END, \
             held = CASE WHEN $6 THEN held + $2 ELSE $2 END, errors = $3 \
             WHERE run_date = $4 AND first_case_id = $5",
            &[
                &(cases.len() as i64),
                &(work.held as i64),
                &(work.failed.len() as i64),
                &run_date,
                &first,
                &retry,
            ],
        )?;
        tx.commit()?;
        Ok(Some(ChunkDone {
            cases_seen: cases.len() as u64,
            decisions,
        }))
    }

    fn run_totals(&self, run_date: Date) -> Result<RunTotals> {
        let mut conn = self.conn()?;
        let mut totals = RunTotals::default();
        for r in conn.query(
            "SELECT action, COUNT(*) FROM decisions WHERE run_date = $1 GROUP BY action ORDER BY action",
            &[&run_date],
        )? {
            let n: i64 = r.try_get(1)?;
            totals.decisions += n as u64;
            totals.by_action.push((r.try_get(0)?, n as u64));
        }
        let pending: i64 = conn
            .query_one(
                "SELECT COUNT(*) FROM decisions WHERE review_state = 'pending'",
                &[],
            )?
            .try_get(0)?;
        totals.review_queue = pending as u64;
        let r = conn.query_one(
            "SELECT COUNT(*) FILTER (WHERE state = 'done'), COUNT(*) FILTER (WHERE state IN ('todo', 'retry')), \
             COALESCE(SUM(cases_seen), 0)::bigint, COALESCE(SUM(held), 0)::bigint, COALESCE(SUM(errors), 0)::bigint \
             FROM daily_run_chunks WHERE run_date = $1",
            &[&run_date],
        )?;
        totals.chunks_done = r.try_get::<_, i64>(0)? as u64;
        totals.chunks_todo = r.try_get::<_, i64>(1)? as u64;
        totals.cases_seen = r.try_get::<_, i64>(2)? as u64;
        totals.held = r.try_get::<_, i64>(3)? as u64;
        totals.errors = r.try_get::<_, i64>(4)? as u64;
        Ok(totals)
    }

    fn decisions_for_case(&self, case: CaseId) -> Result<Vec<DecisionRow>> {
        self.conn()?
            .query(
                &format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE case_id = $1 ORDER BY run_date DESC, id DESC"),
                &[&case.0],
            )?
            .iter()
            .map(decision_row)
            .collect()
    }

    fn review_queue(&self, limit: u32) -> Result<Vec<DecisionRow>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT {DECISION_COLUMNS} FROM decisions WHERE review_state = 'pending' ORDER BY run_date, id LIMIT {}",
                    limit.min(PAGE_LIMIT_MAX)
                ),
                &[],
            )?
            .iter()
            .map(decision_row)
            .collect()
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
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let Some(row) = tx.query_opt(
            "UPDATE decisions SET review_state = $1, reviewed_by = $2, reviewed_at = $3 \
             WHERE id = $4 AND review_state = 'pending' RETURNING case_id, action, rule",
            &[
                &if approve { "approved" } else { "rejected" },
                &reviewer,
                &at,
                &decision,
            ],
        )?
        else {
            tx.commit()?;
            return Ok(false);
        };
        let (case, action, rule): (i64, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let legal = approve && action.starts_with("propose_legal_action");
        let (demand, letter) = written_demand(approve, &action);
        let costs = approve && demands_costs(&action);
        tx.execute(
            "UPDATE cases SET steps_taken = steps_taken + 1, last_step = $1, last_step_on = $2, \
             status = CASE WHEN $3 THEN 'legal' ELSE status END, \
             last_demand_on = CASE WHEN $5 THEN $2 ELSE last_demand_on END, \
             demand_letter_sent_on = CASE WHEN $6 THEN $2 ELSE demand_letter_sent_on END, \
             costs_demanded_on = CASE WHEN $7 THEN COALESCE(costs_demanded_on, $2) ELSE costs_demanded_on END WHERE id = $4",
            &[&rule, &on, &legal, &case, &demand, &letter, &costs],
        )?;
        if approve {
            tx.execute(
                "INSERT INTO work_items (decision_id, case_id, kind, due_at, state) VALUES ($1, $2, $3, $4, 'queued')",
                &[&decision, &case, &action, &due],
            )?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn place_hold(
        &self,
        case: CaseId,
        kind: &str,
        reason: &str,
        on: Date,
        by: &str,
    ) -> Result<i64> {
        Ok(self
            .conn()?
            .query_one(
                "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&case.0, &kind, &reason, &on, &by],
            )?
            .try_get(0)?)
    }

    fn lift_hold(&self, case: CaseId, kind: &str, on: Date) -> Result<u64> {
        Ok(self.conn()?.execute(
            "UPDATE holds SET lifted_on = $1 WHERE case_id = $2 AND kind = $3 AND lifted_on IS NULL",
            &[&on, &case.0, &kind],
        )?)
    }

    fn holds_for_case(&self, case: CaseId) -> Result<Vec<HoldRow>> {
        self.conn()?
            .query(
                "SELECT id, case_id, kind, reason, placed_on, lifted_on, placed_by FROM holds WHERE case_id = $1 ORDER BY id",
                &[&case.0],
            )?
            .iter()
            .map(|r| {
                Ok(HoldRow {
                    id: r.try_get(0)?,
                    case: CaseId(r.try_get(1)?),
                    kind: r.try_get(2)?,
                    reason: r.try_get(3)?,
                    placed_on: r.try_get(4)?,
                    lifted_on: r.try_get(5)?,
                    placed_by: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn add_strategy(
        &self,
        id: &str,
        version: i64,
        definition: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let n = self.conn()?.execute(
            "INSERT INTO strategies (id, version, definition, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &[&id, &version, &definition, &at],
        )?;
        Ok(n == 1)
    }

    fn strategies(&self) -> Result<Vec<(String, i64, String)>> {
        self.conn()?
            .query(
                "SELECT DISTINCT ON (id) id, version, definition FROM strategies ORDER BY id, version DESC",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    fn strategy(&self, id: &str, version: i64) -> Result<Option<String>> {
        self.conn()?
            .query_opt(
                "SELECT definition FROM strategies WHERE id = $1 AND version = $2",
                &[&id, &version],
            )?
            .map(|r| Ok(r.try_get(0)?))
            .transpose()
    }

    fn party(&self, id: PartyId) -> Result<Option<PartyRow>> {
        self.conn()?
            .query_opt(
                &format!(
                    "SELECT '', 0, {PARTY_COLUMNS} FROM parties p LEFT JOIN imports i ON i.id = p.import_id WHERE p.id = $1"
                ),
                &[&id.0],
            )?
            .as_ref()
            .map(party_row)
            .transpose()
    }

    fn queued_work(&self, kind: &str, limit: u32) -> Result<Vec<WorkItem>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT w.id, w.case_id, w.kind, p.id, p.name, p.birth_date, p.postcode, p.country \
                     FROM work_items w JOIN cases c ON c.id = w.case_id JOIN parties p ON p.id = c.debtor_party_id \
                     WHERE w.kind = $1 AND w.state = 'queued' ORDER BY w.id LIMIT {limit}"
                ),
                &[&kind],
            )?
            .iter()
            .map(|r| {
                Ok(WorkItem {
                    id: r.try_get(0)?,
                    case: CaseId(r.try_get(1)?),
                    kind: r.try_get(2)?,
                    party: PartyId(r.try_get(3)?),
                    name: r.try_get(4)?,
                    birth_date: r.try_get(5)?,
                    postcode: r.try_get(6)?,
                    country: r.try_get(7)?,
                })
            })
            .collect()
    }

    fn record_provider_work(&self, done: &[(i64, ProviderResult, Disclosure)]) -> Result<()> {
        if done.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        let party: Vec<i64> = done.iter().map(|(_, r, _)| r.party.0).collect();
        let kind: Vec<&str> = done.iter().map(|(_, r, _)| r.kind.as_str()).collect();
        let result: Vec<&str> = done.iter().map(|(_, r, _)| r.result.as_str()).collect();
        let provider: Vec<&str> = done.iter().map(|(_, r, _)| r.provider.as_str()).collect();
        let on: Vec<Date> = done.iter().map(|(_, r, _)| r.obtained_on).collect();
        let items: Vec<i64> = done.iter().map(|(i, _, _)| *i).collect();
        tx.execute(
            "INSERT INTO provider_results (party_id, kind, result, provider, obtained_on) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[])",
            &[&party, &kind, &result, &provider, &on],
        )?;
        tx.execute(
            "UPDATE parties p SET address_status = CASE WHEN u.kind = 'address' THEN u.result ELSE p.address_status END, \
                 credit_band = CASE WHEN u.kind = 'credit' THEN u.result ELSE p.credit_band END \
             FROM UNNEST($1::bigint[], $2::text[], $3::text[]) AS u(id, kind, result) WHERE p.id = u.id",
            &[&party, &kind, &result],
        )?;
        tx.execute(
            "UPDATE work_items SET state = 'done' WHERE id = ANY($1)",
            &[&items],
        )?;
        let d: Vec<&Disclosure> = done.iter().map(|(_, _, d)| d).collect();
        let col = |f: fn(&Disclosure) -> &str| d.iter().map(|x| f(x)).collect::<Vec<&str>>();
        let refused: Vec<Option<&str>> = d.iter().map(|x| x.refused.as_deref()).collect();
        let outcome: Vec<&str> = d
            .iter()
            .map(|x| {
                if x.refused.is_some() {
                    "refused"
                } else {
                    "disclosed"
                }
            })
            .collect();
        let dates: Vec<Date> = d.iter().map(|x| x.disclosed_on).collect();
        tx.execute(
            "INSERT INTO disclosures (party_id, recipient, categories, purpose, legal_basis, country, safeguard, disclosed_on, actor, outcome, reason) \
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[], $10::text[], $11::text[])",
            &[
                &d.iter().map(|x| x.party.0).collect::<Vec<i64>>(),
                &col(|x| &x.recipient),
                &col(|x| &x.categories),
                &col(|x| &x.purpose),
                &col(|x| &x.legal_basis),
                &col(|x| &x.country),
                &col(|x| &x.safeguard),
                &dates,
                &col(|x| &x.actor),
                &outcome,
                &refused,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn set_work_state(&self, items: &[i64], state: &str) -> Result<()> {
        self.conn()?.execute(
            "UPDATE work_items SET state = $1 WHERE id = ANY($2)",
            &[&state, &items],
        )?;
        Ok(())
    }

    fn record_disclosure(&self, d: &Disclosure) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        insert_disclosure(&mut tx, d)?;
        tx.commit()?;
        Ok(())
    }

    fn disclosures_for_party(&self, party: PartyId) -> Result<Vec<Disclosure>> {
        self.conn()?
            .query(
                "SELECT party_id, recipient, categories, purpose, legal_basis, country, safeguard, disclosed_on, actor, reason, \
                 recipient_id, recipient_name, safeguard_ref FROM disclosures WHERE party_id = $1 ORDER BY id",
                &[&party.0],
            )?
            .iter()
            .map(|r| {
                Ok(Disclosure {
                    party: PartyId(r.try_get(0)?),
                    recipient: r.try_get(1)?,
                    categories: r.try_get(2)?,
                    purpose: r.try_get(3)?,
                    legal_basis: r.try_get(4)?,
                    country: r.try_get(5)?,
                    safeguard: r.try_get(6)?,
                    disclosed_on: r.try_get(7)?,
                    actor: r.try_get(8)?,
                    refused: r.try_get(9)?,
                    recipient_id: r.try_get(10)?,
                    recipient_name: r.try_get(11)?,
                    safeguard_ref: r.try_get(12)?,
                })
            })
            .collect()
    }

    fn provider_results_for_party(&self, party: PartyId) -> Result<Vec<ProviderResult>> {
        self.conn()?
            .query(
                "SELECT party_id, kind, result, provider, obtained_on FROM provider_results WHERE party_id = $1 ORDER BY id",
                &[&party.0],
            )?
            .iter()
            .map(|r| {
                Ok(ProviderResult {
                    party: PartyId(r.try_get(0)?),
                    kind: r.try_get(1)?,
                    result: r.try_get(2)?,
                    provider: r.try_get(3)?,
                    obtained_on: r.try_get(4)?,
                })
            })
            .collect()
    }

    fn known_bank_entries(&self, keys: &[String]) -> Result<std::collections::HashSet<String>> {
        Ok(self
            .conn()?
            .query("SELECT key FROM bank_entries WHERE key = ANY($1)", &[&keys])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?)
    }

    fn ledger_transfers(&self) -> Result<Vec<StoredTransfer>> {
        ledger::load_transfers(&mut *self.conn()?, "", &[])
    }

    fn unmatched_entries(&self, limit: u32) -> Result<(u64, Vec<BankEntry>)> {
        let mut conn = self.conn()?;
        let total: i64 = conn
            .query_one(
                "SELECT COUNT(*) FROM bank_entries WHERE match_state IN ('unmatched', 'unmatched_return', 'unmatched_debit')",
                &[],
            )?
            .try_get(0)?;
        let rows = conn.query(
            &format!(
                "SELECT {} FROM bank_entries \
                 WHERE match_state IN ('unmatched', 'unmatched_return', 'unmatched_debit') ORDER BY id LIMIT {}",
                crate::ledger::ENTRY_COLUMNS,
                limit.min(PAGE_LIMIT_MAX)
            ),
            &[],
        )?;
        let entries = rows.iter().map(ledger::entry).collect::<Result<Vec<_>>>()?;
        Ok((total as u64, entries))
    }

    fn case_states(
        &self,
        cases: &[CaseId],
    ) -> Result<std::collections::HashMap<CaseId, (bool, i64, ClientId)>> {
        let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
        self.conn()?
            .query(
                "SELECT id, status, principal_cents, client_id FROM cases WHERE id = ANY($1)",
                &[&ids],
            )?
            .iter()
            .map(|r| {
                let s: String = r.try_get(1)?;
                Ok((
                    CaseId(r.try_get(0)?),
                    (
                        !s.starts_with("closed"),
                        r.try_get(2)?,
                        ClientId(r.try_get(3)?),
                    ),
                ))
            })
            .collect()
    }

    fn case_state(&self, case: CaseId) -> Result<Option<(bool, i64, ClientId)>> {
        self.conn()?
            .query_opt(
                "SELECT status, principal_cents, client_id FROM cases WHERE id = $1",
                &[&case.0],
            )?
            .map(|r| {
                let s: String = r.try_get(0)?;
                Ok((
                    !s.starts_with("closed"),
                    r.try_get(1)?,
                    ClientId(r.try_get(2)?),
                ))
            })
            .transpose()
    }

    fn open_cases_by_debtor_iban(&self, iban: &str) -> Result<Vec<CaseId>> {
        self.conn()?
            .query(
                "SELECT c.id FROM parties p JOIN cases c ON c.debtor_party_id = p.id \
                 WHERE p.iban = $1 AND c.status NOT LIKE 'closed%' ORDER BY c.id",
                &[&iban],
            )?
            .iter()
            .map(|r| Ok(CaseId(r.try_get(0)?)))
            .collect()
    }

    fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let mut conn = self.conn()?;
        conn.query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut conn = self.conn()?;
        let tables: Vec<String> = conn
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
                &[],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let n: i64 = conn
                .query_one(&format!("SELECT COUNT(*) FROM \"{t}\""), &[])?
                .try_get(0)?;
            out.push((t, n));
        }
        Ok(out)
    }
}

struct PgImportTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    parties: NewIds,
    cases: NewIds,
}

impl PgImportTx<'_, '_> {
    fn next_ids(&mut self, table: &str, n: usize) -> Result<Vec<i64>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let n = i64::try_from(n).map_err(|_| StoreError::Invariant("chunk too large".into()))?;
        self.tx
            .query(
                &format!(
                    "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1::bigint)"
                ),
                &[&n],
            )?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    fn copy(&mut self, statement: &str, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let mut w = self.tx.copy_in(statement)?;
        w.write_all(data)?;
        w.finish()?;
        Ok(())
    }
}

/// One row of PostgreSQL's COPY text format.
struct CopyRow<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> CopyRow<'a> {
    fn new(buf: &'a mut Vec<u8>) -> CopyRow<'a> {
        CopyRow { buf, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b'\t');
        }
        self.first = false;
    }

    fn text(&mut self, v: Option<&str>) -> &mut Self {
        self.sep();
        match v {
            None => self.buf.extend_from_slice(b"\\N"),
            Some(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => self.buf.extend_from_slice(b"\\\\"),
                        b'\t' => self.buf.extend_from_slice(b"\\t"),
                        b'\n' => self.buf.extend_from_slice(b"\\n"),
                        b'\r' => self.buf.extend_from_slice(b"\\r"),
                        _ => self.buf.push(b),
                    }
                }
            }
        }
        self
    }

    /// A value already in COPY text form, or NULL.
    fn raw(&mut self, v: Option<&str>) -> &mut Self {
        self.sep();
        match v {
            None => self.buf.extend_from_slice(b"\\N"),
            Some(s) => self.buf.extend_from_slice(s.as_bytes()),
        }
        self
    }

    fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    fn display(&mut self, v: Option<&dyn std::fmt::Display>) -> &mut Self {
        self.sep();
        match v {
            None => self.buf.extend_from_slice(b"\\N"),
            Some(d) => {
                let _ = write!(self.buf, "{d}");
            }
        }
        self
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
    }
}

fn known_debtor(r: &Row) -> Result<KnownDebtor> {
    let key: &[u8] = r.try_get(0)?;
    let key: DebtorKey = key
        .try_into()
        .map_err(|_| corrupt("parties", "debtor_key", &format!("{key:?}"), "not 16 bytes"))?;
    let case: Option<i64> = r.try_get(2)?;
    let ty: Option<String> = r.try_get(3)?;
    let open_case = match (case, ty) {
        (Some(c), Some(t)) => Some((
            CaseId(c),
            DebtorType::parse(&t)
                .ok_or_else(|| corrupt("cases", "debtor_type", &t, "unknown debtor type"))?,
        )),
        _ => None,
    };
    Ok(KnownDebtor {
        key,
        party: PartyId(r.try_get(1)?),
        open_case,
    })
}

const KNOWN_DEBTOR_SQL: &str = "SELECT p.debtor_key, p.id, oc.id, oc.debtor_type FROM parties p \
     LEFT JOIN LATERAL (SELECT c.id, c.debtor_type FROM cases c \
         WHERE c.debtor_party_id = p.id AND c.status NOT LIKE 'closed%' ORDER BY c.id DESC LIMIT 1) oc ON true \
     WHERE p.client_id = $1 AND p.debtor_key IS NOT NULL";

impl ImportTx for PgImportTx<'_, '_> {
    fn known_debtors(&mut self, client: ClientId) -> Result<Vec<KnownDebtor>> {
        self.tx
            .query(KNOWN_DEBTOR_SQL, &[&client.0])?
            .iter()
            .map(known_debtor)
            .collect()
    }

    fn known_claims(&mut self, client: ClientId) -> Result<Vec<(String, i64)>> {
        self.tx
            .query(
                "SELECT invoice_number, fingerprint FROM claims WHERE client_id = $1",
                &[&client.0],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn find_debtor(&mut self, client: ClientId, key: &DebtorKey) -> Result<Option<KnownDebtor>> {
        self.tx
            .query_opt(
                &format!("{KNOWN_DEBTOR_SQL} AND p.debtor_key = $2"),
                &[&client.0, &&key[..]],
            )?
            .as_ref()
            .map(known_debtor)
            .transpose()
    }

    fn find_claim(&mut self, client: ClientId, invoice_number: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_opt(
                "SELECT fingerprint FROM claims WHERE client_id = $1 AND invoice_number = $2",
                &[&client.0, &invoice_number],
            )?
            .map(|r| r.try_get(0))
            .transpose()?)
    }

    fn open_import(&mut self, i: &NewImport) -> Result<ImportId> {
        let r = self.tx.query_one(
            "INSERT INTO imports (client_id, source, lines, claims_added, claims_known, cases_added, actor, created_at) \
             VALUES ($1, $2, 0, 0, 0, 0, $3, $4) RETURNING id",
            &[&i.client.0, &i.source, &i.actor, &i.created_at],
        )?;
        Ok(ImportId(r.try_get(0)?))
    }

    fn close_import(&mut self, import: ImportId, c: &ImportCounts) -> Result<()> {
        self.tx.execute(
            "UPDATE imports SET lines = $1, claims_added = $2, claims_known = $3, cases_added = $4 WHERE id = $5",
            &[&c.lines, &c.claims_added, &c.claims_known, &c.cases_added, &import.0],
        )?;
        Ok(())
    }

    fn write_chunk(&mut self, chunk: &ImportChunk) -> Result<ChunkIds> {
        let party_ids = self.next_ids("parties", chunk.parties.len())?;
        let case_ids = self.next_ids("cases", chunk.cases.len())?;
        let ids = ChunkIds {
            parties: party_ids.iter().map(|i| PartyId(*i)).collect(),
            cases: case_ids.iter().map(|i| CaseId(*i)).collect(),
        };
        for id in &party_ids {
            self.parties.push(*id);
        }
        for id in &case_ids {
            self.cases.push(*id);
        }
        let import = chunk.import.0;
        let valid_from = chunk.valid_from.to_string();
        let mut parties = Vec::with_capacity(chunk.parties.len() * 160);
        let mut key_hex = String::with_capacity(36);
        for (p, id) in chunk.parties.iter().zip(&party_ids) {
            let key = p.debtor_key.as_ref().map(|k| {
                key_hex.clear();
                // bytea in COPY text format: \x and hex, the backslash escaped.
                key_hex.push_str("\\\\x");
                for b in k {
                    let _ = write!(key_hex, "{b:02x}");
                }
                key_hex.as_str()
            });
            CopyRow::new(&mut parties)
                .int(*id)
                .int(chunk.client.0)
                .text(Some(p.kind.as_str()))
                .text(p.debtor_ref.as_deref())
                .raw(key)
                .text(Some(&p.name))
                .display(p.birth_date.as_ref().map(|d| d as &dyn std::fmt::Display))
                .text(p.kvk_number.as_deref())
                .text(p.email.as_deref())
                .text(p.phone.as_deref())
                .text(p.iban.as_deref())
                .text(Some(&p.address.street))
                .text(Some(&p.address.postcode))
                .text(Some(&p.address.city))
                .text(Some(&p.address.country))
                .text(Some(&valid_from))
                .int(import)
                .int(p.line as i64)
                .end();
        }
        self.copy(
            "COPY parties (id, client_id, kind, debtor_ref, debtor_key, name, birth_date, kvk_number, email, phone, iban, \
             street, postcode, city, country, address_valid_from, import_id, import_line) FROM STDIN",
            &parties,
        )?;
        let mut cases = Vec::with_capacity(chunk.cases.len() * 80);
        for (c, id) in chunk.cases.iter().zip(&ids.cases) {
            let number = case_number(*id)?;
            let debtor = self.parties.resolve(c.debtor)?;
            CopyRow::new(&mut cases)
                .int(id.0)
                .text(Some(&number))
                .int(chunk.client.0)
                .int(debtor)
                .text(Some(c.debtor_type.as_str()))
                .text(Some("intake"))
                .display(Some(&c.opened_on))
                .int(c.principal_cents)
                .int(import)
                .display(Some(&c.first_due_on))
                .end();
        }
        self.copy(
            "COPY cases (id, number, client_id, debtor_party_id, debtor_type, status, opened_on, principal_cents, import_id, first_due_on) FROM STDIN",
            &cases,
        )?;
        if !chunk.case_parties.is_empty() {
            let mut case_col = Vec::with_capacity(chunk.case_parties.len());
            let mut party_col = Vec::with_capacity(chunk.case_parties.len());
            let mut role_col = Vec::with_capacity(chunk.case_parties.len());
            for l in &chunk.case_parties {
                case_col.push(self.cases.resolve(l.case)?);
                party_col.push(self.parties.resolve(l.party)?);
                role_col.push(l.role.as_str());
            }
            // Links of an existing case may exist already: not COPY, which
            // cannot skip conflicts.
            self.tx.execute(
                "INSERT INTO case_parties (case_id, party_id, role) \
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING",
                &[&case_col, &party_col, &role_col],
            )?;
        }
        let mut claims = Vec::with_capacity(chunk.claims.len() * 120);
        for c in &chunk.claims {
            CopyRow::new(&mut claims)
                .int(self.cases.resolve(c.case)?)
                .int(chunk.client.0)
                .text(Some(&c.invoice_number))
                .display(Some(&c.invoice_date))
                .display(Some(&c.due_date))
                .int(c.principal_cents)
                .text(c.description.as_deref())
                .text(c.agreement_ref.as_deref())
                .int(c.fingerprint)
                .int(import)
                .int(c.line as i64)
                .int(i64::from(c.consumer_sale))
                .end();
        }
        self.copy(
            "COPY claims (case_id, client_id, invoice_number, invoice_date, due_date, principal_cents, description, agreement_ref, fingerprint, import_id, import_line, consumer_sale) FROM STDIN",
            &claims,
        )?;
        Ok(ids)
    }

    fn add_to_case_totals(
        &mut self,
        case: Ref<CaseId>,
        principal_cents: i64,
        due_on: Date,
    ) -> Result<()> {
        let id = self.cases.resolve(case)?;
        self.tx.execute(
            "UPDATE cases SET principal_cents = principal_cents + $1, \
             first_due_on = LEAST(first_due_on, $3) WHERE id = $2",
            &[&principal_cents, &id, &due_on],
        )?;
        Ok(())
    }

    fn execute_plain(&mut self, sql: &str) -> Result<()> {
        self.tx.batch_execute(sql)?;
        Ok(())
    }
}

const RUN_CASE_COLUMNS: &str = "c.id, c.number, c.client_id, c.debtor_type, c.status, c.principal_cents, c.costs_demanded_on, \
     c.opened_on, c.first_due_on, c.strategy_id, c.strategy_version, c.strategy_variant, c.steps_taken, c.last_step, \
     c.last_step_on, c.demand_letter_sent_on, c.judgment_on, p.email IS NOT NULL, p.phone IS NOT NULL, \
     p.address_status, p.credit_band, c.last_demand_on";

fn run_case(r: &Row) -> Result<RunCase> {
    let ty: String = r.try_get(3)?;
    let st: String = r.try_get(4)?;
    let sid: Option<String> = r.try_get(9)?;
    let sver: Option<i64> = r.try_get(10)?;
    let svar: Option<String> = r.try_get(11)?;
    Ok(RunCase {
        id: CaseId(r.try_get(0)?),
        number: r.try_get(1)?,
        client_id: ClientId(r.try_get(2)?),
        debtor_type: DebtorType::parse(&ty)
            .ok_or_else(|| corrupt("cases", "debtor_type", &ty, "unknown debtor type"))?,
        status: CaseStatus::parse(&st)
            .ok_or_else(|| corrupt("cases", "status", &st, "unknown status"))?,
        principal_cents: r.try_get(5)?,
        costs_demanded_on: r.try_get(6)?,
        opened_on: r.try_get(7)?,
        first_due_on: r.try_get(8)?,
        strategy: match (sid, sver, svar) {
            (Some(i), Some(v), Some(w)) => Some((i, v, w)),
            _ => None,
        },
        steps_taken: r.try_get(12)?,
        last_step: r.try_get(13)?,
        last_step_on: r.try_get(14)?,
        demand_letter_sent_on: r.try_get(15)?,
        judgment_on: r.try_get(16)?,
        email_known: r.try_get(17)?,
        phone_known: r.try_get(18)?,
        address_status: r.try_get(19)?,
        credit_band: r.try_get(20)?,
        last_demand_on: r.try_get(21)?,
        claims: Vec::new(),
        payments: Vec::new(),
        holds: Vec::new(),
        review_pending: false,
    })
}

const DECISION_COLUMNS: &str = "id, case_id, run_date, strategy_id, strategy_version, rule, action, inputs, needs_review, review_state, reviewed_by";

fn decision_row(r: &Row) -> Result<DecisionRow> {
    Ok(DecisionRow {
        id: r.try_get(0)?,
        case: CaseId(r.try_get(1)?),
        run_date: r.try_get(2)?,
        strategy_id: r.try_get(3)?,
        strategy_version: r.try_get(4)?,
        rule: r.try_get(5)?,
        action: r.try_get(6)?,
        inputs: r.try_get(7)?,
        needs_review: r.try_get::<_, i64>(8)? != 0,
        review_state: r.try_get(9)?,
        reviewed_by: r.try_get(10)?,
    })
}

/// Writes ledger transfers with their postings (inside the caller's
/// transaction).
fn insert_transfers(
    tx: &mut postgres::Transaction<'_>,
    transfers: &[StoredTransfer],
) -> Result<()> {
    ledger::write_transfers(tx, transfers)
}

fn insert_disclosure(tx: &mut postgres::Transaction<'_>, d: &Disclosure) -> Result<()> {
    tx.execute(
        "INSERT INTO disclosures (party_id, recipient, categories, purpose, legal_basis, country, safeguard, disclosed_on, actor, outcome, reason, \
         recipient_id, recipient_name, safeguard_ref) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        &[
            &d.party.0,
            &d.recipient,
            &d.categories,
            &d.purpose,
            &d.legal_basis,
            &d.country,
            &d.safeguard,
            &d.disclosed_on,
            &d.actor,
            &if d.refused.is_some() { "refused" } else { "disclosed" },
            &d.refused,
            &d.recipient_id,
            &d.recipient_name,
            &d.safeguard_ref,
        ],
    )?;
    Ok(())
}

/// A party from a row of (role, order, PARTY_COLUMNS...).
fn party_row(r: &Row) -> Result<PartyRow> {
    let kind: String = r.try_get(3)?;
    let source = import_source(r.try_get::<_, Option<&str>>(10)?, r.try_get(11)?);
    Ok(PartyRow {
        id: PartyId(r.try_get(2)?),
        kind: PartyKind::parse(&kind)
            .ok_or_else(|| corrupt("parties", "kind", &kind, "unknown kind"))?,
        name: r.try_get(4)?,
        birth_date: r.try_get(5)?,
        kvk_number: r.try_get(6)?,
        email: r.try_get(7)?,
        phone: r.try_get(8)?,
        iban: r.try_get(9)?,
        address: Some(AddressRow {
            street: r.try_get(12)?,
            postcode: r.try_get(13)?,
            city: r.try_get(14)?,
            country: r.try_get(15)?,
            source: source.clone(),
            valid_from: r.try_get(16)?,
        }),
        source,
    })
}

/// A range of open cases with everything a run chunk decides on: their
/// holds, claims and the payments on the ledger.
fn load_run_cases(
    client: &mut impl postgres::GenericClient,
    first: i64,
    last: i64,
) -> Result<Vec<RunCase>> {
    let mut cases = client
        .query(
            &format!(
                "SELECT {RUN_CASE_COLUMNS} FROM cases c JOIN parties p ON p.id = c.debtor_party_id \
                 WHERE c.id BETWEEN $1 AND $2 AND c.status NOT LIKE 'closed%' ORDER BY c.id"
            ),
            &[&first, &last],
        )?
        .iter()
        .map(run_case)
        .collect::<Result<Vec<_>>>()?;
    for r in client.query(CHUNK_HOLDS_SQL, &[&first, &last])? {
        attach_hold(&mut cases, CaseId(r.try_get(0)?), r.try_get(1)?);
    }
    for r in client.query(CHUNK_CLAIMS_SQL, &[&first, &last])? {
        attach_claim(
            &mut cases,
            CaseId(r.try_get(0)?),
            crate::LawClaim {
                id: ClaimId(r.try_get(1)?),
                principal_cents: r.try_get(2)?,
                due_on: r.try_get(3)?,
                consumer_sale: r.try_get::<_, i64>(4)? != 0,
            },
        );
    }
    let transfers = client
        .query(CHUNK_PAYMENTS_SQL, &[&first, &last])?
        .iter()
        .map(|r| {
            Ok(ChunkTransfer {
                case: CaseId(r.try_get(0)?),
                key: r.try_get(1)?,
                booked_on: r.try_get(2)?,
                reverses: r.try_get(3)?,
                allocation: r.try_get::<_, String>(4)? == "allocation",
                suspense_cents: r.try_get(5)?,
                designated: r.try_get::<_, Option<i64>>(6)?.map(ClaimId),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    attach_payments(&mut cases, transfers);
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parameter_is_ours() {
        let (url, schema) =
            split_schema("postgres://root@127.0.0.1/test?schema=t_1&sslmode=disable").unwrap();
        assert_eq!(url, "postgres://root@127.0.0.1/test?sslmode=disable");
        assert_eq!(schema.as_deref(), Some("t_1"));
        assert!(split_schema("postgres://x/y?schema=a;drop").is_err());
    }
}
