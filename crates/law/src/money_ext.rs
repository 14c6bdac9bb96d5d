//! Checked money arithmetic that the optimiser can inline on hot paths (the
//! statement of account runs a million times a second).

use kwijting_domain::{Money, MoneyError};

use crate::LawError;

pub(crate) trait MoneyExt: Sized {
    fn plus(self, other: Money) -> Result<Money, LawError>;
    fn minus(self, other: Money) -> Result<Money, LawError>;
}

impl MoneyExt for Money {
    #[inline]
    fn plus(self, other: Money) -> Result<Money, LawError> {
        // A match, not `ok_or`: the error is built only when it happens.
        match self.cents().checked_add(other.cents()) {
            Some(cents) => Ok(Money::from_cents(cents)),
            None => Err(LawError::Money(MoneyError::Overflow)),
        }
    }

    #[inline]
    fn minus(self, other: Money) -> Result<Money, LawError> {
        match self.cents().checked_sub(other.cents()) {
            Some(cents) => Ok(Money::from_cents(cents)),
            None => Err(LawError::Money(MoneyError::Overflow)),
        }
    }
}
