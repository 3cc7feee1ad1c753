//! `spawn_app()`: a [`TestApp`] (a fresh database with the Tứ Kỳ communes and one village,
//! an invitation for its head), a fake Telegram Bot API server, and the real dispatcher of
//! `cnscd::telegram` polling it in a background task (throttle off).
//!
//! `spawn_app_without_bot()` is the same without the dispatcher, for webhook replicas
//! (`support::webhook`); after `deliver_to`, `push`, `say` and `press` POST the updates to a
//! replica as Telegram would, instead of queueing them for `getUpdates`.

#![allow(dead_code)]

use std::cell::Cell;
use std::ops::Deref;
use std::time::Duration;

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::pipeline::PipelineOptions;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::{Store, StoredTeam};
use cnscd::telegram::{serve_until, ServeOptions, TelegramError};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::app::{TestApp, VILLAGE};
use super::fake_telegram::{inline_buttons, FakeTelegram, DEFAULT_WAIT};

/// The village head's private chat (and user id).
pub const CHAT: i64 = 4242;

/// Reads through to the [`TestApp`] (`store`, `engine`, `invitation`, `clock`).
pub struct TelegramApp {
    pub app: TestApp,
    pub tg: FakeTelegram,
    bot: Option<RunningBot>,
    next_update: Cell<i64>,
    /// Sent messages already handed to the test.
    seen: usize,
    /// Where updates are POSTed instead of polled, once `deliver_to` was called.
    webhook: Option<WebhookTarget>,
}

impl Deref for TelegramApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// A webhook URL and the secret token sent with each update.
#[derive(Clone, Debug)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

struct RunningBot {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), TelegramError>>,
    store: Store,
}

pub async fn spawn_app() -> TelegramApp {
    let mut app = spawn_app_without_bot().await;
    app.start_bot().await;
    app
}

/// The database and the fake Bot API server, no bot running.
pub async fn spawn_app_without_bot() -> TelegramApp {
    spawn_app_without_bot_on(ScratchDb::sqlite().expect("scratch SQLite")).await
}

/// [`spawn_app_without_bot`] on a given database (SQLite or PostgreSQL).
pub async fn spawn_app_without_bot_on(db: ScratchDb) -> TelegramApp {
    TelegramApp {
        app: TestApp::builder().on(db).build().await,
        tg: FakeTelegram::start().await,
        bot: None,
        next_update: Cell::new(1),
        seen: 0,
        webhook: None,
    }
}

/// The options of a test bot: no rate limiter, and a replica name of its own (`name`), with
/// a dead replica's work taken over after a second instead of fifteen.
pub fn test_options(name: &str) -> ServeOptions {
    ServeOptions {
        throttle: false,
        pipeline: PipelineOptions {
            owner: name.to_owned(),
            takeover_after: Duration::from_secs(1),
            units_poll: Duration::from_millis(100),
            downloads: Default::default(),
            bulk_rates: Default::default(),
        },
        http: Default::default(),
        beside: Vec::new(),
        metrics: Default::default(),
    }
}

impl TelegramApp {
    /// Closes the test's connections and drops a PostgreSQL scratch database.
    pub async fn destroy(self) {
        self.app.destroy().await;
    }

    /// Starts the dispatcher on a new connection to the database, like a fresh process.
    pub async fn start_bot(&mut self) {
        self.start_bot_with(test_options("test-bot")).await;
    }

    pub async fn start_bot_with(&mut self, options: ServeOptions) {
        assert!(self.bot.is_none(), "the bot is already running");
        let engine = self.app.fresh_engine().await;
        let store = engine.store().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve_until(engine, self.tg.bot(), options, shutdown));
        self.bot = Some(RunningBot { stop, task, store });
    }

    /// From now on, updates are POSTed to `target` (a webhook replica).
    pub fn deliver_to(&mut self, target: WebhookTarget) {
        self.webhook = Some(target);
    }

    /// POSTs `update` to the webhook as Telegram does, and returns the HTTP status.
    pub async fn post_update(&self, update: &Value) -> reqwest::StatusCode {
        let target = self.webhook.as_ref().expect("deliver_to was called");
        post_update(target, Some(&target.secret), update).await
    }

    /// Stops the dispatcher the way SIGTERM does, and waits until it has finished.
    pub async fn stop_bot(&mut self) {
        let bot = self.bot.take().expect("the bot is running");
        let _ = bot.stop.send(());
        let result = tokio::time::timeout(DEFAULT_WAIT, bot.task)
            .await
            .expect("the bot stops within the wait")
            .expect("the bot task did not panic");
        result.expect("the bot ran without a fatal error");
        bot.store.close().await;
    }

    /// A fresh update id.
    /// Makes the (SQLite) database refuse to record the update `id` in the inbox, as a full
    /// disk would.
    pub async fn refuse_to_record(&self, id: i64) {
        let trigger = format!(
            "CREATE TRIGGER refuse_update BEFORE INSERT ON inbox \
             WHEN NEW.update_id = '{id}' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        );
        sqlx::query(&trigger)
            .execute(self.store.pool())
            .await
            .expect("trigger created");
    }

    /// Makes every step of the update `id` fail (as a bug would), after it was recorded.
    pub async fn make_the_step_fail(&self, id: i64) {
        let trigger = format!(
            "CREATE TRIGGER refuse_update BEFORE UPDATE ON inbox \
             WHEN NEW.update_id = '{id}' AND NEW.state = 'done' \
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
        );
        sqlx::query(&trigger)
            .execute(self.store.pool())
            .await
            .expect("trigger");
    }

    pub fn id(&self) -> i64 {
        let id = self.next_update.get();
        self.next_update.set(id + 1);
        id
    }

    pub fn chat(&self) -> ChatKey {
        ChatKey::new(ChannelName::Telegram, CHAT.to_string())
    }

    /// Delivers `update` and returns the bot's replies up to the one containing `expected`.
    /// A webhook must answer 200 (the update is recorded); the replies follow.
    pub async fn push(&mut self, update: Value, expected: &str) -> Vec<Value> {
        if self.webhook.is_some() {
            let status = self.post_update(&update).await;
            assert_eq!(
                status,
                reqwest::StatusCode::OK,
                "the webhook takes the update"
            );
        } else {
            self.tg.push_update(update);
        }
        self.replies_until(expected).await
    }

    /// The user types `text`.
    pub async fn say(&mut self, text: &str, expected: &str) -> Vec<Value> {
        let update = super::fake_telegram::text_update(self.id(), CHAT, text);
        self.push(update, expected).await
    }

    /// The user presses the button whose label contains `label` on the bot's latest keyboard.
    pub async fn press(&mut self, label: &str, expected: &str) -> Vec<Value> {
        let buttons = self.last_keyboard();
        let Some((_, data)) = buttons.iter().find(|(text, _)| text.contains(label)) else {
            panic!("no button {label:?} on the latest keyboard; it has {buttons:?}");
        };
        let update = super::fake_telegram::callback_update(self.id(), CHAT, data);
        self.push(update, expected).await
    }

    /// The buttons of the latest message that has an inline keyboard.
    pub fn last_keyboard(&self) -> Vec<(String, String)> {
        let sent = self.tg.sent_messages();
        let with_keyboard = sent.iter().rev().find(|m| !inline_buttons(m).is_empty());
        with_keyboard.map(inline_buttons).unwrap_or_default()
    }

    /// Waits for a reply containing `expected`; returns every reply not yet seen up to it.
    pub async fn replies_until(&mut self, expected: &str) -> Vec<Value> {
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            let sent = self.tg.sent_messages();
            let new = &sent[self.seen.min(sent.len())..];
            if let Some(i) = new.iter().position(|m| text_of(m).contains(expected)) {
                let replies = new[..=i].to_vec();
                self.seen += i + 1;
                return replies;
            }
            if Instant::now() > deadline {
                let texts: Vec<&str> = new.iter().map(text_of).collect();
                panic!(
                    "no reply containing {expected:?} within {DEFAULT_WAIT:?}; new replies: \
                     {texts:#?}\n{}",
                    self.tg.describe_requests()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Messages sent since the last `push`/`replies_until`, without waiting.
    pub fn unseen_replies(&self) -> Vec<Value> {
        let sent = self.tg.sent_messages();
        sent[self.seen.min(sent.len())..].to_vec()
    }

    pub async fn team(&self) -> StoredTeam {
        self.store
            .team(VILLAGE)
            .await
            .expect("team query")
            .expect("the village has a team")
    }
}

/// POSTs `update` to a webhook with `secret` in Telegram's header (none: no header).
pub async fn post_update(
    target: &WebhookTarget,
    secret: Option<&str>,
    update: &Value,
) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().post(&target.url).json(update);
    if let Some(secret) = secret {
        request = request.header(cnscd::telegram::SECRET_HEADER, secret);
    }
    let response = request.send().await.expect("the webhook answers");
    response.status()
}

pub fn text_of(message: &Value) -> &str {
    message["text"].as_str().unwrap_or_default()
}

/// All the texts of `replies`, one after the other, for `contains` checks.
pub fn joined(replies: &[Value]) -> String {
    replies
        .iter()
        .map(text_of)
        .collect::<Vec<_>>()
        .join("\n---\n")
}
