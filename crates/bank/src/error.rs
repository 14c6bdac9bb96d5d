//! One error type for the crate. Every refusal names the file (the `source`
//! name the caller passed in), the statement and the entry, line or element.

use kwijting_domain::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankError {
    /// The file as a whole cannot be read in the format: not well-formed XML,
    /// an unknown message, a file without any statement.
    #[error("{file}: {problem}")]
    File { file: String, problem: String },

    /// A statement, or an entry, line or element in it, is wrong.
    #[error("{file}, statement {statement}, {location}: {problem}")]
    Statement {
        file: String,
        statement: String,
        location: String,
        problem: String,
    },

    /// Opening balance + credits - debits is not the closing balance.
    #[error(
        "{file}, statement {statement}: does not reconcile: opening balance {opening} + credits \
         {credits} - debits {debits} = {expected}, but the closing balance is {closing}"
    )]
    Unreconciled {
        file: String,
        statement: String,
        opening: Money,
        credits: Money,
        debits: Money,
        expected: Money,
        closing: Money,
    },

    /// A payment file cannot be written from the instructions given.
    #[error("payment file {message_id}: {location}: {problem}")]
    Payment {
        message_id: String,
        location: String,
        problem: String,
    },
}

/// Where a statement-level problem is, for [`BankError::Statement`].
#[derive(Debug, Clone)]
pub(crate) struct StmtCtx<'a> {
    pub file: &'a str,
    pub statement: String,
}

impl StmtCtx<'_> {
    pub(crate) fn err(&self, location: impl Into<String>, problem: impl Into<String>) -> BankError {
        BankError::Statement {
            file: self.file.to_owned(),
            statement: self.statement.clone(),
            location: location.into(),
            problem: problem.into(),
        }
    }
}

pub(crate) fn file_err(file: &str, problem: impl Into<String>) -> BankError {
    BankError::File {
        file: file.to_owned(),
        problem: problem.into(),
    }
}
