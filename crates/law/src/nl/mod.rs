//! The Netherlands: Dutch collection law (nl-law.md).

pub mod allocation;
pub mod costs;
pub mod deadline;
pub mod holidays;
pub mod interest;
pub mod limitation;
pub mod rates;

use kwijting_domain::{ClaimId, Date, Money};

use crate::jurisdiction::Jurisdiction;
use crate::{LawError, RateError};
use allocation::{Allocation, ClaimForAllocation, ClaimParts};
use costs::{Costs, CostsRequest, InstalmentCostsRule};
use deadline::DemandLetterDeadline;
use holidays::Holidays;
use interest::{InterestCalculation, InterestKind};
use limitation::{Interruption, LimitationKind, LimitationStatus};
use rates::RateTable;

/// Dutch law with its data: the rate table, the bridge days and the
/// configurable instalment-costs rule.
#[derive(Debug, Clone)]
pub struct Netherlands {
    rates: RateTable,
    holidays: Holidays,
    instalment_rule: InstalmentCostsRule,
}

impl Netherlands {
    /// With the shipped rate table, no bridge days and the cautious
    /// instalment rule.
    pub fn new() -> Result<Netherlands, RateError> {
        Ok(Netherlands::with_data(
            RateTable::shipped()?,
            Holidays::statutory(),
            InstalmentCostsRule::default(),
        ))
    }

    pub fn with_data(
        rates: RateTable,
        holidays: Holidays,
        instalment_rule: InstalmentCostsRule,
    ) -> Netherlands {
        Netherlands {
            rates,
            holidays,
            instalment_rule,
        }
    }

    pub fn rates(&self) -> &RateTable {
        &self.rates
    }

    /// For adding operator lines and recording assumptions.
    pub fn rates_mut(&mut self) -> &mut RateTable {
        &mut self.rates
    }

    pub fn holidays(&self) -> &Holidays {
        &self.holidays
    }

    pub fn instalment_rule(&self) -> &InstalmentCostsRule {
        &self.instalment_rule
    }
}

impl Jurisdiction for Netherlands {
    fn code(&self) -> &'static str {
        "NL"
    }

    fn collection_costs(&self, request: &CostsRequest) -> Result<Costs, LawError> {
        costs::collection_costs(request)
    }

    fn interest(
        &self,
        kind: InterestKind,
        principal: Money,
        from: Date,
        to: Date,
    ) -> Result<InterestCalculation, LawError> {
        interest::interest(&self.rates, kind, principal, from, to)
    }

    fn allocate_across_claims(
        &self,
        payment: Money,
        paid_on: Date,
        designated: Option<ClaimId>,
        claims: &[ClaimForAllocation],
    ) -> Result<Allocation, LawError> {
        allocation::allocate_across_claims(payment, paid_on, designated, claims)
    }

    fn allocate_within_claim(
        &self,
        amount: Money,
        owed: &ClaimParts,
    ) -> Result<(ClaimParts, Money), LawError> {
        allocation::allocate_within_claim(amount, owed)
    }

    fn demand_letter_deadline(&self, sent_on: Date) -> Result<DemandLetterDeadline, LawError> {
        deadline::demand_letter_deadline(sent_on, &self.holidays)
    }

    fn limitation(
        &self,
        kind: LimitationKind,
        due_on: Date,
        interruptions: &[(Date, Interruption)],
        as_of: Date,
    ) -> Result<LimitationStatus, LawError> {
        limitation::limitation(kind, due_on, interruptions, as_of)
    }
}
