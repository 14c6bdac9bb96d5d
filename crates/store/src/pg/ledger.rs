//! [`LedgerStore`] on PostgreSQL: set-based reads (`= ANY`) and bulk writes
//! (one `UNNEST` insert per table per batch).

use std::collections::HashMap;

use kwijting_domain::{CaseId, ClaimId, ClientId, Date, DebtorType};
use postgres::Row;

use super::{PgStore, corrupt};
use crate::ledger::{
    CaseLawRow, CaseSettled, CreditProbe, ENTRY_COLUMNS, LedgerBatch, LedgerStore, balance_deltas,
    transfer_case,
};
use crate::{BankEntry, Result, StoredPosting, StoredTransfer};

pub(super) fn entry(r: &Row) -> Result<BankEntry> {
    Ok(BankEntry {
        key: r.try_get(0)?,
        source: r.try_get(1)?,
        account: r.try_get(2)?,
        booked_on: r.try_get(3)?,
        amount_cents: r.try_get(4)?,
        counterparty_name: r.try_get(5)?,
        counterparty_iban: r.try_get(6)?,
        remittance: r.try_get(7)?,
        structured_ref: r.try_get(8)?,
        match_state: r.try_get(9)?,
        case: r.try_get::<_, Option<i64>>(10)?.map(CaseId),
        confidence: r.try_get(11)?,
        reason: r.try_get(12)?,
    })
}

/// The transfers `filter` selects, with their postings, in the order
/// written.
pub(super) fn load_transfers(
    conn: &mut postgres::Client,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<StoredTransfer>> {
    let rows = conn.query(
        &format!(
            "SELECT id, key, kind, source_kind, source_ref, reverses, parent, booked_on FROM ledger_transfers \
             {filter} ORDER BY id"
        ),
        params,
    )?;
    let mut ids = Vec::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        ids.push(r.try_get::<_, i64>(0)?);
        out.push(StoredTransfer {
            key: r.try_get(1)?,
            kind: r.try_get(2)?,
            source_kind: r.try_get(3)?,
            source_ref: r.try_get(4)?,
            reverses: r.try_get(5)?,
            parent: r.try_get(6)?,
            booked_on: r.try_get(7)?,
            postings: Vec::new(),
        });
    }
    for r in conn.query(
        "SELECT transfer_id, account, amount_cents FROM ledger_postings WHERE transfer_id = ANY($1) \
         ORDER BY transfer_id, seq",
        &[&ids],
    )? {
        let tid: i64 = r.try_get(0)?;
        if let Ok(i) = ids.binary_search(&tid) {
            out[i].postings.push(StoredPosting {
                account: r.try_get(1)?,
                amount_cents: r.try_get(2)?,
            });
        }
    }
    Ok(out)
}

impl LedgerStore for PgStore {
    fn ledger_balances(&self, accounts: &[String]) -> Result<HashMap<String, i64>> {
        self.conn()?
            .query(
                "SELECT account, balance_cents FROM ledger_balances WHERE account = ANY($1)",
                &[&accounts],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()
    }

    fn all_ledger_balances(&self) -> Result<Vec<(String, i64)>> {
        self.conn()?
            .query(
                "SELECT account, balance_cents FROM ledger_balances ORDER BY account",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    fn ledger_transfers_for(
        &self,
        cases: &[CaseId],
        keys: &[String],
    ) -> Result<Vec<StoredTransfer>> {
        let cases: Vec<i64> = cases.iter().map(|c| c.0).collect();
        load_transfers(
            &mut *self.conn()?,
            "WHERE case_id = ANY($1) OR key = ANY($2) OR parent = ANY($2)",
            &[&cases, &keys],
        )
    }

    fn case_law_rows(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, CaseLawRow>> {
        let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
        let mut conn = self.conn()?;
        let mut out = HashMap::with_capacity(cases.len());
        for r in conn.query(
            "SELECT c.id, c.client_id, c.status, c.debtor_type, c.demand_letter_sent_on, c.costs_demanded_on, c.last_demand_on \
             FROM cases c WHERE c.id = ANY($1)",
            &[&ids],
        )? {
            let id = CaseId(r.try_get(0)?);
            let status: String = r.try_get(2)?;
            let ty: String = r.try_get(3)?;
            out.insert(
                id,
                CaseLawRow {
                    case: id,
                    client: ClientId(r.try_get(1)?),
                    open: !status.starts_with("closed"),
                    debtor_type: DebtorType::parse(&ty).ok_or_else(|| {
                        corrupt("cases", "debtor_type", &ty, "unknown debtor type")
                    })?,
                    claims: Vec::new(),
                    demand_letter_sent_on: r.try_get(4)?,
                    costs_demanded_on: r.try_get(5)?,
                    last_demand_on: r.try_get(6)?,
                },
            );
        }
        for r in conn.query(
            "SELECT case_id, id, principal_cents, due_date, consumer_sale FROM claims WHERE case_id = ANY($1) ORDER BY case_id, id",
            &[&ids],
        )? {
            if let Some(row) = out.get_mut(&CaseId(r.try_get(0)?)) {
                row.claims.push(crate::LawClaim {
                    id: ClaimId(r.try_get(1)?),
                    principal_cents: r.try_get(2)?,
                    due_on: r.try_get::<_, Date>(3)?,
                    consumer_sale: r.try_get::<_, i64>(4)? != 0,
                });
            }
        }
        Ok(out)
    }

    fn bank_entry(&self, key: &str) -> Result<Option<BankEntry>> {
        self.conn()?
            .query_opt(
                &format!("SELECT {ENTRY_COLUMNS} FROM bank_entries WHERE key = $1"),
                &[&key],
            )?
            .as_ref()
            .map(entry)
            .transpose()
    }

    fn standing_credits(
        &self,
        probe: CreditProbe<'_>,
        amount_cents: i64,
    ) -> Result<Vec<BankEntry>> {
        let (column, value) = probe.column_and_value();
        self.conn()?
            .query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM bank_entries WHERE amount_cents = $1 AND {column} = $2 \
                     AND match_state IN ('matched', 'unmatched', 'assigned') ORDER BY id"
                ),
                &[&amount_cents, &value],
            )?
            .iter()
            .map(entry)
            .collect()
    }

    fn book_ledger(&self, batch: &LedgerBatch) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        write_batch(&mut tx, batch)?;
        tx.commit()?;
        Ok(())
    }

    fn book_ledger_stream(
        &self,
        batches: &mut dyn Iterator<Item = Result<LedgerBatch>>,
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        for batch in batches {
            write_batch(&mut tx, &batch?)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// One batch, in the caller's transaction.
fn write_batch(tx: &mut postgres::Transaction<'_>, batch: &LedgerBatch) -> Result<()> {
    if !batch.entries.is_empty() {
        let col = |f: &dyn Fn(&(BankEntry, crate::ledger::EntryLinks)) -> Option<String>| {
            batch.entries.iter().map(f).collect::<Vec<Option<String>>>()
        };
        let keys = col(&|(e, _)| Some(e.key.clone()));
        let sources = col(&|(e, _)| Some(e.source.clone()));
        let accounts = col(&|(e, _)| Some(e.account.clone()));
        let booked: Vec<Option<Date>> = batch.entries.iter().map(|(e, _)| e.booked_on).collect();
        let amounts: Vec<i64> = batch.entries.iter().map(|(e, _)| e.amount_cents).collect();
        let names = col(&|(e, _)| e.counterparty_name.clone());
        let ibans = col(&|(e, _)| e.counterparty_iban.clone());
        let remittance = col(&|(e, _)| e.remittance.clone());
        let structured = col(&|(e, _)| e.structured_ref.clone());
        let states = col(&|(e, _)| Some(e.match_state.clone()));
        let cases: Vec<Option<i64>> = batch
            .entries
            .iter()
            .map(|(e, _)| e.case.map(|c| c.0))
            .collect();
        let confidence = col(&|(e, _)| e.confidence.clone());
        let reasons = col(&|(e, _)| e.reason.clone());
        let e2e = col(&|(_, l)| l.end_to_end_id.clone());
        let returns = col(&|(_, l)| l.return_reason.clone());
        let reverses = col(&|(_, l)| l.reverses_entry.clone());
        tx.execute(
            "INSERT INTO bank_entries (key, source, account, booked_on, amount_cents, counterparty_name, counterparty_iban, \
             remittance, structured_ref, match_state, case_id, confidence, reason, end_to_end_id, return_reason, reverses_entry) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::text[], $7::text[], \
             $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])",
            &[
                &keys, &sources, &accounts, &booked, &amounts, &names, &ibans, &remittance,
                &structured, &states, &cases, &confidence, &reasons, &e2e, &returns, &reverses,
            ],
        )?;
    }
    for u in &batch.updates {
        let n = tx.execute(
            "UPDATE bank_entries SET match_state = $2, case_id = COALESCE($3, case_id), \
             reason = COALESCE($4, reason) WHERE key = $1",
            &[&u.key, &u.match_state, &u.case.map(|c| c.0), &u.reason],
        )?;
        if n != 1 {
            return Err(crate::StoreError::Invariant(format!(
                "bank entry {} to update is not stored",
                u.key
            )));
        }
    }
    write_transfers(tx, &batch.transfers)?;
    for a in &batch.assignments {
        tx.execute(
            "INSERT INTO payment_assignments (entry_key, kind, case_id, amount_cents, actor, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &a.entry_key,
                &a.kind,
                &a.case.map(|c| c.0),
                &a.amount_cents,
                &a.actor,
                &a.at,
            ],
        )?;
    }
    crate::designation::write_designations(
        &mut super::arrangement::Adapter(tx),
        &batch.designations,
    )?;
    for s in &batch.settled {
        match s {
            CaseSettled::PaidOff { case, on } => {
                tx.execute(crate::ledger::PAID_OFF_SQL, &[on, &case.0])?
            }
            CaseSettled::OwingAgain { case } => {
                tx.execute(crate::ledger::OWING_AGAIN_SQL, &[&case.0])?
            }
        };
    }
    Ok(())
}

/// Writes transfers with their postings and moves the kept balances, in
/// the caller's transaction: the one way transfers reach the store.
pub(super) fn write_transfers(
    tx: &mut postgres::Transaction<'_>,
    transfers: &[StoredTransfer],
) -> Result<()> {
    if transfers.is_empty() {
        return Ok(());
    }
    let t = transfers;
    let keys: Vec<&str> = t.iter().map(|t| t.key.as_str()).collect();
    let kinds: Vec<&str> = t.iter().map(|t| t.kind.as_str()).collect();
    let source_kinds: Vec<&str> = t.iter().map(|t| t.source_kind.as_str()).collect();
    let source_refs: Vec<&str> = t.iter().map(|t| t.source_ref.as_str()).collect();
    let reverses: Vec<Option<&str>> = t.iter().map(|t| t.reverses.as_deref()).collect();
    let parents: Vec<Option<&str>> = t.iter().map(|t| t.parent.as_deref()).collect();
    let on: Vec<Date> = t.iter().map(|t| t.booked_on).collect();
    let case_ids: Vec<Option<i64>> = t.iter().map(transfer_case).collect();
    // WITH ORDINALITY keeps the ids in the order the batch was built.
    tx.execute(
        "INSERT INTO ledger_transfers (key, kind, source_kind, source_ref, reverses, parent, booked_on, case_id) \
         SELECT k, ki, sk, sr, rv, pa, bo, ca FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
         $5::text[], $6::text[], $7::date[], $8::bigint[]) WITH ORDINALITY AS u(k, ki, sk, sr, rv, pa, bo, ca, n) ORDER BY n",
        &[&keys, &kinds, &source_kinds, &source_refs, &reverses, &parents, &on, &case_ids],
    )?;
    let mut pk: Vec<&str> = Vec::new();
    let mut ps: Vec<i32> = Vec::new();
    let mut pa: Vec<&str> = Vec::new();
    let mut pm: Vec<i64> = Vec::new();
    for t in t {
        for (seq, p) in t.postings.iter().enumerate() {
            pk.push(&t.key);
            ps.push(i32::try_from(seq).unwrap_or(i32::MAX));
            pa.push(&p.account);
            pm.push(p.amount_cents);
        }
    }
    tx.execute(
        "INSERT INTO ledger_postings (transfer_id, seq, account, amount_cents) \
         SELECT t.id, u.s, u.a, u.m FROM UNNEST($1::text[], $2::int[], $3::text[], $4::bigint[]) \
         AS u(k, s, a, m) JOIN ledger_transfers t ON t.key = u.k",
        &[&pk, &ps, &pa, &pm],
    )?;
    let (accounts, deltas): (Vec<&str>, Vec<i64>) = balance_deltas(transfers).into_iter().unzip();
    tx.execute(
        "INSERT INTO ledger_balances (account, balance_cents) \
         SELECT * FROM UNNEST($1::text[], $2::bigint[]) \
         ON CONFLICT (account) DO UPDATE SET balance_cents = ledger_balances.balance_cents + EXCLUDED.balance_cents",
        &[&accounts, &deltas],
    )?;
    Ok(())
}
