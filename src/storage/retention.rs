//! Retention: what cnscd keeps only for a while, purged by `cnscd purge` and by `serve`'s
//! scheduler on every pass. The periods are in the README ("Personal data") and SECURITY.md.

use chrono::{DateTime, Duration, Utc};

use super::{now_text, StorageResult, Store, Tx};

/// How long each kind of row is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Outbox messages sent (or given up on): their text names people.
    pub sent_messages: Duration,
    /// Dialogue states of chats that wrote nothing since (a paused registration is kept in
    /// its team, not here).
    pub idle_sessions: Duration,
    /// Update ids already applied: Telegram redelivers for 24 hours at most.
    pub processed_updates: Duration,
    /// Inbox events already applied (their text names people; a redelivery within this
    /// time is still recognised by the inbox itself).
    pub applied_events: Duration,
    /// A chat that blocked the bot keeps its role this long, then loses it.
    pub blocked_accounts: Duration,
    /// Messages held for a chat that cannot be reached (outside Zalo's window) until it
    /// writes again, and events set aside after failing (`cnscd inbox parked`): both name
    /// people, and neither may wait for ever.
    pub held_and_parked: Duration,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            sent_messages: Duration::days(30),
            idle_sessions: Duration::days(180),
            processed_updates: Duration::days(7),
            applied_events: Duration::days(2),
            blocked_accounts: Duration::days(30),
            held_and_parked: Duration::days(30),
        }
    }
}

/// How many rows a purge removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    pub messages: u64,
    pub sessions: u64,
    pub updates: u64,
    pub events: u64,
    pub accounts: u64,
    /// Kept decision scans nothing names any more.
    pub scans: u64,
}

impl Store {
    /// Deletes what is older than `retention` allows at `now`, in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn purge(&self, retention: &Retention, now: DateTime<Utc>) -> StorageResult<Purged> {
        let cutoff = |period: Duration| now_text(now - period);
        let mut tx = self.begin().await?;
        let messages = delete_before(
            &mut tx,
            "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < $1)
                 OR (failed_at IS NOT NULL AND failed_at < $1)",
            cutoff(retention.sent_messages),
        )
        .await?;
        let messages = messages
            + delete_before(
                &mut tx,
                "DELETE FROM outbox WHERE held_at IS NOT NULL AND held_at < $1
                     AND sent_at IS NULL AND failed_at IS NULL",
                cutoff(retention.held_and_parked),
            )
            .await?;
        let sessions = delete_before(
            &mut tx,
            "DELETE FROM dialogue_states WHERE updated_at < $1",
            cutoff(retention.idle_sessions),
        )
        .await?;
        // The buttons an idle chat was shown go with its session; link codes live minutes.
        delete_before(
            &mut tx,
            "DELETE FROM chat_choices WHERE updated_at < $1",
            cutoff(retention.idle_sessions),
        )
        .await?;
        delete_before(
            &mut tx,
            "DELETE FROM link_codes WHERE expires_at < $1",
            cutoff(Duration::days(1)),
        )
        .await?;
        let updates = delete_before(
            &mut tx,
            "DELETE FROM processed_updates WHERE processed_at < $1",
            cutoff(retention.processed_updates),
        )
        .await?;
        let events = delete_before(
            &mut tx,
            "DELETE FROM inbox WHERE state = 'done' AND done_at < $1",
            cutoff(retention.applied_events),
        )
        .await?
            + delete_before(
                &mut tx,
                "DELETE FROM inbox WHERE state = 'parked' AND received_at < $1",
                cutoff(retention.held_and_parked),
            )
            .await?;
        let blocked = cutoff(retention.blocked_accounts);
        let accounts = super::account_admin::revoke_lapsed(&mut tx, &blocked, now).await?;
        tx.commit().await?;
        let scans = self.purge_scans(now).await?;
        Ok(Purged {
            messages,
            sessions,
            updates,
            events,
            accounts,
            scans,
        })
    }
}

async fn delete_before(tx: &mut Tx<'_>, sql: &str, cutoff: String) -> StorageResult<u64> {
    Ok(sqlx::query(sql)
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
