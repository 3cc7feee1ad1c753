//! The Zalo Bot's two ways in, and what each refuses: long polling and the webhook, a
//! forged secret, a message delivered twice, a group's message, a token Zalo refuses.

use serde_json::Value;

use super::app::{spawn_zalo_bot_app, Mode, ZaloBotApp, WEBHOOK_PATH};
use cnscd::secrets::Secret;
use cnscd::zalo_bot::setup::StartError;

const CHAT: &str = "7731005512984410276";

/// The texts `chat` got.
fn texts(app: &ZaloBotApp, chat: &str) -> Vec<String> {
    app.bot.sent_to(chat).into_iter().map(|s| s.text).collect()
}

async fn start_registration(app: &ZaloBotApp) -> Value {
    let update = app.bot.text(CHAT, &format!("/start {}", app.invitation));
    app.say(&update).await;
    update
}

#[tokio::test]
async fn a_message_polled_is_answered_after_the_bot_was_checked_and_its_webhook_removed() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    start_registration(&app).await;
    let answers = texts(&app, CHAT);
    assert!(!answers.is_empty(), "the invitation is answered");
    let calls = app.bot.calls();
    assert_eq!(calls[..2], ["getMe", "deleteWebhook"], "{calls:?}");
    assert!(calls.contains(&"getUpdates".to_owned()));
    app.destroy().await;
}

#[tokio::test]
async fn a_message_by_webhook_is_answered_and_the_webhook_was_registered_with_its_secret() {
    let app = spawn_zalo_bot_app(Mode::Webhook).await;
    let (url, secret) = app.bot.webhook().expect("setWebhook was called");
    assert_eq!(url, format!("{}{WEBHOOK_PATH}", app.public));
    assert_eq!(secret, super::app::WEBHOOK_SECRET);
    start_registration(&app).await;
    assert!(!texts(&app, CHAT).is_empty(), "the invitation is answered");
    assert!(!app.bot.calls().contains(&"getUpdates".to_owned()));
    app.destroy().await;
}

#[tokio::test]
async fn a_webhook_post_without_the_secret_or_with_a_forged_one_is_refused_and_not_recorded() {
    let app = spawn_zalo_bot_app(Mode::Webhook).await;
    let (url, _) = app.bot.webhook().expect("a webhook");
    let update = app.bot.text(CHAT, "/start");
    for secret in [None, Some("forged-secret-0123"), Some("")] {
        let status = app.bot.post_webhook_with(&url, &update, secret).await;
        assert_eq!(status, 401, "secret {secret:?}");
    }
    assert_eq!(app.recorded().await, 0, "nothing recorded");
    app.settle().await;
    assert!(app.bot.sent().is_empty(), "nothing answered");
    app.destroy().await;
}

#[tokio::test]
async fn a_message_polled_twice_is_applied_once() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    start_registration(&app).await;
    let once = texts(&app, CHAT).len();
    app.bot.repeat_last();
    // Polls are taken one after another: once the next message is recorded, the repeated
    // one was handled before it.
    app.say(&app.bot.text("another-chat", "/help")).await;
    assert_eq!(app.recorded().await, 2, "the repeat was not recorded again");
    assert_eq!(texts(&app, CHAT).len(), once, "nor answered again");
    app.destroy().await;
}

#[tokio::test]
async fn a_webhook_post_repeated_is_applied_once() {
    let app = spawn_zalo_bot_app(Mode::Webhook).await;
    let update = start_registration(&app).await;
    let once = texts(&app, CHAT).len();
    assert_eq!(
        app.bot.post_webhook(&update).await,
        200,
        "acknowledged again"
    );
    app.settle().await;
    assert_eq!(app.recorded().await, 1);
    assert_eq!(texts(&app, CHAT).len(), once);
    app.destroy().await;
}

#[tokio::test]
async fn a_group_message_is_not_answered_and_a_private_one_is() {
    for mode in [Mode::Polling, Mode::Webhook] {
        let app = spawn_zalo_bot_app(mode).await;
        app.say(&app.bot.group_text("group-1", "/start")).await;
        app.say(&app.bot.text(CHAT, "/start")).await;
        assert!(
            app.bot.sent_to("group-1").is_empty(),
            "{mode:?}: no answer in a group"
        );
        assert!(
            !texts(&app, CHAT).is_empty(),
            "{mode:?}: the private chat is answered"
        );
        assert_eq!(app.recorded().await, 1, "{mode:?}");
        app.destroy().await;
    }
}

#[tokio::test]
async fn a_token_zalo_refuses_stops_the_start_with_a_clear_error() {
    let app = spawn_zalo_bot_app(Mode::Polling).await;
    let mut settings = app.settings();
    settings.token = Secret::from("1:not-the-token".to_owned());
    let error = match cnscd::zalo_bot::setup::start(settings, &app.engine).await {
        Ok(_) => panic!("a refused token starts nothing"),
        Err(error) => error,
    };
    assert!(
        matches!(error, StartError::Token { code: 401, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("ZALO_BOT_TOKEN"), "{message}");
    assert!(
        !message.contains("not-the-token"),
        "the token is never shown: {message}"
    );
    app.destroy().await;
}
