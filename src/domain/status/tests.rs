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
        leader: true,
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
fn a_registered_team_without_its_leader_is_incomplete_even_with_its_decision() {
    let team = TeamFacts {
        leader: false,
        ..registered(&GOOD)
    };
    assert_eq!(
        village(team),
        UnitStatus::Incomplete(vec![RuleBreach::NoLeader])
    );
    let commune = unit_status(&rules(), UnitLevel::Commune, Some(&team));
    assert_eq!(
        commune.kind(),
        StatusKind::Incomplete,
        "a level without rules too"
    );
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
