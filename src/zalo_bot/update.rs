//! A Zalo Bot update (`{event_name, message}`, from `getUpdates` or a webhook POST) as an
//! inbox event. Only private chats are answered: the bot is not made for groups, and an
//! answer in a group would show a member's answers to all. Updates carry no update id: the
//! message's `message_id` is the event's id, so a message delivered twice (a poll answered
//! again, a webhook POST repeated) is recorded once. Ids stay strings.

use serde::{Deserialize, Deserializer};

use super::CHANNEL;
use crate::conversation::{FileKind, FileUpload, Incoming, UnsupportedKind};
use crate::storage::inbox::NewEvent;

#[derive(Debug, Deserialize)]
struct Update {
    #[serde(default)]
    event_name: String,
    #[serde(default)]
    message: Option<Message>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default, deserialize_with = "id_string")]
    message_id: Option<String>,
    chat: Chat,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    photo: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Chat {
    #[serde(deserialize_with = "id_string")]
    id: Option<String>,
    #[serde(default)]
    chat_type: String,
}

/// Reads a JSON string or number as a string (ids may come either way).
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(match Option::<Id>::deserialize(d)? {
        Some(Id::Text(text)) => Some(text),
        Some(Id::Number(number)) => Some(number.to_string()),
        None => None,
    })
}

/// The inbox event of an update; `Ok(None)` for one the bot does not answer (a group's, one
/// without a message), `Err` when it is not JSON of an update.
pub fn translate(update: &serde_json::Value) -> Result<Option<NewEvent>, serde_json::Error> {
    let update = Update::deserialize(update)?;
    let Some(message) = update.message else {
        return Ok(None);
    };
    let (Some(chat_id), Some(message_id)) = (message.chat.id, message.message_id) else {
        return Ok(None);
    };
    if !message.chat.chat_type.eq_ignore_ascii_case("PRIVATE") {
        return Ok(None);
    }
    let incoming = match update.event_name.as_str() {
        "message.text.received" => Incoming::Text(message.text.unwrap_or_default()),
        "message.image.received" => match message.photo {
            Some(url) => Incoming::File(photo(url)),
            None => Incoming::Unsupported(UnsupportedKind::Other),
        },
        "message.sticker.received" => Incoming::Unsupported(UnsupportedKind::Sticker),
        _ => Incoming::Unsupported(UnsupportedKind::Other),
    };
    Ok(Some(NewEvent {
        channel: CHANNEL,
        chat_id,
        update_id: Some(format!("m:{message_id}")),
        body: serde_json::to_string(&incoming)?,
    }))
}

/// A picture, not downloaded: its URL is its id (fetched only when a step expects a file).
fn photo(url: String) -> FileUpload {
    FileUpload {
        file_id: url,
        kind: FileKind::Photo,
        sha256: None,
        kept: false,
        content: None,
        too_large: false,
        fetched: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(event: &str, chat_type: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut message = json!({
            "message_id": "abc123",
            "chat": { "id": "u42", "chat_type": chat_type },
            "from": { "id": "u42", "display_name": "An" },
            "date": 1_750_316_131_602_u64,
        });
        for (key, value) in extra.as_object().expect("object") {
            message[key] = value.clone();
        }
        json!({ "event_name": event, "message": message })
    }

    #[test]
    fn a_private_text_is_recorded_under_its_message_id() {
        let event = translate(&update(
            "message.text.received",
            "PRIVATE",
            json!({ "text": "Xin chào" }),
        ))
        .expect("readable")
        .expect("answered");
        assert_eq!(event.channel, CHANNEL);
        assert_eq!(event.chat_id, "u42");
        assert_eq!(event.update_id.as_deref(), Some("m:abc123"));
        let incoming: Incoming = serde_json::from_str(&event.body).expect("incoming");
        assert_eq!(incoming, Incoming::Text("Xin chào".into()));
    }

    #[test]
    fn a_group_message_is_not_answered() {
        let group = update("message.text.received", "GROUP", json!({ "text": "hi" }));
        assert_eq!(translate(&group).expect("readable"), None);
    }

    #[test]
    fn a_picture_is_a_file_and_a_sticker_unsupported() {
        let picture = update(
            "message.image.received",
            "PRIVATE",
            json!({ "photo": "https://f.zdn.vn/p.jpg" }),
        );
        let event = translate(&picture).expect("readable").expect("answered");
        let incoming: Incoming = serde_json::from_str(&event.body).expect("incoming");
        assert!(matches!(incoming, Incoming::File(f) if f.file_id == "https://f.zdn.vn/p.jpg"));
        let sticker = update("message.sticker.received", "PRIVATE", json!({}));
        let event = translate(&sticker).expect("readable").expect("answered");
        let incoming: Incoming = serde_json::from_str(&event.body).expect("incoming");
        assert_eq!(incoming, Incoming::Unsupported(UnsupportedKind::Sticker));
    }
}
