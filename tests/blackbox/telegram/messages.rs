//! Every kind of Telegram message: what the bot makes of it.

use cnscd::conversation::FileKind;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::*;
use crate::support::fake_telegram::{
    contact_update, document_update, location_update, message_update, photo_update, sticker_update,
    text_update, voice_update, DEFAULT_WAIT,
};
use crate::support::telegram_app::{spawn_app, text_of, CHAT};

const REFUSED_FILE: &str = "chỉ nhận ảnh chụp hoặc tệp PDF";

#[tokio::test]
async fn stickers_voice_and_locations_get_a_polite_answer_and_change_nothing() {
    // Arrange: the head is asked for the leader's phone number.
    let mut app = spawn_app().await;
    start(&mut app).await;
    app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;
    let before = app.engine.session(&app.chat()).await.expect("session");
    let video = json!({ "video": {
        "file_id": "video-1", "file_unique_id": "u-video-1", "file_size": 2048,
        "width": 640, "height": 480, "duration": 3, "mime_type": "video/mp4",
    }});
    let cases: [(&str, Value); 4] = [
        (
            "nhãn dán (sticker)",
            sticker_update(app.id(), CHAT, "sticker-1"),
        ),
        ("tin nhắn thoại", voice_update(app.id(), CHAT, "voice-1", 4)),
        ("vị trí", location_update(app.id(), CHAT, 20.82, 106.41)),
        ("video", message_update(app.id(), CHAT, video)),
    ];

    for (what, update) in cases {
        // Act
        let replies = app.push(update, ASK_LEADER_PHONE).await;

        // Assert
        let first = text_of(&replies[0]);
        assert!(
            first.contains(&format!("Trợ lý chưa đọc được {what}")),
            "{what}: expected a polite answer, got {first:?}"
        );
    }
    let after = app.engine.session(&app.chat()).await.expect("session");
    assert_eq!(after, before, "nothing changed in the conversation");
    app.say("0912 345 678", ASK_LEADER_CONSENT).await;
}

#[tokio::test]
async fn a_shared_contact_answers_the_phone_question() {
    // Arrange
    let mut app = spawn_app().await;
    start(&mut app).await;
    app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;

    // Act
    let own = contact_update(app.id(), CHAT, "+84912345678", CHAT);
    app.push(own, ASK_LEADER_CONSENT).await;

    // Assert
    let session = app.engine.session(&app.chat()).await.expect("session");
    let json = serde_json::to_string(&session).expect("session serialises");
    assert!(json.contains("+84912345678"), "the phone is kept: {json}");
}

#[tokio::test]
async fn a_photo_of_the_decision_is_hashed_from_its_largest_size() {
    // Arrange
    let mut app = spawn_app().await;
    let photo = b"\xff\xd8\xff\xe0 jpeg of the signed decision".to_vec();
    app.tg.add_file("decision-photo", photo.clone());
    app.tg
        .add_file("decision-photo-thumb", b"thumbnail".to_vec());
    reach_the_decision_scan(&mut app).await;

    // Act
    let update = photo_update(app.id(), CHAT, "decision-photo");
    app.push(update, SAVED).await;

    // Assert
    let downloaded: Vec<Value> = app
        .tg
        .calls("getFile")
        .iter()
        .map(|c| c.body["file_id"].clone())
        .collect();
    assert_eq!(
        downloaded,
        [json!("decision-photo")],
        "only the largest size is fetched"
    );
    let team = app.team().await;
    let file = team.team.decision.file.expect("the scan is stored");
    assert_eq!(file.kind, FileKind::Photo);
    let expected = hex::encode(Sha256::digest(&photo));
    assert_eq!(file.sha256.as_deref(), Some(expected.as_str()));
}

#[tokio::test]
async fn word_files_and_pdfs_over_20_mb_are_refused_without_downloading() {
    // Arrange
    let mut app = spawn_app().await;
    reach_the_decision_scan(&mut app).await;
    let word = document_update(
        app.id(),
        CHAT,
        "word-1",
        "quyet-dinh.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    let mut huge = document_update(app.id(), CHAT, "pdf-1", "qd.pdf", "application/pdf");
    huge["message"]["document"]["file_size"] = json!(30 * 1024 * 1024);

    for update in [word, huge] {
        // Act
        let replies = app.push(update, ASK_DECISION_FILE).await;

        // Assert
        let first = text_of(&replies[0]);
        assert!(first.contains(REFUSED_FILE), "refused: {first:?}");
    }
    assert!(app.tg.calls("getFile").is_empty(), "nothing was downloaded");
    assert_eq!(app.team().await.team.decision.file, None);
}

#[tokio::test]
async fn messages_in_groups_get_no_answer() {
    // Arrange
    let mut app = spawn_app().await;
    let group = -1_001_234;
    let mut in_group = text_update(app.id(), CHAT, "/start");
    in_group["message"]["chat"] = json!({ "id": group, "type": "supergroup", "title": "Thôn" });

    // Act
    app.tg.push_update(in_group);
    app.tg.wait_until_consumed(DEFAULT_WAIT).await;
    app.say("/start", "Tổ Công nghệ số cộng đồng").await;

    // Assert
    let to_group = app
        .tg
        .sent_messages()
        .into_iter()
        .filter(|m| m["chat_id"] == json!(group));
    assert_eq!(to_group.count(), 0, "nothing was sent to the group");
}
