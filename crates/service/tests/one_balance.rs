//! One truth about what a case owes (issue 11): the statement of account
//! over the ledger is the balance the views show, the strategy decides on,
//! the quote names and the booking settles, on both engines.

use std::sync::Arc;

use kwijting_domain::{CaseStatus, ClosureReason, Date, Money, parse_date};
use kwijting_service::Kwijting;
use kwijting_service::cases::{CaseQuery, Standing};
use kwijting_store::testkit::fresh_stores;

mod common;
mod money;
use common::{operator, service_on};
use money::{Line, camt, entry_key, kenmerk};

fn day(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(jiff::Span::new().days(days)).unwrap()
}

fn run_days(store: &Arc<dyn kwijting_store::Store>, from: Date, to: Date) {
    let mut d = from;
    while d <= to {
        let svc = service_on(store.clone(), d);
        svc.run_day(&operator(), d, 1, &|_, _| {}).unwrap();
        d = plus(d, 1);
    }
}

fn owed(s: &Standing) -> Money {
    match s {
        Standing::Known(s) => s.owed,
        Standing::Unknown(why) => panic!("no standing: {why}"),
    }
}

#[test]
fn paying_the_quote_closes_the_case_and_the_run_leaves_it_alone() {
    for (engine, store) in fresh_stores("one_balance_quote") {
        let _ = common::acme(store.clone(), 40, 7);
        let start = day("2026-11-21");
        let pay_on = day("2026-12-18");
        run_days(&store, start, plus(pay_on, -1));

        // Pay exactly what the quote says, on the day of the quote.
        let svc = service_on(store.clone(), pay_on);
        let page = svc
            .list_cases_owed(
                &operator(),
                &CaseQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap();
        let mut paid = Vec::new();
        let mut lines = Vec::new();
        for c in &page.cases {
            if !c.summary.status.is_open() {
                continue;
            }
            let quote = svc
                .settlement_quote(&operator(), &c.summary.number)
                .unwrap();
            // The listing, the case view and the quote are one number.
            assert_eq!(owed(&c.standing), quote.statement_balance, "{engine}");
            assert_eq!(
                owed(&svc.case_standing(&operator(), &c.summary.number).unwrap()),
                quote.settles_with,
                "{engine}"
            );
            let mut line = Line::credit(quote.settles_with.cents(), &pay_on.to_string());
            line.kenmerk = Some(kenmerk(c.summary.id.0 as u64));
            lines.push(line);
            paid.push(c.summary.number.clone());
        }
        assert!(paid.len() >= 30, "{engine}: {} open cases", paid.len());
        let report = svc
            .import_statement(&operator(), "pay.xml", camt("PAY1", &lines).as_bytes())
            .unwrap();
        assert_eq!(report.matched as usize, paid.len(), "{engine}: {report:?}");
        assert_eq!(report.refunds_cents, 0, "{engine}: nothing over");
        for number in &paid {
            let file = svc.case_file(&operator(), number).unwrap();
            assert_eq!(
                file.summary.status,
                CaseStatus::Closed(ClosureReason::Paid),
                "{engine}: {number}"
            );
            assert_eq!(file.closed_on, Some(pay_on), "{engine}: {number}");
            match svc.case_standing(&operator(), number).unwrap() {
                Standing::Known(s) => {
                    assert_eq!(s.owed, Money::ZERO, "{engine}: {number} owes nothing");
                    assert_eq!(s.overpaid, Money::ZERO, "{engine}: {number} nothing over");
                }
                Standing::Unknown(why) => panic!("{engine}: {number}: {why}"),
            }
        }
        assert!(svc.verify_ledger(&operator()).unwrap().is_ok(), "{engine}");

        // Four weeks of daily runs decide nothing on a paid case.
        run_days(&store, plus(pay_on, 1), plus(pay_on, 28));
        let svc = service_on(store.clone(), plus(pay_on, 28));
        for number in &paid {
            let (_, decisions) = svc.decisions(&operator(), number).unwrap();
            assert!(
                decisions.iter().all(|d| d.run_date < pay_on),
                "{engine}: {number} was pursued after it was paid: {:?}",
                decisions.last()
            );
        }

        // Sixty months after it closed, the retention run erases it (R17).
        let later = plus(pay_on, 5 * 366 + 1);
        let svc = service_on(store.clone(), later);
        let r = svc.retention_run(&operator(), later, false).unwrap();
        assert!(r.cases as usize >= paid.len(), "{engine}: {r:?}");
    }
}

#[test]
fn a_case_returned_to_the_client_closes_on_the_day_and_expires() {
    for (engine, store) in fresh_stores("one_balance_handed_over") {
        let svc: Kwijting = common::acme(store.clone(), 40, 11);
        // A debtor abroad is handed back to the client by the strategy
        // (R6); the others run until the strategy's last step returns them.
        run_days(&store, day("2026-11-21"), day("2027-04-30"));
        let page = svc
            .list_cases(
                &operator(),
                &CaseQuery {
                    status: Some(CaseStatus::Closed(ClosureReason::HandedOver)),
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(!page.cases.is_empty(), "{engine}: some case went back");
        for c in &page.cases {
            let file = svc.case_file(&operator(), &c.number).unwrap();
            assert!(
                file.closed_on.is_some(),
                "{engine}: {} has no closing date",
                c.number
            );
        }
        let later = day("2032-06-01");
        let r = service_on(store.clone(), later)
            .retention_run(&operator(), later, false)
            .unwrap();
        assert!(r.cases as usize >= page.cases.len(), "{engine}: {r:?}");
    }
}

#[test]
fn the_clients_costs_terms_are_what_the_statement_charges() {
    for (engine, store) in fresh_stores("one_balance_costs_terms") {
        let svc = common::acme(store.clone(), 40, 13);
        let a = operator();
        let mut terms = svc.client(&a, "ACME").unwrap().settings;
        terms.costs_fixed_cents = Some(10_000);
        terms.vat_not_deductible = true;
        svc.set_client_settings(&a, "ACME", &terms).unwrap();
        run_days(&store, day("2026-11-21"), day("2027-01-31"));
        let svc = service_on(store.clone(), day("2027-01-31"));
        let page = svc
            .list_cases(
                &a,
                &CaseQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap();
        let (mut business, mut consumer) = (0, 0);
        for c in &page.cases {
            let s = svc
                .statement_of_account(&a, &c.number, day("2027-01-31"))
                .unwrap();
            let Some(charge) = s.costs.first() else {
                continue;
            };
            // Raised by 21% VAT: the client cannot deduct it.
            assert_eq!(
                charge.vat,
                charge
                    .costs
                    .mul_ratio(21, 100, kwijting_domain::Rounding::HalfUp)
                    .unwrap(),
                "{engine}: {}",
                c.number
            );
            match c.debtor_type {
                kwijting_domain::DebtorType::Business => {
                    business += 1;
                    assert_eq!(charge.costs, Money::from_cents(10_000), "{engine}");
                    assert_eq!(
                        charge.exceeds_bik,
                        charge.costs > kwijting_law::nl::costs::bik_scale(charge.base).unwrap(),
                        "{engine}"
                    );
                }
                // The BIK is mandatory for consumers whatever was agreed.
                kwijting_domain::DebtorType::Consumer => {
                    consumer += 1;
                    assert_eq!(
                        charge.costs,
                        kwijting_law::nl::costs::bik_scale(charge.base).unwrap(),
                        "{engine}"
                    );
                }
            }
            // The case shows what the statement says.
            assert_eq!(
                owed(&svc.case_standing(&a, &c.number).unwrap()),
                s.balance,
                "{engine}"
            );
        }
        assert!(
            business > 0 && consumer > 0,
            "{engine}: {business} {consumer}"
        );
    }
}

/// The acceptance property of the one balance: over random claims
/// (consumer and business, due before and after the first run), the
/// client's costs terms, the strategy's letters and costs, and payments
/// (partial, exact, over) on random days, every surface tells the same
/// number on every day, the ledger agrees on each booking day, and paying
/// the quote leaves nothing owed and nothing to refund.
mod every_surface_agrees {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    struct Claim {
        principal_cents: i64,
        due_offset_days: i64,
    }

    #[derive(Debug, Clone)]
    struct Debtor {
        business: bool,
        claims: Vec<Claim>,
    }

    #[derive(Debug, Clone, Copy)]
    enum Pay {
        /// A part of what is owed that day, in basis points.
        Part(i64),
        Exact,
        /// The quote plus this many cents.
        Over(i64),
    }

    #[derive(Debug, Clone)]
    struct Scenario {
        debtors: Vec<Debtor>,
        costs: Option<(bool, i64)>,
        vat_not_deductible: bool,
        /// (day after the start, debtor, how much)
        payments: Vec<(i64, usize, Pay)>,
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        let claim = (100i64..=2_500_000, 0i64..=75).prop_map(|(p, d)| Claim {
            principal_cents: p,
            due_offset_days: d,
        });
        let debtor = (any::<bool>(), prop::collection::vec(claim, 1..=3))
            .prop_map(|(business, claims)| Debtor { business, claims });
        let pay = prop_oneof![
            3 => (1i64..10_000).prop_map(Pay::Part),
            1 => Just(Pay::Exact),
            1 => (1i64..10_000).prop_map(Pay::Over),
        ];
        (
            prop::collection::vec(debtor, 1..=3),
            prop::option::of((any::<bool>(), 1i64..=50_000)),
            any::<bool>(),
            prop::collection::vec((0i64..=DAYS, 0usize..3, pay), 1..=6),
        )
            .prop_map(|(debtors, costs, vat_not_deductible, payments)| Scenario {
                debtors,
                costs,
                vat_not_deductible,
                payments,
            })
    }

    /// The days walked from the first run.
    const DAYS: i64 = 30;

    fn csv(s: &Scenario) -> String {
        let mut out = String::from(
            "debtor_ref,debtor_type,debtor_name,kvk_number,street,postcode,city,invoice_number,invoice_date,due_date,principal\n",
        );
        let first_due = day("2026-10-01");
        for (i, d) in s.debtors.iter().enumerate() {
            for (j, c) in d.claims.iter().enumerate() {
                let due = plus(first_due, c.due_offset_days);
                let (ty, name, kvk) = if d.business {
                    (
                        "business",
                        format!("Bedrijf {i} B.V."),
                        format!("{:08}", 10_000_000 + i),
                    )
                } else {
                    ("consumer", format!("Persoon {i} van 't Hof"), String::new())
                };
                out.push_str(&format!(
                    "D{i},{ty},{name},{kvk},Straat {i},1234 AB,Utrecht,F-{i}-{j},{},{due},{}.{:02}\n",
                    plus(due, -14),
                    c.principal_cents / 100,
                    c.principal_cents % 100
                ));
            }
        }
        out
    }

    fn known(s: Standing, what: &str) -> kwijting_service::cases::CaseStanding {
        match s {
            Standing::Known(s) => s,
            Standing::Unknown(why) => panic!("{what}: no standing: {why}"),
        }
    }

    static RUN: AtomicUsize = AtomicUsize::new(0);

    fn check(s: &Scenario) {
        let n = RUN.fetch_add(1, Ordering::SeqCst);
        for (engine, store) in fresh_stores(&format!("one_balance_props_{n}")) {
            let start = day("2026-11-21");
            let svc = service_on(store.clone(), start);
            let a = operator();
            svc.add_client(
                &a,
                "ACME",
                "Acme B.V.",
                kwijting_domain::ClientRole::Controller,
                None,
            )
            .unwrap();
            let mut terms = svc.client(&a, "ACME").unwrap().settings;
            match s.costs {
                Some((true, cents)) => terms.costs_fixed_cents = Some(cents),
                Some((false, bps)) => terms.costs_percent_bps = Some(bps % 5_000),
                None => {}
            }
            terms.vat_not_deductible = s.vat_not_deductible;
            svc.set_client_settings(&a, "ACME", &terms).unwrap();
            svc.import_claims_csv(&a, "ACME", "props.csv", csv(s).as_bytes(), &mut |_| {})
                .unwrap();
            svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
                .unwrap();
            let numbers: Vec<(String, i64)> = svc
                .list_cases(
                    &a,
                    &CaseQuery {
                        limit: 100,
                        ..Default::default()
                    },
                )
                .unwrap()
                .cases
                .iter()
                .map(|c| (c.number.clone(), c.id.0))
                .collect();
            assert_eq!(
                numbers.len(),
                s.debtors.len(),
                "{engine}: one case per debtor"
            );
            let mut booked = 0;
            for offset in 0..=DAYS {
                let today = plus(start, offset);
                let svc = service_on(store.clone(), today);
                svc.run_day(&a, today, 1, &|_, _| {}).unwrap();
                for (k, (when, who, pay)) in s.payments.iter().enumerate() {
                    let (number, id) = &numbers[*who % numbers.len()];
                    if *when != offset {
                        continue;
                    }
                    let file = svc.case_file(&a, number).unwrap();
                    if !file.summary.status.is_open() {
                        continue;
                    }
                    let quote = svc.settlement_quote(&a, number).unwrap().settles_with;
                    let cents = match pay {
                        Pay::Part(bps) => (quote.cents() * bps / 10_000).max(1),
                        Pay::Exact => quote.cents(),
                        Pay::Over(extra) => quote.cents() + extra,
                    };
                    if cents <= 0 {
                        continue;
                    }
                    let mut line = Line::credit(cents, &today.to_string());
                    line.kenmerk = Some(kenmerk(*id as u64));
                    let report = svc
                        .import_statement(
                            &a,
                            "pay.xml",
                            camt(&format!("P{offset}-{k}"), &[line]).as_bytes(),
                        )
                        .unwrap();
                    assert_eq!(report.matched, 1, "{engine}: {report:?}");
                    booked += 1;
                    let after = known(svc.case_standing(&a, number).unwrap(), number);
                    let over = (cents - quote.cents()).max(0);
                    assert_eq!(
                        report.refunds_cents, over,
                        "{engine} {number} {today}: {pay:?}"
                    );
                    let status = svc.case_file(&a, number).unwrap().summary.status;
                    if cents >= quote.cents() {
                        // Paying the quote settles the case on the day.
                        assert_eq!(after.owed, Money::ZERO, "{engine} {number} {today}");
                        assert_eq!(after.overpaid.cents(), over, "{engine} {number} {today}");
                        assert_eq!(
                            status,
                            CaseStatus::Closed(ClosureReason::Paid),
                            "{engine} {number} {today}"
                        );
                    } else {
                        assert_eq!(
                            after.owed.cents(),
                            quote.cents() - cents,
                            "{engine} {number} {today}: a part pays its amount"
                        );
                        assert!(status.is_open(), "{engine} {number} {today}");
                    }
                    // The ledger, restated on the booking day, agrees part by part.
                    let ledger = svc.case_ledger(&a, number).unwrap();
                    assert_eq!(
                        (ledger.principal, ledger.interest, ledger.costs, ledger.vat),
                        (after.principal, after.interest, after.costs, after.vat),
                        "{engine} {number} {today}: ledger and statement"
                    );
                }
                // Every day: the listing, the case, the quote and what the
                // daily run decides on are one number.
                let listed = svc
                    .list_cases_owed(
                        &a,
                        &CaseQuery {
                            limit: 100,
                            ..Default::default()
                        },
                    )
                    .unwrap();
                for c in listed.cases {
                    let number = &c.summary.number;
                    let shown = known(c.standing, number).owed;
                    let case = known(svc.case_standing(&a, number).unwrap(), number).owed;
                    let quote = svc.settlement_quote(&a, number).unwrap();
                    assert_eq!(shown, case, "{engine} {number} {today}");
                    assert_eq!(shown, quote.statement_balance, "{engine} {number} {today}");
                    if c.summary.status.is_open() {
                        let next = svc.next_decision(&a, number, today).unwrap();
                        assert_eq!(
                            next.balance, shown,
                            "{engine} {number} {today}: the run decides on the shown balance"
                        );
                    }
                }
            }
            let svc = service_on(store.clone(), plus(start, DAYS));
            let verified = svc.verify_ledger(&a).unwrap();
            assert!(verified.is_ok(), "{engine}: {verified:?}");
            eprintln!("{engine}: {booked} payments booked");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 6,
            max_shrink_iters: 20,
            ..ProptestConfig::default()
        })]
        #[test]
        fn the_balance_shown_decided_quoted_and_booked_is_one(s in scenario()) {
            check(&s);
        }
    }
}

/// Two synthetic debtors with two claims each, the older one due first:
/// invoices FAC-1001 (due 2026-09-01, EUR 500) and FAC-1002 (due
/// 2026-10-15, EUR 300) for the first, FAC-2001 and FAC-2002 alike for the
/// second.
const TWO_CLAIMS_EACH: &str = "debtor_ref,debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\n\
D1,consumer,Anna Testpersoon,Teststraat 1,1234 AB,Teststad,FAC-1001,2026-08-01,2026-09-01,500.00\n\
D1,consumer,Anna Testpersoon,Teststraat 1,1234 AB,Teststad,FAC-1002,2026-09-15,2026-10-15,300.00\n\
D2,consumer,Bert Proefpersoon,Proeflaan 2,2345 BC,Proefdorp,FAC-2001,2026-08-01,2026-09-01,500.00\n\
D2,consumer,Bert Proefpersoon,Proeflaan 2,2345 BC,Proefdorp,FAC-2002,2026-09-15,2026-10-15,300.00\n";

#[test]
fn a_payment_naming_an_invoice_goes_to_that_claim_first() {
    for (engine, store) in fresh_stores("one_balance_designated") {
        let a = operator();
        let pay_on = day("2026-11-21");
        let svc = service_on(store.clone(), pay_on);
        svc.add_client(
            &a,
            "ACME",
            "Acme B.V.",
            kwijting_domain::ClientRole::Controller,
            None,
        )
        .unwrap();
        svc.import_claims_csv(
            &a,
            "ACME",
            "two.csv",
            TWO_CLAIMS_EACH.as_bytes(),
            &mut |_| {},
        )
        .unwrap();
        let page = svc
            .list_cases(
                &a,
                &CaseQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(page.cases.len(), 2, "{engine}");
        // Each case's claims by invoice number.
        let claims = |number: &str| {
            let file = svc.case_file(&a, number).unwrap();
            let mut by_invoice: Vec<(String, kwijting_domain::ClaimId)> = file
                .claims
                .iter()
                .map(|c| (c.invoice_number.clone(), c.id))
                .collect();
            by_invoice.sort();
            (file.summary.id, by_invoice)
        };
        let (named_case, named) = claims(&page.cases[0].number);
        let (plain_case, plain) = claims(&page.cases[1].number);
        let younger = named[1].1;
        let younger_invoice = named[1].0.replace('-', " ").to_lowercase();
        // EUR 200 on each: one naming its younger invoice (written with a
        // space for the dash, in lower case), one naming none.
        let mut to_named = Line::credit(20_000, &pay_on.to_string());
        to_named.kenmerk = Some(kenmerk(named_case.0 as u64));
        to_named.text = Some(format!("betaling factuur {younger_invoice}"));
        let mut to_plain = Line::credit(20_000, &pay_on.to_string());
        to_plain.kenmerk = Some(kenmerk(plain_case.0 as u64));
        to_plain.text = Some("betaling".into());
        let report = svc
            .import_statement(
                &a,
                "pay.xml",
                camt("DES1", &[to_named, to_plain]).as_bytes(),
            )
            .unwrap();
        assert_eq!(report.matched, 2, "{engine}: {report:?}");

        // The statement applies the named payment to the younger claim
        // (6:43(1) BW) and the other to the older, due first (6:43(2)).
        let check = |number: &str, to: kwijting_domain::ClaimId, designated: bool| {
            let s = svc.statement_of_account(&a, number, pay_on).unwrap();
            let p = &s.payments[0];
            assert_eq!(p.designated.is_some(), designated, "{engine}: {p:?}");
            assert_eq!(p.shares.len(), 1, "{engine}: {p:?}");
            assert_eq!(p.shares[0].claim, to, "{engine}: {p:?}");
            for c in &s.claims {
                let paid = c.paid.principal.cents() + c.paid.interest.cents();
                assert_eq!(paid > 0, c.id == to, "{engine}: {number} {c:?}");
            }
            // The case view shows the statement's balance; the ledger holds
            // the statement's parts.
            assert_eq!(
                owed(&svc.case_standing(&a, number).unwrap()),
                s.balance,
                "{engine}"
            );
            let ledger = svc.case_ledger(&a, number).unwrap();
            assert_eq!(ledger.principal, s.outstanding.principal, "{engine}");
            assert_eq!(ledger.interest, s.outstanding.interest, "{engine}");
        };
        check(&page.cases[0].number, younger, true);
        check(&page.cases[1].number, plain[0].1, false);
        // The match says why, for the person reviewing it.
        let entry = store.bank_entry(&entry_key("DES1", 0)).unwrap().unwrap();
        assert!(
            entry
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("art. 6:43(1) BW")),
            "{engine}: {entry:?}"
        );
        assert!(svc.verify_ledger(&a).unwrap().is_ok(), "{engine}");
        // The same statement later, as the views and the quote read it.
        let later = day("2026-12-21");
        let s = svc
            .statement_of_account(&a, &page.cases[0].number, later)
            .unwrap();
        assert_eq!(s.payments[0].shares[0].claim, younger, "{engine}");

        // The daily run's chunk reads the designation with the payment.
        let run_on = day("2026-11-22");
        store.plan_run(run_on, 100).unwrap();
        let seen = std::sync::Mutex::new(Vec::new());
        store
            .run_chunk(run_on, &|cases| {
                for c in cases {
                    seen.lock().unwrap().push((c.id, c.payments.clone()));
                }
                kwijting_store::ChunkWork::default()
            })
            .unwrap();
        let seen = seen.into_inner().unwrap();
        let of = |case| {
            seen.iter()
                .find(|(c, _)| *c == case)
                .map(|(_, p)| p.clone())
                .unwrap()
        };
        assert_eq!(
            of(named_case),
            vec![(pay_on, 20_000, Some(younger))],
            "{engine}"
        );
        assert_eq!(of(plain_case), vec![(pay_on, 20_000, None)], "{engine}");
    }
}
