//! A refused token refresh, or Zalo refusing the Official Account itself, pauses Zalo
//! sending: nothing is dropped, the admins are told, and everything goes out once an
//! operator sets a new refresh token or, the account fixed, resumes.

use std::sync::Arc;
use std::time::Duration;

use cnscd::ops::metrics::Metrics;
use cnscd::secrets::Secret;
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

/// Waits until sending is paused; the reason.
async fn paused_reason(app: &crate::support::zalo_app::ZaloApp) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reason: Option<String> =
            sqlx::query_scalar("SELECT paused_reason FROM zalo_tokens WHERE id = 1")
                .fetch_one(app.store.pool())
                .await
                .expect("tokens row");
        if let Some(reason) = reason {
            return reason;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "sending never paused"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn zalo_refusing_the_account_pauses_sending_tells_the_admins_and_resumes_after_zalo_resume() {
    // Arrange: cnscd with real token keeping, seeded, and an admin chat on Telegram.
    let mut app = spawn_zalo_app().await;
    app.stop().await;
    let mut config = settings(&app.zalo);
    config.secrets.refresh_token = Some(Secret::from(FIRST_REFRESH_TOKEN.to_owned()));
    config.admin_chats = vec!["telegram:77".into()];
    let metrics = Metrics::new();
    let tokens =
        Tokens::new(app.engine.clone(), &config, "zalo-test", metrics.clone()).expect("tokens");
    let tokens: Arc<dyn AccessTokens> = Arc::new(tokens);
    app.start(tokens).await;
    let (first, second) = (User::new("911"), User::new("912"));
    app.say(&first.text("Thôn Đông Sơn")).await;
    assert_eq!(
        app.zalo.sent_to("911").len(),
        1,
        "sent while the OA was fine"
    );
    // The OA's package no longer allows consultation messages.
    app.zalo.refuse_account(-224);
    // Act: two users write while Zalo refuses the account.
    assert_eq!(app.post(&first.text("Thôn Tây Sơn")).await, 200);
    assert_eq!(app.post(&second.text("Thôn Đông Sơn")).await, 200);
    let reason = paused_reason(&app).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = (unsent_to(&app, "911").await, unsent_to(&app, "912").await);
    let admins: Vec<String> =
        sqlx::query_scalar("SELECT body FROM outbox WHERE channel = 'telegram' AND chat_id = '77'")
            .fetch_all(app.store.pool())
            .await
            .expect("outbox");
    let shown = metrics.render().expect("metrics");
    // The operator fixes the OA's package, then runs `cnscd zalo resume`.
    app.zalo.accept_account();
    let mut out = Vec::new();
    cnscd::cli::zalo::resume(&app.store, &mut out)
        .await
        .expect("resumed");
    let first_sent = app.zalo.wait_for("911", 2).await;
    let second_sent = app.zalo.wait_for("912", 1).await;
    // Assert
    assert!(reason.contains("-224"), "{reason}");
    assert_eq!(
        waiting,
        (1, 1),
        "both answers wait in the outbox, none given up"
    );
    assert_eq!(admins.len(), 1, "the admins are told once: {admins:?}");
    assert!(admins[0].contains("cnscd zalo resume"), "{}", admins[0]);
    assert!(shown.contains("cnscd_zalo_sending_paused 1"), "{shown}");
    assert!(
        shown.contains("cnscd_zalo_account_refusals_total{code=\"-224\"}"),
        "{shown}"
    );
    assert!(String::from_utf8_lossy(&out).contains("resumed"));
    assert!(first_sent[1]["text"]
        .as_str()
        .expect("text")
        .contains("Tây Sơn"));
    assert!(second_sent[0]["text"]
        .as_str()
        .expect("text")
        .contains("Đông Sơn"));
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL")
        .fetch_one(app.store.pool())
        .await
        .expect("outbox");
    assert_eq!(failed, 0, "nothing given up");
    app.destroy().await;
}
