//! A fake Zalo on 127.0.0.1: the Official Account API (`message/cs`, uploads), the OAuth v4
//! token endpoint, and files users "sent" (served
//! for the bot to download). It checks the access token on every call, issues a new token
//! pair per refresh and refuses a refresh token used twice; error codes can be scripted per
//! user. Webhook events are signed here as Zalo signs them, from the formula, not from
//! cnscd's code.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

pub const APP_ID: &str = "4313572100982173421";
pub const OA_SECRET_KEY: &str = "fake-oa-secret-key";
pub const APP_SECRET: &str = "fake-app-secret";
/// The access token the fake takes from the start (tests that skip OAuth use it).
pub const FIRST_ACCESS_TOKEN: &str = "access-0";
/// The refresh token the fake takes first.
pub const FIRST_REFRESH_TOKEN: &str = "refresh-0";

/// A message the OA sent.
#[derive(Debug, Clone)]
pub struct Sent {
    pub user_id: String,
    pub message: Value,
}

#[derive(Default)]
struct Inner {
    sent: Vec<Sent>,
    uploads: usize,
    access_tokens: HashSet<String>,
    refresh_token: String,
    used_refresh_tokens: HashSet<String>,
    refreshes: usize,
    issued: usize,
    /// Error codes to answer, per user, before sending succeeds again.
    scripted: HashMap<String, VecDeque<i64>>,
    files: HashMap<String, Vec<u8>>,
    downloads: usize,
}

#[derive(Clone)]
pub struct FakeZalo {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    sent_one: Arc<Notify>,
}

impl FakeZalo {
    pub async fn start() -> FakeZalo {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Zalo");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let inner = Inner {
            access_tokens: HashSet::from([FIRST_ACCESS_TOKEN.to_owned()]),
            refresh_token: FIRST_REFRESH_TOKEN.to_owned(),
            ..Inner::default()
        };
        let fake = FakeZalo {
            base,
            inner: Arc::new(Mutex::new(inner)),
            sent_one: Arc::new(Notify::new()),
        };
        let app = Router::new()
            .route("/v3.0/oa/message/cs", post(message))
            .route("/v2.0/oa/upload/image", post(upload_image))
            .route("/v2.0/oa/upload/file", post(upload_file))
            .route("/v4/oa/access_token", post(access_token))
            .route("/files/{name}", get(file))
            .with_state(fake.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Everything the OA sent, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// What the OA sent to `user_id`, in order.
    pub fn sent_to(&self, user_id: &str) -> Vec<Value> {
        self.lock()
            .sent
            .iter()
            .filter(|s| s.user_id == user_id)
            .map(|s| s.message.clone())
            .collect()
    }

    /// Waits until at least `count` messages went to `user_id`. Only a stuck test is stopped:
    /// with the bot killed every few hundred milliseconds on a loaded two-core machine, an
    /// answer can take several lives of the process to go out.
    pub async fn wait_for(&self, user_id: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
        loop {
            let notified = self.sent_one.notified();
            let sent = self.sent_to(user_id);
            if sent.len() >= count {
                return sent;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "{user_id} got {} messages, not {count}: {sent:#?}",
                    sent.len()
                );
            }
        }
    }

    /// Answers the next calls to `user_id` with these error codes, one each.
    pub fn script_errors(&self, user_id: &str, codes: &[i64]) {
        self.lock()
            .scripted
            .entry(user_id.to_owned())
            .or_default()
            .extend(codes);
    }

    /// Serves `bytes` at `/files/NAME`; its URL.
    pub fn host_file(&self, name: &str, bytes: Vec<u8>) -> String {
        self.lock().files.insert(name.to_owned(), bytes);
        format!("{}/files/{name}", self.base)
    }

    /// How many refreshes the token endpoint granted.
    pub fn refreshes(&self) -> usize {
        self.lock().refreshes
    }

    /// How many times cnscd downloaded a file a user sent.
    pub fn downloads(&self) -> usize {
        self.lock().downloads
    }

    pub fn uploads(&self) -> usize {
        self.lock().uploads
    }

    /// Makes every access token issued so far invalid (as when it expires early).
    pub fn expire_access_tokens(&self) {
        self.lock().access_tokens.clear();
    }

    /// The refresh token the endpoint takes now.
    pub fn current_refresh_token(&self) -> String {
        self.lock().refresh_token.clone()
    }

    /// A fresh refresh token, as an operator gets one from Zalo's console (the old one
    /// stops working).
    pub fn issue_refresh_token(&self) -> String {
        let mut inner = self.lock();
        inner.issued += 1;
        let token = format!("console-refresh-{}", inner.issued);
        inner.refresh_token = token.clone();
        token
    }
}

fn ok(data: Value) -> Json<Value> {
    Json(json!({ "error": 0, "message": "Success", "data": data }))
}

fn error(code: i64) -> Json<Value> {
    Json(json!({ "error": code, "message": format!("error {code}") }))
}

fn token_valid(fake: &FakeZalo, headers: &HeaderMap) -> bool {
    let token = headers
        .get("access_token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    fake.lock().access_tokens.contains(token)
}

async fn message(
    State(fake): State<FakeZalo>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    if !token_valid(&fake, &headers) {
        return error(-216);
    }
    let user_id = body["recipient"]["user_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let answer = {
        let mut inner = fake.lock();
        if let Some(code) = inner
            .scripted
            .get_mut(&user_id)
            .and_then(VecDeque::pop_front)
        {
            error(code)
        } else {
            inner.sent.push(Sent {
                user_id: user_id.clone(),
                message: body["message"].clone(),
            });
            let id = inner.sent.len();
            ok(json!({ "message_id": format!("mid{id}"), "user_id": user_id }))
        }
    };
    fake.sent_one.notify_waiters();
    answer
}

async fn upload_image(
    State(fake): State<FakeZalo>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    upload(&fake, &headers, &body, "attachment_id")
}

async fn upload_file(State(fake): State<FakeZalo>, headers: HeaderMap, body: Bytes) -> Json<Value> {
    upload(&fake, &headers, &body, "token")
}

fn upload(fake: &FakeZalo, headers: &HeaderMap, body: &[u8], field: &str) -> Json<Value> {
    if !token_valid(fake, headers) {
        return error(-216);
    }
    if body.is_empty() {
        return error(-201);
    }
    let mut inner = fake.lock();
    inner.uploads += 1;
    ok(json!({ field: format!("upload-{}", inner.uploads) }))
}

async fn access_token(
    State(fake): State<FakeZalo>,
    headers: HeaderMap,
    body: String,
) -> Json<Value> {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let secret = headers
        .get("secret_key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if secret != APP_SECRET || form.get("app_id").map(String::as_str) != Some(APP_ID) {
        return Json(json!({ "error": -14002, "error_name": "Invalid app" }));
    }
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return Json(json!({ "error": -14003, "error_name": "Invalid grant type" }));
    }
    let given = form.get("refresh_token").cloned().unwrap_or_default();
    let mut inner = fake.lock();
    if inner.used_refresh_tokens.contains(&given) || given != inner.refresh_token {
        return Json(json!({
            "error": -14014,
            "error_name": "Invalid refresh token",
            "error_description": "Refresh token is invalid or used",
        }));
    }
    inner.used_refresh_tokens.insert(given);
    inner.refreshes += 1;
    let access = format!("access-{}", inner.refreshes);
    let refresh = format!("refresh-{}", inner.refreshes);
    inner.access_tokens.insert(access.clone());
    inner.refresh_token = refresh.clone();
    Json(json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": "90000",
    }))
}

async fn file(State(fake): State<FakeZalo>, Path(name): Path<String>) -> impl IntoResponse {
    let mut inner = fake.lock();
    inner.downloads += 1;
    match inner.files.get(&name) {
        Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

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

/// A message's text and the labels of its answer buttons (template ones, or the numbered
/// options written in its text), as a user sees them.
pub fn shown(message: &Value) -> (String, Vec<String>) {
    let text = message["text"].as_str().unwrap_or_default().to_owned();
    let buttons: Vec<String> = message["attachment"]["payload"]["buttons"]
        .as_array()
        .map(|buttons| {
            buttons
                .iter()
                .filter(|b| b["type"] == "oa.query.hide")
                .filter_map(|b| b["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !buttons.is_empty() {
        return (text, buttons);
    }
    // Numbered options: "1. Label" lines after a blank line, then the hint.
    if let Some((head, list)) = text.rsplit_once("\n\n") {
        let mut lines: Vec<&str> = list.lines().collect();
        let numbered = |line: &&str| {
            line.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        };
        if lines.len() > 1 && lines[..lines.len() - 1].iter().all(numbered) {
            lines.pop();
            let labels = lines
                .iter()
                .filter_map(|l| l.split_once(". ").map(|(_, label)| label.to_owned()))
                .collect();
            return (head.to_owned(), labels);
        }
    }
    (text, Vec::new())
}

/// The payload an `oa.query.hide` button labelled `label` sends back, if `message` has one.
pub fn payload_of(message: &Value, label: &str) -> Option<String> {
    message["attachment"]["payload"]["buttons"]
        .as_array()?
        .iter()
        .find(|b| b["type"] == "oa.query.hide" && b["title"] == label)
        .and_then(|b| b["payload"].as_str().map(str::to_owned))
}
