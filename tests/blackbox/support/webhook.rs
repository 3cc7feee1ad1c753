//! Webhook replicas of the bot: each a `serve_receiving_until` in a task of its own, with its
//! own engine and database connection, listening on 127.0.0.1 at ports of its choosing: one
//! for webhooks, one for `/healthz` and `/metrics`.

#![allow(dead_code)]

use std::net::SocketAddr;

use cnscd::ops::limits::HttpLimits;
use cnscd::storage::Store;
use cnscd::telegram::{serve_receiving_until, Receive, TelegramError, Webhook, WebhookSecret};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::fake_telegram::DEFAULT_WAIT;
use super::telegram_app::{TelegramApp, WebhookTarget};

/// The secret token every replica is started with.
pub const SECRET: &str = "test-secret_0123456789-abcdefghijklmnop";
/// The path of the public webhook URL.
pub const PATH: &str = "/telegram/updates";

pub struct Replica {
    /// The webhook port.
    pub addr: SocketAddr,
    /// The `/healthz` and `/metrics` port.
    pub ops: SocketAddr,
    /// The replica's own connection to the database (to make it fail in tests).
    pub store: Store,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), TelegramError>>,
}

/// Starts a replica on a fresh engine; it accepts requests once this returns.
pub async fn start_replica(app: &TelegramApp) -> Replica {
    start_replica_with(app, HttpLimits::default()).await
}

/// Starts a replica whose HTTP servers have these timeouts and connection cap.
pub async fn start_replica_with(app: &TelegramApp, limits: HttpLimits) -> Replica {
    let engine = app.fresh_engine().await;
    let store = engine.store().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let ops_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let ops = ops_listener.local_addr().expect("local address");
    let public = url::Url::parse(&format!("https://bot.example.org{PATH}")).expect("URL");
    let secret = WebhookSecret::parse(SECRET).expect("valid secret");
    let webhook = Webhook::new(&public, secret).expect("valid webhook");
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    static REPLICAS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let number = REPLICAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut options = super::telegram_app::test_options(&format!("replica-{number}"));
    options.http = limits;
    let receive = Receive::Webhook {
        listener,
        webhook,
        ops: Some(ops_listener),
    };
    let task = tokio::spawn(serve_receiving_until(
        engine,
        app.tg.bot(),
        options,
        receive,
        shutdown,
    ));
    Replica {
        addr,
        ops,
        store,
        stop,
        task,
    }
}

impl Replica {
    /// The webhook URL as the load balancer forwards it to this replica, with its secret.
    pub fn target(&self) -> WebhookTarget {
        WebhookTarget {
            url: self.url(PATH),
            secret: SECRET.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops it as SIGTERM does and waits until it has finished.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let result = tokio::time::timeout(DEFAULT_WAIT, self.task)
            .await
            .expect("the replica stops within the wait")
            .expect("the replica's task did not panic");
        result.expect("the replica ran without a fatal error");
    }

    /// Kills it: no draining, no goodbye, as a crashed process.
    pub fn kill(self) {
        self.task.abort();
    }

    /// A GET on this replica's ops port (`/healthz`, `/metrics`): the status and the body.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        get(format!("http://{}{path}", self.ops)).await
    }

    /// A GET on this replica's public webhook port.
    pub async fn get_public(&self, path: &str) -> (reqwest::StatusCode, String) {
        get(self.url(path)).await
    }
}

async fn get(url: String) -> (reqwest::StatusCode, String) {
    let response = reqwest::get(url).await.expect("the replica answers");
    let status = response.status();
    (status, response.text().await.expect("a text body"))
}
