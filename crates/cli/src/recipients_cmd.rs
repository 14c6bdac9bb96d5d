//! `kwijting recipients add|list` (the register of actual recipients and
//! their transfer safeguards, R23 to R25) and `kwijting clients
//! end-mandate` (the end of a processor mandate, R1).

use anyhow::{Context, Result};
use clap::Subcommand;
use kwijting_domain::{Actor, parse_date};
use kwijting_service::Kwijting;
use kwijting_service::recipients::{RecipientInput, recipient_json};
use serde_json::Value;

use crate::{input_error, print_json};

#[derive(Subcommand)]
pub enum RecipientsCommand {
    /// Register an actual recipient with its country and, outside the EEA,
    /// its transfer safeguard
    Add {
        /// The organisation (unique in the register)
        #[arg(long)]
        name: String,
        /// Its recipient category in the policy (e.g. foreign_collection_agencies)
        #[arg(long)]
        category: String,
        /// ISO 3166 alpha-2 country code
        #[arg(long)]
        country: String,
        /// none, adequacy, standard_contractual_clauses,
        /// binding_corporate_rules or art_49_1_e
        #[arg(long, default_value = "none")]
        safeguard: String,
        /// The date the safeguard was recorded (signed, decided)
        #[arg(long)]
        recorded_on: Option<String>,
        /// The document it is recorded in
        #[arg(long)]
        reference: Option<String>,
        /// art_49_1_e: the case (number) of the legal claim it is limited to
        #[arg(long)]
        case: Option<String>,
        /// art_49_1_e: the legal claim, described
        #[arg(long)]
        legal_claim: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The register
    List {
        #[arg(long)]
        json: bool,
    },
}

fn line(v: &Value) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("-").to_owned();
    let mut out = format!(
        "{:<32} {:<28} {} {}",
        s("name"),
        s("category"),
        s("country"),
        s("safeguard")
    );
    if !v["safeguard_reference"].is_null() {
        out.push_str(&format!(
            " ({}, {})",
            s("safeguard_reference"),
            s("safeguard_recorded_on")
        ));
    }
    if !v["case"].is_null() {
        out.push_str(&format!(" for case {}: {}", s("case"), s("legal_claim")));
    }
    out
}

pub fn run(svc: &Kwijting, actor: &Actor, cmd: RecipientsCommand) -> Result<()> {
    match cmd {
        RecipientsCommand::Add {
            name,
            category,
            country,
            safeguard,
            recorded_on,
            reference,
            case,
            legal_claim,
            json,
        } => {
            let safeguard_on = recorded_on
                .as_deref()
                .map(parse_date)
                .transpose()
                .context("--recorded-on")
                .map_err(crate::refused)?;
            let row = svc
                .add_recipient(
                    actor,
                    &RecipientInput {
                        name,
                        category,
                        country,
                        safeguard,
                        safeguard_on,
                        safeguard_ref: reference,
                        case,
                        legal_claim,
                    },
                )
                .map_err(input_error)?;
            let v = recipient_json(&row);
            if json {
                return print_json(&v);
            }
            println!("registered {}", line(&v));
        }
        RecipientsCommand::List { json } => {
            let rows: Vec<Value> = svc
                .recipients(actor)
                .map_err(input_error)?
                .iter()
                .map(recipient_json)
                .collect();
            if json {
                return print_json(&serde_json::json!({ "recipients": rows }));
            }
            for v in &rows {
                println!("{}", line(v));
            }
        }
    }
    Ok(())
}

/// `kwijting clients end-mandate REF --on DATE`.
pub fn end_mandate(svc: &Kwijting, actor: &Actor, reference: &str, on: &str) -> Result<()> {
    let on = parse_date(on).context("--on").map_err(crate::refused)?;
    svc.end_mandate(actor, reference, on).map_err(input_error)?;
    println!(
        "mandate of {reference} ended on {on}; where the agency is its processor, the retention run returns-or-erases its data by the policy's rule"
    );
    Ok(())
}
