//! The Official Account's access token, kept in the database (see
//! [`crate::storage::zalo_tokens`]) so every replica uses the same pair.
//!
//! Zalo's access token lives about 25 h; its refresh token is single-use and lives about
//! 3 months, so a refresh made by two replicas at once would burn the token of one of them.
//! [`Tokens`] therefore refreshes ahead of expiry under a lease held in the database: one
//! replica calls Zalo, the others go on with the still valid token or wait briefly and read
//! the new one. A refused refresh pauses Zalo sending (nothing is dropped), raises
//! `cnscd_zalo_sending_paused` and tells the admin chats once; `cnscd zalo token set` resumes.
//! Tokens are never logged nor printed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::{AccessTokens, TokenUnavailable};
use crate::config::{Secret, ZaloSettings};
use crate::conversation::Reply;
use crate::engine::Engine;
use crate::i18n::{Html, K};
use crate::ops::metrics::{Metrics, RefreshFailure};
use crate::storage::zalo_tokens::{AdminNotice, NewTokens, StoredTokens};
use crate::storage::StorageError;

mod answer;

use answer::read_answer;

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
    #[error("CNSCD_ADMIN_CHATS: {0:?} is not CHANNEL:ID (for example telegram:123456789)")]
    AdminChat(String),
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
    admin_chats: Vec<(String, String)>,
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

    /// A valid access token other than `rejected`: the stored one while it has more than
    /// [`TokenPolicy::refresh_ahead`] left, else a refreshed one.
    #[tracing::instrument(skip_all)]
    async fn obtain(&self, rejected: Option<&str>) -> Result<String, TokenUnavailable> {
        let started = tokio::time::Instant::now();
        let mut seeded = false;
        loop {
            let stored = self.read().await?;
            if let Some(token) = self.fresh(&stored, rejected) {
                return Ok(token);
            }
            let refreshing = self.refreshing.lock().await;
            // Another task of this replica may have refreshed while this one waited.
            let stored = self.read().await?;
            if let Some(token) = self.fresh(&stored, rejected) {
                return Ok(token);
            }
            if stored.refresh_token.is_none() {
                match &self.seed {
                    Some(seed) if !seeded => {
                        seeded = true;
                        self.engine
                            .store()
                            .seed_zalo_refresh_token(seed.expose())
                            .await
                            .map_err(not_now)?;
                        continue;
                    }
                    _ => {
                        return Err(TokenUnavailable::NotNow(
                            "no Zalo refresh token is stored: run `cnscd zalo token set` \
                             with ZALO_REFRESH_TOKEN"
                                .into(),
                        ))
                    }
                }
            }
            let now = self.engine.now();
            let until = now + chrono::Duration::from_std(self.policy.lease).unwrap_or_default();
            let leased = self
                .engine
                .store()
                .take_zalo_lease(&self.owner, now, until)
                .await
                .map_err(not_now)?;
            if leased {
                let refreshed = self.refresh_leased(rejected).await;
                if let Err(error) = self.engine.store().release_zalo_lease(&self.owner).await {
                    tracing::warn!(%error, "the Zalo refresh lease was not given back; it lapses");
                }
                drop(refreshing);
                return match refreshed {
                    Err(TokenUnavailable::NotNow(why)) => self
                        .usable(&stored, rejected)
                        .ok_or(TokenUnavailable::NotNow(why)),
                    other => other,
                };
            }
            drop(refreshing);
            // Another replica is refreshing: go on with the old token while it is valid.
            if let Some(token) = self.usable(&stored, rejected) {
                return Ok(token);
            }
            if started.elapsed() >= self.policy.wait {
                return Err(TokenUnavailable::NotNow(
                    "another replica is refreshing the Zalo token".into(),
                ));
            }
            tokio::time::sleep(self.policy.poll).await;
        }
    }

    /// The refresh itself, lease held.
    async fn refresh_leased(&self, rejected: Option<&str>) -> Result<String, TokenUnavailable> {
        // Read again under the lease: another replica may have refreshed and let it go.
        let stored = self.read().await?;
        if let Some(token) = self.fresh(&stored, rejected) {
            return Ok(token);
        }
        let just_issued = stored
            .issued_at
            .is_some_and(|at| self.engine.now() - at < MIN_FORCED_REFRESH);
        if just_issued && rejected.is_some() && stored.access_token.as_deref() == rejected {
            return Err(TokenUnavailable::NotNow(
                "Zalo rejected an access token issued less than a minute ago".into(),
            ));
        }
        let Some(used) = stored.refresh_token else {
            return Err(TokenUnavailable::NotNow("no Zalo refresh token".into()));
        };
        match self.exchange(&used).await {
            Ok(new) => self.keep(&used, new).await,
            Err(RefreshError::Refused(reason)) => {
                self.metrics.zalo_refresh_failed(RefreshFailure::Refused);
                Err(self.pause(&used, &reason).await)
            }
            Err(RefreshError::Unreachable(why)) => {
                self.metrics
                    .zalo_refresh_failed(RefreshFailure::Unreachable);
                tracing::warn!(
                    why,
                    "Zalo's token endpoint failed; the refresh is tried again later"
                );
                Err(TokenUnavailable::NotNow(why))
            }
        }
    }

    /// Stores the pair Zalo issued for `used`. Its refresh token is the only one that now
    /// works, so the write is tried a few times before giving up.
    async fn keep(&self, used: &str, new: NewTokens) -> Result<String, TokenUnavailable> {
        let store = self.engine.store();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match store.replace_zalo_tokens(used, &new).await {
                Ok(true) => {
                    tracing::info!(expires_at = %new.access_expires_at, "Zalo access token refreshed");
                    return Ok(new.access_token);
                }
                // `zalo token set` replaced the pair meanwhile: use what it stored.
                Ok(false) => {
                    let stored = self.read().await?;
                    return Ok(stored.access_token.unwrap_or(new.access_token));
                }
                Err(error) if attempt < 3 => {
                    tracing::warn!(%error, attempt, "storing the refreshed Zalo tokens failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(error) => {
                    self.metrics.zalo_refresh_failed(RefreshFailure::Storage);
                    tracing::error!(
                        %error,
                        "Zalo issued new tokens that could not be stored: the next refresh \
                         will likely be refused and pause sending"
                    );
                    return Ok(new.access_token);
                }
            }
        }
    }

    /// Pauses sending because Zalo refused the refresh token `refused`, and tells the admin
    /// chats, once per pause. Not when an operator replaced the token meanwhile.
    async fn pause(&self, refused: &str, reason: &str) -> TokenUnavailable {
        let notices = match self.notices(reason).await {
            Ok(notices) => notices,
            Err(error) => return not_now(error),
        };
        let now = self.engine.now();
        let stored = self.engine.store();
        match stored
            .pause_zalo_sending(refused, reason, &notices, now)
            .await
        {
            Ok(true) => {
                self.metrics.zalo_sending_paused(true);
                tracing::error!(
                    reason,
                    admins = notices.len(),
                    "Zalo refused the token refresh: Zalo sending is paused until \
                     `cnscd zalo token set`"
                );
                TokenUnavailable::Paused(reason.to_owned())
            }
            // Paused already (this reads the pause), or the token was replaced meanwhile.
            Ok(false) => match self.read().await {
                Err(unavailable) => unavailable,
                Ok(_) => TokenUnavailable::NotNow("the Zalo refresh token was replaced".into()),
            },
            Err(error) => not_now(error),
        }
    }

    /// The message to each admin chat, in its language.
    async fn notices(&self, reason: &str) -> Result<Vec<AdminNotice>, StorageError> {
        let mut notices = Vec::with_capacity(self.admin_chats.len());
        let mut tx = self.engine.store().pool().begin().await?;
        for (channel, chat_id) in &self.admin_chats {
            let lang = crate::engine::context::chat_lang(&mut tx, channel, chat_id).await?;
            let args = [("reason", Html::text(reason))];
            notices.push(AdminNotice {
                channel: channel.clone(),
                chat_id: chat_id.clone(),
                reply: Reply::text(self.engine.texts().fill(lang, K::ZaloSendingPaused, &args)),
            });
        }
        tx.commit().await?;
        Ok(notices)
    }

    /// `POST {oauth_url}/v4/oa/access_token`: a new pair for `refresh_token`.
    async fn exchange(&self, refresh_token: &str) -> Result<NewTokens, RefreshError> {
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

    /// The stored row; a pause ends here.
    async fn read(&self) -> Result<StoredTokens, TokenUnavailable> {
        let stored = self.engine.store().zalo_tokens().await.map_err(not_now)?;
        self.metrics
            .zalo_sending_paused(stored.paused_reason.is_some());
        match &stored.paused_reason {
            Some(reason) => Err(TokenUnavailable::Paused(reason.clone())),
            None => Ok(stored),
        }
    }

    /// The stored access token, if it is not `rejected` and not due for a refresh.
    fn fresh(&self, stored: &StoredTokens, rejected: Option<&str>) -> Option<String> {
        let ahead = chrono::Duration::from_std(self.policy.refresh_ahead).unwrap_or_default();
        self.valid_for(stored, rejected, ahead)
    }

    /// The stored access token, if it is not `rejected` and valid for a while yet.
    fn usable(&self, stored: &StoredTokens, rejected: Option<&str>) -> Option<String> {
        self.valid_for(stored, rejected, USABLE_MARGIN)
    }

    fn valid_for(
        &self,
        stored: &StoredTokens,
        rejected: Option<&str>,
        left: chrono::Duration,
    ) -> Option<String> {
        let token = stored.access_token.as_deref()?;
        let expires = stored.access_expires_at?;
        (Some(token) != rejected && expires - self.engine.now() > left).then(|| token.to_owned())
    }
}

impl AccessTokens for Tokens {
    fn current(&self) -> BoxFuture<'_, Result<String, TokenUnavailable>> {
        Box::pin(self.obtain(None))
    }

    fn rejected<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<String, TokenUnavailable>> {
        Box::pin(self.obtain(Some(token)))
    }
}

fn client(policy: &TokenPolicy) -> Result<reqwest::Client, TokensError> {
    reqwest::Client::builder()
        .timeout(policy.request_timeout)
        .connect_timeout(policy.request_timeout)
        .build()
        .map_err(TokensError::Client)
}

fn not_now(error: StorageError) -> TokenUnavailable {
    tracing::warn!(%error, "the Zalo tokens could not be read or written");
    TokenUnavailable::NotNow(format!("database: {error}"))
}

/// `CHANNEL:ID` entries (empty ones skipped).
fn parse_admin_chats(chats: &[String]) -> Result<Vec<(String, String)>, TokensError> {
    chats
        .iter()
        .map(|chat| chat.trim())
        .filter(|chat| !chat.is_empty())
        .map(|chat| match chat.split_once(':') {
            Some((channel, id)) if !channel.trim().is_empty() && !id.trim().is_empty() => {
                Ok((channel.trim().to_owned(), id.trim().to_owned()))
            }
            _ => Err(TokensError::AdminChat(chat.to_owned())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_chats_are_channel_and_id() {
        let chats = [
            "telegram:42".to_owned(),
            " zalo:8011 ".to_owned(),
            String::new(),
        ];
        assert_eq!(
            parse_admin_chats(&chats).unwrap(),
            vec![
                ("telegram".to_owned(), "42".to_owned()),
                ("zalo".to_owned(), "8011".to_owned())
            ]
        );
        assert!(matches!(
            parse_admin_chats(&["42".to_owned()]),
            Err(TokensError::AdminChat(_))
        ));
    }
}
