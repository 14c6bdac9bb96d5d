//! `kwijting bench remit`: the payout run over N clients and M collected
//! amounts (post the remittances and the agency's income, build the client
//! statements and the pain.001 file), against a same-run baseline that
//! only reads and checks the ledger (`ledger verify`), which the run needs
//! too.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use kwijting_domain::{Actor, ClientRole, Iban, Money, Rounding};
use kwijting_service::remit::{
    AgreementTerms, Beneficiary, Pain001Version, PayoutFrequency, RemitRequest, TrustAccount,
};

#[derive(clap::Args)]
pub struct BenchRemitArgs {
    /// Clients paid out
    #[arg(long, default_value_t = 100)]
    clients: u64,
    /// Collected amounts (statement credits, spread over the clients' cases)
    #[arg(long, default_value_t = 10_000)]
    amounts: usize,
    #[arg(long, default_value = "sqlite")]
    engine: String,
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    #[arg(long)]
    dir: Option<PathBuf>,
}

pub fn run(args: BenchRemitArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.clients > 0 && args.amounts > 0,
        "--clients and --amounts must be > 0"
    );
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kwijting-bench-remit-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let as_of = kwijting_domain::parse_date("2026-11-20")?;
    let url =
        crate::bench_import::fresh_bench_db(&args.engine, &dir, "remit", args.pg_url.as_deref())?;
    let svc =
        crate::open_service(&url)?.with_trust_accounts(vec![Iban::dutch("RABO", 123_456_789)?]);
    let actor = Actor::system("bench", "collection");
    // The statement pays case ids 1..=amounts: give each client its share.
    let per_client = (args.amounts as u64).div_ceil(args.clients);
    let t = Instant::now();
    for i in 0..args.clients {
        let reference = format!("C{i:05}");
        svc.add_client(
            &actor,
            &reference,
            &format!("Client {i} B.V."),
            ClientRole::Controller,
            None,
        )?;
        let mut csv = Vec::new();
        kwijting_synth::write_portfolio(
            &mut csv,
            &kwijting_synth::PortfolioOptions::new(per_client, 100 + i, as_of),
        )?;
        svc.import_claims_csv(&actor, &reference, "bench.csv", &csv[..], &mut |_| {})
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        svc.set_client_agreement(
            &actor,
            &reference,
            &AgreementTerms {
                commission_bps: 1500,
                commission_rounding: Rounding::HalfUp,
                costs_to: Beneficiary::Agency,
                interest_to: Beneficiary::Client,
                frequency: PayoutFrequency::Monthly,
                min_payout: Money::ZERO,
                iban: Iban::dutch("INGB", 1_000_000 + i)?,
                bic: None,
                name: format!("Client {i} B.V."),
                effective_from: kwijting_domain::parse_date("2026-11-01")?,
            },
        )?;
    }
    let trust = Iban::dutch("RABO", 123_456_789)?;
    let xml = kwijting_bank::generate_camt053(args.amounts, 5, &trust, as_of);
    let booked = svc.import_statement(&actor, "bench.xml", xml.as_bytes())?;
    eprintln!(
        "[{}] {} clients, {} cases, {} amounts booked ({} matched) in {:.1?}",
        args.engine,
        args.clients,
        per_client * args.clients,
        booked.transactions,
        booked.matched,
        t.elapsed()
    );

    let t = Instant::now();
    let transfers = svc
        .verify_ledger(&actor)?
        .map_err(|p| anyhow::anyhow!("the ledger does not verify: {p:?}"))?;
    let base_s = t.elapsed().as_secs_f64();
    let req = RemitRequest {
        as_of: kwijting_domain::parse_date("2026-11-30")?,
        clients: Vec::new(),
        dry_run: false,
        pain001: Pain001Version::V09,
        trust: Some(TrustAccount {
            name: "Bench Derdengelden".into(),
            iban: trust,
            bic: None,
        }),
    };
    let t = Instant::now();
    let out = svc.remit(&actor, &req)?;
    let run_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = svc.remit(&actor, &req)?;
    let again_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(again.posted == 0, "the second run posted {}", again.posted);
    if let Some((a, b)) = out.files.iter().zip(&again.files).find(|(a, b)| a != b) {
        anyhow::bail!(
            "the second run wrote {} differently:\n{}\n---\n{}",
            a.name,
            a.contents,
            b.contents
        );
    }
    let lines: usize = out.remittances.iter().map(|r| r.lines.len()).sum();
    let n = out.remittances.len();
    println!(
        "bench remit [{}]: {n} remittances ({lines} collected amounts) in {run_s:.3} s = {:.0} remittances/s, \
         {:.0} amounts/s; again (nothing new) {again_s:.3} s; baseline (verify {transfers} transfers) {base_s:.3} s; \
         ratio {:.1}x",
        args.engine,
        n as f64 / run_s,
        lines as f64 / run_s,
        run_s / base_s
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "remit",
            "engine": args.engine,
            "clients": args.clients,
            "amounts": args.amounts,
            "remittances": n,
            "lines": lines,
            "seconds": run_s,
            "remittances_per_s": n as f64 / run_s,
            "rerun_seconds": again_s,
            "baseline_seconds": base_s,
            "ratio_to_baseline": run_s / base_s,
        })
    );
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
