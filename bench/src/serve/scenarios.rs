//! The set-ups the load runs against, each started, loaded and stopped in turn.

use std::sync::Arc;

use anyhow::Context;
use cnscd_fakes::telegram::FakeTelegram;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::echo::echo_until;
use super::load::{drive, Delivery, Script};
use super::{AnnouncementFigures, Figures, LoadOptions, LoadReport, Scenario};
use cnscd::chat::ChatKey;
use cnscd::clock::Clock;
use cnscd::conversation::Incoming;
use cnscd::domain::{AccountRole, CompositionRules};
use cnscd::engine::Engine;
use cnscd::i18n::Texts;
use cnscd::ops::limits::known_senders;
use cnscd::ops::limits::HttpLimits;
use cnscd::pipeline::PipelineOptions;
use cnscd::storage::scratch::ScratchDb;
use cnscd::storage::Store;
use cnscd::telegram::{self, ServeOptions, Webhook, WebhookSecret};

const FIRST_CHAT: i64 = 10_000;
/// The announcement's recipients' chats: apart from the talking ones.
const FIRST_MEMBER: i64 = 1_000_000;
const SECRET: &str = "load-test-secret-load-test-secret-0123";

/// What a village head types: an invitation, then the registration's typed answers, then
/// text where a button is expected (answered with a polite reminder, stored like any step).
const ANSWERS: &[&str] = &["Nguyễn Văn An", "0912 345 678", "Trần Thị Bình"];
const AFTER: &str = "Giáo viên";

/// The engines' shared parts.
pub struct Parts {
    pub texts: Arc<Texts>,
    pub rules: Arc<CompositionRules>,
    pub clock: Arc<dyn Clock>,
}

impl Parts {
    async fn engine(&self, url: &str) -> anyhow::Result<Engine> {
        let store = Store::connect(url)
            .await
            .context("opening the bench database")?;
        Ok(Engine::new(
            store,
            self.texts.clone(),
            self.rules.clone(),
            self.clock.clone(),
        ))
    }
}

pub async fn run(options: &LoadOptions, parts: Parts) -> anyhow::Result<LoadReport> {
    let mut report = LoadReport {
        chats: options.chats,
        messages: options.messages,
        ..LoadReport::default()
    };
    let wanted = |scenario: Scenario| options.only.is_empty() || options.only.contains(&scenario);
    if wanted(Scenario::Echo) {
        report.scenarios.push(echo(options).await?);
    }
    if wanted(Scenario::Sqlite) {
        let db = ScratchDb::sqlite()?;
        let name = "cnscd, long polling, SQLite";
        let (figures, _) = polling(options, &parts, db.url(), name, 0).await?;
        report.scenarios.push(figures);
    }
    let on_postgres = [Scenario::Postgres, Scenario::Webhook1, Scenario::Webhooks2];
    match &options.postgres {
        Some(server) => {
            for scenario in on_postgres.into_iter().filter(|s| wanted(*s)) {
                let db = ScratchDb::postgres(server).await?;
                let figures = match scenario {
                    Scenario::Postgres => {
                        let name = "cnscd, long polling, PostgreSQL";
                        polling(options, &parts, db.url(), name, 0)
                            .await
                            .map(|(figures, _)| figures)
                    }
                    Scenario::Webhook1 => webhooks(options, &parts, db.url(), 1).await,
                    _ => webhooks(options, &parts, db.url(), 2).await,
                };
                db.destroy().await;
                report.scenarios.push(figures?);
            }
        }
        None if on_postgres.iter().any(|s| wanted(*s)) => report.skipped.push(format!(
            "the scenarios on PostgreSQL: set {} or pass --postgres",
            cnscd::storage::scratch::POSTGRES_URL_VAR
        )),
        None => {}
    }
    if wanted(Scenario::Announcement) {
        announcements(options, &parts, &mut report).await?;
    }
    Ok(report)
}

/// The announcement scenario: on each engine, the chats talk on a fresh database, then on
/// another with an announcement to `members` chats queued just before they start.
async fn announcements(
    options: &LoadOptions,
    parts: &Parts,
    report: &mut LoadReport,
) -> anyhow::Result<()> {
    let mut engines = vec![("SQLite", None)];
    match &options.postgres {
        Some(server) => engines.push(("PostgreSQL", Some(server.clone()))),
        None => report.skipped.push(format!(
            "the announcement on PostgreSQL: set {} or pass --postgres",
            cnscd::storage::scratch::POSTGRES_URL_VAR
        )),
    }
    for (engine, server) in engines {
        let mut runs = Vec::new();
        for members in [0, options.members] {
            let db = match &server {
                Some(server) => ScratchDb::postgres(server).await?,
                None => ScratchDb::sqlite()?,
            };
            let name = match members {
                0 => format!("cnscd, long polling, {engine}, no announcement"),
                n => format!("cnscd, long polling, {engine}, announcing to {n}"),
            };
            let run = polling(options, parts, db.url(), &name, members).await;
            if server.is_some() {
                db.destroy().await;
            }
            runs.push(run?);
        }
        let (with, bulk_sent) = runs.pop().context("no run")?;
        let (without, _) = runs.pop().context("no run")?;
        report.scenarios.push(without.clone());
        report.scenarios.push(with.clone());
        report.announcements.push(AnnouncementFigures {
            engine: engine.to_owned(),
            members: options.members,
            without,
            with,
            bulk_sent,
        });
    }
    Ok(())
}

/// An announcement to `members` chats, queued as the announce feature queues it: one bulk
/// row per recipient, in one transaction.
async fn queue_announcement(engine: &Engine, members: usize, parts: &Parts) -> anyhow::Result<()> {
    let reply = cnscd::conversation::Reply::text(cnscd::i18n::Html::text(
        "Thông báo: lịch tập huấn Tổ Công nghệ số cộng đồng, 8 giờ sáng thứ Bảy tại nhà văn hoá.",
    ));
    let now = parts.clock.now();
    let mut tx = engine.store().begin().await?;
    for member in 0..members {
        let chat = (FIRST_MEMBER + member as i64).to_string();
        cnscd::storage::outbox::enqueue_bulk(
            &mut tx,
            telegram::CHANNEL.as_str(),
            &chat,
            &reply,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn chat(i: usize) -> i64 {
    FIRST_CHAT + i as i64
}

fn village(i: usize) -> String {
    format!("11083-{:05}", i + 1)
}

fn texts_of(code: &str, messages: usize) -> Vec<String> {
    let mut texts = vec![format!("/start {code}")];
    texts.extend(ANSWERS.iter().map(|a| (*a).to_owned()));
    while texts.len() < messages {
        texts.push(AFTER.to_owned());
    }
    texts.truncate(messages);
    texts
}

async fn echo(options: &LoadOptions) -> anyhow::Result<Figures> {
    let api = Arc::new(FakeTelegram::start_unrecorded().await);
    let bot = api.bot();
    let (stop, stopped) = oneshot::channel::<()>();
    let bot_task = tokio::spawn(echo_until(bot, async {
        let _ = stopped.await;
    }));
    let scripts = (0..options.chats)
        .map(|i| Script {
            chat: chat(i),
            steps: texts_of("x", options.messages)
                .into_iter()
                .map(|t| (t, 1))
                .collect(),
        })
        .collect();
    let name = "teloxide echo bot, long polling (floor)";
    let figures = drive(name, api.clone(), Delivery::Polling, scripts).await;
    // The fake server outlives the bot, so its last poll does not fail.
    let _ = stop.send(());
    let _ = bot_task.await;
    drop(api);
    figures
}

/// cnscd long polling the database at `url`, with an announcement to `members` chats queued
/// first when `members` is not 0; the figures, and how many of the announcement's messages
/// were sent during the run.
async fn polling(
    options: &LoadOptions,
    parts: &Parts,
    url: &str,
    name: &str,
    members: usize,
) -> anyhow::Result<(Figures, i64)> {
    let engine = parts.engine(url).await?;
    let scripts = seed(&engine, options, parts).await?;
    if members > 0 {
        queue_announcement(&engine, members, parts).await?;
    }
    let api = Arc::new(FakeTelegram::start_unrecorded().await);
    let bot = api.bot();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(telegram::serve_until(
        engine.clone(),
        bot,
        ServeOptions {
            throttle: false,
            pipeline: PipelineOptions {
                bulk_rates: options.bulk_rates.clone(),
                ..PipelineOptions::default()
            },
            http: Default::default(),
            beside: Vec::new(),
            metrics: Default::default(),
        },
        async {
            let _ = stopped.await;
        },
    ));
    let figures = drive(name, api.clone(), Delivery::Polling, scripts).await;
    let _ = stop.send(());
    serving.await.context("the bot task failed")??;
    drop(api);
    let bulk_sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE lane = 'bulk' AND sent_at IS NOT NULL",
    )
    .fetch_one(engine.store().pool())
    .await?;
    engine.store().close().await;
    Ok((figures?, bulk_sent))
}

/// `replicas` cnscd replicas behind webhooks on the database at `url`, updates alternating
/// between them.
async fn webhooks(
    options: &LoadOptions,
    parts: &Parts,
    url: &str,
    replicas: usize,
) -> anyhow::Result<Figures> {
    let first = parts.engine(url).await?;
    let scripts = seed(&first, options, parts).await?;
    let mut engines = vec![first];
    while engines.len() < replicas {
        engines.push(parts.engine(url).await?);
    }
    let api = Arc::new(FakeTelegram::start_unrecorded().await);
    let mut urls = Vec::new();
    let mut stops = Vec::new();
    let mut running = Vec::new();
    let mut healths = Vec::new();
    for (replica, engine) in engines.iter().enumerate() {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/telegram", listener.local_addr()?);
        let ops = TcpListener::bind("127.0.0.1:0").await?;
        healths.push(format!("http://{}/healthz", ops.local_addr()?));
        let webhook = Webhook::new(&url::Url::parse(&url)?, WebhookSecret::parse(SECRET)?)?;
        let bot = api.bot();
        let (stop, stopped) = oneshot::channel::<()>();
        running.push(tokio::spawn(telegram::serve_receiving_until(
            engine.clone(),
            bot,
            ServeOptions {
                throttle: false,
                pipeline: PipelineOptions::named(format!("bench-replica-{replica}")),
                // The load generator stands for Telegram (or a load balancer): one address
                // with up to a connection per chat, more than one client may hold.
                http: HttpLimits {
                    known_senders: known_senders(&["127.0.0.1/32".parse()?]),
                    ..HttpLimits::default()
                },
                beside: Vec::new(),
                metrics: Default::default(),
            },
            telegram::Receive::Webhook {
                listener,
                webhook,
                ops: Some(ops),
            },
            async {
                let _ = stopped.await;
            },
        )));
        urls.push(url);
        stops.push(stop);
    }
    // Each replica sends a few requests to the fake server as it starts; wait for all.
    for health in &healths {
        wait_until_up(health).await?;
    }
    let delivery = Delivery::Webhook {
        client: reqwest::Client::new(),
        urls: Arc::new(urls),
        secret: SECRET.to_owned(),
    };
    let name = match replicas {
        1 => "cnscd, 1 replica, webhooks, PostgreSQL".to_owned(),
        n => format!("cnscd, {n} replicas, webhooks, PostgreSQL"),
    };
    let figures = drive(&name, api.clone(), delivery, scripts).await;
    for stop in stops {
        let _ = stop.send(());
    }
    for replica in running {
        replica.await.context("a replica's task failed")??;
    }
    drop(api);
    for engine in &engines {
        engine.store().close().await;
    }
    figures
}

/// Waits until `health` (a replica's `/healthz` on its ops address) answers 200.
async fn wait_until_up(health: &str) -> anyhow::Result<()> {
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(health).await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("the replica with {health} did not come up")
}

/// Villages, one per chat, with an invitation each; the scripts, with how many messages each
/// step is answered with, counted on a chat of its own first.
async fn seed(
    engine: &Engine,
    options: &LoadOptions,
    parts: &Parts,
) -> anyhow::Result<Vec<Script>> {
    let store = engine.store();
    let now = parts.clock.now();
    cnscd::import::load_default_units_if_empty(store, now).await?;
    let mut csv = String::from("commune_code,name,code\n");
    for i in 0..=options.chats {
        csv.push_str(&format!("11083,Thôn Tải {},{}\n", i + 1, village(i)));
    }
    cnscd::import::import_villages(store, csv.as_bytes(), now).await?;
    let mut codes = Vec::new();
    for i in 0..=options.chats {
        let days = chrono::Duration::days(14);
        let role = AccountRole::VillageHead;
        let invitation =
            cnscd::invitation::create_invitation(store, role, &village(i), days, "bench", now)
                .await?;
        codes.push(invitation.code);
    }
    // The last village is the calibration chat's.
    let calibration = codes.pop().context("no invitation")?;
    let key = ChatKey::new(telegram::CHANNEL, chat(options.chats).to_string());
    let mut answers = Vec::new();
    for text in texts_of(&calibration, options.messages) {
        let replies = engine.handle(&key, None, Incoming::Text(text)).await?;
        answers.push(replies.len());
    }
    Ok(codes
        .iter()
        .enumerate()
        .map(|(i, code)| Script {
            chat: chat(i),
            steps: texts_of(code, options.messages)
                .into_iter()
                .zip(answers.iter().copied())
                .collect(),
        })
        .collect())
}
