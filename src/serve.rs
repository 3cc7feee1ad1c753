//! Serving every configured channel on one pipeline. Telegram receives by long polling or
//! by webhook ([`crate::telegram`]); every other channel of [`crate::channels`] is a
//! [`ServedChannel`]: its routes join the public listener, its background tasks (a
//! long-polling loop, a token kept fresh) run beside the pipeline, its [`Channel`] joins the
//! pipeline. With Telegram configured, its adapter drives the process and serves these
//! beside it; without, [`serve_webhooks_until`] does.

use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use futures::future::BoxFuture;
use tokio::net::TcpListener;

use crate::engine::Engine;
use crate::ops::http::{self, OpsServer};
use crate::ops::limits::HttpLimits;
use crate::ops::metrics::Metrics;
use crate::pipeline::{Channel, Pipeline, PipelineOptions, Recorder};

/// How long a stop may take: the round in hand finished, the outbox flushed.
pub const STOP_WITHIN: Duration = Duration::from_secs(8);

/// What a webhook route needs of the running pipeline.
#[derive(Clone)]
pub struct Serving {
    pub engine: Engine,
    pub recorder: Recorder,
    pub metrics: Metrics,
    pub limits: HttpLimits,
}

/// A channel served beside the others: by webhook on the public listener, or by a loop of
/// its own among its background tasks.
pub trait ServedChannel: Send + Sync {
    /// Its channel, for the pipeline's worker and sender.
    fn channel(&self, engine: &Engine) -> Arc<dyn Channel>;

    /// Its public routes (never `/healthz` nor `/metrics`); none for a channel that only
    /// polls.
    fn routes(&self, serving: &Serving) -> Router;

    /// Work it runs beside the pipeline while serving (a long-polling loop, a token kept
    /// fresh…), stopped with it.
    fn background(&self, serving: &Serving) -> Vec<tokio::task::JoinHandle<()>> {
        let _ = serving;
        Vec::new()
    }
}

/// What starting a channel is given.
pub struct Starting<'a> {
    /// The engine, already told what every channel must make known ([`Configured::prepare`]).
    pub engine: &'a Engine,
    /// This replica's name (the inbox's and outbox's owner).
    pub owner: &'a str,
    /// What `/metrics` shows.
    pub metrics: &'a Metrics,
}

/// A channel whose settings are given and checked, not started yet.
pub trait Configured: Send {
    /// What the engine must know of the channel: the window in which it may write to a chat,
    /// invitations typed as codes…
    fn prepare(&self, engine: Engine) -> Engine {
        engine
    }

    /// The channel, started (its tokens set up, its bot checked with the platform).
    fn start<'a>(
        self: Box<Self>,
        starting: Starting<'a>,
    ) -> BoxFuture<'a, Result<Arc<dyn ServedChannel>, ChannelError>>;
}

/// Why a configured channel cannot be served; the message says what to set.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// Its settings are missing or contradict each other.
    #[error(transparent)]
    Settings(Box<dyn Error + Send + Sync>),
    /// It could not start.
    #[error("Failed to set up {what}")]
    Start {
        what: &'static str,
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
}

impl ChannelError {
    pub fn settings(error: impl Into<Box<dyn Error + Send + Sync>>) -> ChannelError {
        ChannelError::Settings(error.into())
    }

    /// `what` (a channel's part: its tokens, its bot) could not be set up.
    pub fn start(
        what: &'static str,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> ChannelError {
        ChannelError::Start {
            what,
            source: source.into(),
        }
    }
}

/// The routes of `channels` in one router.
pub fn routes(channels: &[Arc<dyn ServedChannel>], serving: &Serving) -> Router {
    channels.iter().fold(Router::new(), |router, channel| {
        router.merge(channel.routes(serving))
    })
}

/// The channels of `beside` as the pipeline takes them.
pub fn channels(beside: &[Arc<dyn ServedChannel>], engine: &Engine) -> Vec<Arc<dyn Channel>> {
    beside.iter().map(|c| c.channel(engine)).collect()
}

/// The served channels only (no Telegram) until `shutdown` completes: their routes on
/// `public`, `/healthz` and `/metrics` (of `metrics`) on `ops`.
#[allow(clippy::too_many_arguments)]
pub async fn serve_webhooks_until(
    engine: Engine,
    beside: Vec<Arc<dyn ServedChannel>>,
    public: TcpListener,
    ops: Option<TcpListener>,
    pipeline: PipelineOptions,
    limits: HttpLimits,
    metrics: Metrics,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    if let Err(error) = engine.index().await {
        tracing::warn!(%error, "the place index could not be loaded yet; retried on first use");
    }
    let running = Pipeline::start(
        engine.clone(),
        channels(&beside, &engine),
        metrics.clone(),
        pipeline,
    );
    let serving = Serving {
        engine: engine.clone(),
        recorder: running.recorder().clone(),
        metrics: metrics.clone(),
        limits: limits.clone(),
    };
    let tasks: Vec<_> = beside.iter().flat_map(|c| c.background(&serving)).collect();
    let ops = ops.map(|listener| OpsServer::spawn(listener, &engine, &metrics, limits.clone()));
    if let Ok(address) = public.local_addr() {
        tracing::info!(%address, "serving webhooks");
    }
    let served = http::serve_until(public, routes(&beside, &serving), limits, shutdown).await;
    if let Some(ops) = ops {
        ops.stop().await;
    }
    for task in tasks {
        task.abort();
    }
    tracing::info!("stopping: finishing the steps in hand and sending their replies");
    running.shutdown(STOP_WITHIN).await;
    served
}

/// Completes on SIGTERM (how systemd, Docker and Kubernetes stop a service) or SIGINT
/// (Ctrl-C). The handlers are installed at once, not when first polled, so a signal that
/// comes while the bot is still starting stops it cleanly too instead of killing it.
pub fn stop_signal() -> impl Future<Output = ()> {
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
