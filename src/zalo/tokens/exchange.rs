//! The call to Zalo's token endpoint that exchanges a refresh token for a new pair.

use super::answer::read_answer;
use super::{RefreshError, TokenPolicy, Tokens, TokensError};
use crate::storage::zalo_tokens::NewTokens;

impl Tokens {
    /// `POST {oauth_url}/v4/oa/access_token`: a new pair for `refresh_token`.
    pub(super) async fn exchange(&self, refresh_token: &str) -> Result<NewTokens, RefreshError> {
        let now = self.engine.now();
        let form = [
            ("refresh_token", refresh_token),
            ("app_id", self.app_id.as_str()),
            ("grant_type", "refresh_token"),
        ];
        let response = self
            .client
            .post(self.endpoint.clone())
            .header("secret_key", self.app_secret.expose())
            .form(&form)
            .send()
            .await
            .map_err(|error| RefreshError::Unreachable(error.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|error| RefreshError::Unreachable(error.without_url().to_string()))?;
        if status.is_server_error() {
            return Err(RefreshError::Unreachable(format!("HTTP {status}")));
        }
        read_answer(&body, now, &self.policy).map_err(|error| match error {
            RefreshError::Refused(why) => RefreshError::Refused(why.replace(refresh_token, "…")),
            other => other,
        })
    }
}

pub(super) fn client(policy: &TokenPolicy) -> Result<reqwest::Client, TokensError> {
    reqwest::Client::builder()
        .timeout(policy.request_timeout)
        .connect_timeout(policy.request_timeout)
        .build()
        .map_err(TokensError::Client)
}
