//! The Official Account's access token, kept in the database (see
//! [`crate::storage::zalo_tokens`]) so every replica uses the same pair.
//!
//! Zalo's access token lives about 25 h; its refresh token is single-use and lives about
//! 3 months, so a refresh made by two replicas at once would burn the token of one of them.
//! [`Tokens`] therefore refreshes ahead of expiry under a lease held in the database: one
//! replica calls Zalo, the others go on with the still valid token or wait briefly and read
//! the new one. A refused refresh pauses Zalo sending (nothing is dropped), raises
//! `cnscd_zalo_sending_paused` and tells the admin chats once; `cnscd zalo token set` resumes.
//! Zalo refusing the Official Account itself ([`super::ACCOUNT_REFUSALS`]) pauses the same
//! way; `cnscd zalo resume` resumes once the account is fixed.
//! Tokens are never logged nor printed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::{AccessTokens, TokenUnavailable};
use crate::engine::Engine;
use crate::ops::metrics::Metrics;
use crate::secrets::Secret;
use crate::storage::StorageError;
use crate::zalo::config::ZaloSettings;

mod answer;
mod exchange;
mod pause;
mod refresh;

use exchange::client;

/// Timings of [`Tokens`]; the defaults suit production, tests shorten them.
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    /// Refresh when the access token has less than this left.
    pub refresh_ahead: Duration,
    /// How long the replica refreshing holds the lease (longer than a refresh takes).
    pub lease: Duration,
    /// How long a replica waits for another's refresh when it has no valid token meanwhile.
    pub wait: Duration,
    /// How often it reads the database again while it waits.
    pub poll: Duration,
    /// The token endpoint's time to answer.
    pub request_timeout: Duration,
    /// How long a refresh token lives when Zalo's answer does not say.
    pub refresh_lifetime: Duration,
}

impl Default for TokenPolicy {
    fn default() -> TokenPolicy {
        TokenPolicy {
            refresh_ahead: Duration::from_secs(3600),
            lease: Duration::from_secs(30),
            wait: Duration::from_secs(5),
            poll: Duration::from_millis(100),
            request_timeout: Duration::from_secs(10),
            refresh_lifetime: Duration::from_secs(90 * 24 * 3600),
        }
    }
}

/// A token still this far from expiry may be used while another replica refreshes.
const USABLE_MARGIN: chrono::Duration = chrono::Duration::seconds(60);
/// A token Zalo rejects this soon after it was issued is not refreshed again at once: a
/// sender retrying on a wrong −216 would otherwise burn a refresh token per message.
const MIN_FORCED_REFRESH: chrono::Duration = chrono::Duration::seconds(60);
/// Zalo's access token lives 25 h when its answer does not say.
const DEFAULT_ACCESS_LIFETIME: i64 = 25 * 3600;

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("CNSCD_ADMIN_CHATS: {0}")]
    AdminChat(#[from] crate::chat::ChatKeyError),
    #[error("ZALO_OAUTH_URL {0:?} cannot take the path /v4/oa/access_token")]
    OauthUrl(String),
    #[error("Failed to build the HTTP client of Zalo's token endpoint")]
    Client(#[source] reqwest::Error),
}

/// Why the token endpoint gave no pair.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    /// Zalo refused the refresh token (reused, expired, revoked) or the app's keys: an
    /// operator must give a new refresh token.
    #[error("Zalo refused the refresh token ({0})")]
    Refused(String),
    /// No answer, or none that can be read: tried again later.
    #[error("Zalo's token endpoint did not answer usably ({0})")]
    Unreachable(String),
}

/// Why `cnscd zalo token set` stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum SetTokenError {
    #[error(transparent)]
    Refresh(#[from] RefreshError),
    #[error("Zalo issued new tokens but they could not be stored")]
    Storage(#[source] StorageError),
}

/// When a pair stored by [`Tokens::set_refresh_token`] was issued and expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issued {
    pub issued_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
}

/// The access tokens of the Official Account, shared by the replicas through the database.
#[derive(Debug)]
pub struct Tokens {
    engine: Engine,
    client: reqwest::Client,
    endpoint: url::Url,
    app_id: String,
    app_secret: Secret,
    /// `ZALO_REFRESH_TOKEN`: used only while the database holds no refresh token.
    seed: Option<Secret>,
    admin_chats: Vec<crate::chat::ChatKey>,
    /// This replica's name in the lease.
    owner: String,
    metrics: Metrics,
    policy: TokenPolicy,
    /// One refresh at a time within this replica; the lease does it across replicas.
    refreshing: tokio::sync::Mutex<()>,
}

impl Tokens {
    /// The tokens of the Official Account of `settings`, for replica `replica` (its name in
    /// the lease: `serve --replica-id`). `metrics` is the one `/metrics` shows.
    pub fn new(
        engine: Engine,
        settings: &ZaloSettings,
        replica: &str,
        metrics: Metrics,
    ) -> Result<Tokens, TokensError> {
        let admin_chats = parse_admin_chats(&settings.admin_chats)?;
        let base = settings.oauth_url.as_str().trim_end_matches('/');
        let endpoint = url::Url::parse(&format!("{base}/v4/oa/access_token"))
            .map_err(|_| TokensError::OauthUrl(settings.oauth_url.to_string()))?;
        let policy = TokenPolicy::default();
        Ok(Tokens {
            engine,
            client: client(&policy)?,
            endpoint,
            app_id: settings.app_id.clone(),
            app_secret: settings.secrets.app_secret.clone(),
            seed: settings.secrets.refresh_token.clone(),
            admin_chats,
            owner: format!("{replica}/{:08x}", rand::random::<u32>()),
            metrics,
            policy,
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// Other timings (tests).
    pub fn with_policy(mut self, policy: TokenPolicy) -> Result<Tokens, TokensError> {
        self.client = client(&policy)?;
        self.policy = policy;
        Ok(self)
    }

    /// `cnscd zalo token set`: exchanges `refresh_token` for a pair at once and stores it
    /// whatever was stored, lifting a pause. Nothing is stored when Zalo refuses it.
    pub async fn set_refresh_token(&self, refresh_token: &Secret) -> Result<Issued, SetTokenError> {
        let new = self.exchange(refresh_token.expose()).await?;
        self.engine
            .store()
            .set_zalo_tokens(&new)
            .await
            .map_err(SetTokenError::Storage)?;
        self.metrics.zalo_sending_paused(false);
        tracing::info!("Zalo tokens set by an operator; sending may go on");
        Ok(Issued {
            issued_at: new.issued_at,
            access_expires_at: new.access_expires_at,
            refresh_expires_at: new.refresh_expires_at,
        })
    }
}

impl AccessTokens for Tokens {
    fn current(&self) -> BoxFuture<'_, Result<String, TokenUnavailable>> {
        Box::pin(self.obtain(None))
    }

    fn rejected<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<String, TokenUnavailable>> {
        Box::pin(self.obtain(Some(token)))
    }

    fn account_refused(&self, code: i64) -> BoxFuture<'_, ()> {
        Box::pin(self.pause_account(code))
    }
}

fn not_now(error: StorageError) -> TokenUnavailable {
    tracing::warn!(%error, "the Zalo tokens could not be read or written");
    TokenUnavailable::NotNow(format!("database: {error}"))
}

/// `CHANNEL:ID` entries (empty ones skipped); a misspelt channel is refused at start, not an
/// admin silently never told.
fn parse_admin_chats(chats: &[String]) -> Result<Vec<crate::chat::ChatKey>, TokensError> {
    chats
        .iter()
        .filter(|chat| !chat.trim().is_empty())
        .map(|chat| Ok(chat.parse()?))
        .collect()
}

#[cfg(test)]
mod tests;
