//! Webhooks end to end: updates POSTed to replicas as Telegram does, replies going to the fake
//! Bot API server, two replicas sharing one database.

use std::time::Duration;

use cnscd::conversation::State;
use cnscd::storage::scratch::{report_skipped, ScratchDb};
use cnscd::storage::TeamStatus;
use cnscd::telegram::{serve_receiving_until, Receive};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::support::fake_telegram::{callback_update, text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{
    post_update, spawn_app_without_bot, spawn_app_without_bot_on, text_of, TelegramApp, CHAT,
};
use crate::support::webhook::{start_replica, Replica, SECRET};

/// Rows in `table` (a table the test knows exists).
async fn count(app: &TelegramApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.store.pool())
        .await
        .expect("count query")
}

/// Whether `update_id` is recorded as processed.
/// Whether the update is in the inbox.
async fn recorded(app: &TelegramApp, update_id: i64) -> bool {
    let found: Option<String> =
        sqlx::query_scalar("SELECT update_id FROM inbox WHERE update_id = $1")
            .bind(update_id.to_string())
            .fetch_optional(app.store.pool())
            .await
            .expect("inbox query");
    found.is_some()
}

/// The `/metrics` line starting with `series`, e.g. `cnscd_alerts_sent_total`.
async fn metric(replica: &Replica, series: &str) -> Option<String> {
    let (status, text) = replica.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    text.lines()
        .find(|line| line.starts_with(&format!("{series} ")))
        .map(str::to_owned)
}

#[tokio::test]
async fn requests_without_the_secret_or_with_a_wrong_one_get_401_and_change_nothing() {
    // Arrange
    let app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;
    let target = replica.target();
    let start = text_update(app.id(), CHAT, &format!("/start {}", app.invitation));

    // Act
    let without = post_update(&target, None, &start).await;
    let wrong = post_update(&target, Some("test-secret_0124"), &start).await;
    let empty = post_update(&target, Some(""), &start).await;

    // Assert
    for (case, status) in [("no header", without), ("wrong", wrong), ("empty", empty)] {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}");
    }
    for table in ["processed_updates", "dialogue_states", "accounts"] {
        assert_eq!(count(&app, table).await, 0, "nothing stored in {table}");
    }
    assert!(app.tg.calls("sendMessage").is_empty(), "no reply sent");
    let refused = metric(&replica, "cnscd_webhook_unauthorized_total").await;
    assert_eq!(
        refused.as_deref(),
        Some("cnscd_webhook_unauthorized_total 3")
    );
}

#[tokio::test]
async fn the_right_secret_gets_the_update_recorded_before_the_200_and_answered_after() {
    // Arrange
    let mut app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;
    app.deliver_to(replica.target());
    let update_id = app.id();
    let start = text_update(update_id, CHAT, &format!("/start {}", app.invitation));

    // Act
    let status = app.post_update(&start).await;

    // Assert: with the 200 in hand, without waiting, the update is in the inbox; the step
    // and its reply follow.
    assert_eq!(status, StatusCode::OK);
    assert!(recorded(&app, update_id).await, "the update is recorded");
    app.replies_until(ASK_LEADER_NAME).await;
    let session = app.engine.session(&app.chat()).await.expect("session");
    assert!(
        matches!(session.state, State::Registering(_)),
        "the registration started: {:?}",
        session.state
    );
    let replies = app.tg.sent_texts(CHAT);
    assert!(
        replies.iter().any(|text| text.contains(ASK_LEADER_NAME)),
        "the welcome reached Telegram: {replies:#?}"
    );
}

#[tokio::test]
async fn the_same_update_delivered_twice_is_applied_once_with_one_reply() {
    // Arrange
    let mut app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;
    app.deliver_to(replica.target());
    let start = text_update(app.id(), CHAT, &format!("/start {}", app.invitation));
    assert_eq!(app.post_update(&start).await, StatusCode::OK);
    app.replies_until(ASK_LEADER_NAME).await;
    let after_first = app.engine.session(&app.chat()).await.expect("session");
    let replies_after_first = app.tg.sent_messages().len();

    // Act: Telegram did not get the 200 in time and delivers it again.
    let again = app.post_update(&start).await;
    tokio::time::sleep(Duration::from_millis(700)).await;

    // Assert
    assert_eq!(again, StatusCode::OK, "a duplicate is acknowledged");
    let after_second = app.engine.session(&app.chat()).await.expect("session");
    assert_eq!(after_second, after_first, "the state advanced once");
    assert_eq!(
        app.tg.sent_messages().len(),
        replies_after_first,
        "the duplicate got no reply"
    );
    let duplicates = metric(&replica, "cnscd_updates_total{outcome=\"duplicate\"}").await;
    assert_eq!(
        duplicates.as_deref(),
        Some("cnscd_updates_total{outcome=\"duplicate\"} 1")
    );
}

#[tokio::test]
async fn a_replica_killed_mid_registration_leaves_the_rest_to_the_other() {
    let db = ScratchDb::sqlite().expect("scratch SQLite");
    killed_replica_leaves_the_rest_to_the_other(db).await;
}

#[tokio::test]
async fn a_replica_killed_mid_registration_leaves_the_rest_to_the_other_on_postgresql() {
    match ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    {
        Some(db) => killed_replica_leaves_the_rest_to_the_other(db).await,
        None => report_skipped("killed replica"),
    }
}

async fn killed_replica_leaves_the_rest_to_the_other(db: ScratchDb) {
    // Arrange: two replicas on one database behind a load balancer; the head is half-way.
    let mut app = spawn_app_without_bot_on(db).await;
    let a = start_replica(&app).await;
    let b = start_replica(&app).await;
    app.deliver_to(a.target());
    start_and_enter_the_leader(&mut app).await;
    enter_member(&mut app, &YOUTH_SECRETARY).await;
    let last_on_a = app.id() - 1;

    // Act: A dies; the load balancer sends everything to B, including the last update A had
    // answered (Telegram may redeliver it when the 200 got lost with A).
    a.kill();
    app.deliver_to(b.target());
    let redelivered = text_update(last_on_a, CHAT, YOUTH_SECRETARY.workplace);
    let seen_before = app.tg.sent_messages().len();
    assert_eq!(app.post_update(&redelivered).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        app.tg.sent_messages().len(),
        seen_before,
        "B knows the update was applied on A and answers nothing"
    );
    add_the_teacher_and_save(&mut app).await;

    // Assert: the team is saved whole, the member entered through A first.
    let team = app.team().await;
    assert_eq!(team.status, TeamStatus::Registered);
    let draft = &team.team;
    assert_eq!(
        draft.leader_name.as_ref().map(|n| n.as_str()),
        Some("Nguyễn Văn An")
    );
    let members: Vec<(&str, &str, Option<&str>)> = draft
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.phone.e164(), m.workplace.as_deref()))
        .collect();
    assert_eq!(
        members,
        [
            (
                "Trần Thị Bình",
                "+84987654321",
                Some(YOUTH_SECRETARY.workplace)
            ),
            ("Lê Văn Cường", "+84903123456", Some(TEACHER.workplace)),
        ]
    );
    b.shutdown().await;
    app.destroy().await;
}

#[tokio::test]
async fn healthz_answers_while_the_database_does_and_metrics_count_what_happens() {
    // Arrange: an alert waiting in the outbox for an official's chat.
    let mut app = spawn_app_without_bot().await;
    let official = 7002_i64;
    let mut tx = app.store.begin().await.expect("transaction");
    let reply = cnscd::conversation::Reply::text(cnscd::i18n::Html::text("nhắc hạn"));
    cnscd::storage::outbox::enqueue(
        &mut tx,
        "telegram",
        &official.to_string(),
        &reply,
        Some("alert:1:telegram:7002:d-7"),
        app.engine.now(),
    )
    .await
    .expect("queued");
    tx.commit().await.expect("commit");
    let replica = start_replica(&app).await;
    app.deliver_to(replica.target());

    // Act
    let (health, body) = replica.get("/healthz").await;
    start(&mut app).await;
    let again = text_update(app.id() - 1, CHAT, &format!("/start {}", app.invitation));
    assert_eq!(app.post_update(&again).await, StatusCode::OK);
    let garbage = json!({ "not": "an update" });
    assert_eq!(
        app.post_update(&garbage).await,
        StatusCode::OK,
        "garbage is not retried"
    );
    let intruder = post_update(&replica.target(), Some("guess"), &again).await;
    let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
    while app.tg.sent_texts(official).is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Assert
    assert_eq!((health, body.as_str()), (StatusCode::OK, "ok\n"));
    assert_eq!(intruder, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.tg.sent_texts(official),
        ["nhắc hạn"],
        "the alert went out"
    );
    let expected = [
        ("cnscd_updates_total{outcome=\"applied\"}", "1"),
        ("cnscd_updates_total{outcome=\"duplicate\"}", "1"),
        ("cnscd_errors_total{kind=\"unreadable_update\"}", "1"),
        ("cnscd_update_duration_seconds_count", "2"),
        ("cnscd_webhook_unauthorized_total", "1"),
        ("cnscd_alerts_sent_total", "1"),
    ];
    for (series, value) in expected {
        let want = format!("{series} {value}");
        // The outbox worker counts just after Telegram took the message: wait a little.
        let mut got = metric(&replica, series).await;
        for _ in 0..100 {
            if got.as_deref() == Some(want.as_str()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            got = metric(&replica, series).await;
        }
        assert_eq!(got.as_deref(), Some(want.as_str()), "{series}");
    }

    // Act / Assert: the database goes away, the replica says so.
    replica.store.close().await;
    let (health, _) = replica.get("/healthz").await;
    assert_eq!(health, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn an_update_in_flight_at_shutdown_is_finished_and_answered_200() {
    // Arrange: the database is busy (another replica holds SQLite's write lock), so an update
    // cannot be recorded yet.
    let app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;
    let target = replica.target();
    let update_id = app.id();
    let lock = app.store.begin().await.expect("write lock");
    let press = callback_update(update_id, CHAT, "0:menu");
    let request =
        tokio::spawn(async move { post_update(&target, Some(&target.secret), &press).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !request.is_finished(),
        "no answer to Telegram before the update is recorded"
    );

    assert!(
        app.tg.calls("answerCallbackQuery").is_empty(),
        "the press is acknowledged only once recorded"
    );

    // Act: SIGTERM, then the database frees up.
    let stopping = tokio::spawn(replica.shutdown());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !stopping.is_finished(),
        "shutdown waits for the update in flight"
    );
    lock.rollback().await.expect("lock released");

    // Assert
    let status = request.await.expect("request task");
    assert_eq!(status, StatusCode::OK);
    stopping.await.expect("the replica stopped cleanly");
    assert!(recorded(&app, update_id).await, "the update is recorded");
    let replies: Vec<Value> = app.tg.sent_messages();
    assert!(
        !replies.is_empty() && replies.iter().all(|m| !text_of(m).is_empty()),
        "the press was answered in the chat: {replies:#?}"
    );
}

#[tokio::test]
async fn an_update_the_database_cannot_record_gets_503_and_one_apology_until_it_succeeds() {
    // Arrange: the database refuses to record one particular update.
    let mut app = spawn_app_without_bot().await;
    let replica = start_replica(&app).await;
    app.deliver_to(replica.target());
    start(&mut app).await;
    let doomed = app.id();
    app.refuse_to_record(doomed).await;
    let name = text_update(doomed, CHAT, "Nguyễn Văn An");
    let before = app.tg.sent_messages().len();

    // Act: Telegram delivers it, gets a 503, retries twice more.
    let first = app.post_update(&name).await;
    let second = app.post_update(&name).await;
    sqlx::query("DROP TRIGGER refuse_update")
        .execute(app.store.pool())
        .await
        .expect("drop trigger");
    let third = app.post_update(&name).await;

    // Assert
    assert_eq!(
        [first, second, third],
        [
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::OK
        ]
    );
    app.replies_until(ASK_LEADER_PHONE).await;
    let texts: Vec<String> = app.tg.sent_texts(CHAT).split_off(before);
    assert_eq!(texts.len(), 2, "one apology, then the answer: {texts:#?}");
    assert!(
        texts[0].contains("không cần gửi lại"),
        "the apology says not to send it again: {}",
        texts[0]
    );
    assert!(texts[1].contains(ASK_LEADER_PHONE), "{}", texts[1]);
    let failed = metric(&replica, "cnscd_updates_total{outcome=\"failed\"}").await;
    assert_eq!(
        failed.as_deref(),
        Some("cnscd_updates_total{outcome=\"failed\"} 2")
    );
}

#[tokio::test]
async fn long_polling_serves_healthz_and_metrics_when_given_a_listener() {
    // Arrange
    let mut app = spawn_app_without_bot().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let receive = Receive::Polling {
        listener: Some(listener),
        public: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(serve_receiving_until(
        app.fresh_engine().await,
        app.tg.bot(),
        crate::support::telegram_app::test_options("ops"),
        receive,
        async move {
            let _ = stopped.await;
        },
    ));

    // Act
    start(&mut app).await;
    let health = reqwest::get(format!("{base}/healthz")).await.expect("GET");
    let metrics = reqwest::get(format!("{base}/metrics")).await.expect("GET");

    // Assert
    assert_eq!(health.status(), StatusCode::OK);
    let metrics = metrics.text().await.expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l == "cnscd_updates_total{outcome=\"applied\"} 1"),
        "{metrics}"
    );
    let _ = stop.send(());
    let stopped = tokio::time::timeout(DEFAULT_WAIT, bot).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "stopped cleanly: {stopped:?}"
    );
}

#[tokio::test]
async fn serve_with_a_webhook_url_but_no_secret_refuses_to_start_and_says_what_to_set() {
    // Arrange
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("cnscd.db").display());

    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args([
            "serve",
            "--webhook-url",
            "https://bot.example.org/telegram/updates",
        ])
        .env_remove("CNSCD_WEBHOOK_SECRET")
        .env("TELOXIDE_TOKEN", "1234567:fake-telegram-token")
        .env("DATABASE_URL", &database)
        .output()
        .await
        .expect("cnscd runs");

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit code 1; stderr: {stderr}"
    );
    assert!(
        stderr.contains("CNSCD_WEBHOOK_SECRET is not set"),
        "the message names the variable: {stderr}"
    );
    assert!(
        !dir.path().join("cnscd.db").exists(),
        "refused before opening the database"
    );
}

#[tokio::test]
async fn webhook_set_gives_telegram_the_url_the_secret_and_the_updates_the_bot_handles() {
    // Arrange
    let app = spawn_app_without_bot().await;
    let bot = app.tg.bot();
    let secret = cnscd::telegram::WebhookSecret::parse(SECRET).expect("valid secret");
    let args = cnscd::config::WebhookSetArgs {
        url: url::Url::parse("https://bot.example.org/telegram/updates").expect("URL"),
        max_connections: Some(10),
        drop_pending_updates: true,
        telegram: cnscd::config::TelegramArgs {
            token: None,
            api_url: None,
        },
    };
    let mut out = Vec::new();

    // Act
    cnscd::cli::webhook::set(&bot, &args, &secret, &mut out)
        .await
        .expect("webhook set");
    cnscd::cli::webhook::delete(&bot, false, &mut out)
        .await
        .expect("webhook deleted");
    cnscd::cli::webhook::info(&bot, &mut out)
        .await
        .expect("webhook info");

    // Assert
    let set = app.tg.wait_for_method("setWebhook", DEFAULT_WAIT).await;
    assert_eq!(set.body["url"], "https://bot.example.org/telegram/updates");
    assert_eq!(set.body["secret_token"], SECRET);
    assert_eq!(
        set.body["allowed_updates"],
        json!(["message", "callback_query"])
    );
    assert_eq!(set.body["max_connections"], 10);
    assert_eq!(set.body["drop_pending_updates"], true);
    let delete = app.tg.wait_for_method("deleteWebhook", DEFAULT_WAIT).await;
    assert_ne!(delete.body["drop_pending_updates"], true);
    let printed = String::from_utf8(out).expect("UTF-8");
    for expected in ["Webhook set", "Webhook deleted", "URL:               none"] {
        assert!(printed.contains(expected), "no {expected:?} in:\n{printed}");
    }
}
