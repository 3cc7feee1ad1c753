//! Deadline campaigns and the record of alerts sent.

use chrono::{DateTime, NaiveDate, Utc};

use super::report::scope_cte;
use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::chat::{ChannelName, ChatKey};
use crate::domain::AccountRole;

mod overlap;

pub use overlap::{overlapping_campaigns, Overlap, OverlappingCampaign};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub deadline: NaiveDate,
    pub scope_code: String,
}

fn campaign_from_row(
    (id, name, deadline, scope_code): (i64, String, String, String),
) -> StorageResult<Campaign> {
    let deadline = NaiveDate::parse_from_str(&deadline, "%Y-%m-%d")
        .map_err(|_| StorageError::Corrupt("unreadable campaign deadline".into()))?;
    Ok(Campaign {
        id,
        name,
        deadline,
        scope_code,
    })
}

/// What creating a campaign did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CampaignCreated {
    New(i64),
    /// The area had a campaign already: it got the new name and deadline.
    Updated(i64),
    /// Another campaign covers part of the area (or all of it): nothing was written.
    Refused(OverlappingCampaign),
}

/// A chat bound to a unit inside a campaign's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedAccount {
    pub channel: ChannelName,
    pub chat_id: String,
    pub role: AccountRole,
    pub unit_code: String,
    pub change_notices: bool,
}

impl ScopedAccount {
    /// The account's chat.
    pub fn chat(&self) -> ChatKey {
        ChatKey::new(self.channel, self.chat_id.clone())
    }
}

impl Store {
    /// Creates the campaign of an area; an area with a campaign already keeps it (with the
    /// new name and deadline), and an overlapping area's campaign makes it refuse, so no
    /// one gets two digests per slot.
    pub async fn create_campaign(
        &self,
        name: &str,
        deadline: NaiveDate,
        scope_code: &str,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<CampaignCreated> {
        let mut tx = self.begin().await?;
        let overlapping = overlapping_campaigns(&mut tx, scope_code).await?;
        if let Some(other) = overlapping.iter().find(|c| c.overlap != Overlap::Same) {
            return Ok(CampaignCreated::Refused(other.clone()));
        }
        if let Some(same) = overlapping.first() {
            let id = same.campaign.id;
            sqlx::query(
                "UPDATE campaigns SET name = $1, deadline = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(deadline.format("%Y-%m-%d").to_string())
            .bind(now_text(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "campaign": id, "deadline": deadline.to_string() });
            let action = crate::domain::AuditAction::CampaignDeadlineChanged;
            super::audit::audit(&mut tx, created_by, action, Some(scope_code), &detail, now)
                .await?;
            tx.commit().await?;
            return Ok(CampaignCreated::Updated(id));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, deadline, scope_code, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(name)
        .bind(deadline.format("%Y-%m-%d").to_string())
        .bind(scope_code)
        .bind(created_by)
        .bind(now_text(now))
        .fetch_one(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "campaign": id, "deadline": deadline.to_string() });
        super::audit::audit(
            &mut tx,
            created_by,
            crate::domain::AuditAction::CampaignCreated,
            Some(scope_code),
            &detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(CampaignCreated::New(id))
    }

    /// Moves a campaign's deadline; `false` when there is no such campaign.
    pub async fn set_campaign_deadline(
        &self,
        id: i64,
        deadline: NaiveDate,
        changed_by: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE campaigns SET deadline = $1, updated_at = $2 WHERE id = $3")
            .bind(deadline.format("%Y-%m-%d").to_string())
            .bind(now_text(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            let detail = serde_json::json!({ "campaign": id, "deadline": deadline.to_string() });
            super::audit::audit(
                &mut tx,
                changed_by,
                crate::domain::AuditAction::CampaignDeadlineChanged,
                None,
                &detail,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn campaigns(&self) -> StorageResult<Vec<Campaign>> {
        let rows: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT id, name, deadline, scope_code FROM campaigns ORDER BY id")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(campaign_from_row).collect()
    }

    /// Chats bound to `scope` or to a unit below it, not blocked.
    pub async fn accounts_in_scope(&self, scope: &str) -> StorageResult<Vec<ScopedAccount>> {
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(concat!(
            scope_cte!(),
            "SELECT a.channel, a.external_id, a.role, a.unit_code, a.change_notices
             FROM accounts a JOIN scope s ON s.code = a.unit_code
             WHERE a.blocked_at IS NULL ORDER BY a.id"
        ))
        .bind(scope)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(channel, chat_id, role, unit_code, notices)| {
                let Some(role) = AccountRole::parse(&role) else {
                    tracing::error!(role, "an account with an unknown role is skipped");
                    return None;
                };
                let channel = match channel.parse::<ChannelName>() {
                    Ok(channel) => channel,
                    Err(error) => {
                        tracing::error!(%error, "an account on an unknown channel is skipped");
                        return None;
                    }
                };
                Some(ScopedAccount {
                    channel,
                    chat_id,
                    role,
                    unit_code,
                    change_notices: notices != 0,
                })
            })
            .collect())
    }
}

/// Records that `slot` of `campaign` went to a chat; `false` when it already had.
pub async fn record_alert(
    tx: &mut Tx<'_>,
    campaign: i64,
    channel: &str,
    chat_id: &str,
    slot: &str,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let done = sqlx::query(
        "INSERT INTO alerts_sent (campaign_id, channel, chat_id, slot, sent_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (campaign_id, channel, chat_id, slot) DO NOTHING",
    )
    .bind(campaign)
    .bind(channel)
    .bind(chat_id)
    .bind(slot)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the deadline of the campaign of `scope`, creating the campaign if there is none.
pub async fn set_scope_deadline(
    tx: &mut Tx<'_>,
    scope: &str,
    deadline: NaiveDate,
    by: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let date = deadline.format("%Y-%m-%d").to_string();
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM campaigns WHERE scope_code = $1 ORDER BY id LIMIT 1")
            .bind(scope)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(id) = existing {
        sqlx::query("UPDATE campaigns SET deadline = $1, updated_at = $2 WHERE id = $3")
            .bind(&date)
            .bind(now_text(now))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        return Ok(id);
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO campaigns (name, deadline, scope_code, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(DEFAULT_CAMPAIGN_NAME)
    .bind(&date)
    .bind(scope)
    .bind(by)
    .bind(now_text(now))
    .fetch_one(&mut **tx)
    .await?)
}

/// The name of a campaign created from chat: the seed letter's request.
pub const DEFAULT_CAMPAIGN_NAME: &str = "Quyết định thành lập Tổ CNSCĐ";
