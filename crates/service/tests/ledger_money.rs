//! The ledger follows the law, on both engines: a matched payment is
//! allocated after the interest and costs of the statement of account are
//! charged; returns and reversals undo the receipt they refer to; unmatched
//! money is assigned by a person; `ledger verify` checks that each case
//! equals its statement of account.

use kwijting_domain::parse_date;
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;
mod money;
use common::operator;
use money::{Line, camt, camt054, entry_key, kenmerk};

fn setup(test: &str, cases: u64) -> Vec<(&'static str, Kwijting)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| (engine, common::acme(store, cases, 4)))
        .collect()
}

fn number(id: u64) -> String {
    kwijting_domain::CaseNumber::for_case(kwijting_domain::CaseId(id as i64))
        .unwrap()
        .as_str()
        .to_owned()
}

fn principal(svc: &Kwijting, id: u64) -> i64 {
    svc.case_file(&operator(), &number(id))
        .unwrap()
        .summary
        .principal_cents
}

fn verified(svc: &Kwijting, engine: &str) {
    if let Err(p) = svc.verify_ledger(&operator()).unwrap() {
        panic!("{engine}: {p:#?}");
    }
}

fn pay(id: u64, cents: i64, date: &str) -> Line {
    Line {
        kenmerk: Some(kenmerk(id)),
        ..Line::credit(cents, date)
    }
}

#[test]
fn interest_and_costs_are_charged_before_a_payment_is_allocated() {
    for (engine, svc) in setup("ledger_costs", 60) {
        for d in [
            "2026-11-21",
            "2026-11-24",
            "2026-12-12",
            "2026-12-26",
            "2027-01-23",
        ] {
            let s = svc
                .run_day(&operator(), parse_date(d).unwrap(), 1, &|_, _| {})
                .unwrap();
            assert_eq!(s.errors, 0, "{engine}: {:?}", s.error_reasons);
        }
        // A case whose first demand with costs was sent.
        let id = (1..=60u64)
            .find(|id| {
                svc.decisions(&operator(), &number(*id))
                    .unwrap()
                    .1
                    .iter()
                    .any(|d| d.action == "first_demand" && d.review_state == "automatic")
            })
            .expect("a first demand in 60 cases");
        let full = principal(&svc, id);
        let r = svc
            .import_statement(
                &operator(),
                "a.xml",
                camt("A", &[pay(id, 1_000, "2027-02-01")]).as_bytes(),
            )
            .unwrap();
        assert_eq!(r.matched, 1, "{engine}: {r:?}");
        let owed = svc.case_ledger(&operator(), &number(id)).unwrap();
        // Art. 6:44 BW: the payment went to the costs first; principal and
        // interest are untouched.
        assert!(owed.costs.cents() > 0, "{engine}: {owed:?}");
        assert!(owed.interest.cents() > 0, "{engine}: {owed:?}");
        assert_eq!(owed.principal.cents(), full, "{engine}: {owed:?}");
        verified(&svc, engine);

        // Paying far more than owed: the rest is held for refund.
        let r = svc
            .import_statement(
                &operator(),
                "b.xml",
                camt("B", &[pay(id, full + 1_000_000, "2027-02-10")]).as_bytes(),
            )
            .unwrap();
        let total = owed.total().unwrap().cents();
        assert!(
            r.refunds_cents > 0 && r.refunds_cents < 1_000_000 + full - total + 100,
            "{engine}: {r:?}, owed {total}"
        );
        let owed = svc.case_ledger(&operator(), &number(id)).unwrap();
        // At most the fraction of a cent of running interest the statement
        // of account leaves when a payment settles interest rounded down.
        assert!(owed.total().unwrap().cents() <= 1, "{engine}: {owed:?}");
        verified(&svc, engine);
        verified(&svc, engine);
    }
}

#[test]
fn returns_and_reversals_undo_the_receipt_and_its_allocation() {
    for (engine, svc) in setup("ledger_returns", 10) {
        let full = principal(&svc, 3);
        let collected = Line {
            end_to_end_id: Some("DD-3-1".into()),
            ..pay(3, 5_000, "2026-11-20")
        };
        let suspense = Line {
            text: Some("no reference".into()),
            iban: Some("NL91ABNA0417164300".into()),
            ..Line::credit(777, "2026-11-20")
        };
        let r = svc
            .import_statement(
                &operator(),
                "a.xml",
                camt("A", &[collected, suspense]).as_bytes(),
            )
            .unwrap();
        assert_eq!((r.matched, r.unmatched), (1, 1), "{engine}: {r:?}");
        verified(&svc, engine);

        // A direct-debit return by end-to-end id, a return of the money in
        // suspense by amount and counterparty, and a return nobody can place.
        let md06 = Line {
            end_to_end_id: Some("DD-3-1".into()),
            return_reason: Some("MD06".into()),
            ..Line::debit(5_000, "2026-11-27")
        };
        let back = Line {
            iban: Some("NL91ABNA0417164300".into()),
            reversal: true,
            ..Line::debit(777, "2026-11-27")
        };
        let stray = Line {
            end_to_end_id: Some("UNKNOWN".into()),
            return_reason: Some("AM04".into()),
            ..Line::debit(1_234, "2026-11-27")
        };
        let file = camt("R", &[md06, back, stray]);
        let r = svc
            .import_statement(&operator(), "r.xml", file.as_bytes())
            .unwrap();
        assert_eq!(r.returns.len(), 2, "{engine}: {r:?}");
        let dd = &r.returns[0];
        assert_eq!(dd.original_entry_key, entry_key("A", 0), "{engine}");
        assert_eq!(dd.reason_code.as_deref(), Some("MD06"), "{engine}");
        assert_eq!(dd.case.map(|c| c.0), Some(3), "{engine}");
        assert_eq!(
            r.returns[1].original_entry_key,
            entry_key("A", 1),
            "{engine}"
        );
        // The case owes its whole principal again, with the interest to the
        // day of the return.
        let owed = svc.case_ledger(&operator(), &number(3)).unwrap();
        assert_eq!(owed.principal.cents(), full, "{engine}: {owed:?}");
        verified(&svc, engine);
        // The unplaceable return waits for a person, with why.
        let (_, waiting) = svc.unmatched_payments(&operator(), 100).unwrap();
        let keys: Vec<&str> = waiting.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec![entry_key("R", 2).as_str()], "{engine}");
        assert!(
            waiting[0].reason.as_deref().unwrap().contains("AM04"),
            "{engine}: {waiting:?}"
        );

        // Importing the returns again changes nothing.
        let before = table_counts(&svc);
        let again = svc
            .import_statement(&operator(), "r.xml", file.as_bytes())
            .unwrap();
        assert_eq!(again.known, 3, "{engine}");
        assert_eq!(table_counts(&svc), before, "{engine}");

        // A credit and its reversal (RvslInd) in one file, by reference.
        let pair = [
            pay(4, 2_500, "2026-11-28"),
            Line {
                reversal: true,
                ..Line::debit(2_500, "2026-11-28")
            },
        ];
        let mut rev = pair[1].clone();
        rev.kenmerk = Some(kenmerk(4));
        let r = svc
            .import_statement(
                &operator(),
                "p.xml",
                camt("P", &[pair[0].clone(), rev]).as_bytes(),
            )
            .unwrap();
        assert_eq!(r.returns.len(), 1, "{engine}: {r:?}");
        assert_eq!(r.returns[0].case.map(|c| c.0), Some(4), "{engine}: {r:?}");
        verified(&svc, engine);
    }
}

#[test]
fn unmatched_money_is_assigned_by_a_person() {
    for (engine, svc) in setup("ledger_assign", 10) {
        let r = svc
            .import_statement(
                &operator(),
                "u.xml",
                camt(
                    "U",
                    &[Line {
                        text: Some("for my debt".into()),
                        ..Line::credit(3_000, "2026-11-20")
                    }],
                )
                .as_bytes(),
            )
            .unwrap();
        assert_eq!(r.unmatched, 1, "{engine}");
        let key = entry_key("U", 0);
        assert!(matches!(
            svc.assign_payment(&operator(), &key, "KW999999999"),
            Err(ServiceError::UnknownCase(_))
        ));
        let a = svc.assign_payment(&operator(), &key, &number(5)).unwrap();
        assert_eq!(a.amount.cents(), 3_000, "{engine}");
        assert_eq!(
            svc.unmatched_payments(&operator(), 10).unwrap().0,
            0,
            "{engine}"
        );
        let owed = svc.case_ledger(&operator(), &number(5)).unwrap();
        assert!(owed.total().unwrap().cents() > 0, "{engine}");
        verified(&svc, engine);
        // Once only.
        assert!(
            svc.assign_payment(&operator(), &key, &number(5)).is_err(),
            "{engine}"
        );
        // An assigned credit can still be returned.
        let back = Line {
            reversal: true,
            ..Line::debit(3_000, "2026-11-30")
        };
        let mut back = back;
        back.text = None;
        let r = svc
            .import_statement(&operator(), "v.xml", camt("V", &[back]).as_bytes())
            .unwrap();
        // Nothing to find it by: no end-to-end id, reference or IBAN.
        assert_eq!(r.returns.len(), 0, "{engine}: {r:?}");
        assert_eq!(
            svc.unmatched_payments(&operator(), 10).unwrap().0,
            1,
            "{engine}"
        );
        verified(&svc, engine);
    }
}

fn table_counts(svc: &Kwijting) -> kwijting_service::payments::LedgerFingerprint {
    svc.ledger_fingerprint(&operator()).unwrap()
}

#[test]
fn a_camt054_notification_is_booked_and_returned() {
    for (engine, svc) in setup("ledger_camt054", 5) {
        let collected = Line {
            end_to_end_id: Some("DD-2-1".into()),
            ..pay(2, 4_200, "2026-11-20")
        };
        let file = camt054("N1", &[collected]);
        assert!(
            file.contains("<Ntfctn>") && !file.contains("<Bal>"),
            "{file}"
        );
        let r = svc
            .import_statement(&operator(), "n1.xml", file.as_bytes())
            .unwrap();
        assert_eq!((r.transactions, r.matched), (1, 1), "{engine}: {r:?}");
        let back = Line {
            end_to_end_id: Some("DD-2-1".into()),
            return_reason: Some("AM04".into()),
            ..Line::debit(4_200, "2026-11-24")
        };
        let r = svc
            .import_statement(&operator(), "n2.xml", camt054("N2", &[back]).as_bytes())
            .unwrap();
        assert_eq!(r.returns.len(), 1, "{engine}: {r:?}");
        assert_eq!(r.returns[0].reason_code.as_deref(), Some("AM04"));
        verified(&svc, engine);
    }
}

#[test]
fn a_return_of_a_credit_already_written_in_the_same_file_updates_it() {
    // More credits than one chunk the booking hands the ledger writer
    // (5,000), then a return of the first: by then its row is written, so
    // the return must change the stored row, not the one in hand.
    let credits = 5_001;
    let mut lines: Vec<Line> = (0..credits)
        .map(|i| Line {
            end_to_end_id: Some(format!("E2E-{i}")),
            text: Some("no reference".into()),
            ..Line::credit(1_000 + i as i64, "2026-11-20")
        })
        .collect();
    lines.push(Line {
        end_to_end_id: Some("E2E-0".into()),
        return_reason: Some("AC04".into()),
        ..Line::debit(1_000, "2026-11-20")
    });
    let file = camt("BIG", &lines);
    for (engine, svc) in setup("ledger_chunks", 3) {
        let r = svc
            .import_statement(&operator(), "big.xml", file.as_bytes())
            .unwrap();
        assert_eq!(r.unmatched, credits as u64, "{engine}: {r:?}");
        assert_eq!(r.returns.len(), 1, "{engine}: {r:?}");
        assert_eq!(r.returns[0].original_entry_key, entry_key("BIG", 0));
        let (total, waiting) = svc.unmatched_payments(&operator(), 10).unwrap();
        assert_eq!(
            total,
            credits as u64 - 1,
            "{engine}: the returned credit no longer waits"
        );
        assert!(
            waiting.iter().all(|e| e.key != entry_key("BIG", 0)),
            "{engine}"
        );
        verified(&svc, engine);
        let before = table_counts(&svc);
        let again = svc
            .import_statement(&operator(), "big.xml", file.as_bytes())
            .unwrap();
        assert_eq!(again.known, credits as u64 + 1, "{engine}");
        assert_eq!(table_counts(&svc), before, "{engine}: nothing twice");
    }
}
