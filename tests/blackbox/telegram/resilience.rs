//! Restarts, redeliveries and failures: nothing the head entered is lost or applied twice, and
//! the bot keeps answering.

use cnscd::conversation::{Incoming, State};
use cnscd::storage::TeamStatus;
use cnscd::telegram::ServeOptions;

use super::*;
use crate::support::fake_telegram::text_update;
use crate::support::fake_telegram::DEFAULT_WAIT;
use crate::support::telegram_app::{spawn_app, text_of, TelegramApp, CHAT};
use std::time::Duration;

#[tokio::test]
async fn a_restart_in_the_middle_of_a_registration_loses_nothing() {
    // Arrange: half the dialogue, then the process stops.
    let mut app = spawn_app().await;
    start_and_enter_the_leader(&mut app).await;
    enter_member(&mut app, &YOUTH_SECRETARY).await;
    app.stop_bot().await;

    // Act: a new process continues where the head left off.
    app.start_bot().await;
    add_the_teacher_and_save(&mut app).await;

    // Assert
    let team = app.team().await;
    assert_eq!(team.status, TeamStatus::Registered);
    let draft = &team.team;
    assert_eq!(
        draft.leader_name.as_ref().unwrap().as_str(),
        "Nguyễn Văn An"
    );
    assert_eq!(draft.leader_phone.as_ref().unwrap().e164(), "+84912345678");
    let members: Vec<(&str, &str)> = draft
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.phone.e164()))
        .collect();
    assert_eq!(
        members,
        [
            ("Trần Thị Bình", "+84987654321"),
            ("Lê Văn Cường", "+84903123456")
        ],
        "both members, the one entered before the restart first"
    );
    assert_eq!(
        draft.members[0].fields.named("workplace"),
        Some(YOUTH_SECRETARY.workplace)
    );
}

#[tokio::test]
async fn the_same_update_delivered_twice_is_applied_once() {
    // Arrange
    let mut app = spawn_app().await;
    let chat = app.chat();
    let start = format!("/start {}", app.invitation);
    let update_id = app.id();
    let id = update_id.to_string();

    // Act: the engine gets the same update twice (Telegram redelivers after a crash).
    let first = app
        .engine
        .handle(&chat, Some(&id), Incoming::Text(start.clone()))
        .await
        .expect("first delivery");
    let after_first = app.engine.session(&chat).await.expect("session");
    let second = app
        .engine
        .handle(&chat, Some(&id), Incoming::Text(start.clone()))
        .await
        .expect("second delivery");
    let after_second = app.engine.session(&chat).await.expect("session");

    // Assert
    assert!(!first.is_empty(), "the first delivery is answered");
    assert!(second.is_empty(), "the second delivery is not: {second:?}");
    assert_eq!(after_second, after_first, "the state advanced once");
    assert!(matches!(after_first.state, State::Registering(_)));

    // Act: the same update comes once more, through Telegram, then the next one.
    app.tg.push_update(text_update(update_id, CHAT, &start));
    let next = app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;

    // Assert: the redelivered update got no answer at all.
    let texts: Vec<&str> = next.iter().map(text_of).collect();
    assert_eq!(
        texts.len(),
        1,
        "only the next update was answered: {texts:#?}"
    );
}

#[tokio::test]
async fn an_update_whose_step_keeps_failing_is_parked_with_an_apology_and_the_bot_keeps_going() {
    // Arrange: every step of one particular update fails, as a bug would make it.
    let mut app = spawn_app().await;
    start(&mut app).await;
    let doomed = app.id();
    app.make_the_step_fail(doomed).await;
    let before = app.engine.session(&app.chat()).await.expect("session");

    // Act
    let update = text_update(doomed, CHAT, "Nguyễn Văn An");
    let apology = app.push(update, "Xin lỗi, trợ lý gặp sự cố").await;

    // Assert
    assert_eq!(apology.len(), 1, "only the apology: {}", joined(&apology));
    let after = app.engine.session(&app.chat()).await.expect("session");
    assert_eq!(after, before, "the failed step left no trace");
    let parked = app.store.parked_events().await.expect("parked events");
    assert_eq!(parked.len(), 1, "the event is parked for an operator");
    assert_eq!(parked[0].attempts, 3);
    app.say("Nguyễn Văn An", ASK_LEADER_PHONE).await;
}

#[tokio::test]
async fn a_reply_telegram_cannot_parse_as_html_is_sent_as_plain_text() {
    // Arrange
    let mut app = spawn_app().await;
    app.tg.fail_next(
        "sendMessage",
        400,
        "Bad Request: can't parse entities: Unsupported start tag",
    );

    // Act
    let replies = app.say("/start", "Tổ Công nghệ số cộng đồng").await;

    // Assert
    let welcome = &replies[0];
    assert!(
        welcome.get("parse_mode").is_none(),
        "resent without parse mode"
    );
    assert!(
        text_of(welcome).starts_with("Xin chào! Đây là trợ lý của Tổ Công nghệ số cộng đồng"),
        "the markup was removed: {welcome}"
    );
    let attempts = app.tg.calls("sendMessage");
    assert!(!attempts[0].succeeded() && attempts[1].succeeded());
}

#[tokio::test]
async fn the_bot_also_runs_behind_the_rate_limiter() {
    // Arrange: production options (Telegram's limits respected).
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app.start_bot_with(ServeOptions::default()).await;

    // Act / Assert
    start(&mut app).await;
}

#[tokio::test]
async fn outbox_messages_reach_their_chats_and_a_chat_that_blocked_the_bot_is_marked_and_skipped() {
    // Arrange: two officials of the same commune, one of whom blocked the bot; the messages
    // are queued while the bot is stopped.
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let (blocked, open) = (7001_i64, 7002_i64);
    let now = app.engine.now();
    let mut tx = app.store.begin().await.unwrap();
    for chat in [blocked, open] {
        let account = cnscd::storage::Account {
            role: cnscd::domain::AccountRole::CommuneOfficial,
            unit_code: "11083".into(),
        };
        cnscd::storage::accounts::bind_account(
            &mut tx,
            "telegram",
            &chat.to_string(),
            &account,
            now,
        )
        .await
        .unwrap();
        let reply = cnscd::conversation::Reply::text(cnscd::i18n::Html::text("nhắc hạn"));
        cnscd::storage::outbox::enqueue(&mut tx, "telegram", &chat.to_string(), &reply, None, now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    app.tg.block_chat(blocked);

    // Act: the bot starts and finds the queued messages.
    app.start_bot().await;
    app.tg.wait_for_messages(1, DEFAULT_WAIT).await;
    wait_until_outbox_empty(&app).await;

    // Assert: the open chat got its message, the blocked one is marked, nothing is left over.
    assert_eq!(app.tg.sent_texts(open), vec!["nhắc hạn".to_owned()]);
    assert!(app.tg.sent_texts(blocked).is_empty());
    assert!(
        app.store
            .pending_outbox("telegram", 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing retried forever"
    );
    // The chat is marked just after its message is given up, so the mark may land a moment
    // after the outbox is empty.
    let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
    loop {
        let reachable: Vec<String> = app
            .store
            .accounts_in_scope("11083")
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.chat_id)
            .collect();
        if reachable == vec![open.to_string()] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the blocked chat is skipped from now on: still reachable {reachable:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.stop_bot().await;
    app.start_bot().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        app.tg.sent_texts(open).len(),
        1,
        "a delivered message is never sent twice, not even after a restart"
    );
}

async fn wait_until_outbox_empty(app: &TelegramApp) {
    let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
    while !app
        .store
        .pending_outbox("telegram", 10)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(tokio::time::Instant::now() < deadline, "the outbox empties");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
