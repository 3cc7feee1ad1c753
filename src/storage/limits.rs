//! Per-chat limits, counted from the audit log so that every replica sees the same counts
//! and a restart forgets nothing. The numbers are in the README ("Limits").

use chrono::{DateTime, Duration, Utc};

use super::{now_text, StorageError, StorageResult, Tx};
use crate::domain::AuditAction;

/// What a chat may do only so often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Wrong, used or expired invitation codes: guessing is slowed to a crawl.
    WrongCodes,
    /// `/baocao`: each one builds a chart and a spreadsheet of the whole area.
    Reports,
    /// Changes: team saves, village edits, invitations, deadlines, consents, links.
    Writes,
}

impl Limit {
    /// How many in [`Limit::window`].
    pub const fn max(self) -> i64 {
        match self {
            Limit::WrongCodes => 5,
            Limit::Reports => 5,
            Limit::Writes => 60,
        }
    }

    pub fn window(self) -> Duration {
        Duration::hours(1)
    }

    /// The audit actions that count against the limit: for changes, every action
    /// [`AuditAction::is_write`] names.
    pub fn actions(self) -> Vec<AuditAction> {
        match self {
            Limit::WrongCodes => vec![AuditAction::WrongCode],
            Limit::Reports => vec![AuditAction::ReportSent],
            Limit::Writes => AuditAction::ALL
                .into_iter()
                .filter(|a| a.is_write())
                .collect(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Limit::WrongCodes => "wrong invitation codes",
            Limit::Reports => "reports",
            Limit::Writes => "changes",
        }
    }
}

/// `Err(RateLimited)` when `actor` already did `limit.max()` of `limit`'s actions in the
/// window before `now`.
pub async fn check(
    tx: &mut Tx<'_>,
    actor: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let actions = limit.actions();
    let placeholders: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM audit_log WHERE actor = $1 AND at > $2 AND action IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_scalar(&sql)
        .bind(actor)
        .bind(now_text(now - limit.window()));
    for action in &actions {
        query = query.bind(action.stored());
    }
    let count: i64 = query.fetch_one(&mut **tx).await?;
    if count >= limit.max() {
        tracing::warn!(limit = limit.name(), count, "per-chat limit reached");
        return Err(StorageError::RateLimited(limit));
    }
    Ok(())
}
