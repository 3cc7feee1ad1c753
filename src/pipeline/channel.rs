//! What the pipeline needs of a channel: send one reply to a chat, fetch a file a user sent.

use std::time::Duration;

use futures::future::BoxFuture;

use crate::conversation::Reply;

/// A way of reaching chats (Telegram, the console, Zalo…). Implementations translate only:
/// everything durable happens in the pipeline.
pub trait Channel: Send + Sync + 'static {
    /// The channel's name in [`crate::engine::ChatKey`] and the database.
    fn name(&self) -> &'static str;

    /// Sends one part of a reply (see [`super::delivery_parts`]): its text with its buttons,
    /// or its picture, or its document.
    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>>;

    /// The bytes of a file a user sent, refused without downloading when the channel says it
    /// is larger than `max_bytes`.
    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        let _ = (file_id, max_bytes);
        Box::pin(async { Err(FetchError::Unavailable) })
    }
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
