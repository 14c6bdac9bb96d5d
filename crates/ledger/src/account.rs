//! The chart of accounts.
//!
//! Sign convention: an amount on a [`crate::Posting`] is a **debit when
//! positive and a credit when negative**; a balance is the sum of its
//! postings, so it is debit-positive too. [`AccountKind::normal_side`] says on
//! which side an account normally stands; [`crate::Ledger::normal_balance`]
//! flips the sign of credit-normal accounts so that a healthy balance reads
//! as a positive amount.
//!
//! The accounts fall into two segments ([`Segment`]):
//! - **trust**: money that is (or was) on the trust account (derdengelden)
//!   and whom it belongs to: [`AccountKind::BankTrust`] against client
//!   payables, suspense, refunds payable and agency income not yet
//!   transferred;
//! - **case** (one per case): what the debtor owes, part by part, against
//!   [`AccountKind::CaseEntitlement`], the creditors' (client and agency)
//!   right to collect it. These are memorandum accounts: no money moves
//!   when interest or costs are charged, so nothing in them may touch the
//!   trust segment.
//!
//! Every transfer balances within each segment (see [`crate::Transfer`]), so
//! the trust account always equals what it holds for others: the invariant
//! of issue 5 is structural, and [`crate::Ledger::verify`] checks it anyway.

use kwijting_domain::{CaseId, ClientId};

/// The side an account normally stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Debit,
    Credit,
}

/// Which balancing segment an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Money held on the trust account and whom it is owed to.
    Trust,
    /// The receivables of one case and the creditors' entitlement to them.
    Case(CaseId),
}

/// One account of the ledger. The derived order (trust accounts of the
/// agency first, then per client, then per case) is the order of postings
/// in a transfer and of reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    /// The bank's trust account (derdengeldenrekening). Debit-normal.
    BankTrust,
    /// Money received but not (yet) matched to a case. Credit-normal.
    Suspense,
    /// Overpayments held for refund to the payer; never kept. Credit-normal.
    RefundsPayable,
    /// Commission earned on collected principal, not yet transferred to the
    /// agency's own account. Credit-normal.
    AgencyCommission,
    /// Collected costs (and their VAT) and interest the agency keeps, not yet
    /// transferred to the agency's own account. Credit-normal.
    AgencyCostRevenue,
    /// What the agency owes the client (afdracht not yet paid).
    /// Credit-normal; may turn debit when money already remitted comes back
    /// (a bank return): the client then owes it back.
    ClientPayable(ClientId),
    /// Principal (hoofdsom) outstanding on the case. Debit-normal.
    CasePrincipal(CaseId),
    /// Interest charged and not paid. Debit-normal.
    CaseInterest(CaseId),
    /// Collection costs (BIK) charged and not paid, without VAT.
    /// Debit-normal.
    CaseCosts(CaseId),
    /// VAT on the collection costs charged and not paid. Debit-normal.
    CaseVat(CaseId),
    /// The creditors' right to collect what the case owes: the counterpart
    /// of every charge. Credit-normal; always equal to the sum of the four
    /// case receivables.
    CaseEntitlement(CaseId),
}

impl AccountKind {
    /// The side on which the account's balance normally stands.
    pub fn normal_side(self) -> Side {
        match self {
            AccountKind::BankTrust
            | AccountKind::CasePrincipal(_)
            | AccountKind::CaseInterest(_)
            | AccountKind::CaseCosts(_)
            | AccountKind::CaseVat(_) => Side::Debit,
            AccountKind::Suspense
            | AccountKind::RefundsPayable
            | AccountKind::AgencyCommission
            | AccountKind::AgencyCostRevenue
            | AccountKind::ClientPayable(_)
            | AccountKind::CaseEntitlement(_) => Side::Credit,
        }
    }

    /// Whether the balance may stand on the other side of the normal one.
    /// Only money that was paid on to someone who must give it back may:
    /// a client payable (a return of money already remitted). Agency income
    /// is deliberately *not* allowed to go negative: a return after the
    /// agency took its part is refused until a person books a correction.
    pub fn may_go_negative(self) -> bool {
        matches!(self, AccountKind::ClientPayable(_))
    }

    pub fn segment(self) -> Segment {
        match self {
            AccountKind::BankTrust
            | AccountKind::Suspense
            | AccountKind::RefundsPayable
            | AccountKind::AgencyCommission
            | AccountKind::AgencyCostRevenue
            | AccountKind::ClientPayable(_) => Segment::Trust,
            AccountKind::CasePrincipal(c)
            | AccountKind::CaseInterest(c)
            | AccountKind::CaseCosts(c)
            | AccountKind::CaseVat(c)
            | AccountKind::CaseEntitlement(c) => Segment::Case(c),
        }
    }

    /// The case an account belongs to, if any.
    pub fn case(self) -> Option<CaseId> {
        match self.segment() {
            Segment::Case(c) => Some(c),
            Segment::Trust => None,
        }
    }

    /// Stable text name, for storage and reports: `case_principal:17`.
    pub fn name(self) -> String {
        match self {
            AccountKind::BankTrust => "bank_trust".to_owned(),
            AccountKind::Suspense => "suspense".to_owned(),
            AccountKind::RefundsPayable => "refunds_payable".to_owned(),
            AccountKind::AgencyCommission => "agency_commission".to_owned(),
            AccountKind::AgencyCostRevenue => "agency_cost_revenue".to_owned(),
            AccountKind::ClientPayable(c) => format!("client_payable:{c}"),
            AccountKind::CasePrincipal(c) => format!("case_principal:{c}"),
            AccountKind::CaseInterest(c) => format!("case_interest:{c}"),
            AccountKind::CaseCosts(c) => format!("case_costs:{c}"),
            AccountKind::CaseVat(c) => format!("case_vat:{c}"),
            AccountKind::CaseEntitlement(c) => format!("case_entitlement:{c}"),
        }
    }
}

impl AccountKind {
    /// Reads a name written by [`AccountKind::name`].
    pub fn parse(name: &str) -> Option<AccountKind> {
        let (kind, id) = match name.split_once(':') {
            Some((k, id)) => (k, Some(id.parse::<i64>().ok()?)),
            None => (name, None),
        };
        Some(match (kind, id) {
            ("bank_trust", None) => AccountKind::BankTrust,
            ("suspense", None) => AccountKind::Suspense,
            ("refunds_payable", None) => AccountKind::RefundsPayable,
            ("agency_commission", None) => AccountKind::AgencyCommission,
            ("agency_cost_revenue", None) => AccountKind::AgencyCostRevenue,
            ("client_payable", Some(i)) => AccountKind::ClientPayable(ClientId(i)),
            ("case_principal", Some(i)) => AccountKind::CasePrincipal(CaseId(i)),
            ("case_interest", Some(i)) => AccountKind::CaseInterest(CaseId(i)),
            ("case_costs", Some(i)) => AccountKind::CaseCosts(CaseId(i)),
            ("case_vat", Some(i)) => AccountKind::CaseVat(CaseId(i)),
            ("case_entitlement", Some(i)) => AccountKind::CaseEntitlement(CaseId(i)),
            _ => return None,
        })
    }
}

impl std::fmt::Display for AccountKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}
