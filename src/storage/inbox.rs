//! The inbox: incoming events recorded before their channel is told they were received, and
//! taken from here by the engine, per chat in order, once.

use chrono::{DateTime, Utc};

use super::{now_text, parse_time, placeholder_rows, StorageError, StorageResult, Store, Tx};
use crate::chat::{ChannelName, ChatKey, UnknownChannel};

/// An event as a channel adapter records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub channel: ChannelName,
    pub chat_id: String,
    /// The channel's own id of the event (Telegram's `update_id`), when it has one: an event
    /// recorded twice under one id is kept once.
    pub update_id: Option<String>,
    /// The event as the conversation core reads it (JSON).
    pub body: String,
}

/// A recorded event waiting for the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEvent {
    pub id: i64,
    pub channel: ChannelName,
    pub chat_id: String,
    pub update_id: Option<String>,
    pub body: String,
    pub attempts: i64,
    /// Not to be tried again before this (after a failed attempt).
    pub not_before: Option<DateTime<Utc>>,
}

impl PendingEvent {
    pub fn chat(&self) -> ChatKey {
        ChatKey::new(self.channel, self.chat_id.clone())
    }
}

/// A parked event, for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParkedEvent {
    pub id: i64,
    pub channel: String,
    pub chat_id: String,
    pub received_at: String,
    pub attempts: i64,
    pub error: String,
}

/// Rows per INSERT: SQLite allows 32,766 parameters, PostgreSQL 65,535.
const ROWS_PER_INSERT: usize = 500;

/// Records `events` (received by replica `owner`); an event whose `update_id` is already
/// recorded is skipped. Returns the update ids that were new. A numeric update id is also
/// kept as the event's place in its chat's order (see [`claim`]).
pub async fn record(
    tx: &mut Tx<'_>,
    events: &[NewEvent],
    owner: &str,
    now: DateTime<Utc>,
) -> StorageResult<std::collections::HashSet<String>> {
    let now = now_text(now);
    let mut inserted = std::collections::HashSet::new();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let rows = placeholder_rows(chunk.len(), 7, |_, p| p);
        let sql = format!(
            "INSERT INTO inbox (channel, chat_id, update_id, body, owner, received_at, seq)
             VALUES {rows} ON CONFLICT (channel, update_id) DO NOTHING RETURNING update_id"
        );
        let mut query = sqlx::query_scalar::<_, Option<String>>(&sql);
        for event in chunk {
            query = query
                .bind(event.channel.as_str())
                .bind(event.chat_id.as_str())
                .bind(event.update_id.as_deref())
                .bind(event.body.as_str())
                .bind(owner)
                .bind(now.as_str())
                .bind(event.update_id.as_deref().and_then(seq_of));
        }
        inserted.extend(query.fetch_all(&mut **tx).await?.into_iter().flatten());
    }
    Ok(inserted)
}

/// An update id's place in its chat's order: ids that are numbers are taken to be in the
/// order the channel received the updates (Telegram's are); others have none.
pub fn seq_of(update_id: &str) -> Option<i64> {
    update_id.parse().ok()
}

/// What claiming a pending event found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Marked applied by this transaction: the step is to run.
    Taken,
    /// Not pending any more: another replica applied it first.
    Gone,
    /// Marked applied, but a later update of the same chat was applied already: it arrived
    /// out of order, and applying it now would answer a question the chat has moved past.
    Late,
}

/// Marks an event applied (inside the step's transaction, with its chat locked: see
/// [`super::lock_chat`]), and tells whether it may run. The inbox alone keeps events once
/// (one row per update id) and in order (its `seq` against those of the chat applied).
pub async fn claim(tx: &mut Tx<'_>, id: i64, now: DateTime<Utc>) -> StorageResult<Claim> {
    let late: Option<i64> = sqlx::query_scalar(
        "UPDATE inbox SET state = 'done', done_at = $1 WHERE id = $2 AND state = 'pending'
         RETURNING CAST(CASE WHEN EXISTS (
             SELECT 1 FROM inbox later
             WHERE later.channel = inbox.channel AND later.chat_id = inbox.chat_id
               AND later.state = 'done' AND later.seq > inbox.seq
         ) THEN 1 ELSE 0 END AS BIGINT)",
    )
    .bind(now_text(now))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match late {
        None => Claim::Gone,
        Some(0) => Claim::Taken,
        Some(_) => Claim::Late,
    })
}

/// For a step applied outside the inbox (the engine's direct path): records `update_id` of
/// `chat_id` as an applied event, so that the inbox keeps it once and in order whichever path
/// applied it. `Late` when a later update of the chat was applied already, `Duplicate` when
/// the inbox holds this one.
pub async fn record_applied(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    update_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<super::sessions::UpdateRecord> {
    use super::sessions::UpdateRecord;
    let seq = seq_of(update_id);
    if let Some(seq) = seq {
        let later: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM inbox WHERE channel = $1 AND chat_id = $2 AND state = 'done'
               AND seq > $3 LIMIT 1",
        )
        .bind(channel)
        .bind(chat_id)
        .bind(seq)
        .fetch_optional(&mut **tx)
        .await?;
        if later.is_some() {
            return Ok(UpdateRecord::Late);
        }
    }
    let now = now_text(now);
    let done = sqlx::query(
        "INSERT INTO inbox (channel, chat_id, update_id, body, owner, received_at, state,
             done_at, seq)
         VALUES ($1, $2, $3, '', 'engine', $4, 'done', $4, $5)
         ON CONFLICT (channel, update_id) DO NOTHING",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(update_id)
    .bind(now.as_str())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(if done.rows_affected() == 1 {
        UpdateRecord::New
    } else {
        UpdateRecord::Duplicate
    })
}

/// Counts a failed attempt: the event waits until `retry_at`, or with `park`, is set aside
/// with its error.
pub async fn mark_failed(
    tx: &mut Tx<'_>,
    id: i64,
    error: &str,
    retry_at: DateTime<Utc>,
    park: bool,
) -> StorageResult<()> {
    let state = if park { "parked" } else { "pending" };
    sqlx::query(
        "UPDATE inbox SET attempts = attempts + 1, error = $1, not_before = $2, state = $3
         WHERE id = $4",
    )
    .bind(error)
    .bind(now_text(retry_at))
    .bind(state)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Replaces a pending event's body by its form with the file downloaded (the download
    /// kept against the event: a restart applies it without fetching again); `false` when
    /// the event is not pending any more.
    pub async fn set_fetched_body(&self, id: i64, body: &str) -> StorageResult<bool> {
        let done = sqlx::query("UPDATE inbox SET body = $1 WHERE id = $2 AND state = 'pending'")
            .bind(body)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The oldest pending events, in the order they were received: those `owner` recorded,
    /// and those of other replicas received before `orphaned_before` (their replica is taken
    /// to be gone). `None` for `owner` takes every pending event.
    pub async fn pending_events(
        &self,
        owner: Option<&str>,
        orphaned_before: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<PendingEvent>> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            String,
            i64,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, channel, chat_id, update_id, body, attempts, not_before FROM inbox
             WHERE state = 'pending' AND ($1 IS NULL OR owner = $1 OR received_at < $2)
             ORDER BY id LIMIT $3",
        )
        .bind(owner)
        .bind(now_text(orphaned_before))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(id, channel, chat_id, update_id, body, attempts, not_before)| {
                    let channel = channel
                        .parse()
                        .map_err(|e: UnknownChannel| StorageError::Corrupt(e.to_string()))?;
                    let not_before = match not_before {
                        Some(text) => Some(parse_time(&text).ok_or_else(|| {
                            StorageError::Corrupt(format!("inbox not_before {text:?}"))
                        })?),
                        None => None,
                    };
                    Ok(PendingEvent {
                        id,
                        channel,
                        chat_id,
                        update_id,
                        body,
                        attempts,
                        not_before,
                    })
                },
            )
            .collect()
    }

    /// Events set aside after failing too often, oldest first.
    pub async fn parked_events(&self) -> StorageResult<Vec<ParkedEvent>> {
        let rows: Vec<(i64, String, String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, channel, chat_id, received_at, attempts, error FROM inbox
             WHERE state = 'parked' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, channel, chat_id, received_at, attempts, error)| ParkedEvent {
                    id,
                    channel,
                    chat_id,
                    received_at,
                    attempts,
                    error: error.unwrap_or_default(),
                },
            )
            .collect())
    }

    /// Puts parked events back in line (all of them with `None`); returns how many. They are
    /// applied after the chat's other pending events that came before them.
    pub async fn replay_parked(&self, id: Option<i64>) -> StorageResult<u64> {
        let done = sqlx::query(
            "UPDATE inbox SET state = 'pending', attempts = 0, not_before = NULL
             WHERE state = 'parked' AND ($1 IS NULL OR id = $1)",
        )
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
