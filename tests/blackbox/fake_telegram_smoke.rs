//! Checks the fake Telegram server itself: a tiny bot runs on the real
//! teloxide dispatcher against it, and direct Bot API calls get answers
//! teloxide can parse.

use std::{error::Error, time::Duration};

use crate::support::fake_telegram::*;
use serde_json::json;
use teloxide::{
    dispatching::UpdateHandler,
    net::Download,
    prelude::*,
    types::{
        BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, KeyboardButton,
        KeyboardMarkup, MessageId, UpdateKind,
    },
    ApiError, RequestError,
};

type HandlerResult = Result<(), Box<dyn Error + Send + Sync>>;

const WAIT: Duration = Duration::from_secs(10);

/// Echoes texts (with an inline button), reports the size of photos after
/// downloading them, and answers button presses.
fn echo_bot() -> UpdateHandler<Box<dyn Error + Send + Sync>> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

async fn on_message(bot: Bot, msg: Message) -> HandlerResult {
    if let Some(largest) = msg.photo().and_then(|sizes| sizes.last()) {
        let file = bot.get_file(largest.file.id.clone()).await?;
        let mut bytes = Vec::new();
        bot.download_file(&file.path, &mut bytes).await?;
        bot.send_message(msg.chat.id, format!("photo: {} bytes", bytes.len()))
            .await?;
    } else if let Some(text) = msg.text() {
        let again = InlineKeyboardButton::callback("Again", "again");
        bot.send_message(msg.chat.id, format!("echo: {text}"))
            .reply_markup(InlineKeyboardMarkup::new([[again]]))
            .await?;
    }
    Ok(())
}

async fn on_callback(bot: Bot, query: CallbackQuery) -> HandlerResult {
    bot.answer_callback_query(query.id.clone()).await?;
    if let Some(message) = query.regular_message() {
        let data = query.data.as_deref().unwrap_or_default();
        bot.send_message(message.chat.id, format!("callback: {data}"))
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn echo_bot_replies_through_the_fake_server() {
    let tg = FakeTelegram::start().await;
    tg.add_file("photo-1", b"eleven byte".to_vec());

    let mut dispatcher = Dispatcher::builder(tg.bot(), echo_bot()).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    tg.push_update(text_update(1, 42, "xin chào"));
    tg.push_update(callback_update(2, 42, "again"));
    tg.push_update(photo_update(3, 42, "photo-1"));

    let sent = tg.wait_for_messages(3, WAIT).await;
    let texts: Vec<_> = sent.iter().map(|m| m["text"].clone()).collect();
    assert_eq!(
        texts,
        [
            json!("echo: xin chào"),
            json!("callback: again"),
            json!("photo: 11 bytes")
        ]
    );
    assert!(sent.iter().all(|m| m["chat_id"] == json!(42)));
    assert_eq!(
        inline_buttons(&sent[0]),
        [("Again".to_owned(), "again".to_owned())]
    );
    assert_eq!(tg.sent_texts(42).len(), 3);

    let answer = tg.wait_for_method("answerCallbackQuery", WAIT).await;
    assert_eq!(answer.body["callback_query_id"], "cbq-2");
    assert_eq!(tg.calls("getFile")[0].body["file_id"], "photo-1");

    // The dispatcher asked only for the update kinds its handlers use.
    let first_poll = &tg.calls("getUpdates")[0];
    let allowed = first_poll.body["allowed_updates"].as_array().unwrap();
    assert!(allowed.contains(&json!("message")));
    assert!(allowed.contains(&json!("callback_query")));
    assert_eq!(tg.calls("getMe").len(), 1);

    tg.wait_until_consumed(WAIT).await;
    assert!(tg.updates_consumed());

    shutdown.shutdown().expect("dispatcher is running").await;
    running.await.expect("dispatcher task panicked");
}

#[tokio::test]
async fn push_and_wait_for_replies_returns_only_the_new_messages() {
    let tg = FakeTelegram::start().await;
    let mut dispatcher = Dispatcher::builder(tg.bot(), echo_bot()).build();
    let shutdown = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    let first = tg
        .push_and_wait_for_replies(text_update(10, 7, "một"), 1, WAIT)
        .await;
    let second = tg
        .push_and_wait_for_replies(text_update(11, 7, "hai"), 1, WAIT)
        .await;
    assert_eq!(first[0]["text"], "echo: một");
    assert_eq!(second[0]["text"], "echo: hai");

    shutdown.shutdown().expect("dispatcher is running").await;
    running.await.expect("dispatcher task panicked");
}

#[test]
fn updates_built_by_the_helpers_deserialise_as_teloxide_updates() {
    let message = |update: serde_json::Value| -> Message {
        match parse_update(&update).kind {
            UpdateKind::Message(message) => message,
            other => panic!("expected a message, got {other:?}"),
        }
    };

    let text = message(text_update(1, 5, "/start abc"));
    assert_eq!(text.text(), Some("/start abc"));
    assert_eq!(text.chat.id, ChatId(5));
    let from = text.from.as_ref().unwrap();
    assert_eq!((from.id.0, from.language_code.as_deref()), (5, Some("vi")));
    assert_eq!(text.entities().unwrap().len(), 1);

    assert!(message(sticker_update(2, 5, "s")).sticker().is_some());
    assert_eq!(
        message(photo_update(3, 5, "p"))
            .photo()
            .unwrap()
            .last()
            .unwrap()
            .file
            .id
            .0,
        "p"
    );
    let document = message(document_update(4, 5, "d", "đơn.pdf", "application/pdf"));
    let document = document.document().unwrap();
    assert_eq!(document.file_name.as_deref(), Some("đơn.pdf"));
    assert_eq!(
        document.mime_type.as_ref().unwrap().as_ref(),
        "application/pdf"
    );
    let contact = message(contact_update(5, 5, "+84901234567", 5));
    assert_eq!(contact.contact().unwrap().phone_number, "+84901234567");
    let location = message(location_update(6, 5, 21.0285, 105.8542));
    assert_eq!(location.location().unwrap().latitude, 21.0285);
    assert_eq!(
        message(voice_update(7, 5, "v", 3))
            .voice()
            .unwrap()
            .duration
            .seconds(),
        3
    );

    match parse_update(&callback_update(8, 5, "yes")).kind {
        UpdateKind::CallbackQuery(query) => {
            assert_eq!(query.data.as_deref(), Some("yes"));
            assert_eq!(query.regular_message().unwrap().chat.id, ChatId(5));
        }
        other => panic!("expected a callback query, got {other:?}"),
    }
}

#[tokio::test]
async fn direct_bot_calls_get_answers_teloxide_understands() {
    let tg = FakeTelegram::start().await;
    let bot = tg.bot();
    let chat = ChatId(42);

    // Multipart upload from memory: recorded, echoed back and downloadable.
    let photo = bot
        .send_photo(
            chat,
            InputFile::memory(b"png-bytes".to_vec()).file_name("a.png"),
        )
        .caption("42")
        .await
        .unwrap();
    assert_eq!(photo.caption(), Some("42"));
    let upload = &tg.calls("sendPhoto")[0];
    assert_eq!(upload.chat_id(), Some(42));
    assert_eq!(upload.body["caption"], "42");
    let attached = upload.attachment("photo").unwrap();
    assert_eq!(
        (attached.file_name.as_deref(), attached.bytes.as_slice()),
        (Some("a.png"), b"png-bytes".as_slice())
    );
    let file = bot
        .get_file(photo.photo().unwrap()[0].file.id.clone())
        .await
        .unwrap();
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded)
        .await
        .unwrap();
    assert_eq!(downloaded, b"png-bytes");

    let document = bot
        .send_document(
            chat,
            InputFile::memory(vec![1, 2, 3]).file_name("báo cáo.csv"),
        )
        .await
        .unwrap();
    assert_eq!(
        document.document().unwrap().file_name.as_deref(),
        Some("báo cáo.csv")
    );

    // Edits keep the message id; a reply keyboard is recorded but not echoed.
    let keyboard = KeyboardMarkup::new([[KeyboardButton::new("Gửi số điện thoại")]]);
    let sent = bot
        .send_message(chat, "menu")
        .reply_markup(keyboard)
        .await
        .unwrap();
    assert_eq!(
        reply_keyboard_buttons(&tg.sent_messages()[0]),
        ["Gửi số điện thoại"]
    );
    let edited = bot
        .edit_message_text(chat, sent.id, "menu 2")
        .reply_markup(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("OK", "ok"),
        ]]))
        .await
        .unwrap();
    assert_eq!((edited.id, edited.text()), (sent.id, Some("menu 2")));
    assert!(edited.reply_markup().is_some());
    let edited = bot.edit_message_reply_markup(chat, sent.id).await.unwrap();
    assert_eq!(edited.text(), Some("menu 2"));
    assert!(edited.reply_markup().is_none());
    bot.edit_message_text(chat, MessageId(5), "never sent")
        .await
        .unwrap();

    bot.set_my_commands([BotCommand::new("start", "Bắt đầu")])
        .await
        .unwrap();
    bot.delete_webhook().await.unwrap();
    assert!(bot.get_chat(chat).await.unwrap().is_private());
    assert_eq!(bot.get_me().await.unwrap().username(), BOT_USERNAME);

    // Error paths.
    tg.block_chat(99);
    let blocked = bot.send_message(ChatId(99), "alert").await.unwrap_err();
    assert!(
        matches!(blocked, RequestError::Api(ApiError::BotBlocked)),
        "{blocked:?}"
    );
    assert!(!tg.calls("sendMessage").last().unwrap().succeeded());
    assert_eq!(tg.sent_messages().len(), 1, "blocked sends are not 'sent'");

    tg.fail_next("sendMessage", 400, "Bad Request: message is too long");
    let too_long = bot.send_message(chat, "x").await.unwrap_err();
    assert!(
        matches!(too_long, RequestError::Api(ApiError::MessageIsTooLong)),
        "{too_long:?}"
    );
    bot.send_message(chat, "x").await.unwrap();

    let unknown = bot.get_file("nope".into()).await.unwrap_err();
    assert!(
        matches!(unknown, RequestError::Api(ApiError::FileIdInvalid)),
        "{unknown:?}"
    );
}
