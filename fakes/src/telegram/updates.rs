//! Update builders. All updates come from a private chat whose user id equals the chat id,
//! with first name "Test" and language code "vi".

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use teloxide::types::{Update, UpdateKind};

use super::{BOT_FIRST_NAME, BOT_ID, BOT_USERNAME, USER_FIRST_NAME};

/// The user (as in `message.from`) for `user_id`.
pub fn user_json(user_id: i64) -> Value {
    json!({
        "id": user_id,
        "is_bot": false,
        "first_name": USER_FIRST_NAME,
        "language_code": "vi",
    })
}

/// The bot itself as a `User`.
pub fn bot_user_json() -> Value {
    json!({
        "id": BOT_ID,
        "is_bot": true,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    })
}

/// A private chat with the user `chat_id`.
pub fn private_chat_json(chat_id: i64) -> Value {
    json!({ "id": chat_id, "type": "private", "first_name": USER_FIRST_NAME })
}

/// A `message` update from the user `chat_id`; `content` supplies the
/// message kind's fields (`text`, `photo`, `contact`, ...).
pub fn message_update(update_id: i64, chat_id: i64, content: Value) -> Value {
    let mut message = json!({
        "message_id": update_id,
        "date": unix_now(),
        "chat": private_chat_json(chat_id),
        "from": user_json(chat_id),
    });
    merge(&mut message, content);
    json!({ "update_id": update_id, "message": message })
}

/// A text message. A leading `/command` gets a `bot_command` entity, as
/// Telegram would add.
pub fn text_update(update_id: i64, chat_id: i64, text: &str) -> Value {
    let mut content = json!({ "text": text });
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or(text);
        content["entities"] = json!([{
            "type": "bot_command",
            "offset": 0,
            "length": command.encode_utf16().count(),
        }]);
    }
    message_update(update_id, chat_id, content)
}

/// A callback query from the user `chat_id`, pressed on a bot message with
/// id `update_id` (use [`callback_update_on`] to pick the message id).
pub fn callback_update(update_id: i64, chat_id: i64, data: &str) -> Value {
    callback_update_on(update_id, chat_id, update_id, data)
}

/// A callback query on the bot's message `message_id` in chat `chat_id`.
pub fn callback_update_on(update_id: i64, chat_id: i64, message_id: i64, data: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("cbq-{update_id}"),
            "from": user_json(chat_id),
            "message": {
                "message_id": message_id,
                // A zero date would make teloxide treat the message as
                // inaccessible.
                "date": unix_now(),
                "chat": private_chat_json(chat_id),
                "from": bot_user_json(),
                "text": "(message with inline keyboard)",
            },
            "chat_instance": format!("ci-{chat_id}"),
            "data": data,
        }
    })
}

/// A regular static sticker.
pub fn sticker_update(update_id: i64, chat_id: i64, file_id: &str) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "sticker": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": false,
            "is_video": false,
            "emoji": "👍",
        }}),
    )
}

/// A photo in two sizes: a thumbnail (`{file_id}-thumb`) and `file_id` as the
/// largest (last) size, as Telegram orders them. Sizes claim 1 KiB.
pub fn photo_update(update_id: i64, chat_id: i64, file_id: &str) -> Value {
    let thumb = format!("{file_id}-thumb");
    message_update(
        update_id,
        chat_id,
        json!({ "photo": [
            {
                "file_id": thumb,
                "file_unique_id": unique_id(&thumb),
                "file_size": 256,
                "width": 90,
                "height": 90,
            },
            {
                "file_id": file_id,
                "file_unique_id": unique_id(file_id),
                "file_size": 1024,
                "width": 1280,
                "height": 960,
            },
        ]}),
    )
}

/// A document; its `file_size` claims 1 KiB (edit the JSON to change it).
pub fn document_update(
    update_id: i64,
    chat_id: i64,
    file_id: &str,
    file_name: &str,
    mime_type: &str,
) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "document": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "file_name": file_name,
            "mime_type": mime_type,
        }}),
    )
}

/// A shared contact. `user_id == chat_id` means the user shared their own
/// phone number (e.g. via a `request_contact` keyboard button).
pub fn contact_update(update_id: i64, chat_id: i64, phone: &str, user_id: i64) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "contact": {
            "phone_number": phone,
            "first_name": USER_FIRST_NAME,
            "user_id": user_id,
        }}),
    )
}

pub fn location_update(update_id: i64, chat_id: i64, latitude: f64, longitude: f64) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "location": { "latitude": latitude, "longitude": longitude } }),
    )
}

/// A voice note (`audio/ogg`) lasting `duration_secs`.
pub fn voice_update(update_id: i64, chat_id: i64, file_id: &str, duration_secs: u32) -> Value {
    message_update(
        update_id,
        chat_id,
        json!({ "voice": {
            "file_id": file_id,
            "file_unique_id": unique_id(file_id),
            "file_size": 1024,
            "duration": duration_secs,
            "mime_type": "audio/ogg",
        }}),
    )
}

/// Parses update JSON into a teloxide `Update`, e.g. to unit-test handlers
/// without the server.
///
/// Goes through a string on purpose: teloxide's `UpdateKind` deserialiser
/// first tries to borrow the key as `&str`, which consumes the key when
/// reading from a `serde_json::Value`, so `serde_json::from_value::<Update>`
/// silently yields `UpdateKind::Error`.
pub fn parse_update(update: &Value) -> Update {
    let update: Update = serde_json::from_str(&update.to_string())
        .unwrap_or_else(|err| panic!("not a valid update ({err}): {update}"));
    assert!(
        !matches!(update.kind, UpdateKind::Error(_)),
        "teloxide could not parse update {}",
        update.id.0
    );
    update
}

/// `(text, callback_data)` of every callback button of an inline keyboard in
/// a sent message body (or a message object), row by row.
pub fn inline_buttons(message: &Value) -> Vec<(String, String)> {
    let rows = message["reply_markup"]["inline_keyboard"].as_array();
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|button| {
            Some((
                button["text"].as_str()?.to_owned(),
                button["callback_data"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Texts of the buttons of a reply keyboard in a sent message body, row by row.
pub fn reply_keyboard_buttons(message: &Value) -> Vec<String> {
    let rows = message["reply_markup"]["keyboard"].as_array();
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|button| button.as_str().or_else(|| button["text"].as_str()))
        .map(str::to_owned)
        .collect()
}

pub(super) fn unique_id(file_id: &str) -> String {
    format!("u-{file_id}")
}

pub(super) fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// Copies the fields of the object `extra` into the object `target`.
pub(super) fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}
