//! The console adapter: the same conversations in a terminal, for trials and demos.
//!
//! Each input line is one message. Replies are printed as plain text, their buttons as
//! numbered options; an answer that is one of those numbers, or a button's label (compared
//! without case or diacritics), presses that button. `/file PATH` sends a file and
//! `/contact PHONE` shares a phone contact. Reading stdin line by line, a whole dialogue
//! can be piped in: `printf '/start CODE\nNguyễn Văn An\n' | cnscd console`.
//!
//! The console takes the same durable path as every channel: each line is recorded in the
//! inbox, applied by the pipeline's worker, and its replies are outbox rows, printed and
//! marked sent. Messages other work queued for this chat (alerts, notices, a member's leave
//! request) are printed too, after each line and, typing, as they arrive. Started again in
//! the middle of a dialogue, it first asks the pending question again.

#[cfg(test)]
mod tests;

mod printing;
mod typed;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite};

use std::sync::Arc;
use std::time::Duration;

use crate::chat::{ChannelName, ChatKey};
use crate::conversation::Choices;
use crate::conversation::{Incoming, Reply};
use crate::engine::{Engine, EngineError};
use crate::i18n::K;
use crate::ops::metrics::Metrics;
use crate::pipeline::{Channel, Outgoing, SendError, Worker};
use crate::storage::chats;
use crate::storage::inbox::{self, NewEvent};
use crate::storage::outbox::Lane;
use crate::storage::StorageError;

/// The console's name in the inbox and outbox claims.
const OWNER: &str = "console";
/// While a person types, messages queued for the chat are looked for this often.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// The channel name of console chats in the database.
pub const CHANNEL: ChannelName = ChannelName::Console;

#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// The simulated chat; several names play several people.
    pub chat: String,
    /// Sends `/start CODE` before reading any other input.
    pub invite: Option<Invite>,
    /// A person types (show a prompt) rather than a script (echo each line read).
    pub interactive: bool,
}

/// The invitation a console run redeems first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invite {
    /// This code (given on the command line, where the process list shows it).
    Code(String),
    /// The first line of input, asked for when a person types: the code never shows in the
    /// process list.
    FromInput,
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("failed to read input or write output")]
    Io(#[from] std::io::Error),
    #[error("the bot failed to handle a message")]
    Engine(#[from] EngineError),
    #[error("the bot failed to handle a message")]
    Storage(#[from] StorageError),
}

/// The console as the pipeline's worker sees it: it only needs the name. The console prints
/// its replies itself, in step with the lines it reads.
struct ConsoleChannel;

impl Channel for ConsoleChannel {
    fn name(&self) -> ChannelName {
        CHANNEL
    }

    fn send<'a>(
        &'a self,
        _chat_id: &'a str,
        _part: &'a Reply,
    ) -> futures::future::BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async {
            Err(SendError::Refused(
                "the console prints its own replies".into(),
            ))
        })
    }
}

/// Runs the dialogue of one chat until the input ends.
pub async fn run<R, W>(
    engine: &Engine,
    options: &ConsoleOptions,
    input: R,
    output: W,
) -> Result<(), ConsoleError>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let channel: Arc<dyn Channel> = Arc::new(ConsoleChannel);
    let mut console = Console {
        engine,
        worker: Worker::new(
            engine.clone(),
            OWNER.to_owned(),
            vec![channel],
            Metrics::new(),
        ),
        chat: ChatKey::new(CHANNEL, options.chat.clone()),
        out: output,
        choices: Choices::default(),
    };
    if engine.store().unit_count().await? == 0 {
        // Nobody can find a place nor be invited to one yet: say how to load some.
        console.say(K::ConsoleNoUnits).await?;
    }
    // The options the previous run showed last still answer to their numbers and words.
    console.choices = console.saved_choices().await?;
    // A restart in the middle of a dialogue: what was queued meanwhile is shown first.
    console.deliver().await?;
    if options.invite.is_none() {
        // The numbered choices shown before the restart are gone: ask the pending question
        // again, so the next answer (a number, a button's name) is read against it.
        console.ask_again().await?;
    }
    let mut lines = input.lines();
    let code = match &options.invite {
        Some(Invite::Code(code)) => Some(code.trim().to_owned()),
        Some(Invite::FromInput) => {
            if options.interactive {
                let prompt = console.text(K::ConsoleInviteCode).await?;
                console.write(&format!("{prompt} ")).await?;
            }
            lines.next_line().await?.map(|line| line.trim().to_owned())
        }
        None => None,
    };
    if let Some(code) = code.filter(|code| !code.is_empty()) {
        let start = format!("/start {code}");
        // A code typed at the prompt is on the screen already.
        let typed = options.interactive && options.invite == Some(Invite::FromInput);
        if !typed {
            console.write(&format!("> {start}\n")).await?;
        }
        console.send(Incoming::Text(start)).await?;
    }
    loop {
        if options.interactive {
            console.write("> ").await?;
        }
        let line = if options.interactive {
            loop {
                tokio::select! {
                    line = lines.next_line() => break line?,
                    () = tokio::time::sleep(WATCH_EVERY) => {
                        if console.deliver().await? {
                            console.write("> ").await?;
                        }
                    }
                }
            }
        } else {
            lines.next_line().await?
        };
        let Some(line) = line else {
            break;
        };
        if !options.interactive {
            console.write(&format!("> {line}\n")).await?;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(incoming) = console.read(line).await? {
            console.send(incoming).await?;
        }
    }
    if options.interactive {
        console.write("\n").await?;
    }
    Ok(())
}

struct Console<'a, W> {
    engine: &'a Engine,
    worker: Worker,
    chat: ChatKey,
    out: W,
    /// The buttons of the bot's last answer, in the order they were numbered.
    choices: Choices,
}

impl<W: AsyncWrite + Unpin> Console<'_, W> {
    /// Records the message, has the worker apply it, and prints what the outbox then holds
    /// for this chat.
    async fn send(&mut self, incoming: Incoming) -> Result<(), ConsoleError> {
        let body =
            serde_json::to_string(&incoming).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let event = NewEvent {
            channel: CHANNEL,
            chat_id: self.chat.id.clone(),
            update_id: None,
            body,
        };
        let store = self.engine.store();
        let mut tx = store.begin().await?;
        inbox::record(&mut tx, &[event], OWNER, chrono::Utc::now()).await?;
        tx.commit().await.map_err(StorageError::from)?;
        while self.worker.run_round().await?.events > 0 {}
        self.deliver().await?;
        Ok(())
    }

    /// Keeps the options just printed, so that a console started again reads a number or a
    /// button's words typed next against them, as this run would have.
    async fn remember_choices(&self) -> Result<(), ConsoleError> {
        let store = self.engine.store();
        let mut tx = store.begin().await?;
        let (channel, now) = (CHANNEL.as_str(), chrono::Utc::now());
        chats::save_choices(&mut tx, channel, &self.chat.id, &self.choices, now).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(())
    }

    /// The options a previous run printed last for this chat (none if it printed none).
    async fn saved_choices(&self) -> Result<Choices, ConsoleError> {
        let store = self.engine.store();
        let mut tx = store.begin().await?;
        let choices = chats::load_choices(&mut tx, CHANNEL.as_str(), &self.chat.id).await?;
        tx.commit().await.map_err(StorageError::from)?;
        Ok(choices)
    }

    /// Prints the question the chat's dialogue waits for, if one is open.
    async fn ask_again(&mut self) -> Result<(), ConsoleError> {
        if self.engine.session(&self.chat).await?.state == crate::conversation::State::Idle {
            return Ok(());
        }
        let replies = self.engine.current_question(&self.chat).await?;
        if !replies.is_empty() {
            self.print(&replies).await?;
        }
        Ok(())
    }

    /// Prints and marks sent what the outbox holds for this chat; `true` if there was any.
    async fn deliver(&mut self) -> Result<bool, ConsoleError> {
        let store = self.engine.store();
        let stale = chrono::Utc::now() - chrono::Duration::seconds(60);
        // Replies first, then an announcement's message.
        let mut rows = Vec::new();
        for lane in [Lane::Reply, Lane::Bulk] {
            rows.extend(
                store
                    .sendable_outbox(CHANNEL.as_str(), lane, OWNER, stale, 1000)
                    .await?,
            );
        }
        let mut replies = Vec::new();
        let mut sent = Vec::new();
        for row in rows.into_iter().filter(|r| r.chat_id == self.chat.id) {
            let reply = match Outgoing::from_json(&row.body) {
                Ok(Outgoing::Reply(reply)) => reply,
                Ok(Outgoing::Job { job, lang }) => {
                    let file = crate::conversation::ReportFile::default();
                    self.engine.run_job(&self.chat, lang, job, file).await
                }
                Err(_) => continue,
            };
            replies.push(reply);
            sent.push(row.id);
        }
        if replies.is_empty() {
            return Ok(false);
        }
        self.print(&replies).await?;
        store
            .mark_outbox_sent_many(&sent, chrono::Utc::now())
            .await?;
        Ok(true)
    }
}
