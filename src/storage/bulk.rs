//! Many registered teams in a few statements, for benchmarks and data loads where a
//! statement per member would take minutes. The dialogue writes teams with
//! [`super::teams::save_team`].

use super::{fields, now_text, placeholder_rows, StorageResult, Tx};
use crate::domain::{ConsentSource, FieldKey, Member, PhoneNumber, Team};
use chrono::{DateTime, Utc};

/// SQLite's oldest limit of bound values per statement.
const MAX_VALUES: usize = 999;
/// The values of a team besides the leader's optional fields.
const TEAM_VALUES: usize = 8;
/// The values of a member besides their optional fields.
const MEMBER_VALUES: usize = 10;

/// Stores each `(unit code, team)` as a registered team with its members. The units must
/// exist and have no team yet.
pub async fn insert_registered_teams(
    tx: &mut Tx<'_>,
    teams: &[(String, Team)],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let at = now_text(now);
    let team_values = TEAM_VALUES + FieldKey::of_leader().count();
    for batch in teams.chunks(MAX_VALUES / team_values) {
        let sql = format!(
            "INSERT INTO teams (unit_code, status, leader_name, leader_phone, decision_number,
                 created_at, updated_at, registered_at{}) VALUES {}",
            fields::leader_columns(""),
            placeholder_rows(batch.len(), team_values, |_, p| p)
        );
        let mut query = sqlx::query(&sql);
        for (unit_code, team) in batch {
            query = query
                .bind(unit_code)
                .bind(super::teams::TeamStatus::Registered.as_str())
                .bind(team.leader_name.as_ref().map(|n| n.as_str()))
                .bind(team.leader_phone.as_ref().map(|p| p.e164()))
                .bind(team.decision.number.as_ref().map(|n| n.as_str()))
                .bind(&at)
                .bind(&at)
                .bind(&at);
            for value in fields::leader_values(&team.leader_fields) {
                query = query.bind(value);
            }
        }
        query.execute(&mut **tx).await?;
    }
    let members: Vec<(&str, usize, &Member)> = teams
        .iter()
        .flat_map(|(unit_code, team)| {
            let positions = team.members.iter().enumerate();
            positions.map(move |(at, member)| (unit_code.as_str(), at + 1, member))
        })
        .collect();
    let member_values = MEMBER_VALUES + FieldKey::of_members().count();
    for batch in members.chunks(MAX_VALUES / member_values) {
        let team_of = |column, p| match column {
            0 => format!("(SELECT id FROM teams WHERE unit_code = {p})"),
            _ => p,
        };
        let sql = format!(
            "INSERT INTO members (team_id, position, full_name, role, role_detail, phone,
                 created_at, phone_consent_at, phone_consent_by, zalo_phone{}) VALUES {}",
            fields::member_columns(""),
            placeholder_rows(batch.len(), member_values, team_of)
        );
        let mut query = sqlx::query(&sql);
        for (unit_code, position, member) in batch {
            query = query
                .bind(*unit_code)
                .bind(*position as i64)
                .bind(member.name.as_str())
                .bind(member.role.code())
                .bind(member.role_detail.as_deref())
                .bind(member.phone.e164())
                .bind(&at)
                .bind(member.consent.map(|_| at.as_str()))
                .bind(member.consent.map(ConsentSource::code))
                .bind(member.zalo.as_ref().map(PhoneNumber::e164));
            for value in fields::member_values(&member.fields) {
                query = query.bind(value);
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
