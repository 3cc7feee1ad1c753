//! The fake's HTTP handlers: sending, uploads, the OAuth token endpoint and hosted files.
//! What Zalo refuses is refused with −201 (invalid parameter): a file that is not a PDF,
//! DOC or DOCX or is over 5 MB, a share-info form without its picture.

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

/// What `upload/file` takes.
const FILE_EXTENSIONS: [&str; 3] = ["pdf", "doc", "docx"];
const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Zalo's answer to a parameter it does not take.
const INVALID_PARAMETER: i64 = -201;

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
        if let Some(code) = inner.account_refused {
            error(code)
        } else if form_without_picture(&body["message"]) {
            error(INVALID_PARAMETER)
        } else if let Some(code) = inner
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

/// A `request_user_info` template whose element has no `image_url`.
fn form_without_picture(message: &Value) -> bool {
    let payload = &message["attachment"]["payload"];
    payload["template_type"] == "request_user_info"
        && payload["elements"]
            .as_array()
            .is_none_or(|elements| elements.iter().any(|e| !e["image_url"].is_string()))
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
    let taken = multipart_file(&headers, &body).filter(|(name, bytes)| {
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        extension.is_some_and(|e| FILE_EXTENSIONS.contains(&e.as_str()))
            && bytes.len() <= MAX_FILE_BYTES
    });
    // A file Zalo does not take is answered as an empty one: after the token's and the
    // account's checks.
    let Some((name, bytes)) = taken else {
        return upload(&fake, &headers, &[], "token");
    };
    let scripted = fake.lock().upload_errors.pop_front();
    if let Some(code) = scripted {
        return error(code);
    }
    let answer = upload(&fake, &headers, &bytes, "token");
    if answer.0["error"] == 0 {
        fake.lock().uploaded_files.push((name, bytes));
    }
    answer
}

fn upload(fake: &FakeZalo, headers: &HeaderMap, body: &[u8], field: &str) -> Json<Value> {
    if !token_valid(fake, headers) {
        return error(-216);
    }
    if let Some(code) = fake.lock().account_refused {
        return error(code);
    }
    if body.is_empty() {
        return error(INVALID_PARAMETER);
    }
    let mut inner = fake.lock();
    inner.uploads += 1;
    ok(json!({ field: format!("upload-{}", inner.uploads) }))
}

/// The file name and bytes of the one file of a `multipart/form-data` body.
fn multipart_file(headers: &HeaderMap, body: &[u8]) -> Option<(String, Vec<u8>)> {
    let content_type = headers.get("content-type")?.to_str().ok()?;
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let head_end = find(body, b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&body[..head_end]);
    let name = head
        .split("filename=\"")
        .nth(1)?
        .split('"')
        .next()?
        .to_owned();
    let closing = format!("\r\n--{boundary}");
    let end = head_end + find(&body[head_end..], closing.as_bytes())?;
    Some((name, body[head_end..end].to_vec()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
    fake.lock().downloads += 1;
    let mut held = fake.held.subscribe();
    let _ = held.wait_for(|held| !held).await;
    let inner = fake.lock();
    if let Some(to) = inner.redirects.get(&name) {
        return (
            StatusCode::FOUND,
            [(axum::http::header::LOCATION, to.clone())],
        )
            .into_response();
    }
    match inner.files.get(&name) {
        Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
