//! SEPA identifiers and text as the EPC rulebooks restrict them: creditor
//! identifier, end-to-end id, mandate id, BIC, and the Latin character set.

use std::fmt;

use kwijting_domain::iban::mod97;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SepaIdError {
    #[error(
        "'{0}' is not a SEPA creditor identifier: expected a country code, 2 check digits, a \
         3-character business code (ZZZ) and the national identifier; for NL the national \
         identifier is the 8-digit KvK number and a 4-digit suffix"
    )]
    CreditorIdShape(String),
    #[error("'{0}' fails the creditor identifier check digits (ISO 7064 mod 97)")]
    CreditorIdChecksum(String),
    #[error("'{value}' is not a valid {what}: {problem}")]
    Reference {
        what: &'static str,
        value: String,
        problem: &'static str,
    },
    #[error(
        "'{0}' is not a BIC: expected 4 letters (bank), 2 letters (country), 2 characters (location) and optionally 3 (branch)"
    )]
    Bic(String),
}

/// A SEPA creditor identifier (EPC262-08), e.g. `NL22ZZZ524885430000`:
/// country, check digits over the national identifier (ISO 7064 mod 97,
/// skipping the business code), business code (`ZZZ` unless the creditor
/// chose one), national identifier. A Dutch one is `NLkkZZZ` + KvK number +
/// 4-digit suffix, 19 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorId(String);

impl CreditorId {
    pub fn parse(input: &str) -> Result<CreditorId, SepaIdError> {
        let id: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let b = id.as_bytes();
        let shape = || SepaIdError::CreditorIdShape(input.to_owned());
        if !(8..=35).contains(&b.len())
            || !b[..2].iter().all(u8::is_ascii_uppercase)
            || !b[2..4].iter().all(u8::is_ascii_digit)
            || !b[4..].iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(shape());
        }
        let national = &id[7..];
        if &id[..2] == "NL"
            && (national.len() != 12 || !national.bytes().all(|c| c.is_ascii_digit()))
        {
            return Err(shape());
        }
        if mod97(national.bytes().chain(id[..4].bytes())) != 1 {
            return Err(SepaIdError::CreditorIdChecksum(input.to_owned()));
        }
        Ok(CreditorId(id))
    }

    /// Builds the identifier from a country, business code and national
    /// identifier, computing the check digits.
    pub fn build(
        country: &str,
        business_code: &str,
        national: &str,
    ) -> Result<CreditorId, SepaIdError> {
        let check = 98 - mod97(national.bytes().chain(country.bytes()).chain("00".bytes()));
        CreditorId::parse(&format!("{country}{check:02}{business_code}{national}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The KvK number of a Dutch creditor identifier.
    pub fn kvk(&self) -> Option<&str> {
        (self.0.starts_with("NL")).then(|| &self.0[7..15])
    }
}

impl fmt::Display for CreditorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters the EPC allows in SEPA references and text.
pub(crate) fn is_sepa_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c)
}

/// EPC rules for references and identifications: 1 to 35 SEPA characters,
/// not starting or ending with `/`, no `//`.
fn check_reference(what: &'static str, s: &str) -> Result<(), SepaIdError> {
    let err = |problem| SepaIdError::Reference {
        what,
        value: s.to_owned(),
        problem,
    };
    if s.is_empty() {
        return Err(err("empty"));
    }
    if s.chars().count() > 35 {
        return Err(err("longer than 35 characters"));
    }
    if !s.chars().all(is_sepa_char) {
        return Err(err(
            "only a-z A-Z 0-9 / - ? : ( ) . , ' + and space are allowed",
        ));
    }
    if s.starts_with('/') || s.ends_with('/') {
        return Err(err("must not start or end with '/'"));
    }
    if s.contains("//") {
        return Err(err("must not contain '//'"));
    }
    Ok(())
}

macro_rules! reference_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<$name, SepaIdError> {
                check_reference($what, input)?;
                Ok($name(input.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

reference_type!(
    /// The end-to-end id that comes back on the statement and in returns:
    /// 1 to 35 characters `a-zA-Z0-9/-?:().,'+ `, no leading, trailing or
    /// double `/`.
    EndToEndId,
    "end-to-end id"
);
reference_type!(
    /// A direct-debit mandate reference: the same rules as [`EndToEndId`].
    MandateId,
    "mandate id"
);
reference_type!(
    /// A message or payment-information id: the same rules as [`EndToEndId`].
    MessageId,
    "message id"
);

/// A BIC (ISO 9362): 8 or 11 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

impl Bic {
    pub fn parse(input: &str) -> Result<Bic, SepaIdError> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if !(b.len() == 8 || b.len() == 11)
            || !b[..6].iter().all(u8::is_ascii_uppercase)
            || !b[6..].iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(SepaIdError::Bic(input.to_owned()));
        }
        Ok(Bic(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Converts text to the SEPA character set: accented Latin letters lose
/// their accent (EPC217-08 conversion: `é` -> `e`, `ß` -> `ss`), `&` becomes
/// `+`, other characters are refused (`None` with the first such character).
pub fn to_sepa_text(s: &str) -> Result<String, char> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_sepa_char(c) {
            out.push(c);
            continue;
        }
        let folded: &str = match c {
            'À'..='Å' => "A",
            'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
            'Æ' => "AE",
            'æ' => "ae",
            'Ç' | 'Ć' | 'Č' => "C",
            'ç' | 'ć' | 'č' => "c",
            'È'..='Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
            'è'..='ë' | 'ē' | 'ę' | 'ě' => "e",
            'Ì'..='Ï' | 'İ' => "I",
            'ì'..='ï' | 'ı' => "i",
            'Ñ' | 'Ń' | 'Ň' => "N",
            'ñ' | 'ń' | 'ň' => "n",
            'Ò'..='Ö' | 'Ø' | 'Ő' => "O",
            'ò'..='ö' | 'ø' | 'ő' => "o",
            'Œ' => "OE",
            'œ' => "oe",
            'Ù'..='Ü' | 'Ů' | 'Ű' => "U",
            'ù'..='ü' | 'ů' | 'ű' => "u",
            'Ý' | 'Ÿ' => "Y",
            'ý' | 'ÿ' => "y",
            'Š' | 'Ś' | 'Ş' => "S",
            'š' | 'ś' | 'ş' => "s",
            'Ž' | 'Ź' | 'Ż' => "Z",
            'ž' | 'ź' | 'ż' => "z",
            'Ł' => "L",
            'ł' => "l",
            'Ř' => "R",
            'ř' => "r",
            'Ğ' => "G",
            'ğ' => "g",
            'ß' => "ss",
            '&' => "+",
            '\u{2019}' | '\u{2018}' | '`' => "'",
            '"' => "'",
            _ => return Err(c),
        };
        out.push_str(folded);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creditor_ids() {
        let id = CreditorId::parse("NL22ZZZ524885430000").unwrap();
        assert_eq!(id.kvk(), Some("52488543"));
        assert_eq!(CreditorId::parse("nl22 zzz 5248 8543 0000").unwrap(), id);
        assert!(matches!(
            CreditorId::parse("NL89ZZZ011234567890"),
            Err(SepaIdError::CreditorIdChecksum(_))
        ));
        assert_eq!(CreditorId::build("NL", "ZZZ", "524885430000").unwrap(), id);
        for bad in [
            "",
            "NL22ZZZ52488543000",
            "NL22ZZZ5248854300AB",
            "1122ZZZ524885430000",
            "NLXXZZZ524885430000",
        ] {
            assert!(
                matches!(CreditorId::parse(bad), Err(SepaIdError::CreditorIdShape(_))),
                "{bad}"
            );
        }
        // The EPC example of a German identifier.
        assert!(CreditorId::parse("DE98ZZZ09999999999").is_ok());
    }

    #[test]
    fn end_to_end_ids() {
        for ok in ["KW000000017-2024-01", "A", "a/b", "(x):y?z.,'+ -"] {
            assert!(EndToEndId::parse(ok).is_ok(), "{ok}");
        }
        let too_long = "x".repeat(36);
        for bad in [
            "",
            "/abc",
            "abc/",
            "a//b",
            "é",
            "a_b",
            "a&b",
            too_long.as_str(),
        ] {
            assert!(EndToEndId::parse(bad).is_err(), "{bad}");
        }
        assert!(MandateId::parse(&"M".repeat(35)).is_ok());
    }

    #[test]
    fn text_conversion() {
        assert_eq!(
            to_sepa_text("Müller & Zn. Çelik Straße").unwrap(),
            "Muller + Zn. Celik Strasse"
        );
        assert_eq!(to_sepa_text("a\u{4e2d}"), Err('\u{4e2d}'));
        assert!(Bic::parse("INGBNL2A").is_ok());
        assert!(Bic::parse("ABNANL2AXXX").is_ok());
        assert!(Bic::parse("ING").is_err());
    }
}
