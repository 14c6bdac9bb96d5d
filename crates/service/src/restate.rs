//! The ledger follows a case's statement of account when it changes
//! without a payment: claims added to a case already on the ledger by a
//! later import, or a costs demand carried out for a day on or before the
//! case's last posting (a review approved late, a daily run for an earlier
//! day). Without this the case shows as a `ledger verify` violation until
//! its next payment restates it.

use kwijting_domain::{CaseId, Date};
use kwijting_ledger::AccountKind;
use kwijting_store::LedgerBatch;

use crate::payments::to_stored;
use crate::{Kwijting, ServiceError};

/// Cases restated per ledger write: one window and one transaction each.
const RESTATE_BATCH: usize = 1_000;

impl Kwijting {
    /// Restates those of `cases` already on the ledger, in batches, each
    /// batch written all or nothing. Returns the cases restated.
    pub(crate) fn restate_on_ledger(
        &self,
        cases: &[CaseId],
        why: &str,
    ) -> Result<Vec<CaseId>, ServiceError> {
        let mut restated = Vec::new();
        for chunk in cases.chunks(RESTATE_BATCH) {
            // A case's first transfer posts to its entitlement: only cases
            // with one kept are on the ledger (one indexed look-up each).
            let names: Vec<String> = chunk
                .iter()
                .map(|c| AccountKind::CaseEntitlement(*c).name())
                .collect();
            let kept = self.store.ledger_balances(&names)?;
            let on: Vec<CaseId> = chunk
                .iter()
                .zip(&names)
                .filter(|(_, n)| kept.contains_key(*n))
                .map(|(c, _)| *c)
                .collect();
            if on.is_empty() {
                continue;
            }
            let mut book = self.open_book(&on, &[])?;
            restated.extend(book.restate_cases(&on, why)?);
            let transfers: Vec<_> = book.made().iter().map(to_stored).collect();
            if !transfers.is_empty() {
                self.store.book_ledger(&LedgerBatch {
                    transfers,
                    ..LedgerBatch::default()
                })?;
            }
        }
        Ok(restated)
    }

    /// After a daily run for `as_of`: the cases whose costs became due on
    /// or before their last posting.
    pub(crate) fn restate_after_run(&self, as_of: Date) -> Result<Vec<CaseId>, ServiceError> {
        let cases = self.store.cases_posted_since_costs_decision(as_of)?;
        if cases.is_empty() {
            return Ok(cases);
        }
        self.restate_on_ledger(&cases, &format!("costs demanded on {as_of}"))
    }
}
