//! Announcements and who they went to. Sending resolves the people of the area's teams (a
//! person in two teams once), picks each one's most recently seen chat and queues one
//! message per reachable person in the outbox's bulk lane, all in the caller's transaction.
//! What became of a queued message (sent, held outside Zalo's window, failed) is its outbox
//! row's: [`announcement_counts`] joins it rather than copying it here.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::report::scope_cte;
use super::{now_text, outbox, parse_time, StorageError, StorageResult, Tx};
use crate::conversation::Reply;
use crate::domain::announcement::{AnnouncementFile, Audience, Counts, Unreachable};

/// An announcement to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnouncement {
    /// The sender's chat as `channel:id`, or `cli`.
    pub sender: String,
    pub scope_code: String,
    pub audience: Audience,
    pub text: String,
    pub file: Option<AnnouncementFile>,
    /// The update that sent it: the same one twice sends once.
    pub dedup_key: Option<String>,
}

/// A person the announcement is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub phone: String,
    pub name: String,
    pub unit_code: String,
    pub is_leader: bool,
    /// The chat it goes to, or why there is none.
    pub chat: Result<(String, String), Unreachable>,
}

/// What sending did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    New(i64),
    /// The update was applied already: nothing was queued again.
    Again(i64),
}

/// What pressing "Got it" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    First,
    Again,
    /// The announcement was not sent to this chat (a forged or foreign payload).
    NotYours,
}

/// The recipients of `audience` in `scope` (registered village and commune teams; for
/// `Behind`, drafts and villages quiet since `quiet_since`), each with a chat.
pub async fn recipients(
    tx: &mut Tx<'_>,
    scope: &str,
    audience: Audience,
    quiet_since: NaiveDate,
) -> StorageResult<Vec<Recipient>> {
    let teams = match audience {
        Audience::All | Audience::Leaders => "t.status = 'registered'",
        Audience::Behind => {
            "(t.status = 'draft' OR (u.level = 'village' AND t.status = 'registered'
               AND t.registered_at < $2 AND NOT EXISTS (SELECT 1 FROM activities a
                   WHERE a.unit_code = t.unit_code AND a.done_on >= $2)))"
        }
    };
    let members = match audience {
        Audience::Leaders => String::new(),
        _ => format!(
            "SELECT m.phone, m.full_name, t.unit_code, 0 FROM members m
             JOIN teams t ON t.id = m.team_id JOIN scope s ON s.code = t.unit_code
             JOIN units u ON u.code = t.unit_code
             WHERE u.level IN ('village', 'commune') AND {teams} UNION ALL "
        ),
    };
    let sql = format!(
        "{}{members}SELECT t.leader_phone, t.leader_name, t.unit_code, 1 FROM teams t
         JOIN scope s ON s.code = t.unit_code JOIN units u ON u.code = t.unit_code
         WHERE u.level IN ('village', 'commune') AND {teams}
           AND t.leader_phone IS NOT NULL AND t.leader_name IS NOT NULL
         ORDER BY 3, 4 DESC, 2",
        scope_cte!()
    );
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(&sql)
        .bind(scope)
        .bind(quiet_since.to_string())
        .fetch_all(&mut **tx)
        .await?;
    // One row per person: a leader in one team and a member of another is a leader.
    let mut people: BTreeMap<String, (String, String, bool)> = BTreeMap::new();
    for (phone, name, unit, leader) in rows {
        let entry = people
            .entry(phone)
            .or_insert_with(|| (name, unit, leader == 1));
        entry.2 |= leader == 1;
    }
    let mut out = Vec::with_capacity(people.len());
    for (phone, (name, unit_code, is_leader)) in people {
        let chat = chat_of(tx, &phone, is_leader.then_some(unit_code.as_str())).await?;
        out.push(Recipient {
            phone,
            name,
            unit_code,
            is_leader,
            chat,
        });
    }
    Ok(out)
}

/// The chat a person is reached on: of the chats proven theirs (and, for a village's head,
/// the chats bound to the head's account) the one that wrote last; one that blocked the bot
/// only when there is no other.
async fn chat_of(
    tx: &mut Tx<'_>,
    phone: &str,
    head_of: Option<&str>,
) -> StorageResult<Result<(String, String), Unreachable>> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "WITH chats (channel, chat_id) AS (
             SELECT channel, chat_id FROM member_chats WHERE phone = $1
             UNION SELECT channel, chat_id FROM proven_chats WHERE phone = $1
             UNION SELECT channel, external_id FROM accounts
                   WHERE unit_code = $2 AND role = 'village-head'
         )
         SELECT c.channel, c.chat_id, a.last_seen_at,
                (SELECT MAX(b.blocked_at) FROM accounts b
                 WHERE b.channel = c.channel AND b.external_id = c.chat_id)
         FROM chats c LEFT JOIN chat_activity a ON a.channel = c.channel AND a.chat_id = c.chat_id
         ORDER BY a.last_seen_at DESC, c.channel, c.chat_id",
    )
    .bind(phone)
    .bind(head_of.unwrap_or(""))
    .fetch_all(&mut **tx)
    .await?;
    // NULLs sort differently on the two engines: the latest seen is picked here.
    let best = rows
        .iter()
        .filter(|(_, _, _, blocked)| blocked.is_none())
        .max_by(|a, b| a.2.cmp(&b.2));
    Ok(match (best, rows.is_empty()) {
        (Some((channel, chat_id, _, _)), _) => Ok((channel.clone(), chat_id.clone())),
        (None, true) => Err(Unreachable::NoChat),
        (None, false) => Err(Unreachable::Blocked),
    })
}

/// Records the announcement and queues `message(id)` for every reachable recipient.
pub async fn send(
    tx: &mut Tx<'_>,
    new: &NewAnnouncement,
    recipients: &[Recipient],
    message: &(dyn Fn(i64) -> Reply + Sync),
    now: DateTime<Utc>,
) -> StorageResult<Sent> {
    if let Some(key) = &new.dedup_key {
        let done: Option<i64> =
            sqlx::query_scalar("SELECT id FROM announcements WHERE dedup_key = $1")
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some(id) = done {
            return Ok(Sent::Again(id));
        }
    }
    let (kind, name, data) = match &new.file {
        Some(file) => (
            Some(if file.photo { "photo" } else { "document" }),
            Some(file.file_name.clone()),
            Some(crate::base64_bytes::encode(&file.bytes)),
        ),
        None => (None, None, None),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO announcements (sender, scope_code, audience, text, attachment_kind,
             attachment_name, attachment_data, created_at, dedup_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&new.sender)
    .bind(&new.scope_code)
    .bind(new.audience.stored())
    .bind(&new.text)
    .bind(kind)
    .bind(name)
    .bind(data)
    .bind(now_text(now))
    .bind(&new.dedup_key)
    .fetch_one(&mut **tx)
    .await?;
    let reply = message(id);
    for person in recipients {
        let (channel, chat_id, outbox_id, state, reason) = match &person.chat {
            Ok((channel, chat_id)) => {
                let queued = outbox::enqueue_bulk(tx, channel, chat_id, &reply, now).await?;
                (Some(channel), Some(chat_id), Some(queued), "queued", None)
            }
            Err(why) => (None, None, None, "unreachable", Some(why.stored())),
        };
        sqlx::query(
            "INSERT INTO announcement_recipients (announcement_id, phone, name, unit_code,
                 is_leader, channel, chat_id, outbox_id, state, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(&person.phone)
        .bind(&person.name)
        .bind(&person.unit_code)
        .bind(i64::from(person.is_leader))
        .bind(channel)
        .bind(chat_id)
        .bind(outbox_id)
        .bind(state)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Sent::New(id))
}

/// Records that the chat got announcement `id`, once.
pub async fn acknowledge(
    tx: &mut Tx<'_>,
    id: i64,
    channel: &str,
    chat_id: &str,
    now: DateTime<Utc>,
) -> StorageResult<Ack> {
    let rows: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT acknowledged_at FROM announcement_recipients
         WHERE announcement_id = $1 AND channel = $2 AND chat_id = $3",
    )
    .bind(id)
    .bind(channel)
    .bind(chat_id)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(Ack::NotYours);
    }
    if rows.iter().all(|(at,)| at.is_some()) {
        return Ok(Ack::Again);
    }
    sqlx::query(
        "UPDATE announcement_recipients SET acknowledged_at = $4
         WHERE announcement_id = $1 AND channel = $2 AND chat_id = $3 AND acknowledged_at IS NULL",
    )
    .bind(id)
    .bind(channel)
    .bind(chat_id)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(Ack::First)
}

/// What reminding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminded {
    /// Queued to this many people.
    Queued(usize),
    /// Reminded already this Vietnam day: possible again from then.
    TooSoon(DateTime<Utc>),
    NoSuchAnnouncement,
}

/// Queues `message` again to the reachable recipients of `id` who have not acknowledged,
/// at most once a Vietnam day.
pub async fn remind(
    tx: &mut Tx<'_>,
    id: i64,
    message: &Reply,
    now: DateTime<Utc>,
) -> StorageResult<Reminded> {
    let last: Option<Option<String>> =
        sqlx::query_scalar("SELECT last_reminded_at FROM announcements WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(last) = last else {
        return Ok(Reminded::NoSuchAnnouncement);
    };
    let last = last.as_deref().and_then(parse_time);
    if let Err(next) = crate::domain::announcement::may_remind(last, now) {
        return Ok(Reminded::TooSoon(next));
    }
    // Claimed first, so two presses at once remind once.
    let claimed = sqlx::query(
        "UPDATE announcements SET last_reminded_at = $2
         WHERE id = $1 AND (last_reminded_at IS NULL OR last_reminded_at = $3)",
    )
    .bind(id)
    .bind(now_text(now))
    .bind(last.map(now_text))
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(Reminded::TooSoon(now));
    }
    let chats: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT phone, channel, chat_id FROM announcement_recipients
         WHERE announcement_id = $1 AND state = 'queued' AND acknowledged_at IS NULL
           AND channel IS NOT NULL AND chat_id IS NOT NULL
         ORDER BY phone",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for (phone, channel, chat_id) in &chats {
        outbox::enqueue_bulk(tx, channel, chat_id, message, now).await?;
        sqlx::query(
            "UPDATE announcement_recipients SET reminded_at = $3
             WHERE announcement_id = $1 AND phone = $2",
        )
        .bind(id)
        .bind(phone)
        .bind(now_text(now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(Reminded::Queued(chats.len()))
}

/// An announcement as stored: enough to send it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnnouncement {
    pub id: i64,
    pub sender: String,
    pub scope_code: String,
    /// The area's name, as the message names the sender.
    pub scope_name: String,
    pub text: String,
    pub file: Option<AnnouncementFile>,
    pub last_reminded_at: Option<DateTime<Utc>>,
}

type AnnouncementRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Announcement `id`, with its file.
pub async fn announcement(tx: &mut Tx<'_>, id: i64) -> StorageResult<Option<StoredAnnouncement>> {
    let row: Option<AnnouncementRow> = sqlx::query_as(
        "SELECT a.id, a.sender, a.scope_code, u.name, a.text, a.attachment_kind,
             a.attachment_name, a.attachment_data, a.last_reminded_at
         FROM announcements a JOIN units u ON u.code = a.scope_code WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, sender, scope_code, scope_name, text, kind, name, data, reminded)) = row else {
        return Ok(None);
    };
    let file = match (kind, name, data) {
        (Some(kind), Some(file_name), Some(data)) => Some(AnnouncementFile {
            photo: kind == "photo",
            file_name,
            bytes: crate::base64_bytes::decode(&data)
                .map_err(|e| StorageError::Corrupt(format!("announcement {id}: {e}")))?,
        }),
        _ => None,
    };
    Ok(Some(StoredAnnouncement {
        id,
        sender,
        scope_code,
        scope_name,
        text,
        file,
        last_reminded_at: reminded.as_deref().and_then(parse_time),
    }))
}

/// The ids of the last `limit` announcements, newest first (of `sender` only, if given).
pub async fn announcement_ids(
    tx: &mut Tx<'_>,
    sender: Option<&str>,
    limit: i64,
) -> StorageResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM announcements WHERE ($1 = '' OR sender = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(sender.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?)
}

/// Where announcement `id` stands: each reachable recipient's delivery read from their
/// outbox row (sent; held, for Zalo's window; failed; else still queued). A row purged
/// after its retention was sent.
pub async fn announcement_counts(tx: &mut Tx<'_>, id: i64) -> StorageResult<Option<Counts>> {
    let head: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT scope_code, audience, created_at, text, last_reminded_at
             FROM announcements WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((scope_code, audience, created_at, text, reminded)) = head else {
        return Ok(None);
    };
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.name, r.state, r.reason, r.acknowledged_at, r.outbox_id,
                    o.sent_at, o.held_at, o.failed_at, o.held_reason
             FROM announcement_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id
             WHERE r.announcement_id = $1 ORDER BY r.name, r.phone",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut counts = Counts {
        id,
        scope_code,
        audience: Audience::from_stored(&audience),
        created_at,
        first_line: text.lines().next().unwrap_or_default().to_owned(),
        recipients: rows.len(),
        last_reminded_at: reminded.as_deref().and_then(parse_time),
        ..Counts::default()
    };
    for (name, state, reason, acked, outbox_id, sent, held, failed, _) in rows {
        if acked.is_some() {
            counts.acknowledged += 1;
        }
        let why = match (state.as_str(), outbox_id) {
            ("queued", Some(_)) if sent.is_some() => None,
            ("queued", Some(_)) if failed.is_some() => Some(Unreachable::Failed),
            ("queued", Some(_)) if held.is_some() => Some(Unreachable::ZaloWindow),
            ("queued", Some(outbox_id)) => {
                if outbox_row_exists(tx, outbox_id).await? {
                    counts.queued += 1;
                } else {
                    counts.sent += 1;
                }
                continue;
            }
            _ => Some(
                reason
                    .as_deref()
                    .and_then(Unreachable::from_stored)
                    .unwrap_or(Unreachable::NoChat),
            ),
        };
        match why {
            None => counts.sent += 1,
            Some(why) => {
                let first = name.split_whitespace().last().unwrap_or_default();
                counts
                    .unreachable
                    .entry(why)
                    .or_default()
                    .push(first.to_owned());
            }
        }
    }
    Ok(Some(counts))
}

async fn outbox_row_exists(tx: &mut Tx<'_>, id: i64) -> StorageResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

#[cfg(test)]
mod tests;
