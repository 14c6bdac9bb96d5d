//! The PostgreSQL side of [`ArrangementStore`]: the shared SQL through an
//! adapter over one transaction, values typed by column.

use postgres::types::{ToSql, Type};

use super::PgStore;
use crate::arrangement::{ArrangementStore, Sql, Val};
use crate::model::{Date, Timestamp};
use crate::{Result, StoreError};

pub(super) struct Adapter<'a, 'b>(pub(super) &'a mut postgres::Transaction<'b>);

fn params(args: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter()
        .map(|v| match v {
            Val::Int(x) => x as &(dyn ToSql + Sync),
            Val::Text(x) => x as &(dyn ToSql + Sync),
            Val::Date(x) => x as &(dyn ToSql + Sync),
            Val::Ts(x) => x as &(dyn ToSql + Sync),
        })
        .collect()
}

impl Sql for Adapter<'_, '_> {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64> {
        Ok(self.0.execute(sql, &params(args))?)
    }

    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>> {
        let rows = self.0.query(sql, &params(args))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut vals = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let t = col.type_();
                vals.push(if *t == Type::INT8 {
                    Val::Int(r.try_get::<_, Option<i64>>(i)?)
                } else if *t == Type::INT4 {
                    Val::Int(r.try_get::<_, Option<i32>>(i)?.map(i64::from))
                } else if *t == Type::TEXT || *t == Type::VARCHAR {
                    Val::Text(r.try_get::<_, Option<String>>(i)?)
                } else if *t == Type::DATE {
                    Val::Date(r.try_get::<_, Option<Date>>(i)?)
                } else if *t == Type::TIMESTAMPTZ {
                    Val::Ts(r.try_get::<_, Option<Timestamp>>(i)?)
                } else {
                    return Err(StoreError::Invariant(format!(
                        "column {} of an arrangement query has type {t}",
                        col.name()
                    )));
                });
            }
            out.push(vals);
        }
        Ok(out)
    }
}

impl ArrangementStore for PgStore {
    fn arrangement_tx(&self, body: &mut dyn FnMut(&mut dyn Sql) -> Result<()>) -> Result<()> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        body(&mut Adapter(&mut tx))?;
        tx.commit()?;
        Ok(())
    }
}
