//! The register of actual recipients over HTTP (R23 to R25): list and
//! register, with the transfer safeguard and, for art. 49(1)(e), the case
//! it is limited to.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kwijting_service::recipients::{RecipientInput, recipient_json};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiResult, AppError, AppState, blocking, parse_json};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/recipients", get(list).post(add))
}

async fn list(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    blocking(move || {
        let rows = s.svc.recipients(&s.actor)?;
        Ok(Json(json!({
            "recipients": rows.iter().map(recipient_json).collect::<Vec<_>>()
        })))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRecipientBody {
    name: String,
    category: String,
    country: String,
    #[serde(default)]
    safeguard: Option<String>,
    safeguard_recorded_on: Option<String>,
    safeguard_reference: Option<String>,
    case: Option<String>,
    legal_claim: Option<String>,
}

async fn add(State(s): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let b: NewRecipientBody = parse_json(&body)?;
    let safeguard_on = b
        .safeguard_recorded_on
        .as_deref()
        .map(|d| {
            kwijting_domain::parse_date(d)
                .map_err(|e| AppError::bad_request(format!("safeguard_recorded_on: {e}")))
        })
        .transpose()?;
    let input = RecipientInput {
        name: b.name,
        category: b.category,
        country: b.country,
        safeguard: b.safeguard.unwrap_or_else(|| "none".to_owned()),
        safeguard_on,
        safeguard_ref: b.safeguard_reference,
        case: b.case,
        legal_claim: b.legal_claim,
    };
    blocking(move || {
        let row = s.svc.add_recipient(&s.actor, &input)?;
        Ok((StatusCode::CREATED, Json(recipient_json(&row))).into_response())
    })
    .await
}
