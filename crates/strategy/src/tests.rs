//! Engine tests: the shipped strategies end to end, every guard, every hold,
//! the explanations (snapshots) and the properties of determinism.

use jiff::civil::{DateTime, date};
use kwijting_domain::{CaseId, CaseNumber, Date, DebtorType, Money};
use proptest::prelude::{
    Just, ProptestConfig, any, prop_assert, prop_assert_eq, prop_oneof, proptest,
};
use proptest::strategy::Strategy as _;

use crate::*;

fn d(y: i16, m: i8, day: i8) -> Date {
    date(y, m, day)
}

fn consumer() -> Strategy {
    Strategy::from_toml_str(CONSUMER_STRATEGY_TOML, "consumer.toml").unwrap()
}

fn business() -> Strategy {
    Strategy::from_toml_str(BUSINESS_STRATEGY_TOML, "business.toml").unwrap()
}

/// A consumer case received on Monday 2025-12-01, EUR 1,000.00 owed, address
/// verified, no letter yet, nothing done.
fn facts() -> CaseFacts {
    CaseFacts {
        debtor_type: DebtorType::Consumer,
        principal: Money::from_cents(1_000_00),
        balance: Money::from_cents(1_000_00),
        due_on: d(2025, 10, 15),
        received_on: d(2025, 12, 1),
        steps_done: 0,
        last_step: None,
        fourteen_day_letter_sent_on: None,
        score_band: ScoreBand::Unknown,
        address: AddressStatus::Verified,
        phone_known: true,
        email_known: false,
        arrangement: ArrangementState::None,
        dispute: DisputeState::None,
        judgment_on: None,
        limitation_last_day: d(2030, 10, 15),
        holds: HoldSet::EMPTY,
    }
}

/// `facts` with the step with id `step` of `strategy` done on `on`.
fn after(mut f: CaseFacts, strategy: &Strategy, step: &str, on: Date) -> CaseFacts {
    f.last_step = Some(StepDone {
        index: strategy.index_of(step).unwrap(),
        on,
    });
    f.steps_done += 1;
    f
}

fn run(f: &CaseFacts, s: &Strategy, as_of: Date) -> Decision {
    decide(
        f,
        s,
        as_of,
        &Holidays::statutory(),
        &ClientSettings::default(),
    )
    .unwrap()
}

fn run_with(f: &CaseFacts, s: &Strategy, as_of: Date, settings: &ClientSettings) -> Decision {
    decide(f, s, as_of, &Holidays::statutory(), settings).unwrap()
}

/// Runs the daily decision from the day the case was received for `days`
/// days, carrying out each action the way the lead would (on the first
/// contact slot for contact actions), with the given results of checks.
/// Returns one line per event.
fn simulate(
    s: &Strategy,
    mut f: CaseFacts,
    days: i32,
    score_after_check: ScoreBand,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut as_of = f.received_on;
    for _ in 0..days {
        let dec = run(&f, s, as_of);
        match dec.outcome {
            Outcome::Act(action) => {
                let done_on = dec.contact_from.map_or(as_of, |t| t.date());
                let step = dec
                    .step
                    .as_ref()
                    .map(|s| s.id.to_string())
                    .unwrap_or_default();
                lines.push(format!("{as_of} {step}: {action} (done {done_on})"));
                f = after(f, s, &step, done_on);
                match action {
                    Action::FourteenDayLetter => f.fourteen_day_letter_sent_on = Some(done_on),
                    Action::AddressCheck => f.address = AddressStatus::Verified,
                    Action::CreditCheck => f.score_band = score_after_check,
                    Action::ProposeLegalAction(_) | Action::ReturnToClient | Action::CloseCase => {
                        break;
                    }
                    _ => {}
                }
            }
            Outcome::Wait { .. } => {}
            other => {
                lines.push(format!("{as_of} {other:?}"));
                break;
            }
        }
        as_of = as_of.tomorrow().unwrap();
    }
    lines
}

#[test]
fn the_shipped_defaults_load_and_assign() {
    let defaults = defaults().unwrap();
    assert_eq!(defaults.strategies.len(), 3);
    assert!(
        defaults.strategies[2]
            .steps()
            .iter()
            .all(|s| s.action().within_receivables_management()),
        "the processor strategy takes no collection step"
    );
    let n = CaseNumber::for_case(CaseId(17)).unwrap();
    let input = |t| AssignmentInput {
        client_ref: "ACME",
        case_number: &n,
        debtor_type: t,
        balance: Money::from_cents(500_00),
        score_band: ScoreBand::Unknown,
    };
    let a = defaults
        .assignment
        .assign(&input(DebtorType::Consumer))
        .unwrap();
    assert_eq!(&*a.strategy.id, "consumer-standard");
    assert_eq!(a.variant, Variant::Champion);
    let a = defaults
        .assignment
        .assign(&input(DebtorType::Business))
        .unwrap();
    assert_eq!(&*a.strategy.id, "business-standard");
}

#[test]
fn the_consumer_flow() {
    // Source: collection-practice.md, "A typical flow". Received Monday
    // 2025-12-01; the 14-day letter goes out on Wednesday 3 December
    // (delivered Friday 5th, term to Friday 19th, costs from Saturday 20th);
    // the demand follows on the 20th, then the phone call, the second demand,
    // the credit check, the final demand and the proposal to sue.
    let got = simulate(&consumer(), facts(), 200, ScoreBand::B);
    let expected = [
        "2025-12-03 fourteen_day_letter: fourteen_day_letter (done 2025-12-03)",
        "2025-12-20 first_demand: first_demand (done 2025-12-20)",
        "2025-12-23 phone_call: phone_task (done 2025-12-23)",
        "2026-01-06 second_demand: second_demand (done 2026-01-06)",
        "2026-01-20 credit_check: credit_check (done 2026-01-20)",
        "2026-01-23 final_demand: summons_warning (done 2026-01-23)",
        "2026-02-06 propose_summons: propose_legal_action(court) (done 2026-02-06)",
    ];
    assert_eq!(got, expected);
}

#[test]
fn the_consumer_flow_for_a_poor_score_goes_back_to_the_client() {
    let mut f = facts();
    f.address = AddressStatus::Unverified;
    f.phone_known = false;
    let got = simulate(&consumer(), f, 200, ScoreBand::E);
    let expected = [
        "2025-12-01 address_check: address_check (done 2025-12-01)",
        "2025-12-03 fourteen_day_letter: fourteen_day_letter (done 2025-12-03)",
        "2025-12-20 first_demand: first_demand (done 2025-12-20)",
        "2026-01-03 second_demand: second_demand (done 2026-01-03)",
        "2026-01-17 credit_check: credit_check (done 2026-01-17)",
        "2026-02-16 return_to_client: return_to_client (done 2026-02-16)",
    ];
    assert_eq!(got, expected);
}

#[test]
fn the_business_flow() {
    // Source: collection-practice.md: no 14-day letter, demand with costs at
    // once, second demand after about ten days.
    let mut f = facts();
    f.debtor_type = DebtorType::Business;
    f.score_band = ScoreBand::A;
    let got = simulate(&business(), f, 200, ScoreBand::A);
    let expected = [
        "2025-12-03 first_demand: first_demand (done 2025-12-03)",
        "2025-12-06 phone_call: phone_task (done 2025-12-06)",
        "2025-12-16 second_demand: second_demand (done 2025-12-16)",
        // The credit check is not needed (score A) but its waiting period
        // still runs: the final demand comes ten days after the second one,
        // decided on Boxing Day and sent on Saturday.
        "2025-12-26 final_demand: summons_warning (done 2025-12-27)",
        "2026-01-10 propose_summons: propose_legal_action(court) (done 2026-01-10)",
    ];
    assert_eq!(got, expected);
}

#[test]
fn waiting_periods_count_from_the_last_step() {
    let s = consumer();
    let mut f = after(facts(), &s, "first_demand", d(2026, 1, 7));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 19));
    let dec = run(&f, &s, d(2026, 1, 9));
    assert_eq!(
        dec.outcome,
        Outcome::Wait {
            until: d(2026, 1, 10),
            reason: WaitReason::WaitingPeriod
        }
    );
    assert_eq!(dec.step.as_ref().map(|s| &*s.id), Some("phone_call"));
    let dec = run(&f, &s, d(2026, 1, 10));
    assert_eq!(dec.outcome, Outcome::Act(Action::PhoneTask));
}

// ---- Guard: no collection costs for a consumer before the 14-day term ----

#[test]
fn guard_no_costs_before_the_fourteen_day_term_has_passed() {
    // Source: nl-law.md section 2, worked example: sent Friday 2025-12-19,
    // costs from 2026-01-07.
    let s = consumer();
    let mut f = after(facts(), &s, "fourteen_day_letter", d(2025, 12, 19));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 19));
    let dec = run(&f, &s, d(2026, 1, 6));
    assert_eq!(
        dec.outcome,
        Outcome::Wait {
            until: d(2026, 1, 7),
            reason: WaitReason::FourteenDayTerm {
                sent_on: d(2025, 12, 19),
                costs_from: d(2026, 1, 7)
            }
        }
    );
    assert_eq!(dec.action(), None);
    let dec = run(&f, &s, d(2026, 1, 7));
    assert_eq!(dec.outcome, Outcome::Act(Action::FirstDemand));
}

#[test]
fn guard_costs_without_a_fourteen_day_letter_are_blocked_for_a_consumer() {
    // A strategy that demands costs at once, as for a business.
    let s = business();
    let dec = run(&facts(), &s, d(2025, 12, 10));
    assert_eq!(
        dec.outcome,
        Outcome::Blocked(Blocked::CostsWithoutFourteenDayLetter)
    );
    assert!(dec.needs_review);
    // The second and final demand repeat the costs: held back as well.
    let s = Strategy::from_toml_str(
        r#"id = "x"
version = 1
title = "x"
[[steps]]
id = "final"
action = "summons_warning""#,
        "x.toml",
    )
    .unwrap();
    let dec = run(&facts(), &s, d(2025, 12, 10));
    assert_eq!(
        dec.outcome,
        Outcome::Blocked(Blocked::CostsWithoutFourteenDayLetter)
    );
}

#[test]
fn guard_the_fourteen_day_letter_is_for_consumers_only() {
    let s = consumer();
    let mut f = facts();
    f.debtor_type = DebtorType::Business;
    let dec = run(&f, &s, d(2025, 12, 3));
    assert_eq!(dec.outcome, Outcome::Act(Action::FirstDemand));
    let reasons: Vec<_> = dec
        .skipped
        .iter()
        .map(|k| (&*k.step.id, k.reason))
        .collect();
    assert!(reasons.contains(&("fourteen_day_letter", SkipReason::LetterOnlyForConsumers)));
}

// ---- Guard: Wkid contact hours ----

#[test]
fn guard_contact_actions_never_fall_outside_the_contact_hours() {
    let s = consumer();
    // Sunday 2025-12-07: the letter is decided, but contact waits until
    // Monday 07:00.
    let mut f = facts();
    f.received_on = d(2025, 12, 5);
    let dec = run(&f, &s, d(2025, 12, 7));
    assert_eq!(dec.outcome, Outcome::Act(Action::FourteenDayLetter));
    assert_eq!(dec.contact_from, Some(d(2025, 12, 8).at(7, 0, 0, 0)));
    // Christmas Day 2025 (Thursday): past Boxing Day to Saturday the 27th.
    f.received_on = d(2025, 12, 23);
    let dec = run(&f, &s, d(2025, 12, 25));
    assert_eq!(dec.contact_from, Some(d(2025, 12, 27).at(7, 0, 0, 0)));
    // An ordinary Tuesday: 07:00 the same day.
    let dec = run(&f, &s, d(2025, 12, 30));
    assert_eq!(dec.contact_from, Some(d(2025, 12, 30).at(7, 0, 0, 0)));
    // A check with a third party contacts nobody: no slot needed.
    f.address = AddressStatus::Unknown;
    let dec = run(&f, &s, d(2025, 12, 25));
    assert_eq!(dec.outcome, Outcome::Act(Action::AddressCheck));
    assert_eq!(dec.contact_from, None);
}

// ---- Guard: no empty threats (Wkid) ----

#[test]
fn guard_no_summons_warning_or_legal_proposal_below_the_threshold() {
    let s = consumer();
    let mut f = after(facts(), &s, "credit_check", d(2026, 1, 20));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 3));
    f.score_band = ScoreBand::A;
    f.balance = Money::from_cents(249_99);
    let dec = run(&f, &s, d(2026, 3, 1));
    // Both legal steps are skipped; the case goes back to the client.
    assert_eq!(dec.outcome, Outcome::Act(Action::ReturnToClient));
    let skipped: Vec<_> = dec
        .skipped
        .iter()
        .map(|k| (&*k.step.id, k.reason))
        .collect();
    let no_threat = SkipReason::NoLegalStepsForClaim {
        legal_action_allowed: true,
        min_balance: Money::from_cents(250_00),
    };
    assert_eq!(
        skipped,
        [("final_demand", no_threat), ("propose_summons", no_threat)]
    );
    // At the threshold the warning goes out.
    f.balance = Money::from_cents(250_00);
    let dec = run(&f, &s, d(2026, 3, 1));
    assert_eq!(dec.outcome, Outcome::Act(Action::SummonsWarning));
    // A client that never takes legal steps: never announced.
    let never = ClientSettings {
        legal_action_allowed: false,
        ..ClientSettings::default()
    };
    let dec = run_with(&f, &s, d(2026, 3, 1), &never);
    assert_eq!(dec.outcome, Outcome::Act(Action::ReturnToClient));
}

#[test]
fn guard_a_bailiff_needs_a_judgment() {
    let s = Strategy::from_toml_str(
        r#"id = "enforce"
version = 1
title = "Enforcement"
[[steps]]
id = "bailiff"
action = "propose_legal_action"
route = "bailiff""#,
        "enforce.toml",
    )
    .unwrap();
    let mut f = facts();
    f.balance = Money::from_cents(5_000_00);
    let dec = run(&f, &s, d(2026, 3, 1));
    assert_eq!(dec.outcome, Outcome::Finished);
    assert_eq!(dec.skipped[0].reason, SkipReason::NoJudgment);
    f.judgment_on = Some(d(2026, 2, 1));
    let dec = run(&f, &s, d(2026, 3, 1));
    assert_eq!(
        dec.outcome,
        Outcome::Act(Action::ProposeLegalAction(LegalRoute::Bailiff))
    );
}

// ---- Guard: limitation ----

#[test]
fn guard_time_barred_claims_are_not_pursued() {
    // A consumer sale price due 2023-06-30 is time-barred after two years
    // (art. 7:28 BW): the last day is 2025-06-30.
    let last = limitation_last_day(
        LimitationKind::ConsumerSalePrice,
        d(2023, 6, 30),
        &[],
        d(2025, 7, 1),
    )
    .unwrap();
    assert_eq!(last, d(2025, 6, 30));
    let mut f = facts();
    f.limitation_last_day = last;
    let s = consumer();
    let dec = run(&f, &s, d(2025, 6, 30));
    assert!(
        !matches!(dec.outcome, Outcome::Held(_)),
        "{:?}",
        dec.outcome
    );
    f.received_on = d(2025, 6, 1);
    let dec = run(&f, &s, d(2025, 7, 1));
    assert_eq!(
        dec.outcome,
        Outcome::Held(HoldSet::of(&[Hold::LimitationExpired]))
    );
}

// ---- Holds ----

#[test]
fn every_hold_stops_the_strategy() {
    let s = consumer();
    for hold in Hold::ALL {
        let mut f = facts();
        f.holds = HoldSet::of(&[*hold]);
        let dec = run(&f, &s, d(2025, 12, 3));
        assert_eq!(dec.outcome, Outcome::Held(HoldSet::of(&[*hold])), "{hold}");
        assert_eq!(dec.step, None);
        assert_eq!(dec.contact_from, None);
    }
}

#[test]
fn holds_derived_from_the_facts() {
    let s = consumer();
    let check = |f: CaseFacts, expected: &[Hold]| {
        let dec = run(&f, &s, d(2025, 12, 3));
        assert_eq!(dec.outcome, Outcome::Held(HoldSet::of(expected)));
    };
    let mut f = facts();
    f.dispute = DisputeState::Open;
    check(f, &[Hold::Dispute]);
    f.arrangement = ArrangementState::Active;
    f.holds = HoldSet::of(&[Hold::ClientHold]);
    check(
        f,
        &[Hold::Dispute, Hold::ActiveArrangement, Hold::ClientHold],
    );
    // A resolved dispute and a broken arrangement let collection resume.
    let mut f = facts();
    f.dispute = DisputeState::Resolved;
    f.arrangement = ArrangementState::Broken;
    let dec = run(&f, &s, d(2025, 12, 3));
    assert_eq!(dec.outcome, Outcome::Act(Action::FourteenDayLetter));
}

// ---- Review and legal effect ----

#[test]
fn legal_steps_need_review() {
    let s = consumer();
    let mut f = after(facts(), &s, "final_demand", d(2026, 1, 23));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 3));
    f.score_band = ScoreBand::B;
    let off = ClientSettings {
        review_all_legal_steps: false,
        ..ClientSettings::default()
    };
    // A consumer: always reviewed (GDPR art. 22), whatever the setting.
    for settings in [ClientSettings::default(), off] {
        let dec = run_with(&f, &s, d(2026, 2, 6), &settings);
        assert_eq!(
            dec.outcome,
            Outcome::Act(Action::ProposeLegalAction(LegalRoute::Court))
        );
        assert!(dec.has_legal_effect());
        assert!(dec.needs_review);
    }
    // A business: the client's setting decides.
    let b = business();
    let mut f = after(facts(), &b, "final_demand", d(2026, 1, 23));
    f.debtor_type = DebtorType::Business;
    f.score_band = ScoreBand::B;
    assert!(run(&f, &b, d(2026, 2, 6)).needs_review);
    assert!(!run_with(&f, &b, d(2026, 2, 6), &off).needs_review);
    // A letter has no legal effect.
    let dec = run(&facts(), &s, d(2025, 12, 3));
    assert!(!dec.has_legal_effect() && !dec.needs_review);
}

#[test]
fn nothing_owed_and_finished() {
    let s = consumer();
    let mut f = facts();
    f.balance = Money::ZERO;
    assert_eq!(run(&f, &s, d(2025, 12, 3)).outcome, Outcome::NothingOwed);
    let f = after(facts(), &s, "return_to_client", d(2026, 1, 1));
    assert_eq!(run(&f, &s, d(2026, 3, 1)).outcome, Outcome::Finished);
}

#[test]
fn a_step_may_wait_for_its_conditions() {
    let s = Strategy::from_toml_str(
        r#"id = "w"
version = 1
title = "Wait for a score"
[[steps]]
id = "sue"
action = "propose_legal_action"
route = "court"
otherwise = "wait"
when.score_band = ["A", "B"]"#,
        "w.toml",
    )
    .unwrap();
    let dec = run(&facts(), &s, d(2025, 12, 3));
    match dec.outcome {
        Outcome::Wait {
            until,
            reason: WaitReason::ConditionNotMet(c),
        } => {
            assert_eq!(until, d(2025, 12, 4));
            assert_eq!(c.to_string(), "score_band in [A, B]");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_decision_names_the_variables_it_used() {
    let s = consumer();
    let dec = run(&facts(), &s, d(2025, 12, 3));
    let names: Vec<&str> = dec.variables_used().iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "debtor_type",
            "balance_cents",
            "days_past_due",
            "letter",
            "address",
            "arrangement",
            "dispute",
            "days_to_limitation",
            "holds"
        ]
    );
    let used = dec.variables_used();
    assert!(used.contains(&("balance_cents", "100000".to_owned())));
    assert!(used.contains(&(
        "days_to_limitation",
        "1777 (last day 2030-10-15)".to_owned()
    )));
    assert_eq!(&*dec.strategy.id, "consumer-standard");
    assert_eq!(dec.strategy.version, 1);
}

#[test]
fn a_letter_before_the_known_holidays_is_an_error_not_a_guess() {
    let mut f = facts();
    f.fourteen_day_letter_sent_on = Some(d(2013, 6, 3));
    let err = decide(
        &f,
        &consumer(),
        d(2025, 12, 3),
        &Holidays::statutory(),
        &ClientSettings::default(),
    );
    assert!(matches!(err, Err(StrategyError::Law(_))), "{err:?}");
}

// ---- Explanations (snapshots) ----

fn explained_demand() -> Decision {
    let s = consumer();
    let mut f = after(facts(), &s, "fourteen_day_letter", d(2025, 12, 19));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 19));
    f.steps_done = 1;
    f.balance = Money::from_cents(1_234_56);
    run(&f, &s, d(2026, 1, 7))
}

#[test]
fn explain_in_dutch() {
    let got = explained_demand().explain(Language::Nl);
    let expected = "\
Beslissing over uw dossier op 7 januari 2026

Wat hebben wij besloten?
Wij gaan u een aanmaning (sommatie) sturen, met incassokosten.
Wij nemen alleen contact op tussen 07:00 en 20:00 uur, en niet op zondag of een feestdag. Dit gebeurt dus niet eerder dan 7 januari 2026 om 07:00 uur.

Waarom?
Wij werken met vaste stappen, die vooraf zijn vastgelegd (versie 1).
Dit is stap 4.

Welke gegevens hebben wij gebruikt?
- soort schuldenaar: consument.
- openstaand bedrag: € 1.234,56.
- dagen na de uiterste betaaldatum: 84 dagen.
- 14-dagenbrief: verstuurd op 19 december 2025. Zonder incassokosten betalen kon tot en met 6 januari 2026.
- betalingsregeling: geen.
- betwisting: geen.
- verjaring: de vordering kan nog worden geëist tot en met 15 oktober 2030.
- redenen om te stoppen: geen.

Wilt u dat een medewerker opnieuw kijkt?
Deze beslissing is automatisch genomen, met vaste regels en de gegevens hierboven.
U mag altijd vragen dat een medewerker de beslissing opnieuw bekijkt. U mag ook uw mening geven en de beslissing aanvechten (artikel 22 AVG). Neem contact met ons op en noem uw dossiernummer. Tot de medewerker heeft gekeken, zetten wij de incasso stil.
";
    assert_eq!(got, expected, "\n{got}");
}

#[test]
fn explain_in_english() {
    let got = explained_demand().explain(Language::En);
    let expected = "\
Decision on your case on 7 January 2026

What did we decide?
We will send you a formal demand, with collection costs.
We only contact you between 07:00 and 20:00, and not on Sundays or public holidays. So this will not happen before 7 January 2026 at 07:00.

Why?
We work with fixed steps, set in advance (version 1).
This is step 4.

Which data did we use?
- type of debtor: consumer.
- amount owed: EUR 1234.56.
- days after the due date: 84 days.
- 14-day letter: sent on 19 December 2025. Paying without collection costs was possible up to and including 6 January 2026.
- payment plan: none.
- dispute: none.
- time limit (limitation): the claim can still be claimed up to and including 15 October 2030.
- reasons to stop: none.

Do you want a member of staff to look again?
This decision was made automatically, with fixed rules and the data above.
You may always ask for a member of staff to look at the decision again. You may also give your view and challenge the decision (article 22 GDPR). Contact us and give your case number. Until the member of staff has looked, we pause collection.
";
    assert_eq!(got, expected, "\n{got}");
}

#[test]
fn explain_a_legal_proposal_with_skipped_steps() {
    let s = consumer();
    let mut f = after(facts(), &s, "second_demand", d(2026, 1, 6));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 3));
    f.score_band = ScoreBand::B;
    let dec = run(&f, &s, d(2026, 1, 23));
    assert_eq!(dec.outcome, Outcome::Act(Action::SummonsWarning));
    let got = dec.explain(Language::Nl);
    let expected_part = "\
Dit is stap 8. Deze stap komt 3 dagen na de vorige stap.
Deze stap geldt omdat:
- risicoscore (A is het laagste risico, E het hoogste) is A, B of C.
Deze stappen hebben wij overgeslagen:
- stap 7: deze stap geldt alleen als risicoscore (A is het laagste risico, E het hoogste) is onbekend.
";
    assert!(got.contains(expected_part), "\n{got}");
    let f = after(f, &s, "final_demand", d(2026, 1, 23));
    let dec = run(&f, &s, d(2026, 2, 6));
    let got = dec.explain(Language::En);
    assert!(
        got.contains(
            "We will propose to go to court (a writ of summons). A member of staff decides on this."
        ),
        "\n{got}"
    );
    assert!(
        got.contains("A member of staff checks this decision before we do anything."),
        "\n{got}"
    );
}

#[test]
fn explain_a_hold_and_a_wait() {
    let s = consumer();
    let mut f = facts();
    f.holds = HoldSet::of(&[Hold::HumanReviewRequested]);
    let got = run(&f, &s, d(2025, 12, 3)).explain(Language::Nl);
    assert!(
        got.contains(
            "Wij hebben de incasso gepauzeerd. Dit is de reden:\n- u heeft gevraagd dat een \
             medewerker opnieuw naar uw dossier kijkt.\n"
        ),
        "\n{got}"
    );
    f.holds = HoldSet::of(&[Hold::Deceased]);
    let got = run(&f, &s, d(2025, 12, 3)).explain(Language::En);
    assert!(got.contains("We have stopped collection."), "\n{got}");

    let mut f = after(facts(), &s, "fourteen_day_letter", d(2025, 12, 19));
    f.fourteen_day_letter_sent_on = Some(d(2025, 12, 19));
    let got = run(&f, &s, d(2026, 1, 2)).explain(Language::En);
    assert!(
        got.contains(
            "We do nothing today. You can still pay without collection costs up to and \
             including 6 January 2026. Only from 7 January 2026 may we send you a formal \
             demand, with collection costs."
        ),
        "\n{got}"
    );
}

// ---- Properties ----

fn arb_date(from: Date, days: i32) -> impl proptest::strategy::Strategy<Value = Date> {
    (0..days).prop_map(move |n| kwijting_law::calendar::add_days(from, n))
}

fn arb_facts() -> impl proptest::strategy::Strategy<Value = CaseFacts> {
    let base = d(2016, 1, 1);
    (
        (
            any::<bool>(),
            0i64..2_000_000,
            -10_000i64..3_000_000,
            arb_date(base, 3650),
            arb_date(base, 3650),
            0u16..20,
            proptest::option::of((0u16..12, arb_date(base, 3650))),
            proptest::option::of(arb_date(base, 3650)),
        ),
        (
            proptest::sample::select(ScoreBand::ALL),
            proptest::sample::select(AddressStatus::ALL),
            any::<bool>(),
            any::<bool>(),
            proptest::sample::select(ArrangementState::ALL),
            proptest::sample::select(DisputeState::ALL),
            proptest::option::of(arb_date(base, 3650)),
            arb_date(base, 5000),
            // Mostly no holds, so that the strategy is exercised.
            prop_oneof![3 => Just(0u16), 1 => 0u16..1024],
        ),
    )
        .prop_map(
            |(
                (business, principal, balance, due_on, received_on, steps_done, last, letter),
                (score, address, phone, email, arrangement, dispute, judgment, limit, holds),
            )| CaseFacts {
                debtor_type: if business {
                    DebtorType::Business
                } else {
                    DebtorType::Consumer
                },
                principal: Money::from_cents(principal),
                balance: Money::from_cents(balance),
                due_on,
                received_on,
                steps_done,
                last_step: last.map(|(index, on)| StepDone { index, on }),
                fourteen_day_letter_sent_on: letter,
                score_band: score,
                address,
                phone_known: phone,
                email_known: email,
                arrangement,
                dispute,
                judgment_on: judgment,
                limitation_last_day: limit,
                holds: HoldSet::from_bits(holds).unwrap_or_default(),
            },
        )
}

fn arb_settings() -> impl proptest::strategy::Strategy<Value = ClientSettings> {
    (any::<bool>(), any::<bool>(), 0i64..2_000_000, any::<bool>()).prop_map(|(r, a, m, p)| {
        ClientSettings {
            review_all_legal_steps: r,
            legal_action_allowed: a,
            legal_action_min_balance: Money::from_cents(m),
            processor: p,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_same_facts_and_date_give_the_same_decision(
        f in arb_facts(),
        as_of in arb_date(d(2016, 1, 1), 4000),
        settings in arb_settings(),
        use_business in any::<bool>(),
    ) {
        let s = if use_business { business() } else { consumer() };
        let h = Holidays::statutory();
        let one = decide(&f, &s, as_of, &h, &settings);
        let two = decide(&f, &s.clone(), as_of, &h.clone(), &settings);
        prop_assert_eq!(&one, &two);
        if let Ok(dec) = one {
            prop_assert_eq!(dec.explain(Language::Nl), two.as_ref().map(|d| d.explain(Language::Nl)).unwrap_or_default());
            // Explanations are in words, never in the spelling of strategy files.
            for lang in [Language::Nl, Language::En] {
                let text = dec.explain(lang);
                let bad = crate::explain::untranslated(&text, lang);
                prop_assert!(bad.is_empty(), "{:?} in\n{}", bad, text);
            }
            // Every contact action has a slot inside the contact hours.
            if let Some(a) = dec.action() {
                prop_assert_eq!(a.is_contact(), dec.contact_from.is_some());
            }
            if let Some(at) = dec.contact_from {
                prop_assert!(is_contact_allowed(at, &h).unwrap());
                prop_assert!(at.date() >= as_of);
            }
            // The guards hold on every decision.
            if let Some(a) = dec.action() {
                if a.demands_costs() && f.debtor_type == DebtorType::Consumer {
                    let passed = matches!(dec.variables.letter, LetterState::TermPassed { .. });
                    prop_assert!(passed);
                }
                if a.announces_or_takes_legal_steps() {
                    prop_assert!(settings.legal_action_allowed);
                    prop_assert!(f.balance >= settings.legal_action_min_balance);
                }
                if a == Action::FourteenDayLetter {
                    prop_assert_eq!(f.debtor_type, DebtorType::Consumer);
                }
                if a.is_legal_step() && f.debtor_type == DebtorType::Consumer {
                    prop_assert!(dec.needs_review);
                }
            }
        }
    }

    #[test]
    fn a_held_case_never_gets_a_contact_action(
        f in arb_facts(),
        hold in proptest::sample::select(Hold::ALL),
        as_of in arb_date(d(2016, 1, 1), 4000),
        settings in arb_settings(),
    ) {
        let mut f = f;
        f.holds = f.holds.with(hold);
        for s in [consumer(), business()] {
            if let Ok(dec) = decide(&f, &s, as_of, &Holidays::statutory(), &settings) {
                let held = matches!(dec.outcome, Outcome::Held(h) if h.contains(hold));
                prop_assert!(held);
                prop_assert_eq!(dec.action(), None);
                prop_assert_eq!(dec.contact_from, None);
            }
        }
    }

    #[test]
    fn the_next_contact_slot_is_allowed_and_never_early(
        day in arb_date(d(2014, 1, 1), 365 * 30),
        minute in 0i32..1440,
    ) {
        let h = Holidays::statutory();
        let at = DateTime::from_parts(day, jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).unwrap());
        let slot = next_contact_slot(at, &h).unwrap();
        prop_assert!(slot >= at);
        prop_assert!(is_contact_allowed(slot, &h).unwrap());
        prop_assert!(slot.date() <= kwijting_law::calendar::add_days(at.date(), 4));
    }
}

// ---- Champion / challenger ----

fn assignment_with_challenger(share_bps: u16, rule_id: &str) -> Assignment {
    Assignment::from_toml_str(
        &format!(
            r#"id = "test"
version = 1
[[rules]]
id = "{rule_id}"
strategy = "consumer-standard"
[rules.challenger]
strategy = "consumer-challenger"
share_bps = {share_bps}
"#
        ),
        "test.toml",
    )
    .unwrap()
}

fn challenger_count(a: &Assignment, n: i64) -> i64 {
    (0..n)
        .filter(|i| {
            let number = CaseNumber::for_case(CaseId(1_000 + i)).unwrap();
            let input = AssignmentInput {
                client_ref: "ACME",
                case_number: &number,
                debtor_type: DebtorType::Consumer,
                balance: Money::from_cents(100_00),
                score_band: ScoreBand::C,
            };
            a.assign(&input).map(|x| x.variant) == Some(Variant::Challenger)
        })
        .count() as i64
}

#[test]
fn the_challenger_share_is_within_one_percent() {
    const N: i64 = 100_000;
    for (share, rule) in [
        (0, "consumers"),
        (1, "consumers"),
        (500, "consumers"),
        (1_000, "consumers"),
        (2_500, "small-claims"),
        (5_000, "b"),
        (9_999, "consumers"),
        (10_000, "consumers"),
    ] {
        let got = challenger_count(&assignment_with_challenger(share, rule), N);
        let expected = N * i64::from(share) / 10_000;
        // ±1% of the cases, i.e. ±100 basis points.
        assert!(
            (got - expected).abs() <= N / 100,
            "share {share} bps: {got} of {N} (expected {expected})"
        );
    }
    assert_eq!(
        challenger_count(&assignment_with_challenger(0, "x"), 1_000),
        0
    );
    assert_eq!(
        challenger_count(&assignment_with_challenger(10_000, "x"), 1_000),
        1_000
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn any_share_is_within_one_percent(share in 0u16..=10_000, rule in "[a-z][a-z0-9_-]{0,20}") {
        const N: i64 = 100_000;
        let got = challenger_count(&assignment_with_challenger(share, &rule), N);
        let expected = N * i64::from(share) / 10_000;
        prop_assert!((got - expected).abs() <= N / 100, "{share} bps, rule {rule}: {got}");
    }
}

#[test]
fn the_same_case_gets_the_same_variant_every_time() {
    let a = assignment_with_challenger(3_000, "consumers");
    let number = CaseNumber::for_case(CaseId(4242)).unwrap();
    let input = AssignmentInput {
        client_ref: "ACME",
        case_number: &number,
        debtor_type: DebtorType::Consumer,
        balance: Money::from_cents(100_00),
        score_band: ScoreBand::C,
    };
    let first = a.assign(&input).unwrap();
    for _ in 0..10 {
        assert_eq!(a.assign(&input).unwrap(), first);
    }
    // Pinned: a change moves cases between variants on every machine.
    assert_eq!(split_bucket("consumers", &number), first.bucket);
    assert_eq!(
        (
            split_bucket("consumers", &CaseNumber::for_case(CaseId(1)).unwrap()),
            split_bucket("consumers", &CaseNumber::for_case(CaseId(2)).unwrap()),
            split_bucket("other", &CaseNumber::for_case(CaseId(1)).unwrap()),
        ),
        (PINNED_1, PINNED_2, PINNED_OTHER)
    );
}

const PINNED_1: u16 = 4413;
const PINNED_2: u16 = 7268;
const PINNED_OTHER: u16 = 3564;

#[test]
fn consecutive_case_numbers_are_not_correlated() {
    // Cases imported together get consecutive numbers; with a 50% split,
    // about half of all neighbours must differ in variant.
    let a = assignment_with_challenger(5_000, "consumers");
    let variants: Vec<bool> = (0..20_000)
        .map(|i| {
            let number = CaseNumber::for_case(CaseId(i)).unwrap();
            let input = AssignmentInput {
                client_ref: "ACME",
                case_number: &number,
                debtor_type: DebtorType::Consumer,
                balance: Money::from_cents(100_00),
                score_band: ScoreBand::C,
            };
            a.assign(&input).map(|x| x.variant) == Some(Variant::Challenger)
        })
        .collect();
    let same = variants.windows(2).filter(|w| w[0] == w[1]).count();
    assert!(
        (9_500..=10_500).contains(&same),
        "{same} of 19,999 neighbours alike"
    );
}

#[test]
fn assignment_rules_by_client_amount_and_score() {
    let a = Assignment::from_toml_str(
        r#"id = "rules"
version = 2
[[rules]]
id = "acme-large"
clients = ["ACME", "ACME-2"]
when.balance_cents = { min = 1000000 }
strategy = "large"
version = 3
[[rules]]
id = "risky"
when.score_band = ["D", "E"]
strategy = "soft"
[[rules]]
id = "rest"
strategy = "standard"
"#,
        "rules.toml",
    )
    .unwrap();
    let number = CaseNumber::for_case(CaseId(1)).unwrap();
    let pick = |client: &str, cents: i64, band: ScoreBand| {
        let input = AssignmentInput {
            client_ref: client,
            case_number: &number,
            debtor_type: DebtorType::Consumer,
            balance: Money::from_cents(cents),
            score_band: band,
        };
        a.assign(&input).map(|x| {
            (
                x.rule.id.to_string(),
                x.strategy.id.to_string(),
                x.strategy.version,
            )
        })
    };
    let r = |rule: &str, s: &str, v: Option<u32>| Some((rule.to_owned(), s.to_owned(), v));
    assert_eq!(
        pick("ACME", 10_000_00, ScoreBand::E),
        r("acme-large", "large", Some(3))
    );
    assert_eq!(
        pick("OTHER", 10_000_00, ScoreBand::E),
        r("risky", "soft", None)
    );
    assert_eq!(
        pick("ACME", 9_999_99, ScoreBand::A),
        r("rest", "standard", None)
    );

    // Unknown strategies are named.
    let err = a.check_against(&[consumer()], "rules.toml").unwrap_err();
    assert_eq!(err.problems().len(), 3);
    assert_eq!(
        err.problems()[0].to_string(),
        "rules.toml: rules[0].strategy: no strategy 'large' is known"
    );
}

#[test]
fn bad_assignments_are_refused() {
    let err = Assignment::from_toml_str(
        r#"id = "bad"
version = 1
[[rules]]
id = "r"
when.letter = "not_sent"
strategy = "s"
[rules.challenger]
strategy = "s"
share_bps = 10001
"#,
        "bad.toml",
    )
    .unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "rules[0].when.letter",
            "rules[0].challenger.share_bps",
            "rules[0].challenger.strategy"
        ]
    );
}

#[test]
fn nothing_is_demanded_before_the_debtor_is_in_default() {
    // A claim due on 2025-12-31, received on 2025-12-01: no 14-day letter
    // (and for a business no demand with costs) before 2026-01-01, the day
    // after the deadline (art. 6:83(a) BW).
    for (strategy, debtor_type) in [
        (consumer(), DebtorType::Consumer),
        (business(), DebtorType::Business),
    ] {
        let f = CaseFacts {
            debtor_type,
            due_on: d(2025, 12, 31),
            ..facts()
        };
        let mut day = d(2025, 12, 1);
        while day <= d(2025, 12, 31) {
            let dec = run(&f, &strategy, day);
            if let Outcome::Act(a) = dec.outcome {
                assert!(
                    !(a.is_contact() || a.demands_costs() || a.announces_or_takes_legal_steps()),
                    "{debtor_type:?}: {a} on {day}, before default"
                );
            }
            day = kwijting_law::calendar::add_days(day, 1);
        }
        match run(&f, &strategy, d(2025, 12, 20)).outcome {
            Outcome::Wait {
                until,
                reason: WaitReason::NotInDefault { in_default_from },
            } => {
                assert_eq!((until, in_default_from), (d(2026, 1, 1), d(2026, 1, 1)));
            }
            other => panic!("{debtor_type:?}: {other:?}"),
        }
        assert!(matches!(
            run(&f, &strategy, d(2026, 1, 2)).outcome,
            Outcome::Act(_)
        ));
    }
}
