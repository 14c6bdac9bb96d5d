//! The ledger and its recipes, by example and by property. One test binary.

use kwijting_domain::{CaseId, ClaimId, ClientId, Date, Money, Rounding, parse_date};
use kwijting_ledger::recipe::{
    self, AgencyIncome, AllocationPlan, AllocationRequest, Beneficiary, ClaimBalance,
    ClientAgreement, RecipeError,
};
use kwijting_ledger::{
    AccountKind, Applied, CaseBalance, Ledger, LedgerError, Posting, Source, SourceKind, Transfer,
    TransferKey, TransferKind, Violation,
};

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn key(s: &str) -> TransferKey {
    TransferKey::parse(s).unwrap()
}

fn eur(s: &str) -> Money {
    Money::parse(s).unwrap()
}

const CASE: CaseId = CaseId(7);
const CLIENT: ClientId = ClientId(3);

fn agreement(bps: u32, costs_to: Beneficiary, interest_to: Beneficiary) -> ClientAgreement {
    ClientAgreement::new(CLIENT, bps, Rounding::HalfUp, costs_to, interest_to).unwrap()
}

fn parts(principal: &str, interest: &str, costs: &str, vat: &str) -> CaseBalance {
    CaseBalance {
        principal: eur(principal),
        interest: eur(interest),
        costs: eur(costs),
        vat: eur(vat),
    }
}

fn claim(id: i64, owed: CaseBalance) -> ClaimBalance {
    ClaimBalance {
        claim: ClaimId(id),
        due_on: d("2025-01-01"),
        onerousness: 0,
        owed,
    }
}

fn apply(l: &mut Ledger, t: Transfer) {
    assert_eq!(l.apply(t), Ok(Applied::Posted));
    assert_eq!(l.verify(), Ok(()));
}

/// A ledger with case 7 charged and 200.00 received under key `r1`.
fn charged_and_received(owed: CaseBalance, received: &str) -> Ledger {
    let mut l = Ledger::new();
    apply(
        &mut l,
        recipe::charge(key("c1"), d("2025-05-01"), CASE, &owed, "claim intake").unwrap(),
    );
    apply(
        &mut l,
        recipe::receipt(key("r1"), d("2025-06-01"), eur(received), "NL..:stmt1:1").unwrap(),
    );
    l
}

fn allocate_all(
    l: &Ledger,
    claims: &[ClaimBalance],
    a: &ClientAgreement,
    amount: &str,
) -> Result<AllocationPlan, RecipeError> {
    recipe::allocate(
        l,
        &AllocationRequest {
            key: &key("a1"),
            receipt: &key("r1"),
            case: CASE,
            amount: eur(amount),
            on: d("2025-06-01"),
            agreement: a,
            reason: "high: structured kenmerk",
        },
        claims,
        None,
    )
}

fn normal(l: &Ledger, a: AccountKind) -> Money {
    l.normal_balance(a).unwrap()
}

#[test]
fn a_full_payment_with_overpayment_is_divided_and_the_rest_held_for_refund() {
    let owed = parts("100", "10", "40", "8.40");
    let mut l = charged_and_received(owed, "200");
    assert_eq!(l.unmatched().len(), 1);
    let a = agreement(1500, Beneficiary::Agency, Beneficiary::Client);
    let plan = allocate_all(&l, &[claim(1, owed)], &a, "200").unwrap();
    assert_eq!(plan.applied, owed);
    assert_eq!(plan.commission, eur("15")); // 15% of 100
    assert_eq!(plan.to_client, eur("95")); // 85 principal + 10 interest
    assert_eq!(plan.to_agency, eur("48.40")); // costs and their VAT
    assert_eq!(plan.refund, eur("41.60")); // never kept
    apply(&mut l, plan.transfer);
    assert!(l.unmatched().is_empty());
    assert_eq!(l.case_balance(CASE), CaseBalance::default());
    assert_eq!(normal(&l, AccountKind::BankTrust), eur("200"));
    assert_eq!(normal(&l, AccountKind::ClientPayable(CLIENT)), eur("95"));
    assert_eq!(normal(&l, AccountKind::RefundsPayable), eur("41.60"));

    // Paying everything out empties the trust account.
    let on = d("2025-06-30");
    let t = recipe::remit(&l, key("p1"), on, CLIENT, eur("95"), "run 2025-06").unwrap();
    apply(&mut l, t);
    let t = recipe::refund(&l, key("f1"), on, eur("41.60"), "refund r1").unwrap();
    apply(&mut l, t);
    for (k, from, amount) in [
        ("g1", AgencyIncome::Commission, "15"),
        ("g2", AgencyIncome::CostRevenue, "48.40"),
    ] {
        let t = recipe::transfer_agency_income(&l, key(k), on, from, eur(amount), "run").unwrap();
        apply(&mut l, t);
    }
    assert_eq!(
        l.balances().count(),
        0,
        "{:?}",
        l.balances().collect::<Vec<_>>()
    );
}

#[test]
fn art_6_44_costs_with_vat_last_then_interest_then_principal() {
    let owed = parts("100", "10", "40", "8.40");
    let a = agreement(0, Beneficiary::Client, Beneficiary::Client);
    let check = |amount: &str, expected: CaseBalance| {
        let l = charged_and_received(owed, amount);
        let plan = allocate_all(&l, &[claim(1, owed)], &a, amount).unwrap();
        assert_eq!(plan.applied, expected, "{amount}");
        assert_eq!(plan.refund, Money::ZERO);
    };
    check("30", parts("0", "0", "30", "0"));
    check("45", parts("0", "0", "40", "5"));
    check("55", parts("0", "6.60", "40", "8.40"));
    check("158.40", owed);
}

#[test]
fn art_6_43_across_claims_oldest_first() {
    let old = ClaimBalance {
        due_on: d("2024-01-01"),
        ..claim(1, parts("50", "0", "0", "0"))
    };
    let new = claim(2, parts("50", "0", "0", "0"));
    let l = charged_and_received(parts("100", "0", "0", "0"), "60");
    let a = agreement(0, Beneficiary::Client, Beneficiary::Client);
    let plan = allocate_all(&l, &[new, old], &a, "60").unwrap();
    assert_eq!(
        plan.per_claim,
        vec![
            (ClaimId(1), parts("50", "0", "0", "0")),
            (ClaimId(2), parts("10", "0", "0", "0"))
        ]
    );
}

#[test]
fn commission_rounding_is_explicit() {
    let check = |rounding: Rounding, principal: &str, bps: u32, expected: &str| {
        let a = ClientAgreement::new(
            CLIENT,
            bps,
            rounding,
            Beneficiary::Client,
            Beneficiary::Client,
        )
        .unwrap();
        assert_eq!(
            a.commission_on(eur(principal)).unwrap(),
            eur(expected),
            "{principal} {bps} {rounding:?}"
        );
    };
    check(Rounding::HalfUp, "0.33", 1500, "0.05"); // 4.95 cents
    check(Rounding::Down, "0.33", 1500, "0.04");
    check(Rounding::HalfUp, "0.10", 1500, "0.02"); // 1.5 cents: half up
    check(Rounding::Down, "0.10", 1500, "0.01");
    check(Rounding::HalfUp, "100", 10_000, "100");
    check(Rounding::HalfUp, "100", 0, "0");
    assert_eq!(
        ClientAgreement::new(
            CLIENT,
            10_001,
            Rounding::HalfUp,
            Beneficiary::Client,
            Beneficiary::Client
        ),
        Err(RecipeError::CommissionTooHigh(10_001))
    );
}

#[test]
fn applying_twice_changes_nothing_and_a_reused_key_is_refused() {
    let mut l = charged_and_received(parts("100", "0", "0", "0"), "50");
    let before = l.clone();
    let again = recipe::receipt(key("r1"), d("2025-06-01"), eur("50"), "NL..:stmt1:1").unwrap();
    assert_eq!(l.apply(again), Ok(Applied::AlreadyApplied));
    assert_eq!(l, before);
    let other = recipe::receipt(key("r1"), d("2025-06-01"), eur("51"), "NL..:stmt1:1").unwrap();
    assert_eq!(l.apply(other), Err(LedgerError::KeyReused(key("r1"))));
    assert_eq!(l, before);
}

#[test]
fn a_bank_return_undoes_the_receipt_and_its_allocations() {
    let owed = parts("100", "0", "0", "0");
    let mut l = charged_and_received(owed, "60");
    let a = agreement(1000, Beneficiary::Client, Beneficiary::Client);
    let plan = allocate_all(&l, &[claim(1, owed)], &a, "60").unwrap();
    apply(&mut l, plan.transfer);
    let after_charge = {
        let mut c = Ledger::new();
        apply(
            &mut c,
            recipe::charge(key("c1"), d("2025-05-01"), CASE, &owed, "claim intake").unwrap(),
        );
        c
    };
    let src = Source::new(SourceKind::StatementEntry, "NL..:stmt2:4 RvslInd").unwrap();
    // The receipt alone cannot be reversed while its money is spent.
    assert!(matches!(
        l.reverse(&key("r1"), d("2025-06-03"), key("x"), src.clone()),
        Err(LedgerError::LiveDependents { .. })
    ));
    let reversals =
        recipe::return_receipt(&l, &key("r1"), d("2025-06-03"), key("ret1"), &src).unwrap();
    let kinds: Vec<(&str, Option<&str>)> = reversals
        .iter()
        .map(|t| (t.key().as_str(), t.reverses().map(TransferKey::as_str)))
        .collect();
    assert_eq!(kinds, vec![("ret1/0", Some("a1")), ("ret1", Some("r1"))]);
    assert_eq!(
        l.apply_all(reversals.clone()),
        Ok(vec![Applied::Posted, Applied::Posted])
    );
    assert_eq!(l.verify(), Ok(()));
    let balances: Vec<_> = l.balances().collect();
    assert_eq!(balances, after_charge.balances().collect::<Vec<_>>());
    assert!(l.unmatched().is_empty());
    // Once only; a reversal is not reversed; idempotent as a batch.
    assert_eq!(
        l.apply_all(reversals),
        Ok(vec![Applied::AlreadyApplied, Applied::AlreadyApplied])
    );
    assert!(matches!(
        recipe::return_receipt(&l, &key("r1"), d("2025-06-03"), key("ret2"), &src),
        Err(RecipeError::Ledger(LedgerError::AlreadyReversed { .. }))
    ));
    assert!(matches!(
        l.reverse(&key("ret1"), d("2025-06-03"), key("x"), src),
        Err(LedgerError::ReversalOfReversal(_))
    ));
}

#[test]
fn a_return_of_money_already_paid_out_is_refused_whole() {
    let owed = parts("100", "0", "0", "0");
    let mut l = charged_and_received(owed, "100");
    let a = agreement(0, Beneficiary::Client, Beneficiary::Client);
    let plan = allocate_all(&l, &[claim(1, owed)], &a, "100").unwrap();
    apply(&mut l, plan.transfer);
    let t = recipe::remit(&l, key("p1"), d("2025-06-30"), CLIENT, eur("100"), "run").unwrap();
    apply(&mut l, t);
    let before = l.clone();
    let src = Source::new(SourceKind::StatementEntry, "return MD06").unwrap();
    let reversals =
        recipe::return_receipt(&l, &key("r1"), d("2025-07-01"), key("ret1"), &src).unwrap();
    // The client payable may turn (the client owes it back), the trust
    // account may not: the batch is refused and nothing stays applied.
    assert_eq!(
        l.apply_all(reversals),
        Err(LedgerError::WouldGoNegative {
            account: AccountKind::BankTrust,
            balance: eur("-100")
        })
    );
    assert_eq!(l, before);
}

#[test]
fn the_negative_space_is_refused() {
    let owed = parts("100", "0", "0", "0");
    let mut l = charged_and_received(owed, "50");
    let a = agreement(0, Beneficiary::Client, Beneficiary::Client);
    let before = l.clone();
    assert!(matches!(
        allocate_all(&l, &[claim(1, owed)], &a, "50.01"),
        Err(RecipeError::MoreThanUnallocated { .. })
    ));
    assert!(matches!(
        allocate_all(&l, &[claim(1, parts("99", "0", "0", "0"))], &a, "10"),
        Err(RecipeError::StatementMismatch { .. })
    ));
    assert!(matches!(
        allocate_all(&l, &[claim(1, owed), claim(1, owed)], &a, "10"),
        Err(RecipeError::DuplicateClaim(_))
    ));
    assert!(matches!(
        allocate_all(&l, &[claim(1, owed)], &a, "0"),
        Err(RecipeError::NotPositive(_))
    ));
    assert!(matches!(
        recipe::remit(&l, key("p1"), d("2025-06-30"), CLIENT, eur("0.01"), "run"),
        Err(RecipeError::MoreThanBalance { .. })
    ));
    assert!(matches!(
        recipe::refund(&l, key("f1"), d("2025-06-30"), eur("0.01"), "refund"),
        Err(RecipeError::MoreThanBalance { .. })
    ));
    assert!(matches!(
        recipe::receipt(key("r2"), d("2025-06-30"), eur("-1"), "x"),
        Err(RecipeError::NotPositive(_))
    ));
    // Writing off more than the case owes.
    let w = recipe::write_off(
        key("w1"),
        d("2025-06-30"),
        CASE,
        &parts("100.01", "0", "0", "0"),
        "oninbaar",
    )
    .unwrap();
    assert!(matches!(
        l.apply(w),
        Err(LedgerError::WouldGoNegative { .. })
    ));
    // A hand-made "reversal" that is not the mirror.
    let forged = Transfer::new(
        key("rev"),
        TransferKind::Reversal,
        Source::new(SourceKind::Manual, "x").unwrap(),
        d("2025-06-30"),
        vec![
            Posting {
                account: AccountKind::BankTrust,
                amount: eur("-10"),
            },
            Posting {
                account: AccountKind::Suspense,
                amount: eur("10"),
            },
        ],
        Some(key("r1")),
        None,
    )
    .unwrap();
    assert_eq!(l.apply(forged), Err(LedgerError::NotAMirror(key("rev"))));
    // An allocation from a receipt that is not there.
    let orphan = Transfer::new(
        key("a9"),
        TransferKind::Allocation,
        Source::new(SourceKind::Allocation, "x").unwrap(),
        d("2025-06-30"),
        vec![
            Posting {
                account: AccountKind::Suspense,
                amount: eur("10"),
            },
            Posting {
                account: AccountKind::ClientPayable(CLIENT),
                amount: eur("-10"),
            },
        ],
        None,
        Some(key("nope")),
    )
    .unwrap();
    assert_eq!(l.apply(orphan), Err(LedgerError::UnknownParent(key("a9"))));
    assert_eq!(l, before);
    // A write-off within what is owed is fine.
    let w = recipe::write_off(
        key("w2"),
        d("2025-06-30"),
        CASE,
        &parts("100", "0", "0", "0"),
        "oninbaar",
    )
    .unwrap();
    apply(&mut l, w);
    assert_eq!(l.case_balance(CASE), CaseBalance::default());
}

#[test]
fn the_unmatched_queue_shows_what_is_left() {
    let owed = parts("100", "0", "0", "0");
    let mut l = charged_and_received(owed, "50");
    let a = agreement(0, Beneficiary::Client, Beneficiary::Client);
    let plan = allocate_all(&l, &[claim(1, owed)], &a, "20").unwrap();
    apply(&mut l, plan.transfer);
    let queue: Vec<(&str, Money)> = l
        .unmatched()
        .iter()
        .map(|(t, m)| (t.key().as_str(), *m))
        .collect();
    assert_eq!(queue, vec![("r1", eur("30"))]);
}

#[test]
fn verify_lists_what_is_wrong_with_stored_transfers() {
    let src = || Source::new(SourceKind::Manual, "x").unwrap();
    let on = d("2025-06-01");
    let t = |k: &str,
             kind,
             postings: Vec<(AccountKind, &str)>,
             reverses: Option<&str>,
             parent: Option<&str>| {
        Transfer::new(
            key(k),
            kind,
            src(),
            on,
            postings
                .into_iter()
                .map(|(account, a)| Posting {
                    account,
                    amount: eur(a),
                })
                .collect(),
            reverses.map(key),
            parent.map(key),
        )
        .unwrap()
    };
    use AccountKind::*;
    let stored = vec![
        // Money paid out that never came in.
        t(
            "p1",
            TransferKind::Remittance,
            vec![(ClientPayable(CLIENT), "10"), (BankTrust, "-10")],
            None,
            None,
        ),
        // Two reversals of one receipt, and one of a transfer not there.
        t(
            "r1",
            TransferKind::Receipt,
            vec![(BankTrust, "5"), (Suspense, "-5")],
            None,
            None,
        ),
        t(
            "x1",
            TransferKind::Reversal,
            vec![(BankTrust, "-5"), (Suspense, "5")],
            Some("r1"),
            None,
        ),
        t(
            "x2",
            TransferKind::Reversal,
            vec![(BankTrust, "-5"), (Suspense, "5")],
            Some("r1"),
            None,
        ),
        t(
            "x3",
            TransferKind::Reversal,
            vec![(BankTrust, "-1"), (Suspense, "1")],
            Some("zz"),
            None,
        ),
        // An allocation of a receipt that is not there.
        t(
            "a1",
            TransferKind::Allocation,
            vec![(Suspense, "1"), (ClientPayable(CLIENT), "-1")],
            None,
            Some("r9"),
        ),
    ];
    let l = Ledger::load_unchecked(stored.clone());
    let v = l.verify().unwrap_err();
    let want = [
        Violation::ReversalOfUnknown {
            reversal: key("x3"),
            target: key("zz"),
        },
        Violation::UnknownParent {
            child: key("a1"),
            parent: key("r9"),
        },
        Violation::ReversedTwice(key("r1")),
        Violation::NegativeBalance {
            account: BankTrust,
            balance: eur("-16"),
        },
        Violation::NegativeBalance {
            account: Suspense,
            balance: eur("-7"),
        },
    ];
    for w in &want {
        assert!(v.contains(w), "missing {w:?} in {v:?}");
    }
    assert_eq!(v.len(), want.len(), "{v:?}");
    // Replaying the same transfers stops at the first bad one.
    assert_eq!(
        Ledger::replay(stored).map(|_| ()),
        Err(LedgerError::WouldGoNegative {
            account: BankTrust,
            balance: eur("-10")
        })
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const CASES: i64 = 4;
    const CLIENTS: i64 = 2;

    #[derive(Debug, Clone)]
    enum Op {
        Receive(i64),
        Charge {
            case: i64,
            claim: usize,
            part: u8,
            cents: i64,
        },
        Allocate {
            pick: usize,
            case: i64,
            share: u64,
            designate: Option<usize>,
        },
        Return {
            pick: usize,
        },
        Remit {
            client: i64,
            share: u64,
        },
        AgencyOut {
            commission: bool,
            share: u64,
        },
        Refund {
            share: u64,
        },
        WriteOff {
            case: i64,
            claim: usize,
        },
        Reapply {
            pick: usize,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (1i64..200_000).prop_map(Op::Receive),
            3 => (0..CASES, 0usize..2, 0u8..4, 1i64..100_000)
                .prop_map(|(case, claim, part, cents)| Op::Charge { case, claim, part, cents }),
            4 => (any::<usize>(), 0..CASES, any::<u64>(), proptest::option::of(0usize..3))
                .prop_map(|(pick, case, share, designate)| Op::Allocate { pick, case, share, designate }),
            1 => any::<usize>().prop_map(|pick| Op::Return { pick }),
            2 => (0..CLIENTS, any::<u64>()).prop_map(|(client, share)| Op::Remit { client, share }),
            1 => (any::<bool>(), any::<u64>()).prop_map(|(commission, share)| Op::AgencyOut { commission, share }),
            1 => any::<u64>().prop_map(|share| Op::Refund { share }),
            1 => (0..CASES, 0usize..2).prop_map(|(case, claim)| Op::WriteOff { case, claim }),
            1 => any::<usize>().prop_map(|pick| Op::Reapply { pick }),
        ]
    }

    /// The statement of account the caller keeps per case: two claims each.
    struct Model {
        claims: HashMap<i64, Vec<ClaimBalance>>,
        allocations: HashMap<TransferKey, (i64, Vec<(ClaimId, CaseBalance)>)>,
        agreements: Vec<ClientAgreement>,
        n: usize,
    }

    fn client_of(case: i64) -> i64 {
        case % CLIENTS
    }

    fn add(a: &mut CaseBalance, b: &CaseBalance, sign: i64) {
        let f = |x: Money, y: Money| Money::from_cents(x.cents() + sign * y.cents());
        a.principal = f(a.principal, b.principal);
        a.interest = f(a.interest, b.interest);
        a.costs = f(a.costs, b.costs);
        a.vat = f(a.vat, b.vat);
    }

    fn portion(share: u64, of: Money) -> Option<Money> {
        (of.cents() > 0).then(|| Money::from_cents(1 + (share % of.cents() as u64) as i64))
    }

    impl Model {
        fn new() -> Model {
            let claims = (0..CASES)
                .map(|c| {
                    let v = (0..2)
                        .map(|j| ClaimBalance {
                            claim: ClaimId(c * 10 + j),
                            due_on: d(if j == 0 { "2025-03-01" } else { "2024-11-01" }),
                            onerousness: (c as u32 + j as u32) % 2,
                            owed: CaseBalance::default(),
                        })
                        .collect();
                    (c, v)
                })
                .collect();
            let agreements = (0..CLIENTS)
                .map(|c| {
                    let (to, rounding) = if c == 0 {
                        (Beneficiary::Agency, Rounding::HalfUp)
                    } else {
                        (Beneficiary::Client, Rounding::Down)
                    };
                    ClientAgreement::new(
                        ClientId(c),
                        1250 + c as u32 * 333,
                        rounding,
                        to,
                        Beneficiary::Client,
                    )
                    .unwrap()
                })
                .collect();
            Model {
                claims,
                allocations: HashMap::new(),
                agreements,
                n: 0,
            }
        }

        fn key(&mut self, prefix: &str) -> TransferKey {
            self.n += 1;
            key(&format!("{prefix}{}", self.n))
        }
    }

    fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
        let mut l = Ledger::new();
        let mut m = Model::new();
        let on = d("2025-06-01");
        for op in ops {
            let before = l.clone();
            let result: Result<(), String> = match op {
                Op::Receive(cents) => {
                    let k = m.key("r");
                    let t = recipe::receipt(k.clone(), on, Money::from_cents(cents), k.as_str())
                        .unwrap();
                    l.apply(t).map(|_| ()).map_err(|e| e.to_string())
                }
                Op::Charge {
                    case,
                    claim,
                    part,
                    cents,
                } => {
                    let amount = Money::from_cents(cents);
                    let mut p = CaseBalance::default();
                    match part {
                        0 => p.principal = amount,
                        1 => p.interest = amount,
                        2 => p.costs = amount,
                        _ => p.vat = amount,
                    }
                    let t = recipe::charge(m.key("c"), on, CaseId(case), &p, "charge").unwrap();
                    let r = l.apply(t).map(|_| ()).map_err(|e| e.to_string());
                    if r.is_ok() {
                        add(&mut m.claims.get_mut(&case).unwrap()[claim].owed, &p, 1);
                    }
                    r
                }
                Op::Allocate {
                    pick,
                    case,
                    share,
                    designate,
                } => {
                    let queue: Vec<(TransferKey, Money)> = l
                        .unmatched()
                        .iter()
                        .map(|(t, left)| (t.key().clone(), *left))
                        .collect();
                    if queue.is_empty() {
                        continue;
                    }
                    let (receipt, left) = queue[pick % queue.len()].clone();
                    let amount = portion(share, left).unwrap();
                    let k = m.key("a");
                    let claims = m.claims[&case].clone();
                    let agreement = m.agreements[client_of(case) as usize];
                    let designated = designate.map(|i| ClaimId(case * 10 + i as i64));
                    let plan = recipe::allocate(
                        &l,
                        &AllocationRequest {
                            key: &k,
                            receipt: &receipt,
                            case: CaseId(case),
                            amount,
                            on,
                            agreement: &agreement,
                            reason: "prop",
                        },
                        &claims,
                        designated,
                    );
                    match plan {
                        // Designating claim 2 (not in the case) is refused.
                        Err(e) => Err(e.to_string()),
                        Ok(plan) => {
                            // Allocation conserves every cent.
                            let total = plan.applied.total().unwrap().cents() + plan.refund.cents();
                            prop_assert_eq!(total, amount.cents());
                            let out = plan.to_client.cents()
                                + plan.to_agency.cents()
                                + plan.commission.cents()
                                + plan.refund.cents();
                            prop_assert_eq!(out, amount.cents());
                            let r = l
                                .apply(plan.transfer)
                                .map(|_| ())
                                .map_err(|e| e.to_string());
                            prop_assert!(r.is_ok(), "{:?}", r);
                            for (id, took) in &plan.per_claim {
                                let c = m
                                    .claims
                                    .get_mut(&case)
                                    .unwrap()
                                    .iter_mut()
                                    .find(|c| c.claim == *id)
                                    .unwrap();
                                add(&mut c.owed, took, -1);
                            }
                            m.allocations.insert(k, (case, plan.per_claim));
                            r
                        }
                    }
                }
                Op::Return { pick } => {
                    let receipts: Vec<TransferKey> = l
                        .transfers()
                        .iter()
                        .filter(|t| t.kind() == TransferKind::Receipt)
                        .map(|t| t.key().clone())
                        .collect();
                    if receipts.is_empty() {
                        continue;
                    }
                    let r = receipts[pick % receipts.len()].clone();
                    let k = m.key("x");
                    let src = Source::new(SourceKind::StatementEntry, "return").unwrap();
                    match recipe::return_receipt(&l, &r, on, k, &src) {
                        Err(e) => Err(e.to_string()),
                        Ok(ts) => {
                            let reversed: Vec<TransferKey> =
                                ts.iter().filter_map(|t| t.reverses().cloned()).collect();
                            let res = l.apply_all(ts).map(|_| ()).map_err(|e| e.to_string());
                            if res.is_ok() {
                                for a in reversed {
                                    if let Some((case, per_claim)) = m.allocations.get(&a) {
                                        for (id, took) in per_claim {
                                            let c = m
                                                .claims
                                                .get_mut(case)
                                                .unwrap()
                                                .iter_mut()
                                                .find(|c| c.claim == *id)
                                                .unwrap();
                                            add(&mut c.owed, took, 1);
                                        }
                                    }
                                }
                            }
                            res
                        }
                    }
                }
                Op::Remit { client, share } => {
                    let bal = l
                        .normal_balance(AccountKind::ClientPayable(ClientId(client)))
                        .unwrap();
                    let amount = portion(share, bal).unwrap_or(Money::from_cents(1));
                    match recipe::remit(&l, m.key("p"), on, ClientId(client), amount, "run") {
                        Ok(t) => l.apply(t).map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
                Op::AgencyOut { commission, share } => {
                    let (from, account) = if commission {
                        (AgencyIncome::Commission, AccountKind::AgencyCommission)
                    } else {
                        (AgencyIncome::CostRevenue, AccountKind::AgencyCostRevenue)
                    };
                    let amount = portion(share, l.normal_balance(account).unwrap())
                        .unwrap_or(Money::from_cents(1));
                    match recipe::transfer_agency_income(&l, m.key("g"), on, from, amount, "run") {
                        Ok(t) => l.apply(t).map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
                Op::Refund { share } => {
                    let amount = portion(
                        share,
                        l.normal_balance(AccountKind::RefundsPayable).unwrap(),
                    )
                    .unwrap_or(Money::from_cents(1));
                    match recipe::refund(&l, m.key("f"), on, amount, "refund") {
                        Ok(t) => l.apply(t).map(|_| ()).map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
                Op::WriteOff { case, claim } => {
                    let owed = m.claims[&case][claim].owed;
                    match recipe::write_off(m.key("w"), on, CaseId(case), &owed, "write-off") {
                        Ok(t) => {
                            let r = l.apply(t).map(|_| ()).map_err(|e| e.to_string());
                            prop_assert!(r.is_ok(), "{:?}", r);
                            add(&mut m.claims.get_mut(&case).unwrap()[claim].owed, &owed, -1);
                            r
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                Op::Reapply { pick } => {
                    if l.transfers().is_empty() {
                        continue;
                    }
                    let t = l.transfers()[pick % l.transfers().len()].clone();
                    prop_assert_eq!(l.apply(t), Ok(Applied::AlreadyApplied));
                    prop_assert_eq!(&l, &before);
                    Ok(())
                }
            };
            if result.is_err() {
                // A refusal changes nothing.
                prop_assert_eq!(&l, &before);
            }
            prop_assert_eq!(l.verify(), Ok(()));
            // The statement of account agrees with the ledger.
            for (case, claims) in &m.claims {
                let mut sum = CaseBalance::default();
                for c in claims {
                    add(&mut sum, &c.owed, 1);
                }
                prop_assert_eq!(sum, l.case_balance(CaseId(*case)));
            }
        }
        // Replaying everything gives the same ledger, and so does applying
        // it all a second time.
        let replayed = Ledger::replay(l.transfers().to_vec()).unwrap();
        prop_assert_eq!(&replayed, &l);
        let mut twice = l.clone();
        for t in l.transfers() {
            prop_assert_eq!(twice.apply(t.clone()), Ok(Applied::AlreadyApplied));
        }
        prop_assert_eq!(&twice, &l);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn any_sequence_keeps_the_ledger_verified(ops in proptest::collection::vec(op(), 1..60)) {
            run(ops)?;
        }
    }
}

mod with_the_law_engine {
    use super::*;
    use kwijting_domain::DebtorType;
    use kwijting_law::nl::Netherlands;
    use kwijting_law::nl::interest::InterestKind;
    use kwijting_law::statement::{
        CaseInput, ClaimInput, CostsSettings, Event, EventKind, statement_of_account,
    };

    #[test]
    fn an_allocation_agrees_with_the_statement_of_account() {
        let nl = Netherlands::new().unwrap();
        let claims = [
            ClaimInput {
                id: ClaimId(1),
                principal: eur("1000"),
                due_on: d("2025-01-01"),
                interest_from: d("2025-01-02"),
                interest: InterestKind::Consumer,
                onerousness: 0,
            },
            ClaimInput {
                id: ClaimId(2),
                principal: eur("250"),
                due_on: d("2024-10-01"),
                interest_from: d("2024-10-02"),
                interest: InterestKind::Consumer,
                onerousness: 0,
            },
        ];
        let paid_on = d("2025-06-02");
        let statement = |events: &[Event]| {
            statement_of_account(
                &nl,
                &CaseInput {
                    debtor: DebtorType::Consumer,
                    claims: &claims,
                    events,
                    costs: CostsSettings::default(),
                    as_of: paid_on,
                },
            )
            .unwrap()
        };
        let before = statement(&[]);
        let mut l = Ledger::new();
        let charged = CaseBalance {
            principal: before.charged.principal,
            interest: before.charged.interest,
            costs: before.charged.costs,
            vat: before.charged.vat,
        };
        apply(
            &mut l,
            recipe::charge(key("c1"), paid_on, CASE, &charged, "intake and interest").unwrap(),
        );
        assert_eq!(recipe::statement_agrees(&l, CASE, &before), Ok(()));

        apply(
            &mut l,
            recipe::receipt(key("r1"), paid_on, eur("600"), "stmt:1").unwrap(),
        );
        let a = agreement(1000, Beneficiary::Agency, Beneficiary::Client);
        let after = statement(&[Event {
            on: paid_on,
            kind: EventKind::Payment {
                amount: eur("600"),
                designated: None,
            },
        }]);
        let req = AllocationRequest {
            key: &key("a1"),
            receipt: &key("r1"),
            case: CASE,
            amount: eur("600"),
            on: paid_on,
            agreement: &a,
            reason: "high: structured kenmerk",
        };

        // Allocating by the law's allocation functions over the ledger's
        // whole cents: 6:43 puts the older claim first, and the result is
        // at most a cent per claim off the statement (the statement lets a
        // payment settle running interest rounded down).
        let claims_owed = recipe::claims_from_statement(&before, &claims);
        let by_rules = recipe::allocate(&l, &req, &claims_owed, None).unwrap();
        assert_eq!(by_rules.per_claim[0].0, ClaimId(2));
        let off = by_rules.applied.interest.cents() - after.paid.interest.cents();
        assert!((0..=2).contains(&off), "{off}");

        // Posting what the statement applied: the ledger ends exactly where
        // the statement of account is.
        let plan = recipe::allocate_applied(&l, &req, &after.payments[0]).unwrap();
        assert_eq!(plan.per_claim[0].0, ClaimId(2));
        // A statement of another payment is refused.
        let other = AllocationRequest {
            amount: eur("500"),
            ..req
        };
        assert!(matches!(
            recipe::allocate_applied(&l, &other, &after.payments[0]),
            Err(RecipeError::NotThisPayment { .. })
        ));
        apply(&mut l, plan.transfer);
        assert_eq!(recipe::statement_agrees(&l, CASE, &after), Ok(()));
        assert_eq!(
            plan.commission,
            after
                .paid
                .principal
                .mul_ratio(1000, 10_000, Rounding::HalfUp)
                .unwrap()
        );

        // Not agreeing is a violation that names both sides.
        assert!(matches!(
            recipe::statement_agrees(&l, CASE, &before),
            Err(Violation::StatementMismatch { .. })
        ));
    }
}
