//! Money in: the unmatched queue and a person's assignment of its money.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiResult, AppError, AppState, blocking, parse_json, views};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payments/unmatched", get(unmatched))
        .route("/api/v1/payments/unmatched/{key}/assign", post(assign))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnmatchedParams {
    limit: Option<u32>,
}

/// Statement credits (and unplaceable returns) waiting for a person.
async fn unmatched(
    State(s): State<AppState>,
    params: Result<Query<UnmatchedParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(p) = params.map_err(|e| AppError::bad_request(e.body_text()))?;
    blocking(move || {
        let (total, entries) = s.svc.unmatched_payments(&s.actor, p.limit.unwrap_or(100))?;
        Ok(Json(json!({
            "total": total,
            "entries": entries.iter().map(views::bank_entry).collect::<Vec<_>>(),
        })))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    case: Option<String>,
    /// The debit is the bank's costs of the trust account (no case).
    #[serde(default)]
    bank_costs: bool,
}

/// Assigns an entry of the unmatched queue: a credit to a case (allocated
/// as a matched payment would be), a debit to the case whose payment it
/// takes back, or a debit as bank costs; logged with who assigned it.
async fn assign(
    State(s): State<AppState>,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b: AssignBody = parse_json(&body)?;
    blocking(move || {
        let a = match (b.case, b.bank_costs) {
            (None, true) => kwijting_service::payments::Assignment::Debit(s.svc.assign_debit(
                &s.actor,
                &key,
                kwijting_service::payments::DebitAs::BankCosts,
            )?),
            (Some(case), false) => s.svc.assign_entry(&s.actor, &key, &case)?,
            _ => {
                return Err(AppError::bad_request(
                    "give either \"case\" or \"bank_costs\": true",
                ));
            }
        };
        Ok(Json(views::assignment(&a)))
    })
    .await
}
