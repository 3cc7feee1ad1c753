//! Starting to receive: long polling with a listener, a webhook without its secret, `webhook set`.

use cnscd::telegram::{serve_receiving_until, Receive};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::fake_telegram::DEFAULT_WAIT;
use crate::support::telegram_app::spawn_app_without_bot;
use crate::support::webhook::SECRET;
use crate::telegram::*;

#[tokio::test]
async fn long_polling_serves_healthz_and_metrics_when_given_a_listener() {
    // Arrange
    let mut app = spawn_app_without_bot().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let receive = Receive::Polling {
        listener: Some(listener),
        public: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let bot = tokio::spawn(serve_receiving_until(
        app.fresh_engine().await,
        app.tg.bot(),
        crate::support::telegram_app::test_options("ops"),
        receive,
        async move {
            let _ = stopped.await;
        },
    ));

    // Act
    start(&mut app).await;
    let health = reqwest::get(format!("{base}/healthz")).await.expect("GET");
    let metrics = reqwest::get(format!("{base}/metrics")).await.expect("GET");

    // Assert
    assert_eq!(health.status(), StatusCode::OK);
    let metrics = metrics.text().await.expect("text");
    assert!(
        metrics
            .lines()
            .any(|l| l == "cnscd_updates_total{outcome=\"applied\"} 1"),
        "{metrics}"
    );
    let _ = stop.send(());
    let stopped = tokio::time::timeout(DEFAULT_WAIT, bot).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "stopped cleanly: {stopped:?}"
    );
}

#[tokio::test]
async fn serve_with_a_webhook_url_but_no_secret_refuses_to_start_and_says_what_to_set() {
    // Arrange
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("cnscd.db").display());

    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args([
            "serve",
            "--webhook-url",
            "https://bot.example.org/telegram/updates",
        ])
        .env_remove("CNSCD_WEBHOOK_SECRET")
        .env("TELOXIDE_TOKEN", "1234567:fake-telegram-token")
        .env("DATABASE_URL", &database)
        .output()
        .await
        .expect("cnscd runs");

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit code 1; stderr: {stderr}"
    );
    assert!(
        stderr.contains("CNSCD_WEBHOOK_SECRET is not set"),
        "the message names the variable: {stderr}"
    );
    assert!(
        !dir.path().join("cnscd.db").exists(),
        "refused before opening the database"
    );
}

#[tokio::test]
async fn serve_with_a_guessable_webhook_secret_refuses_to_start_and_says_how_long_it_must_be() {
    // Arrange: Telegram would take a one-character secret; a forger could guess it.
    let dir = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", dir.path().join("cnscd.db").display());

    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args([
            "serve",
            "--webhook-url",
            "https://bot.example.org/telegram/updates",
        ])
        .env("CNSCD_WEBHOOK_SECRET", "x")
        .env("TELOXIDE_TOKEN", "1234567:fake-telegram-token")
        .env("DATABASE_URL", &database)
        .output()
        .await
        .expect("cnscd runs");

    // Assert
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("at least 32"), "{stderr}");
    assert!(
        !stderr.contains("\"x\""),
        "the secret is not printed: {stderr}"
    );
}

#[tokio::test]
async fn webhook_set_gives_telegram_the_url_the_secret_and_the_updates_the_bot_handles() {
    // Arrange
    let app = spawn_app_without_bot().await;
    let bot = app.tg.bot();
    let secret = cnscd::telegram::WebhookSecret::parse(SECRET).expect("valid secret");
    let args = cnscd::config::WebhookSetArgs {
        url: url::Url::parse("https://bot.example.org/telegram/updates").expect("URL"),
        max_connections: Some(10),
        drop_pending_updates: true,
        telegram: cnscd::config::TelegramArgs {
            token: None,
            api_url: None,
        },
    };
    let mut out = Vec::new();

    // Act
    cnscd::cli::webhook::set(&bot, &args, &secret, &mut out)
        .await
        .expect("webhook set");
    cnscd::cli::webhook::delete(&bot, false, &mut out)
        .await
        .expect("webhook deleted");
    cnscd::cli::webhook::info(&bot, &mut out)
        .await
        .expect("webhook info");

    // Assert
    let set = app.tg.wait_for_method("setWebhook", DEFAULT_WAIT).await;
    assert_eq!(set.body["url"], "https://bot.example.org/telegram/updates");
    assert_eq!(set.body["secret_token"], SECRET);
    assert_eq!(
        set.body["allowed_updates"],
        json!(["message", "callback_query"])
    );
    assert_eq!(set.body["max_connections"], 10);
    assert_eq!(set.body["drop_pending_updates"], true);
    let delete = app.tg.wait_for_method("deleteWebhook", DEFAULT_WAIT).await;
    assert_ne!(delete.body["drop_pending_updates"], true);
    let printed = String::from_utf8(out).expect("UTF-8");
    for expected in ["Webhook set", "Webhook deleted", "URL:               none"] {
        assert!(printed.contains(expected), "no {expected:?} in:\n{printed}");
    }
}
