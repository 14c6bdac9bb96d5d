//! [`RestateStore`] on PostgreSQL.

use super::PgStore;
use crate::Result;
use crate::model::{CaseId, Date};
use crate::restate::{COSTS_ACTIONS, RestateStore};

impl RestateStore for PgStore {
    fn decision_case(&self, decision: i64) -> Result<Option<CaseId>> {
        let mut conn = self.conn()?;
        let row = conn.query_opt("SELECT case_id FROM decisions WHERE id = $1", &[&decision])?;
        Ok(match row {
            Some(r) => Some(CaseId(r.try_get(0)?)),
            None => None,
        })
    }

    fn cases_posted_since_costs_decision(&self, run_date: Date) -> Result<Vec<CaseId>> {
        let mut conn = self.conn()?;
        let rows = conn.query(
            &format!(
                "SELECT d.case_id FROM decisions d WHERE d.run_date = $1 \
                 AND d.action IN {COSTS_ACTIONS} AND d.review_state IN ('automatic', 'approved') \
                 AND EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.case_id = d.case_id \
                     AND t.case_id IS NOT NULL AND t.booked_on >= $1) \
                 ORDER BY d.case_id"
            ),
            &[&run_date],
        )?;
        rows.iter().map(|r| Ok(CaseId(r.try_get(0)?))).collect()
    }
}
