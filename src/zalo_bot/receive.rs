//! The Zalo Bot's messages coming in, both ways recording into the pipeline's inbox through
//! its [`Recorder`] before anything else:
//! - long polling: a loop of `getUpdates` (one update per answer, no offset to confirm), with
//!   a backoff while Zalo or the database fails; it runs among the channel's background tasks
//!   and stops with them;
//! - webhook: `POST <path of ZALO_BOT_WEBHOOK_URL>` on the public listener, taken only with
//!   the secret token in `X-Bot-Api-Secret-Token` (compared in constant time): 401 without
//!   it, nothing recorded; 200 once recorded (or recorded before: a repeated POST); 503 when
//!   it could not be, so Zalo sends it again.
//!
//! Either way a message's `message_id` is its event id: delivered twice, it is applied once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::api::ZaloBotApi;
use super::update::translate;
use crate::ops::metrics::{ErrorKind, Metrics, Outcome};
use crate::ops::LogLimit;
use crate::pipeline::Recorder;
use crate::secrets::Secret;
use crate::storage::inbox::NewEvent;

/// The header Zalo sends the webhook's secret token in.
pub const SECRET_HEADER: &str = "x-bot-api-secret-token";

/// How long one `getUpdates` waits for a message.
pub const POLL_WAIT: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const LAST_BACKOFF: Duration = Duration::from_secs(60);

/// Updates are a few kilobytes.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The update of a poll answer or a webhook body: Zalo's `{event_name, message}`, or the
/// same inside `result`.
fn update_of(body: Value) -> Value {
    match body.get("result") {
        Some(result) if result.is_object() => result.clone(),
        _ => body,
    }
}

/// Asks Zalo for messages until the task is stopped.
pub async fn poll_forever(api: ZaloBotApi, recorder: Recorder, metrics: Metrics) {
    let mut backoff = FIRST_BACKOFF;
    let failures = LogLimit::per_minute();
    loop {
        match api.get_updates(POLL_WAIT).await {
            Ok(None) => backoff = FIRST_BACKOFF,
            Ok(Some(update)) => {
                backoff = FIRST_BACKOFF;
                match translate(&update_of(update)) {
                    Ok(Some(event)) => record_until_done(&recorder, event, &metrics).await,
                    Ok(None) => {}
                    Err(error) => {
                        metrics.error(ErrorKind::UnreadableUpdate);
                        tracing::error!(line = error.line(), "unreadable Zalo Bot update");
                    }
                }
            }
            Err(error) => {
                if let Some(count) = failures.event(Instant::now()) {
                    tracing::warn!(%error, count, "Zalo Bot's getUpdates failed; retrying");
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(LAST_BACKOFF);
            }
        }
    }
}

/// An update taken from `getUpdates` is not offered again: it is recorded, however long the
/// database takes to come back.
async fn record_until_done(recorder: &Recorder, event: NewEvent, metrics: &Metrics) {
    let mut backoff = FIRST_BACKOFF;
    let started = Instant::now();
    loop {
        match recorder.record(vec![event.clone()]).await {
            Ok(recorded) => {
                if recorded.duplicates > 0 {
                    metrics.update_handled(Outcome::Duplicate, started.elapsed());
                }
                return;
            }
            Err(_) => {
                metrics.error(ErrorKind::Engine);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(LAST_BACKOFF);
            }
        }
    }
}

/// What the webhook's requests need.
pub struct Hook {
    secret: Secret,
    recorder: Recorder,
    metrics: Metrics,
    body_read: Duration,
    refused: LogLimit,
}

impl Hook {
    /// `body_read`: how long a request's body may take to come in.
    pub fn new(secret: Secret, recorder: Recorder, metrics: Metrics, body_read: Duration) -> Hook {
        Hook {
            secret,
            recorder,
            metrics,
            body_read,
            refused: LogLimit::per_minute(),
        }
    }
}

/// The webhook's route at `path`.
pub fn router(path: &str, hook: Arc<Hook>) -> Router {
    Router::new().route(path, post(receive)).with_state(hook)
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Body) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(hook.secret.expose().as_bytes())) {
        hook.metrics.unauthorized();
        if let Some(count) = hook.refused.event(Instant::now()) {
            tracing::warn!(
                count,
                "Zalo Bot webhook requests without the secret token refused (logged once a \
                 minute; all are counted in cnscd_webhook_unauthorized_total)"
            );
        }
        return StatusCode::UNAUTHORIZED;
    }
    let reading = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(hook.body_read, reading).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return StatusCode::BAD_REQUEST,
        Err(_) => return StatusCode::REQUEST_TIMEOUT,
    };
    let event = serde_json::from_slice::<Value>(&bytes).and_then(|v| translate(&update_of(v)));
    let event = match event {
        Ok(Some(event)) => event,
        Ok(None) => return StatusCode::OK,
        Err(error) => {
            // From Zalo (the secret says so), yet unreadable: 200, or it comes back forever.
            hook.metrics.error(ErrorKind::UnreadableUpdate);
            tracing::error!(line = error.line(), "unreadable Zalo Bot update");
            return StatusCode::OK;
        }
    };
    let started = Instant::now();
    match hook.recorder.record(vec![event]).await {
        Ok(recorded) => {
            if recorded.duplicates > 0 {
                hook.metrics
                    .update_handled(Outcome::Duplicate, started.elapsed());
            }
            StatusCode::OK
        }
        Err(_) => {
            hook.metrics.error(ErrorKind::Engine);
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
