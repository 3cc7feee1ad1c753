//! A Bot API server on 127.0.0.1, lean enough that the benchmark measures the bot and not
//! itself: it answers what teloxide calls at start, hands pushed updates to `getUpdates`,
//! and tells the load generator each time a chat is sent a message.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

/// The longest a `getUpdates` is held when nothing is queued.
const LONG_POLL: Duration = Duration::from_millis(500);

#[derive(Default)]
struct ApiState {
    /// Updates not yet confirmed by a `getUpdates` offset.
    queue: Mutex<VecDeque<Value>>,
    pushed: Notify,
    /// Where to signal a message sent to a chat.
    listeners: Mutex<HashMap<i64, mpsc::UnboundedSender<()>>>,
    next_message_id: AtomicI64,
    next_update_id: AtomicI64,
}

pub struct FakeBotApi {
    pub addr: SocketAddr,
    state: Arc<ApiState>,
    task: JoinHandle<()>,
}

impl FakeBotApi {
    pub async fn start() -> std::io::Result<FakeBotApi> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(ApiState::default());
        let app = Router::new()
            .route("/{token}/{method}", post(method))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "fake Bot API stopped");
            }
        });
        Ok(FakeBotApi { addr, state, task })
    }

    /// The `TELOXIDE_API_URL` of this server.
    pub fn url(&self) -> Result<url::Url, url::ParseError> {
        url::Url::parse(&format!("http://{}/", self.addr))
    }

    /// A new update id, above every id handed out before.
    pub fn next_update_id(&self) -> i64 {
        self.state.next_update_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Queues the update `make` builds for long polling. Its id is taken under the queue's
    /// lock, so the queue stays in id order, as Telegram's does (teloxide confirms with the
    /// last id it got).
    pub fn push_with(&self, make: impl FnOnce(i64) -> Value) {
        let mut queue = lock(&self.state.queue);
        queue.push_back(make(self.next_update_id()));
        drop(queue);
        self.state.pushed.notify_waiters();
    }

    /// Signals on the returned channel every message the bot sends to `chat`.
    pub fn listen(&self, chat: i64) -> mpsc::UnboundedReceiver<()> {
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.state.listeners).insert(chat, tx);
        rx
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn method(
    State(state): State<Arc<ApiState>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> Json<Value> {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let result = match method.to_ascii_lowercase().as_str() {
        "getme" => json!({
            "id": 1_234_567, "is_bot": true, "first_name": "cnscd load", "username": "cnscd_load_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false,
        }),
        "getwebhookinfo" => {
            json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })
        }
        "getupdates" => updates(&state, &body).await,
        "sendmessage" => sent(&state, &body),
        _ => json!(true),
    };
    Json(json!({ "ok": true, "result": result }))
}

async fn updates(state: &ApiState, body: &Value) -> Value {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let take = || {
        let mut queue = lock(&state.queue);
        queue.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
        queue.iter().take(100).cloned().collect::<Vec<_>>()
    };
    let waiting = state.pushed.notified();
    let now = take();
    if !now.is_empty() || body["timeout"].as_u64().unwrap_or(0) == 0 {
        return Value::Array(now);
    }
    let _ = tokio::time::timeout(LONG_POLL, waiting).await;
    Value::Array(take())
}

fn sent(state: &ApiState, body: &Value) -> Value {
    let chat = body["chat_id"]
        .as_i64()
        .or_else(|| body["chat_id"].as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0);
    if let Some(listener) = lock(&state.listeners).get(&chat) {
        let _ = listener.send(());
    }
    let id = state.next_message_id.fetch_add(1, Ordering::Relaxed) + 1;
    json!({
        "message_id": id,
        "date": chrono::Utc::now().timestamp(),
        "chat": { "id": chat, "type": "private", "first_name": "Load" },
        "text": body["text"],
    })
}

/// A text message from user `chat` in their private chat with the bot.
pub fn text_update(update_id: i64, chat: i64, text: &str) -> Value {
    let mut message = json!({
        "message_id": update_id,
        "date": chrono::Utc::now().timestamp(),
        "chat": { "id": chat, "type": "private", "first_name": "Load" },
        "from": { "id": chat, "is_bot": false, "first_name": "Load", "language_code": "vi" },
        "text": text,
    });
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or(text);
        let length = command.encode_utf16().count();
        message["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
    }
    json!({ "update_id": update_id, "message": message })
}
