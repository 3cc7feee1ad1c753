//! How fast the Zalo webhook answers (Zalo waits about 2 s, then retries) and how soon the
//! reply reaches Zalo, with many users writing at once: cnscd's real webhook server, inbox,
//! worker, outbox and Zalo channel on a temporary SQLite database, against a minimal fake
//! Zalo on 127.0.0.1. Each user writes a message, waits for the answer, writes the next.
//!
//! `cargo run --release -p cnscd-bench --example zalo_webhook_bench -- [USERS] [MESSAGES]` (200 × 10).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use cnscd::clock::{Clock, SystemClock};
use cnscd::domain::CompositionRules;
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::pipeline::PipelineOptions;
use cnscd::secrets::Secret;
use cnscd::serve::{serve_webhooks_until, ServedChannel};
use cnscd::storage::Store;
use cnscd::zalo::adapter::Zalo;
use cnscd::zalo::config::{ZaloSecrets, ZaloSettings};
use cnscd::zalo::{AccessTokens, TokenUnavailable};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

const APP_ID: &str = "1";
const OA_KEY: &str = "bench-oa-key";

struct Token;

impl AccessTokens for Token {
    fn current(&self) -> BoxFuture<'_, Result<String, TokenUnavailable>> {
        Box::pin(async { Ok("bench".to_owned()) })
    }
    fn rejected<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<String, TokenUnavailable>> {
        Box::pin(async { Ok("bench".to_owned()) })
    }
}

/// Messages received per user, and a bell rung on each.
#[derive(Clone, Default)]
struct FakeZalo {
    received: Arc<Mutex<HashMap<String, usize>>>,
    bell: Arc<Notify>,
}

async fn message(State(fake): State<FakeZalo>, Json(body): Json<Value>) -> Json<Value> {
    let user = body["recipient"]["user_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    *fake.received.lock().expect("lock").entry(user).or_default() += 1;
    fake.bell.notify_waiters();
    Json(json!({ "error": 0, "message": "Success", "data": { "message_id": "m" } }))
}

fn signed(user: &str, n: usize, text: &str) -> (String, String) {
    let timestamp = chrono::Utc::now().timestamp_millis().to_string();
    let body = json!({
        "app_id": APP_ID, "event_name": "user_send_text", "timestamp": timestamp,
        "sender": { "id": user }, "recipient": { "id": "oa" },
        "message": { "msg_id": format!("{user}-{n}"), "text": text },
    })
    .to_string();
    let mac = hex::encode(Sha256::digest(format!("{APP_ID}{body}{timestamp}{OA_KEY}")));
    (body, format!("mac={mac}"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let users: usize = args.next().map_or(Ok(200), |a| a.parse())?;
    let messages: usize = args.next().map_or(Ok(10), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!("sqlite://{}/bench.db", dir.path().display())).await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    cnscd::import::load_default_units_if_empty(&store, clock.now()).await?;
    let villages = "commune_code,name\n11083,Thôn Đông Sơn\n11083,Thôn Tây Sơn\n";
    cnscd::import::import_villages(&store, villages.as_bytes(), clock.now()).await?;
    let engine = Engine::new(
        store.clone(),
        Arc::new(Texts::load()?),
        Arc::new(CompositionRules::default_rules()?),
        clock,
    );

    let fake = FakeZalo::default();
    let zalo_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let zalo_url = format!("http://{}", zalo_listener.local_addr()?);
    let app = Router::new()
        .route("/v3.0/oa/message/cs", post(message))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(zalo_listener, app).await });

    let settings = ZaloSettings {
        app_id: APP_ID.into(),
        secrets: ZaloSecrets {
            app_secret: Secret::from("unused".to_owned()),
            oa_secret_key: Secret::from(OA_KEY.to_owned()),
            refresh_token: None,
        },
        openapi_url: url::Url::parse(&zalo_url)?,
        oauth_url: url::Url::parse(&zalo_url)?,
        oa_url: None,
        form_image_url: None,
        event_max_age: Duration::from_secs(3600),
        free_window: Duration::from_secs(48 * 3600),
        window: Duration::from_secs(168 * 3600),
        admin_chats: Vec::new(),
        verification: None,
    };
    let zalo: Arc<dyn ServedChannel> = Arc::new(Zalo::new(settings, Arc::new(Token)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook = format!("http://{}/zalo/webhook", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_webhooks_until(
        engine,
        vec![zalo],
        listener,
        None,
        PipelineOptions::named("bench"),
        Default::default(),
        cnscd::ops::metrics::Metrics::new(),
        async move {
            let _ = stopped.await;
        },
    ));

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(users)
        .build()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for u in 0..users {
        let (http, webhook, fake) = (http.clone(), webhook.clone(), fake.clone());
        tasks.push(tokio::spawn(async move {
            let user = format!("u{u}");
            let mut acks = Vec::new();
            let mut replies = Vec::new();
            for n in 0..messages {
                let text = if n % 2 == 0 {
                    "Thôn Đông Sơn"
                } else {
                    "Tây Sơn"
                };
                let (body, mac) = signed(&user, n, text);
                let before = fake
                    .received
                    .lock()
                    .expect("lock")
                    .get(&user)
                    .copied()
                    .unwrap_or(0);
                let sent = Instant::now();
                let status = http
                    .post(&webhook)
                    .header("X-ZEvent-Signature", mac)
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                acks.push(sent.elapsed());
                assert_eq!(status, 200, "the webhook refused an event");
                loop {
                    let bell = fake.bell.notified();
                    let now = fake.received.lock().expect("lock").get(&user).copied();
                    if now.unwrap_or(0) > before {
                        break;
                    }
                    let _ = tokio::time::timeout(Duration::from_millis(50), bell).await;
                }
                replies.push(sent.elapsed());
            }
            (acks, replies)
        }));
    }
    let (mut acks, mut replies) = (Vec::new(), Vec::new());
    for task in tasks {
        let (a, r) = task.await?;
        acks.extend(a);
        replies.extend(r);
    }
    let took = started.elapsed();
    acks.sort();
    replies.sort();
    let events = users * messages;
    println!("Zalo webhook, SQLite, {users} users × {messages} messages ({events} events)");
    println!(
        "  throughput        {:.0} events/s",
        events as f64 / took.as_secs_f64()
    );
    for (name, sorted) in [("webhook answer", &acks), ("reply at Zalo", &replies)] {
        println!(
            "  {name:<17} p50 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
            percentile(sorted, 0.5).as_secs_f64() * 1e3,
            percentile(sorted, 0.99).as_secs_f64() * 1e3,
            sorted.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}
