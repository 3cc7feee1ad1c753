//! `spawn_zalo_app()`: a [`TestApp`] (a fresh database with the Tứ Kỳ communes and two
//! villages, an invitation for the head of the first), a fake Zalo, and cnscd serving the
//! Zalo webhook on 127.0.0.1 (the real HTTP server, inbox, worker, outbox and Zalo channel),
//! without Telegram.

#![allow(dead_code)]

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use cnscd::pipeline::PipelineOptions;
use cnscd::secrets::Secret;
use cnscd::serve::{serve_webhooks_until, ServedChannel};
use cnscd::storage::scratch::ScratchDb;
use cnscd::zalo::adapter::Zalo;
use cnscd::zalo::config::{SiteVerification, ZaloSecrets, ZaloSettings, FORM_IMAGE_PATH};
use cnscd::zalo::{AccessTokens, TokenUnavailable};
use futures::future::BoxFuture;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::app::TestApp;
use super::fake_zalo::{Event, FakeZalo, APP_ID, APP_SECRET, FIRST_ACCESS_TOKEN, OA_SECRET_KEY};

pub const VILLAGES_CSV: &str =
    "commune_code,name,code\n11083,Thôn Đông Sơn,11083-01\n11083,Thôn Tây Sơn,11083-02\n";

pub use super::app::today;

/// The domain-verification file the harness is configured with, as Zalo names one.
pub const VERIFICATION_FILE: &str = "zalo_verifierQ5fTCBtT0XB5.html";
pub const VERIFICATION_CONTENT: &str = "<html><head><meta property=\"zalo-platform-site-verification\" content=\"Q5fTCBtT0XB5\" /></head><body>There Is No Limit To What You Can Accomplish Using Zalo!</body></html>";

/// An access token that never changes: for tests of everything but the tokens.
pub struct FixedToken(pub String);

impl AccessTokens for FixedToken {
    fn current(&self) -> BoxFuture<'_, Result<String, TokenUnavailable>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }

    fn rejected<'a>(&'a self, _token: &'a str) -> BoxFuture<'a, Result<String, TokenUnavailable>> {
        Box::pin(async move { Err(TokenUnavailable::NotNow("fixed token".into())) })
    }
}

/// Reads through to the [`TestApp`] (`store`, `engine`, `invitation`, `clock`); its engine
/// knows Zalo's window.
pub struct ZaloApp {
    pub app: TestApp,
    pub zalo: FakeZalo,
    pub webhook_url: String,
    http: reqwest::Client,
    running: Option<(oneshot::Sender<()>, JoinHandle<std::io::Result<()>>)>,
}

impl Deref for ZaloApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// Zalo's window as deployments configure it by default: a week.
fn settings_window() -> Duration {
    Duration::from_secs(168 * 3600)
}

/// The settings a deployment would give, pointed at `zalo`.
pub fn settings(zalo: &FakeZalo) -> ZaloSettings {
    let url = |s: &str| url::Url::parse(s).expect("url");
    ZaloSettings {
        app_id: APP_ID.into(),
        secrets: ZaloSecrets {
            app_secret: Secret::from(APP_SECRET.to_owned()),
            oa_secret_key: Secret::from(OA_SECRET_KEY.to_owned()),
            refresh_token: None,
        },
        openapi_url: url(&zalo.base),
        oauth_url: url(&zalo.base),
        oa_url: Some(url("https://zalo.me/4313572100982173421")),
        form_image_url: None,
        event_max_age: Duration::from_secs(cnscd::zalo::config::DEFAULT_ZALO_EVENT_MAX_AGE_SECS),
        free_window: Duration::from_secs(48 * 3600),
        window: settings_window(),
        admin_chats: Vec::new(),
        verification: Some(SiteVerification {
            name: VERIFICATION_FILE.into(),
            content: VERIFICATION_CONTENT.into(),
        }),
    }
}

pub async fn spawn_zalo_app() -> ZaloApp {
    spawn_zalo_app_on(ScratchDb::sqlite().expect("scratch SQLite"), VILLAGES_CSV).await
}

/// [`spawn_zalo_app`] on a given database, with these villages.
pub async fn spawn_zalo_app_on(db: ScratchDb, villages_csv: &str) -> ZaloApp {
    let mut app = TestApp::builder()
        .on(db)
        .villages(villages_csv)
        .build()
        .await;
    let window = cnscd::chat::Window {
        free: Duration::from_secs(48 * 3600),
        limit: settings_window(),
    };
    app.engine = app
        .engine
        .clone()
        .with_channel_window(cnscd::chat::ChannelName::Zalo, window);
    let mut app = ZaloApp {
        app,
        zalo: FakeZalo::start().await,
        webhook_url: String::new(),
        http: reqwest::Client::new(),
        running: None,
    };
    let tokens: Arc<dyn AccessTokens> = Arc::new(FixedToken(FIRST_ACCESS_TOKEN.into()));
    app.start(tokens).await;
    app
}

impl ZaloApp {
    /// Starts cnscd's Zalo webhook server with `tokens`.
    pub async fn start(&mut self, tokens: Arc<dyn AccessTokens>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        self.webhook_url = format!("http://{address}/zalo/webhook");
        // The form's picture is the one cnscd serves, as with CNSCD_PUBLIC_URL.
        let mut config = settings(&self.zalo);
        config.form_image_url =
            Some(url::Url::parse(&format!("http://{address}{FORM_IMAGE_PATH}")).expect("url"));
        let zalo: Arc<dyn ServedChannel> = Arc::new(Zalo::new(config, tokens));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_webhooks_until(
            self.engine.clone(),
            vec![zalo],
            listener,
            None,
            PipelineOptions::named("zalo-test"),
            Default::default(),
            cnscd::ops::metrics::Metrics::new(),
            async move {
                let _ = stopped.await;
            },
        ));
        self.running = Some((stop, task));
    }

    /// The address of the picture the share-info form shows, served by cnscd.
    pub fn form_image_url(&self) -> String {
        self.webhook_url.replace("/zalo/webhook", FORM_IMAGE_PATH)
    }

    /// Stops the server cleanly.
    pub async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
    }

    /// POSTs a signed event as Zalo does; the HTTP status.
    pub async fn post(&self, event: &Event) -> u16 {
        self.post_raw(&event.body, Some(&event.signature)).await
    }

    pub async fn post_raw(&self, body: &str, signature: Option<&str>) -> u16 {
        let mut request = self
            .http
            .post(&self.webhook_url)
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("X-ZEvent-Signature", signature);
        }
        request
            .send()
            .await
            .expect("webhook answers")
            .status()
            .as_u16()
    }

    /// Waits until every recorded event is applied and every message that can go is sent.
    pub async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
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

    /// Posts `event`, expects 200, and waits until its answer is sent.
    pub async fn say(&self, event: &Event) {
        assert_eq!(self.post(event).await, 200, "the webhook took the event");
        self.settle().await;
    }

    pub async fn destroy(mut self) {
        self.stop().await;
        self.app.destroy().await;
    }
}
