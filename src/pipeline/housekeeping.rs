//! Forgetting what is no longer needed, every hour. The retention periods are stated in the
//! README ("Nothing lost").

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::engine::Engine;
use crate::storage::{StorageResult, Store};

/// Telegram keeps an undelivered update for 24 hours and may reuse ids after a week of
/// silence: applied events and their ids are kept two days.
pub const INBOX_RETENTION: chrono::Duration = chrono::Duration::days(2);
/// Delivered (or given-up) messages are kept a week, for operators looking into a complaint.
pub const OUTBOX_RETENTION: chrono::Duration = chrono::Duration::days(7);

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(engine: Engine, channels: Vec<&'static str>) {
    loop {
        match purge(engine.store(), &channels, engine.now()).await {
            Ok(purged) if purged > 0 => tracing::info!(purged, "old inbox and outbox rows purged"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not purge old rows"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Purges what is past its retention: the inbox and outbox by the wall clock they are
/// stamped with, applied update ids by the engine's clock (`now`). Returns how many rows went.
pub async fn purge(store: &Store, channels: &[&str], now: DateTime<Utc>) -> StorageResult<u64> {
    let wall = Utc::now();
    let mut purged = store.purge_inbox(wall - INBOX_RETENTION).await?;
    for channel in channels {
        purged += store
            .forget_processed_updates(channel, now - INBOX_RETENTION)
            .await?;
    }
    purged += store.purge_outbox(wall - OUTBOX_RETENTION).await?;
    Ok(purged)
}
