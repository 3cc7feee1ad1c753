//! An in-process fake of the Telegram Bot API, for black-box tests that run
//! the real teloxide dispatcher against `127.0.0.1`.
//!
//! teloxide 0.17 talks to the Bot API like this (see `teloxide-core`'s
//! `net` module):
//!
//! * every method is `POST {api_url}/bot{token}/{methodName}`, with a JSON
//!   body, or a `multipart/form-data` body for methods that can upload files
//!   (`sendPhoto`, `sendDocument`, ... always use multipart, even when the file
//!   is only a `file_id`);
//! * uploaded files are sent as extra multipart parts named by a random id,
//!   and the payload field holds `"attach://<id>"`;
//! * file downloads are `GET {api_url}/file/bot{token}/{file_path}`;
//! * the default polling listener calls `getWebhookInfo` (and `deleteWebhook`
//!   only if a webhook URL is set), the dispatcher calls `getMe`, and then
//!   `getUpdates` is called in a loop with `offset`, `timeout` (10 s) and, on
//!   the first call only, `allowed_updates`. On shutdown teloxide sends one
//!   last `getUpdates` with `limit = 1, timeout = 0` to confirm the offset.
//!
//! Typical use:
//!
//! ```ignore
//! let tg = FakeTelegram::start().await;
//! let bot = tg.bot();                       // or tg.connect(your_bot)
//! // ... spawn the dispatcher with `bot` ...
//! tg.push_update(text_update(1, 42, "/start"));
//! let replies = tg.wait_for_messages(1, DEFAULT_WAIT).await;
//! assert_eq!(replies[0]["text"], "Xin chào!");
//! ```

mod answer;
mod content;
mod inspect;
mod load;
mod multipart;
mod recorded;
mod server;
mod state;
mod updates;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};
use serde_json::Value;
use teloxide::Bot;
use tokio::task::JoinHandle;

pub use recorded::{Recorded, UploadedFile};
use server::{api_call, download};
use state::Shared;
pub use updates::*;

/// Token used by [`FakeTelegram::bot`]. The fake accepts any token.
pub const TEST_TOKEN: &str = "1234567:fake-telegram-token";
/// User id of the bot returned by `getMe` and used as `from` of bot messages.
pub const BOT_ID: i64 = 1_234_567;
pub const BOT_USERNAME: &str = "cnscd_test_bot";
pub const BOT_FIRST_NAME: &str = "cnscd test bot";
/// First name of the user in every update built by the helpers below.
pub const USER_FIRST_NAME: &str = "Test";
/// A generous default for the `wait_for_*` methods.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// A running fake Bot API server. Dropping it stops accepting connections.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTelegram {
    /// Binds `127.0.0.1:0` and serves the fake API on a spawned task.
    pub async fn start() -> FakeTelegram {
        FakeTelegram::serve(true).await
    }

    async fn serve(recording: bool) -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Telegram: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake Telegram: no local address");
        let shared = Arc::new(Shared::default());
        shared.lock().recording = recording;
        let app = Router::new()
            .route("/file/{token}/{*file_path}", get(download))
            .route("/{token}/{method}", post(api_call))
            // Uploads can exceed axum's default 2 MB body limit.
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Telegram server failed");
        });
        FakeTelegram {
            shared,
            addr,
            server,
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:40123/` (usable as `TELOXIDE_API_URL`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// A bot with [`TEST_TOKEN`] that talks to this fake.
    pub fn bot(&self) -> Bot {
        self.connect(Bot::new(TEST_TOKEN))
    }

    /// Points an existing bot at this fake.
    ///
    /// `Bot::set_api_url` takes a `reqwest::Url`, which this crate cannot
    /// name (teloxide does not re-export reqwest or url), so we obtain one by
    /// joining an absolute URL onto the bot's current API URL.
    pub fn connect(&self, bot: Bot) -> Bot {
        let url = bot
            .api_url()
            .join(&self.url())
            .expect("fake Telegram URL is valid");
        bot.set_api_url(url)
    }

    /// Queues an update for `getUpdates`. Updates are delivered in
    /// `update_id` order, so ids must be unique and not yet confirmed.
    pub fn push_update(&self, update: Value) {
        self.shared.lock().queue(update);
        self.shared.notify();
    }

    /// Pushes an update and waits until the bot sent `replies` more messages
    /// (successful `sendMessage` calls); returns just those new messages.
    pub async fn push_and_wait_for_replies(
        &self,
        update: Value,
        replies: usize,
        timeout: Duration,
    ) -> Vec<Value> {
        let before = self.sent_messages().len();
        self.push_update(update);
        let mut all = self.wait_for_messages(before + replies, timeout).await;
        all.split_off(before)
    }

    /// Makes `file_id` known to `getFile` and downloadable.
    pub fn add_file(&self, file_id: &str, bytes: Vec<u8>) {
        self.shared.lock().add_file(file_id, bytes);
    }

    /// From now on, file downloads are held open without an answer (a link that stalls),
    /// until [`FakeTelegram::release_downloads`].
    pub fn hold_downloads(&self) {
        self.shared.downloads_held.send_replace(true);
    }

    /// The downloads held open are answered, and the next ones at once.
    pub fn release_downloads(&self) {
        self.shared.downloads_held.send_replace(false);
    }

    /// File downloads asked for (`GET /file/...`), those held open included.
    pub fn downloads(&self) -> usize {
        self.shared.lock().downloads
    }

    /// Waits until the bot asked for `count` file downloads.
    pub async fn wait_for_downloads(&self, count: usize, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.shared.changes.subscribe();
        while self.downloads() < count {
            let waited = tokio::time::timeout_at(deadline, changes.changed()).await;
            assert!(
                waited.is_ok(),
                "fake Telegram: {} downloads asked for, waiting for {count}",
                self.downloads()
            );
        }
    }

    /// From now on, methods that send to or edit in `chat_id` fail with
    /// Telegram's 403 "Forbidden: bot was blocked by the user".
    pub fn block_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.insert(chat_id);
    }

    pub fn unblock_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.remove(&chat_id);
    }

    /// The next `times` sends to `chat_id` fail with Telegram's 429 "Too Many Requests"
    /// asking to retry after `retry_after` seconds; other chats are not limited.
    pub fn rate_limit_chat(&self, chat_id: i64, retry_after: u32, times: usize) {
        self.shared
            .lock()
            .rate_limited
            .insert(chat_id, (retry_after, times));
    }

    /// Makes the next call of `method` fail with the given error (e.g.
    /// `400, "Bad Request: message is too long"`). Can be queued repeatedly.
    /// Avoid 5xx codes: teloxide sleeps 10 s after a server error.
    pub fn fail_next(&self, method: &str, error_code: u16, description: &str) {
        self.shared
            .lock()
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back((error_code, description.to_owned()));
    }
}
