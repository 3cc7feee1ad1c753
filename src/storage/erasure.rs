//! Erasure (Personal Data Protection Law 91/2025/QH15: the right to deletion). A person is found by their phone number:
//! their member rows, the leader fields naming them, their consent, every session and draft
//! that holds the number, messages queued to or about them and the traces their own chat
//! left (invitations redeemed, processed updates) are deleted, and so is every copy in free
//! text: the inbox's messages (applied, pending or parked), the outbox's (held ones too, and
//! reports waiting to be sent), and the numbered choices other chats were shown. Audit rows stay, because they
//! prove who changed what, but the person's own chat in them becomes a random pseudonym.

use rand::Rng;
use sqlx::Row;

use super::{fields, StorageResult, Tx};
use crate::conversation::State;
use crate::domain::PhoneNumber;

/// Whose rows an erasure removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Everything: `cnscd erase --phone`, or anyone who asks.
    Everywhere,
    /// A head removed the member from one team: the traces, unless another team still lists
    /// the number (the person is then still a member there, with their consent).
    UnlessStillMember,
}

/// What an erasure removed, counted (never named: the report may be logged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased {
    pub members: u64,
    pub leaders: u64,
    pub consents: u64,
    pub sessions: u64,
    pub drafts: u64,
    pub messages: u64,
    pub invitations: u64,
    pub audit_rows: u64,
    /// Help requests the person asked or owned, kept counted without them.
    pub help_requests: u64,
}

/// Erases the person with `phone` (see the module documentation). `known_as` is a name
/// they had that is no longer stored (a head just removed them): messages naming them go too.
pub async fn erase_phone(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
    reach: Reach,
    known_as: Option<&str>,
) -> StorageResult<Erased> {
    let e164 = phone.e164();
    let mut erased = Erased::default();
    let mut names = member_names(tx, e164).await?;
    if reach == Reach::UnlessStillMember && !names.is_empty() {
        return Ok(erased);
    }
    names.extend(known_as.map(str::to_owned));
    // A picture or report the Zalo Bot channel still serves by link may name them, and
    // which does is not known without reading it: the links (a day at most) all stop now.
    erased.messages += exec_all(tx, "DELETE FROM zalo_bot_files").await?;
    // Edits open on these teams must not save the member back: their version moves on.
    exec(
        tx,
        "UPDATE teams SET version = version + 1
         WHERE id IN (SELECT team_id FROM members WHERE phone = $1 OR zalo_phone = $1)",
        e164,
    )
    .await?;
    // The person's numbers: this one, and the mobile or Zalo number beside it on their rows.
    let mut numbers = vec![phone.clone()];
    numbers.extend(other_numbers(tx, e164).await?);
    erased.members = exec(
        tx,
        "DELETE FROM members WHERE phone = $1 OR zalo_phone = $1",
        e164,
    )
    .await?;
    // The leader's optional fields are theirs too: they go with the name and number.
    let leader = format!(
        "UPDATE teams SET leader_name = NULL, leader_phone = NULL, version = version + 1{}
         WHERE leader_phone = $1",
        fields::leader_cleared(),
    );
    erased.leaders = exec(tx, &leader, e164).await?;
    let mut own_chats = Vec::new();
    for number in &numbers {
        let e164 = number.e164();
        erased.consents += exec(tx, "DELETE FROM phone_consents WHERE phone = $1", e164).await?;
        erased.drafts += exec(
            tx,
            "UPDATE teams SET draft_json = NULL WHERE draft_json LIKE '%' || $1 || '%'",
            e164,
        )
        .await?;
        own_chats.extend(proven_chats(tx, e164).await?);
        for (channel, chat_id, own) in sessions_holding(tx, number).await? {
            erased.sessions += delete_session(tx, &channel, &chat_id).await?;
            if own && !own_chats.contains(&(channel.clone(), chat_id.clone())) {
                own_chats.push((channel, chat_id));
            }
        }
    }
    own_chats.sort();
    own_chats.dedup();
    for (channel, chat_id) in own_chats {
        erased.sessions += delete_session(tx, &channel, &chat_id).await?;
        forget_chat(tx, &channel, &chat_id, &mut erased).await?;
    }
    for number in &numbers {
        // What they logged keeps counting for their team, without their name and number.
        super::activities::forget_author(tx, number).await?;
        // Requests for help they asked with this number, or took: counted still, without them.
        erased.help_requests += forget_in_help_requests(tx, "phone", number.e164()).await?;
        exec(
            tx,
            "DELETE FROM member_chats WHERE phone = $1",
            number.e164(),
        )
        .await?;
        // The chats the head confirmed as this person's, and codes still waiting for it.
        for table in ["proven_chats", "number_proofs"] {
            let sql = format!("DELETE FROM {table} WHERE phone = $1");
            exec(tx, &sql, number.e164()).await?;
        }
    }
    let mentions = Mentions::of(&names, &numbers);
    // Messages to or about them, and reports waiting to be sent: a report's spreadsheet names
    // people in compressed bytes no text search finds, and the official can ask again.
    erased.messages += scrub(tx, "outbox", "body", |body| {
        mentions.in_text(body) || body.contains("\"document\":")
    })
    .await?;
    // What people typed about them (applied, pending or parked: a replay must not bring the
    // name back), and the numbered choices other chats were shown ("1. Trần Thị Bình").
    erased.messages += scrub(tx, "inbox", "body", |body| mentions.in_text(body)).await?;
    // A resident's description of their need may name them ("nhờ chị Bình…").
    erased.help_requests += scrub_descriptions(tx, &mentions).await?;
    scrub(tx, "chat_choices", "choices", |choices| {
        mentions.in_text(choices)
    })
    .await?;
    Ok(erased)
}

/// How free text names a person: any of their names, whatever the case, normal form or
/// diacritics ("tran thi binh"), or any of their numbers, whatever the spacing or prefix
/// ("0912.345.679", "+84 912 345 679").
struct Mentions {
    names: Vec<String>,
    /// Each number's nine digits after the country code or the leading 0.
    digits: Vec<String>,
}

impl Mentions {
    fn of(names: &[String], numbers: &[PhoneNumber]) -> Mentions {
        let names = names
            .iter()
            .map(|name| crate::domain::text::fold(name))
            .filter(|name| !name.is_empty())
            .collect();
        let digits = numbers
            .iter()
            .filter_map(|n| n.e164().strip_prefix("+84").map(str::to_owned))
            .collect();
        Mentions { names, digits }
    }

    fn in_text(&self, text: &str) -> bool {
        let squeezed: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
            .collect();
        if self.digits.iter().any(|d| squeezed.contains(d.as_str())) {
            return true;
        }
        let folded = crate::domain::text::fold_scan(text);
        self.names.iter().any(|name| folded.contains(name.as_str()))
    }
}

/// Deletes the rows of `table` whose `column` `names` says name the person; returns how many.
/// Read whole, in Rust: SQL cannot fold diacritics or spacing the same on both engines.
async fn scrub(
    tx: &mut Tx<'_>,
    table: &str,
    column: &str,
    names: impl Fn(&str) -> bool,
) -> StorageResult<u64> {
    // Tables without a single id are keyed by their chat (chat_choices).
    let key = if table == "chat_choices" {
        "channel || ':' || chat_id"
    } else {
        "CAST(id AS TEXT)"
    };
    let rows: Vec<(String, String)> =
        sqlx::query_as(&format!("SELECT {key}, {column} FROM {table}"))
            .fetch_all(&mut **tx)
            .await?;
    let mut deleted = 0;
    let sql = format!("DELETE FROM {table} WHERE {key} = $1");
    for (id, _) in rows.iter().filter(|(_, text)| names(text)) {
        deleted += exec(tx, &sql, id).await?;
    }
    Ok(deleted)
}

/// The person's other numbers, found beside this one on their member rows: the Zalo number
/// beside the mobile, or the mobile beside the Zalo number they were found by.
async fn other_numbers(tx: &mut Tx<'_>, e164: &str) -> StorageResult<Vec<PhoneNumber>> {
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT phone, zalo_phone FROM members WHERE phone = $1 OR zalo_phone = $1")
            .bind(e164)
            .fetch_all(&mut **tx)
            .await?;
    let mut numbers: Vec<String> = rows
        .into_iter()
        .flat_map(|(phone, zalo)| [Some(phone), zalo])
        .flatten()
        .filter(|number| number != e164)
        .collect();
    numbers.sort();
    numbers.dedup();
    Ok(numbers
        .iter()
        .filter_map(|number| PhoneNumber::parse(number).ok())
        .collect())
}

/// The names the number is listed under, in members and leaders.
async fn member_names(tx: &mut Tx<'_>, e164: &str) -> StorageResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT full_name AS name FROM members WHERE phone = $1 OR zalo_phone = $1
         UNION SELECT leader_name AS name FROM teams WHERE leader_phone = $1 AND leader_name IS NOT NULL",
    )
    .bind(e164)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| row.try_get::<String, _>("name").map_err(Into::into))
        .collect()
}

/// Records that a chat proved it is `phone`'s (its own contact), so erasing the phone later
/// forgets the chat too.
pub async fn remember_member_chat(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
    channel: &str,
    chat_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO member_chats (phone, channel, chat_id, seen_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (phone, channel, chat_id) DO UPDATE SET seen_at = excluded.seen_at",
    )
    .bind(phone.e164())
    .bind(channel)
    .bind(chat_id)
    .bind(super::now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn proven_chats(tx: &mut Tx<'_>, e164: &str) -> StorageResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT channel, chat_id FROM member_chats WHERE phone = $1
             UNION SELECT channel, chat_id FROM proven_chats WHERE phone = $1",
    )
    .bind(e164)
    .fetch_all(&mut **tx)
    .await?)
}

/// Sessions whose text holds the number; `own` when the chat proved it is that number's.
async fn sessions_holding(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
) -> StorageResult<Vec<(String, String, bool)>> {
    let rows = sqlx::query(
        "SELECT channel, chat_id, session FROM dialogue_states WHERE session LIKE '%' || $1 || '%'",
    )
    .bind(phone.e164())
    .fetch_all(&mut **tx)
    .await?;
    let mut found = Vec::new();
    for row in rows {
        let json: String = row.try_get("session")?;
        let own = super::sessions::read_session(&json)
            .is_some_and(|s| matches!(&s.state, State::Member { phone: p } if p == phone));
        found.push((row.try_get("channel")?, row.try_get("chat_id")?, own));
    }
    Ok(found)
}

async fn delete_session(tx: &mut Tx<'_>, channel: &str, chat_id: &str) -> StorageResult<u64> {
    Ok(
        sqlx::query("DELETE FROM dialogue_states WHERE channel = $1 AND chat_id = $2")
            .bind(channel)
            .bind(chat_id)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

/// Forgets a chat that is the person's own: its account, its queued messages, the updates
/// it sent, the invitations it redeemed (kept used, so they stay spent), and its name in the
/// audit log.
pub async fn forget_chat(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    erased: &mut Erased,
) -> StorageResult<()> {
    let both = |sql: &'static str| {
        sqlx::query(sql)
            .bind(channel.to_owned())
            .bind(chat_id.to_owned())
    };
    both("DELETE FROM accounts WHERE channel = $1 AND external_id = $2")
        .execute(&mut **tx)
        .await?;
    erased.messages += both("DELETE FROM outbox WHERE channel = $1 AND chat_id = $2")
        .execute(&mut **tx)
        .await?
        .rows_affected();
    both("DELETE FROM processed_updates WHERE channel = $1 AND chat_id = $2")
        .execute(&mut **tx)
        .await?;
    both("DELETE FROM alerts_sent WHERE channel = $1 AND chat_id = $2")
        .execute(&mut **tx)
        .await?;
    // What the channels kept of the chat: the buttons it was shown (they may name people),
    // when it last wrote, whose other chats it is linked to, and its link codes.
    for sql in [
        "DELETE FROM chat_choices WHERE channel = $1 AND chat_id = $2",
        "DELETE FROM chat_activity WHERE channel = $1 AND chat_id = $2",
        "DELETE FROM chat_people WHERE channel = $1 AND chat_id = $2",
        "DELETE FROM link_codes WHERE channel = $1 AND chat_id = $2",
    ] {
        both(sql).execute(&mut **tx).await?;
    }
    let key = format!("{channel}:{chat_id}");
    erased.help_requests += forget_in_help_requests(tx, "chat", &key).await?;
    both("DELETE FROM help_request_offers WHERE channel = $1 AND chat_id = $2")
        .execute(&mut **tx)
        .await?;
    erased.invitations += both(
        "UPDATE invitations SET used_by_channel = NULL, used_by_external_id = NULL
         WHERE used_by_channel = $1 AND used_by_external_id = $2",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Random, not a hash: a hash of a chat id could be reversed by trying every id.
    let pseudonym = format!("erased:{:016x}", rand::thread_rng().gen::<u64>());
    erased.audit_rows += sqlx::query("UPDATE audit_log SET actor = $1 WHERE actor = $2")
        .bind(pseudonym)
        .bind(format!("{channel}:{chat_id}"))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(())
}

/// Forgets the person in help requests, found by their number (`by` = "phone") or their chat
/// (`by` = "chat", `key` = "channel:chat_id"): as the resident, what names them is blanked as
/// the retention does; as the owner, their chat, name and number are, and a request they had
/// taken and not closed goes back to the team (open, counted as returned) so that someone
/// else is asked. Returns how many requests changed.
async fn forget_in_help_requests(tx: &mut Tx<'_>, by: &str, key: &str) -> StorageResult<u64> {
    let (resident, owner) = match by {
        "phone" => ("resident_phone = $1", "owner_phone = $1"),
        _ => (
            "resident_channel || ':' || resident_chat = $1",
            "owner_channel || ':' || owner_chat = $1",
        ),
    };
    let residents = exec(
        tx,
        &format!(
            "UPDATE help_requests
             SET resident_channel = NULL, resident_chat = NULL, resident_phone = NULL,
                 description = NULL, dedup_key = NULL, version = version + 1
             WHERE {resident}"
        ),
        key,
    )
    .await?;
    let owners = exec(
        tx,
        &format!(
            "UPDATE help_requests
             SET status = CASE WHEN status = 'taken' THEN 'open' ELSE status END,
                 returned = CASE WHEN status = 'taken' THEN returned + 1 ELSE returned END,
                 taken_at = CASE WHEN status = 'taken' THEN NULL ELSE taken_at END,
                 owner_channel = NULL, owner_chat = NULL, owner_phone = NULL,
                 owner_name = NULL, owner_phone_shown = 0, version = version + 1
             WHERE {owner}"
        ),
        key,
    )
    .await?;
    Ok(residents + owners)
}

/// Blanks the descriptions of help requests that name the person.
async fn scrub_descriptions(tx: &mut Tx<'_>, mentions: &Mentions) -> StorageResult<u64> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, description FROM help_requests WHERE description IS NOT NULL")
            .fetch_all(&mut **tx)
            .await?;
    let mut blanked = 0;
    for (id, _) in rows.iter().filter(|(_, text)| mentions.in_text(text)) {
        blanked += sqlx::query(
            "UPDATE help_requests SET description = NULL, version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(blanked)
}

async fn exec_all(tx: &mut Tx<'_>, sql: &str) -> StorageResult<u64> {
    Ok(sqlx::query(sql).execute(&mut **tx).await?.rows_affected())
}

async fn exec(tx: &mut Tx<'_>, sql: &str, value: &str) -> StorageResult<u64> {
    Ok(sqlx::query(sql)
        .bind(value)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
