//! The baseline of the import benchmark: the same kinds of rows an import
//! writes, loaded with one plain multi-row `INSERT` per table and chunk, as
//! SQL text that both engines run. Not used by the product.

use crate::{CaseId, Result, case_number};

/// One CSV line's rows, unvalidated.
pub struct PlainLine {
    pub id: i64,
    pub client: i64,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub invoice_number: String,
    pub invoice_date: String,
    pub due_date: String,
    pub principal_cents: i64,
}

#[derive(Default)]
pub struct PlainBatch {
    parties: Vec<String>,
    cases: Vec<String>,
    claims: Vec<String>,
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl PlainBatch {
    pub fn push(&mut self, l: &PlainLine) -> Result<()> {
        let number = case_number(CaseId(l.id))?;
        self.parties.push(format!(
            "({}, {}, 'person', {}, {}, {}, {}, 'NL', {})",
            l.id,
            l.client,
            lit(&l.name),
            lit(&l.street),
            lit(&l.postcode),
            lit(&l.city),
            lit(&l.invoice_date)
        ));
        self.cases.push(format!(
            "({}, {}, {}, {}, 'consumer', 'intake', {}, {}, {})",
            l.id,
            lit(&number),
            l.client,
            l.id,
            lit(&l.invoice_date),
            l.principal_cents,
            lit(&l.due_date),
        ));
        self.claims.push(format!(
            "({}, {}, {}, {}, {}, {}, 0)",
            l.id,
            l.client,
            lit(&l.invoice_number),
            lit(&l.invoice_date),
            lit(&l.due_date),
            l.principal_cents
        ));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.claims.len()
    }

    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    pub fn clear(&mut self) {
        *self = PlainBatch::default();
    }

    /// The batch as three multi-row INSERT statements.
    pub fn statements(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        vec![
            format!(
                "INSERT INTO parties (id, client_id, kind, name, street, postcode, city, country, address_valid_from) VALUES {}",
                self.parties.join(",")
            ),
            format!(
                "INSERT INTO cases (id, number, client_id, debtor_party_id, debtor_type, status, opened_on, principal_cents, first_due_on) VALUES {}",
                self.cases.join(",")
            ),
            format!(
                "INSERT INTO claims (case_id, client_id, invoice_number, invoice_date, due_date, principal_cents, fingerprint) VALUES {}",
                self.claims.join(",")
            ),
        ]
    }
}
