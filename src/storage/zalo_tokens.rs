//! The Zalo Official Account's OAuth tokens: one row holding the pair, the refresh lease and
//! the pause. Every change is one conditional UPDATE, so two replicas never both win.

use chrono::{DateTime, Utc};

use super::{now_text, outbox, StorageError, StorageResult, Store};
use crate::conversation::Reply;

/// The stored tokens (secrets: never logged nor printed; `Debug` hides them).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoredTokens {
    pub access_token: Option<String>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Option<DateTime<Utc>>,
    pub issued_at: Option<DateTime<Utc>>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    /// Why sending is paused; `None` while it may go on.
    pub paused_reason: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("access_expires_at", &self.access_expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("issued_at", &self.issued_at)
            .field("lease_owner", &self.lease_owner)
            .field("lease_until", &self.lease_until)
            .field("paused_reason", &self.paused_reason)
            .field("paused_at", &self.paused_at)
            .finish()
    }
}

/// A pair Zalo issued, to be stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewTokens {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewTokens")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

/// A message to an admin chat, queued with the pause.
#[derive(Debug, Clone)]
pub struct AdminNotice {
    pub channel: String,
    pub chat_id: String,
    pub reply: Reply,
}

type Row = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn time(text: Option<String>) -> StorageResult<Option<DateTime<Utc>>> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| StorageError::Corrupt(format!("zalo_tokens time {text:?}")))
    })
    .transpose()
}

impl Store {
    /// The tokens' row (made by the migration, so always there).
    pub async fn zalo_tokens(&self) -> StorageResult<StoredTokens> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT access_token, access_expires_at, refresh_token, refresh_expires_at,
                    issued_at, lease_owner, lease_until, paused_reason, paused_at
             FROM zalo_tokens WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await?;
        let Some((access, access_exp, refresh, refresh_exp, issued, owner, until, reason, at)) =
            row
        else {
            return Ok(StoredTokens::default());
        };
        Ok(StoredTokens {
            access_token: access,
            access_expires_at: time(access_exp)?,
            refresh_token: refresh,
            refresh_expires_at: time(refresh_exp)?,
            issued_at: time(issued)?,
            lease_owner: owner,
            lease_until: time(until)?,
            paused_reason: reason,
            paused_at: time(at)?,
        })
    }

    /// Stores a first refresh token when none is stored yet; `false` if one already was.
    pub async fn seed_zalo_refresh_token(&self, refresh_token: &str) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE zalo_tokens SET refresh_token = $1 WHERE id = 1 AND refresh_token IS NULL",
        )
        .bind(refresh_token)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the refresh lease for `owner` until `until`, unless another holds it past `now`.
    pub async fn take_zalo_lease(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE zalo_tokens SET lease_owner = $1, lease_until = $2
             WHERE id = 1 AND (lease_until IS NULL OR lease_until < $3)",
        )
        .bind(owner)
        .bind(now_text(until))
        .bind(now_text(now))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease back, if `owner` still holds it.
    pub async fn release_zalo_lease(&self, owner: &str) -> StorageResult<()> {
        sqlx::query(
            "UPDATE zalo_tokens SET lease_owner = NULL, lease_until = NULL
             WHERE id = 1 AND lease_owner = $1",
        )
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces both tokens at once, if the stored refresh token is still `used` (the one
    /// the new pair was issued for); `false` when someone replaced it meanwhile.
    pub async fn replace_zalo_tokens(&self, used: &str, new: &NewTokens) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE zalo_tokens SET access_token = $1, access_expires_at = $2,
                 refresh_token = $3, refresh_expires_at = $4, issued_at = $5
             WHERE id = 1 AND refresh_token = $6",
        )
        .bind(&new.access_token)
        .bind(now_text(new.access_expires_at))
        .bind(&new.refresh_token)
        .bind(now_text(new.refresh_expires_at))
        .bind(now_text(new.issued_at))
        .bind(used)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores a pair an operator obtained (`cnscd zalo token set`), whatever was there, and
    /// lifts the pause.
    pub async fn set_zalo_tokens(&self, new: &NewTokens) -> StorageResult<()> {
        sqlx::query(
            "UPDATE zalo_tokens SET access_token = $1, access_expires_at = $2,
                 refresh_token = $3, refresh_expires_at = $4, issued_at = $5,
                 paused_reason = NULL, paused_at = NULL
             WHERE id = 1",
        )
        .bind(&new.access_token)
        .bind(now_text(new.access_expires_at))
        .bind(&new.refresh_token)
        .bind(now_text(new.refresh_expires_at))
        .bind(now_text(new.issued_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Pauses sending because Zalo refused the refresh token `refused`, and queues `notices`
    /// in the same transaction. Only the first caller of a pause does it (`true`); when the
    /// pause is already on, or the refresh token was replaced meanwhile, nothing is written.
    pub async fn pause_zalo_sending(
        &self,
        refused: &str,
        reason: &str,
        notices: &[AdminNotice],
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        self.pause_zalo(Some(refused), reason, notices, now).await
    }

    /// Pauses sending because Zalo refused the Official Account itself (its package,
    /// permissions or status), and queues `notices` with it; `false` when paused already.
    pub async fn pause_zalo_account(
        &self,
        reason: &str,
        notices: &[AdminNotice],
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        self.pause_zalo(None, reason, notices, now).await
    }

    /// `cnscd zalo resume`: lifts a pause, tokens untouched; `false` when none was on.
    pub async fn resume_zalo_sending(&self) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE zalo_tokens SET paused_reason = NULL, paused_at = NULL
             WHERE id = 1 AND paused_reason IS NOT NULL",
        )
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A pause, only while the refresh token is `refused` when one is given.
    async fn pause_zalo(
        &self,
        refused: Option<&str>,
        reason: &str,
        notices: &[AdminNotice],
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let mut tx = self.begin().await?;
        let at = now_text(now);
        let pause = match refused {
            Some(refused) => sqlx::query(
                "UPDATE zalo_tokens SET paused_reason = $1, paused_at = $2
                 WHERE id = 1 AND paused_reason IS NULL AND refresh_token = $3",
            )
            .bind(reason)
            .bind(&at)
            .bind(refused),
            None => sqlx::query(
                "UPDATE zalo_tokens SET paused_reason = $1, paused_at = $2
                 WHERE id = 1 AND paused_reason IS NULL",
            )
            .bind(reason)
            .bind(&at),
        };
        let done = pause.execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        for notice in notices {
            let key = outbox::DedupKey::ZaloPaused {
                at: &at,
                channel: &notice.channel,
                chat_id: &notice.chat_id,
            };
            outbox::enqueue(
                &mut tx,
                &notice.channel,
                &notice.chat_id,
                &notice.reply,
                Some(key),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
