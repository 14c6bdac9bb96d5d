//! Dutch postcode: four digits (no leading zero), a space, two letters.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("'{0}' is not a Dutch postcode (expected four digits and two letters, e.g. 1234 AB)")]
    Shape(String),
}

impl Postcode {
    /// Accepts `1234AB`, `1234 ab` and `1234 AB`; stores `1234 AB`. The letter
    /// pairs SA, SD and SS are not issued by PostNL and are refused.
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let compact: Vec<u8> = input
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| b.to_ascii_uppercase())
            .collect();
        let ok = compact.len() == 6
            && compact[0] != b'0'
            && compact[..4].iter().all(u8::is_ascii_digit)
            && compact[4..].iter().all(u8::is_ascii_uppercase)
            && !matches!(&compact[4..], b"SA" | b"SD" | b"SS");
        if !ok {
            return Err(PostcodeError::Shape(input.to_owned()));
        }
        let s = String::from_utf8(compact).map_err(|_| PostcodeError::Shape(input.to_owned()))?;
        Ok(Postcode(format!("{} {}", &s[..4], &s[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(Postcode::parse("1234ab").unwrap().as_str(), "1234 AB");
        assert_eq!(Postcode::parse(" 9999 ZZ").unwrap().as_str(), "9999 ZZ");
        for bad in ["0123 AB", "123 AB", "1234 A1", "1234 SS", "12345 AB", ""] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }
}
