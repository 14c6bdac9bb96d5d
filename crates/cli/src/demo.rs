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
    let trust = demo_trust_account()?;
    let actor = Actor::system("demo", "collection");
    let today = crate::clock().today();
    // The simulated weeks end today, so what the CLI shows afterwards (on
    // the system clock) is the state after them; each simulated day acts
    // on a clock standing at 09:00 that day.
    let as_of = today
        .checked_sub(jiff::Span::new().days(DEMO_DAYS[DEMO_DAYS.len() - 1]))
        .context("date out of range")?;
    let on = |day: kwijting_domain::Date| -> anyhow::Result<kwijting_service::Kwijting> {
        let at = day
            .at(9, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)?
            .timestamp();
        Ok(kwijting_service::Kwijting::new(
            store.clone(),
            crate::policy()?.clone(),
            std::sync::Arc::new(kwijting_service::FixedClock(at)),
        )
        .with_trust_accounts(vec![trust.clone()]))
    };
    let svc = on(as_of)?;
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
    let mut first_case: Option<String> = None;
    for (i, offset) in DEMO_DAYS.iter().enumerate() {
        let day = as_of
            .checked_add(jiff::Span::new().days(*offset))
            .context("date out of range")?;
        let svc = on(day)?;
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
    let svc = crate::service_over(store)?.with_trust_accounts(vec![trust.clone()]);
    hints.extend(walkthrough(&svc, &actor, &args.db, &trust, today)?);
    for hint in hints {
        println!("try: {prefix} {hint}");
    }
    if args.no_serve {
        return Ok(());
    }
    crate::serve(svc, args.bind)
}

/// The simulated days of the demo, from its first day; the last is today.
const DEMO_DAYS: [i64; 7] = [0, 3, 19, 21, 35, 49, 63];

/// The demo's trust account (derdengeldrekening): a statement is booked
/// only for it (`import statement --trust-iban`).
fn demo_trust_account() -> anyhow::Result<kwijting_domain::Iban> {
    Ok(kwijting_domain::Iban::dutch("RABO", 305_000_123)?)
}

/// The README's walkthrough on the demo's cases: a case's statement, a
/// bank statement paying another case in full (written next to the demo
/// database), an arrangement, an access request. Open cases of a
/// controller client without holds are picked, so every hint works.
fn walkthrough(
    svc: &kwijting_service::Kwijting,
    actor: &Actor,
    db: &std::path::Path,
    trust: &kwijting_domain::Iban,
    today: kwijting_domain::Date,
) -> anyhow::Result<Vec<String>> {
    let page = svc.list_cases_owed(
        actor,
        &kwijting_service::cases::CaseQuery {
            client_ref: Some("TELCO".to_owned()),
            limit: 50,
            ..Default::default()
        },
    )?;
    // Open cases with no hold, owing at least the three instalments of the
    // client's minimum (EUR 25) an arrangement needs.
    let mut open = page.cases.iter().filter_map(|c| match &c.standing {
        kwijting_service::cases::Standing::Known(s)
            if c.summary.status.is_open()
                && s.owed >= kwijting_domain::Money::from_cents(75_00)
                && svc
                    .holds(actor, &c.summary.number)
                    .is_ok_and(|h| h.is_empty()) =>
        {
            Some((c, s.owed))
        }
        _ => None,
    });
    let mut hints = Vec::new();
    let (Some((paid, owed)), Some((arranged, arranged_owed))) = (open.next(), open.next()) else {
        return Ok(hints);
    };
    hints.push(format!("cases statement {} --lang en", paid.summary.number));
    let payment = db.with_file_name(format!(
        "{}-payment.xml",
        db.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("kwijting-demo")
    ));
    let xml = kwijting_bank::camt053(
        &[kwijting_bank::SyntheticCredit {
            case_id: u64::try_from(paid.summary.id.0)?,
            amount: owed,
            debtor_name: paid.summary.debtor.name.clone(),
            debtor_iban: kwijting_domain::Iban::dutch("INGB", 4_711_000_042)?,
        }],
        "DEMO-PAYMENT",
        trust,
        today,
    );
    std::fs::write(&payment, xml).with_context(|| format!("writing {}", payment.display()))?;
    let payment = std::fs::canonicalize(&payment)?;
    hints.push(format!(
        "import statement {} --trust-iban {}",
        shell_word(&payment.display().to_string()),
        trust.as_str()
    ));
    hints.push(format!("cases show {}", paid.summary.number));
    // Three monthly instalments that cover what is owed, in whole euros.
    let instalment = (arranged_owed.cents() + 299) / 300;
    let first = today
        .checked_add(jiff::Span::new().days(7))
        .context("date out of range")?;
    hints.push(format!(
        "arrangements propose {} --instalments 3 --amount {instalment} --every month --first {first}",
        arranged.summary.number
    ));
    hints.push(format!(
        "rights access --subject {} --verified-by passport",
        arranged.summary.debtor.id.0
    ));
    Ok(hints)
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
