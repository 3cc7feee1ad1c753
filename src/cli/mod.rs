//! The subcommands that work on the database: each one a small function that writes what it
//! did to stdout. `main` opens the database and builds the engine, then calls [`run`];
//! [`telegram`] builds the Bot API client for `serve` and `invite`.

pub mod announce;
pub mod campaign;
pub mod decision;
pub mod import;
mod inbox;
pub mod invite;
pub mod outbox;
pub mod privacy;
pub mod telegram;
pub mod units;
pub mod webhook;
pub mod zalo;

#[cfg(test)]
mod tests;

use std::io::IsTerminal;

use crate::config::{
    ActivityCommand, ConfigError, DatabaseCommand, ImportCommand, UnitsCommand, INVITE_FROM_INPUT,
};
use crate::console::{self, ConsoleError, ConsoleOptions, Invite};
use crate::engine::Engine;
use crate::import::ImportError;
use crate::invitation::InviteError;
use crate::storage::StorageError;

/// What tells the operator how to get a bot token; printed as is when it is missing.
pub const MISSING_TOKEN: &str = "TELOXIDE_TOKEN is not set. Create a bot with @BotFather and \
run: TELOXIDE_TOKEN=123456:ABC... cnscd serve (or try the bot offline: cnscd console)";

/// Why a subcommand failed; the message says what was being done.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("Failed to read {path}")]
    ReadFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Failed to import {what} from {path}")]
    Import {
        what: &'static str,
        path: String,
        #[source]
        source: ImportError,
    },
    #[error("There is no unit with code {0:?} (see: cnscd units list)")]
    UnknownUnit(String),
    #[error("Failed to read the units")]
    Units(#[source] StorageError),
    #[error("Failed to read or change the inbox")]
    Inbox(#[source] StorageError),
    #[error("Failed to create the invitation")]
    Invite(#[source] InviteError),
    #[error("{MISSING_TOKEN}")]
    MissingToken,
    #[error("The console stopped with an error")]
    Console(#[source] ConsoleError),
    #[error("{0}")]
    Campaign(String),
    #[error("{0}")]
    Refused(String),
    #[error("Failed to {what}")]
    Store {
        what: &'static str,
        #[source]
        source: StorageError,
    },
    #[error("Failed to write the output")]
    Output(#[from] std::io::Error),
    #[error(
        "Erased from the database, but failed to delete the reports saved in the console's folder"
    )]
    SavedReports(#[source] std::io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("Failed to write {path}")]
    WriteFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Decision(#[from] crate::report::decision::DecisionError),
    #[error("Telegram refused the request")]
    Telegram(#[source] teloxide::RequestError),
}

/// Runs one of the commands that work on the database. `database_url` is the one the
/// engine uses, for the commands printed to run next.
pub async fn run(
    engine: &Engine,
    command: DatabaseCommand,
    database_url: &str,
) -> Result<(), CliError> {
    let mut out = std::io::stdout();
    match command {
        DatabaseCommand::Console(args) => {
            let options = ConsoleOptions {
                chat: args.chat,
                invite: args.invite.map(|code| match code.as_str() {
                    INVITE_FROM_INPUT => Invite::FromInput,
                    _ => Invite::Code(code),
                }),
                interactive: std::io::stdin().is_terminal(),
            };
            let input = tokio::io::BufReader::new(tokio::io::stdin());
            let engine = match args.bot_username {
                Some(bot) => engine.clone().with_bot_username(bot),
                None => engine.clone(),
            };
            console::run(&engine, &options, input, tokio::io::stdout())
                .await
                .map_err(CliError::Console)
        }
        DatabaseCommand::Import(ImportCommand::Units { file }) => {
            import::units(engine, &file, &mut out).await
        }
        DatabaseCommand::Import(ImportCommand::Villages { file, rename }) => {
            import::villages(engine, &file, rename, &mut out).await
        }
        DatabaseCommand::Activity(ActivityCommand::Import { file }) => {
            import::activities(engine, &file, &mut out).await
        }
        DatabaseCommand::Units(UnitsCommand::Example) => units::example(engine, &mut out).await,
        DatabaseCommand::Units(UnitsCommand::List { parent }) => {
            units::list(engine.store(), parent.as_deref(), &mut out).await
        }
        DatabaseCommand::Units(UnitsCommand::Reorganize {
            map,
            villages,
            dry_run,
            revoke_officials,
            date,
        }) => {
            let options = crate::import::reorganize::Options {
                dry_run,
                revoke_officials,
                effective_on: date,
            };
            units::reorganize(engine, &map, villages.as_deref(), &options, &mut out).await
        }
        DatabaseCommand::Units(UnitsCommand::MergeVillages(args)) => {
            units::merge_villages(engine, &args, &mut out).await
        }
        DatabaseCommand::Units(UnitsCommand::Population { file }) => {
            units::population(engine, &file, &mut out).await
        }
        DatabaseCommand::Invite(args) => invite::run(engine, &args, database_url, &mut out).await,
        DatabaseCommand::Report(args) => campaign::report(engine, args).await,
        DatabaseCommand::Decision(command) => decision::run(engine, command, &mut out).await,
        DatabaseCommand::Campaign(command) => campaign::campaign(engine, command, &mut out).await,
        DatabaseCommand::Alerts(command) => campaign::alerts(engine, command, &mut out).await,
        DatabaseCommand::Inbox(command) => inbox::run(engine.store(), command, &mut out).await,
        DatabaseCommand::Outbox(command) => outbox::run(engine.store(), command, &mut out).await,
        DatabaseCommand::Announce(args) => announce::run(engine, args, &mut out).await,
        DatabaseCommand::Accounts(command) => privacy::accounts(engine, command, &mut out).await,
        DatabaseCommand::Erase { phone } => {
            privacy::erase(engine, &phone, &mut out).await?;
            privacy::erase_saved_reports(&mut out)
        }
        DatabaseCommand::Purge => privacy::purge(engine, &mut out).await,
        DatabaseCommand::Zalo(command) => zalo::run(engine, *command, &mut out).await,
    }
}
