//! Issue 25 §2 through the real teloxide stack: a member reached on Telegram gets the
//! announcement with its photo and presses "👍 Đã nhận"; the press counts once.

use cnscd::domain::announcement::{AnnouncementFile, Audience};
use cnscd::domain::{ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team};
use cnscd::storage::announcements::{self, NewAnnouncement, Sent};

use crate::support::telegram_app::{spawn_app, TelegramApp, CHAT};

/// Thôn Đông Sơn's team; its member Trần Thị Bình is known on the test's Telegram chat.
async fn team_with_binh_on_telegram(app: &TelegramApp) {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let phone = PhoneNumber::parse("0912 345 679").expect("phone");
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![Member {
            name: PersonName::parse("Trần Thị Bình").expect("name"),
            role: MemberRole::YouthUnionSecretary,
            role_detail: None,
            phone: phone.clone(),
            fields: cnscd::domain::Fields::default(),
            zalo: None,
            consent: Some(ConsentSource::Member),
        }],
        ..Team::default()
    };
    let mut tx = app.store.begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, now)
        .await
        .expect("team");
    let chat = CHAT.to_string();
    cnscd::storage::erasure::remember_member_chat(&mut tx, &phone, "telegram", &chat, now)
        .await
        .expect("chat");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_telegram_member_gets_the_announcement_with_its_photo_and_acknowledges_once() {
    // Arrange
    let mut app = spawn_app().await;
    team_with_binh_on_telegram(&app).await;

    // Act: the operator announces, with a photo.
    let new = NewAnnouncement {
        sender: "cli".into(),
        scope_code: "11083".into(),
        audience: Audience::All,
        text: "Tập huấn VNeID: 8 giờ sáng thứ Hai tại UBND xã".into(),
        file: Some(AnnouncementFile {
            photo: true,
            file_name: "lich-tap-huan.png".into(),
            bytes: b"png-bytes".to_vec(),
        }),
        dedup_key: None,
    };
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let mut tx = app.store.begin().await.expect("tx");
    let queued = cnscd::engine::announce::send(
        &mut tx,
        app.engine.texts(),
        app.engine.rules(),
        &new,
        "Xã Đại Sơn",
        "cli",
        now,
    )
    .await
    .expect("sent");
    tx.commit().await.expect("commit");
    let Sent::New(id) = queued.sent else {
        panic!("a new announcement: {queued:?}")
    };

    // Assert: the text with its button, and the photo.
    app.replies_until("Tập huấn VNeID").await;
    // The photo follows the text, as its own message.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.tg.calls("sendPhoto").is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let photos = app.tg.calls("sendPhoto");
    let photo = photos
        .iter()
        .find_map(|call| call.attachment("photo"))
        .unwrap_or_else(|| panic!("no photo sent: {}", app.tg.describe_requests()));
    assert_eq!(photo.bytes, b"png-bytes");
    app.press("Đã nhận", "đã ghi nhận anh/chị đã nhận").await;
    app.press("Đã nhận", "đã ghi nhận rồi").await;
    let mut tx = app.store.begin().await.expect("tx");
    let counts = announcements::announcement_counts(&mut tx, id)
        .await
        .expect("counts")
        .expect("the announcement");
    tx.rollback().await.expect("rollback");
    assert_eq!(counts.acknowledged, 1);
    app.destroy().await;
}
