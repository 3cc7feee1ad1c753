//! Residents' requests for help (tables `help_requests`, `help_request_offers`; migration
//! 0088 defines the model). A request is created once per update (its `dedup_key`), offered
//! to the chats that can take it, taken by the first of them, closed by its owner, rated
//! once and reopened within the rules' window by its resident. Every change of status is
//! guarded by the status it expects and by the row's `version`, so two members taking at
//! once, or a stale button, is refused ([`StorageError::Conflict`]) instead of overwriting;
//! each step is written to the audit log in the same transaction (ids only: the actor is a
//! `channel:chat` key, the detail names the request).

use chrono::{DateTime, Utc};

use super::{now_text, parse_time, StorageError, StorageResult, Store, Tx};
use crate::domain::{AuditAction, PhoneNumber, RequestStatus, Stage};

/// A request to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub unit_code: String,
    /// An activity kind code.
    pub need: String,
    pub description: Option<String>,
    pub resident_channel: String,
    pub resident_chat: String,
    /// `vi` or `en`: what the team's answers to the resident are written in.
    pub resident_lang: String,
    /// A number the resident agreed to share with the team for this request only.
    pub resident_phone: Option<PhoneNumber>,
    /// The update that asked: the same one twice creates one request.
    pub dedup_key: Option<String>,
}

/// Who owns a taken request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub channel: String,
    pub chat: String,
    /// Their number as the team lists it; `None` for a head's or an official's account.
    pub phone: Option<String>,
    pub name: String,
    /// Whether the team card publishes their number (the resident may be shown it).
    pub phone_shown: bool,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    pub id: i64,
    pub unit_code: String,
    pub need: String,
    pub description: Option<String>,
    /// `None` once purged.
    pub resident_channel: Option<String>,
    pub resident_chat: Option<String>,
    pub resident_lang: String,
    pub resident_phone: Option<String>,
    pub status: RequestStatus,
    pub stage: Stage,
    pub owner: Option<Owner>,
    pub created_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopened: i64,
    pub rating: Option<u8>,
    pub activity_id: Option<i64>,
    /// Bumped by every write: a step names the version it was made on.
    pub version: i64,
}

impl HelpRequest {
    /// The `channel:chat` key of the resident, the actor of their steps in the audit log.
    pub fn resident_key(&self) -> Option<String> {
        match (&self.resident_channel, &self.resident_chat) {
            (Some(channel), Some(chat)) => Some(format!("{channel}:{chat}")),
            _ => None,
        }
    }

    /// Whether the chat `channel`/`chat` owns it.
    pub fn is_owned_by(&self, channel: &str, chat: &str) -> bool {
        self.owner
            .as_ref()
            .is_some_and(|o| o.channel == channel && o.chat == chat)
    }
}

/// A chat a request was offered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub channel: String,
    pub chat_id: String,
    pub stage: Stage,
}

const COLUMNS: &str = "id, unit_code, need, description, resident_channel, resident_chat,
     resident_lang, resident_phone, status, stage, owner_channel, owner_chat, owner_phone,
     owner_name, owner_phone_shown, created_at, taken_at, closed_at, reopened, rating,
     activity_id, version";

async fn select(tx: &mut Tx<'_>, condition: &str, bind: &str) -> StorageResult<Vec<HelpRequest>> {
    let sql = format!("SELECT {COLUMNS} FROM help_requests WHERE {condition} ORDER BY id");
    let rows = sqlx::query(&sql).bind(bind).fetch_all(&mut **tx).await?;
    rows.iter().map(from_row).collect()
}

fn from_row(row: &super::DbRow) -> StorageResult<HelpRequest> {
    use sqlx::Row as _;
    let corrupt = |what: &str| StorageError::Corrupt(format!("help request {what}"));
    let time = |text: String| parse_time(&text).ok_or_else(|| corrupt("time"));
    let status: String = row.try_get("status")?;
    let stage: String = row.try_get("stage")?;
    let owner_channel: Option<String> = row.try_get("owner_channel")?;
    let owner_chat: Option<String> = row.try_get("owner_chat")?;
    let owner_name: Option<String> = row.try_get("owner_name")?;
    let owner = match (owner_channel, owner_chat) {
        (Some(channel), Some(chat)) => Some(Owner {
            channel,
            chat,
            phone: row.try_get("owner_phone")?,
            name: owner_name.unwrap_or_default(),
            phone_shown: row.try_get::<i64, _>("owner_phone_shown")? != 0,
        }),
        _ => None,
    };
    let rating: Option<i64> = row.try_get("rating")?;
    Ok(HelpRequest {
        id: row.try_get("id")?,
        unit_code: row.try_get("unit_code")?,
        need: row.try_get("need")?,
        description: row.try_get("description")?,
        resident_channel: row.try_get("resident_channel")?,
        resident_chat: row.try_get("resident_chat")?,
        resident_lang: row.try_get("resident_lang")?,
        resident_phone: row.try_get("resident_phone")?,
        status: RequestStatus::from_stored(&status).ok_or_else(|| corrupt("status"))?,
        stage: Stage::from_stored(&stage).ok_or_else(|| corrupt("stage"))?,
        owner,
        created_at: time(row.try_get("created_at")?)?,
        taken_at: row
            .try_get::<Option<String>, _>("taken_at")?
            .map(time)
            .transpose()?,
        closed_at: row
            .try_get::<Option<String>, _>("closed_at")?
            .map(time)
            .transpose()?,
        reopened: row.try_get("reopened")?,
        rating: rating
            .map(|r| u8::try_from(r).map_err(|_| corrupt("rating")))
            .transpose()?,
        activity_id: row.try_get("activity_id")?,
        version: row.try_get("version")?,
    })
}

fn detail(id: i64, extra: serde_json::Value) -> serde_json::Value {
    let mut detail = serde_json::json!({ "request": id });
    if let (Some(map), serde_json::Value::Object(more)) = (detail.as_object_mut(), extra) {
        map.extend(more);
    }
    detail
}

/// Writes `request` (status open, stage team) and audits it; `None` when a request with its
/// dedup key exists already (the same update delivered twice): nothing is written then.
#[tracing::instrument(skip_all, fields(unit = %request.unit_code))]
pub async fn create(
    tx: &mut Tx<'_>,
    request: &NewRequest,
    now: DateTime<Utc>,
) -> StorageResult<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO help_requests (unit_code, need, description, resident_channel,
             resident_chat, resident_lang, resident_phone, created_at, dedup_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
    )
    .bind(&request.unit_code)
    .bind(&request.need)
    .bind(request.description.as_deref())
    .bind(&request.resident_channel)
    .bind(&request.resident_chat)
    .bind(&request.resident_lang)
    .bind(request.resident_phone.as_ref().map(|p| p.e164().to_owned()))
    .bind(now_text(now))
    .bind(request.dedup_key.as_deref())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = id {
        let actor = format!("{}:{}", request.resident_channel, request.resident_chat);
        let detail = detail(id, serde_json::json!({ "need": request.need }));
        let action = AuditAction::HelpRequested;
        super::audit::audit(tx, &actor, action, Some(&request.unit_code), &detail, now).await?;
    }
    Ok(id)
}

/// The request `id`, if there is one.
pub async fn load(tx: &mut Tx<'_>, id: i64) -> StorageResult<Option<HelpRequest>> {
    let sql = format!("SELECT {COLUMNS} FROM help_requests WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    row.as_ref().map(from_row).transpose()
}

/// The request the update `dedup_key` created, if it did.
pub async fn by_dedup(tx: &mut Tx<'_>, dedup_key: &str) -> StorageResult<Option<HelpRequest>> {
    Ok(select(tx, "dedup_key = $1", dedup_key).await?.pop())
}

/// The requests of the village `unit_code`, oldest first.
pub async fn of_unit(tx: &mut Tx<'_>, unit_code: &str) -> StorageResult<Vec<HelpRequest>> {
    select(tx, "unit_code = $1", unit_code).await
}

/// Records that `id` was offered to `channel`/`chat_id` at `stage`; `false` when it was
/// offered to that chat already.
pub async fn add_offer(
    tx: &mut Tx<'_>,
    id: i64,
    channel: &str,
    chat_id: &str,
    stage: Stage,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    let done = sqlx::query(
        "INSERT INTO help_request_offers (request_id, channel, chat_id, stage, offered_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id, channel, chat_id) DO NOTHING",
    )
    .bind(id)
    .bind(channel)
    .bind(chat_id)
    .bind(stage.stored())
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The chats `id` was offered to, in the order it was.
pub async fn offers(tx: &mut Tx<'_>, id: i64) -> StorageResult<Vec<Offer>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT channel, chat_id, stage FROM help_request_offers WHERE request_id = $1
         ORDER BY offered_at, channel, chat_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|(channel, chat_id, stage)| {
            Ok(Offer {
                channel,
                chat_id,
                stage: Stage::from_stored(&stage)
                    .ok_or_else(|| StorageError::Corrupt("help offer stage".into()))?,
            })
        })
        .collect()
}

/// Whether `id` was offered to `channel`/`chat_id`.
pub async fn was_offered(
    tx: &mut Tx<'_>,
    id: i64,
    channel: &str,
    chat_id: &str,
) -> StorageResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT request_id FROM help_request_offers
         WHERE request_id = $1 AND channel = $2 AND chat_id = $3",
    )
    .bind(id)
    .bind(channel)
    .bind(chat_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.is_some())
}

/// `owner` takes `id`, if it is still the open request of `version`; returns the new
/// version. Taken meanwhile (another member was quicker), closed, or changed:
/// [`StorageError::Conflict`].
pub async fn take(
    tx: &mut Tx<'_>,
    id: i64,
    version: i64,
    owner: &Owner,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let written = sqlx::query(
        "UPDATE help_requests SET status = 'taken', owner_channel = $1, owner_chat = $2,
             owner_phone = $3, owner_name = $4, owner_phone_shown = $5, taken_at = $6,
             version = version + 1
         WHERE id = $7 AND status = 'open' AND version = $8",
    )
    .bind(&owner.channel)
    .bind(&owner.chat)
    .bind(owner.phone.as_deref())
    .bind(&owner.name)
    .bind(i64::from(owner.phone_shown))
    .bind(now_text(now))
    .bind(id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written != 1 {
        return Err(StorageError::Conflict);
    }
    let (actor, unit) = (
        format!("{}:{}", owner.channel, owner.chat),
        unit_of(tx, id).await?,
    );
    let detail = detail(id, serde_json::json!({ "version": version + 1 }));
    super::audit::audit(
        tx,
        &actor,
        AuditAction::HelpTaken,
        Some(&unit),
        &detail,
        now,
    )
    .await?;
    Ok(version + 1)
}

async fn unit_of(tx: &mut Tx<'_>, id: i64) -> StorageResult<String> {
    Ok(
        sqlx::query_scalar("SELECT unit_code FROM help_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// How the owner closed a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Solved,
    Unsolved,
    Abuse,
}

impl Outcome {
    pub const fn status(self) -> RequestStatus {
        match self {
            Outcome::Solved => RequestStatus::Solved,
            Outcome::Unsolved => RequestStatus::Unsolved,
            Outcome::Abuse => RequestStatus::Abuse,
        }
    }
}

/// The owner `channel`/`chat` closes `id` as `outcome`, if it is still the taken request of
/// `version` they own; `activity_id` is the entry a solved request counted as. Returns the
/// new version, or [`StorageError::Conflict`].
#[allow(clippy::too_many_arguments)]
pub async fn close(
    tx: &mut Tx<'_>,
    id: i64,
    version: i64,
    channel: &str,
    chat: &str,
    outcome: Outcome,
    activity_id: Option<i64>,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let written = sqlx::query(
        "UPDATE help_requests SET status = $1, closed_at = $2,
             activity_id = COALESCE($3, activity_id), version = version + 1
         WHERE id = $4 AND status = 'taken' AND version = $5
           AND owner_channel = $6 AND owner_chat = $7",
    )
    .bind(outcome.status().stored())
    .bind(now_text(now))
    .bind(activity_id)
    .bind(id)
    .bind(version)
    .bind(channel)
    .bind(chat)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written != 1 {
        return Err(StorageError::Conflict);
    }
    let (actor, unit) = (format!("{channel}:{chat}"), unit_of(tx, id).await?);
    let detail = detail(
        id,
        serde_json::json!({ "outcome": outcome.status().stored(), "version": version + 1 }),
    );
    super::audit::audit(
        tx,
        &actor,
        AuditAction::HelpClosed,
        Some(&unit),
        &detail,
        now,
    )
    .await?;
    Ok(version + 1)
}

/// The activity a solved request `id` counted as, by the key [`activity_key`] gave it.
pub async fn counted_activity(tx: &mut Tx<'_>, id: i64) -> StorageResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM activities WHERE dedup_key = $1")
            .bind(activity_key(id))
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The dedup key of the activity a solved request counts as: solved twice (after a reopen),
/// it still counts once.
pub fn activity_key(id: i64) -> String {
    format!("help:{id}")
}

/// The resident rates the closed request `id` (not an abuse) once; `false` when it is not
/// closed, is an abuse, or was rated already.
pub async fn rate(
    tx: &mut Tx<'_>,
    id: i64,
    rating: u8,
    actor: &str,
    now: DateTime<Utc>,
) -> StorageResult<bool> {
    if !(1..=5).contains(&rating) {
        return Ok(false);
    }
    let written = sqlx::query(
        "UPDATE help_requests SET rating = $1, rated_at = $2, version = version + 1
         WHERE id = $3 AND status IN ('solved', 'unsolved') AND rating IS NULL",
    )
    .bind(i64::from(rating))
    .bind(now_text(now))
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written != 1 {
        return Ok(false);
    }
    let unit = unit_of(tx, id).await?;
    let detail = detail(id, serde_json::json!({ "rating": rating }));
    super::audit::audit(tx, actor, AuditAction::HelpRated, Some(&unit), &detail, now).await?;
    Ok(true)
}

/// The resident reopens `id`, closed as solved or not solved at or after `closed_since` (the
/// start of the reopen window): open again at the team's stage, owner cleared. Returns the
/// new version, or [`StorageError::Conflict`] (not closed, abuse, changed, or too late).
pub async fn reopen(
    tx: &mut Tx<'_>,
    id: i64,
    version: i64,
    closed_since: DateTime<Utc>,
    actor: &str,
    now: DateTime<Utc>,
) -> StorageResult<i64> {
    let written = sqlx::query(
        "UPDATE help_requests SET status = 'open', stage = 'team', owner_channel = NULL,
             owner_chat = NULL, owner_phone = NULL, owner_name = NULL, owner_phone_shown = 0,
             taken_at = NULL, closed_at = NULL, rating = NULL, rated_at = NULL,
             last_followup_at = NULL, followups = 0, reopened = reopened + 1,
             waiting_since = $4, version = version + 1
         WHERE id = $1 AND version = $2 AND status IN ('solved', 'unsolved')
           AND closed_at >= $3",
    )
    .bind(id)
    .bind(version)
    .bind(now_text(closed_since))
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written != 1 {
        return Err(StorageError::Conflict);
    }
    let unit = unit_of(tx, id).await?;
    let detail = detail(id, serde_json::json!({ "version": version + 1 }));
    super::audit::audit(
        tx,
        actor,
        AuditAction::HelpReopened,
        Some(&unit),
        &detail,
        now,
    )
    .await?;
    // Offered again: the chats it was offered to are asked anew.
    sqlx::query("DELETE FROM help_request_offers WHERE request_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(version + 1)
}

/// The per-resident limits of the rules' `[help]` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpLimit {
    /// `max_open_per_resident` requests open or taken.
    Open,
    /// `max_per_day_per_resident` asked today (Vietnam's day).
    Day,
}

/// How many requests of the resident chat are open or taken (the limit of
/// `max_open_per_resident`).
pub async fn open_count(tx: &mut Tx<'_>, channel: &str, chat: &str) -> StorageResult<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM help_requests
         WHERE resident_channel = $1 AND resident_chat = $2 AND status IN ('open', 'taken')",
    )
    .bind(channel)
    .bind(chat)
    .fetch_one(&mut **tx)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// How many requests the resident chat asked at or after `since` (the start of Vietnam's
/// day, for `max_per_day_per_resident`).
pub async fn asked_since(
    tx: &mut Tx<'_>,
    channel: &str,
    chat: &str,
    since: DateTime<Utc>,
) -> StorageResult<u32> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM help_requests
         WHERE resident_channel = $1 AND resident_chat = $2 AND created_at >= $3",
    )
    .bind(channel)
    .bind(chat)
    .bind(now_text(since))
    .fetch_one(&mut **tx)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The chats where the members of `unit_code`'s team (its leader too) proved their number:
/// where a request to the team reaches them. The head's account chats are not among them
/// (see `directory::unit_chats`).
pub async fn member_chats_of_unit(
    tx: &mut Tx<'_>,
    unit_code: &str,
) -> StorageResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "WITH phones AS (
             SELECT m.phone AS phone FROM members m JOIN teams t ON t.id = m.team_id
             WHERE t.unit_code = $1
             UNION SELECT m.zalo_phone FROM members m JOIN teams t ON t.id = m.team_id
             WHERE t.unit_code = $1 AND m.zalo_phone IS NOT NULL
             UNION SELECT t.leader_phone FROM teams t
             WHERE t.unit_code = $1 AND t.leader_phone IS NOT NULL)
         SELECT channel, chat_id FROM member_chats WHERE phone IN (SELECT phone FROM phones)
         UNION SELECT channel, chat_id FROM proven_chats WHERE phone IN (SELECT phone FROM phones)
         ORDER BY 1, 2",
    )
    .bind(unit_code)
    .fetch_all(&mut **tx)
    .await?)
}

/// The number the chat proved it is (its own contact, or a head's confirmation), if any.
pub async fn proven_phone_of_chat(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
) -> StorageResult<Option<PhoneNumber>> {
    let phones: Vec<String> = sqlx::query_scalar(
        "SELECT phone FROM member_chats WHERE channel = $1 AND chat_id = $2
         UNION SELECT phone FROM proven_chats WHERE channel = $1 AND chat_id = $2
         ORDER BY 1",
    )
    .bind(channel)
    .bind(chat_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(phones.iter().find_map(|p| PhoneNumber::parse(p).ok()))
}

impl Store {
    /// The request `id`, if there is one.
    pub async fn help_request(&self, id: i64) -> StorageResult<Option<HelpRequest>> {
        let mut tx = self.begin().await?;
        let found = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The requests of the village `unit_code`, oldest first.
    pub async fn help_requests_of_unit(&self, unit_code: &str) -> StorageResult<Vec<HelpRequest>> {
        let mut tx = self.begin().await?;
        let found = of_unit(&mut tx, unit_code).await?;
        tx.commit().await?;
        Ok(found)
    }
}

#[cfg(test)]
mod tests;
