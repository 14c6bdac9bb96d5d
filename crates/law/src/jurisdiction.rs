//! The seam for more jurisdictions: what every country's collection law must
//! answer. The Netherlands ([`crate::nl::Netherlands`]) is the first.
//!
//! The value types are those of the Dutch module for now; a second
//! jurisdiction will show which of them are general and move them here.

use kwijting_domain::{ClaimId, Date, Money};

use crate::LawError;
use crate::nl::allocation::{Allocation, ClaimForAllocation, ClaimParts};
use crate::nl::costs::{Costs, CostsRequest};
use crate::nl::deadline::DemandLetterDeadline;
use crate::nl::interest::{InterestCalculation, InterestKind};
use crate::nl::limitation::{Interruption, LimitationKind, LimitationStatus};

/// One country's collection law. Pure: no I/O, no clock.
pub trait Jurisdiction {
    /// ISO 3166-1 alpha-2 code.
    fn code(&self) -> &'static str;

    /// The extrajudicial collection costs of a demand.
    fn collection_costs(&self, request: &CostsRequest) -> Result<Costs, LawError>;

    /// Interest on `principal` from `from` to `to`, both inclusive.
    fn interest(
        &self,
        kind: InterestKind,
        principal: Money,
        from: Date,
        to: Date,
    ) -> Result<InterestCalculation, LawError>;

    /// Which claims a payment goes to.
    fn allocate_across_claims(
        &self,
        payment: Money,
        paid_on: Date,
        designated: Option<ClaimId>,
        claims: &[ClaimForAllocation],
    ) -> Result<Allocation, LawError>;

    /// Which parts of one claim a payment goes to.
    fn allocate_within_claim(
        &self,
        amount: Money,
        owed: &ClaimParts,
    ) -> Result<(ClaimParts, Money), LawError>;

    /// The dates of a demand letter that must pass before costs are owed.
    fn demand_letter_deadline(&self, sent_on: Date) -> Result<DemandLetterDeadline, LawError>;

    /// The limitation of a claim on a day.
    fn limitation(
        &self,
        kind: LimitationKind,
        due_on: Date,
        interruptions: &[(Date, Interruption)],
        as_of: Date,
    ) -> Result<LimitationStatus, LawError>;
}
