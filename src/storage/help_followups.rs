//! The follow-up pass's reads and writes on `help_requests` (the decision is
//! `domain::help::followup`, the messages `alerts::help`). A step is written by one guarded
//! UPDATE (the row's `version` and status it was read with), with its offers, audit row and
//! outbox rows in the same transaction: two passes at the same moment, or a member taking the
//! request meanwhile, write it once; a pass killed before its commit wrote nothing, and the
//! next pass does the step again.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{now_text, parse_time, StorageError, StorageResult, Store, Tx};
use crate::domain::help::followup::{Facts, FollowUp};
use crate::domain::{AuditAction, RequestStatus, Stage};

/// An open or taken request, as the follow-up pass reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub version: i64,
    pub unit_code: String,
    pub need: String,
    pub description: Option<String>,
    /// The resident's chat (channel, id), and their language.
    pub resident: Option<(String, String)>,
    pub resident_lang: String,
    /// The owner's chat (channel, id), while it is taken.
    pub owner: Option<(String, String)>,
    pub facts: Facts,
}

fn time(text: Option<String>) -> StorageResult<Option<DateTime<Utc>>> {
    text.map(|text| {
        parse_time(&text).ok_or_else(|| StorageError::Corrupt(format!("help time {text:?}")))
    })
    .transpose()
}

fn pair(a: Option<String>, b: Option<String>) -> Option<(String, String)> {
    a.zip(b)
}

impl Store {
    /// The requests a follow-up may still be due for: open ones not yet at the commune, and
    /// taken ones; those whose resident was forgotten are left alone.
    #[tracing::instrument(skip_all)]
    pub async fn help_pending(&self) -> StorageResult<Vec<Pending>> {
        let rows = sqlx::query(
            "SELECT id, version, unit_code, need, description, resident_channel, resident_chat,
                 resident_lang, owner_channel, owner_chat, status, stage, created_at,
                 waiting_since, taken_at, last_followup_at
             FROM help_requests
             WHERE purged_at IS NULL
               AND ((status = 'open' AND stage <> 'commune') OR status = 'taken')
             ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let status: String = row.try_get("status")?;
                let stage: String = row.try_get("stage")?;
                let corrupt = || StorageError::Corrupt(format!("help request {status}/{stage}"));
                let facts = Facts {
                    status: RequestStatus::from_stored(&status).ok_or_else(corrupt)?,
                    stage: Stage::from_stored(&stage).ok_or_else(corrupt)?,
                    created_at: time(Some(row.try_get("created_at")?))?.unwrap_or_default(),
                    waiting_since: time(row.try_get("waiting_since")?)?,
                    taken_at: time(row.try_get("taken_at")?)?,
                    last_followup_at: time(row.try_get("last_followup_at")?)?,
                };
                Ok(Pending {
                    id: row.try_get("id")?,
                    version: row.try_get("version")?,
                    unit_code: row.try_get("unit_code")?,
                    need: row.try_get("need")?,
                    description: row.try_get("description")?,
                    resident: pair(
                        row.try_get("resident_channel")?,
                        row.try_get("resident_chat")?,
                    ),
                    resident_lang: row.try_get("resident_lang")?,
                    owner: pair(row.try_get("owner_channel")?, row.try_get("owner_chat")?),
                    facts,
                })
            })
            .collect()
    }
}

/// Writes `step` on `request` if it is still as it was read (same version and status);
/// `false` when it changed meanwhile (taken, closed, or another pass did the step): nothing
/// is written then, and the caller queues nothing. An escalation or a return is audited.
pub async fn record(
    tx: &mut Tx<'_>,
    request: &Pending,
    step: FollowUp,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let set = match step {
        FollowUp::RemindTeam | FollowUp::RemindOwner => String::new(),
        FollowUp::Escalate(stage) => format!(", stage = '{}'", stage.stored()),
        FollowUp::ReturnToTeam => ", status = 'open', stage = 'team', owner_channel = NULL,
             owner_chat = NULL, owner_phone = NULL, owner_name = NULL, owner_phone_shown = 0,
             taken_at = NULL, returned = returned + 1, waiting_since = $1"
            .to_owned(),
    };
    let sql = format!(
        "UPDATE help_requests SET last_followup_at = $1, followups = followups + 1,
             version = version + 1{set}
         WHERE id = $2 AND version = $3 AND status = $4"
    );
    let written = sqlx::query(&sql)
        .bind(now_text(now))
        .bind(request.id)
        .bind(request.version)
        .bind(request.facts.status.stored())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if written != 1 {
        return Ok(false);
    }
    let audited = match step {
        FollowUp::Escalate(stage) => Some((
            AuditAction::HelpEscalated,
            serde_json::json!({ "request": request.id, "stage": stage.stored() }),
        )),
        FollowUp::ReturnToTeam => Some((
            AuditAction::HelpReturned,
            serde_json::json!({ "request": request.id }),
        )),
        FollowUp::RemindTeam | FollowUp::RemindOwner => None,
    };
    if let Some((action, detail)) = audited {
        let unit = Some(request.unit_code.as_str());
        super::audit::audit(tx, "scheduler", action, unit, &detail, now).await?;
    }
    Ok(true)
}

/// The chats `id` was offered to at `stage`.
pub async fn offered_at(
    tx: &mut Tx<'_>,
    id: i64,
    stage: Stage,
) -> StorageResult<Vec<(String, String)>> {
    Ok(super::help_requests::offers(tx, id)
        .await?
        .into_iter()
        .filter(|offer| offer.stage == stage)
        .map(|offer| (offer.channel, offer.chat_id))
        .collect())
}
