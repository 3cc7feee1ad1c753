//! Many registered teams in a few statements, for benchmarks and data loads where a
//! statement per member would take minutes. The dialogue writes teams with
//! [`super::teams::save_team`].

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::Db;

use super::{now_text, StorageResult, Tx};
use crate::conversation::state::{ConsentSource, Draft, Member};

/// Teams per statement: 8 values each stays under SQLite's oldest limit of 999 bound values.
const TEAM_BATCH: usize = 100;
/// Members per statement, at 10 values each.
const MEMBER_BATCH: usize = 90;

/// Stores each `(unit code, team)` as a registered team with its members. The units must
/// exist and have no team yet.
pub async fn insert_registered_teams(
    tx: &mut Tx<'_>,
    teams: &[(String, Draft)],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let at = now_text(now);
    for batch in teams.chunks(TEAM_BATCH) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO teams (unit_code, status, leader_name, leader_phone, decision_number,
                 created_at, updated_at, registered_at) ",
        );
        query.push_values(batch, |mut row, (unit_code, team)| {
            row.push_bind(unit_code)
                .push_bind("registered")
                .push_bind(team.leader_name.as_ref().map(|n| n.as_str().to_owned()))
                .push_bind(team.leader_phone.as_ref().map(|p| p.e164().to_owned()))
                .push_bind(team.decision.number.as_ref().map(|n| n.as_str().to_owned()))
                .push_bind(&at)
                .push_bind(&at)
                .push_bind(&at);
        });
        query.build().execute(&mut **tx).await?;
    }
    let members: Vec<(&str, usize, &Member)> = teams
        .iter()
        .flat_map(|(unit_code, team)| {
            let positions = team.members.iter().enumerate();
            positions.map(move |(at, member)| (unit_code.as_str(), at + 1, member))
        })
        .collect();
    for batch in members.chunks(MEMBER_BATCH) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO members (team_id, position, full_name, role, role_detail, phone,
                 workplace, created_at, phone_consent_at, phone_consent_by) ",
        );
        query.push_values(batch, |mut row, (unit_code, position, member)| {
            row.push("(SELECT id FROM teams WHERE unit_code = ")
                .push_bind_unseparated(*unit_code)
                .push_unseparated(")")
                .push_bind(*position as i64)
                .push_bind(member.name.as_str())
                .push_bind(member.role.code())
                .push_bind(member.role_detail.as_deref())
                .push_bind(member.phone.e164())
                .push_bind(member.workplace.as_deref())
                .push_bind(&at)
                .push_bind(member.consent.map(|_| at.as_str()))
                .push_bind(member.consent.map(ConsentSource::code));
        });
        query.build().execute(&mut **tx).await?;
    }
    Ok(())
}
