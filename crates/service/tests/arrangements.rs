//! Payment arrangements and direct debit on both engines: acceptance rules,
//! schedules that add up exactly, the daily monitoring (missed, reminded,
//! broken and the strategy resuming; completed), the pain.008 file of a
//! date (schema-valid, written once), and returns that retry, reopen or
//! stop the mandate.

use std::sync::Arc;

use kwijting_bank::{Bic, CreditorId, Pain008Version};
use kwijting_domain::{ClientRole, Date, Iban, Money, parse_date};
use kwijting_service::arrangements::ProposalOutcome;
use kwijting_service::cases::CaseQuery;
use kwijting_service::direct_debit::{Creditor, is_target_day};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::Store;
use kwijting_store::testkit::fresh_stores;
use kwijting_strategy::arrangement::{ArrangementRules, Frequency, Proposal};

mod common;
use common::operator;

fn day(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn setup(test: &str) -> Vec<(&'static str, Kwijting, Arc<dyn Store>)> {
    let csv = common::portfolio(6, 11);
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = common::service(store.clone());
            let a = operator();
            svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
                .unwrap();
            svc.import_claims_csv(&a, "ACME", "p.csv", &csv[..], &mut |_| {})
                .unwrap();
            svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
                .unwrap();
            (engine, svc, store)
        })
        .collect()
}

/// The same store seen at another moment.
fn at(store: &Arc<dyn Store>, instant: &str) -> Kwijting {
    Kwijting::new(
        store.clone(),
        Arc::new(kwijting_policy::Policy::load_default().unwrap()),
        Arc::new(kwijting_service::FixedClock(instant.parse().unwrap())),
    )
    .with_trust_accounts(vec![common::trust_account()])
}

fn first_case(svc: &Kwijting) -> String {
    svc.list_cases(
        &operator(),
        &CaseQuery {
            limit: 1,
            ..Default::default()
        },
    )
    .unwrap()
    .cases[0]
        .number
        .clone()
}

fn owed(svc: &Kwijting, number: &str) -> Money {
    svc.statement_of_account(&operator(), number, svc.clock().today())
        .unwrap()
        .balance
}

/// `n` instalments that pay `owed`, the last taking the rest.
fn fitting(n: u16, owed: Money, f: Frequency, first: &str) -> Proposal {
    let each = (owed.cents() + i64::from(n) - 1) / i64::from(n);
    Proposal {
        instalments: n,
        amount: Money::from_cents(each),
        frequency: f,
        first_on: day(first),
    }
}

fn accept(
    svc: &Kwijting,
    number: &str,
    p: &Proposal,
) -> kwijting_service::arrangements::ArrangementView {
    match svc.propose_arrangement(&operator(), number, p).unwrap() {
        ProposalOutcome::Accepted(v) => *v,
        ProposalOutcome::Rejected { reason, .. } => panic!("rejected: {reason}"),
    }
}

fn run(svc: &Kwijting, d: &str) -> kwijting_service::daily_run::RunSummary {
    let s = svc.run_day(&operator(), day(d), 2, &|_, _| {}).unwrap();
    assert_eq!(s.errors, 0, "{:?}", s.error_reasons);
    s
}

fn actions(svc: &Kwijting, number: &str) -> Vec<(String, String)> {
    svc.decisions(&operator(), number)
        .unwrap()
        .1
        .into_iter()
        .map(|d| (d.run_date.to_string(), d.action))
        .collect()
}

fn holds_in_force(svc: &Kwijting, number: &str) -> Vec<String> {
    svc.holds(&operator(), number)
        .unwrap()
        .into_iter()
        .filter(|h| h.lifted_on.is_none())
        .map(|h| h.kind)
        .collect()
}

/// A camt.053.001.02 statement of one day whose balances reconcile; each
/// entry: credit or debit, cents, end-to-end id, CUR reference, return
/// reason.
/// One statement line: credit, cents, end-to-end id, CUR reference, return
/// reason.
type Line<'a> = (bool, i64, &'a str, Option<&'a str>, Option<&'a str>);

fn camt(on: &str, entries: &[Line<'_>]) -> String {
    let mut body = String::new();
    let mut total = 0i64;
    for (i, (credit, cents, e2e, kenmerk, reason)) in entries.iter().enumerate() {
        total += if *credit { *cents } else { -cents };
        let strd = kenmerk
            .map(|k| {
                format!(
                    "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp><Ref>{k}</Ref></CdtrRefInf></Strd></RmtInf>"
                )
            })
            .unwrap_or_default();
        let rtr = reason
            .map(|r| format!("<RtrInf><Rsn><Cd>{r}</Cd></Rsn></RtrInf>"))
            .unwrap_or_default();
        body.push_str(&format!(
            "<Ntry><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{on}</Dt></BookgDt><ValDt><Dt>{on}</Dt></ValDt><AcctSvcrRef>T{on}-{i}</AcctSvcrRef>\
             <NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>{strd}{rtr}</TxDtls></NtryDtls></Ntry>\n",
            cents / 100,
            cents % 100,
            if *credit { "CRDT" } else { "DBIT" },
        ));
    }
    let (sign, abs) = if total >= 0 {
        ("CRDT", total)
    } else {
        ("DBIT", -total)
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>
<GrpHdr><MsgId>S-{on}</MsgId><CreDtTm>{on}T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{on}</Id><ElctrncSeqNb>1</ElctrncSeqNb><CreDtTm>{on}T18:00:00</CreDtTm>
<Acct><Id><IBAN>{trust}</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{on}</Dt></Dt></Bal>
{body}</Stmt></BkToCstmrStmt></Document>
",
        abs / 100,
        abs % 100,
        trust = Iban::dutch("RABO", 123_456_789).unwrap().as_str(),
    )
}

fn kenmerk(svc: &Kwijting, number: &str) -> String {
    svc.case_file(&operator(), number)
        .unwrap()
        .payment_reference
}

#[test]
fn proposals_are_checked_against_the_clients_rules_and_schedules_add_up() {
    for (engine, svc, _) in setup("arr_rules") {
        let a = operator();
        let number = first_case(&svc);
        let total = owed(&svc, &number);
        assert!(total.cents() > 0, "{engine}");
        svc.set_arrangement_rules(
            &a,
            "ACME",
            &ArrangementRules {
                min_instalment: Money::from_cents(50_00),
                max_term_months: 6,
                ..ArrangementRules::default()
            },
        )
        .unwrap();
        let low = Proposal {
            instalments: 3,
            amount: Money::from_cents(10_00),
            frequency: Frequency::Monthly,
            first_on: day("2026-12-01"),
        };
        match svc.propose_arrangement(&a, &number, &low).unwrap() {
            ProposalOutcome::Rejected { reason, .. } => {
                assert!(
                    reason.contains("minimum of EUR 50.00"),
                    "{engine}: {reason}"
                )
            }
            other => panic!("{engine}: {other:?}"),
        }
        let long = fitting(12, total, Frequency::Monthly, "2026-12-01");
        match svc.propose_arrangement(&a, &number, &long).unwrap() {
            ProposalOutcome::Rejected { reason, .. } => {
                assert!(reason.contains("at most 6 months"), "{engine}: {reason}")
            }
            other => panic!("{engine}: {other:?}"),
        }
        assert!(holds_in_force(&svc, &number).is_empty(), "{engine}");
        let v = accept(
            &svc,
            &number,
            &fitting(3, total, Frequency::Weekly, "2026-11-28"),
        );
        let s = &v.arrangement.schedule;
        assert_eq!(s.len(), 3, "{engine}");
        assert_eq!(
            s.iter().map(|i| i.amount_cents).sum::<i64>(),
            total.cents(),
            "{engine}: the schedule adds up to the statement's balance"
        );
        assert!(s[2].amount_cents <= s[0].amount_cents, "{engine}");
        assert_eq!(s[1].due_on, day("2026-12-05"), "{engine}");
        assert_eq!(v.arrangement.total_cents, total.cents(), "{engine}");
        assert_eq!(
            holds_in_force(&svc, &number),
            vec!["active_arrangement"],
            "{engine}"
        );
        let again = svc.propose_arrangement(
            &a,
            &number,
            &fitting(2, total, Frequency::Monthly, "2026-12-01"),
        );
        assert!(
            matches!(again, Err(ServiceError::Conflict { .. })),
            "{engine}: {again:?}"
        );
        // Both proposals and the acceptance are kept.
        let all = svc.arrangements(&a, &number).unwrap();
        assert_eq!(
            all.iter()
                .map(|v| v.arrangement.status.as_str())
                .collect::<Vec<_>>(),
            vec!["active", "rejected", "rejected"],
            "{engine}"
        );
        let quote = svc.settlement_quote(&a, &number).unwrap();
        assert_eq!(quote.settles_with, total, "{engine}");
    }
}

#[test]
fn a_missed_instalment_is_reminded_then_the_arrangement_breaks_and_the_strategy_resumes() {
    for (engine, svc, store) in setup("arr_broken") {
        let number = first_case(&svc);
        let total = owed(&svc, &number);
        accept(
            &svc,
            &number,
            &fitting(3, total, Frequency::Monthly, "2026-11-25"),
        );
        let held_before = run(&svc, "2026-11-25").holds;
        assert!(held_before >= 1, "{engine}");
        assert!(
            !actions(&svc, &number)
                .iter()
                .any(|(_, a)| a.starts_with("arrangement")),
            "{engine}"
        );
        let s = run(&svc, "2026-11-26");
        assert_eq!(
            s.arrangements.reminders, 1,
            "{engine}: {:?}",
            s.arrangements
        );
        assert!(
            actions(&svc, &number).contains(&("2026-11-26".into(), "arrangement_reminder".into())),
            "{engine}"
        );
        assert_eq!(
            store.queued_work("arrangement_reminder", 10).unwrap().len(),
            1,
            "{engine}"
        );
        // One reminder per instalment; within the grace nothing more.
        assert_eq!(
            run(&svc, "2026-11-27").arrangements.reminders,
            0,
            "{engine}"
        );
        assert_eq!(run(&svc, "2026-12-02").arrangements.broken, 0, "{engine}");
        let s = run(&svc, "2026-12-03");
        assert_eq!(s.arrangements.broken, 1, "{engine}");
        let (_, decisions) = svc.decisions(&operator(), &number).unwrap();
        let broken = decisions
            .iter()
            .find(|d| d.action == "arrangement_broken")
            .expect("the decision is stored");
        assert_eq!(
            (broken.strategy_id.as_str(), broken.rule.as_str()),
            ("arrangement", "grace_expired")
        );
        assert!(
            broken.inputs.contains("grace_until=2026-12-02"),
            "{engine}: {}",
            broken.inputs
        );
        assert!(
            broken.inputs.contains("paid_since_acceptance_cents=0"),
            "{engine}"
        );
        let explained = svc
            .explain(&operator(), &number, kwijting_strategy::Language::En)
            .unwrap();
        let (_, text) = explained
            .iter()
            .find(|(d, _)| d.action == "arrangement_broken")
            .unwrap();
        assert!(
            text.contains("An instalment of the payment arrangement was still unpaid")
                && text.contains("- last day to pay the instalment late: 2 December 2026.")
                && !text.contains("grace_until"),
            "{engine}: {text}"
        );
        let views = svc.arrangements(&operator(), &number).unwrap();
        assert_eq!(views[0].arrangement.status, "broken", "{engine}");
        assert!(holds_in_force(&svc, &number).is_empty(), "{engine}");
        // The next day the strategy has the case again.
        let s = run(&svc, "2026-12-04");
        assert_eq!(s.holds, held_before - 1, "{engine}");
        assert_eq!(s.arrangements.watched, 0, "{engine}");
    }
}

#[test]
fn paid_in_full_completes_the_arrangement_and_closes_the_case() {
    for (engine, svc, _) in setup("arr_completed") {
        let number = first_case(&svc);
        let total = owed(&svc, &number);
        accept(
            &svc,
            &number,
            &fitting(4, total, Frequency::Monthly, "2026-12-01"),
        );
        // Early settlement: the quote paid at once.
        let quote = svc.settlement_quote(&operator(), &number).unwrap();
        let k = kenmerk(&svc, &number);
        let xml = camt(
            "2026-11-23",
            &[(
                true,
                quote.settles_with.cents(),
                "NOTPROVIDED",
                Some(&k),
                None,
            )],
        );
        let r = svc
            .import_statement(&operator(), "pay.xml", xml.as_bytes())
            .unwrap();
        assert_eq!(r.matched, 1, "{engine}: {r:?}");
        let v = &svc.arrangements(&operator(), &number).unwrap()[0];
        assert_eq!(v.remaining, Money::ZERO, "{engine}");
        let s = run(&svc, "2026-11-24");
        assert_eq!(
            s.arrangements.completed, 1,
            "{engine}: {:?}",
            s.arrangements
        );
        let v = &svc.arrangements(&operator(), &number).unwrap()[0];
        assert_eq!(v.arrangement.status, "completed", "{engine}");
        assert!(
            v.arrangement.schedule.iter().all(|i| i.state == "paid"),
            "{engine}"
        );
        let file = svc.case_file(&operator(), &number).unwrap();
        assert_eq!(file.summary.status.as_str(), "closed_paid", "{engine}");
        assert!(holds_in_force(&svc, &number).is_empty(), "{engine}");
    }
}

fn creditor() -> Creditor {
    Creditor {
        name: "Kwijting Incasso B.V.".into(),
        iban: Iban::dutch("RABO", 123_456_789).unwrap(),
        bic: Some(Bic::parse("RABONL2U").unwrap()),
        id: CreditorId::parse("NL22ZZZ524885430000").unwrap(),
    }
}

/// The pain.008 of a date, with the test creditor.
fn dd_file(svc: &Kwijting, on: &str) -> kwijting_service::direct_debit::DirectDebitFile {
    svc.direct_debit_file(&operator(), day(on), Pain008Version::V08, Some(&creditor()))
        .unwrap()
}

/// Instalment `k` (0-based) of the case's newest arrangement.
fn instalment(svc: &Kwijting, number: &str, k: usize) -> kwijting_store::InstalmentRow {
    svc.arrangements(&operator(), number).unwrap()[0]
        .arrangement
        .schedule[k]
        .clone()
}

/// A statement of `on` on which the collection `e2e` comes back.
fn returned(svc: &Kwijting, on: &str, cents: i64, e2e: &str, code: &str) {
    let xml = camt(on, &[(false, cents, e2e, None, Some(code))]);
    svc.import_statement(&operator(), &format!("r-{on}.xml"), xml.as_bytes())
        .unwrap();
}

/// The case with an accepted arrangement and a mandate signed on
/// 2026-11-20.
fn with_mandate(svc: &Kwijting, n: u16, first: &str, reference: &str) -> String {
    let number = first_case(svc);
    let total = owed(svc, &number);
    accept(svc, &number, &fitting(n, total, Frequency::Monthly, first));
    svc.add_mandate(
        &operator(),
        &number,
        reference,
        "J. Jansen",
        "NL91ABNA0417164300",
        day("2026-11-20"),
    )
    .unwrap();
    number
}

#[test]
fn the_direct_debit_file_of_a_date_is_valid_and_written_once() {
    for (engine, svc, _) in setup("arr_dd") {
        let a = operator();
        let number = with_mandate(&svc, 3, "2026-12-07", "KWM-1");
        let bad = svc.add_mandate(
            &a,
            &number,
            "KWM-X",
            "王小明",
            "NL91ABNA0417164300",
            day("2026-11-20"),
        );
        assert!(
            matches!(&bad, Err(ServiceError::Invalid(m)) if m.contains("SEPA character set")),
            "{engine}: {bad:?}"
        );
        let m = &svc.mandates(&a, &number).unwrap()[0];
        assert_eq!(
            m.arrangement,
            Some(svc.arrangements(&a, &number).unwrap()[0].arrangement.id)
        );
        // Too late for Monday 23 November: it had to reach the bank on Friday.
        let late = svc.direct_debit_file(
            &a,
            day("2026-11-23"),
            Pain008Version::V08,
            Some(&creditor()),
        );
        assert!(
            matches!(&late, Err(ServiceError::Invalid(m)) if m.contains("must reach the bank")),
            "{engine}: {late:?}"
        );
        assert!(!is_target_day(day("2026-12-25")) && is_target_day(day("2026-12-07")));
        let first = dd_file(&svc, "2026-12-07");
        assert!(first.new && first.transactions == 1, "{engine}: {first:?}");
        let xml = first.xml.clone().unwrap();
        assert!(
            xml.contains("<SeqTp>FRST</SeqTp>") && xml.contains(&kenmerk(&svc, &number)),
            "{engine}"
        );
        common::validate_schema(&xml, "pain.008.001.08.xsd", &format!("{engine}-frst"));
        // The same date again: the same file, nothing submitted twice.
        let again = svc
            .direct_debit_file(&a, day("2026-12-07"), Pain008Version::V08, None)
            .unwrap();
        assert_eq!(again.xml.as_deref(), Some(xml.as_str()), "{engine}");
        assert!(!again.new, "{engine}");
        let old = svc
            .direct_debit_file(&a, day("2026-12-07"), Pain008Version::V02, None)
            .unwrap();
        common::validate_schema(
            old.xml.as_deref().unwrap(),
            "pain.008.001.02.xsd",
            &format!("{engine}-v02"),
        );
        assert_eq!(
            svc.arrangements(&a, &number).unwrap()[0]
                .arrangement
                .schedule[0]
                .dd_attempts,
            1,
            "{engine}"
        );
        // The first collection is credited, with EUR 10.00 more by
        // transfer: the second instalment is collected less that.
        let (first_i, second_i) = (instalment(&svc, &number, 0), instalment(&svc, &number, 1));
        let k = kenmerk(&svc, &number);
        let paid = camt(
            "2026-12-08",
            &[(
                true,
                first_i.amount_cents + 1_000,
                "NOTPROVIDED",
                Some(&k),
                None,
            )],
        );
        svc.import_statement(&a, "paid.xml", paid.as_bytes())
            .unwrap();
        // An amendment is told with the next collection, which is RCUR.
        svc.amend_mandate(
            &a,
            "KWM-1",
            Some("KWM-2"),
            Some("NL02ABNA0123456789"),
            None,
            day("2026-12-10"),
        )
        .unwrap();
        let next = dd_file(&svc, "2027-01-07");
        let xml = next.xml.unwrap();
        assert_eq!(next.transactions, 1, "{engine}");
        assert_eq!(
            next.total.cents(),
            second_i.amount_cents - 1_000,
            "{engine}"
        );
        assert!(
            xml.contains("<SeqTp>RCUR</SeqTp>") && xml.contains("<OrgnlMndtId>KWM-1</OrgnlMndtId>"),
            "{engine}: {xml}"
        );
        assert!(
            xml.contains("<AmdmntInd>true</AmdmntInd>")
                && xml.contains("<OrgnlDbtrAcct>")
                && !xml.contains("SMNDA"),
            "{engine}: the IBAN changed within the same bank"
        );
        common::validate_schema(&xml, "pain.008.001.08.xsd", &format!("{engine}-rcur"));
        let m = svc.mandates(&a, &number).unwrap();
        assert!(
            m[0].amendments.iter().all(|x| x.reported_in.is_some()),
            "{engine}"
        );
        // A new bank: SMNDA, and the collection is a first one again.
        svc.amend_mandate(
            &a,
            "KWM-2",
            None,
            Some("NL20INGB0001234567"),
            None,
            day("2027-01-20"),
        )
        .unwrap();
        let moved = dd_file(&svc, "2027-02-08");
        let xml = moved.xml.unwrap();
        assert!(
            xml.contains("<Id>SMNDA</Id>") && xml.contains("<SeqTp>FRST</SeqTp>"),
            "{engine}: {xml}"
        );
        common::validate_schema(&xml, "pain.008.001.08.xsd", &format!("{engine}-smnda"));
    }
}

#[test]
fn returns_retry_reopen_or_stop_the_mandate() {
    for (engine, svc, _) in setup("arr_returns") {
        let a = operator();
        let number = with_mandate(&svc, 3, "2026-12-07", "KWM-7");
        let f = dd_file(&svc, "2026-12-07");
        let inst = instalment(&svc, &number, 0);
        let e2e = format!("{number}-{}-1", inst.id);
        assert!(f.xml.unwrap().contains(&e2e), "{engine}");
        // AM04: retried once, at the next instalment's date.
        returned(&svc, "2026-12-09", inst.amount_cents, &e2e, "AM04");
        let i = instalment(&svc, &number, 0);
        assert_eq!(i.retry_on, Some(day("2027-01-07")), "{engine}: {i:?}");
        assert!(
            actions(&svc, &number).contains(&("2026-12-09".into(), "dd_retry".into())),
            "{engine}"
        );
        // Importing the statement again changes nothing.
        returned(&svc, "2026-12-09", inst.amount_cents, &e2e, "AM04");
        assert_eq!(instalment(&svc, &number, 0), i, "{engine}");
        let retry = dd_file(&svc, "2027-01-07");
        let xml = retry.xml.unwrap();
        let e2e2 = format!("{number}-{}-2", inst.id);
        assert!(xml.contains(&e2e2), "{engine}: the retry is collected");
        // The returned FRST leaves the mandate uncollected: FRST again, alone.
        assert!(
            xml.contains("<SeqTp>FRST</SeqTp>") && retry.transactions == 1,
            "{engine}: {xml}"
        );
        // A second AM04: no more retries; reopened for a transfer.
        returned(&svc, "2027-01-11", inst.amount_cents, &e2e2, "AM04");
        let i = instalment(&svc, &number, 0);
        assert_eq!(
            (i.retry_on, i.reopened_on),
            (None, Some(day("2027-01-11"))),
            "{engine}"
        );
        // The second instalment goes out; AC04 stops the mandate.
        let f = dd_file(&svc, "2027-01-12");
        let second = instalment(&svc, &number, 1);
        let e2e3 = format!("{number}-{}-1", second.id);
        assert!(f.xml.unwrap().contains(&e2e3), "{engine}");
        returned(&svc, "2027-01-14", second.amount_cents, &e2e3, "AC04");
        let m = svc.mandates(&a, &number).unwrap();
        assert_eq!(m[0].status, "stopped", "{engine}");
        assert!(
            m[0].stop_reason.as_deref().unwrap().contains("AC04"),
            "{engine}"
        );
        let v = &svc.arrangements(&a, &number).unwrap()[0];
        assert_eq!(
            v.arrangement.status, "active",
            "{engine}: the arrangement goes on by transfer"
        );
        assert!(v.mandates.iter().all(|m| m.status == "stopped"), "{engine}");
        // Nothing more is collected on a stopped mandate.
        let none = dd_file(&svc, "2027-02-08");
        assert!(none.xml.is_none(), "{engine}");
        // A return that is not ours is ignored.
        assert!(
            svc.on_direct_debit_return(
                "SOMEONE-ELSE",
                &kwijting_bank::ReturnReason::parse("MD06"),
                day("2027-01-15")
            )
            .unwrap()
            .is_none()
        );
    }
}

#[test]
fn a_refund_request_reopens_a_collected_instalment_and_the_arrangement() {
    for (engine, svc, _) in setup("arr_md06") {
        let a = operator();
        let number = with_mandate(&svc, 2, "2026-12-07", "KWM-9");
        dd_file(&svc, "2026-12-07");
        let (first, second) = (instalment(&svc, &number, 0), instalment(&svc, &number, 1));
        let e2e = format!("{number}-{}-1", first.id);
        // The collection is credited, the rest paid by transfer: completed.
        let k = kenmerk(&svc, &number);
        let credits = camt(
            "2026-12-08",
            &[
                (true, first.amount_cents, &e2e, Some(&k), None),
                (true, second.amount_cents, "NOTPROVIDED", Some(&k), None),
            ],
        );
        svc.import_statement(&a, "credits.xml", credits.as_bytes())
            .unwrap();
        assert_eq!(
            run(&svc, "2026-12-09").arrangements.completed,
            1,
            "{engine}"
        );
        let status = |svc: &Kwijting| {
            svc.case_file(&a, &number)
                .unwrap()
                .summary
                .status
                .as_str()
                .to_owned()
        };
        assert_eq!(status(&svc), "closed_paid", "{engine}");
        // Six weeks later the debtor asks the bank for a refund (MD06).
        let out = svc
            .on_direct_debit_return(
                &e2e,
                &kwijting_bank::ReturnReason::parse("MD06"),
                day("2027-01-20"),
            )
            .unwrap()
            .expect("ours");
        assert_eq!(out.action, "dd_reopen", "{engine}");
        let i = instalment(&svc, &number, 0);
        assert_eq!(i.reopened_on, Some(day("2027-01-20")), "{engine}");
        assert_eq!(i.state, "open", "{engine}");
        let v = &svc.arrangements(&a, &number).unwrap()[0];
        assert_eq!(v.arrangement.status, "active", "{engine}");
        assert_eq!(status(&svc), "active", "{engine}");
        assert_eq!(
            holds_in_force(&svc, &number),
            vec!["active_arrangement"],
            "{engine}"
        );
        assert_eq!(
            svc.mandates(&a, &number).unwrap()[0].status,
            "active",
            "{engine}: a refund leaves the mandate usable"
        );
        // Handled once.
        assert!(
            svc.on_direct_debit_return(
                &e2e,
                &kwijting_bank::ReturnReason::parse("MD06"),
                day("2027-01-20")
            )
            .unwrap()
            .is_none()
        );
    }
}

#[test]
fn the_total_includes_the_letter_and_costs_the_strategy_sent() {
    for (engine, svc, store) in setup("arr_costs") {
        for d in ["2026-11-21", "2026-12-10", "2026-12-30", "2027-01-20"] {
            run(&svc, d);
        }
        let later = at(&store, "2027-01-21T09:00:00Z");
        let charged = svc
            .list_cases(
                &operator(),
                &CaseQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap()
            .cases
            .into_iter()
            .find(|c| {
                actions(&svc, &c.number)
                    .iter()
                    .any(|(_, a)| a == "first_demand")
            })
            .expect("a case got its first demand");
        let st = later
            .statement_of_account(&operator(), &charged.number, day("2027-01-21"))
            .unwrap();
        assert!(st.charged.costs.cents() > 0, "{engine}: {st:?}");
        let v = accept(
            &later,
            &charged.number,
            &fitting(2, st.balance, Frequency::Monthly, "2027-02-01"),
        );
        assert_eq!(v.arrangement.total_cents, st.balance.cents(), "{engine}");
    }
}

/// A small benchmark (run with `--ignored --nocapture`): a day's
/// monitoring of every active arrangement, measured as a second run of the
/// same day (the chunks are done, only the monitoring works), against the
/// same second run without arrangements. Sizes: `KWIJTING_BENCH_CASES`
/// (default 20,000), one case in ten with an arrangement.
#[test]
#[ignore = "benchmark"]
fn bench_monitoring() {
    let cases: u64 = std::env::var("KWIJTING_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let csv = common::portfolio(cases, 21);
    for (engine, store) in fresh_stores("arr_bench") {
        let svc = common::service(store.clone());
        let a = operator();
        svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
            .unwrap();
        svc.import_claims_csv(&a, "ACME", "p.csv", &csv[..], &mut |_| {})
            .unwrap();
        svc.assume_commercial_rate_continues(&a, "bench").unwrap();
        run(&svc, "2026-11-21");
        let t = std::time::Instant::now();
        run(&svc, "2026-11-21");
        let baseline = t.elapsed();
        let mut arranged = 0u64;
        let mut offset = 0;
        while arranged < cases / 10 {
            let page = svc
                .list_cases(
                    &a,
                    &CaseQuery {
                        limit: 1000,
                        offset,
                        ..Default::default()
                    },
                )
                .unwrap();
            if page.cases.is_empty() {
                break;
            }
            offset += page.cases.len() as u64;
            for c in page.cases.iter().step_by(10) {
                let total = owed(&svc, &c.number);
                let n = if total.cents() < 10_000 { 1 } else { 3 };
                if let Ok(ProposalOutcome::Accepted(_)) = svc.propose_arrangement(
                    &a,
                    &c.number,
                    &fitting(n, total, Frequency::Weekly, "2026-11-21"),
                ) {
                    arranged += 1;
                }
            }
        }
        let t = std::time::Instant::now();
        let s = run(&svc, "2026-11-21");
        let with = t.elapsed();
        assert_eq!(s.arrangements.watched, arranged);
        let t = std::time::Instant::now();
        let s = run(&svc, "2026-11-23");
        let day_two = t.elapsed();
        println!(
            "{engine}: {cases} cases, {arranged} arrangements: second run of a day {baseline:.2?} without, {with:.2?} with ({:.0} arrangements/s); next day's full run {day_two:.2?} ({} reminders)",
            arranged as f64 / (with.as_secs_f64() - baseline.as_secs_f64()).max(1e-6),
            s.arrangements.reminders
        );
    }
}
