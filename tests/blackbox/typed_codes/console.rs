//! On the console (`cnscd console`), one message per line read.

use cnscd::console::{run, ConsoleOptions};
use cnscd::domain::AccountRole;
use cnscd::domain::AuditAction;

use crate::support::app::{invitation, today, TestApp, VILLAGE};
use crate::support::typed_codes::{ways_to_send, SHAPELESS, WELL_SHAPED_WRONG};

/// What the console prints for `script` typed in chat `chat`.
async fn console(app: &TestApp, chat: &str, script: &str) -> String {
    let options = ConsoleOptions {
        chat: chat.to_owned(),
        invite: None,
        interactive: false,
    };
    let mut out = Vec::new();
    run(&app.engine, &options, script.as_bytes(), &mut out)
        .await
        .expect("the console runs");
    String::from_utf8(out).expect("utf-8")
}

async fn role_of(app: &TestApp, chat: &str) -> Option<AccountRole> {
    let account = app.store.account("console", chat).await.expect("account");
    account.map(|a| a.role)
}

async fn wrong_codes_audited(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(AuditAction::WrongCode.stored())
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn on_the_console_a_code_typed_alone_after_moi_in_lower_case_or_pasted_redeems_it() {
    let app = TestApp::builder().no_invitation().build().await;
    for i in 0..ways_to_send("").len() {
        // Arrange: a fresh invitation for each way of sending one.
        let code = invitation(&app.store, AccountRole::VillageHead, VILLAGE, today()).await;
        let (way, text) = ways_to_send(&code).remove(i);
        // The console reads one message a line: a pasted invitation is pasted as one line.
        let line = text.replace('\n', " ");
        let chat = format!("head-{i}");
        // Act
        let shown = console(&app, &chat, &format!("{line}\n")).await;
        // Assert
        assert!(
            shown.contains("Anh/chị đã được xác nhận là trưởng thôn"),
            "a code {way} ({line:?}) is welcomed:\n{shown}"
        );
        assert_eq!(
            role_of(&app, &chat).await,
            Some(AccountRole::VillageHead),
            "a code {way} ({line:?}) binds the chat:\n{shown}"
        );
    }
    assert_eq!(wrong_codes_audited(&app).await, 0);
    app.destroy().await;
}

#[tokio::test]
async fn on_the_console_guesses_not_shaped_like_a_code_are_answered_and_never_lock_the_chat_out() {
    // Arrange
    let app = TestApp::builder().no_invitation().build().await;
    let code = invitation(&app.store, AccountRole::VillageHead, VILLAGE, today()).await;
    let guesses = SHAPELESS.join("\n");
    // Act: more shapeless guesses than the lockout allows wrong codes, then the good code.
    let shown = console(
        &app,
        "guesser",
        &format!("{guesses}\n{}\n", code.to_lowercase()),
    )
    .await;
    // Assert
    assert_eq!(
        shown.matches("Đây không phải là mã mời").count(),
        SHAPELESS.len(),
        "{shown}"
    );
    assert_eq!(wrong_codes_audited(&app).await, 0, "{shown}");
    assert_eq!(
        role_of(&app, "guesser").await,
        Some(AccountRole::VillageHead),
        "{shown}"
    );
    // A code of the right shape that is wrong still counts.
    let shown = console(&app, "other", &format!("MOI {WELL_SHAPED_WRONG}\n")).await;
    assert!(shown.contains("Mã mời này không đúng"), "{shown}");
    assert_eq!(wrong_codes_audited(&app).await, 1);
    app.destroy().await;
}
