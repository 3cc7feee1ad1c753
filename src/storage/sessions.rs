//! Per-chat dialogue state and the ids of updates already applied.

use chrono::{DateTime, Utc};

use super::{now_text, StorageError, StorageResult, Tx};
use crate::conversation::Session;
use crate::i18n::Lang;

const SESSION: &str = "SELECT session FROM dialogue_states WHERE channel = $1 AND chat_id = $2";

/// A chat's session; a fresh one when it never spoke to the bot or its stored session cannot
/// be read (a dialogue of an older release, say): the chat starts again rather than fail.
pub async fn load_session(tx: &mut Tx<'_>, channel: &str, chat_id: &str) -> StorageResult<Session> {
    let json: Option<String> = sqlx::query_scalar(SESSION)
        .bind(channel)
        .bind(chat_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(session_of(json))
}

fn session_of(json: Option<String>) -> Session {
    json.map_or_else(Session::default, |json| {
        read_session(&json).unwrap_or_else(|| {
            tracing::warn!("unreadable session replaced by a fresh one");
            Session::default()
        })
    })
}

impl super::Store {
    /// [`load_session`] outside a transaction: one read.
    pub async fn session(&self, channel: &str, chat_id: &str) -> StorageResult<Session> {
        let json: Option<String> = sqlx::query_scalar(SESSION)
            .bind(channel)
            .bind(chat_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(session_of(json))
    }
}

/// A stored session's JSON read back; `None` when it cannot be.
pub fn read_session(json: &str) -> Option<Session> {
    serde_json::from_str(json).ok()
}

pub async fn save_session(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    session: &Session,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let json = serde_json::to_string(session).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO dialogue_states (channel, chat_id, session, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (channel, chat_id) DO UPDATE SET session = excluded.session,
             updated_at = excluded.updated_at",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(json)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What became of an update the engine was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateRecord {
    /// First time seen: recorded, to be applied.
    New,
    /// Applied before (a redelivery, or another replica got it too).
    Duplicate,
    /// A later update of the same chat was already applied: this one arrived out of order.
    Late,
}

/// Records that an update of `chat_id` is being applied. Call it with the chat locked
/// ([`super::lock_chat`]), so the duplicate and order checks cannot race.
pub async fn record_update(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    update_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<UpdateRecord> {
    // Ids that are numbers are taken to be in the order the channel received the updates
    // (Telegram's are); other ids are only checked for duplicates.
    let seq: Option<i64> = update_id.parse().ok();
    if let Some(seq) = seq {
        let later: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM processed_updates
             WHERE channel = $1 AND chat_id = $2 AND seq >= $3 ORDER BY seq DESC LIMIT 1",
        )
        .bind(channel)
        .bind(chat_id)
        .bind(seq)
        .fetch_optional(&mut **tx)
        .await?;
        match later {
            Some(later) if later == seq => return Ok(UpdateRecord::Duplicate),
            Some(_) => return Ok(UpdateRecord::Late),
            None => {}
        }
    }
    let result = sqlx::query(
        "INSERT INTO processed_updates (channel, update_id, processed_at, chat_id, seq)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (channel, update_id) DO NOTHING",
    )
    .bind(channel)
    .bind(update_id)
    .bind(now_text(now))
    .bind(chat_id)
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(if result.rows_affected() == 1 {
        UpdateRecord::New
    } else {
        UpdateRecord::Duplicate
    })
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

/// The language a chat speaks, for messages sent to it outside its own turn (notices,
/// alerts); Vietnamese when it never spoke or its session cannot be read.
pub async fn chat_lang(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
) -> Result<Lang, StorageError> {
    Ok(load_session(tx, channel, chat_id).await?.lang)
}
