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
        self.cents()
            .checked_add(other.cents())
            .map(Money::from_cents)
            .ok_or_else(|| LawError::Money(MoneyError::Overflow))
    }

    #[inline]
    fn minus(self, other: Money) -> Result<Money, LawError> {
        self.cents()
            .checked_sub(other.cents())
            .map(Money::from_cents)
            .ok_or_else(|| LawError::Money(MoneyError::Overflow))
    }
}
