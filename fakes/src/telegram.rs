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

use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State as AxumState},
    http::{header::CONTENT_TYPE, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Map, Value};
use teloxide::{
    types::{Update, UpdateKind},
    Bot,
};
use tokio::{sync::watch, task::JoinHandle, time::Instant};

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

/// Longest time a `getUpdates` call is held open when there is nothing to
/// deliver. teloxide asks for 10 s; we answer sooner so that tests stay fast
/// (a pushed update wakes a waiting call immediately anyway).
const MAX_LONG_POLL: Duration = Duration::from_millis(200);
/// Message ids assigned to messages sent by the bot start here, so they are
/// easy to tell apart from the ids of incoming messages built by the helpers.
const FIRST_BOT_MESSAGE_ID: i64 = 100_000;
/// What Telegram delivers when `allowed_updates` was never specified.
const DEFAULT_EXCLUDED_UPDATES: [&str; 3] =
    ["chat_member", "message_reaction", "message_reaction_count"];

/// One Bot API call received by the fake.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Method name as sent by teloxide, e.g. `sendMessage`.
    pub method: String,
    /// The JSON body. For multipart requests: an object of the text fields,
    /// where values that look like JSON numbers, booleans, objects or arrays
    /// are decoded (teloxide sends `chat_id`, `reply_markup`, ... that way)
    /// except for free-text fields such as `text` and `caption`.
    pub body: Value,
    /// File parts of a multipart request (see [`Recorded::attachment`]).
    pub files: Vec<UploadedFile>,
    /// The full JSON envelope the fake answered with
    /// (`{"ok":true,"result":...}` or `{"ok":false,...}`).
    pub response: Value,
}

impl Recorded {
    /// Whether the fake answered with `"ok": true`.
    pub fn succeeded(&self) -> bool {
        self.response["ok"] == json!(true)
    }

    /// The `result` of a successful call (e.g. the `Message` the bot got back).
    pub fn result(&self) -> &Value {
        &self.response["result"]
    }

    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id")?.as_i64()
    }

    pub fn text(&self) -> Option<&str> {
        self.body.get("text")?.as_str()
    }

    /// The uploaded file referenced by `field` (which holds `attach://<id>`).
    pub fn attachment(&self, field: &str) -> Option<&UploadedFile> {
        let id = self.body.get(field)?.as_str()?.strip_prefix("attach://")?;
        self.files.iter().find(|file| file.part_name == id)
    }
}

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// Name of the multipart part (the random id used in `attach://<id>`).
    pub part_name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Telegram: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake Telegram: no local address");
        let shared = Arc::new(Shared::default());
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
        let id = update["update_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("fake Telegram: update without update_id: {update}"));
        let mut state = self.shared.lock();
        assert!(
            id >= state.confirmed_offset,
            "fake Telegram: update_id {id} is below the confirmed offset {}; \
             the bot would never receive it",
            state.confirmed_offset
        );
        assert!(
            state
                .pending
                .iter()
                .all(|u| u["update_id"] != update["update_id"]),
            "fake Telegram: update_id {id} is already queued"
        );
        let at = state
            .pending
            .partition_point(|u| u["update_id"].as_i64() < Some(id));
        state.pending.insert(at, update);
        drop(state);
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

    /// Every Bot API call so far (including the `getUpdates` polling), in
    /// arrival order (`getUpdates` is recorded when it is answered).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Every call of `method` so far (method names are case-insensitive).
    pub fn calls(&self, method: &str) -> Vec<Recorded> {
        calls_of(&self.shared.lock(), method)
    }

    /// Bodies of the successful `sendMessage` calls, in order. Calls rejected
    /// by [`block_chat`](Self::block_chat) or [`fail_next`](Self::fail_next)
    /// are not included (they are in [`requests`](Self::requests)).
    pub fn sent_messages(&self) -> Vec<Value> {
        sent_messages_of(&self.shared.lock())
    }

    /// Texts of the messages successfully sent to `chat_id`, in order.
    pub fn sent_texts(&self, chat_id: i64) -> Vec<String> {
        self.sent_messages()
            .iter()
            .filter(|m| m["chat_id"].as_i64() == Some(chat_id))
            .map(|m| m["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits until at least `n` messages were sent (see
    /// [`sent_messages`](Self::sent_messages)) and returns all of them.
    /// Panics after `timeout`, listing what was received.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<Value> {
        let found = self
            .wait_until(timeout, |state| {
                let sent = sent_messages_of(state);
                (sent.len() >= n).then_some(sent)
            })
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "fake Telegram: expected at least {n} sent message(s) within {timeout:?}, \
                 got {}.\n{}",
                self.sent_messages().len(),
                self.describe_requests()
            )
        })
    }

    /// Waits for the first call of `method` and returns it.
    pub async fn wait_for_method(&self, method: &str, timeout: Duration) -> Recorded {
        let mut calls = self.wait_for_calls(method, 1, timeout).await;
        calls.swap_remove(0)
    }

    /// Waits until `method` was called at least `n` times; returns all calls.
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Recorded> {
        let found = self
            .wait_until(timeout, |state| {
                let calls = calls_of(state, method);
                (calls.len() >= n).then_some(calls)
            })
            .await;
        found.unwrap_or_else(|| {
            panic!(
                "fake Telegram: expected at least {n} `{method}` call(s) within {timeout:?}.\n{}",
                self.describe_requests()
            )
        })
    }

    /// True once `getUpdates` was called with an offset above every pushed
    /// update, i.e. the bot has received (not necessarily finished handling)
    /// all of them.
    pub fn updates_consumed(&self) -> bool {
        self.shared.lock().pending.is_empty()
    }

    /// Waits until [`updates_consumed`](Self::updates_consumed); panics after
    /// `timeout`.
    pub async fn wait_until_consumed(&self, timeout: Duration) {
        let done = self
            .wait_until(timeout, |state| state.pending.is_empty().then_some(()))
            .await;
        if done.is_none() {
            let pending = self.shared.lock().pending.clone();
            panic!(
                "fake Telegram: updates not consumed within {timeout:?}: {}",
                Value::Array(pending)
            );
        }
    }

    /// Human-readable list of the calls so far (without `getUpdates` noise),
    /// for assertion messages.
    pub fn describe_requests(&self) -> String {
        let state = self.shared.lock();
        let lines: Vec<String> = state
            .requests
            .iter()
            .filter(|r| !r.method.eq_ignore_ascii_case("getUpdates"))
            .map(|r| {
                let outcome = if r.succeeded() { "ok" } else { "FAILED" };
                format!("  {} [{outcome}] {}", r.method, r.body)
            })
            .collect();
        format!(
            "Bot API calls (excluding getUpdates):\n{}",
            lines.join("\n")
        )
    }

    /// Re-evaluates `check` after every state change until it returns `Some`
    /// or `timeout` passes.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let deadline = Instant::now() + timeout;
        // Subscribe before checking so that no change is missed in between.
        let mut changes = self.shared.changes.subscribe();
        loop {
            if let Some(found) = check(&self.shared.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => continue,
                _ => return check(&self.shared.lock()),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Update builders. All updates come from a private chat whose user id equals
// the chat id, with first name "Test" and language code "vi".
// ---------------------------------------------------------------------------

/// The user (as in `message.from`) for `user_id`.
pub fn user_json(user_id: i64) -> Value {
    json!({
        "id": user_id,
        "is_bot": false,
        "first_name": USER_FIRST_NAME,
        "language_code": "vi",
    })
}

/// The bot itself as a `User`.
pub fn bot_user_json() -> Value {
    json!({
        "id": BOT_ID,
        "is_bot": true,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    })
}

/// A private chat with the user `chat_id`.
pub fn private_chat_json(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": "private", "first_name": USER_FIRST_NAME })
}

/// A `message` update from the user `chat_id`; `content` supplies the
/// message kind's fields (`text`, `photo`, `contact`, ...).
pub fn message_update(update_id: i64, chat_id: i64, content: Value) -> Value {
    let mut message = json!({
        "message_id": update_id,
        "date": unix_now(),
        "chat": private_chat_json(chat_id),
        "from": user_json(chat_id),
    });
    merge(&mut message, content);
    json!({ "update_id": update_id, "message": message })
}

/// A text message. A leading `/command` gets a `bot_command` entity, as
/// Telegram would add.
pub fn text_update(update_id: i64, chat_id: i64, text: &str) -> Value {
    let mut content = json!({ "text": text });
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or(text);
        content["entities"] = json!([{
            "type": "bot_command",
            "offset": 0,
            "length": command.encode_utf16().count(),
        }]);
    }
    message_update(update_id, chat_id, content)
}

/// A callback query from the user `chat_id`, pressed on a bot message with
/// id `update_id` (use [`callback_update_on`] to pick the message id).
pub fn callback_update(update_id: i64, chat_id: i64, data: &str) -> Value {
    callback_update_on(update_id, chat_id, update_id, data)
}

/// A callback query on the bot's message `message_id` in chat `chat_id`.
pub fn callback_update_on(update_id: i64, chat_id: i64, message_id: i64, data: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("cbq-{update_id}"),
            "from": user_json(chat_id),
            "message": {
                "message_id": message_id,
                // A zero date would make teloxide treat the message as
                // inaccessible.
                "date": unix_now(),
                "chat": private_chat_json(chat_id),
                "from": bot_user_json(),
                "text": "(message with inline keyboard)",
            },
            "chat_instance": format!("ci-{chat_id}"),
            "data": data,
        }
    })
}

/// A regular static sticker.
pub fn sticker_update(update_id: i64, chat_id: i64, file_id: &str) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "sticker": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": false,
            "is_video": false,
            "emoji": "👍",
        }}),
    )
}

/// A photo in two sizes: a thumbnail (`{file_id}-thumb`) and `file_id` as the
/// largest (last) size, as Telegram orders them. Sizes claim 1 KiB.
pub fn photo_update(update_id: i64, chat_id: i64, file_id: &str) -> Value {
    let thumb = format!("{file_id}-thumb");
    message_update(
        update_id,
        chat_id,
        json!({ "photo": [
            {
                "file_id": thumb,
                "file_unique_id": unique_id(&thumb),
                "file_size": 256,
                "width": 90,
                "height": 90,
            },
            {
                "file_id": file_id,
                "file_unique_id": unique_id(file_id),
                "file_size": 1024,
                "width": 1280,
                "height": 960,
            },
        ]}),
    )
}

/// A document; its `file_size` claims 1 KiB (edit the JSON to change it).
pub fn document_update(
    update_id: i64,
    chat_id: i64,
    file_id: &str,
    file_name: &str,
    mime_type: &str,
) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "document": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "file_name": file_name,
            "mime_type": mime_type,
        }}),
    )
}

/// A shared contact. `user_id == chat_id` means the user shared their own
/// phone number (e.g. via a `request_contact` keyboard button).
pub fn contact_update(update_id: i64, chat_id: i64, phone: &str, user_id: i64) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "contact": {
            "phone_number": phone,
            "first_name": USER_FIRST_NAME,
            "user_id": user_id,
        }}),
    )
}

pub fn location_update(update_id: i64, chat_id: i64, latitude: f64, longitude: f64) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "location": { "latitude": latitude, "longitude": longitude } }),
    )
}

/// A voice note (`audio/ogg`) lasting `duration_secs`.
pub fn voice_update(update_id: i64, chat_id: i64, file_id: &str, duration_secs: u32) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "voice": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "duration": duration_secs,
            "mime_type": "audio/ogg",
        }}),
    )
}

/// Parses update JSON into a teloxide `Update`, e.g. to unit-test handlers
/// without the server.
///
/// Goes through a string on purpose: teloxide's `UpdateKind` deserialiser
/// first tries to borrow the key as `&str`, which consumes the key when
/// reading from a `serde_json::Value`, so `serde_json::from_value::<Update>`
/// silently yields `UpdateKind::Error`.
pub fn parse_update(update: &Value) -> Update {
    let update: Update = serde_json::from_str(&update.to_string())
        .unwrap_or_else(|err| panic!("not a valid update ({err}): {update}"));
    assert!(
        !matches!(update.kind, UpdateKind::Error(_)),
        "teloxide could not parse update {}",
        update.id.0
    );
    update
}

/// `(text, callback_data)` of every callback button of an inline keyboard in
/// a sent message body (or a message object), row by row.
pub fn inline_buttons(message: &Value) -> Vec<(String, String)> {
    let rows = message["reply_markup"]["inline_keyboard"].as_array();
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|button| {
            Some((
                button["text"].as_str()?.to_owned(),
                button["callback_data"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Texts of the buttons of a reply keyboard in a sent message body, row by row.
pub fn reply_keyboard_buttons(message: &Value) -> Vec<String> {
    let rows = message["reply_markup"]["keyboard"].as_array();
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|button| button.as_str().or_else(|| button["text"].as_str()))
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------
// Server internals
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Bumped after every state change; waiters re-check their condition.
    changes: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the original failure.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn notify(&self) {
        self.changes.send_modify(|generation| *generation += 1);
    }
}

struct State {
    /// Updates not yet confirmed by a `getUpdates` offset, by `update_id`.
    pending: Vec<Value>,
    /// Highest offset seen in `getUpdates`.
    confirmed_offset: i64,
    /// Last `allowed_updates` sent by the bot (Telegram remembers it).
    allowed_updates: Option<Vec<String>>,
    files: HashMap<String, StoredFile>,
    /// `file_path` -> `file_id`.
    file_paths: HashMap<String, String>,
    requests: Vec<Recorded>,
    blocked: HashSet<i64>,
    /// Chats answered 429: `(retry_after seconds, sends left to refuse)`.
    rate_limited: HashMap<i64, (u32, usize)>,
    failures: HashMap<String, VecDeque<(u16, String)>>,
    /// Messages sent by the bot, by `(chat_id, message_id)`, for edits.
    messages: BTreeMap<(i64, i64), Value>,
    next_message_id: i64,
}

impl Default for State {
    fn default() -> Self {
        State {
            pending: Vec::new(),
            confirmed_offset: 0,
            allowed_updates: None,
            files: HashMap::new(),
            file_paths: HashMap::new(),
            requests: Vec::new(),
            blocked: HashSet::new(),
            rate_limited: HashMap::new(),
            failures: HashMap::new(),
            messages: BTreeMap::new(),
            next_message_id: FIRST_BOT_MESSAGE_ID,
        }
    }
}

struct StoredFile {
    path: String,
    bytes: Vec<u8>,
}

impl State {
    fn add_file(&mut self, file_id: &str, bytes: Vec<u8>) {
        let path = match self.files.get(file_id) {
            Some(existing) => existing.path.clone(),
            None => format!("files/file_{}", self.files.len()),
        };
        self.file_paths.insert(path.clone(), file_id.to_owned());
        self.files
            .insert(file_id.to_owned(), StoredFile { path, bytes });
    }

    /// Applies a `getUpdates` offset: Telegram forgets updates below it; a
    /// negative offset keeps only the last `-offset` updates.
    fn confirm(&mut self, offset: i64) {
        if offset >= 0 {
            self.pending
                .retain(|u| u["update_id"].as_i64().is_some_and(|id| id >= offset));
            self.confirmed_offset = self.confirmed_offset.max(offset);
        } else {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            let drop = self.pending.len().saturating_sub(keep);
            self.pending.drain(..drop);
        }
    }

    /// Drops pending updates of kinds the bot did not ask for, like Telegram,
    /// which never stores them.
    fn drop_disallowed_updates(&mut self) {
        let allowed = self.allowed_updates.clone();
        self.pending.retain(|update| {
            let kind = update_kind(update);
            let keep = match &allowed {
                Some(allowed) if !allowed.is_empty() => allowed.contains(&kind),
                _ => !DEFAULT_EXCLUDED_UPDATES.contains(&kind.as_str()),
            };
            if !keep {
                eprintln!(
                    "fake Telegram: dropping update {} of kind `{kind}`: \
                     not in allowed_updates {allowed:?}",
                    update["update_id"]
                );
            }
            keep
        });
    }

    fn take_failure(&mut self, method: &str) -> Option<(u16, String)> {
        self.failures
            .get_mut(&method.to_ascii_lowercase())?
            .pop_front()
    }

    fn new_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}

fn calls_of(state: &State, method: &str) -> Vec<Recorded> {
    state
        .requests
        .iter()
        .filter(|r| r.method.eq_ignore_ascii_case(method))
        .cloned()
        .collect()
}

fn sent_messages_of(state: &State) -> Vec<Value> {
    state
        .requests
        .iter()
        .filter(|r| r.method.eq_ignore_ascii_case("sendMessage") && r.succeeded())
        .map(|r| r.body.clone())
        .collect()
}

/// `POST /bot{token}/{method}`.
async fn api_call(
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

    shared.lock().requests.push(Recorded {
        method,
        body,
        files,
        response: response.clone(),
    });
    shared.notify();
    (status, Json(response)).into_response()
}

/// `GET /file/bot{token}/{file_path}`.
async fn download(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path((_token, file_path)): Path<(String, String)>,
) -> Response {
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
async fn get_updates(shared: &Shared, body: &Value) -> (StatusCode, Value) {
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

impl State {
    /// Answers every method except `getUpdates`.
    fn answer(
        &mut self,
        method: &str,
        body: &Value,
        files: &[UploadedFile],
    ) -> (StatusCode, Value) {
        if let Some((code, description)) = self.take_failure(method) {
            return error(code, &description);
        }
        let lower = method.to_ascii_lowercase();
        let targets_chat = ["send", "edit", "copy", "forward"]
            .iter()
            .any(|prefix| lower.starts_with(prefix));
        if targets_chat
            && body["chat_id"]
                .as_i64()
                .is_some_and(|id| self.blocked.contains(&id))
        {
            return error(403, "Forbidden: bot was blocked by the user");
        }
        if targets_chat {
            let limited = body["chat_id"]
                .as_i64()
                .and_then(|id| self.rate_limited.get_mut(&id))
                .filter(|(_, left)| *left > 0);
            if let Some((retry_after, left)) = limited {
                *left -= 1;
                let description = format!("Too Many Requests: retry after {retry_after}");
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({
                        "ok": false,
                        "error_code": 429,
                        "description": description,
                        "parameters": { "retry_after": *retry_after },
                    }),
                );
            }
        }

        match lower.as_str() {
            "getme" => {
                let mut me = bot_user_json();
                merge(
                    &mut me,
                    json!({
                        "can_join_groups": true,
                        "can_read_all_group_messages": false,
                        "supports_inline_queries": false,
                        "can_connect_to_business": false,
                        "has_main_web_app": false,
                    }),
                );
                ok(me)
            }
            // An empty URL means "no webhook", so teloxide skips deleteWebhook.
            "getwebhookinfo" => ok(json!({
                "url": "",
                "has_custom_certificate": false,
                "pending_update_count": self.pending.len(),
            })),
            "getfile" => {
                let file_id = body["file_id"].as_str().unwrap_or_default();
                match self.files.get(file_id) {
                    Some(file) => ok(json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(file_id),
                        "file_size": file.bytes.len(),
                        "file_path": file.path,
                    })),
                    None => error(400, "Bad Request: invalid file id"),
                }
            }
            "getchat" => ok(chat_full_info(&body["chat_id"])),
            "getmycommands" => ok(json!([])),
            "copymessage" => ok(json!({ "message_id": self.new_message_id() })),
            "sendmediagroup" => {
                let count = body["media"].as_array().map_or(1, Vec::len);
                let messages = (0..count)
                    .map(|_| self.new_message(body, Map::new()))
                    .collect();
                ok(Value::Array(messages))
            }
            "deletemessage" => {
                if let (Some(chat), Some(id)) =
                    (body["chat_id"].as_i64(), body["message_id"].as_i64())
                {
                    self.messages.remove(&(chat, id));
                }
                ok(json!(true))
            }
            // `sendChatAction` returns True, every other send* a Message.
            "sendchataction" => ok(json!(true)),
            _ if lower.starts_with("send") || lower == "forwardmessage" => {
                let content = self.message_content(&lower, body, files);
                ok(self.new_message(body, content))
            }
            _ if lower.starts_with("editmessage") || lower == "stopmessagelivelocation" => {
                if body.get("inline_message_id").is_some() {
                    return ok(json!(true));
                }
                ok(self.edit_message(&lower, body))
            }
            // setMyCommands, deleteWebhook, answerCallbackQuery, ... and any
            // unknown method.
            _ => ok(json!(true)),
        }
    }

    /// Builds, stores and returns a message sent by the bot.
    fn new_message(&mut self, body: &Value, content: Map<String, Value>) -> Value {
        let message_id = self.new_message_id();
        let mut message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": chat_json(&body["chat_id"]),
            "from": bot_user_json(),
        });
        merge(&mut message, Value::Object(content));
        if let Some(markup) = inline_markup(body) {
            message["reply_markup"] = markup;
        }
        if let Some(chat_id) = body["chat_id"].as_i64() {
            self.messages.insert((chat_id, message_id), message.clone());
        }
        message
    }

    /// The kind-specific fields of a message sent with `method`.
    fn message_content(
        &mut self,
        method: &str,
        body: &Value,
        files: &[UploadedFile],
    ) -> Map<String, Value> {
        let mut content = Map::new();
        for field in ["text", "entities", "caption", "caption_entities"] {
            if let Some(value) = body.get(field) {
                content.insert(field.to_owned(), value.clone());
            }
        }
        match method {
            "sendphoto" => {
                let file_id = self.resolve_file(body, "photo", files);
                content.insert(
                    "photo".into(),
                    json!([{
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "width": 1280,
                        "height": 960,
                    }]),
                );
            }
            "senddocument" => {
                let file_id = self.resolve_file(body, "document", files);
                let file_name =
                    attachment_of(body, "document", files).and_then(|f| f.file_name.clone());
                let mut document = json!({
                    "file_id": file_id,
                    "file_unique_id": unique_id(&file_id),
                    "file_size": self.file_size(&file_id),
                });
                if let Some(name) = file_name.filter(|n| !n.is_empty()) {
                    document["file_name"] = json!(name);
                }
                content.insert("document".into(), document);
            }
            "sendvoice" => {
                let file_id = self.resolve_file(body, "voice", files);
                content.insert(
                    "voice".into(),
                    json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "duration": body["duration"].as_u64().unwrap_or(1),
                        "mime_type": "audio/ogg",
                    }),
                );
            }
            "sendsticker" => {
                let file_id = self.resolve_file(body, "sticker", files);
                content.insert(
                    "sticker".into(),
                    json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(&file_id),
                        "file_size": self.file_size(&file_id),
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                    }),
                );
            }
            "sendlocation" => {
                content.insert(
                    "location".into(),
                    json!({ "latitude": body["latitude"], "longitude": body["longitude"] }),
                );
            }
            "sendcontact" => {
                let mut contact = json!({
                    "phone_number": body["phone_number"],
                    "first_name": body["first_name"],
                });
                if let Some(last_name) = body.get("last_name") {
                    contact["last_name"] = last_name.clone();
                }
                content.insert("contact".into(), contact);
            }
            // Other kinds come back without content; teloxide then parses the
            // message as `MessageKind::Empty`.
            _ => {}
        }
        content
    }

    /// Applies an `editMessage*` call to the stored message (or to a
    /// synthesised one if the bot never sent it, e.g. the message of a
    /// [`callback_update`]).
    fn edit_message(&mut self, method: &str, body: &Value) -> Value {
        let chat_id = body["chat_id"].as_i64().unwrap_or_default();
        let message_id = body["message_id"].as_i64().unwrap_or_default();
        let mut message = self
            .messages
            .get(&(chat_id, message_id))
            .cloned()
            .unwrap_or_else(|| {
                json!({
                    "message_id": message_id,
                    "date": unix_now(),
                    "chat": chat_json(&body["chat_id"]),
                    "from": bot_user_json(),
                })
            });
        let object = message.as_object_mut().expect("messages are objects");
        match method {
            "editmessagetext" => {
                object.insert("text".into(), body["text"].clone());
                object.remove("entities");
                if let Some(entities) = body.get("entities") {
                    object.insert("entities".into(), entities.clone());
                }
            }
            "editmessagecaption" => {
                object.insert("caption".into(), body["caption"].clone());
            }
            _ => {}
        }
        // Like Telegram, an edit without reply_markup removes the keyboard.
        match inline_markup(body) {
            Some(markup) => object.insert("reply_markup".into(), markup),
            None => object.remove("reply_markup"),
        };
        object.insert("edit_date".into(), json!(unix_now()));
        self.messages.insert((chat_id, message_id), message.clone());
        message
    }

    /// The `file_id` for a file field: the given id, or for an upload a new
    /// id under which the uploaded bytes become downloadable.
    fn resolve_file(&mut self, body: &Value, field: &str, files: &[UploadedFile]) -> String {
        match attachment_of(body, field, files) {
            Some(upload) => {
                let file_id = format!("uploaded-{field}-{}", self.next_message_id);
                self.add_file(&file_id, upload.bytes.clone());
                file_id
            }
            None => body[field].as_str().unwrap_or_default().to_owned(),
        }
    }

    fn file_size(&self, file_id: &str) -> usize {
        self.files.get(file_id).map_or(1024, |f| f.bytes.len())
    }
}

fn attachment_of<'a>(
    body: &Value,
    field: &str,
    files: &'a [UploadedFile],
) -> Option<&'a UploadedFile> {
    let id = body[field].as_str()?.strip_prefix("attach://")?;
    files.iter().find(|f| f.part_name == id)
}

/// `reply_markup` of a request if it is an inline keyboard; a `Message` can
/// only carry those (echoing a reply keyboard would break deserialisation).
fn inline_markup(body: &Value) -> Option<Value> {
    let markup = body.get("reply_markup")?;
    markup
        .get("inline_keyboard")
        .is_some()
        .then(|| markup.clone())
}

/// A `Chat` for a request's `chat_id`: users are positive ids, groups
/// negative ones, and `@username` strings are channels.
fn chat_json(chat_id: &Value) -> Value {
    match chat_id.as_i64() {
        Some(id) if id > 0 => private_chat_json(id),
        Some(id) => json!({ "id": id, "type": "supergroup", "title": "Test group" }),
        None => {
            let name = chat_id.as_str().unwrap_or_default().trim_start_matches('@');
            json!({ "id": -1_001_000_000_001_i64, "type": "channel", "title": name, "username": name })
        }
    }
}

/// A `ChatFullInfo` for `getChat`.
fn chat_full_info(chat_id: &Value) -> Value {
    let mut info = chat_json(chat_id);
    merge(
        &mut info,
        json!({
            "accepted_gift_types": {
                "unlimited_gifts": false,
                "limited_gifts": false,
                "unique_gifts": false,
                "premium_subscription": false,
            },
            "max_reaction_count": 11,
        }),
    );
    info
}

fn ok(result: Value) -> (StatusCode, Value) {
    (StatusCode::OK, json!({ "ok": true, "result": result }))
}

fn error(code: u16, description: &str) -> (StatusCode, Value) {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        json!({ "ok": false, "error_code": code, "description": description }),
    )
}

/// The kind of an update: its only key besides `update_id`.
fn update_kind(update: &Value) -> String {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id").cloned())
        .unwrap_or_default()
}

fn unique_id(file_id: &str) -> String {
    format!("u-{file_id}")
}

fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// Copies the fields of the object `extra` into the object `target`.
fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}

// ---------------------------------------------------------------------------
// Minimal multipart/form-data parsing (axum's `multipart` feature is not
// enabled in this crate). Good enough for what reqwest produces.
// ---------------------------------------------------------------------------

/// Free-text multipart fields that must stay strings even if they look like
/// JSON (a caption "42" is not a number).
const TEXT_FIELDS: [&str; 6] = [
    "text",
    "caption",
    "parse_mode",
    "title",
    "question",
    "emoji",
];

fn multipart_boundary(content_type: &str) -> Option<String> {
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let (_, boundary) = content_type.split_once("boundary=")?;
    let boundary = boundary.split(';').next()?.trim().trim_matches('"');
    Some(boundary.to_owned())
}

fn parse_multipart(body: &[u8], boundary: &str) -> (Value, Vec<UploadedFile>) {
    let mut fields = Map::new();
    let mut files = Vec::new();
    // Every delimiter is preceded by CRLF, except the first one; prepend one
    // so that splitting on "\r\n--boundary" leaves exact part contents.
    let body = [b"\r\n".as_slice(), body].concat();
    let delimiter = format!("\r\n--{boundary}");
    // The first chunk is the (empty) preamble.
    for part in split_bytes(&body, delimiter.as_bytes()).skip(1) {
        if part.starts_with(b"--") {
            break; // closing delimiter
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(header_end) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..header_end]);
        let content = &part[header_end + 4..];
        let Some(name) = disposition_param(&headers, "name") else {
            continue;
        };
        let file_name = disposition_param(&headers, "filename");
        // Uploads carry a filename (possibly empty); plain fields do not.
        if file_name.is_some() {
            files.push(UploadedFile {
                part_name: name,
                file_name,
                bytes: content.to_vec(),
            });
        } else {
            let text = String::from_utf8_lossy(content).into_owned();
            let value = multipart_value(&name, text);
            fields.insert(name, value);
        }
    }
    (Value::Object(fields), files)
}

fn multipart_value(name: &str, text: String) -> Value {
    if !TEXT_FIELDS.contains(&name) {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            if !value.is_string() && !value.is_null() {
                return value;
            }
        }
    }
    Value::String(text)
}

/// Reads `key="value"` from a `Content-Disposition` header (reqwest escapes
/// `\` and `"` with backslashes).
fn disposition_param(headers: &str, key: &str) -> Option<String> {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let needle = format!("; {key}=\"");
    let start = line.find(&needle)? + needle.len();
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.extend(chars.next()),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    None
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut rest: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match find_bytes(rest, delimiter) {
            Some(at) => {
                let chunk = &rest[..at];
                rest = &rest[at + delimiter.len()..];
                Some(chunk)
            }
            None => {
                done = true;
                Some(rest)
            }
        }
    })
}
