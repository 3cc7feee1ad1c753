//! `cnscd-bench`: the benchmarks, apart from the product binary (which carries none of
//! their code nor the fake Bot API). `cargo run --release -p cnscd-bench --
//! registration|search|report|load|crash|import|period …`; `--help` says what each measures.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cnscd::clock::{Clock, SystemClock};
use cnscd::domain::CompositionRules;
use cnscd::i18n::Texts;
use cnscd::telemetry;
use cnscd_bench::args::{BenchCli, BenchCommand};
use cnscd_bench::registration_bench;

#[tokio::main]
async fn main() -> ExitCode {
    match run(BenchCli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: BenchCli) -> anyhow::Result<()> {
    telemetry::init(&cli.log, None).context("Failed to set up logging")?;
    let texts = Arc::new(Texts::load().context("Failed to load the dialogue texts")?);
    let rules = Arc::new(CompositionRules::default_rules().context("Failed to load the rules")?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        BenchCommand::Registration(args) => {
            let report = registration_bench(&args, texts, rules, clock)
                .await
                .context("The registration bench failed")?;
            print!("{report}");
        }
        BenchCommand::Search(args) => {
            let options = cnscd_bench::search::SearchBenchOptions {
                communes_csv: args.communes,
                villages_per_commune: args.villages,
                queries: args.queries,
                ..Default::default()
            };
            let report = cnscd_bench::search::run(options)
                .await
                .context("The search bench failed")?;
            print!("{report}");
        }
        BenchCommand::Report(args) => {
            let config = cnscd_bench::report::BenchConfig {
                communes_csv: args.communes,
                villages_per_commune: args.villages,
                members_per_team: 5,
            };
            let dir = tempfile::tempdir().context("Failed to make a temporary directory")?;
            let figures = cnscd_bench::report::run(&config, dir.path())
                .await
                .context("The report bench failed")?;
            print!("{figures}");
        }
        BenchCommand::Crash(args) => {
            let options = cnscd_bench::crash::CrashOptions {
                chats: args.chats as usize,
                kills: args.kills as usize,
                seed: args.seed,
                bin: args.bin,
                without_journal: args.without_journal,
            };
            let report = cnscd_bench::crash::run(&options)
                .await
                .context("The crash bench failed")?;
            print!("{report}");
        }
        BenchCommand::Period(args) => {
            let config = cnscd_bench::period::PeriodBenchConfig {
                communes: args.communes as usize,
                villages_per_commune: args.villages as usize,
                weeks: args.weeks,
                postgres: args.postgres,
            };
            let dir = tempfile::tempdir().context("Failed to make a temporary directory")?;
            let figures = cnscd_bench::period::run(&config, dir.path())
                .await
                .context("The period bench failed")?;
            print!("{figures}");
        }
        BenchCommand::Import(args) => {
            let report = cnscd_bench::import::run(&args.villages)
                .await
                .context("The import bench failed")?;
            print!("{report}");
        }
        BenchCommand::Load(args) => {
            let options = cnscd_bench::serve::LoadOptions {
                chats: args.chats as usize,
                messages: args.messages as usize,
                postgres: args.postgres,
                only: args.only,
                members: args.members as usize,
                bulk_rates: args.bulk_rate,
            };
            let parts = cnscd_bench::serve::Parts {
                texts,
                rules,
                clock,
            };
            let report = cnscd_bench::serve::run(&options, parts)
                .await
                .context("The load bench failed")?;
            print!("{report}");
        }
    }
    Ok(())
}
