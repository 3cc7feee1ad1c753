//! Chats bound to a role and a unit.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::domain::AccountRole;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub role: AccountRole,
    pub unit_code: String,
}

/// Binds the chat to a role and unit, replacing an earlier binding of the same chat.
pub async fn bind_account(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
    account: &Account,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO accounts (channel, external_id, role, unit_code, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel, external_id) DO UPDATE SET role = excluded.role, unit_code = excluded.unit_code,
             expires_at = NULL, blocked_at = NULL",
    )
    .bind(channel)
    .bind(external_id)
    .bind(account.role.code())
    .bind(&account.unit_code)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The chat `to` holds the account of `from` — role, unit and expiry — so it ends when
/// `from`'s does (a chat linked with `/lienket`).
pub async fn share_account(
    tx: &mut Tx<'_>,
    from: (&str, &str),
    to: (&str, &str),
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO accounts (channel, external_id, role, unit_code, created_at, expires_at)
         SELECT $3, $4, role, unit_code, $5, expires_at FROM accounts
         WHERE channel = $1 AND external_id = $2
         ON CONFLICT (channel, external_id) DO UPDATE SET role = excluded.role,
             unit_code = excluded.unit_code, expires_at = excluded.expires_at, blocked_at = NULL",
    )
    .bind(from.0)
    .bind(from.1)
    .bind(to.0)
    .bind(to.1)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The chat's account, outside any transaction (for adapters and tests).
    pub async fn account(
        &self,
        channel: &str,
        external_id: &str,
    ) -> StorageResult<Option<Account>> {
        let mut tx = self.pool().begin().await?;
        let found = account_with_unit(&mut tx, channel, external_id)
            .await?
            .map(|found| found.account);
        tx.commit().await?;
        Ok(found)
    }
}

/// A chat's account with the names of its unit and the unit's parent, in one statement (it
/// is read on every message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountWithUnit {
    pub account: Account,
    pub unit_name: String,
    pub parent: Option<(String, String)>,
}

pub async fn account_with_unit(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
) -> StorageResult<Option<AccountWithUnit>> {
    account_with_unit_at(tx, channel, external_id, None).await
}

/// [`account_with_unit`], without an account that expired before `now` (when given): an
/// official whose term ended acts as a resident at once, before the purge deletes the row.
pub async fn account_with_unit_at(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
    now: Option<DateTime<Utc>>,
) -> StorageResult<Option<AccountWithUnit>> {
    let row = sqlx::query(
        "SELECT a.role, a.unit_code, u.name AS unit_name, p.code AS parent_code, p.name AS parent_name
         FROM accounts a JOIN units u ON u.code = a.unit_code LEFT JOIN units p ON p.code = u.parent_code
         WHERE a.channel = $1 AND a.external_id = $2 AND (a.expires_at IS NULL OR a.expires_at > $3)",
    )
    .bind(channel)
    .bind(external_id)
    // Without a time, every stored expiry is later than the empty string.
    .bind(now.map(now_text).unwrap_or_default())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| with_unit(&row)).transpose()
}

/// The account of a chat that just wrote, as [`account_with_unit_at`] reads it, in the same
/// one statement: writing again shows the chat no longer blocks the bot, so its grace period
/// stops (its `blocked_at` is cleared, expired or not; a second statement only then).
pub async fn account_of_writing_chat(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<AccountWithUnit>> {
    let row = sqlx::query(
        "SELECT a.role, a.unit_code, u.name AS unit_name, p.code AS parent_code, p.name AS parent_name,
             CAST(CASE WHEN a.blocked_at IS NOT NULL THEN 1 ELSE 0 END AS BIGINT) AS blocked,
             CAST(CASE WHEN a.expires_at IS NULL OR a.expires_at > $3 THEN 1 ELSE 0 END AS BIGINT)
                 AS live
         FROM accounts a JOIN units u ON u.code = a.unit_code LEFT JOIN units p ON p.code = u.parent_code
         WHERE a.channel = $1 AND a.external_id = $2",
    )
    .bind(channel)
    .bind(external_id)
    .bind(now_text(now))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.try_get::<i64, _>("blocked")? != 0 {
        super::account_admin::clear_blocked(tx, channel, external_id).await?;
    }
    if row.try_get::<i64, _>("live")? == 0 {
        return Ok(None);
    }
    with_unit(&row).map(Some)
}

fn with_unit(row: &crate::storage::DbRow) -> StorageResult<AccountWithUnit> {
    let role: String = row.try_get("role")?;
    let parent_code: Option<String> = row.try_get("parent_code")?;
    let parent_name: Option<String> = row.try_get("parent_name")?;
    Ok(AccountWithUnit {
        account: Account {
            role: AccountRole::parse(&role)
                .ok_or_else(|| StorageError::Corrupt(format!("role {role:?}")))?,
            unit_code: row.try_get("unit_code")?,
        },
        unit_name: row.try_get("unit_name")?,
        parent: parent_code.zip(parent_name),
    })
}
