//! Writes a synthetic portfolio and reports how long it took.
//!
//! cargo run --release -p kwijting-synth --example portfolio -- CASES SEED AS_OF [FILE]
//!
//! Without FILE the CSV goes to standard output; the timing goes to standard
//! error either way.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use kwijting_synth::{PortfolioOptions, write_portfolio};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: portfolio CASES SEED AS_OF(YYYY-MM-DD) [FILE]";
    let (Some(cases), Some(seed), Some(as_of)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let (Ok(cases), Ok(seed), Ok(as_of)) = (
        cases.parse::<u64>(),
        seed.parse::<u64>(),
        kwijting_domain::parse_date(as_of),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let out: Box<dyn Write> = match args.get(3) {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let started = Instant::now();
    match write_portfolio(out, &PortfolioOptions::new(cases, seed, as_of)) {
        Ok(s) => {
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{} cases, {} lines, {} bytes, total principal EUR {} in {secs:.2} s",
                s.cases, s.lines, s.bytes, s.total_principal
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
