//! Every team of a scope with its members, streamed in tree order for exports: one query,
//! and never more than one team in memory.

use futures::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::report::{parse_date, scope_cte};
use super::{StorageError, StorageResult, Store, TeamSummary, UnitLevel};
use crate::conversation::state::ConsentSource;
use crate::domain::MemberRole;

/// A team and its members, as exports list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTeam {
    pub level: UnitLevel,
    /// `roles` follows `members`.
    pub summary: TeamSummary,
    pub members: Vec<ListedMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMember {
    pub position: i64,
    pub name: String,
    pub role: MemberRole,
    pub role_detail: Option<String>,
    /// E.164.
    pub phone: String,
    pub workplace: Option<String>,
    /// Who said the phone may be shown to residents; `None`: nobody did.
    pub consent: Option<ConsentSource>,
}

/// The listing's SELECT, after the scope CTE (a macro: `concat!` takes only literals).
macro_rules! listing_select {
    () => {
        "SELECT t.unit_code, u.level, t.status, t.leader_name, t.leader_phone,
             t.decision_number, t.decision_date,
             CASE WHEN t.decision_file_id IS NULL THEN 0 ELSE 1 END AS scan,
             m.position, m.full_name, m.role, m.role_detail, m.phone, m.workplace,
             m.phone_consent_by
         FROM scope s JOIN units u ON u.code = s.code JOIN teams t ON t.unit_code = s.code
         LEFT JOIN members m ON m.team_id = t.id
         ORDER BY s.path, m.position"
    };
}
const UNDER: &str = concat!(scope_cte!(unit), listing_select!());
const ALL: &str = concat!(scope_cte!(whole), listing_select!());

fn team_from_row(row: &SqliteRow) -> StorageResult<ListedTeam> {
    let level: String = row.try_get("level")?;
    let status: String = row.try_get("status")?;
    Ok(ListedTeam {
        level: UnitLevel::parse(&level)
            .ok_or_else(|| StorageError::Corrupt(format!("unit level {level:?}")))?,
        summary: TeamSummary {
            unit_code: row.try_get("unit_code")?,
            registered: status == "registered",
            leader_name: row.try_get("leader_name")?,
            leader_phone: row.try_get("leader_phone")?,
            decision_number: row.try_get("decision_number")?,
            decision_date: parse_date(row.try_get("decision_date")?)?,
            decision_scan: row.try_get::<i64, _>("scan")? != 0,
            roles: Vec::new(),
        },
        members: Vec::new(),
    })
}

fn member_from_row(row: &SqliteRow) -> StorageResult<Option<ListedMember>> {
    let Some(position) = row.try_get::<Option<i64>, _>("position")? else {
        return Ok(None);
    };
    let role: String = row.try_get("role")?;
    let consent: Option<String> = row.try_get("phone_consent_by")?;
    Ok(Some(ListedMember {
        position,
        name: row.try_get("full_name")?,
        role: MemberRole::parse(&role).unwrap_or(MemberRole::Other),
        role_detail: row.try_get("role_detail")?,
        phone: row.try_get("phone")?,
        workplace: row.try_get("workplace")?,
        consent: match consent.as_deref() {
            Some("head") => Some(ConsentSource::Head),
            Some("member") => Some(ConsentSource::Member),
            _ => None,
        },
    }))
}

impl Store {
    /// Calls `visit` with every team of `scope` (a unit code, or `None` for the whole tree),
    /// parents before children, members in their order. Stops at the first error.
    #[tracing::instrument(skip(self, visit))]
    pub async fn for_each_listed_team<E>(
        &self,
        scope: Option<&str>,
        mut visit: impl FnMut(ListedTeam) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StorageError>,
    {
        let query = match scope {
            Some(code) => sqlx::query(UNDER).bind(code),
            None => sqlx::query(ALL),
        };
        let mut rows = query.fetch(self.pool());
        let mut current: Option<ListedTeam> = None;
        while let Some(row) = rows.try_next().await.map_err(StorageError::from)? {
            let unit_code: String = row.try_get("unit_code").map_err(StorageError::from)?;
            if current
                .as_ref()
                .is_some_and(|team| team.summary.unit_code != unit_code)
            {
                if let Some(done) = current.take() {
                    visit(done)?;
                }
            }
            let team = match current.as_mut() {
                Some(team) => team,
                None => current.insert(team_from_row(&row)?),
            };
            if let Some(member) = member_from_row(&row)? {
                team.summary.roles.push(member.role);
                team.members.push(member);
            }
        }
        match current {
            Some(team) => visit(team),
            None => Ok(()),
        }
    }
}
