//! Webhook events from a user, signed as Zalo signs them.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{APP_ID, OA_SECRET_KEY};

/// The `X-ZEvent-Signature` Zalo puts on `body`: `mac=` + SHA-256 of app id, body,
/// timestamp and OA secret key.
pub fn signature(app_id: &str, body: &str, timestamp: &str, oa_secret_key: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(format!("{app_id}{body}{timestamp}{oa_secret_key}").as_bytes());
    format!("mac={}", hex::encode(hash.finalize()))
}

/// A webhook event as Zalo would POST it, and its signature header.
pub struct Event {
    pub body: String,
    pub signature: String,
}

/// Builds events from one user, stamped now (or at a given time).
pub struct User {
    pub id: String,
    next: std::cell::Cell<u64>,
}

impl User {
    pub fn new(id: &str) -> User {
        User {
            id: id.to_owned(),
            next: std::cell::Cell::new(1),
        }
    }

    fn msg_id(&self) -> String {
        let n = self.next.get();
        self.next.set(n + 1);
        format!("msg{}x{n}", self.id)
    }

    pub fn event(&self, event_name: &str, message: Value) -> Event {
        let mut message = message;
        if message.get("msg_id").is_none() {
            message["msg_id"] = Value::String(self.msg_id());
        }
        signed(json!({
            "app_id": APP_ID,
            "user_id_by_app": format!("app-{}", self.id),
            "event_name": event_name,
            "timestamp": now_millis(),
            "sender": { "id": self.id },
            "recipient": { "id": "oa-1" },
            "message": message,
        }))
    }

    pub fn text(&self, text: &str) -> Event {
        self.event("user_send_text", json!({ "text": text }))
    }

    pub fn sticker(&self) -> Event {
        self.event(
            "user_send_sticker",
            json!({ "attachments": [{ "type": "sticker", "payload": { "id": "1" } }] }),
        )
    }

    pub fn image(&self, url: &str) -> Event {
        self.event(
            "user_send_image",
            json!({ "attachments": [{ "type": "image", "payload": { "url": url, "thumbnail": url } }] }),
        )
    }

    pub fn file(&self, url: &str, name: &str, kind: &str) -> Event {
        self.event(
            "user_send_file",
            json!({ "attachments": [{ "type": "file", "payload": {
                "url": url, "name": name, "size": "2048", "type": kind, "checksum": "x" } }] }),
        )
    }

    /// A pasted link: Zalo sends its text and a link attachment.
    pub fn link(&self, url: &str) -> Event {
        self.event(
            "user_send_link",
            json!({ "text": url, "attachments": [{ "type": "link", "payload": {
                "url": url, "description": "", "thumbnail": "" } }] }),
        )
    }

    /// Text the user wrote in a group chat the OA is in (`recipient` is the group).
    pub fn group_text(&self, text: &str) -> Event {
        let message = json!({ "msg_id": self.msg_id(), "text": text });
        signed(json!({
            "app_id": APP_ID,
            "event_name": "user_send_group_text",
            "timestamp": now_millis(),
            "sender": { "id": self.id },
            "recipient": { "id": "group-1" },
            "message": message,
        }))
    }

    pub fn follow(&self) -> Event {
        signed(json!({
            "app_id": APP_ID, "oa_id": "oa-1", "event_name": "follow",
            "timestamp": now_millis(), "follower": { "id": self.id }, "source": "oa_profile",
        }))
    }

    pub fn unfollow(&self) -> Event {
        signed(json!({
            "app_id": APP_ID, "oa_id": "oa-1", "event_name": "unfollow",
            "timestamp": now_millis(), "follower": { "id": self.id },
        }))
    }

    /// The name and phone the user shares through a request-info form.
    pub fn submit_info(&self, phone: &str) -> Event {
        signed(json!({
            "app_id": APP_ID, "event_name": "user_submit_info", "timestamp": now_millis(),
            "sender": { "id": self.id }, "recipient": { "id": "oa-1" },
            "info": { "name": "Người dùng", "phone": phone, "address": "", "city": "", "district": "", "ward": "" },
        }))
    }
}

fn now_millis() -> String {
    chrono::Utc::now().timestamp_millis().to_string()
}

/// `event` as a body and its signature, as Zalo sends them.
pub fn signed(event: Value) -> Event {
    let body = event.to_string();
    let app_id = event["app_id"].as_str().unwrap_or_default().to_owned();
    let timestamp = event["timestamp"].as_str().unwrap_or_default().to_owned();
    Event {
        signature: signature(&app_id, &body, &timestamp, OA_SECRET_KEY),
        body,
    }
}
