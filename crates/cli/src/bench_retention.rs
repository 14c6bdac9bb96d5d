//! `kwijting bench retention`: the retention run over a portfolio of which
//! a share was closed long ago, against a same-run baseline: plain
//! set-based UPDATEs of the same columns of the same rows (no decision per
//! datum, no journal), rolled back.

use std::path::PathBuf;
use std::time::Instant;

use kwijting_domain::Actor;
use kwijting_store::Finish;

#[derive(clap::Args)]
pub struct BenchRetentionArgs {
    /// Cases in the portfolio
    #[arg(long, default_value_t = 100_000)]
    cases: u64,
    /// Percentage of the cases closed long ago (expired)
    #[arg(long, default_value_t = 80)]
    expired_pct: u64,
    /// sqlite, postgres or both
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 11)]
    seed: u64,
}

/// The baseline: the columns retention erases, blanked for the expired
/// cases and their debtors in one UPDATE per table.
const BASELINE: &[&str] = &[
    "UPDATE parties SET debtor_ref = NULL, debtor_key = NULL, name = '', birth_date = NULL, kvk_number = NULL, \
     email = NULL, phone = NULL, iban = NULL, street = '', postcode = '', city = '', country = '', \
     address_status = NULL, credit_band = NULL \
     WHERE id IN (SELECT debtor_party_id FROM cases WHERE status LIKE 'closed%' AND closed_on < '2021-11-22')",
    "UPDATE claims SET description = NULL, agreement_ref = NULL, fingerprint = 0 \
     WHERE case_id IN (SELECT id FROM cases WHERE status LIKE 'closed%' AND closed_on < '2021-11-22')",
];

pub fn run(args: BenchRetentionArgs) -> anyhow::Result<()> {
    let as_of = kwijting_domain::parse_date("2026-11-21")?;
    let (dir, csv) = crate::bench_import::portfolio_csv(
        args.dir.as_deref(),
        "retention",
        args.cases,
        args.seed,
        as_of,
    )?;
    let engines = crate::bench_import::engines(&args.engine)?;
    let pct = args.expired_pct.min(100);
    for engine in engines {
        let (url, svc) = crate::bench_import::imported_portfolio(
            engine,
            &dir,
            "retention",
            args.pg_url.as_deref(),
            &csv,
        )?;
        // Close the share long ago (2015) that has expired by 2026.
        let store = kwijting_store::open(&url)?;
        let close = format!(
            "UPDATE cases SET status = 'closed_paid', closed_on = '2015-06-30' WHERE id % 100 < {pct}"
        );
        store
            .import(&mut |tx| {
                tx.execute_plain(&close)?;
                Ok(Finish::Commit)
            })
            .map_err(|e| anyhow::anyhow!("closing cases: {e:?}"))?;

        let t = Instant::now();
        store
            .import(&mut |tx| {
                for sql in BASELINE {
                    tx.execute_plain(sql)?;
                }
                Ok(Finish::Rollback)
            })
            .map_err(|e| anyhow::anyhow!("baseline: {e:?}"))?;
        let base_s = t.elapsed().as_secs_f64();
        drop(store);

        let t = Instant::now();
        let r = svc.retention_run(&Actor::system("retention", "collection"), as_of, false)?;
        let run_s = t.elapsed().as_secs_f64();
        let values: u64 = r.per_category.values().sum();
        println!(
            "bench retention [{engine}]: {} of {} cases expired, {} parties; erased {values} values in {run_s:.2} s = {:.0} cases/s; \
             baseline (plain UPDATEs of the same columns, no journal) {base_s:.2} s = {:.0} cases/s; ratio {:.2}x",
            r.cases,
            args.cases,
            r.parties,
            r.cases as f64 / run_s,
            r.cases as f64 / base_s,
            run_s / base_s,
        );
        println!(
            "{}",
            serde_json::json!({
                "bench": "retention",
                "engine": engine,
                "cases": args.cases,
                "expired_cases": r.cases,
                "parties": r.parties,
                "values": values,
                "seconds": run_s,
                "cases_per_s": r.cases as f64 / run_s,
                "baseline_seconds": base_s,
                "ratio_to_baseline": run_s / base_s,
            })
        );
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
