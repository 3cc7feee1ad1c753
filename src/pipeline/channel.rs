//! What the pipeline needs of a channel: send one reply to a chat, fetch a file a user sent.

use std::time::Duration;

use futures::future::BoxFuture;

use crate::chat::ChannelName;
use crate::conversation::Choices;
use crate::conversation::{Reply, ReportFile};

/// A way of reaching chats (Telegram, the console, Zalo…). Implementations translate only:
/// everything durable happens in the pipeline.
pub trait Channel: Send + Sync + 'static {
    /// The channel's name in [`crate::chat::ChatKey`] and the database.
    fn name(&self) -> ChannelName;

    /// Sends one part of a reply (see [`super::delivery_parts`]): its text with its buttons,
    /// or its picture, or its document.
    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>>;

    /// A file a user sent, hashed while it streams in (its bytes kept only with `keep`),
    /// refused without downloading when the channel says it is larger than `max_bytes`, and
    /// cut off if it turns out larger.
    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
        keep: bool,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        let _ = (file_id, max_bytes, keep);
        Box::pin(async { Err(FetchError::Unavailable) })
    }

    /// What a chat must remember of `replies` to read a typed answer as a button press, on a
    /// channel that shows some buttons as numbered options; `None` where every button can be
    /// pressed (Telegram).
    fn choices(&self, replies: &[Reply]) -> Option<Choices> {
        let _ = replies;
        None
    }

    /// The file a report is sent as: the kind of document the channel delivers.
    fn report_file(&self) -> ReportFile {
        ReportFile::Spreadsheet
    }

    /// How long after a chat's last message the channel still lets the bot write to it
    /// (Zalo's window); `None` when it always does. Such chats' activity is recorded.
    fn window(&self) -> Option<std::time::Duration> {
        None
    }
}

/// A downloaded file: its SHA-256 (hex) and, when asked for, its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub sha256: String,
    pub bytes: Option<Vec<u8>>,
}

/// Why a message was not delivered. The texts name a kind, never the message: it holds
/// names and phone numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The channel asks this chat to wait (Telegram's 429 `retry_after`).
    #[error("rate limited for {0:?}")]
    RetryAfter(Duration),
    /// The chat blocked the bot, was deleted or never existed: nothing more is sent to it.
    #[error("the chat cannot be reached ({0})")]
    Unreachable(&'static str),
    /// The network or the channel failed for now: tried again with a backoff.
    #[error("not delivered for now ({0})")]
    Transient(String),
    /// The channel refuses to deliver to this chat for now (outside its window, not
    /// following, night hours): the chat's messages stay in the outbox, with the reason,
    /// until it writes again.
    #[error("held by the channel ({0})")]
    Held(String),
    /// The channel refuses this message for good: it is given up, the next one goes on.
    #[error("refused by the channel ({0})")]
    Refused(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the file is larger than allowed")]
    TooLarge,
    #[error("the file could not be downloaded")]
    Unavailable,
}
