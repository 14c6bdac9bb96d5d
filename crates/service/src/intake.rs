//! Claim intake: a client's claims from a CSV file or an API request, all or
//! nothing, idempotent on the natural key (client, invoice number), grouped
//! into one case per debtor. The format is documented in docs/claims-csv.md.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;

use kwijting_domain::{
    Actor, CaseId, Date, DebtorType, Iban, KvkNumber, Money, PartyId, PartyKind, PartyRole,
    Postcode,
};
use kwijting_store::{
    ClientRow, Finish, ImportAbort, ImportChunk, ImportRecord, ImportTx, NewAddress, NewCase,
    NewCaseParty, NewClaim, NewParty, Ref, StoreError,
};

use crate::keys::{Fnv128, hex, normalise_name, parse_hex};
use crate::{Access, Kwijting, ServiceError};

/// Lines per file at most: a larger file is refused before anything is read
/// past the limit.
pub const LINES_MAX: u64 = 5_000_000;
pub const FIELD_LEN_MAX: usize = 200;
pub const DESCRIPTION_LEN_MAX: usize = 500;
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
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl RawRow {
    fn new() -> RawRow {
        RawRow {
            buf: String::with_capacity(512),
            spans: [None; N_COLUMNS],
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.spans = [None; N_COLUMNS];
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
}

/// Progress of a long import, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub lines: u64,
    pub bytes: u64,
}

struct Person {
    name: String,
    birth_date: Option<Date>,
    address: Option<NewAddress>,
    email: Option<String>,
}

struct ClaimLine {
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
    co_debtor: Option<Person>,
    guarantor: Option<Person>,
}

/// Collects the errors of one line while it is checked.
struct LineCheck<'r> {
    row: &'r RawRow,
    line: u64,
    today: Date,
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
            Some(v) if v.chars().count() > max => {
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

    fn date(&mut self, col: Col, required: bool) -> Option<Date> {
        self.parsed(col, required, kwijting_domain::parse_date)
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
        let principal = self.parsed(Col::Principal, true, Money::parse_positive);
        let description = self.name(Col::Description, false);
        let agreement_ref = self.name(Col::AgreementRef, false);

        let co_debtor = match self.name(Col::CoName, false) {
            Some(name) => Some(Person {
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
                co_debtor,
                guarantor,
            }),
            _ => Err(self.errors),
        }
    }
}

impl ClaimLine {
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
                .field(&self.birth_date.map(|d| d.to_string()).unwrap_or_default())
                .field(self.kvk.as_ref().map(KvkNumber::as_str).unwrap_or(""))
                .field(&self.address.postcode)
                .finish(),
        }
    }

    fn fingerprint(&self, debtor_key: u128) -> u128 {
        let mut h = Fnv128::new()
            .field(&hex(debtor_key))
            .field(&self.invoice_number)
            .field(&self.invoice_date.to_string())
            .field(&self.due_date.to_string())
            .field(&self.principal.cents().to_string())
            .field(self.description.as_deref().unwrap_or(""))
            .field(self.agreement_ref.as_deref().unwrap_or(""));
        for p in [&self.co_debtor, &self.guarantor].into_iter().flatten() {
            h = h.field(&normalise_name(&p.name));
        }
        h.finish()
    }
}

fn related_key(role: &str, debtor_key: u128, p: &Person) -> u128 {
    Fnv128::new()
        .field(role)
        .field(&hex(debtor_key))
        .field(&normalise_name(&p.name))
        .field(&p.birth_date.map(|d| d.to_string()).unwrap_or_default())
        .finish()
}

/// The import's working state inside its transaction.
struct Intake<'a> {
    client: &'a ClientRow,
    source: &'a str,
    today: Date,
    chunk: ImportChunk,
    /// Invoice-number hash → (content fingerprint, line in this input).
    claims: HashMap<u128, (u128, Option<u64>)>,
    parties: HashMap<u128, Ref<PartyId>>,
    cases: HashMap<(u128, DebtorType), Ref<CaseId>>,
    links: HashSet<((u128, DebtorType), u128, PartyRole)>,
    pending_parties: Vec<u128>,
    pending_cases: Vec<(u128, DebtorType)>,
    extended: HashMap<CaseId, i64>,
    report: ImportReport,
    errors: Vec<FieldError>,
    error_count: u64,
}

impl<'a> Intake<'a> {
    fn start(
        tx: &mut dyn ImportTx,
        client: &'a ClientRow,
        source: &'a str,
        now: kwijting_store::Timestamp,
        today: Date,
    ) -> Result<Intake<'a>, StoreError> {
        let mut claims = HashMap::new();
        for (invoice, fp) in tx.known_claims(client.id)? {
            let fp = parse_hex(&fp).ok_or_else(|| StoreError::Corrupt {
                table: "claims",
                column: "fingerprint",
                value: fp.clone(),
                reason: "not a 128-bit hex value".into(),
            })?;
            claims.insert(Fnv128::new().field(&invoice).finish(), (fp, None));
        }
        let mut parties = HashMap::new();
        let mut cases = HashMap::new();
        for d in tx.known_debtors(client.id)? {
            let Some(key) = parse_hex(&d.key) else {
                return Err(StoreError::Corrupt {
                    table: "parties",
                    column: "debtor_key",
                    value: d.key,
                    reason: "not a 128-bit hex value".into(),
                });
            };
            parties.insert(key, Ref::Existing(d.party));
            if let Some((case, ty)) = d.open_case {
                cases.insert((key, ty), Ref::Existing(case));
            }
        }
        Ok(Intake {
            client,
            source,
            today,
            chunk: ImportChunk::new(client.id, now, today),
            claims,
            parties,
            cases,
            links: HashSet::new(),
            pending_parties: Vec::new(),
            pending_cases: Vec::new(),
            extended: HashMap::new(),
            report: ImportReport {
                source: source.to_owned(),
                ..ImportReport::default()
            },
            errors: Vec::new(),
            error_count: 0,
        })
    }

    fn refuse(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        for e in errors {
            self.error_count += 1;
            if self.errors.len() < ERRORS_LISTED_MAX {
                self.errors.push(e);
            }
        }
    }

    fn party_source(&self, line: u64) -> String {
        format!(
            "client {}: {} line {line}",
            self.client.reference, self.source
        )
    }

    fn new_party(&mut self, key: u128, p: NewParty) -> Ref<PartyId> {
        let r = Ref::New(self.chunk.parties.len());
        self.chunk.parties.push(p);
        self.pending_parties.push(key);
        self.parties.insert(key, r);
        self.report.parties_added += 1;
        r
    }

    fn link(
        &mut self,
        case_key: (u128, DebtorType),
        case: Ref<CaseId>,
        party_key: u128,
        party: Ref<PartyId>,
        role: PartyRole,
    ) {
        if self.links.insert((case_key, party_key, role)) {
            self.chunk
                .case_parties
                .push(NewCaseParty { case, party, role });
        }
    }

    fn related(
        &mut self,
        role: PartyRole,
        case_key: (u128, DebtorType),
        case: Ref<CaseId>,
        p: Person,
        debtor_address: &NewAddress,
        source: &str,
    ) {
        let key = related_key(role.as_str(), case_key.0, &p);
        let party = match self.parties.get(&key) {
            Some(r) => *r,
            None => self.new_party(
                key,
                NewParty {
                    kind: PartyKind::Person,
                    debtor_ref: None,
                    debtor_key: Some(hex(key)),
                    name: p.name,
                    birth_date: p.birth_date,
                    kvk_number: None,
                    email: p.email,
                    phone: None,
                    iban: None,
                    address: p.address.unwrap_or_else(|| debtor_address.clone()),
                    source: source.to_owned(),
                },
            ),
        };
        self.link(case_key, case, key, party, role);
    }

    fn add(&mut self, line: u64, mut c: ClaimLine) {
        let invoice_key = Fnv128::new().field(&c.invoice_number).finish();
        let debtor_key = c.debtor_key();
        let fp = c.fingerprint(debtor_key);
        if let Some((known_fp, known_line)) = self.claims.get(&invoice_key) {
            if *known_fp == fp {
                self.report.claims_known += 1;
            } else {
                let where_ = match known_line {
                    Some(l) => format!("on line {l} of this input"),
                    None => "by an earlier import".to_owned(),
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
            return;
        }
        self.claims.insert(invoice_key, (fp, Some(line)));
        if self.error_count > 0 {
            // The import is refused already: keep checking, stop building.
            return;
        }
        let source = self.party_source(line);
        let party = match self.parties.get(&debtor_key) {
            Some(r) => *r,
            None => self.new_party(
                debtor_key,
                NewParty {
                    kind: match c.debtor_type {
                        DebtorType::Consumer => PartyKind::Person,
                        DebtorType::Business => PartyKind::Organisation,
                    },
                    debtor_ref: c.debtor_ref.clone(),
                    debtor_key: Some(hex(debtor_key)),
                    name: c.name.clone(),
                    birth_date: c.birth_date,
                    kvk_number: c.kvk.as_ref().map(|k| k.as_str().to_owned()),
                    email: c.email.clone(),
                    phone: c.phone.clone(),
                    iban: c.iban.as_ref().map(|i| i.as_str().to_owned()),
                    address: c.address.clone(),
                    source: source.clone(),
                },
            ),
        };
        let case_key = (debtor_key, c.debtor_type);
        let case = match self.cases.get(&case_key) {
            Some(r) => *r,
            None => {
                let r = Ref::New(self.chunk.cases.len());
                self.chunk.cases.push(NewCase {
                    debtor: party,
                    debtor_type: c.debtor_type,
                    opened_on: self.today,
                    principal_cents: 0,
                });
                self.pending_cases.push(case_key);
                self.cases.insert(case_key, r);
                self.report.cases_added += 1;
                r
            }
        };
        self.link(case_key, case, debtor_key, party, PartyRole::Debtor);
        match case {
            Ref::New(i) => self.chunk.cases[i].principal_cents += c.principal.cents(),
            Ref::Existing(id) => *self.extended.entry(id).or_insert(0) += c.principal.cents(),
        }
        if let Some(p) = c.co_debtor.take() {
            self.related(PartyRole::CoDebtor, case_key, case, p, &c.address, &source);
        }
        if let Some(p) = c.guarantor.take() {
            self.related(PartyRole::Guarantor, case_key, case, p, &c.address, &source);
        }
        self.chunk.claims.push(NewClaim {
            case,
            invoice_number: c.invoice_number,
            invoice_date: c.invoice_date,
            due_date: c.due_date,
            principal_cents: c.principal.cents(),
            description: c.description,
            agreement_ref: c.agreement_ref,
            fingerprint: hex(fp),
            source,
        });
        self.report.claims_added += 1;
    }

    fn flush(&mut self, tx: &mut dyn ImportTx) -> Result<(), StoreError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let ids = tx.write_chunk(&self.chunk)?;
        if ids.parties.len() != self.pending_parties.len()
            || ids.cases.len() != self.pending_cases.len()
        {
            return Err(StoreError::Invariant(
                "the store assigned a different number of ids than rows written".into(),
            ));
        }
        for (key, id) in self.pending_parties.drain(..).zip(ids.parties) {
            self.parties.insert(key, Ref::Existing(id));
        }
        for (key, id) in self.pending_cases.drain(..).zip(ids.cases) {
            self.cases.insert(key, Ref::Existing(id));
        }
        self.chunk.clear();
        Ok(())
    }

    fn finish(&mut self, tx: &mut dyn ImportTx, actor: &Actor) -> Result<Finish, StoreError> {
        if self.error_count > 0 {
            return Ok(Finish::Rollback);
        }
        self.flush(tx)?;
        let mut extended: Vec<(CaseId, i64)> = self.extended.drain().collect();
        extended.sort();
        self.report.cases_extended = extended.len() as u64;
        for (case, cents) in extended {
            tx.add_to_case_totals(case, cents)?;
        }
        // A re-import that adds nothing leaves no trace: it is a no-op.
        if self.report.claims_added > 0 {
            tx.record_import(&ImportRecord {
                client: self.client.id,
                source: self.source.to_owned(),
                lines: self.report.lines as i64,
                claims_added: self.report.claims_added as i64,
                claims_known: self.report.claims_known as i64,
                cases_added: self.report.cases_added as i64,
                actor: actor.name(),
                created_at: self.chunk.created_at,
            })?;
        }
        Ok(Finish::Commit)
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
}

struct CsvLines<R: Read> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    columns: Vec<Option<Col>>,
    source: String,
}

impl<R: Read> LineSource for CsvLines<R> {
    fn next_line(
        &mut self,
        row: &mut RawRow,
    ) -> Result<Option<Result<u64, Vec<FieldError>>>, IntakeError> {
        row.clear();
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map(|p| p.line()).unwrap_or(0);
                for (i, col) in self.columns.iter().enumerate() {
                    if let (Some(col), Some(v)) = (col, self.record.get(i)) {
                        row.set(*col, v);
                    }
                }
                Ok(Some(Ok(line)))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.kind() {
                    csv::ErrorKind::Io(_) => Err(IntakeError::Read {
                        input: self.source.clone(),
                        message: e.to_string(),
                    }),
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => Ok(Some(Err(vec![FieldError {
                        line,
                        field: "(line)".into(),
                        message: format!("has {len} fields where the header has {expected_len}"),
                    }]))),
                    csv::ErrorKind::Utf8 { .. } => Ok(Some(Err(vec![FieldError {
                        line,
                        field: "(line)".into(),
                        message: "is not valid UTF-8".into(),
                    }]))),
                    _ => Ok(Some(Err(vec![FieldError {
                        line,
                        field: "(line)".into(),
                        message: e.to_string(),
                    }]))),
                }
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
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

impl Kwijting {
    /// Imports a CSV file of claims for a client: all or nothing.
    pub fn import_claims_csv<R: Read>(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        input: R,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport, IntakeError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 20)
            .from_reader(input);
        let headers = reader.headers().map_err(|e| IntakeError::Read {
            input: source.to_owned(),
            message: e.to_string(),
        })?;
        let mut errors = Vec::new();
        let mut columns = Vec::with_capacity(headers.len());
        let mut seen = HashSet::new();
        for h in headers.iter() {
            let name = h.trim().trim_start_matches('\u{feff}');
            let col = column_by_name(name);
            if col.is_none() {
                errors.push(FieldError {
                    line: 1,
                    field: name.to_owned(),
                    message: "is not a column of the claim format (see docs/claims-csv.md)".into(),
                });
            }
            if !seen.insert(name.to_owned()) {
                errors.push(FieldError {
                    line: 1,
                    field: name.to_owned(),
                    message: "appears twice in the header".into(),
                });
            }
            columns.push(col);
        }
        for (col, name, required) in COLUMNS {
            if *required && !columns.contains(&Some(*col)) {
                errors.push(FieldError {
                    line: 1,
                    field: (*name).to_owned(),
                    message: "required column is missing from the header".into(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(IntakeError::Refused(Refusal {
                source: source.to_owned(),
                error_count: errors.len() as u64,
                errors,
            }));
        }
        let mut lines = CsvLines {
            reader,
            record: csv::StringRecord::new(),
            columns,
            source: source.to_owned(),
        };
        self.import_lines(actor, client_ref, source, &mut lines, progress)
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
        self.import_lines(actor, client_ref, source, &mut lines, &mut |_| {})
    }

    fn import_lines(
        &self,
        actor: &Actor,
        client_ref: &str,
        source: &str,
        lines: &mut dyn LineSource,
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
        let mut outcome: Option<Result<(ImportReport, Option<Refusal>), IntakeError>> = None;
        let result = self.store.import(&mut |tx| {
            let mut intake = Intake::start(tx, &client, source, now, today)?;
            let mut row = RawRow::new();
            let mut since_flush = 0usize;
            loop {
                let next = match lines.next_line(&mut row) {
                    Ok(n) => n,
                    Err(e) => {
                        outcome = Some(Err(e));
                        return Ok(Finish::Rollback);
                    }
                };
                let Some(line) = next else { break };
                intake.report.lines += 1;
                if intake.report.lines > LINES_MAX {
                    intake.refuse([FieldError {
                        line: intake.report.lines + 1,
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
                            today,
                            errors: Vec::new(),
                        };
                        match check.line() {
                            Ok(claim) => intake.add(line, claim),
                            Err(errors) => intake.refuse(errors),
                        }
                    }
                }
                since_flush += 1;
                if since_flush >= CHUNK_LINES {
                    since_flush = 0;
                    if intake.error_count == 0 {
                        intake.flush(tx)?;
                    }
                    progress(Progress {
                        lines: intake.report.lines,
                        bytes: lines.bytes_read(),
                    });
                }
            }
            let finish = intake.finish(tx, actor)?;
            progress(Progress {
                lines: intake.report.lines,
                bytes: lines.bytes_read(),
            });
            let refusal = (intake.error_count > 0).then(|| Refusal {
                source: source.to_owned(),
                errors: std::mem::take(&mut intake.errors),
                error_count: intake.error_count,
            });
            outcome = Some(Ok((std::mem::take(&mut intake.report), refusal)));
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
            Some(Ok((_, Some(refusal)))) => Err(IntakeError::Refused(refusal)),
            Some(Ok((report, None))) => Ok(report),
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
