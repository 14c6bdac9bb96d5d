//! Retention on both engines where a purpose decides: the AML period
//! (Wwft art. 33) keeps only the records processed for AML, and data held
//! as a client's processor (R1) follows the end of the client's mandate,
//! not the agency's 60-month rule.

use kwijting_domain::{Actor, CaseStatus, ClientRole, ClosureReason, parse_date};
use kwijting_service::Kwijting;
use kwijting_service::special::{NewSpecialRecord, staff_actor};
use kwijting_store::testkit::fresh_stores;

mod common;
use common::operator;

const HEADER: &str =
    "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\n";

fn day(s: &str) -> kwijting_domain::Date {
    parse_date(s).unwrap()
}

fn import(svc: &Kwijting, client: &str, role: ClientRole, lines: &[(&str, &str)]) {
    let a = operator();
    svc.add_client(&a, client, client, role, Some("privacy@shop.example"))
        .unwrap();
    let csv: String = std::iter::once(HEADER.to_owned())
        .chain(lines.iter().map(|(name, invoice)| {
            format!(
                "consumer,{name},Teststraat 1,9999 ZZ,Nergens,{invoice},2014-01-01,2014-01-31,100\n"
            )
        }))
        .collect();
    svc.import_claims_csv(&a, client, "d.csv", csv.as_bytes(), &mut |_| {})
        .unwrap();
}

/// The case number and debtor of the case whose debtor has this name.
fn case_of(svc: &Kwijting, name: &str) -> (String, kwijting_domain::PartyId) {
    let page = svc
        .list_cases(
            &operator(),
            &kwijting_service::cases::CaseQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .unwrap();
    let c = page.cases.iter().find(|c| c.debtor.name == name).unwrap();
    (c.number.clone(), c.debtor.id)
}

fn close(svc: &Kwijting, number: &str, on: &str) {
    svc.close_case_on(
        &operator(),
        number,
        CaseStatus::Closed(ClosureReason::Paid),
        day(on),
    )
    .unwrap();
}

fn found(svc: &Kwijting, needle: &str) -> bool {
    !svc.residual_scan(&operator(), &[needle.to_owned()])
        .unwrap()
        .is_empty()
}

fn record(
    svc: &Kwijting,
    actor: &Actor,
    party: kwijting_domain::PartyId,
    purpose: &str,
    content: &str,
) {
    svc.record_special(
        actor,
        &NewSpecialRecord {
            category: "criminal",
            party,
            case: None,
            basis: "10",
            legal_claim: (purpose != "aml").then_some("claim F-1"),
            consent_ref: None,
            purpose,
            content,
            on: day("2024-05-01"),
        },
    )
    .unwrap();
}

#[test]
fn the_aml_period_keeps_only_records_processed_for_aml() {
    for (engine, store) in fresh_stores("gaps_aml") {
        let svc = common::service(store);
        import(
            &svc,
            "ACME",
            ClientRole::Controller,
            &[("Karel Testpersoon", "F-1")],
        );
        let (number, karel) = case_of(&svc, "Karel Testpersoon");
        let aml = staff_actor("cora", "compliance_officer", "aml");
        let legal = staff_actor("lena", "legal", "legal_claims");
        record(&svc, &aml, karel, "aml", "Sanctielijsttreffer-Qx7");
        record(&svc, &legal, karel, "legal_claims", "Veroordeling-Zk4");
        // A transfer derogation for Karel's claim names him in its text.
        svc.add_recipient(
            &operator(),
            &kwijting_service::recipients::RecipientInput {
                name: "Cobranza Judicial Ltda".into(),
                category: "foreign_collection_agencies".into(),
                country: "BR".into(),
                safeguard: "art_49_1_e".into(),
                safeguard_on: Some(day("2016-01-02")),
                safeguard_ref: Some("DMS-49".into()),
                case: Some(number.clone()),
                legal_claim: Some("Ação contra Karel Testpersoon".into()),
            },
        )
        .unwrap();
        close(&svc, &number, "2016-01-10");

        let r = svc
            .retention_run(&operator(), day("2026-11-21"), false)
            .unwrap();
        assert_eq!((r.cases, r.parties), (1, 1), "{engine}: {r:?}");
        assert!(!found(&svc, "Karel Testpersoon"), "{engine}");
        assert!(
            found(&svc, "Sanctielijsttreffer-Qx7"),
            "{engine}: the AML record of 2024 is kept 5 years"
        );
        assert!(
            !found(&svc, "Veroordeling-Zk4"),
            "{engine}: a record for a legal claim has no AML period"
        );
        // After five years the sweep erases the AML record too.
        svc.retention_run(&operator(), day("2029-05-02"), false)
            .unwrap();
        assert!(!found(&svc, "Sanctielijsttreffer-Qx7"), "{engine}");
    }
}

#[test]
fn processor_data_follows_the_end_of_the_mandate() {
    for (engine, store) in fresh_stores("gaps_processor") {
        let svc = common::service(store);
        import(
            &svc,
            "ACME",
            ClientRole::Controller,
            &[("Anna Controlled", "A-1")],
        );
        import(
            &svc,
            "SHOP",
            ClientRole::Processor,
            &[("Pim Verwerkt", "S-1"), ("Petra Openstaand", "S-2")],
        );
        let (anna_case, _) = case_of(&svc, "Anna Controlled");
        let (pim_case, _) = case_of(&svc, "Pim Verwerkt");
        close(&svc, &anna_case, "2026-01-10");
        // Closed long ago: the agency's 60 months do not apply to a processor.
        close(&svc, &pim_case, "2015-01-10");

        let r = svc
            .retention_run(&operator(), day("2026-11-21"), false)
            .unwrap();
        assert_eq!((r.cases, r.parties), (0, 0), "{engine}: {r:?}");
        assert!(found(&svc, "Pim Verwerkt"), "{engine}: the mandate runs");

        svc.end_mandate(&operator(), "SHOP", day("2026-12-31"))
            .unwrap();
        assert_eq!(
            svc.mandate_end(&operator(), "SHOP").unwrap(),
            Some(day("2026-12-31")),
            "{engine}"
        );
        let dry = svc
            .retention_run(&operator(), day("2026-12-30"), true)
            .unwrap();
        assert_eq!(dry.cases, 0, "{engine}: not before the mandate ends");
        let r = svc
            .retention_run(&operator(), day("2026-12-31"), false)
            .unwrap();
        assert_eq!(
            (r.cases, r.parties),
            (2, 2),
            "{engine}: both of the client's cases, the open one too: {r:?}"
        );
        assert_eq!(r.processor_rule, "mandate_ended", "{engine}");
        assert!(!found(&svc, "Pim Verwerkt"), "{engine}");
        assert!(!found(&svc, "Petra Openstaand"), "{engine}");
        assert!(
            found(&svc, "Anna Controlled"),
            "{engine}: the controller's case keeps its 60 months"
        );
        assert!(matches!(
            svc.end_mandate(&operator(), "NOPE", day("2026-12-31")),
            Err(kwijting_service::ServiceError::UnknownClient(_))
        ));
    }
}
