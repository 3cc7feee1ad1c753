//! Tests of the role × action × area access rules.

use super::*;
use AccountRole::*;

/// Tỉnh 30 → Huyện 298 → Xã 11083 → Thôn 11083-01, 11083-02; Xã 11086 → Thôn 11086-01;
/// and another district, 299 → Xã 11200 → Thôn 11200-01.
fn tree() -> Vec<Target> {
    let t = |code: &str, level, ancestors: &[&str]| Target {
        code: code.into(),
        level,
        ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
    };
    vec![
        t("30", UnitLevel::Province, &[]),
        t("298", UnitLevel::District, &["30"]),
        t("11083", UnitLevel::Commune, &["298", "30"]),
        t("11083-01", UnitLevel::Village, &["11083", "298", "30"]),
        t("11083-02", UnitLevel::Village, &["11083", "298", "30"]),
        t("11086", UnitLevel::Commune, &["298", "30"]),
        t("11086-01", UnitLevel::Village, &["11086", "298", "30"]),
        t("299", UnitLevel::District, &["30"]),
        t("11200", UnitLevel::Commune, &["299", "30"]),
        t("11200-01", UnitLevel::Village, &["11200", "299", "30"]),
        // Two levels (since 1 July 2025): Thành phố 31 → Xã 11074 → Thôn 11074-01.
        t("31", UnitLevel::Province, &[]),
        t("11074", UnitLevel::Commune, &["31"]),
        t("11074-01", UnitLevel::Village, &["11074", "31"]),
    ]
}

fn actors() -> Vec<(&'static str, Actor)> {
    vec![
        ("resident", Actor::resident()),
        ("head of 11083-01", Actor::account(VillageHead, "11083-01")),
        (
            "official of 11083",
            Actor::account(CommuneOfficial, "11083"),
        ),
        ("official of 298", Actor::account(DistrictOfficial, "298")),
        ("official of 31", Actor::account(ProvinceOfficial, "31")),
    ]
}

/// Every allowed (actor, action, target); everything else must be denied.
fn allowed() -> Vec<(&'static str, Permission, String)> {
    use Permission::*;
    let mut allowed = Vec::new();
    for (actor, _) in actors() {
        for target in tree() {
            allowed.push((actor, ViewTeamCard, target.code));
        }
    }
    let listed = [
        ("head of 11083-01", RegisterTeam, "11083-01"),
        ("head of 11083-01", ViewStatus, "11083-01"),
        ("official of 11083", RegisterTeam, "11083"),
        ("official of 11083", ManageVillages, "11083"),
        ("official of 11083", EditVillage, "11083-01"),
        ("official of 11083", EditVillage, "11083-02"),
        ("official of 11083", RevokeAccess, "11083-01"),
        ("official of 11083", RevokeAccess, "11083-02"),
        ("official of 298", RevokeAccess, "11083"),
        ("official of 298", RevokeAccess, "11086"),
        ("official of 11083", ViewStatus, "11083"),
        ("official of 11083", ViewStatus, "11083-01"),
        ("official of 11083", ViewStatus, "11083-02"),
        ("official of 11083", InviteVillageHead, "11083-01"),
        ("official of 11083", InviteVillageHead, "11083-02"),
        ("official of 298", ViewStatus, "298"),
        ("official of 298", ViewStatus, "11083"),
        ("official of 298", ViewStatus, "11083-01"),
        ("official of 298", ViewStatus, "11083-02"),
        ("official of 298", ViewStatus, "11086"),
        ("official of 298", ViewStatus, "11086-01"),
        ("official of 298", InviteVillageHead, "11083-01"),
        ("official of 298", InviteVillageHead, "11083-02"),
        ("official of 298", InviteVillageHead, "11086-01"),
        ("official of 298", InviteCommuneOfficial, "11083"),
        ("official of 298", InviteCommuneOfficial, "11086"),
        // A province official does for its communes what a district official did.
        ("official of 31", ViewStatus, "31"),
        ("official of 31", ViewStatus, "11074"),
        ("official of 31", ViewStatus, "11074-01"),
        ("official of 31", InviteVillageHead, "11074-01"),
        ("official of 31", InviteCommuneOfficial, "11074"),
        ("official of 31", RevokeAccess, "11074"),
        // The founding decision: a commune's own officials, and the officials above it.
        ("official of 11083", DraftDecision, "11083"),
        ("official of 11083", DraftDecision, "11083-01"),
        ("official of 11083", DraftDecision, "11083-02"),
        ("official of 298", DraftDecision, "11083"),
        ("official of 298", DraftDecision, "11083-01"),
        ("official of 298", DraftDecision, "11083-02"),
        ("official of 298", DraftDecision, "11086"),
        ("official of 298", DraftDecision, "11086-01"),
        ("official of 31", DraftDecision, "11074"),
        ("official of 31", DraftDecision, "11074-01"),
        // Period reports: a commune submits its own; the province above decides.
        ("official of 11083", SubmitReport, "11083"),
        ("official of 31", ApproveReport, "11074"),
        ("official of 31", ReturnReport, "11074"),
        ("head of 11083-01", LogActivity, "11083-01"),
        ("official of 11083", LogActivity, "11083"),
        // Residents' requests: the village's head; its commune's officials (escalated).
        ("head of 11083-01", TakeRequest, "11083-01"),
        ("head of 11083-01", CloseRequest, "11083-01"),
        ("head of 11083-01", EscalateRequest, "11083-01"),
        ("official of 11083", TakeRequest, "11083-01"),
        ("official of 11083", TakeRequest, "11083-02"),
        ("official of 11083", CloseRequest, "11083-01"),
        ("official of 11083", CloseRequest, "11083-02"),
        // Announcements: to an official's own area, at any level within it.
        ("official of 11083", Announce, "11083"),
        ("official of 11083", RemindAnnouncement, "11083"),
        ("official of 298", Announce, "298"),
        ("official of 298", Announce, "11083"),
        ("official of 298", Announce, "11083-01"),
        ("official of 298", Announce, "11083-02"),
        ("official of 298", Announce, "11086"),
        ("official of 298", Announce, "11086-01"),
        ("official of 298", RemindAnnouncement, "298"),
        ("official of 298", RemindAnnouncement, "11083"),
        ("official of 298", RemindAnnouncement, "11083-01"),
        ("official of 298", RemindAnnouncement, "11083-02"),
        ("official of 298", RemindAnnouncement, "11086"),
        ("official of 298", RemindAnnouncement, "11086-01"),
        ("official of 31", Announce, "31"),
        ("official of 31", Announce, "11074"),
        ("official of 31", Announce, "11074-01"),
        ("official of 31", RemindAnnouncement, "31"),
        ("official of 31", RemindAnnouncement, "11074"),
        ("official of 31", RemindAnnouncement, "11074-01"),
    ];
    allowed.extend(listed.map(|(actor, action, code)| (actor, action, code.to_owned())));
    allowed
}

#[test]
fn every_role_action_and_scope_is_allowed_or_denied_as_the_matrix_says() {
    let allowed = allowed();
    let mut checked = 0;
    for (name, actor) in actors() {
        for action in Permission::ALL {
            for target in tree() {
                let expected = allowed
                    .iter()
                    .any(|(a, act, code)| *a == name && *act == action && *code == target.code);
                let got = authorize(&actor, action, &target);
                assert_eq!(
                    got.is_ok(),
                    expected,
                    "{name} {action:?} on {}: expected {}, got {got:?}",
                    target.code,
                    if expected { "allowed" } else { "denied" }
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5 * Permission::ALL.len() * 13);
}

#[test]
fn only_the_villages_own_commune_official_may_rename_or_remove_it() {
    let village = tree()
        .into_iter()
        .find(|t| t.code == "11083-01")
        .expect("in the tree");
    let district = Actor::account(DistrictOfficial, "298");
    let other_commune = Actor::account(CommuneOfficial, "11086");
    let own_commune = Actor::account(CommuneOfficial, "11083");
    let head = Actor::account(VillageHead, "11083-01");
    assert_eq!(
        authorize(&district, Permission::EditVillage, &village),
        Err(Denied::Role)
    );
    assert_eq!(
        authorize(&other_commune, Permission::EditVillage, &village),
        Err(Denied::Scope)
    );
    assert_eq!(
        authorize(&head, Permission::EditVillage, &village),
        Err(Denied::Role)
    );
    assert_eq!(
        authorize(&own_commune, Permission::EditVillage, &village),
        Ok(())
    );
}

#[test]
fn a_denial_says_whether_role_scope_or_level_was_wrong() {
    let official = Actor::account(CommuneOfficial, "11083");
    let village = |code: &str, commune: &str| Target {
        code: code.into(),
        level: UnitLevel::Village,
        ancestors: vec![commune.into(), "298".into()],
    };
    assert_eq!(
        authorize(
            &official,
            Permission::InviteVillageHead,
            &village("11086-01", "11086")
        ),
        Err(Denied::Scope)
    );
    assert_eq!(
        authorize(
            &official,
            Permission::InviteCommuneOfficial,
            &village("11083-01", "11083")
        ),
        Err(Denied::Role)
    );
    assert_eq!(
        authorize(
            &official,
            Permission::ManageVillages,
            &village("11083-01", "11083")
        ),
        Err(Denied::Level)
    );
    assert_eq!(
        authorize(
            &Actor::resident(),
            Permission::RegisterTeam,
            &village("11083-01", "11083")
        ),
        Err(Denied::Role)
    );
}

#[test]
fn a_period_report_is_decided_only_by_an_official_of_the_province_above() {
    let commune = |code: &str, ancestors: &[&str]| Target {
        code: code.into(),
        level: UnitLevel::Commune,
        ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
    };
    let dai_son = commune("11083", &["298", "30"]);
    let own_province = Actor::account(ProvinceOfficial, "30");
    let other_province = Actor::account(ProvinceOfficial, "31");
    let district = Actor::account(DistrictOfficial, "298");
    let own_commune = Actor::account(CommuneOfficial, "11083");
    let other_commune = Actor::account(CommuneOfficial, "11086");
    for decide in [Permission::ApproveReport, Permission::ReturnReport] {
        assert_eq!(authorize(&own_province, decide, &dai_son), Ok(()));
        // A forged button: an official of another province.
        assert_eq!(
            authorize(&other_province, decide, &dai_son),
            Err(Denied::Scope)
        );
        // A commune deciding its own report, or the district in between.
        assert_eq!(authorize(&own_commune, decide, &dai_son), Err(Denied::Role));
        assert_eq!(authorize(&district, decide, &dai_son), Err(Denied::Role));
        // A village is no report's unit.
        let village = Target {
            code: "11083-01".into(),
            level: UnitLevel::Village,
            ancestors: vec!["11083".into(), "298".into(), "30".into()],
        };
        assert_eq!(
            authorize(&own_province, decide, &village),
            Err(Denied::Level)
        );
    }
    assert_eq!(
        authorize(&own_commune, Permission::SubmitReport, &dai_son),
        Ok(())
    );
    assert_eq!(
        authorize(&other_commune, Permission::SubmitReport, &dai_son),
        Err(Denied::Scope)
    );
    assert_eq!(
        authorize(&own_province, Permission::SubmitReport, &dai_son),
        Err(Denied::Role)
    );
}

#[test]
fn a_member_logs_for_their_own_teams_only_and_nobody_else_logs_but_who_leads_the_team() {
    let member = Actor::resident().member_of(["11083-01".to_owned(), "11083".to_owned()]);
    for target in tree() {
        let expected = target.code == "11083-01" || target.code == "11083";
        assert_eq!(
            authorize(&member, Permission::LogActivity, &target).is_ok(),
            expected,
            "member on {}",
            target.code
        );
        // Being a member gives no other right than the team's own work: logging it and
        // answering its residents' requests.
        let members_work = [
            Permission::LogActivity,
            Permission::TakeRequest,
            Permission::CloseRequest,
            Permission::EscalateRequest,
        ];
        for action in Permission::ALL {
            if !members_work.contains(&action) && action != Permission::ViewTeamCard {
                assert!(authorize(&member, action, &target).is_err(), "{action:?}");
            }
        }
    }
    let other_village = Actor::resident().member_of(["11083-02".to_owned()]);
    let own = tree()
        .into_iter()
        .find(|t| t.code == "11083-01")
        .expect("in the tree");
    assert_eq!(
        authorize(&other_village, Permission::LogActivity, &own),
        Err(Denied::Role)
    );
    assert_eq!(
        authorize(&Actor::resident(), Permission::LogActivity, &own),
        Err(Denied::Role)
    );
    // The commune official leads the commune's team, not its villages'.
    assert_eq!(
        authorize(
            &Actor::account(CommuneOfficial, "11083"),
            Permission::LogActivity,
            &own
        ),
        Err(Denied::Level)
    );
}

#[test]
fn a_member_of_another_village_cannot_take_close_or_escalate_a_request() {
    let member = Actor::resident().member_of(["11083-01".to_owned()]);
    for action in [
        Permission::TakeRequest,
        Permission::CloseRequest,
        Permission::EscalateRequest,
    ] {
        for target in tree() {
            assert_eq!(
                authorize(&member, action, &target).is_ok(),
                target.code == "11083-01",
                "{action:?} on {}",
                target.code
            );
        }
    }
    for action in [Permission::Announce, Permission::RemindAnnouncement] {
        for target in tree() {
            assert!(authorize(&member, action, &target).is_err(), "{action:?}");
        }
    }
}
