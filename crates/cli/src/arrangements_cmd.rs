//! `kwijting arrangements`, `kwijting mandates` and `kwijting sepa`:
//! payment arrangements, direct-debit mandates and the pain.008 file of a
//! collection date.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use kwijting_bank::{CreditorId, Pain008Version};
use kwijting_domain::{Actor, Money, parse_date};
use kwijting_server::arrangements as views;
use kwijting_service::arrangements::{ArrangementView, ProposalOutcome};
use kwijting_strategy::arrangement::ArrangementRules;

use crate::trust_account::{TrustAccountArgs, TrustAccountSettings};
use crate::{input_error, open_service, parse_as_of, print_json, refused};

#[derive(Subcommand)]
pub enum ArrangementsCommand {
    /// Decide a debtor's proposal against the client's rules; accepted, it
    /// gets a schedule (the last instalment takes the rest) and pauses the
    /// strategy; rejected, the reason says what would do
    Propose {
        number: String,
        #[arg(long)]
        instalments: u16,
        /// Euros per instalment, e.g. 125.50
        #[arg(long)]
        amount: String,
        /// month or week
        #[arg(long)]
        every: String,
        /// The first due date (YYYY-MM-DD)
        #[arg(long)]
        first: String,
        #[arg(long)]
        json: bool,
    },
    /// A case's arrangements with their schedules and what was paid
    Show {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// What settles the case today (early settlement)
    Settle {
        number: String,
        #[arg(long)]
        json: bool,
    },
    /// A client's acceptance rules: show, or change what is given
    Rules {
        #[arg(long)]
        client: String,
        /// Euros
        #[arg(long)]
        min_instalment: Option<String>,
        #[arg(long)]
        max_term_months: Option<u16>,
        #[arg(long)]
        grace_days: Option<u16>,
        #[arg(long)]
        prenotification_days: Option<u16>,
    },
}

#[derive(Subcommand)]
pub enum MandatesCommand {
    /// Record a SEPA mandate, linked to the case's active arrangement: its
    /// instalments are collected by direct debit from then on
    Add {
        number: String,
        /// The mandate reference (MndtId, at most 35 characters)
        #[arg(long)]
        reference: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        iban: String,
        /// Date of signature (YYYY-MM-DD)
        #[arg(long)]
        signed_on: String,
        #[arg(long)]
        json: bool,
    },
    /// Record an amendment (new reference, IBAN or name); the next
    /// collection tells the bank
    Amend {
        reference: String,
        #[arg(long)]
        new_reference: Option<String>,
        #[arg(long)]
        iban: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The day of the amendment (default: today)
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A case's mandates
    List {
        number: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SepaCommand {
    /// The pain.008 file of the instalments to collect on a date; written
    /// once (running it again gives the same file and submits nothing twice)
    DirectDebit {
        /// The requested collection date (a TARGET2 business day, at least
        /// one business day ahead for a new file)
        #[arg(long)]
        date: String,
        /// 08 (pain.008.001.08, default) or 02 (pain.008.001.02)
        #[arg(long, default_value = "08")]
        version: String,
        /// Where to write the file (default: standard output)
        #[arg(long)]
        out: Option<PathBuf>,
        /// The trust account collected to (`--creditor-*` still accepted)
        #[command(flatten)]
        trust: TrustAccountArgs,
        /// The creditor identifier (NLkkZZZ + KvK + suffix)
        #[arg(long, env = "KWIJTING_SEPA_CREDITOR_ID")]
        creditor_id: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn actor() -> Actor {
    Actor::system("cli", "collection")
}

fn date_arg(s: &str, what: &str) -> anyhow::Result<kwijting_domain::Date> {
    parse_date(s).map_err(|e| refused(anyhow::anyhow!("{what} '{s}': {e}")))
}

fn print_arrangement(v: &ArrangementView) {
    let a = &v.arrangement;
    println!(
        "arrangement {} of {}: {} ({} {} instalments of EUR {}, total EUR {}, decided {})",
        a.id,
        v.case_number,
        a.status,
        a.instalments,
        a.frequency,
        Money::from_cents(a.instalment_cents),
        Money::from_cents(a.total_cents),
        a.decided_on
    );
    if let Some(r) = &a.reason {
        println!("  {r}");
    }
    for i in &a.schedule {
        let mut notes = Vec::new();
        if let Some(d) = i.reminded_on {
            notes.push(format!("reminded {d}"));
        }
        if let Some(d) = i.retry_on {
            notes.push(format!("direct debit retried {d}"));
        }
        if let Some(d) = i.reopened_on {
            notes.push(format!("to pay by transfer since {d}"));
        }
        if let Some((d, s)) = &i.collection {
            notes.push(format!("direct debit {d} {s}"));
        }
        println!(
            "  {:>3}  {}  {:>12}  {:<5} {}",
            i.seq,
            i.due_on,
            Money::from_cents(i.amount_cents),
            i.state,
            notes.join(", ")
        );
    }
    if a.status != "rejected" {
        println!("  paid EUR {}, remaining EUR {}", v.paid, v.remaining);
    }
    for m in &v.mandates {
        println!(
            "  mandate {} ({}, {}, signed {}): {}",
            m.reference, m.debtor_name, m.debtor_iban, m.signed_on, m.status
        );
    }
}

pub fn arrangements(url: &str, cmd: ArrangementsCommand) -> anyhow::Result<()> {
    let svc = open_service(url)?;
    let a = actor();
    match cmd {
        ArrangementsCommand::Propose {
            number,
            instalments,
            amount,
            every,
            first,
            json,
        } => {
            let p = views::proposal(instalments, &amount, &every, &first)
                .map_err(|m| refused(anyhow::anyhow!(m)))?;
            let outcome = svc
                .propose_arrangement(&a, &number, &p)
                .map_err(input_error)?;
            if json {
                print_json(&views::proposal_outcome(&outcome))?;
            } else {
                match &outcome {
                    ProposalOutcome::Accepted(v) => {
                        println!("accepted");
                        print_arrangement(v);
                    }
                    ProposalOutcome::Rejected { reason, .. } => println!("rejected: {reason}"),
                }
            }
        }
        ArrangementsCommand::Show { number, json } => {
            let all = svc.arrangements(&a, &number).map_err(input_error)?;
            if json {
                print_json(&serde_json::json!({
                    "case": number,
                    "arrangements": all.iter().map(views::arrangement).collect::<Vec<_>>(),
                }))?;
            } else if all.is_empty() {
                println!("{number}: no arrangements");
            } else {
                all.iter().for_each(print_arrangement);
            }
        }
        ArrangementsCommand::Settle { number, json } => {
            let q = svc.settlement_quote(&a, &number).map_err(input_error)?;
            if json {
                print_json(&views::settlement_quote(&q))?;
            } else {
                println!(
                    "{}: EUR {} settles the case today ({}); statement of account EUR {}",
                    q.case_number, q.settles_with, q.as_of, q.statement_balance
                );
                if let Some(v) = &q.arrangement {
                    println!(
                        "  under arrangement {}: total EUR {}, paid EUR {}",
                        v.arrangement.id,
                        Money::from_cents(v.arrangement.total_cents),
                        v.paid
                    );
                }
            }
        }
        ArrangementsCommand::Rules {
            client,
            min_instalment,
            max_term_months,
            grace_days,
            prenotification_days,
        } => {
            let mut r: ArrangementRules =
                svc.arrangement_rules(&a, &client).map_err(input_error)?;
            let change = min_instalment.is_some()
                || max_term_months.is_some()
                || grace_days.is_some()
                || prenotification_days.is_some();
            if let Some(m) = min_instalment {
                r.min_instalment = Money::parse_positive(&m)
                    .map_err(|e| refused(anyhow::anyhow!("--min-instalment '{m}': {e}")))?;
            }
            r.max_term_months = max_term_months.unwrap_or(r.max_term_months);
            r.grace_days = grace_days.unwrap_or(r.grace_days);
            r.prenotification_days = prenotification_days.unwrap_or(r.prenotification_days);
            if change {
                svc.set_arrangement_rules(&a, &client, &r)
                    .map_err(input_error)?;
            }
            println!(
                "{client}: minimum instalment EUR {}, at most {} months, {} days' grace, direct debits {} days after notice",
                r.min_instalment, r.max_term_months, r.grace_days, r.prenotification_days
            );
        }
    }
    Ok(())
}

pub fn mandates(url: &str, cmd: MandatesCommand) -> anyhow::Result<()> {
    let svc = open_service(url)?;
    let a = actor();
    let (m, json) = match cmd {
        MandatesCommand::Add {
            number,
            reference,
            name,
            iban,
            signed_on,
            json,
        } => {
            let on = date_arg(&signed_on, "--signed-on")?;
            (
                svc.add_mandate(&a, &number, &reference, &name, &iban, on)
                    .map_err(input_error)?,
                json,
            )
        }
        MandatesCommand::Amend {
            reference,
            new_reference,
            iban,
            name,
            on,
            json,
        } => {
            let on = parse_as_of(on.as_deref())?;
            (
                svc.amend_mandate(
                    &a,
                    &reference,
                    new_reference.as_deref(),
                    iban.as_deref(),
                    name.as_deref(),
                    on,
                )
                .map_err(input_error)?,
                json,
            )
        }
        MandatesCommand::List { number, json } => {
            let all = svc.mandates(&a, &number).map_err(input_error)?;
            if json {
                print_json(&serde_json::json!({
                    "case": number,
                    "mandates": all.iter().map(views::mandate).collect::<Vec<_>>(),
                }))?;
            } else {
                for m in &all {
                    println!(
                        "{}  {}  {}  signed {}  {}",
                        m.reference, m.debtor_name, m.debtor_iban, m.signed_on, m.status
                    );
                }
            }
            return Ok(());
        }
    };
    if json {
        print_json(&views::mandate(&m))?;
    } else {
        println!(
            "mandate {} ({}, {}, signed {}): {}, {} amendment(s)",
            m.reference,
            m.debtor_name,
            m.debtor_iban,
            m.signed_on,
            m.status,
            m.amendments.len()
        );
    }
    Ok(())
}

pub fn sepa(url: &str, cmd: SepaCommand) -> anyhow::Result<()> {
    let SepaCommand::DirectDebit {
        date,
        version,
        out,
        trust,
        creditor_id,
        json,
    } = cmd;
    let on = date_arg(&date, "--date")?;
    let version = match version.as_str() {
        "08" | "8" | "pain.008.001.08" => Pain008Version::V08,
        "02" | "2" | "pain.008.001.02" => Pain008Version::V02,
        other => {
            return Err(refused(anyhow::anyhow!("--version '{other}': 08 or 02")));
        }
    };
    let trust = TrustAccountSettings::read(&trust)?;
    let creditor_id = creditor_id
        .map(|id| {
            CreditorId::parse(&id)
                .map_err(|e| refused(anyhow::anyhow!("--creditor-id '{id}': {e}")))
        })
        .transpose()?;
    let svc = open_service(url)?;
    let creditor = trust.creditor(creditor_id, &svc.policy().controller().name);
    let file = svc
        .direct_debit_file(&actor(), on, version, creditor.as_ref())
        .map_err(input_error)?;
    for (case, why) in &file.skipped {
        eprintln!("{case}: {why}");
    }
    let Some(xml) = &file.xml else {
        if json {
            print_json(&views::direct_debit_file(&file))?;
        } else {
            println!("nothing to collect on {on}");
        }
        return Ok(());
    };
    match &out {
        Some(path) => {
            std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))?
        }
        None if !json => print!("{xml}"),
        None => {}
    }
    if json {
        let mut v = views::direct_debit_file(&file);
        v["file"] = serde_json::json!(out.as_ref().map(|p| p.display().to_string()));
        print_json(&v)?;
    } else if let Some(path) = &out {
        println!(
            "{}: {} collection(s), EUR {} on {on}{}",
            path.display(),
            file.transactions,
            file.total,
            if file.new {
                ""
            } else {
                " (written before; the same file again)"
            }
        );
    }
    Ok(())
}
