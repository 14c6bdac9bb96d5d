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

fn state(store: Arc<dyn kwijting_store::Store>) -> AppState {
    let policy = kwijting_policy::Policy::load_default().unwrap();
    let svc = Kwijting::new(
        store,
        Arc::new(policy),
        Arc::new(FixedClock("2026-11-21T09:00:00Z".parse().unwrap())),
    );
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
        let s = state(store);
        run(async {
            let (st, doc) = call(&s, get("/api/v1/openapi.json")).await;
            assert_eq!(st, StatusCode::OK, "{engine}");
            assert!(doc["paths"]["/api/v1/recipients"]["post"].is_object(), "{engine}");
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
