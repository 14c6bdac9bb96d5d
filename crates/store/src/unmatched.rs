//! What a person needs to place money the matching could not: the credits
//! booked to a case that a debit may take back. Written once for both
//! engines over the shared [`Sql`] adapter of `arrangement.rs`.

use crate::Result;
use crate::arrangement::{ArrangementStore, Sql, int};
use crate::model::CaseId;

pub trait UnmatchedStore: ArrangementStore {
    /// The keys of the credits of exactly `amount_cents` booked to `case`
    /// (matched or assigned) and not returned, newest first: what a debit
    /// assigned to the case takes back.
    fn standing_credits_of_case(&self, case: CaseId, amount_cents: i64) -> Result<Vec<String>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            out = db
                .rows(
                    "SELECT key FROM bank_entries WHERE case_id = $1 AND amount_cents = $2 \
                     AND match_state IN ('matched', 'assigned') ORDER BY id DESC",
                    &[int(case.0), int(amount_cents)],
                )?
                .iter()
                .map(|r| r[0].text("key"))
                .collect::<Result<Vec<_>>>()?;
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: ArrangementStore + ?Sized> UnmatchedStore for T {}
