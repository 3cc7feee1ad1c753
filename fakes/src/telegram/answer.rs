//! The answers to every method but `getUpdates`, as Telegram gives them: errors the test
//! scripted first, then blocked and rate-limited chats, then the method's result.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::state::State;
use super::updates::{bot_user_json, merge, private_chat_json, unique_id, unix_now};
use super::UploadedFile;

impl State {
    /// Answers every method except `getUpdates`.
    pub(super) fn answer(
        &mut self,
        method: &str,
        body: &Value,
        files: &[UploadedFile],
    ) -> (StatusCode, Value) {
        if let Some((code, description)) = self.take_failure(method) {
            return error(code, &description);
        }
        let lower = method.to_ascii_lowercase();
        let targets_chat = ["send", "edit", "copy", "forward"]
            .iter()
            .any(|prefix| lower.starts_with(prefix));
        if targets_chat
            && body["chat_id"]
                .as_i64()
                .is_some_and(|id| self.blocked.contains(&id))
        {
            return error(403, "Forbidden: bot was blocked by the user");
        }
        if targets_chat {
            let limited = body["chat_id"]
                .as_i64()
                .and_then(|id| self.rate_limited.get_mut(&id))
                .filter(|(_, left)| *left > 0);
            if let Some((retry_after, left)) = limited {
                *left -= 1;
                let description = format!("Too Many Requests: retry after {retry_after}");
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    json!({
                        "ok": false,
                        "error_code": 429,
                        "description": description,
                        "parameters": { "retry_after": *retry_after },
                    }),
                );
            }
        }

        match lower.as_str() {
            "getme" => {
                let mut me = bot_user_json();
                merge(
                    &mut me,
                    json!({
                        "can_join_groups": true,
                        "can_read_all_group_messages": false,
                        "supports_inline_queries": false,
                        "can_connect_to_business": false,
                        "has_main_web_app": false,
                    }),
                );
                ok(me)
            }
            // An empty URL means "no webhook", so teloxide skips deleteWebhook.
            "getwebhookinfo" => ok(json!({
                "url": "",
                "has_custom_certificate": false,
                "pending_update_count": self.pending.len(),
            })),
            "getfile" => {
                let file_id = body["file_id"].as_str().unwrap_or_default();
                match self.files.get(file_id) {
                    Some(file) => ok(json!({
                        "file_id": file_id,
                        "file_unique_id": unique_id(file_id),
                        "file_size": file.bytes.len(),
                        "file_path": file.path,
                    })),
                    None => error(400, "Bad Request: invalid file id"),
                }
            }
            "getchat" => ok(chat_full_info(&body["chat_id"])),
            "getmycommands" => ok(json!([])),
            "copymessage" => ok(json!({ "message_id": self.new_message_id() })),
            "sendmediagroup" => {
                let count = body["media"].as_array().map_or(1, Vec::len);
                let messages = (0..count)
                    .map(|_| self.new_message(body, Map::new()))
                    .collect();
                ok(Value::Array(messages))
            }
            "deletemessage" => {
                if let (Some(chat), Some(id)) =
                    (body["chat_id"].as_i64(), body["message_id"].as_i64())
                {
                    self.messages.remove(&(chat, id));
                }
                ok(json!(true))
            }
            // `sendChatAction` returns True, every other send* a Message.
            "sendchataction" => ok(json!(true)),
            _ if lower.starts_with("send") || lower == "forwardmessage" => {
                let content = self.message_content(&lower, body, files);
                ok(self.new_message(body, content))
            }
            _ if lower.starts_with("editmessage") || lower == "stopmessagelivelocation" => {
                if body.get("inline_message_id").is_some() {
                    return ok(json!(true));
                }
                ok(self.edit_message(&lower, body))
            }
            // setMyCommands, deleteWebhook, answerCallbackQuery, ... and any
            // unknown method.
            _ => ok(json!(true)),
        }
    }

    /// Builds, stores and returns a message sent by the bot.
    pub(super) fn new_message(&mut self, body: &Value, content: Map<String, Value>) -> Value {
        let message_id = self.new_message_id();
        let mut message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": chat_json(&body["chat_id"]),
            "from": bot_user_json(),
        });
        merge(&mut message, Value::Object(content));
        if let Some(markup) = inline_markup(body) {
            message["reply_markup"] = markup;
        }
        if let Some(chat_id) = body["chat_id"].as_i64() {
            if self.recording {
                self.messages.insert((chat_id, message_id), message.clone());
            }
            if let Some(listener) = self.listeners.get(&chat_id) {
                // A listener that hung up only stops listening.
                let _ = listener.send(());
            }
        }
        message
    }

    /// Applies an `editMessage*` call to the stored message (or to a
    /// synthesised one if the bot never sent it, e.g. the message of a
    /// [`callback_update`]).
    fn edit_message(&mut self, method: &str, body: &Value) -> Value {
        let chat_id = body["chat_id"].as_i64().unwrap_or_default();
        let message_id = body["message_id"].as_i64().unwrap_or_default();
        let mut message = self
            .messages
            .get(&(chat_id, message_id))
            .cloned()
            .unwrap_or_else(|| {
                json!({
                    "message_id": message_id,
                    "date": unix_now(),
                    "chat": chat_json(&body["chat_id"]),
                    "from": bot_user_json(),
                })
            });
        let object = message.as_object_mut().expect("messages are objects");
        match method {
            "editmessagetext" => {
                object.insert("text".into(), body["text"].clone());
                object.remove("entities");
                if let Some(entities) = body.get("entities") {
                    object.insert("entities".into(), entities.clone());
                }
            }
            "editmessagecaption" => {
                object.insert("caption".into(), body["caption"].clone());
            }
            _ => {}
        }
        // Like Telegram, an edit without reply_markup removes the keyboard.
        match inline_markup(body) {
            Some(markup) => object.insert("reply_markup".into(), markup),
            None => object.remove("reply_markup"),
        };
        object.insert("edit_date".into(), json!(unix_now()));
        self.messages.insert((chat_id, message_id), message.clone());
        message
    }
}

/// `reply_markup` of a request if it is an inline keyboard; a `Message` can
/// only carry those (echoing a reply keyboard would break deserialisation).
pub(super) fn inline_markup(body: &Value) -> Option<Value> {
    let markup = body.get("reply_markup")?;
    markup
        .get("inline_keyboard")
        .is_some()
        .then(|| markup.clone())
}

/// A `Chat` for a request's `chat_id`: users are positive ids, groups
/// negative ones, and `@username` strings are channels.
pub(super) fn chat_json(chat_id: &Value) -> Value {
    match chat_id.as_i64() {
        Some(id) if id > 0 => private_chat_json(id),
        Some(id) => json!({ "id": id, "type": "supergroup", "title": "Test group" }),
        None => {
            let name = chat_id.as_str().unwrap_or_default().trim_start_matches('@');
            json!({ "id": -1_001_000_000_001_i64, "type": "channel", "title": name, "username": name })
        }
    }
}

/// A `ChatFullInfo` for `getChat`.
pub(super) fn chat_full_info(chat_id: &Value) -> Value {
    let mut info = chat_json(chat_id);
    merge(
        &mut info,
        json!({
            "accepted_gift_types": {
                "unlimited_gifts": false,
                "limited_gifts": false,
                "unique_gifts": false,
                "premium_subscription": false,
            },
            "max_reaction_count": 11,
        }),
    );
    info
}

pub(super) fn ok(result: Value) -> (StatusCode, Value) {
    (StatusCode::OK, json!({ "ok": true, "result": result }))
}

pub(super) fn error(code: u16, description: &str) -> (StatusCode, Value) {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        json!({ "ok": false, "error_code": code, "description": description }),
    )
}
