//! Every team of a scope with its members, streamed for exports: two queries read side by
//! side, and never more than one team in memory.

use std::cmp::Ordering;
use std::pin::Pin;
use std::sync::LazyLock;

use super::DbRow;
use futures::stream::{BoxStream, Peekable};
use futures::{StreamExt, TryStreamExt};
use sqlx::Row;

use super::consent::{self, leader_own_word, member_own_word};
use super::fields;
use super::report::{parse_date, scope_cte};
use super::{StorageError, StorageResult, Store, TeamSummary, UnitLevel};
use crate::conversation::state::ConsentSource;
use crate::domain::{Fields, MemberRole};

/// A village or commune with its team and members, as exports list them; a unit without a
/// team is listed too (officials need those rows most).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTeam {
    pub level: UnitLevel,
    /// The unit has a team row (a draft or a registered team).
    pub has_team: bool,
    /// `roles` follows `members`.
    pub summary: TeamSummary,
    pub leader_name: Option<String>,
    /// E.164.
    pub leader_phone: Option<String>,
    /// Who said the leader's phone may be shown to residents; `None`: nobody did.
    pub leader_consent: Option<ConsentSource>,
    /// The leader's optional fields ([`crate::domain::fields`]).
    pub leader_fields: Fields,
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
    /// The optional fields ([`crate::domain::fields`]).
    pub fields: Fields,
    /// Who said the phone may be shown to residents ([`consent::decide`]); `None`: nobody did.
    pub consent: Option<ConsentSource>,
}

/// The teams of a scope and, beside them, their members: two queries read side by side, so
/// a team's columns are not repeated on each of its members' rows. Both come in the order of
/// unit codes (a village's generated code starts with its commune's), which the unique
/// index on `teams.unit_code` gives without a sort.
macro_rules! teams_select {
    () => {
        concat!(
            "SELECT t.id, u.code AS unit_code, u.level, t.status, t.leader_name, t.leader_phone,
             t.decision_number, t.decision_date, t.leader_phone_consent_by {leader_fields}, ",
            leader_own_word!(),
            ", COALESCE(t.decision_file_kept, 0) AS scan "
        )
    };
}
macro_rules! members_select {
    () => {
        concat!(
            "SELECT t.unit_code, m.team_id, m.position, m.full_name, m.role, m.role_detail,
             m.phone, m.phone_consent_by {member_fields}, ",
            member_own_word!(),
            " "
        )
    };
}
// Exports follow the current structure, as reports do: units kept as history by a
// reorganisation (and villages still hanging on them) are left out; their members' rows are
// skipped with them.
const TEAMS_UNDER: &str = concat!(
    scope_cte!(),
    teams_select!(),
    "FROM scope s JOIN units u ON u.code = s.code LEFT JOIN teams t ON t.unit_code = u.code
     LEFT JOIN units p ON p.code = u.parent_code
     WHERE u.level IN ('village', 'commune') AND u.ended_on IS NULL AND p.ended_on IS NULL
     ORDER BY u.code"
);
const TEAMS_ALL: &str = concat!(
    teams_select!(),
    "FROM units u LEFT JOIN teams t ON t.unit_code = u.code
     LEFT JOIN units p ON p.code = u.parent_code
     WHERE u.level IN ('village', 'commune') AND u.ended_on IS NULL AND p.ended_on IS NULL
     ORDER BY u.code"
);
const MEMBERS_UNDER: &str = concat!(
    scope_cte!(),
    members_select!(),
    "FROM scope s JOIN teams t ON t.unit_code = s.code JOIN members m ON m.team_id = t.id
     ORDER BY t.unit_code, m.position"
);
const MEMBERS_ALL: &str = concat!(
    members_select!(),
    "FROM teams t JOIN members m ON m.team_id = t.id ORDER BY t.unit_code, m.position"
);

/// The four statements with the declared fields' columns where the selects name them.
struct Statements {
    teams_under: String,
    teams_all: String,
    members_under: String,
    members_all: String,
}

static STATEMENTS: LazyLock<Statements> = LazyLock::new(|| {
    let with_fields = |sql: &str| {
        sql.replace("{leader_fields}", &fields::leader_columns("t."))
            .replace("{member_fields}", &fields::member_columns("m."))
    };
    Statements {
        teams_under: with_fields(TEAMS_UNDER),
        teams_all: with_fields(TEAMS_ALL),
        members_under: with_fields(MEMBERS_UNDER),
        members_all: with_fields(MEMBERS_ALL),
    }
});

type Rows<'a> = Peekable<BoxStream<'a, Result<DbRow, sqlx::Error>>>;

/// The next member row of the team `id` of unit `unit_code`, if any. Rows of teams the team
/// query did not see (written between the two queries' starts) are skipped.
async fn next_member(
    members: &mut Rows<'_>,
    id: i64,
    unit_code: &str,
) -> StorageResult<Option<DbRow>> {
    loop {
        let (code, team_id) = match Pin::new(&mut *members).peek().await {
            None => return Ok(None),
            Some(Err(_)) => return Ok(members.next().await.transpose()?),
            Some(Ok(row)) => (
                row.try_get::<&str, _>("unit_code")?.to_owned(),
                row.try_get::<i64, _>("team_id")?,
            ),
        };
        match code.as_str().cmp(unit_code) {
            Ordering::Greater => return Ok(None),
            Ordering::Equal if team_id == id => return Ok(members.next().await.transpose()?),
            _ => {
                members.next().await;
            }
        }
    }
}

fn team_from_row(row: &DbRow) -> StorageResult<ListedTeam> {
    let level: &str = row.try_get("level")?;
    let status: Option<&str> = row.try_get("status")?;
    Ok(ListedTeam {
        level: UnitLevel::parse(level)
            .ok_or_else(|| StorageError::Corrupt(format!("unit level {level:?}")))?,
        has_team: status.is_some(),
        summary: TeamSummary {
            unit_code: row.try_get("unit_code")?,
            registered: status == Some("registered"),
            leader: row.try_get::<Option<&str>, _>("leader_name")?.is_some()
                && row.try_get::<Option<&str>, _>("leader_phone")?.is_some(),
            decision_number: row.try_get("decision_number")?,
            decision_date: parse_date(row.try_get("decision_date")?)?,
            decision_scan: row.try_get::<i64, _>("scan")? != 0,
            roles: Vec::new(),
        },
        leader_name: row.try_get("leader_name")?,
        leader_phone: row.try_get("leader_phone")?,
        leader_consent: consent::of_leader(row)?,
        leader_fields: fields::leader_fields(row)?,
        members: Vec::new(),
    })
}

fn member_from_row(row: &DbRow) -> StorageResult<ListedMember> {
    let role: &str = row.try_get("role")?;
    Ok(ListedMember {
        position: row.try_get("position")?,
        name: row.try_get("full_name")?,
        role: MemberRole::parse(role).unwrap_or(MemberRole::Other),
        role_detail: row.try_get("role_detail")?,
        phone: row.try_get("phone")?,
        fields: fields::member_fields(row)?,
        consent: consent::of_member(row)?,
    })
}

impl Store {
    /// Calls `visit` with every village and commune of `scope`, with its team if it has one (a unit code, or `None` for the whole tree),
    /// in the order of unit codes, members in their order. Stops at the first error.
    #[tracing::instrument(skip(self, visit))]
    pub async fn for_each_listed_team<E>(
        &self,
        scope: Option<&str>,
        mut visit: impl FnMut(ListedTeam) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StorageError>,
    {
        let sql = &*STATEMENTS;
        let (teams, members) = match scope {
            Some(code) => (
                sqlx::query(&sql.teams_under).bind(code),
                sqlx::query(&sql.members_under).bind(code),
            ),
            None => (sqlx::query(&sql.teams_all), sqlx::query(&sql.members_all)),
        };
        let mut teams = teams.fetch(self.pool());
        let mut members = members.fetch(self.pool()).peekable();
        while let Some(row) = teams.try_next().await.map_err(StorageError::from)? {
            let mut team = team_from_row(&row)?;
            let id: Option<i64> = row.try_get("id").map_err(StorageError::from)?;
            // A unit without a team has no members to wait for.
            let id = id.unwrap_or(-1);
            while let Some(row) = next_member(&mut members, id, &team.summary.unit_code).await? {
                let member = member_from_row(&row)?;
                team.summary.roles.push(member.role);
                team.members.push(member);
            }
            visit(team)?;
        }
        Ok(())
    }
}
