//! Remittance to clients (afdracht): what each client agreed with the agency
//! about collected money (commission on principal, who keeps collection
//! costs and interest, when and from what amount it is paid out, to which
//! account), and the payout run that pays each client what the ledger owes
//! it, with a statement per client and one pain.001 file.
//!
//! A payout is idempotent per (client, period): the period is the calendar
//! month, the ISO week, or (on demand) the day. A client is due on the first
//! run of a period in which its payable reaches the minimum; what is below
//! the minimum waits for a later period. Each remittance records which
//! ledger transfers (collected amounts) it paid out, so its statement and
//! payment file can be written again identically, and no collected amount
//! is paid twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use kwijting_bank::{
    Account, Bic, CreditTransfer, CreditTransferBatch, EndToEndId, MessageId, Party,
    Remittance as RemittanceInfo, write_pain001,
};
use kwijting_domain::{Actor, CaseId, CaseNumber, ClientId, Date, Iban, Money, Rounding};
use kwijting_ledger::recipe::{AgencyIncome, ClientAgreement, remit, transfer_agency_income};
use kwijting_ledger::{AccountKind, Ledger, Transfer, TransferKey, TransferKind};
use kwijting_store::{ClientAgreementRow, ClientRow, RemittanceRow, StoreError, Timestamp};

use crate::payments::{from_stored, to_stored};

use crate::{Access, Kwijting, ServiceError};
/// Interfaces build agreements and requests with these without depending
/// on the bank crate.
pub use kwijting_bank::{Bic as PayoutBic, Pain001Version};
pub use kwijting_ledger::recipe::Beneficiary;

/// Longest payout account name a SEPA file takes.
pub const PAYOUT_NAME_CHARS_MAX: usize = 70;

/// When a client is paid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutFrequency {
    /// On the first run of each ISO week.
    Weekly,
    /// On the first run of each calendar month.
    Monthly,
    /// Only on a run that names the client.
    OnDemand,
}

impl PayoutFrequency {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutFrequency::Weekly => "weekly",
            PayoutFrequency::Monthly => "monthly",
            PayoutFrequency::OnDemand => "on_demand",
        }
    }

    pub fn parse(s: &str) -> Option<PayoutFrequency> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "weekly" => Some(PayoutFrequency::Weekly),
            "monthly" => Some(PayoutFrequency::Monthly),
            "on_demand" => Some(PayoutFrequency::OnDemand),
            _ => None,
        }
    }

    /// The period `on` falls in: `2026-11`, `2026-W47` or `2026-11-20`.
    pub fn period(self, on: Date) -> String {
        match self {
            PayoutFrequency::Weekly => {
                let w = on.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            PayoutFrequency::Monthly => format!("{:04}-{:02}", on.year(), on.month()),
            PayoutFrequency::OnDemand => on.to_string(),
        }
    }
}

pub fn rounding_name(r: Rounding) -> &'static str {
    match r {
        Rounding::HalfUp => "half_up",
        Rounding::Down => "down",
        Rounding::Up => "up",
    }
}

pub fn parse_rounding(s: &str) -> Option<Rounding> {
    match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "half_up" => Some(Rounding::HalfUp),
        "down" => Some(Rounding::Down),
        "up" => Some(Rounding::Up),
        _ => None,
    }
}

pub fn beneficiary_name(b: Beneficiary) -> &'static str {
    match b {
        Beneficiary::Client => "client",
        Beneficiary::Agency => "agency",
    }
}

pub fn parse_beneficiary(s: &str) -> Option<Beneficiary> {
    match s.trim().to_ascii_lowercase().as_str() {
        "client" => Some(Beneficiary::Client),
        "agency" => Some(Beneficiary::Agency),
        _ => None,
    }
}

/// Reads a commission percentage (`15%`, `12.5`, `0.75%`) as basis points:
/// 0 to 100 with at most two decimals.
pub fn parse_commission(s: &str) -> Result<u32, ServiceError> {
    let err = || {
        ServiceError::Invalid(format!(
            "commission '{s}' must be a percentage from 0 to 100 with at most two decimals, e.g. 15% or 12.5%"
        ))
    };
    let t = s.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim();
    let (whole, frac) = t.split_once(['.', ',']).unwrap_or((t, ""));
    if whole.is_empty()
        || whole.len() > 3
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
        || (t.contains(['.', ',']) && frac.is_empty())
    {
        return Err(err());
    }
    let whole: u32 = whole.parse().map_err(|_| err())?;
    let frac: u32 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u32>().map_err(|_| err())? * 10,
        _ => frac.parse().map_err(|_| err())?,
    };
    let bps = whole * 100 + frac;
    if bps > kwijting_ledger::recipe::BPS_PER_WHOLE {
        return Err(err());
    }
    Ok(bps)
}

/// Basis points as a percentage: `15%`, `12.5%`, `0.75%`.
pub fn commission_text(bps: u32) -> String {
    let (whole, frac) = (bps / 100, bps % 100);
    match frac {
        0 => format!("{whole}%"),
        f if f % 10 == 0 => format!("{whole}.{}%", f / 10),
        f => format!("{whole}.{f:02}%"),
    }
}

/// What a client agreed with the agency, from `effective_from` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementTerms {
    pub commission_bps: u32,
    pub commission_rounding: Rounding,
    pub costs_to: Beneficiary,
    pub interest_to: Beneficiary,
    pub frequency: PayoutFrequency,
    /// Nothing is paid out below this; it waits for a later period.
    pub min_payout: Money,
    pub iban: Iban,
    pub bic: Option<Bic>,
    pub name: String,
    pub effective_from: Date,
}

/// One stored version of a client's agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub client: ClientId,
    pub client_ref: String,
    pub terms: AgreementTerms,
    pub created_at: Timestamp,
}

/// What the ledger holds for a client: net amounts collected for it, paid
/// out to it, and still owed (collected minus paid out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientAccount {
    pub collected: Money,
    pub paid_out: Money,
    pub payable: Money,
}

/// The agency's trust account the payouts are made from (the pain.001
/// debtor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAccount {
    pub name: String,
    pub iban: Iban,
    pub bic: Option<Bic>,
}

#[derive(Debug, Clone)]
pub struct RemitRequest {
    pub as_of: Date,
    /// Only these clients (by reference), on-demand ones included; empty:
    /// every client due by its frequency.
    pub clients: Vec<String>,
    /// Computes and reports, posts and records nothing.
    pub dry_run: bool,
    pub pain001: Pain001Version,
    /// Needed to write the payment file.
    pub trust: Option<TrustAccount>,
}

/// One collected amount on a client statement (a ledger transfer that
/// credited or debited the client's payable); signed, a reversal negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub on: Date,
    pub transfer: String,
    pub case_number: Option<String>,
    pub invoices: Vec<String>,
    /// The statement entry's idempotency key.
    pub bank_entry: Option<String>,
    pub received: Money,
    pub principal: Money,
    pub interest: Money,
    pub costs: Money,
    pub vat: Money,
    pub commission: Money,
    /// Costs and interest the agency keeps by the agreement.
    pub agency_keeps: Money,
    pub net: Money,
}

/// A payout to one client for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    pub client_ref: String,
    pub period: String,
    pub run_date: Date,
    pub batch: String,
    pub end_to_end_id: String,
    pub amount: Money,
    pub commission: Money,
    pub agency_keeps: Money,
    pub payout_iban: String,
    pub payout_bic: Option<String>,
    pub payout_name: String,
    /// Posted by this run (false: an earlier run on the same day).
    pub new: bool,
    pub lines: Vec<StatementLine>,
}

/// A client not paid on this run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub client_ref: String,
    pub payable: Money,
    pub reason: String,
}

/// A file the run produced, for the interface to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    pub contents: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemitOutcome {
    pub as_of: Date,
    pub dry_run: bool,
    /// Every remittance run on `as_of`, this run's and earlier ones.
    pub remittances: Vec<Remittance>,
    pub skipped: Vec<Skipped>,
    /// Ledger transfers this run posted.
    pub posted: u64,
    /// Client statements (CSV) and the pain.001 file(s), one per batch.
    pub files: Vec<OutFile>,
}

pub(crate) fn invalid(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Invalid(e.to_string())
}

fn row_to_terms(r: &ClientAgreementRow) -> Result<AgreementTerms, ServiceError> {
    let bad = |what: &str, v: &str| {
        ServiceError::Invalid(format!(
            "stored agreement of client {} from {}: {what} '{v}' is not valid",
            r.client, r.effective_from
        ))
    };
    Ok(AgreementTerms {
        commission_bps: u32::try_from(r.commission_bps)
            .map_err(|_| bad("commission", &r.commission_bps.to_string()))?,
        commission_rounding: parse_rounding(&r.commission_rounding)
            .ok_or_else(|| bad("rounding", &r.commission_rounding))?,
        costs_to: parse_beneficiary(&r.costs_to).ok_or_else(|| bad("costs", &r.costs_to))?,
        interest_to: parse_beneficiary(&r.interest_to)
            .ok_or_else(|| bad("interest", &r.interest_to))?,
        frequency: PayoutFrequency::parse(&r.payout_frequency)
            .ok_or_else(|| bad("payout frequency", &r.payout_frequency))?,
        min_payout: Money::from_cents(r.payout_min_cents),
        iban: Iban::parse(&r.payout_iban).map_err(|_| bad("IBAN", &r.payout_iban))?,
        bic: r
            .payout_bic
            .as_deref()
            .map(|b| Bic::parse(b).map_err(|_| bad("BIC", b)))
            .transpose()?,
        name: r.payout_name.clone(),
        effective_from: r.effective_from,
    })
}

/// The version in force on `on`: the latest that started on or before it.
/// The agreement in force on `on` among a client's stored versions.
pub(crate) fn agreement_in(
    versions: &[ClientAgreementRow],
    client: ClientId,
    on: Date,
) -> Result<ClientAgreement, ServiceError> {
    let terms = in_force(versions, on).map(row_to_terms).transpose()?;
    ledger_agreement(client, terms.as_ref())
}

fn in_force(versions: &[ClientAgreementRow], on: Date) -> Option<&ClientAgreementRow> {
    versions
        .iter()
        .filter(|v| v.effective_from <= on)
        .max_by_key(|v| v.effective_from)
}

/// The ledger agreement of terms (or, without any, the client keeps
/// everything and pays no commission).
fn ledger_agreement(
    client: ClientId,
    terms: Option<&AgreementTerms>,
) -> Result<ClientAgreement, ServiceError> {
    match terms {
        Some(t) => ClientAgreement::new(
            client,
            t.commission_bps,
            t.commission_rounding,
            t.costs_to,
            t.interest_to,
        ),
        None => ClientAgreement::new(
            client,
            0,
            Rounding::HalfUp,
            Beneficiary::Client,
            Beneficiary::Client,
        ),
    }
    .map_err(invalid)
}

/// A statement line from a transfer touching the client's payable: every
/// part is what the transfer credited (a reversal's debits come out
/// negative).
pub fn statement_line(t: &Transfer, client: ClientId) -> StatementLine {
    let mut l = StatementLine {
        on: t.on(),
        transfer: t.key().as_str().to_owned(),
        case_number: None,
        invoices: Vec::new(),
        bank_entry: None,
        received: Money::ZERO,
        principal: Money::ZERO,
        interest: Money::ZERO,
        costs: Money::ZERO,
        vat: Money::ZERO,
        commission: Money::ZERO,
        agency_keeps: Money::ZERO,
        net: Money::ZERO,
    };
    let mut case: Option<CaseId> = None;
    for p in t.postings() {
        // Credits are negative: what an account received is minus the amount.
        let credit = Money::from_cents(-p.amount.cents());
        let slot = match p.account {
            AccountKind::ClientPayable(c) if c == client => &mut l.net,
            AccountKind::AgencyCommission => &mut l.commission,
            AccountKind::AgencyCostRevenue => &mut l.agency_keeps,
            AccountKind::CasePrincipal(c) => {
                case = Some(c);
                &mut l.principal
            }
            AccountKind::CaseInterest(_) => &mut l.interest,
            AccountKind::CaseCosts(_) => &mut l.costs,
            AccountKind::CaseVat(_) => &mut l.vat,
            _ => continue,
        };
        *slot = Money::from_cents(slot.cents().saturating_add(credit.cents()));
        if case.is_none() {
            case = p.account.case();
        }
    }
    l.received = Money::from_cents(
        [l.principal, l.interest, l.costs, l.vat]
            .iter()
            .map(|m| m.cents())
            .fold(0i64, i64::saturating_add),
    );
    l.case_number = case
        .and_then(|c| CaseNumber::for_case(c).ok())
        .map(|n| n.as_str().to_owned());
    l
}

/// The statement entry a transfer came from: its receipt, or the receipt
/// of the transfer it reverses.
pub(crate) fn bank_entry_of(t: &Transfer, ledger: &Ledger) -> Option<String> {
    let receipt = |t: &Transfer| {
        t.parent()
            .and_then(|k| k.as_str().strip_prefix("rcpt:"))
            .map(str::to_owned)
    };
    receipt(t).or_else(|| {
        t.reverses()
            .and_then(|k| ledger.transfer(k))
            .and_then(receipt)
    })
}

fn sum(
    lines: &[StatementLine],
    f: impl Fn(&StatementLine) -> Money,
) -> Result<Money, ServiceError> {
    lines
        .iter()
        .try_fold(Money::ZERO, |acc, l| acc.checked_add(f(l)).map_err(invalid))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The client statement of a remittance: one line per collected amount,
/// then the totals and the payout. Amounts in plain decimals (`1234.56`).
pub fn statement_csv(r: &Remittance) -> Result<String, ServiceError> {
    let mut out = String::from(
        "date,case,invoice,bank_entry,received,principal,interest,costs,vat,commission,agency_keeps,net_to_client\n",
    );
    let amounts = |l: &StatementLine| {
        [
            l.received,
            l.principal,
            l.interest,
            l.costs,
            l.vat,
            l.commission,
            l.agency_keeps,
            l.net,
        ]
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(",")
    };
    for l in &r.lines {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            l.on,
            csv_field(l.case_number.as_deref().unwrap_or("")),
            csv_field(&l.invoices.join(" ")),
            csv_field(l.bank_entry.as_deref().unwrap_or("")),
            amounts(l)
        ));
    }
    let total = StatementLine {
        on: r.run_date,
        transfer: String::new(),
        case_number: None,
        invoices: Vec::new(),
        bank_entry: None,
        received: sum(&r.lines, |l| l.received)?,
        principal: sum(&r.lines, |l| l.principal)?,
        interest: sum(&r.lines, |l| l.interest)?,
        costs: sum(&r.lines, |l| l.costs)?,
        vat: sum(&r.lines, |l| l.vat)?,
        commission: sum(&r.lines, |l| l.commission)?,
        agency_keeps: sum(&r.lines, |l| l.agency_keeps)?,
        net: sum(&r.lines, |l| l.net)?,
    };
    out.push_str(&format!("total,,,,{}\n", amounts(&total)));
    out.push_str(&format!(
        "remitted,{},{},{},,,,,,,,{}\n",
        csv_field(&r.period),
        csv_field(&r.end_to_end_id),
        csv_field(&r.payout_iban),
        r.amount
    ));
    Ok(out)
}

/// One credit transfer from the trust account.
pub(crate) fn credit_transfer(
    end_to_end_id: &str,
    amount: Money,
    name: &str,
    iban: &str,
    bic: Option<&str>,
    text: String,
) -> Result<CreditTransfer, ServiceError> {
    Ok(CreditTransfer {
        end_to_end_id: EndToEndId::parse(end_to_end_id).map_err(invalid)?,
        amount,
        creditor: Party {
            name: name.to_owned(),
            address: None,
        },
        creditor_account: Account {
            iban: Iban::parse(iban).map_err(invalid)?,
            bic: bic.map(Bic::parse).transpose().map_err(invalid)?,
        },
        remittance: Some(RemittanceInfo::Unstructured(text)),
    })
}

/// The pain.001 file of one batch of credit transfers from the trust
/// account, executed on `execution_date`.
pub(crate) fn payment_file(
    batch: &str,
    created_at: Timestamp,
    execution_date: Date,
    trust: &TrustAccount,
    transactions: Vec<CreditTransfer>,
    version: Pain001Version,
) -> Result<String, ServiceError> {
    let id = |s: &str| MessageId::parse(s).map_err(invalid);
    let batch = CreditTransferBatch {
        message_id: id(batch)?,
        created_at: created_at.to_zoned(jiff::tz::TimeZone::UTC).datetime(),
        initiating_party: trust.name.clone(),
        payment_info_id: id(&format!("{batch}-P"))?,
        debtor: Party {
            name: trust.name.clone(),
            address: None,
        },
        debtor_account: Account {
            iban: trust.iban.clone(),
            bic: trust.bic.clone(),
        },
        execution_date,
        transactions,
    };
    write_pain001(&batch, version).map_err(invalid)
}

/// Refuses a ledger that would not verify, saying what was not done.
pub(crate) fn verified(ledger: &Ledger, not_done: &str) -> Result<(), ServiceError> {
    ledger.verify().map_err(|v| {
        ServiceError::Invalid(format!(
            "the ledger would not balance; {not_done}: {}",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))
    })
}

/// The instant, to the second: what is stored and written again must be
/// the same on both engines (PostgreSQL keeps microseconds).
pub(crate) fn to_second(at: Timestamp) -> Result<Timestamp, ServiceError> {
    Timestamp::from_second(at.as_second()).map_err(invalid)
}

impl Kwijting {
    /// Stores a new version of the client's agreement. Versions only move
    /// forward: one from an earlier day than the newest is refused (postings
    /// already made used the terms then in force). Giving the same terms
    /// for the same day again changes nothing.
    pub fn set_client_agreement(
        &self,
        actor: &Actor,
        client_ref: &str,
        terms: &AgreementTerms,
    ) -> Result<Agreement, ServiceError> {
        let client = self.client(actor, client_ref)?;
        self.door().check(
            actor,
            Some(client.id),
            &[],
            Access::Write,
            "client agreement",
        )?;
        let name = terms.name.trim();
        if name.is_empty() || name.chars().count() > PAYOUT_NAME_CHARS_MAX {
            return Err(ServiceError::Invalid(format!(
                "the payout account name must be 1 to {PAYOUT_NAME_CHARS_MAX} characters"
            )));
        }
        if terms.min_payout.is_negative() {
            return Err(ServiceError::Invalid(
                "the minimum payout must not be negative".into(),
            ));
        }
        ledger_agreement(client.id, Some(terms))?;
        let row = ClientAgreementRow {
            client: client.id,
            effective_from: terms.effective_from,
            commission_bps: i64::from(terms.commission_bps),
            commission_rounding: rounding_name(terms.commission_rounding).into(),
            costs_to: beneficiary_name(terms.costs_to).into(),
            interest_to: beneficiary_name(terms.interest_to).into(),
            payout_frequency: terms.frequency.as_str().into(),
            payout_min_cents: terms.min_payout.cents(),
            payout_iban: terms.iban.as_str().into(),
            payout_bic: terms.bic.as_ref().map(|b| b.as_str().to_owned()),
            payout_name: name.to_owned(),
            created_at: to_second(self.clock().now())?,
        };
        let versions = self.store.client_agreements(Some(client.id))?;
        if let Some(same_day) = versions
            .iter()
            .find(|v| v.effective_from == terms.effective_from)
        {
            let same = ClientAgreementRow {
                created_at: same_day.created_at,
                ..row.clone()
            };
            if &same == same_day {
                return self.agreement_of(&client, same_day);
            }
            return Err(ServiceError::Conflict {
                what: "agreement version",
                key: format!("{client_ref} from {}", terms.effective_from),
            });
        }
        if let Some(newest) = versions.iter().map(|v| v.effective_from).max()
            && terms.effective_from < newest
        {
            return Err(ServiceError::Invalid(format!(
                "client {client_ref} has an agreement from {newest}; a new version must take effect on or after it"
            )));
        }
        if !self.store.add_client_agreement(&row)? {
            return Err(ServiceError::Conflict {
                what: "agreement version",
                key: format!("{client_ref} from {}", terms.effective_from),
            });
        }
        self.agreement_of(&client, &row)
    }

    fn agreement_of(
        &self,
        client: &ClientRow,
        row: &ClientAgreementRow,
    ) -> Result<Agreement, ServiceError> {
        Ok(Agreement {
            client: client.id,
            client_ref: client.reference.clone(),
            terms: row_to_terms(row)?,
            created_at: row.created_at,
        })
    }

    /// Every version of the client's agreement, oldest first.
    pub fn client_agreements(
        &self,
        actor: &Actor,
        client_ref: &str,
    ) -> Result<Vec<Agreement>, ServiceError> {
        let client = self.client(actor, client_ref)?;
        self.store
            .client_agreements(Some(client.id))?
            .iter()
            .map(|r| self.agreement_of(&client, r))
            .collect()
    }

    /// What the ledger holds for the client: collected, paid out, payable.
    pub fn client_account(
        &self,
        actor: &Actor,
        client_ref: &str,
    ) -> Result<ClientAccount, ServiceError> {
        let client = self.client(actor, client_ref)?;
        self.door().check(
            actor,
            Some(client.id),
            &["payment"],
            Access::Read,
            "client account",
        )?;
        // From the kept balance and the recorded payouts: no ledger replay.
        let account = AccountKind::ClientPayable(client.id).name();
        let kept = self.store.ledger_balances(std::slice::from_ref(&account))?;
        let payable = Money::from_cents(-kept.get(&account).copied().unwrap_or(0));
        let paid_out = Money::from_cents(self.store.paid_out_cents(client.id)?);
        Ok(ClientAccount {
            collected: payable.checked_add(paid_out).map_err(invalid)?,
            paid_out,
            payable,
        })
    }

    /// The window a payout run needs: the trust and agency accounts and the
    /// payables of `clients`, the transfers `to_pay` clients have not been
    /// paid out yet (by their payable account's index), today's recorded
    /// lines and the transfers those reverse (for the statement's bank
    /// entry). Returns the keys not paid out yet with it.
    fn remit_window(
        &self,
        clients: &[ClientId],
        to_pay: &[ClientId],
        today: &[RemittanceRow],
    ) -> Result<(Ledger, HashSet<String>), ServiceError> {
        let mut names: Vec<String> = [
            AccountKind::BankTrust,
            AccountKind::Suspense,
            AccountKind::RefundsPayable,
            AccountKind::AgencyCommission,
            AccountKind::AgencyCostRevenue,
        ]
        .iter()
        .map(|a| a.name())
        .collect();
        names.extend(
            clients
                .iter()
                .map(|c| AccountKind::ClientPayable(*c).name()),
        );
        let balances = self
            .store
            .ledger_balances(&names)?
            .into_iter()
            .map(|(name, cents)| {
                AccountKind::parse(&name)
                    .map(|a| (a, Money::from_cents(cents)))
                    .ok_or_else(|| invalid(format!("stored balance of unknown account {name}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut unremitted: HashSet<String> = HashSet::new();
        for c in to_pay {
            unremitted.extend(self.store.unremitted_transfers(*c)?);
        }
        let mut wanted: HashSet<String> = unremitted.clone();
        wanted.extend(today.iter().flat_map(|r| r.lines.iter().cloned()));
        let load = |keys: &HashSet<String>| -> Result<Vec<Transfer>, ServiceError> {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = keys.iter().cloned().collect();
            self.store
                .ledger_transfers_for(&[], &list)?
                .iter()
                // The look-up by key also finds children; only the keys.
                .filter(|t| keys.contains(&t.key))
                .map(from_stored)
                .collect()
        };
        let lines = load(&wanted)?;
        let reversed: HashSet<String> = lines
            .iter()
            .filter_map(|t| t.reverses())
            .map(|k| k.as_str().to_owned())
            .filter(|k| !wanted.contains(k))
            .collect();
        let mut transfers = load(&reversed)?;
        transfers.extend(lines);
        Ok((Ledger::window(balances, transfers), unremitted))
    }

    pub(crate) fn remit_ledger(&self) -> Result<Ledger, ServiceError> {
        let transfers = self
            .store
            .ledger_transfers()?
            .iter()
            .map(from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        Ledger::replay(transfers).map_err(invalid)
    }

    /// The payout run on `as_of` (`kwijting remit`): see the module
    /// documentation. Posts the remittances and the agency's income
    /// transfers with the records that make them idempotent, in one
    /// transaction; returns every remittance of the day with its statement
    /// lines and the files to write.
    pub fn remit(&self, actor: &Actor, req: &RemitRequest) -> Result<RemitOutcome, ServiceError> {
        let access = if req.dry_run {
            Access::Read
        } else {
            Access::Write
        };
        self.door()
            .check(actor, None, &["payment", "debt"], access, "remittances")?;
        let in_scope: Vec<ClientRow> = self
            .store
            .clients()?
            .into_iter()
            .filter(|c| actor.scope.allows(c.id))
            .collect();
        for wanted in &req.clients {
            if !in_scope.iter().any(|c| &c.reference == wanted) {
                return Err(ServiceError::UnknownClient(wanted.clone()));
            }
        }
        for c in &in_scope {
            self.door().check(
                actor,
                Some(c.id),
                &["payment", "debt"],
                access,
                "remittances",
            )?;
        }
        // Paid on this run; the files cover every client paid on the day.
        let clients: Vec<&ClientRow> = in_scope
            .iter()
            .filter(|c| req.clients.is_empty() || req.clients.contains(&c.reference))
            .collect();
        let mut versions: HashMap<ClientId, Vec<ClientAgreementRow>> = HashMap::new();
        for v in self.store.client_agreements(None)? {
            versions.entry(v.client).or_default().push(v);
        }
        // Only today's remittances (the batch number, the files) are read.
        let existing = self.store.remittances_on(req.as_of)?;
        let today_batches: Vec<&str> = {
            let mut b: Vec<&str> = existing.iter().map(|r| r.batch.as_str()).collect();
            b.sort_unstable();
            b.dedup();
            b
        };
        let batch = format!("KW-RMT-{}-{}", req.as_of, today_batches.len() + 1);
        let created_at = to_second(self.clock().now())?;
        // A client's record for this period, and which clients to read.
        let mut done_on: HashMap<ClientId, Date> = HashMap::new();
        let mut to_pay: Vec<ClientId> = Vec::new();
        for c in &clients {
            let Some(row) = versions.get(&c.id).and_then(|v| in_force(v, req.as_of)) else {
                continue;
            };
            let frequency = PayoutFrequency::parse(&row.payout_frequency);
            if frequency == Some(PayoutFrequency::OnDemand) && req.clients.is_empty() {
                continue;
            }
            let period = frequency.map(|f| f.period(req.as_of));
            match period.and_then(|p| self.store.remittance_run_date(c.id, &p).transpose()) {
                Some(run) => {
                    done_on.insert(c.id, run?);
                }
                None => to_pay.push(c.id),
            }
        }
        let clients_ids: Vec<ClientId> = clients.iter().map(|c| c.id).collect();
        let (mut ledger, unremitted) = self.remit_window(&clients_ids, &to_pay, &existing)?;

        // Each client's collected amounts not paid out yet, in ledger order
        // (indices: the ledger grows while paying).
        let mut collected: HashMap<ClientId, Vec<usize>> = HashMap::new();
        for (i, t) in ledger.transfers().iter().enumerate() {
            if t.kind() == TransferKind::Remittance || t.on() > req.as_of {
                continue;
            }
            let mut seen: Option<ClientId> = None;
            for p in t.postings() {
                if let AccountKind::ClientPayable(c) = p.account
                    && seen != Some(c)
                    && unremitted.contains(t.key().as_str())
                {
                    collected.entry(c).or_default().push(i);
                    seen = Some(c);
                }
            }
        }

        let mut new_rows: Vec<RemittanceRow> = Vec::new();
        let mut new_transfers: Vec<Transfer> = Vec::new();
        let mut skipped = Vec::new();
        for client in clients.iter().copied() {
            let payable = Money::from_cents(
                -ledger
                    .balance(AccountKind::ClientPayable(client.id))
                    .cents(),
            );
            let skip = |reason: String| Skipped {
                client_ref: client.reference.clone(),
                payable,
                reason,
            };
            let Some(row) = versions
                .get(&client.id)
                .and_then(|v| in_force(v, req.as_of))
            else {
                if !payable.is_zero() {
                    skipped.push(skip("no agreement in force: no payout account".into()));
                }
                continue;
            };
            let terms = row_to_terms(row)?;
            if terms.frequency == PayoutFrequency::OnDemand && req.clients.is_empty() {
                if !payable.is_zero() {
                    skipped.push(skip("paid on demand: name the client to pay it".into()));
                }
                continue;
            }
            let period = terms.frequency.period(req.as_of);
            if let Some(run_date) = done_on.get(&client.id) {
                if *run_date != req.as_of {
                    skipped.push(skip(format!(
                        "paid for period {period} on {run_date} already"
                    )));
                }
                continue;
            }
            let Some(indices) = collected.get(&client.id) else {
                continue;
            };
            let lines: Vec<&Transfer> = indices.iter().map(|&i| &ledger.transfers()[i]).collect();
            let parts: Vec<StatementLine> =
                lines.iter().map(|t| statement_line(t, client.id)).collect();
            let line_keys: Vec<String> =
                lines.iter().map(|t| t.key().as_str().to_owned()).collect();
            let amount = sum(&parts, |l| l.net)?;
            if amount.cents() <= 0 || amount < terms.min_payout {
                skipped.push(skip(format!(
                    "{amount} collected is below the minimum payout of {}",
                    terms.min_payout
                )));
                continue;
            }
            let commission = sum(&parts, |l| l.commission)?;
            let agency_keeps = sum(&parts, |l| l.agency_keeps)?;
            let end_to_end_id = format!("RMT-{period}-{}", client.id.0);
            let key = |prefix: &str| {
                TransferKey::parse(&format!("{prefix}:{}:{period}", client.id.0)).map_err(invalid)
            };
            let built = (|| {
                let mut made = vec![
                    remit(
                        &ledger,
                        key("remit")?,
                        req.as_of,
                        client.id,
                        amount,
                        &end_to_end_id,
                    )
                    .map_err(invalid)?,
                ];
                for (from, part, prefix) in [
                    (AgencyIncome::Commission, commission, "agency-commission"),
                    (AgencyIncome::CostRevenue, agency_keeps, "agency-costs"),
                ] {
                    if part.cents() > 0 {
                        made.push(
                            transfer_agency_income(
                                &ledger,
                                key(prefix)?,
                                req.as_of,
                                from,
                                part,
                                &end_to_end_id,
                            )
                            .map_err(invalid)?,
                        );
                    }
                }
                Ok::<_, ServiceError>(made)
            })();
            // E.g. money returned by the bank after it was collected: the
            // others are paid, this client waits for a person.
            let made = match built {
                Ok(made) => made,
                Err(e) => {
                    skipped.push(skip(format!("refused by the ledger: {e}")));
                    continue;
                }
            };
            for t in made {
                ledger.apply(t.clone()).map_err(invalid)?;
                new_transfers.push(t);
            }
            new_rows.push(RemittanceRow {
                client: client.id,
                period,
                run_date: req.as_of,
                batch: batch.clone(),
                end_to_end_id,
                amount_cents: amount.cents(),
                commission_cents: commission.cents(),
                agency_kept_cents: agency_keeps.cents(),
                payout_iban: terms.iban.as_str().to_owned(),
                payout_bic: terms.bic.as_ref().map(|b| b.as_str().to_owned()),
                payout_name: terms.name.clone(),
                created_at,
                lines: line_keys,
            });
        }
        // Each transfer was checked as it was applied to the window; the
        // stored ledger as a whole is what `ledger verify` checks.
        // Every remittance of the day, earlier runs' first, with its lines.
        // A payment file is written whole or not at all: one holding a
        // client outside the actor's scope is left to a run that sees all.
        let refs: HashMap<ClientId, &str> = in_scope
            .iter()
            .map(|c| (c.id, c.reference.as_str()))
            .collect();
        let partial: HashSet<&str> = existing
            .iter()
            .filter(|r| r.run_date == req.as_of && !refs.contains_key(&r.client))
            .map(|r| r.batch.as_str())
            .collect();
        let of_today: Vec<(&RemittanceRow, bool)> = existing
            .iter()
            .filter(|r| r.run_date == req.as_of && refs.contains_key(&r.client))
            .map(|r| (r, false))
            .chain(new_rows.iter().map(|r| (r, true)))
            .collect();
        // Lines in ledger order, however the store returns them.
        let by_key: HashMap<&str, (usize, &Transfer)> = ledger
            .transfers()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.key().as_str(), (i, t)))
            .collect();
        let mut remittances = Vec::with_capacity(of_today.len());
        let mut cases: Vec<CaseId> = Vec::new();
        for (r, new) in &of_today {
            let mut found = Vec::with_capacity(r.lines.len());
            for k in &r.lines {
                let (i, t) = by_key.get(k.as_str()).ok_or_else(|| {
                    ServiceError::Invalid(format!(
                        "remittance {} refers to ledger transfer {k}, which is not stored",
                        r.end_to_end_id
                    ))
                })?;
                found.push((*i, *t));
            }
            found.sort_unstable_by_key(|(i, _)| *i);
            let mut lines = Vec::with_capacity(found.len());
            for (_, t) in found {
                let mut l = statement_line(t, r.client);
                l.bank_entry = bank_entry_of(t, &ledger);
                cases.extend(t.postings().iter().filter_map(|p| p.account.case()));
                lines.push(l);
            }
            remittances.push(Remittance {
                client_ref: refs.get(&r.client).copied().unwrap_or_default().to_owned(),
                period: r.period.clone(),
                run_date: r.run_date,
                batch: r.batch.clone(),
                end_to_end_id: r.end_to_end_id.clone(),
                amount: Money::from_cents(r.amount_cents),
                commission: Money::from_cents(r.commission_cents),
                agency_keeps: Money::from_cents(r.agency_kept_cents),
                payout_iban: r.payout_iban.clone(),
                payout_bic: r.payout_bic.clone(),
                payout_name: r.payout_name.clone(),
                new: *new,
                lines,
            });
        }
        cases.sort_unstable();
        cases.dedup();
        let invoices = self.store.invoice_numbers(&cases)?;
        for r in &mut remittances {
            for l in &mut r.lines {
                if let Some(n) = &l.case_number
                    && let Ok(number) = CaseNumber::parse(n)
                {
                    l.invoices = invoices.get(&number.case_id()).cloned().unwrap_or_default();
                }
            }
        }

        let mut files = Vec::new();
        for r in &remittances {
            files.push(OutFile {
                name: format!("statement-{}-{}.csv", r.client_ref, r.period),
                contents: statement_csv(r)?,
            });
        }
        let mut batches: BTreeMap<&str, Vec<&Remittance>> = BTreeMap::new();
        for r in remittances
            .iter()
            .filter(|r| !partial.contains(r.batch.as_str()))
        {
            batches.entry(r.batch.as_str()).or_default().push(r);
        }
        if !batches.is_empty() {
            match &req.trust {
                Some(trust) => {
                    for (b, rs) in &batches {
                        let at = of_today
                            .iter()
                            .find(|(r, _)| r.batch == *b)
                            .map_or(created_at, |(r, _)| r.created_at);
                        let transactions = rs
                            .iter()
                            .map(|r| {
                                credit_transfer(
                                    &r.end_to_end_id,
                                    r.amount,
                                    &r.payout_name,
                                    &r.payout_iban,
                                    r.payout_bic.as_deref(),
                                    format!("Afdracht {} {}", r.period, r.end_to_end_id),
                                )
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        files.push(OutFile {
                            name: format!("pain001-{b}.xml"),
                            contents: payment_file(
                                b,
                                at,
                                req.as_of,
                                trust,
                                transactions,
                                req.pain001,
                            )?,
                        });
                    }
                }
                None if req.dry_run => {}
                None => {
                    return Err(ServiceError::Invalid(
                        "the trust account to pay from is needed to write the payment file (--trust-iban)"
                            .into(),
                    ));
                }
            }
        }
        // Recorded last: the files are built from what is posted here, so a
        // run that cannot write them posts nothing.
        if !req.dry_run && !new_rows.is_empty() {
            let stored: Vec<_> = new_transfers.iter().map(to_stored).collect();
            self.store
                .record_remittances(&new_rows, &stored)
                .map_err(|e| match e {
                    StoreError::Duplicate { key, .. } => ServiceError::Conflict {
                        what: "remittance (another run recorded it meanwhile; run again)",
                        key,
                    },
                    e => e.into(),
                })?;
        }
        Ok(RemitOutcome {
            as_of: req.as_of,
            dry_run: req.dry_run,
            remittances,
            skipped,
            posted: if req.dry_run {
                0
            } else {
                new_transfers.len() as u64
            },
            files,
        })
    }
}
