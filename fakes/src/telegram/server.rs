//! The server: the routes and long polling.

use std::{sync::Arc, time::Duration};

use axum::{
    body::Bytes,
    extract::{Path, State as AxumState},
    http::{header::CONTENT_TYPE, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::answer::{error, ok};
use super::multipart::{multipart_boundary, parse_multipart};
use super::state::Shared;
#[cfg(doc)]
use super::FakeTelegram;
use super::Recorded;

/// Longest time a `getUpdates` call is held open when there is nothing to
/// deliver. teloxide asks for 10 s; we answer sooner so that tests stay fast
/// (a pushed update wakes a waiting call immediately anyway).
const MAX_LONG_POLL: Duration = Duration::from_millis(200);

/// `POST /bot{token}/{method}`.
pub(super) async fn api_call(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (body, files) = match multipart_boundary(content_type) {
        Some(boundary) => parse_multipart(&body, &boundary),
        None if body.is_empty() => (json!({}), Vec::new()),
        None => match serde_json::from_slice(&body) {
            Ok(json) => (json, Vec::new()),
            // Recorded as a string and answered with an error (panicking here
            // would only surface as a connection reset in the bot).
            Err(_) => (
                Value::String(String::from_utf8_lossy(&body).into_owned()),
                Vec::new(),
            ),
        },
    };

    let (status, response) = if !body.is_object() {
        error(
            400,
            "Bad Request: fake Telegram could not parse the request body",
        )
    } else if method.eq_ignore_ascii_case("getUpdates") {
        get_updates(&shared, &body).await
    } else {
        shared.lock().answer(&method, &body, &files)
    };

    let mut state = shared.lock();
    if state.recording {
        state.requests.push(Recorded {
            method,
            body,
            files,
            response: response.clone(),
        });
    }
    drop(state);
    shared.notify();
    (status, Json(response)).into_response()
}

/// `GET /file/bot{token}/{file_path}`.
pub(super) async fn download(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((_token, file_path)): Path<(String, String)>,
) -> Response {
    shared.lock().downloads += 1;
    shared.notify();
    let mut held = shared.downloads_held.subscribe();
    let _ = held.wait_for(|held| !held).await;
    let state = shared.lock();
    let file = state
        .file_paths
        .get(&file_path)
        .and_then(|file_id| state.files.get(file_id));
    match file {
        Some(file) => (StatusCode::OK, file.bytes.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

/// Long-polls for updates, but for at most [`MAX_LONG_POLL`].
pub(super) async fn get_updates(shared: &Shared, body: &Value) -> (StatusCode, Value) {
    let limit = body["limit"]
        .as_u64()
        .map_or(100, |l| usize::try_from(l.clamp(1, 100)).unwrap_or(100));
    let hold = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0)).min(MAX_LONG_POLL);
    let deadline = Instant::now() + hold;
    let mut changes = shared.changes.subscribe();
    {
        let mut state = shared.lock();
        if let Some(allowed) = body["allowed_updates"].as_array() {
            let allowed = allowed.iter().filter_map(Value::as_str).map(str::to_owned);
            state.allowed_updates = Some(allowed.collect());
        }
        if let Some(offset) = body["offset"].as_i64() {
            state.confirm(offset);
        }
    }
    // Confirmation may complete a `wait_until_consumed`.
    shared.notify();

    loop {
        let batch: Vec<Value> = {
            let mut state = shared.lock();
            state.drop_disallowed_updates();
            state.pending.iter().take(limit).cloned().collect()
        };
        if !batch.is_empty() || Instant::now() >= deadline {
            return ok(Value::Array(batch));
        }
        // Wakes on any change (e.g. a pushed update) or at the deadline.
        if let Ok(Err(_)) = tokio::time::timeout_at(deadline, changes.changed()).await {
            return ok(json!([]));
        }
    }
}
