//! Issue 25 §2 on Zalo: an announcement to a member whose Zalo window has closed is held by
//! the sender, counted as waiting for them to write, and goes out when they write.

use std::time::Duration;

use cnscd::domain::announcement::{Audience, Unreachable};
use cnscd::domain::{ConsentSource, Member, MemberRole, PersonName, PhoneNumber, Team};
use cnscd::storage::announcements::{self, NewAnnouncement, Sent};

use crate::support::fake_zalo::User;
use crate::support::zalo_app::{spawn_zalo_app, ZaloApp};

const DUNG: &str = "841";

/// Thôn Đông Sơn's team, Phạm Thị Dung a member whose Zalo chat is known for her number and
/// who last wrote nine days ago.
async fn team_with_dung_on_zalo(app: &ZaloApp) {
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let team = Team {
        leader_name: Some(PersonName::parse("Nguyễn Văn An").expect("name")),
        leader_phone: Some(PhoneNumber::parse("0912 345 678").expect("phone")),
        members: vec![Member {
            name: PersonName::parse("Phạm Thị Dung").expect("name"),
            role: MemberRole::YouthUnionSecretary,
            role_detail: None,
            phone: PhoneNumber::parse("0912 345 681").expect("phone"),
            fields: cnscd::domain::Fields::default(),
            zalo: None,
            consent: Some(ConsentSource::Member),
        }],
        ..Team::default()
    };
    let phone = PhoneNumber::parse("0912 345 681").expect("phone");
    let mut tx = app.store.begin().await.expect("tx");
    cnscd::storage::teams::save_team(&mut tx, "11083-01", &team, None, now)
        .await
        .expect("team");
    cnscd::storage::erasure::remember_member_chat(&mut tx, &phone, "zalo", DUNG, now)
        .await
        .expect("chat");
    let then =
        (now - chrono::Duration::days(9)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query(
        "INSERT INTO chat_activity (channel, chat_id, last_seen_at) VALUES ('zalo', $1, $2)",
    )
    .bind(DUNG)
    .bind(then)
    .execute(&mut *tx)
    .await
    .expect("activity");
    tx.commit().await.expect("commit");
}

async fn counts(app: &ZaloApp, id: i64) -> cnscd::domain::announcement::Counts {
    let mut tx = app.store.begin().await.expect("tx");
    let counts = announcements::announcement_counts(&mut tx, id)
        .await
        .expect("counts")
        .expect("the announcement");
    tx.rollback().await.expect("rollback");
    counts
}

#[tokio::test]
async fn an_announcement_outside_the_zalo_window_is_held_and_sent_when_the_member_writes() {
    // Arrange
    let app = spawn_zalo_app().await;
    team_with_dung_on_zalo(&app).await;
    app.zalo.script_errors(DUNG, &[-230]);

    // Act: the announcement is queued; Zalo refuses it outside the window.
    let new = NewAnnouncement {
        sender: "cli".into(),
        scope_code: "11083".into(),
        audience: Audience::All,
        text: "Tập huấn VNeID: 8 giờ sáng thứ Hai tại UBND xã".into(),
        file: None,
        dedup_key: None,
    };
    let now = cnscd::clock::Clock::now(app.clock.as_ref());
    let mut tx = app.store.begin().await.expect("tx");
    let engine = &app.engine;
    let queued = cnscd::engine::announce::send(
        &mut tx,
        engine.texts(),
        engine.rules(),
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
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !counts(&app, id)
        .await
        .unreachable
        .contains_key(&Unreachable::ZaloWindow)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the announcement was not held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Assert: counted as waiting for Dung to write…
    let held = counts(&app, id).await;
    assert_eq!(
        held.unreachable.get(&Unreachable::ZaloWindow),
        Some(&vec!["Dung".to_owned()])
    );
    assert_eq!(held.sent, 0);

    // …and sent when she writes.
    app.say(&User::new(DUNG).text("chào")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while counts(&app, id).await.sent == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the held announcement was not sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = app.zalo.sent_to(DUNG);
    assert!(
        got.iter().any(|m| m.to_string().contains("Tập huấn VNeID")),
        "{got:#?}"
    );
    app.destroy().await;
}
