//! Which updates the bot handles: messages and button presses in private chats. Groups and
//! channels get no answer (the bot is for one person at a time); edited messages are not even
//! requested from Telegram.

use std::time::Instant;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{ChatId, UpdateId};

use super::incoming::{self, Files};
use super::metrics::{ErrorKind, Metrics, Outcome};
use super::{outgoing, Api, TelegramError, CHANNEL};
use crate::conversation::{Incoming, Reply};
use crate::engine::{ChatKey, Engine, Handled, UpdateRecord};
use crate::i18n::K;

/// What a chat is told when its update could not be recorded. A dependency of the handlers:
/// long polling and webhooks differ in whether Telegram will deliver the update again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnFailure {
    /// Long polling confirms every update to Telegram, failed or not, so it never comes
    /// back: the user is asked to try again.
    AskToRetry,
    /// A webhook answers 5xx and Telegram delivers the update again: the user is told it will
    /// be handled by itself. Asking them to send it again would apply it twice.
    WillRetry,
    /// A webhook redelivery that failed again: the user has been told already, and one
    /// apology per update is enough (Telegram may retry many times during an outage).
    Silent,
}

/// The handlers. Needs, besides the update: the bot (`R`), [`Engine`], [`Files`],
/// [`Metrics`] and [`OnFailure`]. Ends in `Err(TelegramError::NotRecorded)` when the update
/// was not recorded, so a webhook can ask Telegram to deliver it again.
pub(super) fn schema<R: Api>() -> UpdateHandler<TelegramError> {
    dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|msg: Message| msg.chat.is_private())
                .endpoint(on_message::<R>),
        )
        .branch(Update::filter_callback_query().endpoint(on_button::<R>))
}

#[tracing::instrument(skip_all, fields(chat = msg.chat.id.0, update = update.id.0))]
async fn on_message<R: Api>(
    bot: R,
    update: Update,
    msg: Message,
    engine: Engine,
    files: Files,
    metrics: Metrics,
    on_failure: OnFailure,
) -> Result<(), TelegramError> {
    let Some(incoming) = incoming::read(&msg, &files).await else {
        tracing::debug!("service message ignored");
        return Ok(());
    };
    let step = Step {
        engine: &engine,
        metrics: &metrics,
        on_failure,
    };
    step.converse(&bot, msg.chat.id, update.id, incoming).await
}

#[tracing::instrument(skip_all, fields(chat = tracing::field::Empty, update = update.id.0))]
async fn on_button<R: Api>(
    bot: R,
    update: Update,
    query: CallbackQuery,
    engine: Engine,
    metrics: Metrics,
    on_failure: OnFailure,
) -> Result<(), TelegramError> {
    // Always answered, so the button stops spinning whatever happens next.
    if let Err(error) = bot.answer_callback_query(query.id.clone()).send().await {
        tracing::warn!(%error, "could not answer the button press");
    }
    let chat = query.message.as_ref().map(|m| m.chat());
    let (Some(chat), Some(data)) = (chat.filter(|c| c.is_private()), query.data) else {
        tracing::debug!("button press outside a private chat ignored");
        return Ok(());
    };
    tracing::Span::current().record("chat", chat.id.0);
    let step = Step {
        engine: &engine,
        metrics: &metrics,
        on_failure,
    };
    step.converse(&bot, chat.id, update.id, Incoming::Button(data))
        .await
}

/// What one conversation step works with.
struct Step<'a> {
    engine: &'a Engine,
    metrics: &'a Metrics,
    on_failure: OnFailure,
}

impl Step<'_> {
    /// The engine applies the update, the replies go back to the chat.
    async fn converse<R: Api>(
        &self,
        bot: &R,
        chat: ChatId,
        update: UpdateId,
        incoming: Incoming,
    ) -> Result<(), TelegramError> {
        let started = Instant::now();
        let key = ChatKey::new(CHANNEL, chat.0.to_string());
        let (outcome, replies) = match apply(self.engine, key.clone(), update, incoming).await {
            Some(handled) => {
                let outcome = match handled.outcome {
                    UpdateRecord::New => Outcome::Applied,
                    UpdateRecord::Duplicate => Outcome::Duplicate,
                    UpdateRecord::Late => Outcome::Late,
                };
                (outcome, handled.replies)
            }
            None => {
                self.metrics.error(ErrorKind::Engine);
                (Outcome::Failed, self.apology(&key).await)
            }
        };
        let sent = outgoing::send(bot, chat, replies).await;
        self.metrics.update_handled(outcome, started.elapsed());
        if sent.is_err() {
            self.metrics.error(ErrorKind::Telegram);
        }
        match outcome {
            Outcome::Failed => {
                if let Err(error) = sent {
                    tracing::warn!(%error, "the apology could not be sent either");
                }
                Err(TelegramError::NotRecorded)
            }
            // The update is recorded: a reply Telegram refused is lost, not retried (a
            // redelivery would be a duplicate and get no answer anyway).
            Outcome::Applied | Outcome::Duplicate | Outcome::Late => Ok(sent?),
        }
    }

    /// What the chat is told when its update was not recorded (see [`OnFailure`]).
    async fn apology(&self, chat: &ChatKey) -> Vec<Reply> {
        let key = match self.on_failure {
            OnFailure::AskToRetry => K::InternalError,
            OnFailure::WillRetry => K::InternalErrorWillRetry,
            OnFailure::Silent => return Vec::new(),
        };
        vec![apology(self.engine, chat, key).await]
    }
}

/// Runs the engine in a task of its own, so that even a panic in it only costs this update;
/// `None` when it failed (already logged).
async fn apply(
    engine: &Engine,
    chat: ChatKey,
    update: UpdateId,
    incoming: Incoming,
) -> Option<Handled> {
    let engine = engine.clone();
    let task = tokio::spawn(async move {
        let update = update.0.to_string();
        engine.handle_update(&chat, Some(&update), incoming).await
    });
    match task.await {
        Ok(Ok(handled)) => Some(handled),
        Ok(Err(error)) => {
            tracing::error!(?error, "the engine could not apply the update");
            None
        }
        Err(error) => {
            tracing::error!(%error, "the engine task failed");
            None
        }
    }
}

/// An apology, in the chat's language when it can still be read.
async fn apology(engine: &Engine, chat: &ChatKey, key: K) -> Reply {
    let lang = engine
        .session(chat)
        .await
        .map(|session| session.lang)
        .unwrap_or_default();
    Reply::text(engine.texts().get(lang, key))
}
