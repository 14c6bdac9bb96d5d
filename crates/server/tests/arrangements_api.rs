//! `POST` and `GET /api/v1/cases/{number}/arrangements` on every engine.

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

fn state(store: Arc<dyn kwijting_store::Store>) -> AppState {
    let svc = Kwijting::new(
        store,
        Arc::new(kwijting_policy::Policy::load_default().unwrap()),
        Arc::new(FixedClock("2026-11-21T09:00:00Z".parse().unwrap())),
    );
    AppState::new(svc, Actor::system("api-test", "collection"))
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(uri: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn propose_and_list_arrangements() {
    for (engine, store) in fresh_stores("api_arrangements") {
        let s = state(store);
        run(propose_and_list_on(engine, &s));
    }
}

async fn propose_and_list_on(engine: &str, s: &AppState) {
    let (st, _) = call(
        s,
        post(
            "/api/v1/clients",
            None,
            &json!({"ref": "ACME", "name": "Acme B.V.", "role": "controller"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{engine}");
    let claim = json!({
        "debtor_ref": "D1", "debtor_type": "consumer", "debtor_name": "Jan de Vries",
        "street": "Dorpsstraat 1", "postcode": "1234 AB", "city": "Ergens",
        "invoice_number": "F-1", "invoice_date": "2026-10-01", "due_date": "2026-10-31",
        "principal": "300.00"
    });
    let (st, _) = call(
        s,
        post(
            "/api/v1/clients/ACME/claims",
            Some("k1"),
            &json!({"claims": [claim]}),
        ),
    )
    .await;
    assert!(st.is_success(), "{engine}: {st}");
    let (_, cases) = call(
        s,
        Request::get("/api/v1/cases").body(Body::empty()).unwrap(),
    )
    .await;
    let number = cases["cases"][0]["number"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/cases/{number}/arrangements");
    let (st, v) = call(
        s,
        post(
            &uri,
            None,
            &json!({"instalments": 2, "amount": "30.00", "every": "month", "first": "2026-12-01"}),
        ),
    )
    .await;
    assert_eq!(
        (st, &v["accepted"]),
        (StatusCode::OK, &json!(false)),
        "{engine}: {v}"
    );
    assert!(
        v["reason"].as_str().unwrap().contains("add up"),
        "{engine}: {v}"
    );
    let (st, v) = call(
        s,
        post(
            &uri,
            None,
            &json!({"instalments": 3, "amount": "101.00", "every": "month", "first": "2026-12-01"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{engine}: {v}");
    let schedule = v["arrangement"]["schedule"].as_array().unwrap();
    let sum: i64 = schedule
        .iter()
        .map(|i| i["amount_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(
        sum,
        v["arrangement"]["total_cents"].as_i64().unwrap(),
        "{engine}"
    );
    let (st, v) = call(
        s,
        post(
            &uri,
            None,
            &json!({"instalments": 3, "amount": "101.00", "every": "month", "first": "2026-12-01"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT, "{engine}: {v}");
    let (st, v) = call(
        s,
        post(
            &uri,
            None,
            &json!({"instalments": 3, "amount": "lots", "every": "month", "first": "2026-12-01"}),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {v}");
    let (st, v) = call(s, Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{engine}");
    let statuses: Vec<&str> = v["arrangements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["active", "rejected"], "{engine}: {v}");
    let (st, _) = call(
        s,
        Request::get("/api/v1/cases/KW0000000000/arrangements")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{engine}");
}
