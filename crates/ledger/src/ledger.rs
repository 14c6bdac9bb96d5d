//! The in-memory ledger: applies transfers idempotently, keeps balances, and
//! verifies every invariant.

use std::collections::{BTreeMap, HashMap};

use crate::keymap::KeyMap;

use kwijting_domain::{CaseId, Date, Money};

use crate::account::{AccountKind, Segment, Side};
use crate::transfer::{Source, Transfer, TransferError, TransferKey, TransferKind};

/// How deep [`Ledger::reverse_with_dependents`] follows parent links
/// (receipt → allocation is one level).
pub const DEPENDENT_DEPTH_MAX: usize = 4;

/// What [`Ledger::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The transfer was new and is now posted.
    Posted,
    /// A transfer with the same key and the same content was already
    /// posted; nothing changed.
    AlreadyApplied,
}

/// Why a transfer was refused. A refused transfer changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("transfer {0} was already applied with different content")]
    KeyReused(TransferKey),
    #[error("no transfer {0} in the ledger")]
    UnknownTransfer(TransferKey),
    #[error("transfer {key} was already reversed by {by}")]
    AlreadyReversed { key: TransferKey, by: TransferKey },
    #[error("transfer {0} is a reversal; post the original again instead of reversing it")]
    ReversalOfReversal(TransferKey),
    #[error("reversal {0} is not the exact mirror of the transfer it reverses")]
    NotAMirror(TransferKey),
    #[error(
        "transfer {key} has transfers spending its money that are not reversed: {dependents:?}"
    )]
    LiveDependents {
        key: TransferKey,
        dependents: Vec<TransferKey>,
    },
    #[error("transfer {0} names a parent that is not in the ledger")]
    UnknownParent(TransferKey),
    #[error("transfer {child} spends from {parent}, which is reversed")]
    ParentReversed {
        child: TransferKey,
        parent: TransferKey,
    },
    #[error("transfer {child} would spend more than is left of {parent} ({left} left)")]
    Overspent {
        child: TransferKey,
        parent: TransferKey,
        left: Money,
    },
    #[error("{account} would stand at {balance} (on its normal side), which it may not")]
    WouldGoNegative {
        account: AccountKind,
        balance: Money,
    },
    #[error("reversals nest deeper than {DEPENDENT_DEPTH_MAX} levels under {0}")]
    TooDeep(TransferKey),
    #[error("a balance overflows")]
    Overflow,
    #[error("ledger invariant broken (a bug; nothing was written): {0}")]
    InvariantBroken(String),
    #[error(transparent)]
    Transfer(#[from] TransferError),
}

/// Something [`Ledger::verify`] found wrong. Displays as a sentence for
/// `kwijting ledger verify`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("transfer {0} does not balance")]
    Unbalanced(TransferKey),
    #[error("two transfers share key {0}")]
    DuplicateKey(TransferKey),
    #[error("{account} is kept at {kept} but its postings sum to {posted}")]
    BalanceDrift {
        account: AccountKind,
        kept: Money,
        posted: Money,
    },
    /// The trust account does not equal what it holds for others:
    /// client payables + suspense + refunds payable + agency income.
    #[error(
        "the trust account holds {trust} but client payables, suspense, refunds and agency \
         income add up to {owed}"
    )]
    TrustMismatch { trust: Money, owed: Money },
    #[error("case {case}: entitlement {entitlement} differs from its receivables {receivables}")]
    CaseMismatch {
        case: CaseId,
        entitlement: Money,
        receivables: Money,
    },
    #[error("{account} stands at {balance} on its normal side, which its kind forbids")]
    NegativeBalance {
        account: AccountKind,
        balance: Money,
    },
    #[error("reversal {reversal} reverses {target}, which is not in the ledger")]
    ReversalOfUnknown {
        reversal: TransferKey,
        target: TransferKey,
    },
    #[error("transfer {0} was reversed more than once")]
    ReversedTwice(TransferKey),
    #[error("reversal {0} reverses a reversal")]
    ReversalOfReversal(TransferKey),
    #[error("reversal {0} is not the exact mirror of the transfer it reverses")]
    NotAMirror(TransferKey),
    #[error("transfer {child} names parent {parent}, which is not in the ledger")]
    UnknownParent {
        child: TransferKey,
        parent: TransferKey,
    },
    #[error(
        "case {case}: the statement of account has {statement:?} outstanding, the ledger {ledger:?}"
    )]
    StatementMismatch {
        case: CaseId,
        statement: CaseBalance,
        ledger: CaseBalance,
    },
    #[error("more was spent from {parent} than it brought in ({left} left)")]
    Overspent { parent: TransferKey, left: Money },
}

/// The four receivables of a case, on their normal (debit) side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseBalance {
    pub principal: Money,
    pub interest: Money,
    pub costs: Money,
    pub vat: Money,
}

impl CaseBalance {
    pub fn total(&self) -> Result<Money, LedgerError> {
        let sum = i128::from(self.principal.cents())
            + i128::from(self.interest.cents())
            + i128::from(self.costs.cents())
            + i128::from(self.vat.cents());
        i64::try_from(sum)
            .map(Money::from_cents)
            .map_err(|_| LedgerError::Overflow)
    }
}

/// An in-memory double-entry ledger. Transfers go in only through
/// [`Ledger::apply`], which refuses anything that would break an invariant
/// and is idempotent by key; nothing is ever changed or removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    transfers: Vec<Transfer>,
    index: KeyMap<TransferKey, usize>,
    /// Debit-positive balances; zero balances are not kept.
    balances: BTreeMap<AccountKind, Money>,
    reversed_by: KeyMap<TransferKey, TransferKey>,
    /// Transfers naming each transfer as their parent, in order applied.
    children: KeyMap<TransferKey, Vec<TransferKey>>,
    /// Sum of the balances per segment: zero while the ledger is sound.
    segment_sums: BTreeMap<Segment, i128>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Rebuilds a ledger from stored transfers by applying them in order;
    /// stops at the first one refused.
    pub fn replay(transfers: impl IntoIterator<Item = Transfer>) -> Result<Ledger, LedgerError> {
        let mut ledger = Ledger::new();
        for t in transfers {
            ledger.apply(t)?;
        }
        Ok(ledger)
    }

    /// Loads stored transfers without checking them, so that
    /// [`Ledger::verify`] can list everything wrong with stored data
    /// (`kwijting ledger verify`). Never apply to a ledger loaded this way
    /// before it verifies.
    pub fn load_unchecked(transfers: impl IntoIterator<Item = Transfer>) -> Ledger {
        let mut ledger = Ledger::new();
        for t in transfers {
            for p in t.postings() {
                let b = ledger.balances.entry(p.account).or_insert(Money::ZERO);
                *b = Money::from_cents(b.cents().saturating_add(p.amount.cents()));
                *ledger.segment_sums.entry(p.account.segment()).or_insert(0) +=
                    i128::from(p.amount.cents());
            }
            ledger.index_transfer(t);
        }
        ledger.balances.retain(|_, m| !m.is_zero());
        ledger.segment_sums.retain(|_, s| *s != 0);
        ledger
    }

    /// A window on a larger stored ledger: the stored balances of the
    /// accounts a batch will touch, and the stored transfers it needs by key
    /// (parents it spends from, transfers it reverses), without replaying
    /// everything. The balances are taken as they are, so each segment is
    /// assumed to sum to zero (the stored ledger verifies); [`Ledger::apply`]
    /// then checks every new transfer exactly as on a full ledger, since
    /// transfers balance per segment by construction. [`Ledger::verify`] is
    /// meaningless on a window: verify the full ledger instead.
    pub fn window(
        balances: impl IntoIterator<Item = (AccountKind, Money)>,
        transfers: impl IntoIterator<Item = Transfer>,
    ) -> Ledger {
        let mut ledger = Ledger::new();
        for (account, balance) in balances {
            set_or_remove(&mut ledger.balances, account, balance, Money::ZERO);
        }
        for t in transfers {
            if ledger.transfer(t.key()).is_none() {
                ledger.index_transfer(t);
            }
        }
        ledger
    }

    /// Makes room for `additional` transfers more, so that applying a
    /// large batch does not grow the index step by step.
    pub fn reserve(&mut self, additional: usize) {
        self.transfers.reserve(additional);
        self.index.reserve(additional);
    }

    fn index_transfer(&mut self, t: Transfer) {
        let key = t.key().clone();
        if let Some(target) = t.reverses() {
            self.reversed_by.insert(target.clone(), key.clone());
        }
        if let Some(parent) = t.parent() {
            self.children
                .entry(parent.clone())
                .or_default()
                .push(key.clone());
        }
        self.index.entry(key).or_insert(self.transfers.len());
        self.transfers.push(t);
    }

    /// Applies a transfer. Idempotent by key: the same key with the same
    /// content is [`Applied::AlreadyApplied`]; with other content it is
    /// refused. Everything is checked on a scratch copy of the touched
    /// balances before anything is written, and the balancing invariants
    /// are asserted again on the result before it is kept.
    pub fn apply(&mut self, transfer: Transfer) -> Result<Applied, LedgerError> {
        if let Some(existing) = self.transfer(transfer.key()) {
            return if *existing == transfer {
                Ok(Applied::AlreadyApplied)
            } else {
                Err(LedgerError::KeyReused(transfer.key().clone()))
            };
        }
        // Before: the transfer itself balances.
        if !transfer.balances() {
            return Err(LedgerError::InvariantBroken(format!(
                "transfer {} does not balance",
                transfer.key()
            )));
        }
        self.check_links(&transfer)?;

        let mut touched: BTreeMap<AccountKind, Money> = BTreeMap::new();
        for p in transfer.postings() {
            let new = self
                .balance(p.account)
                .checked_add(p.amount)
                .map_err(|_| LedgerError::Overflow)?;
            touched.insert(p.account, new);
        }
        for (&account, &balance) in &touched {
            let normal = normal(account, balance)?;
            if normal.is_negative() && !account.may_go_negative() {
                return Err(LedgerError::WouldGoNegative {
                    account,
                    balance: normal,
                });
            }
        }
        if let Some(parent) = transfer.parent() {
            let left = self
                .unspent(parent)?
                .checked_sub(transfer.amount_on(AccountKind::Suspense))
                .map_err(|_| LedgerError::Overflow)?;
            if left.is_negative() {
                return Err(LedgerError::Overspent {
                    child: transfer.key().clone(),
                    parent: parent.clone(),
                    left: self.unspent(parent)?,
                });
            }
        }

        // After: every segment the transfer touched still sums to zero in
        // the new state (the trust account equals what it holds for others;
        // each case's entitlement equals its receivables).
        let mut sums: BTreeMap<Segment, i128> = BTreeMap::new();
        for p in transfer.postings() {
            let segment = p.account.segment();
            *sums
                .entry(segment)
                .or_insert_with(|| self.segment_sums.get(&segment).copied().unwrap_or(0)) +=
                i128::from(p.amount.cents());
        }
        if let Some((segment, sum)) = sums.iter().find(|(_, s)| **s != 0) {
            return Err(LedgerError::InvariantBroken(format!(
                "segment {segment:?} would be off by {sum} cents after {}",
                transfer.key()
            )));
        }

        // Zero balances are not kept, so equal ledgers compare equal.
        for (segment, sum) in sums {
            set_or_remove(&mut self.segment_sums, segment, sum, 0);
        }
        for (account, balance) in touched {
            set_or_remove(&mut self.balances, account, balance, Money::ZERO);
        }
        self.index_transfer(transfer);
        Ok(Applied::Posted)
    }

    /// Applies transfers all or nothing, in order: when one is refused, the
    /// ones before it in the batch are taken out again and the error is
    /// returned. (Taking out is safe: they were never visible outside this
    /// call.) For a bank return, which reverses allocations and then the
    /// receipt.
    pub fn apply_all(&mut self, transfers: Vec<Transfer>) -> Result<Vec<Applied>, LedgerError> {
        let mut done: Vec<Applied> = Vec::with_capacity(transfers.len());
        for t in transfers {
            match self.apply(t) {
                Ok(a) => done.push(a),
                Err(e) => {
                    for a in done.iter().rev() {
                        if *a == Applied::Posted {
                            self.pop_last();
                        }
                    }
                    return Err(e);
                }
            }
        }
        Ok(done)
    }

    /// Takes out the last transfer applied, undoing its effects exactly.
    /// Only [`Ledger::apply_all`] calls it, for transfers of its own batch.
    fn pop_last(&mut self) {
        let Some(t) = self.transfers.pop() else {
            return;
        };
        for p in t.postings() {
            let b = self
                .balance(p.account)
                .cents()
                .wrapping_sub(p.amount.cents());
            set_or_remove(
                &mut self.balances,
                p.account,
                Money::from_cents(b),
                Money::ZERO,
            );
            let segment = p.account.segment();
            let s = self.segment_sums.get(&segment).copied().unwrap_or(0);
            set_or_remove(
                &mut self.segment_sums,
                segment,
                s - i128::from(p.amount.cents()),
                0,
            );
        }
        self.index.remove(t.key());
        if let Some(target) = t.reverses() {
            self.reversed_by.remove(target);
        }
        if let Some(parent) = t.parent()
            && let Some(cs) = self.children.get_mut(parent)
        {
            cs.pop();
            if cs.is_empty() {
                self.children.remove(parent);
            }
        }
    }

    fn check_links(&self, t: &Transfer) -> Result<(), LedgerError> {
        if let Some(target_key) = t.reverses() {
            let target = self
                .transfer(target_key)
                .ok_or_else(|| LedgerError::UnknownTransfer(target_key.clone()))?;
            self.check_reversible(target)?;
            let mirror = target.mirror(t.key().clone(), t.on())?;
            if mirror.postings() != t.postings() || mirror.parent() != t.parent() {
                return Err(LedgerError::NotAMirror(t.key().clone()));
            }
        }
        if let Some(parent) = t.parent() {
            let p = self
                .transfer(parent)
                .ok_or_else(|| LedgerError::UnknownParent(t.key().clone()))?;
            if t.kind() != TransferKind::Reversal
                && (p.kind() == TransferKind::Reversal || self.reversed_by.contains_key(parent))
            {
                return Err(LedgerError::ParentReversed {
                    child: t.key().clone(),
                    parent: parent.clone(),
                });
            }
        }
        Ok(())
    }

    fn check_reversible(&self, target: &Transfer) -> Result<(), LedgerError> {
        let key = target.key();
        if target.kind() == TransferKind::Reversal {
            return Err(LedgerError::ReversalOfReversal(key.clone()));
        }
        if let Some(by) = self.reversed_by.get(key) {
            return Err(LedgerError::AlreadyReversed {
                key: key.clone(),
                by: by.clone(),
            });
        }
        let live = self.live_children(key);
        if !live.is_empty() {
            return Err(LedgerError::LiveDependents {
                key: key.clone(),
                dependents: live.into_iter().cloned().collect(),
            });
        }
        Ok(())
    }

    fn live_children(&self, key: &TransferKey) -> Vec<&TransferKey> {
        self.children
            .get(key)
            .map(|cs| {
                cs.iter()
                    .filter(|c| {
                        self.transfer(c)
                            .is_some_and(|t| t.kind() != TransferKind::Reversal)
                            && !self.reversed_by.contains_key(*c)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Builds (does not apply) the exact mirror of transfer `key`, linked to
    /// it. Refused when the transfer is unknown, is itself a reversal, was
    /// already reversed, or has unreversed transfers spending its money.
    pub fn reverse(
        &self,
        key: &TransferKey,
        on: Date,
        new_key: TransferKey,
        source: Source,
    ) -> Result<Transfer, LedgerError> {
        let target = self
            .transfer(key)
            .ok_or_else(|| LedgerError::UnknownTransfer(key.clone()))?;
        self.check_reversible(target)?;
        let mirror = target.mirror(new_key, on)?;
        Ok(Transfer::new(
            mirror.key().clone(),
            TransferKind::Reversal,
            source,
            on,
            mirror.postings().to_vec(),
            mirror.reverses().cloned(),
            mirror.parent().cloned(),
        )?)
    }

    /// Builds the reversals that undo transfer `key` and every unreversed
    /// transfer spending its money (a bank return undoes the receipt and the
    /// allocations made from it), dependents first, in the order to apply
    /// them. The reversal of the `i`-th child of a transfer reversed under
    /// key `k` is keyed `k/i`.
    pub fn reverse_with_dependents(
        &self,
        key: &TransferKey,
        on: Date,
        new_key: TransferKey,
        source: &Source,
    ) -> Result<Vec<Transfer>, LedgerError> {
        let mut out = Vec::new();
        self.collect_reversals(key, on, new_key, source, 0, &mut out)?;
        Ok(out)
    }

    fn collect_reversals(
        &self,
        key: &TransferKey,
        on: Date,
        new_key: TransferKey,
        source: &Source,
        depth: usize,
        out: &mut Vec<Transfer>,
    ) -> Result<(), LedgerError> {
        if depth > DEPENDENT_DEPTH_MAX {
            return Err(LedgerError::TooDeep(key.clone()));
        }
        let target = self
            .transfer(key)
            .ok_or_else(|| LedgerError::UnknownTransfer(key.clone()))?;
        if let Some(children) = self.children.get(key) {
            for (i, child) in children.iter().enumerate() {
                let live = self
                    .transfer(child)
                    .is_some_and(|t| t.kind() != TransferKind::Reversal)
                    && !self.reversed_by.contains_key(child);
                if live {
                    let child_key = new_key.child(&i.to_string())?;
                    self.collect_reversals(child, on, child_key, source, depth + 1, out)?;
                }
            }
        }
        if target.kind() == TransferKind::Reversal {
            return Err(LedgerError::ReversalOfReversal(key.clone()));
        }
        if let Some(by) = self.reversed_by.get(key) {
            return Err(LedgerError::AlreadyReversed {
                key: key.clone(),
                by: by.clone(),
            });
        }
        let mirror = target.mirror(new_key, on)?;
        out.push(Transfer::new(
            mirror.key().clone(),
            TransferKind::Reversal,
            source.clone(),
            on,
            mirror.postings().to_vec(),
            mirror.reverses().cloned(),
            mirror.parent().cloned(),
        )?);
        Ok(())
    }

    pub fn transfer(&self, key: &TransferKey) -> Option<&Transfer> {
        self.index.get(key).and_then(|&i| self.transfers.get(i))
    }

    /// Every transfer, in the order applied.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// The reversal of `key`, if it was reversed.
    pub fn reversed_by(&self, key: &TransferKey) -> Option<&TransferKey> {
        self.reversed_by.get(key)
    }

    /// Debit-positive balance of an account (zero if never posted to).
    pub fn balance(&self, account: AccountKind) -> Money {
        self.balances.get(&account).copied().unwrap_or(Money::ZERO)
    }

    /// The balance on the account's normal side: positive when healthy.
    pub fn normal_balance(&self, account: AccountKind) -> Result<Money, LedgerError> {
        normal(account, self.balance(account))
    }

    /// Every account with a non-zero balance, debit-positive, in account
    /// order.
    pub fn balances(&self) -> impl Iterator<Item = (AccountKind, Money)> + '_ {
        self.balances.iter().map(|(a, m)| (*a, *m))
    }

    /// What the case owes, part by part.
    pub fn case_balance(&self, case: CaseId) -> CaseBalance {
        CaseBalance {
            principal: self.balance(AccountKind::CasePrincipal(case)),
            interest: self.balance(AccountKind::CaseInterest(case)),
            costs: self.balance(AccountKind::CaseCosts(case)),
            vat: self.balance(AccountKind::CaseVat(case)),
        }
    }

    /// What is left in suspense of transfer `key`'s money: its own credit to
    /// Suspense less what its dependents took (reversals giving it back).
    pub fn unspent(&self, key: &TransferKey) -> Result<Money, LedgerError> {
        let own = self
            .transfer(key)
            .ok_or_else(|| LedgerError::UnknownTransfer(key.clone()))?;
        let mut sum = -i128::from(own.amount_on(AccountKind::Suspense).cents());
        for child in self.children.get(key).into_iter().flatten() {
            if let Some(t) = self.transfer(child) {
                sum -= i128::from(t.amount_on(AccountKind::Suspense).cents());
            }
        }
        i64::try_from(sum)
            .map(Money::from_cents)
            .map_err(|_| LedgerError::Overflow)
    }

    /// The unmatched queue: receipts not reversed with money left in
    /// suspense, in the order received, with what is left of each.
    pub fn unmatched(&self) -> Vec<(&Transfer, Money)> {
        self.transfers
            .iter()
            .filter(|t| {
                t.kind() == TransferKind::Receipt && !self.reversed_by.contains_key(t.key())
            })
            .filter_map(|t| match self.unspent(t.key()) {
                Ok(left) if left.cents() > 0 => Some((t, left)),
                _ => None,
            })
            .collect()
    }

    /// Checks every invariant over everything posted, recomputing balances
    /// from the postings. Lists every violation found.
    pub fn verify(&self) -> Result<(), Vec<Violation>> {
        let mut v = Vec::new();
        let mut posted: BTreeMap<AccountKind, i128> = BTreeMap::new();
        let mut seen: HashMap<&TransferKey, usize> = HashMap::new();
        let mut reversed: HashMap<&TransferKey, usize> = HashMap::new();
        for t in &self.transfers {
            if !t.balances() {
                v.push(Violation::Unbalanced(t.key().clone()));
            }
            let n = seen.entry(t.key()).or_insert(0);
            *n += 1;
            if *n == 2 {
                v.push(Violation::DuplicateKey(t.key().clone()));
            }
            for p in t.postings() {
                *posted.entry(p.account).or_insert(0) += i128::from(p.amount.cents());
            }
            if let Some(target) = t.reverses() {
                *reversed.entry(target).or_insert(0) += 1;
                match self.transfer(target) {
                    None => v.push(Violation::ReversalOfUnknown {
                        reversal: t.key().clone(),
                        target: target.clone(),
                    }),
                    Some(orig) => {
                        if orig.kind() == TransferKind::Reversal {
                            v.push(Violation::ReversalOfReversal(t.key().clone()));
                        }
                        let mirrors = orig.mirror(t.key().clone(), t.on()).is_ok_and(|m| {
                            m.postings() == t.postings() && m.parent() == t.parent()
                        });
                        if !mirrors {
                            v.push(Violation::NotAMirror(t.key().clone()));
                        }
                    }
                }
            }
            if let Some(parent) = t.parent()
                && self.transfer(parent).is_none()
            {
                v.push(Violation::UnknownParent {
                    child: t.key().clone(),
                    parent: parent.clone(),
                });
            }
        }
        let mut reversed_twice: Vec<&TransferKey> = reversed
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(k, _)| k)
            .collect();
        reversed_twice.sort();
        v.extend(
            reversed_twice
                .into_iter()
                .map(|k| Violation::ReversedTwice(k.clone())),
        );
        let mut parents: Vec<&TransferKey> = self.children.keys().collect();
        parents.sort();
        for parent in parents {
            if let Ok(left) = self.unspent(parent)
                && left.is_negative()
            {
                v.push(Violation::Overspent {
                    parent: parent.clone(),
                    left,
                });
            }
        }

        // Kept balances against the postings.
        let accounts: std::collections::BTreeSet<AccountKind> =
            posted.keys().chain(self.balances.keys()).copied().collect();
        for account in &accounts {
            let p = posted.get(account).copied().unwrap_or(0);
            let kept = self.balance(*account);
            if i128::from(kept.cents()) != p {
                v.push(Violation::BalanceDrift {
                    account: *account,
                    kept,
                    posted: clamp(p),
                });
            }
        }

        // The trust account equals what it holds for others; each case's
        // entitlement equals its receivables. On normal sides.
        let mut trust: i128 = 0;
        let mut owed: i128 = 0;
        let mut cases: BTreeMap<CaseId, (i128, i128)> = BTreeMap::new();
        for (account, &cents) in &posted {
            let on_normal = match account.normal_side() {
                Side::Debit => cents,
                Side::Credit => -cents,
            };
            if on_normal < 0 && !account.may_go_negative() {
                v.push(Violation::NegativeBalance {
                    account: *account,
                    balance: clamp(on_normal),
                });
            }
            match account {
                AccountKind::BankTrust => trust += on_normal,
                AccountKind::Suspense
                | AccountKind::RefundsPayable
                | AccountKind::AgencyCommission
                | AccountKind::AgencyCostRevenue
                | AccountKind::ClientPayable(_) => owed += on_normal,
                AccountKind::CaseEntitlement(c) => cases.entry(*c).or_default().0 += on_normal,
                AccountKind::CasePrincipal(c)
                | AccountKind::CaseInterest(c)
                | AccountKind::CaseCosts(c)
                | AccountKind::CaseVat(c) => cases.entry(*c).or_default().1 += on_normal,
            }
        }
        if trust != owed {
            v.push(Violation::TrustMismatch {
                trust: clamp(trust),
                owed: clamp(owed),
            });
        }
        for (case, (entitlement, receivables)) in cases {
            if entitlement != receivables {
                v.push(Violation::CaseMismatch {
                    case,
                    entitlement: clamp(entitlement),
                    receivables: clamp(receivables),
                });
            }
        }
        if v.is_empty() { Ok(()) } else { Err(v) }
    }
}

fn set_or_remove<K: Ord, V: PartialEq>(map: &mut BTreeMap<K, V>, key: K, value: V, zero: V) {
    if value == zero {
        map.remove(&key);
    } else {
        map.insert(key, value);
    }
}

fn normal(account: AccountKind, debit_positive: Money) -> Result<Money, LedgerError> {
    match account.normal_side() {
        Side::Debit => Ok(debit_positive),
        Side::Credit => debit_positive
            .checked_neg()
            .map_err(|_| LedgerError::Overflow),
    }
}

/// For reporting a sum that may have left `i64` in corrupt data.
fn clamp(cents: i128) -> Money {
    Money::from_cents(i64::try_from(cents).unwrap_or(if cents < 0 { i64::MIN } else { i64::MAX }))
}
