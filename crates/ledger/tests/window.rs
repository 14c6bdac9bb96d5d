//! Restating a case to its statement of account, and booking on a window of
//! a larger ledger (the stored balances of the accounts a batch touches).

use kwijting_domain::{CaseId, Money, parse_date};
use kwijting_ledger::recipe;
use kwijting_ledger::{AccountKind, CaseBalance, Ledger, TransferKey};
use proptest::prelude::*;

const CASE: CaseId = CaseId(7);

fn key(s: &str) -> TransferKey {
    TransferKey::parse(s).unwrap()
}

fn parts(p: i64, i: i64, c: i64, v: i64) -> CaseBalance {
    CaseBalance {
        principal: Money::from_cents(p),
        interest: Money::from_cents(i),
        costs: Money::from_cents(c),
        vat: Money::from_cents(v),
    }
}

fn part() -> impl Strategy<Value = i64> {
    prop_oneof![Just(0i64), 0i64..1_000_000]
}

fn balance() -> impl Strategy<Value = CaseBalance> {
    (part(), part(), part(), part()).prop_map(|(p, i, c, v)| parts(p, i, c, v))
}

proptest! {
    /// Whatever the case stood at, restating brings it exactly to the
    /// target, in one balanced transfer, and the ledger verifies.
    #[test]
    fn restating_reaches_the_target(from in balance(), to in balance()) {
        let on = parse_date("2026-01-10").unwrap();
        let mut l = Ledger::new();
        if from.total().unwrap().cents() > 0 {
            l.apply(recipe::charge(key("c0"), on, CASE, &from, "start").unwrap()).unwrap();
        }
        match recipe::restate(&l, key("s1"), on, CASE, &to, "statement").unwrap() {
            None => prop_assert_eq!(from, to),
            Some(t) => {
                prop_assert!(t.balances());
                l.apply(t).unwrap();
            }
        }
        prop_assert_eq!(l.case_balance(CASE), to);
        prop_assert_eq!(l.verify(), Ok(()));
    }
}

#[test]
fn a_negative_target_is_refused() {
    let l = Ledger::new();
    let on = parse_date("2026-01-10").unwrap();
    assert!(recipe::restate(&l, key("s"), on, CASE, &parts(-1, 0, 0, 0), "x").is_err());
}

/// A window holds the stored balances; transfers applied to it are checked
/// as on the full ledger and end where the full ledger ends.
#[test]
fn a_window_books_like_the_full_ledger() {
    let on = parse_date("2026-01-10").unwrap();
    let mut full = Ledger::new();
    full.apply(recipe::charge(key("c1"), on, CASE, &parts(10_000, 0, 0, 0), "intake").unwrap())
        .unwrap();
    let r = recipe::receipt(key("r1"), on, Money::from_cents(3_000), "stmt:1").unwrap();
    full.apply(r.clone()).unwrap();

    // The window knows the balances and the receipt (the parent to spend).
    let mut window = Ledger::window(full.balances().collect::<Vec<_>>(), vec![r]);
    let a = recipe::ClientAgreement::new(
        kwijting_domain::ClientId(1),
        0,
        kwijting_domain::Rounding::HalfUp,
        recipe::Beneficiary::Client,
        recipe::Beneficiary::Client,
    )
    .unwrap();
    let owed = window.case_balance(CASE);
    let req = recipe::AllocationRequest {
        key: &key("a1"),
        receipt: &key("r1"),
        case: CASE,
        amount: Money::from_cents(3_000),
        on,
        agreement: &a,
        reason: "test",
    };
    let claims = [recipe::ClaimBalance {
        claim: kwijting_domain::ClaimId(1),
        due_on: on,
        onerousness: 0,
        owed,
    }];
    let plan = recipe::allocate(&window, &req, &claims, None).unwrap();
    window.apply(plan.transfer.clone()).unwrap();
    full.apply(plan.transfer).unwrap();
    for account in [
        AccountKind::Suspense,
        AccountKind::CasePrincipal(CASE),
        AccountKind::ClientPayable(kwijting_domain::ClientId(1)),
    ] {
        assert_eq!(window.balance(account), full.balance(account), "{account}");
    }
    // Spending the receipt twice is refused on the window too.
    let again = recipe::AllocationRequest {
        key: &key("a2"),
        ..req
    };
    assert!(recipe::allocate(&window, &again, &claims, None).is_err());
    assert_eq!(full.verify(), Ok(()));
}
