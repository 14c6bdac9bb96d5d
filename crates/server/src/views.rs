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

/// The basis of a costs line as a stable code (the text says it in words).
fn costs_basis_code(
    rule: kwijting_law::nl::costs::CostsRule,
    agreement: kwijting_law::nl::costs::BusinessCostsAgreement,
) -> &'static str {
    use kwijting_law::nl::costs::{BusinessCostsAgreement as A, CostsRule as R};
    match (rule, agreement) {
        (R::Agreed, A::FixedAmount(_)) => "agreed_fixed",
        (R::Agreed, A::Percentage(_)) => "agreed_percentage",
        (R::Agreed, A::Bik) | (R::BikScale, _) => "bik_scale",
        (R::BikMinimum, _) => "bik_minimum",
        (R::BikMaximum, _) => "bik_maximum",
        (R::NothingUnpaid, _) => "nothing_unpaid",
    }
}

fn amounts(a: &kwijting_law::statement::Amounts) -> Value {
    json!({
        "principal_cents": a.principal.cents(),
        "interest_cents": a.interest.cents(),
        "costs_cents": a.costs.cents(),
        "vat_cents": a.vat.cents(),
        "total_cents": a.total().map(|m| m.cents()).ok(),
    })
}

/// The itemised statement of a case (the Wkid's specification): every
/// figure from the one statement of account, and `text` the same in plain
/// words in `lang`.
pub fn case_statement(
    cs: &kwijting_service::case_views::CaseStatement,
    lang: kwijting_strategy::Language,
) -> Value {
    use kwijting_domain::Rounding;
    use kwijting_law::nl::rates::RateMark;
    use kwijting_service::case_views::{costs_basis_text, interest_kind_text, rate_mark_text};
    let s = &cs.statement;
    let invoice = |id| cs.claim(id).map(|c| c.invoice_number.clone());
    json!({
        "case": cs.number,
        "client": cs.client_ref,
        "debtor_name": cs.debtor_name,
        "payment_reference": cs.payment_reference,
        "as_of": s.as_of.to_string(),
        "lang": match lang { kwijting_strategy::Language::Nl => "nl", kwijting_strategy::Language::En => "en" },
        "debtor_type": s.debtor.as_str(),
        "claims": s.claims.iter().map(|c| {
            let row = cs.claim(c.id);
            json!({
                "invoice_number": row.map(|r| r.invoice_number.clone()),
                "invoice_date": row.map(|r| r.invoice_date.to_string()),
                "description": row.and_then(|r| r.description.clone()),
                "due_on": c.due_on.to_string(),
                "principal_cents": c.charged.principal.cents(),
                "interest_kind": c.interest_kind.as_str(),
                "interest_kind_text": interest_kind_text(c.interest_kind, lang),
                "interest_from": c.interest_from.to_string(),
                "interest_periods": c.periods.iter().map(|p| json!({
                    "from": p.from().to_string(),
                    "to": p.to().to_string(),
                    "days": p.days,
                    "rate_percent": p.rate.to_string(),
                    "rate_mark": p.mark.as_str(),
                    "rate_mark_text": rate_mark_text(p.mark, lang),
                    "provisional": p.mark == RateMark::Provisional,
                    "base_cents": p.base.cents(),
                    "interest_cents": p.interest.to_money(Rounding::HalfUp).map(|m| m.cents()).ok(),
                    "interest_exact": p.interest.to_decimal_4(),
                })).collect::<Vec<_>>(),
                "charged": amounts(&c.charged),
                "paid": amounts(&c.paid),
                "outstanding": amounts(&c.outstanding),
                "limitation_last_day": cs.limitation_of(c.id).map(|l| l.last_day.to_string()),
                "time_barred": cs.limitation_of(c.id).map(|l| l.time_barred),
                "interest_time_barred_through": cs.limitation_of(c.id).and_then(|l| l.interest_barred_through.map(|d| d.to_string())),
                "limitation_text": cs.limitation_of(c.id).map(|l| kwijting_service::case_views::limitation_text(l, lang)),
            })
        }).collect::<Vec<_>>(),
        "demand_letter": s.demand_letter.map(|l| json!({
            "sent_on": l.sent_on.to_string(),
            "delivered_on": l.delivered_on.to_string(),
            "term_ends_on": l.last_day_to_pay.to_string(),
            "costs_from": l.costs_from.to_string(),
        })),
        "costs": s.costs.iter().map(|l| json!({
            "on": l.on.to_string(),
            "base_cents": l.base.cents(),
            "costs_cents": l.costs.cents(),
            "vat_cents": l.vat.cents(),
            "vat_rate_percent": s.costs_terms.vat_rate.filter(|_| !l.vat.is_zero()).map(|r| r.to_string()),
            "basis": costs_basis_code(l.rule, s.costs_terms.agreement),
            "basis_text": costs_basis_text(l.rule, s.costs_terms.agreement, l.exceeds_bik, lang),
            "exceeds_bik": l.exceeds_bik,
            "recalculation": l.recalculation,
        })).collect::<Vec<_>>(),
        "payments": s.payments.iter().map(|p| json!({
            "on": p.on.to_string(),
            "amount_cents": p.amount.cents(),
            "designated_invoice": p.designated.and_then(invoice),
            "applied": p.shares.iter().map(|sh| json!({
                "invoice_number": invoice(sh.claim),
                "costs_cents": sh.applied.costs.cents(),
                "vat_cents": sh.applied.vat.cents(),
                "interest_cents": sh.applied.interest.cents(),
                "principal_cents": sh.applied.principal.cents(),
            })).collect::<Vec<_>>(),
            "unapplied_cents": p.unapplied.cents(),
        })).collect::<Vec<_>>(),
        "charged": amounts(&s.charged),
        "paid": amounts(&s.paid),
        "outstanding": amounts(&s.outstanding),
        "balance_cents": s.balance.cents(),
        "overpaid_cents": s.unapplied.cents(),
        "uses_provisional_rate": s.uses_provisional_rate,
        "assumed_rate_note": s.assumed_rate_note,
        "text": cs.render(lang),
    })
}

/// Cases a search found, each as in a listing (with what it owes today).
pub fn found_cases(f: &kwijting_service::case_views::FoundCases) -> Value {
    json!({
        "query": f.query,
        "more": f.more,
        "cases": f.cases.iter().map(|c| case_summary(&c.summary, &c.standing)).collect::<Vec<_>>(),
    })
}

/// A page of the review queue: `total` counts every waiting decision.
pub fn review_page(p: &kwijting_service::case_views::ReviewPage) -> Value {
    json!({
        "total": p.total,
        "decisions": p.decisions.iter().map(|(d, number)| {
            let mut v = decision(d);
            v["case"] = Value::String(number.clone());
            // What the case owes today: the same figure as the case itself.
            if let Some(s) = p.owed.get(&d.case)
                && let Value::Object(owed) = standing(s)
            {
                for (k, x) in owed {
                    v[k] = x;
                }
            }
            v
        }).collect::<Vec<_>>(),
    })
}
