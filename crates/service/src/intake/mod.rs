//! Claim intake: a client's claims from a file (CSV text or an xlsx
//! workbook, `file`) or an API request, all or nothing, idempotent on the
//! natural key (client, invoice number), grouped into one case per debtor.
//! The format is documented in docs/claims-csv.md.
//!
//! Here: the columns, the checks of one line, and the import's matching and
//! writing. `file` detects a file's kind and style and reads its header
//! through a column mapping (`mapping`); `text` reads CSV records with
//! bounded memory, `xlsx` a workbook's sheet; `format` reads amounts and
//! dates in the style detected.

mod file;
pub mod format;
pub mod mapping;
mod text;
mod xlsx;

pub use file::FileOptions;
pub use format::{Detected, FileKind, NumberStyle};
pub use mapping::{ColumnMapping, MappingError};
pub use text::{FIELD_BYTES_MAX, RECORD_BYTES_MAX};
pub use xlsx::XLSX_BYTES_MAX;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use kwijting_domain::{
    Actor, CaseId, Date, DebtorType, Iban, KvkNumber, Money, PartyId, PartyKind, PartyRole,
    Postcode,
};
use kwijting_store::{
    ClientRow, Finish, ImportAbort, ImportChunk, ImportCounts, ImportTx, KnownDebtor, NewAddress,
    NewCase, NewCaseParty, NewClaim, NewImport, NewParty, Ref, StoreError,
};

use crate::keys::{Fnv128, normalise_name};
use crate::{Access, Kwijting, ServiceError};

/// Lines per file at most: a larger file is refused before anything is read
/// past the limit.
pub const LINES_MAX: u64 = 5_000_000;
pub const FIELD_LEN_MAX: usize = 200;
pub const DESCRIPTION_LEN_MAX: usize = 500;
/// The largest principal of one claim: the law engine's limit (it refuses
/// a case with a larger claim).
pub const PRINCIPAL_MAX: Money = kwijting_law::statement::PRINCIPAL_MAX;
/// The largest principal of one case, all its claims together: the ledger
/// posts a case's principal in one posting, and refuses a larger one.
pub const CASE_PRINCIPAL_MAX: Money = kwijting_ledger::transfer::POSTING_AMOUNT_MAX;
/// Claims of one case at most: the law engine's limit.
pub const CLAIMS_PER_CASE_MAX: usize = kwijting_law::statement::CLAIMS_PER_CASE_MAX;
/// Names listed in a report for one `debtor_ref` given with different names.
pub const NAME_CONFLICTS_LISTED_MAX: usize = 100;
/// Lines validated and written per chunk inside the one transaction.
pub const CHUNK_LINES: usize = 10_000;
/// Errors listed in a refusal; the count says how many there were in all.
pub const ERRORS_LISTED_MAX: usize = 100;
/// Claims per API request at most.
pub const REQUEST_CLAIMS_MAX: usize = 10_000;

/// The categories of personal data an import writes.
const WRITES: &[&str] = &[
    "identity",
    "contact",
    "business_identity",
    "bank_account",
    "debt",
];

macro_rules! columns {
    ($($variant:ident = $name:literal, $required:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(usize)]
        enum Col { $($variant,)* }
        const COLUMNS: &[(Col, &str, bool)] = &[$((Col::$variant, $name, $required),)*];
    };
}

columns! {
    DebtorRef = "debtor_ref", false;
    DebtorType = "debtor_type", true;
    DebtorName = "debtor_name", true;
    BirthDate = "birth_date", false;
    KvkNumber = "kvk_number", false;
    Street = "street", true;
    Postcode = "postcode", true;
    City = "city", true;
    Country = "country", false;
    Email = "email", false;
    Phone = "phone", false;
    Iban = "iban", false;
    InvoiceNumber = "invoice_number", true;
    InvoiceDate = "invoice_date", true;
    DueDate = "due_date", true;
    Principal = "principal", true;
    Description = "description", false;
    AgreementRef = "agreement_ref", false;
    ConsumerSale = "consumer_sale", false;
    CoName = "co_debtor_name", false;
    CoBirthDate = "co_debtor_birth_date", false;
    CoStreet = "co_debtor_street", false;
    CoPostcode = "co_debtor_postcode", false;
    CoCity = "co_debtor_city", false;
    CoCountry = "co_debtor_country", false;
    CoEmail = "co_debtor_email", false;
    GName = "guarantor_name", false;
    GBirthDate = "guarantor_birth_date", false;
    GStreet = "guarantor_street", false;
    GPostcode = "guarantor_postcode", false;
    GCity = "guarantor_city", false;
    GCountry = "guarantor_country", false;
}

const N_COLUMNS: usize = COLUMNS.len();

/// The header names of the import format, in documented order.
pub fn column_names() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().map(|(_, n, _)| *n)
}

fn column_name(c: Col) -> &'static str {
    COLUMNS[c as usize].1
}

fn column_by_name(name: &str) -> Option<Col> {
    COLUMNS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(c, _, _)| *c)
}

/// One input line's fields, in one reused buffer: no allocation per field.
struct RawRow {
    buf: String,
    spans: [Option<(u32, u32)>; N_COLUMNS],
    /// Columns whose value is in the canonical form (`1234.56`,
    /// `2026-12-31`) whatever the file's style: typed spreadsheet cells.
    canonical: u64,
}

impl RawRow {
    fn new() -> RawRow {
        RawRow {
            buf: String::with_capacity(512),
            spans: [None; N_COLUMNS],
            canonical: 0,
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.spans = [None; N_COLUMNS];
        self.canonical = 0;
    }

    fn set_canonical(&mut self, col: Col) {
        self.canonical |= 1 << (col as usize);
    }

    fn is_canonical(&self, col: Col) -> bool {
        self.canonical & (1 << (col as usize)) != 0
    }

    /// Sets a field; white space around it is dropped and empty means absent.
    fn set(&mut self, col: Col, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        let start = self.buf.len() as u32;
        self.buf.push_str(v);
        self.spans[col as usize] = Some((start, self.buf.len() as u32));
    }

    fn get(&self, col: Col) -> Option<&str> {
        self.spans[col as usize].map(|(a, b)| &self.buf[a as usize..b as usize])
    }
}

/// One error in one field of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

/// A refused import: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub source: String,
    /// The first errors, at most [`ERRORS_LISTED_MAX`].
    pub errors: Vec<FieldError>,
    pub error_count: u64,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: refused, nothing was imported ({} error{})",
            self.source,
            self.error_count,
            if self.error_count == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(
                f,
                "\n  {}:{}: field '{}': {}",
                self.source, e.line, e.field, e.message
            )?;
        }
        if self.error_count > self.errors.len() as u64 {
            write!(
                f,
                "\n  ... and {} more",
                self.error_count - self.errors.len() as u64
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{input}: cannot be read: {message}")]
    Read { input: String, message: String },
    /// The input is not a claim file at all (empty, binary, another format):
    /// refused, nothing was imported.
    #[error("{input}: refused, nothing was imported: the file {message}")]
    NotClaims { input: String, message: String },
    /// The column mapping cannot be used: refused, nothing was imported.
    #[error("refused, nothing was imported: the column mapping {0}")]
    Mapping(#[from] MappingError),
}

impl From<StoreError> for IntakeError {
    fn from(e: StoreError) -> Self {
        IntakeError::Service(e.into())
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub source: String,
    pub lines: u64,
    pub claims_added: u64,
    /// Lines whose claim was imported before with the same content.
    pub claims_known: u64,
    pub cases_added: u64,
    /// Existing open cases that received new claims.
    pub cases_extended: u64,
    pub parties_added: u64,
    /// What was detected about a file (none for API requests).
    pub detected: Option<Detected>,
    /// Lines whose `debtor_ref` came earlier in the input with another
    /// name: the first [`NAME_CONFLICTS_LISTED_MAX`].
    pub name_conflicts: Vec<NameConflict>,
    pub name_conflict_count: u64,
}

/// One `debtor_ref` with two names in one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameConflict {
    pub debtor_ref: String,
    pub first_line: u64,
    pub first_name: String,
    pub line: u64,
    pub name: String,
}

/// Progress of a long import, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub lines: u64,
    pub bytes: u64,
}

struct Person {
    /// Recognises this person as the same co-debtor or guarantor of the
    /// same debtor across lines and imports.
    key: u128,
    name: String,
    birth_date: Option<Date>,
    address: Option<NewAddress>,
    email: Option<String>,
}

/// Hashes of a line, computed on the reading thread.
#[derive(Default, Clone, Copy)]
struct LineKeys {
    debtor: u128,
    fingerprint: i64,
    invoice: u64,
}

struct ClaimLine {
    keys: LineKeys,
    debtor_ref: Option<String>,
    debtor_type: DebtorType,
    name: String,
    birth_date: Option<Date>,
    kvk: Option<KvkNumber>,
    address: NewAddress,
    email: Option<String>,
    phone: Option<String>,
    iban: Option<Iban>,
    invoice_number: String,
    invoice_date: Date,
    due_date: Date,
    principal: Money,
    description: Option<String>,
    agreement_ref: Option<String>,
    /// The price in a consumer sale: limitation 2 years (art. 7:28 BW).
    consumer_sale: bool,
    co_debtor: Option<Person>,
    guarantor: Option<Person>,
}

/// Collects the errors of one line while it is checked.
struct LineCheck<'r> {
    row: &'r RawRow,
    line: u64,
    today: Date,
    /// The style a file was detected in; `None` for API records (plain).
    style: Option<NumberStyle>,
    errors: Vec<FieldError>,
}

impl<'r> LineCheck<'r> {
    fn err(&mut self, col: Col, message: String) {
        self.errors.push(FieldError {
            line: self.line,
            field: column_name(col).to_owned(),
            message,
        });
    }

    fn text(&mut self, col: Col, required: bool) -> Option<&'r str> {
        let max = if col == Col::Description {
            DESCRIPTION_LEN_MAX
        } else {
            FIELD_LEN_MAX
        };
        match self.row.get(col) {
            None => {
                if required {
                    self.err(col, "is required".into());
                }
                None
            }
            Some(v) if v.len() > max && v.chars().count() > max => {
                self.err(col, format!("is longer than {max} characters"));
                None
            }
            Some(v) if v.chars().any(char::is_control) => {
                self.err(col, "contains control characters".into());
                None
            }
            Some(v) => Some(v),
        }
    }

    fn parsed<T, E: fmt::Display>(
        &mut self,
        col: Col,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let v = self.text(col, required)?;
        match parse(v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.err(col, e.to_string());
                None
            }
        }
    }

    /// A date: ISO `2026-12-31`, or `31-12-2026` in a file of Dutch style;
    /// within the law engine's calendar (it refuses a case outside it).
    fn date(&mut self, col: Col, required: bool) -> Option<Date> {
        let canonical = self.row.is_canonical(col);
        let style = self.style;
        let d = self.parsed(col, required, |s| {
            if style == Some(NumberStyle::Dutch) && !canonical && format::looks_dutch_date(s) {
                return format::parse_dutch_date(s);
            }
            match kwijting_domain::parse_date(s) {
                Ok(d) => Ok(d),
                Err(e) => match style {
                    Some(NumberStyle::Dutch) if !canonical => format::parse_dutch_date(s),
                    Some(NumberStyle::Plain) if format::is_dutch_date(s) => Err(format!(
                        "{e}; a date as 31-12-2026 is read in a file of Dutch style, and this file's style was detected as plain (1234.56)"
                    )),
                    _ => Err(e.to_string()),
                },
            }
        })?;
        if kwijting_law::calendar::check_range(d).is_err() {
            let (y0, m0, d0) = kwijting_law::calendar::DATE_MIN;
            let (y1, m1, d1) = kwijting_law::calendar::DATE_MAX;
            self.err(
                col,
                format!(
                    "{d} is outside the dates the law engine works with ({y0}-{m0:02}-{d0:02} to {y1}-{m1:02}-{d1:02})"
                ),
            );
            return None;
        }
        Some(d)
    }

    /// The principal: more than zero, written in the file's style, at most
    /// [`PRINCIPAL_MAX`].
    fn principal(&mut self) -> Option<Money> {
        let col = Col::Principal;
        let style = match self.style {
            Some(s) if !self.row.is_canonical(col) => Some(s),
            _ => None,
        };
        let m = self.parsed(col, true, |s| {
            let parsed = match style {
                Some(NumberStyle::Dutch) => format::parse_dutch_amount(s).map_err(|_| {
                    format!(
                        "'{s}' is not an amount in the style detected for this file: Dutch, as 1.234,56 (thousands dots, a decimal comma, at most two decimals)"
                    )
                }),
                Some(NumberStyle::Plain) => Money::parse(s).map_err(|e| {
                    format!(
                        "{e}; this file's number style was detected as plain (1234.56)"
                    )
                }),
                None => Money::parse(s).map_err(|e| e.to_string()),
            }?;
            if parsed.cents() <= 0 {
                return Err(kwijting_domain::MoneyError::NotPositive(s.to_owned()).to_string());
            }
            Ok(parsed)
        })?;
        if m > PRINCIPAL_MAX {
            self.err(
                col,
                format!(
                    "EUR {m} is more than the largest principal of one claim, EUR {PRINCIPAL_MAX} (the law engine's limit)"
                ),
            );
            return None;
        }
        Some(m)
    }

    fn birth_date(&mut self, col: Col) -> Option<Date> {
        let d = self.date(col, false)?;
        if d >= self.today || d.year() < 1900 {
            self.err(col, format!("{d} is not a plausible date of birth"));
            return None;
        }
        Some(d)
    }

    fn country(&mut self, col: Col) -> String {
        match self.text(col, false) {
            None => "NL".to_owned(),
            Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => {
                c.to_ascii_uppercase()
            }
            Some(c) => {
                self.err(
                    col,
                    format!("'{c}' is not an ISO 3166 country code such as NL or BE"),
                );
                "NL".to_owned()
            }
        }
    }

    fn postcode(&mut self, col: Col, country: &str, required: bool) -> Option<String> {
        if country == "NL" {
            return self
                .parsed(col, required, Postcode::parse)
                .map(|p| p.as_str().to_owned());
        }
        let v = self.text(col, required)?;
        if v.len() > 10
            || !v
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        {
            self.err(col, format!("'{v}' is not a postcode"));
            return None;
        }
        Some(v.to_owned())
    }

    fn email(&mut self, col: Col) -> Option<String> {
        let v = self.text(col, false)?;
        let ok = match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !v.contains(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if !ok {
            self.err(col, format!("'{v}' is not an e-mail address"));
            return None;
        }
        Some(v.to_owned())
    }

    fn phone(&mut self, col: Col) -> Option<String> {
        let v = self.text(col, false)?;
        let digits = v.bytes().filter(u8::is_ascii_digit).count();
        if digits < 6
            || !v
                .bytes()
                .all(|b| b.is_ascii_digit() || b" +-()".contains(&b))
        {
            self.err(col, format!("'{v}' is not a phone number"));
            return None;
        }
        Some(v.to_owned())
    }

    /// `consumer_sale`: yes or no (empty: no). Only a consumer buys in a
    /// consumer sale (art. 7:5 BW).
    fn consumer_sale(&mut self, debtor_type: Option<DebtorType>) -> bool {
        let value = match self.text(Col::ConsumerSale, false) {
            None => return false,
            Some(v) => v.to_ascii_lowercase(),
        };
        let yes = match value.as_str() {
            "yes" | "y" | "true" | "1" | "ja" | "j" => true,
            "no" | "n" | "false" | "0" | "nee" => false,
            _ => {
                self.err(
                    Col::ConsumerSale,
                    format!("'{value}' is not yes or no (ja of nee)"),
                );
                return false;
            }
        };
        if yes && debtor_type == Some(DebtorType::Business) {
            self.err(
                Col::ConsumerSale,
                "a consumer sale needs a consumer debtor (art. 7:5 BW)".to_owned(),
            );
        }
        yes
    }

    fn name(&mut self, col: Col, required: bool) -> Option<String> {
        self.text(col, required).map(str::to_owned)
    }

    /// An address from four columns: all or none given.
    fn address(&mut self, cols: [Col; 4], required: bool) -> Option<NewAddress> {
        let [street_c, postcode_c, city_c, country_c] = cols;
        let any = cols.iter().any(|c| self.row.get(*c).is_some());
        if !any && !required {
            return None;
        }
        let country = self.country(country_c);
        let street = self.text(street_c, true);
        let postcode = self.postcode(postcode_c, &country, true);
        let city = self.text(city_c, true);
        Some(NewAddress {
            street: street?.to_owned(),
            postcode: postcode?,
            city: city?.to_owned(),
            country,
        })
    }

    fn line(mut self) -> Result<ClaimLine, Vec<FieldError>> {
        let debtor_ref = self.name(Col::DebtorRef, false);
        let debtor_type = self.parsed(Col::DebtorType, true, |s| {
            DebtorType::parse(s).ok_or_else(|| format!("'{s}' is not 'consumer' or 'business'"))
        });
        let name = self.name(Col::DebtorName, true);
        let birth_date = self.birth_date(Col::BirthDate);
        let kvk = self.parsed(Col::KvkNumber, false, KvkNumber::parse);
        if debtor_type == Some(DebtorType::Business)
            && kvk.is_none()
            && self.row.get(Col::KvkNumber).is_none()
        {
            self.err(Col::KvkNumber, "is required for a business debtor".into());
        }
        let address = self.address([Col::Street, Col::Postcode, Col::City, Col::Country], true);
        let email = self.email(Col::Email);
        let phone = self.phone(Col::Phone);
        let iban = self.parsed(Col::Iban, false, Iban::parse);
        let invoice_number = self.name(Col::InvoiceNumber, true);
        let invoice_date = self.date(Col::InvoiceDate, true);
        let due_date = self.date(Col::DueDate, true);
        if let (Some(i), Some(d)) = (invoice_date, due_date)
            && d < i
        {
            self.err(Col::DueDate, format!("{d} is before the invoice date {i}"));
        }
        let principal = self.principal();
        let description = self.name(Col::Description, false);
        let agreement_ref = self.name(Col::AgreementRef, false);
        let consumer_sale = self.consumer_sale(debtor_type);

        let co_debtor = match self.name(Col::CoName, false) {
            Some(name) => Some(Person {
                key: 0,
                name,
                birth_date: self.birth_date(Col::CoBirthDate),
                address: self.address(
                    [Col::CoStreet, Col::CoPostcode, Col::CoCity, Col::CoCountry],
                    false,
                ),
                email: self.email(Col::CoEmail),
            }),
            None => {
                for c in [
                    Col::CoBirthDate,
                    Col::CoStreet,
                    Col::CoPostcode,
                    Col::CoCity,
                    Col::CoCountry,
                    Col::CoEmail,
                ] {
                    if self.row.get(c).is_some() {
                        self.err(c, "is given without co_debtor_name".into());
                    }
                }
                None
            }
        };
        let guarantor = match self.name(Col::GName, false) {
            Some(name) => Some(Person {
                key: 0,
                name,
                birth_date: self.birth_date(Col::GBirthDate),
                address: self.address(
                    [Col::GStreet, Col::GPostcode, Col::GCity, Col::GCountry],
                    true,
                ),
                email: None,
            }),
            None => {
                for c in [
                    Col::GBirthDate,
                    Col::GStreet,
                    Col::GPostcode,
                    Col::GCity,
                    Col::GCountry,
                ] {
                    if self.row.get(c).is_some() {
                        self.err(c, "is given without guarantor_name".into());
                    }
                }
                None
            }
        };
        match (
            debtor_type,
            name,
            address,
            invoice_number,
            invoice_date,
            due_date,
            principal,
        ) {
            (
                Some(debtor_type),
                Some(name),
                Some(address),
                Some(invoice_number),
                Some(invoice_date),
                Some(due_date),
                Some(principal),
            ) if self.errors.is_empty() => Ok(ClaimLine {
                keys: LineKeys::default(),
                debtor_ref,
                debtor_type,
                name,
                birth_date,
                kvk,
                address,
                email,
                phone,
                iban,
                invoice_number,
                invoice_date,
                due_date,
                principal,
                description,
                agreement_ref,
                consumer_sale,
                co_debtor,
                guarantor,
            }
            .with_keys()),
            _ => Err(self.errors),
        }
    }
}

impl ClaimLine {
    fn with_keys(mut self) -> ClaimLine {
        let debtor = self.debtor_key();
        self.keys = LineKeys {
            debtor,
            fingerprint: self.fingerprint(debtor),
            invoice: invoice_key(&self.invoice_number),
        };
        if let Some(p) = &mut self.co_debtor {
            p.key = related_key(PartyRole::CoDebtor, debtor, p);
        }
        if let Some(p) = &mut self.guarantor {
            p.key = related_key(PartyRole::Guarantor, debtor, p);
        }
        self
    }

    /// Recognises the same debtor across lines and imports: the client's own
    /// debtor number when given, else type, name, date of birth or KvK
    /// number, and postcode.
    fn debtor_key(&self) -> u128 {
        match &self.debtor_ref {
            Some(r) => Fnv128::new().field("ref").field(r).finish(),
            None => Fnv128::new()
                .field("name")
                .field(self.debtor_type.as_str())
                .field(&normalise_name(&self.name))
                .date(self.birth_date)
                .field(self.kvk.as_ref().map(KvkNumber::as_str).unwrap_or(""))
                .field(&self.address.postcode)
                .finish(),
        }
    }

    /// A hash of everything that makes the claim what it is, to tell a
    /// re-import (the same) from a correction (different).
    fn fingerprint(&self, debtor_key: u128) -> i64 {
        let mut h = Fnv128::new()
            .u128(debtor_key)
            .field(&self.invoice_number)
            .date(Some(self.invoice_date))
            .date(Some(self.due_date))
            .i64(self.principal.cents())
            .field(self.description.as_deref().unwrap_or(""))
            .field(self.agreement_ref.as_deref().unwrap_or(""));
        // Only when set: claims imported before the column existed keep
        // their fingerprint, so their files still re-import as the same.
        if self.consumer_sale {
            h = h.field("consumer_sale");
        }
        for p in [&self.co_debtor, &self.guarantor].into_iter().flatten() {
            h = h.field(&normalise_name(&p.name));
        }
        // 64 bits: a changed claim mistaken for the same one is a 2^-64 chance.
        h.finish() as u64 as i64
    }
}

fn related_key(role: PartyRole, debtor_key: u128, p: &Person) -> u128 {
    Fnv128::new()
        .field(role.as_str())
        .u128(debtor_key)
        .field(&normalise_name(&p.name))
        .date(p.birth_date)
        .finish()
}

/// A case is one client's claims against one debtor of one type.
fn case_key(debtor_key: u128, ty: DebtorType) -> u128 {
    match ty {
        DebtorType::Consumer => debtor_key,
        DebtorType::Business => debtor_key ^ (1u128 << 127),
    }
}

/// Keys are hashes already: the map uses their low bits as they are.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 ^= v;
    }

    fn write_u128(&mut self, v: u128) {
        self.0 ^= v as u64 ^ (v >> 64) as u64;
    }
}

type KeyMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A 128-bit key as two halves: 8-byte alignment makes a map entry 24 bytes
/// instead of 32 (a u128 aligns to 16).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key([u64; 2]);

impl From<u128> for Key {
    fn from(v: u128) -> Key {
        Key([v as u64, (v >> 64) as u64])
    }
}

/// A row known to this import: positive, an id in the database; negative,
/// the number of a row new in this import (-1 is the first). Eight bytes
/// instead of sixteen keep the maps small at a million rows.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Slot(i64);

impl Slot {
    fn existing(id: i64) -> Slot {
        Slot(id)
    }

    fn new_row(index: usize) -> Slot {
        Slot(-(index as i64) - 1)
    }

    fn party(self) -> Ref<PartyId> {
        if self.0 > 0 {
            Ref::Existing(PartyId(self.0))
        } else {
            Ref::New((-self.0 - 1) as usize)
        }
    }

    fn case(self) -> Ref<CaseId> {
        if self.0 > 0 {
            Ref::Existing(CaseId(self.0))
        } else {
            Ref::New((-self.0 - 1) as usize)
        }
    }
}

/// The import's working state: what it has seen, what it will write.
struct Intake<'a> {
    client: &'a ClientRow,
    today: Date,
    /// Whether every known claim and debtor of the client was loaded at the
    /// start (files); otherwise each is looked up when met (API requests).
    preloaded: bool,
    chunk: ImportChunk,
    /// The import-wide number of `chunk.cases[0]`.
    chunk_first_case: usize,
    new_parties: usize,
    new_cases: usize,
    /// Invoice-number hash → (content fingerprint, line in this input; 0
    /// for an earlier import).
    claims: KeyMap<u64, (i64, u32)>,
    parties: KeyMap<Key, Slot>,
    cases: KeyMap<Key, Slot>,
    links: HashSet<(u128, u128, PartyRole)>,
    /// Principal (and the earliest due date) added to cases whose row was
    /// written already.
    extended: HashMap<Ref<CaseId>, (i64, Date)>,
    /// Cases from before this import that received claims.
    extended_existing: Vec<CaseId>,
    report: ImportReport,
    errors: Vec<FieldError>,
    error_count: u64,
    /// Refuse one `debtor_ref` given with different names.
    strict: bool,
    /// Per `debtor_ref` key in this input: its first line and name.
    ref_names: KeyMap<Key, (u32, Box<str>)>,
    /// Per case key in this input: its claims and principal so far (the
    /// law engine's and the ledger's limits per case).
    case_totals: KeyMap<Key, (u32, i64)>,
}

impl<'a> Intake<'a> {
    fn start(
        tx: &mut dyn ImportTx,
        client: &'a ClientRow,
        import: &NewImport,
        today: Date,
        preload: bool,
        strict: bool,
    ) -> Result<Intake<'a>, StoreError> {
        let import_id = tx.open_import(import)?;
        let mut intake = Intake {
            client,
            today,
            preloaded: preload,
            chunk: ImportChunk::new(client.id, import_id, today),
            chunk_first_case: 0,
            new_parties: 0,
            new_cases: 0,
            claims: KeyMap::default(),
            parties: KeyMap::default(),
            cases: KeyMap::default(),
            links: HashSet::new(),
            extended: HashMap::new(),
            extended_existing: Vec::new(),
            report: ImportReport {
                source: import.source.clone(),
                ..ImportReport::default()
            },
            errors: Vec::new(),
            error_count: 0,
            strict,
            ref_names: KeyMap::default(),
            case_totals: KeyMap::default(),
        };
        if preload {
            for (invoice, fp) in tx.known_claims(client.id)? {
                intake.claims.insert(invoice_key(&invoice), (fp, 0));
            }
            for d in tx.known_debtors(client.id)? {
                intake.remember(&d);
            }
        }
        Ok(intake)
    }

    fn remember(&mut self, d: &KnownDebtor) {
        let key = u128::from_le_bytes(d.key);
        self.parties.insert(key.into(), Slot::existing(d.party.0));
        if let Some((case, ty)) = d.open_case {
            self.cases
                .insert(case_key(key, ty).into(), Slot::existing(case.0));
        }
    }

    /// The party known under `key`, from this import or the database.
    fn known_party(
        &mut self,
        tx: Option<&mut (dyn ImportTx + '_)>,
        key: u128,
    ) -> Result<Option<Slot>, StoreError> {
        if let Some(s) = self.parties.get(&key.into()) {
            return Ok(Some(*s));
        }
        if self.preloaded {
            return Ok(None);
        }
        let tx = tx.ok_or_else(no_database)?;
        match tx.find_debtor(self.client.id, &key.to_le_bytes())? {
            Some(d) => {
                self.remember(&d);
                Ok(self.parties.get(&key.into()).copied())
            }
            None => Ok(None),
        }
    }

    fn refuse(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        for e in errors {
            self.error_count += 1;
            if self.errors.len() < ERRORS_LISTED_MAX {
                self.errors.push(e);
            }
        }
    }

    fn new_party(&mut self, key: u128, p: NewParty) -> Slot {
        let s = Slot::new_row(self.new_parties);
        self.new_parties += 1;
        self.chunk.parties.push(p);
        self.parties.insert(key.into(), s);
        self.report.parties_added += 1;
        s
    }

    fn link(&mut self, case_key: u128, case: Slot, party_key: u128, party: Slot, role: PartyRole) {
        if self.links.insert((case_key, party_key, role)) {
            self.chunk.case_parties.push(NewCaseParty {
                case: case.case(),
                party: party.party(),
                role,
            });
        }
    }

    fn related(
        &mut self,
        tx: Option<&mut (dyn ImportTx + '_)>,
        role: PartyRole,
        (ckey, case): (u128, Slot),
        p: Person,
        debtor_address: &NewAddress,
        line: u64,
    ) -> Result<(), StoreError> {
        let key = p.key;
        let party = match self.known_party(tx, key)? {
            Some(s) => s,
            None => self.new_party(
                key,
                NewParty {
                    kind: PartyKind::Person,
                    debtor_ref: None,
                    debtor_key: Some(key.to_le_bytes()),
                    name: p.name,
                    birth_date: p.birth_date,
                    kvk_number: None,
                    email: p.email,
                    phone: None,
                    iban: None,
                    address: p.address.unwrap_or_else(|| debtor_address.clone()),
                    line,
                },
            ),
        };
        self.link(ckey, case, key, party, role);
        Ok(())
    }

    fn add(
        &mut self,
        mut tx: Option<&mut (dyn ImportTx + '_)>,
        line: u64,
        mut c: ClaimLine,
    ) -> Result<(), StoreError> {
        let LineKeys {
            debtor: debtor_key,
            fingerprint: fp,
            invoice: ikey,
        } = c.keys;
        self.same_ref_same_name(line, &c, debtor_key);
        let mut known = self.claims.get(&ikey).copied();
        if known.is_none() && !self.preloaded {
            let tx = tx.as_deref_mut().ok_or_else(no_database)?;
            known = tx
                .find_claim(self.client.id, &c.invoice_number)?
                .map(|fp| (fp, 0));
        }
        if let Some((known_fp, known_line)) = known {
            if known_fp == fp {
                self.report.claims_known += 1;
            } else {
                let where_ = match known_line {
                    0 => "by an earlier import".to_owned(),
                    l => format!("on line {l} of this input"),
                };
                self.refuse([FieldError {
                    line,
                    field: "invoice_number".into(),
                    message: format!(
                        "'{}' was imported {where_} with different content; a changed claim is a correction, not a re-import",
                        c.invoice_number
                    ),
                }]);
            }
            return Ok(());
        }
        self.claims
            .insert(ikey, (fp, u32::try_from(line).unwrap_or(u32::MAX)));
        if self.error_count > 0 {
            // The import is refused already: keep checking, stop building.
            return Ok(());
        }
        let party = match self.known_party(tx.as_deref_mut(), debtor_key)? {
            Some(s) => s,
            None => self.new_party(
                debtor_key,
                NewParty {
                    kind: match c.debtor_type {
                        DebtorType::Consumer => PartyKind::Person,
                        DebtorType::Business => PartyKind::Organisation,
                    },
                    debtor_ref: c.debtor_ref.take(),
                    debtor_key: Some(debtor_key.to_le_bytes()),
                    name: std::mem::take(&mut c.name),
                    birth_date: c.birth_date,
                    kvk_number: c.kvk.take().map(|k| k.as_str().to_owned()),
                    email: c.email.take(),
                    phone: c.phone.take(),
                    iban: c.iban.take().map(|i| i.as_str().to_owned()),
                    address: c.address.clone(),
                    line,
                },
            ),
        };
        let ckey = case_key(debtor_key, c.debtor_type);
        if !self.within_case_limits(line, ckey, c.principal) {
            return Ok(());
        }
        let case = match self.cases.get(&ckey.into()) {
            Some(s) => *s,
            None => {
                let s = Slot::new_row(self.new_cases);
                self.new_cases += 1;
                self.chunk.cases.push(NewCase {
                    debtor: party.party(),
                    debtor_type: c.debtor_type,
                    opened_on: self.today,
                    principal_cents: 0,
                    first_due_on: c.due_date,
                });
                self.cases.insert(ckey.into(), s);
                self.report.cases_added += 1;
                s
            }
        };
        match case.case() {
            Ref::New(i) if i >= self.chunk_first_case => {
                let new = &mut self.chunk.cases[i - self.chunk_first_case];
                new.principal_cents += c.principal.cents();
                new.first_due_on = new.first_due_on.min(c.due_date);
            }
            r => {
                let e = self.extended.entry(r).or_insert((0, c.due_date));
                e.0 += c.principal.cents();
                e.1 = e.1.min(c.due_date);
            }
        }
        if let Some(p) = c.co_debtor.take() {
            self.related(
                tx.as_deref_mut(),
                PartyRole::CoDebtor,
                (ckey, case),
                p,
                &c.address,
                line,
            )?;
        }
        if let Some(p) = c.guarantor.take() {
            self.related(tx, PartyRole::Guarantor, (ckey, case), p, &c.address, line)?;
        }
        self.chunk.claims.push(NewClaim {
            case: case.case(),
            invoice_number: c.invoice_number,
            invoice_date: c.invoice_date,
            due_date: c.due_date,
            principal_cents: c.principal.cents(),
            description: c.description,
            agreement_ref: c.agreement_ref,
            consumer_sale: c.consumer_sale,
            fingerprint: fp,
            line,
        });
        self.report.claims_added += 1;
        Ok(())
    }

    /// Lists (or under `strict` refuses) a line whose `debtor_ref` came
    /// earlier in this input with another name.
    fn same_ref_same_name(&mut self, line: u64, c: &ClaimLine, debtor_key: u128) {
        let Some(debtor_ref) = &c.debtor_ref else {
            return;
        };
        let line32 = u32::try_from(line).unwrap_or(u32::MAX);
        let first = match self.ref_names.entry(debtor_key.into()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((line32, c.name.as_str().into()));
                return;
            }
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        };
        if *first.1 == *c.name || normalise_name(&first.1) == normalise_name(&c.name) {
            return;
        }
        let conflict = NameConflict {
            debtor_ref: debtor_ref.clone(),
            first_line: u64::from(first.0),
            first_name: first.1.to_string(),
            line,
            name: c.name.clone(),
        };
        if self.strict {
            self.refuse([FieldError {
                line,
                field: "debtor_name".into(),
                message: format!(
                    "debtor_ref '{}' is named '{}' here and '{}' on line {} (refused under --strict)",
                    conflict.debtor_ref, conflict.name, conflict.first_name, conflict.first_line
                ),
            }]);
        }
        self.report.name_conflict_count += 1;
        if self.report.name_conflicts.len() < NAME_CONFLICTS_LISTED_MAX {
            self.report.name_conflicts.push(conflict);
        }
    }

    /// Whether the claim keeps its case within the law engine's claims per
    /// case and the ledger's principal per case; refuses the line if not.
    fn within_case_limits(&mut self, line: u64, ckey: u128, principal: Money) -> bool {
        let t = self.case_totals.entry(ckey.into()).or_insert((0, 0));
        t.0 += 1;
        t.1 = t.1.saturating_add(principal.cents());
        let (claims, cents) = *t;
        if claims as usize > CLAIMS_PER_CASE_MAX {
            self.refuse([FieldError {
                line,
                field: "invoice_number".into(),
                message: format!(
                    "is claim {claims} against this debtor in this input; a case holds at most {CLAIMS_PER_CASE_MAX} claims (the law engine's limit)"
                ),
            }]);
            return false;
        }
        if cents > CASE_PRINCIPAL_MAX.cents() {
            self.refuse([FieldError {
                line,
                field: "principal".into(),
                message: format!(
                    "brings this debtor's case to EUR {}, more than EUR {CASE_PRINCIPAL_MAX}, the largest principal of one case (the ledger's limit)",
                    Money::from_cents(cents)
                ),
            }]);
            return false;
        }
        true
    }

    /// Hands over the chunk built so far and starts the next.
    fn take_chunk(&mut self) -> ImportChunk {
        self.chunk_first_case = self.new_cases;
        let next = ImportChunk::new(self.client.id, self.chunk.import, self.today);
        std::mem::replace(&mut self.chunk, next)
    }

    /// The end of the input: the last chunk is written; what remains is to
    /// add late claims to their cases' totals and to close the import.
    fn finish(&mut self, tx: &mut dyn ImportTx) -> Result<Finish, StoreError> {
        // A refused import, and a re-import that adds nothing, leave no trace.
        if self.error_count > 0 || self.report.claims_added == 0 {
            return Ok(Finish::Rollback);
        }
        let mut extended: Vec<(Ref<CaseId>, (i64, Date))> = self.extended.drain().collect();
        extended.sort_by_key(|(r, _)| match r {
            Ref::Existing(id) => (0, id.0),
            Ref::New(i) => (1, *i as i64),
        });
        self.report.cases_extended = extended
            .iter()
            .filter(|(r, _)| matches!(r, Ref::Existing(_)))
            .count() as u64;
        for (case, (cents, due_on)) in extended {
            if let Ref::Existing(id) = case {
                self.extended_existing.push(id);
            }
            tx.add_to_case_totals(case, cents, due_on)?;
        }
        let r = &self.report;
        tx.close_import(
            self.chunk.import,
            &ImportCounts {
                lines: r.lines as i64,
                claims_added: r.claims_added as i64,
                claims_known: r.claims_known as i64,
                cases_added: r.cases_added as i64,
            },
        )?;
        Ok(Finish::Commit)
    }
}

fn no_database() -> StoreError {
    StoreError::Invariant(
        "an import that did not preload the client's data needs the database for look-ups".into(),
    )
}

fn invoice_key(invoice_number: &str) -> u64 {
    // 64 bits: two different invoice numbers of one client sharing a key is
    // a chance of about 3 in 10^8 at a million claims, and it would refuse
    // the import (never merge the claims).
    Fnv128::new().field(invoice_number).finish() as u64
}

/// What the reading side hands the writing side.
enum Handoff {
    Chunk(ImportChunk, Progress),
    Progress(Progress),
}

/// Where full chunks go: to the writing thread, or straight into the
/// transaction when reading and writing share a thread.
enum Sink<'s, 't> {
    Channel(std::sync::mpsc::SyncSender<Handoff>),
    Direct(&'s mut (dyn ImportTx + 't)),
}

/// Reads, checks and matches every line into chunks. Stops at the end, at a
/// read error, past [`LINES_MAX`], or when the writing side hangs up.
fn run_lines(
    intake: &mut Intake<'_>,
    lines: &mut (dyn LineSource + Send),
    mut sink: Sink<'_, '_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), IntakeError> {
    let mut row = RawRow::new();
    let mut since_chunk = 0usize;
    loop {
        let line = match lines.next_line(&mut row)? {
            None => break,
            Some(l) => l,
        };
        intake.report.lines += 1;
        if intake.report.lines > LINES_MAX {
            intake.refuse([FieldError {
                line: intake.report.lines,
                field: "(file)".into(),
                message: format!("has more than {LINES_MAX} lines; split it"),
            }]);
            break;
        }
        match line {
            Err(errors) => intake.refuse(errors),
            Ok(line) => {
                let check = LineCheck {
                    row: &row,
                    line,
                    today: intake.today,
                    style: lines.style(),
                    errors: Vec::new(),
                };
                match check.line() {
                    Ok(claim) => {
                        let tx = match &mut sink {
                            Sink::Direct(tx) => Some(&mut **tx as &mut dyn ImportTx),
                            Sink::Channel(_) => None,
                        };
                        intake.add(tx, line, claim)?;
                    }
                    Err(errors) => intake.refuse(errors),
                }
            }
        }
        since_chunk += 1;
        if since_chunk >= CHUNK_LINES {
            since_chunk = 0;
            let p = Progress {
                lines: intake.report.lines,
                bytes: lines.bytes_read(),
            };
            if !hand_over(intake, &mut sink, p, progress)? {
                return Ok(());
            }
        }
    }
    let p = Progress {
        lines: intake.report.lines,
        bytes: lines.bytes_read(),
    };
    hand_over(intake, &mut sink, p, progress)?;
    Ok(())
}

/// Passes the chunk on (none once the import is refused); `false` when the
/// writing side has hung up.
fn hand_over(
    intake: &mut Intake<'_>,
    sink: &mut Sink<'_, '_>,
    p: Progress,
    progress: &mut dyn FnMut(Progress),
) -> Result<bool, IntakeError> {
    let chunk = (intake.error_count == 0 && !intake.chunk.is_empty()).then(|| intake.take_chunk());
    match sink {
        Sink::Direct(tx) => {
            if let Some(chunk) = chunk {
                tx.write_chunk(&chunk)?;
            }
            progress(p);
            Ok(true)
        }
        Sink::Channel(out) => {
            let msg = match chunk {
                Some(c) => Handoff::Chunk(c, p),
                None => Handoff::Progress(p),
            };
            Ok(out.send(msg).is_ok())
        }
    }
}

/// Where an import's lines come from.
trait LineSource {
    /// Fills `row` with the next line and returns its line number, or `None`
    /// at the end. A line that cannot even be split into fields comes back
    /// as errors.
    fn next_line(
        &mut self,
        row: &mut RawRow,
    ) -> Result<Option<Result<u64, Vec<FieldError>>>, IntakeError>;
    fn bytes_read(&self) -> u64;
    /// The number style lines are read in; `None`: API records (plain).
    fn style(&self) -> Option<NumberStyle> {
        None
    }
}

/// Claims given as JSON objects (field name to text), e.g. from the API.
struct RecordLines<'r> {
    records: std::slice::Iter<'r, Vec<(String, String)>>,
    index: u64,
}

impl LineSource for RecordLines<'_> {
    fn next_line(
        &mut self,
        row: &mut RawRow,
    ) -> Result<Option<Result<u64, Vec<FieldError>>>, IntakeError> {
        row.clear();
        let Some(record) = self.records.next() else {
            return Ok(None);
        };
        self.index += 1;
        let mut errors = Vec::new();
        for (name, value) in record {
            match column_by_name(name) {
                Some(col) => row.set(col, value),
                None => errors.push(FieldError {
                    line: self.index,
                    field: name.clone(),
                    message: "is not a field of a claim (see docs/claims-csv.md)".into(),
                }),
            }
        }
        Ok(Some(if errors.is_empty() {
            Ok(self.index)
        } else {
            Err(errors)
        }))
    }

    fn bytes_read(&self) -> u64 {
        0
    }
}

/// What an import ended with: its report, the refusal if any, and the
/// cases from before it that received claims.
type Outcome = (ImportReport, Option<Refusal>, Vec<CaseId>);

impl Kwijting {
    /// Imports a claim file for a client: all or nothing, read as
    /// [`Kwijting::import_claims_file`] reads it with the default options
    /// (the client's saved column mapping, the first sheet, not strict).
    pub fn import_claims_csv<R: Read + Send>(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        input: R,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport, IntakeError> {
        self.import_claims_file(
            actor,
            client_ref,
            source,
            input,
            &FileOptions::default(),
            progress,
        )
    }

    /// Imports claims given as field/value pairs (the JSON API): all or
    /// nothing, with the same checks and natural key as a file.
    pub fn import_claims_records(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        records: &[Vec<(String, String)>],
    ) -> Result<ImportReport, IntakeError> {
        if records.len() > REQUEST_CLAIMS_MAX {
            return Err(ServiceError::Invalid(format!(
                "at most {REQUEST_CLAIMS_MAX} claims per request; send a file for more"
            ))
            .into());
        }
        let mut lines = RecordLines {
            records: records.iter(),
            index: 0,
        };
        // A request is small: look up each claim and debtor as it comes.
        self.import_lines(
            actor,
            client_ref,
            source,
            &mut lines,
            false,
            false,
            &mut |_| {},
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn import_lines(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        lines: &mut (dyn LineSource + Send),
        preload: bool,
        strict: bool,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport, IntakeError> {
        let client = self.client(actor, client_ref)?;
        // The mandate decides the purpose (R1): collection as controller,
        // receivables management as the client's processor.
        let acting = actor.acting_for(client.role.purpose());
        self.door()
            .check(&acting, Some(client.id), WRITES, Access::Write, "claims")
            .map_err(ServiceError::from)?;
        let now = self.clock().now();
        let today = self.clock().today();
        let mut outcome: Option<Result<Outcome, IntakeError>> = None;
        let result = self.store.import(&mut |tx| {
            let mut intake = Intake::start(
                tx,
                &client,
                &NewImport {
                    client: client.id,
                    source: source.to_owned(),
                    actor: actor.name(),
                    created_at: now,
                },
                today,
                preload,
                strict,
            )?;
            let read = if preload {
                // Everything the client had is loaded: reading, checking and
                // matching need no database, so they run on a second thread
                // while this one writes.
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Handoff>(2);
                let lines = &mut *lines;
                let intake_ref = &mut intake;
                std::thread::scope(|scope| {
                    let reader = std::thread::Builder::new()
                        .name("kwijting-read".into())
                        .spawn_scoped(scope, move || {
                            run_lines(intake_ref, lines, Sink::Channel(sender), &mut |_| {})
                        })
                        .map_err(|e| ImportAbort::Refused(Box::new(e)))?;
                    let mut written: Result<(), StoreError> = Ok(());
                    for msg in receiver {
                        match msg {
                            Handoff::Chunk(chunk, p) => {
                                written = tx.write_chunk(&chunk).map(|_| ());
                                if written.is_err() {
                                    break;
                                }
                                progress(p);
                            }
                            Handoff::Progress(p) => progress(p),
                        }
                    }
                    // Leaving the loop drops the receiver, so a reader still
                    // sending stops.
                    let read = reader.join().map_err(|_| {
                        ImportAbort::Store(StoreError::Invariant(
                            "the reading thread panicked".into(),
                        ))
                    })?;
                    written?;
                    Ok::<_, ImportAbort>(read)
                })?
            } else {
                run_lines(&mut intake, lines, Sink::Direct(tx), progress)
            };
            if let Err(e) = read {
                outcome = Some(Err(e));
                return Ok(Finish::Rollback);
            }
            let finish = intake.finish(tx)?;
            let refusal = (intake.error_count > 0).then(|| Refusal {
                source: source.to_owned(),
                errors: std::mem::take(&mut intake.errors),
                error_count: intake.error_count,
            });
            outcome = Some(Ok((
                std::mem::take(&mut intake.report),
                refusal,
                std::mem::take(&mut intake.extended_existing),
            )));
            Ok(finish)
        });
        match result {
            Ok(_) => {}
            Err(ImportAbort::Store(e)) => return Err(e.into()),
            Err(ImportAbort::Refused(e)) => {
                return Err(IntakeError::Read {
                    input: source.to_owned(),
                    message: e.to_string(),
                });
            }
        }
        match outcome {
            Some(Ok((_, Some(refusal), _))) => Err(IntakeError::Refused(refusal)),
            Some(Ok((report, None, extended))) => {
                // The ledger follows the claims added to cases it holds.
                self.restate_on_ledger(&extended, &format!("claims added by {source}"))?;
                Ok(report)
            }
            Some(Err(e)) => Err(e),
            None => Err(ServiceError::Store(StoreError::Invariant(
                "import ended without an outcome".into(),
            ))
            .into()),
        }
    }
}

/// Why an idempotent import gave no stored response.
#[derive(Debug, thiserror::Error)]
pub enum IdempotentError {
    #[error("this idempotency key was used for a different request")]
    KeyReused,
    #[error(transparent)]
    Intake(#[from] IntakeError),
}

impl ImportReport {
    /// The report as the JSON the API returns and stores for replays.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"lines\":{},\"claims_added\":{},\"claims_known\":{},\"cases_added\":{},\"cases_extended\":{},\"parties_added\":{}}}",
            self.lines,
            self.claims_added,
            self.claims_known,
            self.cases_added,
            self.cases_extended,
            self.parties_added
        )
    }
}

impl Kwijting {
    /// Imports claims under an idempotency key: a replay of the same request
    /// gets the first answer back; the same key with another request is
    /// refused. Refusals are not stored, so a corrected request may reuse
    /// its key.
    pub fn import_claims_idempotent(
        &self,
        actor: &Actor,
        client_ref: &str,
        key: &str,
        request_hash: &str,
        records: &[Vec<(String, String)>],
    ) -> Result<kwijting_store::IdempotentResponse, IdempotentError> {
        let scope = format!("claims:{client_ref}");
        // Authorise before revealing whether the key is known.
        self.client(actor, client_ref).map_err(IntakeError::from)?;
        if let Some(stored) = self
            .store
            .idempotency_get(key, &scope)
            .map_err(IntakeError::from)?
        {
            if stored.request_hash != request_hash {
                return Err(IdempotentError::KeyReused);
            }
            return Ok(stored);
        }
        let report = self.import_claims_records(actor, client_ref, "request", records)?;
        let response = kwijting_store::IdempotentResponse {
            request_hash: request_hash.to_owned(),
            status: if report.claims_added > 0 { 201 } else { 200 },
            body: report.to_json(),
        };
        self.store
            .idempotency_put(key, &scope, &response, self.clock().now())
            .map_err(IntakeError::from)?;
        Ok(response)
    }
}
