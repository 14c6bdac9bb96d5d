//! The ledger follows a case's statement of account when it changes without
//! a payment, on both engines: claims a later import adds to a case already
//! on the ledger, and costs demanded on a day on or before the case's last
//! posting (a daily run for an earlier day) restate the case at once, so
//! `ledger verify` stays green.

use kwijting_domain::{ClientRole, parse_date};
use kwijting_service::Kwijting;
use kwijting_store::testkit::fresh_stores;

mod common;
mod money;
use common::operator;
use money::{Line, camt, kenmerk};

fn number(id: u64) -> String {
    kwijting_domain::CaseNumber::for_case(kwijting_domain::CaseId(id as i64))
        .unwrap()
        .as_str()
        .to_owned()
}

fn verified(svc: &Kwijting, engine: &str, when: &str) {
    if let Err(p) = svc.verify_ledger(&operator()).unwrap() {
        panic!("{engine} {when}: {p:#?}");
    }
}

fn pay(id: u64, cents: i64, date: &str) -> Line {
    Line {
        kenmerk: Some(kenmerk(id)),
        ..Line::credit(cents, date)
    }
}

const HEADER: &str = "debtor_ref,debtor_type,debtor_name,birth_date,kvk_number,street,postcode,city,invoice_number,invoice_date,due_date,principal\n";

fn claim(invoice: &str, due: &str, principal: &str) -> String {
    format!(
        "{HEADER}D-1,business,Jansen Bouw B.V.,,12345678,Dorpsstraat 1,1234 AB,Utrecht,{invoice},{due},{due},{principal}\n"
    )
}

#[test]
fn claims_added_to_a_case_on_the_ledger_restate_it() {
    for (engine, store) in fresh_stores("restate_claims") {
        let svc = common::service(store);
        let a = operator();
        svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
            .unwrap();
        svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
            .unwrap();
        svc.import_claims_csv(
            &a,
            "ACME",
            "1.csv",
            claim("INV-1", "2026-09-01", "500.00").as_bytes(),
            &mut |_| {},
        )
        .unwrap();
        let r = svc
            .import_statement(
                &a,
                "a.xml",
                camt("A", &[pay(1, 10_000, "2026-11-10")]).as_bytes(),
            )
            .unwrap();
        assert_eq!(r.matched, 1, "{engine}: {r:?}");
        verified(&svc, engine, "after the payment");
        let before = svc.case_ledger(&a, &number(1)).unwrap();

        // A later import adds a claim (due before the payment) to the case.
        let r = svc
            .import_claims_csv(
                &a,
                "ACME",
                "2.csv",
                claim("INV-2", "2026-10-01", "300.00").as_bytes(),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(r.cases_extended, 1, "{engine}: {r:?}");
        verified(&svc, engine, "after claims were added");
        let after = svc.case_ledger(&a, &number(1)).unwrap();
        assert_eq!(
            after.principal.cents(),
            before.principal.cents() + 30_000,
            "{engine}: {before:?} -> {after:?}"
        );
        assert!(
            after.interest > before.interest,
            "{engine}: {before:?} -> {after:?}"
        );

        // Importing the same file again changes nothing, the ledger included.
        let print = svc.ledger_fingerprint(&a).unwrap();
        svc.import_claims_csv(
            &a,
            "ACME",
            "2.csv",
            claim("INV-2", "2026-10-01", "300.00").as_bytes(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(svc.ledger_fingerprint(&a).unwrap(), print, "{engine}");
        verified(&svc, engine, "after the re-import");
    }
}

#[test]
fn costs_demanded_before_the_last_posting_restate_the_case() {
    for (engine, store) in fresh_stores("restate_costs") {
        let svc = common::acme(store, 60, 4);
        let a = operator();
        // Every case pays a little on a day after the daily runs below.
        let lines: Vec<Line> = (1..=60).map(|id| pay(id, 1_000, "2027-02-01")).collect();
        let r = svc
            .import_statement(&a, "a.xml", camt("A", &lines).as_bytes())
            .unwrap();
        assert_eq!(r.matched, 60, "{engine}: {r:?}");
        verified(&svc, engine, "after the payments");
        for d in [
            "2026-11-21",
            "2026-11-24",
            "2026-12-12",
            "2026-12-26",
            "2027-01-23",
        ] {
            let s = svc
                .run_day(&a, parse_date(d).unwrap(), 1, &|_, _| {})
                .unwrap();
            assert_eq!(s.errors, 0, "{engine}: {:?}", s.error_reasons);
            verified(&svc, engine, &format!("after the run of {d}"));
        }
        // Some case's costs became due before its payment: now on the ledger.
        let with_costs = (1..=60u64)
            .filter(|id| svc.case_ledger(&a, &number(*id)).unwrap().costs.cents() > 0)
            .count();
        assert!(with_costs > 0, "{engine}: no case has costs on the ledger");

        // Approving the legal steps waiting for review keeps it green too.
        for d in svc.review_queue(&a, 100).unwrap() {
            svc.review(&a, d.id, true).unwrap();
        }
        verified(&svc, engine, "after the reviews");
    }
}
