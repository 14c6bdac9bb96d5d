//! Ledger storage at scale: balances kept per account, the transfers one
//! batch needs, what the law engine needs of a case to restate it, the
//! credit a bank return refers to, and one all-or-nothing write per batch.

use std::collections::HashMap;

use kwijting_domain::{CaseId, ClaimId, ClientId, Date, DebtorType};

use crate::{BankEntry, Result, StoredTransfer, Timestamp};

/// One claim as the law engine needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LawClaim {
    pub id: ClaimId,
    pub principal_cents: i64,
    pub due_on: Date,
    /// The price in a consumer sale: time-barred after 2 years (art. 7:28
    /// BW) instead of 5 (art. 3:307 BW).
    pub consumer_sale: bool,
}

/// What the law engine needs of a case for its statement of account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLawRow {
    pub case: CaseId,
    pub client: ClientId,
    pub open: bool,
    pub debtor_type: DebtorType,
    pub claims: Vec<LawClaim>,
    /// The 14-day letter (art. 6:96(6) BW), when sent.
    pub demand_letter_sent_on: Option<Date>,
    /// The first demand with collection costs that was carried out (an
    /// automatic or approved decision).
    pub costs_demanded_on: Option<Date>,
    /// The last written demand: it interrupted limitation (art. 3:317 BW).
    pub last_demand_on: Option<Date>,
}

/// What a statement entry adds to its [`BankEntry`] row for reversals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntryLinks {
    pub end_to_end_id: Option<String>,
    pub return_reason: Option<String>,
    /// The key of the credit entry a reversal or return undid.
    pub reverses_entry: Option<String>,
}

/// A change to a stored entry: money assigned by hand, a credit returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryUpdate {
    pub key: String,
    pub match_state: String,
    pub case: Option<CaseId>,
    pub reason: Option<String>,
}

/// A person's handling of unmatched money, logged with who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAssignment {
    pub entry_key: String,
    /// `assign` or `refund`.
    pub kind: String,
    pub case: Option<CaseId>,
    pub amount_cents: i64,
    pub actor: String,
    pub at: Timestamp,
}

/// Everything one booking writes, in one transaction: new statement
/// entries, changed entries, transfers (balances follow), assignments.
#[derive(Debug, Clone, Default)]
pub struct LedgerBatch {
    pub entries: Vec<(BankEntry, EntryLinks)>,
    pub updates: Vec<EntryUpdate>,
    pub transfers: Vec<StoredTransfer>,
    pub assignments: Vec<PaymentAssignment>,
    /// Allocations the debtor designated to a claim (art. 6:43(1) BW),
    /// written with the allocations.
    pub designations: Vec<crate::PaymentDesignation>,
    /// Cases whose statement of account the batch brought to zero or back
    /// above it, written in the same transaction as the transfers.
    pub settled: Vec<CaseSettled>,
}

/// What a booking did to a case's standing: paid off on a day (an open
/// case closes as `closed_paid` with that `closed_on`), or owing again (a
/// returned payment: a case closed as paid opens again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSettled {
    PaidOff { case: CaseId, on: Date },
    OwingAgain { case: CaseId },
}

/// A paid-off case closes as paid on the day (one that was closed already
/// keeps its status and day).
pub(crate) const PAID_OFF_SQL: &str = "UPDATE cases SET status = 'closed_paid', closed_on = $1 \
     WHERE id = $2 AND status NOT LIKE 'closed%'";
/// A case closed as paid whose payment came back is collected again.
pub(crate) const OWING_AGAIN_SQL: &str =
    "UPDATE cases SET status = 'active', closed_on = NULL WHERE id = $1 AND status = 'closed_paid'";

/// How to find the credit a reversal or return refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditProbe<'a> {
    EndToEndId(&'a str),
    StructuredRef(&'a str),
    CounterpartyIban(&'a str),
}

impl<'a> CreditProbe<'a> {
    /// The `bank_entries` column the probe compares, and the value.
    pub(crate) fn column_and_value(self) -> (&'static str, &'a str) {
        match self {
            CreditProbe::EndToEndId(v) => ("end_to_end_id", v),
            CreditProbe::StructuredRef(v) => ("structured_ref", v),
            CreditProbe::CounterpartyIban(v) => ("counterparty_iban", v),
        }
    }
}

pub trait LedgerStore {
    /// The kept balances of these accounts (debit-positive cents); an
    /// account never posted to is absent.
    fn ledger_balances(&self, accounts: &[String]) -> Result<HashMap<String, i64>>;
    /// Every kept balance, for `ledger verify`.
    fn all_ledger_balances(&self) -> Result<Vec<(String, i64)>>;
    /// The transfers posting to any of `cases`, keyed in `keys`, or naming
    /// one of `keys` as parent, in the order written.
    fn ledger_transfers_for(
        &self,
        cases: &[CaseId],
        keys: &[String],
    ) -> Result<Vec<StoredTransfer>>;
    /// What the law engine needs of these cases.
    fn case_law_rows(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, CaseLawRow>>;
    /// One stored entry.
    fn bank_entry(&self, key: &str) -> Result<Option<BankEntry>>;
    /// Booked credits of exactly `amount_cents` still standing (matched,
    /// unmatched or assigned) that the probe finds, oldest first.
    fn standing_credits(&self, probe: CreditProbe<'_>, amount_cents: i64)
    -> Result<Vec<BankEntry>>;
    /// Writes a batch all or nothing, with the kept balances.
    fn book_ledger(&self, batch: &LedgerBatch) -> Result<()>;
    /// Writes batches as `batches` yields them, all in one transaction, so
    /// a caller can go on computing the next batch while one is written.
    /// All or nothing: an `Err` from `batches` rolls everything back and
    /// is returned; the end of `batches` commits.
    fn book_ledger_stream(
        &self,
        batches: &mut dyn Iterator<Item = Result<LedgerBatch>>,
    ) -> Result<()>;
}

/// The balance change of every account a set of transfers posts to, in
/// account order (neighbouring keys of the balances' B-tree are written
/// together).
pub(crate) fn balance_deltas(transfers: &[StoredTransfer]) -> Vec<(&str, i64)> {
    let mut postings: Vec<(&str, i64)> = transfers
        .iter()
        .flat_map(|t| {
            t.postings
                .iter()
                .map(|p| (p.account.as_str(), p.amount_cents))
        })
        .collect();
    postings.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut sums: Vec<(&str, i64)> = Vec::with_capacity(postings.len());
    for (account, cents) in postings {
        match sums.last_mut() {
            Some((last, sum)) if *last == account => *sum = sum.saturating_add(cents),
            _ => sums.push((account, cents)),
        }
    }
    sums
}

/// Bank entry columns in the order the engines read them.
pub(crate) const ENTRY_COLUMNS: &str = "key, source, account, booked_on, amount_cents, counterparty_name, counterparty_iban, \
     remittance, structured_ref, match_state, case_id, confidence, reason";

/// The case a transfer posts to, from its postings' account names
/// (`case_principal:17`); stored so a case's transfers are found by index.
pub(crate) fn transfer_case(t: &StoredTransfer) -> Option<i64> {
    t.postings.iter().find_map(|p| {
        p.account
            .strip_prefix("case_")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(_, id)| id.parse().ok())
    })
}
