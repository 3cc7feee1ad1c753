//! The Zalo Bot Platform's API, `POST <api>/bot<TOKEN>/<method>` with a JSON body. It answers
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…}`, like
//! Telegram's Bot API. The token is in every URL: no URL is ever logged, and errors name the
//! method only.

use std::time::Duration;

use serde_json::{json, Value};

use crate::secrets::Secret;

/// How long one call may take beyond a long poll's own wait.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a call gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Zalo answered `ok: false` (or a non-2xx status with its error code).
    #[error("Zalo Bot refused {method}: error {code} ({description})")]
    Refused {
        method: &'static str,
        code: i64,
        description: String,
    },
    /// No answer (the network, a timeout) or one that is not Zalo's JSON.
    #[error("Zalo Bot did not answer {method}: {why}")]
    Network { method: &'static str, why: String },
}

/// The bot's API with its token.
#[derive(Clone)]
pub struct ZaloBotApi {
    client: reqwest::Client,
    base: String,
    token: Secret,
}

impl ZaloBotApi {
    pub fn new(api_url: &url::Url, token: Secret) -> Result<ZaloBotApi, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(ZaloBotApi {
            client,
            base: api_url.as_str().trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// One call; `wait` is how long the call may take beyond [`CALL_TIMEOUT`] (a long poll).
    async fn call(
        &self,
        method: &'static str,
        body: Value,
        wait: Duration,
    ) -> Result<Value, ApiError> {
        let url = format!("{}/bot{}/{method}", self.base, self.token.expose());
        let network = |why: String| ApiError::Network { method, why };
        let response = self
            .client
            .post(url)
            .json(&body)
            .timeout(CALL_TIMEOUT + wait)
            .send()
            .await
            // Without the URL: it carries the token.
            .map_err(|e| network(e.without_url().to_string()))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .map_err(|_| network(format!("HTTP {status}, not JSON")))?;
        if answer["ok"] == true {
            return Ok(answer["result"].clone());
        }
        let code = answer["error_code"]
            .as_i64()
            .unwrap_or(i64::from(status.as_u16()));
        let description = answer["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Err(ApiError::Refused {
            method,
            code,
            description,
        })
    }

    /// `getMe`: the bot, or why the token is refused.
    pub async fn get_me(&self) -> Result<Value, ApiError> {
        self.call("getMe", json!({}), Duration::ZERO).await
    }

    /// `getUpdates`: the next update, waiting up to `timeout`; `None` when none came (Zalo
    /// answers a poll that waited in vain with error 408).
    pub async fn get_updates(&self, timeout: Duration) -> Result<Option<Value>, ApiError> {
        let body = json!({ "timeout": timeout.as_secs().to_string() });
        match self.call("getUpdates", body, timeout).await {
            Ok(Value::Null) => Ok(None),
            Ok(update) => Ok(Some(update)),
            Err(ApiError::Refused { code: 408, .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// `setWebhook`: Zalo POSTs every message to `url` with `secret`.
    pub async fn set_webhook(&self, url: &url::Url, secret: &Secret) -> Result<(), ApiError> {
        let body = json!({ "url": url.as_str(), "secret_token": secret.expose() });
        self.call("setWebhook", body, Duration::ZERO)
            .await
            .map(drop)
    }

    /// `deleteWebhook`: long polling works again.
    pub async fn delete_webhook(&self) -> Result<(), ApiError> {
        self.call("deleteWebhook", json!({}), Duration::ZERO)
            .await
            .map(drop)
    }

    pub async fn send_message(&self, chat_id: &str, text: &str) -> Result<(), ApiError> {
        let body = json!({ "chat_id": chat_id, "text": text });
        self.call("sendMessage", body, Duration::ZERO)
            .await
            .map(drop)
    }

    /// `sendPhoto`: Zalo fetches the picture at `photo` itself.
    pub async fn send_photo(
        &self,
        chat_id: &str,
        photo: &str,
        caption: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut body = json!({ "chat_id": chat_id, "photo": photo });
        if let Some(caption) = caption {
            body["caption"] = Value::String(caption.to_owned());
        }
        self.call("sendPhoto", body, Duration::ZERO).await.map(drop)
    }
}
