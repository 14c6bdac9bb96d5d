//! Posting recipes: pure functions that build the transfers for money
//! received, matched, charged, paid out, refunded and returned. They read
//! the ledger (to refuse what would overspend) but never change it: the
//! caller applies what they return.
//!
//! The postings of each recipe are tabled in this crate's `README.md`.

use kwijting_domain::{CaseId, ClaimId, ClientId, Date, Money, MoneyError, Rounding};
use kwijting_law::LawError;
use kwijting_law::nl::allocation::{
    ClaimForAllocation, ClaimParts, allocate_across_claims, allocate_within_claim,
};
use kwijting_law::statement::{Amounts, ClaimInput, PaymentApplication, Statement};

use crate::account::AccountKind;
use crate::ledger::{CaseBalance, Ledger, LedgerError, Violation};
use crate::transfer::{
    PostingsBuilder, Source, SourceKind, Transfer, TransferError, TransferKey, TransferKind,
};

/// The most claims one allocation divides a payment over.
pub const CLAIMS_PER_ALLOCATION_MAX: usize = 1_000;
/// Basis points in a whole.
pub const BPS_PER_WHOLE: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipeError {
    #[error("the amount must be greater than zero (got {0})")]
    NotPositive(Money),
    #[error("a part to charge must not be negative (got {0})")]
    NegativePart(Money),
    #[error("transfer {0} is not a receipt")]
    NotAReceipt(TransferKey),
    #[error("{asked} is more than the {left} left unallocated of receipt {receipt}")]
    MoreThanUnallocated {
        receipt: TransferKey,
        left: Money,
        asked: Money,
    },
    #[error("{asked} is more than the {balance} standing on {account}")]
    MoreThanBalance {
        account: AccountKind,
        balance: Money,
        asked: Money,
    },
    #[error(
        "the statement of account of case {case} ({statement:?}) differs from its ledger \
         balance ({ledger:?}); post the missing charges first"
    )]
    StatementMismatch {
        case: CaseId,
        statement: CaseBalance,
        ledger: CaseBalance,
    },
    #[error("the statement's payment ({amount} on {on}) is not the one being allocated")]
    NotThisPayment { amount: Money, on: Date },
    #[error("commission of {0} bps is more than 100%")]
    CommissionTooHigh(u32),
    #[error("too many claims: {0} (at most {CLAIMS_PER_ALLOCATION_MAX})")]
    TooManyClaims(usize),
    #[error("claim {0} appears twice")]
    DuplicateClaim(ClaimId),
    #[error("amount arithmetic overflowed")]
    Overflow,
    #[error(transparent)]
    Law(#[from] LawError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
}

impl From<MoneyError> for RecipeError {
    fn from(_: MoneyError) -> RecipeError {
        RecipeError::Overflow
    }
}

fn non_negative(parts: &CaseBalance) -> Result<(), RecipeError> {
    for part in [parts.principal, parts.interest, parts.costs, parts.vat] {
        if part.is_negative() {
            return Err(RecipeError::NegativePart(part));
        }
    }
    Ok(())
}

fn positive(amount: Money) -> Result<(), RecipeError> {
    if amount.cents() > 0 {
        Ok(())
    } else {
        Err(RecipeError::NotPositive(amount))
    }
}

/// Money received on the trust account: Dr BankTrust, Cr Suspense. `key` is
/// the statement entry's idempotency key; `entry_reference` says where it is
/// on the statement.
pub fn receipt(
    key: TransferKey,
    on: Date,
    amount: Money,
    entry_reference: &str,
) -> Result<Transfer, RecipeError> {
    positive(amount)?;
    let mut b = PostingsBuilder::default();
    b.debit(AccountKind::BankTrust, amount);
    b.credit(AccountKind::Suspense, amount);
    Ok(Transfer::new(
        key,
        TransferKind::Receipt,
        Source::new(SourceKind::StatementEntry, entry_reference)?,
        on,
        b.build()?,
        None,
        None,
    )?)
}

/// A charge on a case: the principal taken on, interest accrued, collection
/// costs and their VAT. Dr the case receivables, Cr CaseEntitlement. No
/// money moves, so nothing is income yet: income is recognised when it is
/// collected (see [`allocate`]). Zero parts are left out.
pub fn charge(
    key: TransferKey,
    on: Date,
    case: CaseId,
    parts: &CaseBalance,
    reference: &str,
) -> Result<Transfer, RecipeError> {
    non_negative(parts)?;
    let total = parts.total()?;
    positive(total)?;
    let mut b = PostingsBuilder::default();
    b.debit(AccountKind::CasePrincipal(case), parts.principal);
    b.debit(AccountKind::CaseInterest(case), parts.interest);
    b.debit(AccountKind::CaseCosts(case), parts.costs);
    b.debit(AccountKind::CaseVat(case), parts.vat);
    b.credit(AccountKind::CaseEntitlement(case), total);
    charge_transfer(key, on, b, reference)
}

fn charge_transfer(
    key: TransferKey,
    on: Date,
    b: PostingsBuilder,
    reference: &str,
) -> Result<Transfer, RecipeError> {
    Ok(Transfer::new(
        key,
        TransferKind::Charge,
        Source::new(SourceKind::Charge, reference)?,
        on,
        b.build()?,
        None,
        None,
    )?)
}

/// Brings a case's receivables to `target` (the law engine's statement of
/// account on the day): what is missing is charged (Dr the receivable, Cr
/// CaseEntitlement) and what the statement no longer has is taken off (a
/// payment reversed, a payment booked out of date order). One transfer of
/// kind `Charge`, or `None` when the ledger already agrees.
pub fn restate(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    case: CaseId,
    target: &CaseBalance,
    reference: &str,
) -> Result<Option<Transfer>, RecipeError> {
    non_negative(target)?;
    let booked = ledger.case_balance(case);
    if booked == *target {
        return Ok(None);
    }
    let mut b = PostingsBuilder::default();
    for (account, want, have) in [
        (
            AccountKind::CasePrincipal(case),
            target.principal,
            booked.principal,
        ),
        (
            AccountKind::CaseInterest(case),
            target.interest,
            booked.interest,
        ),
        (AccountKind::CaseCosts(case), target.costs, booked.costs),
        (AccountKind::CaseVat(case), target.vat, booked.vat),
    ] {
        let diff = want.checked_sub(have)?;
        b.debit(account, diff);
        b.credit(AccountKind::CaseEntitlement(case), diff);
    }
    charge_transfer(key, on, b, reference).map(Some)
}

/// A write-off (a person's decision, e.g. a case closed as uncollectable):
/// the mirror of a charge, Dr CaseEntitlement, Cr the case receivables.
/// Refused by the ledger for more than the case owes.
pub fn write_off(
    key: TransferKey,
    on: Date,
    case: CaseId,
    parts: &CaseBalance,
    reason: &str,
) -> Result<Transfer, RecipeError> {
    let c = charge(key.clone(), on, case, parts, reason)?;
    let mut b = PostingsBuilder::default();
    for p in c.postings() {
        b.credit(p.account, p.amount);
    }
    Ok(Transfer::new(
        key,
        TransferKind::Correction,
        Source::new(SourceKind::Manual, reason)?,
        on,
        b.build()?,
        None,
        None,
    )?)
}

/// Who keeps a kind of collected money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beneficiary {
    Client,
    Agency,
}

/// What a client agreed with the agency about collected money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAgreement {
    client: ClientId,
    commission_bps: u32,
    commission_rounding: Rounding,
    costs_to: Beneficiary,
    interest_to: Beneficiary,
}

impl ClientAgreement {
    /// `commission_bps` is the agency's commission (provisie) on collected
    /// principal, 0 to 10,000; it is rounded per allocation as
    /// `commission_rounding` says. Collected costs go with their VAT to
    /// `costs_to`; collected interest to `interest_to`.
    pub fn new(
        client: ClientId,
        commission_bps: u32,
        commission_rounding: Rounding,
        costs_to: Beneficiary,
        interest_to: Beneficiary,
    ) -> Result<ClientAgreement, RecipeError> {
        if commission_bps > BPS_PER_WHOLE {
            return Err(RecipeError::CommissionTooHigh(commission_bps));
        }
        Ok(ClientAgreement {
            client,
            commission_bps,
            commission_rounding,
            costs_to,
            interest_to,
        })
    }

    pub fn client(&self) -> ClientId {
        self.client
    }

    pub fn commission_bps(&self) -> u32 {
        self.commission_bps
    }

    /// The commission on `principal` collected: `principal * bps / 10,000`,
    /// rounded as agreed. Never more than the principal.
    pub fn commission_on(&self, principal: Money) -> Result<Money, RecipeError> {
        Ok(principal.mul_ratio(
            i64::from(self.commission_bps),
            i64::from(BPS_PER_WHOLE),
            self.commission_rounding,
        )?)
    }
}

/// One claim of a case as the statement of account has it on the day of
/// payment: what is outstanding, part by part (interest accrued up to the
/// day of payment must be charged before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimBalance {
    pub claim: ClaimId,
    pub due_on: Date,
    /// Art. 6:43 BW: higher is more onerous.
    pub onerousness: u32,
    pub owed: CaseBalance,
}

pub fn from_amounts(a: &Amounts) -> CaseBalance {
    CaseBalance {
        principal: a.principal,
        interest: a.interest,
        costs: a.costs,
        vat: a.vat,
    }
}

/// The claims of a case as the law engine's statement of account has them
/// outstanding, for [`allocate`]. `inputs` gives each claim's onerousness
/// (art. 6:43 BW); a claim missing from it counts as 0.
pub fn claims_from_statement(statement: &Statement, inputs: &[ClaimInput]) -> Vec<ClaimBalance> {
    statement
        .claims
        .iter()
        .map(|c| ClaimBalance {
            claim: c.id,
            due_on: c.due_on,
            onerousness: inputs
                .iter()
                .find(|i| i.id == c.id)
                .map_or(0, |i| i.onerousness),
            owed: from_amounts(&c.outstanding),
        })
        .collect()
}

/// Whether the case's ledger balance equals what the statement of account
/// has outstanding (for `kwijting ledger verify`). Interest the statement
/// accrued up to its `as_of` must have been charged for them to agree.
pub fn statement_agrees(
    ledger: &Ledger,
    case: CaseId,
    statement: &Statement,
) -> Result<(), Violation> {
    let outstanding = from_amounts(&statement.outstanding);
    let booked = ledger.case_balance(case);
    if outstanding == booked {
        Ok(())
    } else {
        Err(Violation::StatementMismatch {
            case,
            statement: outstanding,
            ledger: booked,
        })
    }
}

/// A request to apply (part of) a receipt to a case.
#[derive(Debug, Clone, Copy)]
pub struct AllocationRequest<'a> {
    /// The allocation's own idempotency key.
    pub key: &'a TransferKey,
    /// The receipt whose money is applied.
    pub receipt: &'a TransferKey,
    pub case: CaseId,
    /// At most what is left unallocated of the receipt.
    pub amount: Money,
    pub on: Date,
    pub agreement: &'a ClientAgreement,
    /// Why: the match rule and confidence, or the person who assigned it.
    pub reason: &'a str,
}

/// An allocation ready to apply, with how it divided the money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationPlan {
    pub transfer: Transfer,
    /// What each claim took, part by part (claims taking nothing left out).
    pub per_claim: Vec<(ClaimId, CaseBalance)>,
    /// What the case took, part by part.
    pub applied: CaseBalance,
    /// Agency commission on the principal collected.
    pub commission: Money,
    /// Credited to the client's payable.
    pub to_client: Money,
    /// Credited to the agency's cost revenue (costs, VAT, interest it keeps).
    pub to_agency: Money,
    /// Beyond what the case owes: held for refund.
    pub refund: Money,
}

/// Applies (part of) a receipt to a case: art. 6:43 BW across its claims
/// (`designated`: the claim the debtor named, art. 6:43(1)), art. 6:44 BW
/// within each (costs with VAT last, then interest, then principal), using
/// the law engine's allocation functions. `claims` is the statement of
/// account on the day; together the claims must equal the case's ledger
/// balance. The money moves from Suspense to the client payable and agency
/// income per the agreement; the case receivables are credited against its
/// entitlement; what the case does not owe goes to RefundsPayable, never to
/// income.
///
/// Interest here is what the ledger holds, in whole cents. The law engine's
/// statement lets a payment settle the running interest rounded *down*, so
/// when the accrued interest ends in half a cent or more this may put one
/// cent more on interest and one less on principal than the statement does;
/// where the statement is at hand, post what it applied with
/// [`allocate_applied`] instead.
pub fn allocate(
    ledger: &Ledger,
    req: &AllocationRequest<'_>,
    claims: &[ClaimBalance],
    designated: Option<ClaimId>,
) -> Result<AllocationPlan, RecipeError> {
    check_receipt(ledger, req)?;
    if claims.len() > CLAIMS_PER_ALLOCATION_MAX {
        return Err(RecipeError::TooManyClaims(claims.len()));
    }
    let mut statement = CaseBalance::default();
    for (i, c) in claims.iter().enumerate() {
        if claims[..i].iter().any(|d| d.claim == c.claim) {
            return Err(RecipeError::DuplicateClaim(c.claim));
        }
        statement = add_parts(&statement, &c.owed)?;
    }
    let booked = ledger.case_balance(req.case);
    if statement != booked {
        return Err(RecipeError::StatementMismatch {
            case: req.case,
            statement,
            ledger: booked,
        });
    }

    let for_law = claims
        .iter()
        .map(|c| {
            Ok(ClaimForAllocation {
                claim: c.claim,
                outstanding: c.owed.total()?,
                due_on: c.due_on,
                onerousness: c.onerousness,
            })
        })
        .collect::<Result<Vec<_>, RecipeError>>()?;
    let across = allocate_across_claims(req.amount, req.on, designated, &for_law)?;
    let mut refund = across.unapplied;
    let mut per_claim = Vec::with_capacity(across.shares.len());
    for share in across.shares.iter().filter(|s| !s.amount.is_zero()) {
        let Some(claim) = claims.iter().find(|c| c.claim == share.claim) else {
            return Err(LedgerError::InvariantBroken(format!(
                "the law engine returned unknown claim {}",
                share.claim
            ))
            .into());
        };
        let owed = ClaimParts {
            costs: claim.owed.costs.checked_add(claim.owed.vat)?,
            interest: claim.owed.interest,
            principal: claim.owed.principal,
        };
        let (took, rest) = allocate_within_claim(share.amount, &owed)?;
        // Within the costs, VAT last (as the statement of account does).
        let costs = took.costs.min(claim.owed.costs);
        let parts = CaseBalance {
            principal: took.principal,
            interest: took.interest,
            costs,
            vat: took.costs.checked_sub(costs)?,
        };
        refund = refund.checked_add(rest)?;
        per_claim.push((claim.claim, parts));
    }
    post_allocation(req, per_claim, refund)
}

/// Posts a payment exactly as the law engine's statement of account applied
/// it (`application`: the statement's entry for this payment, computed with
/// the payment as an event on `req.on` for `req.amount`). The preferred way:
/// the case's ledger balance then equals the statement's outstanding
/// amounts ([`statement_agrees`]). The ledger refuses it if it would take a
/// part below zero (the statement and the ledger disagreed before).
pub fn allocate_applied(
    ledger: &Ledger,
    req: &AllocationRequest<'_>,
    application: &PaymentApplication,
) -> Result<AllocationPlan, RecipeError> {
    check_receipt(ledger, req)?;
    if application.amount != req.amount || application.on != req.on {
        return Err(RecipeError::NotThisPayment {
            amount: application.amount,
            on: application.on,
        });
    }
    if application.shares.len() > CLAIMS_PER_ALLOCATION_MAX {
        return Err(RecipeError::TooManyClaims(application.shares.len()));
    }
    let mut per_claim: Vec<(ClaimId, CaseBalance)> = Vec::with_capacity(application.shares.len());
    for share in &application.shares {
        let parts = from_amounts(&share.applied);
        non_negative(&parts)?;
        if parts.total()?.is_zero() {
            continue;
        }
        if per_claim.iter().any(|(c, _)| *c == share.claim) {
            return Err(RecipeError::DuplicateClaim(share.claim));
        }
        per_claim.push((share.claim, parts));
    }
    post_allocation(req, per_claim, application.unapplied)
}

fn check_receipt(ledger: &Ledger, req: &AllocationRequest<'_>) -> Result<(), RecipeError> {
    positive(req.amount)?;
    let receipt = ledger
        .transfer(req.receipt)
        .ok_or_else(|| LedgerError::UnknownTransfer(req.receipt.clone()))?;
    if receipt.kind() != TransferKind::Receipt {
        return Err(RecipeError::NotAReceipt(req.receipt.clone()));
    }
    let left = ledger.unspent(req.receipt)?;
    if req.amount > left {
        return Err(RecipeError::MoreThanUnallocated {
            receipt: req.receipt.clone(),
            left,
            asked: req.amount,
        });
    }
    Ok(())
}

/// Builds the allocation transfer from what each claim took and the
/// overpayment, dividing the money per the client agreement.
fn post_allocation(
    req: &AllocationRequest<'_>,
    per_claim: Vec<(ClaimId, CaseBalance)>,
    refund: Money,
) -> Result<AllocationPlan, RecipeError> {
    if refund.is_negative() {
        return Err(RecipeError::NegativePart(refund));
    }
    let mut applied = CaseBalance::default();
    for (_, parts) in &per_claim {
        applied = add_parts(&applied, parts)?;
    }
    let a = req.agreement;
    let commission = a.commission_on(applied.principal)?;
    let costs_with_vat = applied.costs.checked_add(applied.vat)?;
    let mut to_client = applied.principal.checked_sub(commission)?;
    let mut to_agency = Money::ZERO;
    for (amount, who) in [
        (costs_with_vat, a.costs_to),
        (applied.interest, a.interest_to),
    ] {
        match who {
            Beneficiary::Client => to_client = to_client.checked_add(amount)?,
            Beneficiary::Agency => to_agency = to_agency.checked_add(amount)?,
        }
    }
    // Conservation, asserted before the transfer is even built.
    let out = i128::from(to_client.cents())
        + i128::from(to_agency.cents())
        + i128::from(commission.cents())
        + i128::from(refund.cents());
    if out != i128::from(req.amount.cents()) || commission.is_negative() || to_client.is_negative()
    {
        return Err(LedgerError::InvariantBroken(format!(
            "allocation {} does not conserve {}",
            req.key, req.amount
        ))
        .into());
    }

    let case = req.case;
    let mut b = PostingsBuilder::default();
    b.debit(AccountKind::Suspense, req.amount);
    b.credit(AccountKind::ClientPayable(a.client), to_client);
    b.credit(AccountKind::AgencyCommission, commission);
    b.credit(AccountKind::AgencyCostRevenue, to_agency);
    b.credit(AccountKind::RefundsPayable, refund);
    b.debit(AccountKind::CaseEntitlement(case), applied.total()?);
    b.credit(AccountKind::CasePrincipal(case), applied.principal);
    b.credit(AccountKind::CaseInterest(case), applied.interest);
    b.credit(AccountKind::CaseCosts(case), applied.costs);
    b.credit(AccountKind::CaseVat(case), applied.vat);
    let transfer = Transfer::new(
        req.key.clone(),
        TransferKind::Allocation,
        Source::new(
            SourceKind::Allocation,
            &format!("{}: {}", req.receipt, req.reason),
        )?,
        req.on,
        b.build()?,
        None,
        Some(req.receipt.clone()),
    )?;
    Ok(AllocationPlan {
        transfer,
        per_claim,
        applied,
        commission,
        to_client,
        to_agency,
        refund,
    })
}

fn add_parts(a: &CaseBalance, b: &CaseBalance) -> Result<CaseBalance, RecipeError> {
    Ok(CaseBalance {
        principal: a.principal.checked_add(b.principal)?,
        interest: a.interest.checked_add(b.interest)?,
        costs: a.costs.checked_add(b.costs)?,
        vat: a.vat.checked_add(b.vat)?,
    })
}

fn pay_out(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    from: AccountKind,
    amount: Money,
    kind: TransferKind,
    source: Source,
) -> Result<Transfer, RecipeError> {
    positive(amount)?;
    let balance = ledger.normal_balance(from)?;
    if amount > balance {
        return Err(RecipeError::MoreThanBalance {
            account: from,
            balance,
            asked: amount,
        });
    }
    let mut b = PostingsBuilder::default();
    b.debit(from, amount);
    b.credit(AccountKind::BankTrust, amount);
    Ok(Transfer::new(
        key,
        kind,
        source,
        on,
        b.build()?,
        None,
        None,
    )?)
}

/// A remittance (afdracht) to the client: Dr ClientPayable, Cr BankTrust.
/// At most what the client is owed.
pub fn remit(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    client: ClientId,
    amount: Money,
    run_reference: &str,
) -> Result<Transfer, RecipeError> {
    pay_out(
        ledger,
        key,
        on,
        AccountKind::ClientPayable(client),
        amount,
        TransferKind::Remittance,
        Source::new(SourceKind::Remittance, run_reference)?,
    )
}

/// Agency income moved from the trust account to the agency's own account:
/// Dr AgencyCommission or AgencyCostRevenue, Cr BankTrust.
pub fn transfer_agency_income(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    from: AgencyIncome,
    amount: Money,
    run_reference: &str,
) -> Result<Transfer, RecipeError> {
    let account = match from {
        AgencyIncome::Commission => AccountKind::AgencyCommission,
        AgencyIncome::CostRevenue => AccountKind::AgencyCostRevenue,
    };
    pay_out(
        ledger,
        key,
        on,
        account,
        amount,
        TransferKind::Remittance,
        Source::new(SourceKind::Remittance, run_reference)?,
    )
}

/// Bank costs the bank debited from the trust account: Dr
/// AgencyCommission, Cr BankTrust, a person's booking (`Correction`) with
/// the statement entry as its source. The costs of holding the trust
/// account are the agency's running costs, never a client's or a
/// debtor's: they are paid from the agency's fee income (its commission)
/// still in the account, at most what it holds (the trust account must
/// keep covering what clients are owed; the agency funds a shortfall
/// first).
pub fn bank_costs(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    amount: Money,
    entry_reference: &str,
) -> Result<Transfer, RecipeError> {
    pay_out(
        ledger,
        key,
        on,
        AccountKind::AgencyCommission,
        amount,
        TransferKind::Correction,
        Source::new(SourceKind::StatementEntry, entry_reference)?,
    )
}

/// Which agency income account a transfer to the agency draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyIncome {
    Commission,
    CostRevenue,
}

/// An overpayment paid back: Dr RefundsPayable, Cr BankTrust.
pub fn refund(
    ledger: &Ledger,
    key: TransferKey,
    on: Date,
    amount: Money,
    reference: &str,
) -> Result<Transfer, RecipeError> {
    pay_out(
        ledger,
        key,
        on,
        AccountKind::RefundsPayable,
        amount,
        TransferKind::Refund,
        Source::new(SourceKind::Refund, reference)?,
    )
}

/// A receipt the bank takes back (a return, `RvslInd`): the reversals of
/// every unreversed allocation made from it, then of the receipt itself, in
/// the order to apply them. `source` is the statement entry of the return.
pub fn return_receipt(
    ledger: &Ledger,
    receipt: &TransferKey,
    on: Date,
    new_key: TransferKey,
    source: &Source,
) -> Result<Vec<Transfer>, RecipeError> {
    let t = ledger
        .transfer(receipt)
        .ok_or_else(|| LedgerError::UnknownTransfer(receipt.clone()))?;
    if t.kind() != TransferKind::Receipt {
        return Err(RecipeError::NotAReceipt(receipt.clone()));
    }
    Ok(ledger.reverse_with_dependents(receipt, on, new_key, source)?)
}
