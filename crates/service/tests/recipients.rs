//! The register of actual recipients and their safeguards (R23 to R25) on
//! both engines: outside the EEA a disclosure goes only to a registered
//! recipient with a recorded safeguard, an art. 49(1)(e) derogation only
//! for its case; refusals are logged; the access extract names the actual
//! recipient, country and safeguard; a compliance officer can run it.

use kwijting_domain::{Actor, ClientRole, PartyId, parse_date};
use kwijting_service::disclose::DisclosureRequest;
use kwijting_service::recipients::RecipientInput;
use kwijting_service::rights::{NewRequest, RequestKind, RequestParams};
use kwijting_service::special::staff_actor;
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;
use kwijting_strategy::Language;

mod common;

const CSV: &str = "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\n\
                   consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,F-1,2026-01-01,2026-01-31,100\n\
                   consumer,Els Anders,Kerkpad 2,1234 AC,Ergens,F-2,2026-01-01,2026-01-31,200\n";

struct World {
    engine: &'static str,
    svc: Kwijting,
    store: std::sync::Arc<dyn kwijting_store::Store>,
    jan: PartyId,
    jan_case: String,
    els: PartyId,
    els_case: String,
}

fn op() -> Actor {
    Actor::system("test", "collection")
}

fn day(s: &str) -> kwijting_domain::Date {
    parse_date(s).unwrap()
}

fn setup(test: &str) -> Vec<World> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = common::service(store.clone());
            svc.add_client(&op(), "ACME", "Acme B.V.", ClientRole::Controller, None)
                .unwrap();
            svc.import_claims_csv(&op(), "ACME", "d.csv", CSV.as_bytes(), &mut |_| {})
                .unwrap();
            let page = svc
                .list_cases(
                    &op(),
                    &kwijting_service::cases::CaseQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .unwrap();
            let find = |n: &str| page.cases.iter().find(|c| c.debtor.name == n).unwrap();
            World {
                engine,
                jan: find("Jan de Vries").debtor.id,
                jan_case: find("Jan de Vries").number.clone(),
                els: find("Els Anders").debtor.id,
                els_case: find("Els Anders").number.clone(),
                svc,
                store,
            }
        })
        .collect()
}

fn register(w: &World, name: &str, country: &str, safeguard: &str, case: Option<&str>) {
    let recorded = safeguard != "none";
    w.svc
        .add_recipient(
            &op(),
            &RecipientInput {
                name: name.into(),
                category: "foreign_collection_agencies".into(),
                country: country.into(),
                safeguard: safeguard.into(),
                safeguard_on: recorded.then(|| day("2026-03-02")),
                safeguard_ref: recorded.then(|| format!("DMS-{name}")),
                case: case.map(str::to_owned),
                legal_claim: case.map(|c| format!("proceedings on {c}")),
            },
        )
        .unwrap_or_else(|e| panic!("{}: {name}: {e}", w.engine));
}

/// Discloses to an actual recipient; on `Ok` logs it as sent (the caller
/// sends the data and logs).
fn disclose(
    w: &World,
    party: PartyId,
    actual: &str,
    case: Option<&str>,
) -> Result<kwijting_store::Disclosure, ServiceError> {
    let d = w.svc.disclose(
        &op(),
        &DisclosureRequest {
            party,
            recipient: "foreign_collection_agencies",
            actual: Some(actual),
            categories: &["identity", "contact", "debt"],
            purpose: "collection",
            country: "",
            case,
            on: day("2026-11-20"),
        },
    )?;
    w.store.record_disclosure(&d).unwrap();
    Ok(d)
}

#[test]
fn outside_the_eea_only_a_registered_safeguard_allows_a_transfer() {
    for w in setup("recipients_safeguards") {
        let e = w.engine;
        register(&w, "Sin Garantia Cobros SA", "BR", "none", None);
        register(
            &w,
            "Acme Collections LLC",
            "US",
            "standard_contractual_clauses",
            None,
        );
        register(
            &w,
            "Cobranza Judicial Ltda",
            "BR",
            "art_49_1_e",
            Some(&w.jan_case),
        );
        register(&w, "Inkasso Nord GmbH", "DE", "none", None);

        // No safeguard: refused, and the refusal is logged.
        let err = disclose(&w, w.jan, "Sin Garantia Cobros SA", None).unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("BR is outside the EEA") && r.contains("Sin Garantia")),
            "{e}: {err}"
        );
        // The category alone no longer carries a transfer.
        let err = w
            .svc
            .disclose(
                &op(),
                &DisclosureRequest {
                    party: w.jan,
                    recipient: "foreign_collection_agencies",
                    actual: None,
                    categories: &["identity"],
                    purpose: "collection",
                    country: "US",
                    case: None,
                    on: day("2026-11-20"),
                },
            )
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("actual recipient")),
            "{e}: {err}"
        );
        // Standard contractual clauses: allowed.
        let ok = disclose(&w, w.jan, "Acme Collections LLC", None).unwrap();
        assert_eq!(ok.safeguard, "standard_contractual_clauses", "{e}");
        assert_eq!(ok.country, "US", "{e}");
        // Inside the EEA a registered recipient needs no safeguard.
        disclose(&w, w.els, "Inkasso Nord GmbH", None).unwrap();
        // Art. 49(1)(e): for its own case only.
        let ok = disclose(&w, w.jan, "Cobranza Judicial Ltda", Some(&w.jan_case)).unwrap();
        assert_eq!(ok.safeguard, "art_49_1_e", "{e}");
        for (party, case) in [(w.jan, None), (w.els, Some(w.els_case.as_str()))] {
            let err = disclose(&w, party, "Cobranza Judicial Ltda", case).unwrap_err();
            assert!(
                matches!(&err, ServiceError::Refused(r) if r.contains(&format!("holds for case {} ", w.jan_case))),
                "{e}: {err}"
            );
        }
        // Another party named with the derogation's case is refused too.
        let err = disclose(&w, w.els, "Cobranza Judicial Ltda", Some(&w.jan_case)).unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("is not a party of case")),
            "{e}: {err}"
        );
        // An unregistered name is refused.
        assert!(matches!(
            disclose(&w, w.jan, "Nobody Ltd", None),
            Err(ServiceError::Refused(_))
        ));

        let log = w.svc.disclosures(&op(), w.jan).unwrap();
        let refused: Vec<_> = log.iter().filter(|d| d.refused.is_some()).collect();
        assert_eq!(refused.len(), 4, "{e}: {log:#?}");
        assert_eq!(
            refused[0].recipient_name.as_deref(),
            Some("Sin Garantia Cobros SA"),
            "{e}"
        );
        assert_eq!(
            (refused[0].country.as_str(), refused[0].safeguard.as_str()),
            ("BR", "none"),
            "{e}"
        );
        let scc = log
            .iter()
            .find(|d| d.refused.is_none() && d.safeguard == "standard_contractual_clauses")
            .unwrap();
        assert_eq!(
            scc.recipient_name.as_deref(),
            Some("Acme Collections LLC"),
            "{e}"
        );
        assert_eq!(
            scc.safeguard_ref.as_deref(),
            Some("DMS-Acme Collections LLC"),
            "{e}"
        );
        assert!(scc.recipient_id.is_some(), "{e}");

        // The access extract names the actual recipients, countries and
        // safeguards of what was disclosed (not the refusals).
        let x = w.svc.access_extract(&op(), w.jan, Language::En).unwrap();
        let recipients = x["recipients"].as_array().unwrap();
        assert_eq!(recipients.len(), 2, "{e}: {recipients:#?}");
        let acme = recipients
            .iter()
            .find(|r| r["name"] == "Acme Collections LLC")
            .unwrap();
        assert_eq!(acme["country"], "US", "{e}");
        assert_eq!(acme["safeguard"], "standard_contractual_clauses", "{e}");
        assert_eq!(
            acme["safeguard_reference"], "DMS-Acme Collections LLC",
            "{e}"
        );
        assert!(
            recipients
                .iter()
                .any(|r| r["name"] == "Cobranza Judicial Ltda" && r["safeguard"] == "art_49_1_e"),
            "{e}"
        );
        let html = kwijting_service::rights_extract::extract_html(&x);
        assert!(
            html.contains("Acme Collections LLC") && html.contains("standard_contractual_clauses"),
            "{e}"
        );

        // A correction is notified to the actual recipients (art. 19).
        let view = w
            .svc
            .rights_submit(
                &op(),
                &NewRequest {
                    kind: RequestKind::Rectify,
                    subject: w.jan,
                    channel: "staff".into(),
                    verified_by_method: Some("id_document".into()),
                    params: RequestParams::Rectify(vec![(
                        "email".into(),
                        Some("jan@new.example".into()),
                    )]),
                },
            )
            .unwrap();
        let mut notified: Vec<&str> = view
            .notifications
            .iter()
            .filter(|n| n.kind == "rectification")
            .map(|n| n.recipient.as_str())
            .collect();
        notified.sort();
        assert_eq!(
            notified,
            ["Acme Collections LLC", "Cobranza Judicial Ltda"],
            "{e}"
        );
    }
}

#[test]
fn the_register_refuses_safeguards_it_cannot_back() {
    for w in setup("recipients_register") {
        let e = w.engine;
        let base = RecipientInput {
            name: "Agencia".into(),
            category: "foreign_collection_agencies".into(),
            country: "BR".into(),
            safeguard: "standard_contractual_clauses".into(),
            safeguard_on: Some(day("2026-03-02")),
            safeguard_ref: Some("SCC 2026-1".into()),
            case: None,
            legal_claim: None,
        };
        let refused = |input: RecipientInput, what: &str| {
            let err = w.svc.add_recipient(&op(), &input).unwrap_err();
            assert!(
                matches!(&err, ServiceError::Invalid(m) if m.contains(what)),
                "{e}: {what}: {err}"
            );
        };
        refused(
            RecipientInput {
                safeguard: "adequacy".into(),
                ..base.clone()
            },
            "no adequacy decision",
        );
        refused(
            RecipientInput {
                safeguard_ref: None,
                ..base.clone()
            },
            "document reference",
        );
        refused(
            RecipientInput {
                country: "DE".into(),
                ..base.clone()
            },
            "inside the EEA",
        );
        refused(
            RecipientInput {
                safeguard: "art_49_1_e".into(),
                ..base.clone()
            },
            "one legal claim",
        );
        refused(
            RecipientInput {
                category: "bakers".into(),
                ..base.clone()
            },
            "not a recipient category",
        );
        refused(
            RecipientInput {
                category: "bailiffs".into(),
                ..base.clone()
            },
            "in NL, not BR",
        );
        assert!(w.svc.recipients(&op()).unwrap().is_empty(), "{e}");
        let row = w.svc.add_recipient(&op(), &base).unwrap();
        assert_eq!(row.recipient.safeguard_on, Some(day("2026-03-02")), "{e}");
        assert!(matches!(
            w.svc.add_recipient(&op(), &base),
            Err(ServiceError::Conflict { .. })
        ));
        let adequate = w
            .svc
            .add_recipient(
                &op(),
                &RecipientInput {
                    name: "Swiss Inkasso AG".into(),
                    country: "ch".into(),
                    safeguard: "adequacy".into(),
                    safeguard_ref: Some("Decision 2000/518/EC".into()),
                    ..base.clone()
                },
            )
            .unwrap();
        assert_eq!(adequate.recipient.country, "CH", "{e}");
        let list = w.svc.recipients(&op()).unwrap();
        assert_eq!(
            list.iter()
                .map(|r| r.recipient.name.as_str())
                .collect::<Vec<_>>(),
            ["Agencia", "Swiss Inkasso AG"],
            "{e}"
        );
    }
}

#[test]
fn a_compliance_officer_can_run_a_full_access_extract_and_a_collector_cannot() {
    for w in setup("recipients_extract_roles") {
        let e = w.engine;
        let officer = staff_actor("co", "compliance_officer", "collection");
        let x = w
            .svc
            .access_extract(&officer, w.jan, Language::En)
            .unwrap_or_else(|err| panic!("{e}: {err}"));
        assert!(
            x["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["category"] == "pseudonymous_key"),
            "{e}: the extract is complete"
        );
        let collector = staff_actor("col", "collector", "collection");
        let err = w
            .svc
            .access_extract(&collector, w.jan, Language::En)
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Forbidden(f) if f.to_string().contains("pseudonymous_key")),
            "{e}: {err}"
        );
    }
}
