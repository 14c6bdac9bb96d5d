//! The record of processing activities, GDPR art. 30(1) (and 30(2) for the
//! purposes where the agency is a processor), in Markdown and JSON. The
//! register is an internal document for the controller and the supervisory
//! authority: it is written in English and uses the policy's ids, so each
//! line can be traced to the policy file and the catalog.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{
    CatalogView, Language, legal_basis_article, legal_basis_text, oneline, safeguard_text,
};
use crate::{
    ChangeNotice, ControllerRole, CountFrom, EraseEvent, Policy, Purpose, RecipientKind,
    RetentionRule, Role, Scope,
};

const EN: Language = Language::En;

/// The register of processing as Markdown.
pub fn register_markdown(policy: &Policy, catalog: &CatalogView) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut out, policy, catalog);
    out
}

fn write_markdown(out: &mut String, policy: &Policy, catalog: &CatalogView) -> std::fmt::Result {
    let c = policy.controller();
    let a = policy.supervisory_authority();
    let s = policy.statement();
    writeln!(out, "# Register of processing activities\n")?;
    writeln!(
        out,
        "The record of processing activities under GDPR art. 30, generated from the processing \
         policy `{}` and the personal-data catalog. Do not edit it by hand: change the policy.\n",
        policy.source_name()
    )?;

    writeln!(out, "## Controller (art. 30(1)(a))\n")?;
    writeln!(out, "- Name: {}", c.name)?;
    writeln!(
        out,
        "- Address: {}, {} {}, {}",
        c.street,
        c.postcode,
        c.city,
        c.country.as_str()
    )?;
    writeln!(out, "- Contact: {}, {}, {}", c.email, c.phone, c.website)?;
    writeln!(out, "- Chamber of Commerce (KvK) number: {}", c.kvk_number)?;
    writeln!(
        out,
        "- Supervisory authority: {}, {}, {} {}, {}",
        a.name, a.postal_address, a.postcode, a.city, a.website
    )?;
    writeln!(
        out,
        "- Privacy statement: version {}, effective {}; changes are announced by {}",
        s.version,
        s.effective_date,
        match s.change_notice {
            ChangeNotice::Email => "e-mail",
        }
    )?;

    writeln!(out, "\n## Processing activities")?;
    for (n, purpose) in policy.purposes().enumerate() {
        write_purpose(out, n + 1, purpose, policy, catalog)?;
    }

    writeln!(
        out,
        "\n## Technical and organisational security measures (art. 30(1)(g))\n"
    )?;
    for m in policy.security_measures() {
        writeln!(
            out,
            "- {} (`{}`{})",
            oneline(&m.description_en),
            m.id,
            requirements_suffix(&m.requirements)
        )?;
    }

    writeln!(out, "\n## Roles and need-to-know (R27)\n")?;
    writeln!(
        out,
        "A role reads a data category only while acting for one of its purposes that processes it.\n"
    )?;
    writeln!(
        out,
        "| role | scope | access | purposes | data categories |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for role in policy.roles() {
        writeln!(
            out,
            "| {} (`{}`) | {} | {} | {} | {} |",
            cell(&role.name_en),
            role.id,
            scope_text(role),
            access_text(role),
            ids_or_none(&role.purposes),
            ids_or_none(&role.data_categories)
        )?;
    }

    write_catalog(out, policy, catalog)
}

fn write_purpose(
    out: &mut String,
    n: usize,
    p: &Purpose,
    policy: &Policy,
    catalog: &CatalogView,
) -> std::fmt::Result {
    writeln!(out, "\n### {n}. {} (`{}`)\n", p.name_en, p.id)?;
    match p.controller_role {
        ControllerRole::Controller => writeln!(out, "- Role: controller (art. 30(1))")?,
        ControllerRole::Processor => writeln!(
            out,
            "- Role: processor (art. 30(2)); the controller is the client of each mandate \
             with this role (`kwijting clients list`)"
        )?,
    }
    if !p.requirements.is_empty() {
        writeln!(out, "- Requirements: {}", p.requirements.join(", "))?;
    }
    writeln!(
        out,
        "- Purpose (art. 30(1)(b)): {}",
        oneline(&p.description_en)
    )?;
    writeln!(out, "- Legal bases:")?;
    for b in &p.legal_bases {
        writeln!(
            out,
            "  - {}: {}",
            legal_basis_article(*b, EN),
            legal_basis_text(*b, EN)
        )?;
    }
    if let Some(li) = &p.legitimate_interest_en {
        writeln!(out, "- Legitimate interest (art. 6(1)(f)): {}", oneline(li))?;
    }
    writeln!(out, "- Categories of data subjects (art. 30(1)(c)):")?;
    for id in &p.data_subject_categories {
        if let Some(s) = policy.subject_category(id) {
            writeln!(out, "  - {} (`{id}`)", s.name_en)?;
        }
    }
    writeln!(out, "- Categories of personal data (art. 30(1)(c)):")?;
    for id in &p.data_categories {
        let Some(d) = policy.data_category(id) else {
            continue;
        };
        let special = if d.special {
            ", special category (art. 9/10)"
        } else {
            ""
        };
        let fields = catalog.fields(id, &p.id);
        let stored = if fields.is_empty() {
            "no stored fields in the catalog".to_owned()
        } else {
            fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "  - {} (`{id}`{special}): {stored}", d.name_en)?;
    }
    if p.pseudonymised_only {
        writeln!(
            out,
            "- Pseudonymised data only (R41): no direct identifiers, no special categories"
        )?;
    }
    if !p.sources.is_empty() {
        writeln!(out, "- Sources (art. 14(2)(f)):")?;
        for id in &p.sources {
            if let Some(s) = policy.source(id) {
                writeln!(out, "  - {} (`{id}`)", s.name_en)?;
            }
        }
    }
    writeln!(out, "- Recipients (art. 30(1)(d), (e)):\n")?;
    writeln!(
        out,
        "  | recipient | kind | country | transfer safeguard | confidentiality duty |"
    )?;
    writeln!(out, "  |---|---|---|---|---|")?;
    let mut transfers = Vec::new();
    for id in &p.recipient_categories {
        let Some(r) = policy.recipient(id) else {
            continue;
        };
        if !r.country.is_inside_eea() {
            transfers.push(r);
        }
        writeln!(
            out,
            "  | {} (`{id}`) | {} | {} | {} | {} |",
            cell(&r.name_en),
            kind_id(r.kind),
            r.country.as_str(),
            safeguard_text(r.transfer_safeguard, EN),
            if r.confidentiality_duty { "yes" } else { "no" }
        )?;
    }
    writeln!(out)?;
    if transfers.is_empty() {
        writeln!(
            out,
            "- Transfers outside the EEA (art. 30(1)(e)): none; every recipient is inside the EEA"
        )?;
    } else {
        writeln!(out, "- Transfers outside the EEA (art. 30(1)(e)):")?;
        for r in transfers {
            writeln!(
                out,
                "  - {} (country: {}): {}",
                r.name_en,
                r.country.as_str(),
                safeguard_text(r.transfer_safeguard, EN)
            )?;
        }
    }
    if let Some(rule) = policy.retention_rule(&p.retention) {
        writeln!(
            out,
            "- Retention (art. 30(1)(f)): `{}`: {}. {}",
            rule.id,
            period_text(rule),
            oneline(&rule.description_en)
        )?;
    }
    match &p.automated_decisions_description_en {
        Some(d) if p.automated_decisions => {
            writeln!(out, "- Automated decisions (art. 22): yes. {}", oneline(d))?
        }
        _ => writeln!(out, "- Automated decisions (art. 22): none")?,
    }
    Ok(())
}

fn write_catalog(out: &mut String, policy: &Policy, catalog: &CatalogView) -> std::fmt::Result {
    writeln!(out, "\n## Where personal data is stored\n")?;
    writeln!(
        out,
        "From the personal-data catalog: every personal column, its data category and purposes, \
         and how a row leads to its data subject."
    )?;
    let mut without = Vec::new();
    for t in &catalog.tables {
        let personal: Vec<_> = t.columns.iter().filter(|c| c.category.is_some()).collect();
        if personal.is_empty() {
            without.push(format!("`{}`", t.name));
            continue;
        }
        writeln!(out, "\n### `{}`\n", t.name)?;
        writeln!(out, "Whose data: {}.\n", oneline(&t.subject_link))?;
        writeln!(out, "| column | data category | purposes |")?;
        writeln!(out, "|---|---|---|")?;
        for c in personal {
            let category = c.category.as_deref().unwrap_or_default();
            let known = if policy.data_category(category).is_some() {
                ""
            } else {
                " (not in the policy)"
            };
            writeln!(
                out,
                "| `{}` | {category}{known} | {} |",
                c.name,
                ids_or_none(&c.purposes)
            )?;
        }
    }
    if !without.is_empty() {
        writeln!(
            out,
            "\nTables without personal data: {}.",
            without.join(", ")
        )?;
    }
    let unknown = catalog.unknown_to(policy);
    if !unknown.is_empty() {
        writeln!(out, "\nThe catalog names ids the policy does not know:\n")?;
        for u in unknown {
            writeln!(out, "- {u}")?;
        }
    }
    Ok(())
}

/// The register of processing as JSON. Texts carry both languages
/// (`{"nl": .., "en": ..}`); lists are in file order.
pub fn register_json(policy: &Policy, catalog: &CatalogView) -> Value {
    let c = policy.controller();
    let a = policy.supervisory_authority();
    let s = policy.statement();
    json!({
        "record": "GDPR art. 30 record of processing activities",
        "policy_source": policy.source_name(),
        "statement": {
            "version": s.version,
            "effective_date": s.effective_date.to_string(),
            "change_notice": match s.change_notice {
                ChangeNotice::Email => "email",
            },
        },
        "controller": {
            "name": c.name,
            "street": c.street,
            "postcode": c.postcode,
            "city": c.city,
            "country": c.country.as_str(),
            "email": c.email,
            "phone": c.phone,
            "website": c.website,
            "kvk_number": c.kvk_number,
        },
        "supervisory_authority": {
            "name": a.name,
            "postal_address": a.postal_address,
            "postcode": a.postcode,
            "city": a.city,
            "country": a.country.as_str(),
            "phone": a.phone,
            "website": a.website,
        },
        "processing_activities": policy
            .purposes()
            .map(|p| purpose_json(p, policy, catalog))
            .collect::<Vec<_>>(),
        "security_measures": policy.security_measures().map(|m| json!({
            "id": m.id,
            "requirements": m.requirements,
            "description": both(&m.description_nl, &m.description_en),
        })).collect::<Vec<_>>(),
        "roles": policy.roles().map(|r| json!({
            "id": r.id,
            "name": both(&r.name_nl, &r.name_en),
            "scope": match r.scoped {
                None => "all_clients",
                Some(Scope::Client) => "client",
                Some(Scope::OwnData) => "self",
            },
            "read_only": r.read_only,
            "purposes": r.purposes,
            "data_categories": r.data_categories,
        })).collect::<Vec<_>>(),
        "catalog": catalog.tables.iter().map(|t| json!({
            "table": t.name,
            "subject_link": oneline(&t.subject_link),
            "personal_columns": t.columns.iter().filter_map(|c| {
                c.category.as_ref().map(|category| json!({
                    "column": c.name,
                    "data_category": category,
                    "purposes": c.purposes,
                }))
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "catalog_unknown_ids": catalog.unknown_to(policy),
    })
}

fn purpose_json(p: &Purpose, policy: &Policy, catalog: &CatalogView) -> Value {
    let rule = policy.retention_rule(&p.retention);
    json!({
        "id": p.id,
        "requirements": p.requirements,
        "name": both(&p.name_nl, &p.name_en),
        "description": both(&p.description_nl, &p.description_en),
        "role": p.controller_role.as_str(),
        "legal_bases": p.legal_bases.iter().map(|b| json!({
            "id": b.as_str(),
            "article": both(&legal_basis_article(*b, Language::Nl), &legal_basis_article(*b, EN)),
            "text": both(legal_basis_text(*b, Language::Nl), legal_basis_text(*b, EN)),
        })).collect::<Vec<_>>(),
        "legitimate_interest": optional_both(&p.legitimate_interest_nl, &p.legitimate_interest_en),
        "controller_notice": optional_both(&p.controller_notice_nl, &p.controller_notice_en),
        "pseudonymised_only": p.pseudonymised_only,
        "data_subject_categories": p.data_subject_categories.iter().filter_map(|id| {
            policy.subject_category(id).map(|s| json!({
                "id": id,
                "name": both(&s.name_nl, &s.name_en),
            }))
        }).collect::<Vec<_>>(),
        "data_categories": p.data_categories.iter().filter_map(|id| {
            policy.data_category(id).map(|d| json!({
                "id": id,
                "name": both(&d.name_nl, &d.name_en),
                "special": d.special,
                "stored_fields": catalog.fields(id, &p.id),
            }))
        }).collect::<Vec<_>>(),
        "sources": p.sources.iter().filter_map(|id| {
            policy.source(id).map(|s| json!({
                "id": id,
                "name": both(&s.name_nl, &s.name_en),
            }))
        }).collect::<Vec<_>>(),
        "recipients": p.recipient_categories.iter().filter_map(|id| {
            policy.recipient(id).map(|r| json!({
                "id": id,
                "name": both(&r.name_nl, &r.name_en),
                "kind": kind_id(r.kind),
                "country": r.country.as_str(),
                "inside_eea": r.country.is_inside_eea(),
                "transfer_safeguard": safeguard_id(r.transfer_safeguard),
                "confidentiality_duty": r.confidentiality_duty,
            }))
        }).collect::<Vec<_>>(),
        "retention": rule.map(|r| json!({
            "id": r.id,
            "requirements": r.requirements,
            "trigger": r.trigger.as_str(),
            "period_months": r.period_months,
            "count_from": match r.count_from {
                CountFrom::TriggerDate => "trigger_date",
                CountFrom::EndOfCalendarYear => "end_of_calendar_year",
            },
            "statutory": r.statutory,
            "earlier_when_no_longer_relevant": r.earlier_when_no_longer_relevant,
            "erase_at_once_on": r.erase_at_once_on.iter().map(|e| erase_event_id(*e)).collect::<Vec<_>>(),
            "legal_hold": r.is_legal_hold(),
            "description": both(&r.description_nl, &r.description_en),
        })),
        "automated_decisions": {
            "present": p.automated_decisions,
            "description": optional_both(
                &p.automated_decisions_description_nl,
                &p.automated_decisions_description_en,
            ),
        },
    })
}

fn both(nl: &str, en: &str) -> Value {
    json!({ "nl": oneline(nl), "en": oneline(en) })
}

fn optional_both(nl: &Option<String>, en: &Option<String>) -> Value {
    match (nl, en) {
        (Some(nl), Some(en)) => both(nl, en),
        _ => Value::Null,
    }
}

/// `60 months from case_closed`, `84 months from the end of the calendar
/// year of fiscal_year_end`, `legal hold until legal_claim_resolved`.
fn period_text(rule: &RetentionRule) -> String {
    let trigger = rule.trigger.as_str();
    let mut s = match (rule.period_months, rule.count_from) {
        (None, _) => {
            format!("legal hold until {trigger}, no fixed period, overrides the other rules (R22)")
        }
        (Some(m), CountFrom::TriggerDate) => format!("{m} months from {trigger}"),
        (Some(m), CountFrom::EndOfCalendarYear) => {
            format!("{m} months from the end of the calendar year of {trigger}")
        }
    };
    if rule.statutory {
        s.push_str(", statutory");
    }
    if rule.earlier_when_no_longer_relevant {
        s.push_str(", earlier when no longer relevant");
    }
    if !rule.erase_at_once_on.is_empty() {
        let events: Vec<_> = rule
            .erase_at_once_on
            .iter()
            .map(|e| erase_event_id(*e))
            .collect();
        s.push_str(&format!(", erased at once on {}", events.join(", ")));
    }
    s
}

fn erase_event_id(e: EraseEvent) -> &'static str {
    match e {
        EraseEvent::NewsletterUnsubscribe => "newsletter_unsubscribe",
        EraseEvent::MarketingObjection => "marketing_objection",
    }
}

fn kind_id(kind: RecipientKind) -> &'static str {
    match kind {
        RecipientKind::Processor => "processor",
        RecipientKind::IndependentController => "independent_controller",
        RecipientKind::Authority => "authority",
    }
}

fn safeguard_id(s: crate::TransferSafeguard) -> &'static str {
    use crate::TransferSafeguard::*;
    match s {
        None => "none",
        Adequacy => "adequacy",
        StandardContractualClauses => "standard_contractual_clauses",
        BindingCorporateRules => "binding_corporate_rules",
        Art49_1E => "art_49_1_e",
    }
}

fn scope_text(role: &Role) -> &'static str {
    match role.scoped {
        None => "all clients",
        Some(Scope::Client) => "own client",
        Some(Scope::OwnData) => "own data",
    }
}

fn access_text(role: &Role) -> &'static str {
    if role.read_only {
        "read only"
    } else {
        "read and write"
    }
}

fn ids_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

fn requirements_suffix(requirements: &[String]) -> String {
    if requirements.is_empty() {
        String::new()
    } else {
        format!("; {}", requirements.join(", "))
    }
}

/// A text as a Markdown table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    oneline(s).replace('|', "\\|")
}
