//! Storage of payment arrangements, direct-debit mandates and the
//! direct-debit files written for them.
//!
//! The SQL here is written once for both engines (numbered `$n` parameters,
//! turned into `?n` for SQLite by its adapter) and runs through [`Sql`], a
//! small adapter each engine implements over its own transaction; an engine
//! only provides [`ArrangementStore::arrangement_tx`]. Values cross as
//! [`Val`], typed so PostgreSQL gets a typed NULL.

use crate::model::{CaseId, ClientId, Date, NewDecision, Timestamp};
use crate::{Result, StoreError};

/// A value crossing the adapter. Dates are `DATE` on PostgreSQL and ISO
/// text on SQLite; the accessors accept either.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Date(Option<Date>),
    Ts(Option<Timestamp>),
}

impl Val {
    pub(crate) fn int(&self, what: &'static str) -> Result<i64> {
        self.opt_int(what)?.ok_or_else(|| null(what))
    }

    pub(crate) fn opt_int(&self, what: &'static str) -> Result<Option<i64>> {
        match self {
            Val::Int(v) => Ok(*v),
            other => Err(bad(what, other)),
        }
    }

    pub(crate) fn text(&self, what: &'static str) -> Result<String> {
        self.opt_text(what)?.ok_or_else(|| null(what))
    }

    pub(crate) fn opt_text(&self, what: &'static str) -> Result<Option<String>> {
        match self {
            Val::Text(v) => Ok(v.clone()),
            Val::Int(None) | Val::Date(None) => Ok(None),
            other => Err(bad(what, other)),
        }
    }

    pub(crate) fn date(&self, what: &'static str) -> Result<Date> {
        self.opt_date(what)?.ok_or_else(|| null(what))
    }

    pub(crate) fn opt_date(&self, what: &'static str) -> Result<Option<Date>> {
        match self {
            Val::Date(v) => Ok(*v),
            Val::Text(None) | Val::Int(None) => Ok(None),
            Val::Text(Some(s)) => kwijting_domain::parse_date(s)
                .map(Some)
                .map_err(|e| corrupt(what, s, &e.to_string())),
            other => Err(bad(what, other)),
        }
    }

    pub(crate) fn ts(&self, what: &'static str) -> Result<Timestamp> {
        match self {
            Val::Ts(Some(t)) => Ok(*t),
            Val::Text(Some(s)) => s
                .parse::<Timestamp>()
                .map_err(|e| corrupt(what, s, &e.to_string())),
            other => Err(bad(what, other)),
        }
    }
}

fn null(what: &'static str) -> StoreError {
    StoreError::Corrupt {
        table: "arrangements",
        column: what,
        value: "NULL".into(),
        reason: "a value is required".into(),
    }
}

fn bad(what: &'static str, v: &Val) -> StoreError {
    corrupt(what, &format!("{v:?}"), "unexpected type")
}

fn corrupt(what: &'static str, value: &str, reason: &str) -> StoreError {
    StoreError::Corrupt {
        table: "arrangements",
        column: what,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

pub(crate) fn int(v: i64) -> Val {
    Val::Int(Some(v))
}

pub(crate) fn text(v: &str) -> Val {
    Val::Text(Some(v.to_owned()))
}

pub(crate) fn opt_text(v: Option<&str>) -> Val {
    Val::Text(v.map(str::to_owned))
}

pub(crate) fn date(v: Date) -> Val {
    Val::Date(Some(v))
}

pub(crate) fn opt_date(v: Option<Date>) -> Val {
    Val::Date(v)
}

/// One engine's transaction, as the shared SQL needs it.
pub trait Sql {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64>;
    /// Runs a query; every row's values in column order.
    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>>;
}

/// A client's acceptance rules as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrangementRulesRow {
    pub min_instalment_cents: i64,
    pub max_term_months: i64,
    pub grace_days: i64,
    pub prenotification_days: i64,
}

/// An arrangement to store: accepted (`active`, with its schedule and the
/// hold it places) or `rejected` (with the reason, no schedule).
#[derive(Debug, Clone)]
pub struct NewArrangement {
    pub case: CaseId,
    pub status: String,
    pub frequency: String,
    pub instalments: i64,
    pub instalment_cents: i64,
    pub first_due_on: Date,
    pub total_cents: i64,
    pub receipts_before_cents: i64,
    pub decided_on: Date,
    /// The rules it was decided by, as `name=value` lines.
    pub rules: String,
    pub reason: Option<String>,
    pub created_by: String,
    /// (seq, due date, amount in cents)
    pub schedule: Vec<(i64, Date, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentRow {
    pub id: i64,
    pub seq: i64,
    pub due_on: Date,
    pub amount_cents: i64,
    pub state: String,
    pub reminded_on: Option<Date>,
    pub retry_on: Option<Date>,
    pub reopened_on: Option<Date>,
    pub dd_attempts: i64,
    /// The latest direct debit of it: collection date and state
    /// (`submitted`, `returned`).
    pub collection: Option<(Date, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrangementRow {
    pub id: i64,
    pub case: CaseId,
    pub status: String,
    pub frequency: String,
    pub instalments: i64,
    pub instalment_cents: i64,
    pub first_due_on: Date,
    pub total_cents: i64,
    pub receipts_before_cents: i64,
    pub decided_on: Date,
    pub rules: String,
    pub reason: Option<String>,
    pub ended_on: Option<Date>,
    pub created_by: String,
    pub schedule: Vec<InstalmentRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRow {
    pub id: i64,
    pub amended_on: Date,
    /// `reference`, `debtor_iban` or `debtor_name`.
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    /// The end-to-end id of the collection that told the bank.
    pub reported_in: Option<String>,
    pub amended_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateRow {
    pub id: i64,
    pub reference: String,
    pub case: CaseId,
    pub arrangement: Option<i64>,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub signed_on: Date,
    pub status: String,
    pub stopped_on: Option<Date>,
    pub stop_reason: Option<String>,
    pub created_by: String,
    /// A collection on it was submitted and not returned: the next one is
    /// recurring.
    pub collected: bool,
    pub amendments: Vec<AmendmentRow>,
}

#[derive(Debug, Clone)]
pub struct NewMandate {
    pub reference: String,
    pub case: CaseId,
    pub arrangement: Option<i64>,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub signed_on: Date,
    pub created_by: String,
}

/// An active arrangement as the daily monitoring and the direct-debit run
/// see it.
#[derive(Debug, Clone)]
pub struct WatchedArrangement {
    pub arrangement: ArrangementRow,
    pub client: ClientId,
    /// Everything the case has received (credits less reversals).
    pub receipts_cents: i64,
    /// The active mandate linked to it.
    pub mandate: Option<MandateRow>,
}

/// What a day's monitoring changes about one arrangement, written with its
/// decision in one transaction.
#[derive(Debug, Clone)]
pub struct ArrangementUpdate {
    pub arrangement: i64,
    pub case: CaseId,
    /// Instalments whose state changes: (id, `open` or `paid`).
    pub states: Vec<(i64, String)>,
    /// The instalment a reminder goes out for.
    pub reminded: Option<i64>,
    /// The arrangement ends: `completed` or `broken`, with why.
    pub end: Option<(String, String)>,
    /// Everything is paid: the case closes as paid.
    pub close_case: bool,
    pub decision: Option<NewDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdBatchRow {
    pub collection_date: Date,
    pub message_id: String,
    pub created_at: Timestamp,
    pub creditor_name: String,
    pub creditor_iban: String,
    pub creditor_bic: Option<String>,
    pub creditor_id: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdCollectionRow {
    pub id: i64,
    pub collection_date: Date,
    pub instalment: i64,
    pub mandate: i64,
    pub case: CaseId,
    pub end_to_end_id: String,
    pub sequence_type: String,
    pub amount_cents: i64,
    pub mandate_ref: String,
    pub signed_on: Date,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub remittance_ref: String,
    pub original_mandate_ref: Option<String>,
    pub original_debtor_iban: Option<String>,
    pub debtor_bank_changed: bool,
    pub state: String,
    pub return_reason: Option<String>,
    pub returned_on: Option<Date>,
}

/// What a returned collection changes, with its decision.
#[derive(Debug, Clone)]
pub struct ReturnUpdate {
    pub collection: i64,
    pub instalment: i64,
    pub reason_code: String,
    pub on: Date,
    pub retry_on: Option<Date>,
    pub reopened_on: Option<Date>,
    /// Stop the mandate (id, why).
    pub stop_mandate: Option<(i64, String)>,
    pub decision: NewDecision,
}

const ARRANGEMENT_COLUMNS: &str = "a.id, a.case_id, a.status, a.frequency, a.instalments, a.instalment_cents, \
     a.first_due_on, a.total_cents, a.receipts_before_cents, a.decided_on, a.rules, a.reason, a.ended_on, a.created_by";

fn arrangement_row(r: &[Val]) -> Result<ArrangementRow> {
    Ok(ArrangementRow {
        id: r[0].int("id")?,
        case: CaseId(r[1].int("case_id")?),
        status: r[2].text("status")?,
        frequency: r[3].text("frequency")?,
        instalments: r[4].int("instalments")?,
        instalment_cents: r[5].int("instalment_cents")?,
        first_due_on: r[6].date("first_due_on")?,
        total_cents: r[7].int("total_cents")?,
        receipts_before_cents: r[8].int("receipts_before_cents")?,
        decided_on: r[9].date("decided_on")?,
        rules: r[10].text("rules")?,
        reason: r[11].opt_text("reason")?,
        ended_on: r[12].opt_date("ended_on")?,
        created_by: r[13].text("created_by")?,
        schedule: Vec::new(),
    })
}

/// Instalments of the arrangements with ids in `first..=last` (optionally
/// only one case's), each with its latest collection, by arrangement.
fn load_schedules(db: &mut dyn Sql, arrangements: &mut [ArrangementRow]) -> Result<()> {
    let (Some(first), Some(last)) = (
        arrangements.iter().map(|a| a.id).min(),
        arrangements.iter().map(|a| a.id).max(),
    ) else {
        return Ok(());
    };
    let rows = db.rows(
        "SELECT i.arrangement_id, i.id, i.seq, i.due_on, i.amount_cents, i.state, i.reminded_on, i.retry_on, \
             i.reopened_on, i.dd_attempts, c.collection_date, c.state \
         FROM instalments i \
         LEFT JOIN dd_collections c ON c.id = (SELECT MAX(c2.id) FROM dd_collections c2 WHERE c2.instalment_id = i.id) \
         WHERE i.arrangement_id BETWEEN $1 AND $2 ORDER BY i.arrangement_id, i.seq",
        &[int(first), int(last)],
    )?;
    arrangements.sort_by_key(|a| a.id);
    for r in rows {
        let aid = r[0].int("arrangement_id")?;
        let Ok(i) = arrangements.binary_search_by_key(&aid, |a| a.id) else {
            continue;
        };
        let collection = match r[10].opt_date("collection_date")? {
            Some(d) => Some((d, r[11].text("state")?)),
            None => None,
        };
        arrangements[i].schedule.push(InstalmentRow {
            id: r[1].int("id")?,
            seq: r[2].int("seq")?,
            due_on: r[3].date("due_on")?,
            amount_cents: r[4].int("amount_cents")?,
            state: r[5].text("state")?,
            reminded_on: r[6].opt_date("reminded_on")?,
            retry_on: r[7].opt_date("retry_on")?,
            reopened_on: r[8].opt_date("reopened_on")?,
            dd_attempts: r[9].int("dd_attempts")?,
            collection,
        });
    }
    Ok(())
}

const MANDATE_COLUMNS: &str = "m.id, m.reference, m.case_id, m.arrangement_id, m.debtor_name, m.debtor_iban, m.signed_on, \
     m.status, m.stopped_on, m.stop_reason, m.created_by, \
     (SELECT COUNT(*) FROM dd_collections c WHERE c.mandate_id = m.id AND c.state = 'submitted')";

fn mandate_rows(db: &mut dyn Sql, where_: &str, args: &[Val]) -> Result<Vec<MandateRow>> {
    let rows = db.rows(
        &format!("SELECT {MANDATE_COLUMNS} FROM mandates m WHERE {where_} ORDER BY m.id"),
        args,
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(MandateRow {
            id: r[0].int("id")?,
            reference: r[1].text("reference")?,
            case: CaseId(r[2].int("case_id")?),
            arrangement: r[3].opt_int("arrangement_id")?,
            debtor_name: r[4].text("debtor_name")?,
            debtor_iban: r[5].text("debtor_iban")?,
            signed_on: r[6].date("signed_on")?,
            status: r[7].text("status")?,
            stopped_on: r[8].opt_date("stopped_on")?,
            stop_reason: r[9].opt_text("stop_reason")?,
            created_by: r[10].text("created_by")?,
            collected: r[11].int("collected")? > 0,
            amendments: Vec::new(),
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    // The amendments of all of them in one query.
    let amendments = db.rows(
        &format!(
            "SELECT a.mandate_id, a.id, a.amended_on, a.field, a.old_value, a.new_value, a.reported_in, a.amended_by \
             FROM mandate_amendments a WHERE a.mandate_id IN (SELECT m.id FROM mandates m WHERE {where_}) \
             ORDER BY a.mandate_id, a.id"
        ),
        args,
    )?;
    for a in amendments {
        let mandate = a[0].int("mandate_id")?;
        let Ok(i) = out.binary_search_by_key(&mandate, |m| m.id) else {
            continue;
        };
        out[i].amendments.push(AmendmentRow {
            id: a[1].int("id")?,
            amended_on: a[2].date("amended_on")?,
            field: a[3].text("field")?,
            old_value: a[4].text("old_value")?,
            new_value: a[5].text("new_value")?,
            reported_in: a[6].opt_text("reported_in")?,
            amended_by: a[7].text("amended_by")?,
        });
    }
    Ok(out)
}

const COLLECTION_COLUMNS: &str = "id, collection_date, instalment_id, mandate_id, case_id, end_to_end_id, sequence_type, \
     amount_cents, mandate_ref, signed_on, debtor_name, debtor_iban, remittance_ref, original_mandate_ref, \
     original_debtor_iban, debtor_bank_changed, state, return_reason, returned_on";

fn collection_row(r: &[Val]) -> Result<DdCollectionRow> {
    Ok(DdCollectionRow {
        id: r[0].int("id")?,
        collection_date: r[1].date("collection_date")?,
        instalment: r[2].int("instalment_id")?,
        mandate: r[3].int("mandate_id")?,
        case: CaseId(r[4].int("case_id")?),
        end_to_end_id: r[5].text("end_to_end_id")?,
        sequence_type: r[6].text("sequence_type")?,
        amount_cents: r[7].int("amount_cents")?,
        mandate_ref: r[8].text("mandate_ref")?,
        signed_on: r[9].date("signed_on")?,
        debtor_name: r[10].text("debtor_name")?,
        debtor_iban: r[11].text("debtor_iban")?,
        remittance_ref: r[12].text("remittance_ref")?,
        original_mandate_ref: r[13].opt_text("original_mandate_ref")?,
        original_debtor_iban: r[14].opt_text("original_debtor_iban")?,
        debtor_bank_changed: r[15].int("debtor_bank_changed")? != 0,
        state: r[16].text("state")?,
        return_reason: r[17].opt_text("return_reason")?,
        returned_on: r[18].opt_date("returned_on")?,
    })
}

/// Stores a decision (one per case and day; `false` when the case has one
/// that day already) and queues its work.
fn insert_decision(db: &mut dyn Sql, on: Date, d: &NewDecision) -> Result<bool> {
    let ids = db.rows(
        "INSERT INTO decisions (case_id, run_date, strategy_id, strategy_version, rule, action, inputs, needs_review, review_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (case_id, run_date) DO NOTHING RETURNING id",
        &[
            int(d.case.0),
            date(on),
            text(&d.strategy_id),
            int(d.strategy_version),
            text(&d.rule),
            text(&d.action),
            text(&d.inputs),
            int(i64::from(d.needs_review)),
            text(if d.needs_review { "pending" } else { "automatic" }),
        ],
    )?;
    let Some(id) = ids.first() else {
        return Ok(false);
    };
    if let Some((kind, due)) = &d.work {
        db.exec(
            "INSERT INTO work_items (decision_id, case_id, kind, due_at, state) VALUES ($1, $2, $3, $4, 'queued')",
            &[id[0].clone(), int(d.case.0), text(kind), Val::Ts(Some(*due))],
        )?;
    }
    Ok(true)
}

/// Arrangements, mandates and direct-debit files. Every method runs in one
/// transaction of the engine's [`arrangement_tx`](Self::arrangement_tx).
pub trait ArrangementStore {
    /// Runs `body` in one transaction: committed when it returns `Ok`.
    fn arrangement_tx(&self, body: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()>;

    fn arrangement_rules(&self, client: ClientId) -> Result<Option<ArrangementRulesRow>> {
        let mut out = None;
        self.arrangement_tx(&mut |db| {
            out = db
                .rows(
                    "SELECT min_instalment_cents, max_term_months, grace_days, prenotification_days \
                     FROM arrangement_rules WHERE client_id = $1",
                    &[int(client.0)],
                )?
                .first()
                .map(|r| {
                    Ok::<_, StoreError>(ArrangementRulesRow {
                        min_instalment_cents: r[0].int("min_instalment_cents")?,
                        max_term_months: r[1].int("max_term_months")?,
                        grace_days: r[2].int("grace_days")?,
                        prenotification_days: r[3].int("prenotification_days")?,
                    })
                })
                .transpose()?;
            Ok(())
        })?;
        Ok(out)
    }

    fn set_arrangement_rules(&self, client: ClientId, rules: &ArrangementRulesRow) -> Result<()> {
        self.arrangement_tx(&mut |db| {
            db.exec(
                "INSERT INTO arrangement_rules (client_id, min_instalment_cents, max_term_months, grace_days, prenotification_days) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id) DO UPDATE SET \
                 min_instalment_cents = excluded.min_instalment_cents, max_term_months = excluded.max_term_months, \
                 grace_days = excluded.grace_days, prenotification_days = excluded.prenotification_days",
                &[
                    int(client.0),
                    int(rules.min_instalment_cents),
                    int(rules.max_term_months),
                    int(rules.grace_days),
                    int(rules.prenotification_days),
                ],
            )?;
            Ok(())
        })
    }

    /// The day the 14-day letter went out for the case, if it did.
    fn demand_letter_sent_on(&self, case: CaseId) -> Result<Option<Date>> {
        let mut out = None;
        self.arrangement_tx(&mut |db| {
            out = match db
                .rows(
                    "SELECT demand_letter_sent_on FROM cases WHERE id = $1",
                    &[int(case.0)],
                )?
                .first()
            {
                Some(r) => r[0].opt_date("demand_letter_sent_on")?,
                None => None,
            };
            Ok(())
        })?;
        Ok(out)
    }

    /// What the case has received per booking day (credits less reversals).
    fn case_receipts(&self, case: CaseId) -> Result<Vec<(Date, i64)>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db| {
            out = db
                .rows(
                    "SELECT booked_on, CAST(SUM(amount_cents) AS BIGINT) FROM bank_entries \
                     WHERE case_id = $1 AND booked_on IS NOT NULL GROUP BY booked_on ORDER BY booked_on",
                    &[int(case.0)],
                )?
                .iter()
                .map(|r| Ok((r[0].date("booked_on")?, r[1].int("amount_cents")?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Stores an arrangement; an accepted one with its schedule and the
    /// `active_arrangement` hold. A case has one active arrangement at most
    /// (`Duplicate` otherwise). Returns its id.
    fn insert_arrangement(&self, a: &NewArrangement) -> Result<i64> {
        let mut out = 0;
        self.arrangement_tx(&mut |db| {
            let active = a.status == "active";
            if active
                && !db
                    .rows(
                        "SELECT id FROM arrangements WHERE case_id = $1 AND status = 'active'",
                        &[int(a.case.0)],
                    )?
                    .is_empty()
            {
                return Err(StoreError::Duplicate {
                    what: "active arrangement for case",
                    key: a.case.to_string(),
                });
            }
            let id = db.rows(
                "INSERT INTO arrangements (case_id, status, frequency, instalments, instalment_cents, first_due_on, \
                     total_cents, receipts_before_cents, decided_on, rules, reason, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                &[
                    int(a.case.0),
                    text(&a.status),
                    text(&a.frequency),
                    int(a.instalments),
                    int(a.instalment_cents),
                    date(a.first_due_on),
                    int(a.total_cents),
                    int(a.receipts_before_cents),
                    date(a.decided_on),
                    text(&a.rules),
                    opt_text(a.reason.as_deref()),
                    text(&a.created_by),
                ],
            )?;
            out = id
                .first()
                .ok_or_else(|| StoreError::Invariant("INSERT returned no id".into()))?[0]
                .int("id")?;
            if active {
                for (seq, due, cents) in &a.schedule {
                    db.exec(
                        "INSERT INTO instalments (arrangement_id, case_id, seq, due_on, amount_cents, state) \
                         VALUES ($1, $2, $3, $4, $5, 'open')",
                        &[int(out), int(a.case.0), int(*seq), date(*due), int(*cents)],
                    )?;
                }
                db.exec(
                    "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES ($1, 'active_arrangement', $2, $3, $4)",
                    &[
                        int(a.case.0),
                        text(&format!("payment arrangement {out}")),
                        date(a.decided_on),
                        text(&a.created_by),
                    ],
                )?;
                // An arrangement agreed during proceedings takes the case
                // back to amicable collection.
                db.exec(
                    "UPDATE cases SET status = 'active' WHERE id = $1 AND status = 'legal'",
                    &[int(a.case.0)],
                )?;
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// A case's arrangements with their schedules, newest first.
    fn arrangements_for_case(&self, case: CaseId) -> Result<Vec<ArrangementRow>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db| {
            let mut rows = db
                .rows(
                    &format!("SELECT {ARRANGEMENT_COLUMNS} FROM arrangements a WHERE a.case_id = $1 ORDER BY a.id"),
                    &[int(case.0)],
                )?
                .iter()
                .map(|r| arrangement_row(r))
                .collect::<Result<Vec<_>>>()?;
            for a in rows.iter_mut() {
                load_schedules(db, std::slice::from_mut(a))?;
            }
            rows.reverse();
            out = rows;
            Ok(())
        })?;
        Ok(out)
    }

    /// Up to `limit` active arrangements with ids above `after`, in id
    /// order, each with its schedule, the case's receipts and its active
    /// mandate: a handful of queries per page, however many cases exist.
    fn watched_arrangements(&self, after: i64, limit: u32) -> Result<Vec<WatchedArrangement>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db| {
            let rows = db.rows(
                &format!(
                    "SELECT {ARRANGEMENT_COLUMNS}, c.client_id FROM arrangements a JOIN cases c ON c.id = a.case_id \
                     WHERE a.status = 'active' AND a.id > $1 ORDER BY a.id LIMIT $2"
                ),
                &[int(after), int(i64::from(limit))],
            )?;
            let mut arrangements = Vec::with_capacity(rows.len());
            let mut clients = Vec::with_capacity(rows.len());
            for r in &rows {
                arrangements.push(arrangement_row(r)?);
                clients.push(ClientId(r[14].int("client_id")?));
            }
            let (Some(first), Some(last)) = (
                arrangements.first().map(|a| a.id),
                arrangements.last().map(|a| a.id),
            ) else {
                out = Vec::new();
                return Ok(());
            };
            load_schedules(db, &mut arrangements)?;
            let receipts = db.rows(
                "SELECT a.id, CAST(COALESCE(SUM(b.amount_cents), 0) AS BIGINT) FROM arrangements a \
                 JOIN bank_entries b ON b.case_id = a.case_id \
                 WHERE a.status = 'active' AND a.id BETWEEN $1 AND $2 GROUP BY a.id",
                &[int(first), int(last)],
            )?;
            let mandates = mandate_rows(
                db,
                "m.status = 'active' AND m.arrangement_id BETWEEN $1 AND $2",
                &[int(first), int(last)],
            )?;
            let mut receipts_of = std::collections::HashMap::new();
            for r in receipts {
                receipts_of.insert(r[0].int("id")?, r[1].int("sum")?);
            }
            let mut mandate_of = std::collections::HashMap::new();
            for m in mandates {
                if let Some(a) = m.arrangement {
                    mandate_of.insert(a, m);
                }
            }
            out = arrangements
                .into_iter()
                .zip(clients)
                .map(|(a, client)| WatchedArrangement {
                    receipts_cents: receipts_of.get(&a.id).copied().unwrap_or(0),
                    mandate: mandate_of.remove(&a.id),
                    client,
                    arrangement: a,
                })
                .collect();
            Ok(())
        })?;
        Ok(out)
    }

    /// Writes a day's monitoring: instalment states, reminders, ends (the
    /// hold lifted; a paid case closed) and decisions, in one transaction.
    /// A reminder whose decision could not be stored (the case has a
    /// decision that day) is left for tomorrow. Returns decisions stored.
    fn apply_arrangement_updates(&self, on: Date, updates: &[ArrangementUpdate]) -> Result<u64> {
        let mut stored = 0;
        self.arrangement_tx(&mut |db| {
            stored = 0;
            for u in updates {
                for (id, state) in &u.states {
                    db.exec(
                        "UPDATE instalments SET state = $1 WHERE id = $2",
                        &[text(state), int(*id)],
                    )?;
                }
                let decided = match &u.decision {
                    Some(d) => insert_decision(db, on, d)?,
                    None => false,
                };
                stored += u64::from(decided);
                if let (Some(i), true) = (u.reminded, decided) {
                    db.exec(
                        "UPDATE instalments SET reminded_on = $1 WHERE id = $2",
                        &[date(on), int(i)],
                    )?;
                }
                if let Some((status, reason)) = &u.end {
                    db.exec(
                        "UPDATE arrangements SET status = $1, reason = $2, ended_on = $3 WHERE id = $4 AND status = 'active'",
                        &[text(status), text(reason), date(on), int(u.arrangement)],
                    )?;
                    db.exec(
                        "UPDATE holds SET lifted_on = $1 WHERE case_id = $2 AND kind = 'active_arrangement' AND lifted_on IS NULL",
                        &[date(on), int(u.case.0)],
                    )?;
                }
                if u.close_case {
                    db.exec(
                        "UPDATE cases SET status = 'closed_paid', closed_on = $1 WHERE id = $2 AND status NOT LIKE 'closed%'",
                        &[date(on), int(u.case.0)],
                    )?;
                }
            }
            Ok(())
        })?;
        Ok(stored)
    }

    /// Stores a mandate (`Duplicate` when its reference exists). Its id.
    fn insert_mandate(&self, m: &NewMandate) -> Result<i64> {
        let mut out = 0;
        self.arrangement_tx(&mut |db| {
            if !db
                .rows("SELECT id FROM mandates WHERE reference = $1", &[text(&m.reference)])?
                .is_empty()
            {
                return Err(StoreError::Duplicate {
                    what: "mandate",
                    key: m.reference.clone(),
                });
            }
            out = db.rows(
                "INSERT INTO mandates (reference, case_id, arrangement_id, debtor_name, debtor_iban, signed_on, status, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', $7) RETURNING id",
                &[
                    text(&m.reference),
                    int(m.case.0),
                    Val::Int(m.arrangement),
                    text(&m.debtor_name),
                    text(&m.debtor_iban),
                    date(m.signed_on),
                    text(&m.created_by),
                ],
            )?
            .first()
            .ok_or_else(|| StoreError::Invariant("INSERT returned no id".into()))?[0]
                .int("id")?;
            Ok(())
        })?;
        Ok(out)
    }

    fn mandate_by_reference(&self, reference: &str) -> Result<Option<MandateRow>> {
        let mut out = None;
        self.arrangement_tx(&mut |db| {
            out = mandate_rows(db, "m.reference = $1", &[text(reference)])?.pop();
            Ok(())
        })?;
        Ok(out)
    }

    fn mandates_for_case(&self, case: CaseId) -> Result<Vec<MandateRow>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db| {
            out = mandate_rows(db, "m.case_id = $1", &[int(case.0)])?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Records amendments to a mandate: (field, old, new) each, and sets
    /// the new values.
    fn amend_mandate(
        &self,
        mandate: i64,
        case: CaseId,
        changes: &[(String, String, String)],
        on: Date,
        by: &str,
    ) -> Result<()> {
        self.arrangement_tx(&mut |db| {
            for (field, old, new) in changes {
                let column = match field.as_str() {
                    "reference" => "reference",
                    "debtor_iban" => "debtor_iban",
                    "debtor_name" => "debtor_name",
                    other => {
                        return Err(StoreError::Invariant(format!(
                            "a mandate has no field '{other}'"
                        )));
                    }
                };
                if column == "reference"
                    && !db
                        .rows("SELECT id FROM mandates WHERE reference = $1", &[text(new)])?
                        .is_empty()
                {
                    return Err(StoreError::Duplicate {
                        what: "mandate",
                        key: new.clone(),
                    });
                }
                db.exec(
                    &format!("UPDATE mandates SET {column} = $1 WHERE id = $2"),
                    &[text(new), int(mandate)],
                )?;
                db.exec(
                    "INSERT INTO mandate_amendments (mandate_id, case_id, amended_on, field, old_value, new_value, amended_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[int(mandate), int(case.0), date(on), text(field), text(old), text(new), text(by)],
                )?;
            }
            Ok(())
        })
    }

    /// The direct-debit file written for a collection date, with its
    /// collections in the order written.
    fn dd_batch(&self, on: Date) -> Result<Option<(DdBatchRow, Vec<DdCollectionRow>)>> {
        let mut out = None;
        self.arrangement_tx(&mut |db| {
            let Some(b) = db
                .rows(
                    "SELECT collection_date, message_id, created_at, creditor_name, creditor_iban, creditor_bic, creditor_id, created_by \
                     FROM dd_batches WHERE collection_date = $1",
                    &[date(on)],
                )?
                .pop()
            else {
                out = None;
                return Ok(());
            };
            let batch = DdBatchRow {
                collection_date: b[0].date("collection_date")?,
                message_id: b[1].text("message_id")?,
                created_at: b[2].ts("created_at")?,
                creditor_name: b[3].text("creditor_name")?,
                creditor_iban: b[4].text("creditor_iban")?,
                creditor_bic: b[5].opt_text("creditor_bic")?,
                creditor_id: b[6].text("creditor_id")?,
                created_by: b[7].text("created_by")?,
            };
            let collections = db
                .rows(
                    &format!("SELECT {COLLECTION_COLUMNS} FROM dd_collections WHERE collection_date = $1 ORDER BY id"),
                    &[date(on)],
                )?
                .iter()
                .map(|r| collection_row(r))
                .collect::<Result<Vec<_>>>()?;
            out = Some((batch, collections));
            Ok(())
        })?;
        Ok(out)
    }

    /// Stores a direct-debit file's batch and collections, counts the
    /// attempts on each instalment, clears their retry dates and marks the
    /// amendments reported: one transaction. `Duplicate` when a file for the
    /// date exists.
    fn write_dd_batch(
        &self,
        batch: &DdBatchRow,
        collections: &[DdCollectionRow],
        reported: &[(i64, String)],
    ) -> Result<()> {
        self.arrangement_tx(&mut |db| {
            if !db
                .rows(
                    "SELECT message_id FROM dd_batches WHERE collection_date = $1",
                    &[date(batch.collection_date)],
                )?
                .is_empty()
            {
                return Err(StoreError::Duplicate {
                    what: "direct-debit file for",
                    key: batch.collection_date.to_string(),
                });
            }
            db.exec(
                "INSERT INTO dd_batches (collection_date, message_id, created_at, creditor_name, creditor_iban, creditor_bic, creditor_id, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    date(batch.collection_date),
                    text(&batch.message_id),
                    Val::Ts(Some(batch.created_at)),
                    text(&batch.creditor_name),
                    text(&batch.creditor_iban),
                    opt_text(batch.creditor_bic.as_deref()),
                    text(&batch.creditor_id),
                    text(&batch.created_by),
                ],
            )?;
            for c in collections {
                db.exec(
                    "INSERT INTO dd_collections (collection_date, instalment_id, mandate_id, case_id, end_to_end_id, sequence_type, \
                         amount_cents, mandate_ref, signed_on, debtor_name, debtor_iban, remittance_ref, original_mandate_ref, \
                         original_debtor_iban, debtor_bank_changed, state) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'submitted')",
                    &[
                        date(batch.collection_date),
                        int(c.instalment),
                        int(c.mandate),
                        int(c.case.0),
                        text(&c.end_to_end_id),
                        text(&c.sequence_type),
                        int(c.amount_cents),
                        text(&c.mandate_ref),
                        date(c.signed_on),
                        text(&c.debtor_name),
                        text(&c.debtor_iban),
                        text(&c.remittance_ref),
                        opt_text(c.original_mandate_ref.as_deref()),
                        opt_text(c.original_debtor_iban.as_deref()),
                        int(i64::from(c.debtor_bank_changed)),
                    ],
                )?;
                db.exec(
                    "UPDATE instalments SET dd_attempts = dd_attempts + 1, retry_on = NULL WHERE id = $1",
                    &[int(c.instalment)],
                )?;
            }
            for (amendment, e2e) in reported {
                db.exec(
                    "UPDATE mandate_amendments SET reported_in = $1 WHERE id = $2 AND reported_in IS NULL",
                    &[text(e2e), int(*amendment)],
                )?;
            }
            Ok(())
        })
    }

    fn collection_by_end_to_end_id(&self, e2e: &str) -> Result<Option<DdCollectionRow>> {
        let mut out = None;
        self.arrangement_tx(&mut |db| {
            out = db
                .rows(
                    &format!(
                        "SELECT {COLLECTION_COLUMNS} FROM dd_collections WHERE end_to_end_id = $1"
                    ),
                    &[text(e2e)],
                )?
                .first()
                .map(|r| collection_row(r))
                .transpose()?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Records a returned collection: the instalment reopened (to retry, or
    /// for payment by transfer), the mandate stopped where the reason says
    /// so, and the decision stored. `false` when it was recorded before.
    fn record_return(&self, r: &ReturnUpdate) -> Result<bool> {
        let mut done = false;
        self.arrangement_tx(&mut |db| {
            done = db.exec(
                "UPDATE dd_collections SET state = 'returned', return_reason = $1, returned_on = $2 WHERE id = $3 AND state = 'submitted'",
                &[text(&r.reason_code), date(r.on), int(r.collection)],
            )? > 0;
            if !done {
                return Ok(());
            }
            db.exec(
                "UPDATE instalments SET state = 'open', reminded_on = NULL, retry_on = $1, reopened_on = $2 WHERE id = $3",
                &[opt_date(r.retry_on), opt_date(r.reopened_on), int(r.instalment)],
            )?;
            // A return of a collection that completed the arrangement
            // (a refund asked within eight weeks) takes it up again: the
            // arrangement active, its hold back, a case closed as paid open.
            let reactivated = db.rows(
                "UPDATE arrangements SET status = 'active', ended_on = NULL, reason = NULL \
                 WHERE id = (SELECT arrangement_id FROM instalments WHERE id = $1) AND status = 'completed' \
                 RETURNING id, case_id",
                &[int(r.instalment)],
            )?;
            if let Some(a) = reactivated.first() {
                db.exec(
                    "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES ($1, 'active_arrangement', $2, $3, $4)",
                    &[
                        a[1].clone(),
                        text(&format!("payment arrangement {} (collection returned)", a[0].int("id")?)),
                        date(r.on),
                        text("direct-debit return"),
                    ],
                )?;
                db.exec(
                    "UPDATE cases SET status = 'active', closed_on = NULL WHERE id = $1 AND status = 'closed_paid'",
                    &[a[1].clone()],
                )?;
            }
            if let Some((mandate, why)) = &r.stop_mandate {
                db.exec(
                    "UPDATE mandates SET status = 'stopped', stopped_on = $1, stop_reason = $2 WHERE id = $3 AND status = 'active'",
                    &[date(r.on), text(why), int(*mandate)],
                )?;
            }
            insert_decision(db, r.on, &r.decision)?;
            Ok(())
        })?;
        Ok(done)
    }
}
