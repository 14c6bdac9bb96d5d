//! Legal holds (R22) and the retention preview over HTTP: place, lift and
//! list holds; what a retention run on a date would erase, counted per
//! purpose, category and field (a dry run: nothing changes).

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kwijting_domain::{Date, PartyId};
use kwijting_service::erasure::{hold_json, report_json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiResult, AppError, AppState, blocking, parse_json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/legal-holds", get(list).post(add))
        .route("/api/v1/legal-holds/{id}/lift", post(lift))
        .route("/api/v1/retention/preview", get(preview))
}

fn date(field: &str, s: Option<&str>) -> ApiResult<Option<Date>> {
    s.map(|d| {
        kwijting_domain::parse_date(d).map_err(|e| AppError::bad_request(format!("{field}: {e}")))
    })
    .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    /// Lifted holds too.
    all: Option<bool>,
}

async fn list(
    State(s): State<AppState>,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    blocking(move || {
        let holds = s.svc.legal_holds(&s.actor, !p.all.unwrap_or(false))?;
        Ok(Json(json!({
            "legal_holds": holds.iter().map(hold_json).collect::<Vec<_>>()
        })))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewHoldBody {
    party: Option<i64>,
    /// A case number: the hold is on the case and its debtor.
    case: Option<String>,
    reason: String,
    owner: String,
    on: Option<String>,
}

async fn add(State(s): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let b: NewHoldBody = parse_json(&body)?;
    let on = date("on", b.on.as_deref())?;
    if b.party.is_some() == b.case.is_some() {
        return Err(AppError::bad_request("give either party or case"));
    }
    blocking(move || {
        let (party, case) = match (&b.case, b.party) {
            (Some(number), _) => {
                let file = s.svc.case_file(&s.actor, number)?;
                (file.summary.debtor.id, Some(file.summary.id))
            }
            (None, Some(p)) => (PartyId(p), None),
            (None, None) => return Err(AppError::bad_request("give either party or case")),
        };
        let on = on.unwrap_or_else(|| s.svc.clock().today());
        let id = s
            .svc
            .add_legal_hold(&s.actor, party, case, &b.reason, &b.owner, on)?;
        let hold = s
            .svc
            .legal_holds(&s.actor, true)?
            .into_iter()
            .find(|h| h.id == id)
            .map(|h| hold_json(&h))
            .unwrap_or_else(|| json!({ "id": id }));
        Ok((StatusCode::CREATED, Json(hold)).into_response())
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct LiftBody {
    on: Option<String>,
}

async fn lift(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b: LiftBody = if body.is_empty() {
        LiftBody::default()
    } else {
        parse_json(&body)?
    };
    let on = date("on", b.on.as_deref())?;
    blocking(move || {
        let on = on.unwrap_or_else(|| s.svc.clock().today());
        s.svc.lift_legal_hold(&s.actor, id, on)?;
        let hold = s
            .svc
            .legal_holds(&s.actor, false)?
            .into_iter()
            .find(|h| h.id == id)
            .map(|h| hold_json(&h))
            .unwrap_or_else(|| json!({ "id": id }));
        Ok(Json(hold))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviewParams {
    as_of: Option<String>,
}

/// What the retention run of `as_of` (default: today) would erase.
async fn preview(
    State(s): State<AppState>,
    params: Result<Query<PreviewParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    let as_of = date("as_of", p.as_of.as_deref())?;
    blocking(move || {
        let as_of = as_of.unwrap_or_else(|| s.svc.clock().today());
        let r = s.svc.retention_run(&s.actor, as_of, true)?;
        Ok(Json(report_json(&r)))
    })
    .await
}
