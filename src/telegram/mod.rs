//! Telegram adapter: long polling through teloxide.
//!
//! - [`schema`]: which updates are handled (private messages and button presses);
//! - [`incoming`]: a Telegram message as an [`Incoming`](crate::conversation::Incoming);
//! - [`outgoing`]: [`Reply`](crate::conversation::Reply)s as HTML messages with inline buttons;
//! - [`commands`]: the command menu, in Vietnamese and English.
//!
//! Every update goes through [`Engine::handle`] with its update id, so an update Telegram
//! delivers again after a crash is applied once.

mod commands;
mod incoming;
mod outbox;
mod outgoing;
mod schema;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::requests::{Requester, RequesterExt};
use teloxide::types::Update;
use teloxide::update_listeners;
use teloxide::{Bot, RequestError};

pub use commands::bot_commands;
pub use outbox::deliver_pending;

use crate::engine::Engine;

/// The channel name of Telegram chats in [`crate::engine::ChatKey`].
pub const CHANNEL: &str = "telegram";

/// How the Telegram adapter runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Respect Telegram's rate limits (teloxide's `Throttle`): on in production; tests turn
    /// it off because its one message per second and chat makes them slow.
    pub throttle: bool,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions { throttle: true }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("Telegram request failed")]
    Request(#[from] RequestError),
}

/// What the handlers need of a bot: plain [`Bot`] in tests, `Throttle<Bot>` in production.
pub trait Api:
    Requester<Err = RequestError, GetUpdates: Send> + Clone + Send + Sync + 'static
{
}

impl<R> Api for R where
    R: Requester<Err = RequestError, GetUpdates: Send> + Clone + Send + Sync + 'static
{
}

/// Runs the bot until SIGINT or SIGTERM.
pub async fn serve(engine: Engine, bot: Bot, options: ServeOptions) -> Result<(), TelegramError> {
    serve_until(engine, bot, options, terminated()).await
}

/// Runs the bot until SIGINT or until `shutdown` completes, then finishes the updates in hand
/// and confirms them to Telegram. Fails only when the bot cannot start (wrong token, no
/// network); errors while handling an update are logged and the bot goes on.
pub async fn serve_until(
    engine: Engine,
    bot: Bot,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let files = incoming::Files::new(bot.clone());
    if options.throttle {
        let throttled = bot.throttle(Limits::default());
        run(engine, throttled, files, shutdown).await
    } else {
        run(engine, bot, files, shutdown).await
    }
}

async fn run<R: Api>(
    engine: Engine,
    bot: R,
    files: incoming::Files,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    if let Err(error) = commands::set_commands(&bot, engine.texts()).await {
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
    let outbox = tokio::spawn(outbox::run(bot.clone(), engine.clone()));
    let housekeeping = tokio::spawn(forget_old_updates(engine.clone()));
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::schema::<R>())
        .dependencies(dptree::deps![engine, files])
        .default_handler(|update: Arc<Update>| async move {
            // Never log the update itself: it holds names and phone numbers.
            tracing::debug!(update = update.id.0, "update ignored");
        })
        .error_handler(Arc::new(|error: TelegramError| async move {
            tracing::error!(?error, "update failed");
        }))
        .enable_ctrlc_handler()
        .build();
    let token = dispatcher.shutdown_token();
    let listener = update_listeners::polling_default(bot).await;
    // Polling retries by itself, with a backoff.
    let errors = Arc::new(|error: RequestError| async move {
        tracing::warn!(%error, "polling Telegram failed");
    });
    let mut dispatching = std::pin::pin!(dispatcher.try_dispatch_with_listener(listener, errors));
    let result = tokio::select! {
        result = &mut dispatching => result,
        () = stop_when(shutdown, &token) => {
            tracing::info!("stopping: finishing the updates in hand");
            dispatching.await
        }
    };
    outbox.abort();
    housekeeping.abort();
    Ok(result?)
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

/// Asks the dispatcher to stop once `shutdown` completes. A dispatcher still starting
/// refuses; it is asked again until it accepts.
async fn stop_when(shutdown: impl Future<Output = ()>, token: &ShutdownToken) {
    shutdown.await;
    while token.shutdown().is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Completes on SIGTERM (how systemd and Docker stop a service).
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
                tracing::info!("SIGTERM received");
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot listen for SIGTERM"),
        }
    }
    std::future::pending::<()>().await;
}
