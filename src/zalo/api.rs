//! Zalo's HTTP APIs as cnscd calls them: consultation messages, uploads, and downloads of
//! the files users send. Every call carries the access
//! token in its `access_token` header; one Zalo calls invalid or expired (−216, −220) is
//! replaced once and the call made again. Errors name a code or a kind, never a message
//! (messages hold names and phone numbers).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{AccessTokens, TokenUnavailable};
use crate::pipeline::{FetchError, Fetched};

/// Zalo's answers to a token it no longer takes.
const TOKEN_REJECTED: [i64; 2] = [-216, -220];

/// Zalo answers within a few seconds or not at all.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// The domains (with their subdomains) Zalo's attachment links point at: its CDNs.
pub const FILE_DOMAINS: [&str; 2] = ["zdn.vn", "zadn.vn"];

/// Redirects a download may follow, each to an allowed host too.
const MAX_REDIRECTS: usize = 3;

/// Where users' files may be downloaded from: Zalo's file domains over `https` on the
/// default port, or the configured API's own origin (`--zalo-openapi-url`: Zalo itself in
/// production, the tests' fake on 127.0.0.1 by explicit configuration only). Anything
/// else, `http` to this machine included, is never fetched.
#[derive(Debug, Clone)]
pub struct FileHosts {
    api: url::Origin,
}

impl FileHosts {
    pub fn new(openapi: &url::Url) -> FileHosts {
        FileHosts {
            api: openapi.origin(),
        }
    }

    pub fn allows(&self, url: &url::Url) -> bool {
        if url.origin() == self.api {
            return true;
        }
        let Some(url::Host::Domain(host)) = url.host() else {
            return false;
        };
        url.scheme() == "https"
            && url.port().is_none()
            && FILE_DOMAINS
                .iter()
                .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
    }
}

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
    files: reqwest::Client,
    file_hosts: FileHosts,
    openapi: url::Url,
    tokens: Arc<dyn AccessTokens>,
}

impl ZaloApi {
    pub fn new(openapi: url::Url, tokens: Arc<dyn AccessTokens>) -> ZaloApi {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        let file_hosts = FileHosts::new(&openapi);
        let allowed = file_hosts.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if allowed.allows(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("a redirect to a host files are not fetched from")
            }
        });
        let files = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .redirect(redirects)
            .build()
            .unwrap_or_default();
        ZaloApi {
            http,
            files,
            file_hosts,
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

    /// Downloads a file a user sent, hashing it as it comes, keeping its bytes only with
    /// `keep`; refused when it says or turns out to be larger than `max_bytes`. Only a link
    /// to one of the [`FileHosts`] is fetched, and a redirect followed only to another.
    pub async fn download(
        &self,
        url: &str,
        max_bytes: u64,
        keep: bool,
    ) -> Result<Fetched, FetchError> {
        let parsed = url::Url::parse(url).map_err(|_| FetchError::Unavailable)?;
        if !self.file_hosts.allows(&parsed) {
            // The host only: the link's path and query may identify the file.
            tracing::warn!(
                host = parsed.host_str().unwrap_or_default(),
                "a file link not on Zalo's file hosts (https) was not fetched"
            );
            return Err(FetchError::Unavailable);
        }
        let mut response = self
            .files
            .get(parsed)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|_| FetchError::Unavailable)?;
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes)
        {
            return Err(FetchError::TooLarge);
        }
        let mut hash = Sha256::new();
        let mut kept = Vec::new();
        let mut size: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|_| FetchError::Unavailable)?
        {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(FetchError::TooLarge);
            }
            hash.update(&chunk);
            if keep {
                kept.extend_from_slice(&chunk);
            }
        }
        Ok(Fetched {
            sha256: hex::encode(hash.finalize()),
            bytes: keep.then_some(kept),
        })
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

    fn url(text: &str) -> url::Url {
        url::Url::parse(text).expect("url")
    }

    #[test]
    fn files_come_only_from_zalos_file_hosts_over_https_or_the_configured_api() {
        let production = FileHosts::new(&url("https://openapi.zalo.me"));
        for allowed in [
            "https://f21-zpc.zdn.vn/1234/scan.pdf",
            "https://dl.zadn.vn/a/b.jpg",
            "https://zdn.vn/x",
            "https://openapi.zalo.me/files/x",
        ] {
            assert!(production.allows(&url(allowed)), "{allowed}");
        }
        for refused in [
            "http://f21-zpc.zdn.vn/1234/scan.pdf",
            "http://127.0.0.1:8080/files/x",
            "http://localhost/files/x",
            "https://127.0.0.1/files/x",
            "https://evilzdn.vn/x",
            "https://zdn.vn.example.org/x",
            "https://f21-zpc.zdn.vn:8443/x",
            "https://example.org/scan.pdf",
            "file:///etc/passwd",
        ] {
            assert!(!production.allows(&url(refused)), "{refused}");
        }

        let tests = FileHosts::new(&url("http://127.0.0.1:4567/zalo/"));
        assert!(tests.allows(&url("http://127.0.0.1:4567/files/scan.pdf")));
        assert!(!tests.allows(&url("http://127.0.0.1:4568/files/scan.pdf")));
        assert!(!tests.allows(&url("http://localhost:4567/files/scan.pdf")));
    }

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
