//! The HTTP API through `oneshot` requests, on every engine, and once over a
//! real socket.

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

fn post(uri: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header("content-type", "application/json");
    if let Some(k) = key {
        b = b.header("idempotency-key", k);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

fn claim(invoice: &str, principal: &str) -> Value {
    json!({
        "debtor_ref": "D1", "debtor_type": "consumer", "debtor_name": "Jan de Vries",
        "street": "Dorpsstraat 1", "postcode": "1234 AB", "city": "Ergens",
        "invoice_number": invoice, "invoice_date": "2026-01-01", "due_date": "2026-01-31",
        "principal": principal
    })
}

/// Runs async test code on a runtime of its own. Stores are made and dropped
/// outside it: the PostgreSQL client blocks, as the server's blocking
/// threads may and its executor threads may not.
fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn clients_claims_and_cases() {
    for (engine, store) in fresh_stores("api") {
        let s = state(store);
        run(clients_claims_and_cases_on(engine, &s));
    }
}

async fn clients_claims_and_cases_on(engine: &str, s: &AppState) {
    {
        let (st, v) = call(s, get("/healthz")).await;
        assert_eq!(
            (st, v["status"].as_str()),
            (StatusCode::OK, Some("ok")),
            "{engine}"
        );
        let (st, v) = call(s, get("/api/v1/openapi.json")).await;
        assert_eq!(st, StatusCode::OK, "{engine}");
        assert!(v["paths"]["/api/v1/cases"].is_object(), "{engine}");

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
        let (st, v) = call(
            s,
            post(
                "/api/v1/clients",
                None,
                &json!({"ref": "ACME", "name": "Again", "role": "controller"}),
            ),
        )
        .await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("conflict")),
            "{engine}"
        );
        let (st, v) = call(
            s,
            post(
                "/api/v1/clients",
                None,
                &json!({"ref": "X", "name": "X", "role": "owner"}),
            ),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {v}");

        let body = json!({ "claims": [claim("F-1", "100.00"), claim("F-2", "25")] });
        let (st, _) = call(s, post("/api/v1/clients/ACME/claims", None, &body)).await;
        assert_eq!(
            st,
            StatusCode::BAD_REQUEST,
            "{engine}: the idempotency key is required"
        );
        let (st, first) = call(s, post("/api/v1/clients/ACME/claims", Some("k-1"), &body)).await;
        assert_eq!(st, StatusCode::CREATED, "{engine}: {first}");
        assert_eq!(first["claims_added"], 2, "{engine}");
        assert_eq!(first["cases_added"], 1, "{engine}");
        // A replay gets the first answer back, and adds nothing.
        let (st, replay) = call(s, post("/api/v1/clients/ACME/claims", Some("k-1"), &body)).await;
        assert_eq!((st, &replay), (StatusCode::CREATED, &first), "{engine}");
        // The same key for another request is refused.
        let other = json!({ "claims": [claim("F-3", "1")] });
        let (st, v) = call(s, post("/api/v1/clients/ACME/claims", Some("k-1"), &other)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {v}");
        // A new key for known claims: nothing new, 200.
        let (st, v) = call(s, post("/api/v1/clients/ACME/claims", Some("k-2"), &body)).await;
        assert_eq!(
            (st, v["claims_known"].as_u64()),
            (StatusCode::OK, Some(2)),
            "{engine}"
        );
        // Bad data: refused whole, with the claim and field named.
        let bad = json!({ "claims": [claim("F-4", "10"), claim("F-5", "-3")] });
        let (st, v) = call(s, post("/api/v1/clients/ACME/claims", Some("k-3"), &bad)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {v}");
        assert_eq!(v["error"]["details"][0]["claim"], 2, "{engine}: {v}");
        assert_eq!(
            v["error"]["details"][0]["field"], "principal",
            "{engine}: {v}"
        );
        let (st, _) = call(s, post("/api/v1/clients/NOPE/claims", Some("k-4"), &body)).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{engine}");

        let (st, page) = call(s, get("/api/v1/cases?client=ACME&limit=10")).await;
        assert_eq!(st, StatusCode::OK, "{engine}");
        assert_eq!(page["total"], 1, "{engine}");
        let case = &page["cases"][0];
        // What is owed today: the principal and the statutory interest
        // since the due dates, by the statement of account.
        assert_eq!(case["principal_at_intake_cents"], 12_500, "{engine}");
        assert_eq!(case["principal_owed_cents"], 12_500, "{engine}");
        let owed = case["balance_cents"].as_i64().unwrap();
        assert_eq!(
            owed,
            12_500 + case["interest_owed_cents"].as_i64().unwrap(),
            "{engine}: {case}"
        );
        assert!(owed > 12_500, "{engine}: {case}");
        assert_eq!(case["debtor"]["name"], "Jan de Vries", "{engine}");
        let number = case["number"].as_str().unwrap().to_owned();
        let (st, file) = call(s, get(&format!("/api/v1/cases/{number}"))).await;
        assert_eq!(st, StatusCode::OK, "{engine}");
        assert_eq!(file["claims"].as_array().unwrap().len(), 2, "{engine}");
        assert_eq!(file["parties"][0]["role"], "debtor", "{engine}");
        let (st, v) = call(s, get("/api/v1/cases/KW0000000000")).await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{engine}"
        );
        let (st, _) = call(s, get("/api/v1/cases?status=sleeping")).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}");
        let (st, _) = call(s, get("/api/v1/cases?limit=many")).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}");
        let (st, _) = call(s, get("/nowhere")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{engine}");
    }
}

#[test]
fn serves_over_a_real_socket() {
    let (_, store) = fresh_stores("api_socket").remove(0);
    let s = state(store);
    run(serve_once(s.clone()));
}

async fn serve_once(s: AppState) {
    let listener = kwijting_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(kwijting_server::serve(s, listener));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"status\":\"ok\""), "{reply}");
    server.abort();
}

#[test]
fn rights_requests() {
    for (engine, store) in fresh_stores("api_rights") {
        let s = state(store);
        run(rights_requests_on(engine, &s));
    }
}

async fn rights_requests_on(engine: &str, s: &AppState) {
    let body = json!({"ref": "ACME", "name": "Acme B.V.", "role": "controller"});
    assert_eq!(
        call(s, post("/api/v1/clients", None, &body)).await.0,
        StatusCode::CREATED
    );
    let body = json!({ "claims": [claim("F-1", "100.00")] });
    let (st, _) = call(s, post("/api/v1/clients/ACME/claims", Some("r-1"), &body)).await;
    assert_eq!(st, StatusCode::CREATED, "{engine}");
    let (_, cases) = call(s, get("/api/v1/cases")).await;
    let subject = cases["cases"][0]["debtor"]["id"].as_i64().unwrap();

    // From the API, identity is not verified yet: the request waits.
    let body = json!({ "type": "access", "subject": subject });
    let (st, v) = call(s, post("/api/v1/rights-requests", None, &body)).await;
    assert_eq!(st, StatusCode::CREATED, "{engine}: {v}");
    assert_eq!(v["status"], "awaiting_verification", "{engine}");
    assert_eq!(v["deadline"], "2026-12-21", "{engine}");
    let id = v["id"].as_i64().unwrap();
    let (st, _) = call(s, get(&format!("/api/v1/rights-requests/{id}/extract"))).await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "{engine}: no extract before verification"
    );

    let body = json!({ "type": "access", "subject": subject, "verified_by": "portal_login", "channel": "portal" });
    let (_, v) = call(s, post("/api/v1/rights-requests", None, &body)).await;
    assert_eq!(v["status"], "completed", "{engine}: {v}");
    let id = v["id"].as_i64().unwrap();
    let (st, v) = call(s, get(&format!("/api/v1/rights-requests/{id}"))).await;
    assert_eq!(st, StatusCode::OK, "{engine}");
    assert_eq!(v["steps"][0]["step"], "route", "{engine}");
    let (st, x) = call(s, get(&format!("/api/v1/rights-requests/{id}/extract"))).await;
    assert_eq!(st, StatusCode::OK, "{engine}");
    assert!(x.to_string().contains("Jan de Vries"), "{engine}");
    let (st, html) = call(
        s,
        get(&format!("/api/v1/rights-requests/{id}/extract?format=html")),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{engine}");
    assert!(html.as_str().unwrap().contains("<h1>"), "{engine}");

    let body = json!({ "type": "rectify", "subject": subject, "verified_by": "id_document", "fields": {"email": "jan@new.example"} });
    let (st, v) = call(s, post("/api/v1/rights-requests", None, &body)).await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::CREATED, Some("completed")),
        "{engine}: {v}"
    );
    let body = json!({ "type": "object", "subject": subject, "against": "nonsense" });
    let (st, _) = call(s, post("/api/v1/rights-requests", None, &body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
    let body = json!({ "type": "access", "subject": 999_999 });
    let (st, _) = call(s, post("/api/v1/rights-requests", None, &body)).await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{engine}: unknown subject"
    );
}

/// A monthly proposal from 2026-12-01.
async fn propose(s: &AppState, uri: &str, n: u16, amount: &str) -> (StatusCode, Value) {
    call(
        s,
        post(
            uri,
            None,
            &json!({"instalments": n, "amount": amount, "every": "month", "first": "2026-12-01"}),
        ),
    )
    .await
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
    let (st, v) = propose(s, &uri, 2, "30.00").await;
    assert_eq!(
        (st, &v["accepted"]),
        (StatusCode::OK, &json!(false)),
        "{engine}: {v}"
    );
    assert!(
        v["reason"].as_str().unwrap().contains("add up"),
        "{engine}: {v}"
    );
    let (st, v) = propose(s, &uri, 3, "101.00").await;
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
    let (st, v) = propose(s, &uri, 3, "101.00").await;
    assert_eq!(st, StatusCode::CONFLICT, "{engine}: {v}");
    let (st, v) = propose(s, &uri, 3, "lots").await;
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
