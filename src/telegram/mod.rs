//! Telegram adapter: long polling or webhooks, through the same dptree handlers.
//!
//! - [`schema`]: which updates are handled (private messages and button presses);
//! - [`incoming`]: a Telegram message as an [`Incoming`](crate::conversation::Incoming);
//! - [`outgoing`]: [`Reply`](crate::conversation::Reply)s as HTML messages with inline buttons;
//! - [`commands`]: the command menu, in Vietnamese and English;
//! - [`startup`]: what both modes do first (menu, `getMe`) and run beside the updates (the
//!   outbox worker, forgetting old update ids);
//! - [`polling`]: `getUpdates` through teloxide's dispatcher;
//! - [`webhook`]: an axum server Telegram POSTs updates to, answered only once recorded;
//! - [`http`], [`health`], [`metrics`]: `/healthz` and `/metrics`, in both modes.
//!
//! Every update goes through [`Engine::handle`] with its update id, so an update Telegram
//! delivers again after a crash is applied once.

mod commands;
mod health;
mod http;
mod incoming;
mod metrics;
mod outbox;
mod outgoing;
mod polling;
mod schema;
mod secret;
mod startup;
mod webhook;

use std::future::Future;

use teloxide::adaptors::throttle::Limits;
use teloxide::requests::{Requester, RequesterExt};
use teloxide::{Bot, RequestError};
use tokio::net::TcpListener;

pub use commands::bot_commands;
pub use outbox::{deliver_pending, Delivered};
pub use secret::{SecretError, WebhookSecret};
pub use webhook::{Webhook, WebhookError, SECRET_HEADER};

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

/// How updates reach the bot.
#[derive(Debug)]
pub enum Receive {
    /// The bot asks Telegram (`getUpdates`). With a listener, `/healthz` and `/metrics` are
    /// served on it.
    Polling { listener: Option<TcpListener> },
    /// Telegram POSTs each update to the webhook's path on `listener`, beside `/healthz`
    /// and `/metrics`.
    Webhook {
        listener: TcpListener,
        webhook: Webhook,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("Telegram request failed")]
    Request(#[from] RequestError),
    /// The engine could not record the update (already logged); nothing of it was applied.
    #[error("the update could not be recorded")]
    NotRecorded,
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
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
pub async fn serve(
    engine: Engine,
    bot: Bot,
    options: ServeOptions,
    receive: Receive,
) -> Result<(), TelegramError> {
    serve_receiving_until(engine, bot, options, receive, stop_signal()).await
}

/// Long polling until `shutdown` completes, then finishes the updates in hand and confirms
/// them to Telegram. Fails only when the bot cannot start (wrong token, no network); errors
/// while handling an update are logged and the bot goes on.
pub async fn serve_until(
    engine: Engine,
    bot: Bot,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let receive = Receive::Polling { listener: None };
    serve_receiving_until(engine, bot, options, receive, shutdown).await
}

/// Webhooks on `listener` until `shutdown` completes: then no new connection is accepted,
/// the requests in flight are answered, and the outbox worker stops. Never sets or deletes
/// the webhook at Telegram (`cnscd webhook set` does), so stopping one replica leaves the
/// others receiving.
pub async fn serve_webhook_until(
    engine: Engine,
    bot: Bot,
    options: ServeOptions,
    listener: TcpListener,
    webhook: Webhook,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let receive = Receive::Webhook { listener, webhook };
    serve_receiving_until(engine, bot, options, receive, shutdown).await
}

/// Either mode until `shutdown` completes (see [`serve_until`] and [`serve_webhook_until`]).
pub async fn serve_receiving_until(
    engine: Engine,
    bot: Bot,
    options: ServeOptions,
    receive: Receive,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let files = incoming::Files::new(bot.clone());
    if options.throttle {
        let throttled = bot.throttle(Limits::default());
        run(engine, throttled, files, receive, shutdown).await
    } else {
        run(engine, bot, files, receive, shutdown).await
    }
}

/// One start-up path for both modes; the background workers stop when `started` is dropped,
/// also when this future is (a test that "kills" a replica aborts it).
async fn run<R: Api>(
    engine: Engine,
    bot: R,
    files: incoming::Files,
    receive: Receive,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let started = startup::start(engine, &bot).await;
    match receive {
        Receive::Polling { listener } => {
            polling::run(&started, bot, files, listener, shutdown).await
        }
        Receive::Webhook { listener, webhook } => {
            webhook::run(&started, bot, files, listener, webhook, shutdown).await
        }
    }
}

/// Completes on SIGTERM (how systemd, Docker and Kubernetes stop a service) or SIGINT
/// (Ctrl-C). The handlers are installed at once, not when first polled, so a signal that
/// comes while the bot is still starting stops it cleanly too instead of killing it.
fn stop_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let signals = signal(SignalKind::terminate()).and_then(|term| {
            let interrupt = signal(SignalKind::interrupt())?;
            Ok((term, interrupt))
        });
        async move {
            match signals {
                Ok((mut term, mut interrupt)) => tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = interrupt.recv() => tracing::info!("SIGINT received"),
                },
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                    ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    ctrl_c()
}

async fn ctrl_c() {
    match tokio::signal::ctrl_c().await {
        Ok(()) => tracing::info!("Ctrl-C received"),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}
