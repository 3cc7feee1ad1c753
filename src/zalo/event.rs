//! A Zalo webhook event as an inbox event. Only what the bot answers becomes one: a user's
//! messages (text, pictures, files, and the kinds it cannot read), following the OA, and
//! the name and phone a user shares through a request-info form. Echoes of the OA's own
//! messages (`oa_send_*`) and anything else are acknowledged and dropped. Ids stay strings:
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
    if name.starts_with("oa_send_") {
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
                    record(chat, id, &Incoming::Contact { phone, own: true })
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

/// A file, not downloaded: its URL is its id (fetched only when a step expects a file).
fn upload(url: String, kind: FileKind) -> FileUpload {
    FileUpload {
        file_id: url,
        kind,
        sha256: None,
        content: None,
    }
}

fn record(chat_id: String, update_id: String, incoming: &Incoming) -> Translated {
    match serde_json::to_string(incoming) {
        Ok(body) => Translated::Event(NewEvent {
            channel: CHANNEL.to_owned(),
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
mod tests {
    use super::*;

    fn incoming(json: &str) -> (String, Option<String>, Incoming) {
        match translate(json.as_bytes()).expect("reads") {
            Translated::Event(event) => (
                event.chat_id,
                event.update_id,
                serde_json::from_str(&event.body).expect("an incoming"),
            ),
            other => panic!("not an event: {other:?}"),
        }
    }

    #[test]
    fn a_text_message_is_text_from_the_sender_with_its_message_id() {
        let (chat, id, incoming) = incoming(
            r#"{"app_id":"1","event_name":"user_send_text","timestamp":"1700000000000",
                "sender":{"id":"2468"},"recipient":{"id":"1357"},
                "message":{"msg_id":"96d3cdf3af150460909","text":"Xin chào"}}"#,
        );
        assert_eq!(chat, "2468");
        assert_eq!(id.as_deref(), Some("m:96d3cdf3af150460909"));
        assert_eq!(incoming, Incoming::Text("Xin chào".into()));
    }

    #[test]
    fn a_buttons_payload_coming_back_as_text_is_a_button_press() {
        let json = format!(
            r#"{{"event_name":"user_send_text","timestamp":1,"sender":{{"id":1}},
                "message":{{"msg_id":"x","text":"{PAYLOAD_PREFIX}3:vx"}}}}"#
        );
        let (chat, _, incoming) = incoming(&json);
        assert_eq!(chat, "1", "a numeric id is kept as a string");
        assert_eq!(incoming, Incoming::Button("3:vx".into()));
    }

    #[test]
    fn pictures_and_pdfs_are_files_kept_by_their_url() {
        let (_, _, image) = incoming(
            r#"{"event_name":"user_send_image","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"a","attachments":[{"type":"image",
                "payload":{"thumbnail":"https://z/t.jpg","url":"https://z/full.jpg"}}]}}"#,
        );
        let Incoming::File(file) = image else {
            panic!("a file")
        };
        assert_eq!(
            (file.file_id.as_str(), file.kind),
            ("https://z/full.jpg", FileKind::Photo)
        );
        let (_, _, pdf) = incoming(
            r#"{"event_name":"user_send_file","timestamp":"1","sender":{"id":"9"},
                "message":{"msg_id":"b","attachments":[{"type":"file",
                "payload":{"url":"https://z/qd.pdf","name":"QĐ 12.pdf","size":"2048","type":"pdf"}}]}}"#,
        );
        assert!(matches!(
            pdf,
            Incoming::File(FileUpload {
                kind: FileKind::Pdf,
                ..
            })
        ));
    }

    #[test]
    fn stickers_voice_video_locations_and_links_are_stray_input() {
        for (event, kind) in [
            ("user_send_sticker", UnsupportedKind::Sticker),
            ("user_send_gif", UnsupportedKind::Sticker),
            ("user_send_audio", UnsupportedKind::Voice),
            ("user_send_video", UnsupportedKind::Video),
            ("user_send_location", UnsupportedKind::Location),
            ("user_send_link", UnsupportedKind::Other),
        ] {
            let json = format!(
                r#"{{"event_name":"{event}","timestamp":"1","sender":{{"id":"9"}},
                    "message":{{"msg_id":"s","attachments":[{{"type":"x","payload":{{}}}}]}}}}"#
            );
            assert_eq!(incoming(&json).2, Incoming::Unsupported(kind), "{event}");
        }
    }

    #[test]
    fn following_says_start_and_unfollowing_marks_the_chat() {
        let (chat, _, start) = incoming(
            r#"{"event_name":"follow","timestamp":"5","oa_id":"1","follower":{"id":"77"}}"#,
        );
        assert_eq!(
            (chat.as_str(), start),
            ("77", Incoming::Text("/start".into()))
        );
        let gone = translate(
            br#"{"event_name":"unfollow","timestamp":"6","oa_id":"1","follower":{"id":"77"}}"#,
        )
        .expect("reads");
        assert_eq!(
            gone,
            Translated::Unfollowed {
                chat_id: "77".into()
            }
        );
    }

    #[test]
    fn shared_info_is_the_users_own_phone_contact() {
        let (_, id, contact) = incoming(
            r#"{"event_name":"user_submit_info","timestamp":"8","sender":{"id":"5"},
                "info":{"name":"Lan","phone":"84912345678","address":"Thôn Đông"}}"#,
        );
        assert_eq!(id.as_deref(), Some("info:5:8"));
        assert_eq!(
            contact,
            Incoming::Contact {
                phone: "84912345678".into(),
                own: true
            }
        );
    }

    #[test]
    fn echoes_of_the_oas_own_messages_are_ignored() {
        let echo = br#"{"event_name":"oa_send_text","timestamp":"1","sender":{"id":"1"},
            "recipient":{"id":"9"},"message":{"msg_id":"e","text":"Xin chao"}}"#;
        assert_eq!(translate(echo).expect("reads"), Translated::Ignored);
    }
}
