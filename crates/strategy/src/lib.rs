//! The collection strategy engine of Kwijting: which letter to send and
//! whether to propose legal steps, decided automatically on predetermined
//! variables (R9, R12), explained in plain language, and open to review by
//! a person (R39, GDPR art. 22).
//!
//! - Strategies and their assignment to cases are data ([`Strategy`],
//!   [`Assignment`], TOML; format in `README.md`), versioned.
//! - [`decide`] turns [`CaseFacts`] and a date into a [`Decision`] that
//!   names the variables it used, the step that fired or why none did, and
//!   whether a person must review it; [`Decision::explain`] renders it in
//!   Dutch or English, and [`StoredDecision::explain`] renders a decision
//!   as stored, with the same texts.
//! - Holds ([`Hold`]) stop or pause collection; a strategy never overrides
//!   them.
//! - Compliance guards in the engine: no costs for a consumer before the
//!   14-day term has passed (art. 6:96(6) BW), no contact outside the Wkid
//!   hours ([`next_contact_slot`]), no empty threats of legal steps, no
//!   pursuit of time-barred claims.
//!
//! Invariants: pure. No I/O, no clock, no randomness, no floating point; the
//! decision date is an argument. The daily run and storage belong to the
//! service layer.

// Cents are written with the cents apart: `250_00` is EUR 250.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod action;
pub mod arrangement;
mod assign;
mod contact;
mod engine;
mod error;
mod explain;
mod facts;
mod strategy;
mod vars;

#[cfg(test)]
mod tests;

pub use action::{ACTION_NAMES, Action, LegalRoute};
pub use assign::{
    Assigned, Assignment, AssignmentInput, BPS_ALL, CLIENTS_PER_RULE_MAX, Challenger, RULES_MAX,
    Rule, StrategyRef, Variant, fmix64, fnv1a_64, split_bucket,
};
pub use contact::{CONTACT_FROM_HOUR, CONTACT_UNTIL_HOUR, is_contact_allowed, next_contact_slot};
pub use engine::{
    Blocked, ClientSettings, Decision, Outcome, Skip, SkipReason, StepRef, WaitReason, decide,
};
pub use error::{Problem, StrategyError};
pub use explain::{Language, Review, StoredDecision, day_text};
pub use facts::{
    AddressStatus, ArrangementState, CaseFacts, DisputeState, Hold, HoldSet, ScoreBand, StepDone,
};
pub use strategy::{
    CONDITIONS_MAX, ID_LEN_MAX, Otherwise, STEPS_MAX, Step, Strategy, StrategyKey, WAIT_DAYS_MAX,
};
pub use vars::{
    Condition, LetterPhase, LetterState, Test, Var, VarKind, VarSet, VarValue, Variables,
};

pub use kwijting_law::nl::holidays::Holidays;
pub use kwijting_law::nl::limitation::{Interruption, LimitationKind};

use kwijting_domain::Date;

/// The default consumer strategy, as shipped.
pub const CONSUMER_STRATEGY_TOML: &str = include_str!("../strategies/consumer.toml");
/// The default business strategy, as shipped.
pub const BUSINESS_STRATEGY_TOML: &str = include_str!("../strategies/business.toml");
/// The strategy for a processor client's cases (receivables management),
/// as shipped.
pub const RECEIVABLES_STRATEGY_TOML: &str = include_str!("../strategies/receivables.toml");
/// The id of that strategy: the daily run gives it to every case of a
/// client under a processor mandate.
pub const RECEIVABLES_STRATEGY_ID: &str = "receivables-reminders";
/// The default assignment, as shipped.
pub const DEFAULT_ASSIGNMENT_TOML: &str = include_str!("../strategies/assignment.toml");

/// The shipped strategies and assignment, validated together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub strategies: Vec<Strategy>,
    pub assignment: Assignment,
}

/// Loads the shipped strategies and assignment.
pub fn defaults() -> Result<Defaults, StrategyError> {
    let strategies = vec![
        Strategy::from_toml_str(CONSUMER_STRATEGY_TOML, "strategies/consumer.toml")?,
        Strategy::from_toml_str(BUSINESS_STRATEGY_TOML, "strategies/business.toml")?,
        Strategy::from_toml_str(RECEIVABLES_STRATEGY_TOML, "strategies/receivables.toml")?,
    ];
    let assignment =
        Assignment::from_toml_str(DEFAULT_ASSIGNMENT_TOML, "strategies/assignment.toml")?;
    assignment.check_against(&strategies, "strategies/assignment.toml")?;
    Ok(Defaults {
        strategies,
        assignment,
    })
}

/// The last day on which a claim is not time-barred on `as_of`, for
/// [`CaseFacts::limitation_last_day`]: the law crate's limitation
/// (art. 3:307, 3:308, 3:317-3:319 BW, 7:28 BW) with the interruptions up to
/// `as_of`.
pub fn limitation_last_day(
    kind: LimitationKind,
    due_on: Date,
    interruptions: &[(Date, Interruption)],
    as_of: Date,
) -> Result<Date, StrategyError> {
    Ok(
        kwijting_law::nl::limitation::limitation(kind, due_on, interruptions, as_of)?
            .period
            .last_day,
    )
}
