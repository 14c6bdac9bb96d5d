//! Payment references a debtor quotes when paying: the ISO 11649 RF creditor
//! reference and the Dutch betalingskenmerk (structured reference, `Issr=CUR`).

use std::fmt;

use crate::iban::mod97;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error(
        "'{0}' is not an RF creditor reference (RF, two check digits, 1 to 21 letters or digits)"
    )]
    RfShape(String),
    #[error("'{0}' fails the RF check digits (ISO 11649)")]
    RfChecksum(String),
    #[error("'{0}' is not a betalingskenmerk: it must have 7, 9 to 14, or 16 digits")]
    KenmerkLength(String),
    #[error("'{0}' fails the betalingskenmerk check digit")]
    KenmerkChecksum(String),
    #[error("'{0}' has a wrong length digit for a betalingskenmerk")]
    KenmerkLengthDigit(String),
}

/// ISO 11649 structured creditor reference, e.g. `RF18539007547034`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorReference(String);

impl CreditorReference {
    pub fn parse(input: &str) -> Result<CreditorReference, ReferenceError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = compact.as_bytes();
        if !(5..=25).contains(&b.len())
            || !compact.starts_with("RF")
            || !b[2..4].iter().all(u8::is_ascii_digit)
            || !b[4..].iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(ReferenceError::RfShape(input.to_owned()));
        }
        if mod97(compact[4..].bytes().chain(compact[..4].bytes())) != 1 {
            return Err(ReferenceError::RfChecksum(input.to_owned()));
        }
        Ok(CreditorReference(compact))
    }

    /// Builds the RF reference for a creditor's own reference (1 to 21
    /// letters or digits): check = 98 - (reference + "RF00" mod 97).
    pub fn generate(reference: &str) -> Result<CreditorReference, ReferenceError> {
        let r = reference.to_ascii_uppercase();
        if r.is_empty() || r.len() > 21 || !r.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ReferenceError::RfShape(reference.to_owned()));
        }
        let check = 98 - mod97(r.bytes().chain("RF00".bytes()));
        CreditorReference::parse(&format!("RF{check:02}{r}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Dutch structured payment reference ("betalingskenmerk"): 7 digits without
/// check digit, 9 to 14 digits (check digit, length digit, number) or 16
/// digits (check digit and 15 digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Betalingskenmerk(String);

const KENMERK_WEIGHTS: [u32; 10] = [2, 4, 8, 5, 10, 9, 7, 3, 6, 1];

fn kenmerk_check_digit(digits_after_check: &[u8]) -> u32 {
    let sum: u32 = digits_after_check
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * KENMERK_WEIGHTS[i % KENMERK_WEIGHTS.len()])
        .sum();
    match 11 - (sum % 11) {
        10 => 1,
        11 => 0,
        c => c,
    }
}

impl Betalingskenmerk {
    pub fn parse(input: &str) -> Result<Betalingskenmerk, ReferenceError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let b = compact.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(ReferenceError::KenmerkLength(input.to_owned()));
        }
        match b.len() {
            7 => {}
            9..=14 | 16 => {
                if b.len() != 16 {
                    // The length digit counts the digits after it, mod 10.
                    let expected = ((b.len() - 2) % 10) as u8;
                    if b[1] - b'0' != expected {
                        return Err(ReferenceError::KenmerkLengthDigit(input.to_owned()));
                    }
                }
                if u32::from(b[0] - b'0') != kenmerk_check_digit(&b[1..]) {
                    return Err(ReferenceError::KenmerkChecksum(input.to_owned()));
                }
            }
            _ => return Err(ReferenceError::KenmerkLength(input.to_owned())),
        }
        Ok(Betalingskenmerk(compact))
    }

    /// A 16-digit betalingskenmerk for a number below 10^15 (a case id).
    pub fn generate16(number: u64) -> Result<Betalingskenmerk, ReferenceError> {
        if number >= 1_000_000_000_000_000 {
            return Err(ReferenceError::KenmerkLength(number.to_string()));
        }
        let body = format!("{number:015}");
        let c = kenmerk_check_digit(body.as_bytes());
        Ok(Betalingskenmerk(format!("{c}{body}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Betalingskenmerk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Examples from ../shared/reference/sepa.md ("Payment references").
    #[test]
    fn rf_examples_from_reference() {
        for ok in ["RF18539007547034", "RF712348231", "RF45G72UUR", "RF6518K5"] {
            assert!(CreditorReference::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            CreditorReference::parse("RF17539007547034"),
            Err(ReferenceError::RfChecksum("RF17539007547034".into()))
        );
        assert_eq!(
            CreditorReference::generate("539007547034")
                .unwrap()
                .as_str(),
            "RF18539007547034"
        );
    }

    #[test]
    fn kenmerk_examples_from_reference() {
        for ok in [
            "5000056789012345",
            "12234534622567",
            "1067931951601240",
            "6767676767676766",
            "1234567",
        ] {
            assert!(Betalingskenmerk::parse(ok).is_ok(), "{ok}");
        }
        assert!(Betalingskenmerk::parse("4420043232693268").is_err());
        assert!(Betalingskenmerk::parse("12345678").is_err());
        assert!(Betalingskenmerk::parse("123456789012345").is_err());
    }

    proptest! {
        #[test]
        fn generated_references_validate(n in 0u64..1_000_000_000_000_000) {
            let k = Betalingskenmerk::generate16(n).unwrap();
            prop_assert!(Betalingskenmerk::parse(k.as_str()).is_ok());
            let rf = CreditorReference::generate(&n.to_string()).unwrap();
            prop_assert!(CreditorReference::parse(rf.as_str()).is_ok());
        }
    }
}
