//! How [`Tokens`] finds a valid access token: the stored one while it is fresh, else a
//! refresh made under the database lease, storing the new pair Zalo issued.

use std::time::Duration;

use super::{not_now, RefreshError, Tokens, MIN_FORCED_REFRESH, USABLE_MARGIN};
use crate::ops::metrics::RefreshFailure;
use crate::storage::zalo_tokens::{NewTokens, StoredTokens};
use crate::zalo::TokenUnavailable;

impl Tokens {
    /// A valid access token other than `rejected`: the stored one while it has more than
    /// [`TokenPolicy::refresh_ahead`] left, else a refreshed one.
    #[tracing::instrument(skip_all)]
    pub(super) async fn obtain(&self, rejected: Option<&str>) -> Result<String, TokenUnavailable> {
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

    /// The stored row; a pause ends here.
    pub(super) async fn read(&self) -> Result<StoredTokens, TokenUnavailable> {
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
