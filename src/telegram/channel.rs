//! Telegram as a [`Channel`] of the pipeline: one part of a reply per Bot API call, and
//! Telegram's answers read as the pipeline needs them (wait, give up the chat, retry, skip).

use std::time::Duration;

use futures::future::BoxFuture;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::ChatId;
use teloxide::{ApiError, RequestError};

use super::{outgoing, Api, CHANNEL};
use crate::conversation::Reply;
use crate::pipeline::{Channel, FetchError, SendError};

/// Sends through `bot` (throttled in production); downloads through the plain bot, since
/// downloads are not rate-limited.
pub(super) struct TelegramChannel<R> {
    bot: R,
    files: Bot,
}

impl<R: Api> TelegramChannel<R> {
    pub(super) fn new(bot: R, files: Bot) -> TelegramChannel<R> {
        TelegramChannel { bot, files }
    }
}

impl<R: Api> Channel for TelegramChannel<R> {
    fn name(&self) -> &'static str {
        CHANNEL
    }

    fn send<'a>(
        &'a self,
        chat_id: &'a str,
        part: &'a Reply,
    ) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let Ok(chat) = chat_id.parse::<i64>() else {
                return Err(SendError::Refused("not a Telegram chat id".into()));
            };
            match outgoing::send_part(&self.bot, ChatId(chat), part).await {
                Ok(()) => Ok(()),
                Err(error) => classify(&error),
            }
        })
    }

    fn fetch<'a>(
        &'a self,
        file_id: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Vec<u8>, FetchError>> {
        Box::pin(async move {
            let file = self
                .files
                .get_file(teloxide::types::FileId(file_id.to_owned()))
                .await
                .map_err(|error| {
                    tracing::warn!(kind = kind_of(&error), "getFile failed");
                    FetchError::Unavailable
                })?;
            if u64::from(file.size) > max_bytes {
                return Err(FetchError::TooLarge);
            }
            let mut bytes = Vec::new();
            if let Err(error) = self.files.download_file(&file.path, &mut bytes).await {
                tracing::warn!(%error, "download failed");
                return Err(FetchError::Unavailable);
            }
            Ok(bytes)
        })
    }
}

/// What Telegram's refusal means for the pipeline. Only kinds are kept: Telegram's
/// descriptions may quote the message.
fn classify(error: &RequestError) -> Result<(), SendError> {
    match error {
        RequestError::RetryAfter(seconds) => Err(SendError::RetryAfter(Duration::from_secs(
            u64::from(seconds.seconds()),
        ))),
        RequestError::Api(ApiError::MessageNotModified) => Ok(()),
        RequestError::Api(ApiError::BotBlocked) => Err(SendError::Unreachable("blocked")),
        RequestError::Api(ApiError::UserDeactivated) => Err(SendError::Unreachable("deactivated")),
        RequestError::Api(ApiError::ChatNotFound) => Err(SendError::Unreachable("chat not found")),
        RequestError::Api(_) => Err(SendError::Refused(kind_of(error).into())),
        RequestError::MigrateToChatId(_) => Err(SendError::Refused("chat migrated".into())),
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Err(SendError::Transient(kind_of(error).into()))
        }
    }
}

/// A name for an error that holds nothing of the message.
fn kind_of(error: &RequestError) -> &'static str {
    match error {
        RequestError::Api(_) => "api error",
        RequestError::MigrateToChatId(_) => "chat migrated",
        RequestError::RetryAfter(_) => "rate limited",
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "unreadable answer",
        RequestError::Io(_) => "io",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegrams_refusals_are_read_as_wait_give_up_skip_or_success() {
        let retry = RequestError::RetryAfter(teloxide::types::Seconds::from_seconds(7));
        assert_eq!(
            classify(&retry),
            Err(SendError::RetryAfter(Duration::from_secs(7)))
        );
        let blocked = RequestError::Api(ApiError::BotBlocked);
        assert_eq!(classify(&blocked), Err(SendError::Unreachable("blocked")));
        let not_modified = RequestError::Api(ApiError::MessageNotModified);
        assert_eq!(classify(&not_modified), Ok(()));
        let other = RequestError::Api(ApiError::Unknown("Bad Request: secret name".into()));
        assert_eq!(
            classify(&other),
            Err(SendError::Refused("api error".into()))
        );
    }
}
