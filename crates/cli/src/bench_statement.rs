//! `kwijting bench statement`: a generated camt.053 booked against a
//! portfolio (parse, match, allocate, post), against a same-run baseline that
//! only scans the XML with the parser library.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use kwijting_domain::{Actor, ClientRole, Iban};

#[derive(clap::Args)]
pub struct BenchStatementArgs {
    /// Statement entries (credits naming a case by its betalingskenmerk)
    #[arg(long, default_value_t = 100_000)]
    entries: usize,
    /// Cases in the database
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: BenchStatementArgs) -> anyhow::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kwijting-bench-stmt-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let as_of = kwijting_domain::parse_date("2026-11-20")?;
    let csv = dir.join("portfolio.csv");
    kwijting_synth::write_portfolio(
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv)?),
        &kwijting_synth::PortfolioOptions::new(args.cases, 21, as_of),
    )?;
    let trust = Iban::dutch("RABO", 123_456_789)?;
    let xml = kwijting_bank::generate_camt053(args.entries, 5, &trust, as_of);
    let url =
        crate::bench_import::fresh_bench_db(&args.engine, &dir, "stmt", args.pg_url.as_deref())?;
    let svc = crate::open_service(&url)?.with_trust_accounts(vec![trust.clone()]);
    let actor = Actor::system("bench", "collection");
    svc.add_client(&actor, "BENCH", "Bench B.V.", ClientRole::Controller, None)?;
    // The shipped table lacks the commercial rate of 2026-07: without this,
    // business debtors' payments wait unallocated (as they would in use).
    svc.assume_commercial_rate_continues(&actor, "bench: the last rate continues")?;
    let t = Instant::now();
    svc.import_claims_csv(
        &actor,
        "BENCH",
        "portfolio.csv",
        std::fs::File::open(&csv)?,
        &mut |_| {},
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "[{}] {} cases imported in {:.1?}",
        args.engine,
        args.cases,
        t.elapsed()
    );

    crate::bench_import::settle_files(&dir)?;
    let t = Instant::now();
    let elements = kwijting_bank::scan_xml(xml.as_bytes())?;
    let base_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = svc.import_statement(&actor, "bench.xml", xml.as_bytes())?;
    let run_s = t.elapsed().as_secs_f64();
    let share = r.matched as f64 / r.transactions.max(1) as f64;
    println!(
        "bench statement [{}]: {} entries against {} cases in {run_s:.2} s = {:.0} entries/s, {:.1}% matched; \
         baseline (scan {elements} XML elements) {base_s:.3} s; ratio {:.1}x",
        args.engine,
        r.transactions,
        args.cases,
        r.transactions as f64 / run_s,
        share * 100.0,
        run_s / base_s
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "statement",
            "engine": args.engine,
            "entries": r.transactions,
            "cases": args.cases,
            "seconds": run_s,
            "entries_per_s": r.transactions as f64 / run_s,
            "matched_share": share,
            "baseline_seconds": base_s,
            "ratio_to_baseline": run_s / base_s,
        })
    );
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
