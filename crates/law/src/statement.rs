//! The statement of account (specificatie) of a case on an `as_of` date:
//! principal, interest per period, costs, VAT, payments and how each was
//! applied, and the balance. Deterministic: the same case and date give the
//! same statement, byte for byte.
//!
//! Events are applied in date order (input order within a day); events after
//! `as_of` are ignored. On a payment day, interest first runs up to and
//! including that day; the payment is then divided over the claims (art. 6:43
//! BW) and within each claim over costs (VAT last), interest and principal
//! (art. 6:44 BW).
//!
//! Every cent is accounted for: for each claim and in total, what was charged
//! minus what was paid equals what is outstanding, and every payment equals
//! its applied parts plus what was left unapplied. A statement that does not
//! balance is refused ([`LawError::Invariant`]), never printed.

use std::fmt::Write as _;

use kwijting_domain::{ClaimId, Date, DebtorType, Money};

use crate::calendar::{check_range, day_number};
use crate::money_ext::MoneyExt;
use crate::nl::Netherlands;
use crate::nl::allocation::{
    ClaimForAllocation, ClaimParts, allocate_across_claims, allocate_within_claim,
};
use crate::nl::costs::{
    BusinessCostsAgreement, CostsRule, costs_on_base, principal_increased_by_added_interest,
};
use crate::nl::deadline::{DemandLetterDeadline, demand_letter_deadline};
use crate::nl::interest::{Accrual, InterestKind, InterestPeriod, InterestPosting, PostingKind};
use crate::nl::rates::RateMark;
use crate::{LawError, RateBps};

/// The most claims one case may hold.
pub const CLAIMS_PER_CASE_MAX: usize = 1_000;
/// The most events one statement may apply.
pub const EVENTS_PER_CASE_MAX: usize = 10_000;
/// The largest principal of one claim: EUR 10 billion.
pub const PRINCIPAL_MAX: Money = Money::from_cents(1_000_000_000_000);

/// One claim (vordering) of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimInput {
    pub id: ClaimId,
    pub principal: Money,
    /// The agreed payment day; the claim is due (opeisbaar) from it.
    pub due_on: Date,
    /// The first day of interest (usually the day after `due_on`).
    pub interest_from: Date,
    pub interest: InterestKind,
    /// For art. 6:43 BW: higher is more onerous.
    pub onerousness: u32,
}

/// Something that happened to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A payment by the debtor, optionally naming the claim (art. 6:43(1)).
    Payment {
        amount: Money,
        designated: Option<ClaimId>,
    },
    /// A 14-day letter (art. 6:96(6) BW) was sent; for a consumer, costs may
    /// be charged only after its term.
    DemandLetter,
    /// Charge the collection costs for all claims together (art. 6:96(7)),
    /// per the case's [`CostsSettings`]. For a consumer they are computed on
    /// the principal unpaid when the letter's term ended.
    CollectionCosts,
    /// Recalculate the costs on the principal increased by the interest added
    /// after a year (BIK memorandum point 5); only when the client setting is
    /// on.
    CostsRecalculation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub on: Date,
    pub kind: EventKind,
}

/// The client's settings that decide the costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CostsSettings {
    /// The VAT rate, when the creditor declared it cannot deduct VAT.
    pub vat_rate: Option<RateBps>,
    /// For business debtors.
    pub agreement: BusinessCostsAgreement,
    /// Recalculate the costs after a year on the principal with added
    /// interest.
    pub recalculate_after_a_year: bool,
}

/// A case: its claims, its events, and the date of the statement.
#[derive(Debug, Clone, Copy)]
pub struct CaseInput<'a> {
    pub debtor: DebtorType,
    pub claims: &'a [ClaimInput],
    pub events: &'a [Event],
    pub costs: CostsSettings,
    pub as_of: Date,
}

/// The four kinds of amount a statement shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    pub principal: Money,
    pub interest: Money,
    pub costs: Money,
    pub vat: Money,
}

impl Amounts {
    pub fn total(&self) -> Result<Money, LawError> {
        self.principal
            .plus(self.interest)?
            .plus(self.costs)?
            .plus(self.vat)
    }

    fn add(&self, other: &Amounts) -> Result<Amounts, LawError> {
        Ok(Amounts {
            principal: self.principal.plus(other.principal)?,
            interest: self.interest.plus(other.interest)?,
            costs: self.costs.plus(other.costs)?,
            vat: self.vat.plus(other.vat)?,
        })
    }

    fn sub(&self, other: &Amounts) -> Result<Amounts, LawError> {
        Ok(Amounts {
            principal: self.principal.minus(other.principal)?,
            interest: self.interest.minus(other.interest)?,
            costs: self.costs.minus(other.costs)?,
            vat: self.vat.minus(other.vat)?,
        })
    }
}

/// One claim on the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimStatement {
    pub id: ClaimId,
    pub interest_kind: InterestKind,
    pub due_on: Date,
    pub interest_from: Date,
    pub periods: Vec<InterestPeriod>,
    pub postings: Vec<InterestPosting>,
    pub charged: Amounts,
    pub paid: Amounts,
    pub outstanding: Amounts,
}

/// Collection costs charged on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostsCharge {
    pub on: Date,
    /// The principal the costs were computed on.
    pub base: Money,
    pub costs: Money,
    pub vat: Money,
    pub rule: CostsRule,
    /// A recalculation after a year (only the difference is charged).
    pub recalculation: bool,
    /// Agreed costs above the BIK (a court may reduce them).
    pub exceeds_bik: bool,
}

/// A payment's part for one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentShare {
    pub claim: ClaimId,
    pub applied: Amounts,
}

/// A payment and how it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentApplication {
    pub on: Date,
    pub amount: Money,
    pub designated: Option<ClaimId>,
    pub shares: Vec<PaymentShare>,
    /// What no claim could take: an overpayment to refund.
    pub unapplied: Money,
}

/// The statement of account of a case on `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub as_of: Date,
    pub debtor: DebtorType,
    pub claims: Vec<ClaimStatement>,
    /// The 14-day letter that governs the costs, if one was sent.
    pub demand_letter: Option<DemandLetterDeadline>,
    pub costs: Vec<CostsCharge>,
    pub payments: Vec<PaymentApplication>,
    pub charged: Amounts,
    pub paid: Amounts,
    pub outstanding: Amounts,
    /// Payments no claim could take.
    pub unapplied: Money,
    /// What the debtor owes on `as_of`.
    pub balance: Money,
    /// Some period used a provisional rate.
    pub uses_provisional_rate: bool,
    /// Some period used an assumed commercial rate; the operator's note.
    pub assumed_rate_note: Option<String>,
    /// The costs terms the statement was made with (the basis its costs
    /// lines show: the BIK or what was agreed, and VAT when the creditor
    /// cannot deduct it).
    pub costs_terms: CostsSettings,
}

struct ClaimState {
    accrual: Accrual,
    /// Principal unpaid when the 14-day letter's term ended.
    unpaid_at_term_end: Money,
    periods: Vec<InterestPeriod>,
    postings: Vec<InterestPosting>,
    costs: Money,
    vat: Money,
    charged: Amounts,
    paid: Amounts,
}

impl ClaimState {
    fn costs_outstanding(&self) -> Result<Money, LawError> {
        self.costs.plus(self.vat)
    }

    fn owed_now(&self) -> Result<ClaimParts, LawError> {
        Ok(ClaimParts {
            costs: self.costs_outstanding()?,
            interest: Money::from_cents(self.accrual.interest_payable()),
            principal: Money::from_cents(self.accrual.principal),
        })
    }
}

/// The statement of account of `case` on `case.as_of` under Dutch law.
pub fn statement_of_account(nl: &Netherlands, case: &CaseInput<'_>) -> Result<Statement, LawError> {
    validate(case)?;
    let rates = nl.rates();
    let mut states: Vec<ClaimState> = case
        .claims
        .iter()
        .map(|c| ClaimState {
            accrual: Accrual::new(c.interest, c.interest_from, c.principal),
            unpaid_at_term_end: c.principal,
            periods: Vec::with_capacity(period_capacity(c.interest_from, case)),
            postings: Vec::with_capacity(8),
            costs: Money::ZERO,
            vat: Money::ZERO,
            charged: Amounts {
                principal: c.principal,
                ..Amounts::default()
            },
            paid: Amounts::default(),
        })
        .collect();

    // Events in date order, input order within a day; most callers pass
    // them sorted, and then no index is built.
    let sorted = case.events.is_sorted_by_key(|e| e.on);
    let order: Vec<usize> = if sorted {
        Vec::new()
    } else {
        let mut order: Vec<usize> = (0..case.events.len()).collect();
        order.sort_by_key(|i| case.events[*i].on);
        order
    };

    let mut demand_letter: Option<DemandLetterDeadline> = None;
    let mut term_end_taken = false;
    let mut costs_lines: Vec<CostsCharge> = Vec::new();
    let mut payments: Vec<PaymentApplication> = Vec::with_capacity(case.events.len());

    let event_at = |k: usize| case.events[if sorted { k } else { order[k] }];
    for k in 0..case.events.len() {
        let event = event_at(k);
        if event.on > case.as_of {
            continue;
        }
        let day = day_number(event.on);
        if let Some(letter) = demand_letter
            && !term_end_taken
            && event.on >= letter.costs_from
        {
            // Only claims in default when the letter was sent carry costs.
            for (s, c) in states.iter_mut().zip(case.claims) {
                s.unpaid_at_term_end = if c.due_on < letter.sent_on {
                    Money::from_cents(s.accrual.principal)
                } else {
                    Money::ZERO
                };
            }
            term_end_taken = true;
        }
        match event.kind {
            EventKind::Payment { amount, designated } => {
                for s in states.iter_mut() {
                    s.accrual
                        .accrue_through(rates, day, &mut s.periods, &mut s.postings)?;
                }
                payments.push(apply_payment(
                    case,
                    &mut states,
                    event.on,
                    amount,
                    designated,
                )?);
            }
            EventKind::DemandLetter => {
                if case.debtor == DebtorType::Consumer && costs_lines.is_empty() {
                    let in_default_from = in_default_from(case)?;
                    if event.on < in_default_from {
                        return Err(LawError::LetterBeforeDefault {
                            sent_on: event.on,
                            in_default_from,
                        });
                    }
                    demand_letter = Some(demand_letter_deadline(event.on, nl.holidays())?);
                    term_end_taken = false;
                }
            }
            EventKind::CollectionCosts => {
                if !costs_lines.is_empty() {
                    return Err(LawError::CostsAlreadyCharged { on: event.on });
                }
                match case.debtor {
                    DebtorType::Consumer => {
                        let Some(letter) = demand_letter else {
                            return Err(LawError::NoDemandLetter {
                                charged_on: event.on,
                            });
                        };
                        if event.on < letter.costs_from || !term_end_taken {
                            return Err(LawError::CostsBeforeTermEnded {
                                charged_on: event.on,
                                sent_on: letter.sent_on,
                                costs_from: letter.costs_from,
                            });
                        }
                    }
                    // No 14-day letter for a business: the principal now,
                    // of the claims in default today.
                    DebtorType::Business => {
                        let in_default_from = in_default_from(case)?;
                        if event.on < in_default_from {
                            return Err(LawError::CostsBeforeDefault {
                                charged_on: event.on,
                                in_default_from,
                            });
                        }
                        for (s, c) in states.iter_mut().zip(case.claims) {
                            s.unpaid_at_term_end = if c.due_on < event.on {
                                Money::from_cents(s.accrual.principal)
                            } else {
                                Money::ZERO
                            };
                        }
                    }
                }
                // Art. 6:96(7) BW: on the sum of the principals.
                let base = states
                    .iter()
                    .try_fold(Money::ZERO, |sum, s| sum.plus(s.unpaid_at_term_end))?;
                let costs =
                    costs_on_base(case.debtor, base, case.costs.vat_rate, case.costs.agreement)?;
                book_costs(&mut states, costs.costs, costs.vat, |s| {
                    s.unpaid_at_term_end.cents()
                })?;
                costs_lines.push(CostsCharge {
                    on: event.on,
                    base: costs.base,
                    costs: costs.costs,
                    vat: costs.vat,
                    rule: costs.rule,
                    recalculation: false,
                    exceeds_bik: costs.exceeds_bik,
                });
            }
            EventKind::CostsRecalculation => {
                if !case.costs.recalculate_after_a_year {
                    return Err(LawError::RecalculationNotEnabled { on: event.on });
                }
                let Some(first) = costs_lines.first().copied() else {
                    return Err(LawError::RecalculationWithoutCosts { on: event.on });
                };
                for s in states.iter_mut() {
                    s.accrual
                        .accrue_through(rates, day, &mut s.periods, &mut s.postings)?;
                }
                // The interest added to the base after each completed year
                // (art. 6:119(2) BW), up to this day.
                let added = states
                    .iter()
                    .flat_map(|s| s.postings.iter())
                    .filter(|p| p.kind == PostingKind::AddedToBase)
                    .try_fold(Money::ZERO, |sum, p| sum.plus(p.amount))?;
                let base = principal_increased_by_added_interest(first.base, added)?;
                let costs =
                    costs_on_base(case.debtor, base, case.costs.vat_rate, case.costs.agreement)?;
                let (mut costs_so_far, mut vat_so_far) = (Money::ZERO, Money::ZERO);
                for l in &costs_lines {
                    costs_so_far = costs_so_far.plus(l.costs)?;
                    vat_so_far = vat_so_far.plus(l.vat)?;
                }
                let extra_costs = costs.costs.minus(costs_so_far)?.max(Money::ZERO);
                let extra_vat = costs.vat.minus(vat_so_far)?.max(Money::ZERO);
                // Apportioned as the first charge was.
                book_costs(&mut states, extra_costs, extra_vat, |s| {
                    s.charged.costs.cents()
                })?;
                costs_lines.push(CostsCharge {
                    on: event.on,
                    base: costs.base,
                    costs: extra_costs,
                    vat: extra_vat,
                    rule: costs.rule,
                    recalculation: true,
                    exceeds_bik: costs.exceeds_bik,
                });
            }
        }
    }

    let as_of_day = day_number(case.as_of);
    let mut claims = Vec::with_capacity(states.len());
    let mut total_charged = Amounts::default();
    let mut total_paid = Amounts::default();
    let mut total_outstanding = Amounts::default();
    let mut uses_provisional_rate = false;
    let mut uses_assumed_rate = false;
    for (c, mut s) in case.claims.iter().zip(states) {
        s.accrual
            .close(rates, as_of_day, &mut s.periods, &mut s.postings)?;
        s.charged.interest = Money::from_cents(s.accrual.interest_total);
        let outstanding = Amounts {
            principal: Money::from_cents(s.accrual.principal),
            interest: Money::from_cents(s.accrual.interest_outstanding()),
            costs: s.costs,
            vat: s.vat,
        };
        if s.charged.sub(&s.paid)? != outstanding {
            return Err(LawError::Invariant(
                "charged minus paid differs from outstanding",
            ));
        }
        let posted = s
            .postings
            .iter()
            .try_fold(Money::ZERO, |sum, p| sum.plus(p.amount))?;
        if posted != s.charged.interest {
            return Err(LawError::Invariant(
                "interest postings differ from interest charged",
            ));
        }
        uses_provisional_rate |= s.periods.iter().any(|p| p.mark == RateMark::Provisional);
        uses_assumed_rate |= s.periods.iter().any(|p| p.mark == RateMark::Assumed);
        total_charged = total_charged.add(&s.charged)?;
        total_paid = total_paid.add(&s.paid)?;
        total_outstanding = total_outstanding.add(&outstanding)?;
        claims.push(ClaimStatement {
            id: c.id,
            interest_kind: c.interest,
            due_on: c.due_on,
            interest_from: c.interest_from,
            periods: s.periods,
            postings: s.postings,
            charged: s.charged,
            paid: s.paid,
            outstanding,
        });
    }
    let mut received = Money::ZERO;
    let mut unapplied = Money::ZERO;
    let mut applied = Amounts::default();
    for p in &payments {
        received = received.plus(p.amount)?;
        unapplied = unapplied.plus(p.unapplied)?;
        for share in &p.shares {
            applied = applied.add(&share.applied)?;
        }
    }
    if applied != total_paid || applied.total()?.plus(unapplied)? != received {
        return Err(LawError::Invariant(
            "payments differ from their applied parts",
        ));
    }
    let balance = total_outstanding.total()?;
    if total_charged.total()?.minus(total_paid.total()?)? != balance {
        return Err(LawError::Invariant(
            "balance differs from charged minus paid",
        ));
    }
    Ok(Statement {
        as_of: case.as_of,
        debtor: case.debtor,
        claims,
        demand_letter,
        costs: costs_lines,
        payments,
        charged: total_charged,
        paid: total_paid,
        outstanding: total_outstanding,
        unapplied,
        balance,
        uses_provisional_rate,
        assumed_rate_note: if uses_assumed_rate {
            nl.rates().commercial_assumption().map(str::to_owned)
        } else {
            None
        },
        costs_terms: case.costs,
    })
}

/// The first day the debtor is in default (verzuim) for some claim of the
/// case: the day after the earliest payment deadline (art. 6:83(a) BW, a
/// fatal term). Before it no letter counts and no costs are due.
pub fn in_default_from(case: &CaseInput<'_>) -> Result<Date, LawError> {
    let earliest = case
        .claims
        .iter()
        .map(|c| c.due_on)
        .min()
        .ok_or(LawError::NoClaims)?;
    earliest
        .tomorrow()
        .map_err(|_| LawError::DateOutOfRange(earliest))
}

fn validate(case: &CaseInput<'_>) -> Result<(), LawError> {
    check_range(case.as_of)?;
    if case.claims.is_empty() {
        return Err(LawError::NoClaims);
    }
    if case.claims.len() > CLAIMS_PER_CASE_MAX {
        return Err(LawError::TooMany {
            what: "claims in a case",
            got: case.claims.len(),
            max: CLAIMS_PER_CASE_MAX,
        });
    }
    if case.events.len() > EVENTS_PER_CASE_MAX {
        return Err(LawError::TooMany {
            what: "events in a case",
            got: case.events.len(),
            max: EVENTS_PER_CASE_MAX,
        });
    }
    for (i, c) in case.claims.iter().enumerate() {
        if c.principal.is_negative() {
            return Err(LawError::NegativePrincipal(c.principal));
        }
        if c.principal > PRINCIPAL_MAX {
            return Err(LawError::TooLarge(c.principal));
        }
        check_range(c.due_on)?;
        check_range(c.interest_from)?;
        if case.claims[..i].iter().any(|o| o.id == c.id) {
            return Err(LawError::DuplicateClaim(c.id));
        }
    }
    for e in case.events {
        check_range(e.on)?;
        if let EventKind::Payment { amount, designated } = e.kind {
            if amount.is_negative() {
                return Err(LawError::NegativeAmount(amount));
            }
            if amount > PRINCIPAL_MAX {
                return Err(LawError::TooLarge(amount));
            }
            if let Some(id) = designated
                && !case.claims.iter().any(|c| c.id == id)
            {
                return Err(LawError::UnknownClaim(id));
            }
        }
    }
    Ok(())
}

fn apply_payment(
    case: &CaseInput<'_>,
    states: &mut [ClaimState],
    on: Date,
    amount: Money,
    designated: Option<ClaimId>,
) -> Result<PaymentApplication, LawError> {
    let mut shares = Vec::with_capacity(states.len().min(4));
    let mut unapplied;
    if let [state] = &mut *states {
        // One claim: art. 6:43 has nothing to choose.
        let take = amount.min(state.owed_now()?.total()?);
        unapplied = amount.minus(take)?;
        if !take.is_zero() {
            let (applied, left) = apply_to_claim(state, take, on)?;
            unapplied = unapplied.plus(left)?;
            shares.push(PaymentShare {
                claim: case.claims[0].id,
                applied,
            });
        }
    } else {
        let mut for_allocation = Vec::with_capacity(states.len());
        for (c, s) in case.claims.iter().zip(states.iter()) {
            for_allocation.push(ClaimForAllocation {
                claim: c.id,
                outstanding: s.owed_now()?.total()?,
                due_on: c.due_on,
                onerousness: c.onerousness,
            });
        }
        let allocation = allocate_across_claims(amount, on, designated, &for_allocation)?;
        unapplied = allocation.unapplied;
        for share in allocation.shares {
            if share.amount.is_zero() {
                continue;
            }
            let Some(i) = case.claims.iter().position(|c| c.id == share.claim) else {
                return Err(LawError::UnknownClaim(share.claim));
            };
            let (applied, left) = apply_to_claim(&mut states[i], share.amount, on)?;
            unapplied = unapplied.plus(left)?;
            shares.push(PaymentShare {
                claim: share.claim,
                applied,
            });
        }
    }
    Ok(PaymentApplication {
        on,
        amount,
        designated,
        shares,
        unapplied,
    })
}

/// Art. 6:44 BW within one claim: costs (VAT last), interest, principal.
fn apply_to_claim(
    s: &mut ClaimState,
    amount: Money,
    on: Date,
) -> Result<(Amounts, Money), LawError> {
    let (parts, left) = allocate_within_claim(amount, &s.owed_now()?)?;
    let costs = parts.costs.min(s.costs);
    let vat = parts.costs.minus(costs)?;
    s.costs = s.costs.minus(costs)?;
    s.vat = s.vat.minus(vat)?;
    s.accrual
        .pay_interest(parts.interest.cents(), on, &mut s.postings);
    s.accrual.pay_principal(parts.principal.cents());
    let applied = Amounts {
        principal: parts.principal,
        interest: parts.interest,
        costs,
        vat,
    };
    s.paid = s.paid.add(&applied)?;
    Ok((applied, left))
}

/// Room for the interest periods of a claim: about two a year plus splits.
fn period_capacity(interest_from: Date, case: &CaseInput<'_>) -> usize {
    let days = (day_number(case.as_of) - day_number(interest_from)).max(0);
    usize::try_from(days / 150).unwrap_or(0) + 4 + case.events.len()
}

/// Books costs and VAT on the claims, pro rata to `weight` (each claim's
/// share of the principal the costs were computed on), every cent placed.
fn book_costs(
    states: &mut [ClaimState],
    costs: Money,
    vat: Money,
    weight: impl Fn(&ClaimState) -> i64,
) -> Result<(), LawError> {
    if costs.is_zero() && vat.is_zero() {
        return Ok(());
    }
    let book = |s: &mut ClaimState, c: Money, v: Money| -> Result<(), LawError> {
        s.costs = s.costs.plus(c)?;
        s.vat = s.vat.plus(v)?;
        s.charged.costs = s.charged.costs.plus(c)?;
        s.charged.vat = s.charged.vat.plus(v)?;
        Ok(())
    };
    if let [only] = states {
        return book(only, costs, vat);
    }
    let weights: Vec<i64> = states.iter().map(&weight).collect();
    let split = |amount: Money| -> Result<Vec<Money>, LawError> {
        match amount.allocate(&weights) {
            Some(parts) => Ok(parts),
            None => Err(LawError::Invariant(
                "costs without a principal to carry them",
            )),
        }
    };
    let (costs_parts, vat_parts) = (split(costs)?, split(vat)?);
    for ((s, c), v) in states.iter_mut().zip(costs_parts).zip(vat_parts) {
        book(s, c, v)?;
    }
    Ok(())
}

fn amounts_row(out: &mut String, label: &str, a: &Amounts) -> Result<(), LawError> {
    let _ = writeln!(
        out,
        "  {label:<12}{:>14}{:>14}{:>14}{:>14}{:>14}",
        a.principal.to_string(),
        a.interest.to_string(),
        a.costs.to_string(),
        a.vat.to_string(),
        a.total()?.to_string()
    );
    Ok(())
}

impl Statement {
    /// The statement as a plain-text table (fixed-width columns, amounts in
    /// euros with a dot, dates ISO). Interest per period shows four decimals;
    /// the rounded amounts are the postings.
    pub fn render_text(&self) -> Result<String, LawError> {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Statement of account (specificatie) as of {} - {} debtor",
            self.as_of,
            self.debtor.as_str()
        );
        if let Some(l) = &self.demand_letter {
            let _ = writeln!(
                out,
                "14-day letter sent {}, assumed delivered {}, last day to pay {}, costs from {}",
                l.sent_on, l.delivered_on, l.last_day_to_pay, l.costs_from
            );
        }
        for c in &self.claims {
            let _ = writeln!(
                out,
                "\nClaim {}: principal {}, due {}, {} interest from {}",
                c.id,
                c.charged.principal,
                c.due_on,
                c.interest_kind.as_str(),
                c.interest_from
            );
            if !c.periods.is_empty() {
                let _ = writeln!(
                    out,
                    "  {:<12}{:<12}{:>6}{:>8}  {:<12}{:>14}{:>14}",
                    "from", "to", "days", "rate %", "rate mark", "base", "interest"
                );
            }
            for p in &c.periods {
                let _ = writeln!(
                    out,
                    "  {:<12}{:<12}{:>6}{:>8}  {:<12}{:>14}{:>14}",
                    p.from().to_string(),
                    p.to().to_string(),
                    p.days,
                    p.rate.to_string(),
                    p.mark.as_str(),
                    p.base.to_string(),
                    p.interest.to_decimal_4()
                );
            }
            for p in &c.postings {
                let _ = writeln!(
                    out,
                    "  {:<12}{:<52}{:>14}",
                    p.on.to_string(),
                    format!("interest rounded ({})", p.kind.as_str()),
                    p.amount.to_string()
                );
            }
            let _ = writeln!(
                out,
                "  {:<12}{:>14}{:>14}{:>14}{:>14}{:>14}",
                "", "principal", "interest", "costs", "VAT", "total"
            );
            amounts_row(&mut out, "charged", &c.charged)?;
            amounts_row(&mut out, "paid", &c.paid)?;
            amounts_row(&mut out, "outstanding", &c.outstanding)?;
        }
        if !self.costs.is_empty() {
            let _ = writeln!(out, "\nCollection costs");
            for l in &self.costs {
                let _ = writeln!(
                    out,
                    "  {:<12}on {:>14}  costs {:>10}  VAT {:>10}  ({}{})",
                    l.on.to_string(),
                    l.base.to_string(),
                    l.costs.to_string(),
                    l.vat.to_string(),
                    l.rule.as_str(),
                    if l.recalculation {
                        ", recalculation"
                    } else {
                        ""
                    }
                );
            }
        }
        if !self.payments.is_empty() {
            let _ = writeln!(out, "\nPayments");
            for p in &self.payments {
                let _ = writeln!(
                    out,
                    "  {:<12}{:>14}{}",
                    p.on.to_string(),
                    p.amount.to_string(),
                    match p.designated {
                        Some(id) => format!("  (for claim {id})"),
                        None => String::new(),
                    }
                );
                for sh in &p.shares {
                    let _ = writeln!(
                        out,
                        "    claim {}: costs {}, VAT {}, interest {}, principal {}",
                        sh.claim,
                        sh.applied.costs,
                        sh.applied.vat,
                        sh.applied.interest,
                        sh.applied.principal
                    );
                }
                if !p.unapplied.is_zero() {
                    let _ = writeln!(out, "    unapplied: {}", p.unapplied);
                }
            }
        }
        let _ = writeln!(
            out,
            "\nTotals{:>20}{:>14}{:>14}{:>14}{:>14}",
            "principal", "interest", "costs", "VAT", "total"
        );
        amounts_row(&mut out, "charged", &self.charged)?;
        amounts_row(&mut out, "paid", &self.paid)?;
        amounts_row(&mut out, "outstanding", &self.outstanding)?;
        let _ = writeln!(out, "\nBalance due on {}: {}", self.as_of, self.balance);
        if !self.unapplied.is_zero() {
            let _ = writeln!(out, "Overpaid, to refund: {}", self.unapplied);
        }
        if self.uses_provisional_rate {
            let _ = writeln!(
                out,
                "Note: some periods use a provisional rate, to be confirmed by the decree."
            );
        }
        if let Some(note) = &self.assumed_rate_note {
            let _ = writeln!(
                out,
                "Note: some periods assume the last commercial rate continues ({note})."
            );
        }
        Ok(out)
    }
}
