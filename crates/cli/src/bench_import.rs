//! `kwijting bench import`: the claim import against a same-run baseline that
//! loads the same kind of rows with one plain multi-row INSERT per chunk, in
//! one transaction, on the same engine. With `--style dutch`: the same
//! claims as a Dutch Excel export (BOM, CR LF, `;`, `1.234,56`, `31-12-2026`,
//! Dutch headers through the built-in `nl` mapping; the synthetic names
//! carry diacritics and tussenvoegsels such as "van 't Hof") against the
//! plain comma file imported in the same run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use kwijting_domain::{Actor, ClientRole, Money};
use kwijting_store::bench::PlainLine;
use kwijting_store::{Finish, ImportAbort};

#[derive(clap::Args)]
pub struct BenchImportArgs {
    /// Claims (CSV lines) to generate and import
    #[arg(long, default_value_t = 1_000_000)]
    claims: u64,
    /// sqlite, postgres or both
    #[arg(long, default_value = "sqlite")]
    engine: String,
    /// PostgreSQL server for the postgres runs (schemas kw_bench_* are replaced)
    #[arg(long, env = "KWIJTING_TEST_PG_URL")]
    pg_url: Option<String>,
    /// Where the generated file and SQLite databases go (default: a temp dir)
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// plain (against a multi-row INSERT baseline) or dutch (a Dutch Excel
    /// export of the same claims against the plain file)
    #[arg(long, default_value = "plain")]
    style: String,
}

/// Lines per baseline INSERT statement, as the import's chunk.
const BASELINE_CHUNK: usize = 10_000;

pub fn run(args: BenchImportArgs) -> anyhow::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kwijting-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let csv = dir.join("claims.csv");
    // Debtors with several claims make the lines outnumber the cases.
    let cases = (args.claims * 100 / 125).max(1);
    let t = Instant::now();
    let summary = kwijting_synth::write_portfolio(
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv)?),
        &kwijting_synth::PortfolioOptions::new(
            cases,
            args.seed,
            kwijting_domain::parse_date("2026-11-01")?,
        ),
    )?;
    eprintln!(
        "generated {} cases, {} claims ({} MB) in {:.1?}",
        summary.cases,
        summary.lines,
        summary.bytes / 1_000_000,
        t.elapsed()
    );

    let engines = engines(&args.engine)?;
    match args.style.as_str() {
        "plain" => {}
        "dutch" => {
            let dutch = dir.join("claims-nl.csv");
            let t = Instant::now();
            write_dutch(&csv, &dutch)?;
            eprintln!("wrote the Dutch export in {:.1?}", t.elapsed());
            for engine in engines {
                let plain_url = fresh_bench_db(engine, &dir, "plain", args.pg_url.as_deref())?;
                let dutch_url = fresh_bench_db(engine, &dir, "dutch", args.pg_url.as_deref())?;
                settle_files(&dir)?;
                let plain = measure_import(&plain_url, &csv, None)?;
                settle_files(&dir)?;
                let nl = kwijting_service::intake::ColumnMapping::built_in("nl");
                let ours = measure_import(&dutch_url, &dutch, nl)?;
                if ours.claims != plain.claims {
                    bail!(
                        "the Dutch export imported {} claims, the plain file {}",
                        ours.claims,
                        plain.claims
                    );
                }
                let ratio = ours.seconds / plain.seconds;
                println!(
                    "bench import --style dutch [{engine}]: {} claims in {:.2} s = {:.0} claims/s; plain comma file (same run) {:.2} s = {:.0} claims/s; ratio {:.2}x (target at most 1.30x); peak RSS {:.0} MB",
                    ours.claims,
                    ours.seconds,
                    ours.claims as f64 / ours.seconds,
                    plain.seconds,
                    plain.claims as f64 / plain.seconds,
                    ratio,
                    peak_rss_mb()
                );
                println!(
                    "{}",
                    serde_json::json!({
                        "bench": "import_dutch",
                        "engine": engine,
                        "claims": ours.claims,
                        "seconds": ours.seconds,
                        "plain_seconds": plain.seconds,
                        "ratio_to_plain": ratio,
                    })
                );
            }
            if args.dir.is_none() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            return Ok(());
        }
        other => bail!("--style must be plain or dutch, not '{other}'"),
    }
    for engine in engines {
        let ours_url = fresh_bench_db(engine, &dir, "ours", args.pg_url.as_deref())?;
        let base_url = fresh_bench_db(engine, &dir, "baseline", args.pg_url.as_deref())?;
        settle_files(&dir)?;
        let ours = measure_import(&ours_url, &csv, None)?;
        let peak_mb = peak_rss_mb();
        settle_files(&dir)?;
        let baseline = measure_baseline(&base_url, &csv)?;
        let ratio = ours.seconds / baseline.seconds;
        println!(
            "bench import [{engine}]: {} claims in {:.2} s = {:.0} claims/s; baseline (plain multi-row INSERT) {:.2} s = {:.0} rows/s; ratio {:.2}x; peak RSS {:.0} MB",
            ours.claims,
            ours.seconds,
            ours.claims as f64 / ours.seconds,
            baseline.seconds,
            baseline.claims as f64 / baseline.seconds,
            ratio,
            peak_mb
        );
        println!(
            "{}",
            serde_json::json!({
                "bench": "import",
                "engine": engine,
                "claims": ours.claims,
                "seconds": ours.seconds,
                "claims_per_s": ours.claims as f64 / ours.seconds,
                "baseline_seconds": baseline.seconds,
                "ratio_to_baseline": ratio,
                "peak_rss_mb": peak_mb,
            })
        );
    }
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

struct Measured {
    claims: u64,
    seconds: f64,
}

fn measure_import(
    url: &str,
    csv: &Path,
    mapping: Option<kwijting_service::intake::ColumnMapping>,
) -> anyhow::Result<Measured> {
    let svc = crate::open_service(url)?;
    let actor = Actor::system("bench", "collection");
    svc.add_client(&actor, "BENCH", "Bench B.V.", ClientRole::Controller, None)?;
    let t = Instant::now();
    let report = svc
        .import_claims_file(
            &actor,
            "BENCH",
            &csv.display().to_string(),
            std::fs::File::open(csv)?,
            &kwijting_service::intake::FileOptions {
                mapping,
                ..Default::default()
            },
            &mut |_| {},
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Measured {
        claims: report.claims_added,
        seconds: t.elapsed().as_secs_f64(),
    })
}

/// Rewrites a plain claim file as a Dutch Excel CSV export of the same
/// claims: a UTF-8 BOM, CR LF, `;`, Dutch headers, `Particulier`/`Zakelijk`,
/// `1.234,56` amounts and `31-12-2026` dates.
fn write_dutch(plain: &Path, dutch: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut reader = csv::Reader::from_reader(std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(plain)?,
    ));
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(dutch)?);
    out.write_all("\u{feff}".as_bytes())?;
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(headers.iter().map(|h| {
        kwijting_synth::DUTCH_HEADERS
            .iter()
            .find(|(o, _)| o == h)
            .map(|(_, d)| *d)
            .unwrap_or(h.as_str())
    }))?;
    let mut record = csv::StringRecord::new();
    let mut fields: Vec<String> = Vec::with_capacity(headers.len());
    while reader.read_record(&mut record)? {
        fields.clear();
        for (h, v) in headers.iter().zip(record.iter()) {
            fields.push(match h.as_str() {
                _ if v.is_empty() => String::new(),
                "debtor_type" if v == "consumer" => "Particulier".into(),
                "debtor_type" if v == "business" => "Zakelijk".into(),
                "principal" => Money::parse(v)
                    .map_err(|e| anyhow::anyhow!("generated amount {v}: {e}"))?
                    .to_dutch()
                    .trim_start_matches("€ ")
                    .to_owned(),
                h if h.ends_with("_date") && v.len() == 10 => {
                    format!("{}-{}-{}", &v[8..10], &v[5..7], &v[0..4])
                }
                _ => v.to_owned(),
            });
        }
        writer.write_record(&fields)?;
    }
    writer.flush()?;
    Ok(())
}

/// Loads one party, address, case, link and claim per line with plain
/// multi-row INSERTs: no validation, no matching of debtors, no idempotency.
fn measure_baseline(url: &str, csv: &Path) -> anyhow::Result<Measured> {
    let store = kwijting_store::open(url)?;
    let client = store
        .insert_client(&kwijting_store::NewClient {
            reference: "BENCH".into(),
            name: "Bench B.V.".into(),
            role: ClientRole::Controller,
            privacy_contact: None,
            created_at: jiff::Timestamp::now(),
        })?
        .id;
    let t = Instant::now();
    let mut reader = csv::Reader::from_reader(std::io::BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(csv)?,
    ));
    let headers = reader.headers()?.clone();
    let idx = |name: &str| {
        headers
            .iter()
            .position(|c| c == name)
            .with_context(|| format!("generated file lacks column {name}"))
    };
    let cols = [
        idx("debtor_name")?,
        idx("street")?,
        idx("postcode")?,
        idx("city")?,
        idx("invoice_number")?,
        idx("invoice_date")?,
        idx("due_date")?,
        idx("principal")?,
    ];
    let mut lines = 0u64;
    let mut record = csv::StringRecord::new();
    let mut read_error: Option<anyhow::Error> = None;
    let result = store.import(&mut |tx| {
        let mut batch = kwijting_store::bench::PlainBatch::default();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    read_error = Some(e.into());
                    return Ok(Finish::Rollback);
                }
            }
            lines += 1;
            let f = |i: usize| record.get(cols[i]).unwrap_or("").to_owned();
            batch.push(&PlainLine {
                id: lines as i64,
                client: client.0,
                name: f(0),
                street: f(1),
                postcode: f(2),
                city: f(3),
                invoice_number: f(4),
                invoice_date: f(5),
                due_date: f(6),
                principal_cents: Money::parse(&f(7)).map(|m| m.cents()).unwrap_or(0),
            })?;
            if batch.len() >= BASELINE_CHUNK {
                for sql in batch.statements() {
                    tx.execute_plain(&sql)?;
                }
                batch.clear();
            }
        }
        for sql in batch.statements() {
            tx.execute_plain(&sql)?;
        }
        Ok(Finish::Commit)
    });
    if let Some(e) = read_error {
        return Err(e);
    }
    match result {
        Ok(_) => Ok(Measured {
            claims: lines,
            seconds: t.elapsed().as_secs_f64(),
        }),
        Err(ImportAbort::Store(e)) => Err(e.into()),
        Err(ImportAbort::Refused(e)) => Err(anyhow::anyhow!("{e}")),
    }
}

/// A fresh database for a benchmark: an SQLite file `NAME.db` in `dir`, or a
/// PostgreSQL schema `kw_bench_NAME` (replaced) on the server at `pg_url`.
/// A bench's working directory (the one given, or a fresh temporary one)
/// and a synthetic portfolio of `cases` written into it, dated `as_of`.
pub fn portfolio_csv(
    dir: Option<&Path>,
    tag: &str,
    cases: u64,
    seed: u64,
    as_of: kwijting_domain::Date,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = dir.map(Path::to_path_buf).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kwijting-bench-{tag}-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let csv = dir.join("portfolio.csv");
    kwijting_synth::write_portfolio(
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv)?),
        &kwijting_synth::PortfolioOptions::new(cases, seed, as_of),
    )?;
    Ok((dir, csv))
}

/// The engines an `--engine` argument names.
pub fn engines(arg: &str) -> anyhow::Result<Vec<&'static str>> {
    Ok(match arg {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        "both" => vec!["sqlite", "postgres"],
        other => bail!("--engine must be sqlite, postgres or both, not '{other}'"),
    })
}

/// A service over a fresh database holding the portfolio in `csv`,
/// imported for client `BENCH`; prints the import time.
pub fn imported_portfolio(
    engine: &str,
    dir: &Path,
    name: &str,
    pg_url: Option<&str>,
    csv: &Path,
) -> anyhow::Result<(String, kwijting_service::Kwijting)> {
    let url = fresh_bench_db(engine, dir, name, pg_url)?;
    let svc = crate::open_service(&url)?;
    let actor = Actor::system("bench", "collection");
    svc.add_client(&actor, "BENCH", "Bench B.V.", ClientRole::Controller, None)?;
    let t = Instant::now();
    let report = svc
        .import_claims_csv(
            &actor,
            "BENCH",
            "portfolio.csv",
            std::fs::File::open(csv)?,
            &mut |_| {},
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "[{engine}] imported {} cases in {:.1?}",
        report.cases_added,
        t.elapsed()
    );
    Ok((url, svc))
}

pub fn fresh_bench_db(
    engine: &str,
    dir: &Path,
    name: &str,
    pg_url: Option<&str>,
) -> anyhow::Result<String> {
    match engine {
        "sqlite" => {
            let path = dir.join(format!("{name}.db"));
            kwijting_store::create_fresh_sqlite(&path)?;
            Ok(format!("sqlite://{}", path.display()))
        }
        "postgres" => {
            let Some(url) = pg_url else {
                bail!("--pg-url (or KWIJTING_TEST_PG_URL) is needed for the postgres run");
            };
            fresh_pg_schema(url, &format!("kw_bench_{name}"))
        }
        other => bail!("--engine must be sqlite or postgres, not '{other}'"),
    }
}

/// Writes the files of the bench folder to disk before a timed part, so
/// the kernel's write-back of the set-up (a portfolio file and its import,
/// a gigabyte at 1,000,000 cases) does not compete with what is measured.
pub fn settle_files(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("syncing {}", path.display()))?;
        }
    }
    Ok(())
}

pub fn fresh_pg_schema(url: &str, schema: &str) -> anyhow::Result<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls)
        .with_context(|| format!("connecting {url}"))?;
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}schema={schema}"))
}

/// Peak resident memory of this process so far (Linux), in MB.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}
