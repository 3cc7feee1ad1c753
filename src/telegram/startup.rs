//! What long polling and webhooks share: the command menu and the bot's username at start,
//! then the pipeline (inbox worker, outbox sender) for as long as the adapter
//! runs.

use std::sync::Arc;

use teloxide::Bot;

use super::channel::{kind_of, TelegramChannel};
use super::{commands, Api};
use crate::engine::Engine;
use crate::ops::metrics::Metrics;
use crate::pipeline::{Channel, Pipeline, PipelineOptions};
use crate::serve::ServedChannel;

/// A started adapter: the engine knows the bot's username, the metrics count, the pipeline
/// runs until this is dropped (at once: a killed replica) or shut down (cleanly).
pub(super) struct Started {
    pub engine: Engine,
    pub metrics: Metrics,
    pub pipeline: Pipeline,
}

pub(super) async fn start<R: Api>(
    engine: Engine,
    bot: &R,
    files: Bot,
    options: PipelineOptions,
    beside: &[Arc<dyn ServedChannel>],
    metrics: Metrics,
) -> Started {
    if let Err(error) = commands::set_commands(bot, engine.texts()).await {
        // The menu is a convenience: a bot without it still works.
        tracing::warn!(kind = kind_of(&error), "could not set the command menu");
    }
    // Invitations made in chat link to the bot by its username.
    let engine = match bot.get_me().await {
        Ok(me) => match me.username.clone() {
            Some(username) => engine.with_bot_username(username),
            None => engine,
        },
        Err(error) => {
            tracing::warn!(
                kind = kind_of(&error),
                "getMe failed; invitations made in chat will show codes only"
            );
            engine
        }
    };
    // The place index is read now, not inside the first step that needs it.
    if let Err(error) = engine.index().await {
        tracing::warn!(%error, "the place index could not be loaded yet; retried on first use");
    }
    let channel: Arc<dyn Channel> = Arc::new(TelegramChannel::new(bot.clone(), files));
    let mut channels = vec![channel];
    channels.extend(crate::serve::channels(beside, &engine));
    let pipeline = Pipeline::start(engine.clone(), channels, metrics.clone(), options);
    Started {
        engine,
        metrics,
        pipeline,
    }
}
