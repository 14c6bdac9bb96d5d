//! `kwijting bench access`: the art. 15 extract of random subjects in an
//! N-case database (after a daily run and its provider checks, so
//! decisions and disclosures exist), against a same-run baseline of one
//! primary-key read of the party.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::bail;
use kwijting_domain::{Actor, PartyId};
use kwijting_strategy::Language;

#[derive(clap::Args)]
pub struct BenchAccessArgs {
    /// Cases in the portfolio (the target is 1,000,000)
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Subjects extracted, drawn at random
    #[arg(long, default_value_t = 1_000)]
    subjects: usize,
    /// sqlite, postgres or both
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    /// Skip the daily run and provider checks before measuring
    #[arg(long)]
    no_history: bool,
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 11)]
    seed: u64,
}

/// splitmix64: a reproducible draw without a dependency.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

pub fn run(args: BenchAccessArgs) -> anyhow::Result<()> {
    let as_of = kwijting_domain::parse_date("2026-11-21")?;
    let (dir, csv) = crate::bench_import::portfolio_csv(
        args.dir.as_deref(),
        "access",
        args.cases,
        args.seed,
        as_of,
    )?;
    for engine in crate::bench_import::engines(&args.engine)? {
        let (url, svc) = crate::bench_import::imported_portfolio(
            engine,
            &dir,
            "access",
            args.pg_url.as_deref(),
            &csv,
        )?;
        let actor = Actor::system("bench", "collection");
        if !args.no_history {
            let t = Instant::now();
            svc.assume_commercial_rate_continues(&actor, "bench: the last rate continues")?;
            crate::run_day(&svc, as_of, 2)?;
            crate::run_providers(&svc, as_of)?;
            eprintln!(
                "[{engine}] daily run and provider checks in {:.1?}",
                t.elapsed()
            );
        }
        let store = kwijting_store::open(&url)?;
        let parties = store
            .table_counts()?
            .into_iter()
            .find(|(t, _)| t == "parties")
            .map_or(0, |(_, n)| n);
        if parties == 0 {
            bail!("no parties were imported");
        }
        let mut state = args.seed;
        let subjects: Vec<PartyId> = (0..args.subjects)
            .map(|_| PartyId(1 + (next(&mut state) % parties as u64) as i64))
            .collect();
        // Warm both paths alike, then measure in the same order.
        for p in subjects.iter().take(20) {
            let _ = store.party(*p)?;
            let _ = svc.access_extract(&actor, *p, Language::En)?;
        }
        let mut base = Vec::with_capacity(subjects.len());
        for p in &subjects {
            let t = Instant::now();
            let row = store.party(*p)?;
            base.push(t.elapsed());
            std::hint::black_box(row);
        }
        let mut times = Vec::with_capacity(subjects.len());
        let mut rows = 0usize;
        let mut bytes = 0usize;
        for p in &subjects {
            let t = Instant::now();
            let x = svc.access_extract(&actor, *p, Language::En)?;
            let text = x.to_string();
            times.push(t.elapsed());
            bytes += text.len();
            rows += x["data"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .map(|t| t["rows"].as_array().map_or(0, Vec::len))
                        .sum::<usize>()
                })
                .unwrap_or(0);
        }
        drop(store);
        base.sort();
        times.sort();
        println!(
            "bench access [{engine}, {} cases, {parties} parties]: extract (all tables + JSON) over {} random subjects: \
             p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.1} rows, {:.1} KB each on average); \
             baseline (party primary-key read) p50 {:.3} ms, p99 {:.3} ms; p99 ratio {:.0}x; target p99 < 50 ms at 1,000,000 cases",
            args.cases,
            subjects.len(),
            pct(&times, 0.50),
            pct(&times, 0.99),
            pct(&times, 1.0),
            rows as f64 / subjects.len() as f64,
            bytes as f64 / subjects.len() as f64 / 1024.0,
            pct(&base, 0.50),
            pct(&base, 0.99),
            pct(&times, 0.99) / pct(&base, 0.99),
        );
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
