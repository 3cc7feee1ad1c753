//! The place tree.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{now_text, placeholder_rows, StorageError, StorageResult, Store, Tx};
use crate::domain::text::fold;
pub use crate::domain::UnitLevel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// The day (ISO yyyy-mm-dd) the unit ceased, kept as history (e.g. merged in the 2025
    /// reform): not offered for new work.
    pub ended_on: Option<String>,
    /// The unit that took it over, if any.
    pub merged_into: Option<String>,
    /// A village moved by a reorganisation: the (history) commune it came from.
    pub moved_from: Option<String>,
}

impl Unit {
    /// Whether the unit still exists (not merged nor dissolved).
    pub fn is_current(&self) -> bool {
        self.ended_on.is_none()
    }
}

/// A unit to create or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
}

pub(crate) fn unit_from_row(row: &super::DbRow) -> StorageResult<Unit> {
    let level: &str = row.try_get("level")?;
    Ok(Unit {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        level: UnitLevel::parse(level)
            .ok_or_else(|| StorageError::Corrupt(format!("unit level {level:?}")))?,
        parent_code: row.try_get("parent_code")?,
        ended_on: row.try_get("ended_on")?,
        merged_into: row.try_get("merged_into")?,
        moved_from: row.try_get("moved_from")?,
    })
}

const UNIT_COLUMNS: &str =
    "code, name, kind, level, parent_code, ended_on, merged_into, moved_from";

impl Store {
    pub async fn unit(&self, code: &str) -> StorageResult<Option<Unit>> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1");
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(unit_from_row).transpose()
    }

    /// Children of `parent`, ordered by code; top-level units when `parent` is `None`.
    pub async fn children(&self, parent: Option<&str>) -> StorageResult<Vec<Unit>> {
        let rows = match parent {
            Some(parent) => {
                let sql = format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE parent_code = $1 ORDER BY code"
                );
                sqlx::query(&sql)
                    .bind(parent)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                let sql = format!(
                    "SELECT {UNIT_COLUMNS} FROM units WHERE parent_code IS NULL ORDER BY code"
                );
                sqlx::query(&sql).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(unit_from_row).collect()
    }

    /// Every unit, ordered by code: what the in-memory search index is built from.
    #[tracing::instrument(skip_all)]
    pub async fn all_units(&self) -> StorageResult<Vec<Unit>> {
        let sql = format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// Former names of current communes (the old communes merged into them), as search
    /// aliases: (old code, old name, new code). A former name equal to the new one is left
    /// out: it finds the commune anyway.
    pub async fn unit_aliases(&self) -> StorageResult<Vec<(String, String, String)>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT s.old_code, s.old_name, s.new_code, u.name_folded
             FROM unit_successions s JOIN units u ON u.code = s.new_code
             WHERE u.ended_on IS NULL ORDER BY s.old_code",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, old_name, _, new_folded)| fold(old_name) != *new_folded)
            .map(|(old_code, old_name, new_code, _)| (old_code, old_name, new_code))
            .collect())
    }

    pub async fn unit_count(&self) -> StorageResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(self.pool())
            .await?)
    }
}

impl Store {
    /// The place tree's version: it moves on with every write of units or their aliases, by
    /// whoever writes (see migration 0060).
    pub async fn units_version(&self) -> StorageResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT version FROM units_version WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }
}

/// Inserts the unit, or updates its name, kind, level and parent when the code exists.
pub async fn upsert_unit(tx: &mut Tx<'_>, unit: &NewUnit, now: DateTime<Utc>) -> StorageResult<()> {
    upsert_units(tx, std::slice::from_ref(unit), now).await
}

/// Looks a unit up inside a transaction (imports check parents and existing villages with it).
pub async fn unit_in_tx(tx: &mut Tx<'_>, code: &str) -> StorageResult<Option<Unit>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1");
    let row = sqlx::query(&sql)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(unit_from_row).transpose()
}

/// Children of `parent` inside a transaction, ordered by code.
pub async fn children_in_tx(tx: &mut Tx<'_>, parent: &str) -> StorageResult<Vec<Unit>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units WHERE parent_code = $1 ORDER BY code");
    let rows = sqlx::query(&sql).bind(parent).fetch_all(&mut **tx).await?;
    rows.iter().map(unit_from_row).collect()
}

/// Every unit, ordered by code: an import compares a whole file against them in one read.
pub async fn all_units_in_tx(tx: &mut Tx<'_>) -> StorageResult<Vec<Unit>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY code");
    let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
    rows.iter().map(unit_from_row).collect()
}

/// Sets a unit's residents and households (migration 0082); `None` leaves a figure as it is.
pub async fn set_unit_figures(
    tx: &mut Tx<'_>,
    code: &str,
    population: Option<u64>,
    households: Option<u64>,
) -> StorageResult<()> {
    let figure = |value: Option<u64>| value.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    sqlx::query(
        "UPDATE units SET population = COALESCE($2, population),
             households = COALESCE($3, households) WHERE code = $1",
    )
    .bind(code)
    .bind(figure(population))
    .bind(figure(households))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Units per statement of [`upsert_units`]: 7 values each stays under SQLite's oldest limit of
/// 999 bound values.
const UPSERT_BATCH: usize = 100;

/// [`upsert_unit`] for many units, a batch per statement. Parents must come before children.
pub async fn upsert_units(
    tx: &mut Tx<'_>,
    units: &[NewUnit],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let created_at = now_text(now);
    for batch in units.chunks(UPSERT_BATCH) {
        let sql = format!(
            "INSERT INTO units (code, name, kind, level, parent_code, name_folded, created_at)
             VALUES {}
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                 level = excluded.level, parent_code = excluded.parent_code,
                 name_folded = excluded.name_folded",
            placeholder_rows(batch.len(), 7, |_, p| p)
        );
        let mut query = sqlx::query(&sql);
        for unit in batch {
            query = query
                .bind(&unit.code)
                .bind(&unit.name)
                .bind(&unit.kind)
                .bind(unit.level.as_str())
                .bind(&unit.parent_code)
                .bind(fold(&unit.name))
                .bind(&created_at);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Whether anything hangs on the units: a team, an account, an invitation, a campaign or a
/// reorganisation's history. Only units with nothing on them may be replaced wholesale.
pub async fn units_hold_anything(tx: &mut Tx<'_>) -> StorageResult<bool> {
    let held: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM teams) + (SELECT COUNT(*) FROM accounts)
              + (SELECT COUNT(*) FROM invitations) + (SELECT COUNT(*) FROM campaigns)
              + (SELECT COUNT(*) FROM unit_successions)",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(held > 0)
}

/// Deletes every unit, children before parents. The caller checks that nothing hangs on them
/// ([`units_hold_anything`]).
pub async fn remove_all_units(tx: &mut Tx<'_>) -> StorageResult<()> {
    for level in ["village", "commune", "district", "province"] {
        sqlx::query("DELETE FROM units WHERE level = $1")
            .bind(level)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
