//! A Zalo user living through a transcript: scene lines, the events a user line becomes,
//! and the answers as the user sees them.

use cnscd::chat::{ChannelName, ChatKey};
use serde_json::Value;

use crate::support::fake_zalo::{
    numbered_options, payload_of, shown, Event, User, FIRST_ACCESS_TOKEN,
};
use crate::support::zalo_app::FixedToken;

use super::{Replay, Seen, PREFIX};

impl Replay {
    fn user(&mut self) -> &User {
        let chat = self.chat.clone();
        self.users
            .entry(chat.clone())
            .or_insert_with(|| User::new(&chat))
    }

    pub(super) async fn scene(&mut self, line: &str) {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "invite" => {
                let (role, unit) = match arg.split_once(' ') {
                    Some((role, unit)) => {
                        (cnscd::domain::AccountRole::parse(role).expect("role"), unit)
                    }
                    None => (cnscd::domain::AccountRole::VillageHead, arg),
                };
                let now = cnscd::clock::Clock::now(self.app.clock.as_ref());
                self.code = cnscd::invitation::create_invitation(
                    &self.app.store,
                    role,
                    unit,
                    chrono::Duration::days(14),
                    "test",
                    now,
                )
                .await
                .expect("invitation")
                .code;
            }
            "chat" => self.chat = arg.to_owned(),
            "now" => self.app.clock.set(
                chrono::DateTime::parse_from_rfc3339(arg)
                    .expect("time")
                    .with_timezone(&chrono::Utc),
            ),
            "restart" => {
                self.app.stop().await;
                let tokens = std::sync::Arc::new(FixedToken(FIRST_ACCESS_TOKEN.into()));
                self.app.start(tokens).await;
            }
            "erase" => {
                let mut said = Vec::new();
                cnscd::cli::privacy::erase(&self.app.engine, arg, &mut said)
                    .await
                    .expect("erased");
            }
            // What the transcripts print from the database: not a conversation.
            "team" | "audit" | "outbox" | "traces" => {}
            other => panic!("`! {other}` is not replayed over Zalo"),
        }
    }

    /// The event a transcript's user line becomes; `None` for what Zalo cannot send.
    pub(super) async fn event(&mut self, said: &str) -> Option<Event> {
        let said = said.replace("$CODE", &self.code);
        if let Some(label) = said.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let text = self.press(label);
            return Some(self.user().text(&text));
        }
        let Some(special) = said.strip_prefix('(').and_then(|s| s.strip_suffix(')')) else {
            return Some(self.user().text(&said));
        };
        let (kind, arg) = special.split_once(' ').unwrap_or((special, ""));
        let zalo = self.app.zalo.clone();
        let user = self.user();
        Some(match kind {
            "sticker" => user.sticker(),
            "voice" => user.event(
                "user_send_audio",
                serde_json::json!({ "attachments": [{ "type": "audio", "payload": {} }] }),
            ),
            "location" => user.event(
                "user_send_location",
                serde_json::json!({ "attachments": [{ "type": "location", "payload": {} }] }),
            ),
            "photo" => user.image(&zalo.host_file(&format!("{arg}.jpg"), b"\xff\xd8jpeg".to_vec())),
            "pdf" => {
                let url = zalo.host_file(&format!("{arg}.pdf"), b"%PDF-1.4 scan".to_vec());
                user.file(&url, &format!("{arg}.pdf"), "pdf")
            }
            "document" => {
                let url = zalo.host_file(&format!("{arg}.docx"), b"PK doc".to_vec());
                user.file(&url, &format!("{arg}.docx"), "docx")
            }
            "csv" => {
                let csv = arg.replace('|', "\n").into_bytes();
                let url = zalo.host_file("villages.csv", csv);
                user.file(&url, "villages.csv", "csv")
            }
            // A PDF whose Zalo link stopped working before cnscd fetched it.
            "expired-pdf" => user.file(
                &zalo.file_url(&format!("{arg}.pdf")),
                &format!("{arg}.pdf"),
                "pdf",
            ),
            "link" => user.link(arg),
            "group" => user.group_text(arg),
            "contact" => {
                // Zalo's form proves nothing (issue 20): a transcript's member stands for one
                // the head already confirmed (`/xacnhan`, tested in `zalo::proof`).
                let chat = self.chat.clone();
                prove(&self.app, arg, &chat).await;
                self.user().submit_info(arg)
            }
            // Over the chat's limit: the worker's download stops at it.
            "too-large" => {
                let url = zalo.host_file(arg, vec![b'a'; 1_500_000]);
                user.file(&url, arg, "xlsx")
            }
            "empty" => user.text(""),
            "long" => user.text(&"a".repeat(arg.parse().expect("length"))),
            "payload" => user.text(&format!("{PREFIX}{arg}")),
            "forged" => {
                let chat = ChatKey::new(ChannelName::Zalo, self.chat.clone());
                let rev = self.app.engine.session(&chat).await.expect("session").rev;
                let user = self.user();
                user.text(&format!("{PREFIX}{rev}:{arg}"))
            }
            // A contact card of someone else: Zalo's form only ever shares one's own.
            "contact-of" => return None,
            other => panic!("unknown input `({other})`"),
        })
    }

    /// What a Zalo user does to press `label`: the payload a template button sends back,
    /// or the number of a numbered option; `old:` presses one of an earlier message.
    fn press(&self, label: &str) -> String {
        let history = self
            .history
            .get(&self.chat)
            .expect("a message with buttons");
        if let Some(label) = label.strip_prefix("old:") {
            let payload = history[..history.len() - 1]
                .iter()
                .rev()
                .find_map(|(_, labels)| labels.iter().find(|(l, _)| l == label))
                .map(|(_, payload)| payload.clone())
                .unwrap_or_else(|| panic!("no earlier button {label}"));
            return format!("{PREFIX}{payload}");
        }
        let (message, labels) = history.last().expect("a message with buttons");
        if let Some(payload) = payload_of(message, label) {
            return payload;
        }
        let number = labels
            .iter()
            .position(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no button {label} in {message}"));
        (number + 1).to_string()
    }

    /// The answers this chat got since the last look; other chats' messages are read and
    /// set aside (notices).
    pub(super) async fn answers(&mut self) -> Vec<Seen> {
        let mut mine = Vec::new();
        let users: Vec<String> = self
            .app
            .zalo
            .sent()
            .iter()
            .map(|s| s.user_id.clone())
            .collect();
        for user in users.iter().collect::<std::collections::BTreeSet<_>>() {
            let sent = self.app.zalo.sent_to(user);
            let from = self.read.insert(user.clone(), sent.len()).unwrap_or(0);
            for (i, message) in sent.iter().enumerate().skip(from) {
                let (text, mut labels) = shown(message);
                if !labels.is_empty() || numbered_options(message) {
                    let payloads = self.payloads(user, message, &labels).await;
                    // Numbered options are every choice remembered, those the text lists
                    // itself included.
                    if numbered_options(message) {
                        labels = payloads.iter().map(|(l, _)| l.clone()).collect();
                    }
                    self.history
                        .entry(user.clone())
                        .or_default()
                        .push((message.clone(), payloads));
                }
                if *user != self.chat || !is_text(message) || caption_of_next(&sent, i) {
                    continue;
                }
                // An invitation made in chat: its code is `$CODE` from now on.
                if let Some(code) = invitation_code(&text) {
                    self.code = code;
                }
                let text = match self.code.is_empty() {
                    true => text,
                    false => text.replace(&self.code, "$CODE"),
                };
                mine.push((text, labels));
            }
        }
        mine
    }

    /// The payloads behind a message's labels: a template's own, or (numbered options) the
    /// choices cnscd remembered for the chat.
    async fn payloads(
        &self,
        user: &str,
        message: &Value,
        labels: &[String],
    ) -> Vec<(String, String)> {
        if !labels.is_empty() && labels.iter().all(|l| payload_of(message, l).is_some()) {
            return labels
                .iter()
                .map(|l| {
                    let payload = payload_of(message, l).expect("payload");
                    (l.clone(), payload.trim_start_matches(PREFIX).to_owned())
                })
                .collect();
        }
        let json: String = sqlx::query_scalar(
            "SELECT choices FROM chat_choices WHERE channel = 'zalo' AND chat_id = $1",
        )
        .bind(user)
        .fetch_one(self.app.store.pool())
        .await
        .expect("remembered choices");
        let choices: Value = serde_json::from_str(&json).expect("choices");
        choices["buttons"]
            .as_array()
            .expect("buttons")
            .iter()
            .map(|b| {
                (
                    b["label"].as_str().unwrap_or_default().to_owned(),
                    b["payload"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

/// The code an invitation made in chat tells to type after `/start`.
fn invitation_code(text: &str) -> Option<String> {
    let (_, after) = text.split_once("/start ")?;
    let code: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (code.len() >= 12).then_some(code)
}

fn is_text(message: &Value) -> bool {
    let template = &message["attachment"]["payload"]["template_type"];
    message["text"].is_string()
        && message["attachment"]["type"] != "file"
        && template != "media"
        && template != "request_user_info"
}

/// A document's caption goes just before it, as a text of its own.
fn caption_of_next(sent: &[Value], i: usize) -> bool {
    sent.get(i + 1)
        .is_some_and(|next| next["attachment"]["type"] == "file")
}

/// Records that the head confirmed the Zalo chat `chat` is the person with `phone`.
async fn prove(app: &crate::support::zalo_app::ZaloApp, phone: &str, chat: &str) {
    let phone = cnscd::domain::PhoneNumber::parse(phone).expect("a phone");
    sqlx::query(
        "INSERT INTO proven_chats (phone, channel, chat_id, proven_by, proven_at)
         VALUES ($1, 'zalo', $2, 'test', '2022-04-20T02:00:00.000Z')
         ON CONFLICT (phone, channel, chat_id) DO NOTHING",
    )
    .bind(phone.e164())
    .bind(chat)
    .execute(app.store.pool())
    .await
    .expect("proven");
}
