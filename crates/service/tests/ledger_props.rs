//! Property: any sequence of statement imports (credits matched and
//! unmatched, returns and reversals, duplicates, files booked out of date
//! order), manual assignments, payment arrangements (instalments paid by
//! transfer or collected by direct debit, collections returned with MD06 or
//! AM04), remittances to the client and refunds of overpayments keeps
//! `ledger verify` green, and importing any statement again changes
//! nothing. Through the store: SQLite for the generated sequences, both
//! engines for a fixed one.

use std::sync::Arc;

use kwijting_bank::{Bic, CreditorId, Pain008Version};
use kwijting_domain::{CaseId, CaseNumber, Date, Iban, Money, Rounding, parse_date};
use kwijting_ledger::recipe::Beneficiary;
use kwijting_service::Kwijting;
use kwijting_service::arrangements::ProposalOutcome;
use kwijting_service::direct_debit::{Creditor, is_target_day};
use kwijting_service::refunds::RefundRequest;
use kwijting_service::remit::{
    AgreementTerms, Pain001Version, PayoutFrequency, RemitRequest, TrustAccount,
};
use kwijting_strategy::arrangement::{Frequency, Proposal};
use proptest::prelude::*;

mod common;
mod money;
use common::operator;
use money::{Line, camt, kenmerk};

const CASES: u64 = 6;

#[derive(Debug, Clone)]
enum Op {
    /// A credit naming case `case` by its kenmerk (0: no reference).
    Pay { case: u64, cents: i64, e2e: bool },
    /// A return (with a reason code) or reversal of the k-th credit so far.
    ReturnOf { k: usize, code: bool },
    /// A return nothing can be found for.
    Stray { cents: i64 },
}

#[derive(Debug, Clone)]
enum Step {
    File {
        day: u32,
        ops: Vec<Op>,
    },
    Reimport {
        k: usize,
    },
    Assign {
        k: usize,
        case: u64,
    },
    /// An arrangement of `n` monthly instalments accepted on `case`, with a
    /// direct-debit mandate.
    Arrange {
        case: u64,
        n: u16,
    },
    /// The direct-debit file of a day; what it collects is credited on a
    /// statement of that day (a later `ReturnOf` may return it).
    DirectDebit {
        day: u32,
    },
    /// The payout run of a day.
    Remit {
        day: u32,
    },
    /// Overpayments paid back on a day.
    Refunds {
        day: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..=CASES, 1i64..300_000, any::<bool>()).prop_map(|(case, cents, e2e)| Op::Pay { case, cents, e2e }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(k, code)| Op::ReturnOf { k, code }),
        1 => (1i64..10_000).prop_map(|cents| Op::Stray { cents }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u32..60, prop::collection::vec(op(), 1..4)).prop_map(|(day, ops)| Step::File { day, ops }),
        1 => any::<usize>().prop_map(|k| Step::Reimport { k }),
        1 => (any::<usize>(), 1..=CASES).prop_map(|(k, case)| Step::Assign { k, case }),
        1 => (1..=CASES, 1u16..4).prop_map(|(case, n)| Step::Arrange { case, n }),
        1 => (16u32..80).prop_map(|day| Step::DirectDebit { day }),
        1 => (0u32..80).prop_map(|day| Step::Remit { day }),
        1 => (0u32..80).prop_map(|day| Step::Refunds { day }),
    ]
}

/// ACME's portfolio, paid out on demand with commission, the agency
/// keeping the costs.
fn service(store: Arc<dyn kwijting_store::Store>) -> Kwijting {
    let svc = common::acme(store, CASES, 4);
    svc.set_client_agreement(
        &operator(),
        "ACME",
        &AgreementTerms {
            commission_bps: 1250,
            commission_rounding: Rounding::HalfUp,
            costs_to: Beneficiary::Agency,
            interest_to: Beneficiary::Client,
            frequency: PayoutFrequency::OnDemand,
            min_payout: Money::ZERO,
            iban: Iban::dutch("INGB", 7_654_321).unwrap(),
            bic: None,
            name: "Acme B.V.".into(),
            effective_from: parse_date("2026-11-01").unwrap(),
        },
    )
    .unwrap();
    svc
}

fn trust() -> TrustAccount {
    TrustAccount {
        name: "Kwijting Incasso B.V.".into(),
        iban: Iban::dutch("RABO", 123_456_789).unwrap(),
        bic: Some(Bic::parse("RABONL2U").unwrap()),
    }
}

fn creditor() -> Creditor {
    let t = trust();
    Creditor {
        name: t.name,
        iban: t.iban,
        bic: t.bic,
        id: CreditorId::parse("NL22ZZZ524885430000").unwrap(),
    }
}

/// Each collection of a pain.008: end-to-end id and cents, in file order.
fn collections(xml: &str) -> Vec<(String, i64)> {
    let ids = xml
        .split("<EndToEndId>")
        .skip(1)
        .map(|r| r.split('<').next().unwrap().to_owned());
    let amounts = xml
        .split("<InstdAmt Ccy=\"EUR\">")
        .skip(1)
        .map(|r| Money::parse(r.split('<').next().unwrap()).unwrap().cents());
    ids.zip(amounts).collect()
}

/// The case a collection's end-to-end id (`CASE-NUMBER-INSTALMENT-TRY`) is for.
fn collected_case(e2e: &str) -> Option<CaseId> {
    let mut parts = e2e.rsplitn(3, '-');
    let (_, _, number) = (parts.next()?, parts.next()?, parts.next()?);
    CaseNumber::parse(number).ok().map(|n| n.case_id())
}

struct Credit {
    cents: i64,
    e2e: Option<String>,
    kenmerk: Option<String>,
    iban: String,
}

/// Runs the steps, checking the properties after each; returns an error
/// message instead of panicking so proptest can shrink.
fn check(svc: &Kwijting, steps: &[Step]) -> Result<usize, String> {
    let mut returned = 0;
    let a = operator();
    let mut files: Vec<String> = Vec::new();
    let mut credits: Vec<Credit> = Vec::new();
    let base = parse_date("2026-11-20").unwrap();
    let on = |day: u32| -> Date {
        base.checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap()
    };
    let verified = |what: &str| match svc.verify_ledger(&a).map_err(|e| e.to_string())? {
        Ok(_) => Ok(()),
        Err(p) => Err(format!("after {what}: {p:#?}")),
    };
    for (n, s) in steps.iter().enumerate() {
        match s {
            Step::File { day, ops } => {
                let date = on(*day).to_string();
                let mut lines = Vec::new();
                for (i, o) in ops.iter().enumerate() {
                    lines.push(match o {
                        Op::Pay { case, cents, e2e } => {
                            let c = Credit {
                                cents: *cents,
                                e2e: e2e.then(|| format!("E2E-{n}-{i}")),
                                kenmerk: (*case > 0).then(|| kenmerk(*case)),
                                iban: Iban::dutch("INGB", 1000 + (n * 10 + i) as u64)
                                    .unwrap()
                                    .as_str()
                                    .to_owned(),
                            };
                            let line = Line {
                                end_to_end_id: c.e2e.clone(),
                                kenmerk: c.kenmerk.clone(),
                                iban: Some(c.iban.clone()),
                                text: (*case == 0).then(|| "no reference".to_owned()),
                                ..Line::credit(*cents, &date)
                            };
                            credits.push(c);
                            line
                        }
                        Op::ReturnOf { k, code } if !credits.is_empty() => {
                            let c = &credits[k % credits.len()];
                            Line {
                                end_to_end_id: c.e2e.clone(),
                                kenmerk: c.kenmerk.clone(),
                                iban: Some(c.iban.clone()),
                                reversal: !code,
                                // A refund request, or no funds (the
                                // direct-debit codes; a transfer too).
                                return_reason: code
                                    .then(|| if k % 2 == 0 { "MD06" } else { "AM04" }.to_owned()),
                                ..Line::debit(c.cents, &date)
                            }
                        }
                        Op::ReturnOf { .. } | Op::Stray { .. } => Line {
                            end_to_end_id: Some(format!("STRAY-{n}-{i}")),
                            return_reason: Some("AM04".into()),
                            ..Line::debit(
                                match o {
                                    Op::Stray { cents } => *cents,
                                    _ => 99,
                                },
                                &date,
                            )
                        },
                    });
                }
                let xml = camt(&format!("F{n}"), &lines);
                returned += svc
                    .import_statement(&a, &format!("f{n}.xml"), xml.as_bytes())
                    .map_err(|e| format!("file {n}: {e}"))?
                    .returns
                    .len();
                files.push(xml);
                verified(&format!("file {n}"))?;
            }
            Step::Reimport { k } if !files.is_empty() => {
                let before = svc.ledger_fingerprint(&a).map_err(|e| e.to_string())?;
                let xml = &files[k % files.len()];
                let r = svc
                    .import_statement(&a, "again.xml", xml.as_bytes())
                    .map_err(|e| e.to_string())?;
                if r.known != r.transactions {
                    return Err(format!("a re-import booked something: {r:?}"));
                }
                if svc.ledger_fingerprint(&a).map_err(|e| e.to_string())? != before {
                    return Err("a re-import changed the store".into());
                }
            }
            Step::Assign { k, case } => {
                let (_, waiting) = svc.unmatched_payments(&a, 100).map_err(|e| e.to_string())?;
                let credits: Vec<_> = waiting.iter().filter(|e| e.amount_cents > 0).collect();
                if credits.is_empty() {
                    continue;
                }
                let e = credits[k % credits.len()];
                let number =
                    kwijting_domain::CaseNumber::for_case(kwijting_domain::CaseId(*case as i64))
                        .unwrap();
                svc.assign_payment(&a, &e.key, number.as_str())
                    .map_err(|err| format!("assigning {}: {err}", e.key))?;
                verified(&format!("assigning {}", e.key))?;
            }
            Step::Arrange { case, n } => {
                let number = CaseNumber::for_case(CaseId(*case as i64)).unwrap();
                let owed = svc
                    .statement_of_account(&a, number.as_str(), svc.clock().today())
                    .map_err(|e| e.to_string())?
                    .balance;
                if owed.cents() <= 0 {
                    continue;
                }
                let each = (owed.cents() + i64::from(*n) - 1) / i64::from(*n);
                let proposal = Proposal {
                    instalments: *n,
                    amount: Money::from_cents(each),
                    frequency: Frequency::Monthly,
                    first_on: on(17),
                };
                // A case with an arrangement already, or one the rules
                // refuse, keeps what it has.
                if let Ok(ProposalOutcome::Accepted(_)) =
                    svc.propose_arrangement(&a, number.as_str(), &proposal)
                {
                    svc.add_mandate(
                        &a,
                        number.as_str(),
                        &format!("KWM-{n}-{case}"),
                        "J. Jansen",
                        "NL91ABNA0417164300",
                        base,
                    )
                    .map_err(|e| format!("mandate of {number}: {e}"))?;
                }
                verified(&format!("arrangement {n}"))?;
            }
            Step::DirectDebit { day } => {
                let date = on(*day);
                if !is_target_day(date) {
                    continue;
                }
                let file = svc
                    .direct_debit_file(&a, date, Pain008Version::V08, Some(&creditor()))
                    .map_err(|e| format!("direct debit of {date}: {e}"))?;
                let Some(xml) = file.xml.filter(|_| file.new) else {
                    continue;
                };
                let mut lines = Vec::new();
                for (e2e, cents) in collections(&xml) {
                    let c = Credit {
                        cents,
                        e2e: Some(e2e.clone()),
                        kenmerk: collected_case(&e2e).map(|c| kenmerk(c.0 as u64)),
                        iban: "NL91ABNA0417164300".into(),
                    };
                    lines.push(Line {
                        end_to_end_id: c.e2e.clone(),
                        kenmerk: c.kenmerk.clone(),
                        iban: Some(c.iban.clone()),
                        ..Line::credit(cents, &date.to_string())
                    });
                    credits.push(c);
                }
                let xml = camt(&format!("F{n}"), &lines);
                svc.import_statement(&a, &format!("f{n}.xml"), xml.as_bytes())
                    .map_err(|e| format!("collections of {date}: {e}"))?;
                files.push(xml);
                verified(&format!("collections of {date}"))?;
            }
            Step::Remit { day } => {
                svc.remit(
                    &a,
                    &RemitRequest {
                        as_of: on(*day),
                        clients: vec!["ACME".into()],
                        dry_run: false,
                        pain001: Pain001Version::V09,
                        trust: Some(trust()),
                    },
                )
                .map_err(|e| format!("remit {}: {e}", on(*day)))?;
                verified(&format!("remit {}", on(*day)))?;
            }
            Step::Refunds { day } => {
                svc.refund_overpayments(
                    &a,
                    &RefundRequest {
                        as_of: on(*day),
                        dry_run: false,
                        pain001: Pain001Version::V09,
                        trust: Some(trust()),
                    },
                )
                .map_err(|e| format!("refunds {}: {e}", on(*day)))?;
                verified(&format!("refunds {}", on(*day)))?;
            }
            Step::Reimport { .. } => {}
        }
    }
    Ok(returned)
}

proptest! {
    // Few cases by default, so the suite stays fast; PROPTEST_CASES=500 for a
    // longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_ledger_stays_sound(steps in prop::collection::vec(step(), 1..8)) {
        let store = kwijting_store::open("sqlite::memory:").unwrap();
        let svc = service(store);
        if let Err(e) = check(&svc, &steps) {
            return Err(TestCaseError::fail(e));
        }
    }
}

/// One fixed sequence on both engines, PostgreSQL included.
#[test]
fn a_fixed_sequence_on_every_engine() {
    let steps = vec![
        Step::File {
            day: 10,
            ops: vec![
                Op::Pay {
                    case: 1,
                    cents: 5_000,
                    e2e: true,
                },
                Op::Pay {
                    case: 0,
                    cents: 1_234,
                    e2e: false,
                },
                Op::Pay {
                    case: 2,
                    cents: 900_000,
                    e2e: false,
                },
            ],
        },
        Step::File {
            day: 3,
            ops: vec![Op::Pay {
                case: 1,
                cents: 2_000,
                e2e: false,
            }],
        },
        Step::Reimport { k: 0 },
        Step::Assign { k: 0, case: 3 },
        Step::File {
            day: 20,
            ops: vec![
                Op::ReturnOf { k: 0, code: true },
                Op::ReturnOf { k: 2, code: false },
                Op::Stray { cents: 77 },
            ],
        },
        Step::Reimport { k: 2 },
        Step::File {
            day: 25,
            ops: vec![Op::ReturnOf { k: 1, code: true }],
        },
    ];
    for (engine, store) in kwijting_store::testkit::fresh_stores("ledger_props") {
        let svc = service(store);
        match check(&svc, &steps) {
            Ok(returned) => assert_eq!(returned, 3, "{engine}: every return found its credit"),
            Err(e) => panic!("{engine}: {e}"),
        }
    }
}

/// Every money flow in one fixed sequence on both engines: a transfer
/// overpaying a case, an arrangement collected by direct debit, the
/// collection returned (AM04) and retried, an instalment paid by transfer,
/// payouts, refunds, and statements imported again. (A collection returned
/// after it was paid out waits for a person as an unmatched return; the
/// property covers that order.)
#[test]
fn a_fixed_sequence_of_every_money_flow_on_every_engine() {
    let pay = |case, cents| Op::Pay {
        case,
        cents,
        e2e: true,
    };
    let steps = vec![
        Step::File {
            day: 10,
            ops: vec![pay(2, 900_000), pay(3, 5_000), pay(4, 7_500)],
        },
        Step::Arrange { case: 1, n: 2 },
        Step::DirectDebit { day: 17 },
        Step::File {
            day: 19,
            ops: vec![Op::ReturnOf { k: 3, code: true }],
        },
        Step::Remit { day: 20 },
        Step::Refunds { day: 20 },
        Step::Reimport { k: 1 },
        Step::File {
            day: 21,
            ops: vec![pay(1, 5_000)],
        },
        Step::DirectDebit { day: 48 },
        Step::File {
            day: 50,
            ops: vec![Op::ReturnOf { k: 6, code: true }],
        },
        Step::Remit { day: 52 },
        Step::Reimport { k: 0 },
        Step::Reimport { k: 4 },
    ];
    for (engine, store) in kwijting_store::testkit::fresh_stores("ledger_props_flows") {
        let svc = service(store);
        match check(&svc, &steps) {
            Ok(returned) => assert!(returned >= 1, "{engine}: the collection came back"),
            Err(e) => panic!("{engine}: {e}"),
        }
        let account = svc.client_account(&operator(), "ACME").unwrap();
        assert!(account.paid_out.cents() > 0, "{engine}: {account:?}");
        let number = CaseNumber::for_case(CaseId(1)).unwrap();
        let v = &svc.arrangements(&operator(), number.as_str()).unwrap()[0];
        assert!(
            v.arrangement.schedule[0].dd_attempts >= 2,
            "{engine}: the AM04 return was retried: {v:?}"
        );
    }
}

/// Found by the property: a payment of a cent on a case owing only a
/// fraction of a cent is held for refund whole; when an earlier payment is
/// returned, the case's statement must not count it.
#[test]
fn a_payment_the_case_took_nothing_of_is_not_counted() {
    let steps = vec![
        Step::File {
            day: 0,
            ops: vec![Op::Pay {
                case: 3,
                cents: 6389,
                e2e: false,
            }],
        },
        Step::File {
            day: 0,
            ops: vec![
                Op::Pay {
                    case: 3,
                    cents: 1,
                    e2e: false,
                },
                Op::Pay {
                    case: 0,
                    cents: 1,
                    e2e: false,
                },
                Op::ReturnOf { k: 0, code: false },
            ],
        },
    ];
    let svc = service(kwijting_store::open("sqlite::memory:").unwrap());
    assert_eq!(check(&svc, &steps), Ok(1));
}
