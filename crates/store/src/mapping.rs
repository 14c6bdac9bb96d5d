//! A client's saved column mapping for claim files (the TOML text, checked
//! by the service before it is saved). Written once for both engines over
//! the shared [`Sql`] adapter of `arrangement.rs`.

use crate::Result;
use crate::arrangement::{ArrangementStore, Sql, date, int, text};
use crate::model::{ClientId, Date};

pub trait ClientMappingStore: ArrangementStore {
    /// Saves (or replaces) the client's mapping.
    fn save_client_mapping(&self, client: ClientId, mapping: &str, saved_on: Date) -> Result<()> {
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            db.exec(
                "INSERT INTO client_mappings (client_id, mapping, saved_on) VALUES ($1, $2, $3) \
                 ON CONFLICT (client_id) DO UPDATE SET mapping = excluded.mapping, saved_on = excluded.saved_on",
                &[int(client.0), text(mapping), date(saved_on)],
            )?;
            Ok(())
        })
    }

    /// The client's saved mapping and the day it was saved.
    fn client_mapping(&self, client: ClientId) -> Result<Option<(String, Date)>> {
        let mut out = None;
        self.arrangement_tx(&mut |db: &mut dyn Sql| {
            let rows = db.rows(
                "SELECT mapping, saved_on FROM client_mappings WHERE client_id = $1",
                &[int(client.0)],
            )?;
            out = match rows.first() {
                Some(r) => Some((r[0].text("mapping")?, r[1].date("saved_on")?)),
                None => None,
            };
            Ok(())
        })?;
        Ok(out)
    }
}

impl<T: ArrangementStore + ?Sized> ClientMappingStore for T {}
