//! `cases next`: what the daily run would decide for a case on a day, with
//! the balance it decides on, without storing anything.

use kwijting_domain::{Actor, Money};
use kwijting_service::Kwijting;
use kwijting_strategy::{Language, Outcome};

use crate::{input_error, parse_as_of, print_json, refused};

pub fn next(
    svc: &Kwijting,
    actor: &Actor,
    number: &str,
    as_of: Option<&str>,
    lang: &str,
    json: bool,
) -> anyhow::Result<()> {
    let lang = match lang {
        "nl" => Language::Nl,
        "en" => Language::En,
        other => {
            return Err(refused(anyhow::anyhow!(
                "--lang must be nl or en, not '{other}'"
            )));
        }
    };
    let as_of = parse_as_of(as_of).map_err(refused)?;
    let next = svc
        .next_decision(actor, number, as_of)
        .map_err(input_error)?;
    let (outcome, action, until) = match next.decision.outcome {
        Outcome::Act(a) => ("act", Some(a.as_str()), None),
        Outcome::Wait { until, .. } => ("wait", None, Some(until.to_string())),
        Outcome::Held(_) => ("held", None, None),
        Outcome::Blocked(_) => ("blocked", None, None),
        Outcome::Finished => ("finished", None, None),
        Outcome::NothingOwed => ("nothing_owed", None, None),
    };
    let explanation = next.decision.explain(lang);
    if json {
        return print_json(&serde_json::json!({
            "case": number,
            "as_of": next.as_of.to_string(),
            "balance_cents": next.balance.cents(),
            "principal_cents": next.principal.cents(),
            "limitation_last_day": next.limitation_last_day.to_string(),
            "outcome": outcome,
            "action": action,
            "wait_until": until,
            "needs_review": next.decision.needs_review,
            "explanation": explanation,
        }));
    }
    let owed = euros(next.balance, lang);
    match lang {
        Language::Nl => println!(
            "{number} op {}: openstaand {owed}. Wat de dagrun zou besluiten (niet opgeslagen):\n",
            next.as_of
        ),
        Language::En => println!(
            "{number} on {}: owed {owed}. What the daily run would decide (not stored):\n",
            next.as_of
        ),
    }
    println!("{explanation}");
    Ok(())
}

fn euros(m: Money, lang: Language) -> String {
    let text = m.to_string();
    match lang {
        // 1234.56 -> 1234,56: the Dutch decimal comma.
        Language::Nl => format!("EUR {}", text.replace('.', ",")),
        Language::En => format!("EUR {text}"),
    }
}
