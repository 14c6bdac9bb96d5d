//! SEPA direct-debit return reasons (R-transactions) and what a payment plan
//! does about each (sepa.md; EPC guidance on SDD R-transaction reason codes).

/// A reason code from `RtrInf/Rsn/Cd` or MT940 `/RTRN/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReturnReason {
    /// MD06: refund requested by the debtor (up to 8 weeks after the debit).
    RefundRequest,
    /// AM04: insufficient funds.
    InsufficientFunds,
    /// MS02: refused by the debtor, reason not given.
    RefusedByDebtor,
    /// MS03: reason not specified (debtor bank).
    NotSpecified,
    /// AC04: account closed.
    AccountClosed,
    /// AC06: account blocked, or blocked for direct debits by the debtor.
    AccountBlocked,
    /// MD01: no (valid) mandate, or an unauthorised transaction.
    NoMandate,
    /// MD07: debtor deceased.
    DebtorDeceased,
    /// AC01: account identifier incorrect.
    IncorrectAccount,
    /// AC13: debtor account is a consumer account (B2B scheme).
    ConsumerAccount,
    /// AG01: direct debits forbidden on this account.
    TransactionForbidden,
    /// MD02: mandate data missing or incorrect.
    MandateDataIncorrect,
    /// SL01: specific service offered by the debtor bank (debtor's
    /// blacklist, amount or frequency limit).
    DebtorBankService,
    /// AM05: duplicate collection.
    Duplicate,
    /// Any other code, kept as given.
    Other(String),
}

/// What a payment plan does after a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnConsequence {
    /// The instalment counts as unpaid again; the mandate stays usable.
    ReopenInstalment,
    /// The money was not there or the debit was refused: collect again at
    /// the next date, or escalate after repeated failures.
    Retry,
    /// Stop collecting on this mandate (account closed or blocked, no
    /// mandate, debtor deceased, wrong account data).
    StopMandate,
    /// A code this crate does not classify: a person decides.
    Review,
}

impl ReturnReason {
    pub fn parse(code: &str) -> ReturnReason {
        match code.trim().to_ascii_uppercase().as_str() {
            "MD06" => ReturnReason::RefundRequest,
            "AM04" => ReturnReason::InsufficientFunds,
            "MS02" => ReturnReason::RefusedByDebtor,
            "MS03" => ReturnReason::NotSpecified,
            "AC04" => ReturnReason::AccountClosed,
            "AC06" => ReturnReason::AccountBlocked,
            "MD01" => ReturnReason::NoMandate,
            "MD07" => ReturnReason::DebtorDeceased,
            "AC01" => ReturnReason::IncorrectAccount,
            "AC13" => ReturnReason::ConsumerAccount,
            "AG01" => ReturnReason::TransactionForbidden,
            "MD02" => ReturnReason::MandateDataIncorrect,
            "SL01" => ReturnReason::DebtorBankService,
            "AM05" => ReturnReason::Duplicate,
            _ => ReturnReason::Other(code.trim().to_owned()),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ReturnReason::RefundRequest => "MD06",
            ReturnReason::InsufficientFunds => "AM04",
            ReturnReason::RefusedByDebtor => "MS02",
            ReturnReason::NotSpecified => "MS03",
            ReturnReason::AccountClosed => "AC04",
            ReturnReason::AccountBlocked => "AC06",
            ReturnReason::NoMandate => "MD01",
            ReturnReason::DebtorDeceased => "MD07",
            ReturnReason::IncorrectAccount => "AC01",
            ReturnReason::ConsumerAccount => "AC13",
            ReturnReason::TransactionForbidden => "AG01",
            ReturnReason::MandateDataIncorrect => "MD02",
            ReturnReason::DebtorBankService => "SL01",
            ReturnReason::Duplicate => "AM05",
            ReturnReason::Other(code) => code,
        }
    }

    /// sepa.md: MD06 reopens the instalment; AM04, MS02, MS03 retry or
    /// escalate; AC04, AC06, MD01, MD07 stop collecting on the mandate. The
    /// further codes: wrong or unusable account or mandate data (AC01, AC13,
    /// AG01, MD02) and a debtor-bank block (SL01) stop the mandate too; a
    /// duplicate (AM05) and unknown codes go to a person.
    pub fn consequence(&self) -> ReturnConsequence {
        use ReturnConsequence::*;
        match self {
            ReturnReason::RefundRequest => ReopenInstalment,
            ReturnReason::InsufficientFunds
            | ReturnReason::RefusedByDebtor
            | ReturnReason::NotSpecified => Retry,
            ReturnReason::AccountClosed
            | ReturnReason::AccountBlocked
            | ReturnReason::NoMandate
            | ReturnReason::DebtorDeceased
            | ReturnReason::IncorrectAccount
            | ReturnReason::ConsumerAccount
            | ReturnReason::TransactionForbidden
            | ReturnReason::MandateDataIncorrect
            | ReturnReason::DebtorBankService => StopMandate,
            ReturnReason::Duplicate | ReturnReason::Other(_) => Review,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sepa_md_consequences() {
        let check = |code: &str, c: ReturnConsequence| {
            let r = ReturnReason::parse(code);
            assert_eq!(r.consequence(), c, "{code}");
            assert_eq!(r.code(), code);
        };
        check("MD06", ReturnConsequence::ReopenInstalment);
        for code in ["AM04", "MS02", "MS03"] {
            check(code, ReturnConsequence::Retry);
        }
        for code in [
            "AC04", "AC06", "MD01", "MD07", "AC01", "AC13", "AG01", "MD02", "SL01",
        ] {
            check(code, ReturnConsequence::StopMandate);
        }
        check("AM05", ReturnConsequence::Review);
        check("ZZ99", ReturnConsequence::Review);
        assert_eq!(ReturnReason::parse(" md06 "), ReturnReason::RefundRequest);
    }
}
