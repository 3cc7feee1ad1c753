//! What the pipeline keeps per chat beside its session: when it last wrote (a channel's
//! window is counted from it), the buttons it was last shown where typed choices stand in
//! for presses, and the messages its channel refused for now ("held").

use chrono::{DateTime, Utc};

use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::conversation::Choices;

/// An outbox row released for sending again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    pub id: i64,
    pub body: String,
    pub dedup_key: Option<String>,
    pub lane: super::outbox::Lane,
}

/// The chat wrote now: its window reopens, and what was held for it goes out again, claimed
/// by `owner` (it is sent before the answer to what the chat wrote: it is older).
pub async fn chat_wrote(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    owner: &str,
    now: DateTime<Utc>,
    claimed_at: DateTime<Utc>,
) -> StorageResult<Vec<Released>> {
    sqlx::query(
        "INSERT INTO chat_activity (channel, chat_id, last_seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel, chat_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    let rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
        "UPDATE outbox SET held_at = NULL, held_reason = NULL, owner = $3, claimed_at = $4
         WHERE channel = $1 AND chat_id = $2 AND held_at IS NOT NULL
           AND sent_at IS NULL AND failed_at IS NULL
         RETURNING id, body, dedup_key, lane",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(owner)
    .bind(now_text(claimed_at))
    .fetch_all(&mut **tx)
    .await?;
    let mut released: Vec<Released> = rows
        .into_iter()
        .map(|(id, body, dedup_key, lane)| Released {
            id,
            body,
            dedup_key,
            lane: super::outbox::Lane::from_stored(&lane),
        })
        .collect();
    released.sort_by_key(|r| r.id);
    Ok(released)
}

/// Remembers the buttons `chat_id` was just shown (none: a typed number is text again).
pub async fn save_choices(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    choices: &Choices,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let json = serde_json::to_string(choices).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO chat_choices (channel, chat_id, choices, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel, chat_id)
         DO UPDATE SET choices = excluded.choices, updated_at = excluded.updated_at",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(json)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The buttons `chat_id` was last shown; none if it was shown none (or they are unreadable).
pub async fn load_choices(tx: &mut Tx<'_>, channel: &str, chat_id: &str) -> StorageResult<Choices> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT choices FROM chat_choices WHERE channel = $1 AND chat_id = $2")
            .bind(channel)
            .bind(chat_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(json
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

impl Store {
    /// When `chat_id` last wrote, if it ever did.
    pub async fn last_seen(
        &self,
        channel: &str,
        chat_id: &str,
    ) -> StorageResult<Option<DateTime<Utc>>> {
        let seen: Option<String> = sqlx::query_scalar(
            "SELECT last_seen_at FROM chat_activity WHERE channel = $1 AND chat_id = $2",
        )
        .bind(channel)
        .bind(chat_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(seen.and_then(|s| super::parse_time(&s)))
    }

    /// Keeps outbox rows unsent, with the reason the channel gave, until their chat writes
    /// again.
    pub async fn hold_outbox(
        &self,
        ids: &[i64],
        reason: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        for id in ids {
            sqlx::query("UPDATE outbox SET held_at = $1, held_reason = $2 WHERE id = $3")
                .bind(now_text(now))
                .bind(reason)
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}
