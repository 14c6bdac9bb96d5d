//! The SQLite side of [`ArrangementStore`]: the shared SQL through an
//! adapter over the connection, in an IMMEDIATE transaction.

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, params_from_iter};

use super::{SqliteStore, in_tx};
use crate::arrangement::{ArrangementStore, Sql, Val};
use crate::{Result, StoreError};

pub(super) struct Adapter<'c>(pub(super) &'c Connection);

/// The shared SQL numbers its parameters `$n`; SQLite must see `?n`
/// (`$n` would be numbered by order of appearance).
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn bind(v: &Val) -> Value {
    match v {
        Val::Int(Some(i)) => Value::Integer(*i),
        Val::Text(Some(s)) => Value::Text(s.clone()),
        Val::Date(Some(d)) => Value::Text(d.to_string()),
        Val::Ts(Some(t)) => Value::Text(t.to_string()),
        Val::Int(None) | Val::Text(None) | Val::Date(None) | Val::Ts(None) => Value::Null,
    }
}

impl Sql for Adapter<'_> {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64> {
        let mut st = self.0.prepare_cached(&sqlite_sql(sql))?;
        Ok(st.execute(params_from_iter(args.iter().map(bind)))? as u64)
    }

    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>> {
        let mut st = self.0.prepare_cached(&sqlite_sql(sql))?;
        let n = st.column_count();
        let mut rows = st.query(params_from_iter(args.iter().map(bind)))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(match r.get_ref(i)? {
                    ValueRef::Null => Val::Int(None),
                    ValueRef::Integer(x) => Val::Int(Some(x)),
                    ValueRef::Text(t) => Val::Text(Some(String::from_utf8_lossy(t).into_owned())),
                    ValueRef::Real(_) | ValueRef::Blob(_) => {
                        return Err(StoreError::Invariant(format!(
                            "column {i} of an arrangement query is neither integer nor text"
                        )));
                    }
                });
            }
            out.push(vals);
        }
        Ok(out)
    }
}

impl ArrangementStore for SqliteStore {
    fn arrangement_tx(&self, body: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()> {
        let conn = self.conn()?;
        in_tx(&conn, |c| body(&mut Adapter(c)))
    }
}
