//! What a case handler needs on a case over HTTP, on every engine: the
//! itemised statement (the balance `GET /cases/{number}` and the settlement
//! quote show), the search and the review queue.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kwijting_domain::{Actor, Date, Iban, parse_date};
use kwijting_server::{AppState, app};
use kwijting_service::{FixedClock, Kwijting};
use kwijting_store::testkit::fresh_stores;
use serde_json::{Value, json};
use tower::ServiceExt;

const PAYMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>VIEWS-API</MsgId><CreDtTm>2026-12-18T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>VIEWS-API</Id><CreDtTm>2026-12-18T18:00:00</CreDtTm>
<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-12-18</Dt></BookgDt><AcctSvcrRef>VIEWS-API-E1</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>9000000000000001</Ref></CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"#;

const FIRST: &str = "KW0000000019";
const SECOND: &str = "KW0000000027";

fn actor() -> Actor {
    Actor::system("api-test", "collection")
}

fn service_on(store: Arc<dyn kwijting_store::Store>, day: &str) -> Kwijting {
    Kwijting::new(
        store,
        Arc::new(kwijting_policy::Policy::load_default().unwrap()),
        Arc::new(FixedClock(format!("{day}T09:00:00Z").parse().unwrap())),
    )
    .with_trust_accounts(vec![Iban::dutch("RABO", 123_456_789).unwrap()])
}

fn day(s: &str) -> Date {
    parse_date(s).unwrap()
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

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn claim(
    debtor: &str,
    name: &str,
    postcode: &str,
    invoice: &str,
    due: &str,
    principal: &str,
) -> Value {
    let mut v = json!({
        "debtor_ref": debtor, "debtor_type": "consumer", "debtor_name": name,
        "street": "Dorpsstraat 1", "postcode": postcode, "city": "Ergens",
        "invoice_number": invoice, "invoice_date": "2026-08-01", "due_date": due,
        "principal": principal
    });
    if debtor == "D1" {
        v["iban"] = json!("NL20INGB0001234567");
    }
    v
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn statement_search_and_review_over_http() {
    for (engine, store) in fresh_stores("api_case_views") {
        let rt = runtime();
        let s = AppState::new(service_on(store.clone(), "2026-11-21"), actor());
        rt.block_on(async {
            let post = |uri: &str, body: Value| {
                Request::post(uri)
                    .header("content-type", "application/json")
                    .header("idempotency-key", "views-1")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            };
            let client = json!({"ref": "ACME", "name": "Acme B.V.", "role": "controller"});
            assert_eq!(
                call(&s, post("/api/v1/clients", client)).await.0,
                StatusCode::CREATED
            );
            let claims = json!({ "claims": [
                claim("D1", "Jan van 't Hof", "1234 AB", "INV-A1", "2026-08-31", "1234.56"),
                claim("D1", "Jan van 't Hof", "1234 AB", "INV-A2", "2026-09-30", "250.00"),
                claim("D2", "Piet Jansen", "5678 CD", "INV-B1", "2026-09-14", "99.95"),
            ]});
            let (st, v) = call(&s, post("/api/v1/clients/ACME/claims", claims)).await;
            assert_eq!(st, StatusCode::CREATED, "{engine}: {v}");
        });
        // The daily run sends the letter and demands the costs; a payment
        // comes in. Blocking store work stays off the executor threads.
        for d in ["2026-11-21", "2026-11-24", "2026-12-15"] {
            service_on(store.clone(), d)
                .run_day(&actor(), day(d), 1, &|_, _| {})
                .unwrap();
        }
        service_on(store.clone(), "2026-12-18")
            .import_statement(&actor(), "pay.xml", PAYMENT.as_bytes())
            .unwrap();

        let svc = service_on(store.clone(), "2026-12-20");
        let quote = svc.settlement_quote(&actor(), FIRST).unwrap();
        let s = AppState::new(svc, actor());
        rt.block_on(async {
            let (st, doc) = call(&s, get("/api/v1/openapi.json")).await;
            assert_eq!(st, StatusCode::OK);
            for path in [
                "/api/v1/cases/search",
                "/api/v1/cases/{number}/statement",
                "/api/v1/review",
            ] {
                assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
            }

            let (st, statement) =
                call(&s, get(&format!("/api/v1/cases/{FIRST}/statement?lang=en"))).await;
            assert_eq!(st, StatusCode::OK, "{engine}: {statement}");
            let (_, file) = call(&s, get(&format!("/api/v1/cases/{FIRST}"))).await;
            let balance = statement["balance_cents"].as_i64().unwrap();
            assert!(balance > 0);
            assert_eq!(file["balance_cents"].as_i64(), Some(balance), "{engine}");
            assert_eq!(quote.statement_balance.cents(), balance, "{engine}");
            assert_eq!(quote.settles_with.cents(), balance, "{engine}");
            assert_eq!(statement["as_of"], "2026-12-20");
            assert_eq!(statement["lang"], "en");
            assert_eq!(statement["claims"][0]["invoice_number"], "INV-A1");
            assert_eq!(statement["demand_letter"]["sent_on"], "2026-11-24");
            assert_eq!(statement["costs"][0]["basis"], "bik_scale");
            assert_eq!(statement["payments"][0]["amount_cents"], 50_000);
            let text = statement["text"].as_str().unwrap();
            assert!(
                text.contains("Statement of the claim on 20 December 2026"),
                "{text}"
            );
            assert!(text.contains("EUR 1,234.56"), "{text}");

            let (st, earlier) = call(
                &s,
                get(&format!(
                    "/api/v1/cases/{FIRST}/statement?as_of=2026-12-19&lang=nl"
                )),
            )
            .await;
            assert_eq!(st, StatusCode::OK);
            assert_eq!(earlier["as_of"], "2026-12-19");
            assert!(earlier["text"].as_str().unwrap().contains("EUR 1.234,56"));
            for (uri, want) in [
                (
                    format!("/api/v1/cases/{FIRST}/statement?lang=fr"),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    format!("/api/v1/cases/{FIRST}/statement?as_of=tomorrow"),
                    StatusCode::BAD_REQUEST,
                ),
                (
                    "/api/v1/cases/KW0000000035/statement".to_owned(),
                    StatusCode::NOT_FOUND,
                ),
                ("/api/v1/cases/search".to_owned(), StatusCode::BAD_REQUEST),
                (
                    "/api/v1/cases/search?q=a".to_owned(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                (
                    "/api/v1/cases/search?q=jan&limit=0".to_owned(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
            ] {
                let (st, v) = call(&s, get(&uri)).await;
                assert_eq!(st, want, "{engine}: {uri}: {v}");
            }

            let (_, second) = call(&s, get(&format!("/api/v1/cases/{SECOND}"))).await;
            let kenmerk = second["payment_reference"].as_str().unwrap().to_owned();
            for (q, want) in [
                ("van%20%27t%20HOF", vec![FIRST]),
                ("NL20%20INGB%200001%202345%2067", vec![FIRST]),
                ("5678CD", vec![SECOND]),
                ("INV-A2", vec![FIRST]),
                (kenmerk.as_str(), vec![SECOND]),
                (SECOND, vec![SECOND]),
            ] {
                let (st, v) = call(&s, get(&format!("/api/v1/cases/search?q={q}"))).await;
                assert_eq!(st, StatusCode::OK, "{engine}: {v}");
                let got: Vec<&str> = v["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["number"].as_str().unwrap())
                    .collect();
                assert_eq!(got, want, "{engine}: q={q}");
            }
            let (_, v) = call(&s, get("/api/v1/cases/search?q=hof")).await;
            assert_eq!(
                v["cases"][0]["balance_cents"].as_i64(),
                Some(balance),
                "{engine}"
            );
            let (_, v) = call(&s, get("/api/v1/cases/search?q=an&limit=1")).await;
            assert_eq!(
                (v["cases"].as_array().unwrap().len(), &v["more"]),
                (1, &json!(true))
            );

            let (st, v) = call(&s, get("/api/v1/review?limit=1")).await;
            assert_eq!(st, StatusCode::OK, "{engine}: {v}");
            assert!(v["total"].is_u64() && v["decisions"].is_array(), "{v}");
        });
        drop(rt);
    }
}
