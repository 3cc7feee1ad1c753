//! `spawn_zalo_bot_app()`: a [`TestApp`], a fake Zalo Bot Platform, and cnscd serving the
//! Zalo Bot channel on 127.0.0.1 as `serve` does without Telegram (the real start with
//! `getMe` and the webhook's registration, the real HTTP server, inbox, worker, outbox and
//! channel), receiving by long polling or by webhook.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use cnscd::pipeline::PipelineOptions;
use cnscd::secrets::Secret;
use cnscd::serve::{serve_webhooks_until, ServedChannel};
use cnscd::storage::scratch::ScratchDb;
use cnscd::zalo_bot::config::{Receiving, ZaloBotSettings};
use cnscd_fakes::zalo_bot::{FakeZaloBot, TOKEN};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::app::TestApp;

/// The webhook's secret token in the tests.
pub const WEBHOOK_SECRET: &str = "zalo-bot-webhook-secret-0123";
/// Where the tests' webhook is served.
pub const WEBHOOK_PATH: &str = "/zalo-bot/webhook";

/// How the app receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Polling,
    Webhook,
}

pub struct ZaloBotApp {
    pub app: TestApp,
    pub bot: FakeZaloBot,
    /// `http://127.0.0.1:<port>`: cnscd's public listener (ZALO_BOT_PUBLIC_URL).
    pub public: String,
    pub mode: Mode,
    running: Option<(oneshot::Sender<()>, JoinHandle<std::io::Result<()>>)>,
}

impl Deref for ZaloBotApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// A fresh app on SQLite with the harness's one village.
pub async fn spawn_zalo_bot_app(mode: Mode) -> ZaloBotApp {
    let app = TestApp::builder().build().await;
    spawn_on(app, mode).await
}

/// The app on `db`, with these villages.
pub async fn spawn_zalo_bot_app_on(db: ScratchDb, villages: &str, mode: Mode) -> ZaloBotApp {
    let app = TestApp::builder().on(db).villages(villages).build().await;
    spawn_on(app, mode).await
}

async fn spawn_on(app: TestApp, mode: Mode) -> ZaloBotApp {
    let mut app = ZaloBotApp {
        app,
        bot: FakeZaloBot::start().await,
        public: String::new(),
        mode,
        running: None,
    };
    app.start().await;
    app
}

impl ZaloBotApp {
    /// The settings a deployment would give, pointed at the fake.
    pub fn settings(&self) -> ZaloBotSettings {
        let url = |s: &str| url::Url::parse(s).expect("url");
        let receiving = match self.mode {
            Mode::Polling => Receiving::Polling,
            Mode::Webhook => Receiving::Webhook {
                url: url(&format!("{}{WEBHOOK_PATH}", self.public)),
                secret: Secret::from(WEBHOOK_SECRET.to_owned()),
            },
        };
        ZaloBotSettings {
            token: Secret::from(TOKEN.to_owned()),
            receiving,
            public_url: Some(url(&self.public)),
            api_url: url(&self.bot.base),
        }
    }

    /// Starts cnscd's server with the Zalo Bot channel.
    pub async fn start(&mut self) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        self.public = format!("http://{}", listener.local_addr().expect("address"));
        let bot = cnscd::zalo_bot::setup::start(self.settings(), &self.engine)
            .await
            .expect("the bot starts");
        let bot: Arc<dyn ServedChannel> = Arc::new(bot);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_webhooks_until(
            self.engine.clone(),
            vec![bot],
            listener,
            None,
            PipelineOptions::named("zalo-bot-test"),
            Default::default(),
            cnscd::ops::metrics::Metrics::new(),
            async move {
                let _ = stopped.await;
            },
        ));
        self.running = Some((stop, task));
    }

    /// Stops the server cleanly.
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
    }

    /// Delivers `update` as Zalo does in this app's mode and waits until it is recorded.
    pub async fn deliver(&self, update: &Value) {
        match self.mode {
            Mode::Polling => {
                self.bot.queue(update.clone());
                self.wait_recorded(update).await;
            }
            Mode::Webhook => {
                assert_eq!(
                    self.bot.post_webhook(update).await,
                    200,
                    "the webhook took it"
                );
            }
        }
    }

    /// Delivers `update` and waits until its answers are sent.
    pub async fn say(&self, update: &Value) {
        self.deliver(update).await;
        self.settle().await;
    }

    /// Waits until a poll took `update` and it is in the inbox (a private message's).
    async fn wait_recorded(&self, update: &Value) {
        let private = update["message"]["chat"]["chat_type"] == "PRIVATE";
        let id = format!(
            "m:{}",
            update["message"]["message_id"].as_str().unwrap_or_default()
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let recorded: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM inbox WHERE channel = 'zalo_bot' AND update_id = $1",
            )
            .bind(&id)
            .fetch_one(self.store.pool())
            .await
            .expect("inbox");
            if self.bot.all_taken() && (recorded > 0 || !private) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the update was not polled"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// How many events of the Zalo Bot's chats the inbox holds.
    pub async fn recorded(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE channel = 'zalo_bot'")
            .fetch_one(self.store.pool())
            .await
            .expect("inbox")
    }

    /// Waits until every recorded event is applied and every message that can go is sent.
    pub async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let pending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE state = 'pending'")
                    .fetch_one(self.store.pool())
                    .await
                    .expect("inbox");
            let unsent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
                 AND held_at IS NULL",
            )
            .fetch_one(self.store.pool())
            .await
            .expect("outbox");
            if pending == 0 && unsent == 0 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not settled: {pending} events, {unsent} messages wait"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn destroy(mut self) {
        self.stop().await;
        self.app.destroy().await;
    }
}
