//! The benchmarks' options.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// Import one file of new villages of one commune at each size (1,000 … 100,000 by
    /// default), each into a fresh SQLite database, and report the time of each.
    Import(ImportBenchArgs),
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
