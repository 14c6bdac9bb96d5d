//! Storage for Kwijting: one [`Store`] interface with two engines, SQLite
//! (embedded default, through rusqlite) and PostgreSQL (production, through
//! the `postgres` client), each on its fastest path for bulk work.
//!
//! Invariants:
//! - Only the service layer holds a `Store`; interfaces (CLI, HTTP) reach
//!   personal data through services, which take an `Actor` (the one door).
//! - Every table and column is classified in [`catalog`]; a test introspects
//!   the live schema of both engines and fails on any difference.
//! - The store reads no clock: timestamps come in from the caller.

pub mod arrangement;
pub mod bench;
pub mod case_search;
pub mod catalog;
pub mod designation;
pub mod erasure;
pub mod ledger;
pub mod mandate;
pub mod mapping;
mod model;
mod pg;
pub mod recipients;
pub mod remit;
pub mod restate;
pub mod rights;
mod sqlite;
pub mod testkit;
pub mod unmatched;

use std::sync::Arc;

pub use arrangement::{
    AmendmentRow, ArrangementRow, ArrangementRulesRow, ArrangementStore, ArrangementUpdate,
    DdBatchRow, DdCollectionRow, InstalmentRow, MandateRow, NewArrangement, NewMandate,
    ReturnUpdate, WatchedArrangement,
};
pub use case_search::{CaseSearch, CaseSearchStore, FoundCases, SEARCH_LIMIT_MAX};
pub use designation::{DesignationStore, PaymentDesignation};
pub use erasure::ErasureStore;
pub use ledger::{
    CaseLawRow, CaseSettled, CreditProbe, EntryLinks, EntryUpdate, LawClaim, LedgerBatch,
    LedgerStore, PaymentAssignment,
};
pub use mandate::{MandateChange, MandateStore};
pub use mapping::ClientMappingStore;
pub use model::*;
pub use recipients::{NewRecipient, RecipientRow, RecipientStore};
pub use remit::{ClientAgreementRow, Payer, RemitStore, RemittanceRow};
pub use restate::RestateStore;
pub use rights::{RightsStore, RightsTx};
pub use unmatched::UnmatchedStore;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "database URL '{0}' is not understood: use sqlite://PATH, sqlite::memory: or postgres://..."
    )]
    Url(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("{what} '{key}' already exists")]
    Duplicate { what: &'static str, key: String },
    #[error("the stored value {value:?} in {table}.{column} is invalid: {reason}")]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Invariant(String),
    /// The caller stopped a streamed write; nothing of it was kept.
    #[error("the write was abandoned by its caller and rolled back")]
    Abandoned,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A transaction over one import: everything written through it commits
/// together or not at all.
pub trait ImportTx {
    /// The client's debtors known from earlier imports, with their open case.
    fn known_debtors(&mut self, client: ClientId) -> Result<Vec<KnownDebtor>>;
    /// The client's known claims: invoice number and content fingerprint.
    fn known_claims(&mut self, client: ClientId) -> Result<Vec<(String, i64)>>;
    /// One known debtor of the client by key, for small imports that do not
    /// load every known debtor.
    fn find_debtor(&mut self, client: ClientId, key: &DebtorKey) -> Result<Option<KnownDebtor>>;
    /// One known claim's fingerprint by invoice number.
    fn find_claim(&mut self, client: ClientId, invoice_number: &str) -> Result<Option<i64>>;
    /// Opens the import's row; every row written refers to it.
    fn open_import(&mut self, import: &NewImport) -> Result<ImportId>;
    /// Fills in the import's counts at the end.
    fn close_import(&mut self, import: ImportId, counts: &ImportCounts) -> Result<()>;
    /// Writes one chunk; returns the ids given to its new parties and cases,
    /// in the order of `chunk.parties` and `chunk.cases`.
    fn write_chunk(&mut self, chunk: &ImportChunk) -> Result<ChunkIds>;
    /// Adds to the total of a case (existing, or new in this import) whose
    /// claims arrived after the case's row was written, and moves its first
    /// due date back when a claim fell due earlier.
    fn add_to_case_totals(
        &mut self,
        case: Ref<CaseId>,
        principal_cents: i64,
        due_on: Date,
    ) -> Result<()>;
    /// Runs plain SQL text (the benchmark baseline's multi-row INSERTs).
    fn execute_plain(&mut self, sql: &str) -> Result<()>;
}

/// What an import's body tells the store to do with its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Commit,
    Rollback,
}

/// The one storage interface. Both engines implement all of it; the contract
/// tests in `tests/contract.rs` run every behaviour against both.
pub trait Store:
    Send
    + Sync
    + LedgerStore
    + RightsStore
    + ArrangementStore
    + ErasureStore
    + RemitStore
    + RecipientStore
    + RestateStore
{
    fn engine(&self) -> Engine;

    fn insert_client(&self, client: &NewClient) -> Result<ClientRow>;
    fn clients(&self) -> Result<Vec<ClientRow>>;
    fn set_client_settings(&self, client: ClientId, settings: &ClientSettingsRow) -> Result<()>;
    fn client_by_ref(&self, reference: &str) -> Result<Option<ClientRow>>;

    /// Runs `body` inside one transaction and commits or rolls back as it
    /// says; an error from `body` rolls back.
    fn import(
        &self,
        body: &mut dyn FnMut(&mut dyn ImportTx) -> Result<Finish, ImportAbort>,
    ) -> Result<Finish, ImportAbort>;

    /// Cases matching the filter, newest id last, with the total count.
    fn list_cases(&self, filter: &CaseFilter) -> Result<CasePage>;
    fn case_by_number(&self, number: &str) -> Result<Option<CaseDetail>>;

    fn idempotency_get(&self, key: &str, scope: &str) -> Result<Option<IdempotentResponse>>;
    /// Stores a response; `false` when the key was stored meanwhile.
    fn idempotency_put(
        &self,
        key: &str,
        scope: &str,
        response: &IdempotentResponse,
        at: Timestamp,
    ) -> Result<bool>;

    /// Adds an operator's interest rate line or assumption (never changed
    /// or removed afterwards).
    fn add_rate_line(
        &self,
        kind: RateLineKind,
        line: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// Every operator rate line, oldest first.
    fn rate_lines(&self) -> Result<Vec<RateLineRow>>;

    /// Splits the open cases into chunks for a day's run; does nothing when
    /// the day is planned already (a resumed run). Returns chunks planned.
    fn plan_run(&self, run_date: Date, cases_per_chunk: usize) -> Result<u64>;
    /// Claims the next chunk of the day that is not done, gives its cases to
    /// `decide`, and writes the decisions, work items and progress together
    /// with the chunk's completion in one transaction. `None` when every
    /// chunk is done. Safe to call from several workers at once on
    /// PostgreSQL (chunks are claimed with `FOR UPDATE SKIP LOCKED`).
    fn run_chunk(
        &self,
        run_date: Date,
        decide: &(dyn Fn(&[RunCase]) -> ChunkWork + Sync),
    ) -> Result<Option<ChunkDone>>;
    /// The open cases with ids from `first` to `last` as a run chunk gives
    /// them to its decider (holds, claims, payments on the ledger), read
    /// without claiming anything: what the daily run would decide on.
    fn run_cases(&self, first: CaseId, last: CaseId) -> Result<Vec<RunCase>>;
    /// The day's totals from what is stored.
    fn run_totals(&self, run_date: Date) -> Result<RunTotals>;
    /// A case's decisions, newest first.
    fn decisions_for_case(&self, case: CaseId) -> Result<Vec<DecisionRow>>;
    /// Decisions waiting for a person, oldest first.
    fn review_queue(&self, limit: u32) -> Result<Vec<DecisionRow>>;
    /// Records a reviewer's verdict on a pending decision. Either way the
    /// case moves past the step (a person has dealt with it); an approved
    /// decision's action is queued for `due`, and an approved legal step
    /// takes the case to legal collection. `false` when it was not pending.
    fn review_decision(
        &self,
        decision: i64,
        approve: bool,
        reviewer: &str,
        at: Timestamp,
        on: Date,
        due: Timestamp,
    ) -> Result<bool>;
    fn place_hold(&self, case: CaseId, kind: &str, reason: &str, on: Date, by: &str)
    -> Result<i64>;
    /// Lifts the holds of that kind on the case; returns how many.
    fn lift_hold(&self, case: CaseId, kind: &str, on: Date) -> Result<u64>;
    fn holds_for_case(&self, case: CaseId) -> Result<Vec<HoldRow>>;
    /// Stores a strategy version; `false` when that id and version exist.
    fn add_strategy(&self, id: &str, version: i64, definition: &str, at: Timestamp)
    -> Result<bool>;
    /// The newest version of every strategy: (id, version, definition).
    fn strategies(&self) -> Result<Vec<(String, i64, String)>>;
    /// A strategy version by id and version.
    fn strategy(&self, id: &str, version: i64) -> Result<Option<String>>;

    fn party(&self, id: PartyId) -> Result<Option<PartyRow>>;
    /// Queued work items of a kind, oldest first.
    fn queued_work(&self, kind: &str, limit: u32) -> Result<Vec<WorkItem>>;
    /// Stores what providers returned, the disclosures made to get it, the
    /// parties' current status, and marks the work items done: one
    /// transaction for the batch.
    fn record_provider_work(&self, done: &[(i64, ProviderResult, Disclosure)]) -> Result<()>;
    fn record_disclosure(&self, d: &Disclosure) -> Result<()>;
    /// Sets the state of work items (e.g. `refused`).
    fn set_work_state(&self, items: &[i64], state: &str) -> Result<()>;
    fn disclosures_for_party(&self, party: PartyId) -> Result<Vec<Disclosure>>;
    fn provider_results_for_party(&self, party: PartyId) -> Result<Vec<ProviderResult>>;

    /// Which of these statement keys are booked already.
    fn known_bank_entries(&self, keys: &[String]) -> Result<std::collections::HashSet<String>>;
    /// Books statement entries and the ledger transfers made from them in
    /// one transaction: all or nothing.
    fn record_statement(&self, entries: &[BankEntry], transfers: &[StoredTransfer]) -> Result<()> {
        // One write path, so the kept balances always follow the postings.
        self.book_ledger(&LedgerBatch {
            entries: entries
                .iter()
                .map(|e| (e.clone(), EntryLinks::default()))
                .collect(),
            transfers: transfers.to_vec(),
            ..LedgerBatch::default()
        })
    }
    /// Every ledger transfer, in the order written.
    fn ledger_transfers(&self) -> Result<Vec<StoredTransfer>>;
    /// Statement credits not matched to a case, oldest first, and how many.
    fn unmatched_entries(&self, limit: u32) -> Result<(u64, Vec<BankEntry>)>;
    /// `case_state` for many cases at once.
    fn case_states(
        &self,
        cases: &[CaseId],
    ) -> Result<std::collections::HashMap<CaseId, (bool, i64, ClientId)>>;
    /// Whether a case exists and is open, and its principal.
    fn case_state(&self, case: CaseId) -> Result<Option<(bool, i64, ClientId)>>;
    /// Open cases whose debtor has this IBAN.
    fn open_cases_by_debtor_iban(&self, iban: &str) -> Result<Vec<CaseId>>;

    /// Every (table, column) of the live schema, for the catalog check.
    fn schema_columns(&self) -> Result<Vec<(String, String)>>;
    /// Row counts of every table, for tests that prove "nothing changed".
    fn table_counts(&self) -> Result<Vec<(String, i64)>>;
}

/// The reason an import's transaction was abandoned: the store failed, or the
/// body refused (bad input), carrying its own error.
#[derive(Debug)]
pub enum ImportAbort {
    Store(StoreError),
    Refused(Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ImportAbort {
    fn from(e: StoreError) -> Self {
        ImportAbort::Store(e)
    }
}

impl From<rusqlite::Error> for ImportAbort {
    fn from(e: rusqlite::Error) -> Self {
        ImportAbort::Store(e.into())
    }
}

impl From<postgres::Error> for ImportAbort {
    fn from(e: postgres::Error) -> Self {
        ImportAbort::Store(e.into())
    }
}

/// Opens (and migrates) the store a URL names:
/// `sqlite://PATH`, `sqlite::memory:` or `postgres://USER@HOST/DB[?schema=NAME]`.
pub fn open(url: &str) -> Result<Arc<dyn Store>> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let store = if path == ":memory:" || path.is_empty() {
            sqlite::SqliteStore::open_in_memory()?
        } else {
            sqlite::SqliteStore::open(path)?
        };
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(pg::PgStore::open(url)?))
    } else {
        Err(StoreError::Url(url.to_owned()))
    }
}

/// Like [`open`], for a fresh SQLite file: removes an existing one first.
pub fn create_fresh_sqlite(path: &std::path::Path) -> Result<Arc<dyn Store>> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Arc::new(sqlite::SqliteStore::open(
        &path.to_string_lossy(),
    )?))
}
