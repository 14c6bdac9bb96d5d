//! Money in, on both engines: a statement is booked all or nothing and
//! once, credits are matched and allocated, the rest waits in suspense, and
//! the ledger's invariants hold.

use kwijting_domain::{Iban, parse_date};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;
use common::operator;

fn setup(test: &str, cases: u64) -> Vec<(&'static str, Kwijting)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| (engine, common::acme(store, cases, 4)))
        .collect()
}

fn trust() -> Iban {
    Iban::dutch("RABO", 123_456_789).unwrap()
}

#[test]
fn a_statement_is_matched_allocated_and_booked_once() {
    let xml = kwijting_bank::generate_camt053(60, 9, &trust(), parse_date("2026-11-20").unwrap());
    for (engine, svc) in setup("statement", 60) {
        let r = svc
            .import_statement(&operator(), "camt.xml", xml.as_bytes())
            .unwrap();
        assert_eq!(r.transactions, 60, "{engine}: {r:?}");
        assert_eq!(
            r.matched, 60,
            "{engine}: every credit names an open case by its kenmerk: {r:?}"
        );
        // A receipt and an allocation per credit, and the principal of each
        // case taken onto the ledger when first paid.
        let transfers = svc
            .verify_ledger(&operator())
            .unwrap()
            .expect("every invariant holds");
        assert!(transfers > 120 && transfers <= 180, "{engine}: {transfers}");
        let again = svc
            .import_statement(&operator(), "camt.xml", xml.as_bytes())
            .unwrap();
        assert_eq!(
            (again.known, again.matched),
            (60, 0),
            "{engine}: a re-import books nothing"
        );
        assert!(svc.verify_ledger(&operator()).unwrap().is_ok(), "{engine}");
    }
}

#[test]
fn an_unreconciled_statement_is_refused_whole_and_unknown_credits_wait() {
    let date = parse_date("2026-11-20").unwrap();
    let xml = kwijting_bank::generate_camt053(20, 3, &trust(), date);
    // Break the closing balance: the statement no longer adds up.
    let closing = xml.rfind("<Amt Ccy=\"EUR\">").unwrap();
    let mut broken = xml.clone();
    broken.insert(closing + "<Amt Ccy=\"EUR\">".len(), '1');
    // Point every reference at cases that do not exist.
    let unknown = kwijting_bank::generate_camt053(20, 3, &trust(), date)
        .replace("<Ustrd>BETALINGSKENMERK", "<Ustrd>FACTUUR")
        .replace(
            "<Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>",
            "",
        );
    for (engine, svc) in setup("statement_refused", 10) {
        let err = svc
            .import_statement(&operator(), "broken.xml", broken.as_bytes())
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Invalid(m) if m.contains("broken.xml")),
            "{engine}: {err}"
        );
        assert_eq!(
            svc.unmatched_payments(&operator(), 10).unwrap().0,
            0,
            "{engine}: nothing booked"
        );
        let r = svc
            .import_statement(&operator(), "unknown.xml", unknown.as_bytes())
            .unwrap();
        let (total, entries) = svc.unmatched_payments(&operator(), 100).unwrap();
        assert_eq!(total, r.unmatched, "{engine}: {r:?}");
        assert!(entries.iter().all(|e| e.reason.is_some()), "{engine}");
        assert!(svc.verify_ledger(&operator()).unwrap().is_ok(), "{engine}");
    }
}
