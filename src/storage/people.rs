//! People with several chats: the one-time codes that link two chats, and which person
//! each chat belongs to. A chat never linked is a person of its own (`channel:id`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::accounts::{account_with_unit_at, share_account, Account};
use super::{now_text, parse_time, StorageError, StorageResult, Store, Tx};
use crate::chat::ChatKey;

/// What typing a link code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The code is now waiting for the chat that showed it (`channel`, `chat_id`), which
    /// holds `account`, to confirm.
    Waiting {
        channel: String,
        chat_id: String,
        account: Account,
    },
    /// No such code, used, expired, already typed elsewhere, the chat's own, or its chat no
    /// longer holds a role.
    Invalid,
}

/// What confirming a typed link code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// The chat that typed the code (`channel`, `chat_id`) now holds this chat's account.
    Linked { channel: String, chat_id: String },
    /// No code of this chat is waiting to be confirmed (or this chat lost its role).
    Nothing,
}

/// The person a chat belongs to: the first chat of a person names it.
fn own_person(channel: &str, chat_id: &str) -> String {
    format!("{channel}:{chat_id}")
}

/// Keeps a code `chat_id` shows for `minutes`; an earlier unused code of the chat stops
/// working.
pub async fn create_link_code(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    channel: &str,
    chat_id: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "UPDATE link_codes SET used_at = $3
         WHERE channel = $1 AND chat_id = $2 AND used_at IS NULL",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO link_codes (code_sha256, channel, chat_id, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(code_sha256)
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The chat `channel:chat_id` typed a code: it waits for the chat that showed it, which must
/// hold a role, to confirm. Nothing is linked yet.
pub async fn claim_link_code(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    channel: &str,
    chat_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<Claimed> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT channel, chat_id FROM link_codes
         WHERE code_sha256 = $1 AND used_at IS NULL AND expires_at > $2 AND claimed_channel IS NULL",
    )
    .bind(code_sha256)
    .bind(now_text(now))
    .fetch_optional(&mut **tx)
    .await?;
    let Some((shown_channel, shown_chat)) = found else {
        return Ok(Claimed::Invalid);
    };
    if (shown_channel.as_str(), shown_chat.as_str()) == (channel, chat_id) {
        return Ok(Claimed::Invalid);
    }
    let Some(shown) = account_with_unit_at(tx, &shown_channel, &shown_chat, Some(now)).await?
    else {
        return Ok(Claimed::Invalid);
    };
    sqlx::query(
        "UPDATE link_codes SET claimed_channel = $2, claimed_chat_id = $3 WHERE code_sha256 = $1",
    )
    .bind(code_sha256)
    .bind(channel)
    .bind(chat_id)
    .execute(&mut **tx)
    .await?;
    Ok(Claimed::Waiting {
        channel: shown_channel,
        chat_id: shown_chat,
        account: shown.account,
    })
}

/// The chat that showed a code confirms the chat that typed it: both are one person's, and the
/// typed chat holds this chat's account — the same role, unit and expiry, ended with it.
pub async fn confirm_link(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<Confirmed> {
    let claimed: Option<(String, String)> = sqlx::query_as(
        "UPDATE link_codes SET used_at = $3
         WHERE channel = $1 AND chat_id = $2 AND used_at IS NULL AND expires_at > $3
           AND claimed_channel IS NOT NULL
         RETURNING claimed_channel, claimed_chat_id",
    )
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(now))
    .fetch_optional(&mut **tx)
    .await?;
    let Some((other_channel, other_chat)) = claimed else {
        return Ok(Confirmed::Nothing);
    };
    if account_with_unit_at(tx, channel, chat_id, Some(now))
        .await?
        .is_none()
    {
        return Ok(Confirmed::Nothing);
    }
    let person = person_of(tx, channel, chat_id).await?;
    for (c, id) in [
        (channel, chat_id),
        (other_channel.as_str(), other_chat.as_str()),
    ] {
        sqlx::query(
            "INSERT INTO chat_people (channel, chat_id, person, linked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel, chat_id) DO UPDATE SET person = excluded.person,
                 linked_at = excluded.linked_at",
        )
        .bind(c)
        .bind(id)
        .bind(&person)
        .bind(now_text(now))
        .execute(&mut **tx)
        .await?;
    }
    share_account(tx, (channel, chat_id), (&other_channel, &other_chat), now).await?;
    Ok(Confirmed::Linked {
        channel: other_channel,
        chat_id: other_chat,
    })
}

async fn person_of(tx: &mut Tx<'_>, channel: &str, chat_id: &str) -> StorageResult<String> {
    let person: Option<String> =
        sqlx::query_scalar("SELECT person FROM chat_people WHERE channel = $1 AND chat_id = $2")
            .bind(channel)
            .bind(chat_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(person.unwrap_or_else(|| own_person(channel, chat_id)))
}

/// A chat as alerts see it: whose it is and when it last wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatReach {
    pub person: String,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Store {
    /// The person and last activity of every chat bound to a role that has either (alerts
    /// go to those only; residents' chats are not read).
    pub async fn chat_reach(&self) -> StorageResult<HashMap<ChatKey, ChatReach>> {
        let people: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT p.channel, p.chat_id, p.person FROM chat_people p
                 JOIN accounts a ON a.channel = p.channel AND a.external_id = p.chat_id",
        )
        .fetch_all(self.pool())
        .await?;
        let seen: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.channel, c.chat_id, c.last_seen_at FROM chat_activity c
                 JOIN accounts a ON a.channel = c.channel AND a.external_id = c.chat_id",
        )
        .fetch_all(self.pool())
        .await?;
        let chat = |channel: &str, chat_id: String| -> StorageResult<ChatKey> {
            let channel = channel
                .parse()
                .map_err(|_| StorageError::Corrupt(format!("unknown channel {channel:?}")))?;
            Ok(ChatKey::new(channel, chat_id))
        };
        let mut reach: HashMap<ChatKey, ChatReach> = HashMap::new();
        for (channel, chat_id, person) in people {
            reach.insert(
                chat(&channel, chat_id)?,
                ChatReach {
                    person,
                    last_seen: None,
                },
            );
        }
        for (channel, chat_id, at) in seen {
            let person = own_person(&channel, &chat_id);
            let entry = reach
                .entry(chat(&channel, chat_id)?)
                .or_insert_with(|| ChatReach {
                    person,
                    last_seen: None,
                });
            entry.last_seen = parse_time(&at);
        }
        Ok(reach)
    }

    /// The officials' chats whose alerts a channel holds for now (outside its window), with
    /// the unit and role of each: the digests above say who could not be reached.
    pub async fn unreached_officials(&self) -> StorageResult<Vec<(String, String)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT a.unit_code, a.role FROM outbox o
             JOIN accounts a ON a.channel = o.channel AND a.external_id = o.chat_id
             WHERE o.held_at IS NOT NULL AND o.sent_at IS NULL AND o.failed_at IS NULL
               AND o.dedup_key LIKE $1
             ORDER BY a.unit_code",
        )
        .bind(super::outbox::DedupKey::alert_pattern())
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}
