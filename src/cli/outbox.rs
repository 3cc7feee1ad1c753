//! `cnscd outbox list`: what waits to be sent, for an operator wondering where a message is.

use std::io::Write;

use super::CliError;
use crate::config::OutboxCommand;
use crate::i18n::to_plain;
use crate::pipeline::Outgoing;
use crate::storage::outbox_view::WaitingMessage;
use crate::storage::Store;

/// Characters of a message's first line shown; the rest is cut with "…".
const SHOWN: usize = 60;

pub async fn run(
    store: &Store,
    command: OutboxCommand,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let OutboxCommand::List { chat } = command;
    let chat: Option<crate::chat::ChatKey> = match chat.as_deref() {
        None => None,
        Some(spec) => Some(spec.parse().map_err(|error| {
            CliError::Refused(format!(
                "--chat: {error}; write it as CHANNEL:ID, e.g. console:an or telegram:123456789"
            ))
        })?),
    };
    let chat = chat.as_ref().map(|c| (c.channel.as_str(), c.id.as_str()));
    let waiting = store
        .waiting_outbox(chat)
        .await
        .map_err(|source| CliError::Store {
            what: "read the outbox",
            source,
        })?;
    if waiting.is_empty() {
        writeln!(out, "Nothing waits to be sent.")?;
    }
    for message in &waiting {
        writeln!(
            out,
            "{}\t{}:{}\t{}\t{}\t{}",
            message.id,
            message.channel,
            message.chat_id,
            message.created_at,
            if message.is_alert { "alert" } else { "message" },
            summary(message)
        )?;
    }
    Ok(())
}

/// The first line of the text as plain text, cut short; of attachments only their names.
fn summary(message: &WaitingMessage) -> String {
    let reply = match Outgoing::from_json(&message.body) {
        Ok(Outgoing::Reply(reply)) => reply,
        Ok(Outgoing::Job { .. }) => return "(a report or import, prepared when sent)".into(),
        Err(_) => return "(unreadable)".into(),
    };
    let plain = to_plain(reply.text.as_str());
    let first = plain.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut shown: String = first.trim().chars().take(SHOWN).collect();
    if first.trim().chars().count() > SHOWN {
        shown.push('…');
    }
    for file in reply.image.iter().chain(&reply.document) {
        shown.push_str(&format!(" [file: {}]", file.file_name));
    }
    shown
}
