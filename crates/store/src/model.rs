//! Row types that cross the store interface. They carry domain types where a
//! value has an invariant, and plain strings only for free text.

pub use kwijting_domain::{
    CaseId, CaseStatus, ClaimId, ClientId, ClientRole, Date, DebtorType, PartyId, PartyKind,
    PartyRole,
};

/// An instant in UTC; the store never reads the clock, callers pass it in.
pub type Timestamp = jiff::Timestamp;

#[derive(Debug, Clone)]
pub struct NewClient {
    pub reference: String,
    pub name: String,
    pub role: ClientRole,
    pub privacy_contact: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRow {
    pub id: ClientId,
    pub reference: String,
    pub name: String,
    pub role: ClientRole,
    pub privacy_contact: Option<String>,
    pub settings: ClientSettingsRow,
}

/// What the client lets the agency do in collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSettingsRow {
    pub legal_action_allowed: bool,
    /// Below this balance no legal step is announced or taken.
    pub legal_action_min_cents: i64,
    /// A person reviews every legal step, also for business debtors (for
    /// consumers always, GDPR art. 22).
    pub review_all_legal_steps: bool,
    /// Collection costs agreed with business debtors: a fixed amount ...
    pub costs_fixed_cents: Option<i64>,
    /// ... or a percentage of the principal (basis points); neither: BIK.
    pub costs_percent_bps: Option<i64>,
    /// The client cannot deduct VAT: costs are raised by it (art. 2(3) BIK).
    pub vat_not_deductible: bool,
}

impl Default for ClientSettingsRow {
    fn default() -> Self {
        ClientSettingsRow {
            legal_action_allowed: true,
            legal_action_min_cents: 25_000,
            review_all_legal_steps: true,
            costs_fixed_cents: None,
            costs_percent_bps: None,
            vat_not_deductible: false,
        }
    }
}

/// A debtor of the client known from an earlier import, by matching key.
#[derive(Debug, Clone)]
pub struct KnownDebtor {
    pub key: DebtorKey,
    pub party: PartyId,
    pub open_case: Option<(CaseId, DebtorType)>,
}

/// Points at a row that exists already, or at the n-th new row of its kind
/// in this import (counted over all its chunks, from 0). The store assigns
/// ids its own fastest way and keeps the mapping for the import's duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ref<T> {
    Existing(T),
    New(usize),
}

#[derive(Debug, Clone)]
pub struct NewAddress {
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
}

/// A 128-bit key that recognises the same debtor of a client across imports
/// (a pseudonymous identifier, catalogued as such).
pub type DebtorKey = [u8; 16];

#[derive(Debug, Clone)]
pub struct NewParty {
    pub kind: PartyKind,
    pub debtor_ref: Option<String>,
    pub debtor_key: Option<DebtorKey>,
    pub name: String,
    pub birth_date: Option<Date>,
    pub kvk_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub iban: Option<String>,
    pub address: NewAddress,
    /// The line of the import that brought the party in.
    pub line: u64,
}

#[derive(Debug, Clone)]
pub struct NewCase {
    pub debtor: Ref<PartyId>,
    pub debtor_type: DebtorType,
    pub opened_on: Date,
    pub principal_cents: i64,
    /// The earliest due date of the case's claims.
    pub first_due_on: Date,
}

#[derive(Debug, Clone)]
pub struct NewCaseParty {
    pub case: Ref<CaseId>,
    pub party: Ref<PartyId>,
    pub role: PartyRole,
}

#[derive(Debug, Clone)]
pub struct NewClaim {
    pub case: Ref<CaseId>,
    pub invoice_number: String,
    pub invoice_date: Date,
    pub due_date: Date,
    pub principal_cents: i64,
    pub description: Option<String>,
    pub agreement_ref: Option<String>,
    /// The price in a consumer sale (limitation 2 years, art. 7:28 BW).
    pub consumer_sale: bool,
    /// A hash of the claim's content, to tell a re-import from a change.
    pub fingerprint: i64,
    pub line: u64,
}

/// One chunk of an import, written in one go. New rows refer to each other
/// by their number in the import (`Ref::New`), so a chunk can be built
/// without waiting for the ids of the chunk before it.
#[derive(Debug, Clone)]
pub struct ImportChunk {
    pub client: ClientId,
    /// The import's row in `imports`, the source of every row written.
    pub import: ImportId,
    pub valid_from: Date,
    pub parties: Vec<NewParty>,
    pub cases: Vec<NewCase>,
    pub case_parties: Vec<NewCaseParty>,
    pub claims: Vec<NewClaim>,
}

impl ImportChunk {
    pub fn new(client: ClientId, import: ImportId, valid_from: Date) -> ImportChunk {
        ImportChunk {
            client,
            import,
            valid_from,
            parties: Vec::new(),
            cases: Vec::new(),
            case_parties: Vec::new(),
            claims: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parties.is_empty() && self.cases.is_empty() && self.claims.is_empty()
    }

    pub fn clear(&mut self) {
        self.parties.clear();
        self.cases.clear();
        self.case_parties.clear();
        self.claims.clear();
    }
}

#[derive(Debug, Clone, Default)]
pub struct ChunkIds {
    pub parties: Vec<PartyId>,
    pub cases: Vec<CaseId>,
}

/// The ids an engine gave the new rows of one kind in this import, in order.
#[derive(Debug, Default)]
pub(crate) struct NewIds(Vec<i64>);

impl NewIds {
    pub(crate) fn push(&mut self, id: i64) {
        self.0.push(id);
    }

    pub(crate) fn resolve(&self, r: Ref<impl Into<i64> + Copy>) -> Result<i64, crate::StoreError> {
        match r {
            Ref::Existing(id) => Ok(id.into()),
            Ref::New(i) => self.0.get(i).copied().ok_or_else(|| {
                crate::StoreError::Invariant(format!(
                    "import refers to new row {i}, which it has not written"
                ))
            }),
        }
    }
}

/// An import's row: opened when the import starts, its counts filled in
/// when it finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImportId(pub i64);

#[derive(Debug, Clone)]
pub struct NewImport {
    pub client: ClientId,
    pub source: String,
    pub actor: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportCounts {
    pub lines: i64,
    pub claims_added: i64,
    pub claims_known: i64,
    pub cases_added: i64,
}

/// Page size bounds for listings: a request for more is cut to the maximum.
pub const PAGE_LIMIT_MAX: u32 = 1000;

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub client: Option<ClientId>,
    /// The actor's client scope; `None` means every client.
    pub within: Option<Vec<ClientId>>,
    pub status: Option<CaseStatus>,
    pub limit: u32,
    pub offset: u64,
}

#[derive(Debug, Clone)]
pub struct PartySummary {
    pub id: PartyId,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: String,
    pub client_id: ClientId,
    pub client_ref: String,
    pub status: CaseStatus,
    pub debtor_type: DebtorType,
    /// The sum of the claims' principals at intake; what the case owes is
    /// its statement of account (the service's one balance).
    pub principal_cents: i64,
    pub opened_on: Date,
    pub first_due_on: Date,
    pub debtor: PartySummary,
}

#[derive(Debug, Clone)]
pub struct CasePage {
    pub total: u64,
    pub cases: Vec<CaseSummary>,
}

#[derive(Debug, Clone)]
pub struct AddressRow {
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    /// Where the address came from (GDPR art. 14).
    pub source: String,
    pub valid_from: Date,
}

#[derive(Debug, Clone)]
pub struct PartyRow {
    pub id: PartyId,
    pub kind: PartyKind,
    pub name: String,
    pub birth_date: Option<Date>,
    pub kvk_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub iban: Option<String>,
    /// Where the party's data came from (GDPR art. 14): the import and line.
    pub source: String,
    pub address: Option<AddressRow>,
}

#[derive(Debug, Clone)]
pub struct CasePartyRow {
    pub role: PartyRole,
    pub party: PartyRow,
}

#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub id: ClaimId,
    pub invoice_number: String,
    pub invoice_date: Date,
    pub due_date: Date,
    pub principal_cents: i64,
    pub description: Option<String>,
    pub agreement_ref: Option<String>,
    pub consumer_sale: bool,
}

#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub payment_reference: String,
    pub rf_reference: String,
    pub closed_on: Option<Date>,
    pub parties: Vec<CasePartyRow>,
    pub claims: Vec<ClaimRow>,
}

/// A stored answer to a request with an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// How a row's source reads: the import's source and the line in it.
pub fn import_source(source: Option<&str>, line: Option<i64>) -> String {
    match (source, line) {
        (Some(s), Some(l)) => format!("{s} line {l}"),
        (Some(s), None) => s.to_owned(),
        _ => "unknown".to_owned(),
    }
}

/// The case number a case gets from its id.
pub fn case_number(id: CaseId) -> Result<String, crate::StoreError> {
    kwijting_domain::CaseNumber::for_case(id)
        .map(|n| n.as_str().to_owned())
        .map_err(|e| crate::StoreError::Invariant(format!("case id {id}: {e}")))
}

/// The number, payment reference and RF reference a case gets from its id.
pub fn case_references(id: CaseId) -> Result<(String, String, String), crate::StoreError> {
    use kwijting_domain::{Betalingskenmerk, CaseNumber, CreditorReference};
    let invariant =
        |e: &dyn std::fmt::Display| crate::StoreError::Invariant(format!("case id {id}: {e}"));
    let number = CaseNumber::for_case(id).map_err(|e| invariant(&e))?;
    let kenmerk = u64::try_from(id.0)
        .map_err(|e| invariant(&e))
        .and_then(|n| Betalingskenmerk::generate16(n).map_err(|e| invariant(&e)))?;
    let rf = CreditorReference::generate(number.as_str()).map_err(|e| invariant(&e))?;
    Ok((
        number.as_str().to_owned(),
        kenmerk.as_str().to_owned(),
        rf.as_str().to_owned(),
    ))
}

/// What an operator's interest rate line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLineKind {
    /// A rate line in the shipped table's CSV format.
    Rate,
    /// That the last commercial rate is assumed to continue (the line is
    /// the operator's note).
    AssumeCommercialContinues,
}

impl RateLineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RateLineKind::Rate => "rate",
            RateLineKind::AssumeCommercialContinues => "assume_commercial_continues",
        }
    }

    pub fn parse(s: &str) -> Option<RateLineKind> {
        match s {
            "rate" => Some(RateLineKind::Rate),
            "assume_commercial_continues" => Some(RateLineKind::AssumeCommercialContinues),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLineRow {
    pub kind: RateLineKind,
    pub line: String,
    pub actor: String,
    pub added_at: Timestamp,
}

/// An open case as the daily run sees it: everything a decision needs, read
/// in one query per chunk.
#[derive(Debug, Clone)]
pub struct RunCase {
    pub id: CaseId,
    pub number: String,
    pub client_id: ClientId,
    pub debtor_type: DebtorType,
    pub status: CaseStatus,
    pub principal_cents: i64,
    /// The first demand with costs carried out (kept on the case).
    pub costs_demanded_on: Option<Date>,
    pub opened_on: Date,
    pub first_due_on: Date,
    /// The statement of account's claims.
    pub claims: Vec<crate::LawClaim>,
    /// The payments the statement of account counts: each live allocation
    /// to the case, its day, amount in cents and the claim the debtor
    /// designated it to (art. 6:43(1) BW), in the order booked.
    pub payments: Vec<(Date, i64, Option<ClaimId>)>,
    /// Strategy id, version and champion/challenger variant, once assigned.
    pub strategy: Option<(String, i64, String)>,
    pub steps_taken: i64,
    pub last_step: Option<String>,
    pub last_step_on: Option<Date>,
    pub demand_letter_sent_on: Option<Date>,
    pub judgment_on: Option<Date>,
    pub last_demand_on: Option<Date>,
    pub email_known: bool,
    pub phone_known: bool,
    pub address_status: Option<String>,
    pub credit_band: Option<String>,
    /// Kinds of the holds in force, and `arrangement_broken` when a payment
    /// arrangement of the case was broken (not a hold).
    pub holds: Vec<String>,
    /// A decision of an earlier day waits for a person's review.
    pub review_pending: bool,
}

/// An automated decision to store, with the data it used.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub case: CaseId,
    pub strategy_id: String,
    pub strategy_version: i64,
    pub rule: String,
    pub action: String,
    /// The variables the decision used, as `name=value` lines.
    pub inputs: String,
    pub needs_review: bool,
    /// The letter or task it queues (kind, when), unless it waits for review.
    pub work: Option<(String, Timestamp)>,
}

/// Where a case stands after the day's decision.
#[derive(Debug, Clone)]
pub struct CaseProgress {
    pub case: CaseId,
    pub strategy: (String, i64, String),
    pub steps_taken: i64,
    pub last_step: Option<String>,
    pub last_step_on: Option<Date>,
    pub demand_letter_sent_on: Option<Date>,
    pub last_demand_on: Option<Date>,
    /// The first demand with collection costs carried out.
    pub costs_demanded_on: Option<Date>,
    /// A closed status records the day it closed (`closed_on`): the run's
    /// date, unless the case was closed before.
    pub status: CaseStatus,
}

#[derive(Debug, Clone, Default)]
pub struct ChunkWork {
    pub decisions: Vec<NewDecision>,
    pub progress: Vec<CaseProgress>,
    /// Cases a hold kept from their strategy.
    pub held: u64,
    /// Cases no decision could be made for.
    pub errors: u64,
    /// Each of those cases with why: kept per day, so a run started again
    /// for the same day decides them once the cause is fixed.
    pub failed: Vec<(CaseId, String)>,
}

/// Chunks of a day with cases the run could not decide go back to this
/// state when a run for the day starts again: their failed cases are tried
/// once more.
pub(crate) const RETRY_FAILED_SQL: &str = "UPDATE daily_run_chunks SET state = 'retry' \
     WHERE run_date = $1 AND state = 'done' AND errors > 0";

/// What one chunk of a daily run did.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChunkDone {
    pub cases_seen: u64,
    pub decisions: u64,
}

/// A day's decisions counted from what is stored, so a resumed run reports
/// the whole day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunTotals {
    pub cases_seen: u64,
    pub held: u64,
    pub errors: u64,
    pub decisions: u64,
    pub by_action: Vec<(String, u64)>,
    pub review_queue: u64,
    pub chunks_done: u64,
    pub chunks_todo: u64,
}

/// A stored decision, for explanations and the review queue.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: i64,
    pub case: CaseId,
    pub run_date: Date,
    pub strategy_id: String,
    pub strategy_version: i64,
    pub rule: String,
    pub action: String,
    pub inputs: String,
    pub needs_review: bool,
    pub review_state: String,
    pub reviewed_by: Option<String>,
}

#[derive(Debug, Clone)]
pub struct HoldRow {
    pub id: i64,
    pub case: CaseId,
    pub kind: String,
    pub reason: String,
    pub placed_on: Date,
    pub lifted_on: Option<Date>,
    pub placed_by: String,
}

/// A disclosure of a person's data to a recipient (R23 to R25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub party: PartyId,
    /// A recipient category id from the policy, e.g. `address_provider`.
    pub recipient: String,
    /// Data category ids, comma-separated.
    pub categories: String,
    pub purpose: String,
    pub legal_basis: String,
    pub country: String,
    pub safeguard: String,
    /// `None` when disclosed; the reason when refused (refusals are logged).
    pub refused: Option<String>,
    pub disclosed_on: Date,
    pub actor: String,
    /// The actual recipient from the register (R23), when one was named;
    /// `None` for a disclosure to a category inside the EEA.
    pub recipient_id: Option<i64>,
    pub recipient_name: Option<String>,
    /// The document the transfer safeguard is recorded in.
    pub safeguard_ref: Option<String>,
}

/// Queued work of one kind, for the worker that carries it out, with what
/// a provider needs to know of the case's debtor (and nothing more).
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub id: i64,
    pub case: CaseId,
    pub kind: String,
    /// The case's debtor.
    pub party: PartyId,
    pub name: String,
    pub birth_date: Option<Date>,
    pub postcode: String,
    pub country: String,
}

/// What a provider returned about a party, with source and date.
#[derive(Debug, Clone)]
pub struct ProviderResult {
    pub party: PartyId,
    /// `address` or `credit`.
    pub kind: String,
    pub result: String,
    pub provider: String,
    pub obtained_on: Date,
}

/// The SQL that finds the holds in force and pending reviews of a chunk's
/// cases: (case id, hold kind), with an empty kind for a pending review and
/// `arrangement_broken` for a case whose payment arrangement was broken (no
/// hold: the strategy reads it as `arrangement = broken`).
pub(crate) const CHUNK_HOLDS_SQL: &str = "SELECT case_id, kind FROM holds WHERE case_id BETWEEN $1 AND $2 AND lifted_on IS NULL \
     UNION ALL SELECT case_id, '' FROM decisions WHERE case_id BETWEEN $1 AND $2 AND review_state = 'pending' \
     UNION ALL SELECT DISTINCT case_id, 'arrangement_broken' FROM arrangements WHERE case_id BETWEEN $1 AND $2 AND status = 'broken'";

/// Adds a hold (or, with an empty kind, a pending review) to the case it
/// belongs to; `cases` is sorted by id.
pub(crate) fn attach_hold(cases: &mut [RunCase], id: CaseId, kind: String) {
    if let Ok(i) = cases.binary_search_by_key(&id, |c| c.id) {
        if kind.is_empty() {
            cases[i].review_pending = true;
        } else {
            cases[i].holds.push(kind);
        }
    }
}

/// The claims of a chunk's cases: (case id, claim id, principal in cents,
/// due date), by case and claim.
pub(crate) const CHUNK_CLAIMS_SQL: &str = "SELECT case_id, id, principal_cents, due_date, consumer_sale FROM claims \
     WHERE case_id BETWEEN $1 AND $2 ORDER BY case_id, id";

/// The allocations to a chunk's cases and the reversals filed under them:
/// (case id, key, booked on, the key it reverses, kind, the amount taken
/// from suspense, the claim designated), in the order written. A case's
/// statement of account counts each allocation no reversal undid.
pub(crate) const CHUNK_PAYMENTS_SQL: &str = "SELECT t.case_id, t.key, t.booked_on, t.reverses, t.kind, \
     COALESCE((SELECT p.amount_cents FROM ledger_postings p WHERE p.transfer_id = t.id AND p.account = 'suspense'), 0), \
     d.claim_id \
     FROM ledger_transfers t LEFT JOIN payment_designations d ON d.allocation_key = t.key \
     WHERE t.case_id IS NOT NULL AND t.case_id BETWEEN $1 AND $2 \
     AND (t.kind = 'allocation' OR t.reverses IS NOT NULL) ORDER BY t.id";

/// Adds a claim to the case it belongs to; `cases` is sorted by id.
pub(crate) fn attach_claim(cases: &mut [RunCase], id: CaseId, claim: crate::LawClaim) {
    if let Ok(i) = cases.binary_search_by_key(&id, |c| c.id) {
        cases[i].claims.push(claim);
    }
}

/// One row of [`CHUNK_PAYMENTS_SQL`].
pub(crate) struct ChunkTransfer {
    pub case: CaseId,
    pub key: String,
    pub booked_on: Date,
    pub reverses: Option<String>,
    pub allocation: bool,
    pub suspense_cents: i64,
    pub designated: Option<ClaimId>,
}

/// Adds to each case the allocations no reversal in `rows` undid; `cases`
/// is sorted by id.
pub(crate) fn attach_payments(cases: &mut [RunCase], rows: Vec<ChunkTransfer>) {
    let reversed: std::collections::HashSet<&str> =
        rows.iter().filter_map(|r| r.reverses.as_deref()).collect();
    for r in &rows {
        if !r.allocation || reversed.contains(r.key.as_str()) {
            continue;
        }
        if let Ok(i) = cases.binary_search_by_key(&r.case, |c| c.id) {
            cases[i]
                .payments
                .push((r.booked_on, r.suspense_cents, r.designated));
        }
    }
}

/// A ledger posting as stored: the account's name and the signed amount
/// (debit positive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPosting {
    pub account: String,
    pub amount_cents: i64,
}

/// A ledger transfer as stored; immutable once written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransfer {
    pub key: String,
    pub kind: String,
    pub source_kind: String,
    pub source_ref: String,
    pub reverses: Option<String>,
    pub parent: Option<String>,
    pub booked_on: Date,
    pub postings: Vec<StoredPosting>,
}

/// A statement transaction as booked, with how it was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntry {
    pub key: String,
    pub source: String,
    pub account: String,
    pub booked_on: Option<Date>,
    /// Signed: credits positive.
    pub amount_cents: i64,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub remittance: Option<String>,
    pub structured_ref: Option<String>,
    /// `matched`, `unmatched`, `debit`, `reversal`.
    pub match_state: String,
    pub case: Option<CaseId>,
    pub confidence: Option<String>,
    pub reason: Option<String>,
}

/// Whether an approved action is a written demand (it interrupts
/// limitation, art. 3:317 BW) and whether it is the 14-day letter.
pub(crate) fn written_demand(approve: bool, action: &str) -> (bool, bool) {
    let demand = approve
        && matches!(
            action,
            "reminder"
                | "fourteen_day_letter"
                | "first_demand"
                | "second_demand"
                | "summons_warning"
        );
    (demand, demand && action == "fourteen_day_letter")
}

/// Whether an action, carried out, demands the collection costs (from it on
/// the statement of account charges them, where the law allows).
pub fn demands_costs(action: &str) -> bool {
    matches!(action, "first_demand" | "second_demand" | "summons_warning")
}
