//! The statements of `cnscd units reorganize`: keeping an old commune as history, moving
//! what hangs on it to the new commune, ending districts, recording where each commune went.
//! Every function runs inside the one transaction of the reorganisation.

mod accounts_and_campaigns;

pub use accounts_and_campaigns::{
    bound_chats, campaigns_of, end_accounts, move_campaign, move_officials, BoundChat,
};

use chrono::{DateTime, NaiveDate, Utc};

use super::{now_text, StorageResult, Tx};

/// Where a pre-reform commune went (a row of `unit_successions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Succession {
    pub old_code: String,
    pub history_code: String,
    pub new_code: String,
    pub old_name: String,
    pub split: bool,
    pub effective_on: String,
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Every succession recorded so far.
pub async fn successions(tx: &mut Tx<'_>) -> StorageResult<Vec<Succession>> {
    let rows: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT old_code, history_code, new_code, old_name, split, effective_on
         FROM unit_successions ORDER BY old_code",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(old_code, history_code, new_code, old_name, split, effective_on)| Succession {
                old_code,
                history_code,
                new_code,
                old_name,
                split: split != 0,
                effective_on,
            },
        )
        .collect())
}

/// Copies the commune `code` to `history_code` and moves onto the copy what hangs on the
/// code (villages, team, accounts, invitations, campaigns), so a new commune can take the
/// code over. The copy has no parent change: it stays in its old district.
pub async fn keep_as_history(tx: &mut Tx<'_>, code: &str, history_code: &str) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO units (code, name, kind, level, parent_code, name_folded, created_at)
         SELECT $2, name, kind, level, parent_code, name_folded, created_at FROM units WHERE code = $1",
    )
    .bind(code)
    .bind(history_code)
    .execute(&mut **tx)
    .await?;
    for statement in [
        "UPDATE units SET parent_code = $2 WHERE parent_code = $1",
        "UPDATE teams SET unit_code = $2 WHERE unit_code = $1",
        "UPDATE accounts SET unit_code = $2 WHERE unit_code = $1",
        "UPDATE invitations SET unit_code = $2 WHERE unit_code = $1",
        "UPDATE campaigns SET scope_code = $2 WHERE scope_code = $1",
    ] {
        sqlx::query(statement)
            .bind(code)
            .bind(history_code)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Marks a unit ended on `on`, taken over by `merged_into` (if any).
pub async fn end_unit(
    tx: &mut Tx<'_>,
    code: &str,
    on: NaiveDate,
    merged_into: Option<&str>,
) -> StorageResult<()> {
    sqlx::query("UPDATE units SET ended_on = $1, merged_into = $2 WHERE code = $3")
        .bind(date_text(on))
        .bind(merged_into)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A commune that (again) exists: a new commune that took over an old one's code.
pub async fn revive_unit(tx: &mut Tx<'_>, code: &str) -> StorageResult<()> {
    sqlx::query("UPDATE units SET ended_on = NULL, merged_into = NULL WHERE code = $1")
        .bind(code)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves the villages `codes` (children of `from`) under `to`, remembering `from`.
pub async fn move_villages(
    tx: &mut Tx<'_>,
    from: &str,
    to: &str,
    codes: &[String],
) -> StorageResult<()> {
    for code in codes {
        sqlx::query(
            "UPDATE units SET parent_code = $1, moved_from = $2
             WHERE code = $3 AND parent_code = $2 AND level = 'village'",
        )
        .bind(to)
        .bind(from)
        .bind(code)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The codes of the villages under `commune`, and how many of them have a registered team.
pub async fn villages_with_teams(
    tx: &mut Tx<'_>,
    commune: &str,
) -> StorageResult<(Vec<String>, i64)> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.code, CASE WHEN t.status = 'registered' THEN 1 ELSE 0 END
         FROM units u LEFT JOIN teams t ON t.unit_code = u.code
         WHERE u.parent_code = $1 AND u.level = 'village' ORDER BY u.code",
    )
    .bind(commune)
    .fetch_all(&mut **tx)
    .await?;
    let teams = rows.iter().map(|(_, team)| team).sum();
    Ok((rows.into_iter().map(|(code, _)| code).collect(), teams))
}

pub async fn record_succession(
    tx: &mut Tx<'_>,
    succession: &Succession,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO unit_successions
             (old_code, history_code, new_code, old_name, old_name_folded, split, effective_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&succession.old_code)
    .bind(&succession.history_code)
    .bind(&succession.new_code)
    .bind(&succession.old_name)
    .bind(crate::domain::text::fold(&succession.old_name))
    .bind(i64::from(succession.split))
    .bind(&succession.effective_on)
    .bind(now_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The villages of divided communes whose main successor lies in `province`, still under the
/// old commune's history row: (village, old commune's name), by code.
pub async fn villages_to_assign(
    tx: &mut Tx<'_>,
    province: &str,
) -> StorageResult<Vec<(super::Unit, String)>> {
    let rows = sqlx::query(
        "SELECT v.code, v.name, v.kind, v.level, v.parent_code, v.ended_on, v.merged_into,
                v.moved_from, s.old_name
         FROM unit_successions s JOIN units n ON n.code = s.new_code
         JOIN units v ON v.parent_code = s.history_code
         WHERE s.split = 1 AND n.parent_code = $1 AND v.level = 'village' ORDER BY v.code",
    )
    .bind(province)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            use sqlx::Row;
            Ok((super::units::unit_from_row(row)?, row.try_get("old_name")?))
        })
        .collect()
}

/// Places a village of a divided commune in `commune`, in chat; `false` if it was no longer
/// to assign (placed meanwhile).
pub async fn assign_village(tx: &mut Tx<'_>, village: &str, commune: &str) -> StorageResult<bool> {
    let done = sqlx::query(
        "UPDATE units SET moved_from = parent_code, parent_code = $1
         WHERE code = $2 AND level = 'village' AND parent_code IN
             (SELECT history_code FROM unit_successions WHERE split = 1)",
    )
    .bind(commune)
    .bind(village)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the unit has a team row (a draft or a registered team).
pub async fn has_team(tx: &mut Tx<'_>, unit: &str) -> StorageResult<bool> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM teams WHERE unit_code = $1")
        .bind(unit)
        .fetch_one(&mut **tx)
        .await?;
    Ok(count > 0)
}

/// A village merger keeps the team of `from` on `to` (which has none), with its head.
pub async fn move_team_and_heads(tx: &mut Tx<'_>, from: &str, to: &str) -> StorageResult<()> {
    sqlx::query("UPDATE teams SET unit_code = $2 WHERE unit_code = $1")
        .bind(from)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE accounts SET unit_code = $2 WHERE unit_code = $1 AND role = 'village-head'",
    )
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
