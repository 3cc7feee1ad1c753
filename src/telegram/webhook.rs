//! Webhooks: Telegram POSTs each update to our URL. The request is checked for the secret
//! token, translated as long polling does, recorded in the inbox, and answered only after the
//! record committed:
//!
//! - 200: the update is recorded (or was already, or is of a kind the bot ignores). A crash
//!   after the 200 loses nothing: the inbox holds it, and this replica (or another) applies
//!   it; a redelivery is recognised by its id and kept once.
//! - 503: it could not be recorded (the database is down, …). Telegram delivers it again
//!   later; the chat is told once that it need not send it again.
//! - 401: no or a wrong secret token; the body is not even read. Every refusal is counted
//!   in `cnscd_webhook_unauthorized_total`, but logged at most once a minute: a flood of
//!   guesses must not flood the log.
//! - 408: the body did not arrive within the body-read timeout.
//!
//! Only the webhook's path is served here: `/healthz` and `/metrics` have their own,
//! private, address (see [`crate::ops::http`]).
//!
//! teloxide's own webhook listener is not used: it answers 200 before the update is
//! handled, and it sets and deletes the webhook itself, which would unhook every replica
//! when one stops.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use teloxide::prelude::*;
use teloxide::types::{ChatId, Update, UpdateId};
use tokio::net::TcpListener;

use super::channel::kind_of;
use super::startup::Started;
use super::translate::{translate, translator};
use super::{outgoing, Api, TelegramError, WebhookSecret};
use crate::chat::ChatKey;
use crate::conversation::notices;
use crate::engine::Engine;
use crate::ops::http;
use crate::ops::limits::HttpLimits;
use crate::ops::metrics::{ErrorKind, Metrics, Outcome};
use crate::ops::LogLimit;
use crate::pipeline::Recorder;

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
    translator: dptree::Handler<
        'static,
        Option<super::translate::Translated>,
        teloxide::dispatching::DpHandlerDescription,
    >,
    bot: R,
    engine: Engine,
    recorder: Recorder,
    metrics: Metrics,
    secret: WebhookSecret,
    failed: Failures,
    /// Refused requests are logged at most once a minute.
    refused: LogLimit,
    /// How long a body may take to arrive.
    body_read: Duration,
}

pub(super) async fn run<R: Api>(
    started: &Started,
    bot: R,
    listener: TcpListener,
    webhook: Webhook,
    also: Router,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) -> Result<(), TelegramError> {
    let hook = Arc::new(Hook {
        translator: translator(),
        bot,
        engine: started.engine.clone(),
        recorder: started.pipeline.recorder().clone(),
        metrics: started.metrics.clone(),
        secret: webhook.secret,
        failed: Failures::default(),
        refused: LogLimit::per_minute(),
        body_read: limits.body_read,
    });
    let router = Router::new()
        .route(&webhook.path, post(receive::<R>))
        .with_state(hook)
        .merge(also);
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, path = webhook.path, "serving webhooks");
    }
    http::serve_until(listener, router, limits, shutdown)
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
        if let Some(count) = hook.refused.event(Instant::now()) {
            tracing::warn!(
                count,
                "webhook requests without the right secret token refused (logged once a \
                 minute; all are counted in cnscd_webhook_unauthorized_total)"
            );
        }
        return StatusCode::UNAUTHORIZED;
    }
    let reading = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(hook.body_read, reading).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            tracing::warn!(%error, "webhook request body could not be read");
            return StatusCode::BAD_REQUEST;
        }
        Err(_) => {
            tracing::warn!("webhook request body did not arrive in time");
            return StatusCode::REQUEST_TIMEOUT;
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
    let Some(translated) = translate(&hook.translator, update).await else {
        return StatusCode::OK;
    };
    let chat_id = translated.event.chat_id.clone();
    let started = std::time::Instant::now();
    match hook.recorder.record(vec![translated.event]).await {
        Ok(recorded) => {
            if recorded.duplicates > 0 {
                tracing::info!(update = id.0, "duplicate update ignored");
                hook.metrics
                    .update_handled(Outcome::Duplicate, started.elapsed());
            }
            if let Some(button) = translated.callback_id {
                let answering = hook
                    .bot
                    .answer_callback_query(teloxide::types::CallbackQueryId(button))
                    .send();
                tokio::spawn(async move {
                    if let Err(error) = answering.await {
                        tracing::debug!(kind = kind_of(&error), "could not answer a button press");
                    }
                });
            }
            StatusCode::OK
        }
        Err(_) => {
            hook.metrics.error(ErrorKind::Engine);
            hook.metrics
                .update_handled(Outcome::Failed, started.elapsed());
            if hook.failed.first_failure(id) {
                apologise(&hook, &chat_id).await;
            }
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Tells the chat, once per update, that its message will be handled by itself: Telegram
/// delivers it again, so asking to send it again would apply it twice. Sent directly: the
/// database that would queue it is what failed.
async fn apologise<R: Api>(hook: &Hook<R>, chat_id: &str) {
    let Ok(chat) = chat_id.parse::<i64>() else {
        return;
    };
    let key = ChatKey::new(super::CHANNEL, chat_id.to_owned());
    let lang = match hook.engine.session(&key).await {
        Ok(session) => session.lang,
        Err(_) => crate::i18n::Lang::default(),
    };
    let apology = notices::internal_error_will_retry(hook.engine.texts(), lang);
    if let Err(error) = outgoing::send_part(&hook.bot, ChatId(chat), &apology).await {
        tracing::warn!(
            kind = kind_of(&error),
            "the apology could not be sent either"
        );
    }
}

/// The ids of updates that failed here lately. Telegram retries a failed update until it is
/// recorded, perhaps many times during an outage; the chat is told once.
#[derive(Default)]
struct Failures(Mutex<VecDeque<UpdateId>>);

impl Failures {
    /// `true` the first time `id` fails here.
    fn first_failure(&self, id: UpdateId) -> bool {
        // A poisoned lock: better a second apology than none.
        let Ok(mut failed) = self.0.lock() else {
            return true;
        };
        if failed.contains(&id) {
            return false;
        }
        if failed.len() == REMEMBERED_FAILURES {
            failed.pop_front();
        }
        failed.push_back(id);
        true
    }
}
