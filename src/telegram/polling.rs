//! Long polling: teloxide's dispatcher asks Telegram for updates (`getUpdates`) and runs
//! them through the handlers, one chat at a time in order.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::types::Update;
use teloxide::update_listeners;
use teloxide::RequestError;
use tokio::net::TcpListener;

use super::http::OpsServer;
use super::incoming::Files;
use super::schema::{self, OnFailure};
use super::startup::Started;
use super::{Api, TelegramError};

pub(super) async fn run<R: Api>(
    started: &Started,
    bot: R,
    files: Files,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let ops = listener.map(|listener| OpsServer::spawn(listener, started));
    let deps = dptree::deps![
        started.engine.clone(),
        files,
        started.metrics.clone(),
        // The dispatcher confirms every update, failed or not: it will not come back.
        OnFailure::AskToRetry
    ];
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema::schema::<R>())
        .dependencies(deps)
        .default_handler(|update: Arc<Update>| async move {
            // Never log the update itself: it holds names and phone numbers.
            tracing::debug!(update = update.id.0, "update ignored");
        })
        .error_handler(Arc::new(|error: TelegramError| async move {
            match error {
                TelegramError::NotRecorded => {} // logged where it happened
                error => tracing::error!(?error, "update failed"),
            }
        }))
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
    if let Some(ops) = ops {
        ops.stop().await;
    }
    Ok(result?)
}

/// Asks the dispatcher to stop once `shutdown` completes. A dispatcher still starting
/// refuses; it is asked again until it accepts.
async fn stop_when(shutdown: impl Future<Output = ()>, token: &ShutdownToken) {
    shutdown.await;
    while token.shutdown().is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
