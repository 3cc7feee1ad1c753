//! A fake Zalo Bot Platform on 127.0.0.1: `POST /bot<TOKEN>/<method>` answering
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…}` as Zalo does.
//! It queues users' messages for `getUpdates` (one update per answer, a poll that waits in
//! vain answered with 408, refused while a webhook is set), records `sendMessage` (refusing
//! a text over 2,000 characters) and `sendPhoto` (fetching each photo URL, as Zalo does,
//! and refusing one that does not serve a PNG), keeps the webhook `setWebhook` registers
//! and can POST updates to it with its secret token (or a forged one), and can deliver an
//! update again. Files users "sent" are served under `/files/<name>`.

mod handlers;
mod http;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::Notify;

pub use http::request;

/// The bot's token: the fake answers only under it.
pub const TOKEN: &str = "3581947259:fake-zalo-bot-token";
/// Zalo's limit on a message's text.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A message or photo the bot sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub chat_id: String,
    /// The text, or a photo's caption.
    pub text: String,
    /// A photo's URL (`sendPhoto`), and whether fetching it gave a PNG.
    pub photo: Option<(String, bool)>,
}

#[derive(Default)]
struct Inner {
    queued: VecDeque<Value>,
    delivered: Vec<Value>,
    webhook: Option<(String, String)>,
    sent: Vec<Sent>,
    calls: Vec<String>,
    files: HashMap<String, Vec<u8>>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeZaloBot {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    queued_one: Arc<Notify>,
    sent_one: Arc<Notify>,
}

impl FakeZaloBot {
    pub async fn start() -> FakeZaloBot {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Zalo Bot");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let fake = FakeZaloBot {
            base,
            inner: Arc::new(Mutex::new(Inner::default())),
            queued_one: Arc::new(Notify::new()),
            sent_one: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(handlers::call))
            .route("/files/{name}", get(handlers::file))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A private text message from `chat`, as Zalo words the update.
    pub fn text(&self, chat: &str, text: &str) -> Value {
        self.update(
            chat,
            "PRIVATE",
            "message.text.received",
            json!({ "text": text }),
        )
    }

    /// The same said in a group chat the bot is in.
    pub fn group_text(&self, chat: &str, text: &str) -> Value {
        self.update(
            chat,
            "GROUP",
            "message.text.received",
            json!({ "text": text }),
        )
    }

    /// A picture `chat` sent, hosted here as `name`.
    pub fn photo(&self, chat: &str, name: &str, bytes: Vec<u8>) -> Value {
        let url = format!("{}/files/{name}", self.base);
        self.lock().files.insert(name.to_owned(), bytes);
        self.update(
            chat,
            "PRIVATE",
            "message.image.received",
            json!({ "photo": url, "caption": "" }),
        )
    }

    /// A sticker `chat` sent.
    pub fn sticker(&self, chat: &str) -> Value {
        self.update(
            chat,
            "PRIVATE",
            "message.sticker.received",
            json!({ "sticker": "d063f44dc80821567819" }),
        )
    }

    fn update(&self, chat: &str, chat_type: &str, event: &str, extra: Value) -> Value {
        let id = {
            let mut inner = self.lock();
            inner.next_id += 1;
            inner.next_id
        };
        let mut message = json!({
            "message_id": format!("{id:020x}"),
            "chat": { "id": chat, "chat_type": chat_type },
            "from": { "id": chat, "display_name": format!("Người dùng {chat}"), "is_bot": false },
            "date": 1_750_000_000_000_u64 + id,
        });
        if let (Some(message), Some(extra)) = (message.as_object_mut(), extra.as_object()) {
            message.extend(extra.clone());
        }
        json!({ "event_name": event, "message": message })
    }

    /// Queues `update` for the bot's next `getUpdates`.
    pub fn queue(&self, update: Value) {
        self.lock().queued.push_back(update);
        self.queued_one.notify_one();
    }

    /// Whether every queued update was taken by a poll.
    pub fn all_taken(&self) -> bool {
        self.lock().queued.is_empty()
    }

    /// Queues the last update a poll took once more (a delivery repeated).
    pub fn repeat_last(&self) {
        let last = self
            .lock()
            .delivered
            .last()
            .cloned()
            .expect("an update delivered");
        self.queue(last);
    }

    /// The webhook's URL and secret token, once `setWebhook` registered them.
    pub fn webhook(&self) -> Option<(String, String)> {
        self.lock().webhook.clone()
    }

    /// POSTs `update` to the registered webhook with its secret; the HTTP status.
    pub async fn post_webhook(&self, update: &Value) -> u16 {
        let (url, secret) = self.webhook().expect("a webhook set");
        self.post_webhook_with(&url, update, Some(&secret)).await
    }

    /// POSTs `update` to `url` with `secret` (or none) in `X-Bot-Api-Secret-Token`.
    pub async fn post_webhook_with(&self, url: &str, update: &Value, secret: Option<&str>) -> u16 {
        let body = update.to_string();
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(secret) = secret {
            headers.push(("X-Bot-Api-Secret-Token", secret));
        }
        let (status, _) = request("POST", url, &headers, body.as_bytes())
            .await
            .expect("cnscd answers the webhook");
        status
    }

    /// The methods the bot called, in order.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// Everything the bot sent, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// What the bot sent to `chat`, in order.
    pub fn sent_to(&self, chat: &str) -> Vec<Sent> {
        self.lock()
            .sent
            .iter()
            .filter(|s| s.chat_id == chat)
            .cloned()
            .collect()
    }

    /// Waits until at least `count` messages went to `chat`.
    pub async fn wait_for(&self, chat: &str, count: usize) -> Vec<Sent> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.sent_one.notified();
            let sent = self.sent_to(chat);
            if sent.len() >= count {
                return sent;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "chat {chat} got {} messages, not {count}: {sent:?}",
                sent.len()
            );
            let _ = tokio::time::timeout(Duration::from_millis(200), notified).await;
        }
    }
}
