//! Exact money: integer euro cents. No floating point anywhere.

use std::fmt;

/// An amount of euros held as integer cents. Arithmetic is checked: an
/// overflow is an error, never a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    cents: i64,
}

/// How a division that does not come out in whole cents is rounded. Every
/// rounding point in Kwijting names one of these explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Half a cent and more goes away from zero (commercial rounding, the
    /// convention of the Dutch statutory interest computation).
    HalfUp,
    /// Towards zero: never charge a fraction the debtor does not owe.
    Down,
    /// Away from zero.
    Up,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount overflows")]
    Overflow,
    #[error("'{0}' is not an amount in euros (use digits with at most two decimals, e.g. 1234.56)")]
    Parse(String),
    #[error("amount must not be negative: {0}")]
    Negative(String),
    #[error("amount must be greater than zero: {0}")]
    NotPositive(String),
}

impl Money {
    pub const ZERO: Money = Money { cents: 0 };

    pub const fn from_cents(cents: i64) -> Money {
        Money { cents }
    }

    pub fn from_euros(euros: i64) -> Result<Money, MoneyError> {
        euros
            .checked_mul(100)
            .map(Money::from_cents)
            .ok_or(MoneyError::Overflow)
    }

    pub const fn cents(self) -> i64 {
        self.cents
    }

    pub const fn is_zero(self) -> bool {
        self.cents == 0
    }

    pub const fn is_negative(self) -> bool {
        self.cents < 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.cents
            .checked_add(other.cents)
            .map(Money::from_cents)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.cents
            .checked_sub(other.cents)
            .map(Money::from_cents)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.cents
            .checked_neg()
            .map(Money::from_cents)
            .ok_or(MoneyError::Overflow)
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    /// `self * numerator / denominator`, rounded as asked, computed in 128 bits
    /// so that no intermediate product overflows or loses a fraction.
    pub fn mul_ratio(
        self,
        numerator: i64,
        denominator: i64,
        rounding: Rounding,
    ) -> Result<Money, MoneyError> {
        let n = i128::from(self.cents) * i128::from(numerator);
        let q = div_round(n, i128::from(denominator), rounding).ok_or(MoneyError::Overflow)?;
        i64::try_from(q)
            .map(Money::from_cents)
            .map_err(|_| MoneyError::Overflow)
    }

    /// Splits the amount over `weights` so that the parts add up to exactly
    /// the whole (largest-remainder method; ties go to the earlier weight).
    /// Returns `None` when the weights are empty or sum to zero or less.
    pub fn allocate(self, weights: &[i64]) -> Option<Vec<Money>> {
        let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        if weights.is_empty() || total <= 0 || weights.iter().any(|w| *w < 0) {
            return None;
        }
        let whole = i128::from(self.cents);
        let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let n = whole * i128::from(*w);
            parts.push(n.div_euclid(total));
            remainders.push((n.rem_euclid(total), i));
        }
        let mut left = whole - parts.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left == 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        parts
            .into_iter()
            .map(|p| i64::try_from(p).ok().map(Money::from_cents))
            .collect()
    }

    /// Parses a euro amount as written in an import file or on the command
    /// line: digits, optionally a `.` or `,` and one or two decimals, an
    /// optional leading minus. No thousands separators, no currency sign.
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let err = || MoneyError::Parse(s.to_owned());
        let t = s.trim();
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int_part, frac_part) = match t.find(['.', ',']) {
            Some(pos) => (&t[..pos], &t[pos + 1..]),
            None => (t, ""),
        };
        if int_part.is_empty()
            || int_part.len() > 15
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || frac_part.len() > 2
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || (t.contains(['.', ',']) && frac_part.is_empty())
        {
            return Err(err());
        }
        let whole: i64 = int_part.parse().map_err(|_| err())?;
        let frac: i64 = match frac_part.len() {
            0 => 0,
            1 => frac_part.parse::<i64>().map_err(|_| err())? * 10,
            _ => frac_part.parse().map_err(|_| err())?,
        };
        let cents = whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::from_cents(if negative { -cents } else { cents }))
    }

    /// Parses an amount that must be zero or more.
    pub fn parse_non_negative(s: &str) -> Result<Money, MoneyError> {
        let m = Money::parse(s)?;
        if m.is_negative() {
            return Err(MoneyError::Negative(s.to_owned()));
        }
        Ok(m)
    }

    /// Parses an amount that must be more than zero.
    pub fn parse_positive(s: &str) -> Result<Money, MoneyError> {
        let m = Money::parse(s)?;
        if m.cents <= 0 {
            return Err(MoneyError::NotPositive(s.to_owned()));
        }
        Ok(m)
    }

    /// Dutch notation for letters and the portals: `€ 1.234,56`.
    pub fn to_dutch(self) -> String {
        let abs = self.cents.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
        for (i, ch) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(ch);
        }
        let sign = if self.cents < 0 { "-" } else { "" };
        format!("{sign}€ {grouped},{:02}", abs % 100)
    }
}

/// Integer division of `n` by `d` with explicit rounding. `None` when `d` is 0.
pub fn div_round(n: i128, d: i128, rounding: Rounding) -> Option<i128> {
    if d == 0 {
        return None;
    }
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    // q is floor(n/d); r in [0, d).
    Some(match rounding {
        Rounding::Down => {
            if n < 0 && r != 0 {
                q + 1
            } else {
                q
            }
        }
        Rounding::Up => {
            if n >= 0 && r != 0 {
                q + 1
            } else {
                q
            }
        }
        Rounding::HalfUp => {
            if n >= 0 {
                if 2 * r >= d { q + 1 } else { q }
            } else if 2 * r > d {
                q + 1
            } else {
                q
            }
        }
    })
}

/// Plain notation, as in files and JSON-adjacent text: `-1234.56`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.cents.unsigned_abs();
        let sign = if self.cents < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        let check = |input: &str, cents: i64| {
            assert_eq!(Money::parse(input).unwrap().cents(), cents, "{input}");
        };
        check("2700.00", 270000);
        check("2700", 270000);
        check("2700,5", 270050);
        check("0.07", 7);
        check("-12.34", -1234);
        for bad in ["", "1.", ".5", "1.234", "1,000.00", "€5", "1e3", "12a", "--1"] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Money::from_cents(-123456).to_string(), "-1234.56");
        assert_eq!(Money::from_cents(123456789).to_dutch(), "€ 1.234.567,89");
        assert_eq!(Money::from_cents(5).to_dutch(), "€ 0,05");
        assert!(matches!(
            Money::parse_positive("0.00"),
            Err(MoneyError::NotPositive(_))
        ));
        assert!(matches!(
            Money::parse_non_negative("-1"),
            Err(MoneyError::Negative(_))
        ));
    }

    #[test]
    fn rounding_is_explicit() {
        let m = Money::from_cents(5);
        assert_eq!(m.mul_ratio(1, 2, Rounding::HalfUp).unwrap().cents(), 3);
        assert_eq!(m.mul_ratio(1, 2, Rounding::Down).unwrap().cents(), 2);
        assert_eq!(m.mul_ratio(1, 3, Rounding::Up).unwrap().cents(), 2);
        let n = Money::from_cents(-5);
        assert_eq!(n.mul_ratio(1, 2, Rounding::HalfUp).unwrap().cents(), -3);
        assert_eq!(n.mul_ratio(1, 2, Rounding::Down).unwrap().cents(), -2);
        assert_eq!(div_round(7, 0, Rounding::Down), None);
    }

    #[test]
    fn overflow_is_an_error() {
        let max = Money::from_cents(i64::MAX);
        assert_eq!(max.checked_add(Money::from_cents(1)), Err(MoneyError::Overflow));
        assert!(max.mul_ratio(2, 1, Rounding::Down).is_err());
    }

    proptest! {
        #[test]
        fn allocation_conserves_every_cent(cents in -1_000_000_000i64..1_000_000_000,
                                           weights in proptest::collection::vec(0i64..1_000_000, 1..12)) {
            prop_assume!(weights.iter().sum::<i64>() > 0);
            let parts = Money::from_cents(cents).allocate(&weights).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.cents()).sum::<i64>(), cents);
        }

        #[test]
        fn display_round_trips(cents in -1_000_000_000_000i64..1_000_000_000_000) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }
    }
}
