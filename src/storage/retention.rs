//! Retention: what cnscd keeps only for a while, purged by `cnscd purge` and by `serve`'s
//! scheduler on every pass. The periods are in the README ("Personal data") and SECURITY.md.

use chrono::{DateTime, Duration, Utc};

use crate::domain::help::HelpRules;

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
    /// What names the resident of a help request (chat, phone, description): kept this long
    /// after the request closed, or, for one left open, after its last change. The rules
    /// file's `[help] retention_days` sets it ([`Retention::with_help`]).
    pub help_requests: Duration,
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
            help_requests: HelpRules::default().retention(),
        }
    }
}

impl Retention {
    /// The retention with the help requests' period of the rules file's `[help]` section.
    pub fn with_help(help: &HelpRules) -> Retention {
        Retention {
            help_requests: help.retention(),
            ..Retention::default()
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
    /// Help requests whose resident was forgotten (the request stays, counted).
    pub help_requests: u64,
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
        let help_requests =
            forget_residents(&mut tx, &cutoff(retention.help_requests), &now_text(now)).await?;
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
            help_requests,
        })
    }
}

/// Blanks what names the resident of requests closed before `cutoff`, and of requests left
/// open (or taken and never closed) whose last change is before it; the request stays with
/// its unit, need, status, times and rating, so it is still counted. A reopened request has
/// no `closed_at` and counts from its reopening (`waiting_since`), its last change.
async fn forget_residents(tx: &mut Tx<'_>, cutoff: &str, now: &str) -> StorageResult<u64> {
    let done = sqlx::query(
        "UPDATE help_requests
         SET resident_channel = NULL, resident_chat = NULL, resident_phone = NULL,
             description = NULL, dedup_key = NULL, purged_at = $2, version = version + 1
         WHERE purged_at IS NULL
           AND ((closed_at IS NOT NULL AND closed_at < $1)
             OR (closed_at IS NULL AND created_at < $1
                 AND (taken_at IS NULL OR taken_at < $1)
                 AND (last_followup_at IS NULL OR last_followup_at < $1)
                 AND (waiting_since IS NULL OR waiting_since < $1)))",
    )
    .bind(cutoff)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

async fn delete_before(tx: &mut Tx<'_>, sql: &str, cutoff: String) -> StorageResult<u64> {
    Ok(sqlx::query(sql)
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
