//! The JSON shapes of the API and of the CLI's `--json` output, converted by
//! hand from service types so the domain can change without breaking them.

use kwijting_service::cases::{CaseListing, Standing};
use kwijting_store::{BankEntry, CaseDetail, CaseSummary, ClientRow, DecisionRow, HoldRow};
use serde_json::{Value, json};

pub fn client(c: &ClientRow) -> Value {
    json!({
        "ref": c.reference,
        "name": c.name,
        "role": c.role.as_str(),
        "privacy_contact": c.privacy_contact,
        "legal_action_allowed": c.settings.legal_action_allowed,
        "legal_action_min_cents": c.settings.legal_action_min_cents,
        "review_all_legal_steps": c.settings.review_all_legal_steps,
        "costs_fixed_cents": c.settings.costs_fixed_cents,
        "costs_percent_bps": c.settings.costs_percent_bps,
        "vat_not_deductible": c.settings.vat_not_deductible,
    })
}

/// A case's standing as the API shows it: `balance_cents` is what is owed
/// today by the statement of account, its parts beside it; when the law
/// engine cannot say (a missing rate), the figures are null and
/// `balance_unknown` says why.
pub fn standing(s: &Standing) -> Value {
    match s {
        Standing::Known(s) => json!({
            "balance_as_of": s.as_of.to_string(),
            "balance_cents": s.owed.cents(),
            "principal_owed_cents": s.principal.cents(),
            "interest_owed_cents": s.interest.cents(),
            "costs_owed_cents": s.costs.cents(),
            "vat_owed_cents": s.vat.cents(),
            "paid_cents": s.paid.cents(),
            "overpaid_cents": s.overpaid.cents(),
        }),
        Standing::Unknown(why) => json!({
            "balance_cents": null,
            "balance_unknown": why,
        }),
    }
}

pub fn case_summary(c: &CaseSummary, s: &Standing) -> Value {
    let mut v = json!({
        "number": c.number,
        "client": c.client_ref,
        "status": c.status.as_str(),
        "debtor_type": c.debtor_type.as_str(),
        "principal_at_intake_cents": c.principal_cents,
        "opened_on": c.opened_on.to_string(),
        "first_due_on": c.first_due_on.to_string(),
        "debtor": { "id": c.debtor.id.0, "name": c.debtor.name },
    });
    if let (Some(v), Value::Object(parts)) = (v.as_object_mut(), standing(s)) {
        v.extend(parts);
    }
    v
}

pub fn case_page(p: &CaseListing) -> Value {
    json!({
        "total": p.total,
        "cases": p.cases.iter().map(|c| case_summary(&c.summary, &c.standing)).collect::<Vec<_>>(),
    })
}

pub fn case_detail(d: &CaseDetail, s: &Standing) -> Value {
    let mut v = case_summary(&d.summary, s);
    v["payment_reference"] = json!(d.payment_reference);
    v["rf_reference"] = json!(d.rf_reference);
    v["closed_on"] = json!(d.closed_on.map(|x| x.to_string()));
    v["parties"] = d
        .parties
        .iter()
        .map(|cp| {
            let p = &cp.party;
            json!({
                "role": cp.role.as_str(),
                "id": p.id.0,
                "kind": p.kind.as_str(),
                "name": p.name,
                "birth_date": p.birth_date.map(|x| x.to_string()),
                "kvk_number": p.kvk_number,
                "email": p.email,
                "phone": p.phone,
                "iban": p.iban,
                "source": p.source,
                "address": p.address.as_ref().map(|a| json!({
                    "street": a.street,
                    "postcode": a.postcode,
                    "city": a.city,
                    "country": a.country,
                    "source": a.source,
                    "valid_from": a.valid_from.to_string(),
                })),
            })
        })
        .collect();
    v["claims"] = d
        .claims
        .iter()
        .map(|c| {
            let mut claim = json!({
                "invoice_number": c.invoice_number,
                "invoice_date": c.invoice_date.to_string(),
                "due_date": c.due_date.to_string(),
                "principal_cents": c.principal_cents,
                "description": c.description,
                "agreement_ref": c.agreement_ref,
                "consumer_sale": c.consumer_sale,
            });
            // Limitation on the day the balance is for (art. 3:307, 3:308,
            // 7:28 BW), after the written demands so far.
            if let Standing::Known(s) = s
                && let Some(l) = s.limitation.iter().find(|l| l.claim == c.id)
            {
                claim["limitation_last_day"] = json!(l.last_day.to_string());
                claim["time_barred"] = json!(l.time_barred);
                claim["interest_time_barred_through"] =
                    json!(l.interest_barred_through.map(|d| d.to_string()));
            }
            claim
        })
        .collect();
    v
}

pub fn decision(d: &DecisionRow) -> Value {
    json!({
        "id": d.id,
        "case_id": d.case.0,
        "run_date": d.run_date.to_string(),
        "strategy": d.strategy_id,
        "strategy_version": d.strategy_version,
        "rule": d.rule,
        "action": d.action,
        "inputs": d.inputs.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))).collect::<serde_json::Map<_, _>>(),
        "needs_review": d.needs_review,
        "review_state": d.review_state,
        "reviewed_by": d.reviewed_by,
    })
}

pub fn hold(h: &HoldRow) -> Value {
    json!({
        "kind": h.kind,
        "reason": h.reason,
        "placed_on": h.placed_on.to_string(),
        "lifted_on": h.lifted_on.map(|d| d.to_string()),
        "placed_by": h.placed_by,
    })
}

pub fn run_summary(s: &kwijting_service::daily_run::RunSummary) -> Value {
    json!({
        "as_of": s.as_of.map(|d| d.to_string()),
        "cases_seen": s.cases_seen,
        "decisions": s.decisions,
        "new_decisions": s.new_decisions,
        "by_action": s.by_action,
        "holds": s.holds,
        "review_queue": s.review_queue,
        "errors": s.errors,
        "error_reasons": s.error_reasons.iter().map(|(m, n, first)| json!({"message": m, "cases": n, "first_case": first})).collect::<Vec<_>>(),
        "arrangements": {
            "watched": s.arrangements.watched,
            "reminders": s.arrangements.reminders,
            "broken": s.arrangements.broken,
            "completed": s.arrangements.completed,
        },
    })
}

pub fn bank_entry(e: &BankEntry) -> Value {
    json!({
        "key": e.key,
        "source": e.source,
        "account": e.account,
        "booked_on": e.booked_on.map(|d| d.to_string()),
        "amount_cents": e.amount_cents,
        "counterparty_name": e.counterparty_name,
        "counterparty_iban": e.counterparty_iban,
        "remittance": e.remittance,
        "structured_reference": e.structured_ref,
        "state": e.match_state,
        "case_id": e.case.map(|c| c.0),
        "confidence": e.confidence,
        "reason": e.reason,
    })
}

pub fn assigned(a: &kwijting_service::payments::Assigned) -> Value {
    json!({
        "entry_key": a.entry_key,
        "case": a.case_number,
        "amount_cents": a.amount.cents(),
        "refund_cents": a.refund.cents(),
    })
}

pub fn debit_assigned(d: &kwijting_service::payments::DebitAssigned) -> Value {
    json!({
        "entry_key": d.entry_key,
        "booked_as": d.booked_as,
        "amount_cents": d.amount.cents(),
        "case": d.case_number,
        "original_entry_key": d.original_entry_key,
    })
}

pub fn assignment(a: &kwijting_service::payments::Assignment) -> Value {
    match a {
        kwijting_service::payments::Assignment::Credit(c) => assigned(c),
        kwijting_service::payments::Assignment::Debit(d) => debit_assigned(d),
    }
}

pub fn returned_receipt(r: &kwijting_service::settle::ReturnedReceipt) -> Value {
    json!({
        "entry_key": r.entry_key,
        "original_entry_key": r.original_entry_key,
        "case_id": r.case.map(|c| c.0),
        "amount_cents": r.amount.cents(),
        "on": r.on.to_string(),
        "reason_code": r.reason_code,
        "end_to_end_id": r.end_to_end_id,
    })
}
