//! Issue 25 §2, below the goldens: an announcement reaches each member on the chat they
//! proved theirs, with its photo and a "Got it" button that counts once; a chat it was not
//! sent to cannot press it; the same update sending it twice queues it once.

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::clock::Clock;
use cnscd::conversation::{Incoming, Reply};
use cnscd::domain::announcement::{AnnouncementFile, Audience, Unreachable};
use cnscd::domain::AuditAction;
use cnscd::engine::announce::{self, Queued};
use cnscd::storage::announcements::{NewAnnouncement, Sent};
use cnscd::storage::scratch::report_skipped;

use crate::erasure::team_with_binh;
use crate::security::App;

mod tests {
    use super::*;
    on_both_engines!(
        a_member_gets_it_with_its_photo_and_got_it_counts_once,
        a_chat_it_was_not_sent_to_cannot_press_got_it,
        the_same_update_sending_it_twice_queues_it_once,
    );
}

const BINH_CHAT: &str = "5550001";

/// Sends an announcement of Xã Đại Sơn, with a photo, as the operator.
async fn announce(app: &App, key: Option<&str>) -> Queued {
    let new = NewAnnouncement {
        sender: "cli".into(),
        scope_code: "11083".into(),
        audience: Audience::All,
        text: "Tập huấn VNeID: 8 giờ sáng thứ Hai tại UBND xã".into(),
        file: Some(AnnouncementFile {
            photo: true,
            file_name: "lich.png".into(),
            bytes: vec![0x89, b'P', b'N', b'G'],
        }),
        dedup_key: key.map(Into::into),
    };
    let engine = &app.engine;
    let mut tx = app.store().begin().await.expect("tx");
    let queued = announce::send(
        &mut tx,
        engine.texts(),
        engine.rules(),
        &new,
        "Xã Đại Sơn",
        "cli",
        app.clock.now(),
    )
    .await
    .expect("sent");
    tx.commit().await.expect("commit");
    queued
}

/// Bình's Telegram chat is known for her number (as once she showed her number from it:
/// a contact shared alone is not remembered).
async fn binh_shares_her_number(app: &App) {
    let phone = cnscd::domain::PhoneNumber::parse("0912 345 679").expect("phone");
    let mut tx = app.store().begin().await.expect("tx");
    cnscd::storage::erasure::remember_member_chat(
        &mut tx,
        &phone,
        "telegram",
        BINH_CHAT,
        app.clock.now(),
    )
    .await
    .expect("remembered");
    tx.commit().await.expect("commit");
}

/// The bulk messages queued for `chat_id`.
async fn bulk_for(app: &App, chat_id: &str) -> Vec<Reply> {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE lane = 'bulk' AND chat_id = $1 ORDER BY id",
    )
    .bind(chat_id)
    .fetch_all(app.store().pool())
    .await
    .expect("outbox");
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).expect("a reply"))
        .collect()
}

async fn press(app: &App, chat_id: &str, update: &str, payload: &str) -> String {
    let key = ChatKey::new(ChannelName::Telegram, chat_id);
    let replies = app
        .engine
        .handle(&key, Some(update), Incoming::Button(payload.to_owned()))
        .await
        .expect("handled");
    replies
        .iter()
        .map(|r| r.text.as_str().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn counts_of(app: &App, id: i64) -> Option<cnscd::domain::announcement::Counts> {
    let mut tx = app.store().begin().await.expect("tx");
    let counts = cnscd::storage::announcements::announcement_counts(&mut tx, id)
        .await
        .expect("counts");
    tx.rollback().await.expect("rollback");
    counts
}

fn got_it(reply: &Reply) -> String {
    reply
        .buttons
        .iter()
        .flatten()
        .find(|b| b.label == "👍 Đã nhận")
        .unwrap_or_else(|| panic!("no Got it button in {reply:#?}"))
        .payload
        .clone()
}

async fn a_member_gets_it_with_its_photo_and_got_it_counts_once(app: App) {
    // Arrange
    team_with_binh(&app).await;
    binh_shares_her_number(&app).await;

    // Act
    let queued = announce(&app, None).await;

    // Assert: Bình is reached; An (the head, no account here) and Cường never wrote.
    assert_eq!(queued.reachable, 1);
    assert_eq!(queued.unreachable, [(Unreachable::NoChat, 2)]);
    let messages = bulk_for(&app, BINH_CHAT).await;
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    assert!(message.text.as_str().contains("Thông báo của Xã Đại Sơn"));
    assert!(message.text.as_str().contains("Tập huấn VNeID"));
    assert_eq!(
        message.image.as_ref().map(|i| i.file_name.as_str()),
        Some("lich.png")
    );
    let payload = got_it(message);
    let first = press(&app, BINH_CHAT, "2", &payload).await;
    assert!(first.contains("đã ghi nhận anh/chị đã nhận"), "{first}");
    let again = press(&app, BINH_CHAT, "3", &payload).await;
    assert!(again.contains("đã ghi nhận rồi"), "{again}");
    let Sent::New(id) = queued.sent else {
        panic!("a new announcement: {queued:?}")
    };
    let counts = counts_of(&app, id).await.expect("the announcement");
    assert_eq!((counts.recipients, counts.acknowledged), (3, 1));
    assert_eq!(
        counts.unreachable.get(&Unreachable::NoChat).map(Vec::len),
        Some(2)
    );
    app.finish().await;
}

async fn a_chat_it_was_not_sent_to_cannot_press_got_it(app: App) {
    // Arrange
    team_with_binh(&app).await;
    binh_shares_her_number(&app).await;
    let queued = announce(&app, None).await;
    let payload = got_it(&bulk_for(&app, BINH_CHAT).await[0]);

    // Act: another chat sends Bình's button.
    let said = press(&app, "5550099", "1", &payload).await;

    // Assert
    assert!(said.contains("không được gửi tới anh/chị"), "{said}");
    let denied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(AuditAction::AccessDenied.stored())
        .fetch_one(app.store().pool())
        .await
        .expect("audit");
    assert_eq!(denied, 1);
    let Sent::New(id) = queued.sent else {
        panic!("a new announcement: {queued:?}")
    };
    let counts = counts_of(&app, id).await;
    assert_eq!(counts.map(|c| c.acknowledged), Some(0));
    app.finish().await;
}

async fn the_same_update_sending_it_twice_queues_it_once(app: App) {
    // Arrange
    team_with_binh(&app).await;
    binh_shares_her_number(&app).await;

    // Act
    let first = announce(&app, Some("telegram:777:12")).await;
    let again = announce(&app, Some("telegram:777:12")).await;

    // Assert
    let Sent::New(id) = first.sent else {
        panic!("a new announcement: {first:?}")
    };
    assert_eq!(again.sent, Sent::Again(id));
    assert_eq!(bulk_for(&app, BINH_CHAT).await.len(), 1);
    app.finish().await;
}
