//! The sweep behind reports: every unit under a scope with a summary of its team, in three
//! queries whatever the size of the scope (the whole country is about 117,000 units).
//!
//! The scope is walked with a recursive CTE on `units.parent_code`, so the tree may have any
//! depth. Role counts are summed in SQL, one row per team, so no query runs per unit.

use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::units::unit_from_row;
use super::{StorageError, StorageResult, Store, Unit};
use crate::domain::MemberRole;

/// `WITH RECURSIVE scope (code, path, depth)`: the scope unit and all its descendants, or the
/// whole tree. `path` is the chain of codes from the scope down, for ordering. The depth
/// limit (deeper than any real tree) stops a cycle.
macro_rules! scope_cte {
    (whole) => {
        scope_cte!("parent_code IS NULL")
    };
    (unit) => {
        scope_cte!("code = $1")
    };
    ($start:literal) => {
        concat!(
            "WITH RECURSIVE scope (code, path, depth) AS (
                 SELECT code, code, 0 FROM units WHERE ",
            $start,
            " UNION ALL
                 SELECT u.code, s.path || '/' || u.code, s.depth + 1
                 FROM units u JOIN scope s ON u.parent_code = s.code
                 WHERE s.depth < 16
             ) "
        )
    };
}
pub(crate) use scope_cte;

/// A team as reports see it: the facts its status is computed from, and what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    pub unit_code: String,
    pub registered: bool,
    pub leader_name: Option<String>,
    /// E.164.
    pub leader_phone: Option<String>,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub decision_scan: bool,
    /// The members' roles (a role stored under an unknown code counts as `Other`).
    pub roles: Vec<MemberRole>,
}

/// Everything a report of one scope is built from.
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    /// `None`: the whole country.
    pub scope: Option<Unit>,
    /// The scope's ancestors, nearest first.
    pub ancestors: Vec<Unit>,
    /// The scope unit and every unit under it.
    pub units: Vec<Unit>,
    /// The teams of those units.
    pub teams: Vec<TeamSummary>,
}

macro_rules! units_select {
    () => {
        "SELECT u.code, u.name, u.kind, u.level, u.parent_code
         FROM scope s JOIN units u ON u.code = s.code ORDER BY s.path"
    };
}
const UNITS_UNDER: &str = concat!(scope_cte!(unit), units_select!());
const UNITS_ALL: &str = concat!(scope_cte!(whole), units_select!());
const ANCESTORS: &str = "WITH RECURSIVE up (code, parent_code, depth) AS (
         SELECT code, parent_code, 0 FROM units WHERE code = $1
         UNION ALL
         SELECT u.code, u.parent_code, up.depth + 1 FROM units u JOIN up ON u.code = up.parent_code
         WHERE up.depth < 16
     )
     SELECT u.code, u.name, u.kind, u.level, u.parent_code
     FROM up JOIN units u ON u.code = up.code WHERE up.depth > 0 ORDER BY up.depth";

/// The team query: one row per team of the scope, with a count per role.
fn teams_sql(cte: &str) -> String {
    let role_counts: String = MemberRole::ALL
        .iter()
        .map(|role| {
            format!(
                ", SUM(CASE WHEN m.role = '{}' THEN 1 ELSE 0 END) AS role_{}",
                role.code(),
                role.code()
            )
        })
        .collect();
    format!(
        "{cte} SELECT t.unit_code, t.status, t.leader_name, t.leader_phone, t.decision_number,
             t.decision_date, CASE WHEN t.decision_file_id IS NULL THEN 0 ELSE 1 END AS scan,
             COUNT(m.id) AS member_count{role_counts}
         FROM scope s JOIN teams t ON t.unit_code = s.code
         LEFT JOIN members m ON m.team_id = t.id
         GROUP BY t.id"
    )
}

pub(crate) fn parse_date(text: Option<String>) -> StorageResult<Option<NaiveDate>> {
    text.map(|d| {
        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| StorageError::Corrupt(format!("decision date {d:?}")))
    })
    .transpose()
}

fn summary_from_row(row: &SqliteRow) -> StorageResult<TeamSummary> {
    let mut roles = Vec::new();
    for role in MemberRole::ALL {
        let count: i64 = row.try_get(format!("role_{}", role.code()).as_str())?;
        roles.extend(std::iter::repeat_n(role, count as usize));
    }
    let members: i64 = row.try_get("member_count")?;
    let unknown = (members as usize).saturating_sub(roles.len());
    roles.extend(std::iter::repeat_n(MemberRole::Other, unknown));
    let status: String = row.try_get("status")?;
    Ok(TeamSummary {
        unit_code: row.try_get("unit_code")?,
        registered: status == "registered",
        leader_name: row.try_get("leader_name")?,
        leader_phone: row.try_get("leader_phone")?,
        decision_number: row.try_get("decision_number")?,
        decision_date: parse_date(row.try_get("decision_date")?)?,
        decision_scan: row.try_get::<i64, _>("scan")? != 0,
        roles,
    })
}

impl Store {
    /// Every unit of `scope` (a unit code, or `None` for the whole tree) with its team.
    /// `None` when no unit has that code.
    #[tracing::instrument(skip(self))]
    pub async fn sweep(&self, scope: Option<&str>) -> StorageResult<Option<Sweep>> {
        let (scope_unit, ancestors, units, team_rows) = match scope {
            Some(code) => {
                let Some(unit) = self.unit(code).await? else {
                    return Ok(None);
                };
                let ancestors = sqlx::query(ANCESTORS).bind(code).fetch_all(self.pool());
                let units = sqlx::query(UNITS_UNDER).bind(code).fetch_all(self.pool());
                let sql = teams_sql(scope_cte!(unit));
                let teams = sqlx::query(&sql).bind(code).fetch_all(self.pool());
                let (ancestors, units, teams) = futures::try_join!(ancestors, units, teams)?;
                (Some(unit), ancestors, units, teams)
            }
            None => {
                let units = sqlx::query(UNITS_ALL).fetch_all(self.pool());
                let sql = teams_sql(scope_cte!(whole));
                let teams = sqlx::query(&sql).fetch_all(self.pool());
                let (units, teams) = futures::try_join!(units, teams)?;
                (None, Vec::new(), units, teams)
            }
        };
        Ok(Some(Sweep {
            scope: scope_unit,
            ancestors: ancestors
                .iter()
                .map(unit_from_row)
                .collect::<StorageResult<_>>()?,
            units: units
                .iter()
                .map(unit_from_row)
                .collect::<StorageResult<_>>()?,
            teams: team_rows
                .iter()
                .map(summary_from_row)
                .collect::<StorageResult<_>>()?,
        }))
    }
}
