//! The interest rate table: the shipped lines plus what operators added,
//! kept in the database so a new half-year's rates need no new release.

use kwijting_domain::Actor;
use kwijting_law::nl::rates::RateTable;
use kwijting_store::{RateLineKind, RateLineRow};

use crate::{Access, Kwijting, ServiceError};

impl Kwijting {
    /// The rate table in force: shipped lines, then operator lines in the
    /// order they were added, then any recorded assumption.
    pub fn rate_table(&self) -> Result<RateTable, ServiceError> {
        let mut table = RateTable::shipped().map_err(|e| ServiceError::Invalid(e.to_string()))?;
        for row in self.store.rate_lines()? {
            apply(&mut table, &row).map_err(|e| {
                ServiceError::Invalid(format!(
                    "stored rate line '{}' no longer applies: {e}",
                    row.line
                ))
            })?;
        }
        Ok(table)
    }

    pub fn rate_lines(&self, actor: &Actor) -> Result<Vec<RateLineRow>, ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Read, "interest rates")?;
        Ok(self.store.rate_lines()?)
    }

    /// Adds an operator's rate line (`effective_from,consumer_bps,commercial_bps,status,source`),
    /// after checking it against the table in force: a refused line is not
    /// stored.
    pub fn add_rate_line(&self, actor: &Actor, line: &str) -> Result<(), ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "interest rates")?;
        let mut table = self.rate_table()?;
        table
            .add_operator_line(line.trim())
            .map_err(|e| ServiceError::Invalid(format!("rate line '{}': {e}", line.trim())))?;
        self.store.add_rate_line(
            RateLineKind::Rate,
            line.trim(),
            &actor.name(),
            self.clock().now(),
        )?;
        Ok(())
    }

    /// Records that the last commercial rate is assumed to continue until a
    /// new one is entered; every period computed on it is marked assumed.
    pub fn assume_commercial_rate_continues(
        &self,
        actor: &Actor,
        note: &str,
    ) -> Result<(), ServiceError> {
        self.door()
            .check(actor, None, &[], Access::Write, "interest rates")?;
        let note = note.trim();
        if note.is_empty() {
            return Err(ServiceError::Invalid(
                "an assumption needs a note saying why (e.g. the decree is not yet published)"
                    .into(),
            ));
        }
        self.store.add_rate_line(
            RateLineKind::AssumeCommercialContinues,
            note,
            &actor.name(),
            self.clock().now(),
        )?;
        Ok(())
    }
}

fn apply(table: &mut RateTable, row: &RateLineRow) -> Result<(), kwijting_law::RateError> {
    match row.kind {
        RateLineKind::Rate => table.add_operator_line(&row.line),
        RateLineKind::AssumeCommercialContinues => {
            table.assume_commercial_rate_continues(row.line.clone());
            Ok(())
        }
    }
}
