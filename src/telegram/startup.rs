//! What long polling and webhooks share: the command menu and the bot's username at start,
//! then the outbox worker and the housekeeping that forgets old update ids, for as long as
//! the adapter runs.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::metrics::Metrics;
use super::{commands, outbox, Api, CHANNEL};
use crate::engine::Engine;

/// A started adapter: the engine knows the bot's username, the metrics count, the workers
/// run until this is dropped.
pub(super) struct Started {
    pub engine: Engine,
    pub metrics: Metrics,
    _workers: Workers,
}

/// Background tasks, aborted on drop: a replica stopped (or killed in a test) leaves none
/// behind.
struct Workers(Vec<JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

pub(super) async fn start<R: Api>(engine: Engine, bot: &R) -> Started {
    if let Err(error) = commands::set_commands(bot, engine.texts()).await {
        // The menu is a convenience: a bot without it still works.
        tracing::warn!(%error, "could not set the command menu");
    }
    // Invitations made in chat link to the bot by its username.
    let engine = match bot.get_me().await {
        Ok(me) => match me.username.clone() {
            Some(username) => engine.with_bot_username(username),
            None => engine,
        },
        Err(error) => {
            tracing::warn!(%error, "getMe failed; invitations made in chat will show codes only");
            engine
        }
    };
    let metrics = Metrics::new();
    let workers = Workers(vec![
        tokio::spawn(outbox::run(bot.clone(), engine.clone(), metrics.clone())),
        tokio::spawn(forget_old_updates(engine.clone())),
    ]);
    Started {
        engine,
        metrics,
        _workers: workers,
    }
}

/// Telegram keeps an undelivered update for 24 hours and may reuse ids after a week of
/// silence, so the ids of applied updates are forgotten after two days.
async fn forget_old_updates(engine: Engine) {
    loop {
        let before = engine.now() - chrono::Duration::days(2);
        match engine
            .store()
            .forget_processed_updates(CHANNEL, before)
            .await
        {
            Ok(forgotten) if forgotten > 0 => tracing::info!(forgotten, "old update ids forgotten"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not forget old update ids"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
