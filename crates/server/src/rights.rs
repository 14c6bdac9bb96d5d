//! Rights requests over HTTP (GDPR art. 15 to 21): intake, status, and the
//! extract as JSON or as a readable HTML document. The CLI's `--json` uses
//! the same views.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kwijting_domain::PartyId;
use kwijting_service::rights::{NewRequest, ObjectionTo, RequestKind, RequestParams, RequestView};
use kwijting_store::rights::{NotificationRow, RightsRequestRow};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiResult, AppError, AppState, blocking, parse_json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rights-requests", post(submit))
        .route("/api/v1/rights-requests/{id}", get(show))
        .route("/api/v1/rights-requests/{id}/extract", get(extract))
}

pub fn request(r: &RightsRequestRow) -> Value {
    json!({
        "id": r.id,
        "type": r.kind,
        "subject": r.party.0,
        "channel": r.channel,
        "received_at": r.received_at.to_string(),
        "deadline": r.deadline_on.to_string(),
        "extension_reason": r.extension_reason,
        "identity": {
            "verified": r.verified,
            "method": r.verification_method,
            "by": r.verified_by,
            "at": r.verified_at.map(|t| t.to_string()),
        },
        "status": r.status,
        "params": serde_json::from_str::<Value>(&r.params).unwrap_or(Value::Null),
        "outcome": serde_json::from_str::<Value>(&r.outcome).unwrap_or(Value::Null),
        "created_by": r.created_by,
    })
}

pub fn notification(n: &NotificationRow) -> Value {
    json!({
        "id": n.id,
        "request": n.request,
        "subject": n.party.0,
        "kind": n.kind,
        "recipient": n.recipient,
        "categories": n.categories,
        "detail": n.detail,
        "state": n.state,
        "created_at": n.created_at.to_string(),
        "sent_at": n.sent_at.map(|t| t.to_string()),
        "acknowledged_at": n.acknowledged_at.map(|t| t.to_string()),
    })
}

pub fn request_view(v: &RequestView) -> Value {
    let mut out = request(&v.request);
    out["steps"] = v
        .steps
        .iter()
        .map(|s| json!({ "step": s.step, "by": s.actor, "at": s.at.to_string(), "detail": s.detail }))
        .collect();
    out["notifications"] = v.notifications.iter().map(notification).collect();
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    #[serde(rename = "type")]
    kind: String,
    subject: i64,
    /// `api` unless the portal or staff say otherwise.
    channel: Option<String>,
    /// How identity was verified, when it was.
    verified_by: Option<String>,
    /// Rectification: field -> corrected value (null clears).
    fields: Option<serde_json::Map<String, Value>>,
    /// Objection: marketing, analytics, collection, direct_marketing, consent.
    against: Option<String>,
}

fn invalid(m: String) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m)
}

async fn submit(State(s): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let b: SubmitBody = parse_json(&body)?;
    let kind = RequestKind::parse(&b.kind).ok_or_else(|| {
        invalid(format!(
            "type '{}' is not one of: access, port, rectify, erase, restrict, object",
            b.kind
        ))
    })?;
    let params = match (b.fields, b.against) {
        (Some(f), None) => RequestParams::Rectify(
            f.into_iter()
                .map(|(k, v)| match v {
                    Value::Null => Ok((k, None)),
                    Value::String(s) => Ok((k, Some(s))),
                    other => Err(invalid(format!("field {k}: {other} is not a string"))),
                })
                .collect::<ApiResult<_>>()?,
        ),
        (None, Some(a)) => RequestParams::Object(
            ObjectionTo::parse(&a).ok_or_else(|| invalid(format!("against '{a}' is not known")))?,
        ),
        (None, None) => RequestParams::None,
        (Some(_), Some(_)) => return Err(invalid("give fields or against, not both".into())),
    };
    let req = NewRequest {
        kind,
        subject: PartyId(b.subject),
        channel: b.channel.unwrap_or_else(|| "api".into()),
        verified_by_method: b.verified_by,
        params,
    };
    blocking(move || {
        let v = s.svc.rights_submit(&s.actor, &req)?;
        Ok((StatusCode::CREATED, axum::Json(request_view(&v))).into_response())
    })
    .await
}

async fn show(State(s): State<AppState>, Path(id): Path<i64>) -> ApiResult<axum::Json<Value>> {
    blocking(move || Ok(axum::Json(request_view(&s.svc.rights_show(&s.actor, id)?)))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractParams {
    /// json (default) or html
    format: Option<String>,
}

/// The extract as answered: JSON, or the readable document.
async fn extract(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    params: Result<Query<ExtractParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let html = match p.format.as_deref().unwrap_or("json") {
        "json" => false,
        "html" => true,
        other => {
            return Err(AppError::bad_request(format!(
                "format '{other}' is not json or html"
            )));
        }
    };
    blocking(move || {
        let v = s.svc.rights_show(&s.actor, id)?;
        let outcome: Value = serde_json::from_str(&v.request.outcome).unwrap_or(Value::Null);
        let x = &outcome["extract"];
        if x.is_null() {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "not_ready",
                format!(
                    "request {id} has no extract (type {}, status {})",
                    v.request.kind, v.request.status
                ),
            ));
        }
        Ok(if html {
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                kwijting_service::rights_extract::extract_html(x),
            )
                .into_response()
        } else {
            axum::Json(x.clone()).into_response()
        })
    })
    .await
}
