//! One-time invitation codes, kept as SHA-256 hashes.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::domain::AccountRole;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    pub code_sha256: String,
    pub role: AccountRole,
    pub unit_code: String,
    pub created_by: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub role: AccountRole,
    pub unit_code: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    /// Its maker's account ended before anyone redeemed it.
    pub revoked: bool,
    /// Who made it: a chat (`channel:id`) or the command line (`cli`).
    pub created_by: String,
}

impl Store {
    pub async fn create_invitation(
        &self,
        invitation: &NewInvitation,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        let mut tx = self.begin().await?;
        insert_invitation(&mut tx, invitation, now).await?;
        let detail = serde_json::json!({ "role": invitation.role.code() });
        super::audit::audit(
            &mut tx,
            &invitation.created_by,
            crate::domain::AuditAction::InvitationCreated,
            Some(&invitation.unit_code),
            &detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub async fn invitation(
    tx: &mut Tx<'_>,
    code_sha256: &str,
) -> StorageResult<Option<InvitationRecord>> {
    let row = sqlx::query(
        "SELECT role, unit_code, expires_at, used_at, revoked_at, created_by
         FROM invitations WHERE code_sha256 = $1",
    )
    .bind(code_sha256)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    let expires_at: String = row.try_get("expires_at")?;
    let used_at: Option<String> = row.try_get("used_at")?;
    let revoked_at: Option<String> = row.try_get("revoked_at")?;
    Ok(Some(InvitationRecord {
        role: AccountRole::parse(&role)
            .ok_or_else(|| StorageError::Corrupt(format!("role {role:?}")))?,
        unit_code: row.try_get("unit_code")?,
        expires_at: DateTime::parse_from_rfc3339(&expires_at)
            .map_err(|_| StorageError::Corrupt(format!("expires_at {expires_at:?}")))?
            .with_timezone(&Utc),
        used: used_at.is_some(),
        revoked: revoked_at.is_some(),
        created_by: row.try_get("created_by")?,
    }))
}

/// Marks the code used by this chat; `false` if it was used already.
pub async fn mark_invitation_used(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    channel: &str,
    external_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let result = sqlx::query(
        "UPDATE invitations SET used_at = $1, used_by_channel = $2, used_by_external_id = $3
         WHERE code_sha256 = $4 AND used_at IS NULL",
    )
    .bind(now_text(now))
    .bind(channel)
    .bind(external_id)
    .bind(code_sha256)
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a new invitation inside the caller's transaction (invitations made in chat).
pub async fn insert_invitation(
    tx: &mut Tx<'_>,
    invitation: &NewInvitation,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO invitations (code_sha256, role, unit_code, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&invitation.code_sha256)
    .bind(invitation.role.code())
    .bind(&invitation.unit_code)
    .bind(&invitation.created_by)
    .bind(now_text(now))
    .bind(now_text(invitation.expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
