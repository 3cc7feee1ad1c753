//! What reaches the Zalo webhook: only Zalo's signed events for this app, recently, each
//! applied once.

use serde_json::json;

use crate::support::fake_zalo::{signature, signed, User, APP_ID, OA_SECRET_KEY};
use crate::support::zalo_app::{spawn_zalo_app, VERIFICATION_CONTENT, VERIFICATION_FILE};

async fn recorded(app: &crate::support::zalo_app::ZaloApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM inbox")
        .fetch_one(app.store.pool())
        .await
        .expect("inbox")
}

#[tokio::test]
async fn an_unsigned_or_wrongly_signed_event_is_refused_and_nothing_is_recorded() {
    // Arrange
    let app = spawn_zalo_app().await;
    let event = User::new("501").text("/start");
    let forged = signature(APP_ID, &event.body, "0", "a guessed key");
    // Act
    let missing = app.post_raw(&event.body, None).await;
    let wrong = app.post_raw(&event.body, Some(&forged)).await;
    let tampered = app
        .post_raw(
            &event.body.replace("/start", "/help"),
            Some(&event.signature),
        )
        .await;
    // Assert
    assert_eq!((missing, wrong, tampered), (401, 401, 401));
    assert_eq!(recorded(&app).await, 0);
    assert!(app.zalo.sent().is_empty());
    app.destroy().await;
}

#[tokio::test]
async fn another_apps_event_and_a_stale_event_are_refused() {
    // Arrange
    let app = spawn_zalo_app().await;
    let other_app = signed(json!({
        "app_id": "999", "event_name": "user_send_text",
        "timestamp": chrono::Utc::now().timestamp_millis().to_string(),
        "sender": {"id": "501"}, "message": {"msg_id": "a1", "text": "/start"},
    }));
    let old = (chrono::Utc::now() - chrono::Duration::hours(4)).timestamp_millis();
    let stale = signed(json!({
        "app_id": APP_ID, "event_name": "user_send_text", "timestamp": old.to_string(),
        "sender": {"id": "501"}, "message": {"msg_id": "a2", "text": "/start"},
    }));
    // Act
    let other = app.post(&other_app).await;
    let late = app.post(&stale).await;
    // Assert
    assert_eq!((other, late), (401, 401));
    assert_eq!(recorded(&app).await, 0);
    app.destroy().await;
}

#[tokio::test]
async fn zalos_last_retry_almost_two_hours_late_is_still_applied() {
    // Arrange: Zalo retries after 30 s, 5, 15, 30 minutes and an hour, with the first
    // timestamp; the last retry arrives 1 h 50 min 30 s after it.
    let app = spawn_zalo_app().await;
    let sent = chrono::Utc::now() - chrono::Duration::seconds(30 + (5 + 15 + 30 + 60) * 60);
    let retry = signed(json!({
        "app_id": APP_ID, "event_name": "user_send_text",
        "timestamp": sent.timestamp_millis().to_string(),
        "sender": {"id": "503"}, "message": {"msg_id": "late1", "text": "/start"},
    }));
    // Act
    let status = app.post(&retry).await;
    app.settle().await;
    // Assert
    assert_eq!(status, 200, "the late retry is taken");
    assert_eq!(recorded(&app).await, 1);
    assert!(!app.zalo.sent_to("503").is_empty(), "and answered");
    app.destroy().await;
}

#[tokio::test]
async fn a_replayed_message_id_is_applied_once() {
    // Arrange
    let app = spawn_zalo_app().await;
    let event = User::new("502").text("Thôn Đông Sơn");
    // Act
    app.say(&event).await;
    let again = app.post(&event).await;
    app.settle().await;
    // Assert
    assert_eq!(again, 200, "a redelivery is acknowledged");
    assert_eq!(recorded(&app).await, 1);
    assert_eq!(app.zalo.sent_to("502").len(), 1, "one answer, not two");
    app.destroy().await;
}

#[tokio::test]
async fn following_the_oa_gets_the_welcome_and_echoes_are_ignored() {
    // Arrange
    let app = spawn_zalo_app().await;
    let user = User::new("503");
    let echo = signed(json!({
        "app_id": APP_ID, "event_name": "oa_send_text",
        "timestamp": chrono::Utc::now().timestamp_millis().to_string(),
        "sender": {"id": "oa-1"}, "recipient": {"id": "503"},
        "message": {"msg_id": "echo1", "text": "Xin chào"},
    }));
    // Act
    app.say(&user.follow()).await;
    let welcomed = app.zalo.sent_to("503").len();
    let echoed = app.post(&echo).await;
    app.settle().await;
    // Assert
    assert_eq!(echoed, 200);
    let sent = app.zalo.sent_to("503");
    assert_eq!(sent.len(), welcomed, "the echo got no answer");
    let texts: Vec<&str> = sent.iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(texts[0].contains("Tổ Công nghệ số cộng đồng"), "{texts:?}");
    assert!(
        texts.iter().all(|t| !t.contains('<')),
        "no markup on Zalo: {texts:?}"
    );
    app.destroy().await;
}

#[tokio::test]
async fn a_sticker_gets_the_same_polite_answer_as_on_telegram() {
    // Arrange
    let app = spawn_zalo_app().await;
    let user = User::new("504");
    // Act
    app.say(&user.sticker()).await;
    // Assert
    let sent = app.zalo.sent_to("504");
    let text = sent[0]["text"].as_str().expect("text");
    assert!(text.contains("nhãn dán (sticker)"), "{text}");
    app.destroy().await;
}

#[tokio::test]
async fn a_body_signed_with_the_right_key_but_not_an_event_is_acknowledged_and_dropped() {
    // Arrange
    let app = spawn_zalo_app().await;
    let body = format!(r#"{{"app_id":"{APP_ID}","timestamp":"1","event_name":7}}"#);
    let sig = signature(APP_ID, &body, "1", OA_SECRET_KEY);
    // Act
    let status = app.post_raw(&body, Some(&sig)).await;
    // Assert: refused as stale (its timestamp is 1970) before anything is read.
    assert_eq!(status, 401);
    assert_eq!(recorded(&app).await, 0);
    app.destroy().await;
}

#[tokio::test]
async fn unfollowing_the_oa_marks_the_chat_unreachable_until_it_writes_again() {
    // Arrange: a village head on Zalo.
    let app = spawn_zalo_app().await;
    let head = User::new("505");
    app.say(&head.text(&format!("/start {}", app.invitation)))
        .await;
    let blocked = || async {
        let at: Option<String> = sqlx::query_scalar(
            "SELECT blocked_at FROM accounts WHERE channel = 'zalo' AND external_id = '505'",
        )
        .fetch_one(app.store.pool())
        .await
        .expect("account");
        at
    };
    // Act
    assert_eq!(app.post(&head.unfollow()).await, 200);
    let after_unfollow = blocked().await;
    app.say(&head.follow()).await;
    // Assert
    assert!(after_unfollow.is_some(), "notices skip the chat");
    assert!(
        blocked().await.is_none(),
        "writing again (following) clears it"
    );
    app.destroy().await;
}

#[tokio::test]
async fn the_domain_verification_file_is_served_at_the_path_zalo_names() {
    // Arrange
    let app = spawn_zalo_app().await;
    let base = app.webhook_url.trim_end_matches("/zalo/webhook").to_owned();
    // Act
    let file = reqwest::get(format!("{base}/{VERIFICATION_FILE}"))
        .await
        .expect("answered");
    let status = file.status().as_u16();
    let body = file.text().await.expect("body");
    let other = reqwest::get(format!("{base}/zalo_verifierOTHER.html"))
        .await
        .expect("answered")
        .status()
        .as_u16();
    // Assert
    assert_eq!((status, body.as_str()), (200, VERIFICATION_CONTENT));
    assert_eq!(other, 404, "only the configured file");
    app.destroy().await;
}
