//! Reads behind the residents' lookups and the officials' lists: units with their parents,
//! team progress, public team data with consent applied, and village edits.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::teams::TeamStatus;
use super::units::{children_in_tx, unit_in_tx, Unit};
use super::{now_text, StorageResult, Tx};
use crate::domain::text::fold;
use crate::domain::{AccountRole, PhoneNumber};

/// The codes of a unit's ancestors, nearest first.
pub async fn ancestors(tx: &mut Tx<'_>, unit: &Unit) -> StorageResult<Vec<String>> {
    let mut codes = Vec::new();
    let mut parent = unit.parent_code.clone();
    // The tree has a handful of levels; the bound guards against a corrupt cycle.
    while let Some(code) = parent.take() {
        if codes.len() > 16 || codes.contains(&code) {
            break;
        }
        parent = unit_in_tx(tx, &code).await?.and_then(|u| u.parent_code);
        codes.push(code);
    }
    Ok(codes)
}

/// Whether a unit has a team row or a bound account (then it must not be removed).
pub async fn unit_in_use(tx: &mut Tx<'_>, code: &str) -> StorageResult<bool> {
    let used: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM teams WHERE unit_code = $1) + (SELECT COUNT(*) FROM accounts WHERE unit_code = $1)",
    )
    .bind(code)
    .fetch_one(&mut **tx)
    .await?;
    Ok(used > 0)
}

/// Whether `code` has a team (draft or registered) and whether any account is bound to it:
/// what an official's menu of the unit offers depends on each.
pub async fn unit_team_and_accounts(tx: &mut Tx<'_>, code: &str) -> StorageResult<(bool, bool)> {
    let (teams, accounts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM teams WHERE unit_code = $1), (SELECT COUNT(*) FROM accounts WHERE unit_code = $1)",
    )
    .bind(code)
    .fetch_one(&mut **tx)
    .await?;
    Ok((teams > 0, accounts > 0))
}

/// Team progress of each child of `parent`: (unit, status, members, has decision).
pub async fn children_progress(
    tx: &mut Tx<'_>,
    parent: &str,
) -> StorageResult<Vec<(Unit, Option<TeamStatus>, i64, bool)>> {
    let children = children_in_tx(tx, parent).await?;
    let rows = sqlx::query(
        "SELECT t.unit_code, t.status, CASE WHEN t.decision_number IS NULL THEN 0 ELSE 1 END AS has_decision,
                (SELECT COUNT(*) FROM members m WHERE m.team_id = t.id) AS members
         FROM teams t JOIN units u ON u.code = t.unit_code WHERE u.parent_code = $1",
    )
    .bind(parent)
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(children.len());
    for child in children {
        let row = rows
            .iter()
            .find(|r| r.try_get::<String, _>("unit_code").ok().as_deref() == Some(&child.code));
        let progress = match row {
            Some(r) => (
                Some(TeamStatus::parse(&r.try_get::<String, _>("status")?)?),
                r.try_get("members")?,
                r.try_get::<i64, _>("has_decision")? == 1,
            ),
            None => (None, 0, false),
        };
        out.push((child, progress.0, progress.1, progress.2));
    }
    Ok(out)
}

/// For each commune under `parent`: (commune code, villages, villages with a registered team).
/// Communes without any village are left out.
pub async fn grandchildren_coverage(
    tx: &mut Tx<'_>,
    parent: &str,
) -> StorageResult<Vec<(String, i64, i64)>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT v.parent_code, COUNT(*) AS villages,
                SUM(CASE WHEN t.status = 'registered' THEN 1 ELSE 0 END) AS registered
         FROM units c JOIN units v ON v.parent_code = c.code
         LEFT JOIN teams t ON t.unit_code = v.code
         WHERE c.parent_code = $1 AND v.level = 'village'
         GROUP BY v.parent_code",
    )
    .bind(parent)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

pub async fn set_phone_consent(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
    granted: bool,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO phone_consents (phone, granted, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (phone) DO UPDATE SET granted = excluded.granted, updated_at = excluded.updated_at",
    )
    .bind(phone.e164())
    .bind(i64::from(granted))
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The teams `phone` is a member or the leader of: (unit code, their name, the mobile number
/// the team lists for them). A member is also found by their Zalo number: Zalo's share-info
/// form gives the number of the Zalo account, which may not be the mobile the head wrote.
pub async fn memberships(
    tx: &mut Tx<'_>,
    phone: &PhoneNumber,
) -> StorageResult<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT t.unit_code, m.full_name, m.phone FROM members m JOIN teams t ON t.id = m.team_id
         WHERE m.phone = $1 OR m.zalo_phone = $1
         UNION
         SELECT t.unit_code, t.leader_name, t.leader_phone FROM teams t
         WHERE t.leader_phone = $1 AND t.leader_name IS NOT NULL
         ORDER BY 1",
    )
    .bind(phone.e164())
    .fetch_all(&mut **tx)
    .await?)
}

/// Chats bound to a unit with one of `roles` (who to tell about their team), not blocked.
pub async fn unit_chats(
    tx: &mut Tx<'_>,
    unit_code: &str,
    roles: &[AccountRole],
) -> StorageResult<Vec<(String, String)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT channel, external_id, role FROM accounts WHERE unit_code = $1 AND blocked_at IS NULL ORDER BY id",
    )
    .bind(unit_code)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, role)| AccountRole::parse(role).is_some_and(|r| roles.contains(&r)))
        .map(|(channel, id, _)| (channel, id))
        .collect())
}

/// Adds a village under `commune` with the next free code `<commune>-NN`; returns the code.
pub async fn add_village(
    tx: &mut Tx<'_>,
    commune: &str,
    name: &str,
    now: DateTime<Utc>,
) -> StorageResult<String> {
    // Every unit whose code has the commune's prefix, wherever it hangs: a code is unique in
    // the whole table, not only among the commune's villages.
    let taken: Vec<String> = sqlx::query_scalar("SELECT code FROM units WHERE code LIKE $1")
        .bind(format!("{commune}-%"))
        .fetch_all(&mut **tx)
        .await?;
    let kind = if fold(name).starts_with("khu") {
        "khu dân cư"
    } else {
        "thôn"
    };
    let candidates = (1..).map(|n: u32| {
        if n < 100 {
            format!("{commune}-{n:02}")
        } else {
            format!("{commune}-{n}")
        }
    });
    for code in candidates.filter(|code| !taken.contains(code)) {
        // A code taken meanwhile by another replica is skipped, never a UNIQUE error.
        let inserted = sqlx::query(
            "INSERT INTO units (code, name, kind, level, parent_code, name_folded, created_at)
             VALUES ($1, $2, $3, 'village', $4, $5, $6) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&code)
        .bind(name)
        .bind(kind)
        .bind(commune)
        .bind(fold(name))
        .bind(now_text(now))
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(code);
        }
    }
    Err(super::StorageError::Corrupt(format!(
        "no free village code under {commune}"
    )))
}

pub async fn rename_unit(tx: &mut Tx<'_>, code: &str, name: &str) -> StorageResult<()> {
    sqlx::query("UPDATE units SET name = $1, name_folded = $2 WHERE code = $3")
        .bind(name)
        .bind(fold(name))
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes a village without team or account, and its unused invitations.
pub async fn remove_unit(tx: &mut Tx<'_>, code: &str) -> StorageResult<bool> {
    if unit_in_use(tx, code).await? {
        return Ok(false);
    }
    sqlx::query("DELETE FROM invitations WHERE unit_code = $1")
        .bind(code)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query("DELETE FROM units WHERE code = $1 AND level = 'village'")
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a commune official wants a notice when a village team changes.
pub async fn change_notices(tx: &mut Tx<'_>, channel: &str, chat_id: &str) -> StorageResult<bool> {
    let on: Option<i64> = sqlx::query_scalar(
        "SELECT change_notices FROM accounts WHERE channel = $1 AND external_id = $2",
    )
    .bind(channel)
    .bind(chat_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(on.unwrap_or(0) != 0)
}

pub async fn set_change_notices(
    tx: &mut Tx<'_>,
    channel: &str,
    chat_id: &str,
    on: bool,
) -> StorageResult<()> {
    sqlx::query("UPDATE accounts SET change_notices = $1 WHERE channel = $2 AND external_id = $3")
        .bind(i64::from(on))
        .bind(channel)
        .bind(chat_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
