//! `kwijting retention ...`, `kwijting erasure ...`, `kwijting special ...`,
//! `kwijting backup` / `restore` and `kwijting policy notify-change`: the
//! privacy engine's erasure, retention, legal holds, special categories and
//! statement-change notices at the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use kwijting_domain::{Actor, PartyId};
use kwijting_service::Kwijting;
use kwijting_service::erasure::{
    ErasureCause, ErasureOutcome, hold_json, outcome_json, report_json,
};
use kwijting_service::special::{NewSpecialRecord, staff_actor};
use kwijting_store::erasure::{FieldPlan, JournalBatch, Scope};
use serde_json::{Value, json};

use crate::{input_error, open_service, parse_as_of, print_json};

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Erase or anonymise what has expired on a date (chunked; a stopped
    /// run resumes); counts per purpose and category
    Run {
        #[arg(long)]
        as_of: Option<String>,
        /// Count what would be erased; change nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Legal holds (R22): data kept past its period, with reason and owner
    #[command(subcommand)]
    Hold(HoldCommand),
}

#[derive(Subcommand)]
pub enum HoldCommand {
    /// Place a hold on a party, or on a case (and so its debtor)
    Add {
        #[arg(long, required_unless_present = "case")]
        party: Option<i64>,
        #[arg(long, conflicts_with = "party")]
        case: Option<String>,
        #[arg(long)]
        reason: String,
        /// Who answers for the hold (a person or team)
        #[arg(long)]
        owner: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Lift a hold by id
    Lift {
        id: i64,
        #[arg(long)]
        on: Option<String>,
    },
    /// The holds in force (with --all: lifted ones too)
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ErasureCommand {
    /// Erase one party's data as far as no exception keeps it; prints what
    /// was erased and what is kept, why and until when
    Subject {
        #[arg(long)]
        party: i64,
        /// The request's reference (art. 17); without it: --unsubscribe
        #[arg(long, required_unless_present = "unsubscribe")]
        reference: Option<String>,
        /// The person unsubscribed: erase marketing data at once
        #[arg(long)]
        unsubscribe: bool,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Export the erasure journal, to keep apart from the backups: a
    /// restore into a new database re-applies it (`restore --journal`)
    Journal(JournalArgs),
}

#[derive(clap::Args)]
pub struct JournalArgs {
    /// Where to write the journal (JSON; ids, fields, dates, rules, no values)
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
pub struct StaffArgs {
    /// The member of staff
    #[arg(long)]
    user: String,
    /// Their role in the policy (e.g. legal, compliance_officer)
    #[arg(long)]
    role: String,
    /// The purpose they act for
    #[arg(long, default_value = "legal_claims")]
    purpose: String,
}

impl StaffArgs {
    fn actor(&self) -> Actor {
        staff_actor(&self.user, &self.role, &self.purpose)
    }
}

#[derive(Subcommand)]
pub enum SpecialCommand {
    /// Record health or criminal-record data with its basis
    Record {
        #[command(flatten)]
        staff: StaffArgs,
        /// health or criminal
        #[arg(long)]
        category: String,
        #[arg(long)]
        party: i64,
        #[arg(long)]
        case: Option<String>,
        /// 9.2.a (consent), 9.2.f (legal claim) or 10 (criminal data)
        #[arg(long)]
        basis: String,
        #[arg(long)]
        legal_claim: Option<String>,
        #[arg(long)]
        consent_ref: Option<String>,
        #[arg(long)]
        content: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Read a party's records of a category (the read is logged)
    Read {
        #[command(flatten)]
        staff: StaffArgs,
        #[arg(long)]
        category: String,
        #[arg(long)]
        party: i64,
        #[arg(long)]
        json: bool,
    },
    /// The log of reads of a party's special-category data
    Log {
        #[command(flatten)]
        staff: StaffArgs,
        #[arg(long)]
        party: i64,
        #[arg(long)]
        json: bool,
    },
}

/// Prints items as a JSON array or one line each.
fn list<T>(
    json: bool,
    items: &[T],
    to_json: impl Fn(&T) -> Value,
    to_line: impl Fn(&T) -> String,
) -> Result<()> {
    if json {
        return print_json(&Value::Array(items.iter().map(to_json).collect()));
    }
    for item in items {
        println!("{}", to_line(item));
    }
    Ok(())
}

fn job(name: &str) -> Actor {
    Actor::system(name, "collection")
}

fn print_outcome(o: &ErasureOutcome) {
    let verb = if o.dry_run { "would erase" } else { "erased" };
    if o.erased.is_empty() {
        println!("party {}: nothing {verb}", o.party.0);
    } else {
        println!("party {}: {verb}", o.party.0);
        for f in &o.erased {
            println!(
                "  {}.{} ({}): {} row(s)",
                f.table, f.column, f.category, f.rows
            );
        }
    }
    for k in &o.kept {
        let until = k
            .until
            .map_or("no fixed end".to_owned(), |d| format!("until {d}"));
        println!(
            "kept ({until}): {} [{}]",
            k.ground.reason(),
            k.ground.article()
        );
        if !k.cases.is_empty() {
            println!("  cases: {}", k.cases.join(", "));
        }
        if !k.categories.is_empty() {
            println!("  categories: {}", k.categories.join(", "));
        }
    }
}

fn party_of_case(svc: &Kwijting, number: &str) -> Result<(PartyId, kwijting_domain::CaseId)> {
    let file = svc
        .case_file(&crate::cli_actor(), number)
        .map_err(input_error)?;
    Ok((file.summary.debtor.id, file.summary.id))
}

pub fn retention(url: &str, cmd: RetentionCommand) -> Result<()> {
    let svc = open_service(url)?;
    match cmd {
        RetentionCommand::Run {
            as_of,
            dry_run,
            json,
        } => {
            let as_of = parse_as_of(as_of.as_deref())?;
            let r = svc
                .retention_run(&job("retention"), as_of, dry_run)
                .map_err(input_error)?;
            if json {
                return print_json(&report_json(&r));
            }
            let verb = if dry_run { "would erase" } else { "erased" };
            println!(
                "retention {as_of} ({}: cases closed before {}; {}: processor mandates ended before {}): {verb} {} case(s), {} part(y/ies); {} legal hold(s) in force",
                r.rule,
                r.closed_before,
                r.processor_rule,
                r.mandate_ended_before,
                r.cases,
                r.parties,
                r.active_legal_holds
            );
            for (p, n) in &r.per_purpose {
                println!("  purpose {p}: {n} value(s)");
            }
            for (c, n) in &r.per_category {
                println!("  category {c}: {n} value(s)");
            }
            Ok(())
        }
        RetentionCommand::Hold(HoldCommand::Add {
            party,
            case,
            reason,
            owner,
            on,
        }) => {
            let on = parse_as_of(on.as_deref())?;
            let (party, case) = match (party, case) {
                (_, Some(number)) => {
                    let (p, c) = party_of_case(&svc, &number)?;
                    (p, Some(c))
                }
                (Some(p), None) => (PartyId(p), None),
                (None, None) => anyhow::bail!("--party or --case"),
            };
            let id = svc
                .add_legal_hold(&crate::cli_actor(), party, case, &reason, &owner, on)
                .map_err(input_error)?;
            println!("legal hold {id} placed");
            Ok(())
        }
        RetentionCommand::Hold(HoldCommand::Lift { id, on }) => {
            let on = parse_as_of(on.as_deref())?;
            svc.lift_legal_hold(&crate::cli_actor(), id, on)
                .map_err(input_error)?;
            println!("legal hold {id} lifted");
            Ok(())
        }
        RetentionCommand::Hold(HoldCommand::List { all, json }) => {
            let holds = svc
                .legal_holds(&crate::cli_actor(), !all)
                .map_err(input_error)?;
            list(json, &holds, hold_json, |h| {
                let on = h.case.map_or(format!("party {}", h.party.0), |c| {
                    format!("party {} case id {}", h.party.0, c.0)
                });
                let lifted = h
                    .lifted_on
                    .map_or(String::new(), |d| format!(", lifted {d}"));
                format!(
                    "{}\t{on}\t{} (owner {}, since {}{lifted})",
                    h.id, h.reason, h.owner, h.placed_on
                )
            })
        }
    }
}

pub fn erasure(url: &str, cmd: ErasureCommand) -> Result<()> {
    let svc = open_service(url)?;
    match cmd {
        ErasureCommand::Subject {
            party,
            reference,
            unsubscribe,
            as_of,
            dry_run,
            json,
        } => {
            let cause = match (unsubscribe, reference) {
                (true, _) => ErasureCause::Unsubscribe,
                (false, Some(reference)) => ErasureCause::Request { reference },
                (false, None) => anyhow::bail!("--reference or --unsubscribe"),
            };
            let as_of = parse_as_of(as_of.as_deref())?;
            let o = svc
                .erase_subject(&crate::cli_actor(), PartyId(party), cause, as_of, dry_run)
                .map_err(input_error)?;
            if json {
                return print_json(&outcome_json(&o));
            }
            print_outcome(&o);
            Ok(())
        }
        ErasureCommand::Journal(JournalArgs { out }) => {
            let journal = svc
                .erasure_journal(&crate::cli_actor())
                .map_err(input_error)?;
            let v = json!({
                "format": JOURNAL_FORMAT,
                "batches": journal.iter().map(batch_json).collect::<Vec<_>>(),
            });
            std::fs::write(&out, serde_json::to_vec_pretty(&v)?)
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{} erasure batch(es) written to {}",
                journal.len(),
                out.display()
            );
            Ok(())
        }
    }
}

const JOURNAL_FORMAT: &str = "kwijting-erasure-journal-1";

fn batch_json(b: &JournalBatch) -> Value {
    json!({
        "id": b.id, "cause": b.cause, "reference": b.reference, "rule": b.rule,
        "as_of": b.as_of.to_string(), "actor": b.actor, "recorded_at": b.recorded_at,
        "fields": b.fields.iter().map(|(f, rows)| json!({
            "table": f.table, "column": f.column, "category": f.category,
            "scope": f.scope.as_str(),
            "date_column": f.keep_from.as_ref().map(|(c, _)| c.clone()),
            "before": f.keep_from.as_ref().map(|(_, d)| d.to_string()),
            "keep_purpose": f.keep_purpose,
            "rows": rows,
        })).collect::<Vec<_>>(),
        "parties": b.parties, "cases": b.cases,
    })
}

/// Reads an exported journal, naming the file and the entry that is wrong.
fn read_journal(path: &std::path::Path) -> Result<Vec<JournalBatch>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    if v["format"] != JOURNAL_FORMAT {
        bail!(
            "{}: not a Kwijting erasure journal ({JOURNAL_FORMAT})",
            path.display()
        );
    }
    let bad = |i: usize, what: &str| anyhow::anyhow!("{}: batch {i}: bad {what}", path.display());
    let text_of = |b: &Value, k: &str| b[k].as_str().map(str::to_owned);
    let ids = |b: &Value, k: &str| -> Option<Vec<i64>> {
        b[k].as_array()?.iter().map(Value::as_i64).collect()
    };
    let mut out = Vec::new();
    for (i, b) in v["batches"].as_array().into_iter().flatten().enumerate() {
        let mut fields = Vec::new();
        for f in b["fields"].as_array().ok_or_else(|| bad(i, "fields"))? {
            let keep_from = match (text_of(f, "date_column"), text_of(f, "before")) {
                (Some(c), Some(d)) => Some((
                    c,
                    kwijting_domain::parse_date(&d).map_err(|_| bad(i, "before"))?,
                )),
                _ => None,
            };
            let scope = match f["scope"].as_str() {
                Some("party") => Scope::Party,
                Some("case") => Scope::Case,
                _ => return Err(bad(i, "scope")),
            };
            fields.push((
                FieldPlan {
                    table: text_of(f, "table").ok_or_else(|| bad(i, "table"))?,
                    column: text_of(f, "column").ok_or_else(|| bad(i, "column"))?,
                    category: text_of(f, "category").unwrap_or_default(),
                    scope,
                    keep_from,
                    keep_purpose: text_of(f, "keep_purpose"),
                },
                f["rows"].as_u64().unwrap_or(0),
            ));
        }
        out.push(JournalBatch {
            id: b["id"].as_i64().ok_or_else(|| bad(i, "id"))?,
            cause: text_of(b, "cause").ok_or_else(|| bad(i, "cause"))?,
            reference: text_of(b, "reference"),
            rule: text_of(b, "rule"),
            as_of: kwijting_domain::parse_date(&text_of(b, "as_of").unwrap_or_default())
                .map_err(|_| bad(i, "as_of"))?,
            actor: text_of(b, "actor").unwrap_or_default(),
            recorded_at: text_of(b, "recorded_at").ok_or_else(|| bad(i, "recorded_at"))?,
            fields,
            parties: ids(b, "parties").ok_or_else(|| bad(i, "parties"))?,
            cases: ids(b, "cases").ok_or_else(|| bad(i, "cases"))?,
        });
    }
    Ok(out)
}

pub fn special(url: &str, cmd: SpecialCommand) -> Result<()> {
    let svc = open_service(url)?;
    match cmd {
        SpecialCommand::Record {
            staff,
            category,
            party,
            case,
            basis,
            legal_claim,
            consent_ref,
            content,
            on,
        } => {
            let on = parse_as_of(on.as_deref())?;
            let case = match case {
                Some(n) => Some(party_of_case(&svc, &n)?.1),
                None => None,
            };
            let id = svc
                .record_special(
                    &staff.actor(),
                    &NewSpecialRecord {
                        category: &category,
                        party: PartyId(party),
                        case,
                        basis: &basis,
                        legal_claim: legal_claim.as_deref(),
                        consent_ref: consent_ref.as_deref(),
                        purpose: &staff.purpose,
                        content: &content,
                        on,
                    },
                )
                .map_err(input_error)?;
            println!("{category} record {id} stored");
            Ok(())
        }
        SpecialCommand::Read {
            staff,
            category,
            party,
            json,
        } => {
            let records = svc
                .read_special(&staff.actor(), &category, PartyId(party))
                .map_err(input_error)?;
            list(
                json,
                &records,
                |r| {
                    json!({
                        "id": r.id, "party": r.party.0, "case": r.case.map(|c| c.0),
                        "basis": r.basis, "legal_claim": r.legal_claim,
                        "consent_ref": r.consent_ref, "purpose": r.purpose,
                        "content": r.content, "recorded_on": r.recorded_on.to_string(),
                        "recorded_by": r.recorded_by,
                    })
                },
                |r| {
                    format!(
                        "{}\t{}\tbasis {}\t{}\t{}",
                        r.id, r.recorded_on, r.basis, r.purpose, r.content
                    )
                },
            )
        }
        SpecialCommand::Log { staff, party, json } => {
            let log = svc
                .special_reads(&staff.actor(), PartyId(party))
                .map_err(input_error)?;
            list(
                json,
                &log,
                |r| {
                    json!({
                        "category": r.category, "records": r.records, "actor": r.actor,
                        "role": r.role, "purpose": r.purpose, "outcome": r.outcome,
                        "reason": r.reason, "read_at": r.read_at.to_string(),
                    })
                },
                |r| {
                    format!(
                        "{}\t{}\t{} ({}, {})\t{}\t{}",
                        r.read_at, r.category, r.actor, r.role, r.purpose, r.outcome, r.records
                    )
                },
            )
        }
    }
}

pub fn backup(url: &str, file: PathBuf) -> Result<()> {
    let svc = open_service(url)?;
    svc.backup(&crate::cli_actor(), &file)
        .map_err(input_error)?;
    println!("backup written to {}", file.display());
    Ok(())
}

pub fn restore(url: &str, file: PathBuf, journal: Option<PathBuf>) -> Result<()> {
    let extra = match &journal {
        Some(j) => read_journal(j).map_err(crate::refused)?,
        None => Vec::new(),
    };
    let svc = open_service(url)?;
    let n = svc
        .restore(&crate::cli_actor(), &file, &extra)
        .map_err(input_error)?;
    println!(
        "restored {}; {n} erasure(s) journalled since the backup re-applied",
        file.display()
    );
    Ok(())
}

pub fn notify_change(url: &str) -> Result<()> {
    let svc = open_service(url)?;
    let (version, n) = svc
        .notify_statement_change(&crate::cli_actor())
        .map_err(input_error)?;
    println!("privacy statement {version}: {n} notice(s) queued");
    Ok(())
}
