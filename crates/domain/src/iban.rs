//! International Bank Account Number (ISO 13616) with the mod-97 check and,
//! for Dutch accounts, the national shape (4-letter bank code, 10 digits).

use std::fmt;

/// A validated IBAN, stored in electronic form (no spaces, upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iban(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("'{0}' is not an IBAN: expected a country code, two check digits and the account")]
    Shape(String),
    #[error(
        "'{0}' is not a Dutch IBAN: expected NL, two check digits, a 4-letter bank code and 10 digits"
    )]
    DutchShape(String),
    #[error("'{0}' fails the IBAN check digits (mod 97)")]
    Checksum(String),
}

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, IbanError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = compact.as_bytes();
        if !(15..=34).contains(&b.len())
            || !b[..2].iter().all(u8::is_ascii_uppercase)
            || !b[2..4].iter().all(u8::is_ascii_digit)
            || !b[4..].iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(IbanError::Shape(input.to_owned()));
        }
        if &compact[..2] == "NL"
            && (b.len() != 18
                || !b[4..8].iter().all(u8::is_ascii_uppercase)
                || !b[8..].iter().all(u8::is_ascii_digit))
        {
            return Err(IbanError::DutchShape(input.to_owned()));
        }
        if mod97(compact[4..].bytes().chain(compact[..4].bytes())) != 1 {
            return Err(IbanError::Checksum(input.to_owned()));
        }
        Ok(Iban(compact))
    }

    /// Builds a Dutch IBAN from a bank code and a 10-digit account number,
    /// computing the check digits. Used by the synthetic-data generator.
    pub fn dutch(bank_code: &str, account: u64) -> Result<Iban, IbanError> {
        let bban = format!("{bank_code}{account:010}");
        let check = 98 - mod97(bban.bytes().chain("NL00".bytes()));
        Iban::parse(&format!("NL{check:02}{bban}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// ISO 7064 mod 97-10 over alphanumerics, letters as 10..35. Shared by IBAN,
/// RF creditor references and SEPA creditor identifiers.
pub fn mod97(chars: impl Iterator<Item = u8>) -> u32 {
    let mut rem: u32 = 0;
    for c in chars {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            _ => continue,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem
}

/// Print form: groups of four, as on a letter.
impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            // The IBAN is ASCII by construction.
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        for ok in [
            "NL91ABNA0417164300",
            "nl91 abna 0417 1643 00",
            "DE89370400440532013000",
            "BE68539007547034",
            "GB82WEST12345698765432",
        ] {
            assert!(Iban::parse(ok).is_ok(), "{ok}");
        }
        assert!(matches!(
            Iban::parse("NL91ABNA0417164301"),
            Err(IbanError::Checksum(_))
        ));
        assert!(matches!(
            Iban::parse("NL91ABNA041716430"),
            Err(IbanError::DutchShape(_))
        ));
        assert!(matches!(
            Iban::parse("NL91AB1A0417164300"),
            Err(IbanError::DutchShape(_))
        ));
        assert!(matches!(Iban::parse("12345"), Err(IbanError::Shape(_))));
        assert_eq!(
            Iban::parse("NL91ABNA0417164300").unwrap().to_string(),
            "NL91 ABNA 0417 1643 00"
        );
    }

    #[test]
    fn builds_dutch_ibans() {
        let iban = Iban::dutch("ABNA", 417164300).unwrap();
        assert_eq!(iban.as_str(), "NL91ABNA0417164300");
    }
}
