//! Disclosures follow the policy and are logged, refusals too (R23 to R25).

use kwijting_domain::{Actor, ClientRole, PartyId, parse_date};
use kwijting_service::disclose::DisclosureRequest;
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::testkit::fresh_stores;

mod common;

const CSV: &str = "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\n\
                   consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,F-1,2026-01-01,2026-01-31,100\n";

fn setup(test: &str, policy: kwijting_policy::Policy) -> Vec<(&'static str, Kwijting, PartyId)> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = common::service_with(store, policy.clone());
            let a = Actor::system("test", "collection");
            svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
                .unwrap();
            svc.import_claims_csv(&a, "ACME", "d.csv", CSV.as_bytes(), &mut |_| {})
                .unwrap();
            let page = svc
                .list_cases(
                    &a,
                    &kwijting_service::cases::CaseQuery {
                        limit: 1,
                        ..Default::default()
                    },
                )
                .unwrap();
            let party = page.cases[0].debtor.id;
            (engine, svc, party)
        })
        .collect()
}

fn request<'a>(
    party: PartyId,
    recipient: &'a str,
    purpose: &'a str,
    country: &'a str,
) -> DisclosureRequest<'a> {
    DisclosureRequest {
        party,
        recipient,
        actual: None,
        case: None,
        categories: &["identity", "contact"],
        purpose,
        country,
        on: parse_date("2026-11-21").unwrap(),
    }
}

#[test]
fn a_transfer_outside_the_eea_needs_a_safeguard_and_refusals_are_logged() {
    let default = kwijting_policy::Policy::load_default().unwrap();
    let text = kwijting_policy::DEFAULT_POLICY_TOML.replace(
        "country = \"varies\"\ntransfer_safeguard = \"standard_contractual_clauses\"",
        "country = \"EEA\"",
    );
    assert_ne!(text, kwijting_policy::DEFAULT_POLICY_TOML);
    let eea_only = kwijting_policy::Policy::from_toml_str(&text, "test.toml").unwrap();
    let actor = Actor::system("test", "collection");
    for (engine, svc, party) in setup("disclose_safeguard", eea_only) {
        let err = svc
            .disclose(
                &actor,
                &request(party, "foreign_collection_agencies", "collection", "US"),
            )
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("outside the EEA")),
            "{engine}: {err}"
        );
        let ok = svc
            .disclose(
                &actor,
                &request(party, "foreign_collection_agencies", "collection", "DE"),
            )
            .unwrap();
        assert_eq!(ok.refused, None, "{engine}");
        let log = svc.disclosures(&actor, party).unwrap();
        assert_eq!(
            log.len(),
            1,
            "{engine}: the refusal is logged; the allowed one is logged when sent"
        );
        assert!(
            log[0]
                .refused
                .as_deref()
                .unwrap()
                .contains("US is outside the EEA"),
            "{engine}"
        );
        assert_eq!(log[0].legal_basis, "6.1.b,6.1.c,6.1.e,6.1.f", "{engine}");
    }
    for (engine, svc, party) in setup("disclose_default", default) {
        // The category's safeguard alone does not carry a transfer: the
        // actual recipient must be registered with its own (tests/recipients.rs).
        let err = svc
            .disclose(
                &actor,
                &request(party, "foreign_collection_agencies", "collection", "US"),
            )
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("actual recipient")),
            "{engine}: {err}"
        );
        // A purpose without a basis to disclose to that recipient.
        let err = svc
            .disclose(&actor, &request(party, "bailiffs", "analytics", "NL"))
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Forbidden(_) | ServiceError::Refused(_)),
            "{engine}: {err}"
        );
        // A registered recipient in the Netherlands cannot be used for another country.
        let err = svc
            .disclose(
                &actor,
                &request(party, "address_provider", "collection", "US"),
            )
            .unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("registered in NL")),
            "{engine}: {err}"
        );
    }
}
