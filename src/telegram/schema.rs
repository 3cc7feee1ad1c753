//! Which updates the bot handles: messages and button presses in private chats. Groups and
//! channels get no answer (the bot is for one person at a time); edited messages are not even
//! requested from Telegram.

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{ChatId, UpdateId};

use super::incoming::{self, Files};
use super::{outgoing, Api, TelegramError, CHANNEL};
use crate::conversation::{Incoming, Reply};
use crate::engine::{ChatKey, Engine};
use crate::i18n::K;

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
) -> Result<(), TelegramError> {
    let Some(incoming) = incoming::read(&msg, &files).await else {
        tracing::debug!("service message ignored");
        return Ok(());
    };
    converse(&bot, &engine, msg.chat.id, update.id, incoming).await
}

#[tracing::instrument(skip_all, fields(chat = tracing::field::Empty, update = update.id.0))]
async fn on_button<R: Api>(
    bot: R,
    update: Update,
    query: CallbackQuery,
    engine: Engine,
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
    converse(&bot, &engine, chat.id, update.id, Incoming::Button(data)).await
}

/// One conversation step: the engine applies the update, the replies go back to the chat.
async fn converse<R: Api>(
    bot: &R,
    engine: &Engine,
    chat: ChatId,
    update: UpdateId,
    incoming: Incoming,
) -> Result<(), TelegramError> {
    let key = ChatKey::new(CHANNEL, chat.0.to_string());
    let replies = match apply(engine, key.clone(), update, incoming).await {
        Some(replies) => replies,
        None => vec![internal_error(engine, &key).await],
    };
    outgoing::send(bot, chat, replies).await?;
    Ok(())
}

/// Runs the engine in a task of its own, so that even a panic in it only costs this update;
/// `None` when it failed (already logged).
async fn apply(
    engine: &Engine,
    chat: ChatKey,
    update: UpdateId,
    incoming: Incoming,
) -> Option<Vec<Reply>> {
    let engine = engine.clone();
    let task = tokio::spawn(async move {
        let update = update.0.to_string();
        engine.handle(&chat, Some(&update), incoming).await
    });
    match task.await {
        Ok(Ok(replies)) => Some(replies),
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

/// The apology, in the chat's language when it can still be read.
async fn internal_error(engine: &Engine, chat: &ChatKey) -> Reply {
    let lang = engine
        .session(chat)
        .await
        .map(|session| session.lang)
        .unwrap_or_default();
    Reply::text(engine.texts().get(lang, K::InternalError))
}
