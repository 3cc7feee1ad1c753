//! The benchmarks' command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// cnscd's benchmarks, each on a temporary database (or the PostgreSQL `--postgres` names).
#[derive(Debug, Parser)]
#[command(name = "cnscd-bench", version, about, long_about = None)]
pub struct BenchCli {
    /// What to log to stderr, as a tracing filter.
    #[arg(long, env = "RUST_LOG", hide_env_values = true, default_value = "warn")]
    pub log: String,

    #[command(subcommand)]
    pub command: BenchCommand,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Register N village teams through the engine, interleaving the chats, and report
    /// throughput, CPU time per event and memory.
    Registration(BenchArgs),
    /// Load the whole country (communes + generated villages and teams) and time residents'
    /// searches by name, alone and with the team fetched from SQLite.
    Search(NationalBenchArgs),
    /// Load the whole country and time the status sweep and the XLSX export.
    Report(NationalBenchArgs),
    /// N chats x M messages through the whole bot against a fake Bot API server on
    /// 127.0.0.1: a teloxide echo bot (the floor), cnscd long-polling on SQLite, and on
    /// PostgreSQL cnscd long-polling, one webhook replica and two; updates/s, latency
    /// percentiles and CPU per update of each.
    Load(LoadBenchArgs),
    /// N village heads register through the release `cnscd serve` binary and a fake Bot API
    /// while it is killed with SIGKILL K times and restarted at once; what the chats received
    /// again, against a run without kills.
    Crash(CrashBenchArgs),
    /// Import one file of new villages of one commune at each size (1,000 … 100,000 by
    /// default), each into a fresh SQLite database, and report the time of each.
    Import(ImportBenchArgs),
    /// A province of N communes x M villages with a year of activities (3 entries per team
    /// per week) and the residents of every village: time the period report of the province
    /// (a quarter, a month) and its XLSX.
    Period(PeriodBenchArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PeriodBenchArgs {
    /// Communes of the province.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=5_000))]
    pub communes: u32,
    /// Villages per commune.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=200))]
    pub villages: u32,
    /// Weeks of activities, ending on 31 December 2026.
    #[arg(long, default_value_t = 52, value_parser = clap::value_parser!(u64).range(1..=520))]
    pub weeks: u64,
    /// A PostgreSQL server (postgres://…) to run on, on a scratch database, instead of SQLite.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CrashBenchArgs {
    /// Village heads registering at once.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub chats: u32,
    /// SIGKILLs, 0.15–0.6 s apart.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(0..=1_000))]
    pub kills: u32,
    /// Seeds the kills' moments.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// The `cnscd` binary to kill (e.g. one built from another commit); by default the
    /// workspace's, built in release first.
    #[arg(long, value_name = "PATH")]
    pub bin: Option<PathBuf>,
    /// The figures before the delivery journal: a directory stands where each of its files
    /// would be, so the bot cannot open it and marks deliveries in the database only, as it
    /// did before.
    #[arg(long)]
    pub without_journal: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportBenchArgs {
    /// The numbers of villages to import, one file each.
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 5_000, 20_000, 100_000])]
    pub villages: Vec<usize>,
}

#[derive(Debug, Clone, Args)]
pub struct LoadBenchArgs {
    /// Chats talking at once.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chats: u32,
    /// Messages each chat sends, one after the other.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub messages: u32,
    /// A PostgreSQL server to create the replicas' scratch database on (dropped afterwards);
    /// without it the webhook scenario is skipped.
    #[arg(
        long,
        env = "CNSCD_TEST_POSTGRES_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub postgres: Option<String>,
    /// Only these scenarios (comma-separated); all of them by default.
    #[arg(long, value_delimiter = ',', value_enum)]
    pub only: Vec<crate::serve::Scenario>,
    /// The announcement scenario: members an announcement is queued for (one bulk row each)
    /// before the chats start talking.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub members: u32,
    /// The announcement scenario: the bulk lane's rates, as `cnscd serve --bulk-rate` takes
    /// them.
    #[arg(long, value_name = "CHANNEL=RATE,…", default_value = "telegram=25")]
    pub bulk_rate: cnscd::pipeline::BulkRates,
}

#[derive(Debug, Clone, Args)]
pub struct NationalBenchArgs {
    /// The communes file (the whole country: ../shared/data/vn-communes.csv).
    #[arg(long, default_value = "../shared/data/vn-communes.csv")]
    pub communes: PathBuf,
    /// Villages generated per commune.
    #[arg(long, default_value_t = 10)]
    pub villages: usize,
    /// Searches to time (search bench).
    #[arg(long, default_value_t = 10_000)]
    pub queries: usize,
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// How many chats (villages, invitations, teams).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chats: u32,

    /// The SQLite file to create; by default a temporary file, removed afterwards.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `cargo run … -p cnscd-bench -- …` commands the README gives in full (not the
    /// `a|b|c …` summaries), as a person would copy them.
    fn readme_commands() -> Vec<String> {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
            .expect("README.md");
        readme
            .split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|span| span.strip_prefix("cargo run --release -p cnscd-bench -- "))
            .filter(|args| !args.contains('|') && !args.contains('…'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_bench_command_the_readme_gives_is_one_the_bench_takes() {
        let commands = readme_commands();
        assert!(
            commands.iter().any(|c| c.starts_with("crash ")),
            "the README gives the crash bench's command: {commands:?}"
        );
        for command in commands {
            let args = std::iter::once("cnscd-bench").chain(command.split_whitespace());
            if let Err(error) = BenchCli::try_parse_from(args) {
                panic!("the README's `{command}` is not a bench command: {error}");
            }
        }
    }
}
