//! Webhooks: Telegram POSTs each update to our URL. The request is checked for the secret
//! token, run through the same handlers as long polling, and answered only after the engine
//! has committed it:
//!
//! - 200: the update is recorded (or was already, or is of a kind the bot ignores). A crash
//!   after the 200 loses nothing; a redelivery is recognised by its id and applied once.
//! - 503: the engine could not record it (the database is down, …). Nothing of it was
//!   applied, and Telegram delivers it again later; the chat is told once that it need not
//!   send it again (see `OnFailure`). Errors after the commit (refreshing the search index,
//!   a report) are logged by the engine and never make a 503: the update is recorded.
//! - 401: no or a wrong secret token; the body is not even read.
//!
//! teloxide's own webhook listener is not used: it answers 200 before the update is
//! handled, and it sets and deletes the webhook itself, which would unhook every replica
//! when one stops.

use std::collections::VecDeque;
use std::future::Future;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use teloxide::dispatching::UpdateHandler;
use teloxide::types::{Update, UpdateId};
use tokio::net::TcpListener;

use super::incoming::Files;
use super::metrics::{ErrorKind, Metrics};
use super::schema::{self, OnFailure};
use super::startup::Started;
use super::{http, Api, TelegramError, WebhookSecret};
use crate::engine::Engine;

/// The header Telegram puts the secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Updates are a few kilobytes; this only stops a flood.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How many failed update ids a replica remembers, to apologise once per update.
const REMEMBERED_FAILURES: usize = 1024;

/// Where updates arrive and how they are recognised as Telegram's.
#[derive(Debug, Clone)]
pub struct Webhook {
    path: String,
    secret: WebhookSecret,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "the webhook URL's path {0:?} may only contain letters, digits and - . _ ~ / \
         (e.g. https://bot.example.org/telegram/updates)"
    )]
    BadPath(String),
    #[error("the webhook URL's path {0:?} is taken by the health or metrics endpoint")]
    ReservedPath(String),
}

impl Webhook {
    /// The webhook of `url` (the one given to `cnscd webhook set`): updates are served on its
    /// path, whatever its host, since a load balancer or proxy usually stands in front.
    pub fn new(url: &url::Url, secret: WebhookSecret) -> Result<Webhook, WebhookError> {
        let path = url.path().to_owned();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
        if !path.starts_with('/') || !path.chars().all(allowed) {
            return Err(WebhookError::BadPath(path));
        }
        if ["/healthz", "/metrics"].contains(&path.as_str()) {
            return Err(WebhookError::ReservedPath(path));
        }
        Ok(Webhook { path, secret })
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// What a webhook request needs.
struct Hook<R> {
    handler: UpdateHandler<TelegramError>,
    bot: R,
    engine: Engine,
    files: Files,
    metrics: Metrics,
    secret: WebhookSecret,
    failed: Failures,
}

pub(super) async fn run<R: Api>(
    started: &Started,
    bot: R,
    files: Files,
    listener: TcpListener,
    webhook: Webhook,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let hook = Arc::new(Hook {
        handler: schema::schema::<R>(),
        bot,
        engine: started.engine.clone(),
        files,
        metrics: started.metrics.clone(),
        secret: webhook.secret,
        failed: Failures::default(),
    });
    let router = Router::new()
        .route(&webhook.path, post(receive::<R>))
        .with_state(hook)
        .merge(http::ops_routes(started));
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, path = webhook.path, "serving webhooks");
    }
    http::serve_until(listener, router, shutdown)
        .await
        .map_err(TelegramError::Http)
}

/// `POST <path>`: one update.
async fn receive<R: Api>(
    State(hook): State<Arc<Hook<R>>>,
    headers: HeaderMap,
    body: Body,
) -> StatusCode {
    let token = headers.get(SECRET_HEADER).map(|value| value.as_bytes());
    if !hook.secret.matches(token) {
        hook.metrics.unauthorized();
        tracing::warn!("webhook request without the right secret token refused");
        return StatusCode::UNAUTHORIZED;
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "webhook request body could not be read");
            return StatusCode::BAD_REQUEST;
        }
    };
    let update: Update = match serde_json::from_slice(&bytes) {
        Ok(update) => update,
        Err(error) => {
            // 200, not 400: Telegram retries anything but a 2xx, and garbage stays garbage.
            // Only where it broke is logged; the body may hold names and phone numbers.
            hook.metrics.error(ErrorKind::UnreadableUpdate);
            tracing::error!(
                category = ?error.classify(),
                line = error.line(),
                column = error.column(),
                "webhook body is not an update; dropped"
            );
            return StatusCode::OK;
        }
    };
    let id = update.id;
    let on_failure = hook.failed.on_failure(id);
    // A task of its own: if Telegram hangs up, the update is still finished and answered in
    // the chat rather than dropped half-way; a panic costs this request only.
    let task = tokio::spawn(dispatch(Arc::clone(&hook), update, on_failure));
    match task.await {
        Ok(Ok(())) => StatusCode::OK,
        Ok(Err(TelegramError::NotRecorded)) => {
            hook.failed.remember(id, on_failure);
            StatusCode::SERVICE_UNAVAILABLE
        }
        Ok(Err(error)) => {
            // The update is recorded; only a reply was lost (Telegram refused it). Telegram
            // must not deliver it again: it would be a duplicate and answered with nothing.
            tracing::error!(
                ?error,
                update = id.0,
                "update applied, but its replies failed"
            );
            StatusCode::OK
        }
        Err(error) => {
            tracing::error!(%error, update = id.0, "the update's task failed");
            hook.failed.remember(id, on_failure);
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Runs `update` through the handlers; an update they do not handle is fine.
async fn dispatch<R: Api>(
    hook: Arc<Hook<R>>,
    update: Update,
    on_failure: OnFailure,
) -> Result<(), TelegramError> {
    let id = update.id;
    let deps = dptree::deps![
        hook.bot.clone(),
        update,
        hook.engine.clone(),
        hook.files.clone(),
        hook.metrics.clone(),
        on_failure
    ];
    match hook.handler.dispatch(deps).await {
        ControlFlow::Break(result) => result,
        ControlFlow::Continue(_) => {
            tracing::debug!(update = id.0, "update ignored");
            Ok(())
        }
    }
}

/// The ids of updates that failed here lately. Telegram retries a failed update until it is
/// recorded, perhaps many times during an outage; the chat is told once, on the first
/// failure, that it will be handled by itself.
#[derive(Default)]
struct Failures(Mutex<VecDeque<UpdateId>>);

impl Failures {
    fn on_failure(&self, id: UpdateId) -> OnFailure {
        let seen = match self.0.lock() {
            Ok(failed) => failed.contains(&id),
            // A poisoned lock: better a second apology than none.
            Err(_) => false,
        };
        if seen {
            OnFailure::Silent
        } else {
            OnFailure::WillRetry
        }
    }

    fn remember(&self, id: UpdateId, told: OnFailure) {
        if told == OnFailure::Silent {
            return;
        }
        if let Ok(mut failed) = self.0.lock() {
            if failed.len() == REMEMBERED_FAILURES {
                failed.pop_front();
            }
            failed.push_back(id);
        }
    }
}
