//! A refused token refresh pauses Zalo sending: nothing is dropped, the admins are told,
//! and everything goes out once an operator sets a new refresh token.

use std::sync::Arc;
use std::time::Duration;

use cnscd::config::Secret;
use cnscd::ops::metrics::Metrics;
use cnscd::zalo::tokens::Tokens;
use cnscd::zalo::AccessTokens;

use crate::support::fake_zalo::{User, FIRST_REFRESH_TOKEN};
use crate::support::zalo_app::{settings, spawn_zalo_app};

async fn unsent_to(app: &crate::support::zalo_app::ZaloApp, chat: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE channel = 'zalo' AND chat_id = $1
         AND sent_at IS NULL AND failed_at IS NULL",
    )
    .bind(chat)
    .fetch_one(app.store.pool())
    .await
    .expect("outbox")
}

#[tokio::test]
async fn a_reused_refresh_token_pauses_sending_loses_nothing_and_resumes_after_token_set() {
    // Arrange: cnscd with real token keeping, seeded, and an admin chat on Telegram.
    let mut app = spawn_zalo_app().await;
    app.stop().await;
    let mut config = settings(&app.zalo);
    config.secrets.refresh_token = Some(Secret::from(FIRST_REFRESH_TOKEN.to_owned()));
    config.admin_chats = vec!["telegram:77".into()];
    let tokens =
        Tokens::new(app.engine.clone(), &config, "zalo-test", Metrics::new()).expect("tokens");
    let tokens: Arc<dyn AccessTokens> = Arc::new(tokens);
    app.start(tokens).await;
    let user = User::new("901");
    app.say(&user.text("Thôn Đông Sơn")).await;
    assert_eq!(
        app.zalo.sent_to("901").len(),
        1,
        "sent with the seeded token"
    );
    // Zalo takes the access token back, and the stored refresh token no longer works (it
    // was reissued from Zalo's console, as when another install used it).
    let later = cnscd::clock::Clock::now(app.clock.as_ref()) + chrono::Duration::minutes(5);
    app.clock.set(later);
    app.zalo.expire_access_tokens();
    let console_token = app.zalo.issue_refresh_token();
    // Act: a message while the refresh is refused.
    assert_eq!(app.post(&user.text("Thôn Tây Sơn")).await, 200);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let paused = loop {
        let reason: Option<String> =
            sqlx::query_scalar("SELECT paused_reason FROM zalo_tokens WHERE id = 1")
                .fetch_one(app.store.pool())
                .await
                .expect("tokens row");
        if reason.is_some() {
            break reason;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "sending never paused"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let waiting = unsent_to(&app, "901").await;
    let admins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE channel = 'telegram' AND chat_id = '77'",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("outbox");
    // The operator sets the new refresh token (`cnscd zalo token set`).
    let cli = Tokens::new(app.engine.clone(), &config, "cli", Metrics::new()).expect("tokens");
    cli.set_refresh_token(&Secret::from(console_token))
        .await
        .expect("token set");
    let sent = app.zalo.wait_for("901", 2).await;
    // Assert
    assert!(paused.is_some());
    assert_eq!(waiting, 1, "the answer waits in the outbox, not given up");
    assert_eq!(admins, 1, "the admins are told once");
    assert!(sent[1]["text"].as_str().expect("text").contains("Tây Sơn"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while unsent_to(&app, "901").await > 0 {
        assert!(tokio::time::Instant::now() < deadline, "never marked sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.destroy().await;
}
