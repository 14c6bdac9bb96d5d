//! A client's mandate over time (R1): from which day the agency is the
//! client's processor or a controller. Written once for both engines over
//! the shared [`Sql`] adapter of `arrangement.rs`.

use crate::Result;
use crate::arrangement::{ArrangementStore, Sql, date, int, text};
use crate::model::{ClientId, ClientRole, Date};

/// A recorded change of a client's mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateChange {
    pub client: ClientId,
    pub role: ClientRole,
    pub effective_from: Date,
    pub recorded_on: Date,
    pub recorded_by: String,
}

pub trait MandateStore: ArrangementStore {
    /// Records a change; `false` when the client already has one from that
    /// day.
    fn record_mandate_change(&self, change: &MandateChange) -> Result<bool> {
        let mut added = false;
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            added = db.exec(
                "INSERT INTO client_mandates (client_id, role, effective_from, recorded_on, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (client_id, effective_from) DO NOTHING",
                &[
                    int(change.client.0),
                    text(change.role.as_str()),
                    date(change.effective_from),
                    date(change.recorded_on),
                    text(&change.recorded_by),
                ],
            )? > 0;
            Ok(())
        })?;
        Ok(added)
    }

    /// Every recorded change, by client and day.
    fn mandate_changes(&self) -> Result<Vec<MandateChange>> {
        let mut out = Vec::new();
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            out = db
                .rows(
                    "SELECT client_id, role, effective_from, recorded_on, recorded_by FROM client_mandates \
                     ORDER BY client_id, effective_from",
                    &[],
                )?
                .iter()
                .map(|r| {
                    let role = r[1].text("role")?;
                    Ok(MandateChange {
                        client: ClientId(r[0].int("client_id")?),
                        role: ClientRole::parse(&role).ok_or_else(|| {
                            crate::StoreError::Corrupt {
                                table: "client_mandates",
                                column: "role",
                                value: role.clone(),
                                reason: "unknown role".into(),
                            }
                        })?,
                        effective_from: r[2].date("effective_from")?,
                        recorded_on: r[3].date("recorded_on")?,
                        recorded_by: r[4].text("recorded_by")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(())
        })?;
        Ok(out)
    }

    /// Puts the mandate in force on `today` into `clients.role` for every
    /// client with a change on or before it. Returns the clients changed.
    fn apply_mandate_changes(&self, today: Date) -> Result<u64> {
        let mut n = 0;
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            n = db.exec(
                "UPDATE clients SET role = (SELECT m.role FROM client_mandates m \
                     WHERE m.client_id = clients.id AND m.effective_from <= $1 \
                     ORDER BY m.effective_from DESC LIMIT 1) \
                 WHERE role <> (SELECT m.role FROM client_mandates m \
                     WHERE m.client_id = clients.id AND m.effective_from <= $1 \
                     ORDER BY m.effective_from DESC LIMIT 1)",
                &[date(today)],
            )?;
            Ok(())
        })?;
        Ok(n)
    }
}

impl<T: ArrangementStore + ?Sized> MandateStore for T {}
