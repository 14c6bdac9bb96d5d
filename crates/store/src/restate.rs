//! What the ledger needs to follow changes to a case's statement of account
//! made outside a payment (claims added by a later import, a costs demand
//! carried out for a day before the case's last posting), a part of the
//! [`crate::Store`] both engines implement (`sqlite/restate.rs`,
//! `pg/restate.rs`).

use crate::Result;
use crate::model::{CaseId, Date};

/// The decision actions that carry collection costs (as
/// [`crate::LedgerStore::case_law_rows`] counts them).
pub(crate) const COSTS_ACTIONS: &str = "('first_demand', 'second_demand', 'summons_warning')";

pub trait RestateStore {
    /// The case a decision was made for.
    fn decision_case(&self, decision: i64) -> Result<Option<CaseId>>;
    /// Cases with a costs decision of `run_date` carried out (automatic or
    /// approved) and a ledger transfer booked on or after that day: their
    /// statement of account on their last posting day changed.
    fn cases_posted_since_costs_decision(&self, run_date: Date) -> Result<Vec<CaseId>>;
}
