//! Replies as Telegram messages: the markup goes out as HTML (user text in it is already
//! escaped), buttons as an inline keyboard whose callback data is the button's payload.

use std::future::Future;

use teloxide::prelude::*;
use teloxide::types::{
    ButtonRequest, ChatId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, KeyboardButton,
    KeyboardMarkup, ParseMode, ReplyMarkup,
};
use teloxide::{ApiError, RequestError};

use super::Api;
use crate::conversation::{Button, Reply};
use crate::i18n::to_plain;

/// Sends one part of a reply (see [`crate::pipeline::delivery_parts`]): its picture, or its
/// document, or its text with its buttons.
pub(super) async fn send_part<R: Api>(
    bot: &R,
    chat: ChatId,
    part: &Reply,
) -> Result<(), RequestError> {
    if let Some(image) = &part.image {
        let photo = InputFile::memory(image.bytes.clone()).file_name(image.file_name.clone());
        let sending = match &image.caption {
            Some(caption) => bot.send_photo(chat, photo).caption(caption.clone()).send(),
            None => bot.send_photo(chat, photo).send(),
        };
        return sending.await.map(drop);
    }
    if let Some(document) = &part.document {
        let file = InputFile::memory(document.bytes.clone()).file_name(document.file_name.clone());
        let sending = bot.send_document(chat, file).send();
        return sending.await.map(drop);
    }
    let text = part.text.as_str();
    if text.trim().is_empty() {
        return Ok(());
    }
    let keyboard = match &part.ask_contact {
        Some(label) => Some(contact_keyboard(label)),
        None => keyboard(&part.buttons).map(ReplyMarkup::InlineKeyboard),
    };
    match send_message(
        bot,
        chat,
        text.to_owned(),
        Some(ParseMode::Html),
        keyboard.clone(),
    )
    .await
    {
        Err(RequestError::Api(ApiError::CantParseEntities(_))) => {
            // A text with broken markup still says something useful as plain text.
            tracing::warn!("Telegram refused the HTML of a reply; sent as plain text");
            send_message(bot, chat, to_plain(text), None, keyboard).await
        }
        result => result,
    }
}

/// A one-tap "share my phone number" keyboard (Telegram only sends the user's own contact).
fn contact_keyboard(label: &str) -> ReplyMarkup {
    let button = KeyboardButton::new(label).request(ButtonRequest::Contact);
    ReplyMarkup::Keyboard(
        KeyboardMarkup::new(vec![vec![button]])
            .one_time_keyboard()
            .resize_keyboard(),
    )
}

/// The `sendMessage` call, as a future that is `Send` for every requester (the request
/// builder itself need not be, so it must not live across an `.await`).
fn send_message<R: Api>(
    bot: &R,
    chat: ChatId,
    text: String,
    parse_mode: Option<ParseMode>,
    keyboard: Option<ReplyMarkup>,
) -> impl Future<Output = Result<(), RequestError>> + Send {
    let mut request = bot.send_message(chat, text);
    if let Some(parse_mode) = parse_mode {
        request = request.parse_mode(parse_mode);
    }
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard);
    }
    let sending = request.send();
    async move { sending.await.map(drop) }
}

fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .filter(|row| !row.is_empty())
        .map(|row| {
            row.iter()
                .map(|b| InlineKeyboardButton::callback(&b.label, &b.payload))
                .collect()
        })
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}
