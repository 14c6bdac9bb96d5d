//! SEPA payment files out: pain.008 direct debits and pain.001 credit
//! transfers. The new generation (pain.008.001.08, pain.001.001.09) is the
//! default; the long-standing Dutch baseline (pain.008.001.02,
//! pain.001.001.03) is kept as a per-bank option.
//!
//! One file holds one payment-information block (one collection or
//! execution date, one sequence type); the caller writes a file per group.
//! `NbOfTxs` and `CtrlSum` are computed, never taken from the caller.

use jiff::civil::DateTime;
use kwijting_domain::{Betalingskenmerk, CreditorReference, Date, Iban, Money};

use crate::amount::format_amount;
use crate::error::BankError;
use crate::model::{RefIssuer, StructuredRef};
use crate::sepa::{Bic, CreditorId, EndToEndId, MandateId, MessageId, to_sepa_text};
use crate::xml::escape;

/// Most transactions in one payment file. Larger runs are split into
/// several files by the caller (a limit on everything; banks accept more,
/// but a file this size is already a day's run for one creditor).
pub const PAYMENTS_PER_FILE_MAX: usize = 10_000;
/// Largest single SEPA amount (999,999,999.99 euro).
pub const PAYMENT_AMOUNT_MAX: Money = Money::from_cents(99_999_999_999);
const NAME_CHARS_MAX: usize = 70;
const REMITTANCE_CHARS_MAX: usize = 140;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pain008Version {
    /// pain.008.001.08, structured addresses (the default).
    #[default]
    V08,
    /// pain.008.001.02, the long-standing Dutch baseline.
    V02,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pain001Version {
    /// pain.001.001.09, structured addresses (the default).
    #[default]
    V09,
    /// pain.001.001.03, the long-standing Dutch baseline.
    V03,
}

/// A structured postal address (town and country at least; from November
/// 2025 addresses are only accepted structured). Written as `AdrLine`s in
/// the old versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalAddress {
    pub street: Option<String>,
    pub building_number: Option<String>,
    pub postcode: Option<String>,
    pub town: String,
    /// ISO 3166 alpha-2, e.g. `NL`.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub address: Option<PostalAddress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub iban: Iban,
    /// Optional within SEPA; `NOTPROVIDED` is written when absent.
    pub bic: Option<Bic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceType {
    /// FRST (optional since 2016: RCUR may be used for a first collection).
    First,
    /// RCUR
    Recurring,
    /// FNAL
    Final,
    /// OOFF
    OneOff,
}

impl SequenceType {
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::First => "FRST",
            SequenceType::Recurring => "RCUR",
            SequenceType::Final => "FNAL",
            SequenceType::OneOff => "OOFF",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LocalInstrument {
    #[default]
    Core,
    B2b,
}

/// What changed in a mandate since the last collection (`AmdmntInfDtls`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MandateAmendment {
    pub original_mandate_id: Option<MandateId>,
    pub original_creditor_id: Option<CreditorId>,
    pub original_debtor_iban: Option<Iban>,
    /// The debtor moved to another bank (`OrgnlDbtrAgt` = `SMNDA`); the
    /// next collection must then be FRST.
    pub debtor_bank_changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    pub id: MandateId,
    pub signed_on: Date,
    pub amendment: Option<MandateAmendment>,
}

/// Remittance information: free text (at most 140 characters) or a
/// structured creditor reference (`CUR`: a betalingskenmerk, `ISO`: an RF
/// reference; both are validated before writing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remittance {
    Unstructured(String),
    Structured(StructuredRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebit {
    pub end_to_end_id: EndToEndId,
    pub amount: Money,
    pub mandate: Mandate,
    pub debtor: Party,
    pub debtor_account: Account,
    pub remittance: Option<Remittance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebitBatch {
    pub message_id: MessageId,
    /// `CreDtTm`, passed in: this crate reads no clock.
    pub created_at: DateTime,
    pub initiating_party: String,
    pub payment_info_id: MessageId,
    pub creditor: Party,
    pub creditor_account: Account,
    pub creditor_id: CreditorId,
    pub collection_date: Date,
    pub sequence_type: SequenceType,
    pub local_instrument: LocalInstrument,
    pub transactions: Vec<DirectDebit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransfer {
    pub end_to_end_id: EndToEndId,
    pub amount: Money,
    pub creditor: Party,
    pub creditor_account: Account,
    pub remittance: Option<Remittance>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransferBatch {
    pub message_id: MessageId,
    /// `CreDtTm`, passed in: this crate reads no clock.
    pub created_at: DateTime,
    pub initiating_party: String,
    pub payment_info_id: MessageId,
    pub debtor: Party,
    pub debtor_account: Account,
    pub execution_date: Date,
    pub transactions: Vec<CreditTransfer>,
}

/// Indented XML text, escaped.
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn new(namespace: &str) -> Xml {
        let mut out = String::with_capacity(4096);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<Document xmlns=\"{namespace}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
        ));
        Xml { out, depth: 1 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, tag: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        self.out
            .push_str(&format!("<{tag}>{}</{tag}>\n", escape(text)));
    }

    fn amount(&mut self, tag: &str, amount: Money) {
        self.indent();
        self.out.push_str(&format!(
            "<{tag} Ccy=\"EUR\">{}</{tag}>\n",
            format_amount(amount)
        ));
    }

    fn finish(mut self) -> String {
        self.out.push_str("</Document>\n");
        self.out
    }
}

/// Checks shared by both writers; gives errors the message id.
struct Check<'a> {
    message_id: &'a str,
}

impl Check<'_> {
    fn err(&self, location: impl Into<String>, problem: impl Into<String>) -> BankError {
        BankError::Payment {
            message_id: self.message_id.to_owned(),
            location: location.into(),
            problem: problem.into(),
        }
    }

    fn text(&self, location: &str, s: &str, max: usize) -> Result<String, BankError> {
        let t = to_sepa_text(s.trim()).map_err(|c| {
            self.err(
                location,
                format!("character '{c}' is outside the SEPA character set"),
            )
        })?;
        if t.is_empty() {
            return Err(self.err(location, "empty"));
        }
        if t.chars().count() > max {
            return Err(self.err(location, format!("longer than {max} characters")));
        }
        Ok(t)
    }

    fn count(&self, n: usize) -> Result<(), BankError> {
        if n == 0 {
            return Err(self.err(
                "transactions",
                "a payment file needs at least one transaction",
            ));
        }
        if n > PAYMENTS_PER_FILE_MAX {
            return Err(self.err(
                "transactions",
                format!(
                    "{n} transactions; at most {PAYMENTS_PER_FILE_MAX} per file (split the run)"
                ),
            ));
        }
        Ok(())
    }

    fn amount(&self, location: &str, m: Money) -> Result<(), BankError> {
        if m.cents() <= 0 || m > PAYMENT_AMOUNT_MAX {
            return Err(self.err(
                location,
                format!("amount {m} outside 0.01 to {PAYMENT_AMOUNT_MAX}"),
            ));
        }
        Ok(())
    }

    fn unique<'e>(&self, ids: impl Iterator<Item = &'e EndToEndId>) -> Result<(), BankError> {
        let mut seen = std::collections::HashSet::new();
        for (i, id) in ids.enumerate() {
            if !seen.insert(id.as_str()) {
                return Err(self.err(
                    format!("transaction {}", i + 1),
                    format!("end-to-end id {id} used twice in one file"),
                ));
            }
        }
        Ok(())
    }

    /// Checks the transactions (count, unique end-to-end ids, amounts) and
    /// opens the document with its group header; returns the writer, the
    /// number of transactions and their total for the payment information.
    fn start<'e>(
        &self,
        namespace: &str,
        root: &str,
        created_at: jiff::civil::DateTime,
        initiating_party: &str,
        transactions: impl Iterator<Item = (&'e EndToEndId, Money)> + Clone,
    ) -> Result<(Xml, String, Money), BankError> {
        self.count(transactions.clone().count())?;
        self.unique(transactions.clone().map(|(id, _)| id))?;
        for (i, (id, amount)) in transactions.clone().enumerate() {
            self.amount(&format!("transaction {} ({id})", i + 1), amount)?;
        }
        let total = self.sum(transactions.clone().map(|(_, a)| a))?;
        let n = transactions.count().to_string();
        let mut x = Xml::new(namespace);
        x.open(root);
        x.open("GrpHdr");
        x.leaf("MsgId", self.message_id);
        x.leaf("CreDtTm", &datetime(created_at));
        x.leaf("NbOfTxs", &n);
        x.leaf("CtrlSum", &format_amount(total));
        x.open("InitgPty");
        x.leaf(
            "Nm",
            &self.text("initiating party", initiating_party, NAME_CHARS_MAX)?,
        );
        x.close("InitgPty");
        x.close("GrpHdr");
        Ok((x, n, total))
    }

    fn sum(&self, mut amounts: impl Iterator<Item = Money>) -> Result<Money, BankError> {
        amounts.try_fold(Money::ZERO, |acc, m| {
            acc.checked_add(m)
                .map_err(|_| self.err("CtrlSum", "total overflows"))
        })
    }
}

fn datetime(dt: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Writes a party's name and address. New versions: structured address;
/// old versions: country and up to two address lines.
fn party(
    x: &mut Xml,
    c: &Check<'_>,
    tag: &str,
    p: &Party,
    structured: bool,
    at: &str,
) -> Result<(), BankError> {
    x.open(tag);
    x.leaf(
        "Nm",
        &c.text(&format!("{at} name"), &p.name, NAME_CHARS_MAX)?,
    );
    if let Some(a) = &p.address {
        let field =
            |what: &str, s: &str, max: usize| c.text(&format!("{at} address {what}"), s, max);
        let country = a.country.trim();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(c.err(
                format!("{at} address country"),
                format!("'{country}' is not a country code (ISO 3166, e.g. NL)"),
            ));
        }
        x.open("PstlAdr");
        if structured {
            if let Some(s) = &a.street {
                x.leaf("StrtNm", &field("street", s, 70)?);
            }
            if let Some(b) = &a.building_number {
                x.leaf("BldgNb", &field("building number", b, 16)?);
            }
            if let Some(p) = &a.postcode {
                x.leaf("PstCd", &field("postcode", p, 16)?);
            }
            x.leaf("TwnNm", &field("town", &a.town, 35)?);
            x.leaf("Ctry", country);
        } else {
            x.leaf("Ctry", country);
            let line1 = [a.street.as_deref(), a.building_number.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if !line1.trim().is_empty() {
                x.leaf("AdrLine", &field("line 1", &line1, 70)?);
            }
            let line2 = [a.postcode.as_deref(), Some(a.town.as_str())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            x.leaf("AdrLine", &field("line 2", &line2, 70)?);
        }
        x.close("PstlAdr");
    }
    x.close(tag);
    Ok(())
}

fn account(x: &mut Xml, tag: &str, a: &Account) {
    x.open(tag);
    x.open("Id");
    x.leaf("IBAN", a.iban.as_str());
    x.close("Id");
    x.close(tag);
}

fn agent(x: &mut Xml, tag: &str, bic: Option<&Bic>, new_version: bool) {
    x.open(tag);
    x.open("FinInstnId");
    match bic {
        Some(b) => x.leaf(if new_version { "BICFI" } else { "BIC" }, b.as_str()),
        None => {
            x.open("Othr");
            x.leaf("Id", "NOTPROVIDED");
            x.close("Othr");
        }
    }
    x.close("FinInstnId");
    x.close(tag);
}

fn remittance(x: &mut Xml, c: &Check<'_>, r: &Remittance, at: &str) -> Result<(), BankError> {
    x.open("RmtInf");
    match r {
        Remittance::Unstructured(text) => {
            x.leaf(
                "Ustrd",
                &c.text(&format!("{at} remittance"), text, REMITTANCE_CHARS_MAX)?,
            );
        }
        Remittance::Structured(s) => {
            let issuer = match &s.issuer {
                RefIssuer::Cur => {
                    Betalingskenmerk::parse(&s.reference)
                        .map_err(|e| c.err(format!("{at} reference"), e.to_string()))?;
                    "CUR".to_owned()
                }
                RefIssuer::Iso => {
                    CreditorReference::parse(&s.reference)
                        .map_err(|e| c.err(format!("{at} reference"), e.to_string()))?;
                    "ISO".to_owned()
                }
                RefIssuer::Other(i) => c.text(&format!("{at} reference issuer"), i, 35)?,
            };
            let reference = c.text(&format!("{at} reference"), &s.reference, 35)?;
            x.open("Strd");
            x.open("CdtrRefInf");
            x.open("Tp");
            x.open("CdOrPrtry");
            x.leaf("Cd", "SCOR");
            x.close("CdOrPrtry");
            x.leaf("Issr", &issuer);
            x.close("Tp");
            x.leaf("Ref", &reference);
            x.close("CdtrRefInf");
            x.close("Strd");
        }
    }
    x.close("RmtInf");
    Ok(())
}

fn creditor_scheme_id(x: &mut Xml, id: &CreditorId) {
    x.open("CdtrSchmeId");
    x.open("Id");
    x.open("PrvtId");
    x.open("Othr");
    x.leaf("Id", id.as_str());
    x.open("SchmeNm");
    x.leaf("Prtry", "SEPA");
    x.close("SchmeNm");
    x.close("Othr");
    x.close("PrvtId");
    x.close("Id");
    x.close("CdtrSchmeId");
}

/// Writes a SEPA direct-debit initiation (pain.008) for one collection.
pub fn write_pain008(
    batch: &DirectDebitBatch,
    version: Pain008Version,
) -> Result<String, BankError> {
    write_pain008_file(std::slice::from_ref(batch), version)
}

/// Writes one pain.008 file with a payment-information block per batch
/// (e.g. FRST and RCUR collections of one date). The batches share the
/// group header: message id, creation time and initiating party must agree,
/// and the payment-information ids must differ.
pub fn write_pain008_file(
    batches: &[DirectDebitBatch],
    version: Pain008Version,
) -> Result<String, BankError> {
    let Some(head) = batches.first() else {
        return Err(BankError::Payment {
            message_id: String::new(),
            location: "file".into(),
            problem: "a payment file needs at least one payment-information block".into(),
        });
    };
    let c = Check {
        message_id: head.message_id.as_str(),
    };
    let mut ids = std::collections::HashSet::new();
    for b in batches {
        if b.message_id != head.message_id
            || b.created_at != head.created_at
            || b.initiating_party != head.initiating_party
        {
            return Err(c.err(
                format!("payment information {}", b.payment_info_id),
                "the blocks of one file must share message id, creation time and initiating party",
            ));
        }
        if !ids.insert(b.payment_info_id.as_str()) {
            return Err(c.err(
                format!("payment information {}", b.payment_info_id),
                "payment-information id used twice in one file",
            ));
        }
    }
    let new = version == Pain008Version::V08;
    let namespace = match version {
        Pain008Version::V08 => "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08",
        Pain008Version::V02 => "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02",
    };
    let (mut x, _, _) = c.start(
        namespace,
        "CstmrDrctDbtInitn",
        head.created_at,
        &head.initiating_party,
        batches
            .iter()
            .flat_map(|b| b.transactions.iter())
            .map(|t| (&t.end_to_end_id, t.amount)),
    )?;
    for batch in batches {
        payment_info_dd(&mut x, &c, batch, new)?;
    }
    x.close("CstmrDrctDbtInitn");
    Ok(x.finish())
}

/// One `PmtInf` block of a pain.008: one collection date and sequence type.
fn payment_info_dd(
    x: &mut Xml,
    c: &Check<'_>,
    batch: &DirectDebitBatch,
    new: bool,
) -> Result<(), BankError> {
    if batch.transactions.is_empty() {
        return Err(c.err(
            format!("payment information {}", batch.payment_info_id),
            "a payment-information block needs at least one transaction",
        ));
    }
    let n = batch.transactions.len().to_string();
    let total = c.sum(batch.transactions.iter().map(|t| t.amount))?;
    x.open("PmtInf");
    x.leaf("PmtInfId", batch.payment_info_id.as_str());
    x.leaf("PmtMtd", "DD");
    x.leaf("NbOfTxs", &n);
    x.leaf("CtrlSum", &format_amount(total));
    x.open("PmtTpInf");
    x.open("SvcLvl");
    x.leaf("Cd", "SEPA");
    x.close("SvcLvl");
    x.open("LclInstrm");
    x.leaf(
        "Cd",
        match batch.local_instrument {
            LocalInstrument::Core => "CORE",
            LocalInstrument::B2b => "B2B",
        },
    );
    x.close("LclInstrm");
    x.leaf("SeqTp", batch.sequence_type.code());
    x.close("PmtTpInf");
    x.leaf("ReqdColltnDt", &batch.collection_date.to_string());
    party(x, c, "Cdtr", &batch.creditor, new, "creditor")?;
    account(x, "CdtrAcct", &batch.creditor_account);
    agent(x, "CdtrAgt", batch.creditor_account.bic.as_ref(), new);
    x.leaf("ChrgBr", "SLEV");
    creditor_scheme_id(x, &batch.creditor_id);
    for (i, t) in batch.transactions.iter().enumerate() {
        let at = format!("transaction {} ({})", i + 1, t.end_to_end_id);
        x.open("DrctDbtTxInf");
        x.open("PmtId");
        x.leaf("EndToEndId", t.end_to_end_id.as_str());
        x.close("PmtId");
        x.amount("InstdAmt", t.amount);
        x.open("DrctDbtTx");
        x.open("MndtRltdInf");
        x.leaf("MndtId", t.mandate.id.as_str());
        x.leaf("DtOfSgntr", &t.mandate.signed_on.to_string());
        if let Some(a) = &t.mandate.amendment {
            x.leaf("AmdmntInd", "true");
            x.open("AmdmntInfDtls");
            if let Some(m) = &a.original_mandate_id {
                x.leaf("OrgnlMndtId", m.as_str());
            }
            if let Some(cid) = &a.original_creditor_id {
                x.open("OrgnlCdtrSchmeId");
                x.open("Id");
                x.open("PrvtId");
                x.open("Othr");
                x.leaf("Id", cid.as_str());
                x.open("SchmeNm");
                x.leaf("Prtry", "SEPA");
                x.close("SchmeNm");
                x.close("Othr");
                x.close("PrvtId");
                x.close("Id");
                x.close("OrgnlCdtrSchmeId");
            }
            if let Some(iban) = &a.original_debtor_iban {
                x.open("OrgnlDbtrAcct");
                x.open("Id");
                x.leaf("IBAN", iban.as_str());
                x.close("Id");
                x.close("OrgnlDbtrAcct");
            }
            if a.debtor_bank_changed {
                x.open("OrgnlDbtrAgt");
                x.open("FinInstnId");
                x.open("Othr");
                x.leaf("Id", "SMNDA");
                x.close("Othr");
                x.close("FinInstnId");
                x.close("OrgnlDbtrAgt");
            }
            if a == &MandateAmendment::default() {
                return Err(c.err(&at, "mandate amendment without any original detail"));
            }
            x.close("AmdmntInfDtls");
        } else {
            x.leaf("AmdmntInd", "false");
        }
        x.close("MndtRltdInf");
        x.close("DrctDbtTx");
        agent(x, "DbtrAgt", t.debtor_account.bic.as_ref(), new);
        party(x, c, "Dbtr", &t.debtor, new, &format!("{at} debtor"))?;
        account(x, "DbtrAcct", &t.debtor_account);
        if let Some(r) = &t.remittance {
            remittance(x, c, r, &at)?;
        }
        x.close("DrctDbtTxInf");
    }
    x.close("PmtInf");
    Ok(())
}

/// Writes a SEPA credit-transfer initiation (pain.001) for one execution date.
pub fn write_pain001(
    batch: &CreditTransferBatch,
    version: Pain001Version,
) -> Result<String, BankError> {
    let c = Check {
        message_id: batch.message_id.as_str(),
    };
    let new = version == Pain001Version::V09;
    let namespace = match version {
        Pain001Version::V09 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
        Pain001Version::V03 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
    };
    let (mut x, n, total) = c.start(
        namespace,
        "CstmrCdtTrfInitn",
        batch.created_at,
        &batch.initiating_party,
        batch
            .transactions
            .iter()
            .map(|t| (&t.end_to_end_id, t.amount)),
    )?;

    x.open("PmtInf");
    x.leaf("PmtInfId", batch.payment_info_id.as_str());
    x.leaf("PmtMtd", "TRF");
    x.leaf("NbOfTxs", &n);
    x.leaf("CtrlSum", &format_amount(total));
    x.open("PmtTpInf");
    x.open("SvcLvl");
    x.leaf("Cd", "SEPA");
    x.close("SvcLvl");
    x.close("PmtTpInf");
    if new {
        x.open("ReqdExctnDt");
        x.leaf("Dt", &batch.execution_date.to_string());
        x.close("ReqdExctnDt");
    } else {
        x.leaf("ReqdExctnDt", &batch.execution_date.to_string());
    }
    party(&mut x, &c, "Dbtr", &batch.debtor, new, "debtor")?;
    account(&mut x, "DbtrAcct", &batch.debtor_account);
    agent(&mut x, "DbtrAgt", batch.debtor_account.bic.as_ref(), new);
    x.leaf("ChrgBr", "SLEV");
    for (i, t) in batch.transactions.iter().enumerate() {
        let at = format!("transaction {} ({})", i + 1, t.end_to_end_id);
        x.open("CdtTrfTxInf");
        x.open("PmtId");
        x.leaf("EndToEndId", t.end_to_end_id.as_str());
        x.close("PmtId");
        x.open("Amt");
        x.amount("InstdAmt", t.amount);
        x.close("Amt");
        if let Some(bic) = &t.creditor_account.bic {
            agent(&mut x, "CdtrAgt", Some(bic), new);
        }
        party(
            &mut x,
            &c,
            "Cdtr",
            &t.creditor,
            new,
            &format!("{at} creditor"),
        )?;
        account(&mut x, "CdtrAcct", &t.creditor_account);
        if let Some(r) = &t.remittance {
            remittance(&mut x, &c, r, &at)?;
        }
        x.close("CdtTrfTxInf");
    }
    x.close("PmtInf");
    x.close("CstmrCdtTrfInitn");
    Ok(x.finish())
}
