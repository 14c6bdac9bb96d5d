//! Storage for data subjects' rights (GDPR art. 15 to 22): requests, their
//! steps (each exactly once), notifications, per-subject flags, and the
//! generic extract of everything the catalog links to one party.

use jiff::Timestamp;
use jiff::civil::Date;
use kwijting_domain::{CaseId, ClientId, PartyId};

use crate::Result;
use crate::catalog::{CATALOG, Class, Subject, Table};

/// A new request as received.
#[derive(Debug, Clone)]
pub struct NewRightsRequest {
    pub kind: String,
    pub party: PartyId,
    pub channel: String,
    pub received_at: Timestamp,
    pub deadline_on: Date,
    /// `Some((method, by))` when identity was verified at intake.
    pub verified: Option<(String, String)>,
    pub params: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsRequestRow {
    pub id: i64,
    pub kind: String,
    pub party: PartyId,
    pub channel: String,
    pub received_at: Timestamp,
    pub deadline_on: Date,
    pub extension_reason: Option<String>,
    pub verified: bool,
    pub verification_method: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<Timestamp>,
    pub status: String,
    pub params: String,
    pub outcome: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsStepRow {
    pub step: String,
    pub actor: String,
    pub at: Timestamp,
    pub detail: String,
}

/// What a step changes on its request; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct RequestUpdate {
    pub status: Option<String>,
    pub outcome: Option<String>,
    /// (method, by, at)
    pub verified: Option<(String, String, Timestamp)>,
    /// (new deadline, reason)
    pub extension: Option<(Date, String)>,
}

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub request: i64,
    pub party: PartyId,
    pub kind: String,
    pub recipient: String,
    pub categories: String,
    pub detail: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub request: i64,
    pub party: PartyId,
    pub kind: String,
    pub recipient: String,
    pub categories: String,
    pub detail: String,
    pub state: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFlagRow {
    pub flag: String,
    pub set_on: Date,
    pub request: Option<i64>,
    pub lifted_on: Option<Date>,
    pub lift_reason: Option<String>,
}

/// A case the subject is a party to, with the subject's role on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectCase {
    pub case: CaseId,
    pub number: String,
    pub client: ClientId,
    /// `debtor`, or the role in `case_parties`.
    pub role: String,
    pub open: bool,
}

/// One stored value, as the extract shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// The rows of one table that belong to the subject.
#[derive(Debug, Clone)]
pub struct TableRows {
    pub table: &'static str,
    /// The columns shown, in catalog order.
    pub columns: Vec<&'static str>,
    pub rows: Vec<ExtractRow>,
}

#[derive(Debug, Clone)]
pub struct ExtractRow {
    pub values: Vec<Value>,
    /// The case the row reaches the subject through, for tables about a
    /// case's parties.
    pub case: Option<CaseId>,
    /// Where the row came from (GDPR art. 14): import and line.
    pub import: Option<(i64, Option<i64>)>,
}

/// An import row: where data came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    pub id: i64,
    pub client_ref: String,
    pub source: String,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct SubjectExtract {
    pub cases: Vec<SubjectCase>,
    pub tables: Vec<TableRows>,
    pub imports: Vec<ImportSource>,
}

/// The ledger accounts that carry a case id (`case_principal:17`); kept
/// equal to `kwijting_ledger::AccountKind` by a test in the service crate.
pub const CASE_ACCOUNT_PREFIXES: &[&str] = &[
    "case_principal",
    "case_interest",
    "case_costs",
    "case_vat",
    "case_entitlement",
];

/// Party columns a rectification may change.
pub const RECTIFIABLE: &[&str] = &[
    "name",
    "birth_date",
    "kvk_number",
    "email",
    "phone",
    "iban",
    "street",
    "postcode",
    "city",
    "country",
];

/// Writes inside one step's transaction.
pub trait RightsTx {
    fn place_hold(
        &mut self,
        case: CaseId,
        kind: &str,
        reason: &str,
        on: Date,
        by: &str,
    ) -> Result<()>;
    /// Lifts the open holds of that kind on the case; returns how many.
    fn lift_holds(&mut self, case: CaseId, kind: &str, on: Date) -> Result<u64>;
    /// Sets one party column (one of [`RECTIFIABLE`]).
    fn update_party(&mut self, party: PartyId, column: &str, value: Option<&str>) -> Result<()>;
    fn add_notification(&mut self, n: &NewNotification) -> Result<i64>;
    /// Sets a flag unless it is set and not lifted.
    fn set_flag(&mut self, party: PartyId, flag: &str, on: Date, request: i64) -> Result<()>;
    fn lift_flag(&mut self, party: PartyId, flag: &str, on: Date, reason: &str) -> Result<u64>;
    fn update_request(&mut self, request: i64, u: &RequestUpdate) -> Result<()>;
}

/// What became of a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRun {
    /// Ran now and committed with its effects.
    Done,
    /// Done before (a resumed pipeline): nothing was changed.
    AlreadyDone,
}

pub type StepBody<'a> = dyn FnMut(&mut dyn RightsTx) -> Result<String> + 'a;

pub trait RightsStore {
    fn insert_rights_request(&self, r: &NewRightsRequest) -> Result<i64>;
    fn rights_request(&self, id: i64) -> Result<Option<RightsRequestRow>>;
    /// Requests, newest first; all of them or those with one status.
    fn rights_requests(&self, status: Option<&str>, limit: u32) -> Result<Vec<RightsRequestRow>>;
    fn rights_steps(&self, request: i64) -> Result<Vec<RightsStepRow>>;
    /// Runs a step exactly once: its row and the effects `body` writes
    /// commit together; a step already recorded runs nothing. An error
    /// from `body` rolls everything back.
    fn rights_step(
        &self,
        request: i64,
        step: &str,
        actor: &str,
        at: Timestamp,
        body: &mut StepBody<'_>,
    ) -> Result<StepRun>;
    fn rights_notifications(&self, state: Option<&str>, limit: u32)
    -> Result<Vec<NotificationRow>>;
    fn rights_notifications_for_request(&self, request: i64) -> Result<Vec<NotificationRow>>;
    /// Moves a notification to `sent` or `acknowledged`; `false` if unknown.
    fn set_notification_state(&self, id: i64, state: &str, at: Timestamp) -> Result<bool>;
    fn subject_flags(&self, party: PartyId) -> Result<Vec<SubjectFlagRow>>;
    /// The flags set and not lifted, of one party.
    fn active_flags(&self, party: PartyId) -> Result<Vec<String>>;
    fn subject_cases(&self, party: PartyId) -> Result<Vec<SubjectCase>>;
    /// The client a party belongs to (parties are per client), `None` for
    /// an unknown party.
    fn party_client(&self, party: PartyId) -> Result<Option<ClientId>>;
    /// Every row the catalog links to the party, read table by table
    /// through indexed subject links.
    fn subject_extract(&self, party: PartyId) -> Result<SubjectExtract>;
    /// (table, column) of every index's first column and primary key, to
    /// check that the subject links are indexed.
    fn leading_index_columns(&self) -> Result<Vec<(String, String)>>;
}

/// How a table's rows are selected for one party, in PostgreSQL parameter
/// style (`$1` = the party id); SQLite callers replace `$` by `?`.
pub(crate) struct ExtractQuery {
    pub table: &'static Table,
    pub columns: Vec<&'static str>,
    pub sql: String,
    /// Selected after the shown columns: the case link, import id, line.
    pub has_case: bool,
    pub has_import: bool,
    pub has_line: bool,
    /// The rows are found by ledger account names ($1 = the names).
    pub by_accounts: bool,
    /// The rows are found by the subject's cases.
    pub by_cases: bool,
}

/// The cases of a party: its own and those it is a party to.
pub(crate) const SUBJECT_CASE_IDS: &str = "SELECT id FROM cases WHERE debtor_party_id = $1 UNION SELECT case_id FROM case_parties WHERE party_id = $1";

/// Columns whose value is the subject's own data: personal, and not
/// naming the staff member who acted.
fn shown(t: &Table) -> Vec<&'static str> {
    t.columns
        .iter()
        .filter(|c| {
            matches!(c.class, Class::Personal { .. })
                && !matches!(c.subject, Some(Subject::Staff(_)))
        })
        .map(|c| c.name)
        .collect()
}

/// The extract queries for every table with a subject link to a party.
/// The engine says how a column is matched against the subject's cases
/// and against their ledger accounts (`{c}` stands for the column).
pub(crate) fn extract_queries(by_cases: &str, by_accounts: &str) -> Vec<ExtractQuery> {
    let mut out = Vec::new();
    for t in CATALOG {
        let columns = shown(t);
        if columns.is_empty() {
            continue;
        }
        let has = |name: &str| t.columns.iter().any(|c| c.name == name);
        let (filter, case_col, by_accounts) = match t.subject {
            Subject::None | Subject::Staff(_) => continue,
            Subject::Party => ("id = $1".to_owned(), None, false),
            Subject::PartyColumn(c) => (format!("{c} = $1"), None, false),
            Subject::CaseParties(c) => (by_cases.replace("{c}", c), Some(c), false),
            Subject::CaseInAccount(c) => (by_accounts.replace("{c}", c), None, true),
            // Every case posting of a transfer is to the one case it is
            // filed under; the other postings are the agency's and clients'.
            Subject::CaseTransfer(c) => (
                format!(
                    "{c} IN (SELECT id FROM ledger_transfers WHERE case_id IS NOT NULL AND {}) \
                     AND account LIKE 'case%'",
                    by_cases.replace("{c}", "case_id")
                ),
                None,
                false,
            ),
        };
        let by_cases = case_col.is_some() || matches!(t.subject, Subject::CaseTransfer(_));
        let mut select: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
        if let Some(c) = case_col {
            select.push(c.to_owned());
        }
        let (has_import, has_line) = (has("import_id"), has("import_line"));
        if has_import {
            select.push("import_id".into());
        }
        if has_line {
            select.push("import_line".into());
        }
        let order = if has("id") { " ORDER BY id" } else { "" };
        out.push(ExtractQuery {
            table: t,
            columns,
            sql: format!(
                "SELECT {} FROM {} WHERE {filter}{order}",
                select.join(", "),
                t.name
            ),
            has_case: case_col.is_some(),
            by_cases,
            has_import,
            has_line,
            by_accounts,
        });
    }
    out
}

impl ExtractQuery {
    /// How many link columns follow the shown ones: case, import, line.
    pub(crate) fn tail(&self) -> usize {
        usize::from(self.has_case) + usize::from(self.has_import) + usize::from(self.has_line)
    }
}

/// Gathers the rows of the extract queries, engine-neutral: each row as
/// its shown values and the link columns after them ([`ExtractQuery::tail`]).
#[derive(Default)]
pub(crate) struct Gather {
    pub tables: Vec<TableRows>,
    pub import_ids: std::collections::BTreeSet<i64>,
}

impl Gather {
    pub(crate) fn table(&mut self, q: ExtractQuery, rows: Vec<(Vec<Value>, Vec<Option<i64>>)>) {
        let mut out = Vec::with_capacity(rows.len());
        for (values, tail) in rows {
            let mut tail = tail.into_iter();
            let case = if q.has_case {
                tail.next().flatten().map(CaseId)
            } else {
                None
            };
            let import = if q.has_import {
                let id = tail.next().flatten();
                let line = if q.has_line {
                    tail.next().flatten()
                } else {
                    None
                };
                id.map(|id| (id, line))
            } else {
                None
            };
            if let Some((id, _)) = import {
                self.import_ids.insert(id);
            }
            out.push(ExtractRow {
                values,
                case,
                import,
            });
        }
        if !out.is_empty() {
            self.tables.push(TableRows {
                table: q.table.name,
                columns: q.columns,
                rows: out,
            });
        }
    }
}

/// The ledger account names of a set of cases.
pub(crate) fn case_accounts(cases: &[SubjectCase]) -> Vec<String> {
    cases
        .iter()
        .flat_map(|c| {
            CASE_ACCOUNT_PREFIXES
                .iter()
                .map(move |p| format!("{p}:{}", c.case.0))
        })
        .collect()
}

pub(crate) const REQUEST_COLUMNS: &str = "id, kind, party_id, channel, received_at, deadline_on, extension_reason, verification, \
     verification_method, verified_by, verified_at, status, params, outcome, created_by";

pub(crate) const NOTIFICATION_COLUMNS: &str = "id, request_id, party_id, kind, recipient, categories, detail, state, created_at, sent_at, acknowledged_at";

pub(crate) const SUBJECT_CASES_SQL: &str = "SELECT c.id, c.number, c.client_id, 'debtor', c.status FROM cases c WHERE c.debtor_party_id = $1 \
     UNION ALL SELECT c.id, c.number, c.client_id, cp.role, c.status FROM case_parties cp JOIN cases c ON c.id = cp.case_id WHERE cp.party_id = $1 \
     ORDER BY 1, 4";

/// Checks a column name against [`RECTIFIABLE`] before it is put in SQL.
pub(crate) fn rectifiable(column: &str) -> Result<&'static str> {
    RECTIFIABLE
        .iter()
        .find(|c| **c == column)
        .copied()
        .ok_or_else(|| crate::StoreError::Invariant(format!("{column} cannot be rectified")))
}
