//! On Zalo: the real webhook, inbox, worker and outbox against the fake Zalo.

use cnscd::domain::AccountRole;
use cnscd::domain::AuditAction;

use crate::support::app::{invitation, today, VILLAGE};
use crate::support::fake_zalo::User;
use crate::support::typed_codes::{ways_to_send, SHAPELESS, WELL_SHAPED_WRONG};
use crate::support::zalo_app::{spawn_zalo_app, ZaloApp};

/// `text` sent by `user`; the first answer to it.
async fn first_answer(app: &ZaloApp, user: &User, text: &str) -> String {
    let before = app.zalo.sent_to(&user.id).len();
    app.say(&user.text(text)).await;
    let sent = app.zalo.sent_to(&user.id);
    let answer = sent
        .get(before)
        .unwrap_or_else(|| panic!("no answer to {text:?}"));
    answer["text"].as_str().unwrap_or_default().to_owned()
}

async fn role_of(app: &ZaloApp, user: &User) -> Option<AccountRole> {
    let account = app.store.account("zalo", &user.id).await;
    account.expect("account").map(|a| a.role)
}

async fn wrong_codes_audited(app: &ZaloApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(AuditAction::WrongCode.stored())
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn on_zalo_a_code_typed_alone_after_moi_in_lower_case_or_pasted_redeems_it() {
    let app = spawn_zalo_app().await;
    for i in 0..ways_to_send("").len() {
        // Arrange: a fresh invitation for each way of sending one, from a user of their own.
        let code = invitation(&app.store, AccountRole::VillageHead, VILLAGE, today()).await;
        let (way, text) = ways_to_send(&code).remove(i);
        let user = User::new(&format!("19{i}"));
        // Act
        let answer = first_answer(&app, &user, &text).await;
        // Assert
        assert!(
            answer.contains("Anh/chị đã được xác nhận là trưởng thôn"),
            "a code {way} ({text:?}) is welcomed: {answer}"
        );
        assert_eq!(
            role_of(&app, &user).await,
            Some(AccountRole::VillageHead),
            "a code {way} binds the chat"
        );
    }
    assert_eq!(wrong_codes_audited(&app).await, 0);
    app.destroy().await;
}

#[tokio::test]
async fn on_zalo_guesses_not_shaped_like_a_code_are_answered_and_never_lock_the_chat_out() {
    // Arrange
    let app = spawn_zalo_app().await;
    let guesser = User::new("1901");
    // Act: more shapeless guesses than the lockout allows wrong codes…
    for guess in SHAPELESS {
        let answer = first_answer(&app, &guesser, guess).await;
        assert!(
            answer.contains("Đây không phải là mã mời"),
            "{guess}: {answer}"
        );
    }
    // …then the good code, in lower case.
    let answer = first_answer(&app, &guesser, &app.invitation.to_lowercase()).await;
    // Assert
    assert!(answer.contains("xác nhận là trưởng thôn"), "{answer}");
    assert_eq!(
        role_of(&app, &guesser).await,
        Some(AccountRole::VillageHead)
    );
    assert_eq!(wrong_codes_audited(&app).await, 0);
    let other = User::new("1902");
    let answer = first_answer(&app, &other, WELL_SHAPED_WRONG).await;
    assert!(answer.contains("Mã mời này không đúng"), "{answer}");
    assert_eq!(
        wrong_codes_audited(&app).await,
        1,
        "a well-shaped wrong code counts"
    );
    app.destroy().await;
}
