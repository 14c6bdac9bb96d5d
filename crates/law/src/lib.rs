//! The law engine of Kwijting: the arithmetic and the deadlines of collection
//! law, as pure functions of their inputs.
//!
//! Invariants (see `README.md` in this crate):
//! - no I/O, no clock, no randomness, no serde: every date is an input (`as_of`),
//!   every table is data passed in or embedded at compile time;
//! - money is integer cents ([`Money`]); rates are basis points ([`RateBps`]);
//!   no floating point anywhere; every rounding point is named;
//! - one function per legal rule, named after it, with its article in the doc
//!   comment.
//!
//! The [`Jurisdiction`] trait is the seam for more countries; [`nl`] holds the
//! Netherlands, the first jurisdiction.
//!
//! Rules the reference marks *to confirm* are configurable data, never a
//! silent guess:
//! - the instalment-costs rule of 1 October 2024 (Stb. 2024, 44):
//!   [`nl::costs::InstalmentCostsRule`], cautious combined-letter reading by
//!   default, the EUR 140 cap an opt-in;
//! - provisional rate lines in `data/nl-rates.csv` (marked `provisional`, and
//!   every period that used one is marked in statements);
//! - bridge days (designated by decree) are passed in as data
//!   ([`nl::holidays::Holidays`]).

// Cents are written with the cents apart: `6_775_00` is EUR 6,775.00.
#![allow(clippy::inconsistent_digit_grouping)]

pub mod calendar;
mod error;
pub mod jurisdiction;
mod money_ext;
pub mod nl;
mod rate;
pub mod statement;

pub use error::LawError;
pub use jurisdiction::Jurisdiction;
pub use kwijting_domain::{Date, DebtorType, Money};
pub use rate::{RateBps, RateError};
