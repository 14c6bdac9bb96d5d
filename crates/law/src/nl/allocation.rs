//! Applying a payment: art. 6:43 BW across claims and art. 6:44 BW within a
//! claim. Every function here conserves every cent: the parts plus what is
//! left over equal the payment.

use kwijting_domain::{ClaimId, Date, Money};

use crate::LawError;
use crate::money_ext::MoneyExt;

/// A claim as art. 6:43 BW looks at it when a payment arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimForAllocation {
    pub claim: ClaimId,
    /// Everything outstanding on the claim (costs, interest, principal).
    pub outstanding: Money,
    /// The day the claim became due (opeisbaar).
    pub due_on: Date,
    /// How onerous the claim is for the debtor; higher is more onerous (for
    /// example its interest rate in bps, higher for a secured or
    /// penalty-bearing claim). The caller ranks; the law orders.
    pub onerousness: u32,
}

/// A payment's share of one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimShare {
    pub claim: ClaimId,
    pub amount: Money,
}

/// How a payment was divided over claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub shares: Vec<ClaimShare>,
    /// What no claim could take (an overpayment).
    pub unapplied: Money,
}

/// Art. 6:43(2) BW: the order in which claims take an undesignated payment:
/// due claims first, among them the most onerous, then the oldest; claims
/// equal on all three are paid pro rata ([`allocate_across_claims`]).
pub fn order_of_art_6_43(claims: &mut [ClaimForAllocation], paid_on: Date) {
    claims.sort_by(|a, b| {
        let due = |c: &ClaimForAllocation| c.due_on <= paid_on;
        due(b)
            .cmp(&due(a))
            .then(b.onerousness.cmp(&a.onerousness))
            .then(a.due_on.cmp(&b.due_on))
    });
}

fn same_rank(a: &ClaimForAllocation, b: &ClaimForAllocation, paid_on: Date) -> bool {
    (a.due_on <= paid_on) == (b.due_on <= paid_on)
        && a.onerousness == b.onerousness
        && a.due_on == b.due_on
}

/// Art. 6:43 BW: a payment goes to the claim the debtor names (6:43(1));
/// otherwise, and for what the named claim does not take, to the due claims
/// first, among them the most onerous, then the oldest, then pro rata
/// (6:43(2)). What no claim can take is returned as `unapplied`.
pub fn allocate_across_claims(
    payment: Money,
    paid_on: Date,
    designated: Option<ClaimId>,
    claims: &[ClaimForAllocation],
) -> Result<Allocation, LawError> {
    if payment.is_negative() {
        return Err(LawError::NegativeAmount(payment));
    }
    let mut left = payment;
    let mut shares: Vec<ClaimShare> = Vec::with_capacity(claims.len());
    let mut rest: Vec<ClaimForAllocation> = Vec::with_capacity(claims.len());
    for c in claims {
        if c.outstanding.is_negative() {
            return Err(LawError::NegativeAmount(c.outstanding));
        }
        if Some(c.claim) == designated {
            let take = left.min(c.outstanding);
            shares.push(ClaimShare {
                claim: c.claim,
                amount: take,
            });
            left = left.minus(take)?;
        } else {
            rest.push(*c);
        }
    }
    if let Some(named) = designated
        && shares.is_empty()
    {
        return Err(LawError::UnknownClaim(named));
    }
    order_of_art_6_43(&mut rest, paid_on);
    let mut i = 0;
    while i < rest.len() && left.cents() > 0 {
        let mut j = i + 1;
        while j < rest.len() && same_rank(&rest[i], &rest[j], paid_on) {
            j += 1;
        }
        let group = &rest[i..j];
        let group_total = group
            .iter()
            .try_fold(Money::ZERO, |s, c| s.plus(c.outstanding))?;
        if left >= group_total {
            for c in group {
                shares.push(ClaimShare {
                    claim: c.claim,
                    amount: c.outstanding,
                });
            }
            left = left.minus(group_total)?;
        } else {
            // Pro rata over the outstanding amounts; the largest-remainder
            // split never gives a claim more than it owes when left < total.
            let weights: Vec<i64> = group.iter().map(|c| c.outstanding.cents()).collect();
            let Some(parts) = left.allocate(&weights) else {
                return Err(LawError::Invariant("pro rata weights"));
            };
            for (c, part) in group.iter().zip(parts) {
                shares.push(ClaimShare {
                    claim: c.claim,
                    amount: part,
                });
            }
            left = Money::ZERO;
        }
        i = j;
    }
    Ok(Allocation {
        shares,
        unapplied: left,
    })
}

/// The parts of one claim that a payment can reduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClaimParts {
    /// Costs, including BIK costs (HR 2015:1868) and their VAT.
    pub costs: Money,
    /// Interest already due (accrued up to the day of payment).
    pub interest: Money,
    pub principal: Money,
}

impl ClaimParts {
    pub fn total(&self) -> Result<Money, LawError> {
        self.costs.plus(self.interest)?.plus(self.principal)
    }
}

/// Art. 6:44(1) BW: a payment on a claim goes first to the costs, then to the
/// interest already due, and last to the principal and the running interest.
/// Returns what each part took and what is left of the amount.
pub fn allocate_within_claim(
    amount: Money,
    owed: &ClaimParts,
) -> Result<(ClaimParts, Money), LawError> {
    if amount.is_negative() {
        return Err(LawError::NegativeAmount(amount));
    }
    let mut left = amount;
    let mut take = |part: Money| -> Result<Money, LawError> {
        let t = left.min(part.max(Money::ZERO));
        left = left.minus(t)?;
        Ok(t)
    };
    let applied = ClaimParts {
        costs: take(owed.costs)?,
        interest: take(owed.interest)?,
        principal: take(owed.principal)?,
    };
    Ok((applied, left))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwijting_domain::parse_date;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn eur(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn claim(id: i64, outstanding: &str, due_on: &str, onerousness: u32) -> ClaimForAllocation {
        ClaimForAllocation {
            claim: ClaimId(id),
            outstanding: eur(outstanding),
            due_on: d(due_on),
            onerousness,
        }
    }

    fn check(
        payment: &str,
        designated: Option<i64>,
        claims: &[ClaimForAllocation],
        expected: &[(i64, &str)],
        unapplied: &str,
    ) {
        let a = allocate_across_claims(
            eur(payment),
            d("2025-06-01"),
            designated.map(ClaimId),
            claims,
        )
        .unwrap();
        let got: Vec<(i64, Money)> = a
            .shares
            .iter()
            .filter(|s| !s.amount.is_zero())
            .map(|s| (s.claim.0, s.amount))
            .collect();
        let want: Vec<(i64, Money)> = expected.iter().map(|(c, m)| (*c, eur(m))).collect();
        assert_eq!(got, want);
        assert_eq!(a.unapplied, eur(unapplied));
    }

    #[test]
    fn art_6_43_order() {
        // Source: nl-law.md section 4: the named claim; otherwise due claims
        // first, the most onerous, the oldest, then pro rata.
        let claims = [
            claim(1, "100", "2025-01-01", 400),
            claim(2, "100", "2025-02-01", 1200),
            claim(3, "100", "2025-12-01", 9900), // not yet due
            claim(4, "100", "2024-01-01", 400),
        ];
        check("150", None, &claims, &[(2, "100"), (4, "50")], "0");
        check("150", Some(1), &claims, &[(1, "100"), (2, "50")], "0");
        check(
            "500",
            None,
            &claims,
            &[(2, "100"), (4, "100"), (1, "100"), (3, "100")],
            "100",
        );
        // Equal in all respects: pro rata, every cent kept.
        let equal = [
            claim(1, "100", "2025-01-01", 400),
            claim(2, "200", "2025-01-01", 400),
        ];
        check("100", None, &equal, &[(1, "33.33"), (2, "66.67")], "0");
    }

    #[test]
    fn naming_an_unknown_claim_is_refused() {
        let claims = [claim(1, "100", "2025-01-01", 0)];
        assert_eq!(
            allocate_across_claims(eur("1"), d("2025-06-01"), Some(ClaimId(9)), &claims),
            Err(LawError::UnknownClaim(ClaimId(9)))
        );
    }

    #[test]
    fn art_6_44_costs_then_interest_then_principal() {
        // Source: nl-law.md section 4, art. 6:44 BW.
        let owed = ClaimParts {
            costs: eur("40"),
            interest: eur("10"),
            principal: eur("100"),
        };
        let check = |amount: &str, costs: &str, interest: &str, principal: &str, left: &str| {
            let (a, l) = allocate_within_claim(eur(amount), &owed).unwrap();
            assert_eq!(
                (a.costs, a.interest, a.principal, l),
                (eur(costs), eur(interest), eur(principal), eur(left)),
                "{amount}"
            );
        };
        check("30", "30", "0", "0", "0");
        check("45", "40", "5", "0", "0");
        check("100", "40", "10", "50", "0");
        check("200", "40", "10", "100", "50");
    }

    proptest! {
        #[test]
        fn allocation_conserves_cents(
            payment in 0i64..10_000_000,
            claims in proptest::collection::vec((0i64..5_000_000, 0i32..4, 0u32..3), 1..8),
            designate in proptest::option::of(0usize..8),
        ) {
            let cs: Vec<ClaimForAllocation> = claims.iter().enumerate().map(|(i, (o, due, on))| ClaimForAllocation {
                claim: ClaimId(i as i64),
                outstanding: Money::from_cents(*o),
                due_on: crate::calendar::add_days(d("2025-05-30"), *due),
                onerousness: *on,
            }).collect();
            let designated = designate.filter(|i| *i < cs.len()).map(|i| ClaimId(i as i64));
            let a = allocate_across_claims(Money::from_cents(payment), d("2025-06-01"), designated, &cs).unwrap();
            let applied: i64 = a.shares.iter().map(|s| s.amount.cents()).sum();
            prop_assert_eq!(applied + a.unapplied.cents(), payment);
            for s in &a.shares {
                let owed = cs.iter().find(|c| c.claim == s.claim).unwrap().outstanding;
                prop_assert!(s.amount <= owed && !s.amount.is_negative());
            }
            let owed = ClaimParts { costs: Money::from_cents(claims[0].0 / 7), interest: Money::from_cents(claims[0].0 / 3), principal: Money::from_cents(claims[0].0) };
            let (parts, left) = allocate_within_claim(Money::from_cents(payment), &owed).unwrap();
            prop_assert_eq!(parts.total().unwrap().cents() + left.cents(), payment);
        }
    }
}
