//! The personal-data catalog: every column of every table, classified once.
//!
//! A column is either not personal, or personal with a data category and the
//! purposes it serves (ids from the policy file). Each table says how its rows
//! lead to their data subject. Access requests, erasure, retention,
//! disclosures and the audit log work generically over this catalog, so a
//! column missing here would be a column those promises silently skip: the
//! contract tests compare it with the live schema of both engines.

use std::collections::BTreeSet;
use std::fmt;

/// How a row of a table leads to the data subject(s) it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The table holds no personal data.
    None,
    /// The row is a party (person or organisation): the subject itself.
    Party,
    /// The row belongs to the party whose id is in this column.
    PartyColumn(&'static str),
    /// The row belongs to every party of the case in this column: its
    /// debtor (`cases.debtor_party_id`) and the parties in `case_parties`
    /// (debt data is about the debtor, co-debtor and guarantor alike).
    CaseParties(&'static str),
    /// The column names a staff member or system job (logs).
    Staff(&'static str),
    /// The ledger account named in this column carries the case its money
    /// belongs to (`case_principal:17`): the case's parties.
    CaseInAccount(&'static str),
    /// The ledger transfer in this column is filed under the case it posts
    /// to (`ledger_transfers.case_id`; a transfer is about one case at
    /// most): the case's parties, for the postings to the case's own
    /// accounts. Found through the transfer, so the postings need no index
    /// on account names, which every payment would write at random.
    CaseTransfer(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    NotPersonal,
    Personal {
        /// A data category id from the policy, e.g. `identity`.
        category: &'static str,
        /// Purpose ids from the policy this column is processed for. Where a
        /// client's mandate makes the agency a processor (R1), the purpose of
        /// its records is `receivables_management` instead of `collection`.
        purposes: &'static [&'static str],
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub class: Class,
    /// Whose data this column is when it is not the table's subject: a
    /// log column naming the staff member who acted.
    pub subject: Option<Subject>,
    /// Free text: may hold anything, names included, whatever its category,
    /// so erasure never keeps it as an anonymous aggregate.
    pub free_text: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub subject: Subject,
    pub columns: &'static [Column],
}

const fn plain(name: &'static str) -> Column {
    Column {
        name,
        class: Class::NotPersonal,
        subject: None,
        free_text: false,
    }
}

const fn personal(
    name: &'static str,
    category: &'static str,
    purposes: &'static [&'static str],
) -> Column {
    Column {
        name,
        class: Class::Personal { category, purposes },
        subject: None,
        free_text: false,
    }
}

/// A personal column of free text (notes, remittance information).
const fn text(
    name: &'static str,
    category: &'static str,
    purposes: &'static [&'static str],
) -> Column {
    Column {
        free_text: true,
        ..personal(name, category, purposes)
    }
}

/// A column naming the staff member or job that acted: staff data, kept
/// for accountability, in a table about someone else.
const fn staff(name: &'static str) -> Column {
    Column {
        name,
        class: Class::Personal {
            category: "staff_identity",
            purposes: LOG,
        },
        subject: Some(Subject::Staff(name)),
        free_text: false,
    }
}

/// Purposes of case data: collection as controller, or receivables
/// management as the client's processor, by the client's mandate.
const CASE: &[&str] = &["collection", "receivables_management"];
/// Payments: collection, and the accounts the agency must keep (R21).
const PAY: &[&str] = &["collection", "receivables_management", "accounting"];
/// Logs of who did what: accountability and security (R28).
const LOG: &[&str] = &["accountability"];
/// Rights requests: answered for the case's purpose, kept for accountability.
const RIGHTS: &[&str] = &["collection", "receivables_management", "accountability"];
/// Health and criminal-record data: legal claims (art. 9(2)(f), 10) and,
/// for criminal-record data, the AML checks the Wwft requires (art. 10).
const HEALTH: &[&str] = &["legal_claims"];
const CRIMINAL: &[&str] = &["legal_claims", "aml"];
/// Legal holds: data kept to establish, exercise or defend a claim (R22).
const LEGAL: &[&str] = &["legal_claims"];

/// The columns of a special-category table (R10): every column is of
/// that category, the basis and the named claim included.
const fn special_columns(
    category: &'static str,
    purposes: &'static [&'static str],
) -> [Column; 10] {
    [
        plain("id"),
        plain("party_id"),
        plain("case_id"),
        personal("basis", category, purposes),
        text("legal_claim", category, purposes),
        text("consent_ref", category, purposes),
        personal("purpose", category, purposes),
        text("content", category, purposes),
        personal("recorded_on", category, purposes),
        staff("recorded_by"),
    ]
}
static HEALTH_COLUMNS: [Column; 10] = special_columns("health", HEALTH);
static CRIMINAL_COLUMNS: [Column; 10] = special_columns("criminal", CRIMINAL);

pub static CATALOG: &[Table] = &[
    Table {
        name: "schema_migrations",
        subject: Subject::None,
        columns: &[plain("version"), plain("applied_at")],
    },
    Table {
        // Clients are organisations; their privacy contact is a function
        // address printed on invoices, not a person's.
        name: "clients",
        subject: Subject::None,
        columns: &[
            plain("id"),
            plain("ref"),
            plain("name"),
            plain("role"),
            plain("privacy_contact"),
            plain("created_at"),
            plain("legal_action_allowed"),
            plain("legal_action_min_cents"),
            plain("review_all_legal_steps"),
            plain("costs_fixed_cents"),
            plain("costs_percent_bps"),
            plain("vat_not_deductible"),
            // When the mandate ended: the trigger of a processor's retention.
            plain("mandate_ended_on"),
        ],
    },
    Table {
        // A client's column mapping for claim files: headers, no personal data.
        name: "client_mappings",
        subject: Subject::None,
        columns: &[plain("client_id"), plain("mapping"), plain("saved_on")],
    },
    Table {
        // A client's mandate over time (R1), with who recorded it.
        name: "client_mandates",
        subject: Subject::Staff("recorded_by"),
        columns: &[
            plain("id"),
            plain("client_id"),
            plain("role"),
            plain("effective_from"),
            plain("recorded_on"),
            personal("recorded_by", "staff_identity", LOG),
        ],
    },
    Table {
        name: "parties",
        subject: Subject::Party,
        columns: &[
            plain("id"),
            plain("client_id"),
            plain("kind"),
            personal("debtor_ref", "identity", CASE),
            personal("debtor_key", "pseudonymous_key", CASE),
            personal("name", "identity", CASE),
            personal("birth_date", "identity", CASE),
            personal("kvk_number", "business_identity", CASE),
            personal("email", "contact", CASE),
            personal("phone", "contact", CASE),
            personal("iban", "bank_account", CASE),
            personal("street", "contact", CASE),
            personal("postcode", "contact", CASE),
            personal("city", "contact", CASE),
            personal("country", "contact", CASE),
            personal("address_valid_from", "contact", CASE),
            personal("address_status", "contact", CASE),
            personal("credit_band", "financial_situation", CASE),
            plain("import_id"),
            plain("import_line"),
        ],
    },
    Table {
        name: "cases",
        subject: Subject::CaseParties("id"),
        columns: &[
            plain("id"),
            personal("number", "debt", CASE),
            plain("client_id"),
            plain("debtor_party_id"),
            personal("debtor_type", "debt", CASE),
            personal("status", "case_history", CASE),
            personal("opened_on", "case_history", CASE),
            personal("closed_on", "case_history", CASE),
            personal("first_due_on", "debt", CASE),
            personal("strategy_id", "case_history", CASE),
            personal("strategy_version", "case_history", CASE),
            personal("strategy_variant", "case_history", CASE),
            personal("steps_taken", "case_history", CASE),
            personal("last_step", "case_history", CASE),
            personal("last_step_on", "case_history", CASE),
            personal("demand_letter_sent_on", "case_history", CASE),
            personal("judgment_on", "case_history", CASE),
            personal("last_demand_on", "case_history", CASE),
            personal("costs_demanded_on", "case_history", CASE),
            personal("principal_cents", "debt", CASE),
            plain("import_id"),
        ],
    },
    Table {
        name: "case_parties",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("case_id"),
            plain("party_id"),
            personal("role", "debt", CASE),
        ],
    },
    Table {
        name: "claims",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("case_id"),
            plain("client_id"),
            personal("invoice_number", "debt", CASE),
            personal("invoice_date", "debt", CASE),
            personal("due_date", "debt", CASE),
            personal("principal_cents", "debt", CASE),
            text("description", "debt", CASE),
            text("agreement_ref", "debt", CASE),
            personal("consumer_sale", "debt", CASE),
            personal("fingerprint", "pseudonymous_key", CASE),
            plain("import_id"),
            plain("import_line"),
        ],
    },
    Table {
        name: "imports",
        subject: Subject::Staff("actor"),
        columns: &[
            plain("id"),
            plain("client_id"),
            plain("source"),
            plain("lines"),
            plain("claims_added"),
            plain("claims_known"),
            plain("cases_added"),
            personal("actor", "staff_identity", LOG),
            plain("created_at"),
        ],
    },
    Table {
        name: "strategies",
        subject: Subject::None,
        columns: &[
            plain("id"),
            plain("version"),
            plain("definition"),
            plain("created_at"),
        ],
    },
    Table {
        name: "holds",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("case_id"),
            personal("kind", "case_history", CASE),
            text("reason", "case_history", CASE),
            personal("placed_on", "case_history", CASE),
            personal("lifted_on", "case_history", CASE),
            staff("placed_by"),
        ],
    },
    Table {
        // An automated decision with the data it used (GDPR art. 22, R39).
        name: "decisions",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("case_id"),
            personal("run_date", "case_history", CASE),
            personal("strategy_id", "case_history", CASE),
            personal("strategy_version", "case_history", CASE),
            personal("rule", "case_history", CASE),
            personal("action", "case_history", CASE),
            personal("inputs", "financial_situation", CASE),
            personal("needs_review", "case_history", CASE),
            personal("review_state", "case_history", CASE),
            staff("reviewed_by"),
            plain("reviewed_at"),
        ],
    },
    Table {
        name: "work_items",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("decision_id"),
            plain("case_id"),
            personal("kind", "case_history", CASE),
            personal("due_at", "case_history", CASE),
            personal("state", "case_history", CASE),
        ],
    },
    Table {
        name: "daily_run_chunks",
        subject: Subject::None,
        columns: &[
            plain("run_date"),
            plain("first_case_id"),
            plain("last_case_id"),
            plain("state"),
            plain("cases_seen"),
            plain("held"),
            plain("errors"),
        ],
    },
    Table {
        // Why the daily run could not decide a case on a day (a missing
        // rate, a refused statement): technical reasons, no personal data;
        // the row names the case, so it goes with the case's parties.
        name: "daily_run_errors",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("run_date"),
            plain("case_id"),
            personal("message", "case_history", CASE),
        ],
    },
    Table {
        // What an address or credit provider returned (R5, R8), with its
        // source and date (GDPR art. 14).
        name: "provider_results",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            plain("party_id"),
            personal("kind", "financial_situation", CASE),
            personal("result", "financial_situation", CASE),
            personal("provider", "financial_situation", CASE),
            personal("obtained_on", "financial_situation", CASE),
        ],
    },
    Table {
        // That a person's data went to a recipient (R23 to R25).
        name: "disclosures",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            plain("party_id"),
            personal("recipient", "case_history", CASE),
            personal("categories", "case_history", CASE),
            personal("purpose", "case_history", CASE),
            personal("legal_basis", "case_history", CASE),
            personal("country", "case_history", CASE),
            personal("safeguard", "case_history", CASE),
            personal("outcome", "case_history", CASE),
            personal("reason", "case_history", CASE),
            personal("disclosed_on", "case_history", CASE),
            staff("actor"),
            plain("recipient_id"),
            personal("recipient_name", "case_history", CASE),
            personal("safeguard_ref", "case_history", CASE),
        ],
    },
    Table {
        // The register of actual recipients (R23 to R25). Recipients are
        // organisations; only an art. 49(1)(e) entry concerns a person:
        // the claim (case) its derogation is limited to.
        name: "recipients",
        subject: Subject::CaseParties("claim_case_id"),
        columns: &[
            plain("id"),
            plain("name"),
            plain("category"),
            plain("country"),
            plain("safeguard"),
            plain("safeguard_on"),
            plain("safeguard_ref"),
            plain("claim_case_id"),
            text("legal_claim", "case_history", LEGAL),
            plain("recorded_at"),
            staff("recorded_by"),
        ],
    },
    Table {
        name: "ledger_transfers",
        subject: Subject::None,
        columns: &[
            plain("id"),
            plain("key"),
            plain("kind"),
            plain("source_kind"),
            plain("source_ref"),
            plain("reverses"),
            plain("parent"),
            plain("booked_on"),
            plain("case_id"),
        ],
    },
    Table {
        name: "ledger_postings",
        subject: Subject::CaseTransfer("transfer_id"),
        columns: &[
            plain("transfer_id"),
            plain("seq"),
            plain("account"),
            personal("amount_cents", "payment", PAY),
        ],
    },
    Table {
        // A payment received: the payer is usually the debtor.
        name: "bank_entries",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("key"),
            plain("source"),
            plain("account"),
            personal("booked_on", "payment", PAY),
            personal("amount_cents", "payment", PAY),
            personal("counterparty_name", "identity", PAY),
            personal("counterparty_iban", "bank_account", PAY),
            text("remittance", "payment", PAY),
            personal("structured_ref", "payment", PAY),
            personal("match_state", "payment", PAY),
            plain("case_id"),
            personal("confidence", "payment", PAY),
            text("reason", "payment", PAY),
            personal("end_to_end_id", "payment", PAY),
            personal("return_reason", "payment", PAY),
            plain("reverses_entry"),
        ],
    },
    Table {
        // Kept balances of the ledger's accounts (a case's accounts name it).
        name: "ledger_balances",
        subject: Subject::CaseInAccount("account"),
        columns: &[plain("account"), personal("balance_cents", "payment", PAY)],
    },
    Table {
        // The claim a debtor designated a payment to (art. 6:43(1) BW), per
        // allocation: how the debtor's payment was applied, payment data of
        // the case's parties like the postings it explains.
        name: "payment_designations",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("allocation_key"),
            plain("case_id"),
            personal("claim_id", "payment", PAY),
        ],
    },
    Table {
        // Who assigned or refunded unmatched money, and to which case.
        name: "payment_assignments",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("entry_key"),
            plain("kind"),
            plain("case_id"),
            personal("amount_cents", "payment", PAY),
            staff("actor"),
            plain("at"),
        ],
    },
    Table {
        // What a client (an organisation) agreed about collected money. The
        // payout account is the creditor's business account, like its name
        // in `clients`: business data of the client, not of a data subject.
        name: "client_agreements",
        subject: Subject::None,
        columns: &[
            plain("id"),
            plain("client_id"),
            plain("effective_from"),
            plain("commission_bps"),
            plain("commission_rounding"),
            plain("costs_to"),
            plain("interest_to"),
            plain("payout_frequency"),
            plain("payout_min_cents"),
            plain("payout_iban"),
            plain("payout_bic"),
            plain("payout_name"),
            plain("created_at"),
        ],
    },
    Table {
        // A payout to a client: totals per client and period only; what was
        // collected from whom stays in the ledger (`ledger_postings`).
        name: "remittances",
        subject: Subject::None,
        columns: &[
            plain("id"),
            plain("client_id"),
            plain("period"),
            plain("run_date"),
            plain("batch"),
            plain("end_to_end_id"),
            plain("amount_cents"),
            plain("commission_cents"),
            plain("agency_kept_cents"),
            plain("payout_iban"),
            plain("payout_bic"),
            plain("payout_name"),
            plain("created_at"),
        ],
    },
    Table {
        // Which ledger transfers a remittance paid out, by key (as
        // `ledger_transfers.key`, which names no person).
        name: "remittance_lines",
        subject: Subject::None,
        columns: &[plain("remittance_id"), plain("transfer_key")],
    },
    Table {
        // A refund payment file; who was paid is in the ledger and
        // `bank_entries`.
        name: "refund_batches",
        subject: Subject::None,
        columns: &[plain("batch"), plain("run_date"), plain("created_at")],
    },
    Table {
        name: "interest_rate_lines",
        subject: Subject::Staff("actor"),
        columns: &[
            plain("id"),
            plain("kind"),
            plain("line"),
            personal("actor", "staff_identity", LOG),
            plain("added_at"),
        ],
    },
    Table {
        // A client's acceptance rules for payment arrangements.
        name: "arrangement_rules",
        subject: Subject::None,
        columns: &[
            plain("client_id"),
            plain("min_instalment_cents"),
            plain("max_term_months"),
            plain("grace_days"),
            plain("prenotification_days"),
        ],
    },
    Table {
        // A payment arrangement (betalingsregeling, R4): what the debtor
        // proposed and how it was decided.
        name: "arrangements",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("case_id"),
            personal("status", "payment", PAY),
            personal("frequency", "payment", PAY),
            personal("instalments", "payment", PAY),
            personal("instalment_cents", "payment", PAY),
            personal("first_due_on", "payment", PAY),
            personal("total_cents", "debt", PAY),
            personal("receipts_before_cents", "payment", PAY),
            personal("decided_on", "case_history", CASE),
            plain("rules"),
            personal("reason", "financial_situation", CASE),
            personal("ended_on", "case_history", CASE),
            staff("created_by"),
        ],
    },
    Table {
        name: "instalments",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("arrangement_id"),
            plain("case_id"),
            plain("seq"),
            personal("due_on", "payment", PAY),
            personal("amount_cents", "payment", PAY),
            personal("state", "payment", PAY),
            personal("reminded_on", "case_history", CASE),
            personal("retry_on", "payment", PAY),
            personal("reopened_on", "payment", PAY),
            personal("dd_attempts", "payment", PAY),
        ],
    },
    Table {
        // A SEPA direct-debit mandate the debtor signed.
        name: "mandates",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            personal("reference", "bank_account", PAY),
            plain("case_id"),
            plain("arrangement_id"),
            personal("debtor_name", "identity", PAY),
            personal("debtor_iban", "bank_account", PAY),
            personal("signed_on", "bank_account", PAY),
            personal("status", "payment", PAY),
            personal("stopped_on", "payment", PAY),
            personal("stop_reason", "payment", PAY),
            staff("created_by"),
        ],
    },
    Table {
        // What changed in a mandate (old and new reference, IBAN or name).
        name: "mandate_amendments",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("mandate_id"),
            plain("case_id"),
            personal("amended_on", "bank_account", PAY),
            plain("field"),
            personal("old_value", "bank_account", PAY),
            personal("new_value", "bank_account", PAY),
            plain("reported_in"),
            staff("amended_by"),
        ],
    },
    Table {
        // A direct-debit file's header: the agency as creditor, and who
        // wrote it.
        name: "dd_batches",
        subject: Subject::Staff("created_by"),
        columns: &[
            plain("collection_date"),
            plain("message_id"),
            plain("created_at"),
            plain("creditor_name"),
            plain("creditor_iban"),
            plain("creditor_bic"),
            plain("creditor_id"),
            staff("created_by"),
        ],
    },
    Table {
        // One collection as sent to the bank (kept to write the same file
        // again and to handle its return).
        name: "dd_collections",
        subject: Subject::CaseParties("case_id"),
        columns: &[
            plain("id"),
            plain("collection_date"),
            plain("instalment_id"),
            plain("mandate_id"),
            plain("case_id"),
            plain("end_to_end_id"),
            personal("sequence_type", "payment", PAY),
            personal("amount_cents", "payment", PAY),
            personal("mandate_ref", "bank_account", PAY),
            personal("signed_on", "bank_account", PAY),
            personal("debtor_name", "identity", PAY),
            personal("debtor_iban", "bank_account", PAY),
            plain("remittance_ref"),
            personal("original_mandate_ref", "bank_account", PAY),
            personal("original_debtor_iban", "bank_account", PAY),
            personal("debtor_bank_changed", "bank_account", PAY),
            personal("state", "payment", PAY),
            personal("return_reason", "payment", PAY),
            personal("returned_on", "payment", PAY),
        ],
    },
    Table {
        // The erasure journal: which fields were erased, when and by which
        // rule; never the values.
        name: "erasure_batches",
        subject: Subject::Staff("actor"),
        columns: &[
            plain("id"),
            plain("cause"),
            plain("reference"),
            plain("rule"),
            plain("as_of"),
            staff("actor"),
            plain("recorded_at"),
        ],
    },
    Table {
        name: "erasure_fields",
        subject: Subject::None,
        columns: &[
            plain("batch_id"),
            plain("table_name"),
            plain("column_name"),
            plain("category"),
            plain("scope"),
            plain("date_column"),
            plain("before"),
            plain("rows"),
            plain("keep_purpose"),
        ],
    },
    Table {
        // Ids only: that a subject's data was erased, not what it was.
        name: "erasure_subjects",
        subject: Subject::None,
        columns: &[plain("batch_id"), plain("party_id"), plain("case_id")],
    },
    Table {
        name: "retention_chunks",
        subject: Subject::None,
        columns: &[
            plain("as_of"),
            plain("first_case_id"),
            plain("last_case_id"),
            plain("state"),
            plain("batch_id"),
        ],
    },
    Table {
        // A legal hold (R22) on a party or one of its cases.
        name: "legal_holds",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            plain("party_id"),
            plain("case_id"),
            text("reason", "case_history", LEGAL),
            staff("owner"),
            personal("placed_on", "case_history", LEGAL),
            personal("lifted_on", "case_history", LEGAL),
            staff("lifted_by"),
        ],
    },
    Table {
        name: "health_records",
        subject: Subject::PartyColumn("party_id"),
        columns: &HEALTH_COLUMNS,
    },
    Table {
        name: "criminal_records",
        subject: Subject::PartyColumn("party_id"),
        columns: &CRIMINAL_COLUMNS,
    },
    Table {
        // Who read special-category data (or was refused); never the data.
        name: "special_data_reads",
        subject: Subject::Staff("actor"),
        columns: &[
            plain("id"),
            plain("party_id"),
            plain("category"),
            plain("records"),
            staff("actor"),
            personal("role", "staff_identity", LOG),
            personal("purpose", "staff_identity", LOG),
            plain("outcome"),
            plain("reason"),
            plain("read_at"),
        ],
    },
    Table {
        // A queued notice of a changed privacy statement (R42).
        name: "statement_notices",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("version"),
            plain("party_id"),
            personal("queued_at", "case_history", CASE),
            personal("state", "case_history", CASE),
        ],
    },
    Table {
        // Stores only counts, never the request or personal data.
        name: "idempotency_keys",
        subject: Subject::None,
        columns: &[
            plain("key"),
            plain("scope"),
            plain("request_hash"),
            plain("status"),
            plain("response"),
            plain("created_at"),
        ],
    },
    Table {
        // A data subject's request (GDPR art. 15 to 22): kept to show the
        // request was answered in time (art. 5(2), 12(3)).
        name: "rights_requests",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            personal("kind", "case_history", RIGHTS),
            plain("party_id"),
            personal("channel", "case_history", RIGHTS),
            personal("received_at", "case_history", RIGHTS),
            personal("deadline_on", "case_history", RIGHTS),
            text("extension_reason", "case_history", RIGHTS),
            personal("verification", "case_history", RIGHTS),
            personal("verification_method", "case_history", RIGHTS),
            staff("verified_by"),
            plain("verified_at"),
            personal("status", "case_history", RIGHTS),
            text("params", "case_history", RIGHTS),
            text("outcome", "case_history", RIGHTS),
            staff("created_by"),
        ],
    },
    Table {
        name: "rights_request_steps",
        subject: Subject::Staff("actor"),
        columns: &[
            plain("id"),
            plain("request_id"),
            plain("step"),
            personal("actor", "staff_identity", LOG),
            plain("at"),
            plain("detail"),
        ],
    },
    Table {
        // Art. 19 notices to recipients, and notices to the person.
        name: "rights_notifications",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            plain("request_id"),
            plain("party_id"),
            personal("kind", "case_history", RIGHTS),
            personal("recipient", "case_history", RIGHTS),
            personal("categories", "case_history", RIGHTS),
            text("detail", "case_history", RIGHTS),
            personal("state", "case_history", RIGHTS),
            personal("created_at", "case_history", RIGHTS),
            personal("sent_at", "case_history", RIGHTS),
            personal("acknowledged_at", "case_history", RIGHTS),
        ],
    },
    Table {
        // Restriction, objection, no direct marketing, consent withdrawn:
        // every processing path asks these before it acts.
        name: "subject_flags",
        subject: Subject::PartyColumn("party_id"),
        columns: &[
            plain("id"),
            plain("party_id"),
            personal("flag", "case_history", RIGHTS),
            personal("set_on", "case_history", RIGHTS),
            plain("request_id"),
            personal("lifted_on", "case_history", RIGHTS),
            text("lift_reason", "case_history", RIGHTS),
        ],
    },
];

pub fn table(name: &str) -> Option<&'static Table> {
    CATALOG.iter().find(|t| t.name == name)
}

/// A difference between the catalog and a live schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mismatch {
    /// A live column the catalog does not classify.
    Unclassified { table: String, column: String },
    /// A catalog entry for a column the live schema does not have.
    Missing { table: String, column: String },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Unclassified { table, column } => write!(
                f,
                "column {table}.{column} is not in the personal-data catalog (crates/store/src/catalog.rs): classify it"
            ),
            Mismatch::Missing { table, column } => write!(
                f,
                "the catalog classifies {table}.{column}, which the database does not have"
            ),
        }
    }
}

/// Compares the catalog with the live schema's (table, column) pairs.
pub fn check(live: &[(String, String)]) -> Result<(), Vec<Mismatch>> {
    let live: BTreeSet<(&str, &str)> = live.iter().map(|(t, c)| (t.as_str(), c.as_str())).collect();
    let declared: BTreeSet<(&str, &str)> = CATALOG
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (t.name, c.name)))
        .collect();
    let mut out: Vec<Mismatch> = live
        .difference(&declared)
        .map(|(t, c)| Mismatch::Unclassified {
            table: (*t).to_owned(),
            column: (*c).to_owned(),
        })
        .chain(declared.difference(&live).map(|(t, c)| Mismatch::Missing {
            table: (*t).to_owned(),
            column: (*c).to_owned(),
        }))
        .collect();
    out.sort();
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Every (category, purpose) the catalog uses, for checking against the
/// policy file.
pub fn categories_and_purposes() -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let mut categories = BTreeSet::new();
    let mut purposes = BTreeSet::new();
    for t in CATALOG {
        for c in t.columns {
            if let Class::Personal {
                category,
                purposes: ps,
            } = c.class
            {
                categories.insert(category);
                purposes.extend(ps.iter().copied());
            }
        }
    }
    (categories, purposes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_links_name_real_columns() {
        for t in CATALOG {
            let linked = match t.subject {
                Subject::None | Subject::Party => continue,
                Subject::PartyColumn(c)
                | Subject::CaseParties(c)
                | Subject::Staff(c)
                | Subject::CaseInAccount(c)
                | Subject::CaseTransfer(c) => c,
            };
            assert!(
                t.columns.iter().any(|c| c.name == linked),
                "{}: subject column {linked} is not a column of the table",
                t.name
            );
        }
    }

    #[test]
    fn a_table_without_subject_holds_nothing_personal() {
        for t in CATALOG.iter().filter(|t| t.subject == Subject::None) {
            assert!(
                t.columns.iter().all(|c| c.class == Class::NotPersonal),
                "{} has personal columns but no subject link",
                t.name
            );
        }
    }

    #[test]
    fn check_reports_both_directions() {
        let mut live: Vec<(String, String)> = CATALOG
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(|c| (t.name.to_owned(), c.name.to_owned()))
            })
            .collect();
        assert_eq!(check(&live), Ok(()));
        live.retain(|(t, c)| !(t == "parties" && c == "email"));
        live.push(("parties".into(), "nickname".into()));
        let errs = check(&live).unwrap_err();
        assert_eq!(
            errs,
            vec![
                Mismatch::Unclassified {
                    table: "parties".into(),
                    column: "nickname".into()
                },
                Mismatch::Missing {
                    table: "parties".into(),
                    column: "email".into()
                },
            ]
        );
        assert!(errs[0].to_string().contains("parties.nickname"));
    }
}
