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

use std::path::Path;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use std::sync::Arc;
use std::time::Duration;

use crate::conversation::{Button, FileKind, FileUpload, Incoming, Reply};
use crate::engine::{ChatKey, Engine, EngineError};
use crate::i18n::{to_plain, K};
use crate::ops::metrics::Metrics;
use crate::pipeline::{Channel, Choices, Outgoing, SendError, Worker};
use crate::storage::inbox::{self, NewEvent};
use crate::storage::StorageError;

/// The console's name in the inbox and outbox claims.
const OWNER: &str = "console";
/// While a person types, messages queued for the chat are looked for this often.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// The channel name of console chats in the database.
pub const CHANNEL: &str = "console";

#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// The simulated chat; several names play several people.
    pub chat: String,
    /// Sends `/start CODE` before reading any input.
    pub invite: Option<String>,
    /// A person types (show a prompt) rather than a script (echo each line read).
    pub interactive: bool,
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
    fn name(&self) -> &'static str {
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
    // A restart in the middle of a dialogue: what was queued meanwhile is shown first.
    console.deliver().await?;
    if options.invite.is_none() {
        // The numbered choices shown before the restart are gone: ask the pending question
        // again, so the next answer (a number, a button's name) is read against it.
        console.ask_again().await?;
    }
    if let Some(code) = &options.invite {
        let start = format!("/start {}", code.trim());
        console.write(&format!("> {start}\n")).await?;
        console.send(Incoming::Text(start)).await?;
    }
    let mut lines = input.lines();
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
    /// What a typed line means; `None` when it was handled here (a file that cannot be read).
    async fn read(&mut self, line: &str) -> Result<Option<Incoming>, ConsoleError> {
        if let Some(path) = command_argument(line, "/file") {
            return match read_file(Path::new(path)).await {
                Some(upload) => Ok(Some(Incoming::File(upload))),
                None => {
                    self.say(K::ConsoleFileMissing).await?;
                    Ok(None)
                }
            };
        }
        if let Some(phone) = command_argument(line, "/contact") {
            return Ok(Some(Incoming::Contact {
                phone: phone.to_owned(),
                own: true,
            }));
        }
        Ok(Some(self.choices.read(Incoming::Text(line.to_owned()))))
    }

    /// Records the message, has the worker apply it, and prints what the outbox then holds
    /// for this chat.
    async fn send(&mut self, incoming: Incoming) -> Result<(), ConsoleError> {
        let body =
            serde_json::to_string(&incoming).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        let event = NewEvent {
            channel: CHANNEL.to_owned(),
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
        let rows = store.sendable_outbox(CHANNEL, OWNER, stale, 1000).await?;
        let mut replies = Vec::new();
        let mut sent = Vec::new();
        for row in rows.into_iter().filter(|r| r.chat_id == self.chat.id) {
            let reply = match Outgoing::from_json(&row.body) {
                Ok(Outgoing::Reply(reply)) => reply,
                Ok(Outgoing::Job { job, lang }) => self.engine.run_job(&self.chat, lang, job).await,
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

    async fn print(&mut self, replies: &[Reply]) -> Result<(), ConsoleError> {
        let replies = replies.to_vec();
        let hint = if replies.iter().any(|r| !r.buttons.is_empty()) {
            Some(self.text(K::ConsoleChoiceHint).await?)
        } else {
            None
        };
        let (text, choices) = render(&replies, hint.as_deref());
        self.choices = Choices {
            buttons: choices,
            numbered: true,
        };
        self.write(&text).await?;
        self.extras(&replies).await
    }

    /// What a terminal cannot show inline: a picture is saved to a file, and a request for the
    /// user's contact says how to send one.
    async fn extras(&mut self, replies: &[Reply]) -> Result<(), ConsoleError> {
        for reply in replies {
            for file in reply.image.iter().chain(&reply.document) {
                let path = crate::files::private_dir()?.join(&file.file_name);
                crate::files::write_private(&path, &file.bytes)?;
                let saved = self
                    .fill(K::ConsoleImageSaved, "path", &path.display().to_string())
                    .await?;
                self.write(&format!("{saved}\n\n")).await?;
            }
            if reply.ask_contact.is_some() {
                let hint = self.text(K::ConsoleShareContact).await?;
                self.write(&format!("{hint}\n\n")).await?;
            }
        }
        Ok(())
    }

    async fn fill(&self, key: K, name: &str, value: &str) -> Result<String, ConsoleError> {
        let lang = self.engine.session(&self.chat).await?.lang;
        let filled = self
            .engine
            .texts()
            .fill(lang, key, &[(name, crate::i18n::Html::text(value))]);
        Ok(to_plain(filled.as_str()))
    }

    /// A console text in the chat's language.
    async fn text(&self, key: K) -> Result<String, ConsoleError> {
        let lang = self.engine.session(&self.chat).await?.lang;
        Ok(to_plain(self.engine.texts().get(lang, key).as_str()))
    }

    async fn say(&mut self, key: K) -> Result<(), ConsoleError> {
        let text = self.text(key).await?;
        self.write(&format!("{text}\n\n")).await
    }

    async fn write(&mut self, text: &str) -> Result<(), ConsoleError> {
        self.out.write_all(text.as_bytes()).await?;
        self.out.flush().await?;
        Ok(())
    }
}

/// The replies as plain text, every button numbered across them, and those buttons.
fn render(replies: &[Reply], hint: Option<&str>) -> (String, Vec<Button>) {
    let mut text = String::new();
    let mut choices = Vec::new();
    for reply in replies {
        text.push_str(&to_plain(reply.text.as_str()));
        text.push('\n');
        for button in reply.buttons.iter().flatten() {
            choices.push(button.clone());
            text.push_str(&format!("  [{}] {}\n", choices.len(), button.label));
        }
        text.push('\n');
    }
    if let Some(hint) = hint {
        text.push_str(&format!("{hint}\n\n"));
    }
    (text, choices)
}

/// `"/file a.pdf"` → `Some("a.pdf")`; `"/file"` → `Some("")`; `"/filex"` → `None`.
fn command_argument<'l>(line: &'l str, command: &str) -> Option<&'l str> {
    let rest = line.strip_prefix(command)?;
    if rest.is_empty() || rest.starts_with(char::is_whitespace) {
        Some(rest.trim())
    } else {
        None
    }
}

/// The upload of a local file, identified by its SHA-256; `None` when it cannot be read.
async fn read_file(path: &Path) -> Option<FileUpload> {
    if path.as_os_str().is_empty() {
        return None;
    }
    let bytes = tokio::fs::read(path).await.ok()?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let kind = match extension.as_deref() {
        Some("pdf") => FileKind::Pdf,
        Some("jpg" | "jpeg" | "png") => FileKind::Photo,
        _ => FileKind::Other,
    };
    // A CSV (a commune's village list) travels with its content, as on Telegram.
    let content =
        (extension.as_deref() == Some("csv") && bytes.len() <= 1024 * 1024).then(|| bytes.clone());
    Some(FileUpload {
        file_id: format!("console:{sha256}"),
        kind,
        sha256: Some(sha256),
        content,
    })
}
