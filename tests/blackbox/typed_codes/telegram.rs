//! On Telegram: the real teloxide dispatcher polling the fake Bot API.

use std::time::Duration;

use cnscd::domain::AccountRole;
use cnscd::domain::AuditAction;

use crate::support::app::{invitation, today, VILLAGE};
use crate::support::fake_telegram::{text_update, DEFAULT_WAIT};
use crate::support::telegram_app::{spawn_app, TelegramApp};
use crate::support::typed_codes::{ways_to_send, SHAPELESS, WELL_SHAPED_WRONG};

/// What ends each answer here: a menu, or the registration's first question.
const LAST: [&str; 3] = [
    "Anh/chị có thể tìm Tổ",
    "Anh/chị muốn làm gì?",
    "Họ và tên đầy đủ",
];

/// `text` sent from `chat`; the answer to it, up to the menu or question that ends it.
async fn first_answer(app: &TelegramApp, chat: i64, text: &str) -> String {
    let before = app.tg.sent_texts(chat).len();
    app.tg.push_update(text_update(app.id(), chat, text));
    let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
    loop {
        let answer = app.tg.sent_texts(chat).split_off(before);
        if answer
            .iter()
            .any(|t| LAST.iter().any(|last| t.contains(last)))
        {
            return answer.join("\n");
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no answer to {text:?} in chat {chat}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn role_of(app: &TelegramApp, chat: i64) -> Option<AccountRole> {
    let account = app.store.account("telegram", &chat.to_string()).await;
    account.expect("account").map(|a| a.role)
}

async fn wrong_codes_audited(app: &TelegramApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(AuditAction::WrongCode.stored())
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn on_telegram_a_code_typed_alone_after_moi_in_lower_case_or_pasted_redeems_it() {
    let app = spawn_app().await;
    for i in 0..ways_to_send("").len() {
        // Arrange: a fresh invitation for each way of sending one, from a chat of its own.
        let code = invitation(&app.store, AccountRole::VillageHead, VILLAGE, today()).await;
        let (way, text) = ways_to_send(&code).remove(i);
        let chat = 5000 + i as i64;
        // Act
        let answer = first_answer(&app, chat, &text).await;
        // Assert
        assert!(
            answer.contains("Anh/chị đã được xác nhận là trưởng thôn"),
            "a code {way} ({text:?}) is welcomed: {answer}"
        );
        assert_eq!(
            role_of(&app, chat).await,
            Some(AccountRole::VillageHead),
            "a code {way} binds the chat"
        );
    }
    assert_eq!(wrong_codes_audited(&app).await, 0);
    app.destroy().await;
}

#[tokio::test]
async fn on_telegram_guesses_not_shaped_like_a_code_are_answered_and_never_lock_the_chat_out() {
    // Arrange
    let app = spawn_app().await;
    let chat = 6000;
    // Act: more shapeless guesses than the lockout allows wrong codes…
    for guess in SHAPELESS {
        let answer = first_answer(&app, chat, guess).await;
        assert!(
            answer.contains("Đây không phải là mã mời"),
            "{guess}: {answer}"
        );
    }
    // …then the good code, in lower case.
    let answer = first_answer(&app, chat, &app.invitation.to_lowercase()).await;
    // Assert
    assert!(answer.contains("xác nhận là trưởng thôn"), "{answer}");
    assert_eq!(role_of(&app, chat).await, Some(AccountRole::VillageHead));
    assert_eq!(wrong_codes_audited(&app).await, 0);
    let answer = first_answer(&app, chat + 1, WELL_SHAPED_WRONG).await;
    assert!(answer.contains("Mã mời này không đúng"), "{answer}");
    assert_eq!(
        wrong_codes_audited(&app).await,
        1,
        "a well-shaped wrong code counts"
    );
    app.destroy().await;
}
