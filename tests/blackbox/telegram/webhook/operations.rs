//! A running replica: health and metrics, a graceful shutdown, a database that fails.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{metric, recorded};
use crate::support::fake_telegram::{callback_update, text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{post_update, spawn_app_without_bot, text_of, CHAT};
use crate::support::webhook::start_replica;
use crate::telegram::*;

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
        Some(cnscd::storage::outbox::DedupKey::Alert {
            campaign: 1,
            channel: "telegram",
            chat_id: "7002",
            slot: "d-7",
        }),
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
