//! Residents' search follows the place tree as it is now, without a restart.

use std::time::{Duration, Instant};

use crate::support::fake_telegram::{text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{spawn_app, text_of, TelegramApp, CHAT};

/// The first reply to `text`, whatever it says.
async fn answer_to(app: &TelegramApp, text: &str) -> String {
    let before = app.tg.sent_messages().len();
    app.tg.push_update(text_update(app.id(), CHAT, text));
    let deadline = Instant::now() + DEFAULT_WAIT;
    loop {
        if let Some(reply) = app.tg.sent_messages().get(before) {
            return text_of(reply).to_owned();
        }
        assert!(Instant::now() < deadline, "no answer to {text:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_village_imported_beside_the_running_bot_is_found_without_a_restart() {
    // Arrange: the bot runs and has read the place tree (a resident searched once).
    let app = spawn_app().await;
    let before = answer_to(&app, "cau dong").await;
    assert!(before.contains("Không tìm thấy nơi nào"), "{before}");

    // Act: `cnscd import villages` beside it, on connections of its own.
    let file = "commune_code,name\n11083,Thôn Cầu Dòng\n";
    cnscd::import::import_villages(&app.store, file.as_bytes(), app.engine.now())
        .await
        .expect("the villages import");

    // Assert: the same search, a moment later, finds the village.
    let deadline = Instant::now() + DEFAULT_WAIT;
    loop {
        let answer = answer_to(&app, "cau dong").await;
        if answer.contains("Thôn Cầu Dòng") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the running bot's search never saw the imported village: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.destroy().await;
}
