//! Many registered teams in a few statements, for benchmarks and data loads where a
//! statement per member would take minutes. The dialogue writes teams with
//! [`super::teams::save_team`].

use super::{now_text, placeholder_rows, StorageResult, Tx};
use crate::domain::{ConsentSource, Member, PhoneNumber, Team};
use chrono::{DateTime, Utc};

/// Teams per statement: 8 values each stays under SQLite's oldest limit of 999 bound values.
const TEAM_BATCH: usize = 100;
/// Members per statement, at 10 values each.
const MEMBER_BATCH: usize = 90;

/// Stores each `(unit code, team)` as a registered team with its members. The units must
/// exist and have no team yet.
pub async fn insert_registered_teams(
    tx: &mut Tx<'_>,
    teams: &[(String, Team)],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let at = now_text(now);
    for batch in teams.chunks(TEAM_BATCH) {
        let sql = format!(
            "INSERT INTO teams (unit_code, status, leader_name, leader_phone, decision_number,
                 created_at, updated_at, registered_at) VALUES {}",
            placeholder_rows(batch.len(), 8, |_, p| p)
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
    for batch in members.chunks(MEMBER_BATCH) {
        let team_of = |column, p| match column {
            0 => format!("(SELECT id FROM teams WHERE unit_code = {p})"),
            _ => p,
        };
        let sql = format!(
            "INSERT INTO members (team_id, position, full_name, role, role_detail, phone,
                 workplace, created_at, phone_consent_at, phone_consent_by, zalo_phone) VALUES {}",
            placeholder_rows(batch.len(), 11, team_of)
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
                .bind(member.workplace.as_deref())
                .bind(&at)
                .bind(member.consent.map(|_| at.as_str()))
                .bind(member.consent.map(ConsentSource::code))
                .bind(member.zalo.as_ref().map(PhoneNumber::e164));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}
