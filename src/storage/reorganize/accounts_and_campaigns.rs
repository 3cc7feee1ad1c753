//! The accounts, invitations and campaigns a reorganisation moves or ends with their unit.

use chrono::{DateTime, Utc};

use super::super::account_admin::revoke_unit;
use super::super::{StorageResult, Tx};
use crate::domain::AccountRole;

/// A chat bound to a unit: `channel:id`, its role and the unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundChat {
    pub chat: String,
    pub role: String,
    pub unit_code: String,
}

/// The chats bound to `unit` with `role`.
pub async fn bound_chats(
    tx: &mut Tx<'_>,
    unit: &str,
    role: AccountRole,
) -> StorageResult<Vec<BoundChat>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT channel, external_id FROM accounts WHERE unit_code = $1 AND role = $2 ORDER BY id",
    )
    .bind(unit)
    .bind(role.code())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(channel, id)| BoundChat {
            chat: format!("{channel}:{id}"),
            role: role.code().to_owned(),
            unit_code: unit.to_owned(),
        })
        .collect())
}

/// Moves the commune officials of `from` (and its unused invitations for them) to `to`.
pub async fn move_officials(tx: &mut Tx<'_>, from: &str, to: &str) -> StorageResult<()> {
    sqlx::query(
        "UPDATE accounts SET unit_code = $2 WHERE unit_code = $1 AND role = 'commune-official'",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE invitations SET unit_code = $2
         WHERE unit_code = $1 AND role = 'commune-official' AND used_at IS NULL",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ends the accounts of `role` on `unit` (audited as revoked by `by`), and the unused
/// invitations for it: the unit is gone.
pub async fn end_accounts(
    tx: &mut Tx<'_>,
    unit: &str,
    role: AccountRole,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<u64> {
    sqlx::query("DELETE FROM invitations WHERE unit_code = $1 AND role = $2 AND used_at IS NULL")
        .bind(unit)
        .bind(role.code())
        .execute(&mut **tx)
        .await?;
    revoke_unit(tx, unit, role, by, now).await
}

/// The campaigns over `scope`: (id, name).
pub async fn campaigns_of(tx: &mut Tx<'_>, scope: &str) -> StorageResult<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, name FROM campaigns WHERE scope_code = $1 ORDER BY id")
            .bind(scope)
            .fetch_all(&mut **tx)
            .await?,
    )
}

pub async fn move_campaign(tx: &mut Tx<'_>, id: i64, scope: &str) -> StorageResult<()> {
    sqlx::query("UPDATE campaigns SET scope_code = $1 WHERE id = $2")
        .bind(scope)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
