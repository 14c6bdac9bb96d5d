//! [`LedgerStore`] on SQLite: point reads in one read transaction, prepared
//! single-row writes in one write transaction.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, date, debtor_type, in_tx, opt_date};
use crate::ledger::{
    CaseLawRow, CaseSettled, CreditProbe, ENTRY_COLUMNS, LedgerBatch, LedgerStore, balance_deltas,
    transfer_case,
};
use crate::{BankEntry, Result, StoredPosting, StoredTransfer};
use kwijting_domain::{CaseId, ClaimId, ClientId};

/// Runs `f` in one read transaction: one lock for all its point reads.
fn read<T>(conn: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    conn.execute_batch("BEGIN")?;
    let out = f(conn);
    conn.execute_batch("COMMIT")?;
    out
}

pub(super) fn entry(r: &rusqlite::Row<'_>) -> Result<BankEntry> {
    Ok(BankEntry {
        key: r.get(0)?,
        source: r.get(1)?,
        account: r.get(2)?,
        booked_on: opt_date("bank_entries", "booked_on", r.get(3)?)?,
        amount_cents: r.get(4)?,
        counterparty_name: r.get(5)?,
        counterparty_iban: r.get(6)?,
        remittance: r.get(7)?,
        structured_ref: r.get(8)?,
        match_state: r.get(9)?,
        case: r.get::<_, Option<i64>>(10)?.map(CaseId),
        confidence: r.get(11)?,
        reason: r.get(12)?,
    })
}

impl LedgerStore for SqliteStore {
    fn ledger_balances(&self, accounts: &[String]) -> Result<HashMap<String, i64>> {
        let conn = self.conn()?;
        read(&conn, |c| {
            let mut st =
                c.prepare_cached("SELECT balance_cents FROM ledger_balances WHERE account = ?1")?;
            let mut out = HashMap::with_capacity(accounts.len());
            for a in accounts {
                if let Some(b) = st.query_row([a], |r| r.get::<_, i64>(0)).optional()? {
                    out.insert(a.clone(), b);
                }
            }
            Ok(out)
        })
    }

    fn all_ledger_balances(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn()?;
        let mut st =
            conn.prepare("SELECT account, balance_cents FROM ledger_balances ORDER BY account")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    fn ledger_transfers_for(
        &self,
        cases: &[CaseId],
        keys: &[String],
    ) -> Result<Vec<StoredTransfer>> {
        let conn = self.conn()?;
        read(&conn, |c| {
            let mut ids = std::collections::BTreeSet::new();
            {
                let mut by_case = c.prepare_cached(
                    "SELECT id FROM ledger_transfers WHERE case_id = ?1 AND case_id IS NOT NULL",
                )?;
                for case in cases {
                    let rows = by_case.query_map([case.0], |r| r.get::<_, i64>(0))?;
                    for id in rows {
                        ids.insert(id?);
                    }
                }
                let mut by_key = c.prepare_cached(
                    "SELECT id FROM ledger_transfers WHERE key = ?1 \
                     UNION SELECT id FROM ledger_transfers WHERE parent = ?1 AND parent IS NOT NULL",
                )?;
                for k in keys {
                    let rows = by_key.query_map([k], |r| r.get::<_, i64>(0))?;
                    for id in rows {
                        ids.insert(id?);
                    }
                }
            }
            let mut transfer = c.prepare_cached(
                "SELECT key, kind, source_kind, source_ref, reverses, parent, booked_on FROM ledger_transfers WHERE id = ?1",
            )?;
            let mut postings = c.prepare_cached(
                "SELECT account, amount_cents FROM ledger_postings WHERE transfer_id = ?1 ORDER BY seq",
            )?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let (key, kind, source_kind, source_ref, reverses, parent, on): (
                    String,
                    String,
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    String,
                ) = transfer.query_row([id], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?;
                let ps = postings
                    .query_map([id], |r| {
                        Ok(StoredPosting {
                            account: r.get(0)?,
                            amount_cents: r.get(1)?,
                        })
                    })?
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                out.push(StoredTransfer {
                    key,
                    kind,
                    source_kind,
                    source_ref,
                    reverses,
                    parent,
                    booked_on: date("ledger_transfers", "booked_on", &on)?,
                    postings: ps,
                });
            }
            Ok(out)
        })
    }

    fn case_law_rows(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, CaseLawRow>> {
        let conn = self.conn()?;
        read(&conn, |c| {
            let mut case = c.prepare_cached(
                "SELECT client_id, status, debtor_type, demand_letter_sent_on, costs_demanded_on, last_demand_on FROM cases WHERE id = ?1",
            )?;
            let mut claims = c.prepare_cached(
                "SELECT id, principal_cents, due_date, consumer_sale FROM claims WHERE case_id = ?1 ORDER BY id",
            )?;
            let mut out = HashMap::with_capacity(cases.len());
            for id in cases {
                let Some((client, status, ty, letter, costs_on, demand_on)) = case
                    .query_row([id.0], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<String>>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, Option<String>>(5)?,
                        ))
                    })
                    .optional()?
                else {
                    continue;
                };
                let mut rows = Vec::new();
                let mut q = claims.query([id.0])?;
                while let Some(r) = q.next()? {
                    let due: String = r.get(2)?;
                    rows.push(crate::LawClaim {
                        id: ClaimId(r.get(0)?),
                        principal_cents: r.get::<_, i64>(1)?,
                        due_on: date("claims", "due_date", &due)?,
                        consumer_sale: r.get::<_, i64>(3)? != 0,
                    });
                }
                out.insert(
                    *id,
                    CaseLawRow {
                        case: *id,
                        client: ClientId(client),
                        open: !status.starts_with("closed"),
                        debtor_type: debtor_type(&ty)?,
                        claims: rows,
                        demand_letter_sent_on: opt_date("cases", "demand_letter_sent_on", letter)?,
                        costs_demanded_on: opt_date("cases", "costs_demanded_on", costs_on)?,
                        last_demand_on: opt_date("cases", "last_demand_on", demand_on)?,
                    },
                );
            }
            Ok(out)
        })
    }

    fn bank_entry(&self, key: &str) -> Result<Option<BankEntry>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM bank_entries WHERE key = ?1"
        ))?;
        let mut rows = st.query([key])?;
        rows.next()?.map(entry).transpose()
    }

    fn standing_credits(
        &self,
        probe: CreditProbe<'_>,
        amount_cents: i64,
    ) -> Result<Vec<BankEntry>> {
        let (column, value) = probe.column_and_value();
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM bank_entries WHERE amount_cents = ?1 AND {column} = ?2 \
             AND match_state IN ('matched', 'unmatched', 'assigned') ORDER BY id"
        ))?;
        let mut rows = st.query(params![amount_cents, value])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(entry(r)?);
        }
        Ok(out)
    }

    fn book_ledger(&self, batch: &LedgerBatch) -> Result<()> {
        without_fk_checks(&*self.conn()?, |c| write_batch(c, batch))
    }

    fn book_ledger_stream(
        &self,
        batches: &mut dyn Iterator<Item = Result<LedgerBatch>>,
    ) -> Result<()> {
        without_fk_checks(&*self.conn()?, |c| {
            for batch in batches {
                write_batch(c, &batch?)?;
            }
            Ok(())
        })
    }
}

/// Runs `write` in one write transaction without foreign-key checks. The
/// batches' rows refer to rows they write themselves or that the service
/// read in the same call (the matched case, the entry assigned): the
/// per-row foreign-key look-ups would only double the index work of a
/// statement of 100,000 entries.
fn without_fk_checks(
    conn: &Connection,
    write: impl FnOnce(&Connection) -> Result<()>,
) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let written = in_tx(conn, write);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    written
}

/// One batch, in the caller's transaction.
fn write_batch(c: &Connection, batch: &LedgerBatch) -> Result<()> {
    let mut insert = c.prepare_cached(
        "INSERT INTO bank_entries (key, source, account, booked_on, amount_cents, counterparty_name, counterparty_iban, \
         remittance, structured_ref, match_state, case_id, confidence, reason, end_to_end_id, return_reason, reverses_entry) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for (e, l) in &batch.entries {
        insert.execute(params![
            e.key,
            e.source,
            e.account,
            e.booked_on.map(|d| d.to_string()),
            e.amount_cents,
            e.counterparty_name,
            e.counterparty_iban,
            e.remittance,
            e.structured_ref,
            e.match_state,
            e.case.map(|c| c.0),
            e.confidence,
            e.reason,
            l.end_to_end_id,
            l.return_reason,
            l.reverses_entry,
        ])?;
    }
    let mut update = c.prepare_cached(
        "UPDATE bank_entries SET match_state = ?2, case_id = COALESCE(?3, case_id), \
         reason = COALESCE(?4, reason) WHERE key = ?1",
    )?;
    for u in &batch.updates {
        let n = update.execute(params![u.key, u.match_state, u.case.map(|c| c.0), u.reason])?;
        if n != 1 {
            return Err(crate::StoreError::Invariant(format!(
                "bank entry {} to update is not stored",
                u.key
            )));
        }
    }
    write_transfers(c, &batch.transfers)?;
    let mut assign = c.prepare_cached(
        "INSERT INTO payment_assignments (entry_key, kind, case_id, amount_cents, actor, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for a in &batch.assignments {
        assign.execute(params![
            a.entry_key,
            a.kind,
            a.case.map(|c| c.0),
            a.amount_cents,
            a.actor,
            a.at.to_string()
        ])?;
    }
    crate::designation::write_designations(
        &mut super::arrangement::Adapter(c),
        &batch.designations,
    )?;
    for s in &batch.settled {
        match s {
            CaseSettled::PaidOff { case, on } => c
                .prepare_cached(&crate::ledger::PAID_OFF_SQL.replace('$', "?"))?
                .execute(params![on.to_string(), case.0])?,
            CaseSettled::OwingAgain { case } => c
                .prepare_cached(&crate::ledger::OWING_AGAIN_SQL.replace('$', "?"))?
                .execute(params![case.0])?,
        };
    }
    Ok(())
}

/// Writes transfers with their postings and moves the kept balances, in
/// the caller's transaction: the one way transfers reach the store.
pub(super) fn write_transfers(c: &Connection, transfers: &[StoredTransfer]) -> Result<()> {
    let mut transfer = c.prepare_cached(
        "INSERT INTO ledger_transfers (key, kind, source_kind, source_ref, reverses, parent, booked_on, case_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut posting = c.prepare_cached(
        "INSERT INTO ledger_postings (transfer_id, seq, account, amount_cents) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for t in transfers {
        transfer.execute(params![
            t.key,
            t.kind,
            t.source_kind,
            t.source_ref,
            t.reverses,
            t.parent,
            t.booked_on.to_string(),
            transfer_case(t),
        ])?;
        let id = c.last_insert_rowid();
        for (seq, p) in t.postings.iter().enumerate() {
            posting.execute(params![id, seq as i64, p.account, p.amount_cents])?;
        }
    }
    let mut balance = c.prepare_cached(
        "INSERT INTO ledger_balances (account, balance_cents) VALUES (?1, ?2) \
         ON CONFLICT (account) DO UPDATE SET balance_cents = balance_cents + excluded.balance_cents",
    )?;
    for (account, delta) in balance_deltas(transfers) {
        balance.execute(params![account, delta])?;
    }
    Ok(())
}
