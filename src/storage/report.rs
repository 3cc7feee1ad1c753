//! The sweep behind reports: every unit under a scope with a summary of its team, in at most
//! four queries whatever the size of the scope (the whole country is about 117,000 units).
//!
//! The scope is walked with a recursive CTE on `units.parent_code`, so the tree may have any
//! depth. Each team comes as one row with its members' roles aggregated in SQL, and rows
//! are converted as they arrive: the whole country sweeps in a fraction of a second.

use chrono::NaiveDate;
use futures::TryStreamExt;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Row;

use super::{Db, DbRow};

use super::units::unit_from_row;
use super::{StorageError, StorageResult, Store, Unit};

mod as_of;
pub mod period;
use crate::domain::MemberRole;

/// `WITH RECURSIVE scope (code, depth)`: the unit `$1` and all its descendants. The depth
/// limit (deeper than any real tree) stops a cycle. The whole country needs no walk: it is
/// every unit.
macro_rules! scope_cte {
    () => {
        "WITH RECURSIVE scope (code, depth) AS (
             SELECT code, 0 FROM units WHERE code = $1
             UNION ALL
             SELECT u.code, s.depth + 1 FROM units u JOIN scope s ON u.parent_code = s.code
             WHERE s.depth < 16
         ) "
    };
}
pub(crate) use scope_cte;

/// A team as reports see it: the facts its status is computed from, and its decision.
/// Leaders and members are left to the listing ([`Store::for_each_listed_team`]): the whole
/// country's report reads as few values as it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    pub unit_code: String,
    pub registered: bool,
    /// The team has a leader's name and number.
    pub leader: bool,
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
    /// The scope unit and every unit under it (the whole country: every unit), in no
    /// particular order.
    pub units: Vec<Unit>,
    /// The teams of those units.
    pub teams: Vec<TeamSummary>,
    /// Villages of divided communes (a reorganisation's `split=yes`) not yet assigned to a
    /// new commune, per old commune whose main successor is in the scope: (old name, count).
    /// They are in no commune of the scope, so reports name them apart.
    pub to_assign: Vec<(String, i64)>,
    /// Code → name of the units kept as history (ended): what a moved village's former
    /// commune was called, to tell two villages of one name apart.
    pub history_names: std::collections::HashMap<String, String>,
}

const HISTORY_NAMES: &str = "SELECT code, name FROM units WHERE ended_on IS NOT NULL";

/// See [`Sweep::to_assign`].
const TO_ASSIGN_ALL: &str = "SELECT s.old_name, COUNT(*) FROM unit_successions s
     JOIN units v ON v.parent_code = s.history_code
     WHERE s.split = 1 AND v.level = 'village'
     GROUP BY s.old_code, s.old_name ORDER BY s.old_code";
const TO_ASSIGN_UNDER: &str = concat!(
    scope_cte!(),
    "SELECT s.old_name, COUNT(*) FROM unit_successions s
     JOIN scope sc ON sc.code = s.new_code
     JOIN units v ON v.parent_code = s.history_code
     WHERE s.split = 1 AND v.level = 'village'
     GROUP BY s.old_code, s.old_name ORDER BY s.old_code"
);

const UNITS_UNDER: &str = concat!(
    scope_cte!(),
    "SELECT u.code, u.name, u.kind, u.level, u.parent_code, u.ended_on, u.merged_into, u.moved_from
     FROM scope s JOIN units u ON u.code = s.code"
);
const UNITS_ALL: &str =
    "SELECT code, name, kind, level, parent_code, ended_on, merged_into, moved_from FROM units";

/// Reports follow the current structure: units kept as history (ended by a reorganisation)
/// and what still hangs on them (villages of a divided commune not yet assigned) are left
/// out. Done here rather than by a self-join: the whole country's sweep reads 100,000 units.
fn current_only(mut units: Vec<Unit>) -> Vec<Unit> {
    let ended: std::collections::HashSet<String> = units
        .iter()
        .filter(|u| !u.is_current())
        .map(|u| u.code.clone())
        .collect();
    if !ended.is_empty() {
        units.retain(|u| {
            u.is_current() && u.parent_code.as_ref().is_none_or(|p| !ended.contains(p))
        });
    }
    units
}

/// One row per team with its members' role codes joined by commas (`string_agg`: SQLite
/// 3.44+ and PostgreSQL), so the members are not read one row each.
macro_rules! teams_select {
    () => {
        "SELECT t.unit_code, CASE WHEN t.status = 'registered' THEN 1 ELSE 0 END AS registered,
             t.decision_number, t.decision_date,
             CASE WHEN t.leader_name IS NULL OR t.leader_phone IS NULL THEN 0 ELSE 1 END AS leader,
             COALESCE(t.decision_file_kept, 0) AS scan,
             string_agg(m.role, ',') AS roles "
    };
}
const TEAMS_UNDER: &str = concat!(
    scope_cte!(),
    teams_select!(),
    "FROM scope s JOIN teams t ON t.unit_code = s.code
     LEFT JOIN members m ON m.team_id = t.id GROUP BY t.id"
);
const TEAMS_ALL: &str = concat!(
    teams_select!(),
    "FROM teams t LEFT JOIN members m ON m.team_id = t.id GROUP BY t.id"
);

const ANCESTORS: &str = "WITH RECURSIVE up (code, parent_code, depth) AS (
         SELECT code, parent_code, 0 FROM units WHERE code = $1
         UNION ALL
         SELECT u.code, u.parent_code, up.depth + 1 FROM units u JOIN up ON u.code = up.parent_code
         WHERE up.depth < 16
     )
     SELECT u.code, u.name, u.kind, u.level, u.parent_code, u.ended_on, u.merged_into, u.moved_from
     FROM up JOIN units u ON u.code = up.code WHERE up.depth > 0 ORDER BY up.depth";

pub(crate) fn parse_date(text: Option<&str>) -> StorageResult<Option<NaiveDate>> {
    text.map(|d| {
        d.parse()
            .map_err(|_| StorageError::Corrupt(format!("decision date {d:?}")))
    })
    .transpose()
}

fn summary_from_row(row: &DbRow) -> StorageResult<TeamSummary> {
    Ok(TeamSummary {
        unit_code: row.try_get("unit_code")?,
        registered: row.try_get::<i64, _>("registered")? != 0,
        leader: row.try_get::<i64, _>("leader")? != 0,
        decision_number: row.try_get("decision_number")?,
        decision_date: parse_date(row.try_get("decision_date")?)?,
        decision_scan: row.try_get::<i64, _>("scan")? != 0,
        roles: row
            .try_get::<Option<&str>, _>("roles")?
            .map_or_else(Vec::new, parse_roles),
    })
}

/// Role codes joined by commas; an unknown code counts as `Other`.
pub(crate) fn parse_roles(codes: &str) -> Vec<MemberRole> {
    codes
        .split(',')
        .map(|code| MemberRole::parse(code).unwrap_or(MemberRole::Other))
        .collect()
}

/// Runs `query` and converts its rows as they come, so no row is held longer than needed.
async fn collect<'q, T>(
    query: Query<'q, Db, AnyArguments<'q>>,
    store: &Store,
    convert: fn(&DbRow) -> StorageResult<T>,
) -> StorageResult<Vec<T>> {
    let mut rows = query.fetch(store.pool());
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(convert(&row)?);
    }
    Ok(out)
}

impl Store {
    /// Every unit of `scope` (a unit code, or `None` for the whole tree) with its team.
    /// `None` when no unit has that code.
    #[tracing::instrument(skip(self))]
    pub async fn sweep(&self, scope: Option<&str>) -> StorageResult<Option<Sweep>> {
        let Some(code) = scope else {
            let units = collect(sqlx::query(UNITS_ALL), self, unit_from_row);
            let teams = collect(sqlx::query(TEAMS_ALL), self, summary_from_row);
            let (units, teams) = futures::try_join!(units, teams)?;
            let units = current_only(units);
            let to_assign = sqlx::query_as(TO_ASSIGN_ALL).fetch_all(self.pool()).await?;
            return Ok(Some(Sweep {
                scope: None,
                ancestors: Vec::new(),
                units,
                teams,
                to_assign,
                history_names: self.history_names().await?,
            }));
        };
        let Some(unit) = self.unit(code).await? else {
            return Ok(None);
        };
        let ancestors = collect(sqlx::query(ANCESTORS).bind(code), self, unit_from_row);
        let units = collect(sqlx::query(UNITS_UNDER).bind(code), self, unit_from_row);
        let teams = collect(sqlx::query(TEAMS_UNDER).bind(code), self, summary_from_row);
        let (ancestors, units, teams) = futures::try_join!(ancestors, units, teams)?;
        let units = current_only(units);
        let to_assign = sqlx::query_as(TO_ASSIGN_UNDER)
            .bind(code)
            .fetch_all(self.pool())
            .await?;
        Ok(Some(Sweep {
            scope: Some(unit),
            ancestors,
            units,
            teams,
            to_assign,
            history_names: self.history_names().await?,
        }))
    }

    async fn history_names(&self) -> StorageResult<std::collections::HashMap<String, String>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as(HISTORY_NAMES).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().collect())
    }
}
