//! [`RestateStore`] on SQLite.

use rusqlite::OptionalExtension;

use super::SqliteStore;
use crate::Result;
use crate::model::{CaseId, Date};
use crate::restate::{COSTS_ACTIONS, RestateStore};

impl RestateStore for SqliteStore {
    fn decision_case(&self, decision: i64) -> Result<Option<CaseId>> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT case_id FROM decisions WHERE id = ?1",
                [decision],
                |r| r.get(0).map(CaseId),
            )
            .optional()?)
    }

    fn cases_posted_since_costs_decision(&self, run_date: Date) -> Result<Vec<CaseId>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT d.case_id FROM decisions d WHERE d.run_date = ?1 \
             AND d.action IN {COSTS_ACTIONS} AND d.review_state IN ('automatic', 'approved') \
             AND EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.case_id = d.case_id \
                 AND t.case_id IS NOT NULL AND t.booked_on >= ?1) \
             ORDER BY d.case_id"
        ))?;
        let rows = st.query_map([run_date.to_string()], |r| r.get(0).map(CaseId))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
