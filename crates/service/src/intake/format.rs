//! What a claim file looks like: its kind (CSV text or an xlsx workbook),
//! separator, number style, byte-order mark and line ends, detected per file
//! from its first bytes and lines; and reading amounts and dates in the
//! detected style. No floating point: amounts are rewritten as text and
//! parsed by [`Money`].

use std::fmt;

use kwijting_domain::{Date, Money, MoneyError};

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
        }
    }
}

/// How amounts (and dates) are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// `1234.56` (also `1234,56`), dates `2026-12-31`.
    #[default]
    Plain,
    /// `1.234,56` (thousands dots, decimal comma), dates `31-12-2026` or
    /// `2026-12-31`.
    Dutch,
}

impl NumberStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            NumberStyle::Plain => "plain",
            NumberStyle::Dutch => "dutch",
        }
    }

    /// How the style looks, for messages.
    pub fn example(self) -> &'static str {
        match self {
            NumberStyle::Plain => "1234.56",
            NumberStyle::Dutch => "1.234,56",
        }
    }
}

/// Why the number style is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StyleBasis {
    /// The amounts of the first lines show it.
    #[default]
    Amounts,
    /// No amount decided it; the dates (`31-12-2026`) did.
    Dates,
    /// Neither did; the separator did (`;` is what Dutch Excel writes).
    Separator,
}

impl StyleBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            StyleBasis::Amounts => "amounts",
            StyleBasis::Dates => "dates",
            StyleBasis::Separator => "separator",
        }
    }
}

/// What was detected about a file, for the import summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detected {
    pub kind: Option<FileKind>,
    /// The field separator of a CSV file.
    pub separator: Option<u8>,
    pub number_style: NumberStyle,
    pub style_basis: StyleBasis,
    /// A UTF-8 byte-order mark at the start (dropped).
    pub bom: bool,
    /// Lines end in CR LF (what Excel writes).
    pub crlf: bool,
    /// The sheet read from a workbook.
    pub sheet: Option<String>,
    /// The column mapping used, if any.
    pub mapping: Option<String>,
}

/// A separator as people name it.
pub fn separator_name(sep: u8) -> &'static str {
    match sep {
        b',' => "','",
        b';' => "';'",
        b'\t' => "tab",
        _ => "?",
    }
}

impl fmt::Display for Detected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Some(FileKind::Xlsx) => {
                write!(f, "xlsx, sheet '{}'", self.sheet.as_deref().unwrap_or("?"))?
            }
            _ => {
                write!(
                    f,
                    "csv, separator {}",
                    separator_name(self.separator.unwrap_or(b','))
                )?;
                if self.bom {
                    f.write_str(", UTF-8 BOM")?;
                }
                f.write_str(if self.crlf {
                    ", CRLF line ends"
                } else {
                    ", LF line ends"
                })?;
            }
        }
        write!(
            f,
            ", numbers {} ({}, from the {})",
            self.number_style.as_str(),
            self.number_style.example(),
            self.style_basis.as_str()
        )?;
        if let Some(m) = &self.mapping {
            write!(f, ", mapping {m}")?;
        }
        Ok(())
    }
}

/// What one amount says about the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Vote {
    Plain,
    Dutch,
    Undecided,
}

/// Reads the style an amount is written in, where it shows: `1.234,56`,
/// `1234,5` and `1.234` are Dutch; `1234.56` is plain; `1234` and `1,234`
/// say nothing.
pub(super) fn amount_vote(s: &str) -> Vote {
    let s = s.trim().trim_start_matches('-');
    let dot = s.rfind('.');
    let comma = s.rfind(',');
    let digits_after = |i: usize| {
        let tail = &s[i + 1..];
        (!tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())).then_some(tail.len())
    };
    match (dot, comma) {
        (Some(d), Some(c)) if d < c => Vote::Dutch,
        (Some(_), Some(_)) => Vote::Plain,
        (Some(d), None) => {
            let mut groups = s.split('.');
            let first = groups.next().unwrap_or("");
            let grouped = (1..=3).contains(&first.len())
                && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
            match digits_after(d) {
                Some(1 | 2) if s.matches('.').count() == 1 => Vote::Plain,
                _ if grouped => Vote::Dutch,
                _ => Vote::Undecided,
            }
        }
        (None, Some(c)) => match digits_after(c) {
            Some(1 | 2) => Vote::Dutch,
            _ => Vote::Undecided,
        },
        (None, None) => Vote::Undecided,
    }
}

/// Whether a date is written the Dutch way, `31-12-2026`.
pub(super) fn is_dutch_date(s: &str) -> bool {
    parse_dutch_date(s.trim()).is_ok()
}

/// The style from the votes of the first lines: the majority of the amounts
/// that show one, else Dutch dates, else the separator.
pub(super) fn decide_style(
    plain: usize,
    dutch: usize,
    dutch_dates: bool,
    separator: Option<u8>,
) -> (NumberStyle, StyleBasis) {
    if plain + dutch > 0 {
        let style = if dutch > plain {
            NumberStyle::Dutch
        } else {
            NumberStyle::Plain
        };
        return (style, StyleBasis::Amounts);
    }
    if dutch_dates {
        return (NumberStyle::Dutch, StyleBasis::Dates);
    }
    let style = if separator == Some(b';') {
        NumberStyle::Dutch
    } else {
        NumberStyle::Plain
    };
    (style, StyleBasis::Separator)
}

/// A Dutch amount, `1.234,56`: thousands dots in groups of three (or none),
/// a decimal comma with one or two decimals. Read digit by digit into
/// integer cents (checked), so no amount passes through a float; no
/// allocation on the way (a million lines read it).
pub(super) fn parse_dutch_amount(s: &str) -> Result<Money, MoneyError> {
    let bad = || MoneyError::Parse(s.to_owned());
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, decimals) = match body.split_once(',') {
        Some((w, d)) => (w, Some(d)),
        None => (body, None),
    };
    let mut euros: i64 = 0;
    let mut digits = 0usize;
    let mut group = 0usize;
    let mut dots = false;
    for (i, b) in whole.bytes().enumerate() {
        match b {
            b'0'..=b'9' => {
                euros = euros
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i64::from(b - b'0')))
                    .ok_or(MoneyError::Overflow)?;
                digits += 1;
                group += 1;
            }
            // A dot ends a group: the first of 1 to 3 digits, the rest of 3.
            b'.' if i > 0 && (if dots { group == 3 } else { group <= 3 }) => {
                dots = true;
                group = 0;
            }
            _ => return Err(bad()),
        }
    }
    if digits == 0 || (dots && group != 3) || digits > 15 {
        return Err(bad());
    }
    let cents = match decimals {
        None => 0,
        Some(d) if (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) => {
            let v = d
                .bytes()
                .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
            if d.len() == 1 { v * 10 } else { v }
        }
        Some(_) => return Err(bad()),
    };
    let total = euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(cents))
        .ok_or(MoneyError::Overflow)?;
    Ok(Money::from_cents(if negative { -total } else { total }))
}

/// Whether a date has the Dutch shape (`31-12-2026`, `1-2-2026`), cheaply.
pub(super) fn looks_dutch_date(s: &str) -> bool {
    let b = s.as_bytes();
    (8..=10).contains(&b.len()) && (b.get(1) == Some(&b'-') || b.get(2) == Some(&b'-'))
}

/// A Dutch date, `31-12-2026` (day and month of one or two digits).
pub(super) fn parse_dutch_date(s: &str) -> Result<Date, String> {
    let bad = || format!("'{s}' is not a date (use 31-12-2026 or 2026-12-31)");
    let mut parts = s.split('-');
    let (Some(d), Some(m), Some(y), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let num = |p: &str, lens: std::ops::RangeInclusive<usize>| {
        (lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())).then(|| {
            p.bytes()
                .fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'))
        })
    };
    let (Some(d), Some(m), Some(y)) = (num(d, 1..=2), num(m, 1..=2), num(y, 4..=4)) else {
        return Err(bad());
    };
    Date::new(y as i16, m as i8, d as i8)
        .map_err(|_| format!("'{s}' is not a date: there is no such day"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_vote_for_the_style_they_show() {
        for (s, v) in [
            ("1.234,56", Vote::Dutch),
            ("1234,56", Vote::Dutch),
            ("1.234", Vote::Dutch),
            ("1.234.567", Vote::Dutch),
            ("12.34.5", Vote::Undecided),
            ("1234.56", Vote::Plain),
            ("1,234.56", Vote::Plain),
            ("1234", Vote::Undecided),
            ("1,234", Vote::Undecided),
            ("-12,5", Vote::Dutch),
        ] {
            assert_eq!(amount_vote(s), v, "{s}");
        }
    }

    #[test]
    fn dutch_amounts_are_exact() {
        for (s, cents) in [
            ("1.234,56", 123_456),
            ("1234,56", 123_456),
            ("1.234.567,8", 123_456_780),
            ("12", 1_200),
            ("0,01", 1),
        ] {
            assert_eq!(parse_dutch_amount(s).unwrap().cents(), cents, "{s}");
        }
        for s in [
            "1234.56",
            "1.23,45",
            "12.3456",
            "1,234",
            ",5",
            "1.234,567",
            "€ 12",
        ] {
            assert!(parse_dutch_amount(s).is_err(), "{s}");
        }
    }

    #[test]
    fn dutch_dates() {
        assert_eq!(
            parse_dutch_date("31-12-2026").unwrap().to_string(),
            "2026-12-31"
        );
        assert_eq!(
            parse_dutch_date("1-2-2026").unwrap().to_string(),
            "2026-02-01"
        );
        assert!(parse_dutch_date("31-02-2026").is_err());
        assert!(parse_dutch_date("2026-12-31").is_err());
    }
}
