//! The engine's guarantees, below any channel: an update is applied once, and every step is
//! stored before its replies are returned.

use cnscd::chat::{ChannelName, ChatKey};
use cnscd::conversation::Incoming;
use cnscd::domain::AccountRole;
use cnscd::engine::UpdateRecord;

use crate::support::app::TestApp;

fn text(s: &str) -> Incoming {
    Incoming::Text(s.to_owned())
}

#[tokio::test]
async fn the_same_update_id_twice_is_applied_once() {
    let app = TestApp::builder().build().await;
    let chat = ChatKey::new(ChannelName::Telegram, "42");
    app.engine
        .handle(
            &chat,
            Some("1"),
            text(&format!("/start {}", app.invitation)),
        )
        .await
        .expect("start");
    app.engine
        .handle(&chat, Some("2"), text("Nguyễn Văn An"))
        .await
        .expect("name");

    let first = app
        .engine
        .handle(&chat, Some("3"), text("0912 345 678"))
        .await
        .expect("phone");
    let again = app
        .engine
        .handle(&chat, Some("3"), text("0912 345 678"))
        .await
        .expect("redelivery");

    assert!(!first.is_empty(), "the first delivery is answered");
    assert!(
        again.is_empty(),
        "a redelivered update is acknowledged silently, got {again:?}"
    );
    let session = app.engine.session(&chat).await.expect("session");
    let after_phone = serde_json::to_value(&session).expect("json");
    assert_eq!(
        after_phone["state"]["step"], "leader_consent",
        "the phone step was applied exactly once"
    );
}

#[tokio::test]
async fn an_update_older_than_one_already_applied_for_its_chat_is_acknowledged_not_applied() {
    let app = TestApp::builder().build().await;
    let chat = ChatKey::new(ChannelName::Telegram, "42");
    let other = ChatKey::new(ChannelName::Telegram, "43");
    let start = text(&format!("/start {}", app.invitation));
    app.engine
        .handle(&chat, Some("10"), start)
        .await
        .expect("start");
    app.engine
        .handle(&chat, Some("12"), text("Nguyễn Văn An"))
        .await
        .expect("name");
    let before = app.engine.session(&chat).await.expect("session");

    // Sent before the name, delivered after it (two webhook requests racing).
    let late = app
        .engine
        .handle_update(&chat, Some("11"), text("Trần Văn Muộn"))
        .await
        .expect("late update");
    let elsewhere = app
        .engine
        .handle_update(&other, Some("11"), text("/start"))
        .await
        .expect("another chat");

    assert_eq!(late.outcome, UpdateRecord::Late);
    assert!(late.replies.is_empty(), "got {:?}", late.replies);
    assert_eq!(app.engine.session(&chat).await.expect("session"), before);
    assert_eq!(
        elsewhere.outcome,
        UpdateRecord::New,
        "order is kept per chat, not across chats"
    );
}

#[tokio::test]
async fn update_ids_are_separate_per_channel() {
    let app = TestApp::builder().build().await;
    let telegram = ChatKey::new(ChannelName::Telegram, "42");
    let console = ChatKey::new(ChannelName::Console, "42");

    let on_telegram = app
        .engine
        .handle(&telegram, Some("7"), text("/start"))
        .await
        .expect("telegram");
    let on_console = app
        .engine
        .handle(&console, Some("7"), text("/start"))
        .await
        .expect("console");

    assert!(
        !on_telegram.is_empty() && !on_console.is_empty(),
        "update 7 of two channels are two updates"
    );
}

#[tokio::test]
async fn a_redeemed_invitation_binds_the_chat_and_is_audited() {
    let app = TestApp::builder().build().await;
    let chat = ChatKey::new(ChannelName::Telegram, "42");

    app.engine
        .handle(
            &chat,
            Some("1"),
            text(&format!("/start {}", app.invitation)),
        )
        .await
        .expect("start");

    let account = app
        .engine
        .store()
        .account("telegram", "42")
        .await
        .expect("query")
        .expect("bound");
    assert_eq!(
        (account.role, account.unit_code.as_str()),
        (AccountRole::VillageHead, "11083-01")
    );
    let audit = app
        .engine
        .store()
        .audit_of_unit("11083-01")
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.stored()).collect();
    assert_eq!(actions, ["invitation.created", "invitation.redeemed"]);
}

#[tokio::test]
async fn an_unreadable_stored_session_starts_the_chat_afresh_instead_of_failing() {
    let app = TestApp::builder().build().await;
    let chat = ChatKey::new(ChannelName::Telegram, "42");
    sqlx::query("INSERT INTO dialogue_states (channel, chat_id, session, updated_at) VALUES ('telegram', '42', '{\"state\":\"from_the_future\"}', 'x')")
        .execute(app.engine.store().pool())
        .await
        .expect("insert");

    let replies = app
        .engine
        .handle(&chat, Some("1"), text("/start"))
        .await
        .expect("handled");

    assert!(!replies.is_empty(), "the chat is answered");
}

/// A head registers a member who will confirm their own number, then saves: what the head
/// is told to pass on depends on where the head is.
async fn head_saves_with_a_member_to_confirm(channel: ChannelName) -> String {
    let mut app = TestApp::builder().build().await;
    app.engine = app.engine.clone().with_bot_username("cnscd_bot");
    let chat = ChatKey::new(channel, "77");
    let start = format!("/start {}", app.invitation);
    let script = [
        start.as_str(),
        "Nguyễn Văn An",
        "0912 345 678",
        "Đồng ý",
        "Trần Thị Bình",
        "Bí thư Chi đoàn",
        "0987 654 321",
        "Đã ký giấy đồng ý",
        "Đoàn xã Đại Sơn",
        "Thêm thành viên",
        "Lê Văn Cường",
        "Giáo viên Tiểu học",
        "0903 123 456",
        "Chưa, để người đó tự xác nhận",
        "Trường Tiểu học Đại Sơn",
        "Xong",
        "Xác nhận",
        "Chưa có",
    ];
    let mut last = Vec::new();
    for (n, said) in script.iter().enumerate() {
        last = app
            .engine
            .handle(&chat, Some(&n.to_string()), text(said))
            .await
            .expect("step");
    }
    last.iter()
        .map(|reply| reply.text.as_str().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_zalo_head_is_told_the_command_a_member_sends_and_a_telegram_head_the_bots_link() {
    let telegram = head_saves_with_a_member_to_confirm(ChannelName::Telegram).await;
    for channel in [ChannelName::Zalo, ChannelName::ZaloBot] {
        let zalo = head_saves_with_a_member_to_confirm(channel).await;
        assert!(zalo.contains("Lê Văn Cường"), "{zalo}");
        assert!(zalo.contains("/thanhvien"), "{channel}: {zalo}");
        assert!(
            !zalo.contains("t.me"),
            "a {channel} head gets no Telegram link: {zalo}"
        );
    }
    assert!(
        telegram.contains("https://t.me/cnscd_bot?start=thanhvien"),
        "{telegram}"
    );
}
