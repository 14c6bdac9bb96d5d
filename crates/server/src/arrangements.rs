//! Payment arrangements over HTTP: `POST /api/v1/cases/{number}/arrangements`
//! decides a debtor's proposal, `GET` the same path lists the case's
//! arrangements with what was paid. The JSON shapes here are also the CLI's
//! `--json` output.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kwijting_domain::{Money, parse_date};
use kwijting_service::arrangements::{ArrangementView, ProposalOutcome, SettlementQuote};
use kwijting_service::direct_debit::{DirectDebitFile, ReturnOutcome};
use kwijting_store::{ArrangementRow, MandateRow};
use kwijting_strategy::arrangement::{Frequency, Proposal};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiResult, AppError, AppState, blocking, parse_json};

pub fn mandate(m: &MandateRow) -> Value {
    json!({
        "reference": m.reference,
        "debtor_name": m.debtor_name,
        "debtor_iban": m.debtor_iban,
        "signed_on": m.signed_on.to_string(),
        "status": m.status,
        "stopped_on": m.stopped_on.map(|d| d.to_string()),
        "stop_reason": m.stop_reason,
        "collected": m.collected,
        "amendments": m.amendments.iter().map(|a| json!({
            "amended_on": a.amended_on.to_string(),
            "field": a.field,
            "old": a.old_value,
            "new": a.new_value,
            "reported_in": a.reported_in,
        })).collect::<Vec<_>>(),
    })
}

fn arrangement_row(a: &ArrangementRow) -> Value {
    json!({
        "id": a.id,
        "status": a.status,
        "frequency": a.frequency,
        "instalments": a.instalments,
        "instalment_cents": a.instalment_cents,
        "first_due_on": a.first_due_on.to_string(),
        "total_cents": a.total_cents,
        "decided_on": a.decided_on.to_string(),
        "reason": a.reason,
        "ended_on": a.ended_on.map(|d| d.to_string()),
        "rules": a.rules.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))).collect::<serde_json::Map<_, _>>(),
        "schedule": a.schedule.iter().map(|i| json!({
            "seq": i.seq,
            "due_on": i.due_on.to_string(),
            "amount_cents": i.amount_cents,
            "state": i.state,
            "reminded_on": i.reminded_on.map(|d| d.to_string()),
            "retry_on": i.retry_on.map(|d| d.to_string()),
            "reopened_on": i.reopened_on.map(|d| d.to_string()),
            "direct_debits": i.dd_attempts,
        })).collect::<Vec<_>>(),
    })
}

pub fn arrangement(v: &ArrangementView) -> Value {
    let mut out = arrangement_row(&v.arrangement);
    out["case"] = Value::String(v.case_number.clone());
    out["paid_cents"] = json!(v.paid.cents());
    out["remaining_cents"] = json!(v.remaining.cents());
    out["mandates"] = Value::Array(v.mandates.iter().map(mandate).collect());
    out
}

pub fn proposal_outcome(o: &ProposalOutcome) -> Value {
    match o {
        ProposalOutcome::Accepted(v) => json!({ "accepted": true, "arrangement": arrangement(v) }),
        ProposalOutcome::Rejected { id, reason } => {
            json!({ "accepted": false, "id": id, "reason": reason })
        }
    }
}

pub fn settlement_quote(q: &SettlementQuote) -> Value {
    json!({
        "case": q.case_number,
        "as_of": q.as_of.to_string(),
        "statement_balance_cents": q.statement_balance.cents(),
        "settles_with_cents": q.settles_with.cents(),
        "arrangement": q.arrangement.as_ref().map(arrangement),
    })
}

pub fn direct_debit_file(f: &DirectDebitFile) -> Value {
    json!({
        "collection_date": f.collection_date.to_string(),
        "transactions": f.transactions,
        "total_cents": f.total.cents(),
        "new": f.new,
        "skipped": f.skipped.iter().map(|(c, why)| json!({ "case": c, "reason": why })).collect::<Vec<_>>(),
    })
}

pub fn return_outcome(r: &ReturnOutcome) -> Value {
    json!({
        "end_to_end_id": r.end_to_end_id,
        "case": r.case_number,
        "action": r.action,
        "retry_on": r.retry_on.map(|d| d.to_string()),
    })
}

/// A proposal as the API takes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalBody {
    instalments: u16,
    /// Euros, e.g. "125.50".
    amount: String,
    /// `month` or `week`.
    every: String,
    /// The first due date, `YYYY-MM-DD`.
    first: String,
}

/// Turns the CLI's or the API's words into a proposal.
pub fn proposal(
    instalments: u16,
    amount: &str,
    every: &str,
    first: &str,
) -> Result<Proposal, String> {
    Ok(Proposal {
        instalments,
        amount: Money::parse_positive(amount).map_err(|e| format!("amount '{amount}': {e}"))?,
        frequency: Frequency::parse(every)
            .ok_or_else(|| format!("every '{every}': month or week"))?,
        first_on: parse_date(first).map_err(|e| format!("first '{first}': {e}"))?,
    })
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/cases/{number}/arrangements",
        get(list_arrangements).post(propose),
    )
}

async fn list_arrangements(
    State(s): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        let all = s.svc.arrangements(&s.actor, &number)?;
        Ok(Json(json!({
            "case": number,
            "arrangements": all.iter().map(arrangement).collect::<Vec<_>>(),
        })))
    })
    .await
}

async fn propose(
    State(s): State<AppState>,
    Path(number): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let b: ProposalBody = parse_json(&body)?;
    let p = proposal(b.instalments, &b.amount, &b.every, &b.first)
        .map_err(|m| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    blocking(move || {
        let outcome = s.svc.propose_arrangement(&s.actor, &number, &p)?;
        let status = match outcome {
            ProposalOutcome::Accepted(_) => StatusCode::CREATED,
            ProposalOutcome::Rejected { .. } => StatusCode::OK,
        };
        Ok((status, Json(proposal_outcome(&outcome))).into_response())
    })
    .await
}
