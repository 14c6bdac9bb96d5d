//! The recipients register (and, below, the privacy routes) over HTTP on
//! every engine.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kwijting_domain::Actor;
use kwijting_server::{AppState, app};
use kwijting_service::{FixedClock, Kwijting};
use kwijting_store::testkit::fresh_stores;
use serde_json::{Value, json};
use tower::ServiceExt;

fn service(store: Arc<dyn kwijting_store::Store>) -> Kwijting {
    let policy = kwijting_policy::Policy::load_default().unwrap();
    Kwijting::new(
        store,
        Arc::new(policy),
        Arc::new(FixedClock("2026-11-21T09:00:00Z".parse().unwrap())),
    )
}

fn state(svc: Kwijting) -> AppState {
    AppState::new(svc, Actor::system("api-test", "collection"))
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, v)
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Stores are made and dropped outside the runtime (blocking clients).
fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn recipients_are_registered_and_listed() {
    for (engine, store) in fresh_stores("api_recipients") {
        let s = state(service(store));
        run(async {
            let (st, doc) = call(&s, get("/api/v1/openapi.json")).await;
            assert_eq!(st, StatusCode::OK, "{engine}");
            assert!(
                doc["paths"]["/api/v1/recipients"]["post"].is_object(),
                "{engine}"
            );
            let body = json!({
                "name": "Acme Collections LLC", "category": "foreign_collection_agencies",
                "country": "US", "safeguard": "standard_contractual_clauses",
                "safeguard_recorded_on": "2026-03-02", "safeguard_reference": "SCC 2021/914 m1, DMS-17"
            });
            let (st, v) = call(&s, post("/api/v1/recipients", &body)).await;
            assert_eq!(st, StatusCode::CREATED, "{engine}: {v}");
            assert_eq!(v["safeguard_recorded_on"], "2026-03-02", "{engine}");
            let (st, _) = call(&s, post("/api/v1/recipients", &body)).await;
            assert_eq!(st, StatusCode::CONFLICT, "{engine}");
            let (st, v) = call(
                &s,
                post(
                    "/api/v1/recipients",
                    &json!({"name": "X", "category": "foreign_collection_agencies", "country": "BR", "safeguard": "adequacy",
                            "safeguard_recorded_on": "2026-03-02", "safeguard_reference": "none"}),
                ),
            )
            .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {v}");
            let (st, v) = call(&s, post("/api/v1/recipients", &json!({"name": "Y"}))).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}: {v}");
            let (st, v) = call(&s, get("/api/v1/recipients")).await;
            assert_eq!(st, StatusCode::OK, "{engine}");
            let list = v["recipients"].as_array().unwrap();
            assert_eq!(list.len(), 1, "{engine}");
            assert_eq!(list[0]["name"], "Acme Collections LLC", "{engine}");
            assert_eq!(list[0]["country"], "US", "{engine}");
        });
    }
}

#[test]
fn legal_holds_and_the_retention_preview() {
    for (engine, store) in fresh_stores("api_retention") {
        let svc = service(store);
        let s = state(svc.clone());
        let op = Actor::system("api-test", "collection");
        svc.add_client(
            &op,
            "ACME",
            "Acme B.V.",
            kwijting_domain::ClientRole::Controller,
            None,
        )
        .unwrap();
        let csv = "debtor_type,debtor_name,street,postcode,city,invoice_number,invoice_date,due_date,principal\n\
                   consumer,Jan de Vries,Dorpsstraat 1,1234 AB,Ergens,F-1,2014-01-01,2014-01-31,100\n\
                   consumer,Els Anders,Kerkpad 2,1234 AC,Ergens,F-2,2014-01-01,2014-01-31,200\n";
        svc.import_claims_csv(&op, "ACME", "d.csv", csv.as_bytes(), &mut |_| {})
            .unwrap();
        let number = kwijting_store::case_number(kwijting_store::CaseId(1)).unwrap();
        svc.close_case_on(
            &op,
            &number,
            kwijting_domain::CaseStatus::Closed(kwijting_domain::ClosureReason::Paid),
            kwijting_domain::parse_date("2015-06-30").unwrap(),
        )
        .unwrap();
        run(async {
            let preview = "/api/v1/retention/preview?as_of=2026-11-21";
            let (st, v) = call(&s, get(preview)).await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert_eq!(
                (v["dry_run"].as_bool(), v["cases"].as_u64()),
                (Some(true), Some(1)),
                "{engine}: {v}"
            );
            assert_eq!(v["processor_rule"], "mandate_ended", "{engine}");
            let (st, _) = call(&s, get("/api/v1/retention/preview?as_of=21-11-2026")).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}");

            let (st, hold) = call(
                &s,
                post(
                    "/api/v1/legal-holds",
                    &json!({"case": number, "reason": "court case 2026/17", "owner": "legal team", "on": "2026-11-01"}),
                ),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED, "{engine}: {hold}");
            assert_eq!(hold["case_number"], number.as_str(), "{engine}");
            let (st, _) = call(
                &s,
                post("/api/v1/legal-holds", &json!({"reason": "r", "owner": "o"})),
            )
            .await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}");
            let (_, v) = call(&s, get(preview)).await;
            assert_eq!(
                (v["cases"].as_u64(), v["active_legal_holds"].as_u64()),
                (Some(0), Some(1)),
                "{engine}: the hold keeps the case: {v}"
            );
            let (_, v) = call(&s, get("/api/v1/legal-holds")).await;
            assert_eq!(v["legal_holds"].as_array().unwrap().len(), 1, "{engine}");

            let id = hold["id"].as_i64().unwrap();
            let (st, v) = call(
                &s,
                post(
                    &format!("/api/v1/legal-holds/{id}/lift"),
                    &json!({"on": "2026-11-20"}),
                ),
            )
            .await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert_eq!(v["lifted_on"], "2026-11-20", "{engine}");
            let (st, _) = call(
                &s,
                post(&format!("/api/v1/legal-holds/{id}/lift"), &json!({})),
            )
            .await;
            assert_eq!(
                st,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine}: lifted already"
            );
            let (_, v) = call(&s, get("/api/v1/legal-holds")).await;
            assert!(v["legal_holds"].as_array().unwrap().is_empty(), "{engine}");
            let (_, v) = call(&s, get("/api/v1/legal-holds?all=true")).await;
            assert_eq!(v["legal_holds"].as_array().unwrap().len(), 1, "{engine}");
            // Previews change nothing.
            let (_, v) = call(&s, get(preview)).await;
            assert_eq!(v["cases"].as_u64(), Some(1), "{engine}: {v}");
            let (_, v) = call(&s, get(preview)).await;
            assert_eq!(v["cases"].as_u64(), Some(1), "{engine}: {v}");
        });
    }
}
