//! The daily run on both engines: holds, guards, determinism, idempotency
//! and crash-resume.

use kwijting_domain::{ClientRole, Date, parse_date};
use kwijting_service::Kwijting;
use kwijting_service::cases::CaseQuery;
use kwijting_store::testkit::fresh_stores;

mod common;
use common::operator;

fn day(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn setup(test: &str, cases: u64) -> Vec<(&'static str, Kwijting)> {
    let csv = common::portfolio(cases, 3);
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = common::service(store);
            let a = operator();
            svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
                .unwrap();
            svc.import_claims_csv(&a, "ACME", "p.csv", &csv[..], &mut |_| {})
                .unwrap();
            svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
                .unwrap();
            (engine, svc)
        })
        .collect()
}

fn run(svc: &Kwijting, d: &str) -> kwijting_service::daily_run::RunSummary {
    let s = svc.run_day(&operator(), day(d), 2, &|_, _| {}).unwrap();
    assert_eq!(s.errors, 0, "{:?}", s.error_reasons);
    s
}

fn case_numbers(svc: &Kwijting) -> Vec<String> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = svc
            .list_cases(
                &operator(),
                &CaseQuery {
                    limit: 1000,
                    offset,
                    ..Default::default()
                },
            )
            .unwrap();
        if page.cases.is_empty() {
            return out;
        }
        offset += page.cases.len() as u64;
        out.extend(page.cases.into_iter().map(|c| c.number));
    }
}

/// Every decision, as (case, date, action, rule, inputs, review state).
fn all_decisions(svc: &Kwijting) -> Vec<(String, String, String, String, String, String)> {
    let mut out = Vec::new();
    for n in case_numbers(svc) {
        let (_, rows) = svc.decisions(&operator(), &n).unwrap();
        for d in rows {
            out.push((
                n.clone(),
                d.run_date.to_string(),
                d.action,
                d.rule,
                d.inputs,
                d.review_state,
            ));
        }
    }
    out.sort();
    out
}

const DAYS: [&str; 5] = [
    "2026-11-21",
    "2026-11-24",
    "2026-12-12",
    "2026-12-26",
    "2027-01-23",
];

#[test]
fn holds_stop_the_strategy_and_are_never_overridden() {
    for (engine, svc) in setup("run_holds", 60) {
        let numbers = case_numbers(&svc);
        let kinds = kwijting_service::collect::HOLD_KINDS;
        for (n, kind) in numbers.iter().zip(kinds) {
            svc.place_hold(&operator(), n, kind, "test hold", day("2026-11-20"))
                .unwrap();
        }
        for d in DAYS {
            let s = run(&svc, d);
            assert!(s.holds >= kinds.len() as u64, "{engine} {d}: {s:?}");
        }
        for n in numbers.iter().take(kinds.len()) {
            let (_, rows) = svc.decisions(&operator(), n).unwrap();
            assert!(rows.is_empty(), "{engine}: held case {n} got {rows:?}");
        }
        // Lifting a hold lets the case go on.
        svc.lift_hold(&operator(), &numbers[0], kinds[0], day("2027-01-24"))
            .unwrap();
        run(&svc, "2027-01-25");
        let (_, rows) = svc.decisions(&operator(), &numbers[0]).unwrap();
        assert!(!rows.is_empty(), "{engine}: the released case moves");
        // A debtor's request for human review pauses the case too.
        svc.request_human_review(&operator(), &numbers[20], "", day("2027-01-25"))
            .unwrap();
        let before = svc.decisions(&operator(), &numbers[20]).unwrap().1.len();
        run(&svc, "2027-03-01");
        assert_eq!(
            svc.decisions(&operator(), &numbers[20]).unwrap().1.len(),
            before,
            "{engine}"
        );
    }
}

#[test]
fn guards_costs_after_the_term_no_empty_threats_and_review_of_legal_steps() {
    for (engine, svc) in setup("run_guards", 300) {
        for d in DAYS {
            run(&svc, d);
        }
        let decisions = all_decisions(&svc);
        let holidays = kwijting_law::nl::holidays::Holidays::statutory();
        let mut letters = std::collections::HashMap::new();
        for (case, date, action, ..) in &decisions {
            if action == "fourteen_day_letter" {
                letters.insert(case.clone(), day(date));
            }
        }
        let mut checked = 0;
        for (case, date, action, _, inputs, review) in &decisions {
            let inputs_say = |k: &str| {
                inputs
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")).map(str::to_owned))
            };
            if action == "first_demand"
                && inputs_say("debtor_type").as_deref() == Some("consumer")
                && review == "automatic"
            {
                // Costs only after the 14-day term (art. 6:96(6) BW).
                let sent = letters
                    .get(case)
                    .expect("a consumer demand with costs follows a 14-day letter");
                let term =
                    kwijting_law::nl::deadline::demand_letter_deadline(*sent, &holidays).unwrap();
                assert!(
                    day(date) >= term.costs_from,
                    "{engine}: {case} demanded costs on {date}, term ends {}",
                    term.last_day_to_pay
                );
                checked += 1;
            }
            if action.starts_with("propose_legal_action") {
                assert_eq!(review, "pending", "{engine}: legal steps wait for a person");
            }
        }
        assert!(
            checked > 10,
            "{engine}: only {checked} consumer demands checked"
        );
        // No summons warning below the client's legal-action threshold (Wkid).
        for (case, _, action, _, inputs, _) in &decisions {
            if action == "summons_warning" {
                let balance = inputs
                    .lines()
                    .find_map(|l| l.strip_prefix("balance_cents="))
                    .map(|v| kwijting_domain::Money::from_cents(v.parse().unwrap()))
                    .unwrap();
                assert!(
                    balance.cents() >= 25_000,
                    "{engine}: {case} warned of legal steps at {balance}"
                );
            }
        }
    }
}

#[test]
fn the_same_day_gives_the_same_decisions_and_a_second_run_adds_nothing() {
    let mut results = Vec::new();
    for (engine, svc) in setup("run_determinism", 200) {
        for d in DAYS {
            let first = run(&svc, d);
            let again = run(&svc, d);
            assert_eq!(again.new_decisions, 0, "{engine} {d}");
            assert_eq!(again.decisions, first.decisions, "{engine} {d}");
        }
        results.push((engine, all_decisions(&svc)));
    }
    // A second portfolio on the first engine, decided the same way.
    let (_, svc) = setup("run_determinism_b", 200).remove(0);
    for d in DAYS {
        run(&svc, d);
    }
    let again = all_decisions(&svc);
    for (engine, r) in &results {
        assert_eq!(
            r, &again,
            "{engine}: the same facts and days give the same decisions"
        );
    }
}

#[test]
fn a_run_killed_half_way_resumes_to_the_same_end_state() {
    // More cases than one chunk, so the run stops after a committed chunk.
    let n = kwijting_service::daily_run::RUN_CHUNK_CASES as u64 + 700;
    let stores = setup("run_resume", n);
    let (_, clean) = setup("run_resume_clean", n).remove(0);
    run(&clean, "2026-11-21");
    let expected = all_decisions(&clean);
    for (engine, svc) in stores {
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            svc.run_day(&operator(), day("2026-11-21"), 1, &|done, _| {
                if done == 1 {
                    panic!("killed after the first chunk");
                }
            })
        }));
        assert!(crashed.is_err(), "{engine}");
        let partial = svc
            .run_day(&operator(), day("2026-11-21"), 1, &|_, _| {})
            .unwrap();
        assert!(
            partial.new_decisions > 0 && partial.new_decisions < partial.decisions,
            "{engine}: {partial:?}"
        );
        assert_eq!(
            all_decisions(&svc),
            expected,
            "{engine}: same end state as an uninterrupted run"
        );
    }
}

#[test]
fn queued_checks_go_to_providers_with_each_disclosure_logged() {
    use kwijting_service::collect::SimulatedProvider;
    for (engine, svc) in setup("run_providers", 40) {
        run(&svc, "2026-11-21");
        let done = svc
            .run_provider_checks(
                &operator(),
                day("2026-11-21"),
                &SimulatedProvider,
                &SimulatedProvider,
            )
            .unwrap();
        assert!(done.address_checks > 0, "{engine}: {done:?}");
        // Nothing is left: a second call does nothing.
        let again = svc
            .run_provider_checks(
                &operator(),
                day("2026-11-21"),
                &SimulatedProvider,
                &SimulatedProvider,
            )
            .unwrap();
        assert_eq!(again.address_checks + again.credit_checks, 0, "{engine}");
        let numbers = case_numbers(&svc);
        let file = svc.case_file(&operator(), &numbers[0]).unwrap();
        let log = svc
            .disclosures(&operator(), file.parties[0].party.id)
            .unwrap();
        assert_eq!(log.len(), 1, "{engine}: {log:?}");
        assert_eq!(
            (log[0].recipient.as_str(), log[0].purpose.as_str()),
            ("address_provider", "collection"),
            "{engine}"
        );
        assert_eq!(
            log[0].categories, "identity,contact",
            "{engine}: only what identifies the person"
        );
    }
}

#[test]
fn a_client_that_allows_no_legal_steps_gets_no_threats_of_them() {
    for (engine, svc) in setup("run_client_settings", 300) {
        let settings = kwijting_store::ClientSettingsRow {
            legal_action_allowed: false,
            ..Default::default()
        };
        let c = svc
            .set_client_settings(&operator(), "ACME", &settings)
            .unwrap();
        assert!(!c.settings.legal_action_allowed, "{engine}");
        for d in DAYS {
            run(&svc, d);
        }
        let decisions = all_decisions(&svc);
        assert!(!decisions.is_empty(), "{engine}");
        assert!(
            decisions
                .iter()
                .all(|(_, _, action, ..)| action != "summons_warning"
                    && !action.starts_with("propose_legal_action")),
            "{engine}: no legal steps announced or proposed"
        );
    }
}

#[test]
fn a_new_strategy_version_is_kept_beside_the_old_one() {
    for (engine, svc) in setup("run_strategy_versions", 5) {
        let v2 =
            kwijting_strategy::CONSUMER_STRATEGY_TOML.replacen("version = 1", "version = 2", 1);
        assert_ne!(
            v2,
            kwijting_strategy::CONSUMER_STRATEGY_TOML,
            "the shipped file starts at version 1"
        );
        let (id, version) = svc.add_strategy(&operator(), &v2, "v2.toml").unwrap();
        assert_eq!(version, 2, "{engine}");
        let err = svc.add_strategy(&operator(), &v2, "v2.toml").unwrap_err();
        assert!(
            matches!(err, kwijting_service::ServiceError::Conflict { .. }),
            "{engine}: {err}"
        );
        let bad = svc
            .add_strategy(&operator(), "id = \"x\"", "bad.toml")
            .unwrap_err();
        assert!(
            matches!(bad, kwijting_service::ServiceError::Invalid(_)),
            "{engine}: {bad}"
        );
        let list = svc.strategies(&operator()).unwrap();
        assert!(
            list.iter().any(|(i, v, _)| *i == id && *v == 2),
            "{engine}: {list:?}"
        );
    }
}

#[test]
fn a_run_started_again_for_the_same_day_decides_what_failed() {
    for (engine, store) in kwijting_store::testkit::fresh_stores("run_day_retry") {
        let svc = common::service(store);
        let a = common::operator();
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
            "p.csv",
            &common::portfolio(300, 5)[..],
            &mut |_| {},
        )
        .unwrap();
        let day = kwijting_domain::parse_date("2026-11-21").unwrap();
        // No commercial rate for 2026 H2: business cases cannot be decided.
        let first = svc.run_day(&a, day, 1, &|_, _| {}).unwrap();
        assert!(first.errors > 0, "{engine}: {first:?}");
        let failed = first.errors;
        // Started again with the cause still there: tried again, same
        // errors, nothing added, cases counted once.
        let again = svc.run_day(&a, day, 1, &|_, _| {}).unwrap();
        assert_eq!(
            (again.errors, again.new_decisions, again.cases_seen),
            (failed, 0, first.cases_seen),
            "{engine}: {again:?}"
        );
        // The cause fixed: the same day's run decides them.
        svc.assume_commercial_rate_continues(&a, "test: the last rate continues")
            .unwrap();
        let fixed = svc.run_day(&a, day, 1, &|_, _| {}).unwrap();
        assert_eq!(fixed.errors, 0, "{engine}: {fixed:?}");
        assert!(fixed.new_decisions > 0, "{engine}: {fixed:?}");
        assert_eq!(fixed.cases_seen, first.cases_seen, "{engine}");
        assert_eq!(
            fixed.decisions,
            first.decisions + fixed.new_decisions,
            "{engine}"
        );
        // And once more: nothing left to do.
        let done = svc.run_day(&a, day, 1, &|_, _| {}).unwrap();
        assert_eq!((done.new_decisions, done.errors), (0, 0), "{engine}");
    }
}

#[test]
fn two_runs_of_a_day_started_at_once_each_report_what_they_added() {
    for (engine, store) in kwijting_store::testkit::fresh_stores("run_day_twice_at_once") {
        let svc = common::acme(store.clone(), 12_000, 9);
        let other = common::service(store);
        let a = common::operator();
        let day = kwijting_domain::parse_date("2026-11-21").unwrap();
        let (one, two) = std::thread::scope(|s| {
            let one = s.spawn(|| svc.run_day(&a, day, 2, &|_, _| {}).unwrap());
            let two = s.spawn(|| other.run_day(&a, day, 2, &|_, _| {}).unwrap());
            (one.join().unwrap(), two.join().unwrap())
        });
        let total = svc.run_day(&a, day, 1, &|_, _| {}).unwrap();
        assert_eq!(total.new_decisions, 0, "{engine}");
        assert_eq!(
            one.new_decisions + two.new_decisions,
            total.decisions,
            "{engine}: {one:?} / {two:?}"
        );
        assert_eq!(total.cases_seen, 12_000, "{engine}");
    }
}

#[test]
fn a_processor_clients_cases_get_only_receivables_management_until_the_mandate_switches() {
    for (engine, store) in kwijting_store::testkit::fresh_stores("run_day_processor") {
        let svc = common::service(store.clone());
        let a = common::operator();
        svc.add_client(
            &a,
            "SHOP",
            "Webwinkel B.V.",
            kwijting_domain::ClientRole::Processor,
            None,
        )
        .unwrap();
        svc.import_claims_csv(
            &a,
            "SHOP",
            "p.csv",
            &common::portfolio(60, 3)[..],
            &mut |_| {},
        )
        .unwrap();
        svc.assume_commercial_rate_continues(&a, "test").unwrap();
        let day = |s: &str| kwijting_domain::parse_date(s).unwrap();
        let run = |from: &str, to: &str| {
            let mut d = day(from);
            while d <= day(to) {
                common::service_on(store.clone(), d)
                    .run_day(&a, d, 1, &|_, _| {})
                    .unwrap();
                d = d.tomorrow().unwrap();
            }
        };
        run("2026-11-21", "2026-12-10");
        let cases = svc
            .list_cases(
                &a,
                &kwijting_service::cases::CaseQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .unwrap();
        let allowed = ["reminder", "phone_task", "return_to_client", "close_case"];
        let mut reminders = 0;
        for c in &cases.cases {
            for d in svc.decisions(&a, &c.number).unwrap().1 {
                assert!(
                    allowed.contains(&d.action.as_str()),
                    "{engine}: {} got {} on {} under a processor mandate",
                    c.number,
                    d.action,
                    d.run_date
                );
                reminders += usize::from(d.action == "reminder");
            }
        }
        assert!(reminders > 0, "{engine}: reminders were sent");

        // From 2026-12-11 the agency collects for itself (controller).
        let history = svc
            .switch_mandate(
                &a,
                "SHOP",
                kwijting_domain::ClientRole::Controller,
                day("2026-12-11"),
            )
            .unwrap();
        assert_eq!(history.len(), 2, "{engine}: {history:?}");
        assert_eq!(history[0].role, kwijting_domain::ClientRole::Processor);
        run("2026-12-11", "2027-01-20");
        let collected = cases
            .cases
            .iter()
            .flat_map(|c| svc.decisions(&a, &c.number).unwrap().1)
            .filter(|d| d.run_date >= day("2026-12-11") && !allowed.contains(&d.action.as_str()))
            .count();
        assert!(collected > 0, "{engine}: collection steps after the switch");
        // A second switch on the same day is refused.
        assert!(
            svc.switch_mandate(
                &a,
                "SHOP",
                kwijting_domain::ClientRole::Processor,
                day("2026-12-11")
            )
            .is_err()
        );
    }
}
