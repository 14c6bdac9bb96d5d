//! Statements of account through the public API.

// Cents are written with the cents apart: `500_000_00` is EUR 500,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

use kwijting_domain::{ClaimId, Date, DebtorType, Money, parse_date};
use kwijting_law::nl::Netherlands;
use kwijting_law::nl::costs::{BusinessCostsAgreement, CostsRule};
use kwijting_law::nl::interest::{InterestKind, PostingKind};
use kwijting_law::statement::{
    CaseInput, ClaimInput, CostsSettings, Event, EventKind, Statement, statement_of_account,
};
use kwijting_law::{LawError, RateBps};
use proptest::prelude::*;

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn eur(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn claim(id: i64, principal: &str, due_on: &str, kind: InterestKind) -> ClaimInput {
    let due = d(due_on);
    ClaimInput {
        id: ClaimId(id),
        principal: eur(principal),
        due_on: due,
        interest_from: due.tomorrow().unwrap(),
        interest: kind,
        onerousness: 0,
    }
}

fn pay(on: &str, amount: &str) -> Event {
    Event {
        on: d(on),
        kind: EventKind::Payment {
            amount: eur(amount),
            designated: None,
        },
    }
}

fn at(on: &str, kind: EventKind) -> Event {
    Event { on: d(on), kind }
}

fn statement(
    debtor: DebtorType,
    claims: &[ClaimInput],
    events: &[Event],
    costs: CostsSettings,
    as_of: &str,
) -> Result<Statement, LawError> {
    let nl = Netherlands::new().unwrap();
    statement_of_account(
        &nl,
        &CaseInput {
            debtor,
            claims,
            events,
            costs,
            as_of: d(as_of),
        },
    )
}

#[test]
fn worked_example_as_a_statement() {
    // Source: nl-law.md section 3, worked example: 1,000.00 from 2023-07-01
    // to 2025-06-30 gives 134.43.
    let claims = [claim(1, "1000", "2023-06-30", InterestKind::Consumer)];
    let s = statement(
        DebtorType::Consumer,
        &claims,
        &[],
        CostsSettings::default(),
        "2025-06-30",
    )
    .unwrap();
    assert_eq!(s.charged.interest, eur("134.43"));
    assert_eq!(s.balance, eur("1134.43"));
    let text = s.render_text().unwrap();
    let expected = "\
Statement of account (specificatie) as of 2025-06-30 - consumer debtor

Claim 1: principal 1000.00, due 2023-06-30, consumer interest from 2023-07-01
  from        to            days  rate %  rate mark             base      interest
  2023-07-01  2023-12-31     184    6.00  confirmed          1000.00       30.2466
  2024-01-01  2024-06-30     182    7.00  confirmed          1000.00       34.9041
  2024-07-01  2024-12-31     184    7.00  confirmed          1065.15       37.5867
  2025-01-01  2025-06-30     181    6.00  confirmed          1065.15       31.6919
  2024-06-30  interest rounded (added-to-base)                             65.15
  2025-06-30  interest rounded (added-to-base)                             69.28
                   principal      interest         costs           VAT         total
  charged            1000.00        134.43          0.00          0.00       1134.43
  paid                  0.00          0.00          0.00          0.00          0.00
  outstanding        1000.00        134.43          0.00          0.00       1134.43

Totals           principal      interest         costs           VAT         total
  charged            1000.00        134.43          0.00          0.00       1134.43
  paid                  0.00          0.00          0.00          0.00          0.00
  outstanding        1000.00        134.43          0.00          0.00       1134.43

Balance due on 2025-06-30: 1134.43
";
    assert_eq!(text, expected, "\n{text}");
}

#[test]
fn consumer_partial_payment_within_the_term_and_costs_after_it() {
    // Source: nl-law.md section 2: the worked example's letter (sent
    // 2025-12-19, costs from 2026-01-07) and "a partial payment within the
    // term: costs are computed on the unpaid part".
    let claims = [claim(1, "4000", "2025-11-30", InterestKind::Consumer)];
    let events = [
        at("2025-12-19", EventKind::DemandLetter),
        pay("2025-12-30", "1500"),
        at("2026-01-07", EventKind::CollectionCosts),
    ];
    let s = statement(
        DebtorType::Consumer,
        &claims,
        &events,
        CostsSettings::default(),
        "2026-01-07",
    )
    .unwrap();
    let letter = s.demand_letter.unwrap();
    assert_eq!(letter.costs_from, d("2026-01-07"));
    // 30 days at 5% on 4,000.00 = 16.4383 -> 16.44 settled (a payment day
    // is a rounding point: half up, as the statement on that day shows it),
    // the rest of 1,500.00 reduces the principal to 2,516.44.
    let p = &s.payments[0].shares[0].applied;
    assert_eq!((p.interest, p.principal), (eur("16.44"), eur("1483.56")));
    // BIK on 2,516.44: 375.00 + 10% of 16.44 = 376.644 -> 376.64.
    assert_eq!(s.costs[0].base, eur("2516.44"));
    assert_eq!(s.costs[0].costs, eur("376.64"));
    assert!(s.uses_provisional_rate);

    // One day early is refused: the term cannot be repaired.
    let early = [
        at("2025-12-19", EventKind::DemandLetter),
        at("2026-01-06", EventKind::CollectionCosts),
    ];
    assert!(matches!(
        statement(
            DebtorType::Consumer,
            &claims,
            &early,
            CostsSettings::default(),
            "2026-01-07"
        ),
        Err(LawError::CostsBeforeTermEnded { .. })
    ));
    let no_letter = [at("2026-01-07", EventKind::CollectionCosts)];
    assert!(matches!(
        statement(
            DebtorType::Consumer,
            &claims,
            &no_letter,
            CostsSettings::default(),
            "2026-01-07"
        ),
        Err(LawError::NoDemandLetter { .. })
    ));
}

#[test]
fn payments_go_to_costs_then_interest_then_principal() {
    // Source: nl-law.md section 4, art. 6:44 BW; BIK costs count as costs.
    let claims = [claim(1, "1000", "2024-12-31", InterestKind::Commercial)];
    let vat = CostsSettings {
        vat_rate: Some(RateBps::parse_percent("21").unwrap()),
        ..CostsSettings::default()
    };
    let events = [
        at("2025-01-01", EventKind::CollectionCosts),
        pay("2025-01-31", "200"),
    ];
    let s = statement(DebtorType::Business, &claims, &events, vat, "2025-01-31").unwrap();
    assert_eq!(
        (s.costs[0].costs, s.costs[0].vat),
        (eur("150"), eur("31.50"))
    );
    let a = s.payments[0].shares[0].applied;
    // 31 days at 11.15% on 1,000.00 = 9.4699 -> 9.47 settled (half up, the
    // payment day is a rounding point).
    assert_eq!(
        (a.costs, a.vat, a.interest, a.principal),
        (eur("150"), eur("31.50"), eur("9.47"), eur("9.03"))
    );
    assert_eq!(s.outstanding.principal, eur("990.97"));
    // The fraction of a cent went with the payment: nothing is left to
    // round again on the statement's date.
    assert_eq!(s.charged.interest, eur("9.47"));
    assert_eq!(s.outstanding.interest, eur("0.00"));
}

#[test]
fn several_claims_art_6_43_and_costs_on_the_sum() {
    // Source: nl-law.md sections 1 and 4: art. 6:96(7) and 6:43 BW.
    let mut a = claim(1, "2000", "2025-01-31", InterestKind::Consumer);
    let mut b = claim(2, "2000", "2025-02-28", InterestKind::Consumer);
    a.onerousness = 1;
    b.onerousness = 1;
    let events = [
        at("2025-03-03", EventKind::DemandLetter),
        at("2025-04-01", EventKind::CollectionCosts),
        pay("2025-04-02", "1000"),
        Event {
            on: d("2025-04-03"),
            kind: EventKind::Payment {
                amount: eur("100"),
                designated: Some(ClaimId(2)),
            },
        },
    ];
    let s = statement(
        DebtorType::Consumer,
        &[a, b],
        &events,
        CostsSettings::default(),
        "2025-04-03",
    )
    .unwrap();
    // 525.00 on 4,000.00, not 2 x 300.00; split evenly.
    assert_eq!(s.costs[0].costs, eur("525"));
    assert_eq!(s.claims[0].charged.costs, eur("262.50"));
    assert_eq!(s.claims[1].charged.costs, eur("262.50"));
    // Both due, equally onerous: the oldest (claim 1) takes the first payment.
    assert_eq!(s.payments[0].shares.len(), 1);
    assert_eq!(s.payments[0].shares[0].claim, ClaimId(1));
    assert_eq!(s.payments[1].shares[0].claim, ClaimId(2));
    assert_eq!(s.payments[1].shares[0].applied.costs, eur("100"));
}

#[test]
fn overpayment_is_unapplied_and_paid_off_claims_stop_bearing_interest() {
    let claims = [claim(1, "100", "2025-01-31", InterestKind::Consumer)];
    let events = [pay("2025-02-10", "150")];
    let s = statement(
        DebtorType::Consumer,
        &claims,
        &events,
        CostsSettings::default(),
        "2027-12-31",
    )
    .unwrap();
    assert_eq!(s.balance, Money::ZERO);
    assert_eq!(s.unapplied, eur("49.84"));
    // 10 days at 6% on 100.00 = 0.1643 -> 0.16.
    assert_eq!(s.charged.interest, eur("0.16"));
    assert_eq!(s.claims[0].periods.len(), 1);
}

#[test]
fn recalculation_after_a_year() {
    // Source: nl-law.md section 1, BIK memorandum point 5.
    let claims = [claim(1, "2500", "2023-06-30", InterestKind::Consumer)];
    let on = CostsSettings {
        recalculate_after_a_year: true,
        ..CostsSettings::default()
    };
    let events = [
        at("2023-07-03", EventKind::DemandLetter),
        at("2023-08-01", EventKind::CollectionCosts),
        at("2024-07-01", EventKind::CostsRecalculation),
    ];
    let s = statement(DebtorType::Consumer, &claims, &events, on, "2024-07-01").unwrap();
    // Year one on 2,500.00: 184 days at 6% + 182 at 7% = 162.88 added.
    let added: Vec<Money> = s.claims[0]
        .postings
        .iter()
        .filter(|p| p.kind == PostingKind::AddedToBase)
        .map(|p| p.amount)
        .collect();
    assert_eq!(added, vec![eur("162.88")]);
    // 375.00 on 2,500.00; on 2,662.88: 375.00 + 16.288 = 391.29; +16.29.
    assert_eq!(s.costs[1].base, eur("2662.88"));
    assert_eq!(s.costs[1].costs, eur("16.29"));
    assert!(s.costs[1].recalculation);
    assert_eq!(s.charged.costs, eur("391.29"));
    let off = CostsSettings::default();
    assert!(matches!(
        statement(DebtorType::Consumer, &claims, &events, off, "2024-07-01"),
        Err(LawError::RecalculationNotEnabled { .. })
    ));
}

#[test]
fn business_agreed_costs() {
    let claims = [claim(1, "10000", "2025-01-31", InterestKind::Commercial)];
    let settings = CostsSettings {
        agreement: BusinessCostsAgreement::Percentage(RateBps::parse_percent("15").unwrap()),
        ..CostsSettings::default()
    };
    let events = [at("2025-02-01", EventKind::CollectionCosts)];
    let s = statement(
        DebtorType::Business,
        &claims,
        &events,
        settings,
        "2025-02-01",
    )
    .unwrap();
    assert_eq!(s.costs[0].costs, eur("1500"));
    assert_eq!(s.costs[0].rule, CostsRule::Agreed);
    assert!(s.costs[0].exceeds_bik);
}

#[test]
fn bad_cases_are_refused() {
    let c = claim(1, "100", "2025-01-31", InterestKind::Consumer);
    let check = |claims: &[ClaimInput], events: &[Event]| {
        statement(
            DebtorType::Consumer,
            claims,
            events,
            CostsSettings::default(),
            "2025-06-30",
        )
        .unwrap_err()
    };
    assert_eq!(check(&[], &[]), LawError::NoClaims);
    assert_eq!(
        check(&[c.clone(), c.clone()], &[]),
        LawError::DuplicateClaim(ClaimId(1))
    );
    let named = Event {
        on: d("2025-03-01"),
        kind: EventKind::Payment {
            amount: eur("1"),
            designated: Some(ClaimId(7)),
        },
    };
    assert_eq!(
        check(std::slice::from_ref(&c), &[named]),
        LawError::UnknownClaim(ClaimId(7))
    );
    assert!(matches!(
        check(std::slice::from_ref(&c), &[pay("2025-03-01", "-1")]),
        LawError::NegativeAmount(_)
    ));
    // A commercial claim into a half-year without a rate.
    let k = claim(1, "100", "2026-01-31", InterestKind::Commercial);
    assert_eq!(
        statement(
            DebtorType::Business,
            &[k],
            &[],
            CostsSettings::default(),
            "2026-07-01"
        )
        .unwrap_err(),
        LawError::MissingCommercialRate {
            half_year_start: d("2026-07-01")
        }
    );
}

fn arb_case()
-> impl Strategy<Value = (DebtorType, Vec<ClaimInput>, Vec<Event>, CostsSettings, Date)> {
    let claims = proptest::collection::vec(
        (1i64..2_000_000_00, 0i32..1200, 0u32..3, any::<bool>()),
        1..4,
    );
    let payments = proptest::collection::vec(
        (
            0i32..1500,
            0i64..500_000_00,
            proptest::option::of(0usize..4),
        ),
        0..6,
    );
    (
        claims,
        payments,
        any::<bool>(),
        proptest::option::of(0i32..1400),
        any::<bool>(),
        0i32..400,
    )
        .prop_map(|(claims, payments, consumer, costs_on, vat, as_of_extra)| {
            let start = d("2020-01-01");
            let plus = |n: i32| -> Date { start.checked_add(jiff::Span::new().days(n)).unwrap() };
            let claims: Vec<ClaimInput> = claims
                .iter()
                .enumerate()
                .map(|(i, (p, due, on, contractual))| ClaimInput {
                    id: ClaimId(i as i64 + 1),
                    principal: Money::from_cents(*p),
                    due_on: plus(*due),
                    interest_from: plus(*due + 1),
                    interest: if *contractual {
                        InterestKind::Contractual {
                            rate: RateBps::new(1234).unwrap(),
                            compounding: kwijting_law::nl::interest::Compounding::Simple,
                        }
                    } else {
                        InterestKind::Consumer
                    },
                    onerousness: *on,
                })
                .collect();
            let mut events: Vec<Event> = payments
                .iter()
                .map(|(day, amount, named)| Event {
                    on: plus(*day),
                    kind: EventKind::Payment {
                        amount: Money::from_cents(*amount),
                        designated: named
                            .filter(|n| *n < claims.len())
                            .map(|n| ClaimId(n as i64 + 1)),
                    },
                })
                .collect();
            if let Some(day) = costs_on {
                // A letter counts only once the debtor is in default: from
                // the day after the earliest payment deadline.
                let first_due = claims.iter().map(|c| c.due_on).min().unwrap();
                let day = (first_due - start).get_days() + 1 + day;
                events.push(Event {
                    on: plus(day),
                    kind: EventKind::DemandLetter,
                });
                events.push(Event {
                    on: plus(day + 30),
                    kind: EventKind::CollectionCosts,
                });
            }
            let debtor = if consumer {
                DebtorType::Consumer
            } else {
                DebtorType::Business
            };
            let settings = CostsSettings {
                vat_rate: if vat {
                    Some(RateBps::new(2100).unwrap())
                } else {
                    None
                },
                ..CostsSettings::default()
            };
            (debtor, claims, events, settings, plus(1500 + as_of_extra))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn no_rounding_step_loses_or_creates_a_cent((debtor, claims, events, costs, as_of) in arb_case()) {
        let nl = Netherlands::new().unwrap();
        let case = CaseInput { debtor, claims: &claims, events: &events, costs, as_of };
        let s = statement_of_account(&nl, &case).unwrap();
        let cents = |m: Money| m.cents();
        // Every payment is its applied parts plus what was left over.
        for p in &s.payments {
            let applied: i64 = p.shares.iter().map(|sh| cents(sh.applied.total().unwrap())).sum();
            prop_assert_eq!(applied + cents(p.unapplied), cents(p.amount));
        }
        // Per claim: interest charged is the sum of its rounding points, and
        // charged minus paid is outstanding, part by part.
        let mut balance = 0i64;
        for c in &s.claims {
            let posted: i64 = c.postings.iter().map(|p| cents(p.amount)).sum();
            prop_assert_eq!(posted, cents(c.charged.interest));
            prop_assert_eq!(cents(c.charged.principal) - cents(c.paid.principal), cents(c.outstanding.principal));
            prop_assert_eq!(cents(c.charged.interest) - cents(c.paid.interest), cents(c.outstanding.interest));
            prop_assert_eq!(cents(c.charged.costs) - cents(c.paid.costs), cents(c.outstanding.costs));
            prop_assert_eq!(cents(c.charged.vat) - cents(c.paid.vat), cents(c.outstanding.vat));
            prop_assert!(!c.outstanding.principal.is_negative() && !c.outstanding.interest.is_negative());
            balance += cents(c.outstanding.total().unwrap());
        }
        prop_assert_eq!(balance, cents(s.balance));
        // The costs booked on the claims are the costs charged.
        let lines: i64 = s.costs.iter().map(|l| cents(l.costs) + cents(l.vat)).sum();
        prop_assert_eq!(lines, cents(s.charged.costs) + cents(s.charged.vat));
        let received: i64 = s.payments.iter().map(|p| cents(p.amount)).sum();
        prop_assert_eq!(cents(s.charged.total().unwrap()) - received + cents(s.unapplied), cents(s.balance));
        // Deterministic.
        prop_assert_eq!(&statement_of_account(&nl, &case).unwrap(), &s);
        prop_assert!(s.render_text().is_ok());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Quote equals booking: paying on a day exactly the balance the
    /// statement shows for that day leaves nothing owed and nothing over,
    /// then and on every later day.
    #[test]
    fn paying_the_balance_of_a_day_settles_the_case((debtor, claims, events, costs, as_of) in arb_case(), pay_extra in 0i32..600) {
        let nl = Netherlands::new().unwrap();
        let earliest = claims.iter().map(|c| c.due_on).min().unwrap();
        let on = earliest.checked_add(jiff::Span::new().days(pay_extra)).unwrap();
        let quote = statement_of_account(&nl, &CaseInput { debtor, claims: &claims, events: &events, costs, as_of: on }).unwrap();
        let mut paid = events.clone();
        paid.retain(|e| e.on <= on);
        paid.sort_by_key(|e| e.on);
        paid.push(Event { on, kind: EventKind::Payment { amount: quote.balance, designated: None } });
        for later in [on, on.checked_add(jiff::Span::new().days(1)).unwrap(), as_of.max(on)] {
            let s = statement_of_account(&nl, &CaseInput { debtor, claims: &claims, events: &paid, costs, as_of: later }).unwrap();
            prop_assert_eq!(s.balance, Money::ZERO, "owed after paying {} on {} (as of {})", quote.balance, on, later);
            // What earlier overpayments left over stays; the quote adds nothing.
            prop_assert_eq!(s.unapplied, quote.unapplied, "over after paying {} on {}", quote.balance, on);
        }
    }
}

#[test]
fn no_letter_and_no_costs_before_the_debtor_is_in_default() {
    // Art. 6:83(a) BW: a claim due on 2026-12-31 is in default from
    // 2027-01-01; a 14-day letter before then does not count, and business
    // costs (art. 6:96(4) BW) are not due before then.
    let claims = [claim(1, "500", "2026-12-31", InterestKind::Consumer)];
    let early = [at("2026-11-25", EventKind::DemandLetter)];
    match statement(
        DebtorType::Consumer,
        &claims,
        &early,
        CostsSettings::default(),
        "2027-01-20",
    ) {
        Err(e @ LawError::LetterBeforeDefault { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("2027-01-01") && text.contains("6:83"),
                "{text}"
            );
        }
        other => panic!("a letter before default must be refused: {other:?}"),
    }
    let on_time = [at("2027-01-01", EventKind::DemandLetter)];
    assert!(
        statement(
            DebtorType::Consumer,
            &claims,
            &on_time,
            CostsSettings::default(),
            "2027-01-20"
        )
        .is_ok()
    );
    // Consumer interest here: the shipped table has no commercial rate
    // for 2027 yet.
    let business = [claim(1, "500", "2026-12-31", InterestKind::Consumer)];
    let costs_early = [at("2026-12-12", EventKind::CollectionCosts)];
    assert!(matches!(
        statement(
            DebtorType::Business,
            &business,
            &costs_early,
            CostsSettings::default(),
            "2027-01-20"
        ),
        Err(LawError::CostsBeforeDefault { .. })
    ));
    let costs_on_time = [at("2027-01-01", EventKind::CollectionCosts)];
    let s = statement(
        DebtorType::Business,
        &business,
        &costs_on_time,
        CostsSettings::default(),
        "2027-01-20",
    )
    .unwrap();
    assert_eq!(s.costs[0].costs, eur("75"));
}

#[test]
fn costs_count_only_claims_in_default_when_the_letter_was_sent() {
    // One claim in default, one not yet due when the letter went out: the
    // costs are computed on the first only.
    let claims = [
        claim(1, "1000", "2026-10-31", InterestKind::Consumer),
        claim(2, "1000", "2026-12-31", InterestKind::Consumer),
    ];
    let events = [
        at("2026-11-10", EventKind::DemandLetter),
        at("2026-12-01", EventKind::CollectionCosts),
    ];
    let s = statement(
        DebtorType::Consumer,
        &claims,
        &events,
        CostsSettings::default(),
        "2026-12-01",
    )
    .unwrap();
    assert_eq!(s.costs[0].base, eur("1000"));
    assert_eq!(s.claims[1].charged.costs, Money::ZERO);
}
