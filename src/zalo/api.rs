//! Zalo's HTTP APIs as cnscd calls them: consultation messages, uploads, and downloads of
//! the files users send. Every call carries the access
//! token in its `access_token` header; one Zalo calls invalid or expired (−216, −220) is
//! replaced once and the call made again. Errors name a code or a kind, never a message
//! (messages hold names and phone numbers).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::files::ZaloFiles;
use super::{AccessTokens, TokenUnavailable};
use crate::pipeline::{FetchError, Fetched};

/// Zalo's answers to a token it no longer takes.
const TOKEN_REJECTED: [i64; 2] = [-216, -220];

/// Zalo answers within a few seconds or not at all.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Zalo answered error {0}")]
    Zalo(i64),
    #[error(transparent)]
    Token(TokenUnavailable),
    #[error("Zalo could not be reached ({0})")]
    Network(&'static str),
    #[error("Zalo's answer could not be read (HTTP {0})")]
    Unreadable(u16),
}

/// The Official Account's API.
#[derive(Clone)]
pub struct ZaloApi {
    http: reqwest::Client,
    /// Downloads: redirects followed only to allowed hosts.
    files: ZaloFiles,
    openapi: url::Url,
    tokens: Arc<dyn AccessTokens>,
}

impl ZaloApi {
    pub fn new(openapi: url::Url, tokens: Arc<dyn AccessTokens>) -> ZaloApi {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        ZaloApi {
            http,
            files: ZaloFiles::new(&openapi),
            openapi,
            tokens,
        }
    }

    /// Sends a consultation message (`message` as in Zalo's `message` object) to a user.
    pub async fn send_message(&self, user_id: &str, message: &Value) -> Result<Value, ApiError> {
        let url = endpoint(&self.openapi, "v3.0/oa/message/cs");
        let body = json!({ "recipient": { "user_id": user_id }, "message": message });
        self.call(|http, token| {
            http.post(url.clone())
                .header("access_token", token)
                .json(&body)
        })
        .await
    }

    /// Uploads a PNG or JPEG; its attachment id.
    pub async fn upload_image(&self, name: &str, bytes: &[u8]) -> Result<String, ApiError> {
        let data = self.upload("v2.0/oa/upload/image", name, bytes).await?;
        string_field(&data, "attachment_id")
    }

    /// Uploads a document (Zalo takes PDF, DOC and DOCX, up to 5 MB: see
    /// [`super::channel`]); the token a file message names.
    pub async fn upload_file(&self, name: &str, bytes: &[u8]) -> Result<String, ApiError> {
        let data = self.upload("v2.0/oa/upload/file", name, bytes).await?;
        string_field(&data, "token")
    }

    /// Zalo refused a call for the Official Account itself (one of
    /// [`super::ACCOUNT_REFUSALS`]): sending pauses until an operator resumes it.
    pub async fn account_refused(&self, code: i64) {
        self.tokens.account_refused(code).await;
    }

    /// Downloads a file a user sent (see [`ZaloFiles::download`]).
    pub async fn download(
        &self,
        url: &str,
        max_bytes: u64,
        keep: bool,
    ) -> Result<Fetched, FetchError> {
        self.files.download(url, max_bytes, keep).await
    }

    async fn upload(&self, path: &str, name: &str, bytes: &[u8]) -> Result<Value, ApiError> {
        let url = endpoint(&self.openapi, path);
        self.call(|http, token| {
            let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
            let form = reqwest::multipart::Form::new().part("file", part);
            http.post(url.clone())
                .header("access_token", token)
                .multipart(form)
        })
        .await
    }

    /// Makes a call with the current token, and once more with a new one if Zalo refused it.
    async fn call(
        &self,
        request: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Value, ApiError> {
        let token = self.tokens.current().await.map_err(ApiError::Token)?;
        match answer(request(&self.http, &token).send().await).await {
            Err(ApiError::Zalo(code)) if TOKEN_REJECTED.contains(&code) => {
                tracing::info!(code, "Zalo refused the access token; refreshing it");
                let token = self
                    .tokens
                    .rejected(&token)
                    .await
                    .map_err(ApiError::Token)?;
                answer(request(&self.http, &token).send().await).await
            }
            other => other,
        }
    }
}

/// The `data` of a Zalo answer, or its error code.
async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Value, ApiError> {
    let response = sent.map_err(|error| ApiError::Network(network_kind(&error)))?;
    let status = response.status().as_u16();
    let body: Value = response
        .json()
        .await
        .map_err(|_| ApiError::Unreadable(status))?;
    match body.get("error").and_then(Value::as_i64) {
        Some(0) | None if status < 300 => Ok(body.get("data").cloned().unwrap_or(Value::Null)),
        Some(code) if code != 0 => Err(ApiError::Zalo(code)),
        _ => Err(ApiError::Unreadable(status)),
    }
}

fn network_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "request"
    }
}

fn string_field(data: &Value, field: &str) -> Result<String, ApiError> {
    match data.get(field) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        _ => Err(ApiError::Unreadable(200)),
    }
}

/// `base` + `path`, whether or not `base` ends with a slash.
pub(super) fn endpoint(base: &url::Url, path: &str) -> url::Url {
    let mut url = base.clone();
    let joined = format!("{}/{}", base.path().trim_end_matches('/'), path);
    url.set_path(&joined);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_join_the_configured_host_and_path() {
        let base = url::Url::parse("http://127.0.0.1:9/zalo/").expect("url");
        assert_eq!(
            endpoint(&base, "v3.0/oa/message/cs").as_str(),
            "http://127.0.0.1:9/zalo/v3.0/oa/message/cs"
        );
        let base = url::Url::parse("https://openapi.zalo.me").expect("url");
        assert_eq!(
            endpoint(&base, "v2.0/oa/upload/image").as_str(),
            "https://openapi.zalo.me/v2.0/oa/upload/image"
        );
    }
}
