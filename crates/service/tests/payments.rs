//! Money in, on both engines: a statement is booked all or nothing and
//! once, credits are matched and allocated, the rest waits in suspense, and
//! the ledger's invariants hold.

use kwijting_domain::{Iban, parse_date};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;
mod money;
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

#[test]
fn only_a_statement_of_a_trust_account_is_booked() {
    for (engine, svc) in setup("trust_account_only", 20) {
        let trust = format!("<IBAN>{}</IBAN>", trust());
        let lines = [money::Line::credit(2_500, "2026-11-20")];
        let xml = money::camt("TRUST1", &lines);
        let before = svc.ledger_fingerprint(&operator()).unwrap();
        // Another account of the agency's bank: not client money in trust.
        let other = Iban::dutch("ABNA", 417_164_300).unwrap();
        let wrong = xml.replace(&trust, &format!("<IBAN>{other}</IBAN>"));
        let e = svc
            .import_statement(&operator(), "other.xml", wrong.as_bytes())
            .unwrap_err();
        let said = e.to_string();
        assert!(
            said.contains("other.xml")
                && said.contains(other.as_str())
                && said.contains("not a configured trust account"),
            "{engine}: {said}"
        );
        // An account that fails mod-97 is no IBAN at all.
        let broken = xml.replace(&trust, "<IBAN>NL00RABO0123456789</IBAN>");
        let said = svc
            .import_statement(&operator(), "broken.xml", broken.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(said.contains("not a valid IBAN"), "{engine}: {said}");
        // Without a trust account configured nothing is booked.
        let bare = common::service_on(
            kwijting_store::testkit::fresh_stores("trust_account_none")
                .into_iter()
                .find(|(e, _)| *e == engine)
                .unwrap()
                .1,
            parse_date("2026-11-21").unwrap(),
        )
        .with_trust_accounts(Vec::new());
        let said = bare
            .import_statement(&operator(), "any.xml", xml.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            said.contains("no trust account is configured"),
            "{engine}: {said}"
        );
        assert_eq!(
            svc.ledger_fingerprint(&operator()).unwrap(),
            before,
            "{engine}: a refused statement changes nothing"
        );
        // The trust account's own statement is booked.
        svc.import_statement(&operator(), "trust.xml", xml.as_bytes())
            .unwrap();
    }
}

#[test]
fn a_debit_that_is_not_ours_waits_in_the_queue() {
    for (engine, svc) in setup("unmatched_debits", 20) {
        let mut payout = money::Line::debit(10_000, "2026-11-20");
        payout.end_to_end_id = Some("RMT-2026-11-7".into());
        let costs = money::Line::debit(1_250, "2026-11-20");
        let credit = money::Line::credit(20_000, "2026-11-20");
        let xml = money::camt("DEBITS1", &[credit, payout, costs]);
        let r = svc
            .import_statement(&operator(), "debits.xml", xml.as_bytes())
            .unwrap();
        assert_eq!((r.debits, r.unmatched_debits), (2, 1), "{engine}: {r:?}");
        let (total, entries) = svc.unmatched_payments(&operator(), 50).unwrap();
        let debits: Vec<_> = entries
            .iter()
            .filter(|e| e.match_state == "unmatched_debit")
            .collect();
        assert_eq!(debits.len(), 1, "{engine}: {entries:?}");
        assert_eq!(debits[0].amount_cents, -1_250, "{engine}");
        assert!(total >= 2, "{engine}: the credit waits too");
    }
}

#[test]
fn a_statement_amount_over_the_ledgers_limit_is_refused_whole() {
    use kwijting_service::payments::STATEMENT_AMOUNT_MAX;
    for (engine, svc) in setup("statement_amount_limit", 5) {
        let before = svc.ledger_fingerprint(&operator()).unwrap();
        // camt: the second entry is one cent over the limit.
        let over = STATEMENT_AMOUNT_MAX.cents() + 1;
        let lines = [
            money::Line::credit(2_500, "2026-11-20"),
            money::Line::credit(over, "2026-11-20"),
        ];
        let xml = money::camt("LIM1", &lines);
        let said = svc
            .import_statement(&operator(), "limits.xml", xml.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            said.contains("limits.xml, statement LIM1, entry 2 (line ")
                && said.contains("10000000000.01")
                && said.contains("nothing was booked"),
            "{engine}: {said}"
        );
        // MT940: the entry's `:61:` line is named.
        let sta = format!(
            ":20:LIM2\n:25:{}\n:28C:1\n:60F:C261120EUR0,00\n\
             :61:2611201120C25,00NTRFNONREF//L1\n:86:betaling\n\
             :61:2611201120C10000000000,01NTRFNONREF//L2\n:86:te groot\n\
             :62F:C261120EUR10000000025,01\n",
            trust()
        );
        let said = svc
            .import_statement(&operator(), "limits.sta", sta.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            said.contains("limits.sta, statement LIM2, entry 2 (line 7)"),
            "{engine}: {said}"
        );
        assert_eq!(
            svc.ledger_fingerprint(&operator()).unwrap(),
            before,
            "{engine}: a refused statement changes nothing"
        );
        // The limit itself is taken (into suspense: it names no case).
        let at_limit = [money::Line::credit(
            STATEMENT_AMOUNT_MAX.cents(),
            "2026-11-20",
        )];
        let r = svc
            .import_statement(
                &operator(),
                "limit.xml",
                money::camt("LIM3", &at_limit).as_bytes(),
            )
            .unwrap();
        assert_eq!(r.unmatched, 1, "{engine}: {r:?}");
        assert!(svc.verify_ledger(&operator()).unwrap().is_ok(), "{engine}");
    }
}
