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
            Reason::Revoked,
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
        Reason::Revoked,
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
        Reason::Expired,
        now,
    )
    .await?;
    let blocked = revoke_where(
        tx,
        "blocked_at IS NOT NULL AND blocked_at < $1",
        &[blocked_before],
        "retention",
        Reason::Blocked,
        now,
    )
    .await?;
    Ok(expired + blocked)
}

/// Why an account ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Revoked,
    Expired,
    Blocked,
}

impl Reason {
    fn code(self) -> &'static str {
        match self {
            Reason::Revoked => "revoked",
            Reason::Expired => "expired",
            Reason::Blocked => "blocked",
        }
    }

    /// A revocation or an expiry ends the person's role in every chat linked with
    /// `/lienket` (a linked chat holds the account, not a copy of it); a chat that blocked the
    /// bot ends alone, and the person's other chats still reach them.
    fn ends_every_linked_chat(self) -> bool {
        !matches!(self, Reason::Blocked)
    }
}

/// One account row to end.
struct Ending {
    id: i64,
    channel: String,
    external_id: String,
    role: String,
    unit: String,
}

/// Deletes the accounts matching `condition` (placeholders `$1`…), with (unless the reason is
/// a block) the accounts of the chats linked to them, auditing each. The unused invitations
/// each account made end with it.
async fn revoke_where(
    tx: &mut Tx<'_>,
    condition: &str,
    values: &[&str],
    by: &str,
    reason: Reason,
    now: DateTime<Utc>,
) -> StorageResult<u64> {
    let select =
        format!("SELECT id, channel, external_id, role, unit_code FROM accounts WHERE {condition}");
    let mut query = sqlx::query(&select);
    for value in values {
        query = query.bind(value.to_string());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    let mut ending = rows
        .iter()
        .map(ending_of)
        .collect::<StorageResult<Vec<_>>>()?;
    if reason.ends_every_linked_chat() {
        let mut linked = Vec::new();
        for account in &ending {
            let rows = sqlx::query(
                "SELECT a.id, a.channel, a.external_id, a.role, a.unit_code FROM accounts a
                 JOIN chat_people p ON p.channel = a.channel AND p.chat_id = a.external_id
                 JOIN chat_people me ON me.person = p.person
                 WHERE me.channel = $1 AND me.chat_id = $2",
            )
            .bind(&account.channel)
            .bind(&account.external_id)
            .fetch_all(&mut **tx)
            .await?;
            for row in &rows {
                linked.push(ending_of(row)?);
            }
        }
        for account in linked {
            if !ending.iter().any(|e| e.id == account.id) {
                ending.push(account);
            }
        }
    }
    for account in &ending {
        sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(account.id)
            .execute(&mut **tx)
            .await?;
        // A dialogue in progress (a registration, a village edit) ends with the account.
        sqlx::query("DELETE FROM dialogue_states WHERE channel = $1 AND chat_id = $2")
            .bind(&account.channel)
            .bind(&account.external_id)
            .execute(&mut **tx)
            .await?;
        end_invitations_made_by(tx, &account.channel, &account.external_id, now).await?;
        let detail = serde_json::json!({ "role": account.role, "reason": reason.code() });
        audit(
            tx,
            by,
            crate::domain::AuditAction::AccountRevoked,
            Some(&account.unit),
            &detail,
            now,
        )
        .await?;
    }
    Ok(ending.len() as u64)
}

fn ending_of(row: &super::DbRow) -> StorageResult<Ending> {
    Ok(Ending {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        external_id: row.try_get("external_id")?,
        role: row.try_get("role")?,
        unit: row.try_get("unit_code")?,
    })
}

/// The invitations a chat made and nobody redeemed yet stop working: an invitation never
/// outlives its maker's account.
async fn end_invitations_made_by(
    tx: &mut Tx<'_>,
    channel: &str,
    external_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE invitations SET revoked_at = $1
         WHERE created_by = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now_text(now))
    .bind(format!("{channel}:{external_id}"))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
