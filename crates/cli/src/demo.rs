//! `kwijting demo`: a fresh SQLite file with a synthetic portfolio over a few
//! clients, then the API on loopback.

use std::path::PathBuf;

use anyhow::Context;
use kwijting_domain::{Actor, ClientRole};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Cases (debtors) in the portfolio, spread over the demo clients
    #[arg(long, default_value_t = 10_000)]
    cases: u64,
    /// Load the portfolio and stop, without serving
    #[arg(long)]
    no_serve: bool,
    /// The SQLite file to create (replaced if it exists)
    #[arg(long, default_value = "kwijting-demo.db")]
    db: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: std::net::SocketAddr,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// The demo's clients: reference, name, role, share of the cases in percent.
const DEMO_CLIENTS: &[(&str, &str, ClientRole, u64)] = &[
    ("TELCO", "Noordzee Telecom B.V.", ClientRole::Controller, 60),
    ("WEBSHOP", "Tulp Webwinkel B.V.", ClientRole::Controller, 25),
    ("ENERGIE", "Polder Energie N.V.", ClientRole::Processor, 15),
];

pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let store = kwijting_store::create_fresh_sqlite(&args.db)
        .with_context(|| format!("creating {}", args.db.display()))?;
    let svc = crate::service_over(store)?;
    let actor = Actor::system("demo", "collection");
    let as_of = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let tmp = std::env::temp_dir().join(format!("kwijting-demo-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut total_claims = 0;
    for (i, (reference, name, role, share)) in DEMO_CLIENTS.iter().enumerate() {
        svc.add_client(
            &actor,
            reference,
            name,
            *role,
            Some(&format!("privacy@{}.example", reference.to_lowercase())),
        )?;
        let cases = (args.cases * share / 100).max(1);
        let file = tmp.join(format!("{reference}.csv"));
        let out =
            std::fs::File::create(&file).with_context(|| format!("creating {}", file.display()))?;
        kwijting_synth::write_portfolio(
            std::io::BufWriter::new(out),
            &kwijting_synth::PortfolioOptions::new(cases, args.seed.wrapping_add(i as u64), as_of),
        )?;
        let report = crate::import_file(&svc, &actor, reference, &file)?;
        total_claims += report.claims_added;
        println!(
            "{reference:<8} {:<26} {:<10} {:>7} cases, {:>7} claims",
            name,
            role.as_str(),
            report.cases_added,
            report.claims_added
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!(
        "loaded {total_claims} claims into {} in {:.1?}",
        args.db.display(),
        started.elapsed()
    );
    // No commercial rate has been entered for the current half-year in the
    // shipped table; an operator records the assumption (every period on it
    // is marked assumed in statements).
    svc.assume_commercial_rate_continues(
        &actor,
        "demo: the last published commercial rate is assumed to continue",
    )?;
    // A few simulated weeks: the daily run takes the cases through their
    // strategies, with holds and the review queue along the way.
    let days = [0i64, 3, 19, 21, 35, 49, 63];
    let mut first_case: Option<String> = None;
    for (i, offset) in days.iter().enumerate() {
        let day = as_of
            .checked_add(jiff::Span::new().days(*offset))
            .context("date out of range")?;
        if i == 2
            && let Some(number) = &first_case
        {
            svc.place_hold(
                &actor,
                number,
                "dispute",
                "demo: the debtor disputes the invoice",
                day,
            )?;
        }
        let s = crate::run_day(&svc, day, 1)?;
        let checks = crate::run_providers(&svc, day)?;
        let actions: Vec<String> = s
            .by_action
            .iter()
            .map(|(a, n)| format!("{a} {n}"))
            .collect();
        println!(
            "run-day {day}: {} decisions, {} held, {} waiting for review{}{}",
            s.decisions,
            s.holds,
            s.review_queue,
            if actions.is_empty() {
                String::new()
            } else {
                format!(": {}", actions.join(", "))
            },
            if s.errors > 0 {
                format!(" ({} errors)", s.errors)
            } else {
                String::new()
            }
        );
        if checks.address_checks + checks.credit_checks > 0 {
            println!(
                "  providers: {} address checks, {} credit checks (each disclosure logged)",
                checks.address_checks, checks.credit_checks
            );
        }
        if first_case.is_none() {
            first_case = svc
                .list_cases(
                    &actor,
                    &kwijting_service::cases::CaseQuery {
                        limit: 1,
                        ..Default::default()
                    },
                )?
                .cases
                .first()
                .map(|c| c.number.clone());
        }
    }
    if let Some(number) = &first_case {
        println!("\nwhy case {number} is where it is:");
        for (_, text) in svc
            .explain(&actor, number, kwijting_strategy::Language::En)?
            .iter()
            .take(2)
        {
            println!("{text}");
        }
    }
    // Hints that work as printed, pasted anywhere: this binary and the demo
    // file by their full paths (the CLI's default database is another file).
    let binary = std::env::current_exe().context("finding this program's path")?;
    let db = std::fs::canonicalize(&args.db)
        .with_context(|| format!("finding {}", args.db.display()))?;
    let prefix = format!(
        "{} --database-url {}",
        shell_word(&binary.display().to_string()),
        shell_word(&format!("sqlite://{}", db.display()))
    );
    let mut hints = vec!["cases list --limit 5".to_owned()];
    if let Some(number) = &first_case {
        hints.push(format!("cases explain {number} --lang en"));
        hints.push(format!("cases show {number}"));
    }
    hints.push("review list".to_owned());
    for hint in hints {
        println!("try: {prefix} {hint}");
    }
    if args.no_serve {
        return Ok(());
    }
    crate::serve(svc, args.bind)
}

/// A word for a POSIX shell: as it is when it has nothing the shell would
/// read otherwise, else in single quotes.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:+=,@%".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
