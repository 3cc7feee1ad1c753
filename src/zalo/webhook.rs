//! `POST /zalo/webhook`: Zalo's events, checked and recorded before they are acknowledged.
//!
//! - 401: no signature, a wrong one, another app's event, or one older than the configured
//!   window; nothing is recorded. Refusals are counted, logged at most once a minute.
//! - 200: the event is recorded (or was before: Zalo retries an unanswered event, and a
//!   replayed `msg_id` is kept once), or it is one the bot does not answer.
//! - 503: it could not be recorded; Zalo sends it again later.
//!
//! Zalo waits about two seconds for the answer: the path does nothing but check, translate
//! and record (one commit shared with the requests arriving at the same time).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;

use super::event::{translate, Translated};
use super::signature::{Verifier, SIGNATURE_HEADER};
use super::CHANNEL;
use crate::engine::Engine;
use crate::ops::metrics::{ErrorKind, Metrics, Outcome};
use crate::ops::LogLimit;
use crate::pipeline::Recorder;
use crate::zalo::config::SiteVerification;

/// Where Zalo posts events; entered in the app's webhook settings at developers.zalo.me.
pub const WEBHOOK_PATH: &str = "/zalo/webhook";

/// Events are a few kilobytes.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// What a request needs.
pub struct Hook {
    verifier: Verifier,
    recorder: Recorder,
    engine: Engine,
    metrics: Metrics,
    refused: LogLimit,
    body_read: Duration,
}

impl Hook {
    pub fn new(
        verifier: Verifier,
        recorder: Recorder,
        engine: Engine,
        metrics: Metrics,
        body_read: Duration,
    ) -> Hook {
        Hook {
            verifier,
            recorder,
            engine,
            metrics,
            refused: LogLimit::per_minute(),
            body_read,
        }
    }
}

/// `GET /<file name>`: Zalo's domain-verification file, as configured
/// (`ZALO_VERIFICATION_FILE`). Zalo fetches it from the webhook's domain before it sends
/// events there.
pub fn verification_router(file: SiteVerification) -> Router {
    let path = format!("/{}", file.name);
    let content = Arc::new(file.content);
    Router::new().route(
        &path,
        get(move || {
            let content = Arc::clone(&content);
            async move {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    content.as_str().to_owned(),
                )
            }
        }),
    )
}

/// The webhook's route.
pub fn router(hook: Arc<Hook>) -> Router {
    Router::new()
        .route(WEBHOOK_PATH, post(receive))
        .with_state(hook)
}

async fn receive(State(hook): State<Arc<Hook>>, headers: HeaderMap, body: Body) -> StatusCode {
    let reading = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let bytes = match tokio::time::timeout(hook.body_read, reading).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return StatusCode::BAD_REQUEST,
        Err(_) => return StatusCode::REQUEST_TIMEOUT,
    };
    let signature = headers.get(SIGNATURE_HEADER).map(|v| v.as_bytes());
    if let Err(why) = hook.verifier.check(signature, &bytes, chrono::Utc::now()) {
        hook.metrics.unauthorized();
        if let Some(count) = hook.refused.event(Instant::now()) {
            tracing::warn!(
                count,
                %why,
                "Zalo webhook requests refused (logged once a minute; all are counted in \
                 cnscd_webhook_unauthorized_total)"
            );
        }
        return StatusCode::UNAUTHORIZED;
    }
    let translated = match translate(&bytes) {
        Ok(translated) => translated,
        Err(error) => {
            // Signed, yet not an event we can read: 200, or Zalo retries it forever.
            hook.metrics.error(ErrorKind::UnreadableUpdate);
            tracing::error!(
                line = error.line(),
                column = error.column(),
                "unreadable Zalo event"
            );
            return StatusCode::OK;
        }
    };
    let started = Instant::now();
    match translated {
        Translated::Ignored => StatusCode::OK,
        Translated::Unfollowed { chat_id } => {
            let store = hook.engine.store();
            match store
                .mark_chat_blocked(CHANNEL.as_str(), &chat_id, chrono::Utc::now())
                .await
            {
                Ok(()) => StatusCode::OK,
                Err(error) => {
                    tracing::warn!(%error, "an unfollow could not be recorded");
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }
        }
        Translated::Event(event) => match hook.recorder.record(vec![event]).await {
            Ok(recorded) => {
                if recorded.duplicates > 0 {
                    hook.metrics
                        .update_handled(Outcome::Duplicate, started.elapsed());
                }
                StatusCode::OK
            }
            Err(_) => {
                hook.metrics.error(ErrorKind::Engine);
                hook.metrics
                    .update_handled(Outcome::Failed, started.elapsed());
                StatusCode::SERVICE_UNAVAILABLE
            }
        },
    }
}
