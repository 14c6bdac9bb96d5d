//! Rights requests on SQLite.

use jiff::Timestamp;
use jiff::civil::Date;
use kwijting_domain::{CaseId, ClientId, PartyId};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, corrupt, date, in_tx, opt_date};
use crate::rights::*;
use crate::{Result, StoreError};

fn ts(table: &'static str, column: &'static str, s: &str) -> Result<Timestamp> {
    s.parse()
        .map_err(|e: jiff::Error| corrupt(table, column, s, &e.to_string()))
}

fn opt_ts(
    table: &'static str,
    column: &'static str,
    s: Option<String>,
) -> Result<Option<Timestamp>> {
    s.map(|s| ts(table, column, &s)).transpose()
}

fn sql(pg: &str) -> String {
    pg.replace('$', "?")
}

fn request_row(r: &rusqlite::Row<'_>) -> Result<RightsRequestRow> {
    let received: String = r.get(4)?;
    let deadline: String = r.get(5)?;
    let verification: String = r.get(7)?;
    Ok(RightsRequestRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        party: PartyId(r.get(2)?),
        channel: r.get(3)?,
        received_at: ts("rights_requests", "received_at", &received)?,
        deadline_on: date("rights_requests", "deadline_on", &deadline)?,
        extension_reason: r.get(6)?,
        verified: verification == "verified",
        verification_method: r.get(8)?,
        verified_by: r.get(9)?,
        verified_at: opt_ts("rights_requests", "verified_at", r.get(10)?)?,
        status: r.get(11)?,
        params: r.get(12)?,
        outcome: r.get(13)?,
        created_by: r.get(14)?,
    })
}

fn notification_row(r: &rusqlite::Row<'_>) -> Result<NotificationRow> {
    let created: String = r.get(8)?;
    Ok(NotificationRow {
        id: r.get(0)?,
        request: r.get(1)?,
        party: PartyId(r.get(2)?),
        kind: r.get(3)?,
        recipient: r.get(4)?,
        categories: r.get(5)?,
        detail: r.get(6)?,
        state: r.get(7)?,
        created_at: ts("rights_notifications", "created_at", &created)?,
        sent_at: opt_ts("rights_notifications", "sent_at", r.get(9)?)?,
        acknowledged_at: opt_ts("rights_notifications", "acknowledged_at", r.get(10)?)?,
    })
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Text(f.to_string()),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Text(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

fn subject_cases(c: &Connection, party: PartyId) -> Result<Vec<SubjectCase>> {
    let mut st = c.prepare_cached(&sql(SUBJECT_CASES_SQL))?;
    let mut rows = st.query(params![party.0])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let status: String = r.get(4)?;
        out.push(SubjectCase {
            case: CaseId(r.get(0)?),
            number: r.get(1)?,
            client: ClientId(r.get(2)?),
            role: r.get(3)?,
            open: !status.starts_with("closed"),
        });
    }
    Ok(out)
}

struct Tx<'a> {
    c: &'a Connection,
}

impl RightsTx for Tx<'_> {
    fn place_hold(
        &mut self,
        case: CaseId,
        kind: &str,
        reason: &str,
        on: Date,
        by: &str,
    ) -> Result<()> {
        self.c
            .prepare_cached(
                "INSERT INTO holds (case_id, kind, reason, placed_on, placed_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![case.0, kind, reason, on.to_string(), by])?;
        Ok(())
    }

    fn lift_holds(&mut self, case: CaseId, kind: &str, on: Date) -> Result<u64> {
        Ok(self
            .c
            .prepare_cached(
                "UPDATE holds SET lifted_on = ?1 WHERE case_id = ?2 AND kind = ?3 AND lifted_on IS NULL",
            )?
            .execute(params![on.to_string(), case.0, kind])? as u64)
    }

    fn update_party(&mut self, party: PartyId, column: &str, value: Option<&str>) -> Result<()> {
        let column = rectifiable(column)?;
        self.c.execute(
            &format!("UPDATE parties SET {column} = ?1 WHERE id = ?2"),
            params![value, party.0],
        )?;
        Ok(())
    }

    fn add_notification(&mut self, n: &NewNotification) -> Result<i64> {
        self.c
            .prepare_cached(
                "INSERT INTO rights_notifications (request_id, party_id, kind, recipient, categories, detail, state, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
            )?
            .execute(params![
                n.request,
                n.party.0,
                n.kind,
                n.recipient,
                n.categories,
                n.detail,
                n.at.to_string()
            ])?;
        Ok(self.c.last_insert_rowid())
    }

    fn set_flag(&mut self, party: PartyId, flag: &str, on: Date, request: i64) -> Result<()> {
        self.c
            .prepare_cached(
                "INSERT INTO subject_flags (party_id, flag, set_on, request_id) \
                 SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS \
                 (SELECT 1 FROM subject_flags WHERE party_id = ?1 AND flag = ?2 AND lifted_on IS NULL)",
            )?
            .execute(params![party.0, flag, on.to_string(), request])?;
        Ok(())
    }

    fn lift_flag(&mut self, party: PartyId, flag: &str, on: Date, reason: &str) -> Result<u64> {
        Ok(self
            .c
            .prepare_cached(
                "UPDATE subject_flags SET lifted_on = ?1, lift_reason = ?2 \
                 WHERE party_id = ?3 AND flag = ?4 AND lifted_on IS NULL",
            )?
            .execute(params![on.to_string(), reason, party.0, flag])? as u64)
    }

    fn update_request(&mut self, request: i64, u: &RequestUpdate) -> Result<()> {
        if let Some(s) = &u.status {
            self.c.execute(
                "UPDATE rights_requests SET status = ?1 WHERE id = ?2",
                params![s, request],
            )?;
        }
        if let Some(o) = &u.outcome {
            self.c.execute(
                "UPDATE rights_requests SET outcome = ?1 WHERE id = ?2",
                params![o, request],
            )?;
        }
        if let Some((method, by, at)) = &u.verified {
            self.c.execute(
                "UPDATE rights_requests SET verification = 'verified', verification_method = ?1, verified_by = ?2, verified_at = ?3 WHERE id = ?4",
                params![method, by, at.to_string(), request],
            )?;
        }
        if let Some((deadline, reason)) = &u.extension {
            self.c.execute(
                "UPDATE rights_requests SET deadline_on = ?1, extension_reason = ?2 WHERE id = ?3",
                params![deadline.to_string(), reason, request],
            )?;
        }
        Ok(())
    }
}

impl RightsStore for SqliteStore {
    fn insert_rights_request(&self, r: &NewRightsRequest) -> Result<i64> {
        let conn = self.conn()?;
        let (verification, method, by, at) = match &r.verified {
            Some((m, b)) => (
                "verified",
                Some(m.as_str()),
                Some(b.as_str()),
                Some(r.received_at.to_string()),
            ),
            None => ("unverified", None, None, None),
        };
        conn.execute(
            "INSERT INTO rights_requests (kind, party_id, channel, received_at, deadline_on, verification, \
             verification_method, verified_by, verified_at, status, params, outcome, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'received', ?10, '{}', ?11)",
            params![
                r.kind,
                r.party.0,
                r.channel,
                r.received_at.to_string(),
                r.deadline_on.to_string(),
                verification,
                method,
                by,
                at,
                r.params,
                r.created_by
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn rights_request(&self, id: i64) -> Result<Option<RightsRequestRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE id = ?1"
        ))?;
        let mut rows = st.query(params![id])?;
        rows.next()?.map(request_row).transpose()
    }

    fn rights_requests(&self, status: Option<&str>, limit: u32) -> Result<Vec<RightsRequestRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS} FROM rights_requests WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"
        ))?;
        let mut rows = st.query(params![status, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(request_row(r)?);
        }
        Ok(out)
    }

    fn rights_steps(&self, request: i64) -> Result<Vec<RightsStepRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT step, actor, at, detail FROM rights_request_steps WHERE request_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query(params![request])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at: String = r.get(2)?;
            out.push(RightsStepRow {
                step: r.get(0)?,
                actor: r.get(1)?,
                at: ts("rights_request_steps", "at", &at)?,
                detail: r.get(3)?,
            });
        }
        Ok(out)
    }

    fn rights_step(
        &self,
        request: i64,
        step: &str,
        actor: &str,
        at: Timestamp,
        body: &mut StepBody<'_>,
    ) -> Result<StepRun> {
        let conn = self.conn()?;
        in_tx(&conn, |c| {
            let inserted = c
                .prepare_cached(
                    "INSERT INTO rights_request_steps (request_id, step, actor, at, detail) \
                     VALUES (?1, ?2, ?3, ?4, '') ON CONFLICT (request_id, step) DO NOTHING",
                )?
                .execute(params![request, step, actor, at.to_string()])?;
            if inserted == 0 {
                return Ok(StepRun::AlreadyDone);
            }
            let detail = body(&mut Tx { c })?;
            c.execute(
                "UPDATE rights_request_steps SET detail = ?1 WHERE request_id = ?2 AND step = ?3",
                params![detail, request, step],
            )?;
            Ok(StepRun::Done)
        })
    }

    fn rights_notifications(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<NotificationRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM rights_notifications WHERE (?1 IS NULL OR state = ?1) ORDER BY id LIMIT ?2"
        ))?;
        let mut rows = st.query(params![state, limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(notification_row(r)?);
        }
        Ok(out)
    }

    fn rights_notifications_for_request(&self, request: i64) -> Result<Vec<NotificationRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM rights_notifications WHERE request_id = ?1 ORDER BY id"
        ))?;
        let mut rows = st.query(params![request])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(notification_row(r)?);
        }
        Ok(out)
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
        let conn = self.conn()?;
        let n = conn.execute(
            &format!("UPDATE rights_notifications SET state = ?1, {column} = ?2 WHERE id = ?3"),
            params![state, at.to_string(), id],
        )?;
        Ok(n > 0)
    }

    fn subject_flags(&self, party: PartyId) -> Result<Vec<SubjectFlagRow>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT flag, set_on, request_id, lifted_on, lift_reason FROM subject_flags WHERE party_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query(params![party.0])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let set_on: String = r.get(1)?;
            out.push(SubjectFlagRow {
                flag: r.get(0)?,
                set_on: date("subject_flags", "set_on", &set_on)?,
                request: r.get(2)?,
                lifted_on: opt_date("subject_flags", "lifted_on", r.get(3)?)?,
                lift_reason: r.get(4)?,
            });
        }
        Ok(out)
    }

    fn active_flags(&self, party: PartyId) -> Result<Vec<String>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT DISTINCT flag FROM subject_flags WHERE party_id = ?1 AND lifted_on IS NULL",
        )?;
        let rows = st.query_map(params![party.0], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    fn subject_cases(&self, party: PartyId) -> Result<Vec<SubjectCase>> {
        let conn = self.conn()?;
        subject_cases(&conn, party)
    }

    fn party_client(&self, party: PartyId) -> Result<Option<ClientId>> {
        let conn = self.conn()?;
        Ok(conn
            .prepare_cached("SELECT client_id FROM parties WHERE id = ?1")?
            .query_row(params![party.0], |r| r.get(0))
            .optional()?
            .map(ClientId))
    }

    fn subject_extract(&self, party: PartyId) -> Result<SubjectExtract> {
        let conn = self.conn()?;
        // One read transaction: every table as of the same moment.
        conn.execute_batch("BEGIN")?;
        let res = extract(&conn, party);
        let _ = conn.execute_batch("COMMIT");
        res
    }

    fn leading_index_columns(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare(
            "SELECT m.name, ii.name FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
             WHERE m.type = 'table' AND ii.seqno = 0 \
             UNION SELECT m.name, ti.name FROM sqlite_master m, pragma_table_info(m.name) ti \
             WHERE m.type = 'table' AND ti.pk = 1",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn extract(conn: &Connection, party: PartyId) -> Result<SubjectExtract> {
    let cases = subject_cases(conn, party)?;
    let accounts = case_accounts(&cases);
    let mut gather = Gather::default();
    let list: String = (1..accounts.len() + 1)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    // SQLite plans the case subquery through the indexes on both sides.
    let by_cases = format!("{{c}} IN ({SUBJECT_CASE_IDS})");
    for q in extract_queries(&by_cases, "{c} IN ($ACCOUNTS)") {
        let text = if q.by_accounts {
            if accounts.is_empty() {
                continue;
            }
            q.sql.replace("$ACCOUNTS", &list)
        } else {
            q.sql.clone()
        };
        let mut st = conn.prepare_cached(&sql(&text))?;
        let args: Vec<&dyn rusqlite::ToSql> = if q.by_accounts {
            accounts.iter().map(|a| a as &dyn rusqlite::ToSql).collect()
        } else {
            vec![&party.0]
        };
        let mut rows = st.query(args.as_slice())?;
        let (n, tail) = (q.columns.len(), q.tail());
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let values = (0..n)
                .map(|i| r.get_ref(i).map(value))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let links = (n..n + tail)
                .map(|i| r.get::<_, Option<i64>>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push((values, links));
        }
        drop(rows);
        drop(st);
        gather.table(q, out);
    }
    let mut imports = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT i.id, c.ref, i.source, i.created_at FROM imports i JOIN clients c ON c.id = i.client_id WHERE i.id = ?1",
    )?;
    for id in gather.import_ids {
        if let Some(row) = st
            .query_row(params![id], |r| {
                Ok(ImportSource {
                    id: r.get(0)?,
                    client_ref: r.get(1)?,
                    source: r.get(2)?,
                    at: r.get(3)?,
                })
            })
            .optional()?
        {
            imports.push(row);
        }
    }
    Ok(SubjectExtract {
        cases,
        tables: gather.tables,
        imports,
    })
}
