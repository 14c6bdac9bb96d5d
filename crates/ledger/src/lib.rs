//! The trust-account ledger of Kwijting (issue 5): double-entry accounts per
//! case, client and agency, immutable balanced transfers with their source,
//! posting recipes for money in and out, and matching of bank credits to
//! cases.
//!
//! Invariants (see `README.md` in this crate):
//! - pure: no I/O, no clock, no randomness, no floats; every date is an
//!   input; money is integer cents;
//! - a [`Transfer`] can only be built balanced (overall and per
//!   [`Segment`]); a [`Ledger`] only takes transfers through
//!   [`Ledger::apply`], which is idempotent by key and refuses anything
//!   that would break an invariant, checking before and after;
//! - corrections are reversals linked to what they reverse, never edits.

pub mod account;
pub mod keymap;
pub mod ledger;
pub mod matching;
pub mod recipe;
pub mod transfer;

pub use account::{AccountKind, Segment, Side};
pub use ledger::{Applied, CaseBalance, Ledger, LedgerError, Violation};
pub use transfer::{
    Posting, Source, SourceKind, Transfer, TransferError, TransferKey, TransferKind,
};
