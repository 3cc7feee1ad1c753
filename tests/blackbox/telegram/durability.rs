//! The durable path at its seams: a process that dies between a step's commit and its
//! replies, or between recording a polled batch and confirming it to Telegram; a replica on
//! PostgreSQL that dies after the commit; Telegram asking one chat to wait; no step
//! waiting on a second connection, however many chats start at once; and the inbox alone
//! keeping a chat's updates once and in order.

use std::sync::Arc;
use std::time::Duration;

use cnscd::conversation::{Incoming, Reply};
use cnscd::ops::metrics::Metrics;
use cnscd::pipeline::{Channel, SendError, Worker};
use cnscd::storage::inbox::{self, NewEvent};
use cnscd::storage::scratch::{report_skipped, ScratchDb};
use futures::future::BoxFuture;

use super::*;
use crate::support::fake_telegram::{text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{
    spawn_app, spawn_app_without_bot, spawn_app_without_bot_on, TelegramApp, CHAT,
};
use crate::support::webhook::start_replica;

/// A channel named like Telegram whose replies never go out: the process "dies" right after
/// the step's commit, before sending.
struct DiesBeforeSending;

impl Channel for DiesBeforeSending {
    fn name(&self) -> cnscd::chat::ChannelName {
        cnscd::chat::ChannelName::Telegram
    }

    fn send<'a>(&'a self, _: &'a str, _: &'a Reply) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async { unreachable!("this replica died before sending") })
    }
}

/// Records `text` from the head as update `id` and applies it as replica `owner` would, up to
/// the commit of the step, then "dies": its replies are only in the outbox.
async fn apply_then_die(app: &TelegramApp, owner: &str, id: i64, text: &str) {
    let engine = app.fresh_engine().await;
    let body = serde_json::to_string(&Incoming::Text(text.to_owned())).expect("event");
    let event = NewEvent {
        channel: cnscd::chat::ChannelName::Telegram,
        chat_id: CHAT.to_string(),
        update_id: Some(id.to_string()),
        body,
    };
    let mut tx = engine.store().begin().await.expect("transaction");
    inbox::record(&mut tx, &[event], owner, chrono::Utc::now())
        .await
        .expect("recorded");
    tx.commit().await.expect("commit");
    let channel: Arc<dyn Channel> = Arc::new(DiesBeforeSending);
    let worker = Worker::new(engine.clone(), owner.into(), vec![channel], Metrics::new());
    let round = worker.run_round().await.expect("the step commits");
    assert_eq!(round.events, 1);
    assert!(
        !round.queued.is_empty(),
        "the step's replies are in the outbox"
    );
    engine.store().close().await;
}

/// How many messages to the head contained `question`.
fn times_asked(app: &TelegramApp, question: &str) -> usize {
    let texts = app.tg.sent_texts(CHAT);
    texts.iter().filter(|t| t.contains(question)).count()
}

#[tokio::test]
async fn a_crash_between_the_commit_and_the_send_delivers_the_answer_after_the_restart() {
    // Arrange: the welcome is committed, its replies never sent, the offset never confirmed.
    let mut app = spawn_app_without_bot().await;
    let id = app.id();
    let start = format!("/start {}", app.invitation);
    apply_then_die(&app, "test-bot", id, &start).await;
    app.tg.push_update(text_update(id, CHAT, &start));

    // Act: the process starts again under its name; Telegram delivers the update again.
    app.start_bot().await;
    let welcome = app.replies_until(ASK_LEADER_NAME).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    // Assert: the answer came once, from the outbox; the redelivery was recognised.
    assert!(joined(&welcome).contains("Thôn Đông Sơn"));
    assert_eq!(
        times_asked(&app, ASK_LEADER_NAME),
        1,
        "the welcome was sent once"
    );
    app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;
}

#[tokio::test]
async fn a_crash_between_recording_a_polled_batch_and_confirming_it_applies_each_update_once() {
    // Arrange: the batch is recorded (as the polling loop does first), then the process dies
    // before the next getUpdates confirms it, so Telegram still holds it.
    let mut app = spawn_app_without_bot().await;
    let start = format!("/start {}", app.invitation);
    let first = text_update(app.id(), CHAT, &start);
    let second = text_update(app.id(), CHAT, "Nguyễn Văn An");
    let events: Vec<NewEvent> = [(&first, start.as_str()), (&second, "Nguyễn Văn An")]
        .iter()
        .map(|(update, text)| NewEvent {
            channel: cnscd::chat::ChannelName::Telegram,
            chat_id: CHAT.to_string(),
            update_id: Some(update["update_id"].to_string()),
            body: serde_json::to_string(&Incoming::Text((*text).to_owned())).expect("event"),
        })
        .collect();
    let mut tx = app.store.begin().await.expect("transaction");
    inbox::record(&mut tx, &events, "test-bot", chrono::Utc::now())
        .await
        .expect("recorded");
    tx.commit().await.expect("commit");
    app.tg.push_update(first);
    app.tg.push_update(second);

    // Act
    app.start_bot().await;
    app.replies_until(ASK_LEADER_PHONE).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    // Assert: each update applied once: one welcome, one question for the phone.
    let texts = app.tg.sent_texts(CHAT);
    let count = |needle: &str| texts.iter().filter(|t| t.contains(needle)).count();
    assert_eq!(
        (count(ASK_LEADER_NAME), count(ASK_LEADER_PHONE)),
        (1, 1),
        "{texts:#?}"
    );
    app.say("0912 345 678", ASK_LEADER_CONSENT).await;
}

/// Records `text` from the head as update `id` (as the adapters do); `false` when the inbox
/// held that update id already.
async fn record(app: &TelegramApp, id: i64, text: &str) -> bool {
    let event = NewEvent {
        channel: cnscd::chat::ChannelName::Telegram,
        chat_id: CHAT.to_string(),
        update_id: Some(id.to_string()),
        body: serde_json::to_string(&Incoming::Text(text.to_owned())).expect("event"),
    };
    let mut tx = app.store.begin().await.expect("transaction");
    let new = inbox::record(&mut tx, &[event], "test-bot", chrono::Utc::now())
        .await
        .expect("recorded");
    tx.commit().await.expect("commit");
    !new.is_empty()
}

/// One worker round of `app`'s inbox: how many events it took and how many replies it wrote.
async fn one_round(app: &TelegramApp) -> (usize, usize) {
    let channel: Arc<dyn Channel> = Arc::new(DiesBeforeSending);
    let worker = Worker::new(
        app.engine.clone(),
        "test-bot".into(),
        vec![channel],
        Metrics::new(),
    );
    let round = worker.run_round().await.expect("the round commits");
    (round.events, round.queued.len())
}

async fn an_update_older_than_one_applied_is_skipped_and_a_repeat_is_not_recorded(db: ScratchDb) {
    // Arrange: the welcome, then update 12 (the head's name) applied before update 11 (a
    // name typed earlier, recorded late: another replica was slow to record it).
    let app = spawn_app_without_bot_on(db).await;
    assert!(record(&app, 10, &format!("/start {}", app.invitation)).await);
    assert_eq!(one_round(&app).await.0, 1, "the welcome is applied");
    assert!(record(&app, 12, "Nguyễn Văn An").await);
    let (events, replies) = one_round(&app).await;
    assert_eq!((events, replies > 0), (1, true), "update 12 is answered");

    // Act: update 11 comes now; update 12 comes again (a redelivery).
    assert!(
        record(&app, 11, "Trần Văn Sai").await,
        "11 is new to the inbox"
    );
    let late = one_round(&app).await;
    let again = record(&app, 12, "Nguyễn Văn An").await;
    let after_repeat = one_round(&app).await;

    // Assert: 11 is taken and acknowledged, but neither applied nor answered; 12 is kept
    // once; the chat still waits for the phone, with the name of update 12.
    assert_eq!(late, (1, 0), "the late update is skipped without a reply");
    assert!(
        !again,
        "the repeat of update 12 is not recorded a second time"
    );
    assert_eq!(after_repeat, (0, 0), "nothing is left to apply");
    let session = app.engine.session(&app.chat()).await.expect("session");
    let json = serde_json::to_string(&session.state).expect("state");
    assert!(json.contains("Nguyễn Văn An"), "{json}");
    assert!(!json.contains("Trần Văn Sai"), "{json}");
    app.destroy().await;
}

#[tokio::test]
async fn an_update_older_than_one_applied_is_skipped_and_a_repeat_is_not_recorded_on_sqlite() {
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    an_update_older_than_one_applied_is_skipped_and_a_repeat_is_not_recorded(db).await;
}

#[tokio::test]
async fn an_update_older_than_one_applied_is_skipped_and_a_repeat_is_not_recorded_on_postgresql() {
    match ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    {
        Some(db) => {
            an_update_older_than_one_applied_is_skipped_and_a_repeat_is_not_recorded(db).await
        }
        None => report_skipped("an update older than one applied"),
    }
}

#[tokio::test]
async fn a_webhook_replica_killed_after_the_commit_leaves_the_answer_to_the_other() {
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    replica_killed_after_the_commit(db).await;
}

#[tokio::test]
async fn a_webhook_replica_killed_after_the_commit_leaves_the_answer_to_the_other_on_postgresql() {
    match ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    {
        Some(db) => replica_killed_after_the_commit(db).await,
        None => report_skipped("replica killed after the commit"),
    }
}

async fn replica_killed_after_the_commit(db: ScratchDb) {
    // Arrange: replica A committed the welcome and died before sending it.
    let mut app = spawn_app_without_bot_on(db).await;
    let id = app.id();
    let start = format!("/start {}", app.invitation);
    apply_then_die(&app, "replica-dead", id, &start).await;

    // Act: Telegram got no 200 from A and delivers the update to B.
    let b = start_replica(&app).await;
    app.deliver_to(b.target());
    let status = app.post_update(&text_update(id, CHAT, &start)).await;
    let welcome = app.replies_until(ASK_LEADER_NAME).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    // Assert: B took over A's unsent answer, and the redelivery was not answered again.
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(joined(&welcome).contains("Thôn Đông Sơn"));
    assert_eq!(
        times_asked(&app, ASK_LEADER_NAME),
        1,
        "the welcome was sent once"
    );
    b.shutdown().await;
    app.destroy().await;
}

#[tokio::test]
async fn telegram_asking_one_chat_to_wait_does_not_hold_back_the_others() {
    // Arrange: two chats with a message each in the outbox; Telegram asks the first to wait
    // three seconds.
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let (waiting, other) = (8001_i64, 8002_i64);
    let mut tx = app.store.begin().await.expect("transaction");
    for (chat, text) in [(waiting, "chờ một chút"), (other, "không phải chờ")] {
        let reply = Reply::text(cnscd::i18n::Html::text(text));
        cnscd::storage::outbox::enqueue(
            &mut tx,
            "telegram",
            &chat.to_string(),
            &reply,
            None,
            app.engine.now(),
        )
        .await
        .expect("queued");
    }
    tx.commit().await.expect("commit");
    app.tg.rate_limit_chat(waiting, 3, 1);

    // Act
    app.start_bot().await;
    let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
    while app.tg.sent_texts(other).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other chat is served"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Assert: the other chat was served while the first still waits; then the first too.
    assert!(
        app.tg.sent_texts(waiting).is_empty(),
        "the rate-limited chat waits its retry_after"
    );
    while app.tg.sent_texts(waiting).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the waiting chat is served"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.tg.sent_texts(waiting), ["chờ một chút"]);
}

#[tokio::test]
async fn more_chats_than_connections_starting_at_once_after_a_restart_are_all_answered() {
    // Arrange: eight residents (the SQLite pool has four connections) look for a village at
    // the same moment, on an engine that has not read the place index yet.
    let app = spawn_app_without_bot().await;
    let chat = |n: i64| {
        cnscd::chat::ChatKey::new(cnscd::chat::ChannelName::Telegram, format!("{}", 9000 + n))
    };
    for n in 0..8 {
        let find = Incoming::Text("/tim".into());
        app.engine
            .handle(&chat(n), None, find)
            .await
            .expect("asked");
    }
    let engine = app.fresh_engine().await;

    // Act
    let searches = (0..8).map(|n| {
        let engine = engine.clone();
        async move {
            let name = Incoming::Text("Đông Sơn".into());
            engine.handle(&chat(n), None, name).await
        }
    });
    let all = tokio::time::timeout(DEFAULT_WAIT, futures::future::join_all(searches))
        .await
        .expect("no step waits on a connection held by another");

    // Assert: every search found the village; none got the apology.
    for replies in all {
        let replies = replies.expect("the step succeeds");
        let text: String = replies.iter().map(|r| r.text.as_str().to_owned()).collect();
        assert!(text.contains("Thôn Đông Sơn"), "{text}");
    }
}

#[tokio::test]
async fn a_file_sent_where_no_file_is_asked_for_is_never_downloaded() {
    // Arrange: a resident (no role, no dialogue open) and a PDF the bot could fetch.
    let mut app = spawn_app().await;
    app.tg.add_file("resident-pdf", vec![b'%'; 4096]);
    let pdf = crate::support::fake_telegram::document_update(
        app.id(),
        CHAT,
        "resident-pdf",
        "tai-lieu.pdf",
        "application/pdf",
    );

    // Act
    app.tg.push_update(pdf);
    app.tg.wait_for_messages(1, DEFAULT_WAIT).await;
    app.say("/start", "Tổ Công nghệ số cộng đồng").await;

    // Assert: answered politely, and nothing was fetched from Telegram.
    assert!(
        app.tg.calls("getFile").is_empty(),
        "the file was looked up although no step asked for one"
    );
}
