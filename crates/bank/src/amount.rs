//! Exact decimal amounts from bank files.
//!
//! The rule for more than two decimals (camt allows up to five): digits past
//! the cent that are all zero are exact and accepted (`18.150` is 18.15, as in
//! the genkgo five-decimal sample); a non-zero digit past the cent is refused,
//! never rounded, because a booked euro amount cannot hold a fraction of a
//! cent and rounding would make the statement disagree with the bank.

use kwijting_domain::Money;

/// Most integer digits accepted: 10^15 cents fit an i64 with room to add.
const INTEGER_DIGITS_MAX: usize = 15;
/// Most decimals accepted (ISO 20022 amounts carry at most five).
const DECIMALS_MAX: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AmountError {
    Shape,
    SubCent,
}

impl AmountError {
    pub(crate) fn describe(&self, text: &str) -> String {
        match self {
            AmountError::Shape => format!(
                "'{text}' is not an amount (digits, a decimal separator and at most {DECIMALS_MAX} decimals)"
            ),
            AmountError::SubCent => format!(
                "'{text}' has a non-zero digit past the cent; amounts are kept exact and such an amount is refused, not rounded"
            ),
        }
    }
}

/// Parses a non-negative amount with `separator` as decimal mark (`.` in
/// camt, `,` in MT940). An empty fraction (`10,`) is allowed, as MT940 writes it.
pub(crate) fn parse_amount(text: &str, separator: char) -> Result<Money, AmountError> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let (int_part, frac_part) = match t.split_once(separator) {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || int_part.len() > INTEGER_DIGITS_MAX + 3
        || frac_part.len() > DECIMALS_MAX
        || !digits(int_part)
        || !digits(frac_part)
    {
        return Err(AmountError::Shape);
    }
    let int_trimmed = int_part.trim_start_matches('0');
    if int_trimmed.len() > INTEGER_DIGITS_MAX {
        return Err(AmountError::Shape);
    }
    if frac_part.len() > 2 && frac_part[2..].bytes().any(|b| b != b'0') {
        return Err(AmountError::SubCent);
    }
    let mut cents: i64 = 0;
    for b in int_trimmed.bytes() {
        cents = cents * 10 + i64::from(b - b'0');
    }
    let frac = frac_part.as_bytes();
    let d = |i: usize| frac.get(i).map_or(0, |b| i64::from(b - b'0'));
    cents = cents * 100 + d(0) * 10 + d(1);
    Ok(Money::from_cents(cents))
}

/// Writes an amount as ISO 20022 wants it: `1234.56`, never negative.
pub(crate) fn format_amount(m: Money) -> String {
    let c = m.cents().unsigned_abs();
    format!("{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_decimals() {
        let ok = |t: &str, sep: char, cents: i64| {
            assert_eq!(parse_amount(t, sep).map(Money::cents), Ok(cents), "{t}");
        };
        ok("8.85", '.', 885);
        ok("18.150", '.', 1815);
        ok("5442.09000", '.', 544209);
        ok("200000", '.', 20000000);
        ok("0", '.', 0);
        ok("4.1", '.', 410);
        ok("10,", ',', 1000);
        ok("000000001147,95", ',', 114795);
        ok(".5", '.', 50);
        for bad in ["", ".", "-1.00", "1.2.3", "1,5", "1e5", "12 3", "1.000001"] {
            assert_eq!(parse_amount(bad, '.'), Err(AmountError::Shape), "{bad}");
        }
        assert_eq!(parse_amount("1.001", '.'), Err(AmountError::SubCent));
        assert_eq!(parse_amount("0.12345", '.'), Err(AmountError::SubCent));
        assert_eq!(
            parse_amount("9999999999999999", '.'),
            Err(AmountError::Shape)
        );
    }
}
