//! Files downloaded beside the worker: a slow download holds up its own chat only, a batch of
//! photos where one scan is expected fetches one, a stalled download is given up and the head
//! told, and a restart in the middle of one loses nothing and applies it once.

use std::time::Duration;

use cnscd::storage::scratch::{report_skipped, ScratchDb};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use super::*;
use crate::support::fake_telegram::{photo_update, text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{spawn_app, spawn_app_without_bot_on, test_options, CHAT};

/// A resident's chat beside the head's.
const OTHER_CHAT: i64 = 5151;
const NOT_RECEIVED: &str = "Trợ lý chưa nhận được tệp này";
const NOT_NEEDED: &str = "trợ lý không cần tệp nào";

fn scan(n: u8) -> Vec<u8> {
    let mut bytes = b"\xff\xd8\xff\xe0 jpeg of the signed decision ".to_vec();
    bytes.push(b'0' + n);
    bytes
}

/// Waits for the first messages sent to `chat`.
async fn first_answer_to(app: &TelegramApp, chat: i64) -> Vec<String> {
    let deadline = Instant::now() + DEFAULT_WAIT;
    loop {
        let texts = app.tg.sent_texts(chat);
        if !texts.is_empty() {
            return texts;
        }
        assert!(Instant::now() < deadline, "chat {chat} got no answer");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn head_texts(app: &TelegramApp) -> String {
    app.tg.sent_texts(CHAT).join("\n---\n")
}

#[tokio::test]
async fn a_slow_file_download_of_one_chat_does_not_delay_another_chats_answer() {
    // Arrange: the head is asked for the scan; the file server holds every download open.
    let mut app = spawn_app().await;
    app.tg.add_file("decision-photo", scan(1));
    reach_the_decision_scan(&mut app).await;
    app.tg.hold_downloads();

    // Act: the head's scan starts downloading, then a resident writes.
    app.tg
        .push_update(photo_update(app.id(), CHAT, "decision-photo"));
    app.tg.wait_for_downloads(1, DEFAULT_WAIT).await;
    app.tg
        .push_update(text_update(app.id(), OTHER_CHAT, "/start"));
    let other = first_answer_to(&app, OTHER_CHAT).await;

    // Assert: the resident was answered while the scan's download is still held open, and
    // the head's step waits for it.
    assert!(!other.is_empty());
    assert!(
        !head_texts(&app).contains(SAVED),
        "the head's step ran before its file was fetched"
    );
    app.tg.release_downloads();
    app.replies_until(SAVED).await;
    let file = app
        .team()
        .await
        .team
        .decision
        .file
        .expect("the scan is kept");
    assert_eq!(
        file.sha256.as_deref(),
        Some(hex::encode(Sha256::digest(scan(1))).as_str())
    );
    assert_eq!(app.tg.downloads(), 1, "downloaded once");
}

#[tokio::test]
async fn a_batch_of_photos_where_one_scan_is_expected_downloads_only_the_first() {
    // Arrange
    let mut app = spawn_app().await;
    for n in 1..=3 {
        app.tg.add_file(&format!("photo-{n}"), scan(n));
    }
    reach_the_decision_scan(&mut app).await;
    let before = app.tg.sent_texts(CHAT).len();

    // Act: three photos at once (one `getUpdates` batch).
    for n in 1..=3 {
        app.tg
            .push_update(photo_update(app.id(), CHAT, &format!("photo-{n}")));
    }

    // Assert: the first is the scan; the two others are answered, not fetched.
    app.replies_until(SAVED).await;
    let deadline = Instant::now() + DEFAULT_WAIT;
    while app.tg.sent_texts(CHAT)[before..]
        .iter()
        .filter(|t| t.contains(NOT_NEEDED))
        .count()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "the other photos were not answered: {}",
            head_texts(&app)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let looked_up: Vec<Value> = app
        .tg
        .calls("getFile")
        .iter()
        .map(|c| c.body["file_id"].clone())
        .collect();
    assert_eq!(looked_up, ["photo-1"], "only the first photo is looked up");
    assert_eq!(app.tg.downloads(), 1, "only the first photo is downloaded");
    let file = app
        .team()
        .await
        .team
        .decision
        .file
        .expect("the scan is kept");
    assert_eq!(file.file_id, "photo-1");
}

#[tokio::test]
async fn a_download_that_never_completes_is_given_up_and_the_head_is_told() {
    let mut app = stalled_download_given_up(ScratchDb::sqlite().expect("scratch SQLite")).await;

    // The next try goes through.
    app.tg.release_downloads();
    let again = photo_update(app.id(), CHAT, "decision-photo");
    app.push(again, SAVED).await;
    assert!(app.team().await.team.decision.file.is_some());
}

#[tokio::test]
async fn a_download_that_never_completes_is_given_up_and_the_head_is_told_on_postgresql() {
    match ScratchDb::postgres_from_env()
        .await
        .expect("scratch database")
    {
        Some(db) => {
            let mut app = stalled_download_given_up(db).await;
            app.stop_bot().await;
            app.destroy().await;
        }
        None => report_skipped("a download that never completes"),
    }
}

/// The head at the decision scan, downloads given up after 300 ms, the file server never
/// answering: the head is told, asked again, and nothing is stored.
async fn stalled_download_given_up(db: ScratchDb) -> TelegramApp {
    // Arrange
    let mut app = spawn_app_without_bot_on(db).await;
    let mut options = test_options("test-bot");
    options.pipeline.downloads.timeout = Duration::from_millis(300);
    app.start_bot_with(options).await;
    app.tg.add_file("decision-photo", scan(1));
    reach_the_decision_scan(&mut app).await;
    app.tg.hold_downloads();

    // Act
    let update = photo_update(app.id(), CHAT, "decision-photo");
    let replies = app.push(update, NOT_RECEIVED).await;

    // Assert
    assert!(joined(&replies).contains(NOT_RECEIVED));
    app.replies_until(ASK_DECISION_FILE).await;
    assert_eq!(app.team().await.team.decision.file, None);
    assert_eq!(app.tg.downloads(), 1);
    app
}

#[tokio::test]
async fn a_restart_during_a_download_loses_nothing_and_applies_the_file_once() {
    // Arrange: the scan is downloading, held open by the file server.
    let mut app = spawn_app().await;
    app.tg.add_file("decision-photo", scan(1));
    reach_the_decision_scan(&mut app).await;
    app.tg.hold_downloads();
    app.tg
        .push_update(photo_update(app.id(), CHAT, "decision-photo"));
    app.tg.wait_for_downloads(1, DEFAULT_WAIT).await;

    // Act: the bot stops with the download in flight and starts again.
    app.stop_bot().await;
    app.start_bot().await;
    app.tg.wait_for_downloads(2, DEFAULT_WAIT).await;
    app.tg.release_downloads();

    // Assert: the scan is fetched again and applied, once.
    app.replies_until(SAVED).await;
    assert!(app.team().await.team.decision.file.is_some());
    // Whatever ran twice would run before the answer to a later message of the chat.
    let before = app.tg.sent_texts(CHAT).len();
    app.tg.push_update(text_update(app.id(), CHAT, "/help"));
    let deadline = Instant::now() + DEFAULT_WAIT;
    while app.tg.sent_texts(CHAT).len() == before {
        assert!(Instant::now() < deadline, "no answer to /help");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let saved = app
        .tg
        .sent_texts(CHAT)
        .iter()
        .filter(|t| t.contains(SAVED))
        .count();
    assert_eq!(saved, 1, "the step ran once: {}", head_texts(&app));
}
