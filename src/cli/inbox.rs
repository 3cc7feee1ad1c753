//! `cnscd inbox parked|replay`: the events that failed too often, for an operator.

use std::io::Write;

use super::CliError;
use crate::config::InboxCommand;
use crate::storage::Store;

pub async fn run(
    store: &Store,
    command: InboxCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match command {
        InboxCommand::Parked => {
            let parked = store.parked_events().await.map_err(CliError::Inbox)?;
            if parked.is_empty() {
                writeln!(out, "No parked events.")?;
            }
            for event in parked {
                writeln!(
                    out,
                    "{}\t{}:{}\treceived {}\t{} attempts\t{}",
                    event.id,
                    event.channel,
                    event.chat_id,
                    event.received_at,
                    event.attempts,
                    event.error
                )?;
            }
        }
        InboxCommand::Replay { id, all } => {
            let id = if all { None } else { id };
            let replayed = store.replay_parked(id).await.map_err(CliError::Inbox)?;
            if let (Some(id), 0) = (id, replayed) {
                // A mistyped id is an error, not "0 event(s)" and success.
                return Err(CliError::Refused(format!(
                    "No parked event has id {id} (see: cnscd inbox parked)."
                )));
            }
            writeln!(out, "{replayed} event(s) put back in line.")?;
        }
    }
    Ok(())
}
