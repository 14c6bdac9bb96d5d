//! `kwijting law ...`: the law engine on the command line. JSON is built here,
//! at the boundary; the engine knows no wire format.
//!
//! Amounts are euros with a dot (`2700.00`), dates ISO (`2025-12-19`), rates
//! percentages (`21`, `10.15`). Bad input exits non-zero with a message.

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use kwijting_domain::{ClaimId, Date, DebtorType, Money, parse_date};
use kwijting_law::RateBps;
use kwijting_law::nl::Netherlands;
use kwijting_law::nl::costs::{BusinessCostsAgreement, CostsRequest, collection_costs};
use kwijting_law::nl::deadline::{Language, demand_letter_deadline, term_wording};
use kwijting_law::nl::holidays::Holidays;
use kwijting_law::nl::interest::{InterestCalculation, InterestKind, interest};
use kwijting_law::nl::rates::RateMark;
use kwijting_law::statement::{
    CaseInput, ClaimInput, CostsSettings, Event, EventKind, Statement, statement_of_account,
};
use serde_json::{Value, json};

#[derive(Debug, Subcommand)]
pub enum LawCommand {
    /// The interest rate table: the shipped lines and what operators added.
    #[command(subcommand)]
    Rates(RatesCommand),
    /// Extrajudicial collection costs (BIK) on a principal.
    Costs {
        /// Principal in euros; repeat for claims demanded together
        /// (art. 6:96(7) BW: costed on the sum).
        #[arg(long, required = true, allow_hyphen_values = true)]
        principal: Vec<String>,
        /// VAT rate in percent, when the creditor cannot deduct VAT.
        #[arg(long)]
        vat_rate: Option<String>,
        /// consumer or business.
        #[arg(long, default_value = "consumer")]
        debtor: String,
        /// Interest added to the principal after a year (recalculation).
        #[arg(long, default_value = "0")]
        added_interest: String,
        #[arg(long)]
        json: bool,
    },
    /// Statutory interest from --from to --to, both inclusive.
    Interest {
        #[arg(long, allow_hyphen_values = true)]
        principal: String,
        /// The first day of interest.
        #[arg(long)]
        from: String,
        /// The last day of interest (inclusive).
        #[arg(long)]
        to: String,
        /// consumer (art. 6:119 BW) or commercial (art. 6:119a BW).
        #[arg(long)]
        kind: String,
        /// An operator rate line to add
        /// (effective_from,consumer_bps,commercial_bps,status,source).
        #[arg(long)]
        rate_line: Vec<String>,
        /// Record that the last commercial rate is assumed to continue.
        #[arg(long, value_name = "NOTE")]
        assume_commercial_rate_continues: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The dates of a 14-day letter (art. 6:96(6) BW) sent on a day.
    Deadline {
        #[arg(long)]
        sent: String,
        /// A bridge day designated by decree; repeatable.
        #[arg(long)]
        bridge_day: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// The statement of account of one claim.
    Statement {
        #[arg(long, allow_hyphen_values = true)]
        principal: String,
        /// The agreed payment day; interest runs from the next day.
        #[arg(long)]
        due: String,
        #[arg(long)]
        as_of: String,
        /// consumer or commercial interest; the debtor type follows.
        #[arg(long, default_value = "consumer")]
        kind: String,
        /// The day a 14-day letter was sent.
        #[arg(long)]
        letter: Option<String>,
        /// The day collection costs are charged.
        #[arg(long)]
        costs_on: Option<String>,
        /// A payment as DATE=AMOUNT; repeatable.
        #[arg(long, allow_hyphen_values = true)]
        payment: Vec<String>,
        #[arg(long)]
        vat_rate: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn date(s: &str, what: &str) -> Result<Date> {
    parse_date(s).with_context(|| format!("--{what}"))
}

fn money(s: &str, what: &str) -> Result<Money> {
    Money::parse(s).with_context(|| format!("--{what}"))
}

fn percent(s: &str, what: &str) -> Result<RateBps> {
    RateBps::parse_percent(s).with_context(|| format!("--{what}"))
}

fn kind(s: &str) -> Result<InterestKind> {
    InterestKind::parse_statutory(s)
        .ok_or_else(|| anyhow!("unknown interest kind '{s}' (use consumer or commercial)"))
}

fn print(json: bool, value: &Value, text: &str) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{text}");
    }
    Ok(())
}

/// The rate table operators keep in the database.
#[derive(Debug, Subcommand)]
pub enum RatesCommand {
    /// Add a half-year's rates without a new release:
    /// `effective_from,consumer_bps,commercial_bps,status,source`
    /// (status `confirmed` or `provisional`).
    Add { line: String },
    /// Record that the last commercial rate continues until a new one is
    /// entered; every period computed on it is marked as assumed.
    AssumeCommercial {
        #[arg(long)]
        note: String,
    },
    /// The table in force, with each line's origin and mark.
    List {
        #[arg(long)]
        json: bool,
    },
}

/// The Dutch jurisdiction with the given rate table (shipped plus the
/// operators' lines), or the shipped table alone.
fn netherlands(rates: Option<&kwijting_law::nl::rates::RateTable>) -> Result<Netherlands> {
    Ok(match rates {
        Some(t) => Netherlands::with_data(
            t.clone(),
            kwijting_law::nl::holidays::Holidays::statutory(),
            Default::default(),
        ),
        None => Netherlands::new()?,
    })
}

/// Runs a law command that computes from its arguments and the rate table
/// in force (`rates`: shipped plus the operators' lines from the database).
/// `Rates` commands need the database and are run by the caller.
pub fn run(cmd: LawCommand, rates: Option<&kwijting_law::nl::rates::RateTable>) -> Result<()> {
    match cmd {
        LawCommand::Rates(_) => anyhow::bail!("rate commands need the database"),
        LawCommand::Costs {
            principal,
            vat_rate,
            debtor,
            added_interest,
            json,
        } => {
            let principals = principal
                .iter()
                .map(|p| money(p, "principal"))
                .collect::<Result<Vec<_>>>()?;
            let debtor = DebtorType::parse(&debtor)
                .ok_or_else(|| anyhow!("unknown debtor '{debtor}' (use consumer or business)"))?;
            let vat = vat_rate
                .as_deref()
                .map(|v| percent(v, "vat-rate"))
                .transpose()?;
            let request = CostsRequest {
                debtor,
                principals,
                added_interest: money(&added_interest, "added-interest")?,
                vat_rate: vat,
                agreement: BusinessCostsAgreement::Bik,
            };
            let c = collection_costs(&request)?;
            let total = c.total()?;
            let value = json!({
                "principal_cents": c.base.cents(),
                "costs_cents": c.costs.cents(),
                "vat_cents": c.vat.cents(),
                "total_cents": total.cents(),
                "vat_rate": vat.map(|v| v.to_string()),
                "rule": c.rule.as_str(),
            });
            let text = format!(
                "principal {}\ncosts     {} ({})\nVAT       {}\ntotal     {}\n",
                c.base,
                c.costs,
                c.rule.as_str(),
                c.vat,
                total
            );
            print(json, &value, &text)
        }
        LawCommand::Interest {
            principal,
            from,
            to,
            kind: k,
            rate_line,
            assume_commercial_rate_continues,
            json,
        } => {
            let kind = kind(&k)?;
            let principal = money(&principal, "principal")?;
            let (from, to) = (date(&from, "from")?, date(&to, "to")?);
            let mut nl = netherlands(rates)?;
            for line in &rate_line {
                nl.rates_mut().add_operator_line(line)?;
            }
            if let Some(note) = assume_commercial_rate_continues {
                nl.rates_mut().assume_commercial_rate_continues(note);
            }
            let calc = interest(nl.rates(), kind, principal, from, to)?;
            print(json, &interest_json(&calc), &interest_text(&calc))
        }
        LawCommand::Deadline {
            sent,
            bridge_day,
            json,
        } => {
            let sent = date(&sent, "sent")?;
            let bridge = bridge_day
                .iter()
                .map(|b| date(b, "bridge-day"))
                .collect::<Result<Vec<_>>>()?;
            let dl = demand_letter_deadline(sent, &Holidays::with_bridge_days(bridge))?;
            let value = json!({
                "sent_on": dl.sent_on.to_string(),
                "delivered_on": dl.delivered_on.to_string(),
                "nominal_last_day": dl.nominal_last_day.to_string(),
                "last_day_to_pay": dl.last_day_to_pay.to_string(),
                "costs_from": dl.costs_from.to_string(),
                "wording_nl": term_wording(Language::Dutch),
                "wording_en": term_wording(Language::English),
            });
            let text = format!(
                "sent            {}\ndelivered       {}\nlast day to pay {}\ncosts from      {}\nwording (nl)    {}\nwording (en)    {}\n",
                dl.sent_on,
                dl.delivered_on,
                dl.last_day_to_pay,
                dl.costs_from,
                term_wording(Language::Dutch),
                term_wording(Language::English)
            );
            print(json, &value, &text)
        }
        LawCommand::Statement {
            principal,
            due,
            as_of,
            kind: k,
            letter,
            costs_on,
            payment,
            vat_rate,
            json,
        } => {
            let kind = kind(&k)?;
            let due = date(&due, "due")?;
            let interest_from = due
                .tomorrow()
                .map_err(|_| anyhow!("--due {due} has no next day"))?;
            let claims = [ClaimInput {
                id: ClaimId(1),
                principal: money(&principal, "principal")?,
                due_on: due,
                interest_from,
                interest: kind,
                onerousness: 0,
            }];
            let mut events = Vec::new();
            if let Some(l) = letter {
                events.push(Event {
                    on: date(&l, "letter")?,
                    kind: EventKind::DemandLetter,
                });
            }
            if let Some(c) = costs_on {
                events.push(Event {
                    on: date(&c, "costs-on")?,
                    kind: EventKind::CollectionCosts,
                });
            }
            for p in &payment {
                let (on, amount) = p
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--payment '{p}' must be DATE=AMOUNT"))?;
                events.push(Event {
                    on: date(on, "payment")?,
                    kind: EventKind::Payment {
                        amount: money(amount, "payment")?,
                        designated: None,
                    },
                });
            }
            let debtor = match kind {
                InterestKind::Commercial => DebtorType::Business,
                _ => DebtorType::Consumer,
            };
            let costs = CostsSettings {
                vat_rate: vat_rate
                    .as_deref()
                    .map(|v| percent(v, "vat-rate"))
                    .transpose()?,
                ..CostsSettings::default()
            };
            let nl = netherlands(rates)?;
            let s = statement_of_account(
                &nl,
                &CaseInput {
                    debtor,
                    claims: &claims,
                    events: &events,
                    costs,
                    as_of: date(&as_of, "as-of")?,
                },
            )?;
            print(json, &statement_json(&s), &s.render_text()?)
        }
    }
}

fn mark_json(mark: RateMark) -> &'static str {
    mark.as_str()
}

fn interest_json(c: &InterestCalculation) -> Value {
    json!({
        "kind": c.kind.as_str(),
        "principal_cents": c.principal.cents(),
        "from": c.from.to_string(),
        "to": c.to.to_string(),
        "interest_cents": c.interest.cents(),
        "interest_eur": c.interest.to_string(),
        "periods": c.periods.iter().map(|p| json!({
            "from": p.from().to_string(),
            "to": p.to().to_string(),
            "days": p.days,
            "rate": p.rate.to_string(),
            "rate_bps": p.rate.bps(),
            "rate_mark": mark_json(p.mark),
            "base_cents": p.base.cents(),
            "interest": p.interest.to_decimal_4(),
        })).collect::<Vec<_>>(),
        "postings": c.postings.iter().map(|p| json!({
            "on": p.on.to_string(),
            "kind": p.kind.as_str(),
            "amount_cents": p.amount.cents(),
        })).collect::<Vec<_>>(),
        "uses_provisional_rate": c.uses_provisional_rate(),
        "uses_assumed_rate": c.uses_assumed_rate(),
    })
}

fn interest_text(c: &InterestCalculation) -> String {
    let mut out = format!(
        "{} interest on {} from {} to {} (inclusive)\n",
        c.kind.as_str(),
        c.principal,
        c.from,
        c.to
    );
    for p in &c.periods {
        out.push_str(&format!(
            "  {}  {}  {:>4} days  {:>6}%  {:<11}  base {:>12}  {:>12}\n",
            p.from(),
            p.to(),
            p.days,
            p.rate.to_string(),
            p.mark.as_str(),
            p.base.to_string(),
            p.interest.to_decimal_4()
        ));
    }
    for p in &c.postings {
        out.push_str(&format!(
            "  {}  rounded ({}): {}\n",
            p.on,
            p.kind.as_str(),
            p.amount
        ));
    }
    out.push_str(&format!("interest {}\n", c.interest));
    out
}

fn amounts_json(a: &kwijting_law::statement::Amounts) -> Value {
    json!({
        "principal_cents": a.principal.cents(),
        "interest_cents": a.interest.cents(),
        "costs_cents": a.costs.cents(),
        "vat_cents": a.vat.cents(),
        "total_cents": a.total().map(|t| t.cents()).ok(),
    })
}

/// A statement of account as JSON (the shape the API can reuse).
pub fn statement_json(s: &Statement) -> Value {
    json!({
        "as_of": s.as_of.to_string(),
        "debtor": s.debtor.as_str(),
        "demand_letter": s.demand_letter.map(|l| json!({
            "sent_on": l.sent_on.to_string(),
            "delivered_on": l.delivered_on.to_string(),
            "last_day_to_pay": l.last_day_to_pay.to_string(),
            "costs_from": l.costs_from.to_string(),
        })),
        "claims": s.claims.iter().map(|c| json!({
            "id": c.id.0,
            "interest_kind": c.interest_kind.as_str(),
            "due_on": c.due_on.to_string(),
            "interest_from": c.interest_from.to_string(),
            "periods": c.periods.iter().map(|p| json!({
                "from": p.from().to_string(),
                "to": p.to().to_string(),
                "days": p.days,
                "rate": p.rate.to_string(),
                "rate_mark": mark_json(p.mark),
                "base_cents": p.base.cents(),
                "interest": p.interest.to_decimal_4(),
            })).collect::<Vec<_>>(),
            "postings": c.postings.iter().map(|p| json!({
                "on": p.on.to_string(),
                "kind": p.kind.as_str(),
                "amount_cents": p.amount.cents(),
            })).collect::<Vec<_>>(),
            "charged": amounts_json(&c.charged),
            "paid": amounts_json(&c.paid),
            "outstanding": amounts_json(&c.outstanding),
        })).collect::<Vec<_>>(),
        "costs": s.costs.iter().map(|l| json!({
            "on": l.on.to_string(),
            "base_cents": l.base.cents(),
            "costs_cents": l.costs.cents(),
            "vat_cents": l.vat.cents(),
            "rule": l.rule.as_str(),
            "recalculation": l.recalculation,
            "exceeds_bik": l.exceeds_bik,
        })).collect::<Vec<_>>(),
        "payments": s.payments.iter().map(|p| json!({
            "on": p.on.to_string(),
            "amount_cents": p.amount.cents(),
            "designated_claim": p.designated.map(|c| c.0),
            "shares": p.shares.iter().map(|sh| json!({
                "claim": sh.claim.0,
                "applied": amounts_json(&sh.applied),
            })).collect::<Vec<_>>(),
            "unapplied_cents": p.unapplied.cents(),
        })).collect::<Vec<_>>(),
        "charged": amounts_json(&s.charged),
        "paid": amounts_json(&s.paid),
        "outstanding": amounts_json(&s.outstanding),
        "unapplied_cents": s.unapplied.cents(),
        "balance_cents": s.balance.cents(),
        "uses_provisional_rate": s.uses_provisional_rate,
        "assumed_rate_note": s.assumed_rate_note,
    })
}
