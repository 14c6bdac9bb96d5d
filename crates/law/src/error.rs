use kwijting_domain::{ClaimId, Date, MoneyError};

use crate::RateError;

/// Everything the law engine refuses, with a message a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LawError {
    #[error("the principal must not be negative (got {0})")]
    NegativePrincipal(kwijting_domain::Money),
    #[error("an amount must not be negative (got {0})")]
    NegativeAmount(kwijting_domain::Money),
    #[error("the last day of interest ({to}) lies before the first ({from})")]
    EndBeforeStart { from: Date, to: Date },
    #[error("{0} lies outside the dates the law engine handles (1900-01-01 to 2199-12-31)")]
    DateOutOfRange(Date),
    #[error("no interest rate is known for {date}: the rate table starts on {first_known}")]
    BeforeFirstRate { date: Date, first_known: Date },
    #[error(
        "no commercial interest rate (art. 6:119a BW) has been entered for the half-year \
         starting {half_year_start}; add the rate to the rate table, or record that the last \
         rate is assumed to continue"
    )]
    MissingCommercialRate { half_year_start: Date },
    #[error(transparent)]
    Rate(#[from] RateError),
    #[error("amount arithmetic overflowed: {0}")]
    Money(#[from] MoneyError),
    #[error("claim {0} appears twice in the case")]
    DuplicateClaim(ClaimId),
    #[error("payment names claim {0}, which is not part of the case")]
    UnknownClaim(ClaimId),
    #[error(
        "collection costs charged on {charged_on} for a consumer, but no 14-day letter \
         (art. 6:96(6) BW) was sent before it"
    )]
    NoDemandLetter { charged_on: Date },
    #[error(
        "collection costs charged on {charged_on}, but the 14-day term of the letter sent on \
         {sent_on} allows costs only from {costs_from} (art. 6:96(6) BW)"
    )]
    CostsBeforeTermEnded {
        charged_on: Date,
        sent_on: Date,
        costs_from: Date,
    },
    #[error(
        "a 14-day letter sent on {sent_on} does not count: the debtor is in default (verzuim, \
         art. 6:81 and 6:83(a) BW) only from {in_default_from}, the day after the payment \
         deadline, and the letter may be sent only then (art. 6:96(6) BW)"
    )]
    LetterBeforeDefault {
        sent_on: Date,
        in_default_from: Date,
    },
    #[error(
        "collection costs charged on {charged_on}, but the debtor is in default (verzuim, \
         art. 6:81 and 6:83(a) BW) only from {in_default_from}, the day after the payment \
         deadline; costs are due only from then (art. 6:96 BW)"
    )]
    CostsBeforeDefault {
        charged_on: Date,
        in_default_from: Date,
    },
    #[error(
        "the public holidays of {year} are not known to the engine (it knows the rules from \
         2014 on, when King's Day replaced Queen's Day)"
    )]
    HolidaysUnknown { year: i16 },
    #[error("collection costs were already charged; a second charge on {on} is refused")]
    CostsAlreadyCharged { on: Date },
    #[error(
        "a costs recalculation on {on} needs the client setting 'recalculate after a year' to \
         be on"
    )]
    RecalculationNotEnabled { on: Date },
    #[error("a costs recalculation on {on} needs costs charged before it")]
    RecalculationWithoutCosts { on: Date },
    #[error("amount {0} is larger than the engine accepts for one claim or payment")]
    TooLarge(kwijting_domain::Money),
    #[error("a case needs at least one claim")]
    NoClaims,
    #[error("too many {what}: {got} (at most {max})")]
    TooMany {
        what: &'static str,
        got: usize,
        max: usize,
    },
    #[error("a statement did not balance: {0} (this is a bug; the statement is refused)")]
    Invariant(&'static str),
}
