//! Storage of client agreements and remittances (afdracht), a part of the
//! [`crate::Store`] both engines implement (`sqlite/remit.rs`, `pg/remit.rs`).

use std::collections::HashMap;

use crate::Result;
use crate::model::{CaseId, ClientId, Date, StoredTransfer, Timestamp};

/// One version of what a client agreed with the agency about collected
/// money, from `effective_from` until the next version. Codes are the
/// service's (`half_up`, `client`/`agency`, `weekly`/`monthly`/`on_demand`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAgreementRow {
    pub client: ClientId,
    pub effective_from: Date,
    pub commission_bps: i64,
    pub commission_rounding: String,
    pub costs_to: String,
    pub interest_to: String,
    pub payout_frequency: String,
    pub payout_min_cents: i64,
    pub payout_iban: String,
    pub payout_bic: Option<String>,
    pub payout_name: String,
    pub created_at: Timestamp,
}

/// A payout to a client for one period, with the ledger transfers (the
/// collected amounts) it paid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemittanceRow {
    pub client: ClientId,
    /// `2026-11` (monthly), `2026-W47` (weekly) or `2026-11-20` (on demand).
    pub period: String,
    pub run_date: Date,
    /// The pain.001 message id of the file it was paid in.
    pub batch: String,
    pub end_to_end_id: String,
    pub amount_cents: i64,
    pub commission_cents: i64,
    pub agency_kept_cents: i64,
    pub payout_iban: String,
    pub payout_bic: Option<String>,
    pub payout_name: String,
    pub created_at: Timestamp,
    /// Keys of the ledger transfers it accounted for (in no set order).
    pub lines: Vec<String>,
}

/// Who paid a statement entry, as the bank gave it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payer {
    pub name: Option<String>,
    pub iban: Option<String>,
}

pub trait RemitStore {
    /// Adds an agreement version; `false` (nothing written) when the client
    /// has a version from that day already.
    fn add_client_agreement(&self, a: &ClientAgreementRow) -> Result<bool>;
    /// Agreement versions, of one client or all, by client and date.
    fn client_agreements(&self, client: Option<ClientId>) -> Result<Vec<ClientAgreementRow>>;
    /// Every remittance, oldest first.
    fn remittances(&self) -> Result<Vec<RemittanceRow>>;
    /// The remittances run on `run_date`, oldest first, with their lines.
    fn remittances_on(&self, run_date: Date) -> Result<Vec<RemittanceRow>>;
    /// The day the client's remittance for `period` was run, if it was.
    fn remittance_run_date(&self, client: ClientId, period: &str) -> Result<Option<Date>>;
    /// Keys of the transfers posting to the client's payable account that
    /// no remittance has paid out (the payouts themselves left out), in the
    /// order written: read by the account's index, not by a ledger scan.
    fn unremitted_transfers(&self, client: ClientId) -> Result<Vec<String>>;
    /// What the client's remittances paid out, in cents.
    fn paid_out_cents(&self, client: ClientId) -> Result<i64>;
    /// Records remittances and the ledger transfers that post them in one
    /// transaction. A remittance for a (client, period) or a line already
    /// recorded fails the whole call with `Duplicate`.
    fn record_remittances(
        &self,
        remittances: &[RemittanceRow],
        transfers: &[StoredTransfer],
    ) -> Result<()>;
    /// The payer (counterparty name and IBAN) of statement entries by key.
    fn payers(&self, entries: &[String]) -> Result<HashMap<String, Payer>>;
    /// The refund payment files of a day: batch and when it was made.
    fn refund_batches(&self, run_date: Date) -> Result<Vec<(String, Timestamp)>>;
    /// Records a refund payment file and the ledger transfers it pays, in
    /// one transaction; `Duplicate` when the batch exists.
    fn record_refunds(
        &self,
        batch: &str,
        run_date: Date,
        created_at: Timestamp,
        transfers: &[StoredTransfer],
    ) -> Result<()>;
    /// The client's invoice numbers of each case, for client statements.
    fn invoice_numbers(&self, cases: &[CaseId]) -> Result<HashMap<CaseId, Vec<String>>>;
}
