//! Client agreements over HTTP (`PUT/GET /api/v1/clients/{ref}/agreement`)
//! and the JSON of agreements and payout runs (the CLI's `--json` too).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use kwijting_domain::{Iban, Money};
use kwijting_service::refunds::RefundOutcome;
use kwijting_service::remit::{
    Agreement, AgreementTerms, ClientAccount, PayoutBic as Bic, PayoutFrequency, RemitOutcome,
    StatementLine, beneficiary_name, commission_text, parse_beneficiary, parse_commission,
    parse_rounding, rounding_name,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiResult, AppError, AppState, blocking, parse_json};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/clients/{client}/agreement",
        get(get_agreement).put(put_agreement),
    )
}

/// One agreement version.
pub fn agreement(a: &Agreement) -> Value {
    let t = &a.terms;
    json!({
        "client": a.client_ref,
        "effective_from": t.effective_from.to_string(),
        "commission": commission_text(t.commission_bps),
        "commission_bps": t.commission_bps,
        "commission_rounding": rounding_name(t.commission_rounding),
        "costs": beneficiary_name(t.costs_to),
        "interest": beneficiary_name(t.interest_to),
        "payout": t.frequency.as_str(),
        "min_payout_cents": t.min_payout.cents(),
        "iban": t.iban.as_str(),
        "bic": t.bic.as_ref().map(|b| b.as_str()),
        "name": t.name,
        "created_at": a.created_at.to_string(),
    })
}

/// The versions of a client's agreement and its account with the agency.
pub fn agreements(client: &str, versions: &[Agreement], account: &ClientAccount) -> Value {
    json!({
        "client": client,
        "current": versions.last().map(agreement),
        "versions": versions.iter().map(agreement).collect::<Vec<_>>(),
        "account": {
            "collected_cents": account.collected.cents(),
            "paid_out_cents": account.paid_out.cents(),
            "payable_cents": account.payable.cents(),
        },
    })
}

fn line(l: &StatementLine) -> Value {
    json!({
        "date": l.on.to_string(),
        "case": l.case_number,
        "invoices": l.invoices,
        "bank_entry": l.bank_entry,
        "received_cents": l.received.cents(),
        "principal_cents": l.principal.cents(),
        "interest_cents": l.interest.cents(),
        "costs_cents": l.costs.cents(),
        "vat_cents": l.vat.cents(),
        "commission_cents": l.commission.cents(),
        "agency_keeps_cents": l.agency_keeps.cents(),
        "net_to_client_cents": l.net.cents(),
    })
}

/// A payout run: every remittance of the day, who was not paid and why,
/// and the files written.
pub fn outcome(o: &RemitOutcome) -> Value {
    json!({
        "as_of": o.as_of.to_string(),
        "dry_run": o.dry_run,
        "posted_transfers": o.posted,
        "total_cents": o.remittances.iter().map(|r| r.amount.cents()).sum::<i64>(),
        "remittances": o.remittances.iter().map(|r| json!({
            "client": r.client_ref,
            "period": r.period,
            "batch": r.batch,
            "end_to_end_id": r.end_to_end_id,
            "amount_cents": r.amount.cents(),
            "commission_cents": r.commission.cents(),
            "agency_keeps_cents": r.agency_keeps.cents(),
            "iban": r.payout_iban,
            "new": r.new,
            "lines": r.lines.iter().map(line).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "skipped": o.skipped.iter().map(|s| json!({
            "client": s.client_ref,
            "payable_cents": s.payable.cents(),
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "files": o.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
    })
}

/// A refund run: every refund of the day and the overpayments that wait.
pub fn refunds(o: &RefundOutcome) -> Value {
    json!({
        "as_of": o.as_of.to_string(),
        "dry_run": o.dry_run,
        "posted_transfers": o.posted,
        "refunds": o.refunds.iter().map(|r| json!({
            "entry": r.entry,
            "case": r.case_number,
            "payer_name": r.payer_name,
            "payer_iban": r.payer_iban,
            "amount_cents": r.amount.cents(),
            "batch": r.batch,
            "end_to_end_id": r.end_to_end_id,
            "new": r.new,
        })).collect::<Vec<_>>(),
        "waiting": o.waiting.iter().map(|w| json!({
            "entry": w.entry,
            "amount_cents": w.amount.cents(),
            "reason": w.reason,
        })).collect::<Vec<_>>(),
        "files": o.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementBody {
    /// `15%`, `12.5` (percent).
    commission: String,
    commission_rounding: Option<String>,
    costs: String,
    interest: String,
    payout: String,
    min_payout: Option<String>,
    iban: String,
    bic: Option<String>,
    name: Option<String>,
    effective_from: Option<String>,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("{field}: {message}"),
    )
}

async fn put_agreement(
    State(s): State<AppState>,
    Path(client): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let b: AgreementBody = parse_json(&body)?;
    blocking(move || {
        let c = s.svc.client(&s.actor, &client)?;
        let one_of = |field: &str, v: &str, allowed: &str| {
            invalid(field, format!("'{v}' is not one of {allowed}"))
        };
        let terms = AgreementTerms {
            commission_bps: parse_commission(&b.commission)
                .map_err(|e| invalid("commission", e))?,
            commission_rounding: match &b.commission_rounding {
                Some(r) => parse_rounding(r)
                    .ok_or_else(|| one_of("commission_rounding", r, "half_up, down, up"))?,
                None => kwijting_domain::Rounding::HalfUp,
            },
            costs_to: parse_beneficiary(&b.costs)
                .ok_or_else(|| one_of("costs", &b.costs, "client, agency"))?,
            interest_to: parse_beneficiary(&b.interest)
                .ok_or_else(|| one_of("interest", &b.interest, "client, agency"))?,
            frequency: PayoutFrequency::parse(&b.payout)
                .ok_or_else(|| one_of("payout", &b.payout, "weekly, monthly, on_demand"))?,
            min_payout: match &b.min_payout {
                Some(m) => Money::parse_non_negative(m).map_err(|e| invalid("min_payout", e))?,
                None => Money::ZERO,
            },
            iban: Iban::parse(&b.iban).map_err(|e| invalid("iban", e))?,
            bic: b
                .bic
                .as_deref()
                .map(Bic::parse)
                .transpose()
                .map_err(|e| invalid("bic", e))?,
            name: b.name.clone().unwrap_or(c.name),
            effective_from: match &b.effective_from {
                Some(d) => {
                    kwijting_domain::parse_date(d).map_err(|e| invalid("effective_from", e))?
                }
                None => s.svc.clock().today(),
            },
        };
        let a = s.svc.set_client_agreement(&s.actor, &client, &terms)?;
        Ok(Json(agreement(&a)))
    })
    .await
}

async fn get_agreement(
    State(s): State<AppState>,
    Path(client): Path<String>,
) -> ApiResult<Json<Value>> {
    blocking(move || {
        // No agreement yet: `current` is null (the client keeps everything).
        let versions = s.svc.client_agreements(&s.actor, &client)?;
        let account = s.svc.client_account(&s.actor, &client)?;
        Ok(Json(agreements(&client, &versions, &account)))
    })
    .await
}
