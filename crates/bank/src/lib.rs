//! Bank formats for Kwijting, both directions:
//!
//! - statements in: camt.052/053/054 ([`parse_camt`]) and MT940
//!   ([`parse_mt940`]) into one normalized [`Statement`] model;
//! - payments out: SEPA direct debits (pain.008, [`write_pain008`]) and
//!   credit transfers (pain.001, [`write_pain001`]);
//! - SEPA direct-debit return reasons and their consequence
//!   ([`ReturnReason`]).
//!
//! Invariant: pure. No I/O, no clock (creation times are passed in), no
//! database, no floating point: amounts are [`Money`](kwijting_domain::Money)
//! in integer cents, parsed exactly.

mod amount;
mod camt;
mod error;
mod model;
mod mt940;
mod pain;
mod returns;
mod sepa;
mod synth;
mod textref;
mod xml;

pub use camt::{TRANSACTIONS_PER_ENTRY_MAX, parse_camt};
pub use error::BankError;
pub use model::{
    AccountId, Balance, BankTxCode, CamtMessage, CreditDebit, Entry, EntryStatus, IsoTxCode,
    RefIssuer, Statement, StatementFormat, StructuredRef, Transaction,
};
pub use mt940::parse_mt940;
pub use pain::{
    Account, CreditTransfer, CreditTransferBatch, DirectDebit, DirectDebitBatch, LocalInstrument,
    Mandate, MandateAmendment, PAYMENT_AMOUNT_MAX, PAYMENTS_PER_FILE_MAX, Pain001Version,
    Pain008Version, Party, PostalAddress, Remittance, SequenceType, write_pain001, write_pain008,
    write_pain008_file,
};
pub use returns::{ReturnConsequence, ReturnReason};
pub use sepa::{Bic, CreditorId, EndToEndId, MandateId, MessageId, SepaIdError, to_sepa_text};
pub use synth::{SyntheticCredit, camt053, generate_camt053, scan_xml};

/// Most entries one statement may hold (a limit on everything; the issue's
/// benchmark file has 100,000).
pub const ENTRIES_PER_STATEMENT_MAX: usize = 1_000_000;
