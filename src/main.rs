//! cnscd's entry point: config → telemetry → database → adapters. Everything else lives in
//! the library.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;

use cnscd::alerts::run_scheduler;
use cnscd::clock::{Clock, SystemClock};
use cnscd::config::{Command, Config, ServeArgs, ServeMode, WEBHOOK_SECRET_ENV};
use cnscd::domain::CompositionRules;
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::ops::limits;
use cnscd::ops::limits::HttpLimits;
use cnscd::pipeline::PipelineOptions;
use cnscd::storage::database_url::redact_url;
use cnscd::storage::Store;
use cnscd::telegram::{self, Receive, ServeOptions};
use cnscd::{channels, cli, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    match run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let log_file = config.log_file();
    telemetry::init(&config.log, log_file.as_deref()).context("Failed to set up logging")?;
    let texts = Arc::new(Texts::load().context("Failed to load the dialogue texts")?);
    let rules = config
        .composition_rules()
        .context("Failed to load the composition rules")?;
    let rules = Arc::new(rules);
    let schedule = config
        .alert_schedule()
        .context("Failed to load the alert schedule")?;
    let template = config
        .decision_template()
        .context("Failed to load the founding decision's template")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let url = config.database_url;
    let files_dir = config.files_dir;
    match config.command {
        Command::Serve(args) => {
            // Before the database: a missing secret or token is reported first.
            let configured = args.channels.configured()?;
            let telegram = args.telegram.token.is_some();
            if configured.is_empty() && !telegram {
                anyhow::bail!(channels::NOTHING_TO_SERVE);
            }
            let mode = match telegram {
                true => Some(args.mode(webhook_secret().as_deref())?),
                false => None,
            };
            let engine = open(&url, files_dir.clone(), texts, rules, clock)
                .await?
                .with_schedule(schedule.clone())
                .with_decision_template(template.clone());
            let engine = channels::prepare(&configured, engine);
            let mut options = serve_options(&args);
            options.beside = channels::start(
                configured,
                &engine,
                &options.pipeline.owner,
                &options.metrics,
            )
            .await?;
            let alerts = tokio::spawn(run_scheduler(engine.clone()));
            let served = match mode {
                Some(mode) => {
                    let bot = cli::telegram::bot(&args.telegram)?;
                    let receive = listen(mode, &args, !options.beside.is_empty()).await?;
                    telegram::serve(engine.clone(), bot, options, receive)
                        .await
                        .context("The Telegram bot stopped with an error")
                }
                None => serve_without_telegram(engine.clone(), &args, options).await,
            };
            alerts.abort();
            served?;
            engine.store().close().await;
        }
        Command::Webhook(command) => {
            let mut out = std::io::stdout();
            cli::webhook::run(command, webhook_secret().as_deref(), &mut out).await?;
        }
        Command::Database(command) => {
            let engine = open(&url, files_dir.clone(), texts, rules, clock)
                .await?
                .with_schedule(schedule.clone())
                .with_decision_template(template.clone());
            cli::run(&engine, command, &url).await?;
            engine.store().close().await;
        }
    }
    Ok(())
}

/// The value of `CNSCD_WEBHOOK_SECRET`; one that is not UTF-8 is kept (garbled) so it is
/// reported as invalid rather than missing.
/// The webhook secret from its variable, or from the file `CNSCD_WEBHOOK_SECRET_FILE` names.
fn webhook_secret() -> Option<String> {
    match cnscd::secrets::env_secret(WEBHOOK_SECRET_ENV) {
        Ok(secret) => secret.map(|s| s.expose().to_owned()),
        Err(error) => {
            eprintln!("Error: {error}");
            None
        }
    }
}

fn serve_options(args: &ServeArgs) -> ServeOptions {
    let mut pipeline = PipelineOptions::default();
    if let Some(owner) = &args.replica_id {
        pipeline.owner = owner.clone();
    }
    pipeline.bulk_rates = args.bulk_rate.clone();
    let http = HttpLimits {
        known_senders: limits::known_senders(&args.known_senders),
        ..HttpLimits::default()
    };
    ServeOptions {
        throttle: !args.no_throttle,
        pipeline,
        http,
        ..ServeOptions::default()
    }
}

/// The listed channels without Telegram: their webhooks on `--listen`, `/healthz` and
/// `/metrics` on `--ops-listen`.
async fn serve_without_telegram(
    engine: Engine,
    args: &ServeArgs,
    options: ServeOptions,
) -> anyhow::Result<()> {
    let (public, ops) = args.webhook_listeners();
    cnscd::serve::serve_webhooks_until(
        engine,
        options.beside,
        bind(public).await?,
        Some(bind(ops).await?),
        options.pipeline,
        options.http,
        options.metrics,
        cnscd::serve::stop_signal(),
    )
    .await
    .context("The webhook server stopped with an error")
}

async fn bind(address: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("Failed to listen on {address}"))
}

/// Binds the addresses of the mode; with webhook channels beside long polling, their
/// webhooks on `--listen` and `/healthz` and `/metrics` on `--ops-listen`.
async fn listen(mode: ServeMode, args: &ServeArgs, beside: bool) -> anyhow::Result<Receive> {
    if let (ServeMode::Polling { .. }, true) = (&mode, beside) {
        let (public, ops) = args.webhook_listeners();
        return Ok(Receive::Polling {
            listener: Some(bind(ops).await?),
            public: Some(bind(public).await?),
        });
    }
    if let (ServeMode::Polling { .. }, Some(address)) = (&mode, args.listen) {
        tracing::warn!(
            %address,
            "--listen serves webhooks only, and long polling without Zalo has none: it is not \
             opened; /healthz and /metrics are served on --ops-listen"
        );
    }
    Ok(match mode {
        ServeMode::Polling { ops: None } => Receive::Polling {
            listener: None,
            public: None,
        },
        ServeMode::Polling { ops: Some(address) } => Receive::Polling {
            listener: Some(bind(address).await?),
            public: None,
        },
        ServeMode::Webhook {
            listen,
            ops,
            webhook,
        } => Receive::Webhook {
            listener: bind(listen).await?,
            webhook,
            ops: Some(bind(ops).await?),
        },
    })
}

/// Opens (creating and migrating) the database and builds the engine. A new database holds no
/// units: the deployment imports its own (`import units`), or a trial loads the 2022 example
/// (`units example`).
async fn open(
    url: &str,
    files_dir: Option<std::path::PathBuf>,
    texts: Arc<Texts>,
    rules: Arc<CompositionRules>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Engine> {
    let mut store = Store::connect(url)
        .await
        .with_context(|| format!("Failed to open the database at {}", redact_url(url)))?;
    if let Some(dir) = files_dir {
        store = store.with_files_dir(dir);
    }
    if store.files_dir().is_none() {
        tracing::warn!(
            "no folder to keep decision scans in: set CNSCD_FILES_DIR (scans are asked for again)"
        );
    }
    Ok(Engine::new(store, texts, rules, clock))
}
