//! Where a unit stands with its team, computed from stored data alone. Reports, alerts and
//! the chat all ask [`unit_status`], so they never disagree.

use serde::{Deserialize, Serialize};

use crate::domain::{CompositionRules, MemberRole, RuleBreach, UnitLevel};
use crate::storage::{StoredTeam, TeamStatus, TeamSummary};

/// What the status of a team is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamFacts<'a> {
    /// The village head (or commune official) confirmed the team; otherwise it is a draft.
    pub registered: bool,
    /// The members' roles, leader excluded.
    pub roles: &'a [MemberRole],
    pub decision_number: bool,
    pub decision_date: bool,
    /// The signed decision's scan was received.
    pub decision_scan: bool,
}

/// The status of a unit's team, most pressing first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitStatus {
    NoTeam,
    /// Being entered, not confirmed yet.
    Draft,
    /// Registered, but breaks its level's composition rules: these ones.
    Incomplete(Vec<RuleBreach>),
    /// Registered and well formed; the founding decision's number, date or scan is missing.
    RegisteredWithoutDecision,
    /// Registered, well formed, with the decision's number, date and scan.
    Complete,
}

/// [`UnitStatus`] without its details: what reports count and serialize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    NoTeam,
    Draft,
    Incomplete,
    RegisteredWithoutDecision,
    Complete,
}

/// The status of a unit at `level` whose team is `team` (`None`: it has none).
/// A level without composition rules (a commune where commune teams are not configured)
/// breaks no rule.
pub fn unit_status(
    rules: &CompositionRules,
    level: UnitLevel,
    team: Option<&TeamFacts<'_>>,
) -> UnitStatus {
    let Some(team) = team else {
        return UnitStatus::NoTeam;
    };
    if !team.registered {
        return UnitStatus::Draft;
    }
    let breaches = rules
        .for_level(level)
        .map(|rules| rules.breaches(team.roles))
        .unwrap_or_default();
    if !breaches.is_empty() {
        return UnitStatus::Incomplete(breaches);
    }
    if team.decision_number && team.decision_date && team.decision_scan {
        UnitStatus::Complete
    } else {
        UnitStatus::RegisteredWithoutDecision
    }
}

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
        roles: &roles,
        decision_number: decision.number.is_some(),
        decision_date: decision.date.is_some(),
        decision_scan: decision.file.is_some(),
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
        roles: &team.roles,
        decision_number: team.decision_number.is_some(),
        decision_date: team.decision_date.is_some(),
        decision_scan: team.decision_scan,
    });
    unit_status(rules, level, facts.as_ref())
}

impl UnitStatus {
    pub fn kind(&self) -> StatusKind {
        match self {
            UnitStatus::NoTeam => StatusKind::NoTeam,
            UnitStatus::Draft => StatusKind::Draft,
            UnitStatus::Incomplete(_) => StatusKind::Incomplete,
            UnitStatus::RegisteredWithoutDecision => StatusKind::RegisteredWithoutDecision,
            UnitStatus::Complete => StatusKind::Complete,
        }
    }

    /// The rules the team breaks; empty unless [`UnitStatus::Incomplete`].
    pub fn breaches(&self) -> &[RuleBreach] {
        match self {
            UnitStatus::Incomplete(breaches) => breaches,
            _ => &[],
        }
    }
}

impl StatusKind {
    /// Confirmed by the head, whether or not it is complete.
    pub fn is_registered(self) -> bool {
        matches!(
            self,
            StatusKind::Incomplete | StatusKind::RegisteredWithoutDecision | StatusKind::Complete
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberRole::*;

    fn rules() -> CompositionRules {
        let text = r#"
            [village]
            leader_role = "village_head"
            min_members = 2
            max_members = 3
            allowed_roles = ["youth_union_secretary", "primary_teacher", "other"]
            required_roles = ["youth_union_secretary"]
        "#;
        CompositionRules::parse(text, "test").unwrap()
    }

    fn registered(roles: &[MemberRole]) -> TeamFacts<'_> {
        TeamFacts {
            registered: true,
            roles,
            decision_number: true,
            decision_date: true,
            decision_scan: true,
        }
    }

    const GOOD: [MemberRole; 2] = [YouthUnionSecretary, PrimaryTeacher];

    fn village(team: TeamFacts<'_>) -> UnitStatus {
        unit_status(&rules(), UnitLevel::Village, Some(&team))
    }

    #[test]
    fn a_unit_without_a_team_has_no_team() {
        assert_eq!(
            unit_status(&rules(), UnitLevel::Village, None),
            UnitStatus::NoTeam
        );
    }

    #[test]
    fn an_unconfirmed_team_is_a_draft_whatever_it_holds() {
        let team = TeamFacts {
            registered: false,
            ..registered(&[])
        };
        assert_eq!(village(team), UnitStatus::Draft);
    }

    #[test]
    fn a_registered_team_with_number_date_and_scan_is_complete() {
        assert_eq!(village(registered(&GOOD)), UnitStatus::Complete);
    }

    #[test]
    fn a_registered_team_missing_the_number_the_date_or_the_scan_lacks_its_decision() {
        let cases = [
            TeamFacts {
                decision_number: false,
                ..registered(&GOOD)
            },
            TeamFacts {
                decision_date: false,
                ..registered(&GOOD)
            },
            TeamFacts {
                decision_scan: false,
                ..registered(&GOOD)
            },
        ];
        for team in cases {
            assert_eq!(
                village(team),
                UnitStatus::RegisteredWithoutDecision,
                "{team:?}"
            );
        }
    }

    #[test]
    fn a_registered_team_breaking_each_rule_is_incomplete_and_says_which() {
        let cases: [(&[MemberRole], RuleBreach); 4] = [
            (
                &[YouthUnionSecretary],
                RuleBreach::TooFewMembers { min: 2, have: 1 },
            ),
            (
                &[YouthUnionSecretary, Other, Other, Other],
                RuleBreach::TooManyMembers { max: 3, have: 4 },
            ),
            (
                &[YouthUnionSecretary, AreaPolice],
                RuleBreach::RoleNotAllowed(AreaPolice),
            ),
            (
                &[Other, Other],
                RuleBreach::MissingRole(YouthUnionSecretary),
            ),
        ];
        for (roles, breach) in cases {
            let status = village(registered(roles));
            assert_eq!(status, UnitStatus::Incomplete(vec![breach]), "{roles:?}");
            assert_eq!(status.kind(), StatusKind::Incomplete);
        }
    }

    #[test]
    fn breaking_the_rules_outranks_a_missing_decision() {
        let team = TeamFacts {
            decision_scan: false,
            ..registered(&[Other])
        };
        assert_eq!(village(team).breaches().len(), 2);
    }

    #[test]
    fn a_level_without_rules_breaks_none() {
        let team = registered(&[]);
        assert_eq!(
            unit_status(&rules(), UnitLevel::Commune, Some(&team)),
            UnitStatus::Complete
        );
    }

    #[test]
    fn only_confirmed_statuses_count_as_registered() {
        let registered: Vec<_> = [
            StatusKind::NoTeam,
            StatusKind::Draft,
            StatusKind::Incomplete,
            StatusKind::RegisteredWithoutDecision,
            StatusKind::Complete,
        ]
        .into_iter()
        .filter(|kind| kind.is_registered())
        .collect();
        assert_eq!(
            registered,
            [
                StatusKind::Incomplete,
                StatusKind::RegisteredWithoutDecision,
                StatusKind::Complete
            ]
        );
    }
}
