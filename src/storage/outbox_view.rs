//! The outbox as an operator reads it: what still waits to be sent, for any chat.

use super::outbox::DedupKey;
use super::{StorageResult, Store};

/// A message not yet sent nor given up; the body is left to the caller to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingMessage {
    pub id: i64,
    pub channel: String,
    pub chat_id: String,
    pub created_at: String,
    pub body: String,
    /// A deadline alert (rather than a reply or a notice).
    pub is_alert: bool,
}

impl Store {
    /// Messages waiting to be sent, oldest first; only those of `chat` (channel, id) if given.
    pub async fn waiting_outbox(
        &self,
        chat: Option<(&str, &str)>,
    ) -> StorageResult<Vec<WaitingMessage>> {
        type Row = (i64, String, String, String, String, Option<String>);
        let (channel, chat_id) = chat.map_or((None, None), |(c, i)| (Some(c), Some(i)));
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, channel, chat_id, created_at, body, dedup_key FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL
               AND (CAST($1 AS TEXT) IS NULL OR channel = $1)
               AND (CAST($2 AS TEXT) IS NULL OR chat_id = $2)
             ORDER BY id",
        )
        .bind(channel)
        .bind(chat_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, channel, chat_id, created_at, body, key)| WaitingMessage {
                    id,
                    channel,
                    chat_id,
                    created_at,
                    body,
                    is_alert: DedupKey::is_alert(key.as_deref()),
                },
            )
            .collect())
    }
}
