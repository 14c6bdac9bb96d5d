//! The pure domain core of Kwijting: money, identifiers, parties, cases and
//! claims as types that cannot hold an invalid value.
//!
//! Invariant: this crate performs no I/O, reads no clock and draws no random
//! numbers. Every date it needs is passed in (`as_of`). It knows nothing of
//! SQL, HTTP or any wire format (no serde).

pub mod actor;
pub mod case;
pub mod iban;
pub mod ids;
pub mod money;
pub mod party;
pub mod postcode;
pub mod reference;

pub use actor::{Actor, ActorKind, ClientScope, PurposeId, Role};
pub use case::{CaseNumber, CaseStatus, ClosureReason, DebtorType, TransitionError};
pub use iban::{Iban, IbanError};
pub use ids::{CaseId, ClaimId, ClientId, PartyId};
pub use money::{Money, MoneyError, Rounding};
pub use party::{ClientRole, KvkNumber, PartyKind, PartyRole};
pub use postcode::{Postcode, PostcodeError};
pub use reference::{Betalingskenmerk, CreditorReference, ReferenceError};

/// A civil (calendar) date without time zone. Every computation in the core
/// takes its `as_of` date as an argument: time is an input.
pub type Date = jiff::civil::Date;

/// Parses an ISO 8601 calendar date (`YYYY-MM-DD`) and nothing else.
pub fn parse_date(s: &str) -> Result<Date, DateError> {
    let bytes = s.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(DateError::Shape(s.to_owned()));
    }
    let num = |r: std::ops::Range<usize>| -> i32 {
        bytes[r]
            .iter()
            .fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'))
    };
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    // The casts cannot truncate: four and two ASCII digits.
    Date::new(y as i16, m as i8, d as i8).map_err(|_| DateError::NoSuchDay(s.to_owned()))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("'{0}' is not a date in the form YYYY-MM-DD")]
    Shape(String),
    #[error("'{0}' is not a day of the calendar")]
    NoSuchDay(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(matches!(
            parse_date("2023-02-29"),
            Err(DateError::NoSuchDay(_))
        ));
        for bad in ["2024-2-29", "29-02-2024", "2024/02/29", "", "2024-02-29T00"] {
            assert!(matches!(parse_date(bad), Err(DateError::Shape(_))), "{bad}");
        }
    }
}
