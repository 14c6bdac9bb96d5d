//! The recipients register and mandate ends on PostgreSQL.

use postgres::Row;

use super::PgStore;
use crate::recipients::*;
use crate::{CaseId, ClientId, Date, Result, StoreError, case_number};

fn row(r: &Row) -> Result<RecipientRow> {
    let case: Option<i64> = r.try_get(7)?;
    Ok(RecipientRow {
        id: r.try_get(0)?,
        recipient: NewRecipient {
            name: r.try_get(1)?,
            category: r.try_get(2)?,
            country: r.try_get(3)?,
            safeguard: r.try_get(4)?,
            safeguard_on: r.try_get(5)?,
            safeguard_ref: r.try_get(6)?,
            claim_case: case.map(CaseId),
            legal_claim: r.try_get(8)?,
            recorded_at: r.try_get(9)?,
            recorded_by: r.try_get(10)?,
        },
        claim_case_number: case.map(|c| case_number(CaseId(c))).transpose()?,
    })
}

impl RecipientStore for PgStore {
    fn add_recipient(&self, n: &NewRecipient) -> Result<RecipientRow> {
        let mut c = self.conn()?;
        let id = c.query_opt(
            "INSERT INTO recipients (name, category, country, safeguard, safeguard_on, safeguard_ref, \
             claim_case_id, legal_claim, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (name) DO NOTHING RETURNING id",
            &[
                &n.name,
                &n.category,
                &n.country,
                &n.safeguard,
                &n.safeguard_on,
                &n.safeguard_ref,
                &n.claim_case.map(|c| c.0),
                &n.legal_claim,
                &n.recorded_at,
                &n.recorded_by,
            ],
        )?;
        let Some(id) = id else {
            return Err(StoreError::Duplicate {
                what: "recipient",
                key: n.name.clone(),
            });
        };
        Ok(RecipientRow {
            id: id.try_get(0)?,
            recipient: n.clone(),
            claim_case_number: n.claim_case.map(case_number).transpose()?,
        })
    }

    fn recipients(&self) -> Result<Vec<RecipientRow>> {
        let mut c = self.conn()?;
        c.query(&format!("{RECIPIENT_SELECT} ORDER BY name"), &[])?
            .iter()
            .map(row)
            .collect()
    }

    fn recipient_by_name(&self, name: &str) -> Result<Option<RecipientRow>> {
        let mut c = self.conn()?;
        c.query_opt(&format!("{RECIPIENT_SELECT} WHERE name = $1"), &[&name])?
            .as_ref()
            .map(row)
            .transpose()
    }

    fn end_client_mandate(&self, client: ClientId, on: Date) -> Result<bool> {
        let mut c = self.conn()?;
        Ok(c.execute(
            "UPDATE clients SET mandate_ended_on = $1 WHERE id = $2",
            &[&on, &client.0],
        )? > 0)
    }

    fn client_mandate_end(&self, client: ClientId) -> Result<Option<Date>> {
        let mut c = self.conn()?;
        let r = c.query_opt(
            "SELECT mandate_ended_on FROM clients WHERE id = $1",
            &[&client.0],
        )?;
        Ok(match r {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }
}
