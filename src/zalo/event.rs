//! A Zalo webhook event as an inbox event. Only what the bot answers becomes one: a user's
//! messages (text, pasted links, pictures, files, and the kinds it cannot read), following
//! the OA, and the name and phone a user shares through a request-info form. Echoes of the
//! OA's own messages (`oa_send_*`), anything said in a group chat (`user_send_group_*`: the
//! bot works in private chats, and a private answer to a group message would surprise) and
//! anything else are acknowledged and dropped. Ids stay strings:
//! Zalo's do not fit in a JavaScript number, and some are not numbers at all.

use serde::{Deserialize, Deserializer};

use super::buttons::PAYLOAD_PREFIX;
use super::CHANNEL;
use crate::conversation::{FileKind, FileUpload, Incoming, UnsupportedKind};
use crate::storage::inbox::NewEvent;

/// What an event asks of the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translated {
    /// Something to answer: recorded in the inbox.
    Event(NewEvent),
    /// The user stopped following the OA: their chat cannot be reached any more.
    Unfollowed { chat_id: String },
    /// Nothing to do.
    Ignored,
}

#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(default)]
    event_name: String,
    #[serde(default, deserialize_with = "id_string")]
    timestamp: Option<String>,
    #[serde(default)]
    sender: Option<Person>,
    #[serde(default)]
    follower: Option<Person>,
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    info: Option<Info>,
}

#[derive(Debug, Deserialize)]
struct Person {
    #[serde(deserialize_with = "id_string")]
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default, deserialize_with = "id_string")]
    msg_id: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

#[derive(Debug, Deserialize)]
struct Attachment {
    #[serde(default)]
    payload: Option<AttachmentPayload>,
}

#[derive(Debug, Default, Deserialize)]
struct AttachmentPayload {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type", default)]
    file_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Info {
    #[serde(default)]
    phone: Option<String>,
}

/// Reads a JSON string or number as a string (Zalo sends ids and timestamps either way).
pub(super) fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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

/// The event of a (verified) webhook body; `Err` when it is not JSON of a Zalo event.
pub fn translate(body: &[u8]) -> Result<Translated, serde_json::Error> {
    let raw: Raw = serde_json::from_slice(body)?;
    Ok(read(raw))
}

fn read(raw: Raw) -> Translated {
    let name = raw.event_name.as_str();
    if name.starts_with("oa_send_") || name.contains("group") {
        return Translated::Ignored;
    }
    let sender = raw.sender.as_ref().and_then(|s| s.id.clone());
    let follower = raw.follower.as_ref().and_then(|f| f.id.clone());
    match name {
        "follow" => follower.map_or(Translated::Ignored, |chat| {
            let id = format!("follow:{chat}:{}", raw.timestamp.unwrap_or_default());
            record(chat, id, &Incoming::Text("/start".into()))
        }),
        "unfollow" => follower.map_or(Translated::Ignored, |chat_id| Translated::Unfollowed {
            chat_id,
        }),
        "user_submit_info" => {
            let phone = raw.info.and_then(|info| info.phone).unwrap_or_default();
            match sender {
                Some(chat) => {
                    let id = format!("info:{chat}:{}", raw.timestamp.unwrap_or_default());
                    // The form gives whatever number the user typed: a claim, not a proof.
                    record(chat, id, &Incoming::ClaimedNumber { phone })
                }
                None => Translated::Ignored,
            }
        }
        _ if name.starts_with("user_send_") => {
            let (Some(chat), Some(message)) = (sender, raw.message) else {
                return Translated::Ignored;
            };
            let Some(incoming) = message_of(name, &message) else {
                return Translated::Ignored;
            };
            // A message without an id cannot be recognised when Zalo sends it again; its
            // timestamp stands in.
            let id = match message.msg_id {
                Some(msg_id) => format!("m:{msg_id}"),
                None => format!("t:{chat}:{}", raw.timestamp.unwrap_or_default()),
            };
            record(chat, id, &incoming)
        }
        _ => Translated::Ignored,
    }
}

/// What a `user_send_*` message is to the conversation.
fn message_of(name: &str, message: &Message) -> Option<Incoming> {
    let attachment = message.attachments.first();
    let payload = attachment.and_then(|a| a.payload.as_ref());
    let url = payload.and_then(|p| p.url.clone());
    Some(match name {
        "user_send_text" => {
            let text = message.text.clone().unwrap_or_default();
            // A button's payload comes back as the user's text (`oa.query.hide`).
            match text.strip_prefix(PAYLOAD_PREFIX) {
                Some(payload) => Incoming::Button(payload.to_owned()),
                None => Incoming::Text(text),
            }
        }
        // A pasted link comes with its text (the URL, or what was typed around it): read as
        // text, so a link to a village's page or an invitation is answered like typing it.
        "user_send_link" => match message.text.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Incoming::Text(text.to_owned()),
            _ => match url {
                Some(url) => Incoming::Text(url),
                None => Incoming::Unsupported(UnsupportedKind::Other),
            },
        },
        "user_send_image" => Incoming::File(upload(url?, FileKind::Photo)),
        "user_send_file" => {
            let payload = payload?;
            let is_pdf = payload
                .file_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("pdf"))
                || payload
                    .name
                    .as_deref()
                    .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf"));
            let kind = if is_pdf {
                FileKind::Pdf
            } else {
                FileKind::Other
            };
            Incoming::File(upload(url?, kind))
        }
        "user_send_sticker" | "user_send_gif" => Incoming::Unsupported(UnsupportedKind::Sticker),
        "user_send_audio" => Incoming::Unsupported(UnsupportedKind::Voice),
        "user_send_video" => Incoming::Unsupported(UnsupportedKind::Video),
        "user_send_location" => Incoming::Unsupported(UnsupportedKind::Location),
        _ => Incoming::Unsupported(UnsupportedKind::Other),
    })
}

/// A file, not downloaded: its URL is its id (fetched, and a scan kept, only when a step
/// expects a file: the URL stops working later).
fn upload(url: String, kind: FileKind) -> FileUpload {
    FileUpload {
        file_id: url,
        kind,
        sha256: None,
        kept: false,
        content: None,
        too_large: false,
        fetched: false,
    }
}

fn record(chat_id: String, update_id: String, incoming: &Incoming) -> Translated {
    match serde_json::to_string(incoming) {
        Ok(body) => Translated::Event(NewEvent {
            channel: CHANNEL,
            chat_id,
            update_id: Some(update_id),
            body,
        }),
        Err(error) => {
            tracing::error!(%error, "a Zalo event could not be written as an event");
            Translated::Ignored
        }
    }
}

#[cfg(test)]
mod tests;
