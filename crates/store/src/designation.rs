//! Payments the debtor designated to a claim (art. 6:43(1) BW), kept per
//! allocation in `payment_designations` (migration 0021, which says why a
//! table and not a column), and the invoice numbers a remittance is read
//! for. Written once for both engines over the shared [`Sql`] adapter of
//! `arrangement.rs`; the rows are written with the allocation they belong
//! to, in the ledger batch's transaction ([`write_designations`]).

use std::collections::HashMap;

use crate::Result;
use crate::arrangement::{ArrangementStore, Sql, Val, int, text};
use crate::model::{CaseId, ClaimId};

/// Case ids per range query at most: a range of sorted ids is read with
/// one `BETWEEN`, and only the designated allocations in it come back
/// (the table holds designated payments only, so a wide range stays
/// small).
const CASES_PER_RANGE_MAX: usize = 1_000;

/// An allocation the debtor designated to a claim of its case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDesignation {
    /// The allocation's ledger transfer key (`alloc:rcpt:...`).
    pub allocation_key: String,
    pub case: CaseId,
    pub claim: ClaimId,
}

/// Writes designations in the caller's transaction (the ledger batch that
/// writes their allocations); one written before is left as it is (an
/// allocation's key is its idempotency key).
pub(crate) fn write_designations(db: &mut dyn Sql, rows: &[PaymentDesignation]) -> Result<()> {
    for d in rows {
        db.exec(
            "INSERT INTO payment_designations (allocation_key, case_id, claim_id) VALUES ($1, $2, $3) \
             ON CONFLICT (allocation_key) DO NOTHING",
            &[text(&d.allocation_key), int(d.case.0), int(d.claim.0)],
        )?;
    }
    Ok(())
}

pub trait DesignationStore: ArrangementStore {
    /// The designated allocations of `cases`: allocation key to claim.
    /// Every reader of a case's payments passes these to its statement of
    /// account; an allocation absent here was not designated.
    fn payment_designations(&self, cases: &[CaseId]) -> Result<HashMap<String, ClaimId>> {
        let mut sorted: Vec<i64> = cases.iter().map(|c| c.0).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut out = HashMap::new();
        if sorted.is_empty() {
            return Ok(out);
        }
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            for range in sorted.chunks(CASES_PER_RANGE_MAX) {
                let (first, last) = (range[0], range[range.len() - 1]);
                for r in db.rows(
                    "SELECT case_id, allocation_key, claim_id FROM payment_designations \
                     WHERE case_id BETWEEN $1 AND $2",
                    &[int(first), int(last)],
                )? {
                    if range.binary_search(&r[0].int("case_id")?).is_ok() {
                        out.insert(r[1].text("allocation_key")?, ClaimId(r[2].int("claim_id")?));
                    }
                }
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// The claims of `cases` with their invoice numbers, by case and claim:
    /// what a matched payment's remittance is read for.
    fn claim_invoice_numbers(
        &self,
        cases: &[CaseId],
    ) -> Result<HashMap<CaseId, Vec<(ClaimId, String)>>> {
        let mut out: HashMap<CaseId, Vec<(ClaimId, String)>> = HashMap::new();
        if cases.is_empty() {
            return Ok(out);
        }
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            for case in cases {
                if out.contains_key(case) {
                    continue;
                }
                let mut claims = Vec::new();
                for r in db.rows(
                    "SELECT id, invoice_number FROM claims WHERE case_id = $1 ORDER BY id",
                    &[Val::Int(Some(case.0))],
                )? {
                    claims.push((ClaimId(r[0].int("id")?), r[1].text("invoice_number")?));
                }
                out.insert(*case, claims);
            }
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: ArrangementStore + ?Sized> DesignationStore for T {}
