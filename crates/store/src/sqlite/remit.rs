//! [`RemitStore`] on SQLite.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, corrupt, date, in_tx, insert_transfers};
use crate::model::{CaseId, ClientId, StoredTransfer};
use crate::model::{Date, Timestamp};
use crate::remit::{ClientAgreementRow, Payer, RemitStore, RemittanceRow};
use crate::{Result, StoreError};

/// A constraint violation as `Duplicate` of `what`.
fn duplicate(e: rusqlite::Error, what: &'static str, key: String) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Duplicate { what, key }
        }
        e => e.into(),
    }
}

fn instant(table: &'static str, s: &str) -> Result<jiff::Timestamp> {
    s.parse()
        .map_err(|_| corrupt(table, "created_at", s, "not an instant"))
}

impl RemitStore for SqliteStore {
    fn add_client_agreement(&self, a: &ClientAgreementRow) -> Result<bool> {
        let conn = self.conn()?;
        let n = conn.execute(
            "INSERT INTO client_agreements (client_id, effective_from, commission_bps, commission_rounding, costs_to, \
             interest_to, payout_frequency, payout_min_cents, payout_iban, payout_bic, payout_name, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (client_id, effective_from) DO NOTHING",
            params![
                a.client.0,
                a.effective_from.to_string(),
                a.commission_bps,
                a.commission_rounding,
                a.costs_to,
                a.interest_to,
                a.payout_frequency,
                a.payout_min_cents,
                a.payout_iban,
                a.payout_bic,
                a.payout_name,
                a.created_at.to_string(),
            ],
        )?;
        Ok(n == 1)
    }

    fn client_agreements(&self, client: Option<ClientId>) -> Result<Vec<ClientAgreementRow>> {
        // A range rather than `IS NULL OR =`, so one client is an index look-up.
        let (low, high) = client.map_or((i64::MIN, i64::MAX), |c| (c.0, c.0));
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT client_id, effective_from, commission_bps, commission_rounding, costs_to, interest_to, \
             payout_frequency, payout_min_cents, payout_iban, payout_bic, payout_name, created_at \
             FROM client_agreements WHERE client_id BETWEEN ?1 AND ?2 ORDER BY client_id, effective_from",
        )?;
        let mut rows = st.query([low, high])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let from: String = r.get(1)?;
            let at: String = r.get(11)?;
            out.push(ClientAgreementRow {
                client: ClientId(r.get(0)?),
                effective_from: date("client_agreements", "effective_from", &from)?,
                commission_bps: r.get(2)?,
                commission_rounding: r.get(3)?,
                costs_to: r.get(4)?,
                interest_to: r.get(5)?,
                payout_frequency: r.get(6)?,
                payout_min_cents: r.get(7)?,
                payout_iban: r.get(8)?,
                payout_bic: r.get(9)?,
                payout_name: r.get(10)?,
                created_at: instant("client_agreements", &at)?,
            });
        }
        Ok(out)
    }

    fn remittances(&self) -> Result<Vec<RemittanceRow>> {
        remittance_rows(&*self.conn()?, None)
    }

    fn remittances_on(&self, run_date: Date) -> Result<Vec<RemittanceRow>> {
        remittance_rows(&*self.conn()?, Some(run_date))
    }

    fn remittance_run_date(&self, client: ClientId, period: &str) -> Result<Option<Date>> {
        let conn = self.conn()?;
        let run: Option<String> = conn
            .query_row(
                "SELECT run_date FROM remittances WHERE client_id = ?1 AND period = ?2",
                params![client.0, period],
                |r| r.get(0),
            )
            .optional()?;
        run.map(|d| date("remittances", "run_date", &d)).transpose()
    }

    fn unremitted_transfers(&self, client: ClientId) -> Result<Vec<String>> {
        let conn = self.conn()?;
        // The LIKE term is the partial index's own, so the index is used.
        let mut st = conn.prepare_cached(
            "SELECT t.key FROM ledger_postings p JOIN ledger_transfers t ON t.id = p.transfer_id \
             WHERE p.account = ?1 AND p.account LIKE 'client_payable:%' AND t.kind <> 'remittance' \
             AND NOT EXISTS (SELECT 1 FROM remittance_lines l WHERE l.transfer_key = t.key) \
             GROUP BY t.id ORDER BY t.id",
        )?;
        let rows = st.query_map([format!("client_payable:{}", client.0)], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    fn paid_out_cents(&self, client: ClientId) -> Result<i64> {
        let conn = self.conn()?;
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM remittances WHERE client_id = ?1",
            [client.0],
            |r| r.get(0),
        )?)
    }

    fn record_remittances(
        &self,
        remittances: &[RemittanceRow],
        transfers: &[StoredTransfer],
    ) -> Result<()> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            insert_transfers(c, transfers)?;
            let mut head = c.prepare_cached(
                "INSERT INTO remittances (client_id, period, run_date, batch, end_to_end_id, amount_cents, \
                 commission_cents, agency_kept_cents, payout_iban, payout_bic, payout_name, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let mut line = c.prepare_cached(
                "INSERT INTO remittance_lines (remittance_id, transfer_key) VALUES (?1, ?2)",
            )?;
            for r in remittances {
                let duplicate =
                    |e| duplicate(e, "remittance", format!("{} {}", r.client, r.period));
                head.execute(params![
                    r.client.0,
                    r.period,
                    r.run_date.to_string(),
                    r.batch,
                    r.end_to_end_id,
                    r.amount_cents,
                    r.commission_cents,
                    r.agency_kept_cents,
                    r.payout_iban,
                    r.payout_bic,
                    r.payout_name,
                    r.created_at.to_string(),
                ])
                .map_err(duplicate)?;
                let id = c.last_insert_rowid();
                for key in &r.lines {
                    line.execute(params![id, key]).map_err(duplicate)?;
                }
            }
            Ok(())
        })
    }

    fn payers(&self, entries: &[String]) -> Result<HashMap<String, Payer>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT counterparty_name, counterparty_iban FROM bank_entries WHERE key = ?1",
        )?;
        let mut out = HashMap::with_capacity(entries.len());
        for key in entries {
            let mut rows = st.query([key])?;
            if let Some(r) = rows.next()? {
                out.insert(
                    key.clone(),
                    Payer {
                        name: r.get(0)?,
                        iban: r.get(1)?,
                    },
                );
            }
        }
        Ok(out)
    }

    fn refund_batches(&self, run_date: Date) -> Result<Vec<(String, Timestamp)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT batch, created_at FROM refund_batches WHERE run_date = ?1 ORDER BY batch",
        )?;
        let mut rows = st.query([run_date.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at: String = r.get(1)?;
            out.push((r.get(0)?, instant("refund_batches", &at)?));
        }
        Ok(out)
    }

    fn record_refunds(
        &self,
        batch: &str,
        run_date: Date,
        created_at: Timestamp,
        transfers: &[StoredTransfer],
    ) -> Result<()> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            c.execute(
                "INSERT INTO refund_batches (batch, run_date, created_at) VALUES (?1, ?2, ?3)",
                params![batch, run_date.to_string(), created_at.to_string()],
            )
            .map_err(|e| duplicate(e, "refund batch", batch.to_owned()))?;
            insert_transfers(c, transfers)
        })
    }

    fn invoice_numbers(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, Vec<String>>> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached("SELECT invoice_number FROM claims WHERE case_id = ?1 ORDER BY id")?;
        let mut out = HashMap::with_capacity(cases.len());
        for case in cases {
            let mut rows = st.query([case.0])?;
            let mut numbers = Vec::new();
            while let Some(r) = rows.next()? {
                numbers.push(r.get(0)?);
            }
            out.insert(*case, numbers);
        }
        Ok(out)
    }
}

/// Remittances with their lines, all or those run on one day.
fn remittance_rows(conn: &Connection, run_date: Option<Date>) -> Result<Vec<RemittanceRow>> {
    // A range rather than `IS NULL OR =`, so one day is an index look-up.
    let (low, high) = run_date.map_or(("0000".to_owned(), "9999".to_owned()), |d| {
        (d.to_string(), d.to_string())
    });
    let mut ids = Vec::new();
    let mut out = Vec::new();
    {
        let mut st = conn.prepare_cached(
            "SELECT id, client_id, period, run_date, batch, end_to_end_id, amount_cents, commission_cents, \
             agency_kept_cents, payout_iban, payout_bic, payout_name, created_at FROM remittances \
             WHERE run_date BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut rows = st.query([&low, &high])?;
        while let Some(r) = rows.next()? {
            let run: String = r.get(3)?;
            let at: String = r.get(12)?;
            ids.push(r.get::<_, i64>(0)?);
            out.push(RemittanceRow {
                client: ClientId(r.get(1)?),
                period: r.get(2)?,
                run_date: date("remittances", "run_date", &run)?,
                batch: r.get(4)?,
                end_to_end_id: r.get(5)?,
                amount_cents: r.get(6)?,
                commission_cents: r.get(7)?,
                agency_kept_cents: r.get(8)?,
                payout_iban: r.get(9)?,
                payout_bic: r.get(10)?,
                payout_name: r.get(11)?,
                created_at: instant("remittances", &at)?,
                lines: Vec::new(),
            });
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT transfer_key FROM remittance_lines WHERE remittance_id = ?1 ORDER BY rowid",
    )?;
    for (i, id) in ids.iter().enumerate() {
        let rows = st.query_map([id], |r| r.get(0))?;
        out[i].lines = rows.collect::<rusqlite::Result<Vec<String>>>()?;
    }
    Ok(out)
}
