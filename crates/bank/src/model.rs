//! The normalized statement: what camt.052/053/054 and MT940 have in common,
//! and what matching and the ledger need from them.

use kwijting_domain::{Date, Iban, Money};

use crate::error::BankError;
use crate::returns::ReturnReason;

/// The account a statement is about. Dutch banks give an IBAN; older MT940
/// exports and some camt files give a national or proprietary number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountId {
    Iban(Iban),
    Other(String),
}

impl AccountId {
    /// Electronic form: the IBAN without spaces, or the number as written.
    pub fn as_str(&self) -> &str {
        match self {
            AccountId::Iban(iban) => iban.as_str(),
            AccountId::Other(s) => s,
        }
    }

    pub fn iban(&self) -> Option<&Iban> {
        match self {
            AccountId::Iban(iban) => Some(iban),
            AccountId::Other(_) => None,
        }
    }

    /// The account as an IBAN, also where the file wrote one where a plain
    /// number goes (camt `Othr/Id`) or with its currency after it (MT940
    /// `:25:NL62INGB0001212121EUR`, ING and ABN AMRO write that), spaces
    /// removed. `None` for a plain account number or an IBAN that fails its
    /// check digits.
    pub fn as_iban(&self) -> Option<Iban> {
        match self {
            AccountId::Iban(iban) => Some(iban.clone()),
            AccountId::Other(s) => {
                let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                Iban::parse(&compact).ok().or_else(|| {
                    let (head, tail) = compact.split_at(compact.len().checked_sub(3)?);
                    tail.chars()
                        .all(|c| c.is_ascii_uppercase())
                        .then(|| Iban::parse(head).ok())
                        .flatten()
                })
            }
        }
    }
}

/// Which camt message a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CamtMessage {
    /// camt.052 account report (intraday).
    Report,
    /// camt.053 statement.
    Statement,
    /// camt.054 debit/credit notification.
    Notification,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementFormat {
    /// `version` is the last number of the namespace, `camt.053.001.NN`.
    Camt {
        message: CamtMessage,
        version: u8,
    },
    Mt940,
}

/// A balance: signed (a debit balance is negative) with its date and
/// currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    pub amount: Money,
    pub date: Date,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The name the caller gave the file, carried for error messages.
    pub source: String,
    pub format: StatementFormat,
    pub account: AccountId,
    /// camt `Stmt/Id` (`Rpt/Id`, `Ntfctn/Id`); MT940 `:20:`.
    pub statement_id: String,
    /// camt `ElctrncSeqNb`; MT940 `:28C:` as written (`45/1`).
    pub sequence: Option<String>,
    /// ISO 4217 code of the account: camt `Acct/Ccy`, else the currency of
    /// the first balance or entry; MT940 `:60F:`. `None` only for a camt
    /// statement that names none (no `Acct/Ccy`, no balance, no entry).
    pub currency: Option<String>,
    /// camt `OPBD` (or `PRCD`); MT940 `:60F:`/`:60M:`.
    pub opening_balance: Option<Balance>,
    /// camt `CLBD`; MT940 `:62F:`/`:62M:`.
    pub closing_balance: Option<Balance>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CreditDebit {
    Credit,
    Debit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryStatus {
    /// `BOOK`; every MT940 entry.
    Booked,
    /// `PDNG`.
    Pending,
    /// `INFO`.
    Info,
    Other(String),
}

/// ISO bank transaction code: domain, family and sub-family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoTxCode {
    pub domain: String,
    pub family: String,
    pub subfamily: String,
}

/// The bank's classification of an entry. camt may carry both forms; MT940
/// carries its transaction type (`NTRF`, `N541`) as the proprietary code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BankTxCode {
    pub iso: Option<IsoTxCode>,
    pub proprietary: Option<String>,
    pub proprietary_issuer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position of the entry in its statement, from 0.
    pub index: usize,
    /// Line of the file where the entry starts (for messages).
    pub line: usize,
    /// camt `AcctSvcrRef`, else `NtryRef`; MT940 bank reference (after `//`
    /// in `:61:`). `None` when the bank gives none.
    pub entry_ref: Option<String>,
    /// MT940 reference for the account owner (`:61:` before `//`, e.g.
    /// `NONREF`, `EREF`); camt: `None`.
    pub owner_ref: Option<String>,
    /// camt `BookgDt` (date part of `DtTm` as written, no zone conversion);
    /// MT940 entry date, else the value date.
    pub booking_date: Option<Date>,
    pub value_date: Option<Date>,
    /// Always zero or more; the direction is in `credit_debit`.
    pub amount: Money,
    /// ISO 4217 code of `amount` (the account currency in every real file;
    /// [`Statement::reconcile`] refuses a statement where it is not).
    pub currency: String,
    pub credit_debit: CreditDebit,
    /// camt `RvslInd`; MT940 `RC`/`RD`. A reversed credit is booked as a
    /// debit (and the other way round): `credit_debit` is the booked direction.
    pub reversal: bool,
    pub status: EntryStatus,
    pub bank_tx_code: Option<BankTxCode>,
    /// camt `AddtlNtryInf`; MT940 supplementary details of `:61:`.
    pub additional_info: Option<String>,
    /// At least one. An entry without details has one transaction derived
    /// from the entry itself.
    pub transactions: Vec<Transaction>,
}

/// Who issued a structured creditor reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefIssuer {
    /// `CUR`: the Dutch betalingskenmerk.
    Cur,
    /// `ISO`: an ISO 11649 RF creditor reference.
    Iso,
    Other(String),
}

/// A structured reference as the bank reported it. Not validated here: the
/// matcher checks it (`Betalingskenmerk::parse`, `CreditorReference::parse`)
/// before trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructuredRef {
    pub issuer: RefIssuer,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Position inside the entry, from 0.
    pub index: usize,
    /// Amount in the account currency, zero or more. For an entry with one
    /// transaction this is the entry amount. In a batch it is the part's
    /// amount, and the parts add up to the entry amount (checked); `None`
    /// only in a batch whose parts carry no amount in the account currency.
    pub amount: Option<Money>,
    /// `None` when absent or `NOTPROVIDED`.
    pub end_to_end_id: Option<String>,
    pub mandate_id: Option<String>,
    /// SEPA creditor identifier of a direct debit (camt `CdtrSchmeId`,
    /// MT940 `/CSID/`).
    pub creditor_id: Option<String>,
    pub counterparty_name: Option<String>,
    /// As written by the bank, not validated (real files carry invalid
    /// IBANs); see [`Transaction::counterparty_iban_checked`].
    pub counterparty_iban: Option<String>,
    pub counterparty_bic: Option<String>,
    /// Free text, each `Ustrd` (and `AddtlRmtInf`) as one element; MT940:
    /// the remittance text with wrapped lines joined.
    pub remittance_unstructured: Vec<String>,
    pub structured_reference: Option<StructuredRef>,
    /// camt `RtrInf/Rsn/Cd` (or `Prtry`); MT940 `/RTRN/`.
    pub return_reason: Option<String>,
}

impl Transaction {
    pub(crate) fn empty(index: usize) -> Transaction {
        Transaction {
            index,
            amount: None,
            end_to_end_id: None,
            mandate_id: None,
            creditor_id: None,
            counterparty_name: None,
            counterparty_iban: None,
            counterparty_bic: None,
            remittance_unstructured: Vec::new(),
            structured_reference: None,
            return_reason: None,
        }
    }

    /// The counterparty IBAN when it passes the IBAN check.
    pub fn counterparty_iban_checked(&self) -> Option<Iban> {
        self.counterparty_iban
            .as_deref()
            .and_then(|s| Iban::parse(s).ok())
    }

    /// The return reason as a known SEPA code.
    pub fn return_reason_code(&self) -> Option<ReturnReason> {
        self.return_reason.as_deref().map(ReturnReason::parse)
    }
}

impl Entry {
    /// The booking date, else the value date.
    pub fn date(&self) -> Option<Date> {
        self.booking_date.or(self.value_date)
    }

    /// The amount signed from the account's point of view: credits positive.
    pub fn signed_amount(&self) -> Money {
        match self.credit_debit {
            CreditDebit::Credit => self.amount,
            CreditDebit::Debit => Money::from_cents(-self.amount.cents()),
        }
    }

    /// The idempotency key of one transaction of this entry: account, statement
    /// id, sequence, entry reference and transaction index (sepa.md).
    ///
    /// When the bank gives no entry reference (Rabobank camt, most MT940),
    /// the entry is named by its position in the statement, its date, its
    /// direction and amount: `#3:2016-07-26:D4076.00`. A statement is
    /// immutable once the bank has sent it, so the position is stable; the
    /// date and amount keep two different files with a reused statement id
    /// (ING's MT940 `:20:MPBZ`) from colliding.
    ///
    /// Parts are joined with `|`; a `|` or `\` inside a part is escaped with
    /// `\`, so the key is unambiguous.
    pub fn idempotency_key(&self, statement: &Statement, tx_index: usize) -> String {
        let entry = match &self.entry_ref {
            Some(r) => r.clone(),
            None => format!(
                "#{}:{}:{}{}",
                self.index,
                self.date().map(|d| d.to_string()).unwrap_or_default(),
                match self.credit_debit {
                    CreditDebit::Credit => "C",
                    CreditDebit::Debit => "D",
                },
                self.amount
            ),
        };
        let parts = [
            statement.account.as_str(),
            &statement.statement_id,
            statement.sequence.as_deref().unwrap_or(""),
            &entry,
            &tx_index.to_string(),
        ];
        let mut key = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('|');
            }
            for c in part.chars() {
                if c == '|' || c == '\\' {
                    key.push('\\');
                }
                key.push(c);
            }
        }
        key
    }
}

impl Statement {
    /// Checks opening + credits - debits = closing over the booked entries,
    /// when both balances are present (otherwise there is nothing to check).
    /// Pending and information-only entries are not in the booked balance.
    /// Balances or booked entries in another currency than the account's
    /// are refused: they cannot be added up.
    pub fn reconcile(&self) -> Result<(), BankError> {
        let (Some(opening), Some(closing)) = (&self.opening_balance, &self.closing_balance) else {
            return Ok(());
        };
        let account_ccy = self.currency.as_deref().unwrap_or(&opening.currency);
        let refuse = |location: String, ccy: &str| BankError::Statement {
            file: self.source.clone(),
            statement: self.statement_id.clone(),
            location,
            problem: format!("does not reconcile: amount in {ccy} on an account in {account_ccy}"),
        };
        for (name, b) in [("opening balance", opening), ("closing balance", closing)] {
            if b.currency != account_ccy {
                return Err(refuse(name.to_owned(), &b.currency));
            }
        }
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.status == EntryStatus::Booked && e.currency != account_ccy)
        {
            return Err(refuse(
                format!("entry {} (line {})", e.index + 1, e.line),
                &e.currency,
            ));
        }
        let mut credits: i128 = 0;
        let mut debits: i128 = 0;
        for e in self
            .entries
            .iter()
            .filter(|e| e.status == EntryStatus::Booked)
        {
            match e.credit_debit {
                CreditDebit::Credit => credits += i128::from(e.amount.cents()),
                CreditDebit::Debit => debits += i128::from(e.amount.cents()),
            }
        }
        let expected = i128::from(opening.amount.cents()) + credits - debits;
        if expected == i128::from(closing.amount.cents()) {
            return Ok(());
        }
        let money = |v: i128| Money::from_cents(i64::try_from(v).unwrap_or(i64::MAX));
        Err(BankError::Unreconciled {
            file: self.source.clone(),
            statement: self.statement_id.clone(),
            opening: opening.amount,
            credits: money(credits),
            debits: money(debits),
            expected: money(expected),
            closing: closing.amount,
        })
    }
}
