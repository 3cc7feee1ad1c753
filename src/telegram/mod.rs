//! Telegram adapter: long polling or webhooks. It only translates: every update is recorded
//! in the inbox of [`crate::pipeline`] before Telegram is told it was received, and replies
//! come back through the pipeline's outbox sender.
//!
//! - [`translate`]: which updates are handled (private messages and button presses, by a
//!   dptree tree) and what they become;
//! - [`channel`]: sending one part of a reply and fetching a file, Telegram's errors read;
//! - [`outgoing`]: [`Reply`](crate::conversation::Reply)s as HTML messages with inline buttons;
//! - [`commands`]: the command menu, in Vietnamese and English;
//! - [`startup`]: what both modes do first (menu, `getMe`) and the pipeline beside them;
//! - [`polling`]: cnscd's own `getUpdates` loop, confirming an offset once recorded;
//! - [`webhook`]: an axum server Telegram POSTs updates to, answered only once recorded.
//!
//! An update Telegram delivers again after a crash is recorded and applied once.

mod channel;
mod commands;
mod outgoing;
mod polling;
mod secret;
mod startup;
mod translate;
mod webhook;

use std::future::Future;

use teloxide::adaptors::throttle::Limits;
use teloxide::requests::{Requester, RequesterExt};
use teloxide::{Bot, RequestError};
use tokio::net::TcpListener;

pub use commands::bot_commands;
pub use secret::{SecretError, WebhookSecret};
pub use webhook::{Webhook, WebhookError, SECRET_HEADER};

use std::sync::Arc;

use crate::chat::ChannelName;
use crate::engine::Engine;
use crate::ops::http::{self, OpsServer};
use crate::ops::limits::HttpLimits;
use crate::ops::metrics::Metrics;
use crate::pipeline::PipelineOptions;
use crate::serve::{ServedChannel, Serving};

/// The channel name of Telegram chats in [`crate::chat::ChatKey`].
pub const CHANNEL: ChannelName = ChannelName::Telegram;

/// How the Telegram adapter runs.
#[derive(Clone)]
pub struct ServeOptions {
    /// Respect Telegram's rate limits (teloxide's `Throttle`): on in production; tests turn
    /// it off because its one message per second and chat makes them slow.
    pub throttle: bool,
    /// This replica's name in the inbox and outbox (see [`PipelineOptions`]).
    pub pipeline: PipelineOptions,
    /// Timeouts and the connection cap of the webhook and ops servers.
    pub http: HttpLimits,
    /// Channels served beside Telegram on the same pipeline and public listener (Zalo).
    pub beside: Vec<Arc<dyn ServedChannel>>,
    /// What `/metrics` shows; shared with the channels beside (their token refreshes).
    pub metrics: Metrics,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            throttle: true,
            pipeline: PipelineOptions::default(),
            http: HttpLimits::default(),
            beside: Vec::new(),
            metrics: Metrics::new(),
        }
    }
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("throttle", &self.throttle)
            .field("pipeline", &self.pipeline)
            .field("beside", &self.beside.len())
            .finish()
    }
}

use crate::serve::STOP_WITHIN;

/// How updates reach the bot.
#[derive(Debug)]
pub enum Receive {
    /// The bot asks Telegram (`getUpdates`). With a listener, `/healthz` and `/metrics` are
    /// served on it; the webhooks of the channels beside Telegram (Zalo) on `public`.
    Polling {
        listener: Option<TcpListener>,
        public: Option<TcpListener>,
    },
    /// Telegram POSTs each update to the webhook's path on `listener`; `/healthz` and
    /// `/metrics` are served on `ops` if given, never on `listener` (which is public).
    Webhook {
        listener: TcpListener,
        webhook: Webhook,
        ops: Option<TcpListener>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("Telegram request failed")]
    Request(#[from] RequestError),
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
    serve_receiving_until(engine, bot, options, receive, crate::serve::stop_signal()).await
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
    let receive = Receive::Polling {
        listener: None,
        public: None,
    };
    serve_receiving_until(engine, bot, options, receive, shutdown).await
}

/// Webhooks on `listener` (without `/healthz` and `/metrics`) until `shutdown` completes: then no new connection is accepted,
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
    let receive = Receive::Webhook {
        listener,
        webhook,
        ops: None,
    };
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
    let files = channel::files_bot(&bot);
    if options.throttle {
        let throttled = bot.throttle(Limits::default());
        run(engine, throttled, files, options, receive, shutdown).await
    } else {
        run(engine, bot, files, options, receive, shutdown).await
    }
}

/// One start-up path for both modes. Stopping: no new updates are taken, the round in hand
/// is finished and the outbox flushed, within [`STOP_WITHIN`]. If this future is dropped
/// instead (a test that "kills" a replica aborts it), the pipeline's tasks stop at once.
async fn run<R: Api>(
    engine: Engine,
    bot: R,
    files: Bot,
    options: ServeOptions,
    receive: Receive,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let beside = options.beside;
    let started = startup::start(
        engine,
        &bot,
        files,
        options.pipeline,
        &beside,
        options.metrics,
    )
    .await;
    let limits = options.http;
    let serving = Serving {
        engine: started.engine.clone(),
        recorder: started.pipeline.recorder().clone(),
        metrics: started.metrics.clone(),
        limits: limits.clone(),
    };
    let tasks: Vec<_> = beside.iter().flat_map(|c| c.background(&serving)).collect();
    let also = crate::serve::routes(&beside, &serving);
    let (ops, result) = match receive {
        Receive::Polling { listener, public } => {
            let ops = listener.map(|ops| ops_server(ops, &started, limits.clone()));
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let public = public.map(|public| {
                tokio::spawn(http::serve_until(public, also, limits, async move {
                    let _ = stopped.await;
                }))
            });
            let polled = polling::run(&started, bot, shutdown).await;
            let _ = stop.send(());
            if let Some(Ok(Err(error))) = match public {
                Some(task) => Some(task.await),
                None => None,
            } {
                tracing::warn!(%error, "the webhook server failed");
            }
            (ops, polled)
        }
        Receive::Webhook {
            listener,
            webhook,
            ops,
        } => {
            let ops = ops.map(|ops| ops_server(ops, &started, limits.clone()));
            let served =
                webhook::run(&started, bot, listener, webhook, also, limits, shutdown).await;
            (ops, served)
        }
    };
    if let Some(ops) = ops {
        ops.stop().await;
    }
    for task in tasks {
        task.abort();
    }
    tracing::info!("stopping: finishing the steps in hand and sending their replies");
    started.pipeline.shutdown(STOP_WITHIN).await;
    result
}

/// `/healthz` and `/metrics` on `listener`, in a task of their own.
fn ops_server(listener: TcpListener, started: &startup::Started, limits: HttpLimits) -> OpsServer {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "serving /healthz and /metrics");
    }
    OpsServer::spawn(listener, &started.engine, &started.metrics, limits)
}
