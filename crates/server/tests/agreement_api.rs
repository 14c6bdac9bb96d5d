//! `PUT/GET /api/v1/clients/{ref}/agreement` on every engine.

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

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[test]
fn an_agreement_is_put_validated_and_read_back() {
    for (engine, store) in fresh_stores("api_agreement") {
        let svc = Kwijting::new(
            store,
            Arc::new(kwijting_policy::Policy::load_default().unwrap()),
            Arc::new(FixedClock("2026-11-21T09:00:00Z".parse().unwrap())),
        );
        let s = AppState::new(svc, Actor::system("api-test", "collection"));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (st, _) = call(
                &s,
                "POST",
                "/api/v1/clients",
                Some(json!({"ref": "ACME", "name": "Acme B.V.", "role": "controller"})),
            )
            .await;
            assert_eq!(st, StatusCode::CREATED, "{engine}");
            let (st, v) = call(&s, "GET", "/api/v1/clients/ACME/agreement", None).await;
            assert_eq!(
                (st, &v["current"]),
                (StatusCode::OK, &Value::Null),
                "{engine}: {v}"
            );
            let body = json!({
                "commission": "15%", "costs": "agency", "interest": "client", "payout": "monthly",
                "min_payout": "25.00", "iban": "NL91ABNA0417164300", "bic": "ABNANL2A",
                "effective_from": "2026-12-01"
            });
            let (st, v) = call(
                &s,
                "PUT",
                "/api/v1/clients/ACME/agreement",
                Some(body.clone()),
            )
            .await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert_eq!(v["commission_bps"], 1500, "{engine}");
            assert_eq!(
                v["name"], "Acme B.V.",
                "{engine}: defaults to the client's name"
            );
            let (st, _) = call(
                &s,
                "PUT",
                "/api/v1/clients/ACME/agreement",
                Some(body.clone()),
            )
            .await;
            assert_eq!(st, StatusCode::OK, "{engine}: the same PUT again");
            let mut other = body.clone();
            other["commission"] = json!("20%");
            let (st, v) = call(&s, "PUT", "/api/v1/clients/ACME/agreement", Some(other)).await;
            assert_eq!(st, StatusCode::CONFLICT, "{engine}: {v}");
            for (field, value) in [
                ("commission", "101%"),
                ("iban", "NL00ABNA0417164300"),
                ("payout", "daily"),
            ] {
                let mut bad = body.clone();
                bad[field] = json!(value);
                let (st, v) = call(&s, "PUT", "/api/v1/clients/ACME/agreement", Some(bad)).await;
                assert_eq!(
                    st,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{engine}: {field}: {v}"
                );
                assert!(
                    v["error"]["message"].as_str().unwrap().contains(field),
                    "{engine}: {v}"
                );
            }
            let (st, v) = call(&s, "GET", "/api/v1/clients/ACME/agreement", None).await;
            assert_eq!(st, StatusCode::OK);
            assert_eq!(v["current"]["payout"], "monthly", "{engine}: {v}");
            assert_eq!(v["versions"].as_array().unwrap().len(), 1);
            assert_eq!(v["account"]["payable_cents"], 0);
            assert_eq!(v["current"]["min_payout_cents"], 2500);
            let (st, _) = call(&s, "GET", "/api/v1/clients/NOPE/agreement", None).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{engine}");
        });
        drop(rt);
    }
}
