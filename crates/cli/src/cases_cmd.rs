//! `kwijting cases statement`, `cases search`, `cases show` as text and
//! `review list`: what a case handler needs on a case. The figures come
//! from the service's one statement of account; this file only renders.

use clap::Args;
use kwijting_domain::{Actor, Money};
use kwijting_server::views;
use kwijting_service::Kwijting;
use kwijting_service::case_views::{SEARCH_LIMIT_DEFAULT, day_text, euros};
use kwijting_service::cases::Standing;
use kwijting_strategy::Language;

use crate::{input_error, parse_as_of, print_json, refused};

/// How many decisions and payments `cases show` lists (the newest).
const RECENT: usize = 3;

#[derive(Args)]
pub struct StatementArgs {
    pub number: String,
    /// The day of the statement (YYYY-MM-DD); default: today
    #[arg(long)]
    pub as_of: Option<String>,
    /// nl or en
    #[arg(long, default_value = "nl")]
    pub lang: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SearchArgs {
    /// A debtor's name (or part of it), IBAN, postcode, invoice number,
    /// payment reference or case number
    pub query: String,
    #[arg(long, default_value_t = SEARCH_LIMIT_DEFAULT)]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    pub number: String,
    /// nl or en (the text; --json is the same in both)
    #[arg(long, default_value = "nl")]
    pub lang: String,
    #[arg(long)]
    pub json: bool,
}

fn language(lang: &str) -> anyhow::Result<Language> {
    kwijting_server::case_views::language(Some(lang)).map_err(|e| refused(anyhow::anyhow!("--{e}")))
}

/// Dutch or English, as a person reads it.
fn t(lang: Language, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::Nl => nl,
        Language::En => en,
    }
}

pub fn statement(svc: &Kwijting, actor: &Actor, a: StatementArgs) -> anyhow::Result<()> {
    let lang = language(&a.lang)?;
    let as_of = parse_as_of(a.as_of.as_deref()).map_err(refused)?;
    let cs = svc
        .itemised_statement(actor, &a.number, as_of)
        .map_err(input_error)?;
    if a.json {
        print_json(&views::case_statement(&cs, lang))
    } else {
        print!("{}", cs.render(lang));
        Ok(())
    }
}

pub fn search(svc: &Kwijting, actor: &Actor, a: SearchArgs) -> anyhow::Result<()> {
    let found = svc
        .search_cases(actor, &a.query, a.limit)
        .map_err(input_error)?;
    if a.json {
        return print_json(&views::found_cases(&found));
    }
    println!(
        "{:<13} {:<12} {:<20} {:>14}  debtor",
        "case", "client", "status", "owed today"
    );
    for c in &found.cases {
        let s = &c.summary;
        println!(
            "{:<13} {:<12} {:<20} {:>14}  {}",
            s.number,
            s.client_ref,
            s.status.as_str(),
            owed(&c.standing, Language::En),
            s.debtor.name
        );
    }
    if found.more {
        println!(
            "the first {} cases found for '{}'; there are more (narrow the search or raise --limit)",
            found.cases.len(),
            found.query
        );
    } else {
        println!("{} case(s) found for '{}'", found.cases.len(), found.query);
    }
    Ok(())
}

fn owed(s: &Standing, lang: Language) -> String {
    match s {
        Standing::Known(s) => euros(s.owed, lang),
        Standing::Unknown(_) => t(lang, "onbekend", "unknown").to_owned(),
    }
}

/// A hold's kind in words.
fn hold_kind(kind: &str, lang: Language) -> String {
    let words = match kind {
        "dispute" => t(lang, "betwisting", "dispute"),
        "debt_counselling" => t(lang, "schuldhulpverlening", "debt counselling"),
        "wsnp" => t(lang, "schuldsanering (Wsnp)", "debt restructuring (WSNP)"),
        "gdpr_restriction" => t(
            lang,
            "beperking van de verwerking (AVG)",
            "restriction of processing (GDPR)",
        ),
        "gdpr_objection" => t(lang, "bezwaar (AVG)", "objection (GDPR)"),
        "deceased" => t(lang, "overleden", "deceased"),
        "client_hold" => t(
            lang,
            "stop op verzoek van de schuldeiser",
            "stopped by the client",
        ),
        "human_review" | "human_review_requested" => t(
            lang,
            "wacht op beoordeling door een medewerker",
            "waiting for review by a person",
        ),
        other => return other.replace('_', " "),
    };
    words.to_owned()
}

fn case_status(status: kwijting_domain::CaseStatus, lang: Language) -> &'static str {
    use kwijting_domain::{CaseStatus as S, ClosureReason as C};
    match status {
        S::Intake => t(lang, "nieuw", "new"),
        S::Active => t(lang, "in behandeling", "in collection"),
        S::Legal => t(lang, "gerechtelijke fase", "in legal proceedings"),
        S::Closed(C::Paid) => t(lang, "gesloten, betaald", "closed, paid"),
        S::Closed(C::Withdrawn) => t(lang, "gesloten, ingetrokken", "closed, withdrawn"),
        S::Closed(C::WrittenOff) => t(lang, "gesloten, afgeboekt", "closed, written off"),
        S::Closed(C::HandedOver) => t(
            lang,
            "gesloten, terug naar de schuldeiser",
            "closed, returned to the client",
        ),
    }
}

fn arrangement_status(status: &str, lang: Language) -> String {
    match status {
        "active" => t(lang, "loopt", "running"),
        "rejected" => t(lang, "afgewezen", "rejected"),
        "broken" => t(lang, "niet nagekomen", "broken"),
        "completed" => t(lang, "voldaan", "completed"),
        other => return other.replace('_', " "),
    }
    .to_owned()
}

pub fn show(svc: &Kwijting, actor: &Actor, a: ShowArgs) -> anyhow::Result<()> {
    let d = svc.case_file(actor, &a.number).map_err(input_error)?;
    let standing = svc.case_standing(actor, &a.number)?;
    if a.json {
        return print_json(&views::case_detail(&d, &standing));
    }
    let lang = language(&a.lang)?;
    let today = svc.clock().today();
    let s = &d.summary;
    println!(
        "{} {} · {} {} · {} {}",
        t(lang, "Dossier", "Case"),
        s.number,
        t(lang, "schuldeiser", "client"),
        s.client_ref,
        t(lang, "status", "status"),
        case_status(s.status, lang)
    );
    println!(
        "{} {}{}",
        t(lang, "Geopend op", "Opened on"),
        day_text(s.opened_on, lang),
        d.closed_on
            .map(|c| format!(
                ", {} {}",
                t(lang, "gesloten op", "closed on"),
                day_text(c, lang)
            ))
            .unwrap_or_default()
    );
    println!(
        "{} {} · RF {}",
        t(lang, "Betalingskenmerk", "Payment reference"),
        d.payment_reference,
        d.rf_reference
    );
    for cp in &d.parties {
        let p = &cp.party;
        let address = p
            .address
            .as_ref()
            .map(|a| format!(", {}, {} {}", a.street, a.postcode, a.city))
            .unwrap_or_default();
        println!(
            "{}: {}{}{}",
            match cp.role.as_str() {
                "debtor" => t(lang, "Schuldenaar", "Debtor"),
                "co_debtor" => t(lang, "Medeschuldenaar", "Co-debtor"),
                "guarantor" => t(lang, "Borg", "Guarantor"),
                "representative" => t(lang, "Vertegenwoordiger", "Representative"),
                _ => t(lang, "Betrokkene", "Party"),
            },
            p.name,
            address,
            p.iban
                .as_deref()
                .map(|i| format!(", IBAN {i}"))
                .unwrap_or_default()
        );
    }

    println!();
    match &standing {
        Standing::Known(st) => {
            println!(
                "{} ({}): {}",
                t(lang, "Nu te betalen", "Owed today"),
                day_text(st.as_of, lang),
                euros(st.owed, lang)
            );
            println!(
                "  {} {}, {} {}, {} {}, {} {}; {} {}",
                t(lang, "hoofdsom", "principal"),
                euros(st.principal, lang),
                t(lang, "rente", "interest"),
                euros(st.interest, lang),
                t(lang, "incassokosten", "collection costs"),
                euros(st.costs, lang),
                t(lang, "btw", "VAT"),
                euros(st.vat, lang),
                t(lang, "al betaald", "paid so far"),
                euros(st.paid, lang)
            );
            if !st.overpaid.is_zero() {
                println!(
                    "  {} {}",
                    t(
                        lang,
                        "te veel betaald, wordt terugbetaald:",
                        "overpaid, to be paid back:"
                    ),
                    euros(st.overpaid, lang)
                );
            }
        }
        Standing::Unknown(why) => println!(
            "{}: {why}",
            t(
                lang,
                "Wat er nu te betalen is, is niet bekend",
                "What is owed today is not known"
            )
        ),
    }

    println!("\n{}", t(lang, "Facturen", "Invoices"));
    for c in &d.claims {
        println!(
            "  {}  {} {}, {} {}  {}{}",
            c.invoice_number,
            t(lang, "van", "of"),
            day_text(c.invoice_date, lang),
            t(lang, "te betalen uiterlijk", "due by"),
            day_text(c.due_date, lang),
            euros(Money::from_cents(c.principal_cents), lang),
            c.description
                .as_deref()
                .map(|x| format!("  {x}"))
                .unwrap_or_default()
        );
    }

    println!("\n{}", t(lang, "Stops en pauzes", "Holds"));
    let holds = svc.holds(actor, &a.number).map_err(input_error)?;
    if holds.is_empty() {
        println!("  {}", t(lang, "geen", "none"));
    }
    for h in &holds {
        println!(
            "  {}: {} {}{} ({})",
            hold_kind(&h.kind, lang),
            t(lang, "vanaf", "from"),
            day_text(h.placed_on, lang),
            h.lifted_on
                .map(|l| format!(" {} {}", t(lang, "tot", "until"), day_text(l, lang)))
                .unwrap_or_else(|| format!(" ({})", t(lang, "loopt nog", "in force"))),
            h.reason
        );
    }

    println!(
        "\n{}",
        t(lang, "Betalingsregelingen", "Payment arrangements")
    );
    let arrangements = svc.arrangements(actor, &a.number).map_err(input_error)?;
    if arrangements.is_empty() {
        println!("  {}", t(lang, "geen", "none"));
    }
    for v in &arrangements {
        let r = &v.arrangement;
        println!(
            "  {} ({}): {} x {} {} {}, {} {}; {} {}, {} {}",
            r.id,
            arrangement_status(&r.status, lang),
            r.instalments,
            euros(Money::from_cents(r.instalment_cents), lang),
            match r.frequency.as_str() {
                "week" => t(lang, "per week", "a week"),
                _ => t(lang, "per maand", "a month"),
            },
            t(lang, "vanaf", "from"),
            t(lang, "totaal", "total"),
            euros(Money::from_cents(r.total_cents), lang),
            t(lang, "betaald", "paid"),
            euros(v.paid, lang),
            t(lang, "nog open", "remaining"),
            euros(v.remaining, lang)
        );
        if let Some(reason) = &r.reason {
            println!("    {reason}");
        }
    }

    println!("\n{}", t(lang, "Laatste beslissingen", "Recent decisions"));
    let explained = svc.explain(actor, &a.number, lang).map_err(input_error)?;
    if explained.is_empty() {
        println!("  {}", t(lang, "nog geen", "none yet"));
    }
    for (d, text) in explained.iter().take(RECENT) {
        println!("  {}:", day_text(d.run_date, lang));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            println!("    {line}");
        }
    }
    if explained.len() > RECENT {
        println!(
            "  ({} {}: kwijting cases explain {})",
            explained.len() - RECENT,
            t(lang, "eerdere", "earlier"),
            s.number
        );
    }

    println!("\n{}", t(lang, "Laatste betalingen", "Recent payments"));
    match svc.itemised_statement(actor, &a.number, today) {
        Ok(cs) => {
            let payments = &cs.statement.payments;
            if payments.is_empty() {
                println!("  {}", t(lang, "nog geen", "none yet"));
            }
            for p in payments.iter().rev().take(RECENT) {
                let applied = p.shares.iter().try_fold(Money::ZERO, |sum, sh| {
                    sum.checked_add(sh.applied.total().unwrap_or(Money::ZERO))
                });
                println!(
                    "  {}: {} ({} {}{})",
                    day_text(p.on, lang),
                    euros(p.amount, lang),
                    t(lang, "verrekend", "applied"),
                    euros(applied.unwrap_or(Money::ZERO), lang),
                    if p.unapplied.is_zero() {
                        String::new()
                    } else {
                        format!(
                            ", {} {}",
                            t(lang, "terug te betalen", "to pay back"),
                            euros(p.unapplied, lang)
                        )
                    }
                );
            }
            if payments.len() > RECENT {
                println!(
                    "  ({} {}: kwijting cases statement {})",
                    payments.len() - RECENT,
                    t(lang, "eerdere", "earlier"),
                    s.number
                );
            }
        }
        Err(e) => println!("  {e}"),
    }
    Ok(())
}

pub fn review_list(svc: &Kwijting, actor: &Actor, limit: u32, json: bool) -> anyhow::Result<()> {
    let page = svc.review_page(actor, limit)?;
    if json {
        return print_json(&views::review_page(&page));
    }
    for (d, number) in &page.decisions {
        let owed = match page.owed.get(&d.case) {
            Some(kwijting_service::cases::Standing::Known(s)) => format!("owed EUR {}", s.owed),
            _ => "owed unknown".to_owned(),
        };
        println!(
            "{:>8}  {}  {}  {}  {}  ({} v{}, rule {})",
            d.id, d.run_date, number, d.action, owed, d.strategy_id, d.strategy_version, d.rule
        );
    }
    println!(
        "{} of {} waiting for review",
        page.decisions.len(),
        page.total
    );
    Ok(())
}
