//! Teams and their members.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::consent::{self, leader_own_word, member_own_word};
use super::{fields, now_text, units, StorageError, StorageResult, Store, Tx};
use crate::conversation::state::Registration;
use crate::domain::{
    ConsentSource, Decision, DecisionFile, DecisionNumber, FileKind, Member, MemberRole,
    PersonName, PhoneNumber, Team, UnitLevel,
};

mod status;
pub use status::TeamStatus;

/// A team as stored: its complete part, and the unfinished registration if one was paused.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTeam {
    pub id: i64,
    pub status: TeamStatus,
    pub team: Team,
    /// A paused registration: a dialogue state by nature (the question it stopped at, the
    /// member half entered), kept as the conversation's own type and stored as its JSON.
    pub unfinished: Option<Registration>,
    pub version: i64,
}

/// A member row as read back (for exports and tests).
pub type StoredMember = Member;

/// Names the field, never its value: values here are personal data, and errors get logged.
fn corrupt(what: &str) -> StorageError {
    StorageError::Corrupt(format!("unreadable {what}"))
}

fn member_from_row(row: &super::DbRow) -> StorageResult<Member> {
    let name: String = row.try_get("full_name")?;
    let role: String = row.try_get("role")?;
    let phone: String = row.try_get("phone")?;
    Ok(Member {
        name: PersonName::parse(&name).map_err(|_| corrupt("member name"))?,
        role: MemberRole::parse(&role).ok_or_else(|| corrupt("member role"))?,
        role_detail: row.try_get("role_detail")?,
        phone: PhoneNumber::parse(&phone).map_err(|_| corrupt("member phone"))?,
        fields: fields::member_fields(row)?,
        zalo: zalo_from_row(row)?,
        consent: consent::of_member(row)?,
    })
}

fn zalo_from_row(row: &super::DbRow) -> StorageResult<Option<PhoneNumber>> {
    let zalo: Option<String> = row.try_get("zalo_phone")?;
    zalo.map(|zalo| PhoneNumber::parse(&zalo).map_err(|_| corrupt("member zalo")))
        .transpose()
}

fn decision_from_row(row: &super::DbRow) -> StorageResult<Decision> {
    let number: Option<String> = row.try_get("decision_number")?;
    let date: Option<String> = row.try_get("decision_date")?;
    let file_id: Option<String> = row.try_get("decision_file_id")?;
    let kind: Option<String> = row.try_get("decision_file_kind")?;
    let file = file_id.map(|file_id| DecisionFile {
        file_id,
        kind: match kind.as_deref() {
            Some("photo") => FileKind::Photo,
            Some("pdf") => FileKind::Pdf,
            _ => FileKind::Other,
        },
        sha256: row.try_get("decision_file_sha256").ok().flatten(),
        kept: row.try_get::<i64, _>("decision_file_kept").unwrap_or(0) != 0,
    });
    Ok(Decision {
        number: number
            .map(|n| DecisionNumber::parse(&n).map_err(|_| corrupt("decision number")))
            .transpose()?,
        date: date
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt("decision date"))
            })
            .transpose()?,
        file,
    })
}

pub async fn team_for_unit(tx: &mut Tx<'_>, unit_code: &str) -> StorageResult<Option<StoredTeam>> {
    const TEAM: &str = concat!(
        "SELECT t.*, ",
        leader_own_word!(),
        " FROM teams t WHERE t.unit_code = $1"
    );
    const MEMBERS: &str = concat!(
        "SELECT m.*, ",
        member_own_word!(),
        " FROM members m WHERE m.team_id = $1 ORDER BY m.position"
    );
    let row = sqlx::query(TEAM)
        .bind(unit_code)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get("id")?;
    let members = sqlx::query(MEMBERS)
        .bind(id)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(member_from_row)
        .collect::<StorageResult<Vec<_>>>()?;
    let leader_name: Option<String> = row.try_get("leader_name")?;
    let leader_phone: Option<String> = row.try_get("leader_phone")?;
    let status: String = row.try_get("status")?;
    let draft_json: Option<String> = row.try_get("draft_json")?;
    let team = Team {
        leader_name: leader_name.and_then(|n| PersonName::parse(&n).ok()),
        leader_phone: leader_phone.and_then(|p| PhoneNumber::parse(&p).ok()),
        leader_consent: consent::of_leader(&row)?,
        leader_fields: fields::leader_fields(&row)?,
        members,
        decision: decision_from_row(&row)?,
    };
    Ok(Some(StoredTeam {
        id,
        status: TeamStatus::parse(&status)?,
        team,
        // An unreadable draft (from an older version) is dropped rather than blocking the team.
        unfinished: draft_json.and_then(|json| serde_json::from_str(&json).ok()),
        version: row.try_get("version")?,
    }))
}

/// Creates the team row if missing; returns its id, status and version. On PostgreSQL the
/// upsert also locks the row until commit, so the version read here cannot change under us.
async fn ensure_team(
    tx: &mut Tx<'_>,
    unit_code: &str,
    now: DateTime<Utc>,
) -> StorageResult<(i64, TeamStatus, i64)> {
    // One statement: it runs on every checkpoint of a registration.
    let (id, status, version): (i64, String, i64) = sqlx::query_as(
        "INSERT INTO teams (unit_code, status, created_at, updated_at) VALUES ($1, 'draft', $2, $2)
         ON CONFLICT (unit_code) DO UPDATE SET updated_at = excluded.updated_at
         RETURNING id, status, version",
    )
    .bind(unit_code)
    .bind(now_text(now))
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, TeamStatus::parse(&status)?, version))
}

async fn replace_members(
    tx: &mut Tx<'_>,
    team_id: i64,
    members: &[Member],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    // A consent recorded before keeps its date (a paper consent is recorded with the date the
    // head stated it); only a changed answer is dated now.
    let recorded: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT phone, phone_consent_by, phone_consent_at FROM members WHERE team_id = $1",
    )
    .bind(team_id)
    .fetch_all(&mut **tx)
    .await?;
    let consent_at = |member: &Member| {
        let by = member.consent?.code();
        let kept = recorded
            .iter()
            .find(|(phone, was, _)| phone == member.phone.e164() && was.as_deref() == Some(by));
        Some(
            kept.and_then(|(_, _, at)| at.clone())
                .unwrap_or_else(|| now_text(now)),
        )
    };
    sqlx::query("DELETE FROM members WHERE team_id = $1")
        .bind(team_id)
        .execute(&mut **tx)
        .await?;
    let insert = format!(
        "INSERT INTO members (team_id, position, full_name, role, role_detail, phone,
             created_at, phone_consent_at, phone_consent_by, zalo_phone{})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10{})",
        fields::member_columns(""),
        fields::member_placeholders(11),
    );
    for (position, member) in members.iter().enumerate() {
        let mut query = sqlx::query(&insert)
            .bind(team_id)
            .bind(position as i64 + 1)
            .bind(member.name.as_str())
            .bind(member.role.code())
            .bind(&member.role_detail)
            .bind(member.phone.e164())
            .bind(now_text(now))
            .bind(consent_at(member))
            .bind(member.consent.map(ConsentSource::code))
            .bind(member.zalo.as_ref().map(PhoneNumber::e164));
        for value in fields::member_values(&member.fields) {
            query = query.bind(value);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn write_leader(
    tx: &mut Tx<'_>,
    team_id: i64,
    team: &Team,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let update = format!(
        "UPDATE teams SET leader_name = $1, leader_phone = $2, updated_at = $3, version = version + 1,
             leader_phone_consent_at = $4, leader_phone_consent_by = $5{}
         WHERE id = $6",
        fields::leader_assignments(7),
    );
    let mut query = sqlx::query(&update)
        .bind(team.leader_name.as_ref().map(|n| n.as_str()))
        .bind(team.leader_phone.as_ref().map(|p| p.e164()))
        .bind(now_text(now))
        .bind(team.leader_consent.map(|_| now_text(now)))
        .bind(team.leader_consent.map(ConsentSource::code))
        .bind(team_id);
    for value in fields::leader_values(&team.leader_fields) {
        query = query.bind(value);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Keeps a paused or in-progress registration. A team never registered shows its complete
/// part as a draft; a registered team keeps its registered data until the head confirms.
pub async fn save_draft(
    tx: &mut Tx<'_>,
    unit_code: &str,
    reg: &Registration,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let (team_id, status, _) = ensure_team(tx, unit_code, now).await?;
    let json = serde_json::to_string(reg).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    sqlx::query("UPDATE teams SET draft_json = $1, updated_at = $2 WHERE id = $3")
        .bind(json)
        .bind(now_text(now))
        .bind(team_id)
        .execute(&mut **tx)
        .await?;
    if status == TeamStatus::Draft {
        let team = reg.draft.to_team();
        write_leader(tx, team_id, &team, now).await?;
        replace_members(tx, team_id, &team.members, now).await?;
    }
    Ok(())
}

/// Stores the confirmed team, replacing what was registered before. `based_on` is the version
/// the edit started from (`None`: a first registration); if someone saved the team since,
/// nothing is written and [`StorageError::Conflict`] is returned.
pub async fn save_team(
    tx: &mut Tx<'_>,
    unit_code: &str,
    team: &Team,
    based_on: Option<i64>,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let (team_id, status, version) = ensure_team(tx, unit_code, now).await?;
    let unchanged = match based_on {
        Some(based_on) => version == based_on,
        None => status != TeamStatus::Registered,
    };
    if !unchanged {
        return Err(StorageError::Conflict);
    }
    // A person's own word is never overwritten by someone else's save; a village team's
    // leader is the head who saves, so their changed answer about their own number is theirs.
    let leader_saves = units::unit_in_tx(tx, unit_code)
        .await?
        .is_some_and(|unit| unit.level == UnitLevel::Village);
    if let Some(before) = team_for_unit(tx, unit_code).await? {
        for phone in consent::changed_by_head(&before.team, team) {
            if leader_saves && team.leader_phone.as_ref() == Some(phone) {
                consent::forget_own_word(tx, phone).await?;
            }
        }
    }
    write_leader(tx, team_id, team, now).await?;
    replace_members(tx, team_id, &team.members, now).await?;
    let decision = &team.decision;
    let file = decision.file.as_ref();
    sqlx::query(
        "UPDATE teams SET status = 'registered', draft_json = NULL,
             registered_at = COALESCE(registered_at, $1),
             decision_number = $2, decision_date = $3, decision_file_id = $4,
             decision_file_kind = $5, decision_file_sha256 = $6, decision_file_kept = $7
         WHERE id = $8",
    )
    .bind(now_text(now))
    .bind(decision.number.as_ref().map(|n| n.as_str()))
    .bind(decision.date.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(file.map(|f| f.file_id.as_str()))
    .bind(file.map(|f| f.kind.code()))
    .bind(file.and_then(|f| f.sha256.as_deref()))
    .bind(i64::from(file.is_some_and(|f| f.kept)))
    .bind(team_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The team of a unit, outside any transaction.
    pub async fn team(&self, unit_code: &str) -> StorageResult<Option<StoredTeam>> {
        let mut tx = self.pool().begin().await?;
        let team = team_for_unit(&mut tx, unit_code).await?;
        tx.commit().await?;
        Ok(team)
    }
}
