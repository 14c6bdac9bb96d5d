//! The unmatched queue and a person's assignment over HTTP, on every engine.

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

const CAMT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>API-1</MsgId><CreDtTm>2026-11-20T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>API-1</Id><CreDtTm>2026-11-20T18:00:00</CreDtTm>
<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">12.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-20</Dt></BookgDt><AcctSvcrRef>API-E1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>no reference</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"#;

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn the_unmatched_queue_and_assignment() {
    for (engine, store) in fresh_stores("api_payments") {
        let svc = Kwijting::new(
            store,
            Arc::new(kwijting_policy::Policy::load_default().unwrap()),
            Arc::new(FixedClock("2026-11-21T09:00:00Z".parse().unwrap())),
        )
        .with_trust_accounts(vec![
            kwijting_domain::Iban::dutch("RABO", 123_456_789).unwrap(),
        ]);
        let actor = Actor::system("api-test", "collection");
        let s = AppState::new(svc.clone(), actor.clone());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let post = |uri: &str, body: Value| {
                Request::post(uri)
                    .header("content-type", "application/json")
                    .header("idempotency-key", "k-1")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            };
            let client = json!({"ref": "ACME", "name": "Acme B.V.", "role": "controller"});
            assert_eq!(
                call(&s, post("/api/v1/clients", client)).await.0,
                StatusCode::CREATED
            );
            let claims = json!({ "claims": [{
                "debtor_ref": "D1", "debtor_type": "consumer", "debtor_name": "Jan de Vries",
                "street": "Dorpsstraat 1", "postcode": "1234 AB", "city": "Ergens",
                "invoice_number": "F-1", "invoice_date": "2026-01-01", "due_date": "2026-01-31",
                "principal": "100.00"
            }]});
            let (st, v) = call(&s, post("/api/v1/clients/ACME/claims", claims)).await;
            assert_eq!(st, StatusCode::CREATED, "{engine}: {v}");
        });
        // Blocking store work stays off the executor threads.
        svc.import_statement(&actor, "s.xml", CAMT.as_bytes())
            .unwrap();
        let number = kwijting_domain::CaseNumber::for_case(kwijting_domain::CaseId(1))
            .unwrap()
            .as_str()
            .to_owned();
        rt.block_on(async {
            let get = Request::get("/api/v1/payments/unmatched")
                .body(Body::empty())
                .unwrap();
            let (st, v) = call(&s, get).await;
            assert_eq!(
                (st, v["total"].as_u64()),
                (StatusCode::OK, Some(1)),
                "{engine}: {v}"
            );
            let key = v["entries"][0]["key"].as_str().unwrap().to_owned();
            let assign = |case: &str| {
                Request::post(format!(
                    "/api/v1/payments/unmatched/{}/assign",
                    encode(&key)
                ))
                .header("content-type", "application/json")
                .body(Body::from(json!({ "case": case }).to_string()))
                .unwrap()
            };
            let (st, _) = call(&s, assign("KW999999999")).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{engine}");
            let (st, v) = call(&s, assign(&number)).await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert_eq!(v["amount_cents"], 1250, "{engine}: {v}");
            let (st, _) = call(&s, assign(&number)).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        });
        // A debit without references waits too; assigned to the case it
        // takes back the payment just assigned.
        let debit = CAMT
            .replace("API-1", "API-2")
            .replace("API-E1", "API-E2")
            .replace(
                "<CdtDbtInd>CRDT</CdtDbtInd><Sts>",
                "<CdtDbtInd>DBIT</CdtDbtInd><Sts>",
            );
        svc.import_statement(&actor, "d.xml", debit.as_bytes())
            .unwrap();
        rt.block_on(async {
            let get = Request::get("/api/v1/payments/unmatched")
                .body(Body::empty())
                .unwrap();
            let (_, v) = call(&s, get).await;
            assert_eq!(v["entries"][0]["state"], "unmatched_debit", "{engine}: {v}");
            let key = v["entries"][0]["key"].as_str().unwrap().to_owned();
            let assign = |body: Value| {
                Request::post(format!(
                    "/api/v1/payments/unmatched/{}/assign",
                    encode(&key)
                ))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
            };
            let (st, _) = call(&s, assign(json!({}))).await;
            assert_eq!(st, StatusCode::BAD_REQUEST, "{engine}");
            let (st, v) = call(&s, assign(json!({ "bank_costs": true }))).await;
            assert_eq!(
                st,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine}: no commission: {v}"
            );
            let (st, v) = call(&s, assign(json!({ "case": number }))).await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert_eq!(v["booked_as"], "payment_taken_back", "{engine}: {v}");
            assert_eq!(v["amount_cents"], 1250, "{engine}: {v}");
        });
        assert!(svc.verify_ledger(&actor).unwrap().is_ok(), "{engine}");
        drop(rt);
    }
}
