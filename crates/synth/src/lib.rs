//! Synthetic portfolios: claim files of made-up Dutch debtors in the import
//! format of `docs/claims-csv.md`, for tests and demos. Tests and demos use
//! synthetic people only.
//!
//! The output is a pure function of [`PortfolioOptions`]: no clock, no
//! system randomness. Every case draws from its own generator seeded by
//! `(seed, case number)`, so a case's content does not depend on the cases
//! before it, and a large portfolio can be written as several files
//! (`first_case`) that together equal one big file.
//!
//! The data looks real but reaches no one: e-mail addresses are under the
//! reserved `.example` domain. Telephone numbers and IBANs (real bank codes,
//! valid check digits) are random and may exist: never send anything to a
//! synthetic portfolio's contact details.

mod names;
mod rng;

use std::io::Write;

use jiff::Span;
use kwijting_domain::{Date, Iban, IbanError, Money};

use names::*;
use rng::SplitMix64;

/// The columns of the claim import format, in the documented order.
pub const COLUMNS: [&str; 32] = [
    "debtor_ref",
    "debtor_type",
    "debtor_name",
    "birth_date",
    "kvk_number",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "iban",
    "invoice_number",
    "invoice_date",
    "due_date",
    "principal",
    "description",
    "agreement_ref",
    "consumer_sale",
    "co_debtor_name",
    "co_debtor_birth_date",
    "co_debtor_street",
    "co_debtor_postcode",
    "co_debtor_city",
    "co_debtor_country",
    "co_debtor_email",
    "guarantor_name",
    "guarantor_birth_date",
    "guarantor_street",
    "guarantor_postcode",
    "guarantor_city",
    "guarantor_country",
];

/// The Dutch header of each column of the claim format, as a Dutch
/// client's export writes it and the built-in `nl` mapping reads it.
pub const DUTCH_HEADERS: &[(&str, &str)] = &[
    ("debtor_ref", "Debiteurnummer"),
    ("debtor_type", "Soort"),
    ("debtor_name", "Naam"),
    ("birth_date", "Geboortedatum"),
    ("kvk_number", "KvK-nummer"),
    ("street", "Adres"),
    ("postcode", "Postcode"),
    ("city", "Plaats"),
    ("country", "Land"),
    ("email", "E-mail"),
    ("phone", "Telefoon"),
    ("iban", "Rekeningnummer"),
    ("invoice_number", "Factuurnummer"),
    ("invoice_date", "Factuurdatum"),
    ("due_date", "Vervaldatum"),
    ("principal", "Bedrag"),
    ("description", "Omschrijving"),
    ("agreement_ref", "Contractnummer"),
    ("consumer_sale", "Consumentenkoop"),
    ("co_debtor_name", "Medeschuldenaar"),
    ("co_debtor_birth_date", "Medeschuldenaar_geboortedatum"),
    ("co_debtor_street", "Medeschuldenaar_adres"),
    ("co_debtor_postcode", "Medeschuldenaar_postcode"),
    ("co_debtor_city", "Medeschuldenaar_plaats"),
    ("co_debtor_country", "Medeschuldenaar_land"),
    ("co_debtor_email", "Medeschuldenaar_e-mail"),
    ("guarantor_name", "Borg"),
    ("guarantor_birth_date", "Borg_geboortedatum"),
    ("guarantor_street", "Borg_adres"),
    ("guarantor_postcode", "Borg_postcode"),
    ("guarantor_city", "Borg_plaats"),
    ("guarantor_country", "Borg_land"),
];

/// At most three claims per case and at most 5,000,000 lines per import
/// file: this many cases always fit in one file.
pub const CASES_MAX: u64 = 1_666_666;

/// Case numbers (and so debtor refs and KvK numbers) stay unique below this.
pub const CASE_NUMBER_MAX: u64 = 90_000_000;

/// The smallest and largest principal generated, in cents.
pub const PRINCIPAL_CENTS_MIN: i64 = 2_000; // EUR 20.00
pub const PRINCIPAL_CENTS_MAX: i64 = 5_000_000; // EUR 50,000.00

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortfolioOptions {
    /// Number of cases (debtors). Each case has one to three claim lines.
    pub cases: u64,
    pub seed: u64,
    /// Every date is relative to this one; all claims are due before it.
    pub as_of: Date,
    /// The number of the first case (0 for a single file). Case `n` is
    /// `debtor_ref` `D` + `n + 1` and has the same content whatever file it
    /// is written in.
    pub first_case: u64,
}

impl PortfolioOptions {
    pub fn new(cases: u64, seed: u64, as_of: Date) -> PortfolioOptions {
        PortfolioOptions {
            cases,
            seed,
            as_of,
            first_case: 0,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub cases: u64,
    /// Claim lines, without the header.
    pub lines: u64,
    pub consumers: u64,
    pub businesses: u64,
    /// Debtors living outside the Netherlands.
    pub abroad: u64,
    pub with_email: u64,
    pub with_phone: u64,
    pub with_iban: u64,
    pub with_co_debtor: u64,
    pub with_guarantor: u64,
    /// Cases with two or three claims.
    pub multi_claim_cases: u64,
    pub total_principal: Money,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("writing the portfolio failed: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "{cases} cases is more than the limit of {max} per file; write several files with first_case"
    )]
    TooManyCases { cases: u64, max: u64 },
    #[error("cases {first}..{end} run past the last case number {max}")]
    CaseNumbersExhausted { first: u64, end: u64, max: u64 },
    #[error("as-of date {0} must lie between 1900-01-01 and 9000-12-31")]
    AsOfOutOfRange(Date),
    #[error("date arithmetic failed: {0}")]
    Date(#[from] jiff::Error),
    #[error("generated an invalid IBAN: {0}")]
    Iban(#[from] IbanError),
    #[error("the total principal overflows")]
    Overflow,
}

/// Writes a synthetic claim file: the header line, then one line per claim,
/// the claims of a case on consecutive lines under one `debtor_ref`.
/// Streams through a buffer; memory use does not grow with `cases`.
pub fn write_portfolio<W: Write>(out: W, opts: &PortfolioOptions) -> Result<Summary, SynthError> {
    if opts.cases > CASES_MAX {
        return Err(SynthError::TooManyCases {
            cases: opts.cases,
            max: CASES_MAX,
        });
    }
    let end = opts.first_case.checked_add(opts.cases);
    if end.is_none_or(|end| end > CASE_NUMBER_MAX) {
        return Err(SynthError::CaseNumbersExhausted {
            first: opts.first_case,
            end: end.unwrap_or(u64::MAX),
            max: CASE_NUMBER_MAX,
        });
    }
    if !(1900..=9000).contains(&opts.as_of.year()) {
        return Err(SynthError::AsOfOutOfRange(opts.as_of));
    }

    let mut out = CountingWriter {
        inner: std::io::BufWriter::with_capacity(1 << 16, out),
        bytes: 0,
    };
    let mut summary = Summary::default();
    let mut generator = Generator::new(opts);

    out.write_all(COLUMNS.join(",").as_bytes())?;
    out.write_all(b"\n")?;
    for n in opts.first_case..opts.first_case + opts.cases {
        generator.case(n, &mut out, &mut summary)?;
    }
    out.flush()?;
    summary.bytes = out.bytes;
    Ok(summary)
}

struct CountingWriter<W: Write> {
    inner: std::io::BufWriter<W>,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/// Per-run state: option values and reused buffers (no allocation per line
/// once the buffers have grown).
struct Generator {
    seed: u64,
    as_of: Date,
    /// Cumulative weights of `CITIES_NL` (range widths).
    city_weights: Vec<u64>,
    /// The debtor columns (`debtor_ref` .. `iban`) of the current case.
    debtor: Vec<u8>,
    /// The co-debtor and guarantor columns of the current case.
    parties: Vec<u8>,
    scratch: String,
    /// The current company's name as a domain label: "bakkerijdevries".
    company_domain: String,
}

#[derive(Clone, Copy)]
struct Name {
    first: &'static str,
    /// Tussenvoegsel, "" when none.
    infix: &'static str,
    last: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Country {
    Nl,
    Be,
    De,
}

#[derive(Clone, Copy)]
enum ClaimKind {
    Telecom,
    Energy,
    Webshop,
    Insurance,
    Gym,
    Rent,
    Other,
    Large,
    Supplies,
    Services,
    BusinessRent,
    BusinessTelecom,
}

impl ClaimKind {
    /// Billed monthly: a debtor's claims are consecutive months.
    fn monthly(self) -> bool {
        !matches!(
            self,
            ClaimKind::Webshop | ClaimKind::Other | ClaimKind::Large | ClaimKind::Supplies
        )
    }
}

impl Generator {
    fn new(opts: &PortfolioOptions) -> Generator {
        let mut total = 0u64;
        let city_weights = CITIES_NL
            .iter()
            .map(|&(_, lo, hi)| {
                total += u64::from(hi - lo) + 1;
                total
            })
            .collect();
        Generator {
            seed: opts.seed,
            as_of: opts.as_of,
            city_weights,
            debtor: Vec::with_capacity(512),
            parties: Vec::with_capacity(512),
            scratch: String::with_capacity(128),
            company_domain: String::with_capacity(64),
        }
    }

    fn case<W: Write>(
        &mut self,
        n: u64,
        out: &mut W,
        summary: &mut Summary,
    ) -> Result<(), SynthError> {
        let mut rng = SplitMix64::for_case(self.seed, n);
        let business = rng.chance(150);
        let country = match rng.below(1000) {
            0..20 => Country::Be,
            20..40 => Country::De,
            _ => Country::Nl,
        };
        summary.cases += 1;
        if business {
            summary.businesses += 1;
        } else {
            summary.consumers += 1;
        }
        if country != Country::Nl {
            summary.abroad += 1;
        }

        // --- debtor columns, rendered once per case ---
        self.debtor.clear();
        write!(self.debtor, "D{:08},", n + 1)?;
        self.debtor
            .extend_from_slice(if business { b"business," } else { b"consumer," });
        let name = self.person_name(&mut rng, country);
        let birth = if business {
            None
        } else {
            Some(self.birth_date(&mut rng, 18)?)
        };
        if business {
            self.company_name(&mut rng, name);
            self.company_domain.clear();
            let bare = [" B.V.", " Holding", " V.O.F."]
                .iter()
                .filter_map(|form| self.scratch.find(form))
                .min()
                .map_or(self.scratch.as_str(), |end| &self.scratch[..end]);
            push_ascii_lower(&mut self.company_domain, bare);
        } else {
            self.full_name(&mut rng, name);
        }
        push_field(&mut self.debtor, &self.scratch);
        self.debtor.push(b',');
        if let Some(b) = birth {
            write!(self.debtor, "{b}")?;
        }
        self.debtor.push(b',');
        if business {
            write!(self.debtor, "{}", kvk_number(self.seed, n))?;
        }
        self.debtor.push(b',');
        let mut address = std::mem::take(&mut self.debtor);
        self.address(&mut rng, country, &mut address)?;
        self.debtor = address;
        self.debtor.push(b',');

        if rng.chance(if business { 800 } else { 700 }) {
            summary.with_email += 1;
            self.email(&mut rng, name, business);
            push_field(&mut self.debtor, &self.scratch);
        }
        self.debtor.push(b',');
        if rng.chance(if business { 850 } else { 750 }) {
            summary.with_phone += 1;
            let mut buf = std::mem::take(&mut self.debtor);
            phone(&mut rng, business, &mut buf)?;
            self.debtor = buf;
        }
        self.debtor.push(b',');
        let iban_per_mille = match (country, business) {
            (Country::Nl, true) => 850,
            (Country::Nl, false) => 650,
            _ => 300,
        };
        if rng.chance(iban_per_mille) {
            summary.with_iban += 1;
            let bank = rng.weighted(BANKS);
            let iban = Iban::dutch(bank, account_number(self.seed, n))?;
            self.debtor.extend_from_slice(iban.as_str().as_bytes());
        }
        self.debtor.push(b',');

        // --- co-debtor and guarantor columns ---
        self.parties.clear();
        if !business && rng.chance(90) {
            summary.with_co_debtor += 1;
            let partner = Name {
                first: self.first_name(&mut rng, country),
                infix: name.infix,
                last: name.last,
            };
            let partner = if rng.chance(500) {
                partner
            } else {
                let other = self.person_name(&mut rng, country);
                Name {
                    first: partner.first,
                    ..other
                }
            };
            self.full_name(&mut rng, partner);
            push_field(&mut self.parties, &self.scratch);
            self.parties.push(b',');
            let base = birth.unwrap_or(self.as_of);
            let delta = rng.range(0, 6 * 365) as i64 - 3 * 365;
            let partner_birth = base.checked_add(Span::new().days(delta))?;
            let partner_birth = partner_birth.min(self.as_of.checked_sub(Span::new().years(18))?);
            write!(self.parties, "{partner_birth}")?;
            // Street, postcode, city, country empty: the debtor's address.
            self.parties.extend_from_slice(b",,,,,");
            if rng.chance(400) {
                self.email(&mut rng, partner, false);
                push_field(&mut self.parties, &self.scratch);
            }
        } else {
            self.parties.extend_from_slice(b",,,,,,");
        }
        self.parties.push(b',');
        if rng.chance(if business { 100 } else { 18 }) {
            summary.with_guarantor += 1;
            let g = self.person_name(&mut rng, Country::Nl);
            self.full_name(&mut rng, g);
            push_field(&mut self.parties, &self.scratch);
            self.parties.push(b',');
            let gb = self.birth_date(&mut rng, 21)?;
            write!(self.parties, "{gb}")?;
            self.parties.push(b',');
            let mut buf = std::mem::take(&mut self.parties);
            self.address(&mut rng, Country::Nl, &mut buf)?;
            self.parties = buf;
        } else {
            self.parties.extend_from_slice(b",,,,,");
        }
        self.parties.push(b'\n');

        // --- claims ---
        let claims: u64 = match rng.below(100) {
            0..80 => 1,
            80..93 => 2,
            _ => 3,
        };
        if claims > 1 {
            summary.multi_claim_cases += 1;
        }
        let kind = claim_kind(&mut rng, business);
        // The first invoice lies 1 to 36 months back, early enough for the
        // later monthly invoices to be due before `as_of` too.
        let room = 31 * (claims as i64 - 1);
        let first_back = rng.range((31 + room) as u64, 1095) as i64;
        let mut invoice_date = self.as_of.checked_sub(Span::new().days(first_back))?;
        let agreement = rng.range(10_000_000, 99_999_999);
        let has_agreement = rng.chance(600);
        for k in 0..claims {
            if k > 0 {
                invoice_date = if kind.monthly() {
                    invoice_date.checked_add(Span::new().months(1))?
                } else {
                    invoice_date.checked_add(Span::new().days(rng.range(3, 28) as i64))?
                };
            }
            let due_date = invoice_date.checked_add(Span::new().days(rng.range(14, 30) as i64))?;
            let cents = principal_cents(&mut rng, kind);
            let principal = Money::from_cents(cents);
            summary.total_principal = summary
                .total_principal
                .checked_add(principal)
                .map_err(|_| SynthError::Overflow)?;
            summary.lines += 1;

            out.write_all(&self.debtor)?;
            write!(
                out,
                "F{}-{:08}{},{invoice_date},{due_date},{principal},",
                invoice_date.year(),
                n + 1,
                k + 1
            )?;
            self.description(
                &mut rng,
                kind,
                invoice_date,
                out,
                has_agreement.then_some(agreement),
            )?;
            out.write_all(&self.parties)?;
        }
        Ok(())
    }

    fn first_name(&self, rng: &mut SplitMix64, country: Country) -> &'static str {
        match country {
            Country::De => rng.pick(FIRST_NAMES_DE),
            _ => rng.pick(FIRST_NAMES_NL),
        }
    }

    fn person_name(&self, rng: &mut SplitMix64, country: Country) -> Name {
        match country {
            Country::Nl if rng.chance(130) => Name {
                first: rng.pick(FIRST_NAMES_FOREIGN),
                infix: "",
                last: rng.pick(SURNAMES_FOREIGN),
            },
            Country::Nl => {
                let (infix, last) = rng.pick(SURNAMES_NL);
                Name {
                    first: rng.pick(FIRST_NAMES_NL),
                    infix,
                    last,
                }
            }
            Country::Be => {
                let (infix, last) = rng.pick(SURNAMES_BE);
                Name {
                    first: rng.pick(FIRST_NAMES_NL),
                    infix,
                    last,
                }
            }
            Country::De => Name {
                first: rng.pick(FIRST_NAMES_DE),
                infix: "",
                last: rng.pick(SURNAMES_DE),
            },
        }
    }

    /// A person's name into `scratch`, in one of the forms clients export:
    /// "Jan de Vries", "J. de Vries", "Vries, Jan de", `Johannes "Hans" de Vries`.
    fn full_name(&mut self, rng: &mut SplitMix64, name: Name) {
        let s = &mut self.scratch;
        s.clear();
        let form = rng.below(1000);
        if form < 20 {
            // Surname first, with a comma: must be quoted.
            s.push_str(name.last);
            s.push_str(", ");
            s.push_str(name.first);
            if !name.infix.is_empty() {
                s.push(' ');
                s.push_str(name.infix);
            }
            return;
        }
        if form < 100 {
            // Initials.
            if let Some(c) = name.first.chars().next() {
                s.push(c);
                s.push('.');
            }
        } else {
            s.push_str(name.first);
            if form < 104 {
                // A nickname in quotes: must be quoted and doubled.
                s.push_str(" \"");
                s.push_str(rng.pick(&["Hans", "Bep", "Joop", "Toos", "Sjaak", "Miep"]));
                s.push('"');
            }
        }
        s.push(' ');
        if !name.infix.is_empty() {
            s.push_str(name.infix);
            s.push(' ');
        }
        s.push_str(name.last);
    }

    /// A company name into `scratch`: "Bakkerij De Vries B.V.",
    /// "Klusbedrijf P. de Vries", "Jansen, Bakker & Partners B.V.".
    fn company_name(&mut self, rng: &mut SplitMix64, owner: Name) {
        let s = &mut self.scratch;
        s.clear();
        let trade = rng.pick(TRADES);
        let form = rng.pick(LEGAL_FORMS);
        let push_surname = |s: &mut String| {
            // Without a first name the tussenvoegsel is capitalised.
            let mut chars = owner.infix.chars();
            if let Some(c) = chars.next() {
                s.extend(c.to_uppercase());
                s.push_str(chars.as_str());
                s.push(' ');
            }
            s.push_str(owner.last);
        };
        match rng.below(100) {
            0..45 => {
                s.push_str(trade);
                s.push(' ');
                push_surname(s);
            }
            45..65 => {
                // Eenmanszaak: trade and owner's initial.
                s.push_str(trade);
                s.push(' ');
                if let Some(c) = owner.first.chars().next() {
                    s.push(c);
                    s.push_str(". ");
                }
                if !owner.infix.is_empty() {
                    s.push_str(owner.infix);
                    s.push(' ');
                }
                s.push_str(owner.last);
                return;
            }
            65..75 => {
                push_surname(s);
                s.push_str(", ");
                let (infix, last) = rng.pick(SURNAMES_NL);
                let mut chars = infix.chars();
                if let Some(c) = chars.next() {
                    s.extend(c.to_uppercase());
                    s.push_str(chars.as_str());
                    s.push(' ');
                }
                s.push_str(last);
                s.push_str(" & Partners");
            }
            75..90 => {
                s.push_str(trade);
                s.push(' ');
                s.push_str(rng.pick(&[
                    "'t Hoekje",
                    "De Molen",
                    "De Zon",
                    "Het Anker",
                    "De Linde",
                    "De Eendracht",
                ]));
            }
            _ => {
                push_surname(s);
                s.push_str(" & Zn.");
            }
        }
        if !form.is_empty() {
            s.push(' ');
            s.push_str(form);
        }
    }

    /// A birth date for someone at least `min_age` on `as_of`, most between
    /// 30 and 60.
    fn birth_date(&self, rng: &mut SplitMix64, min_age: u64) -> Result<Date, SynthError> {
        let age = min_age + rng.below(28) + rng.below(28) + rng.below(18);
        let days = rng.below(365);
        Ok(self
            .as_of
            .checked_sub(Span::new().years(age as i64).days(days as i64 + 1))?)
    }

    /// `street,postcode,city,country` into `buf`.
    fn address(
        &self,
        rng: &mut SplitMix64,
        country: Country,
        buf: &mut Vec<u8>,
    ) -> Result<(), SynthError> {
        let street = match country {
            Country::Nl => rng.pick(STREETS_NL),
            Country::Be => rng.pick(STREETS_BE),
            Country::De => rng.pick(STREETS_DE),
        };
        let number = 1 + rng.below(200).min(rng.below(200));
        write!(buf, "{street} {number}")?;
        match rng.below(100) {
            0..8 => buf.push(b'A' + rng.below(4) as u8),
            8..13 => write!(buf, "-{}", 1 + rng.below(3))?,
            13..15 => buf.extend_from_slice(b" bis"),
            _ => {}
        }
        buf.push(b',');
        match country {
            Country::Nl => {
                let pick = rng.below(self.city_weights.last().copied().unwrap_or(1));
                let i = self.city_weights.partition_point(|&w| w <= pick);
                let (city, lo, hi) = CITIES_NL[i.min(CITIES_NL.len() - 1)];
                let digits = rng.range(u64::from(lo), u64::from(hi));
                // PostNL leaves out F, I, O, Q, U and Y, and does not issue
                // SA, SD and SS.
                let a = rng.pick(POSTCODE_LETTERS);
                let mut b = rng.pick(POSTCODE_LETTERS);
                if a == b'S' && matches!(b, b'A' | b'D' | b'S') {
                    b = b'T';
                }
                write!(buf, "{digits} {}{},{city},NL", a as char, b as char)?;
            }
            Country::Be => {
                let (city, code) = rng.pick(CITIES_BE);
                write!(buf, "{},{city},BE", code + rng.below(10) as u16 * 10)?;
            }
            Country::De => {
                let (city, code) = rng.pick(CITIES_DE);
                write!(buf, "{:05},{city},DE", code + rng.below(20) as u32)?;
            }
        }
        Ok(())
    }

    /// An e-mail address into `scratch`, under a reserved `.example` domain.
    fn email(&mut self, rng: &mut SplitMix64, name: Name, business: bool) {
        let s = &mut self.scratch;
        s.clear();
        if business {
            s.push_str(rng.pick(&["info", "administratie", "facturen", "boekhouding"]));
            s.push('@');
            s.push_str(&self.company_domain);
            s.push_str(".example");
            return;
        }
        match rng.below(3) {
            0 => {
                push_ascii_lower(s, name.first);
                s.push('.');
            }
            1 => {
                if let Some(c) = name.first.chars().next() {
                    push_ascii_lower(s, c.encode_utf8(&mut [0; 4]));
                }
            }
            _ => push_ascii_lower(s, name.first),
        }
        push_ascii_lower(s, name.infix);
        push_ascii_lower(s, name.last);
        if rng.chance(400) {
            let n = rng.range(1, 99);
            s.push(char::from(b'0' + (n / 10) as u8));
            s.push(char::from(b'0' + (n % 10) as u8));
        }
        s.push('@');
        s.push_str(rng.pick(MAIL_DOMAINS));
    }

    /// `description,agreement_ref,consumer_sale,` of a claim. The portfolio
    /// marks no claim a consumer sale: its claims run back years, and the
    /// tests and benchmarks over it are about collection, not limitation
    /// (which has tests of its own).
    fn description<W: Write>(
        &mut self,
        rng: &mut SplitMix64,
        kind: ClaimKind,
        invoice_date: Date,
        out: &mut W,
        agreement: Option<u64>,
    ) -> Result<(), SynthError> {
        let month = MONTHS_NL[usize::try_from(invoice_date.month() - 1).unwrap_or(0) % 12];
        let year = invoice_date.year();
        let mut order = None;
        match kind {
            ClaimKind::Telecom => {
                let what = rng.pick(&["Mobiel abonnement", "Internet en tv", "Vaste telefonie"]);
                write!(out, "{what} {month} {year}")?;
            }
            ClaimKind::Energy => match rng.below(4) {
                0 => write!(out, "Eindafrekening energie {year}")?,
                1 => out.write_all(b"Energielevering")?,
                _ => write!(out, "Energielevering {month} {year}")?,
            },
            ClaimKind::Webshop => {
                let n = rng.range(100_000, 999_999);
                order = Some(n);
                write!(out, "Bestelling #{n}")?;
            }
            ClaimKind::Insurance => {
                let what = rng.pick(&[
                    "Premie autoverzekering",
                    "Premie inboedelverzekering",
                    "Premie aansprakelijkheidsverzekering",
                ]);
                write!(out, "{what} {month} {year}")?;
            }
            ClaimKind::Gym => write!(out, "Lidmaatschap sportschool {month} {year}")?,
            ClaimKind::Rent => write!(out, "Huur {month} {year}")?,
            ClaimKind::Other => {
                let what = rng.pick(&[
                    "Reparatie wasmachine",
                    "Levering meubels",
                    "Cursusgeld",
                    "Parkeerabonnement",
                    "Fietsreparatie",
                ]);
                out.write_all(what.as_bytes())?;
            }
            ClaimKind::Large => {
                let what = rng.pick(&[
                    "Verbouwing badkamer",
                    "Levering en montage zonnepanelen",
                    "Aanneming verbouwing keuken",
                    "Restschuld persoonlijke lening",
                    "Autoreparatie",
                ]);
                out.write_all(what.as_bytes())?;
            }
            ClaimKind::Supplies => {
                let what = rng.pick(&[
                    "Levering goederen",
                    "Levering materialen",
                    "Levering kantoorartikelen",
                ]);
                out.write_all(what.as_bytes())?;
            }
            ClaimKind::Services => write!(out, "Dienstverlening {month} {year}")?,
            ClaimKind::BusinessRent => write!(out, "Huur bedrijfsruimte {month} {year}")?,
            ClaimKind::BusinessTelecom => write!(out, "Zakelijk abonnement {month} {year}")?,
        }
        out.write_all(b",")?;
        match (kind, order, agreement) {
            (_, Some(order), _) if rng.chance(500) => write!(out, "{order}")?,
            (ClaimKind::Rent | ClaimKind::BusinessRent, _, Some(a)) => write!(out, "HUUR-{a}")?,
            (ClaimKind::Supplies, _, Some(a)) => write!(out, "PO-{a}")?,
            (k, _, Some(a)) if k.monthly() => write!(out, "C{a}")?,
            _ => {}
        }
        out.write_all(b",,")?;
        Ok(())
    }
}

fn claim_kind(rng: &mut SplitMix64, business: bool) -> ClaimKind {
    if business {
        *rng.weighted(&[
            (40, ClaimKind::Supplies),
            (30, ClaimKind::Services),
            (15, ClaimKind::BusinessRent),
            (15, ClaimKind::BusinessTelecom),
        ])
    } else {
        *rng.weighted(&[
            (30, ClaimKind::Telecom),
            (20, ClaimKind::Energy),
            (25, ClaimKind::Webshop),
            (8, ClaimKind::Insurance),
            (7, ClaimKind::Gym),
            (5, ClaimKind::Rent),
            (3, ClaimKind::Other),
            (2, ClaimKind::Large),
        ])
    }
}

/// The principal in cents: most consumer claims are small (EUR 20 - 500),
/// with a log-uniform long tail up to EUR 50,000.
fn principal_cents(rng: &mut SplitMix64, kind: ClaimKind) -> i64 {
    let euros: (u64, u64) = match kind {
        ClaimKind::Telecom => (20, 150),
        ClaimKind::Energy => (40, 600),
        ClaimKind::Webshop => {
            if rng.chance(50) {
                (500, 2_500)
            } else {
                (20, 500)
            }
        }
        ClaimKind::Insurance => (30, 450),
        ClaimKind::Gym => (20, 80),
        ClaimKind::Rent => (450, 1_800),
        ClaimKind::Other => (50, 1_500),
        ClaimKind::Large => (1_500, 50_000),
        ClaimKind::Supplies => (100, 50_000),
        ClaimKind::Services => (250, 25_000),
        ClaimKind::BusinessRent => (800, 10_000),
        ClaimKind::BusinessTelecom => (50, 400),
    };
    let whole = rng.log_uniform(euros.0, euros.1);
    let cents = match kind {
        ClaimKind::Rent | ClaimKind::BusinessRent => 0,
        _ => rng.below(100),
    };
    let total = (whole * 100 + cents) as i64;
    total.clamp(PRINCIPAL_CENTS_MIN, PRINCIPAL_CENTS_MAX)
}

/// A phone number in one of the forms people write: `06-12345678`,
/// `0612345678`, `+31 6 12345678`, `06 1234 5678`, or a business landline
/// `010-1234567`.
fn phone(rng: &mut SplitMix64, business: bool, buf: &mut Vec<u8>) -> std::io::Result<()> {
    if business && rng.chance(700) {
        let area = rng.pick(AREA_CODES);
        return write!(buf, "{area}-{}", rng.range(2_000_000, 9_999_999));
    }
    let n = rng.range(10_000_000, 59_999_999);
    match rng.below(100) {
        0..50 => write!(buf, "06-{n}"),
        50..75 => write!(buf, "06{n}"),
        75..90 => write!(buf, "+31 6 {n}"),
        _ => write!(buf, "06 {} {}", n / 10_000, n % 10_000),
    }
}

/// A KvK number unique per case: an affine bijection of the case number
/// onto 10000000..=99999999 (48271 is coprime to 90,000,000).
fn kvk_number(seed: u64, case: u64) -> u64 {
    let offset = rng::mix(seed ^ 0x4B56_4B00) % 90_000_000;
    10_000_000 + (case % 90_000_000 * 48_271 + offset) % 90_000_000
}

/// A 10-digit account number unique per case (an affine bijection modulo
/// 10^10; the multiplier is odd and not a multiple of 5).
fn account_number(seed: u64, case: u64) -> u64 {
    const M: u64 = 10_000_000_000;
    let offset = rng::mix(seed ^ 0x1BA4) % M;
    ((u128::from(case % M) * 2_654_435_761 + u128::from(offset)) % u128::from(M)) as u64
}

/// Appends the ASCII letters and digits of `s`, lower case, with common
/// accented letters folded (`ü` -> `u`, `ş` -> `s`, `ß` -> `ss`).
fn push_ascii_lower(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        let folded = match c {
            'á' | 'à' | 'ä' | 'â' => "a",
            'é' | 'è' | 'ë' | 'ê' => "e",
            'í' | 'ï' | 'ı' => "i",
            'ó' | 'ö' | 'ô' => "o",
            'ú' | 'ü' | 'û' => "u",
            'ç' | 'Ç' => "c",
            'ş' | 'ś' => "s",
            'ñ' | 'ń' => "n",
            'ł' => "l",
            'ß' => "ss",
            _ => "",
        };
        out.push_str(folded);
    }
}

/// Appends one CSV field, quoted (RFC 4180) when it holds a comma, a quote
/// or a line break.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

#[cfg(test)]
mod tests;
