//! `kwijting bench run-day`: the daily run over a portfolio against a
//! same-run baseline that reads every open case (the same chunked read) and
//! writes one row per case, in the same engine.

use std::path::PathBuf;
use std::time::Instant;

use kwijting_domain::Actor;
use kwijting_store::{ChunkWork, NewDecision, RunCase};

#[derive(clap::Args)]
pub struct BenchRunDayArgs {
    /// Open cases in the portfolio
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// sqlite, postgres or both
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    /// Workers on PostgreSQL (SQLite runs one)
    #[arg(long, default_value_t = 2)]
    workers: usize,
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 11)]
    seed: u64,
}

/// Resets this process's peak resident memory (Linux), so the run's peak
/// is measured apart from the import before it.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

pub fn run(args: BenchRunDayArgs) -> anyhow::Result<()> {
    let as_of = kwijting_domain::parse_date("2026-11-21")?;
    let (dir, csv) = crate::bench_import::portfolio_csv(
        args.dir.as_deref(),
        "run",
        args.cases,
        args.seed,
        as_of,
    )?;
    for engine in crate::bench_import::engines(&args.engine)? {
        let (url, svc) = crate::bench_import::imported_portfolio(
            engine,
            &dir,
            "run",
            args.pg_url.as_deref(),
            &csv,
        )?;
        let actor = Actor::system("bench", "collection");
        svc.assume_commercial_rate_continues(&actor, "bench: the last rate continues")?;

        // Baseline: the same chunked read of every open case, one row
        // written per case, on another day so it leaves the real day alone.
        let store = kwijting_store::open(&url)?;
        let base_day = kwijting_domain::parse_date("2000-01-03")?;
        let t = Instant::now();
        store.plan_run(base_day, kwijting_service::daily_run::RUN_CHUNK_CASES)?;
        let one_row_each = |cases: &[RunCase]| ChunkWork {
            decisions: cases
                .iter()
                .map(|c| NewDecision {
                    case: c.id,
                    strategy_id: "baseline".into(),
                    strategy_version: 1,
                    rule: "baseline".into(),
                    action: "none".into(),
                    inputs: String::new(),
                    needs_review: false,
                    work: None,
                })
                .collect(),
            ..ChunkWork::default()
        };
        let mut base_cases = 0u64;
        while let Some(done) = store.run_chunk(base_day, &one_row_each)? {
            base_cases += done.cases_seen;
        }
        let base_s = t.elapsed().as_secs_f64();
        drop(store);

        reset_peak_rss();
        let t = Instant::now();
        let summary = crate::run_day(&svc, as_of, args.workers)?;
        let run_s = t.elapsed().as_secs_f64();
        let peak = crate::bench_import::peak_rss_mb();
        // The checks the run queued call outside services: a separate job,
        // timed apart.
        let t = Instant::now();
        let checks = crate::run_providers(&svc, as_of)?;
        let provider_s = t.elapsed().as_secs_f64();
        let workers = if engine == "sqlite" { 1 } else { args.workers };
        println!(
            "bench run-day [{engine}, {workers} worker(s)]: {} cases in {run_s:.2} s = {:.0} cases/s ({} decisions; then {} provider checks in {provider_s:.2} s); \
             baseline (read each case, write one row) {base_s:.2} s = {:.0} cases/s; ratio {:.2}x; peak RSS {peak:.0} MB",
            summary.cases_seen,
            summary.cases_seen as f64 / run_s,
            summary.decisions,
            checks.address_checks + checks.credit_checks,
            base_cases as f64 / base_s,
            run_s / base_s,
        );
        println!(
            "{}",
            serde_json::json!({
                "bench": "run_day",
                "engine": engine,
                "workers": workers,
                "cases": summary.cases_seen,
                "seconds": run_s,
                "cases_per_s": summary.cases_seen as f64 / run_s,
                "decisions": summary.decisions,
                "baseline_seconds": base_s,
                "ratio_to_baseline": run_s / base_s,
                "peak_rss_mb": peak,
                "errors": summary.errors,
                "provider_checks": checks.address_checks + checks.credit_checks,
                "provider_seconds": provider_s,
            })
        );
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
