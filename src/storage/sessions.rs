//! Per-chat dialogue state and the ids of updates already applied.

use chrono::{DateTime, Utc};

use super::{now_text, StorageResult, Tx};

/// The stored session JSON of a chat, if it ever spoke to the bot.
pub async fn load_session(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
) -> StorageResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT session FROM dialogue_states WHERE channel = $1 AND chat_id = $2",
    )
    .bind(channel)
    .bind(chat_id)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn save_session(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    session: &str,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO dialogue_states (channel, chat_id, session, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel, chat_id) DO UPDATE SET session = excluded.session,
             updated_at = excluded.updated_at",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(session)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that an update was applied; `false` when it already was (a redelivery).
pub async fn mark_update_processed(
    tx: &mut Tx<'_>,
    channel: &str,
    update_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let result = sqlx::query(
        "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel, update_id) DO NOTHING",
    )
    .bind(channel)
    .bind(update_id)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

impl super::Store {
    /// Forgets the ids of updates applied before `before`; returns how many.
    pub async fn forget_processed_updates(
        &self,
        channel: &str,
        before: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let done =
            sqlx::query("DELETE FROM processed_updates WHERE channel = $1 AND processed_at < $2")
                .bind(channel)
                .bind(now_text(before))
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}
