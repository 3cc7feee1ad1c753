//! The outbox: messages for other chats, stored with the change that caused them.

use chrono::{DateTime, Utc};

use super::{now_text, StorageError, StorageResult, Store, Tx};
use crate::conversation::Reply;

/// A message waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub chat_id: String,
    pub reply: Reply,
    /// A deadline alert (rather than a notice about someone's action).
    pub is_alert: bool,
}

/// The key under which a message is queued at most once: a second enqueue under it queues
/// nothing. Written and read here only, so a row's key also says whether it is an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupKey<'a> {
    /// A deadline alert: one per campaign, chat and slot of the schedule.
    Alert {
        campaign: i64,
        channel: &'a str,
        chat_id: &'a str,
        slot: &'a str,
    },
    /// The notice that Zalo is paused: one per pause (its time) and chat.
    ZaloPaused {
        at: &'a str,
        channel: &'a str,
        chat_id: &'a str,
    },
}

impl DedupKey<'_> {
    /// What every alert's stored key starts with.
    const ALERT: &'static str = "alert:";

    /// The text in `outbox.dedup_key`.
    pub fn stored(&self) -> String {
        match self {
            DedupKey::Alert {
                campaign,
                channel,
                chat_id,
                slot,
            } => format!("{}{campaign}:{channel}:{chat_id}:{slot}", DedupKey::ALERT),
            DedupKey::ZaloPaused {
                at,
                channel,
                chat_id,
            } => format!("zalo-paused:{at}:{channel}:{chat_id}"),
        }
    }

    /// Whether a row queued under `stored` is a deadline alert.
    pub fn is_alert(stored: Option<&str>) -> bool {
        stored.is_some_and(|key| key.starts_with(DedupKey::ALERT))
    }

    /// A SQL `LIKE` pattern for the rows of alerts.
    pub(crate) fn alert_pattern() -> String {
        format!("{}%", DedupKey::ALERT)
    }
}

/// Queues `reply` for `chat_id` on `channel`. With a `dedup_key` already used, nothing is
/// queued and `false` is returned.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    reply: &Reply,
    dedup_key: Option<DedupKey<'_>>,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let body = serde_json::to_string(reply).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let result = sqlx::query(
        "INSERT INTO outbox (channel, chat_id, body, dedup_key, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(body)
    .bind(dedup_key.map(|key| key.stored()))
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The lane of an outbox row (see migration `0089_outbox_lane`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Answers, notices, alerts: sent as soon as they can be.
    Reply,
    /// One message of an announcement to many chats: paced at the channel's rate, and
    /// overtaken by any reply for the same chat.
    Bulk,
}

impl Lane {
    /// The text in `outbox.lane`.
    pub const fn stored(self) -> &'static str {
        match self {
            Lane::Reply => "reply",
            Lane::Bulk => "bulk",
        }
    }

    /// The lane stored as `text`; anything unknown reads as a reply.
    pub fn from_stored(text: &str) -> Lane {
        if text == Lane::Bulk.stored() {
            Lane::Bulk
        } else {
            Lane::Reply
        }
    }
}

/// Queues `reply` for `chat_id` on `channel` in the bulk lane (an announcement's message
/// to one recipient); returns the row's id. Unclaimed: whichever replica sends bulk rows
/// takes it.
pub async fn enqueue_bulk(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    reply: &Reply,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let body = serde_json::to_string(reply).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (channel, chat_id, body, created_at, lane) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(body)
    .bind(now_text(now))
    .bind(Lane::Bulk.stored())
    .fetch_one(&mut **tx)
    .await?)
}

/// Queues a message of the step being applied, claimed at once by replica `owner`, which
/// sends it as soon as the step commits; returns its id.
pub async fn enqueue_claimed(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    body: &str,
    owner: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let now = now_text(now);
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (channel, chat_id, body, created_at, owner, claimed_at)
         VALUES ($1, $2, $3, $4, $5, $4) RETURNING id",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(body)
    .bind(now)
    .bind(owner)
    .fetch_one(&mut **tx)
    .await?)
}

/// A message for [`enqueue_claimed_many`]: channel, chat, body.
pub type NewMessage<'a> = (&'a str, &'a str, &'a str);

/// [`enqueue_claimed`] for the messages of several steps in one statement (a round's);
/// returns their ids in the order given. The ids of one INSERT grow in the order of its
/// rows on both engines (SQLite's next rowid, PostgreSQL's sequence row by row), whatever
/// order RETURNING lists them in: sorted, they are the rows' in order.
pub async fn enqueue_claimed_many(
    tx: &mut Tx<'_>,
    messages: &[NewMessage<'_>],
    owner: &str,
    now: DateTime<Utc>,
) -> StorageResult<Vec<i64>> {
    let now = now_text(now);
    let mut ids = Vec::with_capacity(messages.len());
    for chunk in messages.chunks(ROWS_PER_INSERT) {
        let rows = super::placeholder_rows(chunk.len(), 5, |column, p| match column {
            // created_at and claimed_at: the same time.
            3 => format!("{p}, {p}"),
            _ => p,
        });
        let sql = format!(
            "INSERT INTO outbox (channel, chat_id, body, created_at, claimed_at, owner)
             VALUES {rows} RETURNING id"
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for (channel, chat_id, body) in chunk {
            query = query
                .bind(*channel)
                .bind(*chat_id)
                .bind(*body)
                .bind(now.as_str())
                .bind(owner);
        }
        let mut written = query.fetch_all(&mut **tx).await?;
        if written.len() != chunk.len() {
            return Err(StorageError::Corrupt(format!(
                "{} outbox rows written of {}",
                written.len(),
                chunk.len()
            )));
        }
        written.sort_unstable();
        ids.extend(written);
    }
    Ok(ids)
}

/// Rows per INSERT of [`enqueue_claimed_many`]: well within both engines' parameter limits.
const ROWS_PER_INSERT: usize = 500;

/// A message as the sender reads it: the body is left to the sender to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOutboxMessage {
    pub id: i64,
    pub chat_id: String,
    pub body: String,
    pub dedup_key: Option<String>,
    /// Already claimed by the replica that read it.
    pub owned: bool,
    pub lane: Lane,
}

impl Store {
    /// Undelivered messages of `channel` in `lane` that replica `owner` may send, oldest
    /// first: its own, the unclaimed ones (alerts, notices) and those whose claim is older
    /// than `stale_before` (their replica is taken to be gone).
    pub async fn sendable_outbox(
        &self,
        channel: &str,
        lane: Lane,
        owner: &str,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<RawOutboxMessage>> {
        self.outbox_rows(channel, lane, Some(owner), stale_before, limit)
            .await
    }

    /// Undelivered messages of `channel` in `lane` that no replica holds: unclaimed (alerts,
    /// notices, announcements) or claimed before `stale_before` (their replica is taken to be
    /// gone, or lost them).
    pub async fn unclaimed_outbox(
        &self,
        channel: &str,
        lane: Lane,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<RawOutboxMessage>> {
        self.outbox_rows(channel, lane, None, stale_before, limit)
            .await
    }

    /// Unsent rows of one lane that are `owner`'s (none when `None`: `owner = NULL` holds for
    /// no row), unclaimed, or claimed before `stale_before`. Read lane by lane (index
    /// `outbox_unsent_by_lane`), so the reply lane's rows are found at once however many bulk
    /// rows are older.
    async fn outbox_rows(
        &self,
        channel: &str,
        lane: Lane,
        owner: Option<&str>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> StorageResult<Vec<RawOutboxMessage>> {
        type Row = (i64, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, chat_id, body, dedup_key, owner FROM outbox
             WHERE channel = $1 AND lane = $2
               AND sent_at IS NULL AND failed_at IS NULL AND held_at IS NULL
               AND (owner = $3 OR claimed_at IS NULL OR claimed_at < $4)
             ORDER BY id LIMIT $5",
        )
        .bind(channel)
        .bind(lane.stored())
        .bind(owner)
        .bind(now_text(stale_before))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, chat_id, body, dedup_key, by)| RawOutboxMessage {
                id,
                chat_id,
                body,
                dedup_key,
                owned: owner.is_some() && by.as_deref() == owner,
                lane,
            })
            .collect())
    }

    /// Claims a message for replica `owner`; `false` when another replica holds a fresh
    /// claim on it, or it was sent meanwhile.
    pub async fn claim_outbox_for(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StorageResult<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET owner = $1, claimed_at = $2
             WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL AND held_at IS NULL
               AND (owner = $1 OR claimed_at IS NULL OR claimed_at < $4)",
        )
        .bind(owner)
        .bind(now_text(now))
        .bind(id)
        .bind(now_text(stale_before))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// [`Store::claim_outbox_for`] for many rows in one statement (the bulk rows a poll
    /// takes); returns the ids claimed.
    pub async fn claim_outbox_many(
        &self,
        ids: &[i64],
        owner: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> StorageResult<Vec<i64>> {
        let mut claimed = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "UPDATE outbox SET owner = $1, claimed_at = $2
                 WHERE id IN ({}) AND sent_at IS NULL AND failed_at IS NULL AND held_at IS NULL
                   AND (owner = $1 OR claimed_at IS NULL OR claimed_at < $3)
                 RETURNING id",
                list.join(", ")
            );
            let mut query = sqlx::query_scalar::<_, i64>(&sql)
                .bind(owner)
                .bind(now_text(now))
                .bind(now_text(stale_before));
            for id in chunk {
                query = query.bind(*id);
            }
            claimed.extend(query.fetch_all(self.pool()).await?);
        }
        Ok(claimed)
    }

    /// Marks delivered messages sent, in one statement.
    pub async fn mark_outbox_sent_many(
        &self,
        ids: &[i64],
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "UPDATE outbox SET sent_at = $1 WHERE id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(now_text(now));
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(self.pool()).await?;
        }
        Ok(())
    }

    /// The oldest undelivered messages of a channel.
    pub async fn pending_outbox(
        &self,
        channel: &str,
        limit: i64,
    ) -> StorageResult<Vec<OutboxMessage>> {
        let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, chat_id, body, dedup_key FROM outbox
             WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $2",
        )
        .bind(channel)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, chat_id, body, key)| {
                let reply = serde_json::from_str(&body)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                let is_alert = DedupKey::is_alert(key.as_deref());
                Ok(OutboxMessage {
                    id,
                    chat_id,
                    reply,
                    is_alert,
                })
            })
            .collect()
    }

    pub async fn mark_outbox_sent(&self, id: i64, now: DateTime<Utc>) -> StorageResult<()> {
        self.mark_outbox_sent_many(&[id], now).await
    }

    /// Gives up on a message (the chat blocked the bot, or it can never be delivered).
    pub async fn mark_outbox_failed(
        &self,
        id: i64,
        error: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        sqlx::query("UPDATE outbox SET failed_at = $1, error = $2 WHERE id = $3")
            .bind(now_text(now))
            .bind(error)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Marks a chat that blocked the bot; notifications skip it until it writes again.
    pub async fn mark_chat_blocked(
        &self,
        channel: &str,
        chat_id: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        sqlx::query("UPDATE accounts SET blocked_at = $1 WHERE channel = $2 AND external_id = $3")
            .bind(now_text(now))
            .bind(channel)
            .bind(chat_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod dedup_key_tests {
    use super::DedupKey;

    #[test]
    fn keys_keep_the_shape_queued_rows_hold_and_only_alerts_read_as_alerts() {
        let alert = DedupKey::Alert {
            campaign: 1,
            channel: "telegram",
            chat_id: "7002",
            slot: "d-7",
        };
        let paused = DedupKey::ZaloPaused {
            at: "2026-01-01T00:00:00.000Z",
            channel: "zalo",
            chat_id: "8011",
        };
        assert_eq!(alert.stored(), "alert:1:telegram:7002:d-7");
        assert_eq!(
            paused.stored(),
            "zalo-paused:2026-01-01T00:00:00.000Z:zalo:8011"
        );
        assert!(DedupKey::is_alert(Some(&alert.stored())));
        assert!(!DedupKey::is_alert(Some(&paused.stored())));
        assert!(!DedupKey::is_alert(None));
    }
}
