//! People with several chats: the one-time codes that link two chats, and which person
//! each chat belongs to. A chat never linked is a person of its own (`channel:id`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::accounts::{account_with_unit_at, bind_account};
use super::{now_text, parse_time, StorageResult, Store, Tx};

/// What redeeming a link code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    /// The two chats are one person now; the role one of them held is held by both.
    Done,
    /// No such code, used, expired, or the chat's own.
    Invalid,
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

/// Links the chat that typed a code to the chat that showed it: one person, the same role
/// (the role of whichever had one; the chat that showed the code wins when both had one).
pub async fn redeem_link_code(
    tx: &mut Tx<'_>,
    code_sha256: &str,
    channel: &str,
    chat_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<Linked> {
    let found: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE link_codes SET used_at = $2
         WHERE code_sha256 = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING channel, chat_id, expires_at",
    )
    .bind(code_sha256)
    .bind(now_text(now))
    .fetch_optional(&mut **tx)
    .await?;
    let Some((other_channel, other_chat, _)) = found else {
        return Ok(Linked::Invalid);
    };
    if (other_channel.as_str(), other_chat.as_str()) == (channel, chat_id) {
        return Ok(Linked::Invalid);
    }
    let person = person_of(tx, &other_channel, &other_chat).await?;
    for (c, id) in [
        (other_channel.as_str(), other_chat.as_str()),
        (channel, chat_id),
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
    let shown = account_with_unit_at(tx, &other_channel, &other_chat, Some(now)).await?;
    let typed = account_with_unit_at(tx, channel, chat_id, Some(now)).await?;
    match (shown, typed) {
        (Some(shown), _) => bind_account(tx, channel, chat_id, &shown.account, now).await?,
        (None, Some(typed)) => {
            bind_account(tx, &other_channel, &other_chat, &typed.account, now).await?
        }
        (None, None) => {}
    }
    Ok(Linked::Done)
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
    pub async fn chat_reach(&self) -> StorageResult<HashMap<(String, String), ChatReach>> {
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
        let mut reach: HashMap<(String, String), ChatReach> = HashMap::new();
        for (channel, chat_id, person) in people {
            reach.insert(
                (channel, chat_id),
                ChatReach {
                    person,
                    last_seen: None,
                },
            );
        }
        for (channel, chat_id, at) in seen {
            let key = (channel.clone(), chat_id.clone());
            let entry = reach.entry(key).or_insert_with(|| ChatReach {
                person: own_person(&channel, &chat_id),
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
               AND o.dedup_key LIKE 'alert:%'
             ORDER BY a.unit_code",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}
