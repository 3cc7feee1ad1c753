//! [`unit_status`] of the teams as storage holds them: as the registration dialogue saves
//! them and as reports sweep them.

use crate::domain::status::{unit_status, TeamFacts, UnitStatus};
use crate::domain::{CompositionRules, UnitLevel};

use super::{StoredTeam, TeamStatus, TeamSummary};

/// [`unit_status`] of a team as the registration dialogue stores it.
pub fn stored_team_status(
    rules: &CompositionRules,
    level: UnitLevel,
    team: Option<&StoredTeam>,
) -> UnitStatus {
    let Some(stored) = team else {
        return UnitStatus::NoTeam;
    };
    let roles = stored.team.roles();
    let decision = &stored.team.decision;
    let facts = TeamFacts {
        registered: stored.status == TeamStatus::Registered,
        leader: stored.team.leader_name.is_some() && stored.team.leader_phone.is_some(),
        roles: &roles,
        decision_number: decision.number.is_some(),
        decision_date: decision.date.is_some(),
        decision_scan: decision.file.as_ref().is_some_and(|f| f.kept),
    };
    unit_status(rules, level, Some(&facts))
}

/// [`unit_status`] of a team as reports sweep it.
pub fn summary_status(
    rules: &CompositionRules,
    level: UnitLevel,
    team: Option<&TeamSummary>,
) -> UnitStatus {
    let facts = team.map(|team| TeamFacts {
        registered: team.registered,
        leader: team.leader,
        roles: &team.roles,
        decision_number: team.decision_number.is_some(),
        decision_date: team.decision_date.is_some(),
        decision_scan: team.decision_scan,
    });
    unit_status(rules, level, facts.as_ref())
}
