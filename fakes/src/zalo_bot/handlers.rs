//! The fake's API methods and hosted files.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::http::request;
use super::{FakeZaloBot, Sent, MAX_TEXT_CHARS, TOKEN};

/// The first bytes of every PNG file.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The longest `getUpdates` wait the fake grants.
const LONGEST_POLL: Duration = Duration::from_secs(60);

fn ok(result: Value) -> Json<Value> {
    Json(json!({ "ok": true, "result": result }))
}

fn error(code: u16, description: &str) -> Json<Value> {
    Json(json!({ "ok": false, "error_code": code, "description": description }))
}

pub(super) async fn call(
    State(fake): State<FakeZaloBot>,
    Path((bot, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> impl IntoResponse {
    if bot != format!("bot{TOKEN}") {
        return (StatusCode::UNAUTHORIZED, error(401, "Unauthorized"));
    }
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    fake.lock().calls.push(method.clone());
    let answer = match method.as_str() {
        "getMe" => ok(json!({
            "id": "4218910366301421314",
            "account_name": "bot.cnscd",
            "account_type": "BASIC",
            "can_join_groups": false,
        })),
        "getUpdates" => get_updates(&fake, &body).await,
        "setWebhook" => set_webhook(&fake, &body),
        "deleteWebhook" => {
            fake.lock().webhook = None;
            ok(json!({ "url": "", "updated_at": 0 }))
        }
        "getWebhookInfo" => {
            let url = fake.lock().webhook.clone().map(|(url, _)| url);
            ok(json!({ "url": url.unwrap_or_default(), "updated_at": 0 }))
        }
        "sendMessage" => send_message(&fake, &body),
        "sendPhoto" => send_photo(&fake, &body).await,
        "sendChatAction" => ok(json!({})),
        _ => error(404, "Not Found"),
    };
    (StatusCode::OK, answer)
}

/// One queued update, waiting up to `timeout` seconds for one.
async fn get_updates(fake: &FakeZaloBot, body: &Value) -> Json<Value> {
    if fake.lock().webhook.is_some() {
        return error(409, "Conflict: webhook is active, use deleteWebhook first");
    }
    let seconds = match &body["timeout"] {
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_u64().unwrap_or(0),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds).min(LONGEST_POLL);
    loop {
        let notified = fake.queued_one.notified();
        {
            let mut inner = fake.lock();
            if let Some(update) = inner.queued.pop_front() {
                inner.delivered.push(update.clone());
                return ok(update);
            }
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return error(408, "Request timeout");
        }
    }
}

fn set_webhook(fake: &FakeZaloBot, body: &Value) -> Json<Value> {
    let url = body["url"].as_str().unwrap_or_default();
    let secret = body["secret_token"].as_str().unwrap_or_default();
    if !url.starts_with("http") || !(8..=256).contains(&secret.chars().count()) {
        return error(400, "Bad Request: url or secret_token invalid");
    }
    fake.lock().webhook = Some((url.to_owned(), secret.to_owned()));
    ok(json!({ "url": url, "updated_at": 0 }))
}

fn send_message(fake: &FakeZaloBot, body: &Value) -> Json<Value> {
    let chat_id = body["chat_id"].as_str().unwrap_or_default();
    let text = body["text"].as_str().unwrap_or_default();
    let length = text.chars().count();
    if chat_id.is_empty() || length == 0 || length > MAX_TEXT_CHARS {
        return error(400, "Bad Request: text must be 1-2000 characters");
    }
    record(
        fake,
        Sent {
            chat_id: chat_id.to_owned(),
            text: text.to_owned(),
            photo: None,
        },
    );
    ok(json!({ "message_id": "sent", "date": 0 }))
}

/// Fetches the photo as Zalo does; a URL that does not give a PNG is refused.
async fn send_photo(fake: &FakeZaloBot, body: &Value) -> Json<Value> {
    let chat_id = body["chat_id"].as_str().unwrap_or_default();
    let url = body["photo"].as_str().unwrap_or_default().to_owned();
    let caption = body["caption"].as_str().unwrap_or_default().to_owned();
    let png = match request("GET", &url, &[], b"").await {
        Ok((200, bytes)) => bytes.starts_with(PNG_SIGNATURE),
        _ => false,
    };
    record(
        fake,
        Sent {
            chat_id: chat_id.to_owned(),
            text: caption,
            photo: Some((url, png)),
        },
    );
    match png {
        true => ok(json!({ "message_id": "photo", "date": 0 })),
        false => error(400, "Bad Request: the photo could not be fetched"),
    }
}

fn record(fake: &FakeZaloBot, sent: Sent) {
    fake.lock().sent.push(sent);
    fake.sent_one.notify_waiters();
}

pub(super) async fn file(
    State(fake): State<FakeZaloBot>,
    Path(name): Path<String>,
) -> impl IntoResponse {
    match fake.lock().files.get(&name) {
        Some(bytes) => (StatusCode::OK, bytes.clone()),
        None => (StatusCode::NOT_FOUND, Vec::new()),
    }
}
