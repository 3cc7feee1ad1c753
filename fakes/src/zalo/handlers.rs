//! The fake's HTTP handlers: sending, uploads, the OAuth token endpoint and hosted files.

use std::collections::{HashMap, VecDeque};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::{FakeZalo, Sent, APP_ID, APP_SECRET};

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

pub(super) async fn message(
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

pub(super) async fn upload_image(
    State(fake): State<FakeZalo>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    upload(&fake, &headers, &body, "attachment_id")
}

pub(super) async fn upload_file(
    State(fake): State<FakeZalo>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
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

pub(super) async fn access_token(
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

pub(super) async fn file(
    State(fake): State<FakeZalo>,
    Path(name): Path<String>,
) -> impl IntoResponse {
    let mut inner = fake.lock();
    inner.downloads += 1;
    match inner.files.get(&name) {
        Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
