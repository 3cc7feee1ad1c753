//! Delivers the outbox: messages for chats other than the one being answered (a head told
//! that a member asked to leave, alerts). Each is marked sent once Telegram took it; a chat
//! that blocked the bot is marked and skipped, and the rest of the run goes on.

use std::time::Duration;

use teloxide::types::ChatId;
use teloxide::{ApiError, RequestError};

use super::metrics::Metrics;
use super::{outgoing, Api, CHANNEL};
use crate::engine::Engine;

/// How often the outbox is looked at, and how much is sent per look.
const POLL_EVERY: Duration = Duration::from_secs(2);
const BATCH: i64 = 50;

/// Sends what is due, forever (the caller aborts it on shutdown), counting what Telegram
/// took.
pub(super) async fn run<R: Api>(bot: R, engine: Engine, metrics: Metrics) {
    loop {
        match deliver_pending(&bot, &engine).await {
            Ok(delivered) => metrics.alerts_sent(delivered.alerts),
            Err(error) => tracing::warn!(%error, "outbox delivery failed; will retry"),
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// What one pass delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Of which deadline alerts.
    pub alerts: usize,
}

/// One pass over the pending messages.
pub async fn deliver_pending<R: Api>(
    bot: &R,
    engine: &Engine,
) -> Result<Delivered, crate::storage::StorageError> {
    let store = engine.store();
    let mut delivered = Delivered::default();
    for message in store.pending_outbox(CHANNEL, BATCH).await? {
        if !store.claim_outbox(message.id, engine.now()).await? {
            continue;
        }
        let Ok(chat) = message.chat_id.parse::<i64>() else {
            store
                .mark_outbox_failed(message.id, "not a Telegram chat id", engine.now())
                .await?;
            continue;
        };
        match outgoing::send(bot, ChatId(chat), vec![message.reply]).await {
            Ok(()) => {
                store.mark_outbox_sent(message.id, engine.now()).await?;
                delivered.sent += 1;
                delivered.alerts += usize::from(message.is_alert);
            }
            Err(RequestError::Api(
                error @ (ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::ChatNotFound),
            )) => {
                tracing::info!(chat, %error, "recipient unreachable; marked and skipped");
                store
                    .mark_outbox_failed(message.id, &error.to_string(), engine.now())
                    .await?;
                store
                    .mark_chat_blocked(CHANNEL, &message.chat_id, engine.now())
                    .await?;
            }
            Err(error) => {
                // Network trouble or Telegram's rate limit: try again on the next pass.
                tracing::warn!(chat, %error, "outbox message not sent yet");
                break;
            }
        }
    }
    Ok(delivered)
}
