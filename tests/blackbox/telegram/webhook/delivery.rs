//! The secret, recording before the 200, duplicates, and a replica dying half-way.

use std::time::Duration;

use cnscd::conversation::State;
use cnscd::storage::scratch::{report_skipped, ScratchDb};
use cnscd::storage::TeamStatus;
use reqwest::StatusCode;

use super::{count, metric, recorded};
use crate::support::fake_telegram::text_update;
use crate::support::telegram_app::{
    post_update, spawn_app_without_bot, spawn_app_without_bot_on, CHAT,
};
use crate::support::webhook::start_replica;
use crate::telegram::*;

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
        .map(|m| (m.name.as_str(), m.phone.e164(), m.fields.named("workplace")))
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
