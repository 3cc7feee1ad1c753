//! Accounts end: listed and revoked from the command line, revoked in chat by the official
//! above, and revoked by the purge when they expired or their chat blocked the bot long ago.
//! Every revocation is audited.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::audit::audit;
use super::{now_text, StorageResult, Store, Tx};
use crate::domain::AccountRole;

/// One account as listed by `cnscd accounts list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAccount {
    pub chat: String,
    pub role: String,
    pub unit_code: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub blocked_at: Option<String>,
}

impl Store {
    /// Every account, or those of units under (or equal to) `unit`'s code prefix.
    pub async fn list_accounts(&self, unit: Option<&str>) -> StorageResult<Vec<ListedAccount>> {
        let rows = sqlx::query(
            "SELECT channel, external_id, role, unit_code, created_at, expires_at, blocked_at
             FROM accounts WHERE $1 = '' OR unit_code = $1 OR unit_code LIKE $1 || '-%'
             ORDER BY unit_code, id",
        )
        .bind(unit.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let channel: String = row.try_get("channel")?;
                let id: String = row.try_get("external_id")?;
                Ok(ListedAccount {
                    chat: format!("{channel}:{id}"),
                    role: row.try_get("role")?,
                    unit_code: row.try_get("unit_code")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    blocked_at: row.try_get("blocked_at")?,
                })
            })
            .collect()
    }

    /// Revokes the account of `chat` (`channel:id`); `false` when there is none.
    pub async fn revoke_account(
        &self,
        chat: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let Some((channel, id)) = chat.split_once(':') else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        let revoked = revoke_where(
            &mut tx,
            "channel = $1 AND external_id = $2",
            &[channel, id],
            by,
            "revoked",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(revoked > 0)
    }
}

impl Store {
    /// The account made by redeeming the invitation `code_sha256` ends `days` after it is
    /// redeemed (an official's term).
    pub async fn set_invitation_account_days(
        &self,
        code_sha256: &str,
        days: u16,
    ) -> StorageResult<()> {
        sqlx::query("UPDATE invitations SET account_days = $1 WHERE code_sha256 = $2")
            .bind(i64::from(days))
            .bind(code_sha256)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// How many days the account made from the invitation lasts; `None`: no end.
pub async fn invitation_account_days(
    tx: &mut Tx<'_>,
    code_sha256: &str,
) -> StorageResult<Option<i64>> {
    let days: Option<Option<i64>> =
        sqlx::query_scalar("SELECT account_days FROM invitations WHERE code_sha256 = $1")
            .bind(code_sha256)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(days.flatten())
}

/// Sets when the chat's account ends.
pub async fn set_expiry(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
    expires_at: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query("UPDATE accounts SET expires_at = $1 WHERE channel = $2 AND external_id = $3")
        .bind(now_text(expires_at))
        .bind(channel)
        .bind(external_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The chat wrote again: it no longer counts as having blocked the bot.
pub async fn clear_blocked(tx: &mut Tx<'_>, channel: &str, external_id: &str) -> StorageResult<()> {
    sqlx::query(
        "UPDATE accounts SET blocked_at = NULL
         WHERE channel = $1 AND external_id = $2 AND blocked_at IS NOT NULL",
    )
    .bind(channel)
    .bind(external_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revokes the accounts of `role` bound to `unit_code` (an official above revoking in chat).
pub async fn revoke_unit(
    tx: &mut Tx<'_>,
    unit_code: &str,
    role: AccountRole,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<u64> {
    revoke_where(
        tx,
        "unit_code = $1 AND role = $2",
        &[unit_code, role.code()],
        by,
        "revoked",
        now,
    )
    .await
}

/// Revokes accounts that expired by `now` or whose chat blocked the bot before
/// `blocked_before`.
pub async fn revoke_lapsed(
    tx: &mut Tx<'_>,
    blocked_before: &str,
    now: DateTime<Utc>,
) -> StorageResult<u64> {
    let expired = revoke_where(
        tx,
        "expires_at IS NOT NULL AND expires_at <= $1",
        &[&now_text(now)],
        "retention",
        "expired",
        now,
    )
    .await?;
    let blocked = revoke_where(
        tx,
        "blocked_at IS NOT NULL AND blocked_at < $1",
        &[blocked_before],
        "retention",
        "blocked",
        now,
    )
    .await?;
    Ok(expired + blocked)
}

/// Deletes the accounts matching `condition` (placeholders `$1`…), auditing each.
async fn revoke_where(
    tx: &mut Tx<'_>,
    condition: &str,
    values: &[&str],
    by: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> StorageResult<u64> {
    let select =
        format!("SELECT id, channel, external_id, role, unit_code FROM accounts WHERE {condition}");
    let mut query = sqlx::query(&select);
    for value in values {
        query = query.bind(value.to_string());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let role: String = row.try_get("role")?;
        let unit: String = row.try_get("unit_code")?;
        sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        // A dialogue in progress (a registration, a village edit) ends with the account.
        sqlx::query("DELETE FROM dialogue_states WHERE channel = $1 AND chat_id = $2")
            .bind(row.try_get::<String, _>("channel")?)
            .bind(row.try_get::<String, _>("external_id")?)
            .execute(&mut **tx)
            .await?;
        let detail = serde_json::json!({ "role": role, "reason": reason });
        audit(tx, by, "account.revoked", Some(&unit), &detail, now).await?;
    }
    Ok(rows.len() as u64)
}
