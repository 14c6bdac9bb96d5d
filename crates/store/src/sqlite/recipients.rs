//! The recipients register and mandate ends on SQLite.

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, corrupt, opt_date};
use crate::recipients::*;
use crate::{CaseId, ClientId, Date, Result, StoreError, case_number};

fn row(r: &rusqlite::Row<'_>) -> Result<RecipientRow> {
    let at: String = r.get(9)?;
    let case: Option<i64> = r.get(7)?;
    Ok(RecipientRow {
        id: r.get(0)?,
        recipient: NewRecipient {
            name: r.get(1)?,
            category: r.get(2)?,
            country: r.get(3)?,
            safeguard: r.get(4)?,
            safeguard_on: opt_date("recipients", "safeguard_on", r.get(5)?)?,
            safeguard_ref: r.get(6)?,
            claim_case: case.map(CaseId),
            legal_claim: r.get(8)?,
            recorded_at: at.parse().map_err(|e: jiff::Error| {
                corrupt("recipients", "recorded_at", &at, &e.to_string())
            })?,
            recorded_by: r.get(10)?,
        },
        claim_case_number: case.map(|c| case_number(CaseId(c))).transpose()?,
    })
}

impl RecipientStore for SqliteStore {
    fn add_recipient(&self, n: &NewRecipient) -> Result<RecipientRow> {
        let c = self.conn()?;
        let done = c.execute(
            "INSERT INTO recipients (name, category, country, safeguard, safeguard_on, safeguard_ref, \
             claim_case_id, legal_claim, recorded_at, recorded_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (name) DO NOTHING",
            params![
                n.name,
                n.category,
                n.country,
                n.safeguard,
                n.safeguard_on.map(|d| d.to_string()),
                n.safeguard_ref,
                n.claim_case.map(|c| c.0),
                n.legal_claim,
                n.recorded_at.to_string(),
                n.recorded_by
            ],
        )?;
        if done == 0 {
            return Err(StoreError::Duplicate {
                what: "recipient",
                key: n.name.clone(),
            });
        }
        Ok(RecipientRow {
            id: c.last_insert_rowid(),
            recipient: n.clone(),
            claim_case_number: n.claim_case.map(case_number).transpose()?,
        })
    }

    fn recipients(&self) -> Result<Vec<RecipientRow>> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(&format!("{RECIPIENT_SELECT} ORDER BY name"))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(row(r)?);
        }
        Ok(out)
    }

    fn recipient_by_name(&self, name: &str) -> Result<Option<RecipientRow>> {
        let c = self.conn()?;
        let mut st = c.prepare_cached(&format!("{RECIPIENT_SELECT} WHERE name = ?1"))?;
        let mut rows = st.query([name])?;
        rows.next()?.map(row).transpose()
    }

    fn end_client_mandate(&self, client: ClientId, on: Date) -> Result<bool> {
        let c = self.conn()?;
        Ok(c.execute(
            "UPDATE clients SET mandate_ended_on = ?1 WHERE id = ?2",
            params![on.to_string(), client.0],
        )? > 0)
    }

    fn client_mandate_end(&self, client: ClientId) -> Result<Option<Date>> {
        let c = self.conn()?;
        let on: Option<Option<String>> = c
            .query_row(
                "SELECT mandate_ended_on FROM clients WHERE id = ?1",
                [client.0],
                |r| r.get(0),
            )
            .optional()?;
        opt_date("clients", "mandate_ended_on", on.flatten())
    }
}
