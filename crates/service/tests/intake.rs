//! Claim intake through the service, on every engine: all-or-nothing,
//! idempotent, grouped per debtor, refused with file, line and field.

use kwijting_domain::{Actor, ActorKind, ClientRole, ClientScope, PurposeId, Role};
use kwijting_service::intake::{IntakeError, Progress};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;
use common::{operator, portfolio, service};

fn import(
    svc: &Kwijting,
    client: &str,
    source: &str,
    data: &[u8],
) -> Result<kwijting_service::ImportReport, IntakeError> {
    svc.import_claims_csv(&operator(), client, source, data, &mut |_: Progress| {})
}

const HEADER: &str = "debtor_ref,debtor_type,debtor_name,birth_date,kvk_number,street,postcode,city,country,email,phone,iban,invoice_number,invoice_date,due_date,principal,description";

fn setup(test: &str) -> Vec<(&'static str, Kwijting)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = service(store);
            svc.add_client(
                &operator(),
                "ACME",
                "Acme B.V.",
                ClientRole::Controller,
                None,
            )
            .unwrap();
            (engine, svc)
        })
        .collect()
}

#[test]
fn one_bad_line_among_ten_thousand_refuses_the_whole_file() {
    let good = portfolio(8_000, 11);
    let text = String::from_utf8(good).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 10_000, "{} lines", lines.len());
    // Line numbers count the header as line 1: index 7000 is line 7001.
    let mut bad: Vec<String> = lines[..10_001].iter().map(|s| s.to_string()).collect();
    let fields: Vec<&str> = bad[7000].split(',').collect();
    let principal_at = lines[0].split(',').position(|c| c == "principal").unwrap();
    let mut fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    fields[principal_at] = "12,34.5".replace(',', ";");
    bad[7000] = fields.join(",");
    let bad = bad.join("\n") + "\n";
    for (engine, svc) in setup("bad_line") {
        let before = svc_counts(&svc);
        let err = import(&svc, "ACME", "claims.csv", bad.as_bytes()).unwrap_err();
        let IntakeError::Refused(r) = &err else {
            panic!("{engine}: expected a refusal, got {err}");
        };
        assert_eq!(r.error_count, 1, "{engine}: {r}");
        assert_eq!(r.errors[0].line, 7001, "{engine}");
        assert_eq!(r.errors[0].field, "principal", "{engine}");
        let msg = err.to_string();
        assert!(
            msg.contains("claims.csv:7001: field 'principal'"),
            "{engine}: {msg}"
        );
        assert_eq!(
            svc_counts(&svc),
            before,
            "{engine}: the database is unchanged"
        );
    }
}

fn svc_counts(svc: &Kwijting) -> u64 {
    svc.list_cases(&operator(), &Default::default())
        .unwrap()
        .total
}

#[test]
fn reimporting_a_good_file_is_a_no_op() {
    let data = portfolio(1_500, 5);
    for (engine, svc) in setup("reimport") {
        let first = import(&svc, "ACME", "p.csv", &data).unwrap();
        assert!(first.claims_added > 1_500, "{engine}: {first:?}");
        assert_eq!(first.cases_added, 1_500, "{engine}: one case per debtor");
        let total = svc_counts(&svc);
        let again = import(&svc, "ACME", "p.csv", &data).unwrap();
        assert_eq!(again.claims_added, 0, "{engine}");
        assert_eq!(again.claims_known, first.claims_added, "{engine}");
        assert_eq!(
            again.cases_added + again.cases_extended + again.parties_added,
            0,
            "{engine}"
        );
        assert_eq!(svc_counts(&svc), total, "{engine}");
    }
}

#[test]
fn claims_of_one_debtor_land_in_one_case_across_files() {
    let first = format!(
        "{HEADER}\nD1,consumer,Jan de Vries,1980-01-01,,Dorpsstraat 1,1234ab,Ergens,NL,jan@example.nl,,,F-1,2026-01-01,2026-01-31,100.00,Abonnement\n"
    );
    let second = format!(
        "{HEADER}\nD1,consumer,Jan de Vries,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL,jan@example.nl,,,F-2,2026-02-01,2026-02-28,50.5,Abonnement\n\
         D2,business,Bakkerij Jansen B.V.,,12345678,Markt 2,5611 AA,Eindhoven,NL,,,NL91ABNA0417164300,F-3,2026-02-01,2026-02-28,1000,Brood\n"
    );
    for (engine, svc) in setup("grouping") {
        import(&svc, "ACME", "a.csv", first.as_bytes()).unwrap();
        let r = import(&svc, "ACME", "b.csv", second.as_bytes()).unwrap();
        assert_eq!(
            (r.claims_added, r.cases_added, r.cases_extended),
            (2, 1, 1),
            "{engine}: {r:?}"
        );
        let page = svc.list_cases(&operator(), &Default::default()).unwrap();
        assert_eq!(page.total, 2, "{engine}");
        let list = svc
            .list_cases(
                &operator(),
                &kwijting_service::cases::CaseQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        let jan = list
            .cases
            .iter()
            .find(|c| c.debtor.name == "Jan de Vries")
            .unwrap();
        assert_eq!(jan.principal_cents, 15_050, "{engine}");
        let file = svc.case_file(&operator(), &jan.number).unwrap();
        assert_eq!(file.claims.len(), 2, "{engine}");
        assert_eq!(
            file.parties[0].party.address.as_ref().unwrap().postcode,
            "1234 AB"
        );
        assert!(
            file.parties[0].party.source.contains("a.csv line 2"),
            "{engine}: {}",
            file.parties[0].party.source
        );
    }
}

#[test]
fn co_debtor_and_guarantor_are_separate_parties() {
    let csv = "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal,co_debtor_name,guarantor_name,guarantor_street,guarantor_postcode,guarantor_city\n\
               consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,F-1,2026-01-01,2026-01-31,100,Els de Vries,Piet Borg,Laan 3,9999 ZZ,Elders\n\
               consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,F-2,2026-01-01,2026-01-31,100,Els de Vries,,,,\n";
    for (engine, svc) in setup("related") {
        let r = import(&svc, "ACME", "rel.csv", csv.as_bytes()).unwrap();
        assert_eq!((r.cases_added, r.parties_added), (1, 3), "{engine}: {r:?}");
        let list = svc
            .list_cases(
                &operator(),
                &kwijting_service::cases::CaseQuery {
                    limit: 5,
                    ..Default::default()
                },
            )
            .unwrap();
        let file = svc.case_file(&operator(), &list.cases[0].number).unwrap();
        let roles: Vec<&str> = file.parties.iter().map(|p| p.role.as_str()).collect();
        assert_eq!(roles, ["debtor", "co_debtor", "guarantor"], "{engine}");
        // The co-debtor without an address of her own lives at the debtor's.
        assert_eq!(
            file.parties[1].party.address.as_ref().unwrap().street,
            "Dorpsstraat 1"
        );
        assert_eq!(
            file.parties[2].party.address.as_ref().unwrap().city,
            "Elders"
        );
    }
}

#[test]
fn every_error_is_named_by_line_and_field() {
    let csv = format!(
        "{HEADER}\n\
         ,consumer,,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL,,,,F-1,2026-01-01,2026-01-31,100,\n\
         ,business,Firma,,,Markt 1,5611 AA,Eindhoven,NL,not-an-email,,NL91ABNA0417164301,F-2,2026-02-01,2026-01-01,-5,\n\
         ,consumer,Jan,2030-01-01,,Dorpsstraat 1,0123 AB,Ergens,NL,,abc,,F-3,2026-13-01,2026-01-31,100,\n\
         ,consumer,Jan,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL,,,,F-1,2026-01-01,2026-01-31,999,\n\
         ,consumer,Jan,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL\n"
    );
    let expected = [
        (2, "debtor_name"),
        (3, "kvk_number"),
        (3, "email"),
        (3, "iban"),
        (3, "due_date"),
        (3, "principal"),
        (4, "birth_date"),
        (4, "postcode"),
        (4, "phone"),
        (4, "invoice_date"),
        (6, "(line)"),
    ];
    for (engine, svc) in setup("errors") {
        let err = import(&svc, "ACME", "bad.csv", csv.as_bytes()).unwrap_err();
        let IntakeError::Refused(r) = err else {
            panic!("{engine}: {err}")
        };
        let got: Vec<(u64, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(got, expected, "{engine}: {r}");
        assert_eq!(svc_counts(&svc), 0, "{engine}");
    }
}

#[test]
fn a_changed_claim_under_a_known_invoice_number_is_refused() {
    let one = format!(
        "{HEADER}\n,consumer,Jan,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL,,,,F-1,2026-01-01,2026-01-31,100,\n"
    );
    let changed = one.replace(",100,", ",120,");
    for (engine, svc) in setup("changed") {
        import(&svc, "ACME", "one.csv", one.as_bytes()).unwrap();
        let err = import(&svc, "ACME", "changed.csv", changed.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .contains("changed.csv:2: field 'invoice_number'"),
            "{engine}: {err}"
        );
        assert!(
            err.to_string().contains("earlier import"),
            "{engine}: {err}"
        );
    }
}

#[test]
fn headers_are_checked_before_any_line() {
    for (engine, svc) in setup("header") {
        let err = import(&svc, "ACME", "h.csv", b"debtor_name,princpal\nJan,10\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("h.csv:1: field 'princpal': is not a column"),
            "{engine}: {msg}"
        );
        assert!(
            msg.contains("field 'invoice_number': required column is missing"),
            "{engine}: {msg}"
        );
    }
}

#[test]
fn the_door_refuses_out_of_scope_and_read_only_actors() {
    for (engine, svc) in setup("door") {
        let other = svc
            .add_client(
                &operator(),
                "OTHER",
                "Other B.V.",
                ClientRole::Processor,
                Some("privacy@other.example"),
            )
            .unwrap();
        let client_user = Actor {
            kind: ActorKind::ClientUser("piet".into()),
            role: Role::new("client_user"),
            scope: ClientScope::Only(vec![other.id]),
            purpose: PurposeId::new("receivables_management"),
        };
        let data = format!(
            "{HEADER}\n,consumer,Jan,1980-01-01,,Dorpsstraat 1,1234 AB,Ergens,NL,,,,F-1,2026-01-01,2026-01-31,100,\n"
        );
        // A client user reads; it does not import.
        let err = svc
            .import_claims_csv(&client_user, "OTHER", "x.csv", data.as_bytes(), &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(err, IntakeError::Service(ServiceError::Forbidden(_))),
            "{engine}: {err}"
        );
        // Nor does it see another client's cases.
        let err = svc.client(&client_user, "ACME").unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{engine}: {err}");
        import(&svc, "ACME", "x.csv", data.as_bytes()).unwrap();
        let seen = svc.list_cases(&client_user, &Default::default()).unwrap();
        assert_eq!(seen.total, 0, "{engine}: ACME's case is outside the scope");
        let all = svc
            .list_cases(
                &operator(),
                &kwijting_service::cases::CaseQuery {
                    limit: 1,
                    ..Default::default()
                },
            )
            .unwrap();
        let err = svc
            .case_file(&client_user, &all.cases[0].number)
            .unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{engine}: {err}");
        // The administrator manages the system but reads no debtor data.
        let admin = Actor {
            kind: ActorKind::Staff("beheer".into()),
            role: Role::new("administrator"),
            scope: ClientScope::All,
            purpose: PurposeId::new("collection"),
        };
        assert!(
            svc.list_cases(&admin, &Default::default()).is_err(),
            "{engine}"
        );
    }
}

#[test]
fn the_live_schema_matches_the_catalog_and_the_policy() {
    let policy = kwijting_policy::Policy::load_default().unwrap();
    let (categories, purposes) = kwijting_store::catalog::categories_and_purposes();
    for c in categories {
        assert!(
            policy.data_category(c).is_some(),
            "catalog category {c} is not in the policy"
        );
    }
    for p in purposes {
        assert!(
            policy.purpose(p).is_some(),
            "catalog purpose {p} is not in the policy"
        );
    }
    for (engine, svc) in setup("catalog_policy") {
        svc.catalog_check()
            .unwrap_or_else(|e| panic!("{engine}: {e}"));
    }
}

#[test]
fn case_totals_hold_across_chunks_and_imports() {
    // More lines than one chunk, so some debtors' claims straddle a chunk
    // boundary; then a second file adds claims to cases of the first.
    let first = portfolio(9_000, 21);
    let mut reader = csv::Reader::from_reader(&first[..]);
    let header = reader.headers().unwrap().clone();
    let principal_at = header.iter().position(|c| c == "principal").unwrap();
    let invoice_at = header.iter().position(|c| c == "invoice_number").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // The second file: the first 300 lines again under new invoice numbers.
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for r in records.iter().take(300) {
        let mut f: Vec<String> = r.iter().map(str::to_owned).collect();
        f[invoice_at].push_str("-B");
        writer.write_record(&f).unwrap();
    }
    let second = writer.into_inner().unwrap();
    let cents = |r: &csv::StringRecord| {
        kwijting_domain::Money::parse(&r[principal_at])
            .unwrap()
            .cents()
    };
    let expected: i64 =
        records.iter().map(cents).sum::<i64>() + records.iter().take(300).map(cents).sum::<i64>();
    for (engine, svc) in setup("totals") {
        let r1 = import(&svc, "ACME", "a.csv", &first).unwrap();
        assert!(r1.lines > 10_000, "{engine}: {r1:?}");
        let r2 = import(&svc, "ACME", "b.csv", &second).unwrap();
        assert_eq!(r2.cases_added, 0, "{engine}: {r2:?}");
        assert!(r2.cases_extended > 0, "{engine}: {r2:?}");
        let mut total = 0i64;
        let mut offset = 0;
        loop {
            let page = svc
                .list_cases(
                    &operator(),
                    &kwijting_service::cases::CaseQuery {
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
            total += page.cases.iter().map(|c| c.principal_cents).sum::<i64>();
        }
        assert_eq!(offset, 9_000, "{engine}");
        assert_eq!(total, expected, "{engine}: no cent lost or doubled");
    }
}
