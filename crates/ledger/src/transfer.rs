//! Transfers: immutable, balanced sets of postings with their source.
//!
//! A [`Transfer`] can only be built through [`Transfer::new`] (or the
//! recipes in [`crate::recipe`], which call it), which refuses anything that
//! does not balance. Fields are private: a transfer in hand is a valid one.

use std::collections::BTreeMap;
use std::fmt;

use kwijting_domain::{CaseId, Date, Money};

use crate::account::{AccountKind, Segment};

/// The longest idempotency key accepted.
pub const KEY_LEN_MAX: usize = 200;
/// The longest source reference accepted.
pub const REFERENCE_LEN_MAX: usize = 500;
/// The most postings one transfer may hold (an allocation needs at most 10).
pub const POSTINGS_PER_TRANSFER_MAX: usize = 32;
/// The largest amount one posting may carry: EUR 10 billion. Keeps every sum
/// of a transfer far from `i64` overflow.
pub const POSTING_AMOUNT_MAX: Money = Money::from_cents(1_000_000_000_000);

/// The idempotency key of a transfer: for a receipt, the statement entry key
/// (account IBAN + statement id + entry reference + transaction index); for
/// derived transfers, a key the caller derives from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferKey(String);

impl TransferKey {
    /// Printable ASCII without spaces at the ends, 1 to [`KEY_LEN_MAX`]
    /// characters.
    pub fn parse(input: &str) -> Result<TransferKey, TransferError> {
        let ok = !input.is_empty()
            && input.len() <= KEY_LEN_MAX
            && input.bytes().all(|b| (0x20..0x7f).contains(&b))
            && input.trim() == input;
        if ok {
            Ok(TransferKey(input.to_owned()))
        } else {
            Err(TransferError::Key(
                input.chars().take(KEY_LEN_MAX).collect(),
            ))
        }
    }

    /// A key derived from this one: `self` + `/` + `suffix`.
    pub fn child(&self, suffix: &str) -> Result<TransferKey, TransferError> {
        TransferKey::parse(&format!("{}/{suffix}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TransferKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a transfer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferKind {
    /// Money credited to the trust account (Dr BankTrust, Cr Suspense).
    Receipt,
    /// Received money applied to a case (from Suspense).
    Allocation,
    /// A charge on a case: principal taken on, interest accrued, costs.
    Charge,
    /// A payout from the trust account (to a client or to the agency).
    Remittance,
    /// An overpayment paid back (Dr RefundsPayable, Cr BankTrust).
    Refund,
    /// The exact mirror of an earlier transfer.
    Reversal,
    /// A booking by a person (a write-off, funding a shortfall).
    Correction,
}

impl TransferKind {
    pub const ALL: [TransferKind; 7] = [
        TransferKind::Receipt,
        TransferKind::Allocation,
        TransferKind::Charge,
        TransferKind::Remittance,
        TransferKind::Refund,
        TransferKind::Reversal,
        TransferKind::Correction,
    ];

    pub fn parse(s: &str) -> Option<TransferKind> {
        TransferKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Receipt => "receipt",
            TransferKind::Allocation => "allocation",
            TransferKind::Charge => "charge",
            TransferKind::Remittance => "remittance",
            TransferKind::Refund => "refund",
            TransferKind::Reversal => "reversal",
            TransferKind::Correction => "correction",
        }
    }
}

/// Where a transfer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A bank statement entry (camt.053/054, MT940).
    StatementEntry,
    /// A match (automatic or by a person) of received money to a case.
    Allocation,
    /// A charge computed by the law engine or taken over from the claim.
    Charge,
    /// A remittance run (afdracht) or a transfer of agency income.
    Remittance,
    /// A refund of an overpayment.
    Refund,
    /// A person's decision.
    Manual,
}

impl SourceKind {
    pub const ALL: [SourceKind; 6] = [
        SourceKind::StatementEntry,
        SourceKind::Allocation,
        SourceKind::Charge,
        SourceKind::Remittance,
        SourceKind::Refund,
        SourceKind::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::StatementEntry => "statement_entry",
            SourceKind::Allocation => "allocation",
            SourceKind::Charge => "charge",
            SourceKind::Remittance => "remittance",
            SourceKind::Refund => "refund",
            SourceKind::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The source of a transfer: its kind and a reference into it (the entry
/// key, the match reason, the remittance run id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    kind: SourceKind,
    reference: String,
}

impl Source {
    pub fn new(kind: SourceKind, reference: &str) -> Result<Source, TransferError> {
        if reference.trim().is_empty() || reference.len() > REFERENCE_LEN_MAX {
            return Err(TransferError::Reference(
                reference.chars().take(REFERENCE_LEN_MAX).collect(),
            ));
        }
        Ok(Source {
            kind,
            reference: reference.to_owned(),
        })
    }

    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }
}

/// One line of a transfer. `amount` is signed: **debit positive, credit
/// negative**, never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Posting {
    pub account: AccountKind,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("'{0}' is not a transfer key (1 to 200 printable ASCII characters)")]
    Key(String),
    #[error("'{0}' is not a source reference (1 to 500 characters)")]
    Reference(String),
    #[error("a transfer needs at least two postings")]
    TooFewPostings,
    #[error("a transfer may hold at most {POSTINGS_PER_TRANSFER_MAX} postings (got {0})")]
    TooManyPostings(usize),
    #[error("a posting to {0} has amount zero")]
    ZeroPosting(AccountKind),
    #[error("a posting to {account} of {amount} is larger than a posting may be")]
    PostingTooLarge { account: AccountKind, amount: Money },
    #[error("{0} appears twice in one transfer")]
    DuplicateAccount(AccountKind),
    #[error("the postings do not balance: debits minus credits is {0} cents")]
    Unbalanced(i128),
    #[error("the postings of segment {0:?} do not balance: {1} cents")]
    SegmentUnbalanced(Segment, i128),
    #[error("a transfer posts to one case at most (found case {0} and case {1})")]
    SeveralCases(CaseId, CaseId),
    #[error("a reversal must name the transfer it reverses, and only a reversal may")]
    ReversalLink,
    #[error("amount overflows")]
    Overflow,
}

/// An immutable, balanced transfer between accounts.
///
/// Invariants, checked by [`Transfer::new`]: 2 to
/// [`POSTINGS_PER_TRANSFER_MAX`] postings, each non-zero and at most
/// [`POSTING_AMOUNT_MAX`] in size, no account twice, postings in account
/// order, summing to zero overall **and within each [`Segment`]**; `reverses`
/// is set exactly when the kind is [`TransferKind::Reversal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    key: TransferKey,
    kind: TransferKind,
    postings: Vec<Posting>,
    source: Source,
    reverses: Option<TransferKey>,
    parent: Option<TransferKey>,
    on: Date,
}

impl Transfer {
    /// Builds a transfer, refusing one that does not balance. Postings are
    /// put in account order, so two transfers with the same postings compare
    /// equal whatever order they were given in.
    ///
    /// `parent` is the transfer whose money this one spends (an allocation
    /// names its receipt); reversing the parent needs its children reversed
    /// first ([`crate::Ledger::reverse_with_dependents`]).
    pub fn new(
        key: TransferKey,
        kind: TransferKind,
        source: Source,
        on: Date,
        mut postings: Vec<Posting>,
        reverses: Option<TransferKey>,
        parent: Option<TransferKey>,
    ) -> Result<Transfer, TransferError> {
        if (kind == TransferKind::Reversal) != reverses.is_some() {
            return Err(TransferError::ReversalLink);
        }
        check_postings(&mut postings)?;
        Ok(Transfer {
            key,
            kind,
            postings,
            source,
            reverses,
            parent,
            on,
        })
    }

    pub fn key(&self) -> &TransferKey {
        &self.key
    }

    pub fn kind(&self) -> TransferKind {
        self.kind
    }

    /// In account order.
    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn reverses(&self) -> Option<&TransferKey> {
        self.reverses.as_ref()
    }

    pub fn parent(&self) -> Option<&TransferKey> {
        self.parent.as_ref()
    }

    pub fn on(&self) -> Date {
        self.on
    }

    /// The amount this transfer posts to `account` (zero when none).
    pub fn amount_on(&self, account: AccountKind) -> Money {
        self.postings
            .iter()
            .find(|p| p.account == account)
            .map_or(Money::ZERO, |p| p.amount)
    }

    /// Whether the transfer (still) balances. Always true for a transfer
    /// built by [`Transfer::new`]; the ledger asserts it again on both sides
    /// of a write.
    pub fn balances(&self) -> bool {
        let mut copy = self.postings.clone();
        check_postings(&mut copy).is_ok()
    }

    /// The exact mirror of this transfer: every posting negated, linked to
    /// it. The parent link is kept, so a reversed allocation still names its
    /// receipt.
    pub fn mirror(&self, key: TransferKey, on: Date) -> Result<Transfer, TransferError> {
        let postings = self
            .postings
            .iter()
            .map(|p| {
                p.amount
                    .checked_neg()
                    .map(|amount| Posting {
                        account: p.account,
                        amount,
                    })
                    .map_err(|_| TransferError::Overflow)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let source = Source::new(
            self.source.kind,
            &format!("reversal of {}", self.key.as_str()),
        )?;
        Transfer::new(
            key,
            TransferKind::Reversal,
            source,
            on,
            postings,
            Some(self.key.clone()),
            self.parent.clone(),
        )
    }
}

fn check_postings(postings: &mut [Posting]) -> Result<(), TransferError> {
    if postings.len() < 2 {
        return Err(TransferError::TooFewPostings);
    }
    if postings.len() > POSTINGS_PER_TRANSFER_MAX {
        return Err(TransferError::TooManyPostings(postings.len()));
    }
    postings.sort_by_key(|p| p.account);
    // A transfer is about one case at most: its case segment and the trust
    // segment are all there is to balance, and the store finds a case's
    // transfers (and their postings) by that one case.
    let mut trust: i128 = 0;
    let mut case: Option<(CaseId, i128)> = None;
    for (i, p) in postings.iter().enumerate() {
        if p.amount.is_zero() {
            return Err(TransferError::ZeroPosting(p.account));
        }
        if p.amount.cents().unsigned_abs() > POSTING_AMOUNT_MAX.cents().unsigned_abs() {
            return Err(TransferError::PostingTooLarge {
                account: p.account,
                amount: p.amount,
            });
        }
        if i > 0 && postings[i - 1].account == p.account {
            return Err(TransferError::DuplicateAccount(p.account));
        }
        let cents = i128::from(p.amount.cents());
        match (p.account.segment(), &mut case) {
            (Segment::Trust, _) => trust += cents,
            (Segment::Case(c), None) => case = Some((c, cents)),
            (Segment::Case(c), Some((k, sum))) if *k == c => *sum += cents,
            (Segment::Case(c), Some((k, _))) => return Err(TransferError::SeveralCases(*k, c)),
        }
    }
    let total = trust + case.map_or(0, |(_, s)| s);
    if total != 0 {
        return Err(TransferError::Unbalanced(total));
    }
    if trust != 0 {
        return Err(TransferError::SegmentUnbalanced(Segment::Trust, trust));
    }
    if let Some((c, sum)) = case.filter(|(_, s)| *s != 0) {
        return Err(TransferError::SegmentUnbalanced(Segment::Case(c), sum));
    }
    Ok(())
}

/// Collects signed amounts per account, merging repeats and dropping zeros,
/// for recipes that build postings from parts. Sums in `i128`; an amount
/// that no longer fits `i64` is refused when built.
#[derive(Debug, Default)]
pub(crate) struct PostingsBuilder {
    amounts: BTreeMap<AccountKind, i128>,
}

impl PostingsBuilder {
    pub(crate) fn debit(&mut self, account: AccountKind, amount: Money) {
        *self.amounts.entry(account).or_insert(0) += i128::from(amount.cents());
    }

    pub(crate) fn credit(&mut self, account: AccountKind, amount: Money) {
        *self.amounts.entry(account).or_insert(0) -= i128::from(amount.cents());
    }

    pub(crate) fn build(self) -> Result<Vec<Posting>, TransferError> {
        self.amounts
            .into_iter()
            .filter(|(_, a)| *a != 0)
            .map(|(account, a)| {
                i64::try_from(a)
                    .map(|c| Posting {
                        account,
                        amount: Money::from_cents(c),
                    })
                    .map_err(|_| TransferError::Overflow)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::{CaseId, ClientId, parse_date};

    fn key(s: &str) -> TransferKey {
        TransferKey::parse(s).unwrap()
    }

    fn p(account: AccountKind, cents: i64) -> Posting {
        Posting {
            account,
            amount: Money::from_cents(cents),
        }
    }

    fn build(kind: TransferKind, postings: Vec<Posting>) -> Result<Transfer, TransferError> {
        Transfer::new(
            key("t1"),
            kind,
            Source::new(SourceKind::Manual, "test").unwrap(),
            parse_date("2025-06-01").unwrap(),
            postings,
            None,
            None,
        )
    }

    #[test]
    fn refuses_what_does_not_balance() {
        use AccountKind::*;
        let c = CaseId(7);
        let check = |postings: Vec<Posting>, expected: Result<(), TransferError>| {
            assert_eq!(
                build(TransferKind::Correction, postings.clone()).map(|_| ()),
                expected,
                "{postings:?}"
            );
        };
        check(vec![p(BankTrust, 100), p(Suspense, -100)], Ok(()));
        check(vec![p(BankTrust, 100)], Err(TransferError::TooFewPostings));
        check(
            vec![p(BankTrust, 100), p(Suspense, -99)],
            Err(TransferError::Unbalanced(1)),
        );
        check(
            vec![p(BankTrust, 0), p(Suspense, 0)],
            Err(TransferError::ZeroPosting(BankTrust)),
        );
        check(
            vec![p(Suspense, 100), p(Suspense, -100)],
            Err(TransferError::DuplicateAccount(Suspense)),
        );
        // Balanced overall, but money would appear in the trust segment out
        // of a case's memorandum accounts.
        check(
            vec![p(BankTrust, 100), p(CaseEntitlement(c), -100)],
            Err(TransferError::SegmentUnbalanced(Segment::Trust, 100)),
        );
        // Each case balanced on its own, but one transfer may be about one
        // case only: the store files a transfer under its case.
        let other = CaseId(c.0 + 1);
        check(
            vec![
                p(CasePrincipal(c), 100),
                p(CaseEntitlement(c), -100),
                p(CasePrincipal(other), 100),
                p(CaseEntitlement(other), -100),
            ],
            Err(TransferError::SeveralCases(c, other)),
        );
        check(
            vec![
                p(BankTrust, POSTING_AMOUNT_MAX.cents() + 1),
                p(Suspense, -POSTING_AMOUNT_MAX.cents() - 1),
            ],
            Err(TransferError::PostingTooLarge {
                account: BankTrust,
                amount: Money::from_cents(POSTING_AMOUNT_MAX.cents() + 1),
            }),
        );
        let many: Vec<Posting> = (0..33)
            .map(|i| p(ClientPayable(ClientId(i)), if i == 0 { -32 } else { 1 }))
            .collect();
        check(many, Err(TransferError::TooManyPostings(33)));
    }

    #[test]
    fn reversal_link_only_on_reversals() {
        let postings = vec![p(AccountKind::BankTrust, 1), p(AccountKind::Suspense, -1)];
        assert_eq!(
            build(TransferKind::Reversal, postings.clone()),
            Err(TransferError::ReversalLink)
        );
        let t = build(TransferKind::Receipt, postings).unwrap();
        let m = t.mirror(key("t1/rev"), t.on()).unwrap();
        assert_eq!(m.reverses(), Some(&key("t1")));
        assert_eq!(m.amount_on(AccountKind::BankTrust), Money::from_cents(-1));
        assert!(m.balances());
    }

    #[test]
    fn keys_are_checked() {
        for bad in ["", " a", "a ", "é", &"x".repeat(KEY_LEN_MAX + 1)] {
            assert!(TransferKey::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(key("a").child("b").unwrap().as_str(), "a/b");
        assert!(Source::new(SourceKind::Manual, " ").is_err());
    }
}
