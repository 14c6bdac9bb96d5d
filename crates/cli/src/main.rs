//! `kwijting`: thin. Parses arguments, calls a library, prints, owns the exit
//! code (0 success, 1 refused input or failure, 2 usage error from clap).

mod bench_law;
mod law_cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "kwijting", about = "Kwijting debt collection")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The collection-law engine: costs, interest, deadlines, statements.
    #[command(subcommand)]
    Law(law_cmd::LawCommand),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Statements of account per second on one core.
    Law {
        #[arg(long, default_value_t = 1_000_000)]
        claims: usize,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Law(cmd) => law_cmd::run(cmd),
        Command::Bench(BenchCommand::Law { claims }) => bench_law::run(claims),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
