//! The audit log: who changed what, when. Ids and codes only, never personal data.

use chrono::{DateTime, Utc};

use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::domain::AuditAction;

pub async fn audit(
    tx: &mut Tx<'_>,
    actor: &str,
    action: AuditAction,
    unit_code: Option<&str>,
    detail: &serde_json::Value,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, unit_code, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_text(now))
    .bind(actor)
    .bind(action.stored())
    .bind(unit_code)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One audit entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    pub action: AuditAction,
    pub unit_code: Option<String>,
}

impl Store {
    /// The audit entries of a unit, oldest first.
    pub async fn audit_of_unit(&self, unit_code: &str) -> StorageResult<Vec<AuditEntry>> {
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT actor, action, unit_code FROM audit_log WHERE unit_code = $1 ORDER BY id",
        )
        .bind(unit_code)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(actor, action, unit_code)| {
                let action = AuditAction::from_stored(&action).ok_or_else(|| {
                    StorageError::Corrupt(format!("audit action {action:?} is unknown"))
                })?;
                Ok(AuditEntry {
                    actor,
                    action,
                    unit_code,
                })
            })
            .collect()
    }
}
