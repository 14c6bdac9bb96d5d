//! Data subjects' rights end to end on both engines (R31 to R39): access,
//! portability, rectification with art. 19 notices, restriction, objection,
//! routing for processor records, deadlines, and a pipeline that resumes
//! after a crash without losing or doubling work.

use std::sync::Arc;

use kwijting_domain::{Actor, ClientRole, PartyId, PartyRole, parse_date};
use kwijting_service::disclose::DisclosureRequest;
use kwijting_service::rights::{NewRequest, ObjectionTo, RequestKind, RequestParams};
use kwijting_service::{Kwijting, ServiceError};
use kwijting_store::Store;
use kwijting_store::catalog::{CATALOG, Subject};
use kwijting_store::testkit::fresh_stores;
use kwijting_strategy::Language;

mod common;

const HEADER: &str = "debtor_type,debtor_name,birth_date,street,postcode,city,email,iban,invoice_number,invoice_date,due_date,principal,guarantor_name,guarantor_street,guarantor_postcode,guarantor_city\n";

struct World {
    engine: &'static str,
    store: Arc<dyn Store>,
    svc: Kwijting,
    debtor: PartyId,
    guarantor: PartyId,
    number: String,
    /// A debtor of a client for whom the agency is processor.
    processor_debtor: PartyId,
    /// A second debtor of the controller client, on its own case.
    other: PartyId,
    other_number: String,
}

fn op() -> Actor {
    common::operator()
}

fn setup(test: &str) -> Vec<World> {
    fresh_stores(test)
        .into_iter()
        .map(|(engine, store)| {
            let svc = common::service(store.clone());
            let a = op();
            svc.add_client(&a, "ACME", "Acme B.V.", ClientRole::Controller, None)
                .unwrap();
            svc.add_client(
                &a,
                "SELLER",
                "Seller B.V.",
                ClientRole::Processor,
                Some("privacy@seller.example"),
            )
            .unwrap();
            let csv = format!(
                "{HEADER}consumer,Jan de Vries,1980-02-03,Dorpsstraat 1,1234 AB,Ergens,jan@example.org,NL91ABNA0417164300,F-1,2026-01-01,2026-01-31,100,Piet Borg,Kerkweg 2,5678 CD,Elders\n\
                 consumer,Anna Ander,1975-05-06,Laan 3,2345 BC,Stad,anna@example.org,,F-2,2026-02-01,2026-03-01,250,,,,\n"
            );
            svc.import_claims_csv(&a, "ACME", "acme.csv", csv.as_bytes(), &mut |_| {})
                .unwrap();
            let csv = format!(
                "{HEADER}consumer,Kees Klant,1990-01-01,Plein 4,3456 CD,Dorp,kees@example.org,,S-1,2026-01-01,2026-01-31,80,,,,\n"
            );
            svc.import_claims_csv(&a, "SELLER", "seller.csv", csv.as_bytes(), &mut |_| {})
                .unwrap();
            let page = svc
                .list_cases(
                    &a,
                    &kwijting_service::cases::CaseQuery {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .unwrap();
            let find = |name: &str| {
                page.cases
                    .iter()
                    .find(|c| c.debtor.name == name)
                    .unwrap_or_else(|| panic!("{engine}: no case of {name}"))
            };
            let jan = find("Jan de Vries");
            let file = svc.case_file(&a, &jan.number).unwrap();
            let guarantor = file
                .parties
                .iter()
                .find(|p| p.role == PartyRole::Guarantor)
                .expect("the guarantor is on the case")
                .party
                .id;
            World {
                engine,
                store: store.clone(),
                debtor: jan.debtor.id,
                guarantor,
                number: jan.number.clone(),
                processor_debtor: find("Kees Klant").debtor.id,
                other: find("Anna Ander").debtor.id,
                other_number: find("Anna Ander").number.clone(),
                svc,
            }
        })
        .collect()
}

fn day(s: &str) -> kwijting_domain::Date {
    parse_date(s).unwrap()
}

/// Discloses and logs as sent (what the provider run does).
fn disclose(w: &World, party: PartyId, recipient: &str, purpose: &str) -> Result<(), ServiceError> {
    let d = w.svc.disclose(
        &op(),
        &DisclosureRequest {
            party,
            recipient,
            actual: None,
            case: None,
            // Marketing processes no postal contact data.
            categories: if purpose == "marketing" {
                &["identity"]
            } else {
                &["identity", "contact"]
            },
            purpose,
            country: "NL",
            on: day("2026-11-20"),
        },
    )?;
    w.store.record_disclosure(&d).unwrap();
    Ok(())
}

fn request(kind: RequestKind, subject: PartyId, params: RequestParams) -> NewRequest {
    NewRequest {
        kind,
        subject,
        channel: "staff".into(),
        verified_by_method: Some("id_document".into()),
        params,
    }
}

/// An objection, verified at intake, run as far as it goes.
fn object(w: &World, subject: PartyId, to: ObjectionTo) -> kwijting_service::rights::RequestView {
    w.svc
        .rights_submit(
            &op(),
            &request(RequestKind::Object, subject, RequestParams::Object(to)),
        )
        .unwrap()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn debtor_and_guarantor_on_one_case_get_separate_complete_extracts() {
    for w in setup("rights_access") {
        let e = w.engine;
        disclose(&w, w.debtor, "address_provider", "collection").unwrap();
        w.svc
            .run_day(&op(), day("2026-11-21"), 1, &|_, _| {})
            .unwrap();
        let view = w
            .svc
            .rights_submit(
                &op(),
                &request(RequestKind::Access, w.debtor, RequestParams::None),
            )
            .unwrap();
        assert_eq!(view.request.status, "completed", "{e}: {view:?}");
        let out = json(&view.request.outcome);
        let x = &out["extract"];
        let text = x.to_string();
        for must in [
            "Jan de Vries",
            "jan@example.org",
            "NL91ABNA0417164300",
            "F-1",
            "acme.csv",
        ] {
            assert!(
                text.contains(must),
                "{e}: the debtor's extract lacks {must}"
            );
        }
        for must_not in ["Piet Borg", "Anna Ander", "Kees Klant"] {
            assert!(
                !text.contains(must_not),
                "{e}: the debtor's extract shows {must_not}"
            );
        }
        // Every part art. 15 asks for.
        let recipients = x["recipients"].as_array().unwrap();
        assert_eq!(recipients.len(), 1, "{e}");
        assert_eq!(recipients[0]["recipient"], "address_provider", "{e}");
        assert_eq!(recipients[0]["country"], "NL", "{e}");
        assert!(
            x["purposes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["purpose"] == "collection"
                    && p["legal_bases"].to_string().contains("6.1.f")),
            "{e}"
        );
        assert!(
            !x["purposes"].to_string().contains("receivables_management"),
            "{e}: a controller case is not processed for the processor purpose"
        );
        let identity = x["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == "identity")
            .unwrap();
        assert_eq!(identity["retention"][0]["rule"], "case_closed_60m", "{e}");
        assert!(
            !x["automated_decisions"]["decisions"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{e}: the daily run's decision is explained"
        );
        assert!(x["rights"].as_array().unwrap().len() >= 8, "{e}");
        assert_eq!(
            x["supervisory_authority"]["name"],
            "Autoriteit Persoonsgegevens"
        );
        let parties = x["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "parties")
            .unwrap();
        assert_eq!(parties["rows"][0]["_source"]["line"], 2, "{e}: source line");

        // The guarantor: the debt, their own identity, nobody else's.
        let g = w
            .svc
            .access_extract(&op(), w.guarantor, Language::En)
            .unwrap();
        let text = g.to_string();
        assert!(text.contains("Piet Borg"), "{e}");
        assert!(
            text.contains("F-1"),
            "{e}: the guaranteed debt is theirs too"
        );
        for must_not in [
            "Jan de Vries",
            "jan@example.org",
            "NL91ABNA0417164300",
            "address_provider",
        ] {
            assert!(
                !text.contains(must_not),
                "{e}: the guarantor's extract shows {must_not}"
            );
        }
        assert_eq!(g["subject"]["cases"][0]["role"], "guarantor", "{e}");

        // A second extract lists the first request without nesting it.
        let again = w.svc.access_extract(&op(), w.debtor, Language::En).unwrap();
        let requests = again["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "rights_requests")
            .unwrap();
        assert_eq!(requests["rows"][0]["kind"], "access", "{e}");
        assert_eq!(
            requests["rows"][0]["outcome"], "(the answer given to this request)",
            "{e}"
        );

        // The readable document, escaped and in Dutch on request.
        let nl = w.svc.access_extract(&op(), w.debtor, Language::Nl).unwrap();
        let html = kwijting_service::rights_extract::extract_html(&nl);
        assert!(html.starts_with("<!DOCTYPE html>"), "{e}");
        assert!(
            html.contains("Uw rechten") && html.contains("Jan de Vries"),
            "{e}"
        );
        assert!(!html.contains("<script"), "{e}");
    }
}

#[test]
fn a_pipeline_stopped_half_way_resumes_without_losing_or_doubling_work() {
    for w in setup("rights_crash") {
        let e = w.engine;
        disclose(&w, w.debtor, "address_provider", "collection").unwrap();
        disclose(&w, w.debtor, "credit_bureau", "collection").unwrap();
        let req = request(
            RequestKind::Rectify,
            w.debtor,
            RequestParams::Rectify(vec![("email".into(), Some("jan@new.example".into()))]),
        );
        let err = w
            .svc
            .rights_submit_with(&op(), &req, Some("notify_recipients"))
            .unwrap_err();
        assert!(err.to_string().contains("simulated crash"), "{e}: {err}");
        let id = w.svc.rights_list(&op(), None, 10).unwrap()[0].id;
        let steps = |svc: &Kwijting| -> Vec<String> {
            svc.rights_show(&op(), id)
                .unwrap()
                .steps
                .into_iter()
                .map(|s| s.step)
                .collect()
        };
        assert_eq!(
            steps(&w.svc),
            ["route", "await_verification", "rectify"],
            "{e}: the crashed step left nothing"
        );
        assert!(
            w.svc
                .rights_notifications(&op(), None, 100)
                .unwrap()
                .is_empty(),
            "{e}"
        );
        // The process dies; a new one resumes.
        drop(w.svc);
        let svc = common::service(w.store.clone());
        let resumed = svc.rights_resume(&op()).unwrap();
        assert_eq!(resumed, vec![(id, "completed".to_owned())], "{e}");
        svc.rights_resume(&op()).unwrap();
        assert_eq!(
            steps(&svc),
            [
                "route",
                "await_verification",
                "rectify",
                "notify_recipients",
                "answer"
            ],
            "{e}: each step once"
        );
        let notes = svc.rights_notifications(&op(), None, 100).unwrap();
        let to: Vec<(&str, &str)> = notes
            .iter()
            .map(|n| (n.kind.as_str(), n.recipient.as_str()))
            .collect();
        assert_eq!(
            to,
            [
                ("rectification", "address_provider"),
                ("rectification", "credit_bureau"),
                ("answer", "data_subject"),
            ],
            "{e}: each recipient told once (art. 19)"
        );
        assert_eq!(
            w.store.party(w.debtor).unwrap().unwrap().email.as_deref(),
            Some("jan@new.example"),
            "{e}"
        );
        // Tracking: queued, sent, acknowledged.
        svc.rights_notification_state(&op(), notes[0].id, "sent")
            .unwrap();
        svc.rights_notification_state(&op(), notes[0].id, "acknowledged")
            .unwrap();
        let queued = svc
            .rights_notifications(&op(), Some("queued"), 100)
            .unwrap();
        assert_eq!(queued.len(), 2, "{e}");

        // A crash after the effects of restriction, before the answer.
        let req = request(RequestKind::Restrict, w.other, RequestParams::None);
        assert!(svc.rights_submit_with(&op(), &req, Some("answer")).is_err());
        drop(svc);
        let svc = common::service(w.store.clone());
        svc.rights_resume(&op()).unwrap();
        svc.rights_resume(&op()).unwrap();
        let holds = svc.holds(&op(), &w.other_number).unwrap();
        assert_eq!(
            holds
                .iter()
                .filter(|h| h.kind == "gdpr_restriction")
                .count(),
            1,
            "{e}: one hold, however often resumed: {holds:?}"
        );
    }
}

#[test]
fn restriction_holds_the_case_and_refuses_disclosures_until_lifted() {
    for w in setup("rights_restrict") {
        let e = w.engine;
        let view = w
            .svc
            .rights_submit(
                &op(),
                &request(RequestKind::Restrict, w.debtor, RequestParams::None),
            )
            .unwrap();
        assert_eq!(view.request.status, "completed", "{e}");
        let s = w
            .svc
            .run_day(&op(), day("2026-11-23"), 1, &|_, _| {})
            .unwrap();
        assert!(s.holds >= 1, "{e}: {s:?}");
        let (_, decisions) = w.svc.decisions(&op(), &w.number).unwrap();
        assert!(decisions.is_empty(), "{e}: a restricted case is held");
        let (_, other) = w.svc.decisions(&op(), &w.other_number).unwrap();
        assert!(!other.is_empty(), "{e}: other cases go on");
        let err = disclose(&w, w.debtor, "address_provider", "collection").unwrap_err();
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.contains("restricted")),
            "{e}: {err}"
        );
        let log = w.svc.disclosures(&op(), w.debtor).unwrap();
        assert!(log[0].refused.is_some(), "{e}: the refusal is logged");

        w.svc
            .rights_lift_restriction(&op(), view.request.id, "")
            .unwrap_err();
        let lifted = w
            .svc
            .rights_lift_restriction(&op(), view.request.id, "the address was confirmed correct")
            .unwrap();
        assert!(
            lifted
                .steps
                .iter()
                .any(|s| s.step == "lift_restriction" && s.detail.contains("confirmed correct")),
            "{e}: lifting recorded"
        );
        disclose(&w, w.debtor, "address_provider", "collection").unwrap();
        w.svc
            .run_day(&op(), day("2026-11-24"), 1, &|_, _| {})
            .unwrap();
        let (_, decisions) = w.svc.decisions(&op(), &w.number).unwrap();
        assert!(!decisions.is_empty(), "{e}: the released case moves");
    }
}

#[test]
fn objections_marketing_stops_at_once_collection_waits_for_a_staff_decision() {
    for w in setup("rights_object") {
        let e = w.engine;
        disclose(&w, w.debtor, "postal_printing", "marketing").unwrap();
        let v = object(&w, w.debtor, ObjectionTo::Marketing);
        assert_eq!(v.request.status, "completed", "{e}");
        let err = disclose(&w, w.debtor, "postal_printing", "marketing").unwrap_err();
        assert!(matches!(err, ServiceError::Refused(_)), "{e}: {err}");
        // Collection is not affected by a marketing objection.
        disclose(&w, w.debtor, "address_provider", "collection").unwrap();
        for to in [
            ObjectionTo::DirectMarketing,
            ObjectionTo::Consent,
            ObjectionTo::Analytics,
        ] {
            object(&w, w.other, to);
        }
        let flags: Vec<String> = w
            .svc
            .subject_flags(&op(), w.other)
            .unwrap()
            .into_iter()
            .map(|f| f.flag)
            .collect();
        assert_eq!(
            flags,
            [
                "no_direct_marketing",
                "consent_withdrawn",
                "objection_analytics"
            ],
            "{e}"
        );

        // Objection to collection: held, then a recorded decision.
        let v = object(&w, w.debtor, ObjectionTo::Collection);
        assert_eq!(v.request.status, "awaiting_decision", "{e}");
        assert_eq!(
            w.svc
                .rights_list(&op(), Some("awaiting_decision"), 10)
                .unwrap()
                .len(),
            1,
            "{e}: the review item"
        );
        let holds = w.svc.holds(&op(), &w.number).unwrap();
        assert!(
            holds
                .iter()
                .any(|h| h.kind == "pending_objection" && h.lifted_on.is_none()),
            "{e}"
        );
        w.svc
            .run_day(&op(), day("2026-11-23"), 1, &|_, _| {})
            .unwrap();
        assert!(
            w.svc.decisions(&op(), &w.number).unwrap().1.is_empty(),
            "{e}"
        );
        let done = w
            .svc
            .rights_decide(
                &op(),
                v.request.id,
                true,
                "the debt is undisputed and due; compelling grounds",
            )
            .unwrap();
        assert_eq!(done.request.status, "completed", "{e}");
        assert!(
            json(&done.request.outcome)["decision"]["reason"]
                .as_str()
                .unwrap()
                .contains("compelling")
        );
        let holds = w.svc.holds(&op(), &w.number).unwrap();
        assert!(
            holds.iter().all(|h| h.lifted_on.is_some()),
            "{e}: upheld processing lifts the hold: {holds:?}"
        );

        // Accepted: collection stops.
        let v = object(&w, w.other, ObjectionTo::Collection);
        w.svc
            .rights_decide(&op(), v.request.id, false, "no compelling grounds")
            .unwrap();
        let holds = w.svc.holds(&op(), &w.other_number).unwrap();
        assert!(
            holds
                .iter()
                .any(|h| h.kind == "objection_accepted" && h.lifted_on.is_none()),
            "{e}: {holds:?}"
        );
        let before = w.svc.decisions(&op(), &w.other_number).unwrap().1.len();
        w.svc
            .run_day(&op(), day("2026-12-28"), 1, &|_, _| {})
            .unwrap();
        assert_eq!(
            w.svc.decisions(&op(), &w.other_number).unwrap().1.len(),
            before,
            "{e}: collection stopped"
        );
        let (_, upheld) = w.svc.decisions(&op(), &w.number).unwrap();
        assert!(!upheld.is_empty(), "{e}: upheld processing goes on");
    }
}

#[test]
fn processor_records_are_routed_to_the_client_as_controller() {
    for w in setup("rights_routed") {
        let v = w
            .svc
            .rights_submit(
                &op(),
                &request(RequestKind::Access, w.processor_debtor, RequestParams::None),
            )
            .unwrap();
        assert_eq!(v.request.status, "routed", "{}", w.engine);
        let out = json(&v.request.outcome);
        assert_eq!(
            out["routed_to"]["privacy_contact"],
            "privacy@seller.example"
        );
        assert!(
            out["routed_to"]["notice_en"]
                .as_str()
                .unwrap()
                .contains("seller")
        );
        assert!(
            out.get("extract").is_none(),
            "{}: the agency gives no extract",
            w.engine
        );
        let steps: Vec<String> = v.steps.into_iter().map(|s| s.step).collect();
        assert_eq!(steps, ["route", "answer"], "{}", w.engine);
    }
}

#[test]
fn verification_deadline_extension_portability_and_the_erasure_seam() {
    for w in setup("rights_deadline") {
        let e = w.engine;
        let mut req = request(RequestKind::Port, w.debtor, RequestParams::None);
        req.channel = "api".into();
        req.verified_by_method = None;
        let v = w.svc.rights_submit(&op(), &req).unwrap();
        assert_eq!(v.request.status, "awaiting_verification", "{e}");
        assert_eq!(v.request.deadline_on, day("2026-12-21"), "{e}: one month");
        assert!(w.svc.rights_extend(&op(), v.request.id, 3, "busy").is_err());
        assert!(w.svc.rights_extend(&op(), v.request.id, 2, " ").is_err());
        let x = w
            .svc
            .rights_extend(&op(), v.request.id, 2, "the request covers many cases")
            .unwrap();
        assert_eq!(x.request.deadline_on, day("2027-02-21"), "{e}");
        assert_eq!(x.notifications[0].kind, "extension", "{e}");
        assert!(
            w.svc
                .rights_extend(&op(), v.request.id, 1, "again")
                .is_err()
        );

        let done = w
            .svc
            .rights_verify(&op(), v.request.id, "portal_login")
            .unwrap();
        assert_eq!(done.request.status, "completed", "{e}");
        assert_eq!(
            done.request.verification_method.as_deref(),
            Some("portal_login")
        );
        let out = json(&done.request.outcome);
        let csv = out["portability"]["csv"].as_str().unwrap();
        assert!(csv.starts_with("table,row,column,value\n"), "{e}");
        assert!(csv.contains("parties,1,email,jan@example.org"), "{e}");
        assert!(
            !csv.contains("credit_band") && !csv.contains("debtor_key"),
            "{e}: derived data is not portable"
        );
        assert!(out["portability"]["json"]["data"].is_array(), "{e}");

        // Erasure runs through the same pipeline and answers what it erased
        // and what it keeps, why and until when.
        let v = w
            .svc
            .rights_submit(
                &op(),
                &request(RequestKind::Erase, w.other, RequestParams::None),
            )
            .unwrap();
        assert_eq!(v.request.status, "completed", "{e}");
        assert!(v.steps.iter().any(|s| s.step == "erase"), "{e}");
        let out = json(&v.request.outcome);
        assert!(out["erasure"]["erased"].is_array(), "{e}: {out}");
        assert!(out["erasure"]["kept"].is_array(), "{e}: {out}");
        assert!(
            w.svc
                .rights_resume(&op())
                .unwrap()
                .iter()
                .all(|(id, _)| *id != v.request.id),
            "{e}: a completed erasure is not run again"
        );

        // Bad input changes nothing.
        let bad = request(
            RequestKind::Rectify,
            w.debtor,
            RequestParams::Rectify(vec![("balance_cents".into(), Some("0".into()))]),
        );
        let err = w.svc.rights_submit(&op(), &bad).unwrap_err();
        assert!(err.to_string().contains("balance_cents"), "{e}: {err}");
    }
}

#[test]
fn every_subject_link_is_indexed_and_account_prefixes_match_the_ledger() {
    for (engine, store) in fresh_stores("rights_indexes") {
        let indexed = store.leading_index_columns().unwrap();
        for t in CATALOG {
            let col = match t.subject {
                Subject::PartyColumn(c)
                | Subject::CaseParties(c)
                | Subject::CaseInAccount(c)
                | Subject::CaseTransfer(c) => c,
                Subject::Party => "id",
                _ => continue,
            };
            assert!(
                indexed.iter().any(|(tt, cc)| tt == t.name && cc == col),
                "{engine}: {}.{col} links rows to their subject but has no index",
                t.name
            );
        }
    }
    use kwijting_ledger::AccountKind;
    let names: Vec<String> = [
        AccountKind::CasePrincipal(kwijting_domain::CaseId(7)),
        AccountKind::CaseInterest(kwijting_domain::CaseId(7)),
        AccountKind::CaseCosts(kwijting_domain::CaseId(7)),
        AccountKind::CaseVat(kwijting_domain::CaseId(7)),
        AccountKind::CaseEntitlement(kwijting_domain::CaseId(7)),
    ]
    .iter()
    .map(|k| k.name())
    .collect();
    let ours: Vec<String> = kwijting_store::rights::CASE_ACCOUNT_PREFIXES
        .iter()
        .map(|p| format!("{p}:7"))
        .collect();
    assert_eq!(names, ours);
}
