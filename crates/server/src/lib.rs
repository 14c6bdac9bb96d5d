//! The HTTP interface: a JSON API under `/api/v1`, described by the OpenAPI
//! document it serves. Thin: it parses requests, calls a service, renders.
//!
//! Invariants: only this crate knows HTTP; it holds a `Kwijting` service,
//! never a store; errors leave as one JSON shape and internal details are
//! logged, never sent.

pub mod arrangements;
pub mod case_views;
mod payments;
pub mod recipients;
pub mod remit;
pub mod retention;
pub mod rights;
pub mod views;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kwijting_domain::{Actor, CaseStatus, ClientRole};
use kwijting_service::cases::CaseQuery;
use kwijting_service::intake::IntakeError;
use kwijting_service::{Kwijting, ServiceError};
use serde::Deserialize;
use serde_json::{Value, json};

/// Request bodies larger than this are refused (10,000 claims fit easily).
pub const BODY_BYTES_MAX: usize = 16 * 1024 * 1024;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct AppState {
    svc: Kwijting,
    /// Who the API acts as. Until authentication exists (a later issue), the
    /// server binds to loopback and acts as the local operator.
    actor: Actor,
}

impl AppState {
    pub fn new(svc: Kwijting, actor: Actor) -> AppState {
        AppState { svc, actor }
    }
}

/// The one error shape: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Option<Value>,
}

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    fn internal(e: &dyn std::fmt::Display) -> AppError {
        // The cause goes to the log; the caller learns only that it failed.
        eprintln!("kwijting-server: internal error: {e}");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; it has been logged",
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(d) = self.details {
            error["details"] = d;
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden(f) => {
                AppError::new(StatusCode::FORBIDDEN, "forbidden", f.to_string())
            }
            ServiceError::UnknownClient(_) | ServiceError::UnknownCase(_) => {
                AppError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
            }
            ServiceError::Invalid(m) => {
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m)
            }
            ServiceError::Refused(m) => AppError::new(StatusCode::FORBIDDEN, "refused", m),
            ServiceError::Conflict { .. } => {
                AppError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            ServiceError::Catalog(_) | ServiceError::Store(_) => AppError::internal(&e),
        }
    }
}

impl From<IntakeError> for AppError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Refused(r) => {
                let details = r
                    .errors
                    .iter()
                    .map(|e| json!({ "claim": e.line, "field": e.field, "message": e.message }))
                    .collect::<Vec<_>>();
                AppError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "refused",
                    message: format!(
                        "the claims were refused, nothing was imported ({} error{})",
                        r.error_count,
                        if r.error_count == 1 { "" } else { "s" }
                    ),
                    details: Some(Value::Array(details)),
                }
            }
            IntakeError::Service(s) => s.into(),
            IntakeError::Read { .. } => AppError::bad_request(e.to_string()),
            IntakeError::NotClaims { .. } | IntakeError::Mapping(_) => AppError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "refused",
                message: e.to_string(),
                details: None,
            },
        }
    }
}

type ApiResult<T> = Result<T, AppError>;

/// Runs blocking service work off the async executor.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(&e))?
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/clients", get(list_clients).post(add_client))
        .route(
            "/api/v1/clients/{client}/claims",
            axum::routing::post(post_claims),
        )
        .route("/api/v1/cases", get(list_cases))
        .route("/api/v1/cases/{number}", get(case_file))
        .route("/api/v1/cases/{number}/decisions", get(case_decisions))
        .merge(case_views::routes())
        .merge(rights::routes())
        .merge(arrangements::routes())
        .merge(remit::routes())
        .merge(payments::routes())
        .merge(recipients::routes())
        .merge(retention::routes())
        .fallback(|| async {
            AppError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES_MAX))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn list_clients(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    blocking(move || {
        let clients = s.svc.clients(&s.actor)?;
        Ok(Json(json!({
            "clients": clients.iter().map(views::client).collect::<Vec<_>>()
        })))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClientBody {
    #[serde(rename = "ref")]
    reference: String,
    name: String,
    role: String,
    privacy_contact: Option<String>,
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| AppError::bad_request(format!("request body: {e}")))
}

async fn add_client(State(s): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let b: NewClientBody = parse_json(&body)?;
    let role = ClientRole::parse(&b.role).ok_or_else(|| {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("role '{}' is not 'controller' or 'processor'", b.role),
        )
    })?;
    blocking(move || {
        let c = s.svc.add_client(
            &s.actor,
            &b.reference,
            &b.name,
            role,
            b.privacy_contact.as_deref(),
        )?;
        Ok((StatusCode::CREATED, Json(views::client(&c))).into_response())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsBody {
    claims: Vec<serde_json::Map<String, Value>>,
}

/// A claim's fields as text; numbers are accepted and written as given.
fn claim_fields(
    index: usize,
    m: serde_json::Map<String, Value>,
) -> ApiResult<Vec<(String, String)>> {
    m.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Number(n) => Ok((k, n.to_string())),
            _ => Err(AppError::bad_request(format!(
                "claims[{index}].{k}: expected a string or a number"
            ))),
        })
        .collect()
}

async fn post_claims(
    State(s): State<AppState>,
    Path(client): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| {
            AppError::bad_request("the Idempotency-Key header is required (1 to 200 characters)")
        })?
        .to_owned();
    let parsed: ClaimsBody = parse_json(&body)?;
    let records = parsed
        .claims
        .into_iter()
        .enumerate()
        .map(|(i, m)| claim_fields(i, m))
        .collect::<ApiResult<Vec<_>>>()?;
    let request_hash = kwijting_service::keys::request_hash(&body);
    blocking(move || {
        let outcome =
            s.svc
                .import_claims_idempotent(&s.actor, &client, &key, &request_hash, &records);
        match outcome {
            Ok(stored) => {
                let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
                let body: Value =
                    serde_json::from_str(&stored.body).map_err(|e| AppError::internal(&e))?;
                Ok((status, Json(body)).into_response())
            }
            Err(kwijting_service::IdempotentError::KeyReused) => Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )),
            Err(kwijting_service::IdempotentError::Intake(e)) => Err(e.into()),
        }
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseListParams {
    client: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

/// Default page size of case listings.
pub const PAGE_LIMIT_DEFAULT: u32 = 50;

async fn list_cases(
    State(s): State<AppState>,
    params: Result<Query<CaseListParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let status =
        match p.status.as_deref() {
            Some(st) => Some(CaseStatus::parse(st).ok_or_else(|| {
                AppError::bad_request(format!("status '{st}' is not a case status"))
            })?),
            None => None,
        };
    blocking(move || {
        let page = s.svc.list_cases_owed(
            &s.actor,
            &CaseQuery {
                client_ref: p.client,
                status,
                limit: p.limit.unwrap_or(PAGE_LIMIT_DEFAULT),
                offset: p.offset.unwrap_or(0),
            },
        )?;
        Ok(Json(views::case_page(&page)))
    })
    .await
}

async fn case_file(
    State(s): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let detail = s.svc.case_file(&s.actor, &number)?;
        let standing = s.svc.case_standing(&s.actor, &number)?;
        Ok(Json(views::case_detail(&detail, &standing)))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LangParams {
    lang: Option<String>,
}

/// The automated decisions on a case with their explanation (GDPR art. 22).
async fn case_decisions(
    State(s): State<AppState>,
    Path(number): Path<String>,
    params: Result<Query<LangParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let lang = match p.lang.as_deref().unwrap_or("nl") {
        "nl" => kwijting_strategy::Language::Nl,
        "en" => kwijting_strategy::Language::En,
        other => {
            return Err(AppError::bad_request(format!(
                "lang '{other}' is not nl or en"
            )));
        }
    };
    blocking(move || {
        let explained = s.svc.explain(&s.actor, &number, lang)?;
        Ok(Json(json!({
            "case": number,
            "decisions": explained.iter().map(|(d, text)| {
                let mut v = views::decision(d);
                v["explanation"] = Value::String(text.clone());
                v
            }).collect::<Vec<_>>(),
        })))
    })
    .await
}
