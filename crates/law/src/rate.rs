//! Rates in basis points: 1 bps = 0.01 percentage point.

use std::fmt;

/// A yearly rate in basis points (`600` is 6.00%). Never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RateBps(u32);

/// The highest rate the engine accepts: 100% a year. Anything above is a typo.
const RATE_BPS_MAX: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("'{0}' is not a percentage (use digits with at most two decimals, e.g. 21 or 10.15)")]
    Percent(String),
    #[error("'{0}' is not a rate in basis points (a whole number, e.g. 1015 for 10.15%)")]
    Bps(String),
    #[error("rate {0} bps is above the maximum of 10000 bps (100%)")]
    TooHigh(u32),
    #[error("rate table line {line}: {message}")]
    Line { line: usize, message: String },
    #[error(
        "rate table: the line for {effective_from} conflicts with a confirmed line for the \
         same date; confirmed lines are not overwritten"
    )]
    ConflictsWithConfirmed { effective_from: String },
}

impl RateBps {
    pub const ZERO: RateBps = RateBps(0);
    /// The Dutch standard VAT rate, 21% (art. 9 Wet OB 1968): collection
    /// costs are raised by it when the creditor cannot deduct VAT (art. 2(3)
    /// BIK).
    pub const VAT_NL: RateBps = RateBps(2_100);

    pub fn new(bps: u32) -> Result<RateBps, RateError> {
        if bps > RATE_BPS_MAX {
            return Err(RateError::TooHigh(bps));
        }
        Ok(RateBps(bps))
    }

    pub const fn bps(self) -> u32 {
        self.0
    }

    /// Parses basis points as written in the rate table: `1015`.
    pub fn parse_bps(s: &str) -> Result<RateBps, RateError> {
        let t = s.trim();
        if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RateError::Bps(s.to_owned()));
        }
        let bps: u32 = t.parse().map_err(|_| RateError::Bps(s.to_owned()))?;
        RateBps::new(bps)
    }

    /// Parses a percentage as a person writes it: `21`, `10.15`, `6,5`.
    pub fn parse_percent(s: &str) -> Result<RateBps, RateError> {
        let err = || RateError::Percent(s.to_owned());
        let t = s.trim().trim_end_matches('%');
        let (int_part, frac_part) = match t.find(['.', ',']) {
            Some(pos) => (&t[..pos], &t[pos + 1..]),
            None => (t, ""),
        };
        if int_part.is_empty()
            || int_part.len() > 3
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || frac_part.len() > 2
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || (t.contains(['.', ',']) && frac_part.is_empty())
        {
            return Err(err());
        }
        let whole: u32 = int_part.parse().map_err(|_| err())?;
        let frac: u32 = match frac_part.len() {
            0 => 0,
            1 => frac_part.parse::<u32>().map_err(|_| err())? * 10,
            _ => frac_part.parse().map_err(|_| err())?,
        };
        RateBps::new(whole * 100 + frac)
    }
}

/// As a percentage with two decimals: `6.00`, `10.15`.
impl fmt::Display for RateBps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percentages_and_bps() {
        let check = |input: &str, bps: u32| {
            assert_eq!(RateBps::parse_percent(input).unwrap().bps(), bps, "{input}");
        };
        check("21", 2100);
        check("10.15", 1015);
        check("6,5", 650);
        check("0", 0);
        check("9%", 900);
        for bad in ["", "-1", "1.", "1.234", "abc", "101", "1e2"] {
            assert!(RateBps::parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(RateBps::parse_bps("1015").unwrap().to_string(), "10.15");
        assert_eq!(RateBps::parse_bps("600").unwrap().to_string(), "6.00");
        assert!(RateBps::parse_bps("10001").is_err());
        assert!(RateBps::parse_bps("6.0").is_err());
    }
}
