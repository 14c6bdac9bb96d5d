//! [`RemitStore`] on PostgreSQL.

use std::collections::HashMap;

use postgres::Row;

use super::{PgStore, insert_transfers};
use crate::model::{CaseId, ClientId, StoredTransfer};
use crate::model::{Date, Timestamp};
use crate::remit::{ClientAgreementRow, Payer, RemitStore, RemittanceRow};
use crate::{Result, StoreError};

/// A unique violation as `Duplicate` of `what`.
fn duplicate(e: postgres::Error, what: &'static str, key: String) -> StoreError {
    if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
        StoreError::Duplicate { what, key }
    } else {
        e.into()
    }
}

fn agreement(r: &Row) -> Result<ClientAgreementRow> {
    Ok(ClientAgreementRow {
        client: ClientId(r.try_get(0)?),
        effective_from: r.try_get(1)?,
        commission_bps: r.try_get(2)?,
        commission_rounding: r.try_get(3)?,
        costs_to: r.try_get(4)?,
        interest_to: r.try_get(5)?,
        payout_frequency: r.try_get(6)?,
        payout_min_cents: r.try_get(7)?,
        payout_iban: r.try_get(8)?,
        payout_bic: r.try_get(9)?,
        payout_name: r.try_get(10)?,
        created_at: r.try_get(11)?,
    })
}

impl RemitStore for PgStore {
    fn add_client_agreement(&self, a: &ClientAgreementRow) -> Result<bool> {
        let mut conn = self.conn()?;
        let n = conn.execute(
            "INSERT INTO client_agreements (client_id, effective_from, commission_bps, commission_rounding, costs_to, \
             interest_to, payout_frequency, payout_min_cents, payout_iban, payout_bic, payout_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (client_id, effective_from) DO NOTHING",
            &[
                &a.client.0,
                &a.effective_from,
                &a.commission_bps,
                &a.commission_rounding,
                &a.costs_to,
                &a.interest_to,
                &a.payout_frequency,
                &a.payout_min_cents,
                &a.payout_iban,
                &a.payout_bic,
                &a.payout_name,
                &a.created_at,
            ],
        )?;
        Ok(n == 1)
    }

    fn client_agreements(&self, client: Option<ClientId>) -> Result<Vec<ClientAgreementRow>> {
        // A range rather than `IS NULL OR =`, so one client is an index look-up.
        let (low, high) = client.map_or((i64::MIN, i64::MAX), |c| (c.0, c.0));
        let mut conn = self.conn()?;
        conn.query(
            "SELECT client_id, effective_from, commission_bps, commission_rounding, costs_to, interest_to, \
             payout_frequency, payout_min_cents, payout_iban, payout_bic, payout_name, created_at \
             FROM client_agreements WHERE client_id BETWEEN $1 AND $2 ORDER BY client_id, effective_from",
            &[&low, &high],
        )?
        .iter()
        .map(agreement)
        .collect()
    }

    fn remittances(&self) -> Result<Vec<RemittanceRow>> {
        remittance_rows(&mut *self.conn()?, None)
    }

    fn remittances_on(&self, run_date: Date) -> Result<Vec<RemittanceRow>> {
        remittance_rows(&mut *self.conn()?, Some(run_date))
    }

    fn remittance_run_date(&self, client: ClientId, period: &str) -> Result<Option<Date>> {
        let mut conn = self.conn()?;
        let row = conn.query_opt(
            "SELECT run_date FROM remittances WHERE client_id = $1 AND period = $2",
            &[&client.0, &period],
        )?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    fn unremitted_transfers(&self, client: ClientId) -> Result<Vec<String>> {
        let mut conn = self.conn()?;
        // The LIKE term is the partial index's own, so the index is used.
        let rows = conn.query(
            "SELECT t.key FROM ledger_postings p JOIN ledger_transfers t ON t.id = p.transfer_id \
             WHERE p.account = $1 AND p.account LIKE 'client_payable:%' AND t.kind <> 'remittance' \
             AND NOT EXISTS (SELECT 1 FROM remittance_lines l WHERE l.transfer_key = t.key) \
             GROUP BY t.id, t.key ORDER BY t.id",
            &[&format!("client_payable:{}", client.0)],
        )?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn paid_out_cents(&self, client: ClientId) -> Result<i64> {
        let mut conn = self.conn()?;
        let r = conn.query_one(
            "SELECT COALESCE(SUM(amount_cents), 0)::BIGINT FROM remittances WHERE client_id = $1",
            &[&client.0],
        )?;
        Ok(r.try_get(0)?)
    }

    fn record_remittances(
        &self,
        remittances: &[RemittanceRow],
        transfers: &[StoredTransfer],
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        insert_transfers(&mut tx, transfers)?;
        for r in remittances {
            let duplicate = |e| duplicate(e, "remittance", format!("{} {}", r.client, r.period));
            let id: i64 = tx
                .query_one(
                    "INSERT INTO remittances (client_id, period, run_date, batch, end_to_end_id, amount_cents, \
                     commission_cents, agency_kept_cents, payout_iban, payout_bic, payout_name, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    &[
                        &r.client.0,
                        &r.period,
                        &r.run_date,
                        &r.batch,
                        &r.end_to_end_id,
                        &r.amount_cents,
                        &r.commission_cents,
                        &r.agency_kept_cents,
                        &r.payout_iban,
                        &r.payout_bic,
                        &r.payout_name,
                        &r.created_at,
                    ],
                )
                .map_err(duplicate)?
                .try_get(0)?;
            tx.execute(
                "INSERT INTO remittance_lines (remittance_id, transfer_key) \
                 SELECT $1, k FROM UNNEST($2::text[]) AS u(k)",
                &[&id, &r.lines],
            )
            .map_err(duplicate)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn payers(&self, entries: &[String]) -> Result<HashMap<String, Payer>> {
        let mut conn = self.conn()?;
        conn.query(
            "SELECT key, counterparty_name, counterparty_iban FROM bank_entries WHERE key = ANY($1)",
            &[&entries],
        )?
        .iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                Payer {
                    name: r.try_get(1)?,
                    iban: r.try_get(2)?,
                },
            ))
        })
        .collect()
    }

    fn refund_batches(&self, run_date: Date) -> Result<Vec<(String, Timestamp)>> {
        let mut conn = self.conn()?;
        conn.query(
            "SELECT batch, created_at FROM refund_batches WHERE run_date = $1 ORDER BY batch",
            &[&run_date],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    fn record_refunds(
        &self,
        batch: &str,
        run_date: Date,
        created_at: Timestamp,
        transfers: &[StoredTransfer],
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO refund_batches (batch, run_date, created_at) VALUES ($1, $2, $3)",
            &[&batch, &run_date, &created_at],
        )
        .map_err(|e| duplicate(e, "refund batch", batch.to_owned()))?;
        insert_transfers(&mut tx, transfers)?;
        tx.commit()?;
        Ok(())
    }

    fn invoice_numbers(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, Vec<String>>> {
        let mut conn = self.conn()?;
        let ids: Vec<i64> = cases.iter().map(|c| c.0).collect();
        let mut out: HashMap<CaseId, Vec<String>> = HashMap::with_capacity(cases.len());
        for c in cases {
            out.insert(*c, Vec::new());
        }
        for r in conn.query(
            "SELECT case_id, invoice_number FROM claims WHERE case_id = ANY($1) ORDER BY case_id, id",
            &[&ids],
        )? {
            out.entry(CaseId(r.try_get(0)?))
                .or_default()
                .push(r.try_get(1)?);
        }
        Ok(out)
    }
}

/// Remittances with their lines, all or those run on one day.
fn remittance_rows(
    conn: &mut postgres::Client,
    run_date: Option<Date>,
) -> Result<Vec<RemittanceRow>> {
    let mut ids = Vec::new();
    let mut out = Vec::new();
    for r in conn.query(
        "SELECT id, client_id, period, run_date, batch, end_to_end_id, amount_cents, commission_cents, \
         agency_kept_cents, payout_iban, payout_bic, payout_name, created_at FROM remittances \
         WHERE $1::DATE IS NULL OR run_date = $1 ORDER BY id",
        &[&run_date],
    )? {
        ids.push(r.try_get::<_, i64>(0)?);
        out.push(RemittanceRow {
            client: ClientId(r.try_get(1)?),
            period: r.try_get(2)?,
            run_date: r.try_get(3)?,
            batch: r.try_get(4)?,
            end_to_end_id: r.try_get(5)?,
            amount_cents: r.try_get(6)?,
            commission_cents: r.try_get(7)?,
            agency_kept_cents: r.try_get(8)?,
            payout_iban: r.try_get(9)?,
            payout_bic: r.try_get(10)?,
            payout_name: r.try_get(11)?,
            created_at: r.try_get(12)?,
            lines: Vec::new(),
        });
    }
    // In no particular order within a remittance: the service puts the
    // lines in ledger order.
    for r in conn.query(
        "SELECT remittance_id, transfer_key FROM remittance_lines WHERE remittance_id = ANY($1)",
        &[&ids],
    )? {
        let id: i64 = r.try_get(0)?;
        if let Ok(i) = ids.binary_search(&id) {
            out[i].lines.push(r.try_get(1)?);
        }
    }
    Ok(out)
}
