//! `kwijting`: the command line. Thin: it resolves arguments into a
//! configuration, calls services and renders their results.
//!
//! Exit codes (cron jobs rely on them): 0 success; 1 failure; 2 bad usage;
//! 3 input refused (an import or a request with invalid data; nothing was
//! changed).

mod arrangements_cmd;
mod bench_access;
mod bench_import;
mod bench_law;
mod bench_remit;
mod bench_retention;
mod bench_run_day;
mod bench_statement;
mod cases_cmd;
mod demo;
mod erasure_cmd;
mod import_cmd;
mod law_cmd;
mod next_cmd;
mod payments_cmd;
mod policy_cmd;
mod recipients_cmd;
mod remit_cmd;
mod rights_cmd;
mod trust_account;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kwijting_domain::{Actor, CaseStatus, ClientRole};
use kwijting_service::cases::CaseQuery;
use kwijting_service::intake::{IntakeError, Progress};
use kwijting_service::{Kwijting, ServiceError, ShiftedClock, SystemClock};

/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://kwijting.db";

#[derive(Parser)]
#[command(
    name = "kwijting",
    version,
    about = "Debt collection whose GDPR promises are enforced by the software"
)]
struct Cli {
    /// sqlite://PATH (default), sqlite::memory: or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "KWIJTING_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    /// The processing policy (TOML); default: the built-in policy/default.toml
    #[arg(long, global = true, env = "KWIJTING_POLICY")]
    policy: Option<PathBuf>,
    /// Act as on this day (YYYY-MM-DD), the clock running on from there;
    /// default: the system clock's day
    #[arg(long, global = true, env = "KWIJTING_TODAY")]
    today: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A synthetic portfolio in a fresh SQLite file, then the API on 127.0.0.1
    Demo(demo::DemoArgs),
    /// Clients (creditors) and the agency's role per mandate
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Import data: claims from CSV
    #[command(subcommand)]
    Import(ImportCommand),
    /// Cases: list and show
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Collection strategies (versioned; every version kept)
    #[command(subcommand)]
    Strategy(StrategyCommand),
    /// Take every open case one step forward on a date
    RunDay {
        #[arg(long)]
        as_of: String,
        /// Workers claiming chunks side by side (PostgreSQL; SQLite runs one)
        #[arg(long, default_value_t = 1)]
        workers: usize,
        #[arg(long)]
        json: bool,
    },
    /// Carry out queued work that calls outside services: address and
    /// credit checks (the simulated providers; each disclosure logged)
    Providers {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The review queue of decisions with legal effect (GDPR art. 22)
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Payments received: the unmatched queue
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// The trust-account ledger
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Payment arrangements: propose, show, settle, client rules
    #[command(subcommand)]
    Arrangements(arrangements_cmd::ArrangementsCommand),
    /// SEPA direct-debit mandates
    #[command(subcommand)]
    Mandates(arrangements_cmd::MandatesCommand),
    /// SEPA payment files: direct debits for arrangements
    #[command(subcommand)]
    Sepa(arrangements_cmd::SepaCommand),
    /// Pay clients what was collected for them (afdracht): client
    /// statements (CSV) and a pain.001 file
    Remit(remit_cmd::RemitArgs),
    /// Write a synthetic portfolio CSV (synthetic people only)
    Generate(GenerateArgs),
    /// Serve the HTTP API
    Serve(ServeArgs),
    /// The collection-law engine: costs, interest, deadlines, statements
    #[command(subcommand)]
    Law(law_cmd::LawCommand),
    /// The processing policy: register of processing, privacy statement, check
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
    /// The personal-data catalog
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Data subjects' rights: access, portability, rectification,
    /// restriction, objection (GDPR art. 15 to 21)
    #[command(subcommand)]
    Rights(rights_cmd::RightsCommand),
    /// The register of actual recipients and their transfer safeguards
    /// (R23 to R25)
    #[command(subcommand)]
    Recipients(recipients_cmd::RecipientsCommand),
    /// Benchmarks that print figures against a same-run baseline
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Retention (R17 to R22): the run that erases what expired, legal holds
    #[command(subcommand)]
    Retention(erasure_cmd::RetentionCommand),
    /// Erasure of one party's data (GDPR art. 17), with what is kept and why
    #[command(subcommand)]
    Erasure(erasure_cmd::ErasureCommand),
    /// Health and criminal-record data (R10): kept apart, every read logged
    #[command(subcommand)]
    Special(erasure_cmd::SpecialCommand),
    /// A consistent copy of the database in FILE
    Backup { file: PathBuf },
    /// Replace the database with a backup; erasures since are re-applied
    Restore {
        file: PathBuf,
        /// An exported erasure journal to re-apply too (`erasure journal`),
        /// for a restore into a new database
        #[arg(long)]
        journal: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ClientsCommand {
    /// Add a client
    Add {
        #[arg(long = "ref")]
        reference: String,
        #[arg(long)]
        name: String,
        /// controller (collection) or processor (receivables management)
        #[arg(long)]
        role: String,
        /// Where data subjects reach the client about privacy (for processor mandates)
        #[arg(long)]
        privacy_contact: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List clients
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show or set (a new version of) the client's agreement: commission,
    /// who keeps costs and interest, payout frequency and account
    Agreement(remit_cmd::AgreementArgs),
    /// Record the end of a client's mandate (R1: data held as its
    /// processor is then returned or erased by the retention run)
    EndMandate {
        /// The client's reference
        reference: String,
        #[arg(long)]
        on: String,
    },
    /// Switch a client's mandate from a day (R1): `controller` (the agency
    /// collects for its own purpose) or `processor` (receivables
    /// management on the client's behalf); the history is kept
    Mandate {
        /// The client's reference
        reference: String,
        #[arg(long)]
        role: String,
        /// The first day of the new mandate (default today)
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Save (--file MAP.toml, or --file nl) or --show the column mapping the
    /// client's claim files are read with
    Mapping(import_cmd::MappingArgs),
    /// What the client lets the agency do in collection
    Settings {
        #[arg(long = "ref")]
        reference: String,
        /// Legal steps are taken only from this balance (euros); below it a
        /// summons warning would be an empty threat
        #[arg(long)]
        legal_threshold: Option<String>,
        /// Whether the agency may take legal steps at all (yes or no)
        #[arg(long)]
        legal_action: Option<String>,
        /// Whether a person reviews every legal step for business debtors
        /// too (consumers: always)
        #[arg(long)]
        review_all_legal: Option<String>,
        /// Collection costs agreed with business debtors: `bik` (nothing
        /// agreed: the BIK scale), `fixed:EUR` or `percent:P`; consumers
        /// always pay the BIK scale
        #[arg(long)]
        costs: Option<String>,
        /// The client cannot deduct VAT, so the costs are raised by 21%
        /// (art. 2(3) BIK): yes or no
        #[arg(long)]
        vat_not_deductible: Option<String>,
    },
}

#[derive(Subcommand)]
enum StrategyCommand {
    /// Store a new strategy version from a TOML file (format:
    /// crates/strategy/README.md); every version is kept
    Add { file: PathBuf },
    /// The newest version of each strategy
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Statement credits not matched to a case, waiting for a person
    Unmatched {
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Pay every overpayment held for refund back to the account it came
    /// from, in one pain.001 file
    PayRefunds(remit_cmd::RefundArgs),
    /// Assign an entry of the unmatched queue (by its key) to a case: a
    /// credit leaves suspense and is allocated; a debit takes back the
    /// case's payment of that amount (booked as its return). Or book a
    /// debit as the trust account's bank costs (--bank-costs, paid from the
    /// agency's commission). Logged with who assigned it
    Assign {
        entry: String,
        #[arg(required_unless_present = "bank_costs")]
        case: Option<String>,
        /// The debit is the bank's costs of the trust account
        #[arg(long, conflicts_with = "case")]
        bank_costs: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every invariant of the trust-account ledger; exit 1 on a violation
    Verify,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Book a bank statement (camt.052/053/054 or MT940): all or nothing,
    /// idempotent per transaction; credits matched to cases and allocated
    Statement {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// The trust account the statement must be of
        #[command(flatten)]
        trust: trust_account::TrustAccountArgs,
    },
    /// Import claims from a CSV or .xlsx file (format: docs/claims-csv.md):
    /// all or nothing
    Claims(import_cmd::ClaimsArgs),
}

#[derive(Subcommand)]
enum CasesCommand {
    /// List cases
    List {
        #[arg(long)]
        client: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long)]
        json: bool,
    },
    /// One case as a case handler needs it: what is owed today and its
    /// parts, claims, holds, arrangements, recent decisions and payments
    Show(cases_cmd::ShowArgs),
    /// The itemised statement of account (the Wkid's specification)
    Statement(cases_cmd::StatementArgs),
    /// Find cases by name, IBAN, postcode, invoice, reference or case number
    Search(cases_cmd::SearchArgs),
    /// Stop or pause collection on a case: dispute, debt_counselling, wsnp,
    /// gdpr_restriction, gdpr_objection, deceased, client_hold, human_review
    Hold {
        number: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        reason: String,
        /// The day it takes effect (default: today)
        #[arg(long)]
        on: Option<String>,
    },
    /// Lift the holds of a kind
    Release {
        number: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// The debtor asks for a person to review an automated decision (GDPR art. 22)
    RequestReview {
        number: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The automated decisions on a case, explained (GDPR art. 22)
    Explain {
        number: String,
        /// nl or en
        #[arg(long, default_value = "nl")]
        lang: String,
        #[arg(long)]
        json: bool,
    },
    /// What the daily run would decide for the case on a day, and the
    /// balance it decides on (nothing is stored)
    Next {
        number: String,
        /// The day (default today)
        #[arg(long)]
        as_of: Option<String>,
        /// nl or en
        #[arg(long, default_value = "nl")]
        lang: String,
        #[arg(long)]
        json: bool,
    },
    /// The holds on a case
    Holds {
        number: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Decisions with legal effect waiting for a person
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Approve a decision: its action is queued
    Approve { decision: i64 },
    /// Reject a decision: nothing happens, the case continues its strategy
    Reject { decision: i64 },
}

#[derive(clap::Args)]
struct GenerateArgs {
    /// Number of cases (debtors); some have several claims
    #[arg(long, default_value_t = 10_000)]
    cases: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Dates are generated relative to this day
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Compare the live schema with the catalog; exit 1 on any difference
    Check,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// The access extract (art. 15) of random subjects against a party read
    Access(bench_access::BenchAccessArgs),
    /// Claim import against a plain multi-row INSERT baseline
    Import(bench_import::BenchImportArgs),
    /// The daily run against a read-each-case, write-one-row baseline
    RunDay(bench_run_day::BenchRunDayArgs),
    /// A camt.053 booked against a portfolio, against an XML-scan baseline
    Statement(bench_statement::BenchStatementArgs),
    /// The retention run against plain UPDATEs of the same rows
    Retention(bench_retention::BenchRetentionArgs),
    /// The payout run over N clients and M collected amounts, against a
    /// ledger-verify baseline
    Remit(bench_remit::BenchRemitArgs),
    /// Statements of account per second on one core
    Law {
        #[arg(long, default_value_t = 1_000_000)]
        claims: usize,
    },
}

/// The operator at the command line: a named system actor.
fn cli_actor() -> Actor {
    Actor::system("cli", "collection")
}

pub fn open_service(url: &str) -> anyhow::Result<Kwijting> {
    let store = kwijting_store::open(url).with_context(|| format!("opening database {url}"))?;
    service_over(store)
}

/// The processing policy, loaded and validated once at start-up.
static POLICY: std::sync::OnceLock<Arc<kwijting_policy::Policy>> = std::sync::OnceLock::new();

/// The day the benchmarks act on unless `--today` says otherwise.
const BENCH_TODAY: &str = "2026-11-21";

/// The one clock of this run (the system clock unless `--today` moved it).
static CLOCK: std::sync::OnceLock<Arc<dyn kwijting_service::Clock>> = std::sync::OnceLock::new();

fn set_clock(today: Option<&str>) -> anyhow::Result<()> {
    let clock: Arc<dyn kwijting_service::Clock> = match today {
        Some(day) => Arc::new(ShiftedClock::to_day(
            kwijting_domain::parse_date(day).context("--today")?,
        )),
        None => Arc::new(SystemClock),
    };
    let _ = CLOCK.set(clock);
    Ok(())
}

pub fn clock() -> Arc<dyn kwijting_service::Clock> {
    CLOCK
        .get_or_init(|| Arc::new(SystemClock) as Arc<dyn kwijting_service::Clock>)
        .clone()
}

fn load_policy(path: Option<&std::path::Path>) -> anyhow::Result<()> {
    let policy = match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            kwijting_policy::Policy::from_toml_str(&text, &p.display().to_string())
                .map_err(refused)?
        }
        None => kwijting_policy::Policy::load_default()?,
    };
    let _ = POLICY.set(Arc::new(policy));
    Ok(())
}

pub fn policy() -> anyhow::Result<&'static Arc<kwijting_policy::Policy>> {
    if POLICY.get().is_none() {
        load_policy(None)?;
    }
    POLICY.get().context("the policy did not load")
}

pub fn service_over(store: Arc<dyn kwijting_store::Store>) -> anyhow::Result<Kwijting> {
    Ok(Kwijting::new(store, policy()?.clone(), clock()))
}

fn parse_as_of(s: Option<&str>) -> anyhow::Result<kwijting_domain::Date> {
    match s {
        Some(s) => Ok(kwijting_domain::parse_date(s).context("--as-of")?),
        None => Ok(clock().today()),
    }
}

fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// An error that carries its own exit code.
#[derive(Debug)]
struct Exit(u8, anyhow::Error);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.1)
    }
}

impl std::error::Error for Exit {}

fn refused(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Exit(3, e.into()))
}

/// Bad usage (what clap refuses itself): exit code 2.
fn usage(e: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Exit(2, e.into()))
}

/// `--status` of `cases list`: a wrong value is bad usage, and the message
/// lists the values there are.
fn parse_status(s: &str) -> anyhow::Result<CaseStatus> {
    CaseStatus::parse(s).ok_or_else(|| {
        let known: Vec<&str> = CaseStatus::ALL.iter().map(|c| c.as_str()).collect();
        usage(anyhow::anyhow!(
            "--status '{s}' is not a case status; use one of: {}",
            known.join(", ")
        ))
    })
}

/// Whether an error is a write to a closed pipe (`kwijting ... | head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    let broken = Some(std::io::ErrorKind::BrokenPipe);
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().map(|io| io.kind()) == broken
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == broken
            // An exit code given to a write error (`policy` refuses all).
            || c.downcast_ref::<Exit>().is_some_and(|x| is_broken_pipe(&x.1))
    })
}

/// A reader that stops early (`| head -1`) is not a failure: the command
/// exits quietly with 0. `println!` panics on such a write, with std's
/// message "failed printing to stdout: Broken pipe"; the hook ends the
/// process there, and leaves every other panic to the default hook.
fn exit_quietly_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// A service error caused by what the user gave: exit code 3.
fn input_error(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(_)
        | ServiceError::UnknownCase(_)
        | ServiceError::UnknownClient(_)
        | ServiceError::Conflict { .. }
        | ServiceError::Refused(_) => refused(e),
        e => e.into(),
    }
}

fn intake_error(e: IntakeError) -> anyhow::Error {
    match e {
        IntakeError::Refused(_)
        | IntakeError::NotClaims { .. }
        | IntakeError::Mapping(_)
        | IntakeError::Service(ServiceError::Invalid(_) | ServiceError::UnknownClient(_)) => {
            refused(e)
        }
        e => e.into(),
    }
}

pub fn progress_bar(total_bytes: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(total_bytes);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {elapsed} ({eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb
}

pub fn import_file(
    svc: &Kwijting,
    actor: &Actor,
    client: &str,
    file: &std::path::Path,
) -> anyhow::Result<kwijting_service::ImportReport> {
    let f = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let pb = progress_bar(size, "importing");
    let source = file.display().to_string();
    let report = svc
        .import_claims_csv(actor, client, &source, f, &mut |p: Progress| {
            pb.set_position(p.bytes)
        })
        .map_err(intake_error);
    pb.finish_and_clear();
    report
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // A bad policy file stops every command before it touches anything.
    load_policy(cli.policy.as_deref())?;
    // The benchmarks' portfolios, statements and runs carry fixed dates:
    // they act on the day those were written for, so a run next year
    // measures the same work (cases received after the day they are run
    // for would make no decision at all).
    let today = match (&cli.command, cli.today.as_deref()) {
        (Command::Bench(_), None) => Some(BENCH_TODAY),
        (_, today) => today,
    };
    set_clock(today)?;
    match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Clients(c) => {
            let svc = open_service(&cli.database_url)?;
            let actor = cli_actor();
            match c {
                ClientsCommand::Add {
                    reference,
                    name,
                    role,
                    privacy_contact,
                    json,
                } => {
                    let role = ClientRole::parse(&role).ok_or_else(|| {
                        refused(anyhow::anyhow!(
                            "--role must be 'controller' or 'processor', not '{role}'"
                        ))
                    })?;
                    let c = svc
                        .add_client(&actor, &reference, &name, role, privacy_contact.as_deref())
                        .map_err(|e| match e {
                            ServiceError::Invalid(_) | ServiceError::Conflict { .. } => refused(e),
                            e => e.into(),
                        })?;
                    if json {
                        print_json(&kwijting_server::views::client(&c))?;
                    } else {
                        println!(
                            "client {} ({}) added; the agency is {} for it",
                            c.reference,
                            c.name,
                            c.role.as_str()
                        );
                    }
                }
                ClientsCommand::Settings {
                    reference,
                    legal_threshold,
                    legal_action,
                    review_all_legal,
                    costs,
                    vat_not_deductible,
                } => {
                    let current = svc
                        .client(&actor, &reference)
                        .map_err(input_error)?
                        .settings;
                    let yes_no =
                        |v: Option<String>, name: &str, default: bool| -> anyhow::Result<bool> {
                            match v.as_deref() {
                                None => Ok(default),
                                Some("yes") => Ok(true),
                                Some("no") => Ok(false),
                                Some(other) => Err(refused(anyhow::anyhow!(
                                    "--{name} must be yes or no, not '{other}'"
                                ))),
                            }
                        };
                    let settings = kwijting_store::ClientSettingsRow {
                        legal_action_allowed: yes_no(
                            legal_action,
                            "legal-action",
                            current.legal_action_allowed,
                        )?,
                        legal_action_min_cents: match legal_threshold {
                            Some(t) => kwijting_domain::Money::parse_non_negative(&t)
                                .map_err(|e| refused(anyhow::anyhow!("--legal-threshold: {e}")))?
                                .cents(),
                            None => current.legal_action_min_cents,
                        },
                        review_all_legal_steps: yes_no(
                            review_all_legal,
                            "review-all-legal",
                            current.review_all_legal_steps,
                        )?,
                        vat_not_deductible: yes_no(
                            vat_not_deductible,
                            "vat-not-deductible",
                            current.vat_not_deductible,
                        )?,
                        ..current
                    };
                    let settings = match costs.as_deref() {
                        None => settings,
                        Some(terms) => {
                            let (fixed, percent) = parse_costs_terms(terms)?;
                            kwijting_store::ClientSettingsRow {
                                costs_fixed_cents: fixed,
                                costs_percent_bps: percent,
                                ..settings
                            }
                        }
                    };
                    let c = svc
                        .set_client_settings(&actor, &reference, &settings)
                        .map_err(input_error)?;
                    println!(
                        "{}: legal steps {}, from {}, review of every legal step {}",
                        c.reference,
                        if c.settings.legal_action_allowed {
                            "allowed"
                        } else {
                            "not allowed"
                        },
                        kwijting_domain::Money::from_cents(c.settings.legal_action_min_cents),
                        if c.settings.review_all_legal_steps {
                            "on"
                        } else {
                            "for consumers only"
                        }
                    );
                    let costs = match (c.settings.costs_fixed_cents, c.settings.costs_percent_bps) {
                        (Some(cents), _) => format!(
                            "EUR {} agreed with business debtors",
                            kwijting_domain::Money::from_cents(cents)
                        ),
                        (None, Some(bps)) => format!(
                            "{}.{:02}% of the principal agreed with business debtors",
                            bps / 100,
                            bps % 100
                        ),
                        (None, None) => "the BIK scale".to_owned(),
                    };
                    println!(
                        "{}: collection costs: {costs}{}; VAT {}",
                        c.reference,
                        if c.settings.costs_fixed_cents.is_some()
                            || c.settings.costs_percent_bps.is_some()
                        {
                            " (where this is above the BIK scale, a court may reduce it: HR 2015:1868; the statement marks it)"
                        } else {
                            ""
                        },
                        if c.settings.vat_not_deductible {
                            "not deductible by the client: costs raised by 21% (art. 2(3) BIK)"
                        } else {
                            "deductible by the client: no VAT on the costs"
                        }
                    );
                }
                ClientsCommand::Agreement(args) => remit_cmd::agreement(&svc, &actor, args)?,
                ClientsCommand::Mandate {
                    reference,
                    role,
                    from,
                    json,
                } => {
                    let role = kwijting_domain::ClientRole::parse(&role).ok_or_else(|| {
                        usage(anyhow::anyhow!(
                            "--role '{role}' is not a mandate: use controller or processor"
                        ))
                    })?;
                    let from = parse_as_of(from.as_deref())?;
                    let history = svc
                        .switch_mandate(&actor, &reference, role, from)
                        .map_err(input_error)?;
                    if json {
                        print_json(&serde_json::json!({
                            "client": reference,
                            "mandates": history.iter().map(|m| serde_json::json!({
                                "role": m.role.as_str(),
                                "from": m.effective_from.to_string(),
                                "recorded_on": m.recorded_on.to_string(),
                                "recorded_by": m.recorded_by,
                            })).collect::<Vec<_>>(),
                        }))?;
                    } else {
                        for m in &history {
                            println!(
                                "{reference}: {} from {} (recorded {} by {})",
                                m.role.as_str(),
                                m.effective_from,
                                m.recorded_on,
                                m.recorded_by
                            );
                        }
                    }
                }
                ClientsCommand::Mapping(args) => import_cmd::mapping(&svc, &actor, args)?,
                ClientsCommand::EndMandate { reference, on } => {
                    recipients_cmd::end_mandate(&svc, &actor, &reference, &on)?;
                }
                ClientsCommand::List { json } => {
                    let clients = svc.clients(&actor)?;
                    if json {
                        print_json(&serde_json::json!({
                            "clients": clients.iter().map(kwijting_server::views::client).collect::<Vec<_>>()
                        }))?;
                    } else {
                        for c in clients {
                            println!("{:<16} {:<11} {}", c.reference, c.role.as_str(), c.name);
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Import(ImportCommand::Statement { file, json, trust }) => {
            let trust = trust_account::TrustAccountSettings::read(&trust)?;
            let svc = open_service(&cli.database_url)?
                .with_trust_accounts(trust.iban.into_iter().collect());
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let r = svc
                .import_statement(&cli_actor(), &file.display().to_string(), &bytes)
                .map_err(input_error)?;
            if json {
                print_json(&serde_json::json!({
                    "statements": r.statements,
                    "transactions": r.transactions,
                    "known": r.known,
                    "matched": r.matched,
                    "unmatched": r.unmatched,
                    "debits": r.debits,
                    "unmatched_debits": r.unmatched_debits,
                    "pending": r.pending,
                    "refunds_cents": r.refunds_cents,
                    "returns": r.returns.iter().map(kwijting_server::views::returned_receipt).collect::<Vec<_>>(),
                }))?;
            } else {
                println!(
                    "{}: {} statement(s), {} transactions: {} matched, {} unmatched, {} debits/reversals ({} waiting in the queue), {} already booked; {} held for refund",
                    file.display(),
                    r.statements,
                    r.transactions,
                    r.matched,
                    r.unmatched,
                    r.debits,
                    r.unmatched_debits,
                    r.known,
                    kwijting_domain::Money::from_cents(r.refunds_cents)
                );
                if r.pending > 0 {
                    println!(
                        "{} pending entries (not booked by the bank yet) were recorded, not booked; they come again booked",
                        r.pending
                    );
                }
            }
            Ok(())
        }
        Command::Payments(PaymentsCommand::PayRefunds(args)) => {
            let svc = open_service(&cli.database_url)?;
            remit_cmd::refund(&svc, &cli_actor(), args)
        }
        Command::Payments(PaymentsCommand::Unmatched { limit, json }) => {
            let svc = open_service(&cli.database_url)?;
            let (total, entries) = svc.unmatched_payments(&cli_actor(), limit)?;
            if json {
                print_json(&serde_json::json!({
                    "total": total,
                    "entries": entries.iter().map(kwijting_server::views::bank_entry).collect::<Vec<_>>(),
                }))?;
            } else {
                for e in &entries {
                    println!(
                        "{}  {}  {:>12}  {}  {}",
                        e.key,
                        e.booked_on.map(|d| d.to_string()).unwrap_or_default(),
                        kwijting_domain::Money::from_cents(e.amount_cents),
                        e.counterparty_name.as_deref().unwrap_or("-"),
                        e.reason.as_deref().unwrap_or("")
                    );
                }
                println!("{} of {total} unmatched", entries.len());
            }
            Ok(())
        }
        Command::Payments(PaymentsCommand::Assign {
            entry,
            case,
            bank_costs,
            json,
        }) => payments_cmd::assign(&cli.database_url, &entry, case.as_deref(), bank_costs, json),
        Command::Arrangements(c) => arrangements_cmd::arrangements(&cli.database_url, c),
        Command::Mandates(c) => arrangements_cmd::mandates(&cli.database_url, c),
        Command::Sepa(c) => arrangements_cmd::sepa(&cli.database_url, c),
        Command::Remit(args) => {
            let svc = open_service(&cli.database_url)?;
            remit_cmd::remit(&svc, &cli_actor(), args)
        }
        Command::Ledger(LedgerCommand::Verify) => {
            let svc = open_service(&cli.database_url)?;
            match svc.verify_ledger(&cli_actor())? {
                Ok(n) => {
                    println!("ledger: {n} transfers, every invariant holds");
                    Ok(())
                }
                Err(problems) => {
                    for p in &problems {
                        eprintln!("ledger: {p}");
                    }
                    anyhow::bail!("{} ledger invariant violation(s)", problems.len())
                }
            }
        }
        Command::Import(ImportCommand::Claims(args)) => {
            let svc = open_service(&cli.database_url)?;
            import_cmd::claims(&svc, &cli_actor(), args)
        }
        Command::Cases(c) => {
            let svc = open_service(&cli.database_url)?;
            let actor = cli_actor();
            match c {
                CasesCommand::List {
                    client,
                    status,
                    limit,
                    offset,
                    json,
                } => {
                    let status = status.as_deref().map(parse_status).transpose()?;
                    let page = svc.list_cases_owed(
                        &actor,
                        &CaseQuery {
                            client_ref: client,
                            status,
                            limit,
                            offset,
                        },
                    )?;
                    if json {
                        print_json(&kwijting_server::views::case_page(&page))?;
                    } else {
                        println!(
                            "{:<13} {:<12} {:<20} {:>12}  debtor",
                            "case", "client", "status", "owed (EUR)"
                        );
                        for c in &page.cases {
                            let s = &c.summary;
                            println!(
                                "{:<13} {:<12} {:<20} {:>12}  {}",
                                s.number,
                                s.client_ref,
                                s.status.as_str(),
                                owed_text(&c.standing),
                                s.debtor.name
                            );
                        }
                        println!("{} of {} cases", page.cases.len(), page.total);
                    }
                }
                CasesCommand::Hold {
                    number,
                    kind,
                    reason,
                    on,
                } => {
                    let on = parse_as_of(on.as_deref())?;
                    svc.place_hold(&actor, &number, &kind, &reason, on)
                        .map_err(input_error)?;
                    println!("{number}: hold '{kind}' from {on}");
                }
                CasesCommand::Release { number, kind, on } => {
                    let on = parse_as_of(on.as_deref())?;
                    let n = svc
                        .lift_hold(&actor, &number, &kind, on)
                        .map_err(input_error)?;
                    println!("{number}: {n} hold(s) '{kind}' lifted on {on}");
                }
                CasesCommand::RequestReview { number, reason } => {
                    let on = parse_as_of(None)?;
                    svc.request_human_review(&actor, &number, &reason, on)
                        .map_err(input_error)?;
                    println!("{number}: paused until a person has reviewed it");
                }
                CasesCommand::Explain { number, lang, json } => {
                    let lang = match lang.as_str() {
                        "nl" => kwijting_strategy::Language::Nl,
                        "en" => kwijting_strategy::Language::En,
                        other => {
                            return Err(refused(anyhow::anyhow!(
                                "--lang must be nl or en, not '{other}'"
                            )));
                        }
                    };
                    let explained = svc.explain(&actor, &number, lang).map_err(input_error)?;
                    if json {
                        print_json(&serde_json::json!({
                            "case": number,
                            "decisions": explained.iter().map(|(d, text)| {
                                let mut v = kwijting_server::views::decision(d);
                                v["explanation"] = serde_json::Value::String(text.clone());
                                v
                            }).collect::<Vec<_>>(),
                        }))?;
                    } else if explained.is_empty() {
                        println!("{number}: no automated decisions yet");
                    } else {
                        for (_, text) in &explained {
                            println!("{text}");
                        }
                    }
                }
                CasesCommand::Next {
                    number,
                    as_of,
                    lang,
                    json,
                } => next_cmd::next(&svc, &actor, &number, as_of.as_deref(), &lang, json)?,
                CasesCommand::Holds { number, json } => {
                    let holds = svc.holds(&actor, &number).map_err(input_error)?;
                    let v: Vec<serde_json::Value> =
                        holds.iter().map(kwijting_server::views::hold).collect();
                    if json {
                        print_json(&serde_json::json!({ "holds": v }))?;
                    } else {
                        for h in &holds {
                            println!(
                                "{:<18} {} .. {}  {} ({})",
                                h.kind,
                                h.placed_on,
                                h.lifted_on
                                    .map(|d| d.to_string())
                                    .unwrap_or_else(|| "now".into()),
                                h.reason,
                                h.placed_by
                            );
                        }
                    }
                }
                CasesCommand::Show(a) => cases_cmd::show(&svc, &actor, a)?,
                CasesCommand::Statement(a) => cases_cmd::statement(&svc, &actor, a)?,
                CasesCommand::Search(a) => cases_cmd::search(&svc, &actor, a)?,
            }
            Ok(())
        }
        Command::RunDay {
            as_of,
            workers,
            json,
        } => {
            let svc = open_service(&cli.database_url)?;
            let as_of = kwijting_domain::parse_date(&as_of)
                .map_err(|e| refused(anyhow::anyhow!("--as-of: {e}")))?;
            let summary = run_day(&svc, as_of, workers)?;
            let v = kwijting_server::views::run_summary(&summary);
            if json {
                print_json(&v)?;
            } else {
                println!(
                    "{as_of}: {} open cases seen, {} decisions ({} new), {} held, {} waiting for review, {} errors",
                    summary.cases_seen,
                    summary.decisions,
                    summary.new_decisions,
                    summary.holds,
                    summary.review_queue,
                    summary.errors
                );
                for (action, n) in &summary.by_action {
                    println!("  {action:<24} {n}");
                }
            }
            for (message, n, first) in &summary.error_reasons {
                eprintln!("run-day {as_of}: {n} case(s), first {first}: {message}");
            }
            if summary.errors > 0 {
                anyhow::bail!(
                    "{} case(s) could not be decided; they are tried again on the next run",
                    summary.errors
                );
            }
            Ok(())
        }
        Command::Strategy(cmd) => {
            let svc = open_service(&cli.database_url)?;
            let actor = cli_actor();
            match cmd {
                StrategyCommand::Add { file } => {
                    let text = std::fs::read_to_string(&file)
                        .with_context(|| format!("reading {}", file.display()))?;
                    let (id, version) = svc
                        .add_strategy(&actor, &text, &file.display().to_string())
                        .map_err(input_error)?;
                    println!(
                        "strategy {id} version {version} stored; new cases get it, running cases keep theirs"
                    );
                }
                StrategyCommand::List { json } => {
                    let list = svc.strategies(&actor)?;
                    if json {
                        print_json(&serde_json::json!({
                            "strategies": list.iter().map(|(id, v, title)| serde_json::json!({"id": id, "version": v, "title": title})).collect::<Vec<_>>()
                        }))?;
                    } else {
                        for (id, v, title) in list {
                            println!("{id:<24} v{v:<4} {title}");
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Providers { as_of, json } => {
            let svc = open_service(&cli.database_url)?;
            let on = parse_as_of(as_of.as_deref())?;
            let p = run_providers(&svc, on)?;
            if json {
                print_json(&serde_json::json!({
                    "address_checks": p.address_checks,
                    "credit_checks": p.credit_checks,
                    "refused": p.refused,
                }))?;
            } else {
                println!(
                    "{on}: {} address checks, {} credit checks, {} refused by the policy",
                    p.address_checks, p.credit_checks, p.refused
                );
            }
            Ok(())
        }
        Command::Review(r) => {
            let svc = open_service(&cli.database_url)?;
            let actor = cli_actor();
            match r {
                ReviewCommand::List { limit, json } => {
                    cases_cmd::review_list(&svc, &actor, limit, json)?
                }
                ReviewCommand::Approve { decision } => {
                    svc.review(&actor, decision, true).map_err(input_error)?;
                    println!("decision {decision} approved; its action is queued");
                }
                ReviewCommand::Reject { decision } => {
                    svc.review(&actor, decision, false).map_err(input_error)?;
                    println!("decision {decision} rejected");
                }
            }
            Ok(())
        }
        Command::Generate(g) => {
            let as_of = parse_as_of(g.as_of.as_deref())?;
            let f = std::fs::File::create(&g.out)
                .with_context(|| format!("creating {}", g.out.display()))?;
            let summary = kwijting_synth::write_portfolio(
                std::io::BufWriter::with_capacity(1 << 20, f),
                &kwijting_synth::PortfolioOptions::new(g.cases, g.seed, as_of),
            )?;
            eprintln!(
                "wrote {}: {} cases ({} consumers, {} businesses), {} claims, principal EUR {} in total",
                g.out.display(),
                summary.cases,
                summary.consumers,
                summary.businesses,
                summary.lines,
                summary.total_principal
            );
            Ok(())
        }
        Command::Serve(s) => {
            let svc = open_service(&cli.database_url)?;
            serve(svc, s.bind)
        }
        Command::Policy(policy_cmd::PolicyCommand::NotifyChange) => {
            erasure_cmd::notify_change(&cli.database_url)
        }
        Command::Retention(cmd) => erasure_cmd::retention(&cli.database_url, cmd),
        Command::Erasure(cmd) => erasure_cmd::erasure(&cli.database_url, cmd),
        Command::Special(cmd) => erasure_cmd::special(&cli.database_url, cmd),
        Command::Backup { file } => erasure_cmd::backup(&cli.database_url, file),
        Command::Restore { file, journal } => {
            erasure_cmd::restore(&cli.database_url, file, journal)
        }
        Command::Bench(BenchCommand::Retention(args)) => bench_retention::run(args),
        Command::Policy(cmd) => {
            policy_cmd::run(cmd, policy()?, &policy_cmd::catalog_view()).map_err(refused)
        }
        Command::Catalog(CatalogCommand::Check) => {
            let svc = open_service(&cli.database_url)?;
            svc.catalog_check()?;
            println!("the live schema matches the personal-data catalog");
            Ok(())
        }
        Command::Rights(cmd) => {
            let svc = open_service(&cli.database_url)?;
            rights_cmd::run(&svc, &cli_actor(), cmd)
        }
        Command::Recipients(cmd) => {
            let svc = open_service(&cli.database_url)?;
            recipients_cmd::run(&svc, &cli_actor(), cmd)
        }
        Command::Bench(BenchCommand::Access(args)) => bench_access::run(args),
        Command::Bench(BenchCommand::Import(args)) => bench_import::run(args),
        Command::Bench(BenchCommand::Law { claims }) => bench_law::run(claims),
        Command::Bench(BenchCommand::RunDay(args)) => bench_run_day::run(args),
        Command::Bench(BenchCommand::Statement(args)) => bench_statement::run(args),
        Command::Bench(BenchCommand::Remit(args)) => bench_remit::run(args),
        Command::Law(law_cmd::LawCommand::Rates(r)) => rates_command(&cli.database_url, r),
        // The law commands compute from their arguments and the rate table
        // in force: whatever fails is the input.
        Command::Law(cmd) => {
            let table = operator_rate_table(&cli.database_url)?;
            law_cmd::run(cmd, table.as_ref()).map_err(refused)
        }
    }
}

/// The rate table with the operators' lines, when there is a database to
/// hold them; a computation must not create a database as a side effect.
fn operator_rate_table(url: &str) -> anyhow::Result<Option<kwijting_law::nl::rates::RateTable>> {
    if let Some(path) = url.strip_prefix("sqlite://")
        && !std::path::Path::new(path).exists()
    {
        return Ok(None);
    }
    if url.starts_with("sqlite::memory:") {
        return Ok(None);
    }
    Ok(Some(open_service(url)?.rate_table()?))
}

fn rates_command(url: &str, cmd: law_cmd::RatesCommand) -> anyhow::Result<()> {
    let svc = open_service(url)?;
    let actor = cli_actor();
    let invalid = |e: ServiceError| match e {
        ServiceError::Invalid(_) => refused(e),
        e => e.into(),
    };
    match cmd {
        law_cmd::RatesCommand::Add { line } => {
            svc.add_rate_line(&actor, &line).map_err(invalid)?;
            println!("rate line added: {line}");
        }
        law_cmd::RatesCommand::AssumeCommercial { note } => {
            svc.assume_commercial_rate_continues(&actor, &note)
                .map_err(invalid)?;
            println!("recorded: the last commercial rate continues ({note})");
        }
        law_cmd::RatesCommand::List { json } => {
            let table = svc.rate_table()?;
            let pct = |r: Option<kwijting_law::RateBps>| r.map(|r| r.to_string());
            let lines: Vec<serde_json::Value> = table
                .lines()
                .iter()
                .map(|l| {
                    serde_json::json!({
                        "effective_from": l.effective_from.to_string(),
                        "consumer": pct(l.consumer),
                        "commercial": pct(l.commercial),
                        "status": l.status.as_str(),
                        "origin": match l.origin {
                            kwijting_law::nl::rates::LineOrigin::Shipped => "shipped",
                            kwijting_law::nl::rates::LineOrigin::Operator => "operator",
                        },
                        "source": l.source,
                    })
                })
                .collect();
            if json {
                print_json(&serde_json::json!({
                    "lines": lines,
                    "commercial_assumption": table.commercial_assumption(),
                }))?;
            } else {
                println!(
                    "{:<12} {:>9} {:>11}  {:<11} {:<8} source",
                    "from", "consumer", "commercial", "status", "origin"
                );
                for l in &lines {
                    let s = |k: &str| l[k].as_str().unwrap_or("-").to_owned();
                    println!(
                        "{:<12} {:>9} {:>11}  {:<11} {:<8} {}",
                        s("effective_from"),
                        s("consumer"),
                        s("commercial"),
                        s("status"),
                        s("origin"),
                        s("source")
                    );
                }
                if let Some(note) = table.commercial_assumption() {
                    println!("assumed: the last commercial rate continues ({note})");
                }
            }
        }
    }
    Ok(())
}

/// The daily run with a progress bar on a terminal.
pub fn run_day(
    svc: &Kwijting,
    as_of: kwijting_domain::Date,
    workers: usize,
) -> anyhow::Result<kwijting_service::daily_run::RunSummary> {
    let pb = indicatif::ProgressBar::new(0);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "run-day {msg} [{bar:30}] {pos}/{len} chunks {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(as_of.to_string());
    let summary = svc.run_day(
        &Actor::system("run-day", "collection"),
        as_of,
        workers,
        &|done, total| {
            pb.set_length(total);
            pb.set_position(done);
        },
    );
    pb.finish_and_clear();
    Ok(summary?)
}

/// Queued address and credit checks, by the simulated providers.
pub fn run_providers(
    svc: &Kwijting,
    on: kwijting_domain::Date,
) -> anyhow::Result<kwijting_service::collect::ProviderWork> {
    use kwijting_service::collect::SimulatedProvider;
    Ok(svc.run_provider_checks(
        &Actor::system("providers", "collection"),
        on,
        &SimulatedProvider,
        &SimulatedProvider,
    )?)
}

/// Serves the API until Ctrl-C.
pub fn serve(svc: Kwijting, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    // The service's last reference stays out here: a PostgreSQL client may
    // block when it is dropped, which the async executor must not do.
    let keep = svc.clone();
    let served = rt.block_on(async move {
        let listener = kwijting_server::bind(bind)
            .await
            .with_context(|| format!("binding {bind} (is another server running there? use --bind)"))?;
        let addr = listener.local_addr()?;
        println!("Kwijting API on http://{addr}/api/v1/cases (OpenAPI: http://{addr}/api/v1/openapi.json); Ctrl-C stops");
        let state = kwijting_server::AppState::new(svc, Actor::system("api", "collection"));
        kwijting_server::serve(state, listener).await?;
        anyhow::Ok(())
    });
    drop(rt);
    drop(keep);
    served
}

fn main() -> ExitCode {
    exit_quietly_on_closed_stdout();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.downcast_ref::<Exit>().map(|x| x.0).unwrap_or(1);
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}

/// What a case owes today as a listing shows it: euros, or why the law
/// engine cannot say.
fn owed_text(s: &kwijting_service::cases::Standing) -> String {
    match s {
        kwijting_service::cases::Standing::Known(s) => s.owed.to_string(),
        kwijting_service::cases::Standing::Unknown(_) => "unknown".to_owned(),
    }
}

/// `--costs` of `clients settings`: `bik`, `fixed:EUR` or `percent:P`.
fn parse_costs_terms(terms: &str) -> anyhow::Result<(Option<i64>, Option<i64>)> {
    let bad = |why: String| refused(anyhow::anyhow!("--costs '{terms}': {why}"));
    match terms.split_once(':') {
        None if terms == "bik" => Ok((None, None)),
        Some(("fixed", eur)) => kwijting_domain::Money::parse_non_negative(eur)
            .map(|m| (Some(m.cents()), None))
            .map_err(|e| bad(e.to_string())),
        Some(("percent", p)) => kwijting_law::RateBps::parse_percent(p)
            .map(|r| (None, Some(i64::from(r.bps()))))
            .map_err(|e| bad(e.to_string())),
        _ => Err(bad(
            "use bik, fixed:EUR (fixed:40.00) or percent:P (percent:15)".into(),
        )),
    }
}
