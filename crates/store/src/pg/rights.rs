//! Rights requests on PostgreSQL.

use jiff::Timestamp;
use jiff::civil::Date;
use kwijting_domain::{CaseId, ClientId, PartyId};
use postgres::types::Type;
use postgres::{GenericClient, Row};

use super::PgStore;
use crate::rights::*;
use crate::{Result, StoreError};

fn request_row(r: &Row) -> Result<RightsRequestRow> {
    let verification: String = r.try_get(7)?;
    Ok(RightsRequestRow {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        party: PartyId(r.try_get(2)?),
        channel: r.try_get(3)?,
        received_at: r.try_get(4)?,
        deadline_on: r.try_get(5)?,
        extension_reason: r.try_get(6)?,
        verified: verification == "verified",
        verification_method: r.try_get(8)?,
        verified_by: r.try_get(9)?,
        verified_at: r.try_get(10)?,
        status: r.try_get(11)?,
        params: r.try_get(12)?,
        outcome: r.try_get(13)?,
        created_by: r.try_get(14)?,
    })
}

fn notification_row(r: &Row) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.try_get(0)?,
        request: r.try_get(1)?,
        party: PartyId(r.try_get(2)?),
        kind: r.try_get(3)?,
        recipient: r.try_get(4)?,
        categories: r.try_get(5)?,
        detail: r.try_get(6)?,
        state: r.try_get(7)?,
        created_at: r.try_get(8)?,
        sent_at: r.try_get(9)?,
        acknowledged_at: r.try_get(10)?,
    })
}

fn value(r: &Row, i: usize) -> Result<Value> {
    let ty = r.columns()[i].type_().clone();
    Ok(if ty == Type::INT8 {
        r.try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int)
    } else if ty == Type::INT4 {
        r.try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::TEXT || ty == Type::VARCHAR {
        r.try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text)
    } else if ty == Type::DATE {
        r.try_get::<_, Option<Date>>(i)?
            .map_or(Value::Null, |d| Value::Text(d.to_string()))
    } else if ty == Type::TIMESTAMPTZ {
        r.try_get::<_, Option<Timestamp>>(i)?
            .map_or(Value::Null, |t| Value::Text(t.to_string()))
    } else if ty == Type::BYTEA {
        r.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, |b| {
                Value::Text(b.iter().map(|x| format!("{x:02x}")).collect())
            })
    } else if ty == Type::BOOL {
        r.try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |b| Value::Int(b.into()))
    } else {
        return Err(StoreError::Invariant(format!(
            "column {} has type {ty}, which the extract does not read yet",
            r.columns()[i].name()
        )));
    })
}

fn subject_cases(c: &mut impl GenericClient, party: PartyId) -> Result<Vec<SubjectCase>> {
    c.query(SUBJECT_CASES_SQL, &[&party.0])?
        .iter()
        .map(|r| {
            let status: String = r.try_get(4)?;
            Ok(SubjectCase {
                case: CaseId(r.try_get(0)?),
                number: r.try_get(1)?,
                client: ClientId(r.try_get(2)?),
                role: r.try_get(3)?,
                open: !status.starts_with("closed"),
            })
        })
        .collect()
}

struct Tx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
}

impl RightsTx for Tx<'_, '_> {
    fn place_hold(
        &mut self,
        case: CaseId,
        kind: &str,
        reason: &str,
        on: Date,
        by: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES ($1, $2, $3, $4, $5)",
            &[&case.0, &kind, &reason, &on, &by],
        )?;
        Ok(())
    }

    fn lift_holds(&mut self, case: CaseId, kind: &str, on: Date) -> Result<u64> {
        Ok(self.tx.execute(
            "UPDATE holds SET lifted_on = $1 WHERE case_id = $2 AND kind = $3 AND lifted_on IS NULL",
            &[&on, &case.0, &kind],
        )?)
    }

    fn update_party(&mut self, party: PartyId, column: &str, value: Option<&str>) -> Result<()> {
        let column = rectifiable(column)?;
        let ty = if column == "birth_date" {
            "DATE"
        } else {
            "TEXT"
        };
        self.tx.execute(
            &format!("UPDATE parties SET {column} = CAST($1::TEXT AS {ty}) WHERE id = $2"),
            &[&value, &party.0],
        )?;
        Ok(())
    }

    fn add_notification(&mut self, n: &NewNotification) -> Result<i64> {
        Ok(self
            .tx
            .query_one(
                "INSERT INTO rights_notifications (request_id, party_id, kind, recipient, categories, detail, state, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7) RETURNING id",
                &[
                    &n.request,
                    &n.party.0,
                    &n.kind,
                    &n.recipient,
                    &n.categories,
                    &n.detail,
                    &n.at,
                ],
            )?
            .try_get(0)?)
    }

    fn set_flag(&mut self, party: PartyId, flag: &str, on: Date, request: i64) -> Result<()> {
        self.tx.execute(
            "INSERT INTO subject_flags (party_id, flag, set_on, request_id) \
             SELECT $1, $2, $3, $4 WHERE NOT EXISTS \
             (SELECT 1 FROM subject_flags WHERE party_id = $1 AND flag = $2 AND lifted_on IS NULL)",
            &[&party.0, &flag, &on, &request],
        )?;
        Ok(())
    }

    fn lift_flag(&mut self, party: PartyId, flag: &str, on: Date, reason: &str) -> Result<u64> {
        Ok(self.tx.execute(
            "UPDATE subject_flags SET lifted_on = $1, lift_reason = $2 \
             WHERE party_id = $3 AND flag = $4 AND lifted_on IS NULL",
            &[&on, &reason, &party.0, &flag],
        )?)
    }

    fn update_request(&mut self, request: i64, u: &RequestUpdate) -> Result<()> {
        if let Some(s) = &u.status {
            self.tx.execute(
                "UPDATE rights_requests SET status = $1 WHERE id = $2",
                &[s, &request],
            )?;
        }
        if let Some(o) = &u.outcome {
            self.tx.execute(
                "UPDATE rights_requests SET outcome = $1 WHERE id = $2",
                &[o, &request],
            )?;
        }
        if let Some((method, by, at)) = &u.verified {
            self.tx.execute(
                "UPDATE rights_requests SET verification = 'verified', verification_method = $1, verified_by = $2, verified_at = $3 WHERE id = $4",
                &[method, by, at, &request],
            )?;
        }
        if let Some((deadline, reason)) = &u.extension {
            self.tx.execute(
                "UPDATE rights_requests SET deadline_on = $1, extension_reason = $2 WHERE id = $3",
                &[deadline, reason, &request],
            )?;
        }
        Ok(())
    }
}

impl RightsStore for PgStore {
    fn insert_rights_request(&self, r: &NewRightsRequest) -> Result<i64> {
        let (verification, method, by, at) = match &r.verified {
            Some((m, b)) => ("verified", Some(m), Some(b), Some(r.received_at)),
            None => ("unverified", None, None, None),
        };
        Ok(self
            .conn()?
            .query_one(
                "INSERT INTO rights_requests (kind, party_id, channel, received_at, deadline_on, verification, \
                 verification_method, verified_by, verified_at, status, params, outcome, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'received', $10, '{}', $11) RETURNING id",
                &[
                    &r.kind,
                    &r.party.0,
                    &r.channel,
                    &r.received_at,
                    &r.deadline_on,
                    &verification,
                    &method,
                    &by,
                    &at,
                    &r.params,
                    &r.created_by,
                ],
            )?
            .try_get(0)?)
    }

    fn rights_request(&self, id: i64) -> Result<Option<RightsRequestRow>> {
        self.conn()?
            .query_opt(
                &format!("SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id = $1"),
                &[&id],
            )?
            .as_ref()
            .map(request_row)
            .transpose()
    }

    fn rights_requests(&self, status: Option<&str>, limit: u32) -> Result<Vec<RightsRequestRow>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE ($1::TEXT IS NULL OR status = $1) ORDER BY id DESC LIMIT $2"
                ),
                &[&status, &i64::from(limit)],
            )?
            .iter()
            .map(request_row)
            .collect()
    }

    fn rights_steps(&self, request: i64) -> Result<Vec<RightsStepRow>> {
        self.conn()?
            .query(
                "SELECT step, actor, at, detail FROM rights_request_steps WHERE request_id = $1 ORDER BY id",
                &[&request],
            )?
            .iter()
            .map(|r| {
                Ok(RightsStepRow {
                    step: r.try_get(0)?,
                    actor: r.try_get(1)?,
                    at: r.try_get(2)?,
                    detail: r.try_get(3)?,
                })
            })
            .collect()
    }

    fn rights_step(
        &self,
        request: i64,
        step: &str,
        actor: &str,
        at: Timestamp,
        body: &mut StepBody<'_>,
    ) -> Result<StepRun> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        // A second runner of the same step waits here for the first to
        // commit, then finds the row and does nothing.
        let inserted = tx.execute(
            "INSERT INTO rights_request_steps (request_id, step, actor, at, detail) \
             VALUES ($1, $2, $3, $4, '') ON CONFLICT (request_id, step) DO NOTHING",
            &[&request, &step, &actor, &at],
        )?;
        if inserted == 0 {
            return Ok(StepRun::AlreadyDone);
        }
        let detail = body(&mut Tx { tx: &mut tx })?;
        tx.execute(
            "UPDATE rights_request_steps SET detail = $1 WHERE request_id = $2 AND step = $3",
            &[&detail, &request, &step],
        )?;
        tx.commit()?;
        Ok(StepRun::Done)
    }

    fn rights_notifications(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM rights_notifications WHERE ($1::TEXT IS NULL OR state = $1) ORDER BY id LIMIT $2"
                ),
                &[&state, &i64::from(limit)],
            )?
            .iter()
            .map(notification_row)
            .collect()
    }

    fn rights_notifications_for_request(&self, request: i64) -> Result<Vec<NotificationRow>> {
        self.conn()?
            .query(
                &format!(
                    "SELECT {NOTIFICATION_COLUMNS} FROM rights_notifications WHERE request_id = $1 ORDER BY id"
                ),
                &[&request],
            )?
            .iter()
            .map(notification_row)
            .collect()
    }

    fn set_notification_state(&self, id: i64, state: &str, at: Timestamp) -> Result<bool> {
        let column = match state {
            "sent" => "sent_at",
            "acknowledged" => "acknowledged_at",
            other => {
                return Err(StoreError::Invariant(format!(
                    "a notification cannot move to '{other}'"
                )));
            }
        };
        let n = self.conn()?.execute(
            &format!("UPDATE rights_notifications SET state = $1, {column} = $2 WHERE id = $3"),
            &[&state, &at, &id],
        )?;
        Ok(n > 0)
    }

    fn subject_flags(&self, party: PartyId) -> Result<Vec<SubjectFlagRow>> {
        self.conn()?
            .query(
                "SELECT flag, set_on, request_id, lifted_on, lift_reason FROM subject_flags WHERE party_id = $1 ORDER BY id",
                &[&party.0],
            )?
            .iter()
            .map(|r| {
                Ok(SubjectFlagRow {
                    flag: r.try_get(0)?,
                    set_on: r.try_get(1)?,
                    request: r.try_get(2)?,
                    lifted_on: r.try_get(3)?,
                    lift_reason: r.try_get(4)?,
                })
            })
            .collect()
    }

    fn active_flags(&self, party: PartyId) -> Result<Vec<String>> {
        self.conn()?
            .query(
                "SELECT DISTINCT flag FROM subject_flags WHERE party_id = $1 AND lifted_on IS NULL",
                &[&party.0],
            )?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    fn subject_cases(&self, party: PartyId) -> Result<Vec<SubjectCase>> {
        subject_cases(&mut *self.conn()?, party)
    }

    fn party_client(&self, party: PartyId) -> Result<Option<ClientId>> {
        Ok(self
            .conn()?
            .query_opt("SELECT client_id FROM parties WHERE id = $1", &[&party.0])?
            .map(|r| r.try_get(0))
            .transpose()?
            .map(ClientId))
    }

    fn subject_extract(&self, party: PartyId) -> Result<SubjectExtract> {
        let mut conn = self.conn()?;
        // One snapshot for every table.
        let mut tx = conn
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let cases = subject_cases(&mut tx, party)?;
        let accounts = case_accounts(&cases);
        let mut gather = Gather::default();
        // Arrays of the subject's cases and accounts rather than a
        // subquery: without statistics (right after a bulk load) the planner
        // would hash a subquery against a sequential scan.
        let case_ids: Vec<i64> = cases.iter().map(|c| c.case.0).collect();
        for q in extract_queries("{c} = ANY($1)", "{c} = ANY($1)") {
            let rows = if q.by_accounts {
                if accounts.is_empty() {
                    continue;
                }
                tx.query(&q.sql, &[&accounts])?
            } else if q.by_cases {
                if case_ids.is_empty() {
                    continue;
                }
                tx.query(&q.sql, &[&case_ids])?
            } else {
                tx.query(&q.sql, &[&party.0])?
            };
            let (n, tail) = (q.columns.len(), q.tail());
            let out = rows
                .iter()
                .map(|r| {
                    let values = (0..n).map(|i| value(r, i)).collect::<Result<Vec<_>>>()?;
                    let links = (n..n + tail)
                        .map(|i| r.try_get::<_, Option<i64>>(i))
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    Ok((values, links))
                })
                .collect::<Result<Vec<_>>>()?;
            gather.table(q, out);
        }
        let ids: Vec<i64> = gather.import_ids.iter().copied().collect();
        let imports = tx
            .query(
                "SELECT i.id, c.ref, i.source, i.created_at::TEXT FROM imports i JOIN clients c ON c.id = i.client_id \
                 WHERE i.id = ANY($1) ORDER BY i.id",
                &[&ids],
            )?
            .iter()
            .map(|r| {
                Ok(ImportSource {
                    id: r.try_get(0)?,
                    client_ref: r.try_get(1)?,
                    source: r.try_get(2)?,
                    at: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(SubjectExtract {
            cases,
            tables: gather.tables,
            imports,
        })
    }

    fn leading_index_columns(&self) -> Result<Vec<(String, String)>> {
        self.conn()?
            .query(
                "SELECT t.relname::TEXT, a.attname::TEXT FROM pg_index i \
                 JOIN pg_class t ON t.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] \
                 WHERE n.nspname = current_schema()",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}
